/* Synthetic extracts: a streamed generic extract and presets constructed
 * to reproduce published project figures exactly.  See synth.h and
 * data-samples/README.md for what each preset reproduces and why. */
#include "utfall/synth.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "utfall/date.h"
#include "utfall/extract.h"
#include "core/internal.h"

/* ---- the generator: splitmix64 seeds xoshiro256** ---- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void utfall_rng_seed(utfall_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t utfall_rng_next(utfall_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t utfall_rng_below(utfall_rng *r, uint64_t n)
{
    if (n <= 1)
        return 0;
    /* reject the top partial block so every value is equally likely */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t v;
    do
        v = utfall_rng_next(r);
    while (v >= limit);
    return v % n;
}

/* lo .. hi inclusive */
static int rng_range(utfall_rng *r, int lo, int hi)
{
    return hi <= lo ? lo : lo + (int)utfall_rng_below(r, (uint64_t)(hi - lo + 1));
}

static void shuffle_ints(utfall_rng *r, int *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)utfall_rng_below(r, i);
        int t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

/* Index drawn from cumulative integer weights. */
static int pick_weighted(utfall_rng *r, const int *cum, int n)
{
    int v = (int)utfall_rng_below(r, (uint64_t)cum[n - 1]);
    int i = 0;
    while (cum[i] <= v)
        i++;
    return i;
}

/* ---- presets: names ---- */

static const char *const preset_names[] = {"", "ama", "uma-ludvika", "fk2017"};

int utfall_synth_preset_parse(const char *name, utfall_synth_preset *out)
{
    for (int i = 1; i < 4; i++)
        if (!strcmp(name, preset_names[i])) {
            *out = (utfall_synth_preset)i;
            return 0;
        }
    return -1;
}

const char *utfall_synth_preset_name(utfall_synth_preset p)
{
    return (unsigned)p < 4 ? preset_names[p] : "";
}

int utfall_synth_preset_has_spells(utfall_synth_preset p)
{
    return p == UTFALL_SYNTH_FK2017;
}

void utfall_synth_options_init(utfall_synth_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->preset = UTFALL_SYNTH_GENERIC;
    opt->rows = UTFALL_SYNTH_DEFAULT_ROWS;
    opt->seed = 1;
}

/* ---- output: one big buffer, no allocation per row ---- */

typedef struct writer {
    FILE *fp;
    char *buf;
    size_t n, cap;
    int failed;
} writer;

static int writer_init(writer *w, FILE *fp, size_t cap)
{
    w->fp = fp;
    w->n = 0;
    w->cap = cap;
    w->failed = 0;
    w->buf = malloc(cap);
    return w->buf ? 0 : -1;
}

static void writer_flush(writer *w)
{
    if (w->n && !w->failed && fwrite(w->buf, 1, w->n, w->fp) != w->n)
        w->failed = 1;
    w->n = 0;
}

/* Room for one row: rows are far shorter than this. */
static void writer_reserve(writer *w)
{
    if (w->cap - w->n < 512)
        writer_flush(w);
}

static void put_char(writer *w, char c)
{
    w->buf[w->n++] = c;
}

static void put_str(writer *w, const char *s)
{
    size_t len = strlen(s);
    memcpy(w->buf + w->n, s, len);
    w->n += len;
}

static void put_uint(writer *w, unsigned long long v, int width)
{
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (k < width)
        tmp[k++] = '0';
    while (k)
        w->buf[w->n++] = tmp[--k];
}

static void put_date(writer *w, utfall_date d)
{
    if (d == UTFALL_DATE_NONE)
        return;
    int y, m, dd;
    utfall_date_to_ymd(d, &y, &m, &dd);
    put_uint(w, (unsigned)y, 4);
    put_char(w, '-');
    put_uint(w, (unsigned)m, 2);
    put_char(w, '-');
    put_uint(w, (unsigned)dd, 2);
}

/* Hours kept in half hours: 19 → "9.5", 20 → "10"; negative = blank. */
static void put_half_hours(writer *w, int half)
{
    if (half < 0)
        return;
    put_uint(w, (unsigned)(half / 2), 0);
    if (half % 2)
        put_str(w, ".5");
}

static void put_id(writer *w, int n)
{
    put_char(w, 'P');
    put_uint(w, (unsigned)n, 6);
}

static utfall_status writer_finish(writer *w, utfall_error *err)
{
    writer_flush(w);
    free(w->buf);
    w->buf = NULL;
    if (w->failed || fflush(w->fp) != 0 || ferror(w->fp))
        return utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_WRITE_ERROR, "cannot write: %s",
                                strerror(errno ? errno : EIO));
    return UTFALL_OK;
}

/* ---- the generic extract ---- */

/* Twenty kommuner, weighted roughly by population. */
static const char *const generic_enheter[] = {
    "Stockholm", "Göteborg", "Malmö", "Uppsala", "Västerås", "Örebro", "Linköping",
    "Helsingborg", "Jönköping", "Norrköping", "Lund", "Umeå", "Gävle", "Borås",
    "Eskilstuna", "Södertälje", "Karlstad", "Växjö", "Halmstad", "Luleå"};
static const int generic_enhet_weight[] = {90, 58, 35, 23, 16, 16, 16, 15, 14, 14,
                                           13, 13, 10, 11, 10, 10, 9, 9, 10, 8};

/* Exit outcomes of the generic extract, in per mille. */
static const int generic_outcome_weight[UTFALL_OUTCOME_COUNT] = {
    170, /* arbete */
    70,  /* arbete_med_stod */
    110, /* studier */
    100, /* arbetssokande */
    50,  /* praktik */
    100, /* annan_insats */
    120, /* vard */
    30,  /* foraldraledighet */
    80,  /* flytt */
    70,  /* ej_kontaktbar */
    70,  /* avbrott */
    30,  /* annat */
};

static const char *const insatser[] = {"SE", "FS", "CM"};

