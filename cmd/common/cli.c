#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utfall/pnr.h"

static void print_diag(void *ctx, const utfall_error *e)
{
    cli_report(ctx, e);
}

void cli_init(cli *c, const char *prog, const char *help_key)
{
    memset(c, 0, sizeof *c);
    c->prog = prog;
    c->help_key = help_key;
    c->lang = utfall_lang_from_env();
    c->format = isatty(STDOUT_FILENO) ? UTFALL_FMT_TABLE : UTFALL_FMT_TSV;
    utfall_extract_options_init(&c->xopt);
    c->xopt.today = utfall_date_today();
    c->xopt.diag = print_diag;
    c->xopt.diag_ctx = c;
    utfall_init();
}

/* The long option an argument "--name[=value]" names: exact, or the one
 * it abbreviates (as getopt_long takes it); NULL when none or several. */
static const struct option *long_option(const struct option *longopts, const char *name, size_t n)
{
    const struct option *found = NULL;
    for (const struct option *o = longopts; o && o->name; o++) {
        if (strncmp(o->name, name, n))
            continue;
        if (strlen(o->name) == n)
            return o;
        if (found)
            return NULL;
        found = o;
    }
    return found;
}

/* "option --by" for a short option that stands for a long one. */
static void short_name(const struct option *longopts, char opt, char *buf, size_t size)
{
    for (const struct option *o = longopts; o && o->name; o++)
        if (o->val == opt && !o->flag) {
            snprintf(buf, size, "option --%s", o->name);
            return;
        }
    snprintf(buf, size, "option -%c", opt);
}

/* Refuse argument text with a number in it, naming what it is. */
static void guard_arg(cli *c, const char *text, const char *place)
{
    utfall_error err;
    utfall_error_clear(&err);
    utfall_guard_site site = {"command line", NULL, 0, NULL, place};
    if (utfall_guard(text, strlen(text), &site, &err))
        exit(cli_report(c, &err));
}

/* Argument i, an option cluster "-xVALUE" or "-x VALUE": the values of
 * options that take one are named by their option.  Returns the index of
 * the last argument it used. */
static int guard_short(cli *c, int argc, char **argv, int i, const char *shortopts,
                       const struct option *longopts)
{
    char place[96];
    for (const char *p = argv[i] + 1; *p; p++) {
        const char *spec = *p != ':' ? strchr(shortopts, *p) : NULL;
        if (!spec || spec[1] != ':')
            continue;
        short_name(longopts, *p, place, sizeof place);
        if (p[1]) {
            guard_arg(c, p + 1, place);
        } else if (i + 1 < argc) {
            guard_arg(c, argv[i + 1], place);
            return i + 1;
        }
        break;
    }
    return i;
}

/* Every argument before getopt sees one: getopt echoes unknown options,
 * the commands echo bad values, and file names and titles go into the
 * output. */
static void guard_args(cli *c, int argc, char **argv, const char *shortopts,
                       const struct option *longopts)
{
    char place[96];
    int files_only = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        snprintf(place, sizeof place, "argument %d", i);
        if (files_only || a[0] != '-' || !a[1]) {
            snprintf(place, sizeof place, "argument %d (an input file name)", i);
            guard_arg(c, a, place);
        } else if (!strcmp(a, "--")) {
            files_only = 1;
        } else if (a[1] != '-') {
            int last = guard_short(c, argc, argv, i, shortopts, longopts);
            guard_arg(c, a, place);
            i = last;
        } else {
            const char *eq = strchr(a + 2, '=');
            const struct option *o =
                long_option(longopts, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
            if (o)
                snprintf(place, sizeof place, "option --%s", o->name);
            /* an option's name holds no digits: "--name=value" is its value */
            guard_arg(c, o && eq ? eq + 1 : a, place);
            if (o && !eq && o->has_arg == required_argument && i + 1 < argc)
                guard_arg(c, argv[++i], place);
        }
    }
}

/* --lang before anything is said: --help and the first error in the
 * language asked for, wherever the option stands. */
static void prescan_lang(cli *c, int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
        const char *v = !strncmp(argv[i], "--lang=", 7) ? argv[i] + 7
                        : !strcmp(argv[i], "--lang") && i + 1 < argc ? argv[i + 1]
                                                                     : NULL;
        if (v)
            utfall_lang_parse(v, &c->lang);
    }
}

