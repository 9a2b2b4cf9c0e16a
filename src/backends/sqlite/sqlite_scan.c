/* The SQLite backend's scans of parties, codes and journal events in key
 * order, with keyset paging; the machinery is in sqlite_rows.c. */
#include "sqlite_internal.h"

/* ---- parties ---- */

static int bind_party_page(sqlite3_stmt *st, const char *practice, const void *query)
{
    const rf_party_query *q = query;
    int rc = rf__sqlite_bind_page(st, practice, q->after_id, 4, q->limit);
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int(st, 3, q->kind);
    }
    if (rc == SQLITE_OK && q->contact_key != NULL) {
        rc = sqlite3_bind_text(st, 5, q->contact_key, -1, SQLITE_STATIC);
    }
    return rc;
}

static int visit_party(const rf__sqlite_scan *s)
{
    return s->fn.party(s->record, s->payload);
}

int rf__sqlite_party_scan(rf_backend *backend, const char *practice, const rf_party_query *query,
                          rf_party_visit_fn visit, void *payload)
{
    static const rf_party_query everything = {NULL, 0, NULL, 0};
    const rf_party_query *q = query != NULL ? query : &everything;
    rf_party_record record;
    rf__sqlite_scan s = {.stmt = q->contact_key != NULL ? RF_SQ_PARTY_SCAN_CONTACT : RF_SQ_PARTY_SCAN,
                         .bind = bind_party_page,
                         .query = q,
                         .read = rf__sqlite_read_party,
                         .record = &record,
                         .size = sizeof record,
                         .visit = visit_party,
                         .fn.party = visit,
                         .payload = payload,
                         .what = "scanning parties"};
    return rf__sqlite_run_scan((rf_sqlite *)backend, practice, &s);
}

/* ---- codes ---- */

static int bind_code_page(sqlite3_stmt *st, const char *practice, const void *query)
{
    const rf_code_query *q = query;
    int rc = rf__sqlite_bind_page(st, practice, q->after_id, 3, q->limit);
    if (rc == SQLITE_OK && q->owner_id != NULL) {
        rc = sqlite3_bind_text(st, 4, q->owner_id, -1, SQLITE_STATIC);
    }
    return rc;
}

static int visit_code(const rf__sqlite_scan *s)
{
    return s->fn.code(s->record, s->payload);
}

int rf__sqlite_code_scan(rf_backend *backend, const char *practice, const rf_code_query *query,
                         rf_code_visit_fn visit, void *payload)
{
    static const rf_code_query everything = {NULL, NULL, 0};
    const rf_code_query *q = query != NULL ? query : &everything;
    rf_code_record record;
    rf__sqlite_scan s = {.stmt = q->owner_id != NULL ? RF_SQ_CODE_SCAN_OWNER : RF_SQ_CODE_SCAN,
                         .bind = bind_code_page,
                         .query = q,
                         .read = rf__sqlite_read_code,
                         .record = &record,
                         .size = sizeof record,
                         .visit = visit_code,
                         .fn.code = visit,
                         .payload = payload,
                         .what = "scanning codes"};
    return rf__sqlite_run_scan((rf_sqlite *)backend, practice, &s);
}

/* ---- journal ---- */

typedef struct journal_query {
    int64_t after_seq;
    unsigned int limit;
} journal_query;

static int bind_journal_page(sqlite3_stmt *st, const char *practice, const void *query)
{
    const journal_query *q = query;
    int rc = sqlite3_bind_text(st, 1, practice, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(st, 2, q->after_seq);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(st, 3, rf__sqlite_limit(q->limit));
    }
    return rc;
}

static int visit_event(const rf__sqlite_scan *s)
{
    return s->fn.event(s->record, s->payload);
}

int rf__sqlite_journal_scan(rf_backend *backend, const char *practice, int64_t after_seq, unsigned int limit,
                            rf_event_visit_fn visit, void *payload)
{
    journal_query q = {after_seq, limit};
    rf_event_record record;
    rf__sqlite_scan s = {.stmt = RF_SQ_JOURNAL_SCAN,
                         .bind = bind_journal_page,
                         .query = &q,
                         .read = rf__sqlite_read_event,
                         .record = &record,
                         .size = sizeof record,
                         .visit = visit_event,
                         .fn.event = visit,
                         .payload = payload,
                         .what = "scanning the journal"};
    return rf__sqlite_run_scan((rf_sqlite *)backend, practice, &s);
}
