#include "utfall/table.h"
#include "core/internal.h"
#include "output/table_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int utfall_format_parse(const char *name, utfall_format *out)
{
    static const char *const names[] = {"table", "tsv", "csv", "json", "md", "xlsx"};
    for (int i = 0; i < 6; i++)
        if (!strcasecmp(name, names[i])) {
            *out = (utfall_format)i;
            return 0;
        }
    if (!strcasecmp(name, "markdown")) {
        *out = UTFALL_FMT_MD;
        return 0;
    }
    return -1;
}

utfall_table *utfall_table_new(const char *key, utfall_table_kind kind)
{
    utfall_table *t = calloc(1, sizeof *t);
    if (!t || !(t->key = strdup(key))) {
        free(t);
        return NULL;
    }
    t->is_object = kind == UTFALL_TABLE_OBJECT;
    return t;
}

/* Remember the first failure; returns -1 so that callers can return it. */
static int table_fail(utfall_table *t, utfall_status st)
{
    if (t && !t->failed)
        t->failed = st;
    return -1;
}

utfall_status utfall_table_status(const utfall_table *t)
{
    return t ? t->failed : UTFALL_ERR_NOMEM;
}

void utfall_table_free(utfall_table *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i].text);
    for (int c = 0; c < t->ncols; c++) {
        free(t->cols[c].key);
        free(t->cols[c].label_key);
        free(t->cols[c].cell);
        free(t->cols[c].cell_dim);
        free(t->cols[c].margin_over);
        free(t->cols[c].cell_value);
        free(t->cols[c].dim);
        free(t->cols[c].dim_prefix);
        free(t->cols[c].json_member);
        for (size_t k = 0; k < t->cols[c].nmap; k++) {
            free(t->cols[c].map_value[k]);
            free(t->cols[c].map_patterns[k]);
        }
        free(t->cols[c].map_value);
        free(t->cols[c].map_patterns);
    }
    free(t->population);
    free(t->derived_from);
    for (int i = 0; i < t->nnotes; i++)
        free(t->notes[i]);
    free(t->notes);
    for (int i = 0; i < t->ncounted; i++)
        free(t->counted[i].fmt);
    free(t->counted);
    free(t->cols);
    free(t->cells);
    free(t->is_total);
    free(t->sheet);
    free(t->title);
    free(t->key);
    free(t);
}

int utfall_table_add_column(utfall_table *t, const char *key, const char *label_key,
                            utfall_coltype type, int decimals)
{
    /* columns first, then rows.  A key may appear twice when one column is
     * for people and its twin for machines (horizon's "estimate"). */
    if (t->nrows > 0)
        return table_fail(t, UTFALL_ERR_INTERNAL);
    size_t cap = (size_t)t->ncols;
    if (UTFALL_GROW(t->cols, cap, cap + 1))
        return table_fail(t, UTFALL_ERR_NOMEM);
    struct column *c = &t->cols[t->ncols];
    *c = (struct column){.key = strdup(key), .label_key = label_key ? strdup(label_key) : NULL,
                         .type = type, .decimals = decimals};
    if (!c->key || (label_key && !c->label_key)) {
        free(c->key);
        free(c->label_key);
        return table_fail(t, UTFALL_ERR_NOMEM);
    }
    return t->ncols++;
}

static int column_by_key(utfall_table *t, const char *key)
{
    int c = utfall_table_column_index(t, key);
    return c >= 0 ? c : table_fail(t, UTFALL_ERR_INTERNAL);
}

int utfall_table_add_columns(utfall_table *t, const utfall_colspec *spec, size_t n)
{
    int first = t->ncols;
    for (size_t i = 0; i < n; i++) {
        char label[160];
        const char *lk = spec[i].label_key;
        if (!lk) {
            snprintf(label, sizeof label, "col.%s", spec[i].key);
            lk = label;
        }
        int c = utfall_table_add_column(t, spec[i].key, lk, spec[i].type, spec[i].decimals);
        if (c < 0)
            return -1;
        t->cols[c].human_only = (spec[i].flags & UTFALL_COLF_HUMAN_ONLY) != 0;
        t->cols[c].machine_only = (spec[i].flags & UTFALL_COLF_MACHINE_ONLY) != 0;
        t->cols[c].not_suppressible = (spec[i].flags & UTFALL_COLF_NOT_SUPPRESSIBLE) != 0;
        t->cols[c].total_complement_public =
            (spec[i].flags & UTFALL_COLF_TOTAL_COMPLEMENT_PUBLIC) != 0;
        t->cols[c].share_of_total = (spec[i].flags & UTFALL_COLF_SHARE_OF_TOTAL) != 0;
    }
    /* bases and sums may name columns of the same array: resolve after */
    for (size_t i = 0; i < n; i++) {
        int c = first + (int)i;
        for (int k = 0; k < 4; k++)
            if (spec[i].depends[k])
                utfall_table_column_depends(t, c, column_by_key(t, spec[i].depends[k]));
        if (spec[i].part_of)
            utfall_table_column_part_of(t, c, column_by_key(t, spec[i].part_of));
    }
    return t->failed ? -1 : first;
}

