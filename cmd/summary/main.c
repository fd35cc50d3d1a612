/* utfall-summary: the participant section of a slutrapport. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "utfall/summary.h"

static const char usage[] =
    "Usage: utfall summary [OPTION]... [FILE]...\n"
    "The participant section of a final report: enrolled, active and exited\n"
    "participants, splits by gender, age band and unit, exit outcomes, days in\n"
    "programme and enrolments per period.  FILE '-' or none reads stdin.\n"
    "\n"
    "  -b, --by COL[,COL]     split columns (default kon,aldersgrupp,enhet)\n"
    "      --per PERIOD       enrolments per year, quarter or month (default year)\n"
    "  -f, --format FMT       table, tsv, csv, json, md, xlsx (default: table on\n"
    "                         a terminal, tsv otherwise)\n"
    "  -o, --output FILE      write to FILE (format from its extension)\n"
    "      --section NAME     with tsv/csv: which table (rows, by_kon, outcomes, …)\n"
    "      --lang sv|en       language of human output (default from LANG)\n"
    "  -d, --delimiter C      input delimiter , ; | or tab (default: detect)\n"
    "      --encoding ENC     auto, utf-8 or windows-1252 (default auto)\n"
    "      --map FIELD=HEADER use the column HEADER as canonical FIELD\n"
    "      --outcome-map FILE map exit outcomes as written to canonical ones\n"
    "      --skip-bad         skip rows with errors (counted) instead of stopping\n"
    "      --rejects FILE     write skipped rows to FILE (implies --skip-bad)\n"
    "  -q, --quiet            no warnings\n"
    "  -h, --help             this help;  -V, --version  version\n"
    "\n"
    "Exit status: 0 ok, 1 data error, 2 usage error, 3 personal identity number\n"
    "found, 4 input/output error.  See utfall-summary(1).\n";

enum { OPT_PER = OPT_FIRST_COMMAND_OPTION };

static utfall_status compute(utfall_extract *x, void *ctx, utfall_doc *doc, utfall_error *err)
{
    return utfall_summary_compute(x, ctx, doc, err);
}

int main(int argc, char **argv)
{
    cli c;
    cli_init(&c, "utfall-summary", usage, argc, argv);
    utfall_summary_options so = {NULL, UTFALL_PER_YEAR, c.lang};
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS, {"by", required_argument, NULL, 'b'},
        {"per", required_argument, NULL, OPT_PER}, {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "b:", longopts, NULL)) != -1) {
        if (cli_common_option(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'b':
            so.by = optarg;
            break;
        case OPT_PER:
            if (!strcmp(optarg, "year") || !strcmp(optarg, "ar") || !strcmp(optarg, "år"))
                so.per = UTFALL_PER_YEAR;
            else if (!strcmp(optarg, "quarter") || !strcmp(optarg, "kvartal"))
                so.per = UTFALL_PER_QUARTER;
            else if (!strcmp(optarg, "month") || !strcmp(optarg, "manad") || !strcmp(optarg, "månad"))
                so.per = UTFALL_PER_MONTH;
            else
                return cli_usage_error(&c, "--per takes year, quarter or month, not '%s'", optarg);
            break;
        default:
            return cli_bad_option(&c);
        }
    }
    so.lang = c.lang;
    return cli_run(&c, argc, argv, optind, compute, &so);
}
