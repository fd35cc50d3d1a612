/* Disclosure control over a whole document (include/utfall/protect.h says
 * what and why).  The stages of utfall_doc_protect:
 *   collect     every published count, and every complement a row implies,
 *               as a cell with a definition
 *   domains     the values of every dimension
 *   atoms       the episodes split into classes that no definition tells
 *               apart (a dynamic programme over the dimensions)
 *   groups      cells with the same sum of classes share one status
 *   primary     counts from 1 to N−1 are hidden, complements from 1 to N−1
 *               must not be recoverable
 *   secondary   while an attacker's linear programme pins a sensitive
 *               count, hide the cheapest published count that pins it
 *   apply       hide the cells, what is computed from them, and the notes
 * The linear programmes are GLPK's simplex; GLPK reports its own fatal
 * errors through a hook that returns here with longjmp, so that nothing
 * aborts. */
#include "utfall/protect.h"

#include <glpk.h>
#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "output/table_internal.h"

/* ---- the document's dimensions --------------------------------------- */

struct dim {
    char *name;
    char **values;
    size_t n, cap;
};

enum group_status { G_SHOWN = 0, G_PRIMARY, G_SECONDARY, G_IMPLIED };

/* What the audit keeps of a group of cells with one expression. */
struct audit_entry {
    char *where;      /* JSON: the cells' places, table/row/column */
    char *definition; /* readable definition of the first cell */
    enum group_status status;
    int sensitive;
    double value; /* published value; NAN for hidden ones */
    double lo, hi;
};

struct protect_space {
    struct dim *dims;
    size_t ndims, capdims;
    char **constant; /* grouping keys constant per person */
    size_t nconstant, capconstant;
    long min_count; /* N of the last protection, 0 = none ran */
    struct audit_entry *audit;
    size_t naudit;
    size_t nclasses;
};

static void free_audit(struct protect_space *s)
{
    for (size_t i = 0; i < s->naudit; i++) {
        free(s->audit[i].where);
        free(s->audit[i].definition);
    }
    free(s->audit);
    s->audit = NULL;
    s->naudit = 0;
}

void utfall_protect_space_free(struct protect_space *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ndims; i++) {
        for (size_t k = 0; k < s->dims[i].n; k++)
            free(s->dims[i].values[k]);
        free(s->dims[i].values);
        free(s->dims[i].name);
    }
    free(s->dims);
    for (size_t i = 0; i < s->nconstant; i++)
        free(s->constant[i]);
    free(s->constant);
    free_audit(s);
    free(s);
}

static void doc_fail(utfall_doc *d)
{
    if (!d->failed)
        d->failed = UTFALL_ERR_NOMEM;
}

static struct protect_space *space_of(utfall_doc *d)
{
    if (!d->space && !(d->space = calloc(1, sizeof *d->space)))
        doc_fail(d);
    return d->space;
}

static long dim_find(const struct protect_space *s, const char *name)
{
    for (size_t i = 0; i < s->ndims; i++)
        if (!strcmp(s->dims[i].name, name))
            return (long)i;
    return -1;
}

static long dim_value_find(const struct dim *dm, const char *value)
{
    for (size_t k = 0; k < dm->n; k++)
        if (!strcmp(dm->values[k], value))
            return (long)k;
    return -1;
}

/* The dimension's index, created when new; -1 on out-of-memory. */
static long dim_get(struct protect_space *s, const char *name)
{
    long i = dim_find(s, name);
    if (i >= 0)
        return i;
    char *dup = strdup(name);
    if (!dup || UTFALL_GROW(s->dims, s->capdims, s->ndims + 1)) {
        free(dup);
        return -1;
    }
    s->dims[s->ndims] = (struct dim){dup, NULL, 0, 0};
    return (long)s->ndims++;
}

static int dim_add_value(struct dim *dm, const char *value)
{
    if (dim_value_find(dm, value) >= 0)
        return 0;
    char *dup = strdup(value);
    if (!dup || UTFALL_GROW(dm->values, dm->cap, dm->n + 1)) {
        free(dup);
        return -1;
    }
    dm->values[dm->n++] = dup;
    return 0;
}

void utfall_doc_dimension_value(utfall_doc *d, const char *dim, const char *value)
{
    struct protect_space *s = space_of(d);
    if (!s)
        return;
    long i = dim_get(s, dim);
    if (i < 0 || dim_add_value(&s->dims[i], value))
        doc_fail(d);
}

void utfall_doc_constant_per_person(utfall_doc *d, const char *key)
{
    struct protect_space *s = space_of(d);
    if (!s)
        return;
    for (size_t i = 0; i < s->nconstant; i++)
        if (!strcmp(s->constant[i], key))
            return;
    char *dup = strdup(key);
    if (!dup || UTFALL_GROW(s->constant, s->capconstant, s->nconstant + 1)) {
        free(dup);
        doc_fail(d);
        return;
    }
    s->constant[s->nconstant++] = dup;
}

/* ---- what tables say about their cells --------------------------------- */

static void set_string(utfall_table *t, char **field, const char *value)
{
    free(*field);
    *field = value ? strdup(value) : NULL;
    if (value && !*field && !t->failed)
        t->failed = UTFALL_ERR_NOMEM;
}

static struct column *column_of(utfall_table *t, int col)
{
    if (col >= 0 && col < t->ncols)
        return &t->cols[col];
    if (!t->failed)
        t->failed = UTFALL_ERR_INTERNAL;
    return NULL;
}

void utfall_table_set_population(utfall_table *t, const char *cond)
{
    set_string(t, &t->population, cond);
}

void utfall_table_column_cell(utfall_table *t, int col, const char *cond)
{
    struct column *c = column_of(t, col);
    if (c)
        set_string(t, &c->cell, cond);
}

void utfall_table_column_margin_over(utfall_table *t, int col, const char *over)
{
    struct column *c = column_of(t, col);
    if (c)
        set_string(t, &c->margin_over, over);
}

void utfall_table_column_cell_value(utfall_table *t, int col, const char *dim, const char *value)
{
    struct column *c = column_of(t, col);
    if (!c)
        return;
    set_string(t, &c->cell_dim, dim);
    set_string(t, &c->cell_value, value);
}

void utfall_table_column_dimension(utfall_table *t, int col, const char *dim, const char *prefix)
{
    struct column *c = column_of(t, col);
    if (!c)
        return;
    set_string(t, &c->dim, dim);
    set_string(t, &c->dim_prefix, prefix);
}

void utfall_table_column_value_means(utfall_table *t, int col, const char *value,
                                     const char *patterns)
{
    struct column *c = column_of(t, col);
    if (!c)
        return;
    size_t cap = c->nmap, cap2 = c->nmap;
    char *v = strdup(value), *p = strdup(patterns);
    if (!v || !p || UTFALL_GROW(c->map_value, cap, c->nmap + 1)
        || UTFALL_GROW(c->map_patterns, cap2, c->nmap + 1)) {
        free(v);
        free(p);
        if (!t->failed)
            t->failed = UTFALL_ERR_NOMEM;
        return;
    }
    c->map_value[c->nmap] = v;
    c->map_patterns[c->nmap++] = p;
}

void utfall_table_derived_from(utfall_table *t, const char *source)
{
    set_string(t, &t->derived_from, source);
}

void utfall_doc_adopt_dimensions(utfall_doc *to, const utfall_doc *from)
{
    const struct protect_space *f = from->space;
    for (size_t i = 0; f && i < f->ndims; i++)
        for (size_t k = 0; k < f->dims[i].n; k++)
            utfall_doc_dimension_value(to, f->dims[i].name, f->dims[i].values[k]);
    for (size_t i = 0; f && i < f->nconstant; i++)
        utfall_doc_constant_per_person(to, f->constant[i]);
}

static int prefixed(utfall_table *t, char **field, const char *prefix, size_t max_len)
{
    char key[256];
    snprintf(key, sizeof key, "%s_%s", prefix, *field);
    if (max_len < sizeof key)
        key[max_len] = '\0';
    set_string(t, field, key);
    return t->failed ? -1 : 0;
}

void utfall_doc_prefix_keys(utfall_doc *d, const char *prefix, size_t max_len)
{
    for (int i = 0; i < d->n; i++) {
        utfall_table *t = d->tables[i];
        char *key = strdup(t->key);
        if (!key || prefixed(t, &key, prefix, max_len) || utfall_table_set_key(t, key)) {
            if (!t->failed)
                t->failed = UTFALL_ERR_NOMEM;
        }
        free(key);
        if (t->derived_from)
            prefixed(t, &t->derived_from, prefix, max_len);
    }
}

void utfall_table_set_importance(utfall_table *t, double weight)
{
    t->importance = weight > 0 ? weight : 1;
}

void utfall_table_set_local_protection(utfall_table *t)
{
    t->local_protection = 1;
}

/* ---- cells and their definitions -------------------------------------- */

/* One condition on one dimension: the value must match one of patterns (a
 * pattern "v" matches "v" and "v/…").  On the dimension "first" a pattern
 * is a grouping key: the episode is its person's first within that
 * grouping's group ("" = within the population). */
struct clause {
    size_t dim;
    char **patterns;
    size_t n, cap;
    long exact; /* >= 0: admits only the value of this index (the decomposition's) */
};

/* A definition: the conjunction of its clauses. */
struct def {
    struct clause *cl;
    size_t n, cap;
};

enum cell_kind { PC_COUNT = 0, PC_COMPLEMENT };

struct pcell {
    int table, row, col; /* PC_COMPLEMENT: col is the part, total its row sum */
    int total_col;
    enum cell_kind kind;
    double value;
    size_t def_plus;       /* PC_COUNT: its definition; PC_COMPLEMENT: the total's */
    size_t def_minus;      /* PC_COMPLEMENT: the part's definition */
    size_t group;
    double cost;
    int public_complement; /* a complement exempt from the threshold (see collect) */
    int unstated;          /* its row's group value is "uppgift saknas" */
};

struct group {
    size_t first; /* first member cell */
    size_t *cls;  /* sparse expression: classes and coefficients */
    int *coef;
    size_t nterms;
    uint64_t hash;
    double value;
    int published; /* a member is a published count */
    int sensitive;
    enum group_status status;
    double cost;
    double lo, hi;
    int lp_row;
    int integral; /* the linear optima for lo and hi were whole numbers */
    int approx;   /* lo and hi are values seen, not the optima (pool_spread) */
    int at_least_one; /* persons of a group whose published episodes are at least 1 */
};

