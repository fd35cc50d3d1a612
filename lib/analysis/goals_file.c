/* The goals file (utfall-goals(5)): blocks of `key: value` lines separated
 * by blank lines, `#` comment lines.  Strict on purpose: a goal that is
 * silently misread would be reported as met or not met on false grounds,
 * so every unknown key, bad value or missing key is an error with its line. */
#include "utfall/goals_file.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/extract.h"
#include "utfall/pnr.h"
#include "core/internal.h"

#define GOALS_MAX 64
#define GOALS_FILE_MAX (1L << 20)

enum goal_key {
    K_TITLE = 0,
    K_GOAL,
    K_ID,
    K_TYPE,
    K_OUTCOMES,
    K_TARGET_SHARE,
    K_TARGET_COUNT,
    K_TARGET_HOURS,
    K_BASE,
    K_MEASURE,
    K_LEAVES,
    K_GROUP,
    K_DATE,
    K_TARGET_DAYS,
    /* the project block: facts of the project page (utfall_project_fact order) */
    K_OWNER,
    K_FINANCIERS,
    K_REFERENCE,
    K_PERIOD,
    K_CONTACT,
    K_COUNT
};

/* Swedish key, English key (folded: lower case, å/ä → a, ö → o). */
static const char *const key_names[K_COUNT][2] = {
    {"titel", "title"},           {"mal", "goal"},
    {"id", "id"},                 {"typ", "type"},
    {"utfall", "outcomes"},       {"mal_andel", "target_share"},
    {"mal_antal", "target_count"}, {"mal_timmar", "target_hours"},
    {"bas", "base"},
    {"matt", "measure"},          {"lamnar", "leaves"},
    {"grupp", "group"},           {"datum", "date"},
    {"mal_dagar", "target_days"},
    {"projektagare", "owner"},    {"finansiarer", "financiers"},
    {"diarienummer", "reference"}, {"projektperiod", "project_period"},
    {"kontaktperson", "contact"},
};

#define ACCEPTED_KEYS                                                                    \
    "titel, projektagare, finansiarer, diarienummer, projektperiod, kontaktperson; mal, id, " \
    "typ, matt, utfall, lamnar, mal_andel, mal_antal, mal_timmar, mal_dagar, bas, grupp, "    \
    "datum (or title, owner, financiers, reference, project_period, contact; goal, id, "     \
    "type, measure, outcomes, leaves, target_share, target_count, target_hours, "           \
    "target_days, base, group, date)"

struct block {
    long first_line;
    long line[K_COUNT]; /* 0 = key not given */
    char *value[K_COUNT];
};

static void block_clear(struct block *b)
{
    for (int k = 0; k < K_COUNT; k++)
        free(b->value[k]);
    memset(b, 0, sizeof *b);
}

struct goals_parser {
    utfall_goals *g;
    const char *name; /* of the file, for errors */
    utfall_error *err;
    long lineno;
    struct block b; /* the block being read */
    long project_line; /* where the project block starts; 0 = none yet */
    int last_key;   /* the key a continuation line adds to, or -1 */
};

static utfall_status UTFALL_PRINTF(5, 6) fail(const struct goals_parser *p, long line,
                                              const char *column, utfall_error_code code,
                                              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    utfall_error_vset(p->err, UTFALL_ERR_DATA, code, fmt, ap);
    va_end(ap);
    utfall_error_locate(p->err, p->name, line, 0, column);
    return UTFALL_ERR_DATA;
}

static utfall_status nomem(utfall_error *err)
{
    return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* "35 %", "35%", "35", "0,35", "0.35" → 0.35 */
static int parse_share(const char *s, double *out)
{
    char buf[64];
    size_t n = strlen(s);
    int percent = 0;
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n + 1);
    if (buf[n - 1] == '%') {
        percent = 1;
        buf[--n] = '\0';
    }
    char *v = trim(buf);
    double x;
    if (utfall_number_parse(v, &x) || !isfinite(x))
        return -1;
    if (percent || x > 1)
        x /= 100.0;
    if (x <= 0 || x > 1)
        return -1;
    *out = x;
    return 0;
}

