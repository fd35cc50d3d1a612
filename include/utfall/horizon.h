/* utfall — outcome at a horizon: the share of each group with a success
 * status N months after each participant's own start, with censoring,
 * comparisons against a reference group, Kaplan–Meier and log-rank.
 *
 * Memory: unlike the other figures, this one keeps state per participant
 * (start, follow-up end, group) and every spell, because a participant's
 * spells may come in any order; it grows with participants + spells. */
#ifndef UTFALL_HORIZON_H
#define UTFALL_HORIZON_H

#include "utfall/extract.h"
#include "utfall/stats.h"
#include "utfall/table.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UTFALL_HORIZON_MAX_MONTHS 64
/* KM reads month m at day m × 30.4375 (the mean month length). */
#define UTFALL_DAYS_PER_MONTH 30.4375

typedef struct utfall_horizon_options {
    const char *spells_path;     /* required (unless spells_paths) */
    /* Several spells files: one per extract file, in the same order, or
     * one for all of them when the extract has one file or its files
     * share their ids (utfall_extract_options.shared_ids).  NULL: the
     * one spells_path. */
    const char *const *spells_paths;
    size_t nspells;
    const char *status_map_path;    /* statuses as written: class and label (vocab.h) */
    utfall_date_style spells_dates; /* how fran and till are written (no column to learn
                                     * from: auto reads only unambiguous forms) */
    FILE *rejects;                  /* with skip_bad: rejected spells, each file's header
                                     * first; NULL = none */
    double max_rejected;            /* a warning when more spells are rejected (0.05) */
    utfall_csv_options spells_csv;
    int skip_bad;                /* skip bad spell rows (counted) */
    utfall_diag_fn diag;
    void *diag_ctx;
    utfall_date followed_until;  /* UTFALL_DATE_NONE: each row's uppfoljd_till */
    int months[UTFALL_HORIZON_MAX_MONTHS];
    size_t nmonths;              /* default: 15 */
    const char *by;              /* default "insats" */
    const char *strata;          /* NULL = none */
    const char *ref;             /* reference value of `by`; NULL = no comparisons */
    unsigned success;            /* default arbete, arbete_med_stod */
    int curve;                   /* share at every month 0..H */
    int km;                      /* Kaplan–Meier and log-rank */
    const char *adjust;          /* covariates for logistic regression; NULL = none */
    const char *cluster;         /* cluster-robust errors of --adjust by this column */
    int competing;               /* cumulative incidence with competing risks, Gray's test */
    unsigned competing_set;      /* the competing statuses (default studier) */
    int cox;                     /* Cox model of the time to the first success (needs ref) */
    double level;
    utfall_lang lang;
} utfall_horizon_options;

UTFALL_API void utfall_horizon_options_init(utfall_horizon_options *opt);
/* "6,12,15" → months (each 0..600, at most UTFALL_HORIZON_MAX_MONTHS). */
UTFALL_API utfall_status utfall_horizon_parse_months(const char *list, utfall_horizon_options *opt,
                                                     utfall_error *err);

/* Reads the extract (one row per participant) and the spells file, and
 * adds the sections rows; comparisons and, with strata, mantel_haenszel
 * (with ref); adjusted and adjusted_terms (with adjust); curve; km and
 * logrank, and with strata logrank_stratified (with km); cuminc and gray,
 * and with strata gray_stratified (with competing); cox and cox_terms
 * (with cox); and spells (bookkeeping).  utfall-horizon(1) documents
 * each. */
UTFALL_API utfall_status utfall_horizon_compute(utfall_extract *x,
                                                const utfall_horizon_options *opt,
                                                utfall_doc *doc, utfall_error *err);

#ifdef __cplusplus
}
#endif
#endif
