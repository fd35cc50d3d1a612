#include "utfall/stats.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>

/* R's tolerance for "as or less likely" in binom.test and fisher.test:
 * without it, outcomes exactly as likely as the observed one would be
 * missed or counted at random because of rounding. */
#define REL_ERR (1.0 + 1e-7)

static void interval_nan(utfall_interval *out)
{
    if (out)
        out->estimate = out->lower = out->upper = NAN;
}

static utfall_status numeric_failure(utfall_error *err, const char *what)
{
    return utfall_error_set(err, UTFALL_ERR_INTERNAL, UTFALL_EC_NUMERIC_FAILURE,
                            "numerical failure computing %s", what);
}

static int level_ok(double level)
{
    return level > 0.0 && level < 1.0;
}

static utfall_status check_count(long x, long n, utfall_error *err)
{
    if (n < 0)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_COUNT,
                                "number of trials n = %ld is negative", n);
    if (x < 0 || x > n)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_COUNT,
                                "count x = %ld is not between 0 and n = %ld", x, n);
    return UTFALL_OK;
}

static utfall_status check_level(double level, utfall_error *err)
{
    if (!level_ok(level))
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_LEVEL,
                                "confidence level %g is not strictly between 0 and 1", level);
    return UTFALL_OK;
}

/* Two-sided normal quantile, R's qnorm((1 + level)/2). */
static double z_for_level(double level)
{
    return gsl_cdf_ugaussian_Pinv((1.0 + level) / 2.0);
}

/* ---- One proportion ------------------------------------------------------ */

static const struct {
    const char *name;
    utfall_prop_ci_method method;
} method_names[] = {
    {"wilson", UTFALL_PROP_CI_WILSON},
    {"exact", UTFALL_PROP_CI_EXACT},
    {"clopper-pearson", UTFALL_PROP_CI_EXACT},
    {"agresti-coull", UTFALL_PROP_CI_AGRESTI_COULL},
    {"jeffreys", UTFALL_PROP_CI_JEFFREYS},
};

int utfall_prop_ci_method_parse(const char *name, utfall_prop_ci_method *out)
{
    if (!name || !out)
        return -1;
    for (size_t i = 0; i < sizeof method_names / sizeof method_names[0]; i++)
        if (!strcasecmp(name, method_names[i].name)) {
            *out = method_names[i].method;
            return 0;
        }
    return -1;
}

const char *utfall_prop_ci_method_name(utfall_prop_ci_method method)
{
    switch (method) {
    case UTFALL_PROP_CI_WILSON:
        return "wilson";
    case UTFALL_PROP_CI_EXACT:
        return "exact";
    case UTFALL_PROP_CI_AGRESTI_COULL:
        return "agresti-coull";
    case UTFALL_PROP_CI_JEFFREYS:
        return "jeffreys";
    }
    return "unknown";
}

/* prop.test(x, n, correct = FALSE)$conf.int, term by term as R writes it,
 * including its exact 0 and 1 at x = 0 and x = n. */
static void wilson(long x, long n, double z, double *lower, double *upper)
{
    double dn = (double)n, p = (double)x / dn;
    double z22n = z * z / (2.0 * dn);
    double root = z * sqrt(p * (1.0 - p) / dn + z22n / (2.0 * dn));
    double u = p >= 1.0 ? 1.0 : (p + z22n + root) / (1.0 + 2.0 * z22n);
    double l = p <= 0.0 ? 0.0 : (p + z22n - root) / (1.0 + 2.0 * z22n);
    *lower = fmax(l, 0.0);
    *upper = fmin(u, 1.0);
}

/* Saddle-point pieces of Loader (2000), "Fast and accurate computation of
 * binomial probabilities", as in R's nmath: they keep full relative
 * precision for counts in the millions, where differences of lgamma lose
 * eight digits.  GSL's incomplete beta (a continued fraction limited to
 * 512 steps) returns NaN near the centre once a + b is around a million,
 * so binomial tails are sums of these terms and the beta CDF falls back
 * to a series built on them. */

