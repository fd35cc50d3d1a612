/* What the stages of utfall_horizon_compute share (horizon.c, the
 * reading and counting; horizon_adjust.c, --adjust; horizon_time.c,
 * Kaplan–Meier and log-rank).  Not a public header. */
#ifndef UTFALL_HORIZON_INTERNAL_H
#define UTFALL_HORIZON_INTERNAL_H

#include "utfall/group.h"
#include "utfall/horizon.h"
#include "utfall/protect.h"
#include "utfall/survival.h"

/* Columns declared in a colspec array, in order; the index of the first. */
#define ADD_COLUMNS(t, spec) \
    utfall_table_add_columns((t), (spec), sizeof(spec) / sizeof(spec)[0])

struct participant {
    uint64_t id;
    long group; /* index in the by+strata grouper */
    utfall_date start, end;
    long line;
};

struct spell {
    size_t who;
    int status;
    utfall_date from, to; /* to = UTFALL_DATE_NONE: ongoing */
};

/* The participants (one row each in the extract) and their spells, which
 * may come in any order in the spells file. */
struct cohort {
    struct participant *p;
    size_t np, pcap;
    size_t *slots; /* id hash → participant index + 1 */
    size_t nslots;
    struct spell *s;
    size_t ns, scap;
    size_t *first; /* spells of participant i: s[first[i] .. first[i+1]) */
    long spells_read, spells_used, spells_rejected;
    char **cov;    /* --adjust: participant i's value of covariate k at cov[i * ncov + k] */
    size_t covcap;
};

#define MAX_COVARIATES 8

struct covariate {
    utfall_colref *ref;
    const char *name; /* canonical name (the colref's) */
    int numeric;
};

struct cell {
    long n, censored, reached;
};

/* What the stages of one computation share.  A section is one more stage
 * in utfall_horizon_compute and one more table builder below. */
struct horizon_run {
    utfall_extract *x;
    const utfall_horizon_options *opt;
    utfall_lang lang;
    utfall_doc *doc;
    utfall_error *err;
    utfall_grouper *g;
    size_t nby;           /* grouper keys 0..nby-1 are --by, the rest --strata */
    size_t nkeys;
    size_t ng;            /* groups, shown in the order order[0..ng) */
    const size_t *order;
    struct cohort c;
    struct covariate cv[MAX_COVARIATES];
    size_t ncov;
    struct cell *cells;   /* group gi at opt->months[m]: cells[gi * opt->nmonths + m] */
    int *steps;           /* every month 0..H, H the longest horizon (curve, km) */
    size_t nsteps;
    struct cell *curve;   /* with --curve, group gi at month m: curve[gi * nsteps + m] */
    double *km_time;      /* with --km: days to the first success or to the end of follow-up */
    int *km_event;        /* 1 when km_time is the first success */
    utfall_km *km;
};

/* horizon.c */
utfall_status horizon_nomem(utfall_error *err);
/* Groups a and b belong to the same stratum when their strata keys agree. */
int horizon_same_stratum(const struct horizon_run *run, size_t a, size_t b);
utfall_status horizon_unknown_ref(const struct horizon_run *run);
/* Success at a date: any spell covering it has a success status. */
int horizon_success_at(const struct cohort *c, size_t who, utfall_date date, unsigned success);
/* The grouping columns from key `from` on. */
void horizon_group_columns(utfall_table *t, const struct horizon_run *run, size_t from);
/* Group gi's values of keys from..to-1, in the columns added for them. */
void horizon_set_group(utfall_table *t, int r, const struct horizon_run *run, size_t gi,
                       size_t from, size_t to);

/* horizon_adjust.c: the sections adjusted and adjusted_terms */
utfall_status horizon_adjusted_section(struct horizon_run *run);

/* horizon_time.c: time to the first success */
utfall_status horizon_fit_km(struct horizon_run *run);
utfall_status horizon_km_section(struct horizon_run *run);
utfall_status horizon_logrank_section(struct horizon_run *run);

#endif
