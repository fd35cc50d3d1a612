/* The report as a Word document, written directly as OOXML (docx.h).
 *
 * What Word users expect of a section they paste into their slutrapport:
 * Word's own heading styles from the level asked for, real tables whose
 * header row repeats on every page and whose numbers are right-aligned,
 * a caption above each table and below each figure, numbered by Word's
 * own SEQ fields (so that they renumber in the larger document), the
 * figures as PNG at print resolution, and a table too wide for a portrait
 * page on a landscape page of its own.  The text is the report's text:
 * protected cells, deferred sentences, nothing else. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/report.h"
#include "output/table_internal.h"
#include "render/docx.h"
#include "render/render.h"

#define TWIPS_PER_MM (1440.0 / 25.4)
#define TEXT_W_PORTRAIT 9638  /* A4 less 2 cm margins */
#define TEXT_W_LANDSCAPE 14570
#define TEXT_H_PORTRAIT 14570
#define CHAR_W 118  /* twips of a character of the tables' 8 pt, digits and bold
                     * headers too, in Calibri or the wider fonts that stand in for it */
#define CELL_MARGIN 85 /* each side of a cell's text */
#define CELL_PAD (2 * CELL_MARGIN + 80)
#define PNG_DPI 300
#define EMU_PER_INCH 914400.0

struct docx {
    const utfall_report *r;
    utfall_doc *doc;
    utfall_lang lang;
    struct xw x;    /* word/document.xml */
    struct xw rels; /* word/_rels/document.xml.rels */
    struct docx_package pkg;
    int ntables, nfigures;
    int landscape; /* the section being written */
    utfall_error *err;
    utfall_status st;
};

/* ---- runs and paragraphs ---------------------------------------------------- */

enum { PLAIN = 0, BOLD = 1, ITALIC = 2 };

/* size: half-points, 0 = the style's */
static void sized_run(struct xw *x, const char *text, int face, int size)
{
    docx_open(x, "w:r");
    if (face || size) {
        docx_open(x, "w:rPr");
        if (face & BOLD)
            docx_empty(x, "w:b", NULL, NULL);
        if (face & ITALIC)
            docx_empty(x, "w:i", NULL, NULL);
        if (size) {
            char sz[8];
            snprintf(sz, sizeof sz, "%d", size);
            docx_empty(x, "w:sz", "w:val", sz);
            docx_empty(x, "w:szCs", "w:val", sz);
        }
        docx_close(x);
    }
    docx_open(x, "w:t");
    docx_attr(x, "xml:space", "preserve");
    docx_text(x, text);
    docx_close(x);
    docx_close(x);
}

static void run(struct xw *x, const char *text, int face)
{
    sized_run(x, text, face, 0);
}

/* <w:p> with its style (NULL = Normal) and keep-with-next; left open. */
static void para_open(struct xw *x, const char *style, int keep_next)
{
    docx_open(x, "w:p");
    if (style || keep_next) {
        docx_open(x, "w:pPr");
        if (style)
            docx_empty(x, "w:pStyle", "w:val", style);
        if (keep_next)
            docx_empty(x, "w:keepNext", NULL, NULL);
        docx_close(x);
    }
}

static void para(struct docx *d, const char *style, const char *text)
{
    para_open(&d->x, style, 0);
    run(&d->x, text, PLAIN);
    docx_close(&d->x);
}

static void heading(struct docx *d, int level, const char *text)
{
    char style[16];
    int n = level + utfall_report_heading_level(d->r) - 1;
    snprintf(style, sizeof style, "Heading%d", n < 1 ? 1 : n > 9 ? 9 : n);
    para(d, style, text);
}

static void field_char(struct xw *x, const char *type)
{
    docx_open(x, "w:r");
    docx_empty(x, "w:fldChar", "w:fldCharType", type);
    docx_close(x);
}

/* "Tabell 3. Deltagare efter kön": the number a SEQ field, as Word's
 * Insert Caption makes it. */
