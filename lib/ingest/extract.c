#include "utfall/extract.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/pnr.h"
#include "core/internal.h"

struct utfall_colref {
    char name[128];
    enum { REF_FIELD, REF_FIL, REF_YEAR, REF_QUARTER, REF_AGEBAND, REF_STATUS, REF_EXTRA } kind;
    int field;
    size_t cached_file; /* file the index below belongs to, +1; 0 = none */
    long index;         /* column index in that file, -1 absent */
    utfall_extract *x;
};

#define DATE_CACHE_BITS 12

struct outcome_map_entry {
    char *folded;
    int outcome;
};

struct utfall_extract {
    utfall_extract_options opt;
    const char *const *paths;
    size_t npaths, cur;
    utfall_csv_reader *csv;
    char file_base[UTFALL_ERROR_NAME_MAX];
    char **columns;
    int *column_field;
    size_t ncolumns;
    long field_col[UTFALL_F_COUNT];
    int header_written_to_rejects;
    int transcoding_announced;
    long rows_in_file;
    const utfall_csv_record *cur_rec;
    utfall_csv_record rec; /* the current record: rows point into it */
    utfall_extract_stats stats;
    utfall_row_filter_fn filter; /* the caller's, NULL = every row */
    void *filter_ctx;

    struct outcome_map_entry *omap;
    size_t nomap, omap_cap;

    struct date_cache_entry {
        uint64_t lo;
        uint16_t hi; /* 0 = empty */
        utfall_date date;
    } *date_cache; /* 1 << DATE_CACHE_BITS entries */

    utfall_hashset *rows_seen; /* hashes of whole rows, with detect_duplicates */

    /* episodes per id, for overlap warnings (with detect_duplicates) */
    struct episode {
        uint64_t id_hash;
        utfall_date from, to; /* to = UTFALL_DATE_NONE: still active */
        long line;
        size_t file;
        long next; /* the same id's previous episode, -1 = none */
    } *episodes;
    size_t nepisodes, episodes_cap;
    long *episode_slots; /* open addressing by id hash: latest episode index + 1 */
    size_t episode_slots_cap;
};

void utfall_extract_options_init(utfall_extract_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->today = UTFALL_DATE_NONE;
}

static void free_columns(utfall_extract *x)
{
    for (size_t i = 0; i < x->ncolumns; i++)
        free(x->columns[i]);
    free(x->columns);
    free(x->column_field);
    x->columns = NULL;
    x->column_field = NULL;
    x->ncolumns = 0;
}

void utfall_extract_close(utfall_extract *x)
{
    if (!x)
        return;
    utfall_csv_close(x->csv);
    free_columns(x);
    for (size_t i = 0; i < x->nomap; i++)
        free(x->omap[i].folded);
    free(x->omap);
    utfall_hashset_free(x->rows_seen);
    free(x->episodes);
    free(x->episode_slots);
    free(x->date_cache);
    free(x);
}

static void diag(utfall_extract *x, const utfall_error *e)
{
    if (x->opt.diag)
        x->opt.diag(x->opt.diag_ctx, e);
}

static utfall_status load_outcome_map(utfall_extract *x, utfall_error *err)
{
    utfall_csv_reader *r;
    utfall_csv_options co = {0};
    utfall_status st = utfall_csv_open(&r, x->opt.outcome_map_path, &co, err);
    if (st)
        return st;
    utfall_csv_record rec;
    int got;
    while ((got = utfall_csv_next(r, &rec, err)) == 1) {
        if (rec.record == 1)
            continue; /* header */
        if (rec.nfields < 2) {
            utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_OUTCOME_MAP_SHAPE,
                             "expected two columns: the value as written, and an outcome key");
            utfall_error_locate(err, utfall_csv_name(r), rec.line, 0, NULL);
            utfall_csv_close(r);
            return UTFALL_ERR_DATA;
        }
        int o;
        if (utfall_outcome_parse(rec.fields[1], &o)) {
            utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_UNKNOWN_OUTCOME,
                             "'%s' is not an outcome key (accepted: arbete, arbete_med_stod, "
                             "studier, arbetssokande, praktik, annan_insats, vard, "
                             "foraldraledighet, flytt, ej_kontaktbar, avbrott, annat)",
                             rec.fields[1]);
            utfall_error_locate(err, utfall_csv_name(r), rec.line, 0, NULL);
            utfall_csv_close(r);
            return UTFALL_ERR_DATA;
        }
        char folded[256];
        utfall_fold(rec.fields[0], folded, sizeof folded);
        if (UTFALL_GROW(x->omap, x->omap_cap, x->nomap + 1)
            || !(x->omap[x->nomap].folded = strdup(folded))) {
            utfall_csv_close(r);
            return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
        }
        x->omap[x->nomap++].outcome = o;
    }
    utfall_csv_close(r);
    return got < 0 ? err->status : UTFALL_OK;
}

