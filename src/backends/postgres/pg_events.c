/* The PostgreSQL backend's client events (contract version 4): appended,
 * never changed, and scanned in id order. Same semantics as sqlite_events.c. */
#include "pg_v34.h"

/* Texts (columns 0-4, parameters $2-$6), integers (5-7, $7-$9), times (8-9, $10-$11). */
#define CLIENT_EVENT_COLUMNS                                                                                 \
    "id, party_id, practitioner_id, label, currency, type, value, amount, at, recorded_at"
/* The filters of rf_client_event_query: $4 the client (NULL: any), $5 the
 * type (0: any), $6/$7 the period as an inclusive pair (rf__pg_param_period). */
#define CLIENT_EVENT_FILTERS                                                                                 \
    "($4::text IS NULL OR party_id = $4::text) AND ($5::bigint = 0 OR type = $5::bigint) AND "               \
    "at >= $6::bigint AND at <= $7::bigint"
#define CLIENT_EVENT_SCAN(driver)                                                                            \
    "SELECT " CLIENT_EVENT_COLUMNS " FROM client_events WHERE practice = $1::text AND " driver               \
    " AND id > $2::text AND " CLIENT_EVENT_FILTERS " ORDER BY id LIMIT $3::bigint"

static const rf__pg_stmt client_event_insert = {
    176, "rf_client_event_insert",
    "INSERT INTO client_events (practice, " CLIENT_EVENT_COLUMNS ") VALUES ($1::text, $2::text, $3::text, "
    "$4::text, $5::text, $6::text, $7::bigint, $8::bigint, $9::bigint, $10::bigint, $11::bigint) "
    "ON CONFLICT DO NOTHING"};
static const rf__pg_stmt client_event_scan = {177, "rf_client_event_scan", CLIENT_EVENT_SCAN("TRUE")};
static const rf__pg_stmt client_event_scan_party = {178, "rf_client_event_scan_party",
                                                    CLIENT_EVENT_SCAN("party_id = $4::text")};
/* A period's events: a statement (and so a plan) of its own, led by the
 * period, so that the planner may take the time index for it while the
 * unbounded scan keeps to the primary key. */
static const rf__pg_stmt client_event_scan_period = {179, "rf_client_event_scan_period",
                                                     CLIENT_EVENT_SCAN("at >= $6::bigint")};

static void read_client_event(const PGresult *res, int row, void *record)
{
    rf_client_event_record *out = record;
    out->id = rf__pg_text(res, row, 0);
    out->party_id = rf__pg_text(res, row, 1);
    out->practitioner_id = rf__pg_text(res, row, 2);
    out->label = rf__pg_text(res, row, 3);
    out->currency = rf__pg_text(res, row, 4);
    out->type = (int)rf__pg_int(res, row, 5);
    out->value = (int)rf__pg_int(res, row, 6);
    out->amount = rf__pg_int(res, row, 7);
    out->at = rf__pg_int(res, row, 8);
    out->recorded_at = rf__pg_int(res, row, 9);
}

static void bind_client_event(rf__pg_params *p, const char *practice, const void *record)
{
    const rf_client_event_record *r = record;
    rf__pg_param_text(p, practice);
    rf__pg_param_text(p, r->id);
    rf__pg_param_text(p, r->party_id);
    rf__pg_param_text(p, r->practitioner_id);
    rf__pg_param_text(p, r->label);
    rf__pg_param_text(p, r->currency);
    rf__pg_param_int(p, r->type);
    rf__pg_param_int(p, r->value);
    rf__pg_param_int(p, r->amount);
    rf__pg_param_int(p, r->at);
    rf__pg_param_int(p, r->recorded_at);
}

/* Events are append-only and have no unique key besides the id. */
static const rf__pg_record_kind client_event_kind = {
    .noun = "client event",
    .klass = RF_ERRCLASS_PARTY,
    .insert = &client_event_insert,
    .inserting = "inserting a client event",
    .reading = "reading a client event",
    .bind = bind_client_event,
    .read = read_client_event,
};

int rf__pg_client_event_insert(rf_backend *backend, const char *practice,
                               const rf_client_event_record *record)
{
    return rf__pg_insert_record((rf_pg *)backend, &client_event_kind, practice, record, record->id);
}

/* $4-$7 of CLIENT_EVENT_FILTERS. */
static void bind_client_event_query(rf__pg_params *p, const void *query)
{
    const rf_client_event_query *q = query;
    rf__pg_param_text(p, q->party_id);
    rf__pg_param_int(p, q->type);
    rf__pg_param_period(p, q->from, q->to);
}

static int visit_client_event(const rf__pg_scan *s)
{
    return s->fn.client_event(s->record, s->payload);
}

/* As in sqlite_events.c: a client has few events, which its index yields in
 * id order; a period (the KPIs' revenue and scores) may be found by the time
 * index and sorted, so that a month's events are read without the years
 * around them. */
static const rf__pg_stmt *client_event_scan_stmt(const rf_client_event_query *q)
{
    if (q->party_id != NULL) {
        return &client_event_scan_party;
    }
    if (q->from != RF_TIME_UNSET || q->to != RF_TIME_UNSET) {
        return &client_event_scan_period;
    }
    return &client_event_scan;
}

int rf__pg_client_event_scan(rf_backend *backend, const char *practice, const rf_client_event_query *query,
                             rf_client_event_visit_fn visit, void *payload)
{
    static const rf_client_event_query everything = {NULL, NULL, 0, RF_TIME_UNSET, RF_TIME_UNSET, 0};
    const rf_client_event_query *q = query != NULL ? query : &everything;
    rf_client_event_record record;
    rf__pg_scan s = {.stmt = client_event_scan_stmt(q),
                     .bind = bind_client_event_query,
                     .query = q,
                     .after = q->after_id,
                     .limit = q->limit,
                     .cursor_col = 0,
                     .read = read_client_event,
                     .record = &record,
                     .size = sizeof record,
                     .visit = visit_client_event,
                     .fn.client_event = visit,
                     .payload = payload,
                     .what = "scanning client events"};
    return rf__pg_run_scan((rf_pg *)backend, practice, &s);
}