static int parse_count(const char *s, long *out)
{
    char buf[64];
    size_t n = 0;
    /* "1 000" and "1 000" (thin space) are how Swedes write thousands */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == ' ')
            continue;
        if (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xAF) {
            p += 2;
            continue;
        }
        if (p[0] == 0xC2 && p[1] == 0xA0) {
            p += 1;
            continue;
        }
        if (*p < '0' || *p > '9' || n + 1 >= sizeof buf)
            return -1;
        buf[n++] = (char)*p;
    }
    buf[n] = '\0';
    if (n == 0 || n > 9)
        return -1;
    long v = strtol(buf, NULL, 10);
    if (v <= 0)
        return -1;
    *out = v;
    return 0;
}

/* ---- a block: the project title, or one goal ------------------------- */

static int is_project_key(int k)
{
    return k == K_TITLE || (k >= K_OWNER && k <= K_CONTACT);
}

/* The project block: its title and the facts of its project page. */
static utfall_status take_project(struct goals_parser *p)
{
    struct block *b = &p->b;
    for (int k = 0; k < K_COUNT; k++)
        if (!is_project_key(k) && b->line[k])
            return fail(p, b->line[k], key_names[k][0], UTFALL_EC_GOALS_TITLE_BLOCK,
                        "the project's title and facts (titel, projektagare, ...) stand in a "
                        "block of its own, separated from the goals by a blank line");
    if (p->project_line)
        return fail(p, b->first_line, b->line[K_TITLE] ? "titel" : NULL,
                    UTFALL_EC_GOALS_DUPLICATE_TITLE,
                    "the project block (titel, projektagare, ...) is given twice (first on "
                    "line %ld)", p->project_line);
    p->project_line = b->first_line;
    p->g->title = b->value[K_TITLE];
    b->value[K_TITLE] = NULL;
    for (int k = K_OWNER; k <= K_CONTACT; k++) {
        p->g->facts[k - K_OWNER] = b->value[k];
        b->value[k] = NULL;
    }
    return UTFALL_OK;
}

/* typ, or what the targets given imply */
static utfall_status read_kind(const struct goals_parser *p, utfall_goal_spec *s)
{
    const struct block *b = &p->b;
    static const struct {
        const char *sv, *en;
        utfall_goal_kind kind;
    } kinds[] = {{"andel", "share", UTFALL_GOAL_SHARE},
                 {"antal", "count", UTFALL_GOAL_COUNT},
                 {"aktivitet", "activity", UTFALL_GOAL_ACTIVITY},
                 {"tid", "time", UTFALL_GOAL_DAYS}};
    if (b->line[K_TYPE]) {
        char f[64];
        utfall_fold(b->value[K_TYPE], f, sizeof f);
        size_t i = 0;
        while (i < 4 && strcmp(f, kinds[i].sv) && strcmp(f, kinds[i].en))
            i++;
        if (i == 4)
            return fail(p, b->line[K_TYPE], "typ", UTFALL_EC_GOALS_BAD_TYPE,
                        "unknown goal type '%s' (accepted: andel, antal, aktivitet, tid; or "
                        "share, count, activity, time)", b->value[K_TYPE]);
        s->kind = kinds[i].kind;
    } else if (b->line[K_TARGET_SHARE] && !b->line[K_TARGET_COUNT]) {
        s->kind = UTFALL_GOAL_SHARE;
    } else if (b->line[K_TARGET_COUNT] && !b->line[K_TARGET_SHARE]) {
        s->kind = UTFALL_GOAL_COUNT;
    } else if (b->line[K_TARGET_HOURS]) {
        s->kind = UTFALL_GOAL_ACTIVITY;
    } else if (b->line[K_TARGET_DAYS]) {
        s->kind = UTFALL_GOAL_DAYS;
    } else {
        return fail(p, b->first_line, "typ", UTFALL_EC_GOALS_MISSING_KEY,
                    "the goal has no 'typ:' (andel, antal, aktivitet or tid) and no single "
                    "target (mal_andel, mal_antal, mal_timmar or mal_dagar) to tell it by");
    }
    return UTFALL_OK;
}

