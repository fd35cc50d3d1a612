/* libcsv_parse — a floor under utfall's CSV reading: parse a file with
 * libcsv and count records and fields.  Nothing else: no decoding, no
 * validation, no aggregation.  Built by bench/run; not part of the product
 * or of the test suite.
 *
 *   libcsv_parse FILE                   libcsv's default options: what any
 *                                       program that uses libcsv gets
 *   libcsv_parse --utfall-options FILE  the options lib/csvread.c gives
 *                                       libcsv (strict, a space function and
 *                                       a terminator function: two indirect
 *                                       calls per byte), which utfall only
 *                                       uses for lines with a quote
 *
 * Prints "records<TAB>fields".  The default run is the honest floor "no
 * slower than merely parsing with libcsv"; the --utfall-options run is the
 * slower floor results.md used to quote, kept as a second row. */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (1u << 20)

struct counts {
    unsigned long records, fields;
};

static void on_field(void *s, size_t len, void *data)
{
    (void)s;
    (void)len;
    ((struct counts *)data)->fields++;
}

static void on_record(int c, void *data)
{
    (void)c;
    ((struct counts *)data)->records++;
}

static int is_space(unsigned char c) { return c == ' ' || c == '\r'; }
static int is_term(unsigned char c) { return c == '\n'; }

int main(int argc, char **argv)
{
    int utfall_options = argc == 3 && !strcmp(argv[1], "--utfall-options");
    if (argc != 2 + utfall_options) {
        fprintf(stderr, "usage: libcsv_parse [--utfall-options] FILE\n");
        return 2;
    }
    const char *path = argv[argc - 1];
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        perror(path);
        return 1;
    }
    struct csv_parser p;
    if (csv_init(&p, utfall_options ? CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL
                                    : 0))
        return 1;
    if (utfall_options) {
        csv_set_delim(&p, ',');
        csv_set_space_func(&p, is_space);
        csv_set_term_func(&p, is_term);
        csv_set_blk_size(&p, 4096);
    }
    char *buf = malloc(CHUNK);
    struct counts c = {0, 0};
    size_t n;
    while (buf && (n = fread(buf, 1, CHUNK, fp)) > 0)
        if (csv_parse(&p, buf, n, on_field, on_record, &c) != n) {
            fprintf(stderr, "libcsv_parse: %s: %s\n", path, csv_strerror(csv_error(&p)));
            return 1;
        }
    csv_fini(&p, on_field, on_record, &c);
    csv_free(&p);
    free(buf);
    fclose(fp);
    printf("%lu\t%lu\n", c.records, c.fields);
    return 0;
}
