#include "utfall/summary.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/group.h"
#include "utfall/protect.h"
#include "core/internal.h"
#include "analysis/states.h"

#define MAX_SPLITS 8
#define DEFAULT_SPLITS "kon,aldersgrupp,enhet"
/* Dates run from 1900 to 2199: enrolments by month since January 1900. */
#define MONTHS (300 * 12)

/* What the summary counts of a set of episodes: the whole extract, or the
 * episodes of one group of a split column.  Active and exited are the two
 * parts of enrolled; persons counts distinct ids among the episodes. */
struct episode_counts {
    long enrolled, persons, active, exited;
};

/* A split column and the counts of each of its groups (by group index). */
struct split {
    utfall_grouper *g;
    struct episode_counts *groups;
    size_t cap;
};

/* The exited episodes' days in programme; the histogram gives the exact
 * median without keeping every stay. */
struct days {
    long *hist; /* episodes by days in programme */
    size_t cap;
    long n, min, max;
    double sum;
};

/* One entry per distinct person: the id's hash and, per split, the group
 * of the person's first episode.  Only a person seen in a second group
 * of a split adds a (split, group, person) entry to a separate set, so
 * memory is one entry per person plus one per extra group. */
struct person_table {
    uint64_t *ids; /* 0 = empty slot */
    int32_t *first;
    size_t cap, used, nsplit;
};

struct summary_run {
    const utfall_summary_options *opt;
    utfall_lang lang;
    struct split splits[MAX_SPLITS];
    size_t nsplit;
    struct person_table persons;
    utfall_hashset *split_persons; /* persons in a group other than their first */
    struct episode_counts all;
    long outcomes[UTFALL_OUTCOME_COUNT + 1]; /* exits by outcome; the last: not stated */
    struct days days;
    utfall_grouper *period; /* enrolment year or quarter */
    long *period_counts;    /* enrolments by period group */
    size_t period_cap;
    long month_counts[MONTHS]; /* months are not a derived key of their own */
};

/* The person's slot; *is_new set if not seen before.  -1 on no memory. */
static long person_slot(struct person_table *t, uint64_t h, int *is_new)
{
    size_t ns = t->nsplit ? t->nsplit : 1;
    if ((t->used + 1) * 4 > t->cap * 3) {
        size_t ncap = t->cap ? t->cap * 2 : 1024;
        uint64_t *ids = calloc(ncap, sizeof *ids);
        int32_t *first = malloc(ncap * ns * sizeof *first);
        if (!ids || !first) {
            free(ids);
            free(first);
            return -1;
        }
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->ids[i])
                continue;
            size_t j = t->ids[i] & (ncap - 1);
            while (ids[j])
                j = (j + 1) & (ncap - 1);
            ids[j] = t->ids[i];
            memcpy(first + j * ns, t->first + i * ns, ns * sizeof *first);
        }
        free(t->ids);
        free(t->first);
        t->ids = ids;
        t->first = first;
        t->cap = ncap;
    }
    size_t j = h & (t->cap - 1);
    while (t->ids[j] && t->ids[j] != h)
        j = (j + 1) & (t->cap - 1);
    *is_new = !t->ids[j];
    if (*is_new) {
        t->ids[j] = h;
        t->used++;
    }
    return (long)j;
}

/* Column label for a key: catalogue "col.<key>" or the key itself. */
static const char *key_label(utfall_lang lang, const char *key, char *buf, size_t size)
{
    snprintf(buf, size, "col.%s", key);
    const char *l = utfall_tr(lang, buf);
    return l == buf ? key : l;
}

static void lower_first(char *s)
{
    unsigned char *u = (unsigned char *)s;
    if (u[0] >= 'A' && u[0] <= 'Z')
        u[0] = (unsigned char)(u[0] - 'A' + 'a');
    else if (u[0] == 0xC3 && u[1] >= 0x80 && u[1] <= 0x9E)
        u[1] = (unsigned char)(u[1] + 0x20);
}

static utfall_status nomem(utfall_error *err)
{
    return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
}

