/* Charts: the model and the two ways data gets in (a document table or a
 * delimited file).  Rendering is in chart_draw.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "output/chart_impl.h"
#include "utfall/csvread.h"
#include "utfall/extract.h"

int utfall_chart_kind_parse(const char *name, utfall_chart_kind *out)
{
    static const char *const names[] = {"bar",  "hbar",      "grouped", "stacked", "diverging",
                                        "line", "histogram", "forest"};
    for (int i = 0; i < 8; i++)
        if (!strcasecmp(name, names[i])) {
            *out = (utfall_chart_kind)i;
            return 0;
        }
    return -1;
}

int utfall_chart_format_from_path(const char *path, utfall_chart_format *out)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot || strchr(dot, '/'))
        return -1;
    if (!strcasecmp(dot, ".pdf"))
        *out = UTFALL_CHART_PDF;
    else if (!strcasecmp(dot, ".png"))
        *out = UTFALL_CHART_PNG;
    else if (!strcasecmp(dot, ".svg"))
        *out = UTFALL_CHART_SVG;
    else
        return -1;
    return 0;
}

int utfall_chart_size_parse(const char *s, double *width, double *height)
{
    char *end;
    double w = strtod(s, &end);
    if (end == s)
        return -1;
    if (*end == 'x' || *end == 'X')
        end++;
    else if (!strncmp(end, "\xC3\x97", 2)) /* × */
        end += 2;
    else
        return -1;
    const char *h0 = end;
    double h = strtod(h0, &end);
    if (end == h0 || *end || !(w >= 10 && w <= 20000) || !(h >= 10 && h <= 20000))
        return -1;
    *width = w;
    *height = h;
    return 0;
}

void utfall_chart_panel_options_init(utfall_chart_panel_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->target = NAN;
    opt->marker = NAN;
    opt->reference = NAN;
}

utfall_chart *utfall_chart_new(utfall_lang lang)
{
    utfall_chart *c = calloc(1, sizeof *c);
    if (c)
        c->lang = lang;
    return c;
}

static void free_panel(struct chart_panel *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->p[i].cat);
        free(p->p[i].series);
    }
    free(p->p);
    free(p->title);
    free(p->xlabel);
    free(p->ylabel);
    free(p->target_label);
    free(p->marker_label);
}

void utfall_chart_free(utfall_chart *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->npanels; i++)
        free_panel(&c->panels[i]);
    free(c->panels);
    free(c->title);
    free(c->subtitle);
    free(c->note);
    free(c);
}

static void replace(char **dst, const char *s)
{
    if (!s)
        return;
    free(*dst);
    *dst = strdup(s);
}

void utfall_chart_set_title(utfall_chart *c, const char *title) { replace(&c->title, title); }
void utfall_chart_set_subtitle(utfall_chart *c, const char *s) { replace(&c->subtitle, s); }
const char *utfall_chart_title(const utfall_chart *c) { return c->title; }

int utfall_chart_has_values(const utfall_chart *c)
{
    for (int i = 0; i < c->npanels; i++)
        for (size_t k = 0; k < c->panels[i].n; k++)
            if (isfinite(c->panels[i].p[k].y) && c->panels[i].p[k].y != 0)
                return 1;
    return 0;
}

void utfall_chart_add_note(utfall_chart *c, const char *note)
{
    if (!note || !*note)
        return;
    if (c->note && strstr(c->note, note))
        return; /* the same definition from two tables is said once */
    size_t a = c->note ? strlen(c->note) : 0, b = strlen(note);
    char *n = realloc(c->note, a + b + 2);
    if (!n)
        return;
    if (a)
        n[a++] = ' ';
    memcpy(n + a, note, b + 1);
    c->note = n;
}

void utfall_chart_remove_note(utfall_chart *c, const char *note)
{
    char *at = c->note && note && *note ? strstr(c->note, note) : NULL;
    if (!at)
        return;
    size_t n = strlen(note);
    if (at[n] == ' ')
        n++;
    else if (at > c->note && at[-1] == ' ')
        at--, n++;
    memmove(at, at + n, strlen(at + n) + 1);
}