static const char *const kind_name[4] = {"andel", "antal", "aktivitet", "tid"};

/* Keys a type does not take.  An aktivitet goal with mal_andel is a share
 * of participants whose hours increased ("... ska öka för minst hälften"). */
static utfall_status check_keys_for_kind(const struct goals_parser *p, const utfall_goal_spec *s)
{
    static const int not_for[4][8] = {
        {K_TARGET_COUNT, K_TARGET_HOURS, K_TARGET_DAYS, -1},
        {K_TARGET_SHARE, K_TARGET_HOURS, K_TARGET_DAYS, -1},
        {K_OUTCOMES, K_TARGET_COUNT, K_BASE, K_TARGET_DAYS, K_MEASURE, K_LEAVES, K_DATE, -1},
        {K_OUTCOMES, K_TARGET_SHARE, K_TARGET_COUNT, K_TARGET_HOURS, K_BASE, K_MEASURE,
         K_LEAVES, -1},
    };
    for (int i = 0; not_for[s->kind][i] >= 0; i++) {
        int k = not_for[s->kind][i];
        if (p->b.line[k])
            return fail(p, p->b.line[k], key_names[k][0], UTFALL_EC_GOALS_KEY_NOT_FOR_TYPE,
                        "'%s' does not belong to a goal of type %s", key_names[k][0],
                        kind_name[s->kind]);
    }
    if (s->kind == UTFALL_GOAL_ACTIVITY && p->b.line[K_TARGET_SHARE] && p->b.line[K_TARGET_HOURS])
        return fail(p, p->b.line[K_TARGET_HOURS], "mal_timmar", UTFALL_EC_GOALS_KEY_NOT_FOR_TYPE,
                    "an aktivitet goal has mal_andel (a share whose hours increased) or "
                    "mal_timmar (the mean increase), not both");
    return UTFALL_OK;
}

/* matt (and lamnar, which implies matt: forsorjning) */
static utfall_status read_measure(const struct goals_parser *p, utfall_goal_spec *s)
{
    const struct block *b = &p->b;
    s->income_left = UTFALL_INCOME_AKTIVITETSERSATTNING;
    if (s->kind == UTFALL_GOAL_ACTIVITY && b->line[K_TARGET_SHARE]) {
        s->kind = UTFALL_GOAL_SHARE;
        s->measure = UTFALL_MEASURE_HOURS;
        return UTFALL_OK;
    }
    if (b->line[K_MEASURE]) {
        char f[64];
        utfall_fold(b->value[K_MEASURE], f, sizeof f);
        if (!strcmp(f, "avslutsorsak") || !strcmp(f, "outcome") || !strcmp(f, "outcomes"))
            s->measure = UTFALL_MEASURE_OUTCOMES;
        else if (!strcmp(f, "forsorjning") || !strcmp(f, "income"))
            s->measure = UTFALL_MEASURE_INCOME;
        else if (!strcmp(f, "timmar") || !strcmp(f, "hours"))
            s->measure = UTFALL_MEASURE_HOURS;
        else
            return fail(p, b->line[K_MEASURE], "matt", UTFALL_EC_GOALS_BAD_MEASURE,
                        "unknown measure '%s' (accepted: avslutsorsak, forsorjning, timmar; "
                        "or outcome, income, hours)", b->value[K_MEASURE]);
    } else if (b->line[K_LEAVES]) {
        s->measure = UTFALL_MEASURE_INCOME;
    }
    static const int not_with[3][3] = {{K_LEAVES, -1}, {K_OUTCOMES, -1}, {K_OUTCOMES, K_LEAVES, K_BASE}};
    static const char *const measure_name[3] = {"avslutsorsak", "forsorjning", "timmar"};
    for (int i = 0; i < 3 && not_with[s->measure][i] > 0; i++) {
        int k = not_with[s->measure][i];
        if (b->line[k])
            return fail(p, b->line[k], key_names[k][0], UTFALL_EC_GOALS_KEY_NOT_FOR_TYPE,
                        "'%s' does not belong to a goal measured by %s", key_names[k][0],
                        measure_name[s->measure]);
    }
    if (b->line[K_LEAVES] && utfall_income_parse(b->value[K_LEAVES], &s->income_left))
        return fail(p, b->line[K_LEAVES], "lamnar", UTFALL_EC_GOALS_BAD_INCOME,
                    "unknown income source '%s' (e.g. aktivitetsersattning, sjukersattning, "
                    "forsorjningsstod; see utfall-extract(5))", b->value[K_LEAVES]);
    return UTFALL_OK;
}

