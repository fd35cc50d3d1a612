/* utfall-horizon: outcome N months after each participant's start. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "utfall/horizon.h"


enum {
    OPT_SPELLS = OPT_FIRST_COMMAND_OPTION,
    OPT_STATUS_MAP,
    OPT_MONTHS,
    OPT_STRATA,
    OPT_REF,
    OPT_FOLLOWED,
    OPT_CURVE,
    OPT_KM,
    OPT_LEVEL,
    OPT_ADJUST,
    OPT_CLUSTER,
    OPT_COMPETING,
    OPT_COX,
    OPT_UNIT
};

static cli *the_cli;

static utfall_status compute(utfall_extract *x, void *ctx, utfall_doc *doc, utfall_error *err)
{
    utfall_horizon_options *ho = ctx;
    ho->rejects = the_cli->xopt.rejects; /* opened with the extract */
    return utfall_horizon_compute(x, ho, doc, err);
}

/* --chart: the share in success by month per group, with interval bands
 * and a marker at the horizon (the --curve data); with several
 * comparisons (groups, horizons) also their forest plots.  With --strata
 * and --ref only the forest plots: a curve per group and stratum is too
 * many lines to read. */
static utfall_status chart(cli *c, utfall_doc *doc, void *ctx, utfall_chart *ch, utfall_error *err)
{
    const utfall_horizon_options *ho = ctx;
    int h = 0;
    for (size_t i = 0; i < ho->nmonths; i++)
        h = ho->months[i] > h ? ho->months[i] : h;
    utfall_status st = UTFALL_OK;
    if (!(ho->strata && *ho->strata && ho->ref))
        st = utfall_figure_horizon(ch, doc, NULL, h, c->lang, err);
    return st ? st : utfall_figure_horizon_forest(ch, doc, NULL, c->lang, err);
}

int main(int argc, char **argv)
{
    cli c;
    cli_init(&c, "utfall-horizon", "help.horizon");
    c.help_common = 1;
    /* the fields it uses: stderr names those without a column */
    c.xopt.wanted_fields = UTFALL_FIELD_BIT(UTFALL_F_INSATS);
    utfall_horizon_options ho;
    utfall_horizon_options_init(&ho);
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"spells", required_argument, NULL, OPT_SPELLS},
        {"status-map", required_argument, NULL, OPT_STATUS_MAP},
        {"months", required_argument, NULL, OPT_MONTHS},
        {"by", required_argument, NULL, 'b'},
        {"strata", required_argument, NULL, OPT_STRATA},
        {"ref", required_argument, NULL, OPT_REF},
        {"success", required_argument, NULL, 's'},
        {"followed-until", required_argument, NULL, OPT_FOLLOWED},
        {"curve", no_argument, NULL, OPT_CURVE},
        {"km", no_argument, NULL, OPT_KM},
        {"level", required_argument, NULL, OPT_LEVEL},
        {"adjust", required_argument, NULL, OPT_ADJUST},
        {"cluster", required_argument, NULL, OPT_CLUSTER},
        {"competing", optional_argument, NULL, OPT_COMPETING},
        {"cox", no_argument, NULL, OPT_COX},
        {"unit", required_argument, NULL, OPT_UNIT},
        {NULL, 0, NULL, 0}};
    int opt;
    utfall_error err;
    utfall_error_clear(&err);
    while ((opt = cli_getopt(&c, argc, argv, CLI_COMMON_SHORT "b:s:", longopts)) != -1) {
        if (cli_common_option(&c, opt, optarg))
            continue;
        switch (opt) {
        case OPT_SPELLS:
            if (cli_add_spells(&c, optarg))
                return UTFALL_ERR_USAGE;
            break;
        case OPT_STATUS_MAP:
            ho.status_map_path = optarg;
            break;
        case OPT_MONTHS:
            if (utfall_horizon_parse_months(optarg, &ho, &err))
                return cli_usage_error(&c, "%s", cli_text(&c, &err));
            break;
        case 'b':
            ho.by = optarg;
            break;
        case OPT_STRATA:
            ho.strata = optarg;
            break;
        case OPT_REF:
            ho.ref = optarg;
            break;
        case 's':
            if (utfall_outcome_set_parse(optarg, &ho.success, &err))
                return cli_usage_error(&c, "--success: %s", cli_text(&c, &err));
            break;
        case OPT_FOLLOWED:
            if (utfall_date_parse(optarg, &ho.followed_until))
                return cli_usage_error(&c, "--followed-until takes a date such as 2016-12-31, "
                                           "not '%s'", optarg);
            break;
        case OPT_CURVE:
            ho.curve = 1;
            break;
        case OPT_KM:
            ho.km = 1;
            break;
        case OPT_ADJUST:
            ho.adjust = optarg;
            break;
        case OPT_CLUSTER:
            ho.cluster = optarg;
            break;
        case OPT_COMPETING:
            ho.competing = 1;
            if (optarg && utfall_outcome_set_parse(optarg, &ho.competing_set, &err))
                return cli_usage_error(&c, "--competing: %s", err.text);
            break;
        case OPT_COX:
            ho.cox = 1;
            break;
        case OPT_UNIT:
            /* one row per participant (an id twice is a data error): the
             * unit is the person, there are no episodes to count */
            if (strcmp(optarg, "persons"))
                return cli_usage_error(&c, "--unit: horizon counts persons (one row per "
                                           "participant, an id given twice is an error); "
                                           "'%s' does not apply", optarg);
            break;
        case OPT_LEVEL:
            ho.level = cli_level_option(&c, optarg);
            break;
        default:
            return cli_bad_option(&c);
        }
    }
    if (!c.nspells)
        return cli_usage_error(&c, "--spells FILE is required");
    ho.spells_paths = c.spells;
    ho.nspells = c.nspells;
    ho.spells_path = c.spells[0];
    ho.spells_dates = c.date_style;
    ho.max_rejected = c.xopt.max_rejected;
    if (ho.status_map_path && cli_apply_map_labels(&c, ho.status_map_path))
        return cli_finish(&c, UTFALL_ERR_DATA);
    for (size_t k = 0; k < c.nspells; k++)
        if (!strcmp(c.spells[k], "-")) {
            int extract_stdin = optind >= argc;
            for (int i = optind; i < argc; i++)
                extract_stdin |= !strcmp(argv[i], "-");
            if (extract_stdin)
                return cli_usage_error(&c, "the extract and --spells cannot both be read from "
                                           "standard input: give one of them as a file");
        }
    ho.lang = c.lang;
    ho.spells_csv = c.xopt.csv;
    ho.skip_bad = c.xopt.skip_bad;
    ho.diag = c.xopt.diag;
    ho.diag_ctx = c.xopt.diag_ctx;
    c.chart_fn = chart;
    the_cli = &c;
    if (c.chart_path && !(ho.strata && *ho.strata && ho.ref))
        ho.curve = 1; /* the figure draws the curve */
    return cli_run(&c, argc, argv, optind, compute, &ho);
}
