/* The program layer shared by every utfall command: common options,
 * messages to stderr, and writing the output document safely.  This is
 * the only place (with each main.c) that prints or exits. */
#ifndef UTFALL_CLI_H
#define UTFALL_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "utfall/utfall.h"
#include "utfall/extract.h"
#include "utfall/table.h"
#include "utfall/chart.h"
#include "utfall/figures.h"

enum {
    OPT_LANG = 1000,
    OPT_ENCODING,
    OPT_MAP,
    OPT_OUTCOME_MAP,
    OPT_SKIP_BAD,
    OPT_REJECTS,
    OPT_SECTION,
    OPT_NO_TOTAL,
    OPT_SUPPRESS,
    OPT_CHART,
    OPT_SIZE,
    OPT_DPI,
    OPT_AUDIT,
    OPT_INCOME_MAP,
    OPT_DATE_FORMAT,
    OPT_MAX_REJECTED,
    OPT_SHARED_IDS,
    OPT_AGE_RANGE,
    OPT_FIRST_COMMAND_OPTION = 1100
};

/* Options every command that reads an extract takes. */
#define CLI_COMMON_LONG_OPTIONS                                                          \
    {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'},                \
        {"format", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'}, \
        {"lang", required_argument, NULL, OPT_LANG},                                      \
        {"delimiter", required_argument, NULL, 'd'},                                      \
        {"encoding", required_argument, NULL, OPT_ENCODING},                              \
        {"map", required_argument, NULL, OPT_MAP},                                        \
        {"outcome-map", required_argument, NULL, OPT_OUTCOME_MAP},                        \
        {"income-map", required_argument, NULL, OPT_INCOME_MAP},                          \
        {"date-format", required_argument, NULL, OPT_DATE_FORMAT},                        \
        {"max-rejected", required_argument, NULL, OPT_MAX_REJECTED},                      \
        {"shared-ids", no_argument, NULL, OPT_SHARED_IDS},                                \
        {"age-range", required_argument, NULL, OPT_AGE_RANGE},                            \
        {"skip-bad", no_argument, NULL, OPT_SKIP_BAD},                                    \
        {"rejects", required_argument, NULL, OPT_REJECTS},                                \
        {"section", required_argument, NULL, OPT_SECTION},                                \
        {"quiet", no_argument, NULL, 'q'},                                                \
        {"suppress", required_argument, NULL, OPT_SUPPRESS},                              \
        {"chart", required_argument, NULL, OPT_CHART},                                    \
        {"size", required_argument, NULL, OPT_SIZE},                                      \
        {"dpi", required_argument, NULL, OPT_DPI},                                        \
        {"audit", required_argument, NULL, OPT_AUDIT}
#define CLI_COMMON_SHORT "hVf:o:d:q"

/* Atomic output: write to a temporary file beside path, then rename it
 * into place on success; on failure the temporary file is removed and any
 * existing file is left untouched.  path NULL or "-" is stdout. */
typedef struct cli_output {
    FILE *fp;
    char *tmp;
    const char *path;
    int direct; /* a device or pipe, written in place */
} cli_output;
struct cli;
/* A command's standard figure: fill chart from the finished document. */
typedef utfall_status (*cli_chart_fn)(struct cli *c, utfall_doc *doc, void *ctx,
                                      utfall_chart *chart, utfall_error *err);

typedef struct cli {
    const char *prog;
    const char *help_key; /* catalogue key of the --help text */
    int help_common;      /* --help adds the shared help.output, help.input, help.exit */
    utfall_lang lang;
    utfall_format format;
    int format_given;
    const char *output;
    const char *section;
    utfall_extract_options xopt;
    const char *maps[64];
    size_t nmaps;
    const char *rejects_path;
    cli_output rejects_out;
    int rejects_open;
    int quiet;
    long suppress; /* hide counts below this; 0 = off */
    int suppress_given;
    const char *audit_path; /* --audit FILE */
    long warnings_shown;
    char **inputs;
    size_t ninputs;
    const char *other_inputs[40]; /* files read besides the extract (--spells, …) */
    size_t nother_inputs;
    const char *chart_path;   /* --chart FILE */
    utfall_chart_output chart_out; /* format from the extension, --size, --dpi */
    cli_chart_fn chart_fn;    /* set by the command; NULL = it has no figure */
    int args_guarded;         /* cli_getopt has run the identity-number guard over argv */
    utfall_date_style date_style; /* --date-format FORM for every column (spells too) */
    const char *spells[32];       /* --spells, one per extract */
    size_t nspells;
    char shortopts[64];           /* ':' and the program's short options */
    int bad_opt, bad_optopt;      /* what getopt found wrong, for cli_bad_option */
    const char *bad_arg;
    const struct option *longopts;
} cli;

