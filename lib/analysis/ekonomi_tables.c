/* The ledger's tables: budget and requisitions by financier and calendar
 * year (amounts of periods that cross a year shared out by months, and
 * said so), by phase, and the requisitions as written.  No counts of
 * people: nothing here is suppressed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/ekonomi.h"
#include "core/internal.h"

#define MAX_SPLIT_YEARS 64

/* The sums of one financier (or phase) in one year (or over all). */
struct sums {
    double budget, spent;
    int has_budget, has_spent;
};

static void sums_add(struct sums *s, double budget, double spent)
{
    if (!isnan(budget)) {
        s->budget += budget;
        s->has_budget = 1;
    }
    if (!isnan(spent)) {
        s->spent += spent;
        s->has_spent = 1;
    }
}

/* The financiers in the order the ledger names them first. */
struct names {
    const char **v;
    size_t n, cap;
};

static long name_index(struct names *nm, const char *s)
{
    for (size_t i = 0; i < nm->n; i++)
        if (!strcmp(nm->v[i], s))
            return (long)i;
    if (UTFALL_GROW(nm->v, nm->cap, nm->n + 1))
        return -1;
    nm->v[nm->n] = s;
    return (long)nm->n++;
}

struct ekonomi_run {
    const utfall_ledger *l;
    utfall_lang lang;
    struct names fin;
    int y0, y1;         /* the years the ledger covers */
    struct sums *cells; /* [financier][year - y0] */
    struct sums total;
    struct sums *fin_total;
};

static utfall_status nomem(utfall_error *err)
{
    return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
}

static void add_split(struct ekonomi_run *r, size_t f, const utfall_ledger_entry *e,
                      double amount, int is_budget)
{
    int years[MAX_SPLIT_YEARS];
    double parts[MAX_SPLIT_YEARS];
    size_t n = utfall_ledger_split_years(e->from, e->to, amount, years, parts, MAX_SPLIT_YEARS);
    size_t ny = (size_t)(r->y1 - r->y0 + 1);
    for (size_t k = 0; k < n; k++) {
        struct sums *s = &r->cells[f * ny + (size_t)(years[k] - r->y0)];
        sums_add(s, is_budget ? parts[k] : NAN, is_budget ? NAN : parts[k]);
    }
}

static utfall_status gather(struct ekonomi_run *r, utfall_error *err)
{
    const utfall_ledger *l = r->l;
    r->y0 = 10000;
    r->y1 = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (name_index(&r->fin, l->rows[i].financier) < 0)
            return nomem(err);
        r->y0 = l->rows[i].from / 12 < r->y0 ? l->rows[i].from / 12 : r->y0;
        r->y1 = l->rows[i].to / 12 > r->y1 ? l->rows[i].to / 12 : r->y1;
    }
    size_t ny = (size_t)(r->y1 - r->y0 + 1);
    r->cells = calloc(r->fin.n * ny, sizeof *r->cells);
    r->fin_total = calloc(r->fin.n, sizeof *r->fin_total);
    if (!r->cells || !r->fin_total)
        return nomem(err);
    for (size_t i = 0; i < l->n; i++) {
        const utfall_ledger_entry *e = &l->rows[i];
        size_t f = (size_t)name_index(&r->fin, e->financier);
        if (!isnan(e->budget))
            add_split(r, f, e, e->budget, 1);
        if (!isnan(e->spent))
            add_split(r, f, e, e->spent, 0);
        sums_add(&r->fin_total[f], e->budget, e->spent);
        sums_add(&r->total, e->budget, e->spent);
    }
    return UTFALL_OK;
}

/* ---- by year ------------------------------------------------------------- */

