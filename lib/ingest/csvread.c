#include "utfall/csvread.h"

#include <csv.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "utfall/pnr.h"
#include "core/internal.h"

#ifndef READ_CHUNK /* tests/csv/test_scan.c reads with a small buffer */
#define READ_CHUNK (1u << 20)
#endif
#define MAX_LINE (64u << 20)
/* Bytes that may be read after the buffered input (zeroed) and that the
 * arena keeps free after a line: the fast path reads and writes whole
 * 64-byte chunks. */
#define SCAN_PAD 64

/* How a plain line is split: by the general path only (decode_line,
 * split_plain, libcsv), or first by the fast path, eight bytes at a time
 * in a 64-bit word (portable), sixteen with SSE2 (baseline on x86-64) or
 * 32 with AVX2 where the processor has it (chosen when a file is opened). */
enum scan_mode { SCAN_OFF, SCAN_PORTABLE, SCAN_SSE2, SCAN_AVX2 };
#if defined(__SSE2__)
#include <emmintrin.h>
#define SCAN_DEFAULT SCAN_SSE2
#else
#define SCAN_DEFAULT SCAN_PORTABLE
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_SCAN_AVX2 1
#endif

/* The best scan mode this processor has. */
static enum scan_mode best_scan(void)
{
#if defined(HAVE_SCAN_AVX2)
    if (__builtin_cpu_supports("avx2"))
        return SCAN_AVX2;
#endif
    return SCAN_DEFAULT;
}

enum enc_state { ENC_UNDECIDED, ENC_IS_UTF8, ENC_IS_CP1252 };

struct utfall_csv_reader {
    FILE *fp;
    int owns_fp;
    char name[UTFALL_ERROR_NAME_MAX];
    utfall_csv_options opt;

    char *buf; /* raw input bytes; cap + SCAN_PAD allocated, buf[len, len + SCAN_PAD) zero */
    size_t cap, pos, len;
    int eof;
    char newline; /* '\n', or '\r' for files with CR-only line ends */

    enum enc_state enc;
    int saw_utf8_multibyte;
    long transcoded_line;
    char *conv; /* a transcoded line */
    size_t conv_cap;

    struct csv_parser parser;
    int parser_ready;
    char delimiter;
    long line;            /* physical lines consumed so far */
    long record_line;     /* where the record being assembled started */
    int in_record;
    int record_done;
    long records;         /* records completed, header included */
    size_t header_fields; /* 0 until the header is read */

    /* fields of the record being assembled */
    char *arena;
    size_t arena_len, arena_cap;
    size_t *offsets, *lengths;
    unsigned char *nulls;
    const char **ptrs;
    size_t nfields, fields_cap;
    char *raw;
    size_t raw_len, raw_cap;
    /* a one-line record's bytes are not copied: they stay in buf until
     * the next call */
    const char *raw_view;
    size_t raw_view_len;

    int field_too_long;
    size_t long_field_index;
    int nomem;
    int finished;

    char **header; /* the header's fields once guarded: they name columns in refusals */
    size_t nheader;
    enum scan_mode scan; /* best_scan() when opened; SCAN_OFF for an unscannable delimiter */
    int ptrs_set;       /* the fast path set ptrs itself */
    long fast_records;  /* records the fast path split (for the tests) */
};

int utfall_encoding_parse(const char *name, utfall_encoding *out)
{
    if (!strcasecmp(name, "auto"))
        *out = UTFALL_ENC_AUTO;
    else if (!strcasecmp(name, "utf-8") || !strcasecmp(name, "utf8"))
        *out = UTFALL_ENC_UTF8;
    else if (!strcasecmp(name, "windows-1252") || !strcasecmp(name, "cp1252")
             || !strcasecmp(name, "latin1") || !strcasecmp(name, "iso-8859-1")
             || !strcasecmp(name, "latin-1") || !strcasecmp(name, "iso-8859-15"))
        *out = UTFALL_ENC_CP1252;
    else
        return -1;
    return 0;
}

/* The four per-field arrays grow together: fields_cap, which the hot path
 * tests, is the capacity of each and is raised once all four have room. */
static int grow_fields(utfall_csv_reader *r, size_t need)
{
    size_t cap[4] = {r->fields_cap, r->fields_cap, r->fields_cap, r->fields_cap};
    if (UTFALL_GROW(r->offsets, cap[0], need) || UTFALL_GROW(r->lengths, cap[1], need)
        || UTFALL_GROW(r->nulls, cap[2], need) || UTFALL_GROW(r->ptrs, cap[3], need))
        return -1;
    r->fields_cap = cap[0];
    return 0;
}

/* The rare cases of on_field: no memory, an overlong field, a record
 * wider or longer than any before. */
static void on_field_slow(void *s, size_t len, utfall_csv_reader *r)
{
    if (r->nomem)
        return;
    size_t keep = len;
    if (len > r->opt.max_field) {
        if (!r->field_too_long) {
            r->field_too_long = 1;
            r->long_field_index = r->nfields;
        }
        keep = 0;
    }
    if ((r->nfields >= r->fields_cap && grow_fields(r, r->nfields + 1))
        || UTFALL_GROW(r->arena, r->arena_cap, r->arena_len + keep + 1)) {
        r->nomem = 1;
        return;
    }
    char *dst = r->arena + r->arena_len;
    r->offsets[r->nfields] = r->arena_len;
    r->lengths[r->nfields] = keep;
    r->nulls[r->nfields] = s == NULL;
    r->nfields++;
    r->arena_len += keep + 1;
    dst[keep] = '\0';
    if (keep)
        memcpy(dst, s, keep);
}

/* Called by libcsv for every field: the hot path.  Memory is reused from
 * record to record and only grows for a wider or longer record than any
 * before, so a steady stream of rows allocates nothing.  The bookkeeping
 * comes first so that the copy is the last call (a jump, no frame). */
static void on_field(void *s, size_t len, void *data)
{
    utfall_csv_reader *r = data;
    size_t n = r->nfields;
    if (__builtin_expect(r->nomem | (len > r->opt.max_field) | (n >= r->fields_cap)
                             | (r->arena_len + len + 1 > r->arena_cap),
                         0)) {
        on_field_slow(s, len, r);
        return;
    }
    char *dst = r->arena + r->arena_len;
    r->offsets[n] = r->arena_len;
    r->lengths[n] = len;
    r->nulls[n] = s == NULL;
    r->nfields = n + 1;
    r->arena_len += len + 1;
    dst[len] = '\0';
    if (len)
        memcpy(dst, s, len);
}

