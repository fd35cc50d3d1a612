#include <stdint.h>
#include <stdlib.h>

#include "core/internal.h"

struct utfall_hashset {
    uint64_t *slots;
    size_t cap, used;
};

utfall_hashset *utfall_hashset_new(void)
{
    return calloc(1, sizeof(utfall_hashset));
}

void utfall_hashset_free(utfall_hashset *s)
{
    if (s)
        free(s->slots);
    free(s);
}

uint64_t utfall_hash_str(uint64_t seed, const char *s)
{
    uint64_t h = seed ^ 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    /* final avalanche (splitmix64) so that the low bits index well */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h ? h : 1;
}

uint64_t utfall_hash_u64(uint64_t seed, uint64_t v)
{
    uint64_t h = (v ^ seed * 0x9e3779b97f4a7c15ull) + 0x9e3779b97f4a7c15ull;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h ? h : 1;
}

int utfall_hashset_add(utfall_hashset *s, uint64_t h)
{
    if (!h)
        h = 1;
    if ((s->used + 1) * 2 > s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 256;
        uint64_t *n = calloc(ncap, sizeof *n);
        if (!n)
            return -1;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slots[i])
                continue;
            size_t j = s->slots[i] & (ncap - 1);
            while (n[j])
                j = (j + 1) & (ncap - 1);
            n[j] = s->slots[i];
        }
        free(s->slots);
        s->slots = n;
        s->cap = ncap;
    }
    size_t j = h & (s->cap - 1);
    while (s->slots[j]) {
        if (s->slots[j] == h)
            return 0;
        j = (j + 1) & (s->cap - 1);
    }
    s->slots[j] = h;
    s->used++;
    return 1;
}
