#include "utfall/summary.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/group.h"
#include "core/internal.h"

#define MAX_SPLITS 8

struct split_counts {
    long enrolled, persons, active, exited;
};

struct split {
    utfall_grouper *g;
    struct split_counts *c;
    size_t cap;
};

static int grow_counts(struct split *s, size_t n)
{
    if (n <= s->cap)
        return 0;
    size_t ncap = s->cap ? s->cap * 2 : 16;
    while (ncap < n)
        ncap *= 2;
    struct split_counts *c = realloc(s->c, ncap * sizeof *c);
    if (!c)
        return -1;
    memset(c + s->cap, 0, (ncap - s->cap) * sizeof *c);
    s->c = c;
    s->cap = ncap;
    return 0;
}

/* One entry per distinct person: the id's hash and, per split, the group
 * of the person's first episode.  Only a person seen in a second group
 * of a split adds a (split, group, person) entry to a separate set, so
 * memory is one entry per person plus one per extra group. */
struct person_table {
    uint64_t *ids; /* 0 = empty slot */
    int32_t *first;
    size_t cap, used, nsplit;
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

utfall_status utfall_summary_compute(utfall_extract *x, const utfall_summary_options *opt,
                                     utfall_doc *doc, utfall_error *err)
{
    utfall_status st = UTFALL_OK;
    utfall_lang lang = opt->lang;
    char items[MAX_SPLITS + 1][128];
    size_t nsplit = utfall_split_list(opt->by && *opt->by ? opt->by : "kon,aldersgrupp,enhet",
                                      items, MAX_SPLITS + 1);
    if (nsplit > MAX_SPLITS)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_TOO_MANY_KEYS,
                                "at most %d split columns", MAX_SPLITS);
    struct split splits[MAX_SPLITS];
    memset(splits, 0, sizeof splits);
    utfall_grouper *period = NULL;
    struct person_table persons = {NULL, NULL, 0, 0, 0};
    utfall_hashset *split_persons = utfall_hashset_new();
    long *days_hist = NULL;
    size_t days_cap = 0;
    long enrolled = 0, active = 0, exited = 0, npersons = 0, days_n = 0, outcome_missing = 0;
    long outcome_counts[UTFALL_OUTCOME_COUNT] = {0};
    double days_sum = 0;
    long days_min = -1, days_max = -1;
    long *period_counts = NULL;
    size_t period_cap = 0;
    if (!split_persons) {
        st = nomem(err);
        goto done;
    }
    int explicit_by = opt->by && *opt->by;
    for (size_t i = 0; i < nsplit; i++) {
        if ((st = utfall_grouper_new(x, items[i], &splits[i].g, err))) {
            if (explicit_by || st != UTFALL_ERR_USAGE)
                goto done;
            /* a default split whose column the extract lacks is left out */
            st = UTFALL_OK;
            utfall_error_clear(err);
            memmove(items + i, items + i + 1, (nsplit - i - 1) * sizeof items[0]);
            nsplit--;
            i--;
        }
    }
    static const char *const per_keys[] = {"inskriven_ar", "inskriven_kvartal", "inskriven"};
    if (opt->per == UTFALL_PER_MONTH) {
        /* months are not a derived key of their own: group by year-month below */
        if ((st = utfall_grouper_new(x, "", &period, err)))
            goto done;
    } else if ((st = utfall_grouper_new(x, per_keys[opt->per], &period, err))) {
        goto done;
    }

    /* months need their own small table: index = months since 1900 */
    long month_counts[300 * 12];
    memset(month_counts, 0, sizeof month_counts);

