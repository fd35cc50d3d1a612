/* The Word document's package: the zip (libzip), the XML writer helpers
 * (libxml2), and the parts every document has.  Styles are Word's own
 * built-in ones by name ("heading 1", "caption", "List Bullet"), so that a
 * section pasted into a larger document takes that document's look. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zip.h>

#include "core/internal.h"
#include "render/docx.h"
#include "utfall/error_codes.h"

/* ---- XML --------------------------------------------------------------------- */

int docx_xw_start(struct xw *x)
{
    memset(x, 0, sizeof *x);
    if (!(x->buf = xmlBufferCreate()) || !(x->w = xmlNewTextWriterMemory(x->buf, 0))) {
        x->failed = 1;
        return -1;
    }
    if (xmlTextWriterStartDocument(x->w, "1.0", "UTF-8", "yes") < 0)
        x->failed = 1;
    return x->failed ? -1 : 0;
}

unsigned char *docx_xw_finish(struct xw *x, size_t *len)
{
    unsigned char *out = NULL;
    if (x->w) {
        if (xmlTextWriterEndDocument(x->w) < 0)
            x->failed = 1;
        xmlFreeTextWriter(x->w); /* flushes into buf */
        x->w = NULL;
    }
    if (x->buf && !x->failed) {
        *len = (size_t)xmlBufferLength(x->buf);
        if ((out = malloc(*len ? *len : 1)))
            memcpy(out, xmlBufferContent(x->buf), *len);
    }
    if (x->buf)
        xmlBufferFree(x->buf);
    x->buf = NULL;
    return out;
}

void docx_open(struct xw *x, const char *name)
{
    if (!x->failed && xmlTextWriterStartElement(x->w, BAD_CAST name) < 0)
        x->failed = 1;
}

void docx_attr(struct xw *x, const char *name, const char *value)
{
    if (!x->failed && xmlTextWriterWriteAttribute(x->w, BAD_CAST name, BAD_CAST value) < 0)
        x->failed = 1;
}

void docx_close(struct xw *x)
{
    if (!x->failed && xmlTextWriterEndElement(x->w) < 0)
        x->failed = 1;
}

void docx_text(struct xw *x, const char *s)
{
    char buf[4096];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 1 < sizeof buf; p++)
        if (*p >= 0x20 || *p == '\t')
            buf[n++] = (char)*p;
    buf[n] = '\0';
    if (!x->failed && xmlTextWriterWriteString(x->w, BAD_CAST buf) < 0)
        x->failed = 1;
}

void docx_empty(struct xw *x, const char *name, const char *attr, const char *value)
{
    docx_open(x, name);
    if (attr)
        docx_attr(x, attr, value);
    docx_close(x);
}

/* ---- the package -------------------------------------------------------------- */

utfall_status docx_add_part(struct docx_package *p, const char *name, unsigned char *data,
                            size_t len, utfall_error *err)
{
    char *n = strdup(name);
    if (!data || !n || UTFALL_GROW(p->parts, p->cap, p->n + 1)) {
        free(data);
        free(n);
        return utfall_error_set(err, UTFALL_ERR_NOMEM, UTFALL_EC_NOMEM, "out of memory");
    }
    p->parts[p->n++] = (struct docx_part){n, data, len};
    return UTFALL_OK;
}

void docx_package_free(struct docx_package *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->parts[i].name);
        free(p->parts[i].data);
    }
    free(p->parts);
    memset(p, 0, sizeof *p);
}

static utfall_status zip_failed(zip_t *z, const char *path, utfall_error *err)
{
    utfall_status st = utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_WRITE_ERROR,
                                        "cannot write %s: %s", path, zip_strerror(z));
    zip_discard(z);
    return st;
}

/* The entries' date: midnight of date in local time, as a zip stores it,
 * so that the bytes do not depend on the time zone. */
