/* --cox: the Cox model of the time to the first success on the --by
 * group (reference --ref), the --adjust covariates in the same model, and
 * with --strata a baseline hazard of its own in each stratum. */
#include "analysis/horizon_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COX_REF, COX_HR, COX_HR_LOW, COX_HR_HIGH, COX_P, COX_N, COX_EVENTS, COX_CONVERGED,
       COX_STATE, COX_STATE_HUMAN };

static const utfall_colspec cox_columns[] = {
    [COX_REF] = {"ref", NULL, UTFALL_COL_TEXT, 0, 0, {0}, 0},
    [COX_HR] = {"hazard_ratio", NULL, UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [COX_HR_LOW] = {"hr_ci_low", "col.ci_low", UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [COX_HR_HIGH] = {"hr_ci_high", "col.ci_high", UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [COX_P] = {"p_value", NULL, UTFALL_COL_PVALUE, 3, 0, {0}, 0},
    [COX_N] = {"n", "col.used", UTFALL_COL_COUNT, 0, 0, {0}, 0},
    [COX_EVENTS] = {"events", NULL, UTFALL_COL_COUNT, 0, 0, {0}, 0},
    [COX_CONVERGED] = {"converged", NULL, UTFALL_COL_BOOL, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
    [COX_STATE] = {"estimate", NULL, UTFALL_COL_TEXT, 0, UTFALL_COLF_MACHINE_ONLY, {0}, 0},
    [COX_STATE_HUMAN] = {"estimate", NULL, UTFALL_COL_TEXT, 0, UTFALL_COLF_HUMAN_ONLY, {0}, 0},
};

enum { CT_TERM, CT_HR, CT_HR_LOW, CT_HR_HIGH, CT_P, CT_STATE, CT_STATE_HUMAN };

static const utfall_colspec cox_term_columns[] = {
    [CT_TERM] = {"term", NULL, UTFALL_COL_TEXT, 0, 0, {0}, 0},
    [CT_HR] = {"hazard_ratio", NULL, UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [CT_HR_LOW] = {"hr_ci_low", "col.ci_low", UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [CT_HR_HIGH] = {"hr_ci_high", "col.ci_high", UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [CT_P] = {"p_value", NULL, UTFALL_COL_PVALUE, 3, 0, {0}, 0},
    [CT_STATE] = {"estimate", NULL, UTFALL_COL_TEXT, 0, UTFALL_COLF_MACHINE_ONLY, {0}, 0},
    [CT_STATE_HUMAN] = {"estimate", NULL, UTFALL_COL_TEXT, 0, UTFALL_COLF_HUMAN_ONLY, {0}, 0},
};

struct cox_run {
    struct horizon_model m;
    int *stratum;        /* participant → stratum; −1 left out (a stratum not stated) */
    utfall_cox_fit *fit;
    utfall_table *t, *terms;
    int c0, t0;
};

static void cox_run_free(struct cox_run *x)
{
    horizon_model_free(&x->m);
    free(x->stratum);
    utfall_cox_free(x->fit);
    utfall_table_free(x->t);
    utfall_table_free(x->terms);
}

/* The hazard ratio, its interval and p in four columns from c_hr; the
 * state in two from c_state.  Only an OK estimate gives numbers. */
static void set_hr(utfall_table *t, int r, int c_hr, int c_state, const utfall_cox_coef *co,
                   utfall_lang lang)
{
    int ok = co && co->state == UTFALL_COEF_OK && isfinite(co->se);
    utfall_table_set_num(t, r, c_hr, ok ? co->hazard_ratio : NAN);
    utfall_table_set_num(t, r, c_hr + 1, ok ? co->hr_low : NAN);
    utfall_table_set_num(t, r, c_hr + 2, ok ? co->hr_high : NAN);
    utfall_table_set_num(t, r, c_hr + 3, ok ? co->p_value : NAN);
    const char *state = !co ? "none"
                        : co->state == UTFALL_COEF_OK && !ok
                            ? horizon_coef_state_key(UTFALL_COEF_UNRELIABLE)
                            : horizon_coef_state_key(co->state);
    horizon_set_state(t, r, c_state, state, lang);
}

static utfall_status cox_tables(const struct horizon_run *run, struct cox_run *x)
{
    utfall_lang lang = run->lang;
    x->t = utfall_table_new("cox", UTFALL_TABLE_ROWS);
    x->terms = utfall_table_new("cox_terms", UTFALL_TABLE_ROWS);
    if (!x->t || !x->terms)
        return horizon_nomem(run->err);
    utfall_table_add_group_column(x->t, utfall_grouper_key_name(run->g, 0), lang);
    x->c0 = VERSUS_REF_COLUMNS(x->t, run, "title.cox", cox_columns);
    utfall_table_set_title(x->terms, utfall_tr(lang, "title.cox_terms"));
    x->t0 = ADD_COLUMNS(x->terms, cox_term_columns);
    /* the participants of the rows table; n and events are counts of their own */
    utfall_table_derived_from(x->t, "rows");
    utfall_table_set_local_protection(x->t);
    utfall_table_derived_from(x->terms, "rows");
    return UTFALL_OK;
}

/* The model and its fit over the participants with a stated group, every
 * covariate and (with --strata) stated strata. */
static utfall_status cox_fit(const struct horizon_run *run, struct cox_run *x)
{
    const struct cohort *c = &run->c;
    int strata = run->nkeys > run->nby;
    x->stratum = malloc((c->np ? c->np : 1) * sizeof *x->stratum);
    if (!x->stratum)
        return horizon_nomem(run->err);
    utfall_status st = horizon_model_build(run, &x->m, 0, 0);
    for (size_t i = 0; i < c->np && !st; i++) {
        int s = run->stratum_of[c->p[i].group];
        x->stratum[i] = !strata ? 0 : run->stratum_stated[s] ? s : -1;
    }
    if (!st)
        st = utfall_cox_fit_design(x->m.d, run->km_time, run->km_event, x->stratum,
                                   run->opt->level, &x->fit, run->err);
    if (st == UTFALL_ERR_DATA) {
        /* nobody with every value: a table without estimates, and a warning */
        horizon_warn(run->opt, UTFALL_EC_COX_NO_ROWS, "--cox: no model could be fitted: %s",
                     run->err->text);
        utfall_error_clear(run->err);
        st = UTFALL_OK;
    }
    return st;
}

static void cox_warn(const struct horizon_run *run, const struct cox_run *x)
{
    const utfall_cox_fit *fit = x->fit;
    if (fit && !fit->converged)
        horizon_warn(run->opt, UTFALL_EC_COX_TROUBLE,
                     "--cox: the fit did not converge in 30 iterations; no estimate is given");
    else if (fit && (fit->n_infinite || fit->n_unreliable))
        horizon_warn(run->opt, UTFALL_EC_COX_TROUBLE,
                     "--cox: some hazard ratios are 0 or infinite (a group with no success, "
                     "or one that succeeds before all others) or cannot be estimated; they "
                     "are not given (see the column estimate)");
    for (size_t j = 0; fit && j < fit->p; j++)
        if (fit->coef[j].state == UTFALL_COEF_ALIASED)
            horizon_warn(run->opt, UTFALL_EC_ADJUST_ALIASED,
                         "--cox: the model column '%s' is a linear combination of the others "
                         "(or has no rows) and is left out",
                         utfall_design_column_name(x->m.d, j));
}

static void cox_rows(const struct horizon_run *run, struct cox_run *x)
{
    const utfall_cox_fit *fit = x->fit;
    long events = 0;
    for (size_t i = 0; fit && i < run->c.np; i++)
        events += fit->used[i] && run->km_event[i];
    for (int l = 0; l < x->m.nlev; l++) {
        if (l == x->m.ref)
            continue;
        int r = utfall_table_add_row(x->t, UTFALL_ROW_GROUP);
        utfall_table_set_text(x->t, r, 0, x->m.lev[l]);
        utfall_table_set_text(x->t, r, x->c0 + COX_REF, run->opt->ref);
        utfall_table_set_num(x->t, r, x->c0 + COX_N, fit ? (double)fit->n_used : 0);
        utfall_table_set_num(x->t, r, x->c0 + COX_EVENTS, (double)events);
        utfall_table_set_num(x->t, r, x->c0 + COX_CONVERGED, fit && fit->converged);
        set_hr(x->t, r, x->c0 + COX_HR, x->c0 + COX_STATE,
               fit ? &fit->coef[horizon_model_column(&x->m, l)] : NULL, run->lang);
    }
    for (size_t j = 0; fit && j < fit->p; j++) {
        int r = utfall_table_add_row(x->terms, UTFALL_ROW_GROUP);
        utfall_table_set_text(x->terms, r, x->t0 + CT_TERM,
                              utfall_design_column_name(x->m.d, j));
        set_hr(x->terms, r, x->t0 + CT_HR, x->t0 + CT_STATE, &fit->coef[j], run->lang);
    }
}

static void cox_notes(const struct horizon_run *run, struct cox_run *x)
{
    utfall_lang lang = run->lang;
    char covs[512] = "", note[1024], level[64];
    for (size_t k = 0; k < run->ncov; k++) {
        size_t len = strlen(covs);
        snprintf(covs + len, sizeof covs - len, ", %s", run->cv[k].name);
    }
    snprintf(note, sizeof note, utfall_tr(lang, "note.cox.model"),
             utfall_grouper_key_name(run->g, 0), run->opt->ref, covs);
    utfall_table_add_note(x->t, note);
    if (run->nkeys > run->nby) {
        snprintf(note, sizeof note, utfall_tr(lang, "note.cox.strata"), run->opt->strata);
        utfall_table_add_note(x->t, note);
    }
    utfall_fmt_percent(lang, run->opt->level, 0, level, sizeof level);
    snprintf(note, sizeof note, utfall_tr(lang, "note.cox.hr"), level);
    utfall_table_add_note(x->t, note);
    utfall_table_add_note(x->t, utfall_tr(lang, "note.cox.excluded"));
    utfall_table_add_note(x->terms, utfall_tr(lang, "note.cox_terms"));
}

utfall_status horizon_cox_section(struct horizon_run *run)
{
    struct cox_run x = {0};
    horizon_type_covariates(run);
    utfall_status st = cox_tables(run, &x);
    if (!st)
        st = cox_fit(run, &x);
    if (!st) {
        cox_warn(run, &x);
        cox_rows(run, &x);
        cox_notes(run, &x);
        utfall_doc_add(run->doc, x.t);
        utfall_doc_add(run->doc, x.terms);
        x.t = x.terms = NULL;
    }
    cox_run_free(&x);
    return st;
}
