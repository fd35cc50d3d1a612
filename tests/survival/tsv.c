#include "tsv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what, const char *name)
{
    fprintf(stderr, "test setup: %s: %s\n", name, what);
    exit(99);
}

static char **split(char *line, size_t *n)
{
    size_t cap = 8, k = 0;
    char **f = malloc(cap * sizeof *f);
    if (!f)
        die("out of memory", "split");
    char *p = line;
    for (;;) {
        if (k == cap) {
            cap *= 2;
            f = realloc(f, cap * sizeof *f);
            if (!f)
                die("out of memory", "split");
        }
        f[k++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    *n = k;
    return f;
}

tsv *tsv_read(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "r");
    if (!fp)
        die("cannot open", path);
    tsv *t = calloc(1, sizeof *t);
    size_t cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, fp)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        char *copy = strdup(line);
        size_t n;
        char **f = split(copy, &n);
        if (!t->header) {
            t->header = f;
            t->n_cols = n;
            continue;
        }
        if (n != t->n_cols)
            die("a row has the wrong number of fields", path);
        if (t->n_rows == cap) {
            cap = cap ? 2 * cap : 256;
            t->cell = realloc(t->cell, cap * sizeof *t->cell);
            if (!t->cell)
                die("out of memory", path);
        }
        t->cell[t->n_rows++] = f;
    }
    free(line);
    fclose(fp);
    if (!t->header)
        die("empty file", path);
    return t;
}

void tsv_free(tsv *t)
{
    if (!t)
        return;
    /* each row's fields live in one strdup'ed block starting at field 0 */
    for (size_t r = 0; r < t->n_rows; r++) {
        free(t->cell[r][0]);
        free(t->cell[r]);
    }
    free(t->cell);
    free(t->header[0]);
    free(t->header);
    free(t);
}

size_t tsv_col(const tsv *t, const char *name)
{
    for (size_t j = 0; j < t->n_cols; j++)
        if (strcmp(t->header[j], name) == 0)
            return j;
    die("no such column", name);
    return 0;
}

const char *tsv_str(const tsv *t, size_t row, const char *col)
{
    return t->cell[row][tsv_col(t, col)];
}

double tsv_num(const tsv *t, size_t row, const char *col)
{
    const char *s = tsv_str(t, row, col);
    if (strcmp(s, "NA") == 0 || strcmp(s, "NaN") == 0)
        return NAN;
    if (strcmp(s, "Inf") == 0)
        return INFINITY;
    if (strcmp(s, "-Inf") == 0)
        return -INFINITY;
    char *end;
    double x = strtod(s, &end);
    if (end == s || *end)
        die("not a number", s);
    return x;
}