int cli_getopt(cli *c, int argc, char **argv, const char *shortopts,
               const struct option *longopts)
{
    if (!c->args_guarded) {
        guard_args(c, argc, argv, shortopts, longopts);
        c->args_guarded = 1;
        prescan_lang(c, argc, argv);
        /* getopt's own messages are English: ours are in the run's language */
        opterr = 0;
        snprintf(c->shortopts, sizeof c->shortopts, ":%s", shortopts);
    }
    int opt = getopt_long(argc, argv, c->shortopts, longopts, NULL);
    if (opt == '?' || opt == ':') {
        c->bad_opt = opt;
        c->bad_optopt = optopt;
        c->bad_arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
        c->longopts = longopts;
    }
    return opt;
}

/* The catalogue's Swedish for a message the program prints, in a
 * Swedish run; the English otherwise. */
static const char *say_fmt(const cli *c, const char *fmt)
{
    const char *sv =
        c->lang == UTFALL_LANG_SV ? utfall_error_text_sv(UTFALL_EC_NONE, fmt) : NULL;
    return sv ? sv : fmt;
}

void cli_say(const cli *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", c->prog);
    va_start(ap, fmt);
    vfprintf(stderr, say_fmt(c, fmt), ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void try_help(cli *c)
{
    fprintf(stderr, say_fmt(c, "Try '%s --help' for more information."), c->prog);
    fputc('\n', stderr);
}

int cli_usage_error(cli *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", c->prog);
    va_start(ap, fmt);
    vfprintf(stderr, say_fmt(c, fmt), ap);
    va_end(ap);
    fputc('\n', stderr);
    try_help(c);
    return UTFALL_ERR_USAGE;
}

const char *cli_text(const cli *c, const utfall_error *e)
{
    return c->lang == UTFALL_LANG_SV && e->text_sv[0] ? e->text_sv : e->text;
}

const char *cli_strerror(const cli *c, int errnum)
{
    return say_fmt(c, strerror(errnum));
}

static void print_help(cli *c)
{
    fputs(utfall_tr(c->lang, c->help_key), stdout);
    if (c->help_common) {
        char page[96];
        snprintf(page, sizeof page, "%s(1)", c->prog);
        fputs(utfall_tr(c->lang, "help.output"), stdout);
        fputs(utfall_tr(c->lang, "help.input"), stdout);
        printf(utfall_tr(c->lang, "help.exit"), page);
    }
}

int cli_report(cli *c, const utfall_error *e)
{
    char buf[2 * UTFALL_ERROR_TEXT_MAX];
    /* -q quiets what leaves the figures as they are, never what changes them */
    int hidden = c->quiet && !e->changes_results;
    if (e->severity == UTFALL_SEV_WARNING) {
        if (hidden)
            return 0;
        /* Thousands of identical warnings help nobody: show 50, count the
         * rest; the one on too many rejected rows always shows. */
        if (e->code_id != UTFALL_EC_TOO_MANY_REJECTED && ++c->warnings_shown > 50)
            return 0;
    }
    if (e->severity == UTFALL_SEV_NOTE && hidden)
        return 0;
    utfall_error_format_lang(e, c->lang, buf, sizeof buf);
    cli_say(c, "%s", buf);
    return e->status ? (int)e->status : 0;
}

int cli_parse_share(const char *s, double *out)
{
    char buf[64];
    size_t n = strlen(s);
    int percent = 0;
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n + 1);
    while (n && (buf[n - 1] == ' ')) buf[--n] = '\0';
    if (n && buf[n - 1] == '%') {
        percent = 1;
        buf[--n] = '\0';
        while (n && buf[n - 1] == ' ') buf[--n] = '\0';
    }
    double v;
    if (utfall_number_parse(buf, &v))
        return -1;
    if (percent || v > 1)
        v /= 100.0;
    if (v < 0 || v > 1)
        return -1;
    *out = v;
    return 0;
}

/* --date-format FORM for every date column, or FIELD=FORM for one. */
static void date_format_option(cli *c, const char *arg)
{
    const char *eq = strchr(arg, '=');
    utfall_date_style style;
    if (utfall_date_style_parse(eq ? eq + 1 : arg, &style))
        exit(cli_usage_error(c, "--date-format takes iso, dmy, mdy, excel or auto (or "
                                "FIELD=FORM for one column), not '%s'", arg));
    static const utfall_field dates[] = {UTFALL_F_INSKRIVEN, UTFALL_F_AVSLUTAD,
                                         UTFALL_F_UPPFOLJD_TILL};
    char name[64];
    snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - arg) : 0, arg);
    int f = eq ? utfall_field_lookup(name) : -1;
    if (eq && f != UTFALL_F_INSKRIVEN && f != UTFALL_F_AVSLUTAD && f != UTFALL_F_UPPFOLJD_TILL)
        exit(cli_usage_error(c, "--date-format %s: '%s' is not a date field (inskriven, "
                                "avslutad, uppfoljd_till)", arg, name));
    for (size_t k = 0; k < sizeof dates / sizeof dates[0]; k++)
        if (!eq || (int)dates[k] == f)
            c->xopt.date_style[dates[k]] = style;
    if (!eq)
        c->date_style = style;
}

