#include "utfall/cox.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats_internal.h"

/* coxph.control()'s iter.max is 20; full convergence may take a few more */
#define COX_MAXIT 30
#define COX_EPS 1e-13
#define COX_NOISE 1e-11
/* A column whose information is below this share of the largest has none. */
#define COX_TOL 1e-11

static utfall_status nomem(utfall_error *err)
{
    return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
}

void utfall_cox_free(utfall_cox_fit *fit)
{
    if (!fit)
        return;
    free(fit->coef);
    free(fit->cov);
    free(fit->used);
    free(fit);
}

/* What one fit works on: the used rows, their risk-set classes (the
 * strata, split further by the values of infinite columns) and the
 * columns still estimated. */
struct cox_work {
    size_t m, p, r;
    double *x;              /* m x p, each column centred at its mean */
    double *time;
    int *event, *cls;
    size_t *order;          /* rows by class, then time descending */
    unsigned char *aliased; /* p */
    int *sign;              /* p: −1, +1 for infinite columns */
    unsigned char *dropped; /* p: no information left (UNRELIABLE) */
    size_t *colmap;         /* the r columns of the Newton fit */
    double *beta, *newbeta; /* p */
    double *u, *imat;       /* r; r x r */
    double *s1, *s2, *d1, *d2; /* Efron's sums: r; r x r */
};

static void work_free(struct cox_work *w)
{
    free(w->x);
    free(w->time);
    free(w->event);
    free(w->cls);
    free(w->order);
    free(w->aliased);
    free(w->sign);
    free(w->dropped);
    free(w->colmap);
    free(w->beta);
    free(w->newbeta);
    free(w->u);
    free(w->imat);
    free(w->s1);
    free(w->s2);
    free(w->d1);
    free(w->d2);
}

static int work_alloc(struct cox_work *w)
{
    size_t m = w->m ? w->m : 1, p = w->p ? w->p : 1;
    w->x = malloc(m * p * sizeof *w->x);
    w->time = malloc(m * sizeof *w->time);
    w->event = malloc(m * sizeof *w->event);
    w->cls = malloc(m * sizeof *w->cls);
    w->order = malloc(m * sizeof *w->order);
    w->aliased = calloc(p, 1);
    w->sign = calloc(p, sizeof *w->sign);
    w->dropped = calloc(p, 1);
    w->colmap = calloc(p, sizeof *w->colmap);
    w->beta = calloc(p, sizeof *w->beta);
    w->newbeta = calloc(p, sizeof *w->newbeta);
    w->u = calloc(p, sizeof *w->u);
    w->imat = calloc(p * p, sizeof *w->imat);
    w->s1 = calloc(p, sizeof *w->s1);
    w->s2 = calloc(p * p, sizeof *w->s2);
    w->d1 = calloc(p, sizeof *w->d1);
    w->d2 = calloc(p * p, sizeof *w->d2);
    return w->x && w->time && w->event && w->cls && w->order && w->aliased && w->sign
                   && w->dropped && w->colmap && w->beta && w->newbeta && w->u && w->imat
                   && w->s1 && w->s2 && w->d1 && w->d2
               ? 0
               : -1;
}

static utfall_status check_args(size_t n, size_t p, const double *X, const double *time,
                                const int *event, double conf_level, utfall_error *err)
{
    if ((n > 0 && (!time || !event || (p > 0 && !X))))
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT,
                                "a Cox fit needs times, events and the columns");
    utfall_status st = utfall_check_conf_level(conf_level, err);
    for (size_t i = 0; !st && i < n; i++) {
        if (!isfinite(time[i]) || time[i] < 0)
            st = utfall_row_error(err, i, UTFALL_EC_BAD_SURVIVAL_DATA,
                                  "a time is not a finite number >= 0");
        else if (event[i] != 0 && event[i] != 1)
            st = utfall_row_error(err, i, UTFALL_EC_BAD_SURVIVAL_DATA, "an event is not 0 or 1");
        else if (utfall_row_has_infinite(X, p, i))
            st = utfall_row_error(err, i, UTFALL_EC_BAD_SURVIVAL_DATA, "a covariate is infinite");
    }
    return st;
}

