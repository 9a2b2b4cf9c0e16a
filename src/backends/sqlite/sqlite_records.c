/* The SQLite backend's record members: inserts, updates and single-record gets
 * of parties, codes, journal events and idempotency keys. */
#include "sqlite_internal.h"

#include <stdlib.h>
#include <string.h>

#define PARTY_TEXTS 10
#define CODE_TEXTS 6
#define EVENT_TEXTS 5
#define IDEMPOTENCY_TEXTS 3

int rf__sqlite_read_party(rf_sqlite *b, sqlite3_stmt *st, int copy, void *record)
{
    rf_party_record *out = record;
    const char **fields[PARTY_TEXTS] = {
        &out->id,        &out->external_id, &out->display_name, &out->email,           &out->phone,
        &out->email_key, &out->phone_key,   &out->segment,      &out->practitioner_id, &out->intake_detail};
    out->kind = sqlite3_column_int(st, 10);
    out->consent = sqlite3_column_int(st, 11);
    out->payer = sqlite3_column_int(st, 12);
    out->intake = sqlite3_column_int(st, 13);
    out->first_visit_at = sqlite3_column_int64(st, 14);
    out->created_at = sqlite3_column_int64(st, 15);
    out->updated_at = sqlite3_column_int64(st, 16);
    out->preferred_channel = sqlite3_column_int(st, 17);
    return rf__sqlite_read_texts(b, st, copy, fields, PARTY_TEXTS);
}

int rf__sqlite_read_code(rf_sqlite *b, sqlite3_stmt *st, int copy, void *record)
{
    rf_code_record *out = record;
    const char **fields[CODE_TEXTS] = {&out->id,       &out->key,        &out->text,
                                       &out->owner_id, &out->program_id, &out->revoke_reason};
    out->style = sqlite3_column_int(st, 6);
    out->channel = sqlite3_column_int(st, 7);
    out->max_uses = sqlite3_column_int(st, 8);
    out->uses = sqlite3_column_int(st, 9);
    out->created_at = sqlite3_column_int64(st, 10);
    out->expires_at = sqlite3_column_int64(st, 11);
    out->revoked_at = sqlite3_column_int64(st, 12);
    return rf__sqlite_read_texts(b, st, copy, fields, CODE_TEXTS);
}

int rf__sqlite_read_event(rf_sqlite *b, sqlite3_stmt *st, int copy, void *record)
{
    rf_event_record *out = record;
    const char **fields[EVENT_TEXTS] = {&out->type, &out->subject_id, &out->object_id, &out->idempotency_key,
                                        &out->data};
    out->seq = sqlite3_column_int64(st, 5);
    out->at = sqlite3_column_int64(st, 6);
    return rf__sqlite_read_texts(b, st, copy, fields, EVENT_TEXTS);
}

static int read_idempotency(rf_sqlite *b, sqlite3_stmt *st, int copy, void *record)
{
    rf_idempotency_record *out = record;
    const char **fields[IDEMPOTENCY_TEXTS] = {&out->key, &out->operation, &out->result_id};
    /* Stored as the int64 with the same bits, so every uint64 survives. */
    int64_t bits = sqlite3_column_int64(st, 3);
    memcpy(&out->fingerprint, &bits, sizeof bits);
    out->created_at = sqlite3_column_int64(st, 4);
    return rf__sqlite_read_texts(b, st, copy, fields, IDEMPOTENCY_TEXTS);
}

/* ---- parties ---- */

