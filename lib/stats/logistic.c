#include "utfall/logistic.h"

#include <float.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "stats/stats_internal.h"

/* ----------------------------------------------------------- design matrix */

typedef struct design_term {
    int is_factor;
    int n_levels, reference;
    size_t first_col; /* first of the term's columns */
} design_term;

struct utfall_design {
    size_t n, p;
    int intercept;
    double *x;     /* row-major n x p */
    char **names;  /* p */
    size_t names_cap;
    design_term *terms;
    int n_terms;
    size_t terms_cap;
};

static utfall_status nomem(utfall_error *err)
{
    return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
}

void utfall_design_free(utfall_design *d)
{
    if (!d)
        return;
    for (size_t j = 0; j < d->p; j++)
        free(d->names[j]);
    free(d->names);
    free(d->x);
    free(d->terms);
    free(d);
}

/* Widen d by k columns; the new ones are zero. */
static int design_grow(utfall_design *d, size_t k)
{
    size_t np = d->p + k;
    double *x = calloc(d->n * np > 0 ? d->n * np : 1, sizeof *x);
    if (!x || UTFALL_GROW(d->names, d->names_cap, np)) {
        free(x);
        return -1;
    }
    for (size_t i = 0; i < d->n; i++)
        memcpy(x + i * np, d->x + i * d->p, d->p * sizeof *x);
    free(d->x);
    d->x = x;
    d->p = np;
    return 0;
}

static int design_add_term(utfall_design *d, design_term t)
{
    if (UTFALL_GROW(d->terms, d->terms_cap, (size_t)d->n_terms + 1))
        return -1;
    d->terms[d->n_terms++] = t;
    return 0;
}

utfall_status utfall_design_new(size_t n_rows, int intercept, utfall_design **out,
                                utfall_error *err)
{
    if (!out)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT, "no output pointer");
    utfall_design *d = calloc(1, sizeof *d);
    *out = NULL;
    if (!d)
        return nomem(err);
    d->n = n_rows;
    d->x = malloc(1);
    if (!d->x) {
        free(d);
        return nomem(err);
    }
    if (intercept) {
        if (design_grow(d, 1) != 0 || !(d->names[0] = strdup("(Intercept)"))) {
            utfall_design_free(d);
            return nomem(err);
        }
        for (size_t i = 0; i < n_rows; i++)
            d->x[i] = 1.0;
        d->intercept = 1;
    }
    *out = d;
    return UTFALL_OK;
}

utfall_status utfall_design_add_numeric(utfall_design *d, const char *name, const double *values,
                                        utfall_error *err)
{
    if (!d || !name || (d->n && !values))
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT,
                                "a numeric column needs a design, a name and values");
    for (size_t i = 0; i < d->n; i++)
        if (isinf(values[i]))
            return utfall_row_error(err, i, UTFALL_EC_BAD_LOGIT_DATA, "'%s' is infinite", name);
    size_t j = d->p;
    design_term t = {0, 0, 0, j};
    if (design_grow(d, 1) != 0 || !(d->names[j] = strdup(name)) || design_add_term(d, t) != 0)
        return nomem(err);
    for (size_t i = 0; i < d->n; i++)
        d->x[i * d->p + j] = values[i];
    return UTFALL_OK;
}

utfall_status utfall_design_add_factor(utfall_design *d, const char *name, const int *level,
                                       int n_levels, int reference,
                                       const char *const *level_names, int *term,
                                       utfall_error *err)
{
    if (!d || !name || (d->n && !level) || n_levels < 1 || reference < 0 ||
        reference >= n_levels)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT,
                                "factor '%s' needs levels 0..%d and a reference among them",
                                name ? name : "?", n_levels - 1);
    for (size_t i = 0; i < d->n; i++)
        if (level[i] < -1 || level[i] >= n_levels)
            return utfall_row_error(err, i, UTFALL_EC_BAD_LOGIT_DATA,
                                    "'%s' has level %d, outside 0..%d (-1 = missing)", name,
                                    level[i], n_levels - 1);
    if (n_levels == 1)
        for (size_t i = 0; i < d->n; i++)
            if (level[i] < 0)
                /* a one-level factor has no column that could carry the gap */
                return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT,
                                        "factor '%s' has one level and missing values", name);
    size_t first = d->p, k = (size_t)(n_levels - 1);
    design_term t = {1, n_levels, reference, first};
    if (design_grow(d, k) != 0 || design_add_term(d, t) != 0)
        return nomem(err);
    size_t j = first;
    for (int l = 0; l < n_levels; l++) {
        if (l == reference)
            continue;
        char buf[512];
        if (level_names && level_names[l])
            snprintf(buf, sizeof buf, "%s%s", name, level_names[l]);
        else
            snprintf(buf, sizeof buf, "%s%d", name, l);
        if (!(d->names[j] = strdup(buf)))
            return nomem(err);
        for (size_t i = 0; i < d->n; i++)
            d->x[i * d->p + j] = level[i] < 0 ? NAN : (level[i] == l ? 1.0 : 0.0);
        j++;
    }
    if (term)
        *term = d->n_terms - 1;
    return UTFALL_OK;
}

size_t utfall_design_rows(const utfall_design *d)
{
    return d ? d->n : 0;
}

