#include "utfall/competing.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats_internal.h"

static utfall_status nomem(utfall_error *err)
{
    return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
}

static utfall_status check_rows(size_t n, const double *time, const int *status, int n_causes,
                                const int *group, int n_groups, utfall_error *err)
{
    if (n_causes < 1 || n_groups < 1 || (n > 0 && (!time || !status || !group)))
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_SURVIVAL_DATA,
                                "competing risks need times, statuses, groups, at least one "
                                "cause and one group");
    utfall_status st = UTFALL_OK;
    for (size_t i = 0; !st && i < n; i++) {
        if (!isfinite(time[i]) || time[i] < 0)
            st = utfall_row_error(err, i, UTFALL_EC_BAD_SURVIVAL_DATA,
                                  "a time is not a finite number >= 0");
        else if (status[i] < 0 || status[i] > n_causes)
            st = utfall_row_error(err, i, UTFALL_EC_BAD_SURVIVAL_DATA,
                                  "a status is not 0 (censored) or a cause");
        else if (group[i] < 0 || group[i] >= n_groups)
            st = utfall_row_error(err, i, UTFALL_EC_BAD_SURVIVAL_DATA, "a group is out of range");
    }
    return st;
}

/* ------------------------------------------------- cumulative incidence */

/* One group's estimate over its distinct times t_1 < … < t_m (1-based in
 * the comments, 0-based in the arrays).  With h_kj = d_kj / n_j and
 * S(j) = prod_{l<=j} (1 − d_l / n_l):
 *   F_k(q) = sum_{j<=q} S(j−1) h_kj             (the estimate at t_q)
 *   G(q)   = sum_{l<=q} d_l / (n_l (n_l − d_l))  (Greenwood's sum)
 *   P_k(q) = sum_{j<=q} S(j−1) h_kj G(j−1)
 *   Q_k(q) = sum_{j<=q} S(j−1) h_kj / n_j
 * from which the derivative of F_k at a time in every participant's case
 * weight follows in closed form (influence()). */
struct ci_group {
    size_t m;
    double *time;
    long *n_risk, *d, *cens, *dk; /* dk[j * K + k − 1] */
    double *surv_before;          /* S(j−1) */
    double *G, *F, *P, *Q;        /* G[q], q = 0..m; F, P, Q [q * K + k − 1] */
};

struct utfall_cuminc {
    int n_groups, n_causes;
    double z;
    struct ci_group *g;
};

static void group_free(struct ci_group *c)
{
    free(c->time);
    free(c->n_risk);
    free(c->d);
    free(c->cens);
    free(c->dk);
    free(c->surv_before);
    free(c->G);
    free(c->F);
    free(c->P);
    free(c->Q);
}

void utfall_cuminc_free(utfall_cuminc *ci)
{
    if (!ci)
        return;
    for (int g = 0; ci->g && g < ci->n_groups; g++)
        group_free(&ci->g[g]);
    free(ci->g);
    free(ci);
}

struct ci_obs {
    double time;
    int status;
};

static int cmp_ci_obs(const void *a, const void *b)
{
    const struct ci_obs *x = a, *y = b;
    return x->time < y->time ? -1 : x->time > y->time;
}

static int group_alloc(struct ci_group *c, size_t m, int K)
{
    size_t k = (size_t)K;
    c->m = m;
    c->time = malloc((m + 1) * sizeof *c->time);
    c->n_risk = calloc(m + 1, sizeof *c->n_risk);
    c->d = calloc(m + 1, sizeof *c->d);
    c->cens = calloc(m + 1, sizeof *c->cens);
    c->dk = calloc((m + 1) * k, sizeof *c->dk);
    c->surv_before = malloc((m + 1) * sizeof *c->surv_before);
    c->G = calloc(m + 1, sizeof *c->G);
    c->F = calloc((m + 1) * k, sizeof *c->F);
    c->P = calloc((m + 1) * k, sizeof *c->P);
    c->Q = calloc((m + 1) * k, sizeof *c->Q);
    return c->time && c->n_risk && c->d && c->cens && c->dk && c->surv_before && c->G && c->F
                   && c->P && c->Q
               ? 0
               : -1;
}

