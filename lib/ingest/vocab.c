/* Canonical fields, categories and their accepted spellings. */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/extract.h"
#include "core/internal.h"

void utfall_fold(const char *s, char *buf, size_t size)
{
    size_t n = 0;
    int pending_sep = 0;
    if (!size)
        return;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 2 < size; p++) {
        char c = 0;
        if (p[0] == 0xC3 && p[1]) {
            /* Swedish and common Latin-1 letters in UTF-8 */
            switch (p[1]) {
            case 0xA5: case 0x85: case 0xA4: case 0x84: case 0xA0: case 0xA1: case 0x80: case 0x81:
                c = 'a'; break;
            case 0xB6: case 0x96: case 0xB8: case 0x98: case 0xB3: case 0x93:
                c = 'o'; break;
            case 0xA9: case 0x89: case 0xA8: case 0x88: case 0xAB: case 0x8B:
                c = 'e'; break;
            case 0xBC: case 0x9C: case 0xBA: case 0x9A:
                c = 'u'; break;
            case 0xAD: case 0x8D: case 0xAF: case 0x8F:
                c = 'i'; break;
            default:
                c = '?';
            }
            p++;
        } else if (*p == ' ' || *p == '-' || *p == '.' || *p == '/' || *p == '_' || *p == '\t') {
            pending_sep = n > 0;
            continue;
        } else if (*p >= 0x80) {
            c = '?';
        } else {
            c = (char)tolower(*p);
        }
        if (pending_sep) {
            buf[n++] = '_';
            pending_sep = 0;
        }
        buf[n++] = c;
    }
    buf[n] = '\0';
}

struct alias {
    const char *folded;
    int value;
};

