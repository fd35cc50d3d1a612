/* Charts: layout and rendering.  Text is laid out and measured with Pango;
 * PDF and PNG are drawn with cairo, SVG is written directly with real
 * <text> elements (editable in slides, searchable, checkable in tests),
 * positioned from the same Pango layout.  All layout is in points. */
#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/chart_impl.h"
#include "render/pango_text.h"
#include "render/render.h"

#define FONT UTFALL_FONT
#define PT_PER_MM (72.0 / 25.4)

typedef struct rgb {
    double r, g, b;
} rgb;

static rgb hex(unsigned v)
{
    return (rgb){((v >> 16) & 255) / 255.0, ((v >> 8) & 255) / 255.0, (v & 255) / 255.0};
}

/* Okabe & Ito (2008), without yellow first: it is too light for bars on
 * white; then four of Paul Tol's muted colours, unlike all eight, because
 * exit outcomes often number ten or more and a repeated colour in a
 * stacked bar reads as one outcome. */
static const unsigned palette[] = {0x0072B2, 0xE69F00, 0x009E73, 0x56B4E9,
                                   0xD55E00, 0xCC79A7, 0xF0E442, 0x000000,
                                   0x882255, 0x999933, 0x332288, 0x44AA99};
#define C_TEXT 0x222222
#define C_MUTED 0x555555
#define C_GRID 0xDDDDDD
#define C_AXIS 0x444444
#define C_TOTAL 0x6E6E6E
#define C_NEUTRAL 0xBBBBBB

/* ---- the drawing surface: cairo, or an SVG text buffer ------------------ */

typedef struct buf {
    char *s;
    size_t n, cap;
    int failed;
} buf;

static void bprintf(buf *b, const char *fmt, ...) UTFALL_PRINTF(2, 3);
static void bprintf(buf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->failed = 1;
            return;
        }
        if (b->s && b->n + (size_t)k < b->cap) {
            b->n += (size_t)k;
            return;
        }
        size_t ncap = b->cap ? b->cap * 2 : 65536;
        while (ncap < b->n + (size_t)k + 1)
            ncap *= 2;
        char *ns = realloc(b->s, ncap);
        if (!ns) {
            b->failed = 1;
            return;
        }
        b->s = ns;
        b->cap = ncap;
    }
}

static void bescape(buf *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len && s[i]; i++) {
        switch (s[i]) {
        case '<': bprintf(b, "&lt;"); break;
        case '>': bprintf(b, "&gt;"); break;
        case '&': bprintf(b, "&amp;"); break;
        case '"': bprintf(b, "&quot;"); break;
        default:
            if ((unsigned char)s[i] >= 0x20 || s[i] == '\t')
                bprintf(b, "%c", s[i]);
        }
    }
}

typedef struct dc {
    cairo_t *cr; /* drawing (PDF/PNG) or measuring only (SVG) */
    buf *svg;    /* non-NULL: write SVG */
    cairo_font_options_t *fo;
    utfall_lang lang;
    double W, H;
    int dry;         /* measuring pass: draw nothing */
    double label_w;  /* widest category label column of horizontal panels,
                      * so that stacked panels share one value axis */
} dc;

PangoLayout *utfall_text_layout(cairo_t *cr, const cairo_font_options_t *fo, const char *text,
                                double size, int bold, int italic, double wrap,
                                PangoAlignment align)
{
    PangoLayout *l = pango_cairo_create_layout(cr);
    pango_cairo_context_set_font_options(pango_layout_get_context(l), fo);
    pango_layout_context_changed(l);
    PangoFontDescription *fd = pango_font_description_from_string(UTFALL_FONT);
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_style(fd, italic ? PANGO_STYLE_OBLIQUE : PANGO_STYLE_NORMAL);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    if (wrap > 0) {
        pango_layout_set_width(l, (int)(wrap * PANGO_SCALE));
        pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    }
    pango_layout_set_alignment(l, align);
    pango_layout_set_text(l, text ? text : "", -1);
    return l;
}

static PangoLayout *text_layout(dc *d, const char *s, double size, int bold, double wrap,
                                PangoAlignment align)
{
    return utfall_text_layout(d->cr, d->fo, s, size, bold, 0, wrap, align);
}

static void text_size(PangoLayout *l, double *w, double *h)
{
    PangoRectangle ink, log;
    pango_layout_get_extents(l, &ink, &log);
    if (w)
        *w = log.width / (double)PANGO_SCALE;
    if (h)
        *h = log.height / (double)PANGO_SCALE;
}

static const char *css(rgb c, char *s)
{
    sprintf(s, "#%02X%02X%02X", (int)lround(c.r * 255), (int)lround(c.g * 255),
            (int)lround(c.b * 255));
    return s;
}

/* Draw a layout with the top-left of its logical box at (x, y); angle is
 * 0 or -90 (reading upwards, rotated about (x, y)). */
static void draw_text(dc *d, PangoLayout *l, double x, double y, rgb col, int rotated,
                      const char *cls)
{
    if (d->dry)
        return;
    if (d->svg) {
        char cs[16];
        const PangoFontDescription *fd = pango_layout_get_font_description(l);
        double size = pango_font_description_get_size(fd) / (double)PANGO_SCALE;
        int bold = pango_font_description_get_weight(fd) >= PANGO_WEIGHT_BOLD;
        if (rotated)
            bprintf(d->svg, "<g transform=\"translate(%.2f %.2f) rotate(-90)\">\n", x, y);
        const char *text = pango_layout_get_text(l);
        PangoLayoutIter *it = pango_layout_get_iter(l);
        do {
            PangoLayoutLine *line = pango_layout_iter_get_line_readonly(it);
            PangoRectangle lr;
            pango_layout_iter_get_line_extents(it, NULL, &lr);
            double bx = lr.x / (double)PANGO_SCALE;
            double by = pango_layout_iter_get_baseline(it) / (double)PANGO_SCALE;
            size_t len = (size_t)line->length;
            while (len && (text[line->start_index + (int)len - 1] == '\n'))
                len--;
            if (!len)
                continue;
            bprintf(d->svg,
                    "<text class=\"%s\" x=\"%.2f\" y=\"%.2f\" font-family=\"" FONT
                    ", sans-serif\" font-size=\"%.2f\"%s fill=\"%s\" xml:space=\"preserve\">",
                    cls, rotated ? bx : x + bx, rotated ? by : y + by, size,
                    bold ? " font-weight=\"bold\"" : "", css(col, cs));
            bescape(d->svg, text + line->start_index, len);
            bprintf(d->svg, "</text>\n");
        } while (pango_layout_iter_next_line(it));
        pango_layout_iter_free(it);
        if (rotated)
            bprintf(d->svg, "</g>\n");
        return;
    }
    cairo_save(d->cr);
    cairo_set_source_rgb(d->cr, col.r, col.g, col.b);
    cairo_translate(d->cr, x, y);
    if (rotated)
        cairo_rotate(d->cr, -M_PI / 2);
    cairo_move_to(d->cr, 0, 0);
    pango_cairo_update_layout(d->cr, l);
    pango_cairo_show_layout(d->cr, l);
    cairo_restore(d->cr);
}

/* One-shot text: lay out, draw, free; returns the height. */
static double put_text(dc *d, const char *s, double x, double y, double size, int bold,
                       double wrap, PangoAlignment align, rgb col, const char *cls)
{
    if (!s || !*s)
        return 0;
    PangoLayout *l = text_layout(d, s, size, bold, wrap, align);
    double h;
    text_size(l, NULL, &h);
    draw_text(d, l, x, y, col, 0, cls);
    g_object_unref(l);
    return h;
}

static void fill_rect(dc *d, double x, double y, double w, double h, rgb c, const char *cls,
                      const char *label)
{
    if (d->dry)
        return;
    if (w < 0) {
        x += w;
        w = -w;
    }
    if (h < 0) {
        y += h;
        h = -h;
    }
    if (d->svg) {
        char cs[16];
        bprintf(d->svg, "<rect class=\"%s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                        "fill=\"%s\"",
                cls, x, y, w, h, css(c, cs));
        if (label) {
            bprintf(d->svg, " data-label=\"");
            bescape(d->svg, label, strlen(label));
            bprintf(d->svg, "\"");
        }
        bprintf(d->svg, "/>\n");
        return;
    }
    cairo_set_source_rgb(d->cr, c.r, c.g, c.b);
    cairo_rectangle(d->cr, x, y, w, h);
    cairo_fill(d->cr);
}

static void line(dc *d, double x0, double y0, double x1, double y1, double width, rgb c,
                 int dashed, const char *cls)
{
    if (d->dry)
        return;
    if (d->svg) {
        char cs[16];
        bprintf(d->svg, "<line class=\"%s\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" "
                        "stroke=\"%s\" stroke-width=\"%.2f\"%s/>\n",
                cls, x0, y0, x1, y1, css(c, cs), width,
                dashed ? " stroke-dasharray=\"4 2.5\"" : "");
        return;
    }
    cairo_save(d->cr);
    cairo_set_source_rgb(d->cr, c.r, c.g, c.b);
    cairo_set_line_width(d->cr, width);
    if (dashed) {
        double dash[] = {4, 2.5};
        cairo_set_dash(d->cr, dash, 2, 0);
    }
    cairo_move_to(d->cr, x0, y0);
    cairo_line_to(d->cr, x1, y1);
    cairo_stroke(d->cr);
    cairo_restore(d->cr);
}

