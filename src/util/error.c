/* The thread-local last error and status descriptions. */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "referral/sys/backend.h"

#define RF_ERROR_MESSAGE_MAX 1024

static _Thread_local char last_message[RF_ERROR_MESSAGE_MAX];
static _Thread_local rf_error last_error = {RF_OK, RF_ERRCLASS_NONE, NULL};

const rf_error *rf_error_last(void)
{
    if (last_error.message == NULL) {
        last_error.message = "no error";
    }
    return &last_error;
}

void rf_error_clear(void)
{
    last_error.code = RF_OK;
    last_error.klass = RF_ERRCLASS_NONE;
    last_error.message = "no error";
}

void rf_error_set_str(rf_status code, rf_error_class klass, const char *message)
{
    snprintf(last_message, sizeof last_message, "%s", message != NULL ? message : rf_strerror(code));
    last_error.code = code;
    last_error.klass = klass;
    last_error.message = last_message;
}

rf_status rf__error(rf_status code, rf_error_class klass, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    last_error.code = code;
    last_error.klass = klass;
    last_error.message = last_message;
    return code;
}

rf_status rf__error_oom(void)
{
    /* No formatting: this must work when nothing else can be allocated. */
    rf_error_set_str(RF_ENOMEM, RF_ERRCLASS_NOMEMORY, "out of memory");
    return RF_ENOMEM;
}

const char *rf_strerror(rf_status code)
{
    switch (code) {
    case RF_OK: return "success";
    case RF_ERROR: return "error";
    case RF_ENOTFOUND: return "not found";
    case RF_EEXISTS: return "already exists";
    case RF_EINVALID: return "invalid argument";
    case RF_ECONFLICT: return "conflict";
    case RF_ESTATE: return "illegal state";
    case RF_EBACKEND: return "storage backend failure";
    case RF_ENOMEM: return "out of memory";
    case RF_EVERSION: return "unsupported version";
    case RF_EBUSY: return "database busy";
    case RF_EPOLICY: return "refused by policy";
    case RF_EBALANCE: return "more than the balance available";
    case RF_EINTEGRITY: return "stored records contradict each other";
    case RF_ITEROVER: return "iteration over";
    }
    return "unknown status";
}