static const char *base_name(const char *path)
{
    if (!strcmp(path, "-"))
        return "stdin";
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static utfall_status fail_at(utfall_extract *x, utfall_error *err, long line, const char *column,
                             utfall_status st, utfall_error_code code, const char *fmt, ...)
    UTFALL_PRINTF(7, 8);
static utfall_status fail_at(utfall_extract *x, utfall_error *err, long line, const char *column,
                             utfall_status st, utfall_error_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    utfall_error_vset(err, st, code, fmt, ap);
    va_end(ap);
    long record = 0;
    /* a quoted newline earlier in the file makes lines and records differ */
    if (x->cur_rec && x->cur_rec->line == line && x->cur_rec->line != x->cur_rec->record)
        record = x->cur_rec->record - 1;
    utfall_error_locate(err, utfall_csv_name(x->csv), line, record, column);
    return st;
}

/* Open file x->cur and read its header into rec, with room for its
 * columns. */
static utfall_status read_header(utfall_extract *x, utfall_csv_record *rec, utfall_error *err)
{
    utfall_status st = utfall_csv_open(&x->csv, x->paths[x->cur], &x->opt.csv, err);
    if (st)
        return st;
    snprintf(x->file_base, sizeof x->file_base, "%s", base_name(x->paths[x->cur]));
    x->stats.files++;
    x->header_written_to_rejects = 0;
    x->transcoding_announced = 0;
    x->rows_in_file = 0;
    x->cur_rec = NULL;
    int got = utfall_csv_next(x->csv, rec, err);
    if (got < 0)
        return err->status;
    if (got == 0)
        return fail_at(x, err, 0, NULL, UTFALL_ERR_DATA, UTFALL_EC_EMPTY_FILE,
                       "the file is empty (expected a header line and data rows)");
    free_columns(x);
    x->columns = calloc(rec->nfields, sizeof *x->columns);
    x->column_field = calloc(rec->nfields, sizeof *x->column_field);
    if (!x->columns || !x->column_field)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    x->ncolumns = rec->nfields;
    for (int f = 0; f < UTFALL_F_COUNT; f++)
        x->field_col[f] = -1;
    return UTFALL_OK;
}

/* The field named left of the '=' of a --map entry "canonical=Header", or
 * -1; *header is what follows the '=', NULL when there is none. */
static int map_entry(const char *entry, const char **header)
{
    const char *eq = strchr(entry, '=');
    *header = eq ? eq + 1 : NULL;
    if (!eq)
        return -1;
    char canon[64];
    size_t n = (size_t)(eq - entry);
    if (n >= sizeof canon)
        n = sizeof canon - 1;
    memcpy(canon, entry, n);
    canon[n] = '\0';
    return utfall_field_lookup(canon);
}

/* The field a header stands for, -1 for an extra column.  --map
 * canonical=Header wins over the built-in aliases (the last entry naming
 * the header decides), and a header whose field --map gave to another
 * header stays an extra column. */
static int header_field(const utfall_extract *x, const char *name)
{
    const char *header;
    int f = -1;
    for (size_t m = 0; m < x->opt.nmap; m++) {
        int mapped = map_entry(x->opt.map[m], &header);
        if (header && !strcmp(header, name))
            f = mapped;
    }
    if (f >= 0)
        return f;
    f = utfall_field_lookup(name);
    for (size_t m = 0; f >= 0 && m < x->opt.nmap; m++)
        if (map_entry(x->opt.map[m], &header) == f)
            return -1;
    return f;
}

static utfall_status refuse_header_numbers(utfall_extract *x, const utfall_csv_record *rec,
                                           utfall_error *err)
{
    for (size_t i = 0; i < rec->nfields; i++)
        if (utfall_pnr_find(rec->fields[i], rec->lengths[i], NULL, NULL))
            return fail_at(x, err, rec->line, NULL, UTFALL_ERR_PRIVACY, UTFALL_EC_PERSONAL_NUMBER,
                           "header field %zu contains a personal identity number; refusing "
                           "the file (the value is not shown)",
                           i + 1);
    return UTFALL_OK;
}

/* Keep header column i and map it to its field. */
static utfall_status map_column(utfall_extract *x, const utfall_csv_record *rec, size_t i,
                                utfall_error *err)
{
    const char *name = rec->fields[i];
    x->columns[i] = strdup(name);
    if (!x->columns[i])
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    int f = header_field(x, name);
    if (f >= 0 && x->field_col[f] >= 0)
        return fail_at(x, err, rec->line, name, UTFALL_ERR_DATA, UTFALL_EC_DUPLICATE_COLUMN,
                       "is the same field as column %ld ('%s'): %s appears twice "
                       "(rename one, or use --map %s=HEADER to choose)",
                       x->field_col[f] + 1, x->columns[x->field_col[f]],
                       utfall_field_name((utfall_field)f), utfall_field_name((utfall_field)f));
    for (size_t j = 0; f < 0 && j < i; j++)
        if (x->columns[j] && !strcmp(x->columns[j], name))
            return fail_at(x, err, rec->line, name, UTFALL_ERR_DATA, UTFALL_EC_DUPLICATE_COLUMN,
                           "the header names this column twice");
    x->column_field[i] = f;
    if (f >= 0)
        x->field_col[f] = (long)i;
    return UTFALL_OK;
}

/* --map naming a header that is not there is a mistake worth saying. */
static utfall_status check_map_used(utfall_extract *x, long line, utfall_error *err)
{
    for (size_t m = 0; m < x->opt.nmap; m++) {
        const char *header;
        map_entry(x->opt.map[m], &header);
        int found = 0;
        for (size_t i = 0; header && i < x->ncolumns; i++)
            found |= !strcmp(header, x->columns[i]);
        if (!found)
            return fail_at(x, err, line, NULL, UTFALL_ERR_DATA, UTFALL_EC_MAP_NO_COLUMN,
                           "--map %s: the header has no column '%s'", x->opt.map[m],
                           header ? header : "");
    }
    return UTFALL_OK;
}

static utfall_status check_required(utfall_extract *x, long line, utfall_error *err)
{
    static const struct {
        utfall_field field;
        const char *aliases;
    } required[] = {{UTFALL_F_ID, "id, lopnr, deltagar_id"},
                    {UTFALL_F_INSKRIVEN, "inskriven, inskrivningsdatum, startdatum"}};
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
        if (x->field_col[required[k].field] < 0)
            return fail_at(x, err, line, NULL, UTFALL_ERR_DATA, UTFALL_EC_MISSING_COLUMN,
                           "required column '%s' is missing (accepted headers include %s; "
                           "or use --map %s=HEADER)",
                           utfall_field_name(required[k].field), required[k].aliases,
                           utfall_field_name(required[k].field));
    return UTFALL_OK;
}

/* Read the header of file x->cur and map its columns. */
static utfall_status open_file(utfall_extract *x, utfall_error *err)
{
    utfall_csv_record rec = {0};
    utfall_status st = read_header(x, &rec, err);
    /* before any mapping error: the sweep after one does not look back
     * at the header */
    if (!st)
        st = refuse_header_numbers(x, &rec, err);
    for (size_t i = 0; !st && i < rec.nfields; i++)
        st = map_column(x, &rec, i, err);
    if (!st)
        st = check_map_used(x, rec.line, err);
    if (!st)
        st = check_required(x, rec.line, err);
    return st;
}

/* A data error stops the run, but a personal identity number anywhere in
 * the input must still refuse it (exit status 3) whatever else is wrong:
 * look through the rest of this file and the files after it as plain
 * text.  The data error is still reported, through the diagnostics
 * callback, before the refusal replaces it. */
static utfall_status privacy_sweep(utfall_extract *x, utfall_error *err)
{
    if (err->status != UTFALL_ERR_DATA)
        return err->status;
    long line = 0;
    size_t file = x->cur;
    int found = x->csv ? utfall_csv_scan_pnr(x->csv, &line) : 0;
    while (found != 1 && ++file < x->npaths) {
        utfall_csv_reader *r = NULL;
        utfall_error ignored;
        utfall_error_clear(&ignored);
        if (utfall_csv_open(&r, x->paths[file], &x->opt.csv, &ignored))
            continue;
        found = utfall_csv_scan_pnr(r, &line);
        if (found == 1) {
            utfall_error first = *err;
            diag(x, &first);
            utfall_pnr_refuse(err, utfall_csv_name(r), line, NULL);
        }
        utfall_csv_close(r);
    }
    if (found == 1 && file == x->cur) {
        utfall_error first = *err;
        diag(x, &first);
        utfall_pnr_refuse(err, utfall_csv_name(x->csv), line, NULL);
    }
    return err->status;
}

utfall_status utfall_extract_open(utfall_extract **out, const char *const *paths, size_t npaths,
                                  const utfall_extract_options *opt, utfall_error *err)
{
    *out = NULL;
    utfall_extract *x = calloc(1, sizeof *x);
    if (!x)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    if (opt)
        x->opt = *opt;
    else
        utfall_extract_options_init(&x->opt);
    x->paths = paths;
    x->npaths = npaths;
    utfall_status st = UTFALL_OK;
    x->date_cache = calloc((size_t)1 << DATE_CACHE_BITS, sizeof *x->date_cache);
    if (!x->date_cache)
        st = utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    else if (npaths == 0)
        st = utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_NO_INPUT, "no input file given");
    if (!st && x->opt.outcome_map_path)
        st = load_outcome_map(x, err);
    if (!st && (st = open_file(x, err)) != UTFALL_OK)
        st = privacy_sweep(x, err);
    if (st) {
        utfall_extract_close(x);
        return st;
    }
    *out = x;
    return UTFALL_OK;
}