size_t utfall_design_cols(const utfall_design *d)
{
    return d ? d->p : 0;
}

const double *utfall_design_matrix(const utfall_design *d)
{
    return d ? d->x : NULL;
}

const char *utfall_design_column_name(const utfall_design *d, size_t j)
{
    return d && j < d->p ? d->names[j] : NULL;
}

int utfall_design_term_levels(const utfall_design *d, int term)
{
    if (!d || term < 0 || term >= d->n_terms || !d->terms[term].is_factor)
        return 0;
    return d->terms[term].n_levels;
}

/* --------------------------------------------------------- binomial family */

/* The logit link exactly as R's C code (family.c) computes it. */
#define LOGIT_THRESH 30.0
#define LOGIT_MTHRESH -30.0

static double logit_linkinv(double eta)
{
    double tmp = eta < LOGIT_MTHRESH  ? DBL_EPSILON
                 : eta > LOGIT_THRESH ? 1.0 / DBL_EPSILON
                                      : exp(eta);
    return tmp / (1.0 + tmp);
}

static double logit_mu_eta(double eta)
{
    double opexp = 1.0 + exp(eta);
    return (eta > LOGIT_THRESH || eta < LOGIT_MTHRESH) ? DBL_EPSILON : exp(eta) / (opexp * opexp);
}

static double binom_dev(double y, double mu)
{
    return y > 0 ? -2.0 * log(mu) : -2.0 * log1p(-mu);
}

/* ---------------------------------------------------------------- the fit */

void utfall_logit_free(utfall_logit_fit *fit)
{
    if (!fit)
        return;
    free(fit->coef);
    free(fit->cov);
    free(fit->used);
    free(fit);
}

/* Which columns are linear combinations of earlier ones: Gram–Schmidt (twice)
 * over the used rows, a column being negligible when what is left of it is
 * below tol times its original norm — the test of LINPACK dqrdc2, which R's
 * glm.fit uses with tol = 1e-11. */
static int find_aliased(const double *xs, size_t m, size_t p, unsigned char *aliased)
{
    const double tol = 1e-11;
    double *q = malloc((m * p > 0 ? m * p : 1) * sizeof *q); /* column-major orthonormal basis */
    double *v = malloc((m ? m : 1) * sizeof *v);
    if (!q || !v) {
        free(q);
        free(v);
        return -1;
    }
    size_t r = 0;
    for (size_t j = 0; j < p; j++) {
        double norm0 = 0;
        for (size_t i = 0; i < m; i++) {
            v[i] = xs[i * p + j];
            norm0 += v[i] * v[i];
        }
        aliased[j] = !utfall_basis_extend(q, m, r, v, sqrt(norm0), tol);
        r += !aliased[j];
    }
    free(q);
    free(v);
    return 0;
}

/* Columns whose coefficient is infinite: every active row where the column is
 * non-zero has the same outcome and the column has one sign there.  Rows so
 * explained leave the active set and the search repeats, so that, e.g., an
 * intercept left with one outcome after a group was removed is found too.
 * sign[j] is -1 or +1 for such columns, order[j] the round that found it. */
static void find_infinite(const double *xs, const double *ys, size_t m, size_t p,
                          const unsigned char *aliased, unsigned char *active, int *sign,
                          int *order)
{
    int changed = 1, round = 0;
    while (changed) {
        changed = 0;
        round++;
        for (size_t j = 0; j < p; j++) {
            if (aliased[j] || sign[j])
                continue;
            int pos = 0, neg = 0, y0 = 0, y1 = 0;
            for (size_t i = 0; i < m; i++) {
                if (!active[i])
                    continue;
                double x = xs[i * p + j];
                if (x == 0)
                    continue;
                if (x > 0)
                    pos = 1;
                else
                    neg = 1;
                if (ys[i] > 0)
                    y1 = 1;
                else
                    y0 = 1;
            }
            if ((pos && neg) || (!pos && !neg) || (y0 && y1))
                continue;
            /* larger x goes with y = 1: beta -> +inf; with y = 0: -> -inf */
            sign[j] = (y1 ? 1 : -1) * (pos ? 1 : -1);
            order[j] = round;
            for (size_t i = 0; i < m; i++)
                if (xs[i * p + j] != 0)
                    active[i] = 0;
            changed = 1;
        }
    }
}

/* Inverse of R'R from the upper triangle of a QR factorisation. */
static int cov_from_qr(const gsl_matrix *qr, gsl_matrix *cov)
{
    size_t r = cov->size1;
    gsl_matrix *rinv = gsl_matrix_calloc(r, r);
    if (!rinv)
        return GSL_ENOMEM;
    for (size_t a = 0; a < r; a++)
        for (size_t b = a; b < r; b++)
            gsl_matrix_set(rinv, a, b, gsl_matrix_get(qr, a, b));
    int rc = gsl_linalg_tri_upper_invert(rinv);
    if (rc == GSL_SUCCESS)
        rc = gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, rinv, rinv, 0.0, cov);
    gsl_matrix_free(rinv);
    return rc;
}

static void set_nan_coef(utfall_logit_coef *c)
{
    c->estimate = c->se = c->z = c->p_value = NAN;
    c->odds_ratio = c->or_low = c->or_high = NAN;
}

