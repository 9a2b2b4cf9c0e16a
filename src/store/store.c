/* The store handle: practice scope, transactions, the clock and ids. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_internal.h"
#include "util/error.h"

void rf_store_free(rf_store *store)
{
    if (store == NULL) {
        return;
    }
    /* The backend rolls back whatever is still open when it is freed. */
    if (store->backend != NULL) {
        store->backend->free(store->backend);
    }
    free(store);
}

const char *rf_store_practice(const rf_store *store)
{
    return store != NULL ? store->practice : NULL;
}

rf_status rf__check_arg(const void *arg, const char *name)
{
    if (arg == NULL) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT, "%s must not be NULL", name);
    }
    return RF_OK;
}

rf_status rf__check_version(const char *what, unsigned int version, unsigned int known,
                            const char *init_macro)
{
    if (version == 0 || version > known) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT,
                         "%s version %u is not supported (this libreferral knows 1 to %u); "
                         "initialise it with %s",
                         what, version, known, init_macro);
    }
    return RF_OK;
}

rf_status rf__options_init(void *opts, size_t size, const void *init, unsigned int version, const char *what,
                           const char *init_macro)
{
    rf_status rc = rf__check_arg(opts, what);
    unsigned int known;
    memcpy(&known, init, sizeof known); /* the newest version: the initialiser's own */
    if (rc == RF_OK && (rc = rf__check_version(what, version, known, init_macro)) == RF_OK) {
        memcpy(opts, init, size);
        memcpy(opts, &version, sizeof version);
    }
    return rc;
}

void rf__format_date(char out[16], rf_time t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, 16, "%Y-%m-%d", &tm) == 0) {
        snprintf(out, 16, "@%lld", (long long)t);
    }
}

/* --- transactions --------------------------------------------------------- */

rf_status rf__tx_begin(rf_store *store)
{
    int rc = store->backend->begin(store->backend);
    if (rc != RF_OK) {
        return (rf_status)rc;
    }
    store->depth++;
    return RF_OK;
}

rf_status rf__tx_commit(rf_store *store)
{
    int rc = store->backend->commit(store->backend);
    if (rc != RF_OK) {
        /* A failed commit leaves the level open; undo it so the handle stays usable. */
        return rf__tx_abort(store, (rf_status)rc);
    }
    store->depth--;
    return RF_OK;
}

rf_status rf__tx_abort(rf_store *store, rf_status status)
{
    const rf_error *last = rf_error_last();
    rf_status code = last->code;
    rf_error_class klass = last->klass;
    char message[1024];
    snprintf(message, sizeof message, "%s", last->message);

    store->backend->rollback(store->backend);
    store->depth--;
    rf_error_set_str(code, klass, message);
    return status;
}

void rf__tx_close_unchanged(rf_store *store)
{
    rf__tx_abort(store, RF_OK);
}

rf_status rf_store_begin(rf_store *store)
{
    rf_status rc = rf__check_arg(store, "store");
    return rc != RF_OK ? rc : rf__tx_begin(store);
}

rf_status rf_store_commit(rf_store *store)
{
    rf_status rc = rf__check_arg(store, "store");
    if (rc != RF_OK) {
        return rc;
    }
    if (store->depth == 0) {
        return rf__error(RF_ESTATE, RF_ERRCLASS_STORE,
                         "commit without an open transaction (call rf_store_begin first)");
    }
    return rf__tx_commit(store);
}

rf_status rf_store_rollback(rf_store *store)
{
    rf_status rc = rf__check_arg(store, "store");
    if (rc != RF_OK) {
        return rc;
    }
    if (store->depth == 0) {
        return rf__error(RF_ESTATE, RF_ERRCLASS_STORE, "rollback without an open transaction");
    }
    rc = (rf_status)store->backend->rollback(store->backend);
    store->depth--;
    return rc;
}

int rf_store_transaction_depth(const rf_store *store)
{
    return store != NULL ? store->depth : 0;
}

/* --- clock and ids -------------------------------------------------------- */

static rf_time system_clock(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (rf_time)ts.tv_sec;
}

rf_status rf_store_set_clock(rf_store *store, rf_clock_fn clock, void *ctx)
{
    rf_status rc = rf__check_arg(store, "store");
    if (rc != RF_OK) {
        return rc;
    }
    store->clock = clock != NULL ? clock : system_clock;
    store->clock_ctx = clock != NULL ? ctx : NULL;
    return RF_OK;
}

rf_time rf_store_now(rf_store *store)
{
    return store != NULL ? store->clock(store->clock_ctx) : 0;
}

void rf__store_new_id(rf_store *store, char out[RF_ID_BUFSIZE])
{
    rf__id_new(out, &store->ids, &store->rng, rf_store_now(store));
}
