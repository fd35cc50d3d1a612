/* The evaluator's methods against R (reference_evaluator.R): stratified
 * log-rank, cumulative incidence and Gray's test, Cox with Efron's ties,
 * Mantel–Haenszel and cluster-robust logistic regression.  Every number to
 * 6 significant digits (relative difference below 5e-7); the largest
 * difference met is printed.
 * usage: test_evaluator DIR logrank|cuminc|gray|cox|mh|cluster|errors */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tsv.h"
#include "utfall/utfall.h"

static double max_rel;
static long n_values;

/* got within 5e-7 of want, relatively (1e-12 absolutely for zeros); NaN
 * matches NaN, infinities must match. */
static void near(const char *what, const char *where, double got, double want)
{
    checks_run++;
    n_values++;
    if (isnan(want) || isinf(want)) {
        int same = isnan(want) ? isnan(got) : got == want;
        if (!same)
            check_fail("%s %s: got %.15g, R has %.15g", where, what, got, want);
        return;
    }
    double diff = fabs(got - want), rel = want != 0 ? diff / fabs(want) : diff;
    if (want != 0 && rel > max_rel)
        max_rel = rel;
    if (!(diff <= 5e-7 * fabs(want) || diff <= 1e-12))
        check_fail("%s %s: got %.15g, R has %.15g (relative %.2g)", where, what, got, want, rel);
}

/* One case of ev_data.tsv. */
struct ev_case {
    const char *name;
    int k, s;
    size_t n;
    double *time, *x;
    int *status, *event, *group, *stratum, *sex;
};

static tsv *loaded[2];

static struct ev_case *load(const char *dir, size_t *ncases)
{
    tsv *meta = tsv_read(dir, "ev_cases.tsv"), *d = tsv_read(dir, "ev_data.tsv");
    struct ev_case *cs = calloc(meta->n_rows, sizeof *cs);
    for (size_t c = 0; c < meta->n_rows; c++) {
        struct ev_case *e = &cs[c];
        e->name = tsv_str(meta, c, "case");
        e->k = (int)tsv_num(meta, c, "n_groups");
        e->s = (int)tsv_num(meta, c, "n_strata");
        size_t n = d->n_rows;
        e->time = malloc(n * sizeof *e->time);
        e->x = malloc(n * sizeof *e->x);
        e->status = malloc(n * sizeof *e->status);
        e->event = malloc(n * sizeof *e->event);
        e->group = malloc(n * sizeof *e->group);
        e->stratum = malloc(n * sizeof *e->stratum);
        e->sex = malloc(n * sizeof *e->sex);
        for (size_t r = 0; r < n; r++) {
            if (strcmp(tsv_str(d, r, "case"), e->name))
                continue;
            e->time[e->n] = tsv_num(d, r, "time");
            e->status[e->n] = (int)tsv_num(d, r, "status");
            e->event[e->n] = e->status[e->n] == 1;
            e->group[e->n] = (int)tsv_num(d, r, "group");
            e->stratum[e->n] = (int)tsv_num(d, r, "stratum");
            e->x[e->n] = tsv_num(d, r, "x");
            e->sex[e->n] = (int)tsv_num(d, r, "sex");
            e->n++;
        }
    }
    *ncases = meta->n_rows;
    loaded[0] = meta; /* the case names point into it */
    loaded[1] = d;
    return cs;
}

static void unload(struct ev_case *cs, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        free(cs[c].time);
        free(cs[c].x);
        free(cs[c].status);
        free(cs[c].event);
        free(cs[c].group);
        free(cs[c].stratum);
        free(cs[c].sex);
    }
    free(cs);
    tsv_free(loaded[0]);
    tsv_free(loaded[1]);
}

static const struct ev_case *find(const struct ev_case *cs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cs[i].name, name))
            return &cs[i];
    fprintf(stderr, "test setup: no case %s\n", name);
    exit(99);
}

static void run_logrank(const char *dir, const struct ev_case *cs, size_t nc)
{
    tsv *ex = tsv_read(dir, "ev_logrank_strata.tsv");
    for (size_t r = 0; r < ex->n_rows; r++) {
        const struct ev_case *c = find(cs, nc, tsv_str(ex, r, "case"));
        utfall_logrank lr;
        utfall_error err;
        utfall_error_clear(&err);
        if (utfall_logrank_test_stratified(c->n, c->time, c->event, c->group, c->k, c->stratum,
                                           c->s, &lr, NULL, NULL, &err)) {
            check_fail("%s: %s", c->name, err.text);
            continue;
        }
        check_int("tested", c->name, lr.tested, (long)tsv_num(ex, r, "tested"));
        check_int("df", c->name, lr.df, (long)tsv_num(ex, r, "df"));
        near("chisq", c->name, lr.chisq, tsv_num(ex, r, "chisq"));
        near("p_value", c->name, lr.p_value, tsv_num(ex, r, "p_value"));
    }
    tsv_free(ex);
}