/* glm.control()$maxit */
#define IRLS_MAXIT 25

static utfall_status check_fit_args(size_t n, size_t p, const double *X, const double *y,
                                    double conf_level, utfall_error *err)
{
    if (p == 0 || (n > 0 && (!X || !y)))
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT,
                                "a logistic fit needs at least one column, X and y");
    utfall_status st = utfall_check_conf_level(conf_level, err);
    for (size_t i = 0; !st && i < n; i++) {
        if (!isnan(y[i]) && y[i] != 0 && y[i] != 1)
            st = utfall_row_error(err, i, UTFALL_EC_BAD_LOGIT_DATA, "the outcome is not 0 or 1");
        else if (utfall_row_has_infinite(X, p, i))
            st = utfall_row_error(err, i, UTFALL_EC_BAD_LOGIT_DATA, "a covariate is infinite");
    }
    return st;
}

/* What one fit works on besides the fit itself. */
struct irls {
    size_t p;               /* columns of X */
    size_t m;               /* complete rows, copied to xs (m x p) and ys */
    size_t r;               /* columns estimated: colmap[0..r) */
    double *xs, *ys;
    double *eta, *mu;       /* m each, at the current estimate */
    double *beta;           /* p; 0 for aliased columns */
    unsigned char *aliased; /* p */
    unsigned char *active;  /* m: rows not yet explained by an infinite column */
    int *sign, *order;      /* p: find_infinite's */
    size_t *colmap;
    gsl_matrix *A, *cov;    /* weighted design (its QR after a step), r x r covariance */
    gsl_vector *tau, *b, *sol, *res;
};

static void irls_free(struct irls *w)
{
    free(w->xs);
    free(w->ys);
    free(w->eta);
    free(w->mu);
    free(w->beta);
    free(w->aliased);
    free(w->active);
    free(w->sign);
    free(w->order);
    free(w->colmap);
    gsl_matrix_free(w->A);
    gsl_matrix_free(w->cov);
    gsl_vector_free(w->tau);
    gsl_vector_free(w->b);
    gsl_vector_free(w->sol);
    gsl_vector_free(w->res);
}

/* The arrays of one per column; those of one per row wait for the count
 * of complete rows. */
static int irls_alloc(struct irls *w)
{
    size_t p = w->p;
    w->aliased = calloc(p, 1);
    w->sign = calloc(p, sizeof *w->sign);
    w->order = calloc(p, sizeof *w->order);
    w->colmap = calloc(p, sizeof *w->colmap);
    w->beta = calloc(p, sizeof *w->beta);
    return w->aliased && w->sign && w->order && w->colmap && w->beta ? 0 : -1;
}

static utfall_logit_fit *fit_new(size_t n, size_t p, double conf_level)
{
    utfall_logit_fit *fit = calloc(1, sizeof *fit);
    if (!fit)
        return NULL;
    fit->n_rows = n;
    fit->p = p;
    fit->conf_level = conf_level;
    fit->coef = calloc(p, sizeof *fit->coef);
    fit->cov = malloc(p * p * sizeof *fit->cov);
    fit->used = calloc(n ? n : 1, 1);
    if (!fit->coef || !fit->cov || !fit->used) {
        utfall_logit_free(fit);
        return NULL;
    }
    return fit;
}

/* The rows with y and every column present, copied to w->xs and w->ys. */
static utfall_status complete_cases(utfall_logit_fit *fit, struct irls *w, const double *X,
                                    const double *y, utfall_error *err)
{
    size_t n = fit->n_rows, p = w->p, m = 0;
    for (size_t i = 0; i < n; i++) {
        int ok = !isnan(y[i]) && utfall_row_is_complete(X, p, i);
        fit->used[i] = (unsigned char)ok;
        m += (size_t)ok;
    }
    fit->n_used = w->m = m;
    if (m == 0)
        return utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_NO_ROWS,
                                "no row has the outcome and every covariate");
    w->xs = malloc(m * p * sizeof *w->xs);
    w->ys = malloc(m * sizeof *w->ys);
    w->eta = malloc(m * sizeof *w->eta);
    w->mu = malloc(m * sizeof *w->mu);
    w->active = malloc(m);
    if (!w->xs || !w->ys || !w->eta || !w->mu || !w->active)
        return nomem(err);
    for (size_t i = 0, k = 0; i < n; i++)
        if (fit->used[i]) {
            memcpy(w->xs + k * p, X + i * p, p * sizeof *w->xs);
            w->ys[k++] = y[i];
        }
    return UTFALL_OK;
}

/* Leaves out the columns that are linear combinations of earlier ones and
 * sizes the least-squares problem for the rest. */
