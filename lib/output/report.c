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
#include "utfall/protect.h"
#include "utfall/split.h"
#include "utfall/summary.h"
#include "utfall/utfall.h"
#include "analysis/states.h"
#include "output/report_internal.h"

void utfall_report_options_init(utfall_report_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->suppress = 5;
    opt->level = UTFALL_STATS_DEFAULT_LEVEL;
    opt->heading_level = 1;
    utfall_reporting_period_init(&opt->period);
}

/* ---- blocks ----------------------------------------------------------- */

void report_add_block(utfall_report *r, utfall_block_kind kind, int level, const char *text)
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
    r->blocks[r->n++] = (struct block){.kind = kind, .level = level, .text = t};
}

void report_heading(utfall_report *r, int level, const char *text)
{
    report_add_block(r, UTFALL_BLOCK_HEADING, level, text);
}

/* A figure of the report's own, filled once the tables are suppressed
 * (the figure never shows what a table hides).  title: the figure's title
 * when its tables give none. */
void report_figure(utfall_report *r, enum fig fig, const char *prefix, double param,
                   const char *title)
{
    size_t before = r->n;
    report_add_block(r, UTFALL_BLOCK_FIGURE, 0, "");
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

void report_para(utfall_report *r, utfall_block_kind kind, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    report_add_block(r, kind, 0, buf);
}

void report_adopt(utfall_report *r, utfall_doc *from, const char *prefix, int show)
{
    report_adopt_weighted(r, from, prefix, show, 1);
}

/* importance: what hiding a count of these tables costs (protect.h) */
void report_adopt_weighted(utfall_report *r, utfall_doc *from, const char *prefix, int show,
                           double importance)
{
    /* what the computation declared of its dimensions, for the protection */
    utfall_doc_adopt_dimensions(r->doc, from);
    utfall_doc_prefix_keys(from, prefix, 31); /* an Excel sheet name holds 31 characters */
    while (utfall_doc_ntables(from) > 0) {
        utfall_table *t = utfall_doc_take(from, 0);
        char key[64];
        snprintf(key, sizeof key, "%s", utfall_table_key(t));
        if (!strcmp(key + strlen(prefix) + 1, "meta")) {
            utfall_table_free(t);
            continue;
        }
        int people = !utfall_table_is_machine_only(t);
        utfall_table_set_importance(t, importance);
        utfall_doc_add(r->doc, t);
        if (show && people)
            report_add_block(r, UTFALL_BLOCK_TABLE, 0, key);
    }
    if (utfall_doc_status(from))
        r->failed = 1;
    utfall_doc_free(from);
}

/* ---- formatting for sentences ---------------------------------------- */

const char *report_tr(const struct ctx *c, const char *key)
{
    return utfall_tr(c->lang, key);
}

/* Bookkeeping (rows read, used, rejected) is never hidden. */
const char *report_num(const struct ctx *c, long n, char *buf, size_t size)
{
    utfall_fmt_count(c->lang, n, buf, size);
    return buf;
}

const char *report_pct(const struct ctx *c, double share, int decimals, char *buf, size_t size)
{
    utfall_fmt_percent(c->lang, share, decimals, buf, size);
    return buf;
}

const char *report_dec(const struct ctx *c, double x, int decimals, char *buf, size_t size)
{
    utfall_fmt_decimal(c->lang, x, decimals, buf, size);
    return buf;
}

const char *report_amount(const struct ctx *c, double kronor, char *buf, size_t size)
{
    char n[64];
    utfall_fmt_decimal(c->lang, kronor, 0, n, sizeof n);
    snprintf(buf, size, "%s%s", n, c->lang == UTFALL_LANG_SV ? "\xC2\xA0kr" : " SEK");
    return buf;
}

const char *report_lower(const struct ctx *c, const char *key, char *buf, size_t size)
{
    snprintf(buf, size, "%s", report_tr(c, key));
    unsigned char *u = (unsigned char *)buf;
    if (u[0] >= 'A' && u[0] <= 'Z')
        u[0] = (unsigned char)(u[0] - 'A' + 'a');
    else if (u[0] == 0xC3 && u[1] >= 0x80 && u[1] <= 0x9E)
        u[1] = (unsigned char)(u[1] + 0x20); /* Å Ä Ö */
    return buf;
}

void report_table_block(utfall_report *r, const char *key, int titled_by_heading)
{
    size_t before = r->n;
    report_add_block(r, UTFALL_BLOCK_TABLE, 0, key);
    if (r->n > before)
        r->blocks[r->n - 1].titled_by_heading = titled_by_heading;
}

/* The table of key is titled by the heading before it (see report_internal.h). */
static void mark_titled(utfall_report *r, const char *key)
{
    for (size_t i = r->n; i-- > 0;)
        if (r->blocks[i].kind == UTFALL_BLOCK_TABLE && !strcmp(r->blocks[i].text, key)) {
            r->blocks[i].titled_by_heading = 1;
            return;
        }
}

const utfall_goal_spec *report_main_goal(const utfall_goals *goals)
{
    for (size_t i = 0; goals && i < goals->n; i++) {
        const utfall_goal_spec *g = &goals->goals[i];
        if (g->kind == UTFALL_GOAL_SHARE && g->measure == UTFALL_MEASURE_OUTCOMES && g->success
            && !g->group_key && g->as_of == UTFALL_DATE_NONE)
            return g;
    }
    return NULL;
}

/* ---- sentences from the protected tables -------------------------------- */

static void describe_who(const struct ctx *c, const utfall_goal_spec *g, char *buf, size_t size)
{
    char list[256];
    if (g->success) {
        utfall_outcome_set_describe(g->success, c->lang, list, sizeof list);
        snprintf(buf, size, report_tr(c, "report.who.outcomes"), list);
    } else {
        snprintf(buf, size, "%s",
                 report_tr(c, g->base == UTFALL_BASE_EXITED ? "report.who.exited" : "report.who.enrolled"));
    }
}


/* Sentences are written after the document is protected, from its cells
 * only: a number in the text is a cell of a table, shown as the table
 * shows it ("..", when hidden), so the text can neither reveal what a
 * table hides nor contradict it.  A sentence is a block whose fill
 * function reads the cells of the tables under its prefix. */
void report_defer(utfall_report *r, utfall_block_kind kind, sentence_fn fill, const char *prefix,
                  const utfall_goal_spec *goal)
{
    size_t before = r->n;
    report_add_block(r, kind, 0, "");
    if (r->n == before)
        return;
    struct block *b = &r->blocks[r->n - 1];
    b->fill = fill;
    b->goal = goal;
    if (prefix && !(b->prefix = strdup(prefix)))
        r->failed = 1;
}

void report_set_text(utfall_report *r, struct block *b, const char *fmt, ...) UTFALL_PRINTF(3, 4);
void report_defer_verdict(utfall_report *r, sentence_fn fill, const char *prefix,
                          const utfall_goal_spec *goal)
{
    size_t before = r->n;
    report_defer(r, UTFALL_BLOCK_LIST_ITEM, fill, prefix, goal);
    if (r->n > before)
        r->blocks[r->n - 1].verdict = 1;
}

void report_set_text(utfall_report *r, struct block *b, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *t = strdup(buf);
    if (!t) {
        r->failed = 1;
        return;
    }
    free(b->text);
    b->text = t;
}

struct cellref report_cell(utfall_report *r, const char *prefix, const char *key,
                           const char *column, int row)
{
    char tk[96];
    snprintf(tk, sizeof tk, "%s_%s", prefix, key);
    tk[31] = '\0'; /* as report_adopt() cuts them */
    utfall_table *t = utfall_doc_table(r->doc, tk);
    struct cellref ref = {t, -1, -1};
    if (t && utfall_table_nrows(t) > 0) {
        ref.row = row < 0 ? utfall_table_nrows(t) - 1 : row;
        ref.col = utfall_table_column_index(t, column);
    }
    return ref;
}

int report_cell_ok(struct cellref ref)
{
    return ref.t && ref.row >= 0 && ref.col >= 0;
}

int report_cell_hidden(struct cellref ref)
{
    return report_cell_ok(ref) && utfall_table_is_suppressed(ref.t, ref.row, ref.col);
}

/* The value to decide on (met or not, is there data): NAN when hidden. */
double report_cell_num(struct cellref ref)
{
    return report_cell_ok(ref) ? utfall_table_num(ref.t, ref.row, ref.col) : NAN;
}

struct cellref report_cell_where(utfall_report *r, const char *table_key, const char *column,
                                 const char *gcol, const char *value)
{
    utfall_table *t = utfall_doc_table(r->doc, table_key);
    struct cellref ref = {t, -1, -1};
    int g = t ? utfall_table_column_index(t, gcol) : -1;
    for (int row = 0; g >= 0 && row < utfall_table_nrows(t); row++) {
        const char *v = utfall_table_text(t, row, g);
        if (!utfall_table_is_total(t, row) && v && !strcmp(v, value)) {
            ref.row = row;
            ref.col = utfall_table_column_index(t, column);
            break;
        }
    }
    return ref;
}

const char *report_cell_amount(const struct ctx *c, struct cellref ref, char *buf, size_t size)
{
    double v = report_cell_num(ref);
    if (isfinite(v))
        return report_amount(c, v, buf, size);
    return report_cell_str(c, ref, buf, size);
}

/* The cell as its table shows it to people. */
const char *report_cell_str(const struct ctx *c, struct cellref ref, char *buf, size_t size)
{
    buf[0] = '\0';
    if (report_cell_ok(ref))
        utfall_table_format_cell(ref.t, ref.row, ref.col, c->lang, buf, size);
    return buf;
}

static void fill_participants(utfall_report *r, const struct ctx *c, struct block *b)
{
    char n1[64], n2[64], n3[64], n4[64];
    report_set_text(r, b, report_tr(c, "report.participants"),
             report_cell_str(c, report_cell(r, "deltagare", "rows", "enrolled", -1), n1, sizeof n1),
             report_cell_str(c, report_cell(r, "deltagare", "rows", "persons", -1), n2, sizeof n2),
             report_cell_str(c, report_cell(r, "deltagare", "rows", "exited", -1), n3, sizeof n3),
             report_cell_str(c, report_cell(r, "deltagare", "rows", "active", -1), n4, sizeof n4));
}

static void fill_method_exited(utfall_report *r, const struct ctx *c, struct block *b)
{
    char a[64], d[64];
    report_set_text(r, b, report_tr(c, "report.method.exited"),
             report_cell_str(c, report_cell(r, "deltagare", "rows", "exited", -1), a, sizeof a),
             report_cell_str(c, report_cell(r, "deltagare", "rows", "active", -1), d, sizeof d));
}

/* "Outcome: 83 of 210 exited to …, 39,5 % (95 % CI …)". */
static void fill_goal_outcome(utfall_report *r, const struct ctx *c, struct block *b)
{
    const utfall_goal_spec *g = b->goal;
    struct cellref n = report_cell(r, b->prefix, "rows", "n", -1);
    if (!report_cell_ok(n) || !(report_cell_num(n) > 0 || report_cell_hidden(n))) {
        report_set_text(r, b, "%s", report_tr(c, "report.goal.no_data"));
        return;
    }
    char a[64], nn[64], p1[64], lo[64], hi[64], lv[32], list[256];
    utfall_outcome_set_describe(g->success, c->lang, list, sizeof list);
    report_pct(c, c->opt->level, 0, lv, sizeof lv);
    report_set_text(r, b, report_tr(c, "report.goal.outcome"),
             report_cell_str(c, report_cell(r, b->prefix, "rows", "reached", -1), a, sizeof a),
             report_cell_str(c, n, nn, sizeof nn), list,
             report_cell_str(c, report_cell(r, b->prefix, "rows", "share", -1), p1, sizeof p1), lv,
             report_cell_str(c, report_cell(r, b->prefix, "rows", "ci_low", -1), lo, sizeof lo),
             report_cell_str(c, report_cell(r, b->prefix, "rows", "ci_high", -1), hi, sizeof hi));
}

/* A planned base: the share among those who have exited too, a figure of
 * two cells, shown only when both are. */
static void fill_goal_among_exited(utfall_report *r, const struct ctx *c, struct block *b)
{
    struct cellref reached = report_cell(r, b->prefix, "rows", "reached", -1);
    struct cellref exited = report_cell(r, "deltagare", "rows", "exited", -1);
    double re = report_cell_num(reached), ex = report_cell_num(exited);
    char e[64], p1[64];
    if (!(ex > 0) && !report_cell_hidden(exited))
        return; /* nobody has exited: nothing to say */
    report_set_text(r, b, report_tr(c, "report.goal.among_exited"), report_cell_str(c, exited, e, sizeof e),
             isfinite(re) && isfinite(ex) ? report_pct(c, re / ex, 1, p1, sizeof p1)
                                          : report_tr(c, "suppressed_mark"));
}

void report_fill_share_verdict(utfall_report *r, const struct ctx *c, struct block *b)
{
    const utfall_goal_spec *g = b->goal;
    struct cellref met = report_cell(r, b->prefix, "rows", "met", -1);
    struct cellref needed = report_cell(r, b->prefix, "rows", "needed", -1);
    struct cellref n = report_cell(r, b->prefix, "rows", "n", -1);
    if (!isfinite(g->target_share) || !report_cell_ok(n) || !(report_cell_num(n) > 0 || report_cell_hidden(n)))
        return;
    char a[64], t[64];
    double m = report_cell_num(met);
    if (report_cell_hidden(met)) /* met or not would bound a hidden count */
        report_set_text(r, b, "%s", report_tr(c, "report.goal.verdict_hidden"));
    else if (m > 0)
        report_set_text(r, b, "%s", report_tr(c, "report.goal.met"));
    else if (report_cell_hidden(needed) || report_cell_hidden(n))
        report_set_text(r, b, "%s", report_tr(c, "report.goal.not_met_hidden"));
    else
        report_set_text(r, b, report_tr(c, "report.goal.not_met"), report_cell_str(c, needed, a, sizeof a),
                 report_num(c, (long)ceil(g->target_share * report_cell_num(n) - 1e-9), t, sizeof t));
}

/* Count goals: the count is the table's cell; the target a plan. */
static void fill_count_outcome(utfall_report *r, const struct ctx *c, struct block *b)
{
    char a[64], who[256];
    describe_who(c, b->goal, who, sizeof who);
    report_set_text(r, b, report_tr(c, "report.goal.count_outcome"),
             report_cell_str(c, report_cell(r, "mal", b->goal->id, "count", -1), a, sizeof a), who);
}

void report_fill_count_verdict(utfall_report *r, const struct ctx *c, struct block *b)
{
    const utfall_goal_spec *g = b->goal;
    struct cellref count = report_cell(r, "mal", b->goal->id, "count", -1);
    struct cellref needed = report_cell(r, "mal", b->goal->id, "needed", -1);
    char a[64], t[64];
    if (report_cell_hidden(count) || report_cell_hidden(needed))
        report_set_text(r, b, "%s", report_tr(c, "report.goal.verdict_hidden"));
    else if (report_cell_num(count) >= (double)g->target_count)
        report_set_text(r, b, "%s", report_tr(c, "report.goal.met"));
    else
        report_set_text(r, b, report_tr(c, "report.goal.not_met"), report_cell_str(c, needed, a, sizeof a),
                 report_num(c, g->target_count, t, sizeof t));
}

/* Hours: the counts of the table's total row and its mean change. */
static void fill_activity(utfall_report *r, const struct ctx *c, struct block *b, const char *key)
{
    struct cellref mean = report_cell(r, b->prefix, "rows", "mean_change", -1);
    if (!report_cell_ok(mean) || (!isfinite(report_cell_num(mean)) && !report_cell_hidden(mean))) {
        if (b->goal)
            report_set_text(r, b, "%s", report_tr(c, "report.goal.no_data"));
        return;
    }
    char n[64], i1[64], i2[64], i3[64], m[64], miss[64], lo[64], hi[64], lv[32];
    const char *p = b->prefix;
    report_cell_str(c, report_cell(r, p, "rows", "n", -1), n, sizeof n);
    report_cell_str(c, report_cell(r, p, "rows", "increased", -1), i1, sizeof i1);
    report_cell_str(c, report_cell(r, p, "rows", "unchanged", -1), i2, sizeof i2);
    report_cell_str(c, report_cell(r, p, "rows", "decreased", -1), i3, sizeof i3);
    report_cell_str(c, mean, m, sizeof m);
    if (!strcmp(key, "report.activity")) {
        report_set_text(r, b, report_tr(c, key), n, i1, i2, i3, m,
                 report_cell_str(c, report_cell(r, p, "rows", "missing", -1), miss, sizeof miss));
        return;
    }
    report_pct(c, c->opt->level, 0, lv, sizeof lv);
    report_set_text(r, b, report_tr(c, key), i1, n, i2, i3, m, lv,
             report_cell_str(c, report_cell(r, p, "rows", "ci_low", -1), lo, sizeof lo),
             report_cell_str(c, report_cell(r, p, "rows", "ci_high", -1), hi, sizeof hi));
}

static void fill_activity_section(utfall_report *r, const struct ctx *c, struct block *b)
{
    fill_activity(r, c, b, "report.activity");
}

static void fill_activity_goal(utfall_report *r, const struct ctx *c, struct block *b)
{
    fill_activity(r, c, b, "report.goal.activity_outcome");
}

static void fill_activity_verdict(utfall_report *r, const struct ctx *c, struct block *b)
{
    double mean = report_cell_num(report_cell(r, b->prefix, "rows", "mean_change", -1));
    if (report_cell_hidden(report_cell(r, b->prefix, "rows", "mean_change", -1)))
        report_set_text(r, b, "%s", report_tr(c, "report.goal.verdict_hidden"));
    else if (isfinite(mean))
        report_set_text(r, b, "%s", report_tr(c, mean > b->goal->target_hours ? "report.goal.met"
                                                              : "report.goal.activity_not_met"));
}

/* Fill every sentence, then drop those with nothing to say. */
static void fill_sentences(utfall_report *r, const struct ctx *c)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++) {
        struct block *b = &r->blocks[i];
        if (b->fill)
            b->fill(r, c, b);
        if (b->fill && !b->text[0]) {
            free(b->text);
            free(b->prefix);
            free(b->arg);
            continue;
        }
        r->blocks[k++] = *b;
    }
    r->n = k;
}

