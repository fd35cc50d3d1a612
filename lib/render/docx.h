/* The Word writer's parts (lib/render/docx.c, docx_package.c): an OOXML
 * package is a zip of XML parts and media; libzip writes the zip,
 * libxml2's text writer the XML (escaping every text as it goes).  Not a
 * public header. */
#ifndef UTFALL_LIB_RENDER_DOCX_H
#define UTFALL_LIB_RENDER_DOCX_H

#include <stddef.h>

#include <libxml/xmlwriter.h>

#include "utfall/error.h"
#include "utfall/i18n.h"

/* An XML part being written: failures are sticky, checked once at the end. */
struct xw {
    xmlBufferPtr buf;
    xmlTextWriterPtr w;
    int failed;
};

int docx_xw_start(struct xw *x);
/* The part's bytes, handed to the caller (free()); NULL on failure. */
unsigned char *docx_xw_finish(struct xw *x, size_t *len);
void docx_open(struct xw *x, const char *name);
void docx_attr(struct xw *x, const char *name, const char *value);
void docx_close(struct xw *x);
/* Text, with what XML 1.0 cannot hold (control characters) left out. */
void docx_text(struct xw *x, const char *s);
/* <name attr="value"/>; attr NULL: <name/>. */
void docx_empty(struct xw *x, const char *name, const char *attr, const char *value);

/* The package: parts in the order they are added ([Content_Types].xml
 * first, as Word expects), each owning its bytes. */
struct docx_part {
    char *name;
    unsigned char *data;
    size_t len;
};

struct docx_package {
    struct docx_part *parts;
    size_t n, cap;
    int nimages;
};

/* Takes data (malloc'ed) whatever happens. */
utfall_status docx_add_part(struct docx_package *p, const char *name, unsigned char *data,
                            size_t len, utfall_error *err);
/* The parts every document has: content types, relationships, styles,
 * numbering (bullets), settings, document properties.  date: YYYY-MM-DD. */
utfall_status docx_add_fixed_parts(struct docx_package *p, const char *title, const char *date,
                                   utfall_lang lang, utfall_error *err);
/* The zip, entries dated date (YYYY-MM-DD) whatever the time zone. */
utfall_status docx_write_package(const struct docx_package *p, const char *path,
                                 const char *date, utfall_error *err);
void docx_package_free(struct docx_package *p);

#endif
