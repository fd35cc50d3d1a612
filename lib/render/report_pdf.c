/* The report as an A4 PDF: cairo's PDF surface, text laid out by Pango in
 * DejaVu Sans (the charts' font; cairo embeds the subsets), the figures
 * drawn in place as vectors.
 *
 * Everything is laid out twice: the first pass only counts pages, so that
 * the footer can say "Sida N av M"; the second draws.  Both passes take
 * the same decisions from the same measurements, so they agree. */
#include "utfall/report.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render/pango_text.h"
#include "render/render.h"
#include "output/table_internal.h"

#define PT_PER_MM (72.0 / 25.4)
#define A4_SHORT (210 * PT_PER_MM)
#define A4_LONG (297 * PT_PER_MM)
/* The page being laid out: portrait, or landscape for a table too wide for
 * a portrait page (an 11-column crosstab); every use has a pdf *p. */
#define PAGE_W (p->landscape ? A4_LONG : A4_SHORT)
#define PAGE_H (p->landscape ? A4_SHORT : A4_LONG)
#define PORTRAIT_BODY_W (A4_SHORT - 2 * MARGIN)
#define MARGIN (20 * PT_PER_MM)
#define FOOTER_H (10 * PT_PER_MM) /* the page number, inside the bottom margin's band */
#define BODY_W (PAGE_W - 2 * MARGIN)
#define BODY_TOP MARGIN
#define BODY_BOTTOM (PAGE_H - MARGIN - 4)

#define SZ_BODY 9.5
#define SZ_TABLE 8.0
#define SZ_NOTE 7.5
#define SZ_FOOT 8.0
#define CELL_PAD_X 3.5
#define CELL_PAD_Y 2.2

typedef struct pdf {
    cairo_t *cr;
    cairo_surface_t *surf;
    cairo_font_options_t *fo;
    utfall_lang lang;
    int draw;   /* 0: the counting pass */
    int page;   /* 1-based */
    int pages;  /* known after the counting pass */
    double y;   /* where the next block goes */
    int page_empty; /* nothing placed on this page yet */
    int landscape;  /* the page being laid out */
    int outline;    /* the current section's outline item */
} pdf;

enum face { PLAIN, BOLD, ITALIC };

/* Text at size points, wrapped at width (0: not wrapped). */
static PangoLayout *layout(pdf *p, const char *text, double size, enum face face, double width)
{
    return utfall_text_layout(p->cr, p->fo, text, size, face == BOLD, face == ITALIC, width,
                              PANGO_ALIGN_LEFT);
}

static void extent(PangoLayout *l, double *w, double *h)
{
    PangoRectangle r;
    pango_layout_get_extents(l, NULL, &r);
    if (w)
        *w = (double)r.width / PANGO_SCALE;
    if (h)
        *h = (double)r.height / PANGO_SCALE;
}

static void show(pdf *p, PangoLayout *l, double x, double y, double grey)
{
    if (!p->draw)
        return;
    cairo_set_source_rgb(p->cr, grey, grey, grey);
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, l);
}

/* Text in one go: returns its height. */
static double text(pdf *p, const char *s, double x, double y, double size, enum face face,
                   double width, double grey)
{
    PangoLayout *l = layout(p, s, size, face, width);
    double h;
    extent(l, NULL, &h);
    show(p, l, x, y, grey);
    g_object_unref(l);
    return h;
}

static double text_height(pdf *p, const char *s, double size, enum face face, double width)
{
    PangoLayout *l = layout(p, s, size, face, width);
    double h;
    extent(l, NULL, &h);
    g_object_unref(l);
    return h;
}

/* The width of text on one line. */
static double text_width(pdf *p, const char *s, double size, enum face face)
{
    PangoLayout *l = layout(p, s, size, face, 0);
    double w;
    extent(l, &w, NULL);
    g_object_unref(l);
    return w;
}

