/* The SQLite backend's record members: inserts, updates and single-record gets
 * of parties, codes, journal events and idempotency keys. */
#include "sqlite_internal.h"

#include <stdlib.h>
#include <string.h>

#define PARTY_TEXTS 10
#define CODE_TEXTS 6
#define EVENT_TEXTS 5
#define IDEMPOTENCY_TEXTS 3
#define MAX_TEXTS PARTY_TEXTS

/* Point @fields at the first @n columns of the current row, which are text or
 * NULL. With @copy, the texts are first copied into the handle's scratch
 * buffer, so the statement can be reset at once: a stepped statement would
 * keep a read transaction (and the WAL file) pinned until the next call. */
static int read_texts(rf_sqlite *b, sqlite3_stmt *st, int copy, const char **fields[], int n)
{
    const char *src[MAX_TEXTS];
    size_t len[MAX_TEXTS];
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        if (sqlite3_column_type(st, i) == SQLITE_NULL) {
            src[i] = NULL;
            len[i] = 0;
            continue;
        }
        src[i] = (const char *)sqlite3_column_text(st, i);
        if (src[i] == NULL) {
            return rf__sqlite_error(b, SQLITE_NOMEM, "reading a record");
        }
        len[i] = (size_t)sqlite3_column_bytes(st, i);
        total += len[i] + 1;
    }
    if (!copy) {
        for (int i = 0; i < n; i++) {
            *fields[i] = src[i];
        }
        return RF_OK;
    }
    if (total > b->scratch_cap) {
        size_t cap = b->scratch_cap != 0 ? b->scratch_cap : 256;
        while (cap < total) {
            cap *= 2;
        }
        char *grown = realloc(b->scratch, cap);
        if (grown == NULL) {
            return rf__sqlite_error(b, SQLITE_NOMEM, "reading a record");
        }
        b->scratch = grown;
        b->scratch_cap = cap;
    }
    char *p = b->scratch;
    for (int i = 0; i < n; i++) {
        if (src[i] == NULL) {
            *fields[i] = NULL;
            continue;
        }
        memcpy(p, src[i], len[i]);
        p[len[i]] = '\0';
        *fields[i] = p;
        p += len[i] + 1;
    }
    return RF_OK;
}

int rf__sqlite_read_party(rf_sqlite *b, sqlite3_stmt *st, int copy, rf_party_record *out)
{
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
    return read_texts(b, st, copy, fields, PARTY_TEXTS);
}

int rf__sqlite_read_code(rf_sqlite *b, sqlite3_stmt *st, int copy, rf_code_record *out)
{
    const char **fields[CODE_TEXTS] = {&out->id,       &out->key,        &out->text,
                                       &out->owner_id, &out->program_id, &out->revoke_reason};
    out->style = sqlite3_column_int(st, 6);
    out->channel = sqlite3_column_int(st, 7);
    out->max_uses = sqlite3_column_int(st, 8);
    out->uses = sqlite3_column_int(st, 9);
    out->created_at = sqlite3_column_int64(st, 10);
    out->expires_at = sqlite3_column_int64(st, 11);
    out->revoked_at = sqlite3_column_int64(st, 12);
    return read_texts(b, st, copy, fields, CODE_TEXTS);
}

int rf__sqlite_read_event(rf_sqlite *b, sqlite3_stmt *st, int copy, rf_event_record *out)
{
    const char **fields[EVENT_TEXTS] = {&out->type, &out->subject_id, &out->object_id, &out->idempotency_key,
                                        &out->data};
    out->seq = sqlite3_column_int64(st, 5);
    out->at = sqlite3_column_int64(st, 6);
    return read_texts(b, st, copy, fields, EVENT_TEXTS);
}

static int read_idempotency(rf_sqlite *b, sqlite3_stmt *st, rf_idempotency_record *out)
{
    const char **fields[IDEMPOTENCY_TEXTS] = {&out->key, &out->operation, &out->result_id};
    /* Stored as the int64 with the same bits, so every uint64 survives. */
    int64_t bits = sqlite3_column_int64(st, 3);
    memcpy(&out->fingerprint, &bits, sizeof bits);
    out->created_at = sqlite3_column_int64(st, 4);
    return read_texts(b, st, 1, fields, IDEMPOTENCY_TEXTS);
}

