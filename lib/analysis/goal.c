#include "utfall/goal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/group.h"
#include "utfall/summary.h"
#include "core/internal.h"

void utfall_goal_options_init(utfall_goal_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->success = UTFALL_DEFAULT_SUCCESS;
    opt->base = UTFALL_BASE_EXITED;
    opt->target = NAN;
    opt->ci = UTFALL_PROP_CI_WILSON;
    opt->level = UTFALL_STATS_DEFAULT_LEVEL;
}

void utfall_outcome_set_describe(unsigned set, utfall_lang lang, char *buf, size_t size)
{
    int count = 0, total = 0;
    for (int o = 0; o < UTFALL_OUTCOME_COUNT; o++)
        total += (set >> o) & 1;
    size_t n = 0;
    buf[0] = '\0';
    for (int o = 0; o < UTFALL_OUTCOME_COUNT && n < size; o++) {
        if (!((set >> o) & 1))
            continue;
        char key[64];
        snprintf(key, sizeof key, "val.%s", utfall_outcome_key(o));
        char label[128];
        snprintf(label, sizeof label, "%s", utfall_tr(lang, key));
        /* lower case inside a sentence: "Arbete" → "arbete" */
            label[0] = (char)(label[0] >= 'A' && label[0] <= 'Z' ? label[0] + 32 : label[0]);
        const char *sep = count == 0 ? "" : count == total - 1 ? utfall_tr(lang, "list.and") : ", ";
        n += (size_t)snprintf(buf + n, size - n, "%s%s", sep, label);
        count++;
    }
}

struct group_counts {
    long enrolled, exited, reached;
};

/* 16 bytes a person: --unit persons keeps one per distinct id. */
struct person {
    uint64_t id;
    utfall_date inskriven;
    uint32_t group : 30, exited : 1, reached : 1;
};

struct person_map {
    struct person *slots;
    size_t cap, used;
};

static struct person *person_slot(struct person_map *m, uint64_t id)
{
    if ((m->used + 1) * 4 > m->cap * 3) {
        size_t ncap = m->cap ? m->cap * 2 : 1024;
        struct person *n = calloc(ncap, sizeof *n);
        if (!n)
            return NULL;
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->slots[i].id)
                continue;
            size_t j = m->slots[i].id & (ncap - 1);
            while (n[j].id)
                j = (j + 1) & (ncap - 1);
            n[j] = m->slots[i];
        }
        free(m->slots);
        m->slots = n;
        m->cap = ncap;
    }
    size_t j = id & (m->cap - 1);
    while (m->slots[j].id && m->slots[j].id != id)
        j = (j + 1) & (m->cap - 1);
    if (!m->slots[j].id) {
        m->slots[j].id = id;
        m->slots[j].inskriven = UTFALL_DATE_NONE;
        m->used++;
    }
    return &m->slots[j];
}

static void fill_row(utfall_table *t, int r, const struct group_counts *g,
                     const utfall_goal_options *opt, long base_n, utfall_error *err, int *failed)
{
    long n = base_n;
    int c = utfall_table_column_index(t, "n");
    utfall_table_set_num(t, r, c, (double)n);
    utfall_table_set_num(t, r, c + 1, (double)g->reached);
    utfall_interval iv;
    if (utfall_prop_ci(g->reached, n, opt->level, opt->ci, &iv, err)) {
        *failed = 1;
        return;
    }
    utfall_table_set_num(t, r, c + 2, iv.estimate);
    utfall_table_set_num(t, r, c + 3, iv.lower);
    utfall_table_set_num(t, r, c + 4, iv.upper);
    utfall_table_set_num(t, r, c + 5, opt->target);
    if (!isnan(opt->target) && n > 0) {
        double p;
        if (utfall_binom_test_greater(g->reached, n, opt->target, &p, err)) {
            *failed = 1;
            return;
        }
        utfall_table_set_num(t, r, c + 6, iv.estimate >= opt->target ? 1 : 0);
        utfall_table_set_num(t, r, c + 7, p);
        /* the small tolerance keeps 35 % of 300 at 105, not 106 */
        double need = ceil(opt->target * (double)n - 1e-9) - (double)g->reached;
        utfall_table_set_num(t, r, c + 8, need > 0 ? need : 0);
    } else {
        utfall_table_set_na(t, r, c + 6);
        utfall_table_set_na(t, r, c + 7);
        utfall_table_set_na(t, r, c + 8);
    }
    utfall_table_set_num(t, r, c + 9, (double)(g->enrolled - (opt->base == UTFALL_BASE_EXITED ? g->exited : g->enrolled)));
}