static void on_record(int c, void *data)
{
    (void)c;
    utfall_csv_reader *r = data;
    r->record_done = 1;
}

/* Only '\n' ends a record (or '\r' in a CR-only file), so that one fed
 * line completes at most one record; a '\r' before it is trimmed like a
 * space.  TAB is never trimmed: it may be the delimiter. */
static int is_space_crlf(unsigned char c)
{
    return c == ' ' || c == '\r';
}

static int is_space_plain(unsigned char c)
{
    return c == ' ';
}

static int is_term_lf(unsigned char c)
{
    return c == '\n';
}

static int is_term_cr(unsigned char c)
{
    return c == '\r';
}

/* The common line: one whole record without a quote character.  Split it
 * here, exactly as libcsv would with our options (CSV_STRICT,
 * CSV_EMPTY_IS_NULL and the space and term functions above: spaces around
 * a field trimmed, an empty field reported as NULL), but without libcsv's
 * two indirect calls per byte; that doubles the speed of reading.  Returns
 * 0 when the record is complete, 1 to leave the line to libcsv (a quote,
 * or a line that libcsv would not report as a record).
 * tests/csv/test_split_plain.c holds it to libcsv's results. */
static int split_plain(utfall_csv_reader *r, const char *s, size_t n)
{
    if (memchr(s, '"', n))
        return 1;
    const char delim = r->delimiter, term = r->newline;
    const int cr_is_space = term == '\n';
    const char *p = s, *end = s + n;
    if (end > p && end[-1] == term)
        end--; /* fill_line ends a line at its only terminator */
    for (;;) {
        while (p < end && *p != delim && (*p == ' ' || (cr_is_space && *p == '\r')))
            p++;
        const char *start = p;
        while (p < end && *p != delim)
            p++;
        const char *stop = p;
        while (stop > start && (stop[-1] == ' ' || (cr_is_space && stop[-1] == '\r')))
            stop--;
        if (stop == start && p == end && r->nfields == 0)
            return 1; /* nothing but spaces: libcsv reports no record */
        on_field(stop > start ? (void *)start : NULL, (size_t)(stop - start), r);
        if (p == end)
            break;
        p++; /* the delimiter */
    }
    r->record_done = 1;
    return 0;
}

static const uint16_t cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

/* Length of the valid UTF-8 sequence at s, or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))
        || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Byte offset of the first invalid UTF-8 sequence or NUL byte, or n if
 * there is neither.  Sets *multibyte when a non-ASCII sequence was seen.
 * Every byte of the input passes here, so plain ASCII without NULs is
 * skipped eight bytes at a time. */
static size_t utf8_check(const unsigned char *s, size_t n, int *multibyte)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    size_t i = 0;
    while (i < n) {
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if ((w | ((w - ones) & ~w)) & highs) /* a high bit or a zero byte */
                break;
            i += 8;
        }
        if (i >= n)
            break;
        if (!s[i])
            return i;
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = utf8_seq(s + i, n - i);
        if (!k)
            return i;
        *multibyte = 1;
        i += k;
    }
    return n;
}

