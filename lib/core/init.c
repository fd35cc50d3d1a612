#include "utfall/utfall.h"

#include <gsl/gsl_errno.h>

#include "utfall_version.h"

void utfall_init(void)
{
    gsl_set_error_handler_off();
}

const char *utfall_version(void)
{
    return UTFALL_VERSION;
}
