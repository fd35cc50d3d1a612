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

/* The Kaplan–Meier share at the horizons, or at every month with --curve. */
utfall_status horizon_km_section(struct horizon_run *run)
{
    const utfall_horizon_options *opt = run->opt;
    const int *months = opt->curve ? run->steps : opt->months;
    size_t nm = opt->curve ? run->nsteps : opt->nmonths;
    utfall_table *t = utfall_table_new("km", UTFALL_TABLE_ROWS);
    if (!t)
        return horizon_nomem(run->err);
    utfall_table_set_title(t, utfall_tr(run->lang, "title.km"));
    horizon_group_columns(t, run, 0);
    int c0 = ADD_COLUMNS(t, km_columns);
    utfall_table_set_local_protection(t);
    utfall_table_derived_from(t, "rows");
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

/* The participants of one stratum: their --by group, time and event. */
struct members {
    size_t n;
    int *group;
    double *time;
    int *event;
};

static int members_alloc(struct members *s, size_t np)
{
    size_t n = np ? np : 1;
    s->group = malloc(n * sizeof *s->group);
    s->time = malloc(n * sizeof *s->time);
    s->event = malloc(n * sizeof *s->event);
    return s->group && s->time && s->event ? 0 : -1;
}

static void members_free(struct members *s)
{
    free(s->group);
    free(s->time);
    free(s->event);
}

static void stratum_members(const struct horizon_run *run, size_t s0, struct members *s)
{
    s->n = 0;
    for (size_t i = 0; i < run->c.np; i++) {
        size_t gi = (size_t)run->c.p[i].group;
        if (!horizon_same_stratum(run, gi, s0))
            continue;
        s->group[s->n] = (int)gi;
        s->time[s->n] = run->km_time[i];
        s->event[s->n] = run->km_event[i];
        s->n++;
    }
}

enum { LR_CHI2, LR_DF, LR_P };

static const utfall_colspec logrank_columns[] = {
    [LR_CHI2] = {"chi2", NULL, UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [LR_DF] = {"df", NULL, UTFALL_COL_COUNT, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
    [LR_P] = {"p_value", NULL, UTFALL_COL_PVALUE, 3, 0, {0}, 0},
};

/* The log-rank test across the --by groups of the stratum of group s0. */
static void logrank_row(const struct horizon_run *run, utfall_table *t, int c0, size_t s0,
                        struct members *s)
{
    stratum_members(run, s0, s);
    utfall_logrank lr;
    utfall_status st = utfall_logrank_test(s->n, s->time, s->event, s->group, (int)run->ng, &lr,
                                           NULL, NULL, run->err);
    int r = utfall_table_add_row(t, run->nkeys == run->nby ? UTFALL_ROW_TOTAL : UTFALL_ROW_GROUP);
    horizon_set_group(t, r, run, s0, run->nby, run->nkeys);
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

/* Log-rank across the --by groups, within each stratum. */
utfall_status horizon_logrank_section(struct horizon_run *run)
{
    utfall_table *t = utfall_table_new("logrank", UTFALL_TABLE_ROWS);
    struct members s = {0};
    unsigned char *done = calloc(run->ng ? run->ng : 1, 1);
    if (!t || !done || members_alloc(&s, run->c.np)) {
        utfall_table_free(t);
        free(done);
        members_free(&s);
        return horizon_nomem(run->err);
    }
    utfall_table_set_title(t, utfall_tr(run->lang, "title.logrank"));
    horizon_group_columns(t, run, run->nby);
    int c0 = ADD_COLUMNS(t, logrank_columns);
    utfall_table_derived_from(t, "rows");
    for (size_t k = 0; k < run->ng; k++) {
        size_t s0 = run->order[k];
        if (done[s0])
            continue;
        for (size_t j = 0; j < run->ng; j++)
            if (horizon_same_stratum(run, run->order[j], s0))
                done[run->order[j]] = 1;
        logrank_row(run, t, c0, s0, &s);
    }
    free(done);
    members_free(&s);
    utfall_table_add_note(t, utfall_tr(run->lang, "note.logrank"));
    utfall_doc_add(run->doc, t);
    return UTFALL_OK;
}

