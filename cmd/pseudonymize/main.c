/* utfall-pseudonymize: personal identity numbers → keyed pseudonyms. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "utfall/pseudo.h"


enum { OPT_KEY = OPT_FIRST_COMMAND_OPTION, OPT_NEW_KEY, OPT_KEEP };

/* What was done, on stderr: the counts, then what a reader of the output
 * must know (values that stay two pseudonyms for one person, dates left
 * empty, the columns left out). */
static void report_stats(const cli *c, const utfall_pseudo_stats *s)
{
    cli_say(c, "%ld rows; %ld identity numbers replaced; %ld birth dates reduced to the year; "
               "%ld identifying columns left out; %ld free-text columns left out",
            s->rows, s->replaced, s->dates_reduced, s->columns_dropped, s->free_text_dropped);
    if (s->ids_invalid)
        cli_say(c, "%ld identity values are no valid identity number (a wrong check digit or "
                   "date, or no number at all): each became the pseudonym of its digits or "
                   "text as written, so one person written two such ways has two pseudonyms",
                s->ids_invalid);
    if (s->dates_blanked)
        cli_say(c, "%ld birth dates could not be read as a date and were left empty",
                s->dates_blanked);
    if (s->dropped[0] && s->free_text_dropped)
        cli_say(c, "left out: %s (keep a free-text column with --keep COLUMN)", s->dropped);
    else if (s->dropped[0])
        cli_say(c, "left out: %s", s->dropped);
}

int main(int argc, char **argv)
{
    cli c;
    cli_init(&c, "utfall-pseudonymize", "help.pseudonymize");
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
            cli_say(&c, "wrote a new key to %s (mode 0600); keep it secret and apart from the "
                        "data", new_key);
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