int utfall_chart_add_panel(utfall_chart *c, const utfall_chart_panel_options *opt)
{
    if (UTFALL_GROW(c->panels, c->panel_cap, (size_t)c->npanels + 1))
        return -1;
    struct chart_panel *p = &c->panels[c->npanels];
    utfall_chart_panel_options_init(&p->opt);
    if (opt)
        p->opt = *opt;
    p->opt.title = p->opt.xlabel = p->opt.ylabel = NULL;
    p->opt.target_label = p->opt.marker_label = NULL;
    if (opt) {
        replace(&p->title, opt->title);
        replace(&p->xlabel, opt->xlabel);
        replace(&p->ylabel, opt->ylabel);
        replace(&p->target_label, opt->target_label);
        replace(&p->marker_label, opt->marker_label);
    }
    return c->npanels++;
}

int utfall_chart_npanels(const utfall_chart *c) { return c->npanels; }

size_t utfall_chart_npoints(const utfall_chart *c, int panel)
{
    return panel >= 0 && panel < c->npanels ? c->panels[panel].n : 0;
}

int utfall_chart_add_point(utfall_chart *c, int panel, const char *category, const char *series,
                           double x, double y, double lo, double hi, double n, int is_total)
{
    if (panel < 0 || panel >= c->npanels)
        return -1;
    struct chart_panel *p = &c->panels[panel];
    if (UTFALL_GROW(p->p, p->cap, p->n + 1))
        return -1;
    struct chart_point *pt = &p->p[p->n];
    pt->cat = strdup(category ? category : "");
    pt->series = strdup(series ? series : "");
    if (!pt->cat || !pt->series) {
        free(pt->cat);
        free(pt->series);
        return -1;
    }
    pt->x = x;
    pt->y = y;
    pt->lo = lo;
    pt->hi = hi;
    pt->n = n;
    pt->total = is_total;
    pt->hidden = 0;
    pt->colour = -1;
    p->n++;
    return 0;
}

/* The last point added: hidden, and its series' fixed colour. */
static void mark_last(utfall_chart *c, int panel, int hidden, int colour)
{
    struct chart_panel *p = &c->panels[panel];
    if (p->n) {
        p->p[p->n - 1].hidden = hidden;
        p->p[p->n - 1].colour = colour;
    }
}

/* An exit outcome is drawn in the same colour in every figure. */
static int series_colour_of(const utfall_table *t, int r, int col)
{
    const char *key = col >= 0 ? utfall_table_text(t, r, col) : NULL;
    int o;
    return key && !utfall_outcome_parse(key, &o) ? o : -1;
}

size_t utfall_chart_bins(const double *v, size_t n, long *counts, size_t max_bins,
                         double *first_edge, double *width)
{
    double lo = INFINITY, hi = -INFINITY;
    size_t used = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            lo = fmin(lo, v[i]);
            hi = fmax(hi, v[i]);
            used++;
        }
    if (!used || max_bins == 0)
        return 0;
    double range = hi - lo, w = 1;
    if (range > 0) {
        double raw = range / 12, p10 = pow(10, floor(log10(raw))), m = raw / p10;
        w = (m < 1.5 ? 1 : m < 2.25 ? 2 : m < 3.5 ? 2.5 : m < 7.5 ? 5 : 10) * p10;
    }
    /* centred on multiples of w: 0 is the middle of its bin */
    double k0 = floor(lo / w + 0.5), k1 = floor(hi / w + 0.5);
    size_t nb = (size_t)(k1 - k0) + 1;
    while (nb > max_bins) {
        w *= 2;
        k0 = floor(lo / w + 0.5);
        k1 = floor(hi / w + 0.5);
        nb = (size_t)(k1 - k0) + 1;
    }
    memset(counts, 0, nb * sizeof *counts);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            continue;
        double k = floor(v[i] / w + 0.5) - k0;
        if (k >= 0 && k < (double)nb)
            counts[(size_t)k]++;
    }
    *first_edge = (k0 - 0.5) * w;
    *width = w;
    return nb;
}

static utfall_status out_of_memory(utfall_error *err)
{
    return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
}

/* ---- from a table ------------------------------------------------------- */

