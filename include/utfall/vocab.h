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
/* A set of fields: UTFALL_FIELD_BIT(UTFALL_F_KON) | ... */
#define UTFALL_FIELD_BIT(f) (1u << (f))
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
/* One source, or several in one field ("Aktivitetsersättning +
 * försörjningsstöd", "lön och aktivitetsstöd", "lon+ae"): *first is the
 * first named, *set has a bit per source.  0, or -1 when a part is no
 * source. */
UTFALL_API int utfall_income_parse_set(const char *s, int *first, unsigned *set);
/* The key of a set of sources: "lon", or "aktivitetsersattning+lon" in the
 * vocabulary's order; "" for none. */
UTFALL_API void utfall_income_set_key(unsigned set, char *buf, size_t size);

/* Decimal comma or point: "9,5", "9.5", "-2".  0 ok, -1 not a number. */
UTFALL_API int utfall_number_parse(const char *s, double *out);

/* Age band of an age: "16-19", "20-24", "25-29", "30+", "<16"; "" missing. */
UTFALL_API const char *utfall_age_band(int age);

/* Headings that name no field and no alias, read by their words: a
 * heading that speaks of hours ("timmar", "tim/v", "aktivitet") or of
 * income ("försörjning", "inkomst") and of one time ("före", "start",
 * "in" or "efter", "slut", "avslut", "ut") is that field
 * ("Aktivitet tim/v vid start" is timmar_fore); -1 for any other. */
UTFALL_API int utfall_field_from_words(const char *heading);
/* 1 when a heading looks like field f (its words, or a spelling one or two
 * letters off): a column a message can suggest for --map. */
UTFALL_API int utfall_field_resembles(const char *heading, utfall_field f);

/* Own values and labels (--outcome-map, --income-map, --status-map): a
 * small delimited file whose header line is skipped, with two or three
 * columns: the value as written, the class it stands for (a key or
 * spelling of the vocabulary; for income several sources joined by +),
 * and optionally the label to print for the class, in every language
 * ("Sjukskriven" for vard): the class's key stays in machine output and
 * decides success.  Values are matched after folding. */
typedef enum utfall_value_kind {
    UTFALL_VALUES_OUTCOME = 0, /* exit outcomes and spell statuses */
    UTFALL_VALUES_INCOME,      /* income sources */
    UTFALL_VALUES_COUNT
} utfall_value_kind;
typedef struct utfall_value_map utfall_value_map;
/* channel names the file in a refusal ("outcome map"). */
UTFALL_API utfall_status utfall_value_map_read(utfall_value_map **out, const char *path,
                                               utfall_value_kind kind, const char *channel,
                                               utfall_error *err);
UTFALL_API void utfall_value_map_free(utfall_value_map *m);
/* The class of s as written, and (set, may be NULL) every income source
 * it names; -1 when the map does not name s. */
UTFALL_API int utfall_value_map_lookup(const utfall_value_map *m, const char *s, unsigned *set);
/* Make the map's labels the labels of their classes ("val.vard" →
 * "Sjukskriven") for utfall_tr: see utfall_tr_own. */
UTFALL_API utfall_status utfall_value_map_apply_labels(const utfall_value_map *m,
                                                       utfall_error *err);

#ifdef __cplusplus
}
#endif
#endif
