/* utfall — validating and profiling an extract without computing figures.
 *
 * Memory: counters per column and up to 100 distinct values per
 * categorical column, one 8-byte hash per distinct id (persons) and one
 * per row (identical-row detection): check is the one command whose
 * memory grows with the rows. */
#ifndef UTFALL_CHECK_H
#define UTFALL_CHECK_H

#include "utfall/extract.h"
#include "utfall/table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads the extract to its end (the caller sets skip_bad so that every
 * problem is seen) and adds the sections rows (counts, date range),
 * columns (recognition, missing values) and values (distinct values of
 * the categorical fields) to doc. */
UTFALL_API utfall_status utfall_check_compute(utfall_extract *x, utfall_lang lang,
                                              utfall_doc *doc, utfall_error *err);

#ifdef __cplusplus
}
#endif
#endif