enum { Y_FIN, Y_YEAR, Y_BUDGET, Y_SPENT, Y_SHARE, Y_NCOLS };
static const utfall_colspec year_cols[Y_NCOLS] = {
    [Y_FIN] = {.key = "finansiar", .type = UTFALL_COL_GROUP},
    [Y_YEAR] = {.key = "ar", .type = UTFALL_COL_GROUP},
    [Y_BUDGET] = {.key = "budget", .type = UTFALL_COL_AMOUNT},
    [Y_SPENT] = {.key = "requisitioned", .type = UTFALL_COL_AMOUNT},
    [Y_SHARE] = {.key = "share_used", .type = UTFALL_COL_SHARE, .decimals = 1},
};

/* An amount, or "–" when the rows give none. */
static void set_amount(utfall_table *t, int row, int col, double v, int has)
{
    if (has)
        utfall_table_set_num(t, row, col, v);
    else
        utfall_table_set_na(t, row, col);
}

static void set_sums(utfall_table *t, int row, int c_budget, const struct sums *s)
{
    set_amount(t, row, c_budget, s->budget, s->has_budget);
    set_amount(t, row, c_budget + 1, s->spent, s->has_spent);
    if (s->has_budget && s->budget > 0)
        utfall_table_set_num(t, row, c_budget + 2, (s->has_spent ? s->spent : 0) / s->budget);
    else
        utfall_table_set_na(t, row, c_budget + 2);
}

/* "Försäkringskassan, budget 2011-08 – 2012-01, 110 000 kr: 2011 91 667 kr, 2012 18 333 kr" */
static void split_note(const struct ekonomi_run *r, const utfall_ledger_entry *e, double amount,
                       const char *what, utfall_table *t)
{
    int years[MAX_SPLIT_YEARS];
    double parts[MAX_SPLIT_YEARS];
    size_t n = utfall_ledger_split_years(e->from, e->to, amount, years, parts, MAX_SPLIT_YEARS);
    char period[64], a[64], sum[96], list[512] = "", note[1024];
    size_t len = 0;
    for (size_t k = 0; k < n && len < sizeof list; k++) {
        utfall_fmt_decimal(r->lang, parts[k], parts[k] == round(parts[k]) ? 0 : 2, a, sizeof a);
        snprintf(sum, sizeof sum, utfall_tr(r->lang, "ekonomi.amount"), a);
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%d: %s", k ? ", " : "",
                                years[k], sum);
    }
    utfall_ledger_period(e->from, e->to, period, sizeof period);
    utfall_fmt_decimal(r->lang, amount, amount == round(amount) ? 0 : 2, a, sizeof a);
    snprintf(sum, sizeof sum, utfall_tr(r->lang, "ekonomi.amount"), a);
    snprintf(note, sizeof note, utfall_tr(r->lang, "note.ekonomi.split"), e->financier,
             utfall_tr(r->lang, what), period, sum, list);
    utfall_table_add_note(t, note);
}

static void year_notes(const struct ekonomi_run *r, utfall_table *t)
{
    utfall_table_add_note(t, utfall_tr(r->lang, "note.ekonomi.years"));
    int any = 0;
    for (size_t i = 0; i < r->l->n; i++) {
        const utfall_ledger_entry *e = &r->l->rows[i];
        if (e->from / 12 == e->to / 12)
            continue;
        if (!any++)
            utfall_table_add_note(t, utfall_tr(r->lang, "note.ekonomi.split_rule"));
        if (!isnan(e->budget))
            split_note(r, e, e->budget, "ekonomi.budget", t);
        if (!isnan(e->spent))
            split_note(r, e, e->spent, "ekonomi.requisitioned", t);
    }
    if (!any)
        utfall_table_add_note(t, utfall_tr(r->lang, "note.ekonomi.no_split"));
    utfall_table_add_note(t, utfall_tr(r->lang, "note.ekonomi.share"));
}

