#include "utfall/pseudo.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utfall/extract.h"
#include "utfall/pnr.h"
#include "core/internal.h"

static utfall_status io_error(utfall_error *err, const char *path, const char *what)
{
    const char *cause = strerror(errno);
    utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_KEY_FILE, "%s: %s", what, cause);
    const char *sv = utfall_error_text_sv(UTFALL_EC_KEY_FILE, what);
    const char *sv_cause = utfall_error_text_sv(UTFALL_EC_NONE, cause);
    if (sv)
        snprintf(err->text_sv, sizeof err->text_sv, "%s: %s", sv, sv_cause ? sv_cause : cause);
    utfall_error_locate(err, path, 0, 0, NULL);
    return UTFALL_ERR_IO;
}

/* A key file's name appears in messages: it is guarded like any other. */
static utfall_status guard_key_path(const char *path, utfall_error *err)
{
    utfall_guard_site site = {"key file", NULL, 0, NULL, "the file name"};
    return utfall_guard(path, strlen(path), &site, err);
}

utfall_status utfall_pseudo_new_key(const char *path, utfall_error *err)
{
    if (sodium_init() < 0)
        return utfall_error_set(err, UTFALL_ERR_INTERNAL, UTFALL_EC_SODIUM, "libsodium could not start");
    if (guard_key_path(path, err))
        return UTFALL_ERR_PRIVACY;
    unsigned char key[UTFALL_PSEUDO_KEY_BYTES];
    char hex[UTFALL_PSEUDO_KEY_BYTES * 2 + 2];
    randombytes_buf(key, sizeof key);
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    sodium_memzero(key, sizeof key);
    size_t n = strlen(hex);
    hex[n++] = '\n';
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        sodium_memzero(hex, sizeof hex);
        return io_error(err, path, errno == EEXIST ? "refusing to overwrite an existing key"
                                                   : "cannot create the key file");
    }
    ssize_t w = write(fd, hex, n);
    sodium_memzero(hex, sizeof hex);
    if (w != (ssize_t)n || close(fd) != 0) {
        unlink(path);
        return io_error(err, path, "cannot write the key file");
    }
    return UTFALL_OK;
}

/* A key that is not random: fewer than 16 different bytes (all zeros, a
 * short pattern), or bytes that count by a fixed step (00 01 02 ...). */
static int weak_key(const unsigned char *k)
{
    unsigned char seen[256] = {0};
    int distinct = 0, counting = 1;
    for (int i = 0; i < UTFALL_PSEUDO_KEY_BYTES; i++) {
        distinct += !seen[k[i]];
        seen[k[i]] = 1;
        if (i >= 2 && (unsigned char)(k[i] - k[i - 1]) != (unsigned char)(k[1] - k[0]))
            counting = 0;
    }
    return distinct < 16 || counting;
}

/* A key file that others may read: warned of, as ssh does. */
static void warn_loose_mode(const char *path, mode_t mode, utfall_error *warning)
{
    if (!warning)
        return;
    utfall_error_clear(warning);
    if (!(mode & 077))
        return;
    utfall_error_set(warning, UTFALL_OK, UTFALL_EC_KEY_PERMISSIONS,
                     "the key file can be read by others than its owner (mode %03o): whoever "
                     "reads it can tell which number each pseudonym stands for; make it "
                     "private (chmod 600)",
                     (unsigned)(mode & 0777));
    warning->severity = UTFALL_SEV_WARNING;
    utfall_error_locate(warning, path, 0, 0, NULL);
}

static utfall_status bad_key(utfall_error *err, const char *path, utfall_error_code code,
                             const char *what)
{
    utfall_error_set(err, UTFALL_ERR_DATA, code, "%s", what);
    const char *sv = utfall_error_text_sv(code, what);
    if (sv)
        snprintf(err->text_sv, sizeof err->text_sv, "%s", sv);
    utfall_error_locate(err, path, 0, 0, NULL);
    return UTFALL_ERR_DATA;
}

