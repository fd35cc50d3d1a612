/* Date columns: every form of utfall-extract(5)'s table of dates, and
 * the order of day and month learnt from each column's own values. */
#include <stdio.h>
#include <string.h>

#include "ingest/extract_internal.h"

/* How far the reading ahead goes for a value that tells day from month. */
#define MAX_READ_AHEAD 100000

static const utfall_field date_fields[] = {UTFALL_F_INSKRIVEN, UTFALL_F_AVSLUTAD,
                                           UTFALL_F_UPPFOLJD_TILL};
#define NDATES (sizeof date_fields / sizeof date_fields[0])

void extract_dates_reset(utfall_extract *x)
{
    for (size_t k = 0; k < NDATES; k++)
        memset(&x->dates[date_fields[k]], 0, sizeof x->dates[0]);
    recqueue_clear(&x->ahead);
    x->ahead_ended = 0;
}

static utfall_date_style style_of(const utfall_extract *x, utfall_field f)
{
    return x->opt.date_style[f];
}

/* A column whose order the values must tell, and have not told yet. */
static int open_question(const utfall_extract *x, utfall_field f)
{
    const struct date_column *d = &x->dates[f];
    return x->field_col[f] >= 0 && style_of(x, f) == UTFALL_DATES_AUTO && !d->order
           && !d->undecidable;
}

/* The value s of column f: 1 if it told the column's order (a number
 * over 12 can only be the day), 2 if it could be either, 0 if it says
 * nothing (not a day-and-month form, or no date either way). */
static int learn_order(utfall_extract *x, utfall_field f, const char *s, size_t n, long line)
{
    if (n == 10 && s[4] == '-')
        return 0;
    utfall_date_parts p;
    utfall_date_split(s, n, &p);
    if (p.shape != UTFALL_DATE_SHAPE_DM || p.short_year)
        return 0;
    int day_first = p.a > 12 && p.b <= 12, month_first = p.b > 12 && p.a <= 12;
    if (!day_first && !month_first)
        return p.a <= 12 && p.b <= 12 && p.a > 0 && p.b > 0 ? 2 : 0;
    struct date_column *d = &x->dates[f];
    d->order = day_first ? UTFALL_DATES_DMY : UTFALL_DATES_MDY;
    d->line = line;
    snprintf(d->value, sizeof d->value, "%.*s", (int)(n < 31 ? n : 31), s);
    extract_note(x, 0, x->columns[x->field_col[f]], UTFALL_EC_DATE_ORDER,
                 day_first ? "dates read day first (day/month/year), as '%s' on line %ld "
                             "shows; --date-format mdy reads them month first"
                           : "dates read month first (month/day/year), as '%s' on line %ld "
                             "shows; --date-format dmy reads them day first",
                 d->value, line);
    return 1;
}

/* Read ahead until every open question of the record's columns has an
 * answer, the file ends or the limit is reached; what stays open is
 * undecidable.  asked: the columns whose values needed an answer. */
static utfall_status read_ahead(utfall_extract *x, unsigned asked, utfall_error *err)
{
    if (recqueue_keep_current(&x->ahead, &x->rec))
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    unsigned open = asked;
    while (open && !x->ahead_ended && recqueue_held(&x->ahead) < MAX_READ_AHEAD) {
        const utfall_csv_record *r;
        int got = recqueue_read_ahead(&x->ahead, x->csv, &r);
        if (got == -3)
            return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
        if (got == 0 || got == -1) {
            x->ahead_ended = 1;
            break;
        }
        for (size_t k = 0; got == 1 && k < NDATES; k++) {
            utfall_field f = date_fields[k];
            long c = x->field_col[f];
            if (open_question(x, f) && (size_t)c < r->nfields
                && learn_order(x, f, r->fields[c], r->lengths[c], r->line) == 1)
                open &= ~(1u << k);
        }
    }
    for (size_t k = 0; k < NDATES; k++)
        if ((open >> k) & 1)
            x->dates[date_fields[k]].undecidable = 1;
    return UTFALL_OK;
}