/* A polyline (fill = 0) or a filled polygon with alpha. */
static void poly(dc *d, const double *xy, size_t n, rgb c, double width, int fill,
                 double alpha, const char *cls)
{
    if (d->dry)
        return;
    if (n < 2)
        return;
    if (d->svg) {
        char cs[16];
        bprintf(d->svg, "<%s class=\"%s\" points=\"", fill ? "polygon" : "polyline", cls);
        for (size_t i = 0; i < n; i++)
            bprintf(d->svg, "%s%.2f,%.2f", i ? " " : "", xy[2 * i], xy[2 * i + 1]);
        if (fill)
            bprintf(d->svg, "\" fill=\"%s\" fill-opacity=\"%.2f\" stroke=\"none\"/>\n",
                    css(c, cs), alpha);
        else
            bprintf(d->svg, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"%.2f\" "
                            "stroke-linejoin=\"round\"/>\n",
                    css(c, cs), width);
        return;
    }
    cairo_save(d->cr);
    cairo_move_to(d->cr, xy[0], xy[1]);
    for (size_t i = 1; i < n; i++)
        cairo_line_to(d->cr, xy[2 * i], xy[2 * i + 1]);
    if (fill) {
        cairo_close_path(d->cr);
        cairo_set_source_rgba(d->cr, c.r, c.g, c.b, alpha);
        cairo_fill(d->cr);
    } else {
        cairo_set_source_rgb(d->cr, c.r, c.g, c.b);
        cairo_set_line_width(d->cr, width);
        cairo_set_line_join(d->cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke(d->cr);
    }
    cairo_restore(d->cr);
}

/* ---- numbers and axes ---------------------------------------------------- */

static double nice_step(double range, int target)
{
    if (!(range > 0))
        return 1;
    double raw = range / target, p10 = pow(10, floor(log10(raw))), m = raw / p10;
    return (m < 1.5 ? 1 : m < 2.25 ? 2 : m < 3.5 ? 2.5 : m < 7.5 ? 5 : 10) * p10;
}

static int decimals_for(double step)
{
    int d = 0;
    while (d < 4 && fabs(step * pow(10, d) - round(step * pow(10, d))) > 1e-9)
        d++;
    return d;
}

static void fmt_value(dc *d, double v, int percent, int decimals, char *out, size_t size)
{
    if (percent)
        utfall_fmt_percent(d->lang, v, decimals, out, size);
    else if (fabs(v - round(v)) < 1e-9 && decimals <= 0)
        utfall_fmt_count(d->lang, (long long)llround(v), out, size);
    else
        utfall_fmt_decimal(d->lang, v, decimals < 0 ? 1 : decimals, out, size);
}

typedef struct axis {
    double lo, hi, step;
    int percent, decimals, absolute;
} axis;

static axis make_axis(double lo, double hi, int percent, int ticks)
{
    axis a = {lo, hi, 0, percent, 0, 0};
    if (percent && lo >= 0 && hi <= 1.0) {
        a.lo = 0;
        a.hi = 1;
        a.step = 0.2;
        return a;
    }
    if (!(hi > lo)) {
        hi = lo + 1;
    }
    a.step = nice_step(hi - lo, ticks);
    a.lo = floor(lo / a.step + 1e-9) * a.step;
    a.hi = ceil(hi / a.step - 1e-9) * a.step;
    if (a.hi <= hi - 1e-12)
        a.hi += a.step;
    a.decimals = decimals_for(percent ? a.step * 100 : a.step);
    return a;
}

/* Number of steps from lo to hi; -1 (no ticks) when the step is lost in
 * the magnitude of the numbers or there would be too many. */
static int nticks(const axis *a)
{
    double n = (a->hi - a->lo) / a->step;
    if (!(a->step > 0) || !isfinite(n) || n > 100 || a->lo + a->step == a->lo)
        return -1;
    return (int)floor(n + 1e-9);
}

/* An axis with a usable range (numbers near 1e300 or all equal at a huge
 * magnitude leave none): otherwise the panel is left empty. */
static int axis_ok(const axis *a)
{
    return isfinite(a->lo) && isfinite(a->hi) && a->hi > a->lo && isfinite(a->hi - a->lo);
}

static void tick_label(dc *d, const axis *a, double v, char *out, size_t size)
{
    if (fabs(v) < a->step * 1e-6)
        v = 0;
    fmt_value(d, a->absolute ? fabs(v) : v, a->percent, a->decimals, out, size);
}

/* ---- panel data, pivoted ---------------------------------------------------- */

typedef struct grid {
    size_t ncat, nser;
    const char **cat, **ser;
    double *v, *lo, *hi; /* [cat * nser + ser] */
    double *n;           /* per category */
    int *total;
} grid;

static size_t intern(const char **list, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(list[i], s))
            return i;
    list[*n] = s;
    return (*n)++;
}

static int make_grid(const struct chart_panel *p, grid *g)
{
    memset(g, 0, sizeof *g);
    size_t n = p->n ? p->n : 1;
    g->cat = calloc(n, sizeof *g->cat);
    g->ser = calloc(n, sizeof *g->ser);
    if (!g->cat || !g->ser)
        return -1;
    for (size_t i = 0; i < p->n; i++) {
        intern(g->cat, &g->ncat, p->p[i].cat);
        intern(g->ser, &g->nser, p->p[i].series);
    }
    size_t cells = (g->ncat ? g->ncat : 1) * (g->nser ? g->nser : 1);
    g->v = malloc(cells * sizeof *g->v);
    g->lo = malloc(cells * sizeof *g->lo);
    g->hi = malloc(cells * sizeof *g->hi);
    g->n = malloc((g->ncat + 1) * sizeof *g->n);
    g->total = calloc(g->ncat + 1, sizeof *g->total);
    if (!g->v || !g->lo || !g->hi || !g->n || !g->total)
        return -1;
    for (size_t i = 0; i < cells; i++)
        g->v[i] = g->lo[i] = g->hi[i] = NAN;
    for (size_t i = 0; i <= g->ncat; i++)
        g->n[i] = NAN;
    for (size_t i = 0; i < p->n; i++) {
        size_t c = intern(g->cat, &g->ncat, p->p[i].cat);
        size_t s = intern(g->ser, &g->nser, p->p[i].series);
        g->v[c * g->nser + s] = p->p[i].y;
        g->lo[c * g->nser + s] = p->p[i].lo;
        g->hi[c * g->nser + s] = p->p[i].hi;
        if (isfinite(p->p[i].n) && !(g->n[c] >= p->p[i].n))
            g->n[c] = p->p[i].n;
        g->total[c] |= p->p[i].total;
    }
    return 0;
}

static void free_grid(grid *g)
{
    free(g->cat);
    free(g->ser);
    free(g->v);
    free(g->lo);
    free(g->hi);
    free(g->n);
    free(g->total);
}

static rgb series_colour(const grid *g, size_t s, utfall_chart_kind kind)
{
    if (kind == UTFALL_CHART_DIVERGING) {
        size_t ns = g->nser, half = ns / 2;
        if (ns % 2 && s == half)
            return hex(C_NEUTRAL);
        if (s < half)
            return hex(s + 1 == half ? 0xD55E00 : 0xE69F00);
        return hex(s == ns - half ? 0x0072B2 : 0x56B4E9);
    }
    return hex(palette[s % (sizeof palette / sizeof palette[0])]);
}

static int is_dark(rgb c)
{
    return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b < 0.5;
}

/* ---- legend ------------------------------------------------------------------- */

#define SZ_TITLE 12.5
#define SZ_SUB 9.5
#define SZ_PANEL 9.5
#define SZ_LABEL 8.0
#define SZ_VALUE 7.5
#define SZ_NOTE 7.0

/* Swatches in rows across the width; returns the height used. */
static double legend(dc *d, const grid *g, utfall_chart_kind kind, double x0, double y0,
                     double width, int draw, int lines)
{
    double x = x0, y = y0, rowh = 0;
    for (size_t s = 0; s < g->nser; s++) {
        PangoLayout *l = text_layout(d, g->ser[s], SZ_LABEL, 0, width * 0.8, PANGO_ALIGN_LEFT);
        double tw, th;
        text_size(l, &tw, &th);
        double item = (lines ? 14 : 10) + 3 + tw + 12;
        if (x > x0 && x + item > x0 + width) {
            x = x0;
            y += rowh + 3;
            rowh = 0;
        }
        if (draw) {
            rgb c = series_colour(g, s, kind);
            if (lines)
                line(d, x, y + th / 2, x + 14, y + th / 2, 2, c, 0, "legend-key");
            else
                fill_rect(d, x, y + th / 2 - 4.5, 9, 9, c, "legend-key", g->ser[s]);
            draw_text(d, l, x + (lines ? 14 : 10) + 3, y, hex(C_TEXT), 0, "legend");
        }
        g_object_unref(l);
        x += item;
        if (th > rowh)
            rowh = th;
    }
    return y - y0 + rowh;
}