static struct column *column_at(utfall_table *t, int col)
{
    if (col < 0 || col >= t->ncols) {
        table_fail(t, UTFALL_ERR_INTERNAL);
        return NULL;
    }
    return &t->cols[col];
}

void utfall_table_column_json_object(utfall_table *t, int col, const char *member)
{
    struct column *k = column_at(t, col);
    if (!k)
        return;
    free(k->json_member);
    if (!(k->json_member = strdup(member ? member : "")))
        table_fail(t, UTFALL_ERR_NOMEM);
}

void utfall_table_column_human_only(utfall_table *t, int col)
{
    struct column *c = column_at(t, col);
    if (c)
        c->human_only = 1;
}

void utfall_table_column_machine_only(utfall_table *t, int col)
{
    struct column *c = column_at(t, col);
    if (c)
        c->machine_only = 1;
}

int utfall_table_add_row(utfall_table *t, utfall_row_kind kind)
{
    if (t->nrows == t->cap_rows) {
        size_t ncap = t->cap_rows ? (size_t)t->cap_rows * 2 : 16;
        if (ncap > INT32_MAX / (size_t)(t->ncols ? t->ncols : 1))
            return table_fail(t, UTFALL_ERR_NOMEM);
        struct cell *cells = realloc(t->cells, ncap * (size_t)t->ncols * sizeof *cells);
        if (!cells && t->ncols)
            return table_fail(t, UTFALL_ERR_NOMEM);
        t->cells = cells;
        int *tot = realloc(t->is_total, ncap * sizeof *tot);
        if (!tot)
            return table_fail(t, UTFALL_ERR_NOMEM);
        t->is_total = tot;
        t->cap_rows = (int)ncap;
    }
    memset(t->cells + (size_t)t->nrows * (size_t)t->ncols, 0, (size_t)t->ncols * sizeof *t->cells);
    t->is_total[t->nrows] = kind == UTFALL_ROW_TOTAL;
    return t->nrows++;
}

static struct cell *cell_at(utfall_table *t, int row, int col)
{
    if (row < 0 || row >= t->nrows || col < 0 || col >= t->ncols)
        return NULL;
    return &t->cells[(size_t)row * (size_t)t->ncols + (size_t)col];
}

/* A cell a builder writes to: one that does not exist is a failure (a row
 * that could not be added, a column looked up by a key it does not have). */
static struct cell *cell_to_set(utfall_table *t, int row, int col)
{
    struct cell *c = cell_at(t, row, col);
    if (!c)
        table_fail(t, UTFALL_ERR_INTERNAL);
    return c;
}

void utfall_table_set_text(utfall_table *t, int row, int col, const char *text)
{
    struct cell *c = cell_to_set(t, row, col);
    if (!c)
        return;
    free(c->text);
    c->text = strdup(text ? text : "");
    c->state = c->text ? CELL_TEXT : CELL_EMPTY;
    if (!c->text)
        table_fail(t, UTFALL_ERR_NOMEM);
}

void utfall_table_set_num(utfall_table *t, int row, int col, double value)
{
    struct cell *c = cell_to_set(t, row, col);
    if (!c)
        return;
    c->num = value;
    c->state = isfinite(value) ? CELL_NUM : CELL_NA;
}

void utfall_table_set_count_share(utfall_table *t, int row, int col, double count, double share)
{
    struct cell *c = cell_to_set(t, row, col);
    if (!c)
        return;
    c->num = count;
    c->aux = share;
    c->state = isfinite(count) ? CELL_NUM : CELL_NA;
}

void utfall_table_column_depends(utfall_table *t, int col, int base)
{
    struct column *c = column_at(t, col);
    if (!c || !column_at(t, base))
        return;
    int k = 0;
    while (k < 4 && c->depends[k])
        k++;
    if (k == 4)
        table_fail(t, UTFALL_ERR_INTERNAL); /* at most four bases */
    else
        c->depends[k] = base + 1;
}

void utfall_table_column_part_of(utfall_table *t, int part, int total)
{
    struct column *c = column_at(t, part);
    if (c && column_at(t, total))
        c->sum_of = total + 1;
}

void utfall_table_column_not_suppressible(utfall_table *t, int col)
{
    struct column *c = column_at(t, col);
    if (c)
        c->not_suppressible = 1;
}

void utfall_table_set_no_suppress(utfall_table *t)
{
    t->no_suppress = 1;
}


void utfall_table_set_na(utfall_table *t, int row, int col)
{
    struct cell *c = cell_to_set(t, row, col);
    if (c)
        c->state = CELL_NA;
}

