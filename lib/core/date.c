#include "utfall/date.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int utfall_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days[m - 1];
}

/* Howard Hinnant's days_from_civil. */
utfall_date utfall_date_from_ymd(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (utfall_date)(era * 146097 + (int)doe - 719468);
}

void utfall_date_to_ymd(utfall_date date, int *y, int *m, int *d)
{
    int z = date + 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
    const int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)yoe + era * 400 + (mm <= 2);
    *m = mm;
    *d = dd;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        unsigned c = (unsigned)((unsigned char)s[i] - '0');
        if (c >= 10)
            return -1;
        v = v * 10 + (int)c;
    }
    return v;
}

int utfall_date_parse(const char *s, utfall_date *out)
{
    int y, m, d;
    size_t n = strlen(s);
    if (n == 10 && s[4] == '-' && s[7] == '-') {
        y = digits(s, 4);
        m = digits(s + 5, 2);
        d = digits(s + 8, 2);
    } else if (n == 8) {
        y = digits(s, 4);
        m = digits(s + 4, 2);
        d = digits(s + 6, 2);
    } else {
        /* 2014-6-3, 2014/06/30, 2014-06-30 00:00:00 */
        utfall_date_parts p;
        utfall_date_split(s, n, &p);
        if (p.shape != UTFALL_DATE_SHAPE_YMD || p.time == 2)
            return -1;
        return utfall_date_from_parts(&p, 0, out);
    }
    if (y < 0 || m < 0 || d < 0)
        return -1;
    if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > utfall_days_in_month(y, m))
        return -2;
    *out = utfall_date_from_ymd(y, m, d);
    return 0;
}

void utfall_date_format(utfall_date date, char *buf, size_t size)
{
    if (date == UTFALL_DATE_NONE) {
        if (size)
            buf[0] = '\0';
        return;
    }
    int y, m, d;
    utfall_date_to_ymd(date, &y, &m, &d);
    snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
}

utfall_date utfall_date_add_months(utfall_date date, int months)
{
    int y, m, d;
    utfall_date_to_ymd(date, &y, &m, &d);
    int total = y * 12 + (m - 1) + months;
    y = total / 12;
    m = total % 12 + 1;
    int dim = utfall_days_in_month(y, m);
    return utfall_date_from_ymd(y, m, d > dim ? dim : d);
}

utfall_date utfall_date_today(void)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    long long t = sde && *sde ? strtoll(sde, NULL, 10) : (long long)time(NULL);
    return (utfall_date)(t / 86400);
}

/* ---- dates as spreadsheets and case systems write them ------------------ */

int utfall_date_style_parse(const char *name, utfall_date_style *out)
{
    static const struct {
        const char *name;
        utfall_date_style style;
    } names[] = {{"auto", UTFALL_DATES_AUTO}, {"iso", UTFALL_DATES_ISO},
                 {"dmy", UTFALL_DATES_DMY},   {"mdy", UTFALL_DATES_MDY},
                 {"excel", UTFALL_DATES_EXCEL}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i].name)) {
            *out = names[i].style;
            return 0;
        }
    return -1;
}

const char *utfall_date_style_name(utfall_date_style style)
{
    static const char *const names[] = {"auto", "iso", "dmy", "mdy", "excel"};
    return (unsigned)style < sizeof names / sizeof names[0] ? names[style] : "";
}

/* A run of at most max digits at s: its value, and its length in *n
 * (0 when s holds no digit). */
static int digit_run(const char *s, int max, int *n)
{
    int v = 0, k = 0;
    unsigned d;
    while (k < max && (d = (unsigned)((unsigned char)s[k] - '0')) < 10) {
        v = v * 10 + (int)d;
        k++;
    }
    *n = k;
    return v;
}

/* What follows a date: nothing, or a time of day, " 00:00:00",
 * "T00:00", " 0:00", " 12:00:00 AM" (Excel's and ISO's ways of writing
 * one).  0 = none, 1 = midnight, 2 = another time, -1 = not a time. */
static int time_part(const char *s, const char *end)
{
    if (s == end)
        return 0;
    if ((*s != ' ' && *s != 'T') || ++s == end)
        return -1;
    int k, h = digit_run(s, 2, &k), zero = 1;
    if (!k)
        return -1;
    s += k;
    for (int part = 0; part < 2 && s < end && *s == ':'; part++) {
        int v = digit_run(++s, 2, &k);
        if (k != 2)
            return -1;
        zero &= v == 0;
        s += k;
    }
    if (s < end && *s == '.') { /* fractions of a second */
        while (++s < end && *s >= '0' && *s <= '9')
            zero &= *s == '0';
    }
    if (end - s == 3 && s[0] == ' ' && (s[1] == 'A' || s[1] == 'P') && s[2] == 'M') {
        if (h < 1 || h > 12)
            return -1;
        h = s[1] == 'A' && h == 12 ? 0 : s[1] == 'P' && h != 12 ? 1 : h;
        s = end;
    }
    if (s != end || h > 23)
        return -1;
    return zero && h == 0 ? 1 : 2;
}

