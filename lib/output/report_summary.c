/* The report's summary (sammanfattning): the key figures in sentences, the
 * part a styrgrupp reads, and the project's facts on the title block.
 *
 * Every number of a person here is a cell of the protected document, as
 * the section it summarises shows it ("..", when hidden); a verdict that
 * would reveal a hidden count says that it is not shown.  The counts of
 * goals (2 of 3 met) and amounts of money are no counts of people. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/report_internal.h"

void report_project_facts(utfall_report *r, const struct ctx *c, const utfall_goals *goals)
{
    static const char *const label[UTFALL_FACT_COUNT] = {
        [UTFALL_FACT_OWNER] = "report.fact.owner",
        [UTFALL_FACT_FINANCIERS] = "report.fact.financiers",
        [UTFALL_FACT_REFERENCE] = "report.fact.reference",
        [UTFALL_FACT_PERIOD] = "report.fact.period",
        [UTFALL_FACT_CONTACT] = "report.fact.contact",
    };
    for (int k = 0; goals && k < UTFALL_FACT_COUNT; k++)
        if (goals->facts[k])
            report_para(r, UTFALL_BLOCK_LIST_ITEM, "%s: %s", report_tr(c, label[k]),
                        goals->facts[k]);
}

/* ---- what each goal came to ------------------------------------------ */

enum verdict { V_NONE = 0, V_MET, V_NOT_MET, V_HIDDEN };

struct goal_status {
    enum verdict v;
    char outcome[256]; /* "83 av 300 (27,7 %)" */
    char needed[64];   /* with V_NOT_MET: how many are missing; "" = not shown */
    char as_written[64]; /* the text's figure the measure does not evaluate; "" = none */
    int no_data;         /* nobody to measure it on (yet) */
};

static void share_status(utfall_report *r, const struct ctx *c, const char *prefix,
                         struct goal_status *s)
{
    char a[64], n[64], p[64];
    struct cellref nn = report_cell(r, prefix, "rows", "n", -1);
    struct cellref met = report_cell(r, prefix, "rows", "met", -1);
    struct cellref needed = report_cell(r, prefix, "rows", "needed", -1);
    snprintf(s->outcome, sizeof s->outcome, report_tr(c, "report.summary.share_outcome"),
             report_cell_str(c, report_cell(r, prefix, "rows", "reached", -1), a, sizeof a),
             report_cell_str(c, nn, n, sizeof n),
             report_cell_str(c, report_cell(r, prefix, "rows", "share", -1), p, sizeof p));
    if (!(report_cell_num(nn) > 0) && !report_cell_hidden(nn))
        s->no_data = 1;
    else if (report_cell_hidden(met))
        s->v = V_HIDDEN;
    else if (isfinite(report_cell_num(met)))
        s->v = report_cell_num(met) > 0 ? V_MET : V_NOT_MET;
    if (s->v == V_NOT_MET && !report_cell_hidden(needed))
        report_cell_str(c, needed, s->needed, sizeof s->needed);
}

static void count_status(utfall_report *r, const struct ctx *c, const utfall_goal_spec *g,
                         struct goal_status *s)
{
    struct cellref count = report_cell(r, "mal", g->id, "count", -1);
    struct cellref met = report_cell(r, "mal", g->id, "met", -1);
    struct cellref needed = report_cell(r, "mal", g->id, "needed", -1);
    char a[64], t[64];
    snprintf(s->outcome, sizeof s->outcome, report_tr(c, "report.summary.count_outcome"),
             report_cell_str(c, count, a, sizeof a), report_num(c, g->target_count, t, sizeof t));
    s->v = report_cell_hidden(met) ? V_HIDDEN
           : isfinite(report_cell_num(met)) ? (report_cell_num(met) > 0 ? V_MET : V_NOT_MET)
                                             : V_NONE;
    if (s->v == V_NOT_MET && !report_cell_hidden(needed))
        report_cell_str(c, needed, s->needed, sizeof s->needed);
}

