/* Text for the render code (charts, the PDF report): one way to make a
 * Pango layout, so that a chart drawn into the report sets its text
 * exactly as the report around it.  Internal; render sources only. */
#ifndef UTFALL_LIB_PANGO_TEXT_H
#define UTFALL_LIB_PANGO_TEXT_H

#include <pango/pangocairo.h>

/* DejaVu Sans: in fonts-dejavu-core, so the same metrics on every machine. */
#define UTFALL_FONT "DejaVu Sans"

/* A layout of text at size points (absolute), wrapped at wrap points
 * (0 = no wrapping), with the given font options; free with
 * g_object_unref. */
PangoLayout *utfall_text_layout(cairo_t *cr, const cairo_font_options_t *fo, const char *text,
                                double size, int bold, int italic, double wrap,
                                PangoAlignment align);

#endif