static void footer(pdf *p)
{
    char buf[64];
    char n[16], m[16];
    snprintf(n, sizeof n, "%d", p->page);
    snprintf(m, sizeof m, "%d", p->pages);
    snprintf(buf, sizeof buf, utfall_tr(p->lang, "report.pdf.page"), n, m);
    PangoLayout *l = layout(p, buf, SZ_FOOT, PLAIN, BODY_W);
    pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
    show(p, l, MARGIN, PAGE_H - MARGIN + FOOTER_H / 2, 0.35);
    g_object_unref(l);
}

/* The next page, landscape or not.  A page with nothing on it yet just
 * turns (its footer is drawn when it is done). */
static void new_page_as(pdf *p, int landscape)
{
    if (!p->page_empty || landscape == p->landscape) {
        footer(p);
        if (p->draw)
            cairo_show_page(p->cr);
        p->page++;
    }
    p->landscape = landscape;
    if (p->draw)
        cairo_pdf_surface_set_size(p->surf, PAGE_W, PAGE_H);
    p->y = BODY_TOP;
    p->page_empty = 1;
}

static void new_page(pdf *p)
{
    new_page_as(p, p->landscape);
}

static double room(const pdf *p)
{
    return BODY_BOTTOM - p->y;
}

/* Make room for h points: a new page unless it fits or the page is still
 * empty (then it cannot fit anywhere better). */
static void need(pdf *p, double h)
{
    if (h > room(p) + 0.01 && !p->page_empty)
        new_page(p);
}

/* ---- tables ------------------------------------------------------------- */

typedef struct tlayout {
    const utfall_table *t;
    int *cols; /* the visible columns */
    int ncols, nrows;
    double *width;
    double size;   /* font size, smaller for wide tables */
    double head_h; /* the header row */
    double *row_h;
    double title_h, notes_h;
    int show_title; /* 0: the heading before the table says what it is */
} tlayout;

static int is_left(const utfall_table *t, int c)
{
    utfall_coltype ty = utfall_table_column_type(t, c);
    return ty == UTFALL_COL_GROUP || ty == UTFALL_COL_TEXT;
}

static void cell(const utfall_table *t, int row, int c, utfall_lang lang, char *buf, size_t size)
{
    utfall_table_format_cell(t, row, c, lang, buf, size);
}

static enum face row_face(const utfall_table *t, int r)
{
    return utfall_table_is_total(t, r) ? BOLD : PLAIN;
}

/* The widest word of a header label: the narrowest its column may be. */
static double widest_word(pdf *p, const char *label, double size)
{
    double best = 0;
    char word[256];
    const char *s = label;
    while (*s) {
        while (*s == ' ')
            s++;
        size_t n = strcspn(s, " ");
        if (!n)
            break;
        snprintf(word, sizeof word, "%.*s", (int)(n < sizeof word - 1 ? n : sizeof word - 1), s);
        best = fmax(best, text_width(p, word, size, BOLD));
        s += n;
    }
    return best;
}

/* The widths a column can take at the current size: with its cells whole
 * and the header wrapped at spaces (min); with a count's share under the
 * count, "138" over "(17 %)" (split); with nothing wrapped (natural). */
struct colwidth {
    double min, split, natural;
};

static struct colwidth column_width(pdf *p, const tlayout *tl, int c)
{
    const utfall_table *t = tl->t;
    char buf[1024];
    double data = 0, dmin = 0;
    for (int r = 0; r < tl->nrows; r++) {
        cell(t, r, c, p->lang, buf, sizeof buf);
        double w = text_width(p, buf, tl->size, row_face(t, r));
        data = fmax(data, w);
        char *paren = is_left(t, c) ? NULL : strstr(buf, " (");
        if (paren) {
            double w2 = text_width(p, paren + 1, tl->size, row_face(t, r));
            *paren = '\0';
            w = fmax(text_width(p, buf, tl->size, row_face(t, r)), w2);
        }
        dmin = fmax(dmin, w);
    }
    const char *label = utfall_table_column_label(t, c, p->lang);
    double head = text_width(p, label, tl->size, BOLD), word = widest_word(p, label, tl->size);
    return (struct colwidth){fmax(data, word) + 2 * CELL_PAD_X, fmax(dmin, word) + 2 * CELL_PAD_X,
                             fmax(data, head) + 2 * CELL_PAD_X};
}

