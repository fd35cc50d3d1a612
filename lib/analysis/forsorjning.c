/* Income source at enrolment and at exit (include/utfall/forsorjning.h). */
#include "utfall/forsorjning.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/group.h"
#include "utfall/protect.h"
#include "core/internal.h"

/* Sources by index: the utfall_income values, then "not stated". */
#define NSRC (UTFALL_INCOME_COUNT + 1)
#define NOT_STATED UTFALL_INCOME_COUNT

/* What the "left" table counts of a group: exits that had the source. */
struct left_counts {
    long n, left, stayed, unknown;
};

struct income_run {
    const utfall_income_options *opt;
    unsigned states_seen; /* outcomes among exits; bit 30: active, 31: exit without one */
    long cross[NSRC][NSRC]; /* exited: [before][after] */
    unsigned seen_before, seen_after; /* sources seen among every episode, NOT_STATED too */
    utfall_grouper *g;
    struct left_counts *groups;
    size_t cap;
    struct left_counts total;
};

static utfall_status nomem(utfall_error *err)
{
    return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
}

void utfall_income_options_init(utfall_income_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->left = UTFALL_INCOME_AKTIVITETSERSATTNING;
    opt->ci = UTFALL_PROP_CI_WILSON;
    opt->level = UTFALL_STATS_DEFAULT_LEVEL;
}

/* "Aktivitetsersättning" → "aktivitetsersättning" inside a sentence. */
static void lower_first(char *s)
{
    unsigned char *u = (unsigned char *)s;
    if (u[0] >= 'A' && u[0] <= 'Z')
        u[0] = (unsigned char)(u[0] - 'A' + 'a');
    else if (u[0] == 0xC3 && u[1] >= 0x80 && u[1] <= 0x9E)
        u[1] = (unsigned char)(u[1] + 0x20);
}

static const char *source_key(int s)
{
    return s == NOT_STATED ? "" : utfall_income_key(s);
}

void utfall_income_left_condition(int left, unsigned seen, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "state:exited;forsorjning_fore:%s;forsorjning_efter:",
                                utfall_income_key(left));
    int any = 0;
    for (int s = 0; s < UTFALL_INCOME_COUNT && n < size; s++)
        if (s != left && ((seen >> s) & 1))
            n += (size_t)snprintf(buf + n, size - n, "%s%s", any++ ? "," : "", utfall_income_key(s));
    if (!any && n < size)
        snprintf(buf + n, size - n, "none"); /* no other source: nobody */
}

static void count_left(struct left_counts *c, int after, int left)
{
    c->n++;
    if (after == NOT_STATED)
        c->unknown++;
    else if (after == left)
        c->stayed++;
    else
        c->left++;
}

static utfall_status read_rows(struct income_run *r, utfall_extract *x, utfall_error *err)
{
    utfall_row row;
    int got;
    while ((got = utfall_extract_next(x, &row, err)) == 1) {
        int before = row.forsorjning_fore >= 0 ? row.forsorjning_fore : NOT_STATED;
        int after = row.forsorjning_efter >= 0 ? row.forsorjning_efter : NOT_STATED;
        r->seen_before |= 1u << before;
        r->seen_after |= 1u << after;
        long gi = utfall_grouper_index(r->g, &row);
        if (gi < 0 || UTFALL_GROW(r->groups, r->cap, (size_t)gi + 1))
            return nomem(err);
        r->states_seen |= row.avslutad == UTFALL_DATE_NONE ? 1u << 30
                          : row.avslutsorsak >= 0            ? 1u << row.avslutsorsak
                                                             : 1u << 31;
        if (row.avslutad == UTFALL_DATE_NONE)
            continue;
        r->cross[before][after]++;
        if (before == r->opt->left) {
            count_left(&r->groups[gi], after, r->opt->left);
            count_left(&r->total, after, r->opt->left);
        }
    }
    return got < 0 ? err->status : UTFALL_OK;
}

/* Every source that occurs is a value of its dimension, and so is every
 * state (protect.h). */
static void declare_sources(const struct income_run *r, utfall_doc *doc)
{
    for (int o = 0; o < UTFALL_OUTCOME_COUNT; o++)
        if ((r->states_seen >> o) & 1) {
            char v[64];
            snprintf(v, sizeof v, "exited/%s", utfall_outcome_key(o));
            utfall_doc_dimension_value(doc, "state", v);
        }
    if ((r->states_seen >> 30) & 1)
        utfall_doc_dimension_value(doc, "state", "active");
    if ((r->states_seen >> 31) & 1)
        utfall_doc_dimension_value(doc, "state", "exited/unknown");
    for (int s = 0; s < NSRC; s++) {
        if ((r->seen_before >> s) & 1)
            utfall_doc_dimension_value(doc, "forsorjning_fore", source_key(s));
        if ((r->seen_after >> s) & 1)
            utfall_doc_dimension_value(doc, "forsorjning_efter", source_key(s));
    }
}

