/* The report's year-by-year table, as an årsrapport needs it: the
 * participants enrolled each year (a cohort), how many of them are still
 * active and how many have exited, and how many of those reached the
 * project's main goal.  Every count is a cell of the dimensions
 * inskriven_ar and state (protect.h); the share is computed from two of
 * them and hidden with either. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/group.h"
#include "utfall/protect.h"
#include "utfall/stats.h"
#include "core/internal.h"
#include "output/report_internal.h"

struct years_options {
    unsigned success; /* the main goal's outcomes; 0 = none */
    utfall_lang lang;
};

struct year_counts {
    long enrolled, active, exited, reached;
};

enum { Y_ENROLLED, Y_ACTIVE, Y_EXITED, Y_REACHED, Y_SHARE, Y_NCOLS };
static const utfall_colspec year_cols[Y_NCOLS] = {
    [Y_ENROLLED] = {.key = "enrolled", .type = UTFALL_COL_COUNT},
    [Y_ACTIVE] = {.key = "active", .type = UTFALL_COL_COUNT, .part_of = "enrolled"},
    [Y_EXITED] = {.key = "exited", .type = UTFALL_COL_COUNT, .part_of = "enrolled"},
    [Y_REACHED] = {.key = "reached", .type = UTFALL_COL_COUNT, .part_of = "exited"},
    [Y_SHARE] = {.key = "share", .label_key = "col.share_of_exited", .type = UTFALL_COL_SHARE,
                 .decimals = 1, .depends = {"reached", "exited"}},
};

static void year_row(utfall_table *t, int row, int c, const struct year_counts *n)
{
    utfall_table_set_num(t, row, c + Y_ENROLLED, (double)n->enrolled);
    utfall_table_set_num(t, row, c + Y_ACTIVE, (double)n->active);
    utfall_table_set_num(t, row, c + Y_EXITED, (double)n->exited);
    utfall_table_set_num(t, row, c + Y_REACHED, (double)n->reached);
    if (n->exited)
        utfall_table_set_num(t, row, c + Y_SHARE, (double)n->reached / (double)n->exited);
    else
        utfall_table_set_na(t, row, c + Y_SHARE);
}

static void define_cells(utfall_table *t, int c, unsigned success, utfall_doc *doc,
                         unsigned seen)
{
    char cond[512] = "state:", v[64];
    size_t n = strlen(cond);
    for (int o = 0; o < UTFALL_OUTCOME_COUNT; o++) {
        if ((success >> o) & 1)
            n += (size_t)snprintf(cond + n, sizeof cond - n, "%sexited/%s",
                                  cond[n - 1] == ':' ? "" : ",", utfall_outcome_key(o));
        snprintf(v, sizeof v, "exited/%s", utfall_outcome_key(o));
        if ((seen >> o) & 1)
            utfall_doc_dimension_value(doc, "state", v);
    }
    if ((seen >> 30) & 1)
        utfall_doc_dimension_value(doc, "state", "active");
    if ((seen >> 31) & 1)
        utfall_doc_dimension_value(doc, "state", "exited/unknown");
    utfall_table_column_cell(t, c + Y_ACTIVE, "state:active");
    utfall_table_column_cell(t, c + Y_EXITED, "state:exited");
    utfall_table_column_cell(t, c + Y_REACHED, success ? cond : "state:none");
}

struct years_run {
    const struct years_options *opt;
    utfall_grouper *g;
    struct year_counts *groups, total;
    size_t cap;
    unsigned seen; /* states, as goal.c keeps them */
};