/* Bindings made one after another, keeping the first failure. Strings are
 * bound SQLITE_STATIC: every statement is stepped and reset before the
 * member returns, while the caller's strings are still alive. */
typedef struct binder {
    sqlite3_stmt *st;
    int rc;
} binder;

static void bind_text(binder *bd, int i, const char *s)
{
    if (bd->rc == SQLITE_OK) {
        bd->rc =
            s != NULL ? sqlite3_bind_text(bd->st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(bd->st, i);
    }
}

static void bind_int(binder *bd, int i, int64_t v)
{
    if (bd->rc == SQLITE_OK) {
        bd->rc = sqlite3_bind_int64(bd->st, i, v);
    }
}

/* Writes outside a transaction would each commit on their own; the store
 * always opens one, so getting here without is a bug worth stopping. */
static int check_writable(rf_sqlite *b, const char *what)
{
    if (rf__sqlite_in_transaction(b)) {
        return RF_OK;
    }
    if (b->depth > 0) {
        /* SQLite abandons the whole transaction after out-of-memory, I/O and
         * some disk-full errors; writing on would commit piecemeal. */
        return rf__sqlite_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                               "database '%s': %s refused: the transaction was rolled back after an earlier "
                               "error; roll back and start again",
                               b->path, what);
    }
    return rf__sqlite_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                           "database '%s': %s outside a transaction; writes must be made between begin and "
                           "commit",
                           b->path, what);
}

/* Step a write. On a unique-key clash, @clash(@arg, message) names the key. */
static int step_write(rf_sqlite *b, sqlite3_stmt *st, int bind_rc, const char *what,
                      int (*clash)(rf_sqlite *b, const void *arg, const char *message), const void *arg)
{
    int rc = bind_rc != SQLITE_OK ? bind_rc : sqlite3_step(st);
    int status = RF_OK;
    if (rc != SQLITE_DONE) {
        if ((rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) && clash != NULL) {
            status = clash(b, arg, sqlite3_errmsg(b->db));
        } else {
            status = rf__sqlite_error(b, rc, what);
        }
    }
    rf__sqlite_done(st);
    return status;
}

/* Step a single-row lookup: RF_OK with the row current, RF_ENOTFOUND with the
 * statement reset (the caller describes what was missing), or an error. */
static int step_lookup(rf_sqlite *b, sqlite3_stmt *st, int bind_rc, const char *what)
{
    int rc = bind_rc != SQLITE_OK ? bind_rc : sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        return RF_OK;
    }
    int status = rc == SQLITE_DONE ? RF_ENOTFOUND : rf__sqlite_error(b, rc, what);
    rf__sqlite_done(st);
    return status;
}

/* ---- parties ---- */

typedef struct party_key {
    const char *practice;
    const rf_party_record *record;
} party_key;

static int party_clash(rf_sqlite *b, const void *arg, const char *message)
{
    const party_key *k = arg;
    (void)b;
    if (strstr(message, ".external_id") != NULL) {
        return rf__sqlite_fail(RF_EEXISTS, RF_ERRCLASS_PARTY,
                               "external id '%s' is already used in practice '%s'", k->record->external_id,
                               k->practice);
    }
    return rf__sqlite_fail(RF_EEXISTS, RF_ERRCLASS_PARTY, "party '%s' already exists in practice '%s'",
                           k->record->id, k->practice);
}

static int bind_party(sqlite3_stmt *st, const char *practice, const rf_party_record *r)
{
    binder bd = {st, SQLITE_OK};
    bind_text(&bd, 1, practice);
    bind_text(&bd, 2, r->id);
    bind_text(&bd, 3, r->external_id);
    bind_text(&bd, 4, r->display_name);
    bind_text(&bd, 5, r->email);
    bind_text(&bd, 6, r->phone);
    bind_text(&bd, 7, r->email_key);
    bind_text(&bd, 8, r->phone_key);
    bind_text(&bd, 9, r->segment);
    bind_text(&bd, 10, r->practitioner_id);
    bind_text(&bd, 11, r->intake_detail);
    bind_int(&bd, 12, r->kind);
    bind_int(&bd, 13, r->consent);
    bind_int(&bd, 14, r->payer);
    bind_int(&bd, 15, r->intake);
    bind_int(&bd, 16, r->first_visit_at);
    bind_int(&bd, 17, r->created_at);
    bind_int(&bd, 18, r->updated_at);
    return bd.rc;
}