struct run {
    utfall_doc *d;
    struct protect_space *s;
    long N;
    utfall_error *err;
    struct pcell *cells;
    size_t ncells, capcells;
    struct def *defs;
    size_t ndefs, capdefs;
    long first_dim;     /* the dimension "first", -1 when no cell counts persons */
    char **flags;       /* its grouping keys, "" first */
    size_t nflags, capflags;
    unsigned *tuples;   /* its values: which of flags hold, as bits */
    size_t ntuples;
    size_t nwords;      /* 64-bit words of a bitset over defs */
    uint64_t ***allow;  /* [dim][value]: the defs that admit the value */
    uint64_t *classes;  /* nclasses bitsets: the defs each class lies in */
    size_t nclasses;
    /* the decomposition (see decompose): cliques of dimensions, each with
     * its own classes, joined along a tree by their shared dimensions */
    struct clique {
        uint64_t dims;       /* bit k: dimension k */
        size_t first, count; /* its classes */
    } *cliques;
    size_t ncliques;
    size_t *def_clique; /* by def */
    struct link {       /* two cliques' counts of one separator value agree */
        size_t def_a, def_b;
    } *links;
    size_t nlinks, caplinks;
    /* solutions seen: hiding only relaxes the programme, so every one stays
     * feasible, and a count that differs by 1 between two of them is not
     * pinned (see pool_spread) */
    double *pool;            /* POOL_SIZE solutions of nclasses values */
    unsigned char *pool_int; /* each a whole-number solution? */
    size_t npool, pool_next;
    /* whole-number solutions of the attacker's integer programme (see
     * build_mip), the first the truth's: two in which a count differs
     * certify it without an integer programme of its own (see certify) */
    double *ipool;
    size_t nipool, ipool_next;
    int want_audit; /* every range, for the audit; else those that matter */
    int trial;      /* a count is hidden on trial: solutions now are not kept */
    struct group *groups;
    size_t ngroups, capgroups;
    glp_prob *lp;
    jmp_buf *glpk_jump;
};

static utfall_status nomem(struct run *r)
{
    return utfall_error_set(r->err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
}

static void def_free(struct def *df)
{
    for (size_t i = 0; i < df->n; i++) {
        for (size_t k = 0; k < df->cl[i].n; k++)
            free(df->cl[i].patterns[k]);
        free(df->cl[i].patterns);
    }
    free(df->cl);
}

static struct clause *def_clause(struct def *df, size_t dim)
{
    if (UTFALL_GROW(df->cl, df->cap, df->n + 1))
        return NULL;
    df->cl[df->n] = (struct clause){dim, NULL, 0, 0, -1};
    return &df->cl[df->n++];
}

static int clause_add(struct clause *c, const char *pattern, size_t len)
{
    char *p = strndup(pattern, len);
    if (!p || UTFALL_GROW(c->patterns, c->cap, c->n + 1)) {
        free(p);
        return -1;
    }
    c->patterns[c->n++] = p;
    return 0;
}

/* cond with every "{KEY}" replaced by the row's value in column KEY. */
static utfall_status expand_cond(struct run *r, const utfall_table *t, int row, const char *cond,
                                 char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = cond; *p && n + 1 < size;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (!close) {
            out[n++] = *p++;
            continue;
        }
        char key[128], value[128] = "";
        snprintf(key, sizeof key, "%.*s", (int)(close - p - 1), p + 1);
        int c = utfall_table_column_index(t, key);
        if (c < 0)
            return utfall_error_set(r->err, UTFALL_ERR_INTERNAL, UTFALL_EC_PROTECT_DEFINITION,
                                    "a cell's condition names column '%s', which table '%s' "
                                    "does not have", key, t->key);
        const struct cell *cell = &t->cells[(size_t)row * (size_t)t->ncols + (size_t)c];
        if (cell->state == CELL_TEXT)
            snprintf(value, sizeof value, "%s", cell->text);
        else if (cell->state == CELL_NUM)
            utfall_fmt_machine(cell->num, value, sizeof value);
        n += (size_t)snprintf(out + n, size - n, "%s", value);
        p = close + 1;
    }
    out[n < size ? n : size - 1] = '\0';
    return UTFALL_OK;
}

/* "row_key" replaces a "first" pattern "." (the row's grouping). */
static int def_parse(struct run *r, struct def *df, const char *cond, const char *row_key)
{
    for (const char *p = cond; p && *p;) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *colon = memchr(p, ':', len);
        if (!colon)
            return utfall_error_set(r->err, UTFALL_ERR_INTERNAL, UTFALL_EC_PROTECT_DEFINITION,
                                    "a cell's condition '%.*s' is not dim:values", (int)len, p);
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(colon - p), p);
        long dim = dim_get(r->s, name);
        struct clause *c = dim < 0 ? NULL : def_clause(df, (size_t)dim);
        if (!c)
            return nomem(r);
        if (colon + 1 == p + len && clause_add(c, "", 0)) /* "dim:" is the value "" */
            return nomem(r);
        for (const char *v = colon + 1; v < p + len;) {
            const char *comma = memchr(v, ',', (size_t)(p + len - v));
            size_t vlen = comma ? (size_t)(comma - v) : (size_t)(p + len - v);
            int is_first = !strcmp(name, "first");
            if (is_first && vlen == 1 && *v == '.' ? clause_add(c, row_key, strlen(row_key))
                                                  : clause_add(c, v, vlen))
                return nomem(r);
            v += vlen + (comma != NULL);
        }
        p += len + (end != NULL);
    }
    return UTFALL_OK;
}

/* The value a group column's cell stands for on its dimension. */
static void group_value(const struct column *gc, const char *text, char *buf, size_t size)
{
    const char *prefix = gc->dim_prefix ? gc->dim_prefix : "";
    snprintf(buf, size, "%s%s", prefix, *prefix && !*text ? "unknown" : text);
}

/* The conditions of cell (row, col) of table t: population, column, row. */
static utfall_status def_of_cell(struct run *r, const utfall_table *t, int row, int col,
                                 size_t *out)
{
    if (UTFALL_GROW(r->defs, r->capdefs, r->ndefs + 1))
        return nomem(r);
    struct def *df = &r->defs[r->ndefs];
    *df = (struct def){NULL, 0, 0};
    char row_key[512] = "";
    utfall_status st = UTFALL_OK;
    for (int c = 0; c < t->ncols && !st; c++) {
        const struct column *gc = &t->cols[c];
        if (gc->type != UTFALL_COL_GROUP || t->is_total[row])
            continue;
        if (t->cols[col].margin_over && !strcmp(t->cols[col].margin_over, gc->key))
            continue; /* the count is the same whatever this column's value */
        const struct cell *cell = &t->cells[(size_t)row * (size_t)t->ncols + (size_t)c];
        if (cell->state == CELL_EMPTY)
            continue; /* a margin: no condition on this column */
        const char *text = cell->state == CELL_TEXT ? cell->text : "";
        const char *dname = gc->dim ? gc->dim : gc->key;
        long dim = dim_get(r->s, dname);
        struct clause *cl = dim < 0 ? NULL : def_clause(df, (size_t)dim);
        size_t k = 0;
        while (k < gc->nmap && strcmp(gc->map_value[k], text))
            k++;
        if (!cl) {
            st = nomem(r);
        } else if (k < gc->nmap) {
            /* a value that stands for several: its patterns, no new value */
            for (const char *p = gc->map_patterns[k]; *p && !st;) {
                size_t len = strcspn(p, ",");
                if (clause_add(cl, p, len))
                    st = nomem(r);
                p += len + (p[len] == ',');
            }
        } else {
            char value[1024];
            group_value(gc, text, value, sizeof value);
            if (clause_add(cl, value, strlen(value)) || dim_add_value(&r->s->dims[dim], value))
                st = nomem(r);
        }
        size_t n = strlen(row_key);
        snprintf(row_key + n, sizeof row_key - n, "%s%s", n ? "+" : "", dname);
    }
    char cond[2048];
    if (!st && t->population && !(st = expand_cond(r, t, row, t->population, cond, sizeof cond)))
        st = def_parse(r, df, cond, row_key);
    if (!st && t->cols[col].cell
        && !(st = expand_cond(r, t, row, t->cols[col].cell, cond, sizeof cond)))
        st = def_parse(r, df, cond, row_key);
    if (!st && t->cols[col].cell_dim) {
        /* one value, as written: no condition syntax to trip over */
        long dim = dim_get(r->s, t->cols[col].cell_dim);
        struct clause *cl = dim < 0 ? NULL : def_clause(df, (size_t)dim);
        const char *v = t->cols[col].cell_value;
        if (!cl || clause_add(cl, v, strlen(v)) || dim_add_value(&r->s->dims[dim], v))
            st = nomem(r);
    }
    r->ndefs++; /* counted even on failure, so that it is freed */
    *out = r->ndefs - 1;
    return st;
}

/* ---- collect: the counts and the complements rows imply ---------------- */

static int is_protected_count(const struct column *c)
{
    return (c->type == UTFALL_COL_COUNT || c->type == UTFALL_COL_COUNT_SHARE)
           && !c->not_suppressible && !c->depends[0];
}

static int is_residual_value(const char *v)
{
    static const char *const residual[] = {"annat", "annan", "ovrigt", "unknown"};
    const char *slash = strrchr(v, '/');
    const char *tail = slash ? slash + 1 : v;
    for (size_t i = 0; i < sizeof residual / sizeof *residual; i++)
        if (!strcmp(tail, residual[i]))
            return 1;
    return 0;
}

/* What hiding the cell costs the reader: its size, less for "uppgift
 * saknas" and "annat", much more for totals and most for the population's
 * own total. */
static double cell_cost(const utfall_table *t, int row, int col, double value)
{
    double w = (value + 1) * (t->importance > 0 ? t->importance : 1);
    /* a row's total (enrolled, n) is what the row is about: its parts go first */
    for (int c = 0; c < t->ncols; c++)
        if (t->cols[c].sum_of == col + 1) {
            w *= 5;
            break;
        }
    if (t->is_total[row]) {
        w *= 20;
        if (!t->population && !t->cols[col].cell)
            w *= 50;
        return w;
    }
    for (int c = 0; c < t->ncols; c++) {
        const struct cell *cell = &t->cells[(size_t)row * (size_t)t->ncols + (size_t)c];
        if (t->cols[c].type != UTFALL_COL_GROUP)
            continue;
        const char *text = cell->state == CELL_TEXT ? cell->text : "";
        if (!*text)
            w *= 0.1;
        else if (is_residual_value(text))
            w *= 0.3;
    }
    return w;
}

/* A row of participants whose gender (unit, …) is not stated describes a
 * gap in the register, not people who share an attribute: its counts are
 * not sensitive in themselves, and are the first to go when another count
 * needs a partner (utfall(1) SUPPRESSION). */
static int row_unstated(const utfall_table *t, int row)
{
    if (t->is_total[row])
        return 0;
    for (int c = 0; c < t->ncols; c++) {
        const struct cell *cell = &t->cells[(size_t)row * (size_t)t->ncols + (size_t)c];
        if (t->cols[c].type == UTFALL_COL_GROUP && !t->cols[c].dim_prefix && !t->cols[c].nmap
            && cell->state == CELL_TEXT && !cell->text[0])
            return 1;
    }
    return 0;
}

static utfall_status add_cell(struct run *r, struct pcell pc)
{
    if (UTFALL_GROW(r->cells, r->capcells, r->ncells + 1))
        return nomem(r);
    r->cells[r->ncells++] = pc;
    return UTFALL_OK;
}

