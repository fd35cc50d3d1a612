/* Charts: the model and the two ways data gets in (a document table or a
 * delimited file).  Rendering is in chart_draw.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
    struct chart_panel *n = realloc(c->panels, (size_t)(c->npanels + 1) * sizeof *n);
    if (!n)
        return -1;
    c->panels = n;
    struct chart_panel *p = &n[c->npanels];
    memset(p, 0, sizeof *p);
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
    if (p->n == p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 32;
        struct chart_point *np = realloc(p->p, ncap * sizeof *np);
        if (!np)
            return -1;
        p->p = np;
        p->cap = ncap;
    }
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
    p->n++;
    return 0;
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

utfall_status utfall_chart_add_table(utfall_chart *c, const utfall_table *t,
                                     const utfall_chart_columns *cols,
                                     const utfall_chart_panel_options *opt, utfall_error *err)
{
    int cx = -1, cy, cg, clo, chi, cn;
    if (cols->x) {
        if (find_col(t, cols->x, &cx, err))
            return err->status;
    } else {
        for (int k = 0; k < utfall_table_ncols(t) && cx < 0; k++)
            if (utfall_table_column_type(t, k) == UTFALL_COL_GROUP)
                cx = k;
    }
    if (find_col(t, cols->y, &cy, err) || find_col(t, cols->group, &cg, err)
        || find_col(t, cols->lo, &clo, err) || find_col(t, cols->hi, &chi, err)
        || find_col(t, cols->n, &cn, err))
        return err->status;
    int numeric = opt && (opt->kind == UTFALL_CHART_LINE || opt->kind == UTFALL_CHART_HISTOGRAM);
    /* lines over a numeric x: the group columns name the series
     * ("SE, Kvinnor" with horizon --strata kon) */
    int join_series = numeric && !cols->group && cols->x;
    int sc[32], ns = 0;
    for (size_t k = 0; cols->series_columns && cols->series_columns[k] && ns < 32; k++)
        if (find_col(t, cols->series_columns[k], &sc[ns++], err))
            return err->status;

    utfall_chart_panel_options po;
    if (opt)
        po = *opt;
    else
        utfall_chart_panel_options_init(&po);
    if (!po.title && utfall_table_title(t)) {
        if (!c->title)
            utfall_chart_set_title(c, utfall_table_title(t));
        else
            po.title = utfall_table_title(t);
    }
    int valcol = ns ? sc[0] : cy;
    if (!po.xlabel && cx >= 0)
        po.xlabel = utfall_table_column_label(t, cx, c->lang);
    if (!po.ylabel && valcol >= 0 && !ns)
        po.ylabel = utfall_table_column_label(t, valcol, c->lang);
    if (po.auto_percent && valcol >= 0 && utfall_table_column_type(t, valcol) == UTFALL_COL_SHARE)
        po.percent = 1;
    int panel = utfall_chart_add_panel(c, &po);
    if (panel < 0)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    char cat[512], ser[512];
    for (int r = 0; r < utfall_table_nrows(t); r++) {
        /* a group cell never set is a total row (split's long table marks
         * its totals so); a stated-as-empty value is "not stated" */
        int total = utfall_table_is_total(t, r)
                    || (cx >= 0 && utfall_table_column_type(t, cx) == UTFALL_COL_GROUP
                        && !utfall_table_text(t, r, cx));
        if (total && po.skip_total)
            continue;
        cat[0] = ser[0] = '\0';
        int numeric_x = po.kind == UTFALL_CHART_LINE || po.kind == UTFALL_CHART_HISTOGRAM;
        if (cx >= 0 && !numeric_x && cols->x) {
            utfall_table_format_cell(t, r, cx, c->lang, cat, sizeof cat);
        } else if (!numeric_x) {
            /* grouped by several columns (--by enhet,kon): the category is
             * all of them but the series, "Malmö, Kvinnor" */
            size_t len = 0;
            for (int k = 0; k < utfall_table_ncols(t); k++) {
                if (k == cg || utfall_table_column_type(t, k) != UTFALL_COL_GROUP)
                    continue;
                char part[256];
                utfall_table_format_cell(t, r, k, c->lang, part, sizeof part);
                if (!*part)
                    continue;
                int w = snprintf(cat + len, sizeof cat - len, "%s%s", len ? ", " : "", part);
                if (w < 0 || (size_t)w >= sizeof cat - len)
                    break;
                len += (size_t)w;
            }
        }
        if (total && !numeric_x)
            snprintf(cat, sizeof cat, "%s", utfall_tr(c->lang, "total"));
        if (cg >= 0)
            utfall_table_format_cell(t, r, cg, c->lang, ser, sizeof ser);
        for (int k = 0, len = 0; join_series && k < utfall_table_ncols(t); k++) {
            if (k == cx || utfall_table_column_type(t, k) != UTFALL_COL_GROUP)
                continue;
            char part[256];
            utfall_table_format_cell(t, r, k, c->lang, part, sizeof part);
            int w = snprintf(ser + len, sizeof ser - (size_t)len, "%s%s", len ? ", " : "", part);
            if (w < 0 || (size_t)w >= sizeof ser - (size_t)len)
                break;
            len += w;
        }
        double x = numeric_x ? table_value(t, r, cx) : NAN;
        double n = table_value(t, r, cn);
        if (ns) {
            for (int k = 0; k < ns; k++) {
                double y = table_value(t, r, sc[k]);
                if (!isfinite(y))
                    continue;
                if (utfall_chart_add_point(c, panel, cat,
                                           utfall_table_column_label(t, sc[k], c->lang), x, y,
                                           NAN, NAN, n, total))
                    return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
            }
            continue;
        }
        double y = table_value(t, r, cy);
        if (!isfinite(y) || (numeric_x && !isfinite(x)))
            continue; /* suppressed or not computable: no bar rather than a false one */
        if (utfall_chart_add_point(c, panel, cat, ser, x, y, table_value(t, r, clo),
                                   table_value(t, r, chi), n, total))
            return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    }
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

