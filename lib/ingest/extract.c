#include "utfall/extract.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/i18n.h"
#include "core/internal.h"
#include "ingest/extract_internal.h"

struct utfall_colref {
    char name[128];
    enum { REF_FIELD, REF_FIL, REF_YEAR, REF_QUARTER, REF_AGEBAND, REF_STATUS, REF_EXTRA } kind;
    int field;
    size_t cached_file; /* file the index below belongs to, +1; 0 = none */
    long index;         /* column index in that file, -1 absent */
    utfall_extract *x;
};

void utfall_extract_options_init(utfall_extract_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->today = UTFALL_DATE_NONE;
    opt->max_rejected = 0.05;
    opt->age_min = 16;
    opt->age_max = 30;
}

static void free_columns(utfall_extract *x)
{
    for (size_t i = 0; i < x->ncolumns; i++)
        free(x->columns[i]);
    free(x->columns);
    free(x->column_field);
    free(x->column_how);
    x->columns = NULL;
    x->column_field = NULL;
    x->column_how = NULL;
    x->ncolumns = 0;
}

void utfall_extract_close(utfall_extract *x)
{
    if (!x)
        return;
    utfall_csv_close(x->csv);
    free_columns(x);
    for (int k = 0; k < UTFALL_VALUES_COUNT; k++)
        utfall_value_map_free(x->maps[k]);
    recqueue_clear(&x->ahead);
    utfall_hashset_free(x->rows_seen);
    free(x->episodes);
    free(x->episode_slots);
    free(x->date_cache);
    free(x);
}

void extract_diag(utfall_extract *x, const utfall_error *e)
{
    if (x->opt.diag)
        x->opt.diag(x->opt.diag_ctx, e);
}

/* The map files, each read once for every file of the extract. */
static utfall_status load_maps(utfall_extract *x, utfall_error *err)
{
    const char *paths[UTFALL_VALUES_COUNT] = {x->opt.outcome_map_path, x->opt.income_map_path};
    static const char *const channels[UTFALL_VALUES_COUNT] = {"outcome map", "income map"};
    for (int k = 0; k < UTFALL_VALUES_COUNT; k++) {
        utfall_status st = paths[k] ? utfall_value_map_read(&x->maps[k], paths[k],
                                                            (utfall_value_kind)k, channels[k], err)
                                    : UTFALL_OK;
        if (st)
            return st;
    }
    return UTFALL_OK;
}