/* grupp: KEY=VALUE, a subgroup the goal is about; datum: the day it is
 * measured on. */
static utfall_status read_scope(const struct goals_parser *p, utfall_goal_spec *s)
{
    const struct block *b = &p->b;
    s->as_of = UTFALL_DATE_NONE;
    if (b->line[K_DATE] && utfall_date_parse(b->value[K_DATE], &s->as_of))
        return fail(p, b->line[K_DATE], "datum", UTFALL_EC_GOALS_BAD_DATE,
                    "'%s' is not a date (write 2014-06-30)", b->value[K_DATE]);
    if (!b->line[K_GROUP])
        return UTFALL_OK;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", b->value[K_GROUP]);
    char *eq = strchr(buf, '=');
    char *key = trim(buf), *value = eq ? trim(eq + 1) : NULL;
    if (eq)
        *eq = '\0';
    key = trim(key);
    if (!eq || !*key || !*value || strpbrk(value, ",;:{}") || strpbrk(key, ",;:{}= "))
        return fail(p, b->line[K_GROUP], "grupp", UTFALL_EC_GOALS_BAD_GROUP,
                    "'%s' is not a group (write kon=k, enhet=Malmö: a column, '=', one of its "
                    "values, without , ; : { })", b->value[K_GROUP]);
    utfall_kon k;
    if (!strcmp(key, "kon") && !utfall_kon_parse(value, &k) && k != UTFALL_KON_MISSING)
        value = (char *)utfall_kon_key(k); /* kvinna, Kvinnor → k */
    if (!(s->group_key = strdup(key)) || !(s->group_value = strdup(value)))
        return nomem(p->err);
    return UTFALL_OK;
}

