/* The ledger (utfall-ekonomi(5)) and its tables: budget and requisitions
 * per financier and year, per phase, and as requisitioned.
 *
 * The one decision a ledger forces is where an amount of a period that
 * crosses a year belongs: financiers differ (seed 000: Försäkringskassan
 * books January 2012 of its förstudie in its 2012 row, Arbetsförmedlingen
 * keeps the whole förstudie apart).  A report made from the ledger must
 * be consistent and say how it does it: every amount is shared out on the
 * calendar years in proportion to its months, and the notes name each
 * amount so shared. */
#include "utfall/ekonomi.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/pnr.h"
#include "utfall/vocab.h"
#include "core/internal.h"

enum lcol { L_FINANCIER, L_PHASE, L_FROM, L_TO, L_YEAR, L_BUDGET, L_SPENT, L_NOTE, L_COUNT };

/* Accepted headings, folded (lower case, å ä → a, ö → o); the first is the
 * one the man page names. */
static const char *const lcol_names[L_COUNT][5] = {
    [L_FINANCIER] = {"finansiar", "financier", "funder", NULL},
    [L_PHASE] = {"fas", "phase", NULL},
    [L_FROM] = {"fran", "from", "start", NULL},
    [L_TO] = {"till", "to", "slut", "end", NULL},
    [L_YEAR] = {"ar", "year", NULL},
    [L_BUDGET] = {"budget", "budgeterat", "budgeted", NULL},
    [L_SPENT] = {"rekvirerat", "utfall", "requisitioned", "spent", NULL},
    [L_NOTE] = {"anteckning", "kommentar", "note", "comment", NULL},
};

#define ACCEPTED_COLUMNS                                                                       \
    "finansiar, fas, fran, till, ar, budget, rekvirerat (or utfall), anteckning; or financier, " \
    "phase, from, to, year, budget, requisitioned (or spent), note"

struct ledger_reader {
    utfall_csv_reader *csv;
    utfall_csv_record rec;
    const char *name;
    int col[L_COUNT]; /* the field of each column, -1 = absent */
    char **header;    /* as written, for errors */
    size_t nheader;
    utfall_ledger *l;
    utfall_error *err;
};

static utfall_status nomem(utfall_error *err)
{
    return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
}

static utfall_status UTFALL_PRINTF(5, 6) fail(struct ledger_reader *rd, long line, int field,
                                              utfall_error_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    utfall_error_vset(rd->err, UTFALL_ERR_DATA, code, fmt, ap);
    va_end(ap);
    const char *column = field >= 0 && (size_t)field < rd->nheader ? rd->header[field] : NULL;
    utfall_error_locate(rd->err, rd->name, line, 0, column);
    return UTFALL_ERR_DATA;
}

static int lookup_column(const char *heading)
{
    char f[128];
    utfall_fold(heading, f, sizeof f);
    for (int k = 0; k < L_COUNT; k++)
        for (int i = 0; lcol_names[k][i]; i++)
            if (!strcmp(f, lcol_names[k][i]))
                return k;
    return -1;
}

static utfall_status read_header(struct ledger_reader *rd)
{
    int got = utfall_csv_next(rd->csv, &rd->rec, rd->err);
    if (got <= 0)
        return got == 0 ? fail(rd, 1, -1, UTFALL_EC_EMPTY_FILE, "the ledger is empty")
                        : (rd->err->status ? rd->err->status : UTFALL_ERR_DATA);
    const utfall_csv_record *rec = &rd->rec;
    if (!(rd->header = calloc(rec->nfields ? rec->nfields : 1, sizeof *rd->header)))
        return nomem(rd->err);
    for (size_t i = 0; i < rec->nfields; i++, rd->nheader++)
        if (!(rd->header[i] = strdup(rec->fields[i])))
            return nomem(rd->err);
    utfall_status st = UTFALL_OK;
    for (size_t i = 0; !st && i < rec->nfields; i++) {
        int k = lookup_column(rec->fields[i]);
        if (k < 0)
            st = fail(rd, rec->line, (int)i, UTFALL_EC_EKONOMI_UNKNOWN_COLUMN,
                      "unknown column (accepted: %s)", ACCEPTED_COLUMNS);
        else if (rd->col[k] >= 0)
            st = fail(rd, rec->line, (int)i, UTFALL_EC_DUPLICATE_COLUMN,
                      "the same column as '%s'", rd->header[rd->col[k]]);
        else
            rd->col[k] = (int)i;
    }
    if (st)
        return st;
    if (rd->col[L_FINANCIER] < 0 || (rd->col[L_FROM] < 0 && rd->col[L_YEAR] < 0)
        || (rd->col[L_BUDGET] < 0 && rd->col[L_SPENT] < 0))
        return fail(rd, rec->line, -1, UTFALL_EC_MISSING_COLUMN,
                    "a ledger needs the columns finansiar, fran (with till) or ar, and budget "
                    "or rekvirerat");
    return UTFALL_OK;
}

