/* utfall — disclosure control for a whole document.
 *
 * A slutrapport is public and most projects are small, so a count of 1 to
 * N−1 people must not be published, and must not be recoverable from
 * anything else the same run publishes: another table, a total, a sentence,
 * a figure, a share or an interval.  Tables alone cannot see that; the
 * document can, because every published count says what it counts.
 *
 * The model.  Every count is a *cell* with a definition: the set of
 * episodes it counts, as a conjunction of conditions on *dimensions* of the
 * extract (kon, enhet, aldersgrupp, state = active or exited/<outcome>,
 * hours = increased/unchanged/decreased, …).  A cell's definition is the
 * conjunction of its table's population, its column's condition and its
 * row's group values.  The episodes are thus split into *atoms* (one value
 * on every dimension); every cell is a sum of atoms, and everything one run
 * publishes is a set of linear equations over them.
 *
 * The protection.
 *  1. Primary: a count from 1 to N−1 is hidden ("<N").  So is, where a row
 *     states a total and a part of it (n and reached, enrolled and persons),
 *     the complement when it is from 1 to N−1: "9 of 10 reached" says that
 *     1 did not.  Zeros are published.
 *  2. Secondary: for every sensitive count, a linear programme (GLPK) finds
 *     the smallest and largest value consistent with every published count
 *     and with every "<N" being from 1 to N−1.  While that range is a single
 *     value, the cheapest published count that pins it is hidden too ("..").
 *     Cheap: small counts, "uppgift saknas" and "annat"; dear: totals and
 *     main categories such as Kvinnor.  The same count published twice is
 *     hidden everywhere or nowhere.
 *  3. Everything computed from a hidden count (shares, intervals, tests,
 *     differences, means) is hidden with it.
 * The result is deterministic: the same document gives the same cells.
 *
 * Declaring definitions.  Conditions are written "dim:value,value;dim:value"
 * with the dimensions' keys; a value "v" also matches every "v/…" (so
 * "state:exited" is every exit outcome), and "{KEY}" stands for the row's
 * value in column KEY ("h{month}:reached" in a table with a month column).
 * Group columns are dimensions by their key (a row's value is its
 * condition; the total row has none). */
#ifndef UTFALL_PROTECT_H
#define UTFALL_PROTECT_H

#include <stdio.h>

#include "utfall/error.h"
#include "utfall/i18n.h"
#include "utfall/table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The values a dimension takes in the data: every value that occurs must
 * be declared (group columns declare theirs by their rows). */
UTFALL_API void utfall_doc_dimension_value(utfall_doc *d, const char *dim, const char *value);

/* The population a table counts in ("state:exited" for tables of exited
 * participants); NULL = every episode. */
UTFALL_API void utfall_table_set_population(utfall_table *t, const char *cond);
/* What a count column counts within its row and population
 * ("state:active"); NULL = the whole row. */
UTFALL_API void utfall_table_column_cell(utfall_table *t, int col, const char *cond);
/* The same for a condition of one value, any text: dim = value. */
UTFALL_API void utfall_table_column_cell_value(utfall_table *t, int col, const char *dim,
                                               const char *value);
/* A count that is the same in every row of a group (a long table's n,
 * repeated beside each outcome): it does not depend on the group column
 * `over` (a key). */
UTFALL_API void utfall_table_column_margin_over(utfall_table *t, int col, const char *over);
/* A group column that is not a dimension of its own name: its values are
 * values of dim with prefix before them (split's outcome column is the
 * state dimension, "exited/" + the outcome key). */
UTFALL_API void utfall_table_column_dimension(utfall_table *t, int col, const char *dim,
                                              const char *prefix);
/* A group value that stands for several values of the column's dimension
 * ("reached" for "state:exited/arbete,exited/studier"): patterns is the
 * comma-separated list.  A group cell left unset (not "") has no condition
 * at all: a margin row inside a long table. */
UTFALL_API void utfall_table_column_value_means(utfall_table *t, int col, const char *value,
                                                const char *patterns);
/* Every cell of table t is computed from the counts of table `source`
 * (a test of a crosstab): hidden when any of them is hidden. */
UTFALL_API void utfall_table_derived_from(utfall_table *t, const char *source);
/* A table whose counts are not linked to the others' (a curve over many
 * time points, Kaplan–Meier): it takes no part in the linear programme;
 * instead a row that holds a count from 1 to N−1 shows none of its
 * figures.  Weaker than the linked model: see utfall(1) SUPPRESSION. */
UTFALL_API void utfall_table_set_local_protection(utfall_table *t);

/* Persons.  A "persons" count is the number of distinct ids among the
 * row's episodes; the condition "first:." makes it a cell: it counts the
 * episodes that are their person's first within the row's group (within
 * the whole population in the total row).  Declare the grouping keys whose
 * value never changes between a person's episodes (kon) so that an
 * attacker's knowledge of it is modelled too. */
UTFALL_API void utfall_doc_constant_per_person(utfall_doc *d, const char *key);

/* Gathering documents into one (the report): the dimensions and values
 * `from` declared become `to`'s too. */
UTFALL_API void utfall_doc_adopt_dimensions(utfall_doc *to, const utfall_doc *from);
/* Every table of d is renamed "<prefix>_<key>" (cut to max_len bytes), and
 * references between them (utfall_table_derived_from) follow. */
UTFALL_API void utfall_doc_prefix_keys(utfall_doc *d, const char *prefix, size_t max_len);

/* How much the reader loses when a count of t is hidden, against other
 * tables (default 1): the report's headline tables weigh more, so that a
 * partner is taken from a crosstab rather than from the goal. */
UTFALL_API void utfall_table_set_importance(utfall_table *t, double weight);

typedef struct utfall_protect_options {
    long min_count; /* N: counts from 1 to N−1 are hidden; below 2 = off */
    utfall_lang lang;
    int audit;      /* the audit will be written: find every range, not only those needed */
} utfall_protect_options;

/* Protect the document in place: hides cells and rewrites the notes that
 * state counts.  Fails (UTFALL_ERR_IO, code "protect-solver") when the
 * solver cannot finish, and with UTFALL_ERR_INTERNAL when the published
 * counts contradict their definitions: never returns an unprotected
 * document as protected. */
UTFALL_API utfall_status utfall_doc_protect(utfall_doc *d, const utfall_protect_options *opt,
                                            utfall_error *err);

/* The audit a dataskyddsombud reads: every count with its definition,
 * whether it is published, hidden as primary or secondary, or an implied
 * complement, and for every hidden or implied count the range of values
 * consistent with everything published (JSON).  Call after protecting. */
UTFALL_API utfall_status utfall_doc_write_audit(const utfall_doc *d, FILE *out,
                                                utfall_error *err);

#ifdef __cplusplus
}
#endif
#endif