static utfall_status read_id(const struct goals_parser *p, utfall_goal_spec *s)
{
    const struct block *b = &p->b;
    if (!b->line[K_ID]) {
        snprintf(s->id, sizeof s->id, "goal%zu", p->g->n + 1);
        return UTFALL_OK;
    }
    const char *v = b->value[K_ID];
    size_t n = strlen(v);
    if (n == 0 || n > UTFALL_GOAL_ID_MAX
        || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
        return fail(p, b->line[K_ID], "id", UTFALL_EC_GOALS_BAD_ID,
                    "'%s' is not a goal id (1 to 20 of a-z, 0-9 and _)", v);
    for (size_t i = 0; i < p->g->n; i++)
        if (!strcmp(p->g->goals[i].id, v))
            return fail(p, b->line[K_ID], "id", UTFALL_EC_GOALS_DUPLICATE_ID,
                        "the id '%s' is used by an earlier goal", v);
    memcpy(s->id, v, n + 1);
    return UTFALL_OK;
}

static utfall_status read_outcomes(const struct goals_parser *p, utfall_goal_spec *s)
{
    const struct block *b = &p->b;
    if (b->line[K_OUTCOMES]) {
        utfall_error e2;
        utfall_error_clear(&e2);
        if (utfall_outcome_set_parse(b->value[K_OUTCOMES], &s->success, &e2))
        {
            fail(p, b->line[K_OUTCOMES], "utfall", UTFALL_EC_GOALS_BAD_OUTCOMES, "%s", e2.text);
            utfall_error_adopt_text(p->err, &e2);
            return UTFALL_ERR_DATA;
        }
    } else if (s->kind == UTFALL_GOAL_SHARE && s->measure == UTFALL_MEASURE_OUTCOMES) {
        return fail(p, b->first_line, "utfall", UTFALL_EC_GOALS_MISSING_KEY,
                    "a goal of type andel needs 'utfall:', the outcomes that reach it (e.g. "
                    "arbete, studier), or 'matt:' (forsorjning, timmar)");
    }
    return UTFALL_OK;
}

/* mal_andel, mal_antal or mal_timmar, as the kind asks */
static utfall_status read_target(const struct goals_parser *p, utfall_goal_spec *s)
{
    const struct block *b = &p->b;
    if (s->kind == UTFALL_GOAL_SHARE) {
        if (!b->line[K_TARGET_SHARE])
            return fail(p, b->first_line, "mal_andel", UTFALL_EC_GOALS_MISSING_KEY,
                        "a goal of type andel needs 'mal_andel:', the target share (e.g. 35 "
                        "%%)");
        if (parse_share(b->value[K_TARGET_SHARE], &s->target_share))
            return fail(p, b->line[K_TARGET_SHARE], "mal_andel", UTFALL_EC_GOALS_BAD_SHARE,
                        "'%s' is not a share above 0 and at most 100 %% (write 35 %%, 35%% or "
                        "0,35)", b->value[K_TARGET_SHARE]);
    }
    if (s->kind == UTFALL_GOAL_COUNT) {
        s->base = UTFALL_BASE_ENROLLED;
        if (!b->line[K_TARGET_COUNT])
            return fail(p, b->first_line, "mal_antal", UTFALL_EC_GOALS_MISSING_KEY,
                        "a goal of type antal needs 'mal_antal:', the target number (e.g. "
                        "300)");
        if (parse_count(b->value[K_TARGET_COUNT], &s->target_count))
            return fail(p, b->line[K_TARGET_COUNT], "mal_antal", UTFALL_EC_GOALS_BAD_COUNT,
                        "'%s' is not a whole number above 0", b->value[K_TARGET_COUNT]);
    }
    if (s->kind == UTFALL_GOAL_DAYS) {
        double d;
        if (!b->line[K_TARGET_DAYS])
            return fail(p, b->first_line, "mal_dagar", UTFALL_EC_GOALS_MISSING_KEY,
                        "a goal of type tid needs 'mal_dagar:', the longest mean time in "
                        "programme in days (e.g. 365)");
        if (utfall_number_parse(b->value[K_TARGET_DAYS], &d) || !isfinite(d) || d <= 0
            || d > 36500)
            return fail(p, b->line[K_TARGET_DAYS], "mal_dagar", UTFALL_EC_GOALS_BAD_DAYS,
                        "'%s' is not a number of days above 0", b->value[K_TARGET_DAYS]);
        s->target_days = d;
    }
    if (s->kind == UTFALL_GOAL_ACTIVITY && b->line[K_TARGET_HOURS]) {
        double h;
        if (utfall_number_parse(b->value[K_TARGET_HOURS], &h) || !isfinite(h) || h < 0 || h > 168)
            return fail(p, b->line[K_TARGET_HOURS], "mal_timmar", UTFALL_EC_GOALS_BAD_HOURS,
                        "'%s' is not a number of hours per week from 0 to 168",
                        b->value[K_TARGET_HOURS]);
        s->target_hours = h;
    }
    return UTFALL_OK;
}

static utfall_status read_base(const struct goals_parser *p, utfall_goal_spec *s)
{
    const struct block *b = &p->b;
    if (!b->line[K_BASE])
        return UTFALL_OK;
    char f[64];
    utfall_fold(b->value[K_BASE], f, sizeof f);
    long n;
    if (s->kind == UTFALL_GOAL_COUNT && (!strcmp(f, "personer") || !strcmp(f, "persons"))) {
        s->base = UTFALL_BASE_ENROLLED;
        s->persons = 1; /* "120 deltagare" meaning persons: a re-enrolment counts once */
    } else if (!strcmp(f, "avslutade") || !strcmp(f, "exited")) {
        s->base = UTFALL_BASE_EXITED;
    } else if (!strcmp(f, "inskrivna") || !strcmp(f, "enrolled")) {
        s->base = UTFALL_BASE_ENROLLED;
    } else if (s->kind == UTFALL_GOAL_SHARE && !parse_count(b->value[K_BASE], &n)) {
        s->base = UTFALL_BASE_FIXED;
        s->fixed_base = n;
    } else {
        return fail(p, b->line[K_BASE], "bas", UTFALL_EC_GOALS_BAD_BASE,
                    "'%s' is not a denominator (accepted: %s; or exited, enrolled)",
                    b->value[K_BASE],
                    s->kind == UTFALL_GOAL_SHARE ? "avslutade, inskrivna or a planned number"
                                                 : "avslutade, inskrivna or personer");
    }
    return UTFALL_OK;
}

static utfall_status finish_block(struct goals_parser *p)
{
    struct block *b = &p->b;
    for (int k = 0; k < K_COUNT; k++)
        if (b->line[k] && is_project_key(k))
            return take_project(p); /* which refuses the keys of a goal */
    if (!b->line[K_GOAL])
        return fail(p, b->first_line, NULL, UTFALL_EC_GOALS_MISSING_KEY,
                    "this block has no goal: every block needs 'mal:' (or 'goal:'), the goal "
                    "as written");
    if (p->g->n == GOALS_MAX)
        return fail(p, b->first_line, NULL, UTFALL_EC_GOALS_TOO_MANY, "more than 64 goals");
    utfall_goal_spec s;
    memset(&s, 0, sizeof s);
    s.line = b->first_line;
    s.base = UTFALL_BASE_EXITED;
    utfall_status st = read_kind(p, &s);
    if (!st)
        st = check_keys_for_kind(p, &s);
    if (!st)
        st = read_id(p, &s);
    if (!st)
        st = read_measure(p, &s);
    if (!st)
        st = read_outcomes(p, &s);
    if (!st)
        st = read_target(p, &s);
    if (!st)
        st = read_base(p, &s);
    if (!st)
        st = read_scope(p, &s);
    if (st) {
        free(s.group_key);
        free(s.group_value);
        return st;
    }
    s.text = b->value[K_GOAL];
    b->value[K_GOAL] = NULL;
    p->g->goals[p->g->n++] = s;
    return UTFALL_OK;
}

/* ---- lines ------------------------------------------------------------- */

/* A blank line ends a block. */
static utfall_status end_block(struct goals_parser *p)
{
    utfall_status st = p->b.first_line ? finish_block(p) : UTFALL_OK;
    block_clear(&p->b);
    p->last_key = -1;
    return st;
}

/* A long value goes on over indented lines; a number broken over them is
 * still a number. */
static utfall_status continue_value(struct goals_parser *p, const char *l)
{
    char **value = &p->b.value[p->last_key];
    size_t n0 = strlen(*value), n1 = strlen(l);
    char *v = realloc(*value, n0 + n1 + 2);
    if (!v)
        return nomem(p->err);
    v[n0] = ' ';
    memcpy(v + n0 + 1, l, n1 + 1);
    *value = v;
    utfall_guard_site site = {"goals file", p->name, p->lineno, key_names[p->last_key][0], NULL};
    return utfall_guard(v, n0 + 1 + n1, &site, p->err);
}

static utfall_status key_value(struct goals_parser *p, char *l)
{
    struct block *b = &p->b;
    char *colon = strchr(l, ':');
    if (!colon)
        return fail(p, p->lineno, NULL, UTFALL_EC_GOALS_SYNTAX,
                    "expected 'key: value', got '%.60s'", l);
    *colon = '\0';
    char key[64];
    utfall_fold(trim(l), key, sizeof key);
    char *value = trim(colon + 1);
    int k = -1;
    for (int i = 0; i < K_COUNT && k < 0; i++)
        if (!strcmp(key, key_names[i][0]) || !strcmp(key, key_names[i][1]))
            k = i;
    if (k < 0)
        return fail(p, p->lineno, trim(l), UTFALL_EC_GOALS_UNKNOWN_KEY,
                    "unknown key '%s' (accepted: %s)", trim(l), ACCEPTED_KEYS);
    if (b->line[k])
        return fail(p, p->lineno, key_names[k][0], UTFALL_EC_GOALS_DUPLICATE_KEY,
                    "'%s' is given twice in this block (first on line %ld)", key_names[k][0],
                    b->line[k]);
    if (!*value)
        return fail(p, p->lineno, key_names[k][0], UTFALL_EC_GOALS_EMPTY_VALUE,
                    "'%s' has no value", key_names[k][0]);
    if (!b->first_line)
        b->first_line = p->lineno;
    b->line[k] = p->lineno;
    p->last_key = k;
    b->value[k] = strdup(value);
    return b->value[k] ? UTFALL_OK : nomem(p->err);
}

static utfall_status parse_line(struct goals_parser *p, char *line)
{
    int indented = line[0] == ' ' || line[0] == '\t';
    char *l = trim(line);
    if (*l == '#')
        return UTFALL_OK;
    if (!*l)
        return end_block(p);
    if (indented && p->last_key >= 0)
        return continue_value(p, l);
    return key_value(p, l);
}

/* The line from *pos (without its '\n'), as a string of its own; *pos
 * moves past it. */
static utfall_status next_line(struct goals_parser *p, const char *text, size_t len,
                               size_t *pos, char **out)
{
    size_t end = *pos;
    while (end < len && text[end] != '\n')
        end++;
    p->lineno++;
    size_t n = end - *pos;
    if (n > 4096)
        return fail(p, p->lineno, NULL, UTFALL_EC_GOALS_LONG_LINE,
                    "the line is longer than 4096 bytes");
    if (memchr(text + *pos, '\0', n))
        return fail(p, p->lineno, NULL, UTFALL_EC_GOALS_NUL, "the line holds a NUL byte");
    if (!(*out = malloc(n + 1)))
        return nomem(p->err);
    memcpy(*out, text + *pos, n);
    (*out)[n] = '\0';
    *pos = end + 1;
    return UTFALL_OK;
}

/* The key a line names, as the catalogue spells it, or NULL. */
static const char *line_key(const char *l, size_t n)
{
    const char *colon = memchr(l, ':', n);
    char raw[64], key[64];
    size_t k = colon ? (size_t)(colon - l) : sizeof raw;
    if (k >= sizeof raw || l[0] == ' ' || l[0] == '\t')
        return NULL;
    memcpy(raw, l, k);
    raw[k] = '\0';
    utfall_fold(trim(raw), key, sizeof key);
    for (int i = 0; i < K_COUNT; i++)
        if (!strcmp(key, key_names[i][0]) || !strcmp(key, key_names[i][1]))
            return key_names[i][0];
    return NULL;
}

/* The identity-number guard over every line before any is parsed, so
 * that no message can quote a number. */
static utfall_status guard_lines(const struct goals_parser *p, const char *text, size_t len,
                                 size_t pos)
{
    utfall_guard_site site = {"goals file", p->name, 0, NULL, NULL};
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        site.line++;
        site.column = line_key(text + pos, end - pos);
        if (utfall_guard(text + pos, end - pos, &site, p->err))
            return UTFALL_ERR_PRIVACY;
        pos = end + 1;
    }
    return UTFALL_OK;
}