static int cp1252_to_utf8(utfall_csv_reader *r, const unsigned char *s, size_t n, size_t *out_len)
{
    if (UTFALL_GROW(r->conv, r->conv_cap, n * 3 + 1))
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = s[i];
        if (cp >= 0x80 && cp < 0xA0)
            cp = cp1252_high[cp - 0x80];
        if (cp < 0x80) {
            r->conv[o++] = (char)cp;
        } else if (cp < 0x800) {
            r->conv[o++] = (char)(0xC0 | (cp >> 6));
            r->conv[o++] = (char)(0x80 | (cp & 0x3F));
        } else {
            r->conv[o++] = (char)(0xE0 | (cp >> 12));
            r->conv[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            r->conv[o++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    r->conv[o] = '\0';
    *out_len = o;
    return 0;
}

static utfall_status fail(utfall_csv_reader *r, utfall_error *err, long line, utfall_status st,
                          utfall_error_code code, const char *fmt, ...) UTFALL_PRINTF(6, 7);
static utfall_status fail(utfall_csv_reader *r, utfall_error *err, long line, utfall_status st,
                          utfall_error_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    utfall_error_vset(err, st, code, fmt, ap);
    va_end(ap);
    utfall_error_locate(err, r->name, line, 0, NULL);
    r->finished = 1;
    return st;
}

/* The input buffer, cap bytes and the zeroed pad after them. */
static int grow_buf(utfall_csv_reader *r, size_t cap)
{
    char *b = realloc(r->buf, cap + SCAN_PAD);
    if (!b)
        return -1;
    r->buf = b;
    r->cap = cap;
    return 0;
}

/* Make sure buf[pos..len) holds a whole line (or the rest of the input).
 * Returns the line length including its terminator, 0 at end of input,
 * (size_t)-1 on a read error or a line longer than MAX_LINE. */
static size_t fill_line(utfall_csv_reader *r, int *too_long)
{
    for (;;) {
        char *nl = r->len > r->pos ? memchr(r->buf + r->pos, r->newline, r->len - r->pos) : NULL;
        if (nl)
            return (size_t)(nl - (r->buf + r->pos)) + 1;
        if (r->eof)
            return r->len - r->pos;
        if (r->pos > 0) {
            memmove(r->buf, r->buf + r->pos, r->len - r->pos);
            r->len -= r->pos;
            r->pos = 0;
        }
        if (r->cap - r->len < READ_CHUNK / 2) {
            if (r->cap >= MAX_LINE) {
                *too_long = 1;
                return (size_t)-1;
            }
            if (grow_buf(r, r->cap * 2))
                return (size_t)-1;
        }
        size_t got = fread(r->buf + r->len, 1, r->cap - r->len, r->fp);
        r->len += got;
        memset(r->buf + r->len, 0, SCAN_PAD);
        if (got == 0) {
            if (ferror(r->fp))
                return (size_t)-1;
            r->eof = 1;
        }
    }
}

static utfall_status open_input(utfall_csv_reader *r, const char *path, utfall_error *err)
{
    if (!path)
        path = "-";
    int is_stdin = strcmp(path, "-") == 0;
    snprintf(r->name, sizeof r->name, "%s", is_stdin ? "(stdin)" : path);
    if (is_stdin) {
        r->fp = stdin;
        return UTFALL_OK;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return fail(r, err, 0, UTFALL_ERR_IO, UTFALL_EC_IS_DIRECTORY, "is a directory, not a file");
    r->fp = fopen(path, "rb");
    if (!r->fp)
        return fail(r, err, 0, UTFALL_ERR_IO, UTFALL_EC_CANNOT_OPEN, "cannot open: %s",
                    strerror(errno));
    r->owns_fp = 1;
    return UTFALL_OK;
}

static utfall_status read_first_chunk(utfall_csv_reader *r, utfall_error *err)
{
    if (grow_buf(r, READ_CHUNK))
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    r->len = fread(r->buf, 1, r->cap, r->fp);
    memset(r->buf + r->len, 0, SCAN_PAD);
    if (r->len < r->cap) {
        if (ferror(r->fp))
            return fail(r, err, 0, UTFALL_ERR_IO, UTFALL_EC_READ_ERROR, "cannot read: %s",
                        strerror(errno));
        r->eof = 1;
    }
    return UTFALL_OK;
}

/* What the first chunk shows is not text this reader takes: UTF-16, an
 * empty file, binary data. */
static utfall_status refuse_non_text(utfall_csv_reader *r, utfall_error *err)
{
    const unsigned char *b = (const unsigned char *)r->buf;
    if (r->len >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)))
        return fail(r, err, 1, UTFALL_ERR_DATA, UTFALL_EC_UTF16,
                    "the file is UTF-16 text (accepted: UTF-8 or Windows-1252; in Excel save as "
                    "\"CSV UTF-8\")");
    if (r->len == 0)
        return fail(r, err, 0, UTFALL_ERR_DATA, UTFALL_EC_EMPTY_FILE,
                    "the file is empty (expected a header line and data rows)");
    size_t scan = r->len < 4096 ? r->len : 4096;
    const char *nul = memchr(r->buf, '\0', scan);
    if (!nul)
        return UTFALL_OK;
    long line = 1;
    for (const char *c = r->buf; c < nul; c++)
        line += *c == '\n';
    int utf16ish = scan >= 4 && ((b[0] && !b[1] && b[2] && !b[3]) || (!b[0] && b[1] && !b[2] && b[3]));
    return fail(r, err, line, UTFALL_ERR_DATA, utf16ish ? UTFALL_EC_UTF16 : UTFALL_EC_BINARY,
                utf16ish ? "the file looks like UTF-16 text without a byte-order mark "
                           "(accepted: UTF-8 or Windows-1252)"
                         : "the file contains NUL bytes: binary data, not CSV text");
}

/* A UTF-8 byte-order mark is skipped; a file with '\r' and no '\n' has
 * CR-only line ends (old Mac Excel). */
static void note_marks(utfall_csv_reader *r)
{
    const unsigned char *b = (const unsigned char *)r->buf;
    r->newline = '\n';
    r->enc = r->opt.encoding == UTFALL_ENC_CP1252 ? ENC_IS_CP1252 : ENC_UNDECIDED;
    if (r->len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
        r->pos = 3;
        r->enc = r->opt.encoding == UTFALL_ENC_CP1252 ? ENC_IS_CP1252 : ENC_IS_UTF8;
    }
    if (!memchr(r->buf, '\n', r->len) && memchr(r->buf, '\r', r->len))
        r->newline = '\r';
}

utfall_status utfall_csv_open(utfall_csv_reader **out, const char *path,
                              const utfall_csv_options *opt, utfall_error *err)
{
    *out = NULL;
    /* the name is guarded before it can appear in any message */
    utfall_guard_site name = {opt ? opt->channel : NULL, NULL, 0, NULL, "the file name"};
    if (path && utfall_guard(path, strlen(path), &name, err))
        return UTFALL_ERR_PRIVACY;
    utfall_csv_reader *r = calloc(1, sizeof *r);
    if (!r)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    if (opt)
        r->opt = *opt;
    if (!r->opt.max_field)
        r->opt.max_field = 65536;
    r->scan = best_scan();
    utfall_status st = open_input(r, path, err);
    if (!st)
        st = read_first_chunk(r, err);
    if (!st)
        st = refuse_non_text(r, err);
    if (st) {
        utfall_csv_close(r);
        return st;
    }
    note_marks(r);
    *out = r;
    return UTFALL_OK;
}

void utfall_csv_close(utfall_csv_reader *r)
{
    if (!r)
        return;
    if (r->parser_ready)
        csv_free(&r->parser);
    if (r->owns_fp && r->fp)
        fclose(r->fp);
    free(r->buf);
    free(r->conv);
    free(r->arena);
    free(r->offsets);
    free(r->lengths);
    free(r->nulls);
    free(r->ptrs);
    free(r->raw);
    for (size_t i = 0; i < r->nheader; i++)
        free(r->header[i]);
    free(r->header);
    free(r);
}

char utfall_csv_delimiter(const utfall_csv_reader *r) { return r->delimiter; }
const char *utfall_csv_name(const utfall_csv_reader *r) { return r->name; }
int utfall_csv_transcoded(const utfall_csv_reader *r) { return r->enc == ENC_IS_CP1252; }
long utfall_csv_transcoded_line(const utfall_csv_reader *r) { return r->transcoded_line; }
long utfall_csv_lines(const utfall_csv_reader *r) { return r->line; }

static int line_is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

/* The delimiter that occurs most often outside quotes in the header line;
 * ties go to ';' (Swedish Excel), then TAB, ',', '|'. */
static char detect_delimiter(const char *s, size_t n)
{
    static const char cand[] = {';', '\t', ',', '|'};
    size_t count[4] = {0, 0, 0, 0};
    int quoted = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            quoted = !quoted;
        else if (!quoted)
            for (int k = 0; k < 4; k++)
                count[k] += s[i] == cand[k];
    }
    int best = -1;
    for (int k = 0; k < 4; k++)
        if (count[k] > 0 && (best < 0 || count[k] > count[best]))
            best = k;
    return best < 0 ? ',' : cand[best];
}

/* Column (1-based, in characters) of byte offset off in a UTF-8 line. */
static long char_column(const char *s, size_t off)
{
    long col = 1;
    for (size_t i = 0; i < off; i++)
        col += ((unsigned char)s[i] & 0xC0) != 0x80;
    return col;
}

/* Decode one physical line into UTF-8; returns the bytes to feed. */
static int decode_line(utfall_csv_reader *r, const char *s, size_t n, const char **out,
                       size_t *out_len, utfall_error *err)
{
    size_t bad = n;
    if (r->enc != ENC_IS_CP1252) {
        bad = utf8_check((const unsigned char *)s, n, &r->saw_utf8_multibyte);
        if (bad == n) { /* valid UTF-8 without NUL bytes: the common case */
            *out = s;
            *out_len = n;
            return 0;
        }
    }
    if (memchr(s, '\0', n)) {
        size_t off = (size_t)((const char *)memchr(s, '\0', n) - s);
        fail(r, err, r->line, UTFALL_ERR_DATA, UTFALL_EC_NUL_BYTE,
             "NUL byte at character %ld: binary data, not CSV text", char_column(s, off));
        return -1;
    }
    if (r->enc != ENC_IS_CP1252) {
        if (r->opt.encoding == UTFALL_ENC_UTF8 || r->enc == ENC_IS_UTF8
            || r->saw_utf8_multibyte) {
            fail(r, err, r->line, UTFALL_ERR_DATA, UTFALL_EC_BAD_UTF8,
                 "invalid UTF-8 at character %ld (the file is neither UTF-8 nor Windows-1252 "
                 "throughout; use --encoding to say which)",
                 char_column(s, bad));
            return -1;
        }
        /* Only ASCII so far and now a byte that is not UTF-8: the file is
         * Windows-1252, which is what Swedish Excel writes. */
        r->enc = ENC_IS_CP1252;
        r->transcoded_line = r->line;
    }
    if (cp1252_to_utf8(r, (const unsigned char *)s, n, out_len)) {
        fail(r, err, r->line, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
        return -1;
    }
    *out = r->conv;
    return 0;
}

static int append_raw(utfall_csv_reader *r, const char *s, size_t n)
{
    if (UTFALL_GROW(r->raw, r->raw_cap, r->raw_len + n + 1))
        return -1;
    memcpy(r->raw + r->raw_len, s, n);
    r->raw_len += n;
    r->raw[r->raw_len] = '\0';
    return 0;
}

/* A record's shape, when it is not the common one (as many fields as the
 * header, none too long): -1 out of memory, 1 a record of the wrong shape
 * (err says what), 0 a sound record. */
static int record_shape(utfall_csv_reader *r, utfall_error *err)
{
    if (r->nomem) {
        fail(r, err, r->record_line, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
        return -1;
    }
    int bad_shape = 0;
    if (r->field_too_long) {
        fail(r, err, r->record_line, UTFALL_ERR_DATA, UTFALL_EC_FIELD_TOO_LONG,
             "field %zu is longer than %zu bytes", r->long_field_index + 1, r->opt.max_field);
        bad_shape = 1;
    }
    /* Excel sometimes ends every line with a delimiter: one extra empty
     * trailing field is not a shape error. */
    if (r->header_fields && r->nfields == r->header_fields + 1 && r->nulls[r->nfields - 1])
        r->nfields--;
    if (!r->header_fields) {
        if (r->nfields > 1 && r->nulls[r->nfields - 1])
            r->nfields--;
        r->header_fields = r->nfields;
    } else if (!bad_shape && r->nfields != r->header_fields) {
        fail(r, err, r->record_line, UTFALL_ERR_DATA, UTFALL_EC_FIELD_COUNT,
             "the record has %zu fields, the header has %zu (check the delimiter '%s' and "
             "quoting)",
             r->nfields, r->header_fields, r->delimiter == '\t' ? "\\t" : (char[]){r->delimiter, 0});
        bad_shape = 1;
    }
    return bad_shape;
}

static int finish_record(utfall_csv_reader *r, utfall_csv_record *rec, utfall_error *err)
{
    r->records++;
    r->in_record = 0;
    r->record_done = 0;
    int bad_shape = 0;
    if (__builtin_expect(r->nomem | r->field_too_long | !r->header_fields
                             | (r->nfields != r->header_fields),
                         0)) {
        bad_shape = record_shape(r, err);
        if (bad_shape < 0)
            return -1;
    }
    if (!r->ptrs_set)
        for (size_t i = 0; i < r->nfields; i++)
            r->ptrs[i] = r->arena + r->offsets[i];
    r->ptrs_set = 0;
    const char *raw = r->raw_view ? r->raw_view : r->raw;
    size_t raw_len = r->raw_view ? r->raw_view_len : r->raw_len;
    while (raw_len && (raw[raw_len - 1] == '\n' || raw[raw_len - 1] == '\r'))
        raw_len--;
    if (!r->raw_view) {
        r->raw_len = raw_len;
        r->raw[raw_len] = '\0';
    }
    r->raw_view = NULL;
    rec->nfields = r->nfields;
    rec->fields = r->ptrs;
    rec->lengths = r->lengths;
    rec->is_null = r->nulls;
    rec->line = r->record_line;
    rec->end_line = r->line;
    rec->record = r->records;
    rec->raw = raw;
    rec->raw_len = raw_len;
    if (bad_shape) {
        /* the record's bounds are sound: the caller may skip it and go on */
        r->finished = 0;
        if (r->records == 1)
            return -1;
        return -2;
    }
    return 1;
}

static int parse_error(utfall_csv_reader *r, utfall_error *err, const char *fed, size_t done)
{
    int e = csv_error(&r->parser);
    if (e == CSV_EPARSE)
        fail(r, err, r->line, UTFALL_ERR_DATA, UTFALL_EC_BAD_QUOTE,
             "malformed CSV at character %ld: a quote inside an unquoted field, or text after a "
             "closing quote (quote the whole field and double inner quotes: \"a \"\"b\"\" c\")",
             char_column(fed, done));
    else
        fail(r, err, r->line, e == CSV_ENOMEM ? UTFALL_ERR_NOMEM : UTFALL_ERR_DATA,
             UTFALL_EC_BAD_QUOTE, "malformed CSV at character %ld: %s", char_column(fed, done),
             csv_strerror(e));
    return -1;
}

/* At the end of the input: the record still open, if any, or 0. */
static int end_of_input(utfall_csv_reader *r, utfall_csv_record *rec, utfall_error *err)
{
    if (r->parser_ready && r->in_record) {
        if (csv_fini(&r->parser, on_field, on_record, r) != 0) {
            fail(r, err, r->record_line, UTFALL_ERR_DATA, UTFALL_EC_UNBALANCED_QUOTE,
                 "a quoted field that starts in this record is never closed");
            return -1;
        }
        if (r->record_done || r->nfields)
            return finish_record(r, rec, err);
    }
    r->finished = 1;
    if (r->records == 0)
        return fail(r, err, r->line, UTFALL_ERR_DATA, UTFALL_EC_EMPTY_FILE,
                    "the file has no header line (expected column names)"), -1;
    return 0;
}

/* "sep=;" is how Excel names the delimiter on a first line: 1 if this is
 * that line. */
static int take_sep_line(utfall_csv_reader *r, const char *text, size_t tlen)
{
    if (r->records != 0 || tlen < 5 || strncasecmp(text, "sep=", 4)
        || !line_is_blank(text + 5, tlen - 5))
        return 0;
    if (!r->opt.delimiter)
        r->opt.delimiter = text[4];
    return 1;
}

/* The first line of CSV text: choose the delimiter and start libcsv. */
static int start_parser(utfall_csv_reader *r, const char *text, size_t tlen, utfall_error *err)
{
    r->delimiter = r->opt.delimiter ? r->opt.delimiter : detect_delimiter(text, tlen);
    if (csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL)) {
        fail(r, err, r->line, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
        return -1;
    }
    r->parser_ready = 1;
    /* the fast path trims spaces and CR, stops at quotes and NUL bytes and
     * leaves bytes >= 0x80 to the UTF-8 check: a delimiter among them is
     * left to the general path */
    unsigned char d = (unsigned char)r->delimiter;
    if (d == ' ' || d == '\r' || d == '\n' || d == '"' || d == '\0' || d >= 0x80)
        r->scan = SCAN_OFF;
    csv_set_delim(&r->parser, (unsigned char)r->delimiter);
    csv_set_space_func(&r->parser, r->newline == '\n' ? is_space_crlf : is_space_plain);
    csv_set_term_func(&r->parser, r->newline == '\n' ? is_term_lf : is_term_cr);
    csv_set_blk_size(&r->parser, 4096);
    return 0;
}

/* A record starts on this line.  A line that was not transcoded is still
 * in buf: the record's raw text is a view of it, not a copy. */
static void begin_record(utfall_csv_reader *r, const char *line, const char *text, size_t tlen)
{
    r->in_record = 1;
    r->record_line = r->line;
    r->nfields = 0;
    r->arena_len = 0;
    r->raw_len = 0;
    r->field_too_long = 0;
    r->raw_view = NULL;
    if (text == line) {
        r->raw_view = text;
        r->raw_view_len = tlen;
    }
}

/* ---- the fast path: a plain line scanned 64 bytes at a time ------------
 *
 * Nearly every line of an extract is one record without a quote, and
 * nearly every field is copied, split and checked the same way.  The fast
 * path scans the buffered input from pos in 64-byte chunks (eight 64-bit
 * words, four SSE2 or two AVX2 registers) and gets, per chunk, a bit per
 * byte for the delimiter, the line end, a quote or NUL byte, a byte >= 0x80
 * and a space or CR, while copying the chunk into the arena; the fields
 * are then the runs between delimiter bits, NUL-terminated where they end,
 * and only the bytes >= 0x80 are looked at one by one (UTF-8).  A line it
 * cannot take as it stands (a quote or NUL byte, a
 * leading space or blank line, bytes that are not UTF-8 or that are
 * transcoded, a line that runs past the buffered input) is left, untouched,
 * to the general path (fill_line, decode_line, split_plain, libcsv),
 * which gives the same records; tests/csv/test_scan.c compares the two on
 * random files. */

struct chunk_masks {
    uint64_t delim, term, stop, high, space; /* bit i: byte i is the delimiter, the
                                              * line end, a quote or NUL (stop), >= 0x80,
                                              * a space or CR */
};

/* 0x80 in each byte of w that is zero, exactly (no borrow between bytes). */
static inline uint64_t swar_zero_bytes(uint64_t w)
{
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7Full;
    return ~(((w & low7) + low7) | w | low7);
}

/* The 0x80 bits of a word, byte i to bit i. */
static inline uint64_t swar_gather(uint64_t highs)
{
    return ((highs >> 7) * 0x0102040810204080ull) >> 56;
}

/* Portable: a 64-bit word at a time. */
static inline struct chunk_masks scan_chunk_portable(const char *p, char *dst, char delim,
                                                     char term)
{
    const uint64_t ones = 0x0101010101010101ull;
    const uint64_t d = ones * (unsigned char)delim, t = ones * (unsigned char)term,
                   q = ones * (unsigned char)'"', sp = ones * ' ', cr = ones * '\r';
    struct chunk_masks m = {0, 0, 0, 0, 0};
    for (int k = 0; k < 8; k++) {
        uint64_t w;
        memcpy(&w, p + 8 * k, 8);
        memcpy(dst + 8 * k, &w, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w = __builtin_bswap64(w); /* byte i of the chunk in bits 8i..8i+7 */
#endif
        int sh = 8 * k;
        m.delim |= swar_gather(swar_zero_bytes(w ^ d)) << sh;
        m.term |= swar_gather(swar_zero_bytes(w ^ t)) << sh;
        m.stop |= swar_gather(swar_zero_bytes(w ^ q) | swar_zero_bytes(w)) << sh;
        m.high |= swar_gather(w & 0x8080808080808080ull) << sh;
        m.space |= swar_gather(swar_zero_bytes(w ^ sp) | swar_zero_bytes(w ^ cr)) << sh;
        if (m.term)
            break;
    }
    return m;
}

#if defined(__SSE2__)
static inline struct chunk_masks scan_chunk_sse2(const char *p, char *dst, char delim, char term)
{
    const __m128i d = _mm_set1_epi8(delim), t = _mm_set1_epi8(term), q = _mm_set1_epi8('"'),
                  zero = _mm_setzero_si128(), sp = _mm_set1_epi8(' '), cr = _mm_set1_epi8('\r');
    struct chunk_masks m = {0, 0, 0, 0, 0};
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        _mm_storeu_si128((__m128i *)(void *)(dst + 16 * k), v);
        int sh = 16 * k;
        m.delim |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, d)) << sh;
        m.term |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, t)) << sh;
        m.stop |= (uint64_t)(unsigned)_mm_movemask_epi8(
                      _mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, zero)))
                  << sh;
        m.high |= (uint64_t)(unsigned)_mm_movemask_epi8(v) << sh;
        m.space |= (uint64_t)(unsigned)_mm_movemask_epi8(
                       _mm_or_si128(_mm_cmpeq_epi8(v, sp), _mm_cmpeq_epi8(v, cr)))
                   << sh;
        if (m.term) /* the rest of the chunk is the next line's (or the zeroed pad) */
            break;
    }
    return m;
}
#endif

