/* Checks lib/stats/stats.c against the R reference values in the TSV files beside it.
 *
 *   test_stats FAMILY FILE.tsv
 *
 * FAMILY is one of prop_ci, binom_test, chisq, fisher, two_props, paired.
 * Every value must match to a relative error of 1e-6 (absolute 1e-12 near
 * zero); "NA" expects NAN.  Prints one line per failing value and a
 * summary; exits 0 when all pass, 1 otherwise, 99 on a broken data file. */
#include "utfall/utfall.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS 32
#define REL_TOL 1e-6
#define ABS_TOL 1e-12

struct row {
    const char *file;
    long line;
    int ncols;
    char *names[MAX_COLS];
    char *values[MAX_COLS];
};

static long n_checked, n_failed, n_cases;
static double worst_rel;

static void die(const char *file, long line, const char *what)
{
    fprintf(stderr, "test_stats: %s:%ld: %s\n", file, line, what);
    exit(99);
}

static const char *field(const struct row *r, const char *name)
{
    for (int i = 0; i < r->ncols; i++)
        if (!strcmp(r->names[i], name))
            return r->values[i];
    die(r->file, r->line, name);
    return NULL;
}

static double num(const struct row *r, const char *name)
{
    const char *s = field(r, name);
    if (!strcmp(s, "NA"))
        return NAN;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE)
        die(r->file, r->line, "not a number");
    return v;
}

static long count(const struct row *r, const char *name)
{
    const char *s = field(r, name);
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end)
        die(r->file, r->line, "not an integer");
    return v;
}

/* "1,2,3" -> array; "-" is the empty list.  Caller frees. */
static double *num_list(const struct row *r, const char *name, size_t *n)
{
    const char *s = field(r, name);
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    double *v = malloc(cap * sizeof *v);
    if (!v)
        die(r->file, r->line, "out of memory");
    *n = 0;
    if (!strcmp(s, "-"))
        return v;
    const char *p = s;
    for (;;) {
        char *end;
        v[(*n)++] = strtod(p, &end);
        if (end == p)
            die(r->file, r->line, "bad list");
        if (*end != ',')
            break;
        p = end + 1;
    }
    return v;
}

static void check(const struct row *r, const char *what, double got, double want)
{
    n_checked++;
    int ok;
    if (isnan(want)) {
        ok = isnan(got);
    } else {
        double diff = fabs(got - want), rel = want != 0 ? diff / fabs(want) : diff;
        ok = !isnan(got) && (diff <= ABS_TOL || rel <= REL_TOL);
        if (ok && diff > 0 && rel > worst_rel && fabs(want) > ABS_TOL)
            worst_rel = rel;
    }
    if (!ok) {
        n_failed++;
        printf("FAIL %s %s: got %.15g, R %.15g\n", field(r, "id"), what, got, want);
    }
}

static void check_col(const struct row *r, const char *col, double got)
{
    check(r, col, got, num(r, col));
}

static void check_status(const struct row *r, utfall_status st, const utfall_error *err)
{
    if (st != UTFALL_OK) {
        n_failed++;
        printf("FAIL %s: status %d (%s)\n", field(r, "id"), (int)st, err->text);
    }
}

/* ---- Families ------------------------------------------------------------ */

static void run_prop_ci(const struct row *r)
{
    utfall_prop_ci_method m;
    utfall_interval ci;
    utfall_error err;
    utfall_error_clear(&err);
    if (utfall_prop_ci_method_parse(field(r, "method"), &m))
        die(r->file, r->line, "unknown method");
    check_status(r, utfall_prop_ci(count(r, "x"), count(r, "n"), num(r, "level"), m, &ci, &err),
                 &err);
    check_col(r, "estimate", ci.estimate);
    check_col(r, "lower", ci.lower);
    check_col(r, "upper", ci.upper);
}

static void run_binom_test(const struct row *r)
{
    double greater, two;
    utfall_error err;
    utfall_error_clear(&err);
    long x = count(r, "x"), n = count(r, "n");
    double p0 = num(r, "p0");
    check_status(r, utfall_binom_test_greater(x, n, p0, &greater, &err), &err);
    check_status(r, utfall_binom_test_two_sided(x, n, p0, &two, &err), &err);
    check_col(r, "p_greater", greater);
    check_col(r, "p_two_sided", two);
}

static void run_chisq(const struct row *r)
{
    size_t n;
    double *v = num_list(r, "counts", &n);
    size_t nrows = (size_t)count(r, "nrows"), ncols = (size_t)count(r, "ncols");
    if (n != nrows * ncols)
        die(r->file, r->line, "counts do not fill the table");
    long *counts = malloc(n * sizeof *counts);
    for (size_t i = 0; i < n; i++)
        counts[i] = (long)v[i];
    utfall_chisq_result res;
    utfall_error err;
    utfall_error_clear(&err);
    check_status(r, utfall_chisq_test(counts, nrows, ncols, &res, &err), &err);
    check_col(r, "statistic", res.statistic);
    check_col(r, "df", res.df);
    check_col(r, "p_value", res.p_value);
    check_col(r, "min_expected", res.min_expected);
    if (!isnan(num(r, "cells_below_5")))
        check_col(r, "cells_below_5", (double)res.cells_expected_below_5);
    check_col(r, "rows_dropped", (double)res.rows_dropped);
    check_col(r, "cols_dropped", (double)res.cols_dropped);
    free(counts);
    free(v);
}

