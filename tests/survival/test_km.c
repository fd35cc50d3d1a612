/* Kaplan–Meier and log-rank against R (see reference.R).
 * usage: test_km DIR km|logrank|errors */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tsv.h"
#include "utfall/utfall.h"

typedef struct km_case {
    const char *name;
    int n_groups;
    size_t n;
    double *time;
    int *event;
    int *group;
} km_case;

static km_case *load_cases(const char *dir, size_t *n_cases, tsv **keep_meta, tsv **keep_data)
{
    tsv *meta = tsv_read(dir, "km_cases.tsv");
    tsv *data = tsv_read(dir, "km_data.tsv");
    km_case *cs = calloc(meta->n_rows, sizeof *cs);
    for (size_t c = 0; c < meta->n_rows; c++) {
        cs[c].name = tsv_str(meta, c, "case");
        cs[c].n_groups = (int)tsv_num(meta, c, "n_groups");
        cs[c].time = malloc(data->n_rows * sizeof(double));
        cs[c].event = malloc(data->n_rows * sizeof(int));
        cs[c].group = malloc(data->n_rows * sizeof(int));
        for (size_t r = 0; r < data->n_rows; r++) {
            if (strcmp(tsv_str(data, r, "case"), cs[c].name) != 0)
                continue;
            cs[c].time[cs[c].n] = tsv_num(data, r, "time");
            cs[c].event[cs[c].n] = (int)tsv_num(data, r, "event");
            cs[c].group[cs[c].n] = (int)tsv_num(data, r, "group");
            cs[c].n++;
        }
    }
    *n_cases = meta->n_rows;
    *keep_meta = meta;
    *keep_data = data;
    return cs;
}

static const km_case *find_case(const km_case *cs, size_t n, const char *name)
{
    for (size_t c = 0; c < n; c++)
        if (strcmp(cs[c].name, name) == 0)
            return &cs[c];
    fprintf(stderr, "test setup: unknown case %s\n", name);
    exit(99);
}

static int run_km(const char *dir, const km_case *cs, size_t n_cases)
{
    tsv *ex = tsv_read(dir, "km_expected.tsv");
    utfall_km **fits = calloc(n_cases, sizeof *fits);
    long prev_events = 0;
    const char *prev_case = "";
    int prev_group = -1;
    for (size_t r = 0; r < ex->n_rows; r++) {
        const char *name = tsv_str(ex, r, "case");
        const km_case *c = find_case(cs, n_cases, name);
        size_t ci = (size_t)(c - cs);
        utfall_error err;
        utfall_error_clear(&err);
        if (!fits[ci] && utfall_km_fit(c->n, c->time, c->event, c->group, c->n_groups, 0.95,
                                       &fits[ci], &err) != UTFALL_OK) {
            check_fail("%s: utfall_km_fit: %s", name, err.text);
            return 1;
        }
        int g = (int)tsv_num(ex, r, "group");
        double t = tsv_num(ex, r, "t");
        if (strcmp(prev_case, name) != 0 || prev_group != g)
            prev_events = 0;
        prev_case = name;
        prev_group = g;
        utfall_km_point p;
        char where[256];
        snprintf(where, sizeof where, "%s group %d t=%g", name, g, t);
        if (utfall_km_at(fits[ci], g, t, &p, &err) != UTFALL_OK) {
            check_fail("%s: utfall_km_at: %s", where, err.text);
            continue;
        }
        check_int("in_summary", where, !p.beyond_last, (long)tsv_num(ex, r, "in_summary"));
        check_int("n_risk", where, p.n_risk, (long)tsv_num(ex, r, "n_risk"));
        check_int("n_event since previous t", where, p.n_event - prev_events,
                  (long)tsv_num(ex, r, "n_event"));
        prev_events = p.n_event;
        check_num("surv", where, p.surv, tsv_num(ex, r, "surv"));
        check_num("se_surv", where, p.se_surv, tsv_num(ex, r, "se_surv"));
        check_num("se_log_surv", where, p.se_log_surv, tsv_num(ex, r, "se_log_surv"));
        check_num("lower_surv", where, p.lower_surv, tsv_num(ex, r, "lower_surv"));
        check_num("upper_surv", where, p.upper_surv, tsv_num(ex, r, "upper_surv"));
        check_num("cum_share", where, p.cum_share, tsv_num(ex, r, "cum_share"));
        check_num("ci_low", where, p.ci_low, tsv_num(ex, r, "ci_low"));
        check_num("ci_high", where, p.ci_high, tsv_num(ex, r, "ci_high"));
    }
    for (size_t c = 0; c < n_cases; c++)
        utfall_km_free(fits[c]);
    free(fits);
    tsv_free(ex);
    return 0;
}