#if defined(HAVE_SCAN_AVX2)
__attribute__((target("avx2"))) static inline struct chunk_masks
scan_chunk_avx2(const char *p, char *dst, char delim, char term)
{
    const __m256i d = _mm256_set1_epi8(delim), t = _mm256_set1_epi8(term),
                  q = _mm256_set1_epi8('"'), zero = _mm256_setzero_si256(),
                  sp = _mm256_set1_epi8(' '), cr = _mm256_set1_epi8('\r');
    struct chunk_masks m = {0, 0, 0, 0, 0};
    for (int k = 0; k < 2; k++) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32 * k));
        _mm256_storeu_si256((__m256i *)(void *)(dst + 32 * k), v);
        int sh = 32 * k;
        m.delim |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, d)) << sh;
        m.term |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, t)) << sh;
        m.stop |= (uint64_t)(uint32_t)_mm256_movemask_epi8(
                      _mm256_or_si256(_mm256_cmpeq_epi8(v, q), _mm256_cmpeq_epi8(v, zero)))
                  << sh;
        m.high |= (uint64_t)(uint32_t)_mm256_movemask_epi8(v) << sh;
        m.space |= (uint64_t)(uint32_t)_mm256_movemask_epi8(
                       _mm256_or_si256(_mm256_cmpeq_epi8(v, sp), _mm256_cmpeq_epi8(v, cr)))
                   << sh;
        if (m.term)
            break;
    }
    return m;
}
#endif