/* ---- categorical bars ---------------------------------------------------------- */

static void category_label(dc *d, const grid *g, size_t c, int newline, char *out, size_t size)
{
    if (isfinite(g->n[c])) {
        char n[64];
        utfall_fmt_count(d->lang, (long long)llround(g->n[c]), n, sizeof n);
        snprintf(out, size, "%s%s(n\xC2\xA0=\xC2\xA0%s)", g->cat[c], newline ? "\n" : " ", n);
    } else {
        snprintf(out, size, "%s", g->cat[c]);
    }
}

/* Shares of each category's sum, for 100 % stacked and percent diverging
 * bars drawn from counts. */
static void normalize(grid *g)
{
    for (size_t c = 0; c < g->ncat; c++) {
        double sum = 0;
        for (size_t s = 0; s < g->nser; s++)
            if (isfinite(g->v[c * g->nser + s]))
                sum += g->v[c * g->nser + s];
        /* shares already (a hidden small cell leaves the sum below 1):
         * keep them true rather than inflate the others */
        if (sum <= 1 + 1e-9)
            continue;
        for (size_t s = 0; s < g->nser && sum > 0; s++)
            g->v[c * g->nser + s] /= sum;
    }
}

/* Do the vertical labels fit under their bars (at most three lines, no
 * word broken)? */
static int vertical_labels_fit(dc *d, const grid *g, double slot, double *label_h)
{
    *label_h = 0;
    char lab[600];
    for (size_t c = 0; c < g->ncat; c++) {
        category_label(d, g, c, 1, lab, sizeof lab);
        PangoLayout *l = text_layout(d, lab, SZ_LABEL, g->total[c], slot - 4, PANGO_ALIGN_CENTER);
        double w, h;
        text_size(l, &w, &h);
        int lines = pango_layout_get_line_count(l);
        int broken = 0;
        /* a line ending inside a word means the word did not fit */
        PangoLayoutIter *it = pango_layout_get_iter(l);
        const char *t = pango_layout_get_text(l);
        do {
            PangoLayoutLine *ln = pango_layout_iter_get_line_readonly(it);
            int end = ln->start_index + ln->length;
            if (end > 0 && t[end] && t[end] != ' ' && t[end] != '\n' && t[end - 1] != ' '
                && t[end - 1] != '-' && t[end - 1] != '\n')
                broken = 1;
        } while (pango_layout_iter_next_line(it));
        pango_layout_iter_free(it);
        g_object_unref(l);
        if (lines > (isfinite(g->n[c]) ? 3 : 2) || broken)
            return 0;
        if (h > *label_h)
            *label_h = h;
    }
    return 1;
}