void utfall_table_set_suppressed(utfall_table *t, int row, int col)
{
    struct cell *c = cell_to_set(t, row, col);
    if (c)
        c->state = CELL_SUPPRESSED;
}

int utfall_table_is_suppressed(const utfall_table *t, int row, int col)
{
    struct cell *c = cell_at((utfall_table *)t, row, col);
    return c && c->state == CELL_SUPPRESSED;
}

double utfall_table_num(const utfall_table *t, int row, int col)
{
    struct cell *c = cell_at((utfall_table *)t, row, col);
    return c && c->state == CELL_NUM ? c->num : NAN;
}

int utfall_table_nrows(const utfall_table *t) { return t->nrows; }
int utfall_table_ncols(const utfall_table *t) { return t->ncols; }

int utfall_table_column_index(const utfall_table *t, const char *key)
{
    for (int c = 0; c < t->ncols; c++)
        if (!strcmp(t->cols[c].key, key))
            return c;
    return -1;
}

void utfall_table_set_machine_only(utfall_table *t)
{
    t->machine_only = 1;
}

void utfall_table_set_human_only(utfall_table *t)
{
    t->human_only = 1;
}

void utfall_table_set_title(utfall_table *t, const char *title)
{
    free(t->title);
    t->title = title ? strdup(title) : NULL;
    if (title && !t->title)
        table_fail(t, UTFALL_ERR_NOMEM);
}

void utfall_table_add_note(utfall_table *t, const char *note)
{
    size_t cap = (size_t)t->nnotes;
    char *dup = strdup(note);
    if (!dup || UTFALL_GROW(t->notes, cap, cap + 1)) {
        free(dup);
        table_fail(t, UTFALL_ERR_NOMEM);
        return;
    }
    t->notes[t->nnotes++] = dup;
}

int utfall_table_add_group_column(utfall_table *t, const char *key, utfall_lang lang)
{
    /* "kon" is labelled by "col.kon" where the catalogue has it, else by its key */
    char ck[160];
    snprintf(ck, sizeof ck, "col.%s", key);
    return utfall_table_add_column(t, key, utfall_tr(lang, ck) == ck ? NULL : ck,
                                   UTFALL_COL_GROUP, 0);
}


/* Remember note `before` (just added) as one to rewrite after protection. */
static void keep_counted(utfall_table *t, int before, const char *fmt, int row, int col,
                         const utfall_table *src)
{
    size_t cap = (size_t)t->ncounted;
    char *dup = strdup(fmt);
    if (t->nnotes == before || !dup || UTFALL_GROW(t->counted, cap, cap + 1)) {
        free(dup);
        table_fail(t, UTFALL_ERR_NOMEM);
        return;
    }
    t->counted[t->ncounted++] = (struct counted_note){before, dup, 0, row, col, src};
}

void utfall_table_add_note_ref(utfall_table *t, const char *fmt, const utfall_table *src,
                               int row, int col, utfall_lang lang)
{
    char buf[64];
    if (!src)
        src = t;
    if (row < 0 || row >= src->nrows || col < 0 || col >= src->ncols) {
        table_fail(t, UTFALL_ERR_INTERNAL);
        return;
    }
    utfall_table_human_cell(src, row, col, lang, buf, sizeof buf);
    char note[1024];
    snprintf(note, sizeof note, fmt, buf);
    int before = t->nnotes;
    utfall_table_add_note(t, note);
    keep_counted(t, before, fmt, row, col, src == t ? NULL : src);
}

void utfall_table_add_note_cell(utfall_table *t, const char *fmt, int row, int col,
                                utfall_lang lang)
{
    utfall_table_add_note_ref(t, fmt, NULL, row, col, lang);
}

void utfall_table_add_note_if_whole(utfall_table *t, const char *note, const char *otherwise)
{
    int before = t->nnotes;
    utfall_table_add_note(t, note);
    keep_counted(t, before, otherwise, NOTE_WHOLE, 0, NULL);
}

static const char *first_failed_key(const utfall_doc *d)
{
    for (int i = 0; i < d->n; i++)
        if (d->tables[i]->failed)
            return d->tables[i]->key;
    return "?";
}

utfall_doc *utfall_doc_new(void)
{
    return calloc(1, sizeof(utfall_doc));
}

void utfall_doc_free(utfall_doc *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->n; i++)
        utfall_table_free(d->tables[i]);
    free(d->tables);
    utfall_protect_space_free(d->space);
    free(d);
}

void utfall_doc_add(utfall_doc *d, utfall_table *t)
{
    if (!t || UTFALL_GROW(d->tables, d->cap, (size_t)d->n + 1)) {
        utfall_table_free(t);
        if (!d->failed)
            d->failed = UTFALL_ERR_NOMEM;
        return;
    }
    d->tables[d->n++] = t;
}