/* ---- the sections ----------------------------------------------------- */

/* What the first reading of the extract gives: which columns there are,
 * the period, bookkeeping, and the counts a count goal's table holds.
 * No count of it goes into the text, which reads the tables. */
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
        f->income_before[row.forsorjning_fore >= 0 ? row.forsorjning_fore : UTFALL_INCOME_COUNT]++;
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
    f->rows_outside = s.rows_filtered;
    utfall_extract_close(x);
    return rc < 0 ? (err->status ? err->status : UTFALL_ERR_DATA) : UTFALL_OK;
}

/* One computation over a fresh reading of the extract.  On failure the
 * document is freed here and *out is NULL: callers only return. */
utfall_status report_run(utfall_report_open_fn open, void *octx, int *pass, compute_fn fn,
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

/* The rows used are every episode: the enrolled total, and shown as it
 * is (rows read less rejected would give it back, so those go with it). */
static void bookkeeping(utfall_report *r, const struct ctx *c, char *read, char *used,
                        char *rejected, size_t size)
{
    struct cellref all = report_cell(r, "deltagare", "rows", "enrolled", -1);
    if (report_cell_hidden(all))
        snprintf(read, size, "%s", report_tr(c, "suppressed_mark"));
    else
        report_num(c, c->f->rows_read, read, size);
    if (report_cell_ok(all))
        report_cell_str(c, all, used, size);
    else
        report_num(c, c->f->rows_used, used, size);
    report_num(c, c->f->rows_rejected, rejected, size);
}

static void fill_extract_line(utfall_report *r, const struct ctx *c, struct block *b)
{
    char n1[64], n2[64], n3[64];
    bookkeeping(r, c, n1, n2, n3, sizeof n1);
    report_set_text(r, b, report_tr(c, "report.extract"),
                    c->opt->extract_name ? c->opt->extract_name : "-", n1, n2, n3);
}

static void fill_method_rows(utfall_report *r, const struct ctx *c, struct block *b)
{
    char n1[64], n2[64], n3[64];
    bookkeeping(r, c, n1, n2, n3, sizeof n1);
    report_set_text(r, b, report_tr(c, "report.method.rows"), n1, n2, n3);
}

/* The period the report covers: the one asked for, else the months of
 * the first and last enrolment (with suppression no single person's day). */
static void period_item(utfall_report *r, const struct ctx *c, const struct facts *f)
{
    const utfall_reporting_period *p = &c->opt->period;
    char a[32], b[32], n[32];
    if (utfall_reporting_period_is_open(p)) {
        utfall_date_format(f->first, a, sizeof a);
        utfall_date_format(f->last, b, sizeof b);
        if (c->opt->suppress > 1) {
            a[7] = '\0';
            b[7] = '\0';
        }
        report_para(r, UTFALL_BLOCK_LIST_ITEM, report_tr(c, "report.period"), a, b);
        return;
    }
    static const char *const by[] = {"report.period_by.active", "report.period_by.enrolled",
                                     "report.period_by.exited"};
    snprintf(a, sizeof a, "%s", "\xE2\x80\xA6"); /* … for an open end */
    snprintf(b, sizeof b, "%s", "\xE2\x80\xA6");
    if (p->from != UTFALL_DATE_NONE)
        utfall_date_format(p->from, a, sizeof a);
    if (p->to != UTFALL_DATE_NONE)
        utfall_date_format(p->to, b, sizeof b);
    report_para(r, UTFALL_BLOCK_LIST_ITEM, report_tr(c, "report.period_asked"), a, b,
                report_tr(c, by[p->by]), report_num(c, f->rows_outside, n, sizeof n));
}

static void title_block(utfall_report *r, const struct ctx *c, const struct facts *f)
{
    const utfall_report_options *o = c->opt;
    const char *title = o->title ? o->title
                        : o->goals && o->goals->title ? o->goals->title
                                                      : report_tr(c, "report.title");
    report_heading(r, 1, title);
    report_project_facts(r, c, o->goals);
    period_item(r, c, f);
    report_defer(r, UTFALL_BLOCK_LIST_ITEM, fill_extract_line, NULL, NULL);
    if (o->date)
        report_para(r, UTFALL_BLOCK_LIST_ITEM, report_tr(c, "report.generated_on"), utfall_version(), o->date);
    else
        report_para(r, UTFALL_BLOCK_LIST_ITEM, report_tr(c, "report.generated"), utfall_version());
}

static utfall_status participants(utfall_report *r, const struct ctx *c,
                                  utfall_report_open_fn open, void *octx, int *pass,
                                  utfall_doc **outcomes, utfall_error *err)
{
    report_heading(r, 2, report_tr(c, "report.sec.participants"));
    utfall_summary_options so;
    memset(&so, 0, sizeof so);
    so.lang = c->lang;
    so.per = UTFALL_PER_YEAR;
    utfall_doc *d;
    utfall_status st = report_run(open, octx, pass, summary_fn, &so, &d, err);
    if (st)
        return st;
    report_defer(r, UTFALL_BLOCK_PARAGRAPH, fill_participants, NULL, NULL);
    /* the exit outcomes belong to their own section */
    *outcomes = utfall_doc_new();
    for (int i = 0; *outcomes && i < utfall_doc_ntables(d); i++)
        if (!strcmp(utfall_table_key(utfall_doc_table_at(d, i)), "outcomes")) {
            utfall_doc_add(*outcomes, utfall_doc_take(d, i));
            break;
        }
    report_adopt_weighted(r, d, "deltagare", 1, 10); /* the headline: who took part */
    mark_titled(r, "deltagare_rows"); /* the section's heading says it */
    report_figure(r, FIG_SUMMARY, "deltagare", 0, report_tr(c, "report.sec.participants"));
    return UTFALL_OK;
}

/* A part that needs a column the extract lacks is left out, and says so. */
int report_lacks(utfall_report *r, const struct ctx *c, const struct facts *f, utfall_field field)
{
    if (f->has[field])
        return 0;
    report_para(r, UTFALL_BLOCK_PARAGRAPH, report_tr(c, "report.missing_column"), utfall_field_name(field));
    return 1;
}

/* Give the table a title saying what it is split by ("... by gender"). */
void report_retitle_by(const struct ctx *c, utfall_doc *d, const char *key, const char *title_key,
                       const char *by)
{
    utfall_table *t = utfall_doc_table(d, key);
    if (!t)
        return;
    char ck[64], lower[128], title[256];
    snprintf(ck, sizeof ck, "col.%s", by);
    snprintf(lower, sizeof lower, "%s", report_tr(c, ck));
    if (lower[0] >= 'A' && lower[0] <= 'Z')
        lower[0] = (char)(lower[0] + 32);
    else if (!strncmp(lower, "\xC3\x85", 2) || !strncmp(lower, "\xC3\x84", 2)
             || !strncmp(lower, "\xC3\x96", 2))
        lower[1] = (char)(lower[1] + 32); /* Å Ä Ö */
    snprintf(title, sizeof title, report_tr(c, title_key), lower);
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
    utfall_status st = report_run(open, octx, pass, goal_fn, &go, &d, err);
    if (st)
        return st;
    char a[64], p1[64], tn[32];
    /* the target: a plan, not a count of people */
    if (isfinite(g->target_share) && g->base == UTFALL_BASE_FIXED) {
        long target_n = (long)ceil(g->target_share * (double)g->fixed_base - 1e-9);
        report_para(r, UTFALL_BLOCK_LIST_ITEM, report_tr(c, "report.goal.target_fixed"),
             report_pct(c, g->target_share, 0, p1, sizeof p1), report_num(c, g->fixed_base, a, sizeof a),
             report_num(c, target_n, tn, sizeof tn));
    } else if (isfinite(g->target_share)) {
        report_para(r, UTFALL_BLOCK_LIST_ITEM,
             report_tr(c, g->base == UTFALL_BASE_EXITED ? "report.goal.target_exited"
                                                 : "report.goal.target_enrolled"),
             report_pct(c, g->target_share, 0, p1, sizeof p1));
    } else {
        report_para(r, UTFALL_BLOCK_LIST_ITEM, "%s", report_tr(c, "report.goal.no_target"));
    }
    char prefix[64];
    snprintf(prefix, sizeof prefix, "mal_%s", g->id);
    report_defer(r, UTFALL_BLOCK_LIST_ITEM, fill_goal_outcome, prefix, g);
    if (g->base == UTFALL_BASE_FIXED)
        report_defer(r, UTFALL_BLOCK_LIST_ITEM, fill_goal_among_exited, prefix, g);
    report_defer_verdict(r, report_fill_share_verdict, prefix, g);
    utfall_table *t = utfall_doc_table(d, "rows");
    if (t)
        utfall_table_set_title(t, g->text); /* the heading too: a sheet, a caption keep it */
    report_adopt_weighted(r, d, prefix, 1, 100); /* what the report is for */
    char tk[96];
    snprintf(tk, sizeof tk, "%s_rows", prefix);
    tk[31] = '\0';
    mark_titled(r, tk);

    /* Per unit, among the exited: what a report says as "83 (38+45)" and
     * "42 % of those in Malmö". */
    if (!f->has[UTFALL_F_ENHET]) {
        report_figure(r, FIG_GOAL, prefix, g->target_share, report_tr(c, "report.figure.goal"));
        return UTFALL_OK;
    }
    go.base = g->base == UTFALL_BASE_FIXED ? UTFALL_BASE_EXITED : g->base;
    go.by = "enhet";
    st = report_run(open, octx, pass, goal_fn, &go, &d, err);
    if (st)
        return st;
    report_retitle_by(c, d, "rows",
               go.base == UTFALL_BASE_EXITED ? "report.title.goal_by_exited" : "report.title.goal_by",
               "enhet");
    snprintf(prefix, sizeof prefix, "mal_%s_enhet", g->id);
    report_adopt_weighted(r, d, prefix, 1, 50);
    report_figure(r, FIG_GOAL, prefix, g->target_share, report_tr(c, "report.figure.goal"));
    return UTFALL_OK;
}

/* A count goal's table: the count with its definition, the target (a
 * plan), met, and how many are missing (computed from the count). */
static const utfall_colspec count_cols[] = {
    {.key = "target", .type = UTFALL_COL_COUNT, .flags = UTFALL_COLF_NOT_SUPPRESSIBLE},
    {.key = "count", .type = UTFALL_COL_COUNT},
    {.key = "met", .type = UTFALL_COL_BOOL, .depends = {"count"}},
    {.key = "needed", .type = UTFALL_COL_COUNT, .depends = {"count"}},
};

static void count_goal(utfall_report *r, const struct ctx *c, const struct facts *f,
                       const utfall_goal_spec *g)
{
    long count = 0;
    char cond[512] = "";
    if (g->success) {
        utfall_state_condition(g->success, cond, sizeof cond);
        for (int o = 0; o < UTFALL_OUTCOME_COUNT; o++)
            if ((g->success >> o) & 1)
                count += f->outcome[o];
    } else {
        count = g->base == UTFALL_BASE_EXITED ? f->exited : f->enrolled;
        if (g->base == UTFALL_BASE_EXITED)
            snprintf(cond, sizeof cond, "state:exited");
    }
    char a[64], who[256];
    describe_who(c, g, who, sizeof who);
    report_para(r, UTFALL_BLOCK_LIST_ITEM, report_tr(c, "report.goal.target_count"),
         report_num(c, g->target_count, a, sizeof a));
    report_defer(r, UTFALL_BLOCK_LIST_ITEM, fill_count_outcome, NULL, g);
    report_defer_verdict(r, report_fill_count_verdict, NULL, g);
    char key[64];
    snprintf(key, sizeof key, "mal_%s", g->id);
    key[31] = '\0';
    utfall_table *t = utfall_table_new(key, UTFALL_TABLE_ROWS);
    if (!t) {
        r->failed = 1;
        return;
    }
    utfall_table_add_columns(t, count_cols, 4);
    if (cond[0])
        utfall_table_column_cell(t, 1, cond);
    int row = utfall_table_add_row(t, UTFALL_ROW_GROUP);
    utfall_table_set_num(t, row, 0, (double)g->target_count);
    utfall_table_set_num(t, row, 1, (double)count);
    utfall_table_set_num(t, row, 2, count >= g->target_count);
    utfall_table_set_num(t, row, 3, (double)(count >= g->target_count ? 0 : g->target_count - count));
    char note[512];
    snprintf(note, sizeof note, report_tr(c, "report.note.count"), who);
    utfall_table_add_note(t, note);
    utfall_table_set_title(t, g->text);
    utfall_doc_add(r->doc, t);
    report_table_block(r, key, 1);
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
    utfall_status st = report_run(open, octx, pass, hours_fn, &ho, &d, err);
    if (st)
        return st;
    char h[32];
    if (g->target_hours > 0)
        report_para(r, UTFALL_BLOCK_LIST_ITEM, report_tr(c, "report.goal.target_activity"),
             report_dec(c, g->target_hours, 1, h, sizeof h));
    else
        report_para(r, UTFALL_BLOCK_LIST_ITEM, "%s", report_tr(c, "report.goal.target_increase"));
    char prefix[64];
    snprintf(prefix, sizeof prefix, "mal_%s", g->id);
    report_defer(r, UTFALL_BLOCK_LIST_ITEM, fill_activity_goal, prefix, g);
    report_defer_verdict(r, fill_activity_verdict, prefix, g);
    utfall_table *t = utfall_doc_table(d, "rows");
    if (t)
        utfall_table_set_title(t, g->text);
    report_adopt(r, d, prefix, 1);
    char tk[96];
    snprintf(tk, sizeof tk, "%s_rows", prefix);
    tk[31] = '\0';
    mark_titled(r, tk);
    return UTFALL_OK;
}

/* A goal that its type cannot measure as written gets no verdict: the
 * report says what it measured instead (its blocks from `from` on). */
static void not_as_written(utfall_report *r, const struct ctx *c, size_t from, const char *what)
{
    size_t k = from;
    for (size_t i = from; i < r->n; i++) {
        struct block *b = &r->blocks[i];
        if (b->verdict) {
            free(b->text);
            free(b->prefix);
            free(b->arg);
            continue;
        }
        r->blocks[k++] = *b;
    }
    r->n = k;
    report_para(r, UTFALL_BLOCK_LIST_ITEM, report_tr(c, "report.goal.not_as_written"), what);
    if (r->n == k + 1) { /* first, under the goal's heading */
        struct block b = r->blocks[k];
        memmove(r->blocks + from + 1, r->blocks + from, (k - from) * sizeof *r->blocks);
        r->blocks[from] = b;
    }
}

/* The columns a goal needs: a part that lacks one says so. */
static int goal_lacks(utfall_report *r, const struct ctx *c, const struct facts *f,
                      const utfall_goal_spec *g)
{
    if (g->kind == UTFALL_GOAL_ACTIVITY || (g->kind != UTFALL_GOAL_DAYS && g->measure == UTFALL_MEASURE_HOURS))
        return report_lacks(r, c, f, UTFALL_F_TIMMAR_FORE) || report_lacks(r, c, f, UTFALL_F_TIMMAR_EFTER);
    if (g->measure == UTFALL_MEASURE_INCOME)
        return report_lacks(r, c, f, UTFALL_F_AVSLUTAD) || report_lacks(r, c, f, UTFALL_F_FORSORJNING_FORE)
               || report_lacks(r, c, f, UTFALL_F_FORSORJNING_EFTER);
    return (g->success || g->base == UTFALL_BASE_EXITED || g->kind == UTFALL_GOAL_DAYS)
           && (report_lacks(r, c, f, UTFALL_F_AVSLUTAD)
               || (g->success && report_lacks(r, c, f, UTFALL_F_AVSLUTSORSAK)));
}

static utfall_status goals_section(utfall_report *r, const struct ctx *c, const struct facts *f,
                                   const utfall_goals *goals, utfall_report_open_fn open,
                                   void *octx, int *pass, utfall_error *err)
{
    report_heading(r, 2, report_tr(c, "report.sec.goals"));
    for (size_t i = 0; i < goals->n; i++) {
        const utfall_goal_spec *g = &goals->goals[i];
        report_heading(r, 3, g->text);
        size_t from = r->n;
        utfall_status st = UTFALL_OK;
        if (goal_lacks(r, c, f, g))
            continue;
        if (utfall_goal_spec_is_extended(g))
            st = report_extended_goal(r, c, g, open, octx, pass, err);
        else if (g->kind == UTFALL_GOAL_SHARE)
            st = share_goal(r, c, f, g, open, octx, pass, err);
        else if (g->kind == UTFALL_GOAL_COUNT)
            count_goal(r, c, f, g);
        else
            st = activity_goal(r, c, g, open, octx, pass, err);
        if (st)
            return st;
        char what[64];
        if (!report_goal_as_written(c, g, what, sizeof what))
            not_as_written(r, c, from, what);
    }
    return UTFALL_OK;
}

static utfall_status outcomes_section(utfall_report *r, const struct ctx *c,
                                      const struct facts *f, utfall_doc *outcomes,
                                      utfall_report_open_fn open, void *octx, int *pass,
                                      utfall_error *err)
{
    report_heading(r, 2, report_tr(c, "report.sec.outcomes"));
    if (report_lacks(r, c, f, UTFALL_F_AVSLUTSORSAK)) {
        utfall_doc_free(outcomes);
        return UTFALL_OK;
    }
    if (outcomes)
        report_adopt(r, outcomes, "avslut", 1);
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
        utfall_status st = report_run(open, octx, pass, split_fn, &so, &d, err);
        if (st)
            return st;
        report_retitle_by(c, d, "crosstab", "report.title.outcomes_by", by[i]);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "avslut_%s", by[i]);
        report_adopt(r, d, prefix, 1);
        report_figure(r, FIG_SPLIT, prefix, 0, NULL);
    }
    return UTFALL_OK;
}

