/* What the regression and survival fits share: argument checks and row
 * tests, so that every fit rejects the same input with the same words,
 * and the test for aliased columns. */
#include "stats/stats_internal.h"

#include <math.h>

utfall_status utfall_check_conf_level(double conf_level, utfall_error *err)
{
    if (!(conf_level > 0 && conf_level < 1))
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_LEVEL,
                                "confidence level %g is not between 0 and 1", conf_level);
    return UTFALL_OK;
}

utfall_status utfall_row_error(utfall_error *err, size_t row, utfall_error_code code,
                               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    utfall_error_vset(err, UTFALL_ERR_DATA, code, fmt, ap);
    va_end(ap);
    if (err)
        err->record = (long)(row + 1);
    return UTFALL_ERR_DATA;
}

int utfall_row_has_infinite(const double *X, size_t p, size_t i)
{
    for (size_t j = 0; j < p; j++)
        if (isinf(X[i * p + j]))
            return 1;
    return 0;
}

int utfall_row_is_complete(const double *X, size_t p, size_t i)
{
    for (size_t j = 0; j < p; j++)
        if (isnan(X[i * p + j]))
            return 0;
    return 1;
}

int utfall_basis_extend(double *q, size_t m, size_t r, double *v, double norm0, double tol)
{
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < r; k++) {
            double dot = 0;
            for (size_t i = 0; i < m; i++)
                dot += q[k * m + i] * v[i];
            for (size_t i = 0; i < m; i++)
                v[i] -= dot * q[k * m + i];
        }
    double norm = 0;
    for (size_t i = 0; i < m; i++)
        norm += v[i] * v[i];
    norm = sqrt(norm);
    if (norm == 0 || norm < tol * (norm0 > 0 ? norm0 : 1.0))
        return 0;
    for (size_t i = 0; i < m; i++)
        q[r * m + i] = v[i] / norm;
    return 1;
}
