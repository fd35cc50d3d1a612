/* Edge cases of lib/stats/stats.c, one by one: the rules for "not computable"
 * (NAN with UTFALL_OK), usage errors (status, error code, NAN results),
 * and values that follow from the definitions without needing R. */
#include "utfall/utfall.h"

#include "check.h"

#include <math.h>
#include <stdio.h>
#include <string.h>


#define CLOSE(a, b) (fabs((a) - (b)) <= 1e-12 + 1e-9 * fabs(b))

static void test_method_names(void)
{
    utfall_prop_ci_method m = UTFALL_PROP_CI_JEFFREYS;
    CHECK(utfall_prop_ci_method_parse("wilson", &m) == 0 && m == UTFALL_PROP_CI_WILSON);
    CHECK(utfall_prop_ci_method_parse("exact", &m) == 0 && m == UTFALL_PROP_CI_EXACT);
    CHECK(utfall_prop_ci_method_parse("Clopper-Pearson", &m) == 0 && m == UTFALL_PROP_CI_EXACT);
    CHECK(utfall_prop_ci_method_parse("AGRESTI-COULL", &m) == 0
          && m == UTFALL_PROP_CI_AGRESTI_COULL);
    CHECK(utfall_prop_ci_method_parse("jeffreys", &m) == 0 && m == UTFALL_PROP_CI_JEFFREYS);
    m = UTFALL_PROP_CI_EXACT;
    CHECK(utfall_prop_ci_method_parse("wald", &m) == -1 && m == UTFALL_PROP_CI_EXACT);
    CHECK(utfall_prop_ci_method_parse("", &m) == -1);
    CHECK(utfall_prop_ci_method_parse(NULL, &m) == -1);
    CHECK(utfall_prop_ci_method_parse("wilson", NULL) == -1);
    static const char *const names[] = {"wilson", "exact", "agresti-coull", "jeffreys"};
    for (int i = 0; i < 4; i++) {
        CHECK(!strcmp(utfall_prop_ci_method_name((utfall_prop_ci_method)i), names[i]));
        CHECK(utfall_prop_ci_method_parse(names[i], &m) == 0 && (int)m == i);
    }
    CHECK(!strcmp(utfall_prop_ci_method_name((utfall_prop_ci_method)42), "unknown"));
}

static int all_nan(const utfall_interval *ci)
{
    return isnan(ci->estimate) && isnan(ci->lower) && isnan(ci->upper);
}

static void test_prop_ci(void)
{
    utfall_interval ci;
    utfall_error err;
    for (int m = 0; m < 4; m++) {
        utfall_prop_ci_method method = (utfall_prop_ci_method)m;
        /* n = 0: not computable */
        CHECK(utfall_prop_ci(0, 0, 0.95, method, &ci, NULL) == UTFALL_OK && all_nan(&ci));
        /* x = 0 and x = n pin the open end (Agresti–Coull after clipping) */
        CHECK(utfall_prop_ci(0, 7, 0.95, method, &ci, NULL) == UTFALL_OK && ci.lower == 0.0
              && ci.estimate == 0.0 && ci.upper > 0.0 && ci.upper < 1.0);
        CHECK(utfall_prop_ci(7, 7, 0.95, method, &ci, NULL) == UTFALL_OK && ci.upper == 1.0
              && ci.estimate == 1.0 && ci.lower > 0.0);
        /* bounds bracket the estimate and get wider with the level */
        utfall_interval wide;
        CHECK(utfall_prop_ci(3, 11, 0.95, method, &ci, NULL) == UTFALL_OK
              && ci.lower < ci.estimate && ci.estimate < ci.upper);
        CHECK(utfall_prop_ci(3, 11, 0.99, method, &wide, NULL) == UTFALL_OK
              && wide.lower < ci.lower && wide.upper > ci.upper);
        /* usage errors: status, code, NAN results, err may be NULL */
        utfall_error_clear(&err);
        CHECK(utfall_prop_ci(8, 7, 0.95, method, &ci, &err) == UTFALL_ERR_USAGE && all_nan(&ci)
              && err.code && !strcmp(err.code, "bad-count"));
        CHECK(utfall_prop_ci(-1, 7, 0.95, method, &ci, NULL) == UTFALL_ERR_USAGE);
        CHECK(utfall_prop_ci(0, -1, 0.95, method, &ci, NULL) == UTFALL_ERR_USAGE);
        utfall_error_clear(&err);
        CHECK(utfall_prop_ci(1, 7, 1.0, method, &ci, &err) == UTFALL_ERR_USAGE && all_nan(&ci)
              && !strcmp(err.code, "bad-level"));
        CHECK(utfall_prop_ci(1, 7, 0.0, method, &ci, NULL) == UTFALL_ERR_USAGE);
        CHECK(utfall_prop_ci(1, 7, NAN, method, &ci, NULL) == UTFALL_ERR_USAGE);
        CHECK(utfall_prop_ci(1, 7, 0.95, method, NULL, NULL) == UTFALL_ERR_USAGE);
    }
    CHECK(utfall_prop_ci(1, 7, 0.95, (utfall_prop_ci_method)42, &ci, NULL) == UTFALL_ERR_USAGE
          && all_nan(&ci));
    /* Agresti–Coull is clipped: unclipped lower bound for 1 of 10 is < 0 */
    CHECK(utfall_prop_ci(1, 10, 0.95, UTFALL_PROP_CI_AGRESTI_COULL, &ci, NULL) == UTFALL_OK
          && ci.lower == 0.0);
    /* n = 1: exact interval is [alpha/2, 1] for x = 1 */
    CHECK(utfall_prop_ci(1, 1, 0.95, UTFALL_PROP_CI_EXACT, &ci, NULL) == UTFALL_OK
          && CLOSE(ci.lower, 0.025) && ci.upper == 1.0);
    /* counts beyond 32 bits */
    CHECK(utfall_prop_ci(3000000000L, 10000000000L, 0.95, UTFALL_PROP_CI_EXACT, &ci, NULL)
              == UTFALL_OK
          && ci.lower < 0.3 && ci.upper > 0.3 && ci.upper - ci.lower < 1e-4);
}

