/* The PostgreSQL backend's message templates (contract version 4): inserts,
 * updates, lookups by name and scans. Same semantics as sqlite_templates.c.
 *
 * A template belongs to a programme or, with a NULL program_id, to the whole
 * practice; its name is unique in either scope, which two partial unique
 * indexes enforce (pg_schema.c). Each scope has its own statements, as only a
 * statement that names the scope's program_id term can use its index. */
#include "pg_v34.h"

#include <string.h>

/* Texts (columns 0-4, parameters $2-$6), then channel and the two times (5-7, $7-$9). */
#define TEMPLATE_COLUMNS "id, program_id, name, subject, body, channel, created_at, updated_at"

static const rf__pg_stmt template_insert = {
    224, "rf_template_insert",
    "INSERT INTO templates (practice, " TEMPLATE_COLUMNS ") VALUES ($1::text, $2::text, $3::text, $4::text, "
    "$5::text, $6::text, $7::bigint, $8::bigint, $9::bigint) ON CONFLICT DO NOTHING"};
/* Moves only when no other template holds the new (programme, name): a
 * clash is then a row count, never an error that would abort the transaction. */
static const rf__pg_stmt template_update = {
    225, "rf_template_update",
    "UPDATE templates SET program_id = $3::text, name = $4::text, subject = $5::text, body = $6::text, "
    "channel = $7::bigint, created_at = $8::bigint, updated_at = $9::bigint "
    "WHERE practice = $1::text AND id = $2::text AND NOT EXISTS (SELECT 1 FROM templates o "
    "WHERE o.practice = $1::text AND o.program_id IS NOT DISTINCT FROM $3::text AND o.name = $4::text "
    "AND o.id <> $2::text)"};
static const rf__pg_stmt template_exists = {
    226, "rf_template_exists", "SELECT 1 FROM templates WHERE practice = $1::text AND id = $2::text"};
/* $2 the name, $3 the programme. */
static const rf__pg_stmt template_get_by_name = {227, "rf_template_get_by_name",
                                                 "SELECT " TEMPLATE_COLUMNS
                                                 " FROM templates WHERE practice = $1::text "
                                                 "AND program_id = $3::text AND name = $2::text"};
static const rf__pg_stmt template_get_by_name_practice = {228, "rf_template_get_by_name_practice",
                                                          "SELECT " TEMPLATE_COLUMNS
                                                          " FROM templates WHERE practice = $1::text "
                                                          "AND program_id IS NULL AND name = $2::text"};
/* $4 the programme. */
static const rf__pg_stmt template_scan_program = {
    229, "rf_template_scan_program",
    "SELECT " TEMPLATE_COLUMNS " FROM templates WHERE practice = $1::text AND program_id = $4::text "
    "AND id > $2::text ORDER BY id LIMIT $3::bigint"};
static const rf__pg_stmt template_scan_practice = {
    230, "rf_template_scan_practice",
    "SELECT " TEMPLATE_COLUMNS " FROM templates WHERE practice = $1::text AND program_id IS NULL "
    "AND id > $2::text ORDER BY id LIMIT $3::bigint"};

static void read_template(const PGresult *res, int row, void *record)
{
    rf_template_record *out = record;
    out->id = rf__pg_text(res, row, 0);
    out->program_id = rf__pg_text(res, row, 1);
    out->name = rf__pg_text(res, row, 2);
    out->subject = rf__pg_text(res, row, 3);
    out->body = rf__pg_text(res, row, 4);
    out->channel = (int)rf__pg_int(res, row, 5);
    out->created_at = rf__pg_int(res, row, 6);
    out->updated_at = rf__pg_int(res, row, 7);
}

static void bind_template(rf__pg_params *p, const char *practice, const void *record)
{
    const rf_template_record *r = record;
    rf__pg_param_text(p, practice);
    rf__pg_param_text(p, r->id);
    rf__pg_param_text(p, r->program_id);
    rf__pg_param_text(p, r->name);
    rf__pg_param_text(p, r->subject);
    rf__pg_param_text(p, r->body);
    rf__pg_param_int(p, r->channel);
    rf__pg_param_int(p, r->created_at);
    rf__pg_param_int(p, r->updated_at);
}

