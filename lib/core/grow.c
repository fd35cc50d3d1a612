#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

int utfall_grow(void *items_ptr, size_t *cap, size_t need, size_t elem, size_t first)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : (first ? first : 1);
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return -1;
        ncap *= 2;
    }
    if (elem && ncap > SIZE_MAX / elem)
        return -1;
    /* items_ptr points at the caller's array pointer, whatever its type:
     * read and write it as bytes rather than through a void ** alias */
    void *old;
    memcpy(&old, items_ptr, sizeof old);
    void *grown = realloc(old, ncap * elem);
    if (!grown)
        return -1;
    memset((char *)grown + *cap * elem, 0, (ncap - *cap) * elem);
    memcpy(items_ptr, &grown, sizeof grown);
    *cap = ncap;
    return 0;
}
