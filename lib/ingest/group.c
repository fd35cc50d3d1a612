#include "utfall/group.h"
#include "core/internal.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEYS 8
#define CACHE_BITS 8

/* A value of a one-key grouping, as the cache knows it: its length and
 * eight bytes from each end (all of a value of up to 16 bytes). */
struct value_key {
    uint64_t head, tail;
    size_t len;
};

struct cache_entry {
    struct value_key key;
    long group; /* + 1; 0 = empty */
};

struct utfall_grouper {
    utfall_colref *refs[MAX_KEYS];
    size_t nkeys;
    char **values; /* ngroups * nkeys strings */
    size_t ngroups, values_cap;
    size_t *order;
    size_t order_cap;
    int order_valid;
    uint64_t *hashes; /* per group */
    size_t hashes_cap;
    long *slots;      /* open addressing: group index + 1, 0 = empty */
    size_t nslots;
    /* With one key (nearly always), each row's value is first looked for
     * here, direct-mapped by its bytes and length: a column with few
     * values finds its group without hashing the whole string or
     * comparing it with strcmp. */
    struct cache_entry *cache; /* 1 << CACHE_BITS entries */
    size_t field_hint; /* the record field the key's value was last, + 1; 0 = none */
};

size_t utfall_split_list(const char *list, char items[][128], size_t max)
{
    size_t n = 0;
    const char *p = list;
    while (p && *p && n < max) {
        size_t len = strcspn(p, ",");
        size_t keep = len < 127 ? len : 127;
        memcpy(items[n], p, keep);
        items[n][keep] = '\0';
        if (keep)
            n++;
        p += len;
        if (*p == ',')
            p++;
    }
    return n;
}

utfall_status utfall_grouper_new(utfall_extract *x, const char *by, utfall_grouper **out,
                                 utfall_error *err)
{
    utfall_grouper *g = calloc(1, sizeof *g);
    if (!g)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    char items[MAX_KEYS + 1][128];
    size_t n = utfall_split_list(by, items, MAX_KEYS + 1);
    if (n > MAX_KEYS) {
        free(g);
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_TOO_MANY_KEYS,
                                "at most %d grouping columns", MAX_KEYS);
    }
    for (size_t i = 0; i < n; i++) {
        utfall_status st = utfall_colref_new(x, items[i], &g->refs[i], err);
        if (st) {
            g->nkeys = i;
            utfall_grouper_free(g);
            return st;
        }
        g->nkeys++;
    }
    /* without it, one key is looked up as several are */
    if (g->nkeys == 1)
        g->cache = calloc((size_t)1 << CACHE_BITS, sizeof *g->cache);
    *out = g;
    return UTFALL_OK;
}

void utfall_grouper_free(utfall_grouper *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->nkeys; i++)
        utfall_colref_free(g->refs[i]);
    for (size_t i = 0; i < g->ngroups * g->nkeys; i++)
        free(g->values[i]);
    free(g->values);
    free(g->order);
    free(g->hashes);
    free(g->slots);
    free(g->cache);
    free(g);
}

size_t utfall_grouper_nkeys(const utfall_grouper *g) { return g->nkeys; }
const char *utfall_grouper_key_name(const utfall_grouper *g, size_t k)
{
    return k < g->nkeys ? utfall_colref_name(g->refs[k]) : "";
}
size_t utfall_grouper_ngroups(const utfall_grouper *g) { return g->nkeys ? g->ngroups : 1; }
const char *utfall_grouper_value(const utfall_grouper *g, size_t group, size_t k)
{
    return group < g->ngroups && k < g->nkeys ? g->values[group * g->nkeys + k] : "";
}

static uint64_t hash_str(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    h ^= 0xFF; /* separator */
    h *= 1099511628211ull;
    return h;
}

static int rehash(utfall_grouper *g, size_t nslots)
{
    long *s = calloc(nslots, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < g->ngroups; i++) {
        size_t j = g->hashes[i] & (nslots - 1);
        while (s[j])
            j = (j + 1) & (nslots - 1);
        s[j] = (long)i + 1;
    }
    free(g->slots);
    g->slots = s;
    g->nslots = nslots;
    return 0;
}

/* The group of the values vals[0..nkeys), found by their hash or added. */
static long find_or_add(utfall_grouper *g, const char *const *vals)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t k = 0; k < g->nkeys; k++)
        h = hash_str(h, vals[k]);
    if (g->nslots) {
        size_t j = h & (g->nslots - 1);
        while (g->slots[j]) {
            size_t gi = (size_t)g->slots[j] - 1;
            if (g->hashes[gi] == h) {
                size_t k = 0;
                while (k < g->nkeys && !strcmp(g->values[gi * g->nkeys + k], vals[k]))
                    k++;
                if (k == g->nkeys)
                    return (long)gi;
            }
            j = (j + 1) & (g->nslots - 1);
        }
    }
    /* a new group */
    if (UTFALL_GROW(g->values, g->values_cap, (g->ngroups + 1) * g->nkeys)
        || UTFALL_GROW(g->hashes, g->hashes_cap, g->ngroups + 1))
        return -1;
    for (size_t k = 0; k < g->nkeys; k++)
        if (!(g->values[g->ngroups * g->nkeys + k] = strdup(vals[k])))
            return -1;
    g->hashes[g->ngroups] = h;
    g->ngroups++;
    g->order_valid = 0;
    if (g->ngroups * 2 > g->nslots) {
        if (rehash(g, g->nslots ? g->nslots * 2 : 64)) /* inserts the new group too */
            return -1;
    } else {
        size_t j = h & (g->nslots - 1);
        while (g->slots[j])
            j = (j + 1) & (g->nslots - 1);
        g->slots[j] = (long)g->ngroups;
    }
    return (long)g->ngroups - 1;
}

