/* --competing: work and studies compete as the first event after the
 * start.  Cumulative incidence of each (Aalen–Johansen) per group, and
 * Gray's test per event, within each stratum and stratified. */
#include "analysis/horizon_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/goal.h"

/* The first event: the first spell starting on or after the start whose
 * status is in the success set (1) or the competing set (2); a success and
 * a competing spell starting the same day count as success.  Spells begun
 * before the start do not count.  Censored (0) at the follow-up end when
 * there is none by then. */
static void first_event(const struct horizon_run *run, size_t i, double *time, int *status)
{
    const struct cohort *c = &run->c;
    const struct participant *p = &c->p[i];
    unsigned succ = run->opt->success, comp = run->opt->competing_set;
    utfall_date at = UTFALL_DATE_NONE;
    int st = 0;
    for (size_t k = c->first[i]; k < c->first[i + 1]; k++) {
        const struct spell *sp = &c->s[k];
        if (sp->from < p->start)
            continue;
        if (at != UTFALL_DATE_NONE && sp->from > at)
            break; /* sorted by start: no later spell is first */
        if ((succ >> sp->status) & 1)
            st = 1;
        else if (((comp >> sp->status) & 1) && st == 0)
            st = 2;
        if (st && at == UTFALL_DATE_NONE)
            at = sp->from;
    }
    if (st && at <= p->end) {
        *time = (double)(at - p->start);
        *status = st;
    } else {
        *time = (double)(p->end - p->start);
        *status = 0;
    }
}

/* The stable key of an event: the set's status keys joined by "+", the
 * default success set (arbete, arbete_med_stod) being "arbete". */
static void event_key(unsigned set, char *buf, size_t size)
{
    unsigned work = (1u << UTFALL_OUTCOME_ARBETE) | (1u << UTFALL_OUTCOME_ARBETE_MED_STOD);
    buf[0] = '\0';
    if (set == work) {
        snprintf(buf, size, "arbete");
        return;
    }
    for (int s = 0; s < UTFALL_OUTCOME_COUNT; s++)
        if ((set >> s) & 1) {
            size_t len = strlen(buf);
            snprintf(buf + len, size - len, "%s%s", len ? "+" : "", utfall_outcome_key(s));
        }
}

struct competing_run {
    char key[2][256], label[2][512]; /* the events: success, competing */
    utfall_cuminc *ci;
    struct members m;                /* m.event: the status 0, 1 or 2 */
};

static void competing_free(struct competing_run *cr)
{
    utfall_cuminc_free(cr->ci);
    horizon_members_free(&cr->m);
}

static utfall_status competing_times(struct horizon_run *run, struct competing_run *cr)
{
    const struct cohort *c = &run->c;
    size_t n = c->np ? c->np : 1;
    run->cr_time = malloc(n * sizeof *run->cr_time);
    run->cr_status = malloc(n * sizeof *run->cr_status);
    int *group = malloc(n * sizeof *group);
    if (!run->cr_time || !run->cr_status || !group || horizon_members_alloc(&cr->m, c->np)) {
        free(group);
        return horizon_nomem(run->err);
    }
    for (size_t i = 0; i < c->np; i++) {
        first_event(run, i, &run->cr_time[i], &run->cr_status[i]);
        group[i] = (int)c->p[i].group;
    }
    unsigned set[2] = {run->opt->success, run->opt->competing_set};
    for (int e = 0; e < 2; e++) {
        event_key(set[e], cr->key[e], sizeof cr->key[e]);
        utfall_outcome_set_describe(set[e], run->lang, cr->label[e], sizeof cr->label[e]);
    }
    utfall_status st = utfall_cuminc_fit(c->np, run->cr_time, run->cr_status, 2, group,
                                         (int)run->ng, run->opt->level, &cr->ci, run->err);
    free(group);
    return st;
}

enum { CI_MONTH, CI_EVENT, CI_EVENT_HUMAN, CI_CUM_INC, CI_SE, CI_LOW, CI_HIGH, CI_N_RISK,
       CI_N_EVENT };