enum { GENERIC_NE = sizeof generic_enheter / sizeof generic_enheter[0] };

/* What every row of the generic extract is drawn from. */
struct generic_plan {
    int enhet_cum[GENERIC_NE], outcome_cum[UTFALL_OUTCOME_COUNT];
    utfall_date first, last_in, last_out;
};

/* One row as drawn; -1 marks a blank value. */
struct generic_row {
    int woman, insats, age, enhet, outcome, fore, efter;
    utfall_date in, out;
};

static void generic_plan_init(struct generic_plan *g)
{
    for (int i = 0, s = 0; i < GENERIC_NE; i++)
        g->enhet_cum[i] = s += generic_enhet_weight[i];
    for (int i = 0, s = 0; i < UTFALL_OUTCOME_COUNT; i++)
        g->outcome_cum[i] = s += generic_outcome_weight[i];
    g->first = utfall_date_from_ymd(2010, 1, 1);
    g->last_in = utfall_date_from_ymd(2024, 6, 30);
    g->last_out = utfall_date_from_ymd(2024, 12, 31);
}

/* The draws of one row, in the order of the stream: changing it changes
 * every extract written so far. */
static void draw_generic(utfall_rng *r, const struct generic_plan *g, struct generic_row *row)
{
    /* one draw feeds the small choices: kon, insats, age, blanks */
    uint64_t bits = utfall_rng_next(r);
    row->woman = (int)(bits % 100) < 48;
    row->insats = (int)((bits >> 8) % 3);
    row->age = 19 + (int)((bits >> 16) % 11);
    int exit_roll = (int)((bits >> 24) % 100);
    int fore_blank = (int)((bits >> 32) % 100) < 6;
    int efter_roll = (int)((bits >> 40) % 100);
    row->in = g->first + (utfall_date)utfall_rng_below(r, (uint64_t)(g->last_in - g->first + 1));
    row->out = UTFALL_DATE_NONE;
    row->outcome = -1;
    if (exit_roll < 76) {
        /* skewed: many stay 3-12 months, some two years or more */
        int days = 30 + (int)utfall_rng_below(r, 300) + (int)utfall_rng_below(r, 420);
        if (row->in + days <= g->last_out) {
            row->out = row->in + days;
            row->outcome = pick_weighted(r, g->outcome_cum, UTFALL_OUTCOME_COUNT);
        }
    }
    uint64_t hbits = utfall_rng_next(r);
    int fore = (int)(hbits % 21) + (int)((hbits >> 8) % 21) / 2; /* 0..30, mostly low */
    int change = (int)((hbits >> 16) % 29) - 8;                 /* -8..20 */
    if ((hbits >> 24) % 4 == 0)
        change = 0; /* a quarter report the same hours */
    int efter = fore + change;
    if (efter < 0)
        efter = 0;
    if (efter > 40)
        efter = 40;
    int efter_blank = row->out == UTFALL_DATE_NONE ? efter_roll < 40 : efter_roll < 8;
    row->fore = fore_blank ? -1 : fore;
    row->efter = efter_blank ? -1 : efter;
    row->enhet = pick_weighted(r, g->enhet_cum, GENERIC_NE);
}

static void put_generic(writer *w, long long i, int width, const struct generic_row *row)
{
    int y, m, d;
    utfall_date_to_ymd(row->in, &y, &m, &d);
    put_char(w, 'P');
    put_uint(w, (unsigned long long)i, width);
    put_str(w, row->woman ? ",k," : ",m,");
    put_uint(w, (unsigned)(y - row->age), 4);
    put_char(w, ',');
    put_str(w, generic_enheter[row->enhet]);
    put_char(w, ',');
    put_str(w, insatser[row->insats]);
    put_char(w, ',');
    put_date(w, row->in);
    put_char(w, ',');
    put_date(w, row->out);
    put_char(w, ',');
    if (row->outcome >= 0)
        put_str(w, utfall_outcome_key(row->outcome));
    put_char(w, ',');
    if (row->fore >= 0)
        put_uint(w, (unsigned)row->fore, 0);
    put_char(w, ',');
    if (row->efter >= 0)
        put_uint(w, (unsigned)row->efter, 0);
    put_char(w, '\n');
}

static utfall_status write_generic(const utfall_synth_options *opt, FILE *out,
                                   utfall_error *err)
{
    struct generic_plan g;
    generic_plan_init(&g);
    int width = 6; /* of the running number: P000001 … */
    for (long long v = 1000000; v <= opt->rows; v *= 10)
        width++;
    utfall_rng r;
    utfall_rng_seed(&r, opt->seed);
    writer w;
    if (writer_init(&w, out, 1u << 20))
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    put_str(&w, "id,kon,fodelsear,enhet,insats,inskriven,avslutad,avslutsorsak,timmar_fore,"
                "timmar_efter\n");
    for (long long i = 1; i <= opt->rows && !w.failed; i++) {
        struct generic_row row;
        draw_generic(&r, &g, &row);
        writer_reserve(&w);
        put_generic(&w, i, width, &row);
    }
    return writer_finish(&w, err);
}

/* ---- presets: constructed person by person ---- */

enum {
    COL_ID = 1 << 0,
    COL_KON = 1 << 1,
    COL_FODELSEAR = 1 << 2,
    COL_ENHET = 1 << 3,
    COL_INSATS = 1 << 4,
    COL_INSKRIVEN = 1 << 5,
    COL_AVSLUTAD = 1 << 6,
    COL_AVSLUTSORSAK = 1 << 7,
    COL_TIMMAR_FORE = 1 << 8,
    COL_TIMMAR_EFTER = 1 << 9,
    COL_FORSORJNING_FORE = 1 << 10,
    COL_FORSORJNING_EFTER = 1 << 11,
    COL_UPPFOLJD_TILL = 1 << 12,
};