/* log(n!) - log(sqrt(2 pi n) (n/e)^n), the error of Stirling's formula. */
static double stirlerr(double n)
{
    static const double s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680,
                        s4 = 1.0 / 1188;
    if (n <= 15.0) {
        gsl_sf_result r;
        if (gsl_sf_lngamma_e(n + 1.0, &r) != GSL_SUCCESS)
            return NAN;
        return r.val - (n + 0.5) * log(n) + n - 0.5 * log(2.0 * M_PI);
    }
    double nn = n * n;
    if (n > 500)
        return (s0 - s1 / nn) / n;
    if (n > 80)
        return (s0 - (s1 - s2 / nn) / nn) / n;
    if (n > 35)
        return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
    return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

/* x log(x/np) + np - x, without cancellation when x is close to np. */
static double bd0(double x, double np)
{
    if (fabs(x - np) < 0.1 * (x + np)) {
        double v = (x - np) / (x + np), s = (x - np) * v, ej = 2.0 * x * v;
        v *= v;
        for (int j = 1; j < 1000; j++) {
            ej *= v;
            double s1 = s + ej / (2 * j + 1);
            if (s1 == s)
                return s1;
            s = s1;
        }
    }
    return x * log(x / np) + np - x;
}

/* I_x(a, b) for x <= a/(a + b) by the hypergeometric series
 *   x^a (1-x)^b / (a B(a, b)) * sum_k (a+b)_k/(a+1)_k x^k,
 * all terms positive; the prefactor in saddle-point form. */
static double beta_series_lower(double x, double a, double b)
{
    double ab = a + b;
    double logpre = stirlerr(ab) - stirlerr(a) - stirlerr(b) - bd0(a, ab * x)
                    - bd0(b, ab * (1.0 - x)) + 0.5 * log(a * b / (2.0 * M_PI * ab));
    double term = 1.0, sum = 1.0;
    for (double k = 0; k < 1e9; k++) {
        double ratio = (ab + k) / (a + 1.0 + k) * x;
        term *= ratio;
        sum += term;
        if (ratio < 1.0 && term <= sum * 1e-17)
            return exp(logpre) / a * sum;
    }
    return NAN;
}

/* Lower (upper = 0) or upper tail of Beta(a, b) at x, 0 < x < 1. */
static double beta_tail(double x, double a, double b, int upper)
{
    double v = upper ? gsl_cdf_beta_Q(x, a, b) : gsl_cdf_beta_P(x, a, b);
    if (isfinite(v))
        return v;
    /* Sum the series for the smaller tail: I_x(a, b) = 1 - I_{1-x}(b, a). */
    if (x <= a / (a + b)) {
        v = beta_series_lower(x, a, b);
        return upper ? 1.0 - v : v;
    }
    v = beta_series_lower(1.0 - x, b, a);
    return upper ? v : 1.0 - v;
}

/* Beta quantile; 0 on success.  GSL's gsl_cdf_beta_Pinv gives up for
 * parameters in the hundreds of thousands (n = 100 000 is a national
 * register), so invert the CDF here: Newton steps on the smaller tail,
 * kept inside a shrinking bracket, bisection when Newton strays. */
static int beta_quantile(double prob, double a, double b, double *q)
{
    if (!(prob > 0.0 && prob < 1.0) || !(a > 0.0) || !(b > 0.0))
        return -1;
    int upper = prob > 0.5;
    double target = upper ? 1.0 - prob : prob;
    gsl_sf_result lb;
    if (gsl_sf_lnbeta_e(a, b, &lb) != GSL_SUCCESS)
        return -1;

    /* Normal approximation as the starting point. */
    double mean = a / (a + b), sd = sqrt(a * b / ((a + b) * (a + b) * (a + b + 1.0)));
    double x = mean + gsl_cdf_ugaussian_Pinv(prob) * sd;
    double lo = 0.0, hi = 1.0;
    if (!(x > 0.0 && x < 1.0))
        x = 0.5;
    for (int iter = 0; iter < 400; iter++) {
        double tail = beta_tail(x, a, b, upper);
        if (!isfinite(tail))
            return -1;
        double f = tail - target;
        if (f == 0.0)
            break;
        /* The lower tail grows with x, the upper tail shrinks. */
        if ((f < 0.0) != upper)
            lo = x;
        else
            hi = x;
        double logpdf = (a - 1.0) * log(x) + (b - 1.0) * log1p(-x) - lb.val;
        double slope = upper ? -exp(logpdf) : exp(logpdf);
        double next = slope != 0.0 && isfinite(slope) ? x - f / slope : NAN;
        if (!(next > lo && next < hi))
            next = lo > 0.0 && hi / lo > 4.0 ? sqrt(lo * hi) : (lo + hi) / 2.0;
        if (fabs(next - x) <= 4.0 * DBL_EPSILON * x || hi - lo <= 4.0 * DBL_EPSILON * hi) {
            x = next;
            break;
        }
        x = next;
    }
    if (!(x >= 0.0 && x <= 1.0))
        return -1;
    *q = x;
    return 0;
}

utfall_status utfall_prop_ci(long x, long n, double level, utfall_prop_ci_method method,
                             utfall_interval *out, utfall_error *err)
{
    utfall_status st;
    interval_nan(out);
    if (!out)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_NULL_ARGUMENT, "no result to fill");
    if ((st = check_count(x, n, err)) || (st = check_level(level, err)))
        return st;
    if (n == 0)
        return UTFALL_OK;

    double dn = (double)n, alpha = 1.0 - level;
    double z = z_for_level(level);
    out->estimate = (double)x / dn;
    switch (method) {
    case UTFALL_PROP_CI_WILSON:
        wilson(x, n, z, &out->lower, &out->upper);
        return UTFALL_OK;
    case UTFALL_PROP_CI_AGRESTI_COULL: {
        double z2 = z * z, nt = dn + z2, pt = ((double)x + z2 / 2.0) / nt;
        double half = z * sqrt(pt * (1.0 - pt) / nt);
        out->lower = fmax(pt - half, 0.0);
        out->upper = fmin(pt + half, 1.0);
        return UTFALL_OK;
    }
    case UTFALL_PROP_CI_EXACT:
    case UTFALL_PROP_CI_JEFFREYS: {
        /* exact: Beta(x, n-x+1) / Beta(x+1, n-x); Jeffreys: Beta(x+½, n-x+½) */
        int exact = method == UTFALL_PROP_CI_EXACT;
        double al = exact ? (double)x : (double)x + 0.5;
        double bl = exact ? (double)(n - x) + 1.0 : (double)(n - x) + 0.5;
        double au = exact ? (double)x + 1.0 : al, bu = exact ? (double)(n - x) : bl;
        out->lower = 0.0;
        out->upper = 1.0;
        if (x > 0 && beta_quantile(alpha / 2.0, al, bl, &out->lower))
            goto fail;
        if (x < n && beta_quantile(1.0 - alpha / 2.0, au, bu, &out->upper))
            goto fail;
        return UTFALL_OK;
    fail:
        interval_nan(out);
        return numeric_failure(err, "a beta quantile");
    }
    }
    interval_nan(out);
    return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_METHOD, "unknown interval method %d",
                            (int)method);
}

