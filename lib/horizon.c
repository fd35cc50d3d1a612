#include "utfall/horizon.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/goal.h"
#include "utfall/group.h"
#include "utfall/pnr.h"
#include "utfall/summary.h"
#include "utfall/survival.h"

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
        return utfall_error_set(err, UTFALL_ERR_USAGE, "bad-months",
                                "--months takes 1 to %d whole numbers such as 6,12,15",
                                UTFALL_HORIZON_MAX_MONTHS);
    for (size_t i = 0; i < n; i++) {
        char *end;
        long m = strtol(items[i], &end, 10);
        if (*end || end == items[i] || m < 0 || m > 600)
            return utfall_error_set(err, UTFALL_ERR_USAGE, "bad-months",
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
                    utfall_error_set(err, UTFALL_ERR_DATA, "missing-column",
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
        } else {
            for (size_t i = 0; i < rec.nfields && !bad; i++)
                if (rec.lengths[i] >= 10 && utfall_pnr_find(rec.fields[i], rec.lengths[i], NULL, NULL)) {
                    utfall_error_set(err, UTFALL_ERR_PRIVACY, "personal-number",
                                     "contains a personal identity number; refusing the file "
                                     "(the value is not shown)");
                    utfall_error_locate(err, utfall_csv_name(r), rec.line, 0, NULL);
                    utfall_csv_close(r);
                    return UTFALL_ERR_PRIVACY;
                }
            const char *id = rec.fields[col[SP_ID]], *status = rec.fields[col[SP_STATUS]];
            const char *from = rec.fields[col[SP_FROM]], *to = rec.fields[col[SP_TO]];
            int rcd;
            who = find_participant(st, utfall_hash_str(0, id));
            if (who < 0) {
                badcol = headers[SP_ID];
                bad = utfall_error_set(err, UTFALL_ERR_DATA, "unknown-id",
                                       "'%s' is not a participant in the extract", id);
            } else if (utfall_outcome_parse(status, &sp.status)) {
                badcol = headers[SP_STATUS];
                bad = utfall_error_set(err, UTFALL_ERR_DATA, "unknown-status",
                                       "unknown status '%s' (accepted: the outcome vocabulary: "
                                       "arbete, arbete_med_stod, studier, arbetssokande, praktik, "
                                       "annan_insats, vard, foraldraledighet, flytt, "
                                       "ej_kontaktbar, avbrott, annat)", status);
            } else if ((rcd = utfall_date_parse(from, &sp.from)) != 0) {
                badcol = headers[SP_FROM];
                bad = utfall_error_set(err, UTFALL_ERR_DATA, rcd == -2 ? "impossible-date" : "bad-date",
                                       "'%s' is not a valid date (accepted: 2014-06-30 or 20140630)",
                                       from);
            } else if (!*to) {
                sp.to = UTFALL_DATE_NONE;
            } else if ((rcd = utfall_date_parse(to, &sp.to)) != 0) {
                badcol = headers[SP_TO];
                bad = utfall_error_set(err, UTFALL_ERR_DATA, rcd == -2 ? "impossible-date" : "bad-date",
                                       "'%s' is not a valid date (accepted: 2014-06-30 or 20140630)",
                                       to);
            } else if (sp.to < sp.from) {
                badcol = headers[SP_TO];
                bad = utfall_error_set(err, UTFALL_ERR_DATA, "till-before-fran",
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
                return utfall_error_set(err, UTFALL_ERR_NOMEM, "nomem", "out of memory");
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
        return utfall_error_set(err, UTFALL_ERR_NOMEM, "nomem", "out of memory");
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
    char ck[160];
    for (size_t k = 0; k < utfall_grouper_nkeys(g); k++) {
        const char *key = utfall_grouper_key_name(g, k);
        snprintf(ck, sizeof ck, "col.%s", key);
        utfall_table_add_column(t, key, utfall_tr(lang, ck) == ck ? NULL : ck, UTFALL_COL_GROUP, 0);
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
            int r = utfall_table_add_row(t, 0);
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
    utfall_table *t = utfall_table_new(key, 0);
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

utfall_status utfall_horizon_compute(utfall_extract *x, const utfall_horizon_options *opt,
                                     utfall_doc *doc, utfall_error *err)
{
    utfall_lang lang = opt->lang;
    if (!opt->spells_path)
        return utfall_error_set(err, UTFALL_ERR_USAGE, "no-spells",
                                "--spells FILE is required (one row per status spell)");
    char keys[512];
    snprintf(keys, sizeof keys, "%s%s%s", opt->by ? opt->by : "insats",
             opt->strata && *opt->strata ? "," : "", opt->strata ? opt->strata : "");
    char byitems[8][128];
    size_t nby = utfall_split_list(opt->by ? opt->by : "insats", byitems, 8);
    if (opt->ref && nby != 1)
        return utfall_error_set(err, UTFALL_ERR_USAGE, "ref-needs-one-by",
                                "--ref compares values of one --by column; give one");
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
    utfall_hashset *seen = utfall_hashset_new();
    if (!seen)
        goto nomem;

    /* participants */
    utfall_row row;
    int got;
    while ((got = utfall_extract_next(x, &row, err)) == 1) {
        utfall_date end = opt->followed_until != UTFALL_DATE_NONE ? opt->followed_until
                                                                  : row.uppfoljd_till;
        if (end == UTFALL_DATE_NONE) {
            rc = utfall_error_set(err, UTFALL_ERR_DATA, "no-followup",
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
            rc = utfall_error_set(err, UTFALL_ERR_DATA, "duplicate-id",
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
        utfall_table *ct = utfall_table_new("comparisons", 0);
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
                    int r = utfall_table_add_row(ct, 0);
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
            rc = utfall_error_set(err, UTFALL_ERR_USAGE, "unknown-ref",
                                  "--ref %s: no participant has %s = %s", opt->ref,
                                  utfall_grouper_key_name(g, 0), opt->ref);
            goto done;
        }
        utfall_table_add_note(ct, utfall_tr(lang, "note.horizon.comparisons"));
        utfall_doc_add(doc, ct);
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
        utfall_table *kt = utfall_table_new("km", 0);
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
                int r = utfall_table_add_row(kt, 0);
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
        utfall_table *lt = utfall_table_new("logrank", 0);
        if (!lt)
            goto nomem;
        utfall_table_set_title(lt, utfall_tr(lang, "title.logrank"));
        size_t nk = utfall_grouper_nkeys(g);
        for (size_t k = nby; k < nk; k++) {
            char ck[160];
            const char *key = utfall_grouper_key_name(g, k);
            snprintf(ck, sizeof ck, "col.%s", key);
            utfall_table_add_column(lt, key, utfall_tr(lang, ck) == ck ? NULL : ck, UTFALL_COL_GROUP, 0);
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
            int r = utfall_table_add_row(lt, nk == nby);
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
    utfall_table *sp = utfall_table_new("spells", 1);
    if (!sp)
        goto nomem;
    utfall_table_set_machine_only(sp);
    utfall_table_set_no_suppress(sp);
    int c1 = utfall_table_add_column(sp, "participants", NULL, UTFALL_COL_COUNT, 0);
    int c2 = utfall_table_add_column(sp, "spells_read", NULL, UTFALL_COL_COUNT, 0);
    int c3 = utfall_table_add_column(sp, "spells_used", NULL, UTFALL_COL_COUNT, 0);
    int c4 = utfall_table_add_column(sp, "spells_rejected", NULL, UTFALL_COL_COUNT, 0);
    int r = utfall_table_add_row(sp, 0);
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
    rc = utfall_error_set(err, UTFALL_ERR_NOMEM, "nomem", "out of memory");
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
    utfall_hashset_free(seen);
    utfall_grouper_free(g);
    return rc;
}
