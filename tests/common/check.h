/* The checks every C test program makes: each one counts, a failing one
 * prints a line starting "FAIL" and goes on (so one run shows every
 * failure), and checks_report() turns the counts into main()'s exit
 * status.  Linked as test_check_dep (tests/common/meson.build). */
#ifndef UTFALL_TEST_CHECK_H
#define UTFALL_TEST_CHECK_H

extern long checks_run, checks_failed;

/* CHECK(cond): "FAIL file:line: cond" when cond is false.
 * CHECK_WHAT(cond, what): the same, followed by ": what". */
#define CHECK(cond) check_true(!!(cond), __FILE__, __LINE__, #cond, 0)
#define CHECK_WHAT(cond, what) check_true(!!(cond), __FILE__, __LINE__, #cond, (what))
void check_true(int ok, const char *file, int line, const char *cond, const char *what);

/* |got - want| <= 1e-6 |want| (+1e-12 absolute slack for zeros); NaN matches
 * NaN, infinities must match exactly.  Returns whether it passed. */
int check_num(const char *what, const char *where, double got, double want);
int check_int(const char *what, const char *where, long got, long want);

/* A failure that is not a comparison (a call that should have worked did
 * not): "FAIL " and the formatted text. */
void check_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "SUITE: N checks, M failed"; returns the exit status for main(). */
int checks_report(const char *suite);

#endif
