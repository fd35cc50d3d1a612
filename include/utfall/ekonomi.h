/* utfall — a project's ledger (utfall-ekonomi(5)): budget and requisitions
 * (rekvirerade medel) per financier and period, for the ekonomisk
 * redovisning of a slutrapport.
 *
 * A ledger is a CSV file of rows, each an amount of a financier for a
 * period of whole months: a budget, an amount requisitioned, or both.
 * Amounts are kronor, not counts of people: nothing in a ledger is
 * suppressed.  A cost per participant is another matter: it is computed
 * from a count and is hidden with it (the report declares that). */
#ifndef UTFALL_EKONOMI_H
#define UTFALL_EKONOMI_H

#include <stddef.h>

#include "utfall/csvread.h"
#include "utfall/error.h"
#include "utfall/i18n.h"
#include "utfall/table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Months are counted from year 0: year * 12 + month - 1. */
typedef struct utfall_ledger_entry {
    char *financier; /* as written */
    char *phase;     /* förstudie, genomförande, …; "" = not given */
    int from, to;    /* the period, whole months, from <= to */
    double budget;   /* kronor; NAN = none on this row */
    double spent;    /* rekvirerat; NAN = none on this row */
    char *note;      /* "" = none */
    long line;       /* physical line in the file */
} utfall_ledger_entry;

typedef struct utfall_ledger {
    utfall_ledger_entry *rows;
    size_t n, cap;
    char *name; /* the file's name, for notes and errors */
} utfall_ledger;

/* Read a ledger; errors name the file, the line and the column, and a
 * personal identity number anywhere in it is refused (exit status 3),
 * never echoed. */
UTFALL_API utfall_status utfall_ledger_read(utfall_ledger **out, const char *path,
                                            const utfall_csv_options *csv, utfall_error *err);
UTFALL_API void utfall_ledger_free(utfall_ledger *l);

/* The sums over every row (NAN budget: no row has one). */
UTFALL_API void utfall_ledger_totals(const utfall_ledger *l, double *budget, double *spent);

/* An amount of a period that crosses a year is shared out on the years in
 * proportion to its months, in whole kronor (öre when the amount has
 * them), the parts adding up to the amount exactly.  years[k] gets
 * amounts[k]; returns the number of years (at most max). */
UTFALL_API size_t utfall_ledger_split_years(int from, int to, double amount, int *years,
                                            double *amounts, size_t max);

/* The ledger within the months from..to (a reporting period): rows outside
 * it are left out; a row partly inside keeps the part of its amounts that
 * falls on its months inside, in proportion to months, rounded to whole
 * kronor (öre when the amount has them), its period cut to the months
 * inside.  *out is the caller's to free. */
UTFALL_API utfall_status utfall_ledger_restrict(const utfall_ledger *l, int from, int to,
                                                utfall_ledger **out, utfall_error *err);

/* "2011-08" or "2011-08 – 2012-01" for a period of months. */
UTFALL_API void utfall_ledger_period(int from, int to, char *buf, size_t size);

typedef struct utfall_ekonomi_options {
    utfall_lang lang;
} utfall_ekonomi_options;

/* Adds the tables
 *   "years"        financier × calendar year: budget, requisitioned, share
 *                  of the budget used; a subtotal per financier and the
 *                  total;
 *   "phases"       financier × phase with its months (when the ledger
 *                  names phases);
 *   "requisitions" every row with an amount requisitioned, as written;
 * with notes saying how amounts of periods that cross a year are shared
 * out.  Amounts are UTFALL_COL_AMOUNT, never suppressed. */
UTFALL_API utfall_status utfall_ekonomi_compute(const utfall_ledger *l,
                                                const utfall_ekonomi_options *opt,
                                                utfall_doc *doc, utfall_error *err);

#ifdef __cplusplus
}
#endif
#endif