utfall_status utfall_goal_compute(utfall_extract *x, const utfall_goal_options *opt,
                                  utfall_doc *doc, utfall_error *err)
{
    utfall_lang lang = opt->lang;
    if (opt->base == UTFALL_BASE_FIXED && opt->by && *opt->by)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_FIXED_BASE_BY,
                                "--base with a planned number applies to the whole project; it "
                                "cannot be combined with --by");
    utfall_grouper *g = NULL;
    utfall_status st = utfall_grouper_new(x, opt->by ? opt->by : "", &g, err);
    if (st)
        return st;
    struct group_counts *counts = NULL, total = {0, 0, 0};
    size_t cap = 0;
    struct person_map persons = {NULL, 0, 0};
    utfall_row row;
    int got;
    while ((got = utfall_extract_next(x, &row, err)) == 1) {
        long gi = utfall_grouper_index(g, &row);
        if (gi < 0)
            goto nomem;
        int exited = row.avslutad != UTFALL_DATE_NONE;
        int reached = exited && row.avslutsorsak >= 0 && ((opt->success >> row.avslutsorsak) & 1);
        if (opt->unit == UTFALL_UNIT_PERSONS) {
            struct person *p = person_slot(&persons, utfall_hash_str(0, row.id));
            if (!p || gi >= (1L << 30))
                goto nomem;
            /* the latest episode decides (a later row wins a tie) */
            if (p->inskriven == UTFALL_DATE_NONE || row.inskriven >= p->inskriven) {
                p->inskriven = row.inskriven;
                p->group = (uint32_t)gi;
                p->exited = exited != 0;
                p->reached = reached != 0;
            }
            continue;
        }
        if ((size_t)gi >= cap) {
            size_t ncap = cap ? cap * 2 : 16;
            while (ncap <= (size_t)gi)
                ncap *= 2;
            struct group_counts *nc = realloc(counts, ncap * sizeof *nc);
            if (!nc)
                goto nomem;
            memset(nc + cap, 0, (ncap - cap) * sizeof *nc);
            counts = nc;
            cap = ncap;
        }
        counts[gi].enrolled++;
        counts[gi].exited += exited;
        counts[gi].reached += reached;
    }
    if (got < 0) {
        st = err->status;
        goto done;
    }
    if (opt->unit == UTFALL_UNIT_PERSONS) {
        cap = utfall_grouper_ngroups(g);
        counts = calloc(cap ? cap : 1, sizeof *counts);
        if (!counts)
            goto nomem;
        for (size_t i = 0; i < persons.cap; i++) {
            struct person *p = &persons.slots[i];
            if (!p->id)
                continue;
            counts[p->group].enrolled++;
            counts[p->group].exited += p->exited;
            counts[p->group].reached += p->reached;
        }
    }
    size_t ng = utfall_grouper_ngroups(g);
    for (size_t i = 0; i < ng && i < cap; i++) {
        total.enrolled += counts[i].enrolled;
        total.exited += counts[i].exited;
        total.reached += counts[i].reached;
    }

    utfall_table *t = utfall_table_new("rows", UTFALL_TABLE_ROWS);
    if (!t)
        goto nomem;
    utfall_table_set_title(t, utfall_tr(lang, "title.goal"));
    char label[256];
    for (size_t k = 0; k < utfall_grouper_nkeys(g); k++) {
        const char *key = utfall_grouper_key_name(g, k);
        utfall_table_add_group_column(t, key, lang);
    }
    utfall_table_add_column(t, "n", "col.n", UTFALL_COL_COUNT, 0);
    utfall_table_add_column(t, "reached", "col.reached", UTFALL_COL_COUNT, 0);
    utfall_table_add_column(t, "share", "col.share", UTFALL_COL_SHARE, 1);
    utfall_table_add_column(t, "ci_low", "col.ci_low", UTFALL_COL_SHARE, 1);
    utfall_table_add_column(t, "ci_high", "col.ci_high", UTFALL_COL_SHARE, 1);
    utfall_table_add_column(t, "target", "col.target", UTFALL_COL_SHARE, 0);
    utfall_table_add_column(t, "met", "col.met", UTFALL_COL_BOOL, 0);
    utfall_table_add_column(t, "p_value", "col.p_value", UTFALL_COL_PVALUE, 3);
    utfall_table_add_column(t, "needed", "col.needed", UTFALL_COL_COUNT, 0);
    utfall_table_add_column(t, "excluded", "col.excluded", UTFALL_COL_COUNT, 0);
    {
        int c_n = utfall_table_column_index(t, "n"), c_r = c_n + 1;
        static const char *const dependent[] = {"share", "ci_low", "ci_high", "met", "p_value", "needed"};
        for (size_t k = 0; k < 6; k++) {
            utfall_table_column_depends(t, utfall_table_column_index(t, dependent[k]), c_r);
            utfall_table_column_depends(t, utfall_table_column_index(t, dependent[k]), c_n);
        }
    }
    if (isnan(opt->target)) {
        for (const char *k = "target"; k; k = !strcmp(k, "target") ? "met" : !strcmp(k, "met") ? "p_value" : !strcmp(k, "p_value") ? "needed" : NULL)
            utfall_table_column_machine_only(t, utfall_table_column_index(t, k));
    }
    int failed = 0;
    const size_t *order = utfall_grouper_order(g);
    if (!order) {
        utfall_table_free(t);
        goto nomem;
    }
    if (utfall_grouper_nkeys(g) > 0) {
        for (size_t k = 0; k < ng && total.enrolled > 0; k++) {
            size_t gi = order[k];
            int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
            for (size_t key = 0; key < utfall_grouper_nkeys(g); key++)
                utfall_table_set_text(t, r, (int)key, utfall_grouper_value(g, gi, key));
            long base_n = opt->base == UTFALL_BASE_EXITED ? counts[gi].exited : counts[gi].enrolled;
            fill_row(t, r, &counts[gi], opt, base_n, err, &failed);
        }
    }
    int r = utfall_table_add_row(t, UTFALL_ROW_TOTAL);
    long base_n = opt->base == UTFALL_BASE_EXITED    ? total.exited
                  : opt->base == UTFALL_BASE_ENROLLED ? total.enrolled
                                                      : opt->fixed_base;
    fill_row(t, r, &total, opt, base_n, err, &failed);
    if (opt->base == UTFALL_BASE_FIXED)
        utfall_table_set_num(t, r, utfall_table_column_index(t, "excluded"), 0);
    if (failed) {
        utfall_table_free(t);
        st = err->status;
        goto done;
    }

    /* The definition under the table: numerator, denominator, exclusions,
     * interval method. */
    char outcomes[512], num[64], note[1024];
    utfall_outcome_set_describe(opt->success, lang, outcomes, sizeof outcomes);
    snprintf(note, sizeof note, utfall_tr(lang, "note.goal.reached"), outcomes);
    utfall_table_add_note(t, note);
    utfall_fmt_count(lang, opt->fixed_base, num, sizeof num);
    snprintf(note, sizeof note,
             utfall_tr(lang, opt->base == UTFALL_BASE_EXITED    ? "note.goal.base_exited"
                             : opt->base == UTFALL_BASE_ENROLLED ? "note.goal.base_enrolled"
                                                                 : "note.goal.base_fixed"),
             num);
    utfall_table_add_note(t, note);
    if (opt->base == UTFALL_BASE_EXITED && total.enrolled > total.exited) {
        utfall_table_add_note_count(t, utfall_tr(lang, "note.goal.excluded_active"),
                                    total.enrolled - total.exited, lang);
    }
    if (opt->unit == UTFALL_UNIT_PERSONS)
        utfall_table_add_note(t, utfall_tr(lang, "note.goal.persons"));
    char lvl[32];
    utfall_fmt_percent(lang, opt->level, 0, lvl, sizeof lvl);
    snprintf(label, sizeof label, "method.%s", utfall_prop_ci_method_name(opt->ci));
    snprintf(note, sizeof note, utfall_tr(lang, "note.goal.ci"), lvl, utfall_tr(lang, label));
    utfall_table_add_note(t, note);
    if (!isnan(opt->target))
        utfall_table_add_note(t, utfall_tr(lang, "note.goal.target"));
    utfall_doc_add(doc, t);
    goto done;
nomem:
    st = utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
done:
    free(counts);
    free(persons.slots);
    utfall_grouper_free(g);
    return st;
}
