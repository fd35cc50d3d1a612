/* The model matrix of --adjust and --cox: the --by group as a factor
 * (reference --ref), the covariates, and the --cluster of each
 * participant. */
#include "analysis/horizon_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const derived_keys[] = {"fil", "inskriven_ar", "inskriven_kvartal",
                                           "aldersgrupp", "status"};

/* Numbers enter the model linearly, everything else as indicators: the
 * canonical numeric fields, and an extra column whose every value given is
 * a number (as R's read.csv would type it). */
static int covariate_is_numeric(const struct covariate *c, char *const *vals, size_t np,
                                size_t nvals, size_t k)
{
    for (size_t i = 0; i < sizeof derived_keys / sizeof derived_keys[0]; i++)
        if (!strcmp(c->name, derived_keys[i]))
            return 0;
    int f = utfall_field_lookup(c->name);
    if (f == UTFALL_F_ALDER || f == UTFALL_F_FODELSEAR || f == UTFALL_F_TIMMAR_FORE
        || f == UTFALL_F_TIMMAR_EFTER)
        return 1;
    if (f >= 0)
        return 0;
    size_t given = 0;
    for (size_t i = 0; i < np; i++) {
        const char *v = vals[i * nvals + k];
        double d;
        if (!*v)
            continue;
        if (utfall_number_parse(v, &d) || !isfinite(d))
            return 0;
        given++;
    }
    return given > 0;
}

