#include "utfall/horizon.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/goal.h"
#include "utfall/group.h"
#include "utfall/logistic.h"
#include "utfall/pnr.h"
#include "utfall/summary.h"
#include "utfall/survival.h"
#include "core/internal.h"

void utfall_horizon_options_init(utfall_horizon_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->followed_until = UTFALL_DATE_NONE;
    opt->months[0] = 15;
    opt->nmonths = 1;
    opt->by = "insats";
    opt->success = (1u << UTFALL_OUTCOME_ARBETE) | (1u << UTFALL_OUTCOME_ARBETE_MED_STOD);
    opt->level = UTFALL_STATS_DEFAULT_LEVEL;
}

utfall_status utfall_horizon_parse_months(const char *list, utfall_horizon_options *opt,
                                          utfall_error *err)
{
    char items[UTFALL_HORIZON_MAX_MONTHS + 1][128];
    size_t n = utfall_split_list(list, items, UTFALL_HORIZON_MAX_MONTHS + 1);
    if (n == 0 || n > UTFALL_HORIZON_MAX_MONTHS)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_MONTHS,
                                "--months takes 1 to %d whole numbers such as 6,12,15",
                                UTFALL_HORIZON_MAX_MONTHS);
    for (size_t i = 0; i < n; i++) {
        char *end;
        long m = strtol(items[i], &end, 10);
        if (*end || end == items[i] || m < 0 || m > 600)
            return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_MONTHS,
                                    "--months: '%s' is not a number of months from 0 to 600",
                                    items[i]);
        opt->months[i] = (int)m;
    }
    opt->nmonths = n;
    return UTFALL_OK;
}

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

struct state {
    struct participant *p;
    size_t np, pcap;
    size_t *slots; /* id hash → participant index + 1 */
    size_t nslots;
    struct spell *s;
    size_t ns, scap;
    size_t *first; /* spells of participant i: s[first[i] .. first[i+1]) */
    long spells_read, spells_used, spells_rejected;
    char **cov;    /* --adjust: participant i's value of covariate k at cov[i * ncov + k] */
    size_t ncov;
};

static long find_participant(const struct state *st, uint64_t id)
{
    if (!st->nslots)
        return -1;
    size_t j = id & (st->nslots - 1);
    while (st->slots[j]) {
        if (st->p[st->slots[j] - 1].id == id)
            return (long)st->slots[j] - 1;
        j = (j + 1) & (st->nslots - 1);
    }
    return -1;
}

static int index_participants(struct state *st)
{
    size_t n = 16;
    while (n < st->np * 2 + 2)
        n *= 2;
    st->slots = calloc(n, sizeof *st->slots);
    if (!st->slots)
        return -1;
    st->nslots = n;
    for (size_t i = 0; i < st->np; i++) {
        size_t j = st->p[i].id & (n - 1);
        while (st->slots[j])
            j = (j + 1) & (n - 1);
        st->slots[j] = i + 1;
    }
    return 0;
}

enum { SP_ID, SP_STATUS, SP_FROM, SP_TO, SP_COUNT };

static int spell_column(const char *header)
{
    static const struct {
        const char *name;
        int col;
    } names[] = {{"status", SP_STATUS}, {"sysselsattning", SP_STATUS}, {"utfall", SP_STATUS},
                 {"outcome", SP_STATUS}, {"fran", SP_FROM}, {"from", SP_FROM},
                 {"start", SP_FROM}, {"startdatum", SP_FROM}, {"fran_datum", SP_FROM},
                 {"till", SP_TO}, {"to", SP_TO}, {"slut", SP_TO}, {"slutdatum", SP_TO},
                 {"till_datum", SP_TO}, {"end", SP_TO}};
    char f[128];
    utfall_fold(header, f, sizeof f);
    if (utfall_field_lookup(header) == UTFALL_F_ID)
        return SP_ID;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(names[i].name, f))
            return names[i].col;
    return -1;
}

static int cmp_spell(const void *a, const void *b)
{
    const struct spell *x = a, *y = b;
    if (x->who != y->who)
        return x->who < y->who ? -1 : 1;
    return x->from < y->from ? -1 : x->from > y->from;
}