/* ---- Binomial tests ------------------------------------------------------ */

static utfall_status check_binom_args(long x, long n, double p0, double *p_value,
                                      utfall_error *err)
{
    utfall_status st;
    if (p_value)
        *p_value = NAN;
    if (!p_value)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_NULL_ARGUMENT, "no result to fill");
    if ((st = check_count(x, n, err)))
        return st;
    if (!(p0 >= 0.0 && p0 <= 1.0))
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_PROBABILITY,
                                "null proportion %g is not between 0 and 1", p0);
    return UTFALL_OK;
}

/* log dbinom(k, n, p), 0 <= k <= n, 0 < p < 1. */
static double binom_logpmf(long k, long n, double p)
{
    double x = (double)k, dn = (double)n, q = 1.0 - p;
    if (k == 0)
        return n == 0 ? 0.0 : p < 0.1 ? -bd0(dn, dn * q) - dn * p : dn * log1p(-p);
    if (k == n)
        return q < 0.1 ? -bd0(dn, dn * p) - dn * q : dn * log(p);
    double lc = stirlerr(dn) - stirlerr(x) - stirlerr(dn - x) - bd0(x, dn * p)
                - bd0(dn - x, dn * q);
    return lc - 0.5 * (log(2.0 * M_PI) + log(x) + log1p(-x / dn));
}

static double binom_pmf(long k, long n, double p)
{
    return k < 0 || k > n ? 0.0 : exp(binom_logpmf(k, n, p));
}

/* Sum of pmf terms from k outward (step +1 or -1), starting where the
 * terms are already non-increasing in that direction, until they no
 * longer change the sum.  The ratio of successive terms is exact
 * arithmetic on small integers, so the recurrence adds ~1 ulp per term. */
static double binom_tail_sum(long k, long n, double p, int step)
{
    double term = binom_pmf(k, n, p), sum = 0.0, odds = p / (1.0 - p);
    for (long i = k; i >= 0 && i <= n; i += step) {
        sum += term;
        if (term <= sum * 1e-17 || term == 0.0)
            break;
        term *= step > 0 ? (double)(n - i) / (double)(i + 1) * odds
                         : (double)i / (double)(n - i + 1) / odds;
    }
    return sum;
}

/* P(X >= k), X ~ Bin(n, p), 0 < p < 1.  The smaller tail is summed
 * directly, so small p-values keep their relative precision. */