/* The exact median of integer day counts from a histogram. */
static double median_from_hist(const long *hist, size_t size, long n)
{
    if (n == 0)
        return NAN;
    long lo_rank = (n - 1) / 2, hi_rank = n / 2, seen = 0;
    double lo = NAN, hi = NAN;
    for (size_t d = 0; d < size; d++) {
        if (!hist[d])
            continue;
        if (isnan(lo) && seen + hist[d] > lo_rank)
            lo = (double)d;
        if (isnan(hi) && seen + hist[d] > hi_rank)
            hi = (double)d;
        seen += hist[d];
        if (!isnan(hi))
            break;
    }
    return (lo + hi) / 2.0;
}

/* ---- reading ----------------------------------------------------------- */

static utfall_status open_groupers(struct summary_run *r, utfall_extract *x, utfall_error *err)
{
    const utfall_summary_options *opt = r->opt;
    int explicit_by = opt->by && *opt->by;
    char keys[MAX_SPLITS + 1][128];
    size_t nkeys = utfall_split_list(explicit_by ? opt->by : DEFAULT_SPLITS, keys, MAX_SPLITS + 1);
    if (nkeys > MAX_SPLITS)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_TOO_MANY_KEYS,
                                "at most %d split columns", MAX_SPLITS);
    if (!(r->split_persons = utfall_hashset_new()))
        return nomem(err);
    for (size_t i = 0; i < nkeys; i++) {
        utfall_status st = utfall_grouper_new(x, keys[i], &r->splits[r->nsplit].g, err);
        if (!st) {
            r->nsplit++;
        } else if (explicit_by || st != UTFALL_ERR_USAGE) {
            return st;
        } else {
            /* a default split whose column the extract lacks is left out */
            utfall_error_clear(err);
        }
    }
    r->persons.nsplit = r->nsplit;
    static const char *const per_keys[] = {"inskriven_ar", "inskriven_kvartal", "inskriven"};
    /* months are counted in month_counts: their grouper is the empty one */
    return utfall_grouper_new(x, opt->per == UTFALL_PER_MONTH ? "" : per_keys[opt->per],
                              &r->period, err);
}

static void count_episode(struct episode_counts *c, int is_exited)
{
    c->enrolled++;
    c->active += !is_exited;
    c->exited += is_exited;
}

/* The episode in each split: its group's counts, and the person in that
 * group unless counted there before.  first: the person's first groups. */
static int count_splits(struct summary_run *r, const utfall_row *row, int32_t *first,
                        int new_person, int is_exited)
{
    for (size_t i = 0; i < r->nsplit; i++) {
        struct split *s = &r->splits[i];
        long gi = utfall_grouper_index(s->g, row);
        if (gi < 0 || UTFALL_GROW(s->groups, s->cap, (size_t)gi + 1))
            return -1;
        struct episode_counts *c = &s->groups[gi];
        count_episode(c, is_exited);
        int np;
        if (new_person) {
            first[i] = (int32_t)gi;
            np = 1;
        } else if (first[i] == (int32_t)gi) {
            np = 0;
        } else {
            uint64_t seed = ((uint64_t)i << 40) ^ (uint64_t)gi;
            np = utfall_hashset_add(r->split_persons, utfall_hash_u64(seed, row->person));
        }
        if (np < 0)
            return -1;
        c->persons += np;
    }
    return 0;
}

static int count_exit(struct summary_run *r, const utfall_row *row)
{
    r->outcomes[row->avslutsorsak >= 0 ? row->avslutsorsak : UTFALL_OUTCOME_COUNT]++;
    struct days *s = &r->days;
    long d = (long)(row->avslutad - row->inskriven);
    if (UTFALL_GROW(s->hist, s->cap, (size_t)d + 1))
        return -1;
    s->hist[d]++;
    s->n++;
    s->sum += (double)d;
    if (s->min < 0 || d < s->min)
        s->min = d;
    if (d > s->max)
        s->max = d;
    return 0;
}