void utfall_doc_insert(utfall_doc *d, int at, utfall_table *t)
{
    utfall_doc_add(d, t);
    if (!t || d->n == 0 || d->tables[d->n - 1] != t || at < 0 || at >= d->n)
        return;
    memmove(d->tables + at + 1, d->tables + at, (size_t)(d->n - 1 - at) * sizeof *d->tables);
    d->tables[at] = t;
}

utfall_status utfall_doc_status(const utfall_doc *d)
{
    if (!d)
        return UTFALL_ERR_NOMEM;
    if (d->failed)
        return d->failed;
    for (int i = 0; i < d->n; i++)
        if (d->tables[i]->failed)
            return d->tables[i]->failed;
    return UTFALL_OK;
}

utfall_status utfall_doc_check(const utfall_doc *d, utfall_error *err)
{
    utfall_status st = utfall_doc_status(d);
    if (st == UTFALL_ERR_NOMEM)
        return utfall_error_set(err, st, UTFALL_EC_INCOMPLETE_DOCUMENT,
                                "out of memory while building the output: nothing is written");
    if (st)
        return utfall_error_set(err, st, UTFALL_EC_INCOMPLETE_DOCUMENT,
                                "internal error: a table of the output is incomplete "
                                "(table '%s'); nothing is written", first_failed_key(d));
    return UTFALL_OK;
}

utfall_table *utfall_doc_table(utfall_doc *d, const char *key)
{
    for (int i = 0; i < d->n; i++)
        if (!strcmp(d->tables[i]->key, key))
            return d->tables[i];
    return NULL;
}

void utfall_table_set_chart_only(utfall_table *t)
{
    /* machine formats skip human-only tables, human formats machine-only ones */
    t->machine_only = 1;
    t->human_only = 1;
}

/* ---- formatting one cell ------------------------------------------------ */

static int is_group(const struct column *c) { return c->type == UTFALL_COL_GROUP; }

static void machine_cell(const utfall_table *t, int row, int col, char *buf, size_t size)
{
    const struct cell *c = &t->cells[(size_t)row * (size_t)t->ncols + (size_t)col];
    buf[0] = '\0';
    if (c->state == CELL_TEXT)
        snprintf(buf, size, "%s", c->text);
    else if (c->state == CELL_NUM && t->cols[col].type == UTFALL_COL_BOOL)
        snprintf(buf, size, "%s", c->num != 0 ? "true" : "false");
    else if (c->state == CELL_NUM)
        utfall_fmt_machine(c->num, buf, size);
}

void utfall_table_human_cell(const utfall_table *t, int row, int col, utfall_lang lang,
                             char *buf, size_t size)
{
    const struct column *k = &t->cols[col];
    const struct cell *c = &t->cells[(size_t)row * (size_t)t->ncols + (size_t)col];
    buf[0] = '\0';
    if (is_group(k)) {
        if (t->is_total[row])
            snprintf(buf, size, "%s", col == 0 ? utfall_tr(lang, "total") : "");
        else if (c->state != CELL_TEXT || !c->text[0])
            snprintf(buf, size, "%s", utfall_tr(lang, "missing"));
        else {
            /* known category values (k, arbete, …) have localized labels */
            char key[160];
            snprintf(key, sizeof key, "val.%s", c->text);
            const char *label = utfall_tr(lang, key);
            snprintf(buf, size, "%s", label == key ? c->text : label);
        }
        return;
    }
    switch (c->state) {
    case CELL_EMPTY:
        return;
    case CELL_NA:
        snprintf(buf, size, "%s", utfall_tr(lang, "not_computable"));
        return;
    case CELL_SUPPRESSED:
        /* one mark for every hidden count: telling the small ones ("<5")
         * from their partners would tell an attacker that a partner is 0
         * or at least N, which can pin the small one (protect.h) */
        snprintf(buf, size, "%s", utfall_tr(lang, "suppressed_mark"));
        return;
    case CELL_TEXT:
        snprintf(buf, size, "%s", c->text);
        return;
    case CELL_NUM:
        break;
    }
    switch (k->type) {
    case UTFALL_COL_COUNT:
        utfall_fmt_count(lang, (long long)llround(c->num), buf, size);
        break;
    case UTFALL_COL_COUNT_SHARE: {
        char n[64], p[64];
        utfall_fmt_count(lang, (long long)llround(c->num), n, sizeof n);
        /* the share of a hidden total would give the total back */
        int base = k->sum_of - 1;
        if (base >= 0 && t->cells[(size_t)row * (size_t)t->ncols + (size_t)base].state
                             == CELL_SUPPRESSED) {
            snprintf(buf, size, "%s", n);
            break;
        }
        utfall_fmt_percent(lang, c->aux, 0, p, sizeof p);
        snprintf(buf, size, "%s (%s)", n, p);
        break;
    }
    case UTFALL_COL_SHARE:
        utfall_fmt_percent(lang, c->num, k->decimals, buf, size);
        break;
    case UTFALL_COL_PP: {
        char num[64];
        utfall_fmt_decimal(lang, c->num * 100.0, k->decimals, num, sizeof num);
        snprintf(buf, size, "%s%s", c->num > 0 && strcmp(num, "0") && strcmp(num, "0,0")
                                            && strcmp(num, "0.0") ? "+" : "",
                 num);
        break;
    }
    case UTFALL_COL_PVALUE:
        if (c->num < 0.001) {
            char num[32];
            utfall_fmt_decimal(lang, 0.001, 3, num, sizeof num);
            snprintf(buf, size, "< %s", num);
        } else {
            utfall_fmt_decimal(lang, c->num, 3, buf, size);
        }
        break;
    case UTFALL_COL_BOOL:
        snprintf(buf, size, "%s", utfall_tr(lang, c->num != 0 ? "yes" : "no"));
        break;
    default:
        utfall_fmt_decimal(lang, c->num, k->decimals, buf, size);
    }
}

