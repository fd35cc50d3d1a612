/* Fuzz the chart reader (utfall chart's TSV input) and the renderer over
 * whatever it accepts, in every kind. */
#include <string.h>

#include "harness.h"
#include "utfall/chart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const char *path, utfall_chart_kind kind, const utfall_chart_columns *cols)
{
    static FILE *devnull;
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    utfall_chart *c = utfall_chart_new(UTFALL_LANG_SV);
    if (!c)
        return;
    utfall_chart_set_title(c, "Fuzz");
    utfall_chart_panel_options po;
    utfall_chart_panel_options_init(&po);
    po.kind = kind;
    po.percent = kind != UTFALL_CHART_HISTOGRAM;
    po.target = 0.35;
    po.marker = 2;
    utfall_error err;
    if (utfall_chart_read(c, path, 0, cols, &po, &err) == UTFALL_OK) {
        /* SVG: no rasterizing, so the fuzzer spends its time on the code */
        utfall_chart_output o = {UTFALL_CHART_SVG, 0, 0, 0};
        utfall_chart_write(c, devnull, &o, &err);
    }
    utfall_chart_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    utfall_init();
    const char *path = fuzz_write_file("chart.tsv", data, size);
    static const char *const series[] = {"b", "c", NULL};
    const utfall_chart_columns bars = {.y = "b", .lo = "c", .hi = "d", .n = "n"};
    const utfall_chart_columns grouped = {.x = "a", .group = "g", .y = "b"};
    const utfall_chart_columns wide = {.series_columns = series};
    const utfall_chart_columns numeric = {.x = "a", .group = "g", .y = "b", .lo = "c", .hi = "d"};
    const utfall_chart_columns raw = {.x = "a"};
    run(path, UTFALL_CHART_BAR, &bars);
    run(path, UTFALL_CHART_HBAR, &bars);
    run(path, UTFALL_CHART_GROUPED, &grouped);
    run(path, UTFALL_CHART_STACKED, &grouped);
    run(path, UTFALL_CHART_DIVERGING, &wide);
    run(path, UTFALL_CHART_LINE, &numeric);
    run(path, UTFALL_CHART_HISTOGRAM, &raw);
    run(path, UTFALL_CHART_HISTOGRAM, &grouped);
    return 0;
}