static void bars(dc *d, const struct chart_panel *p, grid *g, double x0, double y0, double x1,
                 double y1)
{
    utfall_chart_kind kind = p->opt.kind;
    int percent = p->opt.percent || kind == UTFALL_CHART_STACKED;
    if (kind == UTFALL_CHART_STACKED || (kind == UTFALL_CHART_DIVERGING && p->opt.percent))
        normalize(g);
    int stacked = kind == UTFALL_CHART_STACKED || kind == UTFALL_CHART_DIVERGING;
    int grouped = kind == UTFALL_CHART_GROUPED;
    size_t ns = g->nser ? g->nser : 1;

    /* value range */
    double vmin = 0, vmax = 0;
    for (size_t c = 0; c < g->ncat; c++) {
        double left = 0, right = 0, sum = 0;
        size_t half = ns / 2;
        for (size_t s = 0; s < ns; s++) {
            double v = g->v[c * ns + s];
            if (!isfinite(v))
                continue;
            if (kind == UTFALL_CHART_DIVERGING) {
                if (ns % 2 && s == half) {
                    left += v / 2;
                    right += v / 2;
                } else if (s < half) {
                    left += v;
                } else {
                    right += v;
                }
            } else if (stacked) {
                sum += v;
            } else {
                vmax = fmax(vmax, fmax(v, isfinite(g->hi[c * ns + s]) ? g->hi[c * ns + s] : v));
                vmin = fmin(vmin, fmin(v, isfinite(g->lo[c * ns + s]) ? g->lo[c * ns + s] : v));
            }
        }
        vmax = fmax(vmax, fmax(right, sum));
        vmin = fmin(vmin, -left);
    }
    if (isfinite(p->opt.target))
        vmax = fmax(vmax, p->opt.target);
    axis a;
    if (kind == UTFALL_CHART_DIVERGING) {
        double m = fmax(vmax, -vmin);
        a = make_axis(-m, m, percent, 6);
        if (percent && m <= 1) {
            double st = m > 0.5 ? 0.25 : m > 0.2 ? 0.1 : 0.05;
            double e = fmax(ceil(m / st - 1e-9) * st, st);
            a = (axis){-e, e, st, 1, 0, 0};
        }
        a.absolute = 1;
    } else if (kind == UTFALL_CHART_STACKED) {
        a = (axis){0, 1, 0.2, 1, 0, 0};
    } else {
        a = make_axis(vmin, vmax, percent, 5);
    }
    if (!axis_ok(&a))
        return;
    int horizontal = kind == UTFALL_CHART_HBAR || kind == UTFALL_CHART_DIVERGING;

    /* room for tick labels */
    char tl[96];
    double tick_w = 0, tick_h = 0;
    for (int ti_ = 0, nt_ = nticks(&a); ti_ <= nt_; ti_++) {
        double v = a.lo + ti_ * a.step;
        tick_label(d, &a, v, tl, sizeof tl);
        PangoLayout *l = text_layout(d, tl, SZ_LABEL, 0, 0, PANGO_ALIGN_LEFT);
        double w, h;
        text_size(l, &w, &h);
        g_object_unref(l);
        tick_w = fmax(tick_w, w);
        tick_h = fmax(tick_h, h);
    }
    char target_text[160] = "";
    double target_w = 0, target_h = 0;
    if (isfinite(p->opt.target)) {
        char v[64];
        fmt_value(d, p->opt.target, percent, percent ? (fabs(p->opt.target * 100 - round(p->opt.target * 100)) > 1e-9) : -1, v, sizeof v);
        snprintf(target_text, sizeof target_text, "%s %s",
                 p->target_label ? p->target_label : utfall_tr(d->lang, "chart.target"), v);
        PangoLayout *l = text_layout(d, target_text, SZ_LABEL, 0, 0, PANGO_ALIGN_LEFT);
        text_size(l, &target_w, &target_h);
        g_object_unref(l);
    }
    const char *vlabel = p->ylabel, *clabel = p->xlabel;
    double vlabel_h = 0, clabel_h = 0;
    if (vlabel && *vlabel) {
        PangoLayout *l = text_layout(d, vlabel, SZ_LABEL, 0, 0, PANGO_ALIGN_LEFT);
        text_size(l, NULL, &vlabel_h);
        g_object_unref(l);
    }
    if (clabel && *clabel) {
        PangoLayout *l = text_layout(d, clabel, SZ_LABEL, 0, 0, PANGO_ALIGN_LEFT);
        text_size(l, NULL, &clabel_h);
        g_object_unref(l);
    }

    /* vertical when the labels fit, else horizontal */
    double label_h = 0;
    if (!horizontal) {
        double pw = (x1 - x0) - tick_w - 6 - (vlabel_h ? vlabel_h + 4 : 0) - (target_w ? target_w + 6 : 0);
        if (!vertical_labels_fit(d, g, pw / (double)(g->ncat ? g->ncat : 1), &label_h))
            horizontal = 1;
    }
    char lab[600], val[96];
    if (!horizontal) {
        double px0 = x0 + (vlabel_h ? vlabel_h + 4 : 0) + tick_w + 6;
        double px1 = x1 - (target_w ? target_w + 6 : 4);
        double py0 = y0 + tick_h / 2 + 10;
        double py1 = y1 - label_h - 4 - (clabel_h ? clabel_h + 4 : 0);
        double slot = (px1 - px0) / (double)(g->ncat ? g->ncat : 1);
#define VY(v) (py1 - ((v) - a.lo) / (a.hi - a.lo) * (py1 - py0))
        for (int ti_ = 0, nt_ = nticks(&a); ti_ <= nt_; ti_++) {
        double v = a.lo + ti_ * a.step;
            line(d, px0, VY(v), px1, VY(v), 0.5, hex(C_GRID), 0, "grid");
            tick_label(d, &a, v, tl, sizeof tl);
            PangoLayout *l = text_layout(d, tl, SZ_LABEL, 0, 0, PANGO_ALIGN_LEFT);
            double w, h;
            text_size(l, &w, &h);
            draw_text(d, l, px0 - 4 - w, VY(v) - h / 2, hex(C_MUTED), 0, "tick");
            g_object_unref(l);
        }
        if (vlabel_h) {
            PangoLayout *l = text_layout(d, vlabel, SZ_LABEL, 0, 0, PANGO_ALIGN_LEFT);
            double w;
            text_size(l, &w, NULL);
            draw_text(d, l, x0, (py0 + py1) / 2 + w / 2, hex(C_MUTED), 1, "axis-title");
            g_object_unref(l);
        }
        for (size_t c = 0; c < g->ncat; c++) {
            double sx = px0 + slot * (double)c;
            double bw = slot * (grouped ? 0.8 / (double)ns : 0.62);
            double base = sx + slot * (grouped ? 0.1 : 0.19);
            double cum = 0;
            for (size_t s = 0; s < ns; s++) {
                double v = g->v[c * ns + s];
                if (!isfinite(v))
                    continue;
                rgb col = g->total[c] && ns == 1 ? hex(C_TOTAL) : series_colour(g, s, kind);
                double bx = grouped ? base + bw * (double)s : base;
                double from = stacked ? cum : 0, to = stacked ? cum + v : v;
                category_label(d, g, c, 0, lab, sizeof lab);
                fill_rect(d, bx + (grouped ? 0.5 : 0), VY(to), bw - (grouped ? 1 : 0),
                          VY(from) - VY(to), col, "bar", lab);
                double hi = g->hi[c * ns + s], lo = g->lo[c * ns + s];
                double top = to;
                if (!stacked && isfinite(hi) && isfinite(lo)) {
                    double cx = bx + bw / 2, cap = fmin(bw * 0.15, 4);
                    line(d, cx, VY(lo), cx, VY(hi), 0.9, hex(C_TEXT), 0, "whisker");
                    line(d, cx - cap, VY(hi), cx + cap, VY(hi), 0.9, hex(C_TEXT), 0, "whisker");
                    line(d, cx - cap, VY(lo), cx + cap, VY(lo), 0.9, hex(C_TEXT), 0, "whisker");
                    top = fmax(top, hi);
                }
                fmt_value(d, v, percent, percent ? (stacked ? 0 : 1) : -1, val, sizeof val);
                PangoLayout *l = text_layout(d, val, SZ_VALUE, 0, 0, PANGO_ALIGN_LEFT);
                double w, h;
                text_size(l, &w, &h);
                if (stacked) {
                    if (w + 3 < bw && h + 2 < VY(from) - VY(to))
                        draw_text(d, l, bx + bw / 2 - w / 2, (VY(from) + VY(to)) / 2 - h / 2,
                                  is_dark(col) ? hex(0xFFFFFF) : hex(C_TEXT), 0, "value");
                } else if (w < slot * (grouped ? 1.0 / (double)ns : 1) + 2) {
                    draw_text(d, l, bx + bw / 2 - w / 2, VY(top) - h - 1.5, hex(C_TEXT), 0,
                              "value");
                }
                g_object_unref(l);
                cum += v;
            }
            category_label(d, g, c, 1, lab, sizeof lab);
            PangoLayout *l = text_layout(d, lab, SZ_LABEL, g->total[c], slot - 4,
                                         PANGO_ALIGN_CENTER);
            draw_text(d, l, sx + 2, py1 + 4, hex(C_TEXT), 0, "category");
            g_object_unref(l);
        }
        line(d, px0, VY(fmax(a.lo, 0)), px1, VY(fmax(a.lo, 0)), 0.8, hex(C_AXIS), 0, "axis");
        if (target_text[0]) {
            double ty = VY(p->opt.target);
            line(d, px0, ty, px1, ty, 1.1, hex(C_TEXT), 1, "target");
            PangoLayout *l = text_layout(d, target_text, SZ_LABEL, 0, 0, PANGO_ALIGN_LEFT);
            draw_text(d, l, px1 + 4, ty - target_h / 2, hex(C_TEXT), 0, "target-label");
            g_object_unref(l);
        }
        if (clabel_h)
            put_text(d, clabel, px0, y1 - clabel_h, SZ_LABEL, 0, px1 - px0, PANGO_ALIGN_CENTER,
                     hex(C_MUTED), "axis-title");
#undef VY
        return;
    }

    /* horizontal: labels in a column on the left, values along the bottom */
    double label_w = 0;
    double maxw = (x1 - x0) * 0.38;
    for (size_t c = 0; c < g->ncat; c++) {
        category_label(d, g, c, 0, lab, sizeof lab);
        PangoLayout *l = text_layout(d, lab, SZ_LABEL, g->total[c], maxw, PANGO_ALIGN_RIGHT);
        PangoRectangle ink, lg;
        pango_layout_get_pixel_extents(l, &ink, &lg);
        double w = 0;
        /* widest line, not the wrap width */
        PangoLayoutIter *it = pango_layout_get_iter(l);
        do {
            PangoRectangle lr;
            pango_layout_iter_get_line_extents(it, NULL, &lr);
            w = fmax(w, lr.width / (double)PANGO_SCALE);
        } while (pango_layout_iter_next_line(it));
        pango_layout_iter_free(it);
        double lh;
        text_size(l, NULL, &lh);
        label_h = fmax(label_h, lh);
        g_object_unref(l);
        label_w = fmax(label_w, w);
    }
    label_w = fmin(label_w + 1, maxw);
    d->label_w = fmax(d->label_w, label_w);
    label_w = d->label_w;
    double px0 = x0 + label_w + 6;
    double px1 = x1 - fmax(tick_w / 2, 4);
    double py0 = y0 + (target_text[0] ? target_h + 3 : 0);
    double py1 = y1 - tick_h - 4 - (vlabel_h ? vlabel_h + 4 : 0);
    if (!stacked) {
        /* room for value labels beyond the longest bar */
        fmt_value(d, vmax, percent, percent ? 1 : -1, val, sizeof val);
        PangoLayout *l = text_layout(d, val, SZ_VALUE, 0, 0, PANGO_ALIGN_LEFT);
        double w;
        text_size(l, &w, NULL);
        g_object_unref(l);
        px1 = x1 - w - 6;
    }
    double slot = (py1 - py0) / (double)(g->ncat ? g->ncat : 1);
    /* rows too low for wrapped labels (a small --size): one line each,
     * shortened with an ellipsis, rather than labels over each other */
    int one_line = label_h > slot - 1;
#define HX(v) (px0 + ((v) - a.lo) / (a.hi - a.lo) * (px1 - px0))
    for (int ti_ = 0, nt_ = nticks(&a); ti_ <= nt_; ti_++) {
        double v = a.lo + ti_ * a.step;
        line(d, HX(v), py0, HX(v), py1, 0.5, hex(C_GRID), 0, "grid");
        tick_label(d, &a, v, tl, sizeof tl);
        PangoLayout *l = text_layout(d, tl, SZ_LABEL, 0, 0, PANGO_ALIGN_LEFT);
        double w;
        text_size(l, &w, NULL);
        draw_text(d, l, HX(v) - w / 2, py1 + 3, hex(C_MUTED), 0, "tick");
        g_object_unref(l);
    }
    if (vlabel_h)
        put_text(d, vlabel, px0, y1 - vlabel_h, SZ_LABEL, 0, px1 - px0, PANGO_ALIGN_CENTER,
                 hex(C_MUTED), "axis-title");
    /* the zero line under the bars, so it never crosses a value label */
    double zero = a.lo < 0 && a.hi > 0 ? 0 : a.lo;
    line(d, HX(zero), py0, HX(zero), py1, 0.8, hex(C_AXIS), 0, "axis");
    for (size_t c = 0; c < g->ncat; c++) {
        double sy = py0 + slot * (double)c;
        double bh = fmin(slot * (grouped ? 0.8 / (double)ns : 0.66), grouped ? 14 : 22);
        double base = sy + slot / 2 - (grouped ? bh * (double)ns / 2 : bh / 2);
        double cum = 0;
        if (kind == UTFALL_CHART_DIVERGING) {
            /* start left of zero by the left half and half of the middle */
            size_t half = ns / 2;
            for (size_t s = 0; s < ns; s++) {
                double v = g->v[c * ns + s];
                if (isfinite(v) && (s < half || (ns % 2 && s == half)))
                    cum -= s < half ? v : v / 2;
            }
        }
        for (size_t s = 0; s < ns; s++) {
            double v = g->v[c * ns + s];
            if (!isfinite(v))
                continue;
            rgb col = g->total[c] && ns == 1 ? hex(C_TOTAL) : series_colour(g, s, kind);
            double by = grouped ? base + bh * (double)s : base;
            double from = stacked ? cum : 0, to = stacked ? cum + v : v;
            category_label(d, g, c, 0, lab, sizeof lab);
            fill_rect(d, HX(from), by + (grouped ? 0.5 : 0), HX(to) - HX(from),
                      bh - (grouped ? 1 : 0), col, "bar", lab);
            double hi = g->hi[c * ns + s], lo = g->lo[c * ns + s], end = to;
            if (!stacked && isfinite(hi) && isfinite(lo)) {
                double cy = by + bh / 2, cap = fmin(bh * 0.2, 4);
                line(d, HX(lo), cy, HX(hi), cy, 0.9, hex(C_TEXT), 0, "whisker");
                line(d, HX(lo), cy - cap, HX(lo), cy + cap, 0.9, hex(C_TEXT), 0, "whisker");
                line(d, HX(hi), cy - cap, HX(hi), cy + cap, 0.9, hex(C_TEXT), 0, "whisker");
                end = fmax(end, hi);
            }
            fmt_value(d, v, percent, percent ? (stacked ? 0 : 1) : -1, val, sizeof val);
            PangoLayout *l = text_layout(d, val, SZ_VALUE, 0, 0, PANGO_ALIGN_LEFT);
            double w, h;
            text_size(l, &w, &h);
            if (stacked) {
                if (w + 4 < fabs(HX(to) - HX(from)) && h < bh + 1)
                    draw_text(d, l, (HX(from) + HX(to)) / 2 - w / 2, by + bh / 2 - h / 2,
                              is_dark(col) ? hex(0xFFFFFF) : hex(C_TEXT), 0, "value");
                else if (kind == UTFALL_CHART_DIVERGING && (s == 0 || s == ns - 1)
                         && h < bh + 4)
                    /* a thin outer segment: its share beside the bar's end */
                    draw_text(d, l, s == 0 ? HX(from) - 3 - w : HX(to) + 3,
                              by + bh / 2 - h / 2, hex(C_TEXT), 0, "value");
            } else if (h < bh + 4) {
                draw_text(d, l, HX(end) + 3, by + bh / 2 - h / 2, hex(C_TEXT), 0, "value");
            }
            g_object_unref(l);
            cum += v;
        }
        category_label(d, g, c, 0, lab, sizeof lab);
        PangoLayout *l = text_layout(d, lab, SZ_LABEL, g->total[c], label_w, PANGO_ALIGN_RIGHT);
        if (one_line) {
            pango_layout_set_height(l, -1);
            pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_MIDDLE);
        }
        double h;
        text_size(l, NULL, &h);
        draw_text(d, l, x0, sy + slot / 2 - h / 2, hex(C_TEXT), 0, "category");
        g_object_unref(l);
    }
    if (target_text[0]) {
        double tx = HX(p->opt.target);
        line(d, tx, py0, tx, py1, 1.1, hex(C_TEXT), 1, "target");
        PangoLayout *l = text_layout(d, target_text, SZ_LABEL, 0, 0, PANGO_ALIGN_LEFT);
        draw_text(d, l, fmin(tx - target_w / 2, x1 - target_w), y0, hex(C_TEXT), 0,
                  "target-label");
        g_object_unref(l);
    }