static void activity_status(utfall_report *r, const struct ctx *c, const char *prefix,
                            const utfall_goal_spec *g, struct goal_status *s)
{
    struct cellref mean = report_cell(r, prefix, "rows", "mean_change", -1);
    char m[64];
    snprintf(s->outcome, sizeof s->outcome, report_tr(c, "report.summary.activity_outcome"),
             report_cell_str(c, mean, m, sizeof m));
    if (report_cell_hidden(mean))
        s->v = V_HIDDEN;
    else if (isfinite(report_cell_num(mean)))
        s->v = report_cell_num(mean) > g->target_hours ? V_MET : V_NOT_MET;
    else
        s->no_data = 1;
}

static void days_status(utfall_report *r, const struct ctx *c, const char *prefix,
                        struct goal_status *s)
{
    struct cellref mean = report_cell(r, prefix, "rows", "mean_days", -1);
    struct cellref met = report_cell(r, prefix, "rows", "met", -1);
    char m[64];
    snprintf(s->outcome, sizeof s->outcome, report_tr(c, "report.summary.days_outcome"),
             report_cell_str(c, mean, m, sizeof m));
    struct cellref n = report_cell(r, prefix, "rows", "n", -1);
    s->no_data = !(report_cell_num(n) > 0) && !report_cell_hidden(n);
    s->v = report_cell_hidden(met) ? V_HIDDEN
           : isfinite(report_cell_num(met)) ? (report_cell_num(met) > 0 ? V_MET : V_NOT_MET)
                                             : V_NONE;
}

static void goal_status(utfall_report *r, const struct ctx *c, const utfall_goal_spec *g,
                        struct goal_status *s)
{
    char prefix[64];
    memset(s, 0, sizeof *s);
    snprintf(prefix, sizeof prefix, "mal_%s", g->id);
    if (!utfall_doc_table(r->doc, prefix) && !report_cell_ok(report_cell(r, prefix, "rows", "n", -1))
        && !report_cell_ok(report_cell(r, prefix, "rows", "mean_change", -1)))
        return; /* not measured: the extract lacks what it needs */
    if (g->kind == UTFALL_GOAL_COUNT)
        count_status(r, c, g, s);
    else if (g->kind == UTFALL_GOAL_DAYS)
        days_status(r, c, prefix, s);
    else if (g->kind == UTFALL_GOAL_ACTIVITY)
        activity_status(r, c, prefix, g, s);
    else
        share_status(r, c, prefix, s);
    if (g->kind == UTFALL_GOAL_SHARE && !isfinite(g->target_share))
        s->v = s->v == V_HIDDEN ? V_HIDDEN : V_NONE;
    if (s->no_data)
        s->v = V_NONE;
    if (!report_goal_as_written(c, g, s->as_written, sizeof s->as_written))
        s->v = V_NONE; /* measured, but not as the text says */
    else
        s->as_written[0] = '\0';
}

static void fill_goal_line(utfall_report *r, const struct ctx *c, struct block *b)
{
    struct goal_status s;
    goal_status(r, c, b->goal, &s);
    const char *t = b->goal->text;
    if (!s.outcome[0])
        report_set_text(r, b, report_tr(c, "report.summary.goal_not_measured"), t);
    else if (s.no_data)
        report_set_text(r, b, report_tr(c, "report.summary.goal_no_data"), t);
    else if (s.as_written[0])
        report_set_text(r, b, report_tr(c, "report.summary.goal_not_as_written"), t, s.outcome,
                        s.as_written);
    else if (s.v == V_MET)
        report_set_text(r, b, report_tr(c, "report.summary.goal_met"), t, s.outcome);
    else if (s.v == V_NOT_MET && s.needed[0])
        report_set_text(r, b, report_tr(c, "report.summary.goal_not_met"), t, s.outcome, s.needed);
    else if (s.v == V_NOT_MET)
        report_set_text(r, b, report_tr(c, "report.summary.goal_not_met_hidden"), t, s.outcome);
    else if (s.v == V_HIDDEN)
        report_set_text(r, b, report_tr(c, "report.summary.goal_hidden"), t);
    else
        report_set_text(r, b, report_tr(c, "report.summary.goal_open"), t, s.outcome);
}

