/* utfall — the identity-number guard.
 *
 * Finding Swedish personal identity numbers (personnummer) and
 * coordination numbers (samordningsnummer) in text, in every written form
 * (utfall(1), PRIVACY), and the one refusal every input channel gives:
 * extracts, spells files, goals files, outcome maps, chart input, file
 * names and option values all pass through utfall_guard(), and the CSV
 * reader applies it to every field it reads unless told not to. */
#ifndef UTFALL_PNR_H
#define UTFALL_PNR_H
#include <stddef.h>
#include "utfall/date.h"
#include "utfall/error.h"
#ifdef __cplusplus
extern "C" {
#endif
/* 1 if s[0..len) contains a personnummer or samordningsnummer, else 0.
 * A number is 10 or 12 digits not inside a longer run of digits, with a
 * real date (the day plus 60 for a coordination number; a 12-digit form
 * begins with 18, 19 or 20) and a valid Luhn check digit.  The normaliser
 * before that test folds the written forms: digits of any script
 * (fullwidth, Arabic-Indic, superscript, ...), up to three separators
 * before the last four digits (- + space, no-break and other spaces, en
 * and em dash, minus sign, hyphen, non-breaking hyphen, fullwidth
 * hyphen-minus and plus, ...), and invisible characters (zero-width
 * space and joiners, soft hyphen, direction marks, combining marks)
 * anywhere among the digits.  Bytes that are not UTF-8 are read as
 * Windows-1252 dashes and spaces where they are such.  *offset and
 * *length (may be NULL) give the number's bytes. */
UTFALL_API int utfall_pnr_find(const char *s, size_t len, size_t *offset, size_t *length);

/* The 12-digit form (YYYYMMDDNNNC) of the number utfall_pnr_find finds
 * at the start of s[0..len), in any of its written forms: a 10-digit form
 * gets the century that makes the person younger than 100 on `today` (a
 * '+' separator means 100 or older).  0 ok, -1 no number there. */
UTFALL_API int utfall_pnr_normalize(const char *s, size_t len, utfall_date today, char out[13]);

/* 0 if s[0..len) cannot hold a number: fewer than ten digits, counting
 * every two bytes outside ASCII as a possible digit (no UTF-8 digit is
 * shorter), and the bytes Windows-1252 gives to superscript one, two and
 * three (0xB9, 0xB2, 0xB3: one-byte digits when not UTF-8) as digits.
 * A counting loop cheap enough to run on every field of every row before
 * utfall_guard; dates (8 digits), ids, hours and words stop here, most
 * after a few bytes. */
static inline int utfall_pnr_candidate(const char *s, size_t len)
{
    if (len < 10)
        return 0;
    /* a non-digit byte costs 2, a byte outside ASCII 1: ten digits need
     * the cost of the rest to stay within 2 * (len - 10) */
    size_t cost = 0, limit = 2 * (len - 10);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((unsigned)(c - '0') < 10u || c == 0xB9 || c == 0xB2 || c == 0xB3)
            continue;
        cost += c >= 0x80 ? 1 : 2;
        if (cost > limit)
            return 0;
    }
    return 1;
}

/* Where a text was read, for a refusal that says where without saying
 * what. */
typedef struct utfall_guard_site {
    const char *channel; /* what is refused: "extract", "spells file", "goals file",
                          * "outcome map", "chart input", "command line"; NULL "input" */
    const char *file;    /* the file, NULL when none (or when it is the file's name
                          * that is being guarded) */
    long line;           /* physical line, 0 = none */
    const char *column;  /* column name or key, NULL = none */
    const char *place;   /* instead of a column: "header field 3", "option --title",
                          * "argument 2 (an input file name)"; NULL = none */
} utfall_guard_site;

/* The guard of every input channel.  UTFALL_OK when s[0..len) holds no
 * personal identity number; otherwise UTFALL_ERR_PRIVACY (exit status 3)
 * with err saying which channel, file, line, column or option, and at
 * which character, but never the value. */
UTFALL_API utfall_status utfall_guard(const char *s, size_t len, const utfall_guard_site *site,
                                      utfall_error *err);
#ifdef __cplusplus
}
#endif
#endif
