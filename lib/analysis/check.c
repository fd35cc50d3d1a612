#include "utfall/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/summary.h"
#include "core/internal.h"

#define MAX_DISTINCT 100

/* A column of the input as named in its header, over every file that has it. */
struct column_counts {
    char *name;
    int field; /* the canonical field it was recognised as, or -1 */
    const char *how; /* how: utfall_extract_column_how */
    long present, missing;
};

/* Rows with a value of a categorical field. */
struct value_count {
    int field;
    char *value; /* canonical key; "" = not stated */
    long count;
};

static const utfall_field categorical[] = {UTFALL_F_KON, UTFALL_F_ENHET, UTFALL_F_INSATS,
                                           UTFALL_F_AVSLUTSORSAK, UTFALL_F_FORSORJNING_FORE,
                                           UTFALL_F_FORSORJNING_EFTER};
#define NCAT (sizeof categorical / sizeof categorical[0])

struct check_run {
    utfall_lang lang;
    struct column_counts *cols;
    size_t ncols, cols_cap;
    size_t cur_file; /* the file colmap is for */
    size_t *colmap;  /* its column → cols[] */
    struct value_count *vals;
    size_t nvals, vals_cap;
    size_t field_vals[NCAT][MAX_DISTINCT], nfield_vals[NCAT]; /* each field's vals[] */
    long distinct_over[UTFALL_F_COUNT]; /* rows with a value beyond the first MAX_DISTINCT */
    utfall_hashset *ids;
    long persons;
    utfall_date first, last, last_exit;
};

static int cmp_val(const void *a, const void *b)
{
    const struct value_count *x = a, *y = b;
    if (x->field != y->field)
        return x->field - y->field;
    if (!x->value[0] || !y->value[0])
        return !x->value[0] - !y->value[0];
    return strcmp(x->value, y->value);
}

static utfall_status nomem(utfall_error *err)
{
    return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
}

/* ---- reading ----------------------------------------------------------- */

/* A new file may name its columns differently: map them to cols[]. */
static int map_columns(struct check_run *r, utfall_extract *x)
{
    size_t n = utfall_extract_ncolumns(x);
    free(r->colmap);
    r->colmap = calloc(n ? n : 1, sizeof *r->colmap);
    if (!r->colmap)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *name = utfall_extract_column_name(x, i);
        size_t k = 0;
        while (k < r->ncols && strcmp(r->cols[k].name, name))
            k++;
        if (k == r->ncols) {
            if (UTFALL_GROW(r->cols, r->cols_cap, r->ncols + 1))
                return -1;
            r->cols[k] = (struct column_counts){strdup(name), utfall_extract_column_field(x, i),
                                                utfall_extract_column_how(x, i), 0, 0};
            if (!r->cols[k].name)
                return -1;
            r->ncols++;
        }
        r->colmap[i] = k;
    }
    return 0;
}

static void count_present(struct check_run *r, const utfall_row *row)
{
    for (size_t i = 0; i < row->record->nfields; i++) {
        if (row->record->fields[i][0])
            r->cols[r->colmap[i]].present++;
        else
            r->cols[r->colmap[i]].missing++;
    }
}

static void count_dates(struct check_run *r, const utfall_row *row)
{
    if (r->first == UTFALL_DATE_NONE || row->inskriven < r->first)
        r->first = row->inskriven;
    if (r->last == UTFALL_DATE_NONE || row->inskriven > r->last)
        r->last = row->inskriven;
    if (row->avslutad != UTFALL_DATE_NONE
        && (r->last_exit == UTFALL_DATE_NONE || row->avslutad > r->last_exit))
        r->last_exit = row->avslutad;
}

