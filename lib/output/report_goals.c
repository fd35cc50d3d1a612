/* Goals as project plans write them (utfall-goals(5)): a share measured
 * from income source (left aktivitetsersättning) or from the direction of
 * activity hours ("ska öka för minst hälften"), a count of persons, the
 * mean time in programme, each for a subgroup (women, a unit) and as of a
 * target date if the plan says so.
 *
 * One reading of the extract per goal, through a filter that keeps the
 * subgroup and cuts the episodes at the target date (as the reporting
 * period does).  Every count is a cell whose definition says the same:
 * the subgroup is a condition on its dimension (kon:k), the date a
 * dimension of its own (vid_<date>: utanfor, aktiv, avslutad), and every
 * condition on exits by the date also says state:exited, so that the
 * protection's model knows what the date's states imply. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "utfall/group.h"
#include "utfall/hours.h"
#include "utfall/protect.h"
#include "core/internal.h"
#include "analysis/goal_columns.h"
#include "analysis/states.h"
#include "output/report_internal.h"

/* What one goal counts of the episodes in its scope. */
struct goal_tally {
    long enrolled, exited, active;
    long base;     /* the share's denominator among them (by measure) */
    long reached;  /* reached the goal (by measure) */
    long counted;  /* a count goal's count: episodes, or persons */
    long with_hours, days_n;
    double days_sum;
};

struct goal_pass {
    const struct ctx *c;
    const utfall_goal_spec *g;
    utfall_colref *group;       /* the subgroup's column; NULL = everyone */
    char **values;              /* the subgroup column's values, seen in every episode */
    size_t nvalues, capvalues;
    unsigned date_seen;         /* bit 0 utanfor, 1 aktiv, 2 avslutad */
    unsigned fore_seen, after_seen; /* income sources seen in every episode (bit
                                     * UTFALL_INCOME_COUNT: not stated) */
    utfall_hashset *persons;
    double tolerance;           /* hours: as utfall-hours(1) */
    struct goal_tally t;
    int failed;
};

static void remember_value(struct goal_pass *gp, const char *v)
{
    for (size_t i = 0; i < gp->nvalues; i++)
        if (!strcmp(gp->values[i], v))
            return;
    char *d = strdup(v);
    if (!d || UTFALL_GROW(gp->values, gp->capvalues, gp->nvalues + 1)) {
        free(d);
        gp->failed = 1;
        return;
    }
    gp->values[gp->nvalues++] = d;
}

/* The report's period, then the goal's subgroup and date. */
static int goal_filter(void *ctx, utfall_row *row)
{
    struct goal_pass *gp = ctx;
    if (!utfall_reporting_period_apply(&gp->c->opt->period, row))
        return 0;
    gp->fore_seen |= 1u << (row->forsorjning_fore >= 0 ? row->forsorjning_fore : UTFALL_INCOME_COUNT);
    gp->after_seen |= 1u << (row->forsorjning_efter >= 0 ? row->forsorjning_efter : UTFALL_INCOME_COUNT);
    utfall_date d = gp->g->as_of;
    if (d != UTFALL_DATE_NONE)
        gp->date_seen |= row->inskriven > d                                          ? 1u
                         : row->avslutad == UTFALL_DATE_NONE || row->avslutad > d ? 2u
                                                                                      : 4u;
    if (gp->group) {
        char buf[256];
        const char *v = utfall_row_value(row, gp->group, buf, sizeof buf);
        remember_value(gp, v);
        if (strcmp(v, gp->g->group_value))
            return 0;
    }
    if (d == UTFALL_DATE_NONE)
        return 1;
    if (row->inskriven > d)
        return 0;
    utfall_reporting_period at = {UTFALL_DATE_NONE, d, UTFALL_PERIOD_ACTIVE};
    return utfall_reporting_period_apply(&at, row);
}

/* Is the episode in the share's denominator, and did it reach the goal? */
static void classify(const struct goal_pass *gp, const utfall_row *row, int *base, int *reached)
{
    const utfall_goal_spec *g = gp->g;
    int exited = row->avslutad != UTFALL_DATE_NONE;
    if (g->measure == UTFALL_MEASURE_HOURS) {
        *base = !isnan(row->timmar_fore) && !isnan(row->timmar_efter);
        double d = *base ? round((row->timmar_efter - row->timmar_fore) * 1e9) / 1e9 : 0;
        *reached = *base && d > gp->tolerance;
        return;
    }
    if (g->measure == UTFALL_MEASURE_INCOME) {
        int had = row->forsorjning_fore == g->income_left;
        *base = had && (g->base != UTFALL_BASE_EXITED || exited);
        *reached = had && exited && row->forsorjning_efter >= 0
                   && row->forsorjning_efter != g->income_left;
        return;
    }
    *base = g->base != UTFALL_BASE_EXITED || exited;
    *reached = exited && row->avslutsorsak >= 0 && ((g->success >> row->avslutsorsak) & 1);
}