utfall_status utfall_pseudo_load_key(const char *path, unsigned char key[UTFALL_PSEUDO_KEY_BYTES],
                                     utfall_error *warning, utfall_error *err)
{
    if (warning)
        utfall_error_clear(warning);
    if (sodium_init() < 0)
        return utfall_error_set(err, UTFALL_ERR_INTERNAL, UTFALL_EC_SODIUM, "libsodium could not start");
    if (guard_key_path(path, err))
        return UTFALL_ERR_PRIVACY;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return io_error(err, path, "cannot read the key file");
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return bad_key(err, path, UTFALL_EC_BAD_KEY, "not a key file (not a regular file)");
    }
    char hex[256];
    ssize_t got_bytes = read(fd, hex, sizeof hex - 1);
    close(fd);
    size_t n = got_bytes > 0 ? (size_t)got_bytes : 0;
    hex[n] = '\0';
    while (n && isspace((unsigned char)hex[n - 1]))
        hex[--n] = '\0';
    size_t got = 0;
    int ok = n == UTFALL_PSEUDO_KEY_BYTES * 2
             && sodium_hex2bin(key, UTFALL_PSEUDO_KEY_BYTES, hex, n, NULL, &got, NULL) == 0
             && got == UTFALL_PSEUDO_KEY_BYTES;
    sodium_memzero(hex, sizeof hex);
    if (!ok)
        return bad_key(err, path, UTFALL_EC_BAD_KEY,
                       "not a key file (expected 64 hex digits, as written by --new-key)");
    if (weak_key(key)) {
        sodium_memzero(key, UTFALL_PSEUDO_KEY_BYTES);
        return bad_key(err, path, UTFALL_EC_WEAK_KEY,
                       "the key is not random (all bytes alike, a short pattern or a counting "
                       "sequence): pseudonyms made with it can be undone; make a key with "
                       "--new-key");
    }
    warn_loose_mode(path, st.st_mode, warning);
    return UTFALL_OK;
}

/* HMAC-SHA-256 of msg under the key, as "P-" and 20 hex digits. */
static void pseudonym_of(const unsigned char key[UTFALL_PSEUDO_KEY_BYTES], const char *msg,
                         size_t n, char out[UTFALL_PSEUDONYM_LEN + 1])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(mac, (const unsigned char *)msg, n, key);
    out[0] = 'P';
    out[1] = '-';
    sodium_bin2hex(out + 2, 21, mac, 10);
    sodium_memzero(mac, sizeof mac);
}

void utfall_pseudonym(const unsigned char key[UTFALL_PSEUDO_KEY_BYTES], const char pnr12[13],
                      char out[UTFALL_PSEUDONYM_LEN + 1])
{
    pseudonym_of(key, pnr12, 12, out);
}

static void write_field(FILE *out, const char *s, size_t n, char delim)
{
    int quote = memchr(s, delim, n) || memchr(s, '"', n) || memchr(s, '\n', n) || memchr(s, '\r', n);
    if (!quote) {
        fwrite(s, 1, n, out);
        return;
    }
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            fputc('"', out);
        fputc(s[i], out);
    }
    fputc('"', out);
}

/* ---- what each column is, by its header (folded) ------------------------ */

enum column_kind { COL_COPY, COL_IDENTITY, COL_BIRTH, COL_IDENTIFYING, COL_FREE_TEXT };

static int in_list(const char *f, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(f, names[i]))
            return 1;
    return 0;
}

#define IN_LIST(f, names) in_list(f, names, sizeof names / sizeof names[0])

/* The identity column keeps its place but is named id, so that the output
 * is an extract every utfall command reads. */
static const char *const identity_names[] = {
    "personnummer", "personnr", "pnr", "person_nr", "samordningsnummer",
    "personal_identity_number", "ssn", "personal_number"};

/* Birth dates keep their year only, named fodelsear. */
static const char *const birth_names[] = {
    "fodelsedatum", "fodelsedag", "fodelse_datum", "fodelse_dag", "fodd", "fodd_datum",
    "fodelsetid", "fodelsear", "fodelse_ar", "birth_date", "date_of_birth", "dateofbirth",
    "birthdate", "birthday", "birth_day", "dob", "d_o_b", "born", "birth_year",
    "year_of_birth"};

/* Columns that name, locate or reach a person directly have no place in an
 * extract: they are left out, not pseudonymised. */
static const char *const identifying_names[] = {
    "namn", "fornamn", "efternamn", "tilltalsnamn", "fullstandigt_namn", "name",
    "first_name", "firstname", "last_name", "lastname", "surname", "given_name",
    "full_name", "adress", "address", "gatuadress", "postadress", "street",
    "street_address", "bostadsadress", "telefon", "telefonnummer", "tel", "tfn", "mobil",
    "mobilnummer", "mobiltelefon", "phone", "phone_number", "mobile", "e_post", "epost",
    "e_postadress", "epostadress", "email", "e_mail", "mail", "mejl"};

/* Free text can hold anything: names, health, a number written wrongly.
 * A header with a word that begins so is left out unless kept. */