static utfall_status drop_aliased(utfall_logit_fit *fit, struct irls *w, utfall_error *err)
{
    size_t m = w->m, p = w->p, r = 0;
    if (find_aliased(w->xs, m, p, w->aliased) != 0)
        return nomem(err);
    for (size_t j = 0; j < p; j++)
        if (!w->aliased[j])
            w->colmap[r++] = j;
    w->r = fit->rank = r;
    fit->n_aliased = (int)(p - r);
    w->A = gsl_matrix_alloc(m, r);
    w->cov = gsl_matrix_alloc(r, r);
    w->tau = gsl_vector_alloc(r < m ? r : m);
    w->b = gsl_vector_alloc(m);
    w->sol = gsl_vector_alloc(r);
    w->res = gsl_vector_alloc(m);
    if (!w->A || !w->cov || !w->tau || !w->b || !w->sol || !w->res)
        return nomem(err);
    if (m < r)
        /* fewer rows than free columns cannot happen after aliasing, but keep
         * GSL's least-squares precondition visible */
        return utfall_error_set(err, UTFALL_ERR_INTERNAL, UTFALL_EC_LOGIT_INTERNAL,
                                "fewer rows (%zu) than columns (%zu) after aliasing", m, r);
    return UTFALL_OK;
}

/* One iteration's weighted least-squares solve, into beta. */
static int irls_solve(struct irls *w)
{
    size_t p = w->p, r = w->r;
    for (size_t i = 0; i < w->m; i++) {
        double me = logit_mu_eta(w->eta[i]);
        double z = w->eta[i] + (w->ys[i] - w->mu[i]) / me;
        double wt = sqrt(me * me / (w->mu[i] * (1.0 - w->mu[i])));
        gsl_vector_set(w->b, i, z * wt);
        for (size_t c = 0; c < r; c++)
            gsl_matrix_set(w->A, i, c, w->xs[i * p + w->colmap[c]] * wt);
    }
    if (gsl_linalg_QR_decomp(w->A, w->tau) != GSL_SUCCESS ||
        gsl_linalg_QR_lssolve(w->A, w->tau, w->b, w->sol, w->res) != GSL_SUCCESS)
        return -1;
    for (size_t c = 0; c < r; c++)
        w->beta[w->colmap[c]] = gsl_vector_get(w->sol, c);
    return 0;
}

/* eta and mu at beta; returns the deviance. */
static double irls_predict(struct irls *w)
{
    size_t p = w->p;
    double dev = 0;
    for (size_t i = 0; i < w->m; i++) {
        double e = 0;
        for (size_t c = 0; c < w->r; c++)
            e += w->xs[i * p + w->colmap[c]] * w->beta[w->colmap[c]];
        w->eta[i] = e;
        w->mu[i] = logit_linkinv(e);
        dev += binom_dev(w->ys[i], w->mu[i]);
    }
    return dev;
}

/* glm.fit, binomial family, no weights, no offset. */
static utfall_status irls(utfall_logit_fit *fit, struct irls *w, utfall_error *err)
{
    double devold = 0, dev = 0;
    for (size_t i = 0; i < w->m; i++) {
        double mus = (w->ys[i] + 0.5) / 2.0;
        w->eta[i] = log(mus / (1.0 - mus));
        w->mu[i] = logit_linkinv(w->eta[i]);
        devold += binom_dev(w->ys[i], w->mu[i]);
    }
    int conv = 0, iter;
    for (iter = 1; iter <= IRLS_MAXIT; iter++) {
        if (irls_solve(w) != 0)
            return utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_LOGIT_SINGULAR,
                                    "the weighted design became singular in iteration %d", iter);
        dev = irls_predict(w);
        if (!isfinite(dev))
            return utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_LOGIT_DIVERGED,
                                    "the deviance is not finite in iteration %d", iter);
        if (fabs(dev - devold) / (fabs(dev) + 0.1) < 1e-8) {
            conv = 1;
            break;
        }
        devold = dev;
    }
    fit->converged = conv;
    fit->iterations = conv ? iter : IRLS_MAXIT;
    fit->deviance = dev;
    fit->aic = dev + 2.0 * (double)w->r;
    return UTFALL_OK;
}

/* Intercept-only when a column of ones is present, else p = 0.5. */
static void null_deviance(utfall_logit_fit *fit, const struct irls *w)
{
    size_t m = w->m, p = w->p;
    int has_intercept = 0;
    for (size_t j = 0; j < p && !has_intercept; j++) {
        int ones = 1;
        for (size_t i = 0; i < m && ones; i++)
            ones = w->xs[i * p + j] == 1.0;
        has_intercept = ones;
    }
    double ybar = 0;
    for (size_t i = 0; i < m; i++)
        ybar += w->ys[i];
    ybar = has_intercept ? ybar / (double)m : 0.5;
    fit->null_deviance = 0;
    for (size_t i = 0; i < m; i++)
        fit->null_deviance += binom_dev(w->ys[i], ybar);
}

/* What went wrong, if anything: fitted values at 0 or 1, infinite
 * coefficients.  Returns 1 when some fitted 0 or 1 is not explained by an
 * infinite coefficient. */
static int find_trouble(utfall_logit_fit *fit, struct irls *w)
{
    const double eps = 10.0 * DBL_EPSILON;
    size_t m = w->m;
    for (size_t i = 0; i < m; i++)
        if (w->mu[i] > 1.0 - eps || w->mu[i] < eps)
            fit->fitted_01 = 1;
    memset(w->active, 1, m);
    find_infinite(w->xs, w->ys, m, w->p, w->aliased, w->active, w->sign, w->order);
    int unexplained = 0;
    for (size_t i = 0; i < m; i++)
        if (w->active[i] && (w->mu[i] > 1.0 - eps || w->mu[i] < eps))
            unexplained = 1;
    return unexplained;
}