static void run_cuminc(const char *dir, const struct ev_case *cs, size_t nc)
{
    tsv *ex = tsv_read(dir, "ev_cuminc.tsv");
    utfall_cuminc *fit = NULL;
    const struct ev_case *fitted = NULL;
    for (size_t r = 0; r < ex->n_rows; r++) {
        const struct ev_case *c = find(cs, nc, tsv_str(ex, r, "case"));
        utfall_error err;
        utfall_error_clear(&err);
        if (c != fitted) {
            utfall_cuminc_free(fit);
            fitted = c;
            if (utfall_cuminc_fit(c->n, c->time, c->status, 2, c->group, c->k, 0.95, &fit, &err)) {
                check_fail("%s: %s", c->name, err.text);
                return;
            }
        }
        int g = (int)tsv_num(ex, r, "group"), cause = (int)tsv_num(ex, r, "cause");
        double t = tsv_num(ex, r, "t");
        utfall_cuminc_point p;
        utfall_cuminc_at(fit, g, cause, t, &p, &err);
        char where[256];
        snprintf(where, sizeof where, "%s group %d cause %d t %g", c->name, g, cause, t);
        near("cum_inc", where, p.cum_inc, tsv_num(ex, r, "cum_inc"));
        near("se", where, p.se, tsv_num(ex, r, "se"));
        near("ci_low", where, p.ci_low, tsv_num(ex, r, "ci_low"));
        near("ci_high", where, p.ci_high, tsv_num(ex, r, "ci_high"));
    }
    utfall_cuminc_free(fit);
    tsv_free(ex);
}

static void run_gray(const char *dir, const struct ev_case *cs, size_t nc)
{
    tsv *ex = tsv_read(dir, "ev_gray.tsv");
    for (size_t r = 0; r < ex->n_rows; r++) {
        const struct ev_case *c = find(cs, nc, tsv_str(ex, r, "case"));
        int cause = (int)tsv_num(ex, r, "cause"), strat = (int)tsv_num(ex, r, "stratified");
        utfall_gray gt;
        utfall_error err;
        utfall_error_clear(&err);
        if (utfall_gray_test(c->n, c->time, c->status, 2, cause, c->group, c->k,
                             strat ? c->stratum : NULL, c->s, &gt, &err)) {
            check_fail("%s: %s", c->name, err.text);
            continue;
        }
        char where[256];
        snprintf(where, sizeof where, "%s cause %d%s", c->name, cause, strat ? " stratified" : "");
        check_int("tested", where, gt.tested, (long)tsv_num(ex, r, "tested"));
        check_int("df", where, gt.df, (long)tsv_num(ex, r, "df"));
        near("chisq", where, gt.chisq, tsv_num(ex, r, "chisq"));
        near("p_value", where, gt.p_value, tsv_num(ex, r, "p_value"));
    }
    tsv_free(ex);
}

/* Columns g1..g(k-1), then x and sex when adjusted. */
static double *cox_matrix(const struct ev_case *c, int adjust, size_t *p)
{
    *p = (size_t)c->k - 1 + (adjust ? 2 : 0);
    double *X = calloc(c->n * *p, sizeof *X);
    for (size_t i = 0; i < c->n; i++) {
        if (c->group[i] > 0)
            X[i * *p + (size_t)c->group[i] - 1] = 1;
        if (adjust) {
            X[i * *p + (size_t)c->k - 1] = c->x[i];
            X[i * *p + (size_t)c->k] = c->sex[i];
        }
    }
    return X;
}

static size_t cox_term(const struct ev_case *c, const char *term)
{
    if (term[0] == 'g')
        return (size_t)atoi(term + 1) - 1;
    return (size_t)c->k - 1 + (strcmp(term, "x") ? 1 : 0);
}

static void check_cox_row(const tsv *ex, size_t r, const utfall_cox_coef *co, const char *where)
{
    const char *state = tsv_str(ex, r, "state");
    if (!strcmp(state, "infinite")) {
        check_int("state infinite", where, co->state, UTFALL_COEF_INFINITE);
        near("estimate", where, co->estimate, tsv_num(ex, r, "estimate") > 0 ? INFINITY : -INFINITY);
        return;
    }
    check_int("state ok", where, co->state, UTFALL_COEF_OK);
    near("estimate", where, co->estimate, tsv_num(ex, r, "estimate"));
    near("se", where, co->se, tsv_num(ex, r, "se"));
    near("p_value", where, co->p_value, tsv_num(ex, r, "p_value"));
    near("hazard_ratio", where, co->hazard_ratio, tsv_num(ex, r, "hazard_ratio"));
    near("hr_low", where, co->hr_low, tsv_num(ex, r, "hr_low"));
    near("hr_high", where, co->hr_high, tsv_num(ex, r, "hr_high"));
}