int cli_common_option(cli *c, int opt, const char *arg)
{
    switch (opt) {
    case 'h':
        print_help(c);
        exit(0);
    case 'V':
        printf("%s (utfall) %s\n", c->prog, utfall_version());
        exit(0);
    case 'f':
        if (utfall_format_parse(arg, &c->format))
            exit(cli_usage_error(c, "unknown format '%s' (accepted: table, tsv, csv, json, md, xlsx)",
                                 arg));
        c->format_given = 1;
        return 1;
    case 'o':
        c->output = arg;
        return 1;
    case OPT_LANG:
        if (utfall_lang_parse(arg, &c->lang))
            exit(cli_usage_error(c, "unknown language '%s' (accepted: sv, en)", arg));
        return 1;
    case 'd':
        if (!strcmp(arg, "tab") || !strcmp(arg, "\\t") || !strcmp(arg, "\t"))
            c->xopt.csv.delimiter = '\t';
        else if (strlen(arg) == 1 && strchr(",;|", arg[0]))
            c->xopt.csv.delimiter = arg[0];
        else
            exit(cli_usage_error(c, "unknown delimiter '%s' (accepted: , ; | tab)", arg));
        return 1;
    case OPT_ENCODING:
        if (utfall_encoding_parse(arg, &c->xopt.csv.encoding))
            exit(cli_usage_error(c, "unknown encoding '%s' (accepted: auto, utf-8, windows-1252)",
                                 arg));
        return 1;
    case OPT_MAP: {
        const char *eq = strchr(arg, '=');
        char canon[64];
        size_t n = eq ? (size_t)(eq - arg) : 0;
        if (!eq || n == 0 || n >= sizeof canon || !eq[1])
            exit(cli_usage_error(c, "--map takes canonical=Header, e.g. --map kon=Gender"));
        memcpy(canon, arg, n);
        canon[n] = '\0';
        if (utfall_field_lookup(canon) < 0)
            exit(cli_usage_error(c, "--map %s: '%s' is not a canonical field (see "
                                    "utfall-extract(5))", arg, canon));
        if (c->nmaps == sizeof c->maps / sizeof c->maps[0])
            exit(cli_usage_error(c, "too many --map options"));
        c->maps[c->nmaps++] = arg;
        c->xopt.map = c->maps;
        c->xopt.nmap = c->nmaps;
        return 1;
    }
    case OPT_OUTCOME_MAP:
        c->xopt.outcome_map_path = arg;
        return 1;
    case OPT_INCOME_MAP:
        c->xopt.income_map_path = arg;
        return 1;
    case OPT_DATE_FORMAT:
        date_format_option(c, arg);
        return 1;
    case OPT_MAX_REJECTED:
        if (cli_parse_share(arg, &c->xopt.max_rejected) || c->xopt.max_rejected < 0
            || c->xopt.max_rejected > 1)
            exit(cli_usage_error(c, "--max-rejected takes a share of the rows such as 5%%, 5 or "
                                    "0.05, not '%s'", arg));
        return 1;
    case OPT_SHARED_IDS:
        c->xopt.shared_ids = 1;
        return 1;
    case OPT_AGE_RANGE: {
        int lo, hi, end = 0;
        if (sscanf(arg, "%d-%d%n", &lo, &hi, &end) != 2 || arg[end] || lo < 0 || hi > 130
            || lo > hi)
            exit(cli_usage_error(c, "--age-range takes the youngest and oldest expected age "
                                    "at enrolment, such as 19-29, not '%s'", arg));
        c->xopt.age_min = lo;
        c->xopt.age_max = hi;
        return 1;
    }
    case OPT_SKIP_BAD:
        c->xopt.skip_bad = 1;
        return 1;
    case OPT_REJECTS:
        c->rejects_path = arg;
        c->xopt.skip_bad = 1;
        return 1;
    case OPT_SECTION:
        c->section = arg;
        return 1;
    case 'q':
        c->quiet = 1;
        return 1;
    case OPT_SUPPRESS: {
        char *end;
        long n = strtol(arg, &end, 10);
        if (*end || end == arg || n < 0 || n > 1000)
            exit(cli_usage_error(c, "--suppress takes a whole number from 0 to 1000, not '%s'",
                                 arg));
        if (c->suppress_given && n != c->suppress)
            exit(cli_usage_error(c, "--suppress is given twice, as %ld and %ld: which is meant?",
                                 c->suppress, n));
        c->suppress = n;
        c->suppress_given = 1;
        return 1;
    }
    case OPT_AUDIT:
        c->audit_path = arg;
        return 1;
    case OPT_CHART:
        if (utfall_chart_format_from_path(arg, &c->chart_out.format))
            exit(cli_usage_error(c, "--chart %s: unknown chart format (the file name must end "
                                    "in .pdf, .png or .svg)", arg));
        c->chart_path = arg;
        return 1;
    case OPT_SIZE:
        if (utfall_chart_size_parse(arg, &c->chart_out.width, &c->chart_out.height))
            exit(cli_usage_error(c, "--size takes WIDTHxHEIGHT (mm for PDF and SVG, pixels "
                                    "for PNG), e.g. 160x100, not '%s'", arg));
        return 1;
    case OPT_DPI: {
        char *end;
        double v = strtod(arg, &end);
        if (*end || end == arg || !(v >= 30 && v <= 1200))
            exit(cli_usage_error(c, "--dpi takes a resolution from 30 to 1200, e.g. 300, "
                                    "not '%s'", arg));
        c->chart_out.dpi = v;
        return 1;
    }
    default:
        return 0;
    }
}