static void tally_row(struct goal_pass *gp, const utfall_row *row)
{
    const utfall_goal_spec *g = gp->g;
    struct goal_tally *t = &gp->t;
    int exited = row->avslutad != UTFALL_DATE_NONE, base, reached;
    classify(gp, row, &base, &reached);
    t->enrolled++;
    t->exited += exited;
    t->active += !exited;
    t->base += base;
    t->reached += reached;
    t->with_hours += !isnan(row->timmar_fore) && !isnan(row->timmar_efter);
    if (exited) {
        t->days_n++;
        t->days_sum += (double)(row->avslutad - row->inskriven);
    }
    /* a count: of those who reached it when the goal says how, else of
     * its base (enrolled or exited) */
    int measured = g->success || g->measure != UTFALL_MEASURE_OUTCOMES;
    int counts = measured ? reached : g->base == UTFALL_BASE_EXITED ? exited : 1;
    if (counts && g->persons) {
        int n = utfall_hashset_add(gp->persons, utfall_hash_str(0, row->id));
        gp->failed |= n < 0;
        t->counted += n > 0;
    } else {
        t->counted += counts;
    }
}

static utfall_status goal_pass_fn(utfall_extract *x, const void *o, utfall_doc *d,
                                  utfall_error *err)
{
    struct goal_pass *gp = (struct goal_pass *)o;
    (void)d;
    utfall_status st = UTFALL_OK;
    if (gp->g->group_key && (st = utfall_colref_new(x, gp->g->group_key, &gp->group, err)))
        return st;
    utfall_extract_set_filter(x, goal_filter, gp);
    utfall_row row;
    int got;
    while ((got = utfall_extract_next(x, &row, err)) == 1)
        tally_row(gp, &row);
    utfall_colref_free(gp->group);
    gp->group = NULL;
    if (got < 0)
        return err->status;
    return gp->failed ? utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory")
                      : UTFALL_OK;
}

/* ---- what the counts count --------------------------------------------------- */

struct goal_conds {
    char pop[512];     /* the table's population: subgroup, enrolled by the date */
    char base[512];    /* the share's denominator within it; "" = all of it */
    char reached[768]; /* reached the goal */
    char exited[128];  /* exited (by the date) */
    char date_dim[32]; /* vid_<date>; "" = none */
};

static void cat(char *buf, size_t size, const char *part)
{
    size_t n = strlen(buf);
    if (*part)
        snprintf(buf + n, size - n, "%s%s", n ? ";" : "", part);
}

static void goal_conditions(const struct goal_pass *gp, struct goal_conds *k)
{
    const utfall_goal_spec *g = gp->g;
    char part[512], at_exit[64] = "";
    memset(k, 0, sizeof *k);
    if (g->group_key) {
        snprintf(part, sizeof part, "%s:%s", g->group_key, g->group_value);
        cat(k->pop, sizeof k->pop, part);
    }
    if (g->as_of != UTFALL_DATE_NONE) {
        char day[16];
        utfall_date_format(g->as_of, day, sizeof day);
        snprintf(k->date_dim, sizeof k->date_dim, "vid_%s", day);
        snprintf(part, sizeof part, "%s:aktiv,avslutad", k->date_dim);
        cat(k->pop, sizeof k->pop, part);
        snprintf(at_exit, sizeof at_exit, "%s:avslutad", k->date_dim);
    }
    snprintf(k->exited, sizeof k->exited, "state:exited");
    cat(k->exited, sizeof k->exited, at_exit);
    if (g->measure == UTFALL_MEASURE_HOURS) {
        snprintf(k->base, sizeof k->base, "hours:increased,unchanged,decreased");
        snprintf(k->reached, sizeof k->reached, "hours:increased");
    } else if (g->measure == UTFALL_MEASURE_INCOME) {
        const char *key = utfall_income_key(g->income_left);
        snprintf(k->base, sizeof k->base, "%sforsorjning_fore:%s",
                 g->base == UTFALL_BASE_EXITED ? "state:exited;" : "", key);
        if (g->base == UTFALL_BASE_EXITED)
            cat(k->base, sizeof k->base, at_exit);
        utfall_income_left_condition(g->income_left, gp->after_seen, k->reached, sizeof k->reached);
        cat(k->reached, sizeof k->reached, at_exit);
    } else {
        if (g->base == UTFALL_BASE_EXITED)
            snprintf(k->base, sizeof k->base, "%s", k->exited);
        utfall_state_condition(g->success, k->reached, sizeof k->reached);
        cat(k->reached, sizeof k->reached, at_exit);
    }
}

