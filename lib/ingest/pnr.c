#include "utfall/pnr.h"

#include <ctype.h>

#include "utfall/date.h"

static int luhn_ok(const int *d)
{
    int sum = 0;
    for (int i = 0; i < 10; i++) {
        int v = d[i] * (i % 2 == 0 ? 2 : 1);
        sum += v > 9 ? v - 9 : v;
    }
    return sum % 10 == 0;
}

static int check_at(const char *s, size_t len, size_t i, size_t *used)
{
    int d[12], n = 0;
    size_t j = i;
    while (j < len && n < 12) {
        if (isdigit((unsigned char)s[j])) {
            d[n++] = s[j] - '0';
            j++;
        } else if ((s[j] == '-' || s[j] == '+') && (n == 6 || n == 8)) {
            j++;
        } else {
            break;
        }
    }
    for (int form = 12; form >= 10; form -= 2) {
        if (n < form)
            continue;
        /* the digit run must end here */
        size_t k = i, cnt = 0;
        while (cnt < (size_t)form) {
            if (isdigit((unsigned char)s[k]))
                cnt++;
            k++;
        }
        if (k < len && isdigit((unsigned char)s[k]))
            continue;
        const int *t = d + (form - 10);
        int yy = t[0] * 10 + t[1], mm = t[2] * 10 + t[3], dd = t[4] * 10 + t[5];
        if (dd > 60)
            dd -= 60;
        int year = form == 12 ? (d[0] * 10 + d[1]) * 100 + yy : 2000 + yy;
        if (form == 12 && (d[0] * 10 + d[1] < 18 || d[0] * 10 + d[1] > 20))
            continue;
        if (mm < 1 || mm > 12 || dd < 1 || dd > utfall_days_in_month(year, mm))
            continue;
        if (!luhn_ok(t))
            continue;
        *used = k - i;
        return 1;
    }
    return 0;
}

int utfall_pnr_find(const char *s, size_t len, size_t *offset, size_t *length)
{
    if (!utfall_pnr_candidate(s, len))
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]) || (i > 0 && isdigit((unsigned char)s[i - 1])))
            continue;
        size_t used;
        if (check_at(s, len, i, &used)) {
            if (offset)
                *offset = i;
            if (length)
                *length = used;
            return 1;
        }
    }
    return 0;
}

utfall_status utfall_pnr_refuse(utfall_error *err, const char *file, long line, const char *column)
{
    utfall_error_set(err, UTFALL_ERR_PRIVACY, UTFALL_EC_PERSONAL_NUMBER,
                     "contains a personal identity number; refusing the input (the value is "
                     "not shown; pseudonymise it first with utfall pseudonymize)");
    utfall_error_locate(err, file, line, 0, column);
    return UTFALL_ERR_PRIVACY;
}
