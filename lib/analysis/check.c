#include "utfall/check.h"

#include <stdlib.h>
#include <string.h>

#include "utfall/summary.h"
#include "core/internal.h"

#define MAX_DISTINCT 100

struct colstat {
    char *name;
    int field;
    long present, missing;
};

struct valstat {
    int field;
    char *value;
    long count;
};

static const utfall_field categorical[] = {UTFALL_F_KON, UTFALL_F_ENHET, UTFALL_F_INSATS,
                                           UTFALL_F_AVSLUTSORSAK, UTFALL_F_FORSORJNING_FORE,
                                           UTFALL_F_FORSORJNING_EFTER};
#define NCAT (sizeof categorical / sizeof categorical[0])

static int cmp_val(const void *a, const void *b)
{
    const struct valstat *x = a, *y = b;
    if (x->field != y->field)
        return x->field - y->field;
    if (!x->value[0] || !y->value[0])
        return !x->value[0] - !y->value[0];
    return strcmp(x->value, y->value);
}

utfall_status utfall_check_compute(utfall_extract *x, utfall_lang lang, utfall_doc *doc,
                                   utfall_error *err)
{
    utfall_status st = UTFALL_OK;
    struct colstat *cols = NULL;
    size_t ncols = 0;
    struct valstat *vals = NULL;
    size_t nvals = 0;
    long distinct_over[UTFALL_F_COUNT] = {0};
    size_t field_vals[NCAT][MAX_DISTINCT], nfield_vals[NCAT] = {0};
    utfall_hashset *ids = utfall_hashset_new();
    long persons = 0;
    utfall_date first = UTFALL_DATE_NONE, last = UTFALL_DATE_NONE, last_exit = UTFALL_DATE_NONE;
    size_t cur_file = (size_t)-1;
    size_t *colmap = NULL; /* current file column → cols[] */
    if (!ids)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");

    utfall_row row;
    int got;
    while ((got = utfall_extract_next(x, &row, err)) == 1) {
        if (row.file_index != cur_file) {
            cur_file = row.file_index;
            size_t n = utfall_extract_ncolumns(x);
            free(colmap);
            colmap = calloc(n ? n : 1, sizeof *colmap);
            if (!colmap)
                goto nomem;
            for (size_t i = 0; i < n; i++) {
                const char *name = utfall_extract_column_name(x, i);
                size_t k = 0;
                while (k < ncols && strcmp(cols[k].name, name))
                    k++;
                if (k == ncols) {
                    struct colstat *c = realloc(cols, (ncols + 1) * sizeof *c);
                    if (!c)
                        goto nomem;
                    cols = c;
                    cols[ncols] = (struct colstat){strdup(name), utfall_extract_column_field(x, i),
                                                   0, 0};
                    if (!cols[ncols].name)
                        goto nomem;
                    ncols++;
                }
                colmap[i] = k;
            }
        }
        for (size_t i = 0; i < row.record->nfields; i++) {
            if (row.record->fields[i][0])
                cols[colmap[i]].present++;
            else
                cols[colmap[i]].missing++;
        }
        int np = utfall_hashset_add(ids, utfall_hash_str(0, row.id));
        if (np < 0)
            goto nomem;
        persons += np;
        if (first == UTFALL_DATE_NONE || row.inskriven < first)
            first = row.inskriven;
        if (last == UTFALL_DATE_NONE || row.inskriven > last)
            last = row.inskriven;
        if (row.avslutad != UTFALL_DATE_NONE && (last_exit == UTFALL_DATE_NONE || row.avslutad > last_exit))
            last_exit = row.avslutad;
        for (size_t k = 0; k < NCAT; k++) {
            const char *v;
            switch (categorical[k]) {
            case UTFALL_F_KON: v = utfall_kon_key(row.kon); break;
            case UTFALL_F_ENHET: v = row.enhet; break;
            case UTFALL_F_INSATS: v = row.insats; break;
            case UTFALL_F_AVSLUTSORSAK: v = utfall_outcome_key(row.avslutsorsak); break;
            case UTFALL_F_FORSORJNING_FORE: v = utfall_income_key(row.forsorjning_fore); break;
            default: v = utfall_income_key(row.forsorjning_efter); break;
            }
            /* only this field's values, first byte before strcmp: this
             * runs six times a row */
            size_t have = nfield_vals[k], q = 0;
            while (q < have && !(vals[field_vals[k][q]].value[0] == v[0]
                                 && !strcmp(vals[field_vals[k][q]].value, v)))
                q++;
            if (q < have) {
                vals[field_vals[k][q]].count++;
                continue;
            }
            if (have >= MAX_DISTINCT) {
                distinct_over[categorical[k]]++;
                continue;
            }
            struct valstat *nv = realloc(vals, (nvals + 1) * sizeof *nv);
            if (!nv)
                goto nomem;
            vals = nv;
            vals[nvals] = (struct valstat){(int)categorical[k], strdup(v), 1};
            if (!vals[nvals].value)
                goto nomem;
            field_vals[k][nfield_vals[k]++] = nvals;
            nvals++;
        }
    }
    if (got < 0) {
        st = err->status;
        goto done;
    }

    utfall_extract_stats s;
    utfall_extract_get_stats(x, &s);
    char date[16];
    {
        utfall_table *t = utfall_table_new("rows", UTFALL_TABLE_ROWS);
        if (!t)
            goto nomem;
        utfall_table_set_title(t, utfall_tr(lang, "title.check"));
        int c_read = utfall_table_add_column(t, "rows_read", "col.rows_read", UTFALL_COL_COUNT, 0);
        int c_used = utfall_table_add_column(t, "rows_used", "col.rows_used", UTFALL_COL_COUNT, 0);
        int c_rej = utfall_table_add_column(t, "rows_rejected", "col.rows_rejected", UTFALL_COL_COUNT, 0);
        int c_per = utfall_table_add_column(t, "persons", "col.persons", UTFALL_COL_COUNT, 0);
        int c_re = utfall_table_add_column(t, "reenrolments", "col.reenrolments", UTFALL_COL_COUNT, 0);
        int c_warn = utfall_table_add_column(t, "warnings", "col.warnings", UTFALL_COL_COUNT, 0);
        int c_first = utfall_table_add_column(t, "first_enrolment", "col.first_enrolment", UTFALL_COL_TEXT, 0);
        int c_last = utfall_table_add_column(t, "last_enrolment", "col.last_enrolment", UTFALL_COL_TEXT, 0);
        int c_lexit = utfall_table_add_column(t, "last_exit", "col.last_exit", UTFALL_COL_TEXT, 0);
        int r = utfall_table_add_row(t, UTFALL_ROW_TOTAL);
        utfall_table_set_num(t, r, c_read, (double)s.rows_read);
        utfall_table_set_num(t, r, c_used, (double)s.rows_used);
        utfall_table_set_num(t, r, c_rej, (double)s.rows_rejected);
        utfall_table_set_num(t, r, c_per, (double)persons);
        utfall_table_set_num(t, r, c_re, (double)(s.rows_used - persons));
        utfall_table_set_num(t, r, c_warn, (double)s.warnings);
        utfall_date_format(first, date, sizeof date);
        utfall_table_set_text(t, r, c_first, date);
        utfall_date_format(last, date, sizeof date);
        utfall_table_set_text(t, r, c_last, date);
        utfall_date_format(last_exit, date, sizeof date);
        utfall_table_set_text(t, r, c_lexit, date);
        utfall_doc_add(doc, t);
    }
    {
        utfall_table *t = utfall_table_new("columns", UTFALL_TABLE_ROWS);
        if (!t)
            goto nomem;
        utfall_table_set_title(t, utfall_tr(lang, "title.columns"));
        int c_col = utfall_table_add_column(t, "column", "col.column", UTFALL_COL_TEXT, 0);
        int c_f = utfall_table_add_column(t, "field", "col.field", UTFALL_COL_TEXT, 0);
        int c_p = utfall_table_add_column(t, "present", "col.present", UTFALL_COL_COUNT, 0);
        int c_m = utfall_table_add_column(t, "missing", "col.missing", UTFALL_COL_COUNT, 0);
        for (size_t i = 0; i < ncols; i++) {
            int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
            utfall_table_set_text(t, r, c_col, cols[i].name);
            utfall_table_set_text(t, r, c_f, cols[i].field >= 0 ? utfall_field_name((utfall_field)cols[i].field)
                                                                : "");
            utfall_table_set_num(t, r, c_p, (double)cols[i].present);
            utfall_table_set_num(t, r, c_m, (double)cols[i].missing);
        }
        utfall_table_add_note(t, utfall_tr(lang, "note.columns"));
        utfall_doc_add(doc, t);
    }
    {
        if (nvals)
            qsort(vals, nvals, sizeof *vals, cmp_val);
        utfall_table *t = utfall_table_new("values", UTFALL_TABLE_ROWS);
        if (!t)
            goto nomem;
        utfall_table_set_title(t, utfall_tr(lang, "title.values"));
        int c_f = utfall_table_add_column(t, "field", "col.field", UTFALL_COL_TEXT, 0);
        int c_v = utfall_table_add_column(t, "value", "col.value", UTFALL_COL_TEXT, 0);
        int c_n = utfall_table_add_column(t, "count", "col.count", UTFALL_COL_COUNT, 0);
        for (size_t i = 0; i < nvals; i++) {
            int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
            utfall_table_set_text(t, r, c_f, utfall_field_name((utfall_field)vals[i].field));
            utfall_table_set_text(t, r, c_v, vals[i].value);
            utfall_table_set_num(t, r, c_n, (double)vals[i].count);
        }
        for (int f = 0; f < UTFALL_F_COUNT; f++) {
            if (!distinct_over[f])
                continue;
            int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
            utfall_table_set_text(t, r, c_f, utfall_field_name((utfall_field)f));
            utfall_table_set_text(t, r, c_v, "...");
            utfall_table_set_num(t, r, c_n, (double)distinct_over[f]);
        }
        utfall_doc_add(doc, t);
    }
    goto done;
nomem:
    st = utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
done:
    for (size_t i = 0; i < ncols; i++)
        free(cols[i].name);
    free(cols);
    for (size_t i = 0; i < nvals; i++)
        free(vals[i].value);
    free(vals);
    free(colmap);
    utfall_hashset_free(ids);
    return st;
}