/* The values the goal's own dimensions take in every episode. */
static void declare(utfall_report *r, const struct goal_pass *gp, const struct goal_conds *k)
{
    static const char *const date_values[3] = {"utanfor", "aktiv", "avslutad"};
    for (int i = 0; i < 3; i++)
        if ((gp->date_seen >> i) & 1)
            utfall_doc_dimension_value(r->doc, k->date_dim, date_values[i]);
    for (size_t i = 0; i < gp->nvalues; i++)
        utfall_doc_dimension_value(r->doc, gp->g->group_key, gp->values[i]);
    if (gp->g->measure != UTFALL_MEASURE_INCOME)
        return; /* the income section declares them when the extract has them */
    for (int s = 0; s <= UTFALL_INCOME_COUNT; s++) {
        const char *v = s < UTFALL_INCOME_COUNT ? utfall_income_key(s) : "";
        if ((gp->fore_seen >> s) & 1)
            utfall_doc_dimension_value(r->doc, "forsorjning_fore", v);
        if ((gp->after_seen >> s) & 1)
            utfall_doc_dimension_value(r->doc, "forsorjning_efter", v);
    }
}

/* ---- the goal's table ------------------------------------------------------- */

/* What the table's figures are, under it: the measure, the scope and, for
 * a share, the interval's method. */
static void goal_notes(const struct goal_pass *gp, utfall_table *t, int interval)
{
    const struct ctx *c = gp->c;
    const utfall_goal_spec *g = gp->g;
    char note[1024], lv[32];
    report_goal_measure(c, g, note, sizeof note);
    utfall_table_add_note(t, note);
    if (g->group_key) {
        char ck[128], vk[300];
        snprintf(ck, sizeof ck, "col.%s", g->group_key);
        snprintf(vk, sizeof vk, "val.%s", g->group_value);
        const char *label = report_tr(c, ck), *value = report_tr(c, vk);
        snprintf(note, sizeof note, report_tr(c, "report.goal.scope.group"),
                 label == ck ? g->group_key : label, value == vk ? g->group_value : value);
        utfall_table_add_note(t, note);
    }
    if (g->as_of != UTFALL_DATE_NONE) {
        char day[16];
        utfall_date_format(g->as_of, day, sizeof day);
        snprintf(note, sizeof note, report_tr(c, "report.goal.scope.date"), day);
        utfall_table_add_note(t, note);
    }
    if (interval) {
        report_pct(c, c->opt->level, 0, lv, sizeof lv);
        snprintf(note, sizeof note, report_tr(c, "note.goal.ci"), lv, report_tr(c, "method.wilson"));
        utfall_table_add_note(t, note);
        if (isfinite(g->target_share))
            utfall_table_add_note(t, report_tr(c, "note.goal.target"));
    }
}


static void share_cells(utfall_table *t, const struct goal_pass *gp, const struct goal_conds *k)
{
    const utfall_goal_spec *g = gp->g;
    if (k->pop[0])
        utfall_table_set_population(t, k->pop);
    utfall_table_column_cell(t, G_REACHED, k->reached);
    if (g->base == UTFALL_BASE_FIXED) {
        utfall_table_column_not_suppressible(t, G_N);
    } else {
        if (k->base[0])
            utfall_table_column_cell(t, G_N, k->base);
        utfall_table_column_part_of(t, G_REACHED, G_N);
    }
    char cond[64];
    snprintf(cond, sizeof cond, "%s:aktiv", k->date_dim);
    if (g->measure == UTFALL_MEASURE_HOURS)
        utfall_table_column_cell(t, G_EXCLUDED, "hours:missing");
    else if (g->measure == UTFALL_MEASURE_OUTCOMES && g->base == UTFALL_BASE_EXITED)
        utfall_table_column_cell(t, G_EXCLUDED, k->date_dim[0] ? cond : "state:active");
}

