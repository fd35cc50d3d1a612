#include "utfall/survival.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats_internal.h"

typedef struct km_obs {
    int stratum;
    double time;
    int event;
    int group;
} km_obs;

typedef struct km_curve {
    size_t n_rows;
    size_t n_events;
    size_t m;          /* distinct times */
    double *time;      /* m each */
    long *n_risk;
    long *cum_event;
    long *cum_censor;
    double *surv;
    double *varhaz;    /* Greenwood: cumulative sum of d / (n (n - d)) */
} km_curve;

struct utfall_km {
    int n_groups;
    double z; /* normal quantile for the confidence level */
    km_curve *curves;
};

static int cmp_obs(const void *a, const void *b)
{
    const km_obs *x = a, *y = b;
    if (x->stratum != y->stratum)
        return x->stratum < y->stratum ? -1 : 1;
    if (x->time < y->time)
        return -1;
    if (x->time > y->time)
        return 1;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    /* events first: a row censored at t was at risk when the events at t happened */
    return y->event - x->event;
}

static utfall_status check_rows(size_t n, const double *time, const int *event, const int *group,
                                int n_groups, utfall_error *err)
{
    if (n_groups < 1)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_SURVIVAL_DATA,
                                "the number of groups must be at least 1, not %d", n_groups);
    if (n > 0 && (!time || !event || !group))
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_SURVIVAL_DATA,
                                "time, event and group arrays are required");
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(time[i]) || time[i] < 0)
            return utfall_row_error(err, i, UTFALL_EC_BAD_SURVIVAL_DATA,
                                    "time %g is not a finite number >= 0", time[i]);
        if (event[i] != 0 && event[i] != 1)
            return utfall_row_error(err, i, UTFALL_EC_BAD_SURVIVAL_DATA,
                                    "event %d is not 0 (censored) or 1 (event)", event[i]);
        if (group[i] < 0 || group[i] >= n_groups)
            return utfall_row_error(err, i, UTFALL_EC_BAD_SURVIVAL_DATA,
                                    "group %d is outside 0..%d", group[i], n_groups - 1);
    }
    return UTFALL_OK;
}

/* The rows sorted by stratum (stratum NULL: one), time, group, events first. */
static km_obs *sorted_obs(size_t n, const double *time, const int *event, const int *group,
                          const int *stratum)
{
    km_obs *obs = malloc((n ? n : 1) * sizeof *obs);
    if (!obs)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        obs[i].stratum = stratum ? stratum[i] : 0;
        obs[i].time = time[i];
        obs[i].event = event[i];
        obs[i].group = group[i];
    }
    qsort(obs, n, sizeof *obs, cmp_obs);
    return obs;
}

static void curve_free(km_curve *c)
{
    free(c->time);
    free(c->n_risk);
    free(c->cum_event);
    free(c->cum_censor);
    free(c->surv);
    free(c->varhaz);
}

void utfall_km_free(utfall_km *km)
{
    if (!km)
        return;
    if (km->curves)
        for (int g = 0; g < km->n_groups; g++)
            curve_free(&km->curves[g]);
    free(km->curves);
    free(km);
}

/* Build group g's curve from all rows sorted by time. */
static int build_curve(km_curve *c, const km_obs *obs, size_t n, int g)
{
    size_t m = 0;
    double last = NAN;
    for (size_t i = 0; i < n; i++) {
        if (obs[i].group != g)
            continue;
        c->n_rows++;
        c->n_events += (size_t)obs[i].event;
        if (m == 0 || obs[i].time != last) {
            m++;
            last = obs[i].time;
        }
    }
    c->m = m;
    if (m == 0)
        return 0;
    c->time = malloc(m * sizeof *c->time);
    c->n_risk = malloc(m * sizeof *c->n_risk);
    c->cum_event = malloc(m * sizeof *c->cum_event);
    c->cum_censor = malloc(m * sizeof *c->cum_censor);
    c->surv = malloc(m * sizeof *c->surv);
    c->varhaz = malloc(m * sizeof *c->varhaz);
    if (!c->time || !c->n_risk || !c->cum_event || !c->cum_censor || !c->surv || !c->varhaz)
        return -1;

    long at_risk = (long)c->n_rows, ev_total = 0, cen_total = 0;
    double s = 1.0, vh = 0.0;
    size_t k = 0, i = 0;
    while (i < n) {
        if (obs[i].group != g) {
            i++;
            continue;
        }
        double t = obs[i].time;
        long d = 0, cens = 0;
        for (; i < n && obs[i].time == t; i++) {
            if (obs[i].group != g)
                continue;
            if (obs[i].event)
                d++;
            else
                cens++;
        }
        c->time[k] = t;
        c->n_risk[k] = at_risk;
        if (d > 0) {
            s *= (double)(at_risk - d) / (double)at_risk;
            /* Greenwood; infinite once everyone at risk has had the event, as in R */
            vh += at_risk > d ? (double)d / ((double)at_risk * (double)(at_risk - d)) : INFINITY;
        }
        ev_total += d;
        cen_total += cens;
        c->cum_event[k] = ev_total;
        c->cum_censor[k] = cen_total;
        c->surv[k] = s;
        c->varhaz[k] = vh;
        at_risk -= d + cens;
        k++;
    }
    return 0;
}

