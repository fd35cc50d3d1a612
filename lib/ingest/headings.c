/* Headings that are no field's name or alias, read by their words:
 * "Aktivitet tim/v vid start" is timmar_fore, "Försörjning vid avslut"
 * forsorjning_efter; and which unused heading looks like a missing field,
 * for the --map a message suggests. */
#include <string.h>

#include "utfall/vocab.h"
#include "core/internal.h"

#define MAX_WORDS 12

/* The folded heading's words: "aktivitet_tim_v_vid_start" → aktivitet,
 * tim, v, vid, start (pointers into buf). */
static size_t words_of(const char *heading, char *buf, size_t size, char *words[MAX_WORDS])
{
    utfall_fold(heading, buf, size);
    size_t n = 0;
    for (char *p = buf; *p && n < MAX_WORDS;) {
        words[n++] = p;
        p += strcspn(p, "_");
        if (*p)
            *p++ = '\0';
    }
    return n;
}

static int in_list(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(w, *list))
            return 1;
    return 0;
}

static const char *const hours_words[] = {"timmar", "tim", "hours", "aktivitet",
                                          "aktivitetsniva", "aktivitetsgrad", "aktivitetstimmar",
                                          NULL};
static const char *const income_words[] = {"forsorjning", "forsorjningskalla",
                                           "forsorjningsform", "inkomst", "inkomstkalla",
                                           "income", NULL};
static const char *const before_words[] = {"fore", "start", "in", "inskrivning", "inskriven",
                                           "borjan", "innan", "before", "intag", NULL};
static const char *const after_words[] = {"efter", "slut", "avslut", "avslutad", "ut",
                                          "utskrivning", "utskriven", "after", "end", NULL};

/* What the words say: a subject (1 hours, 2 income, 3 both) and a time
 * (1 before, 2 after, 3 both). */
static void subject_and_time(const char *heading, int *subject, int *when)
{
    char buf[256], *w[MAX_WORDS];
    size_t n = words_of(heading, buf, sizeof buf, w);
    *subject = *when = 0;
    for (size_t i = 0; i < n; i++) {
        *subject |= in_list(w[i], hours_words) ? 1 : in_list(w[i], income_words) ? 2 : 0;
        *when |= in_list(w[i], before_words) ? 1 : in_list(w[i], after_words) ? 2 : 0;
    }
}

int utfall_field_from_words(const char *heading)
{
    int subject, when;
    subject_and_time(heading, &subject, &when);
    if ((subject != 1 && subject != 2) || (when != 1 && when != 2))
        return -1;
    if (subject == 1)
        return when == 1 ? UTFALL_F_TIMMAR_FORE : UTFALL_F_TIMMAR_EFTER;
    return when == 1 ? UTFALL_F_FORSORJNING_FORE : UTFALL_F_FORSORJNING_EFTER;
}

/* Word beginnings that speak of each field. */
static const char *const stems[UTFALL_F_COUNT][8] = {
    [UTFALL_F_ID] = {"id", "lopnr", "lopnummer", "deltagar", "person", "pid", NULL},
    [UTFALL_F_KON] = {"kon", "gender", "sex", NULL},
    [UTFALL_F_FODELSEAR] = {"fodelse", "fodd", "birth", NULL},
    [UTFALL_F_ALDER] = {"alder", "age", NULL},
    [UTFALL_F_ENHET] = {"enhet", "kommun", "region", "ort", "kontor", "unit", "site", NULL},
    [UTFALL_F_INSATS] = {"insats", "metod", "method", "arm", "program", NULL},
    [UTFALL_F_INSKRIVEN] = {"inskriv", "startdat", "enrol", "start", NULL},
    [UTFALL_F_AVSLUTAD] = {"avslutsdat", "avslutad", "utskriv", "slutdat", "exit", NULL},
    [UTFALL_F_AVSLUTSORSAK] = {"orsak", "anledning", "reason", "utfall", "resultat",
                               "outcome", NULL},
    [UTFALL_F_UPPFOLJD_TILL] = {"uppfolj", "follow", NULL},
};

/* The number of single-letter edits from a to b, or more than 2. */
static int near(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40 || (la > lb ? la - lb : lb - la) > 2)
        return 3;
    int d[41][41];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

int utfall_field_resembles(const char *heading, utfall_field f)
{
    if ((unsigned)f >= UTFALL_F_COUNT)
        return 0;
    int subject, when;
    subject_and_time(heading, &subject, &when);
    int hours = f == UTFALL_F_TIMMAR_FORE || f == UTFALL_F_TIMMAR_EFTER;
    int income = f == UTFALL_F_FORSORJNING_FORE || f == UTFALL_F_FORSORJNING_EFTER;
    if (hours || income) {
        int after = f == UTFALL_F_TIMMAR_EFTER || f == UTFALL_F_FORSORJNING_EFTER;
        return (subject & (hours ? 1 : 2)) && (when == 0 || when == 3 || (when & (after ? 2 : 1)));
    }
    if (subject)
        return 0; /* hours or income, not this field */
    char buf[256], *w[MAX_WORDS];
    size_t n = words_of(heading, buf, sizeof buf, w);
    for (size_t i = 0; i < n; i++)
        for (const char *const *s = stems[f]; *s; s++)
            if (!strncmp(w[i], *s, strlen(*s)) && strlen(w[i]) >= 2)
                return 1;
    char folded[256];
    utfall_fold(heading, folded, sizeof folded);
    return strlen(folded) >= 5 && near(folded, utfall_field_name(f)) <= 2;
}