/* Column widths that fit the page.  A table wider than the page: headers
 * wrap first, then the type gets smaller (down to 6 pt), then "138 (17 %)"
 * takes two lines, then the type gets smaller still. */
static int fit_widths(pdf *p, tlayout *tl)
{
    int n = tl->ncols ? tl->ncols : 1;
    double *minw = calloc((size_t)n, sizeof *minw), *splitw = calloc((size_t)n, sizeof *splitw);
    if (!minw || !splitw) {
        free(minw);
        free(splitw);
        return -1;
    }
    for (tl->size = SZ_TABLE;; tl->size -= 0.5) {
        double total_min = 0, total_split = 0, total_nat = 0;
        for (int k = 0; k < tl->ncols; k++) {
            struct colwidth w = column_width(p, tl, tl->cols[k]);
            minw[k] = w.min;
            splitw[k] = w.split;
            tl->width[k] = w.natural;
            total_min += minw[k];
            total_split += splitw[k];
            total_nat += tl->width[k];
        }
        if (total_nat <= BODY_W)
            break;
        const double *lo = NULL;
        double total_lo = 0;
        if (total_min <= BODY_W) {
            lo = minw;
            total_lo = total_min;
        } else if (tl->size <= 6.0 && total_split <= BODY_W) {
            lo = splitw;
            total_lo = total_split;
        }
        if (lo) {
            /* share out what is left, to the columns that want more */
            double extra = BODY_W - total_lo, want = total_nat - total_lo;
            for (int k = 0; k < tl->ncols; k++)
                tl->width[k] = lo[k] + (tl->width[k] - lo[k]) * extra / want;
            break;
        }
        if (tl->size <= 5.5) {
            for (int k = 0; k < tl->ncols; k++)
                tl->width[k] = splitw[k] * BODY_W / total_split;
            break;
        }
    }
    free(splitw);
    free(minw);
    return 0;
}

/* The heights of the title, header, each row and the notes at the widths
 * chosen. */
static void measure_heights(pdf *p, tlayout *tl)
{
    const utfall_table *t = tl->t;
    char buf[1024];
    tl->head_h = 0;
    for (int k = 0; k < tl->ncols; k++) {
        double h = text_height(p, utfall_table_column_label(t, tl->cols[k], p->lang), tl->size,
                               BOLD, tl->width[k] - 2 * CELL_PAD_X + 0.5);
        tl->head_h = fmax(tl->head_h, h);
    }
    tl->head_h += 2 * CELL_PAD_Y;
    for (int r = 0; r < tl->nrows; r++) {
        double h = 0;
        for (int k = 0; k < tl->ncols; k++) {
            cell(t, r, tl->cols[k], p->lang, buf, sizeof buf);
            h = fmax(h, text_height(p, buf, tl->size, row_face(t, r),
                                    tl->width[k] - 2 * CELL_PAD_X + 0.5));
        }
        tl->row_h[r] = h + 2 * CELL_PAD_Y;
    }
    tl->title_h = utfall_table_title(t) && tl->show_title
                      ? text_height(p, utfall_table_title(t), 10.5, BOLD, BODY_W) + 5
                      : 0;
    tl->notes_h = 0;
    for (int i = 0; i < utfall_table_nnotes(t); i++)
        tl->notes_h += text_height(p, utfall_table_note(t, i), SZ_NOTE, ITALIC, BODY_W) + 1.5;
    if (tl->notes_h > 0)
        tl->notes_h += 4;
}