static const char *field(const struct ledger_reader *rd, int k)
{
    int i = rd->col[k];
    return i >= 0 && (size_t)i < rd->rec.nfields ? rd->rec.fields[i] : "";
}

/* "2011-08" (a month) or "2011" (its first or last month): months from
 * year 0, or -1. */
static int parse_month(const char *s, int last)
{
    int y = 0, m = 0, n = 0;
    if (strlen(s) == 4 && sscanf(s, "%4d%n", &y, &n) == 1 && n == 4)
        return y >= 1900 && y <= 2199 ? y * 12 + (last ? 11 : 0) : -1;
    if (strlen(s) == 7 && s[4] == '-' && sscanf(s, "%4d-%2d%n", &y, &m, &n) == 2 && n == 7
        && isdigit((unsigned char)s[5]))
        return y >= 1900 && y <= 2199 && m >= 1 && m <= 12 ? y * 12 + m - 1 : -1;
    return -1;
}

/* "28 174", "28174", "28 174 kr", "1 368 770,50", "-5 000": kronor. */
static int parse_amount(const char *s, double *out)
{
    char buf[64];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == ' ')
            continue;
        if (p[0] == 0xC2 && p[1] == 0xA0) { /* no-break space */
            p += 1;
            continue;
        }
        if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xAF || p[2] == 0x89)) { /* thin spaces */
            p += 2;
            continue;
        }
        if (n + 1 >= sizeof buf)
            return -1;
        buf[n++] = (char)*p;
    }
    buf[n] = '\0';
    if (n >= 2 && (buf[n - 2] == 'k' || buf[n - 2] == 'K') && (buf[n - 1] == 'r' || buf[n - 1] == 'R'))
        buf[n -= 2] = '\0';
    else if (n >= 2 && buf[n - 2] == ':' && buf[n - 1] == '-')
        buf[n -= 2] = '\0';
    double x;
    if (!n || utfall_number_parse(buf, &x) || !isfinite(x) || fabs(x) >= 1e13)
        return -1;
    *out = x;
    return 0;
}

/* An amount column: NAN when empty. */
static utfall_status read_amount(struct ledger_reader *rd, int k, double *out)
{
    const char *s = field(rd, k);
    *out = NAN;
    if (!*s)
        return UTFALL_OK;
    if (parse_amount(s, out))
        return fail(rd, rd->rec.line, rd->col[k], UTFALL_EC_EKONOMI_BAD_AMOUNT,
                    "'%s' is not an amount in kronor (write 28174, 28 174 or 28 174,50)", s);
    return UTFALL_OK;
}

/* fran/till, or ar: the row's months. */
static utfall_status read_period(struct ledger_reader *rd, utfall_ledger_entry *e)
{
    const char *from = field(rd, L_FROM), *to = field(rd, L_TO), *year = field(rd, L_YEAR);
    long line = rd->rec.line;
    if (*year && (*from || *to))
        return fail(rd, line, rd->col[L_YEAR], UTFALL_EC_EKONOMI_BAD_PERIOD,
                    "give the period either as ar or as fran and till, not both");
    if (!*year && !*from)
        return fail(rd, line, rd->col[L_FROM] >= 0 ? rd->col[L_FROM] : rd->col[L_YEAR],
                    UTFALL_EC_EKONOMI_BAD_MONTH, "the row has no period (fran, or ar)");
    int k = *year ? L_YEAR : L_FROM;
    e->from = parse_month(*year ? year : from, 0);
    if (e->from < 0 || (*year && strlen(year) != 4))
        return *year ? fail(rd, line, rd->col[k], UTFALL_EC_EKONOMI_BAD_MONTH,
                            "'%s' is not a year (write 2012)", year)
                     : fail(rd, line, rd->col[k], UTFALL_EC_EKONOMI_BAD_MONTH,
                            "'%s' is not a month (write 2011-08) or a year (2011)", from);
    e->to = parse_month(*year ? year : *to ? to : from, 1);
    if (e->to < 0)
        return fail(rd, line, rd->col[L_TO], UTFALL_EC_EKONOMI_BAD_MONTH,
                    "'%s' is not a month (write 2012-01) or a year (2012)", to);
    if (e->to < e->from)
        return fail(rd, line, rd->col[L_TO], UTFALL_EC_EKONOMI_BAD_PERIOD,
                    "the period ends (%s) before it starts (%s)", to, from);
    return UTFALL_OK;
}