utfall_status utfall_goals_parse(utfall_goals **out, const char *text, size_t len,
                                 const char *name, utfall_error *err)
{
    *out = NULL;
    struct goals_parser p = {.name = name, .err = err, .last_key = -1};
    if ((p.g = calloc(1, sizeof *p.g)))
        p.g->goals = calloc(GOALS_MAX, sizeof *p.g->goals);
    utfall_status st = p.g && p.g->goals ? UTFALL_OK : nomem(err);
    size_t pos = len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3) ? 3 : 0;
    if (!st)
        st = guard_lines(&p, text, len, pos);
    while (!st && pos < len) {
        char *line = NULL;
        st = next_line(&p, text, len, &pos, &line);
        if (!st)
            st = parse_line(&p, line);
        free(line);
    }
    if (!st && p.b.first_line)
        st = finish_block(&p);
    block_clear(&p.b);
    if (!st && p.g->n == 0)
        st = fail(&p, p.lineno, NULL, UTFALL_EC_GOALS_EMPTY, "the file states no goal");
    if (st) {
        utfall_goals_free(p.g);
        return st;
    }
    *out = p.g;
    return UTFALL_OK;
}

utfall_status utfall_goals_read(utfall_goals **out, const char *path, utfall_error *err)
{
    *out = NULL;
    utfall_guard_site site = {"goals file", NULL, 0, NULL, "the file name"};
    if (utfall_guard(path, strlen(path), &site, err))
        return UTFALL_ERR_PRIVACY;
    FILE *f = fopen(path, "rb");
    if (!f) {
        utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_CANNOT_OPEN, "cannot read: %s", strerror(errno));
        utfall_error_locate(err, path, 0, 0, NULL);
        return UTFALL_ERR_IO;
    }
    char *buf = malloc(GOALS_FILE_MAX + 1);
    if (!buf) {
        fclose(f);
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    }
    size_t n = fread(buf, 1, GOALS_FILE_MAX + 1, f);
    int bad = ferror(f);
    fclose(f);
    utfall_status st;
    if (bad) {
        st = utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_READ_ERROR, "cannot read: %s",
                              strerror(errno));
        utfall_error_locate(err, path, 0, 0, NULL);
    } else if (n > GOALS_FILE_MAX) {
        st = utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_GOALS_TOO_LARGE,
                              "a goals file is at most 1 MiB");
        utfall_error_locate(err, path, 0, 0, NULL);
    } else {
        st = utfall_goals_parse(out, buf, n, path, err);
    }
    free(buf);
    return st;
}