static const utfall_colspec cuminc_columns[] = {
    [CI_MONTH] = {"month", NULL, UTFALL_COL_COUNT, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
    [CI_EVENT] = {"event", NULL, UTFALL_COL_TEXT, 0, UTFALL_COLF_MACHINE_ONLY, {0}, 0},
    [CI_EVENT_HUMAN] = {"event", NULL, UTFALL_COL_TEXT, 0, UTFALL_COLF_HUMAN_ONLY, {0}, 0},
    [CI_CUM_INC] = {"cum_inc", NULL, UTFALL_COL_SHARE, 1, 0, {0}, 0},
    [CI_SE] = {"se", NULL, UTFALL_COL_NUMBER, 4, 0, {0}, 0},
    [CI_LOW] = {"ci_low", NULL, UTFALL_COL_SHARE, 1, 0, {0}, 0},
    [CI_HIGH] = {"ci_high", NULL, UTFALL_COL_SHARE, 1, 0, {0}, 0},
    [CI_N_RISK] = {"n_risk", NULL, UTFALL_COL_COUNT, 0, 0, {0}, 0},
    [CI_N_EVENT] = {"n_event", NULL, UTFALL_COL_COUNT, 0, 0, {0}, 0},
};

/* Per group, horizon (every month with --curve) and event. */
static utfall_status cuminc_section(struct horizon_run *run, struct competing_run *cr)
{
    const int *months;
    size_t nm;
    utfall_table *t = horizon_curve_table(run, "cuminc", "title.cuminc", &months, &nm);
    if (!t)
        return horizon_nomem(run->err);
    int c0 = ADD_COLUMNS(t, cuminc_columns);
    for (size_t k = 0; k < run->ng; k++)
        for (size_t m = 0; m < nm; m++)
            for (int e = 0; e < 2; e++) {
                utfall_cuminc_point pt;
                utfall_status st = utfall_cuminc_at(cr->ci, (int)run->order[k], e + 1,
                                                    months[m] * UTFALL_DAYS_PER_MONTH, &pt,
                                                    run->err);
                if (st) {
                    utfall_table_free(t);
                    return st;
                }
                int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
                horizon_set_group(t, r, run, run->order[k], 0, run->nkeys);
                utfall_table_set_num(t, r, c0 + CI_MONTH, months[m]);
                utfall_table_set_text(t, r, c0 + CI_EVENT, cr->key[e]);
                utfall_table_set_text(t, r, c0 + CI_EVENT_HUMAN, cr->label[e]);
                const double v[] = {pt.cum_inc, pt.se, pt.ci_low, pt.ci_high,
                                    (double)pt.n_risk, (double)pt.n_event};
                for (int j = 0; j < 6; j++)
                    utfall_table_set_num(t, r, c0 + CI_CUM_INC + j, v[j]);
            }
    utfall_table_add_note(t, utfall_tr(run->lang, "note.cuminc.event"));
    utfall_table_add_note(t, utfall_tr(run->lang, "note.cuminc.method"));
    utfall_doc_add(run->doc, t);
    return UTFALL_OK;
}

enum { GR_EVENT, GR_EVENT_HUMAN, GR_CHI2, GR_DF, GR_P };

static const utfall_colspec gray_columns[] = {
    [GR_EVENT] = {"event", NULL, UTFALL_COL_TEXT, 0, UTFALL_COLF_MACHINE_ONLY, {0}, 0},
    [GR_EVENT_HUMAN] = {"event", NULL, UTFALL_COL_TEXT, 0, UTFALL_COLF_HUMAN_ONLY, {0}, 0},
    [GR_CHI2] = {"chi2", NULL, UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [GR_DF] = {"df", NULL, UTFALL_COL_COUNT, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
    [GR_P] = {"p_value", NULL, UTFALL_COL_PVALUE, 3, 0, {0}, 0},
};

/* Gray's test of each event over the members (with their strata or not);
 * one row each, with the group values of stratum rep (none: total rows). */
static utfall_status gray_rows(struct horizon_run *run, struct competing_run *cr,
                               utfall_table *t, int c0, long rep, int stratified)
{
    const struct members *m = &cr->m;
    for (int e = 0; e < 2; e++) {
        utfall_gray g;
        utfall_status st = utfall_gray_test(m->n, m->time, m->event, 2, e + 1, m->group,
                                            (int)(run->nlevels ? run->nlevels : 1),
                                            stratified ? m->stratum : NULL,
                                            (int)(run->nstrata ? run->nstrata : 1), &g, run->err);
        if (st)
            return st;
        int r = utfall_table_add_row(t, rep < 0 ? UTFALL_ROW_TOTAL : UTFALL_ROW_GROUP);
        if (rep >= 0)
            horizon_set_group(t, r, run, (size_t)rep, run->nby, run->nkeys);
        utfall_table_set_text(t, r, c0 + GR_EVENT, cr->key[e]);
        utfall_table_set_text(t, r, c0 + GR_EVENT_HUMAN, cr->label[e]);
        utfall_table_set_num(t, r, c0 + GR_CHI2, g.tested ? g.chisq : NAN);
        utfall_table_set_num(t, r, c0 + GR_DF, g.tested ? g.df : NAN);
        utfall_table_set_num(t, r, c0 + GR_P, g.tested ? g.p_value : NAN);
    }
    return UTFALL_OK;
}

/* gray: per stratum (one total row without --strata); gray_stratified:
 * over the strata whose values are stated, each with its own baseline. */
static utfall_status gray_sections(struct horizon_run *run, struct competing_run *cr)
{
    int strata = run->nkeys > run->nby;
    utfall_status st = UTFALL_OK;
    for (int stratified = 0; stratified <= strata && !st; stratified++) {
        utfall_table *t = utfall_table_new(stratified ? "gray_stratified" : "gray",
                                           UTFALL_TABLE_ROWS);
        if (!t)
            return horizon_nomem(run->err);
        utfall_table_set_title(t, utfall_tr(run->lang, stratified ? "title.gray_stratified"
                                                                  : "title.gray"));
        if (!stratified)
            horizon_group_columns(t, run, run->nby);
        int c0 = ADD_COLUMNS(t, gray_columns);
        utfall_table_derived_from(t, "rows");
        for (size_t s = 0; s < run->nstrata && !st && !stratified; s++) {
            horizon_members(run, MEMBERS_STRATUM, s, run->cr_time, run->cr_status, &cr->m);
            st = gray_rows(run, cr, t, c0, strata ? (long)run->stratum_rep[s] : -1, 0);
        }
        if (stratified) {
            horizon_members(run, MEMBERS_STRATIFIED, 0, run->cr_time, run->cr_status, &cr->m);
            st = gray_rows(run, cr, t, c0, -1, 1);
        }
        utfall_table_add_note(t, utfall_tr(run->lang, stratified ? "note.gray_stratified"
                                                                 : "note.gray"));
        if (st)
            utfall_table_free(t);
        else
            utfall_doc_add(run->doc, t);
    }
    return st;
}

utfall_status horizon_competing_sections(struct horizon_run *run)
{
    struct competing_run cr = {0};
    utfall_status st = competing_times(run, &cr);
    if (!st)
        st = cuminc_section(run, &cr);
    if (!st)
        st = gray_sections(run, &cr);
    competing_free(&cr);
    return st;
}
