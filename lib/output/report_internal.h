/* The report's parts, shared by the files that build it: report.c (the
 * driver, the original sections and the Markdown writer) and the
 * sections in files of their own (report_summary.c, report_income.c,
 * report_years.c, report_economy.c).  Not a public header.
 *
 * Every section follows the rules of include/utfall/protect.h: its tables
 * say what their counts count, and its sentences are deferred (written
 * after the whole document is protected, from its cells only). */
#ifndef UTFALL_REPORT_INTERNAL_H
#define UTFALL_REPORT_INTERNAL_H

#include <stddef.h>

#include "utfall/ekonomi.h"
#include "utfall/report.h"
#include "utfall/utfall.h"

struct ctx;
struct block;

/* The report's own figures: which standard figure, from which tables. */
enum fig { FIG_NONE = 0, FIG_SUMMARY, FIG_GOAL, FIG_SPLIT, FIG_HOURS, FIG_HORIZON };

/* A sentence written once the document is protected (see report_defer). */
typedef void (*sentence_fn)(struct utfall_report *r, const struct ctx *c, struct block *b);

struct block {
    utfall_block_kind kind;
    int level;
    char *text;
    char *caption; /* figures */
    utfall_chart *chart; /* a figure of the report's own: drawn by the writers */
    enum fig fig;
    char *prefix;  /* the tables' key prefix */
    double param;  /* the goal's target, the horizon's months */
    sentence_fn fill;
    const utfall_goal_spec *goal;
    int titled_by_heading; /* a table whose title is the heading just before it */
    char *arg;             /* a sentence's own text argument (the period); NULL = none */
    int verdict;           /* a goal's "met or not": left out when the goal is not
                            * measured as written */
};

struct utfall_report {
    utfall_doc *doc;
    struct block *blocks;
    size_t n, cap;
    int failed; /* out of memory while adding blocks */
    utfall_lang lang;
    char *date; /* --date, for the PDF's dates */
    int heading_level; /* the title's level in Markdown and Word (1 = top) */
    utfall_ledger *ledger_in_period; /* the ledger cut to the reporting period; NULL = none */
};

struct ctx {
    const utfall_report_options *opt;
    utfall_lang lang;
    const struct facts *f; /* bookkeeping for the deferred sentences */
};

/* What the first reading of the extract tells the text: which columns
 * there are, the period, bookkeeping.  No count of it goes into the text,
 * which reads the tables (count goals use the counts, as cells). */
struct facts {
    long rows_read, rows_used, rows_rejected, rows_outside;
    long enrolled, exited, active;
    long outcome[UTFALL_OUTCOME_COUNT];
    long exited_no_outcome;
    long income_before[UTFALL_INCOME_COUNT + 1]; /* the last: not stated */
    utfall_date first, last;
    int has[UTFALL_F_COUNT]; /* the extract has a column for the field */
};

/* ---- blocks ------------------------------------------------------------ */

void report_add_block(utfall_report *r, utfall_block_kind kind, int level, const char *text);
void report_heading(utfall_report *r, int level, const char *text);
void report_para(utfall_report *r, utfall_block_kind kind, const char *fmt, ...)
    UTFALL_PRINTF(3, 4);
/* A figure of the report's own, filled from the protected tables. */
void report_figure(utfall_report *r, enum fig fig, const char *prefix, double param,
                   const char *title);
/* A sentence filled after protection by fill, from the tables under prefix. */
void report_defer(utfall_report *r, utfall_block_kind kind, sentence_fn fill, const char *prefix,
                  const utfall_goal_spec *goal);
/* The same for a goal's verdict (met or not). */
void report_defer_verdict(utfall_report *r, sentence_fn fill, const char *prefix,
                          const utfall_goal_spec *goal);
void report_set_text(utfall_report *r, struct block *b, const char *fmt, ...)
    UTFALL_PRINTF(3, 4);
/* A table of the document, shown here; titled_by_heading: the heading
 * before it says what it is (its title is kept for XLSX and captions). */
void report_table_block(utfall_report *r, const char *key, int titled_by_heading);

/* Move the tables of a computation into the report under prefix_key, and
 * refer to the ones people read, in order (show); importance: what hiding
 * one of their counts costs (protect.h). */
void report_adopt(utfall_report *r, utfall_doc *from, const char *prefix, int show);
void report_adopt_weighted(utfall_report *r, utfall_doc *from, const char *prefix, int show,
                           double importance);

/* ---- words and numbers -------------------------------------------------- */

const char *report_tr(const struct ctx *c, const char *key);
/* bookkeeping and plans only: a count of people comes from a cell */
const char *report_num(const struct ctx *c, long n, char *buf, size_t size);
const char *report_pct(const struct ctx *c, double share, int decimals, char *buf, size_t size);
const char *report_dec(const struct ctx *c, double x, int decimals, char *buf, size_t size);
/* "1 368 770 kr": amounts of money, which are no counts of people */
const char *report_amount(const struct ctx *c, double kronor, char *buf, size_t size);
/* The catalogue's label for a value or a key, first letter lower case
 * for use inside a sentence ("kön", "aktivitetsersättning"). */
