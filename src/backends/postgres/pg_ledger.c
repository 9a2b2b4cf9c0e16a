/* The PostgreSQL backend's ledger (contract version 3): entries are appended
 * and scanned in seq order, never changed. Same semantics as sqlite_ledger.c. */
#include "pg_v34.h"

#include <inttypes.h>
#include <stdio.h>

/* Texts (columns 0-5, parameters $2-$7), then integers (6-11, $8-$13). */
#define LEDGER_COLUMNS                                                                                       \
    "id, entry_key, grant_id, party_id, currency, reference, type, amount, pending_delta, "                  \
    "available_delta, seq, at"
#define LEDGER_SEQ_COLUMN 10
/* In seq order, along the primary key or an index that ends in seq; $4/$5
 * the party and the grant (NULL: any). */
#define LEDGER_SCAN(driver)                                                                                  \
    "SELECT " LEDGER_COLUMNS " FROM ledger_entries WHERE practice = $1::text AND " driver                    \
    " AND seq > $2::bigint AND ($4::text IS NULL OR party_id = $4::text) "                                   \
    "AND ($5::text IS NULL OR grant_id = $5::text) ORDER BY seq LIMIT $3::bigint"

static const rf__pg_stmt ledger_insert = {
    160, "rf_ledger_insert",
    "INSERT INTO ledger_entries (practice, " LEDGER_COLUMNS ") VALUES ($1::text, $2::text, $3::text, "
    "$4::text, $5::text, $6::text, $7::text, $8::bigint, $9::bigint, $10::bigint, $11::bigint, $12::bigint, "
    "$13::bigint) ON CONFLICT DO NOTHING"};
/* Which of the other two unique keys an entry that was not inserted clashed
 * on ($2 the entry key, $3 the seq); neither means the id. */
static const rf__pg_stmt ledger_clash = {
    161, "rf_ledger_clash",
    "SELECT EXISTS (SELECT 1 FROM ledger_entries WHERE practice = $1::text AND entry_key = $2::text), "
    "EXISTS (SELECT 1 FROM ledger_entries WHERE practice = $1::text AND seq = $3::bigint)"};
static const rf__pg_stmt ledger_scan = {162, "rf_ledger_scan", LEDGER_SCAN("TRUE")};
static const rf__pg_stmt ledger_scan_party = {163, "rf_ledger_scan_party",
                                              LEDGER_SCAN("party_id = $4::text")};
static const rf__pg_stmt ledger_scan_grant = {164, "rf_ledger_scan_grant",
                                              LEDGER_SCAN("grant_id = $5::text")};

static void read_entry(const PGresult *res, int row, void *record)
{
    rf_ledger_record *out = record;
    const char **texts[] = {&out->id,       &out->entry_key, &out->grant_id,
                            &out->party_id, &out->currency,  &out->reference};
    for (int i = 0; i < (int)(sizeof texts / sizeof texts[0]); i++) {
        *texts[i] = rf__pg_text(res, row, i);
    }
    out->type = (int)rf__pg_int(res, row, 6);
    out->amount = rf__pg_int(res, row, 7);
    out->pending_delta = rf__pg_int(res, row, 8);
    out->available_delta = rf__pg_int(res, row, 9);
    out->seq = rf__pg_int(res, row, LEDGER_SEQ_COLUMN);
    out->at = rf__pg_int(res, row, 11);
}

static void bind_entry(rf__pg_params *p, const char *practice, const rf_ledger_record *r)
{
    rf__pg_param_text(p, practice);
    rf__pg_param_text(p, r->id);
    rf__pg_param_text(p, r->entry_key);
    rf__pg_param_text(p, r->grant_id);
    rf__pg_param_text(p, r->party_id);
    rf__pg_param_text(p, r->currency);
    rf__pg_param_text(p, r->reference);
    rf__pg_param_int(p, r->type);
    rf__pg_param_int(p, r->amount);
    rf__pg_param_int(p, r->pending_delta);
    rf__pg_param_int(p, r->available_delta);
    rf__pg_param_int(p, r->seq);
    rf__pg_param_int(p, r->at);
}

