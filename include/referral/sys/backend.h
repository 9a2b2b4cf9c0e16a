/**
 * @file referral/sys/backend.h
 * @brief The contract for storage backends (version 4).
 *
 * A backend stores, finds and scans records; every domain rule (validation,
 * lifecycle, idempotency, journalling) lives in the library above it. The
 * built-in backends (memory, SQLite) are written against this header exactly
 * as a third party would write one.
 *
 * **Writing a backend.** Embed ::rf_backend as the first member of your own
 * struct, set @ref rf_backend.version to ::RF_BACKEND_VERSION and fill every
 * member; rf_store_open_backend() refuses a backend with a NULL required
 * member. Later versions of this contract only append members; the store
 * checks `version >= N && member != NULL` before calling one added in version N.
 * Records grow the same way, only at their end: a field added in version N
 * is written and read only by backends that declare N or later (the store
 * zeroes records before a get, so an older backend leaves new fields 0).
 *
 * **Practice scope.** Every call names the practice (tenant) it works in. Every
 * key a backend writes must include the practice, and no call may see
 * another practice's records.
 *
 * **Return values.** Members return ::RF_OK, ::RF_ENOTFOUND (no such record),
 * ::RF_EEXISTS (a unique key is taken), ::RF_EBUSY (locked beyond the busy
 * timeout), ::RF_ENOMEM or ::RF_EBACKEND. On failure a backend describes the
 * problem with rf_error_set_str() and leaves its records as they were, with
 * one exception: after ::RF_ENOMEM or ::RF_EBACKEND inside a transaction a
 * backend may have lost the whole transaction (SQLite rolls back on
 * out-of-memory and some I/O errors); it then refuses further writes and
 * commits until the outermost level is rolled back, and never commits half
 * a transaction.
 *
 * **Borrowed records.** Strings in a record a backend hands out (get members,
 * scan callbacks) belong to the backend: they stay valid until the next call
 * on the same backend, or, in a scan, until the callback returns. The store
 * copies what it keeps. Strings in records passed in are the caller's and
 * are copied by the backend. An unset optional string is NULL; the store never
 * passes "".
 *
 * A get member that fails leaves @p out zeroed.
 *
 * **Transactions.** begin/commit/rollback nest: begin while a transaction is
 * open starts an inner level (an SQL savepoint) that commit folds into the
 * outer one and rollback undoes alone. Writes are only made inside a
 * transaction: a write, commit or rollback with no transaction open fails with
 * ::RF_EBACKEND. Reads may be made outside one. The outermost begin must take
 * the write lock up front (e.g. SQLite `BEGIN IMMEDIATE`), so that two
 * processes never both read and then fail to upgrade.
 *
 * **Scans** visit records in ascending byte order of their id (ids are
 * time-ordered UUID text), apply the filters first and count only matching
 * records against `limit`. A party whose e-mail and phone keys are equal is
 * visited once. A scan callback must not call the backend. In queries only
 * ::RF_TIME_UNSET means "no bound" (0 and negative times are ordinary bounds)
 * and a range whose start is after its end visits nothing. Keys and names
 * compare byte for byte.
 *
 * A failed commit leaves the level open for the caller to roll back (unless
 * the backend already lost the transaction, as above).
 *
 * **Threads.** A backend is used by one thread at a time.
 */
#ifndef REFERRAL_SYS_BACKEND_H
#define REFERRAL_SYS_BACKEND_H

#include "../common.h"
#include "../errors.h"
#include "../store.h"
#include "records.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The contract version this header describes: 2 added programmes, touches and
 * referrals; 3 added reward rules, grants and the ledger; 4 added client
 * events, outbox tasks, message templates and the party's preferred channel.
 */
#define RF_BACKEND_VERSION 4

