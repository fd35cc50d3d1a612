/* The header of an extract: which column is which field (by name or
 * alias, by --map, or by the words of a heading such as "Aktivitet tim/v
 * vid start"), what is required, and what to tell the user about the
 * columns left unused and the fields without a column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/extract_internal.h"

/* The field named left of the '=' of a --map entry "canonical=Header", or
 * -1; *header is what follows the '=', NULL when there is none. */
static int map_entry(const char *entry, const char **header)
{
    const char *eq = strchr(entry, '=');
    *header = eq ? eq + 1 : NULL;
    if (!eq)
        return -1;
    char canon[64];
    size_t n = (size_t)(eq - entry);
    if (n >= sizeof canon)
        n = sizeof canon - 1;
    memcpy(canon, entry, n);
    canon[n] = '\0';
    return utfall_field_lookup(canon);
}

/* The field a header stands for, -1 for an extra column.  --map
 * canonical=Header wins over the built-in aliases (the last entry naming
 * the header decides), and a header whose field --map gave to another
 * header stays an extra column. */
static int header_field(const utfall_extract *x, const char *name, enum column_how *how)
{
    const char *header;
    int f = -1;
    for (size_t m = 0; m < x->opt.nmap; m++) {
        int mapped = map_entry(x->opt.map[m], &header);
        if (header && !strcmp(header, name))
            f = mapped;
    }
    *how = HOW_MAP;
    if (f >= 0)
        return f;
    *how = HOW_NAME;
    f = utfall_field_lookup(name);
    for (size_t m = 0; f >= 0 && m < x->opt.nmap; m++)
        if (map_entry(x->opt.map[m], &header) == f)
            return -1;
    return f;
}

static int field_given_by_map(const utfall_extract *x, int f)
{
    const char *header;
    for (size_t m = 0; m < x->opt.nmap; m++)
        if (map_entry(x->opt.map[m], &header) == f)
            return 1;
    return 0;
}

/* Keep header column i and map it to its field. */
static utfall_status map_column(utfall_extract *x, const utfall_csv_record *rec, size_t i,
                                utfall_error *err)
{
    const char *name = rec->fields[i];
    x->columns[i] = strdup(name);
    if (!x->columns[i])
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    enum column_how how;
    int f = header_field(x, name, &how);
    if (f >= 0 && x->field_col[f] >= 0)
        return extract_fail(x, err, rec->line, name, UTFALL_ERR_DATA, UTFALL_EC_DUPLICATE_COLUMN,
                            "is the same field as column %ld ('%s'): %s appears twice "
                            "(rename one, or use --map %s=HEADER to choose)",
                            x->field_col[f] + 1, x->columns[x->field_col[f]],
                            utfall_field_name((utfall_field)f), utfall_field_name((utfall_field)f));
    for (size_t j = 0; f < 0 && j < i; j++)
        if (x->columns[j] && !strcmp(x->columns[j], name))
            return extract_fail(x, err, rec->line, name, UTFALL_ERR_DATA,
                                UTFALL_EC_DUPLICATE_COLUMN, "the header names this column twice");
    x->column_field[i] = f;
    x->column_how[i] = (unsigned char)(f >= 0 ? how : HOW_EXTRA);
    if (f >= 0)
        x->field_col[f] = (long)i;
    return UTFALL_OK;
}

/* "'A', 'B', 'C'" of the header (or of the unused columns only), cut
 * short with "..." when long. */
static void list_headings(const utfall_extract *x, int unused_only, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < x->ncolumns && n + 8 < size; i++) {
        if (unused_only && x->column_field[i] >= 0)
            continue;
        int w = snprintf(buf + n, size - n, "%s'%s'", n ? ", " : "", x->columns[i]);
        if (w < 0 || (size_t)w >= size - n - 4) {
            snprintf(buf + n, size - n, "%s...", n ? ", " : "");
            return;
        }
        n += (size_t)w;
    }
}

