/* utfall-check: validate an extract and profile it. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "utfall/check.h"

static const char usage[] =
    "Usage: utfall check [OPTION]... [FILE]...\n"
    "Validate extracts without computing figures: every problem is reported with\n"
    "its file, line and column, then a profile (rows, persons, columns recognised,\n"
    "missing values, date range, distinct values).  FILE '-' or none reads stdin.\n"
    "\n"
    "      --strict           warnings count as problems too (exit 1)\n"
    "  -f, --format FMT       table, tsv, csv, json, md, xlsx\n"
    "  -o, --output FILE      write the profile to FILE\n"
    "      --section NAME     with tsv/csv: rows, columns or values\n"
    "      --lang sv|en       language of human output\n"
    "  -d, --delimiter C      input delimiter , ; | or tab (default: detect)\n"
    "      --encoding ENC     auto, utf-8 or windows-1252\n"
    "      --map FIELD=HEADER use the column HEADER as canonical FIELD\n"
    "      --outcome-map FILE exit outcomes as written: their class and own label\n"
    "      --income-map FILE  income sources as written: their class and own label\n"
    "      --date-format F    iso, dmy, mdy or excel (default: from each column's\n"
    "                         values); FIELD=F for one column\n"
    "      --rejects FILE     write the rows with errors to FILE\n"
    "      --max-rejected P   warn when more than P of the rows are rejected (5%)\n"
    "      --shared-ids       several files: an id is the same person in each\n"
    "      --age-range A-B    warn about ages at enrolment outside A-B (16-30)\n"
    "  -q, --quiet            do not print warnings\n"
    "  -h, --help, -V, --version\n"
    "\n"
    "Exit status: 0 no errors, 1 errors found (or warnings with --strict),\n"
    "2 usage error, 3 personal identity number found, 4 input/output error.\n";

enum { OPT_STRICT = OPT_FIRST_COMMAND_OPTION };

int main(int argc, char **argv)
{
    cli c;
    cli_init(&c, "utfall-check", usage);
    /* the fields it uses: stderr names those without a column */
    c.xopt.wanted_fields = UTFALL_FIELD_BIT(UTFALL_F_KON) | UTFALL_FIELD_BIT(UTFALL_F_FODELSEAR) |
        UTFALL_FIELD_BIT(UTFALL_F_ENHET) | UTFALL_FIELD_BIT(UTFALL_F_INSATS) |
        UTFALL_FIELD_BIT(UTFALL_F_AVSLUTAD) | UTFALL_FIELD_BIT(UTFALL_F_AVSLUTSORSAK) |
        UTFALL_FIELD_BIT(UTFALL_F_TIMMAR_FORE) | UTFALL_FIELD_BIT(UTFALL_F_TIMMAR_EFTER) |
        UTFALL_FIELD_BIT(UTFALL_F_FORSORJNING_FORE) | UTFALL_FIELD_BIT(UTFALL_F_FORSORJNING_EFTER);
    int strict = 0;
    static const struct option longopts[] = {CLI_COMMON_LONG_OPTIONS,
                                             {"strict", no_argument, NULL, OPT_STRICT},
                                             {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = cli_getopt(&c, argc, argv, CLI_COMMON_SHORT, longopts)) != -1) {
        if (cli_common_option(&c, opt, optarg))
            continue;
        if (opt == OPT_STRICT)
            strict = 1;
        else
            return cli_bad_option(&c);
    }
    /* check looks at every row: errors are reported and counted, not fatal */
    c.xopt.skip_bad = 1;
    c.xopt.detect_duplicates = 1;
    cli_take_inputs(&c, argc, argv, optind);
    utfall_extract *x;
    int rc = cli_open_extract(&c, &x);
    if (rc)
        return cli_finish(&c, rc);
    utfall_doc *doc = utfall_doc_new();
    utfall_error err;
    utfall_error_clear(&err);
    utfall_status st = doc ? utfall_check_compute(x, c.lang, doc, &err)
                           : utfall_error_set(&err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    if (st) {
        rc = cli_report(&c, &err);
        cli_report_rows(&c, x);
    } else {
        rc = cli_write(&c, doc);
        utfall_extract_stats s;
        utfall_extract_get_stats(x, &s);
        cli_report_rows(&c, x);
        if (!rc && (s.rows_rejected > 0 || (strict && s.warnings > 0)))
            rc = UTFALL_ERR_DATA;
    }
    utfall_doc_free(doc);
    utfall_extract_close(x);
    return cli_finish(&c, rc);
}
