#include "analysis/horizon_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/logistic.h"

/* ------------------------------------------------------------ --adjust */

/* The model of the adjusted section and what one month's fit leaves for
 * its tables. */
struct adjust_run {
    struct horizon_model m;
    double *y;              /* at the month: success, NaN when censored or left out */
    long censored, missed;  /* at the month */
    utfall_logit_fit *fit;  /* at the month; NULL when there was nothing to fit */
    utfall_logit_std *std;  /* at the month: standardised shares by level */
    int any_trouble;        /* some month had no fit, or one that failed */
    utfall_table *t, *terms;
    int c0, t0;             /* the first column of adjusted_columns, term_columns */
};

static void adjust_free(struct adjust_run *a)
{
    utfall_table_free(a->t);
    utfall_table_free(a->terms);
    utfall_logit_free(a->fit);
    horizon_model_free(&a->m);
    free(a->y);
    free(a->std);
}

static utfall_status adjust_alloc(const struct horizon_run *run, struct adjust_run *a)
{
    size_t ng = run->ng ? run->ng : 1, np = run->c.np ? run->c.np : 1;
    a->std = calloc(ng, sizeof *a->std);
    a->y = malloc(np * sizeof *a->y);
    if (!a->std || !a->y)
        return horizon_nomem(run->err);
    return horizon_model_build(run, &a->m, 1, 1);
}

enum { ADJ_REF, ADJ_MONTH, ADJ_OR, ADJ_OR_LOW, ADJ_OR_HIGH, ADJ_P, ADJ_DIFF, ADJ_DIFF_LOW,
       ADJ_DIFF_HIGH, ADJ_N, ADJ_CENSORED, ADJ_MISSING, ADJ_CONVERGED, ADJ_SE_TYPE,
       ADJ_CLUSTERS, ADJ_STATE, ADJ_STATE_HUMAN };

