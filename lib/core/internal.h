/* Helpers shared by the library's own sources and by nothing else: not
 * installed, not exported (no UTFALL_API), free to change.  Public API
 * lives in include/utfall/. */
#ifndef UTFALL_INTERNAL_H
#define UTFALL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* ---- growable arrays (lib/core/grow.c) ------------------------------- */

/* Make room for at least `need` elements of `elem` bytes in the array
 * *items_ptr (a pointer to the array pointer) whose capacity is *cap,
 * doubling from `first` (or from *cap).  New elements are zeroed.
 * 0 on success; -1 on out-of-memory or overflow, with the array and *cap
 * unchanged, so a caller may simply report and free as usual. */
int utfall_grow(void *items_ptr, size_t *cap, size_t need, size_t elem, size_t first);
/* The check that there is room already, where the caller can inline it:
 * most calls, once per row in a streaming loop, find room. */
static inline int utfall_grow_if(void *items_ptr, size_t *cap, size_t need, size_t elem,
                                 size_t first)
{
    return need <= *cap ? 0 : utfall_grow(items_ptr, cap, need, elem, first);
}
/* The usual call: UTFALL_GROW(t->rows, t->cap, t->n + 1) */
#define UTFALL_GROW(arr, cap, need) utfall_grow_if(&(arr), &(cap), (need), sizeof *(arr), 16)

/* ---- hashing (lib/core/hashset.c) ------------------------------------ */

/* FNV-1a from seed with a splitmix64 finish; never returns 0, so 0
 * can mark an empty slot. */
uint64_t utfall_hash_str(uint64_t seed, const char *s);
/* A 64-bit value (a person) mixed with a seed, the same way. */
uint64_t utfall_hash_u64(uint64_t seed, uint64_t v);

/* Set of 64-bit hashes (ids, id+group): memory per distinct member. */
typedef struct utfall_hashset utfall_hashset;
utfall_hashset *utfall_hashset_new(void);
void utfall_hashset_free(utfall_hashset *s);
/* 1 if added, 0 if present, -1 out of memory. */
int utfall_hashset_add(utfall_hashset *s, uint64_t h);

/* ---- text (lib/ingest/vocab.c, lib/ingest/group.c) ------------------- */

/* Fold a header or value for matching: lower case, å/ä→a, ö→o, é→e,
 * runs of space - . / → one '_', trimmed. */
void utfall_fold(const char *s, char *buf, size_t size);
/* Split "a,b,c" into at most max items (in place copies); returns count. */
size_t utfall_split_list(const char *list, char items[][128], size_t max);

/* ---- own labels (lib/core/i18n.c), for the render module's copy ------ */

size_t utfall_tr_own_count(void);
void utfall_tr_own_at(size_t i, const char **key, const char **text);

/* ---- random numbers (lib/ingest/synth.c) ----------------------------- */

/* xoshiro256**: the same seed gives the same stream on every machine. */
typedef struct utfall_rng {
    uint64_t s[4];
} utfall_rng;
void utfall_rng_seed(utfall_rng *r, uint64_t seed);
uint64_t utfall_rng_next(utfall_rng *r);
/* Uniform in 0 .. n-1 (n ≥ 1), without modulo bias. */
uint64_t utfall_rng_below(utfall_rng *r, uint64_t n);

#endif