static char *dup_field(const struct ledger_reader *rd, int k)
{
    return strdup(field(rd, k));
}

static utfall_status read_row(struct ledger_reader *rd)
{
    utfall_ledger *l = rd->l;
    utfall_status st;
    if (!*field(rd, L_FINANCIER))
        return fail(rd, rd->rec.line, rd->col[L_FINANCIER], UTFALL_EC_EKONOMI_NO_FINANCIER,
                    "the row names no financier");
    utfall_ledger_entry e = {.line = rd->rec.line};
    if ((st = read_period(rd, &e)) || (st = read_amount(rd, L_BUDGET, &e.budget))
        || (st = read_amount(rd, L_SPENT, &e.spent)))
        return st;
    if (isnan(e.budget) && isnan(e.spent))
        return fail(rd, rd->rec.line, rd->col[L_SPENT] >= 0 ? rd->col[L_SPENT] : rd->col[L_BUDGET],
                    UTFALL_EC_EKONOMI_NO_AMOUNT,
                    "the row has no amount (budget or rekvirerat)");
    if (UTFALL_GROW(l->rows, l->cap, l->n + 1))
        return nomem(rd->err);
    e.financier = dup_field(rd, L_FINANCIER);
    e.phase = dup_field(rd, L_PHASE);
    e.note = dup_field(rd, L_NOTE);
    l->rows[l->n++] = e; /* freed with the ledger, also when a strdup failed */
    return e.financier && e.phase && e.note ? UTFALL_OK : nomem(rd->err);
}

static utfall_status read_rows(struct ledger_reader *rd)
{
    int got;
    utfall_status st = UTFALL_OK;
    while (!st && (got = utfall_csv_next(rd->csv, &rd->rec, rd->err)) != 0) {
        if (got < 0)
            return rd->err->status ? rd->err->status : UTFALL_ERR_DATA;
        st = read_row(rd);
    }
    if (!st && rd->l->n == 0)
        st = fail(rd, utfall_csv_lines(rd->csv), -1, UTFALL_EC_NO_ROWS,
                  "the ledger has a header but no rows");
    return st;
}

utfall_status utfall_ledger_read(utfall_ledger **out, const char *path,
                                 const utfall_csv_options *csv, utfall_error *err)
{
    *out = NULL;
    struct ledger_reader rd = {.err = err};
    for (int k = 0; k < L_COUNT; k++)
        rd.col[k] = -1;
    const char *slash = strrchr(path, '/');
    utfall_status st = UTFALL_OK;
    if (!(rd.l = calloc(1, sizeof *rd.l)) || !(rd.l->name = strdup(slash ? slash + 1 : path)))
        st = nomem(err);
    /* the reader guards every field, the header too, against identity
     * numbers, naming the ledger and never the value */
    utfall_csv_options guarded = *csv;
    guarded.channel = "ledger";
    if (!st)
        st = utfall_csv_open(&rd.csv, path, &guarded, err);
    if (!st) {
        rd.name = utfall_csv_name(rd.csv);
        st = read_header(&rd);
    }
    if (!st)
        st = read_rows(&rd);
    if (st == UTFALL_ERR_DATA && rd.csv) {
        /* a file that holds a number is refused as such, whatever else is wrong */
        utfall_error found;
        utfall_error_clear(&found);
        if (utfall_csv_guard_rest(rd.csv, &found) == UTFALL_ERR_PRIVACY) {
            *err = found;
            st = UTFALL_ERR_PRIVACY;
        }
    }
    utfall_csv_close(rd.csv);
    for (size_t i = 0; i < rd.nheader; i++)
        free(rd.header[i]);
    free(rd.header);
    if (st) {
        utfall_ledger_free(rd.l);
        return st;
    }
    *out = rd.l;
    return UTFALL_OK;
}

