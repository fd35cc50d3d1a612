/* Fuzz the ledger reader (utfall-ekonomi(5)) and its tables. */
#include "harness.h"
#include "utfall/ekonomi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    utfall_init();
    const char *path = fuzz_write_file("ekonomi.csv", data, size);
    utfall_csv_options csv = {0};
    utfall_ledger *l = NULL;
    utfall_error err;
    utfall_error_clear(&err);
    if (utfall_ledger_read(&l, path, &csv, &err) == UTFALL_OK) {
        for (int lang = 0; lang < 2; lang++) {
            utfall_doc *doc = utfall_doc_new();
            utfall_ekonomi_options eo = {lang ? UTFALL_LANG_EN : UTFALL_LANG_SV};
            if (doc && utfall_ekonomi_compute(l, &eo, doc, &err) == UTFALL_OK)
                fuzz_write_doc(doc);
            utfall_doc_free(doc);
        }
    }
    utfall_ledger_free(l);
    return 0;
}