static void coef_values(utfall_logit_coef *c, int sign, double zq)
{
    set_nan_coef(c);
    if (c->state == UTFALL_COEF_INFINITE) {
        c->estimate = sign * INFINITY;
        c->odds_ratio = sign > 0 ? INFINITY : 0.0;
    } else if (c->state == UTFALL_COEF_OK) {
        c->estimate = c->glm_estimate;
        c->se = c->glm_se;
        c->z = c->estimate / c->se;
        c->p_value = 2.0 * gsl_cdf_ugaussian_Q(fabs(c->z));
        c->odds_ratio = exp(c->estimate);
        c->or_low = exp(c->estimate - zq * c->se);
        c->or_high = exp(c->estimate + zq * c->se);
    }
}

/* Each coefficient's state and values, and the covariance of the OK ones;
 * without convergence, or with fitted 0 or 1 left unexplained, no finite
 * estimate can be trusted. */
static void set_coefficients(utfall_logit_fit *fit, const struct irls *w, int unexplained)
{
    size_t p = w->p, r = w->r;
    int unreliable = unexplained || !fit->converged;
    double zq = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - fit->conf_level) / 2.0);
    for (size_t j = 0; j < p * p; j++)
        fit->cov[j] = NAN;
    for (size_t a = 0; a < r; a++) {
        size_t ja = w->colmap[a];
        utfall_logit_coef *c = &fit->coef[ja];
        c->glm_estimate = w->beta[ja];
        c->glm_se = sqrt(gsl_matrix_get(w->cov, a, a));
        if (w->sign[ja]) {
            c->state = UTFALL_COEF_INFINITE;
            c->infinite_order = w->order[ja];
            fit->n_infinite++;
        } else if (unreliable) {
            c->state = UTFALL_COEF_UNRELIABLE;
            fit->n_unreliable++;
        } else {
            c->state = UTFALL_COEF_OK;
        }
    }
    for (size_t j = 0; j < p; j++) {
        utfall_logit_coef *c = &fit->coef[j];
        if (w->aliased[j]) {
            c->state = UTFALL_COEF_ALIASED;
            c->glm_estimate = c->glm_se = NAN;
        }
        coef_values(c, w->sign[j], zq);
    }
    for (size_t a = 0; a < r; a++)
        for (size_t c2 = 0; c2 < r; c2++)
            if (fit->coef[w->colmap[a]].state == UTFALL_COEF_OK &&
                fit->coef[w->colmap[c2]].state == UTFALL_COEF_OK)
                fit->cov[w->colmap[a] * p + w->colmap[c2]] = gsl_matrix_get(w->cov, a, c2);
    fit->separation = fit->n_infinite > 0 || unexplained;
}

utfall_status utfall_logit_fit_matrix(size_t n, size_t p, const double *X, const double *y,
                                      double conf_level, utfall_logit_fit **out,
                                      utfall_error *err)
{
    if (!out)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT, "no output pointer");
    *out = NULL;
    utfall_status st = check_fit_args(n, p, X, y, conf_level, err);
    if (st)
        return st;
    utfall_logit_fit *fit = fit_new(n, p, conf_level);
    if (!fit)
        return nomem(err);
    struct irls w = {.p = p};
    if (irls_alloc(&w) != 0)
        st = nomem(err);
    if (!st)
        st = complete_cases(fit, &w, X, y, err);
    if (!st)
        st = drop_aliased(fit, &w, err);
    if (!st)
        st = irls(fit, &w, err);
    if (!st) {
        null_deviance(fit, &w);
        /* covariance from the last iteration's QR, as summary.glm */
        if (cov_from_qr(w.A, w.cov) != GSL_SUCCESS)
            st = utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_LOGIT_SINGULAR,
                                  "the information matrix cannot be inverted");
    }
    if (!st)
        set_coefficients(fit, &w, find_trouble(fit, &w));
    irls_free(&w);
    if (st) {
        utfall_logit_free(fit);
        fit = NULL;
    }
    *out = fit;
    return st;
}

utfall_status utfall_logit_fit_design(const utfall_design *d, const double *y, double conf_level,
                                      utfall_logit_fit **out, utfall_error *err)
{
    if (!d)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT, "no design");
    return utfall_logit_fit_matrix(d->n, d->p, d->x, y, conf_level, out, err);
}

/* ------------------------------------------------- cluster-robust covariance */

/* The rows and columns of the robust covariance: used rows on which no
 * INFINITE column is non-zero, OK columns with information there. */
struct cl_work {
    size_t m, r, p;
    double *x, *y, *mu;    /* m x r; m; m */
    long *cl;              /* m */
    size_t *col;           /* r: the fit's column */
    double *beta;          /* r */
    gsl_matrix *info, *meat;
    gsl_vector *score;
};

