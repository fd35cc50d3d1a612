#include "analysis/horizon_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/logistic.h"

/* ------------------------------------------------------------ --adjust */

static const char *const derived_keys[] = {"fil", "inskriven_ar", "inskriven_kvartal",
                                           "aldersgrupp", "status"};

/* Numbers enter the model linearly, everything else as indicators: the
 * canonical numeric fields, and an extra column whose every value given is
 * a number (as R's read.csv would type it). */
static int covariate_is_numeric(const struct covariate *c, char *const *vals, size_t np,
                                size_t ncov, size_t k)
{
    for (size_t i = 0; i < sizeof derived_keys / sizeof derived_keys[0]; i++)
        if (!strcmp(c->name, derived_keys[i]))
            return 0;
    int f = utfall_field_lookup(c->name);
    if (f == UTFALL_F_ALDER || f == UTFALL_F_FODELSEAR || f == UTFALL_F_TIMMAR_FORE
        || f == UTFALL_F_TIMMAR_EFTER)
        return 1;
    if (f >= 0)
        return 0;
    size_t given = 0;
    for (size_t i = 0; i < np; i++) {
        const char *v = vals[i * ncov + k];
        double d;
        if (!*v)
            continue;
        if (utfall_number_parse(v, &d) || !isfinite(d))
            return 0;
        given++;
    }
    return given > 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void adjust_warn(const utfall_horizon_options *opt, utfall_error_code code, const char *fmt, ...)
    UTFALL_PRINTF(3, 4);
static void adjust_warn(const utfall_horizon_options *opt, utfall_error_code code, const char *fmt, ...)
{
    if (!opt->diag)
        return;
    utfall_error w;
    utfall_error_clear(&w);
    va_list ap;
    va_start(ap, fmt);
    utfall_error_vset(&w, UTFALL_OK, code, fmt, ap);
    va_end(ap);
    w.severity = UTFALL_SEV_WARNING;
    opt->diag(opt->diag_ctx, &w);
}

static const char *coef_state_key(utfall_coef_state s)
{
    switch (s) {
    case UTFALL_COEF_OK:
        return "ok";
    case UTFALL_COEF_ALIASED:
        return "aliased";
    case UTFALL_COEF_INFINITE:
        return "infinite";
    case UTFALL_COEF_UNRELIABLE:
        return "unreliable";
    }
    return "";
}

/* Values that are not finite numbers are missing. */
static utfall_status add_numeric_covariate(utfall_design *d, const char *name, char *const *vals,
                                           size_t np, size_t ncov, size_t k,
                                           unsigned char *missing, utfall_error *err)
{
    double *v = malloc((np ? np : 1) * sizeof *v);
    if (!v)
        return horizon_nomem(err);
    for (size_t i = 0; i < np; i++) {
        const char *s = vals[i * ncov + k];
        if (!*s || utfall_number_parse(s, &v[i]) || !isfinite(v[i])) {
            v[i] = NAN;
            missing[i] = 1;
        }
    }
    utfall_status rc = utfall_design_add_numeric(d, name, v, err);
    free(v);
    return rc;
}

/* Adds a factor (levels: the distinct values given, in byte order; the
 * first is the reference, as R's factor() in the C locale) or a numeric
 * column for covariate k; *missing[i] is set for rows without a value. */
static utfall_status add_covariate(utfall_design *d, const struct covariate *c, char *const *vals,
                                   size_t np, size_t ncov, size_t k, unsigned char *missing,
                                   utfall_error *err)
{
    if (c->numeric)
        return add_numeric_covariate(d, c->name, vals, np, ncov, k, missing, err);
    const char **sorted = malloc((np ? np : 1) * sizeof *sorted);
    int *level = malloc((np ? np : 1) * sizeof *level);
    if (!sorted || !level) {
        free(sorted);
        free(level);
        return horizon_nomem(err);
    }
    size_t nl = 0;
    for (size_t i = 0; i < np; i++)
        if (*vals[i * ncov + k])
            sorted[nl++] = vals[i * ncov + k];
    if (nl == 0) {
        /* no value at all: every row is missing, and the fit says so */
        free(sorted);
        free(level);
        return add_numeric_covariate(d, c->name, vals, np, ncov, k, missing, err);
    }
    qsort(sorted, nl, sizeof *sorted, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < nl; i++)
        if (!u || strcmp(sorted[u - 1], sorted[i]))
            sorted[u++] = sorted[i];
    for (size_t i = 0; i < np; i++) {
        const char *s = vals[i * ncov + k];
        const char **hit = *s ? bsearch(&s, sorted, u, sizeof *sorted, cmp_str) : NULL;
        level[i] = hit ? (int)(hit - sorted) : -1;
        if (!hit)
            missing[i] = 1;
    }
    utfall_status rc = utfall_design_add_factor(d, c->name, level, (int)u, 0, sorted, NULL, err);
    free(sorted);
    free(level);
    return rc;
}

/* The model of the adjusted section and what one month's fit leaves for
 * its tables. */
struct adjust_run {
    const char **lev;       /* the --by levels in display order */
    int nlev, ref;          /* ref: the level of --ref */
    long *level_of_group;   /* grouper group → level; -1 for "not stated" */
    int *level;             /* participant → level */
    unsigned char *missing; /* participant without a level or a covariate value */
    utfall_design *d;
    int term;               /* the --by factor in d */
    double *y;              /* at the month: success, NaN when censored */
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
    utfall_design_free(a->d);
    free(a->lev);
    free(a->level_of_group);
    free(a->level);
    free(a->missing);
    free(a->y);
    free(a->std);
}

static utfall_status adjust_alloc(const struct horizon_run *run, struct adjust_run *a)
{
    size_t ng = run->ng ? run->ng : 1, np = run->c.np ? run->c.np : 1;
    a->lev = malloc(ng * sizeof *a->lev);
    a->level_of_group = malloc(ng * sizeof *a->level_of_group);
    a->std = calloc(ng, sizeof *a->std);
    a->level = malloc(np * sizeof *a->level);
    a->missing = calloc(np, 1);
    a->y = malloc(np * sizeof *a->y);
    if (!a->lev || !a->level_of_group || !a->std || !a->level || !a->missing || !a->y)
        return horizon_nomem(run->err);
    return UTFALL_OK;
}

/* The --by levels in display order; "not stated" is missing, not a level. */
static utfall_status adjust_levels(const struct horizon_run *run, struct adjust_run *a)
{
    for (size_t k = 0; k < run->ng; k++) {
        const char *v = utfall_grouper_value(run->g, run->order[k], 0);
        int l = -1;
        for (int j = 0; j < a->nlev && l < 0; j++)
            if (!strcmp(a->lev[j], v))
                l = j;
        if (l < 0 && *v) {
            l = a->nlev;
            a->lev[a->nlev++] = v;
        }
        a->level_of_group[run->order[k]] = l;
    }
    a->ref = -1;
    for (int j = 0; j < a->nlev; j++)
        if (!strcmp(a->lev[j], run->opt->ref))
            a->ref = j;
    return a->ref < 0 ? horizon_unknown_ref(run) : UTFALL_OK;
}

/* The intercept, the --by factor (reference --ref) and the covariates. */
static utfall_status adjust_design(const struct horizon_run *run, struct adjust_run *a)
{
    const struct cohort *c = &run->c;
    utfall_error *err = run->err;
    for (size_t i = 0; i < c->np; i++) {
        a->level[i] = (int)a->level_of_group[c->p[i].group];
        a->missing[i] = a->level[i] < 0;
    }
    utfall_status st = utfall_design_new(c->np, 1, &a->d, err);
    if (!st)
        st = utfall_design_add_factor(a->d, utfall_grouper_key_name(run->g, 0), a->level,
                                      a->nlev, a->ref, a->lev, &a->term, err);
    for (size_t k = 0; k < run->ncov && !st; k++)
        st = add_covariate(a->d, &run->cv[k], c->cov, c->np, run->ncov, k, a->missing, err);
    return st;
}

enum { ADJ_REF, ADJ_MONTH, ADJ_OR, ADJ_OR_LOW, ADJ_OR_HIGH, ADJ_P, ADJ_DIFF, ADJ_DIFF_LOW,
       ADJ_DIFF_HIGH, ADJ_N, ADJ_CENSORED, ADJ_MISSING, ADJ_CONVERGED, ADJ_STATE,
       ADJ_STATE_HUMAN };

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
    char title[256];
    snprintf(title, sizeof title, utfall_tr(lang, "title.adjusted"), run->opt->ref);
    utfall_table_set_title(a->t, title);
    utfall_table_add_group_column(a->t, utfall_grouper_key_name(run->g, 0), lang);
    a->c0 = ADD_COLUMNS(a->t, adjusted_columns);
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
            a->missed += a->missing[i];
            a->y[i] = horizon_success_at(c, i, at, run->opt->success);
        }
    }
}

