/* The report's section on income source before and after (försörjning
 * före och efter), as SUS / Uppföljning Finsam reports it: of the exited
 * participants who had aktivitetsersättning at enrolment, how many have
 * another source at exit, per unit and in all, and the whole crosstab of
 * source at enrolment by source at exit.  The sentence reads the
 * protected cells only. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "utfall/forsorjning.h"
#include "output/report_internal.h"

#define LEFT UTFALL_INCOME_AKTIVITETSERSATTNING

static utfall_status income_fn(utfall_extract *x, const void *o, utfall_doc *d, utfall_error *e)
{
    return utfall_income_compute(x, o, d, e);
}

/* "58 lön, 10 studiemedel och 15 aktivitetsstöd": the row of the source
 * left, by the other sources at exit, as the crosstab shows them. */
static void breakdown(utfall_report *r, const struct ctx *c, char *buf, size_t size)
{
    utfall_table *t = utfall_doc_table(r->doc, "forsorjning_crosstab");
    int row = -1, n = 0;
    for (int i = 0; t && i < utfall_table_nrows(t); i++) {
        const char *v = utfall_table_text(t, i, 0);
        if (!utfall_table_is_total(t, i) && v && !strcmp(v, utfall_income_key(LEFT)))
            row = i;
    }
    buf[0] = '\0';
    size_t len = 0;
    for (int s = 0; row >= 0 && s < UTFALL_INCOME_COUNT && len < size; s++) {
        char key[64], label[128], num[64];
        snprintf(key, sizeof key, "efter_%s", utfall_income_key(s));
        int col = utfall_table_column_index(t, key);
        if (s == LEFT || col < 0 || utfall_table_num(t, row, col) == 0)
            continue;
        snprintf(key, sizeof key, "val.%s", utfall_income_key(s));
        report_cell_str(c, (struct cellref){t, row, col}, num, sizeof num);
        len += (size_t)snprintf(buf + len, size - len, "%s%s %s", n++ ? ", " : "", num,
                                report_lower(c, key, label, sizeof label));
    }
    /* "a, b, c" → "a, b och c" */
    char *last = n > 1 ? strrchr(buf, ',') : NULL;
    if (last) {
        char tail[512];
        snprintf(tail, sizeof tail, "%s%s", report_tr(c, "list.and"), last + 2);
        snprintf(last, size - (size_t)(last - buf), "%s", tail);
    }
}

static void fill_income(utfall_report *r, const struct ctx *c, struct block *b)
{
    struct cellref n = report_cell(r, "forsorjning", "left", "n", -1);
    char a[64], nn[64], p[64], stayed[64], unknown[64], list[1024], label[128];
    report_lower(c, "val.aktivitetsersattning", label, sizeof label);
    if (!report_cell_ok(n) || (!(report_cell_num(n) > 0) && !report_cell_hidden(n))) {
        report_set_text(r, b, report_tr(c, "report.income.none"), label);
        return;
    }
    breakdown(r, c, list, sizeof list);
    report_cell_str(c, n, nn, sizeof nn);
    report_cell_str(c, report_cell(r, "forsorjning", "left", "left", -1), a, sizeof a);
    report_cell_str(c, report_cell(r, "forsorjning", "left", "share", -1), p, sizeof p);
    report_cell_str(c, report_cell(r, "forsorjning", "left", "stayed", -1), stayed, sizeof stayed);
    struct cellref unk = report_cell(r, "forsorjning", "left", "unknown", -1);
    report_cell_str(c, unk, unknown, sizeof unknown);
    char more[256] = "";
    if (report_cell_hidden(unk) || report_cell_num(unk) > 0)
        snprintf(more, sizeof more, report_tr(c, "report.income.unknown"), unknown);
    report_set_text(r, b, report_tr(c, list[0] ? "report.income.left" : "report.income.left_only"),
                    nn, label, a, p, list, stayed, label, more);
}

utfall_status report_income_section(utfall_report *r, const struct ctx *c,
                                    const struct facts *f, utfall_report_open_fn open,
                                    void *octx, int *pass, utfall_error *err)
{
    if (!f->has[UTFALL_F_FORSORJNING_FORE] && !f->has[UTFALL_F_FORSORJNING_EFTER])
        return UTFALL_OK; /* the extract says nothing of income: no section */
    report_heading(r, 2, report_tr(c, "report.sec.income"));
    if (report_lacks(r, c, f, UTFALL_F_FORSORJNING_FORE)
        || report_lacks(r, c, f, UTFALL_F_FORSORJNING_EFTER)
        || report_lacks(r, c, f, UTFALL_F_AVSLUTAD))
        return UTFALL_OK;
    utfall_income_options io;
    utfall_income_options_init(&io);
    io.left = LEFT;
    io.by = f->has[UTFALL_F_ENHET] ? "enhet" : NULL;
    io.level = c->opt->level;
    io.lang = c->lang;
    utfall_doc *d;
    utfall_status st = report_run(open, octx, pass, income_fn, &io, &d, err);
    if (st)
        return st;
    report_defer(r, UTFALL_BLOCK_PARAGRAPH, fill_income, NULL, NULL);
    /* what the national follow-up reports: among the report's headline tables */
    report_adopt_weighted(r, d, "forsorjning", 1, 20);
    return UTFALL_OK;
}
