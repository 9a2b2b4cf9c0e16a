/* The SQLite backend's outbox tasks (contract version 4): inserts, updates,
 * gets and scans, described to the machinery in sqlite_rows.c. Column and
 * parameter numbers follow TASK_COLUMNS in sqlite_statements.c. */
#include "sqlite_internal.h"

#define TASK_TEXTS 9
#define TASK_INTS 5   /* kind .. outcome, columns TASK_TEXTS.. */
#define TASK_TIMES 14 /* column of due_at, then the six other times */

_Static_assert(TASK_TEXTS <= RF_SQLITE_MAX_TEXTS, "scratch copy holds every text");
_Static_assert(TASK_TEXTS + TASK_INTS == TASK_TIMES, "integers precede the times");

static int read_task(rf_sqlite *b, sqlite3_stmt *st, int copy, void *record)
{
    rf_task_record *out = record;
    const char **fields[TASK_TEXTS] = {&out->id,          &out->task_key,    &out->party_id,
                                       &out->referral_id, &out->program_id,  &out->template_name,
                                       &out->data,        &out->lease_owner, &out->last_error};
    int *ints[TASK_INTS] = {&out->kind, &out->state, &out->channel, &out->attempts, &out->outcome};
    for (int i = 0; i < TASK_INTS; i++) {
        *ints[i] = sqlite3_column_int(st, TASK_TEXTS + i);
    }
    /* An unset time is NULL in the table and reads back as 0. */
    rf_time *times[] = {&out->due_at,    &out->deadline_at, &out->lease_until, &out->sent_at,
                        &out->closed_at, &out->created_at,  &out->updated_at};
    for (int i = 0; i < (int)(sizeof times / sizeof times[0]); i++) {
        *times[i] = sqlite3_column_int64(st, TASK_TIMES + i);
    }
    return rf__sqlite_read_texts(b, st, copy, fields, TASK_TEXTS);
}

static int bind_task(sqlite3_stmt *st, const char *practice, const void *record)
{
    const rf_task_record *r = record;
    const char *texts[TASK_TEXTS] = {r->id,          r->task_key,    r->party_id,
                                     r->referral_id, r->program_id,  r->template_name,
                                     r->data,        r->lease_owner, r->last_error};
    const int ints[TASK_INTS] = {r->kind, r->state, r->channel, r->attempts, r->outcome};
    rf__sqlite_binder bd = {st, SQLITE_OK};
    rf__sqlite_bind_text(&bd, 1, practice);
    for (int i = 0; i < TASK_TEXTS; i++) {
        rf__sqlite_bind_text(&bd, 2 + i, texts[i]);
    }
    for (int i = 0; i < TASK_INTS; i++) {
        rf__sqlite_bind_int(&bd, 2 + TASK_TEXTS + i, ints[i]);
    }
    /* due_at, created_at and updated_at are always set (due_at is range-
     * filtered on its index); the others store "none" (0) as NULL. */
    rf__sqlite_bind_int(&bd, 2 + TASK_TIMES, r->due_at);
    rf__sqlite_bind_time_or_null(&bd, 3 + TASK_TIMES, r->deadline_at);
    rf__sqlite_bind_time_or_null(&bd, 4 + TASK_TIMES, r->lease_until);
    rf__sqlite_bind_time_or_null(&bd, 5 + TASK_TIMES, r->sent_at);
    rf__sqlite_bind_time_or_null(&bd, 6 + TASK_TIMES, r->closed_at);
    rf__sqlite_bind_int(&bd, 7 + TASK_TIMES, r->created_at);
    rf__sqlite_bind_int(&bd, 8 + TASK_TIMES, r->updated_at);
    return bd.rc;
}

static int task_key_taken(const char *practice, const void *record)
{
    const rf_task_record *r = record;
    return rf__sqlite_fail(RF_EEXISTS, RF_ERRCLASS_OUTBOX,
                           "task key '%s' is already taken in practice '%s': the task was already queued",
                           r->task_key, practice);
}

static const rf__sqlite_record_kind task_kind = {
    .noun = "task",
    .klass = RF_ERRCLASS_OUTBOX,
    .insert = RF_SQ_TASK_INSERT,
    .update = RF_SQ_TASK_UPDATE,
    .update_unkeyed = RF_SQ_TASK_UPDATE_UNKEYED,
    .inserting = "inserting a task",
    .updating = "updating a task",
    .reading = "reading a task",
    .bind = bind_task,
    .read = read_task,
    .unique_column = ".task_key",
    .key_taken = task_key_taken,
};