static int lookup(const struct alias *table, size_t count, const char *s)
{
    /* Most values are written as the key itself ("arbete", "k"); every
     * key is its own fold, so an exact match gives the same answer as
     * folding first, without the folding. */
    for (size_t i = 0; i < count; i++)
        if (table[i].folded[0] == s[0] && strcmp(table[i].folded, s) == 0)
            return table[i].value;
    char f[128];
    utfall_fold(s, f, sizeof f);
    for (size_t i = 0; i < count; i++)
        if (strcmp(table[i].folded, f) == 0)
            return table[i].value;
    return -1;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const field_names[UTFALL_F_COUNT] = {
    "id", "kon", "fodelsear", "alder", "enhet", "insats", "inskriven", "avslutad",
    "avslutsorsak", "timmar_fore", "timmar_efter", "forsorjning_fore", "forsorjning_efter",
    "uppfoljd_till"};

const char *utfall_field_name(utfall_field f)
{
    return (unsigned)f < UTFALL_F_COUNT ? field_names[f] : "";
}

static const struct alias field_aliases[] = {
    {"id", UTFALL_F_ID}, {"lopnr", UTFALL_F_ID}, {"lopnummer", UTFALL_F_ID},
    {"deltagar_id", UTFALL_F_ID}, {"deltagarid", UTFALL_F_ID}, {"deltagare", UTFALL_F_ID},
    {"participant_id", UTFALL_F_ID}, {"person_id", UTFALL_F_ID}, {"pid", UTFALL_F_ID},
    {"kon", UTFALL_F_KON}, {"gender", UTFALL_F_KON}, {"sex", UTFALL_F_KON},
    {"fodelsear", UTFALL_F_FODELSEAR}, {"fodd", UTFALL_F_FODELSEAR},
    {"fodelse_ar", UTFALL_F_FODELSEAR}, {"birth_year", UTFALL_F_FODELSEAR},
    {"year_of_birth", UTFALL_F_FODELSEAR},
    {"alder", UTFALL_F_ALDER}, {"age", UTFALL_F_ALDER}, {"alder_vid_inskrivning", UTFALL_F_ALDER},
    {"enhet", UTFALL_F_ENHET}, {"region", UTFALL_F_ENHET}, {"kommun", UTFALL_F_ENHET},
    {"unit", UTFALL_F_ENHET}, {"ort", UTFALL_F_ENHET}, {"site", UTFALL_F_ENHET},
    {"insats", UTFALL_F_INSATS}, {"metod", UTFALL_F_INSATS}, {"method", UTFALL_F_INSATS},
    {"intervention", UTFALL_F_INSATS}, {"arm", UTFALL_F_INSATS},
    {"inskriven", UTFALL_F_INSKRIVEN}, {"inskrivningsdatum", UTFALL_F_INSKRIVEN},
    {"inskrivning", UTFALL_F_INSKRIVEN}, {"inskriven_datum", UTFALL_F_INSKRIVEN},
    {"startdatum", UTFALL_F_INSKRIVEN}, {"start", UTFALL_F_INSKRIVEN},
    {"enrolled", UTFALL_F_INSKRIVEN}, {"start_date", UTFALL_F_INSKRIVEN},
    {"avslutad", UTFALL_F_AVSLUTAD}, {"avslutsdatum", UTFALL_F_AVSLUTAD},
    {"utskriven", UTFALL_F_AVSLUTAD}, {"utskrivningsdatum", UTFALL_F_AVSLUTAD},
    {"slutdatum", UTFALL_F_AVSLUTAD}, {"exited", UTFALL_F_AVSLUTAD},
    {"exit_date", UTFALL_F_AVSLUTAD}, {"end_date", UTFALL_F_AVSLUTAD},
    {"avslutsorsak", UTFALL_F_AVSLUTSORSAK}, {"orsak", UTFALL_F_AVSLUTSORSAK},
    {"avslutsanledning", UTFALL_F_AVSLUTSORSAK}, {"orsak_till_avslut", UTFALL_F_AVSLUTSORSAK},
    {"exit_reason", UTFALL_F_AVSLUTSORSAK}, {"outcome", UTFALL_F_AVSLUTSORSAK},
    {"timmar_fore", UTFALL_F_TIMMAR_FORE}, {"timmar_vid_inskrivning", UTFALL_F_TIMMAR_FORE},
    {"hours_before", UTFALL_F_TIMMAR_FORE}, {"aktivitet_fore", UTFALL_F_TIMMAR_FORE},
    {"timmar_efter", UTFALL_F_TIMMAR_EFTER}, {"timmar_vid_avslut", UTFALL_F_TIMMAR_EFTER},
    {"hours_after", UTFALL_F_TIMMAR_EFTER}, {"aktivitet_efter", UTFALL_F_TIMMAR_EFTER},
    {"forsorjning_fore", UTFALL_F_FORSORJNING_FORE}, {"income_before", UTFALL_F_FORSORJNING_FORE},
    {"forsorjning_efter", UTFALL_F_FORSORJNING_EFTER}, {"income_after", UTFALL_F_FORSORJNING_EFTER},
    {"uppfoljd_till", UTFALL_F_UPPFOLJD_TILL}, {"uppfoljning_till", UTFALL_F_UPPFOLJD_TILL},
    {"followed_until", UTFALL_F_UPPFOLJD_TILL}, {"follow_up_end", UTFALL_F_UPPFOLJD_TILL},
};

int utfall_field_lookup(const char *header)
{
    return lookup(field_aliases, COUNT(field_aliases), header);
}

static const struct alias kon_aliases[] = {
    {"k", UTFALL_KON_K}, {"kvinna", UTFALL_KON_K}, {"kvinnor", UTFALL_KON_K},
    {"f", UTFALL_KON_K}, {"female", UTFALL_KON_K}, {"woman", UTFALL_KON_K},
    {"w", UTFALL_KON_K}, {"flicka", UTFALL_KON_K},
    {"m", UTFALL_KON_M}, {"man", UTFALL_KON_M}, {"male", UTFALL_KON_M},
    {"pojke", UTFALL_KON_M}, {"men", UTFALL_KON_M},
};

int utfall_kon_parse(const char *s, utfall_kon *out)
{
    if (!*s) {
        *out = UTFALL_KON_MISSING;
        return 0;
    }
    if (!s[1] && (s[0] == 'k' || s[0] == 'm')) {
        *out = s[0] == 'k' ? UTFALL_KON_K : UTFALL_KON_M;
        return 0;
    }
    /* "män" folds to "man", as it should */
    int v = lookup(kon_aliases, COUNT(kon_aliases), s);
    if (v < 0)
        return -1;
    *out = (utfall_kon)v;
    return 0;
}

const char *utfall_kon_key(utfall_kon k)
{
    return k == UTFALL_KON_K ? "k" : k == UTFALL_KON_M ? "m" : "";
}

static const char *const outcome_keys[UTFALL_OUTCOME_COUNT] = {
    "arbete", "arbete_med_stod", "studier", "arbetssokande", "praktik", "annan_insats", "vard",
    "foraldraledighet", "flytt", "ej_kontaktbar", "avbrott", "annat"};

const char *utfall_outcome_key(int o)
{
    return o >= 0 && o < UTFALL_OUTCOME_COUNT ? outcome_keys[o] : "";
}

static const struct alias outcome_aliases[] = {
    {"arbete", UTFALL_OUTCOME_ARBETE}, {"anstallning", UTFALL_OUTCOME_ARBETE},
    {"jobb", UTFALL_OUTCOME_ARBETE}, {"work", UTFALL_OUTCOME_ARBETE},
    {"employment", UTFALL_OUTCOME_ARBETE}, {"arbete_osubventionerat", UTFALL_OUTCOME_ARBETE},
    {"arbete_med_stod", UTFALL_OUTCOME_ARBETE_MED_STOD},
    {"anstallning_med_stod", UTFALL_OUTCOME_ARBETE_MED_STOD},
    {"arbete_med_lonebidrag", UTFALL_OUTCOME_ARBETE_MED_STOD},
    {"lonebidrag", UTFALL_OUTCOME_ARBETE_MED_STOD},
    {"subventionerad_anstallning", UTFALL_OUTCOME_ARBETE_MED_STOD},
    {"subventionerat_arbete", UTFALL_OUTCOME_ARBETE_MED_STOD},
    {"work_with_support", UTFALL_OUTCOME_ARBETE_MED_STOD},
    {"subsidised_employment", UTFALL_OUTCOME_ARBETE_MED_STOD},
    {"studier", UTFALL_OUTCOME_STUDIER}, {"studera", UTFALL_OUTCOME_STUDIER},
    {"studerar", UTFALL_OUTCOME_STUDIER}, {"utbildning", UTFALL_OUTCOME_STUDIER},
    {"reguljara_studier", UTFALL_OUTCOME_STUDIER}, {"studies", UTFALL_OUTCOME_STUDIER},
    {"education", UTFALL_OUTCOME_STUDIER},
    {"arbetssokande", UTFALL_OUTCOME_ARBETSSOKANDE}, {"arbetssokande_af", UTFALL_OUTCOME_ARBETSSOKANDE},
    {"job_seeking", UTFALL_OUTCOME_ARBETSSOKANDE}, {"jobseeker", UTFALL_OUTCOME_ARBETSSOKANDE},
    {"praktik", UTFALL_OUTCOME_PRAKTIK}, {"internship", UTFALL_OUTCOME_PRAKTIK},
    {"annan_insats", UTFALL_OUTCOME_ANNAN_INSATS}, {"other_programme", UTFALL_OUTCOME_ANNAN_INSATS},
    {"vard", UTFALL_OUTCOME_VARD}, {"sjukvard", UTFALL_OUTCOME_VARD},
    {"rehabilitering", UTFALL_OUTCOME_VARD}, {"health_care", UTFALL_OUTCOME_VARD},
    {"foraldraledighet", UTFALL_OUTCOME_FORALDRALEDIGHET},
    {"foraldraledig", UTFALL_OUTCOME_FORALDRALEDIGHET},
    {"mammaledighet", UTFALL_OUTCOME_FORALDRALEDIGHET},
    {"pappaledighet", UTFALL_OUTCOME_FORALDRALEDIGHET},
    {"parental_leave", UTFALL_OUTCOME_FORALDRALEDIGHET},
    {"flytt", UTFALL_OUTCOME_FLYTT}, {"flyttat", UTFALL_OUTCOME_FLYTT},
    {"moved", UTFALL_OUTCOME_FLYTT},
    {"ej_kontaktbar", UTFALL_OUTCOME_EJ_KONTAKTBAR}, {"inte_kontaktbar", UTFALL_OUTCOME_EJ_KONTAKTBAR},
    {"ej_antraffbar", UTFALL_OUTCOME_EJ_KONTAKTBAR}, {"not_reachable", UTFALL_OUTCOME_EJ_KONTAKTBAR},
    {"avbrott", UTFALL_OUTCOME_AVBROTT}, {"avbrutit", UTFALL_OUTCOME_AVBROTT},
    {"avbruten", UTFALL_OUTCOME_AVBROTT}, {"dropout", UTFALL_OUTCOME_AVBROTT},
    {"drop_out", UTFALL_OUTCOME_AVBROTT},
    {"annat", UTFALL_OUTCOME_ANNAT}, {"ovrigt", UTFALL_OUTCOME_ANNAT},
    {"other", UTFALL_OUTCOME_ANNAT},
};

/* The index of s among keys written exactly as keys, or -1: the common
 * case, tried before the aliases and folding. */
static int key_index(const char *const *keys, int count, const char *s)
{
    size_t n = strlen(s);
    for (int i = 0; i < count; i++)
        if (keys[i][0] == s[0] && strlen(keys[i]) == n && memcmp(keys[i], s, n) == 0)
            return i;
    return -1;
}

/* A category written as its key or as one of its aliases. */
static inline int parse_category(const char *const *keys, int nkeys, const struct alias *aliases,
                                 size_t naliases, const char *s, int *out)
{
    int v = key_index(keys, nkeys, s);
    if (v < 0)
        v = lookup(aliases, naliases, s);
    if (v < 0)
        return -1;
    *out = v;
    return 0;
}

int utfall_outcome_parse(const char *s, int *out)
{
    return parse_category(outcome_keys, UTFALL_OUTCOME_COUNT, outcome_aliases,
                          COUNT(outcome_aliases), s, out);
}

utfall_status utfall_outcome_set_parse(const char *list, unsigned *set, utfall_error *err)
{
    char item[128];
    *set = 0;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n >= sizeof item)
            n = sizeof item - 1;
        memcpy(item, p, n);
        item[n] = '\0';
        int o;
        if (n > 0) {
            if (utfall_outcome_parse(item, &o))
                return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_UNKNOWN_OUTCOME,
                                        "unknown outcome '%s' (accepted: arbete, arbete_med_stod, "
                                        "studier, arbetssokande, praktik, annan_insats, vard, "
                                        "foraldraledighet, flytt, ej_kontaktbar, avbrott, annat)",
                                        item);
            *set |= 1u << o;
        }
        p += strcspn(p, ",");
        if (*p == ',')
            p++;
    }
    if (!*set)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_EMPTY_OUTCOME_LIST,
                                "the list of outcomes is empty");
    return UTFALL_OK;
}