static int template_name_taken(const char *practice, const void *record)
{
    const rf_template_record *r = record;
    if (r->program_id == NULL) {
        return rf__pg_fail(RF_EEXISTS, RF_ERRCLASS_OUTBOX,
                           "a practice-wide template called '%s' already exists in practice '%s'", r->name,
                           practice);
    }
    return rf__pg_fail(RF_EEXISTS, RF_ERRCLASS_OUTBOX,
                       "a template called '%s' already exists in programme '%s' of practice '%s'", r->name,
                       r->program_id, practice);
}

static const rf__pg_record_kind template_kind = {
    .noun = "template",
    .klass = RF_ERRCLASS_OUTBOX,
    .insert = &template_insert,
    .update = &template_update,
    .exists = &template_exists,
    .inserting = "inserting a template",
    .updating = "updating a template",
    .reading = "reading a template",
    .bind = bind_template,
    .read = read_template,
    .key_taken = template_name_taken,
};

int rf__pg_template_insert(rf_backend *backend, const char *practice, const rf_template_record *record)
{
    return rf__pg_insert_record((rf_pg *)backend, &template_kind, practice, record, record->id);
}

int rf__pg_template_update(rf_backend *backend, const char *practice, const rf_template_record *record)
{
    return rf__pg_update_record((rf_pg *)backend, &template_kind, practice, record, record->id);
}

static int template_missing(const char *practice, const char *program_id, const char *name)
{
    if (program_id == NULL) {
        return rf__pg_fail(RF_ENOTFOUND, RF_ERRCLASS_OUTBOX,
                           "no practice-wide template called '%s' in practice '%s'",
                           name != NULL ? name : "(null)", practice);
    }
    return rf__pg_fail(RF_ENOTFOUND, RF_ERRCLASS_OUTBOX,
                       "no template called '%s' in programme '%s' of practice '%s'",
                       name != NULL ? name : "(null)", program_id, practice);
}

int rf__pg_template_get_by_name(rf_backend *backend, const char *practice, const char *program_id,
                                const char *name, rf_template_record *out)
{
    rf_pg *b = (rf_pg *)backend;
    memset(out, 0, sizeof *out);
    int rc = rf__pg_enter(b, practice);
    if (rc != RF_OK) {
        return rc;
    }
    rf__pg_params p = {0};
    rf__pg_param_text(&p, practice);
    rf__pg_param_text(&p, name);
    if (program_id != NULL) {
        rf__pg_param_text(&p, program_id);
    }
    PGresult *res;
    rc = rf__pg_exec(b, program_id != NULL ? &template_get_by_name : &template_get_by_name_practice, &p,
                     template_kind.reading, &res);
    if (rc != RF_OK) {
        return rc;
    }
    if (PQntuples(res) == 0) {
        PQclear(res);
        return template_missing(practice, program_id, name);
    }
    read_template(res, 0, out);
    /* Only now: the inputs may point into the result held before. */
    rf__pg_hold(b, res);
    return RF_OK;
}

/* $4: the programme (template_scan_program only). */
static void bind_template_program(rf__pg_params *p, const void *query)
{
    rf__pg_param_text(p, query);
}

static int visit_template(const rf__pg_scan *s)
{
    return s->fn.template_(s->record, s->payload);
}

int rf__pg_template_scan(rf_backend *backend, const char *practice, const char *program_id,
                         const char *after_id, unsigned int limit, rf_template_visit_fn visit, void *payload)
{
    rf_template_record record;
    rf__pg_scan s = {.stmt = program_id != NULL ? &template_scan_program : &template_scan_practice,
                     .bind = program_id != NULL ? bind_template_program : NULL,
                     .query = program_id,
                     .after = after_id,
                     .limit = limit,
                     .cursor_col = 0,
                     .read = read_template,
                     .record = &record,
                     .size = sizeof record,
                     .visit = visit_template,
                     .fn.template_ = visit,
                     .payload = payload,
                     .what = "scanning templates"};
    return rf__pg_run_scan((rf_pg *)backend, practice, &s);
}