/* -1 when out of memory; free with table_free either way. */
static int table_measure(pdf *p, const utfall_table *t, int show_title, tlayout *tl)
{
    memset(tl, 0, sizeof *tl);
    tl->t = t;
    tl->show_title = show_title;
    tl->nrows = utfall_table_nrows(t);
    int nc = utfall_table_ncols(t);
    tl->cols = calloc((size_t)(nc ? nc : 1), sizeof *tl->cols);
    tl->width = calloc((size_t)(nc ? nc : 1), sizeof *tl->width);
    tl->row_h = calloc((size_t)(tl->nrows ? tl->nrows : 1), sizeof *tl->row_h);
    if (!tl->cols || !tl->width || !tl->row_h)
        return -1;
    for (int c = 0; c < nc; c++)
        if (utfall_table_column_visible(t, c, 0))
            tl->cols[tl->ncols++] = c;
    if (fit_widths(p, tl))
        return -1;
    measure_heights(p, tl);
    return 0;
}

/* The whole table, title to notes. */
static double table_height(const tlayout *tl)
{
    double rows_h = 0;
    for (int r = 0; r < tl->nrows; r++)
        rows_h += tl->row_h[r];
    return tl->title_h + tl->head_h + rows_h + tl->notes_h;
}

/* What must stand together: the title, the header and three rows. */
static double table_start_height(const tlayout *tl)
{
    return tl->title_h + tl->head_h + (tl->nrows ? tl->row_h[0] : 0) * 3;
}

static void table_free(tlayout *tl)
{
    free(tl->cols);
    free(tl->width);
    free(tl->row_h);
}

static void rule(pdf *p, double x0, double x1, double y, double width, double grey)
{
    if (!p->draw)
        return;
    cairo_set_source_rgb(p->cr, grey, grey, grey);
    cairo_set_line_width(p->cr, width);
    cairo_move_to(p->cr, x0, y);
    cairo_line_to(p->cr, x1, y);
    cairo_stroke(p->cr);
}

static void table_header(pdf *p, const tlayout *tl)
{
    double total_w = 0;
    for (int k = 0; k < tl->ncols; k++)
        total_w += tl->width[k];
    if (p->draw) {
        cairo_set_source_rgb(p->cr, 0.88, 0.90, 0.93);
        cairo_rectangle(p->cr, MARGIN, p->y, total_w, tl->head_h);
        cairo_fill(p->cr);
    }
    double x = MARGIN;
    for (int k = 0; k < tl->ncols; k++) {
        int c = tl->cols[k];
        PangoLayout *l = layout(p, utfall_table_column_label(tl->t, c, p->lang), tl->size, BOLD,
                                tl->width[k] - 2 * CELL_PAD_X + 0.5);
        pango_layout_set_alignment(l, is_left(tl->t, c) ? PANGO_ALIGN_LEFT : PANGO_ALIGN_RIGHT);
        /* labels sit on the header's bottom line, as over the numbers */
        double h;
        extent(l, NULL, &h);
        show(p, l, x + CELL_PAD_X, p->y + tl->head_h - CELL_PAD_Y - h, 0.1);
        g_object_unref(l);
        x += tl->width[k];
    }
    rule(p, MARGIN, MARGIN + total_w, p->y + tl->head_h, 0.6, 0.3);
    p->y += tl->head_h;
}

static void table_row(pdf *p, const tlayout *tl, int r)
{
    char buf[1024];
    double total_w = 0;
    for (int k = 0; k < tl->ncols; k++)
        total_w += tl->width[k];
    if (utfall_table_is_total(tl->t, r))
        rule(p, MARGIN, MARGIN + total_w, p->y, 0.5, 0.3);
    double x = MARGIN;
    for (int k = 0; k < tl->ncols; k++) {
        int c = tl->cols[k];
        cell(tl->t, r, c, p->lang, buf, sizeof buf);
        PangoLayout *l = layout(p, buf, tl->size, row_face(tl->t, r),
                                tl->width[k] - 2 * CELL_PAD_X + 0.5);
        pango_layout_set_alignment(l, is_left(tl->t, c) ? PANGO_ALIGN_LEFT : PANGO_ALIGN_RIGHT);
        show(p, l, x + CELL_PAD_X, p->y + CELL_PAD_Y, 0.1);
        g_object_unref(l);
        x += tl->width[k];
    }
    p->y += tl->row_h[r];
    rule(p, MARGIN, MARGIN + total_w, p->y, 0.3, 0.8);
}