static const char *const income_keys[UTFALL_INCOME_COUNT] = {
    "aktivitetsersattning", "sjukersattning", "sjukpenning", "forsorjningsstod", "a_kassa",
    "aktivitetsstod", "lon", "studiemedel", "ingen", "annan"};

const char *utfall_income_key(int i)
{
    return i >= 0 && i < UTFALL_INCOME_COUNT ? income_keys[i] : "";
}

static const struct alias income_aliases[] = {
    {"aktivitetsersattning", UTFALL_INCOME_AKTIVITETSERSATTNING},
    {"ae", UTFALL_INCOME_AKTIVITETSERSATTNING},
    {"activity_compensation", UTFALL_INCOME_AKTIVITETSERSATTNING},
    {"sjukersattning", UTFALL_INCOME_SJUKERSATTNING},
    {"sickness_compensation", UTFALL_INCOME_SJUKERSATTNING},
    {"sjukpenning", UTFALL_INCOME_SJUKPENNING}, {"sickness_benefit", UTFALL_INCOME_SJUKPENNING},
    {"forsorjningsstod", UTFALL_INCOME_FORSORJNINGSSTOD},
    {"ekonomiskt_bistand", UTFALL_INCOME_FORSORJNINGSSTOD},
    {"social_assistance", UTFALL_INCOME_FORSORJNINGSSTOD},
    {"a_kassa", UTFALL_INCOME_A_KASSA}, {"akassa", UTFALL_INCOME_A_KASSA},
    {"arbetsloshetsersattning", UTFALL_INCOME_A_KASSA},
    {"unemployment_benefit", UTFALL_INCOME_A_KASSA},
    {"aktivitetsstod", UTFALL_INCOME_AKTIVITETSSTOD},
    {"activity_support", UTFALL_INCOME_AKTIVITETSSTOD},
    {"lon", UTFALL_INCOME_LON}, {"salary", UTFALL_INCOME_LON}, {"wage", UTFALL_INCOME_LON},
    {"studiemedel", UTFALL_INCOME_STUDIEMEDEL}, {"csn", UTFALL_INCOME_STUDIEMEDEL},
    {"study_allowance", UTFALL_INCOME_STUDIEMEDEL},
    {"ingen", UTFALL_INCOME_INGEN}, {"none", UTFALL_INCOME_INGEN},
    {"annan", UTFALL_INCOME_ANNAN}, {"other", UTFALL_INCOME_ANNAN},
};

