/* utfall-hours: change in weekly activity hours. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "utfall/hours.h"

static const char usage[] =
    "Usage: utfall hours [OPTION]... [FILE]...\n"
    "Change in weekly activity hours (timmar_efter - timmar_fore): how many\n"
    "increased, stayed the same and decreased, the mean change with its interval,\n"
    "the median and quartiles, and paired t, Wilcoxon signed-rank and sign tests.\n"
    "Rows without both hours are counted as missing, never dropped silently.\n"
    "\n"
    "  -b, --by COL[,COL]     one row per group, then the total\n"
    "      --tolerance H      changes of at most H hours count as unchanged (0)\n"
    "      --level L          confidence level (default 0.95)\n"
    "  -f, --format FMT       table, tsv, csv, json, md, xlsx\n"
    "  -o, --output FILE, --lang sv|en, -d, --delimiter C, --encoding ENC,\n"
    "      --map FIELD=HEADER, --outcome-map FILE, --skip-bad, --rejects FILE,\n"
    "  -q, --quiet            as in utfall-summary(1)\n"
    "  -h, --help, -V, --version\n"
    "\n"
    "Exit status: 0 ok, 1 data error, 2 usage error, 3 personal identity number\n"
    "found, 4 input/output error.  See utfall-hours(1).\n";

enum { OPT_TOLERANCE = OPT_FIRST_COMMAND_OPTION, OPT_LEVEL };

static utfall_status compute(utfall_extract *x, void *ctx, utfall_doc *doc, utfall_error *err)
{
    return utfall_hours_compute(x, ctx, doc, err);
}

int main(int argc, char **argv)
{
    cli c;
    cli_init(&c, "utfall-hours", usage, argc, argv);
    utfall_hours_options ho;
    utfall_hours_options_init(&ho);
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"by", required_argument, NULL, 'b'},
        {"tolerance", required_argument, NULL, OPT_TOLERANCE},
        {"level", required_argument, NULL, OPT_LEVEL},
        {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "b:", longopts, NULL)) != -1) {
        if (cli_common_option(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'b':
            ho.by = optarg;
            break;
        case OPT_TOLERANCE:
            if (utfall_number_parse(optarg, &ho.tolerance) || ho.tolerance < 0)
                return cli_usage_error(&c, "--tolerance takes hours >= 0, not '%s'", optarg);
            break;
        case OPT_LEVEL:
            ho.level = cli_level_option(&c, optarg);
            break;
        default:
            return cli_bad_option(&c);
        }
    }
    ho.lang = c.lang;
    return cli_run(&c, argc, argv, optind, compute, &ho);
}