enum { PLAIN_DONE, PLAIN_OTHER, PLAIN_MORE };

/* Where the fast path puts a line's fields: the reader's arrays, held in
 * locals while a line is split (a store through one of them could
 * otherwise be the reader's own fields, to be read again after each). */
struct plain_out {
    char *arena;
    const char **ptrs;
    size_t *lengths;
    unsigned char *nulls;
};

static inline void plain_out_load(struct plain_out *out, const utfall_csv_reader *r)
{
    *out = (struct plain_out){r->arena, r->ptrs, r->lengths, r->nulls};
}

/* Room for the next chunk: its 64 bytes in the arena, and up to 65 more
 * fields (64 delimiters).  The fields set so far point into the arena and
 * move with it.  -1 out of memory. */
static __attribute__((noinline)) int plain_room(utfall_csv_reader *r, size_t bytes, size_t nf)
{
    if (nf + 65 > r->fields_cap && grow_fields(r, nf + 65))
        return -1;
    for (size_t i = 0; i < nf; i++)
        r->offsets[i] = (size_t)(r->ptrs[i] - r->arena);
    if (UTFALL_GROW(r->arena, r->arena_cap, bytes))
        return -1;
    for (size_t i = 0; i < nf; i++)
        r->ptrs[i] = r->arena + r->offsets[i];
    return 0;
}