/* "Av projektets 3 mål är 2 nådda och 1 inte nått." */
static void fill_goal_count(utfall_report *r, const struct ctx *c, struct block *b)
{
    const utfall_goals *goals = c->opt->goals;
    int n[4] = {0}, total = 0;
    for (size_t i = 0; goals && i < goals->n; i++) {
        struct goal_status s;
        goal_status(r, c, &goals->goals[i], &s);
        n[s.v]++;
        total++;
    }
    if (total < 2)
        return; /* one goal: its line says it */
    char a[32], m[32], nm[32], h[32];
    report_num(c, total, a, sizeof a);
    report_num(c, n[V_MET], m, sizeof m);
    report_num(c, n[V_NOT_MET], nm, sizeof nm);
    report_num(c, n[V_HIDDEN] + n[V_NONE], h, sizeof h);
    report_set_text(r, b, report_tr(c, n[V_HIDDEN] + n[V_NONE] ? "report.summary.goals_other"
                                                               : "report.summary.goals"),
                    a, m, nm, h);
}

/* ---- participants, outcomes, income, money ------------------------------ */

static void fill_participants(utfall_report *r, const struct ctx *c, struct block *b)
{
    char n1[64], n2[64], n3[64], n4[64];
    /* a period: who took part in it, and how things stood at its end */
    const char *key = utfall_reporting_period_is_open(&c->opt->period)
                          ? "report.summary.participants"
                          : "report.summary.participants_period";
    report_set_text(r, b, report_tr(c, key), b->arg,
                    report_cell_str(c, report_cell(r, "deltagare", "rows", "enrolled", -1), n1, sizeof n1),
                    report_cell_str(c, report_cell(r, "deltagare", "rows", "persons", -1), n2, sizeof n2),
                    report_cell_str(c, report_cell(r, "deltagare", "rows", "exited", -1), n3, sizeof n3),
                    report_cell_str(c, report_cell(r, "deltagare", "rows", "active", -1), n4, sizeof n4));
}

/* "58 till arbete och 10 till studier": the outcomes table's rows. */
static void fill_outcomes(utfall_report *r, const struct ctx *c, struct block *b)
{
    static const int shown[] = {UTFALL_OUTCOME_ARBETE, UTFALL_OUTCOME_ARBETE_MED_STOD,
                                UTFALL_OUTCOME_STUDIER};
    char list[512] = "", ex[64];
    size_t len = 0;
    int n = 0;
    for (size_t i = 0; i < sizeof shown / sizeof *shown; i++) {
        const char *key = utfall_outcome_key(shown[i]);
        struct cellref ref = report_cell_where(r, "avslut_outcomes", "count", "avslutsorsak", key);
        if (!report_cell_ok(ref))
            continue;
        char num[64], lk[64], label[128];
        snprintf(lk, sizeof lk, "val.%s", key);
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", n++ ? "|" : "",
                                report_cell_str(c, ref, num, sizeof num));
        len += (size_t)snprintf(list + len, sizeof list - len, report_tr(c, "report.summary.to"),
                                report_lower(c, lk, label, sizeof label));
    }
    if (!n)
        return;
    /* "a|b|c" → "a, b och c" */
    char out[640] = "";
    size_t k = 0;
    int seen = 0;
    for (char *p = strtok(list, "|"); p; p = strtok(NULL, "|"), seen++)
        k += (size_t)snprintf(out + k, sizeof out - k, "%s%s",
                              !seen ? "" : seen == n - 1 ? report_tr(c, "list.and") : ", ", p);
    report_set_text(r, b, report_tr(c, "report.summary.outcomes"),
                    report_cell_str(c, report_cell(r, "deltagare", "rows", "exited", -1), ex, sizeof ex),
                    out);
}

