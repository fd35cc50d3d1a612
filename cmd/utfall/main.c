/* utfall: runs `utfall-CMD` for `utfall CMD …`, as git does; Swedish
 * names of the commands (`utfall rapport`) and `utfall hjälp CMD` too. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The dispatcher only execs the programs: of the library it links only
 * the identity-number guard (a few small objects, no shared libraries),
 * so that it adds no shared objects to every start.  Its messages are in
 * the one catalogue all the same: the guard's objects carry its TEXT
 * entries (utfall_error_text_sv). */
#include "utfall/pnr.h"
#include "utfall_version.h"

static const struct {
    const char *name, *sv_name, *what;
} commands[] = {
    {"check", "kontroll", "validate an extract and profile it, without computing figures"},
    {"summary", "sammanfattning", "participants: enrolled, active, exited, splits, outcomes, time"},
    {"synth", "syntetisk", "write a synthetic extract (presets reproducing published figures)"},
    {"goal", "mål", "goal attainment: share reaching work or studies against a target"},
    {"split", "fördelning", "crosstab of outcomes by group, with chi-square and Fisher tests"},
    {"hours", "timmar", "change in weekly activity hours, with paired tests"},
    {"horizon", "uppföljning", "outcome N months after start per method, with censoring"},
    {"report", "rapport",
     "the results section of a slutrapport as a PDF, Markdown (for Word) or XLSX"},
    {"pseudonymize", "pseudonymisera", "replace personal identity numbers by keyed pseudonyms"},
    {"chart", "diagram", "draw a TSV (another command's output) as a PDF, PNG or SVG chart"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* More Swedish spellings of the commands: without å, ä, ö, and verbs. */
static const struct {
    const char *alias, *name;
} aliases[] = {{"mal", "goal"},           {"maluppfyllelse", "goal"},
               {"måluppfyllelse", "goal"}, {"kontrollera", "check"},
               {"fordelning", "split"},    {"uppfoljning", "horizon"},
               {"pseudonymisering", "pseudonymize"}, {"sammanfatta", "summary"}};

static int swedish;

/* A message of the catalogue in the run's language. */
static const char *say(const char *en)
{
    const char *sv = swedish ? utfall_error_text_sv(UTFALL_EC_NONE, en) : NULL;
    return sv ? sv : en;
}

static void usage(FILE *out)
{
    fputs(say("Usage: utfall COMMAND [OPTION]... [FILE]...\n"
              "Figures for the final report of a labour-market rehabilitation project.\n\n"
              "Commands (each also runs as utfall-COMMAND; see utfall-COMMAND(1)):\n"),
          out);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const char *name = swedish ? commands[i].sv_name : commands[i].name;
        /* %-15s counts bytes: pad by characters */
        size_t chars = 0;
        for (const char *p = name; *p; p++)
            chars += ((unsigned char)*p & 0xC0) != 0x80;
        fprintf(out, "  %s%*s %s\n", name, (int)(15 - chars), "", say(commands[i].what));
    }
    fputs(say("\nIn Swedish too: utfall rapport, sammanfattning, kontroll, mål, fördelning,\n"
              "timmar, uppföljning, pseudonymisera, diagram, syntetisk; utfall hjälp COMMAND\n"
              "is utfall COMMAND --help.\n"
              "\n  -h, --help      this help\n  -V, --version   version\n"
              "      --lang sv|en  language (default from LANG)\n\n"
              "Exit status: 0 ok, 1 data error, 2 usage error, 3 personal identity\n"
              "number found, 4 input/output error, 127 unknown command.  See utfall(1).\n"),
          out);
}

/* The language: --lang anywhere, else LC_ALL, LC_MESSAGES, LANG. */
static void choose_language(int argc, char **argv)
{
    static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < 3; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v) {
            swedish = !strncasecmp(v, "sv", 2);
            break;
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *v = !strncmp(argv[i], "--lang=", 7)                  ? argv[i] + 7
                        : !strcmp(argv[i], "--lang") && i + 1 < argc ? argv[i + 1]
                                                                         : NULL;
        if (v)
            swedish = !strncasecmp(v, "sv", 2);
    }
}

/* The program a name stands for: an English name, a Swedish one or an
 * alias; NULL for none. */
static const char *command_of(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(name, commands[i].name) || !strcmp(name, commands[i].sv_name))
            return commands[i].name;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcmp(name, aliases[i].alias))
            return aliases[i].name;
    return NULL;
}