static utfall_status read_spells(struct state *st, const utfall_horizon_options *opt,
                                 utfall_error *err)
{
    utfall_csv_reader *r;
    utfall_status rc = utfall_csv_open(&r, opt->spells_path, &opt->spells_csv, err);
    if (rc)
        return rc;
    long col[SP_COUNT] = {-1, -1, -1, -1};
    const char *names[SP_COUNT] = {"id", "status", "fran", "till"};
    char headers[SP_COUNT][128];
    utfall_csv_record rec;
    int got;
    while ((got = utfall_csv_next(r, &rec, err)) != 0) {
        if (got == -1) {
            utfall_csv_close(r);
            return err->status;
        }
        if (rec.record == 1) {
            for (size_t i = 0; i < rec.nfields; i++) {
                int c = spell_column(rec.fields[i]);
                if (c >= 0 && col[c] < 0) {
                    col[c] = (long)i;
                    snprintf(headers[c], sizeof headers[c], "%s", rec.fields[i]);
                }
            }
            for (int c = 0; c < SP_COUNT; c++)
                if (col[c] < 0) {
                    utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_MISSING_COLUMN,
                                     "required column '%s' is missing (a spells file has id, "
                                     "status, fran, till)", names[c]);
                    utfall_error_locate(err, utfall_csv_name(r), rec.line, 0, NULL);
                    utfall_csv_close(r);
                    return UTFALL_ERR_DATA;
                }
            continue;
        }
        st->spells_read++;
        utfall_status bad = UTFALL_OK;
        const char *badcol = NULL;
        struct spell sp;
        long who = -1;
        if (got == -2) {
            bad = err->status;
            if (utfall_pnr_find(rec.raw, rec.raw_len, NULL, NULL)) {
                /* a malformed spell is never passed over with a number in it */
                utfall_pnr_refuse(err, utfall_csv_name(r), rec.line, NULL);
                utfall_csv_close(r);
                return UTFALL_ERR_PRIVACY;
            }
        } else {
            for (size_t i = 0; i < rec.nfields && !bad; i++)
                if (rec.lengths[i] >= 10 && utfall_pnr_find(rec.fields[i], rec.lengths[i], NULL, NULL)) {
                    utfall_pnr_refuse(err, utfall_csv_name(r), rec.line, NULL);
                    utfall_csv_close(r);
                    return UTFALL_ERR_PRIVACY;
                }
            const char *id = rec.fields[col[SP_ID]], *status = rec.fields[col[SP_STATUS]];
            const char *from = rec.fields[col[SP_FROM]], *to = rec.fields[col[SP_TO]];
            int rcd;
            who = find_participant(st, utfall_hash_str(0, id));
            if (who < 0) {
                badcol = headers[SP_ID];
                bad = utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_UNKNOWN_ID,
                                       "'%s' is not a participant in the extract", id);
            } else if (utfall_outcome_parse(status, &sp.status)) {
                badcol = headers[SP_STATUS];
                bad = utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_UNKNOWN_STATUS,
                                       "unknown status '%s' (accepted: the outcome vocabulary: "
                                       "arbete, arbete_med_stod, studier, arbetssokande, praktik, "
                                       "annan_insats, vard, foraldraledighet, flytt, "
                                       "ej_kontaktbar, avbrott, annat)", status);
            } else if ((rcd = utfall_date_parse(from, &sp.from)) != 0) {
                badcol = headers[SP_FROM];
                bad = utfall_error_set(err, UTFALL_ERR_DATA, rcd == -2 ? UTFALL_EC_IMPOSSIBLE_DATE : UTFALL_EC_BAD_DATE,
                                       "'%s' is not a valid date (accepted: 2014-06-30 or 20140630)",
                                       from);
            } else if (!*to) {
                sp.to = UTFALL_DATE_NONE;
            } else if ((rcd = utfall_date_parse(to, &sp.to)) != 0) {
                badcol = headers[SP_TO];
                bad = utfall_error_set(err, UTFALL_ERR_DATA, rcd == -2 ? UTFALL_EC_IMPOSSIBLE_DATE : UTFALL_EC_BAD_DATE,
                                       "'%s' is not a valid date (accepted: 2014-06-30 or 20140630)",
                                       to);
            } else if (sp.to < sp.from) {
                badcol = headers[SP_TO];
                bad = utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_TILL_BEFORE_FRAN,
                                       "the spell ends (%s) before it starts (%s)", to, from);
            }
            if (bad)
                utfall_error_locate(err, utfall_csv_name(r), rec.line, 0, badcol);
        }
        if (bad) {
            if (!opt->skip_bad) {
                utfall_csv_close(r);
                return bad;
            }
            st->spells_rejected++;
            if (opt->diag)
                opt->diag(opt->diag_ctx, err);
            utfall_error_clear(err);
            continue;
        }
        sp.who = (size_t)who;
        if (st->ns == st->scap) {
            size_t ncap = st->scap ? st->scap * 2 : 1024;
            struct spell *n = realloc(st->s, ncap * sizeof *n);
            if (!n) {
                utfall_csv_close(r);
                return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
            }
            st->s = n;
            st->scap = ncap;
        }
        st->s[st->ns++] = sp;
        st->spells_used++;
    }
    utfall_csv_close(r);
    if (st->ns)
        qsort(st->s, st->ns, sizeof *st->s, cmp_spell);
    st->first = calloc(st->np + 1, sizeof *st->first);
    if (!st->first)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    for (size_t i = 0; i < st->ns; i++)
        st->first[st->s[i].who + 1]++;
    for (size_t i = 0; i < st->np; i++)
        st->first[i + 1] += st->first[i];
    return UTFALL_OK;
}

/* Success at a date: any spell covering it has a success status. */
static int success_at(const struct state *st, size_t who, utfall_date date, unsigned success)
{
    for (size_t k = st->first[who]; k < st->first[who + 1]; k++) {
        const struct spell *sp = &st->s[k];
        if (sp->from > date)
            break; /* sorted by start */
        if ((sp->to == UTFALL_DATE_NONE || sp->to >= date) && ((success >> sp->status) & 1))
            return 1;
    }
    return 0;
}

struct cell {
    long n, censored, reached;
};

static void add_group_columns(utfall_table *t, utfall_grouper *g, utfall_lang lang)
{
    for (size_t k = 0; k < utfall_grouper_nkeys(g); k++) {
        const char *key = utfall_grouper_key_name(g, k);
        utfall_table_add_group_column(t, key, lang);
    }
}

static void set_group(utfall_table *t, int r, utfall_grouper *g, size_t gi, size_t from, size_t to)
{
    for (size_t k = from; k < to; k++)
        utfall_table_set_text(t, r, (int)k, utfall_grouper_value(g, gi, k));
}

static utfall_status share_rows(utfall_table *t, utfall_grouper *g, const size_t *order,
                                size_t ng, const struct cell *cells, const int *months,
                                size_t nm, const utfall_horizon_options *opt, utfall_error *err)
{
    size_t nk = utfall_grouper_nkeys(g);
    int c_month = utfall_table_column_index(t, "month");
    for (size_t k = 0; k < ng; k++)
        for (size_t m = 0; m < nm; m++) {
            const struct cell *c = &cells[order[k] * nm + m];
            int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
            set_group(t, r, g, order[k], 0, nk);
            utfall_table_set_num(t, r, c_month, months[m]);
            utfall_table_set_num(t, r, c_month + 1, (double)c->n);
            utfall_table_set_num(t, r, c_month + 2, (double)c->censored);
            utfall_table_set_num(t, r, c_month + 3, (double)c->reached);
            utfall_interval iv;
            utfall_status s = utfall_prop_ci(c->reached, c->n, opt->level, UTFALL_PROP_CI_WILSON, &iv, err);
            if (s)
                return s;
            utfall_table_set_num(t, r, c_month + 4, iv.estimate);
            utfall_table_set_num(t, r, c_month + 5, iv.lower);
            utfall_table_set_num(t, r, c_month + 6, iv.upper);
        }
    return UTFALL_OK;
}

static utfall_table *share_table(const char *key, const char *title, utfall_grouper *g, utfall_lang lang)
{
    utfall_table *t = utfall_table_new(key, UTFALL_TABLE_ROWS);
    if (!t)
        return NULL;
    utfall_table_set_title(t, title);
    add_group_columns(t, g, lang);
    utfall_table_add_column(t, "month", "col.month", UTFALL_COL_COUNT, 0);
    utfall_table_add_column(t, "n", "col.observed", UTFALL_COL_COUNT, 0);
    utfall_table_add_column(t, "censored", "col.censored", UTFALL_COL_COUNT, 0);
    utfall_table_add_column(t, "reached", "col.in_success", UTFALL_COL_COUNT, 0);
    utfall_table_add_column(t, "share", "col.share", UTFALL_COL_SHARE, 1);
    utfall_table_add_column(t, "ci_low", "col.ci_low", UTFALL_COL_SHARE, 1);
    utfall_table_add_column(t, "ci_high", "col.ci_high", UTFALL_COL_SHARE, 1);
    int c_month = utfall_table_column_index(t, "month");
    utfall_table_column_not_suppressible(t, c_month);
    for (int k = 4; k <= 6; k++) {
        utfall_table_column_depends(t, c_month + k, c_month + 1);
        utfall_table_column_depends(t, c_month + k, c_month + 3);
    }
    return t;
}