    utfall_row row;
    int got;
    while ((got = utfall_extract_next(x, &row, err)) == 1) {
        enrolled++;
        int is_exited = row.avslutad != UTFALL_DATE_NONE;
        active += !is_exited;
        exited += is_exited;
        uint64_t idh = utfall_hash_str(0, row.id);
        int newp;
        persons.nsplit = nsplit;
        long slot = person_slot(&persons, idh, &newp);
        if (slot < 0) {
            st = nomem(err);
            goto done;
        }
        npersons += newp;
        int32_t *first = persons.first + (size_t)slot * (nsplit ? nsplit : 1);
        for (size_t i = 0; i < nsplit; i++) {
            long gi = utfall_grouper_index(splits[i].g, &row);
            if (gi < 0 || grow_counts(&splits[i], (size_t)gi + 1)) {
                st = nomem(err);
                goto done;
            }
            struct split_counts *c = &splits[i].c[gi];
            c->enrolled++;
            c->active += !is_exited;
            c->exited += is_exited;
            int np;
            if (newp) {
                first[i] = (int32_t)gi;
                np = 1;
            } else if (first[i] == (int32_t)gi) {
                np = 0;
            } else {
                np = utfall_hashset_add(split_persons,
                                        utfall_hash_str(((uint64_t)i << 40) ^ (uint64_t)gi, row.id));
            }
            if (np < 0) {
                st = nomem(err);
                goto done;
            }
            c->persons += np;
        }
        if (is_exited) {
            if (row.avslutsorsak >= 0)
                outcome_counts[row.avslutsorsak]++;
            else
                outcome_missing++;
            long d = (long)(row.avslutad - row.inskriven);
            if ((size_t)d >= days_cap) {
                size_t ncap = days_cap ? days_cap : 1024;
                while (ncap <= (size_t)d)
                    ncap *= 2;
                long *h = realloc(days_hist, ncap * sizeof *h);
                if (!h) {
                    st = nomem(err);
                    goto done;
                }
                memset(h + days_cap, 0, (ncap - days_cap) * sizeof *h);
                days_hist = h;
                days_cap = ncap;
            }
            days_hist[d]++;
            days_n++;
            days_sum += (double)d;
            if (days_min < 0 || d < days_min)
                days_min = d;
            if (d > days_max)
                days_max = d;
        }
        if (opt->per == UTFALL_PER_MONTH) {
            int y, m, dd;
            utfall_date_to_ymd(row.inskriven, &y, &m, &dd);
            month_counts[(y - 1900) * 12 + m - 1]++;
        } else {
            long pi = utfall_grouper_index(period, &row);
            if (pi < 0) {
                st = nomem(err);
                goto done;
            }
            if ((size_t)pi >= period_cap) {
                size_t ncap = period_cap ? period_cap * 2 : 64;
                long *pc = realloc(period_counts, ncap * sizeof *pc);
                if (!pc) {
                    st = nomem(err);
                    goto done;
                }
                memset(pc + period_cap, 0, (ncap - period_cap) * sizeof *pc);
                period_counts = pc;
                period_cap = ncap;
            }
            period_counts[pi]++;
        }
    }
    if (got < 0) {
        st = err->status;
        goto done;
    }