static double binom_upper(long k, long n, double p)
{
    if (k <= 0)
        return 1.0;
    if (k > n)
        return 0.0;
    if ((double)k > (double)n * p)
        return binom_tail_sum(k, n, p, +1);
    return 1.0 - binom_tail_sum(k - 1, n, p, -1);
}

/* P(X <= k). */
static double binom_lower(long k, long n, double p)
{
    if (k < 0)
        return 0.0;
    if (k >= n)
        return 1.0;
    if ((double)k < (double)n * p)
        return binom_tail_sum(k, n, p, -1);
    return 1.0 - binom_tail_sum(k + 1, n, p, +1);
}

/* The p-value of one alternative hypothesis, for valid x, n > 0 and p0. */
typedef double binom_alternative(long x, long n, double p0);

/* A binomial test: the arguments checked, NaN for no trials, else the
 * alternative's p-value, which must be a number; `what` names it in the
 * numerical failure. */
static utfall_status binom_test(long x, long n, double p0, binom_alternative *alternative,
                                const char *what, double *p_value, utfall_error *err)
{
    utfall_status st = check_binom_args(x, n, p0, p_value, err);
    if (st)
        return st;
    if (n == 0)
        return UTFALL_OK;
    double pv = alternative(x, n, p0);
    if (!isfinite(pv))
        return numeric_failure(err, what);
    *p_value = pv;
    return UTFALL_OK;
}

static double binom_p_greater(long x, long n, double p0)
{
    if (x == 0 || p0 == 1.0)
        return 1.0;
    if (p0 == 0.0)
        return 0.0;
    return binom_upper(x, n, p0);
}

utfall_status utfall_binom_test_greater(long x, long n, double p0, double *p_value,
                                        utfall_error *err)
{
    return binom_test(x, n, p0, binom_p_greater, "a binomial tail", p_value, err);
}

static double binom_p_two_sided(long x, long n, double p0)
{
    double m = (double)n * p0, pv;
    if (p0 == 0.0) {
        pv = x == 0 ? 1.0 : 0.0;
    } else if (p0 == 1.0) {
        pv = x == n ? 1.0 : 0.0;
    } else if ((double)x == m) {
        pv = 1.0;
    } else {
        double d = binom_pmf(x, n, p0) * REL_ERR;
        /* R counts, on the other side of the mean, the outcomes no more
         * likely than x.  The pmf is monotone there (it falls away from
         * the mode), so they form a run ending at n (or starting at 0):
         * find its first element by bisection. */
        if ((double)x < m) {
            long lo = (long)ceil(m), hi = n + 1; /* first i in [lo, hi) with pmf <= d */
            while (lo < hi) {
                long mid = lo + (hi - lo) / 2;
                if (binom_pmf(mid, n, p0) <= d)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            long y = n + 1 - lo;
            pv = binom_lower(x, n, p0) + binom_upper(n - y + 1, n, p0);
        } else {
            long lo = 0, hi = (long)floor(m) + 1; /* first i in [0, hi) with pmf > d */
            while (lo < hi) {
                long mid = lo + (hi - lo) / 2;
                if (binom_pmf(mid, n, p0) > d)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            long y = lo;
            pv = binom_lower(y - 1, n, p0) + binom_upper(x, n, p0);
        }
        pv = fmin(1.0, pv);
    }
    return pv;
}

utfall_status utfall_binom_test_two_sided(long x, long n, double p0, double *p_value,
                                          utfall_error *err)
{
    return binom_test(x, n, p0, binom_p_two_sided, "a binomial test", p_value, err);
}

/* ---- Tables -------------------------------------------------------------- */

utfall_status utfall_chisq_test(const long *counts, size_t nrows, size_t ncols,
                                utfall_chisq_result *out, utfall_error *err)
{
    if (!out)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_NULL_ARGUMENT, "no result to fill");
    memset(out, 0, sizeof *out);
    out->statistic = out->df = out->p_value = out->min_expected = NAN;
    if (!counts || nrows == 0 || ncols == 0)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_EMPTY_TABLE,
                                "the table has no cells");
    if (nrows > ((size_t)-1) / ncols / sizeof(double) / 2)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_TOO_LARGE, "the table is too large");

    double *rs = calloc(nrows + ncols, sizeof *rs), *cs = rs ? rs + nrows : NULL;
    if (!rs)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    long total = 0;
    for (size_t i = 0; i < nrows; i++)
        for (size_t j = 0; j < ncols; j++) {
            long v = counts[i * ncols + j];
            if (v < 0) {
                free(rs);
                return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_COUNT,
                                        "count %ld in row %zu, column %zu is negative", v,
                                        i + 1, j + 1);
            }
            if (v > LONG_MAX - total) {
                free(rs);
                return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_TOO_LARGE,
                                        "the table total overflows");
            }
            total += v;
            rs[i] += (double)v;
            cs[j] += (double)v;
        }
    out->total = total;
    for (size_t i = 0; i < nrows; i++)
        rs[i] > 0 ? out->rows_used++ : out->rows_dropped++;
    for (size_t j = 0; j < ncols; j++)
        cs[j] > 0 ? out->cols_used++ : out->cols_dropped++;
    if (out->rows_used < 2 || out->cols_used < 2) {
        free(rs);
        return UTFALL_OK;
    }

    double n = (double)total, stat = 0.0, emin = INFINITY;
    for (size_t i = 0; i < nrows; i++) {
        if (rs[i] == 0)
            continue;
        for (size_t j = 0; j < ncols; j++) {
            if (cs[j] == 0)
                continue;
            double e = rs[i] * cs[j] / n, o = (double)counts[i * ncols + j];
            stat += (o - e) * (o - e) / e;
            emin = fmin(emin, e);
            out->cells_expected_below_5 += e < 5.0;
        }
    }
    free(rs);
    out->statistic = stat;
    out->df = (double)(out->rows_used - 1) * (double)(out->cols_used - 1);
    out->min_expected = emin;
    out->p_value = gsl_cdf_chisq_Q(stat, out->df);
    if (!isfinite(out->p_value)) {
        out->p_value = NAN;
        return numeric_failure(err, "a chi-square tail");
    }
    return UTFALL_OK;
}