static utfall_status activity_section(utfall_report *r, const struct ctx *c,
                                      const struct facts *f, utfall_report_open_fn open,
                                      void *octx, int *pass, utfall_error *err)
{
    report_heading(r, 2, report_tr(c, "report.sec.activity"));
    if (report_lacks(r, c, f, UTFALL_F_TIMMAR_FORE) || report_lacks(r, c, f, UTFALL_F_TIMMAR_EFTER))
        return UTFALL_OK;
    static const char *const by[] = {NULL, "kon"};
    for (int i = 0; i < (f->has[UTFALL_F_KON] ? 2 : 1); i++) {
        utfall_hours_options ho;
        utfall_hours_options_init(&ho);
        ho.by = by[i];
        ho.level = c->opt->level;
        ho.lang = c->lang;
        utfall_doc *d;
        utfall_status st = report_run(open, octx, pass, hours_fn, &ho, &d, err);
        if (st)
            return st;
        if (i == 0)
            report_defer(r, UTFALL_BLOCK_PARAGRAPH, fill_activity_section, "aktivitet", NULL);
        if (i == 1)
            report_retitle_by(c, d, "rows", "report.title.hours_by", by[i]);
        report_adopt(r, d, i == 0 ? "aktivitet" : "aktivitet_kon", 1);
    }
    /* one figure: by gender when the extract has it */
    report_figure(r, FIG_HOURS, f->has[UTFALL_F_KON] ? "aktivitet_kon" : "aktivitet", 0,
           report_tr(c, "report.sec.activity"));
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
    snprintf(h2, sizeof h2, report_tr(c, "report.sec.horizon"), months);
    report_heading(r, 2, h2);
    utfall_horizon_options o = *ho;
    o.curve = 1; /* for the figure */
    o.lang = c->lang;
    o.level = c->opt->level;
    utfall_doc *d;
    utfall_status st = report_run(open, octx, pass, horizon_fn, &o, &d, err);
    if (st)
        return st;
    if (!ho->curve && utfall_doc_table(d, "curve"))
        utfall_table_set_chart_only(utfall_doc_table(d, "curve"));
    report_adopt(r, d, "horisont", 1);
    int h = 0;
    for (size_t i = 0; i < ho->nmonths; i++)
        h = ho->months[i] > h ? ho->months[i] : h;
    report_figure(r, FIG_HORIZON, "horisont", h ? h : 15, h2);
    return UTFALL_OK;
}

