/* The ledger (utfall-ekonomi(5)) against the sums seed 000 prints in its
 * Bilaga 2, the AMA project's ekonomisk rapport: data-samples/ama-ekonomi.csv
 * is transcribed from its requisitions (one row per period) and budgets,
 * and every printed total must come back from it.
 *
 * Where the seed does not add up.  Every printed sum is the sum of its
 * parts.  The two financiers' summary tables are not consistent with each
 * other, though, nor Försäkringskassan's with itself:
 *   - Försäkringskassan's row "2011 08-2012 01" gives 110 000 requisitioned,
 *     but its requisitions for that förstudie are 110 000 (aug-dec 2011) +
 *     22 000 (jan 2012) = 132 000; the 22 000 sit in its 2012 row instead
 *     (852 000 = 830 000 genomförande + 22 000 förstudie);
 *   - Arbetsförmedlingen's row "2011 08-2012 01" holds all its förstudie
 *     (33 447, January 2012's 5 273 too) and its 2012 row (488 591) only
 *     genomförande: January 2012 is booked two ways;
 *   - Arbetsförmedlingen's budget has no förstudie line, so its "98 %" sets
 *     förstudie + genomförande against a genomförande budget.
 * The report books by calendar month (see utfall-ekonomi(5)), so its per
 * year figures are consistent across financiers and say how they differ
 * from the seed's: Arbetsförmedlingen 2012 = 488 591 + 5 273 = 493 864;
 * Försäkringskassan's förstudie budget (2011-08 - 2012-01) is shared out
 * 91 667 / 18 333. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/utfall.h"

static int failures;

#define CHECK(cond, ...)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                           \
            fprintf(stderr, __VA_ARGS__);                                                  \
            fputc('\n', stderr);                                                           \
            failures++;                                                                    \
        }                                                                                  \
    } while (0)

/* The sum of one financier's amounts (budget or spent), of one phase
 * ("" = every phase), in one calendar year of the period's first month (0
 * = every year). */
static double sum(const utfall_ledger *l, const char *fin, const char *phase, int year,
                  int budget)
{
    double s = 0;
    for (size_t i = 0; i < l->n; i++) {
        const utfall_ledger_entry *e = &l->rows[i];
        double v = budget ? e->budget : e->spent;
        if (isnan(v) || strcmp(e->financier, fin) || (*phase && strcmp(e->phase, phase))
            || (year && e->from / 12 != year))
            continue;
        s += v;
    }
    return s;
}

static const char AF[] = "Arbetsförmedlingen", FK[] = "Försäkringskassan";

static void test_seed_sums(const char *path)
{
    utfall_ledger *l = NULL;
    utfall_error err;
    utfall_error_clear(&err);
    CHECK(utfall_ledger_read(&l, path, &(utfall_csv_options){0}, &err) == UTFALL_OK, "read: %s",
          err.text);
    if (!l)
        return;
    /* Arbetsförmedlingen: "Totalt 33 447" (förstudie), "TOTALT 1 335 323"
     * (genomförande), 488 591 / 568 692 / 278 040 per year, "Summa
     * 1 394 000 / 1 368 770" */
    CHECK(sum(l, AF, "förstudie", 0, 0) == 33447, "AF förstudie %.0f", sum(l, AF, "förstudie", 0, 0));
    CHECK(sum(l, AF, "genomförande", 0, 0) == 1335323, "AF genomförande");
    CHECK(sum(l, AF, "genomförande", 2012, 0) == 488591, "AF 2012");
    CHECK(sum(l, AF, "genomförande", 2013, 0) == 568692, "AF 2013");
    CHECK(sum(l, AF, "genomförande", 2014, 0) == 278040, "AF 2014");
    CHECK(sum(l, AF, "", 0, 0) == 1368770, "AF rekvirerat %.0f", sum(l, AF, "", 0, 0));
    CHECK(sum(l, AF, "", 0, 1) == 1394000, "AF budget %.0f", sum(l, AF, "", 0, 1));
    CHECK(sum(l, AF, "", 2012, 1) == 517000 && sum(l, AF, "", 2013, 1) == 580000
              && sum(l, AF, "", 2014, 1) == 297000, "AF budget per year");
    /* Försäkringskassan: "132 000" (förstudie), "2 253 736" (genomförande),
     * its rows 852 000 (2012, with January's förstudie), 955 000, 468 736,
     * "Summa 2 404 000 / 2 385 736" */
    CHECK(sum(l, FK, "förstudie", 0, 0) == 132000, "FK förstudie");
    CHECK(sum(l, FK, "genomförande", 0, 0) == 2253736, "FK genomförande");
    CHECK(sum(l, FK, "", 2012, 0) == 852000, "FK 2012 %.0f", sum(l, FK, "", 2012, 0));
    CHECK(sum(l, FK, "", 2013, 0) == 955000, "FK 2013");
    CHECK(sum(l, FK, "", 2014, 0) == 468736, "FK 2014");
    CHECK(sum(l, FK, "", 0, 0) == 2385736, "FK rekvirerat %.0f", sum(l, FK, "", 0, 0));
    CHECK(sum(l, FK, "", 0, 1) == 2404000, "FK budget %.0f", sum(l, FK, "", 0, 1));
    double b, s;
    utfall_ledger_totals(l, &b, &s);
    CHECK(b == 1394000 + 2404000 && s == 1368770 + 2385736, "totals %.0f %.0f", b, s);
    utfall_ledger_free(l);
}

