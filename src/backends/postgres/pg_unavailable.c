/* rf_backend_postgres_new() in a build without PostgreSQL (RF_WITH_POSTGRES
 * OFF): the symbol exists either way, so the ABI does not depend on how the
 * library was configured. */
#include <referral.h>
#include <referral/sys/backend.h>

#include <stddef.h>

rf_status rf_backend_postgres_new(rf_backend **out, const char *conninfo)
{
    (void)conninfo;
    if (out != NULL) {
        *out = NULL;
    }
    rf_error_set_str(RF_EINVALID, RF_ERRCLASS_STORE,
                     "this libreferral was built without PostgreSQL support (RF_WITH_POSTGRES=OFF); use "
                     "sqlite:PATH or memory:");
    return RF_EINVALID;
}
