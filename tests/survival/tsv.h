/* A tiny TSV reader for the reference-value tests (their checks are
 * tests/common/check.h). */
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

#endif