/* A whole number, perhaps with a fraction (Excel's time of day):
 * "45736", "45736,0", "45736.5". */
static void split_serial(const char *s, const char *end, utfall_date_parts *p)
{
    int k, v = digit_run(s, 7, &k);
    const char *q = s + k;
    int frac = 0;
    if (q < end && (*q == '.' || *q == ',')) {
        if (++q == end)
            return;
        while (q < end && *q >= '0' && *q <= '9')
            frac |= *q++ != '0';
    }
    if (q != end || k == 0 || k > 6)
        return;
    p->shape = UTFALL_DATE_SHAPE_SERIAL;
    p->a = v;
    p->b = k;
    p->time = frac ? 2 : 0;
}

void utfall_date_split(const char *s, size_t n, utfall_date_parts *p)
{
    const char *end = s + n;
    memset(p, 0, sizeof *p);
    int k1, v1 = digit_run(s, 9, &k1);
    const char *q = s + k1;
    if (k1 == 8 && (q == end || *q == ' ' || *q == 'T')) {
        p->year = v1 / 10000;
        p->a = v1 / 100 % 100;
        p->b = v1 % 100;
        p->shape = UTFALL_DATE_SHAPE_YMD;
    } else if ((k1 == 4 || k1 == 1 || k1 == 2) && q < end
               && (*q == '-' || *q == '/' || *q == '.')) {
        char sep = *q;
        int k2, v2 = digit_run(++q, 2, &k2);
        q += k2;
        if (!k2 || q >= end || *q != sep)
            return;
        int k3, v3 = digit_run(++q, 4, &k3);
        q += k3;
        if (k1 == 4 && (k3 == 1 || k3 == 2)) {
            *p = (utfall_date_parts){UTFALL_DATE_SHAPE_YMD, v1, v2, v3, 0, 0};
        } else if (k1 != 4 && (k3 == 4 || k3 == 2)) {
            *p = (utfall_date_parts){UTFALL_DATE_SHAPE_DM, v3, v1, v2, 0, k3 == 2};
        } else {
            return;
        }
    } else if (k1 >= 1 && k1 <= 7 && !(k1 == 4 && q < end && *q == '-')) {
        split_serial(s, end, p);
        return;
    } else {
        return;
    }
    int t = time_part(q, end);
    if (t < 0)
        p->shape = UTFALL_DATE_SHAPE_NONE;
    p->time = t < 0 ? 0 : t;
}

/* Excel's day numbers count from 1 = 1900-01-01 and hold a 29 February
 * 1900 that never was (number 60). */
static int serial_date(int n, utfall_date *out)
{
    if (n < 1 || n == 60)
        return -2;
    *out = utfall_date_from_ymd(1899, 12, n < 60 ? 31 : 30) + n;
    int y, m, d;
    utfall_date_to_ymd(*out, &y, &m, &d);
    return y <= 2199 ? 0 : -2;
}

int utfall_date_from_parts(const utfall_date_parts *p, int day_first, utfall_date *out)
{
    int y = p->year, m, d;
    switch (p->shape) {
    case UTFALL_DATE_SHAPE_YMD:
        m = p->a;
        d = p->b;
        break;
    case UTFALL_DATE_SHAPE_DM:
        if (p->short_year)
            return -1;
        m = day_first ? p->b : p->a;
        d = day_first ? p->a : p->b;
        break;
    case UTFALL_DATE_SHAPE_SERIAL:
        return serial_date(p->a, out);
    default:
        return -1;
    }
    if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > utfall_days_in_month(y, m))
        return -2;
    *out = utfall_date_from_ymd(y, m, d);
    return 0;
}

int utfall_date_parse_as(const char *s, utfall_date_style style, utfall_date *out)
{
    utfall_date_parts p;
    utfall_date_split(s, strlen(s), &p);
    if (p.time == 2)
        return -1;
    switch (p.shape) {
    case UTFALL_DATE_SHAPE_YMD:
        return utfall_date_from_parts(&p, 0, out);
    case UTFALL_DATE_SHAPE_DM:
        if (style != UTFALL_DATES_DMY && style != UTFALL_DATES_MDY)
            return p.short_year ? -1 : -3;
        return utfall_date_from_parts(&p, style == UTFALL_DATES_DMY, out);
    case UTFALL_DATE_SHAPE_SERIAL:
        if (style == UTFALL_DATES_EXCEL || (style == UTFALL_DATES_AUTO && p.b == 5))
            return utfall_date_from_parts(&p, 0, out);
        return -1;
    default:
        return -1;
    }
}
