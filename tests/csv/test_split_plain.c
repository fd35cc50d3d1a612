/* split_plain (lib/ingest/csvread.c) must split a line exactly as libcsv does
 * with the reader's options: it replaces libcsv for lines without quotes.
 * Compared here on a million random lines over the bytes that matter
 * (delimiters, spaces, CR, LF, TAB, letters, UTF-8), for every delimiter
 * and both line-end modes.  The reader's source is included so that the
 * static function is reachable; nothing else is reimplemented. */
#include "../../lib/ingest/csvread.c"

#include <stdio.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

typedef struct fields {
    size_t n;
    size_t len[64];
    int null[64];
    char bytes[64][64];
    int done;
} fields;

static void capture(utfall_csv_reader *r, fields *f)
{
    f->n = r->nfields;
    for (size_t i = 0; i < r->nfields && i < 64; i++) {
        f->len[i] = r->lengths[i];
        f->null[i] = r->nulls[i];
        memcpy(f->bytes[i], r->arena + r->offsets[i], r->lengths[i] < 63 ? r->lengths[i] : 63);
    }
    f->done = r->record_done;
}

static void reset(utfall_csv_reader *r)
{
    r->nfields = 0;
    r->arena_len = 0;
    r->record_done = 0;
}

static int same(const fields *a, const fields *b)
{
    if (a->n != b->n || a->done != b->done)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->len[i] != b->len[i] || a->null[i] != b->null[i]
            || memcmp(a->bytes[i], b->bytes[i], a->len[i] < 63 ? a->len[i] : 63))
            return 0;
    return 1;
}

int main(void)
{
    static const char alphabet[] = {'a', 'b', ' ', ' ', '\r', ',', ';', '\t', '|', '\n',
                                    '1', '\xc3', '\xa4', '"'};
    static const char delimiters[] = {',', ';', '\t', '|'};
    long compared = 0, left_to_libcsv = 0, failures = 0;
    for (int mode = 0; mode < 2; mode++) {
        for (size_t d = 0; d < sizeof delimiters; d++) {
            utfall_csv_reader r;
            memset(&r, 0, sizeof r);
            r.opt.max_field = 1u << 20;
            r.newline = mode ? '\r' : '\n';
            r.delimiter = delimiters[d];
            for (long trial = 0; trial < 125000; trial++) {
                char line[40];
                size_t n = 1 + next_random() % 30;
                for (size_t i = 0; i < n; i++) {
                    char c = alphabet[next_random() % sizeof alphabet];
                    /* fill_line gives at most one terminator, at the end */
                    if (c == r.newline)
                        c = 'x';
                    /* quotes are rare, so that most lines take the fast path */
                    if (c == '"' && next_random() % 4)
                        c = 'q';
                    line[i] = c;
                }
                if (next_random() % 8) /* sometimes the last line, unterminated */
                    line[n++] = r.newline;
                fields fast, slow;
                reset(&r);
                int rc = split_plain(&r, line, n);
                capture(&r, &fast);

                reset(&r);
                if (csv_init(&r.parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL
                                            | CSV_EMPTY_IS_NULL))
                    return 1;
                csv_set_delim(&r.parser, (unsigned char)r.delimiter);
                csv_set_space_func(&r.parser, r.newline == '\n' ? is_space_crlf : is_space_plain);
                csv_set_term_func(&r.parser, r.newline == '\n' ? is_term_lf : is_term_cr);
                size_t done = csv_parse(&r.parser, line, n, on_field, on_record, &r);
                if (done == n && !r.record_done)
                    csv_fini(&r.parser, on_field, on_record, &r);
                csv_free(&r.parser);
                capture(&r, &slow);
                if (rc == 1) {
                    left_to_libcsv++;
                    if (!memchr(line, '"', n) && slow.done) {
                        fprintf(stderr, "FAIL: a plain line left to libcsv, which found a record\n");
                        failures++;
                    }
                    continue;
                }
                compared++;
                if (done != n || !same(&fast, &slow)) {
                    fprintf(stderr, "FAIL: mode %d delimiter 0x%02x, line of %zu bytes:", mode,
                            (unsigned)r.delimiter, n);
                    for (size_t i = 0; i < n; i++)
                        fprintf(stderr, " %02x", (unsigned char)line[i]);
                    fprintf(stderr, "\n  fast %zu fields, libcsv %zu fields\n", fast.n, slow.n);
                    if (++failures > 10)
                        return 1;
                }
            }
            free(r.arena);
            free(r.offsets);
            free(r.lengths);
            free(r.nulls);
            free(r.ptrs);
        }
    }
    printf("%ld lines split alike, %ld left to libcsv, %ld differ\n", compared, left_to_libcsv,
           failures);
    return failures != 0 || compared < 500000;
}