static time_t entry_time(const char *date)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (sscanf(date, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    return mktime(&tm);
}

utfall_status docx_write_package(const struct docx_package *p, const char *path,
                                 const char *date, utfall_error *err)
{
    int code = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &code);
    if (!z) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, code);
        utfall_status st = utfall_error_set(err, UTFALL_ERR_IO, UTFALL_EC_OPEN_OUTPUT,
                                            "cannot write %s: %s", path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return st;
    }
    time_t when = entry_time(date);
    for (size_t i = 0; i < p->n; i++) {
        zip_source_t *src = zip_source_buffer(z, p->parts[i].data, p->parts[i].len, 0);
        zip_int64_t idx = src ? zip_file_add(z, p->parts[i].name, src, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) {
            zip_source_free(src);
            return zip_failed(z, path, err);
        }
        /* PNG is compressed already */
        int png = strstr(p->parts[i].name, ".png") != NULL;
        if (zip_set_file_compression(z, (zip_uint64_t)idx, png ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 9)
            || zip_file_set_mtime(z, (zip_uint64_t)idx, when, 0))
            return zip_failed(z, path, err);
    }
    if (zip_close(z) < 0)
        return zip_failed(z, path, err);
    return UTFALL_OK;
}

/* ---- the parts every document has ------------------------------------------------- */

static utfall_status add_text_part(struct docx_package *p, const char *name, const char *text,
                                   utfall_error *err)
{
    size_t len = strlen(text);
    unsigned char *data = malloc(len ? len : 1);
    if (data)
        memcpy(data, text, len);
    return docx_add_part(p, name, data, len, err);
}