int utfall_income_parse(const char *s, int *out)
{
    return parse_category(income_keys, UTFALL_INCOME_COUNT, income_aliases, COUNT(income_aliases),
                          s, out);
}

int utfall_income_parse_set(const char *s, int *first, unsigned *set)
{
    if (!utfall_income_parse(s, first)) {
        *set = 1u << *first;
        return 0;
    }
    /* several sources: split at +, &, ',' and the words och, samt, and */
    char buf[256];
    size_t n = 0;
    *set = 0;
    *first = -1;
    for (const char *p = s;; p++) {
        int sep = !*p || *p == '+' || *p == '&' || *p == ',';
        for (const char *const *w = (const char *const[]){" och ", " samt ", " and ", NULL};
             !sep && *w; w++)
            if (!strncmp(p, *w, strlen(*w))) {
                sep = 1;
                p += strlen(*w) - 1;
            }
        if (!sep) {
            if (n + 1 < sizeof buf)
                buf[n++] = *p;
            continue;
        }
        while (n && buf[n - 1] == ' ')
            n--;
        buf[n] = '\0';
        const char *part = buf + strspn(buf, " ");
        int v;
        if (!*part || utfall_income_parse(part, &v))
            return -1;
        if (*first < 0)
            *first = v;
        *set |= 1u << v;
        n = 0;
        if (!*p)
            break;
    }
    return *set ? 0 : -1;
}