static void test_binom(void)
{
    double p = 0.5;
    utfall_error err;
    /* p0 at the ends */
    CHECK(utfall_binom_test_greater(0, 10, 0.0, &p, NULL) == UTFALL_OK && p == 1.0);
    CHECK(utfall_binom_test_greater(1, 10, 0.0, &p, NULL) == UTFALL_OK && p == 0.0);
    CHECK(utfall_binom_test_greater(3, 10, 1.0, &p, NULL) == UTFALL_OK && p == 1.0);
    CHECK(utfall_binom_test_two_sided(0, 10, 0.0, &p, NULL) == UTFALL_OK && p == 1.0);
    CHECK(utfall_binom_test_two_sided(2, 10, 0.0, &p, NULL) == UTFALL_OK && p == 0.0);
    CHECK(utfall_binom_test_two_sided(10, 10, 1.0, &p, NULL) == UTFALL_OK && p == 1.0);
    CHECK(utfall_binom_test_two_sided(9, 10, 1.0, &p, NULL) == UTFALL_OK && p == 0.0);
    /* x = 0 is never evidence for "greater" */
    CHECK(utfall_binom_test_greater(0, 10, 0.3, &p, NULL) == UTFALL_OK && p == 1.0);
    /* x = n p0 exactly: two-sided p is 1 */
    CHECK(utfall_binom_test_two_sided(5, 10, 0.5, &p, NULL) == UTFALL_OK && p == 1.0);
    /* P(X >= n) = p0^n */
    CHECK(utfall_binom_test_greater(10, 10, 0.5, &p, NULL) == UTFALL_OK
          && CLOSE(p, 1.0 / 1024));
    /* sign test, 183 increased vs 22 decreased (AMA): tiny but positive */
    CHECK(utfall_binom_test_two_sided(183, 205, 0.5, &p, NULL) == UTFALL_OK && p > 0.0
          && p < 1e-20);
    /* n = 0: not computable */
    CHECK(utfall_binom_test_greater(0, 0, 0.5, &p, NULL) == UTFALL_OK && isnan(p));
    CHECK(utfall_binom_test_two_sided(0, 0, 0.5, &p, NULL) == UTFALL_OK && isnan(p));
    /* usage errors */
    utfall_error_clear(&err);
    CHECK(utfall_binom_test_greater(1, 10, 1.5, &p, &err) == UTFALL_ERR_USAGE && isnan(p)
          && !strcmp(err.code, "bad-probability"));
    CHECK(utfall_binom_test_two_sided(1, 10, -0.1, &p, NULL) == UTFALL_ERR_USAGE && isnan(p));
    CHECK(utfall_binom_test_two_sided(1, 10, NAN, &p, NULL) == UTFALL_ERR_USAGE);
    CHECK(utfall_binom_test_two_sided(11, 10, 0.5, &p, NULL) == UTFALL_ERR_USAGE);
    CHECK(utfall_binom_test_greater(1, 10, 0.5, NULL, NULL) == UTFALL_ERR_USAGE);
    /* symmetric at p0 = 0.5, and beyond 32-bit n */
    double q;
    CHECK(utfall_binom_test_two_sided(40, 100, 0.5, &p, NULL) == UTFALL_OK
          && utfall_binom_test_two_sided(60, 100, 0.5, &q, NULL) == UTFALL_OK && CLOSE(p, q));
    CHECK(utfall_binom_test_two_sided(5000000000L, 10000000000L, 0.5, &p, NULL) == UTFALL_OK
          && p == 1.0);
    CHECK(utfall_binom_test_two_sided(5000010000L, 10000000000L, 0.5, &p, NULL) == UTFALL_OK
          && p > 0.8 && p < 0.9); /* z = 0.2: 2 * (1 - Phi(0.2)) = 0.8415 */
}