int cli_chart_write(cli *c, const utfall_chart *chart, const char *path)
{
    int rc = cli_check_output_path(c, path);
    if (rc)
        return rc;
    cli_output o;
    if ((rc = cli_output_open(c, path, &o)))
        return rc;
    utfall_error err;
    utfall_error_clear(&err);
    utfall_status st = utfall_chart_write(chart, o.fp, &c->chart_out, &err);
    rc = cli_output_close(c, &o, st == UTFALL_OK);
    if (st)
        return cli_report(c, &err);
    return rc;
}

void cli_take_inputs(cli *c, int argc, char **argv, int optind_)
{
    static char *stdin_only[] = {"-"};
    if (optind_ >= argc) {
        c->inputs = stdin_only;
        c->ninputs = 1;
    } else {
        c->inputs = argv + optind_;
        c->ninputs = (size_t)(argc - optind_);
    }
}

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (!strcmp(a, "-") || !strcmp(b, "-"))
        return 0;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev
           && sa.st_ino == sb.st_ino;
}

int cli_check_output_path(cli *c, const char *path)
{
    for (size_t i = 0; path && i < c->ninputs; i++)
        if (same_file(path, c->inputs[i])) {
            cli_say(c, "%s: refusing to write over an input file", path);
            return UTFALL_ERR_USAGE;
        }
    for (size_t i = 0; path && i < c->nother_inputs; i++)
        if (same_file(path, c->other_inputs[i])) {
            cli_say(c, "%s: refusing to write over an input file", path);
            return UTFALL_ERR_USAGE;
        }
    return 0;
}

