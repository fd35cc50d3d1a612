#include "utfall/split.h"
#include "utfall/protect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/group.h"
#include "core/internal.h"

void utfall_split_options_init(utfall_split_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->by = "kon";
    opt->base = UTFALL_BASE_EXITED;
    opt->level = UTFALL_STATS_DEFAULT_LEVEL;
}

static const char *col_label_key(utfall_lang lang, const char *key, char *buf, size_t size)
{
    snprintf(buf, size, "col.%s", key);
    return utfall_tr(lang, buf) == buf ? NULL : buf;
}

static utfall_status nomem(utfall_error *err)
{
    return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
}

/* One row of the crosstab: a group's episodes by outcome, and their sum,
 * the base of the group's shares.  The total row is one too. */
struct outcome_counts {
    long *by_outcome; /* by outcome index */
    size_t cap;
    long n;
};

static long count_of(const struct outcome_counts *c, size_t outcome)
{
    return outcome < c->cap ? c->by_outcome[outcome] : 0;
}

static int count_outcome(struct outcome_counts *c, size_t outcome)
{
    if (UTFALL_GROW(c->by_outcome, c->cap, outcome + 1))
        return -1;
    c->by_outcome[outcome]++;
    c->n++;
    return 0;
}

enum split_test {
    TEST_CHI2 = 1u << 0,
    TEST_FISHER = 1u << 1,
    TEST_DIFF = 1u << 2,
    TEST_RR = 1u << 3
};

/* The tests of the crosstab over the groups whose keys are stated. */
struct split_tests {
    unsigned made; /* enum split_test: the tests that could be made */
    utfall_chisq_result chi;
    double fisher;
    utfall_interval diff, rr; /* 2 x 2: the first outcome's share, first group against second */
    size_t untested;          /* groups left out for a key not stated */
};

/* With --success the outcomes are these two, in this order. */
static const char *const bin_keys[2] = {"reached", "not_reached"};
static const size_t bin_order[2] = {0, 1};

struct split_run {
    const utfall_split_options *opt;
    utfall_lang lang;
    utfall_grouper *g; /* the groups */
    utfall_grouper *o; /* the outcomes, unless --success */
    struct outcome_counts *groups; /* by group index */
    size_t gcap;
    struct outcome_counts total;
    long excluded;     /* active episodes, outside an exited base */
    unsigned states_seen; /* exits by outcome; bit 30: active, 31: exit without one */
    utfall_table *excluded_table; /* the count the note on excluded states */
    size_t nk, ng, no; /* group keys, groups and outcomes in the tables */
    const size_t *gorder, *oorder;
    struct split_tests tests;
};

/* ---- reading ----------------------------------------------------------- */

static utfall_status open_groupers(struct split_run *r, utfall_extract *x, utfall_error *err)
{
    const utfall_split_options *opt = r->opt;
    utfall_status st = utfall_grouper_new(x, opt->by ? opt->by : "kon", &r->g, err);
    if (st)
        return st;
    if (utfall_grouper_nkeys(r->g) == 0)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_NO_GROUPS, "--by needs a column");
    if (opt->success)
        return UTFALL_OK;
    return utfall_grouper_new(x, opt->outcome ? opt->outcome : "avslutsorsak", &r->o, err);
}

/* An exit with one of the outcomes in the set. */
static int reached(unsigned success, const utfall_row *row)
{
    return row->avslutad != UTFALL_DATE_NONE && row->avslutsorsak >= 0
           && ((success >> row->avslutsorsak) & 1);
}

static utfall_status read_rows(struct split_run *r, utfall_extract *x, utfall_error *err)
{
    const utfall_split_options *opt = r->opt;
    utfall_row row;
    int got;
    while ((got = utfall_extract_next(x, &row, err)) == 1) {
        int exited = row.avslutad != UTFALL_DATE_NONE;
        r->states_seen |= !exited ? 1u << 30
                          : row.avslutsorsak >= 0 ? 1u << row.avslutsorsak
                                                  : 1u << 31;
        if (opt->base == UTFALL_BASE_EXITED && !exited) {
            r->excluded++;
            continue;
        }
        long gi = utfall_grouper_index(r->g, &row);
        long oi;
        if (opt->success) /* in the order of bin_keys */
            oi = reached(opt->success, &row) ? 0 : 1;
        else
            oi = utfall_grouper_index(r->o, &row);
        if (gi < 0 || oi < 0 || UTFALL_GROW(r->groups, r->gcap, (size_t)gi + 1)
            || count_outcome(&r->groups[gi], (size_t)oi) || count_outcome(&r->total, (size_t)oi))
            return nomem(err);
    }
    return got < 0 ? err->status : UTFALL_OK;
}

