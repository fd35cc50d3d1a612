/* utfall — statistics: proportions, intervals and tests, verified against R.
 *
 * Every function here is pure: no printing, no global state, no allocation
 * that outlives the call.  Results agree with R (stats package, R 4.2) to a
 * relative error of 1e-6 or better; tests/stats/reference.R names the exact
 * R expression behind each figure.
 *
 * Two kinds of "no answer", kept apart on purpose:
 *
 *   - Impossible arguments (a negative count, x > n, level outside (0, 1),
 *     a NULL output pointer, a non-finite difference) are the caller's
 *     mistake: the function returns UTFALL_ERR_USAGE (UTFALL_ERR_DATA for
 *     non-finite data), fills err (which may be NULL) and sets every double
 *     of the result to NAN.
 *   - Figures that are well-posed questions with no answer in these data
 *     (a proportion of n = 0, a t interval from one observation, a test on
 *     a table with a single non-empty row) are NAN, and the function
 *     returns UTFALL_OK.  Output layers should print NAN as "not computable"
 *     ("–"), never as a number.  Each such case is listed below.
 *
 * A numerical failure inside GSL (not expected for any valid input; kept as
 * a safety net) gives UTFALL_ERR_INTERNAL, code "numeric-failure".
 *
 * Counts are `long` (64 bits on every supported platform).  `level` is the
 * confidence level, e.g. UTFALL_STATS_DEFAULT_LEVEL; all intervals are
 * two-sided with equal tails. */
#ifndef UTFALL_STATS_H
#define UTFALL_STATS_H

#include <stddef.h>

#include "utfall/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UTFALL_STATS_DEFAULT_LEVEL 0.95

/* A point estimate with its confidence interval. */
typedef struct utfall_interval {
    double estimate;
    double lower;
    double upper;
} utfall_interval;

/* ---- One proportion: x of n ------------------------------------------- */

typedef enum utfall_prop_ci_method {
    /* Wilson score without continuity correction
     * = prop.test(x, n, correct = FALSE)$conf.int.  Default. */
    UTFALL_PROP_CI_WILSON = 0,
    /* Clopper–Pearson = binom.test(x, n)$conf.int. */
    UTFALL_PROP_CI_EXACT,
    /* Agresti–Coull: z2 = z^2, p~ = (x + z2/2)/(n + z2),
     * p~ -/+ z sqrt(p~(1 - p~)/(n + z2)), clipped to [0, 1]
     * (R package binom does not clip; it can give lower < 0). */
    UTFALL_PROP_CI_AGRESTI_COULL,
    /* Jeffreys: equal-tailed Beta(x + 1/2, n - x + 1/2) quantiles, with
     * lower = 0 when x = 0 and upper = 1 when x = n. */
    UTFALL_PROP_CI_JEFFREYS
} utfall_prop_ci_method;

/* "wilson", "exact" (also "clopper-pearson"), "agresti-coull",
 * "jeffreys"; case-insensitive.  0 on success, -1 unknown name (or NULL). */
UTFALL_API int utfall_prop_ci_method_parse(const char *name, utfall_prop_ci_method *out);
/* Canonical name for machine output ("wilson", "exact", "agresti-coull",
 * "jeffreys"); "unknown" for a value outside the enum. */
UTFALL_API const char *utfall_prop_ci_method_name(utfall_prop_ci_method method);

/* estimate = x/n for every method (the Agresti–Coull interval is centred
 * on p~, the reported estimate is still x/n).
 * n = 0: all three NAN, UTFALL_OK.
 * Usage errors: x < 0, n < 0, x > n, level not in (0, 1), unknown method. */
UTFALL_API utfall_status utfall_prop_ci(long x, long n, double level, utfall_prop_ci_method method,
                                        utfall_interval *out, utfall_error *err);

/* ---- Exact binomial tests ---------------------------------------------- */

/* One-sided test of H0: p <= p0 against p > p0: P(X >= x | n, p0)
 * = binom.test(x, n, p0, alternative = "greater")$p.value.
 * Exact at the ends: p0 = 0 gives 1 for x = 0 and 0 for x > 0; p0 = 1
 * gives 1.  x = 0 gives 1.  n = 0: NAN (R refuses n = 0), UTFALL_OK.
 * Usage errors: x < 0, n < 0, x > n, p0 outside [0, 1] or NaN. */
UTFALL_API utfall_status utfall_binom_test_greater(long x, long n, double p0, double *p_value,
                                                   utfall_error *err);

/* Two-sided exact test = binom.test(x, n, p0)$p.value: the probability of
 * every outcome no more likely than x (R's "minimum likelihood" rule, with
 * a relative tolerance of 1e-7 on "no more likely"), capped at 1.
 * The sign test is utfall_binom_test_two_sided(increased,
 * increased + decreased, 0.5, ...).  Same edge rules and errors as above.
 * Both tests are exact for any n that fits in a long (no normal
 * approximation); cost grows like sqrt(n). */
UTFALL_API utfall_status utfall_binom_test_two_sided(long x, long n, double p0, double *p_value,
                                                     utfall_error *err);

