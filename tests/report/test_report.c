/* The report API as the chart step will use it: a figure placed after its
 * table in the Markdown, the tables in the document under their keys, and
 * goals parsed from memory with their lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/goals_file.h"
#include "utfall/report.h"
#include "utfall/utfall.h"

static int failures;

#define CHECK(cond, ...)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                           \
            fprintf(stderr, __VA_ARGS__);                                                  \
            fputc('\n', stderr);                                                           \
            failures++;                                                                    \
        }                                                                                  \
    } while (0)

static const char *sample;

static utfall_status open_sample(void *ctx, int pass, utfall_extract **x, utfall_error *err)
{
    int *passes = ctx;
    (void)pass;
    (*passes)++;
    utfall_extract_options xo;
    utfall_extract_options_init(&xo);
    return utfall_extract_open(x, &sample, 1, &xo, err);
}

static void test_figure(void)
{
    utfall_report_options ro;
    utfall_report_options_init(&ro);
    ro.lang = UTFALL_LANG_SV;
    int passes = 0;
    utfall_report *r = NULL;
    utfall_error err;
    utfall_error_clear(&err);
    CHECK(utfall_report_build(&r, open_sample, &passes, &ro, &err) == UTFALL_OK, "build: %s",
          err.text);
    if (!r)
        return;
    CHECK(passes >= 5, "the extract is read once per computation, %d times", passes);
    CHECK(utfall_doc_table(utfall_report_doc(r), "aktivitet_rows") != NULL, "no aktivitet_rows");
    CHECK(utfall_report_add_figure(r, "aktivitet_rows", "rapport-figurer/aktivitet.png",
                                   "Aktivitetsförändring", &err) == UTFALL_OK,
          "add_figure: %s", err.text);
    CHECK(utfall_report_add_figure(r, "no_such_table", "x.png", NULL, &err) == UTFALL_ERR_USAGE,
          "a figure after a table that does not exist is refused");
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    CHECK(utfall_report_write_md(r, out, &err) == UTFALL_OK, "write_md: %s", err.text);
    fclose(out);
    const char *fig = buf ? strstr(buf, "![Aktivitetsförändring](rapport-figurer/aktivitet.png)")
                          : NULL;
    CHECK(fig != NULL, "the figure is not in the Markdown");
    const char *table = buf ? strstr(buf, "### Förändring av aktivitetstimmar per vecka\n") : NULL;
    const char *next = table ? strstr(table + 1, "### ") : NULL;
    CHECK(table && fig && fig > table && (!next || fig < next),
          "the figure does not follow its table");
    free(buf);
    utfall_report_free(r);
}

static void test_goals_memory(void)
{
    static const char text[] = "titel: T\n\n# c\nmal: A\ntyp: andel\nutfall: arbete\n"
                               "mal_andel: 35 %\nbas: 300\n\nmal: B\nmal_antal: 400\n";
    utfall_goals *g = NULL;
    utfall_error err;
    utfall_error_clear(&err);
    CHECK(utfall_goals_parse(&g, text, sizeof text - 1, "m.txt", &err) == UTFALL_OK, "%s",
          err.text);
    if (!g)
        return;
    CHECK(g->title && !strcmp(g->title, "T"), "title");
    CHECK(g->n == 2, "two goals, not %zu", g->n);
    CHECK(g->goals[0].line == 4 && g->goals[1].line == 10, "goal lines %ld %ld",
          g->goals[0].line, g->goals[1].line);
    CHECK(g->goals[0].kind == UTFALL_GOAL_SHARE && g->goals[0].base == UTFALL_BASE_FIXED
              && g->goals[0].fixed_base == 300 && g->goals[0].target_share > 0.349
              && g->goals[0].target_share < 0.351,
          "share goal");
    CHECK(g->goals[1].kind == UTFALL_GOAL_COUNT && g->goals[1].target_count == 400
              && g->goals[1].base == UTFALL_BASE_ENROLLED && !strcmp(g->goals[1].id, "goal2"),
          "count goal");
    utfall_goals_free(g);

    static const char bad[] = "mal: A\ntyp: andel\nutfall: arbete\nmal_andel: 35 %\nbas: 0\n";
    CHECK(utfall_goals_parse(&g, bad, sizeof bad - 1, "m.txt", &err) == UTFALL_ERR_DATA
              && err.line == 5 && !strcmp(err.file, "m.txt") && !strcmp(err.column, "bas"),
          "bas: 0 at line 5, got line %ld column '%s'", err.line, err.column);
    CHECK(g == NULL, "no goals after an error");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_report DATA-SAMPLES/ama.csv\n");
        return 2;
    }
    sample = argv[1];
    utfall_init();
    test_figure();
    test_goals_memory();
    if (failures)
        return 1;
    puts("ok");
    return 0;
}