/* The groups and outcomes in their order; none when nothing was counted. */
static utfall_status arrange(struct split_run *r, utfall_error *err)
{
    if (r->total.n > 0) {
        r->ng = utfall_grouper_ngroups(r->g);
        r->no = r->opt->success ? 2 : utfall_grouper_ngroups(r->o);
    }
    r->nk = utfall_grouper_nkeys(r->g);
    r->gorder = utfall_grouper_order(r->g);
    r->oorder = r->opt->success ? bin_order : utfall_grouper_order(r->o);
    if (!r->gorder || (r->no && !r->oorder))
        return nomem(err);
    return UTFALL_OK;
}

/* Row ga of the crosstab (in order); the total after the groups. */
static const struct outcome_counts *row_counts(const struct split_run *r, size_t ga)
{
    return ga < r->ng ? &r->groups[r->gorder[ga]] : &r->total;
}

static const char *outcome_value(const struct split_run *r, size_t b)
{
    return r->opt->success ? bin_keys[b] : utfall_grouper_value(r->o, b, 0);
}

/* ---- tests ------------------------------------------------------------- */

/* Failed tests are left out of the tables and notes, not reported. */
static void run_tests(struct split_run *r, utfall_error *err)
{
    struct split_tests *s = &r->tests;
    s->fisher = NAN;
    s->diff = s->rr = (utfall_interval){NAN, NAN, NAN};
    size_t ng = r->ng, no = r->no, tested = 0;
    long *m = calloc((ng ? ng : 1) * (no ? no : 1), sizeof *m);
    if (!m)
        return; /* out of memory: no tests, as if none could be made */
    for (size_t ga = 0; ga < ng; ga++) {
        int stated = 1;
        for (size_t k = 0; k < r->nk; k++)
            stated &= utfall_grouper_value(r->g, r->gorder[ga], k)[0] != '\0';
        if (!stated) {
            s->untested++;
            continue;
        }
        for (size_t ob = 0; ob < no; ob++)
            m[tested * no + ob] = count_of(row_counts(r, ga), r->oorder[ob]);
        tested++;
    }
    if (tested > 0 && no > 0 && utfall_chisq_test(m, tested, no, &s->chi, err) == UTFALL_OK)
        s->made |= TEST_CHI2;
    if (tested == 2 && no == 2) {
        double level = r->opt->level;
        if (utfall_fisher_exact_2x2(m[0], m[1], m[2], m[3], &s->fisher, err) == UTFALL_OK)
            s->made |= TEST_FISHER;
        if (utfall_prop_diff_newcombe(m[0], m[0] + m[1], m[2], m[2] + m[3], level, &s->diff, err)
            == UTFALL_OK)
            s->made |= TEST_DIFF;
        if (utfall_risk_ratio_katz(m[0], m[0] + m[1], m[2], m[2] + m[3], level, &s->rr, err)
            == UTFALL_OK)
            s->made |= TEST_RR;
    }
    free(m);
    utfall_error_clear(err);
}

/* ---- what the counts count (utfall/protect.h) ----------------------------- */

/* The outcomes are exit outcomes (the dimension "state"), unless --outcome
 * names another column: then that column is the dimension. */
static int outcome_is_column(const struct split_run *r)
{
    const char *o = r->opt->outcome;
    return !r->opt->success && o && *o && strcmp(o, "avslutsorsak");
}

/* The states an outcome value stands for, comma-separated. */
static void outcome_states(const struct split_run *r, const char *value, char *buf, size_t size)
{
    int enrolled = r->opt->base != UTFALL_BASE_EXITED;
    size_t n = 0;
    buf[0] = '\0';
    if (!r->opt->success) {
        snprintf(buf, size, *value ? "exited/%s" : enrolled ? "active,exited/unknown"
                                                            : "exited/unknown", value);
        return;
    }
    int want = !strcmp(value, "reached");
    for (int o = 0; o < UTFALL_OUTCOME_COUNT && n < size; o++)
        if ((int)((r->opt->success >> o) & 1) == want)
            n += (size_t)snprintf(buf + n, size - n, "%sexited/%s", n ? "," : "",
                                  utfall_outcome_key(o));
    if (!want && n < size)
        snprintf(buf + n, size - n, "%sexited/unknown%s", n ? "," : "",
                 enrolled ? ",active" : "");
}