static const char *const free_text_stems[] = {
    "kommentar", "anteckning", "notering", "notis", "fritext", "beskrivning", "handlaggare",
    "meddelande", "anmarkning", "ovrig", "journal", "diagnos", "halso", "sjukdom",
    "funktionsnedsattning", "comment", "note", "remark", "description", "free_text",
    "freetext", "caseworker", "case_worker", "case_officer", "message", "health"};

static int is_free_text(const char *f)
{
    for (const char *w = f; w; w = strchr(w, '_') ? strchr(w, '_') + 1 : NULL)
        for (size_t i = 0; i < sizeof free_text_stems / sizeof *free_text_stems; i++)
            if (!strncmp(w, free_text_stems[i], strlen(free_text_stems[i])))
                return 1;
    return 0;
}

static enum column_kind column_kind(const char *header)
{
    char f[128];
    utfall_fold(header, f, sizeof f);
    if (IN_LIST(f, identifying_names))
        return COL_IDENTIFYING;
    if (IN_LIST(f, identity_names))
        return COL_IDENTITY;
    if (IN_LIST(f, birth_names))
        return COL_BIRTH;
    return is_free_text(f) ? COL_FREE_TEXT : COL_COPY;
}

/* ---- values ------------------------------------------------------------- */

/* One pseudonymisation: the input, the output and what the header decided
 * about each column. */
struct pseudo_run {
    utfall_csv_reader *r;
    const unsigned char *key;
    const utfall_pseudo_options *opt;
    FILE *out;
    char delim;
    utfall_pseudo_stats *stats;
    unsigned char *kind;  /* per column: an enum column_kind */
    unsigned char *drop;  /* per column: left out */
    char *buf;            /* a field with its numbers replaced */
    size_t bufcap;
};

/* Write a field with every personal identity number in it replaced by its
 * pseudonym. */
static utfall_status write_pseudonymized(struct pseudo_run *p, const char *s, size_t n,
                                         utfall_error *err)
{
    if (UTFALL_GROW(p->buf, p->bufcap, n * 3 + 64))
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    char *buf = p->buf;
    size_t o = 0, pos = 0, off, len;
    while (pos < n && utfall_pnr_find(s + pos, n - pos, &off, &len)) {
        char p12[13], pseud[UTFALL_PSEUDONYM_LEN + 1];
        memcpy(buf + o, s + pos, off);
        o += off;
        if (utfall_pnr_normalize(s + pos + off, len, p->opt->today, p12) == 0) {
            utfall_pseudonym(p->key, p12, pseud);
            memcpy(buf + o, pseud, UTFALL_PSEUDONYM_LEN);
            o += UTFALL_PSEUDONYM_LEN;
            p->stats->replaced++;
            sodium_memzero(p12, sizeof p12);
        } else {
            memcpy(buf + o, "P-?", 3);
            o += 3;
        }
        pos += off + len;
    }
    memcpy(buf + o, s + pos, n - pos);
    o += n - pos;
    write_field(p->out, buf, o, p->delim);
    return UTFALL_OK;
}

/* A value of the identity column, whatever it holds, as a pseudonym: a
 * valid number's; else, for a number written wrong (ten digits or more:
 * a wrong check digit, a date that does not exist), the pseudonym of its
 * digits as written, and for anything else of its text ("?" before
 * either, so that it can never be a valid number's).  Empty stays
 * empty. */
static void write_identity(struct pseudo_run *p, const char *s, size_t n)
{
    char p12[13], pseud[UTFALL_PSEUDONYM_LEN + 1], msg[130];
    while (n && *s == ' ') {
        s++;
        n--;
    }
    while (n && s[n - 1] == ' ')
        n--;
    if (!n)
        return;
    if (utfall_pnr_normalize(s, n, p->opt->today, p12) == 0) {
        utfall_pseudonym(p->key, p12, pseud);
        p->stats->replaced++;
    } else {
        size_t m = 1;
        msg[0] = '?';
        for (size_t i = 0; i < n && m < sizeof msg; i++)
            if (s[i] >= '0' && s[i] <= '9')
                msg[m++] = s[i];
        if (m < 11) /* fewer than ten digits: not a number written wrong */
            for (m = 1; m - 1 < n && m < sizeof msg; m++)
                msg[m] = s[m - 1];
        pseudonym_of(p->key, msg, m, pseud);
        p->stats->ids_invalid++;
    }
    sodium_memzero(p12, sizeof p12);
    sodium_memzero(msg, sizeof msg);
    fputs(pseud, p->out);
}

/* ---- birth dates -------------------------------------------------------- */