static const char *category_value(utfall_field f, const utfall_row *row, char *buf, size_t size)
{
    switch (f) {
    case UTFALL_F_KON: return utfall_kon_key(row->kon);
    case UTFALL_F_ENHET: return row->enhet;
    case UTFALL_F_INSATS: return row->insats;
    case UTFALL_F_AVSLUTSORSAK: return utfall_outcome_key(row->avslutsorsak);
    /* several sources in one field: the combination is a value of its own */
    case UTFALL_F_FORSORJNING_FORE:
        utfall_income_set_key(row->forsorjning_fore_set, buf, size);
        return buf;
    default:
        utfall_income_set_key(row->forsorjning_efter_set, buf, size);
        return buf;
    }
}

/* The entry of categorical[k]'s value v, or NULL. */
static struct value_count *seen_value(struct check_run *r, size_t k, const char *v)
{
    /* only this field's values, first byte before strcmp: this runs six
     * times a row */
    for (size_t q = 0; q < r->nfield_vals[k]; q++) {
        struct value_count *c = &r->vals[r->field_vals[k][q]];
        if (c->value[0] == v[0] && !strcmp(c->value, v))
            return c;
    }
    return NULL;
}

static int count_values(struct check_run *r, const utfall_row *row)
{
    for (size_t k = 0; k < NCAT; k++) {
        char buf[160];
        const char *v = category_value(categorical[k], row, buf, sizeof buf);
        struct value_count *seen = seen_value(r, k, v);
        if (seen) {
            seen->count++;
            continue;
        }
        if (r->nfield_vals[k] >= MAX_DISTINCT) {
            r->distinct_over[categorical[k]]++;
            continue;
        }
        if (UTFALL_GROW(r->vals, r->vals_cap, r->nvals + 1))
            return -1;
        r->vals[r->nvals] = (struct value_count){(int)categorical[k], strdup(v), 1};
        if (!r->vals[r->nvals].value)
            return -1;
        r->field_vals[k][r->nfield_vals[k]++] = r->nvals++;
    }
    return 0;
}

static utfall_status read_rows(struct check_run *r, utfall_extract *x, utfall_error *err)
{
    utfall_row row;
    int got;
    while ((got = utfall_extract_next(x, &row, err)) == 1) {
        if (row.file_index != r->cur_file) {
            r->cur_file = row.file_index;
            if (map_columns(r, x))
                return nomem(err);
        }
        count_present(r, &row);
        int np = utfall_hashset_add(r->ids, row.person);
        if (np < 0)
            return nomem(err);
        r->persons += np;
        count_dates(r, &row);
        if (count_values(r, &row))
            return nomem(err);
    }
    return got < 0 ? err->status : UTFALL_OK;
}

/* ---- tables ------------------------------------------------------------ */

enum {
    P_READ, P_USED, P_REJECTED, P_PERSONS, P_REENROLMENTS, P_WARNINGS,
    P_FIRST, P_LAST, P_LAST_EXIT, P_NCOLS
};
static const utfall_colspec profile_cols[P_NCOLS] = {
    [P_READ] = {.key = "rows_read", .type = UTFALL_COL_COUNT},
    [P_USED] = {.key = "rows_used", .type = UTFALL_COL_COUNT},
    [P_REJECTED] = {.key = "rows_rejected", .type = UTFALL_COL_COUNT},
    [P_PERSONS] = {.key = "persons", .type = UTFALL_COL_COUNT},
    [P_REENROLMENTS] = {.key = "reenrolments", .type = UTFALL_COL_COUNT},
    [P_WARNINGS] = {.key = "warnings", .type = UTFALL_COL_COUNT},
    [P_FIRST] = {.key = "first_enrolment", .type = UTFALL_COL_TEXT},
    [P_LAST] = {.key = "last_enrolment", .type = UTFALL_COL_TEXT},
    [P_LAST_EXIT] = {.key = "last_exit", .type = UTFALL_COL_TEXT},
};

static void set_date(utfall_table *t, int row, int col, utfall_date d)
{
    char text[16];
    utfall_date_format(d, text, sizeof text);
    utfall_table_set_text(t, row, col, text);
}

