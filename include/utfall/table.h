/* utfall — the one output layer every command uses.
 *
 * A command builds a document of tables (figures per group plus a total
 * row) and hands it to one writer: a terminal table, TSV, CSV, JSON or
 * Markdown.  Machine formats use stable English snake_case keys, '.'
 * decimals and ISO dates; human formats use catalogue labels and the
 * localized number format. */
#ifndef UTFALL_TABLE_H
#define UTFALL_TABLE_H

#include <stdio.h>

#include "utfall/error.h"
#include "utfall/i18n.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum utfall_format {
    UTFALL_FMT_TABLE = 0,
    UTFALL_FMT_TSV,
    UTFALL_FMT_CSV,
    UTFALL_FMT_JSON,
    UTFALL_FMT_MD,
    UTFALL_FMT_XLSX /* a file, never a stream: utfall_doc_write_xlsx */
} utfall_format;
UTFALL_API int utfall_format_parse(const char *name, utfall_format *out);

typedef enum utfall_coltype {
    UTFALL_COL_GROUP = 0, /* a grouping key (text); "" = not stated */
    UTFALL_COL_COUNT,     /* whole number */
    UTFALL_COL_SHARE,     /* proportion 0–1, shown as percent to people */
    UTFALL_COL_NUMBER,    /* decimal number with the column's decimals */
    UTFALL_COL_PVALUE,    /* p-value: "< 0,001" for people */
    UTFALL_COL_TEXT,      /* free text */
    UTFALL_COL_BOOL,      /* true/false; ja/nej */
    UTFALL_COL_PP,        /* difference of proportions, shown in percentage points */
    UTFALL_COL_COUNT_SHARE, /* a count with its share: "12 (40 %)" for people;
                             * machine formats write the count */
    UTFALL_COL_AMOUNT       /* an amount of money in kronor, no count of people:
                             * "1 368 770" for people, never suppressed */
} utfall_coltype;

typedef struct utfall_table utfall_table;
typedef struct utfall_doc utfall_doc;

typedef enum utfall_table_kind {
    UTFALL_TABLE_ROWS = 0,  /* rows of groups and a total: a JSON array */
    UTFALL_TABLE_OBJECT = 1 /* one row, written as a JSON object */
} utfall_table_kind;

typedef enum utfall_row_kind {
    UTFALL_ROW_GROUP = 0, /* a group's row */
    UTFALL_ROW_TOTAL = 1  /* the total: empty group values, group {} in JSON */
} utfall_row_kind;

/* A table named key ("rows" is the main table).
 *
 * Failures are sticky: a table that could not take a column, a row, a
 * value or a note (out of memory, or a row or column that does not exist)
 * remembers it, and so does the document it is added to.  Builders need
 * not check every call; utfall_doc_status() says once whether everything
 * arrived, and the writers refuse a document that is incomplete, so that
 * no output silently lacks a row, a column or a note. */
UTFALL_API utfall_table *utfall_table_new(const char *key, utfall_table_kind kind);
/* UTFALL_OK, or the first failure (UTFALL_ERR_NOMEM, UTFALL_ERR_INTERNAL). */
UTFALL_API utfall_status utfall_table_status(const utfall_table *t);
UTFALL_API void utfall_table_free(utfall_table *t);
/* Columns declared as data: one array per table, added in order. */
typedef enum utfall_colflags {
    UTFALL_COLF_HUMAN_ONLY = 1u << 0,      /* left out of machine formats */
    UTFALL_COLF_MACHINE_ONLY = 1u << 1,    /* left out of human formats */
    UTFALL_COLF_NOT_SUPPRESSIBLE = 1u << 2, /* counts that are not of persons (months, df) */
    /* a part whose complement in the total row may be published: the
     * project's re-enrolments, enrolled − persons (see protect.h) */
    UTFALL_COLF_TOTAL_COMPLEMENT_PUBLIC = 1u << 3,
    /* a share of the total row's count (of all enrolments, of all exits):
     * hidden wherever that total is too, or it would give it back */
    UTFALL_COLF_SHARE_OF_TOTAL = 1u << 4
} utfall_colflags;

typedef struct utfall_colspec {
    const char *key;       /* machine key */
    const char *label_key; /* catalogue key for people; NULL = "col.<key>" */
    utfall_coltype type;
    int decimals;
    unsigned flags;         /* utfall_colflags */
    const char *depends[4]; /* keys of the counts this column is computed from */
    const char *part_of;    /* key of the column whose row sum this count is a term of */
} utfall_colspec;

/* Add n columns; depends and part_of may name columns added earlier or in
 * the same array.  Returns the index of the first, or -1 (sticky). */
