/* What the fits in lib/stats/ share and nothing else sees: not installed,
 * not exported, free to change. */
#ifndef UTFALL_STATS_INTERNAL_H
#define UTFALL_STATS_INTERNAL_H

#include <stddef.h>

#include "utfall/error.h"

/* A usage error unless 0 < conf_level < 1 (a fit's confidence intervals). */
utfall_status utfall_check_conf_level(double conf_level, utfall_error *err);

/* A data error found in row `row` (0-based) of the caller's arrays: err
 * names it as record row + 1, so a caller can point at the line of its
 * input.  Returns UTFALL_ERR_DATA. */
utfall_status utfall_row_error(utfall_error *err, size_t row, utfall_error_code code,
                               const char *fmt, ...) UTFALL_PRINTF(4, 5);

/* Whether row i of the row-major matrix X (p columns) holds an infinite
 * value, which no fit can use; NaN is a missing value, not an error. */
int utfall_row_has_infinite(const double *X, size_t p, size_t i);

/* Whether row i of the row-major matrix X (p columns) has every value
 * (no NaN): the complete cases a fit uses. */
int utfall_row_is_complete(const double *X, size_t p, size_t i);

/* One step of Gram–Schmidt (run twice, for accuracy): v (m values) loses
 * its part along the r orthonormal columns of q (column-major, m each).
 * If what is left is at least tol times norm0 (v's length before, or 1
 * when that is 0) it becomes column r of q and the answer is 1; else v is
 * a linear combination of the columns (aliased) and the answer is 0.
 * LINPACK dqrdc2's test, which R's glm.fit and coxph use with 1e-11. */
int utfall_basis_extend(double *q, size_t m, size_t r, double *v, double norm0, double tol);

#endif
