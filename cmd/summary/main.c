/* utfall-summary: the participant section of a slutrapport. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "utfall/summary.h"


enum { OPT_PER = OPT_FIRST_COMMAND_OPTION };

static utfall_status compute(utfall_extract *x, void *ctx, utfall_doc *doc, utfall_error *err)
{
    return utfall_summary_compute(x, ctx, doc, err);
}

/* --chart: participants by gender, age band and unit, one panel each. */
static utfall_status chart(cli *c, utfall_doc *doc, void *ctx, utfall_chart *ch, utfall_error *err)
{
    (void)c;
    (void)ctx;
    return utfall_figure_summary(ch, doc, NULL, err);
}

int main(int argc, char **argv)
{
    cli c;
    cli_init(&c, "utfall-summary", "help.summary");
    c.help_common = 1;
    /* the fields it uses: stderr names those without a column */
    c.xopt.wanted_fields = UTFALL_FIELD_BIT(UTFALL_F_KON) | UTFALL_FIELD_BIT(UTFALL_F_FODELSEAR) |
        UTFALL_FIELD_BIT(UTFALL_F_ENHET) | UTFALL_FIELD_BIT(UTFALL_F_AVSLUTAD) |
        UTFALL_FIELD_BIT(UTFALL_F_AVSLUTSORSAK);
    utfall_summary_options so = {NULL, UTFALL_PER_YEAR, c.lang};
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS, {"by", required_argument, NULL, 'b'},
        {"per", required_argument, NULL, OPT_PER}, {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = cli_getopt(&c, argc, argv, CLI_COMMON_SHORT "b:", longopts)) != -1) {
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
    c.chart_fn = chart;
    return cli_run(&c, argc, argv, optind, compute, &so);
}