/* The latest year ending in yy that is not after this year. */
static int year_of_yy(int yy, int this_year)
{
    return this_year - ((this_year - yy) % 100 + 100) % 100;
}

/* The runs of ASCII digits in s[0..n): up to four, their values and
 * lengths; the number of runs. */
static int digit_groups(const char *s, size_t n, long *value, int *len)
{
    int k = 0;
    for (size_t i = 0; i < n && k < 4;) {
        if (s[i] < '0' || s[i] > '9') {
            i++;
            continue;
        }
        value[k] = 0;
        len[k] = 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (len[k]++ < 9)
                value[k] = value[k] * 10 + (s[i] - '0');
        k++;
    }
    return k;
}

/* The year of a birth date in any form Excel or a person writes it:
 * 1990-01-01, 1990-01-01 00:00:00, 1990-1-1, 19900101, 900101, 01/01/1990,
 * 1.1.90, an Excel serial day number (32874), a bare year, or a personal
 * identity number.  -1 when it is none of these. */
static int birth_year(const char *s, size_t n, utfall_date today)
{
    char p12[13];
    int ty, tm, td, year = -1;
    utfall_date_to_ymd(today, &ty, &tm, &td);
    if (utfall_pnr_normalize(s, n, today, p12) == 0)
        return (p12[0] - '0') * 1000 + (p12[1] - '0') * 100 + (p12[2] - '0') * 10 + (p12[3] - '0');
    long g[4];
    int len[4];
    int k = digit_groups(s, n, g, len);
    if (k >= 1 && len[0] == 5 && (k == 1 || k == 2)) {
        /* Excel's day number: 1 is 1900-01-01, and 61 on are days since 1899-12-30 */
        if (g[0] >= 61 && g[0] <= today + 25569)
            utfall_date_to_ymd(utfall_date_from_ymd(1899, 12, 30) + (utfall_date)g[0], &year,
                               &tm, &td);
    } else if (k == 1 && len[0] == 8) {
        year = (int)(g[0] / 10000);
    } else if (k == 1 && len[0] == 6) {
        year = year_of_yy((int)(g[0] / 10000), ty);
    } else if (k >= 1 && len[0] == 4) {
        year = (int)g[0]; /* 1990, 1990-01-01, 1990-1-1 00:00 */
    } else if (k >= 2 && len[k >= 3 ? 2 : 1] == 4) {
        year = (int)g[k >= 3 ? 2 : 1]; /* 01/01/1990, 1 jan 1990 */
    } else if (k >= 3 && len[2] == 2) {
        year = year_of_yy((int)g[2], ty); /* 1.1.90 */
    }
    return year >= 1880 && year <= ty ? year : -1;
}

/* A birth date as its year; a value that is no date is left empty. */
static void write_birth_year(struct pseudo_run *p, const char *s, size_t n)
{
    int y = n ? birth_year(s, n, p->opt->today) : -1;
    if (y > 0) {
        fprintf(p->out, "%04d", y);
        p->stats->dates_reduced++;
    } else if (n) {
        p->stats->dates_blanked++;
    }
}

/* ---- the file ----------------------------------------------------------- */

/* Whether --keep names the free-text column h. */
static int kept(const struct pseudo_run *p, const char *h)
{
    char f[128], k[128];
    utfall_fold(h, f, sizeof f);
    for (size_t i = 0; i < p->opt->nkeep; i++) {
        utfall_fold(p->opt->keep[i], k, sizeof k);
        if (!strcmp(f, k))
            return 1;
    }
    return 0;
}

/* Every --keep must name a free-text column of this file. */
static utfall_status check_keep(const struct pseudo_run *p, const utfall_csv_record *rec,
                                utfall_error *err)
{
    char f[128], k[128];
    for (size_t i = 0; i < p->opt->nkeep; i++) {
        utfall_fold(p->opt->keep[i], k, sizeof k);
        int found = 0;
        for (size_t c = 0; c < rec->nfields && !found; c++) {
            utfall_fold(rec->fields[c], f, sizeof f);
            found = !strcmp(f, k) && p->kind[c] == COL_FREE_TEXT;
        }
        if (!found) {
            utfall_error_set(err, UTFALL_ERR_USAGE, UTFALL_EC_KEEP_NO_COLUMN,
                             "--keep %s: the input has no free-text column of that name (only "
                             "free-text columns can be kept; names, addresses, phone numbers "
                             "and e-mail addresses never are)",
                             p->opt->keep[i]);
            utfall_error_locate(err, utfall_csv_name(p->r), rec->line, 0, NULL);
            return UTFALL_ERR_USAGE;
        }
    }
    return UTFALL_OK;
}