/* The whole row, eight bytes at a time (every row passes here when
 * duplicates are looked for), then a splitmix64 finish for the low bits
 * that index the table. */
static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ull;
        h ^= h >> 29;
    }
    uint64_t w = 0;
    memcpy(&w, s + i, n - i);
    h = (h ^ w) * 0x9e3779b97f4a7c15ull;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h ? h : 1;
}

/* Remember the row's episode; return the index of an earlier episode of
 * the same id that overlaps it, or -1.  Out of memory only stops looking. */
static long episode_overlap(utfall_extract *x, const utfall_row *row)
{
    uint64_t h = hash_bytes(row->id, strlen(row->id));
    if (x->nepisodes * 2 >= x->episode_slots_cap) {
        size_t ncap = x->episode_slots_cap ? x->episode_slots_cap * 2 : 1024;
        long *n = calloc(ncap, sizeof *n);
        if (!n)
            return -1;
        for (size_t i = 0; i < x->episode_slots_cap; i++) {
            long e = x->episode_slots[i];
            if (!e)
                continue;
            size_t j = x->episodes[e - 1].id_hash & (ncap - 1);
            while (n[j])
                j = (j + 1) & (ncap - 1);
            n[j] = e;
        }
        free(x->episode_slots);
        x->episode_slots = n;
        x->episode_slots_cap = ncap;
    }
    if (UTFALL_GROW(x->episodes, x->episodes_cap, x->nepisodes + 1))
        return -1;
    size_t j = h & (x->episode_slots_cap - 1);
    while (x->episode_slots[j] && x->episodes[x->episode_slots[j] - 1].id_hash != h)
        j = (j + 1) & (x->episode_slots_cap - 1);
    long prev = x->episode_slots[j] - 1, found = -1;
    utfall_date to = row->avslutad == UTFALL_DATE_NONE ? INT32_MAX : row->avslutad;
    for (long e = prev; e >= 0 && found < 0; e = x->episodes[e].next) {
        utfall_date eto = x->episodes[e].to == UTFALL_DATE_NONE ? INT32_MAX : x->episodes[e].to;
        /* a new enrolment on the day of an exit is a re-enrolment, not an overlap */
        if (row->inskriven < eto && x->episodes[e].from < to)
            found = e;
    }
    x->episodes[x->nepisodes] = (struct episode){h, row->inskriven, row->avslutad, row->line,
                                                 row->file_index, prev};
    x->episode_slots[j] = (long)++x->nepisodes;
    return found;
}

