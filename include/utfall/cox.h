/* utfall — the Cox proportional-hazards model, Efron's ties.
 *
 * utfall_cox_fit() is survival::coxph(Surv(time, event) ~ X +
 * strata(stratum), ties = "efron"): the partial likelihood with Efron's
 * approximation for tied event times, maximised by Newton–Raphson from
 * beta = 0 with coxph's step halving, standard errors from the inverse
 * information at the estimate, Wald tests and intervals.  The iteration
 * runs to full convergence (the relative change of the log partial
 * likelihood below 1e-13, at most 30 iterations) where coxph stops at
 * 1e-9; the estimates agree with coxph's to well within 6 significant
 * digits, and tests/horizon checks them against R.
 *
 * As utfall_logit_fit, it says when an estimate does not exist, where
 * coxph prints a huge coefficient and perhaps warns "Loglik converged
 * before variable ...": a column whose every event has the smallest value
 * in its risk set (e.g. a group with no events) has the estimate −∞
 * (hazard ratio 0), the largest +∞.  The other coefficients are then
 * estimated in the limit, where each risk set holds only those who share
 * the event's value of the infinite column. */
#ifndef UTFALL_COX_H
#define UTFALL_COX_H

#include <stddef.h>

#include "utfall/error.h"
#include "utfall/logistic.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct utfall_cox_coef {
    /* OK; ALIASED (a linear combination of earlier columns, or constant
     * within every stratum: R's NA); INFINITE (estimate ±∞, hazard ratio 0
     * or +∞, the rest NaN); UNRELIABLE (no convergence, or no information
     * left once the infinite columns are set aside: every number NaN). */
    utfall_coef_state state;
    double estimate;       /* log hazard ratio */
    double se;             /* sqrt of the diagonal of the inverse information */
    double z;              /* estimate / se */
    double p_value;        /* Wald: 2 P(Z > |z|) */
    double hazard_ratio;   /* exp(estimate) */
    double hr_low, hr_high; /* exp(estimate -/+ z_{(1+conf)/2} se) */
} utfall_cox_coef;

typedef struct utfall_cox_fit {
    size_t n_rows;      /* rows given */
    size_t n_used;      /* rows with time, event, stratum and every column */
    size_t n_events;    /* events among them */
    size_t p;           /* columns */
    int converged;
    int iterations;
    int n_aliased, n_infinite, n_unreliable;
    double loglik_null, loglik; /* coxph()$loglik: at beta = 0 and at the estimate */
    double conf_level;
    utfall_cox_coef *coef; /* p, in column order */
    double *cov;        /* p x p row-major (vcov()); NaN where a column is not OK */
    unsigned char *used; /* n_rows flags */
} utfall_cox_fit;

/* X row-major n x p without an intercept (NaN = missing: the row is left
 * out), time finite and >= 0, event 0 or 1, stratum NULL (one stratum) or
 * >= 0 (a negative stratum leaves the row out).  Errors: bad data
 * (UTFALL_ERR_DATA, "bad-survival-data", err->record = the 1-based row), no
 * usable row ("no-rows"), out of memory.  Fit problems are not errors. */
UTFALL_API utfall_status utfall_cox_fit_matrix(size_t n, size_t p, const double *X,
                                               const double *time, const int *event,
                                               const int *stratum, double conf_level,
                                               utfall_cox_fit **out, utfall_error *err);
/* The same from a design made without an intercept. */
UTFALL_API utfall_status utfall_cox_fit_design(const utfall_design *d, const double *time,
                                               const int *event, const int *stratum,
                                               double conf_level, utfall_cox_fit **out,
                                               utfall_error *err);
UTFALL_API void utfall_cox_free(utfall_cox_fit *fit);

#ifdef __cplusplus
}
#endif
#endif
