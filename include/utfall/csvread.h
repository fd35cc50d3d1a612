/* utfall — a dialect-aware record reader on libcsv.
 *
 * Reads CSV/TSV from a file or stdin ("-") in one streaming pass:
 * detects the delimiter from the header (, ; TAB |), honours a "sep=;"
 * first line, strips a UTF-8 BOM, accepts CRLF, quoted fields with
 * delimiters and newlines, and a last record without a final newline.
 * Bytes that are not valid UTF-8 are taken as Windows-1252 (what Swedish
 * Excel writes) and transcoded to UTF-8; UTF-16 and binary data are
 * refused.  Every record knows the physical line it starts on.
 *
 * Every field the reader returns, the header's included, has passed the
 * identity-number guard (utfall/pnr.h), and so has the file's name:
 * a personal identity number ends the reading with UTFALL_ERR_PRIVACY
 * (naming the channel, file, line and column, never the value) unless
 * the caller asks for the text unguarded, which only pseudonymisation
 * does. */
#ifndef UTFALL_CSVREAD_H
#define UTFALL_CSVREAD_H

#include <stddef.h>
#include <stdio.h>

#include "utfall/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum utfall_encoding {
    UTFALL_ENC_AUTO = 0, /* UTF-8, falling back to Windows-1252 on invalid bytes */
    UTFALL_ENC_UTF8,     /* strict UTF-8: invalid bytes are an error */
    UTFALL_ENC_CP1252    /* Windows-1252 (also accepts ISO-8859-1) */
} utfall_encoding;

UTFALL_API int utfall_encoding_parse(const char *name, utfall_encoding *out);

typedef enum utfall_csv_flags {
    /* Return fields holding personal identity numbers instead of refusing
     * them: for utfall pseudonymize, whose job is to replace them.  The
     * file's name is guarded all the same. */
    UTFALL_CSV_UNGUARDED = 1u << 0
} utfall_csv_flags;

typedef struct utfall_csv_options {
    char delimiter;           /* 0 = detect from the header line */
    utfall_encoding encoding; /* UTFALL_ENC_AUTO by default */
    size_t max_field;         /* longest field accepted in bytes; 0 = 65536 */
    unsigned flags;           /* utfall_csv_flags; 0 = guarded */
    const char *channel;      /* what the file is, for a refusal: "extract", "spells file",
                               * ...; NULL = "input" */
} utfall_csv_options;

typedef struct utfall_csv_reader utfall_csv_reader;

/* A record: fields are NUL-terminated UTF-8, valid until the next call.
 * A field that was empty and unquoted is "" with is_null set. */
typedef struct utfall_csv_record {
    size_t nfields;
    const char *const *fields;
    const size_t *lengths;
    const unsigned char *is_null;
    long line;      /* physical line the record starts on (1-based) */
    long end_line;  /* physical line it ends on */
    long record;    /* 1-based count of records including the header */
    const char *raw; /* the record's raw_len bytes as read (after transcoding, without the
                      * line end; not NUL-terminated), for --rejects */
    size_t raw_len;
} utfall_csv_record;

/* path "-" reads stdin; display_name (may be NULL) is used in messages. */
UTFALL_API utfall_status utfall_csv_open(utfall_csv_reader **out, const char *path,
                                         const utfall_csv_options *opt, utfall_error *err);
UTFALL_API void utfall_csv_close(utfall_csv_reader *r);

/* 1 = a record, 0 = end of input, -1 = error (err filled with file, line,
 * column where known; the reader is finished; UTFALL_ERR_PRIVACY for a
 * field, or the raw text of a malformed record, holding an identity
 * number), -2 = a record of the wrong shape (field count, overlong
 * field): err says what, rec holds its raw text, and reading may go on. */
UTFALL_API int utfall_csv_next(utfall_csv_reader *r, utfall_csv_record *rec, utfall_error *err);

UTFALL_API char utfall_csv_delimiter(const utfall_csv_reader *r);
UTFALL_API const char *utfall_csv_name(const utfall_csv_reader *r);
/* 1 once the input was found not to be UTF-8 and is being transcoded. */
UTFALL_API int utfall_csv_transcoded(const utfall_csv_reader *r);
/* Line of the first byte that was not valid UTF-8 (0 if none). */
UTFALL_API long utfall_csv_transcoded_line(const utfall_csv_reader *r);
UTFALL_API long utfall_csv_lines(const utfall_csv_reader *r);
/* 0-based index of the field being read when a record went wrong. */
UTFALL_API size_t utfall_csv_current_field(const utfall_csv_reader *r);
/* After an error: look through the record being read and the input not
 * read yet, line by line as raw text, with the identity-number guard.
 * UTFALL_ERR_PRIVACY (err says where) when a line holds a number, else
 * UTFALL_OK (a read error only ends the search).  Consumes the input. */
UTFALL_API utfall_status utfall_csv_guard_rest(utfall_csv_reader *r, utfall_error *err);

#ifdef __cplusplus
}
#endif
#endif
