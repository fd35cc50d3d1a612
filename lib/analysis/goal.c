#include "utfall/goal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/group.h"
#include "utfall/protect.h"
#include "utfall/summary.h"
#include "core/internal.h"
#include "analysis/states.h"
#include "analysis/goal_columns.h"

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

/* What the goal counts of a set of episodes (or, with --unit persons, of
 * persons by their latest episode): one group's, or the total's.  The
 * base of the share is exited or enrolled; reached are exits with an
 * outcome of the goal. */
struct goal_counts {
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

struct goal_run {
    const utfall_goal_options *opt;
    utfall_lang lang;
    utfall_grouper *g;
    struct goal_counts *groups; /* by group index */
    size_t cap;
    struct goal_counts total;
    struct person_map persons; /* with --unit persons */
    unsigned states_seen; /* analysis/states.h */
};

static utfall_status nomem(utfall_error *err)
{
    return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
}

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

/* ---- reading ----------------------------------------------------------- */

static void count(struct goal_counts *c, int exited, int reached)
{
    c->enrolled++;
    c->exited += exited;
    c->reached += reached;
}

/* With --unit persons a row only updates its person: the latest episode
 * decides (a later row wins a tie). */
static int remember_person(struct goal_run *r, const utfall_row *row, long gi, int exited,
                           int reached)
{
    struct person *p = person_slot(&r->persons, row->person);
    if (!p || gi >= (1L << 30))
        return -1;
    if (p->inskriven == UTFALL_DATE_NONE || row->inskriven >= p->inskriven) {
        p->inskriven = row->inskriven;
        p->group = (uint32_t)gi;
        p->exited = exited != 0;
        p->reached = reached != 0;
    }
    return 0;
}

static utfall_status read_rows(struct goal_run *r, utfall_extract *x, utfall_error *err)
{
    const utfall_goal_options *opt = r->opt;
    utfall_row row;
    int got;
    while ((got = utfall_extract_next(x, &row, err)) == 1) {
        long gi = utfall_grouper_index(r->g, &row);
        if (gi < 0)
            return nomem(err);
        int exited = row.avslutad != UTFALL_DATE_NONE;
        int reached = exited && row.avslutsorsak >= 0
                      && ((opt->success >> row.avslutsorsak) & 1);
        r->states_seen |= utfall_state_bit(&row);
        if (opt->unit == UTFALL_UNIT_PERSONS) {
            if (remember_person(r, &row, gi, exited, reached))
                return nomem(err);
        } else {
            if (UTFALL_GROW(r->groups, r->cap, (size_t)gi + 1))
                return nomem(err);
            count(&r->groups[gi], exited, reached);
        }
    }
    return got < 0 ? err->status : UTFALL_OK;
}

static utfall_status count_persons(struct goal_run *r, utfall_error *err)
{
    if (UTFALL_GROW(r->groups, r->cap, utfall_grouper_ngroups(r->g)))
        return nomem(err);
    for (size_t i = 0; i < r->persons.cap; i++) {
        const struct person *p = &r->persons.slots[i];
        if (p->id)
            count(&r->groups[p->group], p->exited, p->reached);
    }
    return UTFALL_OK;
}

static void count_total(struct goal_run *r)
{
    size_t ng = utfall_grouper_ngroups(r->g);
    for (size_t i = 0; i < ng && i < r->cap; i++) {
        r->total.enrolled += r->groups[i].enrolled;
        r->total.exited += r->groups[i].exited;
        r->total.reached += r->groups[i].reached;
    }
}

/* ---- the table --------------------------------------------------------- */

const utfall_colspec utfall_goal_columns[G_NCOLS] = {
    [G_N] = {.key = "n", .type = UTFALL_COL_COUNT},
    [G_REACHED] = {.key = "reached", .type = UTFALL_COL_COUNT},
    [G_SHARE] = {.key = "share", .type = UTFALL_COL_SHARE, .decimals = 1,
                 .depends = {"reached", "n"}},
    [G_CI_LOW] = {.key = "ci_low", .type = UTFALL_COL_SHARE, .decimals = 1,
                  .depends = {"reached", "n"}},
    [G_CI_HIGH] = {.key = "ci_high", .type = UTFALL_COL_SHARE, .decimals = 1,
                   .depends = {"reached", "n"}},
    [G_TARGET] = {.key = "target", .type = UTFALL_COL_SHARE},
    [G_MET] = {.key = "met", .type = UTFALL_COL_BOOL, .depends = {"reached", "n"}},
    [G_P_VALUE] = {.key = "p_value", .type = UTFALL_COL_PVALUE, .decimals = 3,
                   .depends = {"reached", "n"}},
    [G_NEEDED] = {.key = "needed", .type = UTFALL_COL_COUNT, .depends = {"reached", "n"}},
    [G_EXCLUDED] = {.key = "excluded", .type = UTFALL_COL_COUNT},
};

/* Without a target its columns are null: left to machines. */
static int add_goal_columns(utfall_table *t, const utfall_goal_options *opt)
{
    utfall_colspec cols[G_NCOLS];
    memcpy(cols, utfall_goal_columns, sizeof cols);
    for (int k = G_TARGET; k <= G_NEEDED && isnan(opt->target); k++)
        cols[k].flags |= UTFALL_COLF_MACHINE_ONLY;
    return utfall_table_add_columns(t, cols, G_NCOLS);
}

static utfall_status fill_row(utfall_table *t, int r, int c, const struct goal_counts *g,
                              const utfall_goal_options *opt, long n, utfall_error *err)
{
    utfall_table_set_num(t, r, c + G_N, (double)n);
    utfall_table_set_num(t, r, c + G_REACHED, (double)g->reached);
    utfall_interval iv;
    utfall_status st = utfall_prop_ci(g->reached, n, opt->level, opt->ci, &iv, err);
    if (st)
        return st;
    utfall_table_set_num(t, r, c + G_SHARE, iv.estimate);
    utfall_table_set_num(t, r, c + G_CI_LOW, iv.lower);
    utfall_table_set_num(t, r, c + G_CI_HIGH, iv.upper);
    utfall_table_set_num(t, r, c + G_TARGET, opt->target);
    if (!isnan(opt->target) && n > 0) {
        double p;
        if ((st = utfall_binom_test_greater(g->reached, n, opt->target, &p, err)))
            return st;
        utfall_table_set_num(t, r, c + G_MET, iv.estimate >= opt->target ? 1 : 0);
        utfall_table_set_num(t, r, c + G_P_VALUE, p);
        /* the small tolerance keeps 35 % of 300 at 105, not 106 */
        double need = ceil(opt->target * (double)n - 1e-9) - (double)g->reached;
        utfall_table_set_num(t, r, c + G_NEEDED, need > 0 ? need : 0);
    } else {
        utfall_table_set_na(t, r, c + G_MET);
        utfall_table_set_na(t, r, c + G_P_VALUE);
        utfall_table_set_na(t, r, c + G_NEEDED);
    }
    long base = opt->base == UTFALL_BASE_EXITED ? g->exited : g->enrolled;
    utfall_table_set_num(t, r, c + G_EXCLUDED, (double)(g->enrolled - base));
    return UTFALL_OK;
}

/* What the counts count (utfall/protect.h): n is the base, reached the
 * exits to the goal's outcomes, excluded the active; a planned base is no
 * count of people. */
static void define_cells(const struct goal_run *r, utfall_table *t, int c, utfall_doc *doc)
{
    const utfall_goal_options *opt = r->opt;
    char cond[512];
    utfall_state_condition(opt->success, cond, sizeof cond);
    utfall_declare_states(doc, r->states_seen);
    if (opt->unit == UTFALL_UNIT_PERSONS) {
        utfall_doc_dimension_value(doc, "latest", "yes");
        utfall_doc_dimension_value(doc, "latest", "no");
        utfall_table_set_population(t, "latest:yes"); /* a person's latest episode */
    }
    utfall_table_column_cell(t, c + G_REACHED, cond);
    if (opt->base == UTFALL_BASE_FIXED) {
        utfall_table_column_not_suppressible(t, c + G_N);
        utfall_table_column_not_suppressible(t, c + G_EXCLUDED);
        return;
    }
    utfall_table_column_part_of(t, c + G_REACHED, c + G_N);
    if (opt->base == UTFALL_BASE_EXITED) {
        utfall_table_column_cell(t, c + G_N, "state:exited");
        utfall_table_column_cell(t, c + G_EXCLUDED, "state:active");
    } else {
        utfall_table_column_not_suppressible(t, c + G_EXCLUDED); /* always 0 */
    }
}

/* A failed row is left unfinished and the others are filled: the last
 * failure is the one reported.  *out is the caller's to free. */
static utfall_status goal_table(const struct goal_run *r, utfall_table **out, utfall_doc *doc,
                                utfall_error *err)
{
    const utfall_goal_options *opt = r->opt;
    utfall_table *t = *out = utfall_table_new("rows", UTFALL_TABLE_ROWS);
    if (!t)
        return nomem(err);
    utfall_table_set_title(t, utfall_tr(r->lang, "title.goal"));
    size_t nk = utfall_grouper_nkeys(r->g);
    for (size_t k = 0; k < nk; k++)
        utfall_table_add_group_column(t, utfall_grouper_key_name(r->g, k), r->lang);
    int c = add_goal_columns(t, opt);
    define_cells(r, t, c, doc);
    const size_t *order = utfall_grouper_order(r->g);
    if (!order)
        return nomem(err);
    int failed = 0;
    size_t ng = nk > 0 && r->total.enrolled > 0 ? utfall_grouper_ngroups(r->g) : 0;
    for (size_t k = 0; k < ng; k++) {
        const struct goal_counts *n = &r->groups[order[k]];
        int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
        for (size_t key = 0; key < nk; key++)
            utfall_table_set_text(t, row, (int)key, utfall_grouper_value(r->g, order[k], key));
        long base = opt->base == UTFALL_BASE_EXITED ? n->exited : n->enrolled;
        failed |= fill_row(t, row, c, n, opt, base, err) != UTFALL_OK;
    }
    int row = utfall_table_add_row(t, UTFALL_ROW_TOTAL);
    long base = opt->base == UTFALL_BASE_EXITED    ? r->total.exited
                : opt->base == UTFALL_BASE_ENROLLED ? r->total.enrolled
                                                    : opt->fixed_base;
    failed |= fill_row(t, row, c, &r->total, opt, base, err) != UTFALL_OK;
    if (opt->base == UTFALL_BASE_FIXED)
        utfall_table_set_num(t, row, c + G_EXCLUDED, 0);
    return failed ? err->status : UTFALL_OK;
}

/* The definition under the table: numerator, denominator, exclusions,
 * interval method. */
static void goal_notes(const struct goal_run *r, utfall_table *t)
{
    const utfall_goal_options *opt = r->opt;
    utfall_lang lang = r->lang;
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
    if (opt->base == UTFALL_BASE_EXITED && r->total.enrolled > r->total.exited)
        utfall_table_add_note_cell(t, utfall_tr(lang, "note.goal.excluded_active"),
                                   utfall_table_nrows(t) - 1,
                                   (int)utfall_grouper_nkeys(r->g) + G_EXCLUDED, lang);
    if (opt->unit == UTFALL_UNIT_PERSONS)
        utfall_table_add_note(t, utfall_tr(lang, "note.goal.persons"));
    char lvl[32], method[64];
    utfall_fmt_percent(lang, opt->level, 0, lvl, sizeof lvl);
    snprintf(method, sizeof method, "method.%s", utfall_prop_ci_method_name(opt->ci));
    snprintf(note, sizeof note, utfall_tr(lang, "note.goal.ci"), lvl, utfall_tr(lang, method));
    utfall_table_add_note(t, note);
    if (!isnan(opt->target))
        utfall_table_add_note(t, utfall_tr(lang, "note.goal.target"));
}

utfall_status utfall_goal_compute(utfall_extract *x, const utfall_goal_options *opt,
                                  utfall_doc *doc, utfall_error *err)
{
    if (opt->base == UTFALL_BASE_FIXED && opt->by && *opt->by)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_FIXED_BASE_BY,
                                "--base with a planned number applies to the whole project; it "
                                "cannot be combined with --by");
    struct goal_run r = {.opt = opt, .lang = opt->lang};
    utfall_table *t = NULL;
    utfall_status st = utfall_grouper_new(x, opt->by ? opt->by : "", &r.g, err);
    if (!st)
        st = read_rows(&r, x, err);
    if (!st && opt->unit == UTFALL_UNIT_PERSONS)
        st = count_persons(&r, err);
    if (!st) {
        count_total(&r);
        st = goal_table(&r, &t, doc, err);
    }
    if (!st) {
        goal_notes(&r, t);
        utfall_doc_add(doc, t);
        t = NULL;
    }
    utfall_table_free(t);
    free(r.groups);
    free(r.persons.slots);
    utfall_grouper_free(r.g);
    return st;
}