/* --map naming a header that is not there is a mistake worth saying,
 * with the headers that are. */
static utfall_status check_map_used(utfall_extract *x, long line, utfall_error *err)
{
    for (size_t m = 0; m < x->opt.nmap; m++) {
        const char *header;
        map_entry(x->opt.map[m], &header);
        int found = 0;
        for (size_t i = 0; header && i < x->ncolumns; i++)
            found |= !strcmp(header, x->columns[i]);
        if (!found) {
            char have[320];
            list_headings(x, 0, have, sizeof have);
            return extract_fail(x, err, line, NULL, UTFALL_ERR_DATA, UTFALL_EC_MAP_NO_COLUMN,
                                "--map %s: the header has no column '%s' (it has %s; the "
                                "header is matched exactly, case included)",
                                x->opt.map[m], header ? header : "", have);
        }
    }
    return UTFALL_OK;
}

/* The unused columns whose headings look like field f, as "'A'" or
 * "'A', 'B'" in buf; their number. */
static int candidates(const utfall_extract *x, utfall_field f, char *buf, size_t size,
                      size_t *first)
{
    int n = 0;
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < x->ncolumns; i++) {
        if (x->column_field[i] >= 0 || !utfall_field_resembles(x->columns[i], f))
            continue;
        if (!n++)
            *first = i;
        if (len + 8 < size) {
            int w = snprintf(buf + len, size - len, "%s'%s'", len ? ", " : "", x->columns[i]);
            len = w > 0 && (size_t)w < size - len ? len + (size_t)w : size - 1;
        }
    }
    return n;
}

static utfall_status check_required(utfall_extract *x, long line, utfall_error *err)
{
    static const struct {
        utfall_field field;
        const char *aliases;
    } required[] = {{UTFALL_F_ID, "id, lopnr, deltagar_id"},
                    {UTFALL_F_INSKRIVEN, "inskriven, inskrivningsdatum, startdatum"}};
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++) {
        utfall_field f = required[k].field;
        if (x->field_col[f] >= 0)
            continue;
        char like[256];
        size_t first = 0;
        if (candidates(x, f, like, sizeof like, &first))
            return extract_fail(x, err, line, NULL, UTFALL_ERR_DATA, UTFALL_EC_MISSING_COLUMN,
                                "required column '%s' is missing; %s looks like it: "
                                "--map '%s=%s'",
                                utfall_field_name(f), like, utfall_field_name(f),
                                x->columns[first]);
        char have[320];
        list_headings(x, 0, have, sizeof have);
        return extract_fail(x, err, line, NULL, UTFALL_ERR_DATA, UTFALL_EC_MISSING_COLUMN,
                            "required column '%s' is missing (accepted headers include %s; or "
                            "use --map %s=HEADER with one of %s)",
                            utfall_field_name(f), required[k].aliases, utfall_field_name(f),
                            have);
    }
    return UTFALL_OK;
}

/* Columns no name or alias matched, read by the words of their headings
 * where exactly one column speaks of a field that has no column yet:
 * "Aktivitet tim/v vid start" is timmar_fore. */
static void recognise_words(utfall_extract *x)
{
    for (int f = 0; f < UTFALL_F_COUNT; f++) {
        if (x->field_col[f] >= 0 || field_given_by_map(x, f))
            continue;
        long found = -1;
        int n = 0;
        for (size_t i = 0; i < x->ncolumns; i++)
            if (x->column_field[i] < 0 && utfall_field_from_words(x->columns[i]) == f) {
                found = (long)i;
                n++;
            }
        if (n != 1)
            continue;
        x->column_field[found] = f;
        x->column_how[found] = HOW_WORDS;
        x->field_col[f] = found;
        extract_note(x, 0, x->columns[found], UTFALL_EC_COLUMN_FROM_WORDS,
                     "read as %s, from the words of its heading (--map %s=HEADER reads "
                     "another column as it)",
                     utfall_field_name((utfall_field)f), utfall_field_name((utfall_field)f));
    }
}

