/* The direct binding of the render functions: linked with the
 * implementations, no module (see render.h). */
#include "render/render.h"

utfall_status utfall_chart_write(const utfall_chart *c, FILE *out, const utfall_chart_output *o,
                                 utfall_error *err)
{
    return utfall_render_chart_write(c, out, o, err);
}

void utfall_chart_release_fonts(void)
{
    utfall_render_chart_release_fonts();
}

utfall_status utfall_doc_write_xlsx(const utfall_doc *d, const char *path, utfall_lang lang,
                                    utfall_error *err)
{
    return utfall_render_doc_write_xlsx(d, path, lang, err);
}
