/* utfall — goal attainment (måluppfyllelse): the share of participants who
 * reached work or studies, against the project's target, per group.
 *
 * Memory: three counters per group, aggregated as rows stream past; with
 * UTFALL_UNIT_PERSONS also 16 bytes per distinct id (the latest episode
 * decides, so every person must be remembered). */
#ifndef UTFALL_GOAL_H
#define UTFALL_GOAL_H

#include "utfall/extract.h"
#include "utfall/stats.h"
#include "utfall/table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum utfall_base { UTFALL_BASE_EXITED = 0, UTFALL_BASE_ENROLLED, UTFALL_BASE_FIXED } utfall_base;
typedef enum utfall_unit { UTFALL_UNIT_EPISODES = 0, UTFALL_UNIT_PERSONS } utfall_unit;

/* The success set used when none is given: work, work with support, studies. */
#define UTFALL_DEFAULT_SUCCESS ((1u << UTFALL_OUTCOME_ARBETE) | (1u << UTFALL_OUTCOME_ARBETE_MED_STOD) | (1u << UTFALL_OUTCOME_STUDIER))

typedef struct utfall_goal_options {
    unsigned success;   /* bit set of utfall_outcome */
    utfall_base base;
    long fixed_base;    /* with UTFALL_BASE_FIXED: the planned number */
    double target;      /* NAN = no target */
    const char *by;     /* NULL = total only */
    utfall_unit unit;
    utfall_prop_ci_method ci;
    double level;
    utfall_lang lang;
} utfall_goal_options;

UTFALL_API void utfall_goal_options_init(utfall_goal_options *opt);
/* "arbete, arbete med stöd och studier" in the language given. */
UTFALL_API void utfall_outcome_set_describe(unsigned set, utfall_lang lang, char *buf, size_t size);

/* Reads the extract to its end and adds the table "rows" (one row per
 * group, then the total) with the keys n, reached, share, ci_low,
 * ci_high, target, met, p_value, needed, excluded. */
UTFALL_API utfall_status utfall_goal_compute(utfall_extract *x, const utfall_goal_options *opt,
                                             utfall_doc *doc, utfall_error *err);

#ifdef __cplusplus
}
#endif
#endif