static void warn_at(utfall_extract *x, long line, const char *column, utfall_error_code code,
                    const char *fmt, ...) UTFALL_PRINTF(5, 6);
static void warn_at(utfall_extract *x, long line, const char *column, utfall_error_code code,
                    const char *fmt, ...)
{
    utfall_error w;
    utfall_error_clear(&w);
    va_list ap;
    va_start(ap, fmt);
    utfall_error_vset(&w, UTFALL_OK, code, fmt, ap);
    va_end(ap);
    w.severity = UTFALL_SEV_WARNING;
    utfall_error_locate(&w, utfall_csv_name(x->csv), line, 0, column);
    x->stats.warnings++;
    diag(x, &w);
}

static const char *field_text(const utfall_extract *x, const utfall_csv_record *rec,
                              utfall_field f)
{
    long c = x->field_col[f];
    return c >= 0 ? rec->fields[c] : "";
}

static utfall_status parse_date_field(utfall_extract *x, const utfall_csv_record *rec,
                                      utfall_field f, utfall_date *out, utfall_error *err)
{
    const char *s = field_text(x, rec, f);
    *out = UTFALL_DATE_NONE;
    if (!*s)
        return UTFALL_OK;
    /* An extract holds a few thousand distinct dates in millions of rows:
     * a valid ISO date seen before is looked up, not parsed again. */
    struct date_cache_entry *e = NULL;
    uint64_t lo = 0;
    uint16_t hi = 0;
    if (rec->lengths[x->field_col[f]] == 10) {
        memcpy(&lo, s, 8);
        hi = (uint16_t)((unsigned char)s[8] | (unsigned char)s[9] << 8);
        uint64_t h = (lo ^ hi) * 0x9e3779b97f4a7c15ull;
        e = &x->date_cache[h >> (64 - DATE_CACHE_BITS)];
        if (e->hi == hi && e->lo == lo) {
            *out = e->date;
            return UTFALL_OK;
        }
    }
    int rc = utfall_date_parse(s, out);
    if (rc == 0 && e) {
        e->lo = lo;
        e->hi = hi; /* never 0 for a valid date: both bytes are digits */
        e->date = *out;
    }
    if (rc == 0)
        return UTFALL_OK;
    return fail_at(x, err, rec->line, x->columns[x->field_col[f]], UTFALL_ERR_DATA,
                   rc == -2 ? UTFALL_EC_IMPOSSIBLE_DATE : UTFALL_EC_BAD_DATE,
                   rc == -2 ? "'%s' is not a valid date (no such day)"
                            : "'%s' is not a valid date (accepted: 2014-06-30 or 20140630)",
                   s);
}

/* "0" to "9999": the usual hours and years, without the general parser.
 * Returns the value, or -1 for anything else. */
static inline int plain_small_int(const char *s)
{
    int v = 0;
    for (int i = 0; i < 5; i++) {
        unsigned d = (unsigned)((unsigned char)s[i] - '0');
        if (d >= 10)
            return s[i] || i == 0 ? -1 : v;
        v = v * 10 + (int)d;
    }
    return -1;
}

static utfall_status parse_hours(utfall_extract *x, const utfall_csv_record *rec, utfall_field f,
                                 double *out, utfall_error *err)
{
    const char *s = field_text(x, rec, f);
    *out = NAN;
    if (!*s)
        return UTFALL_OK;
    int small = plain_small_int(s);
    if (small >= 0 && small <= 168) {
        *out = small;
        return UTFALL_OK;
    }
    if (utfall_number_parse(s, out))
        return fail_at(x, err, rec->line, x->columns[x->field_col[f]], UTFALL_ERR_DATA,
                       UTFALL_EC_BAD_NUMBER, "'%s' is not a number (accepted: 9,5 or 9.5)", s);
    if (*out < 0 || *out > 168)
        return fail_at(x, err, rec->line, x->columns[x->field_col[f]], UTFALL_ERR_DATA,
                       UTFALL_EC_HOURS_RANGE, "%s hours a week is outside 0-168", s);
    return UTFALL_OK;
}

static utfall_status parse_int(utfall_extract *x, const utfall_csv_record *rec, utfall_field f,
                               int lo, int hi, int *out, utfall_error *err)
{
    const char *s = field_text(x, rec, f);
    double v;
    *out = -1;
    if (!*s)
        return UTFALL_OK;
    int small = plain_small_int(s);
    if (small >= lo && small <= hi) {
        *out = small;
        return UTFALL_OK;
    }
    if (utfall_number_parse(s, &v) || !(v >= lo && v <= hi) || v != (double)(int)v)
        return fail_at(x, err, rec->line, x->columns[x->field_col[f]], UTFALL_ERR_DATA,
                       UTFALL_EC_BAD_INTEGER, "'%s' is not a whole number from %d to %d", s, lo, hi);
    *out = (int)v;
    return UTFALL_OK;
}

