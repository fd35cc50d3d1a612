#include "utfall/i18n.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct catalogue_entry {
    const char *key;
    const char *text[2];
};

static const struct catalogue_entry catalogue[] = {
#define MSG(key, en, sv) {key, {en, sv}},
#include "messages.def"
#undef MSG
};

const char *utfall_tr(utfall_lang lang, const char *key)
{
    if (!key)
        return "";
    for (size_t i = 0; i < sizeof catalogue / sizeof catalogue[0]; i++)
        if (strcmp(catalogue[i].key, key) == 0)
            return catalogue[i].text[lang == UTFALL_LANG_SV ? 1 : 0];
    return key;
}

utfall_lang utfall_lang_from_env(void)
{
    static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < 3; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strncasecmp(v, "sv", 2) == 0 ? UTFALL_LANG_SV : UTFALL_LANG_EN;
    }
    return UTFALL_LANG_EN;
}

int utfall_lang_parse(const char *name, utfall_lang *out)
{
    if (!name)
        return -1;
    if (!strcasecmp(name, "sv") || !strcasecmp(name, "swedish") || !strcasecmp(name, "svenska")
        || !strncasecmp(name, "sv_", 3)) {
        *out = UTFALL_LANG_SV;
        return 0;
    }
    if (!strcasecmp(name, "en") || !strcasecmp(name, "english") || !strncasecmp(name, "en_", 3)) {
        *out = UTFALL_LANG_EN;
        return 0;
    }
    return -1;
}

const char *utfall_lang_code(utfall_lang lang)
{
    return lang == UTFALL_LANG_SV ? "sv" : "en";
}

/* Insert a group separator every three digits of the integer part. */
static void group_digits(const char *digits, const char *sep, char *buf, size_t size)
{
    size_t len = strlen(digits), n = 0, seplen = strlen(sep);
    for (size_t i = 0; i < len && n + seplen + 2 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0) {
            memcpy(buf + n, sep, seplen);
            n += seplen;
        }
        buf[n++] = digits[i];
    }
    buf[n] = '\0';
}

#define SV_THOUSANDS "\xE2\x80\xAF" /* U+202F narrow no-break space */
#define SV_NBSP "\xC2\xA0"          /* U+00A0 no-break space */

void utfall_fmt_decimal(utfall_lang lang, double x, int decimals, char *buf, size_t size)
{
    char raw[64], intpart[64], grouped[96];
    if (!isfinite(x)) {
        snprintf(buf, size, "%s", utfall_tr(lang, "not_computable"));
        return;
    }
    if (decimals < 0)
        decimals = 0;
    if (decimals > 15)
        decimals = 15;
    snprintf(raw, sizeof raw, "%.*f", decimals, x);
    /* "-0,0" reads as a change; print zero without sign. */
    int negative = raw[0] == '-';
    const char *p = negative ? raw + 1 : raw;
    if (negative && strspn(p, "0.") == strlen(p))
        negative = 0;
    const char *dot = strchr(p, '.');
    size_t ilen = dot ? (size_t)(dot - p) : strlen(p);
    if (ilen >= sizeof intpart)
        ilen = sizeof intpart - 1;
    memcpy(intpart, p, ilen);
    intpart[ilen] = '\0';
    group_digits(intpart, lang == UTFALL_LANG_SV ? SV_THOUSANDS : ",", grouped, sizeof grouped);
    snprintf(buf, size, "%s%s%s%s", negative ? "-" : "",
             grouped, dot ? (lang == UTFALL_LANG_SV ? "," : ".") : "", dot ? dot + 1 : "");
}

void utfall_fmt_count(utfall_lang lang, long long n, char *buf, size_t size)
{
    utfall_fmt_decimal(lang, (double)n, 0, buf, size);
}

void utfall_fmt_percent(utfall_lang lang, double share, int decimals, char *buf, size_t size)
{
    char num[64];
    if (!isfinite(share)) {
        snprintf(buf, size, "%s", utfall_tr(lang, "not_computable"));
        return;
    }
    utfall_fmt_decimal(lang, share * 100.0, decimals, num, sizeof num);
    snprintf(buf, size, "%s%s%%", num, lang == UTFALL_LANG_SV ? SV_NBSP : "");
}

void utfall_fmt_machine(double x, char *buf, size_t size)
{
    if (!isfinite(x)) {
        snprintf(buf, size, "%s", isnan(x) ? "NA" : (x > 0 ? "Inf" : "-Inf"));
        return;
    }
    if (x == floor(x) && fabs(x) < 1e15) {
        snprintf(buf, size, "%.0f", x);
        return;
    }
    /* Ten significant digits: more than any test needs (R agreement is
     * checked to 6), few enough that float noise never shows.  The C
     * locale's decimal point is not trusted. */
    snprintf(buf, size, "%.10g", x);
    for (char *c = buf; *c; c++)
        if (*c == ',')
            *c = '.';
}