static void cl_free(struct cl_work *w)
{
    free(w->x);
    free(w->y);
    free(w->mu);
    free(w->cl);
    free(w->col);
    free(w->beta);
    gsl_matrix_free(w->info);
    gsl_matrix_free(w->meat);
    gsl_vector_free(w->score);
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

/* The number of distinct clusters among the rows used. */
static size_t count_clusters(const utfall_logit_fit *fit, const long *cluster, int *bad)
{
    long *c = malloc((fit->n_used ? fit->n_used : 1) * sizeof *c);
    size_t k = 0, g = 0;
    if (!c)
        return 0;
    for (size_t i = 0; i < fit->n_rows; i++)
        if (fit->used[i]) {
            *bad |= cluster[i] < 0;
            c[k++] = cluster[i];
        }
    qsort(c, k, sizeof *c, cmp_long);
    for (size_t i = 0; i < k; i++)
        g += i == 0 || c[i] != c[i - 1];
    free(c);
    return g;
}

static int cl_collect(struct cl_work *w, const utfall_logit_fit *fit, const double *X,
                      const double *y, const long *cluster)
{
    size_t p = fit->p, n = fit->n_rows;
    w->p = p;
    w->col = malloc(p * sizeof *w->col);
    w->x = malloc((n > 0 && p > 0 ? n * p : 1) * sizeof *w->x);
    w->y = malloc((n ? n : 1) * sizeof *w->y);
    w->mu = malloc((n ? n : 1) * sizeof *w->mu);
    w->cl = malloc((n ? n : 1) * sizeof *w->cl);
    w->beta = malloc(p * sizeof *w->beta);
    if (!w->col || !w->x || !w->y || !w->mu || !w->cl || !w->beta)
        return -1;
    for (size_t j = 0; j < p; j++)
        if (fit->coef[j].state == UTFALL_COEF_OK) {
            w->beta[w->r] = fit->coef[j].estimate;
            w->col[w->r++] = j;
        }
    /* an OK column that is 0 on every active row has no information
     * here: it keeps its estimate, without a standard error */
    size_t keep = 0;
    for (size_t a = 0; a < w->r; a++) {
        int any = 0;
        for (size_t i = 0; i < n && !any; i++) {
            int active = fit->used[i];
            for (size_t j = 0; j < p && active; j++)
                active = !(fit->coef[j].state == UTFALL_COEF_INFINITE && X[i * p + j] != 0);
            any = active && X[i * p + w->col[a]] != 0;
        }
        if (any) {
            w->beta[keep] = w->beta[a];
            w->col[keep++] = w->col[a];
        } else {
            utfall_logit_coef *co = &fit->coef[w->col[a]];
            co->se = co->z = co->p_value = co->or_low = co->or_high = NAN;
            for (size_t b = 0; b < p; b++)
                fit->cov[w->col[a] * p + b] = fit->cov[b * p + w->col[a]] = NAN;
        }
    }
    w->r = keep;
    for (size_t i = 0; i < n; i++) {
        int active = fit->used[i];
        for (size_t j = 0; j < p && active; j++)
            active = !(fit->coef[j].state == UTFALL_COEF_INFINITE && X[i * p + j] != 0);
        if (!active)
            continue;
        for (size_t a = 0; a < w->r; a++)
            w->x[w->m * w->r + a] = X[i * p + w->col[a]];
        w->y[w->m] = y[i];
        w->cl[w->m++] = cluster[i];
    }
    w->info = gsl_matrix_alloc(w->r ? w->r : 1, w->r ? w->r : 1);
    w->meat = gsl_matrix_calloc(w->r ? w->r : 1, w->r ? w->r : 1);
    w->score = gsl_vector_alloc(w->r ? w->r : 1);
    return w->info && w->meat && w->score ? 0 : -1;
}

/* mu, the information X'WX and the score X'(y − mu) at beta. */
static void cl_moments(struct cl_work *w)
{
    size_t r = w->r;
    gsl_matrix_set_zero(w->info);
    gsl_vector_set_zero(w->score);
    for (size_t i = 0; i < w->m; i++) {
        const double *xi = w->x + i * r;
        double eta = 0;
        for (size_t a = 0; a < r; a++)
            eta += xi[a] * w->beta[a];
        double mu = logit_linkinv(eta), wt = mu * (1.0 - mu);
        w->mu[i] = mu;
        for (size_t a = 0; a < r; a++) {
            *gsl_vector_ptr(w->score, a) += (w->y[i] - mu) * xi[a];
            for (size_t b = 0; b <= a; b++)
                *gsl_matrix_ptr(w->info, a, b) += wt * xi[a] * xi[b];
        }
    }
    for (size_t a = 0; a < r; a++)
        for (size_t b = a + 1; b < r; b++)
            gsl_matrix_set(w->info, a, b, gsl_matrix_get(w->info, b, a));
}

/* Newton–Raphson until the estimate no longer changes; then info holds
 * (X'WX)^-1 at it.  −1 when the information is singular. */
static int cl_converge(struct cl_work *w)
{
    for (int iter = 0; iter < 100; iter++) {
        cl_moments(w);
        if (gsl_linalg_cholesky_decomp1(w->info) != GSL_SUCCESS
            || gsl_linalg_cholesky_svx(w->info, w->score) != GSL_SUCCESS)
            return -1;
        double change = 0, size = 0;
        for (size_t a = 0; a < w->r; a++) {
            double d = gsl_vector_get(w->score, a);
            w->beta[a] += d;
            change = fmax(change, fabs(d));
            size = fmax(size, fabs(w->beta[a]));
        }
        if (change <= 1e-13 * (1.0 + size))
            break;
    }
    cl_moments(w);
    if (gsl_linalg_cholesky_decomp1(w->info) != GSL_SUCCESS
        || gsl_linalg_cholesky_invert(w->info) != GSL_SUCCESS)
        return -1;
    return 0;
}

struct cl_row {
    long cl;
    size_t row;
};

static int cmp_cl_row(const void *a, const void *b)
{
    const struct cl_row *x = a, *y = b;
    if (x->cl != y->cl)
        return x->cl < y->cl ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* sum_g U_g U_g' over the clusters, U_g = sum (y − mu) x over its rows. */
static int cl_meat(struct cl_work *w)
{
    size_t r = w->r;
    struct cl_row *ord = malloc((w->m ? w->m : 1) * sizeof *ord);
    double *u = calloc(r ? r : 1, sizeof *u);
    if (!ord || !u) {
        free(ord);
        free(u);
        return -1;
    }
    for (size_t i = 0; i < w->m; i++)
        ord[i] = (struct cl_row){w->cl[i], i};
    qsort(ord, w->m, sizeof *ord, cmp_cl_row);
    for (size_t k = 0; k < w->m; k++) {
        size_t i = ord[k].row;
        for (size_t a = 0; a < r; a++)
            u[a] += (w->y[i] - w->mu[i]) * w->x[i * r + a];
        if (k + 1 < w->m && ord[k + 1].cl == ord[k].cl)
            continue;
        for (size_t a = 0; a < r; a++)
            for (size_t b = 0; b < r; b++)
                *gsl_matrix_ptr(w->meat, a, b) += u[a] * u[b];
        memset(u, 0, r * sizeof *u);
    }
    free(ord);
    free(u);
    return 0;
}

/* The OK coefficients from the converged estimate and V = c B M B. */
static void cl_write(utfall_logit_fit *fit, struct cl_work *w, int ok, double c)
{
    size_t r = w->r, p = fit->p;
    double zq = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - fit->conf_level) / 2.0);
    gsl_matrix *bm = ok ? gsl_matrix_alloc(r, r) : NULL, *v = ok ? gsl_matrix_alloc(r, r) : NULL;
    ok = ok && bm && v
         && gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, w->info, w->meat, 0.0, bm) == 0
         && gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, c, bm, w->info, 0.0, v) == 0;
    for (size_t a = 0; a < r; a++) {
        utfall_logit_coef *co = &fit->coef[w->col[a]];
        co->glm_se = co->se;
        double est = ok ? w->beta[a] : co->estimate, se = ok ? sqrt(gsl_matrix_get(v, a, a)) : NAN;
        co->estimate = est;
        co->se = se;
        co->z = est / se;
        co->p_value = 2.0 * gsl_cdf_ugaussian_Q(fabs(co->z));
        co->odds_ratio = exp(est);
        co->or_low = exp(est - zq * se);
        co->or_high = exp(est + zq * se);
        for (size_t b = 0; b < r; b++)
            fit->cov[w->col[a] * p + w->col[b]] = ok ? gsl_matrix_get(v, a, b) : NAN;
    }
    gsl_matrix_free(bm);
    gsl_matrix_free(v);
}