static utfall_status share_table(const struct goal_pass *gp, const struct goal_conds *k,
                                 utfall_doc *d, utfall_error *err)
{
    const utfall_goal_spec *g = gp->g;
    const struct goal_tally *n = &gp->t;
    utfall_table *t = utfall_table_new("rows", UTFALL_TABLE_ROWS);
    if (!t)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    utfall_table_set_title(t, g->text);
    utfall_colspec cols[G_NCOLS];
    memcpy(cols, utfall_goal_columns, sizeof cols);
    int has_excluded = g->measure == UTFALL_MEASURE_HOURS
                       || (g->measure == UTFALL_MEASURE_OUTCOMES && g->base == UTFALL_BASE_EXITED);
    if (!has_excluded)
        cols[G_EXCLUDED].flags = UTFALL_COLF_MACHINE_ONLY | UTFALL_COLF_NOT_SUPPRESSIBLE;
    for (int c = G_TARGET; c <= G_NEEDED && isnan(g->target_share); c++)
        cols[c].flags |= UTFALL_COLF_MACHINE_ONLY;
    utfall_table_add_columns(t, cols, G_NCOLS);
    share_cells(t, gp, k);
    long base = g->base == UTFALL_BASE_FIXED ? g->fixed_base : n->base;
    int row = utfall_table_add_row(t, UTFALL_ROW_TOTAL);
    utfall_table_set_num(t, row, G_N, (double)base);
    utfall_table_set_num(t, row, G_REACHED, (double)n->reached);
    utfall_interval iv;
    utfall_status st = utfall_prop_ci(n->reached, base, gp->c->opt->level, UTFALL_PROP_CI_WILSON,
                                      &iv, err);
    double p = NAN;
    if (!st && isfinite(g->target_share) && base > 0)
        st = utfall_binom_test_greater(n->reached, base, g->target_share, &p, err);
    if (st) {
        utfall_table_free(t);
        return st;
    }
    utfall_table_set_num(t, row, G_SHARE, iv.estimate);
    utfall_table_set_num(t, row, G_CI_LOW, iv.lower);
    utfall_table_set_num(t, row, G_CI_HIGH, iv.upper);
    utfall_table_set_num(t, row, G_TARGET, g->target_share);
    if (isfinite(g->target_share) && base > 0) {
        double need = ceil(g->target_share * (double)base - 1e-9) - (double)n->reached;
        utfall_table_set_num(t, row, G_MET, iv.estimate >= g->target_share);
        utfall_table_set_num(t, row, G_P_VALUE, p);
        utfall_table_set_num(t, row, G_NEEDED, need > 0 ? need : 0);
    } else {
        utfall_table_set_na(t, row, G_MET);
        utfall_table_set_na(t, row, G_P_VALUE);
        utfall_table_set_na(t, row, G_NEEDED);
    }
    long excluded = g->measure == UTFALL_MEASURE_HOURS ? n->enrolled - n->with_hours
                    : has_excluded                  ? n->enrolled - n->exited
                                                    : 0;
    utfall_table_set_num(t, row, G_EXCLUDED, (double)excluded);
    goal_notes(gp, t, 1);
    utfall_doc_add(d, t);
    return UTFALL_OK;
}

static const utfall_colspec count_cols[] = {
    {.key = "target", .type = UTFALL_COL_COUNT, .flags = UTFALL_COLF_NOT_SUPPRESSIBLE},
    {.key = "count", .type = UTFALL_COL_COUNT},
    {.key = "met", .type = UTFALL_COL_BOOL, .depends = {"count"}},
    {.key = "needed", .type = UTFALL_COL_COUNT, .depends = {"count"}},
};

/* A count goal's table, under the key count goals have (mal_<id>). */
static void count_table(utfall_report *r, const struct goal_pass *gp, const struct goal_conds *k)
{
    const utfall_goal_spec *g = gp->g;
    char key[64], pop[1400];
    snprintf(key, sizeof key, "mal_%s", g->id);
    key[31] = '\0';
    utfall_table *t = utfall_table_new(key, UTFALL_TABLE_ROWS);
    if (!t) {
        r->failed = 1;
        return;
    }
    utfall_table_set_title(t, g->text);
    utfall_table_add_columns(t, count_cols, 4);
    int measured = g->success || g->measure != UTFALL_MEASURE_OUTCOMES;
    const char *cond = measured ? k->reached : g->base == UTFALL_BASE_EXITED ? k->exited : "";
    snprintf(pop, sizeof pop, "%s", k->pop);
    if (g->persons) /* first within the episodes counted: a person once */
        cat(pop, sizeof pop, cond);
    if (pop[0])
        utfall_table_set_population(t, pop);
    if (g->persons)
        utfall_table_column_cell(t, 1, "first:.");
    else if (*cond)
        utfall_table_column_cell(t, 1, cond);
    long count = gp->t.counted;
    int row = utfall_table_add_row(t, UTFALL_ROW_TOTAL);
    utfall_table_set_num(t, row, 0, (double)g->target_count);
    utfall_table_set_num(t, row, 1, (double)count);
    utfall_table_set_num(t, row, 2, count >= g->target_count);
    utfall_table_set_num(t, row, 3, (double)(count >= g->target_count ? 0 : g->target_count - count));
    goal_notes(gp, t, 0);
    utfall_doc_add(r->doc, t);
    report_table_block(r, key, 1);
}