/** Scan callbacks: return 0 to go on, non-zero to stop (the scan then returns ::RF_OK). */
typedef int (*rf_party_visit_fn)(const rf_party_record *record, void *payload);
/** Code scan callback; see ::rf_party_visit_fn. */
typedef int (*rf_code_visit_fn)(const rf_code_record *record, void *payload);
/** Journal scan callback; see ::rf_party_visit_fn. */
typedef int (*rf_event_visit_fn)(const rf_event_record *record, void *payload);
/** Programme scan callback; see ::rf_party_visit_fn. */
typedef int (*rf_program_visit_fn)(const rf_program_record *record, void *payload);
/** Touch scan callback; see ::rf_party_visit_fn. */
typedef int (*rf_touch_visit_fn)(const rf_touch_record *record, void *payload);
/** Referral scan callback; see ::rf_party_visit_fn. */
typedef int (*rf_referral_visit_fn)(const rf_referral_record *record, void *payload);
/** Reward rule scan callback; see ::rf_party_visit_fn. */
typedef int (*rf_reward_rule_visit_fn)(const rf_reward_rule_record *record, void *payload);
/** Grant scan callback; see ::rf_party_visit_fn. */
typedef int (*rf_grant_visit_fn)(const rf_grant_record *record, void *payload);
/** Ledger scan callback; see ::rf_party_visit_fn. */
typedef int (*rf_ledger_visit_fn)(const rf_ledger_record *record, void *payload);
/** Client event scan callback; see ::rf_party_visit_fn. */
typedef int (*rf_client_event_visit_fn)(const rf_client_event_record *record, void *payload);
/** Task scan callback; see ::rf_party_visit_fn. */
typedef int (*rf_task_visit_fn)(const rf_task_record *record, void *payload);
/** Template scan callback; see ::rf_party_visit_fn. */
typedef int (*rf_template_visit_fn)(const rf_template_record *record, void *payload);

/** A storage backend: a versioned table of functions. */
struct rf_backend {
    /** ::RF_BACKEND_VERSION of the header the backend was written against. */
    unsigned int version;

    /** @name Transactions (nesting; see the file comment)
     * @{ */
    int (*begin)(rf_backend *backend);    /**< open a transaction or an inner level */
    int (*commit)(rf_backend *backend);   /**< commit the innermost level */
    int (*rollback)(rf_backend *backend); /**< undo the innermost level */
    /** @} */

    /** @name Parties
     * @{ */
    /** Insert; ::RF_EEXISTS when the id or external id is taken. */
    int (*party_insert)(rf_backend *backend, const char *practice, const rf_party_record *record);
    /** Replace the record with the same id; ::RF_ENOTFOUND, ::RF_EEXISTS (external id taken). */
    int (*party_update)(rf_backend *backend, const char *practice, const rf_party_record *record);
    /** Fill @p out with the party @p id (borrowed strings); ::RF_ENOTFOUND. */
    int (*party_get)(rf_backend *backend, const char *practice, const char *id, rf_party_record *out);
    /** Fill @p out with the party holding @p external_id; ::RF_ENOTFOUND. */
    int (*party_get_by_external)(rf_backend *backend, const char *practice, const char *external_id,
                                 rf_party_record *out);
    /** @} */

    /** @name Codes
     * @{ */
    /** Insert; ::RF_EEXISTS when the id or the folded key is taken. */
    int (*code_insert)(rf_backend *backend, const char *practice, const rf_code_record *record);
    /** Replace the record with the same id; ::RF_ENOTFOUND, ::RF_EEXISTS (the new key is taken). */
    int (*code_update)(rf_backend *backend, const char *practice, const rf_code_record *record);
    /** Fill @p out with the code @p id; ::RF_ENOTFOUND. */
    int (*code_get)(rf_backend *backend, const char *practice, const char *id, rf_code_record *out);
    /** Fill @p out with the code whose folded key is @p key; ::RF_ENOTFOUND. This is the hot lookup path. */
    int (*code_get_by_key)(rf_backend *backend, const char *practice, const char *key, rf_code_record *out);
    /** @} */

    /** @name Journal
     * @{ */
    /** Append with the next sequence number of the practice (record->seq is ignored) and report it. */
    int (*journal_append)(rf_backend *backend, const char *practice, const rf_event_record *record,
                          int64_t *seq_out);
    /** The practice's highest sequence number, 0 when it has none. */
    int (*journal_last_seq)(rf_backend *backend, const char *practice, int64_t *out);
    /** @} */

    /** @name Idempotency keys
     * @{ */
    /** Fill @p out with the first use of @p key; ::RF_ENOTFOUND. */
    int (*idempotency_get)(rf_backend *backend, const char *practice, const char *key,
                           rf_idempotency_record *out);
    /** Insert; ::RF_EEXISTS when the key is taken. */
    int (*idempotency_put)(rf_backend *backend, const char *practice, const rf_idempotency_record *record);
    /** @} */

