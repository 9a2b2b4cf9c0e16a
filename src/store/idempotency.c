/* Idempotency keys: a retried call returns its first result and writes nothing. */
#include <stdio.h>
#include <string.h>

#include "store/store_internal.h"
#include "util/error.h"
#include "util/text.h"

/* FNV-1a, 64 bit: the fingerprint only has to tell two requests apart. */
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static void fp_bytes(rf_fingerprint *fp, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        fp->hash = (fp->hash ^ p[i]) * FNV_PRIME;
    }
}

void rf__fp_init(rf_fingerprint *fp, const char *operation)
{
    fp->hash = FNV_OFFSET;
    rf__fp_str(fp, operation);
}

void rf__fp_str(rf_fingerprint *fp, const char *s)
{
    /* A marker byte keeps NULL, "" and adjacent strings distinct. */
    unsigned char tag = s == NULL ? 0 : 1;
    fp_bytes(fp, &tag, 1);
    if (s != NULL) {
        fp_bytes(fp, s, strlen(s) + 1);
    }
}

void rf__fp_int(rf_fingerprint *fp, int64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)((uint64_t)v >> (8 * i));
    }
    fp_bytes(fp, b, sizeof b);
}

rf_status rf__idem_check_key(const char *key)
{
    return rf__check_text("idempotency_key", key, RF_IDEMPOTENCY_KEY_MAX, 0, RF_ERRCLASS_IDEMPOTENCY);
}

rf_status rf__idem_replay(rf_store *store, const char *key, const char *operation, const rf_fingerprint *fp,
                          char replay_id[RF_ID_BUFSIZE])
{
    replay_id[0] = '\0';
    if (key == NULL) {
        return RF_OK;
    }
    rf_idempotency_record rec;
    memset(&rec, 0, sizeof rec);
    int rc = store->backend->idempotency_get(store->backend, store->practice, key, &rec);
    if (rc == RF_ENOTFOUND) {
        return RF_OK;
    }
    if (rc != RF_OK) {
        return (rf_status)rc;
    }
    if (strcmp(rec.operation, operation) != 0 || rec.fingerprint != fp->hash) {
        return rf__error(RF_ECONFLICT, RF_ERRCLASS_IDEMPOTENCY,
                         "idempotency key '%.128s' was already used for a different request (%s); "
                         "use a new key for a new request",
                         key, rec.operation);
    }
    snprintf(replay_id, RF_ID_BUFSIZE, "%s", rec.result_id != NULL ? rec.result_id : "");
    return RF_OK;
}

rf_status rf__idem_remember(rf_store *store, const char *key, const char *operation, const rf_fingerprint *fp,
                            const char *result_id)
{
    if (key == NULL) {
        return RF_OK;
    }
    rf_idempotency_record rec = {key, operation, result_id, fp->hash, rf_store_now(store)};
    int rc = store->backend->idempotency_put(store->backend, store->practice, &rec);
    if (rc == RF_EEXISTS) {
        /* Another writer used the key between our check and now. */
        return rf__error(RF_ECONFLICT, RF_ERRCLASS_IDEMPOTENCY,
                         "idempotency key '%.128s' was used by a concurrent call; retry to get its result",
                         key);
    }
    return (rf_status)rc;
}