/* The counts at the distinct times of obs[0..n), sorted by time. */
static int group_counts(struct ci_group *c, const struct ci_obs *obs, size_t n, int K)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += i == 0 || obs[i].time != obs[i - 1].time;
    if (group_alloc(c, m, K))
        return -1;
    long at_risk = (long)n;
    for (size_t i = 0, j = 0; i < n; j++) {
        c->time[j] = obs[i].time;
        c->n_risk[j] = at_risk;
        for (; i < n && obs[i].time == c->time[j]; i++, at_risk--) {
            if (obs[i].status == 0) {
                c->cens[j]++;
            } else {
                c->d[j]++;
                c->dk[j * (size_t)K + (size_t)obs[i].status - 1]++;
            }
        }
    }
    return 0;
}

/* S(j−1) and the prefix sums F, P, Q (row q = after the q-th time) and G. */
static void group_sums(struct ci_group *c, int K)
{
    size_t k = (size_t)K;
    double s = 1.0;
    for (size_t j = 0; j < c->m; j++) {
        double n = (double)c->n_risk[j], d = (double)c->d[j];
        c->surv_before[j] = s;
        c->G[j + 1] = c->G[j] + (d > 0 ? (d < n ? d / (n * (n - d)) : INFINITY) : 0.0);
        for (size_t e = 0; e < k; e++) {
            double inc = s * (double)c->dk[j * k + e] / n;
            c->F[(j + 1) * k + e] = c->F[j * k + e] + inc;
            c->P[(j + 1) * k + e] = c->P[j * k + e] + (inc > 0 ? inc * c->G[j] : 0.0);
            c->Q[(j + 1) * k + e] = c->Q[j * k + e] + inc / n;
        }
        s *= (n - d) / n;
    }
}

static int fit_group(struct ci_group *c, const double *time, const int *status,
                     const int *group, size_t n, int g, int K)
{
    size_t ng = 0;
    for (size_t i = 0; i < n; i++)
        ng += group[i] == g;
    struct ci_obs *obs = malloc((ng ? ng : 1) * sizeof *obs);
    if (!obs)
        return -1;
    for (size_t i = 0, j = 0; i < n; i++)
        if (group[i] == g)
            obs[j++] = (struct ci_obs){time[i], status[i]};
    qsort(obs, ng, sizeof *obs, cmp_ci_obs);
    int rc = group_counts(c, obs, ng, K);
    free(obs);
    if (!rc)
        group_sums(c, K);
    return rc;
}

utfall_status utfall_cuminc_fit(size_t n, const double *time, const int *status, int n_causes,
                                const int *group, int n_groups, double conf_level,
                                utfall_cuminc **out, utfall_error *err)
{
    if (!out)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT, "no output pointer");
    *out = NULL;
    utfall_status st = utfall_check_conf_level(conf_level, err);
    if (!st)
        st = check_rows(n, time, status, n_causes, group, n_groups, err);
    if (st)
        return st;
    utfall_cuminc *ci = calloc(1, sizeof *ci);
    if (!ci || !(ci->g = calloc((size_t)n_groups, sizeof *ci->g))) {
        free(ci);
        return nomem(err);
    }
    ci->n_groups = n_groups;
    ci->n_causes = n_causes;
    ci->z = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - conf_level) / 2.0);
    for (int g = 0; g < n_groups; g++)
        if (fit_group(&ci->g[g], time, status, group, n, g, n_causes)) {
            utfall_cuminc_free(ci);
            return nomem(err);
        }
    *out = ci;
    return UTFALL_OK;
}

/* The derivative of F_k(t_J) in the weight of a participant who left at
 * the ji-th time (1-based) with status e (0 censored). */
static double influence(const struct ci_group *c, int K, int k, size_t J, size_t ji, int e)
{
    size_t kk = (size_t)K, e0 = (size_t)k - 1;
    const double *F = c->F, *P = c->P, *Q = c->Q;
    size_t a = ji + 1 < J ? ji + 1 : J;
    /* the change of S(j−1) through the risk sets the participant was in */
    double u = P[a * kk + e0];
    if (ji + 1 < J)
        u += c->G[ji] * (F[J * kk + e0] - F[(ji + 1) * kk + e0]);
    /* ... and through the participant's own event, which lowers S after it */
    if (e > 0 && ji < J)
        u -= (F[J * kk + e0] - F[ji * kk + e0])
             / (double)(c->n_risk[ji - 1] - c->d[ji - 1]);
    /* the change of the hazard of cause k at the times at risk */
    size_t b = ji < J ? ji : J;
    if (e == k && ji <= J)
        u += c->surv_before[ji - 1] / (double)c->n_risk[ji - 1];
    u -= Q[b * kk + e0];
    return u;
}

