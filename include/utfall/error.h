/* utfall — errors as values.
 *
 * Nothing in libutfall prints, exits or aborts.  A function that can fail
 * returns a utfall_status and fills a caller-owned utfall_error with where
 * the problem is (file, record, physical line, column) and what it is. */
#ifndef UTFALL_ERROR_H
#define UTFALL_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#include "utfall/error_codes.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define UTFALL_API __attribute__((visibility("default")))
#define UTFALL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define UTFALL_API
#define UTFALL_PRINTF(a, b)
#endif

/* Status codes double as the documented exit statuses of the programs. */
typedef enum utfall_status {
    UTFALL_OK = 0,
    UTFALL_ERR_DATA = 1,    /* bad input data */
    UTFALL_ERR_USAGE = 2,   /* bad options or arguments */
    UTFALL_ERR_PRIVACY = 3, /* a personal identity number was found */
    UTFALL_ERR_IO = 4,      /* a file could not be read or written */
    UTFALL_ERR_NOMEM = 5,   /* out of memory */
    UTFALL_ERR_INTERNAL = 70
} utfall_status;

typedef enum utfall_severity {
    UTFALL_SEV_ERROR = 0,
    UTFALL_SEV_WARNING = 1,
    UTFALL_SEV_NOTE = 2
} utfall_severity;

#define UTFALL_ERROR_TEXT_MAX 512
#define UTFALL_ERROR_NAME_MAX 256

typedef struct utfall_error {
    utfall_status status;
    utfall_severity severity;
    char file[UTFALL_ERROR_NAME_MAX];   /* "" when not about a file */
    long line;                          /* physical line, 1-based; 0 = none */
    long record;                        /* data record, 1-based; set only where it
                                         * differs from what the line implies */
    char column[UTFALL_ERROR_NAME_MAX]; /* column name; "" = none */
    const char *code;                   /* stable id from error_codes.h, e.g. "bad-date" */
    utfall_error_code code_id;          /* the same, as its UTFALL_EC_ name */
    char text[UTFALL_ERROR_TEXT_MAX];   /* what is wrong, what is accepted */
    char text_sv[UTFALL_ERROR_TEXT_MAX]; /* the same in Swedish, from the message
                                          * catalogue; "" when it has none */
    int changes_results; /* a warning that the figures count rows otherwise than the
                          * file seems to say (an outcome without an exit date counts
                          * as active): programs show it even when asked to be quiet */
} utfall_error;

UTFALL_API void utfall_error_clear(utfall_error *err);

/* Fill err and return status (convenience for `return utfall_error_set(...)`). */
UTFALL_API utfall_status utfall_error_set(utfall_error *err, utfall_status status,
                                          utfall_error_code code, const char *fmt, ...)
    UTFALL_PRINTF(4, 5);
UTFALL_API utfall_status utfall_error_vset(utfall_error *err, utfall_status status,
                                           utfall_error_code code, const char *fmt,
                                           va_list ap);
/* The stable text of a code ("bad-date"); "" for UTFALL_EC_NONE. */
UTFALL_API const char *utfall_error_code_name(utfall_error_code code);
UTFALL_API void utfall_error_locate(utfall_error *err, const char *file, long line,
                                    long record, const char *column);

/* "FILE:LINE: column 'x': text" (record added when it differs from line).
 * Writes at most size bytes into buf, always NUL-terminated. */
UTFALL_API void utfall_error_format(const utfall_error *err, char *buf, size_t size);
/* The same in a language (utfall_lang: 0 English, 1 Swedish): Swedish
 * text where the catalogue has it, and Swedish words around it ("varning:",
 * "kolumn"). */
UTFALL_API void utfall_error_format_lang(const utfall_error *err, int lang, char *buf,
                                         size_t size);
/* dst's text was made of src's ("%s" of it): give it src's Swedish too. */
UTFALL_API void utfall_error_adopt_text(utfall_error *dst, const utfall_error *src);
/* The catalogue's Swedish for an English message format (lib/core/
 * messages.def, TEXT entries), or NULL.  code narrows the search; NONE
 * matches any entry with the same English. */
UTFALL_API const char *utfall_error_text_sv(utfall_error_code code, const char *fmt);
/* The system's English words for the usual errors (strerror) inside a
 * Swedish text replaced by Swedish ones, in place. */
UTFALL_API void utfall_error_sv_errno(char *text, size_t size);

#ifdef __cplusplus
}
#endif
#endif