int rf__sqlite_party_insert(rf_backend *backend, const char *practice, const rf_party_record *record)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    sqlite3_stmt *st;
    int rc = check_writable(b, "inserting a party");
    if (rc == RF_OK) {
        rc = rf__sqlite_stmt(b, RF_SQ_PARTY_INSERT, &st);
    }
    if (rc != RF_OK) {
        return rc;
    }
    party_key k = {practice, record};
    return step_write(b, st, bind_party(st, practice, record), "inserting a party", party_clash, &k);
}

int rf__sqlite_party_update(rf_backend *backend, const char *practice, const rf_party_record *record)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    sqlite3_stmt *st;
    int rc = check_writable(b, "updating a party");
    if (rc == RF_OK) {
        rc = rf__sqlite_stmt(b, RF_SQ_PARTY_UPDATE, &st);
    }
    if (rc != RF_OK) {
        return rc;
    }
    party_key k = {practice, record};
    rc = step_write(b, st, bind_party(st, practice, record), "updating a party", party_clash, &k);
    if (rc == RF_OK && sqlite3_changes(b->db) == 0) {
        return rf__sqlite_fail(RF_ENOTFOUND, RF_ERRCLASS_PARTY, "no party '%s' in practice '%s'", record->id,
                               practice);
    }
    return rc;
}

static int party_lookup(rf_sqlite *b, rf_sqlite_stmt_id id, const char *practice, const char *value,
                        const char *field, rf_party_record *out)
{
    sqlite3_stmt *st;
    memset(out, 0, sizeof *out);
    int rc = rf__sqlite_stmt(b, id, &st);
    if (rc != RF_OK) {
        return rc;
    }
    binder bd = {st, SQLITE_OK};
    bind_text(&bd, 1, practice);
    bind_text(&bd, 2, value);
    rc = step_lookup(b, st, bd.rc, "reading a party");
    if (rc == RF_ENOTFOUND) {
        return rf__sqlite_fail(RF_ENOTFOUND, RF_ERRCLASS_PARTY, "no party with %s '%s' in practice '%s'",
                               field, value, practice);
    }
    if (rc == RF_OK) {
        rc = rf__sqlite_read_party(b, st, 1, out);
        rf__sqlite_done(st);
        if (rc != RF_OK) {
            memset(out, 0, sizeof *out);
        }
    }
    return rc;
}

int rf__sqlite_party_get(rf_backend *backend, const char *practice, const char *id, rf_party_record *out)
{
    return party_lookup((rf_sqlite *)backend, RF_SQ_PARTY_GET, practice, id, "id", out);
}

int rf__sqlite_party_get_by_external(rf_backend *backend, const char *practice, const char *external_id,
                                     rf_party_record *out)
{
    return party_lookup((rf_sqlite *)backend, RF_SQ_PARTY_GET_EXTERNAL, practice, external_id, "external id",
                        out);
}

/* ---- codes ---- */

typedef struct code_key {
    const char *practice;
    const rf_code_record *record;
} code_key;

static int code_clash(rf_sqlite *b, const void *arg, const char *message)
{
    const code_key *k = arg;
    (void)b;
    if (strstr(message, ".key") != NULL) {
        return rf__sqlite_fail(RF_EEXISTS, RF_ERRCLASS_CODE,
                               "code key '%s' is already taken in practice '%s'", k->record->key,
                               k->practice);
    }
    return rf__sqlite_fail(RF_EEXISTS, RF_ERRCLASS_CODE, "code '%s' already exists in practice '%s'",
                           k->record->id, k->practice);
}