utfall_status utfall_logit_cluster(utfall_logit_fit *fit, const double *X, const double *y,
                                   const long *cluster, utfall_error *err)
{
    if (!fit || (fit->n_rows > 0 && (!X || !y || !cluster)))
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT,
                                "cluster-robust errors need the fit, its data and the clusters");
    int bad = 0;
    size_t g = count_clusters(fit, cluster, &bad);
    if (bad)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT,
                                "a row used in the fit has no cluster");
    if (g == 0 && fit->n_used > 0)
        return nomem(err);
    fit->clustered = 1;
    fit->n_clusters = g;
    struct cl_work w = {0};
    utfall_status st = UTFALL_OK;
    if (cl_collect(&w, fit, X, y, cluster)) {
        st = nomem(err);
    } else if (w.r > 0) {
        int ok = g >= 2 && cl_converge(&w) == 0;
        if (ok && cl_meat(&w))
            st = nomem(err);
        else
            cl_write(fit, &w, ok, (double)g / (double)(g - 1));
    }
    cl_free(&w);
    return st;
}

/* --------------------------------------------------------- standardisation */

static double expit(double e)
{
    return e >= 0 ? 1.0 / (1.0 + exp(-e)) : exp(e) / (1.0 + exp(e));
}

/* What standardisation over one factor term works on. */
struct std_work {
    const utfall_logit_fit *fit;
    const utfall_design *d;
    const design_term *t;
    int L;          /* the term's levels */
    size_t *col;    /* the term's column for each level; SIZE_MAX for the reference */
    double *grad;   /* level l's gradient of its share: grad[l * p .. l * p + p) */
    double *xi;     /* one row, with the term set to a level */
    int *touches;   /* level l's prediction met an infinite coefficient */
};

static void std_work_free(struct std_work *w)
{
    free(w->col);
    free(w->grad);
    free(w->xi);
    free(w->touches);
}

/* Row i's linear predictor with the term set to level l (the row in
 * w->xi).  OK coefficients enter with their values, aliased ones as 0 (as
 * predict() does); a row where an INFINITE column is non-zero is predicted
 * by its limit, 0 or 1, following the infinite column found first, and
 * *infinite says so. */