static utfall_cox_fit *fit_new(size_t n, size_t p, double conf_level)
{
    utfall_cox_fit *fit = calloc(1, sizeof *fit);
    if (!fit)
        return NULL;
    fit->n_rows = n;
    fit->p = p;
    fit->conf_level = conf_level;
    fit->coef = calloc(p ? p : 1, sizeof *fit->coef);
    fit->cov = malloc((p ? p * p : 1) * sizeof *fit->cov);
    fit->used = calloc(n ? n : 1, 1);
    if (!fit->coef || !fit->cov || !fit->used) {
        utfall_cox_free(fit);
        return NULL;
    }
    return fit;
}

struct row_key {
    int cls;
    double time;
    size_t row;
};

static int cmp_rows(const void *a, const void *b)
{
    const struct row_key *x = a, *y = b;
    if (x->cls != y->cls)
        return x->cls < y->cls ? -1 : 1;
    if (x->time != y->time)
        return x->time > y->time ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* Rows by class, later times first. */
static int sort_rows(struct cox_work *w)
{
    struct row_key *k = malloc((w->m ? w->m : 1) * sizeof *k);
    if (!k)
        return -1;
    for (size_t i = 0; i < w->m; i++)
        k[i] = (struct row_key){w->cls[i], w->time[i], i};
    qsort(k, w->m, sizeof *k, cmp_rows);
    for (size_t i = 0; i < w->m; i++)
        w->order[i] = k[i].row;
    free(k);
    return 0;
}

/* The complete rows, copied and centred. */
static utfall_status complete_rows(utfall_cox_fit *fit, struct cox_work *w, const double *X,
                                   const double *time, const int *event, const int *stratum,
                                   utfall_error *err)
{
    size_t n = fit->n_rows, p = w->p, m = 0;
    for (size_t i = 0; i < n; i++) {
        int ok = (!stratum || stratum[i] >= 0) && utfall_row_is_complete(X, p, i);
        fit->used[i] = (unsigned char)ok;
        m += (size_t)ok;
    }
    fit->n_used = w->m = m;
    if (m == 0)
        return utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_NO_ROWS,
                                "no row has a time, an event and every covariate");
    if (work_alloc(w))
        return nomem(err);
    for (size_t i = 0, k = 0; i < n; i++) {
        if (!fit->used[i])
            continue;
        memcpy(w->x + k * p, X + i * p, p * sizeof *w->x);
        w->time[k] = time[i];
        w->event[k] = event[i];
        w->cls[k] = stratum ? stratum[i] : 0;
        fit->n_events += (size_t)event[i];
        k++;
    }
    for (size_t j = 0; j < p; j++) {
        double mean = 0;
        for (size_t k = 0; k < m; k++)
            mean += w->x[k * p + j];
        mean /= (double)m;
        for (size_t k = 0; k < m; k++)
            w->x[k * p + j] -= mean;
    }
    return sort_rows(w) ? nomem(err) : UTFALL_OK;
}

/* Columns that are linear combinations of earlier ones once centred
 * within each stratum (a column constant within every stratum is one):
 * Gram–Schmidt twice, negligible below 1e-11 of the column's norm. */
static int find_aliased(struct cox_work *w)
{
    size_t m = w->m, p = w->p, r = 0;
    double *q = malloc((m * p > 0 ? m * p : 1) * sizeof *q), *v = malloc(m * sizeof *v);
    if (!q || !v) {
        free(q);
        free(v);
        return -1;
    }
    for (size_t j = 0; j < p; j++) {
        for (size_t a = 0, b; a < m; a = b) {
            double mean = 0;
            for (b = a; b < m && w->cls[w->order[b]] == w->cls[w->order[a]]; b++)
                mean += w->x[w->order[b] * p + j];
            mean /= (double)(b - a);
            for (size_t k = a; k < b; k++)
                v[w->order[k]] = w->x[w->order[k] * p + j] - mean;
        }
        double norm0 = 0;
        for (size_t i = 0; i < m; i++)
            norm0 += w->x[i * p + j] * w->x[i * p + j];
        if (utfall_basis_extend(q, m, r, v, sqrt(norm0), 1e-11))
            r++;
        else
            w->aliased[j] = 1;
    }
    free(q);
    free(v);
    return 0;
}