static int find_col(const utfall_table *t, const char *key, int *col, utfall_error *err)
{
    *col = -1;
    if (!key)
        return 0;
    *col = utfall_table_column_index(t, key);
    if (*col < 0) {
        utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_CHART_NO_COLUMN,
                         "no column '%s' in table '%s'", key, utfall_table_key(t));
        return -1;
    }
    return 0;
}

static double table_value(const utfall_table *t, int r, int c)
{
    return c < 0 ? NAN : utfall_table_num(t, r, c);
}

enum empty_parts { KEEP_EMPTY, SKIP_EMPTY };

/* The group cells of row r but column skip, joined: "Malmö, Kvinnor". */
static void join_groups(const utfall_table *t, int r, int skip, utfall_lang lang,
                        enum empty_parts empty, char *out, size_t size)
{
    size_t len = 0;
    for (int k = 0; k < utfall_table_ncols(t); k++) {
        if (k == skip || utfall_table_column_type(t, k) != UTFALL_COL_GROUP)
            continue;
        char part[256];
        utfall_table_format_cell(t, r, k, lang, part, sizeof part);
        if (empty == SKIP_EMPTY && !*part)
            continue;
        int w = snprintf(out + len, size - len, "%s%s", len ? ", " : "", part);
        if (w < 0 || (size_t)w >= size - len)
            break;
        len += (size_t)w;
    }
}

/* A table on its way into one chart panel: the columns found, the panel. */
struct table_run {
    utfall_chart *c;
    const utfall_table *t;
    const utfall_chart_columns *cols;
    int cx, cy, cg, clo, chi, cn; /* -1: not given */
    int sc[32], ns;               /* value columns, each a series */
    utfall_chart_panel_options po;
    int numeric_x;   /* line, histogram: x is a number, not a category */
    int join_series; /* the group columns name the series */
    int panel;
    utfall_error *err;
};

static utfall_status table_columns(struct table_run *run)
{
    const utfall_table *t = run->t;
    const utfall_chart_columns *cols = run->cols;
    utfall_error *err = run->err;
    run->cx = -1;
    if (cols->x) {
        if (find_col(t, cols->x, &run->cx, err))
            return err->status;
    } else {
        for (int k = 0; k < utfall_table_ncols(t) && run->cx < 0; k++)
            if (utfall_table_column_type(t, k) == UTFALL_COL_GROUP)
                run->cx = k;
    }
    if (find_col(t, cols->y, &run->cy, err) || find_col(t, cols->group, &run->cg, err)
        || find_col(t, cols->lo, &run->clo, err) || find_col(t, cols->hi, &run->chi, err)
        || find_col(t, cols->n, &run->cn, err))
        return err->status;
    for (size_t k = 0; cols->series_columns && cols->series_columns[k] && run->ns < 32; k++)
        if (find_col(t, cols->series_columns[k], &run->sc[run->ns++], err))
            return err->status;
    return UTFALL_OK;
}

/* The panel's options: the table's title (the chart's, if it has none
 * yet), its column labels on the axes, percent for a share column. */
static utfall_status table_panel(struct table_run *run, const utfall_chart_panel_options *opt)
{
    utfall_chart *c = run->c;
    const utfall_table *t = run->t;
    utfall_chart_panel_options *po = &run->po;
    if (opt)
        *po = *opt;
    else
        utfall_chart_panel_options_init(po);
    run->numeric_x = po->kind == UTFALL_CHART_LINE || po->kind == UTFALL_CHART_HISTOGRAM;
    /* lines over a numeric x: the group columns name the series
     * ("SE, Kvinnor" with horizon --strata kon) */
    run->join_series = run->numeric_x && !run->cols->group && run->cols->x;
    if (!po->title && utfall_table_title(t)) {
        if (!c->title)
            utfall_chart_set_title(c, utfall_table_title(t));
        else
            po->title = utfall_table_title(t);
    }
    int valcol = run->ns ? run->sc[0] : run->cy;
    if (!po->xlabel && run->cx >= 0)
        po->xlabel = utfall_table_column_label(t, run->cx, c->lang);
    if (!po->ylabel && valcol >= 0 && !run->ns)
        po->ylabel = utfall_table_column_label(t, valcol, c->lang);
    if (po->auto_percent && valcol >= 0
        && utfall_table_column_type(t, valcol) == UTFALL_COL_SHARE)
        po->percent = 1;
    run->panel = utfall_chart_add_panel(c, po);
    if (run->panel < 0)
        return out_of_memory(run->err);
    return UTFALL_OK;
}