static utfall_status parse_outcome_field(utfall_extract *x, const utfall_csv_record *rec,
                                         int *out, utfall_error *err)
{
    const char *s = field_text(x, rec, UTFALL_F_AVSLUTSORSAK);
    *out = UTFALL_OUTCOME_NONE;
    if (!*s)
        return UTFALL_OK;
    if (x->nomap) {
        char folded[256];
        utfall_fold(s, folded, sizeof folded);
        for (size_t i = 0; i < x->nomap; i++)
            if (!strcmp(x->omap[i].folded, folded)) {
                *out = x->omap[i].outcome;
                return UTFALL_OK;
            }
    }
    if (utfall_outcome_parse(s, out) == 0)
        return UTFALL_OK;
    return fail_at(x, err, rec->line, x->columns[x->field_col[UTFALL_F_AVSLUTSORSAK]],
                   UTFALL_ERR_DATA, UTFALL_EC_UNKNOWN_OUTCOME,
                   "unknown exit outcome '%s' (accepted: arbete, arbete_med_stod, studier, "
                   "arbetssokande, praktik, annan_insats, vard, foraldraledighet, flytt, "
                   "ej_kontaktbar, avbrott, annat; map others with --outcome-map FILE)",
                   s);
}

static utfall_status parse_income_field(utfall_extract *x, const utfall_csv_record *rec,
                                        utfall_field f, int *out, utfall_error *err)
{
    const char *s = field_text(x, rec, f);
    *out = UTFALL_INCOME_NONE;
    if (!*s || utfall_income_parse(s, out) == 0)
        return UTFALL_OK;
    return fail_at(x, err, rec->line, x->columns[x->field_col[f]], UTFALL_ERR_DATA,
                   UTFALL_EC_UNKNOWN_INCOME,
                   "unknown income source '%s' (accepted: aktivitetsersattning, sjukersattning, "
                   "sjukpenning, forsorjningsstod, a_kassa, aktivitetsstod, lon, studiemedel, "
                   "ingen, annan)",
                   s);
}

static void start_row(utfall_extract *x, const utfall_csv_record *rec, utfall_row *row)
{
    memset(row, 0, sizeof *row);
    x->cur_rec = rec;
    row->record = rec;
    row->line = rec->line;
    row->file_index = x->cur;
    row->file_base = x->file_base;
}

static utfall_status refuse_identity_numbers(utfall_extract *x, const utfall_csv_record *rec,
                                             utfall_error *err)
{
    for (size_t i = 0; i < rec->nfields; i++)
        if (utfall_pnr_candidate(rec->fields[i], rec->lengths[i])
            && utfall_pnr_find(rec->fields[i], rec->lengths[i], NULL, NULL))
            return utfall_pnr_refuse(err, utfall_csv_name(x->csv), rec->line, x->columns[i]);
    return UTFALL_OK;
}

static utfall_status parse_person(utfall_extract *x, const utfall_csv_record *rec, utfall_row *row,
                                  utfall_error *err)
{
    row->id = field_text(x, rec, UTFALL_F_ID);
    if (!*row->id)
        return fail_at(x, err, rec->line, x->columns[x->field_col[UTFALL_F_ID]],
                       UTFALL_ERR_DATA, UTFALL_EC_MISSING_ID, "the id is empty (every row needs one)");
    if (x->field_col[UTFALL_F_KON] >= 0
        && utfall_kon_parse(field_text(x, rec, UTFALL_F_KON), &row->kon))
        return fail_at(x, err, rec->line, x->columns[x->field_col[UTFALL_F_KON]],
                       UTFALL_ERR_DATA, UTFALL_EC_UNKNOWN_KON,
                       "unknown value '%s' (accepted: k, m, kvinna, man, female, male; blank = "
                       "not stated)",
                       field_text(x, rec, UTFALL_F_KON));
    utfall_status st;
    if ((st = parse_int(x, rec, UTFALL_F_FODELSEAR, 1900, 2199, &row->fodelsear, err))
        || (st = parse_int(x, rec, UTFALL_F_ALDER, 0, 130, &row->age, err)))
        return st;
    return UTFALL_OK;
}

static utfall_status parse_episode(utfall_extract *x, const utfall_csv_record *rec, utfall_row *row,
                                   utfall_error *err)
{
    row->enhet = field_text(x, rec, UTFALL_F_ENHET);
    row->insats = field_text(x, rec, UTFALL_F_INSATS);
    utfall_status st;
    if ((st = parse_date_field(x, rec, UTFALL_F_INSKRIVEN, &row->inskriven, err))
        || (st = parse_date_field(x, rec, UTFALL_F_AVSLUTAD, &row->avslutad, err))
        || (st = parse_date_field(x, rec, UTFALL_F_UPPFOLJD_TILL, &row->uppfoljd_till, err))
        || (st = parse_outcome_field(x, rec, &row->avslutsorsak, err))
        || (st = parse_hours(x, rec, UTFALL_F_TIMMAR_FORE, &row->timmar_fore, err))
        || (st = parse_hours(x, rec, UTFALL_F_TIMMAR_EFTER, &row->timmar_efter, err))
        || (st = parse_income_field(x, rec, UTFALL_F_FORSORJNING_FORE, &row->forsorjning_fore, err))
        || (st = parse_income_field(x, rec, UTFALL_F_FORSORJNING_EFTER, &row->forsorjning_efter,
                                    err)))
        return st;
    return UTFALL_OK;
}