static void test_chisq(void)
{
    utfall_chisq_result r;
    utfall_error err;
    const long zero[4] = {0, 0, 0, 0};
    CHECK(utfall_chisq_test(zero, 2, 2, &r, NULL) == UTFALL_OK && isnan(r.statistic)
          && isnan(r.df) && isnan(r.p_value) && isnan(r.min_expected) && r.total == 0
          && r.rows_dropped == 2 && r.cols_dropped == 2 && r.rows_used == 0);
    const long onerow[3] = {3, 4, 5};
    CHECK(utfall_chisq_test(onerow, 1, 3, &r, NULL) == UTFALL_OK && isnan(r.p_value)
          && r.rows_used == 1 && r.cols_used == 3 && r.total == 12);
    const long zerocol[6] = {2, 0, 3, 4, 0, 1};
    CHECK(utfall_chisq_test(zerocol, 2, 3, &r, NULL) == UTFALL_OK && r.cols_dropped == 1
          && r.rows_dropped == 0 && r.df == 1.0 && r.cols_used == 2 && r.p_value > 0);
    const long equal[4] = {10, 10, 10, 10};
    CHECK(utfall_chisq_test(equal, 2, 2, &r, NULL) == UTFALL_OK && r.statistic == 0.0
          && r.p_value == 1.0 && r.min_expected == 10.0 && r.cells_expected_below_5 == 0);
    const long small[4] = {1, 0, 0, 1};
    CHECK(utfall_chisq_test(small, 2, 2, &r, NULL) == UTFALL_OK && CLOSE(r.statistic, 2.0)
          && r.min_expected == 0.5 && r.cells_expected_below_5 == 4);
    utfall_error_clear(&err);
    const long neg[4] = {1, -1, 2, 3};
    CHECK(utfall_chisq_test(neg, 2, 2, &r, &err) == UTFALL_ERR_USAGE && isnan(r.statistic)
          && !strcmp(err.code, "bad-count"));
    CHECK(utfall_chisq_test(equal, 0, 2, &r, NULL) == UTFALL_ERR_USAGE);
    CHECK(utfall_chisq_test(NULL, 2, 2, &r, NULL) == UTFALL_ERR_USAGE);
    CHECK(utfall_chisq_test(equal, 2, 2, NULL, NULL) == UTFALL_ERR_USAGE);
    const long huge[4] = {0x7fffffffffffffffL, 1, 1, 1};
    CHECK(utfall_chisq_test(huge, 2, 2, &r, NULL) == UTFALL_ERR_USAGE);
}

static void test_fisher(void)
{
    double p = 0.5;
    CHECK(utfall_fisher_exact_2x2(0, 0, 0, 0, &p, NULL) == UTFALL_OK && p == 1.0);
    CHECK(utfall_fisher_exact_2x2(0, 0, 3, 4, &p, NULL) == UTFALL_OK && p == 1.0);
    CHECK(utfall_fisher_exact_2x2(5, 0, 7, 0, &p, NULL) == UTFALL_OK && p == 1.0);
    /* 1 0 / 0 1: both tables have probability 1/2 */
    CHECK(utfall_fisher_exact_2x2(1, 0, 0, 1, &p, NULL) == UTFALL_OK && p == 1.0);
    /* 3 0 / 0 3: 2 * 1/20 */
    CHECK(utfall_fisher_exact_2x2(3, 0, 0, 3, &p, NULL) == UTFALL_OK && CLOSE(p, 0.1));
    /* transposing or swapping rows does not change p */
    double q;
    CHECK(utfall_fisher_exact_2x2(7, 45, 2, 50, &p, NULL) == UTFALL_OK
          && utfall_fisher_exact_2x2(7, 2, 45, 50, &q, NULL) == UTFALL_OK && CLOSE(p, q)
          && utfall_fisher_exact_2x2(2, 50, 7, 45, &q, NULL) == UTFALL_OK && CLOSE(p, q));
    CHECK(utfall_fisher_exact_2x2(-1, 0, 0, 1, &p, NULL) == UTFALL_ERR_USAGE && isnan(p));
    CHECK(utfall_fisher_exact_2x2(1, 0, 0, 1, NULL, NULL) == UTFALL_ERR_USAGE);
    CHECK(utfall_fisher_exact_2x2(150000, 120000, 100000, 130000, &p, NULL) == UTFALL_OK
          && p >= 0.0 && p < 1e-100);
}