/* ---- the crosstab ---------------------------------------------------------- */

static utfall_status crosstab(const struct income_run *r, utfall_doc *doc, utfall_error *err)
{
    utfall_lang lang = r->opt->lang;
    utfall_table *t = utfall_table_new("crosstab", UTFALL_TABLE_ROWS);
    if (!t)
        return nomem(err);
    utfall_table_set_title(t, utfall_tr(lang, "title.income.crosstab"));
    utfall_table_set_population(t, "state:exited");
    int cg = utfall_table_add_group_column(t, "forsorjning_fore", lang);
    int col[NSRC];
    long after_total[NSRC] = {0};
    for (int b = 0; b < NSRC; b++)
        for (int a = 0; a < NSRC; a++)
            after_total[a] += r->cross[b][a];
    int cn = -1;
    for (int a = 0; a < NSRC; a++) {
        col[a] = -1;
        if (!after_total[a])
            continue;
        char key[64], label[64];
        snprintf(key, sizeof key, "efter_%s", a == NOT_STATED ? "saknas" : utfall_income_key(a));
        snprintf(label, sizeof label, a == NOT_STATED ? "missing" : "val.%s", utfall_income_key(a));
        utfall_colspec spec = {.key = key, .label_key = label, .type = UTFALL_COL_COUNT};
        col[a] = utfall_table_add_columns(t, &spec, 1);
        utfall_table_column_cell_value(t, col[a], "forsorjning_efter", source_key(a));
    }
    utfall_colspec n_spec = {.key = "n", .type = UTFALL_COL_COUNT};
    cn = utfall_table_add_columns(t, &n_spec, 1);
    for (int a = 0; a < NSRC; a++)
        if (col[a] >= 0)
            utfall_table_column_part_of(t, col[a], cn);
    long total = 0;
    for (int b = 0; b < NSRC; b++) {
        long n = 0;
        for (int a = 0; a < NSRC; a++)
            n += r->cross[b][a];
        if (!n)
            continue;
        total += n;
        int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
        utfall_table_set_text(t, row, cg, source_key(b));
        for (int a = 0; a < NSRC; a++)
            if (col[a] >= 0)
                utfall_table_set_num(t, row, col[a], (double)r->cross[b][a]);
        utfall_table_set_num(t, row, cn, (double)n);
    }
    int row = utfall_table_add_row(t, UTFALL_ROW_TOTAL);
    for (int a = 0; a < NSRC; a++)
        if (col[a] >= 0)
            utfall_table_set_num(t, row, col[a], (double)after_total[a]);
    utfall_table_set_num(t, row, cn, (double)total);
    utfall_table_add_note(t, utfall_tr(lang, "note.income.crosstab"));
    utfall_doc_add(doc, t);
    return UTFALL_OK;
}

/* ---- left the source ----------------------------------------------------- */

enum { L_N, L_LEFT, L_SHARE, L_CI_LOW, L_CI_HIGH, L_STAYED, L_UNKNOWN, L_NCOLS };
static const utfall_colspec left_cols[L_NCOLS] = {
    [L_N] = {.key = "n", .label_key = "col.income.n", .type = UTFALL_COL_COUNT},
    [L_LEFT] = {.key = "left", .label_key = "col.income.left", .type = UTFALL_COL_COUNT,
                .part_of = "n"},
    [L_SHARE] = {.key = "share", .type = UTFALL_COL_SHARE, .decimals = 1,
                 .depends = {"left", "n"}},
    [L_CI_LOW] = {.key = "ci_low", .type = UTFALL_COL_SHARE, .decimals = 1,
                  .depends = {"left", "n"}},
    [L_CI_HIGH] = {.key = "ci_high", .type = UTFALL_COL_SHARE, .decimals = 1,
                   .depends = {"left", "n"}},
    [L_STAYED] = {.key = "stayed", .label_key = "col.income.stayed", .type = UTFALL_COL_COUNT,
                  .part_of = "n"},
    [L_UNKNOWN] = {.key = "unknown", .label_key = "col.income.unknown",
                   .type = UTFALL_COL_COUNT, .part_of = "n"},
};

