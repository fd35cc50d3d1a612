/* The slutrapport's results section: the analyses every command computes,
 * gathered into one document under report-wide keys, with the sentences
 * a project leader would otherwise write by hand around them.  Every
 * number in the text comes from the same tables, so the report cannot
 * contradict itself. */
#include "utfall/report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/figures.h"
#include "utfall/goal.h"
#include "utfall/hours.h"
#include "utfall/split.h"
#include "utfall/summary.h"
#include "utfall/utfall.h"

/* The report's own figures: which standard figure, from which tables. */
enum fig { FIG_NONE = 0, FIG_SUMMARY, FIG_GOAL, FIG_SPLIT, FIG_HOURS, FIG_HORIZON };

struct block {
    utfall_block_kind kind;
    int level;
    char *text;
    char *caption; /* figures */
    utfall_chart *chart; /* a figure of the report's own: drawn by the writers */
    enum fig fig;
    char *prefix;  /* the tables' key prefix */
    double param;  /* the goal's target, the horizon's months */
};

struct utfall_report {
    utfall_doc *doc;
    struct block *blocks;
    size_t n, cap;
    int failed; /* out of memory while adding blocks */
    utfall_lang lang;
    char *date; /* --date, for the PDF's dates */
};

/* What the first reading of the extract tells the text. */
struct facts {
    long rows_read, rows_used, rows_rejected;
    long enrolled, exited, active;
    long outcome[UTFALL_OUTCOME_COUNT];
    long exited_no_outcome;
    utfall_date first, last;
    int has[UTFALL_F_COUNT]; /* the extract has a column for the field */
};

void utfall_report_options_init(utfall_report_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->suppress = 5;
    opt->level = UTFALL_STATS_DEFAULT_LEVEL;
}

/* ---- blocks ----------------------------------------------------------- */

static void add_block(utfall_report *r, utfall_block_kind kind, int level, const char *text)
{
    if (r->n == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 32;
        struct block *b = realloc(r->blocks, ncap * sizeof *b);
        if (!b) {
            r->failed = 1;
            return;
        }
        r->blocks = b;
        r->cap = ncap;
    }
    char *t = strdup(text);
    if (!t) {
        r->failed = 1;
        return;
    }
    r->blocks[r->n++] = (struct block){kind, level, t, NULL, NULL, FIG_NONE, NULL, 0};
}

static void heading(utfall_report *r, int level, const char *text)
{
    add_block(r, UTFALL_BLOCK_HEADING, level, text);
}

/* A figure of the report's own, filled once the tables are suppressed
 * (the figure never shows what a table hides).  title: the figure's title
 * when its tables give none. */
static void figure(utfall_report *r, enum fig fig, const char *prefix, double param,
                   const char *title)
{
    size_t before = r->n;
    add_block(r, UTFALL_BLOCK_FIGURE, 0, "");
    if (r->n == before)
        return;
    struct block *b = &r->blocks[r->n - 1];
    b->fig = fig;
    b->param = param;
    b->prefix = strdup(prefix);
    b->caption = title ? strdup(title) : NULL;
    if (!b->prefix || (title && !b->caption))
        r->failed = 1;
}

static void UTFALL_PRINTF(3, 4) para(utfall_report *r, utfall_block_kind kind, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    add_block(r, kind, 0, buf);
}

/* Move the tables of a computation into the report under prefix_key,
 * and refer to the ones people read, in order. */
static void adopt(utfall_report *r, utfall_doc *from, const char *prefix, int show)
{
    while (utfall_doc_ntables(from) > 0) {
        utfall_table *t = utfall_doc_take(from, 0);
        char key[64];
        snprintf(key, sizeof key, "%s_%s", prefix, utfall_table_key(t));
        key[31] = '\0'; /* an Excel sheet name holds 31 characters */
        if (utfall_table_set_key(t, key)) {
            utfall_table_free(t);
            r->failed = 1;
            continue;
        }
        if (!strcmp(utfall_table_key(t) + strlen(prefix) + 1, "meta")) {
            utfall_table_free(t);
            continue;
        }
        int people = !utfall_table_is_machine_only(t);
        utfall_doc_add(r->doc, t);
        if (show && people)
            add_block(r, UTFALL_BLOCK_TABLE, 0, key);
    }
    utfall_doc_free(from);
}

/* ---- formatting for sentences ---------------------------------------- */

struct ctx {
    const utfall_report_options *opt;
    utfall_lang lang;
};

static const char *tr(const struct ctx *c, const char *key)
{
    return utfall_tr(c->lang, key);
}

/* A count as it may be published: small ones hidden as in the tables. */
static const char *cnt(const struct ctx *c, long n, char *buf, size_t size)
{
    if (c->opt->suppress > 1 && n >= 1 && n < c->opt->suppress)
        snprintf(buf, size, "<%ld", c->opt->suppress);
    else
        utfall_fmt_count(c->lang, n, buf, size);
    return buf;
}

static int hidden(const struct ctx *c, long n)
{
    return c->opt->suppress > 1 && n >= 1 && n < c->opt->suppress;
}

/* As the overview table shows them.  Exited + active = enrolled, so a
 * hidden one can be recomputed from the other two: the tables have the
 * same weakness, and the text must not contradict them (see the method
 * section's suppression sentence). */
static void exited_active(const struct ctx *c, const struct facts *f, char *exited, char *active,
                          size_t size)
{
    cnt(c, f->exited, exited, size);
    cnt(c, f->active, active, size);
}

