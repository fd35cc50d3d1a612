/* utfall — reading case extracts: one row per participant episode.
 *
 * Canonical fields, their Swedish/English header aliases and value
 * vocabularies are documented in utfall-extract(5).  Reading is one
 * streaming pass over one or more files; memory does not grow with the
 * number of rows unless duplicate detection is asked for. */
#ifndef UTFALL_EXTRACT_H
#define UTFALL_EXTRACT_H

#include <stdint.h>
#include <stdio.h>

#include "utfall/csvread.h"
#include "utfall/date.h"
#include "utfall/error.h"
#include "utfall/vocab.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct utfall_row {
    const char *id;
    utfall_kon kon;
    int fodelsear;          /* -1 = missing */
    int age;                /* at enrolment, from alder or fodelsear; -1 = missing */
    const char *enhet;      /* "" = missing */
    const char *insats;     /* "" = missing */
    utfall_date inskriven;  /* always present */
    utfall_date avslutad;   /* UTFALL_DATE_NONE = still active */
    int avslutsorsak;       /* utfall_outcome; UTFALL_OUTCOME_NONE = missing */
    double timmar_fore;     /* NAN = missing */
    double timmar_efter;    /* NAN = missing */
    int forsorjning_fore;   /* utfall_income: the source, the first named when the
                             * field names several; UTFALL_INCOME_NONE = missing */
    int forsorjning_efter;
    unsigned forsorjning_fore_set;  /* every source the field names, a bit each */
    unsigned forsorjning_efter_set;
    utfall_date uppfoljd_till; /* UTFALL_DATE_NONE = missing */
    uint64_t person; /* who the row is about: the id, within its file when several
                      * files are read and their ids are not shared (never 0) */
    size_t file_index;
    const char *file_base; /* the pseudo-column `fil` */
    long line;
    const utfall_csv_record *record; /* every field of the row as read */
} utfall_row;

/* Called for every warning, and for every error of a row that --skip-bad
 * skips.  Fatal errors are returned, not reported here. */
typedef void (*utfall_diag_fn)(void *ctx, const utfall_error *diag);

typedef struct utfall_extract_options {
    utfall_csv_options csv;
    const char *const *map; /* "canonical=Header" pairs */
    size_t nmap;
    const char *outcome_map_path; /* value as written, outcome key, label (vocab.h) */
    const char *income_map_path;  /* value as written, income key(s), label */
    int skip_bad;                 /* skip rows with errors instead of stopping */
    int detect_duplicates;        /* warn on identical rows (memory per row) */
    FILE *rejects;                /* skipped rows are written here, header first */
    utfall_diag_fn diag;
    void *diag_ctx;
    utfall_date today; /* dates after it are warned about; UTFALL_DATE_NONE = no check */
    /* How each date field is written (index: utfall_field); auto by default. */
    utfall_date_style date_style[UTFALL_F_COUNT];
    /* A warning (shown whatever -q says) when more than this share of the
     * rows read is rejected; default 0.05, negative = never. */
    double max_rejected;
    /* With several files, an id names the same person in every file
     * (default: a person is an id within one file). */
    int shared_ids;
    int age_min, age_max; /* ages outside are warned about; default 16 and 30 */
    /* Fields the caller uses (bit 1 << utfall_field): the ones without a
     * column are named in a note (a warning when an unused column looks
     * like them, with the --map to read it), and so are the columns not
     * read as any field.  0 = say nothing. */
    unsigned wanted_fields;
} utfall_extract_options;

UTFALL_API void utfall_extract_options_init(utfall_extract_options *opt);

typedef struct utfall_extract utfall_extract;

typedef struct utfall_extract_stats {
    long rows_read;     /* data records read */
    long rows_used;     /* rows handed to the caller */
    long rows_rejected; /* rows skipped with --skip-bad */
    long rows_filtered; /* good rows the caller's filter left out (a reporting period) */
    long warnings;
    long errors; /* errors seen (fatal or skipped) */
    size_t files;
} utfall_extract_stats;

UTFALL_API utfall_status utfall_extract_open(utfall_extract **out, const char *const *paths,
                                             size_t npaths, const utfall_extract_options *opt,
                                             utfall_error *err);
/* 1 = a row, 0 = end of all input, -1 = fatal error in err. */
UTFALL_API int utfall_extract_next(utfall_extract *x, utfall_row *row, utfall_error *err);
UTFALL_API void utfall_extract_close(utfall_extract *x);
UTFALL_API void utfall_extract_get_stats(const utfall_extract *x, utfall_extract_stats *st);

/* A filter on the rows, applied after each is read and checked: 1 keeps
 * the row (it may change it: an exit after a reporting period's end is
 * not known at its end), 0 leaves it out, counted in rows_filtered. */
typedef int (*utfall_row_filter_fn)(void *ctx, utfall_row *row);
UTFALL_API void utfall_extract_set_filter(utfall_extract *x, utfall_row_filter_fn fn, void *ctx);

/* The current file's columns: header text and the canonical field each
 * is recognised as (-1 = kept as an extra column). */
UTFALL_API size_t utfall_extract_ncolumns(const utfall_extract *x);
UTFALL_API const char *utfall_extract_column_name(const utfall_extract *x, size_t i);
UTFALL_API int utfall_extract_column_field(const utfall_extract *x, size_t i);
/* How column i came to be read as its field: "name" (its header is the
 * field's name or an alias), "map" (--map), "words" (the words of its
 * heading, utfall_field_from_words), "" (an extra column). */
UTFALL_API const char *utfall_extract_column_how(const utfall_extract *x, size_t i);
/* Make the extract's own words the labels people read (utfall_tr_own):
 * the labels of --outcome-map and --income-map, and the headings of the
 * enhet and insats columns as the first file writes them ("Kommun" for
 * enhet) unless they are the field's own name. */
UTFALL_API utfall_status utfall_extract_apply_labels(const utfall_extract *x, utfall_error *err);
UTFALL_API char utfall_extract_delimiter(const utfall_extract *x);
UTFALL_API size_t utfall_extract_nfiles(const utfall_extract *x);
/* The person an id of file `file` (0-based) names: utfall_row.person of its
 * rows.  For files that come with the extract, such as spells. */
UTFALL_API uint64_t utfall_extract_person(const utfall_extract *x, size_t file, const char *id);
/* 1 when the files share their ids (or there is one file). */
UTFALL_API int utfall_extract_ids_shared(const utfall_extract *x);
UTFALL_API int utfall_extract_transcoded(const utfall_extract *x);

/* Grouping keys: a canonical field, a derived key (fil, inskriven_ar,
 * inskriven_kvartal, aldersgrupp, status) or any extra column by name. */
typedef struct utfall_colref utfall_colref;
UTFALL_API utfall_status utfall_colref_new(utfall_extract *x, const char *name,
                                           utfall_colref **out, utfall_error *err);
UTFALL_API void utfall_colref_free(utfall_colref *c);
UTFALL_API const char *utfall_colref_name(const utfall_colref *c);
/* The place of a value in its key's own order: the vocabulary's for exit
 * outcomes (arbete before studier) and kön; -1 for keys without one
 * (sorted by value). */
UTFALL_API int utfall_colref_rank(const utfall_colref *c, const char *value);
/* The row's value as a stable string ("" = missing).  The result points
 * into buf or into the row; valid until the next row. */
UTFALL_API const char *utfall_row_value(const utfall_row *row, utfall_colref *c, char *buf,
                                        size_t size);

#ifdef __cplusplus
}
#endif
#endif
