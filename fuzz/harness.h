/* Shared pieces of the libFuzzer harnesses: the fuzzer's bytes go to a
 * temporary file, because every input path of utfall reads files. */
#ifndef UTFALL_FUZZ_HARNESS_H
#define UTFALL_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "utfall/utfall.h"
#include "utfall/table.h"

static inline const char *fuzz_write_file(const char *name, const uint8_t *data, size_t size)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/utfall-fuzz-%ld-%s", (long)getpid(), name);
    FILE *fp = fopen(path, "wb");
    if (!fp)
        abort();
    if (size && fwrite(data, 1, size, fp) != size)
        abort();
    fclose(fp);
    return path;
}

/* Every writer over the document, to /dev/null: formatting must not crash. */
static inline void fuzz_write_doc(const utfall_doc *doc)
{
    static FILE *devnull;
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    utfall_error err;
    for (int f = UTFALL_FMT_TABLE; f <= UTFALL_FMT_MD; f++)
        utfall_doc_write(doc, devnull, (utfall_format)f, UTFALL_LANG_SV, NULL, &err);
}

#endif