#undef HX
    (void)clabel;
}

/* ---- lines and histograms over numeric x ------------------------------------- */

static void xy_frame(dc *d, const axis *ax, const axis *ay, const char *xlabel,
                     const char *ylabel, double x0, double y0, double x1, double y1,
                     double *px0, double *py0, double *px1, double *py1)
{
    char tl[96];
    double tick_w = 0, tick_h = 0;
    for (int ti_ = 0, nt_ = nticks(ay); ti_ <= nt_; ti_++) {
        double v = ay->lo + ti_ * ay->step;
        tick_label(d, ay, v, tl, sizeof tl);
        PangoLayout *l = text_layout(d, tl, SZ_LABEL, 0, 0, PANGO_ALIGN_LEFT);
        double w, h;
        text_size(l, &w, &h);
        g_object_unref(l);
        tick_w = fmax(tick_w, w);
        tick_h = fmax(tick_h, h);
    }
    double yl_h = 0, xl_h = 0;
    if (ylabel && *ylabel) {
        PangoLayout *l = text_layout(d, ylabel, SZ_LABEL, 0, 0, PANGO_ALIGN_LEFT);
        text_size(l, NULL, &yl_h);
        g_object_unref(l);
    }
    if (xlabel && *xlabel) {
        PangoLayout *l = text_layout(d, xlabel, SZ_LABEL, 0, 0, PANGO_ALIGN_LEFT);
        text_size(l, NULL, &xl_h);
        g_object_unref(l);
    }
    *px0 = x0 + (yl_h ? yl_h + 4 : 0) + tick_w + 6;
    *px1 = x1 - 12;
    *py0 = y0 + tick_h / 2 + 2;
    *py1 = y1 - tick_h - 4 - (xl_h ? xl_h + 4 : 0);
#define FX(v) (*px0 + ((v) - ax->lo) / (ax->hi - ax->lo) * (*px1 - *px0))
#define FY(v) (*py1 - ((v) - ay->lo) / (ay->hi - ay->lo) * (*py1 - *py0))
    for (int ti_ = 0, nt_ = nticks(ay); ti_ <= nt_; ti_++) {
        double v = ay->lo + ti_ * ay->step;
        line(d, *px0, FY(v), *px1, FY(v), 0.5, hex(C_GRID), 0, "grid");
        tick_label(d, ay, v, tl, sizeof tl);
        PangoLayout *l = text_layout(d, tl, SZ_LABEL, 0, 0, PANGO_ALIGN_LEFT);
        double w, h;
        text_size(l, &w, &h);
        draw_text(d, l, *px0 - 4 - w, FY(v) - h / 2, hex(C_MUTED), 0, "tick");
        g_object_unref(l);
    }
    for (int ti_ = 0, nt_ = nticks(ax); ti_ <= nt_; ti_++) {
        double v = ax->lo + ti_ * ax->step;
        line(d, FX(v), *py1, FX(v), *py1 + 3, 0.6, hex(C_AXIS), 0, "tick-mark");
        tick_label(d, ax, v, tl, sizeof tl);
        PangoLayout *l = text_layout(d, tl, SZ_LABEL, 0, 0, PANGO_ALIGN_LEFT);
        double w;
        text_size(l, &w, NULL);
        draw_text(d, l, FX(v) - w / 2, *py1 + 4, hex(C_MUTED), 0, "tick");
        g_object_unref(l);
    }
    line(d, *px0, FY(fmax(ay->lo, 0)), *px1, FY(fmax(ay->lo, 0)), 0.8, hex(C_AXIS), 0, "axis");
    if (yl_h) {
        PangoLayout *l = text_layout(d, ylabel, SZ_LABEL, 0, 0, PANGO_ALIGN_LEFT);
        double w;
        text_size(l, &w, NULL);
        draw_text(d, l, x0, (*py0 + *py1) / 2 + w / 2, hex(C_MUTED), 1, "axis-title");
        g_object_unref(l);
    }
    if (xl_h)
        put_text(d, xlabel, *px0, y1 - xl_h, SZ_LABEL, 0, *px1 - *px0, PANGO_ALIGN_CENTER,
                 hex(C_MUTED), "axis-title");
}

static void marker(dc *d, const struct chart_panel *p, double mx, double py0, double py1,
                   double right)
{
    line(d, mx, py0, mx, py1, 1.0, hex(C_TEXT), 1, "marker");
    if (p->marker_label && *p->marker_label) {
        PangoLayout *l = text_layout(d, p->marker_label, SZ_LABEL, 0, 0, PANGO_ALIGN_LEFT);
        double w, h;
        text_size(l, &w, &h);
        double x = mx + 3 + w > right ? mx - 3 - w : mx + 3;
        fill_rect(d, x - 1, py0, w + 2, h, hex(0xFFFFFF), "marker-bg", NULL);
        draw_text(d, l, x, py0, hex(C_TEXT), 0, "marker-label");
        g_object_unref(l);
    }
}

static void lines(dc *d, const struct chart_panel *p, grid *g, double x0, double y0, double x1,
                  double y1)
{
    double xmin = INFINITY, xmax = -INFINITY, ymin = 0, ymax = 0;
    for (size_t i = 0; i < p->n; i++) {
        const struct chart_point *q = &p->p[i];
        xmin = fmin(xmin, q->x);
        xmax = fmax(xmax, q->x);
        ymax = fmax(ymax, fmax(q->y, isfinite(q->hi) ? q->hi : q->y));
        ymin = fmin(ymin, fmin(q->y, isfinite(q->lo) ? q->lo : q->y));
    }
    if (isfinite(p->opt.marker)) {
        xmin = fmin(xmin, p->opt.marker);
        xmax = fmax(xmax, p->opt.marker);
    }
    if (!(xmax > xmin))
        xmax = xmin + 1;
    axis ax = {xmin, xmax, nice_step(xmax - xmin, 8), 0, 0, 0};
    int whole = 1; /* months, years: ticks on whole numbers */
    for (size_t i = 0; i < p->n; i++)
        whole &= p->p[i].x == floor(p->p[i].x);
    if (whole && ax.step < 1)
        ax.step = 1;
    ax.decimals = decimals_for(ax.step);
    axis ay = make_axis(ymin, ymax, p->opt.percent, 5);
    if (!axis_ok(&ax) || !axis_ok(&ay))
        return;
    double px0, py0, px1, py1;
    xy_frame(d, &ax, &ay, p->xlabel, p->ylabel, x0, y0, x1, y1, &px0, &py0, &px1, &py1);
    double *xy = malloc((p->n * 2 + 2) * 2 * sizeof *xy);
    if (!xy)
        return;
    axis *axp = &ax, *ayp = &ay;
    double *ppx0 = &px0, *ppx1 = &px1, *ppy0 = &py0, *ppy1 = &py1;
#undef FX
#undef FY
#define FX(v) (*ppx0 + ((v) - axp->lo) / (axp->hi - axp->lo) * (*ppx1 - *ppx0))
#define FY(v) (*ppy1 - ((v) - ayp->lo) / (ayp->hi - ayp->lo) * (*ppy1 - *ppy0))
    for (int pass = 0; pass < 2; pass++)
        for (size_t s = 0; s < g->nser; s++) {
            rgb col = series_colour(g, s, UTFALL_CHART_LINE);
            size_t k = 0;
            if (pass == 0) {
                /* band: upper edge forwards, lower edge back */
                for (size_t i = 0; i < p->n; i++)
                    if (!strcmp(p->p[i].series, g->ser[s]) && isfinite(p->p[i].hi)
                        && isfinite(p->p[i].lo)) {
                        xy[2 * k] = FX(p->p[i].x);
                        xy[2 * k + 1] = FY(p->p[i].hi);
                        k++;
                    }
                for (size_t i = p->n; i-- > 0;)
                    if (!strcmp(p->p[i].series, g->ser[s]) && isfinite(p->p[i].hi)
                        && isfinite(p->p[i].lo)) {
                        xy[2 * k] = FX(p->p[i].x);
                        xy[2 * k + 1] = FY(p->p[i].lo);
                        k++;
                    }
                poly(d, xy, k, col, 0, 1, 0.16, "band");
            } else {
                for (size_t i = 0; i < p->n; i++)
                    if (!strcmp(p->p[i].series, g->ser[s])) {
                        xy[2 * k] = FX(p->p[i].x);
                        xy[2 * k + 1] = FY(p->p[i].y);
                        k++;
                    }
                poly(d, xy, k, col, 1.8, 0, 1, "line");
            }
        }
    free(xy);
    if (isfinite(p->opt.marker))
        marker(d, p, FX(p->opt.marker), py0, py1, px1);
#undef FX
#undef FY
}

