/* The identity-number guard (utfall/pnr.h): every written form it folds
 * is found and normalised, and lookalikes are not (no false alarms).
 * The numbers are Skatteverket's test number 19121212-1212 and the
 * coordination number 701063-2391 used throughout tests/. */
#include "utfall/utfall.h"

#include "check.h"

#include <stdio.h>
#include <string.h>


/* text, and its 12-digit form on 2026-01-01 ("" when it holds no number) */
static const struct {
    const char *text, *twelve;
} cases[] = {
    /* the forms the guard always knew */
    {"191212121212", "191212121212"},
    {"19121212-1212", "191212121212"},
    {"121212-1212", "201212121212"},
    {"1212121212", "201212121212"},
    {"121212+1212", "191212121212"}, /* + : 100 or older */
    {"701063-2391", "197010632391"}, /* coordination number: day + 60 */
    {"ring 121212-1212 imorgon", "201212121212"},
    {"121212-1212abc", "201212121212"},
    /* separators before the last four */
    {"121212 1212", "201212121212"},
    {"19121212 1212", "191212121212"},
    {"121212\u20131212", "201212121212"},          /* en dash */
    {"121212\u20141212", "201212121212"},          /* em dash */
    {"121212\u22121212", "201212121212"},          /* minus sign */
    {"121212\u20111212", "201212121212"},          /* non-breaking hyphen */
    {"121212\u20101212", "201212121212"},          /* hyphen */
    {"121212\u00a01212", "201212121212"},          /* no-break space */
    {"121212\u202f1212", "201212121212"},          /* narrow no-break space */
    {"121212\u20091212", "201212121212"},          /* thin space */
    {"121212\uff0d1212", "201212121212"},          /* fullwidth hyphen-minus */
    {"121212\uff0b1212", "191212121212"},          /* fullwidth plus */
    {"121212 - 1212", "201212121212"},             /* a group of three */
    {"121212--1212", "201212121212"},
    {"121212\x96" "1212", "201212121212"},         /* Windows-1252 en dash, not transcoded */
    {"121212\xa0" "1212", "201212121212"},         /* Windows-1252 no-break space */
    /* Windows-1252 superscript one and two (one byte each, not UTF-8) and
     * soft hyphens: found by the fuzzer, whose finder saw them where the
     * cheap pre-filter did not */
    {"\xb9\xb2\xb9\xb2\xb9\xb2-\xb9\xb2\xb9\xb2", "201212121212"},
    {"\xb9\xb9\xb9\xb9\xb9\xb9\xb9\xb9\xad\xad\xad\xad" "08", "201111111108"}, /* the fuzzer's 1111111108 */
    {"12\xb9\xb2\xb9\xb2\xad\xad\xad\xad" "-1212", "201212121212"},
    /* digits of other scripts */
    {"\uff11\uff12\uff11\uff12\uff11\uff12\uff0d\uff11\uff12\uff11\uff12", "201212121212"},
    {"\u0661\u0662\u0661\u0662\u0661\u0662-\u0661\u0662\u0661\u0662", "201212121212"},
    {"\u0967\u0968\u0967\u0968\u0967\u0968-\u0967\u0968\u0967\u0968", "201212121212"},
    {"\U0001D7CF\U0001D7D0\U0001D7CF\U0001D7D0\U0001D7CF\U0001D7D0-"
     "\U0001D7CF\U0001D7D0\U0001D7CF\U0001D7D0", "201212121212"}, /* mathematical bold */
    {"\u00b9\u00b2\u00b9\u00b2\u00b9\u00b2\u207b\u00b9\u00b2\u00b9\u00b2", "201212121212"},
    /* invisible characters among the digits */
    {"1212\u200b12-1212", "201212121212"},         /* zero-width space */
    {"12\u00ad1212-12\u00ad12", "201212121212"},   /* soft hyphen */
    {"1\u03362\u03361\u03362\u03361\u03362\u0336-1\u03362\u03361\u03362\u0336",
     "201212121212"},                              /* a stroke through every digit */
    {"\u202e121212-1212\u202c", "201212121212"},   /* a direction override around it */
    {"1\ufe0f\u20e32\ufe0f\u20e31212-1212", "201212121212"}, /* keycaps */
    /* lookalikes: no number */
    {"121212-1213", ""},                  /* check digit */
    {"1403150013", ""},                   /* a case number: a date, but the check digit fails */
    {"2014000123", ""},                   /* no date */
    {"121312-1212", ""},                  /* month 13 */
    {"17121212-1212", ""},                /* a 12-digit form begins with 18, 19 or 20 */
    {"1212121212121", ""},                /* thirteen digits */
    {"9121212-1212", ""},                 /* seven digits before the separator */
    {"191212-121212", ""},                /* a 12-digit form with the separator after six */
    {"19121212-12-12", ""},
    {"121212----1212", ""},               /* four separators */
    {"121212/1212", ""},                  /* not a separator */
    {"2013-01-10", ""},
    {"20130110 12", ""},
    {"5\u200b1212121212", ""},            /* eleven digits, one hidden behind a zero-width space */
    {"", ""},
};

static void test_forms(void)
{
    utfall_date today = utfall_date_from_ymd(2026, 1, 1);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *s = cases[i].text;
        size_t n = strlen(s), off = 0, len = 0;
        int want = cases[i].twelve[0] != '\0';
        int found = utfall_pnr_find(s, n, &off, &len);
        CHECK_WHAT(found == want, s);
        CHECK_WHAT(!found || utfall_pnr_candidate(s, n), s);
        if (!found)
            continue;
        CHECK_WHAT(off + len <= n, s);
        char p12[13] = "";
        CHECK_WHAT(utfall_pnr_normalize(s + off, len, today, p12) == 0, s);
        CHECK_WHAT(!strcmp(p12, cases[i].twelve), s);
    }
}

/* The refusal names the channel, file, line and column, and never holds
 * the value. */
static void test_refusal(void)
{
    utfall_error err;
    utfall_error_clear(&err);
    utfall_guard_site site = {"spells file", "s.csv", 7, "id", NULL};
    const char *v = "x 121212\u20131212";
    CHECK_WHAT(utfall_guard("B-17", 4, &site, &err) == UTFALL_OK, "clean text");
    CHECK_WHAT(err.status == UTFALL_OK, "clean text leaves err alone");
    CHECK_WHAT(utfall_guard(v, strlen(v), &site, &err) == UTFALL_ERR_PRIVACY, v);
    char buf[1024];
    utfall_error_format(&err, buf, sizeof buf);
    CHECK_WHAT(strstr(buf, "s.csv:7: column 'id': contains a personal identity number "
                           "(at character 3)") != NULL,
               buf);
    CHECK_WHAT(strstr(buf, "refusing the spells file") != NULL, buf);
    CHECK_WHAT(strstr(buf, "1212") == NULL, buf);
    CHECK_WHAT(err.code_id == UTFALL_EC_PERSONAL_NUMBER, buf);
    utfall_guard_site option = {"command line", NULL, 0, NULL, "option --title"};
    CHECK_WHAT(utfall_guard("19121212 1212", 13, &option, &err) == UTFALL_ERR_PRIVACY, "option");
    utfall_error_format(&err, buf, sizeof buf);
    CHECK_WHAT(!strncmp(buf, "option --title contains a personal identity number", 50), buf);
}

int main(void)
{
    utfall_init();
    test_forms();
    test_refusal();
    return checks_report("pnr");
}
