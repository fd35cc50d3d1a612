/* Disclosure control on documents built by hand, each a case from
 * issue 13 with the attack written out: what an attacker could compute
 * from the published cells, and that after protection they cannot. */
#include "utfall/utfall.h"

#include "check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* Every sensitive count in the audit has a range of at least two values. */
static int audit_protects(utfall_doc *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    utfall_error err;
    utfall_error_clear(&err);
    utfall_doc_write_audit(d, f, &err);
    fclose(f);
    int ok = 1, n = 0;
    for (char *p = buf; (p = strstr(p, "\"sensitive\": true")); p++) {
        char *iv = strstr(p, "\"interval\": [");
        long lo, hi;
        if (!iv || sscanf(iv, "\"interval\": [%ld, %ld]", &lo, &hi) != 2 || hi - lo < 1)
            ok = 0;
        n++;
    }
    free(buf);
    return ok && n > 0;
}

static const char *shown(utfall_table *t, int row, const char *col)
{
    static char buf[8][64];
    static int k;
    k = (k + 1) % 8;
    utfall_table_format_cell(t, row, utfall_table_column_index(t, col), UTFALL_LANG_EN, buf[k],
                             sizeof buf[k]);
    return buf[k];
}

/* The overview of UMA Ludvika: 17 enrolments of 16 persons, 11 of women
 * and 6 of men (5 men: one man enrolled twice), 4 still active. */
static const utfall_colspec overview_cols[] = {
    {"kon", NULL, UTFALL_COL_GROUP, 0, 0, {NULL, NULL}, NULL},
    {"enrolled", NULL, UTFALL_COL_COUNT, 0, 0, {NULL, NULL}, NULL},
    {"share", NULL, UTFALL_COL_SHARE, 1, 0, {"enrolled", NULL}, NULL},
    {"persons", NULL, UTFALL_COL_COUNT, 0, UTFALL_COLF_TOTAL_COMPLEMENT_PUBLIC, {NULL, NULL},
     "enrolled"},
    {"active", NULL, UTFALL_COL_COUNT, 0, 0, {NULL, NULL}, "enrolled"},
    {"exited", NULL, UTFALL_COL_COUNT, 0, 0, {NULL, NULL}, "enrolled"},
};

static void define_overview(utfall_table *t)
{
    utfall_table_column_cell(t, utfall_table_column_index(t, "persons"), "first:.");
    utfall_table_column_cell(t, utfall_table_column_index(t, "active"), "state:active");
    utfall_table_column_cell(t, utfall_table_column_index(t, "exited"), "state:exited");
}

static void row(utfall_table *t, const char *kon, double e, double p, double a)
{
    int r = utfall_table_add_row(t, kon ? UTFALL_ROW_GROUP : UTFALL_ROW_TOTAL);
    if (kon)
        utfall_table_set_text(t, r, 0, kon);
    utfall_table_set_num(t, r, 1, e);
    utfall_table_set_num(t, r, 2, e / 17);
    utfall_table_set_num(t, r, 3, p);
    utfall_table_set_num(t, r, 4, a);
    utfall_table_set_num(t, r, 5, e - a);
}

static utfall_doc *uma_doc(void)
{
    utfall_doc *d = utfall_doc_new();
    utfall_doc_dimension_value(d, "state", "active");
    utfall_doc_dimension_value(d, "state", "exited/studier");
    utfall_doc_dimension_value(d, "state", "exited/flytt");
    utfall_doc_constant_per_person(d, "kon");
    utfall_table *t = utfall_table_new("by_kon", UTFALL_TABLE_ROWS);
    utfall_table_add_columns(t, overview_cols, 6);
    define_overview(t);
    row(t, "k", 11, 11, 3);
    row(t, "m", 6, 5, 1);
    row(t, NULL, 17, 16, 4);
    utfall_doc_add(d, t);
    return d;
}

static void test_uma(void)
{
    utfall_doc *d = uma_doc();
    utfall_error err;
    utfall_error_clear(&err);
    utfall_protect_options opt = {5, UTFALL_LANG_EN, 1};
    CHECK(utfall_doc_protect(d, &opt, &err) == UTFALL_OK);
    if (err.status)
        printf("error: %s\n", err.text);
    utfall_table *t = utfall_doc_table(d, "by_kon");
    /* the headline stays: enrolled, persons, Kvinnor and Män */
    CHECK(!strcmp(shown(t, 2, "enrolled"), "17"));
    CHECK(!strcmp(shown(t, 2, "persons"), "16"));
    CHECK(!strcmp(shown(t, 0, "enrolled"), "11"));
    CHECK(!strcmp(shown(t, 1, "enrolled"), "6"));
    /* active 4 is hidden, and so is exited 13 (17 − 13 = 4) */
    CHECK(!strcmp(shown(t, 2, "active"), ".."));
    CHECK(!strcmp(shown(t, 2, "exited"), ".."));
    /* men: 6 enrolments of 5 persons says one man enrolled twice; with
     * persons total 16 and women 11 = 11 the men's 5 follows too */
    CHECK(!strcmp(shown(t, 1, "persons"), ".."));
    CHECK(!strcmp(shown(t, 0, "persons"), ".."));
    CHECK(audit_protects(d));
    for (int r = 0; r < 3; r++)
        printf("%-5s %4s %6s %4s %4s %4s\n", r == 2 ? "total" : shown(t, r, "kon"),
               shown(t, r, "enrolled"), shown(t, r, "share"), shown(t, r, "persons"),
               shown(t, r, "active"), shown(t, r, "exited"));
    utfall_doc_write_audit(d, stdout, &err);
    utfall_doc_free(d);
}