static void histogram(dc *d, const struct chart_panel *p, double x0, double y0, double x1,
                      double y1)
{
    long counts[200];
    double first = 0, width = 1;
    size_t nb = 0;
    int binned = 0;
    for (size_t i = 0; i < p->n; i++)
        binned |= isfinite(p->p[i].y);
    double *edge = NULL;
    if (binned) {
        /* pre-binned: x is the lower edge, hi (if given) the upper, y the count */
        nb = p->n < 200 ? p->n : 200;
        edge = malloc((nb + 1) * 2 * sizeof *edge);
        if (!edge)
            return;
        double minw = INFINITY;
        for (size_t i = 1; i < nb; i++)
            if (p->p[i].x - p->p[i - 1].x > 0)
                minw = fmin(minw, p->p[i].x - p->p[i - 1].x);
        if (!isfinite(minw))
            minw = 1;
        for (size_t i = 0; i < nb; i++) {
            counts[i] = isfinite(p->p[i].y) ? (long)llround(p->p[i].y) : -1;
            edge[2 * i] = p->p[i].x;
            edge[2 * i + 1] = isfinite(p->p[i].hi) ? p->p[i].hi : p->p[i].x + minw;
        }
    } else {
        double *v = malloc((p->n ? p->n : 1) * sizeof *v);
        if (!v)
            return;
        for (size_t i = 0; i < p->n; i++)
            v[i] = p->p[i].x;
        nb = utfall_chart_bins(v, p->n, counts, 200, &first, &width);
        free(v);
        edge = malloc((nb + 1) * 2 * sizeof *edge);
        if (!edge)
            return;
        for (size_t i = 0; i < nb; i++) {
            edge[2 * i] = first + width * (double)i;
            edge[2 * i + 1] = first + width * (double)(i + 1);
        }
    }
    if (!nb) {
        free(edge);
        return;
    }
    double xmin = edge[0], xmax = edge[2 * nb - 1], cmax = 1;
    for (size_t i = 0; i < nb; i++)
        cmax = fmax(cmax, (double)counts[i]);
    axis ax = {xmin, xmax, nice_step(xmax - xmin, 6), 0, 0, 0};
    ax.decimals = decimals_for(ax.step);
    ax.lo = floor(xmin / ax.step) * ax.step;
    ax.hi = ceil(xmax / ax.step) * ax.step;
    axis ay = make_axis(0, cmax, 0, 5);
    if (ay.step < 1) {
        ay.step = 1;
        ay.hi = ceil(ay.hi);
        ay.decimals = 0;
    }
    if (!axis_ok(&ax) || !axis_ok(&ay)) {
        free(edge);
        return;
    }
    const char *ylabel = p->ylabel && *p->ylabel ? p->ylabel : utfall_tr(d->lang, "col.count");
    double px0, py0, px1, py1;
    xy_frame(d, &ax, &ay, p->xlabel, ylabel, x0, y0, x1, y1, &px0, &py0, &px1, &py1);
#define FX(v) (px0 + ((v) - ax.lo) / (ax.hi - ax.lo) * (px1 - px0))
#define FY(v) (py1 - ((v) - ay.lo) / (ay.hi - ay.lo) * (py1 - py0))
    char val[64];
    for (size_t i = 0; i < nb; i++) {
        if (counts[i] <= 0)
            continue;
        double bx0 = FX(edge[2 * i]), bx1 = FX(edge[2 * i + 1]);
        /* with a marker (0 for a change): bins below it, at it and above
         * it in the colours of decreased, unchanged and increased */
        unsigned colour = 0x56B4E9;
        if (isfinite(p->opt.marker))
            colour = edge[2 * i + 1] <= p->opt.marker + 1e-9 ? 0xD55E00
                     : edge[2 * i] >= p->opt.marker - 1e-9   ? 0x0072B2
                                                              : C_NEUTRAL;
        fill_rect(d, bx0 + 0.4, FY((double)counts[i]), bx1 - bx0 - 0.8,
                  FY(0) - FY((double)counts[i]), hex(colour), "bar", NULL);
        utfall_fmt_count(d->lang, counts[i], val, sizeof val);
        PangoLayout *l = text_layout(d, val, SZ_VALUE, 0, 0, PANGO_ALIGN_LEFT);
        double w, h;
        text_size(l, &w, &h);
        if (w < bx1 - bx0)
            draw_text(d, l, (bx0 + bx1) / 2 - w / 2, FY((double)counts[i]) - h - 1,
                      hex(C_TEXT), 0, "value");
        g_object_unref(l);
    }
    int on_edge = 0;
    for (size_t i = 0; i < 2 * nb; i++)
        on_edge |= fabs(edge[i] - p->opt.marker) < 1e-9;
    if (isfinite(p->opt.marker) && on_edge && p->opt.marker >= ax.lo && p->opt.marker <= ax.hi)
        marker(d, p, FX(p->opt.marker), py0, py1, px1);
#undef FX
#undef FY
    free(edge);
}

/* ---- forest plots ------------------------------------------------------------- */

/* The forest plot's axis ticks and grid: linear, or on a log axis (values
 * in log units) at 1, 2, 5 × 10^k, within a decade also at 1.25, 1.5, 3,
 * 4, 6, 8.  Labels of powers of ten first, then the others where they do
 * not overlap one already drawn. */
static void forest_ticks(dc *d, const axis *ax, int lg, double px0, double px1, double y0,
                         double ybase)
{
    static const double fine[] = {1, 1.25, 1.5, 2, 3, 4, 5, 6, 8}, coarse[] = {1, 2, 5};
    int nm = lg && ax->hi - ax->lo < log(10) ? 9 : 3;
    double drawn[64][2];
    int ndrawn = 0;
    char txt[48];
    for (int pass = 0; pass < 2; pass++)
        for (int k = -10 * nm; k <= 10 * nm; k++) {
            int m = ((k % nm) + nm) % nm;
            double v = lg ? pow(10, floor((double)k / nm)) * (nm == 9 ? fine : coarse)[m]
                          : ax->lo + k * ax->step;
            double u = lg ? log(v) : v;
            double x = px0 + (u - ax->lo) / (ax->hi - ax->lo) * (px1 - px0);
            int first = m == 0 || !lg; /* powers of ten (every linear tick) first */
            if (u < ax->lo - 1e-9 || u > ax->hi + 1e-9 || (!lg && k < 0) || (pass == 0) != first)
                continue;
            line(d, x, y0, x, ybase, 0.5, hex(C_GRID), 0, "grid");
            fmt_value(d, v, 0, lg ? (v < 1 || v != floor(v * 10) / 10 ? 2 : v < 10 ? 1 : 0)
                                     : ax->decimals, txt, sizeof txt);
            PangoLayout *l = text_layout(d, txt, SZ_LABEL, 0, 0, PANGO_ALIGN_LEFT);
            double w;
            text_size(l, &w, NULL);
            int free_ = ndrawn < 64;
            for (int i = 0; i < ndrawn && free_; i++)
                free_ = x + w / 2 + 4 < drawn[i][0] || x - w / 2 - 4 > drawn[i][1];
            if (free_) {
                draw_text(d, l, x - w / 2, ybase + 3, hex(C_MUTED), 0, "tick");
                drawn[ndrawn][0] = x - w / 2;
                drawn[ndrawn++][1] = x + w / 2;
            }
            g_object_unref(l);
        }
}

/* One row per point: its label on the left, the interval as a line with
 * caps and the estimate as a square on a common axis (logarithmic for
 * ratios), a dashed line at the reference (no difference), and the
 * estimate with its interval as text on the right.  A point without an
 * interval is drawn alone; one without a finite estimate (hidden, or 0 on
 * a log axis) keeps its row, empty. */
