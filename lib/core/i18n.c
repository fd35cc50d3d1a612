#include "utfall/i18n.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"

struct catalogue_entry {
    const char *key;
    const char *text[2];
};

static const struct catalogue_entry catalogue[] = {
#define MSG(key, en, sv) {key, {en, sv}},
#define TEXT(code, en, sv)
#include "messages.def"
#undef TEXT
#undef MSG
};

/* The project's own words (utfall_tr_own): few, looked at first. */
static struct own_label {
    char *key, *text;
} *own;
static size_t nown, own_cap;

int utfall_tr_own(const char *key, const char *text)
{
    for (size_t i = 0; i < nown; i++)
        if (!strcmp(own[i].key, key)) {
            char *t = strdup(text);
            if (!t)
                return -1;
            free(own[i].text);
            own[i].text = t;
            return 0;
        }
    if (nown == own_cap) {
        size_t ncap = own_cap ? own_cap * 2 : 16;
        struct own_label *n = realloc(own, ncap * sizeof *n);
        if (!n)
            return -1;
        own = n;
        own_cap = ncap;
    }
    char *k = strdup(key), *t = strdup(text);
    if (!k || !t) {
        free(k);
        free(t);
        return -1;
    }
    own[nown++] = (struct own_label){k, t};
    return 0;
}

/* Labels of combined values ("val.aktivitetsersattning+lon"), made once
 * from their parts' labels: "Aktivitetsersättning + lön". */
static struct combined_label {
    char *key, *text;
    utfall_lang lang;
} *combined;
static size_t ncombined, combined_cap;

static void lower_first(char *s)
{
    unsigned char *u = (unsigned char *)s;
    if (u[0] >= 'A' && u[0] <= 'Z')
        u[0] = (unsigned char)(u[0] - 'A' + 'a');
    else if (u[0] == 0xC3 && u[1] >= 0x80 && u[1] <= 0x9E)
        u[1] = (unsigned char)(u[1] + 0x20);
}

static const char *combined_label(utfall_lang lang, const char *key)
{
    for (size_t i = 0; i < ncombined; i++)
        if (combined[i].lang == lang && !strcmp(combined[i].key, key))
            return combined[i].text;
    char text[512] = "", part[160];
    size_t n = 0;
    for (const char *p = key + 4; *p;) {
        size_t len = strcspn(p, "+");
        snprintf(part, sizeof part, "val.%.*s", (int)len, p);
        char label[160];
        snprintf(label, sizeof label, "%s", utfall_tr(lang, part));
        if (n)
            lower_first(label);
        n += (size_t)snprintf(text + n, n < sizeof text ? sizeof text - n : 0, "%s%s",
                              n ? " + " : "", label);
        p += len + (p[len] == '+');
        if (n >= sizeof text)
            break;
    }
    if (ncombined == combined_cap) {
        size_t ncap = combined_cap ? combined_cap * 2 : 8;
        struct combined_label *c = realloc(combined, ncap * sizeof *c);
        if (!c)
            return key;
        combined = c;
        combined_cap = ncap;
    }
    char *k = strdup(key), *t = strdup(text);
    if (!k || !t) {
        free(k);
        free(t);
        return key;
    }
    combined[ncombined++] = (struct combined_label){k, t, lang};
    return t;
}

size_t utfall_tr_own_count(void)
{
    return nown;
}

void utfall_tr_own_at(size_t i, const char **key, const char **text)
{
    *key = i < nown ? own[i].key : "";
    *text = i < nown ? own[i].text : "";
}

void utfall_tr_own_clear(void)
{
    for (size_t i = 0; i < ncombined; i++) {
        free(combined[i].key);
        free(combined[i].text);
    }
    free(combined);
    combined = NULL;
    ncombined = combined_cap = 0;
    for (size_t i = 0; i < nown; i++) {
        free(own[i].key);
        free(own[i].text);
    }
    free(own);
    own = NULL;
    nown = own_cap = 0;
}

const char *utfall_tr(utfall_lang lang, const char *key)
{
    if (!key)
        return "";
    for (size_t i = 0; i < nown; i++)
        if (!strcmp(own[i].key, key))
            return own[i].text;
    for (size_t i = 0; i < sizeof catalogue / sizeof catalogue[0]; i++)
        if (strcmp(catalogue[i].key, key) == 0)
            return catalogue[i].text[lang == UTFALL_LANG_SV ? 1 : 0];
    if (!strncmp(key, "val.", 4) && strchr(key, '+'))
        return combined_label(lang, key);
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
