#include "analysis/horizon_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/survival.h"

/* ------------------------------------------------- Kaplan–Meier, log-rank */

/* Days from the start to the first success spell starting on or after it;
 * -1 when there is none. */
static double first_success(const struct cohort *c, size_t i, unsigned success)
{
    const struct participant *p = &c->p[i];
    for (size_t k = c->first[i]; k < c->first[i + 1]; k++) {
        const struct spell *sp = &c->s[k];
        if (sp->from >= p->start && ((success >> sp->status) & 1))
            return (double)(sp->from - p->start); /* sorted by start */
    }
    return -1;
}

/* Time to the first success, censored at the end of follow-up. */
utfall_status horizon_fit_km(struct horizon_run *run)
{
    const struct cohort *c = &run->c;
    size_t n = c->np ? c->np : 1;
    run->km_time = malloc(n * sizeof *run->km_time);
    run->km_event = malloc(n * sizeof *run->km_event);
    int *group = malloc(n * sizeof *group);
    if (!run->km_time || !run->km_event || !group) {
        free(group);
        return horizon_nomem(run->err);
    }
    for (size_t i = 0; i < c->np; i++) {
        double follow = (double)(c->p[i].end - c->p[i].start);
        double first = first_success(c, i, run->opt->success);
        run->km_event[i] = first >= 0 && first <= follow;
        run->km_time[i] = run->km_event[i] ? first : follow;
        group[i] = (int)c->p[i].group;
    }
    utfall_status st = utfall_km_fit(c->np, run->km_time, run->km_event, group, (int)run->ng,
                                     run->opt->level, &run->km, run->err);
    free(group);
    return st;
}

enum { KM_MONTH, KM_CUM_SHARE, KM_SE, KM_LOW, KM_HIGH, KM_N_RISK };

