/* utfall-hours: change in weekly activity hours. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "utfall/hours.h"


enum { OPT_TOLERANCE = OPT_FIRST_COMMAND_OPTION, OPT_LEVEL };

static utfall_status compute(utfall_extract *x, void *ctx, utfall_doc *doc, utfall_error *err)
{
    return utfall_hours_compute(x, ctx, doc, err);
}

/* --chart: increased/unchanged/decreased per group, and the distribution
 * of the change. */
static utfall_status chart(cli *c, utfall_doc *doc, void *ctx, utfall_chart *ch, utfall_error *err)
{
    (void)ctx;
    return utfall_figure_hours(ch, doc, NULL, c->lang, err);
}

int main(int argc, char **argv)
{
    cli c;
    cli_init(&c, "utfall-hours", "help.hours");
    c.help_common = 1;
    /* the fields it uses: stderr names those without a column */
    c.xopt.wanted_fields = UTFALL_FIELD_BIT(UTFALL_F_TIMMAR_FORE) |
        UTFALL_FIELD_BIT(UTFALL_F_TIMMAR_EFTER);
    utfall_hours_options ho;
    utfall_hours_options_init(&ho);
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"by", required_argument, NULL, 'b'},
        {"tolerance", required_argument, NULL, OPT_TOLERANCE},
        {"level", required_argument, NULL, OPT_LEVEL},
        {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = cli_getopt(&c, argc, argv, CLI_COMMON_SHORT "b:", longopts)) != -1) {
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
    c.chart_fn = chart;
    return cli_run(&c, argc, argv, optind, compute, &ho);
}