/* Column i left out: counted, and named in the list (by its position
 * when the header itself holds a number). */
static void note_dropped(struct pseudo_run *p, const utfall_csv_record *rec, size_t i)
{
    utfall_pseudo_stats *st = p->stats;
    if (p->kind[i] == COL_FREE_TEXT)
        st->free_text_dropped++;
    else
        st->columns_dropped++;
    size_t used = strlen(st->dropped);
    char name[64];
    if (utfall_pnr_find(rec->fields[i], rec->lengths[i], NULL, NULL))
        snprintf(name, sizeof name, "column %zu", i + 1);
    else
        snprintf(name, sizeof name, "%s", rec->fields[i]);
    snprintf(st->dropped + used, sizeof st->dropped - used, "%s%s", used ? ", " : "", name);
}

/* Decide each column from its header: left out, renamed id, a birth date
 * kept as its year (renamed fodelsear), or kept with its numbers
 * replaced. */
static utfall_status write_header(struct pseudo_run *p, const utfall_csv_record *rec,
                                  utfall_error *err)
{
    p->kind = calloc(rec->nfields ? rec->nfields : 1, 1);
    p->drop = calloc(rec->nfields ? rec->nfields : 1, 1);
    if (!p->kind || !p->drop)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    for (size_t i = 0; i < rec->nfields; i++) {
        p->kind[i] = (unsigned char)column_kind(rec->fields[i]);
        p->drop[i] = p->kind[i] == COL_IDENTIFYING
                     || (p->kind[i] == COL_FREE_TEXT && !kept(p, rec->fields[i]));
    }
    utfall_status st = check_keep(p, rec, err);
    size_t written = 0;
    for (size_t i = 0; !st && i < rec->nfields; i++) {
        if (p->drop[i]) {
            note_dropped(p, rec, i);
            continue;
        }
        if (written++)
            fputc(p->delim, p->out);
        if (p->kind[i] == COL_IDENTITY)
            fputs("id", p->out);
        else if (p->kind[i] == COL_BIRTH)
            fputs("fodelsear", p->out);
        else
            st = write_pseudonymized(p, rec->fields[i], rec->lengths[i], err);
    }
    fputc('\n', p->out);
    return st;
}

static utfall_status write_row(struct pseudo_run *p, const utfall_csv_record *rec,
                               utfall_error *err)
{
    p->stats->rows++;
    size_t written = 0;
    for (size_t i = 0; i < rec->nfields; i++) {
        if (p->drop[i])
            continue;
        if (written++)
            fputc(p->delim, p->out);
        utfall_status st = UTFALL_OK;
        if (p->kind[i] == COL_IDENTITY)
            write_identity(p, rec->fields[i], rec->lengths[i]);
        else if (p->kind[i] == COL_BIRTH)
            write_birth_year(p, rec->fields[i], rec->lengths[i]);
        else
            st = write_pseudonymized(p, rec->fields[i], rec->lengths[i], err);
        if (st)
            return st;
    }
    fputc('\n', p->out);
    return UTFALL_OK;
}

utfall_status utfall_pseudonymize_file(const char *in_path, const utfall_pseudo_options *opt,
                                       const unsigned char key[UTFALL_PSEUDO_KEY_BYTES],
                                       FILE *out, utfall_pseudo_stats *stats, utfall_error *err)
{
    struct pseudo_run p = {.key = key, .opt = opt, .out = out, .stats = stats};
    utfall_csv_options co = opt->csv;
    co.flags |= UTFALL_CSV_UNGUARDED; /* the numbers are what this replaces */
    memset(stats, 0, sizeof *stats);
    utfall_status st = utfall_csv_open(&p.r, in_path, &co, err);
    if (st)
        return st;
    utfall_csv_record rec;
    int got;
    while (!st && (got = utfall_csv_next(p.r, &rec, err)) != 0) {
        if (got < 0) {
            st = err->status;
            break;
        }
        p.delim = utfall_csv_delimiter(p.r);
        st = rec.record == 1 ? write_header(&p, &rec, err) : write_row(&p, &rec, err);
    }
    if (!st && ferror(out))
        st = utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_WRITE_ERROR, "cannot write the output: %s",
                              strerror(errno));
    if (p.buf)
        sodium_memzero(p.buf, p.bufcap);
    free(p.buf);
    free(p.kind);
    free(p.drop);
    utfall_csv_close(p.r);
    return st;
}
