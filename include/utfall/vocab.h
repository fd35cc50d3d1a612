/* utfall — the vocabulary of an extract: canonical fields and their
 * header aliases, and the coded values (kön, avslutsorsak, försörjning)
 * with the Swedish and English spellings they are recognised in.
 * Documented for users in utfall-extract(5). */
#ifndef UTFALL_VOCAB_H
#define UTFALL_VOCAB_H

#include "utfall/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum utfall_field {
    UTFALL_F_ID = 0,
    UTFALL_F_KON,
    UTFALL_F_FODELSEAR,
    UTFALL_F_ALDER,
    UTFALL_F_ENHET,
    UTFALL_F_INSATS,
    UTFALL_F_INSKRIVEN,
    UTFALL_F_AVSLUTAD,
    UTFALL_F_AVSLUTSORSAK,
    UTFALL_F_TIMMAR_FORE,
    UTFALL_F_TIMMAR_EFTER,
    UTFALL_F_FORSORJNING_FORE,
    UTFALL_F_FORSORJNING_EFTER,
    UTFALL_F_UPPFOLJD_TILL,
    UTFALL_F_COUNT
} utfall_field;

UTFALL_API const char *utfall_field_name(utfall_field f);
/* Canonical field for a header ("Kön", "födelseår", "Exit date"), or -1. */
UTFALL_API int utfall_field_lookup(const char *header);

typedef enum utfall_kon { UTFALL_KON_MISSING = 0, UTFALL_KON_K, UTFALL_KON_M } utfall_kon;
UTFALL_API int utfall_kon_parse(const char *s, utfall_kon *out);
UTFALL_API const char *utfall_kon_key(utfall_kon k); /* "k", "m", "" */

/* Exit outcomes (avslutsorsak) and spell statuses. */
typedef enum utfall_outcome {
    UTFALL_OUTCOME_NONE = -1,
    UTFALL_OUTCOME_ARBETE = 0,
    UTFALL_OUTCOME_ARBETE_MED_STOD,
    UTFALL_OUTCOME_STUDIER,
    UTFALL_OUTCOME_ARBETSSOKANDE,
    UTFALL_OUTCOME_PRAKTIK,
    UTFALL_OUTCOME_ANNAN_INSATS,
    UTFALL_OUTCOME_VARD,
    UTFALL_OUTCOME_FORALDRALEDIGHET,
    UTFALL_OUTCOME_FLYTT,
    UTFALL_OUTCOME_EJ_KONTAKTBAR,
    UTFALL_OUTCOME_AVBROTT,
    UTFALL_OUTCOME_ANNAT,
    UTFALL_OUTCOME_COUNT
} utfall_outcome;
UTFALL_API const char *utfall_outcome_key(int outcome); /* "arbete", … */
/* Accepts the keys and the usual Swedish/English spellings. */
UTFALL_API int utfall_outcome_parse(const char *s, int *out);
/* "arbete,studier" → bit set of outcomes; -1 and err on an unknown name. */
UTFALL_API utfall_status utfall_outcome_set_parse(const char *list, unsigned *set,
                                                  utfall_error *err);

typedef enum utfall_income {
    UTFALL_INCOME_NONE = -1,
    UTFALL_INCOME_AKTIVITETSERSATTNING = 0,
    UTFALL_INCOME_SJUKERSATTNING,
    UTFALL_INCOME_SJUKPENNING,
    UTFALL_INCOME_FORSORJNINGSSTOD,
    UTFALL_INCOME_A_KASSA,
    UTFALL_INCOME_AKTIVITETSSTOD,
    UTFALL_INCOME_LON,
    UTFALL_INCOME_STUDIEMEDEL,
    UTFALL_INCOME_INGEN,
    UTFALL_INCOME_ANNAN,
    UTFALL_INCOME_COUNT
} utfall_income;
UTFALL_API const char *utfall_income_key(int income);
UTFALL_API int utfall_income_parse(const char *s, int *out);

/* Decimal comma or point: "9,5", "9.5", "-2".  0 ok, -1 not a number. */
UTFALL_API int utfall_number_parse(const char *s, double *out);

/* Age band of an age: "16-19", "20-24", "25-29", "30+", "<16"; "" missing. */
UTFALL_API const char *utfall_age_band(int age);

#ifdef __cplusplus
}
#endif
#endif