utfall_status utfall_fisher_exact_2x2(long a, long b, long c, long d, double *p_value,
                                      utfall_error *err)
{
    if (!p_value)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_NULL_ARGUMENT, "no result to fill");
    *p_value = NAN;
    if (a < 0 || b < 0 || c < 0 || d < 0)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_COUNT,
                                "a count in the 2x2 table is negative");
    if (a > LONG_MAX / 4 || b > LONG_MAX / 4 || c > LONG_MAX / 4 || d > LONG_MAX / 4)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_TOO_LARGE,
                                "a count in the 2x2 table is too large");

    /* R's names: m, n column totals, k first-row total, x = a. */
    long m = a + c, n = b + d, k = a + b;
    long lo = k - n > 0 ? k - n : 0, hi = k < m ? k : m;
    if (lo == hi) { /* a zero margin: the observed table is the only one */
        *p_value = 1.0;
        return UTFALL_OK;
    }
    /* log dhyper as R computes it, from binomial terms at p = k/(m + n);
     * the common factor dbinom(k, m + n, p) cancels on normalizing.  R
     * normalizes by the largest term and sums every table as likely as the
     * observed one or less (the relative tolerance guards exact ties);
     * tables further out than exp(-745) of the mode are 0 in R as well, so
     * walking outward from the mode until the terms vanish gives R's sums
     * without visiting (or storing) a support of 10^8 tables. */
    double p = (double)k / (double)(m + n);
    double mode_d = floor(((double)k + 1.0) * ((double)m + 1.0) / ((double)(m + n) + 2.0));
    long mode = mode_d < (double)lo ? lo : mode_d > (double)hi ? hi : (long)mode_d;
    double max = binom_logpmf(mode, m, p) + binom_logpmf(k - mode, n, p);
    double dobs = exp(binom_logpmf(a, m, p) + binom_logpmf(k - a, n, p) - max) * REL_ERR;
    double sum = 0.0, pv = 0.0;
    for (int dir = -1; dir <= 1; dir += 2)
        for (long i = dir < 0 ? mode : mode + 1; i >= lo && i <= hi; i += dir) {
            double t = exp(binom_logpmf(i, m, p) + binom_logpmf(k - i, n, p) - max);
            if (t == 0.0)
                break;
            sum += t;
            if (t <= dobs)
                pv += t;
        }
    if (!(sum > 0.0) || !isfinite(pv))
        return numeric_failure(err, "a hypergeometric probability");
    pv /= sum;
    *p_value = fmin(pv, 1.0);
    return UTFALL_OK;
}

/* ---- Two proportions ----------------------------------------------------- */

static utfall_status check_two(long x1, long n1, long x2, long n2, double level,
                               utfall_interval *out, utfall_error *err)
{
    utfall_status st;
    interval_nan(out);
    if (!out)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_NULL_ARGUMENT, "no result to fill");
    if ((st = check_count(x1, n1, err)) || (st = check_count(x2, n2, err))
        || (st = check_level(level, err)))
        return st;
    return UTFALL_OK;
}

