/* utfall-goal: goal attainment against the project's target. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "utfall/goal.h"


enum { OPT_BASE = OPT_FIRST_COMMAND_OPTION, OPT_UNIT, OPT_CI, OPT_LEVEL };

static utfall_status compute(utfall_extract *x, void *ctx, utfall_doc *doc, utfall_error *err)
{
    return utfall_goal_compute(x, ctx, doc, err);
}

/* --chart: the share per group with its interval, against the target. */
static utfall_status chart(cli *c, utfall_doc *doc, void *ctx, utfall_chart *ch, utfall_error *err)
{
    const utfall_goal_options *go = ctx;
    return utfall_figure_goal(ch, doc, NULL, go->target, c->lang, err);
}

int main(int argc, char **argv)
{
    cli c;
    cli_init(&c, "utfall-goal", "help.goal");
    c.help_common = 1;
    /* the fields it uses: stderr names those without a column */
    c.xopt.wanted_fields = UTFALL_FIELD_BIT(UTFALL_F_AVSLUTAD) |
        UTFALL_FIELD_BIT(UTFALL_F_AVSLUTSORSAK);
    utfall_goal_options go;
    utfall_goal_options_init(&go);
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"success", required_argument, NULL, 's'},
        {"base", required_argument, NULL, OPT_BASE},
        {"target", required_argument, NULL, 't'},
        {"by", required_argument, NULL, 'b'},
        {"unit", required_argument, NULL, OPT_UNIT},
        {"ci", required_argument, NULL, OPT_CI},
        {"level", required_argument, NULL, OPT_LEVEL},
        {NULL, 0, NULL, 0}};
    int opt;
    utfall_error err;
    utfall_error_clear(&err);
    while ((opt = cli_getopt(&c, argc, argv, CLI_COMMON_SHORT "s:t:b:", longopts)) != -1) {
        if (cli_common_option(&c, opt, optarg))
            continue;
        switch (opt) {
        case 's':
            if (utfall_outcome_set_parse(optarg, &go.success, &err))
                return cli_usage_error(&c, "--success: %s", cli_text(&c, &err));
            break;
        case OPT_BASE:
            go.base = (utfall_base)cli_base_option(&c, optarg, 1, &go.fixed_base);
            break;
        case 't':
            if (cli_parse_share(optarg, &go.target))
                return cli_usage_error(&c, "--target takes a share such as 35%%, 35 or 0.35, "
                                           "not '%s'", optarg);
            break;
        case 'b':
            go.by = optarg;
            break;
        case OPT_UNIT:
            if (!strcmp(optarg, "episodes") || !strcmp(optarg, "inskrivningar"))
                go.unit = UTFALL_UNIT_EPISODES;
            else if (!strcmp(optarg, "persons") || !strcmp(optarg, "personer"))
                go.unit = UTFALL_UNIT_PERSONS;
            else
                return cli_usage_error(&c, "--unit takes episodes or persons, not '%s'", optarg);
            break;
        case OPT_CI:
            if (utfall_prop_ci_method_parse(optarg, &go.ci))
                return cli_usage_error(&c, "--ci takes wilson, exact, agresti-coull or "
                                           "jeffreys, not '%s'", optarg);
            break;
        case OPT_LEVEL:
            go.level = cli_level_option(&c, optarg);
            break;
        default:
            return cli_bad_option(&c);
        }
    }
    go.lang = c.lang;
    c.chart_fn = chart;
    return cli_run(&c, argc, argv, optind, compute, &go);
}