/* A row's category: the x column's cell, else all group cells but the
 * series' (grouped by several columns, --by enhet,kon); "Totalt" on a
 * total row. */
static void row_category(const struct table_run *run, int r, int total, char *cat, size_t size)
{
    cat[0] = '\0';
    if (run->numeric_x)
        return;
    if (run->cx >= 0 && run->cols->x)
        utfall_table_format_cell(run->t, r, run->cx, run->c->lang, cat, size);
    else
        join_groups(run->t, r, run->cg, run->c->lang, SKIP_EMPTY, cat, size);
    if (total)
        snprintf(cat, size, "%s", utfall_tr(run->c->lang, "total"));
}

static utfall_status table_row(const struct table_run *run, int r)
{
    utfall_chart *c = run->c;
    const utfall_table *t = run->t;
    /* a group cell never set is a total row (split's long table marks its
     * totals so); a stated-as-empty value is "not stated" */
    int total = utfall_table_is_total(t, r)
                || (run->cx >= 0 && utfall_table_column_type(t, run->cx) == UTFALL_COL_GROUP
                    && !utfall_table_text(t, r, run->cx));
    if (total && run->po.skip_total)
        return UTFALL_OK;
    char cat[512], ser[512] = "";
    row_category(run, r, total, cat, sizeof cat);
    if (run->cg >= 0)
        utfall_table_format_cell(t, r, run->cg, c->lang, ser, sizeof ser);
    if (run->join_series)
        join_groups(t, r, run->cx, c->lang, KEEP_EMPTY, ser, sizeof ser);
    double x = run->numeric_x ? table_value(t, r, run->cx) : NAN;
    double n = table_value(t, r, run->cn);
    int failed = 0;
    for (int k = 0; k < run->ns && !failed; k++) {
        double y = table_value(t, r, run->sc[k]);
        int hidden = utfall_table_is_suppressed(t, r, run->sc[k]);
        if (isfinite(y) || hidden)
            failed = utfall_chart_add_point(c, run->panel, cat,
                                            utfall_table_column_label(t, run->sc[k], c->lang),
                                            x, y, NAN, NAN, n, total);
        if (!failed)
            mark_last(c, run->panel, hidden, series_colour_of(t, r, -1));
    }
    double y = table_value(t, r, run->cy);
    int hidden = run->cy >= 0 && utfall_table_is_suppressed(t, r, run->cy);
    /* not computable: no bar rather than a false one; hidden: a segment of
     * a stacked bar drawn as "hidden", elsewhere no bar */
    if (!run->ns && (isfinite(y) || (hidden && run->cg >= 0))
        && !(run->numeric_x && !isfinite(x))) {
        failed = utfall_chart_add_point(c, run->panel, cat, ser, x, y,
                                        table_value(t, r, run->clo), table_value(t, r, run->chi),
                                        n, total);
        if (!failed)
            mark_last(c, run->panel, hidden, series_colour_of(t, r, run->cg));
    }
    if (failed)
        return out_of_memory(run->err);
    return UTFALL_OK;
}

utfall_status utfall_chart_add_table(utfall_chart *c, const utfall_table *t,
                                     const utfall_chart_columns *cols,
                                     const utfall_chart_panel_options *opt, utfall_error *err)
{
    struct table_run run = {.c = c, .t = t, .cols = cols, .err = err};
    utfall_status st = table_columns(&run);
    if (!st)
        st = table_panel(&run, opt);
    for (int r = 0; !st && r < utfall_table_nrows(t); r++)
        st = table_row(&run, r);
    if (st)
        return st;
    for (int i = 0; i < utfall_table_nnotes(t); i++)
        utfall_chart_add_note(c, utfall_table_note(t, i));
    return UTFALL_OK;
}

/* ---- from a file ---------------------------------------------------------- */

/* A header or a value as people should see it: known keys get their
 * catalogue label (share → Andel, k → Kvinnor). */
static const char *label_for(utfall_lang lang, const char *prefix, const char *key, char *buf,
                             size_t size)
{
    snprintf(buf, size, "%s%s", prefix, key);
    const char *tr = utfall_tr(lang, buf);
    return tr == buf ? key : tr;
}