UTFALL_API int utfall_table_add_columns(utfall_table *t, const utfall_colspec *spec, size_t n);

/* label_key is a catalogue key; the machine key is used when absent. */
UTFALL_API int utfall_table_add_column(utfall_table *t, const char *key, const char *label_key,
                                       utfall_coltype type, int decimals);
/* A grouping column named by its key (kon, enhet, fil, any extra column),
 * labelled from the catalogue's "col.KEY" where there is one. */
UTFALL_API int utfall_table_add_group_column(utfall_table *t, const char *key, utfall_lang lang);
/* A text column that names a group, as the reference of a comparison
 * does: JSON writes it as an object like the row's group,
 * {"insats": "FS"} for member "insats" (null for an empty text); the
 * other formats write the text. */
UTFALL_API void utfall_table_column_json_object(utfall_table *t, int col, const char *member);
/* Human-only columns are left out of machine formats (and vice versa). */
UTFALL_API void utfall_table_column_human_only(utfall_table *t, int col);
UTFALL_API void utfall_table_column_machine_only(utfall_table *t, int col);
/* A new row; returns its index or -1 on out-of-memory.  A total row has
 * empty group values and is written as group {} in JSON. */
UTFALL_API int utfall_table_add_row(utfall_table *t, utfall_row_kind kind);
UTFALL_API void utfall_table_set_text(utfall_table *t, int row, int col, const char *text);
UTFALL_API void utfall_table_set_num(utfall_table *t, int row, int col, double value);
/* NAN through set_num also means not computable. */
UTFALL_API void utfall_table_set_na(utfall_table *t, int row, int col);
UTFALL_API void utfall_table_set_suppressed(utfall_table *t, int row, int col);
UTFALL_API int utfall_table_is_suppressed(const utfall_table *t, int row, int col);
UTFALL_API double utfall_table_num(const utfall_table *t, int row, int col);
UTFALL_API int utfall_table_nrows(const utfall_table *t);
UTFALL_API int utfall_table_ncols(const utfall_table *t);
UTFALL_API int utfall_table_column_index(const utfall_table *t, const char *key);
/* Shown only in machine formats (JSON; TSV/CSV with --section). */
UTFALL_API void utfall_table_set_machine_only(utfall_table *t);
/* Written by no writer (only --section names it): data for a chart. */
UTFALL_API void utfall_table_set_chart_only(utfall_table *t);
/* Shown only in human formats (table, Markdown). */
UTFALL_API void utfall_table_set_human_only(utfall_table *t);
UTFALL_API void utfall_table_set_title(utfall_table *t, const char *title);
/* A line of the definition shown under the table in human formats. */
UTFALL_API void utfall_table_add_note(utfall_table *t, const char *note);

/* A note that states the count in cell (row, col) of the table (fmt has
 * one %s for it): it shows what the cell shows, ".." when hidden. */
UTFALL_API void utfall_table_add_note_cell(utfall_table *t, const char *fmt, int row, int col,
                                           utfall_lang lang);
/* The same for a cell of another table of the document (src). */
UTFALL_API void utfall_table_add_note_ref(utfall_table *t, const char *fmt,
                                          const utfall_table *src, int row, int col,
                                          utfall_lang lang);
/* A note computed from all the table's counts (a test of a crosstab): it
 * becomes `otherwise` when protection hides any of them. */
UTFALL_API void utfall_table_add_note_if_whole(utfall_table *t, const char *note,
                                               const char *otherwise);

/* For COUNT_SHARE cells: the count and the share shown beside it. */
UTFALL_API void utfall_table_set_count_share(utfall_table *t, int row, int col, double count,
                                             double share);

/* Small-cell suppression.  A column that depends on counts (a share, an
 * interval, a mean) is hidden wherever one of its base columns is hidden;
 * up to two bases per column. */
UTFALL_API void utfall_table_column_depends(utfall_table *t, int col, int base);
/* Each row's count in column `part` is one term of the row's count in
 * column `total` (active + exited = enrolled), so that a hidden term is
 * not recomputed by subtraction across the row. */
UTFALL_API void utfall_table_column_part_of(utfall_table *t, int part, int total);
/* The column holds counts that are not about persons (months, df): never
 * suppressed. */
UTFALL_API void utfall_table_column_not_suppressible(utfall_table *t, int col);
/* Tables of bookkeeping (rows read, spells) are never suppressed. */
UTFALL_API void utfall_table_set_no_suppress(utfall_table *t);
/* Small-cell suppression is the document's: utfall/protect.h. */

/* Reading a table back (charts draw from tables; key, title and notes
 * are with the document walkers below).  Text and key strings belong to
 * the table. */