static const char *column_label(const struct column *c, utfall_lang lang)
{
    return c->label_key ? utfall_tr(lang, c->label_key) : c->key;
}

/* Display width of UTF-8 text: one per code point. */
static size_t text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static int visible(const struct column *c, int machine)
{
    return machine ? !c->human_only : !c->machine_only;
}

/* ---- reading a table back ---------------------------------------------- */

const char *utfall_table_column_key(const utfall_table *t, int col)
{
    return col >= 0 && col < t->ncols ? t->cols[col].key : NULL;
}

const char *utfall_table_column_label(const utfall_table *t, int col, utfall_lang lang)
{
    return col >= 0 && col < t->ncols ? column_label(&t->cols[col], lang) : NULL;
}

utfall_coltype utfall_table_column_type(const utfall_table *t, int col)
{
    return col >= 0 && col < t->ncols ? t->cols[col].type : UTFALL_COL_TEXT;
}

int utfall_table_is_total(const utfall_table *t, int row)
{
    return row >= 0 && row < t->nrows && t->is_total[row];
}

const char *utfall_table_text(const utfall_table *t, int row, int col)
{
    struct cell *c = cell_at((utfall_table *)t, row, col);
    return c && c->state == CELL_TEXT ? c->text : NULL;
}

void utfall_table_format_cell(const utfall_table *t, int row, int col, utfall_lang lang,
                              char *buf, size_t size)
{
    if (size)
        buf[0] = '\0';
    if (cell_at((utfall_table *)t, row, col))
        utfall_table_human_cell(t, row, col, lang, buf, size);
}

int utfall_table_column_visible(const utfall_table *t, int col, int machine)
{
    return visible(&t->cols[col], machine);
}

/* ---- writers -------------------------------------------------------------- */

/* One machine cell: TSV has no quoting, so tabs and line breaks become
 * spaces; CSV quotes a field that holds a comma, a quote or a line break. */
static void put_delimited_field(FILE *out, char *text, char delim)
{
    if (delim == '\t') {
        for (char *p = text; *p; p++)
            if (*p == '\t' || *p == '\n' || *p == '\r')
                *p = ' ';
        fputs(text, out);
    } else if (strpbrk(text, ",\"\n\r")) {
        fputc('"', out);
        for (char *p = text; *p; p++) {
            if (*p == '"')
                fputc('"', out);
            fputc(*p, out);
        }
        fputc('"', out);
    } else {
        fputs(text, out);
    }
}

/* The header (r = -1: the column keys) or row r, as TSV or CSV. */
static void delimited_line(const utfall_table *t, FILE *out, char delim, int r)
{
    char buf[1024];
    int first = 1;
    for (int c = 0; c < t->ncols; c++) {
        if (!visible(&t->cols[c], 1))
            continue;
        if (!first)
            fputc(delim, out);
        first = 0;
        if (r < 0) {
            fputs(t->cols[c].key, out);
        } else {
            machine_cell(t, r, c, buf, sizeof buf);
            put_delimited_field(out, buf, delim);
        }
    }
    fputc('\n', out);
}

static void write_delimited(const utfall_table *t, FILE *out, char delim)
{
    for (int r = -1; r < t->nrows; r++)
        delimited_line(t, out, delim, r);
}