void horizon_type_covariates(struct horizon_run *run)
{
    for (size_t k = 0; k < run->ncov; k++)
        run->cv[k].numeric = covariate_is_numeric(&run->cv[k], run->c.cov, run->c.np,
                                                  run->nvals, k);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void horizon_warn(const utfall_horizon_options *opt, utfall_error_code code, const char *fmt, ...)
{
    if (!opt->diag)
        return;
    utfall_error w;
    utfall_error_clear(&w);
    va_list ap;
    va_start(ap, fmt);
    utfall_error_vset(&w, UTFALL_OK, code, fmt, ap);
    va_end(ap);
    w.severity = UTFALL_SEV_WARNING;
    opt->diag(opt->diag_ctx, &w);
}

const char *horizon_coef_state_key(utfall_coef_state s)
{
    switch (s) {
    case UTFALL_COEF_OK:
        return "ok";
    case UTFALL_COEF_ALIASED:
        return "aliased";
    case UTFALL_COEF_INFINITE:
        return "infinite";
    case UTFALL_COEF_UNRELIABLE:
        return "unreliable";
    }
    return "";
}

void horizon_set_state(utfall_table *t, int r, int c_state, const char *state, utfall_lang lang)
{
    char sk[64];
    snprintf(sk, sizeof sk, "estimate.%s", state);
    utfall_table_set_text(t, r, c_state, state);
    utfall_table_set_text(t, r, c_state + 1, utfall_tr(lang, sk));
}

/* Values that are not finite numbers are missing. */
static utfall_status add_numeric_covariate(utfall_design *d, const char *name, char *const *vals,
                                           size_t np, size_t nvals, size_t k,
                                           unsigned char *missing, utfall_error *err)
{
    double *v = malloc((np ? np : 1) * sizeof *v);
    if (!v)
        return horizon_nomem(err);
    for (size_t i = 0; i < np; i++) {
        const char *s = vals[i * nvals + k];
        if (!*s || utfall_number_parse(s, &v[i]) || !isfinite(v[i])) {
            v[i] = NAN;
            missing[i] = 1;
        }
    }
    utfall_status rc = utfall_design_add_numeric(d, name, v, err);
    free(v);
    return rc;
}

/* The distinct values given of value k, sorted in byte order, into
 * sorted[0..*u); level[i] the participant's index among them, or −1 (and
 * missing[i] set) when it has none. */
static int distinct_values(char *const *vals, size_t np, size_t nvals, size_t k,
                           const char **sorted, size_t *u, long *level, unsigned char *missing)
{
    size_t nl = 0;
    for (size_t i = 0; i < np; i++)
        if (*vals[i * nvals + k])
            sorted[nl++] = vals[i * nvals + k];
    qsort(sorted, nl, sizeof *sorted, cmp_str);
    *u = 0;
    for (size_t i = 0; i < nl; i++)
        if (!*u || strcmp(sorted[*u - 1], sorted[i]))
            sorted[(*u)++] = sorted[i];
    for (size_t i = 0; i < np; i++) {
        const char *s = vals[i * nvals + k];
        const char **hit = *s ? bsearch(&s, sorted, *u, sizeof *sorted, cmp_str) : NULL;
        level[i] = hit ? (long)(hit - sorted) : -1;
        if (!hit)
            missing[i] = 1;
    }
    return nl > 0;
}

/* Adds a factor (levels: the distinct values given, in byte order; the
 * first is the reference, as R's factor() in the C locale) or a numeric
 * column for covariate k; *missing[i] is set for rows without a value. */
static utfall_status add_covariate(utfall_design *d, const struct covariate *c, char *const *vals,
                                   size_t np, size_t nvals, size_t k, unsigned char *missing,
                                   utfall_error *err)
{
    if (c->numeric)
        return add_numeric_covariate(d, c->name, vals, np, nvals, k, missing, err);
    const char **sorted = malloc((np ? np : 1) * sizeof *sorted);
    long *lv = malloc((np ? np : 1) * sizeof *lv);
    int *level = malloc((np ? np : 1) * sizeof *level);
    utfall_status rc;
    size_t u;
    if (!sorted || !lv || !level)
        rc = horizon_nomem(err);
    else if (!distinct_values(vals, np, nvals, k, sorted, &u, lv, missing))
        /* no value at all: every row is missing, and the fit says so */
        rc = add_numeric_covariate(d, c->name, vals, np, nvals, k, missing, err);
    else {
        for (size_t i = 0; i < np; i++)
            level[i] = (int)lv[i];
        rc = utfall_design_add_factor(d, c->name, level, (int)u, 0, sorted, NULL, err);
    }
    free(sorted);
    free(lv);
    free(level);
    return rc;
}

void horizon_model_free(struct horizon_model *m)
{
    utfall_design_free(m->d);
    free(m->lev);
    free(m->level_of_group);
    free(m->level);
    free(m->missing);
    free(m->cluster);
}

/* The --by levels in display order; "not stated" is missing, not a level. */
static utfall_status model_levels(const struct horizon_run *run, struct horizon_model *m)
{
    for (size_t k = 0; k < run->ng; k++) {
        const char *v = utfall_grouper_value(run->g, run->order[k], 0);
        int l = -1;
        for (int j = 0; j < m->nlev && l < 0; j++)
            if (!strcmp(m->lev[j], v))
                l = j;
        if (l < 0 && *v) {
            l = m->nlev;
            m->lev[m->nlev++] = v;
        }
        m->level_of_group[run->order[k]] = l;
    }
    m->ref = -1;
    for (int j = 0; j < m->nlev; j++)
        if (!strcmp(m->lev[j], run->opt->ref))
            m->ref = j;
    return m->ref < 0 ? horizon_unknown_ref(run) : UTFALL_OK;
}

/* Each participant's cluster: the distinct --cluster values in byte
 * order; a participant without one is left out of the model. */
static utfall_status model_clusters(const struct horizon_run *run, struct horizon_model *m)
{
    const struct cohort *c = &run->c;
    const char **sorted = malloc((c->np ? c->np : 1) * sizeof *sorted);
    if (!sorted)
        return horizon_nomem(run->err);
    distinct_values(c->cov, c->np, run->nvals, run->ncov, sorted, &m->nclusters, m->cluster,
                    m->missing);
    free(sorted);
    return UTFALL_OK;
}

utfall_status horizon_model_build(const struct horizon_run *run, struct horizon_model *m,
                                  int intercept, int with_cluster)
{
    const struct cohort *c = &run->c;
    size_t ng = run->ng ? run->ng : 1, np = c->np ? c->np : 1;
    m->lev = malloc(ng * sizeof *m->lev);
    m->level_of_group = malloc(ng * sizeof *m->level_of_group);
    m->level = malloc(np * sizeof *m->level);
    m->missing = calloc(np, 1);
    m->cluster = malloc(np * sizeof *m->cluster);
    if (!m->lev || !m->level_of_group || !m->level || !m->missing || !m->cluster)
        return horizon_nomem(run->err);
    utfall_status st = model_levels(run, m);
    if (st)
        return st;
    for (size_t i = 0; i < c->np; i++) {
        m->level[i] = (int)m->level_of_group[c->p[i].group];
        m->missing[i] = m->level[i] < 0;
        m->cluster[i] = -1;
    }
    if (with_cluster && run->opt->cluster && (st = model_clusters(run, m)))
        return st;
    m->first_col = intercept ? 1 : 0;
    st = utfall_design_new(c->np, intercept, &m->d, run->err);
    if (!st)
        st = utfall_design_add_factor(m->d, utfall_grouper_key_name(run->g, 0), m->level,
                                      m->nlev, m->ref, m->lev, &m->term, run->err);
    for (size_t k = 0; k < run->ncov && !st; k++)
        st = add_covariate(m->d, &run->cv[k], c->cov, c->np, run->nvals, k, m->missing,
                           run->err);
    return st;
}

size_t horizon_model_column(const struct horizon_model *m, int l)
{
    return m->first_col + (size_t)(l < m->ref ? l : l - 1);
}
