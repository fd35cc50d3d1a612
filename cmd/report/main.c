/* utfall-report: the results section of a slutrapport, from one extract. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "utfall/goals_file.h"
#include "utfall/report.h"

enum {
    OPT_SPELLS = OPT_FIRST_COMMAND_OPTION,
    OPT_STATUS_MAP,
    OPT_MONTHS,
    OPT_REF,
    OPT_TITLE,
    OPT_DATE,
    OPT_LEVEL,
    OPT_EKONOMI,
    OPT_FROM,
    OPT_TO,
    OPT_PERIOD_BY,
    OPT_HEADING_LEVEL
};

struct opener {
    cli *c;
    utfall_horizon_options *ho;
    int opened_first;
    int reported; /* exit status of an error cli_open_extract already printed */
};

/* The first reading reports warnings and writes --rejects; the others
 * read the same rows again quietly. */
static utfall_status open_extract(void *ctx, int pass, utfall_extract **x, utfall_error *err)
{
    struct opener *o = ctx;
    if (pass == 0 && !o->opened_first) {
        o->opened_first = 1;
        int rc = cli_open_extract(o->c, x);
        if (rc) {
            o->reported = rc;
            return utfall_error_set(err, (utfall_status)rc, UTFALL_EC_REPORTED, "already reported");
        }
        o->ho->rejects = o->c->xopt.rejects; /* the spells' rejected rows go there too */
        return UTFALL_OK;
    }
    utfall_extract_options xo = o->c->xopt;
    xo.diag = NULL;
    xo.diag_ctx = NULL;
    xo.rejects = NULL;
    return utfall_extract_open(x, (const char *const *)o->c->inputs, o->c->ninputs, &xo, err);
}

enum out_kind { OUT_MD = 0, OUT_XLSX, OUT_PDF, OUT_JSON, OUT_DOCX };

static int report_format(cli *c, const char *out, enum out_kind *kind)
{
    const char *dot = strrchr(out, '.');
    if (c->format_given) {
        if (c->format != UTFALL_FMT_MD && c->format != UTFALL_FMT_XLSX
            && c->format != UTFALL_FMT_JSON)
            return cli_usage_error(c, "--format takes md, xlsx or json for a report (PDF: name "
                                      "the file .pdf)");
        *kind = c->format == UTFALL_FMT_XLSX  ? OUT_XLSX
                : c->format == UTFALL_FMT_JSON ? OUT_JSON
                                               : OUT_MD;
    } else if (!strcmp(out, "-")
               || (dot && (!strcasecmp(dot, ".md") || !strcasecmp(dot, ".markdown")))) {
        *kind = OUT_MD;
    } else if (dot && !strcasecmp(dot, ".xlsx")) {
        *kind = OUT_XLSX;
    } else if (dot && !strcasecmp(dot, ".pdf")) {
        *kind = OUT_PDF;
    } else if (dot && !strcasecmp(dot, ".json")) {
        *kind = OUT_JSON;
    } else if (dot && !strcasecmp(dot, ".docx")) {
        *kind = OUT_DOCX;
    } else {
        return cli_usage_error(c, "%s: the report is written as .pdf, .docx, .md, .xlsx or "
                                  ".json; name the file so, or give --format", out);
    }
    return 0;
}

/* The Markdown's figures: PNG files in a folder beside it (slutrapport.md
 * -> slutrapport-figurer/fig1.png ...), linked by relative paths so that
 * pandoc finds them.  Standard output gets no figures. */
#define MAX_STALE_FIGURES 200

static int write_figures(cli *c, utfall_report *r, const char *md_path)
{
    char dir[4096], file[4200], rel[4200];
    const char *dot = strrchr(md_path, '.');
    const char *slash = strrchr(md_path, '/');
    int stem = (int)(dot && (!slash || dot > slash) ? dot - md_path : (int)strlen(md_path));
    if (snprintf(dir, sizeof dir, "%.*s-%s", stem, md_path,
                 c->lang == UTFALL_LANG_SV ? "figurer" : "figures") >= (int)sizeof dir) {
        cli_say(c, "%s: the path is too long", md_path);
        return UTFALL_ERR_USAGE;
    }
    const char *base = strrchr(dir, '/');
    base = base ? base + 1 : dir;
    c->chart_out.format = UTFALL_CHART_PNG;
    int number = 0, rc = 0;
    utfall_error err;
    utfall_error_clear(&err);
    for (size_t i = 0; i < utfall_report_nblocks(r) && !rc; i++) {
        const utfall_chart *chart = utfall_report_figure_chart(r, i);
        if (!chart)
            continue;
        if (!number && mkdir(dir, 0777) && errno != EEXIST) {
            cli_say(c, "%s: cannot create the folder for the figures: %s",
                    dir, cli_strerror(c, errno));
            return UTFALL_ERR_IO;
        }
        number++;
        snprintf(file, sizeof file, "%s/fig%d.png", dir, number);
        snprintf(rel, sizeof rel, "%s/fig%d.png", base, number);
        rc = cli_chart_write(c, chart, file);
        if (!rc && utfall_report_set_figure_path(r, i, rel, &err))
            rc = cli_report(c, &err);
    }
    utfall_chart_release_fonts();
    /* A report rewritten with fewer figures (other goals, more
     * suppression) must not leave the old ones beside it, where pandoc
     * users would take them for current: remove our own names only. */
    for (int k = number + 1; !rc && k <= MAX_STALE_FIGURES; k++) {
        snprintf(file, sizeof file, "%s/fig%d.png", dir, k);
        if (unlink(file) && errno != ENOENT && errno != ENOTDIR) {
            cli_say(c, "%s: cannot remove an old figure: %s", file,
                    cli_strerror(c, errno));
            rc = UTFALL_ERR_IO;
        }
    }
    return rc;
}

