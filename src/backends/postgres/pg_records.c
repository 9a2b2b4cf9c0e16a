/* The PostgreSQL backend's record members: inserts, updates and
 * single-record gets of parties, codes, journal events and idempotency keys. */
#include "pg_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- readers (pg_scan.c uses them too) ---- */

void rf__pg_read_party(const PGresult *res, int row, void *record)
{
    rf_party_record *out = record;
    const char **texts[] = {
        &out->id,        &out->external_id, &out->display_name, &out->email,           &out->phone,
        &out->email_key, &out->phone_key,   &out->segment,      &out->practitioner_id, &out->intake_detail};
    for (int i = 0; i < 10; i++) {
        *texts[i] = rf__pg_text(res, row, i);
    }
    out->kind = (int)rf__pg_int(res, row, 10);
    out->consent = (int)rf__pg_int(res, row, 11);
    out->payer = (int)rf__pg_int(res, row, 12);
    out->intake = (int)rf__pg_int(res, row, 13);
    out->first_visit_at = rf__pg_int(res, row, 14);
    out->created_at = rf__pg_int(res, row, 15);
    out->updated_at = rf__pg_int(res, row, 16);
    out->preferred_channel = (int)rf__pg_int(res, row, 17);
}

void rf__pg_read_code(const PGresult *res, int row, void *record)
{
    rf_code_record *out = record;
    const char **texts[] = {&out->id,       &out->key,        &out->text,
                            &out->owner_id, &out->program_id, &out->revoke_reason};
    for (int i = 0; i < 6; i++) {
        *texts[i] = rf__pg_text(res, row, i);
    }
    out->style = (int)rf__pg_int(res, row, 6);
    out->channel = (int)rf__pg_int(res, row, 7);
    out->max_uses = (int)rf__pg_int(res, row, 8);
    out->uses = (int)rf__pg_int(res, row, 9);
    out->created_at = rf__pg_int(res, row, 10);
    out->expires_at = rf__pg_int(res, row, 11);
    out->revoked_at = rf__pg_int(res, row, 12);
}

void rf__pg_read_event(const PGresult *res, int row, void *record)
{
    rf_event_record *out = record;
    out->type = rf__pg_text(res, row, 0);
    out->subject_id = rf__pg_text(res, row, 1);
    out->object_id = rf__pg_text(res, row, 2);
    out->idempotency_key = rf__pg_text(res, row, 3);
    out->data = rf__pg_text(res, row, 4);
    out->seq = rf__pg_int(res, row, 5);
    out->at = rf__pg_int(res, row, 6);
}

/* ---- parties ---- */

static const rf__pg_stmt party_insert = {
    1, "rf_party_insert",
    "INSERT INTO parties (practice, " RF_PG_PARTY_COLUMNS ") VALUES ($1::text, $2::text, $3::text, $4::text, "
    "$5::text, $6::text, $7::text, $8::text, $9::text, $10::text, $11::text, $12::bigint, $13::bigint, "
    "$14::bigint, $15::bigint, $16::bigint, $17::bigint, $18::bigint, $19::bigint) ON CONFLICT DO NOTHING"};
static const rf__pg_stmt party_update = {
    2, "rf_party_update",
    "UPDATE parties SET external_id = $3::text, display_name = $4::text, email = $5::text, phone = $6::text, "
    "email_key = $7::text, phone_key = $8::text, segment = $9::text, practitioner_id = $10::text, "
    "intake_detail = $11::text, kind = $12::bigint, consent = $13::bigint, payer = $14::bigint, "
    "intake = $15::bigint, first_visit_at = $16::bigint, created_at = $17::bigint, updated_at = $18::bigint, "
    "preferred_channel = $19::bigint WHERE practice = $1::text AND id = $2::text AND NOT EXISTS "
    "(SELECT 1 FROM parties o WHERE o.practice = $1::text AND o.external_id = $3::text AND o.id <> "
    "$2::text)"};
static const rf__pg_stmt party_exists = {3, "rf_party_exists",
                                         "SELECT 1 FROM parties WHERE practice = $1::text AND id = $2::text"};
static const rf__pg_stmt party_get = {4, "rf_party_get",
                                      "SELECT " RF_PG_PARTY_COLUMNS
                                      " FROM parties WHERE practice = $1::text AND id = $2::text"};