static const char *base_name(const char *path)
{
    if (!strcmp(path, "-"))
        return "stdin";
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

utfall_status extract_fail(utfall_extract *x, utfall_error *err, long line, const char *column,
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

/* The reader's options for an extract: the identity-number guard is
 * never off. */
static utfall_csv_options extract_csv(const utfall_extract *x)
{
    utfall_csv_options co = x->opt.csv;
    co.flags &= ~(unsigned)UTFALL_CSV_UNGUARDED;
    if (!co.channel)
        co.channel = "extract";
    return co;
}

/* Open file x->cur and read its header into rec, with room for its
 * columns. */
static utfall_status read_header(utfall_extract *x, utfall_csv_record *rec, utfall_error *err)
{
    utfall_csv_options co = extract_csv(x);
    utfall_status st = utfall_csv_open(&x->csv, x->paths[x->cur], &co, err);
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
        return extract_fail(x, err, 0, NULL, UTFALL_ERR_DATA, UTFALL_EC_EMPTY_FILE,
                       "the file is empty (expected a header line and data rows)");
    free_columns(x);
    extract_dates_reset(x);
    return UTFALL_OK;
}

/* Read the header of file x->cur (the reader has guarded it) and map its
 * columns. */
static utfall_status open_file(utfall_extract *x, utfall_error *err)
{
    utfall_csv_record rec = {0};
    utfall_status st = read_header(x, &rec, err);
    return st ? st : extract_map_header(x, &rec, err);
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
    utfall_error found;
    utfall_error_clear(&found);
    utfall_csv_options co = extract_csv(x);
    /* the records read ahead have been guarded: a refusal among them counts */
    utfall_status st = recqueue_privacy(&x->ahead, &found) ? UTFALL_ERR_PRIVACY
                       : x->csv                            ? utfall_csv_guard_rest(x->csv, &found)
                                                           : UTFALL_OK;
    for (size_t file = x->cur + 1; st != UTFALL_ERR_PRIVACY && file < x->npaths; file++) {
        utfall_csv_reader *r = NULL;
        st = utfall_csv_open(&r, x->paths[file], &co, &found);
        if (r)
            st = utfall_csv_guard_rest(r, &found);
        utfall_csv_close(r);
    }
    if (st == UTFALL_ERR_PRIVACY) {
        extract_diag(x, err);
        *err = found;
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
    if (!st)
        st = load_maps(x, err);
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
 * the same person that overlaps it, or -1.  Out of memory only stops looking. */
static long episode_overlap(utfall_extract *x, const utfall_row *row)
{
    uint64_t h = row->person;
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

static void tell(utfall_extract *x, utfall_severity sev, int changes_results, long line,
                 const char *column, utfall_error_code code, const char *fmt, va_list ap)
{
    utfall_error w;
    utfall_error_clear(&w);
    utfall_error_vset(&w, UTFALL_OK, code, fmt, ap);
    w.severity = sev;
    w.changes_results = changes_results;
    utfall_error_locate(&w, utfall_csv_name(x->csv), line, 0, column);
    if (sev == UTFALL_SEV_WARNING)
        x->stats.warnings++;
    extract_diag(x, &w);
}

void extract_warn(utfall_extract *x, long line, const char *column, int changes_results,
                  utfall_error_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tell(x, UTFALL_SEV_WARNING, changes_results, line, column, code, fmt, ap);
    va_end(ap);
}

void extract_note(utfall_extract *x, long line, const char *column, utfall_error_code code,
                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tell(x, UTFALL_SEV_NOTE, 0, line, column, code, fmt, ap);
    va_end(ap);
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
    const char *s = extract_field(x, rec, f);
    *out = NAN;
    if (!*s)
        return UTFALL_OK;
    int small = plain_small_int(s);
    if (small >= 0 && small <= 168) {
        *out = small;
        return UTFALL_OK;
    }
    if (utfall_number_parse(s, out))
        return extract_fail(x, err, rec->line, x->columns[x->field_col[f]], UTFALL_ERR_DATA,
                       UTFALL_EC_BAD_NUMBER, "'%s' is not a number (accepted: 9,5 or 9.5)", s);
    if (*out < 0 || *out > 168)
        return extract_fail(x, err, rec->line, x->columns[x->field_col[f]], UTFALL_ERR_DATA,
                       UTFALL_EC_HOURS_RANGE, "%s hours a week is outside 0-168", s);
    return UTFALL_OK;
}

static utfall_status parse_int(utfall_extract *x, const utfall_csv_record *rec, utfall_field f,
                               int lo, int hi, int *out, utfall_error *err)
{
    const char *s = extract_field(x, rec, f);
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
        return extract_fail(x, err, rec->line, x->columns[x->field_col[f]], UTFALL_ERR_DATA,
                       UTFALL_EC_BAD_INTEGER, "'%s' is not a whole number from %d to %d", s, lo, hi);
    *out = (int)v;
    return UTFALL_OK;
}

static utfall_status parse_outcome_field(utfall_extract *x, const utfall_csv_record *rec,
                                         int *out, utfall_error *err)
{
    const char *s = extract_field(x, rec, UTFALL_F_AVSLUTSORSAK);
    *out = UTFALL_OUTCOME_NONE;
    if (!*s)
        return UTFALL_OK;
    if (x->maps[UTFALL_VALUES_OUTCOME]
        && (*out = utfall_value_map_lookup(x->maps[UTFALL_VALUES_OUTCOME], s, NULL)) >= 0)
        return UTFALL_OK;
    if (utfall_outcome_parse(s, out) == 0)
        return UTFALL_OK;
    return extract_fail(x, err, rec->line, x->columns[x->field_col[UTFALL_F_AVSLUTSORSAK]],
                   UTFALL_ERR_DATA, UTFALL_EC_UNKNOWN_OUTCOME,
                   "unknown exit outcome '%s' (accepted: arbete, arbete_med_stod, studier, "
                   "arbetssokande, praktik, annan_insats, vard, foraldraledighet, flytt, "
                   "ej_kontaktbar, avbrott, annat; map others with --outcome-map FILE, a file "
                   "of lines value;key;label such as Sjukskriven;vard;Sjukskriven, see "
                   "utfall-extract(5))",
                   s);
}

/* An income source, or several in one field; --income-map first. */
static utfall_status parse_income_field(utfall_extract *x, const utfall_csv_record *rec,
                                        utfall_field f, int *out, unsigned *set,
                                        utfall_error *err)
{
    const char *s = extract_field(x, rec, f);
    *out = UTFALL_INCOME_NONE;
    *set = 0;
    if (!*s)
        return UTFALL_OK;
    if (x->maps[UTFALL_VALUES_INCOME]
        && (*out = utfall_value_map_lookup(x->maps[UTFALL_VALUES_INCOME], s, set)) >= 0)
        return UTFALL_OK;
    if (utfall_income_parse_set(s, out, set) == 0)
        return UTFALL_OK;
    *out = UTFALL_INCOME_NONE;
    return extract_fail(x, err, rec->line, x->columns[x->field_col[f]], UTFALL_ERR_DATA,
                        UTFALL_EC_UNKNOWN_INCOME,
                        "unknown income source '%s' (accepted: aktivitetsersattning, "
                        "sjukersattning, sjukpenning, forsorjningsstod, a_kassa, aktivitetsstod, "
                        "lon, studiemedel, ingen, annan, several joined by + or och; map others "
                        "with --income-map FILE)",
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

static utfall_status parse_person(utfall_extract *x, const utfall_csv_record *rec, utfall_row *row,
                                  utfall_error *err)
{
    row->id = extract_field(x, rec, UTFALL_F_ID);
    if (!*row->id)
        return extract_fail(x, err, rec->line, x->columns[x->field_col[UTFALL_F_ID]],
                       UTFALL_ERR_DATA, UTFALL_EC_MISSING_ID, "the id is empty (every row needs one)");
    /* a person is an id within a file, unless the files share their ids */
    row->person = utfall_extract_person(x, x->cur, row->id);
    if (x->field_col[UTFALL_F_KON] >= 0
        && utfall_kon_parse(extract_field(x, rec, UTFALL_F_KON), &row->kon))
        return extract_fail(x, err, rec->line, x->columns[x->field_col[UTFALL_F_KON]],
                       UTFALL_ERR_DATA, UTFALL_EC_UNKNOWN_KON,
                       "unknown value '%s' (accepted: k, m, kvinna, man, female, male; blank = "
                       "not stated)",
                       extract_field(x, rec, UTFALL_F_KON));
    utfall_status st;
    if ((st = parse_int(x, rec, UTFALL_F_FODELSEAR, 1900, 2199, &row->fodelsear, err))
        || (st = parse_int(x, rec, UTFALL_F_ALDER, 0, 130, &row->age, err)))
        return st;
    return UTFALL_OK;
}

static utfall_status parse_episode(utfall_extract *x, const utfall_csv_record *rec, utfall_row *row,
                                   utfall_error *err)
{
    row->enhet = extract_field(x, rec, UTFALL_F_ENHET);
    row->insats = extract_field(x, rec, UTFALL_F_INSATS);
    utfall_status st;
    if ((st = extract_parse_date(x, rec, UTFALL_F_INSKRIVEN, &row->inskriven, err))
        || (st = extract_parse_date(x, rec, UTFALL_F_AVSLUTAD, &row->avslutad, err))
        || (st = extract_parse_date(x, rec, UTFALL_F_UPPFOLJD_TILL, &row->uppfoljd_till, err))
        || (st = parse_outcome_field(x, rec, &row->avslutsorsak, err))
        || (st = parse_hours(x, rec, UTFALL_F_TIMMAR_FORE, &row->timmar_fore, err))
        || (st = parse_hours(x, rec, UTFALL_F_TIMMAR_EFTER, &row->timmar_efter, err))
        || (st = parse_income_field(x, rec, UTFALL_F_FORSORJNING_FORE, &row->forsorjning_fore,
                                    &row->forsorjning_fore_set, err))
        || (st = parse_income_field(x, rec, UTFALL_F_FORSORJNING_EFTER, &row->forsorjning_efter,
                                    &row->forsorjning_efter_set, err)))
        return st;
    return UTFALL_OK;
}

/* Every row is enrolled, and leaves and is followed up no earlier. */
static utfall_status check_dates(utfall_extract *x, const utfall_csv_record *rec,
                                 const utfall_row *row, utfall_error *err)
{
    if (row->inskriven == UTFALL_DATE_NONE)
        return extract_fail(x, err, rec->line, x->columns[x->field_col[UTFALL_F_INSKRIVEN]],
                       UTFALL_ERR_DATA, UTFALL_EC_MISSING_DATE,
                       "the enrolment date is empty (every row needs one)");
    static const struct {
        utfall_field field;
        utfall_error_code code;
        const char *fmt;
    } later[] = {{UTFALL_F_AVSLUTAD, UTFALL_EC_EXIT_BEFORE_ENROLMENT,
                  "exit date %s is before the enrolment date %s"},
                 {UTFALL_F_UPPFOLJD_TILL, UTFALL_EC_FOLLOWUP_BEFORE_ENROLMENT,
                  "follow-up end %s is before the enrolment date %s"}};
    const utfall_date dates[] = {row->avslutad, row->uppfoljd_till};
    for (size_t k = 0; k < sizeof later / sizeof later[0]; k++)
        if (dates[k] != UTFALL_DATE_NONE && dates[k] < row->inskriven)
            return extract_fail(x, err, rec->line, x->columns[x->field_col[later[k].field]],
                                UTFALL_ERR_DATA, later[k].code, later[k].fmt,
                                extract_field(x, rec, later[k].field),
                                extract_field(x, rec, UTFALL_F_INSKRIVEN));
    return UTFALL_OK;
}

/* Without alder, the age at enrolment from fodelsear. */
static void derive_age(utfall_row *row)
{
    if (row->age >= 0 || row->fodelsear <= 0)
        return;
    int y, m, d;
    utfall_date_to_ymd(row->inskriven, &y, &m, &d);
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
                extract_warn(x, rec->line, x->columns[x->field_col[dates[k]]], 0,
                             UTFALL_EC_FUTURE_DATE, "%s is in the future",
                             extract_field(x, rec, dates[k]));
    }
    if (row->age >= 0 && (row->age < x->opt.age_min || row->age > x->opt.age_max))
        extract_warn(x, rec->line,
                     x->columns[x->field_col[x->field_col[UTFALL_F_ALDER] >= 0
                                                 ? UTFALL_F_ALDER
                                                 : UTFALL_F_FODELSEAR]],
                     0, UTFALL_EC_AGE_RANGE,
                     "age at enrolment %d is outside %d-%d (--age-range sets the range)",
                     row->age, x->opt.age_min, x->opt.age_max);
    /* counted as active, not as the outcome: the figures change */
    if (row->avslutad == UTFALL_DATE_NONE && row->avslutsorsak != UTFALL_OUTCOME_NONE)
        extract_warn(x, rec->line, x->columns[x->field_col[UTFALL_F_AVSLUTSORSAK]], 1,
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
        extract_warn(x, rec->line, NULL, 1, UTFALL_EC_DUPLICATE_ROW,
                     "the row is identical to an earlier row");
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
    extract_warn(x, rec->line, x->columns[x->field_col[UTFALL_F_ID]], 1,
                 UTFALL_EC_OVERLAPPING_EPISODES,
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
    /* the reader has refused any field with an identity number in it */
    utfall_status st = parse_person(x, rec, row, err);
    if (!st)
        st = parse_episode(x, rec, row, err);
    if (!st)
        st = check_dates(x, rec, row, err);
    if (st)
        return st;
    derive_age(row);
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
    /* a column whose dates cannot be read is the file's problem, not a row's */
    if (st != UTFALL_ERR_DATA || !x->opt.skip_bad || err->code_id == UTFALL_EC_AMBIGUOUS_DATE)
        return privacy_sweep(x, err), -1;
    extract_diag(x, err);
    write_reject(x, &x->rec);
    return 0;
}

/* A record of the wrong shape: its bounds are sound, so it can be
 * rejected like a row with a bad value (the reader has refused it if it
 * holds a number). */
static int reject_malformed(utfall_extract *x, utfall_error *err)
{
    x->stats.rows_read++;
    x->rows_in_file++;
    return reject_row(x, err->status, err);
}

/* A record that cannot be read, or that holds an identity number, ends
 * the run. */
static int stop_unreadable(utfall_extract *x, utfall_error *err)
{
    x->stats.errors++;
    if (err->status == UTFALL_ERR_DATA || err->status == UTFALL_ERR_PRIVACY) {
        /* a row read and rejected */
        x->stats.rows_read++;
        x->stats.rows_rejected++;
    }
    if (err->status == UTFALL_ERR_DATA) {
        /* a malformed record: name its column */
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
        extract_warn(x, 0, NULL, 1, UTFALL_EC_NO_ROWS, "the file has a header but no data rows");
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
        extract_diag(x, &note);
    }
    x->transcoding_announced = 1;
}

/* At the end of the input: more rows rejected than the options allow
 * is said once, whatever -q says, for the figures rest on fewer rows than
 * the file has. */
static void tell_rejected_share(utfall_extract *x)
{
    const utfall_extract_stats *s = &x->stats;
    if (x->rejected_share_told || x->opt.max_rejected < 0 || !s->rows_read
        || (double)s->rows_rejected <= x->opt.max_rejected * (double)s->rows_read)
        return;
    x->rejected_share_told = 1;
    utfall_error w;
    utfall_error_clear(&w);
    utfall_error_set(&w, UTFALL_OK, UTFALL_EC_TOO_MANY_REJECTED,
                     "%ld of %ld rows (%.0f%%) were rejected, more than the %.0f%% "
                     "--max-rejected allows: the figures rest on the %ld rows used; see the "
                     "errors above",
                     s->rows_rejected, s->rows_read,
                     100.0 * (double)s->rows_rejected / (double)s->rows_read,
                     100.0 * x->opt.max_rejected, s->rows_used);
    w.severity = UTFALL_SEV_WARNING;
    w.changes_results = 1;
    x->stats.warnings++;
    extract_diag(x, &w);
}

int utfall_extract_next(utfall_extract *x, utfall_row *row, utfall_error *err)
{
    while (x->csv) {
        int got = recqueue_next(&x->ahead, x->csv, &x->rec, err);
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
        utfall_status st = extract_dates_settle(x, err);
        if (st == UTFALL_OK)
            st = build_row(x, &x->rec, row, err);
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
    tell_rejected_share(x);
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
const char *utfall_extract_column_how(const utfall_extract *x, size_t i)
{
    static const char *const how[] = {[HOW_EXTRA] = "", [HOW_NAME] = "name", [HOW_MAP] = "map",
                                      [HOW_WORDS] = "words"};
    return i < x->ncolumns ? how[x->column_how[i]] : "";
}

/* A heading that is the field's name in either language says nothing of
 * its own ("Enhet", "unit"): the catalogue's label stays. */
static int own_heading(utfall_field f, const char *heading)
{
    char folded[64], key[32], label[64];
    if (!heading[0])
        return 0;
    utfall_fold(heading, folded, sizeof folded);
    snprintf(key, sizeof key, "col.%s", utfall_field_name(f));
    for (int lang = 0; lang < 2; lang++) {
        utfall_fold(utfall_tr((utfall_lang)lang, key), label, sizeof label);
        if (!strcmp(folded, label))
            return 0;
    }
    return strcmp(folded, utfall_field_name(f)) != 0;
}

utfall_status utfall_extract_apply_labels(const utfall_extract *x, utfall_error *err)
{
    static const utfall_field own[] = {UTFALL_F_ENHET, UTFALL_F_INSATS};
    for (size_t k = 0; k < sizeof own / sizeof own[0]; k++) {
        char key[32];
        snprintf(key, sizeof key, "col.%s", utfall_field_name(own[k]));
        if (own_heading(own[k], x->own_heading[own[k]])
            && utfall_tr_own(key, x->own_heading[own[k]]))
            return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    }
    utfall_status st = UTFALL_OK;
    for (int k = 0; !st && k < UTFALL_VALUES_COUNT; k++)
        st = utfall_value_map_apply_labels(x->maps[k], err);
    return st;
}

size_t utfall_extract_nfiles(const utfall_extract *x)
{
    return x->npaths;
}

int utfall_extract_ids_shared(const utfall_extract *x)
{
    return x->opt.shared_ids || x->npaths == 1;
}

uint64_t utfall_extract_person(const utfall_extract *x, size_t file, const char *id)
{
    return utfall_hash_str(utfall_extract_ids_shared(x) ? 0 : file + 1, id);
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

int utfall_colref_rank(const utfall_colref *c, const char *value)
{
    int v;
    if (c->kind != REF_FIELD || !*value)
        return -1;
    if (c->field == UTFALL_F_AVSLUTSORSAK)
        return utfall_outcome_parse(value, &v) ? -1 : v;
    if (c->field == UTFALL_F_KON)
        return !strcmp(value, "k") ? 0 : !strcmp(value, "m") ? 1 : -1;
    if (c->field == UTFALL_F_FORSORJNING_FORE || c->field == UTFALL_F_FORSORJNING_EFTER) {
        unsigned set;
        /* single sources in the vocabulary's order, combinations after */
        return utfall_income_parse_set(value, &v, &set) ? -1
               : (set & (set - 1))                      ? UTFALL_INCOME_COUNT + (int)set
                                                        : v;
    }
    return -1;
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
        utfall_income_set_key(row->forsorjning_fore_set, buf, size);
        return buf;
    case UTFALL_F_FORSORJNING_EFTER:
        utfall_income_set_key(row->forsorjning_efter_set, buf, size);
        return buf;
    default: {
        long col = c->x->field_col[c->field];
        return col >= 0 && (size_t)col < row->record->nfields ? row->record->fields[col] : "";
    }
    }
}