/* Bookkeeping (rows read, used, rejected) is never hidden. */
static const char *num(const struct ctx *c, long n, char *buf, size_t size)
{
    utfall_fmt_count(c->lang, n, buf, size);
    return buf;
}

static const char *pct(const struct ctx *c, double share, int decimals, char *buf, size_t size)
{
    utfall_fmt_percent(c->lang, share, decimals, buf, size);
    return buf;
}

static const char *dec(const struct ctx *c, double x, int decimals, char *buf, size_t size)
{
    utfall_fmt_decimal(c->lang, x, decimals, buf, size);
    return buf;
}

/* ---- the sections ----------------------------------------------------- */

static utfall_status read_facts(utfall_report_open_fn open, void *octx, struct facts *f,
                                utfall_error *err)
{
    utfall_extract *x;
    utfall_status st = open(octx, 0, &x, err);
    if (st)
        return st;
    memset(f, 0, sizeof *f);
    f->first = f->last = UTFALL_DATE_NONE;
    for (size_t i = 0; i < utfall_extract_ncolumns(x); i++) {
        int field = utfall_extract_column_field(x, i);
        if (field >= 0 && field < UTFALL_F_COUNT)
            f->has[field] = 1;
    }
    utfall_row row;
    int rc;
    while ((rc = utfall_extract_next(x, &row, err)) == 1) {
        f->enrolled++;
        if (f->first == UTFALL_DATE_NONE || row.inskriven < f->first)
            f->first = row.inskriven;
        if (f->last == UTFALL_DATE_NONE || row.inskriven > f->last)
            f->last = row.inskriven;
        if (row.avslutad == UTFALL_DATE_NONE) {
            f->active++;
            continue;
        }
        f->exited++;
        if (row.avslutsorsak >= 0 && row.avslutsorsak < UTFALL_OUTCOME_COUNT)
            f->outcome[row.avslutsorsak]++;
        else
            f->exited_no_outcome++;
    }
    utfall_extract_stats s;
    utfall_extract_get_stats(x, &s);
    f->rows_read = s.rows_read;
    f->rows_used = s.rows_used;
    f->rows_rejected = s.rows_rejected;
    utfall_extract_close(x);
    return rc < 0 ? (err->status ? err->status : UTFALL_ERR_DATA) : UTFALL_OK;
}

typedef utfall_status (*compute_fn)(utfall_extract *x, const void *opt, utfall_doc *doc,
                                    utfall_error *err);

/* One computation over a fresh reading of the extract.  On failure the
 * document is freed here and *out is NULL: callers only return. */
static utfall_status run(utfall_report_open_fn open, void *octx, int *pass, compute_fn fn,
                         const void *opt, utfall_doc **out, utfall_error *err)
{
    utfall_doc *d = utfall_doc_new();
    *out = NULL;
    if (!d)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    utfall_extract *x;
    utfall_status st = open(octx, (*pass)++, &x, err);
    if (!st) {
        st = fn(x, opt, d, err);
        utfall_extract_close(x);
    }
    if (st) {
        utfall_doc_free(d);
        return st;
    }
    *out = d;
    return UTFALL_OK;
}

static utfall_status summary_fn(utfall_extract *x, const void *o, utfall_doc *d, utfall_error *e)
{
    return utfall_summary_compute(x, o, d, e);
}
static utfall_status goal_fn(utfall_extract *x, const void *o, utfall_doc *d, utfall_error *e)
{
    return utfall_goal_compute(x, o, d, e);
}
static utfall_status split_fn(utfall_extract *x, const void *o, utfall_doc *d, utfall_error *e)
{
    return utfall_split_compute(x, o, d, e);
}
static utfall_status hours_fn(utfall_extract *x, const void *o, utfall_doc *d, utfall_error *e)
{
    return utfall_hours_compute(x, o, d, e);
}
static utfall_status horizon_fn(utfall_extract *x, const void *o, utfall_doc *d, utfall_error *e)
{
    return utfall_horizon_compute(x, o, d, e);
}

static double col(utfall_table *t, const char *key, int row)
{
    int c = utfall_table_column_index(t, key);
    return c < 0 ? NAN : utfall_table_num(t, row, c);
}

static int total_row(utfall_table *t)
{
    return utfall_table_nrows(t) - 1;
}

static void title_block(utfall_report *r, const struct ctx *c, const struct facts *f)
{
    const utfall_report_options *o = c->opt;
    const char *title = o->title ? o->title
                        : o->goals && o->goals->title ? o->goals->title
                                                      : tr(c, "report.title");
    heading(r, 1, title);
    char a[32], b[32], n1[32], n2[32], n3[32];
    utfall_date_format(f->first, a, sizeof a);
    utfall_date_format(f->last, b, sizeof b);
    para(r, UTFALL_BLOCK_LIST_ITEM, tr(c, "report.period"), a, b);
    para(r, UTFALL_BLOCK_LIST_ITEM, tr(c, "report.extract"),
         o->extract_name ? o->extract_name : "-",
         num(c, f->rows_read, n1, sizeof n1), num(c, f->rows_used, n2, sizeof n2),
         num(c, f->rows_rejected, n3, sizeof n3));
    if (o->date)
        para(r, UTFALL_BLOCK_LIST_ITEM, tr(c, "report.generated_on"), utfall_version(), o->date);
    else
        para(r, UTFALL_BLOCK_LIST_ITEM, tr(c, "report.generated"), utfall_version());
}