enum { D_N, D_MEAN, D_TARGET, D_MET, D_NCOLS };
static const utfall_colspec days_cols[D_NCOLS] = {
    [D_N] = {.key = "n", .label_key = "col.exited", .type = UTFALL_COL_COUNT},
    [D_MEAN] = {.key = "mean_days", .type = UTFALL_COL_NUMBER, .decimals = 1, .depends = {"n"}},
    [D_TARGET] = {.key = "target_days", .type = UTFALL_COL_NUMBER, .decimals = 0,
                  .flags = UTFALL_COLF_NOT_SUPPRESSIBLE},
    [D_MET] = {.key = "met", .type = UTFALL_COL_BOOL, .depends = {"n"}},
};

static utfall_status days_table(const struct goal_pass *gp, const struct goal_conds *k,
                                utfall_doc *d, utfall_error *err)
{
    utfall_table *t = utfall_table_new("rows", UTFALL_TABLE_ROWS);
    if (!t)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    utfall_table_set_title(t, gp->g->text);
    utfall_table_add_columns(t, days_cols, D_NCOLS);
    if (k->pop[0])
        utfall_table_set_population(t, k->pop);
    utfall_table_column_cell(t, D_N, k->exited);
    const struct goal_tally *n = &gp->t;
    double mean = n->days_n ? n->days_sum / (double)n->days_n : NAN;
    int row = utfall_table_add_row(t, UTFALL_ROW_TOTAL);
    utfall_table_set_num(t, row, D_N, (double)n->days_n);
    utfall_table_set_num(t, row, D_MEAN, mean);
    utfall_table_set_num(t, row, D_TARGET, gp->g->target_days);
    if (isfinite(mean))
        utfall_table_set_num(t, row, D_MET, mean <= gp->g->target_days);
    else
        utfall_table_set_na(t, row, D_MET);
    goal_notes(gp, t, 0);
    utfall_doc_add(d, t);
    return UTFALL_OK;
}

/* ---- the goal as written -------------------------------------------------------- */

/* A number in the text: its value, what it is (a share, days, hours or a
 * plain count) and where the next search starts. */
enum quantity { Q_NONE, Q_SHARE, Q_COUNT, Q_DAYS, Q_HOURS };

static const char *skip_number(const char *p, double *v)
{
    char buf[32];
    size_t n = 0;
    for (; *p && n + 1 < sizeof buf; p++) {
        if ((*p >= '0' && *p <= '9') || ((*p == ',' || *p == '.') && p[1] >= '0' && p[1] <= '9'))
            buf[n++] = *p == ',' ? '.' : *p;
        else if (*p == ' ' && n && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9'
                 && p[3] >= '0' && p[3] <= '9' && !(p[4] >= '0' && p[4] <= '9'))
            continue; /* "1 000" */
        else
            break;
    }
    buf[n] = '\0';
    *v = atof(buf);
    return p;
}

static int word_at(const char *p, const char *const *words)
{
    while (*p == ' ' || (unsigned char)*p == 0xC2 || (unsigned char)*p == 0xA0)
        p++;
    for (size_t i = 0; words[i]; i++)
        if (!strncasecmp(p, words[i], strlen(words[i])))
            return 1;
    return 0;
}

static enum quantity next_quantity(const char **pp, double *v)
{
    static const char *const pct[] = {"%", "procent", "percent", NULL};
    static const char *const days[] = {"dag", "day", NULL}, *const months[] = {"månad", "month", NULL};
    static const char *const weeks[] = {"veck", "week", NULL}, *const hours[] = {"timm", "hour", NULL};
    static const struct { const char *w; double v; } parts[] = {
        {"hälften", 0.5}, {"half", 0.5}, {"en tredjedel", 1.0 / 3}, {"var tredje", 1.0 / 3},
        {"a third", 1.0 / 3}, {"en fjärdedel", 0.25}, {"var fjärde", 0.25}, {"a quarter", 0.25}};
    for (const char *p = *pp; *p; p++) {
        for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
            if (!strncasecmp(p, parts[i].w, strlen(parts[i].w))) {
                *v = parts[i].v;
                *pp = p + strlen(parts[i].w);
                return Q_SHARE;
            }
        if (*p < '0' || *p > '9')
            continue;
        const char *e = skip_number(p, v);
        *pp = e;
        if (word_at(e, pct)) {
            *v /= 100;
            return Q_SHARE;
        }
        if (word_at(e, days) || word_at(e, weeks) || word_at(e, months)) {
            *v *= word_at(e, weeks) ? 7 : word_at(e, months) ? 365.25 / 12 : 1;
            return Q_DAYS;
        }
        if (word_at(e, hours))
            return Q_HOURS;
        if (*v >= 2 && !(*v >= 1990 && *v <= 2099 && *v == floor(*v)))
            return Q_COUNT; /* not a year */
        p = e - 1; /* a year or a 1: on after it */
    }
    *pp += strlen(*pp);
    return Q_NONE;
}