static utfall_status def_copy(struct run *r, size_t from, size_t *out)
{
    if (UTFALL_GROW(r->defs, r->capdefs, r->ndefs + 1))
        return nomem(r);
    struct def *df = &r->defs[r->ndefs++];
    *df = (struct def){NULL, 0, 0};
    *out = r->ndefs - 1;
    const struct def *src = &r->defs[from];
    for (size_t i = 0; i < src->n; i++) {
        struct clause *cl = def_clause(df, src->cl[i].dim);
        if (!cl)
            return nomem(r);
        cl->exact = src->cl[i].exact;
        for (size_t k = 0; k < src->cl[i].n; k++)
            if (clause_add(cl, src->cl[i].patterns[k], strlen(src->cl[i].patterns[k])))
                return nomem(r);
    }
    return UTFALL_OK;
}

static utfall_status collect_row(struct run *r, int ti, int row, long *at_col)
{
    const utfall_table *t = r->d->tables[ti];
    utfall_status st = UTFALL_OK;
    for (int c = 0; c < t->ncols && !st; c++) {
        const struct cell *cell = &t->cells[(size_t)row * (size_t)t->ncols + (size_t)c];
        at_col[c] = -1;
        if (!is_protected_count(&t->cols[c]) || cell->state != CELL_NUM)
            continue;
        size_t def = 0;
        if ((st = def_of_cell(r, t, row, c, &def)))
            break;
        at_col[c] = (long)r->ncells;
        st = add_cell(r, (struct pcell){ti, row, c, -1, PC_COUNT, cell->num, def, 0, 0,
                                        cell_cost(t, row, c, cell->num), 0,
                                        row_unstated(t, row)});
    }
    /* a part and its row's total: the rest is a count too ("9 of 10
     * reached" says 1 did not) */
    for (int c = 0; c < t->ncols && !st; c++) {
        int total = t->cols[c].sum_of - 1;
        if (total < 0 || at_col[c] < 0 || at_col[total] < 0)
            continue;
        const struct pcell *part = &r->cells[at_col[c]], *whole = &r->cells[at_col[total]];
        /* the project's own total of re-enrolments (enrolments − persons)
         * describes the project, not a group: see utfall(1) SUPPRESSION */
        int public_complement = t->is_total[row] && t->cols[c].total_complement_public;
        /* its own copies: a definition lives in one clique (see decompose) */
        size_t plus = 0, minus = 0;
        double value = whole->value - part->value;
        int unstated = part->unstated;
        size_t wd = whole->def_plus, pd = part->def_plus;
        if ((st = def_copy(r, wd, &plus)) || (st = def_copy(r, pd, &minus)))
            break;
        st = add_cell(r, (struct pcell){ti, row, c, total, PC_COMPLEMENT, value, plus, minus, 0,
                                        0, public_complement, unstated});
    }
    return st;
}

static utfall_status collect(struct run *r)
{
    utfall_status st = UTFALL_OK;
    for (int ti = 0; ti < r->d->n && !st; ti++) {
        const utfall_table *t = r->d->tables[ti];
        if (t->no_suppress || t->local_protection)
            continue;
        long *at_col = calloc((size_t)(t->ncols ? t->ncols : 1), sizeof *at_col);
        if (!at_col)
            return nomem(r);
        for (int row = 0; row < t->nrows && !st; row++)
            st = collect_row(r, ti, row, at_col);
        free(at_col);
    }
    return st;
}

/* ---- domains ------------------------------------------------------------ */

static int pattern_matches(const char *pattern, const char *value)
{
    size_t n = strlen(pattern);
    return !strncmp(pattern, value, n) && (value[n] == '\0' || value[n] == '/');
}

static long flag_index(const struct run *r, const char *key)
{
    for (size_t i = 0; i < r->nflags; i++)
        if (!strcmp(r->flags[i], key))
            return (long)i;
    return -1;
}

static int key_is_constant(const struct protect_space *s, const char *key)
{
    if (!*key)
        return 0;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", key);
    for (char *part = strtok(buf, "+"); part; part = strtok(NULL, "+")) {
        size_t i = 0;
        while (i < s->nconstant && strcmp(s->constant[i], part))
            i++;
        /* a grouping with one value (one unit) is the same for every episode */
        long d = dim_find(s, part);
        if (i == s->nconstant && !(d >= 0 && s->dims[d].n == 1))
            return 0;
    }
    return 1;
}

/* The dimension "first": one value per combination of "first within
 * grouping K" flags that can occur.  The first episode of a person is the
 * first within every grouping; within a grouping whose value never changes
 * between a person's episodes (kon) it is the same episode. */
static utfall_status first_domain(struct run *r)
{
    r->first_dim = dim_find(r->s, "first");
    if (r->first_dim < 0)
        return UTFALL_OK;
    if (UTFALL_GROW(r->flags, r->capflags, 1))
        return nomem(r);
    r->flags[r->nflags++] = "";
    for (size_t i = 0; i < r->ndefs; i++)
        for (size_t c = 0; c < r->defs[i].n; c++) {
            const struct clause *cl = &r->defs[i].cl[c];
            for (size_t k = 0; cl->dim == (size_t)r->first_dim && k < cl->n; k++) {
                if (flag_index(r, cl->patterns[k]) >= 0)
                    continue;
                if (r->nflags >= 12)
                    return utfall_error_set(r->err, UTFALL_ERR_INTERNAL,
                                            UTFALL_EC_PROTECT_TOO_LARGE,
                                            "persons are counted by more than 11 groupings");
                if (UTFALL_GROW(r->flags, r->capflags, r->nflags + 1))
                    return nomem(r);
                r->flags[r->nflags++] = cl->patterns[k];
            }
        }
    r->tuples = calloc((size_t)1 << r->nflags, sizeof *r->tuples);
    if (!r->tuples)
        return nomem(r);
    for (unsigned m = 0; m < (1u << r->nflags); m++) {
        int first = m & 1, ok = 1;
        for (size_t f = 1; f < r->nflags && ok; f++) {
            int bit = (m >> f) & 1;
            if ((first && !bit) || (key_is_constant(r->s, r->flags[f]) && bit != first))
                ok = 0;
        }
        if (ok)
            r->tuples[r->ntuples++] = m;
    }
    return UTFALL_OK;
}

static size_t dim_nvalues(const struct run *r, size_t k)
{
    return (long)k == r->first_dim ? r->ntuples : r->s->dims[k].n;
}

static int clause_admits(const struct run *r, const struct clause *cl, size_t v)
{
    if (cl->exact >= 0)
        return (long)v == cl->exact;
    for (size_t i = 0; i < cl->n; i++) {
        if ((long)cl->dim == r->first_dim) {
            long f = flag_index(r, cl->patterns[i]);
            if (f >= 0 && ((r->tuples[v] >> f) & 1))
                return 1;
        } else if (pattern_matches(cl->patterns[i], r->s->dims[cl->dim].values[v])) {
            return 1;
        }
    }
    return 0;
}

/* allow[k][v]: the definitions that admit value v of dimension k. */
static utfall_status build_allow(struct run *r)
{
    r->nwords = (r->ndefs + 63) / 64;
    if (!r->nwords)
        r->nwords = 1;
    r->allow = calloc(r->s->ndims ? r->s->ndims : 1, sizeof *r->allow);
    if (!r->allow)
        return nomem(r);
    for (size_t k = 0; k < r->s->ndims; k++) {
        size_t nv = dim_nvalues(r, k);
        if (!(r->allow[k] = calloc(nv ? nv : 1, sizeof **r->allow)))
            return nomem(r);
        for (size_t v = 0; v < nv; v++) {
            if (!(r->allow[k][v] = malloc(r->nwords * sizeof ***r->allow)))
                return nomem(r);
            memset(r->allow[k][v], 0xff, r->nwords * sizeof ***r->allow);
        }
    }
    for (size_t i = 0; i < r->ndefs; i++)
        for (size_t c = 0; c < r->defs[i].n; c++) {
            const struct clause *cl = &r->defs[i].cl[c];
            /* a dimension without values (an extract without episodes, or
             * a period that holds none): the clause admits nothing, there
             * are no classes, and every count is an empty sum */
            for (size_t v = 0; v < dim_nvalues(r, cl->dim); v++)
                if (!clause_admits(r, cl, v))
                    r->allow[cl->dim][v][i / 64] &= ~((uint64_t)1 << (i % 64));
        }
    return UTFALL_OK;
}

enum { MAX_CLASSES = 400000, MAX_DIMS = 64, MAX_SEPARATOR_VALUES = 20000 };

/* ---- decomposition --------------------------------------------------------- */

/* The dimensions a definition really constrains: a clause that admits
 * every value says nothing. */
static uint64_t def_dims(const struct run *r, size_t d)
{
    uint64_t m = 0;
    const struct def *df = &r->defs[d];
    for (size_t i = 0; i < df->n; i++) {
        const struct clause *cl = &df->cl[i];
        size_t nv = dim_nvalues(r, cl->dim);
        for (size_t v = 0; v < nv; v++)
            if (!clause_admits(r, cl, v)) {
                m |= (uint64_t)1 << cl->dim;
                break;
            }
    }
    return m;
}

static uint64_t cell_dims(const struct run *r, const struct pcell *pc)
{
    uint64_t m = def_dims(r, pc->def_plus);
    return pc->kind == PC_COMPLEMENT ? m | def_dims(r, pc->def_minus) : m;
}

