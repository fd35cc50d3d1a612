/* utfall — the participant section: enrolled, active, exited, splits,
 * exit outcomes, days in programme, enrolments over time.
 *
 * Memory: one read; counters per group and split, a histogram of days in
 * programme (one counter per day of the longest stay), and — to count
 * persons, not rows — one entry per distinct id (its hash and the group
 * of its first episode in each split), plus one per further group a
 * re-enrolled person is seen in. */
#ifndef UTFALL_SUMMARY_H
#define UTFALL_SUMMARY_H

#include "utfall/extract.h"
#include "utfall/table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum utfall_period { UTFALL_PER_YEAR = 0, UTFALL_PER_QUARTER, UTFALL_PER_MONTH } utfall_period;

typedef struct utfall_summary_options {
    const char *by;       /* split columns, one section each; NULL = kon,aldersgrupp,enhet */
    utfall_period per;    /* enrolments per period */
    utfall_lang lang;     /* for titles and notes */
} utfall_summary_options;

/* Reads the extract to its end and adds the sections to doc: rows
 * (overview), by_<col> for each split column, outcomes, days, enrolments. */
UTFALL_API utfall_status utfall_summary_compute(utfall_extract *x,
                                                const utfall_summary_options *opt,
                                                utfall_doc *doc, utfall_error *err);

#ifdef __cplusplus
}
#endif
#endif