static int bind_party(sqlite3_stmt *st, const char *practice, const void *record)
{
    const rf_party_record *r = record;
    rf__sqlite_binder bd = {st, SQLITE_OK};
    rf__sqlite_bind_text(&bd, 1, practice);
    rf__sqlite_bind_text(&bd, 2, r->id);
    rf__sqlite_bind_text(&bd, 3, r->external_id);
    rf__sqlite_bind_text(&bd, 4, r->display_name);
    rf__sqlite_bind_text(&bd, 5, r->email);
    rf__sqlite_bind_text(&bd, 6, r->phone);
    rf__sqlite_bind_text(&bd, 7, r->email_key);
    rf__sqlite_bind_text(&bd, 8, r->phone_key);
    rf__sqlite_bind_text(&bd, 9, r->segment);
    rf__sqlite_bind_text(&bd, 10, r->practitioner_id);
    rf__sqlite_bind_text(&bd, 11, r->intake_detail);
    rf__sqlite_bind_int(&bd, 12, r->kind);
    rf__sqlite_bind_int(&bd, 13, r->consent);
    rf__sqlite_bind_int(&bd, 14, r->payer);
    rf__sqlite_bind_int(&bd, 15, r->intake);
    rf__sqlite_bind_int(&bd, 16, r->first_visit_at);
    rf__sqlite_bind_int(&bd, 17, r->created_at);
    rf__sqlite_bind_int(&bd, 18, r->updated_at);
    rf__sqlite_bind_int(&bd, 19, r->preferred_channel);
    return bd.rc;
}

static int external_id_taken(const char *practice, const void *record)
{
    const rf_party_record *r = record;
    return rf__sqlite_fail(RF_EEXISTS, RF_ERRCLASS_PARTY, "external id '%s' is already used in practice '%s'",
                           r->external_id, practice);
}

static const rf__sqlite_record_kind party_kind = {
    .noun = "party",
    .klass = RF_ERRCLASS_PARTY,
    .insert = RF_SQ_PARTY_INSERT,
    .update = RF_SQ_PARTY_UPDATE,
    .update_unkeyed = RF_SQ_PARTY_UPDATE_UNKEYED,
    .inserting = "inserting a party",
    .updating = "updating a party",
    .reading = "reading a party",
    .bind = bind_party,
    .read = rf__sqlite_read_party,
    .unique_column = ".external_id",
    .key_taken = external_id_taken,
};

int rf__sqlite_party_insert(rf_backend *backend, const char *practice, const rf_party_record *record)
{
    return rf__sqlite_insert_record((rf_sqlite *)backend, &party_kind, practice, record, record->id);
}

int rf__sqlite_party_update(rf_backend *backend, const char *practice, const rf_party_record *record)
{
    return rf__sqlite_update_record((rf_sqlite *)backend, &party_kind, practice, record, record->id);
}

int rf__sqlite_party_get(rf_backend *backend, const char *practice, const char *id, rf_party_record *out)
{
    return rf__sqlite_lookup_record((rf_sqlite *)backend, &party_kind, RF_SQ_PARTY_GET, practice, id, "id",
                                    out, sizeof *out);
}

int rf__sqlite_party_get_by_external(rf_backend *backend, const char *practice, const char *external_id,
                                     rf_party_record *out)
{
    return rf__sqlite_lookup_record((rf_sqlite *)backend, &party_kind, RF_SQ_PARTY_GET_EXTERNAL, practice,
                                    external_id, "external id", out, sizeof *out);
}

/* ---- codes ---- */

static int bind_code(sqlite3_stmt *st, const char *practice, const void *record)
{
    const rf_code_record *r = record;
    rf__sqlite_binder bd = {st, SQLITE_OK};
    rf__sqlite_bind_text(&bd, 1, practice);
    rf__sqlite_bind_text(&bd, 2, r->id);
    rf__sqlite_bind_text(&bd, 3, r->key);
    rf__sqlite_bind_text(&bd, 4, r->text);
    rf__sqlite_bind_text(&bd, 5, r->owner_id);
    rf__sqlite_bind_text(&bd, 6, r->program_id);
    rf__sqlite_bind_text(&bd, 7, r->revoke_reason);
    rf__sqlite_bind_int(&bd, 8, r->style);
    rf__sqlite_bind_int(&bd, 9, r->channel);
    rf__sqlite_bind_int(&bd, 10, r->max_uses);
    rf__sqlite_bind_int(&bd, 11, r->uses);
    rf__sqlite_bind_int(&bd, 12, r->created_at);
    rf__sqlite_bind_int(&bd, 13, r->expires_at);
    rf__sqlite_bind_int(&bd, 14, r->revoked_at);
    return bd.rc;
}

