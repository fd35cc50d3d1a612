/* parse_floor — the floor under utfall's CSV reading: parse a file with
 * libcsv, using the same options as lib/csvread.c, and count records and
 * fields.  Nothing else: no decoding, no validation, no aggregation.
 * Built by bench/run; not part of the product or of the test suite.
 *
 *   parse_floor FILE   →   "records<TAB>fields" on stdout */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>

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
    if (argc != 2) {
        fprintf(stderr, "usage: parse_floor FILE\n");
        return 2;
    }
    FILE *fp = fopen(argv[1], "rb");
    if (!fp) {
        perror(argv[1]);
        return 1;
    }
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL))
        return 1;
    csv_set_delim(&p, ',');
    csv_set_space_func(&p, is_space);
    csv_set_term_func(&p, is_term);
    csv_set_blk_size(&p, 4096);
    char *buf = malloc(CHUNK);
    struct counts c = {0, 0};
    size_t n;
    while (buf && (n = fread(buf, 1, CHUNK, fp)) > 0)
        if (csv_parse(&p, buf, n, on_field, on_record, &c) != n) {
            fprintf(stderr, "parse_floor: %s: %s\n", argv[1], csv_strerror(csv_error(&p)));
            return 1;
        }
    csv_fini(&p, on_field, on_record, &c);
    csv_free(&p);
    free(buf);
    fclose(fp);
    printf("%lu\t%lu\n", c.records, c.fields);
    return 0;
}