utfall_status utfall_km_fit(size_t n, const double *time, const int *event, const int *group,
                            int n_groups, double conf_level, utfall_km **out, utfall_error *err)
{
    if (!out)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT, "no output pointer");
    *out = NULL;
    utfall_status st = utfall_check_conf_level(conf_level, err);
    if (st == UTFALL_OK)
        st = check_rows(n, time, event, group, n_groups, err);
    if (st != UTFALL_OK)
        return st;

    utfall_km *km = calloc(1, sizeof *km);
    km_obs *obs = sorted_obs(n, time, event, group, NULL);
    if (!km || !obs)
        goto nomem;
    km->n_groups = n_groups;
    km->z = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - conf_level) / 2.0);
    km->curves = calloc((size_t)n_groups, sizeof *km->curves);
    if (!km->curves)
        goto nomem;
    for (int g = 0; g < n_groups; g++)
        if (build_curve(&km->curves[g], obs, n, g) != 0)
            goto nomem;
    free(obs);
    *out = km;
    return UTFALL_OK;
nomem:
    free(obs);
    utfall_km_free(km);
    return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM,
                            "out of memory fitting Kaplan-Meier curves for %zu rows", n);
}

int utfall_km_n_groups(const utfall_km *km)
{
    return km ? km->n_groups : 0;
}

static const km_curve *curve_of(const utfall_km *km, int g)
{
    if (!km || g < 0 || g >= km->n_groups)
        return NULL;
    return &km->curves[g];
}

size_t utfall_km_group_n(const utfall_km *km, int g)
{
    const km_curve *c = curve_of(km, g);
    return c ? c->n_rows : 0;
}

size_t utfall_km_group_events(const utfall_km *km, int g)
{
    const km_curve *c = curve_of(km, g);
    return c ? c->n_events : 0;
}

double utfall_km_group_last_time(const utfall_km *km, int g)
{
    const km_curve *c = curve_of(km, g);
    return c && c->m ? c->time[c->m - 1] : NAN;
}

size_t utfall_km_n_steps(const utfall_km *km, int g)
{
    const km_curve *c = curve_of(km, g);
    return c ? c->m : 0;
}

static void fill_point(const utfall_km *km, const km_curve *c, double t, utfall_km_point *p)
{
    /* k = number of distinct times <= t */
    size_t lo = 0, hi = c->m;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->time[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t k = lo;
    memset(p, 0, sizeof *p);
    p->t = t;
    p->beyond_last = c->m == 0 || t > c->time[c->m - 1];
    /* at risk at t: rows with time >= t, i.e. those at risk at the first time >= t */
    size_t next = (k > 0 && c->time[k - 1] == t) ? k - 1 : k;
    p->n_risk = next < c->m ? c->n_risk[next] : 0;
    double s = 1.0, vh = 0.0;
    if (k > 0) {
        s = c->surv[k - 1];
        vh = c->varhaz[k - 1];
        p->n_event = c->cum_event[k - 1];
        p->n_censor = c->cum_censor[k - 1];
    }
    p->surv = s;
    p->cum_share = 1.0 - s;
    p->se_log_surv = sqrt(vh);
    if (s > 0) {
        p->se_surv = s * p->se_log_surv;
        double ls = log(s);
        p->lower_surv = exp(ls - km->z * p->se_log_surv);
        p->upper_surv = fmin(1.0, exp(ls + km->z * p->se_log_surv));
        p->ci_low = 1.0 - p->upper_surv;
        p->ci_high = 1.0 - p->lower_surv;
    } else {
        p->se_surv = NAN;
        p->lower_surv = p->upper_surv = p->ci_low = p->ci_high = NAN;
    }
}

utfall_status utfall_km_at(const utfall_km *km, int g, double t, utfall_km_point *out,
                           utfall_error *err)
{
    const km_curve *c = curve_of(km, g);
    if (!c || !out)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT,
                                "no Kaplan-Meier curve for group %d", g);
    if (isnan(t))
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT,
                                "cannot read a Kaplan-Meier curve at time NaN");
    fill_point(km, c, t, out);
    return UTFALL_OK;
}

