/* The identity-number guard (include/utfall/pnr.h): a normaliser that
 * reads the written forms of a number one character at a time, the date
 * and Luhn tests, and the one refusal of every input channel.
 *
 * This file depends on nothing but dates and errors (lib/core/date.c,
 * lib/core/error.c): the dispatcher links the three objects alone, to
 * guard a command name without loading the library. */
#include "utfall/pnr.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "utfall/date.h"

/* ---- characters -------------------------------------------------------- */

enum unit_kind { U_OTHER, U_DIGIT, U_SEP, U_IGNORE };

/* One character as the normaliser sees it.  value: a digit's value; for
 * a separator, 1 when it is a plus sign. */
struct unit {
    enum unit_kind kind;
    int value;
    size_t bytes;
};

/* The zeros of Unicode's decimal digits (general category Nd, Unicode
 * 15), each the first of ten consecutive digits. */
static const uint32_t digit_zeros[] = {
    0x0030,  0x0660,  0x06F0,  0x07C0,  0x0966,  0x09E6,  0x0A66,  0x0AE6,  0x0B66,  0x0BE6,
    0x0C66,  0x0CE6,  0x0D66,  0x0DE6,  0x0E50,  0x0ED0,  0x0F20,  0x1040,  0x1090,  0x17E0,
    0x1810,  0x1946,  0x19D0,  0x1A80,  0x1A90,  0x1B50,  0x1BB0,  0x1C40,  0x1C50,  0xA620,
    0xA8D0,  0xA900,  0xA9D0,  0xA9F0,  0xAA50,  0xABF0,  0xFF10,  0x104A0, 0x10D30, 0x11066,
    0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0,
    0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x11F50, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8,
    0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E950, 0x1FBF0};

struct range {
    uint32_t lo, hi;
};

/* What may stand between the date and the last four digits. */
static const struct range separators[] = {
    {0x00A0, 0x00A0}, /* no-break space */
    {0x1680, 0x1680}, /* ogham space mark */
    {0x2000, 0x200A}, /* en quad ... hair space (thin space, figure space) */
    {0x2010, 0x2015}, /* hyphen, non-breaking hyphen, figure dash, en dash, em dash, bar */
    {0x202F, 0x202F}, /* narrow no-break space */
    {0x2043, 0x2043}, /* hyphen bullet */
    {0x205F, 0x205F}, /* medium mathematical space */
    {0x207A, 0x207B}, /* superscript plus and minus */
    {0x208A, 0x208B}, /* subscript plus and minus */
    {0x2212, 0x2212}, /* minus sign */
    {0x2E3A, 0x2E3B}, /* two- and three-em dash */
    {0x3000, 0x3000}, /* ideographic space */
    {0xFE58, 0xFE58}, /* small em dash */
    {0xFE62, 0xFE63}, /* small plus, small hyphen-minus */
    {0xFF0B, 0xFF0B}, /* fullwidth plus */
    {0xFF0D, 0xFF0D}, /* fullwidth hyphen-minus */
};

/* What does not show, or only marks the character before it: skipped
 * anywhere among the digits. */
static const struct range ignorables[] = {
    {0x00AD, 0x00AD},   /* soft hyphen */
    {0x0300, 0x036F},   /* combining diacritical marks (a stroke through a digit) */
    {0x061C, 0x061C},   /* Arabic letter mark */
    {0x180E, 0x180E},   /* Mongolian vowel separator */
    {0x1AB0, 0x1AFF},   /* combining marks, extended */
    {0x1DC0, 0x1DFF},   /* combining marks, supplement */
    {0x200B, 0x200F},   /* zero-width space, non-joiner, joiner, direction marks */
    {0x202A, 0x202E},   /* direction embeddings and overrides */
    {0x2060, 0x206F},   /* word joiner, invisible operators, isolates */
    {0x20D0, 0x20FF},   /* combining marks for symbols (keycaps) */
    {0xFE00, 0xFE0F},   /* variation selectors */
    {0xFE20, 0xFE2F},   /* combining half marks */
    {0xFEFF, 0xFEFF},   /* zero-width no-break space (byte-order mark) */
    {0xE0000, 0xE0FFF}, /* tags, variation selectors supplement */
};

static int in_ranges(uint32_t cp, const struct range *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cp >= r[i].lo && cp <= r[i].hi)
            return 1;
    return 0;
}

/* A digit's value (superscript and subscript digits too, as NFKC folds
 * them), or -1. */
