/* Fuzz the goals file parser (utfall-goals(5)). */
#include "harness.h"
#include <string.h>

#include "utfall/goals_file.h"
#include "utfall/pnr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    utfall_init();
    utfall_goals *g = NULL;
    utfall_error err;
    utfall_error_clear(&err);
    if (utfall_goals_parse(&g, (const char *)data, size, "goals.txt", &err) == UTFALL_OK) {
        if (!g || g->n == 0)
            abort();
        for (size_t i = 0; i < g->n; i++)
            if (!g->goals[i].text || !g->goals[i].id[0])
                abort();
        /* what is accepted goes into reports: never an identity number */
        for (size_t i = 0; i < g->n; i++)
            if (utfall_pnr_find(g->goals[i].text, strlen(g->goals[i].text), NULL, NULL))
                abort();
        if (g->title && utfall_pnr_find(g->title, strlen(g->title), NULL, NULL))
            abort();
    } else if (g || !err.text[0]) {
        abort();
    }
    utfall_goals_free(g);
    return 0;
}