static const rf__pg_stmt party_get_external = {
    5, "rf_party_get_external",
    "SELECT " RF_PG_PARTY_COLUMNS " FROM parties WHERE practice = $1::text AND external_id = $2::text"};

static void bind_party(rf__pg_params *p, const char *practice, const void *record)
{
    const rf_party_record *r = record;
    const char *texts[] = {practice,        r->id,        r->external_id, r->display_name, r->email,
                           r->phone,        r->email_key, r->phone_key,   r->segment,      r->practitioner_id,
                           r->intake_detail};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        rf__pg_param_text(p, texts[i]);
    }
    rf__pg_param_int(p, r->kind);
    rf__pg_param_int(p, r->consent);
    rf__pg_param_int(p, r->payer);
    rf__pg_param_int(p, r->intake);
    rf__pg_param_int(p, r->first_visit_at);
    rf__pg_param_int(p, r->created_at);
    rf__pg_param_int(p, r->updated_at);
    rf__pg_param_int(p, r->preferred_channel);
}

static int external_id_taken(const char *practice, const void *record)
{
    const rf_party_record *r = record;
    return rf__pg_fail(RF_EEXISTS, RF_ERRCLASS_PARTY, "external id '%s' is already used in practice '%s'",
                       r->external_id, practice);
}

static const rf__pg_record_kind party_kind = {
    .noun = "party",
    .klass = RF_ERRCLASS_PARTY,
    .insert = &party_insert,
    .update = &party_update,
    .exists = &party_exists,
    .inserting = "inserting a party",
    .updating = "updating a party",
    .reading = "reading a party",
    .bind = bind_party,
    .read = rf__pg_read_party,
    .key_taken = external_id_taken,
};

int rf__pg_party_insert(rf_backend *backend, const char *practice, const rf_party_record *record)
{
    return rf__pg_insert_record((rf_pg *)backend, &party_kind, practice, record, record->id);
}

int rf__pg_party_update(rf_backend *backend, const char *practice, const rf_party_record *record)
{
    return rf__pg_update_record((rf_pg *)backend, &party_kind, practice, record, record->id);
}

int rf__pg_party_get(rf_backend *backend, const char *practice, const char *id, rf_party_record *out)
{
    return rf__pg_lookup_record((rf_pg *)backend, &party_kind, &party_get, practice, id, "id", out,
                                sizeof *out);
}

int rf__pg_party_get_by_external(rf_backend *backend, const char *practice, const char *external_id,
                                 rf_party_record *out)
{
    return rf__pg_lookup_record((rf_pg *)backend, &party_kind, &party_get_external, practice, external_id,
                                "external id", out, sizeof *out);
}

/* ---- codes ---- */

static const rf__pg_stmt code_insert = {
    6, "rf_code_insert",
    "INSERT INTO codes (practice, " RF_PG_CODE_COLUMNS
    ") VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, "
    "$6::text, $7::text, $8::bigint, $9::bigint, $10::bigint, $11::bigint, $12::bigint, $13::bigint, "
    "$14::bigint) ON CONFLICT DO NOTHING"};
static const rf__pg_stmt code_update = {
    7, "rf_code_update",
    "UPDATE codes SET key = $3::text, text = $4::text, owner_id = $5::text, program_id = $6::text, "
    "revoke_reason = $7::text, style = $8::bigint, channel = $9::bigint, max_uses = $10::bigint, "
    "uses = $11::bigint, created_at = $12::bigint, expires_at = $13::bigint, revoked_at = $14::bigint "
    "WHERE practice = $1::text AND id = $2::text AND NOT EXISTS (SELECT 1 FROM codes o WHERE "
    "o.practice = $1::text AND o.key = $3::text AND o.id <> $2::text)"};
static const rf__pg_stmt code_exists = {8, "rf_code_exists",
                                        "SELECT 1 FROM codes WHERE practice = $1::text AND id = $2::text"};
static const rf__pg_stmt code_get = {
    9, "rf_code_get", "SELECT " RF_PG_CODE_COLUMNS " FROM codes WHERE practice = $1::text AND id = $2::text"};
static const rf__pg_stmt code_get_by_key = {10, "rf_code_get_by_key",
                                            "SELECT " RF_PG_CODE_COLUMNS
                                            " FROM codes WHERE practice = $1::text AND key = $2::text"};