/* Groups g and h belong to the same stratum when their strata keys agree. */
static int same_stratum(utfall_grouper *g, size_t a, size_t b, size_t nby)
{
    for (size_t k = nby; k < utfall_grouper_nkeys(g); k++)
        if (strcmp(utfall_grouper_value(g, a, k), utfall_grouper_value(g, b, k)))
            return 0;
    return 1;
}

/* ------------------------------------------------------------ --adjust */

#define MAX_COVARIATES 8

struct covariate {
    utfall_colref *ref;
    const char *name; /* canonical name (the colref's) */
    int numeric;
};

static const char *const derived_keys[] = {"fil", "inskriven_ar", "inskriven_kvartal",
                                           "aldersgrupp", "status"};

/* Numbers enter the model linearly, everything else as indicators: the
 * canonical numeric fields, and an extra column whose every value given is
 * a number (as R's read.csv would type it). */
static int covariate_is_numeric(const struct covariate *c, char *const *vals, size_t np,
                                size_t ncov, size_t k)
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
        const char *v = vals[i * ncov + k];
        double d;
        if (!*v)
            continue;
        if (utfall_number_parse(v, &d) || !isfinite(d))
            return 0;
        given++;
    }
    return given > 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void adjust_warn(const utfall_horizon_options *opt, utfall_error_code code, const char *fmt, ...)
    UTFALL_PRINTF(3, 4);
static void adjust_warn(const utfall_horizon_options *opt, utfall_error_code code, const char *fmt, ...)
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

static const char *coef_state_key(utfall_coef_state s)
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

/* Adds a factor (levels: the distinct values given, in byte order; the
 * first is the reference, as R's factor() in the C locale) or a numeric
 * column for covariate k; *missing[i] is set for rows without a value. */
static utfall_status add_covariate(utfall_design *d, const struct covariate *c, char *const *vals,
                                   size_t np, size_t ncov, size_t k, unsigned char *missing,
                                   utfall_error *err)
{
    utfall_status rc = UTFALL_OK;
    if (c->numeric) {
        double *v = malloc((np ? np : 1) * sizeof *v);
        if (!v)
            return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
        for (size_t i = 0; i < np; i++) {
            const char *s = vals[i * ncov + k];
            if (!*s || utfall_number_parse(s, &v[i]) || !isfinite(v[i])) {
                v[i] = NAN;
                missing[i] = 1;
            }
        }
        rc = utfall_design_add_numeric(d, c->name, v, err);
        free(v);
        return rc;
    }
    const char **sorted = malloc((np ? np : 1) * sizeof *sorted);
    int *level = malloc((np ? np : 1) * sizeof *level);
    if (!sorted || !level) {
        free(sorted);
        free(level);
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    }
    size_t nl = 0;
    for (size_t i = 0; i < np; i++)
        if (*vals[i * ncov + k])
            sorted[nl++] = vals[i * ncov + k];
    qsort(sorted, nl, sizeof *sorted, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < nl; i++)
        if (!u || strcmp(sorted[u - 1], sorted[i]))
            sorted[u++] = sorted[i];
    for (size_t i = 0; i < np; i++) {
        const char *s = vals[i * ncov + k];
        const char **hit = *s ? bsearch(&s, sorted, u, sizeof *sorted, cmp_str) : NULL;
        level[i] = hit ? (int)(hit - sorted) : -1;
        if (!hit)
            missing[i] = 1;
    }
    if (u == 0) {
        /* no value at all: every row is missing, and the fit says so */
        double *v = malloc((np ? np : 1) * sizeof *v);
        if (!v)
            rc = utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
        else {
            for (size_t i = 0; i < np; i++)
                v[i] = NAN;
            rc = utfall_design_add_numeric(d, c->name, v, err);
        }
        free(v);
    } else {
        rc = utfall_design_add_factor(d, c->name, level, (int)u, 0, sorted, NULL, err);
    }
    free(sorted);
    free(level);
    return rc;
}

/* One logistic regression per horizon of success on the --by group
 * (reference --ref) and the covariates, over the participants observed at
 * that month with every value given; section "adjusted". */