/* The report's table by year: the financiers' sums as the seed prints
 * them, and the consistent per-year figures. */
static void test_years_table(const char *path)
{
    utfall_ledger *l = NULL;
    utfall_error err;
    utfall_error_clear(&err);
    utfall_doc *d = utfall_doc_new();
    if (utfall_ledger_read(&l, path, &(utfall_csv_options){0}, &err) || !d) {
        CHECK(0, "read: %s", err.text);
        utfall_doc_free(d);
        return;
    }
    utfall_ekonomi_options eo = {UTFALL_LANG_SV};
    CHECK(utfall_ekonomi_compute(l, &eo, d, &err) == UTFALL_OK, "compute: %s", err.text);
    utfall_table *t = utfall_doc_table(d, "years");
    CHECK(t != NULL, "no table years");
    int fin = t ? utfall_table_column_index(t, "finansiar") : -1;
    int year = t ? utfall_table_column_index(t, "ar") : -1;
    int bud = t ? utfall_table_column_index(t, "budget") : -1;
    int req = t ? utfall_table_column_index(t, "requisitioned") : -1;
    int found = 0;
    for (int r = 0; t && r < utfall_table_nrows(t); r++) {
        const char *f = utfall_table_text(t, r, fin), *y = utfall_table_text(t, r, year);
        double vb = utfall_table_num(t, r, bud), vr = utfall_table_num(t, r, req);
        if (utfall_table_is_total(t, r)) {
            CHECK(vb == 3798000 && vr == 3754506, "total %.0f %.0f", vb, vr);
            found++;
        } else if (!strcmp(y, "summa")) {
            CHECK(!strcmp(f, AF) ? vb == 1394000 && vr == 1368770 : vb == 2404000 && vr == 2385736,
                  "%s summa %.0f %.0f", f, vb, vr);
            found++;
        } else if (!strcmp(f, AF) && !strcmp(y, "2012")) {
            CHECK(vb == 517000 && vr == 488591 + 5273, "AF 2012 %.0f %.0f", vb, vr);
            found++;
        } else if (!strcmp(f, FK) && !strcmp(y, "2011")) {
            CHECK(vb == 91667 && vr == 110000, "FK 2011 %.0f %.0f", vb, vr);
            found++;
        } else if (!strcmp(f, FK) && !strcmp(y, "2012")) {
            CHECK(vb == 852000 + 18333 && vr == 852000, "FK 2012 %.0f %.0f", vb, vr);
            found++;
        }
    }
    CHECK(found == 6, "%d of the 6 rows checked were found", found);
    utfall_doc_free(d);
    utfall_ledger_free(l);
}

/* A reporting period takes the amounts of its months: 2013 is what the
 * seed prints for 2013; a row half inside keeps half. */
static void test_restrict(const char *path)
{
    utfall_ledger *l = NULL, *y = NULL, *h = NULL;
    utfall_error err;
    utfall_error_clear(&err);
    if (utfall_ledger_read(&l, path, &(utfall_csv_options){0}, &err)) {
        CHECK(0, "read: %s", err.text);
        return;
    }
    CHECK(utfall_ledger_restrict(l, 2013 * 12, 2013 * 12 + 11, &y, &err) == UTFALL_OK, "%s",
          err.text);
    CHECK(y && sum(y, AF, "", 0, 0) == 568692 && sum(y, AF, "", 0, 1) == 580000,
          "AF 2013 %.0f", y ? sum(y, AF, "", 0, 0) : -1);
    CHECK(y && sum(y, FK, "", 0, 0) == 955000 && sum(y, FK, "", 0, 1) == 955000, "FK 2013");
    /* 2011-11 - 2012-01: FK's förstudie budget (6 months) keeps 3 of them */
    CHECK(utfall_ledger_restrict(l, 2011 * 12 + 10, 2012 * 12, &h, &err) == UTFALL_OK, "%s",
          err.text);
    CHECK(h && sum(h, FK, "förstudie", 0, 1) == 55000, "FK förstudie budget %.0f",
          h ? sum(h, FK, "förstudie", 0, 1) : -1);
    /* aug-dec 2011's 110 000 keeps 2 of 5 months, January's 22 000 all */
    CHECK(h && sum(h, FK, "förstudie", 0, 0) == 44000 + 22000, "FK förstudie %.0f",
          h ? sum(h, FK, "förstudie", 0, 0) : -1);
    utfall_ledger_free(h);
    utfall_ledger_free(y);
    utfall_ledger_free(l);
}

