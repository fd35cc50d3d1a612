/* Records read ahead of the one being turned into a row, kept in order.
 *
 * An extract reads one record at a time, but a column of dates written
 * 3/4/2025 says nothing of which number is the day until a later value
 * (20/3/2025) does: the extract then reads ahead until it knows, keeping
 * what it read here, and takes its records from here before the reader.
 * Private to lib/ingest. */
#ifndef UTFALL_INGEST_RECQUEUE_H
#define UTFALL_INGEST_RECQUEUE_H

#include <stddef.h>

#include "utfall/csvread.h"

/* A record (or the outcome of a read that gave none) in memory of its own. */
struct held_record {
    int got;           /* what utfall_csv_next returned: 1, 0, -1 or -2 */
    utfall_error *err; /* for -1 and -2 */
    utfall_csv_record rec;
    char *block; /* fields, lengths, flags and raw text in one allocation */
};

struct recqueue {
    struct held_record *items;
    size_t head, n, cap;
    struct held_record current; /* the record handed out last */
};

/* The next record: the oldest one held, else one from the reader, with
 * utfall_csv_next's return values. */
int recqueue_next(struct recqueue *q, utfall_csv_reader *r, utfall_csv_record *rec,
                  utfall_error *err);
/* Keep *rec (handed out by recqueue_next) in the queue's own memory so
 * that reading ahead leaves it valid; *rec is pointed there.  -1 on
 * out-of-memory. */
int recqueue_keep_current(struct recqueue *q, utfall_csv_record *rec);
/* Read one more record into the queue; its return value as
 * utfall_csv_next's (then the record is the queue's last), -3 on
 * out-of-memory. */
int recqueue_read_ahead(struct recqueue *q, utfall_csv_reader *r, const utfall_csv_record **rec);
/* Records held. */
size_t recqueue_held(const struct recqueue *q);
/* A refusal (UTFALL_ERR_PRIVACY) held ahead: copied to *err, 1; else 0. */
int recqueue_privacy(const struct recqueue *q, utfall_error *err);
void recqueue_clear(struct recqueue *q);

#endif