static double ij_variance(const struct ci_group *c, int K, int k, size_t J)
{
    double v = 0;
    for (size_t j = 1; j <= c->m; j++) {
        if (c->cens[j - 1]) {
            double u = influence(c, K, k, J, j, 0);
            v += (double)c->cens[j - 1] * u * u;
        }
        for (int e = 1; e <= K; e++) {
            long cnt = c->dk[(j - 1) * (size_t)K + (size_t)e - 1];
            if (cnt) {
                double u = influence(c, K, k, J, j, e);
                v += (double)cnt * u * u;
            }
        }
    }
    return v;
}

utfall_status utfall_cuminc_at(const utfall_cuminc *ci, int g, int cause, double t,
                               utfall_cuminc_point *out, utfall_error *err)
{
    if (!ci || !out || g < 0 || g >= ci->n_groups || cause < 1 || cause > ci->n_causes
        || isnan(t))
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT,
                                "no cumulative incidence of cause %d in group %d at %g", cause,
                                g, t);
    const struct ci_group *c = &ci->g[g];
    size_t K = (size_t)ci->n_causes, J = 0;
    while (J < c->m && c->time[J] <= t)
        J++;
    memset(out, 0, sizeof *out);
    out->t = t;
    size_t next = J > 0 && c->time[J - 1] == t ? J - 1 : J;
    out->n_risk = next < c->m ? c->n_risk[next] : 0;
    for (size_t j = 0; j < J; j++)
        out->n_event += c->dk[j * K + (size_t)cause - 1];
    double p = c->F[J * K + (size_t)cause - 1];
    out->cum_inc = p;
    double v = p > 0 ? ij_variance(c, ci->n_causes, cause, J) : 0.0;
    out->se = sqrt(v > 0 ? v : 0.0);
    if (p > 0) {
        out->ci_low = p * exp(-ci->z * out->se / p);
        out->ci_high = fmin(1.0, p * exp(ci->z * out->se / p));
    } else if (c->m > 0 && t < c->time[0]) {
        out->ci_low = out->ci_high = 0.0; /* R's row for the start: all zero */
    } else {
        out->ci_low = out->ci_high = NAN;
    }
    return UTFALL_OK;
}

/* --------------------------------------------------------- Gray's test */

/* Gray's score and its variance for one stratum, with ng groups (the
 * score of the last one is implied).  The notation follows the paper:
 * for group g at a time, R_g = at risk, S_g(t−) the Kaplan–Meier estimate
 * of no event of any cause, F_g(t−) the cumulative incidence of the cause
 * of interest; the pooled incidence F is updated with the events of the
 * cause over sum_g R_g / S_g(t−). */
struct gray_work {
    int ng;
    long *rs, *d1, *d2;            /* at risk, events of the cause, of other causes */
    double *km_l, *km_r, *ci_l, *ci_r; /* left- and right-continuous, by group */
    double *a, *c;                 /* ng x ng: this time's weights, their running sum */
    double *v3, *v2;               /* ng; (ng − 1) x ng */
    double *score, *v;             /* ng − 1; (ng − 1) x (ng − 1), this stratum */
    double f_l;                    /* the pooled incidence, left-continuous */
};

static void gray_work_free(struct gray_work *w)
{
    free(w->rs);
    free(w->d1);
    free(w->d2);
    free(w->km_l);
    free(w->km_r);
    free(w->ci_l);
    free(w->ci_r);
    free(w->a);
    free(w->c);
    free(w->v3);
    free(w->v2);
    free(w->score);
    free(w->v);
}