static utfall_status years_table(const struct ekonomi_run *r, utfall_doc *doc, utfall_error *err)
{
    utfall_table *t = utfall_table_new("years", UTFALL_TABLE_ROWS);
    if (!t)
        return nomem(err);
    utfall_table_set_title(t, utfall_tr(r->lang, "title.ekonomi.years"));
    utfall_table_add_columns(t, year_cols, Y_NCOLS);
    size_t ny = (size_t)(r->y1 - r->y0 + 1);
    for (size_t f = 0; f < r->fin.n; f++) {
        for (size_t y = 0; y < ny; y++) {
            const struct sums *s = &r->cells[f * ny + y];
            if (!s->has_budget && !s->has_spent)
                continue;
            char year[16];
            snprintf(year, sizeof year, "%d", r->y0 + (int)y);
            int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
            utfall_table_set_text(t, row, Y_FIN, r->fin.v[f]);
            utfall_table_set_text(t, row, Y_YEAR, year);
            set_sums(t, row, Y_BUDGET, s);
        }
        if (r->fin.n < 2)
            continue; /* the total says it */
        int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
        utfall_table_set_text(t, row, Y_FIN, r->fin.v[f]);
        utfall_table_set_text(t, row, Y_YEAR, "summa");
        set_sums(t, row, Y_BUDGET, &r->fin_total[f]);
    }
    set_sums(t, utfall_table_add_row(t, UTFALL_ROW_TOTAL), Y_BUDGET, &r->total);
    year_notes(r, t);
    utfall_table_set_no_suppress(t); /* amounts, no people */
    utfall_doc_add(doc, t);
    return UTFALL_OK;
}

/* ---- by phase ---------------------------------------------------------- */

enum { P_FIN, P_PHASE, P_PERIOD, P_BUDGET, P_SPENT, P_SHARE, P_NCOLS };
static const utfall_colspec phase_cols[P_NCOLS] = {
    [P_FIN] = {.key = "finansiar", .type = UTFALL_COL_GROUP},
    [P_PHASE] = {.key = "fas", .type = UTFALL_COL_GROUP},
    [P_PERIOD] = {.key = "period", .type = UTFALL_COL_TEXT},
    [P_BUDGET] = {.key = "budget", .type = UTFALL_COL_AMOUNT},
    [P_SPENT] = {.key = "requisitioned", .type = UTFALL_COL_AMOUNT},
    [P_SHARE] = {.key = "share_used", .type = UTFALL_COL_SHARE, .decimals = 1},
};

/* One row per financier and phase: its months from the first to the last
 * requisition (a budget given by whole years would stretch them), or of
 * every row when nothing is requisitioned. */
static void phase_row(const struct ekonomi_run *r, utfall_table *t, size_t first)
{
    const utfall_ledger *l = r->l;
    const utfall_ledger_entry *e0 = &l->rows[first];
    struct sums s = {0};
    int from = 1 << 30, to = -1, any_from = 1 << 30, any_to = -1;
    for (size_t i = 0; i < l->n; i++) {
        const utfall_ledger_entry *e = &l->rows[i];
        if (strcmp(e->financier, e0->financier) || strcmp(e->phase, e0->phase))
            continue;
        sums_add(&s, e->budget, e->spent);
        any_from = e->from < any_from ? e->from : any_from;
        any_to = e->to > any_to ? e->to : any_to;
        if (!isnan(e->spent)) {
            from = e->from < from ? e->from : from;
            to = e->to > to ? e->to : to;
        }
    }
    if (to < 0) {
        from = any_from;
        to = any_to;
    }
    char period[64];
    utfall_ledger_period(from, to, period, sizeof period);
    int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
    utfall_table_set_text(t, row, P_FIN, e0->financier);
    utfall_table_set_text(t, row, P_PHASE, e0->phase);
    utfall_table_set_text(t, row, P_PERIOD, period);
    set_sums(t, row, P_BUDGET, &s);
}