int cli_add_spells(cli *c, const char *path)
{
    if (c->nspells == sizeof c->spells / sizeof c->spells[0]
        || c->nother_inputs == sizeof c->other_inputs / sizeof c->other_inputs[0])
        return cli_usage_error(c, "too many --spells files (at most %zu)",
                               sizeof c->spells / sizeof c->spells[0]);
    c->spells[c->nspells++] = path;
    c->other_inputs[c->nother_inputs++] = path;
    return 0;
}

int cli_apply_map_labels(cli *c, const char *path)
{
    utfall_error err;
    utfall_error_clear(&err);
    utfall_value_map *m = NULL;
    utfall_status st = utfall_value_map_read(&m, path, UTFALL_VALUES_OUTCOME, "status map", &err);
    if (!st)
        st = utfall_value_map_apply_labels(m, &err);
    utfall_value_map_free(m);
    return st ? cli_report(c, &err) : 0;
}

int cli_open_extract(cli *c, utfall_extract **x)
{
    utfall_error err;
    utfall_error_clear(&err);
    int rc;
    if (c->chart_path && !c->chart_fn) {
        cli_say(c, "--chart: this command has no standard figure");
        return UTFALL_ERR_USAGE;
    }
    if ((rc = cli_check_output_path(c, c->output)) || (rc = cli_check_output_path(c, c->rejects_path))
        || (rc = cli_check_output_path(c, c->chart_path)))
        return rc;
    if (c->rejects_path) {
        if ((rc = cli_output_open(c, c->rejects_path, &c->rejects_out)) != 0)
            return rc;
        c->rejects_open = 1;
        c->xopt.rejects = c->rejects_out.fp;
    }
    utfall_status st = utfall_extract_open(x, (const char *const *)c->inputs, c->ninputs,
                                           &c->xopt, &err);
    if (!st && (st = utfall_extract_apply_labels(*x, &err)) != UTFALL_OK) {
        utfall_extract_close(*x);
        *x = NULL;
    }
    if (st)
        return cli_report(c, &err);
    return 0;
}

void cli_add_meta(cli *c, utfall_doc *doc, const utfall_extract *x)
{
    utfall_extract_stats st;
    utfall_extract_get_stats(x, &st);
    utfall_table *m = utfall_table_new("meta", UTFALL_TABLE_OBJECT);
    if (!m)
        return;
    int c_read = utfall_table_add_column(m, "rows_read", NULL, UTFALL_COL_COUNT, 0);
    int c_used = utfall_table_add_column(m, "rows_used", NULL, UTFALL_COL_COUNT, 0);
    int c_rej = utfall_table_add_column(m, "rows_rejected", NULL, UTFALL_COL_COUNT, 0);
    int c_warn = utfall_table_add_column(m, "warnings", NULL, UTFALL_COL_COUNT, 0);
    int c_files = utfall_table_add_column(m, "files", NULL, UTFALL_COL_TEXT, 0);
    int r = utfall_table_add_row(m, UTFALL_ROW_GROUP);
    utfall_table_set_num(m, r, c_read, (double)st.rows_read);
    utfall_table_set_num(m, r, c_used, (double)st.rows_used);
    utfall_table_set_num(m, r, c_rej, (double)st.rows_rejected);
    utfall_table_set_num(m, r, c_warn, (double)st.warnings);
    char files[1024] = "";
    size_t n = 0;
    for (size_t i = 0; i < c->ninputs && n < sizeof files; i++)
        n += (size_t)snprintf(files + n, sizeof files - n, "%s%s", i ? "," : "",
                              strcmp(c->inputs[i], "-") ? c->inputs[i] : "stdin");
    utfall_table_set_text(m, r, c_files, files);
    utfall_table_set_machine_only(m);
    /* Bookkeeping is no count of people, but the rows used are every
     * episode: a cell like the enrolled total, protected with it (rows
     * used 12 beside an exited n of 10 gives 2 active). */
    utfall_table_column_not_suppressible(m, c_read);
    utfall_table_column_not_suppressible(m, c_rej);
    utfall_table_column_not_suppressible(m, c_warn);
    utfall_doc_add(doc, m);
}

