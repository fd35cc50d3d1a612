#include "utfall/hours.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/chart.h"
#include "utfall/group.h"
#include "utfall/protect.h"
#include "core/internal.h"

void utfall_hours_options_init(utfall_hours_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->level = UTFALL_STATS_DEFAULT_LEVEL;
}

/* What the hours count of a set of rows (a group, or the total): the
 * change of each row with both hours, and the rows without them. */
struct changes {
    double *d; /* after - before */
    size_t n, cap;
    long missing;
};

struct hours_run {
    const utfall_hours_options *opt;
    utfall_lang lang;
    utfall_grouper *g;
    size_t nk;              /* group keys; none: the total only */
    struct changes *groups; /* by group index */
    size_t cap;
    struct changes total; /* with groups, gathered from theirs at the end */
};

static utfall_status nomem(utfall_error *err)
{
    return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
}

/* ---- reading ----------------------------------------------------------- */

static int push(struct changes *s, double v)
{
    if (UTFALL_GROW(s->d, s->cap, s->n + 1))
        return -1;
    s->d[s->n++] = v;
    return 0;
}

static utfall_status read_rows(struct hours_run *r, utfall_extract *x, utfall_error *err)
{
    utfall_row row;
    int got;
    while ((got = utfall_extract_next(x, &row, err)) == 1) {
        long gi = utfall_grouper_index(r->g, &row);
        if (gi < 0 || UTFALL_GROW(r->groups, r->cap, (size_t)gi + 1))
            return nomem(err);
        if (isnan(row.timmar_fore) || isnan(row.timmar_efter)) {
            r->groups[gi].missing++;
            r->total.missing++;
            continue;
        }
        /* after − before, in that order, as R computes paired differences */
        double d = row.timmar_efter - row.timmar_fore;
        /* 10.3 - 10.2 is 0.1000000000000014 in binary: round to the data's
         * resolution so that equal changes compare equal */
        d = round(d * 1e9) / 1e9;
        /* One number per row: in its group's list, or, without groups,
         * in the total's; the total of groups is gathered at the end. */
        if (push(r->nk ? &r->groups[gi] : &r->total, d))
            return nomem(err);
    }
    return got < 0 ? err->status : UTFALL_OK;
}

/* The groups' lists become the total's: the largest is grown in place
 * and the others appended and freed one by one, so that the changes are
 * held once. */
static utfall_status gather_total(struct hours_run *r, utfall_error *err)
{
    if (!r->nk)
        return UTFALL_OK; /* the changes went to the total as they were read */
    size_t big = 0, n = 0;
    for (size_t i = 0; i < r->cap; i++) {
        n += r->groups[i].n;
        if (r->groups[i].n > r->groups[big].n)
            big = i;
    }
    if (!n)
        return UTFALL_OK;
    struct changes *t = &r->total, *b = &r->groups[big];
    double *d = realloc(b->d, n * sizeof *d);
    if (!d)
        return nomem(err);
    *t = (struct changes){d, b->n, n, t->missing};
    b->d = NULL;
    for (size_t i = 0; i < r->cap; i++) {
        struct changes *s = &r->groups[i];
        if (i == big || !s->n)
            continue;
        memcpy(t->d + t->n, s->d, s->n * sizeof *d);
        t->n += s->n;
        free(s->d);
        s->d = NULL;
    }
    return UTFALL_OK;
}

/* ---- tables ------------------------------------------------------------ */

/* After the group columns.  A terminal table cannot hold every figure:
 * people get the essentials. */
enum {
    H_N, H_MISSING, H_INCREASED, H_UNCHANGED, H_DECREASED, H_MEAN, H_SD, H_CI_LOW, H_CI_HIGH,
    H_MEDIAN, H_Q1, H_Q3, H_T_P, H_WILCOXON_P, H_SIGN_P, H_NCOLS
};
/* The tests and the quantiles are functions of how many increased and
 * decreased (the sign test is nothing else): hidden with any of them. */