static void forest(dc *d, const struct chart_panel *p, double x0, double y0, double x1,
                   double y1)
{
    int lg = p->opt.log_scale;
    /* utfall chart gives the line of no difference as its --marker */
    double ref = isfinite(p->opt.reference) ? p->opt.reference : p->opt.marker;
#define FV(v) (lg ? log(v) : (v))
    double lo = isfinite(ref) ? FV(ref) : INFINITY, hi = -lo;
    double label_w = 0, text_w = 0, row = (y1 - y0 - 30) / (double)(p->n ? p->n : 1);
    char txt[160], a[48], b[48], c[48];
    for (size_t i = 0; i < p->n; i++) {
        const struct chart_point *q = &p->p[i];
        for (int k = 0; k < 3; k++) {
            double v = k == 0 ? q->y : k == 1 ? q->lo : q->hi;
            if (isfinite(v) && (!lg || v > 0)) {
                lo = fmin(lo, FV(v));
                hi = fmax(hi, FV(v));
            }
        }
        PangoLayout *l = text_layout(d, q->cat, SZ_LABEL, q->total, 0, PANGO_ALIGN_LEFT);
        double w;
        text_size(l, &w, NULL);
        label_w = fmax(label_w, fmin(w, (x1 - x0) * 0.4));
        g_object_unref(l);
    }
    if (!(hi > lo) || !isfinite(lo))
        return;
    axis ax = make_axis(lo, hi, 0, 6);
    if (lg) /* ticks at 1, 2, 5 × 10^k within the range */
        ax = (axis){lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo), 0, 0, 2, 0};
    text_w = (x1 - x0) * 0.2;
    double px0 = x0 + label_w + 10, px1 = x1 - text_w - 8, ybase = y1 - 24;
#define FX(v) (px0 + (FV(v) - ax.lo) / (ax.hi - ax.lo) * (px1 - px0))
    forest_ticks(d, &ax, lg, px0, px1, y0, ybase);
    line(d, px0, ybase, px1, ybase, 0.8, hex(C_AXIS), 0, "axis");
    if (isfinite(ref))
        line(d, FX(ref), y0, FX(ref), ybase, 1.0, hex(C_TEXT), 1, "reference");
    if (p->xlabel && *p->xlabel)
        put_text(d, p->xlabel, px0, ybase + 14, SZ_LABEL, 0, px1 - px0, PANGO_ALIGN_CENTER,
                 hex(C_MUTED), "axis-title");
    rgb col = hex(palette[0]);
    for (size_t i = 0; i < p->n; i++) {
        const struct chart_point *q = &p->p[i];
        double yc = y0 + row * ((double)i + 0.5);
        PangoLayout *l = text_layout(d, q->cat, SZ_LABEL, q->total, label_w, PANGO_ALIGN_LEFT);
        double h;
        text_size(l, NULL, &h);
        draw_text(d, l, x0, yc - h / 2, hex(C_TEXT), 0, "category");
        g_object_unref(l);
        int has_est = isfinite(q->y) && (!lg || q->y > 0);
        int has_ci = has_est && isfinite(q->lo) && isfinite(q->hi) && (!lg || q->lo > 0);
        if (has_ci) {
            double cap = fmin(3.5, row * 0.25);
            line(d, FX(q->lo), yc, FX(q->hi), yc, 1.2, col, 0, "interval");
            line(d, FX(q->lo), yc - cap, FX(q->lo), yc + cap, 1.2, col, 0, "interval");
            line(d, FX(q->hi), yc - cap, FX(q->hi), yc + cap, 1.2, col, 0, "interval");
        }
        if (!has_est)
            continue;
        double sq = fmin(q->total ? 8 : 6, row * 0.7);
        fill_rect(d, FX(q->y) - sq / 2, yc - sq / 2, sq, sq, q->total ? hex(C_TEXT) : col,
                  "estimate", q->cat);
        int dec = lg ? 2 : 1;
        fmt_value(d, q->y, 0, dec, a, sizeof a);
        if (has_ci) {
            fmt_value(d, q->lo, 0, dec, b, sizeof b);
            fmt_value(d, q->hi, 0, dec, c, sizeof c);
            snprintf(txt, sizeof txt, "%s [%s%s %s]", a, b, d->lang == UTFALL_LANG_SV ? ";" : ",",
                     c);
        } else {
            snprintf(txt, sizeof txt, "%s", a);
        }
        put_text(d, txt, px1 + 8, yc - h / 2, SZ_VALUE, q->total, text_w, PANGO_ALIGN_LEFT,
                 hex(C_TEXT), "value");
    }
#undef FX
#undef FV
}

/* ---- the figure ----------------------------------------------------------------- */

/* Height a panel asks for, in points: bar panels by their rows, plots
 * over numeric x a fixed share.  The space is divided in proportion. */
static double panel_weight(const struct chart_panel *p, const grid *g)
{
    double head = (p->title && *p->title ? 16 : 0) + (g->nser > 1 ? 16 : 0) + 34;
    switch (p->opt.kind) {
    case UTFALL_CHART_LINE:
    case UTFALL_CHART_HISTOGRAM:
        return head + 130;
    case UTFALL_CHART_GROUPED:
        return head + (double)g->ncat * (8 + 10 * (double)(g->nser ? g->nser : 1));
    case UTFALL_CHART_FOREST:
        return head + 16 + (double)p->n * 15;
    default:
        return head + (double)g->ncat * 26;
    }
}

static void render(dc *d, const utfall_chart *c)
{
    double m = 10, W = d->W, H = d->H;
    fill_rect(d, 0, 0, W, H, hex(0xFFFFFF), "background", NULL);
    double y = m;
    y += put_text(d, c->title, m, y, SZ_TITLE, 1, W - 2 * m, PANGO_ALIGN_LEFT, hex(C_TEXT),
                  "title");
    if (c->subtitle && *c->subtitle)
        y += 2 + put_text(d, c->subtitle, m, y + 2, SZ_SUB, 0, W - 2 * m, PANGO_ALIGN_LEFT,
                          hex(C_MUTED), "subtitle");
    if (c->title || c->subtitle)
        y += 8;
    double bottom = H - m;
    if (c->note && *c->note) {
        PangoLayout *l = text_layout(d, c->note, SZ_NOTE, 0, W - 2 * m, PANGO_ALIGN_LEFT);
        /* a long definition must not crowd out the figure */
        pango_layout_set_height(l, -5);
        pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
        double h;
        text_size(l, NULL, &h);
        bottom -= h;
        line(d, m, bottom - 4, W - m, bottom - 4, 0.5, hex(C_GRID), 0, "note-rule");
        draw_text(d, l, m, bottom, hex(C_MUTED), 0, "note");
        g_object_unref(l);
        bottom -= 10;
    }
    grid *gs = calloc((size_t)(c->npanels ? c->npanels : 1), sizeof *gs);
    if (!gs)
        return;
    double total = 0;
    for (int i = 0; i < c->npanels; i++) {
        if (make_grid(&c->panels[i], &gs[i])) {
            for (int k = 0; k <= i; k++)
                free_grid(&gs[k]);
            free(gs);
            return;
        }
        total += panel_weight(&c->panels[i], &gs[i]);
    }
    double avail = bottom - y;
    for (int i = 0; i < c->npanels; i++) {
        const struct chart_panel *p = &c->panels[i];
        double h = avail * panel_weight(p, &gs[i]) / total;
        double py = y, pb = y + h - (i + 1 < c->npanels ? 10 : 0);
        if (d->svg && !d->dry)
            bprintf(d->svg, "<g class=\"panel\" data-kind=\"%d\">\n", (int)p->opt.kind);
        if (p->title && *p->title)
            py += 4 + put_text(d, p->title, m, py, SZ_PANEL, 1, W - 2 * m, PANGO_ALIGN_LEFT,
                               hex(C_TEXT), "panel-title");
        int legend_needed = gs[i].nser > 1 || (gs[i].nser == 1 && gs[i].ser[0][0]
                                               && p->opt.kind != UTFALL_CHART_BAR
                                               && p->opt.kind != UTFALL_CHART_HBAR);
        if (legend_needed && p->opt.kind != UTFALL_CHART_HISTOGRAM)
            py += 6 + legend(d, &gs[i], p->opt.kind, m, py, W - 2 * m, 1,
                             p->opt.kind == UTFALL_CHART_LINE);
        if (p->n == 0) {
            put_text(d, utfall_tr(d->lang, "chart.no_data"), m, py, SZ_LABEL, 0, W - 2 * m,
                     PANGO_ALIGN_LEFT, hex(C_MUTED), "no-data");
        } else if (p->opt.kind == UTFALL_CHART_LINE) {
            lines(d, p, &gs[i], m, py, W - m, pb);
        } else if (p->opt.kind == UTFALL_CHART_HISTOGRAM) {
            histogram(d, p, m, py, W - m, pb);
        } else if (p->opt.kind == UTFALL_CHART_FOREST) {
            forest(d, p, m, py, W - m, pb);
        } else {
            bars(d, p, &gs[i], m, py, W - m, pb);
        }
        if (d->svg && !d->dry)
            bprintf(d->svg, "</g>\n");
        y += h;
    }
    for (int i = 0; i < c->npanels; i++)
        free_grid(&gs[i]);
    free(gs);
}