/* Does the goal's type and target say what its text says?  0 when the
 * text states a share, a number, days or hours that the goal as
 * configured does not evaluate; what: the text's figure. */
int report_goal_as_written(const struct ctx *c, const utfall_goal_spec *g, char *what,
                           size_t size)
{
    const char *p = g->text;
    double v;
    enum quantity q;
    while ((q = next_quantity(&p, &v)) != Q_NONE) {
        int ok = 0;
        switch (q) {
        case Q_SHARE:
            ok = g->kind == UTFALL_GOAL_SHARE && fabs(g->target_share - v) < 0.005;
            report_pct(c, v, v * 100 == round(v * 100) ? 0 : 1, what, size);
            break;
        case Q_COUNT:
            ok = (g->kind == UTFALL_GOAL_COUNT && g->target_count == (long)v)
                 || (g->kind == UTFALL_GOAL_SHARE && g->base == UTFALL_BASE_FIXED
                     && g->fixed_base == (long)v);
            report_dec(c, v, v == floor(v) ? 0 : 1, what, size);
            break;
        case Q_DAYS: {
            ok = g->kind == UTFALL_GOAL_DAYS && fabs(g->target_days - v) <= 0.05 * v + 1;
            char dd[32];
            snprintf(what, size, report_tr(c, "report.goal.days_figure"),
                     report_num(c, lround(v), dd, sizeof dd));
            break;
        }
        case Q_HOURS: {
            ok = g->kind == UTFALL_GOAL_ACTIVITY && fabs(g->target_hours - v) < 0.05;
            char h[32];
            snprintf(what, size, report_tr(c, "report.goal.hours_figure"),
                     report_dec(c, v, v == floor(v) ? 0 : 1, h, sizeof h));
            break;
        }
        default:
            break;
        }
        if (!ok)
            return 0;
    }
    return 1;
}

/* ---- the goal's block ------------------------------------------------------------ */

/* "Mäts som: ..." */
void report_goal_measure(const struct ctx *c, const utfall_goal_spec *g, char *buf, size_t size)
{
    char list[256], who[256], n[32], label[128], key[64];
    snprintf(key, sizeof key, "val.%s", utfall_income_key(g->income_left));
    report_lower(c, key, label, sizeof label);
    snprintf(who, sizeof who, report_tr(c, g->base == UTFALL_BASE_EXITED   ? "report.goal.base.exited"
                                            : g->base == UTFALL_BASE_ENROLLED ? "report.goal.base.enrolled"
                                                                              : "report.goal.base.fixed"),
             report_num(c, g->fixed_base, n, sizeof n));
    utfall_outcome_set_describe(g->success, c->lang, list, sizeof list);
    if (g->kind == UTFALL_GOAL_ACTIVITY)
        snprintf(buf, size, "%s", report_tr(c, "report.goal.measure.activity"));
    else if (g->kind == UTFALL_GOAL_DAYS)
        snprintf(buf, size, "%s", report_tr(c, "report.goal.measure.days"));
    else if (g->kind == UTFALL_GOAL_SHARE && g->measure == UTFALL_MEASURE_HOURS)
        snprintf(buf, size, "%s", report_tr(c, "report.goal.measure.hours"));
    else if (g->kind == UTFALL_GOAL_SHARE && g->measure == UTFALL_MEASURE_INCOME)
        snprintf(buf, size, report_tr(c, "report.goal.measure.income"), who, label);
    else if (g->kind == UTFALL_GOAL_SHARE)
        snprintf(buf, size, report_tr(c, "report.goal.measure.outcomes"), who, list);
    else {
        char what[256];
        if (g->measure == UTFALL_MEASURE_INCOME)
            snprintf(what, sizeof what, report_tr(c, "report.goal.count.income"), label);
        else if (g->measure == UTFALL_MEASURE_HOURS)
            snprintf(what, sizeof what, "%s", report_tr(c, "report.goal.count.hours"));
        else if (g->success)
            snprintf(what, sizeof what, report_tr(c, "report.goal.count.outcomes"), list);
        else
            snprintf(what, sizeof what, "%s", report_tr(c, g->base == UTFALL_BASE_EXITED
                                                               ? "report.goal.count.exited"
                                                               : "report.goal.count.enrolled"));
        snprintf(buf, size, report_tr(c, "report.goal.measure.count"),
                 report_tr(c, g->persons ? "report.goal.unit.persons" : "report.goal.unit.episodes"),
                 what);
    }
}

