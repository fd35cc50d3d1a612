/* utfall — umbrella header for libutfall. */
#ifndef UTFALL_H
#define UTFALL_H

#include "utfall/error.h"
#include "utfall/i18n.h"
#include "utfall/stats.h"
#include "utfall/logistic.h"
#include "utfall/survival.h"
#include "utfall/synth.h"
#include "utfall/chart.h"

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