/* The direction in which column j makes the partial likelihood rise for
 * ever: −1 when every event has the smallest value of its risk set, +1
 * the largest, provided some risk set of an event is not constant in j;
 * else 0. */
static int infinite_direction(const struct cox_work *w, size_t j)
{
    size_t m = w->m, p = w->p;
    int low = 1, high = 1, informative = 0;
    double lo = 0, hi = 0;
    for (size_t a = 0, b; a < m; a = b) {
        size_t ia = w->order[a];
        if (a == 0 || w->cls[w->order[a - 1]] != w->cls[ia])
            lo = hi = w->x[ia * p + j]; /* a new class: its risk set starts here */
        for (b = a; b < m && w->cls[w->order[b]] == w->cls[ia]
                    && w->time[w->order[b]] == w->time[ia]; b++) {
            double x = w->x[w->order[b] * p + j];
            lo = fmin(lo, x);
            hi = fmax(hi, x);
        }
        for (size_t k = a; k < b; k++) {
            if (!w->event[w->order[k]])
                continue;
            double x = w->x[w->order[k] * p + j];
            low &= x == lo;
            high &= x == hi;
            informative |= lo < hi;
        }
    }
    return !informative ? 0 : low ? -1 : high ? 1 : 0;
}

struct cls_pair {
    int cls;
    double x;
    size_t row;
};

static int cmp_pair(const void *a, const void *b)
{
    const struct cls_pair *x = a, *y = b;
    if (x->cls != y->cls)
        return x->cls < y->cls ? -1 : 1;
    return x->x < y->x ? -1 : x->x > y->x;
}

/* Split the classes by the values of column j: in the limit only those
 * who share an event's value of an infinite column stay in its risk set. */
static int restratify(struct cox_work *w, size_t j)
{
    struct cls_pair *pr = malloc(w->m * sizeof *pr);
    if (!pr)
        return -1;
    for (size_t i = 0; i < w->m; i++)
        pr[i] = (struct cls_pair){w->cls[i], w->x[i * w->p + j], i};
    qsort(pr, w->m, sizeof *pr, cmp_pair);
    int id = -1;
    for (size_t i = 0; i < w->m; i++) {
        if (i == 0 || pr[i].cls != pr[i - 1].cls || pr[i].x != pr[i - 1].x)
            id++;
        w->cls[pr[i].row] = id;
    }
    free(pr);
    return sort_rows(w);
}

/* Rounds until no column is found: a column found splits the classes,
 * which may make another one infinite. */
static int find_infinite(struct cox_work *w)
{
    int changed = 1;
    while (changed) {
        changed = 0;
        for (size_t j = 0; j < w->p; j++) {
            if (w->aliased[j] || w->sign[j])
                continue;
            int s = infinite_direction(w, j);
            if (!s)
                continue;
            w->sign[j] = s;
            if (restratify(w, j))
                return -1;
            changed = 1;
        }
    }
    return 0;
}

/* Add row i (weight rw) to the sums s (value), s1 and s2. */
static void add_row(const struct cox_work *w, size_t i, double rw, double *s1, double *s2)
{
    size_t r = w->r;
    const double *x = w->x + i * w->p;
    for (size_t a = 0; a < r; a++) {
        double xa = x[w->colmap[a]];
        s1[a] += rw * xa;
        for (size_t b = 0; b <= a; b++)
            s2[a * r + b] += rw * xa * x[w->colmap[b]];
    }
}

/* Efron's terms for d tied events at one time. */
static double efron_terms(struct cox_work *w, long d, double s0, double d0)
{
    size_t r = w->r;
    double ll = 0;
    for (long l = 0; l < d; l++) {
        double f = (double)l / (double)d, a0 = s0 - f * d0;
        ll -= log(a0);
        for (size_t a = 0; a < r; a++) {
            double a1 = (w->s1[a] - f * w->d1[a]) / a0;
            w->u[a] -= a1;
            for (size_t b = 0; b <= a; b++) {
                double a1b = (w->s1[b] - f * w->d1[b]) / a0;
                w->imat[a * r + b] += (w->s2[a * r + b] - f * w->d2[a * r + b]) / a0 - a1 * a1b;
            }
        }
    }
    return ll;
}

/* The log partial likelihood at beta, its score u and information imat
 * over the r columns of colmap. */