static int run_logrank(const char *dir, const km_case *cs, size_t n_cases)
{
    tsv *ex = tsv_read(dir, "logrank_expected.tsv");
    tsv *gx = tsv_read(dir, "logrank_groups_expected.tsv");
    for (size_t r = 0; r < ex->n_rows; r++) {
        const char *name = tsv_str(ex, r, "case");
        const km_case *c = find_case(cs, n_cases, name);
        double *obs = calloc((size_t)c->n_groups, sizeof *obs);
        double *exp_ = calloc((size_t)c->n_groups, sizeof *exp_);
        utfall_logrank lr;
        utfall_error err;
        utfall_error_clear(&err);
        if (utfall_logrank_test(c->n, c->time, c->event, c->group, c->n_groups, &lr, obs, exp_,
                                &err) != UTFALL_OK) {
            check_fail("%s: utfall_logrank_test: %s", name, err.text);
            free(obs);
            free(exp_);
            continue;
        }
        int tested = (int)tsv_num(ex, r, "tested");
        check_int("tested", name, lr.tested, tested);
        if (tested) {
            check_num("chisq", name, lr.chisq, tsv_num(ex, r, "chisq"));
            check_int("df", name, lr.df, (long)tsv_num(ex, r, "df"));
            check_num("p_value", name, lr.p_value, tsv_num(ex, r, "p_value"));
        } else {
            /* R: p = 1 (df 0), NA (df -1) or an error; we say "not tested" */
            check_num("chisq", name, lr.chisq, 0.0);
            check_int("df", name, lr.df, 0);
            check_num("p_value", name, lr.p_value, NAN);
        }
        for (size_t k = 0; k < gx->n_rows; k++) {
            if (strcmp(tsv_str(gx, k, "case"), name) != 0)
                continue;
            int g = (int)tsv_num(gx, k, "group");
            char where[256];
            snprintf(where, sizeof where, "%s group %d", name, g);
            check_num("observed", where, obs[g], tsv_num(gx, k, "observed"));
            check_num("expected", where, exp_[g], tsv_num(gx, k, "expected"));
        }
        free(obs);
        free(exp_);
    }
    tsv_free(ex);
    tsv_free(gx);
    return 0;
}

/* Bad input comes back as a value naming the row. */
static int run_errors(void)
{
    double time[] = {1, 2, -3, 4};
    int event[] = {1, 0, 1, 0}, group[] = {0, 1, 0, 1};
    utfall_km *km = NULL;
    utfall_error err;
    utfall_error_clear(&err);
    check_int("negative time status", "errors",
              utfall_km_fit(4, time, event, group, 2, 0.95, &km, &err), UTFALL_ERR_DATA);
    check_int("negative time record", "errors", err.record, 3);
    check_int("no curve on error", "errors", km == NULL, 1);

    time[2] = 3;
    event[1] = 2;
    utfall_error_clear(&err);
    utfall_logrank lr;
    check_int("bad event status", "errors",
              utfall_logrank_test(4, time, event, group, 2, &lr, NULL, NULL, &err),
              UTFALL_ERR_DATA);
    check_int("bad event record", "errors", err.record, 2);

    event[1] = 0;
    group[3] = 2;
    utfall_error_clear(&err);
    check_int("bad group status", "errors",
              utfall_km_fit(4, time, event, group, 2, 0.95, &km, &err), UTFALL_ERR_DATA);
    check_int("bad group record", "errors", err.record, 4);

    group[3] = 1;
    time[0] = NAN;
    check_int("NaN time", "errors", utfall_km_fit(4, time, event, group, 2, 0.95, &km, &err),
              UTFALL_ERR_DATA);
    time[0] = 1;
    check_int("bad level", "errors", utfall_km_fit(4, time, event, group, 2, 1.0, &km, &err),
              UTFALL_ERR_USAGE);

    /* an empty group has no curve: S = 1, nobody at risk */
    check_int("fit with empty group", "errors",
              utfall_km_fit(4, time, event, group, 3, 0.95, &km, &err), UTFALL_OK);
    utfall_km_point p;
    check_int("read empty group", "errors", utfall_km_at(km, 2, 10, &p, &err), UTFALL_OK);
    check_num("empty group S", "errors", p.surv, 1.0);
    check_int("empty group n_risk", "errors", p.n_risk, 0);
    check_int("empty group beyond_last", "errors", p.beyond_last, 1);
    check_int("empty group n", "errors", (long)utfall_km_group_n(km, 2), 0);
    check_int("unknown group", "errors", utfall_km_at(km, 3, 10, &p, &err), UTFALL_ERR_USAGE);
    check_int("NaN t", "errors", utfall_km_at(km, 0, NAN, &p, &err), UTFALL_ERR_USAGE);
    /* steps are the distinct times */
    check_int("steps", "errors", (long)utfall_km_n_steps(km, 0), 2);
    check_int("step 1", "errors", utfall_km_step(km, 0, 1, &p, &err), UTFALL_OK);
    check_num("step 1 time", "errors", p.t, 3.0);
    check_int("step out of range", "errors", utfall_km_step(km, 0, 2, &p, &err),
              UTFALL_ERR_USAGE);
    utfall_km_free(km);

    /* zero rows: a valid, empty fit and no test */
    km = NULL;
    check_int("zero rows", "errors", utfall_km_fit(0, NULL, NULL, NULL, 2, 0.95, &km, &err),
              UTFALL_OK);
    utfall_km_free(km);
    check_int("zero rows logrank", "errors",
              utfall_logrank_test(0, NULL, NULL, NULL, 2, &lr, NULL, NULL, &err), UTFALL_OK);
    check_int("zero rows not tested", "errors", lr.tested, 0);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s DIR km|logrank|errors\n", argv[0]);
        return 99;
    }
    utfall_init();
    if (strcmp(argv[2], "errors") == 0) {
        run_errors();
        return checks_report("km errors");
    }
    size_t n_cases;
    tsv *meta, *data;
    km_case *cs = load_cases(argv[1], &n_cases, &meta, &data);
    if (strcmp(argv[2], "km") == 0)
        run_km(argv[1], cs, n_cases);
    else
        run_logrank(argv[1], cs, n_cases);
    for (size_t c = 0; c < n_cases; c++) {
        free(cs[c].time);
        free(cs[c].event);
        free(cs[c].group);
    }
    free(cs);
    tsv_free(meta);
    tsv_free(data);
    return checks_report(argv[2]);
}