    /** @name Scans
     * @{ */
    /** Visit the parties matching @p query in ascending id order. */
    int (*party_scan)(rf_backend *backend, const char *practice, const rf_party_query *query,
                      rf_party_visit_fn visit, void *payload);
    /** Visit the codes matching @p query in ascending id order. */
    int (*code_scan)(rf_backend *backend, const char *practice, const rf_code_query *query,
                     rf_code_visit_fn visit, void *payload);
    /** Events with seq > @p after_seq in ascending order, at most @p limit (0: no limit). */
    int (*journal_scan)(rf_backend *backend, const char *practice, int64_t after_seq, unsigned int limit,
                        rf_event_visit_fn visit, void *payload);
    /** @} */

    /** Release the backend and everything it holds; an open transaction is rolled back. */
    void (*free)(rf_backend *backend);

    /** @name Version 2: programmes
     * @{ */
    /** Insert; ::RF_EEXISTS when the id or the name is taken. */
    int (*program_insert)(rf_backend *backend, const char *practice, const rf_program_record *record);
    /** Replace the record with the same id; ::RF_ENOTFOUND, ::RF_EEXISTS (the name is taken). */
    int (*program_update)(rf_backend *backend, const char *practice, const rf_program_record *record);
    /** Fill @p out with the programme @p id; ::RF_ENOTFOUND. */
    int (*program_get)(rf_backend *backend, const char *practice, const char *id, rf_program_record *out);
    /** Fill @p out with the programme called @p name; ::RF_ENOTFOUND. */
    int (*program_get_by_name)(rf_backend *backend, const char *practice, const char *name,
                               rf_program_record *out);
    /** Visit programmes with id > @p after_id (NULL: all) in ascending id order, at most @p limit (0: all).
     */
    int (*program_scan)(rf_backend *backend, const char *practice, const char *after_id, unsigned int limit,
                        rf_program_visit_fn visit, void *payload);
    /** @} */

    /** @name Version 2: touches
     * @{ */
    /** Insert; ::RF_EEXISTS when the id is taken. */
    int (*touch_insert)(rf_backend *backend, const char *practice, const rf_touch_record *record);
    /** Fill @p out with the touch @p id; ::RF_ENOTFOUND. */
    int (*touch_get)(rf_backend *backend, const char *practice, const char *id, rf_touch_record *out);
    /** Visit the touches matching @p query in ascending id order. */
    int (*touch_scan)(rf_backend *backend, const char *practice, const rf_touch_query *query,
                      rf_touch_visit_fn visit, void *payload);
    /** @} */

    /** @name Version 2: referrals
     * @{ */
    /** Insert; ::RF_EEXISTS when the id or the attribution key is taken. */
    int (*referral_insert)(rf_backend *backend, const char *practice, const rf_referral_record *record);
    /** Replace the record with the same id; ::RF_ENOTFOUND, ::RF_EEXISTS (the attribution key is taken). */
    int (*referral_update)(rf_backend *backend, const char *practice, const rf_referral_record *record);
    /** Fill @p out with the referral @p id; ::RF_ENOTFOUND. */
    int (*referral_get)(rf_backend *backend, const char *practice, const char *id, rf_referral_record *out);
    /** Visit the referrals matching @p query in ascending id order. */
    int (*referral_scan)(rf_backend *backend, const char *practice, const rf_referral_query *query,
                         rf_referral_visit_fn visit, void *payload);
    /** @} */

    /** @name Version 3: reward rules
     * @{ */
    /** Insert; ::RF_EEXISTS when the id is taken. */
    int (*reward_rule_insert)(rf_backend *backend, const char *practice, const rf_reward_rule_record *record);
    /** Replace the record with the same id; ::RF_ENOTFOUND. */
    int (*reward_rule_update)(rf_backend *backend, const char *practice, const rf_reward_rule_record *record);
    /** Fill @p out with the rule @p id; ::RF_ENOTFOUND. */
    int (*reward_rule_get)(rf_backend *backend, const char *practice, const char *id,
                           rf_reward_rule_record *out);
    /** Visit rules of @p program_id (NULL: all) with id > @p after_id (NULL: all) in ascending id order. */
    int (*reward_rule_scan)(rf_backend *backend, const char *practice, const char *program_id,
                            const char *after_id, unsigned int limit, rf_reward_rule_visit_fn visit,
                            void *payload);
    /** @} */