/* Title, header, rows and notes; kept on one page when the whole table fits
 * on one, else split between rows with the header repeated. */
/* 1 when the table's type would have to shrink below 7 pt on a portrait
 * page and is larger on a landscape one: it gets landscape pages. */
static int wants_landscape(pdf *p, const utfall_table *t, int show_title)
{
    tlayout tl;
    int was = p->landscape, wide = 0;
    p->landscape = 0;
    if (!table_measure(p, t, show_title, &tl) && tl.size < 7.0 - 0.01) {
        double portrait = tl.size;
        table_free(&tl);
        p->landscape = 1;
        wide = !table_measure(p, t, show_title, &tl) && tl.size > portrait + 0.01;
    }
    table_free(&tl);
    p->landscape = was;
    return wide;
}

static utfall_status table(pdf *p, const utfall_table *t, int show_title, utfall_error *err)
{
    tlayout tl;
    int landscape = wants_landscape(p, t, show_title);
    if (landscape != p->landscape)
        new_page_as(p, landscape);
    if (table_measure(p, t, show_title, &tl)) {
        table_free(&tl);
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    }
    double whole = table_height(&tl);
    need(p, whole <= BODY_BOTTOM - BODY_TOP ? whole : table_start_height(&tl));
    if (utfall_table_title(t) && show_title) {
        text(p, utfall_table_title(t), MARGIN, p->y, 10.5, BOLD, BODY_W, 0.1);
        p->y += tl.title_h;
    }
    table_header(p, &tl);
    for (int r = 0; r < tl.nrows; r++) {
        if (tl.row_h[r] > room(p)) {
            new_page(p);
            table_header(p, &tl);
        }
        table_row(p, &tl, r);
    }
    p->y += 4;
    for (int i = 0; i < utfall_table_nnotes(t); i++) {
        double h = text_height(p, utfall_table_note(t, i), SZ_NOTE, ITALIC, BODY_W);
        need(p, h);
        text(p, utfall_table_note(t, i), MARGIN, p->y, SZ_NOTE, ITALIC, BODY_W, 0.3);
        p->y += h + 1.5;
    }
    p->y += 8;
    p->page_empty = 0;
    table_free(&tl);
    return UTFALL_OK;
}

/* ---- the blocks ----------------------------------------------------------- */

static double heading_size(int level)
{
    return level <= 1 ? 18 : level == 2 ? 14 : 11;
}

/* Figures go on portrait pages. */
static double natural_height(const utfall_chart *c)
{
    return utfall_chart_natural_height(c) * PORTRAIT_BODY_W / (160 * PT_PER_MM);
}

static double figure_height(const utfall_chart *c)
{
    return fmin(natural_height(c), (A4_LONG - 2 * MARGIN - 4) - 30);
}

/* A run of bullet items from block i on: kept together on a page. */
static double list_height(pdf *p, const utfall_report *r, size_t i)
{
    double h = 0;
    const char *s;
    for (; i < utfall_report_nblocks(r)
           && utfall_report_block(r, i, &s, NULL) == UTFALL_BLOCK_LIST_ITEM;
         i++)
        h += text_height(p, s, SZ_BODY, PLAIN, BODY_W - 14) + 3;
    return fmin(h, (BODY_BOTTOM - BODY_TOP) / 2);
}

