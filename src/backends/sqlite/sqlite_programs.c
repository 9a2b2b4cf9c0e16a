/* The SQLite backend's programmes and touches (contract version 2): inserts,
 * updates, gets and scans, described to the machinery in sqlite_rows.c. */
#include "sqlite_internal.h"

/* ---- programmes ---- */

#define PROGRAM_TEXTS 3

/* The record's text fields in column order. */
static void program_texts(rf_program_record *r, const char **fields[PROGRAM_TEXTS])
{
    fields[0] = &r->id;
    fields[1] = &r->name;
    fields[2] = &r->settings;
}

static int read_program(rf_sqlite *b, sqlite3_stmt *st, int copy, void *record)
{
    rf_program_record *out = record;
    const char **fields[PROGRAM_TEXTS];
    program_texts(out, fields);
    out->created_at = sqlite3_column_int64(st, 3);
    out->updated_at = sqlite3_column_int64(st, 4);
    return rf__sqlite_read_texts(b, st, copy, fields, PROGRAM_TEXTS);
}

static int bind_program(sqlite3_stmt *st, const char *practice, const void *record)
{
    const rf_program_record *r = record;
    rf__sqlite_binder bd = {st, SQLITE_OK};
    rf__sqlite_bind_text(&bd, 1, practice);
    rf__sqlite_bind_text(&bd, 2, r->id);
    rf__sqlite_bind_text(&bd, 3, r->name);
    rf__sqlite_bind_text(&bd, 4, r->settings);
    rf__sqlite_bind_int(&bd, 5, r->created_at);
    rf__sqlite_bind_int(&bd, 6, r->updated_at);
    return bd.rc;
}

static int program_name_taken(const char *practice, const void *record)
{
    const rf_program_record *r = record;
    return rf__sqlite_fail(RF_EEXISTS, RF_ERRCLASS_PROGRAM,
                           "a programme called '%s' already exists in practice '%s'", r->name, practice);
}

static const rf__sqlite_record_kind program_kind = {
    .noun = "programme",
    .klass = RF_ERRCLASS_PROGRAM,
    .insert = RF_SQ_PROGRAM_INSERT,
    .update = RF_SQ_PROGRAM_UPDATE,
    .update_unkeyed = RF_SQ_COUNT,
    .inserting = "inserting a programme",
    .updating = "updating a programme",
    .reading = "reading a programme",
    .bind = bind_program,
    .read = read_program,
    .unique_column = ".name",
    .key_taken = program_name_taken,
};

/* Every referral made or closed reads its programme: the one last read or
 * written is kept (rf__sqlite_memo). @record's strings must not lie in the memo. */
static int remember(rf_sqlite *b, const char *practice, const rf_program_record *record, int rc)
{
    const char **fields[PROGRAM_TEXTS];
    b->program.r.program = *record;
    program_texts(&b->program.r.program, fields);
    return rf__sqlite_memo_keep(b, &b->program, practice, fields, PROGRAM_TEXTS, rc);
}

int rf__sqlite_program_insert(rf_backend *backend, const char *practice, const rf_program_record *record)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    return remember(b, practice, record,
                    rf__sqlite_insert_record(b, &program_kind, practice, record, record->id));
}

int rf__sqlite_program_update(rf_backend *backend, const char *practice, const rf_program_record *record)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    return remember(b, practice, record,
                    rf__sqlite_update_record(b, &program_kind, practice, record, record->id));
}

int rf__sqlite_program_get(rf_backend *backend, const char *practice, const char *id, rf_program_record *out)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    const rf_program_record *memo = &b->program.r.program;
    if (rf__sqlite_memo_has(b, &b->program, practice, id, memo->id)) {
        const char **fields[PROGRAM_TEXTS];
        *out = *memo;
        program_texts(out, fields);
        if (rf__sqlite_copy_texts(&b->scratch, &b->scratch_cap, 0, fields, PROGRAM_TEXTS)) {
            return RF_OK;
        }
    }
    int rc =
        rf__sqlite_lookup_record(b, &program_kind, RF_SQ_PROGRAM_GET, practice, id, "id", out, sizeof *out);
    /* A miss keeps what it read (its strings are in the scratch buffer, not the memo's). */
    return rc == RF_OK ? remember(b, practice, out, rc) : rc;
}

int rf__sqlite_program_get_by_name(rf_backend *backend, const char *practice, const char *name,
                                   rf_program_record *out)
{
    return rf__sqlite_lookup_record((rf_sqlite *)backend, &program_kind, RF_SQ_PROGRAM_GET_BY_NAME, practice,
                                    name, "name", out, sizeof *out);
}

typedef struct program_query {
    const char *after_id;
    unsigned int limit;
} program_query;

static int bind_program_page(sqlite3_stmt *st, const char *practice, const void *query)
{
    const program_query *q = query;
    return rf__sqlite_bind_page(st, practice, q->after_id, 3, q->limit);
}

