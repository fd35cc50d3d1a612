/* utfall — charts for the report: PDF, PNG and SVG on cairo and Pango.
 *
 * A chart is a figure: a title, a subtitle, one or more panels stacked
 * from top to bottom, and a source/definition note at the bottom.  Each
 * panel is one kind of plot over rows of (category, series, x, value,
 * interval, n).  Panels are filled from a document table
 * (utfall_chart_add_table) or from a TSV/CSV file (utfall_chart_read), so
 * a command's figure is a few lines.
 *
 * The look is fixed on purpose: the Okabe–Ito colour-blind-safe palette,
 * shares on a 0–100 % axis, value labels on bars, group sizes in the
 * category labels ("Malmö (n = 108)"), Swedish or English labels and
 * number formats.  Long category labels wrap; when they still do not fit
 * under vertical bars the panel turns to horizontal bars.
 *
 * Output is deterministic: the same chart gives the same PNG and SVG
 * bytes, and PDFs carry a fixed creation date (SOURCE_DATE_EPOCH, or
 * 2000-01-01 when it is not set). */
#ifndef UTFALL_CHART_H
#define UTFALL_CHART_H

#include <stddef.h>
#include <stdio.h>

#include "utfall/error.h"
#include "utfall/i18n.h"
#include "utfall/table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum utfall_chart_kind {
    UTFALL_CHART_BAR = 0,   /* vertical bars, optional whiskers and target line */
    UTFALL_CHART_HBAR,      /* horizontal bars */
    UTFALL_CHART_GROUPED,   /* bars per category, one per series side by side */
    UTFALL_CHART_STACKED,   /* 100 % stacked bars, one segment per series */
    UTFALL_CHART_DIVERGING, /* first series left of zero, last right, a middle one centred */
    UTFALL_CHART_LINE,      /* lines over numeric x, interval bands, vertical marker */
    UTFALL_CHART_HISTOGRAM, /* bins of a numeric variable (or pre-binned counts) */
    UTFALL_CHART_FOREST     /* one row per category: estimate and interval on a
                             * horizontal axis, a reference line (forest plot) */
} utfall_chart_kind;

/* "bar", "hbar", … ; 0 on success, -1 unknown. */
UTFALL_API int utfall_chart_kind_parse(const char *name, utfall_chart_kind *out);

typedef enum utfall_chart_format {
    UTFALL_CHART_PDF = 0,
    UTFALL_CHART_PNG,
    UTFALL_CHART_SVG
} utfall_chart_format;

/* From a file name's extension (.pdf, .png, .svg, any case); -1 unknown. */
UTFALL_API int utfall_chart_format_from_path(const char *path, utfall_chart_format *out);

/* Which columns of a table or file make a panel.  NULL leaves a role
 * unused, except x: NULL means the first group column of a table (for a
 * file, the first column).  For a histogram, x is the numeric variable;
 * with y as well, x is a bin's lower edge and y its count. */
typedef struct utfall_chart_columns {
    const char *x;     /* category (or numeric x for line and histogram) */
    const char *y;     /* value */
    const char *group; /* series: grouped, stacked, diverging, line */
    const char *lo, *hi; /* interval: whiskers on bars, bands on lines */
    const char *n;     /* group size shown in the category label */
    /* Instead of group: several value columns, each a series (for
     * stacked and diverging from a wide table such as hours' increased,
     * unchanged, decreased).  NULL-terminated; y is then unused. */
    const char *const *series_columns;
} utfall_chart_columns;

typedef struct utfall_chart_panel_options {
    utfall_chart_kind kind;
    const char *title;  /* panel title; NULL = none */
    const char *xlabel; /* axis titles; NULL = from the column labels, "" = none */
    const char *ylabel;
    int percent;        /* values are shares 0–1, drawn on a 0–100 % axis
                         * (stacked and diverging: shares of each category's sum) */
    double target;      /* target line at this value (share when percent); NAN = none */
    const char *target_label; /* "Mål" if NULL */
    double marker;      /* line charts: vertical marker at this x; NAN = none */
    const char *marker_label;
    int skip_total;     /* leave out total rows */
    /* forest: the line of no difference (0 for differences, 1 for ratios;
     * NAN = none), and a logarithmic axis (ratios) */
    double reference;
    int log_scale;
    int auto_percent;   /* percent when y is a share column (a table's SHARE
                         * column; a file's column named share or cum_share) */
} utfall_chart_panel_options;

UTFALL_API void utfall_chart_panel_options_init(utfall_chart_panel_options *opt);

typedef struct utfall_chart utfall_chart;