static void declare_states(const struct split_run *r, utfall_doc *doc)
{
    for (int o = 0; o < UTFALL_OUTCOME_COUNT; o++) {
        char v[64];
        snprintf(v, sizeof v, "exited/%s", utfall_outcome_key(o));
        if ((r->states_seen >> o) & 1)
            utfall_doc_dimension_value(doc, "state", v);
    }
    if ((r->states_seen >> 30) & 1)
        utfall_doc_dimension_value(doc, "state", "active");
    if ((r->states_seen >> 31) & 1)
        utfall_doc_dimension_value(doc, "state", "exited/unknown");
}

/* A table of exited participants counts in them; with --base enrolled, in all. */
static void set_population(const struct split_run *r, utfall_table *t)
{
    if (r->opt->base == UTFALL_BASE_EXITED)
        utfall_table_set_population(t, "state:exited");
}

/* The crosstab's column for outcome value ov. */
static void define_outcome_column(const struct split_run *r, utfall_table *t, int col,
                                  const char *ov)
{
    if (outcome_is_column(r)) {
        utfall_table_column_cell_value(t, col, r->opt->outcome, ov);
        return;
    }
    char states[512], cond[600];
    outcome_states(r, ov, states, sizeof states);
    snprintf(cond, sizeof cond, "state:%s", states);
    utfall_table_column_cell(t, col, cond);
}

/* The long table's outcome column: its values stand for states. */
static void define_outcome_group(const struct split_run *r, utfall_table *t, int col)
{
    if (outcome_is_column(r))
        return; /* a column of the extract: a dimension by its own name */
    utfall_table_column_dimension(t, col, "state", "exited/");
    char states[512];
    for (size_t b = 0; b < r->no; b++) {
        const char *ov = outcome_value(r, b);
        if (r->opt->success || !*ov) {
            outcome_states(r, ov, states, sizeof states);
            utfall_table_column_value_means(t, col, ov, states);
        }
    }
}

/* ---- tables ------------------------------------------------------------ */

static void add_group_columns(const struct split_run *r, utfall_table *t)
{
    char lk[160];
    for (size_t k = 0; k < r->nk; k++) {
        const char *key = utfall_grouper_key_name(r->g, k);
        utfall_table_add_column(t, key, col_label_key(r->lang, key, lk, sizeof lk),
                                UTFALL_COL_GROUP, 0);
    }
}

/* The total row leaves the group keys empty. */
static void set_group_values(const struct split_run *r, utfall_table *t, int row, size_t ga)
{
    for (size_t k = 0; k < r->nk && ga < r->ng; k++)
        utfall_table_set_text(t, row, (int)k, utfall_grouper_value(r->g, r->gorder[ga], k));
}

static double share_of(long count, long n)
{
    return n ? (double)count / (double)n : NAN;
}

/* after the group and outcome columns */
enum { LONG_COUNT, LONG_SHARE, LONG_N, LONG_NCOLS };
static const utfall_colspec long_cols[LONG_NCOLS] = {
    [LONG_COUNT] = {.key = "count", .type = UTFALL_COL_COUNT, .part_of = "n"},
    [LONG_SHARE] = {.key = "share", .type = UTFALL_COL_SHARE, .decimals = 1,
                    .depends = {"count", "n"}},
    [LONG_N] = {.key = "n", .type = UTFALL_COL_COUNT},
};

/* For machines: one row per group and outcome, then the total's rows
 * (group rows too, with the group keys empty). */
