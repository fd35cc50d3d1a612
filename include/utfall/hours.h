/* utfall — change in weekly activity hours between enrolment and exit.
 *
 * Memory: one double per row with both hours (the median, quartiles and
 * Wilcoxon's ranks need them all), sorted in place; nothing else per row. */
#ifndef UTFALL_HOURS_H
#define UTFALL_HOURS_H

#include "utfall/extract.h"
#include "utfall/stats.h"
#include "utfall/table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct utfall_hours_options {
    const char *by;    /* NULL = total only */
    double tolerance;  /* |change| <= tolerance counts as unchanged */
    double level;
    utfall_lang lang;
} utfall_hours_options;

UTFALL_API void utfall_hours_options_init(utfall_hours_options *opt);

/* Adds "rows": per group and total, n (rows with both hours), missing,
 * increased, unchanged, decreased, mean_change, sd_change, ci_low,
 * ci_high, median_change, q1, q3, t_p_value, wilcoxon_p_value,
 * sign_p_value.  Keeps one number per measured row (for the median). */
UTFALL_API utfall_status utfall_hours_compute(utfall_extract *x, const utfall_hours_options *opt,
                                              utfall_doc *doc, utfall_error *err);

#ifdef __cplusplus
}
#endif
#endif