static const utfall_colspec hours_cols[H_NCOLS] = {
    [H_N] = {.key = "n", .type = UTFALL_COL_COUNT},
    [H_MISSING] = {.key = "missing", .type = UTFALL_COL_COUNT},
    [H_INCREASED] = {.key = "increased", .type = UTFALL_COL_COUNT, .part_of = "n"},
    [H_UNCHANGED] = {.key = "unchanged", .type = UTFALL_COL_COUNT, .part_of = "n"},
    [H_DECREASED] = {.key = "decreased", .type = UTFALL_COL_COUNT, .part_of = "n"},
    [H_MEAN] = {.key = "mean_change", .type = UTFALL_COL_NUMBER, .decimals = 1,
                .depends = {"n"}},
    [H_SD] = {.key = "sd_change", .type = UTFALL_COL_NUMBER, .decimals = 1,
              .flags = UTFALL_COLF_MACHINE_ONLY, .depends = {"n"}},
    [H_CI_LOW] = {.key = "ci_low", .type = UTFALL_COL_NUMBER, .decimals = 1, .depends = {"n"}},
    [H_CI_HIGH] = {.key = "ci_high", .type = UTFALL_COL_NUMBER, .decimals = 1,
                   .depends = {"n"}},
    [H_MEDIAN] = {.key = "median_change", .type = UTFALL_COL_NUMBER, .decimals = 1,
                  .depends = {"n", "increased", "unchanged", "decreased"}},
    [H_Q1] = {.key = "q1", .type = UTFALL_COL_NUMBER, .decimals = 1,
              .flags = UTFALL_COLF_MACHINE_ONLY, .depends = {"n", "increased", "unchanged", "decreased"}},
    [H_Q3] = {.key = "q3", .type = UTFALL_COL_NUMBER, .decimals = 1,
              .flags = UTFALL_COLF_MACHINE_ONLY, .depends = {"n", "increased", "unchanged", "decreased"}},
    [H_T_P] = {.key = "t_p_value", .type = UTFALL_COL_PVALUE, .decimals = 3, .depends = {"n"}},
    [H_WILCOXON_P] = {.key = "wilcoxon_p_value", .type = UTFALL_COL_PVALUE, .decimals = 3,
                      .depends = {"n", "increased", "unchanged", "decreased"}},
    [H_SIGN_P] = {.key = "sign_p_value", .type = UTFALL_COL_PVALUE, .decimals = 3,
                  .flags = UTFALL_COLF_MACHINE_ONLY, .depends = {"n", "increased", "unchanged", "decreased"}},
};

/* Sorts s->d in place: the figures need no copy of it. */
static utfall_status fill_row(utfall_table *t, int row, int c, struct changes *s,
                              const utfall_hours_options *opt, utfall_error *err)
{
    utfall_paired_change pc;
    utfall_status st = utfall_paired_change_summarize_inplace(s->d, s->n, opt->tolerance,
                                                              opt->level, &pc, err);
    if (st)
        return st;
    const double vals[H_NCOLS] = {
        [H_N] = (double)pc.n,
        [H_MISSING] = (double)s->missing,
        [H_INCREASED] = (double)pc.increased,
        [H_UNCHANGED] = (double)pc.unchanged,
        [H_DECREASED] = (double)pc.decreased,
        [H_MEAN] = pc.mean,
        [H_SD] = pc.sd,
        [H_CI_LOW] = pc.mean_lower,
        [H_CI_HIGH] = pc.mean_upper,
        [H_MEDIAN] = pc.median,
        [H_Q1] = pc.q1,
        [H_Q3] = pc.q3,
        [H_T_P] = pc.t_p_value,
        [H_WILCOXON_P] = pc.wilcoxon_p_value,
        [H_SIGN_P] = pc.sign_p_value,
    };
    for (int k = 0; k < H_NCOLS; k++)
        utfall_table_set_num(t, row, c + k, vals[k]);
    return UTFALL_OK;
}

/* The columns and a row per group; the total's row waits for its
 * changes.  *out is the caller's to free. */
