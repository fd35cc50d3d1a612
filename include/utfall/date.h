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

/* A date written year first: ISO "2014-06-30", "2014-6-3", "2014/06/30",
 * compact "20140630", each perhaps with a time of day that is midnight
 * ("2014-06-30 00:00:00", "2014-06-30T00:00"); years 1900–2199.
 * 0 on success; -1 not a date in these forms; -2 the form is right but
 * the date does not exist ("2014-02-30"). */
UTFALL_API int utfall_date_parse(const char *s, utfall_date *out);

/* How the dates of a column are written (--date-format): every accepted
 * form, with day or month first decided from the column's values (auto);
 * year first only (iso); year first or day/month/year (dmy) or
 * month/day/year (mdy); year first or Excel's day numbers (excel). */
typedef enum utfall_date_style {
    UTFALL_DATES_AUTO = 0,
    UTFALL_DATES_ISO,
    UTFALL_DATES_DMY,
    UTFALL_DATES_MDY,
    UTFALL_DATES_EXCEL
} utfall_date_style;
/* "auto", "iso", "dmy", "mdy", "excel"; 0, or -1 for another name. */
UTFALL_API int utfall_date_style_parse(const char *name, utfall_date_style *out);
UTFALL_API const char *utfall_date_style_name(utfall_date_style style);

/* A date field taken apart before the order of its day and month is
 * known.  Every form of utfall-extract(5)'s table of dates. */
typedef enum utfall_date_shape {
    UTFALL_DATE_SHAPE_NONE = 0, /* no accepted form */
    UTFALL_DATE_SHAPE_YMD,      /* year first: 2014-06-30, 2014-6-3, 2014/06/30, 20140630 */
    UTFALL_DATE_SHAPE_DM,       /* two numbers, then the year: 30/6/2014, 6/30/2014, 30.06.2014 */
    UTFALL_DATE_SHAPE_SERIAL    /* a whole number: Excel's day number, 41820 */
} utfall_date_shape;

typedef struct utfall_date_parts {
    utfall_date_shape shape;
    int year;       /* DM: as written, two digits when short_year */
    int a, b;       /* YMD: month, day; DM: the two numbers in the order
                     * written; SERIAL: the number and its count of digits */
    int time;       /* 0 no time, 1 midnight, 2 another time of day */
    int short_year; /* DM with a two-digit year (never read: which century?) */
} utfall_date_parts;

/* Take the n bytes at s apart (no allocation: every row's dates pass
 * here). */
UTFALL_API void utfall_date_split(const char *s, size_t n, utfall_date_parts *p);
/* The date the parts stand for, day first or month first for a DM
 * shape; the time of day is not looked at.  0, -1 (no date: a short
 * year, no shape) or -2 (no such day, or outside 1900–2199). */
UTFALL_API int utfall_date_from_parts(const utfall_date_parts *p, int day_first,
                                      utfall_date *out);
/* One value read in a style, without a column to decide the order:
 * dmy and mdy read DM shapes, excel day numbers (auto: five-digit ones);
 * year first is always accepted.  0, -1, -2 as utfall_date_parse, -3 a
 * DM shape in a style that does not say which comes first. */
UTFALL_API int utfall_date_parse_as(const char *s, utfall_date_style style, utfall_date *out);
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
