/* Internal: setting the thread-local last error. */
#ifndef RF_UTIL_ERROR_H
#define RF_UTIL_ERROR_H

#include "referral/errors.h"

/* Record the calling thread's last error (printf-style) and return @code, so
 * that failure paths read `return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "...", ...);`. */
rf_status rf__error(rf_status code, rf_error_class klass, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Record "out of memory" and return RF_ENOMEM. */
rf_status rf__error_oom(void);

#endif