static int header_index(const utfall_csv_record *h, const char *name)
{
    for (size_t i = 0; i < h->nfields; i++)
        if (!strcmp(h->fields[i], name))
            return (int)i;
    return -1;
}

static utfall_status parse_num(const utfall_csv_record *rec, int col, const char *name,
                               const char *file, double *out, utfall_error *err)
{
    *out = NAN;
    if (col < 0 || (size_t)col >= rec->nfields)
        return UTFALL_OK;
    const char *s = rec->fields[col];
    while (*s == ' ')
        s++;
    if (!*s || !strcmp(s, "NA") || !strcmp(s, "null"))
        return UTFALL_OK; /* empty: not computable or suppressed */
    char buf[128];
    size_t n = strlen(s);
    int percent = 0;
    if (n && n < sizeof buf && s[n - 1] == '%') {
        /* "39,5 %" as a spreadsheet writes it: a share */
        memcpy(buf, s, n + 1);
        buf[--n] = '\0';
        for (;;) { /* a space, U+00A0 or U+202F before the sign */
            if (n >= 1 && buf[n - 1] == ' ')
                n -= 1;
            else if (n >= 2 && !memcmp(buf + n - 2, "\xC2\xA0", 2))
                n -= 2;
            else if (n >= 3 && !memcmp(buf + n - 3, "\xE2\x80\xAF", 3))
                n -= 3;
            else
                break;
            buf[n] = '\0';
        }
        s = buf;
        percent = 1;
    }
    if (n >= sizeof buf || utfall_number_parse(s, out) || !isfinite(*out)) {
        if (n >= sizeof buf)
            n = 40;
        utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_CHART_NOT_NUMBER,
                         "'%.*s' is not a number (accepted: 12, 39.5, 39,5, empty for none)",
                         (int)(n > 60 ? 60 : n), s);
        utfall_error_locate(err, file, rec->line, 0, name);
        return UTFALL_ERR_DATA;
    }
    if (percent)
        *out /= 100;
    return UTFALL_OK;
}

/* The columns a file gives a chart, in the order of utfall_chart_columns. */
enum { IN_X, IN_Y, IN_GROUP, IN_LO, IN_HI, IN_N, IN_COLS };

/* A row read, waiting until the last rows tell which are totals. */
struct pending {
    char *cat, *ser;
    double x, y, lo, hi, n;
    int cat_empty;
};

/* A delimited file on its way into one chart panel. */
struct read_run {
    utfall_chart *c;
    const utfall_chart_columns *cols;
    utfall_csv_reader *r;
    const char *file;
    utfall_csv_record rec; /* the header, then each row */
    const char *names[IN_COLS];
    int idx[IN_COLS];      /* -1: not given */
    int sidx[32], ns;      /* value columns, each a series */
    char *sname[32];       /* their labels */
    utfall_chart_panel_options po;
    int numeric_x;         /* line, histogram: x is a number, not a category */
    char *xl, *yl;         /* the axis titles po points to */
    struct pending *rows;
    size_t nrows, cap;
    char lb[256];          /* label_for's buffer */
    utfall_error *err;
};

static utfall_status read_header(struct read_run *run)
{
    int got = utfall_csv_next(run->r, &run->rec, run->err);
    if (got > 0)
        return UTFALL_OK;
    if (got < 0)
        return run->err->status ? run->err->status : UTFALL_ERR_DATA;
    utfall_status st = utfall_error_set(run->err, UTFALL_ERR_DATA, UTFALL_EC_CHART_EMPTY,
                                        "the input is empty: a header line and at least one row "
                                        "are needed");
    utfall_error_locate(run->err, run->file, 0, 0, NULL);
    return st;
}

static utfall_status no_column(struct read_run *run, const char *name)
{
    size_t n = run->rec.nfields;
    utfall_status st = utfall_error_set(run->err, UTFALL_ERR_DATA, UTFALL_EC_CHART_NO_COLUMN,
                                        n == 1 ? "no column '%s' (the header has %zu column)"
                                               : "no column '%s' (the header has %zu columns)",
                                        name, n);
    utfall_error_locate(run->err, run->file, run->rec.line, 0, NULL);
    return st;
}

