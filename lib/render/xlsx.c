/* The XLSX writer of the output layer (libxlsxwriter).  People open the
 * workbook in Excel and compute on it, so numbers are stored as numbers
 * and only their display is formatted: counts as whole numbers, shares as
 * percent, p-values with three decimals. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xlsxwriter.h>

#include "render/render.h"
#include "output/table_internal.h"

/* 2000-01-01T00:00:00Z: the creation time when SOURCE_DATE_EPOCH is unset,
 * so that the same input always gives the same bytes. */
#define XLSX_FIXED_CREATED 946684800L

struct xlsx_formats {
    lxw_format *bold, *title, *count, *count_bold, *pvalue, *wrap, *amount, *amount_bold;
    lxw_format *share[4], *share_bold[4], *dec[4], *dec_bold[4], *pp[4];
};

static time_t created_time(void)
{
    const char *e = getenv("SOURCE_DATE_EPOCH");
    if (e && *e) {
        char *end;
        long long v = strtoll(e, &end, 10);
        if (!*end && v > 0)
            return (time_t)v;
    }
    return (time_t)XLSX_FIXED_CREATED;
}

enum weight { REGULAR, BOLD };

static lxw_format *numfmt(lxw_workbook *wb, const char *fmt, enum weight weight)
{
    lxw_format *f = workbook_add_format(wb);
    if (f) {
        format_set_num_format(f, fmt);
        if (weight == BOLD)
            format_set_bold(f);
    }
    return f;
}

static void make_formats(lxw_workbook *wb, struct xlsx_formats *f)
{
    static const char *const share[4] = {"0%", "0.0%", "0.00%", "0.000%"};
    static const char *const dec[4] = {"0", "0.0", "0.00", "0.000"};
    static const char *const pp[4] = {"+0;-0;0", "+0.0;-0.0;0.0", "+0.00;-0.00;0.00",
                                      "+0.000;-0.000;0.000"};
    f->bold = workbook_add_format(wb);
    format_set_bold(f->bold);
    f->title = workbook_add_format(wb);
    format_set_bold(f->title);
    format_set_font_size(f->title, 12);
    f->count = numfmt(wb, "0", REGULAR);
    f->count_bold = numfmt(wb, "0", BOLD);
    f->pvalue = numfmt(wb, "0.000", REGULAR);
    f->amount = numfmt(wb, "#,##0", REGULAR); /* Excel shows its own thousands separator */
    f->amount_bold = numfmt(wb, "#,##0", BOLD);
    f->wrap = workbook_add_format(wb);
    format_set_italic(f->wrap);
    for (int i = 0; i < 4; i++) {
        f->share[i] = numfmt(wb, share[i], REGULAR);
        f->share_bold[i] = numfmt(wb, share[i], BOLD);
        f->dec[i] = numfmt(wb, dec[i], REGULAR);
        f->dec_bold[i] = numfmt(wb, dec[i], BOLD);
        f->pp[i] = numfmt(wb, pp[i], REGULAR);
    }
}

static int clamp_decimals(int d)
{
    return d < 0 ? 0 : d > 3 ? 3 : d;
}