void utfall_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static void json_row(const utfall_table *t, int r, FILE *out, const char *indent)
{
    char buf[1024];
    int any_group = 0;
    for (int c = 0; c < t->ncols; c++)
        any_group |= is_group(&t->cols[c]);
    fputs("{", out);
    int first = 1;
    if (any_group || t->is_total[r]) {
        fputs("\"group\": {", out);
        if (!t->is_total[r]) {
            int g = 0;
            for (int c = 0; c < t->ncols; c++) {
                if (!is_group(&t->cols[c]))
                    continue;
                const struct cell *cell = &t->cells[(size_t)r * (size_t)t->ncols + (size_t)c];
                if (cell->state == CELL_EMPTY)
                    continue; /* a key the row is not grouped by (totals) */
                fprintf(out, "%s\"%s\": ", g++ ? ", " : "", t->cols[c].key);
                if (cell->state == CELL_TEXT && cell->text[0])
                    utfall_json_string(out, cell->text);
                else
                    fputs("null", out);
            }
        }
        fputs("}", out);
        first = 0;
    }
    int any_suppressed = 0;
    for (int c = 0; c < t->ncols; c++) {
        const struct column *k = &t->cols[c];
        if (is_group(k) || !visible(k, 1))
            continue;
        const struct cell *cell = &t->cells[(size_t)r * (size_t)t->ncols + (size_t)c];
        fprintf(out, "%s\n%s  \"%s\": ", first ? "" : ",", indent, k->key);
        first = 0;
        if (cell->state == CELL_NUM && k->type == UTFALL_COL_BOOL) {
            fputs(cell->num != 0 ? "true" : "false", out);
        } else if (cell->state == CELL_NUM) {
            machine_cell(t, r, c, buf, sizeof buf);
            fputs(strcmp(buf, "NA") ? buf : "null", out);
        } else if (cell->state == CELL_TEXT && k->json_member) {
            fputs("{", out);
            utfall_json_string(out, k->json_member);
            fputs(": ", out);
            if (cell->text[0])
                utfall_json_string(out, cell->text);
            else
                fputs("null", out);
            fputs("}", out);
        } else if (cell->state == CELL_TEXT) {
            utfall_json_string(out, cell->text);
        } else {
            any_suppressed |= cell->state == CELL_SUPPRESSED;
            fputs("null", out);
        }
    }
    if (any_suppressed)
        fprintf(out, ",\n%s  \"suppressed\": true", indent);
    fprintf(out, "\n%s}", indent);
}

static void write_json(const utfall_doc *d, FILE *out)
{
    fputs("{", out);
    for (int i = 0, shown = 0; i < d->n; i++) {
        const utfall_table *t = d->tables[i];
        if (t->human_only)
            continue;
        fprintf(out, "%s\n  \"%s\": ", shown++ ? "," : "", t->key);
        if (t->is_object) {
            if (t->nrows > 0)
                json_row(t, 0, out, "  ");
            else
                fputs("{}", out);
            continue;
        }
        fputs("[", out);
        for (int r = 0; r < t->nrows; r++) {
            fprintf(out, "%s\n    ", r ? "," : "");
            json_row(t, r, out, "    ");
        }
        fputs(t->nrows ? "\n  ]" : "]", out);
    }
    fputs("\n}\n", out);
}

enum human_style { HUMAN_PLAIN, HUMAN_MARKDOWN };
enum emphasis { AS_IS, STRONG };

static int left_aligned(const struct column *c)
{
    return is_group(c) || c->type == UTFALL_COL_TEXT;
}

static void spaces(FILE *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fputc(' ', out);
}

/* The widest label or cell of each visible column, in characters. */
static void human_widths(const utfall_table *t, utfall_lang lang, size_t *width)
{
    char buf[1024];
    for (int c = 0; c < t->ncols; c++) {
        if (!visible(&t->cols[c], 0))
            continue;
        width[c] = text_width(column_label(&t->cols[c], lang));
        for (int r = 0; r < t->nrows; r++) {
            utfall_table_human_cell(t, r, c, lang, buf, sizeof buf);
            size_t w = text_width(buf);
            if (w > width[c])
                width[c] = w;
        }
    }
}

/* Text padded to its column: numbers to the right, text to the left (a
 * plain table's last column without trailing spaces). */
static void put_cell(FILE *out, const utfall_table *t, int c, const char *text, size_t width,
                     enum human_style style, enum emphasis emphasis)
{
    size_t pad = width - text_width(text);
    int left = left_aligned(&t->cols[c]);
    if (!left)
        spaces(out, pad);
    fprintf(out, emphasis == STRONG ? "**%s**" : "%s", text);
    if (left && (style == HUMAN_MARKDOWN || c + 1 < t->ncols))
        spaces(out, pad);
}

