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
#ifdef __cplusplus
}
#endif
#endif