static void method_section(utfall_report *r, const struct ctx *c, const struct facts *f)
{
    char a[32], lv[32];
    report_heading(r, 2, report_tr(c, "report.sec.method"));
    report_defer(r, UTFALL_BLOCK_LIST_ITEM, fill_method_rows, NULL, NULL);
    if (!utfall_reporting_period_is_open(&c->opt->period))
        report_para(r, UTFALL_BLOCK_LIST_ITEM, "%s", report_tr(c, "report.method.period"));
    report_para(r, UTFALL_BLOCK_LIST_ITEM, "%s", report_tr(c, "report.method.episodes"));
    report_defer(r, UTFALL_BLOCK_LIST_ITEM, fill_method_exited, NULL, NULL);
    report_para(r, UTFALL_BLOCK_LIST_ITEM, "%s", report_tr(c, "report.method.goals"));
    report_para(r, UTFALL_BLOCK_LIST_ITEM, "%s", report_tr(c, "report.method.goals_written"));
    report_pct(c, c->opt->level, 0, lv, sizeof lv);
    report_para(r, UTFALL_BLOCK_LIST_ITEM, report_tr(c, "report.method.intervals"), lv);
    report_para(r, UTFALL_BLOCK_LIST_ITEM, "%s", report_tr(c, "report.method.years"));
    if (f->has[UTFALL_F_FORSORJNING_FORE] && f->has[UTFALL_F_FORSORJNING_EFTER])
        report_para(r, UTFALL_BLOCK_LIST_ITEM, "%s", report_tr(c, "report.method.income"));
    report_para(r, UTFALL_BLOCK_LIST_ITEM, "%s", report_tr(c, "report.method.hours"));
    report_para(r, UTFALL_BLOCK_LIST_ITEM, "%s", report_tr(c, "report.method.split"));
    if (c->opt->horizon)
        report_para(r, UTFALL_BLOCK_LIST_ITEM, "%s", report_tr(c, "report.method.horizon"));
    if (c->opt->ledger)
        report_para(r, UTFALL_BLOCK_LIST_ITEM, "%s", report_tr(c, "report.method.economy"));
    if (c->opt->suppress > 1) {
        snprintf(a, sizeof a, "%ld", c->opt->suppress - 1);
        report_para(r, UTFALL_BLOCK_LIST_ITEM, report_tr(c, "report.method.suppress"), a);
    } else {
        report_para(r, UTFALL_BLOCK_LIST_ITEM, "%s", report_tr(c, "report.method.no_suppress"));
    }
    report_para(r, UTFALL_BLOCK_LIST_ITEM, "%s", report_tr(c, "report.method.reproducible"));
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
        snprintf(cap, sizeof cap, report_tr(c, "report.figure"), ++number, title ? title : "");
        free(b->caption);
        if (!(b->caption = strdup(cap)))
            return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    }
    return UTFALL_OK;
}