/* Read without reading past the value: for 8 to 16 bytes both ends
 * overlap, for 4 to 7 two 4-byte halves do, below that three bytes cover
 * it; with the length, the key is the value itself up to 16 bytes. */
static struct value_key value_key(const char *s, size_t len)
{
    struct value_key k = {0, 0, len};
    if (len >= 8) {
        memcpy(&k.head, s, 8);
        memcpy(&k.tail, s + len - 8, 8);
    } else if (len >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + len - 4, 4);
        k.head = a | (uint64_t)b << 32;
    } else if (len) {
        k.head = (unsigned char)s[0] | (unsigned)(unsigned char)s[len / 2] << 8
                 | (unsigned)(unsigned char)s[len - 1] << 16;
    }
    return k;
}

/* The length of v, the key's value in row: a column's value is the
 * record's own field, whose length the record knows (which field it is
 * is found once, by its address); a derived value is measured. */
static size_t value_len(utfall_grouper *g, const utfall_row *row, const char *v)
{
    const utfall_csv_record *rec = row->record;
    size_t i = g->field_hint - 1;
    if (rec && g->field_hint && i < rec->nfields && rec->fields[i] == v)
        return rec->lengths[i];
    for (i = 0; rec && !g->field_hint && i < rec->nfields; i++)
        if (rec->fields[i] == v) {
            g->field_hint = i + 1;
            return rec->lengths[i];
        }
    return strlen(v);
}

/* One key: the cache first, then the hash table. */
static long index_one(utfall_grouper *g, const utfall_row *row)
{
    char buf[64];
    const char *v = utfall_row_value(row, g->refs[0], buf, sizeof buf);
    struct value_key k = value_key(v, value_len(g, row, v));
    uint64_t h = (k.head ^ (k.tail * 0x9e3779b97f4a7c15ull) ^ k.len) * 0xbf58476d1ce4e5b9ull;
    struct cache_entry *e = &g->cache[h >> (64 - CACHE_BITS)];
    if (e->group && e->key.len == k.len && e->key.head == k.head && e->key.tail == k.tail
        && (k.len <= 16 || !memcmp(g->values[e->group - 1], v, k.len)))
        return e->group - 1;
    long gi = find_or_add(g, &v);
    if (gi >= 0)
        *e = (struct cache_entry){k, gi + 1};
    return gi;
}

long utfall_grouper_index(utfall_grouper *g, const utfall_row *row)
{
    if (g->nkeys == 0)
        return 0;
    if (g->nkeys == 1 && g->cache)
        return index_one(g, row);
    const char *vals[MAX_KEYS];
    char bufs[MAX_KEYS][64];
    for (size_t k = 0; k < g->nkeys; k++)
        vals[k] = utfall_row_value(row, g->refs[k], bufs[k], sizeof bufs[k]);
    return find_or_add(g, vals);
}

/* Missing last; numbers (and leading numbers: "16-19") numerically;
 * otherwise byte order, which is stable across locales. */
static int value_cmp(const char *a, const char *b)
{
    if (!*a || !*b)
        return !*a - !*b;
    int na = isdigit((unsigned char)*a), nb = isdigit((unsigned char)*b);
    if (na && nb) {
        long x = strtol(a, NULL, 10), y = strtol(b, NULL, 10);
        if (x != y)
            return x < y ? -1 : 1;
    }
    if (*a == '<' && *b != '<')
        return -1;
    if (*b == '<' && *a != '<')
        return 1;
    return strcmp(a, b);
}

int utfall_grouper_value_cmp(const char *a, const char *b)
{
    return value_cmp(a, b);
}

static const utfall_grouper *sort_ctx;

static int order_cmp(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    for (size_t k = 0; k < sort_ctx->nkeys; k++) {
        const char *va = sort_ctx->values[a * sort_ctx->nkeys + k];
        const char *vb = sort_ctx->values[b * sort_ctx->nkeys + k];
        /* exit outcomes (and kön, income) in the vocabulary's order */
        int ra = utfall_colref_rank(sort_ctx->refs[k], va);
        int rb = utfall_colref_rank(sort_ctx->refs[k], vb);
        int c = ra >= 0 && rb >= 0 ? (ra > rb) - (ra < rb) : value_cmp(va, vb);
        if (c)
            return c;
    }
    return a < b ? -1 : a > b;
}

const size_t *utfall_grouper_order(utfall_grouper *g)
{
    size_t n = utfall_grouper_ngroups(g);
    if (g->order_valid)
        return g->order;
    if (UTFALL_GROW(g->order, g->order_cap, n ? n : 1))
        return NULL;
    size_t *o = g->order;
    for (size_t i = 0; i < n; i++)
        o[i] = i;
    if (g->nkeys) {
        sort_ctx = g;
        qsort(o, n, sizeof *o, order_cmp);
        sort_ctx = NULL;
    }
    g->order_valid = 1;
    return o;
}