static int code_key_taken(const char *practice, const void *record)
{
    const rf_code_record *r = record;
    return rf__sqlite_fail(RF_EEXISTS, RF_ERRCLASS_CODE, "code key '%s' is already taken in practice '%s'",
                           r->key, practice);
}

static const rf__sqlite_record_kind code_kind = {
    .noun = "code",
    .klass = RF_ERRCLASS_CODE,
    .insert = RF_SQ_CODE_INSERT,
    .update = RF_SQ_CODE_UPDATE,
    .update_unkeyed = RF_SQ_CODE_UPDATE_UNKEYED,
    .inserting = "inserting a code",
    .updating = "updating a code",
    .reading = "reading a code",
    .bind = bind_code,
    .read = rf__sqlite_read_code,
    .unique_column = ".key",
    .key_taken = code_key_taken,
};

int rf__sqlite_code_insert(rf_backend *backend, const char *practice, const rf_code_record *record)
{
    return rf__sqlite_insert_record((rf_sqlite *)backend, &code_kind, practice, record, record->id);
}

int rf__sqlite_code_update(rf_backend *backend, const char *practice, const rf_code_record *record)
{
    return rf__sqlite_update_record((rf_sqlite *)backend, &code_kind, practice, record, record->id);
}

int rf__sqlite_code_get(rf_backend *backend, const char *practice, const char *id, rf_code_record *out)
{
    return rf__sqlite_lookup_record((rf_sqlite *)backend, &code_kind, RF_SQ_CODE_GET, practice, id, "id", out,
                                    sizeof *out);
}

int rf__sqlite_code_get_by_key(rf_backend *backend, const char *practice, const char *key,
                               rf_code_record *out)
{
    return rf__sqlite_lookup_record((rf_sqlite *)backend, &code_kind, RF_SQ_CODE_GET_BY_KEY, practice, key,
                                    "key", out, sizeof *out);
}

/* ---- journal ---- */

/* The practice's last sequence number from the database. */
static int read_last_seq(rf_sqlite *b, const char *practice, int64_t *out)
{
    sqlite3_stmt *st;
    *out = 0;
    int rc = rf__sqlite_stmt(b, RF_SQ_JOURNAL_LAST_SEQ, &st);
    if (rc != RF_OK) {
        return rc;
    }
    rf__sqlite_binder bd = {st, SQLITE_OK};
    rf__sqlite_bind_text(&bd, 1, practice);
    rc = bd.rc != SQLITE_OK ? bd.rc : sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = RF_OK;
    } else if (rc == SQLITE_DONE) {
        /* An aggregate always yields a row; treat none as an empty journal. */
        rc = RF_OK;
    } else {
        rc = rf__sqlite_error(b, rc, "reading the journal's last sequence number");
    }
    rf__sqlite_done(st);
    return rc;
}

/* Whether the handle knows @practice's last sequence number (see rf_sqlite). */
static int seq_known_for(const rf_sqlite *b, const char *practice)
{
    return b->seq_known && rf__sqlite_in_transaction(b) && strcmp(b->seq_practice, practice) == 0;
}

/* Remember @last as @practice's last sequence number, if a write transaction
 * holds the lock; a practice name that cannot be kept is simply not cached. */
static void remember_seq(rf_sqlite *b, const char *practice, int64_t last)
{
    b->seq_known = 0;
    if (!rf__sqlite_in_transaction(b)) {
        return;
    }
    size_t n = strlen(practice) + 1;
    if (n > b->seq_practice_cap) {
        char *grown = realloc(b->seq_practice, n);
        if (grown == NULL) {
            return;
        }
        b->seq_practice = grown;
        b->seq_practice_cap = n;
    }
    memcpy(b->seq_practice, practice, n);
    b->seq_last = last;
    b->seq_known = 1;
}

int rf__sqlite_journal_last_seq(rf_backend *backend, const char *practice, int64_t *out)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    if (seq_known_for(b, practice)) {
        *out = b->seq_last;
        return RF_OK;
    }
    int rc = read_last_seq(b, practice, out);
    if (rc == RF_OK) {
        remember_seq(b, practice, *out);
    }
    return rc;
}