/* "Gäller: Kön = Kvinnor.", "Mäts per 2013-12-31: ..." */
static void scope_lines(utfall_report *r, const struct ctx *c, const utfall_goal_spec *g)
{
    if (g->group_key) {
        char ck[128], vk[300];
        snprintf(ck, sizeof ck, "col.%s", g->group_key);
        snprintf(vk, sizeof vk, "val.%s", g->group_value);
        const char *label = report_tr(c, ck), *value = report_tr(c, vk);
        report_para(r, UTFALL_BLOCK_LIST_ITEM, report_tr(c, "report.goal.scope.group"),
                    label == ck ? g->group_key : label, value == vk ? g->group_value : value);
    }
    if (g->as_of != UTFALL_DATE_NONE) {
        char day[16];
        utfall_date_format(g->as_of, day, sizeof day);
        report_para(r, UTFALL_BLOCK_LIST_ITEM, report_tr(c, "report.goal.scope.date"), day);
    }
}

static void target_line(utfall_report *r, const struct ctx *c, const utfall_goal_spec *g)
{
    char a[64], b[64], t[64];
    if (g->kind == UTFALL_GOAL_SHARE && !isfinite(g->target_share))
        report_para(r, UTFALL_BLOCK_LIST_ITEM, "%s", report_tr(c, "report.goal.no_target"));
    else if (g->kind == UTFALL_GOAL_SHARE && g->base == UTFALL_BASE_FIXED)
        report_para(r, UTFALL_BLOCK_LIST_ITEM, report_tr(c, "report.goal.target_fixed"),
                    report_pct(c, g->target_share, 0, a, sizeof a),
                    report_num(c, g->fixed_base, b, sizeof b),
                    report_num(c, (long)ceil(g->target_share * (double)g->fixed_base - 1e-9), t,
                               sizeof t));
    else if (g->kind == UTFALL_GOAL_SHARE)
        report_para(r, UTFALL_BLOCK_LIST_ITEM, report_tr(c, "report.goal.target_plain"),
                    report_pct(c, g->target_share, 0, a, sizeof a));
    else if (g->kind == UTFALL_GOAL_COUNT)
        report_para(r, UTFALL_BLOCK_LIST_ITEM, report_tr(c, g->persons ? "report.goal.target_persons"
                                                                       : "report.goal.target_count"),
                    report_num(c, g->target_count, a, sizeof a));
    else
        report_para(r, UTFALL_BLOCK_LIST_ITEM, report_tr(c, "report.goal.target_days"),
                    report_dec(c, g->target_days, 0, a, sizeof a));
}

static void fill_share_outcome(utfall_report *r, const struct ctx *c, struct block *b)
{
    struct cellref n = report_cell(r, b->prefix, "rows", "n", -1);
    if (!report_cell_ok(n) || !(report_cell_num(n) > 0 || report_cell_hidden(n))) {
        report_set_text(r, b, "%s", report_tr(c, "report.goal.no_data"));
        return;
    }
    char a[64], nn[64], p[64], lo[64], hi[64], lv[32];
    report_pct(c, c->opt->level, 0, lv, sizeof lv);
    report_set_text(r, b, report_tr(c, "report.goal.share_outcome"),
                    report_cell_str(c, report_cell(r, b->prefix, "rows", "reached", -1), a, sizeof a),
                    report_cell_str(c, n, nn, sizeof nn),
                    report_cell_str(c, report_cell(r, b->prefix, "rows", "share", -1), p, sizeof p),
                    lv, report_cell_str(c, report_cell(r, b->prefix, "rows", "ci_low", -1), lo, sizeof lo),
                    report_cell_str(c, report_cell(r, b->prefix, "rows", "ci_high", -1), hi, sizeof hi));
}

