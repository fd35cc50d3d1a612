/* utfall — calendar dates as day numbers. */
#ifndef UTFALL_DATE_H
#define UTFALL_DATE_H

#include <stddef.h>
#include <stdint.h>

#include "utfall/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Days since 1970-01-01 in the proleptic Gregorian calendar. */
typedef int32_t utfall_date;
#define UTFALL_DATE_NONE INT32_MIN

/* ISO "2014-06-30" or compact "20140630"; years 1900–2199.
 * 0 on success; -1 not a date in either form; -2 the form is right but
 * the date does not exist ("2014-02-30"). */
UTFALL_API int utfall_date_parse(const char *s, utfall_date *out);
UTFALL_API utfall_date utfall_date_from_ymd(int y, int m, int d);
UTFALL_API void utfall_date_to_ymd(utfall_date date, int *y, int *m, int *d);
/* "YYYY-MM-DD" into buf (at least 11 bytes); "" for UTFALL_DATE_NONE. */
UTFALL_API void utfall_date_format(utfall_date date, char *buf, size_t size);
/* date + months calendar months, the day clamped to the end of a shorter
 * month (2013-01-31 + 1 month = 2013-02-28). */
UTFALL_API utfall_date utfall_date_add_months(utfall_date date, int months);
UTFALL_API int utfall_days_in_month(int y, int m);
/* Today in UTC, or SOURCE_DATE_EPOCH when set (reproducible runs). */
UTFALL_API utfall_date utfall_date_today(void);

#ifdef __cplusplus
}
#endif
#endif