/* Every row is enrolled, and leaves and is followed up no earlier. */
static utfall_status check_dates(utfall_extract *x, const utfall_csv_record *rec,
                                 const utfall_row *row, utfall_error *err)
{
    if (row->inskriven == UTFALL_DATE_NONE)
        return fail_at(x, err, rec->line, x->columns[x->field_col[UTFALL_F_INSKRIVEN]],
                       UTFALL_ERR_DATA, UTFALL_EC_MISSING_DATE,
                       "the enrolment date is empty (every row needs one)");
    static const struct {
        utfall_field field;
        utfall_error_code code;
        const char *what;
    } later[] = {{UTFALL_F_AVSLUTAD, UTFALL_EC_EXIT_BEFORE_ENROLMENT, "exit date"},
                 {UTFALL_F_UPPFOLJD_TILL, UTFALL_EC_FOLLOWUP_BEFORE_ENROLMENT, "follow-up end"}};
    const utfall_date dates[] = {row->avslutad, row->uppfoljd_till};
    for (size_t k = 0; k < sizeof later / sizeof later[0]; k++)
        if (dates[k] != UTFALL_DATE_NONE && dates[k] < row->inskriven)
            return fail_at(x, err, rec->line, x->columns[x->field_col[later[k].field]],
                           UTFALL_ERR_DATA, later[k].code, "%s %s is before the enrolment date %s",
                           later[k].what, field_text(x, rec, later[k].field),
                           field_text(x, rec, UTFALL_F_INSKRIVEN));
    return UTFALL_OK;
}

/* Without alder, the age at enrolment from fodelsear. */
static void derive_age(const utfall_extract *x, const utfall_csv_record *rec, utfall_row *row)
{
    if (row->age >= 0 || row->fodelsear <= 0)
        return;
    /* both accepted date forms (2014-06-30, 20140630) begin with the year */
    const char *s = field_text(x, rec, UTFALL_F_INSKRIVEN);
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    row->age = y - row->fodelsear;
}

/* Warnings: plausible but worth a second look. */
static void warn_implausible(utfall_extract *x, const utfall_csv_record *rec, const utfall_row *row)
{
    if (x->opt.today != UTFALL_DATE_NONE) {
        static const utfall_field dates[] = {UTFALL_F_INSKRIVEN, UTFALL_F_AVSLUTAD};
        const utfall_date vals[] = {row->inskriven, row->avslutad};
        for (int k = 0; k < 2; k++)
            if (vals[k] != UTFALL_DATE_NONE && vals[k] > x->opt.today)
                warn_at(x, rec->line, x->columns[x->field_col[dates[k]]], UTFALL_EC_FUTURE_DATE,
                        "%s is in the future", field_text(x, rec, dates[k]));
    }
    if (row->age >= 0 && (row->age < 16 || row->age > 30))
        warn_at(x, rec->line,
                x->columns[x->field_col[x->field_col[UTFALL_F_ALDER] >= 0 ? UTFALL_F_ALDER
                                                                            : UTFALL_F_FODELSEAR]],
                UTFALL_EC_AGE_RANGE, "age at enrolment %d is outside 16-30", row->age);
    if (row->avslutad == UTFALL_DATE_NONE && row->avslutsorsak != UTFALL_OUTCOME_NONE)
        warn_at(x, rec->line, x->columns[x->field_col[UTFALL_F_AVSLUTSORSAK]],
                UTFALL_EC_OUTCOME_WITHOUT_EXIT,
                "an exit outcome without an exit date: the row counts as still active");
}

/* 1 if an identical row came before.  Out of memory only stops looking. */
static int row_seen(utfall_extract *x, const utfall_csv_record *rec)
{
    if (!x->rows_seen && !(x->rows_seen = utfall_hashset_new()))
        return 0;
    return utfall_hashset_add(x->rows_seen, hash_bytes(rec->raw, rec->raw_len)) == 0;
}

/* With detect_duplicates: a row seen before, or an episode overlapping an
 * earlier one of the same id. */
static void warn_repeated(utfall_extract *x, const utfall_csv_record *rec, const utfall_row *row)
{
    if (row_seen(x, rec)) {
        warn_at(x, rec->line, NULL, UTFALL_EC_DUPLICATE_ROW, "the row is identical to an earlier row");
        return;
    }
    long e = episode_overlap(x, row);
    if (e < 0)
        return;
    char from[16], to[16];
    utfall_date_format(x->episodes[e].from, from, sizeof from);
    if (x->episodes[e].to == UTFALL_DATE_NONE)
        snprintf(to, sizeof to, "(active)");
    else
        utfall_date_format(x->episodes[e].to, to, sizeof to);
    char where[UTFALL_ERROR_NAME_MAX + 32];
    if (x->episodes[e].file != x->cur)
        snprintf(where, sizeof where, "%s:%ld", x->paths[x->episodes[e].file], x->episodes[e].line);
    else
        snprintf(where, sizeof where, "line %ld", x->episodes[e].line);
    warn_at(x, rec->line, x->columns[x->field_col[UTFALL_F_ID]], UTFALL_EC_OVERLAPPING_EPISODES,
            "this episode overlaps an earlier episode of the same id (%s: %s to %s); "
            "the person is counted twice while both run",
            where, from, to);
}

/* Turn one record into a row.  Data errors come back in err; warnings go
 * to the diagnostics callback. */
static utfall_status build_row(utfall_extract *x, const utfall_csv_record *rec, utfall_row *row,
                               utfall_error *err)
{
    start_row(x, rec, row);
    /* The identity guard comes first and is never skippable. */
    utfall_status st = refuse_identity_numbers(x, rec, err);
    if (!st)
        st = parse_person(x, rec, row, err);
    if (!st)
        st = parse_episode(x, rec, row, err);
    if (!st)
        st = check_dates(x, rec, row, err);
    if (st)
        return st;
    derive_age(x, rec, row);
    warn_implausible(x, rec, row);
    if (x->opt.detect_duplicates)
        warn_repeated(x, rec, row);
    return UTFALL_OK;
}