static utfall_status fit_month(const struct horizon_run *run, struct adjust_run *a, size_t m)
{
    const utfall_horizon_options *opt = run->opt;
    utfall_error *err = run->err;
    utfall_logit_free(a->fit);
    a->fit = NULL;
    utfall_status st = utfall_logit_fit_design(a->d, a->y, opt->level, &a->fit, err);
    if (st == UTFALL_ERR_NOMEM)
        return horizon_nomem(err);
    if (st) {
        /* no participant observed with every value: no fit to report */
        adjust_warn(opt, UTFALL_EC_ADJUST_NO_ROWS, "--adjust: no fit at month %d: %s",
                    opt->months[m], err->text);
        utfall_error_clear(err);
        utfall_logit_free(a->fit);
        a->fit = NULL;
        a->any_trouble = 1;
        return UTFALL_OK;
    }
    return utfall_logit_standardize(a->fit, a->d, a->term, a->std, err);
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
        adjust_warn(opt, UTFALL_EC_ADJUST_SEPARATION,
                    "--adjust: the fit at month %d %s; the estimates affected are not "
                    "given (see the column estimate)",
                    opt->months[m],
                    !fit->converged && !fit->separation
                        ? "did not converge in 25 iterations"
                        : "has perfect separation: a group or covariate predicts the "
                          "outcome exactly, so some odds ratios are 0 or infinite");
    }
    for (size_t j = 0; fit->n_aliased && j < utfall_design_cols(a->d); j++)
        if (fit->coef[j].state == UTFALL_COEF_ALIASED)
            adjust_warn(opt, UTFALL_EC_ADJUST_ALIASED,
                        "--adjust: at month %d the model column '%s' is a linear "
                        "combination of the others (or has no rows) and is left out",
                        opt->months[m], utfall_design_column_name(a->d, j));
}

