#include "utfall/horizon.h"
#include "utfall/protect.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/goal.h"
#include "utfall/group.h"
#include "utfall/logistic.h"
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
    opt->max_rejected = 0.05;
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

/* Columns declared in a colspec array, in order; the index of the first. */
#define ADD_COLUMNS(t, spec) \
    utfall_table_add_columns((t), (spec), sizeof(spec) / sizeof(spec)[0])

static utfall_status out_of_memory(utfall_error *err)
{
    return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
}

/* ------------------------------------------------------------ the run */

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

static void run_free(struct horizon_run *run)
{
    struct cohort *c = &run->c;
    utfall_km_free(run->km);
    free(run->km_time);
    free(run->km_event);
    free(run->cells);
    free(run->curve);
    free(run->steps);
    free(c->p);
    free(c->slots);
    free(c->s);
    free(c->first);
    /* slots past the last participant are NULL (grown zeroed) or hold the
     * values of one whose copying failed half-way */
    for (size_t i = 0; i < c->covcap; i++)
        free(c->cov[i]);
    free(c->cov);
    for (size_t k = 0; k < run->ncov; k++)
        utfall_colref_free(run->cv[k].ref);
    utfall_grouper_free(run->g);
}

/* Groups a and b belong to the same stratum when their strata keys agree. */
static int same_stratum(const struct horizon_run *run, size_t a, size_t b)
{
    for (size_t k = run->nby; k < run->nkeys; k++)
        if (strcmp(utfall_grouper_value(run->g, a, k), utfall_grouper_value(run->g, b, k)))
            return 0;
    return 1;
}

static utfall_status unknown_ref(const struct horizon_run *run)
{
    const char *ref = run->opt->ref;
    return utfall_error_set(run->err, UTFALL_ERR_USAGE, UTFALL_EC_UNKNOWN_REF,
                            "--ref %s: no participant has %s = %s", ref,
                            utfall_grouper_key_name(run->g, 0), ref);
}

/* ------------------------------------------------------------ options */

static utfall_status check_options(struct horizon_run *run)
{
    const utfall_horizon_options *opt = run->opt;
    if (!opt->spells_path && !opt->nspells)
        return utfall_error_set(run->err, UTFALL_ERR_USAGE, UTFALL_EC_NO_SPELLS,
                                "--spells FILE is required (one row per status spell)");
    size_t nspells = opt->nspells ? opt->nspells : 1, nfiles = utfall_extract_nfiles(run->x);
    if (nspells != nfiles && !(nspells == 1 && utfall_extract_ids_shared(run->x)))
        return utfall_error_set(run->err, UTFALL_ERR_USAGE, UTFALL_EC_SPELLS_PER_EXTRACT,
                                "spells files: %zu, extracts: %zu; give one --spells per "
                                "extract, in the same order (or one for all with --shared-ids)",
                                nspells, nfiles);
    char byitems[8][128];
    run->nby = utfall_split_list(opt->by ? opt->by : "insats", byitems, 8);
    if (opt->ref && run->nby != 1)
        return utfall_error_set(run->err, UTFALL_ERR_USAGE, UTFALL_EC_REF_NEEDS_ONE_BY,
                                "--ref compares values of one --by column; give one");
    if (opt->adjust && !opt->ref)
        return utfall_error_set(run->err, UTFALL_ERR_USAGE, UTFALL_EC_ADJUST_NEEDS_REF,
                                "--adjust needs --ref VALUE: the reference group of the odds "
                                "ratios, e.g. --ref FS");
    return UTFALL_OK;
}

/* The groups are the --by keys followed by the --strata keys. */
static utfall_status open_groups(struct horizon_run *run)
{
    const utfall_horizon_options *opt = run->opt;
    char keys[512];
    snprintf(keys, sizeof keys, "%s%s%s", opt->by ? opt->by : "insats",
             opt->strata && *opt->strata ? "," : "", opt->strata ? opt->strata : "");
    utfall_status st = utfall_grouper_new(run->x, keys, &run->g, run->err);
    if (!st)
        run->nkeys = utfall_grouper_nkeys(run->g);
    return st;
}

/* The message (a format with the column's %s) when covariate c repeats
 * one before it or the --by column; NULL when it does not. */
static const char *covariate_clash(const struct horizon_run *run, const struct covariate *c)
{
    for (const struct covariate *o = run->cv; o < c; o++)
        if (!strcmp(o->name, c->name))
            return "--adjust: '%s' is given twice";
    if (!strcmp(c->name, utfall_grouper_key_name(run->g, 0)))
        return "--adjust: '%s' is the --by column, already in the model";
    return NULL;
}

static utfall_status parse_covariates(struct horizon_run *run)
{
    utfall_error *err = run->err;
    char items[MAX_COVARIATES + 1][128];
    size_t n = utfall_split_list(run->opt->adjust, items, MAX_COVARIATES + 1);
    if (n == 0 || n > MAX_COVARIATES)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ADJUST,
                                "--adjust takes 1 to %d column names such as kon,alder",
                                MAX_COVARIATES);
    for (size_t k = 0; k < n; k++) {
        utfall_colref *ref;
        if (utfall_colref_new(run->x, items[k], &ref, err)) {
            if (err->status == UTFALL_ERR_USAGE)
                utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_UNKNOWN_COLUMN,
                                 "--adjust: no column '%s' in the extract (canonical "
                                 "fields such as kon or alder, extra columns, and the "
                                 "derived keys fil, inskriven_ar, inskriven_kvartal, "
                                 "aldersgrupp, status are accepted)", items[k]);
            return err->status;
        }
        struct covariate *c = &run->cv[run->ncov++];
        *c = (struct covariate){ref, utfall_colref_name(ref), 0};
        const char *clash = covariate_clash(run, c);
        if (clash)
            return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ADJUST, clash, items[k]);
    }
    return UTFALL_OK;
}

/* ------------------------------------------------------- participants */

static long find_participant(const struct cohort *c, uint64_t id)
{
    if (!c->nslots)
        return -1;
    size_t j = id & (c->nslots - 1);
    while (c->slots[j]) {
        if (c->p[c->slots[j] - 1].id == id)
            return (long)c->slots[j] - 1;
        j = (j + 1) & (c->nslots - 1);
    }
    return -1;
}

static int index_participants(struct cohort *c)
{
    size_t n = 16;
    while (n < c->np * 2 + 2)
        n *= 2;
    c->slots = calloc(n, sizeof *c->slots);
    if (!c->slots)
        return -1;
    c->nslots = n;
    for (size_t i = 0; i < c->np; i++) {
        size_t j = c->p[i].id & (n - 1);
        while (c->slots[j])
            j = (j + 1) & (n - 1);
        c->slots[j] = i + 1;
    }
    return 0;
}

/* The covariate values of the participant about to be added, as given. */
static int keep_covariates(struct horizon_run *run, const utfall_row *row)
{
    struct cohort *c = &run->c;
    size_t at = c->np * run->ncov;
    if (UTFALL_GROW(c->cov, c->covcap, at + run->ncov))
        return -1;
    for (size_t k = 0; k < run->ncov; k++) {
        char buf[64];
        const char *v = utfall_row_value(row, run->cv[k].ref, buf, sizeof buf);
        if (!(c->cov[at + k] = strdup(v)))
            return -1;
    }
    return 0;
}