static utfall_status participants(utfall_report *r, const struct ctx *c, const struct facts *f,
                                  utfall_report_open_fn open, void *octx, int *pass,
                                  utfall_doc **outcomes, utfall_error *err)
{
    heading(r, 2, tr(c, "report.sec.participants"));
    utfall_summary_options so;
    memset(&so, 0, sizeof so);
    so.lang = c->lang;
    so.per = UTFALL_PER_YEAR;
    utfall_doc *d;
    utfall_status st = run(open, octx, pass, summary_fn, &so, &d, err);
    if (st)
        return st;
    utfall_table *ov = utfall_doc_table(d, "rows");
    char n1[32], n2[32], n3[32], n4[32];
    long persons = ov ? (long)col(ov, "persons", 0) : f->enrolled;
    exited_active(c, f, n3, n4, sizeof n3);
    para(r, UTFALL_BLOCK_PARAGRAPH, tr(c, "report.participants"),
         cnt(c, f->enrolled, n1, sizeof n1), cnt(c, persons, n2, sizeof n2), n3, n4);
    if (ov)
        utfall_table_set_title(ov, NULL); /* the section's heading says it */
    /* the exit outcomes belong to their own section */
    *outcomes = utfall_doc_new();
    for (int i = 0; *outcomes && i < utfall_doc_ntables(d); i++)
        if (!strcmp(utfall_table_key(utfall_doc_table_at(d, i)), "outcomes")) {
            utfall_doc_add(*outcomes, utfall_doc_take(d, i));
            break;
        }
    adopt(r, d, "deltagare", 1);
    figure(r, FIG_SUMMARY, "deltagare", 0, tr(c, "report.sec.participants"));
    return UTFALL_OK;
}

static void describe_who(const struct ctx *c, const utfall_goal_spec *g, char *buf, size_t size)
{
    char list[256];
    if (g->success) {
        utfall_outcome_set_describe(g->success, c->lang, list, sizeof list);
        snprintf(buf, size, tr(c, "report.who.outcomes"), list);
    } else {
        snprintf(buf, size, "%s",
                 tr(c, g->base == UTFALL_BASE_EXITED ? "report.who.exited" : "report.who.enrolled"));
    }
}

/* A part that needs a column the extract lacks is left out, and says so. */
static int lacks(utfall_report *r, const struct ctx *c, const struct facts *f, utfall_field field)
{
    if (f->has[field])
        return 0;
    para(r, UTFALL_BLOCK_PARAGRAPH, tr(c, "report.missing_column"), utfall_field_name(field));
    return 1;
}

/* Give the table a title saying what it is split by ("... by gender"). */
static void retitle_by(const struct ctx *c, utfall_doc *d, const char *key, const char *title_key,
                       const char *by)
{
    utfall_table *t = utfall_doc_table(d, key);
    if (!t)
        return;
    char ck[64], lower[128], title[256];
    snprintf(ck, sizeof ck, "col.%s", by);
    snprintf(lower, sizeof lower, "%s", tr(c, ck));
    if (lower[0] >= 'A' && lower[0] <= 'Z')
        lower[0] = (char)(lower[0] + 32);
    else if (!strncmp(lower, "\xC3\x85", 2) || !strncmp(lower, "\xC3\x84", 2)
             || !strncmp(lower, "\xC3\x96", 2))
        lower[1] = (char)(lower[1] + 32); /* Å Ä Ö */
    snprintf(title, sizeof title, tr(c, title_key), lower);
    utfall_table_set_title(t, title);
}

