/* utfall — languages, the message catalogue and localized number formats.
 *
 * One catalogue (lib/core/messages.def) holds every human-readable label and
 * message in English and Swedish.  It is compiled in, so translation does
 * not depend on which locales the machine has installed (a machine with
 * only C.UTF-8 still gets Swedish with --lang sv or LANG=sv_SE.UTF-8). */
#ifndef UTFALL_I18N_H
#define UTFALL_I18N_H

#include <stddef.h>

#include "utfall/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum utfall_lang { UTFALL_LANG_EN = 0, UTFALL_LANG_SV = 1 } utfall_lang;

/* From LC_ALL, LC_MESSAGES, LANG in that order (first non-empty wins):
 * "sv*" gives Swedish, anything else English. */
UTFALL_API utfall_lang utfall_lang_from_env(void);
/* "sv", "en" (also "swedish", "svenska", "english"); 0 on success, -1 unknown. */
UTFALL_API int utfall_lang_parse(const char *name, utfall_lang *out);
UTFALL_API const char *utfall_lang_code(utfall_lang lang);

/* Localized text for a catalogue key ("enrolled", "col.share", …): the
 * project's own word first (utfall_tr_own), then the catalogue; a
 * combined value "val.a+b" is labelled by its parts ("Aktivitetsersättning
 * + lön").  Unknown keys come back unchanged, so a missing entry shows,
 * not crashes. */
UTFALL_API const char *utfall_tr(utfall_lang lang, const char *key);

/* The project's own word for a catalogue key, in every language: the
 * label of an own category ("val.vard" → "Sjukskriven", from a map file)
 * or the heading of a grouping column as the extract writes it
 * ("col.enhet" → "Kommun").  Process-wide, like the catalogue: set once
 * before output is built.  0, or -1 out of memory. */
UTFALL_API int utfall_tr_own(const char *key, const char *text);
UTFALL_API void utfall_tr_own_clear(void);

/* Number formats for people.  Swedish: decimal comma, U+202F (narrow
 * no-break space) between thousands, U+00A0 before "%": "1 063", "39,5 %".
 * English: "1,063", "39.5%".  Buffers of 64 bytes are always enough. */
UTFALL_API void utfall_fmt_count(utfall_lang lang, long long n, char *buf, size_t size);
UTFALL_API void utfall_fmt_decimal(utfall_lang lang, double x, int decimals, char *buf,
                                   size_t size);
/* share is a proportion (0.395 → "39,5 %"). */
UTFALL_API void utfall_fmt_percent(utfall_lang lang, double share, int decimals, char *buf,
                                   size_t size);

/* Machine format: shortest round-trip-safe "%.*g" with '.' decimals,
 * independent of the C locale; integers print without a fraction. */
UTFALL_API void utfall_fmt_machine(double x, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
