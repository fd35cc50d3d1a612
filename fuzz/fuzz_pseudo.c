/* Fuzz pseudonymisation and the identity-number finder. */
#include <string.h>

#include "harness.h"
#include "utfall/pnr.h"
#include "utfall/pseudo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    utfall_init();
    size_t off, len;
    if (utfall_pnr_find((const char *)data, size, &off, &len)) {
        if (off + len > size)
            abort();
        char p12[13];
        /* what the finder found, the normaliser reads */
        if (utfall_pnr_normalize((const char *)data + off, len, utfall_date_from_ymd(2026, 1, 1),
                                 p12))
            abort();
    }
    static FILE *devnull;
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    const char *path = fuzz_write_file("pseudo.csv", data, size);
    unsigned char key[UTFALL_PSEUDO_KEY_BYTES] = {1, 2, 3};
    utfall_pseudo_stats stats;
    utfall_error err;
    utfall_pseudo_options po;
    memset(&po, 0, sizeof po);
    po.today = utfall_date_from_ymd(2026, 1, 1);
    static const char *const keep[] = {"kommentar"};
    po.keep = keep;
    po.nkeep = size % 2;
    utfall_pseudonymize_file(path, &po, key, devnull, &stats, &err);
    return 0;
}
