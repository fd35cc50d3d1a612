/* Dates as spreadsheets and case systems write them (utfall/date.h): the
 * table of accepted and refused forms of utfall-extract(5), DATES, one
 * line each, in every style of --date-format. */
#include "utfall/utfall.h"

#include <stdio.h>
#include <string.h>

static int failures, checks;

/* the value, and what each style reads: an ISO date, or "-" refused,
 * "?" refused as ambiguous (a day-and-month form without an order) */
static const struct {
    const char *text;
    const char *as[5]; /* auto (one value alone), iso, dmy, mdy, excel */
} forms[] = {
    {"2025-03-20", {"2025-03-20", "2025-03-20", "2025-03-20", "2025-03-20", "2025-03-20"}},
    {"2025-3-2", {"2025-03-02", "2025-03-02", "2025-03-02", "2025-03-02", "2025-03-02"}},
    {"2025/03/20", {"2025-03-20", "2025-03-20", "2025-03-20", "2025-03-20", "2025-03-20"}},
    {"2025.03.20", {"2025-03-20", "2025-03-20", "2025-03-20", "2025-03-20", "2025-03-20"}},
    {"20250320", {"2025-03-20", "2025-03-20", "2025-03-20", "2025-03-20", "2025-03-20"}},
    {"2025-06-23 00:00:00", {"2025-06-23", "2025-06-23", "2025-06-23", "2025-06-23", "2025-06-23"}},
    {"2025-06-23T00:00", {"2025-06-23", "2025-06-23", "2025-06-23", "2025-06-23", "2025-06-23"}},
    {"2025-06-23 00:00:00.000", {"2025-06-23", "2025-06-23", "2025-06-23", "2025-06-23", "2025-06-23"}},
    {"20/3/2025", {"?", "?", "2025-03-20", "-", "?"}},
    {"3/20/2025", {"?", "?", "-", "2025-03-20", "?"}},
    {"3/4/2025", {"?", "?", "2025-04-03", "2025-03-04", "?"}},
    {"20.03.2025", {"?", "?", "2025-03-20", "-", "?"}},
    {"20-03-2025", {"?", "?", "2025-03-20", "-", "?"}},
    {"6/23/2025 0:00", {"?", "?", "-", "2025-06-23", "?"}},
    {"4/1/2025 12:00:00 AM", {"?", "?", "2025-01-04", "2025-04-01", "?"}},
    {"45736", {"2025-03-20", "-", "-", "-", "2025-03-20"}},
    {"45736,0", {"2025-03-20", "-", "-", "-", "2025-03-20"}},
    {"45736.0", {"2025-03-20", "-", "-", "-", "2025-03-20"}},
    {"100000", {"-", "-", "-", "-", "2173-10-14"}},
    {"61", {"-", "-", "-", "-", "1900-03-01"}},
    {"59", {"-", "-", "-", "-", "1900-02-28"}},
    {"60", {"-", "-", "-", "-", "-"}}, /* Excel's 29 February 1900 */
    /* refused in every style */
    {"2025-03-20 14:30", {"-", "-", "-", "-", "-"}},
    {"45736.5", {"-", "-", "-", "-", "-"}},
    {"20/3/25", {"-", "-", "-", "-", "-"}},
    {"2025-02-30", {"-", "-", "-", "-", "-"}},
    {"2025-13-01", {"-", "-", "-", "-", "-"}},
    {"30/2/2025", {"?", "?", "-", "-", "?"}},
    {"20 mars 2025", {"-", "-", "-", "-", "-"}},
    {"2025-03-20+01:00", {"-", "-", "-", "-", "-"}},
    {"1899-12-31", {"-", "-", "-", "-", "-"}},
    {"", {"-", "-", "-", "-", "-"}},
    {"2025", {"-", "-", "-", "-", "1905-07-17"}},
};

static void check(const char *text, utfall_date_style style, const char *want)
{
    utfall_date d = 0;
    int rc = utfall_date_parse_as(text, style, &d);
    char got[16];
    if (rc == 0)
        utfall_date_format(d, got, sizeof got);
    else
        snprintf(got, sizeof got, "%s", rc == -3 ? "?" : "-");
    checks++;
    if (strcmp(got, want)) {
        failures++;
        printf("FAIL '%s' as %s: %s, expected %s\n", text, utfall_date_style_name(style), got,
               want);
    }
}

int main(void)
{
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        for (int s = 0; s < 5; s++)
            check(forms[i].text, (utfall_date_style)s, forms[i].as[s]);
    /* taking a day-and-month form apart keeps the order it is written in */
    utfall_date_parts p;
    utfall_date_split("20.03.2025", 10, &p);
    checks++;
    if (p.shape != UTFALL_DATE_SHAPE_DM || p.a != 20 || p.b != 3 || p.year != 2025) {
        failures++;
        printf("FAIL split 20.03.2025\n");
    }
    printf("%d checks, %d failed\n", checks, failures);
    return failures != 0;
}