static utfall_status phases_table(const struct ekonomi_run *r, utfall_doc *doc, utfall_error *err)
{
    const utfall_ledger *l = r->l;
    int any = 0;
    for (size_t i = 0; i < l->n; i++)
        any |= l->rows[i].phase[0] != '\0';
    if (!any)
        return UTFALL_OK;
    utfall_table *t = utfall_table_new("phases", UTFALL_TABLE_ROWS);
    if (!t)
        return nomem(err);
    utfall_table_set_title(t, utfall_tr(r->lang, "title.ekonomi.phases"));
    utfall_table_add_columns(t, phase_cols, P_NCOLS);
    for (size_t f = 0; f < r->fin.n; f++)
        for (size_t i = 0; i < l->n; i++) {
            const utfall_ledger_entry *e = &l->rows[i];
            size_t j = 0; /* the first row of its financier and phase */
            while (strcmp(l->rows[j].financier, e->financier) || strcmp(l->rows[j].phase, e->phase))
                j++;
            if (j == i && !strcmp(e->financier, r->fin.v[f]))
                phase_row(r, t, i);
        }
    set_sums(t, utfall_table_add_row(t, UTFALL_ROW_TOTAL), P_BUDGET, &r->total);
    utfall_table_add_note(t, utfall_tr(r->lang, "note.ekonomi.phases"));
    utfall_table_set_no_suppress(t);
    utfall_doc_add(doc, t);
    return UTFALL_OK;
}

/* ---- the requisitions as written ------------------------------------------ */

enum { R_FIN, R_PERIOD, R_PHASE, R_SPENT, R_NOTE, R_NCOLS };
static const utfall_colspec req_cols[R_NCOLS] = {
    [R_FIN] = {.key = "finansiar", .type = UTFALL_COL_GROUP},
    [R_PERIOD] = {.key = "period", .type = UTFALL_COL_GROUP},
    [R_PHASE] = {.key = "fas", .type = UTFALL_COL_TEXT},
    [R_SPENT] = {.key = "requisitioned", .type = UTFALL_COL_AMOUNT},
    [R_NOTE] = {.key = "note", .type = UTFALL_COL_TEXT},
};

static utfall_status requisitions_table(const struct ekonomi_run *r, utfall_doc *doc,
                                        utfall_error *err)
{
    const utfall_ledger *l = r->l;
    utfall_table *t = utfall_table_new("requisitions", UTFALL_TABLE_ROWS);
    if (!t)
        return nomem(err);
    utfall_table_set_title(t, utfall_tr(r->lang, "title.ekonomi.requisitions"));
    utfall_table_add_columns(t, req_cols, R_NCOLS);
    for (size_t f = 0; f < r->fin.n; f++)
        for (size_t i = 0; i < l->n; i++) {
            const utfall_ledger_entry *e = &l->rows[i];
            if (isnan(e->spent) || strcmp(e->financier, r->fin.v[f]))
                continue;
            char period[64];
            utfall_ledger_period(e->from, e->to, period, sizeof period);
            int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
            utfall_table_set_text(t, row, R_FIN, e->financier);
            utfall_table_set_text(t, row, R_PERIOD, period);
            utfall_table_set_text(t, row, R_PHASE, e->phase);
            utfall_table_set_num(t, row, R_SPENT, e->spent);
            utfall_table_set_text(t, row, R_NOTE, e->note);
        }
    utfall_table_set_num(t, utfall_table_add_row(t, UTFALL_ROW_TOTAL), R_SPENT, r->total.spent);
    utfall_table_set_no_suppress(t);
    utfall_doc_add(doc, t);
    return UTFALL_OK;
}

utfall_status utfall_ekonomi_compute(const utfall_ledger *l, const utfall_ekonomi_options *opt,
                                     utfall_doc *doc, utfall_error *err)
{
    struct ekonomi_run r = {.l = l, .lang = opt->lang};
    utfall_status st = gather(&r, err);
    if (!st)
        st = years_table(&r, doc, err);
    if (!st)
        st = phases_table(&r, doc, err);
    if (!st)
        st = requisitions_table(&r, doc, err);
    free(r.cells);
    free(r.fin_total);
    free(r.fin.v);
    return st;
}
