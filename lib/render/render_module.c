/* The entry point of utfall-render.so (see render.h). */
#include "render/render.h"
#include "utfall_version.h"

__attribute__((visibility("default"))) extern const utfall_render_api utfall_render_module_api;

const utfall_render_api utfall_render_module_api = {
    .abi = UTFALL_RENDER_ABI,
    .version = UTFALL_VERSION,
    .size = sizeof(utfall_render_api),
    .chart_write = utfall_render_chart_write,
    .chart_release_fonts = utfall_render_chart_release_fonts,
    .doc_write_xlsx = utfall_render_doc_write_xlsx,
    .tr_own = utfall_tr_own,
    .tr_own_clear = utfall_tr_own_clear,
};