static utfall_status share_goal(utfall_report *r, const struct ctx *c, const struct facts *f,
                                const utfall_goal_spec *g, utfall_report_open_fn open, void *octx,
                                int *pass, utfall_error *err)
{
    utfall_goal_options go;
    utfall_goal_options_init(&go);
    go.success = g->success;
    go.base = g->base;
    go.fixed_base = g->fixed_base;
    go.target = g->target_share;
    go.level = c->opt->level;
    go.lang = c->lang;
    utfall_doc *d;
    utfall_status st = run(open, octx, pass, goal_fn, &go, &d, err);
    if (st)
        return st;
    utfall_table *t = utfall_doc_table(d, "rows");
    int tr_ = t ? total_row(t) : -1;
    double n = t ? col(t, "n", tr_) : NAN, reached = t ? col(t, "reached", tr_) : NAN;
    char a[64], b[64], p1[64], lo[64], hi[64], lv[32], list[256];
    utfall_outcome_set_describe(g->success, c->lang, list, sizeof list);
    /* the target */
    if (isfinite(g->target_share)) {
        if (g->base == UTFALL_BASE_FIXED) {
            char tn[32];
            long target_n = (long)ceil(g->target_share * (double)g->fixed_base - 1e-9);
            para(r, UTFALL_BLOCK_LIST_ITEM, tr(c, "report.goal.target_fixed"),
                 pct(c, g->target_share, 0, p1, sizeof p1), cnt(c, g->fixed_base, a, sizeof a),
                 cnt(c, target_n, tn, sizeof tn));
        } else {
            para(r, UTFALL_BLOCK_LIST_ITEM,
                 tr(c, g->base == UTFALL_BASE_EXITED ? "report.goal.target_exited"
                                                     : "report.goal.target_enrolled"),
                 pct(c, g->target_share, 0, p1, sizeof p1));
        }
    } else {
        para(r, UTFALL_BLOCK_LIST_ITEM, "%s", tr(c, "report.goal.no_target"));
    }
    /* the outcome */
    if (t && isfinite(n) && isfinite(reached) && n > 0) {
        /* a hidden count hides what reveals it: its share, interval, what is missing */
        int hide = hidden(c, (long)reached);
        const char *mark = tr(c, "suppressed_mark");
        double share = col(t, "share", tr_), low = col(t, "ci_low", tr_), high = col(t, "ci_high", tr_);
        pct(c, c->opt->level, 0, lv, sizeof lv);
        para(r, UTFALL_BLOCK_LIST_ITEM, tr(c, "report.goal.outcome"),
             cnt(c, (long)reached, a, sizeof a), cnt(c, (long)n, b, sizeof b), list,
             !hide && isfinite(share) ? pct(c, share, 1, p1, sizeof p1) : mark, lv,
             !hide && isfinite(low) ? pct(c, low, 1, lo, sizeof lo) : mark,
             !hide && isfinite(high) ? pct(c, high, 1, hi, sizeof hi) : mark);
        if (g->base == UTFALL_BASE_FIXED && f->exited > 0) {
            char e[32];
            para(r, UTFALL_BLOCK_LIST_ITEM, tr(c, "report.goal.among_exited"),
                 cnt(c, f->exited, e, sizeof e),
                 hide ? mark : pct(c, reached / (double)f->exited, 1, p1, sizeof p1));
        }
        if (isfinite(g->target_share)) {
            double met = col(t, "met", tr_), needed = col(t, "needed", tr_);
            long target_n = (long)ceil(g->target_share * n - 1e-9);
            if (met != 0)
                para(r, UTFALL_BLOCK_LIST_ITEM, "%s", tr(c, "report.goal.met"));
            else if (hide)
                para(r, UTFALL_BLOCK_LIST_ITEM, "%s", tr(c, "report.goal.not_met_hidden"));
            else
                para(r, UTFALL_BLOCK_LIST_ITEM, tr(c, "report.goal.not_met"),
                     cnt(c, isfinite(needed) ? (long)needed : target_n - (long)reached, a, sizeof a),
                     cnt(c, target_n, b, sizeof b));
        }
    } else {
        para(r, UTFALL_BLOCK_LIST_ITEM, "%s", tr(c, "report.goal.no_data"));
    }
    if (t)
        utfall_table_set_title(t, NULL); /* the goal as written is the heading */
    char prefix[64];
    snprintf(prefix, sizeof prefix, "mal_%s", g->id);
    adopt(r, d, prefix, 1);

    /* Per unit, among the exited: what a report says as "83 (38+45)" and
     * "42 % of those in Malmö". */
    if (!f->has[UTFALL_F_ENHET]) {
        figure(r, FIG_GOAL, prefix, g->target_share, tr(c, "report.figure.goal"));
        return UTFALL_OK;
    }
    go.base = g->base == UTFALL_BASE_FIXED ? UTFALL_BASE_EXITED : g->base;
    go.by = "enhet";
    st = run(open, octx, pass, goal_fn, &go, &d, err);
    if (st)
        return st;
    retitle_by(c, d, "rows",
               go.base == UTFALL_BASE_EXITED ? "report.title.goal_by_exited" : "report.title.goal_by",
               "enhet");
    snprintf(prefix, sizeof prefix, "mal_%s_enhet", g->id);
    adopt(r, d, prefix, 1);
    figure(r, FIG_GOAL, prefix, g->target_share, tr(c, "report.figure.goal"));
    return UTFALL_OK;
}

static void count_goal(utfall_report *r, const struct ctx *c, const struct facts *f,
                       const utfall_goal_spec *g)
{
    long count = 0;
    if (g->success) {
        for (int o = 0; o < UTFALL_OUTCOME_COUNT; o++)
            if ((g->success >> o) & 1)
                count += f->outcome[o];
    } else {
        count = g->base == UTFALL_BASE_EXITED ? f->exited : f->enrolled;
    }
    char a[64], b[64], who[256];
    describe_who(c, g, who, sizeof who);
    para(r, UTFALL_BLOCK_LIST_ITEM, tr(c, "report.goal.target_count"),
         cnt(c, g->target_count, a, sizeof a));
    para(r, UTFALL_BLOCK_LIST_ITEM, tr(c, "report.goal.count_outcome"), cnt(c, count, a, sizeof a),
         who);
    if (count >= g->target_count)
        para(r, UTFALL_BLOCK_LIST_ITEM, "%s", tr(c, "report.goal.met"));
    else
        para(r, UTFALL_BLOCK_LIST_ITEM, tr(c, "report.goal.not_met"),
             cnt(c, g->target_count - count, a, sizeof a), cnt(c, g->target_count, b, sizeof b));

    char key[64];
    snprintf(key, sizeof key, "mal_%s", g->id);
    utfall_table *t = utfall_table_new(key, UTFALL_TABLE_ROWS);
    if (!t) {
        r->failed = 1;
        return;
    }
    int ct = utfall_table_add_column(t, "target", "col.target", UTFALL_COL_COUNT, 0);
    int cc = utfall_table_add_column(t, "count", "col.count", UTFALL_COL_COUNT, 0);
    int cm = utfall_table_add_column(t, "met", "col.met", UTFALL_COL_BOOL, 0);
    int cn = utfall_table_add_column(t, "needed", "col.needed", UTFALL_COL_COUNT, 0);
    utfall_table_column_not_suppressible(t, ct);
    utfall_table_column_depends(t, cn, cc);
    int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
    utfall_table_set_num(t, row, ct, (double)g->target_count);
    utfall_table_set_num(t, row, cc, (double)count);
    utfall_table_set_num(t, row, cm, count >= g->target_count);
    utfall_table_set_num(t, row, cn, (double)(count >= g->target_count ? 0 : g->target_count - count));
    char note[512];
    snprintf(note, sizeof note, tr(c, "report.note.count"), who);
    utfall_table_add_note(t, note);
    utfall_doc_add(r->doc, t);
    add_block(r, UTFALL_BLOCK_TABLE, 0, key);
}