static void caption(struct docx *d, const char *word, int number, const char *title,
                    int keep_next)
{
    struct xw *x = &d->x;
    char instr[64], num[16], head[64];
    snprintf(instr, sizeof instr, " SEQ %s \\* ARABIC ", word);
    snprintf(num, sizeof num, "%d", number);
    snprintf(head, sizeof head, "%s ", word);
    para_open(x, "Caption", keep_next);
    run(x, head, PLAIN);
    field_char(x, "begin");
    docx_open(x, "w:r");
    docx_open(x, "w:instrText");
    docx_attr(x, "xml:space", "preserve");
    docx_text(x, instr);
    docx_close(x);
    docx_close(x);
    field_char(x, "separate");
    run(x, num, PLAIN);
    field_char(x, "end");
    if (title && *title) {
        char rest[1024];
        snprintf(rest, sizeof rest, ". %s", title);
        run(x, rest, PLAIN);
    }
    docx_close(x);
}

/* ---- sections: portrait, and landscape for wide tables ---------------------- */

static void sect_pr(struct xw *x, int landscape)
{
    docx_open(x, "w:sectPr");
    docx_open(x, "w:pgSz");
    docx_attr(x, "w:w", landscape ? "16838" : "11906");
    docx_attr(x, "w:h", landscape ? "11906" : "16838");
    if (landscape)
        docx_attr(x, "w:orient", "landscape");
    docx_close(x);
    docx_open(x, "w:pgMar");
    static const char *const sides[] = {"w:top", "w:right", "w:bottom", "w:left"};
    for (size_t i = 0; i < 4; i++)
        docx_attr(x, sides[i], "1134");
    docx_attr(x, "w:header", "567");
    docx_attr(x, "w:footer", "567");
    docx_attr(x, "w:gutter", "0");
    docx_close(x);
    docx_close(x);
}

/* End the section written so far and go on in the other orientation. */
static void switch_orientation(struct docx *d, int landscape)
{
    if (d->landscape == landscape)
        return;
    docx_open(&d->x, "w:p");
    docx_open(&d->x, "w:pPr");
    sect_pr(&d->x, d->landscape);
    docx_close(&d->x);
    docx_close(&d->x);
    d->landscape = landscape;
}

/* ---- tables ------------------------------------------------------------------- */

struct tgrid {
    int cols[64];
    int width[64]; /* twips */
    int n;
    int landscape;
    int size; /* the cells' type in half-points; 0 = the style's 8 pt */
};

static int is_left(const utfall_table *t, int c)
{
    utfall_coltype ty = utfall_table_column_type(t, c);
    return ty == UTFALL_COL_GROUP || ty == UTFALL_COL_TEXT;
}