const char *report_lower(const struct ctx *c, const char *key, char *buf, size_t size);

/* ---- cells of the protected document ----------------------------------- */

/* A cell of the report's table "<prefix>_<key>": row -1 is the total row. */
struct cellref {
    utfall_table *t;
    int row, col;
};

struct cellref report_cell(utfall_report *r, const char *prefix, const char *key,
                           const char *column, int row);
/* The same in the table of that key: the row whose group column gcol
 * holds value (row -1 when there is none). */
struct cellref report_cell_where(utfall_report *r, const char *table_key, const char *column,
                                 const char *gcol, const char *value);
int report_cell_ok(struct cellref ref);
int report_cell_hidden(struct cellref ref);
/* The value to decide on (met or not, is there data): NAN when hidden. */
double report_cell_num(struct cellref ref);
/* The cell as its table shows it to people. */
const char *report_cell_str(const struct ctx *c, struct cellref ref, char *buf, size_t size);
/* An amount cell with its unit ("11 660 kr"), or as shown when hidden. */
const char *report_cell_amount(const struct ctx *c, struct cellref ref, char *buf, size_t size);

/* ---- computations -------------------------------------------------------- */

typedef utfall_status (*compute_fn)(utfall_extract *x, const void *opt, utfall_doc *doc,
                                    utfall_error *err);

/* One computation over a fresh reading of the extract.  On failure the
 * document is freed and *out is NULL: callers only return. */
utfall_status report_run(utfall_report_open_fn open, void *octx, int *pass, compute_fn fn,
                         const void *opt, utfall_doc **out, utfall_error *err);
/* A part that needs a column the extract lacks is left out, and says so. */
int report_lacks(utfall_report *r, const struct ctx *c, const struct facts *f,
                 utfall_field field);
/* Give the table a title saying what it is split by ("... by gender"). */
void report_retitle_by(const struct ctx *c, utfall_doc *d, const char *key,
                       const char *title_key, const char *by);

/* ---- the sections in files of their own ------------------------------------ */

/* report_summary.c: the key figures in sentences, before everything else,
 * and the project's facts from the goals file on the title block */
void report_summary_section(utfall_report *r, const struct ctx *c, const struct facts *f,
                            const utfall_goals *goals);
void report_project_facts(utfall_report *r, const struct ctx *c, const utfall_goals *goals);
/* report_income.c: income source at enrolment and at exit */
utfall_status report_income_section(utfall_report *r, const struct ctx *c,
                                    const struct facts *f, utfall_report_open_fn open,
                                    void *octx, int *pass, utfall_error *err);
/* report_years.c: participants, exits and goals by year of enrolment */
utfall_status report_years_section(utfall_report *r, const struct ctx *c,
                                   const struct facts *f, const utfall_goals *goals,
                                   utfall_report_open_fn open, void *octx, int *pass,
                                   utfall_error *err);
/* report_economy.c: budget and requisitions, and costs per participant */
utfall_status report_economy_section(utfall_report *r, const struct ctx *c,
                                     const struct facts *f, const utfall_goals *goals,
                                     utfall_error *err);
/* report_goals.c: goals beyond utfall-goal(1)'s (utfall_goal_spec_is_extended):
 * measured from income or hours direction, persons, days, a subgroup, a date */
utfall_status report_extended_goal(utfall_report *r, const struct ctx *c,
                                   const utfall_goal_spec *g, utfall_report_open_fn open,
                                   void *octx, int *pass, utfall_error *err);
/* 1 when the goal's type and target evaluate what its text states; else 0,
 * with the text's figure that is not evaluated in what ("50 %"). */
int report_goal_as_written(const struct ctx *c, const utfall_goal_spec *g, char *what,
                           size_t size);
/* "Mäts som: ...": what the goal is measured by. */
void report_goal_measure(const struct ctx *c, const utfall_goal_spec *g, char *buf, size_t size);
/* The verdicts of share and count goals (report.c), from their cells. */
void report_fill_share_verdict(utfall_report *r, const struct ctx *c, struct block *b);
void report_fill_count_verdict(utfall_report *r, const struct ctx *c, struct block *b);

/* The ledger the report uses: the options', cut to the reporting period
 * when there is one; NULL = no ledger. */
const utfall_ledger *report_ledger(const utfall_report *r, const struct ctx *c);

/* The first share goal on exit outcomes, of everyone at the report's own
 * date: what "reached the goal" means in the years and the costs; NULL =
 * none. */
const utfall_goal_spec *report_main_goal(const utfall_goals *goals);

#endif