static utfall_status activity_goal(utfall_report *r, const struct ctx *c,
                                   const utfall_goal_spec *g, utfall_report_open_fn open,
                                   void *octx, int *pass, utfall_error *err)
{
    utfall_hours_options ho;
    utfall_hours_options_init(&ho);
    ho.level = c->opt->level;
    ho.lang = c->lang;
    utfall_doc *d;
    utfall_status st = run(open, octx, pass, hours_fn, &ho, &d, err);
    if (st)
        return st;
    utfall_table *t = utfall_doc_table(d, "rows");
    int tr_ = t ? total_row(t) : -1;
    char h[32], a[32], b[32], i1[32], i2[32], i3[32], lo[32], hi[32], lv[32];
    if (g->target_hours > 0)
        para(r, UTFALL_BLOCK_LIST_ITEM, tr(c, "report.goal.target_activity"),
             dec(c, g->target_hours, 1, h, sizeof h));
    else
        para(r, UTFALL_BLOCK_LIST_ITEM, "%s", tr(c, "report.goal.target_increase"));
    double mean = t ? col(t, "mean_change", tr_) : NAN;
    if (t && isfinite(mean)) {
        pct(c, c->opt->level, 0, lv, sizeof lv);
        para(r, UTFALL_BLOCK_LIST_ITEM, tr(c, "report.goal.activity_outcome"),
             cnt(c, (long)col(t, "increased", tr_), i1, sizeof i1),
             cnt(c, (long)col(t, "n", tr_), a, sizeof a),
             cnt(c, (long)col(t, "unchanged", tr_), i2, sizeof i2),
             cnt(c, (long)col(t, "decreased", tr_), i3, sizeof i3), dec(c, mean, 1, b, sizeof b),
             lv, dec(c, col(t, "ci_low", tr_), 1, lo, sizeof lo),
             dec(c, col(t, "ci_high", tr_), 1, hi, sizeof hi));
        para(r, UTFALL_BLOCK_LIST_ITEM, "%s",
             tr(c, mean > g->target_hours ? "report.goal.met" : "report.goal.activity_not_met"));
    } else {
        para(r, UTFALL_BLOCK_LIST_ITEM, "%s", tr(c, "report.goal.no_data"));
    }
    if (t)
        utfall_table_set_title(t, NULL);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "mal_%s", g->id);
    adopt(r, d, prefix, 1);
    return UTFALL_OK;
}

static utfall_status goals_section(utfall_report *r, const struct ctx *c, const struct facts *f,
                                   const utfall_goals *goals, utfall_report_open_fn open,
                                   void *octx, int *pass, utfall_error *err)
{
    heading(r, 2, tr(c, "report.sec.goals"));
    for (size_t i = 0; i < goals->n; i++) {
        const utfall_goal_spec *g = &goals->goals[i];
        heading(r, 3, g->text);
        utfall_status st = UTFALL_OK;
        if (g->kind == UTFALL_GOAL_ACTIVITY
                ? lacks(r, c, f, UTFALL_F_TIMMAR_FORE) || lacks(r, c, f, UTFALL_F_TIMMAR_EFTER)
                : (g->success || g->base == UTFALL_BASE_EXITED)
                      && (lacks(r, c, f, UTFALL_F_AVSLUTAD)
                          || (g->success && lacks(r, c, f, UTFALL_F_AVSLUTSORSAK))))
            continue;
        if (g->kind == UTFALL_GOAL_SHARE)
            st = share_goal(r, c, f, g, open, octx, pass, err);
        else if (g->kind == UTFALL_GOAL_COUNT)
            count_goal(r, c, f, g);
        else
            st = activity_goal(r, c, g, open, octx, pass, err);
        if (st)
            return st;
    }
    return UTFALL_OK;
}

static utfall_status outcomes_section(utfall_report *r, const struct ctx *c,
                                      const struct facts *f, utfall_doc *outcomes,
                                      utfall_report_open_fn open, void *octx, int *pass,
                                      utfall_error *err)
{
    heading(r, 2, tr(c, "report.sec.outcomes"));
    if (lacks(r, c, f, UTFALL_F_AVSLUTSORSAK)) {
        utfall_doc_free(outcomes);
        return UTFALL_OK;
    }
    if (outcomes)
        adopt(r, outcomes, "avslut", 1);
    static const char *const by[] = {"kon", "enhet"};
    static const utfall_field by_field[] = {UTFALL_F_KON, UTFALL_F_ENHET};
    for (int i = 0; i < 2; i++) {
        if (!f->has[by_field[i]])
            continue;
        utfall_split_options so;
        utfall_split_options_init(&so);
        so.by = by[i];
        so.level = c->opt->level;
        so.lang = c->lang;
        utfall_doc *d;
        utfall_status st = run(open, octx, pass, split_fn, &so, &d, err);
        if (st)
            return st;
        retitle_by(c, d, "crosstab", "report.title.outcomes_by", by[i]);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "avslut_%s", by[i]);
        adopt(r, d, prefix, 1);
        figure(r, FIG_SPLIT, prefix, 0, NULL);
    }
    return UTFALL_OK;
}