static const utfall_colspec km_columns[] = {
    [KM_MONTH] = {"month", NULL, UTFALL_COL_COUNT, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
    [KM_CUM_SHARE] = {"cum_share", NULL, UTFALL_COL_SHARE, 1, 0, {0}, 0},
    [KM_SE] = {"se", NULL, UTFALL_COL_NUMBER, 4, 0, {0}, 0},
    [KM_LOW] = {"ci_low", NULL, UTFALL_COL_SHARE, 1, 0, {0}, 0},
    [KM_HIGH] = {"ci_high", NULL, UTFALL_COL_SHARE, 1, 0, {0}, 0},
    [KM_N_RISK] = {"n_risk", NULL, UTFALL_COL_COUNT, 0, 0, {0}, 0},
};

utfall_table *horizon_curve_table(const struct horizon_run *run, const char *key,
                                  const char *title_key, const int **months, size_t *nm)
{
    const utfall_horizon_options *opt = run->opt;
    *months = opt->curve ? run->steps : opt->months;
    *nm = opt->curve ? run->nsteps : opt->nmonths;
    utfall_table *t = utfall_table_new(key, UTFALL_TABLE_ROWS);
    if (!t)
        return NULL;
    utfall_table_set_title(t, utfall_tr(run->lang, title_key));
    horizon_group_columns(t, run, 0);
    /* from the participants of the rows table, with counts of its own
     * (at risk, events) and, with --curve, too many points to link */
    utfall_table_set_local_protection(t);
    utfall_table_derived_from(t, "rows");
    return t;
}

/* The Kaplan–Meier share at the horizons, or at every month with --curve. */
utfall_status horizon_km_section(struct horizon_run *run)
{
    const int *months;
    size_t nm;
    utfall_table *t = horizon_curve_table(run, "km", "title.km", &months, &nm);
    if (!t)
        return horizon_nomem(run->err);
    int c0 = ADD_COLUMNS(t, km_columns);
    for (size_t k = 0; k < run->ng; k++)
        for (size_t m = 0; m < nm; m++) {
            utfall_km_point pt;
            utfall_status st = utfall_km_at(run->km, (int)run->order[k],
                                            months[m] * UTFALL_DAYS_PER_MONTH, &pt, run->err);
            if (st) {
                utfall_table_free(t);
                return st;
            }
            int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
            horizon_set_group(t, r, run, run->order[k], 0, run->nkeys);
            utfall_table_set_num(t, r, c0 + KM_MONTH, months[m]);
            utfall_table_set_num(t, r, c0 + KM_CUM_SHARE, pt.cum_share);
            utfall_table_set_num(t, r, c0 + KM_SE, pt.se_surv);
            utfall_table_set_num(t, r, c0 + KM_LOW, pt.ci_low);
            utfall_table_set_num(t, r, c0 + KM_HIGH, pt.ci_high);
            utfall_table_set_num(t, r, c0 + KM_N_RISK, (double)pt.n_risk);
        }
    utfall_table_add_note(t, utfall_tr(run->lang, "note.km"));
    utfall_doc_add(run->doc, t);
    return UTFALL_OK;
}

int horizon_members_alloc(struct members *s, size_t np)
{
    size_t n = np ? np : 1;
    s->group = malloc(n * sizeof *s->group);
    s->time = malloc(n * sizeof *s->time);
    s->event = malloc(n * sizeof *s->event);
    s->stratum = malloc(n * sizeof *s->stratum);
    return s->group && s->time && s->event && s->stratum ? 0 : -1;
}

void horizon_members_free(struct members *s)
{
    free(s->group);
    free(s->time);
    free(s->event);
    free(s->stratum);
}

void horizon_members(const struct horizon_run *run, int which, size_t s, const double *time,
                     const int *event, struct members *m)
{
    m->n = 0;
    for (size_t i = 0; i < run->c.np; i++) {
        size_t gi = (size_t)run->c.p[i].group;
        int st = run->stratum_of[gi];
        if (!run->stated[gi])
            continue; /* a group not stated takes part in no test */
        if (which == MEMBERS_STRATUM ? (size_t)st != s : !run->stratum_stated[st])
            continue;
        m->group[m->n] = run->level_of[gi];
        m->time[m->n] = time[i];
        m->event[m->n] = event[i];
        m->stratum[m->n] = st;
        m->n++;
    }
}

enum { LR_CHI2, LR_DF, LR_P };

static const utfall_colspec logrank_columns[] = {
    [LR_CHI2] = {"chi2", NULL, UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [LR_DF] = {"df", NULL, UTFALL_COL_COUNT, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
    [LR_P] = {"p_value", NULL, UTFALL_COL_PVALUE, 3, 0, {0}, 0},
};

/* The log-rank test across the --by groups of stratum s. */
static void logrank_row(const struct horizon_run *run, utfall_table *t, int c0, size_t s,
                        struct members *m)
{
    horizon_members(run, MEMBERS_STRATUM, s, run->km_time, run->km_event, m);
    utfall_logrank lr;
    utfall_status st = utfall_logrank_test(m->n, m->time, m->event, m->group,
                                           (int)(run->nlevels ? run->nlevels : 1), &lr, NULL,
                                           NULL, run->err);
    int r = utfall_table_add_row(t, run->nkeys == run->nby ? UTFALL_ROW_TOTAL : UTFALL_ROW_GROUP);
    horizon_set_group(t, r, run, run->stratum_rep[s], run->nby, run->nkeys);
    if (st == UTFALL_OK && lr.tested) {
        utfall_table_set_num(t, r, c0 + LR_CHI2, lr.chisq);
        utfall_table_set_num(t, r, c0 + LR_DF, lr.df);
        utfall_table_set_num(t, r, c0 + LR_P, lr.p_value);
    } else {
        utfall_table_set_na(t, r, c0 + LR_CHI2);
        utfall_table_set_na(t, r, c0 + LR_DF);
        utfall_table_set_na(t, r, c0 + LR_P);
        utfall_error_clear(run->err);
    }
}

/* Log-rank across the --by groups, within each stratum, in the order of
 * the strata. */
utfall_status horizon_logrank_section(struct horizon_run *run)
{
    utfall_table *t = utfall_table_new("logrank", UTFALL_TABLE_ROWS);
    struct members m = {0};
    if (!t || horizon_members_alloc(&m, run->c.np)) {
        utfall_table_free(t);
        horizon_members_free(&m);
        return horizon_nomem(run->err);
    }
    utfall_table_set_title(t, utfall_tr(run->lang, "title.logrank"));
    horizon_group_columns(t, run, run->nby);
    int c0 = ADD_COLUMNS(t, logrank_columns);
    utfall_table_derived_from(t, "rows");
    for (size_t s = 0; s < run->nstrata; s++)
        logrank_row(run, t, c0, s, &m);
    horizon_members_free(&m);
    utfall_table_add_note(t, utfall_tr(run->lang, "note.logrank"));
    utfall_doc_add(run->doc, t);
    return UTFALL_OK;
}

enum { LRS_CHI2, LRS_DF, LRS_P, LRS_N, LRS_EVENTS, LRS_STRATA };

static const utfall_colspec logrank_stratified_columns[] = {
    [LRS_CHI2] = {"chi2", NULL, UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [LRS_DF] = {"df", NULL, UTFALL_COL_COUNT, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
    [LRS_P] = {"p_value", NULL, UTFALL_COL_PVALUE, 3, 0, {0}, 0},
    [LRS_N] = {"n", "col.used", UTFALL_COL_COUNT, 0, 0, {0}, 0},
    [LRS_EVENTS] = {"events", NULL, UTFALL_COL_COUNT, 0, 0, {0}, 0},
    [LRS_STRATA] = {"strata", NULL, UTFALL_COL_COUNT, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
};

/* The strata used: those with a participant among the members. */
static size_t strata_used(const struct members *m, size_t nstrata, unsigned char *seen)
{
    size_t k = 0;
    memset(seen, 0, nstrata ? nstrata : 1);
    for (size_t i = 0; i < m->n; i++)
        if (!seen[m->stratum[i]]++)
            k++;
    return k;
}

/* One log-rank test across the --by groups with a baseline of its own in
 * each stratum (survdiff with strata()). */
utfall_status horizon_logrank_stratified_section(struct horizon_run *run)
{
    utfall_table *t = utfall_table_new("logrank_stratified", UTFALL_TABLE_OBJECT);
    struct members m = {0};
    unsigned char *seen = malloc(run->nstrata ? run->nstrata : 1);
    if (!t || !seen || horizon_members_alloc(&m, run->c.np)) {
        utfall_table_free(t);
        free(seen);
        horizon_members_free(&m);
        return horizon_nomem(run->err);
    }
    utfall_table_set_title(t, utfall_tr(run->lang, "title.logrank_stratified"));
    int c0 = ADD_COLUMNS(t, logrank_stratified_columns);
    utfall_table_derived_from(t, "rows");
    utfall_table_set_local_protection(t); /* n and events are counts of their own */
    horizon_members(run, MEMBERS_STRATIFIED, 0, run->km_time, run->km_event, &m);
    utfall_logrank lr;
    int nlev = (int)(run->nlevels ? run->nlevels : 1), ns = (int)(run->nstrata ? run->nstrata : 1);
    utfall_status st = utfall_logrank_test_stratified(m.n, m.time, m.event, m.group, nlev,
                                                      m.stratum, ns, &lr, NULL, NULL, run->err);
    int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
    long events = 0;
    for (size_t i = 0; i < m.n; i++)
        events += m.event[i];
    utfall_table_set_num(t, r, c0 + LRS_N, (double)m.n);
    utfall_table_set_num(t, r, c0 + LRS_EVENTS, (double)events);
    utfall_table_set_num(t, r, c0 + LRS_STRATA, (double)strata_used(&m, run->nstrata, seen));
    utfall_table_set_num(t, r, c0 + LRS_CHI2, st == UTFALL_OK && lr.tested ? lr.chisq : NAN);
    utfall_table_set_num(t, r, c0 + LRS_DF, st == UTFALL_OK && lr.tested ? lr.df : NAN);
    utfall_table_set_num(t, r, c0 + LRS_P, st == UTFALL_OK && lr.tested ? lr.p_value : NAN);
    utfall_error_clear(run->err);
    free(seen);
    horizon_members_free(&m);
    utfall_table_add_note(t, utfall_tr(run->lang, "note.logrank_stratified"));
    utfall_doc_add(run->doc, t);
    return st == UTFALL_ERR_NOMEM ? horizon_nomem(run->err) : UTFALL_OK;
}