static utfall_status adjusted_section(const struct state *st, utfall_grouper *g,
                                      const size_t *order, size_t ng, struct covariate *cv,
                                      size_t ncov, const utfall_horizon_options *opt,
                                      utfall_doc *doc, utfall_error *err)
{
    utfall_lang lang = opt->lang;
    utfall_status rc = UTFALL_OK;
    size_t np = st->np;
    const char **lev = malloc((ng ? ng : 1) * sizeof *lev);
    long *glev_of_group = malloc((ng ? ng : 1) * sizeof *glev_of_group);
    int *glev = malloc((np ? np : 1) * sizeof *glev);
    unsigned char *missing = calloc(np ? np : 1, 1);
    double *y = malloc((np ? np : 1) * sizeof *y);
    utfall_logit_std *std = calloc(ng ? ng : 1, sizeof *std);
    utfall_design *d = NULL;
    utfall_logit_fit *fit = NULL;
    utfall_table *t = NULL, *tt = NULL;
    if (!lev || !glev_of_group || !glev || !missing || !y || !std)
        goto nomem;

    /* the --by levels in display order; "not stated" is missing, not a level */
    int nlev = 0, ref = -1;
    for (size_t k = 0; k < ng; k++) {
        const char *v = utfall_grouper_value(g, order[k], 0);
        int l = -1;
        for (int j = 0; j < nlev && l < 0; j++)
            if (!strcmp(lev[j], v))
                l = j;
        if (l < 0 && *v) {
            l = nlev;
            lev[nlev++] = v;
        }
        glev_of_group[order[k]] = l;
    }
    for (int j = 0; j < nlev; j++)
        if (!strcmp(lev[j], opt->ref))
            ref = j;
    if (ref < 0) {
        rc = utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_UNKNOWN_REF,
                              "--ref %s: no participant has %s = %s", opt->ref,
                              utfall_grouper_key_name(g, 0), opt->ref);
        goto done;
    }
    for (size_t i = 0; i < np; i++) {
        glev[i] = (int)glev_of_group[st->p[i].group];
        missing[i] = glev[i] < 0;
    }
    int term;
    if ((rc = utfall_design_new(np, 1, &d, err))
        || (rc = utfall_design_add_factor(d, utfall_grouper_key_name(g, 0), glev, nlev, ref, lev,
                                          &term, err)))
        goto done;
    for (size_t k = 0; k < ncov; k++)
        if ((rc = add_covariate(d, &cv[k], st->cov, np, ncov, k, missing, err)))
            goto done;

    char title[256], note[1024], a[64], b[160];
    if (!(t = utfall_table_new("adjusted", UTFALL_TABLE_ROWS)))
        goto nomem;
    snprintf(title, sizeof title, utfall_tr(lang, "title.adjusted"), opt->ref);
    utfall_table_set_title(t, title);
    const char *byname = utfall_grouper_key_name(g, 0);
    int c_group = utfall_table_add_group_column(t, byname, lang);
    int c_ref = utfall_table_add_column(t, "ref", "col.ref", UTFALL_COL_TEXT, 0);
    int c_month = utfall_table_add_column(t, "month", "col.month", UTFALL_COL_COUNT, 0);
    utfall_table_column_not_suppressible(t, c_month);
    int c_or = utfall_table_add_column(t, "odds_ratio", "col.odds_ratio", UTFALL_COL_NUMBER, 2);
    int c_orl = utfall_table_add_column(t, "or_ci_low", "col.ci_low", UTFALL_COL_NUMBER, 2);
    int c_orh = utfall_table_add_column(t, "or_ci_high", "col.ci_high", UTFALL_COL_NUMBER, 2);
    int c_p = utfall_table_add_column(t, "p_value", "col.p_value", UTFALL_COL_PVALUE, 3);
    int c_ad = utfall_table_add_column(t, "adjusted_diff", "col.adjusted_diff", UTFALL_COL_PP, 1);
    int c_adl = utfall_table_add_column(t, "adjusted_diff_ci_low", "col.ci_low", UTFALL_COL_PP, 1);
    int c_adh = utfall_table_add_column(t, "adjusted_diff_ci_high", "col.ci_high", UTFALL_COL_PP, 1);
    int c_n = utfall_table_add_column(t, "n", "col.used", UTFALL_COL_COUNT, 0);
    int c_cens = utfall_table_add_column(t, "censored", "col.censored", UTFALL_COL_COUNT, 0);
    int c_miss = utfall_table_add_column(t, "missing", "col.missing", UTFALL_COL_COUNT, 0);
    int c_conv = utfall_table_add_column(t, "converged", "col.converged", UTFALL_COL_BOOL, 0);
    int c_state = utfall_table_add_column(t, "estimate", "col.estimate", UTFALL_COL_TEXT, 0);
    utfall_table_column_machine_only(t, c_state);
    int c_state_h = utfall_table_add_column(t, "estimate", "col.estimate", UTFALL_COL_TEXT, 0);
    utfall_table_column_human_only(t, c_state_h);
    utfall_table_column_not_suppressible(t, c_conv);
    for (int c = c_or; c <= c_adh; c++)
        utfall_table_column_depends(t, c, c_n);
    (void)c_group;

    /* every term of each model, as summary(glm) lists them */
    if (!(tt = utfall_table_new("adjusted_terms", UTFALL_TABLE_ROWS)))
        goto nomem;
    utfall_table_set_title(tt, utfall_tr(lang, "title.adjusted_terms"));
    int t_month = utfall_table_add_column(tt, "month", "col.month", UTFALL_COL_COUNT, 0);
    utfall_table_column_not_suppressible(tt, t_month);
    int t_term = utfall_table_add_column(tt, "term", "col.term", UTFALL_COL_TEXT, 0);
    int t_or = utfall_table_add_column(tt, "odds_ratio", "col.odds_ratio", UTFALL_COL_NUMBER, 2);
    int t_orl = utfall_table_add_column(tt, "or_ci_low", "col.ci_low", UTFALL_COL_NUMBER, 2);
    int t_orh = utfall_table_add_column(tt, "or_ci_high", "col.ci_high", UTFALL_COL_NUMBER, 2);
    int t_p = utfall_table_add_column(tt, "p_value", "col.p_value", UTFALL_COL_PVALUE, 3);
    int t_state = utfall_table_add_column(tt, "estimate", "col.estimate", UTFALL_COL_TEXT, 0);
    utfall_table_column_machine_only(tt, t_state);
    int t_state_h = utfall_table_add_column(tt, "estimate", "col.estimate", UTFALL_COL_TEXT, 0);
    utfall_table_column_human_only(tt, t_state_h);
    utfall_table_set_no_suppress(tt); /* model estimates, no counts of persons */

    int any_trouble = 0;
    for (size_t m = 0; m < opt->nmonths; m++) {
        long censored = 0, miss = 0;
        for (size_t i = 0; i < np; i++) {
            const struct participant *p = &st->p[i];
            utfall_date at = utfall_date_add_months(p->start, opt->months[m]);
            if (at > p->end) {
                censored++;
                y[i] = NAN;
            } else {
                miss += missing[i];
                y[i] = success_at(st, i, at, opt->success);
            }
        }
        utfall_logit_free(fit);
        fit = NULL;
        utfall_status fs = utfall_logit_fit_design(d, y, opt->level, &fit, err);
        if (fs == UTFALL_ERR_NOMEM)
            goto nomem;
        if (fs) {
            /* no participant observed with every value: no fit to report */
            adjust_warn(opt, UTFALL_EC_ADJUST_NO_ROWS,
                        "--adjust: no fit at month %d: %s", opt->months[m], err->text);
            utfall_error_clear(err);
            utfall_logit_free(fit);
            fit = NULL;
            any_trouble = 1;
        } else if ((rc = utfall_logit_standardize(fit, d, term, std, err))) {
            goto done;
        }
        int converged = fit && fit->converged && !fit->separation;
        if (fit && !converged) {
            any_trouble = 1;
            adjust_warn(opt, UTFALL_EC_ADJUST_SEPARATION,
                        "--adjust: the fit at month %d %s; the estimates affected are not "
                        "given (see the column estimate)",
                        opt->months[m],
                        !fit->converged && !fit->separation
                            ? "did not converge in 25 iterations"
                            : "has perfect separation: a group or covariate predicts the "
                              "outcome exactly, so some odds ratios are 0 or infinite");
        }
        if (fit && fit->n_aliased) {
            size_t p = utfall_design_cols(d);
            for (size_t j = 0; j < p; j++)
                if (fit->coef[j].state == UTFALL_COEF_ALIASED)
                    adjust_warn(opt, UTFALL_EC_ADJUST_ALIASED,
                                "--adjust: at month %d the model column '%s' is a linear "
                                "combination of the others (or has no rows) and is left out",
                                opt->months[m], utfall_design_column_name(d, j));
        }
        for (size_t j = 0; fit && j < utfall_design_cols(d); j++) {
            const utfall_logit_coef *co = &fit->coef[j];
            int ok = co->state == UTFALL_COEF_OK && isfinite(co->se) && co->or_low > 0
                     && isfinite(co->or_high);
            const char *state = co->state == UTFALL_COEF_OK && !ok
                                    ? coef_state_key(UTFALL_COEF_UNRELIABLE)
                                    : coef_state_key(co->state);
            char sk[64];
            snprintf(sk, sizeof sk, "estimate.%s", state);
            int r = utfall_table_add_row(tt, UTFALL_ROW_GROUP);
            if (r < 0)
                goto nomem;
            utfall_table_set_num(tt, r, t_month, opt->months[m]);
            utfall_table_set_text(tt, r, t_term, utfall_design_column_name(d, j));
            utfall_table_set_num(tt, r, t_or, ok ? co->odds_ratio : NAN);
            utfall_table_set_num(tt, r, t_orl, ok ? co->or_low : NAN);
            utfall_table_set_num(tt, r, t_orh, ok ? co->or_high : NAN);
            utfall_table_set_num(tt, r, t_p, ok ? co->p_value : NAN);
            utfall_table_set_text(tt, r, t_state, state);
            utfall_table_set_text(tt, r, t_state_h, utfall_tr(lang, sk));
        }
        for (int l = 0; l < nlev; l++) {
            if (l == ref)
                continue;
            int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
            if (r < 0)
                goto nomem;
            utfall_table_set_text(t, r, c_group, lev[l]);
            utfall_table_set_text(t, r, c_ref, opt->ref);
            utfall_table_set_num(t, r, c_month, opt->months[m]);
            utfall_table_set_num(t, r, c_n, fit ? (double)fit->n_used : 0);
            utfall_table_set_num(t, r, c_cens, (double)censored);
            utfall_table_set_num(t, r, c_miss, (double)miss);
            utfall_table_set_num(t, r, c_conv, converged);
            const utfall_logit_coef *co = NULL;
            if (fit)
                co = &fit->coef[1 + (size_t)(l < ref ? l : l - 1)];
            /* an OK coefficient left with no information (the rows that an
             * infinite one sets aside were all there was) has no interval */
            int ok = co && co->state == UTFALL_COEF_OK && isfinite(co->se) && co->or_low > 0
                     && isfinite(co->or_high);
            utfall_table_set_num(t, r, c_or, ok ? co->odds_ratio : NAN);
            utfall_table_set_num(t, r, c_orl, ok ? co->or_low : NAN);
            utfall_table_set_num(t, r, c_orh, ok ? co->or_high : NAN);
            utfall_table_set_num(t, r, c_p, ok ? co->p_value : NAN);
            const char *state = !co ? "none"
                                : co->state == UTFALL_COEF_OK && !ok
                                    ? coef_state_key(UTFALL_COEF_UNRELIABLE)
                                    : coef_state_key(co->state);
            char sk[64];
            snprintf(sk, sizeof sk, "estimate.%s", state);
            utfall_table_set_text(t, r, c_state, state);
            utfall_table_set_text(t, r, c_state_h, utfall_tr(lang, sk));
            int est = fit && std[l].estimable;
            int se_est = est && std[l].se_estimable;
            utfall_table_set_num(t, r, c_ad, est ? std[l].diff : NAN);
            utfall_table_set_num(t, r, c_adl, se_est ? std[l].low : NAN);
            utfall_table_set_num(t, r, c_adh, se_est ? std[l].high : NAN);
        }
    }

    /* the definition under the table */
    char covs[512] = "";
    for (size_t k = 0; k < ncov; k++) {
        size_t len = strlen(covs);
        snprintf(covs + len, sizeof covs - len, "%s%s (%s)", k ? ", " : "", cv[k].name,
                 utfall_tr(lang, cv[k].numeric ? "adjust.numeric" : "adjust.categorical"));
    }
    snprintf(note, sizeof note, utfall_tr(lang, "note.adjusted.model"), byname, opt->ref, covs);
    utfall_table_add_note(t, note);
    utfall_fmt_percent(lang, opt->level, 0, a, sizeof a);
    snprintf(b, sizeof b, "%s", a);
    snprintf(note, sizeof note, utfall_tr(lang, "note.adjusted.or"), b);
    utfall_table_add_note(t, note);
    utfall_table_add_note(t, utfall_tr(lang, "note.adjusted.std"));
    utfall_table_add_note(t, utfall_tr(lang, "note.adjusted.excluded"));
    if (any_trouble)
        utfall_table_add_note(t, utfall_tr(lang, "note.adjusted.separation"));
    utfall_doc_add(doc, t);
    t = NULL;
    utfall_table_add_note(tt, utfall_tr(lang, "note.adjusted_terms"));
    utfall_doc_add(doc, tt);
    tt = NULL;
    goto done;