    char label[256], lbuf[128], num[64];
    /* overview */
    {
        utfall_table *t = utfall_table_new("rows", UTFALL_TABLE_ROWS);
        if (!t) {
            st = nomem(err);
            goto done;
        }
        utfall_table_set_title(t, utfall_tr(lang, "title.overview"));
        int ce = utfall_table_add_column(t, "enrolled", "col.enrolled", UTFALL_COL_COUNT, 0);
        int cp = utfall_table_add_column(t, "persons", "col.persons", UTFALL_COL_COUNT, 0);
        int ca = utfall_table_add_column(t, "active", "col.active", UTFALL_COL_COUNT, 0);
        int cx = utfall_table_add_column(t, "exited", "col.exited", UTFALL_COL_COUNT, 0);
        utfall_table_column_part_of(t, ca, ce);
        utfall_table_column_part_of(t, cx, ce);
        int r = utfall_table_add_row(t, UTFALL_ROW_TOTAL);
        utfall_table_set_num(t, r, ce, (double)enrolled);
        utfall_table_set_num(t, r, cp, (double)npersons);
        utfall_table_set_num(t, r, ca, (double)active);
        utfall_table_set_num(t, r, cx, (double)exited);
        utfall_table_add_note(t, utfall_tr(lang, "note.episodes"));
        utfall_doc_add(doc, t);
    }
    /* one table per split column */
    for (size_t i = 0; i < nsplit; i++) {
        const char *key = utfall_grouper_key_name(splits[i].g, 0);
        char tkey[160];
        snprintf(tkey, sizeof tkey, "by_%s", key);
        utfall_table *t = utfall_table_new(tkey, UTFALL_TABLE_ROWS);
        if (!t) {
            st = nomem(err);
            goto done;
        }
        snprintf(lbuf, sizeof lbuf, "%s", key_label(lang, key, label, sizeof label));
        lower_first(lbuf);
        snprintf(label, sizeof label, utfall_tr(lang, "title.by"), lbuf);
        utfall_table_set_title(t, label);
        int cg = utfall_table_add_group_column(t, key, lang);
        int ce = utfall_table_add_column(t, "enrolled", "col.enrolled", UTFALL_COL_COUNT, 0);
        int cs = utfall_table_add_column(t, "share", "col.share", UTFALL_COL_SHARE, 1);
        utfall_table_column_depends(t, cs, ce);
        int cp = utfall_table_add_column(t, "persons", "col.persons", UTFALL_COL_COUNT, 0);
        int ca = utfall_table_add_column(t, "active", "col.active", UTFALL_COL_COUNT, 0);
        int cx = utfall_table_add_column(t, "exited", "col.exited", UTFALL_COL_COUNT, 0);
        utfall_table_column_part_of(t, ca, ce);
        utfall_table_column_part_of(t, cx, ce);
        size_t ng = utfall_grouper_ngroups(splits[i].g);
        const size_t *order = utfall_grouper_order(splits[i].g);
        if (!order) {
            utfall_table_free(t);
            st = nomem(err);
            goto done;
        }
        for (size_t k = 0; k < ng && enrolled > 0; k++) {
            size_t gi = order[k];
            struct split_counts *c = &splits[i].c[gi];
            int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
            utfall_table_set_text(t, r, cg, utfall_grouper_value(splits[i].g, gi, 0));
            utfall_table_set_num(t, r, ce, (double)c->enrolled);
            utfall_table_set_num(t, r, cs, (double)c->enrolled / (double)enrolled);
            utfall_table_set_num(t, r, cp, (double)c->persons);
            utfall_table_set_num(t, r, ca, (double)c->active);
            utfall_table_set_num(t, r, cx, (double)c->exited);
        }
        int r = utfall_table_add_row(t, UTFALL_ROW_TOTAL);
        utfall_table_set_num(t, r, ce, (double)enrolled);
        utfall_table_set_num(t, r, cs, enrolled ? 1.0 : NAN);
        utfall_table_set_num(t, r, cp, (double)npersons);
        utfall_table_set_num(t, r, ca, (double)active);
        utfall_table_set_num(t, r, cx, (double)exited);
        utfall_table_add_note(t, utfall_tr(lang, "note.share_enrolled"));
        utfall_doc_add(doc, t);
    }
    /* exit outcomes */
    {
        utfall_table *t = utfall_table_new("outcomes", UTFALL_TABLE_ROWS);
        if (!t) {
            st = nomem(err);
            goto done;
        }
        utfall_table_set_title(t, utfall_tr(lang, "title.outcomes"));
        int cg = utfall_table_add_column(t, "avslutsorsak", "col.avslutsorsak", UTFALL_COL_GROUP, 0);
        int cc = utfall_table_add_column(t, "count", "col.count", UTFALL_COL_COUNT, 0);
        int cs = utfall_table_add_column(t, "share", "col.share", UTFALL_COL_SHARE, 1);
        utfall_table_column_depends(t, cs, cc);
        for (int o = 0; o <= UTFALL_OUTCOME_COUNT; o++) {
            long n = o < UTFALL_OUTCOME_COUNT ? outcome_counts[o] : outcome_missing;
            if (!n)
                continue;
            int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
            utfall_table_set_text(t, r, cg, o < UTFALL_OUTCOME_COUNT ? utfall_outcome_key(o) : "");
            utfall_table_set_num(t, r, cc, (double)n);
            utfall_table_set_num(t, r, cs, (double)n / (double)exited);
        }
        int r = utfall_table_add_row(t, UTFALL_ROW_TOTAL);
        utfall_table_set_num(t, r, cc, (double)exited);
        utfall_table_set_num(t, r, cs, exited ? 1.0 : NAN);
        utfall_table_add_note(t, utfall_tr(lang, "note.share_exited"));
        utfall_doc_add(doc, t);
    }
    /* days in programme */
    {
        utfall_table *t = utfall_table_new("days", UTFALL_TABLE_OBJECT);
        if (!t) {
            st = nomem(err);
            goto done;
        }
        utfall_table_set_title(t, utfall_tr(lang, "title.days"));
        int cn = utfall_table_add_column(t, "n", "col.exited", UTFALL_COL_COUNT, 0);
        int cm = utfall_table_add_column(t, "mean_days", "col.mean_days", UTFALL_COL_NUMBER, 1);
        int cd = utfall_table_add_column(t, "median_days", "col.median_days", UTFALL_COL_NUMBER, 1);
        int c0 = utfall_table_add_column(t, "min_days", "col.min_days", UTFALL_COL_COUNT, 0);
        int c1 = utfall_table_add_column(t, "max_days", "col.max_days", UTFALL_COL_COUNT, 0);
        /* days are not counts of persons, but a mean of few is theirs */
        utfall_table_column_not_suppressible(t, c0);
        utfall_table_column_not_suppressible(t, c1);
        utfall_table_column_depends(t, cm, cn);
        utfall_table_column_depends(t, cd, cn);
        utfall_table_column_depends(t, c0, cn);
        utfall_table_column_depends(t, c1, cn);
        int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
        utfall_table_set_num(t, r, cn, (double)days_n);
        utfall_table_set_num(t, r, cm, days_n ? days_sum / (double)days_n : NAN);
        utfall_table_set_num(t, r, cd, median_from_hist(days_hist, days_cap, days_n));
        utfall_table_set_num(t, r, c0, days_n ? (double)days_min : NAN);
        utfall_table_set_num(t, r, c1, days_n ? (double)days_max : NAN);
        utfall_table_add_note(t, utfall_tr(lang, "note.days"));
        utfall_doc_add(doc, t);
    }
    /* enrolments per period */
    {
        utfall_table *t = utfall_table_new("enrolments", UTFALL_TABLE_ROWS);
        if (!t) {
            st = nomem(err);
            goto done;
        }
        utfall_table_set_title(t, utfall_tr(lang, "title.enrolments"));
        int cg = utfall_table_add_column(t, "period", "col.period", UTFALL_COL_GROUP, 0);
        int cc = utfall_table_add_column(t, "enrolled", "col.enrolled", UTFALL_COL_COUNT, 0);
        if (opt->per == UTFALL_PER_MONTH) {
            for (int k = 0; k < 300 * 12; k++) {
                if (!month_counts[k])
                    continue;
                int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
                snprintf(num, sizeof num, "%04d-%02d", 1900 + k / 12, k % 12 + 1);
                utfall_table_set_text(t, r, cg, num);
                utfall_table_set_num(t, r, cc, (double)month_counts[k]);
            }
        } else {
            size_t ng = enrolled ? utfall_grouper_ngroups(period) : 0;
            const size_t *order = utfall_grouper_order(period);
            for (size_t k = 0; order && k < ng; k++) {
                int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
                utfall_table_set_text(t, r, cg, utfall_grouper_value(period, order[k], 0));
                utfall_table_set_num(t, r, cc, (double)period_counts[order[k]]);
            }
        }
        int r = utfall_table_add_row(t, UTFALL_ROW_TOTAL);
        utfall_table_set_num(t, r, cc, (double)enrolled);
        utfall_doc_add(doc, t);
    }
done:
    for (size_t i = 0; i < nsplit; i++) {
        utfall_grouper_free(splits[i].g);
        free(splits[i].c);
    }
    utfall_grouper_free(period);
    free(persons.ids);
    free(persons.first);
    utfall_hashset_free(split_persons);
    free(days_hist);
    free(period_counts);
    return st;
}