/* The header (r = -1) or row r; in Markdown a total row is bold. */
static void human_line(const utfall_table *t, FILE *out, utfall_lang lang, enum human_style style,
                       const size_t *width, int r)
{
    char buf[1024];
    int markdown = style == HUMAN_MARKDOWN;
    if (markdown)
        fputs("| ", out);
    int first = 1;
    for (int c = 0; c < t->ncols; c++) {
        if (!visible(&t->cols[c], 0))
            continue;
        const char *text = buf;
        if (r < 0)
            text = column_label(&t->cols[c], lang);
        else
            utfall_table_human_cell(t, r, c, lang, buf, sizeof buf);
        fputs(first ? "" : markdown ? " | " : "  ", out);
        first = 0;
        int strong = markdown && r >= 0 && t->is_total[r] && text[0];
        put_cell(out, t, c, text, width[c], style, strong ? STRONG : AS_IS);
    }
    fputs(markdown ? " |\n" : "\n", out);
}

/* Under the header: Markdown's alignment row, or a line of ─. */
static void human_rule(const utfall_table *t, FILE *out, enum human_style style,
                       const size_t *width)
{
    if (style == HUMAN_MARKDOWN)
        fputs("|", out);
    int first = 1;
    for (int c = 0; c < t->ncols; c++) {
        if (!visible(&t->cols[c], 0))
            continue;
        int left = left_aligned(&t->cols[c]);
        if (style == HUMAN_MARKDOWN) {
            fputs(left ? ":" : "-", out);
            for (size_t i = 0; i < width[c]; i++)
                fputc('-', out);
            fputs(left ? "-|" : ":|", out);
        } else {
            fputs(first ? "" : "  ", out);
            for (size_t i = 0; i < width[c]; i++)
                fputs("\xE2\x94\x80", out); /* ─ */
        }
        first = 0;
    }
    fputc('\n', out);
}

/* title_level: the Markdown heading of the title (0 = none) */
static void write_human(const utfall_table *t, FILE *out, utfall_lang lang,
                        enum human_style style, int title_level)
{
    size_t *width = calloc((size_t)t->ncols, sizeof *width);
    if (!width)
        return;
    human_widths(t, lang, width);
    if (t->title && style == HUMAN_MARKDOWN && title_level > 0)
        fprintf(out, "%.*s %s\n\n", title_level, "######", t->title);
    else if (t->title && style != HUMAN_MARKDOWN)
        fprintf(out, "%s\n\n", t->title);
    human_line(t, out, lang, style, width, -1);
    human_rule(t, out, style, width);
    for (int r = 0; r < t->nrows; r++)
        human_line(t, out, lang, style, width, r);
    if (t->nnotes) {
        fputc('\n', out);
        for (int i = 0; i < t->nnotes; i++)
            fprintf(out, style == HUMAN_MARKDOWN ? "*%s*  \n" : "%s\n", t->notes[i]);
    }
    free(width);
}

utfall_status utfall_doc_write(const utfall_doc *d, FILE *out, utfall_format fmt,
                               utfall_lang lang, const char *section, utfall_error *err)
{
    if (utfall_doc_check(d, err))
        return err->status;
    if (d->n == 0)
        return UTFALL_OK;
    const utfall_table *chosen = d->tables[0];
    for (int i = 0; i < d->n && chosen->human_only; i++)
        chosen = d->tables[i];
    if (section) {
        chosen = NULL;
        for (int i = 0; i < d->n; i++)
            if (!strcmp(d->tables[i]->key, section))
                chosen = d->tables[i];
        if (!chosen)
            return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_UNKNOWN_SECTION,
                                    "no section '%s' in this output", section);
    }
    switch (fmt) {
    case UTFALL_FMT_TSV:
        write_delimited(chosen, out, '\t');
        break;
    case UTFALL_FMT_CSV:
        write_delimited(chosen, out, ',');
        break;
    case UTFALL_FMT_JSON:
        write_json(d, out);
        break;
    case UTFALL_FMT_XLSX:
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_XLSX_NEEDS_FILE,
                                "XLSX is written to a file, not a stream");
    case UTFALL_FMT_TABLE:
    case UTFALL_FMT_MD:
        for (int i = 0, shown = 0; i < d->n; i++) {
            if (section ? d->tables[i] != chosen : d->tables[i]->machine_only)
                continue;
            if (shown++)
                fputc('\n', out);
            write_human(d->tables[i], out, lang,
                        fmt == UTFALL_FMT_MD ? HUMAN_MARKDOWN : HUMAN_PLAIN, 3);
        }
        break;
    }
    if (fflush(out) != 0 || ferror(out))
        return utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_WRITE_ERROR, "cannot write output: %s",
                                strerror(errno));
    return UTFALL_OK;
}

int utfall_doc_ntables(const utfall_doc *d) { return d->n; }

utfall_table *utfall_doc_table_at(const utfall_doc *d, int i)
{
    return i >= 0 && i < d->n ? d->tables[i] : NULL;
}

utfall_table *utfall_doc_take(utfall_doc *d, int i)
{
    if (i < 0 || i >= d->n)
        return NULL;
    utfall_table *t = d->tables[i];
    memmove(d->tables + i, d->tables + i + 1, (size_t)(d->n - i - 1) * sizeof *d->tables);
    d->n--;
    return t;
}

