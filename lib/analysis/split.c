#include "utfall/split.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/group.h"

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

utfall_status utfall_split_compute(utfall_extract *x, const utfall_split_options *opt,
                                   utfall_doc *doc, utfall_error *err)
{
    utfall_lang lang = opt->lang;
    utfall_grouper *g = NULL, *o = NULL;
    utfall_status st = utfall_grouper_new(x, opt->by ? opt->by : "kon", &g, err);
    if (st)
        return st;
    if (utfall_grouper_nkeys(g) == 0) {
        utfall_grouper_free(g);
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_NO_GROUPS, "--by needs a column");
    }
    const char *outcome_col = opt->outcome ? opt->outcome : "avslutsorsak";
    if (!opt->success && (st = utfall_grouper_new(x, outcome_col, &o, err))) {
        utfall_grouper_free(g);
        return st;
    }
    long *cells = NULL; /* [group][outcome] */
    size_t gcap = 0, ocap = 0;
    long excluded = 0;
    utfall_row row;
    int got;
    while ((got = utfall_extract_next(x, &row, err)) == 1) {
        int exited = row.avslutad != UTFALL_DATE_NONE;
        if (opt->base == UTFALL_BASE_EXITED && !exited) {
            excluded++;
            continue;
        }
        long gi = utfall_grouper_index(g, &row);
        long oi;
        if (opt->success)
            oi = exited && row.avslutsorsak >= 0 && ((opt->success >> row.avslutsorsak) & 1) ? 0 : 1;
        else
            oi = utfall_grouper_index(o, &row);
        if (gi < 0 || oi < 0)
            goto nomem;
        if ((size_t)gi >= gcap || (size_t)oi >= ocap) {
            size_t ng = gcap ? gcap : 8, no = ocap ? ocap : 16;
            while (ng <= (size_t)gi)
                ng *= 2;
            while (no <= (size_t)oi)
                no *= 2;
            long *n = calloc(ng * no, sizeof *n);
            if (!n)
                goto nomem;
            for (size_t a = 0; a < gcap; a++)
                for (size_t b = 0; b < ocap; b++)
                    n[a * no + b] = cells[a * ocap + b];
            free(cells);
            cells = n;
            gcap = ng;
            ocap = no;
        }
        cells[(size_t)gi * ocap + (size_t)oi]++;
    }
    if (got < 0) {
        st = err->status;
        goto done;
    }
    size_t ng = utfall_grouper_ngroups(g);
    size_t no = opt->success ? 2 : (o ? utfall_grouper_ngroups(o) : 0);
    if (!cells)
        ng = no = 0;
    const size_t *gorder = utfall_grouper_order(g);
    size_t bin_order[2] = {0, 1};
    const size_t *oorder = opt->success ? bin_order : (o ? utfall_grouper_order(o) : NULL);
    if (!gorder || (no && !oorder))
        goto nomem;
    static const char *const bin_keys[2] = {"reached", "not_reached"};
    const char *okey = opt->success ? "reached" : utfall_grouper_key_name(o, 0);
    char lk[160], lk2[160];

    /* long form */
    utfall_table *t = utfall_table_new("rows", UTFALL_TABLE_ROWS);
    utfall_table *w = utfall_table_new("crosstab", UTFALL_TABLE_ROWS);
    if (!t || !w) {
        utfall_table_free(t);
        utfall_table_free(w);
        goto nomem;
    }
    utfall_table_set_machine_only(t);
    utfall_table_set_human_only(w);
    size_t nk = utfall_grouper_nkeys(g);
    for (size_t k = 0; k < nk; k++) {
        const char *key = utfall_grouper_key_name(g, k);
        utfall_table_add_column(t, key, col_label_key(lang, key, lk, sizeof lk), UTFALL_COL_GROUP, 0);
        utfall_table_add_column(w, key, col_label_key(lang, key, lk, sizeof lk), UTFALL_COL_GROUP, 0);
    }
    utfall_table_add_column(t, okey, col_label_key(lang, okey, lk, sizeof lk), UTFALL_COL_GROUP, 0);
    int c_count = utfall_table_add_column(t, "count", "col.count", UTFALL_COL_COUNT, 0);
    int c_share = utfall_table_add_column(t, "share", "col.share", UTFALL_COL_SHARE, 1);
    int c_n = utfall_table_add_column(t, "n", "col.n", UTFALL_COL_COUNT, 0);
    utfall_table_column_depends(t, c_share, c_count);
    utfall_table_column_depends(t, c_share, c_n);
    /* wide: count and share per outcome, then n */
    int *wcol = calloc(no ? no : 1, sizeof *wcol);
    if (!wcol) {
        utfall_table_free(t);
        utfall_table_free(w);
        goto nomem;
    }
    for (size_t k = 0; k < no; k++) {
        const char *ov = opt->success ? bin_keys[oorder[k]] : utfall_grouper_value(o, oorder[k], 0);
        char vk[300];
        snprintf(vk, sizeof vk, "val.%s", ov);
        const char *label_key = !ov[0] ? "missing" : utfall_tr(lang, vk) == vk ? NULL : vk;
        wcol[k] = utfall_table_add_column(w, ov[0] ? ov : "missing", label_key,
                                          UTFALL_COL_COUNT_SHARE, 0);
    }
    int w_n = utfall_table_add_column(w, "n", "col.n", UTFALL_COL_COUNT, 0);

    long *gtot = calloc(ng ? ng : 1, sizeof *gtot), *otot = calloc(no ? no : 1, sizeof *otot);
    long all = 0;
    if (!gtot || !otot) {
        free(gtot);
        free(otot);
        free(wcol);
        utfall_table_free(t);
        utfall_table_free(w);
        goto nomem;
    }
    for (size_t a = 0; a < ng; a++)
        for (size_t b = 0; b < no; b++) {
            gtot[a] += cells[a * ocap + b];
            otot[b] += cells[a * ocap + b];
            all += cells[a * ocap + b];
        }
    for (size_t ga = 0; ga <= ng; ga++) {
        int is_total = ga == ng;
        size_t a = is_total ? 0 : gorder[ga];
        int wr = utfall_table_add_row(w, is_total);
        for (size_t k = 0; k < nk && !is_total; k++)
            utfall_table_set_text(w, wr, (int)k, utfall_grouper_value(g, a, k));
        long n = is_total ? all : gtot[a];
        for (size_t ob = 0; ob < no; ob++) {
            size_t b = oorder[ob];
            long count = is_total ? otot[b] : cells[a * ocap + b];
            int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
            for (size_t k = 0; k < nk && !is_total; k++)
                utfall_table_set_text(t, r, (int)k, utfall_grouper_value(g, a, k));
            utfall_table_set_text(t, r, (int)nk,
                                  opt->success ? bin_keys[b] : utfall_grouper_value(o, b, 0));
            utfall_table_set_num(t, r, c_count, (double)count);
            utfall_table_set_num(t, r, c_share, n ? (double)count / (double)n : NAN);
            utfall_table_set_num(t, r, c_n, (double)n);
            utfall_table_set_count_share(w, wr, wcol[ob], (double)count,
                                         n ? (double)count / (double)n : NAN);
        }
        utfall_table_set_num(w, wr, w_n, (double)n);
    }
    free(wcol);
    snprintf(lk2, sizeof lk2, "%s", utfall_tr(lang, "title.split"));
    utfall_table_set_title(w, lk2);

    /* tests */
    utfall_table *tt = utfall_table_new("tests", UTFALL_TABLE_OBJECT);
    if (!tt) {
        free(gtot);
        free(otot);
        utfall_table_free(t);
        utfall_table_free(w);
        goto nomem;
    }
    utfall_table_set_machine_only(tt);
    int c_chi2 = utfall_table_add_column(tt, "chi2", NULL, UTFALL_COL_NUMBER, 3);
    int c_df = utfall_table_add_column(tt, "df", NULL, UTFALL_COL_NUMBER, 0);
    int c_p = utfall_table_add_column(tt, "chi2_p_value", NULL, UTFALL_COL_PVALUE, 3);
    int c_me = utfall_table_add_column(tt, "min_expected", NULL, UTFALL_COL_NUMBER, 2);
    int c_f = utfall_table_add_column(tt, "fisher_p_value", NULL, UTFALL_COL_PVALUE, 3);
    int c_d = utfall_table_add_column(tt, "diff", NULL, UTFALL_COL_PP, 1);
    int c_dl = utfall_table_add_column(tt, "diff_ci_low", NULL, UTFALL_COL_PP, 1);
    int c_dh = utfall_table_add_column(tt, "diff_ci_high", NULL, UTFALL_COL_PP, 1);
    int c_rr = utfall_table_add_column(tt, "risk_ratio", NULL, UTFALL_COL_NUMBER, 2);
    int c_rl = utfall_table_add_column(tt, "rr_ci_low", NULL, UTFALL_COL_NUMBER, 2);
    int c_rh = utfall_table_add_column(tt, "rr_ci_high", NULL, UTFALL_COL_NUMBER, 2);
    int tr = utfall_table_add_row(tt, UTFALL_ROW_GROUP);
    for (int k = 0; k < utfall_table_ncols(tt); k++)
        utfall_table_set_na(tt, tr, k);
    long *m = calloc((ng ? ng : 1) * (no ? no : 1), sizeof *m);
    utfall_chisq_result chi;
    memset(&chi, 0, sizeof chi);
    int ok = m != NULL;
    /* groups whose key is not stated take no part in the tests */
    size_t tested = 0, untested = 0;
    for (size_t ga = 0; ok && ga < ng; ga++) {
        int stated = 1;
        for (size_t k = 0; k < nk; k++)
            stated &= utfall_grouper_value(g, gorder[ga], k)[0] != '\0';
        if (!stated) {
            untested++;
            continue;
        }
        for (size_t ob = 0; ob < no; ob++)
            m[tested * no + ob] = cells[gorder[ga] * ocap + oorder[ob]];
        tested++;
    }
    ng = tested;
    if (ok && ng > 0 && no > 0 && utfall_chisq_test(m, ng, no, &chi, err) == UTFALL_OK) {
        utfall_table_set_num(tt, tr, c_chi2, chi.statistic);
        utfall_table_set_num(tt, tr, c_df, chi.df);
        utfall_table_set_num(tt, tr, c_p, chi.p_value);
        utfall_table_set_num(tt, tr, c_me, chi.min_expected);
    }
    double fisher = NAN;
    utfall_interval diff = {NAN, NAN, NAN}, rr = {NAN, NAN, NAN};
    if (ok && ng == 2 && no == 2) {
        if (utfall_fisher_exact_2x2(m[0], m[1], m[2], m[3], &fisher, err) == UTFALL_OK)
            utfall_table_set_num(tt, tr, c_f, fisher);
        if (utfall_prop_diff_newcombe(m[0], m[0] + m[1], m[2], m[2] + m[3], opt->level, &diff, err) == UTFALL_OK) {
            utfall_table_set_num(tt, tr, c_d, diff.estimate);
            utfall_table_set_num(tt, tr, c_dl, diff.lower);
            utfall_table_set_num(tt, tr, c_dh, diff.upper);
        }
        if (utfall_risk_ratio_katz(m[0], m[0] + m[1], m[2], m[2] + m[3], opt->level, &rr, err) == UTFALL_OK) {
            utfall_table_set_num(tt, tr, c_rr, rr.estimate);
            utfall_table_set_num(tt, tr, c_rl, rr.lower);
            utfall_table_set_num(tt, tr, c_rh, rr.upper);
        }
    }
    free(m);
    free(gtot);
    free(otot);
    utfall_error_clear(err);

    /* people read the tests as notes under the crosstab */
    char note[1024], a[64], b[64], cc[64], dd[64];
    if (opt->success) {
        char outcomes[512];
        utfall_outcome_set_describe(opt->success, lang, outcomes, sizeof outcomes);
        snprintf(note, sizeof note, utfall_tr(lang, "note.goal.reached"), outcomes);
        utfall_table_add_note(w, note);
    }
    utfall_table_add_note(w, utfall_tr(lang, opt->base == UTFALL_BASE_EXITED ? "note.split.base_exited"
                                                                            : "note.split.base_enrolled"));
    if (excluded) {
        utfall_table_add_note_count(w, utfall_tr(lang, "note.goal.excluded_active"), excluded,
                                    lang);
    }
    if (untested)
        utfall_table_add_note(w, utfall_tr(lang, "note.split.untested"));
    if (isfinite(chi.statistic)) {
        utfall_fmt_decimal(lang, chi.statistic, 2, a, sizeof a);
        utfall_fmt_decimal(lang, chi.df, 0, b, sizeof b);
        if (chi.p_value < 0.001)
            utfall_fmt_decimal(lang, 0.001, 3, cc, sizeof cc);
        else
            utfall_fmt_decimal(lang, chi.p_value, 3, cc, sizeof cc);
        snprintf(note, sizeof note, utfall_tr(lang, "note.split.chi2"), a, b,
                 chi.p_value < 0.001 ? "< " : "= ", cc);
        utfall_table_add_note(w, note);
        if (chi.cells_expected_below_5)
            utfall_table_add_note(w, utfall_tr(lang, "note.split.expected_below_5"));
    } else {
        utfall_table_add_note(w, utfall_tr(lang, "note.split.no_test"));
    }
    if (isfinite(fisher)) {
        utfall_fmt_decimal(lang, fisher < 0.001 ? 0.001 : fisher, 3, a, sizeof a);
        snprintf(note, sizeof note, utfall_tr(lang, "note.split.fisher"), fisher < 0.001 ? "< " : "= ", a);
        utfall_table_add_note(w, note);
    }
    if (isfinite(diff.estimate)) {
        utfall_fmt_decimal(lang, diff.estimate * 100, 1, a, sizeof a);
        utfall_fmt_decimal(lang, diff.lower * 100, 1, b, sizeof b);
        utfall_fmt_decimal(lang, diff.upper * 100, 1, cc, sizeof cc);
        utfall_fmt_percent(lang, opt->level, 0, dd, sizeof dd);
        snprintf(note, sizeof note, utfall_tr(lang, "note.split.diff"), a, dd, b, cc);
        utfall_table_add_note(w, note);
    }
    utfall_doc_add(doc, t);
    utfall_doc_add(doc, w);
    utfall_doc_add(doc, tt);
    goto done;
nomem:
    st = utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
done:
    free(cells);
    utfall_grouper_free(g);
    utfall_grouper_free(o);
    return st;
}