void cli_add_meta_note(cli *c, utfall_doc *doc)
{
    /* People see the same bookkeeping under the main table, as protected:
     * rows read less rejected would give the rows used */
    utfall_table *main_table = utfall_doc_table(doc, "rows");
    utfall_table *m = utfall_doc_table(doc, "meta");
    if (!main_table || !m)
        return;
    char a[64], b[64], d[64], note[512];
    int c_used = utfall_table_column_index(m, "rows_used");
    int hidden = utfall_table_is_suppressed(m, 0, c_used);
    utfall_table_format_cell(m, 0, utfall_table_column_index(m, "rows_read"), c->lang, a, sizeof a);
    utfall_table_format_cell(m, 0, c_used, c->lang, b, sizeof b);
    utfall_table_format_cell(m, 0, utfall_table_column_index(m, "rows_rejected"), c->lang, d,
                             sizeof d);
    if (hidden) {
        utfall_table_set_suppressed(m, 0, utfall_table_column_index(m, "rows_read"));
        snprintf(a, sizeof a, "%s", utfall_tr(c->lang, "suppressed_mark"));
    }
    snprintf(note, sizeof note, utfall_tr(c->lang, "note.rows"), a, b, d);
    utfall_table_add_note(main_table, note);
}

int cli_output_open(cli *c, const char *path, cli_output *o)
{
    memset(o, 0, sizeof *o);
    o->path = path;
    if (!path || !strcmp(path, "-")) {
        o->fp = stdout;
        return 0;
    }
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        /* a device or a named pipe cannot be replaced by a rename: write to it */
        o->fp = fopen(path, "w");
        if (!o->fp) {
            cli_say(c, "%s: cannot write: %s", path, cli_strerror(c, errno));
            return UTFALL_ERR_IO;
        }
        o->direct = 1;
        return 0;
    }
    size_t n = strlen(path) + 16;
    o->tmp = malloc(n);
    if (!o->tmp)
        return UTFALL_ERR_NOMEM;
    snprintf(o->tmp, n, "%s.tmpXXXXXX", path);
    int fd = mkstemp(o->tmp);
    o->fp = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!o->fp) {
        cli_say(c, "%s: cannot write: %s", path, cli_strerror(c, errno));
        if (fd >= 0) {
            close(fd);
            unlink(o->tmp);
        }
        free(o->tmp);
        o->tmp = NULL;
        return UTFALL_ERR_IO;
    }
    fchmod(fd, 0644);
    return 0;
}

int cli_output_close(cli *c, cli_output *o, int ok)
{
    if (o->direct) {
        int failed = fclose(o->fp) != 0;
        o->fp = NULL;
        if (failed && ok) {
            cli_say(c, "%s: cannot write: %s", o->path, cli_strerror(c, errno));
            return UTFALL_ERR_IO;
        }
        return 0;
    }
    if (!o->tmp) {
        if (fflush(stdout) != 0 && errno != EPIPE) {
            cli_say(c, "cannot write to standard output: %s", cli_strerror(c, errno));
            return UTFALL_ERR_IO;
        }
        return 0;
    }
    int failed = fclose(o->fp) != 0;
    int rc = 0;
    if (!ok) {
        unlink(o->tmp);
    } else if (failed || rename(o->tmp, o->path) != 0) {
        cli_say(c, "%s: cannot write: %s", o->path, cli_strerror(c, errno));
        unlink(o->tmp);
        rc = UTFALL_ERR_IO;
    }
    free(o->tmp);
    o->tmp = NULL;
    return rc;
}

/* XLSX is written by path: into the atomic temporary file, or, for
 * standard output or a device, into a temporary file that is then copied. */
static int write_xlsx(cli *c, const utfall_doc *doc, cli_output *o, utfall_error *err)
{
    if (o->tmp)
        return utfall_doc_write_xlsx(doc, o->tmp, c->lang, err) ? -1 : 0;
    const char *dir = getenv("TMPDIR");
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s/utfall-xlsx-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_WRITE_ERROR, "cannot create a temporary file: %s",
                         cli_strerror(c, errno));
        return -1;
    }
    close(fd);
    int rc = 0;
    if (utfall_doc_write_xlsx(doc, tmp, c->lang, err)) {
        rc = -1;
    } else {
        FILE *in = fopen(tmp, "rb");
        char buf[65536];
        size_t n;
        if (!in) {
            utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_WRITE_ERROR, "%s: %s", tmp, cli_strerror(c, errno));
            rc = -1;
        }
        while (!rc && (n = fread(buf, 1, sizeof buf, in)) > 0)
            if (fwrite(buf, 1, n, o->fp) != n) {
                utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_WRITE_ERROR, "cannot write output: %s",
                                 cli_strerror(c, errno));
                rc = -1;
            }
        if (in)
            fclose(in);
        if (!rc && fflush(o->fp) != 0) {
            utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_WRITE_ERROR, "cannot write output: %s",
                             cli_strerror(c, errno));
            rc = -1;
        }
    }
    unlink(tmp);
    return rc;
}

