/* Logistic regression and standardised shares against R glm() (see
 * reference.R).  logit_states.tsv (hand-written, not from R) says which
 * coefficients must come back INFINITE or UNRELIABLE instead of R's huge
 * numbers.  usage: test_logit DIR fit|std|errors */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tsv.h"
#include "utfall/utfall.h"

static const char *const level_names[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

/* Build the design of one case from its spec ("group:f:3:1 age:n"). */
static utfall_design *build(const tsv *data, const char *name, const char *spec, double **y_out,
                            int *std_term, const char *std_name)
{
    size_t n = 0;
    size_t *rows = malloc(data->n_rows * sizeof *rows);
    for (size_t r = 0; r < data->n_rows; r++)
        if (strcmp(tsv_str(data, r, "case"), name) == 0)
            rows[n++] = r;
    utfall_design *d;
    utfall_error err;
    utfall_error_clear(&err);
    if (utfall_design_new(n, 1, &d, &err) != UTFALL_OK)
        exit(99);
    double *y = malloc(n * sizeof *y), *v = malloc(n * sizeof *v);
    int *lev = malloc(n * sizeof *lev);
    for (size_t i = 0; i < n; i++)
        y[i] = tsv_num(data, rows[i], "y");
    char *s = strdup(spec);
    for (char *tok = strtok(s, " "); tok; tok = strtok(NULL, " ")) {
        char term[64], kind[8];
        int k = 0, ref = 0;
        if (sscanf(tok, "%63[^:]:%7[^:]:%d:%d", term, kind, &k, &ref) < 2)
            exit(99);
        for (size_t i = 0; i < n; i++) {
            v[i] = tsv_num(data, rows[i], term);
            lev[i] = isnan(v[i]) ? -1 : (int)v[i];
        }
        utfall_status st;
        if (kind[0] == 'f') {
            int t;
            st = utfall_design_add_factor(d, term, lev, k, ref, level_names, &t, &err);
            if (strcmp(term, std_name) == 0)
                *std_term = t;
        } else {
            st = utfall_design_add_numeric(d, term, v, &err);
        }
        if (st != UTFALL_OK) {
            fprintf(stderr, "%s: %s\n", name, err.text);
            exit(99);
        }
    }
    free(s);
    free(v);
    free(lev);
    free(rows);
    *y_out = y;
    return d;
}

static utfall_coef_state expected_state(const tsv *states, const char *name, const char *term)
{
    for (size_t r = 0; r < states->n_rows; r++)
        if (strcmp(tsv_str(states, r, "case"), name) == 0 &&
            strcmp(tsv_str(states, r, "term"), term) == 0) {
            const char *s = tsv_str(states, r, "state");
            if (strcmp(s, "infinite") == 0)
                return UTFALL_COEF_INFINITE;
            if (strcmp(s, "unreliable") == 0)
                return UTFALL_COEF_UNRELIABLE;
        }
    return UTFALL_COEF_OK;
}

/* Levels whose standardised se must be missing: listed in logit_states.tsv
 * as term "std:LEVEL", state "no-se". */
static int expected_se_missing(const tsv *states, const char *name, int level)
{
    char key[32];
    snprintf(key, sizeof key, "std:%d", level);
    for (size_t r = 0; r < states->n_rows; r++)
        if (strcmp(tsv_str(states, r, "case"), name) == 0 &&
            strcmp(tsv_str(states, r, "term"), key) == 0)
            return 1;
    return 0;
}

static void check_fit(const char *dir, const tsv *data, const tsv *cases, int std_mode)
{
    tsv *fx = tsv_read(dir, "logit_fit_expected.tsv");
    tsv *cx = tsv_read(dir, "logit_coef_expected.tsv");
    tsv *sx = tsv_read(dir, "logit_std_expected.tsv");
    tsv *states = tsv_read(dir, "logit_states.tsv");
    for (size_t c = 0; c < cases->n_rows; c++) {
        const char *name = tsv_str(cases, c, "case");
        const char *std_name = tsv_str(cases, c, "std");
        double *y;
        int std_term = -1;
        utfall_design *d = build(data, name, tsv_str(cases, c, "spec"), &y, &std_term, std_name);
        utfall_logit_fit *fit;
        utfall_error err;
        utfall_error_clear(&err);
        if (utfall_logit_fit_design(d, y, 0.95, &fit, &err) != UTFALL_OK) {
            check_fail("%s: utfall_logit_fit_design: %s", name, err.text);
            continue;
        }
        int any_infinite = fit->n_infinite > 0;
        if (!std_mode) {
            for (size_t r = 0; r < fx->n_rows; r++) {
                if (strcmp(tsv_str(fx, r, "case"), name) != 0)
                    continue;
                check_int("n", name, (long)fit->n_used, (long)tsv_num(fx, r, "n"));
                check_int("converged", name, fit->converged, (long)tsv_num(fx, r, "converged"));
                check_int("fitted_01", name, fit->fitted_01, (long)tsv_num(fx, r, "fitted_01"));
                check_int("iterations", name, fit->iterations,
                          (long)tsv_num(fx, r, "iterations"));
                check_int("rank", name, (long)fit->rank, (long)tsv_num(fx, r, "rank"));
                check_num("null_deviance", name, fit->null_deviance,
                          tsv_num(fx, r, "null_deviance"));
                if (!fit->separation) {
                    /* under separation the deviance is ~1e-9: noise */
                    check_num("deviance", name, fit->deviance, tsv_num(fx, r, "deviance"));
                    check_num("aic", name, fit->aic, tsv_num(fx, r, "aic"));
                }
            }
            for (size_t r = 0; r < cx->n_rows; r++) {
                if (strcmp(tsv_str(cx, r, "case"), name) != 0)
                    continue;
                const char *term = tsv_str(cx, r, "term");
                size_t j = 0;
                while (j < fit->p && strcmp(utfall_design_column_name(d, j), term) != 0)
                    j++;
                char where[256];
                snprintf(where, sizeof where, "%s %s", name, term);
                if (j == fit->p) {
                    check_fail("%s: no such column", where);
                    continue;
                }
                const utfall_logit_coef *k = &fit->coef[j];
                double want = tsv_num(cx, r, "estimate");
                utfall_coef_state ws =
                    isnan(want) ? UTFALL_COEF_ALIASED : expected_state(states, name, term);
                check_int("state", where, k->state, ws);
                if (ws == UTFALL_COEF_ALIASED) {
                    check_num("estimate", where, k->estimate, NAN);
                    check_num("glm_estimate", where, k->glm_estimate, NAN);
                    continue;
                }
                if (!fit->separation || ws == UTFALL_COEF_OK) {
                    /* glm's own numbers.  Under separation they are reproduced
                     * too (estimates to 1e-6 in these cases, se to ~1e-5), but
                     * they depend on rounding and are not checked */
                    check_num("glm_estimate", where, k->glm_estimate, want);
                    check_num("glm_se", where, k->glm_se, tsv_num(cx, r, "se"));
                }
                if (ws == UTFALL_COEF_OK) {
                    check_num("estimate", where, k->estimate, want);
                    check_num("se", where, k->se, tsv_num(cx, r, "se"));
                    check_num("z", where, k->z, tsv_num(cx, r, "z"));
                    check_num("p_value", where, k->p_value, tsv_num(cx, r, "p_value"));
                    check_num("odds_ratio", where, k->odds_ratio, tsv_num(cx, r, "odds_ratio"));
                    check_num("or_low", where, k->or_low, tsv_num(cx, r, "or_low"));
                    check_num("or_high", where, k->or_high, tsv_num(cx, r, "or_high"));
                } else if (ws == UTFALL_COEF_INFINITE) {
                    /* the direction R was heading in */
                    check_num("estimate", where, k->estimate, want > 0 ? INFINITY : -INFINITY);
                    check_num("odds_ratio", where, k->odds_ratio, want > 0 ? INFINITY : 0.0);
                    check_num("se", where, k->se, NAN);
                    check_num("p_value", where, k->p_value, NAN);
                } else {
                    check_num("estimate", where, k->estimate, NAN);
                    check_num("se", where, k->se, NAN);
                    check_num("odds_ratio", where, k->odds_ratio, NAN);
                }
            }
            check_int("separation flag", name, fit->separation,
                      fit->n_infinite > 0 || fit->n_unreliable > 0);
            /* R drops levels no row has; here their column is aliased */
            for (size_t j = 0; j < fit->p; j++) {
                const char *cn = utfall_design_column_name(d, j);
                int in_r = 0;
                for (size_t r = 0; r < cx->n_rows && !in_r; r++)
                    in_r = strcmp(tsv_str(cx, r, "case"), name) == 0 &&
                           strcmp(tsv_str(cx, r, "term"), cn) == 0;
                if (!in_r)
                    check_int(cn, "column R dropped is aliased", fit->coef[j].state,
                              UTFALL_COEF_ALIASED);
            }
        } else if (std_term >= 0) {
            int L = utfall_design_term_levels(d, std_term);
            utfall_logit_std *st = calloc((size_t)L, sizeof *st);
            if (utfall_logit_standardize(fit, d, std_term, st, &err) != UTFALL_OK) {
                check_fail("%s: utfall_logit_standardize: %s", name, err.text);
            }
            for (int l = 0; l < L; l++) {
                int in_r = 0;
                for (size_t r = 0; r < sx->n_rows && !in_r; r++)
                    in_r = strcmp(tsv_str(sx, r, "case"), name) == 0 &&
                           (int)tsv_num(sx, r, "level") == l;
                if (!in_r) {
                    check_int("level R dropped is not estimable", name, st[l].estimable, 0);
                    check_num("level R dropped has no share", name, st[l].share, NAN);
                }
            }
            for (size_t r = 0; r < sx->n_rows; r++) {
                if (strcmp(tsv_str(sx, r, "case"), name) != 0)
                    continue;
                int l = (int)tsv_num(sx, r, "level");
                char where[256];
                snprintf(where, sizeof where, "%s level %d", name, l);
                /* an infinite coefficient enters as its limit (p = 0 exactly)
                 * where R has p ~ 1e-9: compare those absolutely */
                double slack = any_infinite ? 1e-7 : 0.0;
                double want_share = tsv_num(sx, r, "share"), want_diff = tsv_num(sx, r, "diff");
                int want_est = fit->n_unreliable == 0;
                check_int("estimable", where, st[l].estimable, want_est);
                if (!want_est) {
                    check_num("share", where, st[l].share, NAN);
                    check_num("se", where, st[l].se, NAN);
                    continue;
                }
                if (!(fabs(st[l].share - want_share) <= slack))
                    check_num("share", where, st[l].share, want_share);
                if (!(fabs(st[l].diff - want_diff) <= slack))
                    check_num("diff", where, st[l].diff, want_diff);
                int want_se = !(any_infinite && expected_se_missing(states, name, l));
                check_int("se_estimable", where, st[l].se_estimable, want_se);
                if (want_se) {
                    check_num("se", where, st[l].se, tsv_num(sx, r, "se"));
                    check_num("low", where, st[l].low, tsv_num(sx, r, "low"));
                    check_num("high", where, st[l].high, tsv_num(sx, r, "high"));
                } else {
                    check_num("se", where, st[l].se, NAN);
                }
            }
            free(st);
        }
        utfall_logit_free(fit);
        utfall_design_free(d);
        free(y);
    }
    tsv_free(fx);
    tsv_free(cx);
    tsv_free(sx);
    tsv_free(states);
}

static void run_errors(void)
{
    utfall_design *d;
    utfall_logit_fit *fit = NULL;
    utfall_error err;
    utfall_error_clear(&err);
    double y[] = {0, 1, 2, 1};
    int lev[] = {0, 1, 0, 3};
    check_int("new", "errors", utfall_design_new(4, 1, &d, &err), UTFALL_OK);
    check_int("bad level", "errors",
              utfall_design_add_factor(d, "g", lev, 2, 0, NULL, NULL, &err), UTFALL_ERR_DATA);
    check_int("bad level record", "errors", err.record, 4);
    lev[3] = -1;
    check_int("bad reference", "errors",
              utfall_design_add_factor(d, "g", lev, 2, 2, NULL, NULL, &err), UTFALL_ERR_USAGE);
    int term = -1;
    check_int("factor", "errors", utfall_design_add_factor(d, "g", lev, 2, 0, NULL, &term, &err),
              UTFALL_OK);
    check_int("term", "errors", term, 0);
    check_int("name", "errors", strcmp(utfall_design_column_name(d, 1), "g1"), 0);
    check_int("cols", "errors", (long)utfall_design_cols(d), 2);
    check_num("missing level is NaN", "errors", utfall_design_matrix(d)[3 * 2 + 1], NAN);
    double inf[] = {1, INFINITY, 2, 3};
    check_int("infinite covariate", "errors", utfall_design_add_numeric(d, "x", inf, &err),
              UTFALL_ERR_DATA);
    check_int("bad y", "errors", utfall_logit_fit_design(d, y, 0.95, &fit, &err),
              UTFALL_ERR_DATA);
    check_int("bad y record", "errors", err.record, 3);
    check_int("no fit on error", "errors", fit == NULL, 1);
    double ynan[] = {NAN, NAN, NAN, 1};
    check_int("no rows", "errors", utfall_logit_fit_design(d, ynan, 0.95, &fit, &err),
              UTFALL_ERR_DATA);
    check_int("no rows code", "errors", strcmp(err.code, "no-rows"), 0);
    utfall_design_free(d);

    /* all outcomes equal: the intercept alone is infinite, nothing loops */
    double y0[] = {0, 0, 0, 0, 0, 0};
    double x[] = {1, 2, 3, 4, 5, 6};
    check_int("new", "errors", utfall_design_new(6, 1, &d, &err), UTFALL_OK);
    check_int("numeric", "errors", utfall_design_add_numeric(d, "x", x, &err), UTFALL_OK);
    check_int("constant y fit", "errors", utfall_logit_fit_design(d, y0, 0.95, &fit, &err),
              UTFALL_OK);
    check_int("constant y separation", "errors", fit->separation, 1);
    check_int("constant y intercept", "errors", fit->coef[0].state, UTFALL_COEF_INFINITE);
    check_num("constant y intercept sign", "errors", fit->coef[0].estimate, -INFINITY);
    utfall_logit_free(fit);
    utfall_design_free(d);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s DIR fit|std|errors\n", argv[0]);
        return 99;
    }
    utfall_init();
    if (strcmp(argv[2], "errors") == 0) {
        run_errors();
        return checks_report("logit errors");
    }
    tsv *data = tsv_read(argv[1], "logit_data.tsv");
    tsv *cases = tsv_read(argv[1], "logit_cases.tsv");
    check_fit(argv[1], data, cases, strcmp(argv[2], "std") == 0);
    tsv_free(data);
    tsv_free(cases);
    return checks_report(argv[2]);
}
