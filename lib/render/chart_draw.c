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

#include "core/internal.h"
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
#define C_HIDDEN 0xDADADA /* what protection hides: lighter than any series */

/* What the drawing calls ask for, by name rather than 0 and 1. */
enum weight { REGULAR, BOLD };
enum stroke { SOLID, DASHED };
enum turn { UPRIGHT, ROTATED }; /* ROTATED: reading upwards */
enum fill { OUTLINE, FILLED };

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
        if (UTFALL_GROW(b->s, b->cap, b->n + (size_t)k + 1)) {
            b->failed = 1;
            return;
        }
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

static PangoLayout *text_layout(dc *d, const char *s, double size, enum weight weight,
                                double wrap, PangoAlignment align)
{
    return utfall_text_layout(d->cr, d->fo, s, size, weight == BOLD, 0, wrap, align);
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

/* Draw a layout with the top-left of its logical box at (x, y), rotated
 * about (x, y) when it reads upwards. */
static void draw_text(dc *d, PangoLayout *l, double x, double y, rgb col, enum turn turn,
                      const char *cls)
{
    if (d->dry)
        return;
    int rotated = turn == ROTATED;
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
static double put_text(dc *d, const char *s, double x, double y, double size,
                       enum weight weight, double wrap, PangoAlignment align, rgb col,
                       const char *cls)
{
    if (!s || !*s)
        return 0;
    PangoLayout *l = text_layout(d, s, size, weight, wrap, align);
    double h;
    text_size(l, NULL, &h);
    draw_text(d, l, x, y, col, UPRIGHT, cls);
    g_object_unref(l);
    return h;
}

/* The size of unwrapped text, without drawing it (w or h may be NULL). */
static void measure(dc *d, const char *s, double size, double *w, double *h)
{
    PangoLayout *l = text_layout(d, s, size, REGULAR, 0, PANGO_ALIGN_LEFT);
    text_size(l, w, h);
    g_object_unref(l);
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
                 enum stroke stroke, const char *cls)
{
    int dashed = stroke == DASHED;
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

/* A polyline, or a filled polygon with alpha. */
static void poly(dc *d, const double *xy, size_t n, rgb c, double width, enum fill shape,
                 double alpha, const char *cls)
{
    int fill = shape == FILLED;
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

/* A plot area and the scales that place values in it. */
typedef struct plot {
    double x0, y0, x1, y1;
    axis ax, ay;
} plot;

static inline double plot_x(const plot *pl, double v)
{
    return pl->x0 + (v - pl->ax.lo) / (pl->ax.hi - pl->ax.lo) * (pl->x1 - pl->x0);
}

static inline double plot_y(const plot *pl, double v)
{
    return pl->y1 - (v - pl->ay.lo) / (pl->ay.hi - pl->ay.lo) * (pl->y1 - pl->y0);
}

/* ---- panel data, pivoted ---------------------------------------------------- */

typedef struct grid {
    size_t ncat, nser;
    const char **cat, **ser;
    double *v, *lo, *hi; /* [cat * nser + ser] */
    double *n;           /* per category */
    int *total;
    int *colour;         /* per series: a fixed palette index, -1 = by order */
    size_t nreal;        /* series before the "hidden" one (= nser without it) */
    long hidden;         /* the series of what protection hid; -1 = none */
} grid;

static size_t intern(const char **list, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(list[i], s))
            return i;
    list[*n] = s;
    return (*n)++;
}

/* What protection hid in a category becomes one grey segment: the rest
 * of n (counts) or of 100 % (shares), so that the shown segments keep
 * their true size; without n nothing of the category can be shown. */
static void hidden_segments(grid *g, const unsigned char *has_hidden, utfall_chart_kind kind)
{
    for (size_t c = 0; c < g->ncat; c++) {
        if (!has_hidden[c])
            continue;
        double sum = 0;
        for (size_t s = 0; s < g->nreal; s++)
            if (isfinite(g->v[c * g->nser + s]))
                sum += g->v[c * g->nser + s];
        int counts = kind == UTFALL_CHART_DIVERGING || sum > 1 + 1e-9;
        double rest = counts ? g->n[c] - sum : 1 - sum;
        if (counts && !isfinite(g->n[c])) {
            for (size_t s = 0; s < g->nreal; s++)
                g->v[c * g->nser + s] = NAN;
            rest = 1;
        }
        g->v[c * g->nser + (size_t)g->hidden] = rest > 1e-9 ? rest : NAN;
    }
}

static int make_grid(const struct chart_panel *p, utfall_lang lang, grid *g)
{
    memset(g, 0, sizeof *g);
    g->hidden = -1;
    size_t n = p->n ? p->n : 1;
    g->cat = calloc(n + 1, sizeof *g->cat);
    g->ser = calloc(n + 1, sizeof *g->ser);
    g->colour = malloc((n + 1) * sizeof *g->colour);
    if (!g->cat || !g->ser || !g->colour)
        return -1;
    int any_hidden = 0;
    for (size_t i = 0; i < p->n; i++) {
        intern(g->cat, &g->ncat, p->p[i].cat);
        size_t s = intern(g->ser, &g->nser, p->p[i].series);
        if (s + 1 == g->nser)
            g->colour[s] = p->p[i].colour;
        any_hidden |= p->p[i].hidden;
    }
    g->nreal = g->nser;
    if (any_hidden) {
        g->hidden = (long)g->nser;
        g->colour[g->nser] = -1;
        g->ser[g->nser++] = utfall_tr(lang, "chart.hidden");
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
    unsigned char *has_hidden = calloc(g->ncat + 1, 1);
    if (!has_hidden)
        return -1;
    for (size_t i = 0; i < p->n; i++) {
        size_t c = intern(g->cat, &g->ncat, p->p[i].cat);
        size_t s = intern(g->ser, &g->nser, p->p[i].series);
        has_hidden[c] |= p->p[i].hidden;
        g->v[c * g->nser + s] = p->p[i].hidden ? NAN : p->p[i].y;
        g->lo[c * g->nser + s] = p->p[i].lo;
        g->hi[c * g->nser + s] = p->p[i].hi;
        if (isfinite(p->p[i].n) && !(g->n[c] >= p->p[i].n))
            g->n[c] = p->p[i].n;
        g->total[c] |= p->p[i].total;
    }
    if (any_hidden)
        hidden_segments(g, has_hidden, p->opt.kind);
    free(has_hidden);
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
    free(g->colour);
}

static rgb series_colour(const grid *g, size_t s, utfall_chart_kind kind)
{
    if ((long)s == g->hidden)
        return hex(C_HIDDEN);
    if (g->colour && g->colour[s] >= 0) /* an exit outcome: the same in every figure */
        return hex(palette[(size_t)g->colour[s] % (sizeof palette / sizeof palette[0])]);
    if (kind == UTFALL_CHART_DIVERGING) {
        size_t ns = g->nreal, half = ns / 2;
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

/* Keys in rows across the width, a stroke for a line chart's series and
 * a swatch for the others; returns the height used. */
static double legend(dc *d, const grid *g, utfall_chart_kind kind, double x0, double y0,
                     double width)
{
    int lines = kind == UTFALL_CHART_LINE;
    double x = x0, y = y0, rowh = 0;
    for (size_t s = 0; s < g->nser; s++) {
        PangoLayout *l = text_layout(d, g->ser[s], SZ_LABEL, REGULAR, width * 0.8,
                                     PANGO_ALIGN_LEFT);
        double tw, th;
        text_size(l, &tw, &th);
        double item = (lines ? 14 : 10) + 3 + tw + 12;
        if (x > x0 && x + item > x0 + width) {
            x = x0;
            y += rowh + 3;
            rowh = 0;
        }
        rgb c = series_colour(g, s, kind);
        if (lines)
            line(d, x, y + th / 2, x + 14, y + th / 2, 2, c, SOLID, "legend-key");
        else
            fill_rect(d, x, y + th / 2 - 4.5, 9, 9, c, "legend-key", g->ser[s]);
        draw_text(d, l, x + (lines ? 14 : 10) + 3, y, hex(C_TEXT), UPRIGHT, "legend");
        g_object_unref(l);
        x += item;
        if (th > rowh)
            rowh = th;
    }
    return y - y0 + rowh;
}

/* ---- axes drawn ---------------------------------------------------------------- */

/* The widest and the tallest tick label of an axis. */
static void tick_extent(dc *d, const axis *a, double *w, double *h)
{
    char tl[96];
    *w = *h = 0;
    for (int i = 0, n = nticks(a); i <= n; i++) {
        double tw, th;
        tick_label(d, a, a->lo + i * a->step, tl, sizeof tl);
        measure(d, tl, SZ_LABEL, &tw, &th);
        *w = fmax(*w, tw);
        *h = fmax(*h, th);
    }
}

/* Grid lines across the plot at the y axis's ticks, labelled on the left. */
static void y_ticks(dc *d, const plot *pl)
{
    char tl[96];
    for (int i = 0, n = nticks(&pl->ay); i <= n; i++) {
        double v = pl->ay.lo + i * pl->ay.step, w, h;
        line(d, pl->x0, plot_y(pl, v), pl->x1, plot_y(pl, v), 0.5, hex(C_GRID), SOLID, "grid");
        tick_label(d, &pl->ay, v, tl, sizeof tl);
        PangoLayout *l = text_layout(d, tl, SZ_LABEL, REGULAR, 0, PANGO_ALIGN_LEFT);
        text_size(l, &w, &h);
        draw_text(d, l, pl->x0 - 4 - w, plot_y(pl, v) - h / 2, hex(C_MUTED), UPRIGHT, "tick");
        g_object_unref(l);
    }
}

/* The y axis's title at x, reading upwards, centred on the plot. */
static void y_title(dc *d, const char *title, double x, const plot *pl)
{
    PangoLayout *l = text_layout(d, title, SZ_LABEL, REGULAR, 0, PANGO_ALIGN_LEFT);
    double w;
    text_size(l, &w, NULL);
    draw_text(d, l, x, (pl->y0 + pl->y1) / 2 + w / 2, hex(C_MUTED), ROTATED, "axis-title");
    g_object_unref(l);
}

/* ---- categorical bars ---------------------------------------------------------- */

enum n_place { N_BESIDE, N_BELOW }; /* where a category label puts its "(n = 108)" */

static void category_label(dc *d, const grid *g, size_t c, enum n_place place, char *out,
                           size_t size)
{
    if (isfinite(g->n[c])) {
        char n[64];
        utfall_fmt_count(d->lang, (long long)llround(g->n[c]), n, sizeof n);
        snprintf(out, size, "%s%s(n\xC2\xA0=\xC2\xA0%s)", g->cat[c],
                 place == N_BELOW ? "\n" : " ", n);
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

/* A line ending inside a word means the word did not fit. */
static int breaks_a_word(PangoLayout *l)
{
    int broken = 0;
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
    return broken;
}

/* Do the vertical labels fit under their bars (at most three lines, no
 * word broken)?  *label_h: the tallest of those measured. */
static int vertical_labels_fit(dc *d, const grid *g, double slot, double *label_h)
{
    *label_h = 0;
    char lab[600];
    for (size_t c = 0; c < g->ncat; c++) {
        category_label(d, g, c, N_BELOW, lab, sizeof lab);
        PangoLayout *l = text_layout(d, lab, SZ_LABEL, g->total[c] ? BOLD : REGULAR, slot - 4,
                                     PANGO_ALIGN_CENTER);
        double h;
        text_size(l, NULL, &h);
        int lines = pango_layout_get_line_count(l);
        int broken = breaks_a_word(l);
        g_object_unref(l);
        if (lines > (isfinite(g->n[c]) ? 3 : 2) || broken)
            return 0;
        if (h > *label_h)
            *label_h = h;
    }
    return 1;
}

/* One panel of bars from its grid to the drawing.  The value axis is the
 * plot's ay when the bars stand, its ax when they lie. */
struct bar_run {
    dc *d;
    const struct chart_panel *p;
    grid *g;
    double x0, y0, x1, y1; /* the panel */
    utfall_chart_kind kind;
    int percent, stacked, grouped, horizontal;
    size_t ns;               /* series, at least 1 */
    double vmin, vmax;       /* what the bars and the target line span */
    axis a;                  /* the value axis */
    double tick_w, tick_h;   /* the largest tick label */
    char target_text[160];   /* "Mål 35 %", or empty */
    double target_w, target_h;
    double vlabel_h, clabel_h; /* the axis titles' heights, 0 without */
    /* the tallest category label: under standing bars; for lying bars
     * also what the failed test for standing ones measured */
    double label_h;
    double label_w;          /* lying bars: the label column */
    int one_line;            /* lying bars: rows too low for wrapped labels */
    plot pl;
    double slot;             /* room per category along the category axis */
};

/* The span of the bars: side by side from 0, stacked to their sum,
 * diverging to each side of 0 (the middle series half on each side). */
static void bar_range(struct bar_run *b)
{
    const grid *g = b->g;
    size_t ns = b->ns, half = ns / 2;
    b->vmin = b->vmax = 0;
    for (size_t c = 0; c < g->ncat; c++) {
        double left = 0, right = 0, sum = 0;
        for (size_t s = 0; s < ns; s++) {
            double v = g->v[c * ns + s];
            if (!isfinite(v))
                continue;
            if (b->kind == UTFALL_CHART_DIVERGING) {
                if (ns % 2 && s == half) {
                    left += v / 2;
                    right += v / 2;
                } else if (s < half) {
                    left += v;
                } else {
                    right += v;
                }
            } else if (b->stacked) {
                sum += v;
            } else {
                double hi = g->hi[c * ns + s], lo = g->lo[c * ns + s];
                b->vmax = fmax(b->vmax, fmax(v, isfinite(hi) ? hi : v));
                b->vmin = fmin(b->vmin, fmin(v, isfinite(lo) ? lo : v));
            }
        }
        b->vmax = fmax(b->vmax, fmax(right, sum));
        b->vmin = fmin(b->vmin, -left);
    }
    if (isfinite(b->p->opt.target))
        b->vmax = fmax(b->vmax, b->p->opt.target);
}

static axis bar_axis(const struct bar_run *b)
{
    if (b->kind == UTFALL_CHART_STACKED)
        return (axis){0, 1, 0.2, 1, 0, 0};
    if (b->kind != UTFALL_CHART_DIVERGING)
        return make_axis(b->vmin, b->vmax, b->percent, 5);
    /* symmetric about 0, labelled without signs on both sides */
    double m = fmax(b->vmax, -b->vmin);
    axis a = make_axis(-m, m, b->percent, 6);
    if (b->percent && m <= 1) {
        double st = m > 0.5 ? 0.25 : m > 0.2 ? 0.1 : 0.05;
        double e = fmax(ceil(m / st - 1e-9) * st, st);
        a = (axis){-e, e, st, 1, 0, 0};
    }
    a.absolute = 1;
    return a;
}

/* The texts around the bars, measured: tick labels, target, axis titles. */
static void bar_texts(struct bar_run *b)
{
    dc *d = b->d;
    const struct chart_panel *p = b->p;
    tick_extent(d, &b->a, &b->tick_w, &b->tick_h);
    if (isfinite(p->opt.target)) {
        char v[64];
        /* a whole percent without decimals, 37.5 % with one */
        int decimals = b->percent ? fabs(p->opt.target * 100 - round(p->opt.target * 100)) > 1e-9
                                  : -1;
        fmt_value(d, p->opt.target, b->percent, decimals, v, sizeof v);
        snprintf(b->target_text, sizeof b->target_text, "%s %s",
                 p->target_label ? p->target_label : utfall_tr(d->lang, "chart.target"), v);
        measure(d, b->target_text, SZ_LABEL, &b->target_w, &b->target_h);
    }
    if (p->ylabel && *p->ylabel)
        measure(d, p->ylabel, SZ_LABEL, NULL, &b->vlabel_h);
    if (p->xlabel && *p->xlabel)
        measure(d, p->xlabel, SZ_LABEL, NULL, &b->clabel_h);
}

/* Standing bars when their labels fit under them, else lying ones. */
static void bar_orientation(struct bar_run *b)
{
    b->horizontal = b->kind == UTFALL_CHART_HBAR || b->kind == UTFALL_CHART_DIVERGING;
    if (b->horizontal)
        return;
    double pw = (b->x1 - b->x0) - b->tick_w - 6 - (b->vlabel_h ? b->vlabel_h + 4 : 0)
                - (b->target_w ? b->target_w + 6 : 0);
    if (!vertical_labels_fit(b->d, b->g, pw / (double)(b->g->ncat ? b->g->ncat : 1), &b->label_h))
        b->horizontal = 1;
}

/* Series s of category c: one bar, or one segment of a stacked bar. */
struct segment {
    size_t s;
    double v, lo, hi;
    double from, to; /* from cum when stacked, else from 0 */
    rgb col;         /* a lone total bar in grey */
    char label[600]; /* the category's, for the SVG's data-label */
};

static void segment_of(const struct bar_run *b, size_t c, size_t s, double cum,
                       struct segment *sg)
{
    size_t i = c * b->ns + s;
    sg->s = s;
    sg->v = b->g->v[i];
    sg->lo = b->g->lo[i];
    sg->hi = b->g->hi[i];
    sg->from = b->stacked ? cum : 0;
    sg->to = b->stacked ? cum + sg->v : sg->v;
    sg->col = b->g->total[c] && b->ns == 1 ? hex(C_TOTAL) : series_colour(b->g, s, b->kind);
    category_label(b->d, b->g, c, N_BESIDE, sg->label, sizeof sg->label);
}

/* Draws a segment at `at` along the category axis, `thick` across. */
typedef void segment_fn(const struct bar_run *b, const struct segment *sg, double at,
                        double thick);

/* The bars of category c: side by side when grouped, else at one place,
 * each stacked segment from where the one before ended. */
static void segments(const struct bar_run *b, size_t c, double base, double thick, double cum,
                     segment_fn *draw)
{
    for (size_t s = 0; s < b->ns; s++) {
        double v = b->g->v[c * b->ns + s];
        if (!isfinite(v))
            continue;
        struct segment sg;
        segment_of(b, c, s, cum, &sg);
        draw(b, &sg, b->grouped ? base + thick * (double)s : base, thick);
        cum += v;
    }
}

/* A bar's value as a label, laid out; the caller draws and frees it. */
static PangoLayout *value_layout(const struct bar_run *b, double v, double *w, double *h)
{
    char val[96];
    fmt_value(b->d, v, b->percent, b->percent ? (b->stacked ? 0 : 1) : -1, val, sizeof val);
    PangoLayout *l = text_layout(b->d, val, SZ_VALUE, REGULAR, 0, PANGO_ALIGN_LEFT);
    text_size(l, w, h);
    return l;
}

/* ---- standing bars ---- */

/* A bar or segment, its interval and its value: above the bar, or inside
 * a stacked segment when it fits there. */
static void vbar_segment(const struct bar_run *b, const struct segment *sg, double bx, double bw)
{
    dc *d = b->d;
    const plot *pl = &b->pl;
    double y0 = plot_y(pl, sg->from), y1 = plot_y(pl, sg->to), top = sg->to;
    fill_rect(d, bx + (b->grouped ? 0.5 : 0), y1, bw - (b->grouped ? 1 : 0), y0 - y1, sg->col,
              "bar", sg->label);
    if (!b->stacked && isfinite(sg->hi) && isfinite(sg->lo)) {
        double cx = bx + bw / 2, cap = fmin(bw * 0.15, 4);
        double lo = plot_y(pl, sg->lo), hi = plot_y(pl, sg->hi);
        line(d, cx, lo, cx, hi, 0.9, hex(C_TEXT), SOLID, "whisker");
        line(d, cx - cap, hi, cx + cap, hi, 0.9, hex(C_TEXT), SOLID, "whisker");
        line(d, cx - cap, lo, cx + cap, lo, 0.9, hex(C_TEXT), SOLID, "whisker");
        top = fmax(top, sg->hi);
    }
    double w, h;
    PangoLayout *l = value_layout(b, sg->v, &w, &h);
    if (b->stacked) {
        if (w + 3 < bw && h + 2 < y0 - y1)
            draw_text(d, l, bx + bw / 2 - w / 2, (y0 + y1) / 2 - h / 2,
                      is_dark(sg->col) ? hex(0xFFFFFF) : hex(C_TEXT), UPRIGHT, "value");
    } else if (w < b->slot * (b->grouped ? 1.0 / (double)b->ns : 1) + 2) {
        draw_text(d, l, bx + bw / 2 - w / 2, plot_y(pl, top) - h - 1.5, hex(C_TEXT), UPRIGHT,
                  "value");
    }
    g_object_unref(l);
}

static void vbar_category(const struct bar_run *b, size_t c)
{
    dc *d = b->d;
    size_t ns = b->ns;
    double slot = b->slot, sx = b->pl.x0 + slot * (double)c;
    double bw = slot * (b->grouped ? 0.8 / (double)ns : 0.62);
    double base = sx + slot * (b->grouped ? 0.1 : 0.19);
    segments(b, c, base, bw, 0, vbar_segment);
    char lab[600];
    category_label(d, b->g, c, N_BELOW, lab, sizeof lab);
    PangoLayout *l = text_layout(d, lab, SZ_LABEL, b->g->total[c] ? BOLD : REGULAR, slot - 4,
                                 PANGO_ALIGN_CENTER);
    draw_text(d, l, sx + 2, b->pl.y1 + 4, hex(C_TEXT), UPRIGHT, "category");
    g_object_unref(l);
}

/* Categories along the bottom, values up the left, the target's label
 * at the right end of its line. */
static void vbars(struct bar_run *b)
{
    dc *d = b->d;
    const struct chart_panel *p = b->p;
    plot *pl = &b->pl;
    pl->ay = b->a;
    pl->x0 = b->x0 + (b->vlabel_h ? b->vlabel_h + 4 : 0) + b->tick_w + 6;
    pl->x1 = b->x1 - (b->target_w ? b->target_w + 6 : 4);
    pl->y0 = b->y0 + b->tick_h / 2 + 10;
    pl->y1 = b->y1 - b->label_h - 4 - (b->clabel_h ? b->clabel_h + 4 : 0);
    b->slot = (pl->x1 - pl->x0) / (double)(b->g->ncat ? b->g->ncat : 1);
    y_ticks(d, pl);
    if (b->vlabel_h)
        y_title(d, p->ylabel, b->x0, pl);
    for (size_t c = 0; c < b->g->ncat; c++)
        vbar_category(b, c);
    double zero = plot_y(pl, fmax(pl->ay.lo, 0));
    line(d, pl->x0, zero, pl->x1, zero, 0.8, hex(C_AXIS), SOLID, "axis");
    if (b->target_text[0]) {
        double ty = plot_y(pl, p->opt.target);
        line(d, pl->x0, ty, pl->x1, ty, 1.1, hex(C_TEXT), DASHED, "target");
        PangoLayout *l = text_layout(d, b->target_text, SZ_LABEL, REGULAR, 0, PANGO_ALIGN_LEFT);
        draw_text(d, l, pl->x1 + 4, ty - b->target_h / 2, hex(C_TEXT), UPRIGHT, "target-label");
        g_object_unref(l);
    }
    if (b->clabel_h)
        put_text(d, p->xlabel, pl->x0, b->y1 - b->clabel_h, SZ_LABEL, REGULAR, pl->x1 - pl->x0,
                 PANGO_ALIGN_CENTER, hex(C_MUTED), "axis-title");
}

/* ---- lying bars ---- */

/* The width of the label column on the left: the widest line of any
 * label wrapped at 38 % of the panel, and shared with the other panels
 * (d->label_w, from the measuring pass) so that they share a value axis. */
static void hbar_label_column(struct bar_run *b)
{
    dc *d = b->d;
    const grid *g = b->g;
    double maxw = (b->x1 - b->x0) * 0.38, label_w = 0;
    char lab[600];
    for (size_t c = 0; c < g->ncat; c++) {
        category_label(d, g, c, N_BESIDE, lab, sizeof lab);
        PangoLayout *l = text_layout(d, lab, SZ_LABEL, g->total[c] ? BOLD : REGULAR, maxw,
                                     PANGO_ALIGN_RIGHT);
        double w = 0, lh;
        /* widest line, not the wrap width */
        PangoLayoutIter *it = pango_layout_get_iter(l);
        do {
            PangoRectangle lr;
            pango_layout_iter_get_line_extents(it, NULL, &lr);
            w = fmax(w, lr.width / (double)PANGO_SCALE);
        } while (pango_layout_iter_next_line(it));
        pango_layout_iter_free(it);
        text_size(l, NULL, &lh);
        b->label_h = fmax(b->label_h, lh);
        g_object_unref(l);
        label_w = fmax(label_w, w);
    }
    label_w = fmin(label_w + 1, maxw);
    d->label_w = fmax(d->label_w, label_w);
    b->label_w = d->label_w;
}

/* A bar or segment, its interval and its value: beyond the bar, inside
 * a stacked segment when it fits there, or beside a thin outer segment of
 * a diverging bar. */
static void hbar_segment(const struct bar_run *b, const struct segment *sg, double by, double bh)
{
    dc *d = b->d;
    const plot *pl = &b->pl;
    double x0 = plot_x(pl, sg->from), x1 = plot_x(pl, sg->to), end = sg->to;
    fill_rect(d, x0, by + (b->grouped ? 0.5 : 0), x1 - x0, bh - (b->grouped ? 1 : 0), sg->col,
              "bar", sg->label);
    if (!b->stacked && isfinite(sg->hi) && isfinite(sg->lo)) {
        double cy = by + bh / 2, cap = fmin(bh * 0.2, 4);
        double lo = plot_x(pl, sg->lo), hi = plot_x(pl, sg->hi);
        line(d, lo, cy, hi, cy, 0.9, hex(C_TEXT), SOLID, "whisker");
        line(d, lo, cy - cap, lo, cy + cap, 0.9, hex(C_TEXT), SOLID, "whisker");
        line(d, hi, cy - cap, hi, cy + cap, 0.9, hex(C_TEXT), SOLID, "whisker");
        end = fmax(end, sg->hi);
    }
    double w, h;
    PangoLayout *l = value_layout(b, sg->v, &w, &h);
    double ty = by + bh / 2 - h / 2;
    size_t first = 0, last = b->ns - 1;
    if (b->stacked) {
        if (w + 4 < fabs(x1 - x0) && h < bh + 1)
            draw_text(d, l, (x0 + x1) / 2 - w / 2, ty,
                      is_dark(sg->col) ? hex(0xFFFFFF) : hex(C_TEXT), UPRIGHT, "value");
        else if (b->kind == UTFALL_CHART_DIVERGING && (sg->s == first || sg->s == last)
                 && h < bh + 4)
            draw_text(d, l, sg->s == first ? x0 - 3 - w : x1 + 3, ty, hex(C_TEXT), UPRIGHT,
                      "value");
    } else if (h < bh + 4) {
        draw_text(d, l, plot_x(pl, end) + 3, ty, hex(C_TEXT), UPRIGHT, "value");
    }
    g_object_unref(l);
}

static void hbar_category(const struct bar_run *b, size_t c)
{
    dc *d = b->d;
    size_t ns = b->ns;
    double slot = b->slot, sy = b->pl.y0 + slot * (double)c;
    double bh = fmin(slot * (b->grouped ? 0.8 / (double)ns : 0.66), b->grouped ? 14 : 22);
    double base = sy + slot / 2 - (b->grouped ? bh * (double)ns / 2 : bh / 2);
    double cum = 0;
    if (b->kind == UTFALL_CHART_DIVERGING) {
        /* start left of zero by the left half and half of the middle; the
         * hidden segment, if any, comes last, on the right */
        size_t half = b->g->nreal / 2;
        for (size_t s = 0; s < b->g->nreal; s++) {
            double v = b->g->v[c * ns + s];
            if (isfinite(v) && (s < half || (b->g->nreal % 2 && s == half)))
                cum -= s < half ? v : v / 2;
        }
        /* all of it hidden: one grey bar across zero, no side taken */
        int shown = 0;
        for (size_t s = 0; s < b->g->nreal; s++)
            shown |= isfinite(b->g->v[c * ns + s]);
        if (!shown && b->g->hidden >= 0 && isfinite(b->g->v[c * ns + (size_t)b->g->hidden]))
            cum = -b->g->v[c * ns + (size_t)b->g->hidden] / 2;
    }
    segments(b, c, base, bh, cum, hbar_segment);
    char lab[600];
    category_label(d, b->g, c, N_BESIDE, lab, sizeof lab);
    PangoLayout *l = text_layout(d, lab, SZ_LABEL, b->g->total[c] ? BOLD : REGULAR, b->label_w,
                                 PANGO_ALIGN_RIGHT);
    if (b->one_line) {
        pango_layout_set_height(l, -1);
        pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_MIDDLE);
    }
    double h;
    text_size(l, NULL, &h);
    draw_text(d, l, b->x0, sy + slot / 2 - h / 2, hex(C_TEXT), UPRIGHT, "category");
    g_object_unref(l);
}

/* The plot right of the label column, with room for the value labels
 * beyond the longest bar and for the target's label above. */
static void hbar_frame(struct bar_run *b)
{
    plot *pl = &b->pl;
    pl->ax = b->a;
    pl->x0 = b->x0 + b->label_w + 6;
    pl->x1 = b->x1 - fmax(b->tick_w / 2, 4);
    pl->y0 = b->y0 + (b->target_text[0] ? b->target_h + 3 : 0);
    pl->y1 = b->y1 - b->tick_h - 4 - (b->vlabel_h ? b->vlabel_h + 4 : 0);
    if (!b->stacked) {
        double w;
        g_object_unref(value_layout(b, b->vmax, &w, NULL));
        pl->x1 = b->x1 - w - 6;
    }
    b->slot = (pl->y1 - pl->y0) / (double)(b->g->ncat ? b->g->ncat : 1);
    /* rows too low for wrapped labels (a small --size): one line each,
     * shortened with an ellipsis, rather than labels over each other */
    b->one_line = b->label_h > b->slot - 1;
}

/* Categories down the left, values along the bottom, the target's label
 * over the top end of its line. */
static void hbars(struct bar_run *b)
{
    dc *d = b->d;
    const struct chart_panel *p = b->p;
    const plot *pl = &b->pl;
    hbar_label_column(b);
    hbar_frame(b);
    char tl[96];
    for (int i = 0, n = nticks(&pl->ax); i <= n; i++) {
        double v = pl->ax.lo + i * pl->ax.step, w;
        line(d, plot_x(pl, v), pl->y0, plot_x(pl, v), pl->y1, 0.5, hex(C_GRID), SOLID, "grid");
        tick_label(d, &pl->ax, v, tl, sizeof tl);
        PangoLayout *l = text_layout(d, tl, SZ_LABEL, REGULAR, 0, PANGO_ALIGN_LEFT);
        text_size(l, &w, NULL);
        draw_text(d, l, plot_x(pl, v) - w / 2, pl->y1 + 3, hex(C_MUTED), UPRIGHT, "tick");
        g_object_unref(l);
    }
    if (b->vlabel_h)
        put_text(d, p->ylabel, pl->x0, b->y1 - b->vlabel_h, SZ_LABEL, REGULAR, pl->x1 - pl->x0,
                 PANGO_ALIGN_CENTER, hex(C_MUTED), "axis-title");
    /* the zero line under the bars, so it never crosses a value label */
    double zero = plot_x(pl, pl->ax.lo < 0 && pl->ax.hi > 0 ? 0 : pl->ax.lo);
    line(d, zero, pl->y0, zero, pl->y1, 0.8, hex(C_AXIS), SOLID, "axis");
    for (size_t c = 0; c < b->g->ncat; c++)
        hbar_category(b, c);
    if (b->target_text[0]) {
        double tx = plot_x(pl, p->opt.target);
        line(d, tx, pl->y0, tx, pl->y1, 1.1, hex(C_TEXT), DASHED, "target");
        PangoLayout *l = text_layout(d, b->target_text, SZ_LABEL, REGULAR, 0, PANGO_ALIGN_LEFT);
        draw_text(d, l, fmin(tx - b->target_w / 2, b->x1 - b->target_w), b->y0, hex(C_TEXT),
                  UPRIGHT, "target-label");
        g_object_unref(l);
    }
}

static void bars(dc *d, const struct chart_panel *p, grid *g, double x0, double y0, double x1,
                 double y1)
{
    utfall_chart_kind kind = p->opt.kind;
    struct bar_run b = {
        .d = d, .p = p, .g = g, .x0 = x0, .y0 = y0, .x1 = x1, .y1 = y1, .kind = kind,
        .percent = p->opt.percent || kind == UTFALL_CHART_STACKED,
        .stacked = kind == UTFALL_CHART_STACKED || kind == UTFALL_CHART_DIVERGING,
        .grouped = kind == UTFALL_CHART_GROUPED,
    };
    if (kind == UTFALL_CHART_STACKED || (kind == UTFALL_CHART_DIVERGING && p->opt.percent))
        normalize(g);
    b.ns = g->nser ? g->nser : 1;
    bar_range(&b);
    b.a = bar_axis(&b);
    if (!axis_ok(&b.a))
        return;
    bar_texts(&b);
    bar_orientation(&b);
    if (b.horizontal)
        hbars(&b);
    else
        vbars(&b);
}

/* ---- lines and histograms over numeric x ------------------------------------- */

/* The plot inside the panel, its y ticks and grid, x ticks, zero line and
 * axis titles; pl->ax and pl->ay must be set. */
static void xy_frame(dc *d, plot *pl, const char *xlabel, const char *ylabel, double x0,
                     double y0, double x1, double y1)
{
    double tick_w, tick_h, yl_h = 0, xl_h = 0;
    tick_extent(d, &pl->ay, &tick_w, &tick_h);
    if (ylabel && *ylabel)
        measure(d, ylabel, SZ_LABEL, NULL, &yl_h);
    if (xlabel && *xlabel)
        measure(d, xlabel, SZ_LABEL, NULL, &xl_h);
    pl->x0 = x0 + (yl_h ? yl_h + 4 : 0) + tick_w + 6;
    pl->x1 = x1 - 12;
    pl->y0 = y0 + tick_h / 2 + 2;
    pl->y1 = y1 - tick_h - 4 - (xl_h ? xl_h + 4 : 0);
    y_ticks(d, pl);
    char tl[96];
    for (int i = 0, n = nticks(&pl->ax); i <= n; i++) {
        double v = pl->ax.lo + i * pl->ax.step, w;
        line(d, plot_x(pl, v), pl->y1, plot_x(pl, v), pl->y1 + 3, 0.6, hex(C_AXIS), SOLID,
             "tick-mark");
        tick_label(d, &pl->ax, v, tl, sizeof tl);
        PangoLayout *l = text_layout(d, tl, SZ_LABEL, REGULAR, 0, PANGO_ALIGN_LEFT);
        text_size(l, &w, NULL);
        draw_text(d, l, plot_x(pl, v) - w / 2, pl->y1 + 4, hex(C_MUTED), UPRIGHT, "tick");
        g_object_unref(l);
    }
    double zero = plot_y(pl, fmax(pl->ay.lo, 0));
    line(d, pl->x0, zero, pl->x1, zero, 0.8, hex(C_AXIS), SOLID, "axis");
    if (yl_h)
        y_title(d, ylabel, x0, pl);
    if (xl_h)
        put_text(d, xlabel, pl->x0, y1 - xl_h, SZ_LABEL, REGULAR, pl->x1 - pl->x0,
                 PANGO_ALIGN_CENTER, hex(C_MUTED), "axis-title");
}

static void marker(dc *d, const struct chart_panel *p, double mx, const plot *pl)
{
    line(d, mx, pl->y0, mx, pl->y1, 1.0, hex(C_TEXT), DASHED, "marker");
    if (p->marker_label && *p->marker_label) {
        PangoLayout *l = text_layout(d, p->marker_label, SZ_LABEL, REGULAR, 0, PANGO_ALIGN_LEFT);
        double w, h;
        text_size(l, &w, &h);
        double x = mx + 3 + w > pl->x1 ? mx - 3 - w : mx + 3;
        fill_rect(d, x - 1, pl->y0, w + 2, h, hex(0xFFFFFF), "marker-bg", NULL);
        draw_text(d, l, x, pl->y0, hex(C_TEXT), UPRIGHT, "marker-label");
        g_object_unref(l);
    }
}

/* The scales of a line chart: x over the points and the marker, on whole
 * numbers when every x is one (months, years); y from 0 over the bands. */
static void line_axes(const struct chart_panel *p, plot *pl)
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
    pl->ax = (axis){xmin, xmax, nice_step(xmax - xmin, 8), 0, 0, 0};
    int whole = 1;
    for (size_t i = 0; i < p->n; i++)
        whole &= p->p[i].x == floor(p->p[i].x);
    if (whole && pl->ax.step < 1)
        pl->ax.step = 1;
    pl->ax.decimals = decimals_for(pl->ax.step);
    pl->ay = make_axis(ymin, ymax, p->opt.percent, 5);
}

enum trace { TRACE_BAND, TRACE_LINE };

static int has_interval(const struct chart_point *q)
{
    return isfinite(q->hi) && isfinite(q->lo);
}

/* The points of one series in plot coordinates: its line, or its band
 * (the upper edge forwards, the lower edge back).  Returns how many. */
static size_t trace(const struct chart_panel *p, const char *series, const plot *pl,
                    enum trace what, double *xy)
{
    size_t k = 0;
    for (size_t i = 0; i < p->n; i++) {
        const struct chart_point *q = &p->p[i];
        if (strcmp(q->series, series) || (what == TRACE_BAND && !has_interval(q)))
            continue;
        xy[2 * k] = plot_x(pl, q->x);
        xy[2 * k + 1] = plot_y(pl, what == TRACE_BAND ? q->hi : q->y);
        k++;
    }
    for (size_t i = p->n; what == TRACE_BAND && i-- > 0;) {
        const struct chart_point *q = &p->p[i];
        if (strcmp(q->series, series) || !has_interval(q))
            continue;
        xy[2 * k] = plot_x(pl, q->x);
        xy[2 * k + 1] = plot_y(pl, q->lo);
        k++;
    }
    return k;
}

static void lines(dc *d, const struct chart_panel *p, grid *g, double x0, double y0, double x1,
                  double y1)
{
    plot pl;
    line_axes(p, &pl);
    if (!axis_ok(&pl.ax) || !axis_ok(&pl.ay))
        return;
    xy_frame(d, &pl, p->xlabel, p->ylabel, x0, y0, x1, y1);
    double *xy = malloc((p->n * 2 + 2) * 2 * sizeof *xy);
    if (!xy)
        return;
    /* every band under every line */
    for (size_t s = 0; s < g->nser; s++)
        poly(d, xy, trace(p, g->ser[s], &pl, TRACE_BAND, xy),
             series_colour(g, s, UTFALL_CHART_LINE), 0, FILLED, 0.16, "band");
    for (size_t s = 0; s < g->nser; s++)
        poly(d, xy, trace(p, g->ser[s], &pl, TRACE_LINE, xy),
             series_colour(g, s, UTFALL_CHART_LINE), 1.8, OUTLINE, 1, "line");
    free(xy);
    if (isfinite(p->opt.marker))
        marker(d, p, plot_x(&pl, p->opt.marker), &pl);
}

/* A histogram's bins: counts[i] between edge[2i] and edge[2i+1]. */
struct bins {
    long counts[200];
    double *edge;
    size_t n;
};

/* Pre-binned (some y given): x is the lower edge, hi (if given) the
 * upper, y the count; a bin without hi is as wide as the narrowest gap. */
static int bins_given(const struct chart_panel *p, struct bins *b)
{
    b->n = p->n < 200 ? p->n : 200;
    b->edge = malloc((b->n + 1) * 2 * sizeof *b->edge);
    if (!b->edge)
        return -1;
    double minw = INFINITY;
    for (size_t i = 1; i < b->n; i++)
        if (p->p[i].x - p->p[i - 1].x > 0)
            minw = fmin(minw, p->p[i].x - p->p[i - 1].x);
    if (!isfinite(minw))
        minw = 1;
    for (size_t i = 0; i < b->n; i++) {
        b->counts[i] = isfinite(p->p[i].y) ? (long)llround(p->p[i].y) : -1;
        b->edge[2 * i] = p->p[i].x;
        b->edge[2 * i + 1] = isfinite(p->p[i].hi) ? p->p[i].hi : p->p[i].x + minw;
    }
    return 0;
}

/* Raw values in x: binned here. */
static int bins_counted(const struct chart_panel *p, struct bins *b)
{
    double first = 0, width = 1;
    double *v = malloc((p->n ? p->n : 1) * sizeof *v);
    if (!v)
        return -1;
    for (size_t i = 0; i < p->n; i++)
        v[i] = p->p[i].x;
    b->n = utfall_chart_bins(v, p->n, b->counts, 200, &first, &width);
    free(v);
    b->edge = malloc((b->n + 1) * 2 * sizeof *b->edge);
    if (!b->edge)
        return -1;
    for (size_t i = 0; i < b->n; i++) {
        b->edge[2 * i] = first + width * (double)i;
        b->edge[2 * i + 1] = first + width * (double)(i + 1);
    }
    return 0;
}

/* x over the bins' edges on whole steps; y counts from 0 in whole steps. */
static void hist_axes(const struct bins *b, plot *pl)
{
    double xmin = b->edge[0], xmax = b->edge[2 * b->n - 1], cmax = 1;
    for (size_t i = 0; i < b->n; i++)
        cmax = fmax(cmax, (double)b->counts[i]);
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
    pl->ax = ax;
    pl->ay = ay;
}

/* With a marker (0 for a change): bins below it, at it and above it in
 * the colours of decreased, unchanged and increased. */
static void hist_bar(dc *d, const struct chart_panel *p, const struct bins *b, size_t i,
                     const plot *pl)
{
    double lo = b->edge[2 * i], hi = b->edge[2 * i + 1], count = (double)b->counts[i];
    double bx0 = plot_x(pl, lo), bx1 = plot_x(pl, hi);
    unsigned colour = 0x56B4E9;
    if (isfinite(p->opt.marker))
        colour = hi <= p->opt.marker + 1e-9   ? 0xD55E00
                 : lo >= p->opt.marker - 1e-9 ? 0x0072B2
                                              : C_NEUTRAL;
    fill_rect(d, bx0 + 0.4, plot_y(pl, count), bx1 - bx0 - 0.8, plot_y(pl, 0) - plot_y(pl, count),
              hex(colour), "bar", NULL);
    char val[64];
    utfall_fmt_count(d->lang, b->counts[i], val, sizeof val);
    PangoLayout *l = text_layout(d, val, SZ_VALUE, REGULAR, 0, PANGO_ALIGN_LEFT);
    double w, h;
    text_size(l, &w, &h);
    if (w < bx1 - bx0)
        draw_text(d, l, (bx0 + bx1) / 2 - w / 2, plot_y(pl, count) - h - 1, hex(C_TEXT), UPRIGHT,
                  "value");
    g_object_unref(l);
}

static void histogram(dc *d, const struct chart_panel *p, double x0, double y0, double x1,
                      double y1)
{
    struct bins b = {.edge = NULL};
    int binned = 0;
    for (size_t i = 0; i < p->n; i++)
        binned |= isfinite(p->p[i].y);
    if ((binned ? bins_given(p, &b) : bins_counted(p, &b)) || !b.n) {
        free(b.edge);
        return;
    }
    plot pl;
    hist_axes(&b, &pl);
    if (axis_ok(&pl.ax) && axis_ok(&pl.ay)) {
        const char *ylabel = p->ylabel && *p->ylabel ? p->ylabel : utfall_tr(d->lang, "col.count");
        xy_frame(d, &pl, p->xlabel, ylabel, x0, y0, x1, y1);
        for (size_t i = 0; i < b.n; i++)
            if (b.counts[i] > 0)
                hist_bar(d, p, &b, i, &pl);
        /* the marker only where it falls between two bins */
        int on_edge = 0;
        for (size_t i = 0; i < 2 * b.n; i++)
            on_edge |= fabs(b.edge[i] - p->opt.marker) < 1e-9;
        if (isfinite(p->opt.marker) && on_edge && p->opt.marker >= pl.ax.lo
            && p->opt.marker <= pl.ax.hi)
            marker(d, p, plot_x(&pl, p->opt.marker), &pl);
    }
    free(b.edge);
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
            PangoLayout *l = text_layout(d, txt, SZ_LABEL, REGULAR, 0, PANGO_ALIGN_LEFT);
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
        enum weight wt = q->total ? BOLD : REGULAR;
        PangoLayout *l = text_layout(d, q->cat, SZ_LABEL, wt, 0, PANGO_ALIGN_LEFT);
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
        put_text(d, p->xlabel, px0, ybase + 14, SZ_LABEL, REGULAR, px1 - px0, PANGO_ALIGN_CENTER,
                 hex(C_MUTED), "axis-title");
    rgb col = hex(palette[0]);
    for (size_t i = 0; i < p->n; i++) {
        const struct chart_point *q = &p->p[i];
        double yc = y0 + row * ((double)i + 0.5);
        enum weight wt = q->total ? BOLD : REGULAR;
        PangoLayout *l = text_layout(d, q->cat, SZ_LABEL, wt, label_w, PANGO_ALIGN_LEFT);
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
        put_text(d, txt, px1 + 8, yc - h / 2, SZ_VALUE, wt, text_w, PANGO_ALIGN_LEFT,
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

/* Title and subtitle from the top; returns where the panels start. */
static double render_heading(dc *d, const utfall_chart *c, double m)
{
    double y = m, W = d->W;
    y += put_text(d, c->title, m, y, SZ_TITLE, BOLD, W - 2 * m, PANGO_ALIGN_LEFT, hex(C_TEXT),
                  "title");
    if (c->subtitle && *c->subtitle)
        y += 2 + put_text(d, c->subtitle, m, y + 2, SZ_SUB, REGULAR, W - 2 * m, PANGO_ALIGN_LEFT,
                          hex(C_MUTED), "subtitle");
    if (c->title || c->subtitle)
        y += 8;
    return y;
}

/* The note under a rule at the bottom; returns where the panels end. */
static double render_note(dc *d, const utfall_chart *c, double m)
{
    double W = d->W, bottom = d->H - m;
    if (!c->note || !*c->note)
        return bottom;
    PangoLayout *l = text_layout(d, c->note, SZ_NOTE, REGULAR, W - 2 * m, PANGO_ALIGN_LEFT);
    /* a long definition must not crowd out the figure */
    pango_layout_set_height(l, -5);
    pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
    double h;
    text_size(l, NULL, &h);
    bottom -= h;
    line(d, m, bottom - 4, W - m, bottom - 4, 0.5, hex(C_GRID), SOLID, "note-rule");
    draw_text(d, l, m, bottom, hex(C_MUTED), UPRIGHT, "note");
    g_object_unref(l);
    return bottom - 10;
}

/* One panel between y and bottom: its title, legend and plot. */
static void render_panel(dc *d, const struct chart_panel *p, grid *g, double m, double y,
                         double bottom)
{
    double W = d->W;
    if (d->svg && !d->dry)
        bprintf(d->svg, "<g class=\"panel\" data-kind=\"%d\">\n", (int)p->opt.kind);
    if (p->title && *p->title)
        y += 4 + put_text(d, p->title, m, y, SZ_PANEL, BOLD, W - 2 * m, PANGO_ALIGN_LEFT,
                          hex(C_TEXT), "panel-title");
    int legend_needed = g->nser > 1 || (g->nser == 1 && g->ser[0][0]
                                        && p->opt.kind != UTFALL_CHART_BAR
                                        && p->opt.kind != UTFALL_CHART_HBAR);
    if (legend_needed && p->opt.kind != UTFALL_CHART_HISTOGRAM)
        y += 6 + legend(d, g, p->opt.kind, m, y, W - 2 * m);
    if (p->n == 0) {
        put_text(d, utfall_tr(d->lang, "chart.no_data"), m, y, SZ_LABEL, REGULAR, W - 2 * m,
                 PANGO_ALIGN_LEFT, hex(C_MUTED), "no-data");
    } else if (p->opt.kind == UTFALL_CHART_LINE) {
        lines(d, p, g, m, y, W - m, bottom);
    } else if (p->opt.kind == UTFALL_CHART_HISTOGRAM) {
        histogram(d, p, m, y, W - m, bottom);
    } else if (p->opt.kind == UTFALL_CHART_FOREST) {
        forest(d, p, m, y, W - m, bottom);
    } else {
        bars(d, p, g, m, y, W - m, bottom);
    }
    if (d->svg && !d->dry)
        bprintf(d->svg, "</g>\n");
}

static void render(dc *d, const utfall_chart *c)
{
    double m = 10;
    fill_rect(d, 0, 0, d->W, d->H, hex(0xFFFFFF), "background", NULL);
    double y = render_heading(d, c, m);
    double bottom = render_note(d, c, m);
    grid *gs = calloc((size_t)(c->npanels ? c->npanels : 1), sizeof *gs);
    if (!gs)
        return;
    double total = 0;
    for (int i = 0; i < c->npanels; i++) {
        if (make_grid(&c->panels[i], c->lang, &gs[i])) {
            for (int k = 0; k <= i; k++)
                free_grid(&gs[k]);
            free(gs);
            return;
        }
        total += panel_weight(&c->panels[i], &gs[i]);
    }
    /* the height shared out by weight, 10 pt between panels */
    double avail = bottom - y;
    for (int i = 0; i < c->npanels; i++) {
        double h = avail * panel_weight(&c->panels[i], &gs[i]) / total;
        render_panel(d, &c->panels[i], &gs[i], m, y, y + h - (i + 1 < c->npanels ? 10 : 0));
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
        if (make_grid(&c->panels[i], c->lang, &g) == 0)
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

/* Measure, then draw with the label column the measuring found, in the
 * same metrics on every surface: no hinting, no rounding to pixels. */
static void render_twice(cairo_t *cr, buf *svg, const utfall_chart *c, double W, double H)
{
    dc d = {cr, svg, cairo_font_options_create(), c->lang, W, H, 1, 0};
    cairo_font_options_set_hint_metrics(d.fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(d.fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_antialias(d.fo, CAIRO_ANTIALIAS_GRAY);
    render(&d, c);
    d.dry = 0;
    render(&d, c);
    cairo_font_options_destroy(d.fo);
}

/* One chart written to a stream: its size, its surface (PDF, PNG, or a
 * measuring one for SVG), the drawing, the bytes. */
struct chart_run {
    const utfall_chart *c;
    FILE *out;
    const utfall_chart_output *o;
    double dpi, W, H, scale; /* W, H in points; scale: pixels per point */
    cairo_surface_t *surf;
    buf svg;
    utfall_error *err;
};

/* The size asked for, or the default width and the height the content
 * needs; a PNG in pixels at its dpi. */
static utfall_status chart_size(struct chart_run *run)
{
    const utfall_chart_output *o = run->o;
    run->dpi = o->dpi > 0 ? o->dpi : 150;
    run->scale = 1;
    if (o->format == UTFALL_CHART_PNG) {
        double wpx = o->width > 0 ? o->width : round(160 * run->dpi / 25.4);
        run->scale = run->dpi / 72.0;
        double hpx = o->height > 0
                         ? o->height
                         : round(fmax(100 * PT_PER_MM, content_height(run->c)) * run->scale);
        run->W = wpx / run->scale;
        run->H = hpx / run->scale;
        if (wpx * hpx > 20000.0 * 20000.0)
            return utfall_error_set(run->err, UTFALL_ERR_USAGE, UTFALL_EC_CHART_TOO_BIG,
                                    "%.0fx%.0f pixels is too big", wpx, hpx);
    } else {
        run->W = (o->width > 0 ? o->width : 160) * PT_PER_MM;
        run->H = o->height > 0
                     ? o->height * PT_PER_MM
                     : ceil(fmax(100 * PT_PER_MM, content_height(run->c)) / PT_PER_MM) * PT_PER_MM;
    }
    if (run->W < 60 || run->H < 40)
        return utfall_error_set(run->err, UTFALL_ERR_USAGE, UTFALL_EC_CHART_TOO_SMALL,
                                "the chart is too small to draw (at least 22x15 mm)");
    return UTFALL_OK;
}

static utfall_status chart_surface(struct chart_run *run)
{
    const utfall_chart *c = run->c;
    utfall_chart_format format = run->o->format;
    if (format == UTFALL_CHART_PDF)
        run->surf = cairo_pdf_surface_create_for_stream(write_fp, run->out, run->W, run->H);
    else if (format == UTFALL_CHART_PNG)
        run->surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)lround(run->W * run->scale),
                                               (int)lround(run->H * run->scale));
    else
        run->surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 4, 4); /* measuring only */
    if (cairo_surface_status(run->surf))
        return utfall_error_set(run->err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM,
                                "cannot create the chart surface");
    if (format == UTFALL_CHART_PDF) {
        char date[64];
        utfall_render_pdf_date(date, sizeof date);
        cairo_pdf_surface_set_metadata(run->surf, CAIRO_PDF_METADATA_CREATE_DATE, date);
        cairo_pdf_surface_set_metadata(run->surf, CAIRO_PDF_METADATA_MOD_DATE, date);
        if (c->title)
            cairo_pdf_surface_set_metadata(run->surf, CAIRO_PDF_METADATA_TITLE, c->title);
        cairo_pdf_surface_set_metadata(run->surf, CAIRO_PDF_METADATA_CREATOR, "utfall");
    }
    return UTFALL_OK;
}

static void svg_begin(struct chart_run *run)
{
    buf *svg = &run->svg;
    bprintf(svg,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.2fmm\" height=\"%.2fmm\" "
            "viewBox=\"0 0 %.2f %.2f\">\n",
            run->W / PT_PER_MM, run->H / PT_PER_MM, run->W, run->H);
    if (run->c->title) {
        bprintf(svg, "<title>");
        bescape(svg, run->c->title, strlen(run->c->title));
        bprintf(svg, "</title>\n");
    }
}

static utfall_status chart_draw(struct chart_run *run)
{
    cairo_t *cr = cairo_create(run->surf);
    int svg = run->o->format == UTFALL_CHART_SVG;
    if (svg)
        svg_begin(run);
    else if (run->o->format == UTFALL_CHART_PNG)
        cairo_scale(cr, run->scale, run->scale);
    render_twice(cr, svg ? &run->svg : NULL, run->c, run->W, run->H);
    if (svg)
        bprintf(&run->svg, "</svg>\n");
    utfall_status st = UTFALL_OK;
    if (cairo_status(cr))
        st = utfall_error_set(run->err, UTFALL_ERR_INTERNAL, UTFALL_EC_CHART_CAIRO,
                              "drawing failed: %s", cairo_status_to_string(cairo_status(cr)));
    cairo_destroy(cr);
    return st;
}

static utfall_status write_failed(struct chart_run *run, const char *why)
{
    return utfall_error_set(run->err, UTFALL_ERR_IO, UTFALL_EC_WRITE_ERROR,
                            "cannot write the chart: %s", why);
}

/* The PNG or SVG bytes (a PDF surface has written its own as it went). */
static utfall_status chart_bytes(struct chart_run *run)
{
    if (run->o->format == UTFALL_CHART_PNG) {
        errno = 0;
        if (write_png(run->surf, run->out, run->dpi))
            return write_failed(run, strerror(errno));
    } else if (run->o->format == UTFALL_CHART_SVG) {
        if (run->svg.failed)
            return utfall_error_set(run->err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
        if (fwrite(run->svg.s, 1, run->svg.n, run->out) != run->svg.n)
            return write_failed(run, strerror(errno));
    }
    return UTFALL_OK;
}

utfall_status utfall_render_chart_write(const utfall_chart *c, FILE *out,
                                        const utfall_chart_output *o, utfall_error *err)
{
    struct chart_run run = {.c = c, .out = out, .o = o, .err = err};
    utfall_status st = chart_size(&run);
    if (st)
        return st;
    /* SVG numbers need '.' decimals whatever LC_NUMERIC the program set */
    locale_t cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    locale_t prev = cloc ? uselocale(cloc) : (locale_t)0;
    st = chart_surface(&run);
    if (!st)
        st = chart_draw(&run);
    if (!st)
        st = chart_bytes(&run);
    cairo_surface_finish(run.surf);
    if (!st && cairo_surface_status(run.surf))
        st = write_failed(&run, cairo_status_to_string(cairo_surface_status(run.surf)));
    cairo_surface_destroy(run.surf);
    free(run.svg.s);
    if (cloc) {
        uselocale(prev);
        freelocale(cloc);
    }
    if (!st && (fflush(out) != 0 || ferror(out)))
        st = write_failed(&run, strerror(errno));
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
    render_twice(cr, NULL, c, w, h);
    cairo_restore(cr);
    if (cairo_status(cr))
        return utfall_error_set(err, UTFALL_ERR_INTERNAL, UTFALL_EC_CHART_CAIRO,
                                "drawing failed: %s", cairo_status_to_string(cairo_status(cr)));
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