/* help_key: the program's --help text in the catalogue ("help.goal"). */
void cli_init(cli *c, const char *prog, const char *help_key);
/* getopt_long, after the identity-number guard has passed every argument
 * (option values, file names, unknown options): an argument with a
 * personal identity number in it ends the run with exit status 3 before
 * anything can echo it, naming the option or the argument's position. */
int cli_getopt(cli *c, int argc, char **argv, const char *shortopts,
               const struct option *longopts);
/* 1 = handled, 0 = not a common option; exits 2 on a bad value and 0 for
 * --help/--version. */
int cli_common_option(cli *c, int opt, const char *arg);
/* "prog: message" on stderr, in the run's language (the catalogue's
 * TEXT entries, by the English format). */
void cli_say(const cli *c, const char *fmt, ...) UTFALL_PRINTF(2, 3);
/* An error's text in the run's language. */
const char *cli_text(const cli *c, const utfall_error *e);
/* strerror in the run's language where the catalogue has it. */
const char *cli_strerror(const cli *c, int errnum);
/* Print "prog: message" and "Try 'prog --help'", return 2. */
int cli_usage_error(cli *c, const char *fmt, ...) UTFALL_PRINTF(2, 3);
/* Print an error or warning with its location; return its exit status. */
int cli_report(cli *c, const utfall_error *e);
/* Take the remaining arguments as input files ("-" or none = stdin). */
void cli_take_inputs(cli *c, int argc, char **argv, int optind_);
/* Open the inputs as one extract; prints and returns an exit status on failure. */
int cli_open_extract(cli *c, utfall_extract **x);
/* Add a "meta" section with rows read/used/rejected and the input names,
 * and a note on the main table so people see it too. */
void cli_add_meta(cli *c, utfall_doc *doc, const utfall_extract *x);
/* After protection: the bookkeeping note under the main table. */
void cli_add_meta_note(cli *c, utfall_doc *doc);
int cli_output_open(cli *c, const char *path, cli_output *o);
/* ok = 0 discards the output.  Returns an exit status. */
int cli_output_close(cli *c, cli_output *o, int ok);
/* Disclosure control over the finished document (--suppress), and the
 * --audit file; returns an exit status. */
int cli_protect(cli *c, utfall_doc *doc);
/* The audit of a protected document to --audit FILE; an exit status. */
int cli_write_audit(cli *c, const utfall_doc *doc);
/* Write the document to -o FILE (atomically) or stdout; return exit status. */
int cli_write(cli *c, const utfall_doc *doc);
/* One more --spells FILE (an input too); prints and returns 2 when there
 * are too many. */
int cli_add_spells(cli *c, const char *path);
/* The labels of a --status-map file for people; prints and returns an
 * exit status on failure. */
int cli_apply_map_labels(cli *c, const char *path);
/* Parse a share: "35%", "35", "0.35", "0,35" → 0.35.  -1 if invalid. */
int cli_parse_share(const char *s, double *out);
/* Output paths must not be one of the inputs. */
int cli_check_output_path(cli *c, const char *path);
/* getopt has said what was wrong; add the hint and return 2. */
int cli_bad_option(cli *c);
/* Ends the run: commits or discards --rejects, returns the exit status. */
int cli_finish(cli *c, int rc);
/* "prog: N rows read = U used + R rejected; W warnings" on stderr. */
void cli_report_rows(cli *c, const utfall_extract *x);

/* Charts.  cli_chart_write renders chart atomically to path (format from
 * its extension, --size, --dpi); returns an exit status. */
int cli_chart_write(cli *c, const utfall_chart *chart, const char *path);
/* The body every analysis command shares: take the input files, open the
 * extract, compute into a document, add the bookkeeping, write it. */
typedef utfall_status (*cli_compute_fn)(utfall_extract *x, void *ctx, utfall_doc *doc,
                                        utfall_error *err);
int cli_run(cli *c, int argc, char **argv, int optind_, cli_compute_fn compute, void *ctx);
/* --level: 0.95 or 95%; exits 2 when invalid. */
double cli_level_option(cli *c, const char *arg);
/* --base exited|enrolled (and a planned number when allow_number); exits 2. */
int cli_base_option(cli *c, const char *arg, int allow_number, long *number);

#endif