static utfall_status read_years(struct years_run *y, utfall_extract *x, utfall_error *err)
{
    utfall_row row;
    int got;
    while ((got = utfall_extract_next(x, &row, err)) == 1) {
        long gi = utfall_grouper_index(y->g, &row);
        if (gi < 0 || UTFALL_GROW(y->groups, y->cap, (size_t)gi + 1))
            return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
        int exited = row.avslutad != UTFALL_DATE_NONE;
        int reached = exited && row.avslutsorsak >= 0 && ((y->opt->success >> row.avslutsorsak) & 1);
        y->seen |= !exited ? 1u << 30 : row.avslutsorsak >= 0 ? 1u << row.avslutsorsak : 1u << 31;
        struct year_counts *cs[2] = {&y->groups[gi], &y->total};
        for (int k = 0; k < 2; k++) {
            cs[k]->enrolled++;
            cs[k]->active += !exited;
            cs[k]->exited += exited;
            cs[k]->reached += reached;
        }
    }
    return got < 0 ? err->status : UTFALL_OK;
}

static utfall_status years_table(struct years_run *y, utfall_doc *doc, utfall_error *err)
{
    utfall_lang lang = y->opt->lang;
    utfall_table *t = utfall_table_new("rows", UTFALL_TABLE_ROWS);
    if (!t)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    utfall_table_set_title(t, utfall_tr(lang, "report.title.years"));
    int cg = utfall_table_add_group_column(t, "inskriven_ar", lang);
    utfall_colspec cols[Y_NCOLS];
    memcpy(cols, year_cols, sizeof cols);
    if (!y->opt->success)
        cols[Y_REACHED].flags = cols[Y_SHARE].flags = UTFALL_COLF_MACHINE_ONLY;
    int c = utfall_table_add_columns(t, cols, Y_NCOLS);
    define_cells(t, c, y->opt->success, doc, y->seen);
    const size_t *order = utfall_grouper_order(y->g);
    size_t ng = y->total.enrolled ? utfall_grouper_ngroups(y->g) : 0;
    for (size_t k = 0; order && k < ng; k++) {
        int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
        utfall_table_set_text(t, row, cg, utfall_grouper_value(y->g, order[k], 0));
        year_row(t, row, c, &y->groups[order[k]]);
    }
    year_row(t, utfall_table_add_row(t, UTFALL_ROW_TOTAL), c, &y->total);
    utfall_table_add_note(t, utfall_tr(lang, "report.note.years"));
    if (y->opt->success) {
        char list[256], note[512];
        utfall_outcome_set_describe(y->opt->success, lang, list, sizeof list);
        snprintf(note, sizeof note, utfall_tr(lang, "report.note.years_reached"), list);
        utfall_table_add_note(t, note);
    }
    utfall_doc_add(doc, t);
    return order ? UTFALL_OK : utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
}

static utfall_status years_fn(utfall_extract *x, const void *o, utfall_doc *doc, utfall_error *err)
{
    struct years_run y = {.opt = o};
    utfall_status st = utfall_grouper_new(x, "inskriven_ar", &y.g, err);
    if (!st)
        st = read_years(&y, x, err);
    if (!st)
        st = years_table(&y, doc, err);
    utfall_grouper_free(y.g);
    free(y.groups);
    return st;
}

utfall_status report_years_section(utfall_report *r, const struct ctx *c,
                                   const struct facts *f, const utfall_goals *goals,
                                   utfall_report_open_fn open, void *octx, int *pass,
                                   utfall_error *err)
{
    report_heading(r, 2, report_tr(c, "report.sec.years"));
    if (report_lacks(r, c, f, UTFALL_F_AVSLUTAD))
        return UTFALL_OK;
    const utfall_goal_spec *g = report_main_goal(goals);
    struct years_options yo = {g && f->has[UTFALL_F_AVSLUTSORSAK] ? g->success : 0, c->lang};
    utfall_doc *d;
    utfall_status st = report_run(open, octx, pass, years_fn, &yo, &d, err);
    if (st)
        return st;
    report_para(r, UTFALL_BLOCK_PARAGRAPH, "%s", report_tr(c, "report.years.about"));
    report_adopt(r, d, "ar", 1);
    return UTFALL_OK;
}