static int popcount64(uint64_t x)
{
    int n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

/* Cliques of the dimensions' interaction graph, made chordal by
 * eliminating the dimension with fewest neighbours first. */
static utfall_status find_cliques(struct run *r, uint64_t used, const uint64_t *adj_in)
{
    uint64_t adj[MAX_DIMS], left = used;
    memcpy(adj, adj_in, sizeof adj);
    uint64_t found[MAX_DIMS];
    size_t nfound = 0;
    while (left) {
        int best = -1, bestdeg = MAX_DIMS + 1;
        for (int k = 0; k < MAX_DIMS; k++)
            if ((left >> k) & 1) {
                int deg = popcount64(adj[k] & left);
                if (deg < bestdeg)
                    best = k, bestdeg = deg;
            }
        uint64_t nb = adj[best] & left & ~((uint64_t)1 << best);
        for (int k = 0; k < MAX_DIMS; k++)
            if ((nb >> k) & 1)
                adj[k] |= nb & ~((uint64_t)1 << k); /* fill in */
        found[nfound++] = nb | (uint64_t)1 << best;
        left &= ~((uint64_t)1 << best);
    }
    r->cliques = calloc(nfound ? nfound : 1, sizeof *r->cliques);
    if (!r->cliques)
        return nomem(r);
    for (size_t i = 0; i < nfound; i++) {
        int maximal = 1;
        for (size_t j = 0; j < nfound && maximal; j++)
            if (j != i && (found[i] & ~found[j]) == 0 && (found[i] != found[j] || j < i))
                maximal = 0;
        if (maximal)
            r->cliques[r->ncliques++].dims = found[i];
    }
    if (!r->ncliques) /* nothing is constrained: one empty clique */
        r->ncliques = 1;
    return UTFALL_OK;
}

/* A definition fixing the dimensions of sep to the values of index combo. */
static utfall_status separator_def(struct run *r, uint64_t sep, const size_t *combo, size_t *out)
{
    if (UTFALL_GROW(r->defs, r->capdefs, r->ndefs + 1))
        return nomem(r);
    struct def *df = &r->defs[r->ndefs++];
    *df = (struct def){NULL, 0, 0};
    *out = r->ndefs - 1;
    for (size_t k = 0; k < MAX_DIMS; k++)
        if ((sep >> k) & 1) {
            struct clause *cl = def_clause(df, k);
            if (!cl)
                return nomem(r);
            cl->exact = (long)combo[k];
        }
    return UTFALL_OK;
}

/* For a tree edge between two cliques: one pair of definitions per
 * value of their shared dimensions (the totals, when they share none). */
static utfall_status link_cliques(struct run *r, uint64_t sep)
{
    size_t combo[MAX_DIMS] = {0}, nvals = 1;
    for (size_t k = 0; k < MAX_DIMS; k++)
        if ((sep >> k) & 1)
            nvals *= dim_nvalues(r, k) ? dim_nvalues(r, k) : 1;
    if (nvals > MAX_SEPARATOR_VALUES)
        return utfall_error_set(r->err, UTFALL_ERR_IO, UTFALL_EC_PROTECT_TOO_LARGE,
                                "disclosure control: two groups of tables share %zu values",
                                nvals);
    for (size_t i = 0; i < nvals; i++) {
        size_t da, db;
        utfall_status st = separator_def(r, sep, combo, &da);
        if (!st)
            st = separator_def(r, sep, combo, &db);
        if (st || UTFALL_GROW(r->links, r->caplinks, r->nlinks + 1))
            return st ? st : nomem(r);
        r->links[r->nlinks++] = (struct link){da, db};
        /* next combination, last dimension fastest */
        for (int k = MAX_DIMS - 1; k >= 0; k--) {
            if (!((sep >> k) & 1))
                continue;
            if (++combo[k] < dim_nvalues(r, (size_t)k))
                break;
            combo[k] = 0;
        }
    }
    return UTFALL_OK;
}

/* Split the model at the dimensions tables share: the classes of each
 * clique of dimensions, with their counts made to agree on the dimensions
 * cliques share (a junction tree).  The published tables are margins of
 * few dimensions each, so this is much smaller than all combinations of
 * all dimensions, and equivalent to them: consistent margins of a
 * junction tree, in whole numbers, always come from some table of
 * episodes. */
static utfall_status decompose(struct run *r)
{
    if (r->s->ndims > MAX_DIMS)
        return utfall_error_set(r->err, UTFALL_ERR_IO, UTFALL_EC_PROTECT_TOO_LARGE,
                                "disclosure control: more than %d dimensions", MAX_DIMS);
    uint64_t adj[MAX_DIMS] = {0}, used = 0;
    uint64_t *mask = calloc(r->ncells ? r->ncells : 1, sizeof *mask);
    if (!mask)
        return nomem(r);
    for (size_t i = 0; i < r->ncells; i++) {
        mask[i] = cell_dims(r, &r->cells[i]);
        used |= mask[i];
        for (int k = 0; k < MAX_DIMS; k++)
            if ((mask[i] >> k) & 1)
                adj[k] |= mask[i];
    }
    utfall_status st = find_cliques(r, used, adj);
    /* the tree: maximum spanning tree by shared dimensions (Prim) */
    unsigned char *in = calloc(r->ncliques, 1);
    size_t *parent = calloc(r->ncliques, sizeof *parent);
    struct tree_edge {
        size_t a, b, first; /* cliques, and the first of their links */
    } *edges = calloc(r->ncliques, sizeof *edges);
    size_t nedges = 0;
    if (!st && (!in || !parent || !edges))
        st = nomem(r);
    for (size_t step = 0; !st && step < r->ncliques; step++) {
        long pick = -1;
        int w = -1;
        for (size_t j = 0; j < r->ncliques; j++) {
            if (in[j])
                continue;
            int best = step ? -1 : 0;
            for (size_t i = 0; step && i < r->ncliques; i++)
                if (in[i]) {
                    int wi = popcount64(r->cliques[i].dims & r->cliques[j].dims);
                    if (wi > best) {
                        best = wi;
                        parent[j] = i;
                    }
                }
            if (best > w) {
                w = best;
                pick = (long)j;
            }
        }
        in[pick] = 1;
        if (step) {
            size_t first = r->nlinks;
            st = link_cliques(r, r->cliques[parent[pick]].dims & r->cliques[pick].dims);
            edges[nedges++] = (struct tree_edge){parent[pick], (size_t)pick, first};
        }
    }
    /* every definition to one clique: a cell's to the first that holds
     * its dimensions, so that equal counts get equal sums of classes */
    if (!st && !(r->def_clique = calloc(r->ndefs ? r->ndefs : 1, sizeof *r->def_clique)))
        st = nomem(r);
    for (size_t i = 0; !st && i < r->ncells; i++) {
        size_t k = 0;
        while (k + 1 < r->ncliques && (mask[i] & ~r->cliques[k].dims))
            k++;
        r->def_clique[r->cells[i].def_plus] = k;
        if (r->cells[i].kind == PC_COMPLEMENT)
            r->def_clique[r->cells[i].def_minus] = k;
    }
    for (size_t e = 0; !st && e < nedges; e++) {
        size_t last = e + 1 < nedges ? edges[e + 1].first : r->nlinks;
        for (size_t l = edges[e].first; l < last; l++) {
            r->def_clique[r->links[l].def_a] = edges[e].a;
            r->def_clique[r->links[l].def_b] = edges[e].b;
        }
    }
    free(mask);
    free(in);
    free(parent);
    free(edges);
    return st;
}

/* ---- atoms: classes of episodes no definition tells apart ---------------- */

/* A set of bitsets without duplicates (open addressing on their hash). */
struct bitset_set {
    uint64_t *bits; /* n bitsets of nwords */
    size_t n, cap;
    size_t *slots; /* index + 1; 0 = empty */
    size_t nslots;
    size_t nwords;
};

static uint64_t bits_hash(const uint64_t *b, size_t nwords)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < nwords; i++) {
        h ^= b[i];
        h *= 1099511628211ull;
        h ^= h >> 29;
    }
    return h;
}

static int bitset_set_rehash(struct bitset_set *s, size_t nslots)
{
    size_t *slots = calloc(nslots, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < s->n; i++) {
        size_t j = bits_hash(s->bits + i * s->nwords, s->nwords) & (nslots - 1);
        while (slots[j])
            j = (j + 1) & (nslots - 1);
        slots[j] = i + 1;
    }
    free(s->slots);
    s->slots = slots;
    s->nslots = nslots;
    return 0;
}

static int bitset_set_add(struct bitset_set *s, const uint64_t *b)
{
    if ((s->n + 1) * 2 > s->nslots && bitset_set_rehash(s, s->nslots ? s->nslots * 2 : 1024))
        return -1;
    size_t j = bits_hash(b, s->nwords) & (s->nslots - 1);
    for (; s->slots[j]; j = (j + 1) & (s->nslots - 1))
        if (!memcmp(s->bits + (s->slots[j] - 1) * s->nwords, b, s->nwords * sizeof *b))
            return 0;
    size_t cap_words = s->cap * s->nwords;
    if (s->n == s->cap) {
        if (UTFALL_GROW(s->bits, cap_words, (s->n + 1) * s->nwords))
            return -1;
        s->cap = cap_words / s->nwords;
    }
    memcpy(s->bits + s->n * s->nwords, b, s->nwords * sizeof *b);
    s->slots[j] = ++s->n;
    return 0;
}

/* One clique's classes: dimension by dimension, extend every partial
 * class by every value and keep one of those that lie in the same
 * definitions (of this clique): nothing later tells them apart either. */
static utfall_status clique_classes(struct run *r, size_t q, struct bitset_set *out)
{
    size_t nw = r->nwords;
    struct bitset_set cur = {NULL, 0, 0, NULL, 0, nw};
    uint64_t *start = calloc(nw, sizeof *start), *tmp = malloc(nw * sizeof *tmp);
    utfall_status st = start && tmp ? UTFALL_OK : nomem(r);
    for (size_t d = 0; !st && d < r->ndefs; d++)
        if (r->def_clique[d] == q)
            start[d / 64] |= (uint64_t)1 << (d % 64);
    if (!st && bitset_set_add(&cur, start))
        st = nomem(r);
    for (size_t k = 0; k < r->s->ndims && !st; k++) {
        if (!((r->cliques[q].dims >> k) & 1))
            continue;
        struct bitset_set next = {NULL, 0, 0, NULL, 0, nw};
        for (size_t i = 0; i < cur.n && !st; i++)
            for (size_t v = 0; v < dim_nvalues(r, k) && !st; v++) {
                uint64_t any = 0;
                for (size_t w = 0; w < nw; w++)
                    any |= tmp[w] = cur.bits[i * nw + w] & r->allow[k][v][w];
                if (any && bitset_set_add(&next, tmp))
                    st = nomem(r);
                else if (next.n + r->nclasses > MAX_CLASSES)
                    st = utfall_error_set(r->err, UTFALL_ERR_IO, UTFALL_EC_PROTECT_TOO_LARGE,
                                          "disclosure control: the published tables split the "
                                          "participants into more than %d classes",
                                          MAX_CLASSES);
            }
        free(cur.bits);
        free(cur.slots);
        cur = next;
    }
    free(start);
    free(tmp);
    free(cur.slots);
    *out = cur;
    return st;
}

static utfall_status build_classes(struct run *r)
{
    utfall_status st = UTFALL_OK;
    for (size_t q = 0; q < r->ncliques && !st; q++) {
        struct bitset_set c;
        st = clique_classes(r, q, &c);
        size_t words = r->nclasses * r->nwords, cap = words;
        if (!st && c.n && UTFALL_GROW(r->classes, cap, words + c.n * r->nwords))
            st = nomem(r);
        if (!st && c.n) {
            memcpy(r->classes + words, c.bits, c.n * r->nwords * sizeof *c.bits);
            r->cliques[q].first = r->nclasses;
            r->cliques[q].count = c.n;
            r->nclasses += c.n;
        }
        free(c.bits);
    }
    return st;
}

/* ---- groups: cells with the same sum of classes ------------------------------ */

static int in_def(const struct run *r, size_t cls, size_t def)
{
    return (int)((r->classes[cls * r->nwords + def / 64] >> (def % 64)) & 1);
}

static utfall_status cell_expression(struct run *r, const struct pcell *pc, size_t **cls,
                                     int **coef, size_t *n)
{
    size_t cap = 0;
    *cls = NULL;
    *coef = NULL;
    *n = 0;
    for (size_t c = 0; c < r->nclasses; c++) {
        int k = in_def(r, c, pc->def_plus) - (pc->kind == PC_COMPLEMENT ? in_def(r, c, pc->def_minus) : 0);
        if (!k)
            continue;
        size_t cap2 = cap;
        if (UTFALL_GROW(*cls, cap, *n + 1) || UTFALL_GROW(*coef, cap2, *n + 1))
            return nomem(r);
        (*cls)[*n] = c;
        (*coef)[(*n)++] = k;
    }
    return UTFALL_OK;
}

static uint64_t expression_hash(const size_t *cls, const int *coef, size_t n)
{
    uint64_t h = 1469598103934665603ull ^ n;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ cls[i]) * 1099511628211ull;
        h = (h ^ (uint64_t)(coef[i] + 2)) * 1099511628211ull;
    }
    return h;
}