static int decimal_value(uint32_t cp)
{
    if (cp == 0x00B9)
        return 1;
    if (cp == 0x00B2 || cp == 0x00B3)
        return (int)(cp - 0x00B0);
    if (cp == 0x2070 || (cp >= 0x2074 && cp <= 0x2079))
        return (int)(cp - 0x2070);
    if (cp >= 0x2080 && cp <= 0x2089)
        return (int)(cp - 0x2080);
    size_t lo = 0, hi = sizeof digit_zeros / sizeof *digit_zeros;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (digit_zeros[mid] <= cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && cp - digit_zeros[lo - 1] < 10 ? (int)(cp - digit_zeros[lo - 1]) : -1;
}

/* The code point of the UTF-8 sequence at s; *bytes = 0 when it is not
 * one. */
static uint32_t decode_utf8(const unsigned char *s, size_t n, size_t *bytes)
{
    unsigned char c = s[0];
    size_t len = c >= 0xC2 && c <= 0xDF   ? 2
                 : c >= 0xE0 && c <= 0xEF ? 3
                 : c >= 0xF0 && c <= 0xF4 ? 4
                                          : 0;
    uint32_t cp = len == 2 ? c & 0x1Fu : len == 3 ? c & 0x0Fu : c & 0x07u;
    *bytes = 0;
    if (!len || n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))
        || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *bytes = len;
    return cp;
}

/* A byte that is not UTF-8, read as Windows-1252: its dashes, no-break
 * space, soft hyphen and superscript digits. */
static struct unit cp1252_unit(unsigned char c)
{
    if (c == 0x96 || c == 0x97 || c == 0xA0)
        return (struct unit){U_SEP, 0, 1};
    if (c == 0xAD)
        return (struct unit){U_IGNORE, 0, 1};
    if (c == 0xB9 || c == 0xB2 || c == 0xB3)
        return (struct unit){U_DIGIT, c == 0xB9 ? 1 : c - 0xB0, 1};
    return (struct unit){U_OTHER, 0, 1};
}

static struct unit unit_at(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        if ((unsigned)(c - '0') < 10u)
            return (struct unit){U_DIGIT, c - '0', 1};
        if (c == '-' || c == ' ' || c == '+')
            return (struct unit){U_SEP, c == '+', 1};
        return (struct unit){U_OTHER, 0, 1};
    }
    size_t bytes;
    uint32_t cp = decode_utf8(s, n, &bytes);
    if (!bytes)
        return cp1252_unit(c);
    int v = decimal_value(cp);
    if (v >= 0)
        return (struct unit){U_DIGIT, v, bytes};
    if (in_ranges(cp, separators, sizeof separators / sizeof *separators))
        return (struct unit){U_SEP,
                             cp == 0xFF0B || cp == 0xFE62 || cp == 0x207A || cp == 0x208A, bytes};
    if (in_ranges(cp, ignorables, sizeof ignorables / sizeof *ignorables))
        return (struct unit){U_IGNORE, 0, bytes};
    return (struct unit){U_OTHER, 0, bytes};
}

/* ---- numbers ----------------------------------------------------------- */

/* A number read: its 10 or 12 digits, whether a plus sign separated
 * them, and the byte after its last digit. */
struct pnr_match {
    int d[12];
    int n;
    int plus;
    size_t end;
};

static int luhn_ok(const int *d)
{
    int sum = 0;
    for (int i = 0; i < 10; i++) {
        int v = d[i] * (i % 2 == 0 ? 2 : 1);
        sum += v > 9 ? v - 9 : v;
    }
    return sum % 10 == 0;
}

/* A real date (the day plus 60 for a coordination number) and the check
 * digit; a 12-digit form begins with 18, 19 or 20. */
static int is_number(const int *d, int form)
{
    const int *t = d + (form - 10);
    int century = d[0] * 10 + d[1];
    int yy = t[0] * 10 + t[1], mm = t[2] * 10 + t[3], dd = t[4] * 10 + t[5];
    if (dd > 60)
        dd -= 60;
    if (form == 12 && (century < 18 || century > 20))
        return 0;
    int year = form == 12 ? century * 100 + yy : 2000 + yy;
    if (mm < 1 || mm > 12 || dd < 1 || dd > utfall_days_in_month(year, mm))
        return 0;
    return luhn_ok(t);
}

/* The run of digits that starts at s[i], folded: one group of up to three
 * separators after the sixth or eighth digit, invisible characters
 * anywhere.  1 when it is exactly a number's 10 or 12 digits and the
 * number is valid. */
static int match_at(const unsigned char *s, size_t len, size_t i, struct pnr_match *m)
{
    int n = 0, sep_at = -1, seps = 0, more = 0;
    m->plus = 0;
    m->end = i;
    while (i < len) {
        struct unit u = unit_at(s + i, len - i);
        if (u.kind == U_DIGIT) {
            if (n == 12) {
                more = 1;
                break;
            }
            m->d[n++] = u.value;
            m->end = i + u.bytes;
        } else if (u.kind == U_SEP && (n == 6 || n == 8) && (sep_at < 0 || sep_at == n)
                   && seps < 3) {
            sep_at = n;
            seps++;
            m->plus |= u.value;
        } else if (u.kind != U_IGNORE) {
            break;
        }
        i += u.bytes;
    }
    if (n == 12 && !more && sep_at != 6)
        m->n = 12;
    else if (n == 10 && sep_at != 8)
        m->n = 10;
    else
        return 0;
    return is_number(m->d, m->n);
}