static void run_fisher(const struct row *r)
{
    double p;
    utfall_error err;
    utfall_error_clear(&err);
    check_status(r,
                 utfall_fisher_exact_2x2(count(r, "a"), count(r, "b"), count(r, "c"),
                                         count(r, "d"), &p, &err),
                 &err);
    check_col(r, "p_value", p);
}

static void run_two_props(const struct row *r)
{
    utfall_interval diff, rr;
    utfall_error err;
    utfall_error_clear(&err);
    long x1 = count(r, "x1"), n1 = count(r, "n1"), x2 = count(r, "x2"), n2 = count(r, "n2");
    double level = num(r, "level");
    check_status(r, utfall_prop_diff_newcombe(x1, n1, x2, n2, level, &diff, &err), &err);
    check_status(r, utfall_risk_ratio_katz(x1, n1, x2, n2, level, &rr, &err), &err);
    check_col(r, "diff", diff.estimate);
    check_col(r, "diff_lower", diff.lower);
    check_col(r, "diff_upper", diff.upper);
    check_col(r, "rr", rr.estimate);
    check_col(r, "rr_lower", rr.lower);
    check_col(r, "rr_upper", rr.upper);
}

static void run_paired(const struct row *r)
{
    size_t n;
    double *d = num_list(r, "d", &n);
    utfall_paired_change pc;
    utfall_error err;
    utfall_error_clear(&err);
    check_status(r,
                 utfall_paired_change_summarize(d, n, num(r, "tolerance"), num(r, "level"), &pc,
                                                &err),
                 &err);
    check_col(r, "n", (double)pc.n);
    check_col(r, "increased", (double)pc.increased);
    check_col(r, "unchanged", (double)pc.unchanged);
    check_col(r, "decreased", (double)pc.decreased);
    check_col(r, "mean", pc.mean);
    check_col(r, "sd", pc.sd);
    check_col(r, "mean_lower", pc.mean_lower);
    check_col(r, "mean_upper", pc.mean_upper);
    check_col(r, "t", pc.t_statistic);
    check_col(r, "df", pc.t_df);
    check_col(r, "t_p_value", pc.t_p_value);
    check_col(r, "median", pc.median);
    check_col(r, "q1", pc.q1);
    check_col(r, "q3", pc.q3);
    check_col(r, "wilcoxon_n", (double)pc.wilcoxon_n);
    check_col(r, "wilcoxon_v", pc.wilcoxon_v);
    check_col(r, "wilcoxon_p_value", pc.wilcoxon_p_value);
    if (!isnan(num(r, "wilcoxon_exact")))
        check_col(r, "wilcoxon_exact", (double)pc.wilcoxon_exact);
    check_col(r, "sign_p_value", pc.sign_p_value);
    free(d);
}

static const struct {
    const char *name;
    void (*run)(const struct row *);
} families[] = {
    {"prop_ci", run_prop_ci}, {"binom_test", run_binom_test}, {"chisq", run_chisq},
    {"fisher", run_fisher},   {"two_props", run_two_props},   {"paired", run_paired},
};

/* Split s at tabs in place; returns the number of fields. */
static int split(char *s, char **out)
{
    int n = 0;
    s[strcspn(s, "\r\n")] = '\0';
    for (;;) {
        if (n == MAX_COLS)
            return -1;
        out[n++] = s;
        char *tab = strchr(s, '\t');
        if (!tab)
            return n;
        *tab = '\0';
        s = tab + 1;
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_stats FAMILY FILE.tsv\n");
        return 99;
    }
    void (*run)(const struct row *) = NULL;
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        if (!strcmp(argv[1], families[i].name))
            run = families[i].run;
    if (!run)
        die(argv[1], 0, "unknown family");
    FILE *f = fopen(argv[2], "r");
    if (!f)
        die(argv[2], 0, strerror(errno));
    utfall_init();

    static char header[8192], line[1 << 20];
    struct row r = {.file = argv[2], .line = 1};
    if (!fgets(header, sizeof header, f) || (r.ncols = split(header, r.names)) < 1)
        die(argv[2], 1, "no header");
    while (fgets(line, sizeof line, f)) {
        r.line++;
        if (!strchr(line, '\n') && !feof(f))
            die(argv[2], r.line, "line too long");
        if (line[0] == '\n' || line[0] == '#')
            continue;
        if (split(line, r.values) != r.ncols)
            die(argv[2], r.line, "wrong number of fields");
        n_cases++;
        run(&r);
    }
    fclose(f);
    printf("%s: %ld cases, %ld values checked, %ld failed; worst relative error %.2g\n",
           argv[1], n_cases, n_checked, n_failed, worst_rel);
    return n_failed ? 1 : 0;
}
