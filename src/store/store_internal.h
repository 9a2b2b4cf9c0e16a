/* Internal: the store handle and the helpers every domain module uses to
 * write through it (transactions, ids, idempotency, the journal). */
#ifndef RF_STORE_INTERNAL_H
#define RF_STORE_INTERNAL_H

#include "referral/store.h"
#include "referral/sys/backend.h"
#include "util/ids.h"

struct rf_store {
    rf_backend *backend;
    char practice[RF_LABEL_MAX + 1];
    char phone_region[4]; /* "" when numbers must carry their country code */
    rf_clock_fn clock;
    void *clock_ctx;
    rf_rng rng;
    rf_id_gen ids;
    int depth; /* open transaction levels, the host's and the library's own */
};

/* --- transactions (store.c) ----------------------------------------------
 * Every write call runs inside its own level: begin, work, commit; on any
 * failure rf__tx_abort undoes the level and keeps the failure's message. */
rf_status rf__tx_begin(rf_store *store);
rf_status rf__tx_commit(rf_store *store);
/* Roll back the innermost level and return @status, preserving the thread's
 * last error (the reason for the rollback) whatever the rollback does. */
rf_status rf__tx_abort(rf_store *store, rf_status status);

/* Close a level that wrote nothing (an idempotent replay): rolling it back
 * cannot lose anything, and unlike a commit it cannot fail. */
void rf__tx_close_unchanged(rf_store *store);

/* A new time-ordered id from the store's clock and random numbers. */
void rf__store_new_id(rf_store *store, char out[RF_ID_BUFSIZE]);

/* RF_OK when the store's backend implements contract @version (which added
 * @what, e.g. "referrals"); RF_EVERSION saying so otherwise. */
rf_status rf__store_require(rf_store *store, unsigned int version, const char *what);

/* The body of every rf_*_options_init / rf_*_filter_init: copy @init (the
 * struct's static initialiser, whose first member is `unsigned int version`)
 * into @opts and stamp @version, after checking both arguments. @size is the
 * size of the struct at @version (a caller built against an older header has
 * a shorter struct: never write past it). */
rf_status rf__options_init(void *opts, size_t size, const void *init, unsigned int version, const char *what,
                           const char *init_macro);

/* Check an options struct's version field. */
rf_status rf__check_version(const char *what, unsigned int version, unsigned int known,
                            const char *init_macro);

/* Check a non-NULL handle argument. */
rf_status rf__check_arg(const void *arg, const char *name);

/* Format a time as YYYY-MM-DD (UTC) for messages. */
void rf__format_date(char out[16], rf_time t);

/* --- idempotency (idempotency.c) -----------------------------------------
 * A call that takes an idempotency key fingerprints its arguments. Inside its
 * transaction it first asks rf__idem_replay: when the key was used before by
 * the same operation with the same arguments, the id of the first result
 * comes back and the call returns that record without writing anything; when
 * it was used differently the call fails with RF_ECONFLICT. After writing, the
 * call records the key with rf__idem_remember. */
typedef struct rf_fingerprint {
    uint64_t hash;
} rf_fingerprint;

void rf__fp_init(rf_fingerprint *fp, const char *operation);
void rf__fp_str(rf_fingerprint *fp, const char *s);
void rf__fp_int(rf_fingerprint *fp, int64_t v);

/* Validate a (possibly NULL) key. */
rf_status rf__idem_check_key(const char *key);
/* RF_OK with replay_id "" (new key) or the first result's id; RF_ECONFLICT. */
rf_status rf__idem_replay(rf_store *store, const char *key, const char *operation, const rf_fingerprint *fp,
                          char replay_id[RF_ID_BUFSIZE]);
rf_status rf__idem_remember(rf_store *store, const char *key, const char *operation, const rf_fingerprint *fp,
                            const char *result_id);

/* --- journal (journal_write.c) --------------------------------------------- */
rf_status rf__journal_append(rf_store *store, const char *type, const char *subject_id, const char *object_id,
                             const char *idempotency_key, const char *data);
/* The same, reporting the event's sequence number (the ledger's order). */
rf_status rf__journal_append_seq(rf_store *store, const char *type, const char *subject_id, const char *object_id,
                                 const char *idempotency_key, const char *data, int64_t *seq);

#endif
