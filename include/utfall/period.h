/* utfall — a reporting period: which episodes a report counts, and what
 * it knows of them at the period's end.
 *
 * An episode belongs to the period by one of three rules (utfall-report(1)
 * --period-by): it was active some time during the period (the default:
 * enrolled on or before its last day and not exited before its first),
 * it was enrolled during the period, or it exited during it.  In every
 * rule an exit after the period's last day has not happened yet at the
 * period's end: the episode counts as active, without an exit outcome or
 * an income source at exit.  The period selects and cuts episodes before
 * any computation, so every table of a report describes the same
 * episodes; it is no dimension of the disclosure control. */
#ifndef UTFALL_PERIOD_H
#define UTFALL_PERIOD_H

#include "utfall/date.h"
#include "utfall/extract.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum utfall_period_rule {
    UTFALL_PERIOD_ACTIVE = 0, /* active some time during the period */
    UTFALL_PERIOD_ENROLLED,   /* enrolled during the period */
    UTFALL_PERIOD_EXITED      /* exited during the period */
} utfall_period_rule;

typedef struct utfall_reporting_period {
    utfall_date from, to; /* UTFALL_DATE_NONE: open at that end */
    utfall_period_rule by;
} utfall_reporting_period;

UTFALL_API void utfall_reporting_period_init(utfall_reporting_period *p);
/* 1 when neither end is given: every episode, as read. */
UTFALL_API int utfall_reporting_period_is_open(const utfall_reporting_period *p);
/* "aktiva"/"active", "inskrivna"/"enrolled", "avslutade"/"exited"; 0 or -1. */
UTFALL_API int utfall_reporting_period_by_parse(const char *s, utfall_period_rule *out);
/* Keep (1) or leave out (0) the episode; an exit after the period's end
 * is taken back (the row is changed). */
UTFALL_API int utfall_reporting_period_apply(const utfall_reporting_period *p, utfall_row *row);
/* The same as a filter for utfall_extract_set_filter (ctx: the period). */
UTFALL_API int utfall_reporting_period_filter(void *ctx, utfall_row *row);

#ifdef __cplusplus
}
#endif
#endif
