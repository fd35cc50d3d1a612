/* The document of tables: columns declared as data, and failures that
 * cannot be lost (a table that missed a row, a column or a note makes its
 * document refuse to be written). */
#include "utfall/utfall.h"

#include "check.h"

#include <math.h>
#include <stdio.h>
#include <string.h>


static const utfall_colspec columns[] = {
    {"kon", NULL, UTFALL_COL_GROUP, 0, 0, {NULL, NULL}, NULL},
    {"enrolled", NULL, UTFALL_COL_COUNT, 0, 0, {NULL, NULL}, NULL},
    {"share", NULL, UTFALL_COL_SHARE, 1, 0, {"enrolled", NULL}, NULL},
    {"active", NULL, UTFALL_COL_COUNT, 0, 0, {NULL, NULL}, "enrolled"},
    {"exited", NULL, UTFALL_COL_COUNT, 0, UTFALL_COLF_MACHINE_ONLY, {NULL, NULL}, "enrolled"},
};

static void test_colspec(void)
{
    utfall_table *t = utfall_table_new("rows", UTFALL_TABLE_ROWS);
    CHECK(utfall_table_add_columns(t, columns, 5) == 0);
    CHECK(utfall_table_ncols(t) == 5);
    CHECK(!strcmp(utfall_table_column_key(t, 2), "share"));
    /* label from the catalogue key "col.<key>" */
    CHECK(!strcmp(utfall_table_column_label(t, 1, UTFALL_LANG_SV), "Inskrivna"));
    CHECK(utfall_table_column_type(t, 2) == UTFALL_COL_SHARE);
    CHECK(utfall_table_status(t) == UTFALL_OK);
    /* a second array goes after the first; a base that does not exist fails */
    const utfall_colspec bad = {"x", NULL, UTFALL_COL_SHARE, 1, 0, {"nosuch", NULL}, NULL};
    CHECK(utfall_table_add_columns(t, &bad, 1) == -1);
    CHECK(utfall_table_status(t) == UTFALL_ERR_INTERNAL);
    utfall_table_free(t);
}

static void test_sticky(void)
{
    utfall_error err;
    utfall_doc *d = utfall_doc_new();
    utfall_table *t = utfall_table_new("rows", UTFALL_TABLE_ROWS);
    utfall_table_add_columns(t, columns, 2);
    int r = utfall_table_add_row(t, UTFALL_ROW_TOTAL);
    utfall_table_set_num(t, r, 1, 17);
    utfall_doc_add(d, t);
    CHECK(utfall_doc_status(d) == UTFALL_OK);
    utfall_error_clear(&err);
    CHECK(utfall_doc_check(d, &err) == UTFALL_OK);

    /* a value set in a column the table does not have: remembered */
    utfall_table *u = utfall_table_new("other", UTFALL_TABLE_ROWS);
    utfall_table_add_columns(u, columns, 2);
    int ru = utfall_table_add_row(u, UTFALL_ROW_GROUP);
    utfall_table_set_num(u, ru, utfall_table_column_index(u, "exited"), 3);
    CHECK(utfall_table_status(u) == UTFALL_ERR_INTERNAL);
    utfall_doc_add(d, u);
    CHECK(utfall_doc_status(d) == UTFALL_ERR_INTERNAL);

    /* and the writers refuse the document: nothing half-written */
    char buf[256] = "";
    FILE *out = fmemopen(buf, sizeof buf, "w");
    utfall_error_clear(&err);
    CHECK(utfall_doc_write(d, out, UTFALL_FMT_TSV, UTFALL_LANG_EN, NULL, &err)
          == UTFALL_ERR_INTERNAL);
    fclose(out);
    CHECK(buf[0] == '\0');
    CHECK(!strcmp(err.code, "incomplete-document"));
    CHECK(strstr(err.text, "'other'") != NULL);
    utfall_doc_free(d);

    /* a failed utfall_table_new (NULL) added to a document: out of memory */
    d = utfall_doc_new();
    utfall_doc_add(d, NULL);
    CHECK(utfall_doc_status(d) == UTFALL_ERR_NOMEM);
    utfall_error_clear(&err);
    CHECK(utfall_doc_check(d, &err) == UTFALL_ERR_NOMEM);
    utfall_doc_free(d);

    /* columns after rows: a builder's mistake, remembered */
    t = utfall_table_new("late", UTFALL_TABLE_OBJECT);
    utfall_table_add_row(t, UTFALL_ROW_TOTAL);
    CHECK(utfall_table_add_column(t, "n", NULL, UTFALL_COL_COUNT, 0) == -1);
    CHECK(utfall_table_status(t) == UTFALL_ERR_INTERNAL);
    utfall_table_free(t);
}

int main(void)
{
    utfall_init();
    test_colspec();
    test_sticky();
    return checks_report("table");
}