/* A PDF or Word report: written by path, into the atomic temporary file
 * (or the device itself), never to standard output. */
typedef utfall_status (*write_by_path_fn)(const utfall_report *r, const char *path,
                                          utfall_error *err);

static int write_by_path(cli *c, utfall_report *r, write_by_path_fn write, int is_docx)
{
    if (!strcmp(c->output, "-"))
        return is_docx ? cli_usage_error(c, "a Word report is written to a file: give -o FILE.docx")
                       : cli_usage_error(c, "a PDF report is written to a file: give -o FILE.pdf");
    cli_output o;
    int rc = cli_output_open(c, c->output, &o);
    if (rc)
        return rc;
    utfall_error err;
    utfall_error_clear(&err);
    utfall_status st = write(r, o.tmp ? o.tmp : c->output, &err);
    rc = cli_output_close(c, &o, st == UTFALL_OK);
    utfall_chart_release_fonts();
    if (st) {
        if (!err.file[0])
            utfall_error_locate(&err, c->output, 0, 0, NULL);
        return cli_report(c, &err);
    }
    return rc;
}

/* What the options ask for, besides the common ones in cli. */
struct report_args {
    utfall_report_options ro;
    utfall_horizon_options ho;
    const char *goals_path;
    const char *ekonomi_path;
    int months_given;
};

static int date_option(cli *c, const char *name, const char *arg, utfall_date *out)
{
    if (utfall_date_parse(arg, out))
        return cli_usage_error(c, "%s takes a date such as 2014-06-30, not '%s'", name, arg);
    return 0;
}

/* One of the report's own options; 0 or an exit status. */
static int report_option(cli *c, struct report_args *a, int opt, const char *arg)
{
    utfall_error err;
    utfall_error_clear(&err);
    utfall_date d;
    switch (opt) {
    case 'g':
        a->goals_path = arg;
        return 0;
    case OPT_SPELLS:
        if (cli_add_spells(c, arg))
            return UTFALL_ERR_USAGE;
        a->ho.spells_path = c->spells[0];
        return 0;
    case OPT_STATUS_MAP:
        a->ho.status_map_path = arg;
        return 0;
    case OPT_MONTHS:
        if (utfall_horizon_parse_months(arg, &a->ho, &err))
            return cli_usage_error(c, "%s", cli_text(c, &err));
        a->months_given = 1;
        return 0;
    case OPT_REF:
        a->ho.ref = arg;
        return 0;
    case OPT_TITLE:
        a->ro.title = arg;
        return 0;
    case OPT_DATE:
        a->ro.date = arg;
        return date_option(c, "--date", arg, &d);
    case OPT_LEVEL:
        a->ro.level = cli_level_option(c, arg);
        return 0;
    case OPT_EKONOMI:
        a->ekonomi_path = arg;
        return 0;
    case OPT_FROM:
        return date_option(c, "--from", arg, &a->ro.period.from);
    case OPT_TO:
        return date_option(c, "--to", arg, &a->ro.period.to);
    case OPT_PERIOD_BY:
        if (utfall_reporting_period_by_parse(arg, &a->ro.period.by))
            return cli_usage_error(c, "--period-by takes aktiva, inskrivna or avslutade (or "
                                      "active, enrolled, exited), not '%s'", arg);
        return 0;
    case OPT_HEADING_LEVEL: {
        char *end;
        long n = strtol(arg, &end, 10);
        if (*end || end == arg || n < 1 || n > 4)
            return cli_usage_error(c, "--heading-level takes 1, 2, 3 or 4, not '%s'", arg);
        a->ro.heading_level = (int)n;
        return 0;
    }
    default:
        return cli_bad_option(c);
    }
}