/* A line longer than max_field may hold a field that is: such a field is
 * kept empty and marked, as on_field_slow does. */
static void plain_long_fields(utfall_csv_reader *r, size_t nf)
{
    for (size_t i = 0; i < nf; i++)
        if (r->lengths[i] > r->opt.max_field) {
            if (!r->field_too_long) {
                r->field_too_long = 1;
                r->long_field_index = i;
            }
            r->lengths[i] = 0;
            r->arena[r->ptrs[i] - r->arena] = '\0';
        }
}

/* Field nf of a plain line: arena[a, b), trimmed of spaces and CR (which
 * inside a line can only be the CR of a CRLF, or a space to libcsv) when
 * the line has any, as libcsv trims them.  An empty field is NULL, as
 * with CSV_EMPTY_IS_NULL. */
static inline __attribute__((always_inline)) void plain_field(struct plain_out *out, size_t nf,
                                                              size_t a, size_t b, int spaces)
{
    char *ar = out->arena;
    if (spaces) {
        while (a < b && (ar[a] == ' ' || ar[a] == '\r'))
            a++;
        while (b > a && (ar[b - 1] == ' ' || ar[b - 1] == '\r'))
            b--;
    }
    out->ptrs[nf] = ar + a;
    out->lengths[nf] = b - a;
    out->nulls[nf] = b == a;
    ar[b] = '\0';
}

/* The bytes >= 0x80 of a line, high (a bit per byte from s on), are valid
 * UTF-8 in a file read as UTF-8, as decode_line would pass them through?
 * A sequence's bytes are all >= 0x80: the bits of the one that runs on
 * past s[63] are left in *carry for the next chunk.  n: bytes readable
 * from s. */
