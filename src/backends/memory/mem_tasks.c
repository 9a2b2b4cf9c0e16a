/* The memory backend's outbox tasks (contract version 4), described for mem_table.c. A task is
 * found by its unique task key and grouped by party, referral and state. The state group is what
 * keeps draining cheap: "pending, due and not leased" walks the pending tasks only, never the
 * history of sent and acknowledged ones; due and lease times are checked record by record. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <referral.h>
#include <referral/sys/backend.h>

#include "mem_internal.h"

/* The shared table code reads a record's id as its first member. */
_Static_assert(offsetof(rf_task_record, id) == 0, "rf_task_record.id must come first");

#define TASK_STRING(field) offsetof(rf_task_record, field)
static const size_t task_strings[] = {
    TASK_STRING(id),          TASK_STRING(task_key),    TASK_STRING(party_id),
    TASK_STRING(referral_id), TASK_STRING(program_id),  TASK_STRING(template_name),
    TASK_STRING(data),        TASK_STRING(lease_owner), TASK_STRING(last_error),
};

/* The groupings, in the order of rf__mem_scan.key. */
enum { BY_PARTY, BY_REFERRAL, BY_STATE, TASK_GROUPINGS };
_Static_assert(TASK_GROUPINGS <= RF__MEM_MAX_GROUPINGS, "too many task groupings");

static const char *task_key(const void *record)
{
    return ((const rf_task_record *)record)->task_key;
}

static int task_key_taken(const char *practice, const void *record, const void *holder)
{
    return rf__mem_fail(RF_EEXISTS, RF_ERRCLASS_OUTBOX,
                        "task key '%.160s' is already held by task %.40s in practice '%.64s'",
                        task_key(record), rf__mem_item_id(holder), practice);
}

static size_t state_key(const void *record, const char *keys[RF__MEM_MAX_GROUP_KEYS])
{
    keys[0] = rf__mem_int_key(((const rf_task_record *)record)->state);
    return 1;
}

static const rf__mem_kind task_kind = {
    .table = RF__MEM_TASKS,
    .noun = "task",
    .klass = RF_ERRCLASS_OUTBOX,
    .size = sizeof(rf_task_record),
    .strings = task_strings,
    .n_strings = sizeof task_strings / sizeof task_strings[0],
    /* The key is what makes a task happen once: a task without one could happen twice. */
    .invalid = "memory backend: task record needs an id and a task key",
    .key_required = 1,
    .key = task_key,
    .key_taken = task_key_taken,
    .n_groupings = TASK_GROUPINGS,
    .groupings =
        {
            [BY_PARTY] = {NULL, TASK_STRING(party_id)},
            [BY_REFERRAL] = {NULL, TASK_STRING(referral_id)},
            [BY_STATE] = {state_key, 0},
        },
};

static int mem_task_insert(rf_backend *backend, const char *practice, const rf_task_record *record)
{
    return rf__mem_insert(backend, &task_kind, "task_insert", practice, record);
}

static int mem_task_update(rf_backend *backend, const char *practice, const rf_task_record *record)
{
    /* The task key never changes: keep the stored one whatever the record says, as an SQL
     * UPDATE that leaves the key's column alone would. */
    rf_task_record copy;
    rf__mem_practice *p = practice != NULL && record != NULL && record->id != NULL
                              ? rf__mem_practice_find((rf__mem_backend *)backend, practice)
                              : NULL;
    const rf_task_record *old =
        p != NULL ? rf__mem_map_get(&p->tables[RF__MEM_TASKS].by_id, record->id) : NULL;
    if (old != NULL) {
        copy = *record;
        copy.task_key = old->task_key;
        record = &copy;
    }
    return rf__mem_update(backend, &task_kind, "task_update", practice, record);
}

static int mem_task_get(rf_backend *backend, const char *practice, const char *id, rf_task_record *out)
{
    return rf__mem_get(backend, &task_kind, "task_get", 0, practice, id, "id", out);
}

static int mem_task_get_by_key(rf_backend *backend, const char *practice, const char *key,
                               rf_task_record *out)
{
    return rf__mem_get(backend, &task_kind, "task_get_by_key", 1, practice, key, "task key", out);
}

static int visit_task(const rf__mem_scan *s, const void *record)
{
    const rf_task_record *rec = record;
    const rf_task_query *q = s->query;
    /* The state group holds other states too when the state is past the keyed ones. */
    if ((q->kind != 0 && rec->kind != q->kind) || (q->state != 0 && rec->state != q->state) ||
        (q->due_by != RF_TIME_UNSET && rec->due_at > q->due_by) ||
        (q->lease_free_at != RF_TIME_UNSET && rec->lease_until != 0 && rec->lease_until > q->lease_free_at)) {
        return RF__MEM_SCAN_SKIP;
    }
    return s->fn.task(rec, s->payload) != 0 ? RF__MEM_SCAN_STOP : RF__MEM_SCAN_NEXT;
}

static int mem_task_scan(rf_backend *backend, const char *practice, const rf_task_query *query,
                         rf_task_visit_fn visit, void *payload)
{
    static const rf_task_query all = {
        .due_by = RF_TIME_UNSET,
        .lease_free_at = RF_TIME_UNSET,
    };
    const rf_task_query *q = query != NULL ? query : &all;
    rf__mem_scan s = {q,
                      q->after_id,
                      q->limit,
                      {
                          [BY_PARTY] = q->party_id,
                          [BY_REFERRAL] = q->referral_id,
                          [BY_STATE] = q->state != 0 ? rf__mem_int_key(q->state) : NULL,
                      },
                      visit_task,
                      {.task = visit},
                      payload};
    return rf__mem_scan_table(backend, &task_kind, "task_scan", practice, visit != NULL, &s);
}

void rf__mem_tasks_install(rf_backend *backend)
{
    backend->task_insert = mem_task_insert;
    backend->task_update = mem_task_update;
    backend->task_get = mem_task_get;
    backend->task_get_by_key = mem_task_get_by_key;
    backend->task_scan = mem_task_scan;
}