/* The first number in s[0..len): it starts a run of digits. */
static int find_number(const char *s, size_t len, size_t *offset, struct pnr_match *m)
{
    const unsigned char *u = (const unsigned char *)s;
    int after_digit = 0;
    for (size_t i = 0; i < len;) {
        struct unit un = unit_at(u + i, len - i);
        if (un.kind == U_DIGIT && !after_digit && match_at(u, len, i, m)) {
            *offset = i;
            return 1;
        }
        if (un.kind != U_IGNORE)
            after_digit = un.kind == U_DIGIT;
        i += un.bytes;
    }
    return 0;
}

int utfall_pnr_find(const char *s, size_t len, size_t *offset, size_t *length)
{
    struct pnr_match m;
    size_t off;
    if (!utfall_pnr_candidate(s, len) || !find_number(s, len, &off, &m))
        return 0;
    if (offset)
        *offset = off;
    if (length)
        *length = m.end - off;
    return 1;
}

int utfall_pnr_normalize(const char *s, size_t len, utfall_date today, char out[13])
{
    struct pnr_match m;
    size_t off;
    if (!utfall_pnr_candidate(s, len) || !find_number(s, len, &off, &m))
        return -1;
    const int *t = m.d + (m.n - 10);
    int year;
    if (m.n == 12) {
        year = (m.d[0] * 10 + m.d[1]) * 100 + t[0] * 10 + t[1];
    } else {
        int ty, tm, td;
        utfall_date_to_ymd(today, &ty, &tm, &td);
        int yy = t[0] * 10 + t[1], mm = t[2] * 10 + t[3], dd = t[4] * 10 + t[5];
        if (dd > 60)
            dd -= 60;
        /* the latest year ending in yy whose birthday is not after today */
        year = ty - ((ty - yy) % 100 + 100) % 100;
        if (year == ty && (mm > tm || (mm == tm && dd > td)))
            year -= 100;
        if (m.plus)
            year -= 100;
    }
    out[0] = (char)('0' + year / 1000 % 10);
    out[1] = (char)('0' + year / 100 % 10);
    for (int i = 0; i < 10; i++)
        out[2 + i] = (char)('0' + t[i]);
    out[12] = '\0';
    return 0;
}

/* ---- the guard --------------------------------------------------------- */

static const char refusal[] = "%s%scontains a personal identity number (at character %ld); "
                              "refusing the %s (the value is not shown%s)";

/* A piece of the refusal in Swedish (messages.def), or the piece. */
static const char *sv_piece(const char *en)
{
    const char *sv = utfall_error_text_sv(UTFALL_EC_PERSONAL_NUMBER, en);
    return sv ? sv : en;
}

/* "header field 5", "option --by", "argument 2 (an input file name)" in
 * Swedish: the words translated, the number and the option kept. */
static void sv_place(const char *place, char *buf, size_t size)
{
    static const char *const words[] = {"the file name", "header field ", "field ", "argument ",
                                        "option "};
    static const char file_arg[] = " (an input file name)";
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i]);
        if (strncmp(place, words[i], n))
            continue;
        const char *rest = place + n, *paren = strstr(rest, file_arg);
        int keep = paren ? (int)(paren - rest) : (int)strlen(rest);
        snprintf(buf, size, "%s%.*s%s", sv_piece(words[i]), keep, rest,
                 paren ? sv_piece(file_arg) : "");
        return;
    }
    snprintf(buf, size, "%s", place);
}

/* The refusal's Swedish, from Swedish pieces: the channel in the definite
 * form, the place, the hint. */
static void refusal_sv(utfall_error *err, const utfall_guard_site *site, long at,
                       const char *channel, const char *hint)
{
    const char *fmt = utfall_error_text_sv(UTFALL_EC_PERSONAL_NUMBER, refusal);
    if (!fmt)
        return;
    char place[160] = "";
    if (site->place)
        sv_place(site->place, place, sizeof place);
    snprintf(err->text_sv, sizeof err->text_sv, fmt, place, site->place ? " " : "", at,
             sv_piece(channel), hint[0] ? sv_piece(hint) : "");
}

utfall_status utfall_guard(const char *s, size_t len, const utfall_guard_site *site,
                           utfall_error *err)
{
    size_t off;
    if (!utfall_pnr_find(s, len, &off, NULL))
        return UTFALL_OK;
    long at = 1;
    for (size_t i = 0; i < off; i++)
        at += ((unsigned char)s[i] & 0xC0) != 0x80;
    const utfall_guard_site none = {0};
    if (!site)
        site = &none;
    /* a file's contents can be pseudonymised; a name or an option is
     * simply written otherwise */
    static const char hint[] = "; utfall pseudonymize replaces such numbers by pseudonyms";
    const char *channel = site->channel ? site->channel : "input";
    utfall_error_set(err, UTFALL_ERR_PRIVACY, UTFALL_EC_PERSONAL_NUMBER, refusal,
                     site->place ? site->place : "", site->place ? " " : "", at, channel,
                     site->file ? hint : "");
    refusal_sv(err, site, at, channel, site->file ? hint : "");
    utfall_error_locate(err, site->file, site->line, 0, site->column);
    return UTFALL_ERR_PRIVACY;
}
