/* What the stages of utfall_horizon_compute share: horizon.c, the
 * reading and counting; horizon_model.c, the model matrix of --adjust and
 * --cox; horizon_adjust.c, --adjust; horizon_strata.c, the stratified
 * comparison; horizon_time.c, Kaplan–Meier and log-rank;
 * horizon_competing.c, --competing; horizon_cox.c, --cox.  Not a public
 * header. */
#ifndef UTFALL_HORIZON_INTERNAL_H
#define UTFALL_HORIZON_INTERNAL_H

#include "utfall/competing.h"
#include "utfall/cox.h"
#include "utfall/group.h"
#include "utfall/logistic.h"
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
    char **cov;    /* participant i's value k at cov[i * nvals + k]: the --adjust
                    * covariates, then the --cluster */
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
    utfall_colref *cluster_ref; /* --cluster */
    size_t nvals;         /* values kept per participant: ncov, and 1 for --cluster */
    size_t nstrata;       /* strata, sorted by their values (1 without --strata) */
    size_t *stratum_rep;  /* a group of each stratum */
    unsigned char *stratum_stated; /* every --strata value of the stratum is stated */
    int *stratum_of;      /* group → its stratum */
    unsigned char *stated; /* group → its --by values are stated: it takes part in tests */
    int *level_of;        /* group → its --by values among those stated (display order) */
    size_t nlevels;
    struct cell *cells;   /* group gi at opt->months[m]: cells[gi * opt->nmonths + m] */
    int *steps;           /* every month 0..H, H the longest horizon (curve, km) */
    size_t nsteps;
    struct cell *curve;   /* with --curve, group gi at month m: curve[gi * nsteps + m] */
    double *km_time;      /* with --km: days to the first success or to the end of follow-up */
    int *km_event;        /* 1 when km_time is the first success */
    utfall_km *km;
    double *cr_time;      /* with --competing: days to the first event of either set */
    int *cr_status;       /* 0 censored, 1 a success spell, 2 a competing one */
};

/* The --by group as a factor (reference --ref) and the covariates, for
 * --adjust (with an intercept and the --cluster) and --cox (without). */
struct horizon_model {
    const char **lev;       /* the --by levels in display order */
    int nlev, ref;          /* ref: the level of --ref */
    long *level_of_group;   /* grouper group → level; −1 for "not stated" */
    int *level;             /* participant → level */
    unsigned char *missing; /* participant without a level, a covariate or a cluster */
    long *cluster;          /* participant → cluster (byte order of the values); −1 none */
    size_t nclusters;
    utfall_design *d;
    int term;               /* the --by factor in d */
    size_t first_col;       /* d's column of the first level but the reference */
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
/* A table of each --by group against --ref: titled by the catalogue's
 * title_key with the reference put in; after the caller's group columns,
 * the columns of spec, whose first is "ref": in JSON an object keyed by
 * the --by name.  The index of that first column. */
int horizon_versus_ref_columns(utfall_table *t, const struct horizon_run *run,
                               const char *title_key, const utfall_colspec *spec, size_t n);
#define VERSUS_REF_COLUMNS(t, run, title_key, spec) \
    horizon_versus_ref_columns((t), (run), (title_key), (spec), sizeof(spec) / sizeof(spec)[0])
/* Group gi's values of keys from..to-1, in the columns added for them. */
void horizon_set_group(utfall_table *t, int r, const struct horizon_run *run, size_t gi,
                       size_t from, size_t to);

/* The participants who take part in a test: their --by level (run->level_of),
 * time, event and stratum. */
struct members {
    size_t n;
    int *group, *event, *stratum;
    double *time;
};
int horizon_members_alloc(struct members *s, size_t np);
void horizon_members_free(struct members *s);
/* Which participants horizon_members() takes. */
enum { MEMBERS_STRATUM, MEMBERS_STRATIFIED };
/* The participants whose --by group is stated, with time[i] and event[i]:
 * MEMBERS_STRATUM those of stratum s; MEMBERS_STRATIFIED those of every
 * stratum whose values are stated. */
void horizon_members(const struct horizon_run *run, int which, size_t s, const double *time,
                     const int *event, struct members *m);

/* horizon_model.c */
/* Numeric or categorical, from the values given. */
void horizon_type_covariates(struct horizon_run *run);
utfall_status horizon_model_build(const struct horizon_run *run, struct horizon_model *m,
                                  int intercept, int with_cluster);
void horizon_model_free(struct horizon_model *m);
/* d's column of level l (not the reference). */
size_t horizon_model_column(const struct horizon_model *m, int l);
void horizon_warn(const utfall_horizon_options *opt, utfall_error_code code, const char *fmt, ...)
    UTFALL_PRINTF(3, 4);
const char *horizon_coef_state_key(utfall_coef_state s);
/* The estimate's state in the machine column c_state and the human one after it. */
void horizon_set_state(utfall_table *t, int r, int c_state, const char *state, utfall_lang lang);

/* horizon_adjust.c: the sections adjusted and adjusted_terms */
utfall_status horizon_adjusted_section(struct horizon_run *run);

/* horizon_strata.c: the section mantel_haenszel */
utfall_status horizon_mantel_haenszel_section(struct horizon_run *run);

/* horizon_time.c: time to the first success */
utfall_status horizon_fit_km(struct horizon_run *run);
utfall_status horizon_km_section(struct horizon_run *run);
utfall_status horizon_logrank_section(struct horizon_run *run);
utfall_status horizon_logrank_stratified_section(struct horizon_run *run);
/* The table of a curve (Kaplan–Meier, cumulative incidence) read at the
 * horizons, or at every month with --curve: *months[0..*nm).  Titled, with
 * the group columns; the caller adds its own.  NULL when out of memory. */
utfall_table *horizon_curve_table(const struct horizon_run *run, const char *key,
                                  const char *title_key, const int **months, size_t *nm);

/* horizon_competing.c: the sections cuminc, gray and gray_stratified */
utfall_status horizon_competing_sections(struct horizon_run *run);

/* horizon_cox.c: the sections cox and cox_terms */
utfall_status horizon_cox_section(struct horizon_run *run);

#endif
