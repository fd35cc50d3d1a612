/* utfall-chart: draw a TSV (another utfall command's output, or any
 * tool's) as a report-ready chart. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"


enum {
    OPT_LO = OPT_FIRST_COMMAND_OPTION,
    OPT_HI,
    OPT_TARGET,
    OPT_MARKER,
    OPT_MARKER_LABEL,
    OPT_TITLE,
    OPT_SUBTITLE,
    OPT_XLABEL,
    OPT_YLABEL,
    OPT_NOTE,
    OPT_NO_TOTAL_ROW
};

int main(int argc, char **argv)
{
    cli c;
    cli_init(&c, "utfall-chart", "help.chart");
    utfall_chart_columns cols = {0};
    utfall_chart_panel_options po;
    utfall_chart_panel_options_init(&po);
    po.auto_percent = 1;
    const char *title = NULL, *subtitle = NULL, *note = NULL, *target = NULL;
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"output", required_argument, NULL, 'o'},
        {"lang", required_argument, NULL, OPT_LANG},
        {"delimiter", required_argument, NULL, 'd'},
        {"size", required_argument, NULL, OPT_SIZE},
        {"dpi", required_argument, NULL, OPT_DPI},
        {"type", required_argument, NULL, 't'},
        {"x", required_argument, NULL, 'x'},
        {"y", required_argument, NULL, 'y'},
        {"group", required_argument, NULL, 'g'},
        {"lo", required_argument, NULL, OPT_LO},
        {"hi", required_argument, NULL, OPT_HI},
        {"n", required_argument, NULL, 'n'},
        {"target", required_argument, NULL, OPT_TARGET},
        {"marker", required_argument, NULL, OPT_MARKER},
        {"marker-label", required_argument, NULL, OPT_MARKER_LABEL},
        {"percent", no_argument, NULL, 'p'},
        {"no-total", no_argument, NULL, OPT_NO_TOTAL_ROW},
        {"title", required_argument, NULL, OPT_TITLE},
        {"subtitle", required_argument, NULL, OPT_SUBTITLE},
        {"xlabel", required_argument, NULL, OPT_XLABEL},
        {"ylabel", required_argument, NULL, OPT_YLABEL},
        {"note", required_argument, NULL, OPT_NOTE},
        {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = cli_getopt(&c, argc, argv, "hVo:d:t:x:y:g:n:p", longopts)) != -1) {
        if (opt != 'o' && cli_common_option(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'o':
            if (utfall_chart_format_from_path(optarg, &c.chart_out.format))
                return cli_usage_error(&c, "%s: unknown chart format (the file name must end "
                                           "in .pdf, .png or .svg)", optarg);
            c.output = optarg;
            break;
        case 't':
            if (utfall_chart_kind_parse(optarg, &po.kind))
                return cli_usage_error(&c, "unknown chart type '%s' (accepted: bar, hbar, "
                                           "grouped, stacked, diverging, line, histogram, "
                                           "forest)",
                                       optarg);
            break;
        case 'x': cols.x = optarg; break;
        case 'y': cols.y = optarg; break;
        case 'g': cols.group = optarg; break;
        case OPT_LO: cols.lo = optarg; break;
        case OPT_HI: cols.hi = optarg; break;
        case 'n': cols.n = optarg; break;
        case 'p': po.percent = 1; break;
        case OPT_NO_TOTAL_ROW: po.skip_total = 1; break;
        case OPT_TARGET: target = optarg; break;
        case OPT_MARKER:
            if (utfall_number_parse(optarg, &po.marker))
                return cli_usage_error(&c, "--marker takes a number, not '%s'", optarg);
            break;
        case OPT_MARKER_LABEL: po.marker_label = optarg; break;
        case OPT_TITLE: title = optarg; break;
        case OPT_SUBTITLE: subtitle = optarg; break;
        case OPT_XLABEL: po.xlabel = optarg; break;
        case OPT_YLABEL: po.ylabel = optarg; break;
        case OPT_NOTE: note = optarg; break;
        default:
            return cli_bad_option(&c);
        }
    }
    if (!c.output)
        return cli_usage_error(&c, "no chart file: give -o FILE.pdf, FILE.png or FILE.svg");
    if (argc - optind > 1)
        return cli_usage_error(&c, "one input at a time (got %d)", argc - optind);
    if (target) {
        double v;
        int share = po.percent || strchr(target, '%');
        if (share ? cli_parse_share(target, &v) : utfall_number_parse(target, &v))
            return cli_usage_error(&c, share ? "--target takes a share such as 35%%, 35 or "
                                               "0.35, not '%s'"
                                             : "--target takes a number, not '%s'",
                                   target);
        po.target = v;
    }
    if ((po.kind == UTFALL_CHART_GROUPED || po.kind == UTFALL_CHART_STACKED
         || po.kind == UTFALL_CHART_DIVERGING)
        && !cols.group && !(cols.y && strchr(cols.y, ',')))
        return cli_usage_error(&c, "--type %s needs --group COL or --y COL,COL,... (the series)",
                               po.kind == UTFALL_CHART_GROUPED   ? "grouped"
                               : po.kind == UTFALL_CHART_STACKED ? "stacked"
                                                                 : "diverging");
    if (!cols.y && po.kind != UTFALL_CHART_HISTOGRAM)
        return cli_usage_error(&c, "which column holds the values? Give --y COL");
    /* --y a,b,c: a wide table, each column a series */
    char ylist[1024];
    const char *series[33] = {NULL};
    if (cols.y && strchr(cols.y, ',')) {
        snprintf(ylist, sizeof ylist, "%s", cols.y);
        size_t k = 0;
        for (char *tok = strtok(ylist, ","); tok && k < 32; tok = strtok(NULL, ","))
            series[k++] = tok;
        cols.series_columns = series;
        cols.y = NULL;
    }
    cli_take_inputs(&c, argc, argv, optind);
    int rc = cli_check_output_path(&c, c.output);
    if (rc)
        return rc;
    utfall_chart *chart = utfall_chart_new(c.lang);
    if (!chart)
        return UTFALL_ERR_NOMEM;
    utfall_chart_set_title(chart, title);
    utfall_chart_set_subtitle(chart, subtitle);
    utfall_chart_add_note(chart, note);
    utfall_error err;
    utfall_error_clear(&err);
    utfall_status st = utfall_chart_read(chart, c.inputs[0], c.xopt.csv.delimiter, &cols, &po,
                                         &err);
    rc = st ? cli_report(&c, &err) : cli_chart_write(&c, chart, c.output);
    utfall_chart_free(chart);
    utfall_chart_release_fonts();
    return rc;
}