static void test_two_props(void)
{
    utfall_interval ci;
    CHECK(utfall_prop_diff_newcombe(0, 0, 3, 10, 0.95, &ci, NULL) == UTFALL_OK && all_nan(&ci));
    CHECK(utfall_prop_diff_newcombe(3, 10, 0, 0, 0.95, &ci, NULL) == UTFALL_OK && all_nan(&ci));
    CHECK(utfall_prop_diff_newcombe(0, 10, 0, 10, 0.95, &ci, NULL) == UTFALL_OK
          && ci.estimate == 0.0 && ci.lower < 0.0 && ci.upper > 0.0);
    CHECK(utfall_prop_diff_newcombe(10, 10, 0, 10, 0.95, &ci, NULL) == UTFALL_OK
          && ci.estimate == 1.0 && ci.upper == 1.0 && ci.lower > 0.0);
    CHECK(utfall_prop_diff_newcombe(11, 10, 0, 10, 0.95, &ci, NULL) == UTFALL_ERR_USAGE
          && all_nan(&ci));
    CHECK(utfall_prop_diff_newcombe(1, 10, 0, 10, 1.5, &ci, NULL) == UTFALL_ERR_USAGE);
    CHECK(utfall_risk_ratio_katz(0, 0, 3, 10, 0.95, &ci, NULL) == UTFALL_OK && all_nan(&ci));
    CHECK(utfall_risk_ratio_katz(3, 10, 0, 10, 0.95, &ci, NULL) == UTFALL_OK && all_nan(&ci));
    CHECK(utfall_risk_ratio_katz(0, 10, 0, 10, 0.95, &ci, NULL) == UTFALL_OK && all_nan(&ci));
    CHECK(utfall_risk_ratio_katz(0, 10, 3, 10, 0.95, &ci, NULL) == UTFALL_OK
          && ci.estimate == 0.0 && isnan(ci.lower) && isnan(ci.upper));
    CHECK(utfall_risk_ratio_katz(10, 10, 5, 5, 0.95, &ci, NULL) == UTFALL_OK
          && ci.estimate == 1.0 && ci.lower == 1.0 && ci.upper == 1.0);
    CHECK(utfall_risk_ratio_katz(2, 10, 4, 10, 0.95, &ci, NULL) == UTFALL_OK
          && CLOSE(ci.estimate, 0.5) && ci.lower < 0.5 && ci.upper > 0.5);
    CHECK(utfall_risk_ratio_katz(2, 10, 4, -1, 0.95, &ci, NULL) == UTFALL_ERR_USAGE);
    CHECK(utfall_risk_ratio_katz(2, 10, 4, 10, 0.95, NULL, NULL) == UTFALL_ERR_USAGE);
}