static utfall_status build_groups(struct run *r)
{
    for (size_t i = 0; i < r->ncells; i++) {
        struct pcell *pc = &r->cells[i];
        size_t *cls, n;
        int *coef;
        if (cell_expression(r, pc, &cls, &coef, &n))
            return nomem(r);
        uint64_t h = expression_hash(cls, coef, n);
        size_t g = 0;
        while (g < r->ngroups
               && !(r->groups[g].hash == h && r->groups[g].nterms == n
                    && (n == 0 /* an empty set: no arrays to compare */
                        || (!memcmp(r->groups[g].cls, cls, n * sizeof *cls)
                            && !memcmp(r->groups[g].coef, coef, n * sizeof *coef)))))
            g++;
        if (g == r->ngroups) {
            if (UTFALL_GROW(r->groups, r->capgroups, r->ngroups + 1)) {
                free(cls);
                free(coef);
                return nomem(r);
            }
            r->groups[r->ngroups++] = (struct group){i, cls, coef, n, h, pc->value, 0, 0,
                                                     G_IMPLIED, 0, NAN, NAN, 0, 0, 0, 0};
        } else {
            free(cls);
            free(coef);
        }
        struct group *gr = &r->groups[g];
        pc->group = g;
        if (pc->kind == PC_COUNT) {
            if (gr->published && fabs(gr->value - pc->value) > 1e-9) {
                /* one count with two values: a definition is wrong */
                const utfall_table *t = r->d->tables[pc->table];
                return utfall_error_set(r->err, UTFALL_ERR_INTERNAL,
                                        UTFALL_EC_PROTECT_DEFINITION,
                                        "disclosure control: count '%s' of row %d of table '%s' "
                                        "is defined as another count with another value: an "
                                        "internal error",
                                        t->cols[pc->col].key, pc->row + 1, t->key);
            }
            gr->value = pc->value;
            gr->published = 1;
            gr->status = G_SHOWN;
            gr->cost += pc->cost;
        }
    }
    return UTFALL_OK;
}

/* ---- primary: what must not be published or recovered ----------------- */

/* A group with an episode has a person: where a row publishes its
 * episodes (at least 1), its count of persons is at least 1 even when
 * hidden.  The persons are the part of a complement whose definition
 * names the dimension "first". */
static void mark_persons(struct run *r)
{
    for (size_t i = 0; i < r->ncells; i++) {
        const struct pcell *pc = &r->cells[i];
        if (pc->kind != PC_COMPLEMENT || r->first_dim < 0)
            continue;
        const struct def *minus = &r->defs[pc->def_minus];
        int persons = 0;
        for (size_t k = 0; k < minus->n; k++)
            persons |= (long)minus->cl[k].dim == r->first_dim;
        long part = -1, whole = -1;
        for (size_t j = 0; j < r->ncells; j++) /* the row's persons and episodes cells */
            if (r->cells[j].kind == PC_COUNT && r->cells[j].table == pc->table
                && r->cells[j].row == pc->row) {
                if (r->cells[j].col == pc->col)
                    part = (long)j;
                if (r->cells[j].col == pc->total_col)
                    whole = (long)j;
            }
        if (persons && part >= 0 && whole >= 0 && r->groups[r->cells[whole].group].value >= 1)
            r->groups[r->cells[part].group].at_least_one = 1;
    }
}

static void mark_primary(struct run *r)
{
    /* a quantity one of whose views is the project's own re-enrolments is
     * that (a unit that is the whole project): not sensitive in any view */
    unsigned char *public = calloc(r->ngroups ? r->ngroups : 1, 1);
    for (size_t i = 0; public && i < r->ncells; i++)
        if (r->cells[i].kind == PC_COMPLEMENT && r->cells[i].public_complement)
            public[r->cells[i].group] = 1;
    for (size_t i = 0; i < r->ncells; i++) {
        const struct pcell *pc = &r->cells[i];
        struct group *g = &r->groups[pc->group];
        double v = g->value;
        int small = v >= 1 - 1e-9 && v <= (double)(r->N - 1) + 1e-9;
        if (!small || pc->unstated || (pc->kind == PC_COMPLEMENT && pc->public_complement)
            || (public && public[pc->group]))
            continue;
        g->sensitive = 1;
        if (g->published)
            g->status = G_PRIMARY;
    }
    free(public);
}

/* ---- the attacker's linear programme -------------------------------------- */

static void glpk_hook(void *info)
{
    longjmp(*(jmp_buf *)info, 1);
}

static void set_row_bounds(struct run *r, const struct group *g)
{
    /* Every hidden count shows the same mark, so an attacker knows of it
     * only that it is a count: at least 0 (the classes' own bounds).  One
     * thing more: a group with episodes has a person (see at_least_one). */
    if (g->status == G_SHOWN && g->published)
        glp_set_row_bnds(r->lp, g->lp_row, GLP_FX, g->value, g->value);
    else if (g->at_least_one)
        glp_set_row_bnds(r->lp, g->lp_row, GLP_LO, 1.0, 0.0);
    else
        glp_set_row_bnds(r->lp, g->lp_row, GLP_FR, 0.0, 0.0);
}

/* The decomposition's joins: both cliques count the same episodes with
 * each value of the dimensions they share. */
static utfall_status link_rows(struct run *r)
{
    int *ind = malloc((r->nclasses + 1) * sizeof *ind);
    double *val = malloc((r->nclasses + 1) * sizeof *val);
    if (!ind || !val) {
        free(ind);
        free(val);
        return nomem(r);
    }
    for (size_t l = 0; l < r->nlinks; l++) {
        int n = 0;
        for (size_t c = 0; c < r->nclasses; c++) {
            int k = in_def(r, c, r->links[l].def_a) - in_def(r, c, r->links[l].def_b);
            if (k) {
                ind[++n] = (int)c + 1;
                val[n] = k;
            }
        }
        int row = glp_add_rows(r->lp, 1);
        glp_set_mat_row(r->lp, row, n, ind, val);
        glp_set_row_bnds(r->lp, row, GLP_FX, 0.0, 0.0);
    }
    free(ind);
    free(val);
    return UTFALL_OK;
}

static utfall_status build_lp(struct run *r)
{
    r->lp = glp_create_prob();
    if (r->nclasses)
        glp_add_cols(r->lp, (int)r->nclasses);
    for (size_t j = 1; j <= r->nclasses; j++)
        glp_set_col_bnds(r->lp, (int)j, GLP_LO, 0.0, 0.0);
    if (r->ngroups)
        glp_add_rows(r->lp, (int)r->ngroups);
    size_t most = 1;
    for (size_t g = 0; g < r->ngroups; g++)
        most = r->groups[g].nterms > most ? r->groups[g].nterms : most;
    int *ind = malloc((most + 1) * sizeof *ind);
    double *val = malloc((most + 1) * sizeof *val);
    if (!ind || !val) {
        free(ind);
        free(val);
        return nomem(r);
    }
    for (size_t g = 0; g < r->ngroups; g++) {
        struct group *gr = &r->groups[g];
        gr->lp_row = (int)g + 1;
        for (size_t k = 0; k < gr->nterms; k++) {
            ind[k + 1] = (int)gr->cls[k] + 1;
            val[k + 1] = gr->coef[k];
        }
        glp_set_mat_row(r->lp, gr->lp_row, (int)gr->nterms, ind, val);
        set_row_bounds(r, gr);
    }
    free(ind);
    free(val);
    return link_rows(r);
}

static utfall_status solver_error(struct run *r, const char *what)
{
    return utfall_error_set(r->err, UTFALL_ERR_IO, UTFALL_EC_PROTECT_SOLVER,
                            "disclosure control: the linear programme could not be solved (%s); "
                            "nothing is written, since the output could not be shown to be "
                            "protected",
                            what);
}

enum { POOL_SIZE = 256 };

/* Keep the last optimum (round robin over POOL_SIZE). */
static void pool_add(struct run *r)
{
    if (!r->pool || r->trial) /* a trial's programme is not the one that stays */
        return;
    double *x = r->pool + r->pool_next * r->nclasses;
    int whole = 1;
    for (size_t j = 0; j < r->nclasses; j++) {
        x[j] = glp_get_col_prim(r->lp, (int)j + 1);
        whole &= fabs(x[j] - round(x[j])) <= 1e-7;
    }
    r->pool_int[r->pool_next] = (unsigned char)whole;
    r->pool_next = (r->pool_next + 1) % POOL_SIZE;
    if (r->npool < POOL_SIZE)
        r->npool++;
}

/* Group g's count in the solution x (one value per class). */
static double group_at(const struct group *g, const double *x)
{
    double v = 0;
    for (size_t t = 0; t < g->nterms; t++)
        v += g->coef[t] * x[g->cls[t]];
    return v;
}

/* Does group g take values at least 1 apart in the solutions seen?  Then
 * it is not pinned, without a programme of its own; *integral when both
 * are whole-number solutions. */
static int pool_spread(struct run *r, struct group *g)
{
    double lo = INFINITY, hi = -INFINITY;
    int lo_int = 0, hi_int = 0;
    for (size_t k = 0; k < r->npool; k++) {
        double v = group_at(g, r->pool + k * r->nclasses);
        if (v < lo)
            lo = v, lo_int = r->pool_int[k];
        if (v > hi)
            hi = v, hi_int = r->pool_int[k];
    }
    if (!(hi - lo >= 1 - 1e-9))
        return 0;
    g->lo = lo;
    g->hi = hi;
    g->integral = lo_int && hi_int;
    g->approx = 1;
    return 1;
}

enum { IPOOL_SIZE = 64 };

/* Where to keep a whole-number solution: the first one kept (the
 * truth's) stays, the others go round robin. */
static double *ipool_slot(struct run *r)
{
    size_t slot = r->nipool < IPOOL_SIZE ? r->nipool++ : 1 + r->ipool_next++ % (IPOOL_SIZE - 1);
    return r->ipool + slot * r->nclasses;
}

/* Keep the integer programme's solution. */
static void ipool_add(struct run *r, glp_prob *mip)
{
    if (!r->ipool)
        return;
    double *x = ipool_slot(r);
    for (size_t j = 0; j < r->nclasses; j++)
        x[j] = glp_mip_col_val(mip, (int)j + 1);
}

/* The values group g takes in the whole-number solutions kept: the least
 * and the greatest.  0 when none is kept. */
static int ipool_range(const struct run *r, const struct group *g, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t k = 0; k < r->nipool; k++) {
        double v = group_at(g, r->ipool + k * r->nclasses);
        *lo = fmin(*lo, v);
        *hi = fmax(*hi, v);
    }
    return r->nipool > 0;
}

/* Optimise group g's count in direction dir (GLP_MIN, GLP_MAX): *value, or
 * *unbounded.  Infeasible means the published counts contradict their
 * definitions: a bug in a definition, never the data's fault. */