/* Three keys are unique: the entry key (what makes an entry happen once),
 * the seq (the primary key) and the id; say which one was taken, checking
 * them in that order. */
static int entry_clash(rf_pg *b, const char *practice, const rf_ledger_record *record)
{
    rf__pg_params p = {0};
    rf__pg_param_text(&p, practice);
    rf__pg_param_text(&p, record->entry_key);
    rf__pg_param_int(&p, record->seq);
    PGresult *res;
    int rc = rf__pg_exec(b, &ledger_clash, &p, "appending to the ledger", &res);
    if (rc != RF_OK) {
        return rc;
    }
    int key = PQntuples(res) > 0 && PQgetvalue(res, 0, 0)[0] == 't';
    int seq = PQntuples(res) > 0 && PQgetvalue(res, 0, 1)[0] == 't';
    PQclear(res);
    if (key) {
        return rf__pg_fail(RF_EEXISTS, RF_ERRCLASS_REWARD,
                           "ledger entry key '%s' is already used in practice '%s': the entry was "
                           "already recorded",
                           record->entry_key, practice);
    }
    if (seq) {
        return rf__pg_fail(RF_EEXISTS, RF_ERRCLASS_REWARD,
                           "ledger sequence number %" PRId64 " is already taken in practice '%s'",
                           record->seq, practice);
    }
    return rf__pg_fail(RF_EEXISTS, RF_ERRCLASS_REWARD, "ledger entry '%s' already exists in practice '%s'",
                       record->id, practice);
}

int rf__pg_ledger_insert(rf_backend *backend, const char *practice, const rf_ledger_record *record)
{
    rf_pg *b = (rf_pg *)backend;
    int rc = rf__pg_writable(b, practice, "appending to the ledger");
    if (rc != RF_OK) {
        return rc;
    }
    rf__pg_params p = {0};
    bind_entry(&p, practice, record);
    int64_t changed;
    /* ON CONFLICT DO NOTHING: a clash is a row count, not an error that would
     * abort the transaction. */
    rc = rf__pg_exec_count(b, &ledger_insert, &p, "appending to the ledger", &changed);
    if (rc == RF_OK && changed == 0) {
        return entry_clash(b, practice, record);
    }
    return rc;
}

/* $4/$5 of LEDGER_SCAN. */
static void bind_entry_query(rf__pg_params *p, const void *query)
{
    const rf_ledger_query *q = query;
    rf__pg_param_text(p, q->party_id);
    rf__pg_param_text(p, q->grant_id);
}

static int visit_entry(const rf__pg_scan *s)
{
    return s->fn.ledger(s->record, s->payload);
}

int rf__pg_ledger_scan(rf_backend *backend, const char *practice, const rf_ledger_query *query,
                       rf_ledger_visit_fn visit, void *payload)
{
    static const rf_ledger_query everything = {0, NULL, NULL, 0};
    const rf_ledger_query *q = query != NULL ? query : &everything;
    /* The cursor is the seq, as text. */
    char after[24];
    snprintf(after, sizeof after, "%" PRId64, q->after_seq);
    rf_ledger_record record;
    /* A grant has a handful of entries, a party those of all its grants:
     * each index ends in seq, so either yields the entries in order. */
    const rf__pg_stmt *stmt = q->grant_id != NULL   ? &ledger_scan_grant
                              : q->party_id != NULL ? &ledger_scan_party
                                                    : &ledger_scan;
    rf__pg_scan s = {.stmt = stmt,
                     .bind = bind_entry_query,
                     .query = q,
                     .after = after,
                     .limit = q->limit,
                     .cursor_col = LEDGER_SEQ_COLUMN,
                     .read = read_entry,
                     .record = &record,
                     .size = sizeof record,
                     .visit = visit_entry,
                     .fn.ledger = visit,
                     .payload = payload,
                     .what = "scanning the ledger"};
    return rf__pg_run_scan((rf_pg *)backend, practice, &s);
}