struct pending {
    char *cat, *ser;
    double x, y, lo, hi, n;
    int cat_empty;
};

utfall_status utfall_chart_read(utfall_chart *c, const char *path, char delimiter,
                                const utfall_chart_columns *cols,
                                const utfall_chart_panel_options *opt, utfall_error *err)
{
    utfall_csv_options co = {delimiter, UTFALL_ENC_AUTO, 0};
    utfall_csv_reader *r;
    utfall_status st = utfall_csv_open(&r, path, &co, err);
    if (st)
        return st;
    const char *file = utfall_csv_name(r);
    utfall_csv_record rec;
    struct pending *rows = NULL;
    size_t nrows = 0, cap = 0;
    char lb[256];
    int got = utfall_csv_next(r, &rec, err);
    if (got <= 0) {
        if (got == 0) {
            st = utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_CHART_EMPTY,
                                  "the input is empty: a header line and at least one row "
                                  "are needed");
            utfall_error_locate(err, file, 0, 0, NULL);
        } else {
            st = err->status ? err->status : UTFALL_ERR_DATA;
        }
        utfall_csv_close(r);
        return st;
    }
    const char *names[6] = {cols->x, cols->y, cols->group, cols->lo, cols->hi, cols->n};
    int idx[6];
    for (int k = 0; k < 6; k++) {
        idx[k] = names[k] ? header_index(&rec, names[k]) : -1;
        if (names[k] && idx[k] < 0) {
            st = utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_CHART_NO_COLUMN,
                                  "no column '%s' (the header has %zu column%s)", names[k],
                                  rec.nfields, rec.nfields == 1 ? "" : "s");
            utfall_error_locate(err, file, rec.line, 0, NULL);
            utfall_csv_close(r);
            return st;
        }
    }
    if (!cols->x)
        idx[0] = 0;
    /* several value columns, each a series (a wide table) */
    int sidx[32], ns = 0;
    char *sname[32];
    for (size_t k = 0; cols->series_columns && cols->series_columns[k] && ns < 32; k++) {
        sidx[ns] = header_index(&rec, cols->series_columns[k]);
        if (sidx[ns] < 0) {
            st = utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_CHART_NO_COLUMN,
                                  "no column '%s' (the header has %zu column%s)",
                                  cols->series_columns[k], rec.nfields,
                                  rec.nfields == 1 ? "" : "s");
            utfall_error_locate(err, file, rec.line, 0, NULL);
            for (int i = 0; i < ns; i++)
                free(sname[i]);
            utfall_csv_close(r);
            return st;
        }
        sname[ns] = strdup(label_for(c->lang, "col.", cols->series_columns[k], lb, sizeof lb));
        ns++;
    }
    utfall_chart_panel_options po;
    if (opt)
        po = *opt;
    else
        utfall_chart_panel_options_init(&po);
    int numeric_x = po.kind == UTFALL_CHART_LINE || po.kind == UTFALL_CHART_HISTOGRAM;
    char *xl = NULL, *yl = NULL;
    if (!po.xlabel && idx[0] >= 0 && (size_t)idx[0] < rec.nfields)
        po.xlabel = xl = strdup(label_for(c->lang, "col.", rec.fields[idx[0]], lb, sizeof lb));
    /* utfall's own share columns are proportions: draw them in percent */
    if (po.auto_percent && idx[1] >= 0
        && (!strcmp(rec.fields[idx[1]], "share") || !strcmp(rec.fields[idx[1]], "cum_share")))
        po.percent = 1;
    if (!po.ylabel && idx[1] >= 0)
        po.ylabel = yl = strdup(label_for(c->lang, "col.", rec.fields[idx[1]], lb, sizeof lb));
    if (!cols->y && !ns && !(po.kind == UTFALL_CHART_HISTOGRAM)) {
        st = utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_CHART_NO_Y,
                              "which column holds the values? Give --y COL");
        goto done;
    }
    while ((got = utfall_csv_next(r, &rec, err)) != 0) {
        if (got < 0) {
            if (got == -2)
                err->status = UTFALL_ERR_DATA;
            st = err->status ? err->status : UTFALL_ERR_DATA;
            goto done;
        }
        struct pending p = {NULL, NULL, NAN, NAN, NAN, NAN, NAN, 0};
        const char *rawx = (size_t)idx[0] < rec.nfields ? rec.fields[idx[0]] : "";
        if (numeric_x) {
            if ((st = parse_num(&rec, idx[0], names[0] ? names[0] : rawx, file, &p.x, err)))
                goto done;
            if (!isfinite(p.x))
                continue;
        }
        if ((st = parse_num(&rec, idx[1], names[1], file, &p.y, err))
            || (st = parse_num(&rec, idx[3], names[3], file, &p.lo, err))
            || (st = parse_num(&rec, idx[4], names[4], file, &p.hi, err))
            || (st = parse_num(&rec, idx[5], names[5], file, &p.n, err)))
            goto done;
        for (int k = 0; k < (ns ? ns : 1); k++) {
        if (ns && (st = parse_num(&rec, sidx[k], cols->series_columns[k], file, &p.y, err)))
            goto done;
        if ((idx[1] >= 0 || ns) && !isfinite(p.y))
            continue;
        p.cat_empty = !numeric_x && !*rawx;
        p.cat = strdup(numeric_x ? "" : label_for(c->lang, "val.", rawx, lb, sizeof lb));
        const char *rs = idx[2] >= 0 && (size_t)idx[2] < rec.nfields ? rec.fields[idx[2]] : "";
        p.ser = strdup(ns ? (sname[k] ? sname[k] : "")
                          : *rs ? label_for(c->lang, "val.", rs, lb, sizeof lb)
                                : (idx[2] >= 0 ? utfall_tr(c->lang, "total") : ""));
        if (nrows == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct pending *nr = realloc(rows, ncap * sizeof *nr);
            if (!nr) {
                free(p.cat);
                free(p.ser);
                goto nomem;
            }
            rows = nr;
            cap = ncap;
        }
        rows[nrows++] = p;
        if (!p.cat || !p.ser)
            goto nomem;
        }
    }
    if (nrows == 0) {
        st = utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_CHART_EMPTY,
                              "no rows with values to draw (only a header?)");
        utfall_error_locate(err, file, 0, 0, NULL);
        goto done;
    }
    int panel = utfall_chart_add_panel(c, &po);
    if (panel < 0)
        goto nomem;
    /* An empty category on the last rows is the total row of utfall's own
     * output; anywhere else it is a value not stated. */
    size_t first_total = nrows;
    while (first_total > 0 && rows[first_total - 1].cat_empty)
        first_total--;
    for (size_t i = 0; i < nrows; i++) {
        struct pending *p = &rows[i];
        int total = 0;
        const char *cat = p->cat;
        if (p->cat_empty) {
            total = i >= first_total;
            cat = utfall_tr(c->lang, total ? "total" : "missing");
        }
        if (total && po.skip_total)
            continue;
        if (utfall_chart_add_point(c, panel, cat, p->ser, p->x, p->y, p->lo, p->hi, p->n, total))
            goto nomem;
    }
    st = UTFALL_OK;
    goto done;
nomem:
    st = utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
done:
    for (size_t i = 0; i < nrows; i++) {
        free(rows[i].cat);
        free(rows[i].ser);
    }
    free(rows);
    free(xl);
    free(yl);
    for (int i = 0; i < ns; i++)
        free(sname[i]);
    utfall_csv_close(r);
    return st;
}