/* ---- Tables ------------------------------------------------------------ */

typedef struct utfall_chisq_result {
    double statistic;      /* Pearson X-squared, no continuity correction */
    double df;             /* (rows_used - 1)(cols_used - 1) */
    double p_value;        /* upper chi-square tail */
    double min_expected;   /* smallest expected count among the used cells */
    size_t cells_expected_below_5; /* R warns "approximation may be incorrect" if > 0 */
    long total;            /* sum of all counts */
    size_t rows_used, cols_used;
    size_t rows_dropped, cols_dropped; /* rows/columns whose margin is 0 */
} utfall_chisq_result;

/* Pearson chi-square test of independence for an nrows x ncols table of
 * counts stored row by row (counts[i * ncols + j])
 * = chisq.test(m, correct = FALSE) on the table left after the rule below.
 *
 * Rule for empty margins: rows and columns whose total is 0 carry no
 * information and are dropped first (R would return NaN for such a table);
 * rows_dropped/cols_dropped say how many.  If fewer than 2 rows or fewer
 * than 2 columns remain (including total = 0), the test is not computable:
 * statistic, df, p_value and min_expected are NAN, UTFALL_OK.  (R treats a
 * 1 x c matrix as a goodness-of-fit vector instead; we do not.)
 * Note that R's chisq.test(correct = FALSE) applies no correction to any
 * table, including 2 x 2.
 * Usage errors: a negative count, nrows or ncols 0, counts NULL, a total
 * that overflows long. */
UTFALL_API utfall_status utfall_chisq_test(const long *counts, size_t nrows, size_t ncols,
                                           utfall_chisq_result *out, utfall_error *err);

/* Fisher's exact test, two-sided, for the 2 x 2 table
 *        a b
 *        c d
 * = fisher.test(matrix(c(a, c, b, d), 2))$p.value: the sum of the
 * hypergeometric probabilities (margins fixed) of all tables no more likely
 * than the observed one, with R's relative tolerance 1 + 1e-7.
 * A zero margin (including the empty table) leaves one possible table:
 * p = 1, as in R.  Runs in time proportional to the spread of the
 * hypergeometric distribution, in constant memory, for any table size.
 * Usage errors: a negative count, a count above LONG_MAX/4. */
UTFALL_API utfall_status utfall_fisher_exact_2x2(long a, long b, long c, long d, double *p_value,
                                                 utfall_error *err);

/* ---- Two proportions: x1 of n1 against x2 of n2 ------------------------ */

/* Difference p1 - p2 with Newcombe's hybrid score interval (Newcombe 1998,
 * method 10), built from the two Wilson intervals (l_i, u_i) without
 * continuity correction:
 *   lower = d - sqrt((p1 - l1)^2 + (u2 - p2)^2)
 *   upper = d + sqrt((u1 - p1)^2 + (p2 - l2)^2)
 * x = 0 or x = n is fine.  n1 = 0 or n2 = 0: all NAN, UTFALL_OK.
 * Usage errors as for utfall_prop_ci. */
UTFALL_API utfall_status utfall_prop_diff_newcombe(long x1, long n1, long x2, long n2,
                                                   double level, utfall_interval *out,
                                                   utfall_error *err);

/* Risk ratio (p1/p2) with the log (Katz) interval
 *   exp(log(rr) -/+ z sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2)).
 * Not computable, UTFALL_OK:
 *   n1 = 0 or n2 = 0, or x2 = 0 (ratio undefined/infinite): all NAN;
 *   x1 = 0 < x2: estimate 0, lower and upper NAN (log 0; no continuity
 *   correction is applied — say so rather than invent one).
 * x1 = n1 and x2 = n2 gives a zero-width interval [rr, rr].
 * Usage errors as for utfall_prop_ci. */
UTFALL_API utfall_status utfall_risk_ratio_katz(long x1, long n1, long x2, long n2, double level,
                                                utfall_interval *out, utfall_error *err);

/* ---- Two proportions over strata: Mantel–Haenszel ---------------------- */

/* One stratum's 2x2 table: x1 of n1 in the group, x0 of n0 in the
 * reference. */
typedef struct utfall_mh_stratum {
    long x1, n1, x0, n0;
} utfall_mh_stratum;

