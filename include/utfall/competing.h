/* utfall — competing risks: cumulative incidence (Aalen–Johansen) and
 * Gray's test.
 *
 * Input is one row per participant: time >= 0, the status at that time
 * (0 censored, 1..n_causes the cause of the first event: work, studies)
 * and a group index.  At tied times events count before censorings.
 *
 * The cumulative incidence of cause k is what R's multi-state survfit()
 * gives, survfit(Surv(time, factor(status)) ~ group), read with
 * summary(fit, times = t, extend = TRUE): the Aalen–Johansen estimate
 * sum over event times s <= t of S(s-) d_k(s) / n(s), with S the
 * Kaplan–Meier estimate of no event of any cause; its standard error the
 * infinitesimal jackknife (the square root of the sum over participants of
 * the squared derivative of the estimate in the participant's case
 * weight), and the default "log" interval p exp(-/+ z se / p), the upper
 * limit capped at 1.  tests/survival checks both against R.
 *
 * Gray's test compares the cumulative incidence of one cause across
 * groups, as cmprsk::cuminc(time, status, group, strata, rho = 0) does
 * (Gray 1988, Annals of Statistics 16:1141–1154): the score and its
 * variance are summed over the strata, the statistic is s' V^-1 s on
 * (groups with any row) − 1 degrees of freedom. */
#ifndef UTFALL_COMPETING_H
#define UTFALL_COMPETING_H

#include <stddef.h>

#include "utfall/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct utfall_cuminc utfall_cuminc; /* opaque; one estimate per group */

/* status[i] in 0..n_causes (n_causes >= 1), group[i] in 0..n_groups-1,
 * time[i] finite and >= 0; anything else is UTFALL_ERR_DATA, code
 * "bad-survival-data", err->record = the 1-based row.  conf_level in
 * (0, 1). */
UTFALL_API utfall_status utfall_cuminc_fit(size_t n, const double *time, const int *status,
                                           int n_causes, const int *group, int n_groups,
                                           double conf_level, utfall_cuminc **out,
                                           utfall_error *err);
UTFALL_API void utfall_cuminc_free(utfall_cuminc *ci);

typedef struct utfall_cuminc_point {
    double t;
    long n_risk;    /* rows of the group with time >= t */
    long n_event;   /* events of the cause at times <= t */
    double cum_inc; /* the Aalen–Johansen estimate at t (0 before the first event) */
    double se;      /* infinitesimal-jackknife standard error (0 while cum_inc is 0) */
    double ci_low, ci_high; /* cum_inc exp(-/+ z se / cum_inc), ci_high capped at
                     * 1; when cum_inc is 0: 0 before the group's first time
                     * (R's row for the start), else NaN (R's NA) */
} utfall_cuminc_point;

/* Group g's incidence of cause (1..n_causes) at time t: as
 * summary(fit, times = t, extend = TRUE), the values carried forward past
 * the group's last time.  A group with no rows reads 0. */
UTFALL_API utfall_status utfall_cuminc_at(const utfall_cuminc *ci, int g, int cause, double t,
                                          utfall_cuminc_point *out, utfall_error *err);

typedef struct utfall_gray {
    int tested;     /* 1 when at least two groups have rows and V is invertible */
    double chisq;   /* cuminc()$Tests[, "stat"] */
    int df;         /* groups with rows − 1 */
    double p_value; /* cuminc()$Tests[, "pv"]; NaN when not tested */
} utfall_gray;

/* Gray's test of cause `cause` (1..n_causes, the others competing) across
 * the groups, stratified: stratum NULL is one stratum, else stratum[i] in
 * 0..n_strata-1.  Not tested (tested = 0) with fewer than two groups with
 * rows, or when the variance matrix is singular (where cuminc() gives the
 * statistic −1 and p = 1). */
UTFALL_API utfall_status utfall_gray_test(size_t n, const double *time, const int *status,
                                          int n_causes, int cause, const int *group,
                                          int n_groups, const int *stratum, int n_strata,
                                          utfall_gray *out, utfall_error *err);

#ifdef __cplusplus
}
#endif
#endif
