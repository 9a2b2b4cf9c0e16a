/* The PostgreSQL backend's outbox tasks (contract version 4): inserts,
 * updates, gets and scans, described to the machinery in pg_rows.c. Same
 * semantics as sqlite_tasks.c. */
#include "pg_v34.h"

/* Texts (columns 0-8, parameters $2-$10), integers (9-13, $11-$15), times
 * (14-20, $16-$22). */
#define TASK_COLUMNS                                                                                         \
    "id, task_key, party_id, referral_id, program_id, template_name, data, lease_owner, last_error, kind, "  \
    "state, channel, attempts, outcome, due_at, deadline_at, lease_until, sent_at, closed_at, created_at, "  \
    "updated_at"
/* The filters of rf_task_query: $4/$5 the party and referral (NULL: any),
 * $6/$7 the kind and state (0: any), $8 the due bound (INT64_MAX: none), $9
 * the time the lease must be free at (NULL: no bound; a free lease, 0, is
 * NULL in the table). */
#define TASK_FILTERS                                                                                         \
    "($4::text IS NULL OR party_id = $4::text) AND ($5::text IS NULL OR referral_id = $5::text) AND "        \
    "($6::bigint = 0 OR kind = $6::bigint) AND ($7::bigint = 0 OR state = $7::bigint) AND "                  \
    "due_at <= $8::bigint AND ($9::bigint IS NULL OR lease_until IS NULL OR lease_until <= $9::bigint)"
/* @driver, the leading filter, is written plainly so that a generic plan
 * still finds its index. */
#define TASK_SCAN(driver)                                                                                    \
    "SELECT " TASK_COLUMNS " FROM tasks WHERE practice = $1::text AND " driver                               \
    " AND id > $2::text AND " TASK_FILTERS " ORDER BY id LIMIT $3::bigint"

static const rf__pg_stmt task_insert = {
    192, "rf_task_insert",
    "INSERT INTO tasks (practice, " TASK_COLUMNS
    ") VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, "
    "$6::text, $7::text, $8::text, $9::text, $10::text, $11::bigint, $12::bigint, $13::bigint, $14::bigint, "
    "$15::bigint, $16::bigint, $17::bigint, $18::bigint, $19::bigint, $20::bigint, $21::bigint, "
    "$22::bigint) ON CONFLICT DO NOTHING"};
/* The task key ($3) never changes, so it is not set; the last term only
 * gives the server its type (it is always true), as every parameter bound
 * must appear in the statement. */
static const rf__pg_stmt task_update = {
    193, "rf_task_update",
    "UPDATE tasks SET party_id = $4::text, referral_id = $5::text, program_id = $6::text, "
    "template_name = $7::text, data = $8::text, lease_owner = $9::text, last_error = $10::text, "
    "kind = $11::bigint, state = $12::bigint, channel = $13::bigint, attempts = $14::bigint, "
    "outcome = $15::bigint, due_at = $16::bigint, deadline_at = $17::bigint, lease_until = $18::bigint, "
    "sent_at = $19::bigint, closed_at = $20::bigint, created_at = $21::bigint, updated_at = $22::bigint "
    "WHERE practice = $1::text AND id = $2::text AND ($3::text IS NULL OR TRUE)"};
static const rf__pg_stmt task_exists = {194, "rf_task_exists",
                                        "SELECT 1 FROM tasks WHERE practice = $1::text AND id = $2::text"};
static const rf__pg_stmt task_get = {
    195, "rf_task_get", "SELECT " TASK_COLUMNS " FROM tasks WHERE practice = $1::text AND id = $2::text"};
static const rf__pg_stmt task_get_by_key = {196, "rf_task_get_by_key",
                                            "SELECT " TASK_COLUMNS
                                            " FROM tasks WHERE practice = $1::text AND task_key = $2::text"};
static const rf__pg_stmt task_scan = {197, "rf_task_scan", TASK_SCAN("TRUE")};
static const rf__pg_stmt task_scan_party = {198, "rf_task_scan_party", TASK_SCAN("party_id = $4::text")};
static const rf__pg_stmt task_scan_referral = {199, "rf_task_scan_referral",
                                               TASK_SCAN("referral_id = $5::text")};
/* The outbox's hot query: a state's tasks due by a time, from the
 * (state, due_at, lease_until) index; the planner sorts what it finds. */
static const rf__pg_stmt task_scan_state = {200, "rf_task_scan_state", TASK_SCAN("state = $7::bigint")};

#define TASK_TEXTS 9
#define TASK_INTS 5   /* kind .. outcome, columns TASK_TEXTS.. */
#define TASK_TIMES 14 /* column of due_at, then the six other times */

_Static_assert(TASK_TEXTS + TASK_INTS == TASK_TIMES, "integers precede the times");

static void read_task(const PGresult *res, int row, void *record)
{
    rf_task_record *out = record;
    const char **texts[TASK_TEXTS] = {&out->id,          &out->task_key,    &out->party_id,
                                      &out->referral_id, &out->program_id,  &out->template_name,
                                      &out->data,        &out->lease_owner, &out->last_error};
    int *ints[TASK_INTS] = {&out->kind, &out->state, &out->channel, &out->attempts, &out->outcome};
    /* An unset time is NULL in the table and reads back as 0. */
    rf_time *times[] = {&out->due_at,    &out->deadline_at, &out->lease_until, &out->sent_at,
                        &out->closed_at, &out->created_at,  &out->updated_at};
    for (int i = 0; i < TASK_TEXTS; i++) {
        *texts[i] = rf__pg_text(res, row, i);
    }
    for (int i = 0; i < TASK_INTS; i++) {
        *ints[i] = (int)rf__pg_int(res, row, TASK_TEXTS + i);
    }
    for (int i = 0; i < (int)(sizeof times / sizeof times[0]); i++) {
        *times[i] = rf__pg_int(res, row, TASK_TIMES + i);
    }
}