static void bind_code(rf__pg_params *p, const char *practice, const void *record)
{
    const rf_code_record *r = record;
    const char *texts[] = {practice, r->id, r->key, r->text, r->owner_id, r->program_id, r->revoke_reason};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        rf__pg_param_text(p, texts[i]);
    }
    rf__pg_param_int(p, r->style);
    rf__pg_param_int(p, r->channel);
    rf__pg_param_int(p, r->max_uses);
    rf__pg_param_int(p, r->uses);
    rf__pg_param_int(p, r->created_at);
    rf__pg_param_int(p, r->expires_at);
    rf__pg_param_int(p, r->revoked_at);
}

static int code_key_taken(const char *practice, const void *record)
{
    const rf_code_record *r = record;
    return rf__pg_fail(RF_EEXISTS, RF_ERRCLASS_CODE, "code key '%s' is already taken in practice '%s'",
                       r->key, practice);
}

static const rf__pg_record_kind code_kind = {
    .noun = "code",
    .klass = RF_ERRCLASS_CODE,
    .insert = &code_insert,
    .update = &code_update,
    .exists = &code_exists,
    .inserting = "inserting a code",
    .updating = "updating a code",
    .reading = "reading a code",
    .bind = bind_code,
    .read = rf__pg_read_code,
    .key_taken = code_key_taken,
};

int rf__pg_code_insert(rf_backend *backend, const char *practice, const rf_code_record *record)
{
    return rf__pg_insert_record((rf_pg *)backend, &code_kind, practice, record, record->id);
}

int rf__pg_code_update(rf_backend *backend, const char *practice, const rf_code_record *record)
{
    return rf__pg_update_record((rf_pg *)backend, &code_kind, practice, record, record->id);
}

int rf__pg_code_get(rf_backend *backend, const char *practice, const char *id, rf_code_record *out)
{
    return rf__pg_lookup_record((rf_pg *)backend, &code_kind, &code_get, practice, id, "id", out,
                                sizeof *out);
}

int rf__pg_code_get_by_key(rf_backend *backend, const char *practice, const char *key, rf_code_record *out)
{
    return rf__pg_lookup_record((rf_pg *)backend, &code_kind, &code_get_by_key, practice, key, "key", out,
                                sizeof *out);
}

/* ---- journal ---- */

static const rf__pg_stmt journal_last_seq = {
    11, "rf_journal_last_seq", "SELECT COALESCE(MAX(seq), 0) FROM journal WHERE practice = $1::text"};
/* The next number is taken under the practice's lock (rf__pg_writable), so
 * reading the highest and inserting one more, in one statement, cannot race. */
static const rf__pg_stmt journal_insert = {
    12, "rf_journal_insert",
    "INSERT INTO journal (practice, seq, type, subject_id, object_id, idempotency_key, data, at) "
    "SELECT $1::text, COALESCE(MAX(seq), 0) + 1, $2::text, $3::text, $4::text, $5::text, $6::text, "
    "$7::bigint "
    "FROM journal WHERE practice = $1::text RETURNING seq"};

/* Whether the handle knows @practice's last sequence number (see rf_pg). */
static int seq_known_for(const rf_pg *b, const char *practice)
{
    return b->seq_known && rf__pg_in_transaction(b) && strcmp(b->seq_practice, practice) == 0;
}

/* Remember @last as @practice's last sequence number while the transaction
 * holds its lock; a practice name that cannot be kept is simply not cached. */
