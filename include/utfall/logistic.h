/* utfall — logistic regression (IRLS) and standardised shares.
 *
 * utfall_logit_fit_design()/_matrix() is glm(y ~ ..., family = binomial) for a 0/1
 * outcome: the same start (mu = (y + 0.5) / 2), the same iteration
 * (glm.fit's IRLS with the logit link's clamping at |eta| > 30), the same
 * stopping rule (|dev - dev_old| / (|dev| + 0.1) < 1e-8, at most 25
 * iterations), the same aliasing of collinear columns (tolerance 1e-11)
 * and the same standard errors (summary.glm: dispersion 1, from the
 * weights of the last iteration).  tests/survival checks it against R.
 *
 * What R does not do, and this does: say when an estimate does not exist.
 * Under separation R prints huge coefficients with huge standard errors,
 * sometimes with a warning, sometimes without; here each coefficient has
 * a state (see utfall_coef_state) and the fit says separation = 1. */
#ifndef UTFALL_LOGISTIC_H
#define UTFALL_LOGISTIC_H

#include <stddef.h>

#include "utfall/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ design matrix */

/* Columns built from per-row values, as R's model.matrix() builds them. */
typedef struct utfall_design utfall_design; /* opaque */

/* n_rows rows; intercept 1 adds the column "(Intercept)" of ones first. */
UTFALL_API utfall_status utfall_design_new(size_t n_rows, int intercept, utfall_design **out,
                                           utfall_error *err);
UTFALL_API void utfall_design_free(utfall_design *d);

/* One column, values[n_rows]; NaN marks a missing value (the row is left
 * out of the fit, like R's na.omit).  Infinite values are an error. */
UTFALL_API utfall_status utfall_design_add_numeric(utfall_design *d, const char *name,
                                                   const double *values, utfall_error *err);

/* A factor: level[i] in 0..n_levels-1, or -1 for missing.  Adds one 0/1
 * column per level except the reference, in level order, named
 * name + level_names[l] ("group" + "SE" = "groupSE", R's convention;
 * level_names NULL gives "group1", "group2", … by index).  *term (may be
 * NULL) receives the term's number, for utfall_logit_standardize().
 * Levels no row has still get a column; the fit then marks it aliased. */
UTFALL_API utfall_status utfall_design_add_factor(utfall_design *d, const char *name,
                                                  const int *level, int n_levels, int reference,
                                                  const char *const *level_names, int *term,
                                                  utfall_error *err);

UTFALL_API size_t utfall_design_rows(const utfall_design *d);
UTFALL_API size_t utfall_design_cols(const utfall_design *d);
/* Row-major n_rows x cols; NaN marks a missing value.  Valid until the
 * next utfall_design_add_*() or utfall_design_free(). */
UTFALL_API const double *utfall_design_matrix(const utfall_design *d);
UTFALL_API const char *utfall_design_column_name(const utfall_design *d, size_t j);

/* ------------------------------------------------------------------- the fit */

typedef enum utfall_coef_state {
    UTFALL_COEF_OK = 0,
    /* The column is a linear combination of earlier ones (R gives NA).
     * Every number is NaN; the fit goes on without the column. */
    UTFALL_COEF_ALIASED = 1,
    /* The maximum-likelihood estimate is infinite: every row where the
     * column is non-zero has the same outcome, e.g. a group with no
     * successes (quasi-complete separation).  estimate is -INFINITY or
     * +INFINITY, odds_ratio 0 or +INFINITY; se, z, p_value, or_low and
     * or_high are NaN.  The other coefficients stay valid: they are the
     * estimates for the rows where this column is 0. */
    UTFALL_COEF_INFINITE = 2,
    /* The fit as a whole is not trustworthy: fitted probabilities reached
     * 0 or 1 on rows that no INFINITE column explains (e.g. a numeric
     * covariate that separates the outcome perfectly), or IRLS did not
     * converge in 25 iterations.  Every number is NaN. */
    UTFALL_COEF_UNRELIABLE = 3
} utfall_coef_state;

typedef struct utfall_logit_coef {
    utfall_coef_state state;
    double estimate;      /* log odds ratio */
    double se;            /* Wald, from (X'WX)^-1 */
    double z;             /* estimate / se */
    double p_value;       /* 2 P(Z > |z|) */
    double odds_ratio;    /* exp(estimate) */
    double or_low, or_high; /* exp(estimate -/+ z_{(1+conf)/2} se), Wald */
    /* What glm() itself reports (its last iterate), whatever the state;
     * NaN for an aliased column.  For diagnostics, not for tables. */
    double glm_estimate, glm_se;
    /* INFINITE only: 1 for columns found directly, 2 for columns found once
     * the rows of the first ones were set aside (e.g. the intercept when
     * the other group has only successes), and so on.  A row's limiting
     * prediction follows the non-zero infinite column of lowest order. */
    int infinite_order;
} utfall_logit_coef;

