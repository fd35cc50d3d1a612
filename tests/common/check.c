#include "check.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

long checks_run, checks_failed;

void check_true(int ok, const char *file, int line, const char *cond, const char *what)
{
    checks_run++;
    if (ok)
        return;
    checks_failed++;
    if (what)
        printf("FAIL %s:%d: %s: %s\n", file, line, cond, what);
    else
        printf("FAIL %s:%d: %s\n", file, line, cond);
}

int check_num(const char *what, const char *where, double got, double want)
{
    int ok;
    checks_run++;
    if (isnan(want))
        ok = isnan(got);
    else if (isinf(want))
        ok = got == want;
    else
        ok = isfinite(got) && fabs(got - want) <= 1e-6 * fabs(want) + 1e-12;
    if (!ok) {
        checks_failed++;
        printf("FAIL %s: %s: got %.15g, want %.15g\n", where, what, got, want);
    }
    return ok;
}

int check_int(const char *what, const char *where, long got, long want)
{
    checks_run++;
    if (got != want) {
        checks_failed++;
        printf("FAIL %s: %s: got %ld, want %ld\n", where, what, got, want);
        return 0;
    }
    return 1;
}

void check_fail(const char *fmt, ...)
{
    va_list ap;
    checks_failed++;
    fputs("FAIL ", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

int checks_report(const char *suite)
{
    printf("%s: %ld checks, %ld failed\n", suite, checks_run, checks_failed);
    return checks_failed ? 1 : 0;
}