static void write_reject(utfall_extract *x, const utfall_csv_record *rec)
{
    if (!x->opt.rejects)
        return;
    if (!x->header_written_to_rejects) {
        char d = utfall_csv_delimiter(x->csv);
        for (size_t i = 0; i < x->ncolumns; i++) {
            if (i)
                fputc(d, x->opt.rejects);
            fputs(x->columns[i], x->opt.rejects);
        }
        fputc('\n', x->opt.rejects);
        x->header_written_to_rejects = 1;
    }
    fwrite(rec->raw, 1, rec->raw_len, x->opt.rejects);
    fputc('\n', x->opt.rejects);
}

/* A row that cannot be used is rejected (read = used + rejected, the row
 * that stops the run included): skipped with skip_bad when its error is
 * in the data, else the end of the run.  0 to go on, -1 to stop. */
static int reject_row(utfall_extract *x, utfall_status st, utfall_error *err)
{
    x->stats.errors++;
    x->stats.rows_rejected++;
    if (st != UTFALL_ERR_DATA || !x->opt.skip_bad)
        return privacy_sweep(x, err), -1;
    diag(x, err);
    write_reject(x, &x->rec);
    return 0;
}

/* A record of the wrong shape: its bounds are sound, so it can be
 * rejected like a row with a bad value, but never passed on with a
 * number in it. */
static int reject_malformed(utfall_extract *x, utfall_error *err)
{
    x->stats.rows_read++;
    x->rows_in_file++;
    if (utfall_pnr_find(x->rec.raw, x->rec.raw_len, NULL, NULL)) {
        x->stats.errors++;
        x->stats.rows_rejected++;
        return utfall_pnr_refuse(err, utfall_csv_name(x->csv), x->rec.line, NULL), -1;
    }
    return reject_row(x, err->status, err);
}

/* A record that cannot be read ends the run. */
static int stop_unreadable(utfall_extract *x, utfall_error *err)
{
    x->stats.errors++;
    if (err->status == UTFALL_ERR_DATA) {
        /* a malformed record is a row read and rejected; name its column */
        x->stats.rows_read++;
        x->stats.rows_rejected++;
        size_t f = utfall_csv_current_field(x->csv);
        if (!err->column[0] && f < x->ncolumns && x->columns[f])
            snprintf(err->column, sizeof err->column, "%s", x->columns[f]);
    }
    return privacy_sweep(x, err), -1;
}

/* The end of a file: on to the next, if there is one (x->csv stays NULL
 * after the last).  -1 when the next cannot be opened. */
static int next_file(utfall_extract *x, utfall_error *err)
{
    if (x->rows_in_file == 0)
        warn_at(x, 0, NULL, UTFALL_EC_NO_ROWS, "the file has a header but no data rows");
    utfall_csv_close(x->csv);
    x->csv = NULL;
    if (++x->cur >= x->npaths)
        return 0;
    if (open_file(x, err)) {
        x->stats.errors++;
        return privacy_sweep(x, err), -1;
    }
    return 0;
}

/* Once per transcoded file, a note that it is read as Windows-1252,
 * unless that was asked for. */
static void announce_transcoding(utfall_extract *x)
{
    if (x->opt.csv.encoding != UTFALL_ENC_CP1252) {
        utfall_error note;
        utfall_error_clear(&note);
        utfall_error_set(&note, UTFALL_OK, UTFALL_EC_TRANSCODED,
                         "not UTF-8: reading the file as Windows-1252 (Excel's encoding); "
                         "use --encoding to choose");
        note.severity = UTFALL_SEV_NOTE;
        utfall_error_locate(&note, utfall_csv_name(x->csv), utfall_csv_transcoded_line(x->csv), 0,
                            NULL);
        diag(x, &note);
    }
    x->transcoding_announced = 1;
}

int utfall_extract_next(utfall_extract *x, utfall_row *row, utfall_error *err)
{
    while (x->csv) {
        int got = utfall_csv_next(x->csv, &x->rec, err);
        if (got == -2) {
            if (reject_malformed(x, err))
                return -1;
            continue;
        }
        if (got < 0)
            return stop_unreadable(x, err);
        if (got == 0) {
            if (next_file(x, err))
                return -1;
            continue;
        }
        x->stats.rows_read++;
        x->rows_in_file++;
        if (utfall_csv_transcoded(x->csv) && !x->transcoding_announced)
            announce_transcoding(x);
        utfall_status st = build_row(x, &x->rec, row, err);
        if (st == UTFALL_OK && x->filter && !x->filter(x->filter_ctx, row)) {
            x->stats.rows_filtered++;
            continue;
        }
        if (st == UTFALL_OK) {
            x->stats.rows_used++;
            return 1;
        }
        if (reject_row(x, st, err))
            return -1;
    }
    return 0;
}

void utfall_extract_get_stats(const utfall_extract *x, utfall_extract_stats *st)
{
    *st = x->stats;
}

void utfall_extract_set_filter(utfall_extract *x, utfall_row_filter_fn fn, void *ctx)
{
    x->filter = fn;
    x->filter_ctx = ctx;
}