static void bind_task(rf__pg_params *p, const char *practice, const void *record)
{
    const rf_task_record *r = record;
    const char *texts[TASK_TEXTS] = {r->id,          r->task_key,    r->party_id,
                                     r->referral_id, r->program_id,  r->template_name,
                                     r->data,        r->lease_owner, r->last_error};
    const int ints[TASK_INTS] = {r->kind, r->state, r->channel, r->attempts, r->outcome};
    rf__pg_param_text(p, practice);
    for (int i = 0; i < TASK_TEXTS; i++) {
        rf__pg_param_text(p, texts[i]);
    }
    for (int i = 0; i < TASK_INTS; i++) {
        rf__pg_param_int(p, ints[i]);
    }
    /* due_at, created_at and updated_at are always set (due_at is range-
     * filtered on its index); the others store "none" (0) as NULL. */
    rf__pg_param_int(p, r->due_at);
    rf__pg_param_time_or_null(p, r->deadline_at);
    rf__pg_param_time_or_null(p, r->lease_until);
    rf__pg_param_time_or_null(p, r->sent_at);
    rf__pg_param_time_or_null(p, r->closed_at);
    rf__pg_param_int(p, r->created_at);
    rf__pg_param_int(p, r->updated_at);
}

static int task_key_taken(const char *practice, const void *record)
{
    const rf_task_record *r = record;
    return rf__pg_fail(RF_EEXISTS, RF_ERRCLASS_OUTBOX,
                       "task key '%s' is already taken in practice '%s': the task was already queued",
                       r->task_key, practice);
}

/* The update never sets the key, so it never clashes: no row updated means
 * no such task (the existence check rf__pg_update_record then makes says so). */
static const rf__pg_record_kind task_kind = {
    .noun = "task",
    .klass = RF_ERRCLASS_OUTBOX,
    .insert = &task_insert,
    .update = &task_update,
    .exists = &task_exists,
    .inserting = "inserting a task",
    .updating = "updating a task",
    .reading = "reading a task",
    .bind = bind_task,
    .read = read_task,
    .key_taken = task_key_taken,
};

int rf__pg_task_insert(rf_backend *backend, const char *practice, const rf_task_record *record)
{
    return rf__pg_insert_record((rf_pg *)backend, &task_kind, practice, record, record->id);
}

/* A different key in @record is simply not stored, as in SQLite. */
int rf__pg_task_update(rf_backend *backend, const char *practice, const rf_task_record *record)
{
    return rf__pg_update_record((rf_pg *)backend, &task_kind, practice, record, record->id);
}

int rf__pg_task_get(rf_backend *backend, const char *practice, const char *id, rf_task_record *out)
{
    return rf__pg_lookup_record((rf_pg *)backend, &task_kind, &task_get, practice, id, "id", out,
                                sizeof *out);
}

int rf__pg_task_get_by_key(rf_backend *backend, const char *practice, const char *task_key,
                           rf_task_record *out)
{
    return rf__pg_lookup_record((rf_pg *)backend, &task_kind, &task_get_by_key, practice, task_key, "key",
                                out, sizeof *out);
}

/* $4-$9 of TASK_FILTERS. */
static void bind_task_query(rf__pg_params *p, const void *query)
{
    const rf_task_query *q = query;
    rf__pg_param_text(p, q->party_id);
    rf__pg_param_text(p, q->referral_id);
    rf__pg_param_int(p, q->kind);
    rf__pg_param_int(p, q->state);
    rf__pg_param_int(p, q->due_by == RF_TIME_UNSET ? INT64_MAX : q->due_by);
    if (q->lease_free_at == RF_TIME_UNSET) {
        rf__pg_param_null(p);
    } else {
        rf__pg_param_int(p, q->lease_free_at);
    }
}

static int visit_task(const rf__pg_scan *s)
{
    return s->fn.task(s->record, s->payload);
}

/* The statement that starts from the most selective filter given, as in
 * sqlite_tasks.c: a referral's and a party's tasks are few and come in id
 * order from their index; a state's come from the (state, due_at,
 * lease_until) index, which reads only the live tasks the drain asks for,
 * not the closed ones that pile up. */
static const rf__pg_stmt *task_scan_stmt(const rf_task_query *q)
{
    if (q->referral_id != NULL) {
        return &task_scan_referral;
    }
    if (q->party_id != NULL) {
        return &task_scan_party;
    }
    if (q->state != 0) {
        return &task_scan_state;
    }
    return &task_scan;
}

int rf__pg_task_scan(rf_backend *backend, const char *practice, const rf_task_query *query,
                     rf_task_visit_fn visit, void *payload)
{
    static const rf_task_query everything = {NULL, NULL, NULL, 0, 0, RF_TIME_UNSET, RF_TIME_UNSET, 0};
    const rf_task_query *q = query != NULL ? query : &everything;
    rf_task_record record;
    rf__pg_scan s = {.stmt = task_scan_stmt(q),
                     .bind = bind_task_query,
                     .query = q,
                     .after = q->after_id,
                     .limit = q->limit,
                     .cursor_col = 0,
                     .read = read_task,
                     .record = &record,
                     .size = sizeof record,
                     .visit = visit_task,
                     .fn.task = visit,
                     .payload = payload,
                     .what = "scanning tasks"};
    return rf__pg_run_scan((rf_pg *)backend, practice, &s);
}
