/* Own values and labels: --outcome-map, --income-map and --status-map.
 * A map file says what a value as written means (a class of the
 * vocabulary, which decides success and which row of a table counts it)
 * and, optionally, the word to print for that class. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/csvread.h"
#include "utfall/i18n.h"
#include "utfall/vocab.h"
#include "core/internal.h"

struct map_entry {
    char *folded; /* the value as written, folded */
    int value;    /* its class: an outcome or the first income source */
    unsigned set; /* income: every source it names */
    char *label;  /* NULL = the vocabulary's */
    long line;
};

struct utfall_value_map {
    utfall_value_kind kind;
    struct map_entry *e;
    size_t n, cap;
};

void utfall_value_map_free(utfall_value_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->e[i].folded);
        free(m->e[i].label);
    }
    free(m->e);
    free(m);
}

/* The class column of a line: a key or spelling of the vocabulary (for
 * income, several sources joined by +). */
static utfall_status map_class(const utfall_value_map *m, const char *text, struct map_entry *e,
                               utfall_error *err)
{
    if (m->kind == UTFALL_VALUES_INCOME) {
        if (!utfall_income_parse_set(text, &e->value, &e->set))
            return UTFALL_OK;
        return utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_UNKNOWN_INCOME,
                                "'%s' is not an income key (accepted: aktivitetsersattning, "
                                "sjukersattning, sjukpenning, forsorjningsstod, a_kassa, "
                                "aktivitetsstod, lon, studiemedel, ingen, annan, or several "
                                "joined by +)",
                                text);
    }
    if (!utfall_outcome_parse(text, &e->value)) {
        e->set = 1u << e->value;
        return UTFALL_OK;
    }
    return utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_UNKNOWN_OUTCOME,
                            "'%s' is not an outcome key (accepted: arbete, arbete_med_stod, "
                            "studier, arbetssokande, praktik, annan_insats, vard, "
                            "foraldraledighet, flytt, ej_kontaktbar, avbrott, annat)",
                            text);
}

/* A class is one row of the tables: it has one label. */
static utfall_status check_label(const utfall_value_map *m, const struct map_entry *e,
                                 utfall_error *err)
{
    for (size_t i = 0; e->label && i < m->n; i++)
        if (m->e[i].set == e->set && m->e[i].label && strcmp(m->e[i].label, e->label))
            return utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_MAP_LABEL_CONFLICT,
                                    "the class has two labels, '%s' here and '%s' on line %ld: "
                                    "a class is one row of the tables, give it one label",
                                    e->label, m->e[i].label, m->e[i].line);
    return UTFALL_OK;
}

static utfall_status map_line(utfall_value_map *m, const utfall_csv_record *rec,
                              utfall_error *err)
{
    if (rec->nfields < 2)
        return utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_OUTCOME_MAP_SHAPE,
                                "expected two or three columns: the value as written, the key "
                                "it stands for, and optionally the label to print");
    struct map_entry e = {NULL, -1, 0, NULL, rec->line};
    utfall_status st = map_class(m, rec->fields[1], &e, err);
    if (!st && rec->nfields > 2 && rec->fields[2][0] && !(e.label = strdup(rec->fields[2])))
        st = utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    if (!st)
        st = check_label(m, &e, err);
    char folded[256];
    utfall_fold(rec->fields[0], folded, sizeof folded);
    if (!st && (UTFALL_GROW(m->e, m->cap, m->n + 1) || !(e.folded = strdup(folded))))
        st = utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    if (st) {
        free(e.label);
        return st;
    }
    m->e[m->n++] = e;
    return UTFALL_OK;
}

utfall_status utfall_value_map_read(utfall_value_map **out, const char *path,
                                    utfall_value_kind kind, const char *channel,
                                    utfall_error *err)
{
    *out = NULL;
    utfall_value_map *m = calloc(1, sizeof *m);
    if (!m)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    m->kind = kind;
    utfall_csv_reader *r;
    utfall_csv_options co = {.channel = channel};
    utfall_status st = utfall_csv_open(&r, path, &co, err);
    if (st) {
        free(m);
        return st;
    }
    utfall_csv_record rec;
    int got;
    while (!st && (got = utfall_csv_next(r, &rec, err)) == 1)
        if (rec.record > 1 && (st = map_line(m, &rec, err)))
            utfall_error_locate(err, utfall_csv_name(r), rec.line, 0, NULL);
    if (!st && got < 0)
        st = err->status;
    utfall_csv_close(r);
    if (st) {
        utfall_value_map_free(m);
        return st;
    }
    *out = m;
    return UTFALL_OK;
}

int utfall_value_map_lookup(const utfall_value_map *m, const char *s, unsigned *set)
{
    if (!m || !m->n)
        return -1;
    char folded[256];
    utfall_fold(s, folded, sizeof folded);
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->e[i].folded, folded)) {
            if (set)
                *set = m->e[i].set;
            return m->e[i].value;
        }
    return -1;
}

utfall_status utfall_value_map_apply_labels(const utfall_value_map *m, utfall_error *err)
{
    for (size_t i = 0; m && i < m->n; i++) {
        if (!m->e[i].label)
            continue;
        char key[256];
        if (m->kind == UTFALL_VALUES_INCOME)
            utfall_income_set_key(m->e[i].set, key + 4, sizeof key - 4);
        else
            snprintf(key + 4, sizeof key - 4, "%s", utfall_outcome_key(m->e[i].value));
        memcpy(key, "val.", 4);
        if (utfall_tr_own(key, m->e[i].label))
            return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    }
    return UTFALL_OK;
}