typedef struct utfall_mh_result {
    size_t strata_used;   /* strata with both arms: the risk difference and ratio */
    /* Mantel–Haenszel risk difference with the Greenland–Robins (1985)
     * variance, as RevMan and meta::metabin compute it (not Sato's, which
     * metafor::rma.mh and SAS use), the interval rd -/+ z se:
     *   rd  = sum (x1 n0 − x0 n1) / N  /  sum n1 n0 / N
     *   var = sum (x1 (n1 − x1) n0^3 + x0 (n0 − x0) n1^3) / (n1 n0 N^2)
     *         / (sum n1 n0 / N)^2 */
    double risk_diff, risk_diff_se, risk_diff_low, risk_diff_high;
    /* Mantel–Haenszel risk ratio R / S with the Greenland–Robins variance
     * of its log, P / (R S), and the interval exp(log rr -/+ z sqrt(P/(RS))):
     *   R = sum x1 n0 / N,  S = sum x0 n1 / N,
     *   P = sum (n1 n0 (x1 + x0) − x1 x0 N) / N^2.
     * S = 0: everything NAN; R = 0 < S: estimate 0, interval NAN.  No
     * continuity correction (meta::metabin's MH.exact = TRUE). */
    double risk_ratio, log_rr_se, risk_ratio_low, risk_ratio_high;
    /* The Cochran–Mantel–Haenszel test without continuity correction =
     * mantelhaen.test(x, correct = FALSE) on the 2x2xK table of the
     * strata with at least 2 participants (mantelhaen.test refuses
     * others):  (sum x1 − E)^2 / sum V, E = n1 m1 / N,
     * V = n1 n0 m1 m0 / (N^2 (N − 1)), m1 = x1 + x0, m0 = N − m1; on 1 df. */
    size_t cmh_strata;
    int cmh_tested;       /* 0 when sum V = 0 (no stratum varies): chi2 and p NAN */
    double cmh_chi2, cmh_p_value;
} utfall_mh_result;

/* k strata (k may be 0: nothing computable).  Counts as for
 * utfall_prop_ci; level in (0, 1). */
UTFALL_API utfall_status utfall_mantel_haenszel(const utfall_mh_stratum *s, size_t k,
                                                double level, utfall_mh_result *out,
                                                utfall_error *err);

/* ---- Paired change (after - before) ------------------------------------ */

typedef struct utfall_paired_change {
    size_t n;            /* differences given */
    /* With tolerance t: increased d > t, unchanged |d| <= t, decreased
     * d < -t.  The tolerance is used here and by the sign test only. */
    size_t increased, unchanged, decreased;

    double mean;         /* NAN if n = 0 */
    double sd;           /* sample sd (n - 1); NAN if n < 2 */
    /* Paired t test = t.test(after, before, paired = TRUE):
     * mean -/+ qt((1 + level)/2, n - 1) sd/sqrt(n), t = mean/(sd/sqrt(n)).
     * NAN if n < 2, or if sd/sqrt(n) < 10 DBL_EPSILON |mean|
     * (R: "data are essentially constant"), or all differences are 0
     * (R: t = NaN).  t_df is n - 1 whenever n >= 2. */
    double mean_lower, mean_upper;
    double t_statistic, t_df, t_p_value;

    /* R's default quantile (type 7); NAN if n = 0. */
    double median, q1, q3;

    /* Wilcoxon signed-rank test = wilcox.test(after, before, paired = TRUE)
     * with R's defaults: exact zeros are dropped (the tolerance is NOT
     * applied), ranks of |d| with ties averaged; exact distribution when
     * wilcoxon_n < 50 and there are neither ties nor zeros, otherwise the
     * normal approximation with continuity correction and tie correction.
     * wilcoxon_v is R's V (sum of the ranks of positive differences):
     * 0 when all differences are 0, NAN when n = 0.
     * p NAN if wilcoxon_n = 0 (all differences 0, R: p = NA; or n = 0).
     * wilcoxon_exact is 0 whenever p is NAN. */
    size_t wilcoxon_n;   /* nonzero differences */
    double wilcoxon_v;
    double wilcoxon_p_value;
    int wilcoxon_exact;  /* 1 exact, 0 normal approximation */

    /* Sign test = binom.test(increased, increased + decreased, 0.5)$p.value;
     * NAN when increased + decreased = 0. */
    double sign_p_value;
} utfall_paired_change;

/* Summarize n paired differences d[i] = after[i] - before[i] (compute them
 * in that order, as R does: after - before, not -(before - after)).
 * Missing values must be removed by the caller (and counted as rejected).
 * Usage errors: d NULL with n > 0, tolerance < 0 or NaN, level not in
 * (0, 1).  Data error: a non-finite d[i] (UTFALL_ERR_DATA, "non-finite").
 * Allocates a sorted copy of d (n doubles): UTFALL_ERR_NOMEM if that
 * fails. */
UTFALL_API utfall_status utfall_paired_change_summarize(const double *d, size_t n,
                                                        double tolerance, double level,
                                                        utfall_paired_change *out,
                                                        utfall_error *err);
/* The same, with no scratch memory: d is sorted in place.  For callers
 * that keep one difference per row and need it no more afterwards. */
UTFALL_API utfall_status utfall_paired_change_summarize_inplace(double *d, size_t n,
                                                                double tolerance, double level,
                                                                utfall_paired_change *out,
                                                                utfall_error *err);

/* ---- Helpers ----------------------------------------------------------- */

/* R's quantile(x, prob, type = 7) for data already sorted ascending:
 * with h = (n - 1) prob (0-based), lo = floor(h), f = h - lo:
 * q = (1 - f) x[lo] + f x[lo + 1] (just x[lo] when f = 0 or the two are
 * equal).  NAN if n = 0, sorted is NULL, or prob is outside [0, 1]. */
UTFALL_API double utfall_quantile_sorted(const double *sorted, size_t n, double prob);

#ifdef __cplusplus
}
#endif
#endif