static utfall_status profile_table(const struct check_run *r, utfall_extract *x,
                                   utfall_doc *doc, utfall_error *err)
{
    utfall_extract_stats s;
    utfall_extract_get_stats(x, &s);
    utfall_table *t = utfall_table_new("rows", UTFALL_TABLE_ROWS);
    if (!t)
        return nomem(err);
    utfall_table_set_title(t, utfall_tr(r->lang, "title.check"));
    utfall_table_add_columns(t, profile_cols, P_NCOLS);
    int row = utfall_table_add_row(t, UTFALL_ROW_TOTAL);
    utfall_table_set_num(t, row, P_READ, (double)s.rows_read);
    utfall_table_set_num(t, row, P_USED, (double)s.rows_used);
    utfall_table_set_num(t, row, P_REJECTED, (double)s.rows_rejected);
    utfall_table_set_num(t, row, P_PERSONS, (double)r->persons);
    utfall_table_set_num(t, row, P_REENROLMENTS, (double)(s.rows_used - r->persons));
    utfall_table_set_num(t, row, P_WARNINGS, (double)s.warnings);
    set_date(t, row, P_FIRST, r->first);
    set_date(t, row, P_LAST, r->last);
    set_date(t, row, P_LAST_EXIT, r->last_exit);
    utfall_doc_add(doc, t);
    return UTFALL_OK;
}

enum { COL_COLUMN, COL_FIELD, COL_HOW, COL_HOW_LABEL, COL_PRESENT, COL_MISSING, COL_NCOLS };
static const utfall_colspec column_cols[COL_NCOLS] = {
    [COL_COLUMN] = {.key = "column", .type = UTFALL_COL_TEXT},
    [COL_FIELD] = {.key = "field", .type = UTFALL_COL_TEXT},
    /* name, map, words for programs; the same in words for people */
    [COL_HOW] = {.key = "recognised_by", .type = UTFALL_COL_TEXT,
                 .flags = UTFALL_COLF_MACHINE_ONLY},
    [COL_HOW_LABEL] = {.key = "recognised_by_label", .label_key = "col.recognised_by",
                       .type = UTFALL_COL_TEXT, .flags = UTFALL_COLF_HUMAN_ONLY},
    [COL_PRESENT] = {.key = "present", .type = UTFALL_COL_COUNT},
    [COL_MISSING] = {.key = "missing", .type = UTFALL_COL_COUNT},
};

/* A note for each field without a column (of the last file read): the
 * unused column that looks like it, and the --map that reads it. */
static void missing_notes(const struct check_run *r, utfall_extract *x, utfall_table *t)
{
    for (int f = 0; f < UTFALL_F_COUNT; f++) {
        int have = 0;
        const char *like = NULL;
        for (size_t i = 0; i < utfall_extract_ncolumns(x); i++) {
            int cf = utfall_extract_column_field(x, i);
            have |= cf == f || (f == UTFALL_F_ALDER && cf == UTFALL_F_FODELSEAR)
                    || (f == UTFALL_F_FODELSEAR && cf == UTFALL_F_ALDER);
            if (cf < 0 && !like
                && utfall_field_resembles(utfall_extract_column_name(x, i), (utfall_field)f))
                like = utfall_extract_column_name(x, i);
        }
        /* fodelsear stands for the age too; uppfoljd_till only horizon needs */
        if (have || f == UTFALL_F_UPPFOLJD_TILL || f == UTFALL_F_ALDER)
            continue;
        char note[512];
        const char *name = utfall_field_name((utfall_field)f);
        if (like)
            snprintf(note, sizeof note, utfall_tr(r->lang, "note.check.missing_like"), name,
                     like, name, like);
        else
            snprintf(note, sizeof note, utfall_tr(r->lang, "note.check.missing"), name);
        utfall_table_add_note(t, note);
    }
}