utfall_status utfall_prop_diff_newcombe(long x1, long n1, long x2, long n2, double level,
                                        utfall_interval *out, utfall_error *err)
{
    utfall_status st = check_two(x1, n1, x2, n2, level, out, err);
    if (st || n1 == 0 || n2 == 0)
        return st;
    double z = z_for_level(level), l1, u1, l2, u2;
    double p1 = (double)x1 / (double)n1, p2 = (double)x2 / (double)n2, dd = p1 - p2;
    wilson(x1, n1, z, &l1, &u1);
    wilson(x2, n2, z, &l2, &u2);
    out->estimate = dd;
    out->lower = dd - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
    out->upper = dd + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
    return UTFALL_OK;
}

utfall_status utfall_risk_ratio_katz(long x1, long n1, long x2, long n2, double level,
                                     utfall_interval *out, utfall_error *err)
{
    utfall_status st = check_two(x1, n1, x2, n2, level, out, err);
    if (st || n1 == 0 || n2 == 0 || x2 == 0)
        return st;
    double p1 = (double)x1 / (double)n1, p2 = (double)x2 / (double)n2;
    out->estimate = p1 / p2;
    if (x1 == 0)
        return UTFALL_OK;
    double se = sqrt(1.0 / (double)x1 - 1.0 / (double)n1 + 1.0 / (double)x2 - 1.0 / (double)n2);
    double z = z_for_level(level), lr = log(out->estimate);
    out->lower = exp(lr - z * se);
    out->upper = exp(lr + z * se);
    return UTFALL_OK;
}

/* ---- Mantel–Haenszel ---------------------------------------------------- */

/* The risk difference and ratio over the strata with both arms. */
static void mh_estimates(const utfall_mh_stratum *s, size_t k, double z, utfall_mh_result *out)
{
    double rd_num = 0, w = 0, rd_var = 0, R = 0, S = 0, P = 0;
    for (size_t i = 0; i < k; i++) {
        double x1 = (double)s[i].x1, n1 = (double)s[i].n1, x0 = (double)s[i].x0;
        double n0 = (double)s[i].n0, N = n1 + n0;
        if (s[i].n1 <= 0 || s[i].n0 <= 0)
            continue; /* a stratum lacking an arm takes no part */
        out->strata_used++;
        rd_num += (x1 * n0 - x0 * n1) / N;
        w += n1 * n0 / N;
        rd_var += (x1 * (n1 - x1) * n0 * n0 * n0 + x0 * (n0 - x0) * n1 * n1 * n1)
                  / (n1 * n0 * N * N);
        R += x1 * n0 / N;
        S += x0 * n1 / N;
        P += (n1 * n0 * (x1 + x0) - x1 * x0 * N) / (N * N);
    }
    if (w > 0) {
        out->risk_diff = rd_num / w;
        out->risk_diff_se = sqrt(rd_var) / w;
        out->risk_diff_low = out->risk_diff - z * out->risk_diff_se;
        out->risk_diff_high = out->risk_diff + z * out->risk_diff_se;
    }
    if (S > 0) {
        out->risk_ratio = R / S;
        if (R > 0) {
            out->log_rr_se = sqrt(P / (R * S));
            out->risk_ratio_low = exp(log(R / S) - z * out->log_rr_se);
            out->risk_ratio_high = exp(log(R / S) + z * out->log_rr_se);
        }
    }
}

/* The CMH test over the strata with at least two participants. */
static void mh_cmh(const utfall_mh_stratum *s, size_t k, utfall_mh_result *out)
{
    double delta = 0, var = 0;
    for (size_t i = 0; i < k; i++) {
        double n1 = (double)s[i].n1, n0 = (double)s[i].n0, N = n1 + n0;
        if (N < 2)
            continue;
        double m1 = (double)(s[i].x1 + s[i].x0), m0 = N - m1;
        out->cmh_strata++;
        delta += (double)s[i].x1 - n1 * m1 / N;
        var += n1 * n0 * m1 * m0 / (N * N * (N - 1.0));
    }
    if (var > 0) {
        out->cmh_tested = 1;
        out->cmh_chi2 = delta * delta / var;
        out->cmh_p_value = gsl_cdf_chisq_Q(out->cmh_chi2, 1.0);
    }
}

