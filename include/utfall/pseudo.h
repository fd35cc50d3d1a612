/* utfall — pseudonymisation: personal identity numbers become keyed
 * pseudonyms (HMAC-SHA-256 with a secret key, libsodium), stable across
 * files for the same key and impossible to reverse without it. */
#ifndef UTFALL_PSEUDO_H
#define UTFALL_PSEUDO_H

#include <stddef.h>
#include <stdio.h>

#include "utfall/csvread.h"
#include "utfall/date.h"
#include "utfall/error.h"
#include "utfall/pnr.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UTFALL_PSEUDO_KEY_BYTES 32
/* "P-" and 20 hex digits (80 bits of the HMAC) */
#define UTFALL_PSEUDONYM_LEN 22

/* Create a new random key file (64 hex digits) with mode 0600; refuses to
 * overwrite an existing file. */
UTFALL_API utfall_status utfall_pseudo_new_key(const char *path, utfall_error *err);
/* Read a key file written by utfall_pseudo_new_key().  A key that is not
 * random (fewer than 16 different bytes, or bytes counting up or down by
 * a fixed step, such as all zeros) is refused (UTFALL_EC_WEAK_KEY).  A key
 * file that others than its owner may read is accepted, as ssh warns of
 * one: warning (may be NULL) then holds a warning (severity
 * UTFALL_SEV_WARNING, code UTFALL_EC_KEY_PERMISSIONS); else its code is
 * UTFALL_EC_NONE. */
UTFALL_API utfall_status utfall_pseudo_load_key(const char *path,
                                                unsigned char key[UTFALL_PSEUDO_KEY_BYTES],
                                                utfall_error *warning, utfall_error *err);

/* The pseudonym of a normalized number (utfall_pnr_normalize): "P-" + 20
 * lower-case hex digits. */
UTFALL_API void utfall_pseudonym(const unsigned char key[UTFALL_PSEUDO_KEY_BYTES],
                                 const char pnr12[13], char out[UTFALL_PSEUDONYM_LEN + 1]);

typedef struct utfall_pseudo_options {
    utfall_csv_options csv; /* the input's dialect (its identity-number guard is off) */
    utfall_date today;      /* gives 10-digit numbers and 2-digit years their century */
    const char *const *keep; /* free-text columns to keep after all, by header (folded) */
    size_t nkeep;
} utfall_pseudo_options;

typedef struct utfall_pseudo_stats {
    long rows, replaced, dates_reduced;
    long dates_blanked;     /* birth dates that could not be read: left empty */
    long ids_invalid;       /* identity values that are no valid number (check digit, date):
                             * each the pseudonym of its digits as written */
    long columns_dropped;   /* name, address, phone, e-mail columns left out */
    long free_text_dropped; /* free-text columns left out */
    char dropped[512];      /* the headers left out, "Namn, Kommentar"; a header that holds
                             * an identity number is named by its position */
} utfall_pseudo_stats;

/* Copy the CSV at in_path to out, so that nothing in it identifies a
 * person (utfall-pseudonymize(1)):
 *  - every personal identity number in any field, in any written form,
 *    is replaced by its pseudonym;
 *  - the identity column (personnummer, pnr, ...) is renamed id and every
 *    value in it becomes a pseudonym, a valid number or not;
 *  - birth-date columns (fodelsedatum, fodd, dob, ...) are renamed
 *    fodelsear and keep only the year, whatever the date's form; a value
 *    that is no date is left empty;
 *  - columns of names, addresses, phone numbers and e-mail addresses are
 *    left out, and so are free-text columns (kommentar, anteckning,
 *    handlaggare, ...) unless opt->keep names them.
 * The delimiter of the input is kept. */
UTFALL_API utfall_status utfall_pseudonymize_file(const char *in_path,
                                                  const utfall_pseudo_options *opt,
                                                  const unsigned char key[UTFALL_PSEUDO_KEY_BYTES],
                                                  FILE *out, utfall_pseudo_stats *stats,
                                                  utfall_error *err);

#ifdef __cplusplus
}
#endif
#endif
