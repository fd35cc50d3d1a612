/* utfall — crosstab of exit outcomes by group, with tests. */
#ifndef UTFALL_SPLIT_H
#define UTFALL_SPLIT_H

#include "utfall/goal.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct utfall_split_options {
    const char *by;      /* default "kon" */
    const char *outcome; /* column to tabulate; NULL = avslutsorsak */
    unsigned success;    /* non-zero: binary reached / not reached instead */
    utfall_base base;    /* exited (default) or enrolled */
    double level;
    utfall_lang lang;
} utfall_split_options;

UTFALL_API void utfall_split_options_init(utfall_split_options *opt);

/* Adds "rows" (long form: one row per group and outcome with count,
 * share of the group, n of the group; then the totals per outcome),
 * "crosstab" (the same, wide, for people) and "tests" (chi2, df,
 * chi2_p_value, min_expected, fisher_p_value for 2×2, diff with its
 * Newcombe interval and the risk ratio for two groups and a binary
 * outcome). */
UTFALL_API utfall_status utfall_split_compute(utfall_extract *x, const utfall_split_options *opt,
                                              utfall_doc *doc, utfall_error *err);

#ifdef __cplusplus
}
#endif
#endif