void utfall_income_set_key(unsigned set, char *buf, size_t size)
{
    size_t n = 0;
    if (size)
        buf[0] = '\0';
    for (int i = 0; i < UTFALL_INCOME_COUNT; i++)
        if ((set >> i) & 1u) {
            int w = snprintf(buf + n, size > n ? size - n : 0, "%s%s", n ? "+" : "",
                             income_keys[i]);
            if (w < 0 || (size_t)w >= size - n)
                return;
            n += (size_t)w;
        }
}

/* Up to 15 significant digits: the value is N / 10^k with N and 10^k
 * exact doubles, and one IEEE division rounds correctly, so this gives
 * the very double strtod would.  Returns 0, or -1 to let strtod decide. */
static int number_parse_fast(const char *s, double *out)
{
    static const double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    const unsigned char *p = (const unsigned char *)s;
    int neg = *p == '-';
    p += neg || *p == '+';
    const unsigned char *start = p;
    uint64_t v = 0;
    unsigned d;
    while ((d = (unsigned)(*p - '0')) < 10) {
        v = v * 10 + d;
        p++;
    }
    size_t digits = (size_t)(p - start), frac = 0;
    if (*p == ',' || *p == '.') {
        const unsigned char *f = ++p;
        while ((d = (unsigned)(*p - '0')) < 10) {
            v = v * 10 + d;
            p++;
        }
        frac = (size_t)(p - f);
        digits += frac;
    }
    if (*p || !digits || digits > 15)
        return -1;
    double x = (double)v;
    if (frac)
        x /= pow10[frac];
    *out = neg ? -x : x;
    return 0;
}

int utfall_number_parse(const char *s, double *out)
{
    if (number_parse_fast(s, out) == 0)
        return 0;
    char buf[64];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof buf)
        return -1;
    int seen_digit = 0, seen_sep = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (isdigit((unsigned char)c)) {
            seen_digit = 1;
        } else if (c == ',' || c == '.') {
            if (seen_sep++)
                return -1;
            c = '.';
        } else if (!((c == '-' || c == '+') && i == 0)) {
            return -1;
        }
        buf[i] = c;
    }
    buf[n] = '\0';
    if (!seen_digit)
        return -1;
    char *end;
    double v = strtod(buf, &end);
    if (*end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

const char *utfall_age_band(int age)
{
    if (age < 0)
        return "";
    if (age < 16)
        return "<16";
    if (age <= 19)
        return "16-19";
    if (age <= 24)
        return "20-24";
    if (age <= 29)
        return "25-29";
    return "30+";
}