static utfall_status activity_section(utfall_report *r, const struct ctx *c,
                                      const struct facts *f, utfall_report_open_fn open,
                                      void *octx, int *pass, utfall_error *err)
{
    heading(r, 2, tr(c, "report.sec.activity"));
    if (lacks(r, c, f, UTFALL_F_TIMMAR_FORE) || lacks(r, c, f, UTFALL_F_TIMMAR_EFTER))
        return UTFALL_OK;
    static const char *const by[] = {NULL, "kon"};
    for (int i = 0; i < (f->has[UTFALL_F_KON] ? 2 : 1); i++) {
        utfall_hours_options ho;
        utfall_hours_options_init(&ho);
        ho.by = by[i];
        ho.level = c->opt->level;
        ho.lang = c->lang;
        utfall_doc *d;
        utfall_status st = run(open, octx, pass, hours_fn, &ho, &d, err);
        if (st)
            return st;
        if (i == 0) {
            utfall_table *t = utfall_doc_table(d, "rows");
            int tr_ = t ? total_row(t) : -1;
            double mean = t ? col(t, "mean_change", tr_) : NAN;
            if (t && isfinite(mean)) {
                char a[32], b[32], i1[32], i2[32], i3[32], m[32];
                para(r, UTFALL_BLOCK_PARAGRAPH, tr(c, "report.activity"),
                     cnt(c, (long)col(t, "n", tr_), a, sizeof a),
                     cnt(c, (long)col(t, "increased", tr_), i1, sizeof i1),
                     cnt(c, (long)col(t, "unchanged", tr_), i2, sizeof i2),
                     cnt(c, (long)col(t, "decreased", tr_), i3, sizeof i3),
                     dec(c, mean, 1, m, sizeof m), cnt(c, (long)col(t, "missing", tr_), b, sizeof b));
            }
        }
        if (i == 1)
            retitle_by(c, d, "rows", "report.title.hours_by", by[i]);
        adopt(r, d, i == 0 ? "aktivitet" : "aktivitet_kon", 1);
    }
    /* one figure: by gender when the extract has it */
    figure(r, FIG_HOURS, f->has[UTFALL_F_KON] ? "aktivitet_kon" : "aktivitet", 0,
           tr(c, "report.sec.activity"));
    return UTFALL_OK;
}

static utfall_status horizon_section(utfall_report *r, const struct ctx *c,
                                     utfall_report_open_fn open, void *octx, int *pass,
                                     utfall_error *err)
{
    const utfall_horizon_options *ho = c->opt->horizon;
    char months[256] = "";
    size_t n = 0;
    for (size_t i = 0; i < ho->nmonths && n < sizeof months; i++)
        n += (size_t)snprintf(months + n, sizeof months - n, "%s%d", i ? ", " : "", ho->months[i]);
    if (ho->nmonths == 0)
        snprintf(months, sizeof months, "15");
    char h2[320];
    snprintf(h2, sizeof h2, tr(c, "report.sec.horizon"), months);
    heading(r, 2, h2);
    utfall_horizon_options o = *ho;
    o.curve = 1; /* for the figure */
    o.lang = c->lang;
    o.level = c->opt->level;
    utfall_doc *d;
    utfall_status st = run(open, octx, pass, horizon_fn, &o, &d, err);
    if (st)
        return st;
    if (!ho->curve && utfall_doc_table(d, "curve"))
        utfall_table_set_chart_only(utfall_doc_table(d, "curve"));
    adopt(r, d, "horisont", 1);
    int h = 0;
    for (size_t i = 0; i < ho->nmonths; i++)
        h = ho->months[i] > h ? ho->months[i] : h;
    figure(r, FIG_HORIZON, "horisont", h ? h : 15, h2);
    return UTFALL_OK;
}

static void method_section(utfall_report *r, const struct ctx *c, const struct facts *f)
{
    char a[32], b[32], d[32], lv[32];
    heading(r, 2, tr(c, "report.sec.method"));
    para(r, UTFALL_BLOCK_LIST_ITEM, tr(c, "report.method.rows"), num(c, f->rows_read, a, sizeof a),
         num(c, f->rows_used, b, sizeof b), num(c, f->rows_rejected, d, sizeof d));
    para(r, UTFALL_BLOCK_LIST_ITEM, "%s", tr(c, "report.method.episodes"));
    exited_active(c, f, a, b, sizeof a);
    para(r, UTFALL_BLOCK_LIST_ITEM, tr(c, "report.method.exited"), a, b);
    para(r, UTFALL_BLOCK_LIST_ITEM, "%s", tr(c, "report.method.goals"));
    pct(c, c->opt->level, 0, lv, sizeof lv);
    para(r, UTFALL_BLOCK_LIST_ITEM, tr(c, "report.method.intervals"), lv);
    para(r, UTFALL_BLOCK_LIST_ITEM, "%s", tr(c, "report.method.hours"));
    para(r, UTFALL_BLOCK_LIST_ITEM, "%s", tr(c, "report.method.split"));
    if (c->opt->horizon)
        para(r, UTFALL_BLOCK_LIST_ITEM, "%s", tr(c, "report.method.horizon"));
    if (c->opt->suppress > 1) {
        snprintf(a, sizeof a, "%ld", c->opt->suppress);
        snprintf(b, sizeof b, "%ld", c->opt->suppress - 1);
        para(r, UTFALL_BLOCK_LIST_ITEM, tr(c, "report.method.suppress"), b, a, a);
    } else {
        para(r, UTFALL_BLOCK_LIST_ITEM, "%s", tr(c, "report.method.no_suppress"));
    }
    para(r, UTFALL_BLOCK_LIST_ITEM, "%s", tr(c, "report.method.reproducible"));
}