/* What must follow a heading on its page: the next block's first part. */
static double first_part(pdf *p, const utfall_report *r, size_t i)
{
    const char *s;
    int level;
    if (i >= utfall_report_nblocks(r))
        return 0;
    utfall_block_kind k = utfall_report_block(r, i, &s, &level);
    switch (k) {
    case UTFALL_BLOCK_HEADING:
        return heading_size(level) * 1.6 + first_part(p, r, i + 1);
    case UTFALL_BLOCK_PARAGRAPH:
        return text_height(p, s, SZ_BODY, PLAIN, BODY_W) + 4;
    case UTFALL_BLOCK_LIST_ITEM:
        return list_height(p, r, i);
    case UTFALL_BLOCK_TABLE: {
        const utfall_table *t = utfall_doc_table(utfall_report_doc((utfall_report *)r), s);
        if (!t)
            return 0;
        tlayout tl;
        double h = 0;
        if (!table_measure(p, t, !utfall_report_table_titled_by_heading(r, i), &tl)) {
            h = table_height(&tl);
            if (h > BODY_BOTTOM - BODY_TOP - 60)
                h = table_start_height(&tl);
        }
        table_free(&tl);
        return h;
    }
    case UTFALL_BLOCK_FIGURE: {
        const utfall_chart *c = utfall_report_figure_chart(r, i);
        return c ? fmax(0.75 * figure_height(c), 200) + 20 : 0;
    }
    }
    return 0;
}

static void place_heading(pdf *p, const utfall_report *r, size_t i, const char *s, int level)
{
    double size = heading_size(level);
    double before = p->page_empty ? 0 : level <= 2 ? 16 : 10;
    double h = text_height(p, s, size, BOLD, BODY_W);
    /* a heading never ends a page: keep it with what follows */
    double follow = fmin(first_part(p, r, i + 1), BODY_BOTTOM - BODY_TOP - h - 20);
    need(p, before + h + 6 + follow);
    if (!p->page_empty)
        p->y += before;
    if (p->draw) {
        /* the PDF viewer's outline: sections, and the goals under theirs */
        char dest[64];
        snprintf(dest, sizeof dest, "page=%d pos=[%.1f %.1f]", p->page, MARGIN, p->y);
        int id = cairo_pdf_surface_add_outline(
            p->surf, level >= 3 && p->outline ? p->outline : CAIRO_PDF_OUTLINE_ROOT, s, dest,
            level <= 2 ? CAIRO_PDF_OUTLINE_FLAG_OPEN : 0);
        if (level <= 2)
            p->outline = id;
    }
    text(p, s, MARGIN, p->y, size, BOLD, BODY_W, level <= 1 ? 0 : 0.1);
    p->y += h + (level <= 1 ? 10 : 6);
    if (level <= 1)
        rule(p, MARGIN, MARGIN + BODY_W, p->y - 5, 0.8, 0.3);
    p->page_empty = 0;
}

static void place_paragraph(pdf *p, const char *s)
{
    double h = text_height(p, s, SZ_BODY, PLAIN, BODY_W);
    need(p, h);
    text(p, s, MARGIN, p->y, SZ_BODY, PLAIN, BODY_W, 0.1);
    p->y += h + 7;
    p->page_empty = 0;
}

enum list_place { LIST_FIRST, LIST_NEXT };

/* The first item of a list brings the whole list to a new page if it
 * does not fit; the items after it only themselves. */
static void place_list_item(pdf *p, const utfall_report *r, size_t i, const char *s,
                            enum list_place place)
{
    double h = text_height(p, s, SZ_BODY, PLAIN, BODY_W - 14);
    need(p, place == LIST_NEXT ? h : list_height(p, r, i));
    text(p, "\xE2\x80\xA2", MARGIN + 3, p->y, SZ_BODY, PLAIN, 0, 0.1); /* • */
    text(p, s, MARGIN + 14, p->y, SZ_BODY, PLAIN, BODY_W - 14, 0.1);
    p->y += h + 3;
    p->page_empty = 0;
}