nomem:
    rc = utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
done:
    utfall_table_free(t);
    utfall_table_free(tt);
    utfall_logit_free(fit);
    utfall_design_free(d);
    free(lev);
    free(glev_of_group);
    free(glev);
    free(missing);
    free(y);
    free(std);
    return rc;
}

utfall_status utfall_horizon_compute(utfall_extract *x, const utfall_horizon_options *opt,
                                     utfall_doc *doc, utfall_error *err)
{
    utfall_lang lang = opt->lang;
    if (!opt->spells_path)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_NO_SPELLS,
                                "--spells FILE is required (one row per status spell)");
    char keys[512];
    snprintf(keys, sizeof keys, "%s%s%s", opt->by ? opt->by : "insats",
             opt->strata && *opt->strata ? "," : "", opt->strata ? opt->strata : "");
    char byitems[8][128];
    size_t nby = utfall_split_list(opt->by ? opt->by : "insats", byitems, 8);
    if (opt->ref && nby != 1)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_REF_NEEDS_ONE_BY,
                                "--ref compares values of one --by column; give one");
    if (opt->adjust && !opt->ref)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_ADJUST_NEEDS_REF,
                                "--adjust needs --ref VALUE: the reference group of the odds "
                                "ratios, e.g. --ref FS");
    utfall_grouper *g = NULL;
    utfall_status rc = utfall_grouper_new(x, keys, &g, err);
    if (rc)
        return rc;
    struct state st;
    memset(&st, 0, sizeof st);
    struct cell *cells = NULL, *curve = NULL;
    double *km_time = NULL;
    int *km_event = NULL, *km_group = NULL;
    utfall_km *km = NULL;
    struct covariate cv[MAX_COVARIATES];
    size_t ncov = 0;
    utfall_hashset *seen = utfall_hashset_new();
    if (!seen)
        goto nomem;
    if (opt->adjust) {
        char items[MAX_COVARIATES + 1][128];
        size_t n = utfall_split_list(opt->adjust, items, MAX_COVARIATES + 1);
        if (n == 0 || n > MAX_COVARIATES) {
            rc = utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ADJUST,
                                  "--adjust takes 1 to %d column names such as kon,alder",
                                  MAX_COVARIATES);
            goto done;
        }
        for (size_t k = 0; k < n; k++) {
            utfall_colref *ref;
            if (utfall_colref_new(x, items[k], &ref, err)) {
                if (err->status == UTFALL_ERR_USAGE)
                    utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_UNKNOWN_COLUMN,
                                     "--adjust: no column '%s' in the extract (canonical "
                                     "fields such as kon or alder, extra columns, and the "
                                     "derived keys fil, inskriven_ar, inskriven_kvartal, "
                                     "aldersgrupp, status are accepted)", items[k]);
                rc = err->status;
                goto done;
            }
            cv[ncov].ref = ref;
            cv[ncov].name = utfall_colref_name(ref);
            cv[ncov].numeric = 0;
            ncov++;
            const char *clash = NULL;
            for (size_t j = 0; j + 1 < ncov && !clash; j++)
                if (!strcmp(cv[j].name, cv[ncov - 1].name))
                    clash = "is given twice";
            if (!clash && !strcmp(cv[ncov - 1].name, utfall_grouper_key_name(g, 0)))
                clash = "is the --by column, already in the model";
            if (clash) {
                rc = utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ADJUST, "--adjust: '%s' %s",
                                      items[k], clash);
                goto done;
            }
        }
        st.ncov = ncov;
    }

    /* participants */
    utfall_row row;
    int got;
    while ((got = utfall_extract_next(x, &row, err)) == 1) {
        utfall_date end = opt->followed_until != UTFALL_DATE_NONE ? opt->followed_until
                                                                  : row.uppfoljd_till;
        if (end == UTFALL_DATE_NONE) {
            rc = utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_NO_FOLLOWUP,
                                  "no follow-up end: the row has no uppfoljd_till (give the "
                                  "column, or --followed-until DATE for everyone)");
            utfall_error_locate(err, row.file_base, row.line, 0, NULL);
            goto done;
        }
        uint64_t id = utfall_hash_str(0, row.id);
        int added = utfall_hashset_add(seen, id);
        if (added < 0)
            goto nomem;
        if (!added) {
            rc = utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_DUPLICATE_ID,
                                  "id '%s' appears twice: utfall horizon takes one row per "
                                  "participant (their start and follow-up)", row.id);
            utfall_error_locate(err, row.file_base, row.line, 0, "id");
            goto done;
        }
        long gi = utfall_grouper_index(g, &row);
        if (gi < 0)
            goto nomem;
        if (st.np == st.pcap) {
            size_t ncap = st.pcap ? st.pcap * 2 : 1024;
            struct participant *n = realloc(st.p, ncap * sizeof *n);
            if (!n)
                goto nomem;
            st.p = n;
            st.pcap = ncap;
        }
        if (ncov) {
            char **nc = realloc(st.cov, st.pcap * ncov * sizeof *nc);
            if (!nc)
                goto nomem;
            st.cov = nc;
            for (size_t k = 0; k < ncov; k++) {
                char buf[64];
                const char *v = utfall_row_value(&row, cv[k].ref, buf, sizeof buf);
                if (!(st.cov[st.np * ncov + k] = strdup(v))) {
                    for (size_t j = 0; j < k; j++)
                        free(st.cov[st.np * ncov + j]);
                    goto nomem;
                }
            }
        }
        st.p[st.np++] = (struct participant){id, gi, row.inskriven, end, row.line};
    }
    if (got < 0) {
        rc = err->status;
        goto done;
    }
    if (index_participants(&st))
        goto nomem;
    if ((rc = read_spells(&st, opt, err)))
        goto done;

    size_t ng = utfall_grouper_ngroups(g), nm = opt->nmonths;
    const size_t *order = utfall_grouper_order(g);
    if (!order)
        goto nomem;
    int hmax = 0;
    for (size_t m = 0; m < nm; m++)
        if (opt->months[m] > hmax)
            hmax = opt->months[m];
    cells = calloc((ng ? ng : 1) * nm, sizeof *cells);
    if (!cells)
        goto nomem;
    if (opt->curve && !(curve = calloc((ng ? ng : 1) * (size_t)(hmax + 1), sizeof *curve)))
        goto nomem;
    for (size_t i = 0; i < st.np; i++) {
        const struct participant *p = &st.p[i];
        for (size_t m = 0; m < nm; m++) {
            utfall_date at = utfall_date_add_months(p->start, opt->months[m]);
            struct cell *c = &cells[(size_t)p->group * nm + m];
            if (at > p->end) {
                c->censored++;
                continue;
            }
            c->n++;
            c->reached += success_at(&st, i, at, opt->success);
        }
        for (int m = 0; curve && m <= hmax; m++) {
            utfall_date at = utfall_date_add_months(p->start, m);
            struct cell *c = &curve[(size_t)p->group * (size_t)(hmax + 1) + (size_t)m];
            if (at > p->end) {
                c->censored++;
                continue;
            }
            c->n++;
            c->reached += success_at(&st, i, at, opt->success);
        }
    }

    char title[256], note[1024], a[64], b[64];
    utfall_table *t = share_table("rows", utfall_tr(lang, "title.horizon"), g, lang);
    if (!t)
        goto nomem;
    if ((rc = share_rows(t, g, order, ng, cells, opt->months, nm, opt, err))) {
        utfall_table_free(t);
        goto done;
    }
    char outcomes[512];
    utfall_outcome_set_describe(opt->success, lang, outcomes, sizeof outcomes);
    snprintf(note, sizeof note, utfall_tr(lang, "note.horizon.def"), outcomes);
    utfall_table_add_note(t, note);
    utfall_table_add_note(t, utfall_tr(lang, "note.horizon.censored"));
    utfall_fmt_percent(lang, opt->level, 0, a, sizeof a);
    snprintf(note, sizeof note, utfall_tr(lang, "note.goal.ci"), a, utfall_tr(lang, "method.wilson"));
    utfall_table_add_note(t, note);
    utfall_doc_add(doc, t);

    /* comparisons against the reference group, per stratum and month */
    if (opt->ref) {
        utfall_table *ct = utfall_table_new("comparisons", UTFALL_TABLE_ROWS);
        if (!ct)
            goto nomem;
        snprintf(title, sizeof title, utfall_tr(lang, "title.comparisons"), opt->ref);
        utfall_table_set_title(ct, title);
        add_group_columns(ct, g, lang);
        int c_ref = utfall_table_add_column(ct, "ref", "col.ref", UTFALL_COL_TEXT, 0);
        int c_month = utfall_table_add_column(ct, "month", "col.month", UTFALL_COL_COUNT, 0);
        utfall_table_column_not_suppressible(ct, c_month);
        int c_d = utfall_table_add_column(ct, "diff", "col.diff", UTFALL_COL_PP, 1);
        int c_dl = utfall_table_add_column(ct, "diff_ci_low", "col.ci_low", UTFALL_COL_PP, 1);
        int c_dh = utfall_table_add_column(ct, "diff_ci_high", "col.ci_high", UTFALL_COL_PP, 1);
        int c_p = utfall_table_add_column(ct, "p_value", "col.p_value", UTFALL_COL_PVALUE, 3);
        int c_test = utfall_table_add_column(ct, "test", "col.test", UTFALL_COL_TEXT, 0);
        int found_ref = 0;
        for (size_t k = 0; k < ng; k++) {
            size_t r0 = order[k];
            if (strcmp(utfall_grouper_value(g, r0, 0), opt->ref))
                continue;
            found_ref = 1;
            for (size_t j = 0; j < ng; j++) {
                size_t gi = order[j];
                if (gi == r0 || !same_stratum(g, gi, r0, nby))
                    continue;
                for (size_t m = 0; m < nm; m++) {
                    const struct cell *cg = &cells[gi * nm + m], *cr = &cells[r0 * nm + m];
                    int r = utfall_table_add_row(ct, UTFALL_ROW_GROUP);
                    set_group(ct, r, g, gi, 0, utfall_grouper_nkeys(g));
                    utfall_table_set_text(ct, r, c_ref, opt->ref);
                    utfall_table_set_num(ct, r, c_month, opt->months[m]);
                    utfall_interval d;
                    if ((rc = utfall_prop_diff_newcombe(cg->reached, cg->n, cr->reached, cr->n,
                                                        opt->level, &d, err))) {
                        utfall_table_free(ct);
                        goto done;
                    }
                    utfall_table_set_num(ct, r, c_d, d.estimate);
                    utfall_table_set_num(ct, r, c_dl, d.lower);
                    utfall_table_set_num(ct, r, c_dh, d.upper);
                    long m4[4] = {cg->reached, cg->n - cg->reached, cr->reached, cr->n - cr->reached};
                    utfall_chisq_result chi;
                    double p = NAN;
                    const char *test = "";
                    if (utfall_chisq_test(m4, 2, 2, &chi, err) == UTFALL_OK && isfinite(chi.p_value)) {
                        p = chi.p_value;
                        test = "chi2";
                        if (chi.min_expected < 5) {
                            utfall_fisher_exact_2x2(m4[0], m4[1], m4[2], m4[3], &p, err);
                            test = "fisher";
                        }
                    }
                    utfall_error_clear(err);
                    utfall_table_set_num(ct, r, c_p, p);
                    utfall_table_set_text(ct, r, c_test, test);
                }
            }
        }
        if (!found_ref) {
            utfall_table_free(ct);
            rc = utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_UNKNOWN_REF,
                                  "--ref %s: no participant has %s = %s", opt->ref,
                                  utfall_grouper_key_name(g, 0), opt->ref);
            goto done;
        }
        utfall_table_add_note(ct, utfall_tr(lang, "note.horizon.comparisons"));
        utfall_doc_add(doc, ct);
    }

    if (ncov) {
        for (size_t k = 0; k < ncov; k++)
            cv[k].numeric = covariate_is_numeric(&cv[k], st.cov, st.np, ncov, k);
        if ((rc = adjusted_section(&st, g, order, ng, cv, ncov, opt, doc, err)))
            goto done;
    }

    if (opt->curve) {
        int *all = malloc((size_t)(hmax + 1) * sizeof *all);
        if (!all)
            goto nomem;
        for (int m = 0; m <= hmax; m++)
            all[m] = m;
        utfall_table *ctab = share_table("curve", utfall_tr(lang, "title.curve"), g, lang);
        if (!ctab) {
            free(all);
            goto nomem;
        }
        rc = share_rows(ctab, g, order, ng, curve, all, (size_t)hmax + 1, opt, err);
        free(all);
        if (rc) {
            utfall_table_free(ctab);
            goto done;
        }
        utfall_doc_add(doc, ctab);
    }

    if (opt->km) {
        /* time to the first success spell starting on or after the start */
        km_time = malloc((st.np ? st.np : 1) * sizeof *km_time);
        km_event = malloc((st.np ? st.np : 1) * sizeof *km_event);
        km_group = malloc((st.np ? st.np : 1) * sizeof *km_group);
        if (!km_time || !km_event || !km_group)
            goto nomem;
        for (size_t i = 0; i < st.np; i++) {
            const struct participant *p = &st.p[i];
            double follow = (double)(p->end - p->start);
            double first = -1;
            for (size_t k = st.first[i]; k < st.first[i + 1]; k++) {
                const struct spell *sp = &st.s[k];
                if (sp->from >= p->start && ((opt->success >> sp->status) & 1)) {
                    first = (double)(sp->from - p->start);
                    break; /* sorted by start */
                }
            }
            km_event[i] = first >= 0 && first <= follow;
            km_time[i] = km_event[i] ? first : follow;
            km_group[i] = (int)p->group;
        }
        if ((rc = utfall_km_fit(st.np, km_time, km_event, km_group, (int)ng, opt->level, &km, err)))
            goto done;
        utfall_table *kt = utfall_table_new("km", UTFALL_TABLE_ROWS);
        if (!kt)
            goto nomem;
        utfall_table_set_title(kt, utfall_tr(lang, "title.km"));
        add_group_columns(kt, g, lang);
        int c_month = utfall_table_add_column(kt, "month", "col.month", UTFALL_COL_COUNT, 0);
        utfall_table_column_not_suppressible(kt, c_month);
        int c_cs = utfall_table_add_column(kt, "cum_share", "col.cum_share", UTFALL_COL_SHARE, 1);
        int c_se = utfall_table_add_column(kt, "se", "col.se", UTFALL_COL_NUMBER, 4);
        int c_lo = utfall_table_add_column(kt, "ci_low", "col.ci_low", UTFALL_COL_SHARE, 1);
        int c_hi = utfall_table_add_column(kt, "ci_high", "col.ci_high", UTFALL_COL_SHARE, 1);
        int c_nr = utfall_table_add_column(kt, "n_risk", "col.n_risk", UTFALL_COL_COUNT, 0);
        for (size_t k = 0; k < ng; k++) {
            int upto = opt->curve ? hmax : -1;
            size_t count = opt->curve ? (size_t)hmax + 1 : nm;
            for (size_t m = 0; m < count; m++) {
                int month = upto >= 0 ? (int)m : opt->months[m];
                utfall_km_point pt;
                if ((rc = utfall_km_at(km, (int)order[k], month * UTFALL_DAYS_PER_MONTH, &pt, err))) {
                    utfall_table_free(kt);
                    goto done;
                }
                int r = utfall_table_add_row(kt, UTFALL_ROW_GROUP);
                set_group(kt, r, g, order[k], 0, utfall_grouper_nkeys(g));
                utfall_table_set_num(kt, r, c_month, month);
                utfall_table_set_num(kt, r, c_cs, pt.cum_share);
                utfall_table_set_num(kt, r, c_se, pt.se_surv);
                utfall_table_set_num(kt, r, c_lo, pt.ci_low);
                utfall_table_set_num(kt, r, c_hi, pt.ci_high);
                utfall_table_set_num(kt, r, c_nr, (double)pt.n_risk);
            }
        }
        utfall_table_add_note(kt, utfall_tr(lang, "note.km"));
        utfall_doc_add(doc, kt);

        /* log-rank across the --by groups, within each stratum */
        utfall_table *lt = utfall_table_new("logrank", UTFALL_TABLE_ROWS);
        if (!lt)
            goto nomem;
        utfall_table_set_title(lt, utfall_tr(lang, "title.logrank"));
        size_t nk = utfall_grouper_nkeys(g);
        for (size_t k = nby; k < nk; k++) {
            const char *key = utfall_grouper_key_name(g, k);
            utfall_table_add_group_column(lt, key, lang);
        }
        int c_chi = utfall_table_add_column(lt, "chi2", "col.chi2", UTFALL_COL_NUMBER, 2);
        int c_df = utfall_table_add_column(lt, "df", "col.df", UTFALL_COL_COUNT, 0);
        utfall_table_column_not_suppressible(lt, c_df);
        int c_lp = utfall_table_add_column(lt, "p_value", "col.p_value", UTFALL_COL_PVALUE, 3);
        unsigned char *done_stratum = calloc(ng ? ng : 1, 1);
        int *sub_group = malloc((st.np ? st.np : 1) * sizeof *sub_group);
        if (!done_stratum || !sub_group) {
            free(done_stratum);
            free(sub_group);
            utfall_table_free(lt);
            goto nomem;
        }
        for (size_t k = 0; k < ng; k++) {
            size_t s0 = order[k];
            if (done_stratum[s0])
                continue;
            for (size_t j = 0; j < ng; j++)
                if (same_stratum(g, order[j], s0, nby))
                    done_stratum[order[j]] = 1;
            /* participants of this stratum, grouped by their --by group */
            size_t n = 0;
            double *tt = km_time;
            for (size_t i = 0; i < st.np; i++)
                sub_group[i] = same_stratum(g, (size_t)st.p[i].group, s0, nby) ? (int)st.p[i].group : -1;
            int *grp = malloc((st.np ? st.np : 1) * sizeof *grp);
            double *tim = malloc((st.np ? st.np : 1) * sizeof *tim);
            int *evt = malloc((st.np ? st.np : 1) * sizeof *evt);
            if (!grp || !tim || !evt) {
                free(grp);
                free(tim);
                free(evt);
                free(done_stratum);
                free(sub_group);
                utfall_table_free(lt);
                goto nomem;
            }
            for (size_t i = 0; i < st.np; i++)
                if (sub_group[i] >= 0) {
                    grp[n] = sub_group[i];
                    tim[n] = tt[i];
                    evt[n] = km_event[i];
                    n++;
                }
            utfall_logrank lr;
            utfall_status lrs = utfall_logrank_test(n, tim, evt, grp, (int)ng, &lr, NULL, NULL, err);
            free(grp);
            free(tim);
            free(evt);
            int r = utfall_table_add_row(lt, nk == nby ? UTFALL_ROW_TOTAL : UTFALL_ROW_GROUP);
            if (nk > nby)
                for (size_t key = nby; key < nk; key++)
                    utfall_table_set_text(lt, r, (int)(key - nby), utfall_grouper_value(g, s0, key));
            if (lrs == UTFALL_OK && lr.tested) {
                utfall_table_set_num(lt, r, c_chi, lr.chisq);
                utfall_table_set_num(lt, r, c_df, lr.df);
                utfall_table_set_num(lt, r, c_lp, lr.p_value);
            } else {
                utfall_table_set_na(lt, r, c_chi);
                utfall_table_set_na(lt, r, c_df);
                utfall_table_set_na(lt, r, c_lp);
                utfall_error_clear(err);
            }
        }
        free(done_stratum);
        free(sub_group);
        utfall_table_add_note(lt, utfall_tr(lang, "note.logrank"));
        utfall_doc_add(doc, lt);
    }

    /* bookkeeping of the spells file */
    utfall_table *sp = utfall_table_new("spells", UTFALL_TABLE_OBJECT);
    if (!sp)
        goto nomem;
    utfall_table_set_machine_only(sp);
    utfall_table_set_no_suppress(sp);
    int c1 = utfall_table_add_column(sp, "participants", NULL, UTFALL_COL_COUNT, 0);
    int c2 = utfall_table_add_column(sp, "spells_read", NULL, UTFALL_COL_COUNT, 0);
    int c3 = utfall_table_add_column(sp, "spells_used", NULL, UTFALL_COL_COUNT, 0);
    int c4 = utfall_table_add_column(sp, "spells_rejected", NULL, UTFALL_COL_COUNT, 0);
    int r = utfall_table_add_row(sp, UTFALL_ROW_GROUP);
    utfall_table_set_num(sp, r, c1, (double)st.np);
    utfall_table_set_num(sp, r, c2, (double)st.spells_read);
    utfall_table_set_num(sp, r, c3, (double)st.spells_used);
    utfall_table_set_num(sp, r, c4, (double)st.spells_rejected);
    utfall_doc_add(doc, sp);
    utfall_table *main_t = utfall_doc_table(doc, "rows");
    utfall_fmt_count(lang, st.spells_read, a, sizeof a);
    utfall_fmt_count(lang, st.spells_rejected, b, sizeof b);
    snprintf(note, sizeof note, utfall_tr(lang, "note.horizon.spells"), a, b);
    if (main_t)
        utfall_table_add_note(main_t, note);
    goto done;
nomem:
    rc = utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
done:
    utfall_km_free(km);
    free(km_time);
    free(km_event);
    free(km_group);
    free(cells);
    free(curve);
    free(st.p);
    free(st.slots);
    free(st.s);
    free(st.first);
    for (size_t i = 0; i < st.np * ncov; i++)
        free(st.cov[i]);
    free(st.cov);
    for (size_t k = 0; k < ncov; k++)
        utfall_colref_free(cv[k].ref);
    utfall_hashset_free(seen);
    utfall_grouper_free(g);
    return rc;
}
