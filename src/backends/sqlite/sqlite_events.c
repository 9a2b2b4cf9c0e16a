/* The SQLite backend's client events (contract version 4): appended, never
 * changed, and scanned in id order. Column and parameter numbers follow
 * CLIENT_EVENT_COLUMNS in sqlite_statements.c. */
#include "sqlite_internal.h"

#define CLIENT_EVENT_TEXTS 5

static int read_client_event(rf_sqlite *b, sqlite3_stmt *st, int copy, void *record)
{
    rf_client_event_record *out = record;
    const char **fields[CLIENT_EVENT_TEXTS] = {&out->id, &out->party_id, &out->practitioner_id, &out->label,
                                               &out->currency};
    out->type = sqlite3_column_int(st, 5);
    out->value = sqlite3_column_int(st, 6);
    out->amount = sqlite3_column_int64(st, 7);
    out->at = sqlite3_column_int64(st, 8);
    out->recorded_at = sqlite3_column_int64(st, 9);
    return rf__sqlite_read_texts(b, st, copy, fields, CLIENT_EVENT_TEXTS);
}

static int bind_client_event(sqlite3_stmt *st, const char *practice, const void *record)
{
    const rf_client_event_record *r = record;
    rf__sqlite_binder bd = {st, SQLITE_OK};
    rf__sqlite_bind_text(&bd, 1, practice);
    rf__sqlite_bind_text(&bd, 2, r->id);
    rf__sqlite_bind_text(&bd, 3, r->party_id);
    rf__sqlite_bind_text(&bd, 4, r->practitioner_id);
    rf__sqlite_bind_text(&bd, 5, r->label);
    rf__sqlite_bind_text(&bd, 6, r->currency);
    rf__sqlite_bind_int(&bd, 7, r->type);
    rf__sqlite_bind_int(&bd, 8, r->value);
    rf__sqlite_bind_int(&bd, 9, r->amount);
    rf__sqlite_bind_int(&bd, 10, r->at);
    rf__sqlite_bind_int(&bd, 11, r->recorded_at);
    return bd.rc;
}

/* Events are append-only: the kind has no update statement. */
static const rf__sqlite_record_kind client_event_kind = {
    .noun = "client event",
    .klass = RF_ERRCLASS_PARTY,
    .insert = RF_SQ_CLIENT_EVENT_INSERT,
    .update = RF_SQ_COUNT,
    .update_unkeyed = RF_SQ_COUNT,
    .inserting = "inserting a client event",
    .updating = NULL,
    .reading = "reading a client event",
    .bind = bind_client_event,
    .read = read_client_event,
    .unique_column = NULL,
    .key_taken = NULL,
};

int rf__sqlite_client_event_insert(rf_backend *backend, const char *practice,
                                   const rf_client_event_record *record)
{
    return rf__sqlite_insert_record((rf_sqlite *)backend, &client_event_kind, practice, record, record->id);
}

/* The parameters of CLIENT_EVENT_FILTERS (sqlite_statements.c). */
static int bind_client_event_page(sqlite3_stmt *st, const char *practice, const void *query)
{
    const rf_client_event_query *q = query;
    rf__sqlite_binder bd = {st, rf__sqlite_bind_page(st, practice, q->after_id, 3, q->limit)};
    rf__sqlite_bind_text(&bd, 4, q->party_id);
    rf__sqlite_bind_int(&bd, 5, q->type);
    rf__sqlite_bind_period(&bd, 6, 7, q->from, q->to);
    return bd.rc;
}

static int visit_client_event(const rf__sqlite_scan *s)
{
    return s->fn.client_event(s->record, s->payload);
}

/* A client has few events, which its index yields in id order. A period
 * read in one go is found by the time index and sorted, so that a month's
 * events are read without the years around them; a paged scan (the KPIs
 * read a page at a time) walks the primary key from its cursor instead,
 * since the sorted form would find and sort every remaining event of the
 * period again for each page. */
static rf_sqlite_stmt_id client_event_scan_stmt(const rf_client_event_query *q)
{
    if (q->party_id != NULL) {
        return RF_SQ_CLIENT_EVENT_SCAN_PARTY;
    }
    if (q->limit == 0 && (q->from != RF_TIME_UNSET || q->to != RF_TIME_UNSET)) {
        return RF_SQ_CLIENT_EVENT_SCAN_PERIOD;
    }
    return RF_SQ_CLIENT_EVENT_SCAN;
}

int rf__sqlite_client_event_scan(rf_backend *backend, const char *practice,
                                 const rf_client_event_query *query, rf_client_event_visit_fn visit,
                                 void *payload)
{
    static const rf_client_event_query everything = {NULL, NULL, 0, RF_TIME_UNSET, RF_TIME_UNSET, 0};
    const rf_client_event_query *q = query != NULL ? query : &everything;
    rf_client_event_record record;
    rf__sqlite_scan s = {.stmt = client_event_scan_stmt(q),
                         .bind = bind_client_event_page,
                         .query = q,
                         .read = read_client_event,
                         .record = &record,
                         .size = sizeof record,
                         .visit = visit_client_event,
                         .fn.client_event = visit,
                         .payload = payload,
                         .what = "scanning client events"};
    return rf__sqlite_run_scan((rf_sqlite *)backend, practice, &s);
}
