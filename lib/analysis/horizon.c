#include "analysis/horizon_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/goal.h"
#include "core/internal.h"

void utfall_horizon_options_init(utfall_horizon_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->followed_until = UTFALL_DATE_NONE;
    opt->months[0] = 15;
    opt->nmonths = 1;
    opt->by = "insats";
    opt->success = (1u << UTFALL_OUTCOME_ARBETE) | (1u << UTFALL_OUTCOME_ARBETE_MED_STOD);
    opt->competing_set = 1u << UTFALL_OUTCOME_STUDIER;
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

utfall_status horizon_nomem(utfall_error *err)
{
    return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
}

static void run_free(struct horizon_run *run)
{
    struct cohort *c = &run->c;
    utfall_km_free(run->km);
    free(run->km_time);
    free(run->km_event);
    free(run->cr_time);
    free(run->cr_status);
    free(run->stratum_rep);
    free(run->stratum_stated);
    free(run->stratum_of);
    free(run->stated);
    free(run->level_of);
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
    utfall_colref_free(run->cluster_ref);
    utfall_grouper_free(run->g);
}

int horizon_same_stratum(const struct horizon_run *run, size_t a, size_t b)
{
    for (size_t k = run->nby; k < run->nkeys; k++)
        if (strcmp(utfall_grouper_value(run->g, a, k), utfall_grouper_value(run->g, b, k)))
            return 0;
    return 1;
}

utfall_status horizon_unknown_ref(const struct horizon_run *run)
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
    if (opt->cox && !opt->ref)
        return utfall_error_set(run->err, UTFALL_ERR_USAGE, UTFALL_EC_COX_NEEDS_REF,
                                "--cox needs --ref VALUE: the reference group of the hazard "
                                "ratios, e.g. --ref FS");
    if (opt->cluster && !opt->adjust)
        return utfall_error_set(run->err, UTFALL_ERR_USAGE, UTFALL_EC_CLUSTER_NEEDS_ADJUST,
                                "--cluster gives cluster-robust errors of the --adjust model: "
                                "give --adjust COLS too (the covariates, e.g. kon)");
    if (opt->competing && (opt->success & opt->competing_set))
        return utfall_error_set(run->err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_COMPETING,
                                "--competing: a status cannot be both success (--success) and "
                                "competing");
    if (opt->competing && !opt->competing_set)
        return utfall_error_set(run->err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_COMPETING,
                                "--competing needs at least one competing status");
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
    run->nvals = run->ncov;
    return UTFALL_OK;
}

/* The --cluster column, kept per participant after the covariates. */
static utfall_status parse_cluster(struct horizon_run *run)
{
    utfall_error *err = run->err;
    if (utfall_colref_new(run->x, run->opt->cluster, &run->cluster_ref, err)) {
        if (err->status == UTFALL_ERR_USAGE)
            utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_UNKNOWN_COLUMN,
                             "--cluster: no column '%s' in the extract", run->opt->cluster);
        return err->status;
    }
    run->nvals = run->ncov + 1;
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
    size_t at = c->np * run->nvals;
    if (UTFALL_GROW(c->cov, c->covcap, at + run->nvals))
        return -1;
    for (size_t k = 0; k < run->nvals; k++) {
        char buf[64];
        utfall_colref *ref = k < run->ncov ? run->cv[k].ref : run->cluster_ref;
        const char *v = utfall_row_value(row, ref, buf, sizeof buf);
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
    if (end < row->inskriven) {
        /* the extract refuses uppfoljd_till before inskriven; so does this */
        char a[16], b[16];
        utfall_date_format(row->inskriven, a, sizeof a);
        utfall_date_format(end, b, sizeof b);
        utfall_status st = utfall_error_set(err, UTFALL_ERR_DATA,
                                            UTFALL_EC_FOLLOWUP_BEFORE_ENROLMENT,
                                            "the participant starts (%s) after the follow-up end "
                                            "%s given by --followed-until: never followed up, "
                                            "so neither observed nor censored (give a later "
                                            "date, or leave out who started after it)", a, b);
        utfall_error_locate(err, row->file_base, row->line, 0, "inskriven");
        return st;
    }
    uint64_t id = row->person;
    int added = utfall_hashset_add(seen, id);
    if (added < 0)
        return horizon_nomem(err);
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
        || (run->nvals && keep_covariates(run, row)))
        return horizon_nomem(err);
    c->p[c->np++] = (struct participant){id, gi, row->inskriven, end, row->line};
    return UTFALL_OK;
}

static utfall_status read_participants(struct horizon_run *run)
{
    utfall_hashset *seen = utfall_hashset_new();
    if (!seen)
        return horizon_nomem(run->err);
    utfall_status st = UTFALL_OK;
    utfall_row row;
    int got = 0;
    while (!st && (got = utfall_extract_next(run->x, &row, run->err)) == 1)
        st = add_participant(run, &row, seen);
    utfall_hashset_free(seen);
    if (!st && got < 0)
        st = run->err->status;
    if (!st && index_participants(&run->c))
        st = horizon_nomem(run->err);
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
        return horizon_nomem(err);
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
        st = horizon_nomem(run->err);
    if (!st)
        tell_rejected_spells(run);
    return st;
}