/* Display width in characters (UTF-8 code points), for column widths. */
static size_t chars(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static void write_cell(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const utfall_table *t,
                       int r, int c, utfall_lang lang, const struct xlsx_formats *f)
{
    const struct column *k = &t->cols[c];
    const struct cell *cell = &t->cells[(size_t)r * (size_t)t->ncols + (size_t)c];
    int total = t->is_total[r];
    int d = clamp_decimals(k->decimals);
    char buf[1024];
    if (k->type == UTFALL_COL_GROUP || k->type == UTFALL_COL_TEXT || cell->state != CELL_NUM
        || k->type == UTFALL_COL_BOOL) {
        utfall_table_human_cell(t, r, c, lang, buf, sizeof buf);
        if (buf[0])
            worksheet_write_string(ws, row, col, buf, total ? f->bold : NULL);
        return;
    }
    switch (k->type) {
    case UTFALL_COL_COUNT:
    case UTFALL_COL_COUNT_SHARE:
        worksheet_write_number(ws, row, col, (double)llround(cell->num),
                               total ? f->count_bold : f->count);
        break;
    case UTFALL_COL_SHARE:
        worksheet_write_number(ws, row, col, cell->num, total ? f->share_bold[d] : f->share[d]);
        break;
    case UTFALL_COL_PP:
        worksheet_write_number(ws, row, col, cell->num * 100.0, f->pp[d]);
        break;
    case UTFALL_COL_PVALUE:
        worksheet_write_number(ws, row, col, cell->num, f->pvalue);
        break;
    case UTFALL_COL_AMOUNT:
        worksheet_write_number(ws, row, col, cell->num, total ? f->amount_bold : f->amount);
        break;
    default:
        worksheet_write_number(ws, row, col, cell->num, total ? f->dec_bold[d] : f->dec[d]);
    }
}

/* The share beside a COUNT_SHARE count. */
static void write_share(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const utfall_table *t,
                        int r, int c, utfall_lang lang, const struct xlsx_formats *f)
{
    const struct cell *cell = &t->cells[(size_t)r * (size_t)t->ncols + (size_t)c];
    int total = t->is_total[r];
    int base = t->cols[c].sum_of - 1; /* the share of a hidden total gives the total */
    int base_hidden = base >= 0
                      && t->cells[(size_t)r * (size_t)t->ncols + (size_t)base].state
                             == CELL_SUPPRESSED;
    if (cell->state == CELL_NUM && isfinite(cell->aux) && !base_hidden)
        worksheet_write_number(ws, row, col, cell->aux, total ? f->share_bold[1] : f->share[1]);
    else if (cell->state == CELL_SUPPRESSED || cell->state == CELL_NA || base_hidden)
        worksheet_write_string(ws, row, col,
                               utfall_tr(lang, cell->state == CELL_NA ? "not_computable"
                                                                       : "suppressed_mark"),
                               total ? f->bold : NULL);
}

static int shown(const utfall_table *t)
{
    return !t->machine_only;
}

static lxw_error write_definitions(lxw_workbook *wb, const utfall_doc *d, utfall_lang lang,
                                   const struct xlsx_formats *f)
{
    int sv = lang == UTFALL_LANG_SV;
    lxw_worksheet *ws = workbook_add_worksheet(wb, sv ? "Definitioner" : "Definitions");
    if (!ws)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    worksheet_write_string(ws, 0, 0, sv ? "Blad" : "Sheet", f->bold);
    worksheet_write_string(ws, 0, 1, sv ? "Tabell" : "Table", f->bold);
    worksheet_write_string(ws, 0, 2, "Definition", f->bold);
    worksheet_set_column(ws, 0, 0, 18, NULL);
    worksheet_set_column(ws, 1, 1, 40, NULL);
    worksheet_set_column(ws, 2, 2, 120, NULL);
    worksheet_freeze_panes(ws, 1, 0);
    lxw_row_t row = 1;
    for (int i = 0; i < d->n; i++) {
        const utfall_table *t = d->tables[i];
        if (!shown(t))
            continue;
        char name[128];
        utfall_doc_sheet_name(d, t, lang, name, sizeof name);
        /* a row per note, and one for a table without notes */
        for (int k = 0; k < (t->nnotes ? t->nnotes : 1); k++, row++) {
            worksheet_write_string(ws, row, 0, name, NULL);
            if (t->title)
                worksheet_write_string(ws, row, 1, t->title, NULL);
            if (k < t->nnotes)
                worksheet_write_string(ws, row, 2, t->notes[k], NULL);
        }
    }
    return LXW_NO_ERROR;
}

static lxw_error write_table(lxw_workbook *wb, const utfall_doc *d, const utfall_table *t,
                             utfall_lang lang, const struct xlsx_formats *f)
{
    char name[128], buf[1024];
    /* named by the title people read: "Deltagare efter kön" */
    utfall_doc_sheet_name(d, t, lang, name, sizeof name);
    lxw_worksheet *ws = workbook_add_worksheet(wb, name);
    if (!ws)
        return LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE; /* a duplicate or bad name */
    lxw_row_t row = 0;
    if (t->title) {
        worksheet_write_string(ws, row, 0, t->title, f->title);
        row += 2;
    }
    lxw_row_t header = row;
    lxw_col_t col = 0;
    for (int c = 0; c < t->ncols; c++) {
        if (!utfall_table_column_visible(t, c, 0))
            continue;
        const char *label = utfall_table_column_label(t, c, lang);
        size_t w = chars(label);
        for (int r = 0; r < t->nrows; r++) {
            utfall_table_human_cell(t, r, c, lang, buf, sizeof buf);
            if (chars(buf) > w)
                w = chars(buf);
        }
        worksheet_set_column(ws, col, col, (double)(w < 8 ? 8 : w > 60 ? 60 : w) + 2, NULL);
        worksheet_write_string(ws, header, col++, label, f->bold);
        if (t->cols[c].type == UTFALL_COL_COUNT_SHARE) {
            /* people see "12 (40 %)"; a spreadsheet wants both as numbers */
            char share_label[512];
            snprintf(share_label, sizeof share_label, "%s (%s)", label,
                     utfall_tr(lang, "xlsx.share"));
            worksheet_set_column(ws, col, col, (double)chars(share_label) + 2, NULL);
            worksheet_write_string(ws, header, col++, share_label, f->bold);
        }
    }
    worksheet_freeze_panes(ws, header + 1, 0);
    row = header + 1;
    for (int r = 0; r < t->nrows; r++, row++) {
        col = 0;
        for (int c = 0; c < t->ncols; c++)
            if (utfall_table_column_visible(t, c, 0)) {
                write_cell(ws, row, col++, t, r, c, lang, f);
                if (t->cols[c].type == UTFALL_COL_COUNT_SHARE)
                    write_share(ws, row, col++, t, r, c, lang, f);
            }
    }
    if (t->nnotes)
        row++;
    for (int k = 0; k < t->nnotes; k++)
        worksheet_write_string(ws, row++, 0, t->notes[k], f->wrap);
    return LXW_NO_ERROR;
}

utfall_status utfall_render_doc_write_xlsx(const utfall_doc *d, const char *path, utfall_lang lang,
                                    utfall_error *err)
{
    if (utfall_doc_check(d, err))
        return err->status;
    lxw_workbook *wb = workbook_new(path);
    if (!wb)
        return utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_WRITE_ERROR, "cannot create the workbook");
    lxw_doc_properties props;
    memset(&props, 0, sizeof props);
    props.title = "utfall";
    props.created = created_time();
    workbook_set_properties(wb, &props);
    struct xlsx_formats f;
    make_formats(wb, &f);
    lxw_error e = write_definitions(wb, d, lang, &f);
    for (int i = 0; e == LXW_NO_ERROR && i < d->n; i++)
        if (shown(d->tables[i]))
            e = write_table(wb, d, d->tables[i], lang, &f);
    lxw_error ce = workbook_close(wb);
    if (e == LXW_NO_ERROR)
        e = ce;
    if (e != LXW_NO_ERROR)
        return utfall_error_set(err, e == LXW_ERROR_MEMORY_MALLOC_FAILED ? UTFALL_ERR_NOMEM
                                                                         : UTFALL_ERR_IO,
                                UTFALL_EC_WRITE_ERROR, "cannot write the workbook: %s", lxw_strerror(e));
    return UTFALL_OK;
}