static double cox_compute(struct cox_work *w, const double *beta)
{
    size_t r = w->r, p = w->p, m = w->m;
    double ll = 0, s0 = 0;
    memset(w->u, 0, r * sizeof *w->u);
    memset(w->imat, 0, r * r * sizeof *w->imat);
    for (size_t a = 0, b; a < m; a = b) {
        size_t ia = w->order[a];
        if (a == 0 || w->cls[w->order[a - 1]] != w->cls[ia]) {
            s0 = 0;
            memset(w->s1, 0, r * sizeof *w->s1);
            memset(w->s2, 0, r * r * sizeof *w->s2);
        }
        double d0 = 0;
        long d = 0;
        memset(w->d1, 0, r * sizeof *w->d1);
        memset(w->d2, 0, r * r * sizeof *w->d2);
        for (b = a; b < m && w->cls[w->order[b]] == w->cls[ia]
                    && w->time[w->order[b]] == w->time[ia]; b++) {
            size_t i = w->order[b];
            double eta = 0;
            for (size_t c = 0; c < r; c++)
                eta += w->x[i * p + w->colmap[c]] * beta[w->colmap[c]];
            double rw = exp(eta);
            s0 += rw;
            add_row(w, i, rw, w->s1, w->s2);
            if (w->event[i]) {
                d++;
                d0 += rw;
                ll += eta;
                add_row(w, i, rw, w->d1, w->d2);
                for (size_t c = 0; c < r; c++)
                    w->u[c] += w->x[i * p + w->colmap[c]];
            }
        }
        if (d)
            ll += efron_terms(w, d, s0, d0);
    }
    for (size_t a = 0; a < r; a++)
        for (size_t b = a + 1; b < r; b++)
            w->imat[a * r + b] = w->imat[b * r + a];
    return ll;
}

/* The columns of the Newton fit: not aliased, not infinite, and with
 * information at beta = 0 (with no event, none has). */
static double choose_columns(struct cox_work *w)
{
    w->r = 0;
    for (size_t j = 0; j < w->p; j++)
        if (!w->aliased[j] && !w->sign[j])
            w->colmap[w->r++] = j;
    double ll0 = cox_compute(w, w->beta);
    double big = 0;
    for (size_t a = 0; a < w->r; a++)
        big = fmax(big, w->imat[a * w->r + a]);
    size_t keep = 0;
    for (size_t a = 0; a < w->r; a++) {
        if (!(w->imat[a * w->r + a] > COX_TOL * big) || big == 0)
            w->dropped[w->colmap[a]] = 1;
        else
            w->colmap[keep++] = w->colmap[a];
    }
    if (keep != w->r) {
        w->r = keep;
        ll0 = cox_compute(w, w->beta);
    }
    return ll0;
}

/* newbeta = beta + imat^-1 u; −1 when the information is singular. */
static int newton_step(struct cox_work *w)
{
    size_t r = w->r;
    gsl_matrix_view im = gsl_matrix_view_array(w->imat, r, r);
    gsl_vector_view uv = gsl_vector_view_array(w->u, r);
    if (gsl_linalg_cholesky_decomp1(&im.matrix) != GSL_SUCCESS
        || gsl_linalg_cholesky_svx(&im.matrix, &uv.vector) != GSL_SUCCESS)
        return -1;
    memcpy(w->newbeta, w->beta, w->p * sizeof *w->beta);
    for (size_t a = 0; a < r; a++)
        w->newbeta[w->colmap[a]] += w->u[a];
    return 0;
}

/* coxph's iteration: a step that lowers the likelihood is halved. */
static void newton(utfall_cox_fit *fit, struct cox_work *w, double ll0)
{
    double ll = ll0;
    int halving = 0;
    fit->loglik = ll0;
    if (w->r == 0) {
        fit->converged = 1;
        return;
    }
    if (newton_step(w))
        return;
    for (int iter = 1; iter <= COX_MAXIT; iter++) {
        fit->iterations = iter;
        double nl = cox_compute(w, w->newbeta);
        if (!isfinite(nl))
            return;
        /* after a halving the change may be rounding alone */
        if (fabs(nl - ll) <= (halving ? COX_NOISE : COX_EPS) * fabs(nl) || nl == ll) {
            memcpy(w->beta, w->newbeta, w->p * sizeof *w->beta);
            fit->loglik = nl;
            fit->converged = 1;
            return;
        }
        if (nl < ll) {
            halving = 1;
            for (size_t a = 0; a < w->r; a++) {
                size_t j = w->colmap[a];
                w->newbeta[j] = (w->newbeta[j] + w->beta[j]) / 2;
            }
            continue;
        }
        halving = 0;
        ll = nl;
        memcpy(w->beta, w->newbeta, w->p * sizeof *w->beta);
        if (newton_step(w))
            return;
    }
}