/* Height the figure needs at its default size (points): heading, note and
 * every panel's rows, so that a default-sized chart never squeezes them. */
static double content_height(const utfall_chart *c)
{
    double h = 28 + (c->title ? 18 : 0) + (c->subtitle ? 14 : 0) + (c->note ? 48 : 0);
    for (int i = 0; i < c->npanels; i++) {
        grid g;
        if (make_grid(&c->panels[i], &g) == 0)
            h += panel_weight(&c->panels[i], &g) + 10;
        free_grid(&g);
    }
    return h;
}

/* PNG through libpng rather than cairo_surface_write_to_png_stream:
 * cairo compresses at zlib's default level with every filter tried on
 * every row, which took half of a chart's run time; a chart's flat
 * colours compress nearly as well at level 3 with the Sub and Up filters
 * (a few percent larger, about four times faster).  Also records the
 * resolution (pHYs), so that Word and LibreOffice place the image at its
 * intended size.  0, or -1 with errno set when writing failed. */
static int write_png(cairo_surface_t *surf, FILE *out, double dpi)
{
    cairo_surface_flush(surf);
    const int w = cairo_image_surface_get_width(surf), h = cairo_image_surface_get_height(surf);
    const int stride = cairo_image_surface_get_stride(surf);
    const unsigned char *data = cairo_image_surface_get_data(surf);
    if (!data || w <= 0 || h <= 0)
        return -1;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    unsigned char *volatile row = malloc((size_t)w * 3);
    if (!png || !info || !row || setjmp(png_jmpbuf(png))) {
        int e = errno;
        png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
        free(row);
        errno = e ? e : ENOMEM;
        return -1;
    }
    png_init_io(png, out);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_uint_32 ppm = (png_uint_32)lround(dpi / 0.0254);
    png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
    png_set_compression_level(png, 3);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB | PNG_FILTER_UP);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) {
        /* CAIRO_FORMAT_RGB24: one native-endian 32-bit xRGB word per pixel */
        const uint32_t *px = (const uint32_t *)(const void *)(data + (size_t)y * (size_t)stride);
        for (int x = 0; x < w; x++) {
            row[3 * x] = (unsigned char)(px[x] >> 16);
            row[3 * x + 1] = (unsigned char)(px[x] >> 8);
            row[3 * x + 2] = (unsigned char)px[x];
        }
        png_write_row(png, row);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(row);
    return 0;
}

static cairo_status_t write_fp(void *closure, const unsigned char *data, unsigned int length)
{
    return fwrite(data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS
                                                      : CAIRO_STATUS_WRITE_ERROR;
}

void utfall_render_pdf_date(char *out, size_t size)
{
    const char *e = getenv("SOURCE_DATE_EPOCH");
    time_t t = 946684800; /* 2000-01-01 */
    if (e && *e) {
        char *end;
        long long v = strtoll(e, &end, 10);
        if (!*end && v >= 0)
            t = (time_t)v;
    }
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

utfall_status utfall_render_chart_write(const utfall_chart *c, FILE *out, const utfall_chart_output *o,
                                 utfall_error *err)
{
    double dpi = o->dpi > 0 ? o->dpi : 150;
    double W, H, scale = 1;
    if (o->format == UTFALL_CHART_PNG) {
        double wpx = o->width > 0 ? o->width : round(160 * dpi / 25.4);
        scale = dpi / 72.0;
        double hpx = o->height > 0 ? o->height
                                   : round(fmax(100 * PT_PER_MM, content_height(c)) * scale);
        W = wpx / scale;
        H = hpx / scale;
        if (wpx * hpx > 20000.0 * 20000.0)
            return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_CHART_TOO_BIG,
                                    "%.0fx%.0f pixels is too big", wpx, hpx);
    } else {
        W = (o->width > 0 ? o->width : 160) * PT_PER_MM;
        H = o->height > 0 ? o->height * PT_PER_MM
                          : ceil(fmax(100 * PT_PER_MM, content_height(c)) / PT_PER_MM) * PT_PER_MM;
    }
    if (W < 60 || H < 40)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_CHART_TOO_SMALL,
                                "the chart is too small to draw (at least 22x15 mm)");
    cairo_surface_t *surf;
    if (o->format == UTFALL_CHART_PDF)
        surf = cairo_pdf_surface_create_for_stream(write_fp, out, W, H);
    else if (o->format == UTFALL_CHART_PNG)
        surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)lround(W * scale),
                                          (int)lround(H * scale));
    else
        surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 4, 4); /* measuring only */
    if (cairo_surface_status(surf)) {
        cairo_surface_destroy(surf);
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "cannot create the chart surface");
    }
    if (o->format == UTFALL_CHART_PDF) {
        char date[64];
        utfall_render_pdf_date(date, sizeof date);
        cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATE_DATE, date);
        cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_MOD_DATE, date);
        if (c->title)
            cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, c->title);
        cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "utfall");
    }
    /* SVG numbers need '.' decimals whatever LC_NUMERIC the program set */
    locale_t cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    locale_t prev = cloc ? uselocale(cloc) : (locale_t)0;
    cairo_t *cr = cairo_create(surf);
    dc d = {cr, NULL, cairo_font_options_create(), c->lang, W, H, 0, 0};
    /* the same metrics on every surface: no hinting, no rounding to pixels */
    cairo_font_options_set_hint_metrics(d.fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(d.fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_antialias(d.fo, CAIRO_ANTIALIAS_GRAY);
    buf svg = {NULL, 0, 0, 0};
    if (o->format == UTFALL_CHART_SVG) {
        d.svg = &svg;
        bprintf(&svg,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.2fmm\" height=\"%.2fmm\" "
                "viewBox=\"0 0 %.2f %.2f\">\n",
                W / PT_PER_MM, H / PT_PER_MM, W, H);
        if (c->title) {
            bprintf(&svg, "<title>");
            bescape(&svg, c->title, strlen(c->title));
            bprintf(&svg, "</title>\n");
        }
    } else if (o->format == UTFALL_CHART_PNG) {
        cairo_scale(cr, scale, scale);
    }
    d.dry = 1; /* first measure, then draw with the shared label column */
    render(&d, c);
    d.dry = 0;
    render(&d, c);
    utfall_status st = UTFALL_OK;
    if (cairo_status(cr))
        st = utfall_error_set(err, UTFALL_ERR_INTERNAL, UTFALL_EC_CHART_CAIRO, "drawing failed: %s",
                              cairo_status_to_string(cairo_status(cr)));
    cairo_destroy(cr);
    cairo_font_options_destroy(d.fo);
    if (!st && o->format == UTFALL_CHART_PNG) {
        errno = 0;
        if (write_png(surf, out, dpi))
            st = utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_WRITE_ERROR, "cannot write the chart: %s",
                                  strerror(errno));
    } else if (!st && o->format == UTFALL_CHART_SVG) {
        bprintf(&svg, "</svg>\n");
        if (svg.failed)
            st = utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
        else if (fwrite(svg.s, 1, svg.n, out) != svg.n)
            st = utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_WRITE_ERROR, "cannot write the chart: %s",
                                  strerror(errno));
    }
    cairo_surface_finish(surf);
    if (!st && cairo_surface_status(surf))
        st = utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_WRITE_ERROR, "cannot write the chart: %s",
                              cairo_status_to_string(cairo_surface_status(surf)));
    cairo_surface_destroy(surf);
    free(svg.s);
    if (cloc) {
        uselocale(prev);
        freelocale(cloc);
    }
    if (!st && (fflush(out) != 0 || ferror(out)))
        st = utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_WRITE_ERROR, "cannot write the chart: %s",
                              strerror(errno));
    return st;
}

utfall_status utfall_chart_draw_cairo(const utfall_chart *c, cairo_t *cr, double x, double y,
                                      double w, double h, utfall_error *err)
{
    if (w < 60 || h < 40)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_CHART_TOO_SMALL,
                                "the chart is too small to draw (at least 22x15 mm)");
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rectangle(cr, 0, 0, w, h);
    cairo_clip(cr);
    dc d = {cr, NULL, cairo_font_options_create(), c->lang, w, h, 0, 0};
    cairo_font_options_set_hint_metrics(d.fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(d.fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_antialias(d.fo, CAIRO_ANTIALIAS_GRAY);
    d.dry = 1;
    render(&d, c);
    d.dry = 0;
    render(&d, c);
    cairo_font_options_destroy(d.fo);
    cairo_restore(cr);
    if (cairo_status(cr))
        return utfall_error_set(err, UTFALL_ERR_INTERNAL, UTFALL_EC_CHART_CAIRO, "drawing failed: %s",
                                cairo_status_to_string(cairo_status(cr)));
    return UTFALL_OK;
}

double utfall_chart_natural_height(const utfall_chart *c)
{
    return fmax(100 * PT_PER_MM, content_height(c));
}

void utfall_render_chart_release_fonts(void)
{
    pango_cairo_font_map_set_default(NULL);
}
