/* utfall — income source (försörjning) at enrolment and at exit, as the
 * national follow-up (SUS / Uppföljning Finsam) reports it: a crosstab of
 * the two among the exited participants, and the share who left a given
 * source (aktivitetsersättning) for another.
 *
 * The extract gives one source at each end, so "left wholly or partly"
 * is read as "had it at enrolment, has another source at exit"; an exit
 * without a stated source counts as not having left it (and is shown). */
#ifndef UTFALL_FORSORJNING_H
#define UTFALL_FORSORJNING_H

#include "utfall/extract.h"
#include "utfall/stats.h"
#include "utfall/table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct utfall_income_options {
    int left;         /* the source whose leaving is measured (utfall_income) */
    const char *by;   /* the "left" table per group of this key; NULL = total only */
    utfall_prop_ci_method ci;
    double level;
    utfall_lang lang;
} utfall_income_options;

UTFALL_API void utfall_income_options_init(utfall_income_options *opt);

/* Reads the extract to its end and adds the tables
 *   "crosstab"  exited participants: source at enrolment (rows, group
 *               key forsorjning_fore) by source at exit (a column
 *               efter_<key> per source, efter_saknas for not stated), n;
 *   "left"      exited participants who had the source at enrolment (n),
 *               how many have another source at exit (left) with its
 *               share and interval, the same source (stayed), none stated
 *               (unknown); per group of `by`, then the total.
 * The counts are cells of the dimensions forsorjning_fore and
 * forsorjning_efter (protect.h), whose values are the sources' keys and
 * "" for not stated. */
UTFALL_API utfall_status utfall_income_compute(utfall_extract *x,
                                               const utfall_income_options *opt,
                                               utfall_doc *doc, utfall_error *err);

/* "state:exited;forsorjning_fore:K;forsorjning_efter:A,B": what "left
 * source K" counts, over the sources seen at exit (seen: bit set of
 * utfall_income); for goals on income. */
UTFALL_API void utfall_income_left_condition(int left, unsigned seen, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