utfall_status utfall_mantel_haenszel(const utfall_mh_stratum *s, size_t k, double level,
                                     utfall_mh_result *out, utfall_error *err)
{
    if (!out || (k > 0 && !s))
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_NULL_ARGUMENT,
                                "no strata or no result to fill");
    *out = (utfall_mh_result){0, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, 0, 0, NAN, NAN};
    utfall_status st = check_level(level, err);
    for (size_t i = 0; i < k && !st; i++)
        if ((st = check_count(s[i].x1, s[i].n1, err)) || (st = check_count(s[i].x0, s[i].n0, err)))
            break;
    if (st)
        return st;
    mh_estimates(s, k, z_for_level(level), out);
    mh_cmh(s, k, out);
    return UTFALL_OK;
}

/* ---- Paired change ------------------------------------------------------- */

double utfall_quantile_sorted(const double *sorted, size_t n, double prob)
{
    if (!sorted || n == 0 || !(prob >= 0.0 && prob <= 1.0))
        return NAN;
    /* R: index <- 1 + (n - 1) * probs; qs <- (1 - h) x[lo] + h x[hi],
     * interpolating only when x[hi] differs from x[lo]. */
    double index = (double)(n - 1) * prob;
    size_t lo = (size_t)floor(index), hi = (size_t)ceil(index);
    double q = sorted[lo];
    if (index > (double)lo && sorted[hi] != q) {
        double h = index - (double)lo;
        q = (1.0 - h) * q + h * sorted[hi];
    }
    return q;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Number of subsets of {1..n} by rank sum, n < 50: fits doubles exactly
 * (2^49 < 2^53).  Returns P(V <= q) under H0. */
static double signrank_cdf(double q, size_t n)
{
    size_t max = n * (n + 1) / 2;
    if (q < 0)
        return 0.0;
    if (q >= (double)max)
        return 1.0;
    double *w = calloc(max + 1, sizeof *w);
    if (!w)
        return NAN;
    w[0] = 1.0;
    for (size_t k = 1; k <= n; k++)
        for (size_t s = k * (k + 1) / 2; s >= k; s--)
            w[s] += w[s - k];
    double p = 0.0;
    for (size_t s = 0; (double)s <= q; s++)
        p += w[s];
    free(w);
    return p * ldexp(1.0, -(int)n);
}

/* Wilcoxon signed rank with R's defaults, from n nonzero differences,
 * V, the tie correction sum and whether there were ties. */
static void wilcoxon_finish(size_t n, double v, double tie_sum, int ties,
                            utfall_paired_change *out)
{
    out->wilcoxon_n = n;
    out->wilcoxon_v = v;
    if (n == 0)
        return;
    double dn = (double)n;
    int zeros = out->n > n;
    if (n < 50 && !ties && !zeros) {
        /* Upper tail by symmetry, P(V >= v) = P(V <= n(n+1)/2 - v), as R
         * does, so that small p-values keep their precision. */
        double p = v > dn * (dn + 1) / 4 ? signrank_cdf(dn * (dn + 1) / 2 - v, n)
                                         : signrank_cdf(v, n);
        out->wilcoxon_exact = 1;
        out->wilcoxon_p_value = fmin(2.0 * p, 1.0);
    } else {
        double z = v - dn * (dn + 1) / 4;
        double sigma = sqrt(dn * (dn + 1) * (2 * dn + 1) / 24 - tie_sum / 48);
        z = (z - (z > 0 ? 0.5 : z < 0 ? -0.5 : 0.0)) / sigma;
        out->wilcoxon_p_value = 2.0 * fmin(gsl_cdf_ugaussian_P(z), gsl_cdf_ugaussian_Q(z));
    }
}

/* Wilcoxon's V over the nonzero differences, from the sorted d: |d| in
 * ascending order is walked outward from zero, merging negatives and
 * positives, a group of equal |d| at a time, so no copy is needed. */
static void wilcoxon_sorted(const double *sorted, size_t n, utfall_paired_change *out)
{
    size_t neg_end = 0, pos_start;
    while (neg_end < n && sorted[neg_end] < 0)
        neg_end++;
    pos_start = neg_end;
    while (pos_start < n && sorted[pos_start] == 0)
        pos_start++;
    double v = 0.0, tie_sum = 0.0;
    int ties = 0;
    size_t rank0 = 0, ni = neg_end, pi = pos_start;
    while (ni > 0 || pi < n) {
        double a = pi < n && (ni == 0 || sorted[pi] <= -sorted[ni - 1]) ? sorted[pi]
                                                                         : -sorted[ni - 1];
        size_t pos = 0, t = 0;
        while (pi < n && sorted[pi] == a) {
            pi++;
            pos++;
        }
        t = pos;
        while (ni > 0 && -sorted[ni - 1] == a) {
            ni--;
            t++;
        }
        double tt = (double)t, rank = ((double)rank0 + (double)(rank0 + t - 1)) / 2.0 + 1.0;
        v += (double)pos * rank;
        if (t > 1)
            ties = 1;
        tie_sum += tt * tt * tt - tt;
        rank0 += t;
    }
    wilcoxon_finish(rank0, v, tie_sum, ties, out);
}

static utfall_status paired_change(double *d, size_t n, int sort_in_place, double tolerance,
                                   double level, utfall_paired_change *out, utfall_error *err)
{
    if (!out)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_NULL_ARGUMENT, "no result to fill");
    memset(out, 0, sizeof *out);
    out->mean = out->sd = out->mean_lower = out->mean_upper = NAN;
    out->t_statistic = out->t_df = out->t_p_value = NAN;
    out->median = out->q1 = out->q3 = NAN;
    out->wilcoxon_v = out->wilcoxon_p_value = out->sign_p_value = NAN;
    if (!d && n > 0)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_NULL_ARGUMENT, "no differences given");
    if (!(tolerance >= 0.0))
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_TOLERANCE,
                                "tolerance %g is not a number >= 0", tolerance);
    utfall_status st = check_level(level, err);
    if (st)
        return st;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(d[i]))
            return utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_NON_FINITE,
                                    "difference number %zu is not a finite number", i + 1);
    out->n = n;
    if (n == 0)
        return UTFALL_OK;

    /* Mean as R computes it: long double sum, then one refinement pass;
     * the sums run in the order given, before any sorting. */
    long double s = 0;
    for (size_t i = 0; i < n; i++) {
        s += d[i];
        if (d[i] > tolerance)
            out->increased++;
        else if (d[i] < -tolerance)
            out->decreased++;
        else
            out->unchanged++;
    }
    long double mean = s / (long double)n, corr = 0;
    for (size_t i = 0; i < n; i++)
        corr += d[i] - mean;
    mean += corr / (long double)n;
    out->mean = (double)mean;
    long double ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (d[i] - mean) * (d[i] - mean);

    double *sorted = d;
    if (!sort_in_place) {
        sorted = malloc(n * sizeof *sorted);
        if (!sorted)
            return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
        memcpy(sorted, d, n * sizeof *sorted);
    }
    qsort(sorted, n, sizeof *sorted, cmp_double);
    out->median = utfall_quantile_sorted(sorted, n, 0.5);
    out->q1 = utfall_quantile_sorted(sorted, n, 0.25);
    out->q3 = utfall_quantile_sorted(sorted, n, 0.75);
    wilcoxon_sorted(sorted, n, out);
    if (!sort_in_place)
        free(sorted);
    if (out->wilcoxon_n > 0 && !isfinite(out->wilcoxon_p_value)) {
        out->wilcoxon_p_value = NAN;
        return numeric_failure(err, "the Wilcoxon test");
    }

    if (out->increased + out->decreased > 0) {
        st = utfall_binom_test_two_sided((long)out->increased,
                                         (long)(out->increased + out->decreased), 0.5,
                                         &out->sign_p_value, err);
        if (st)
            return st;
    }

    if (n < 2)
        return UTFALL_OK;
    double dn = (double)n, sd = sqrt((double)(ss / (long double)(n - 1)));
    double se = sd / sqrt(dn);
    out->sd = sd;
    out->t_df = dn - 1;
    if (se == 0.0 || se < 10 * DBL_EPSILON * fabs(out->mean))
        return UTFALL_OK;
    double t = out->mean / se, q = gsl_cdf_tdist_Pinv((1.0 + level) / 2.0, out->t_df);
    out->t_statistic = t;
    out->t_p_value = 2.0 * gsl_cdf_tdist_P(-fabs(t), out->t_df);
    out->mean_lower = out->mean - q * se;
    out->mean_upper = out->mean + q * se;
    if (!isfinite(out->t_p_value) || !isfinite(q)) {
        out->t_p_value = out->mean_lower = out->mean_upper = NAN;
        return numeric_failure(err, "the t test");
    }
    return UTFALL_OK;
}

utfall_status utfall_paired_change_summarize(const double *d, size_t n, double tolerance,
                                             double level, utfall_paired_change *out,
                                             utfall_error *err)
{
    /* not written to: the copy is sorted */
    return paired_change((double *)d, n, 0, tolerance, level, out, err);
}

utfall_status utfall_paired_change_summarize_inplace(double *d, size_t n, double tolerance,
                                                     double level, utfall_paired_change *out,
                                                     utfall_error *err)
{
    return paired_change(d, n, 1, tolerance, level, out, err);
}
