/* Fuzz the extract reader and every analysis that streams over it. */
#include <string.h>

#include "harness.h"
#include "utfall/check.h"
#include "utfall/goal.h"
#include "utfall/hours.h"
#include "utfall/split.h"
#include "utfall/summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const char *path, int which)
{
    utfall_extract_options xo;
    utfall_extract_options_init(&xo);
    xo.skip_bad = 1;
    xo.detect_duplicates = 1;
    xo.today = utfall_date_from_ymd(2026, 1, 1);
    const char *paths[] = {path};
    utfall_extract *x;
    utfall_error err;
    if (utfall_extract_open(&x, paths, 1, &xo, &err))
        return;
    utfall_doc *doc = utfall_doc_new();
    utfall_status st = UTFALL_OK;
    switch (which) {
    case 0:
        st = utfall_check_compute(x, UTFALL_LANG_SV, doc, &err);
        break;
    case 1: {
        utfall_summary_options so = {NULL, UTFALL_PER_MONTH, UTFALL_LANG_EN};
        st = utfall_summary_compute(x, &so, doc, &err);
        break;
    }
    case 2: {
        utfall_goal_options go;
        utfall_goal_options_init(&go);
        go.by = "enhet";
        go.target = 0.35;
        go.unit = UTFALL_UNIT_PERSONS;
        st = utfall_goal_compute(x, &go, doc, &err);
        break;
    }
    case 3: {
        utfall_split_options so;
        utfall_split_options_init(&so);
        st = utfall_split_compute(x, &so, doc, &err);
        break;
    }
    default: {
        utfall_hours_options ho;
        utfall_hours_options_init(&ho);
        ho.by = "kon";
        st = utfall_hours_compute(x, &ho, doc, &err);
        break;
    }
    }
    if (st == UTFALL_OK) {
        utfall_protect_options po = {3, UTFALL_LANG_SV, 1};
        utfall_error perr;
        utfall_doc_protect(doc, &po, &perr);
        fuzz_write_doc(doc);
    }
    utfall_doc_free(doc);
    utfall_extract_close(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    utfall_init();
    const char *path = fuzz_write_file("extract.csv", data, size);
    for (int which = 0; which < 5; which++)
        run(path, which);
    return 0;
}
