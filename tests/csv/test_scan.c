/* The reader's fast path (plain_line in lib/ingest/csvread.c: lines
 * scanned 64 bytes at a time, portably in 64-bit words, with SSE2 or with
 * AVX2) must give exactly the records, errors and line numbers of the
 * general path (decode_line, split_plain, libcsv), which it only takes
 * work from.  Random files are read with the fast path off, then portable,
 * SSE2 (where the compiler has it) and AVX2 (where the processor has it),
 * and everything utfall_csv_next returns is compared: return codes, fields
 * with their lengths and NULL flags, lines, raw text, errors, the
 * transcoding note.  The files mix every delimiter (, ; TAB |, detected,
 * given, or named by a "sep=" line; now and then ':', or a space or quote,
 * which the fast path leaves alone), LF, CRLF and CR-only line ends, a
 * BOM, quoted fields (with delimiters, newlines and doubled quotes, and
 * malformed ones), spaces and CR to trim, UTF-8 of two to four bytes at
 * every offset, Windows-1252 bytes (transcoded), invalid UTF-8, NUL
 * bytes, blank lines, records of the wrong width, fields longer than
 * max_field and lines longer than a chunk.  meson builds this file twice:
 * with the reader's usual 1 MiB buffer, and with TEST_READ_CHUNK=61 so
 * that lines and fields keep running across the end of the buffered
 * input.  No timing: only equality. */
#ifdef TEST_READ_CHUNK
#define READ_CHUNK TEST_READ_CHUNK
#endif
#include "../../lib/ingest/csvread.c"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static size_t below(size_t n) { return (size_t)(rnd() % n); }

typedef struct text {
    char *s;
    size_t n, cap;
} text;