static utfall_status optimise(struct run *r, const struct group *g, int dir, double *value,
                              int *unbounded)
{
    for (size_t k = 0; k < g->nterms; k++)
        glp_set_obj_coef(r->lp, (int)g->cls[k] + 1, g->coef[k]);
    glp_set_obj_dir(r->lp, dir);
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_OFF;
    int rc = glp_simplex(r->lp, &parm);
    if (rc != 0) { /* a bad basis after many bound changes: start afresh once */
        glp_std_basis(r->lp);
        rc = glp_simplex(r->lp, &parm);
    }
    for (size_t k = 0; k < g->nterms; k++)
        glp_set_obj_coef(r->lp, (int)g->cls[k] + 1, 0.0);
    if (rc != 0)
        return solver_error(r, "the simplex method failed");
    int status = glp_get_status(r->lp);
    *unbounded = status == GLP_UNBND;
    if (status == GLP_NOFEAS || status == GLP_INFEAS)
        return utfall_error_set(r->err, UTFALL_ERR_INTERNAL, UTFALL_EC_PROTECT_DEFINITION,
                                "disclosure control: the published counts contradict their "
                                "definitions (table '%s'): an internal error",
                                r->d->tables[r->cells[g->first].table]->key);
    if (status != GLP_OPT && status != GLP_UNBND)
        return solver_error(r, "no optimal solution");
    *value = *unbounded ? (dir == GLP_MAX ? INFINITY : -INFINITY) : glp_get_obj_val(r->lp);
    if (!*unbounded)
        pool_add(r);
    return UTFALL_OK;
}

/* When no row's dual says which count binds: the cheapest published count
 * that shares a class with the sensitive one. */
static long overlapping_candidate(const struct run *r, const struct group *s)
{
    long best = -1;
    for (size_t g = 0; g < r->ngroups; g++) {
        const struct group *gr = &r->groups[g];
        if (gr->status != G_SHOWN || !gr->published)
            continue;
        int overlap = 0;
        for (size_t a = 0, b = 0; a < gr->nterms && b < s->nterms && !overlap;) {
            if (gr->cls[a] == s->cls[b])
                overlap = 1;
            else if (gr->cls[a] < s->cls[b])
                a++;
            else
                b++;
        }
        if (overlap && (best < 0 || gr->cost < r->groups[best].cost))
            best = (long)g;
    }
    return best;
}

/* Are the first n columns of lp's last optimum whole numbers? */
static int lp_integral(glp_prob *lp, size_t n)
{
    for (size_t j = 1; j <= n; j++) {
        double v = glp_get_col_prim(lp, (int)j);
        if (fabs(v - round(v)) > 1e-7)
            return 0;
    }
    return 1;
}

/* Is the last optimum a whole-number solution?  Then it is one an attacker
 * who reasons in whole numbers also has. */
static int solution_integral(const struct run *r)
{
    return lp_integral(r->lp, r->nclasses);
}

static int pinned(double lo, double hi)
{
    if (isinf(lo) || isinf(hi))
        return 0;
    return floor(hi + 1e-6) - ceil(lo - 1e-6) < 1;
}

/* Hide published counts until group s can no longer be pinned. */
/* Mark the published groups whose rows bind the last optimum. */
static void mark_binding(struct run *r, unsigned char *bind)
{
    for (size_t g = 0; g < r->ngroups; g++)
        if (r->groups[g].status == G_SHOWN && r->groups[g].published
            && fabs(glp_get_row_dual(r->lp, r->groups[g].lp_row)) > 1e-9)
            bind[g] = 1;
}

static int shares_class(const struct group *a, const struct group *b)
{
    for (size_t i = 0, j = 0; i < a->nterms && j < b->nterms;) {
        if (a->cls[i] == b->cls[j])
            return 1;
        if (a->cls[i] < b->cls[j])
            i++;
        else
            j++;
    }
    return 0;
}

/* qsort has no context argument: the groups being sorted */
static const struct group *cost_groups;

static int by_cost(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    double ca = cost_groups[a].cost, cb = cost_groups[b].cost;
    return ca < cb ? -1 : ca > cb ? 1 : (a > b) - (a < b);
}

/* Does hiding one more count widen group s's range beyond [lo, hi]?  The
 * maximum first; the minimum only if that did not. */
static utfall_status widens(struct run *r, size_t s, double lo, double hi, int *widened)
{
    struct group *g = &r->groups[s];
    int unb;
    double v;
    utfall_status st = optimise(r, g, GLP_MAX, &v, &unb);
    *widened = !st && v > hi + 1e-9;
    if (!st && !*widened) {
        st = optimise(r, g, GLP_MIN, &v, &unb);
        *widened = !st && v < lo - 1e-9;
    }
    return st;
}

/* The optima of group s: its range, and whether they were whole numbers. */
static utfall_status range_of(struct run *r, size_t s, unsigned char *bind)
{
    struct group *g = &r->groups[s];
    int unb, unb_min = 0;
    utfall_status st = optimise(r, g, GLP_MAX, &g->hi, &unb);
    int integral = !st && !unb && solution_integral(r);
    if (!st && bind)
        mark_binding(r, bind);
    if (!st)
        st = optimise(r, g, GLP_MIN, &g->lo, &unb_min);
    if (!st && bind)
        mark_binding(r, bind);
    g->integral = integral && !unb_min && !st && solution_integral(r);
    g->approx = 0;
    return st;
}

enum { MAX_TRIES = 12 };

/* Hide published counts until group s can no longer be pinned: of the
 * counts that bind its range or share a class with it, the cheapest that
 * widens the range when hidden (the cheapest of all if none does alone). */
static utfall_status protect_group(struct run *r, size_t s)
{
    unsigned char *bind = calloc(r->ngroups ? r->ngroups : 1, 1);
    size_t *cand = malloc((r->ngroups ? r->ngroups : 1) * sizeof *cand);
    utfall_status st = bind && cand ? UTFALL_OK : nomem(r);
    while (!st) {
        if (pool_spread(r, &r->groups[s]))
            break;
        memset(bind, 0, r->ngroups);
        if ((st = range_of(r, s, bind)) || !pinned(r->groups[s].lo, r->groups[s].hi))
            break;
        double lo = r->groups[s].lo, hi = r->groups[s].hi;
        /* the counts that bind it, those that share a class with it, and
         * those that share one with a binding count (a total of a total) */
        for (size_t g = 0; g < r->ngroups; g++)
            if (!bind[g] && shares_class(&r->groups[g], &r->groups[s]))
                bind[g] = 2;
        size_t n = 0;
        for (size_t g = 0; g < r->ngroups; g++) {
            const struct group *gr = &r->groups[g];
            int near = bind[g] != 0;
            for (size_t h = 0; h < r->ngroups && !near; h++)
                near = bind[h] == 1 && shares_class(gr, &r->groups[h]);
            if (gr->status == G_SHOWN && gr->published && near)
                cand[n++] = g;
        }
        if (!n) {
            const struct pcell *pc = &r->cells[r->groups[s].first];
            const utfall_table *t = r->d->tables[pc->table];
            st = utfall_error_set(r->err, UTFALL_ERR_INTERNAL, UTFALL_EC_PROTECT_DEFINITION,
                                  "disclosure control: count '%s' of row %d of table '%s'%s cannot "
                                  "be protected by hiding others (range %g to %g)",
                                  t->cols[pc->col].key, pc->row + 1, t->key,
                                  pc->kind == PC_COMPLEMENT ? " (its complement)" : "",
                                  r->groups[s].lo, r->groups[s].hi);
            break;
        }
        cost_groups = r->groups;
        qsort(cand, n, sizeof *cand, by_cost);
        /* the cheapest count that binds the range (a step along the proof
         * that pins it: totals of totals need several), unless one that
         * frees it at once costs less */
        long binding = -1;
        for (size_t i = 0; i < n && binding < 0; i++)
            if (bind[cand[i]] == 1)
                binding = (long)cand[i];
        size_t chosen = binding >= 0 ? (size_t)binding : cand[0];
        for (size_t i = 0; i < n && i < MAX_TRIES && !st; i++) {
            struct group *c = &r->groups[cand[i]];
            if (binding >= 0 && c->cost >= r->groups[binding].cost)
                break;
            c->status = G_SECONDARY;
            set_row_bounds(r, c);
            r->trial = 1;
            int widened;
            st = widens(r, s, lo, hi, &widened);
            r->trial = 0;
            c->status = G_SHOWN;
            set_row_bounds(r, c);
            if (widened) {
                chosen = cand[i];
                break;
            }
        }
        r->groups[chosen].status = G_SECONDARY;
        set_row_bounds(r, &r->groups[chosen]);
    }
    free(bind);
    free(cand);
    return st;
}

/* A count hidden on the way that an attacker can compute anyway hides
 * nothing: publish it again.  Such a count's constraint is implied by the
 * others, so publishing all of them at once changes no other range. */
static utfall_status publish_pinned(struct run *r)
{
    utfall_status st = UTFALL_OK;
    for (size_t g = 0; g < r->ngroups && !st; g++) {
        struct group *gr = &r->groups[g];
        if (gr->status != G_SECONDARY || pool_spread(r, gr))
            continue;
        int unb;
        st = optimise(r, gr, GLP_MAX, &gr->hi, &unb);
        if (!st)
            st = optimise(r, gr, GLP_MIN, &gr->lo, &unb);
        if (!st && gr->hi - gr->lo < 1e-6)
            gr->status = G_SHOWN;
    }
    for (size_t g = 0; g < r->ngroups; g++)
        set_row_bounds(r, &r->groups[g]);
    return st;
}

/* ---- certification: an attacker who reasons in whole numbers ------------- */

/* No class holds more episodes than the largest count: a bound that keeps
 * every integer programme finite. */
static double class_bound(const struct run *r)
{
    double u = (double)r->N;
    for (size_t g = 0; g < r->ngroups; g++)
        u = fmax(u, fabs(r->groups[g].value));
    return u;
}

/* The same programme in whole numbers.  Every hidden count shows the same
 * mark, so an attacker knows no more of one than that it is at least 0;
 * the model grants more (a primary is from 1 to N−1), erring on the safe
 * side. */
static glp_prob *build_mip(struct run *r)
{
    glp_prob *mip = glp_create_prob();
    glp_copy_prob(mip, r->lp, GLP_OFF);
    double u = class_bound(r);
    for (size_t j = 1; j <= r->nclasses; j++) {
        glp_set_col_kind(mip, (int)j, GLP_IV);
        glp_set_col_bnds(mip, (int)j, GLP_DB, 0.0, u);
    }
    return mip;
}

/* Branch and bound on mip, with or without presolve (GLP_ON, GLP_OFF),
 * for at most 20 s: glp_intopt's return code, and *found whether it found
 * a whole-number solution, which is kept. */
static int search_integer(struct run *r, glp_prob *mip, int presolve, int *found)
{
    glp_iocp parm;
    glp_init_iocp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = presolve;
    parm.tm_lim = 20000;
    int rc = glp_intopt(mip, &parm);
    int status = glp_mip_status(mip);
    *found = rc == 0 && (status == GLP_OPT || status == GLP_FEAS);
    if (*found)
        ipool_add(r, mip);
    return rc;
}

/* Is there a whole-number solution with the group's count in [lo, hi]?
 * A feasibility question: the first integer solution answers it. */
