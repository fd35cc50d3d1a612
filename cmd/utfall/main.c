/* utfall: runs `utfall-CMD` for `utfall CMD …`, as git does. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The dispatcher only execs the programs: of the library it links only
 * the identity-number guard (three small objects, no shared libraries),
 * so that it adds no shared objects to every start. */
#include "utfall/pnr.h"
#include "utfall_version.h"

static const struct {
    const char *name, *what;
} commands[] = {
    {"check", "validate an extract and profile it, without computing figures"},
    {"summary", "participants: enrolled, active, exited, splits, outcomes, time"},
    {"synth", "write a synthetic extract (presets reproducing published figures)"},
    {"goal", "goal attainment: share reaching work or studies against a target"},
    {"split", "crosstab of outcomes by group, with chi-square and Fisher tests"},
    {"hours", "change in weekly activity hours, with paired tests"},
    {"horizon", "outcome N months after start per method, with censoring"},
    {"report", "the results section of a slutrapport as a PDF, Markdown (for Word) or XLSX"},
    {"pseudonymize", "replace personal identity numbers by keyed pseudonyms"},
    {"chart", "draw a TSV (another command's output) as a PDF, PNG or SVG chart"},
};

static void usage(FILE *out)
{
    fputs("Usage: utfall COMMAND [OPTION]... [FILE]...\n"
          "Figures for the final report of a labour-market rehabilitation project.\n\n"
          "Commands (each also runs as utfall-COMMAND; see utfall-COMMAND(1)):\n",
          out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        fprintf(out, "  %-13s %s\n", commands[i].name, commands[i].what);
    }
    fputs("\n  -h, --help      this help\n  -V, --version   version\n\n"
          "Exit status: 0 ok, 1 data error, 2 usage error, 3 personal identity\n"
          "number found, 4 input/output error, 127 unknown command.  See utfall(1).\n",
          out);
}

/* Try dir/utfall-CMD and, in a build tree, dir/../CMD/utfall-CMD. */
static void try_exec(const char *dir, const char *cmd, char **argv)
{
    char path[PATH_MAX + 600];
    if (snprintf(path, sizeof path, "%s/utfall-%.200s", dir, cmd) < (int)sizeof path
        && access(path, X_OK) == 0)
        execv(path, argv);
    if (snprintf(path, sizeof path, "%s/../%.200s/utfall-%.200s", dir, cmd, cmd) < (int)sizeof path
        && access(path, X_OK) == 0)
        execv(path, argv);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
        printf("utfall %s\n", UTFALL_VERSION);
        return 0;
    }
    const char *cmd = argv[1];
    /* the command name is echoed below: guarded first, like every
     * argument the command itself will see */
    utfall_error err;
    utfall_error_clear(&err);
    utfall_guard_site site = {"command line", NULL, 0, NULL, "argument 1"};
    if (utfall_guard(cmd, strlen(cmd), &site, &err)) {
        char msg[2 * UTFALL_ERROR_TEXT_MAX];
        utfall_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "utfall: %s\n", msg);
        return err.status;
    }
    if (cmd[0] == '-' || strchr(cmd, '/')) {
        fprintf(stderr, "utfall: unknown option '%s'\nTry 'utfall --help'.\n", cmd);
        return 2;
    }
    char prog[256];
    snprintf(prog, sizeof prog, "utfall-%s", cmd);
    argv[1] = prog;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            try_exec(self, cmd, argv + 1);
        }
    }
    execvp(prog, argv + 1);
    if (errno == ENOENT) {
        fprintf(stderr, "utfall: '%s' is not a utfall command. See 'utfall --help'.\n", cmd);
        return 127;
    }
    fprintf(stderr, "utfall: cannot run %s: %s\n", prog, strerror(errno));
    return 126;
}
