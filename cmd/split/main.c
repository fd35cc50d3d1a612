/* utfall-split: crosstab of outcomes by group, with tests. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "utfall/split.h"


enum { OPT_OUTCOME = OPT_FIRST_COMMAND_OPTION, OPT_BASE, OPT_LEVEL };

static utfall_status compute(utfall_extract *x, void *ctx, utfall_doc *doc, utfall_error *err)
{
    return utfall_split_compute(x, ctx, doc, err);
}

/* --chart: 100 % stacked outcomes per group. */
static utfall_status chart(cli *c, utfall_doc *doc, void *ctx, utfall_chart *ch, utfall_error *err)
{
    (void)c;
    (void)ctx;
    return utfall_figure_split(ch, doc, NULL, err);
}

int main(int argc, char **argv)
{
    cli c;
    cli_init(&c, "utfall-split", "help.split");
    c.help_common = 1;
    /* the fields it uses: stderr names those without a column */
    c.xopt.wanted_fields = UTFALL_FIELD_BIT(UTFALL_F_AVSLUTAD) |
        UTFALL_FIELD_BIT(UTFALL_F_AVSLUTSORSAK);
    utfall_split_options so;
    utfall_split_options_init(&so);
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"by", required_argument, NULL, 'b'},
        {"outcome", required_argument, NULL, OPT_OUTCOME},
        {"success", required_argument, NULL, 's'},
        {"base", required_argument, NULL, OPT_BASE},
        {"level", required_argument, NULL, OPT_LEVEL},
        {NULL, 0, NULL, 0}};
    int opt;
    utfall_error err;
    utfall_error_clear(&err);
    while ((opt = cli_getopt(&c, argc, argv, CLI_COMMON_SHORT "b:s:", longopts)) != -1) {
        if (cli_common_option(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'b':
            so.by = optarg;
            break;
        case OPT_OUTCOME:
            so.outcome = optarg;
            break;
        case 's':
            if (utfall_outcome_set_parse(optarg, &so.success, &err))
                return cli_usage_error(&c, "--success: %s", cli_text(&c, &err));
            break;
        case OPT_BASE: {
            long unused;
            so.base = (utfall_base)cli_base_option(&c, optarg, 0, &unused);
            break;
        }
        case OPT_LEVEL:
            so.level = cli_level_option(&c, optarg);
            break;
        default:
            return cli_bad_option(&c);
        }
    }
    so.lang = c.lang;
    c.chart_fn = chart;
    return cli_run(&c, argc, argv, optind, compute, &so);
}