static utfall_status group_rows(struct hours_run *r, utfall_table **out, utfall_error *err)
{
    utfall_table *t = *out = utfall_table_new("rows", UTFALL_TABLE_ROWS);
    if (!t)
        return nomem(err);
    utfall_table_set_title(t, utfall_tr(r->lang, "title.hours"));
    for (size_t k = 0; k < r->nk; k++)
        utfall_table_add_group_column(t, utfall_grouper_key_name(r->g, k), r->lang);
    int c = utfall_table_add_columns(t, hours_cols, H_NCOLS);
    /* what the counts count (utfall/protect.h): the dimension "hours" is
     * the direction of a change and its bin in the histogram */
    utfall_table_column_cell(t, c + H_N, "hours:increased,unchanged,decreased");
    utfall_table_column_cell(t, c + H_MISSING, "hours:missing");
    utfall_table_column_cell(t, c + H_INCREASED, "hours:increased");
    utfall_table_column_cell(t, c + H_UNCHANGED, "hours:unchanged");
    utfall_table_column_cell(t, c + H_DECREASED, "hours:decreased");
    const size_t *order = utfall_grouper_order(r->g);
    if (!order)
        return nomem(err);
    size_t ng = r->nk ? utfall_grouper_ngroups(r->g) : 0;
    for (size_t k = 0; k < ng && k < r->cap; k++) {
        size_t gi = order[k];
        int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
        for (size_t key = 0; key < r->nk; key++)
            utfall_table_set_text(t, row, (int)key, utfall_grouper_value(r->g, gi, key));
        utfall_status st = fill_row(t, row, c, &r->groups[gi], r->opt, err);
        if (st)
            return st;
    }
    return UTFALL_OK;
}

static utfall_status total_row(struct hours_run *r, utfall_table *t, utfall_error *err)
{
    int row = utfall_table_add_row(t, UTFALL_ROW_TOTAL);
    /* the figures' columns follow the nk group columns */
    return fill_row(t, row, (int)r->nk, &r->total, r->opt, err);
}

static void hours_notes(const struct hours_run *r, utfall_table *t)
{
    utfall_lang lang = r->lang;
    char note[1024], num[64];
    /* the number without hours is the total row's cell, and says what it shows */
    utfall_table_add_note_cell(t, utfall_tr(lang, "note.hours.def"), utfall_table_nrows(t) - 1,
                               (int)r->nk + H_MISSING, lang);
    if (r->opt->tolerance > 0) {
        utfall_fmt_decimal(lang, r->opt->tolerance, 1, num, sizeof num);
        snprintf(note, sizeof note, utfall_tr(lang, "note.hours.tolerance"), num);
        utfall_table_add_note(t, note);
    }
    utfall_fmt_percent(lang, r->opt->level, 0, num, sizeof num);
    snprintf(note, sizeof note, utfall_tr(lang, "note.hours.tests"), num);
    utfall_table_add_note(t, note);
}

/* no catalogue labels for the edges: labelled by their keys */
enum { HIST_FROM, HIST_TO, HIST_COUNT, HIST_BIN, HIST_NCOLS };
static const utfall_colspec histogram_cols[HIST_NCOLS] = {
    [HIST_FROM] = {.key = "change_from", .label_key = "change_from", .type = UTFALL_COL_NUMBER,
                   .decimals = 2, .flags = UTFALL_COLF_NOT_SUPPRESSIBLE},
    [HIST_TO] = {.key = "change_to", .label_key = "change_to", .type = UTFALL_COL_NUMBER,
                 .decimals = 2, .flags = UTFALL_COLF_NOT_SUPPRESSIBLE},
    [HIST_COUNT] = {.key = "count", .type = UTFALL_COL_COUNT},
    /* the values of the dimension "hours" in the bin (for protect.h) */
    [HIST_BIN] = {.key = "bin", .label_key = "bin", .type = UTFALL_COL_TEXT,
                  .flags = UTFALL_COLF_MACHINE_ONLY},
};

static const char *direction(double d, double tolerance)
{
    return d > tolerance ? "increased" : d < -tolerance ? "decreased" : "unchanged";
}

