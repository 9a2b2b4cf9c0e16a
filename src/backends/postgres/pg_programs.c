/* The PostgreSQL backend's programmes and touches (contract version 2):
 * inserts, updates, gets and scans, described to the machinery in pg_rows.c. */
#include "pg_internal.h"

/* ---- programmes ---- */

#define PROGRAM_COLUMNS "id, name, settings, created_at, updated_at"

static const rf__pg_stmt program_insert = {40, "rf_program_insert",
                                           "INSERT INTO programs (practice, " PROGRAM_COLUMNS
                                           ") VALUES ($1::text, $2::text, $3::text, $4::text, "
                                           "$5::bigint, $6::bigint) ON CONFLICT DO NOTHING"};
static const rf__pg_stmt program_update = {
    41, "rf_program_update",
    "UPDATE programs SET name = $3::text, settings = $4::text, created_at = $5::bigint, updated_at = "
    "$6::bigint "
    "WHERE practice = $1::text AND id = $2::text AND NOT EXISTS (SELECT 1 FROM programs o WHERE "
    "o.practice = $1::text AND o.name = $3::text AND o.id <> $2::text)"};
static const rf__pg_stmt program_exists = {
    42, "rf_program_exists", "SELECT 1 FROM programs WHERE practice = $1::text AND id = $2::text"};
static const rf__pg_stmt program_get = {43, "rf_program_get",
                                        "SELECT " PROGRAM_COLUMNS
                                        " FROM programs WHERE practice = $1::text AND id = $2::text"};
static const rf__pg_stmt program_get_by_name = {
    44, "rf_program_get_by_name",
    "SELECT " PROGRAM_COLUMNS " FROM programs WHERE practice = $1::text AND name = $2::text"};
static const rf__pg_stmt program_scan = {45, "rf_program_scan",
                                         "SELECT " PROGRAM_COLUMNS " FROM programs WHERE practice = $1::text "
                                         "AND id > $2::text ORDER BY id LIMIT $3::bigint"};

static void read_program(const PGresult *res, int row, void *record)
{
    rf_program_record *out = record;
    out->id = rf__pg_text(res, row, 0);
    out->name = rf__pg_text(res, row, 1);
    out->settings = rf__pg_text(res, row, 2);
    out->created_at = rf__pg_int(res, row, 3);
    out->updated_at = rf__pg_int(res, row, 4);
}

static void bind_program(rf__pg_params *p, const char *practice, const void *record)
{
    const rf_program_record *r = record;
    rf__pg_param_text(p, practice);
    rf__pg_param_text(p, r->id);
    rf__pg_param_text(p, r->name);
    rf__pg_param_text(p, r->settings);
    rf__pg_param_int(p, r->created_at);
    rf__pg_param_int(p, r->updated_at);
}

static int program_name_taken(const char *practice, const void *record)
{
    const rf_program_record *r = record;
    return rf__pg_fail(RF_EEXISTS, RF_ERRCLASS_PROGRAM,
                       "a programme called '%s' already exists in practice '%s'", r->name, practice);
}

static const rf__pg_record_kind program_kind = {
    .noun = "programme",
    .klass = RF_ERRCLASS_PROGRAM,
    .insert = &program_insert,
    .update = &program_update,
    .exists = &program_exists,
    .inserting = "inserting a programme",
    .updating = "updating a programme",
    .reading = "reading a programme",
    .bind = bind_program,
    .read = read_program,
    .key_taken = program_name_taken,
};

int rf__pg_program_insert(rf_backend *backend, const char *practice, const rf_program_record *record)
{
    return rf__pg_insert_record((rf_pg *)backend, &program_kind, practice, record, record->id);
}

int rf__pg_program_update(rf_backend *backend, const char *practice, const rf_program_record *record)
{
    return rf__pg_update_record((rf_pg *)backend, &program_kind, practice, record, record->id);
}

int rf__pg_program_get(rf_backend *backend, const char *practice, const char *id, rf_program_record *out)
{
    return rf__pg_lookup_record((rf_pg *)backend, &program_kind, &program_get, practice, id, "id", out,
                                sizeof *out);
}

int rf__pg_program_get_by_name(rf_backend *backend, const char *practice, const char *name,
                               rf_program_record *out)
{
    return rf__pg_lookup_record((rf_pg *)backend, &program_kind, &program_get_by_name, practice, name, "name",
                                out, sizeof *out);
}

static int visit_program(const rf__pg_scan *s)
{
    return s->fn.program(s->record, s->payload);
}

int rf__pg_program_scan(rf_backend *backend, const char *practice, const char *after_id, unsigned int limit,
                        rf_program_visit_fn visit, void *payload)
{
    rf_program_record record;
    rf__pg_scan s = {.stmt = &program_scan,
                     .after = after_id,
                     .limit = limit,
                     .cursor_col = 0,
                     .read = read_program,
                     .record = &record,
                     .size = sizeof record,
                     .visit = visit_program,
                     .fn.program = visit,
                     .payload = payload,
                     .what = "scanning programmes"};
    return rf__pg_run_scan((rf_pg *)backend, practice, &s);
}

