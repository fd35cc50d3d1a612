/* A reporting period (include/utfall/period.h). */
#include "utfall/period.h"

#include <string.h>

#include "core/internal.h"

void utfall_reporting_period_init(utfall_reporting_period *p)
{
    p->from = p->to = UTFALL_DATE_NONE;
    p->by = UTFALL_PERIOD_ACTIVE;
}

int utfall_reporting_period_is_open(const utfall_reporting_period *p)
{
    return p->from == UTFALL_DATE_NONE && p->to == UTFALL_DATE_NONE;
}

int utfall_reporting_period_by_parse(const char *s, utfall_period_rule *out)
{
    static const struct {
        const char *name;
        utfall_period_rule by;
    } names[] = {{"aktiva", UTFALL_PERIOD_ACTIVE},       {"active", UTFALL_PERIOD_ACTIVE},
                 {"inskrivna", UTFALL_PERIOD_ENROLLED}, {"enrolled", UTFALL_PERIOD_ENROLLED},
                 {"avslutade", UTFALL_PERIOD_EXITED},   {"exited", UTFALL_PERIOD_EXITED}};
    char f[32];
    utfall_fold(s, f, sizeof f);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(f, names[i].name)) {
            *out = names[i].by;
            return 0;
        }
    return -1;
}

static int within(const utfall_reporting_period *p, utfall_date d)
{
    return d != UTFALL_DATE_NONE && (p->from == UTFALL_DATE_NONE || d >= p->from)
           && (p->to == UTFALL_DATE_NONE || d <= p->to);
}

int utfall_reporting_period_apply(const utfall_reporting_period *p, utfall_row *row)
{
    if (utfall_reporting_period_is_open(p))
        return 1;
    int keep;
    switch (p->by) {
    case UTFALL_PERIOD_ENROLLED:
        keep = within(p, row->inskriven);
        break;
    case UTFALL_PERIOD_EXITED:
        keep = within(p, row->avslutad);
        break;
    default:
        keep = (p->to == UTFALL_DATE_NONE || row->inskriven <= p->to)
               && (p->from == UTFALL_DATE_NONE || row->avslutad == UTFALL_DATE_NONE
                   || row->avslutad >= p->from);
    }
    if (keep && p->to != UTFALL_DATE_NONE && row->avslutad != UTFALL_DATE_NONE
        && row->avslutad > p->to) {
        /* not known at the period's end */
        row->avslutad = UTFALL_DATE_NONE;
        row->avslutsorsak = UTFALL_OUTCOME_NONE;
        row->forsorjning_efter = UTFALL_INCOME_NONE;
    }
    return keep;
}

int utfall_reporting_period_filter(void *ctx, utfall_row *row)
{
    return utfall_reporting_period_apply(ctx, row);
}
