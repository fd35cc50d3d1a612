/* Fuzz the spells reader and the horizon computation (KM included). */
#include <string.h>

#include "harness.h"
#include "utfall/horizon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char extract[] =
    "id,kon,insats,inskriven,uppfoljd_till\n"
    "H-01,k,SE,2014-01-31,2016-12-31\nH-02,m,SE,2014-02-15,2016-12-31\n"
    "H-03,k,SE,2014-03-01,2015-01-31\nH-04,m,FS,2014-01-10,2016-12-31\n"
    "H-05,k,FS,2014-02-10,2016-12-31\nH-06,m,CM,2014-03-10,2016-12-31\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    utfall_init();
    static char extract_path[256];
    if (!extract_path[0])
        snprintf(extract_path, sizeof extract_path, "%s",
                 fuzz_write_file("horizon.csv", (const uint8_t *)extract, strlen(extract)));
    const char *spells = fuzz_write_file("spells.csv", data, size);
    utfall_extract_options xo;
    utfall_extract_options_init(&xo);
    const char *paths[] = {extract_path};
    for (int variant = 0; variant < 2; variant++) {
        utfall_extract *x;
        utfall_error err;
        if (utfall_extract_open(&x, paths, 1, &xo, &err))
            abort(); /* the fixed extract is valid */
        utfall_horizon_options ho;
        utfall_horizon_options_init(&ho);
        ho.spells_path = spells;
        ho.skip_bad = variant;
        ho.ref = "FS";
        ho.km = 1;
        ho.curve = variant;
        ho.strata = variant ? "kon" : NULL;
        utfall_doc *doc = utfall_doc_new();
        if (utfall_horizon_compute(x, &ho, doc, &err) == UTFALL_OK)
            fuzz_write_doc(doc);
        utfall_doc_free(doc);
        utfall_extract_close(x);
    }
    return 0;
}
