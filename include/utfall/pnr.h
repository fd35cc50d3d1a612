/* utfall — finding Swedish personal identity numbers in text. */
#ifndef UTFALL_PNR_H
#define UTFALL_PNR_H
#include <stddef.h>
#include "utfall/error.h"
#ifdef __cplusplus
extern "C" {
#endif
/* 1 if s[0..len) contains a personnummer or samordningsnummer (10 or 12
 * digits, optional - or +, valid date, valid Luhn digit), else 0. */
UTFALL_API int utfall_pnr_find(const char *s, size_t len, size_t *offset, size_t *length);

/* 0 if s[0..len) cannot hold one: fewer than ten digits.  A counting loop
 * cheap enough to run on every field of every row before
 * utfall_pnr_find; dates (8 digits), ids, hours and words stop here. */
static inline int utfall_pnr_candidate(const char *s, size_t len)
{
    if (len < 10)
        return 0;
    size_t others = 0, allowed = len - 10;
    for (size_t i = 0; i < len; i++)
        if ((unsigned)((unsigned char)s[i] - '0') >= 10u && ++others > allowed)
            return 0;
    return 1;
}
/* The one refusal every input path gives on finding a number: exit status
 * 3, file, line and column, never the value. */
UTFALL_API utfall_status utfall_pnr_refuse(utfall_error *err, const char *file, long line,
                                           const char *column);
#ifdef __cplusplus
}
#endif
#endif