/* Every change is a value "direction/b<bin>" of the dimension "hours"
 * (the totals of directions and the bins overlap: a bin around 0 holds
 * some of each), and every bin's row names its values. */
static void declare_bins(utfall_doc *doc, utfall_table *h, const struct changes *s,
                         double tolerance, double first, double width, size_t nb)
{
    static const char *const dirs[3] = {"decreased", "unchanged", "increased"};
    unsigned char seen[64][3] = {{0}};
    /* the bins of utfall_chart_bins, computed as it does */
    double k0 = round(first / width + 0.5);
    for (size_t i = 0; i < s->n; i++) {
        double k = floor(s->d[i] / width + 0.5) - k0;
        if (k < 0 || k >= (double)nb)
            k = k < 0 ? 0 : (double)nb - 1;
        const char *dir = direction(s->d[i], tolerance);
        seen[(size_t)k][dir[0] == 'd' ? 0 : dir[0] == 'u' ? 1 : 2] = 1;
    }
    utfall_doc_dimension_value(doc, "hours", "missing");
    for (size_t k = 0; k < nb; k++) {
        char list[128] = "", v[48];
        size_t n = 0;
        for (int dk = 0; dk < 3; dk++) {
            snprintf(v, sizeof v, "%s/b%zu", dirs[dk], k);
            if (seen[k][dk]) {
                utfall_doc_dimension_value(doc, "hours", v);
                n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", n ? "," : "", v);
            }
        }
        /* an empty bin counts nobody: a value no episode has */
        utfall_table_set_text(h, (int)k, HIST_BIN, n ? list : "none");
    }
}

/* The distribution of the change (all participants with both hours), in
 * bins, for the chart; suppression hides small bins like any count. */
static utfall_status histogram_table(const struct changes *s, double tolerance,
                                     utfall_doc *doc, utfall_error *err)
{
    long counts[64];
    double first = 0, width = 1; /* as they are when no row has both hours */
    size_t nb = utfall_chart_bins(s->d, s->n, counts, 64, &first, &width);
    utfall_table *h = utfall_table_new("change_histogram", UTFALL_TABLE_ROWS);
    if (!h)
        return nomem(err);
    utfall_table_add_columns(h, histogram_cols, HIST_NCOLS);
    utfall_table_column_cell(h, HIST_COUNT, "hours:{bin}");
    for (size_t i = 0; i < nb; i++) {
        int row = utfall_table_add_row(h, UTFALL_ROW_GROUP);
        utfall_table_set_num(h, row, HIST_FROM, first + width * (double)i);
        utfall_table_set_num(h, row, HIST_TO, first + width * (double)(i + 1));
        utfall_table_set_num(h, row, HIST_COUNT, (double)counts[i]);
    }
    declare_bins(doc, h, s, tolerance, first, width, nb);
    utfall_table_set_chart_only(h);
    utfall_doc_add(doc, h);
    return UTFALL_OK;
}

static void run_free(struct hours_run *r)
{
    for (size_t i = 0; i < r->cap; i++)
        free(r->groups[i].d);
    free(r->groups);
    free(r->total.d);
    utfall_grouper_free(r->g);
}

utfall_status utfall_hours_compute(utfall_extract *x, const utfall_hours_options *opt,
                                   utfall_doc *doc, utfall_error *err)
{
    struct hours_run r = {.opt = opt, .lang = opt->lang};
    utfall_table *t = NULL;
    utfall_status st = utfall_grouper_new(x, opt->by ? opt->by : "", &r.g, err);
    if (!st) {
        r.nk = utfall_grouper_nkeys(r.g);
        st = read_rows(&r, x, err);
    }
    if (!st)
        st = group_rows(&r, &t, err);
    if (!st)
        st = gather_total(&r, err);
    if (!st)
        st = total_row(&r, t, err);
    if (!st) {
        hours_notes(&r, t);
        utfall_doc_add(doc, t);
        t = NULL;
        st = histogram_table(&r.total, opt->tolerance, doc, err);
    }
    utfall_table_free(t);
    run_free(&r);
    return st;
}