/* The columns named, found in the header; x is the first when not named. */
static utfall_status find_columns(struct read_run *run)
{
    const utfall_chart_columns *cols = run->cols;
    const char *names[IN_COLS] = {cols->x, cols->y, cols->group, cols->lo, cols->hi, cols->n};
    for (int k = 0; k < IN_COLS; k++) {
        run->names[k] = names[k];
        run->idx[k] = names[k] ? header_index(&run->rec, names[k]) : -1;
        if (names[k] && run->idx[k] < 0)
            return no_column(run, names[k]);
    }
    if (!cols->x)
        run->idx[IN_X] = 0;
    for (size_t k = 0; cols->series_columns && cols->series_columns[k] && run->ns < 32; k++) {
        run->sidx[run->ns] = header_index(&run->rec, cols->series_columns[k]);
        if (run->sidx[run->ns] < 0)
            return no_column(run, cols->series_columns[k]);
        run->sname[run->ns++] = strdup(
            label_for(run->c->lang, "col.", cols->series_columns[k], run->lb, sizeof run->lb));
    }
    return UTFALL_OK;
}

/* The panel's options: the header's labels on the axes, percent for
 * utfall's own share columns (proportions). */
static utfall_status read_panel_options(struct read_run *run,
                                        const utfall_chart_panel_options *opt)
{
    utfall_chart_panel_options *po = &run->po;
    const utfall_csv_record *h = &run->rec;
    int x = run->idx[IN_X], y = run->idx[IN_Y];
    utfall_lang lang = run->c->lang;
    char *lb = run->lb;
    if (opt)
        *po = *opt;
    else
        utfall_chart_panel_options_init(po);
    run->numeric_x = po->kind == UTFALL_CHART_LINE || po->kind == UTFALL_CHART_HISTOGRAM;
    if (!po->xlabel && x >= 0 && (size_t)x < h->nfields)
        po->xlabel = run->xl = strdup(label_for(lang, "col.", h->fields[x], lb, sizeof run->lb));
    if (po->auto_percent && y >= 0
        && (!strcmp(h->fields[y], "share") || !strcmp(h->fields[y], "cum_share")))
        po->percent = 1;
    if (!po->ylabel && y >= 0)
        po->ylabel = run->yl = strdup(label_for(lang, "col.", h->fields[y], lb, sizeof run->lb));
    if (!run->cols->y && !run->ns && po->kind != UTFALL_CHART_HISTOGRAM)
        return utfall_error_set(run->err, UTFALL_ERR_USAGE, UTFALL_EC_CHART_NO_Y,
                                "which column holds the values? Give --y COL");
    return UTFALL_OK;
}

/* Row p for series k (or the only one), with its labels, kept. */
static utfall_status keep_row(struct read_run *run, struct pending p, int k, const char *rawx)
{
    const utfall_csv_record *rec = &run->rec;
    utfall_lang lang = run->c->lang;
    int g = run->idx[IN_GROUP];
    p.cat_empty = !run->numeric_x && !*rawx;
    p.cat = strdup(run->numeric_x ? "" : label_for(lang, "val.", rawx, run->lb, sizeof run->lb));
    const char *rs = g >= 0 && (size_t)g < rec->nfields ? rec->fields[g] : "";
    p.ser = strdup(run->ns ? (run->sname[k] ? run->sname[k] : "")
                   : *rs   ? label_for(lang, "val.", rs, run->lb, sizeof run->lb)
                           : (g >= 0 ? utfall_tr(lang, "total") : ""));
    if (UTFALL_GROW(run->rows, run->cap, run->nrows + 1)) {
        free(p.cat);
        free(p.ser);
        return out_of_memory(run->err);
    }
    run->rows[run->nrows++] = p;
    return p.cat && p.ser ? UTFALL_OK : out_of_memory(run->err);
}