static int gray_work_alloc(struct gray_work *w, int ng)
{
    size_t g = (size_t)ng;
    w->ng = ng;
    w->rs = malloc(g * sizeof *w->rs);
    w->d1 = malloc(g * sizeof *w->d1);
    w->d2 = malloc(g * sizeof *w->d2);
    w->km_l = malloc(g * sizeof *w->km_l);
    w->km_r = malloc(g * sizeof *w->km_r);
    w->ci_l = malloc(g * sizeof *w->ci_l);
    w->ci_r = malloc(g * sizeof *w->ci_r);
    w->a = malloc(g * g * sizeof *w->a);
    w->c = malloc(g * g * sizeof *w->c);
    w->v3 = malloc(g * sizeof *w->v3);
    w->v2 = malloc(g * g * sizeof *w->v2);
    w->score = malloc(g * sizeof *w->score);
    w->v = malloc(g * g * sizeof *w->v);
    return w->rs && w->d1 && w->d2 && w->km_l && w->km_r && w->ci_l && w->ci_r && w->a && w->c
                   && w->v3 && w->v2 && w->score && w->v
               ? 0
               : -1;
}

/* A new stratum: everyone of its rows at risk, nothing accumulated. */
static void gray_start(struct gray_work *w, const long *n_in_group)
{
    size_t g = (size_t)w->ng;
    for (size_t i = 0; i < g; i++) {
        w->rs[i] = n_in_group[i];
        w->km_l[i] = w->km_r[i] = 1.0;
        w->ci_l[i] = w->ci_r[i] = 0.0;
        w->v3[i] = 0.0;
        w->score[i] = 0.0;
    }
    memset(w->c, 0, g * g * sizeof *w->c);
    memset(w->v2, 0, g * g * sizeof *w->v2);
    memset(w->v, 0, g * g * sizeof *w->v);
    w->f_l = 0.0;
}

/* This time's Kaplan–Meier and incidence steps, the weights a and their
 * running sum c, and the score; returns the pooled incidence after it. */
static double gray_step_weights(struct gray_work *w, long nd1, double *tr_out)
{
    int ng = w->ng;
    double tr = 0, tq = 0;
    for (int i = 0; i < ng; i++) {
        if (w->rs[i] <= 0)
            continue;
        double r = (double)w->rs[i];
        w->km_r[i] = w->km_l[i] * (r - (double)(w->d1[i] + w->d2[i])) / r;
        w->ci_r[i] = w->ci_l[i] + w->km_l[i] * (double)w->d1[i] / r;
        tr += r / w->km_l[i];
        tq += r * (1.0 - w->ci_l[i]) / w->km_l[i];
    }
    double f_r = w->f_l + (double)nd1 / tr;
    for (int i = 0; i < ng; i++)
        for (int j = 0; j < ng; j++) {
            double aij = 0;
            if (w->rs[i] > 0 && w->rs[j] > 0) {
                double ti = (double)w->rs[i] / w->km_l[i], tj = (double)w->rs[j] / w->km_l[j];
                aij = i == j ? ti * (1.0 - ti / tr) : -ti * tj / tr;
            }
            w->a[i * ng + j] = aij;
            w->c[i * ng + j] += aij * (double)nd1 / (tr * (1.0 - w->f_l));
        }
    for (int i = 0; i < ng - 1; i++)
        if (w->rs[i] > 0)
            w->score[i] += (double)w->d1[i]
                           - (double)nd1 * (double)w->rs[i] * (1.0 - w->ci_l[i])
                                 / (w->km_l[i] * tq);
    *tr_out = tr;
    return f_r;
}

/* One term of the variance: group k's weight t3, with the loadings
 * b_i = a_ik − t4 c_ik (events of the cause) or −t4 c_ik (other causes). */
static void gray_variance_term(struct gray_work *w, int k, double t4, double t3, int own_cause)
{
    int ng = w->ng;
    w->v3[k] += t4 * t4 * t3;
    for (int i = 0; i < ng - 1; i++) {
        double bi = (own_cause ? w->a[i * ng + k] : 0.0) - t4 * w->c[i * ng + k];
        w->v2[i * ng + k] += bi * t4 * t3;
        for (int j = 0; j <= i; j++) {
            double bj = (own_cause ? w->a[j * ng + k] : 0.0) - t4 * w->c[j * ng + k];
            w->v[i * ng + j] += bi * bj * t3;
        }
    }
}