/* ---- touches ---- */

#define TOUCH_COLUMNS "id, code_id, owner_id, program_id, visitor_key, channel, at"

static const rf__pg_stmt touch_insert = {
    46, "rf_touch_insert",
    "INSERT INTO touches (practice, " TOUCH_COLUMNS ") VALUES ($1::text, $2::text, $3::text, $4::text, "
    "$5::text, $6::text, $7::bigint, $8::bigint) ON CONFLICT DO NOTHING"};
static const rf__pg_stmt touch_get = {
    47, "rf_touch_get", "SELECT " TOUCH_COLUMNS " FROM touches WHERE practice = $1::text AND id = $2::text"};
/* $4/$5 the period as an inclusive pair; $6 the visitor (visitor scan only). */
static const rf__pg_stmt touch_scan = {48, "rf_touch_scan",
                                       "SELECT " TOUCH_COLUMNS " FROM touches WHERE practice = $1::text "
                                       "AND id > $2::text AND at >= $4::bigint AND at <= $5::bigint "
                                       "ORDER BY id LIMIT $3::bigint"};
static const rf__pg_stmt touch_scan_visitor = {
    49, "rf_touch_scan_visitor",
    "SELECT " TOUCH_COLUMNS " FROM touches WHERE practice = $1::text AND visitor_key = $6::text "
    "AND at >= $4::bigint AND at <= $5::bigint AND id > $2::text ORDER BY id LIMIT $3::bigint"};

static void read_touch(const PGresult *res, int row, void *record)
{
    rf_touch_record *out = record;
    out->id = rf__pg_text(res, row, 0);
    out->code_id = rf__pg_text(res, row, 1);
    out->owner_id = rf__pg_text(res, row, 2);
    out->program_id = rf__pg_text(res, row, 3);
    out->visitor_key = rf__pg_text(res, row, 4);
    out->channel = (int)rf__pg_int(res, row, 5);
    out->at = rf__pg_int(res, row, 6);
}

static void bind_touch(rf__pg_params *p, const char *practice, const void *record)
{
    const rf_touch_record *r = record;
    rf__pg_param_text(p, practice);
    rf__pg_param_text(p, r->id);
    rf__pg_param_text(p, r->code_id);
    rf__pg_param_text(p, r->owner_id);
    rf__pg_param_text(p, r->program_id);
    rf__pg_param_text(p, r->visitor_key);
    rf__pg_param_int(p, r->channel);
    rf__pg_param_int(p, r->at);
}

/* Touches are never updated and have no unique key besides the id. */
static const rf__pg_record_kind touch_kind = {
    .noun = "touch",
    .klass = RF_ERRCLASS_REFERRAL,
    .insert = &touch_insert,
    .inserting = "inserting a touch",
    .reading = "reading a touch",
    .bind = bind_touch,
    .read = read_touch,
};

int rf__pg_touch_insert(rf_backend *backend, const char *practice, const rf_touch_record *record)
{
    return rf__pg_insert_record((rf_pg *)backend, &touch_kind, practice, record, record->id);
}

int rf__pg_touch_get(rf_backend *backend, const char *practice, const char *id, rf_touch_record *out)
{
    return rf__pg_lookup_record((rf_pg *)backend, &touch_kind, &touch_get, practice, id, "id", out,
                                sizeof *out);
}

static void bind_touch_query(rf__pg_params *p, const void *query)
{
    const rf_touch_query *q = query;
    rf__pg_param_period(p, q->from, q->to);
    if (q->visitor_key != NULL) {
        rf__pg_param_text(p, q->visitor_key);
    }
}

static int visit_touch(const rf__pg_scan *s)
{
    return s->fn.touch(s->record, s->payload);
}

int rf__pg_touch_scan(rf_backend *backend, const char *practice, const rf_touch_query *query,
                      rf_touch_visit_fn visit, void *payload)
{
    static const rf_touch_query everything = {NULL, NULL, RF_TIME_UNSET, RF_TIME_UNSET, 0};
    const rf_touch_query *q = query != NULL ? query : &everything;
    rf_touch_record record;
    rf__pg_scan s = {.stmt = q->visitor_key != NULL ? &touch_scan_visitor : &touch_scan,
                     .bind = bind_touch_query,
                     .query = q,
                     .after = q->after_id,
                     .limit = q->limit,
                     .cursor_col = 0,
                     .read = read_touch,
                     .record = &record,
                     .size = sizeof record,
                     .visit = visit_touch,
                     .fn.touch = visit,
                     .payload = payload,
                     .what = "scanning touches"};
    return rf__pg_run_scan((rf_pg *)backend, practice, &s);
}