static utfall_status add_participant(struct horizon_run *run, const utfall_row *row,
                                     utfall_hashset *seen)
{
    const utfall_horizon_options *opt = run->opt;
    utfall_error *err = run->err;
    struct cohort *c = &run->c;
    utfall_date end = opt->followed_until != UTFALL_DATE_NONE ? opt->followed_until
                                                              : row->uppfoljd_till;
    if (end == UTFALL_DATE_NONE) {
        utfall_status st = utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_NO_FOLLOWUP,
                                            "no follow-up end: the row has no uppfoljd_till "
                                            "(give the column, or --followed-until DATE for "
                                            "everyone)");
        utfall_error_locate(err, row->file_base, row->line, 0, NULL);
        return st;
    }
    uint64_t id = row->person;
    int added = utfall_hashset_add(seen, id);
    if (added < 0)
        return out_of_memory(err);
    if (!added) {
        utfall_status st = utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_DUPLICATE_ID,
                                            "id '%s' appears twice: utfall horizon takes one "
                                            "row per participant (their start and follow-up)",
                                            row->id);
        utfall_error_locate(err, row->file_base, row->line, 0, "id");
        return st;
    }
    long gi = utfall_grouper_index(run->g, row);
    if (gi < 0 || UTFALL_GROW(c->p, c->pcap, c->np + 1)
        || (run->ncov && keep_covariates(run, row)))
        return out_of_memory(err);
    c->p[c->np++] = (struct participant){id, gi, row->inskriven, end, row->line};
    return UTFALL_OK;
}

static utfall_status read_participants(struct horizon_run *run)
{
    utfall_hashset *seen = utfall_hashset_new();
    if (!seen)
        return out_of_memory(run->err);
    utfall_status st = UTFALL_OK;
    utfall_row row;
    int got = 0;
    while (!st && (got = utfall_extract_next(run->x, &row, run->err)) == 1)
        st = add_participant(run, &row, seen);
    utfall_hashset_free(seen);
    if (!st && got < 0)
        st = run->err->status;
    if (!st && index_participants(&run->c))
        st = out_of_memory(run->err);
    return st;
}

/* ------------------------------------------------------------- spells */

enum { SP_ID, SP_STATUS, SP_FROM, SP_TO, SP_COUNT };

struct spell_file {
    utfall_csv_reader *r;
    const utfall_extract *x;
    size_t extract_file;          /* whose ids it names */
    const utfall_value_map *map;  /* --status-map */
    utfall_date_style dates;
    FILE *rejects;
    int header_written;
    char header_line[1024]; /* as read, for --rejects */
    long col[SP_COUNT];            /* field of each SP_ column */
    char headers[SP_COUNT][128];   /* as written, for messages */
};

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

static utfall_status spell_header(struct spell_file *f, const utfall_csv_record *rec,
                                  utfall_error *err)
{
    static const char *const names[SP_COUNT] = {"id", "status", "fran", "till"};
    snprintf(f->header_line, sizeof f->header_line, "%.*s", (int)rec->raw_len, rec->raw);
    for (size_t i = 0; i < rec->nfields; i++) {
        int c = spell_column(rec->fields[i]);
        if (c >= 0 && f->col[c] < 0) {
            f->col[c] = (long)i;
            snprintf(f->headers[c], sizeof f->headers[c], "%s", rec->fields[i]);
        }
    }
    for (int c = 0; c < SP_COUNT; c++)
        if (f->col[c] < 0) {
            utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_MISSING_COLUMN,
                             "required column '%s' is missing (a spells file has id, "
                             "status, fran, till)", names[c]);
            utfall_error_locate(err, utfall_csv_name(f->r), rec->line, 0, NULL);
            return UTFALL_ERR_DATA;
        }
    return UTFALL_OK;
}

static utfall_status bad_spell_date(utfall_error *err, int rcd, const char *text)
{
    if (rcd == -3)
        return utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_AMBIGUOUS_DATE,
                                "'%s' can be read day first or month first: give "
                                "--date-format dmy (day first) or --date-format mdy",
                                text);
    return utfall_error_set(err, UTFALL_ERR_DATA,
                            rcd == -2 ? UTFALL_EC_IMPOSSIBLE_DATE : UTFALL_EC_BAD_DATE,
                            "'%s' is not a valid date (accepted: 2014-06-30 or 20140630)", text);
}

/* A status as written: --status-map first, then the vocabulary. */
static int spell_status(const struct spell_file *f, const char *text, int *out)
{
    if (f->map && (*out = utfall_value_map_lookup(f->map, text, NULL)) >= 0)
        return 0;
    return utfall_outcome_parse(text, out);
}

/* A well-formed row into *sp, or the error that makes it a bad row. */
static utfall_status parse_spell(const struct cohort *c, const struct spell_file *f,
                                 const utfall_csv_record *rec, struct spell *sp, utfall_error *err)
{
    const char *id = rec->fields[f->col[SP_ID]], *status = rec->fields[f->col[SP_STATUS]];
    const char *from = rec->fields[f->col[SP_FROM]], *to = rec->fields[f->col[SP_TO]];
    utfall_status bad = UTFALL_OK;
    int badcol = -1, rcd;
    long who = find_participant(c, utfall_extract_person(f->x, f->extract_file, id));
    if (who < 0) {
        badcol = SP_ID;
        bad = utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_UNKNOWN_ID,
                               "'%s' is not a participant in the extract", id);
    } else if (spell_status(f, status, &sp->status)) {
        badcol = SP_STATUS;
        bad = utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_UNKNOWN_STATUS,
                               "unknown status '%s' (accepted: the outcome vocabulary: "
                               "arbete, arbete_med_stod, studier, arbetssokande, praktik, "
                               "annan_insats, vard, foraldraledighet, flytt, "
                               "ej_kontaktbar, avbrott, annat)", status);
    } else if ((rcd = utfall_date_parse_as(from, f->dates, &sp->from)) != 0) {
        badcol = SP_FROM;
        bad = bad_spell_date(err, rcd, from);
    } else if (!*to) {
        sp->to = UTFALL_DATE_NONE;
    } else if ((rcd = utfall_date_parse_as(to, f->dates, &sp->to)) != 0) {
        badcol = SP_TO;
        bad = bad_spell_date(err, rcd, to);
    } else if (sp->to < sp->from) {
        badcol = SP_TO;
        bad = utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_TILL_BEFORE_FRAN,
                               "the spell ends (%s) before it starts (%s)", to, from);
    }
    if (bad) {
        utfall_error_locate(err, utfall_csv_name(f->r), rec->line, 0, f->headers[badcol]);
        return bad;
    }
    sp->who = (size_t)who;
    return UTFALL_OK;
}

/* With --rejects: the file's header once, then the spell as read. */
static void write_rejected_spell(struct spell_file *f, const utfall_csv_record *rec)
{
    if (!f->rejects)
        return;
    if (!f->header_written) {
        fputs(f->header_line, f->rejects);
        fputc('\n', f->rejects);
        f->header_written = 1;
    }
    fwrite(rec->raw, 1, rec->raw_len, f->rejects);
    fputc('\n', f->rejects);
}

/* got: 1 for a well-formed record, -2 for a malformed one (err says why). */
static utfall_status take_spell(struct horizon_run *run, struct spell_file *f,
                                const utfall_csv_record *rec, int got)
{
    const utfall_horizon_options *opt = run->opt;
    utfall_error *err = run->err;
    struct cohort *c = &run->c;
    c->spells_read++;
    /* the reader has refused a row with an identity number in it, even
     * with --skip-bad: a malformed row whole, a well-formed one field by
     * field */
    struct spell sp;
    utfall_status bad = got == -2 ? err->status : parse_spell(c, f, rec, &sp, err);
    if (bad) {
        if (!opt->skip_bad)
            return bad;
        c->spells_rejected++;
        if (opt->diag)
            opt->diag(opt->diag_ctx, err);
        utfall_error_clear(err);
        write_rejected_spell(f, rec);
        return UTFALL_OK;
    }
    if (UTFALL_GROW(c->s, c->scap, c->ns + 1))
        return out_of_memory(err);
    c->s[c->ns++] = sp;
    c->spells_used++;
    return UTFALL_OK;
}

static int cmp_spell(const void *a, const void *b)
{
    const struct spell *x = a, *y = b;
    if (x->who != y->who)
        return x->who < y->who ? -1 : 1;
    return x->from < y->from ? -1 : x->from > y->from;
}

