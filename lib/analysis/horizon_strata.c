/* The comparison at the horizon that respects randomisation within
 * strata: Mantel–Haenszel risk difference and ratio, and the CMH test. */
#include "analysis/horizon_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/stats.h"

enum { MH_REF, MH_MONTH, MH_RD, MH_RD_LOW, MH_RD_HIGH, MH_RR, MH_RR_LOW, MH_RR_HIGH, MH_CHI2,
       MH_P, MH_N, MH_STRATA };

static const utfall_colspec mh_columns[] = {
    [MH_REF] = {"ref", NULL, UTFALL_COL_TEXT, 0, 0, {0}, 0},
    [MH_MONTH] = {"month", NULL, UTFALL_COL_COUNT, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
    [MH_RD] = {"risk_diff", "col.diff", UTFALL_COL_PP, 1, 0, {0}, 0},
    [MH_RD_LOW] = {"risk_diff_ci_low", "col.ci_low", UTFALL_COL_PP, 1, 0, {0}, 0},
    [MH_RD_HIGH] = {"risk_diff_ci_high", "col.ci_high", UTFALL_COL_PP, 1, 0, {0}, 0},
    [MH_RR] = {"risk_ratio", NULL, UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [MH_RR_LOW] = {"risk_ratio_ci_low", "col.ci_low", UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [MH_RR_HIGH] = {"risk_ratio_ci_high", "col.ci_high", UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [MH_CHI2] = {"cmh_chi2", "col.chi2", UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [MH_P] = {"cmh_p_value", "col.p_value", UTFALL_COL_PVALUE, 3, 0, {0}, 0},
    [MH_N] = {"n", "col.used", UTFALL_COL_COUNT, 0, 0, {0}, 0},
    [MH_STRATA] = {"strata", NULL, UTFALL_COL_COUNT, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
};

/* What the section works on: the --by levels (stated ones, in display
 * order) and the group of each level in each stratum. */
struct mh_run {
    const char **lev;
    size_t nlev, ref;
    long *group_at; /* [level * nstrata + stratum]: the group, or −1 */
    utfall_mh_stratum *tab;
};

static void mh_free(struct mh_run *h)
{
    free(h->lev);
    free(h->group_at);
    free(h->tab);
}

static utfall_status mh_levels(const struct horizon_run *run, struct mh_run *h)
{
    size_t ng = run->ng ? run->ng : 1, ns = run->nstrata ? run->nstrata : 1;
    h->lev = malloc(ng * sizeof *h->lev);
    h->group_at = malloc(ng * ns * sizeof *h->group_at);
    h->tab = malloc(ns * sizeof *h->tab);
    if (!h->lev || !h->group_at || !h->tab)
        return horizon_nomem(run->err);
    for (size_t i = 0; i < ng * ns; i++)
        h->group_at[i] = -1;
    h->ref = (size_t)-1;
    for (size_t k = 0; k < run->ng; k++) {
        size_t gi = run->order[k], l = 0;
        if (!run->stated[gi])
            continue;
        const char *v = utfall_grouper_value(run->g, gi, 0);
        while (l < h->nlev && strcmp(h->lev[l], v))
            l++;
        if (l == h->nlev)
            h->lev[h->nlev++] = v;
        if (!strcmp(v, run->opt->ref))
            h->ref = l;
        h->group_at[l * run->nstrata + (size_t)run->stratum_of[gi]] = (long)gi;
    }
    return h->ref == (size_t)-1 ? horizon_unknown_ref(run) : UTFALL_OK;
}

/* Level l against the reference at month m, over the stated strata. */
static utfall_status mh_row(const struct horizon_run *run, struct mh_run *h, utfall_table *t,
                            int c0, size_t l, size_t m)
{
    const utfall_horizon_options *opt = run->opt;
    size_t k = 0;
    long n = 0;
    for (size_t s = 0; s < run->nstrata; s++) {
        long g1 = h->group_at[l * run->nstrata + s], g0 = h->group_at[h->ref * run->nstrata + s];
        if (!run->stratum_stated[s] || (g1 < 0 && g0 < 0))
            continue;
        const struct cell *a = g1 >= 0 ? &run->cells[(size_t)g1 * opt->nmonths + m] : NULL;
        const struct cell *b = g0 >= 0 ? &run->cells[(size_t)g0 * opt->nmonths + m] : NULL;
        h->tab[k++] = (utfall_mh_stratum){a ? a->reached : 0, a ? a->n : 0, b ? b->reached : 0,
                                          b ? b->n : 0};
        if (a && b && a->n > 0 && b->n > 0)
            n += a->n + b->n;
    }
    utfall_mh_result r;
    utfall_status st = utfall_mantel_haenszel(h->tab, k, opt->level, &r, run->err);
    if (st)
        return st;
    int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
    const double v[] = {[MH_MONTH] = opt->months[m],  [MH_RD] = r.risk_diff,
                        [MH_RD_LOW] = r.risk_diff_low, [MH_RD_HIGH] = r.risk_diff_high,
                        [MH_RR] = r.risk_ratio,        [MH_RR_LOW] = r.risk_ratio_low,
                        [MH_RR_HIGH] = r.risk_ratio_high, [MH_CHI2] = r.cmh_chi2,
                        [MH_P] = r.cmh_p_value,        [MH_N] = (double)n,
                        [MH_STRATA] = (double)r.strata_used};
    utfall_table_set_text(t, row, 0, h->lev[l]);
    utfall_table_set_text(t, row, c0 + MH_REF, opt->ref);
    for (int c = MH_MONTH; c <= MH_STRATA; c++)
        utfall_table_set_num(t, row, c0 + c, v[c]);
    return UTFALL_OK;
}

static void mh_notes(const struct horizon_run *run, utfall_table *t)
{
    char note[1024], level[64];
    utfall_fmt_percent(run->lang, run->opt->level, 0, level, sizeof level);
    snprintf(note, sizeof note, utfall_tr(run->lang, "note.mh.def"), run->opt->strata);
    utfall_table_add_note(t, note);
    snprintf(note, sizeof note, utfall_tr(run->lang, "note.mh.methods"), level);
    utfall_table_add_note(t, note);
}

/* Each stated --by level against --ref at each horizon, within the strata
 * of --strata. */
utfall_status horizon_mantel_haenszel_section(struct horizon_run *run)
{
    struct mh_run h = {0};
    utfall_table *t = utfall_table_new("mantel_haenszel", UTFALL_TABLE_ROWS);
    utfall_status st = t ? mh_levels(run, &h) : horizon_nomem(run->err);
    if (!st) {
        utfall_table_add_group_column(t, utfall_grouper_key_name(run->g, 0), run->lang);
        int c0 = VERSUS_REF_COLUMNS(t, run, "title.mantel_haenszel", mh_columns);
        /* from the rows table's counts; n is a sum of its own */
        utfall_table_derived_from(t, "rows");
        utfall_table_set_local_protection(t);
        for (size_t l = 0; l < h.nlev && !st; l++)
            for (size_t m = 0; m < run->opt->nmonths && !st && l != h.ref; m++)
                st = mh_row(run, &h, t, c0, l, m);
    }
    if (!st) {
        mh_notes(run, t);
        utfall_doc_add(run->doc, t);
        t = NULL;
    }
    utfall_table_free(t);
    mh_free(&h);
    return st;
}