static inline int plain_utf8(utfall_csv_reader *r, const char *s, size_t n, uint64_t high,
                             uint64_t *carry)
{
    high &= ~*carry;
    *carry = 0;
    if (!high)
        return 1;
    if (r->enc == ENC_IS_CP1252)
        return 0;
    do {
        unsigned i = (unsigned)__builtin_ctzll(high);
        const unsigned char *c = (const unsigned char *)s + i;
        size_t k = c[0] >= 0xC2 && c[0] <= 0xDF && (c[1] & 0xC0) == 0x80 ? 2
                                                                          : utf8_seq(c, n - i);
        if (!k)
            return 0;
        if (i + k > 64) {
            *carry = (1ull << (i + k - 64)) - 1;
            k = 64 - i;
        }
        high &= k + i == 64 ? 0 : ~0ull << (i + k);
    } while (high);
    r->saw_utf8_multibyte = 1;
    return 1;
}

/* The line at pos, if the fast path can take it: PLAIN_DONE with its
 * fields set and the line consumed, PLAIN_OTHER for the general path,
 * PLAIN_MORE when it runs past the buffered input (the general path reads
 * on).  simd is a constant in each caller. */
static inline __attribute__((always_inline)) int plain_line(utfall_csv_reader *r, int simd)
{
    const char *p = r->buf + r->pos;
    size_t avail = r->len - r->pos, start = 0, nf = 0;
    uint64_t carry = 0;
    int spaces = 0;
    if (!avail)
        return PLAIN_MORE;
    if (p[0] == ' ' || p[0] == '\t' || p[0] == '\r' || p[0] == '\n')
        return PLAIN_OTHER; /* perhaps blank, or a first field to trim */
    const char delim = r->delimiter, term = r->newline;
    struct plain_out out;
    plain_out_load(&out, r);
    for (size_t o = 0;; o += 64) {
        if (o >= avail)
            return PLAIN_MORE;
        if (__builtin_expect((o + SCAN_PAD > r->arena_cap) | (nf + 65 > r->fields_cap), 0)) {
            if (plain_room(r, o + SCAN_PAD, nf))
                return PLAIN_OTHER;
            plain_out_load(&out, r);
        }
        struct chunk_masks m;
#if defined(HAVE_SCAN_AVX2)
        if (simd == SCAN_AVX2)
            m = scan_chunk_avx2(p + o, out.arena + o, delim, term);
        else
#endif
#if defined(__SSE2__)
        if (simd == SCAN_SSE2)
            m = scan_chunk_sse2(p + o, out.arena + o, delim, term);
        else
#endif
            m = scan_chunk_portable(p + o, out.arena + o, delim, term);
        uint64_t valid = avail - o >= 64 ? ~0ull : (1ull << (avail - o)) - 1;
        uint64_t t = m.term & valid, upto = t ? (t & -t) - 1 : valid;
        if ((m.stop & upto) || !plain_utf8(r, p + o, avail - o, m.high & upto, &carry))
            return PLAIN_OTHER;
        /* the CR of a CRLF ends the last field; any other space or CR
         * means trimming this line's fields */
        uint64_t sp = m.space & upto;
        if (t && sp && (sp & ~(upto >> 1)) && p[o + (unsigned)__builtin_ctzll(t) - 1] == '\r')
            sp &= upto >> 1; /* the CR right before the line end */
        spaces |= sp != 0;
        uint64_t d = m.delim & upto;
        if (!spaces) { /* nearly always: no field to trim */
            for (; d; d &= d - 1) {
                size_t e = o + (unsigned)__builtin_ctzll(d);
                plain_field(&out, nf++, start, e, 0);
                start = e + 1;
            }
        }
        for (; d; d &= d - 1) {
            size_t e = o + (unsigned)__builtin_ctzll(d);
            plain_field(&out, nf++, start, e, 1);
            start = e + 1;
        }
        if (t) {
            size_t end = o + (unsigned)__builtin_ctzll(t);
            size_t last = end > start && p[end - 1] == '\r' ? end - 1 : end;
            plain_field(&out, nf++, start, last, spaces);
            r->field_too_long = 0;
            if (__builtin_expect(end > r->opt.max_field, 0))
                plain_long_fields(r, nf);
            r->pos += end + 1;
            r->raw_view_len = end + 1;
            break;
        }
    }
    r->nfields = nf;
    r->line++;
    r->record_line = r->line;
    r->raw_view = p;
    r->ptrs_set = 1;
    r->fast_records++;
    return PLAIN_DONE;
}

static int plain_line_portable(utfall_csv_reader *r) { return plain_line(r, SCAN_PORTABLE); }
#if defined(__SSE2__)
static int plain_line_sse2(utfall_csv_reader *r) { return plain_line(r, SCAN_SSE2); }
#endif
#if defined(HAVE_SCAN_AVX2)
__attribute__((target("avx2"))) static int plain_line_avx2(utfall_csv_reader *r)
{
    return plain_line(r, SCAN_AVX2);
}
#endif

/* The fast path for the line at pos, in the reader's scan mode. */
static int scan_line(utfall_csv_reader *r)
{
#if defined(HAVE_SCAN_AVX2)
    if (r->scan == SCAN_AVX2)
        return plain_line_avx2(r);
#endif
#if defined(__SSE2__)
    if (r->scan == SCAN_SSE2)
        return plain_line_sse2(r);
#endif
    return plain_line_portable(r);
}

/* One line after another until a record is complete: the general path,
 * which takes every line the fast path leaves. */