int horizon_success_at(const struct cohort *c, size_t who, utfall_date date, unsigned success)
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
        cl->reached += horizon_success_at(c, i, at, success);
    }
}

static utfall_status count_cells(struct horizon_run *run)
{
    const utfall_horizon_options *opt = run->opt;
    run->ng = utfall_grouper_ngroups(run->g);
    run->order = utfall_grouper_order(run->g);
    if (!run->order)
        return horizon_nomem(run->err);
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
        return horizon_nomem(run->err);
    for (int m = 0; m <= hmax; m++)
        run->steps[m] = m;
    for (size_t i = 0; i < run->c.np; i++) {
        tally(&run->c, i, run->cells, opt->months, opt->nmonths, opt->success);
        if (opt->curve)
            tally(&run->c, i, run->curve, run->steps, run->nsteps, opt->success);
    }
    return UTFALL_OK;
}

/* ------------------------------------------------------------- strata */

static int strata_cmp(const struct horizon_run *run, size_t a, size_t b)
{
    for (size_t k = run->nby; k < run->nkeys; k++) {
        int c = utfall_grouper_value_cmp(utfall_grouper_value(run->g, a, k),
                                         utfall_grouper_value(run->g, b, k));
        if (c)
            return c;
    }
    return 0;
}

static int values_stated(const struct horizon_run *run, size_t gi, size_t from, size_t to)
{
    for (size_t k = from; k < to; k++)
        if (!*utfall_grouper_value(run->g, gi, k))
            return 0;
    return 1;
}

/* Each group's --by values among the stated ones, in display order: the
 * groups of the tests, which compare them across strata. */
static void index_levels(struct horizon_run *run)
{
    run->nlevels = 0;
    for (size_t k = 0; k < run->ng; k++) {
        size_t gi = run->order[k];
        run->level_of[gi] = -1;
        if (!values_stated(run, gi, 0, run->nby))
            continue;
        for (size_t j = 0; j < k && run->level_of[gi] < 0; j++) {
            size_t gj = run->order[j];
            int same = run->level_of[gj] >= 0;
            for (size_t key = 0; key < run->nby && same; key++)
                same = !strcmp(utfall_grouper_value(run->g, gi, key),
                               utfall_grouper_value(run->g, gj, key));
            if (same)
                run->level_of[gi] = run->level_of[gj];
        }
        if (run->level_of[gi] < 0)
            run->level_of[gi] = (int)run->nlevels++;
    }
}

/* The strata (one without --strata), sorted as every table's groups, and
 * which groups take part in tests: those whose --by values are stated. */
static utfall_status index_strata(struct horizon_run *run)
{
    size_t ng = run->ng ? run->ng : 1;
    run->stratum_rep = malloc(ng * sizeof *run->stratum_rep);
    run->stratum_stated = calloc(ng, 1);
    run->stratum_of = malloc(ng * sizeof *run->stratum_of);
    run->stated = calloc(ng, 1);
    run->level_of = malloc(ng * sizeof *run->level_of);
    if (!run->stratum_rep || !run->stratum_stated || !run->stratum_of || !run->stated
        || !run->level_of)
        return horizon_nomem(run->err);
    index_levels(run);
    run->nstrata = 0;
    for (size_t k = 0; k < run->ng; k++) {
        size_t gi = run->order[k], s = 0;
        run->stated[gi] = (unsigned char)values_stated(run, gi, 0, run->nby);
        while (s < run->nstrata && !horizon_same_stratum(run, run->stratum_rep[s], gi))
            s++;
        if (s < run->nstrata)
            continue;
        /* insert in the order of the strata values */
        while (s > 0 && strata_cmp(run, run->stratum_rep[s - 1], gi) > 0) {
            run->stratum_rep[s] = run->stratum_rep[s - 1];
            s--;
        }
        run->stratum_rep[s] = gi;
        run->nstrata++;
    }
    for (size_t s = 0; s < run->nstrata; s++)
        run->stratum_stated[s] =
            (unsigned char)values_stated(run, run->stratum_rep[s], run->nby, run->nkeys);
    for (size_t gi = 0; gi < run->ng; gi++)
        for (size_t s = 0; s < run->nstrata; s++)
            if (horizon_same_stratum(run, run->stratum_rep[s], gi))
                run->stratum_of[gi] = (int)s;
    return UTFALL_OK;
}

/* --------------------------------------------------- rows and curve */

void horizon_group_columns(utfall_table *t, const struct horizon_run *run, size_t from)
{
    for (size_t k = from; k < run->nkeys; k++)
        utfall_table_add_group_column(t, utfall_grouper_key_name(run->g, k), run->lang);
}

