/* The Swedish of the messages that errors, warnings and notes carry: the
 * ERR entries of the one message catalogue, lib/core/messages.def, keyed
 * by their English format (as gettext keys by msgid) and their code.
 * Apart from i18n.c so that the identity-number guard, which the
 * dispatcher links alone, has its messages in Swedish too. */
#include "utfall/error.h"

#include <string.h>

static const struct error_text {
    utfall_error_code code;
    const char *en, *sv;
} texts[] = {
#define MSG(key, en, sv)
#define ERR(code, en, sv) {UTFALL_EC_##code, en, sv},
#include "messages.def"
#undef ERR
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