    /** @name Version 3: grants
     * @{ */
    /** Insert; ::RF_EEXISTS when the id or the grant key is taken. */
    int (*grant_insert)(rf_backend *backend, const char *practice, const rf_grant_record *record);
    /** Replace the record with the same id (the grant key never changes); ::RF_ENOTFOUND. */
    int (*grant_update)(rf_backend *backend, const char *practice, const rf_grant_record *record);
    /** Fill @p out with the grant @p id; ::RF_ENOTFOUND. */
    int (*grant_get)(rf_backend *backend, const char *practice, const char *id, rf_grant_record *out);
    /** Fill @p out with the grant whose key is @p grant_key; ::RF_ENOTFOUND. */
    int (*grant_get_by_key)(rf_backend *backend, const char *practice, const char *grant_key,
                            rf_grant_record *out);
    /** Visit the grants matching @p query in ascending id order. */
    int (*grant_scan)(rf_backend *backend, const char *practice, const rf_grant_query *query,
                      rf_grant_visit_fn visit, void *payload);
    /** @} */

    /** @name Version 3: the ledger (append-only)
     * @{ */
    /** Insert; ::RF_EEXISTS when the id, the entry key or the seq is taken. */
    int (*ledger_insert)(rf_backend *backend, const char *practice, const rf_ledger_record *record);
    /** Visit the entries matching @p query in ascending seq order. */
    int (*ledger_scan)(rf_backend *backend, const char *practice, const rf_ledger_query *query,
                       rf_ledger_visit_fn visit, void *payload);
    /** @} */

    /** @name Version 4: client events (append-only)
     * @{ */
    /** Insert; ::RF_EEXISTS when the id is taken. */
    int (*client_event_insert)(rf_backend *backend, const char *practice,
                               const rf_client_event_record *record);
    /** Visit the events matching @p query in ascending id order. */
    int (*client_event_scan)(rf_backend *backend, const char *practice, const rf_client_event_query *query,
                             rf_client_event_visit_fn visit, void *payload);
    /** @} */

    /** @name Version 4: outbox tasks
     * @{ */
    /** Insert; ::RF_EEXISTS when the id or the task key is taken. */
    int (*task_insert)(rf_backend *backend, const char *practice, const rf_task_record *record);
    /** Replace the record with the same id (the task key never changes); ::RF_ENOTFOUND. */
    int (*task_update)(rf_backend *backend, const char *practice, const rf_task_record *record);
    /** Fill @p out with the task @p id; ::RF_ENOTFOUND. */
    int (*task_get)(rf_backend *backend, const char *practice, const char *id, rf_task_record *out);
    /** Fill @p out with the task whose key is @p task_key; ::RF_ENOTFOUND. */
    int (*task_get_by_key)(rf_backend *backend, const char *practice, const char *task_key,
                           rf_task_record *out);
    /** Visit the tasks matching @p query in ascending id order. */
    int (*task_scan)(rf_backend *backend, const char *practice, const rf_task_query *query,
                     rf_task_visit_fn visit, void *payload);
    /** @} */

    /** @name Version 4: message templates
     * @{ */
    /** Insert; ::RF_EEXISTS when the id or (programme, name) is taken. */
    int (*template_insert)(rf_backend *backend, const char *practice, const rf_template_record *record);
    /** Replace the record with the same id; ::RF_ENOTFOUND, ::RF_EEXISTS ((programme, name) taken). */
    int (*template_update)(rf_backend *backend, const char *practice, const rf_template_record *record);
    /** Fill @p out with the template called @p name in @p program_id (NULL: practice-wide); ::RF_ENOTFOUND.
     */
    int (*template_get_by_name)(rf_backend *backend, const char *practice, const char *program_id,
                                const char *name, rf_template_record *out);
    /** Visit templates of @p program_id (NULL: practice-wide ones only) with id > @p after_id in id order. */
    int (*template_scan)(rf_backend *backend, const char *practice, const char *program_id,
                         const char *after_id, unsigned int limit, rf_template_visit_fn visit, void *payload);
    /** @} */
};

/**
 * For backends: record the calling thread's last error before returning a
 * failure. @p message is copied (and cut at 1023 bytes).
 */
RF_API void rf_error_set_str(rf_status code, rf_error_class klass, const char *message);

#ifdef __cplusplus
}
#endif

#endif /* REFERRAL_SYS_BACKEND_H */