void utfall_ledger_free(utfall_ledger *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->rows[i].financier);
        free(l->rows[i].phase);
        free(l->rows[i].note);
    }
    free(l->rows);
    free(l->name);
    free(l);
}

void utfall_ledger_totals(const utfall_ledger *l, double *budget, double *spent)
{
    double b = 0, s = 0;
    int any_budget = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (!isnan(l->rows[i].budget)) {
            b += l->rows[i].budget;
            any_budget = 1;
        }
        if (!isnan(l->rows[i].spent))
            s += l->rows[i].spent;
    }
    *budget = any_budget ? b : NAN;
    *spent = s;
}

size_t utfall_ledger_split_years(int from, int to, double amount, int *years, double *amounts,
                                 size_t max)
{
    int y0 = from / 12, y1 = to / 12;
    size_t n = 0;
    /* whole kronor unless the amount has öre; the parts add up exactly */
    double scale = amount == round(amount) ? 1 : 100;
    long long units = llabs(llround(amount * scale)), given = 0;
    long long total_months = to - from + 1;
    double rest[64];
    long long part[64];
    for (int y = y0; y <= y1 && n < max && n < 64; y++, n++) {
        int a = from > y * 12 ? from : y * 12, b = to < y * 12 + 11 ? to : y * 12 + 11;
        long long num = units * (long long)(b - a + 1);
        part[n] = num / total_months;
        rest[n] = (double)(num % total_months);
        given += part[n];
        years[n] = y;
    }
    /* what rounding down left, a unit each to the largest remainders */
    for (long long left = units - given; left > 0 && n > 0; left--) {
        size_t best = 0;
        for (size_t k = 1; k < n; k++)
            if (rest[k] > rest[best])
                best = k;
        part[best]++;
        rest[best] = -1;
    }
    for (size_t k = 0; k < n; k++)
        amounts[k] = (amount < 0 ? -1.0 : 1.0) * (double)part[k] / scale;
    return n;
}

static double part_of(double amount, int inside, int months)
{
    double scale = amount == round(amount) ? 1 : 100;
    return round(amount * scale * inside / months) / scale;
}

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

utfall_status utfall_ledger_restrict(const utfall_ledger *l, int from, int to, utfall_ledger **out,
                                     utfall_error *err)
{
    utfall_ledger *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r || !(r->name = dup_or_empty(l->name))) {
        free(r);
        return nomem(err);
    }
    for (size_t i = 0; i < l->n; i++) {
        const utfall_ledger_entry *e = &l->rows[i];
        int a = e->from > from ? e->from : from, b = e->to < to ? e->to : to;
        if (a > b)
            continue; /* wholly outside */
        int months = e->to - e->from + 1, inside = b - a + 1;
        utfall_ledger_entry c = *e;
        c.from = a;
        c.to = b;
        c.budget = isnan(e->budget) ? NAN : part_of(e->budget, inside, months);
        c.spent = isnan(e->spent) ? NAN : part_of(e->spent, inside, months);
        c.financier = dup_or_empty(e->financier);
        c.phase = dup_or_empty(e->phase);
        c.note = dup_or_empty(e->note);
        if (UTFALL_GROW(r->rows, r->cap, r->n + 1)) {
            free(c.financier);
            free(c.phase);
            free(c.note);
            utfall_ledger_free(r);
            return nomem(err);
        }
        r->rows[r->n++] = c;
        if (!c.financier || !c.phase || !c.note) {
            utfall_ledger_free(r);
            return nomem(err);
        }
    }
    *out = r;
    return UTFALL_OK;
}

void utfall_ledger_period(int from, int to, char *buf, size_t size)
{
    if (from == to)
        snprintf(buf, size, "%04d-%02d", from / 12, from % 12 + 1);
    else
        snprintf(buf, size, "%04d-%02d \xE2\x80\x93 %04d-%02d", from / 12, from % 12 + 1,
                 to / 12, to % 12 + 1); /* – */
}