utfall_status extract_dates_settle(utfall_extract *x, utfall_error *err)
{
    unsigned asked = 0;
    for (size_t k = 0; k < NDATES; k++) {
        utfall_field f = date_fields[k];
        if (!open_question(x, f))
            continue;
        long c = x->field_col[f];
        if ((size_t)c < x->rec.nfields
            && learn_order(x, f, x->rec.fields[c], x->rec.lengths[c], x->rec.line) == 2)
            asked |= 1u << k;
    }
    return asked ? read_ahead(x, asked, err) : UTFALL_OK;
}

static utfall_status date_error(utfall_extract *x, const utfall_csv_record *rec, utfall_field f,
                                int rc, const char *s, utfall_error *err);

/* A day-and-month value in its column's order. */
static int dm_date(utfall_extract *x, utfall_field f, const utfall_date_parts *p,
                   utfall_date *out)
{
    utfall_date_style style = style_of(x, f);
    int order = style == UTFALL_DATES_AUTO ? x->dates[f].order : (int)style;
    if (p->short_year)
        return -5;
    if (order != UTFALL_DATES_DMY && order != UTFALL_DATES_MDY)
        return style == UTFALL_DATES_AUTO ? -3 : -4;
    int rc = utfall_date_from_parts(p, order == UTFALL_DATES_DMY, out);
    return rc == -2 ? -8 : rc;
}

/* Excel's day number: read in style excel, and in auto when it has the
 * five digits of every day from 1927 to 2173 (said once per column). */
static int serial(utfall_extract *x, utfall_field f, const utfall_date_parts *p, utfall_date *out)
{
    utfall_date_style style = style_of(x, f);
    if (style != UTFALL_DATES_EXCEL && !(style == UTFALL_DATES_AUTO && p->b == 5))
        return -6;
    int rc = utfall_date_from_parts(p, 0, out);
    if (!rc && style == UTFALL_DATES_AUTO && !x->dates[f].serial_noted) {
        char iso[16];
        utfall_date_format(*out, iso, sizeof iso);
        x->dates[f].serial_noted = 1;
        extract_note(x, 0, x->columns[x->field_col[f]], UTFALL_EC_DATE_SERIAL,
                     "whole numbers such as %d read as Excel's day numbers (%d = %s); "
                     "--date-format iso refuses them",
                     p->a, p->a, iso);
    }
    return rc;
}

/* Any form but the ISO one the cache knows. */
static int parse_slow(utfall_extract *x, utfall_field f, const char *s, size_t n,
                      utfall_date *out)
{
    utfall_date_parts p;
    utfall_date_split(s, n, &p);
    if (p.time == 2)
        return -7;
    switch (p.shape) {
    case UTFALL_DATE_SHAPE_YMD:
        return utfall_date_from_parts(&p, 0, out);
    case UTFALL_DATE_SHAPE_DM:
        if (style_of(x, f) == UTFALL_DATES_ISO || style_of(x, f) == UTFALL_DATES_EXCEL)
            return -4;
        return dm_date(x, f, &p, out);
    case UTFALL_DATE_SHAPE_SERIAL:
        return serial(x, f, &p, out);
    default:
        return -1;
    }
}

