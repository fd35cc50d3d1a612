/* utfall — each analysis command's standard figure, built from its tables.
 *
 * The commands draw these with --chart and the report draws the same ones
 * beside its tables, so a figure is defined once.  Each function adds its
 * panels, title and notes to chart from the tables of doc.  prefix is NULL
 * for a command's own document; the report keeps a computation's tables
 * under "PREFIX_KEY" (cut to 31 characters, an Excel sheet name's limit)
 * and passes its PREFIX.  A table that is missing is UTFALL_ERR_INTERNAL. */
#ifndef UTFALL_FIGURES_H
#define UTFALL_FIGURES_H

#include "utfall/chart.h"
#include "utfall/table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Participants by gender, age band and unit: one horizontal panel per
 * "by_" table. */
UTFALL_API utfall_status utfall_figure_summary(utfall_chart *c, utfall_doc *doc,
                                               const char *prefix, utfall_error *err);
/* The share reaching the goal per group with its interval, against the
 * target (a share; NAN = no target line). */
UTFALL_API utfall_status utfall_figure_goal(utfall_chart *c, utfall_doc *doc, const char *prefix,
                                            double target, utfall_lang lang, utfall_error *err);
/* 100 % stacked exit outcomes per group. */
UTFALL_API utfall_status utfall_figure_split(utfall_chart *c, utfall_doc *doc, const char *prefix,
                                             utfall_error *err);
/* Increased / unchanged / decreased per group, and the distribution of
 * the change in hours. */
UTFALL_API utfall_status utfall_figure_hours(utfall_chart *c, utfall_doc *doc, const char *prefix,
                                             utfall_lang lang, utfall_error *err);
/* The share in success by month per group, interval bands and a marker
 * at the horizon (months). */
UTFALL_API utfall_status utfall_figure_horizon(utfall_chart *c, utfall_doc *doc,
                                               const char *prefix, int horizon,
                                               utfall_lang lang, utfall_error *err);

/* Forest plots of horizon's comparisons, when there are several (groups,
 * strata or horizons): a panel of differences in percentage points (each
 * group against the reference in each stratum, the Mantel-Haenszel
 * difference over the strata, the adjusted difference), reference line at
 * 0, and a panel of ratios on a logarithmic axis (Mantel-Haenszel risk
 * ratio, Cox hazard ratio, adjusted odds ratio, where computed), reference
 * line at 1.  Drawn from the protected tables: a hidden estimate is left
 * out.  Adds the comparisons' notes (and their title when the chart has
 * none); adds nothing with fewer than two comparisons. */
UTFALL_API utfall_status utfall_figure_horizon_forest(utfall_chart *c, utfall_doc *doc,
                                                      const char *prefix, utfall_lang lang,
                                                      utfall_error *err);

#ifdef __cplusplus
}
#endif
#endif
