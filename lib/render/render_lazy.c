/* The lazy binding of the render functions: load utfall-render.so on
 * first use (see render.h for why).
 *
 * Where the module is:
 *   1. $UTFALL_RENDER_MODULE, if set (a packager's override);
 *   2. a program running from its build tree (the executable's real path
 *      is under UTFALL_BUILD_ROOT) loads the module built beside it, so a
 *      build never picks up an older installed one;
 *   3. otherwise the installed module in UTFALL_MODULE_DIR. */
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "core/internal.h"
#include "utfall_version.h"

#ifndef UTFALL_BUILD_ROOT
#error "UTFALL_BUILD_ROOT must be defined by the build"
#endif
#ifndef UTFALL_MODULE_DIR
#error "UTFALL_MODULE_DIR must be defined by the build"
#endif

#define MODULE_FILE "utfall-render.so"

static const utfall_render_api *loaded;

static int under_build_root(void)
{
    char exe[PATH_MAX];
    if (!realpath("/proc/self/exe", exe))
        return 0;
    size_t n = strlen(UTFALL_BUILD_ROOT);
    return strncmp(exe, UTFALL_BUILD_ROOT, n) == 0 && exe[n] == '/';
}

static const utfall_render_api *load(utfall_error *err)
{
    if (loaded)
        return loaded;
    const char *path = getenv("UTFALL_RENDER_MODULE");
    if (!path || !*path)
        path = under_build_root() ? UTFALL_BUILD_ROOT "/lib/" MODULE_FILE
                                  : UTFALL_MODULE_DIR "/" MODULE_FILE;
    /* RTLD_NODELETE: fontconfig and GLib keep threads and caches that
     * must outlive any dlclose; the module stays for the process. */
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!h) {
        const char *why = dlerror();
        utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_RENDER_MODULE,
                         "cannot load the drawing and Excel module: %s", why ? why : path);
        return NULL;
    }
    const utfall_render_api *api = dlsym(h, UTFALL_RENDER_SYMBOL);
    if (!api || api->abi != UTFALL_RENDER_ABI || api->size != sizeof *api
        || strcmp(api->version, UTFALL_VERSION) != 0) {
        utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_RENDER_MODULE,
                         "%s is from another build of utfall (expected %s); reinstall utfall",
                         path, UTFALL_VERSION);
        return NULL;
    }
    loaded = api;
    return loaded;
}

/* The program's own labels, to the module's copy of the catalogue. */
static int hand_labels(const utfall_render_api *api)
{
    api->tr_own_clear();
    for (size_t i = 0; i < utfall_tr_own_count(); i++) {
        const char *key, *text;
        utfall_tr_own_at(i, &key, &text);
        if (api->tr_own(key, text))
            return -1;
    }
    return 0;
}

utfall_status utfall_chart_write(const utfall_chart *c, FILE *out, const utfall_chart_output *o,
                                 utfall_error *err)
{
    const utfall_render_api *api = load(err);
    if (api && hand_labels(api))
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    return api ? api->chart_write(c, out, o, err) : err->status;
}

void utfall_chart_release_fonts(void)
{
    /* Nothing was drawn if the module was never loaded. */
    if (loaded)
        loaded->chart_release_fonts();
}

utfall_status utfall_doc_write_xlsx(const utfall_doc *d, const char *path, utfall_lang lang,
                                    utfall_error *err)
{
    const utfall_render_api *api = load(err);
    if (api && hand_labels(api))
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    return api ? api->doc_write_xlsx(d, path, lang, err) : err->status;
}