static int visit_program(const rf__sqlite_scan *s)
{
    return s->fn.program(s->record, s->payload);
}

int rf__sqlite_program_scan(rf_backend *backend, const char *practice, const char *after_id,
                            unsigned int limit, rf_program_visit_fn visit, void *payload)
{
    program_query q = {after_id, limit};
    rf_program_record record;
    rf__sqlite_scan s = {.stmt = RF_SQ_PROGRAM_SCAN,
                         .bind = bind_program_page,
                         .query = &q,
                         .read = read_program,
                         .record = &record,
                         .size = sizeof record,
                         .visit = visit_program,
                         .fn.program = visit,
                         .payload = payload,
                         .what = "scanning programmes"};
    return rf__sqlite_run_scan((rf_sqlite *)backend, practice, &s);
}

/* ---- touches ---- */

#define TOUCH_TEXTS 5

static int read_touch(rf_sqlite *b, sqlite3_stmt *st, int copy, void *record)
{
    rf_touch_record *out = record;
    const char **fields[TOUCH_TEXTS] = {&out->id, &out->code_id, &out->owner_id, &out->program_id,
                                        &out->visitor_key};
    out->channel = sqlite3_column_int(st, 5);
    out->at = sqlite3_column_int64(st, 6);
    return rf__sqlite_read_texts(b, st, copy, fields, TOUCH_TEXTS);
}

static int bind_touch(sqlite3_stmt *st, const char *practice, const void *record)
{
    const rf_touch_record *r = record;
    rf__sqlite_binder bd = {st, SQLITE_OK};
    rf__sqlite_bind_text(&bd, 1, practice);
    rf__sqlite_bind_text(&bd, 2, r->id);
    rf__sqlite_bind_text(&bd, 3, r->code_id);
    rf__sqlite_bind_text(&bd, 4, r->owner_id);
    rf__sqlite_bind_text(&bd, 5, r->program_id);
    rf__sqlite_bind_text(&bd, 6, r->visitor_key);
    rf__sqlite_bind_int(&bd, 7, r->channel);
    rf__sqlite_bind_int(&bd, 8, r->at);
    return bd.rc;
}

/* Touches are never updated: the kind has no update statement to use. */
static const rf__sqlite_record_kind touch_kind = {
    .noun = "touch",
    .klass = RF_ERRCLASS_REFERRAL,
    .insert = RF_SQ_TOUCH_INSERT,
    .update = RF_SQ_COUNT,
    .update_unkeyed = RF_SQ_COUNT,
    .inserting = "inserting a touch",
    .updating = NULL,
    .reading = "reading a touch",
    .bind = bind_touch,
    .read = read_touch,
    .unique_column = NULL,
    .key_taken = NULL,
};

int rf__sqlite_touch_insert(rf_backend *backend, const char *practice, const rf_touch_record *record)
{
    return rf__sqlite_insert_record((rf_sqlite *)backend, &touch_kind, practice, record, record->id);
}

int rf__sqlite_touch_get(rf_backend *backend, const char *practice, const char *id, rf_touch_record *out)
{
    return rf__sqlite_lookup_record((rf_sqlite *)backend, &touch_kind, RF_SQ_TOUCH_GET, practice, id, "id",
                                    out, sizeof *out);
}

/* ?4/?5: the period; ?6: the visitor (RF_SQ_TOUCH_SCAN_VISITOR only). */
static int bind_touch_page(sqlite3_stmt *st, const char *practice, const void *query)
{
    const rf_touch_query *q = query;
    rf__sqlite_binder bd = {st, rf__sqlite_bind_page(st, practice, q->after_id, 3, q->limit)};
    rf__sqlite_bind_period(&bd, 4, 5, q->from, q->to);
    if (q->visitor_key != NULL) {
        rf__sqlite_bind_text(&bd, 6, q->visitor_key);
    }
    return bd.rc;
}

static int visit_touch(const rf__sqlite_scan *s)
{
    return s->fn.touch(s->record, s->payload);
}

int rf__sqlite_touch_scan(rf_backend *backend, const char *practice, const rf_touch_query *query,
                          rf_touch_visit_fn visit, void *payload)
{
    static const rf_touch_query everything = {NULL, NULL, RF_TIME_UNSET, RF_TIME_UNSET, 0};
    const rf_touch_query *q = query != NULL ? query : &everything;
    rf_touch_record record;
    rf__sqlite_scan s = {.stmt = q->visitor_key != NULL ? RF_SQ_TOUCH_SCAN_VISITOR : RF_SQ_TOUCH_SCAN,
                         .bind = bind_touch_page,
                         .query = q,
                         .read = read_touch,
                         .record = &record,
                         .size = sizeof record,
                         .visit = visit_touch,
                         .fn.touch = visit,
                         .payload = payload,
                         .what = "scanning touches"};
    return rf__sqlite_run_scan((rf_sqlite *)backend, practice, &s);
}