/* Each participant's spells together, by start. */
static int index_spells(struct cohort *c)
{
    if (c->ns)
        qsort(c->s, c->ns, sizeof *c->s, cmp_spell);
    c->first = calloc(c->np + 1, sizeof *c->first);
    if (!c->first)
        return -1;
    for (size_t i = 0; i < c->ns; i++)
        c->first[c->s[i].who + 1]++;
    for (size_t i = 0; i < c->np; i++)
        c->first[i + 1] += c->first[i];
    return 0;
}

/* One spells file, whose ids are those of extract file `file`. */
static utfall_status read_spell_file(struct horizon_run *run, const char *path, size_t file,
                                     const utfall_value_map *map)
{
    const utfall_horizon_options *opt = run->opt;
    utfall_error *err = run->err;
    struct spell_file f = {.col = {-1, -1, -1, -1}, .x = run->x, .extract_file = file,
                           .map = map, .dates = opt->spells_dates, .rejects = opt->rejects};
    utfall_csv_options co = opt->spells_csv;
    co.flags &= ~(unsigned)UTFALL_CSV_UNGUARDED;
    co.channel = "spells file";
    utfall_status st = utfall_csv_open(&f.r, path, &co, err);
    if (st)
        return st;
    utfall_csv_record rec;
    int got;
    while (!st && (got = utfall_csv_next(f.r, &rec, err)) != 0) {
        if (got == -1)
            st = err->status;
        else if (rec.record == 1)
            st = spell_header(&f, &rec, err);
        else
            st = take_spell(run, &f, &rec, got);
    }
    utfall_csv_close(f.r);
    return st;
}

/* More spells rejected than the options allow: said whatever -q says. */
static void tell_rejected_spells(const struct horizon_run *run)
{
    const struct cohort *c = &run->c;
    if (!run->opt->diag || run->opt->max_rejected < 0 || !c->spells_read
        || (double)c->spells_rejected <= run->opt->max_rejected * (double)c->spells_read)
        return;
    utfall_error w;
    utfall_error_clear(&w);
    utfall_error_set(&w, UTFALL_OK, UTFALL_EC_TOO_MANY_REJECTED,
                     "%ld of %ld spells (%.0f%%) were rejected, more than the %.0f%% "
                     "--max-rejected allows: the outcome rests on the %ld spells used",
                     c->spells_rejected, c->spells_read,
                     100.0 * (double)c->spells_rejected / (double)c->spells_read,
                     100.0 * run->opt->max_rejected, c->spells_used);
    w.severity = UTFALL_SEV_WARNING;
    w.changes_results = 1;
    run->opt->diag(run->opt->diag_ctx, &w);
}

static utfall_status read_spells(struct horizon_run *run)
{
    const utfall_horizon_options *opt = run->opt;
    utfall_value_map *map = NULL;
    utfall_status st = opt->status_map_path
                           ? utfall_value_map_read(&map, opt->status_map_path,
                                                   UTFALL_VALUES_OUTCOME, "status map", run->err)
                           : UTFALL_OK;
    size_t n = opt->nspells ? opt->nspells : 1;
    for (size_t k = 0; !st && k < n; k++)
        st = read_spell_file(run, opt->nspells ? opt->spells_paths[k] : opt->spells_path,
                             n == 1 ? 0 : k, map);
    utfall_value_map_free(map);
    if (!st && index_spells(&run->c))
        st = out_of_memory(run->err);
    if (!st)
        tell_rejected_spells(run);
    return st;
}

