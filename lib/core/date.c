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
        return -1;
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
