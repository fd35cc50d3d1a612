/* utfall-pseudonymize: personal identity numbers → keyed pseudonyms. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "utfall/pseudo.h"

static const char usage[] =
    "Usage: utfall pseudonymize --key-file KEY [OPTION]... [FILE]\n"
    "       utfall pseudonymize --new-key KEY\n"
    "Turn a list with personnummer into an extract utfall accepts: every Swedish\n"
    "personal identity or coordination number in any field, in any written form,\n"
    "is replaced by a keyed pseudonym (HMAC-SHA-256, \"P-\" and 20 hex digits; the\n"
    "same number gives the same pseudonym with the same key, in every file); every\n"
    "value of the identity column (personnummer, pnr) becomes a pseudonym;\n"
    "birth-date columns (fodelsedatum, fodd, dob) keep only the year; columns of\n"
    "names, addresses, phone numbers and e-mail addresses are left out, and so\n"
    "are free-text columns (kommentar, anteckning, handlaggare) unless kept.\n"
    "The delimiter is kept.\n"
    "\n"
    "      --key-file KEY     the secret key (keep it away from the extracts)\n"
    "      --new-key KEY      create a new random key file with mode 0600\n"
    "      --keep COLUMN      keep this free-text column (its identity numbers\n"
    "                         still replaced); repeatable\n"
    "  -o, --output FILE      write to FILE (atomically) instead of stdout\n"
    "  -d, --delimiter C      input delimiter , ; | or tab (default: detect)\n"
    "      --encoding ENC     auto, utf-8 or windows-1252\n"
    "  -q, --quiet            no summary on stderr\n"
    "  -h, --help, -V, --version\n"
    "\n"
    "Exit status: 0 ok, 1 data error (also a weak key), 2 usage error, 3 personal\n"
    "identity number in an argument, 4 input/output error.  See\n"
    "utfall-pseudonymize(1).\n";

enum { OPT_KEY = OPT_FIRST_COMMAND_OPTION, OPT_NEW_KEY, OPT_KEEP };

/* What was done, on stderr: the counts, then what a reader of the output
 * must know (values that stay two pseudonyms for one person, dates left
 * empty, the columns left out). */
static void report_stats(const cli *c, const utfall_pseudo_stats *s)
{
    fprintf(stderr, "%s: %ld rows; %ld identity numbers replaced; %ld birth dates reduced to the "
                    "year; %ld identifying columns left out; %ld free-text columns left out\n",
            c->prog, s->rows, s->replaced, s->dates_reduced, s->columns_dropped,
            s->free_text_dropped);
    if (s->ids_invalid)
        fprintf(stderr, "%s: %ld identity values are no valid identity number (a wrong check "
                        "digit or date, or no number at all): each became the pseudonym of its "
                        "digits or text as written, so one person written two such ways has two "
                        "pseudonyms\n", c->prog, s->ids_invalid);
    if (s->dates_blanked)
        fprintf(stderr, "%s: %ld birth dates could not be read as a date and were left empty\n",
                c->prog, s->dates_blanked);
    if (s->dropped[0])
        fprintf(stderr, "%s: left out: %s%s\n", c->prog, s->dropped,
                s->free_text_dropped ? " (keep a free-text column with --keep COLUMN)" : "");
}

int main(int argc, char **argv)
{
    cli c;
    cli_init(&c, "utfall-pseudonymize", usage);
    const char *key_path = NULL, *new_key = NULL;
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"key-file", required_argument, NULL, OPT_KEY},
        {"new-key", required_argument, NULL, OPT_NEW_KEY},
        {"keep", required_argument, NULL, OPT_KEEP},
        {NULL, 0, NULL, 0}};
    const char *keep[32];
    size_t nkeep = 0;
    int opt;
    while ((opt = cli_getopt(&c, argc, argv, CLI_COMMON_SHORT, longopts)) != -1) {
        if (cli_common_option(&c, opt, optarg))
            continue;
        if (opt == OPT_KEY)
            key_path = optarg;
        else if (opt == OPT_NEW_KEY)
            new_key = optarg;
        else if (opt == OPT_KEEP && nkeep < sizeof keep / sizeof *keep)
            keep[nkeep++] = optarg;
        else if (opt == OPT_KEEP)
            return cli_usage_error(&c, "too many --keep options");
        else
            return cli_bad_option(&c);
    }
    utfall_error err;
    utfall_error_clear(&err);
    if (new_key) {
        if (utfall_pseudo_new_key(new_key, &err))
            return cli_report(&c, &err);
        if (!c.quiet)
            fprintf(stderr, "%s: wrote a new key to %s (mode 0600); keep it secret and apart "
                            "from the data\n", c.prog, new_key);
        return 0;
    }
    if (!key_path)
        return cli_usage_error(&c, "--key-file KEY is required (create one with --new-key KEY)");
    if (argc - optind > 1)
        return cli_usage_error(&c, "one input file at a time");
    cli_take_inputs(&c, argc, argv, optind);
    int rc = cli_check_output_path(&c, c.output);
    if (rc)
        return rc;
    unsigned char key[UTFALL_PSEUDO_KEY_BYTES];
    utfall_error warning;
    if (utfall_pseudo_load_key(key_path, key, &warning, &err))
        return cli_report(&c, &err);
    if (warning.code_id != UTFALL_EC_NONE)
        cli_report(&c, &warning);
    cli_output o;
    if ((rc = cli_output_open(&c, c.output, &o)))
        return rc;
    utfall_pseudo_stats stats;
    utfall_pseudo_options po = {c.xopt.csv, utfall_date_today(), keep, nkeep};
    utfall_status st = utfall_pseudonymize_file(c.inputs[0], &po, key, o.fp, &stats, &err);
    memset(key, 0, sizeof key);
    rc = cli_output_close(&c, &o, st == UTFALL_OK);
    if (st)
        return cli_report(&c, &err);
    if (!rc && !c.quiet)
        report_stats(&c, &stats);
    return rc;
}
