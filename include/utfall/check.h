/* utfall — validating and profiling an extract without computing figures. */
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