utfall_status utfall_goals_default(utfall_goals **out, utfall_lang lang, utfall_error *err)
{
    *out = NULL;
    utfall_goals *g = calloc(1, sizeof *g);
    if (g)
        g->goals = calloc(1, sizeof *g->goals);
    char text[256];
    char list[160];
    utfall_outcome_set_describe(UTFALL_DEFAULT_SUCCESS, lang, list, sizeof list);
    /* a local, so that gcc's sanitizer build does not take the format for NULL */
    const char *fmt = utfall_tr(lang, "goals.default");
    snprintf(text, sizeof text, fmt ? fmt : "%s", list);
    if (!g || !g->goals || !(g->goals[0].text = strdup(text))) {
        utfall_goals_free(g);
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    }
    utfall_goal_spec *s = &g->goals[0];
    snprintf(s->id, sizeof s->id, "goal1");
    s->kind = UTFALL_GOAL_SHARE;
    s->success = UTFALL_DEFAULT_SUCCESS;
    s->base = UTFALL_BASE_EXITED;
    s->target_share = NAN;
    s->as_of = UTFALL_DATE_NONE;
    s->income_left = UTFALL_INCOME_AKTIVITETSERSATTNING;
    g->n = 1;
    *out = g;
    return UTFALL_OK;
}

int utfall_goal_spec_is_extended(const utfall_goal_spec *g)
{
    return g->measure != UTFALL_MEASURE_OUTCOMES || g->persons || g->group_key
           || g->as_of != UTFALL_DATE_NONE || g->kind == UTFALL_GOAL_DAYS;
}

void utfall_goals_free(utfall_goals *g)
{
    if (!g)
        return;
    for (size_t i = 0; g->goals && i < g->n; i++) {
        free(g->goals[i].text);
        free(g->goals[i].group_key);
        free(g->goals[i].group_value);
    }
    free(g->goals);
    free(g->title);
    for (int k = 0; k < UTFALL_FACT_COUNT; k++)
        free(g->facts[k]);
    free(g);
}
