/* utfall-pseudonymize: personal identity numbers → keyed pseudonyms. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "utfall/pseudo.h"

static const char usage[] =
    "Usage: utfall pseudonymize --key-file KEY [OPTION]... [FILE]\n"
    "       utfall pseudonymize --new-key KEY\n"
    "Turn a list with personnummer into an extract utfall accepts: every Swedish\n"
    "personal identity or coordination number in any field is replaced by a keyed\n"
    "pseudonym (HMAC-SHA-256, \"P-\" and 20 hex digits; the same number gives the\n"
    "same pseudonym with the same key, in every file), and birth-date columns\n"
    "(fodelsedatum, birth_date) keep only the year.  The delimiter is kept.\n"
    "\n"
    "      --key-file KEY     the secret key (keep it away from the extracts)\n"
    "      --new-key KEY      create a new random key file with mode 0600\n"
    "  -o, --output FILE      write to FILE (atomically) instead of stdout\n"
    "  -d, --delimiter C      input delimiter , ; | or tab (default: detect)\n"
    "      --encoding ENC     auto, utf-8 or windows-1252\n"
    "  -q, --quiet            no summary on stderr\n"
    "  -h, --help, -V, --version\n"
    "\n"
    "Exit status: 0 ok, 1 data error, 2 usage error, 4 input/output error.\n";

enum { OPT_KEY = OPT_FIRST_COMMAND_OPTION, OPT_NEW_KEY };

int main(int argc, char **argv)
{
    cli c;
    cli_init(&c, "utfall-pseudonymize", usage);
    const char *key_path = NULL, *new_key = NULL;
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"key-file", required_argument, NULL, OPT_KEY},
        {"new-key", required_argument, NULL, OPT_NEW_KEY},
        {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = cli_getopt(&c, argc, argv, CLI_COMMON_SHORT, longopts)) != -1) {
        if (cli_common_option(&c, opt, optarg))
            continue;
        if (opt == OPT_KEY)
            key_path = optarg;
        else if (opt == OPT_NEW_KEY)
            new_key = optarg;
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
    if (utfall_pseudo_load_key(key_path, key, &err))
        return cli_report(&c, &err);
    cli_output o;
    if ((rc = cli_output_open(&c, c.output, &o)))
        return rc;
    utfall_pseudo_stats stats;
    utfall_status st = utfall_pseudonymize_file(c.inputs[0], &c.xopt.csv, key,
                                                utfall_date_today(), o.fp, &stats, &err);
    memset(key, 0, sizeof key);
    rc = cli_output_close(&c, &o, st == UTFALL_OK);
    if (st)
        return cli_report(&c, &err);
    if (!rc && !c.quiet)
        fprintf(stderr, "%s: %ld rows; %ld identity numbers replaced; %ld birth dates reduced "
                        "to the year; %ld identifying columns left out\n", c.prog, stats.rows,
                stats.replaced, stats.dates_reduced, stats.columns_dropped);
    return rc;
}
