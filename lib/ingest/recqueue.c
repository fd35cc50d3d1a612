#include "ingest/recqueue.h"

#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

static void held_free(struct held_record *h)
{
    free(h->block);
    free(h->err);
    memset(h, 0, sizeof *h);
}

/* A copy of rec in one block: the field pointers, lengths, null flags,
 * the fields' text and the raw text. */
static int held_copy(struct held_record *h, int got, const utfall_csv_record *rec,
                     const utfall_error *err)
{
    memset(h, 0, sizeof *h);
    h->got = got;
    if (err && (got == -1 || got == -2)) {
        h->err = malloc(sizeof *h->err);
        if (!h->err)
            return -1;
        *h->err = *err;
    }
    if (got != 1 && got != -2)
        return 0;
    size_t nf = rec->nfields, text = 0;
    for (size_t i = 0; i < nf; i++)
        text += rec->lengths[i] + 1;
    size_t size = nf * (sizeof(char *) + sizeof(size_t) + 1) + text + rec->raw_len + 1;
    char *b = malloc(size ? size : 1);
    if (!b) {
        held_free(h);
        return -1;
    }
    const char **fields = (const char **)(void *)b;
    size_t *lengths = (size_t *)(void *)(b + nf * sizeof(char *));
    unsigned char *nulls = (unsigned char *)(b + nf * (sizeof(char *) + sizeof(size_t)));
    char *p = (char *)nulls + nf;
    for (size_t i = 0; i < nf; i++) {
        memcpy(p, rec->fields[i], rec->lengths[i] + 1);
        fields[i] = p;
        lengths[i] = rec->lengths[i];
        nulls[i] = rec->is_null ? rec->is_null[i] : 0;
        p += rec->lengths[i] + 1;
    }
    memcpy(p, rec->raw, rec->raw_len);
    p[rec->raw_len] = '\0';
    h->block = b;
    h->rec = *rec;
    h->rec.fields = fields;
    h->rec.lengths = lengths;
    h->rec.is_null = nulls;
    h->rec.raw = p;
    return 0;
}

int recqueue_next(struct recqueue *q, utfall_csv_reader *r, utfall_csv_record *rec,
                  utfall_error *err)
{
    held_free(&q->current);
    if (!q->n)
        return utfall_csv_next(r, rec, err);
    q->current = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->n--;
    *rec = q->current.rec;
    if (q->current.err)
        *err = *q->current.err;
    return q->current.got;
}

int recqueue_keep_current(struct recqueue *q, utfall_csv_record *rec)
{
    if (q->current.block)
        return 0; /* already the queue's */
    if (held_copy(&q->current, 1, rec, NULL))
        return -1;
    *rec = q->current.rec;
    return 0;
}

/* Room for one more at the tail, the ring unrolled when it grows. */
static int make_room(struct recqueue *q)
{
    if (q->n < q->cap)
        return 0;
    size_t ncap = q->cap ? q->cap * 2 : 64;
    struct held_record *items = calloc(ncap, sizeof *items);
    if (!items)
        return -1;
    for (size_t i = 0; i < q->n; i++)
        items[i] = q->items[(q->head + i) % q->cap];
    free(q->items);
    q->items = items;
    q->cap = ncap;
    q->head = 0;
    return 0;
}

int recqueue_read_ahead(struct recqueue *q, utfall_csv_reader *r, const utfall_csv_record **rec)
{
    utfall_csv_record got_rec;
    utfall_error err;
    utfall_error_clear(&err);
    if (make_room(q))
        return -3;
    int got = utfall_csv_next(r, &got_rec, &err);
    struct held_record *h = &q->items[(q->head + q->n) % q->cap];
    if (held_copy(h, got, &got_rec, &err))
        return -3;
    q->n++;
    *rec = &h->rec;
    return got;
}

size_t recqueue_held(const struct recqueue *q)
{
    return q->n;
}

int recqueue_privacy(const struct recqueue *q, utfall_error *err)
{
    for (size_t i = 0; i < q->n; i++) {
        const struct held_record *h = &q->items[(q->head + i) % q->cap];
        if (h->err && h->err->status == UTFALL_ERR_PRIVACY) {
            *err = *h->err;
            return 1;
        }
    }
    return 0;
}

void recqueue_clear(struct recqueue *q)
{
    for (size_t i = 0; i < q->n; i++)
        held_free(&q->items[(q->head + i) % q->cap]);
    held_free(&q->current);
    free(q->items);
    memset(q, 0, sizeof *q);
}