static const utfall_colspec adjusted_columns[] = {
    [ADJ_REF] = {"ref", NULL, UTFALL_COL_TEXT, 0, 0, {0}, 0},
    [ADJ_MONTH] = {"month", NULL, UTFALL_COL_COUNT, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
    [ADJ_OR] = {"odds_ratio", NULL, UTFALL_COL_NUMBER, 2, 0, {"n"}, 0},
    [ADJ_OR_LOW] = {"or_ci_low", "col.ci_low", UTFALL_COL_NUMBER, 2, 0, {"n"}, 0},
    [ADJ_OR_HIGH] = {"or_ci_high", "col.ci_high", UTFALL_COL_NUMBER, 2, 0, {"n"}, 0},
    [ADJ_P] = {"p_value", NULL, UTFALL_COL_PVALUE, 3, 0, {"n"}, 0},
    [ADJ_DIFF] = {"adjusted_diff", NULL, UTFALL_COL_PP, 1, 0, {"n"}, 0},
    [ADJ_DIFF_LOW] = {"adjusted_diff_ci_low", "col.ci_low", UTFALL_COL_PP, 1, 0, {"n"}, 0},
    [ADJ_DIFF_HIGH] = {"adjusted_diff_ci_high", "col.ci_high", UTFALL_COL_PP, 1, 0, {"n"}, 0},
    [ADJ_N] = {"n", "col.used", UTFALL_COL_COUNT, 0, 0, {0}, 0},
    [ADJ_CENSORED] = {"censored", NULL, UTFALL_COL_COUNT, 0, 0, {0}, 0},
    [ADJ_MISSING] = {"missing", NULL, UTFALL_COL_COUNT, 0, 0, {0}, 0},
    [ADJ_CONVERGED] = {"converged", NULL, UTFALL_COL_BOOL, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
    [ADJ_SE_TYPE] = {"se_type", NULL, UTFALL_COL_TEXT, 0, UTFALL_COLF_MACHINE_ONLY, {0}, 0},
    [ADJ_CLUSTERS] = {"clusters", NULL, UTFALL_COL_COUNT, 0,
                      UTFALL_COLF_MACHINE_ONLY | UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
    [ADJ_STATE] = {"estimate", NULL, UTFALL_COL_TEXT, 0, UTFALL_COLF_MACHINE_ONLY, {0}, 0},
    [ADJ_STATE_HUMAN] = {"estimate", NULL, UTFALL_COL_TEXT, 0, UTFALL_COLF_HUMAN_ONLY, {0}, 0},
};

enum { TERM_MONTH, TERM_NAME, TERM_OR, TERM_OR_LOW, TERM_OR_HIGH, TERM_P, TERM_STATE,
       TERM_STATE_HUMAN };

static const utfall_colspec term_columns[] = {
    [TERM_MONTH] = {"month", NULL, UTFALL_COL_COUNT, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
    [TERM_NAME] = {"term", NULL, UTFALL_COL_TEXT, 0, 0, {0}, 0},
    [TERM_OR] = {"odds_ratio", NULL, UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [TERM_OR_LOW] = {"or_ci_low", "col.ci_low", UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [TERM_OR_HIGH] = {"or_ci_high", "col.ci_high", UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [TERM_P] = {"p_value", NULL, UTFALL_COL_PVALUE, 3, 0, {0}, 0},
    [TERM_STATE] = {"estimate", NULL, UTFALL_COL_TEXT, 0, UTFALL_COLF_MACHINE_ONLY, {0}, 0},
    [TERM_STATE_HUMAN] = {"estimate", NULL, UTFALL_COL_TEXT, 0, UTFALL_COLF_HUMAN_ONLY, {0}, 0},
};

/* adjusted: one row per --by level but the reference and month;
 * adjusted_terms: every term of each model, as summary(glm) lists them. */
static utfall_status adjusted_tables(const struct horizon_run *run, struct adjust_run *a)
{
    utfall_lang lang = run->lang;
    a->t = utfall_table_new("adjusted", UTFALL_TABLE_ROWS);
    a->terms = utfall_table_new("adjusted_terms", UTFALL_TABLE_ROWS);
    if (!a->t || !a->terms)
        return horizon_nomem(run->err);
    utfall_table_add_group_column(a->t, utfall_grouper_key_name(run->g, 0), lang);
    a->c0 = VERSUS_REF_COLUMNS(a->t, run, "title.adjusted", adjusted_columns);
    utfall_table_set_title(a->terms, utfall_tr(lang, "title.adjusted_terms"));
    a->t0 = ADD_COLUMNS(a->terms, term_columns);
    /* models of the same participants as the rows table: nothing of them
     * is shown where a count of it is hidden (utfall/protect.h) */
    utfall_table_set_local_protection(a->t);
    utfall_table_derived_from(a->t, "rows");
    utfall_table_derived_from(a->terms, "rows");
    return UTFALL_OK;
}

/* The outcome at the month: success for those observed, NaN (left out of
 * the fit) for the censored. */
static void month_outcomes(const struct horizon_run *run, struct adjust_run *a, size_t m)
{
    const struct cohort *c = &run->c;
    a->censored = a->missed = 0;
    for (size_t i = 0; i < c->np; i++) {
        const struct participant *p = &c->p[i];
        utfall_date at = utfall_date_add_months(p->start, run->opt->months[m]);
        if (at > p->end) {
            a->censored++;
            a->y[i] = NAN;
        } else {
            a->missed += a->m.missing[i];
            /* left out: no level, covariate or cluster (a design NaN is
             * not enough for the cluster, which is not in the design) */
            a->y[i] = a->m.missing[i] ? NAN : horizon_success_at(c, i, at, run->opt->success);
        }
    }
}

static utfall_status fit_month(const struct horizon_run *run, struct adjust_run *a, size_t m)
{
    const utfall_horizon_options *opt = run->opt;
    utfall_error *err = run->err;
    utfall_logit_free(a->fit);
    a->fit = NULL;
    utfall_status st = utfall_logit_fit_design(a->m.d, a->y, opt->level, &a->fit, err);
    if (st == UTFALL_ERR_NOMEM)
        return horizon_nomem(err);
    if (st) {
        /* no participant observed with every value: no fit to report */
        horizon_warn(opt, UTFALL_EC_ADJUST_NO_ROWS, "--adjust: no fit at month %d: %s",
                    opt->months[m], err->text);
        utfall_error_clear(err);
        utfall_logit_free(a->fit);
        a->fit = NULL;
        a->any_trouble = 1;
        return UTFALL_OK;
    }
    if (opt->cluster && (st = utfall_logit_cluster(a->fit, utfall_design_matrix(a->m.d), a->y,
                                                   a->m.cluster, err)))
        return st;
    return utfall_logit_standardize(a->fit, a->m.d, a->m.term, a->std, err);
}

static int fit_converged(const utfall_logit_fit *fit)
{
    return fit && fit->converged && !fit->separation;
}

static void warn_fit(const struct horizon_run *run, struct adjust_run *a, size_t m)
{
    const utfall_horizon_options *opt = run->opt;
    const utfall_logit_fit *fit = a->fit;
    if (!fit)
        return;
    if (!fit_converged(fit)) {
        a->any_trouble = 1;
        horizon_warn(opt, UTFALL_EC_ADJUST_SEPARATION,
                    "--adjust: the fit at month %d %s; the estimates affected are not "
                    "given (see the column estimate)",
                    opt->months[m],
                    !fit->converged && !fit->separation
                        ? "did not converge in 25 iterations"
                        : "has perfect separation: a group or covariate predicts the "
                          "outcome exactly, so some odds ratios are 0 or infinite");
    }
    for (size_t j = 0; fit->n_aliased && j < utfall_design_cols(a->m.d); j++)
        if (fit->coef[j].state == UTFALL_COEF_ALIASED)
            horizon_warn(opt, UTFALL_EC_ADJUST_ALIASED,
                        "--adjust: at month %d the model column '%s' is a linear "
                        "combination of the others (or has no rows) and is left out",
                        opt->months[m], utfall_design_column_name(a->m.d, j));
}

/* An OK coefficient left with no information (the rows that an infinite
 * one sets aside were all there was) has no interval: it is shown as
 * unreliable, and, as for every unreliable estimate, nothing of it is
 * given; "none" when there was no fit. */
static const char *coef_state(const utfall_logit_coef *co)
{
    if (!co)
        return "none";
    int ok = co->state == UTFALL_COEF_OK && isfinite(co->se) && co->or_low > 0
             && isfinite(co->or_high);
    return horizon_coef_state_key(co->state == UTFALL_COEF_OK && !ok ? UTFALL_COEF_UNRELIABLE
                                                                     : co->state);
}

/* The odds ratio, its interval and p-value in the four columns from c_or,
 * and the estimate's state in the machine and human columns from c_state;
 * co NULL when there was no fit. */
static void set_coef(utfall_table *t, int r, int c_or, int c_state, const utfall_logit_coef *co,
                     utfall_lang lang)
{
    int ok = !strcmp(coef_state(co), "ok");
    utfall_table_set_num(t, r, c_or, ok ? co->odds_ratio : NAN);
    utfall_table_set_num(t, r, c_or + 1, ok ? co->or_low : NAN);
    utfall_table_set_num(t, r, c_or + 2, ok ? co->or_high : NAN);
    utfall_table_set_num(t, r, c_or + 3, ok ? co->p_value : NAN);
    horizon_set_state(t, r, c_state, coef_state(co), lang);
}

static void term_rows(const struct horizon_run *run, struct adjust_run *a, size_t m)
{
    utfall_table *t = a->terms;
    for (size_t j = 0; a->fit && j < utfall_design_cols(a->m.d); j++) {
        int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
        utfall_table_set_num(t, r, a->t0 + TERM_MONTH, run->opt->months[m]);
        utfall_table_set_text(t, r, a->t0 + TERM_NAME, utfall_design_column_name(a->m.d, j));
        set_coef(t, r, a->t0 + TERM_OR, a->t0 + TERM_STATE, &a->fit->coef[j], run->lang);
    }
}

static void adjusted_rows(const struct horizon_run *run, struct adjust_run *a, size_t m)
{
    const utfall_horizon_options *opt = run->opt;
    const utfall_logit_fit *fit = a->fit;
    utfall_table *t = a->t;
    int c0 = a->c0;
    for (int l = 0; l < a->m.nlev; l++) {
        if (l == a->m.ref)
            continue;
        int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
        utfall_table_set_text(t, r, 0, a->m.lev[l]);
        utfall_table_set_text(t, r, c0 + ADJ_REF, opt->ref);
        utfall_table_set_num(t, r, c0 + ADJ_MONTH, opt->months[m]);
        utfall_table_set_num(t, r, c0 + ADJ_N, fit ? (double)fit->n_used : 0);
        utfall_table_set_num(t, r, c0 + ADJ_CENSORED, (double)a->censored);
        utfall_table_set_num(t, r, c0 + ADJ_MISSING, (double)a->missed);
        utfall_table_set_num(t, r, c0 + ADJ_CONVERGED, fit_converged(fit));
        utfall_table_set_text(t, r, c0 + ADJ_SE_TYPE, opt->cluster ? "cluster" : "model");
        utfall_table_set_num(t, r, c0 + ADJ_CLUSTERS,
                             opt->cluster && fit ? (double)fit->n_clusters : NAN);
        /* the level's column of the --by factor; the reference has none */
        const utfall_logit_coef *co = fit ? &fit->coef[horizon_model_column(&a->m, l)] : NULL;
        set_coef(t, r, c0 + ADJ_OR, c0 + ADJ_STATE, co, run->lang);
        /* one rule: unreliable gives nothing; infinite gives the
         * difference (from the limits 0 or 1) without an interval */
        const char *state = coef_state(co);
        int est = fit && a->std[l].estimable && strcmp(state, "unreliable");
        int se_est = est && a->std[l].se_estimable;
        utfall_table_set_num(t, r, c0 + ADJ_DIFF, est ? a->std[l].diff : NAN);
        utfall_table_set_num(t, r, c0 + ADJ_DIFF_LOW, se_est ? a->std[l].low : NAN);
        utfall_table_set_num(t, r, c0 + ADJ_DIFF_HIGH, se_est ? a->std[l].high : NAN);
    }
}

static utfall_status adjust_month(const struct horizon_run *run, struct adjust_run *a, size_t m)
{
    month_outcomes(run, a, m);
    utfall_status st = fit_month(run, a, m);
    if (st)
        return st;
    warn_fit(run, a, m);
    term_rows(run, a, m);
    adjusted_rows(run, a, m);
    return UTFALL_OK;
}

/* The definition under the table; both tables go to the document. */
static void adjusted_notes(const struct horizon_run *run, struct adjust_run *a)
{
    utfall_lang lang = run->lang;
    char covs[512] = "", note[1024], level[64];
    for (size_t k = 0; k < run->ncov; k++) {
        size_t len = strlen(covs);
        snprintf(covs + len, sizeof covs - len, "%s%s (%s)", k ? ", " : "", run->cv[k].name,
                 utfall_tr(lang, run->cv[k].numeric ? "adjust.numeric" : "adjust.categorical"));
    }
    snprintf(note, sizeof note, utfall_tr(lang, "note.adjusted.model"),
             utfall_grouper_key_name(run->g, 0), run->opt->ref, covs);
    utfall_table_add_note(a->t, note);
    utfall_fmt_percent(lang, run->opt->level, 0, level, sizeof level);
    snprintf(note, sizeof note, utfall_tr(lang, "note.adjusted.or"), level);
    utfall_table_add_note(a->t, note);
    utfall_table_add_note(a->t, utfall_tr(lang, "note.adjusted.std"));
    utfall_table_add_note(a->t, utfall_tr(lang, "note.adjusted.excluded"));
    if (run->opt->cluster) {
        snprintf(note, sizeof note, utfall_tr(lang, "note.adjusted.cluster"), run->opt->cluster);
        utfall_table_add_note(a->t, note);
    }
    if (a->any_trouble)
        utfall_table_add_note(a->t, utfall_tr(lang, "note.adjusted.separation"));
    utfall_doc_add(run->doc, a->t);
    a->t = NULL;
    utfall_table_add_note(a->terms, utfall_tr(lang, "note.adjusted_terms"));
    utfall_doc_add(run->doc, a->terms);
    a->terms = NULL;
}

/* One logistic regression per horizon of success on the --by group
 * (reference --ref) and the covariates, over the participants observed at
 * that month with every value given; sections adjusted and adjusted_terms. */
utfall_status horizon_adjusted_section(struct horizon_run *run)
{
    struct adjust_run a = {0};
    horizon_type_covariates(run);
    utfall_status st = adjust_alloc(run, &a);
    if (!st)
        st = adjusted_tables(run, &a);
    for (size_t m = 0; m < run->opt->nmonths && !st; m++)
        st = adjust_month(run, &a, m);
    if (!st)
        adjusted_notes(run, &a);
    adjust_free(&a);
    return st;
}