static void fill_count_outcome(utfall_report *r, const struct ctx *c, struct block *b)
{
    char a[64];
    report_set_text(r, b, report_tr(c, "report.goal.count_only"),
                    report_cell_str(c, report_cell(r, "mal", b->goal->id, "count", -1), a, sizeof a),
                    report_tr(c, b->goal->persons ? "report.goal.unit.persons"
                                                  : "report.goal.unit.episodes"));
}

static void fill_days_outcome(utfall_report *r, const struct ctx *c, struct block *b)
{
    struct cellref n = report_cell(r, b->prefix, "rows", "n", -1);
    struct cellref mean = report_cell(r, b->prefix, "rows", "mean_days", -1);
    char m[64], nn[64];
    if (!(report_cell_num(n) > 0) && !report_cell_hidden(n)) {
        report_set_text(r, b, "%s", report_tr(c, "report.goal.no_data"));
        return;
    }
    report_set_text(r, b, report_tr(c, "report.goal.days_outcome"), report_cell_str(c, mean, m, sizeof m),
                    report_cell_str(c, n, nn, sizeof nn));
}

static void fill_days_verdict(utfall_report *r, const struct ctx *c, struct block *b)
{
    struct cellref met = report_cell(r, b->prefix, "rows", "met", -1);
    if (report_cell_hidden(met))
        report_set_text(r, b, "%s", report_tr(c, "report.goal.verdict_hidden"));
    else if (isfinite(report_cell_num(met)))
        report_set_text(r, b, "%s", report_tr(c, report_cell_num(met) > 0 ? "report.goal.met"
                                                                        : "report.goal.days_not_met"));
}

static void free_pass(struct goal_pass *gp)
{
    for (size_t i = 0; i < gp->nvalues; i++)
        free(gp->values[i]);
    free(gp->values);
    utfall_hashset_free(gp->persons);
}

/* The goal's lines, then its table. */
static utfall_status goal_blocks(utfall_report *r, const struct ctx *c, struct goal_pass *gp,
                                 utfall_doc *d, utfall_error *err)
{
    const utfall_goal_spec *g = gp->g;
    char measure[512], prefix[64];
    snprintf(prefix, sizeof prefix, "mal_%s", g->id);
    report_goal_measure(c, g, measure, sizeof measure);
    report_para(r, UTFALL_BLOCK_LIST_ITEM, "%s", measure);
    scope_lines(r, c, g);
    target_line(r, c, g);
    struct goal_conds k;
    goal_conditions(gp, &k);
    declare(r, gp, &k);
    utfall_status st = UTFALL_OK;
    if (g->kind == UTFALL_GOAL_COUNT) {
        report_defer(r, UTFALL_BLOCK_LIST_ITEM, fill_count_outcome, NULL, g);
        report_defer_verdict(r, report_fill_count_verdict, NULL, g);
        count_table(r, gp, &k);
        utfall_doc_free(d);
        return UTFALL_OK;
    }
    if (g->kind == UTFALL_GOAL_DAYS) {
        report_defer(r, UTFALL_BLOCK_LIST_ITEM, fill_days_outcome, prefix, g);
        report_defer_verdict(r, fill_days_verdict, prefix, g);
        st = days_table(gp, &k, d, err);
    } else {
        report_defer(r, UTFALL_BLOCK_LIST_ITEM, fill_share_outcome, prefix, g);
        report_defer_verdict(r, report_fill_share_verdict, prefix, g);
        st = share_table(gp, &k, d, err);
    }
    if (st) {
        utfall_doc_free(d);
        return st;
    }
    report_adopt_weighted(r, d, prefix, 1, 100); /* what the report is for */
    char tk[96];
    snprintf(tk, sizeof tk, "%s_rows", prefix);
    tk[31] = '\0';
    for (size_t i = r->n; i-- > 0;)
        if (r->blocks[i].kind == UTFALL_BLOCK_TABLE && !strcmp(r->blocks[i].text, tk)) {
            r->blocks[i].titled_by_heading = 1;
            break;
        }
    return UTFALL_OK;
}

utfall_status report_extended_goal(utfall_report *r, const struct ctx *c,
                                   const utfall_goal_spec *g, utfall_report_open_fn open,
                                   void *octx, int *pass, utfall_error *err)
{
    struct goal_pass gp = {.c = c, .g = g};
    utfall_hours_options ho;
    utfall_hours_options_init(&ho);
    gp.tolerance = ho.tolerance;
    if (g->persons && !(gp.persons = utfall_hashset_new()))
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    utfall_doc *d;
    utfall_status st = report_run(open, octx, pass, goal_pass_fn, &gp, &d, err);
    if (!st)
        st = goal_blocks(r, c, &gp, d, err); /* which adopts or frees d */
    free_pass(&gp);
    return st;
}