static int parse_options(cli *c, struct report_args *a, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},
        {"goals", required_argument, NULL, 'g'},
        {"spells", required_argument, NULL, OPT_SPELLS},
        {"status-map", required_argument, NULL, OPT_STATUS_MAP},
        {"months", required_argument, NULL, OPT_MONTHS},
        {"ref", required_argument, NULL, OPT_REF},
        {"title", required_argument, NULL, OPT_TITLE},
        {"date", required_argument, NULL, OPT_DATE},
        {"suppress", required_argument, NULL, OPT_SUPPRESS},
        {"audit", required_argument, NULL, OPT_AUDIT},
        {"level", required_argument, NULL, OPT_LEVEL},
        {"ekonomi", required_argument, NULL, OPT_EKONOMI},
        {"from", required_argument, NULL, OPT_FROM},
        {"to", required_argument, NULL, OPT_TO},
        {"period-by", required_argument, NULL, OPT_PERIOD_BY},
        {"heading-level", required_argument, NULL, OPT_HEADING_LEVEL},
        {"lang", required_argument, NULL, OPT_LANG},
        {"delimiter", required_argument, NULL, 'd'},
        {"encoding", required_argument, NULL, OPT_ENCODING},
        {"map", required_argument, NULL, OPT_MAP},
        {"outcome-map", required_argument, NULL, OPT_OUTCOME_MAP},
        {"income-map", required_argument, NULL, OPT_INCOME_MAP},
        {"date-format", required_argument, NULL, OPT_DATE_FORMAT},
        {"max-rejected", required_argument, NULL, OPT_MAX_REJECTED},
        {"shared-ids", no_argument, NULL, OPT_SHARED_IDS},
        {"age-range", required_argument, NULL, OPT_AGE_RANGE},
        {"skip-bad", no_argument, NULL, OPT_SKIP_BAD},
        {"rejects", required_argument, NULL, OPT_REJECTS},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0}};
    int opt, rc;
    while ((opt = cli_getopt(c, argc, argv, "hVo:f:g:d:q", longopts)) != -1)
        if (!cli_common_option(c, opt, optarg) && (rc = report_option(c, a, opt, optarg)))
            return rc;
    if (a->ro.period.from != UTFALL_DATE_NONE && a->ro.period.to != UTFALL_DATE_NONE
        && a->ro.period.to < a->ro.period.from)
        return cli_usage_error(c, "--to is before --from: the period ends before it starts");
    return 0;
}

/* The arguments after the options, and what they must be. */
static int check_arguments(cli *c, struct report_args *a, int argc, char **argv, enum out_kind *kind)
{
    if (!c->output)
        return cli_usage_error(c, "-o OUT is required: the report is a file, OUT.pdf, OUT.docx, "
                                  "OUT.md or OUT.xlsx");
    int rc = report_format(c, c->output, kind);
    if (rc)
        return rc;
    if ((a->months_given || a->ho.ref || a->ho.status_map_path) && !a->ho.spells_path)
        return cli_usage_error(c, "--months, --ref and --status-map go with --spells FILE");
    if (optind >= argc)
        return cli_usage_error(c, "no extract given: the report reads it several times, so it "
                                  "must be a file");
    for (int i = optind; i < argc; i++)
        if (!strcmp(argv[i], "-"))
            return cli_usage_error(c, "the report reads the extract several times: give a "
                                      "file, not standard input");
    cli_take_inputs(c, argc, argv, optind);
    if (a->ekonomi_path && c->nother_inputs < sizeof c->other_inputs / sizeof *c->other_inputs)
        c->other_inputs[c->nother_inputs++] = a->ekonomi_path;
    if (a->goals_path && c->nother_inputs < sizeof c->other_inputs / sizeof *c->other_inputs)
        c->other_inputs[c->nother_inputs++] = a->goals_path;
    if ((rc = cli_check_output_path(c, c->output)) || (rc = cli_check_output_path(c, c->audit_path)))
        return rc;
    return 0;
}

/* The goals file and the ledger: read before the extract. */
static int read_side_files(cli *c, struct report_args *a, utfall_goals **goals,
                           utfall_ledger **ledger)
{
    utfall_error err;
    utfall_error_clear(&err);
    if (a->goals_path && utfall_goals_read(goals, a->goals_path, &err))
        return cli_report(c, &err);
    if (a->ekonomi_path) {
        utfall_csv_options csv = {0};
        csv.encoding = c->xopt.csv.encoding;
        if (utfall_ledger_read(ledger, a->ekonomi_path, &csv, &err))
            return cli_report(c, &err);
    }
    return 0;
}