static int count_period(struct summary_run *r, const utfall_row *row)
{
    if (r->opt->per == UTFALL_PER_MONTH) {
        int y, m, d;
        utfall_date_to_ymd(row->inskriven, &y, &m, &d);
        r->month_counts[(y - 1900) * 12 + m - 1]++;
        return 0;
    }
    long pi = utfall_grouper_index(r->period, row);
    if (pi < 0 || UTFALL_GROW(r->period_counts, r->period_cap, (size_t)pi + 1))
        return -1;
    r->period_counts[pi]++;
    return 0;
}

static utfall_status read_rows(struct summary_run *r, utfall_extract *x, utfall_error *err)
{
    utfall_row row;
    int got;
    while ((got = utfall_extract_next(x, &row, err)) == 1) {
        int is_exited = row.avslutad != UTFALL_DATE_NONE;
        count_episode(&r->all, is_exited);
        int new_person;
        long slot = person_slot(&r->persons, row.person, &new_person);
        if (slot < 0)
            return nomem(err);
        r->all.persons += new_person;
        int32_t *first = r->persons.first + (size_t)slot * (r->nsplit ? r->nsplit : 1);
        if (count_splits(r, &row, first, new_person, is_exited)
            || (is_exited && count_exit(r, &row)) || count_period(r, &row))
            return nomem(err);
    }
    return got < 0 ? err->status : UTFALL_OK;
}

/* ---- tables ------------------------------------------------------------ */

/* What the counts count (utfall/protect.h): the dimension "state" is
 * "active" or "exited/<outcome>" ("exited/unknown" without one); persons
 * are the episodes that are their person's first within the row's group. */
static void declare_states(const struct summary_run *r, utfall_doc *doc)
{
    unsigned seen = r->all.active ? 1u << STATE_BIT_ACTIVE : 0;
    for (int o = 0; o <= UTFALL_OUTCOME_COUNT; o++)
        if (r->outcomes[o])
            seen |= o < UTFALL_OUTCOME_COUNT ? 1u << o : 1u << STATE_BIT_UNKNOWN;
    utfall_declare_states(doc, seen);
    /* a person's gender does not change between episodes */
    utfall_doc_constant_per_person(doc, "kon");
}

/* persons, active, exited: the same cells in the overview and every split */
static void define_episode_columns(utfall_table *t, int c_persons, int c_active, int c_exited)
{
    utfall_table_column_cell(t, c_persons, "first:.");
    utfall_table_column_cell(t, c_active, "state:active");
    utfall_table_column_cell(t, c_exited, "state:exited");
}

enum { OV_ENROLLED, OV_PERSONS, OV_ACTIVE, OV_EXITED, OV_NCOLS };
static const utfall_colspec overview_cols[OV_NCOLS] = {
    [OV_ENROLLED] = {.key = "enrolled", .type = UTFALL_COL_COUNT},
    /* enrolled − persons, the project's re-enrolments, is no group's count */
    [OV_PERSONS] = {.key = "persons", .type = UTFALL_COL_COUNT, .part_of = "enrolled",
                    .flags = UTFALL_COLF_TOTAL_COMPLEMENT_PUBLIC},
    [OV_ACTIVE] = {.key = "active", .type = UTFALL_COL_COUNT, .part_of = "enrolled"},
    [OV_EXITED] = {.key = "exited", .type = UTFALL_COL_COUNT, .part_of = "enrolled"},
};

static utfall_status overview_table(const struct summary_run *r, utfall_doc *doc,
                                    utfall_error *err)
{
    utfall_table *t = utfall_table_new("rows", UTFALL_TABLE_ROWS);
    if (!t)
        return nomem(err);
    utfall_table_set_title(t, utfall_tr(r->lang, "title.overview"));
    utfall_table_add_columns(t, overview_cols, OV_NCOLS);
    define_episode_columns(t, OV_PERSONS, OV_ACTIVE, OV_EXITED);
    declare_states(r, doc);
    int row = utfall_table_add_row(t, UTFALL_ROW_TOTAL);
    utfall_table_set_num(t, row, OV_ENROLLED, (double)r->all.enrolled);
    utfall_table_set_num(t, row, OV_PERSONS, (double)r->all.persons);
    utfall_table_set_num(t, row, OV_ACTIVE, (double)r->all.active);
    utfall_table_set_num(t, row, OV_EXITED, (double)r->all.exited);
    utfall_table_add_note(t, utfall_tr(r->lang, "note.episodes"));
    utfall_doc_add(doc, t);
    return UTFALL_OK;
}