static utfall_status place_figure(pdf *p, const utfall_report *r, size_t i, utfall_error *err)
{
    const utfall_chart *c = utfall_report_figure_chart(r, i);
    if (!c)
        return UTFALL_OK; /* an image file: the Markdown's business */
    const char *caption = utfall_report_figure_caption(r, i);
    double h = figure_height(c);
    double ch = caption ? text_height(p, caption, 8.5, ITALIC, PORTRAIT_BODY_W) + 4 : 0;
    /* beside its wide table on a landscape page when it fits, else on a
     * portrait page */
    if (p->landscape && h + ch + 4 > room(p))
        new_page_as(p, 0);
    /* a little smaller rather than half a page left empty */
    if (h + ch + 4 > room(p) && room(p) - ch - 4 >= fmax(0.75 * h, 200))
        h = room(p) - ch - 4;
    need(p, h + ch + 4);
    if (p->draw) {
        /* a figure taller than a page (a bar per unit of many) is scaled
         * as a whole: smaller, but nothing overlaps */
        double nat = natural_height(c);
        double sc = h < 0.75 * nat ? h / nat : 1;
        cairo_save(p->cr);
        cairo_translate(p->cr, MARGIN, p->y);
        cairo_scale(p->cr, sc, sc);
        utfall_status st =
            utfall_chart_draw_cairo(c, p->cr, 0, 0, PORTRAIT_BODY_W / sc, h / sc, err);
        cairo_restore(p->cr);
        if (st)
            return st;
    }
    p->y += h + 4;
    if (caption) {
        text(p, caption, MARGIN, p->y, 8.5, ITALIC, PORTRAIT_BODY_W, 0.3);
        p->y += ch;
    }
    p->y += 10;
    p->page_empty = 0;
    return UTFALL_OK;
}

/* A heading goes on the page of what follows it: a landscape one when a
 * wide table follows. */
static int block_wants_landscape(pdf *p, const utfall_report *r, size_t i)
{
    const char *s;
    if (i >= utfall_report_nblocks(r) || utfall_report_block(r, i, &s, NULL) != UTFALL_BLOCK_TABLE)
        return 0;
    const utfall_table *t = utfall_doc_table(utfall_report_doc((utfall_report *)r), s);
    return t && wants_landscape(p, t, !utfall_report_table_titled_by_heading(r, i));
}

static utfall_status place_block(pdf *p, const utfall_report *r, size_t i, enum list_place place,
                                 utfall_error *err)
{
    const char *s;
    int level;
    utfall_block_kind kind = utfall_report_block(r, i, &s, &level);
    int landscape = kind == UTFALL_BLOCK_TABLE || kind == UTFALL_BLOCK_FIGURE ? p->landscape
                    : kind == UTFALL_BLOCK_HEADING ? block_wants_landscape(p, r, i + 1)
                                                   : 0;
    if (landscape != p->landscape)
        new_page_as(p, landscape);
    switch (kind) {
    case UTFALL_BLOCK_HEADING:
        place_heading(p, r, i, s, level);
        break;
    case UTFALL_BLOCK_PARAGRAPH:
        place_paragraph(p, s);
        break;
    case UTFALL_BLOCK_LIST_ITEM:
        place_list_item(p, r, i, s, place);
        break;
    case UTFALL_BLOCK_TABLE: {
        const utfall_table *t = utfall_doc_table(utfall_report_doc((utfall_report *)r), s);
        return t ? table(p, t, !utfall_report_table_titled_by_heading(r, i), err) : UTFALL_OK;
    }
    case UTFALL_BLOCK_FIGURE:
        return place_figure(p, r, i, err);
    }
    return UTFALL_OK;
}

