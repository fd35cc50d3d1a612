/* The report's ekonomisk redovisning: budget against requisitioned funds
 * per financier and year, per phase and per requisition (the ledger's
 * tables, lib/analysis/ekonomi_tables.c), and what the project cost per
 * participant, per person and per participant who reached the goal.
 *
 * Amounts are no counts of people and are never hidden.  A cost per
 * participant is computed from a count: the costs table holds the count
 * beside it, with the count's definition (the same cell as the
 * participants' table and the goal's), and the cost depends on it, so
 * that it is hidden wherever the count is. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/protect.h"
#include "analysis/states.h"
#include "output/report_internal.h"

enum {
    C_SPENT, C_ENROLLED, C_PER_ENROLLED, C_PERSONS, C_PER_PERSON, C_REACHED, C_PER_REACHED,
    C_NCOLS
};
static const utfall_colspec cost_cols[C_NCOLS] = {
    [C_SPENT] = {.key = "requisitioned", .type = UTFALL_COL_AMOUNT},
    [C_ENROLLED] = {.key = "enrolled", .type = UTFALL_COL_COUNT},
    [C_PER_ENROLLED] = {.key = "per_enrolled", .type = UTFALL_COL_AMOUNT,
                        .depends = {"enrolled"}},
    [C_PERSONS] = {.key = "persons", .type = UTFALL_COL_COUNT, .part_of = "enrolled",
                   .flags = UTFALL_COLF_TOTAL_COMPLEMENT_PUBLIC},
    [C_PER_PERSON] = {.key = "per_person", .type = UTFALL_COL_AMOUNT, .depends = {"persons"}},
    [C_REACHED] = {.key = "reached", .type = UTFALL_COL_COUNT, .part_of = "enrolled"},
    [C_PER_REACHED] = {.key = "per_reached", .type = UTFALL_COL_AMOUNT,
                       .depends = {"reached"}},
};

/* A count of another table's total row, read before protection: the
 * costs table states the same cell. */
static double total_count(utfall_report *r, const char *table, const char *column)
{
    utfall_table *t = utfall_doc_table(r->doc, table);
    int col = t ? utfall_table_column_index(t, column) : -1;
    int n = t ? utfall_table_nrows(t) : 0;
    return col >= 0 && n > 0 ? utfall_table_num(t, n - 1, col) : NAN;
}

static void set_cost(utfall_table *t, int row, int col, double spent, double count)
{
    if (isfinite(count) && count > 0)
        utfall_table_set_num(t, row, col, spent / count);
    else
        utfall_table_set_na(t, row, col);
}

static void costs_table(utfall_report *r, const struct ctx *c, const utfall_goal_spec *g,
                        double spent, utfall_doc *d)
{
    utfall_table *t = utfall_table_new("costs", UTFALL_TABLE_ROWS);
    if (!t) {
        r->failed = 1;
        return;
    }
    utfall_table_set_title(t, report_tr(c, "report.title.costs"));
    utfall_colspec cols[C_NCOLS];
    memcpy(cols, cost_cols, sizeof cols);
    if (!g) /* no goal with outcomes: nothing to divide by */
        cols[C_REACHED].flags = cols[C_PER_REACHED].flags = UTFALL_COLF_MACHINE_ONLY;
    utfall_table_add_columns(t, cols, C_NCOLS);
    utfall_table_column_cell(t, C_PERSONS, "first:.");
    char cond[512] = "state:none", key[64];
    if (g)
        utfall_state_condition(g->success, cond, sizeof cond); /* the goal's reached */
    utfall_table_column_cell(t, C_REACHED, cond);
    double enrolled = total_count(r, "deltagare_rows", "enrolled");
    double persons = total_count(r, "deltagare_rows", "persons");
    snprintf(key, sizeof key, "mal_%s_rows", g ? g->id : "");
    key[31] = '\0';
    double reached = g ? total_count(r, key, "reached") : NAN;
    int row = utfall_table_add_row(t, UTFALL_ROW_TOTAL);
    utfall_table_set_num(t, row, C_SPENT, spent);
    utfall_table_set_num(t, row, C_ENROLLED, enrolled);
    set_cost(t, row, C_PER_ENROLLED, spent, enrolled);
    utfall_table_set_num(t, row, C_PERSONS, persons);
    set_cost(t, row, C_PER_PERSON, spent, persons);
    if (isfinite(reached))
        utfall_table_set_num(t, row, C_REACHED, reached);
    else
        utfall_table_set_na(t, row, C_REACHED);
    set_cost(t, row, C_PER_REACHED, spent, reached);
    utfall_table_add_note(t, report_tr(c, "report.note.costs"));
    if (g) {
        char list[256], note[512];
        utfall_outcome_set_describe(g->success, c->lang, list, sizeof list);
        snprintf(note, sizeof note, report_tr(c, "report.note.costs_reached"), g->text, list);
        utfall_table_add_note(t, note);
    }
    utfall_doc_add(d, t);
}