static void test_paired(void)
{
    utfall_paired_change pc;
    utfall_error err;

    CHECK(utfall_paired_change_summarize(NULL, 0, 0, 0.95, &pc, NULL) == UTFALL_OK
          && pc.n == 0 && pc.increased + pc.unchanged + pc.decreased == 0 && isnan(pc.mean)
          && isnan(pc.sd) && isnan(pc.median) && isnan(pc.q1) && isnan(pc.t_p_value)
          && isnan(pc.t_df) && isnan(pc.wilcoxon_p_value) && isnan(pc.sign_p_value)
          && pc.wilcoxon_n == 0);

    const double one[1] = {-2.5};
    CHECK(utfall_paired_change_summarize(one, 1, 0, 0.95, &pc, NULL) == UTFALL_OK
          && pc.decreased == 1 && pc.mean == -2.5 && isnan(pc.sd) && isnan(pc.mean_lower)
          && isnan(pc.t_df) && pc.median == -2.5 && pc.q1 == -2.5 && pc.q3 == -2.5
          && pc.wilcoxon_n == 1 && pc.wilcoxon_exact && pc.wilcoxon_p_value == 1.0
          && pc.sign_p_value == 1.0);

    const double zeros[4] = {0, 0, 0, 0};
    CHECK(utfall_paired_change_summarize(zeros, 4, 0, 0.95, &pc, NULL) == UTFALL_OK
          && pc.unchanged == 4 && pc.mean == 0.0 && pc.sd == 0.0 && pc.t_df == 3.0
          && isnan(pc.t_statistic) && isnan(pc.t_p_value) && isnan(pc.mean_lower)
          && pc.wilcoxon_n == 0 && pc.wilcoxon_v == 0.0 && isnan(pc.wilcoxon_p_value)
          && isnan(pc.sign_p_value) && pc.median == 0.0);

    const double constant[3] = {2, 2, 2}; /* R: "data are essentially constant" */
    CHECK(utfall_paired_change_summarize(constant, 3, 0, 0.95, &pc, NULL) == UTFALL_OK
          && pc.sd == 0.0 && isnan(pc.t_statistic) && isnan(pc.t_p_value)
          && !pc.wilcoxon_exact && pc.wilcoxon_v == 6.0 && pc.wilcoxon_p_value > 0.0
          && CLOSE(pc.sign_p_value, 0.25));

    /* tolerance moves small changes to "unchanged"; Wilcoxon ignores it */
    const double small[5] = {0.5, -0.5, 1, 3, -0.25};
    CHECK(utfall_paired_change_summarize(small, 5, 0.5, 0.95, &pc, NULL) == UTFALL_OK
          && pc.increased == 2 && pc.unchanged == 3 && pc.decreased == 0
          && pc.wilcoxon_n == 5 && CLOSE(pc.sign_p_value, 0.5));
    CHECK(utfall_paired_change_summarize(small, 5, 0, 0.95, &pc, NULL) == UTFALL_OK
          && pc.increased == 3 && pc.unchanged == 0 && pc.decreased == 2);

    /* quartiles, type 7 */
    const double q[4] = {4, 1, 3, 2};
    CHECK(utfall_paired_change_summarize(q, 4, 0, 0.95, &pc, NULL) == UTFALL_OK
          && pc.median == 2.5 && pc.q1 == 1.75 && pc.q3 == 3.25);

    utfall_error_clear(&err);
    const double bad[2] = {1, NAN};
    CHECK(utfall_paired_change_summarize(bad, 2, 0, 0.95, &pc, &err) == UTFALL_ERR_DATA
          && !strcmp(err.code, "non-finite") && isnan(pc.mean));
    const double inf[2] = {1, INFINITY};
    CHECK(utfall_paired_change_summarize(inf, 2, 0, 0.95, &pc, NULL) == UTFALL_ERR_DATA);
    CHECK(utfall_paired_change_summarize(NULL, 2, 0, 0.95, &pc, NULL) == UTFALL_ERR_USAGE);
    CHECK(utfall_paired_change_summarize(q, 4, -1, 0.95, &pc, NULL) == UTFALL_ERR_USAGE);
    CHECK(utfall_paired_change_summarize(q, 4, NAN, 0.95, &pc, NULL) == UTFALL_ERR_USAGE);
    CHECK(utfall_paired_change_summarize(q, 4, 0, 1.0, &pc, NULL) == UTFALL_ERR_USAGE);
    CHECK(utfall_paired_change_summarize(q, 4, 0, 0.95, NULL, NULL) == UTFALL_ERR_USAGE);
}

static void test_quantile(void)
{
    const double x[5] = {1, 2, 4, 8, 16};
    CHECK(isnan(utfall_quantile_sorted(x, 0, 0.5)));
    CHECK(isnan(utfall_quantile_sorted(NULL, 5, 0.5)));
    CHECK(isnan(utfall_quantile_sorted(x, 5, -0.1)));
    CHECK(isnan(utfall_quantile_sorted(x, 5, 1.1)));
    CHECK(isnan(utfall_quantile_sorted(x, 5, NAN)));
    CHECK(utfall_quantile_sorted(x, 5, 0.0) == 1.0);
    CHECK(utfall_quantile_sorted(x, 5, 1.0) == 16.0);
    CHECK(utfall_quantile_sorted(x, 5, 0.5) == 4.0);
    CHECK(utfall_quantile_sorted(x, 5, 0.9) == 12.8); /* h = 3.6: 0.4 * 8 + 0.6 * 16 */
    CHECK(utfall_quantile_sorted(x, 1, 0.3) == 1.0);
}

int main(void)
{
    utfall_init();
    test_method_names();
    test_prop_ci();
    test_binom();
    test_chisq();
    test_fisher();
    test_two_props();
    test_paired();
    test_quantile();
    return checks_report("edges");
}