static utfall_status long_table(const struct split_run *r, utfall_doc *doc, utfall_error *err)
{
    utfall_table *t = utfall_table_new("rows", UTFALL_TABLE_ROWS);
    if (!t)
        return nomem(err);
    utfall_table_set_machine_only(t);
    add_group_columns(r, t);
    char lk[160];
    const char *okey = r->opt->success ? "reached" : utfall_grouper_key_name(r->o, 0);
    int co = utfall_table_add_column(t, okey, col_label_key(r->lang, okey, lk, sizeof lk),
                                     UTFALL_COL_GROUP, 0);
    int c = utfall_table_add_columns(t, long_cols, LONG_NCOLS);
    set_population(r, t);
    define_outcome_group(r, t, co);
    utfall_table_column_margin_over(t, c + LONG_N, okey); /* the group's n, beside each outcome */
    declare_states(r, doc);
    for (size_t ga = 0; ga <= r->ng; ga++) {
        const struct outcome_counts *n = row_counts(r, ga);
        for (size_t ob = 0; ob < r->no; ob++) {
            size_t b = r->oorder[ob];
            int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
            set_group_values(r, t, row, ga);
            utfall_table_set_text(t, row, co, outcome_value(r, b));
            utfall_table_set_num(t, row, c + LONG_COUNT, (double)count_of(n, b));
            utfall_table_set_num(t, row, c + LONG_SHARE, share_of(count_of(n, b), n->n));
            utfall_table_set_num(t, row, c + LONG_N, (double)n->n);
        }
    }
    utfall_doc_add(doc, t);
    return UTFALL_OK;
}

/* One count-and-share column per outcome, labelled by its value. */
static void add_outcome_columns(const struct split_run *r, utfall_table *w)
{
    for (size_t k = 0; k < r->no; k++) {
        const char *ov = outcome_value(r, r->oorder[k]);
        char vk[300];
        snprintf(vk, sizeof vk, "val.%s", ov);
        const char *label_key = !ov[0] ? "missing" : utfall_tr(r->lang, vk) == vk ? NULL : vk;
        int col = utfall_table_add_column(w, ov[0] ? ov : "missing", label_key,
                                          UTFALL_COL_COUNT_SHARE, 0);
        define_outcome_column(r, w, col, ov);
    }
}

static const utfall_colspec crosstab_n_col[] = {{.key = "n", .type = UTFALL_COL_COUNT}};

/* For people: one row per group, a count and share per outcome. */
static utfall_status crosstab_table(const struct split_run *r, utfall_table **out,
                                    utfall_error *err)
{
    utfall_table *w = *out = utfall_table_new("crosstab", UTFALL_TABLE_ROWS);
    if (!w)
        return nomem(err);
    utfall_table_set_human_only(w);
    add_group_columns(r, w);
    int co = utfall_table_ncols(w);
    add_outcome_columns(r, w);
    int cn = utfall_table_add_columns(w, crosstab_n_col, 1);
    set_population(r, w);
    for (size_t ob = 0; ob < r->no; ob++)
        utfall_table_column_part_of(w, co + (int)ob, cn);
    for (size_t ga = 0; ga <= r->ng; ga++) {
        const struct outcome_counts *n = row_counts(r, ga);
        int row = utfall_table_add_row(w, ga < r->ng ? UTFALL_ROW_GROUP : UTFALL_ROW_TOTAL);
        set_group_values(r, w, row, ga);
        for (size_t ob = 0; ob < r->no; ob++) {
            long count = count_of(n, r->oorder[ob]);
            utfall_table_set_count_share(w, row, co + (int)ob, (double)count,
                                         share_of(count, n->n));
        }
        utfall_table_set_num(w, row, cn, (double)n->n);
    }
    utfall_table_set_title(w, utfall_tr(r->lang, "title.split"));
    return UTFALL_OK;
}