/* after the group column */
enum { BY_ENROLLED, BY_SHARE, BY_PERSONS, BY_ACTIVE, BY_EXITED, BY_NCOLS };
static const utfall_colspec by_split_cols[BY_NCOLS] = {
    [BY_ENROLLED] = {.key = "enrolled", .type = UTFALL_COL_COUNT},
    [BY_SHARE] = {.key = "share", .type = UTFALL_COL_SHARE, .decimals = 1,
                  .flags = UTFALL_COLF_SHARE_OF_TOTAL, .depends = {"enrolled"}},
    [BY_PERSONS] = {.key = "persons", .type = UTFALL_COL_COUNT, .part_of = "enrolled",
                    .flags = UTFALL_COLF_TOTAL_COMPLEMENT_PUBLIC},
    [BY_ACTIVE] = {.key = "active", .type = UTFALL_COL_COUNT, .part_of = "enrolled"},
    [BY_EXITED] = {.key = "exited", .type = UTFALL_COL_COUNT, .part_of = "enrolled"},
};

/* share: of all enrolments */
static void set_split_row(utfall_table *t, int row, int c, const struct episode_counts *n,
                          double share)
{
    utfall_table_set_num(t, row, c + BY_ENROLLED, (double)n->enrolled);
    utfall_table_set_num(t, row, c + BY_SHARE, share);
    utfall_table_set_num(t, row, c + BY_PERSONS, (double)n->persons);
    utfall_table_set_num(t, row, c + BY_ACTIVE, (double)n->active);
    utfall_table_set_num(t, row, c + BY_EXITED, (double)n->exited);
}

static utfall_status split_table(const struct summary_run *r, const struct split *s,
                                 utfall_doc *doc, utfall_error *err)
{
    const char *key = utfall_grouper_key_name(s->g, 0);
    char tkey[160], label[256], lbuf[128];
    snprintf(tkey, sizeof tkey, "by_%s", key);
    utfall_table *t = utfall_table_new(tkey, UTFALL_TABLE_ROWS);
    if (!t)
        return nomem(err);
    snprintf(lbuf, sizeof lbuf, "%s", key_label(r->lang, key, label, sizeof label));
    lower_first(lbuf);
    snprintf(label, sizeof label, utfall_tr(r->lang, "title.by"), lbuf);
    utfall_table_set_title(t, label);
    int cg = utfall_table_add_group_column(t, key, r->lang);
    int c = utfall_table_add_columns(t, by_split_cols, BY_NCOLS);
    define_episode_columns(t, c + BY_PERSONS, c + BY_ACTIVE, c + BY_EXITED);
    const size_t *order = utfall_grouper_order(s->g);
    if (!order) {
        utfall_table_free(t);
        return nomem(err);
    }
    long all = r->all.enrolled;
    size_t ng = all > 0 ? utfall_grouper_ngroups(s->g) : 0;
    for (size_t k = 0; k < ng; k++) {
        const struct episode_counts *n = &s->groups[order[k]];
        int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
        utfall_table_set_text(t, row, cg, utfall_grouper_value(s->g, order[k], 0));
        set_split_row(t, row, c, n, (double)n->enrolled / (double)all);
    }
    set_split_row(t, utfall_table_add_row(t, UTFALL_ROW_TOTAL), c, &r->all, all ? 1.0 : NAN);
    utfall_table_add_note(t, utfall_tr(r->lang, "note.share_enrolled"));
    utfall_doc_add(doc, t);
    return UTFALL_OK;
}