static utfall_status columns_table(const struct check_run *r, utfall_extract *x, utfall_doc *doc,
                                   utfall_error *err)
{
    utfall_table *t = utfall_table_new("columns", UTFALL_TABLE_ROWS);
    if (!t)
        return nomem(err);
    utfall_table_set_title(t, utfall_tr(r->lang, "title.columns"));
    utfall_table_add_columns(t, column_cols, COL_NCOLS);
    for (size_t i = 0; i < r->ncols; i++) {
        const struct column_counts *c = &r->cols[i];
        int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
        utfall_table_set_text(t, row, COL_COLUMN, c->name);
        utfall_table_set_text(t, row, COL_FIELD,
                              c->field >= 0 ? utfall_field_name((utfall_field)c->field) : "");
        utfall_table_set_text(t, row, COL_HOW, c->how);
        char key[32];
        snprintf(key, sizeof key, "how.%s", c->how);
        utfall_table_set_text(t, row, COL_HOW_LABEL, c->how[0] ? utfall_tr(r->lang, key) : "");
        utfall_table_set_num(t, row, COL_PRESENT, (double)c->present);
        utfall_table_set_num(t, row, COL_MISSING, (double)c->missing);
    }
    utfall_table_add_note(t, utfall_tr(r->lang, "note.columns"));
    missing_notes(r, x, t);
    utfall_doc_add(doc, t);
    return UTFALL_OK;
}

enum { VAL_FIELD, VAL_VALUE, VAL_COUNT, VAL_NCOLS };
static const utfall_colspec value_cols[VAL_NCOLS] = {
    [VAL_FIELD] = {.key = "field", .type = UTFALL_COL_TEXT},
    [VAL_VALUE] = {.key = "value", .type = UTFALL_COL_TEXT},
    [VAL_COUNT] = {.key = "count", .type = UTFALL_COL_COUNT},
};

static void add_value_row(utfall_table *t, int field, const char *value, long count)
{
    int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
    utfall_table_set_text(t, row, VAL_FIELD, utfall_field_name((utfall_field)field));
    utfall_table_set_text(t, row, VAL_VALUE, value);
    utfall_table_set_num(t, row, VAL_COUNT, (double)count);
}

/* Sorts the values. */
static utfall_status values_table(struct check_run *r, utfall_doc *doc, utfall_error *err)
{
    if (r->nvals)
        qsort(r->vals, r->nvals, sizeof *r->vals, cmp_val);
    utfall_table *t = utfall_table_new("values", UTFALL_TABLE_ROWS);
    if (!t)
        return nomem(err);
    utfall_table_set_title(t, utfall_tr(r->lang, "title.values"));
    utfall_table_add_columns(t, value_cols, VAL_NCOLS);
    for (size_t i = 0; i < r->nvals; i++)
        add_value_row(t, r->vals[i].field, r->vals[i].value, r->vals[i].count);
    /* the rest of a field with too many values, in one row */
    for (int f = 0; f < UTFALL_F_COUNT; f++)
        if (r->distinct_over[f])
            add_value_row(t, f, "...", r->distinct_over[f]);
    utfall_doc_add(doc, t);
    return UTFALL_OK;
}

static void run_free(struct check_run *r)
{
    for (size_t i = 0; i < r->ncols; i++)
        free(r->cols[i].name);
    free(r->cols);
    for (size_t i = 0; i < r->nvals; i++)
        free(r->vals[i].value);
    free(r->vals);
    free(r->colmap);
    utfall_hashset_free(r->ids);
}

utfall_status utfall_check_compute(utfall_extract *x, utfall_lang lang, utfall_doc *doc,
                                   utfall_error *err)
{
    struct check_run r = {.lang = lang,
                          .cur_file = (size_t)-1,
                          .first = UTFALL_DATE_NONE,
                          .last = UTFALL_DATE_NONE,
                          .last_exit = UTFALL_DATE_NONE};
    utfall_status st = (r.ids = utfall_hashset_new()) ? UTFALL_OK : nomem(err);
    if (!st)
        st = read_rows(&r, x, err);
    if (!st)
        st = profile_table(&r, x, doc, err);
    if (!st)
        st = columns_table(&r, x, doc, err);
    if (!st)
        st = values_table(&r, doc, err);
    run_free(&r);
    return st;
}