/* The contributions of this time's events to the variance. */
static void gray_step_variance(struct gray_work *w, long nd1, long nd2, double tr, double f_r)
{
    for (int k = 0; nd1 > 0 && k < w->ng; k++) {
        if (w->rs[k] <= 0)
            continue;
        double t4 = w->km_r[k] > 0 ? 1.0 - (1.0 - f_r) / w->km_r[k] : 1.0;
        double t5 = nd1 > 1 ? 1.0 - (double)(nd1 - 1) / (tr * w->km_l[k] - 1.0) : 1.0;
        double t3 = t5 * w->km_l[k] * (double)nd1 / (tr * (double)w->rs[k]);
        gray_variance_term(w, k, t4, t3, 1);
    }
    for (int k = 0; nd2 > 0 && k < w->ng; k++) {
        if (w->km_r[k] <= 0 || w->d2[k] <= 0)
            continue;
        double r = (double)w->rs[k], d = (double)w->d2[k];
        double t4 = (1.0 - f_r) / w->km_r[k];
        double t5 = w->d2[k] > 1 ? 1.0 - (d - 1.0) / (r - 1.0) : 1.0;
        double t3 = t5 * w->km_l[k] * w->km_l[k] * d / (r * r);
        /* the sign of b_i is that of −t4 c_ik; the variance gets b_i b_j */
        gray_variance_term(w, k, t4, t3, 0);
    }
}

/* The end of a stratum: the terms that need the whole of c. */
static void gray_finish(struct gray_work *w)
{
    int ng = w->ng;
    for (int i = 0; i < ng - 1; i++)
        for (int j = 0; j <= i; j++)
            for (int k = 0; k < ng; k++)
                w->v[i * ng + j] += w->c[i * ng + k] * w->c[j * ng + k] * w->v3[k]
                                    + w->c[i * ng + k] * w->v2[j * ng + k]
                                    + w->c[j * ng + k] * w->v2[i * ng + k];
}

struct gray_obs {
    int stratum;
    double time;
    int m;     /* 0 censored, 1 the cause, 2 another cause */
    int group; /* among the groups with rows */
};

static int cmp_gray_obs(const void *a, const void *b)
{
    const struct gray_obs *x = a, *y = b;
    if (x->stratum != y->stratum)
        return x->stratum < y->stratum ? -1 : 1;
    return x->time < y->time ? -1 : x->time > y->time;
}

/* One stratum, rows o[0..n) sorted by time: adds its score and variance
 * to s and V ((ng − 1) each way). */
static void gray_stratum(struct gray_work *w, const struct gray_obs *o, size_t n, long *cnt,
                         double *s, double *V)
{
    int ng = w->ng;
    memset(cnt, 0, (size_t)ng * sizeof *cnt);
    for (size_t i = 0; i < n; i++)
        cnt[o[i].group]++;
    gray_start(w, cnt);
    for (size_t i = 0, j; i < n; i = j) {
        long nd1 = 0, nd2 = 0;
        memset(w->d1, 0, (size_t)ng * sizeof *w->d1);
        memset(w->d2, 0, (size_t)ng * sizeof *w->d2);
        for (j = i; j < n && o[j].time == o[i].time; j++) {
            if (o[j].m == 1)
                w->d1[o[j].group]++, nd1++;
            else if (o[j].m == 2)
                w->d2[o[j].group]++, nd2++;
        }
        if (nd1 + nd2 > 0) {
            double tr, f_r = gray_step_weights(w, nd1, &tr);
            gray_step_variance(w, nd1, nd2, tr, f_r);
            w->f_l = f_r;
            memcpy(w->km_l, w->km_r, (size_t)ng * sizeof *w->km_l);
            memcpy(w->ci_l, w->ci_r, (size_t)ng * sizeof *w->ci_l);
        }
        for (size_t r = i; r < j; r++)
            w->rs[o[r].group]--;
    }
    gray_finish(w);
    for (int i = 0; i < ng - 1; i++) {
        s[i] += w->score[i];
        for (int j = 0; j <= i; j++) {
            V[i * (ng - 1) + j] += w->v[i * ng + j];
            if (j < i)
                V[j * (ng - 1) + i] += w->v[i * ng + j];
        }
    }
}