/* One data row: its numbers parsed, a pending row per series with a value. */
static utfall_status read_row(struct read_run *run)
{
    const utfall_csv_record *rec = &run->rec;
    const int *idx = run->idx;
    const char *const *names = run->names;
    struct pending p = {NULL, NULL, NAN, NAN, NAN, NAN, NAN, 0};
    const char *rawx = (size_t)idx[IN_X] < rec->nfields ? rec->fields[idx[IN_X]] : "";
    utfall_status st;
    if (run->numeric_x) {
        const char *xname = names[IN_X] ? names[IN_X] : rawx;
        if ((st = parse_num(rec, idx[IN_X], xname, run->file, &p.x, run->err)))
            return st;
        if (!isfinite(p.x))
            return UTFALL_OK;
    }
    if ((st = parse_num(rec, idx[IN_Y], names[IN_Y], run->file, &p.y, run->err))
        || (st = parse_num(rec, idx[IN_LO], names[IN_LO], run->file, &p.lo, run->err))
        || (st = parse_num(rec, idx[IN_HI], names[IN_HI], run->file, &p.hi, run->err))
        || (st = parse_num(rec, idx[IN_N], names[IN_N], run->file, &p.n, run->err)))
        return st;
    for (int k = 0; k < (run->ns ? run->ns : 1); k++) {
        if (run->ns && (st = parse_num(rec, run->sidx[k], run->cols->series_columns[k],
                                       run->file, &p.y, run->err)))
            return st;
        if ((idx[IN_Y] >= 0 || run->ns) && !isfinite(p.y))
            continue;
        if ((st = keep_row(run, p, k, rawx)))
            return st;
    }
    return UTFALL_OK;
}

static utfall_status read_rows(struct read_run *run)
{
    int got;
    while ((got = utfall_csv_next(run->r, &run->rec, run->err)) != 0) {
        if (got < 0) {
            if (got == -2)
                run->err->status = UTFALL_ERR_DATA;
            return run->err->status ? run->err->status : UTFALL_ERR_DATA;
        }
        utfall_status st = read_row(run);
        if (st)
            return st;
    }
    if (run->nrows == 0) {
        utfall_status st = utfall_error_set(run->err, UTFALL_ERR_DATA, UTFALL_EC_CHART_EMPTY,
                                            "no rows with values to draw (only a header?)");
        utfall_error_locate(run->err, run->file, 0, 0, NULL);
        return st;
    }
    return UTFALL_OK;
}

/* The rows into a panel.  An empty category on the last rows is the
 * total row of utfall's own output; anywhere else it is a value not
 * stated. */
static utfall_status add_rows(struct read_run *run)
{
    int panel = utfall_chart_add_panel(run->c, &run->po);
    if (panel < 0)
        return out_of_memory(run->err);
    size_t first_total = run->nrows;
    while (first_total > 0 && run->rows[first_total - 1].cat_empty)
        first_total--;
    for (size_t i = 0; i < run->nrows; i++) {
        struct pending *p = &run->rows[i];
        int total = 0;
        const char *cat = p->cat;
        if (p->cat_empty) {
            total = i >= first_total;
            cat = utfall_tr(run->c->lang, total ? "total" : "missing");
        }
        if (total && run->po.skip_total)
            continue;
        if (utfall_chart_add_point(run->c, panel, cat, p->ser, p->x, p->y, p->lo, p->hi, p->n,
                                   total))
            return out_of_memory(run->err);
    }
    return UTFALL_OK;
}

utfall_status utfall_chart_read(utfall_chart *c, const char *path, char delimiter,
                                const utfall_chart_columns *cols,
                                const utfall_chart_panel_options *opt, utfall_error *err)
{
    utfall_csv_options co = {.delimiter = delimiter, .channel = "chart input"};
    struct read_run run = {.c = c, .cols = cols, .err = err};
    utfall_status st = utfall_csv_open(&run.r, path, &co, err);
    if (st)
        return st;
    run.file = utfall_csv_name(run.r);
    st = read_header(&run);
    if (!st)
        st = find_columns(&run);
    if (!st)
        st = read_panel_options(&run, opt);
    if (!st)
        st = read_rows(&run);
    if (!st)
        st = add_rows(&run);
    for (size_t i = 0; i < run.nrows; i++) {
        free(run.rows[i].cat);
        free(run.rows[i].ser);
    }
    free(run.rows);
    free(run.xl);
    free(run.yl);
    for (int i = 0; i < run.ns; i++)
        free(run.sname[i]);
    utfall_csv_close(run.r);
    return st;
}
