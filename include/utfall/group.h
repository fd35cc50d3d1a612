/* utfall — grouping rows by one or more keys (--by COL[,COL]).
 * Memory grows with the number of distinct groups, not rows. */
#ifndef UTFALL_GROUP_H
#define UTFALL_GROUP_H

#include <stddef.h>

#include "utfall/extract.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct utfall_grouper utfall_grouper;

/* by: "enhet" or "kon,aldersgrupp"; NULL or "" = no grouping (one group). */
UTFALL_API utfall_status utfall_grouper_new(utfall_extract *x, const char *by,
                                            utfall_grouper **out, utfall_error *err);
UTFALL_API void utfall_grouper_free(utfall_grouper *g);
UTFALL_API size_t utfall_grouper_nkeys(const utfall_grouper *g);
UTFALL_API const char *utfall_grouper_key_name(const utfall_grouper *g, size_t k);
/* The group of a row, created on first sight; -1 on out-of-memory. */
UTFALL_API long utfall_grouper_index(utfall_grouper *g, const utfall_row *row);
UTFALL_API size_t utfall_grouper_ngroups(const utfall_grouper *g);
UTFALL_API const char *utfall_grouper_value(const utfall_grouper *g, size_t group, size_t k);
/* Group indices in display order (sorted by key values; numbers in
 * numeric order; exit outcomes, kön and income sources in the
 * vocabulary's order: utfall_colref_rank; "not stated" last).  Valid until the next new group. */
UTFALL_API const size_t *utfall_grouper_order(utfall_grouper *g);
/* The order of utfall_grouper_order for one key's values: numbers (and
 * leading numbers) numerically, otherwise byte order, not stated last. */
UTFALL_API int utfall_grouper_value_cmp(const char *a, const char *b);

#ifdef __cplusplus
}
#endif
#endif
