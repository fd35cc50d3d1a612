#include <stdio.h>

#include "analysis/states.h"
#include "utfall/protect.h"

void utfall_declare_states(utfall_doc *doc, unsigned seen)
{
    for (int o = 0; o < UTFALL_OUTCOME_COUNT; o++) {
        char v[64];
        snprintf(v, sizeof v, "exited/%s", utfall_outcome_key(o));
        if ((seen >> o) & 1)
            utfall_doc_dimension_value(doc, "state", v);
    }
    if ((seen >> STATE_BIT_ACTIVE) & 1)
        utfall_doc_dimension_value(doc, "state", "active");
    if ((seen >> STATE_BIT_UNKNOWN) & 1)
        utfall_doc_dimension_value(doc, "state", "exited/unknown");
}

void utfall_state_condition(unsigned set, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "state:");
    int any = 0;
    for (int o = 0; o < UTFALL_OUTCOME_COUNT && n < size; o++)
        if ((set >> o) & 1) {
            n += (size_t)snprintf(buf + n, size - n, "%sexited/%s", any ? "," : "",
                                  utfall_outcome_key(o));
            any = 1;
        }
    if (!any && n < size)
        snprintf(buf + n, size - n, "none"); /* no outcome: nobody */
}
