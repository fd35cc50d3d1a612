/* utfall — a project's goals file (utfall-goals(5)): the goals as the
 * project wrote them, each with what counts as reaching it, its target
 * and its denominator, for `utfall report`. */
#ifndef UTFALL_GOALS_FILE_H
#define UTFALL_GOALS_FILE_H

#include <stddef.h>

#include "utfall/date.h"
#include "utfall/error.h"
#include "utfall/goal.h"
#include "utfall/i18n.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum utfall_goal_kind {
    UTFALL_GOAL_SHARE = 0, /* andel: a share of a denominator reaches the goal */
    UTFALL_GOAL_COUNT,     /* antal: so many participants (reaching the goal, if it says how) */
    UTFALL_GOAL_ACTIVITY,  /* aktivitet: weekly activity hours increase on average */
    UTFALL_GOAL_DAYS       /* tid: the mean time in programme is at most so many days */
} utfall_goal_kind;

/* What "reaching the goal" is measured by (matt:). */
typedef enum utfall_goal_measure {
    UTFALL_MEASURE_OUTCOMES = 0, /* avslutsorsak: exited to one of the outcomes */
    UTFALL_MEASURE_INCOME,       /* försörjning: exited with another income source than
                                  * the one left (lämnar:) had at enrolment */
    UTFALL_MEASURE_HOURS         /* timmar: weekly activity hours increased */
} utfall_goal_measure;

#define UTFALL_GOAL_ID_MAX 20 /* "mal_" id "_rows" fits an Excel sheet name */

typedef struct utfall_goal_spec {
    char *text;               /* the goal as written */
    char id[UTFALL_GOAL_ID_MAX + 1]; /* short key: table names, sheet names */
    utfall_goal_kind kind;
    unsigned success;         /* bit set of outcomes; 0 = none given */
    utfall_base base;         /* andel: exited, enrolled or a planned number;
                               * antal: exited or enrolled (who is counted) */
    long fixed_base;          /* with UTFALL_BASE_FIXED */
    double target_share;      /* andel: 0–1 */
    long target_count;        /* antal */
    double target_hours;      /* aktivitet: mean increase in hours per week (default 0) */
    long line;                /* where the goal starts in the file */
    utfall_goal_measure measure; /* andel, antal: what reaching the goal is */
    int income_left;          /* UTFALL_MEASURE_INCOME: the source left (utfall_income) */
    int persons;              /* antal: distinct persons, not enrolments (bas: personer) */
    double target_days;       /* tid: the mean days in programme at most this */
    char *group_key;          /* grupp: only participants with group_key = group_value; */
    char *group_value;        /*   NULL = everyone */
    utfall_date as_of;        /* datum: measured as known on this day; NONE = the report's */
} utfall_goal_spec;

/* 1 when the goal needs more than the plain measures of utfall-goal(1)
 * and utfall-hours(1): another measure, a subgroup, a date, persons, days. */
UTFALL_API int utfall_goal_spec_is_extended(const utfall_goal_spec *g);

/* The facts of an ESF/Finsam project page, shown on the report's title
 * block: the project block's keys besides titel. */
typedef enum utfall_project_fact {
    UTFALL_FACT_OWNER = 0, /* projektägare */
    UTFALL_FACT_FINANCIERS, /* finansiärer */
    UTFALL_FACT_REFERENCE,  /* diarienummer */
    UTFALL_FACT_PERIOD,     /* projektperiod */
    UTFALL_FACT_CONTACT,    /* kontaktperson */
    UTFALL_FACT_COUNT
} utfall_project_fact;

typedef struct utfall_goals {
    char *title;              /* project title (titel:), NULL = none */
    char *facts[UTFALL_FACT_COUNT]; /* NULL = not given */
    utfall_goal_spec *goals;
    size_t n;
} utfall_goals;

/* Parse a goals file's text; name is used in errors (file:line).  Errors
 * carry the line and the key as column. */
UTFALL_API utfall_status utfall_goals_parse(utfall_goals **out, const char *text, size_t len,
                                            const char *name, utfall_error *err);
/* Read and parse the file at path. */
UTFALL_API utfall_status utfall_goals_read(utfall_goals **out, const char *path,
                                           utfall_error *err);
/* One goal: arbete, arbete med stöd or studier among exited participants,
 * no target. */
UTFALL_API utfall_status utfall_goals_default(utfall_goals **out, utfall_lang lang,
                                              utfall_error *err);
UTFALL_API void utfall_goals_free(utfall_goals *g);

#ifdef __cplusplus
}
#endif
#endif