utfall_status utfall_km_step(const utfall_km *km, int g, size_t i, utfall_km_point *out,
                             utfall_error *err)
{
    const km_curve *c = curve_of(km, g);
    if (!c || !out || i >= c->m)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT,
                                "no step %zu in the Kaplan-Meier curve of group %d", i, g);
    fill_point(km, c, c->time[i], out);
    return UTFALL_OK;
}

/* ------------------------------------------------------------------ log-rank */

/* What the log-rank test sums over the distinct times, for k groups. */
struct logrank_sums {
    size_t k;
    double *o, *e; /* observed and expected events by group */
    double *v;     /* k x k covariance of o - e */
    long *risk;    /* at risk by group, at the current time */
    long *dg;      /* events by group, at the current time */
    size_t *keep;  /* the groups tested */
};

static void logrank_sums_free(struct logrank_sums *s)
{
    free(s->o);
    free(s->e);
    free(s->v);
    free(s->risk);
    free(s->dg);
    free(s->keep);
}

static int logrank_sums_alloc(struct logrank_sums *s, size_t k)
{
    s->k = k;
    s->o = calloc(k, sizeof *s->o);
    s->e = calloc(k, sizeof *s->e);
    s->v = calloc(k * k, sizeof *s->v);
    s->risk = calloc(k, sizeof *s->risk);
    s->dg = calloc(k, sizeof *s->dg);
    s->keep = calloc(k, sizeof *s->keep);
    return s->o && s->e && s->v && s->risk && s->dg && s->keep ? 0 : -1;
}

/* The events at one time: d of them among at_risk, s->dg by group. */
static void logrank_add_time(struct logrank_sums *s, long at_risk, long d)
{
    size_t k = s->k;
    double nn = (double)at_risk, dd = (double)d;
    /* hypergeometric variance; no contribution when only one is at risk */
    double kt = at_risk > 1 ? dd * (nn - dd) / (nn * nn * (nn - 1.0)) : 0.0;
    for (size_t a = 0; a < k; a++) {
        s->o[a] += (double)s->dg[a];
        s->e[a] += dd * (double)s->risk[a] / nn;
        for (size_t c = 0; c < k; c++)
            s->v[a * k + c] += kt * (double)s->risk[a] * ((a == c ? nn : 0.0) - (double)s->risk[c]);
    }
}

/* Observed and expected events and their covariance, over rows sorted by
 * time. */
static void logrank_sum(struct logrank_sums *s, const km_obs *obs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s->risk[obs[i].group]++;
    long at_risk = (long)n;
    for (size_t i = 0; i < n;) {
        double t = obs[i].time;
        long d = 0, leaving = 0;
        memset(s->dg, 0, s->k * sizeof *s->dg);
        size_t j = i;
        for (; j < n && obs[j].time == t; j++) {
            if (obs[j].event) {
                s->dg[obs[j].group]++;
                d++;
            }
            leaving++;
        }
        if (d > 0)
            logrank_add_time(s, at_risk, d);
        for (; i < j; i++)
            s->risk[obs[i].group]--;
        at_risk -= leaving;
    }
}

/* The chi-square of o - e over the groups with expected > 0 but the first
 * (R drops it and solves the rest); not tested when fewer than two have
 * expected > 0. */