static __attribute__((noinline)) int next_general(utfall_csv_reader *r, utfall_csv_record *rec,
                                                  utfall_error *err)
{
    for (;;) {
        int too_long = 0;
        size_t n = fill_line(r, &too_long);
        if (n == (size_t)-1) {
            if (too_long)
                fail(r, err, r->line + 1, UTFALL_ERR_DATA, UTFALL_EC_LINE_TOO_LONG,
                     "a line longer than %u MiB", MAX_LINE >> 20);
            else
                fail(r, err, r->line + 1, UTFALL_ERR_IO, UTFALL_EC_READ_ERROR, "cannot read: %s",
                     strerror(errno));
            return -1;
        }
        if (n == 0)
            return end_of_input(r, rec, err);
        const char *line = r->buf + r->pos;
        r->pos += n;
        r->line++;
        if (!r->in_record && line_is_blank(line, n))
            continue;
        const char *text;
        size_t tlen;
        if (decode_line(r, line, n, &text, &tlen, err))
            return -1;
        if (!r->parser_ready) {
            if (take_sep_line(r, text, tlen))
                continue;
            if (start_parser(r, text, tlen, err))
                return -1;
        }
        int fresh = !r->in_record;
        if (fresh)
            begin_record(r, line, text, tlen);
        if (!r->raw_view && append_raw(r, text, tlen)) {
            fail(r, err, r->line, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
            return -1;
        }
        if (fresh && split_plain(r, text, tlen) == 0)
            return finish_record(r, rec, err);
        size_t done = csv_parse(&r->parser, text, tlen, on_field, on_record, r);
        if (done != tlen)
            return parse_error(r, err, text, done);
        if (r->record_done)
            return finish_record(r, rec, err);
        /* The record goes on past this line, and reading the next one may
         * move buf: keep a copy from here on. */
        if (r->raw_view) {
            const char *v = r->raw_view;
            r->raw_view = NULL;
            if (append_raw(r, v, r->raw_view_len)) {
                fail(r, err, r->line, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
                return -1;
            }
        }
    }
}

/* A record of the fast path: finish_record's work for a record of the
 * header's width without an overlong field, the common case. */
static inline int finish_plain(utfall_csv_reader *r, utfall_csv_record *rec, utfall_error *err)
{
    if (__builtin_expect(r->field_too_long | (r->nfields != r->header_fields), 0))
        return finish_record(r, rec, err);
    r->records++;
    r->ptrs_set = 0;
    const char *raw = r->raw_view;
    size_t raw_len = r->raw_view_len;
    r->raw_view = NULL;
    while (raw_len && (raw[raw_len - 1] == '\n' || raw[raw_len - 1] == '\r'))
        raw_len--;
    *rec = (utfall_csv_record){.nfields = r->nfields, .fields = r->ptrs, .lengths = r->lengths,
                               .is_null = r->nulls, .line = r->record_line, .end_line = r->line,
                               .record = r->records, .raw = raw, .raw_len = raw_len};
    return 1;
}

/* The next record, by the fast path where the line allows it. */
static int next_record(utfall_csv_reader *r, utfall_csv_record *rec, utfall_error *err)
{
    if (r->finished)
        return 0;
    if (r->scan != SCAN_OFF && r->parser_ready && !r->in_record && scan_line(r) == PLAIN_DONE)
        return finish_plain(r, rec, err);
    return next_general(r, rec, err);
}

/* The header's fields, guarded already, kept to name the columns of a
 * refusal. */
static utfall_status keep_header(utfall_csv_reader *r, const utfall_csv_record *rec,
                                 utfall_error *err)
{
    r->header = calloc(rec->nfields ? rec->nfields : 1, sizeof *r->header);
    if (!r->header)
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    for (; r->nheader < rec->nfields; r->nheader++)
        if (!(r->header[r->nheader] = strdup(rec->fields[r->nheader])))
            return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    return UTFALL_OK;
}

/* The guard over field i of a record that may hold a number, naming its
 * column by the header (or, in the header, by its place).  Rarely called:
 * kept out of the loop below. */
static __attribute__((noinline)) utfall_status guard_field(const utfall_csv_reader *r,
                                                           const utfall_csv_record *rec,
                                                           size_t i, utfall_error *err)
{
    char place[48];
    utfall_guard_site site = {r->opt.channel, r->name, rec->line, NULL, place};
    if (rec->record > 1 && i < r->nheader) {
        site.column = r->header[i];
        site.place = NULL;
    }
    snprintf(place, sizeof place, "%s %zu", rec->record == 1 ? "header field" : "field", i + 1);
    return utfall_guard(rec->fields[i], rec->lengths[i], &site, err);
}

/* The identity-number guard over a record: the header and the data
 * records field by field (got 1), a malformed record as its raw text (got
 * -2), so that no field ever leaves the reader with a number in it. */
static utfall_status guard_record(utfall_csv_reader *r, const utfall_csv_record *rec, int got,
                                  utfall_error *err)
{
    if (got == -2) {
        utfall_guard_site site = {r->opt.channel, r->name, rec->line, NULL, NULL};
        return utfall_guard(rec->raw, rec->raw_len, &site, err);
    }
    for (size_t i = 0; i < rec->nfields; i++)
        if (utfall_pnr_candidate(rec->fields[i], rec->lengths[i])
            && guard_field(r, rec, i, err))
            return UTFALL_ERR_PRIVACY;
    return rec->record == 1 && !r->header ? keep_header(r, rec, err) : UTFALL_OK;
}

int utfall_csv_next(utfall_csv_reader *r, utfall_csv_record *rec, utfall_error *err)
{
    int got = next_record(r, rec, err);
    if ((got == 1 || got == -2) && !(r->opt.flags & UTFALL_CSV_UNGUARDED)
        && guard_record(r, rec, got, err)) {
        r->finished = 1;
        return -1;
    }
    return got;
}

/* After a fatal error the rest of the input is still looked through, as
 * plain lines: a file that holds a number must be refused as such
 * whatever else is wrong with it. */
utfall_status utfall_csv_guard_rest(utfall_csv_reader *r, utfall_error *err)
{
    utfall_guard_site site = {r->opt.channel, r->name, r->record_line, NULL, NULL};
    /* the record that went wrong: a view into buf for a single line, else the copy */
    const char *raw = r->raw_view ? r->raw_view : r->raw;
    size_t raw_len = r->raw_view ? r->raw_view_len : r->raw_len;
    if (r->in_record && raw_len && utfall_guard(raw, raw_len, &site, err))
        return UTFALL_ERR_PRIVACY;
    for (site.line = r->line;;) {
        int too_long = 0;
        size_t n = fill_line(r, &too_long);
        if (n == (size_t)-1 && !too_long)
            return UTFALL_OK;
        if (n == 0)
            return UTFALL_OK;
        site.line++;
        /* a monster line: what is buffered is looked at, then dropped */
        size_t look = n == (size_t)-1 ? r->len - r->pos : n;
        if (utfall_guard(r->buf + r->pos, look, &site, err))
            return UTFALL_ERR_PRIVACY;
        if (n == (size_t)-1)
            r->pos = r->len = 0;
        else
            r->pos += n;
    }
}

size_t utfall_csv_current_field(const utfall_csv_reader *r) { return r->nfields; }
