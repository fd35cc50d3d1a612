#include "utfall/pseudo.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "utfall/extract.h"
#include "utfall/pnr.h"
#include "core/internal.h"

static utfall_status io_error(utfall_error *err, const char *path, const char *what)
{
    utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_KEY_FILE, "%s: %s", what, strerror(errno));
    utfall_error_locate(err, path, 0, 0, NULL);
    return UTFALL_ERR_IO;
}

utfall_status utfall_pseudo_new_key(const char *path, utfall_error *err)
{
    if (sodium_init() < 0)
        return utfall_error_set(err, UTFALL_ERR_INTERNAL, UTFALL_EC_SODIUM, "libsodium could not start");
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

utfall_status utfall_pseudo_load_key(const char *path, unsigned char key[UTFALL_PSEUDO_KEY_BYTES],
                                     utfall_error *err)
{
    if (sodium_init() < 0)
        return utfall_error_set(err, UTFALL_ERR_INTERNAL, UTFALL_EC_SODIUM, "libsodium could not start");
    FILE *fp = fopen(path, "r");
    if (!fp)
        return io_error(err, path, "cannot read the key file");
    char hex[256];
    size_t n = fread(hex, 1, sizeof hex - 1, fp);
    fclose(fp);
    hex[n] = '\0';
    while (n && isspace((unsigned char)hex[n - 1]))
        hex[--n] = '\0';
    size_t got = 0;
    if (n != UTFALL_PSEUDO_KEY_BYTES * 2
        || sodium_hex2bin(key, UTFALL_PSEUDO_KEY_BYTES, hex, n, NULL, &got, NULL) != 0
        || got != UTFALL_PSEUDO_KEY_BYTES) {
        sodium_memzero(hex, sizeof hex);
        utfall_error_set(err, UTFALL_ERR_DATA, UTFALL_EC_BAD_KEY,
                         "not a key file (expected 64 hex digits, as written by --new-key)");
        utfall_error_locate(err, path, 0, 0, NULL);
        return UTFALL_ERR_DATA;
    }
    sodium_memzero(hex, sizeof hex);
    return UTFALL_OK;
}

int utfall_pnr_normalize(const char *s, size_t len, utfall_date today, char out[13])
{
    char d[12];
    int nd = 0, plus = 0;
    for (size_t i = 0; i < len; i++) {
        if (isdigit((unsigned char)s[i])) {
            if (nd == 12)
                return -1;
            d[nd++] = s[i];
        } else if (s[i] == '+') {
            plus = 1;
        } else if (s[i] != '-') {
            return -1;
        }
    }
    if (nd == 12) {
        memcpy(out, d, 12);
    } else if (nd == 10) {
        int ty, tm, td;
        utfall_date_to_ymd(today, &ty, &tm, &td);
        int yy = (d[0] - '0') * 10 + (d[1] - '0');
        int mm = (d[2] - '0') * 10 + (d[3] - '0');
        int dd = (d[4] - '0') * 10 + (d[5] - '0');
        if (dd > 60)
            dd -= 60;
        /* the latest year ending in yy whose birthday is not after today */
        int year = ty - ((ty - yy) % 100 + 100) % 100;
        if (year == ty && (mm > tm || (mm == tm && dd > td)))
            year -= 100;
        if (plus)
            year -= 100;
        out[0] = (char)('0' + year / 1000);
        out[1] = (char)('0' + year / 100 % 10);
        memcpy(out + 2, d, 10);
    } else {
        return -1;
    }
    out[12] = '\0';
    return 0;
}

void utfall_pseudonym(const unsigned char key[UTFALL_PSEUDO_KEY_BYTES], const char pnr12[13],
                      char out[UTFALL_PSEUDONYM_LEN + 1])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(mac, (const unsigned char *)pnr12, 12, key);
    out[0] = 'P';
    out[1] = '-';
    sodium_bin2hex(out + 2, 21, mac, 10);
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

/* Whether header h, folded as utfall_fold does, is one of names. */
static int folded_in(const char *h, const char *const *names, size_t n)
{
    char f[128];
    utfall_fold(h, f, sizeof f);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(f, names[i]))
            return 1;
    return 0;
}

static int is_birth_date_header(const char *h)
{
    static const char *const names[] = {"fodelsedatum", "fodelsedag", "birth_date",
                                        "date_of_birth", "birthdate"};
    return folded_in(h, names, sizeof names / sizeof names[0]);
}

