/* Internal: the chart model shared by chart.c (data in) and
 * chart_draw.c (rendering). */
#ifndef UTFALL_CHART_IMPL_H
#define UTFALL_CHART_IMPL_H

#include "utfall/chart.h"

struct chart_point {
    char *cat;    /* category label ("" for line/histogram) */
    char *series; /* series label ("" = the only series) */
    double x, y, lo, hi, n;
    int total;
    int hidden; /* a count the protection hid: drawn in the grey "hidden" segment */
    int colour; /* a fixed colour for the series (an exit outcome's), -1 = by order */
};

struct chart_panel {
    utfall_chart_panel_options opt; /* strings below, owned */
    char *title, *xlabel, *ylabel, *target_label, *marker_label;
    struct chart_point *p;
    size_t n, cap;
};

struct utfall_chart {
    utfall_lang lang;
    char *title, *subtitle, *note;
    struct chart_panel *panels;
    int npanels;
    size_t panel_cap;
};

#endif