static utfall_status integer_feasible(struct run *r, glp_prob *mip, const struct group *g,
                                      double lo, double hi, int *feasible)
{
    int row = g->lp_row;
    int type = glp_get_row_type(mip, row);
    double lb = glp_get_row_lb(mip, row), ub = glp_get_row_ub(mip, row);
    glp_set_row_bnds(mip, row, lo == hi ? GLP_FX : GLP_DB, lo, hi);
    int rc = search_integer(r, mip, GLP_ON, feasible);
    glp_set_row_bnds(mip, row, type, lb, ub);
    if (rc == 0 || rc == GLP_ENOPFS || rc == GLP_ENODFS)
        return UTFALL_OK;
    return solver_error(r, rc == GLP_ETMLIM ? "the integer programme ran out of time"
                                            : "the integer programme failed");
}

/* Two whole-number solutions in which the count differs.  Those kept
 * answer most counts; otherwise one with the count below the least value
 * kept or above the greatest (the wider side of the linear range first),
 * or, with none kept, one at most and one above the middle of the linear
 * range.  *ok = 0 when there are not (then the count may be pinned). */
static utfall_status certify(struct run *r, glp_prob *mip, struct group *g, int *ok)
{
    /* the linear optima were whole numbers: two integer solutions already */
    if (g->integral && g->hi - g->lo > 0.5) {
        *ok = 1;
        return UTFALL_OK;
    }
    double seen_lo, seen_hi;
    int seen = ipool_range(r, g, &seen_lo, &seen_hi);
    if (seen && seen_hi - seen_lo > 0.5) {
        *ok = 1;
        return UTFALL_OK;
    }
    /* values seen are not the range: find it before asking for integers */
    utfall_status st = g->approx ? range_of(r, (size_t)(g - r->groups), NULL) : UTFALL_OK;
    if (st)
        return st;
    if (g->integral && g->hi - g->lo > 0.5) {
        *ok = 1;
        return UTFALL_OK;
    }
    double lo = ceil(g->lo - 1e-6), hi = floor(g->hi + 1e-6);
    if (isinf(g->hi))
        hi = lo + 1;
    *ok = 0;
    if (hi - lo < 1)
        return UTFALL_OK;
    if (seen) {
        /* one solution more, on either side of the value kept */
        double v = round(seen_lo);
        int feasible = 0;
        int up_first = hi - v >= v - lo;
        for (int side = 0; side < 2 && !st && !feasible; side++) {
            int up = side == 0 ? up_first : !up_first;
            if (up && v + 1 <= hi)
                st = integer_feasible(r, mip, g, v + 1, isinf(g->hi) ? v + 1 : hi, &feasible);
            else if (!up && v - 1 >= lo)
                st = integer_feasible(r, mip, g, lo, v - 1, &feasible);
        }
        *ok = feasible;
        return st;
    }
    double v = floor((lo + hi) / 2);
    int below = 0, above = 0;
    st = integer_feasible(r, mip, g, lo, v, &below);
    if (!st && below)
        st = integer_feasible(r, mip, g, v + 1, isinf(g->hi) ? v + 1 : hi, &above);
    *ok = below && above;
    return st;
}

/* The truth in whole numbers, the first solution kept: every count fixed
 * at its value.  With every count fixed the relaxation's optimum is
 * mostly whole already; when it is not, branch and bound from it (without
 * presolve, which costs more here than it saves).  When neither gives it,
 * certify asks for both sides of every count. */
static void integer_truth(struct run *r, glp_prob *mip)
{
    if (!r->ipool || r->nipool)
        return;
    for (size_t g = 0; g < r->ngroups; g++)
        glp_set_row_bnds(mip, r->groups[g].lp_row, GLP_FX, r->groups[g].value,
                         r->groups[g].value);
    glp_smcp lp_parm;
    glp_init_smcp(&lp_parm);
    lp_parm.msg_lev = GLP_MSG_OFF;
    if (glp_simplex(mip, &lp_parm) == 0 && glp_get_status(mip) == GLP_OPT) {
        if (lp_integral(mip, r->nclasses)) {
            double *x = ipool_slot(r);
            for (size_t j = 0; j < r->nclasses; j++)
                x[j] = round(glp_get_col_prim(mip, (int)j + 1));
        } else {
            int found;
            search_integer(r, mip, GLP_OFF, &found);
        }
    }
    for (size_t g = 0; g < r->ngroups; g++) {
        const struct group *gr = &r->groups[g];
        glp_set_row_bnds(mip, gr->lp_row, glp_get_row_type(r->lp, gr->lp_row),
                         glp_get_row_lb(r->lp, gr->lp_row), glp_get_row_ub(r->lp, gr->lp_row));
    }
}

/* Until every sensitive count survives the integer attacker: hide the
 * cheapest published count that shares a class with one that does not,
 * and let the linear programme choose partners again. */
static utfall_status certify_all(struct run *r)
{
    for (;;) {
        glp_prob *mip = build_mip(r);
        if (!mip)
            return nomem(r);
        long cand = -1;
        utfall_status st = UTFALL_OK;
        integer_truth(r, mip);
        for (size_t g = 0; g < r->ngroups && !st && cand < 0; g++) {
            int ok = 1;
            if (r->groups[g].sensitive)
                st = certify(r, mip, &r->groups[g], &ok);
            if (!st && !ok && (cand = overlapping_candidate(r, &r->groups[g])) < 0)
                st = utfall_error_set(r->err, UTFALL_ERR_INTERNAL, UTFALL_EC_PROTECT_DEFINITION,
                                      "disclosure control: a count in table '%s' cannot be "
                                      "protected by hiding others",
                                      r->d->tables[r->cells[r->groups[g].first].table]->key);
        }
        glp_delete_prob(mip);
        if (st || cand < 0)
            return st;
        r->groups[cand].status = G_SECONDARY;
        set_row_bounds(r, &r->groups[cand]);
        for (size_t g = 0; g < r->ngroups && !st; g++)
            if (r->groups[g].sensitive)
                st = protect_group(r, g);
        if (st)
            return st;
    }
}

/* The range an attacker can infer for every group that is not published. */
/* The truth is a solution: with every count fixed at its true value the
 * programme must be feasible, or a definition says something else than
 * the count it defines.  One solve instead of a range for each. */
static utfall_status truth_fits(struct run *r)
{
    for (size_t g = 0; g < r->ngroups; g++)
        glp_set_row_bnds(r->lp, r->groups[g].lp_row, GLP_FX, r->groups[g].value,
                         r->groups[g].value);
    struct group none = {0};
    double v;
    int unb;
    utfall_status st = optimise(r, &none, GLP_MIN, &v, &unb);
    for (size_t g = 0; g < r->ngroups; g++)
        set_row_bounds(r, &r->groups[g]);
    return st;
}

static utfall_status audit_ranges(struct run *r)
{
    utfall_status st = UTFALL_OK;
    if (!r->want_audit)
        return truth_fits(r);
    for (size_t g = 0; g < r->ngroups && !st; g++) {
        struct group *gr = &r->groups[g];
        if (gr->status == G_SHOWN)
            continue;
        int unb;
        st = optimise(r, gr, GLP_MAX, &gr->hi, &unb);
        if (!st)
            st = optimise(r, gr, GLP_MIN, &gr->lo, &unb);
        /* the truth is one of the solutions: a range without it means a
         * definition says something else than the count it defines */
        if (!st && (gr->value < gr->lo - 1e-6 || gr->value > gr->hi + 1e-6)) {
            const struct pcell *pc = &r->cells[gr->first];
            const utfall_table *t = r->d->tables[pc->table];
            st = utfall_error_set(r->err, UTFALL_ERR_INTERNAL, UTFALL_EC_PROTECT_DEFINITION,
                                  "disclosure control: count '%s' of row %d of table '%s' does not "
                                  "fit its definition: an internal error",
                                  t->cols[pc->col].key, pc->row + 1, t->key);
        }
    }
    return st;
}

static utfall_status attack_and_hide(struct run *r)
{
    jmp_buf jump;
    utfall_status st = UTFALL_OK;
    glp_term_out(GLP_OFF); /* the library never prints */
    if (setjmp(jump)) {
        /* GLPK met a fatal error; its environment must go */
        r->lp = NULL;
        glp_free_env();
        return solver_error(r, "GLPK stopped");
    }
    glp_error_hook(glpk_hook, &jump);
    r->pool = malloc(POOL_SIZE * (r->nclasses ? r->nclasses : 1) * sizeof *r->pool);
    r->pool_int = malloc(POOL_SIZE);
    r->ipool = malloc(IPOOL_SIZE * (r->nclasses ? r->nclasses : 1) * sizeof *r->ipool);
    if (!r->pool || !r->pool_int) {
        free(r->pool);
        free(r->pool_int);
        r->pool = NULL;
        r->pool_int = NULL; /* slower without, not wrong */
    }
    st = build_lp(r);
    for (size_t g = 0; g < r->ngroups && !st; g++)
        if (r->groups[g].sensitive)
            st = protect_group(r, g);
    if (!st)
        st = publish_pinned(r);
    if (!st)
        st = certify_all(r);
    if (!st)
        st = audit_ranges(r);
    glp_delete_prob(r->lp);
    r->lp = NULL;
    glp_error_hook(NULL, NULL);
    return st;
}

/* ---- apply: hide cells, what follows from them, and the notes ------------ */

static struct cell *cell_of(utfall_table *t, int row, int col)
{
    return &t->cells[(size_t)row * (size_t)t->ncols + (size_t)col];
}

void utfall_table_hide_cell(utfall_table *t, int row, int col, int secondary)
{
    struct cell *c = cell_of(t, row, col);
    if (c->state == CELL_SUPPRESSED)
        return;
    c->state = CELL_SUPPRESSED;
    c->secondary = secondary;
}

static int table_has_hidden(const utfall_table *t)
{
    for (int i = 0; i < t->nrows * t->ncols; i++)
        if (t->cells[i].state == CELL_SUPPRESSED)
            return 1;
    return 0;
}

/* Shares, intervals, means: hidden wherever a count they come from is;
 * twice, for chains. */
static void hide_dependents(utfall_table *t)
{
    int total = -1;
    for (int row = 0; row < t->nrows; row++)
        if (t->is_total[row])
            total = row;
    for (int pass = 0; pass < 2; pass++)
        for (int c = 0; c < t->ncols; c++)
            for (int k = 0; k < 4; k++) {
                int base = t->cols[c].depends[k] - 1;
                /* a share of all: its whole column goes with the total */
                int all = base >= 0 && t->cols[c].share_of_total && total >= 0
                          && cell_of(t, total, base)->state == CELL_SUPPRESSED;
                for (int row = 0; base >= 0 && row < t->nrows; row++)
                    if ((all || cell_of(t, row, base)->state == CELL_SUPPRESSED)
                        && cell_of(t, row, c)->state != CELL_EMPTY)
                        utfall_table_hide_cell(t, row, c, 1);
            }
}

/* A test of a crosstab, a comparison of groups: all or nothing. */
static void hide_derived_tables(utfall_doc *d)
{
    for (int i = 0; i < d->n; i++) {
        utfall_table *t = d->tables[i];
        utfall_table *src = t->derived_from ? utfall_doc_table(d, t->derived_from) : NULL;
        if (!src || !table_has_hidden(src))
            continue;
        for (int row = 0; row < t->nrows; row++)
            for (int c = 0; c < t->ncols; c++) {
                struct cell *cell = cell_of(t, row, c);
                if (t->cols[c].type != UTFALL_COL_GROUP && t->cols[c].type != UTFALL_COL_TEXT
                    && (cell->state == CELL_NUM || cell->state == CELL_NA))
                    utfall_table_hide_cell(t, row, c, 1);
            }
    }
}