/* A crosstab row of six outcomes, each 1, and n = 6: every ".." is 1 */
static void test_row_of_ones(void)
{
    static const char *const out[] = {"studier", "flytt", "vard", "annat", "avbrott", "praktik"};
    utfall_doc *d = utfall_doc_new();
    utfall_table *t = utfall_table_new("crosstab", UTFALL_TABLE_ROWS);
    utfall_table_add_group_column(t, "kon", UTFALL_LANG_EN);
    utfall_table_set_population(t, "state:exited");
    for (int o = 0; o < 6; o++) {
        char cond[64];
        snprintf(cond, sizeof cond, "state:exited/%s", out[o]);
        int c = utfall_table_add_column(t, out[o], NULL, UTFALL_COL_COUNT, 0);
        utfall_table_column_cell(t, c, cond);
        utfall_doc_dimension_value(d, "state", cond + 6);
    }
    int cn = utfall_table_add_column(t, "n", NULL, UTFALL_COL_COUNT, 0);
    for (int o = 0; o < 6; o++)
        utfall_table_column_part_of(t, 1 + o, cn);
    /* women: one of each; men: 10 studier, 0 elsewhere; total */
    static const double women[] = {1, 1, 1, 1, 1, 1}, men[] = {10, 0, 0, 0, 0, 0};
    for (int r = 0; r < 3; r++) {
        int row = utfall_table_add_row(t, r < 2 ? UTFALL_ROW_GROUP : UTFALL_ROW_TOTAL);
        if (r < 2)
            utfall_table_set_text(t, row, 0, r ? "m" : "k");
        double n = 0;
        for (int o = 0; o < 6; o++) {
            double v = r == 0 ? women[o] : r == 1 ? men[o] : women[o] + men[o];
            utfall_table_set_num(t, row, 1 + o, v);
            n += v;
        }
        utfall_table_set_num(t, row, cn, n);
    }
    utfall_doc_add(d, t);
    utfall_error err;
    utfall_error_clear(&err);
    utfall_protect_options opt = {5, UTFALL_LANG_EN, 1};
    CHECK(utfall_doc_protect(d, &opt, &err) == UTFALL_OK);
    /* each of the women's six cells is hidden; every hidden count shows
     * the same mark, so an attacker knows of each only that it is at
     * least 0, and six of them summing to 6 pin none */
    for (int o = 0; o < 6; o++)
        CHECK(utfall_table_is_suppressed(t, 0, 1 + o));
    /* and with n hidden, each column's total less the men's count would
     * give the women's ("zeros shown beside hidden cells"): either the
     * men's counts or the totals go too; whichever, nothing is pinned */
    for (int o = 0; o < 6; o++)
        CHECK(utfall_table_is_suppressed(t, 1, 1 + o) || utfall_table_is_suppressed(t, 2, 1 + o));
    CHECK(audit_protects(d));
    for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 8; c++) {
            char buf[64];
            utfall_table_format_cell(t, r, c, UTFALL_LANG_EN, buf, sizeof buf);
            printf("%8s", buf);
        }
        printf("\n");
    }
    utfall_doc_free(d);
}

/* Two rows without gender: hide "uppgift saknas" and its partner, not the women */
static void test_hide_missing_first(void)
{
    utfall_doc *d = utfall_doc_new();
    utfall_doc_dimension_value(d, "state", "active");
    utfall_doc_dimension_value(d, "state", "exited/arbete");
    utfall_table *t = utfall_table_new("by_kon", UTFALL_TABLE_ROWS);
    utfall_table_add_columns(t, overview_cols, 6);
    define_overview(t);
    /* women 30 (active 20), men 25 (active 15), not stated 2 (active 1) */
    static const double e[] = {30, 25, 2, 57}, a[] = {20, 15, 1, 36};
    static const char *const kon[] = {"k", "m", "", NULL};
    for (int r = 0; r < 4; r++)
        row(t, kon[r], e[r], e[r], a[r]);
    utfall_doc_add(d, t);
    utfall_error err;
    utfall_error_clear(&err);
    utfall_protect_options opt = {5, UTFALL_LANG_EN, 1};
    CHECK(utfall_doc_protect(d, &opt, &err) == UTFALL_OK);
    /* Kvinnor and Män stay whole; the register's gap is not a group of
     * people, so its 2 (and 1 active) are shown rather than taking the
     * women's or men's counts with them */
    for (int r = 0; r < 2; r++)
        for (int c = 1; c < 6; c++)
            CHECK(!utfall_table_is_suppressed(t, r, c));
    CHECK(!strcmp(shown(t, 2, "enrolled"), "2"));
    for (int r = 0; r < 4; r++)
        printf("%-5s %4s %4s %4s %4s\n", r == 3 ? "total" : shown(t, r, "kon"),
               shown(t, r, "enrolled"), shown(t, r, "persons"), shown(t, r, "active"),
               shown(t, r, "exited"));
    utfall_doc_free(d);
}

int main(void)
{
    utfall_init();
    test_uma();
    test_row_of_ones();
    test_hide_missing_first();
    return checks_report("protect");
}