/* Every reading of the extract sees the reporting period only. */
struct period_opener {
    utfall_report_open_fn open;
    void *ctx;
    const utfall_reporting_period *period;
};

static utfall_status open_in_period(void *ctx, int pass, utfall_extract **x, utfall_error *err)
{
    const struct period_opener *o = ctx;
    utfall_status st = o->open(o->ctx, pass, x, err);
    if (!st && !utfall_reporting_period_is_open(o->period))
        utfall_extract_set_filter(*x, utfall_reporting_period_filter, (void *)o->period);
    return st;
}

/* The sections in reading order: each adds its blocks and tables. */
static utfall_status sections(utfall_report *r, const struct ctx *c, const struct facts *f,
                              const utfall_goals *goals, utfall_report_open_fn open, void *octx,
                              utfall_error *err)
{
    int pass = 1;
    utfall_doc *outcomes = NULL;
    title_block(r, c, f);
    report_summary_section(r, c, f, goals);
    utfall_status st = participants(r, c, open, octx, &pass, &outcomes, err);
    if (!st)
        st = goals_section(r, c, f, goals, open, octx, &pass, err);
    if (!st)
        st = report_years_section(r, c, f, goals, open, octx, &pass, err);
    if (!st) {
        st = outcomes_section(r, c, f, outcomes, open, octx, &pass, err);
        outcomes = NULL;
    }
    if (!st)
        st = report_income_section(r, c, f, open, octx, &pass, err);
    if (!st)
        st = activity_section(r, c, f, open, octx, &pass, err);
    if (!st && c->opt->horizon)
        st = horizon_section(r, c, open, octx, &pass, err);
    if (!st && c->opt->ledger)
        st = report_economy_section(r, c, f, goals, err);
    if (!st)
        method_section(r, c, f);
    utfall_doc_free(outcomes);
    return st;
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
    r->heading_level = opt->heading_level >= 1 && opt->heading_level <= 4 ? opt->heading_level : 1;
    if (opt->date && !(r->date = strdup(opt->date)))
        r->failed = 1;
    struct facts f;
    struct ctx c = {opt, opt->lang, &f};
    utfall_goals *own_goals = NULL;
    const utfall_goals *goals = opt->goals;
    utfall_status st = UTFALL_OK;
    if (!goals) {
        st = utfall_goals_default(&own_goals, opt->lang, err);
        goals = own_goals;
    }
    struct period_opener po = {open, octx, &opt->period};
    if (!st)
        st = read_facts(open_in_period, &po, &f, err);
    if (!st)
        st = sections(r, &c, &f, goals, open_in_period, &po, err);
    if (!st) {
        /* the whole document at once: a count hidden in one table is
         * hidden in every other, and no table lets it be computed */
        utfall_protect_options pro = {opt->suppress, opt->lang, opt->audit};
        st = utfall_doc_protect(r->doc, &pro, err);
    }
    if (!st) {
        fill_sentences(r, &c);
        st = make_figures(r, &c, err);
    }
    if (!st)
        prepend_text_table(r, &c);
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

/* A table without a title takes the heading it stands under as the name
 * of its workbook sheet ("Deltagare", the goal as written). */
static void name_sheets(utfall_report *r)
{
    const char *heading = NULL;
    for (size_t i = 0; i < r->n; i++) {
        const struct block *b = &r->blocks[i];
        if (b->kind == UTFALL_BLOCK_HEADING)
            heading = b->text;
        utfall_table *t = b->kind == UTFALL_BLOCK_TABLE ? utfall_doc_table(r->doc, b->text) : NULL;
        const char *title = t ? utfall_table_title(t) : NULL;
        if (t && heading && (!title || !title[0]))
            utfall_table_set_sheet_name(t, heading);
    }
}

/* The workbook gets the report's sentences too, on a sheet before the
 * tables: the goals as written, met or not, what is missing. */
static void prepend_text_table(utfall_report *r, const struct ctx *c)
{
    utfall_table *t = utfall_table_new("rapport", UTFALL_TABLE_ROWS);
    if (!t) {
        r->failed = 1;
        return;
    }
    utfall_table_set_title(t, report_tr(c, "report.title.text"));
    int col = utfall_table_add_column(t, "text", "report.col.text", UTFALL_COL_TEXT, 0);
    utfall_table_set_sheet_name(t, report_tr(c, "report.col.text"));
    utfall_doc_insert(r->doc, 0, t); /* first, so that the sheets are named as written */
    name_sheets(r);
    for (size_t i = 0; i < r->n; i++) {
        const struct block *b = &r->blocks[i];
        char buf[2200], sheet[128];
        const utfall_table *shown = b->kind == UTFALL_BLOCK_TABLE ? utfall_doc_table(r->doc, b->text)
                                                                   : NULL;
        if (shown)
            utfall_doc_sheet_name(r->doc, shown, c->lang, sheet, sizeof sheet);
        if (b->kind == UTFALL_BLOCK_TABLE)
            snprintf(buf, sizeof buf, report_tr(c, "report.see_sheet"), shown ? sheet : b->text);
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
    report_add_block(r, UTFALL_BLOCK_FIGURE, 0, path);
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
        free(r->blocks[i].arg);
        utfall_chart_free(r->blocks[i].chart);
    }
    free(r->blocks);
    utfall_doc_free(r->doc);
    utfall_ledger_free(r->ledger_in_period);
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

int utfall_report_table_titled_by_heading(const utfall_report *r, size_t i)
{
    return i < r->n && r->blocks[i].kind == UTFALL_BLOCK_TABLE && r->blocks[i].titled_by_heading;
}

int utfall_report_heading_level(const utfall_report *r)
{
    return r->heading_level;
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
            for (int k = 0; k < b->level + r->heading_level - 1 && k < 6; k++)
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
            int level = b->titled_by_heading ? 0 : 3 + r->heading_level - 1;
            utfall_status st = utfall_table_write_md(t, out, r->lang, level < 6 ? level : 6, err);
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