/* A row of a table protected on its own: a count from 1 to N−1 hides the
 * row's figures. */
static void protect_locally(utfall_table *t, long N)
{
    for (int row = 0; row < t->nrows; row++) {
        int small = 0;
        for (int c = 0; c < t->ncols && !small; c++) {
            const struct cell *cell = cell_of(t, row, c);
            small = is_protected_count(&t->cols[c]) && cell->state == CELL_NUM
                    && cell->num >= 1 - 1e-9 && cell->num <= (double)(N - 1) + 1e-9;
        }
        for (int c = 0; small && c < t->ncols; c++) {
            const struct cell *cell = cell_of(t, row, c);
            if (t->cols[c].type != UTFALL_COL_GROUP && t->cols[c].type != UTFALL_COL_TEXT
                && !t->cols[c].not_suppressible
                && (cell->state == CELL_NUM || cell->state == CELL_NA))
                utfall_table_hide_cell(t, row, c, 0);
        }
    }
}

/* A note that states a count says what its cell shows. */
static int rewrite_notes(utfall_table *t, long N, utfall_lang lang)
{
    for (int i = 0; i < t->ncounted; i++) {
        struct counted_note *cn = &t->counted[i];
        char note[1024];
        const utfall_table *src = cn->src ? cn->src : t;
        if (cn->row == NOTE_WHOLE) {
            if (!table_has_hidden(src))
                continue;
            snprintf(note, sizeof note, "%s", cn->fmt);
        } else {
            if (cn->row >= 0 ? src->cells[(size_t)cn->row * (size_t)src->ncols + (size_t)cn->col].state
                                   != CELL_SUPPRESSED
                             : cn->count < 1 || cn->count >= N)
                continue;
            snprintf(note, sizeof note, cn->fmt, utfall_tr(lang, "suppressed_mark"));
        }
        char *dup = strdup(note);
        if (!dup)
            return -1;
        free(t->notes[cn->note]);
        t->notes[cn->note] = dup;
    }
    return 0;
}

/* Notes rewritten to nothing go (a remark on a test that is not shown). */
static void drop_empty_notes(utfall_table *t)
{
    int k = 0;
    for (int i = 0; i < t->nnotes; i++) {
        if (!t->notes[i][0]) {
            free(t->notes[i]);
            continue;
        }
        t->notes[k++] = t->notes[i];
    }
    t->nnotes = k;
    for (int i = 0; i < t->ncounted; i++)
        free(t->counted[i].fmt);
    t->ncounted = 0; /* their note numbers no longer hold */
}

static utfall_status apply(struct run *r, utfall_lang lang)
{
    utfall_doc *d = r->d;
    for (size_t i = 0; i < r->ncells; i++) {
        const struct pcell *pc = &r->cells[i];
        enum group_status s = r->groups[pc->group].status;
        if (pc->kind == PC_COUNT && (s == G_PRIMARY || s == G_SECONDARY))
            utfall_table_hide_cell(d->tables[pc->table], pc->row, pc->col, s == G_SECONDARY);
    }
    for (int i = 0; i < d->n; i++)
        if (!d->tables[i]->no_suppress) {
            d->tables[i]->suppress_mark = r->N;
            if (d->tables[i]->local_protection)
                protect_locally(d->tables[i], r->N);
            hide_dependents(d->tables[i]);
        }
    hide_derived_tables(d);
    for (int i = 0; i < d->n; i++) {
        utfall_table *t = d->tables[i];
        if (t->no_suppress)
            continue;
        if (rewrite_notes(t, r->N, lang))
            return nomem(r);
        drop_empty_notes(t);
        if (table_has_hidden(t)) {
            char note[512], n[32];
            snprintf(n, sizeof n, "%ld", r->N);
            snprintf(note, sizeof note, utfall_tr(lang, "note.suppressed"), n);
            utfall_table_add_note(t, note);
        }
    }
    return UTFALL_OK;
}

/* ---- the audit --------------------------------------------------------------- */

static void write_def(FILE *f, const struct run *r, const struct def *df)
{
    if (!df->n) {
        fputs("all", f);
        return;
    }
    for (size_t i = 0; i < df->n; i++) {
        const struct clause *cl = &df->cl[i];
        if ((long)cl->dim == r->first_dim) {
            /* the person's first episode within a grouping's group */
            for (size_t k = 0; k < cl->n; k++)
                fprintf(f, "%sfirst(%s)", i || k ? " & " : "",
                        *cl->patterns[k] ? cl->patterns[k] : "all");
            continue;
        }
        fprintf(f, "%s%s=", i ? " & " : "", r->s->dims[cl->dim].name);
        for (size_t k = 0; k < cl->n; k++)
            fprintf(f, "%s%s", k ? "|" : "", cl->patterns[k]);
    }
}

static void write_place(FILE *f, const struct run *r, const struct pcell *pc)
{
    const utfall_table *t = r->d->tables[pc->table];
    fputs("{\"table\": ", f);
    utfall_json_string(f, t->key);
    fputs(", \"row\": {", f);
    int n = 0;
    for (int c = 0; c < t->ncols && !t->is_total[pc->row]; c++) {
        if (t->cols[c].type != UTFALL_COL_GROUP)
            continue;
        const struct cell *cell = &t->cells[(size_t)pc->row * (size_t)t->ncols + (size_t)c];
        fputs(n++ ? ", " : "", f);
        utfall_json_string(f, t->cols[c].key);
        fputs(": ", f);
        utfall_json_string(f, cell->state == CELL_TEXT ? cell->text : "");
    }
    fputs("}, ", f);
    if (pc->kind == PC_COUNT) {
        fputs("\"column\": ", f);
        utfall_json_string(f, t->cols[pc->col].key);
    } else {
        fputs("\"total\": ", f);
        utfall_json_string(f, t->cols[pc->total_col].key);
        fputs(", \"part\": ", f);
        utfall_json_string(f, t->cols[pc->col].key);
    }
    fputc('}', f);
}

/* One entry per group, its text built now: the run's definitions are gone
 * when the audit is written. */
static utfall_status keep_audit(struct run *r)
{
    struct protect_space *s = r->s;
    free_audit(s);
    s->audit = calloc(r->ngroups ? r->ngroups : 1, sizeof *s->audit);
    if (!s->audit)
        return nomem(r);
    s->naudit = r->ngroups;
    s->nclasses = r->nclasses;
    for (size_t g = 0; g < r->ngroups; g++) {
        const struct group *gr = &r->groups[g];
        struct audit_entry *a = &s->audit[g];
        size_t len;
        FILE *f = open_memstream(&a->where, &len);
        if (!f)
            return nomem(r);
        int n = 0;
        for (size_t i = 0; i < r->ncells; i++)
            if (r->cells[i].group == g) {
                fputs(n++ ? ", " : "", f);
                write_place(f, r, &r->cells[i]);
            }
        if (fclose(f))
            return nomem(r);
        if (!(f = open_memstream(&a->definition, &len)))
            return nomem(r);
        const struct pcell *first = &r->cells[gr->first];
        write_def(f, r, &r->defs[first->def_plus]);
        if (first->kind == PC_COMPLEMENT) {
            fputs(" minus ", f);
            write_def(f, r, &r->defs[first->def_minus]);
        }
        if (fclose(f))
            return nomem(r);
        a->status = gr->status;
        a->sensitive = gr->sensitive;
        a->value = gr->status == G_SHOWN ? gr->value : NAN;
        a->lo = gr->lo;
        a->hi = gr->hi;
    }
    return UTFALL_OK;
}

static void write_bound(FILE *out, double v, int upper)
{
    if (isnan(v) || isinf(v))
        fputs("null", out);
    else
        fprintf(out, "%.0f", (upper ? floor(v + 1e-6) : ceil(v - 1e-6)) + 0.0);
}

utfall_status utfall_doc_write_audit(const utfall_doc *d, FILE *out, utfall_error *err)
{
    static const char *const status_name[] = {"published", "primary", "secondary", "implied"};
    const struct protect_space *s = d->space;
    fprintf(out, "{\n  \"min_count\": %ld,\n", s ? s->min_count : 0L);
    fprintf(out, "  \"classes\": %zu,\n  \"cells\": [", s ? s->nclasses : (size_t)0);
    for (size_t i = 0; s && i < s->naudit; i++) {
        const struct audit_entry *a = &s->audit[i];
        fprintf(out, "%s\n    {\"status\": \"%s\", \"sensitive\": %s, \"definition\": ",
                i ? "," : "", status_name[a->status], a->sensitive ? "true" : "false");
        utfall_json_string(out, a->definition);
        fprintf(out, ", \"cells\": [%s]", a->where);
        if (a->status == G_SHOWN) {
            fprintf(out, ", \"value\": %.0f}", a->value);
            continue;
        }
        fputs(", \"interval\": [", out);
        write_bound(out, a->lo, 0);
        fputs(", ", out);
        write_bound(out, a->hi, 1);
        fputs("]}", out);
    }
    fputs("\n  ]\n}\n", out);
    if (ferror(out))
        return utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_WRITE_ERROR,
                                "cannot write the audit");
    return UTFALL_OK;
}

/* ---- the driver ---------------------------------------------------------------- */

static void run_free(struct run *r)
{
    for (size_t i = 0; i < r->ndefs; i++)
        def_free(&r->defs[i]);
    free(r->defs);
    free(r->cells);
    free(r->flags);
    free(r->tuples);
    for (size_t k = 0; r->allow && k < r->s->ndims; k++) {
        for (size_t v = 0; r->allow[k] && v < dim_nvalues(r, k); v++)
            free(r->allow[k][v]);
        free(r->allow[k]);
    }
    free(r->allow);
    free(r->classes);
    free(r->cliques);
    free(r->pool);
    free(r->pool_int);
    free(r->ipool);
    free(r->def_clique);
    free(r->links);
    for (size_t g = 0; g < r->ngroups; g++) {
        free(r->groups[g].cls);
        free(r->groups[g].coef);
    }
    free(r->groups);
}

utfall_status utfall_doc_protect(utfall_doc *d, const utfall_protect_options *opt,
                                 utfall_error *err)
{
    if (utfall_doc_check(d, err))
        return err->status;
    struct protect_space *s = space_of(d);
    if (!s)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    struct run r = {.d = d, .s = s, .N = opt->min_count >= 2 ? opt->min_count : 0, .err = err,
                    .first_dim = -1, .want_audit = opt->audit};
    s->min_count = r.N;
    utfall_status st = collect(&r);
    if (!st)
        st = first_domain(&r);
    if (!st)
        st = decompose(&r);
    if (!st)
        st = build_allow(&r);
    if (!st)
        st = build_classes(&r);
    if (!st)
        st = build_groups(&r);
    if (!st && r.N) {
        mark_persons(&r);
        mark_primary(&r);
        st = attack_and_hide(&r);
    }
    if (!st && r.N)
        st = apply(&r, opt->lang);
    if (!st)
        st = keep_audit(&r);
    run_free(&r);
    return st;
}