static void run_cox(const char *dir, const struct ev_case *cs, size_t nc)
{
    tsv *ex = tsv_read(dir, "ev_cox.tsv");
    for (size_t r = 0; r < ex->n_rows; r++) {
        const struct ev_case *c = find(cs, nc, tsv_str(ex, r, "case"));
        int strat = (int)tsv_num(ex, r, "stratified"), adjust = (int)tsv_num(ex, r, "adjust");
        size_t p;
        double *X = cox_matrix(c, adjust, &p);
        utfall_cox_fit *fit;
        utfall_error err;
        utfall_error_clear(&err);
        if (utfall_cox_fit_matrix(c->n, p, X, c->time, c->event, strat ? c->stratum : NULL, 0.95,
                                  &fit, &err)) {
            check_fail("%s: %s", c->name, err.text);
            free(X);
            continue;
        }
        const char *term = tsv_str(ex, r, "term");
        char where[256];
        snprintf(where, sizeof where, "%s%s%s %s", c->name, strat ? " stratified" : "",
                 adjust ? " adjusted" : "", term);
        check_int("converged", where, fit->converged, 1);
        check_cox_row(ex, r, &fit->coef[cox_term(c, term)], where);
        utfall_cox_free(fit);
        free(X);
    }
    tsv_free(ex);
}

static void run_mh(const char *dir)
{
    tsv *ex = tsv_read(dir, "ev_mh.tsv"), *d = tsv_read(dir, "ev_mh_data.tsv");
    for (size_t r = 0; r < ex->n_rows; r++) {
        const char *name = tsv_str(ex, r, "case");
        utfall_mh_stratum s[64];
        size_t k = 0;
        for (size_t i = 0; i < d->n_rows && k < 64; i++)
            if (!strcmp(tsv_str(d, i, "case"), name))
                s[k++] = (utfall_mh_stratum){(long)tsv_num(d, i, "x1"), (long)tsv_num(d, i, "n1"),
                                             (long)tsv_num(d, i, "x0"), (long)tsv_num(d, i, "n0")};
        utfall_mh_result m;
        utfall_error err;
        utfall_error_clear(&err);
        if (utfall_mantel_haenszel(s, k, 0.95, &m, &err)) {
            check_fail("%s: %s", name, err.text);
            continue;
        }
        check_int("strata_used", name, (long)m.strata_used, (long)tsv_num(ex, r, "strata_used"));
        check_int("cmh_strata", name, (long)m.cmh_strata, (long)tsv_num(ex, r, "cmh_strata"));
        static const char *const keys[] = {"risk_diff", "risk_diff_low", "risk_diff_high",
                                           "risk_ratio", "risk_ratio_low", "risk_ratio_high",
                                           "cmh_chi2", "cmh_p_value"};
        const double got[] = {m.risk_diff, m.risk_diff_low, m.risk_diff_high, m.risk_ratio,
                              m.risk_ratio_low, m.risk_ratio_high, m.cmh_chi2, m.cmh_p_value};
        for (size_t j = 0; j < sizeof keys / sizeof *keys; j++)
            near(keys[j], name, got[j], tsv_num(ex, r, keys[j]));
    }
    tsv_free(ex);
    tsv_free(d);
}