/* Say which fields the caller wants and the file lacks: a warning for
 * each that an unused column looks like (the figures change with it),
 * one note for the others.  alder stands in for fodelsear and back. */
static void tell_missing(utfall_extract *x)
{
    char none[400] = "";
    size_t nn = 0;
    for (int f = 0; f < UTFALL_F_COUNT; f++) {
        if (!((x->opt.wanted_fields >> f) & 1u) || x->field_col[f] >= 0)
            continue;
        if ((f == UTFALL_F_FODELSEAR && x->field_col[UTFALL_F_ALDER] >= 0)
            || (f == UTFALL_F_ALDER && x->field_col[UTFALL_F_FODELSEAR] >= 0))
            continue;
        char like[256];
        size_t first = 0;
        const char *name = utfall_field_name((utfall_field)f);
        int n = candidates(x, (utfall_field)f, like, sizeof like, &first);
        if (n == 1)
            extract_warn(x, 0, NULL, 1, UTFALL_EC_MISSING_FIELD,
                         "no column is read as %s; %s looks like it: --map '%s=%s'", name,
                         like, name, x->columns[first]);
        else if (n > 1)
            extract_warn(x, 0, NULL, 1, UTFALL_EC_MISSING_FIELD,
                         "no column is read as %s; one of %s looks like it: --map '%s=%s' "
                         "or another of them",
                         name, like, name, x->columns[first]);
        else if (nn + strlen(name) + 3 < sizeof none)
            nn += (size_t)snprintf(none + nn, sizeof none - nn, "%s%s", nn ? ", " : "", name);
    }
    if (nn)
        extract_note(x, 0, NULL, UTFALL_EC_MISSING_FIELD,
                     "no column is read as %s: what needs it is left out (--map FIELD=HEADER "
                     "reads a column as a field)",
                     none);
}

static void tell_unused(utfall_extract *x)
{
    if (!x->opt.wanted_fields)
        return;
    char list[400];
    list_headings(x, 1, list, sizeof list);
    if (list[0])
        extract_note(x, 0, NULL, UTFALL_EC_UNUSED_COLUMNS,
                     "columns not read as any field (kept for --by): %s", list);
}

/* The headings of enhet and insats as the first file writes them: the
 * label tables show ("Kommun", not "Enhet"). */
static void keep_own_headings(utfall_extract *x)
{
    static const utfall_field own[] = {UTFALL_F_ENHET, UTFALL_F_INSATS};
    for (size_t k = 0; x->cur == 0 && k < sizeof own / sizeof own[0]; k++) {
        long c = x->field_col[own[k]];
        if (c >= 0)
            snprintf(x->own_heading[own[k]], sizeof x->own_heading[0], "%s", x->columns[c]);
    }
}

utfall_status extract_map_header(utfall_extract *x, const utfall_csv_record *rec,
                                 utfall_error *err)
{
    x->columns = calloc(rec->nfields ? rec->nfields : 1, sizeof *x->columns);
    x->column_field = calloc(rec->nfields ? rec->nfields : 1, sizeof *x->column_field);
    x->column_how = calloc(rec->nfields ? rec->nfields : 1, sizeof *x->column_how);
    if (!x->columns || !x->column_field || !x->column_how)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    x->ncolumns = rec->nfields;
    for (int f = 0; f < UTFALL_F_COUNT; f++)
        x->field_col[f] = -1;
    utfall_status st = UTFALL_OK;
    for (size_t i = 0; !st && i < rec->nfields; i++)
        st = map_column(x, rec, i, err);
    if (!st)
        st = check_map_used(x, rec->line, err);
    if (st)
        return st;
    recognise_words(x);
    if ((st = check_required(x, rec->line, err)))
        return st;
    tell_missing(x);
    tell_unused(x);
    keep_own_headings(x);
    return UTFALL_OK;
}