/* s' V^-1 s on ng − 1 degrees of freedom; not tested when V is singular. */
static utfall_status gray_statistic(const double *s, double *V, int m, utfall_gray *out,
                                    utfall_error *err)
{
    gsl_matrix_view vv = gsl_matrix_view_array(V, (size_t)m, (size_t)m);
    gsl_vector_const_view sv = gsl_vector_const_view_array(s, (size_t)m);
    gsl_vector *x = gsl_vector_alloc((size_t)m);
    if (!x)
        return nomem(err);
    if (gsl_linalg_cholesky_decomp1(&vv.matrix) == GSL_SUCCESS
        && gsl_linalg_cholesky_solve(&vv.matrix, &sv.vector, x) == GSL_SUCCESS) {
        double chi = 0;
        for (int i = 0; i < m; i++)
            chi += s[i] * gsl_vector_get(x, (size_t)i);
        if (isfinite(chi)) {
            out->tested = 1;
            out->chisq = chi;
            out->p_value = gsl_cdf_chisq_Q(chi, (double)m);
        }
    }
    gsl_vector_free(x);
    return UTFALL_OK;
}

/* The rows as Gray's test takes them: groups renumbered among those with
 * rows (*ng of them), sorted by stratum and time. */
static struct gray_obs *gray_rows(size_t n, const double *time, const int *status, int cause,
                                  const int *group, int n_groups, const int *stratum, int *ng)
{
    int *index = malloc((size_t)n_groups * sizeof *index);
    struct gray_obs *o = malloc((n ? n : 1) * sizeof *o);
    if (!index || !o) {
        free(index);
        free(o);
        return NULL;
    }
    for (int g = 0; g < n_groups; g++)
        index[g] = -1;
    for (size_t i = 0; i < n; i++)
        index[group[i]] = 0;
    *ng = 0;
    for (int g = 0; g < n_groups; g++)
        if (index[g] == 0)
            index[g] = (*ng)++;
    for (size_t i = 0; i < n; i++)
        o[i] = (struct gray_obs){stratum ? stratum[i] : 0, time[i],
                                 status[i] == 0 ? 0 : status[i] == cause ? 1 : 2,
                                 index[group[i]]};
    qsort(o, n, sizeof *o, cmp_gray_obs);
    free(index);
    return o;
}

utfall_status utfall_gray_test(size_t n, const double *time, const int *status, int n_causes,
                               int cause, const int *group, int n_groups, const int *stratum,
                               int n_strata, utfall_gray *out, utfall_error *err)
{
    if (!out || cause < 1 || cause > n_causes || (stratum && n_strata < 1))
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT,
                                "Gray's test needs an output, a cause 1..%d and strata",
                                n_causes);
    *out = (utfall_gray){0, 0.0, 0, NAN};
    utfall_status st = check_rows(n, time, status, n_causes, group, n_groups, err);
    for (size_t i = 0; !st && stratum && i < n; i++)
        if (stratum[i] < 0 || stratum[i] >= n_strata)
            st = utfall_row_error(err, i, UTFALL_EC_BAD_SURVIVAL_DATA, "a stratum is out of range");
    if (st)
        return st;
    int ng;
    struct gray_obs *o = gray_rows(n, time, status, cause, group, n_groups, stratum, &ng);
    if (!o)
        return nomem(err);
    if (ng < 2) {
        free(o);
        return UTFALL_OK;
    }
    out->df = ng - 1;
    struct gray_work w = {0};
    size_t m = (size_t)ng - 1;
    double *s = calloc(m, sizeof *s), *V = calloc(m * m, sizeof *V);
    long *cnt = malloc((size_t)ng * sizeof *cnt);
    if (gray_work_alloc(&w, ng) || !s || !V || !cnt) {
        st = nomem(err);
    } else {
        for (size_t i = 0, j; i < n; i = j) {
            for (j = i; j < n && o[j].stratum == o[i].stratum; j++)
                ;
            gray_stratum(&w, o + i, j - i, cnt, s, V);
        }
        st = gray_statistic(s, V, ng - 1, out, err);
    }
    gray_work_free(&w);
    free(o);
    free(s);
    free(V);
    free(cnt);
    return st;
}