/* Columns that name, locate or reach a person directly have no place in an
 * extract: they are left out, not pseudonymised. */
static int is_identifying_header(const char *h)
{
    static const char *const names[] = {
        "namn", "fornamn", "efternamn", "tilltalsnamn", "fullstandigt_namn", "name",
        "first_name", "firstname", "last_name", "lastname", "surname", "given_name",
        "full_name", "adress", "address", "gatuadress", "postadress", "street",
        "street_address", "bostadsadress", "telefon", "telefonnummer", "tel", "tfn", "mobil",
        "mobilnummer", "mobiltelefon", "phone", "phone_number", "mobile", "e_post", "epost",
        "e_postadress", "epostadress", "email", "e_mail", "mail", "mejl"};
    return folded_in(h, names, sizeof names / sizeof names[0]);
}

/* The identity column keeps its place but is named id, so that the output
 * is an extract every utfall command reads. */
static int is_identity_header(const char *h)
{
    static const char *const names[] = {"personnummer", "personnr", "pnr", "person_nr",
                                        "samordningsnummer", "personal_identity_number",
                                        "ssn", "personal_number"};
    return folded_in(h, names, sizeof names / sizeof names[0]);
}

/* One pseudonymisation: the input, the output and what the header decided
 * about each column. */
struct pseudo_run {
    utfall_csv_reader *r;
    const unsigned char *key;
    utfall_date today;
    FILE *out;
    char delim;
    utfall_pseudo_stats *stats;
    unsigned char *birth; /* per column: a birth date, written as its year */
    unsigned char *drop;  /* per column: identifying, left out */
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
        if (utfall_pnr_normalize(s + pos + off, len, p->today, p12) == 0) {
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

/* Decide each column from its header: left out, renamed id, a birth date
 * kept as its year (renamed fodelsear), or kept with its numbers
 * replaced. */
static utfall_status write_header(struct pseudo_run *p, const utfall_csv_record *rec,
                                  utfall_error *err)
{
    p->birth = calloc(rec->nfields ? rec->nfields : 1, 1);
    p->drop = calloc(rec->nfields ? rec->nfields : 1, 1);
    if (!p->birth || !p->drop)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    size_t written = 0;
    for (size_t i = 0; i < rec->nfields; i++) {
        const char *s = rec->fields[i];
        if (is_identifying_header(s)) {
            p->drop[i] = 1;
            p->stats->columns_dropped++;
            continue;
        }
        if (written++)
            fputc(p->delim, p->out);
        utfall_status st = UTFALL_OK;
        if (is_identity_header(s))
            fputs("id", p->out);
        else if ((p->birth[i] = (unsigned char)is_birth_date_header(s)))
            fputs("fodelsear", p->out);
        else
            st = write_pseudonymized(p, s, rec->lengths[i], err);
        if (st)
            return st;
    }
    fputc('\n', p->out);
    return UTFALL_OK;
}

/* A birth date as its year; 0 when the field is not a date. */
static int write_birth_year(struct pseudo_run *p, const char *s, size_t n)
{
    utfall_date d;
    if (n < 8 || utfall_date_parse(s, &d) != 0)
        return 0;
    int y, m, dd;
    utfall_date_to_ymd(d, &y, &m, &dd);
    fprintf(p->out, "%04d", y);
    p->stats->dates_reduced++;
    return 1;
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
        if (p->birth[i] && write_birth_year(p, rec->fields[i], rec->lengths[i]))
            continue;
        utfall_status st = write_pseudonymized(p, rec->fields[i], rec->lengths[i], err);
        if (st)
            return st;
    }
    fputc('\n', p->out);
    return UTFALL_OK;
}

utfall_status utfall_pseudonymize_file(const char *in_path, const utfall_csv_options *csv,
                                       const unsigned char key[UTFALL_PSEUDO_KEY_BYTES],
                                       utfall_date today, FILE *out, utfall_pseudo_stats *stats,
                                       utfall_error *err)
{
    struct pseudo_run p = {.key = key, .today = today, .out = out, .stats = stats};
    utfall_status st = utfall_csv_open(&p.r, in_path, csv, err);
    if (st)
        return st;
    memset(stats, 0, sizeof *stats);
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
    free(p.birth);
    free(p.drop);
    utfall_csv_close(p.r);
    return st;
}