static int write_md(cli *c, utfall_report *r)
{
    cli_output o;
    int rc = strcmp(c->output, "-") ? write_figures(c, r, c->output) : 0;
    if (!rc)
        rc = cli_output_open(c, c->output, &o);
    if (rc)
        return rc;
    utfall_error err;
    utfall_error_clear(&err);
    utfall_status st = utfall_report_write_md(r, o.fp, &err);
    rc = cli_output_close(c, &o, st == UTFALL_OK);
    if (st) {
        if (!err.file[0])
            utfall_error_locate(&err, strcmp(c->output, "-") ? c->output : "standard output", 0,
                                0, NULL);
        rc = cli_report(c, &err);
    }
    return rc;
}

static int write_report(cli *c, utfall_report *r, enum out_kind kind)
{
    int rc = c->audit_path ? cli_write_audit(c, utfall_report_doc(r)) : 0;
    if (rc)
        return rc;
    switch (kind) {
    case OUT_XLSX:
    case OUT_JSON:
        c->format = kind == OUT_XLSX ? UTFALL_FMT_XLSX : UTFALL_FMT_JSON;
        c->format_given = 1;
        return cli_write(c, utfall_report_doc(r));
    case OUT_PDF:
        return write_by_path(c, r, utfall_report_write_pdf, 0);
    case OUT_DOCX:
        return write_by_path(c, r, utfall_report_write_docx, 1);
    default:
        return write_md(c, r);
    }
}

static void extract_name(cli *c, char *name, size_t size)
{
    size_t n = 0;
    name[0] = '\0';
    for (size_t i = 0; i < c->ninputs && n < size; i++) {
        const char *base = strrchr(c->inputs[i], '/');
        n += (size_t)snprintf(name + n, size - n, "%s%s", i ? ", " : "",
                              base ? base + 1 : c->inputs[i]);
    }
}

int main(int argc, char **argv)
{
    cli c;
    cli_init(&c, "utfall-report", "help.report");
    /* the fields it uses: stderr names those without a column */
    c.xopt.wanted_fields = UTFALL_FIELD_BIT(UTFALL_F_KON) | UTFALL_FIELD_BIT(UTFALL_F_FODELSEAR) |
        UTFALL_FIELD_BIT(UTFALL_F_ENHET) | UTFALL_FIELD_BIT(UTFALL_F_AVSLUTAD) |
        UTFALL_FIELD_BIT(UTFALL_F_AVSLUTSORSAK) | UTFALL_FIELD_BIT(UTFALL_F_TIMMAR_FORE) |
        UTFALL_FIELD_BIT(UTFALL_F_TIMMAR_EFTER) | UTFALL_FIELD_BIT(UTFALL_F_FORSORJNING_FORE) |
        UTFALL_FIELD_BIT(UTFALL_F_FORSORJNING_EFTER);
    c.suppress = 5;
    struct report_args a = {.goals_path = NULL};
    utfall_report_options_init(&a.ro);
    utfall_horizon_options_init(&a.ho);
    enum out_kind kind = OUT_MD;
    int rc = parse_options(&c, &a, argc, argv);
    if (!rc)
        rc = check_arguments(&c, &a, argc, argv, &kind);
    if (rc)
        return rc;
    utfall_goals *goals = NULL;
    utfall_ledger *ledger = NULL;
    if ((rc = read_side_files(&c, &a, &goals, &ledger))) {
        utfall_goals_free(goals);
        return rc;
    }
    char name[1024];
    extract_name(&c, name, sizeof name);
    a.ro.extract_name = name;
    a.ro.goals = goals;
    a.ro.ledger = ledger;
    a.ro.suppress = c.suppress;
    a.ro.audit = c.audit_path != NULL;
    a.ro.lang = c.lang;
    if (a.ho.spells_path) {
        a.ho.spells_paths = c.spells;
        a.ho.nspells = c.nspells;
        a.ho.spells_dates = c.date_style;
        a.ho.max_rejected = c.xopt.max_rejected;
        if (a.ho.status_map_path && (rc = cli_apply_map_labels(&c, a.ho.status_map_path))) {
            utfall_goals_free(goals);
            utfall_ledger_free(ledger);
            return cli_finish(&c, rc);
        }
        a.ho.lang = c.lang;
        a.ho.spells_csv = c.xopt.csv;
        a.ho.skip_bad = c.xopt.skip_bad;
        a.ho.diag = c.xopt.diag;
        a.ho.diag_ctx = c.xopt.diag_ctx;
        a.ro.horizon = &a.ho;
    }
    struct opener op = {&c, &a.ho, 0, 0};
    utfall_report *r = NULL;
    utfall_error err;
    utfall_error_clear(&err);
    if (utfall_report_build(&r, open_extract, &op, &a.ro, &err))
        rc = op.reported ? op.reported : cli_report(&c, &err);
    else
        rc = write_report(&c, r, kind);
    utfall_report_free(r);
    utfall_goals_free(goals);
    utfall_ledger_free(ledger);
    return cli_finish(&c, rc);
}
