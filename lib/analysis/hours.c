#include "utfall/hours.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/chart.h"
#include "utfall/group.h"

void utfall_hours_options_init(utfall_hours_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->level = UTFALL_STATS_DEFAULT_LEVEL;
}

struct diffs {
    double *d;
    size_t n, cap;
    long missing;
};

static int push(struct diffs *s, double v)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        double *d = realloc(s->d, ncap * sizeof *d);
        if (!d)
            return -1;
        s->d = d;
        s->cap = ncap;
    }
    s->d[s->n++] = v;
    return 0;
}

/* Sorts s->d in place: the figures need no copy of it. */
static utfall_status fill(utfall_table *t, int r, struct diffs *s,
                          const utfall_hours_options *opt, utfall_error *err)
{
    utfall_paired_change pc;
    utfall_status st = utfall_paired_change_summarize_inplace(s->d, s->n, opt->tolerance,
                                                              opt->level, &pc, err);
    if (st)
        return st;
    static const char *const keys[] = {"n", "missing", "increased", "unchanged", "decreased",
                                       "mean_change", "sd_change", "ci_low", "ci_high",
                                       "median_change", "q1", "q3", "t_p_value",
                                       "wilcoxon_p_value", "sign_p_value"};
    const double vals[] = {(double)pc.n, (double)s->missing, (double)pc.increased,
                           (double)pc.unchanged, (double)pc.decreased, pc.mean, pc.sd,
                           pc.mean_lower, pc.mean_upper, pc.median, pc.q1, pc.q3, pc.t_p_value,
                           pc.wilcoxon_p_value, pc.sign_p_value};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        utfall_table_set_num(t, r, utfall_table_column_index(t, keys[k]), vals[k]);
    return UTFALL_OK;
}

/* The distribution of the change (all participants with both hours), in
 * bins, for the chart; suppression hides small bins like any count. */
static utfall_status histogram_table(utfall_doc *doc, const struct diffs *s, utfall_error *err)
{
    long counts[64];
    double first, width;
    size_t nb = utfall_chart_bins(s->d, s->n, counts, 64, &first, &width);
    utfall_table *h = utfall_table_new("change_histogram", UTFALL_TABLE_ROWS);
    if (!h)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    int c0 = utfall_table_add_column(h, "change_from", NULL, UTFALL_COL_NUMBER, 2);
    int c1 = utfall_table_add_column(h, "change_to", NULL, UTFALL_COL_NUMBER, 2);
    int cc = utfall_table_add_column(h, "count", "col.count", UTFALL_COL_COUNT, 0);
    utfall_table_column_not_suppressible(h, c0);
    utfall_table_column_not_suppressible(h, c1);
    for (size_t i = 0; i < nb; i++) {
        int r = utfall_table_add_row(h, UTFALL_ROW_GROUP);
        if (r < 0) {
            utfall_table_free(h);
            return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
        }
        utfall_table_set_num(h, r, c0, first + width * (double)i);
        utfall_table_set_num(h, r, c1, first + width * (double)(i + 1));
        utfall_table_set_num(h, r, cc, (double)counts[i]);
    }
    utfall_table_set_chart_only(h);
    utfall_doc_add(doc, h);
    return UTFALL_OK;
}

