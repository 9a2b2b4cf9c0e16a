/* Opening a store: options, URIs and checking a backend against the contract. */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"

rf_status rf_store_options_init(rf_store_options *opts, unsigned int version)
{
    static const rf_store_options init = RF_STORE_OPTIONS_INIT;
    return rf__options_init(opts, sizeof init, &init, version, "rf_store_options", "RF_STORE_OPTIONS_INIT");
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

/* The members each contract version added, with their names for messages. A
 * backend must provide every member of the versions it declares. */
#define MEMBER(member)                                                                                       \
    {                                                                                                        \
        offsetof(rf_backend, member), #member                                                                \
    }
typedef struct member {
    size_t offset;
    const char *name;
} member;
static const member members_v1[] = {
    MEMBER(begin),
    MEMBER(commit),
    MEMBER(rollback),
    MEMBER(party_insert),
    MEMBER(party_update),
    MEMBER(party_get),
    MEMBER(party_get_by_external),
    MEMBER(code_insert),
    MEMBER(code_update),
    MEMBER(code_get),
    MEMBER(code_get_by_key),
    MEMBER(journal_append),
    MEMBER(journal_last_seq),
    MEMBER(idempotency_get),
    MEMBER(idempotency_put),
    MEMBER(party_scan),
    MEMBER(code_scan),
    MEMBER(journal_scan),
    MEMBER(free),
};
static const member members_v2[] = {
    MEMBER(program_insert),  MEMBER(program_update),  MEMBER(program_get),  MEMBER(program_get_by_name),
    MEMBER(program_scan),    MEMBER(touch_insert),    MEMBER(touch_get),    MEMBER(touch_scan),
    MEMBER(referral_insert), MEMBER(referral_update), MEMBER(referral_get), MEMBER(referral_scan),
};
static const member members_v3[] = {
    MEMBER(reward_rule_insert), MEMBER(reward_rule_update), MEMBER(reward_rule_get), MEMBER(reward_rule_scan),
    MEMBER(grant_insert),       MEMBER(grant_update),       MEMBER(grant_get),       MEMBER(grant_get_by_key),
    MEMBER(grant_scan),         MEMBER(ledger_insert),      MEMBER(ledger_scan),
};
static const member members_v4[] = {
    MEMBER(client_event_insert),
    MEMBER(client_event_scan),
    MEMBER(task_insert),
    MEMBER(task_update),
    MEMBER(task_get),
    MEMBER(task_get_by_key),
    MEMBER(task_scan),
    MEMBER(template_insert),
    MEMBER(template_update),
    MEMBER(template_get_by_name),
    MEMBER(template_scan),
};
static const struct {
    const member *members;
    size_t count;
} contract[] = {
    {members_v1, sizeof members_v1 / sizeof members_v1[0]},
    {members_v2, sizeof members_v2 / sizeof members_v2[0]},
    {members_v3, sizeof members_v3 / sizeof members_v3[0]},
    {members_v4, sizeof members_v4 / sizeof members_v4[0]},
};

static rf_status check_backend(const rf_backend *backend)
{
    if (backend->version < 1) {
        return rf__error(RF_EVERSION, RF_ERRCLASS_STORE,
                         "backend declares contract version %u; set it to RF_BACKEND_VERSION (%d)",
                         backend->version, RF_BACKEND_VERSION);
    }
    /* A newer backend than this library is fine: its extra members are never called. */
    unsigned int known = backend->version < RF_BACKEND_VERSION ? backend->version : RF_BACKEND_VERSION;
    for (unsigned int v = 1; v <= known; v++) {
        for (size_t i = 0; i < contract[v - 1].count; i++) {
            void *fn;
            memcpy(&fn, (const char *)backend + contract[v - 1].members[i].offset, sizeof fn);
            if (fn == NULL) {
                return rf__error(RF_EINVALID, RF_ERRCLASS_STORE,
                                 "backend is missing required member '%s' (contract version %u)",
                                 contract[v - 1].members[i].name, v);
            }
        }
    }
    return RF_OK;
}

rf_status rf__store_require(rf_store *store, unsigned int version, const char *what)
{
    if (store->backend->version < version) {
        return rf__error(RF_EVERSION, RF_ERRCLASS_STORE,
                         "this store's backend implements contract version %u; %s need version %u",
                         store->backend->version, what, version);
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
        /* Everything after the scheme is libpq's; never echoed, it may hold a password. */
        rc = rf_backend_postgres_new(&backend, uri + 9);
    } else {
        return rf__error(
            RF_EINVALID, RF_ERRCLASS_STORE,
            "URI '%.100s' has an unknown scheme; use sqlite:PATH, postgres:CONNINFO or memory:", uri);
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