/* The odds ratio, its interval and p-value in the four columns from c_or,
 * and the estimate's state in the machine and human columns from c_state;
 * co NULL when there was no fit. */
static void set_coef(utfall_table *t, int r, int c_or, int c_state, const utfall_logit_coef *co,
                     utfall_lang lang)
{
    /* an OK coefficient left with no information (the rows that an
     * infinite one sets aside were all there was) has no interval */
    int ok = co && co->state == UTFALL_COEF_OK && isfinite(co->se) && co->or_low > 0
             && isfinite(co->or_high);
    utfall_table_set_num(t, r, c_or, ok ? co->odds_ratio : NAN);
    utfall_table_set_num(t, r, c_or + 1, ok ? co->or_low : NAN);
    utfall_table_set_num(t, r, c_or + 2, ok ? co->or_high : NAN);
    utfall_table_set_num(t, r, c_or + 3, ok ? co->p_value : NAN);
    const char *state = !co ? "none"
                        : co->state == UTFALL_COEF_OK && !ok
                            ? coef_state_key(UTFALL_COEF_UNRELIABLE)
                            : coef_state_key(co->state);
    char sk[64];
    snprintf(sk, sizeof sk, "estimate.%s", state);
    utfall_table_set_text(t, r, c_state, state);
    utfall_table_set_text(t, r, c_state + 1, utfall_tr(lang, sk));
}

static void term_rows(const struct horizon_run *run, struct adjust_run *a, size_t m)
{
    utfall_table *t = a->terms;
    for (size_t j = 0; a->fit && j < utfall_design_cols(a->d); j++) {
        int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
        utfall_table_set_num(t, r, a->t0 + TERM_MONTH, run->opt->months[m]);
        utfall_table_set_text(t, r, a->t0 + TERM_NAME, utfall_design_column_name(a->d, j));
        set_coef(t, r, a->t0 + TERM_OR, a->t0 + TERM_STATE, &a->fit->coef[j], run->lang);
    }
}

static void adjusted_rows(const struct horizon_run *run, struct adjust_run *a, size_t m)
{
    const utfall_horizon_options *opt = run->opt;
    const utfall_logit_fit *fit = a->fit;
    utfall_table *t = a->t;
    int c0 = a->c0;
    for (int l = 0; l < a->nlev; l++) {
        if (l == a->ref)
            continue;
        int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
        utfall_table_set_text(t, r, 0, a->lev[l]);
        utfall_table_set_text(t, r, c0 + ADJ_REF, opt->ref);
        utfall_table_set_num(t, r, c0 + ADJ_MONTH, opt->months[m]);
        utfall_table_set_num(t, r, c0 + ADJ_N, fit ? (double)fit->n_used : 0);
        utfall_table_set_num(t, r, c0 + ADJ_CENSORED, (double)a->censored);
        utfall_table_set_num(t, r, c0 + ADJ_MISSING, (double)a->missed);
        utfall_table_set_num(t, r, c0 + ADJ_CONVERGED, fit_converged(fit));
        /* the level's column of the --by factor; the reference has none */
        const utfall_logit_coef *co =
            fit ? &fit->coef[1 + (size_t)(l < a->ref ? l : l - 1)] : NULL;
        set_coef(t, r, c0 + ADJ_OR, c0 + ADJ_STATE, co, run->lang);
        int est = fit && a->std[l].estimable;
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
    for (size_t k = 0; k < run->ncov; k++)
        run->cv[k].numeric = covariate_is_numeric(&run->cv[k], run->c.cov, run->c.np,
                                                  run->ncov, k);
    utfall_status st = adjust_alloc(run, &a);
    if (!st)
        st = adjust_levels(run, &a);
    if (!st)
        st = adjust_design(run, &a);
    if (!st)
        st = adjusted_tables(run, &a);
    for (size_t m = 0; m < run->opt->nmonths && !st; m++)
        st = adjust_month(run, &a, m);
    if (!st)
        adjusted_notes(run, &a);
    adjust_free(&a);
    return st;
}

