/* The SQLite backend's message templates (contract version 4): inserts,
 * updates, lookups by name and scans, described to the machinery in
 * sqlite_rows.c. Column and parameter numbers follow TEMPLATE_COLUMNS in
 * sqlite_statements.c.
 *
 * A template belongs to a programme or, with a NULL program_id, to the whole
 * practice; its name is unique in either scope, which two partial unique
 * indexes enforce (see the 3 -> 4 step in sqlite_migrations.c). Each scope
 * has its own statements, as only a statement that names the scope's
 * program_id term can use its index. */
#include "sqlite_internal.h"

#include <string.h>

#define TEMPLATE_TEXTS 5

static int read_template(rf_sqlite *b, sqlite3_stmt *st, int copy, void *record)
{
    rf_template_record *out = record;
    const char **fields[TEMPLATE_TEXTS] = {&out->id, &out->program_id, &out->name, &out->subject, &out->body};
    out->channel = sqlite3_column_int(st, 5);
    out->created_at = sqlite3_column_int64(st, 6);
    out->updated_at = sqlite3_column_int64(st, 7);
    return rf__sqlite_read_texts(b, st, copy, fields, TEMPLATE_TEXTS);
}

static int bind_template(sqlite3_stmt *st, const char *practice, const void *record)
{
    const rf_template_record *r = record;
    rf__sqlite_binder bd = {st, SQLITE_OK};
    rf__sqlite_bind_text(&bd, 1, practice);
    rf__sqlite_bind_text(&bd, 2, r->id);
    rf__sqlite_bind_text(&bd, 3, r->program_id);
    rf__sqlite_bind_text(&bd, 4, r->name);
    rf__sqlite_bind_text(&bd, 5, r->subject);
    rf__sqlite_bind_text(&bd, 6, r->body);
    rf__sqlite_bind_int(&bd, 7, r->channel);
    rf__sqlite_bind_int(&bd, 8, r->created_at);
    rf__sqlite_bind_int(&bd, 9, r->updated_at);
    return bd.rc;
}

static int template_name_taken(const char *practice, const void *record)
{
    const rf_template_record *r = record;
    if (r->program_id == NULL) {
        return rf__sqlite_fail(RF_EEXISTS, RF_ERRCLASS_OUTBOX,
                               "a practice-wide template called '%s' already exists in practice '%s'",
                               r->name, practice);
    }
    return rf__sqlite_fail(RF_EEXISTS, RF_ERRCLASS_OUTBOX,
                           "a template called '%s' already exists in programme '%s' of practice '%s'",
                           r->name, r->program_id, practice);
}

/* Templates change seldom (a reworded script): one full update is enough. */
static const rf__sqlite_record_kind template_kind = {
    .noun = "template",
    .klass = RF_ERRCLASS_OUTBOX,
    .insert = RF_SQ_TEMPLATE_INSERT,
    .update = RF_SQ_TEMPLATE_UPDATE,
    .update_unkeyed = RF_SQ_COUNT,
    .inserting = "inserting a template",
    .updating = "updating a template",
    .reading = "reading a template",
    .bind = bind_template,
    .read = read_template,
    /* Either name index: SQLite names the columns "templates.name" in both. */
    .unique_column = ".name",
    .key_taken = template_name_taken,
};

int rf__sqlite_template_insert(rf_backend *backend, const char *practice, const rf_template_record *record)
{
    return rf__sqlite_insert_record((rf_sqlite *)backend, &template_kind, practice, record, record->id);
}

int rf__sqlite_template_update(rf_backend *backend, const char *practice, const rf_template_record *record)
{
    return rf__sqlite_update_record((rf_sqlite *)backend, &template_kind, practice, record, record->id);
}

static int template_missing(const char *practice, const char *program_id, const char *name)
{
    if (program_id == NULL) {
        return rf__sqlite_fail(RF_ENOTFOUND, RF_ERRCLASS_OUTBOX,
                               "no practice-wide template called '%s' in practice '%s'",
                               name != NULL ? name : "(null)", practice);
    }
    return rf__sqlite_fail(RF_ENOTFOUND, RF_ERRCLASS_OUTBOX,
                           "no template called '%s' in programme '%s' of practice '%s'",
                           name != NULL ? name : "(null)", program_id, practice);
}

int rf__sqlite_template_get_by_name(rf_backend *backend, const char *practice, const char *program_id,
                                    const char *name, rf_template_record *out)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    sqlite3_stmt *st;
    memset(out, 0, sizeof *out);
    int rc = rf__sqlite_stmt(
        b, program_id != NULL ? RF_SQ_TEMPLATE_GET_BY_NAME : RF_SQ_TEMPLATE_GET_BY_NAME_PRACTICE, &st);
    if (rc != RF_OK) {
        return rc;
    }
    rf__sqlite_binder bd = {st, SQLITE_OK};
    rf__sqlite_bind_text(&bd, 1, practice);
    rf__sqlite_bind_text(&bd, 2, name);
    if (program_id != NULL) {
        rf__sqlite_bind_text(&bd, 3, program_id);
    }
    int step = bd.rc != SQLITE_OK ? bd.rc : sqlite3_step(st);
    if (step == SQLITE_ROW) {
        rc = read_template(b, st, 1, out);
    } else if (step == SQLITE_DONE) {
        rc = template_missing(practice, program_id, name);
    } else {
        rc = rf__sqlite_error(b, step, template_kind.reading);
    }
    rf__sqlite_done(st);
    if (rc != RF_OK) {
        memset(out, 0, sizeof *out);
    }
    return rc;
}

typedef struct template_query {
    const char *program_id;
    const char *after_id;
    unsigned int limit;
} template_query;

/* ?4: the programme (RF_SQ_TEMPLATE_SCAN_PROGRAM only). */
static int bind_template_page(sqlite3_stmt *st, const char *practice, const void *query)
{
    const template_query *q = query;
    rf__sqlite_binder bd = {st, rf__sqlite_bind_page(st, practice, q->after_id, 3, q->limit)};
    if (q->program_id != NULL) {
        rf__sqlite_bind_text(&bd, 4, q->program_id);
    }
    return bd.rc;
}

static int visit_template(const rf__sqlite_scan *s)
{
    return s->fn.template_(s->record, s->payload);
}

int rf__sqlite_template_scan(rf_backend *backend, const char *practice, const char *program_id,
                             const char *after_id, unsigned int limit, rf_template_visit_fn visit,
                             void *payload)
{
    template_query q = {program_id, after_id, limit};
    rf_template_record record;
    rf__sqlite_scan s = {.stmt =
                             program_id != NULL ? RF_SQ_TEMPLATE_SCAN_PROGRAM : RF_SQ_TEMPLATE_SCAN_PRACTICE,
                         .bind = bind_template_page,
                         .query = &q,
                         .read = read_template,
                         .record = &record,
                         .size = sizeof record,
                         .visit = visit_template,
                         .fn.template_ = visit,
                         .payload = payload,
                         .what = "scanning templates"};
    return rf__sqlite_run_scan((rf_sqlite *)backend, practice, &s);
}