int horizon_versus_ref_columns(utfall_table *t, const struct horizon_run *run,
                               const char *title_key, const utfall_colspec *spec, size_t n)
{
    char title[256];
    snprintf(title, sizeof title, utfall_tr(run->lang, title_key), run->opt->ref);
    utfall_table_set_title(t, title);
    int c0 = utfall_table_add_columns(t, spec, n);
    utfall_table_column_json_object(t, c0, utfall_grouper_key_name(run->g, 0));
    return c0;
}

void horizon_set_group(utfall_table *t, int r, const struct horizon_run *run, size_t gi,
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
            horizon_set_group(t, r, run, run->order[k], 0, run->nkeys);
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
        return horizon_nomem(run->err);
    utfall_table_set_title(t, utfall_tr(run->lang, title_key));
    horizon_group_columns(t, run, 0);
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

enum { CMP_REF, CMP_MONTH, CMP_DIFF, CMP_LOW, CMP_HIGH, CMP_RR, CMP_RR_LOW, CMP_RR_HIGH,
       CMP_P, CMP_TEST };

static const utfall_colspec comparison_columns[] = {
    [CMP_REF] = {"ref", NULL, UTFALL_COL_TEXT, 0, 0, {0}, 0},
    [CMP_MONTH] = {"month", NULL, UTFALL_COL_COUNT, 0, UTFALL_COLF_NOT_SUPPRESSIBLE, {0}, 0},
    [CMP_DIFF] = {"diff", NULL, UTFALL_COL_PP, 1, 0, {0}, 0},
    [CMP_LOW] = {"diff_ci_low", "col.ci_low", UTFALL_COL_PP, 1, 0, {0}, 0},
    [CMP_HIGH] = {"diff_ci_high", "col.ci_high", UTFALL_COL_PP, 1, 0, {0}, 0},
    [CMP_RR] = {"risk_ratio", NULL, UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [CMP_RR_LOW] = {"rr_ci_low", "col.ci_low", UTFALL_COL_NUMBER, 2, 0, {0}, 0},
    [CMP_RR_HIGH] = {"rr_ci_high", "col.ci_high", UTFALL_COL_NUMBER, 2, 0, {0}, 0},
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
    horizon_set_group(t, r, run, gi, 0, run->nkeys);
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
    if ((st = utfall_risk_ratio_katz(cg->reached, cg->n, cr->reached, cr->n, opt->level, &d,
                                     run->err)))
        return st;
    utfall_table_set_num(t, r, c0 + CMP_RR, d.estimate);
    utfall_table_set_num(t, r, c0 + CMP_RR_LOW, d.lower);
    utfall_table_set_num(t, r, c0 + CMP_RR_HIGH, d.upper);
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
        return horizon_nomem(run->err);
    horizon_group_columns(t, run, 0);
    int c0 = VERSUS_REF_COLUMNS(t, run, "title.comparisons", comparison_columns);
    int found_ref = 0;
    utfall_status st = UTFALL_OK;
    for (size_t k = 0; k < run->ng && !st; k++) {
        size_t r0 = run->order[k];
        if (strcmp(utfall_grouper_value(run->g, r0, 0), opt->ref))
            continue;
        found_ref = 1;
        for (size_t j = 0; j < run->ng && !st; j++) {
            size_t gi = run->order[j];
            /* a group whose value is not stated takes part in no test */
            if (gi == r0 || !run->stated[gi] || !horizon_same_stratum(run, gi, r0))
                continue;
            for (size_t m = 0; m < opt->nmonths && !st; m++)
                st = comparison_row(run, t, c0, gi, r0, m);
        }
    }
    if (!st && !found_ref)
        st = horizon_unknown_ref(run);
    if (st) {
        utfall_table_free(t);
        return st;
    }
    utfall_table_add_note(t, utfall_tr(run->lang, "note.horizon.comparisons"));
    utfall_table_derived_from(t, "rows");
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
        return horizon_nomem(run->err);
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
    int strata = opt->strata && *opt->strata;
    if (!st)
        st = open_groups(&run);
    if (!st && opt->adjust)
        st = parse_covariates(&run);
    if (!st && opt->cluster)
        st = parse_cluster(&run);
    if (!st)
        st = read_participants(&run);
    if (!st)
        st = read_spells(&run);
    if (!st)
        st = count_cells(&run);
    if (!st)
        st = index_strata(&run);
    if (!st)
        st = rows_section(&run);
    if (!st && opt->ref)
        st = comparisons_section(&run);
    if (!st && opt->ref && strata)
        st = horizon_mantel_haenszel_section(&run);
    if (!st && run.ncov)
        st = horizon_adjusted_section(&run);
    if (!st && opt->curve)
        st = curve_section(&run);
    if (!st && (opt->km || opt->cox))
        st = horizon_fit_km(&run);
    if (!st && opt->km)
        st = horizon_km_section(&run);
    if (!st && opt->km)
        st = horizon_logrank_section(&run);
    if (!st && opt->km && strata)
        st = horizon_logrank_stratified_section(&run);
    if (!st && opt->competing)
        st = horizon_competing_sections(&run);
    if (!st && opt->cox)
        st = horizon_cox_section(&run);
    if (!st)
        st = spells_section(&run);
    run_free(&run);
    return st;
}