static utfall_status split_tables(const struct summary_run *r, utfall_doc *doc,
                                  utfall_error *err)
{
    utfall_status st = UTFALL_OK;
    for (size_t i = 0; i < r->nsplit && !st; i++)
        st = split_table(r, &r->splits[i], doc, err);
    return st;
}

enum { OUT_OUTCOME, OUT_COUNT, OUT_SHARE, OUT_NCOLS };
static const utfall_colspec outcome_cols[OUT_NCOLS] = {
    [OUT_OUTCOME] = {.key = "avslutsorsak", .type = UTFALL_COL_GROUP},
    [OUT_COUNT] = {.key = "count", .type = UTFALL_COL_COUNT},
    [OUT_SHARE] = {.key = "share", .type = UTFALL_COL_SHARE, .decimals = 1,
                   .flags = UTFALL_COLF_SHARE_OF_TOTAL, .depends = {"count"}},
};

static utfall_status outcomes_table(const struct summary_run *r, utfall_doc *doc,
                                    utfall_error *err)
{
    utfall_table *t = utfall_table_new("outcomes", UTFALL_TABLE_ROWS);
    if (!t)
        return nomem(err);
    utfall_table_set_title(t, utfall_tr(r->lang, "title.outcomes"));
    utfall_table_add_columns(t, outcome_cols, OUT_NCOLS);
    utfall_table_set_population(t, "state:exited");
    utfall_table_column_dimension(t, OUT_OUTCOME, "state", "exited/");
    long exited = r->all.exited;
    for (int o = 0; o <= UTFALL_OUTCOME_COUNT; o++) {
        long n = r->outcomes[o];
        if (!n)
            continue;
        int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
        utfall_table_set_text(t, row, OUT_OUTCOME,
                              o < UTFALL_OUTCOME_COUNT ? utfall_outcome_key(o) : "");
        utfall_table_set_num(t, row, OUT_COUNT, (double)n);
        utfall_table_set_num(t, row, OUT_SHARE, (double)n / (double)exited);
    }
    int row = utfall_table_add_row(t, UTFALL_ROW_TOTAL);
    utfall_table_set_num(t, row, OUT_COUNT, (double)exited);
    utfall_table_set_num(t, row, OUT_SHARE, exited ? 1.0 : NAN);
    utfall_table_add_note(t, utfall_tr(r->lang, "note.share_exited"));
    utfall_doc_add(doc, t);
    return UTFALL_OK;
}

/* Days are not counts of persons, but a figure of few persons is theirs:
 * every column goes with the number of exited episodes. */
enum { DAYS_N, DAYS_MEAN, DAYS_MEDIAN, DAYS_MIN, DAYS_MAX, DAYS_NCOLS };
static const utfall_colspec days_cols[DAYS_NCOLS] = {
    [DAYS_N] = {.key = "n", .label_key = "col.exited", .type = UTFALL_COL_COUNT},
    [DAYS_MEAN] = {.key = "mean_days", .type = UTFALL_COL_NUMBER, .decimals = 1,
                   .depends = {"n"}},
    [DAYS_MEDIAN] = {.key = "median_days", .type = UTFALL_COL_NUMBER, .decimals = 1,
                     .depends = {"n"}},
    [DAYS_MIN] = {.key = "min_days", .type = UTFALL_COL_COUNT,
                  .flags = UTFALL_COLF_NOT_SUPPRESSIBLE, .depends = {"n"}},
    [DAYS_MAX] = {.key = "max_days", .type = UTFALL_COL_COUNT,
                  .flags = UTFALL_COLF_NOT_SUPPRESSIBLE, .depends = {"n"}},
};

