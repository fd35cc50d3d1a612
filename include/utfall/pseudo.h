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
/* Read a key file written by utfall_pseudo_new_key(). */
UTFALL_API utfall_status utfall_pseudo_load_key(const char *path,
                                                unsigned char key[UTFALL_PSEUDO_KEY_BYTES],
                                                utfall_error *err);

/* The pseudonym of a normalized number: "P-" + 20 lower-case hex digits. */
UTFALL_API void utfall_pseudonym(const unsigned char key[UTFALL_PSEUDO_KEY_BYTES],
                                 const char pnr12[13], char out[UTFALL_PSEUDONYM_LEN + 1]);

typedef struct utfall_pseudo_stats {
    long rows, replaced, dates_reduced;
    long columns_dropped; /* name, address, phone, e-mail columns left out */
} utfall_pseudo_stats;

/* Copy the CSV at in_path to out: every personal identity number in any
 * field is replaced by its pseudonym, and columns holding full birth
 * dates (födelsedatum, birth_date) keep only the year and are renamed
 * fodelsear.  Columns of names, addresses, phone numbers and e-mail
 * addresses (by header: namn, efternamn, adress, telefon, e-post, …) are
 * left out.  The delimiter of the input is kept. */
UTFALL_API utfall_status utfall_pseudonymize_file(const char *in_path,
                                                  const utfall_csv_options *csv,
                                                  const unsigned char key[UTFALL_PSEUDO_KEY_BYTES],
                                                  utfall_date today, FILE *out,
                                                  utfall_pseudo_stats *stats, utfall_error *err);

#ifdef __cplusplus
}
#endif
#endif