static void run_cluster(const char *dir)
{
    tsv *ex = tsv_read(dir, "ev_cluster.tsv"), *d = tsv_read(dir, "ev_cluster_data.tsv");
    for (size_t r = 0; r < ex->n_rows; r++) {
        const char *name = tsv_str(ex, r, "case");
        size_t n = 0, p = 4;
        double *X = malloc(d->n_rows * p * sizeof *X), *y = malloc(d->n_rows * sizeof *y);
        long *cl = malloc(d->n_rows * sizeof *cl);
        for (size_t i = 0; i < d->n_rows; i++) {
            if (strcmp(tsv_str(d, i, "case"), name))
                continue;
            int g = (int)tsv_num(d, i, "group");
            double row[4] = {1, g == 1, g == 2, tsv_num(d, i, "x")};
            memcpy(X + n * p, row, sizeof row);
            y[n] = tsv_num(d, i, "y");
            cl[n++] = (long)tsv_num(d, i, "cluster");
        }
        utfall_logit_fit *fit;
        utfall_error err;
        utfall_error_clear(&err);
        if (utfall_logit_fit_matrix(n, p, X, y, 0.95, &fit, &err)
            || utfall_logit_cluster(fit, X, y, cl, &err)) {
            check_fail("%s: %s", name, err.text);
        } else {
            const char *term = tsv_str(ex, r, "term");
            size_t j = !strcmp(term, "(Intercept)") ? 0 : !strcmp(term, "g1") ? 1
                       : !strcmp(term, "g2")        ? 2 : 3;
            char where[256];
            snprintf(where, sizeof where, "%s %s", name, term);
            const utfall_logit_coef *co = &fit->coef[j];
            near("estimate", where, co->estimate, tsv_num(ex, r, "estimate"));
            near("se", where, co->se, tsv_num(ex, r, "se"));
            near("p_value", where, co->p_value, tsv_num(ex, r, "p_value"));
            near("odds_ratio", where, co->odds_ratio, tsv_num(ex, r, "odds_ratio"));
            near("or_low", where, co->or_low, tsv_num(ex, r, "or_low"));
            near("or_high", where, co->or_high, tsv_num(ex, r, "or_high"));
            utfall_logit_free(fit);
        }
        free(X);
        free(y);
        free(cl);
    }
    tsv_free(ex);
    tsv_free(d);
}

/* Bad input comes back as a value naming the row. */
static void run_errors(void)
{
    double t[3] = {1, -2, 3};
    int st[3] = {1, 0, 2}, g[3] = {0, 1, 0}, s[3] = {0, 0, 5};
    utfall_cuminc *ci = NULL;
    utfall_error err;
    utfall_error_clear(&err);
    check_int("negative time", "cuminc",
              utfall_cuminc_fit(3, t, st, 2, g, 2, 0.95, &ci, &err), UTFALL_ERR_DATA);
    check_int("record", "cuminc", err.record, 2);
    t[1] = 2;
    utfall_gray gt;
    utfall_error_clear(&err);
    check_int("stratum out of range", "gray",
              utfall_gray_test(3, t, st, 2, 1, g, 2, s, 2, &gt, &err), UTFALL_ERR_DATA);
    check_int("record", "gray", err.record, 3);
    utfall_logrank lr;
    utfall_error_clear(&err);
    check_int("stratum out of range", "logrank",
              utfall_logrank_test_stratified(3, t, st, g, 2, s, 2, &lr, NULL, NULL, &err),
              UTFALL_ERR_DATA);
    utfall_mh_stratum bad = {5, 4, 0, 3};
    utfall_mh_result m;
    check_int("x above n", "mantel_haenszel", utfall_mantel_haenszel(&bad, 1, 0.95, &m, &err) != 0, 1);
    check_int("no strata", "mantel_haenszel", utfall_mantel_haenszel(NULL, 0, 0.95, &m, &err), 0);
    check_int("no strata: nothing", "mantel_haenszel", isnan(m.risk_diff) && !m.cmh_tested, 1);
    utfall_cox_fit *fit = NULL;
    double X[3] = {0, 1, NAN};
    int ev[3] = {1, 0, 1};
    check_int("cox one row missing", "cox",
              utfall_cox_fit_matrix(3, 1, X, t, ev, NULL, 0.95, &fit, &err), 0);
    check_int("cox n_used", "cox", (long)fit->n_used, 2);
    utfall_cox_free(fit);
    int ev2[3] = {1, 2, 1};
    check_int("cox event 2", "cox",
              utfall_cox_fit_matrix(3, 1, X, t, ev2, NULL, 0.95, &fit, &err), UTFALL_ERR_DATA);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_evaluator DIR logrank|cuminc|gray|cox|mh|cluster|errors\n");
        return 99;
    }
    utfall_init();
    size_t nc;
    struct ev_case *cs = load(argv[1], &nc);
    const char *what = argv[2];
    if (!strcmp(what, "logrank"))
        run_logrank(argv[1], cs, nc);
    else if (!strcmp(what, "cuminc"))
        run_cuminc(argv[1], cs, nc);
    else if (!strcmp(what, "gray"))
        run_gray(argv[1], cs, nc);
    else if (!strcmp(what, "cox"))
        run_cox(argv[1], cs, nc);
    else if (!strcmp(what, "mh"))
        run_mh(argv[1]);
    else if (!strcmp(what, "cluster"))
        run_cluster(argv[1]);
    else if (!strcmp(what, "errors"))
        run_errors();
    else
        return 99;
    unload(cs, nc);
    printf("%ld values compared with R; largest relative difference %.3g\n", n_values, max_rel);
    return checks_report(what);
}
