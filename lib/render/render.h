/* The render module: the code that draws (cairo, Pango) and writes Excel
 * workbooks (libxlsxwriter).
 *
 * Those libraries and their own dependencies (GLib, fontconfig, HarfBuzz,
 * X11 client libraries, ~40 shared objects) cost a program about 10 ms to
 * map and relocate at every start, whether or not it draws anything.  The
 * analysis commands draw only when asked (--chart, --format xlsx), so they
 * link the lazy binding (render_lazy.c), which loads the module
 * utfall-render.so with dlopen on first use.  Programs that always draw
 * (utfall chart, utfall report), the tests and libutfall.so link the
 * direct binding (render_direct.c).
 *
 * Both bindings define the public functions below the same way: forward
 * to the utfall_render_* implementations.  Not installed; internal. */
#ifndef UTFALL_LIB_RENDER_H
#define UTFALL_LIB_RENDER_H

#include <stdio.h>

#include "utfall/chart.h"
#include "utfall/table.h"

/* Bump when a signature below changes: a module from another build is
 * refused rather than called with the wrong arguments. */
#define UTFALL_RENDER_ABI 2

/* The implementations (lib/render/chart_draw.c, lib/render/xlsx.c).  lib/render/report_pdf.c
 * is render code too, called only by utfall report, which binds directly. */
utfall_status utfall_render_chart_write(const utfall_chart *c, FILE *out,
                                        const utfall_chart_output *o, utfall_error *err);
void utfall_render_chart_release_fonts(void);
utfall_status utfall_render_doc_write_xlsx(const utfall_doc *d, const char *path,
                                           utfall_lang lang, utfall_error *err);

/* The creation date written into PDF files (charts, the report):
 * SOURCE_DATE_EPOCH when set (reproducible builds), else a fixed
 * 2000-01-01, so that the same input gives the same file; cairo 1.16
 * would write the clock time, and cannot leave the date out. */
void utfall_render_pdf_date(char *out, size_t size);

/* What the module exports, under the name UTFALL_RENDER_SYMBOL. */
typedef struct utfall_render_api {
    int abi;              /* UTFALL_RENDER_ABI of the module's build */
    const char *version;  /* UTFALL_VERSION of the module's build */
    size_t size;          /* sizeof (utfall_render_api) */
    utfall_status (*chart_write)(const utfall_chart *c, FILE *out, const utfall_chart_output *o,
                                 utfall_error *err);
    void (*chart_release_fonts)(void);
    utfall_status (*doc_write_xlsx)(const utfall_doc *d, const char *path, utfall_lang lang,
                                    utfall_error *err);
    /* The module has its own copy of the catalogue's state: the program's
     * own labels (utfall_tr_own) are handed to it before it writes. */
    int (*tr_own)(const char *key, const char *text);
    void (*tr_own_clear)(void);
} utfall_render_api;

#define UTFALL_RENDER_SYMBOL "utfall_render_module_api"

#endif