enum {
    T_CHI2, T_DF, T_CHI2_P, T_MIN_EXPECTED, T_FISHER_P,
    T_DIFF, T_DIFF_LOW, T_DIFF_HIGH, T_RR, T_RR_LOW, T_RR_HIGH, T_NCOLS
};
/* machine-only, so no catalogue labels: each is labelled by its key */
static const utfall_colspec test_cols[T_NCOLS] = {
    [T_CHI2] = {.key = "chi2", .label_key = "chi2", .type = UTFALL_COL_NUMBER, .decimals = 3},
    [T_DF] = {.key = "df", .label_key = "df", .type = UTFALL_COL_NUMBER},
    [T_CHI2_P] = {.key = "chi2_p_value", .label_key = "chi2_p_value", .type = UTFALL_COL_PVALUE,
                  .decimals = 3},
    [T_MIN_EXPECTED] = {.key = "min_expected", .label_key = "min_expected",
                        .type = UTFALL_COL_NUMBER, .decimals = 2},
    [T_FISHER_P] = {.key = "fisher_p_value", .label_key = "fisher_p_value",
                    .type = UTFALL_COL_PVALUE, .decimals = 3},
    [T_DIFF] = {.key = "diff", .label_key = "diff", .type = UTFALL_COL_PP, .decimals = 1},
    [T_DIFF_LOW] = {.key = "diff_ci_low", .label_key = "diff_ci_low", .type = UTFALL_COL_PP,
                    .decimals = 1},
    [T_DIFF_HIGH] = {.key = "diff_ci_high", .label_key = "diff_ci_high", .type = UTFALL_COL_PP,
                     .decimals = 1},
    [T_RR] = {.key = "risk_ratio", .label_key = "risk_ratio", .type = UTFALL_COL_NUMBER,
              .decimals = 2},
    [T_RR_LOW] = {.key = "rr_ci_low", .label_key = "rr_ci_low", .type = UTFALL_COL_NUMBER,
                  .decimals = 2},
    [T_RR_HIGH] = {.key = "rr_ci_high", .label_key = "rr_ci_high", .type = UTFALL_COL_NUMBER,
                   .decimals = 2},
};

static void set_interval(utfall_table *t, int row, int col, const utfall_interval *iv)
{
    utfall_table_set_num(t, row, col, iv->estimate);
    utfall_table_set_num(t, row, col + 1, iv->lower);
    utfall_table_set_num(t, row, col + 2, iv->upper);
}

static utfall_status tests_table(const struct split_run *r, utfall_doc *doc, utfall_error *err)
{
    const struct split_tests *s = &r->tests;
    utfall_table *t = utfall_table_new("tests", UTFALL_TABLE_OBJECT);
    if (!t)
        return nomem(err);
    utfall_table_set_machine_only(t);
    utfall_table_add_columns(t, test_cols, T_NCOLS);
    utfall_table_derived_from(t, "crosstab"); /* all or nothing of the counts */
    int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
    for (int k = 0; k < T_NCOLS; k++)
        utfall_table_set_na(t, row, k);
    if (s->made & TEST_CHI2) {
        utfall_table_set_num(t, row, T_CHI2, s->chi.statistic);
        utfall_table_set_num(t, row, T_DF, s->chi.df);
        utfall_table_set_num(t, row, T_CHI2_P, s->chi.p_value);
        utfall_table_set_num(t, row, T_MIN_EXPECTED, s->chi.min_expected);
    }
    if (s->made & TEST_FISHER)
        utfall_table_set_num(t, row, T_FISHER_P, s->fisher);
    if (s->made & TEST_DIFF)
        set_interval(t, row, T_DIFF, &s->diff);
    if (s->made & TEST_RR)
        set_interval(t, row, T_RR, &s->rr);
    utfall_doc_add(doc, t);
    return UTFALL_OK;
}

/* ---- notes ------------------------------------------------------------- */

/* "< 0,001" for small p-values, else "= 0,123" */
static const char *p_value_text(utfall_lang lang, double p, char *buf, size_t size)
{
    utfall_fmt_decimal(lang, p < 0.001 ? 0.001 : p, 3, buf, size);
    return p < 0.001 ? "< " : "= ";
}

/* The active episodes left out of an exited base: a count the notes state,
 * so a cell of the document, in a table no writer shows. */
static const utfall_colspec excluded_col[] = {{.key = "excluded", .type = UTFALL_COL_COUNT}};

static utfall_status excluded_table(struct split_run *r, utfall_doc *doc, utfall_error *err)
{
    if (!r->excluded)
        return UTFALL_OK;
    utfall_table *t = utfall_table_new("excluded", UTFALL_TABLE_OBJECT);
    if (!t)
        return nomem(err);
    utfall_table_set_chart_only(t);
    utfall_table_add_columns(t, excluded_col, 1);
    utfall_table_column_cell(t, 0, "state:active");
    utfall_table_set_num(t, utfall_table_add_row(t, UTFALL_ROW_TOTAL), 0, (double)r->excluded);
    utfall_doc_add(doc, t);
    r->excluded_table = t;
    return UTFALL_OK;
}