typedef struct utfall_logit_fit {
    size_t n_rows;     /* rows given */
    size_t n_used;     /* rows with y and every column present (R's nobs) */
    size_t p;          /* columns, aliased ones included */
    size_t rank;       /* columns estimated (p minus aliased) */
    int converged;     /* glm()$converged */
    int iterations;    /* glm()$iter */
    int fitted_01;     /* R would warn "glm.fit: fitted probabilities
                        * numerically 0 or 1 occurred" (some fitted p < 10 eps
                        * or > 1 - 10 eps, eps = DBL_EPSILON) */
    int separation;    /* some coefficient is INFINITE or UNRELIABLE */
    int n_aliased, n_infinite, n_unreliable;
    double deviance, null_deviance, aic; /* as glm(); null model = intercept
                        * only when a column of ones is present, else p = 0.5 */
    double conf_level;
    utfall_logit_coef *coef; /* p entries, in column order */
    double *cov;       /* p x p row-major covariance of the estimates
                        * (vcov()); NaN in rows/columns not OK */
    unsigned char *used; /* n_rows flags: 1 = row used */
    /* After utfall_logit_cluster(): 1, and the number of clusters G among
     * the rows used; 0 for the model-based covariance. */
    int clustered;
    size_t n_clusters;
} utfall_logit_fit;

/* Fit y (n values, 0 or 1, NaN = missing) on X (row-major n x p, NaN =
 * missing).  conf_level (e.g. 0.95) sets the odds-ratio intervals.
 * Fit problems (aliasing, separation, non-convergence) are not errors:
 * the status is UTFALL_OK and the fit says what happened.  Errors:
 * y not 0/1 or X infinite (UTFALL_ERR_DATA, "bad-logit-data", err->record
 * = 1-based row), no usable rows ("no-rows"), out of memory. */
UTFALL_API utfall_status utfall_logit_fit_matrix(size_t n, size_t p, const double *X,
                                                 const double *y, double conf_level,
                                                 utfall_logit_fit **out, utfall_error *err);
UTFALL_API utfall_status utfall_logit_fit_design(const utfall_design *d, const double *y,
                                                 double conf_level, utfall_logit_fit **out,
                                                 utfall_error *err);
UTFALL_API void utfall_logit_free(utfall_logit_fit *fit);

/* Cluster-robust inference: the covariance of sandwich::vcovCL(fit,
 * cluster = ~cluster) for a glm with its defaults (type "HC0", the
 * adjustment G / (G − 1) for G clusters, no (n − 1) / (n − k) factor —
 * what Stata's `logit, vce(cluster)` gives):
 *   V = G/(G−1) (X'WX)^-1 [sum_g U_g U_g'] (X'WX)^-1,
 *   U_g = sum over the rows of cluster g of (y − mu) x,
 * evaluated at the fully converged estimate: the OK coefficients are first
 * iterated by Newton–Raphson until they no longer change (glm stops
 * earlier and leaves the working weights of its last iteration, which
 * moves a clustered p-value in the sixth digit; R gives the same numbers
 * with glm.control(epsilon = 1e-14)).  The OK coefficients then carry
 * these estimates and cluster-robust standard errors, z, p-values and
 * intervals, fit->cov the robust covariance (so utfall_logit_standardize()
 * uses it), and fit->clustered = 1.  Rows explained by an INFINITE
 * coefficient contribute nothing (their limit residual and weight are 0);
 * with G < 2, or an OK column left with no information, the standard
 * errors are NaN.  cluster[i] (n_rows of the fit) must be >= 0 on every
 * row used (UTFALL_ERR_USAGE otherwise); X and y are those of the fit. */
UTFALL_API utfall_status utfall_logit_cluster(utfall_logit_fit *fit, const double *X,
                                              const double *y, const long *cluster,
                                              utfall_error *err);

/* --------------------------------------------------------- standardisation */

typedef struct utfall_logit_std {
    int level;
    double share;   /* mean predicted probability over the rows used, with
                     * every row's factor set to this level */
    double diff;    /* share - share at the reference level */
    double se;      /* delta method, covariates held fixed (0 for the reference) */
    double low, high; /* diff -/+ z se */
    int estimable;  /* 0 when the fit has UNRELIABLE coefficients, or this
                     * level's column is aliased (no row has the level; R
                     * drops such levels): share, diff, se, low, high NaN */
    int se_estimable; /* 0 also when this level's or the reference's
                     * predictions rest on an INFINITE coefficient (e.g. the
                     * level has no successes: share 0 exactly, but the delta
                     * method has no standard error to give): se, low, high
                     * NaN.  R reports a number there; it is not meaningful. */
} utfall_logit_std;

/* The adjusted difference in shares by standardisation (g-computation) for
 * the factor term `term` of design d, which fit was fitted on: out receives
 * one entry per level (n_levels of the term).  INFINITE coefficients enter
 * as their limits (predicted p exactly 0 or 1), where R's glm() values give
 * p ~ 1e-9 instead. */
UTFALL_API utfall_status utfall_logit_standardize(const utfall_logit_fit *fit,
                                                  const utfall_design *d, int term,
                                                  utfall_logit_std *out, utfall_error *err);
/* Number of levels of factor term `term` (0 if it is not a factor term). */
UTFALL_API int utfall_design_term_levels(const utfall_design *d, int term);

#ifdef __cplusplus
}
#endif
#endif