static void test_split(void)
{
    int years[8];
    double parts[8];
    size_t n = utfall_ledger_split_years(2011 * 12 + 7, 2012 * 12, 110000, years, parts, 8);
    CHECK(n == 2 && years[0] == 2011 && parts[0] == 91667 && years[1] == 2012 && parts[1] == 18333,
          "110 000 over 2011-08 - 2012-01: %zu parts, %.2f %.2f", n, parts[0], parts[1]);
    n = utfall_ledger_split_years(2012 * 12 + 1, 2012 * 12 + 3, 134933, years, parts, 8);
    CHECK(n == 1 && parts[0] == 134933, "one year: whole");
    n = utfall_ledger_split_years(2012 * 12 + 11, 2014 * 12, 1000.05, years, parts, 8);
    CHECK(n == 3 && fabs(parts[0] + parts[1] + parts[2] - 1000.05) < 1e-9,
          "öre: %.2f + %.2f + %.2f", parts[0], parts[1], parts[2]);
    n = utfall_ledger_split_years(2012 * 12 + 6, 2013 * 12 + 5, -1200, years, parts, 8);
    CHECK(n == 2 && parts[0] == -600 && parts[1] == -600, "a repayment: %.2f %.2f", parts[0],
          parts[1]);
}

/* Errors name the line and the column; an identity number is refused. */
static void test_errors(const char *dir)
{
    static const struct {
        const char *text;
        utfall_status status;
        long line;
        const char *column, *says;
    } cases[] = {
        {"finansiar,fran,rekvirerat\nAF,aug-dec 2011,28174\n", UTFALL_ERR_DATA, 2, "fran",
         "is not a month"},
        {"finansiar,fran,till,rekvirerat\nAF,2012-05,2012-02,1\n", UTFALL_ERR_DATA, 2, "till",
         "ends"},
        {"finansiar,ar,budget\nAF,2012,mycket\n", UTFALL_ERR_DATA, 2, "budget",
         "not an amount"},
        {"finansiar,ar,budget,rekvirerat\nAF,2012,,\n", UTFALL_ERR_DATA, 2, "rekvirerat",
         "no amount"},
        {"finansiar,ar,belopp\nAF,2012,1\n", UTFALL_ERR_DATA, 1, "belopp", "unknown column"},
        {"finansiar,ar,budget\n,2012,1\n", UTFALL_ERR_DATA, 2, "finansiar", "no financier"},
        {"finansiar,ar,budget,anteckning\nAF,2012,1,19121212-1212\n", UTFALL_ERR_PRIVACY, 2,
         "anteckning", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/ledger%zu.csv", dir, i);
        FILE *f = fopen(path, "w");
        if (!f) {
            CHECK(0, "cannot write %s", path);
            continue;
        }
        fputs(cases[i].text, f);
        fclose(f);
        utfall_ledger *l = NULL;
        utfall_error err;
        utfall_error_clear(&err);
        utfall_status st = utfall_ledger_read(&l, path, &(utfall_csv_options){0}, &err);
        CHECK(st == cases[i].status && !l, "case %zu: status %d (%s)", i, st, err.text);
        CHECK(err.line == cases[i].line, "case %zu: line %ld", i, err.line);
        CHECK(!cases[i].column || !strcmp(err.column, cases[i].column), "case %zu: column '%s'",
              i, err.column);
        CHECK(!cases[i].says || strstr(err.text, cases[i].says), "case %zu: '%s'", i, err.text);
        CHECK(!strstr(err.text, "19121212"), "case %zu echoes the number", i);
        utfall_ledger_free(l);
        remove(path);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_ekonomi data-samples/ama-ekonomi.csv TMPDIR\n");
        return 2;
    }
    utfall_init();
    test_seed_sums(argv[1]);
    test_years_table(argv[1]);
    test_restrict(argv[1]);
    test_split();
    test_errors(argv[2]);
    if (failures)
        fprintf(stderr, "%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