static int bind_code(sqlite3_stmt *st, const char *practice, const rf_code_record *r)
{
    binder bd = {st, SQLITE_OK};
    bind_text(&bd, 1, practice);
    bind_text(&bd, 2, r->id);
    bind_text(&bd, 3, r->key);
    bind_text(&bd, 4, r->text);
    bind_text(&bd, 5, r->owner_id);
    bind_text(&bd, 6, r->program_id);
    bind_text(&bd, 7, r->revoke_reason);
    bind_int(&bd, 8, r->style);
    bind_int(&bd, 9, r->channel);
    bind_int(&bd, 10, r->max_uses);
    bind_int(&bd, 11, r->uses);
    bind_int(&bd, 12, r->created_at);
    bind_int(&bd, 13, r->expires_at);
    bind_int(&bd, 14, r->revoked_at);
    return bd.rc;
}

int rf__sqlite_code_insert(rf_backend *backend, const char *practice, const rf_code_record *record)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    sqlite3_stmt *st;
    int rc = check_writable(b, "inserting a code");
    if (rc == RF_OK) {
        rc = rf__sqlite_stmt(b, RF_SQ_CODE_INSERT, &st);
    }
    if (rc != RF_OK) {
        return rc;
    }
    code_key k = {practice, record};
    return step_write(b, st, bind_code(st, practice, record), "inserting a code", code_clash, &k);
}

int rf__sqlite_code_update(rf_backend *backend, const char *practice, const rf_code_record *record)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    sqlite3_stmt *st;
    int rc = check_writable(b, "updating a code");
    if (rc == RF_OK) {
        rc = rf__sqlite_stmt(b, RF_SQ_CODE_UPDATE, &st);
    }
    if (rc != RF_OK) {
        return rc;
    }
    code_key k = {practice, record};
    rc = step_write(b, st, bind_code(st, practice, record), "updating a code", code_clash, &k);
    if (rc == RF_OK && sqlite3_changes(b->db) == 0) {
        return rf__sqlite_fail(RF_ENOTFOUND, RF_ERRCLASS_CODE, "no code '%s' in practice '%s'", record->id,
                               practice);
    }
    return rc;
}

static int code_lookup(rf_sqlite *b, rf_sqlite_stmt_id id, const char *practice, const char *value,
                       const char *field, rf_code_record *out)
{
    sqlite3_stmt *st;
    memset(out, 0, sizeof *out);
    int rc = rf__sqlite_stmt(b, id, &st);
    if (rc != RF_OK) {
        return rc;
    }
    binder bd = {st, SQLITE_OK};
    bind_text(&bd, 1, practice);
    bind_text(&bd, 2, value);
    rc = step_lookup(b, st, bd.rc, "reading a code");
    if (rc == RF_ENOTFOUND) {
        return rf__sqlite_fail(RF_ENOTFOUND, RF_ERRCLASS_CODE, "no code with %s '%s' in practice '%s'", field,
                               value, practice);
    }
    if (rc == RF_OK) {
        rc = rf__sqlite_read_code(b, st, 1, out);
        rf__sqlite_done(st);
        if (rc != RF_OK) {
            memset(out, 0, sizeof *out);
        }
    }
    return rc;
}

int rf__sqlite_code_get(rf_backend *backend, const char *practice, const char *id, rf_code_record *out)
{
    return code_lookup((rf_sqlite *)backend, RF_SQ_CODE_GET, practice, id, "id", out);
}

int rf__sqlite_code_get_by_key(rf_backend *backend, const char *practice, const char *key,
                               rf_code_record *out)
{
    return code_lookup((rf_sqlite *)backend, RF_SQ_CODE_GET_BY_KEY, practice, key, "key", out);
}

/* ---- journal ---- */

int rf__sqlite_journal_last_seq(rf_backend *backend, const char *practice, int64_t *out)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    sqlite3_stmt *st;
    *out = 0;
    int rc = rf__sqlite_stmt(b, RF_SQ_JOURNAL_LAST_SEQ, &st);
    if (rc != RF_OK) {
        return rc;
    }
    binder bd = {st, SQLITE_OK};
    bind_text(&bd, 1, practice);
    rc = step_lookup(b, st, bd.rc, "reading the journal's last sequence number");
    if (rc == RF_OK) {
        *out = sqlite3_column_int64(st, 0);
        rf__sqlite_done(st);
    } else if (rc == RF_ENOTFOUND) {
        /* An aggregate always yields a row; treat none as an empty journal. */
        rc = RF_OK;
    }
    return rc;
}