UTFALL_API utfall_chart *utfall_chart_new(utfall_lang lang);
UTFALL_API void utfall_chart_free(utfall_chart *c);
/* Texts of the figure; NULL leaves a text unchanged. */
UTFALL_API void utfall_chart_set_title(utfall_chart *c, const char *title);
UTFALL_API void utfall_chart_set_subtitle(utfall_chart *c, const char *subtitle);
/* NULL when it has none. */
UTFALL_API const char *utfall_chart_title(const utfall_chart *c);
/* The source/definition note; lines are joined with spaces. */
UTFALL_API void utfall_chart_add_note(utfall_chart *c, const char *note);

/* Take a note out again (one that describes a table's columns, not the
 * figure). */
UTFALL_API void utfall_chart_remove_note(utfall_chart *c, const char *note);

/* A new empty panel; returns its index or -1 on out-of-memory. */
UTFALL_API int utfall_chart_add_panel(utfall_chart *c, const utfall_chart_panel_options *opt);
/* One data point.  category: bar label (NULL for line/histogram);
 * series: NULL or "" for one series; x: numeric x (line, histogram);
 * lo/hi/n: NAN or -1 when not known.  Returns 0 or -1 (out of memory). */
UTFALL_API int utfall_chart_add_point(utfall_chart *c, int panel, const char *category,
                                      const char *series, double x, double y, double lo,
                                      double hi, double n, int is_total);
UTFALL_API int utfall_chart_npanels(const utfall_chart *c);
/* 1 when some point has a value other than 0: a figure whose every count
 * is hidden (suppressed) would show nothing but axes. */
UTFALL_API int utfall_chart_has_values(const utfall_chart *c);
UTFALL_API size_t utfall_chart_npoints(const utfall_chart *c, int panel);

/* A panel from a document table: category and series values get their
 * people's labels (k → Kvinnor), axis titles the column labels, the table's
 * title becomes the panel title when opt->title is NULL and the notes are
 * added to the chart's note.  Suppressed and not computable values are
 * left out.  A missing column is UTFALL_ERR_USAGE. */
UTFALL_API utfall_status utfall_chart_add_table(utfall_chart *c, const utfall_table *t,
                                                const utfall_chart_columns *cols,
                                                const utfall_chart_panel_options *opt,
                                                utfall_error *err);

/* A panel from a delimited file with a header line (TSV from another
 * utfall command, or any CSV/TSV; "-" is stdin).  delimiter 0 detects it.
 * Errors carry file, line and column: a missing column, a value that is
 * not a number, an empty input. */
UTFALL_API utfall_status utfall_chart_read(utfall_chart *c, const char *path, char delimiter,
                                           const utfall_chart_columns *cols,
                                           const utfall_chart_panel_options *opt,
                                           utfall_error *err);

typedef struct utfall_chart_output {
    utfall_chart_format format;
    double width, height; /* mm for PDF and SVG, pixels for PNG; 0 = default */
    double dpi;           /* PNG only; 0 = 150 */
} utfall_chart_output;

/* "160x100" (also "160X100", "160×100"); 0 or -1. */
UTFALL_API int utfall_chart_size_parse(const char *s, double *width, double *height);

/* Render the figure to out. */
UTFALL_API utfall_status utfall_chart_write(const utfall_chart *c, FILE *out,
                                            const utfall_chart_output *o, utfall_error *err);

/* For documents that place figures themselves (the PDF report): draw the
 * figure into an existing cairo context (a cairo_t) in the rectangle at
 * x, y of w by h points, vector on a vector surface.  The context's state
 * is left as it was. */
struct _cairo;
UTFALL_API utfall_status utfall_chart_draw_cairo(const utfall_chart *c, struct _cairo *cr,
                                                 double x, double y, double w, double h,
                                                 utfall_error *err);
/* The height in points the figure needs (at least 100 mm, as
 * utfall_chart_write's default). */
UTFALL_API double utfall_chart_natural_height(const utfall_chart *c);

/* Drop Pango's default font map at the end of a program, once no chart
 * is in use any more.  (fontconfig's own configuration stays for the life
 * of the process: freeing it races with Pango's font-loading thread; the
 * leak checkers' suppressions are in tests/lsan.supp and
 * tests/valgrind.supp.) */
UTFALL_API void utfall_chart_release_fonts(void);

/* Bins for a histogram of n values: a "nice" width (1, 2, 2.5 or 5 × 10^k)
 * giving about 8–20 bins, bins centred on multiples of the width so that 0
 * (unchanged) is the middle of a bin.  counts has room for max_bins; returns
 * the number of bins (0 for no values) and the first bin's lower edge and
 * the width. */
UTFALL_API size_t utfall_chart_bins(const double *v, size_t n, long *counts, size_t max_bins,
                                    double *first_edge, double *width);

#ifdef __cplusplus
}
#endif
#endif
