/* utfall-check: validate an extract and profile it. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "utfall/check.h"


enum { OPT_STRICT = OPT_FIRST_COMMAND_OPTION };

int main(int argc, char **argv)
{
    cli c;
    cli_init(&c, "utfall-check", "help.check");
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