/* Binds record->seq, which journal_append sets to the next number. */
static int bind_event(sqlite3_stmt *st, const char *practice, const void *record)
{
    const rf_event_record *r = record;
    rf__sqlite_binder bd = {st, SQLITE_OK};
    rf__sqlite_bind_text(&bd, 1, practice);
    rf__sqlite_bind_int(&bd, 2, r->seq);
    rf__sqlite_bind_text(&bd, 3, r->type);
    rf__sqlite_bind_text(&bd, 4, r->subject_id);
    rf__sqlite_bind_text(&bd, 5, r->object_id);
    rf__sqlite_bind_text(&bd, 6, r->idempotency_key);
    rf__sqlite_bind_text(&bd, 7, r->data);
    rf__sqlite_bind_int(&bd, 8, r->at);
    return bd.rc;
}

int rf__sqlite_journal_append(rf_backend *backend, const char *practice, const rf_event_record *record,
                              int64_t *seq_out)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    rf_event_record next = *record;
    int64_t last = 0;
    if (seq_out != NULL) {
        *seq_out = 0;
    }
    /* The write lock taken by begin makes read-then-insert safe: no other
     * writer can take the same number in between, nor until the commit,
     * which is why the number can be remembered (rf_sqlite.seq_known). */
    int rc = rf__sqlite_check_writable(b, "appending to the journal");
    if (rc == RF_OK) {
        rc = rf__sqlite_journal_last_seq(backend, practice, &last);
    }
    if (rc != RF_OK) {
        return rc;
    }
    next.seq = last + 1;
    rc = rf__sqlite_run_write(b, RF_SQ_JOURNAL_INSERT, "appending to the journal", practice, &next,
                              bind_event, NULL, NULL);
    if (rc != RF_OK) {
        b->seq_known = 0;
        return rc;
    }
    /* Still ours: last_seq above remembered this practice. */
    b->seq_last = next.seq;
    if (seq_out != NULL) {
        *seq_out = next.seq;
    }
    return RF_OK;
}

/* ---- idempotency keys ---- */

int rf__sqlite_idempotency_get(rf_backend *backend, const char *practice, const char *key,
                               rf_idempotency_record *out)
{
    int rc = rf__sqlite_lookup_row((rf_sqlite *)backend, RF_SQ_IDEMPOTENCY_GET, practice, key,
                                   "reading an idempotency key", read_idempotency, out, sizeof *out);
    if (rc == RF_ENOTFOUND) {
        return rf__sqlite_fail(RF_ENOTFOUND, RF_ERRCLASS_IDEMPOTENCY,
                               "idempotency key '%s' is not used in practice '%s'", key, practice);
    }
    return rc;
}

static int bind_idempotency(sqlite3_stmt *st, const char *practice, const void *record)
{
    const rf_idempotency_record *r = record;
    int64_t bits;
    memcpy(&bits, &r->fingerprint, sizeof bits);
    rf__sqlite_binder bd = {st, SQLITE_OK};
    rf__sqlite_bind_text(&bd, 1, practice);
    rf__sqlite_bind_text(&bd, 2, r->key);
    rf__sqlite_bind_text(&bd, 3, r->operation);
    rf__sqlite_bind_text(&bd, 4, r->result_id);
    rf__sqlite_bind_int(&bd, 5, bits);
    rf__sqlite_bind_int(&bd, 6, r->created_at);
    return bd.rc;
}

/* @ctx: the practice, then the key. */
static int idempotency_clash(const void *ctx, const char *message)
{
    const char *const *k = ctx;
    (void)message;
    return rf__sqlite_fail(RF_EEXISTS, RF_ERRCLASS_IDEMPOTENCY,
                           "idempotency key '%s' is already used in practice '%s'", k[1], k[0]);
}

int rf__sqlite_idempotency_put(rf_backend *backend, const char *practice, const rf_idempotency_record *record)
{
    const char *k[2] = {practice, record->key};
    return rf__sqlite_run_write((rf_sqlite *)backend, RF_SQ_IDEMPOTENCY_PUT, "recording an idempotency key",
                                practice, record, bind_idempotency, idempotency_clash, k);
}