/* Written through a temporary file, so that a failed run never leaves
 * half a file or clobbers an old one. */
int cli_write(cli *c, const utfall_doc *doc)
{
    utfall_error err;
    utfall_error_clear(&err);
    int to_stdout = !c->output || !strcmp(c->output, "-");
    if (!to_stdout && !c->format_given) {
        const char *dot = strrchr(c->output, '.');
        utfall_format f;
        c->format = dot && !utfall_format_parse(dot + 1, &f) ? f : UTFALL_FMT_TSV;
    }
    if (c->format == UTFALL_FMT_XLSX && to_stdout && isatty(STDOUT_FILENO))
        return cli_usage_error(c, "XLSX is not written to a terminal: give -o FILE.xlsx or "
                                  "redirect standard output");
    cli_output o;
    int rc = cli_output_open(c, c->output, &o);
    if (rc)
        return rc;
    utfall_status st;
    if (c->format == UTFALL_FMT_XLSX)
        st = write_xlsx(c, doc, &o, &err) ? (err.status ? err.status : UTFALL_ERR_IO) : UTFALL_OK;
    else
        st = utfall_doc_write(doc, o.fp, c->format, c->lang, c->section, &err);
    if (st && !o.tmp && errno == EPIPE)
        return 0; /* a closed pipe (| head) ends quietly */
    rc = cli_output_close(c, &o, st == UTFALL_OK);
    if (st) {
        if (!err.file[0])
            utfall_error_locate(&err, o.path && strcmp(o.path, "-") ? o.path : "standard output",
                                0, 0, NULL);
        return cli_report(c, &err);
    }
    return rc;
}

int cli_protect(cli *c, utfall_doc *doc)
{
    utfall_error err;
    utfall_error_clear(&err);
    int rc = 0;
    if (c->suppress >= 2 || c->audit_path) {
        utfall_protect_options po = {c->suppress, c->lang, c->audit_path != NULL};
        if (utfall_doc_protect(doc, &po, &err))
            return cli_report(c, &err);
    }
    if (c->audit_path && !(rc = cli_check_output_path(c, c->audit_path)))
        rc = cli_write_audit(c, doc);
    return rc;
}

int cli_write_audit(cli *c, const utfall_doc *doc)
{
    utfall_error err;
    utfall_error_clear(&err);
    cli_output o;
    int rc = cli_output_open(c, c->audit_path, &o);
    if (rc)
        return rc;
    utfall_status st = utfall_doc_write_audit(doc, o.fp, &err);
    rc = cli_output_close(c, &o, st == UTFALL_OK);
    if (st) {
        utfall_error_locate(&err, c->audit_path, 0, 0, NULL);
        return cli_report(c, &err);
    }
    return rc;
}

/* The long option whose value is val, or NULL. */
static const struct option *option_of(const cli *c, int val)
{
    for (const struct option *o = c->longopts; o && o->name; o++)
        if (o->val == val && !o->flag)
            return o;
    return NULL;
}

/* What getopt found wrong with the argument, in words. */
static void say_bad_option(cli *c)
{
    char name[128];
    const char *arg = c->bad_arg ? c->bad_arg : "";
    snprintf(name, sizeof name, "%.*s", (int)strcspn(arg, "="), arg);
    const struct option *o = c->bad_optopt ? option_of(c, c->bad_optopt) : NULL;
    if (c->bad_opt == ':') {
        if (o)
            snprintf(name, sizeof name, "--%s", o->name);
        else
            snprintf(name, sizeof name, "-%c", c->bad_optopt);
        cli_say(c, "option '%s' needs a value", name);
    } else if (c->bad_optopt && o && name[0] == '-' && name[1] == '-') {
        cli_say(c, "option '--%s' takes no value", o->name);
    } else if (c->bad_optopt && !(name[0] == '-' && name[1] == '-')) {
        cli_say(c, "unknown option '-%c'", c->bad_optopt);
    } else {
        size_t n = strlen(name + 2), matches = 0;
        for (const struct option *q = c->longopts; q && q->name; q++)
            matches += !strncmp(q->name, name + 2, n);
        if (matches > 1)
            cli_say(c, "option '%s' is the beginning of several options: write it out", name);
        else
            cli_say(c, "unknown option '%s'", name);
    }
}

