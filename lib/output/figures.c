/* The standard figures, shared by the commands' --chart and the report. */
#include "utfall/figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- forest plots of horizon's comparisons -------------------------------- */

struct forest_row {
    char label[320];
    char group[96]; /* the compared group: rows of one group stay together */
    int source;     /* the table's place among the sources: strata, pooled, adjusted */
    size_t seq;
    double y, lo, hi;
    int pooled;     /* over the strata, or adjusted: drawn as a summary */
};

struct forest {
    struct forest_row *r;
    size_t n, cap;
};

static int cmp_forest_row(const void *a, const void *b)
{
    const struct forest_row *x = a, *y = b;
    int c = strcmp(x->group, y->group);
    if (c)
        return c;
    if (x->source != y->source)
        return x->source < y->source ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int several_months(const utfall_table *t, int month)
{
    for (int r = 1; month >= 0 && r < utfall_table_nrows(t); r++)
        if (utfall_table_num(t, r, month) != utfall_table_num(t, 0, month))
            return 1;
    return 0;
}

/* The label: the group's values as people read them, "– ref" and what
 * follows ("Borås", "all strata (MH)", "month 15"). */
static void forest_label(const utfall_table *t, int r, const char *what, int with_month,
                         utfall_lang lang, struct forest_row *fr)
{
    char cell[96], tmp[64];
    size_t len = 0;
    int month = utfall_table_column_index(t, "month");
    fr->label[0] = '\0';
    for (int c = 0; c < utfall_table_ncols(t); c++) {
        if (utfall_table_column_type(t, c) != UTFALL_COL_GROUP)
            continue;
        utfall_table_format_cell(t, r, c, lang, cell, sizeof cell);
        if (len == 0) {
            const char *ref = utfall_table_text(t, r, utfall_table_column_index(t, "ref"));
            snprintf(fr->group, sizeof fr->group, "%s", cell);
            len += (size_t)snprintf(fr->label, sizeof fr->label, "%s \xE2\x80\x93 %s", cell,
                                    ref ? ref : "");
        } else if (len < sizeof fr->label) {
            len += (size_t)snprintf(fr->label + len, sizeof fr->label - len, ", %s", cell);
        }
    }
    if (what && len < sizeof fr->label)
        len += (size_t)snprintf(fr->label + len, sizeof fr->label - len, ", %s", what);
    if (with_month && len < sizeof fr->label) {
        snprintf(tmp, sizeof tmp, "%g", utfall_table_num(t, r, month));
        snprintf(cell, sizeof cell, utfall_tr(lang, "chart.forest_month"), tmp);
        snprintf(fr->label + len, sizeof fr->label - len, ", %s", cell);
    }
}

/* The published rows of table key: estimate est and its interval, times
 * scale; rows whose estimate is hidden or not computable are left out. */
static int forest_rows(struct forest *f, utfall_doc *doc, const char *prefix, const char *key,
                       const char *const est[3], double scale, int source, const char *what,
                       utfall_lang lang)
{
    utfall_table *t = find(doc, prefix, key);
    if (!t)
        return 0;
    int col[3];
    for (int k = 0; k < 3; k++)
        if ((col[k] = utfall_table_column_index(t, est[k])) < 0)
            return 0;
    int with_month = several_months(t, utfall_table_column_index(t, "month"));
    for (int r = 0; r < utfall_table_nrows(t); r++) {
        if (utfall_table_is_suppressed(t, r, col[0]) || !isfinite(utfall_table_num(t, r, col[0])))
            continue;
        if (f->n == f->cap) {
            size_t nc = f->cap ? 2 * f->cap : 64;
            struct forest_row *nr = realloc(f->r, nc * sizeof *nr);
            if (!nr)
                return -1;
            f->r = nr;
            f->cap = nc;
        }
        struct forest_row *fr = &f->r[f->n];
        forest_label(t, r, what, with_month, lang, fr);
        fr->source = source;
        fr->seq = f->n++;
        fr->pooled = source > 0;
        double v[3];
        for (int k = 0; k < 3; k++)
            v[k] = utfall_table_is_suppressed(t, r, col[k]) ? NAN
                                                             : utfall_table_num(t, r, col[k]);
        fr->y = v[0] * scale;
        fr->lo = v[1] * scale;
        fr->hi = v[2] * scale;
    }
    return 0;
}

/* One panel of the rows gathered, each group's rows together. */
static utfall_status forest_panel(utfall_chart *c, struct forest *f, const char *title,
                                  double reference, int log_scale, utfall_error *err)
{
    /* the differences always have a panel: with every estimate hidden it
     * says there is nothing to show, rather than leave the figure blank */
    if (f->n == 0 && log_scale)
        return UTFALL_OK;
    if (f->n)
        qsort(f->r, f->n, sizeof *f->r, cmp_forest_row);
    utfall_chart_panel_options po;
    utfall_chart_panel_options_init(&po);
    po.kind = UTFALL_CHART_FOREST;
    po.title = title;
    po.xlabel = "";
    po.reference = reference;
    po.log_scale = log_scale;
    int p = utfall_chart_add_panel(c, &po);
    for (size_t i = 0; i < f->n && p >= 0; i++)
        if (utfall_chart_add_point(c, p, f->r[i].label, NULL, NAN, f->r[i].y, f->r[i].lo,
                                   f->r[i].hi, NAN, f->r[i].pooled && !log_scale))
            p = -1;
    f->n = 0;
    return p < 0 ? utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory")
                 : UTFALL_OK;
}

utfall_status utfall_figure_horizon_forest(utfall_chart *c, utfall_doc *doc, const char *prefix,
                                           utfall_lang lang, utfall_error *err)
{
    static const char *const diff[3] = {"diff", "diff_ci_low", "diff_ci_high"};
    static const char *const mh_rd[3] = {"risk_diff", "risk_diff_ci_low", "risk_diff_ci_high"};
    static const char *const adj[3] = {"adjusted_diff", "adjusted_diff_ci_low",
                                       "adjusted_diff_ci_high"};
    static const char *const mh_rr[3] = {"risk_ratio", "risk_ratio_ci_low", "risk_ratio_ci_high"};
    static const char *const hr[3] = {"hazard_ratio", "hr_ci_low", "hr_ci_high"};
    static const char *const orr[3] = {"odds_ratio", "or_ci_low", "or_ci_high"};
    utfall_table *cmp = find(doc, prefix, "comparisons");
    if (!cmp || utfall_table_nrows(cmp) < 2)
        return UTFALL_OK;
    const char *ref = utfall_table_nrows(cmp) ? utfall_table_text(cmp, 0,
                                                 utfall_table_column_index(cmp, "ref"))
                                              : "";
    char title[256];
    struct forest f = {0};
    utfall_status st = UTFALL_OK;
    /* a figure of its own (no curve before it): the comparisons' title */
    if (!utfall_chart_title(c) && utfall_table_title(cmp))
        utfall_chart_set_title(c, utfall_table_title(cmp));
    for (int i = 0; i < utfall_table_nnotes(cmp); i++)
        utfall_chart_add_note(c, utfall_table_note(cmp, i));
    utfall_table *mh = find(doc, prefix, "mantel_haenszel");
    for (int i = 0; mh && i < utfall_table_nnotes(mh); i++)
        utfall_chart_add_note(c, utfall_table_note(mh, i));
    if (forest_rows(&f, doc, prefix, "comparisons", diff, 100, 0, NULL, lang)
        || forest_rows(&f, doc, prefix, "mantel_haenszel", mh_rd, 100, 1,
                       utfall_tr(lang, "chart.forest_mh"), lang)
        || forest_rows(&f, doc, prefix, "adjusted", adj, 100, 2,
                       utfall_tr(lang, "chart.forest_adjusted"), lang))
        st = utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    snprintf(title, sizeof title, utfall_tr(lang, "chart.forest_diff"), ref ? ref : "");
    if (!st)
        st = forest_panel(c, &f, title, 0, 0, err);
    if (!st && (forest_rows(&f, doc, prefix, "mantel_haenszel", mh_rr, 1, 1,
                            utfall_tr(lang, "chart.forest_rr"), lang)
                || forest_rows(&f, doc, prefix, "cox", hr, 1, 2,
                               utfall_tr(lang, "chart.forest_hr"), lang)
                || forest_rows(&f, doc, prefix, "adjusted", orr, 1, 3,
                               utfall_tr(lang, "chart.forest_or"), lang)))
        st = utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    snprintf(title, sizeof title, utfall_tr(lang, "chart.forest_ratio"), ref ? ref : "");
    if (!st)
        st = forest_panel(c, &f, title, 1, 1, err);
    free(f.r);
    return st;
}
