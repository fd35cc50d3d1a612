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
    OPT_LEVEL
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

enum out_kind { OUT_MD = 0, OUT_XLSX, OUT_PDF, OUT_JSON };

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
    } else {
        return cli_usage_error(c, "%s: the report is written as .pdf, .md, .xlsx or .json; "
                                  "name the file so, or give --format", out);
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

static int write_pdf(cli *c, utfall_report *r)
{
    if (!strcmp(c->output, "-"))
        return cli_usage_error(c, "a PDF report is written to a file: give -o FILE.pdf");
    cli_output o;
    int rc = cli_output_open(c, c->output, &o);
    if (rc)
        return rc;
    utfall_error err;
    utfall_error_clear(&err);
    /* by path, into the atomic temporary file (or the device itself) */
    utfall_status st = utfall_report_write_pdf(r, o.tmp ? o.tmp : c->output, &err);
    rc = cli_output_close(c, &o, st == UTFALL_OK);
    utfall_chart_release_fonts();
    if (st) {
        if (!err.file[0])
            utfall_error_locate(&err, c->output, 0, 0, NULL);
        return cli_report(c, &err);
    }
    return rc;
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
    utfall_report_options ro;
    utfall_report_options_init(&ro);
    utfall_horizon_options ho;
    utfall_horizon_options_init(&ho);
    const char *goals_path = NULL;
    int months_given = 0;
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
    int opt;
    utfall_error err;
    utfall_error_clear(&err);
    while ((opt = cli_getopt(&c, argc, argv, "hVo:f:g:d:q", longopts)) != -1) {
        if (cli_common_option(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'g':
            goals_path = optarg;
            break;
        case OPT_SPELLS:
            if (cli_add_spells(&c, optarg))
                return UTFALL_ERR_USAGE;
            ho.spells_path = c.spells[0];
            break;
        case OPT_STATUS_MAP:
            ho.status_map_path = optarg;
            break;
        case OPT_MONTHS:
            if (utfall_horizon_parse_months(optarg, &ho, &err))
                return cli_usage_error(&c, "%s", cli_text(&c, &err));
            months_given = 1;
            break;
        case OPT_REF:
            ho.ref = optarg;
            break;
        case OPT_TITLE:
            ro.title = optarg;
            break;
        case OPT_DATE: {
            utfall_date d;
            if (utfall_date_parse(optarg, &d))
                return cli_usage_error(&c, "--date takes a date such as 2014-06-30, not '%s'",
                                       optarg);
            ro.date = optarg;
            break;
        }
        case OPT_LEVEL:
            ro.level = cli_level_option(&c, optarg);
            break;
        default:
            return cli_bad_option(&c);
        }
    }
    if (!c.output)
        return cli_usage_error(&c, "-o OUT is required: the report is a file, OUT.pdf, OUT.md "
                                   "or OUT.xlsx");
    enum out_kind kind = OUT_MD;
    int rc = report_format(&c, c.output, &kind);
    if (rc)
        return rc;
    if ((months_given || ho.ref || ho.status_map_path) && !ho.spells_path)
        return cli_usage_error(&c, "--months, --ref and --status-map go with --spells FILE");
    if (optind >= argc)
        return cli_usage_error(&c, "no extract given: the report reads it several times, so it "
                                   "must be a file");
    for (int i = optind; i < argc; i++)
        if (!strcmp(argv[i], "-"))
            return cli_usage_error(&c, "the report reads the extract several times: give a "
                                       "file, not standard input");
    cli_take_inputs(&c, argc, argv, optind);
    if ((rc = cli_check_output_path(&c, c.output)) || (rc = cli_check_output_path(&c, c.audit_path)))
        return rc;

    utfall_goals *goals = NULL;
    if (goals_path) {
        if ((rc = cli_check_output_path(&c, goals_path)) != 0)
            return rc;
        if (utfall_goals_read(&goals, goals_path, &err))
            return cli_report(&c, &err);
    }
    char name[1024] = "";
    size_t n = 0;
    for (size_t i = 0; i < c.ninputs && n < sizeof name; i++) {
        const char *base = strrchr(c.inputs[i], '/');
        n += (size_t)snprintf(name + n, sizeof name - n, "%s%s", i ? ", " : "",
                              base ? base + 1 : c.inputs[i]);
    }
    ro.extract_name = name;
    ro.goals = goals;
    ro.suppress = c.suppress;
    ro.audit = c.audit_path != NULL;
    ro.lang = c.lang;
    if (ho.spells_path) {
        ho.spells_paths = c.spells;
        ho.nspells = c.nspells;
        ho.spells_dates = c.date_style;
        ho.max_rejected = c.xopt.max_rejected;
        if (ho.status_map_path && (rc = cli_apply_map_labels(&c, ho.status_map_path)))
            return cli_finish(&c, rc);
        ho.lang = c.lang;
        ho.spells_csv = c.xopt.csv;
        ho.skip_bad = c.xopt.skip_bad;
        ho.diag = c.xopt.diag;
        ho.diag_ctx = c.xopt.diag_ctx;
        ro.horizon = &ho;
    }

    struct opener op = {&c, &ho, 0, 0};
    utfall_report *r = NULL;
    utfall_status st = utfall_report_build(&r, open_extract, &op, &ro, &err);
    if (st) {
        rc = op.reported ? op.reported : cli_report(&c, &err);
        utfall_goals_free(goals);
        return cli_finish(&c, rc);
    }
    if (c.audit_path && (rc = cli_write_audit(&c, utfall_report_doc(r)))) {
        utfall_report_free(r);
        utfall_goals_free(goals);
        return cli_finish(&c, rc);
    }
    if (kind == OUT_XLSX || kind == OUT_JSON) {
        c.format = kind == OUT_XLSX ? UTFALL_FMT_XLSX : UTFALL_FMT_JSON;
        c.format_given = 1;
        rc = cli_write(&c, utfall_report_doc(r));
    } else if (kind == OUT_PDF) {
        rc = write_pdf(&c, r);
    } else {
        cli_output o;
        rc = strcmp(c.output, "-") ? write_figures(&c, r, c.output) : 0;
        if (!rc)
            rc = cli_output_open(&c, c.output, &o);
        if (!rc) {
            st = utfall_report_write_md(r, o.fp, &err);
            rc = cli_output_close(&c, &o, st == UTFALL_OK);
            if (st) {
                if (!err.file[0])
                    utfall_error_locate(&err, strcmp(c.output, "-") ? c.output : "standard output",
                                        0, 0, NULL);
                rc = cli_report(&c, &err);
            }
        }
    }
    utfall_report_free(r);
    utfall_goals_free(goals);
    return cli_finish(&c, rc);
}
