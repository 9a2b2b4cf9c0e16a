/* The SQLite backend's ledger (contract version 3): entries are appended and
 * scanned in seq order, never changed. Column and parameter numbers follow
 * LEDGER_COLUMNS in sqlite_statements.c. */
#include "sqlite_internal.h"

#include <string.h>

#define LEDGER_TEXTS 6

static int read_entry(rf_sqlite *b, sqlite3_stmt *st, int copy, void *record)
{
    rf_ledger_record *out = record;
    const char **fields[LEDGER_TEXTS] = {&out->id,       &out->entry_key, &out->grant_id,
                                         &out->party_id, &out->currency,  &out->reference};
    out->type = sqlite3_column_int(st, 6);
    out->amount = sqlite3_column_int64(st, 7);
    out->pending_delta = sqlite3_column_int64(st, 8);
    out->available_delta = sqlite3_column_int64(st, 9);
    out->seq = sqlite3_column_int64(st, 10);
    out->at = sqlite3_column_int64(st, 11);
    return rf__sqlite_read_texts(b, st, copy, fields, LEDGER_TEXTS);
}

static int bind_entry(sqlite3_stmt *st, const char *practice, const void *record)
{
    const rf_ledger_record *r = record;
    rf__sqlite_binder bd = {st, SQLITE_OK};
    rf__sqlite_bind_text(&bd, 1, practice);
    rf__sqlite_bind_text(&bd, 2, r->id);
    rf__sqlite_bind_text(&bd, 3, r->entry_key);
    rf__sqlite_bind_text(&bd, 4, r->grant_id);
    rf__sqlite_bind_text(&bd, 5, r->party_id);
    rf__sqlite_bind_text(&bd, 6, r->currency);
    rf__sqlite_bind_text(&bd, 7, r->reference);
    rf__sqlite_bind_int(&bd, 8, r->type);
    rf__sqlite_bind_int(&bd, 9, r->amount);
    rf__sqlite_bind_int(&bd, 10, r->pending_delta);
    rf__sqlite_bind_int(&bd, 11, r->available_delta);
    rf__sqlite_bind_int(&bd, 12, r->seq);
    rf__sqlite_bind_int(&bd, 13, r->at);
    return bd.rc;
}

/* An entry write in progress, for entry_clash. */
typedef struct entry_write {
    const char *practice;
    const rf_ledger_record *record;
} entry_write;

/* Three keys are unique: the entry key (what makes an entry happen once),
 * the seq (the primary key, as SQLite names it) and the id; the message
 * names the columns of the one that clashed. */
static int entry_clash(const void *ctx, const char *message)
{
    const entry_write *w = ctx;
    if (strstr(message, ".entry_key") != NULL) {
        return rf__sqlite_fail(RF_EEXISTS, RF_ERRCLASS_REWARD,
                               "ledger entry key '%s' is already used in practice '%s': the entry was "
                               "already recorded",
                               w->record->entry_key, w->practice);
    }
    if (strstr(message, ".seq") != NULL) {
        return rf__sqlite_fail(RF_EEXISTS, RF_ERRCLASS_REWARD,
                               "ledger sequence number %lld is already taken in practice '%s'",
                               (long long)w->record->seq, w->practice);
    }
    return rf__sqlite_fail(RF_EEXISTS, RF_ERRCLASS_REWARD,
                           "ledger entry '%s' already exists in practice '%s'", w->record->id, w->practice);
}

int rf__sqlite_ledger_insert(rf_backend *backend, const char *practice, const rf_ledger_record *record)
{
    entry_write w = {practice, record};
    return rf__sqlite_run_write((rf_sqlite *)backend, RF_SQ_LEDGER_INSERT, "appending to the ledger",
                                practice, record, bind_entry, entry_clash, &w);
}

/* ?2: after_seq, ?3: the limit, ?4/?5: the party and grant (NULL: any). */
static int bind_entry_page(sqlite3_stmt *st, const char *practice, const void *query)
{
    const rf_ledger_query *q = query;
    rf__sqlite_binder bd = {st, SQLITE_OK};
    rf__sqlite_bind_text(&bd, 1, practice);
    rf__sqlite_bind_int(&bd, 2, q->after_seq);
    rf__sqlite_bind_int(&bd, 3, rf__sqlite_limit(q->limit));
    rf__sqlite_bind_text(&bd, 4, q->party_id);
    rf__sqlite_bind_text(&bd, 5, q->grant_id);
    return bd.rc;
}

static int visit_entry(const rf__sqlite_scan *s)
{
    return s->fn.ledger(s->record, s->payload);
}

int rf__sqlite_ledger_scan(rf_backend *backend, const char *practice, const rf_ledger_query *query,
                           rf_ledger_visit_fn visit, void *payload)
{
    static const rf_ledger_query everything = {0, NULL, NULL, 0};
    const rf_ledger_query *q = query != NULL ? query : &everything;
    rf_ledger_record record;
    /* A grant has a handful of entries, a party those of all its grants:
     * each index ends in seq, so either yields the entries in order. */
    rf_sqlite_stmt_id stmt = q->grant_id != NULL   ? RF_SQ_LEDGER_SCAN_GRANT
                             : q->party_id != NULL ? RF_SQ_LEDGER_SCAN_PARTY
                                                   : RF_SQ_LEDGER_SCAN;
    rf__sqlite_scan s = {.stmt = stmt,
                         .bind = bind_entry_page,
                         .query = q,
                         .read = read_entry,
                         .record = &record,
                         .size = sizeof record,
                         .visit = visit_entry,
                         .fn.ledger = visit,
                         .payload = payload,
                         .what = "scanning the ledger"};
    return rf__sqlite_run_scan((rf_sqlite *)backend, practice, &s);
}