static void prepend_text_table(utfall_report *r, const struct ctx *c);

/* Fill the figures from the suppressed tables and number them. */
static utfall_status make_figures(utfall_report *r, const struct ctx *c, utfall_error *err)
{
    int number = 0;
    for (size_t i = 0; i < r->n; i++) {
        struct block *b = &r->blocks[i];
        if (b->fig == FIG_NONE)
            continue;
        b->chart = utfall_chart_new(c->lang);
        if (!b->chart)
            return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
        /* before the tables: a table's title names a panel, not the figure */
        utfall_chart_set_title(b->chart, b->caption);
        utfall_status st;
        switch (b->fig) {
        case FIG_SUMMARY:
            st = utfall_figure_summary(b->chart, r->doc, b->prefix, err);
            break;
        case FIG_GOAL:
            st = utfall_figure_goal(b->chart, r->doc, b->prefix, b->param, c->lang, err);
            break;
        case FIG_SPLIT:
            st = utfall_figure_split(b->chart, r->doc, b->prefix, err);
            break;
        case FIG_HOURS:
            st = utfall_figure_hours(b->chart, r->doc, b->prefix, c->lang, err);
            break;
        default:
            st = utfall_figure_horizon(b->chart, r->doc, b->prefix, (int)b->param, c->lang, err);
            break;
        }
        if (st)
            return st;
        if (c->opt->suppress > 1 && !utfall_chart_has_values(b->chart)) {
            /* every count in it is hidden (only zeros are left): the table
             * beside it says so, and a figure of empty axes says nothing */
            utfall_chart_free(b->chart);
            b->chart = NULL;
            continue;
        }
        const char *title = utfall_chart_title(b->chart);
        char cap[512];
        snprintf(cap, sizeof cap, tr(c, "report.figure"), ++number, title ? title : "");
        free(b->caption);
        if (!(b->caption = strdup(cap)))
            return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    }
    return UTFALL_OK;
}

utfall_status utfall_report_build(utfall_report **out, utfall_report_open_fn open, void *octx,
                                  const utfall_report_options *opt, utfall_error *err)
{
    *out = NULL;
    utfall_report *r = calloc(1, sizeof *r);
    if (!r || !(r->doc = utfall_doc_new())) {
        free(r);
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    }
    r->lang = opt->lang;
    if (opt->date && !(r->date = strdup(opt->date)))
        r->failed = 1;
    struct ctx c = {opt, opt->lang};
    utfall_goals *own_goals = NULL;
    const utfall_goals *goals = opt->goals;
    utfall_status st = UTFALL_OK;
    if (!goals) {
        st = utfall_goals_default(&own_goals, opt->lang, err);
        goals = own_goals;
    }
    struct facts f;
    int pass = 1;
    utfall_doc *outcomes = NULL;
    if (!st)
        st = read_facts(open, octx, &f, err);
    if (!st) {
        title_block(r, &c, &f);
        st = participants(r, &c, &f, open, octx, &pass, &outcomes, err);
    }
    if (!st)
        st = goals_section(r, &c, &f, goals, open, octx, &pass, err);
    if (!st) {
        st = outcomes_section(r, &c, &f, outcomes, open, octx, &pass, err);
        outcomes = NULL;
    }
    if (!st)
        st = activity_section(r, &c, &f, open, octx, &pass, err);
    if (!st && opt->horizon)
        st = horizon_section(r, &c, open, octx, &pass, err);
    if (!st) {
        method_section(r, &c, &f);
        utfall_doc_suppress(r->doc, opt->suppress, opt->lang);
        st = make_figures(r, &c, err);
    }
    if (!st)
        prepend_text_table(r, &c);
    utfall_doc_free(outcomes);
    utfall_goals_free(own_goals);
    if (!st && r->failed)
        st = utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    if (st) {
        utfall_report_free(r);
        return st;
    }
    *out = r;
    return UTFALL_OK;
}

/* The workbook gets the report's sentences too, on a sheet before the
 * tables: the goals as written, met or not, what is missing. */
static void prepend_text_table(utfall_report *r, const struct ctx *c)
{
    utfall_table *t = utfall_table_new("rapport", UTFALL_TABLE_ROWS);
    utfall_doc *d = utfall_doc_new();
    if (!t || !d) {
        utfall_table_free(t);
        utfall_doc_free(d);
        r->failed = 1;
        return;
    }
    int col = utfall_table_add_column(t, "text", "report.col.text", UTFALL_COL_TEXT, 0);
    for (size_t i = 0; i < r->n; i++) {
        const struct block *b = &r->blocks[i];
        char buf[2200];
        if (b->kind == UTFALL_BLOCK_TABLE)
            snprintf(buf, sizeof buf, tr(c, "report.see_sheet"), b->text);
        else if (b->kind == UTFALL_BLOCK_LIST_ITEM)
            snprintf(buf, sizeof buf, "\xE2\x80\xA2 %s", b->text); /* • */
        else if (b->kind == UTFALL_BLOCK_FIGURE)
            continue;
        else
            snprintf(buf, sizeof buf, "%s", b->text);
        int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
        utfall_table_set_text(t, row, col, buf);
    }
    utfall_table_set_no_suppress(t);
    utfall_doc_add(d, t);
    while (utfall_doc_ntables(r->doc) > 0)
        utfall_doc_add(d, utfall_doc_take(r->doc, 0));
    utfall_doc_free(r->doc);
    r->doc = d;
}