static const char *const col_names[] = {
    "id", "kon", "fodelsear", "enhet", "insats", "inskriven", "avslutad", "avslutsorsak",
    "timmar_fore", "timmar_efter", "forsorjning_fore", "forsorjning_efter", "uppfoljd_till"};

typedef struct episode {
    int person;            /* person number before ids are given */
    int id;                /* P000001 … in order of first enrolment */
    char kon;              /* 'k' or 'm' */
    int age;
    int born;              /* fodelsear when fixed by an earlier episode; 0 = from age */
    const char *enhet;
    const char *insats;
    utfall_date in, out, follow;
    int outcome;           /* -1 = none (still active) */
    int fore2, efter2;     /* half hours; -1 = blank */
    int income_fore, income_efter; /* -1 = blank */
    int order;             /* construction order: ties in sorting */
} episode;

typedef struct spell_out {
    int person;
    int status;
    utfall_date from, to; /* to NONE = ongoing at the end of follow-up */
} spell_out;

static int cmp_episode(const void *a, const void *b)
{
    const episode *x = a, *y = b;
    if (x->in != y->in)
        return x->in < y->in ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

/* Ids follow the first enrolment of each person, as a case system's
 * running numbers do. */
static void assign_ids(episode *e, size_t n, int npersons, int *id_of_person)
{
    qsort(e, n, sizeof *e, cmp_episode);
    for (int p = 0; p < npersons; p++)
        id_of_person[p] = 0;
    int next = 1;
    for (size_t i = 0; i < n; i++) {
        if (!id_of_person[e[i].person])
            id_of_person[e[i].person] = next++;
        e[i].id = id_of_person[e[i].person];
    }
}

static void write_episodes(writer *w, const episode *e, size_t n, unsigned cols)
{
    int first = 1;
    for (size_t c = 0; c < sizeof col_names / sizeof col_names[0]; c++)
        if (cols & (1u << c)) {
            if (!first)
                put_char(w, ',');
            put_str(w, col_names[c]);
            first = 0;
        }
    put_char(w, '\n');
    for (size_t i = 0; i < n; i++) {
        writer_reserve(w);
        const episode *x = &e[i];
        first = 1;
        for (unsigned c = 0; c < sizeof col_names / sizeof col_names[0]; c++) {
            if (!(cols & (1u << c)))
                continue;
            if (!first)
                put_char(w, ',');
            first = 0;
            int y, m, d;
            switch (1u << c) {
            case COL_ID: put_id(w, x->id); break;
            case COL_KON: put_char(w, x->kon); break;
            case COL_FODELSEAR:
                utfall_date_to_ymd(x->in, &y, &m, &d);
                put_uint(w, (unsigned)(x->born ? x->born : y - x->age), 4);
                break;
            case COL_ENHET: put_str(w, x->enhet ? x->enhet : ""); break;
            case COL_INSATS: put_str(w, x->insats ? x->insats : ""); break;
            case COL_INSKRIVEN: put_date(w, x->in); break;
            case COL_AVSLUTAD: put_date(w, x->out); break;
            case COL_AVSLUTSORSAK:
                if (x->outcome >= 0)
                    put_str(w, utfall_outcome_key(x->outcome));
                break;
            case COL_TIMMAR_FORE: put_half_hours(w, x->fore2); break;
            case COL_TIMMAR_EFTER: put_half_hours(w, x->efter2); break;
            case COL_FORSORJNING_FORE:
                if (x->income_fore >= 0)
                    put_str(w, utfall_income_key(x->income_fore));
                break;
            case COL_FORSORJNING_EFTER:
                if (x->income_efter >= 0)
                    put_str(w, utfall_income_key(x->income_efter));
                break;
            case COL_UPPFOLJD_TILL: put_date(w, x->follow); break;
            default: break;
            }
        }
        put_char(w, '\n');
    }
}

/* Move the values v[0..n) one step at a time, round robin from a random
 * start, until they sum to target, each staying within lo[i]..hi[i].
 * The published means are then exact whatever the draws were.
 * -1 when the bounds make the target impossible. */
static int repair_sum(utfall_rng *r, int *v, const int *lo, const int *hi, size_t n,
                      long target)
{
    long sum = 0, min = 0, max = 0;
    for (size_t i = 0; i < n; i++) {
        sum += v[i];
        min += lo[i];
        max += hi[i];
    }
    if (target < min || target > max)
        return -1;
    size_t i = n ? (size_t)utfall_rng_below(r, n) : 0;
    while (sum != target) {
        if (sum < target && v[i] < hi[i]) {
            v[i]++;
            sum++;
        } else if (sum > target && v[i] > lo[i]) {
            v[i]--;
            sum--;
        }
        i = (i + 1) % n;
    }
    return 0;
}

static utfall_status constructed_fail(utfall_error *err)
{
    return utfall_error_set(err, UTFALL_ERR_INTERNAL, UTFALL_EC_SYNTH_CONSTRUCT,
                            "the preset's published figures cannot be constructed");
}

/* ---- AMA, Malmö and Blekinge 2012–2014 (seed 000, §3.1) ---- */

#define AMA_N 322
#define AMA_EXITED 210
#define AMA_WITH_HOURS 281
#define AMA_MEAN_DAYS 317

struct unit_plan {
    const char *enhet;
    int n, men, women, exited;
    int outcomes[UTFALL_OUTCOME_COUNT]; /* among the exited */
};

/* 143 Blekinge / 179 Malmö enrolled, 102 / 108 exited; among the exited
 * arbete 24 + 34, studier 7 + 3, arbetssökande 7 + 8 as published.  The
 * report gives no split of the other 127 exits: ours is a plausible one
 * (vård includes sick leave). */
static const struct unit_plan ama_units[2] = {
    {"Blekinge", 143, 76, 67, 102,
     {[UTFALL_OUTCOME_ARBETE] = 24, [UTFALL_OUTCOME_STUDIER] = 7,
      [UTFALL_OUTCOME_ARBETSSOKANDE] = 7, [UTFALL_OUTCOME_ANNAN_INSATS] = 15,
      [UTFALL_OUTCOME_VARD] = 15, [UTFALL_OUTCOME_AVBROTT] = 11, [UTFALL_OUTCOME_FLYTT] = 7,
      [UTFALL_OUTCOME_EJ_KONTAKTBAR] = 7, [UTFALL_OUTCOME_FORALDRALEDIGHET] = 3,
      [UTFALL_OUTCOME_ANNAT] = 6}},
    {"Malmö", 179, 94, 85, 108,
     {[UTFALL_OUTCOME_ARBETE] = 34, [UTFALL_OUTCOME_STUDIER] = 3,
      [UTFALL_OUTCOME_ARBETSSOKANDE] = 8, [UTFALL_OUTCOME_ANNAN_INSATS] = 14,
      [UTFALL_OUTCOME_VARD] = 16, [UTFALL_OUTCOME_AVBROTT] = 10, [UTFALL_OUTCOME_FLYTT] = 7,
      [UTFALL_OUTCOME_EJ_KONTAKTBAR] = 6, [UTFALL_OUTCOME_FORALDRALEDIGHET] = 4,
      [UTFALL_OUTCOME_ANNAT] = 6}},
};

enum { HRS_UP, HRS_SAME, HRS_DOWN, HRS_NO_EFTER, HRS_NO_FORE, HRS_NONE };

/* Who the 322 are: per unit, gender shuffled over the outcomes as
 * planned. */
static int ama_people(utfall_rng *r, episode *e)
{
    size_t n = 0;
    for (int u = 0; u < 2; u++) {
        const struct unit_plan *p = &ama_units[u];
        int kon[200], status[200];
        int k = 0;
        for (int i = 0; i < p->men; i++)
            kon[k++] = 'm';
        for (int i = 0; i < p->women; i++)
            kon[k++] = 'k';
        k = 0;
        for (int o = 0; o < UTFALL_OUTCOME_COUNT; o++)
            for (int i = 0; i < p->outcomes[o]; i++)
                status[k++] = o;
        if (k != p->exited || p->men + p->women != p->n)
            return -1;
        while (k < p->n)
            status[k++] = -1;
        shuffle_ints(r, kon, (size_t)p->n);
        for (int i = 0; i < p->n; i++) {
            episode *x = &e[n];
            memset(x, 0, sizeof *x);
            x->person = (int)n;
            x->order = (int)n;
            x->kon = (char)kon[i];
            x->enhet = p->enhet;
            x->outcome = status[i];
            x->out = x->follow = UTFALL_DATE_NONE;
            n++;
        }
    }
    return 0;
}

/* Activity hours: 183 up, 76 unchanged, 22 down among the 281 with
 * both values, mean change exactly +9.5 h/week; 41 lack one or both. */
enum { AMA_UP = 183 };

struct ama_hours {
    int kind[AMA_N]; /* HRS_* of each participant */
    int up[AMA_UP];  /* whole hours of each increase */
    int nup;
    int half_at; /* the increase that also has the half hour */
};

static int ama_hour_kinds(utfall_rng *r, struct ama_hours *h)
{
    static const int plan[][2] = {{HRS_UP, AMA_UP}, {HRS_SAME, 76},    {HRS_DOWN, 22},
                                  {HRS_NO_EFTER, 17}, {HRS_NO_FORE, 9}, {HRS_NONE, 15}};
    int k = 0;
    for (size_t j = 0; j < sizeof plan / sizeof plan[0]; j++)
        for (int i = 0; i < plan[j][1]; i++)
            h->kind[k++] = plan[j][0];
    if (k != AMA_N)
        return -1;
    shuffle_ints(r, h->kind, AMA_N);
    return 0;
}

/* Decreases: whole hours 1..8, kept in efter2 until fore2 is drawn;
 * increases: whole hours 1..30, then repaired to the exact total, and
 * one half hour for the .5 */
static int ama_hour_changes(utfall_rng *r, episode *e, struct ama_hours *h)
{
    int up_lo[AMA_UP], up_hi[AMA_UP], down_sum = 0;
    h->nup = 0;
    for (int i = 0; i < AMA_N; i++) {
        if (h->kind[i] == HRS_DOWN) {
            e[i].efter2 = -2 * rng_range(r, 1, 8);
            down_sum += e[i].efter2;
        } else if (h->kind[i] == HRS_UP) {
            up_lo[h->nup] = 1;
            up_hi[h->nup] = 30;
            /* one draw after the other: the order of the stream is the data */
            int base = rng_range(r, 1, 12);
            int more = rng_range(r, 0, 18);
            int take = rng_range(r, 0, 1);
            h->up[h->nup++] = base + more * take;
        }
    }
    /* total change 9.5 × 281 = 2669.5 h = 5339 half hours */
    long up_half = 2L * AMA_WITH_HOURS * 19 / 2 - down_sum;
    if (up_half % 2 == 0 || repair_sum(r, h->up, up_lo, up_hi, (size_t)h->nup, (up_half - 1) / 2))
        return -1;
    h->half_at = (int)utfall_rng_below(r, (uint64_t)h->nup);
    while (h->up[h->half_at] >= 30)
        h->half_at = (h->half_at + 1) % h->nup;
    return 0;
}

static void ama_hours_assign(utfall_rng *r, episode *e, const struct ama_hours *h)
{
    for (int i = 0, j = 0; i < AMA_N; i++) {
        episode *x = &e[i];
        switch (h->kind[i]) {
        case HRS_UP: {
            int c2 = 2 * h->up[j] + (j == h->half_at);
            j++;
            x->fore2 = 2 * rng_range(r, 0, (80 - c2) / 2 < 20 ? (80 - c2) / 2 : 20);
            x->efter2 = x->fore2 + c2;
            break;
        }
        case HRS_SAME:
            x->fore2 = x->efter2 = 2 * (rng_range(r, 0, 3) ? rng_range(r, 0, 20) : 0);
            break;
        case HRS_DOWN: {
            int c2 = x->efter2;
            x->fore2 = 2 * rng_range(r, -c2 / 2, 30);
            x->efter2 = x->fore2 + c2;
            break;
        }
        case HRS_NO_EFTER:
            x->fore2 = 2 * rng_range(r, 0, 20);
            x->efter2 = -1;
            break;
        case HRS_NO_FORE:
            x->fore2 = -1;
            x->efter2 = 2 * rng_range(r, 0, 30);
            break;
        default:
            x->fore2 = x->efter2 = -1;
        }
    }
}

static int ama_hours(utfall_rng *r, episode *e)
{
    struct ama_hours h;
    if (ama_hour_kinds(r, &h) || ama_hour_changes(r, e, &h))
        return -1;
    ama_hours_assign(r, e, &h);
    return 0;
}

static int ama_income_after(int outcome)
{
    switch (outcome) {
    case UTFALL_OUTCOME_ARBETE: return UTFALL_INCOME_LON;
    case UTFALL_OUTCOME_STUDIER: return UTFALL_INCOME_STUDIEMEDEL;
    case UTFALL_OUTCOME_ARBETSSOKANDE: return UTFALL_INCOME_AKTIVITETSSTOD;
    default: return UTFALL_INCOME_AKTIVITETSERSATTNING;
    }
}

/* Dates: the project took participants February 2012 – June 2014;
 * exits up to the end of June 2014.  Days in programme over the 210
 * exits sum to exactly 317 × 210.  Ages and income go with them. */
static int ama_dates(utfall_rng *r, episode *e)
{
    const utfall_date start = utfall_date_from_ymd(2012, 2, 1);
    const utfall_date end = utfall_date_from_ymd(2014, 6, 30);
    int days[AMA_EXITED], lo[AMA_EXITED], hi[AMA_EXITED], ne = 0;
    for (int i = 0; i < AMA_N; i++) {
        episode *x = &e[i];
        x->age = rng_range(r, 19, 29);
        x->income_fore = UTFALL_INCOME_AKTIVITETSERSATTNING;
        x->income_efter = -1;
        if (x->outcome < 0) {
            x->in = utfall_date_from_ymd(2012, 9, 1)
                    + rng_range(r, 0, end - 14 - utfall_date_from_ymd(2012, 9, 1));
            continue;
        }
        x->in = start + rng_range(r, 0, utfall_date_from_ymd(2013, 12, 31) - start);
        lo[ne] = 30;
        hi[ne] = end - x->in < 760 ? end - x->in : 760;
        days[ne] = rng_range(r, 30, hi[ne] < 640 ? hi[ne] : 640);
        ne++;
    }
    if (repair_sum(r, days, lo, hi, (size_t)ne, (long)AMA_MEAN_DAYS * AMA_EXITED))
        return -1;
    for (int i = 0, j = 0; i < AMA_N; i++) {
        episode *x = &e[i];
        if (x->outcome < 0)
            continue;
        x->out = x->in + days[j++];
        x->income_efter = ama_income_after(x->outcome);
    }
    return 0;
}

static utfall_status build_ama(utfall_rng *r, episode *e, utfall_error *err)
{
    if (ama_people(r, e) || ama_hours(r, e) || ama_dates(r, e))
        return constructed_fail(err);
    return UTFALL_OK;
}

/* ---- UMA Ludvika 2017–2020 (seed 004, "Punkt 1–3") ---- */

#define UMA_PERSONS 16

static void build_uma(utfall_rng *r, episode *e, size_t *nout)
{
    /* The last exit of each person as the report lists it ("Punkt 3"),
     * -1 for the four still active.  Mapping: mammaledighet →
     * foraldraledighet; social praktik och IFO → annan_insats;
     * boendestödjare → annan_insats; Socialförvaltningen → annat;
     * Vården → vard; flytt till annan kommun → flytt; ej kontaktbar
     * (also the one who had moved) → ej_kontaktbar. */
    static const int last[UMA_PERSONS] = {
        UTFALL_OUTCOME_FORALDRALEDIGHET, UTFALL_OUTCOME_ANNAN_INSATS,
        UTFALL_OUTCOME_STUDIER, /* the person enrolled twice */
        UTFALL_OUTCOME_STUDIER, UTFALL_OUTCOME_ANNAN_INSATS, UTFALL_OUTCOME_ANNAT,
        UTFALL_OUTCOME_VARD, UTFALL_OUTCOME_FLYTT, UTFALL_OUTCOME_FLYTT, UTFALL_OUTCOME_FLYTT,
        UTFALL_OUTCOME_EJ_KONTAKTBAR, UTFALL_OUTCOME_EJ_KONTAKTBAR, -1, -1, -1, -1};
    enum { TWICE = 2 };
    /* 11 women, 5 men; the one on parental leave (mammaledighet) is a woman */
    int kon[UMA_PERSONS - 1], k = 0;
    for (int i = 0; i < 10; i++)
        kon[k++] = 'k';
    for (int i = 0; i < 5; i++)
        kon[k++] = 'm';
    shuffle_ints(r, kon, UMA_PERSONS - 1);
    const utfall_date first_in = utfall_date_from_ymd(2017, 10, 2);
    const utfall_date last_in = utfall_date_from_ymd(2020, 2, 28);
    const utfall_date last_out = utfall_date_from_ymd(2020, 10, 30);
    size_t n = 0;
    for (int p = 0; p < UMA_PERSONS; p++) {
        episode *x = &e[n];
        memset(x, 0, sizeof *x);
        x->person = p;
        x->order = (int)n;
        x->kon = p == 0 ? 'k' : (char)kon[p - 1];
        x->age = rng_range(r, 19, 29);
        x->enhet = "Ludvika";
        x->fore2 = x->efter2 = x->income_fore = x->income_efter = -1;
        x->follow = UTFALL_DATE_NONE;
        x->outcome = last[p];
        if (p == TWICE) {
            /* first episode: interrupted (the report counts persons and
             * lists only the last exit); back after a pause */
            x->in = first_in + rng_range(r, 0, 240);
            x->out = x->in + rng_range(r, 60, 200);
            x->outcome = UTFALL_OUTCOME_AVBROTT;
            int yy, mm, dd;
            utfall_date_to_ymd(x->in, &yy, &mm, &dd);
            x->born = yy - x->age; /* the same person: the same birth year */
            episode *y = &e[++n];
            *y = *x;
            y->order = (int)n;
            y->in = x->out + rng_range(r, 60, 300);
            y->out = y->in + rng_range(r, 120, 400);
            if (y->out > last_out)
                y->out = last_out;
            y->outcome = last[p];
        } else {
            x->in = first_in + rng_range(r, 0, last_in - first_in);
            if (x->outcome >= 0) {
                int maxd = last_out - x->in;
                x->out = x->in + rng_range(r, 45 < maxd ? 45 : maxd, 540 < maxd ? 540 : maxd);
            } else {
                x->out = UTFALL_DATE_NONE;
            }
        }
        n++;
    }
    *nout = n;
}

/* ---- FK effect evaluation SE / FS / CM (seed 002, Socialförsäkringsrapport 2017:5) ---- */

#define FK_N 1063

static const char *const fk_kommuner[25] = {
    "Stockholm", "Göteborg", "Malmö", "Uppsala", "Örebro", "Västerås", "Linköping",
    "Norrköping", "Jönköping", "Umeå", "Luleå", "Sundsvall", "Gävle", "Falun", "Karlstad",
    "Eskilstuna", "Södertälje", "Helsingborg", "Kristianstad", "Halmstad", "Borås",
    "Trollhättan", "Kalmar", "Växjö", "Östersund"};
static const int fk_kommun_weight[25] = {120, 90, 70, 45, 38, 36, 36, 34, 33, 30, 26, 26, 26,
                                         22, 25, 24, 24, 30, 20, 22, 24, 18, 18, 22, 16};

/* One cell of the trial: method × gender.  At month 15: censored (follow-up
 * ended before), in arbete, in arbete_med_stod; the rest not in work.
 * Shares: SE 89/343 = 25.9 %, FS 62/343 = 18.1 %, CM 69/343 = 20.1 %; the
 * SE − FS difference is mostly arbete_med_stod (52 vs 26), and it is among
 * men (59/179 vs 32/178); women 30/164, 30/165, 31/164. */
struct fk_cell {
    const char *insats;
    char kon;
    int n, censored, arbete, med_stod;
};
static const struct fk_cell fk_cells[6] = {
    {"SE", 'k', 170, 6, 15, 15}, {"SE", 'm', 185, 6, 22, 37},
    {"FS", 'k', 170, 5, 15, 15}, {"FS", 'm', 184, 6, 21, 11},
    {"CM", 'k', 170, 6, 16, 15}, {"CM", 'm', 184, 5, 22, 16},
};

enum { FK_CENSORED = -2, FK_NOT_REACHED = -1 };

static utfall_date date_in_month(utfall_rng *r, utfall_date in, int month, utfall_date cap)
{
    utfall_date a = utfall_date_add_months(in, month);
    utfall_date b = utfall_date_add_months(in, month + 1) - 1;
    if (b > cap)
        b = cap;
    if (a > b)
        a = b;
    return a + rng_range(r, 0, b - a);
}

struct spell_list {
    spell_out *items;
    size_t n, cap;
};

static int add_spell(struct spell_list *s, int person, int status, utfall_date from,
                     utfall_date to)
{
    if (UTFALL_GROW(s->items, s->cap, s->n + 1))
        return -1;
    s->items[s->n++] = (spell_out){person, status, from, to};
    return 0;
}

/* The participants, cell by cell: x->outcome holds their status at month
 * 15 (FK_CENSORED, FK_NOT_REACHED or the outcome) until spells are drawn.
 * Returns how many there are. */
static size_t fk_people(utfall_rng *r, episode *e)
{
    int cum[25];
    for (int i = 0, s = 0; i < 25; i++)
        cum[i] = s += fk_kommun_weight[i];
    const utfall_date first_in = utfall_date_from_ymd(2013, 9, 2);
    const utfall_date last_in = utfall_date_from_ymd(2015, 6, 30);
    size_t n = 0;
    for (int c = 0; c < 6; c++) {
        const struct fk_cell *f = &fk_cells[c];
        int status[200], k = 0;
        for (int i = 0; i < f->censored; i++)
            status[k++] = FK_CENSORED;
        for (int i = 0; i < f->arbete; i++)
            status[k++] = UTFALL_OUTCOME_ARBETE;
        for (int i = 0; i < f->med_stod; i++)
            status[k++] = UTFALL_OUTCOME_ARBETE_MED_STOD;
        while (k < f->n)
            status[k++] = FK_NOT_REACHED;
        for (int i = 0; i < f->n; i++) {
            episode *x = &e[n];
            memset(x, 0, sizeof *x);
            x->person = (int)n;
            x->order = (int)n;
            x->kon = f->kon;
            x->insats = f->insats;
            x->age = rng_range(r, 19, 29);
            x->enhet = fk_kommuner[pick_weighted(r, cum, 25)]; /* assign_kommuner */
            x->in = first_in + rng_range(r, 0, last_in - first_in);
            x->out = UTFALL_DATE_NONE;
            x->outcome = status[i];
            x->fore2 = x->efter2 = x->income_fore = x->income_efter = -1;
            n++;
        }
    }
    return n;
}

/* One participant's follow-up: its end, and the spells drawn in it. */
struct fk_follow {
    utfall_rng *r;
    episode *x;
    utfall_date m15;    /* month 15 after enrolment */
    utfall_date end;    /* end of the follow-up for those not censored */
    struct spell_list *spells;
};

/* Left the follow-up (moved abroad, withdrew) before month 15. */
static int fk_censored(struct fk_follow *f)
{
    utfall_rng *r = f->r;
    episode *x = f->x;
    x->follow = x->in + rng_range(r, 60, f->m15 - 1 - x->in);
    if (rng_range(r, 0, 1) && x->follow - x->in > 60) {
        utfall_date a = x->in + rng_range(r, 14, 40);
        return add_spell(f->spells, x->person, UTFALL_OUTCOME_PRAKTIK, a,
                         a + rng_range(r, 14, x->follow - a));
    }
    return 0;
}

/* In work at month 15: started between month 2 and month 15, often after
 * a work placement. */
static int fk_in_work(struct fk_follow *f, int status)
{
    utfall_rng *r = f->r;
    episode *x = f->x;
    int bad = 0;
    x->follow = f->end;
    int sm = rng_range(r, 2, 14);
    utfall_date from = date_in_month(r, x->in, sm, f->m15);
    if (sm >= 4 && rng_range(r, 0, 2) == 0) {
        utfall_date a = date_in_month(r, x->in, rng_range(r, 1, sm - 2), from - 1);
        bad |= add_spell(f->spells, x->person, UTFALL_OUTCOME_PRAKTIK, a, from - 1);
    }
    utfall_date to = UTFALL_DATE_NONE;
    if (rng_range(r, 0, 4) < 2) {
        to = date_in_month(r, x->in, rng_range(r, 16, 30), f->end);
        if (to < f->m15 || to >= f->end)
            to = UTFALL_DATE_NONE;
    }
    bad |= add_spell(f->spells, x->person, status, from, to);
    return bad;
}

/* Not in work at month 15: a job that ended, studies, a placement,
 * job-seeking, or nothing recorded. */
static int fk_not_in_work(struct fk_follow *f)
{
    utfall_rng *r = f->r;
    episode *x = f->x;
    const utfall_date m15 = f->m15;
    int p = x->person, bad = 0;
    x->follow = f->end;
    int kind = rng_range(r, 0, 99);
    if (kind < 14) {
        /* a job that ended before month 15, then job-seeking */
        int sm = rng_range(r, 2, 9), em = rng_range(r, sm + 1, 13);
        int stt = rng_range(r, 0, 1) ? UTFALL_OUTCOME_ARBETE : UTFALL_OUTCOME_ARBETE_MED_STOD;
        utfall_date from = date_in_month(r, x->in, sm, m15 - 1);
        utfall_date to = date_in_month(r, x->in, em, m15 - 1);
        if (to < from)
            to = from;
        bad = add_spell(f->spells, p, stt, from, to);
        bad |= add_spell(f->spells, p, UTFALL_OUTCOME_ARBETSSOKANDE, to + 1, UTFALL_DATE_NONE);
    } else if (kind < 34) {
        utfall_date from = date_in_month(r, x->in, rng_range(r, 3, 14), m15);
        utfall_date to = date_in_month(r, x->in, rng_range(r, 17, 30), f->end);
        bad = add_spell(f->spells, p, UTFALL_OUTCOME_STUDIER, from,
                        to >= f->end ? UTFALL_DATE_NONE : to);
    } else if (kind < 50) {
        int sm = rng_range(r, 1, 8);
        utfall_date from = date_in_month(r, x->in, sm, m15 - 1);
        utfall_date to = date_in_month(r, x->in, rng_range(r, sm + 2, 14), m15 - 1);
        bad = add_spell(f->spells, p, UTFALL_OUTCOME_PRAKTIK, from, to < from ? from : to);
    } else if (kind < 75) {
        utfall_date from = date_in_month(r, x->in, rng_range(r, 1, 12), m15);
        bad = add_spell(f->spells, p, UTFALL_OUTCOME_ARBETSSOKANDE, from, UTFALL_DATE_NONE);
    }
    return bad;
}

static utfall_status build_fk(utfall_rng *r, episode *e, struct spell_list *spells,
                              utfall_error *err)
{
    if (fk_people(r, e) != FK_N)
        return constructed_fail(err);
    struct fk_follow f = {.r = r, .end = utfall_date_from_ymd(2016, 12, 31), .spells = spells};
    for (size_t i = 0; i < FK_N; i++) {
        f.x = &e[i];
        int status = f.x->outcome;
        f.x->outcome = -1;
        f.m15 = utfall_date_add_months(f.x->in, 15);
        int bad = status == FK_CENSORED ? fk_censored(&f)
                  : status >= 0         ? fk_in_work(&f, status)
                                        : fk_not_in_work(&f);
        if (bad)
            return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    }
    return UTFALL_OK;
}

static const episode *arm_sort_base;

static int cmp_by_enrolment(const void *a, const void *b)
{
    return cmp_episode(&arm_sort_base[*(const int *)a], &arm_sort_base[*(const int *)b]);
}

/* Randomisation in blocks within kommun, as in the trial: the k-th
 * enrolled of each arm form block k (one SE, one FS, one CM), and each
 * block belongs to one kommun, drawn by population weight; the one left
 * over (355 SE against 354 FS and CM) is a block of its own.  So every
 * kommun has its arms within one of each other.  The kommun is the
 * column enhet (the extract format's field for unit, region or kommun).
 * Drawn after everything else, so that every other value is as it was
 * before the kommuner were blocks (build_fk still draws a kommun per
 * participant, which this replaces, so that its later draws stay). */
static int assign_kommuner(utfall_rng *r, episode *e, size_t n)
{
    static const char *const arms[3] = {"SE", "FS", "CM"};
    int cum[25], *idx = malloc(n * sizeof *idx), size[3] = {0, 0, 0}, total = 0;
    if (!idx)
        return -1;
    for (int i = 0, s = 0; i < 25; i++)
        cum[i] = s += fk_kommun_weight[i];
    for (int a = 0; a < 3; a++)
        for (size_t i = 0; i < n; i++)
            if (!strcmp(e[i].insats, arms[a])) {
                idx[total++] = (int)i;
                size[a]++;
            }
    arm_sort_base = e;
    for (int a = 0, from = 0; a < 3; from += size[a++])
        qsort(idx + from, (size_t)size[a], sizeof *idx, cmp_by_enrolment);
    arm_sort_base = NULL;
    int blocks = size[0] > size[1] ? size[0] : size[1];
    blocks = blocks > size[2] ? blocks : size[2];
    for (int k = 0; k < blocks; k++) {
        const char *kommun = fk_kommuner[pick_weighted(r, cum, 25)];
        for (int a = 0, from = 0; a < 3; from += size[a++])
            if (k < size[a])
                e[idx[from + k]].enhet = kommun;
    }
    free(idx);
    return 0;
}

static int cmp_spell_out(const void *a, const void *b)
{
    const spell_out *x = a, *y = b;
    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    return (x->status > y->status) - (x->status < y->status);
}

static void write_spells(writer *w, spell_out *s, size_t n, const int *id_of_person)
{
    for (size_t i = 0; i < n; i++)
        s[i].person = id_of_person[s[i].person]; /* sort by id */
    qsort(s, n, sizeof *s, cmp_spell_out);
    put_str(w, "id,status,fran,till\n");
    for (size_t i = 0; i < n; i++) {
        writer_reserve(w);
        put_id(w, s[i].person);
        put_char(w, ',');
        put_str(w, utfall_outcome_key(s[i].status));
        put_char(w, ',');
        put_date(w, s[i].from);
        put_char(w, ',');
        put_date(w, s[i].to);
        put_char(w, '\n');
    }
}

/* A preset being built: its episodes, its persons' ids and its spells. */
struct preset_run {
    utfall_rng r;
    episode *e;
    size_t n;
    int npersons;
    int *id_of_person;
    unsigned cols; /* COL_* the preset writes */
    struct spell_list spells;
};

static utfall_status build_preset(utfall_synth_preset preset, struct preset_run *run,
                                  utfall_error *err)
{
    utfall_status st = UTFALL_OK;
    switch (preset) {
    case UTFALL_SYNTH_AMA:
        st = build_ama(&run->r, run->e, err);
        run->n = AMA_N;
        run->npersons = AMA_N;
        run->cols = COL_ID | COL_KON | COL_FODELSEAR | COL_ENHET | COL_INSKRIVEN | COL_AVSLUTAD
                    | COL_AVSLUTSORSAK | COL_TIMMAR_FORE | COL_TIMMAR_EFTER
                    | COL_FORSORJNING_FORE | COL_FORSORJNING_EFTER;
        break;
    case UTFALL_SYNTH_UMA_LUDVIKA:
        build_uma(&run->r, run->e, &run->n);
        run->npersons = UMA_PERSONS;
        run->cols = COL_ID | COL_KON | COL_FODELSEAR | COL_ENHET | COL_INSKRIVEN | COL_AVSLUTAD
                    | COL_AVSLUTSORSAK;
        break;
    case UTFALL_SYNTH_FK2017:
        st = build_fk(&run->r, run->e, &run->spells, err);
        if (!st && assign_kommuner(&run->r, run->e, FK_N))
            st = utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
        run->n = FK_N;
        run->npersons = FK_N;
        run->cols = COL_ID | COL_KON | COL_FODELSEAR | COL_ENHET | COL_INSATS | COL_INSKRIVEN
                    | COL_UPPFOLJD_TILL;
        break;
    default:
        st = utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_UNKNOWN_PRESET, "unknown preset");
    }
    return st;
}