static void put(text *t, const char *s, size_t n)
{
    if (t->n + n + 1 > t->cap) {
        t->cap = (t->n + n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        if (!t->s)
            abort();
    }
    memcpy(t->s + t->n, s, n);
    t->n += n;
    t->s[t->n] = '\0';
}

static void puts_(text *t, const char *s) { put(t, s, strlen(s)); }

static void putf(text *t, const char *fmt, ...)
{
    char b[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    put(t, b, (size_t)n < sizeof b ? (size_t)n : sizeof b - 1);
}

/* One field's text, as a spreadsheet or a case system might write it. */
static void random_field(text *t, char delim, const char *nl)
{
    static const char *const pieces[] = {
        "Stockholm", "V\xc3\xa4xj\xc3\xb6", "\xc3\x96rebro", "arbete_med_stod", "2014-06-30",
        "17", "9,5", "k", "", "", "\xe2\x82\xac",          /* euro sign, three bytes */
        "\xf0\x9f\x98\x80",                                  /* four bytes */
        "\xe4pple",                                          /* Windows-1252 */
        "\xc0\x80", "\xed\xa0\x80", "\xe2\x82", "\xc3",      /* not UTF-8 */
        " padded ", "  ", "trail ", " lead", "a\rb", "cr\r", "\rcr", "tab\there",
        "\"quoted\"", "\"with, comma; and|pipe\ttab\"", "\"say \"\"hi\"\"\"", "bad\"quote",
        "\"open", "\"a\"b", "\"\"", "x\"", "\"multi\nline\"", "\"multi\r\nline\""};
    size_t k = below(sizeof pieces / sizeof pieces[0] + 4);
    if (k < sizeof pieces / sizeof pieces[0]) {
        puts_(t, pieces[k]);
    } else if (k == sizeof pieces / sizeof pieces[0]) { /* long: over chunks and max_field */
        size_t n = 40 + below(300);
        for (size_t i = 0; i < n; i++) {
            char c = "abcdefghij0123456789 -"[below(22)];
            put(t, &c, 1);
        }
        if (below(3) == 0)
            puts_(t, "\xc3\xa5");
    } else if (k == sizeof pieces / sizeof pieces[0] + 1 && below(40) == 0) {
        put(t, "nul\0byte", 8);
    } else if (k == sizeof pieces / sizeof pieces[0] + 2 && below(10) == 0) {
        put(t, &delim, 1); /* an unquoted delimiter: a record too wide */
    } else if (k == sizeof pieces / sizeof pieces[0] + 3 && below(20) == 0) {
        puts_(t, nl); /* a bare line end: a record too narrow, then one too wide */
    } else {
        size_t n = below(12);
        for (size_t i = 0; i < n; i++) {
            char c = "abcXYZ019_-./"[below(13)];
            put(t, &c, 1);
        }
    }
}

/* Text without quotes, so that the fast path reads it, of UTF-8 of every
 * length at every offset from a chunk's start, dense or sparse, now and
 * then not UTF-8 (a byte that is not sits alone, or right after a
 * sequence that is). */
static size_t sparse, bad_rate; /* per file: 1 in how many characters is not ASCII, and of
                                 * those how many are not UTF-8 (0: none) */

static void mixed_text(text *t)
{
    static const char *const good[] = {"\xc3\xa5", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    static const char *const bad[] = {"\xe4", "\x80", "\xc3", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                      "\xe0\x80\x80", "\xc1\xbf", "\xf8\x88\x80\x80\x80"};
    size_t n = 1 + below(150);
    for (size_t i = 0; i < n; i++) {
        if (below(sparse))
            put(t, &"abcdefghijklmnopqrstuvwxyz0123456789"[below(36)], 1);
        else if (bad_rate && below(bad_rate) == 0) {
            if (below(2))
                puts_(t, good[below(3)]);
            puts_(t, bad[below(sizeof bad / sizeof bad[0])]);
        }
        else
            puts_(t, good[below(3)]);
    }
}

struct file_spec {
    char delim;
    const char *nl;
    utfall_csv_options opt;
};

static void random_file(text *t, struct file_spec *f)
{
    static const char delims[] = {',', ';', '\t', '|'};
    static const char *const nls[] = {"\n", "\r\n", "\r"};
    f->delim = delims[below(4)];
    f->nl = nls[below(3)];
    memset(&f->opt, 0, sizeof f->opt);
    f->opt.delimiter = below(3) == 0 ? f->delim : 0;
    if (below(25) == 0) /* --delimiter with another byte: ':' is scanned, ' ' and '"' are not */
        f->delim = f->opt.delimiter = ":: \""[below(4)];
    f->opt.encoding = (utfall_encoding)(below(6) < 4 ? UTFALL_ENC_AUTO : below(2) ? UTFALL_ENC_UTF8
                                                                              : UTFALL_ENC_CP1252);
    f->opt.max_field = below(3) == 0 ? 8 + below(200) : 0;
    t->n = 0;
    if (below(8) == 0)
        puts_(t, "\xef\xbb\xbf");
    if (below(10) == 0)
        putf(t, "sep=%c%s", f->delim, f->nl);
    size_t cols = 1 + below(12), rows = below(40);
    for (size_t c = 0; c < cols; c++)
        putf(t, "%s%s%zu", c ? (char[]){f->delim, 0} : "", "col", c);
    puts_(t, f->nl);
    /* most rows plain, as in an extract; some with everything; some long
     * and in many scripts */
    size_t kind = below(4);
    sparse = (size_t[]){2, 8, 64}[below(3)];
    bad_rate = (size_t[]){0, 0, 100, 10}[below(4)];
    for (size_t r = 0; r < rows; r++) {
        if (below(30) == 0) {
            puts_(t, below(2) ? "" : "   ");
            puts_(t, f->nl);
            continue;
        }
        size_t n = below(12) == 0 ? cols + below(3) - 1 : cols;
        for (size_t c = 0; c < n; c++) {
            if (c)
                put(t, &f->delim, 1);
            if (kind == 0 || below(8) == 0)
                random_field(t, f->delim, f->nl);
            else if (kind == 1)
                mixed_text(t);
            else
                putf(t, "v%zu_%zu", r, c);
        }
        if (below(15) == 0)
            put(t, &f->delim, 1); /* Excel's trailing delimiter */
        if (r + 1 < rows || below(4))
            puts_(t, f->nl);
    }
}

/* Everything the reader says about a file, in one string. */
static long read_all(const char *path, const utfall_csv_options *opt, int mode, text *out,
                     long *fast)
{
    utfall_csv_reader *r;
    utfall_error err;
    utfall_error_clear(&err);
    out->n = 0;
    if (utfall_csv_open(&r, path, opt, &err)) {
        putf(out, "open: %d %s %ld %s\n", err.status, err.code, err.line, err.text);
        return 0;
    }
    r->scan = (enum scan_mode)mode;
    long calls = 0;
    for (;;) {
        utfall_csv_record rec;
        utfall_error_clear(&err);
        int got = utfall_csv_next(r, &rec, &err);
        calls++;
        putf(out, "rc %d\n", got);
        if (got == 1 || got == -2) {
            putf(out, "lines %ld-%ld record %ld fields %zu raw %zu:", rec.line, rec.end_line,
                 rec.record, rec.nfields, rec.raw_len);
            put(out, rec.raw, rec.raw_len);
            puts_(out, "\n");
            for (size_t i = 0; i < rec.nfields; i++) {
                if (strlen(rec.fields[i]) != rec.lengths[i])
                    putf(out, "field %zu: length %zu but strlen %zu\n", i, rec.lengths[i],
                         strlen(rec.fields[i]));
                putf(out, "[%zu %d]", rec.lengths[i], rec.is_null[i]);
                put(out, rec.fields[i], rec.lengths[i]);
                puts_(out, "\n");
            }
        }
        if (got < 0)
            putf(out, "error %d %s line %ld column '%s' field %zu: %s\n", err.status, err.code,
                 err.line, err.column, utfall_csv_current_field(r), err.text);
        if (got == 0 || got == -1 || calls > 100000)
            break;
    }
    putf(out, "transcoded %d at %ld, lines %ld, delimiter %d\n", utfall_csv_transcoded(r),
         utfall_csv_transcoded_line(r), utfall_csv_lines(r), utfall_csv_delimiter(r));
    *fast += r->fast_records;
    utfall_csv_close(r);
    return calls;
}

static void show(const char *what, const text *t)
{
    fprintf(stderr, "%s:", what);
    for (size_t i = 0; i < t->n; i++)
        fprintf(stderr, (unsigned char)t->s[i] >= 0x20 && t->s[i] != '\\' && t->s[i] < 0x7f
                            ? "%c"
                            : "\\x%02x",
                (unsigned char)t->s[i]);
    fprintf(stderr, "\n");
}

int main(void)
{
    /* the general path first; then every fast path this build and processor have */
    int modes[4] = {SCAN_OFF, SCAN_PORTABLE}, nmodes = 2;
    static const char *const mode_name[] = {"off", "portable", "SSE2", "AVX2"};
#if defined(__SSE2__)
    modes[nmodes++] = SCAN_SSE2;
#endif
    if (best_scan() == SCAN_AVX2)
        modes[nmodes++] = SCAN_AVX2;
    text file = {0}, want = {0}, got = {0};
    long fast[4] = {0, 0, 0, 0}, files = 0, failures = 0;
    for (int trial = 0; trial < 6000 && failures < 5; trial++) {
        struct file_spec f;
        random_file(&file, &f);
        /* a new file each time: rewriting a truncated one makes ext4 flush it to disk */
        char path[] = "/tmp/utfall-test-scan-XXXXXX";
        int fd = mkstemp(path);
        if (fd < 0 || write(fd, file.s, file.n) != (ssize_t)file.n || close(fd))
            return 1;
        files++;
        read_all(path, &f.opt, SCAN_OFF, &want, &fast[0]);
        for (int m = 1; m < nmodes; m++) {
            read_all(path, &f.opt, modes[m], &got, &fast[m]);
            if (got.n != want.n || memcmp(got.s, want.s, want.n)) {
                fprintf(stderr, "FAIL: trial %d, %s path differs from the general path\n", trial,
                        mode_name[modes[m]]);
                show("file", &file);
                show("general", &want);
                show("fast", &got);
                failures++;
            }
        }
        unlink(path);
    }
    printf("%ld files read alike by the general path and %d fast paths; records split by the "
           "fast path:",
           files, nmodes - 1);
    for (int m = 1; m < nmodes; m++)
        printf(" %s %ld", mode_name[modes[m]], fast[m]);
    printf("; %ld differ\n", failures);
    free(file.s);
    free(want.s);
    free(got.s);
    /* the fast path must have done most of the work, or this tested little */
    int same = 1;
    for (int m = 2; m < nmodes; m++)
        same &= fast[m] == fast[1];
    return failures != 0 || fast[0] != 0 || fast[1] < files || !same;
}