/* One pass over the blocks: counting pages, or drawing them. */
static utfall_status layout_report(pdf *p, const utfall_report *r, utfall_error *err)
{
    p->page = 1;
    p->landscape = 0;
    if (p->draw)
        cairo_pdf_surface_set_size(p->surf, PAGE_W, PAGE_H);
    p->y = BODY_TOP;
    p->page_empty = 1;
    int in_list = 0;
    utfall_status st = UTFALL_OK;
    for (size_t i = 0; !st && i < utfall_report_nblocks(r); i++) {
        const char *s;
        int item = utfall_report_block(r, i, &s, NULL) == UTFALL_BLOCK_LIST_ITEM;
        if (in_list && !item)
            p->y += 6; /* after a list */
        st = place_block(p, r, i, in_list ? LIST_NEXT : LIST_FIRST, err);
        in_list = item;
    }
    if (!st)
        footer(p);
    return st;
}

/* PDF dates: the report's --date, else SOURCE_DATE_EPOCH when set
 * (reproducible builds), else a fixed date: the same report gives the
 * same file, and no clock time appears that the user did not give. */
static void pdf_date(const utfall_report *r, char *out, size_t size)
{
    if (utfall_report_date(r)) {
        snprintf(out, size, "%.10sT00:00:00Z", utfall_report_date(r));
        return;
    }
    utfall_render_pdf_date(out, size);
}

/* The dates, the creator, and the first heading as the title. */
static void pdf_metadata(cairo_surface_t *surf, const utfall_report *r)
{
    char date[64];
    pdf_date(r, date, sizeof date);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATE_DATE, date);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_MOD_DATE, date);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "utfall");
    for (size_t i = 0; i < utfall_report_nblocks(r); i++) {
        const char *s;
        if (utfall_report_block(r, i, &s, NULL) == UTFALL_BLOCK_HEADING) {
            cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, s);
            break;
        }
    }
}

/* Count the pages, then draw them. */
static utfall_status both_passes(pdf *p, const utfall_report *r, utfall_error *err)
{
    p->draw = 0;
    utfall_status st = layout_report(p, r, err);
    if (st)
        return st;
    p->pages = p->page;
    p->draw = 1;
    st = layout_report(p, r, err);
    if (!st && p->page != p->pages)
        st = utfall_error_set(err, UTFALL_ERR_INTERNAL, UTFALL_EC_PDF_PAGES,
                              "the report's layout changed between passes");
    if (!st && cairo_status(p->cr))
        st = utfall_error_set(err, UTFALL_ERR_INTERNAL, UTFALL_EC_PDF_CAIRO,
                              "drawing failed: %s", cairo_status_to_string(cairo_status(p->cr)));
    return st;
}

utfall_status utfall_report_write_pdf(const utfall_report *r, const char *path, utfall_error *err)
{
    /* the document is read, not changed: utfall_report_doc has no const twin */
    if (utfall_doc_check(utfall_report_doc((utfall_report *)r), err))
        return err->status;
    cairo_surface_t *surf = cairo_pdf_surface_create(path, A4_SHORT, A4_LONG);
    if (cairo_surface_status(surf)) {
        cairo_surface_destroy(surf);
        return utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_OPEN_OUTPUT, "cannot write %s: %s",
                                path, strerror(errno));
    }
    pdf_metadata(surf, r);
    pdf p;
    memset(&p, 0, sizeof p);
    p.surf = surf;
    p.cr = cairo_create(surf);
    p.lang = utfall_report_lang(r);
    p.fo = cairo_font_options_create();
    /* the same metrics in both passes and on every machine: no hinting */
    cairo_font_options_set_hint_metrics(p.fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(p.fo, CAIRO_HINT_STYLE_NONE);
    utfall_status st = both_passes(&p, r, err);
    cairo_destroy(p.cr);
    cairo_font_options_destroy(p.fo);
    cairo_surface_finish(surf);
    if (!st && cairo_surface_status(surf))
        st = utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_WRITE_ERROR, "cannot write %s: %s",
                              path, cairo_status_to_string(cairo_surface_status(surf)));
    cairo_surface_destroy(surf);
    return st;
}
