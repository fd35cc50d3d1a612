/* utfall — umbrella header for libutfall. */
#ifndef UTFALL_H
#define UTFALL_H

/* Every public header, by layer (lib/ has the same folders). */
/* core */
#include "utfall/error.h"
#include "utfall/error_codes.h"
#include "utfall/i18n.h"
#include "utfall/date.h"
/* ingest */
#include "utfall/csvread.h"
#include "utfall/vocab.h"
#include "utfall/extract.h"
#include "utfall/pnr.h"
#include "utfall/pseudo.h"
#include "utfall/group.h"
#include "utfall/synth.h"
/* stats */
#include "utfall/stats.h"
#include "utfall/logistic.h"
#include "utfall/survival.h"
#include "utfall/competing.h"
#include "utfall/cox.h"
/* analysis */
#include "utfall/summary.h"
#include "utfall/check.h"
#include "utfall/goal.h"
#include "utfall/goals_file.h"
#include "utfall/split.h"
#include "utfall/hours.h"
#include "utfall/horizon.h"
#include "utfall/ekonomi.h"
#include "utfall/period.h"
#include "utfall/forsorjning.h"
/* output */
#include "utfall/table.h"
#include "utfall/protect.h"
#include "utfall/chart.h"
#include "utfall/figures.h"
#include "utfall/report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Call once before using the library: switches GSL's abort-on-error
 * handler off so that every failure comes back as a value. */
UTFALL_API void utfall_init(void);
UTFALL_API const char *utfall_version(void);

#ifdef __cplusplus
}
#endif
#endif
