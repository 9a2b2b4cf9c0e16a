/* Appending to the journal, inside the caller's transaction. */
#include "store/store_internal.h"

rf_status rf__journal_append_seq(rf_store *store, const char *type, const char *subject_id, const char *object_id,
                                 const char *idempotency_key, const char *data, int64_t *seq)
{
    rf_event_record rec = {0, type, subject_id, object_id, idempotency_key, data, rf_store_now(store)};
    return (rf_status)store->backend->journal_append(store->backend, store->practice, &rec, seq);
}

rf_status rf__journal_append(rf_store *store, const char *type, const char *subject_id, const char *object_id,
                             const char *idempotency_key, const char *data)
{
    int64_t seq = 0;
    return rf__journal_append_seq(store, type, subject_id, object_id, idempotency_key, data, &seq);
}