utfall_status utfall_report_add_figure(utfall_report *r, const char *after_table,
                                       const char *path, const char *caption, utfall_error *err)
{
    size_t at = r->n;
    for (size_t i = 0; i < r->n; i++)
        if (r->blocks[i].kind == UTFALL_BLOCK_TABLE && !strcmp(r->blocks[i].text, after_table))
            at = i + 1;
    if (at == r->n && after_table)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_NO_SUCH_TABLE,
                                "the report has no table '%s'", after_table);
    size_t before = r->n;
    add_block(r, UTFALL_BLOCK_FIGURE, 0, path);
    if (r->failed || r->n == before)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    struct block fig = r->blocks[r->n - 1];
    fig.caption = caption ? strdup(caption) : NULL;
    memmove(r->blocks + at + 1, r->blocks + at, (r->n - 1 - at) * sizeof *r->blocks);
    r->blocks[at] = fig;
    return UTFALL_OK;
}

void utfall_report_free(utfall_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->blocks[i].text);
        free(r->blocks[i].caption);
        free(r->blocks[i].prefix);
        utfall_chart_free(r->blocks[i].chart);
    }
    free(r->blocks);
    utfall_doc_free(r->doc);
    free(r->date);
    free(r);
}

size_t utfall_report_nblocks(const utfall_report *r)
{
    return r->n;
}

utfall_block_kind utfall_report_block(const utfall_report *r, size_t i, const char **text,
                                      int *level)
{
    *text = r->blocks[i].text;
    if (level)
        *level = r->blocks[i].level;
    return r->blocks[i].kind;
}

utfall_doc *utfall_report_doc(utfall_report *r)
{
    return r->doc;
}

utfall_lang utfall_report_lang(const utfall_report *r)
{
    return r->lang;
}

const char *utfall_report_date(const utfall_report *r)
{
    return r->date;
}

const utfall_chart *utfall_report_figure_chart(const utfall_report *r, size_t i)
{
    return i < r->n && r->blocks[i].kind == UTFALL_BLOCK_FIGURE ? r->blocks[i].chart : NULL;
}

const char *utfall_report_figure_caption(const utfall_report *r, size_t i)
{
    return i < r->n && r->blocks[i].kind == UTFALL_BLOCK_FIGURE ? r->blocks[i].caption : NULL;
}

utfall_status utfall_report_set_figure_path(utfall_report *r, size_t i, const char *path,
                                            utfall_error *err)
{
    if (i >= r->n || r->blocks[i].kind != UTFALL_BLOCK_FIGURE)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_NOT_A_FIGURE, "block %zu is not a figure",
                                i);
    char *p = strdup(path);
    if (!p)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    free(r->blocks[i].text);
    r->blocks[i].text = p;
    return UTFALL_OK;
}

/* ---- writers ------------------------------------------------------------ */

/* Markdown that pandoc reads as intended: text that starts like a list
 * or a heading, or holds emphasis characters, is escaped. */
static void md_text(FILE *out, const char *s)
{
    for (const char *p = s; *p; p++) {
        if (strchr("\\*_`[]|", *p))
            fputc('\\', out);
        else if (p == s && (*p == '#' || *p == '+' || *p == '-'))
            fputc('\\', out);
        fputc(*p, out);
    }
}

utfall_status utfall_report_write_md(const utfall_report *r, FILE *out, utfall_error *err)
{
    if (utfall_doc_check(r->doc, err))
        return err->status;
    int in_list = 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct block *b = &r->blocks[i];
        if (b->kind != UTFALL_BLOCK_LIST_ITEM && in_list) {
            fputc('\n', out);
            in_list = 0;
        }
        switch (b->kind) {
        case UTFALL_BLOCK_HEADING:
            for (int k = 0; k < b->level; k++)
                fputc('#', out);
            fputc(' ', out);
            md_text(out, b->text);
            fputs("\n\n", out);
            break;
        case UTFALL_BLOCK_PARAGRAPH:
            md_text(out, b->text);
            fputs("\n\n", out);
            break;
        case UTFALL_BLOCK_LIST_ITEM:
            fputs("- ", out);
            md_text(out, b->text);
            fputc('\n', out);
            in_list = 1;
            break;
        case UTFALL_BLOCK_TABLE: {
            const utfall_table *t = utfall_doc_table(r->doc, b->text);
            if (!t)
                break;
            utfall_status st = utfall_table_write_human(t, out, r->lang, 1, err);
            if (st)
                return st;
            fputc('\n', out);
            break;
        }
        case UTFALL_BLOCK_FIGURE:
            if (!*b->text)
                break; /* a figure of the report's own that was not written as a file */
            fputs("![", out);
            md_text(out, b->caption ? b->caption : "");
            fprintf(out, "](%s)\n\n", b->text);
            break;
        }
    }
    if (fflush(out) != 0 || ferror(out))
        return utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_WRITE_ERROR, "cannot write output: %s",
                                strerror(errno));
    return UTFALL_OK;
}

utfall_status utfall_report_write_xlsx(const utfall_report *r, const char *path, utfall_error *err)
{
    return utfall_doc_write_xlsx(r->doc, path, r->lang, err);
}
