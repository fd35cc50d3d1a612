/* The extract reader's state, shared by its parts: extract.c (files,
 * rows, grouping keys), extract_columns.c (the header: which column is
 * which field) and extract_dates.c (date columns and the order of their
 * day and month).  Private to lib/ingest. */
#ifndef UTFALL_INGEST_EXTRACT_INTERNAL_H
#define UTFALL_INGEST_EXTRACT_INTERNAL_H

#include <stdint.h>

#include "utfall/extract.h"
#include "core/internal.h"
#include "ingest/recqueue.h"

#define DATE_CACHE_BITS 12

/* How a column came to be read as its field (utfall_extract_column_how). */
enum column_how {
    HOW_EXTRA = 0, /* not a field: an extra column */
    HOW_NAME,      /* its header is the field's name or an alias */
    HOW_MAP,       /* --map */
    HOW_WORDS      /* the words of its header (Aktivitet tim/v vid start) */
};

/* A date column of the current file. */
struct date_column {
    int order;          /* UTFALL_DATES_DMY or _MDY once the values said; 0 = not yet */
    int undecidable;    /* read to the end without a value that tells */
    long line;          /* the line of the value that told */
    char value[32];     /* that value */
    int serial_noted;   /* the note on Excel day numbers was given */
};

struct utfall_extract {
    utfall_extract_options opt;
    const char *const *paths;
    size_t npaths, cur;
    utfall_csv_reader *csv;
    char file_base[UTFALL_ERROR_NAME_MAX];
    char **columns;
    int *column_field;
    unsigned char *column_how; /* enum column_how */
    size_t ncolumns;
    long field_col[UTFALL_F_COUNT];
    int header_written_to_rejects;
    int transcoding_announced;
    long rows_in_file;
    utfall_row_filter_fn filter; /* the caller's, NULL = every row */
    void *filter_ctx;
    const utfall_csv_record *cur_rec;
    utfall_csv_record rec; /* the current record: rows point into it */
    utfall_extract_stats stats;
    int rejected_share_told; /* the warning on too many rejected rows was given */

    utfall_value_map *maps[UTFALL_VALUES_COUNT]; /* --outcome-map, --income-map */
    char own_heading[UTFALL_F_COUNT][64]; /* the first file's headers of enhet, insats */

    struct date_cache_entry {
        uint64_t lo;
        uint16_t hi; /* 0 = empty */
        utfall_date date;
    } *date_cache; /* 1 << DATE_CACHE_BITS entries */
    struct date_column dates[UTFALL_F_COUNT]; /* for the date fields */
    struct recqueue ahead;  /* records read ahead to learn a date order */
    int ahead_ended;        /* the reading ahead met the end of the file */

    utfall_hashset *rows_seen; /* hashes of whole rows, with detect_duplicates */

    /* episodes per person, for overlap warnings (with detect_duplicates) */
    struct episode {
        uint64_t id_hash;
        utfall_date from, to; /* to = UTFALL_DATE_NONE: still active */
        long line;
        size_t file;
        long next; /* the same person's previous episode, -1 = none */
    } *episodes;
    size_t nepisodes, episodes_cap;
    long *episode_slots; /* open addressing by person: latest episode index + 1 */
    size_t episode_slots_cap;
};

/* extract.c: report through the options' callback */
void extract_diag(utfall_extract *x, const utfall_error *e);
utfall_status extract_fail(utfall_extract *x, utfall_error *err, long line, const char *column,
                           utfall_status st, utfall_error_code code, const char *fmt, ...)
    UTFALL_PRINTF(7, 8);
/* A warning; changes_results: it says the figures count a row otherwise
 * than the file seems to mean, and -q does not hide it. */
void extract_warn(utfall_extract *x, long line, const char *column, int changes_results,
                  utfall_error_code code, const char *fmt, ...) UTFALL_PRINTF(6, 7);
void extract_note(utfall_extract *x, long line, const char *column, utfall_error_code code,
                  const char *fmt, ...) UTFALL_PRINTF(5, 6);

static inline const char *extract_field(const utfall_extract *x, const utfall_csv_record *rec,
                                        utfall_field f)
{
    long c = x->field_col[f];
    return c >= 0 ? rec->fields[c] : "";
}

/* extract_columns.c: map the header's columns to fields, check the
 * required ones, and say what was recognised and what is missing */
utfall_status extract_map_header(utfall_extract *x, const utfall_csv_record *rec,
                                 utfall_error *err);

/* extract_dates.c */
void extract_dates_reset(utfall_extract *x);
/* Before a record becomes a row: when one of its dates could be day or
 * month first and its column has not said which, read ahead until a
 * value tells.  x->rec is then the queue's copy. */
utfall_status extract_dates_settle(utfall_extract *x, utfall_error *err);
utfall_status extract_parse_date(utfall_extract *x, const utfall_csv_record *rec, utfall_field f,
                                 utfall_date *out, utfall_error *err);

#endif