size_t utfall_extract_ncolumns(const utfall_extract *x) { return x->ncolumns; }
const char *utfall_extract_column_name(const utfall_extract *x, size_t i)
{
    return i < x->ncolumns ? x->columns[i] : "";
}
int utfall_extract_column_field(const utfall_extract *x, size_t i)
{
    return i < x->ncolumns ? x->column_field[i] : -1;
}
char utfall_extract_delimiter(const utfall_extract *x)
{
    return x->csv ? utfall_csv_delimiter(x->csv) : 0;
}
int utfall_extract_transcoded(const utfall_extract *x)
{
    return x->csv ? utfall_csv_transcoded(x->csv) : 0;
}

utfall_status utfall_colref_new(utfall_extract *x, const char *name, utfall_colref **out,
                                utfall_error *err)
{
    utfall_colref *c = calloc(1, sizeof *c);
    if (!c)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    snprintf(c->name, sizeof c->name, "%s", name);
    c->x = x;
    c->index = -1;
    char folded[128];
    utfall_fold(name, folded, sizeof folded);
    int f = utfall_field_lookup(name);
    if (!strcmp(folded, "fil") || !strcmp(folded, "file"))
        c->kind = REF_FIL;
    else if (!strcmp(folded, "inskriven_ar"))
        c->kind = REF_YEAR;
    else if (!strcmp(folded, "inskriven_kvartal"))
        c->kind = REF_QUARTER;
    else if (!strcmp(folded, "aldersgrupp") || !strcmp(folded, "age_band"))
        c->kind = REF_AGEBAND;
    else if (!strcmp(folded, "status"))
        c->kind = REF_STATUS;
    else if (f >= 0) {
        c->kind = REF_FIELD;
        c->field = f;
        if (x->field_col[f] < 0 && f != UTFALL_F_ALDER) {
            free(c);
            return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_UNKNOWN_COLUMN,
                                    "cannot group by '%s': the extract has no such column", name);
        }
    } else {
        c->kind = REF_EXTRA;
        int found = 0;
        for (size_t i = 0; i < x->ncolumns; i++)
            found |= !strcmp(x->columns[i], name);
        if (!found) {
            free(c);
            return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_UNKNOWN_COLUMN,
                                    "cannot group by '%s': no such column (derived keys: fil, "
                                    "inskriven_ar, inskriven_kvartal, aldersgrupp, status)",
                                    name);
        }
    }
    const char *canonical[] = {[REF_FIL] = "fil", [REF_YEAR] = "inskriven_ar",
                               [REF_QUARTER] = "inskriven_kvartal", [REF_AGEBAND] = "aldersgrupp",
                               [REF_STATUS] = "status"};
    if (c->kind == REF_FIELD)
        snprintf(c->name, sizeof c->name, "%s", utfall_field_name((utfall_field)c->field));
    else if (c->kind != REF_EXTRA)
        snprintf(c->name, sizeof c->name, "%s", canonical[c->kind]);
    *out = c;
    return UTFALL_OK;
}

void utfall_colref_free(utfall_colref *c)
{
    free(c);
}

const char *utfall_colref_name(const utfall_colref *c)
{
    return c->name;
}

const char *utfall_row_value(const utfall_row *row, utfall_colref *c, char *buf, size_t size)
{
    int y, m, d;
    buf[0] = '\0';
    switch (c->kind) {
    case REF_FIL:
        return row->file_base;
    case REF_YEAR:
        utfall_date_to_ymd(row->inskriven, &y, &m, &d);
        snprintf(buf, size, "%04d", y);
        return buf;
    case REF_QUARTER:
        utfall_date_to_ymd(row->inskriven, &y, &m, &d);
        snprintf(buf, size, "%04d-Q%d", y, (m - 1) / 3 + 1);
        return buf;
    case REF_AGEBAND:
        return utfall_age_band(row->age);
    case REF_STATUS:
        return row->avslutad == UTFALL_DATE_NONE ? "active" : "exited";
    case REF_EXTRA:
        if (c->cached_file != row->file_index + 1) {
            c->cached_file = row->file_index + 1;
            c->index = -1;
            for (size_t i = 0; i < c->x->ncolumns; i++)
                if (!strcmp(c->x->columns[i], c->name))
                    c->index = (long)i;
        }
        return c->index >= 0 && (size_t)c->index < row->record->nfields
                   ? row->record->fields[c->index]
                   : "";
    case REF_FIELD:
        break;
    }
    switch ((utfall_field)c->field) {
    case UTFALL_F_KON:
        return utfall_kon_key(row->kon);
    case UTFALL_F_ALDER:
        if (row->age >= 0)
            snprintf(buf, size, "%d", row->age);
        return buf;
    case UTFALL_F_FODELSEAR:
        if (row->fodelsear >= 0)
            snprintf(buf, size, "%d", row->fodelsear);
        return buf;
    case UTFALL_F_INSKRIVEN:
        utfall_date_format(row->inskriven, buf, size);
        return buf;
    case UTFALL_F_AVSLUTAD:
        utfall_date_format(row->avslutad, buf, size);
        return buf;
    case UTFALL_F_UPPFOLJD_TILL:
        utfall_date_format(row->uppfoljd_till, buf, size);
        return buf;
    case UTFALL_F_AVSLUTSORSAK:
        return utfall_outcome_key(row->avslutsorsak);
    case UTFALL_F_FORSORJNING_FORE:
        return utfall_income_key(row->forsorjning_fore);
    case UTFALL_F_FORSORJNING_EFTER:
        return utfall_income_key(row->forsorjning_efter);
    default: {
        long col = c->x->field_col[c->field];
        return col >= 0 && (size_t)col < row->record->nfields ? row->record->fields[col] : "";
    }
    }
}