utfall_status extract_parse_date(utfall_extract *x, const utfall_csv_record *rec, utfall_field f,
                                 utfall_date *out, utfall_error *err)
{
    const char *s = extract_field(x, rec, f);
    *out = UTFALL_DATE_NONE;
    if (!*s)
        return UTFALL_OK;
    /* An extract holds a few thousand distinct dates in millions of rows:
     * a valid ISO date seen before is looked up, not parsed again. */
    struct date_cache_entry *e = NULL;
    uint64_t lo = 0;
    uint16_t hi = 0;
    size_t n = rec->lengths[x->field_col[f]];
    if (n == 10) {
        memcpy(&lo, s, 8);
        hi = (uint16_t)((unsigned char)s[8] | (unsigned char)s[9] << 8);
        uint64_t h = (lo ^ hi) * 0x9e3779b97f4a7c15ull;
        e = &x->date_cache[h >> (64 - DATE_CACHE_BITS)];
        if (e->hi == hi && e->lo == lo) {
            *out = e->date;
            return UTFALL_OK;
        }
    }
    int rc = n == 10 && s[4] == '-' && s[7] == '-' ? utfall_date_parse(s, out)
                                                   : parse_slow(x, f, s, n, out);
    if (rc == 0 && e && s[4] == '-') {
        e->lo = lo;
        e->hi = hi; /* never 0 for a valid date: both bytes are digits */
        e->date = *out;
    }
    return rc == 0 ? UTFALL_OK : date_error(x, rec, f, rc, s, err);
}

static utfall_status date_error(utfall_extract *x, const utfall_csv_record *rec, utfall_field f,
                                int rc, const char *s, utfall_error *err)
{
    const char *col = x->columns[x->field_col[f]];
    const struct date_column *d = &x->dates[f];
    long line = rec->line;
    switch (rc) {
    case -8:
        if (style_of(x, f) != UTFALL_DATES_AUTO)
            return extract_fail(x, err, line, col, UTFALL_ERR_DATA, UTFALL_EC_IMPOSSIBLE_DATE,
                                "'%s' is not a date read as --date-format %s reads it", s,
                                utfall_date_style_name(style_of(x, f)));
        return extract_fail(x, err, line, col, UTFALL_ERR_DATA, UTFALL_EC_IMPOSSIBLE_DATE,
                            d->order == UTFALL_DATES_DMY
                                ? "'%s' is not a date read day first, as the column is read "
                                  "since '%s' on line %ld (if the column mixes the orders, "
                                  "correct the file)"
                                : "'%s' is not a date read month first, as the column is read "
                                  "since '%s' on line %ld (if the column mixes the orders, "
                                  "correct the file)",
                            s, d->value, d->line);
    case -2:
        return extract_fail(x, err, line, col, UTFALL_ERR_DATA, UTFALL_EC_IMPOSSIBLE_DATE,
                            "'%s' is not a valid date (no such day)", s);
    case -3:
        return extract_fail(x, err, line, col, UTFALL_ERR_DATA, UTFALL_EC_AMBIGUOUS_DATE,
                            "'%s' can be read day first or month first, and no date in the "
                            "column tells which (none has a number over 12 first or second): "
                            "give --date-format dmy (day first) or --date-format mdy",
                            s);
    case -4:
        return extract_fail(x, err, line, col, UTFALL_ERR_DATA, UTFALL_EC_BAD_DATE,
                            "'%s' is not written year first, as --date-format %s asks "
                            "(--date-format dmy or mdy reads it)",
                            s, utfall_date_style_name(style_of(x, f)));
    case -5:
        return extract_fail(x, err, line, col, UTFALL_ERR_DATA, UTFALL_EC_BAD_DATE,
                            "'%s' has a two-digit year: write the year in full", s);
    case -6:
        return extract_fail(x, err, line, col, UTFALL_ERR_DATA, UTFALL_EC_BAD_DATE,
                            "'%s' is not a date (--date-format excel reads Excel's day "
                            "numbers)",
                            s);
    case -7:
        return extract_fail(x, err, line, col, UTFALL_ERR_DATA, UTFALL_EC_BAD_DATE,
                            "'%s' has a time of day: a date is accepted, alone or at "
                            "midnight (00:00)",
                            s);
    default:
        return extract_fail(x, err, line, col, UTFALL_ERR_DATA, UTFALL_EC_BAD_DATE,
                            "'%s' is not a valid date (accepted: 2014-06-30, 20140630, "
                            "30/6/2014 and the forms in utfall-extract(5))",
                            s);
    }
}