/* The episodes to out and, for a preset that has them, the spells to
 * spells. */
static utfall_status write_preset(utfall_synth_preset preset, struct preset_run *run, FILE *out,
                                  FILE *spells, utfall_error *err)
{
    assign_ids(run->e, run->n, run->npersons, run->id_of_person);
    writer w;
    if (writer_init(&w, out, 1u << 16))
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    write_episodes(&w, run->e, run->n, run->cols);
    utfall_status st = writer_finish(&w, err);
    if (st || !utfall_synth_preset_has_spells(preset))
        return st;
    if (writer_init(&w, spells, 1u << 16))
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    write_spells(&w, run->spells.items, run->spells.n, run->id_of_person);
    return writer_finish(&w, err);
}

utfall_status utfall_synth_write(const utfall_synth_options *opt, FILE *out, FILE *spells,
                                 utfall_error *err)
{
    if (opt->preset == UTFALL_SYNTH_GENERIC) {
        if (opt->rows < 1 || opt->rows > UTFALL_SYNTH_MAX_ROWS)
            return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_BAD_ROWS,
                                    "the number of rows must be from 1 to %lld",
                                    UTFALL_SYNTH_MAX_ROWS);
        return write_generic(opt, out, err);
    }
    if (utfall_synth_preset_has_spells(opt->preset) && !spells)
        return utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_NO_SPELLS_OUTPUT,
                                "preset %s also writes spells: give a file for them",
                                utfall_synth_preset_name(opt->preset));
    struct preset_run run = {0};
    utfall_rng_seed(&run.r, opt->seed);
    run.e = calloc(FK_N, sizeof *run.e); /* the largest preset */
    run.id_of_person = calloc(FK_N, sizeof *run.id_of_person);
    utfall_status st = UTFALL_OK;
    if (!run.e || !run.id_of_person)
        st = utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    if (!st)
        st = build_preset(opt->preset, &run, err);
    if (!st)
        st = write_preset(opt->preset, &run, out, spells, err);
    free(run.e);
    free(run.id_of_person);
    free(run.spells.items);
    return st;
}
