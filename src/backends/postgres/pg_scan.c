/* The PostgreSQL backend's scans of parties, codes and journal events in key
 * order, page by page; the machinery is in pg_rows.c. */
#include "pg_internal.h"

#include <inttypes.h>
#include <stdio.h>

/* ---- parties ---- */

/* $4 the kind (0: any); $5 the contact key (contact scan only). A party whose
 * two keys are equal is one row, so it is visited once. */
static const rf__pg_stmt party_scan = {
    30, "rf_party_scan",
    "SELECT " RF_PG_PARTY_COLUMNS " FROM parties WHERE practice = $1::text AND id > $2::text "
    "AND ($4::bigint = 0 OR kind = $4::bigint) ORDER BY id LIMIT $3::bigint"};
static const rf__pg_stmt party_scan_contact = {
    31, "rf_party_scan_contact",
    "SELECT " RF_PG_PARTY_COLUMNS " FROM parties WHERE practice = $1::text AND id > $2::text "
    "AND ($4::bigint = 0 OR kind = $4::bigint) AND (email_key = $5::text OR phone_key = $5::text) "
    "ORDER BY id LIMIT $3::bigint"};

static void bind_party_query(rf__pg_params *p, const void *query)
{
    const rf_party_query *q = query;
    rf__pg_param_int(p, q->kind);
    if (q->contact_key != NULL) {
        rf__pg_param_text(p, q->contact_key);
    }
}

static int visit_party(const rf__pg_scan *s)
{
    return s->fn.party(s->record, s->payload);
}

int rf__pg_party_scan(rf_backend *backend, const char *practice, const rf_party_query *query,
                      rf_party_visit_fn visit, void *payload)
{
    static const rf_party_query everything = {NULL, 0, NULL, 0};
    const rf_party_query *q = query != NULL ? query : &everything;
    rf_party_record record;
    rf__pg_scan s = {.stmt = q->contact_key != NULL ? &party_scan_contact : &party_scan,
                     .bind = bind_party_query,
                     .query = q,
                     .after = q->after_id,
                     .limit = q->limit,
                     .cursor_col = 0,
                     .read = rf__pg_read_party,
                     .record = &record,
                     .size = sizeof record,
                     .visit = visit_party,
                     .fn.party = visit,
                     .payload = payload,
                     .what = "scanning parties"};
    return rf__pg_run_scan((rf_pg *)backend, practice, &s);
}

/* ---- codes ---- */

static const rf__pg_stmt code_scan = {32, "rf_code_scan",
                                      "SELECT " RF_PG_CODE_COLUMNS " FROM codes WHERE practice = $1::text "
                                      "AND id > $2::text ORDER BY id LIMIT $3::bigint"};
/* $4 the owner. */
static const rf__pg_stmt code_scan_owner = {33, "rf_code_scan_owner",
                                            "SELECT " RF_PG_CODE_COLUMNS
                                            " FROM codes WHERE practice = $1::text AND owner_id = $4::text "
                                            "AND id > $2::text ORDER BY id LIMIT $3::bigint"};

static void bind_code_query(rf__pg_params *p, const void *query)
{
    const rf_code_query *q = query;
    if (q->owner_id != NULL) {
        rf__pg_param_text(p, q->owner_id);
    }
}

static int visit_code(const rf__pg_scan *s)
{
    return s->fn.code(s->record, s->payload);
}

int rf__pg_code_scan(rf_backend *backend, const char *practice, const rf_code_query *query,
                     rf_code_visit_fn visit, void *payload)
{
    static const rf_code_query everything = {NULL, NULL, 0};
    const rf_code_query *q = query != NULL ? query : &everything;
    rf_code_record record;
    rf__pg_scan s = {.stmt = q->owner_id != NULL ? &code_scan_owner : &code_scan,
                     .bind = bind_code_query,
                     .query = q,
                     .after = q->after_id,
                     .limit = q->limit,
                     .cursor_col = 0,
                     .read = rf__pg_read_code,
                     .record = &record,
                     .size = sizeof record,
                     .visit = visit_code,
                     .fn.code = visit,
                     .payload = payload,
                     .what = "scanning codes"};
    return rf__pg_run_scan((rf_pg *)backend, practice, &s);
}

/* ---- journal ---- */

/* The cursor is the seq, as text. */
static const rf__pg_stmt journal_scan = {34, "rf_journal_scan",
                                         "SELECT " RF_PG_EVENT_COLUMNS
                                         " FROM journal WHERE practice = $1::text "
                                         "AND seq > $2::bigint ORDER BY seq LIMIT $3::bigint"};

static int visit_event(const rf__pg_scan *s)
{
    return s->fn.event(s->record, s->payload);
}

int rf__pg_journal_scan(rf_backend *backend, const char *practice, int64_t after_seq, unsigned int limit,
                        rf_event_visit_fn visit, void *payload)
{
    char after[24];
    snprintf(after, sizeof after, "%" PRId64, after_seq);
    rf_event_record record;
    rf__pg_scan s = {.stmt = &journal_scan,
                     .bind = NULL,
                     .query = NULL,
                     .after = after,
                     .limit = limit,
                     .cursor_col = 5,
                     .read = rf__pg_read_event,
                     .record = &record,
                     .size = sizeof record,
                     .visit = visit_event,
                     .fn.event = visit,
                     .payload = payload,
                     .what = "scanning the journal"};
    return rf__pg_run_scan((rf_pg *)backend, practice, &s);
}