static const char content_types[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Default Extension=\"png\" ContentType=\"image/png\"/>"
    "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
    "<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
    "<Override PartName=\"/word/numbering.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml\"/>"
    "<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>"
    "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
    "<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>"
    "</Types>";

static const char package_rels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>"
    "</Relationships>";

static const char app_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">"
    "<Application>utfall</Application></Properties>";

static const char settings_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    "<w:defaultTabStop w:val=\"709\"/><w:characterSpacingControl w:val=\"doNotCompress\"/>"
    "<w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>"
    "</w:settings>";

/* One bullet list definition: "•" at level 0. */
static const char numbering_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:numbering xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    "<w:abstractNum w:abstractNumId=\"0\"><w:multiLevelType w:val=\"singleLevel\"/>"
    "<w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"bullet\"/>"
    "<w:lvlText w:val=\"\xE2\x80\xA2\"/><w:lvlJc w:val=\"left\"/>"
    "<w:pPr><w:ind w:left=\"360\" w:hanging=\"360\"/></w:pPr></w:lvl></w:abstractNum>"
    "<w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num>"
    "</w:numbering>";

/* document.xml.rels is written with the body (it names the images). */

static void style(struct xw *x, const char *type, const char *id, const char *name,
                  const char *based_on, int outline, int size_half_pt, int bold, int italic)
{
    int bullet = !strcmp(id, "ListBullet");
    docx_open(x, "w:style");
    docx_attr(x, "w:type", type);
    docx_attr(x, "w:styleId", id);
    docx_empty(x, "w:name", "w:val", name);
    if (based_on)
        docx_empty(x, "w:basedOn", "w:val", based_on);
    docx_empty(x, "w:qFormat", NULL, NULL);
    docx_open(x, "w:pPr");
    if (bullet) { /* numbering.xml's list 1: a bullet */
        docx_open(x, "w:numPr");
        docx_empty(x, "w:numId", "w:val", "1");
        docx_close(x);
        docx_open(x, "w:spacing");
        docx_attr(x, "w:after", "60");
        docx_close(x);
    }
    if (outline >= 0) {
        char lv[8];
        snprintf(lv, sizeof lv, "%d", outline);
        docx_empty(x, "w:keepNext", NULL, NULL);
        docx_open(x, "w:spacing");
        docx_attr(x, "w:before", outline == 0 ? "360" : "240");
        docx_attr(x, "w:after", "120");
        docx_close(x);
        docx_empty(x, "w:outlineLvl", "w:val", lv);
    }
    docx_close(x);
    docx_open(x, "w:rPr");
    if (bold)
        docx_empty(x, "w:b", NULL, NULL);
    if (italic)
        docx_empty(x, "w:i", NULL, NULL);
    if (size_half_pt) {
        char sz[8];
        snprintf(sz, sizeof sz, "%d", size_half_pt);
        docx_empty(x, "w:sz", "w:val", sz);
        docx_empty(x, "w:szCs", "w:val", sz);
    }
    docx_close(x);
    docx_close(x);
}

static void doc_defaults(struct xw *x, utfall_lang lang)
{
    docx_open(x, "w:docDefaults");
    docx_open(x, "w:rPrDefault");
    docx_open(x, "w:rPr");
    docx_open(x, "w:rFonts");
    docx_attr(x, "w:ascii", "Calibri");
    docx_attr(x, "w:hAnsi", "Calibri");
    docx_attr(x, "w:cs", "Calibri");
    docx_close(x);
    docx_empty(x, "w:sz", "w:val", "21");
    docx_empty(x, "w:szCs", "w:val", "21");
    docx_empty(x, "w:lang", "w:val", lang == UTFALL_LANG_SV ? "sv-SE" : "en-GB");
    docx_close(x);
    docx_close(x);
    docx_open(x, "w:pPrDefault");
    docx_open(x, "w:pPr");
    docx_open(x, "w:spacing");
    docx_attr(x, "w:after", "120");
    docx_attr(x, "w:line", "264");
    docx_attr(x, "w:lineRule", "auto");
    docx_close(x);
    docx_close(x);
    docx_close(x);
    docx_close(x);
}

static utfall_status add_styles(struct docx_package *p, utfall_lang lang, utfall_error *err)
{
    struct xw x;
    docx_xw_start(&x);
    docx_open(&x, "w:styles");
    docx_attr(&x, "xmlns:w", "http://schemas.openxmlformats.org/wordprocessingml/2006/main");
    doc_defaults(&x, lang);
    style(&x, "paragraph", "Normal", "Normal", NULL, -1, 0, 0, 0);
    static const int sizes[9] = {32, 28, 24, 22, 21, 21, 21, 21, 21};
    for (int k = 0; k < 9; k++) {
        char id[16], name[16];
        snprintf(id, sizeof id, "Heading%d", k + 1);
        snprintf(name, sizeof name, "heading %d", k + 1);
        style(&x, "paragraph", id, name, "Normal", k, sizes[k], 1, k >= 3);
    }
    style(&x, "paragraph", "Caption", "caption", "Normal", -1, 18, 1, 0);
    style(&x, "paragraph", "ListBullet", "List Bullet", "Normal", -1, 0, 0, 0);
    style(&x, "paragraph", "TableNote", "utfall table note", "Normal", -1, 16, 0, 1);
    style(&x, "paragraph", "TableText", "utfall table text", "Normal", -1, 16, 0, 0);
    docx_close(&x);
    size_t len = 0;
    unsigned char *data = docx_xw_finish(&x, &len);
    return docx_add_part(p, "word/styles.xml", data, len, err);
}

static utfall_status add_core(struct docx_package *p, const char *title, const char *date,
                              utfall_error *err)
{
    struct xw x;
    char when[32];
    snprintf(when, sizeof when, "%.10sT00:00:00Z", date);
    docx_xw_start(&x);
    docx_open(&x, "cp:coreProperties");
    docx_attr(&x, "xmlns:cp",
              "http://schemas.openxmlformats.org/package/2006/metadata/core-properties");
    docx_attr(&x, "xmlns:dc", "http://purl.org/dc/elements/1.1/");
    docx_attr(&x, "xmlns:dcterms", "http://purl.org/dc/terms/");
    docx_attr(&x, "xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance");
    docx_open(&x, "dc:title");
    docx_text(&x, title ? title : "");
    docx_close(&x);
    docx_open(&x, "dc:creator");
    docx_text(&x, "utfall");
    docx_close(&x);
    static const char *const stamps[2] = {"dcterms:created", "dcterms:modified"};
    for (int i = 0; i < 2; i++) {
        docx_open(&x, stamps[i]);
        docx_attr(&x, "xsi:type", "dcterms:W3CDTF");
        docx_text(&x, when);
        docx_close(&x);
    }
    docx_close(&x);
    size_t len = 0;
    unsigned char *data = docx_xw_finish(&x, &len);
    return docx_add_part(p, "docProps/core.xml", data, len, err);
}

utfall_status docx_add_fixed_parts(struct docx_package *p, const char *title, const char *date,
                                   utfall_lang lang, utfall_error *err)
{
    utfall_status st = add_text_part(p, "[Content_Types].xml", content_types, err);
    if (!st)
        st = add_text_part(p, "_rels/.rels", package_rels, err);
    if (!st)
        st = add_core(p, title, date, err);
    if (!st)
        st = add_text_part(p, "docProps/app.xml", app_xml, err);
    if (!st)
        st = add_styles(p, lang, err);
    if (!st)
        st = add_text_part(p, "word/numbering.xml", numbering_xml, err);
    if (!st)
        st = add_text_part(p, "word/settings.xml", settings_xml, err);
    return st;
}
