/* The standard figures, shared by the commands' --chart and the report. */
#include "utfall/figures.h"

#include <stdio.h>
#include <string.h>

/* The key a table has in the document: the report's prefix and the
 * computation's own key, cut as the report cuts it. */
static const char *table_key(const char *prefix, const char *key, char *buf, size_t size)
{
    if (!prefix)
        return key;
    snprintf(buf, size, "%s_%s", prefix, key);
    if (size > 31)
        buf[31] = '\0';
    return buf;
}

static utfall_table *find(utfall_doc *doc, const char *prefix, const char *key)
{
    char buf[64];
    return utfall_doc_table(doc, table_key(prefix, key, buf, sizeof buf));
}

static utfall_status add(utfall_chart *c, utfall_doc *doc, const char *prefix, const char *key,
                         const utfall_chart_columns *cols, const utfall_chart_panel_options *po,
                         utfall_error *err)
{
    utfall_table *t = find(doc, prefix, key);
    if (!t)
        return utfall_error_set(err, UTFALL_ERR_INTERNAL, UTFALL_EC_CHART_NO_TABLE,
                                "no table '%s' to draw", key);
    return utfall_chart_add_table(c, t, cols, po, err);
}

/* The title (replacing any earlier one) and the notes of a table: the
 * definitions a figure carries when it draws from another table. */
static void describe(utfall_doc *doc, const char *prefix, utfall_chart *c, const char *key)
{
    utfall_table *t = find(doc, prefix, key);
    if (!t)
        return;
    if (utfall_table_title(t))
        utfall_chart_set_title(c, utfall_table_title(t));
    for (int i = 0; i < utfall_table_nnotes(t); i++)
        utfall_chart_add_note(c, utfall_table_note(t, i));
}

enum scale { COUNTS, PERCENT };

static utfall_chart_panel_options panel_options(utfall_chart_kind kind, enum scale scale)
{
    utfall_chart_panel_options po;
    utfall_chart_panel_options_init(&po);
    po.kind = kind;
    po.percent = scale == PERCENT;
    return po;
}

utfall_status utfall_figure_summary(utfall_chart *c, utfall_doc *doc, const char *prefix,
                                    utfall_error *err)
{
    describe(doc, prefix, c, "rows"); /* "Deltagare", what is counted, rows read */
    utfall_chart_columns cols = {.y = "share", .n = "enrolled"};
    utfall_chart_panel_options po = panel_options(UTFALL_CHART_HBAR, PERCENT);
    po.skip_total = 1;
    po.xlabel = po.ylabel = "";
    char buf[64];
    const char *by = table_key(prefix, "by_", buf, sizeof buf);
    for (int i = 0; i < utfall_doc_ntables(doc); i++) {
        utfall_table *t = utfall_doc_table_at(doc, i);
        if (strncmp(utfall_table_key(t), by, strlen(by)))
            continue;
        utfall_status st = utfall_chart_add_table(c, t, &cols, &po, err);
        if (st)
            return st;
    }
    return UTFALL_OK;
}

utfall_status utfall_figure_goal(utfall_chart *c, utfall_doc *doc, const char *prefix,
                                 double target, utfall_lang lang, utfall_error *err)
{
    utfall_chart_columns cols = {.y = "share", .lo = "ci_low", .hi = "ci_high", .n = "n"};
    utfall_chart_panel_options po = panel_options(UTFALL_CHART_BAR, PERCENT);
    po.target = target;
    utfall_status st = add(c, doc, prefix, "rows", &cols, &po, err);
    /* about the table's columns met, p and needed, which the figure does not show */
    utfall_chart_remove_note(c, utfall_tr(lang, "note.goal.target"));
    return st;
}

utfall_status utfall_figure_split(utfall_chart *c, utfall_doc *doc, const char *prefix,
                                  utfall_error *err)
{
    utfall_table *t = find(doc, prefix, "rows");
    int outcome = -1; /* the last group column holds the outcome */
    for (int k = 0; t && k < utfall_table_ncols(t); k++)
        if (utfall_table_column_type(t, k) == UTFALL_COL_GROUP)
            outcome = k;
    utfall_chart_columns cols = {.group = t ? utfall_table_column_key(t, outcome) : NULL,
                                 .y = "share", .n = "n"};
    utfall_chart_panel_options po = panel_options(UTFALL_CHART_STACKED, PERCENT);
    describe(doc, prefix, c, "crosstab"); /* its title and the tests' notes */
    return add(c, doc, prefix, "rows", &cols, &po, err);
}

utfall_status utfall_figure_hours(utfall_chart *c, utfall_doc *doc, const char *prefix,
                                  utfall_lang lang, utfall_error *err)
{
    static const char *const dir[] = {"decreased", "unchanged", "increased", NULL};
    utfall_chart_columns cols = {.n = "n", .series_columns = dir};
    utfall_chart_panel_options po = panel_options(UTFALL_CHART_DIVERGING, PERCENT);
    po.ylabel = utfall_tr(lang, "col.share");
    utfall_status st = add(c, doc, prefix, "rows", &cols, &po, err);
    if (st)
        return st;
    /* a histogram with a bin hidden would be drawn with a gap that looks
     * like nobody: it is left out, and the figure says why */
    utfall_table *hist = find(doc, prefix, "change_histogram");
    for (int r = 0; hist && r < utfall_table_nrows(hist); r++)
        if (utfall_table_is_suppressed(hist, r, utfall_table_column_index(hist, "count"))) {
            utfall_chart_add_note(c, utfall_tr(lang, "chart.histogram_hidden"));
            return UTFALL_OK;
        }
    utfall_chart_columns hc = {.x = "change_from", .hi = "change_to", .y = "count"};
    po = panel_options(UTFALL_CHART_HISTOGRAM, COUNTS);
    po.title = utfall_tr(lang, "chart.hours_histogram");
    po.xlabel = utfall_tr(lang, "chart.change");
    po.marker = 0;
    return add(c, doc, prefix, "change_histogram", &hc, &po, err);
}

utfall_status utfall_figure_horizon(utfall_chart *c, utfall_doc *doc, const char *prefix,
                                    int horizon, utfall_lang lang, utfall_error *err)
{
    char mark[64], num[16];
    snprintf(num, sizeof num, "%d", horizon);
    snprintf(mark, sizeof mark, utfall_tr(lang, "chart.horizon_marker"), num);
    utfall_chart_columns cols = {.x = "month", .y = "share", .lo = "ci_low", .hi = "ci_high"};
    utfall_chart_panel_options po = panel_options(UTFALL_CHART_LINE, PERCENT);
    po.marker = horizon;
    po.marker_label = mark;
    po.title = ""; /* the curve's title is the figure's */
    describe(doc, prefix, c, "rows");  /* the definitions */
    describe(doc, prefix, c, "curve"); /* and the curve's title */
    return add(c, doc, prefix, "curve", &cols, &po, err);
}
