/* utfall — synthetic extracts.
 *
 * Deterministic: the same options give the same bytes, on every machine.
 * Randomness comes from the library's own generator (xoshiro256**,
 * seeded through splitmix64), never from rand() or the clock.
 *
 * The presets reproduce published project figures exactly: they are
 * constructed from the published marginals, and the seed only decides
 * which synthetic person gets which value (dates, ages, hours, unit
 * within the fixed counts).  The generic extract (no preset) is drawn
 * row by row and streamed in constant memory. */
#ifndef UTFALL_SYNTH_H
#define UTFALL_SYNTH_H

#include <stdint.h>
#include <stdio.h>

#include "utfall/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum utfall_synth_preset {
    UTFALL_SYNTH_GENERIC = 0, /* --rows N: a large realistic extract */
    UTFALL_SYNTH_AMA,         /* AMA Malmö/Blekinge 2012–2014 (322 participants) */
    UTFALL_SYNTH_UMA_LUDVIKA, /* UMA Ludvika 2017–2020 (16 persons, 17 enrolments) */
    UTFALL_SYNTH_FK2017       /* FK effect evaluation SE/FS/CM (1 063, with spells) */
} utfall_synth_preset;

/* "ama", "uma-ludvika", "fk2017" → preset; -1 when unknown. */
UTFALL_API int utfall_synth_preset_parse(const char *name, utfall_synth_preset *out);
UTFALL_API const char *utfall_synth_preset_name(utfall_synth_preset p);
/* Whether the preset also writes a spells file (id,status,fran,till). */
UTFALL_API int utfall_synth_preset_has_spells(utfall_synth_preset p);

#define UTFALL_SYNTH_MAX_ROWS 1000000000LL
#define UTFALL_SYNTH_DEFAULT_ROWS 1000

typedef struct utfall_synth_options {
    utfall_synth_preset preset;
    long long rows; /* generic only: 1 .. UTFALL_SYNTH_MAX_ROWS */
    uint64_t seed;  /* default 1 */
} utfall_synth_options;

UTFALL_API void utfall_synth_options_init(utfall_synth_options *opt);

/* Write the extract (CSV, UTF-8, LF, canonical header) to out and, for a
 * preset with spells, the spells to spells (required then, ignored
 * otherwise).  Write errors come back as UTFALL_ERR_IO. */
UTFALL_API utfall_status utfall_synth_write(const utfall_synth_options *opt, FILE *out,
                                            FILE *spells, utfall_error *err);

#ifdef __cplusplus
}
#endif
#endif
