#include "utfall/error.h"

#include <stdio.h>
#include <string.h>

void utfall_error_clear(utfall_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

const char *utfall_error_code_name(utfall_error_code code)
{
    static const char *const names[] = {
        "",
#define UTFALL_EC_NAME_(name, text, what) text,
        UTFALL_ERROR_CODES(UTFALL_EC_NAME_)
#undef UTFALL_EC_NAME_
    };
    return (unsigned)code < sizeof names / sizeof *names ? names[code] : "";
}

utfall_status utfall_error_vset(utfall_error *err, utfall_status status, utfall_error_code code,
                                const char *fmt, va_list ap)
{
    if (!err)
        return status;
    err->status = status;
    err->severity = UTFALL_SEV_ERROR;
    err->changes_results = 0;
    err->code = utfall_error_code_name(code);
    err->code_id = code;
    /* the Swedish from the catalogue, with the same arguments: its
     * conversions match the English ones (tests/i18n checks) */
    const char *sv = utfall_error_text_sv(code, fmt);
    va_list aq;
    va_copy(aq, ap);
    vsnprintf(err->text, sizeof err->text, fmt, ap);
    if (sv) {
        vsnprintf(err->text_sv, sizeof err->text_sv, sv, aq);
        utfall_error_sv_errno(err->text_sv, sizeof err->text_sv);
    } else {
        err->text_sv[0] = '\0';
    }
    va_end(aq);
    return status;
}

utfall_status utfall_error_set(utfall_error *err, utfall_status status, utfall_error_code code,
                               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    utfall_error_vset(err, status, code, fmt, ap);
    va_end(ap);
    return status;
}

void utfall_error_adopt_text(utfall_error *dst, const utfall_error *src)
{
    if (dst && src && !strcmp(dst->text, src->text))
        memcpy(dst->text_sv, src->text_sv, sizeof dst->text_sv);
}

void utfall_error_locate(utfall_error *err, const char *file, long line, long record,
                         const char *column)
{
    if (!err)
        return;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    err->record = record;
    snprintf(err->column, sizeof err->column, "%s", column ? column : "");
}

void utfall_error_format_lang(const utfall_error *err, int lang, char *buf, size_t size)
{
    size_t n = 0;
    /* one language to a line: Swedish words around a Swedish message only */
    int sv = lang == 1 && err->text_sv[0];
    if (!buf || size == 0)
        return;
    buf[0] = '\0';
#define APPEND(...)                                                                      \
    do {                                                                                 \
        if (n < size) {                                                                  \
            int w_ = snprintf(buf + n, size - n, __VA_ARGS__);                           \
            if (w_ > 0)                                                                  \
                n += (size_t)w_;                                                         \
        }                                                                                \
    } while (0)
    if (err->file[0]) {
        APPEND("%s:", err->file);
        if (err->line > 0) {
            APPEND("%ld:", err->line);
            if (err->record > 0)
                APPEND(sv ? " (post %ld)" : " (record %ld)", err->record);
        }
        APPEND(" ");
    }
    if (err->severity == UTFALL_SEV_WARNING)
        APPEND(sv ? "varning: " : "warning: ");
    else if (err->severity == UTFALL_SEV_NOTE)
        APPEND(sv ? "obs: " : "note: ");
    if (err->column[0])
        APPEND(sv ? "kolumnen '%s': " : "column '%s': ", err->column);
    APPEND("%s", sv && err->text_sv[0] ? err->text_sv : err->text);
#undef APPEND
}

void utfall_error_format(const utfall_error *err, char *buf, size_t size)
{
    utfall_error_format_lang(err, 0, buf, size);
}