/* "Arbetsförmedlingen 1 368 770 kr of 1 394 000 kr (98,2 %)" per financier. */
static void financier_sentence(utfall_report *r, const struct ctx *c, const utfall_ledger *l)
{
    char text[2048] = "";
    size_t len = 0;
    for (size_t i = 0; i < l->n && len < sizeof text; i++) {
        size_t j = 0;
        while (strcmp(l->rows[j].financier, l->rows[i].financier))
            j++;
        if (j != i)
            continue; /* named before */
        double b = 0, s = 0;
        int has_b = 0;
        for (size_t k = 0; k < l->n; k++)
            if (!strcmp(l->rows[k].financier, l->rows[i].financier)) {
                has_b |= !isnan(l->rows[k].budget);
                b += isnan(l->rows[k].budget) ? 0 : l->rows[k].budget;
                s += isnan(l->rows[k].spent) ? 0 : l->rows[k].spent;
            }
        char a1[64], a2[64], p[32];
        report_amount(c, s, a1, sizeof a1);
        if (has_b && b > 0)
            len += (size_t)snprintf(text + len, sizeof text - len,
                                    report_tr(c, "report.economy.financier"), len ? "; " : "",
                                    l->rows[i].financier, a1, report_amount(c, b, a2, sizeof a2),
                                    report_pct(c, s / b, 1, p, sizeof p));
        else
            len += (size_t)snprintf(text + len, sizeof text - len,
                                    report_tr(c, "report.economy.financier_no_budget"),
                                    len ? "; " : "", l->rows[i].financier, a1);
    }
    if (len)
        report_para(r, UTFALL_BLOCK_PARAGRAPH, "%s.", text);
}

static void fill_costs(utfall_report *r, const struct ctx *c, struct block *b)
{
    char a[64], e[64], p[64];
    utfall_table *t = utfall_doc_table(r->doc, "ekonomi_costs");
    if (!t)
        return;
    int row = utfall_table_nrows(t) - 1;
    struct cellref per_e = {t, row, utfall_table_column_index(t, "per_enrolled")};
    struct cellref per_p = {t, row, utfall_table_column_index(t, "per_person")};
    struct cellref per_r = {t, row, utfall_table_column_index(t, "per_reached")};
    report_cell_amount(c, per_e, e, sizeof e);
    report_cell_amount(c, per_p, p, sizeof p);
    if (b->goal)
        report_set_text(r, b, report_tr(c, "report.economy.costs_goal"), e, p,
                        report_cell_amount(c, per_r, a, sizeof a));
    else
        report_set_text(r, b, report_tr(c, "report.economy.costs"), e, p);
}

const utfall_ledger *report_ledger(const utfall_report *r, const struct ctx *c)
{
    return r->ledger_in_period ? r->ledger_in_period : c->opt->ledger;
}

static int month_of(utfall_date d, int fallback)
{
    int y, m, day;
    if (d == UTFALL_DATE_NONE)
        return fallback;
    utfall_date_to_ymd(d, &y, &m, &day);
    return y * 12 + m - 1;
}

/* A reporting period takes the ledger's amounts of its months. */
static utfall_status cut_to_period(utfall_report *r, const struct ctx *c, utfall_error *err)
{
    const utfall_reporting_period *p = &c->opt->period;
    if (utfall_reporting_period_is_open(p))
        return UTFALL_OK;
    int from = month_of(p->from, 0), to = month_of(p->to, 1 << 30);
    utfall_status st = utfall_ledger_restrict(c->opt->ledger, from, to, &r->ledger_in_period, err);
    if (st)
        return st;
    char a[32], b[32];
    snprintf(a, sizeof a, "%s", "\xE2\x80\xA6");
    snprintf(b, sizeof b, "%s", "\xE2\x80\xA6");
    if (p->from != UTFALL_DATE_NONE)
        utfall_ledger_period(from, from, a, sizeof a);
    if (p->to != UTFALL_DATE_NONE)
        utfall_ledger_period(to, to, b, sizeof b);
    report_para(r, UTFALL_BLOCK_PARAGRAPH, report_tr(c, "report.economy.period"), a, b);
    return UTFALL_OK;
}

utfall_status report_economy_section(utfall_report *r, const struct ctx *c,
                                     const struct facts *f, const utfall_goals *goals,
                                     utfall_error *err)
{
    (void)f;
    report_heading(r, 2, report_tr(c, "report.sec.economy"));
    utfall_status pst = cut_to_period(r, c, err);
    if (pst)
        return pst;
    const utfall_ledger *l = report_ledger(r, c);
    double budget, spent;
    utfall_ledger_totals(l, &budget, &spent);
    char a1[64], a2[64], p[32];
    if (isfinite(budget) && budget > 0)
        report_para(r, UTFALL_BLOCK_PARAGRAPH, report_tr(c, "report.economy.total"),
                    report_amount(c, spent, a1, sizeof a1), report_amount(c, budget, a2, sizeof a2),
                    report_pct(c, spent / budget, 1, p, sizeof p));
    else
        report_para(r, UTFALL_BLOCK_PARAGRAPH, report_tr(c, "report.economy.total_no_budget"),
                    report_amount(c, spent, a1, sizeof a1));
    financier_sentence(r, c, l);
    const utfall_goal_spec *g = report_main_goal(goals);
    report_defer(r, UTFALL_BLOCK_PARAGRAPH, fill_costs, NULL, g);
    utfall_doc *d = utfall_doc_new();
    if (!d)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    utfall_ekonomi_options eo = {c->lang};
    utfall_status st = utfall_ekonomi_compute(l, &eo, d, err);
    if (st) {
        utfall_doc_free(d);
        return st;
    }
    costs_table(r, c, g, spent, d);
    /* the costs first: what the section is about; then the ledger */
    utfall_doc_insert(d, 0, utfall_doc_take(d, utfall_doc_ntables(d) - 1));
    report_adopt(r, d, "ekonomi", 1);
    return UTFALL_OK;
}