UTFALL_API const char *utfall_table_column_key(const utfall_table *t, int col);
/* The column's label for people (the key when it has no catalogue label). */
UTFALL_API const char *utfall_table_column_label(const utfall_table *t, int col, utfall_lang lang);
UTFALL_API utfall_coltype utfall_table_column_type(const utfall_table *t, int col);
UTFALL_API int utfall_table_is_total(const utfall_table *t, int row);
/* A text cell's text; NULL when the cell is not text. */
UTFALL_API const char *utfall_table_text(const utfall_table *t, int row, int col);
/* The cell as people see it ("Kvinnor", "39,5 %", "Totalt"). */
UTFALL_API void utfall_table_format_cell(const utfall_table *t, int row, int col,
                                         utfall_lang lang, char *buf, size_t size);

UTFALL_API utfall_doc *utfall_doc_new(void);
UTFALL_API void utfall_doc_free(utfall_doc *d);
/* The document takes ownership of t, also when it cannot hold it (then it
 * frees t and remembers the failure); a NULL t (a failed utfall_table_new)
 * is remembered as out of memory. */
UTFALL_API void utfall_doc_add(utfall_doc *d, utfall_table *t);
/* The same, placing t at position at (0 = first). */
UTFALL_API void utfall_doc_insert(utfall_doc *d, int at, utfall_table *t);
/* UTFALL_OK when every table arrived whole; else the first failure. */
UTFALL_API utfall_status utfall_doc_status(const utfall_doc *d);
/* The same as an error, for a caller about to write: "the output is
 * incomplete", code UTFALL_EC_INCOMPLETE_DOCUMENT. */
UTFALL_API utfall_status utfall_doc_check(const utfall_doc *d, utfall_error *err);
UTFALL_API utfall_table *utfall_doc_table(utfall_doc *d, const char *key);

/* Walking and regrouping documents (the report gathers the tables of
 * several computations into one document). */
UTFALL_API int utfall_doc_ntables(const utfall_doc *d);
UTFALL_API utfall_table *utfall_doc_table_at(const utfall_doc *d, int i);
/* Remove table i from the document and hand it to the caller. */
UTFALL_API utfall_table *utfall_doc_take(utfall_doc *d, int i);
UTFALL_API const char *utfall_table_key(const utfall_table *t);
UTFALL_API int utfall_table_set_key(utfall_table *t, const char *key);
UTFALL_API const char *utfall_table_title(const utfall_table *t);
UTFALL_API int utfall_table_is_machine_only(const utfall_table *t);
UTFALL_API int utfall_table_nnotes(const utfall_table *t);
UTFALL_API const char *utfall_table_note(const utfall_table *t, int i);
/* One table for people: as in a table or Markdown document. */
UTFALL_API utfall_status utfall_table_write_human(const utfall_table *t, FILE *out,
                                                  utfall_lang lang, int markdown,
                                                  utfall_error *err);

/* One table as Markdown, its title a heading of title_level '#' (0 = no
 * title: the text around it says what it is). */
UTFALL_API utfall_status utfall_table_write_md(const utfall_table *t, FILE *out,
                                               utfall_lang lang, int title_level,
                                               utfall_error *err);

/* Write the document.  TSV and CSV write only the table named `section`
 * (NULL = the first), so that the output stays one rectangle for pipes. */
UTFALL_API utfall_status utfall_doc_write(const utfall_doc *d, FILE *out, utfall_format fmt,
                                          utfall_lang lang, const char *section,
                                          utfall_error *err);

/* The name for a workbook sheet of a table without a title (or whose
 * sheet should be named otherwise): "Deltagare" for the report's table
 * under that heading. */
UTFALL_API void utfall_table_set_sheet_name(utfall_table *t, const char *name);
/* The name of table t's sheet in the workbook of document d: its sheet
 * name or title
 * for people ("Deltagare efter kön"; up to a parenthesis, or cut at a word,
 * when longer than Excel's 31 characters; []:*?/\ made '-'), else its key,
 * numbered "~2" where two would meet.  buf holds at least 128 bytes. */
UTFALL_API void utfall_doc_sheet_name(const utfall_doc *d, const utfall_table *t, utfall_lang lang,
                                      char *buf, size_t size);

/* Write the document as an Excel workbook at path: a first sheet
 * "Definitioner"/"Definitions" with every table's notes, then one sheet
 * per table shown to people (utfall_doc_sheet_name), numbers stored as numbers
 * with percent and decimal formats.  The same document gives the same
 * bytes: the creation time is SOURCE_DATE_EPOCH when set, else fixed. */
UTFALL_API utfall_status utfall_doc_write_xlsx(const utfall_doc *d, const char *path,
                                               utfall_lang lang, utfall_error *err);

#ifdef __cplusplus
}
#endif
#endif
