/* The run-time version. */
#include "referral/version.h"

void rf_version(int *major, int *minor, int *patch)
{
    if (major != NULL) {
        *major = RF_VERSION_MAJOR;
    }
    if (minor != NULL) {
        *minor = RF_VERSION_MINOR;
    }
    if (patch != NULL) {
        *patch = RF_VERSION_PATCH;
    }
}

const char *rf_version_string(void)
{
    return RF_VERSION;
}
