/* Shared between the table writers (table.c) and the XLSX writer
 * (xlsx.c): the layout of a document of tables.  Not a public header. */
#ifndef UTFALL_TABLE_INTERNAL_H
#define UTFALL_TABLE_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "utfall/table.h"

enum cell_state { CELL_EMPTY = 0, CELL_NUM, CELL_TEXT, CELL_NA, CELL_SUPPRESSED };

struct cell {
    enum cell_state state;
    double num;
    double aux; /* COUNT_SHARE: the share */
    int secondary; /* hidden only so that a total does not reveal another cell: not "<N" */
    char *text;
};

struct column {
    char *key;
    char *label_key;
    utfall_coltype type;
    int decimals;
    int human_only, machine_only;
    int depends[4]; /* base columns + 1; 0 = none */
    int share_of_total; /* also hidden where its base's total row is (a share of all) */
    int not_suppressible;
    int sum_of; /* this column is part of the row sum held in column sum_of - 1; 0 = none */
    int total_complement_public; /* the total row's sum_of − this is not sensitive */
    char *cell;       /* what the count counts within its row (protect.h); NULL = the row */
    char *cell_dim, *cell_value; /* ... or one value of one dimension, as written */
    char *margin_over; /* a group column whose value this count does not depend on */
    char *dim;        /* group columns: the dimension of the values; NULL = the key */
    char *dim_prefix; /* ... and what goes before a value ("exited/") */
    char *json_member; /* text columns: JSON writes {json_member: text} */
    char **map_value, **map_patterns; /* values that stand for several of the dimension's */
    size_t nmap;
};

struct utfall_table {
    char *key;
    utfall_status failed; /* sticky: the first failure of any call on the table */
    int is_object;
    int machine_only, human_only;
    int no_suppress;
    long suppress_mark; /* N of "<N" once suppression was applied */
    char *population;   /* what the table counts in (protect.h); NULL = every episode */
    char *derived_from; /* key of the table this one is computed from; NULL = none */
    int local_protection; /* its counts are protected row by row, not linked */
    double importance;    /* what hiding its counts costs, times; 0 = 1 */
    char *title;
    char *sheet; /* the workbook sheet's name when not the title; NULL = none */
    struct column *cols;
    int ncols;
    struct cell *cells; /* nrows * ncols, row-major; rebuilt when columns grow */
    int *is_total;
    int nrows, cap_rows;
    char **notes;
    int nnotes;
    /* notes that state a count: rewritten with "<N" when it is suppressed;
     * row >= 0: the count is the table's cell (row, col) */
    struct counted_note {
        int note;
        char *fmt; /* with %s for the count; NOTE_WHOLE: the note when not whole */
        long count;
        int row, col; /* NOTE_WHOLE: the note goes when a count of src is hidden */
        const struct utfall_table *src; /* the table of (row, col); NULL = this one */
    } *counted;
    int ncounted;
};

/* counted_note.row: the note states no count; it holds while the table
 * (src) hides none of its counts */
#define NOTE_WHOLE (-2)

struct protect_space; /* dimensions and the audit: protect.c */

struct utfall_doc {
    utfall_table **tables;
    int n;
    size_t cap;
    utfall_status failed; /* sticky: a table that could not be added */
    struct protect_space *space;
};

/* protect.c: free what the document's protection holds. */
void utfall_protect_space_free(struct protect_space *s);
/* table.c: mark a table's cell as hidden (primary "<N" or secondary "..") */
void utfall_table_hide_cell(utfall_table *t, int row, int col, int secondary);

/* A cell as people read it: localized labels and numbers, "<5", "–". */
void utfall_table_human_cell(const utfall_table *t, int row, int col, utfall_lang lang,
                             char *buf, size_t size);
/* A JSON string literal, quotes included. */
void utfall_json_string(FILE *out, const char *s);
/* 1 if column col is shown in human (machine = 0) or machine output. */
int utfall_table_column_visible(const utfall_table *t, int col, int machine);

#endif