static utfall_status days_table(const struct summary_run *r, utfall_doc *doc, utfall_error *err)
{
    utfall_table *t = utfall_table_new("days", UTFALL_TABLE_OBJECT);
    if (!t)
        return nomem(err);
    utfall_table_set_title(t, utfall_tr(r->lang, "title.days"));
    utfall_table_add_columns(t, days_cols, DAYS_NCOLS);
    utfall_table_set_population(t, "state:exited");
    const struct days *s = &r->days;
    int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
    utfall_table_set_num(t, row, DAYS_N, (double)s->n);
    utfall_table_set_num(t, row, DAYS_MEAN, s->n ? s->sum / (double)s->n : NAN);
    utfall_table_set_num(t, row, DAYS_MEDIAN, median_from_hist(s->hist, s->cap, s->n));
    utfall_table_set_num(t, row, DAYS_MIN, s->n ? (double)s->min : NAN);
    utfall_table_set_num(t, row, DAYS_MAX, s->n ? (double)s->max : NAN);
    utfall_table_add_note(t, utfall_tr(r->lang, "note.days"));
    utfall_doc_add(doc, t);
    return UTFALL_OK;
}

enum { ENR_PERIOD, ENR_ENROLLED, ENR_NCOLS };
static const utfall_colspec enrolment_cols[ENR_NCOLS] = {
    [ENR_PERIOD] = {.key = "period", .type = UTFALL_COL_GROUP},
    [ENR_ENROLLED] = {.key = "enrolled", .type = UTFALL_COL_COUNT},
};

static void add_period_row(utfall_table *t, const char *period, long enrolled)
{
    int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
    utfall_table_set_text(t, row, ENR_PERIOD, period);
    utfall_table_set_num(t, row, ENR_ENROLLED, (double)enrolled);
}

static utfall_status enrolments_table(struct summary_run *r, utfall_doc *doc, utfall_error *err)
{
    utfall_table *t = utfall_table_new("enrolments", UTFALL_TABLE_ROWS);
    if (!t)
        return nomem(err);
    utfall_table_set_title(t, utfall_tr(r->lang, "title.enrolments"));
    utfall_table_add_columns(t, enrolment_cols, ENR_NCOLS);
    static const char *const period_dim[] = {"inskriven_ar", "inskriven_kvartal", "inskriven_manad"};
    utfall_table_column_dimension(t, ENR_PERIOD, period_dim[r->opt->per], NULL);
    if (r->opt->per == UTFALL_PER_MONTH) {
        for (int k = 0; k < MONTHS; k++) {
            char month[16];
            if (!r->month_counts[k])
                continue;
            snprintf(month, sizeof month, "%04d-%02d", 1900 + k / 12, k % 12 + 1);
            add_period_row(t, month, r->month_counts[k]);
        }
    } else {
        size_t ng = r->all.enrolled ? utfall_grouper_ngroups(r->period) : 0;
        const size_t *order = utfall_grouper_order(r->period);
        for (size_t k = 0; order && k < ng; k++)
            add_period_row(t, utfall_grouper_value(r->period, order[k], 0),
                           r->period_counts[order[k]]);
    }
    int row = utfall_table_add_row(t, UTFALL_ROW_TOTAL);
    utfall_table_set_num(t, row, ENR_ENROLLED, (double)r->all.enrolled);
    utfall_doc_add(doc, t);
    return UTFALL_OK;
}

static void run_free(struct summary_run *r)
{
    for (size_t i = 0; i < r->nsplit; i++) {
        utfall_grouper_free(r->splits[i].g);
        free(r->splits[i].groups);
    }
    utfall_grouper_free(r->period);
    free(r->persons.ids);
    free(r->persons.first);
    utfall_hashset_free(r->split_persons);
    free(r->days.hist);
    free(r->period_counts);
}

utfall_status utfall_summary_compute(utfall_extract *x, const utfall_summary_options *opt,
                                     utfall_doc *doc, utfall_error *err)
{
    struct summary_run r = {.opt = opt, .lang = opt->lang, .days = {.min = -1, .max = -1}};
    utfall_status st = open_groupers(&r, x, err);
    if (!st)
        st = read_rows(&r, x, err);
    if (!st)
        st = overview_table(&r, doc, err);
    if (!st)
        st = split_tables(&r, doc, err);
    if (!st)
        st = outcomes_table(&r, doc, err);
    if (!st)
        st = days_table(&r, doc, err);
    if (!st)
        st = enrolments_table(&r, doc, err);
    run_free(&r);
    return st;
}