int rf__sqlite_journal_append(rf_backend *backend, const char *practice, const rf_event_record *record,
                              int64_t *seq_out)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    sqlite3_stmt *st;
    int64_t last = 0;
    if (seq_out != NULL) {
        *seq_out = 0;
    }
    /* The write lock taken by begin makes read-then-insert safe: no other
     * writer can take the same number between the two statements. */
    int rc = check_writable(b, "appending to the journal");
    if (rc == RF_OK) {
        rc = rf__sqlite_journal_last_seq(backend, practice, &last);
    }
    if (rc == RF_OK) {
        rc = rf__sqlite_stmt(b, RF_SQ_JOURNAL_INSERT, &st);
    }
    if (rc != RF_OK) {
        return rc;
    }
    binder bd = {st, SQLITE_OK};
    bind_text(&bd, 1, practice);
    bind_int(&bd, 2, last + 1);
    bind_text(&bd, 3, record->type);
    bind_text(&bd, 4, record->subject_id);
    bind_text(&bd, 5, record->object_id);
    bind_text(&bd, 6, record->idempotency_key);
    bind_text(&bd, 7, record->data);
    bind_int(&bd, 8, record->at);
    rc = step_write(b, st, bd.rc, "appending to the journal", NULL, NULL);
    if (rc == RF_OK && seq_out != NULL) {
        *seq_out = last + 1;
    }
    return rc;
}

/* ---- idempotency keys ---- */

int rf__sqlite_idempotency_get(rf_backend *backend, const char *practice, const char *key,
                               rf_idempotency_record *out)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    sqlite3_stmt *st;
    memset(out, 0, sizeof *out);
    int rc = rf__sqlite_stmt(b, RF_SQ_IDEMPOTENCY_GET, &st);
    if (rc != RF_OK) {
        return rc;
    }
    binder bd = {st, SQLITE_OK};
    bind_text(&bd, 1, practice);
    bind_text(&bd, 2, key);
    rc = step_lookup(b, st, bd.rc, "reading an idempotency key");
    if (rc == RF_ENOTFOUND) {
        return rf__sqlite_fail(RF_ENOTFOUND, RF_ERRCLASS_IDEMPOTENCY,
                               "idempotency key '%s' is not used in practice '%s'", key, practice);
    }
    if (rc == RF_OK) {
        rc = read_idempotency(b, st, out);
        rf__sqlite_done(st);
        if (rc != RF_OK) {
            memset(out, 0, sizeof *out);
        }
    }
    return rc;
}

static int idempotency_clash(rf_sqlite *b, const void *arg, const char *message)
{
    const char *const *k = arg;
    (void)b;
    (void)message;
    return rf__sqlite_fail(RF_EEXISTS, RF_ERRCLASS_IDEMPOTENCY,
                           "idempotency key '%s' is already used in practice '%s'", k[1], k[0]);
}

int rf__sqlite_idempotency_put(rf_backend *backend, const char *practice, const rf_idempotency_record *record)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    sqlite3_stmt *st;
    int rc = check_writable(b, "recording an idempotency key");
    if (rc == RF_OK) {
        rc = rf__sqlite_stmt(b, RF_SQ_IDEMPOTENCY_PUT, &st);
    }
    if (rc != RF_OK) {
        return rc;
    }
    int64_t bits;
    memcpy(&bits, &record->fingerprint, sizeof bits);
    binder bd = {st, SQLITE_OK};
    bind_text(&bd, 1, practice);
    bind_text(&bd, 2, record->key);
    bind_text(&bd, 3, record->operation);
    bind_text(&bd, 4, record->result_id);
    bind_int(&bd, 5, bits);
    bind_int(&bd, 6, record->created_at);
    const char *k[2] = {practice, record->key};
    return step_write(b, st, bd.rc, "recording an idempotency key", idempotency_clash, k);
}