int rf__sqlite_task_insert(rf_backend *backend, const char *practice, const rf_task_record *record)
{
    return rf__sqlite_insert_record((rf_sqlite *)backend, &task_kind, practice, record, record->id);
}

/* Neither update statement sets the task key, so a different key in
 * @record is simply not stored. */
int rf__sqlite_task_update(rf_backend *backend, const char *practice, const rf_task_record *record)
{
    return rf__sqlite_update_record((rf_sqlite *)backend, &task_kind, practice, record, record->id);
}

int rf__sqlite_task_get(rf_backend *backend, const char *practice, const char *id, rf_task_record *out)
{
    return rf__sqlite_lookup_record((rf_sqlite *)backend, &task_kind, RF_SQ_TASK_GET, practice, id, "id", out,
                                    sizeof *out);
}

int rf__sqlite_task_get_by_key(rf_backend *backend, const char *practice, const char *task_key,
                               rf_task_record *out)
{
    return rf__sqlite_lookup_record((rf_sqlite *)backend, &task_kind, RF_SQ_TASK_GET_BY_KEY, practice,
                                    task_key, "key", out, sizeof *out);
}

/* The parameters of TASK_FILTERS (sqlite_statements.c). */
static int bind_task_page(sqlite3_stmt *st, const char *practice, const void *query)
{
    const rf_task_query *q = query;
    rf__sqlite_binder bd = {st, rf__sqlite_bind_page(st, practice, q->after_id, 3, q->limit)};
    rf__sqlite_bind_text(&bd, 4, q->party_id);
    rf__sqlite_bind_text(&bd, 5, q->referral_id);
    rf__sqlite_bind_int(&bd, 6, q->kind);
    rf__sqlite_bind_int(&bd, 7, q->state);
    rf__sqlite_bind_int(&bd, 8, q->due_by == RF_TIME_UNSET ? INT64_MAX : q->due_by);
    if (q->lease_free_at == RF_TIME_UNSET) {
        if (bd.rc == SQLITE_OK) {
            bd.rc = sqlite3_bind_null(st, 9);
        }
    } else {
        rf__sqlite_bind_int(&bd, 9, q->lease_free_at);
    }
    return bd.rc;
}

static int visit_task(const rf__sqlite_scan *s)
{
    return s->fn.task(s->record, s->payload);
}

/* The statement that starts from the most selective filter given: a
 * referral's and a party's tasks are few and come in id order from their
 * index. A state's come from the (state, due_at, lease_until) index and are
 * sorted: that reads only the state's tasks due by the bound (all of the
 * state's without one), however many others the outbox holds, which is
 * what the drain of due tasks asks each time; the states asked for are the
 * live ones (pending, sent, failed), not the closed tasks that pile up. */
static rf_sqlite_stmt_id task_scan_stmt(const rf_task_query *q)
{
    if (q->referral_id != NULL) {
        return RF_SQ_TASK_SCAN_REFERRAL;
    }
    if (q->party_id != NULL) {
        return RF_SQ_TASK_SCAN_PARTY;
    }
    if (q->state != 0) {
        return RF_SQ_TASK_SCAN_STATE;
    }
    return RF_SQ_TASK_SCAN;
}

int rf__sqlite_task_scan(rf_backend *backend, const char *practice, const rf_task_query *query,
                         rf_task_visit_fn visit, void *payload)
{
    static const rf_task_query everything = {NULL, NULL, NULL, 0, 0, RF_TIME_UNSET, RF_TIME_UNSET, 0};
    const rf_task_query *q = query != NULL ? query : &everything;
    rf_task_record record;
    rf__sqlite_scan s = {.stmt = task_scan_stmt(q),
                         .bind = bind_task_page,
                         .query = q,
                         .read = read_task,
                         .record = &record,
                         .size = sizeof record,
                         .visit = visit_task,
                         .fn.task = visit,
                         .payload = payload,
                         .what = "scanning tasks"};
    return rf__sqlite_run_scan((rf_sqlite *)backend, practice, &s);
}
