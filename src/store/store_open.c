/* Opening a store: options, URIs and checking a backend against the contract. */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"

rf_status rf_store_options_init(rf_store_options *opts, unsigned int version)
{
    rf_status rc = rf__check_arg(opts, "opts");
    if (rc == RF_OK) {
        rc =
            rf__check_version("rf_store_options", version, RF_STORE_OPTIONS_VERSION, "RF_STORE_OPTIONS_INIT");
    }
    if (rc != RF_OK) {
        return rc;
    }
    rf_store_options init = RF_STORE_OPTIONS_INIT;
    *opts = init;
    opts->version = version;
    return RF_OK;
}

static int practice_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

static rf_status check_practice(const char *practice)
{
    size_t len = strlen(practice);
    if (len == 0 || len > RF_LABEL_MAX) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_STORE,
                         "practice id must be 1 to %d characters long (got %zu)", RF_LABEL_MAX, len);
    }
    for (size_t i = 0; i < len; i++) {
        if (!practice_char_ok(practice[i])) {
            return rf__error(
                RF_EINVALID, RF_ERRCLASS_STORE,
                "practice id may hold only letters, digits, '.', '_' and '-' (character %zu is not one)",
                i + 1);
        }
    }
    return RF_OK;
}

static rf_status check_region(const char *region)
{
    size_t len = strlen(region);
    int ok = len >= 1 && len <= 3 && region[0] != '0';
    for (size_t i = 0; ok && i < len; i++) {
        ok = region[i] >= '0' && region[i] <= '9';
    }
    if (!ok) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_STORE,
                         "phone_region '%.8s' must be a calling code of 1 to 3 digits, like \"44\" or \"1\"",
                         region);
    }
    return RF_OK;
}

static rf_status check_options(const rf_store_options *opts)
{
    rf_status rc = rf__check_version("rf_store_options", opts->version, RF_STORE_OPTIONS_VERSION,
                                     "RF_STORE_OPTIONS_INIT");
    if (rc == RF_OK && opts->practice != NULL) {
        rc = check_practice(opts->practice);
    }
    if (rc == RF_OK && opts->phone_region != NULL) {
        rc = check_region(opts->phone_region);
    }
    return rc;
}

/* The members every version-1 backend must provide, with their names for messages. */
#define REQUIRED(member)                                                                                     \
    {                                                                                                        \
        offsetof(rf_backend, member), #member                                                                \
    }
static const struct {
    size_t offset;
    const char *name;
} required_members[] = {
    REQUIRED(begin),
    REQUIRED(commit),
    REQUIRED(rollback),
    REQUIRED(party_insert),
    REQUIRED(party_update),
    REQUIRED(party_get),
    REQUIRED(party_get_by_external),
    REQUIRED(code_insert),
    REQUIRED(code_update),
    REQUIRED(code_get),
    REQUIRED(code_get_by_key),
    REQUIRED(journal_append),
    REQUIRED(journal_last_seq),
    REQUIRED(idempotency_get),
    REQUIRED(idempotency_put),
    REQUIRED(party_scan),
    REQUIRED(code_scan),
    REQUIRED(journal_scan),
    REQUIRED(free),
};

static rf_status check_backend(const rf_backend *backend)
{
    if (backend->version < 1) {
        return rf__error(RF_EVERSION, RF_ERRCLASS_STORE,
                         "backend declares contract version %u; set it to RF_BACKEND_VERSION (%d)",
                         backend->version, RF_BACKEND_VERSION);
    }
    for (size_t i = 0; i < sizeof required_members / sizeof required_members[0]; i++) {
        void *fn;
        memcpy(&fn, (const char *)backend + required_members[i].offset, sizeof fn);
        if (fn == NULL) {
            return rf__error(RF_EINVALID, RF_ERRCLASS_STORE,
                             "backend is missing required member '%s' (contract version 1)",
                             required_members[i].name);
        }
    }
    return RF_OK;
}

rf_status rf_store_open_backend(rf_store **out, rf_backend *backend, const rf_store_options *opts)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = rf__check_arg(backend, "backend")) != RF_OK || (rc = check_backend(backend)) != RF_OK) {
        return rc;
    }
    rf_store_options defaults = RF_STORE_OPTIONS_INIT;
    if (opts == NULL) {
        opts = &defaults;
    }
    if ((rc = check_options(opts)) != RF_OK) {
        return rc;
    }
    const char *practice = opts->practice != NULL ? opts->practice : "default";

    rf_store *store = rf__calloc(1, sizeof *store);
    if (store == NULL) {
        return RF_ENOMEM;
    }
    store->backend = backend;
    memcpy(store->practice, practice, strlen(practice) + 1);
    if (opts->phone_region != NULL) {
        memcpy(store->phone_region, opts->phone_region, strlen(opts->phone_region) + 1);
    }
    rf_store_set_clock(store, opts->clock, opts->clock_ctx);
    rf__rng_seed(&store->rng, opts->seed);
    *out = store;
    return RF_OK;
}

rf_status rf_store_open(rf_store **out, const char *uri, const rf_store_options *opts)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = rf__check_arg(uri, "uri")) != RF_OK || (opts != NULL && (rc = check_options(opts)) != RF_OK)) {
        return rc;
    }

    rf_backend *backend = NULL;
    if (strcmp(uri, "memory:") == 0) {
        rc = rf_backend_memory_new(&backend);
    } else if (strncmp(uri, "sqlite:", 7) == 0 || strchr(uri, ':') == NULL || uri[0] == '/' ||
               uri[0] == '.') {
        const char *path = strncmp(uri, "sqlite:", 7) == 0 ? uri + 7 : uri;
        if (path[0] == '\0') {
            return rf__error(RF_EINVALID, RF_ERRCLASS_STORE,
                             "URI 'sqlite:' needs a file path, e.g. sqlite:clinic.db");
        }
        rc = rf_backend_sqlite_new(&backend, path);
    } else if (strncmp(uri, "postgres:", 9) == 0) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_STORE,
                         "this libreferral was built without PostgreSQL support; use sqlite:PATH or memory:");
    } else {
        return rf__error(RF_EINVALID, RF_ERRCLASS_STORE,
                         "URI '%.100s' has an unknown scheme; use sqlite:PATH or memory:", uri);
    }
    if (rc != RF_OK) {
        return rc;
    }
    rc = rf_store_open_backend(out, backend, opts);
    if (rc != RF_OK) {
        backend->free(backend);
    }
    return rc;
}

void rf_backend_free(rf_backend *backend)
{
    if (backend != NULL && backend->free != NULL) {
        backend->free(backend);
    }
}