/* Single-byte edits from a to b (at most 3 counted). */
static int distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 30 || lb > 30)
        return 3;
    int d[31][31];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            best = d[i - 1][j] + 1 < best ? d[i - 1][j] + 1 : best;
            d[i][j] = d[i][j - 1] + 1 < best ? d[i][j - 1] + 1 : best;
        }
    return d[la][lb];
}

/* The command a mistyped name most likely means, or NULL. */
static const char *closest(const char *name)
{
    const char *best = NULL;
    int bestd = 3;
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const char *names[2] = {commands[i].name, commands[i].sv_name};
        for (int k = 0; k < 2; k++) {
            int d = distance(name, names[k]);
            if (d < bestd) {
                bestd = d;
                best = names[k];
            }
        }
    }
    return best;
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

/* The command name is echoed in messages: guarded first, like every
 * argument the command itself will see.  0, or the exit status. */
static int guard_name(const char *cmd)
{
    utfall_error err;
    utfall_error_clear(&err);
    utfall_guard_site site = {"command line", NULL, 0, NULL, "argument 1"};
    if (!utfall_guard(cmd, strlen(cmd), &site, &err))
        return 0;
    char msg[2 * UTFALL_ERROR_TEXT_MAX];
    utfall_error_format_lang(&err, swedish, msg, sizeof msg);
    fprintf(stderr, "utfall: %s\n", msg);
    return err.status;
}

static int unknown(const char *cmd)
{
    fprintf(stderr, "utfall: ");
    fprintf(stderr, say("'%s' is not a utfall command."), cmd);
    const char *near = closest(cmd);
    if (near) {
        fputc(' ', stderr);
        fprintf(stderr, say("Did you mean 'utfall %s'?"), near);
    }
    fputc(' ', stderr);
    fputs(say("See 'utfall --help'."), stderr);
    fputc('\n', stderr);
    return 127;
}

/* Run utfall-CMD with argv (argv[0] its name). */
static int run(const char *cmd, char **argv)
{
    char prog[256];
    snprintf(prog, sizeof prog, "utfall-%s", cmd);
    argv[0] = prog;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            try_exec(self, cmd, argv);
        }
    }
    execvp(prog, argv);
    if (errno == ENOENT)
        return unknown(cmd);
    fprintf(stderr, "utfall: ");
    fprintf(stderr, say("cannot run %s: %s"), prog, say(strerror(errno)));
    fputc('\n', stderr);
    return 126;
}

int main(int argc, char **argv)
{
    choose_language(argc, argv);
    int first = 1; /* the command: after a leading --lang X */
    while (first < argc && !strncmp(argv[first], "--lang", 6))
        first += strchr(argv[first], '=') ? 1 : 2;
    if (first >= argc) {
        usage(stderr);
        return 2;
    }
    const char *arg = argv[first];
    if (!strcmp(arg, "-h") || !strcmp(arg, "--help")
        || ((!strcmp(arg, "help") || !strcmp(arg, "hjälp") || !strcmp(arg, "hjalp"))
            && first + 1 >= argc)) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(arg, "-V") || !strcmp(arg, "--version")) {
        printf("utfall %s\n", UTFALL_VERSION);
        return 0;
    }
    int rc = guard_name(arg);
    if (rc)
        return rc;
    if (!strcmp(arg, "help") || !strcmp(arg, "hjälp") || !strcmp(arg, "hjalp")) {
        /* utfall hjälp rapport = utfall rapport --help */
        if ((rc = guard_name(argv[first + 1])))
            return rc;
        const char *cmd = command_of(argv[first + 1]);
        if (!cmd)
            return unknown(argv[first + 1]);
        char help[] = "--help";
        char *args[] = {NULL, help, NULL};
        return run(cmd, args);
    }
    if (arg[0] == '-' || strchr(arg, '/')) {
        fprintf(stderr, "utfall: ");
        fprintf(stderr, say("unknown option '%s'"), arg);
        fputc('\n', stderr);
        fputs(say("See 'utfall --help'."), stderr);
        fputc('\n', stderr);
        return 2;
    }
    const char *cmd = command_of(arg);
    /* a --lang before the command goes to it too: utfall --lang sv rapport … */
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return 5;
    int n = 1;
    for (int i = 1; i < first; i++)
        args[n++] = argv[i];
    for (int i = first + 1; i < argc; i++)
        args[n++] = argv[i];
    rc = run(cmd ? cmd : arg, args);
    free(args);
    return rc;
}