static int chars(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The longest word of a header label: it wraps at spaces. */
static int longest_word(const char *s)
{
    int best = 0, cur = 0;
    for (; *s; s++) {
        if (*s == ' ') {
            cur = 0;
            continue;
        }
        cur += ((unsigned char)*s & 0xC0) != 0x80;
        best = cur > best ? cur : best;
    }
    return best;
}

/* The widths a column can take: with its cells whole and its header
 * wrapped at spaces (min), and with nothing wrapped (nat), at 8 pt. */
static void column_widths(struct docx *d, const utfall_table *t, struct tgrid *g, int *minw,
                          int *natw)
{
    char buf[1024];
    g->n = 0;
    for (int c = 0; c < utfall_table_ncols(t) && g->n < 64; c++) {
        if (!utfall_table_column_visible(t, c, 0))
            continue;
        const char *label = utfall_table_column_label(t, c, d->lang);
        int data = 0;
        for (int r = 0; r < utfall_table_nrows(t); r++) {
            utfall_table_format_cell(t, r, c, d->lang, buf, sizeof buf);
            data = chars(buf) > data ? chars(buf) : data;
        }
        int word = longest_word(label), head = chars(label);
        minw[g->n] = (data > word ? data : word) * CHAR_W + CELL_PAD;
        natw[g->n] = (data > head ? data : head) * CHAR_W + CELL_PAD;
        g->cols[g->n++] = c;
    }
}

/* Widths that fit the page: at 8 pt, else at 7 or 6.5 pt on a portrait
 * page, else on a landscape one (smaller columns still when it does not
 * fit that either: their text wraps). */
static void grid(struct docx *d, const utfall_table *t, struct tgrid *g)
{
    int minw[64], natw[64], total_min = 0, total_nat = 0;
    column_widths(d, t, g, minw, natw);
    for (int k = 0; k < g->n; k++) {
        total_min += minw[k];
        total_nat += natw[k];
    }
    static const int sizes[] = {16, 14, 13};
    int scale = 16; /* half-points the widths were measured at */
    g->landscape = 1;
    for (size_t i = 0; i < 3 && g->landscape; i++)
        if (total_min * sizes[i] / 16 <= TEXT_W_PORTRAIT) {
            g->landscape = 0;
            scale = sizes[i];
        }
    g->size = scale == 16 ? 0 : scale;
    int avail = g->landscape ? TEXT_W_LANDSCAPE : TEXT_W_PORTRAIT;
    total_min = total_min * scale / 16;
    total_nat = total_nat * scale / 16;
    for (int k = 0; k < g->n; k++) {
        int mn = minw[k] * scale / 16, nt = natw[k] * scale / 16;
        if (total_nat <= avail)
            g->width[k] = nt;
        else if (total_min <= avail) /* share what is left among the headers that wrap */
            g->width[k] = mn + (nt - mn) * (avail - total_min)
                                   / (total_nat - total_min ? total_nat - total_min : 1);
        else
            g->width[k] = mn * avail / total_min;
    }
}

static void cell(struct docx *d, const utfall_table *t, int row, int c, int width, int header,
                 int size)
{
    struct xw *x = &d->x;
    char buf[1024], w[16];
    int total = row >= 0 && utfall_table_is_total(t, row);
    snprintf(w, sizeof w, "%d", width);
    docx_open(x, "w:tc");
    docx_open(x, "w:tcPr");
    docx_open(x, "w:tcW");
    docx_attr(x, "w:w", w);
    docx_attr(x, "w:type", "dxa");
    docx_close(x);
    if (total) {
        docx_open(x, "w:tcBorders");
        docx_open(x, "w:top");
        docx_attr(x, "w:val", "single");
        docx_attr(x, "w:sz", "6");
        docx_attr(x, "w:color", "404040");
        docx_close(x);
        docx_close(x);
    }
    if (header) {
        docx_open(x, "w:shd");
        docx_attr(x, "w:val", "clear");
        docx_attr(x, "w:fill", "E0E5EC");
        docx_close(x);
        docx_empty(x, "w:vAlign", "w:val", "bottom");
    }
    docx_close(x);
    docx_open(x, "w:p");
    docx_open(x, "w:pPr");
    docx_empty(x, "w:pStyle", "w:val", "TableText");
    docx_open(x, "w:spacing");
    docx_attr(x, "w:before", "20");
    docx_attr(x, "w:after", "20");
    docx_close(x);
    if (!is_left(t, c))
        docx_empty(x, "w:jc", "w:val", "right");
    docx_close(x);
    if (header)
        snprintf(buf, sizeof buf, "%s", utfall_table_column_label(t, c, d->lang));
    else
        utfall_table_format_cell(t, row, c, d->lang, buf, sizeof buf);
    sized_run(x, buf, header || total ? BOLD : PLAIN, size);
    docx_close(x);
    docx_close(x);
}

static void table_properties(struct docx *d, const struct tgrid *g)
{
    struct xw *x = &d->x;
    char w[16];
    int total = 0;
    for (int k = 0; k < g->n; k++)
        total += g->width[k];
    snprintf(w, sizeof w, "%d", total);
    docx_open(x, "w:tblPr");
    docx_open(x, "w:tblW");
    docx_attr(x, "w:w", w);
    docx_attr(x, "w:type", "dxa");
    docx_close(x);
    docx_open(x, "w:tblBorders");
    static const char *const edges[] = {"w:top", "w:bottom", "w:insideH"};
    for (size_t i = 0; i < 3; i++) {
        docx_open(x, edges[i]);
        docx_attr(x, "w:val", "single");
        docx_attr(x, "w:sz", i < 2 ? "8" : "4");
        docx_attr(x, "w:space", "0");
        docx_attr(x, "w:color", i < 2 ? "404040" : "D0D0D0");
        docx_close(x);
    }
    docx_close(x);
    docx_empty(x, "w:tblLayout", "w:type", "fixed"); /* after the borders: the schema's order */
    docx_open(x, "w:tblCellMar");
    snprintf(w, sizeof w, "%d", CELL_MARGIN);
    static const char *const sides[] = {"w:left", "w:right"};
    for (size_t i = 0; i < 2; i++) {
        docx_open(x, sides[i]);
        docx_attr(x, "w:w", w);
        docx_attr(x, "w:type", "dxa");
        docx_close(x);
    }
    docx_close(x);
    docx_empty(x, "w:tblLook", "w:val", "0420");
    docx_close(x);
    docx_open(x, "w:tblGrid");
    for (int k = 0; k < g->n; k++) {
        snprintf(w, sizeof w, "%d", g->width[k]);
        docx_empty(x, "w:gridCol", "w:w", w);
    }
    docx_close(x);
}

static void table_row(struct docx *d, const utfall_table *t, const struct tgrid *g, int row)
{
    struct xw *x = &d->x;
    docx_open(x, "w:tr");
    docx_open(x, "w:trPr");
    docx_empty(x, "w:cantSplit", NULL, NULL);
    if (row < 0)
        docx_empty(x, "w:tblHeader", NULL, NULL); /* repeats on every page */
    docx_close(x);
    for (int k = 0; k < g->n; k++)
        cell(d, t, row, g->cols[k], g->width[k], row < 0, g->size);
    docx_close(x);
}

static void table(struct docx *d, const utfall_table *t)
{
    struct tgrid g;
    grid(d, t, &g);
    switch_orientation(d, g.landscape);
    caption(d, utfall_tr(d->lang, "report.docx.table"), ++d->ntables, utfall_table_title(t), 1);
    docx_open(&d->x, "w:tbl");
    table_properties(d, &g);
    table_row(d, t, &g, -1);
    for (int r = 0; r < utfall_table_nrows(t); r++)
        table_row(d, t, &g, r);
    docx_close(&d->x);
    for (int i = 0; i < utfall_table_nnotes(t); i++)
        para(d, "TableNote", utfall_table_note(t, i));
    if (!utfall_table_nnotes(t))
        para(d, "TableNote", ""); /* Word joins a table with the next one otherwise */
}

/* ---- figures --------------------------------------------------------------------- */

/* The figure as a PNG in memory, at print resolution. */
static unsigned char *render_png(struct docx *d, const utfall_chart *c, size_t *len, long *w,
                                 long *h)
{
    char *bytes = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&bytes, &n);
    if (!f) {
        d->st = utfall_error_set(d->err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
        return NULL;
    }
    utfall_chart_output o = {UTFALL_CHART_PNG, 0, 0, PNG_DPI};
    utfall_status st = utfall_render_chart_write(c, f, &o, d->err);
    if (fclose(f) && !st)
        st = utfall_error_set(d->err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    if (st || n < 24) {
        d->st = st ? st : utfall_error_set(d->err, UTFALL_ERR_INTERNAL, UTFALL_EC_CHART_CAIRO,
                                           "the figure gave no image");
        free(bytes);
        return NULL;
    }
    const unsigned char *ihdr = (const unsigned char *)bytes + 16; /* after the signature */
    *w = (long)ihdr[0] << 24 | (long)ihdr[1] << 16 | (long)ihdr[2] << 8 | ihdr[3];
    *h = (long)ihdr[4] << 24 | (long)ihdr[5] << 16 | (long)ihdr[6] << 8 | ihdr[7];
    *len = n;
    return (unsigned char *)bytes;
}

static void picture(struct xw *x, int id, const char *rid, long cx, long cy, const char *alt)
{
    char n[32], scx[32], scy[32];
    snprintf(n, sizeof n, "%d", id);
    snprintf(scx, sizeof scx, "%ld", cx);
    snprintf(scy, sizeof scy, "%ld", cy);
    docx_open(x, "wp:inline");
    docx_open(x, "wp:extent");
    docx_attr(x, "cx", scx);
    docx_attr(x, "cy", scy);
    docx_close(x);
    docx_open(x, "wp:docPr");
    docx_attr(x, "id", n);
    docx_attr(x, "name", rid);
    docx_attr(x, "descr", alt);
    docx_close(x);
    docx_open(x, "a:graphic");
    docx_open(x, "a:graphicData");
    docx_attr(x, "uri", "http://schemas.openxmlformats.org/drawingml/2006/picture");
    docx_open(x, "pic:pic");
    docx_open(x, "pic:nvPicPr");
    docx_open(x, "pic:cNvPr");
    docx_attr(x, "id", n);
    docx_attr(x, "name", rid);
    docx_close(x);
    docx_empty(x, "pic:cNvPicPr", NULL, NULL);
    docx_close(x);
    docx_open(x, "pic:blipFill");
    docx_empty(x, "a:blip", "r:embed", rid);
    docx_open(x, "a:stretch");
    docx_empty(x, "a:fillRect", NULL, NULL);
    docx_close(x);
    docx_close(x);
    docx_open(x, "pic:spPr");
    docx_open(x, "a:xfrm");
    docx_open(x, "a:off");
    docx_attr(x, "x", "0");
    docx_attr(x, "y", "0");
    docx_close(x);
    docx_open(x, "a:ext");
    docx_attr(x, "cx", scx);
    docx_attr(x, "cy", scy);
    docx_close(x);
    docx_close(x);
    docx_open(x, "a:prstGeom");
    docx_attr(x, "prst", "rect");
    docx_empty(x, "a:avLst", NULL, NULL);
    docx_close(x);
    docx_close(x);
    docx_close(x); /* pic:pic */
    docx_close(x);
    docx_close(x);
    docx_close(x); /* wp:inline */
}

static void relationship(struct xw *x, const char *id, const char *type, const char *target)
{
    char full[160];
    snprintf(full, sizeof full, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/%s",
             type);
    docx_open(x, "Relationship");
    docx_attr(x, "Id", id);
    docx_attr(x, "Type", full);
    docx_attr(x, "Target", target);
    docx_close(x);
}

static void figure(struct docx *d, size_t i)
{
    const utfall_chart *c = utfall_report_figure_chart(d->r, i);
    if (!c)
        return; /* an image file of the Markdown's: not the report's own */
    size_t len;
    long w, h;
    unsigned char *png = render_png(d, c, &len, &w, &h);
    if (!png)
        return;
    char name[64], rid[32];
    int k = ++d->nfigures;
    snprintf(name, sizeof name, "word/media/figur%d.png", k);
    snprintf(rid, sizeof rid, "rIdFig%d", k);
    if ((d->st = docx_add_part(&d->pkg, name, png, len, d->err)))
        return;
    relationship(&d->rels, rid, "image", name + 5);
    /* its size on paper: its pixels at its resolution, no larger than the page */
    double cx = (double)w / PNG_DPI * EMU_PER_INCH, cy = (double)h / PNG_DPI * EMU_PER_INCH;
    double max_w = (d->landscape ? TEXT_W_LANDSCAPE : TEXT_W_PORTRAIT) / 1440.0 * EMU_PER_INCH;
    double max_h = (TEXT_H_PORTRAIT - 1500) / 1440.0 * EMU_PER_INCH;
    double s = fmin(1, fmin(max_w / cx, max_h / cy));
    const char *title = utfall_chart_title(c);
    para_open(&d->x, NULL, 1);
    docx_open(&d->x, "w:r");
    docx_open(&d->x, "w:drawing");
    picture(&d->x, k, rid, lround(cx * s), lround(cy * s), title ? title : "");
    docx_close(&d->x);
    docx_close(&d->x);
    docx_close(&d->x);
    caption(d, utfall_tr(d->lang, "report.docx.figure"), k, title, 0);
}

/* ---- the document ------------------------------------------------------------------ */

/* 1 when block i is a table for a landscape page. */
static int landscape_table(struct docx *d, size_t i)
{
    const char *text;
    if (i >= utfall_report_nblocks(d->r)
        || utfall_report_block(d->r, i, &text, NULL) != UTFALL_BLOCK_TABLE)
        return 0;
    const utfall_table *t = utfall_doc_table(d->doc, text);
    struct tgrid g;
    if (!t)
        return 0;
    grid(d, t, &g);
    return g.landscape;
}

static void block(struct docx *d, size_t i)
{
    const char *text;
    int level;
    utfall_block_kind kind = utfall_report_block(d->r, i, &text, &level);
    /* a heading goes on the page of the wide table after it */
    if (kind == UTFALL_BLOCK_HEADING)
        switch_orientation(d, landscape_table(d, i + 1));
    else if (kind != UTFALL_BLOCK_TABLE)
        switch_orientation(d, 0);
    switch (kind) {
    case UTFALL_BLOCK_HEADING:
        heading(d, level, text);
        break;
    case UTFALL_BLOCK_PARAGRAPH:
        para(d, NULL, text);
        break;
    case UTFALL_BLOCK_LIST_ITEM:
        para(d, "ListBullet", text);
        break;
    case UTFALL_BLOCK_TABLE: {
        const utfall_table *t = utfall_doc_table(d->doc, text);
        if (t)
            table(d, t);
        break;
    }
    case UTFALL_BLOCK_FIGURE:
        figure(d, i);
        break;
    }
}

static void document_start(struct docx *d)
{
    docx_xw_start(&d->x);
    docx_open(&d->x, "w:document");
    docx_attr(&d->x, "xmlns:w", "http://schemas.openxmlformats.org/wordprocessingml/2006/main");
    docx_attr(&d->x, "xmlns:r",
              "http://schemas.openxmlformats.org/officeDocument/2006/relationships");
    docx_attr(&d->x, "xmlns:wp",
              "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing");
    docx_attr(&d->x, "xmlns:a", "http://schemas.openxmlformats.org/drawingml/2006/main");
    docx_attr(&d->x, "xmlns:pic", "http://schemas.openxmlformats.org/drawingml/2006/picture");
    docx_open(&d->x, "w:body");
    docx_xw_start(&d->rels);
    docx_open(&d->rels, "Relationships");
    docx_attr(&d->rels, "xmlns", "http://schemas.openxmlformats.org/package/2006/relationships");
    relationship(&d->rels, "rId1", "styles", "styles.xml");
    relationship(&d->rels, "rId2", "numbering", "numbering.xml");
    relationship(&d->rels, "rId3", "settings", "settings.xml");
}

static utfall_status document_finish(struct docx *d)
{
    sect_pr(&d->x, d->landscape);
    docx_close(&d->x); /* w:body */
    docx_close(&d->x);
    docx_close(&d->rels);
    size_t len = 0, rlen = 0;
    unsigned char *doc = docx_xw_finish(&d->x, &len);
    unsigned char *rels = docx_xw_finish(&d->rels, &rlen);
    utfall_status st = docx_add_part(&d->pkg, "word/document.xml", doc, len, d->err);
    if (!st)
        st = docx_add_part(&d->pkg, "word/_rels/document.xml.rels", rels, rlen, d->err);
    else
        free(rels);
    return st;
}

/* The date in the document's properties and the zip: the report's, else
 * SOURCE_DATE_EPOCH's, else 2000-01-01. */
static void document_date(const utfall_report *r, char *out, size_t size)
{
    if (utfall_report_date(r))
        snprintf(out, size, "%.10s", utfall_report_date(r));
    else
        utfall_render_pdf_date(out, size);
    out[size > 10 ? 10 : size - 1] = '\0';
}

static const char *first_heading(const utfall_report *r)
{
    for (size_t i = 0; i < utfall_report_nblocks(r); i++) {
        const char *s;
        if (utfall_report_block(r, i, &s, NULL) == UTFALL_BLOCK_HEADING)
            return s;
    }
    return NULL;
}

utfall_status utfall_report_write_docx(const utfall_report *r, const char *path, utfall_error *err)
{
    struct docx d = {.r = r, .doc = utfall_report_doc((utfall_report *)r),
                     .lang = utfall_report_lang(r), .err = err};
    if (utfall_doc_check(d.doc, err))
        return err->status;
    char date[32];
    document_date(r, date, sizeof date);
    d.st = docx_add_fixed_parts(&d.pkg, first_heading(r), date, d.lang, err);
    if (!d.st)
        document_start(&d);
    for (size_t i = 0; !d.st && i < utfall_report_nblocks(r); i++)
        block(&d, i);
    if (!d.st && (d.x.failed || d.rels.failed))
        d.st = utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM,
                                "cannot write the document's XML");
    if (!d.st)
        d.st = document_finish(&d);
    else {
        free(docx_xw_finish(&d.x, &(size_t){0}));
        free(docx_xw_finish(&d.rels, &(size_t){0}));
    }
    if (!d.st)
        d.st = docx_write_package(&d.pkg, path, date, err);
    docx_package_free(&d.pkg);
    return d.st;
}
