/* The SQLite backend's scans: parties, codes and journal events in key order,
 * with keyset paging.
 *
 * A scan hands out records that point straight into the statement's current
 * row (no copy): the contract keeps them valid only until the callback
 * returns, which is exactly how long SQLite keeps the row. */
#include "sqlite_internal.h"

#include <string.h>

/* The statement for a scan. The cached one is used unless it is already
 * running, which happens when a callback starts the same kind of scan; the
 * inner scan then gets a statement of its own (*private_copy set). */
static int scan_stmt(rf_sqlite *b, rf_sqlite_stmt_id id, sqlite3_stmt **out, int *private_copy)
{
    *private_copy = 0;
    int rc = rf__sqlite_stmt(b, id, out);
    if (rc != RF_OK || !sqlite3_stmt_busy(*out)) {
        return rc;
    }
    int src = sqlite3_prepare_v2(b->db, rf__sqlite_sql(id), -1, out, NULL);
    if (src != SQLITE_OK) {
        *out = NULL;
        return rf__sqlite_error(b, src, "preparing a nested scan");
    }
    *private_copy = 1;
    return RF_OK;
}

static void scan_end(sqlite3_stmt *st, int private_copy)
{
    if (private_copy) {
        sqlite3_finalize(st);
    } else {
        rf__sqlite_done(st);
    }
}

/* 0 means no limit to the contract, -1 to SQLite. */
static int64_t sql_limit(unsigned int limit)
{
    return limit == 0 ? -1 : (int64_t)limit;
}

/* Which record a scan reads, and whom it hands each one to. */
typedef struct scan_kind {
    int (*read)(rf_sqlite *b, sqlite3_stmt *st, void *record);
    int (*visit)(const struct scan_kind *k);
    void *record;
    union {
        rf_party_visit_fn party;
        rf_code_visit_fn code;
        rf_event_visit_fn event;
    } fn;
    void *payload;
    const char *what;
} scan_kind;

/* Step through the rows, stopping early when the callback asks to. */
static int scan_rows(rf_sqlite *b, sqlite3_stmt *st, int bind_rc, const scan_kind *k)
{
    int rc = bind_rc;
    if (rc == SQLITE_OK) {
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int status = k->read(b, st, k->record);
            if (status != RF_OK) {
                return status;
            }
            if (k->visit(k) != 0) {
                return RF_OK;
            }
        }
    }
    return rc == SQLITE_DONE ? RF_OK : rf__sqlite_error(b, rc, k->what);
}

/* Bind the parameters every page of a scan has, keeping the first failure. */
static int bind_page(sqlite3_stmt *st, const char *practice, const char *after, int64_t limit_index,
                     int64_t limit)
{
    int rc = sqlite3_bind_text(st, 1, practice, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_text(st, 2, after != NULL ? after : "", -1, SQLITE_STATIC);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(st, (int)limit_index, limit);
    }
    return rc;
}

/* ---- parties ---- */

static int read_party(rf_sqlite *b, sqlite3_stmt *st, void *record)
{
    return rf__sqlite_read_party(b, st, 0, record);
}

static int visit_party(const scan_kind *k)
{
    return k->fn.party(k->record, k->payload);
}

int rf__sqlite_party_scan(rf_backend *backend, const char *practice, const rf_party_query *query,
                          rf_party_visit_fn visit, void *payload)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    static const rf_party_query everything = {NULL, 0, NULL, 0};
    const rf_party_query *q = query != NULL ? query : &everything;
    rf_sqlite_stmt_id id = q->contact_key != NULL ? RF_SQ_PARTY_SCAN_CONTACT : RF_SQ_PARTY_SCAN;
    sqlite3_stmt *st;
    int private_copy;
    int rc = scan_stmt(b, id, &st, &private_copy);
    if (rc != RF_OK) {
        return rc;
    }
    int bind_rc = bind_page(st, practice, q->after_id, 4, sql_limit(q->limit));
    if (bind_rc == SQLITE_OK) {
        bind_rc = sqlite3_bind_int(st, 3, q->kind);
    }
    if (bind_rc == SQLITE_OK && q->contact_key != NULL) {
        bind_rc = sqlite3_bind_text(st, 5, q->contact_key, -1, SQLITE_STATIC);
    }
    rf_party_record record;
    memset(&record, 0, sizeof record);
    scan_kind k = {read_party, visit_party, &record, {.party = visit}, payload, "scanning parties"};
    rc = scan_rows(b, st, bind_rc, &k);
    scan_end(st, private_copy);
    return rc;
}

/* ---- codes ---- */

static int read_code(rf_sqlite *b, sqlite3_stmt *st, void *record)
{
    return rf__sqlite_read_code(b, st, 0, record);
}

static int visit_code(const scan_kind *k)
{
    return k->fn.code(k->record, k->payload);
}

int rf__sqlite_code_scan(rf_backend *backend, const char *practice, const rf_code_query *query,
                         rf_code_visit_fn visit, void *payload)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    static const rf_code_query everything = {NULL, NULL, 0};
    const rf_code_query *q = query != NULL ? query : &everything;
    rf_sqlite_stmt_id id = q->owner_id != NULL ? RF_SQ_CODE_SCAN_OWNER : RF_SQ_CODE_SCAN;
    sqlite3_stmt *st;
    int private_copy;
    int rc = scan_stmt(b, id, &st, &private_copy);
    if (rc != RF_OK) {
        return rc;
    }
    int bind_rc = bind_page(st, practice, q->after_id, 3, sql_limit(q->limit));
    if (bind_rc == SQLITE_OK && q->owner_id != NULL) {
        bind_rc = sqlite3_bind_text(st, 4, q->owner_id, -1, SQLITE_STATIC);
    }
    rf_code_record record;
    memset(&record, 0, sizeof record);
    scan_kind k = {read_code, visit_code, &record, {.code = visit}, payload, "scanning codes"};
    rc = scan_rows(b, st, bind_rc, &k);
    scan_end(st, private_copy);
    return rc;
}

/* ---- journal ---- */

static int read_event(rf_sqlite *b, sqlite3_stmt *st, void *record)
{
    return rf__sqlite_read_event(b, st, 0, record);
}

static int visit_event(const scan_kind *k)
{
    return k->fn.event(k->record, k->payload);
}

int rf__sqlite_journal_scan(rf_backend *backend, const char *practice, int64_t after_seq, unsigned int limit,
                            rf_event_visit_fn visit, void *payload)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    sqlite3_stmt *st;
    int private_copy;
    int rc = scan_stmt(b, RF_SQ_JOURNAL_SCAN, &st, &private_copy);
    if (rc != RF_OK) {
        return rc;
    }
    int bind_rc = sqlite3_bind_text(st, 1, practice, -1, SQLITE_STATIC);
    if (bind_rc == SQLITE_OK) {
        bind_rc = sqlite3_bind_int64(st, 2, after_seq);
    }
    if (bind_rc == SQLITE_OK) {
        bind_rc = sqlite3_bind_int64(st, 3, sql_limit(limit));
    }
    rf_event_record record;
    memset(&record, 0, sizeof record);
    scan_kind k = {read_event, visit_event, &record, {.event = visit}, payload, "scanning the journal"};
    rc = scan_rows(b, st, bind_rc, &k);
    scan_end(st, private_copy);
    return rc;
}