static utfall_status left_row(const struct income_run *r, utfall_table *t, int row, int c,
                              const struct left_counts *n, utfall_error *err)
{
    utfall_table_set_num(t, row, c + L_N, (double)n->n);
    utfall_table_set_num(t, row, c + L_LEFT, (double)n->left);
    utfall_table_set_num(t, row, c + L_STAYED, (double)n->stayed);
    utfall_table_set_num(t, row, c + L_UNKNOWN, (double)n->unknown);
    utfall_interval iv;
    utfall_status st = utfall_prop_ci(n->left, n->n, r->opt->level, r->opt->ci, &iv, err);
    if (st)
        return st;
    utfall_table_set_num(t, row, c + L_SHARE, iv.estimate);
    utfall_table_set_num(t, row, c + L_CI_LOW, iv.lower);
    utfall_table_set_num(t, row, c + L_CI_HIGH, iv.upper);
    return UTFALL_OK;
}

static void left_cells(const struct income_run *r, utfall_table *t, int c)
{
    char cond[512];
    const char *k = utfall_income_key(r->opt->left);
    snprintf(cond, sizeof cond, "state:exited;forsorjning_fore:%s", k);
    utfall_table_set_population(t, cond);
    utfall_income_left_condition(r->opt->left, r->seen_after, cond, sizeof cond);
    utfall_table_column_cell(t, c + L_LEFT, strchr(strchr(cond, ';') + 1, ';') + 1);
    utfall_table_column_cell_value(t, c + L_STAYED, "forsorjning_efter", k);
    utfall_table_column_cell_value(t, c + L_UNKNOWN, "forsorjning_efter", "");
}

static void left_notes(const struct income_run *r, utfall_table *t)
{
    utfall_lang lang = r->opt->lang;
    char key[64], label[128], note[512], lvl[32], method[64];
    snprintf(key, sizeof key, "val.%s", utfall_income_key(r->opt->left));
    snprintf(label, sizeof label, "%s", utfall_tr(lang, key));
    lower_first(label);
    snprintf(note, sizeof note, utfall_tr(lang, "note.income.left"), label, label, label);
    utfall_table_add_note(t, note);
    utfall_fmt_percent(lang, r->opt->level, 0, lvl, sizeof lvl);
    snprintf(method, sizeof method, "method.%s", utfall_prop_ci_method_name(r->opt->ci));
    snprintf(note, sizeof note, utfall_tr(lang, "note.goal.ci"), lvl, utfall_tr(lang, method));
    utfall_table_add_note(t, note);
}

static utfall_status left_table(const struct income_run *r, utfall_doc *doc, utfall_error *err)
{
    utfall_lang lang = r->opt->lang;
    utfall_table *t = utfall_table_new("left", UTFALL_TABLE_ROWS);
    if (!t)
        return nomem(err);
    char key[64], label[128], title[256];
    snprintf(key, sizeof key, "val.%s", utfall_income_key(r->opt->left));
    snprintf(label, sizeof label, "%s", utfall_tr(lang, key));
    lower_first(label);
    snprintf(title, sizeof title, utfall_tr(lang, "title.income.left"), label);
    utfall_table_set_title(t, title);
    size_t nk = utfall_grouper_nkeys(r->g);
    for (size_t k = 0; k < nk; k++)
        utfall_table_add_group_column(t, utfall_grouper_key_name(r->g, k), lang);
    int c = utfall_table_add_columns(t, left_cols, L_NCOLS);
    left_cells(r, t, c);
    const size_t *order = utfall_grouper_order(r->g);
    utfall_status st = order ? UTFALL_OK : nomem(err);
    size_t ng = nk > 0 ? utfall_grouper_ngroups(r->g) : 0;
    for (size_t k = 0; k < ng && !st; k++) {
        if (order[k] >= r->cap || !r->groups[order[k]].n)
            continue;
        int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
        for (size_t key_i = 0; key_i < nk; key_i++)
            utfall_table_set_text(t, row, (int)key_i, utfall_grouper_value(r->g, order[k], key_i));
        st = left_row(r, t, row, c, &r->groups[order[k]], err);
    }
    if (!st)
        st = left_row(r, t, utfall_table_add_row(t, UTFALL_ROW_TOTAL), c, &r->total, err);
    if (st) {
        utfall_table_free(t);
        return st;
    }
    left_notes(r, t);
    utfall_doc_add(doc, t);
    return UTFALL_OK;
}

utfall_status utfall_income_compute(utfall_extract *x, const utfall_income_options *opt,
                                    utfall_doc *doc, utfall_error *err)
{
    struct income_run r = {.opt = opt};
    if (opt->left < 0 || opt->left >= UTFALL_INCOME_COUNT)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ARGUMENT,
                                "no such income source");
    utfall_status st = utfall_grouper_new(x, opt->by ? opt->by : "", &r.g, err);
    if (!st)
        st = read_rows(&r, x, err);
    if (!st) {
        declare_sources(&r, doc);
        st = crosstab(&r, doc, err);
    }
    if (!st)
        st = left_table(&r, doc, err);
    utfall_grouper_free(r.g);
    free(r.groups);
    return st;
}
