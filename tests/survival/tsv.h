/* A tiny TSV reader and number checks for the reference-value tests. */
#ifndef UTFALL_TEST_TSV_H
#define UTFALL_TEST_TSV_H

#include <stddef.h>

typedef struct tsv {
    size_t n_cols, n_rows;
    char **header; /* n_cols */
    char ***cell;  /* n_rows x n_cols */
} tsv;

/* Reads dir/name; exits the test with status 99 (meson: hard error) on failure. */
tsv *tsv_read(const char *dir, const char *name);
void tsv_free(tsv *t);
/* Column index by name; exits 99 if missing. */
size_t tsv_col(const tsv *t, const char *name);
const char *tsv_str(const tsv *t, size_t row, const char *col);
/* "NA" and "NaN" read as NaN, "Inf"/"-Inf" as infinities. */
double tsv_num(const tsv *t, size_t row, const char *col);

/* Counts checks and failures; prints a line for each failure. */
extern long checks_run, checks_failed;
/* |got - want| <= 1e-6 |want| (+1e-12 absolute slack for zeros); NaN matches
 * NaN, infinities must match exactly. */
int check_num(const char *what, const char *where, double got, double want);
int check_int(const char *what, const char *where, long got, long want);
/* Prints a summary; returns the exit status for main(). */
int checks_report(const char *suite);

#endif
