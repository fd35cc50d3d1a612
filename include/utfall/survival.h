/* utfall — Kaplan–Meier estimate and the log-rank test.
 *
 * Both follow R's survival package (survfit, summary.survfit, survdiff)
 * and are checked against it by tests/survival.  Input is one row per
 * participant: time >= 0 (days since enrolment, say), event 1 if the
 * spell of interest started at that time and 0 if the participant was
 * censored then, and a group index 0..n_groups-1.  At tied times events
 * count before censorings (a participant censored at t was at risk at t).
 *
 * Differences from R, on purpose:
 *  - times are used as given; R first merges times that differ only by
 *    rounding error (aeqSurv(), timefix = TRUE).  Integer days never do.
 *  - where survdiff has no test (fewer than two groups with a positive
 *    expected count) it prints p = 1 (one such group) or NA with df = -1
 *    (no events at all), and stops with an error for a single group; here
 *    the result just says tested = 0. */
#ifndef UTFALL_SURVIVAL_H
#define UTFALL_SURVIVAL_H

#include <stddef.h>

#include "utfall/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ Kaplan–Meier */

typedef struct utfall_km utfall_km; /* opaque; one step function per group */

/* The estimate for one group read at time t, as summary(survfit(...),
 * times = t, extend = TRUE) reports it, with conf.type = "log" (R's
 * default).  NaN stands where R has NA or NaN. */
typedef struct utfall_km_point {
    double t;
    int beyond_last;   /* t is after the group's last observed time (event or
                        * censoring).  summary.survfit(times=) drops such rows
                        * unless extend = TRUE; the values below are those of
                        * extend = TRUE (S carried forward, n_risk 0). */
    long n_risk;       /* number in the group with time >= t: for t between two
                        * observed times, the number at risk at the next one;
                        * all rows for t <= the first time; 0 beyond the last */
    long n_event;      /* events at times <= t */
    long n_censor;     /* censorings at times <= t */
    double surv;       /* S(t), Kaplan–Meier; 1 before the first event */
    double cum_share;  /* 1 - S(t): share who had the event by t */
    double se_surv;    /* Greenwood standard error of S(t) itself, = S(t) *
                        * se_log_surv; this is summary.survfit()$std.err.
                        * 0 before the first event; NaN once S has reached 0 */
    double se_log_surv; /* standard error of -log S(t) (the cumulative hazard),
                        * sqrt(sum d / (n (n - d))) over event times <= t; this
                        * is survfit()$std.err (NOT the summary's).  Inf once
                        * S has reached 0 */
    double lower_surv, upper_surv; /* CI of S: exp(log S -/+ z se_log_surv),
                        * upper capped at 1; NaN when S = 0 */
    double ci_low, ci_high; /* the same interval for 1 - S:
                        * 1 - upper_surv, 1 - lower_surv */
} utfall_km_point;

/* Fit one Kaplan–Meier curve per group.  conf_level in (0, 1), e.g. 0.95.
 * Rows with time < 0, time NaN/Inf, event other than 0/1 or group outside
 * 0..n_groups-1 are an error (UTFALL_ERR_DATA, code "bad-survival-data",
 * err->record = the 1-based row).  A group with no rows has no curve:
 * utfall_km_group_n() gives 0 and utfall_km_at() reports S = 1, n_risk 0. */
UTFALL_API utfall_status utfall_km_fit(size_t n, const double *time, const int *event,
                                       const int *group, int n_groups, double conf_level,
                                       utfall_km **out, utfall_error *err);
UTFALL_API void utfall_km_free(utfall_km *km);

UTFALL_API int utfall_km_n_groups(const utfall_km *km);
/* Rows in group g (0 for an unknown group). */
UTFALL_API size_t utfall_km_group_n(const utfall_km *km, int g);
/* Events in group g. */
UTFALL_API size_t utfall_km_group_events(const utfall_km *km, int g);
/* Last observed time in group g (NaN for an empty group). */
UTFALL_API double utfall_km_group_last_time(const utfall_km *km, int g);

/* Read group g's curve at time t (t NaN is an error). */
UTFALL_API utfall_status utfall_km_at(const utfall_km *km, int g, double t,
                                      utfall_km_point *out, utfall_error *err);

/* The distinct observed times of group g, for drawing the curve: step i
 * (0-based) is the curve at its i-th time, as utfall_km_at() gives it
 * (n_risk = number at risk at that time). */
UTFALL_API size_t utfall_km_n_steps(const utfall_km *km, int g);
UTFALL_API utfall_status utfall_km_step(const utfall_km *km, int g, size_t i,
                                        utfall_km_point *out, utfall_error *err);

/* ------------------------------------------------------------- log-rank test */

typedef struct utfall_logrank {
    int tested;     /* 1 when at least two groups have expected > 0 */
    double chisq;   /* survdiff()$chisq; 0 when not tested */
    int df;         /* groups with expected > 0, minus 1; 0 when not tested */
    double p_value; /* upper tail of chi-square(df); NaN when not tested */
} utfall_logrank;

/* survdiff(Surv(time, event) ~ group) with rho = 0.  Groups with no rows, or
 * whose rows are all censored before the first event of the others
 * (expected = 0), take no part in the test and give no degree of freedom —
 * as in R.  observed and expected, when not NULL, receive n_groups values
 * each (survdiff()$obs and $exp).  Data errors as utfall_km_fit(); a
 * singular variance matrix gives UTFALL_ERR_DATA, code "logrank-singular"
 * (R's solve() stops there). */
UTFALL_API utfall_status utfall_logrank_test(size_t n, const double *time, const int *event,
                                             const int *group, int n_groups,
                                             utfall_logrank *out, double *observed,
                                             double *expected, utfall_error *err);

/* The stratified log-rank test, survdiff(Surv(time, event) ~ group +
 * strata(stratum)): observed and expected events and their covariance are
 * summed over the strata (each with its own risk sets) before the one
 * chi-square; stratum[i] in 0..n_strata-1.  Groups with expected = 0 over
 * all strata take no part, as in R.  observed and expected as in
 * utfall_logrank_test(), summed over the strata. */
UTFALL_API utfall_status utfall_logrank_test_stratified(size_t n, const double *time,
                                                        const int *event, const int *group,
                                                        int n_groups, const int *stratum,
                                                        int n_strata, utfall_logrank *out,
                                                        double *observed, double *expected,
                                                        utfall_error *err);

#ifdef __cplusplus
}
#endif
#endif