int cli_bad_option(cli *c)
{
    if (c->bad_opt)
        say_bad_option(c);
    try_help(c);
    return UTFALL_ERR_USAGE;
}

int cli_finish(cli *c, int rc)
{
    if (c->warnings_shown > 50)
        cli_say(c, "%ld more warnings not shown", c->warnings_shown - 50);
    if (c->rejects_open) {
        /* The rejected rows are worth keeping after a data error too, but
         * never after a privacy refusal or a failure to read or write. */
        int keep = rc == 0 || rc == UTFALL_ERR_DATA;
        int wrc = cli_output_close(c, &c->rejects_out, keep);
        c->rejects_open = 0;
        if (wrc && !rc)
            rc = wrc;
    }
    return rc;
}

void cli_report_rows(cli *c, const utfall_extract *x)
{
    utfall_extract_stats s;
    utfall_extract_get_stats(x, &s);
    cli_say(c, "%ld rows read = %ld used + %ld rejected; %ld warnings",
            s.rows_read, s.rows_used, s.rows_rejected, s.warnings);
}

/* The command's figure, drawn from the same (suppressed) document as the
 * table, so the chart never shows what the table hides. */
static int cli_draw(cli *c, utfall_doc *doc, void *ctx)
{
    utfall_error err;
    utfall_error_clear(&err);
    utfall_chart *chart = utfall_chart_new(c->lang);
    if (!chart) {
        cli_say(c, "out of memory");
        return UTFALL_ERR_NOMEM;
    }
    utfall_status st = c->chart_fn(c, doc, ctx, chart, &err);
    int rc = st ? cli_report(c, &err) : cli_chart_write(c, chart, c->chart_path);
    utfall_chart_free(chart);
    utfall_chart_release_fonts();
    return rc;
}

int cli_run(cli *c, int argc, char **argv, int optind_, cli_compute_fn compute, void *ctx)
{
    cli_take_inputs(c, argc, argv, optind_);
    utfall_extract *x;
    int rc = cli_open_extract(c, &x);
    if (rc)
        return cli_finish(c, rc);
    utfall_error err;
    utfall_error_clear(&err);
    utfall_doc *doc = utfall_doc_new();
    utfall_status st = doc ? compute(x, ctx, doc, &err)
                           : utfall_error_set(&err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    if (st) {
        rc = cli_report(c, &err);
        cli_report_rows(c, x);
    } else {
        cli_add_meta(c, doc, x);
        if (!(rc = cli_protect(c, doc)))
            cli_add_meta_note(c, doc);
    }
    if (!st && !rc) {
        rc = cli_write(c, doc);
        if (!rc && c->chart_path)
            rc = cli_draw(c, doc, ctx);
    }
    utfall_doc_free(doc);
    utfall_extract_close(x);
    return cli_finish(c, rc);
}

double cli_level_option(cli *c, const char *arg)
{
    double level;
    if (cli_parse_share(arg, &level) || level <= 0 || level >= 1)
        exit(cli_usage_error(c, "--level takes a confidence level such as 0.95, not '%s'", arg));
    return level;
}

int cli_base_option(cli *c, const char *arg, int allow_number, long *number)
{
    if (!strcmp(arg, "exited") || !strcmp(arg, "avslutade"))
        return 0;
    if (!strcmp(arg, "enrolled") || !strcmp(arg, "inskrivna"))
        return 1;
    char *end;
    long n = strtol(arg, &end, 10);
    if (!allow_number || *end || n <= 0 || end == arg)
        exit(cli_usage_error(c, allow_number ? "--base takes exited, enrolled or a planned "
                                               "number of participants, not '%s'"
                                             : "--base takes exited or enrolled, not '%s'",
                             arg));
    *number = n;
    return 2;
}