/* Success at a date: any spell covering it has a success status. */
static int success_at(const struct cohort *c, size_t who, utfall_date date, unsigned success)
{
    for (size_t k = c->first[who]; k < c->first[who + 1]; k++) {
        const struct spell *sp = &c->s[k];
        if (sp->from > date)
            break; /* sorted by start */
        if ((sp->to == UTFALL_DATE_NONE || sp->to >= date) && ((success >> sp->status) & 1))
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------- counts */

/* Participant i at each of months[0..nm) after its start: censored when
 * follow-up ended before, else observed, and reached when in success. */
static void tally(const struct cohort *c, size_t i, struct cell *cells, const int *months,
                  size_t nm, unsigned success)
{
    const struct participant *p = &c->p[i];
    for (size_t m = 0; m < nm; m++) {
        utfall_date at = utfall_date_add_months(p->start, months[m]);
        struct cell *cl = &cells[(size_t)p->group * nm + m];
        if (at > p->end) {
            cl->censored++;
            continue;
        }
        cl->n++;
        cl->reached += success_at(c, i, at, success);
    }
}

static utfall_status count_cells(struct horizon_run *run)
{
    const utfall_horizon_options *opt = run->opt;
    run->ng = utfall_grouper_ngroups(run->g);
    run->order = utfall_grouper_order(run->g);
    if (!run->order)
        return out_of_memory(run->err);
    int hmax = 0;
    for (size_t m = 0; m < opt->nmonths; m++)
        if (opt->months[m] > hmax)
            hmax = opt->months[m];
    run->nsteps = (size_t)hmax + 1;
    size_t ng = run->ng ? run->ng : 1;
    run->steps = malloc(run->nsteps * sizeof *run->steps);
    run->cells = calloc(ng * opt->nmonths, sizeof *run->cells);
    if (opt->curve)
        run->curve = calloc(ng * run->nsteps, sizeof *run->curve);
    if (!run->steps || !run->cells || (opt->curve && !run->curve))
        return out_of_memory(run->err);
    for (int m = 0; m <= hmax; m++)
        run->steps[m] = m;
    for (size_t i = 0; i < run->c.np; i++) {
        tally(&run->c, i, run->cells, opt->months, opt->nmonths, opt->success);
        if (opt->curve)
            tally(&run->c, i, run->curve, run->steps, run->nsteps, opt->success);
    }
    return UTFALL_OK;
}

/* --------------------------------------------------- rows and curve */

/* The grouping columns from key `from` on. */
static void add_group_columns(utfall_table *t, const struct horizon_run *run, size_t from)
{
    for (size_t k = from; k < run->nkeys; k++)
        utfall_table_add_group_column(t, utfall_grouper_key_name(run->g, k), run->lang);
}

/* Group gi's values of keys from..to-1, in the columns added for them. */
static void set_group(utfall_table *t, int r, const struct horizon_run *run, size_t gi,
                      size_t from, size_t to)
{
    for (size_t k = from; k < to; k++)
        utfall_table_set_text(t, r, (int)(k - from), utfall_grouper_value(run->g, gi, k));
}

enum { SH_MONTH, SH_N, SH_CENSORED, SH_REACHED, SH_SHARE, SH_LOW, SH_HIGH };

static const utfall_colspec share_columns[] = {
    [SH_MONTH] = {"month", NULL, UTFALL_COL_COUNT, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
    [SH_N] = {"n", "col.observed", UTFALL_COL_COUNT, 0, 0, {0}, 0},
    [SH_CENSORED] = {"censored", NULL, UTFALL_COL_COUNT, 0, 0, {0}, 0},
    [SH_REACHED] = {"reached", "col.in_success", UTFALL_COL_COUNT, 0, 0, {0}, "n"},
    [SH_SHARE] = {"share", NULL, UTFALL_COL_SHARE, 1, 0, {"n", "reached"}, 0},
    [SH_LOW] = {"ci_low", NULL, UTFALL_COL_SHARE, 1, 0, {"n", "reached"}, 0},
    [SH_HIGH] = {"ci_high", NULL, UTFALL_COL_SHARE, 1, 0, {"n", "reached"}, 0},
};

static utfall_status share_rows(const struct horizon_run *run, utfall_table *t, int c0,
                                const struct cell *cells, const int *months, size_t nm)
{
    for (size_t k = 0; k < run->ng; k++)
        for (size_t m = 0; m < nm; m++) {
            const struct cell *c = &cells[run->order[k] * nm + m];
            int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
            set_group(t, r, run, run->order[k], 0, run->nkeys);
            utfall_table_set_num(t, r, c0 + SH_MONTH, months[m]);
            utfall_table_set_num(t, r, c0 + SH_N, (double)c->n);
            utfall_table_set_num(t, r, c0 + SH_CENSORED, (double)c->censored);
            utfall_table_set_num(t, r, c0 + SH_REACHED, (double)c->reached);
            utfall_interval iv;
            utfall_status s = utfall_prop_ci(c->reached, c->n, run->opt->level,
                                             UTFALL_PROP_CI_WILSON, &iv, run->err);
            if (s)
                return s;
            utfall_table_set_num(t, r, c0 + SH_SHARE, iv.estimate);
            utfall_table_set_num(t, r, c0 + SH_LOW, iv.lower);
            utfall_table_set_num(t, r, c0 + SH_HIGH, iv.upper);
        }
    return UTFALL_OK;
}

/* The share in success at months[0..nm) by group, from cells: the tables
 * rows and curve. */
static utfall_status share_table(const struct horizon_run *run, const char *key,
                                 const char *title_key, const struct cell *cells,
                                 const int *months, size_t nm, utfall_table **out)
{
    utfall_table *t = utfall_table_new(key, UTFALL_TABLE_ROWS);
    if (!t)
        return out_of_memory(run->err);
    utfall_table_set_title(t, utfall_tr(run->lang, title_key));
    add_group_columns(t, run, 0);
    int c0 = ADD_COLUMNS(t, share_columns);
    /* what each count counts (utfall/protect.h): a participant's status
     * at month m is one value of the dimension "h<m>" */
    utfall_table_column_cell(t, c0 + SH_N, "h{month}:reached,notreached");
    utfall_table_column_cell(t, c0 + SH_CENSORED, "h{month}:censored");
    utfall_table_column_cell(t, c0 + SH_REACHED, "h{month}:reached");
    utfall_status st = share_rows(run, t, c0, cells, months, nm);
    if (st) {
        utfall_table_free(t);
        return st;
    }
    *out = t;
    return UTFALL_OK;
}

static utfall_status rows_section(struct horizon_run *run)
{
    const utfall_horizon_options *opt = run->opt;
    utfall_lang lang = run->lang;
    utfall_table *t;
    utfall_status st = share_table(run, "rows", "title.horizon", run->cells, opt->months,
                                   opt->nmonths, &t);
    if (st)
        return st;
    for (size_t m = 0; m < opt->nmonths; m++) {
        static const char *const status[] = {"reached", "notreached", "censored"};
        char dim[32];
        snprintf(dim, sizeof dim, "h%d", opt->months[m]);
        for (int k = 0; k < 3; k++)
            utfall_doc_dimension_value(run->doc, dim, status[k]);
    }
    char note[1024], outcomes[512], a[64], b[64];
    utfall_outcome_set_describe(opt->success, lang, outcomes, sizeof outcomes);
    snprintf(note, sizeof note, utfall_tr(lang, "note.horizon.def"), outcomes);
    utfall_table_add_note(t, note);
    utfall_table_add_note(t, utfall_tr(lang, "note.horizon.censored"));
    utfall_fmt_percent(lang, opt->level, 0, a, sizeof a);
    snprintf(note, sizeof note, utfall_tr(lang, "note.goal.ci"), a, utfall_tr(lang, "method.wilson"));
    utfall_table_add_note(t, note);
    utfall_fmt_count(lang, run->c.spells_read, a, sizeof a);
    utfall_fmt_count(lang, run->c.spells_rejected, b, sizeof b);
    snprintf(note, sizeof note, utfall_tr(lang, "note.horizon.spells"), a, b);
    utfall_table_add_note(t, note);
    utfall_doc_add(run->doc, t);
    return UTFALL_OK;
}

static utfall_status curve_section(struct horizon_run *run)
{
    utfall_table *t;
    utfall_status st = share_table(run, "curve", "title.curve", run->curve, run->steps,
                                   run->nsteps, &t);
    if (!st) {
        /* a point for every month: too many to link, protected row by row */
        utfall_table_set_local_protection(t);
        utfall_table_derived_from(t, "rows");
        utfall_doc_add(run->doc, t);
    }
    return st;
}

/* -------------------------------------------------------- comparisons */

enum { CMP_REF, CMP_MONTH, CMP_DIFF, CMP_LOW, CMP_HIGH, CMP_P, CMP_TEST };

static const utfall_colspec comparison_columns[] = {
    [CMP_REF] = {"ref", NULL, UTFALL_COL_TEXT, 0, 0, {0}, 0},
    [CMP_MONTH] = {"month", NULL, UTFALL_COL_COUNT, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
    [CMP_DIFF] = {"diff", NULL, UTFALL_COL_PP, 1, 0, {0}, 0},
    [CMP_LOW] = {"diff_ci_low", "col.ci_low", UTFALL_COL_PP, 1, 0, {0}, 0},
    [CMP_HIGH] = {"diff_ci_high", "col.ci_high", UTFALL_COL_PP, 1, 0, {0}, 0},
    [CMP_P] = {"p_value", NULL, UTFALL_COL_PVALUE, 3, 0, {0}, 0},
    [CMP_TEST] = {"test", NULL, UTFALL_COL_TEXT, 0, 0, {0}, 0},
};

/* Chi-square, or Fisher's exact test when an expected count is below 5;
 * NaN and no test name when neither can be computed. */
static double two_by_two_p(const struct cell *a, const struct cell *b, const char **test,
                           utfall_error *err)
{
    long m4[4] = {a->reached, a->n - a->reached, b->reached, b->n - b->reached};
    utfall_chisq_result chi;
    double p = NAN;
    *test = "";
    if (utfall_chisq_test(m4, 2, 2, &chi, err) == UTFALL_OK && isfinite(chi.p_value)) {
        p = chi.p_value;
        *test = "chi2";
        if (chi.min_expected < 5) {
            utfall_fisher_exact_2x2(m4[0], m4[1], m4[2], m4[3], &p, err);
            *test = "fisher";
        }
    }
    utfall_error_clear(err);
    return p;
}

/* Group gi against the reference group r0 at opt->months[m]. */
static utfall_status comparison_row(const struct horizon_run *run, utfall_table *t, int c0,
                                    size_t gi, size_t r0, size_t m)
{
    const utfall_horizon_options *opt = run->opt;
    const struct cell *cg = &run->cells[gi * opt->nmonths + m];
    const struct cell *cr = &run->cells[r0 * opt->nmonths + m];
    int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
    set_group(t, r, run, gi, 0, run->nkeys);
    utfall_table_set_text(t, r, c0 + CMP_REF, opt->ref);
    utfall_table_set_num(t, r, c0 + CMP_MONTH, opt->months[m]);
    utfall_interval d;
    utfall_status st = utfall_prop_diff_newcombe(cg->reached, cg->n, cr->reached, cr->n,
                                                 opt->level, &d, run->err);
    if (st)
        return st;
    utfall_table_set_num(t, r, c0 + CMP_DIFF, d.estimate);
    utfall_table_set_num(t, r, c0 + CMP_LOW, d.lower);
    utfall_table_set_num(t, r, c0 + CMP_HIGH, d.upper);
    const char *test;
    utfall_table_set_num(t, r, c0 + CMP_P, two_by_two_p(cg, cr, &test, run->err));
    utfall_table_set_text(t, r, c0 + CMP_TEST, test);
    return UTFALL_OK;
}

/* Each group against the reference group of its stratum, per month. */
static utfall_status comparisons_section(struct horizon_run *run)
{
    const utfall_horizon_options *opt = run->opt;
    utfall_table *t = utfall_table_new("comparisons", UTFALL_TABLE_ROWS);
    if (!t)
        return out_of_memory(run->err);
    char title[256];
    snprintf(title, sizeof title, utfall_tr(run->lang, "title.comparisons"), opt->ref);
    utfall_table_set_title(t, title);
    add_group_columns(t, run, 0);
    int c0 = ADD_COLUMNS(t, comparison_columns);
    int found_ref = 0;
    utfall_status st = UTFALL_OK;
    for (size_t k = 0; k < run->ng && !st; k++) {
        size_t r0 = run->order[k];
        if (strcmp(utfall_grouper_value(run->g, r0, 0), opt->ref))
            continue;
        found_ref = 1;
        for (size_t j = 0; j < run->ng && !st; j++) {
            size_t gi = run->order[j];
            if (gi == r0 || !same_stratum(run, gi, r0))
                continue;
            for (size_t m = 0; m < opt->nmonths && !st; m++)
                st = comparison_row(run, t, c0, gi, r0, m);
        }
    }
    if (!st && !found_ref)
        st = unknown_ref(run);
    if (st) {
        utfall_table_free(t);
        return st;
    }
    utfall_table_add_note(t, utfall_tr(run->lang, "note.horizon.comparisons"));
    utfall_table_derived_from(t, "rows");
    utfall_doc_add(run->doc, t);
    return UTFALL_OK;
}

/* ------------------------------------------------------------ --adjust */

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

/* Values that are not finite numbers are missing. */
static utfall_status add_numeric_covariate(utfall_design *d, const char *name, char *const *vals,
                                           size_t np, size_t ncov, size_t k,
                                           unsigned char *missing, utfall_error *err)
{
    double *v = malloc((np ? np : 1) * sizeof *v);
    if (!v)
        return out_of_memory(err);
    for (size_t i = 0; i < np; i++) {
        const char *s = vals[i * ncov + k];
        if (!*s || utfall_number_parse(s, &v[i]) || !isfinite(v[i])) {
            v[i] = NAN;
            missing[i] = 1;
        }
    }
    utfall_status rc = utfall_design_add_numeric(d, name, v, err);
    free(v);
    return rc;
}

/* Adds a factor (levels: the distinct values given, in byte order; the
 * first is the reference, as R's factor() in the C locale) or a numeric
 * column for covariate k; *missing[i] is set for rows without a value. */
static utfall_status add_covariate(utfall_design *d, const struct covariate *c, char *const *vals,
                                   size_t np, size_t ncov, size_t k, unsigned char *missing,
                                   utfall_error *err)
{
    if (c->numeric)
        return add_numeric_covariate(d, c->name, vals, np, ncov, k, missing, err);
    const char **sorted = malloc((np ? np : 1) * sizeof *sorted);
    int *level = malloc((np ? np : 1) * sizeof *level);
    if (!sorted || !level) {
        free(sorted);
        free(level);
        return out_of_memory(err);
    }
    size_t nl = 0;
    for (size_t i = 0; i < np; i++)
        if (*vals[i * ncov + k])
            sorted[nl++] = vals[i * ncov + k];
    if (nl == 0) {
        /* no value at all: every row is missing, and the fit says so */
        free(sorted);
        free(level);
        return add_numeric_covariate(d, c->name, vals, np, ncov, k, missing, err);
    }
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
    utfall_status rc = utfall_design_add_factor(d, c->name, level, (int)u, 0, sorted, NULL, err);
    free(sorted);
    free(level);
    return rc;
}

/* The model of the adjusted section and what one month's fit leaves for
 * its tables. */
struct adjust_run {
    const char **lev;       /* the --by levels in display order */
    int nlev, ref;          /* ref: the level of --ref */
    long *level_of_group;   /* grouper group → level; -1 for "not stated" */
    int *level;             /* participant → level */
    unsigned char *missing; /* participant without a level or a covariate value */
    utfall_design *d;
    int term;               /* the --by factor in d */
    double *y;              /* at the month: success, NaN when censored */
    long censored, missed;  /* at the month */
    utfall_logit_fit *fit;  /* at the month; NULL when there was nothing to fit */
    utfall_logit_std *std;  /* at the month: standardised shares by level */
    int any_trouble;        /* some month had no fit, or one that failed */
    utfall_table *t, *terms;
    int c0, t0;             /* the first column of adjusted_columns, term_columns */
};

static void adjust_free(struct adjust_run *a)
{
    utfall_table_free(a->t);
    utfall_table_free(a->terms);
    utfall_logit_free(a->fit);
    utfall_design_free(a->d);
    free(a->lev);
    free(a->level_of_group);
    free(a->level);
    free(a->missing);
    free(a->y);
    free(a->std);
}

static utfall_status adjust_alloc(const struct horizon_run *run, struct adjust_run *a)
{
    size_t ng = run->ng ? run->ng : 1, np = run->c.np ? run->c.np : 1;
    a->lev = malloc(ng * sizeof *a->lev);
    a->level_of_group = malloc(ng * sizeof *a->level_of_group);
    a->std = calloc(ng, sizeof *a->std);
    a->level = malloc(np * sizeof *a->level);
    a->missing = calloc(np, 1);
    a->y = malloc(np * sizeof *a->y);
    if (!a->lev || !a->level_of_group || !a->std || !a->level || !a->missing || !a->y)
        return out_of_memory(run->err);
    return UTFALL_OK;
}

/* The --by levels in display order; "not stated" is missing, not a level. */
static utfall_status adjust_levels(const struct horizon_run *run, struct adjust_run *a)
{
    for (size_t k = 0; k < run->ng; k++) {
        const char *v = utfall_grouper_value(run->g, run->order[k], 0);
        int l = -1;
        for (int j = 0; j < a->nlev && l < 0; j++)
            if (!strcmp(a->lev[j], v))
                l = j;
        if (l < 0 && *v) {
            l = a->nlev;
            a->lev[a->nlev++] = v;
        }
        a->level_of_group[run->order[k]] = l;
    }
    a->ref = -1;
    for (int j = 0; j < a->nlev; j++)
        if (!strcmp(a->lev[j], run->opt->ref))
            a->ref = j;
    return a->ref < 0 ? unknown_ref(run) : UTFALL_OK;
}

/* The intercept, the --by factor (reference --ref) and the covariates. */
static utfall_status adjust_design(const struct horizon_run *run, struct adjust_run *a)
{
    const struct cohort *c = &run->c;
    utfall_error *err = run->err;
    for (size_t i = 0; i < c->np; i++) {
        a->level[i] = (int)a->level_of_group[c->p[i].group];
        a->missing[i] = a->level[i] < 0;
    }
    utfall_status st = utfall_design_new(c->np, 1, &a->d, err);
    if (!st)
        st = utfall_design_add_factor(a->d, utfall_grouper_key_name(run->g, 0), a->level,
                                      a->nlev, a->ref, a->lev, &a->term, err);
    for (size_t k = 0; k < run->ncov && !st; k++)
        st = add_covariate(a->d, &run->cv[k], c->cov, c->np, run->ncov, k, a->missing, err);
    return st;
}

enum { ADJ_REF, ADJ_MONTH, ADJ_OR, ADJ_OR_LOW, ADJ_OR_HIGH, ADJ_P, ADJ_DIFF, ADJ_DIFF_LOW,
       ADJ_DIFF_HIGH, ADJ_N, ADJ_CENSORED, ADJ_MISSING, ADJ_CONVERGED, ADJ_STATE,
       ADJ_STATE_HUMAN };

static const utfall_colspec adjusted_columns[] = {
    [ADJ_REF] = {"ref", NULL, UTFALL_COL_TEXT, 0, 0, {0}, 0},
    [ADJ_MONTH] = {"month", NULL, UTFALL_COL_COUNT, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
    [ADJ_OR] = {"odds_ratio", NULL, UTFALL_COL_NUMBER, 2, 0, {"n"}, 0},
    [ADJ_OR_LOW] = {"or_ci_low", "col.ci_low", UTFALL_COL_NUMBER, 2, 0, {"n"}, 0},
    [ADJ_OR_HIGH] = {"or_ci_high", "col.ci_high", UTFALL_COL_NUMBER, 2, 0, {"n"}, 0},
    [ADJ_P] = {"p_value", NULL, UTFALL_COL_PVALUE, 3, 0, {"n"}, 0},
    [ADJ_DIFF] = {"adjusted_diff", NULL, UTFALL_COL_PP, 1, 0, {"n"}, 0},
    [ADJ_DIFF_LOW] = {"adjusted_diff_ci_low", "col.ci_low", UTFALL_COL_PP, 1, 0, {"n"}, 0},
    [ADJ_DIFF_HIGH] = {"adjusted_diff_ci_high", "col.ci_high", UTFALL_COL_PP, 1, 0, {"n"}, 0},
    [ADJ_N] = {"n", "col.used", UTFALL_COL_COUNT, 0, 0, {0}, 0},
    [ADJ_CENSORED] = {"censored", NULL, UTFALL_COL_COUNT, 0, 0, {0}, 0},
    [ADJ_MISSING] = {"missing", NULL, UTFALL_COL_COUNT, 0, 0, {0}, 0},
    [ADJ_CONVERGED] = {"converged", NULL, UTFALL_COL_BOOL, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
    [ADJ_STATE] = {"estimate", NULL, UTFALL_COL_TEXT, 0, UTFALL_COLF_MACHINE_ONLY, {0}, 0},
    [ADJ_STATE_HUMAN] = {"estimate", NULL, UTFALL_COL_TEXT, 0, UTFALL_COLF_HUMAN_ONLY, {0}, 0},
};

enum { TERM_MONTH, TERM_NAME, TERM_OR, TERM_OR_LOW, TERM_OR_HIGH, TERM_P, TERM_STATE,
       TERM_STATE_HUMAN };

static const utfall_colspec term_columns[] = {
    [TERM_MONTH] = {"month", NULL, UTFALL_COL_COUNT, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
    [TERM_NAME] = {"term", NULL, UTFALL_COL_TEXT, 0, 0, {0}, 0},
    [TERM_OR] = {"odds_ratio", NULL, UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [TERM_OR_LOW] = {"or_ci_low", "col.ci_low", UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [TERM_OR_HIGH] = {"or_ci_high", "col.ci_high", UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [TERM_P] = {"p_value", NULL, UTFALL_COL_PVALUE, 3, 0, {0}, 0},
    [TERM_STATE] = {"estimate", NULL, UTFALL_COL_TEXT, 0, UTFALL_COLF_MACHINE_ONLY, {0}, 0},
    [TERM_STATE_HUMAN] = {"estimate", NULL, UTFALL_COL_TEXT, 0, UTFALL_COLF_HUMAN_ONLY, {0}, 0},
};

/* adjusted: one row per --by level but the reference and month;
 * adjusted_terms: every term of each model, as summary(glm) lists them. */
static utfall_status adjusted_tables(const struct horizon_run *run, struct adjust_run *a)
{
    utfall_lang lang = run->lang;
    a->t = utfall_table_new("adjusted", UTFALL_TABLE_ROWS);
    a->terms = utfall_table_new("adjusted_terms", UTFALL_TABLE_ROWS);
    if (!a->t || !a->terms)
        return out_of_memory(run->err);
    char title[256];
    snprintf(title, sizeof title, utfall_tr(lang, "title.adjusted"), run->opt->ref);
    utfall_table_set_title(a->t, title);
    utfall_table_add_group_column(a->t, utfall_grouper_key_name(run->g, 0), lang);
    a->c0 = ADD_COLUMNS(a->t, adjusted_columns);
    utfall_table_set_title(a->terms, utfall_tr(lang, "title.adjusted_terms"));
    a->t0 = ADD_COLUMNS(a->terms, term_columns);
    /* models of the same participants as the rows table: nothing of them
     * is shown where a count of it is hidden (utfall/protect.h) */
    utfall_table_set_local_protection(a->t);
    utfall_table_derived_from(a->t, "rows");
    utfall_table_derived_from(a->terms, "rows");
    return UTFALL_OK;
}

/* The outcome at the month: success for those observed, NaN (left out of
 * the fit) for the censored. */
static void month_outcomes(const struct horizon_run *run, struct adjust_run *a, size_t m)
{
    const struct cohort *c = &run->c;
    a->censored = a->missed = 0;
    for (size_t i = 0; i < c->np; i++) {
        const struct participant *p = &c->p[i];
        utfall_date at = utfall_date_add_months(p->start, run->opt->months[m]);
        if (at > p->end) {
            a->censored++;
            a->y[i] = NAN;
        } else {
            a->missed += a->missing[i];
            a->y[i] = success_at(c, i, at, run->opt->success);
        }
    }
}

static utfall_status fit_month(const struct horizon_run *run, struct adjust_run *a, size_t m)
{
    const utfall_horizon_options *opt = run->opt;
    utfall_error *err = run->err;
    utfall_logit_free(a->fit);
    a->fit = NULL;
    utfall_status st = utfall_logit_fit_design(a->d, a->y, opt->level, &a->fit, err);
    if (st == UTFALL_ERR_NOMEM)
        return out_of_memory(err);
    if (st) {
        /* no participant observed with every value: no fit to report */
        adjust_warn(opt, UTFALL_EC_ADJUST_NO_ROWS, "--adjust: no fit at month %d: %s",
                    opt->months[m], err->text);
        utfall_error_clear(err);
        utfall_logit_free(a->fit);
        a->fit = NULL;
        a->any_trouble = 1;
        return UTFALL_OK;
    }
    return utfall_logit_standardize(a->fit, a->d, a->term, a->std, err);
}

static int fit_converged(const utfall_logit_fit *fit)
{
    return fit && fit->converged && !fit->separation;
}

static void warn_fit(const struct horizon_run *run, struct adjust_run *a, size_t m)
{
    const utfall_horizon_options *opt = run->opt;
    const utfall_logit_fit *fit = a->fit;
    if (!fit)
        return;
    if (!fit_converged(fit)) {
        a->any_trouble = 1;
        adjust_warn(opt, UTFALL_EC_ADJUST_SEPARATION,
                    "--adjust: the fit at month %d %s; the estimates affected are not "
                    "given (see the column estimate)",
                    opt->months[m],
                    !fit->converged && !fit->separation
                        ? "did not converge in 25 iterations"
                        : "has perfect separation: a group or covariate predicts the "
                          "outcome exactly, so some odds ratios are 0 or infinite");
    }
    for (size_t j = 0; fit->n_aliased && j < utfall_design_cols(a->d); j++)
        if (fit->coef[j].state == UTFALL_COEF_ALIASED)
            adjust_warn(opt, UTFALL_EC_ADJUST_ALIASED,
                        "--adjust: at month %d the model column '%s' is a linear "
                        "combination of the others (or has no rows) and is left out",
                        opt->months[m], utfall_design_column_name(a->d, j));
}

/* The odds ratio, its interval and p-value in the four columns from c_or,
 * and the estimate's state in the machine and human columns from c_state;
 * co NULL when there was no fit. */
static void set_coef(utfall_table *t, int r, int c_or, int c_state, const utfall_logit_coef *co,
                     utfall_lang lang)
{
    /* an OK coefficient left with no information (the rows that an
     * infinite one sets aside were all there was) has no interval */
    int ok = co && co->state == UTFALL_COEF_OK && isfinite(co->se) && co->or_low > 0
             && isfinite(co->or_high);
    utfall_table_set_num(t, r, c_or, ok ? co->odds_ratio : NAN);
    utfall_table_set_num(t, r, c_or + 1, ok ? co->or_low : NAN);
    utfall_table_set_num(t, r, c_or + 2, ok ? co->or_high : NAN);
    utfall_table_set_num(t, r, c_or + 3, ok ? co->p_value : NAN);
    const char *state = !co ? "none"
                        : co->state == UTFALL_COEF_OK && !ok
                            ? coef_state_key(UTFALL_COEF_UNRELIABLE)
                            : coef_state_key(co->state);
    char sk[64];
    snprintf(sk, sizeof sk, "estimate.%s", state);
    utfall_table_set_text(t, r, c_state, state);
    utfall_table_set_text(t, r, c_state + 1, utfall_tr(lang, sk));
}

static void term_rows(const struct horizon_run *run, struct adjust_run *a, size_t m)
{
    utfall_table *t = a->terms;
    for (size_t j = 0; a->fit && j < utfall_design_cols(a->d); j++) {
        int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
        utfall_table_set_num(t, r, a->t0 + TERM_MONTH, run->opt->months[m]);
        utfall_table_set_text(t, r, a->t0 + TERM_NAME, utfall_design_column_name(a->d, j));
        set_coef(t, r, a->t0 + TERM_OR, a->t0 + TERM_STATE, &a->fit->coef[j], run->lang);
    }
}

static void adjusted_rows(const struct horizon_run *run, struct adjust_run *a, size_t m)
{
    const utfall_horizon_options *opt = run->opt;
    const utfall_logit_fit *fit = a->fit;
    utfall_table *t = a->t;
    int c0 = a->c0;
    for (int l = 0; l < a->nlev; l++) {
        if (l == a->ref)
            continue;
        int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
        utfall_table_set_text(t, r, 0, a->lev[l]);
        utfall_table_set_text(t, r, c0 + ADJ_REF, opt->ref);
        utfall_table_set_num(t, r, c0 + ADJ_MONTH, opt->months[m]);
        utfall_table_set_num(t, r, c0 + ADJ_N, fit ? (double)fit->n_used : 0);
        utfall_table_set_num(t, r, c0 + ADJ_CENSORED, (double)a->censored);
        utfall_table_set_num(t, r, c0 + ADJ_MISSING, (double)a->missed);
        utfall_table_set_num(t, r, c0 + ADJ_CONVERGED, fit_converged(fit));
        /* the level's column of the --by factor; the reference has none */
        const utfall_logit_coef *co =
            fit ? &fit->coef[1 + (size_t)(l < a->ref ? l : l - 1)] : NULL;
        set_coef(t, r, c0 + ADJ_OR, c0 + ADJ_STATE, co, run->lang);
        int est = fit && a->std[l].estimable;
        int se_est = est && a->std[l].se_estimable;
        utfall_table_set_num(t, r, c0 + ADJ_DIFF, est ? a->std[l].diff : NAN);
        utfall_table_set_num(t, r, c0 + ADJ_DIFF_LOW, se_est ? a->std[l].low : NAN);
        utfall_table_set_num(t, r, c0 + ADJ_DIFF_HIGH, se_est ? a->std[l].high : NAN);
    }
}

static utfall_status adjust_month(const struct horizon_run *run, struct adjust_run *a, size_t m)
{
    month_outcomes(run, a, m);
    utfall_status st = fit_month(run, a, m);
    if (st)
        return st;
    warn_fit(run, a, m);
    term_rows(run, a, m);
    adjusted_rows(run, a, m);
    return UTFALL_OK;
}

/* The definition under the table; both tables go to the document. */
static void adjusted_notes(const struct horizon_run *run, struct adjust_run *a)
{
    utfall_lang lang = run->lang;
    char covs[512] = "", note[1024], level[64];
    for (size_t k = 0; k < run->ncov; k++) {
        size_t len = strlen(covs);
        snprintf(covs + len, sizeof covs - len, "%s%s (%s)", k ? ", " : "", run->cv[k].name,
                 utfall_tr(lang, run->cv[k].numeric ? "adjust.numeric" : "adjust.categorical"));
    }
    snprintf(note, sizeof note, utfall_tr(lang, "note.adjusted.model"),
             utfall_grouper_key_name(run->g, 0), run->opt->ref, covs);
    utfall_table_add_note(a->t, note);
    utfall_fmt_percent(lang, run->opt->level, 0, level, sizeof level);
    snprintf(note, sizeof note, utfall_tr(lang, "note.adjusted.or"), level);
    utfall_table_add_note(a->t, note);
    utfall_table_add_note(a->t, utfall_tr(lang, "note.adjusted.std"));
    utfall_table_add_note(a->t, utfall_tr(lang, "note.adjusted.excluded"));
    if (a->any_trouble)
        utfall_table_add_note(a->t, utfall_tr(lang, "note.adjusted.separation"));
    utfall_doc_add(run->doc, a->t);
    a->t = NULL;
    utfall_table_add_note(a->terms, utfall_tr(lang, "note.adjusted_terms"));
    utfall_doc_add(run->doc, a->terms);
    a->terms = NULL;
}

/* One logistic regression per horizon of success on the --by group
 * (reference --ref) and the covariates, over the participants observed at
 * that month with every value given; sections adjusted and adjusted_terms. */
static utfall_status adjusted_section(struct horizon_run *run)
{
    struct adjust_run a = {0};
    for (size_t k = 0; k < run->ncov; k++)
        run->cv[k].numeric = covariate_is_numeric(&run->cv[k], run->c.cov, run->c.np,
                                                  run->ncov, k);
    utfall_status st = adjust_alloc(run, &a);
    if (!st)
        st = adjust_levels(run, &a);
    if (!st)
        st = adjust_design(run, &a);
    if (!st)
        st = adjusted_tables(run, &a);
    for (size_t m = 0; m < run->opt->nmonths && !st; m++)
        st = adjust_month(run, &a, m);
    if (!st)
        adjusted_notes(run, &a);
    adjust_free(&a);
    return st;
}

/* ------------------------------------------------- Kaplan–Meier, log-rank */

/* Days from the start to the first success spell starting on or after it;
 * -1 when there is none. */
static double first_success(const struct cohort *c, size_t i, unsigned success)
{
    const struct participant *p = &c->p[i];
    for (size_t k = c->first[i]; k < c->first[i + 1]; k++) {
        const struct spell *sp = &c->s[k];
        if (sp->from >= p->start && ((success >> sp->status) & 1))
            return (double)(sp->from - p->start); /* sorted by start */
    }
    return -1;
}

/* Time to the first success, censored at the end of follow-up. */
static utfall_status fit_km(struct horizon_run *run)
{
    const struct cohort *c = &run->c;
    size_t n = c->np ? c->np : 1;
    run->km_time = malloc(n * sizeof *run->km_time);
    run->km_event = malloc(n * sizeof *run->km_event);
    int *group = malloc(n * sizeof *group);
    if (!run->km_time || !run->km_event || !group) {
        free(group);
        return out_of_memory(run->err);
    }
    for (size_t i = 0; i < c->np; i++) {
        double follow = (double)(c->p[i].end - c->p[i].start);
        double first = first_success(c, i, run->opt->success);
        run->km_event[i] = first >= 0 && first <= follow;
        run->km_time[i] = run->km_event[i] ? first : follow;
        group[i] = (int)c->p[i].group;
    }
    utfall_status st = utfall_km_fit(c->np, run->km_time, run->km_event, group, (int)run->ng,
                                     run->opt->level, &run->km, run->err);
    free(group);
    return st;
}

enum { KM_MONTH, KM_CUM_SHARE, KM_SE, KM_LOW, KM_HIGH, KM_N_RISK };

static const utfall_colspec km_columns[] = {
    [KM_MONTH] = {"month", NULL, UTFALL_COL_COUNT, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
    [KM_CUM_SHARE] = {"cum_share", NULL, UTFALL_COL_SHARE, 1, 0, {0}, 0},
    [KM_SE] = {"se", NULL, UTFALL_COL_NUMBER, 4, 0, {0}, 0},
    [KM_LOW] = {"ci_low", NULL, UTFALL_COL_SHARE, 1, 0, {0}, 0},
    [KM_HIGH] = {"ci_high", NULL, UTFALL_COL_SHARE, 1, 0, {0}, 0},
    [KM_N_RISK] = {"n_risk", NULL, UTFALL_COL_COUNT, 0, 0, {0}, 0},
};

/* The Kaplan–Meier share at the horizons, or at every month with --curve. */
static utfall_status km_section(struct horizon_run *run)
{
    const utfall_horizon_options *opt = run->opt;
    const int *months = opt->curve ? run->steps : opt->months;
    size_t nm = opt->curve ? run->nsteps : opt->nmonths;
    utfall_table *t = utfall_table_new("km", UTFALL_TABLE_ROWS);
    if (!t)
        return out_of_memory(run->err);
    utfall_table_set_title(t, utfall_tr(run->lang, "title.km"));
    add_group_columns(t, run, 0);
    int c0 = ADD_COLUMNS(t, km_columns);
    utfall_table_set_local_protection(t);
    utfall_table_derived_from(t, "rows");
    for (size_t k = 0; k < run->ng; k++)
        for (size_t m = 0; m < nm; m++) {
            utfall_km_point pt;
            utfall_status st = utfall_km_at(run->km, (int)run->order[k],
                                            months[m] * UTFALL_DAYS_PER_MONTH, &pt, run->err);
            if (st) {
                utfall_table_free(t);
                return st;
            }
            int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
            set_group(t, r, run, run->order[k], 0, run->nkeys);
            utfall_table_set_num(t, r, c0 + KM_MONTH, months[m]);
            utfall_table_set_num(t, r, c0 + KM_CUM_SHARE, pt.cum_share);
            utfall_table_set_num(t, r, c0 + KM_SE, pt.se_surv);
            utfall_table_set_num(t, r, c0 + KM_LOW, pt.ci_low);
            utfall_table_set_num(t, r, c0 + KM_HIGH, pt.ci_high);
            utfall_table_set_num(t, r, c0 + KM_N_RISK, (double)pt.n_risk);
        }
    utfall_table_add_note(t, utfall_tr(run->lang, "note.km"));
    utfall_doc_add(run->doc, t);
    return UTFALL_OK;
}

/* The participants of one stratum: their --by group, time and event. */
struct members {
    size_t n;
    int *group;
    double *time;
    int *event;
};

static int members_alloc(struct members *s, size_t np)
{
    size_t n = np ? np : 1;
    s->group = malloc(n * sizeof *s->group);
    s->time = malloc(n * sizeof *s->time);
    s->event = malloc(n * sizeof *s->event);
    return s->group && s->time && s->event ? 0 : -1;
}

static void members_free(struct members *s)
{
    free(s->group);
    free(s->time);
    free(s->event);
}

static void stratum_members(const struct horizon_run *run, size_t s0, struct members *s)
{
    s->n = 0;
    for (size_t i = 0; i < run->c.np; i++) {
        size_t gi = (size_t)run->c.p[i].group;
        if (!same_stratum(run, gi, s0))
            continue;
        s->group[s->n] = (int)gi;
        s->time[s->n] = run->km_time[i];
        s->event[s->n] = run->km_event[i];
        s->n++;
    }
}

enum { LR_CHI2, LR_DF, LR_P };

static const utfall_colspec logrank_columns[] = {
    [LR_CHI2] = {"chi2", NULL, UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [LR_DF] = {"df", NULL, UTFALL_COL_COUNT, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
    [LR_P] = {"p_value", NULL, UTFALL_COL_PVALUE, 3, 0, {0}, 0},
};

/* The log-rank test across the --by groups of the stratum of group s0. */
static void logrank_row(const struct horizon_run *run, utfall_table *t, int c0, size_t s0,
                        struct members *s)
{
    stratum_members(run, s0, s);
    utfall_logrank lr;
    utfall_status st = utfall_logrank_test(s->n, s->time, s->event, s->group, (int)run->ng, &lr,
                                           NULL, NULL, run->err);
    int r = utfall_table_add_row(t, run->nkeys == run->nby ? UTFALL_ROW_TOTAL : UTFALL_ROW_GROUP);
    set_group(t, r, run, s0, run->nby, run->nkeys);
    if (st == UTFALL_OK && lr.tested) {
        utfall_table_set_num(t, r, c0 + LR_CHI2, lr.chisq);
        utfall_table_set_num(t, r, c0 + LR_DF, lr.df);
        utfall_table_set_num(t, r, c0 + LR_P, lr.p_value);
    } else {
        utfall_table_set_na(t, r, c0 + LR_CHI2);
        utfall_table_set_na(t, r, c0 + LR_DF);
        utfall_table_set_na(t, r, c0 + LR_P);
        utfall_error_clear(run->err);
    }
}

/* Log-rank across the --by groups, within each stratum. */
static utfall_status logrank_section(struct horizon_run *run)
{
    utfall_table *t = utfall_table_new("logrank", UTFALL_TABLE_ROWS);
    struct members s = {0};
    unsigned char *done = calloc(run->ng ? run->ng : 1, 1);
    if (!t || !done || members_alloc(&s, run->c.np)) {
        utfall_table_free(t);
        free(done);
        members_free(&s);
        return out_of_memory(run->err);
    }
    utfall_table_set_title(t, utfall_tr(run->lang, "title.logrank"));
    add_group_columns(t, run, run->nby);
    int c0 = ADD_COLUMNS(t, logrank_columns);
    utfall_table_derived_from(t, "rows");
    for (size_t k = 0; k < run->ng; k++) {
        size_t s0 = run->order[k];
        if (done[s0])
            continue;
        for (size_t j = 0; j < run->ng; j++)
            if (same_stratum(run, run->order[j], s0))
                done[run->order[j]] = 1;
        logrank_row(run, t, c0, s0, &s);
    }
    free(done);
    members_free(&s);
    utfall_table_add_note(t, utfall_tr(run->lang, "note.logrank"));
    utfall_doc_add(run->doc, t);
    return UTFALL_OK;
}

/* ------------------------------------------------------- bookkeeping */

enum { SPL_PARTICIPANTS, SPL_READ, SPL_USED, SPL_REJECTED };

/* Labelled with their keys: the table is for machines only. */
static const utfall_colspec spells_columns[] = {
    [SPL_PARTICIPANTS] = {"participants", "participants", UTFALL_COL_COUNT, 0, 0, {0}, 0},
    [SPL_READ] = {"spells_read", "spells_read", UTFALL_COL_COUNT, 0, 0, {0}, 0},
    [SPL_USED] = {"spells_used", "spells_used", UTFALL_COL_COUNT, 0, 0, {0}, 0},
    [SPL_REJECTED] = {"spells_rejected", "spells_rejected", UTFALL_COL_COUNT, 0, 0, {0}, 0},
};

static utfall_status spells_section(struct horizon_run *run)
{
    const struct cohort *c = &run->c;
    utfall_table *t = utfall_table_new("spells", UTFALL_TABLE_OBJECT);
    if (!t)
        return out_of_memory(run->err);
    utfall_table_set_machine_only(t);
    utfall_table_set_no_suppress(t);
    int c0 = ADD_COLUMNS(t, spells_columns);
    int r = utfall_table_add_row(t, UTFALL_ROW_GROUP);
    utfall_table_set_num(t, r, c0 + SPL_PARTICIPANTS, (double)c->np);
    utfall_table_set_num(t, r, c0 + SPL_READ, (double)c->spells_read);
    utfall_table_set_num(t, r, c0 + SPL_USED, (double)c->spells_used);
    utfall_table_set_num(t, r, c0 + SPL_REJECTED, (double)c->spells_rejected);
    utfall_doc_add(run->doc, t);
    return UTFALL_OK;
}

/* ------------------------------------------------------------ driver */

utfall_status utfall_horizon_compute(utfall_extract *x, const utfall_horizon_options *opt,
                                     utfall_doc *doc, utfall_error *err)
{
    struct horizon_run run = {.x = x, .opt = opt, .lang = opt->lang, .doc = doc, .err = err};
    utfall_status st = check_options(&run);
    if (!st)
        st = open_groups(&run);
    if (!st && opt->adjust)
        st = parse_covariates(&run);
    if (!st)
        st = read_participants(&run);
    if (!st)
        st = read_spells(&run);
    if (!st)
        st = count_cells(&run);
    if (!st)
        st = rows_section(&run);
    if (!st && opt->ref)
        st = comparisons_section(&run);
    if (!st && run.ncov)
        st = adjusted_section(&run);
    if (!st && opt->curve)
        st = curve_section(&run);
    if (!st && opt->km)
        st = fit_km(&run);
    if (!st && opt->km)
        st = km_section(&run);
    if (!st && opt->km)
        st = logrank_section(&run);
    if (!st)
        st = spells_section(&run);
    run_free(&run);
    return st;
}