static void remember_seq(rf_pg *b, const char *practice, int64_t last)
{
    b->seq_known = 0;
    if (!rf__pg_in_transaction(b)) {
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

int rf__pg_journal_last_seq(rf_backend *backend, const char *practice, int64_t *out)
{
    rf_pg *b = (rf_pg *)backend;
    *out = 0;
    int rc = rf__pg_enter(b, practice);
    if (rc != RF_OK) {
        return rc;
    }
    if (seq_known_for(b, practice)) {
        *out = b->seq_last;
        return RF_OK;
    }
    rf__pg_params p = {0};
    rf__pg_param_text(&p, practice);
    PGresult *res;
    rc = rf__pg_exec(b, &journal_last_seq, &p, "reading the journal's last sequence number", &res);
    if (rc == RF_OK) {
        *out = PQntuples(res) > 0 ? rf__pg_int(res, 0, 0) : 0;
        PQclear(res);
        remember_seq(b, practice, *out);
    }
    return rc;
}

int rf__pg_journal_append(rf_backend *backend, const char *practice, const rf_event_record *record,
                          int64_t *seq_out)
{
    rf_pg *b = (rf_pg *)backend;
    if (seq_out != NULL) {
        *seq_out = 0;
    }
    int rc = rf__pg_writable(b, practice, "appending to the journal");
    if (rc != RF_OK) {
        return rc;
    }
    rf__pg_params p = {0};
    rf__pg_param_text(&p, practice);
    rf__pg_param_text(&p, record->type);
    rf__pg_param_text(&p, record->subject_id);
    rf__pg_param_text(&p, record->object_id);
    rf__pg_param_text(&p, record->idempotency_key);
    rf__pg_param_text(&p, record->data);
    rf__pg_param_int(&p, record->at);
    PGresult *res;
    rc = rf__pg_exec(b, &journal_insert, &p, "appending to the journal", &res);
    if (rc != RF_OK) {
        b->seq_known = 0;
        return rc;
    }
    int64_t seq = rf__pg_int(res, 0, 0);
    PQclear(res);
    remember_seq(b, practice, seq);
    if (seq_out != NULL) {
        *seq_out = seq;
    }
    return RF_OK;
}

/* ---- idempotency keys ---- */

static const rf__pg_stmt idempotency_get = {
    13, "rf_idempotency_get",
    "SELECT key, operation, result_id, fingerprint, created_at FROM idempotency WHERE practice = $1::text "
    "AND key = $2::text"};
static const rf__pg_stmt idempotency_put = {
    14, "rf_idempotency_put",
    "INSERT INTO idempotency (practice, key, operation, result_id, fingerprint, created_at) VALUES "
    "($1::text, $2::text, $3::text, $4::text, $5::bigint, $6::bigint) ON CONFLICT DO NOTHING"};

static void read_idempotency(const PGresult *res, int row, void *record)
{
    rf_idempotency_record *out = record;
    out->key = rf__pg_text(res, row, 0);
    out->operation = rf__pg_text(res, row, 1);
    out->result_id = rf__pg_text(res, row, 2);
    /* Stored as the BIGINT with the same bits, so every uint64 survives. */
    int64_t bits = rf__pg_int(res, row, 3);
    memcpy(&out->fingerprint, &bits, sizeof bits);
    out->created_at = rf__pg_int(res, row, 4);
}

int rf__pg_idempotency_get(rf_backend *backend, const char *practice, const char *key,
                           rf_idempotency_record *out)
{
    int rc = rf__pg_lookup_row((rf_pg *)backend, &idempotency_get, practice, key,
                               "reading an idempotency key", read_idempotency, out, sizeof *out);
    if (rc == RF_ENOTFOUND) {
        return rf__pg_fail(RF_ENOTFOUND, RF_ERRCLASS_IDEMPOTENCY,
                           "idempotency key '%s' is not used in practice '%s'", key, practice);
    }
    return rc;
}

int rf__pg_idempotency_put(rf_backend *backend, const char *practice, const rf_idempotency_record *record)
{
    rf_pg *b = (rf_pg *)backend;
    int rc = rf__pg_writable(b, practice, "recording an idempotency key");
    if (rc != RF_OK) {
        return rc;
    }
    int64_t bits;
    memcpy(&bits, &record->fingerprint, sizeof bits);
    rf__pg_params p = {0};
    rf__pg_param_text(&p, practice);
    rf__pg_param_text(&p, record->key);
    rf__pg_param_text(&p, record->operation);
    rf__pg_param_text(&p, record->result_id);
    rf__pg_param_int(&p, bits);
    rf__pg_param_int(&p, record->created_at);
    int64_t changed;
    rc = rf__pg_exec_count(b, &idempotency_put, &p, "recording an idempotency key", &changed);
    if (rc == RF_OK && changed == 0) {
        return rf__pg_fail(RF_EEXISTS, RF_ERRCLASS_IDEMPOTENCY,
                           "idempotency key '%s' is already used in practice '%s'", record->key, practice);
    }
    return rc;
}