utfall_status utfall_hours_compute(utfall_extract *x, const utfall_hours_options *opt,
                                   utfall_doc *doc, utfall_error *err)
{
    utfall_lang lang = opt->lang;
    utfall_grouper *g = NULL;
    utfall_status st = utfall_grouper_new(x, opt->by ? opt->by : "", &g, err);
    if (st)
        return st;
    size_t nk = utfall_grouper_nkeys(g);
    struct diffs *groups = NULL, total = {NULL, 0, 0, 0};
    size_t cap = 0;
    utfall_row row;
    int got;
    while ((got = utfall_extract_next(x, &row, err)) == 1) {
        long gi = utfall_grouper_index(g, &row);
        if (gi < 0)
            goto nomem;
        if ((size_t)gi >= cap) {
            size_t ncap = cap ? cap * 2 : 16;
            while (ncap <= (size_t)gi)
                ncap *= 2;
            struct diffs *n = realloc(groups, ncap * sizeof *n);
            if (!n)
                goto nomem;
            memset(n + cap, 0, (ncap - cap) * sizeof *n);
            groups = n;
            cap = ncap;
        }
        if (isnan(row.timmar_fore) || isnan(row.timmar_efter)) {
            groups[gi].missing++;
            total.missing++;
            continue;
        }
        /* after − before, in that order, as R computes paired differences */
        double d = row.timmar_efter - row.timmar_fore;
        /* 10.3 - 10.2 is 0.1000000000000014 in binary: round to the data's
         * resolution so that equal changes compare equal */
        d = round(d * 1e9) / 1e9;
        /* One number per row: in its group's list, or, without groups,
         * in the total's; the total of groups is assembled at the end. */
        if (push(nk ? &groups[gi] : &total, d))
            goto nomem;
    }
    if (got < 0) {
        st = err->status;
        goto done;
    }
    utfall_table *t = utfall_table_new("rows", UTFALL_TABLE_ROWS);
    if (!t)
        goto nomem;
    utfall_table_set_title(t, utfall_tr(lang, "title.hours"));
    for (size_t k = 0; k < nk; k++) {
        const char *key = utfall_grouper_key_name(g, k);
        utfall_table_add_group_column(t, key, lang);
    }
    utfall_table_add_column(t, "n", "col.n", UTFALL_COL_COUNT, 0);
    utfall_table_add_column(t, "missing", "col.missing", UTFALL_COL_COUNT, 0);
    utfall_table_add_column(t, "increased", "col.increased", UTFALL_COL_COUNT, 0);
    utfall_table_add_column(t, "unchanged", "col.unchanged", UTFALL_COL_COUNT, 0);
    utfall_table_add_column(t, "decreased", "col.decreased", UTFALL_COL_COUNT, 0);
    utfall_table_add_column(t, "mean_change", "col.mean_change", UTFALL_COL_NUMBER, 1);
    int c_sd = utfall_table_add_column(t, "sd_change", "col.sd_change", UTFALL_COL_NUMBER, 1);
    utfall_table_add_column(t, "ci_low", "col.ci_low", UTFALL_COL_NUMBER, 1);
    utfall_table_add_column(t, "ci_high", "col.ci_high", UTFALL_COL_NUMBER, 1);
    utfall_table_add_column(t, "median_change", "col.median_change", UTFALL_COL_NUMBER, 1);
    int c_q1 = utfall_table_add_column(t, "q1", "col.q1", UTFALL_COL_NUMBER, 1);
    int c_q3 = utfall_table_add_column(t, "q3", "col.q3", UTFALL_COL_NUMBER, 1);
    utfall_table_add_column(t, "t_p_value", "col.t_p_value", UTFALL_COL_PVALUE, 3);
    utfall_table_add_column(t, "wilcoxon_p_value", "col.wilcoxon_p_value", UTFALL_COL_PVALUE, 3);
    int c_sign = utfall_table_add_column(t, "sign_p_value", "col.sign_p_value", UTFALL_COL_PVALUE, 3);
    {
        int c_n = utfall_table_column_index(t, "n");
        static const char *const dependent[] = {"mean_change", "sd_change", "ci_low", "ci_high",
                                                "median_change", "q1", "q3", "t_p_value",
                                                "wilcoxon_p_value", "sign_p_value"};
        for (size_t k = 0; k < sizeof dependent / sizeof dependent[0]; k++)
            utfall_table_column_depends(t, utfall_table_column_index(t, dependent[k]), c_n);
        static const char *const parts[] = {"increased", "unchanged", "decreased"};
        for (size_t k = 0; k < 3; k++)
            utfall_table_column_part_of(t, utfall_table_column_index(t, parts[k]), c_n);
    }
    /* a terminal table cannot hold every figure: people get the essentials */
    utfall_table_column_machine_only(t, c_sd);
    utfall_table_column_machine_only(t, c_q1);
    utfall_table_column_machine_only(t, c_q3);
    utfall_table_column_machine_only(t, c_sign);
    const size_t *order = utfall_grouper_order(g);
    if (!order) {
        utfall_table_free(t);
        goto nomem;
    }
    size_t ng = nk ? utfall_grouper_ngroups(g) : 0;
    for (size_t k = 0; k < ng && k < cap; k++) {
        size_t gi = order[k];
        int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
        for (size_t key = 0; key < nk; key++)
            utfall_table_set_text(t, r, (int)key, utfall_grouper_value(g, gi, key));
        if ((st = fill(t, r, &groups[gi], opt, err))) {
            utfall_table_free(t);
            goto done;
        }
    }
    if (nk) {
        /* the groups' lists become the total's: the largest is grown in
         * place and the others appended and freed one by one */
        size_t big = 0, n = 0;
        for (size_t i = 0; i < cap; i++) {
            n += groups[i].n;
            if (groups[i].n > groups[big].n)
                big = i;
        }
        if (cap && n) {
            double *d = realloc(groups[big].d, n * sizeof *d);
            if (!d) {
                utfall_table_free(t);
                goto nomem;
            }
            total.d = d;
            total.n = groups[big].n;
            total.cap = n;
            groups[big].d = NULL;
            for (size_t i = 0; i < cap; i++) {
                if (i == big || !groups[i].n)
                    continue;
                memcpy(total.d + total.n, groups[i].d, groups[i].n * sizeof *d);
                total.n += groups[i].n;
                free(groups[i].d);
                groups[i].d = NULL;
            }
        }
    }
    int r = utfall_table_add_row(t, UTFALL_ROW_TOTAL);
    if ((st = fill(t, r, &total, opt, err))) {
        utfall_table_free(t);
        goto done;
    }
    char note[1024], a[64], b[64];
    utfall_fmt_count(lang, total.missing, a, sizeof a);
    snprintf(note, sizeof note, utfall_tr(lang, "note.hours.def"), a);
    utfall_table_add_note(t, note);
    if (opt->tolerance > 0) {
        utfall_fmt_decimal(lang, opt->tolerance, 1, b, sizeof b);
        snprintf(note, sizeof note, utfall_tr(lang, "note.hours.tolerance"), b);
        utfall_table_add_note(t, note);
    }
    utfall_fmt_percent(lang, opt->level, 0, a, sizeof a);
    snprintf(note, sizeof note, utfall_tr(lang, "note.hours.tests"), a);
    utfall_table_add_note(t, note);
    utfall_doc_add(doc, t);
    if ((st = histogram_table(doc, &total, err)))
        goto done;
    goto done;
nomem:
    st = utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
done:
    for (size_t i = 0; i < cap; i++)
        free(groups[i].d);
    free(groups);
    free(total.d);
    utfall_grouper_free(g);
    return st;
}