static utfall_status logrank_chisq(const struct logrank_sums *s, utfall_logrank *out,
                                   utfall_error *err)
{
    size_t k = s->k, nk = 0, *keep = s->keep;
    for (size_t a = 0; a < k; a++)
        if (s->e[a] > 0)
            keep[nk++] = a;
    if (nk < 2)
        return UTFALL_OK;
    size_t m = nk - 1;
    gsl_matrix *vv = gsl_matrix_alloc(m, m);
    gsl_vector *x = gsl_vector_alloc(m), *b = gsl_vector_alloc(m);
    utfall_status st = UTFALL_OK;
    if (!vv || !x || !b) {
        st = utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM,
                              "out of memory in the log-rank test");
        goto done;
    }
    for (size_t a = 0; a < m; a++) {
        gsl_vector_set(b, a, s->o[keep[a + 1]] - s->e[keep[a + 1]]);
        for (size_t c = 0; c < m; c++)
            gsl_matrix_set(vv, a, c, s->v[keep[a + 1] * k + keep[c + 1]]);
    }
    if (gsl_linalg_cholesky_decomp1(vv) != GSL_SUCCESS ||
        gsl_linalg_cholesky_solve(vv, b, x) != GSL_SUCCESS) {
        st = utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_LOGRANK_SINGULAR,
                              "the log-rank variance matrix is singular: the groups cannot "
                              "be compared");
        goto done;
    }
    double chi = 0;
    for (size_t a = 0; a < m; a++)
        chi += gsl_vector_get(x, a) * gsl_vector_get(b, a);
    out->tested = 1;
    out->chisq = chi;
    out->df = (int)m;
    out->p_value = gsl_cdf_chisq_Q(chi, (double)m);
done:
    gsl_matrix_free(vv);
    gsl_vector_free(x);
    gsl_vector_free(b);
    return st;
}

/* Strata given: each a number 0..n_strata-1. */
static utfall_status check_strata(size_t n, const int *stratum, int n_strata, utfall_error *err)
{
    if (n_strata < 1 || (n > 0 && !stratum))
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_SURVIVAL_DATA,
                                "a stratified test needs a stratum for every row and at least "
                                "one stratum");
    for (size_t i = 0; i < n; i++)
        if (stratum[i] < 0 || stratum[i] >= n_strata)
            return utfall_row_error(err, i, UTFALL_EC_BAD_SURVIVAL_DATA,
                                    "stratum %d is outside 0..%d", stratum[i], n_strata - 1);
    return UTFALL_OK;
}

/* The sums of each stratum added up, then one chi-square, as survdiff
 * does with strata(). */
static utfall_status logrank_run(size_t n, const double *time, const int *event, const int *group,
                                 int n_groups, const int *stratum, utfall_logrank *out,
                                 double *observed, double *expected, utfall_error *err)
{
    size_t k = (size_t)n_groups;
    km_obs *obs = sorted_obs(n, time, event, group, stratum);
    struct logrank_sums s = {0};
    utfall_status st = UTFALL_OK;
    if (!obs || logrank_sums_alloc(&s, k) != 0) {
        st = utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM,
                              "out of memory in the log-rank test for %zu rows", n);
    } else {
        for (size_t i = 0, j; i < n; i = j) {
            for (j = i; j < n && obs[j].stratum == obs[i].stratum; j++)
                ;
            logrank_sum(&s, obs + i, j - i);
        }
        if (observed)
            memcpy(observed, s.o, k * sizeof *s.o);
        if (expected)
            memcpy(expected, s.e, k * sizeof *s.e);
        st = logrank_chisq(&s, out, err);
    }
    free(obs);
    logrank_sums_free(&s);
    return st;
}

static void logrank_untested(utfall_logrank *out)
{
    out->tested = 0;
    out->chisq = 0;
    out->df = 0;
    out->p_value = NAN;
}

utfall_status utfall_logrank_test(size_t n, const double *time, const int *event,
                                  const int *group, int n_groups, utfall_logrank *out,
                                  double *observed, double *expected, utfall_error *err)
{
    if (!out)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT, "no output pointer");
    logrank_untested(out);
    utfall_status st = check_rows(n, time, event, group, n_groups, err);
    if (st != UTFALL_OK)
        return st;
    return logrank_run(n, time, event, group, n_groups, NULL, out, observed, expected, err);
}

utfall_status utfall_logrank_test_stratified(size_t n, const double *time, const int *event,
                                             const int *group, int n_groups, const int *stratum,
                                             int n_strata, utfall_logrank *out,
                                             double *observed, double *expected,
                                             utfall_error *err)
{
    if (!out)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT, "no output pointer");
    logrank_untested(out);
    utfall_status st = check_rows(n, time, event, group, n_groups, err);
    if (st == UTFALL_OK)
        st = check_strata(n, stratum, n_strata, err);
    if (st != UTFALL_OK)
        return st;
    return logrank_run(n, time, event, group, n_groups, stratum, out, observed, expected, err);
}