const char *utfall_table_key(const utfall_table *t) { return t->key; }

int utfall_table_set_key(utfall_table *t, const char *key)
{
    char *k = strdup(key);
    if (!k)
        return -1;
    free(t->key);
    t->key = k;
    return 0;
}

const char *utfall_table_title(const utfall_table *t) { return t->title; }
int utfall_table_is_machine_only(const utfall_table *t) { return t->machine_only; }

void utfall_table_set_sheet_name(utfall_table *t, const char *name)
{
    char *dup = strdup(name);
    if (!dup) {
        table_fail(t, UTFALL_ERR_NOMEM);
        return;
    }
    free(t->sheet);
    t->sheet = dup;
}

/* UTF-8 characters in s. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The first max characters of s that end at a word (or all of them when
 * no space comes before), without a trailing space. */
static void cut_at_word(char *s, size_t max)
{
    size_t chars = 0, last_space = 0, space_chars = 0;
    char *p = s;
    for (; *p && chars < max; p++) {
        if (((unsigned char)*p & 0xC0) != 0x80) {
            if (*p == ' ') {
                last_space = (size_t)(p - s);
                space_chars = chars;
            }
            chars++;
        }
    }
    while (*p && ((unsigned char)*p & 0xC0) == 0x80)
        p++; /* not inside a character */
    /* at a word, unless that leaves less than two thirds of the room */
    if (*p)
        *(last_space && space_chars * 3 >= max * 2 ? s + last_space : p) = '\0';
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        s[--n] = '\0';
}

/* A sheet name from a table's title (or key) alone, before numbering. */
static void sheet_base(const utfall_table *t, char *buf, size_t size)
{
    snprintf(buf, size, "%s", t->sheet ? t->sheet : t->title && t->title[0] ? t->title : t->key);
    for (char *p = buf; *p; p++)
        if (strchr("[]:*?/\\", *p))
            *p = '-';
    char *paren = strstr(buf, " (");
    if (utf8_chars(buf) > 31 && paren && paren > buf)
        *paren = '\0';
    cut_at_word(buf, 31);
    if (buf[0] == '\'')
        buf[0] = '-';
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '\'')
        buf[n - 1] = '-';
}

static int same_sheet(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0; /* Excel's sheet names ignore case */
}

void utfall_doc_sheet_name(const utfall_doc *d, const utfall_table *t, utfall_lang lang,
                           char *buf, size_t size)
{
    char (*names)[128] = calloc((size_t)d->n + 1, sizeof *names);
    if (!names) {
        snprintf(buf, size, "%.31s", t->key);
        return;
    }
    snprintf(names[0], sizeof names[0], "%s", lang == UTFALL_LANG_SV ? "Definitioner" : "Definitions");
    int n = 1;
    buf[0] = '\0';
    for (int i = 0; i < d->n && !buf[0]; i++) {
        const utfall_table *u = d->tables[i];
        if (u->machine_only)
            continue;
        char name[128], base[128];
        sheet_base(u, base, sizeof base);
        snprintf(name, sizeof name, "%s", base);
        for (int k = 2, clash = 1; clash && k < 1000; k++) {
            clash = 0;
            for (int j = 0; j < n && !clash; j++)
                clash = same_sheet(names[j], name);
            if (clash) {
                char suffix[8];
                snprintf(suffix, sizeof suffix, "~%d", k);
                snprintf(name, sizeof name, "%s", base);
                cut_at_word(name, 31 - strlen(suffix));
                strcat(name, suffix);
            }
        }
        snprintf(names[n++], sizeof names[0], "%s", name);
        if (u == t)
            snprintf(buf, size, "%s", name);
    }
    if (!buf[0])
        snprintf(buf, size, "%.31s", t->key);
    free(names);
}
int utfall_table_nnotes(const utfall_table *t) { return t->nnotes; }

const char *utfall_table_note(const utfall_table *t, int i)
{
    return i >= 0 && i < t->nnotes ? t->notes[i] : NULL;
}

utfall_status utfall_table_write_human(const utfall_table *t, FILE *out, utfall_lang lang,
                                       int markdown, utfall_error *err)
{
    write_human(t, out, lang, markdown ? HUMAN_MARKDOWN : HUMAN_PLAIN, 3);
    if (ferror(out))
        return utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_WRITE_ERROR, "cannot write output: %s",
                                strerror(errno));
    return UTFALL_OK;
}

utfall_status utfall_table_write_md(const utfall_table *t, FILE *out, utfall_lang lang,
                                    int title_level, utfall_error *err)
{
    write_human(t, out, lang, HUMAN_MARKDOWN, title_level);
    if (ferror(out))
        return utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_WRITE_ERROR, "cannot write output: %s",
                                strerror(errno));
    return UTFALL_OK;
}