static void fill_income(utfall_report *r, const struct ctx *c, struct block *b)
{
    struct cellref n = report_cell(r, "forsorjning", "left", "n", -1);
    if (!report_cell_ok(n) || (!(report_cell_num(n) > 0) && !report_cell_hidden(n)))
        return;
    char a[64], nn[64], p[64], label[128];
    report_set_text(r, b, report_tr(c, "report.summary.income"),
                    report_cell_str(c, report_cell(r, "forsorjning", "left", "left", -1), a, sizeof a),
                    report_cell_str(c, n, nn, sizeof nn),
                    report_lower(c, "val.aktivitetsersattning", label, sizeof label),
                    report_cell_str(c, report_cell(r, "forsorjning", "left", "share", -1), p, sizeof p));
}

static void fill_economy(utfall_report *r, const struct ctx *c, struct block *b)
{
    utfall_table *t = utfall_doc_table(r->doc, "ekonomi_costs");
    if (!t || !report_ledger(r, c))
        return;
    double budget, spent;
    utfall_ledger_totals(report_ledger(r, c), &budget, &spent);
    int row = utfall_table_nrows(t) - 1;
    char s1[64], s2[64], p[32], e[64], g[64];
    report_amount(c, spent, s1, sizeof s1);
    report_cell_amount(c, (struct cellref){t, row, utfall_table_column_index(t, "per_enrolled")}, e,
                       sizeof e);
    report_cell_amount(c, (struct cellref){t, row, utfall_table_column_index(t, "per_reached")}, g,
                       sizeof g);
    if (isfinite(budget) && budget > 0)
        report_set_text(r, b, report_tr(c, b->goal ? "report.summary.economy_goal"
                                                   : "report.summary.economy"),
                        s1, report_amount(c, budget, s2, sizeof s2),
                        report_pct(c, spent / budget, 1, p, sizeof p), e, g);
    else
        report_set_text(r, b, report_tr(c, b->goal ? "report.summary.economy_no_budget_goal"
                                                   : "report.summary.economy_no_budget"),
                        s1, e, g);
}

/* The period as the summary names it: the one asked for, or the months
 * of the first and last enrolment. */
static void period_text(const struct ctx *c, const struct facts *f, char *buf, size_t size)
{
    const utfall_reporting_period *p = &c->opt->period;
    char a[32] = "\xE2\x80\xA6", b[32] = "\xE2\x80\xA6"; /* … */
    if (utfall_reporting_period_is_open(p)) {
        utfall_date_format(f->first, a, sizeof a);
        utfall_date_format(f->last, b, sizeof b);
        a[7] = b[7] = '\0';
    } else {
        if (p->from != UTFALL_DATE_NONE)
            utfall_date_format(p->from, a, sizeof a);
        if (p->to != UTFALL_DATE_NONE)
            utfall_date_format(p->to, b, sizeof b);
    }
    snprintf(buf, size, "%s \xE2\x80\x93 %s", a, b);
}

void report_summary_section(utfall_report *r, const struct ctx *c, const struct facts *f,
                            const utfall_goals *goals)
{
    report_heading(r, 2, report_tr(c, "report.sec.summary"));
    char period[96];
    period_text(c, f, period, sizeof period);
    report_defer(r, UTFALL_BLOCK_PARAGRAPH, fill_participants, NULL, NULL);
    if (r->n && !(r->blocks[r->n - 1].arg = strdup(period)))
        r->failed = 1;
    report_defer(r, UTFALL_BLOCK_PARAGRAPH, fill_goal_count, NULL, NULL);
    for (size_t i = 0; goals && i < goals->n; i++)
        report_defer(r, UTFALL_BLOCK_LIST_ITEM, fill_goal_line, NULL, &goals->goals[i]);
    if (f->has[UTFALL_F_AVSLUTSORSAK])
        report_defer(r, UTFALL_BLOCK_PARAGRAPH, fill_outcomes, NULL, NULL);
    report_defer(r, UTFALL_BLOCK_PARAGRAPH, fill_income, NULL, NULL);
    if (c->opt->ledger)
        report_defer(r, UTFALL_BLOCK_PARAGRAPH, fill_economy, NULL, report_main_goal(goals));
}