/* People read the tests as notes under the crosstab. */
static void test_notes(const struct split_run *r, utfall_table *w)
{
    const struct split_tests *s = &r->tests;
    utfall_lang lang = r->lang;
    char note[1024], a[64], b[64], c[64], d[64];
    /* a test of counts some of which are hidden would tell of them */
    /* said once: the notes after the first go with it */
    const char *instead = utfall_tr(lang, "note.split.tests_hidden");
    /* On the value rather than s->made, as before: when no test could be
     * made (nothing counted, no group stated) chi is still all zero and
     * the note states X² = 0, df = 0 -- a fault to mend in a change of
     * its own, since it changes outputs. */
    if (isfinite(s->chi.statistic)) {
        utfall_fmt_decimal(lang, s->chi.statistic, 2, a, sizeof a);
        utfall_fmt_decimal(lang, s->chi.df, 0, b, sizeof b);
        const char *rel = p_value_text(lang, s->chi.p_value, c, sizeof c);
        snprintf(note, sizeof note, utfall_tr(lang, "note.split.chi2"), a, b, rel, c);
        utfall_table_add_note_if_whole(w, note, instead);
        instead = "";
        if (s->chi.cells_expected_below_5)
            utfall_table_add_note_if_whole(w, utfall_tr(lang, "note.split.expected_below_5"), "");
    } else {
        utfall_table_add_note(w, utfall_tr(lang, "note.split.no_test"));
    }
    if (isfinite(s->fisher)) {
        const char *rel = p_value_text(lang, s->fisher, a, sizeof a);
        snprintf(note, sizeof note, utfall_tr(lang, "note.split.fisher"), rel, a);
        utfall_table_add_note_if_whole(w, note, instead);
        instead = "";
    }
    if (isfinite(s->diff.estimate)) {
        utfall_fmt_decimal(lang, s->diff.estimate * 100, 1, a, sizeof a);
        utfall_fmt_decimal(lang, s->diff.lower * 100, 1, b, sizeof b);
        utfall_fmt_decimal(lang, s->diff.upper * 100, 1, c, sizeof c);
        utfall_fmt_percent(lang, r->opt->level, 0, d, sizeof d);
        snprintf(note, sizeof note, utfall_tr(lang, "note.split.diff"), a, d, b, c);
        utfall_table_add_note_if_whole(w, note, instead);
        instead = "";
    }
}

/* The definition: what reaches, the base, who is left out; then the tests. */
static void crosstab_notes(const struct split_run *r, utfall_table *w)
{
    const utfall_split_options *opt = r->opt;
    utfall_lang lang = r->lang;
    if (opt->success) {
        char outcomes[512], note[1024];
        utfall_outcome_set_describe(opt->success, lang, outcomes, sizeof outcomes);
        snprintf(note, sizeof note, utfall_tr(lang, "note.goal.reached"), outcomes);
        utfall_table_add_note(w, note);
    }
    utfall_table_add_note(w, utfall_tr(lang, opt->base == UTFALL_BASE_EXITED
                                                 ? "note.split.base_exited"
                                                 : "note.split.base_enrolled"));
    if (r->excluded && r->excluded_table)
        utfall_table_add_note_ref(w, utfall_tr(lang, "note.goal.excluded_active"),
                                  r->excluded_table, 0, 0, lang);
    if (r->tests.untested)
        utfall_table_add_note(w, utfall_tr(lang, "note.split.untested"));
    test_notes(r, w);
}

static void run_free(struct split_run *r)
{
    for (size_t i = 0; i < r->gcap; i++)
        free(r->groups[i].by_outcome);
    free(r->groups);
    free(r->total.by_outcome);
    utfall_grouper_free(r->g);
    utfall_grouper_free(r->o);
}

utfall_status utfall_split_compute(utfall_extract *x, const utfall_split_options *opt,
                                   utfall_doc *doc, utfall_error *err)
{
    struct split_run r = {.opt = opt, .lang = opt->lang};
    utfall_table *crosstab = NULL;
    utfall_status st = open_groupers(&r, x, err);
    if (!st)
        st = read_rows(&r, x, err);
    if (!st)
        st = arrange(&r, err);
    if (!st) {
        run_tests(&r, err);
        st = long_table(&r, doc, err);
    }
    if (!st)
        st = crosstab_table(&r, &crosstab, err);
    if (!st)
        st = excluded_table(&r, doc, err);
    if (!st) {
        crosstab_notes(&r, crosstab);
        utfall_doc_add(doc, crosstab);
    }
    if (!st)
        st = tests_table(&r, doc, err);
    run_free(&r);
    return st;
}
