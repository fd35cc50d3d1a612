/* The dimension "state" of disclosure control (utfall/protect.h): an
 * episode is "active", or "exited/<outcome key>", or "exited/unknown" when
 * it has no outcome.  A computation notes the states it saw, then declares
 * them, since every value that occurs must be declared.  Internal. */
#ifndef UTFALL_ANALYSIS_STATES_H
#define UTFALL_ANALYSIS_STATES_H

#include "utfall/extract.h"
#include "utfall/table.h"

enum { STATE_BIT_ACTIVE = 30, STATE_BIT_UNKNOWN = 31 };

/* The row's state as a bit: an outcome's index, or one of the above. */
static inline unsigned utfall_state_bit(const utfall_row *row)
{
    if (row->avslutad == UTFALL_DATE_NONE)
        return 1u << STATE_BIT_ACTIVE;
    return row->avslutsorsak >= 0 ? 1u << row->avslutsorsak : 1u << STATE_BIT_UNKNOWN;
}

/* Declare the states of seen (bits as utfall_state_bit gives them). */
void utfall_declare_states(utfall_doc *doc, unsigned seen);

/* "state:exited/a,exited/b" for the outcomes of set (a goal's success). */
void utfall_state_condition(unsigned set, char *buf, size_t size);

#endif