static void coef_values(utfall_cox_coef *c, double est, double se, double zq)
{
    c->estimate = est;
    c->se = se;
    c->z = est / se;
    c->p_value = 2.0 * gsl_cdf_ugaussian_Q(fabs(c->z));
    c->hazard_ratio = exp(est);
    c->hr_low = exp(est - zq * se);
    c->hr_high = exp(est + zq * se);
}

/* States, estimates and the covariance (the inverse information at the
 * estimate) of every column. */
static void set_coefficients(utfall_cox_fit *fit, struct cox_work *w)
{
    size_t p = w->p, r = w->r;
    double zq = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - fit->conf_level) / 2.0);
    int ok = fit->converged;
    if (ok && r > 0) {
        cox_compute(w, w->beta);
        gsl_matrix_view im = gsl_matrix_view_array(w->imat, r, r);
        ok = gsl_linalg_cholesky_decomp1(&im.matrix) == GSL_SUCCESS
             && gsl_linalg_cholesky_invert(&im.matrix) == GSL_SUCCESS;
    }
    for (size_t j = 0; j < p * p; j++)
        fit->cov[j] = NAN;
    for (size_t j = 0; j < p; j++) {
        utfall_cox_coef *c = &fit->coef[j];
        *c = (utfall_cox_coef){UTFALL_COEF_UNRELIABLE, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
        if (w->aliased[j]) {
            c->state = UTFALL_COEF_ALIASED;
            fit->n_aliased++;
        } else if (w->sign[j]) {
            c->state = UTFALL_COEF_INFINITE;
            c->estimate = w->sign[j] * INFINITY;
            c->hazard_ratio = w->sign[j] > 0 ? INFINITY : 0.0;
            fit->n_infinite++;
        } else if (w->dropped[j] || !ok) {
            fit->n_unreliable++;
        }
    }
    for (size_t a = 0; ok && a < r; a++) {
        size_t ja = w->colmap[a];
        fit->coef[ja].state = UTFALL_COEF_OK;
        coef_values(&fit->coef[ja], w->beta[ja], sqrt(w->imat[a * r + a]), zq);
        for (size_t b = 0; b < r; b++)
            fit->cov[ja * p + w->colmap[b]] = w->imat[a * r + b];
    }
}

utfall_status utfall_cox_fit_matrix(size_t n, size_t p, const double *X, const double *time,
                                    const int *event, const int *stratum, double conf_level,
                                    utfall_cox_fit **out, utfall_error *err)
{
    if (!out)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT, "no output pointer");
    *out = NULL;
    utfall_status st = check_args(n, p, X, time, event, conf_level, err);
    if (st)
        return st;
    utfall_cox_fit *fit = fit_new(n, p, conf_level);
    if (!fit)
        return nomem(err);
    struct cox_work w = {.p = p};
    st = complete_rows(fit, &w, X, time, event, stratum, err);
    if (!st && (find_aliased(&w) || find_infinite(&w)))
        st = nomem(err);
    if (!st) {
        double ll0 = choose_columns(&w);
        fit->loglik_null = ll0;
        newton(fit, &w, ll0);
        set_coefficients(fit, &w);
    }
    work_free(&w);
    if (st) {
        utfall_cox_free(fit);
        fit = NULL;
    }
    *out = fit;
    return st;
}

utfall_status utfall_cox_fit_design(const utfall_design *d, const double *time, const int *event,
                                    const int *stratum, double conf_level, utfall_cox_fit **out,
                                    utfall_error *err)
{
    if (!d)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT, "no design");
    return utfall_cox_fit_matrix(utfall_design_rows(d), utfall_design_cols(d),
                                 utfall_design_matrix(d), time, event, stratum, conf_level, out,
                                 err);
}
