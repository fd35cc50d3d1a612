/* The Swedish of the messages that errors, warnings and notes carry: the
 * TEXT entries of the one message catalogue, lib/core/messages.def, keyed
 * by their English format (as gettext keys by msgid) and their code.
 * Apart from i18n.c so that the identity-number guard, which the
 * dispatcher links alone, has its messages in Swedish too. */
#include "utfall/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct error_text {
    utfall_error_code code;
    const char *en, *sv;
} texts[] = {
#define MSG(key, en, sv)
#define TEXT(code, en, sv) {UTFALL_EC_##code, en, sv},
#include "messages.def"
#undef TEXT
#undef MSG
};

const char *utfall_error_text_sv(utfall_error_code code, const char *fmt)
{
    if (!fmt)
        return NULL;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        if (code != UTFALL_EC_NONE && texts[i].code != UTFALL_EC_NONE && texts[i].code != code)
            continue;
        if (texts[i].en[0] == fmt[0] && !strcmp(texts[i].en, fmt))
            return texts[i].sv;
    }
    return NULL;
}

/* The system's words for the usual errors (strerror, English in the C
 * locale) inside a Swedish message, in Swedish. */
void utfall_error_sv_errno(char *text, size_t size)
{
    static const int common[] = {ENOENT, EACCES, EISDIR, ENOTDIR, ENOSPC, EROFS, EEXIST,
                                 EIO,    EMFILE, EPERM,  EPIPE};
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++) {
        const char *en = strerror(common[i]);
        char *at = strstr(text, en);
        const char *sv = at ? utfall_error_text_sv(UTFALL_EC_NONE, en) : NULL;
        if (!sv)
            continue;
        char rest[UTFALL_ERROR_TEXT_MAX];
        snprintf(rest, sizeof rest, "%s", at + strlen(en));
        snprintf(at, size - (size_t)(at - text), "%s%s", sv, rest);
    }
}