static double predict_at_level(struct std_work *w, size_t i, int l, int *infinite)
{
    size_t p = w->d->p;
    double *xi = w->xi;
    memcpy(xi, w->d->x + i * p, p * sizeof *xi);
    for (int k = 0; k < w->L; k++)
        if (w->col[k] != (size_t)-1)
            xi[w->col[k]] = k == l ? 1.0 : 0.0;
    double e = 0;
    int first_inf = 0;
    for (size_t j = 0; j < p; j++) {
        const utfall_logit_coef *c = &w->fit->coef[j];
        if (xi[j] == 0 || c->state == UTFALL_COEF_ALIASED)
            continue;
        if (c->state == UTFALL_COEF_INFINITE) {
            if (!first_inf || c->infinite_order < first_inf) {
                first_inf = c->infinite_order;
                e = (c->estimate > 0) == (xi[j] > 0) ? INFINITY : -INFINITY;
            }
        } else if (!first_inf) {
            e += xi[j] * c->estimate;
        }
    }
    *infinite = first_inf != 0;
    return e;
}

/* The mean predicted probability over the rows used with every row set to
 * level l, and its gradient in the coefficients. */
static void level_share(struct std_work *w, int l, utfall_logit_std *out)
{
    const utfall_logit_fit *fit = w->fit;
    size_t p = w->d->p;
    double sum = 0;
    double *g = w->grad + (size_t)l * p;
    for (size_t i = 0; i < w->d->n; i++) {
        if (!fit->used[i])
            continue;
        int infinite;
        double pr = expit(predict_at_level(w, i, l, &infinite));
        if (infinite)
            w->touches[l] = 1;
        sum += pr;
        for (size_t j = 0; j < p; j++)
            g[j] += pr * (1.0 - pr) * w->xi[j];
    }
    out[l].level = l;
    out[l].share = sum / (double)fit->n_used;
    for (size_t j = 0; j < p; j++)
        g[j] /= (double)fit->n_used;
}

/* Level l's difference from the reference, with a delta-method interval
 * where no infinite coefficient entered either share. */
static void level_difference(const struct std_work *w, int l, int estimable, double zq,
                             utfall_logit_std *out)
{
    const utfall_logit_fit *fit = w->fit;
    size_t p = w->d->p;
    int ref = w->t->reference;
    /* a level without rows has an aliased column: nothing to predict from */
    int lev_ok = estimable &&
                 (w->col[l] == (size_t)-1 || fit->coef[w->col[l]].state != UTFALL_COEF_ALIASED);
    out[l].level = l;
    out[l].estimable = lev_ok;
    out[l].se_estimable = lev_ok && !w->touches[l] && !w->touches[ref];
    if (!lev_ok) {
        out[l].share = out[l].diff = NAN;
        out[l].se = out[l].low = out[l].high = NAN;
        return;
    }
    out[l].diff = out[l].share - out[ref].share;
    if (!out[l].se_estimable) {
        out[l].se = out[l].low = out[l].high = NAN;
        return;
    }
    const double *gl = w->grad + (size_t)l * p, *gr = w->grad + (size_t)ref * p;
    double v = 0;
    for (size_t a = 0; a < p; a++) {
        if (fit->coef[a].state != UTFALL_COEF_OK)
            continue;
        for (size_t b = 0; b < p; b++)
            if (fit->coef[b].state == UTFALL_COEF_OK)
                v += (gl[a] - gr[a]) * fit->cov[a * p + b] * (gl[b] - gr[b]);
    }
    out[l].se = l == ref ? 0.0 : sqrt(v > 0 ? v : 0.0);
    out[l].low = out[l].diff - zq * out[l].se;
    out[l].high = out[l].diff + zq * out[l].se;
}

utfall_status utfall_logit_standardize(const utfall_logit_fit *fit, const utfall_design *d,
                                       int term, utfall_logit_std *out, utfall_error *err)
{
    if (!fit || !d || !out || fit->p != d->p || fit->n_rows != d->n)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT,
                                "standardisation needs the fit of this design");
    int L = utfall_design_term_levels(d, term);
    if (L == 0)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT,
                                "term %d is not a factor of the design", term);
    struct std_work w = {fit, d, &d->terms[term], L, NULL, NULL, NULL, NULL};
    w.col = malloc((size_t)L * sizeof *w.col);
    w.grad = calloc((size_t)L * d->p, sizeof *w.grad);
    w.xi = malloc(d->p * sizeof *w.xi);
    w.touches = calloc((size_t)L, sizeof *w.touches);
    if (!w.col || !w.grad || !w.xi || !w.touches) {
        std_work_free(&w);
        return nomem(err);
    }
    for (int l = 0, j = 0; l < L; l++)
        w.col[l] = l == w.t->reference ? (size_t)-1 : w.t->first_col + (size_t)j++;
    int estimable = fit->n_unreliable == 0;
    for (int l = 0; l < L && estimable; l++)
        level_share(&w, l, out);
    double zq = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - fit->conf_level) / 2.0);
    for (int l = 0; l < L; l++)
        level_difference(&w, l, estimable, zq, out);
    std_work_free(&w);
    return UTFALL_OK;
}
