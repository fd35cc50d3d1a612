/* utfall-synth: deterministic synthetic extracts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "utfall/synth.h"


enum { OPT_SPELLS_OUTPUT = OPT_FIRST_COMMAND_OPTION };

int main(int argc, char **argv)
{
    cli c;
    cli_init(&c, "utfall-synth", "help.synth");
    utfall_synth_options so;
    utfall_synth_options_init(&so);
    const char *spells_path = NULL;
    int rows_given = 0, preset_given = 0;
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"output", required_argument, NULL, 'o'},
        {"preset", required_argument, NULL, 'p'},
        {"rows", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},
        {"spells-output", required_argument, NULL, OPT_SPELLS_OUTPUT},
        {"lang", required_argument, NULL, OPT_LANG},
        {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = cli_getopt(&c, argc, argv, "hVo:p:n:s:", longopts)) != -1) {
        char *end;
        switch (opt) {
        case 'h':
        case 'V':
        case 'o':
        case OPT_LANG:
            cli_common_option(&c, opt, optarg);
            break;
        case 'p':
            if (utfall_synth_preset_parse(optarg, &so.preset))
                return cli_usage_error(&c, "unknown preset '%s' (accepted: ama, uma-ludvika, "
                                           "fk2017)", optarg);
            preset_given = 1;
            break;
        case 'n':
            errno = 0;
            so.rows = strtoll(optarg, &end, 10);
            if (errno || *end || end == optarg || so.rows < 1 || so.rows > UTFALL_SYNTH_MAX_ROWS)
                return cli_usage_error(&c, "--rows takes a whole number from 1 to %lld, not '%s'",
                                       UTFALL_SYNTH_MAX_ROWS, optarg);
            rows_given = 1;
            break;
        case 's':
            errno = 0;
            so.seed = strtoull(optarg, &end, 10);
            if (errno || *end || end == optarg || optarg[0] == '-')
                return cli_usage_error(&c, "--seed takes a whole number from 0 to "
                                           "18446744073709551615, not '%s'", optarg);
            break;
        case OPT_SPELLS_OUTPUT:
            spells_path = optarg;
            break;
        default:
            return cli_bad_option(&c);
        }
    }
    if (optind < argc)
        return cli_usage_error(&c, "unexpected argument '%s' (synth reads no input)", argv[optind]);
    if (preset_given && rows_given)
        return cli_usage_error(&c, "--rows is for the generic extract; preset %s has a fixed size",
                               utfall_synth_preset_name(so.preset));
    int has_spells = utfall_synth_preset_has_spells(so.preset);
    if (has_spells && !spells_path)
        return cli_usage_error(&c, "preset %s also writes spells: give --spells-output FILE",
                               utfall_synth_preset_name(so.preset));
    if (!has_spells && spells_path)
        return cli_usage_error(&c, "--spells-output is only for a preset with spells (fk2017)");
    if (spells_path && (!strcmp(spells_path, "-")
                        || (c.output && strcmp(c.output, "-") && !strcmp(c.output, spells_path))))
        return cli_usage_error(&c, "--spells-output needs a file of its own");

    cli_output out, sp;
    int rc = cli_output_open(&c, c.output, &out);
    if (rc)
        return rc;
    memset(&sp, 0, sizeof sp);
    if (spells_path && (rc = cli_output_open(&c, spells_path, &sp))) {
        cli_output_close(&c, &out, 0);
        return rc;
    }
    utfall_error err;
    utfall_error_clear(&err);
    utfall_status st = utfall_synth_write(&so, out.fp, spells_path ? sp.fp : NULL, &err);
    if (spells_path)
        rc = cli_output_close(&c, &sp, st == UTFALL_OK);
    int rc2 = cli_output_close(&c, &out, st == UTFALL_OK && rc == 0);
    if (st)
        return cli_report(&c, &err);
    return rc ? rc : rc2;
}
