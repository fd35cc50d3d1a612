/* boundary_pass — the floor that is ours: read a file and find every line
 * and field boundary, nothing more (no quotes, no trimming, no copying, no
 * decoding).  The least a CSV reader that must look at every byte can do;
 * utfall's reader is this plus quote handling, UTF-8 checking and the work
 * on each field.  Built by bench/run; not part of the product or of the
 * test suite.
 *
 *   boundary_pass [--bytes] FILE   →   "records<TAB>fields" on stdout
 *
 * Lines and fields are found with memchr (glibc's is vectorised), as
 * lib/csvread.c finds lines; --bytes finds them with a plain loop over the
 * bytes instead.  The delimiter is ','; a record is a line, so a quoted
 * field holding a comma or a newline is miscounted (the extracts bench/run
 * writes have none, and bench/run checks the counts). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1u << 20)

struct counts {
    unsigned long records, fields;
};

/* One line without its terminator: count its fields. */
static inline void line_memchr(const char *p, const char *end, struct counts *c)
{
    c->records++;
    c->fields++;
    while ((p = memchr(p, ',', (size_t)(end - p))) != NULL) {
        c->fields++;
        p++;
    }
}

/* Every whole line in buf[0..n); returns how many bytes were used. */
static size_t scan_memchr(const char *buf, size_t n, struct counts *c)
{
    const char *p = buf, *end = buf + n, *nl;
    while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        line_memchr(p, nl, c);
        p = nl + 1;
    }
    return (size_t)(p - buf);
}

static size_t scan_bytes(const char *buf, size_t n, struct counts *c)
{
    size_t used = 0;
    unsigned long commas = 0, lines = 0;
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == ',') {
            commas++;
        } else if (buf[i] == '\n') {
            lines++;
            used = i + 1;
        }
    }
    /* commas after the last newline belong to the next chunk's line */
    for (size_t i = used; i < n; i++)
        commas -= buf[i] == ',';
    c->records += lines;
    c->fields += lines + commas;
    return used;
}

int main(int argc, char **argv)
{
    int bytes = argc == 3 && !strcmp(argv[1], "--bytes");
    if (argc != 2 + bytes) {
        fprintf(stderr, "usage: boundary_pass [--bytes] FILE\n");
        return 2;
    }
    const char *path = argv[argc - 1];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        perror(path);
        return 1;
    }
    size_t cap = CHUNK, len = 0;
    char *buf = malloc(cap);
    struct counts c = {0, 0};
    for (;;) {
        if (len == cap) { /* a line longer than the buffer */
            char *nb = buf ? realloc(buf, cap * 2) : NULL;
            if (!nb) {
                fprintf(stderr, "boundary_pass: out of memory\n");
                return 1;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + len, cap - len);
        if (got < 0) {
            perror(path);
            return 1;
        }
        if (got == 0)
            break;
        len += (size_t)got;
        size_t used = bytes ? scan_bytes(buf, len, &c) : scan_memchr(buf, len, &c);
        memmove(buf, buf + used, len - used);
        len -= used;
    }
    if (len) /* a last line without a terminator */
        line_memchr(buf, buf + len, &c);
    close(fd);
    free(buf);
    printf("%lu\t%lu\n", c.records, c.fields);
    return 0;
}
