/* The in-memory backend: practices, transactions (an undo log), the journal and idempotency keys.
 * The record tables are in mem_table.c, their types in mem_records.c (parties, codes),
 * mem_referrals.c (programmes, touches, referrals), mem_rewards.c (reward rules, grants),
 * mem_events.c (client events), mem_tasks.c (outbox tasks) and mem_templates.c (message
 * templates), the ledger in mem_ledger.c, the index structures in mem_index.c. A party's
 * preferred channel (version 4) needs nothing of its own: records are stored whole.
 *
 * Every write reserves all the memory it needs before it changes anything, so a failure leaves
 * the records as they were; undo then only ever moves pointers back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <referral.h>
#include <referral/sys/backend.h>

#include "mem_internal.h"

/* --- errors ----------------------------------------------------------------------------------- */

int rf__mem_fail(rf_status code, rf_error_class klass, const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    rf_error_set_str(code, klass, message);
    return code;
}

int rf__mem_oom(void)
{
    rf_error_set_str(RF_ENOMEM, RF_ERRCLASS_NOMEMORY, "memory backend: out of memory");
    return RF_ENOMEM;
}

/* --- practices -------------------------------------------------------------------------------- */

rf__mem_practice *rf__mem_practice_find(rf__mem_backend *b, const char *practice)
{
    rf__mem_practice *p = b->last_practice;
    if (p != NULL && strcmp(p->name, practice) == 0) {
        return p;
    }
    p = rf__mem_map_get(&b->practices, practice);
    if (p != NULL) {
        b->last_practice = p;
    }
    return p;
}

/* An empty practice left behind by a failed or rolled-back write is harmless: nobody can tell it
 * from one that does not exist, and keeping it means undo never frees what a later write uses. */
static int practice_get(rf__mem_backend *b, const char *practice, rf__mem_practice **out)
{
    rf__mem_practice *p = rf__mem_practice_find(b, practice);
    if (p == NULL) {
        size_t len = strlen(practice);
        if (rf__mem_map_reserve(&b->practices, 1) != 0 || (p = calloc(1, sizeof *p + len + 1)) == NULL) {
            return rf__mem_oom();
        }
        memcpy(p->name, practice, len + 1);
        rf__mem_map_put(&b->practices, p->name, rf__mem_hash(p->name), p);
        b->last_practice = p;
    }
    *out = p;
    return RF_OK;
}

static void practice_free(rf__mem_practice *p)
{
    rf__mem_records_free(p);
    rf__mem_ledger_free(&p->ledger);
    for (size_t i = 0; i < p->events_len; i++) {
        free(p->events[i]);
    }
    free(p->events);
    if (p->idempotency.slots != NULL) {
        for (size_t i = 0; i <= p->idempotency.mask; i++) {
            free(p->idempotency.slots[i].value);
        }
    }
    rf__mem_map_free(&p->idempotency);
    free(p);
}

/* --- transactions ----------------------------------------------------------------------------- */

int rf__mem_write_begin(rf__mem_backend *b, const char *member, const char *practice, const void *record,
                        rf__mem_practice **out)
{
    *out = NULL;
    if (b->marks_len == 0) {
        return rf__mem_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                            "memory backend: %s outside a transaction (writes need begin first)", member);
    }
    if (practice == NULL || record == NULL) {
        return rf__mem_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                            "memory backend: %s needs a practice and a record", member);
    }
    if (b->undo_len == b->undo_cap) {
        size_t cap = b->undo_cap != 0 ? b->undo_cap * 2 : 64;
        rf__mem_undo *undo = cap <= SIZE_MAX / sizeof *undo ? realloc(b->undo, cap * sizeof *undo) : NULL;
        if (undo == NULL) {
            return rf__mem_oom();
        }
        b->undo = undo;
        b->undo_cap = cap;
    }
    return practice_get(b, practice, out);
}

rf__mem_undo *rf__mem_undo_push(rf__mem_backend *b, rf__mem_op op, rf__mem_practice *p, void *record,
                                void *previous)
{
    rf__mem_undo *u = &b->undo[b->undo_len++];
    u->op = op;
    u->practice = p;
    u->record = record;
    u->previous = previous;
    return u;
}

static void undo_one(const rf__mem_undo *u)
{
    rf__mem_practice *p = u->practice;
    switch (u->op) {
    case RF__MEM_EVENT_APPEND:
        /* Appends are undone newest first, so the event is always the last one. */
        p->events_len--;
        free(p->events[p->events_len]);
        break;
    case RF__MEM_IDEMPOTENCY_PUT: {
        const rf_idempotency_record *rec = u->record;
        rf__mem_map_remove(&p->idempotency,
                           rf__mem_map_find(&p->idempotency, rec->key, rf__mem_hash(rec->key)));
        free(u->record);
        break;
    }
    case RF__MEM_LEDGER_INSERT: rf__mem_ledger_undo(u); break;
    default: rf__mem_records_undo(u); break;
    }
}

/* The log is empty again: nothing can need an empty group any more. */
static void trim_after(const rf__mem_undo *log, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        rf__mem_records_trim(&log[i]);
    }
}

static int mem_begin(rf_backend *backend)
{
    rf__mem_backend *b = (rf__mem_backend *)backend;
    if (b->marks_len == b->marks_cap) {
        size_t cap = b->marks_cap != 0 ? b->marks_cap * 2 : 8;
        size_t *marks = cap <= SIZE_MAX / sizeof *marks ? realloc(b->marks, cap * sizeof *marks) : NULL;
        if (marks == NULL) {
            return rf__mem_oom();
        }
        b->marks = marks;
        b->marks_cap = cap;
    }
    b->marks[b->marks_len++] = b->undo_len;
    return RF_OK;
}

static int mem_commit(rf_backend *backend)
{
    rf__mem_backend *b = (rf__mem_backend *)backend;
    if (b->marks_len == 0) {
        return rf__mem_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                            "memory backend: commit without an open transaction");
    }
    /* An inner level folds into the outer one simply by forgetting its mark. */
    if (--b->marks_len == 0) {
        for (size_t i = 0; i < b->undo_len; i++) {
            free(b->undo[i].previous);
        }
        trim_after(b->undo, b->undo_len);
        b->undo_len = 0;
    }
    return RF_OK;
}

static void rollback_level(rf__mem_backend *b)
{
    size_t logged = b->undo_len;
    size_t mark = b->marks[--b->marks_len];
    while (b->undo_len > mark) {
        undo_one(&b->undo[--b->undo_len]);
    }
    if (b->marks_len == 0) {
        trim_after(b->undo, logged);
    }
}

static int mem_rollback(rf_backend *backend)
{
    rf__mem_backend *b = (rf__mem_backend *)backend;
    if (b->marks_len == 0) {
        return rf__mem_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                            "memory backend: rollback without an open transaction");
    }
    rollback_level(b);
    return RF_OK;
}

/* --- journal ---------------------------------------------------------------------------------- */

static const size_t event_strings[] = {
    offsetof(rf_event_record, type),      offsetof(rf_event_record, subject_id),
    offsetof(rf_event_record, object_id), offsetof(rf_event_record, idempotency_key),
    offsetof(rf_event_record, data),
};

static int mem_journal_append(rf_backend *backend, const char *practice, const rf_event_record *record,
                              int64_t *seq_out)
{
    rf__mem_backend *b = (rf__mem_backend *)backend;
    rf__mem_practice *p;
    int rc = rf__mem_write_begin(b, "journal_append", practice, record, &p);
    if (rc != RF_OK) {
        return rc;
    }
    if (p->events_len == p->events_cap) {
        size_t cap = p->events_cap != 0 ? p->events_cap * 2 : 64;
        rf_event_record **events =
            cap <= SIZE_MAX / sizeof *events ? realloc(p->events, cap * sizeof *events) : NULL;
        if (events == NULL) {
            return rf__mem_oom();
        }
        p->events = events;
        p->events_cap = cap;
    }
    rf_event_record copy = *record;
    copy.seq = (int64_t)p->events_len + 1;
    rf_event_record *rec =
        rf__mem_pack(&copy, sizeof copy, event_strings, sizeof event_strings / sizeof(size_t));
    if (rec == NULL) {
        return rf__mem_oom();
    }
    p->events[p->events_len++] = rec;
    rf__mem_undo_push(b, RF__MEM_EVENT_APPEND, p, rec, NULL);
    if (seq_out != NULL) {
        *seq_out = rec->seq;
    }
    return RF_OK;
}

static int mem_journal_last_seq(rf_backend *backend, const char *practice, int64_t *out)
{
    rf__mem_backend *b = (rf__mem_backend *)backend;
    if (practice == NULL || out == NULL) {
        return rf__mem_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                            "memory backend: journal_last_seq needs a practice");
    }
    rf__mem_practice *p = rf__mem_practice_find(b, practice);
    *out = p != NULL ? (int64_t)p->events_len : 0;
    return RF_OK;
}

static int mem_journal_scan(rf_backend *backend, const char *practice, int64_t after_seq, unsigned int limit,
                            rf_event_visit_fn visit, void *payload)
{
    rf__mem_backend *b = (rf__mem_backend *)backend;
    if (practice == NULL || visit == NULL) {
        return rf__mem_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                            "memory backend: journal_scan needs a practice and a callback");
    }
    rf__mem_practice *p = rf__mem_practice_find(b, practice);
    if (p == NULL) {
        return RF_OK;
    }
    /* Sequence numbers are dense from 1, so seq n sits at index n - 1. */
    size_t i = after_seq > 0 ? (size_t)after_seq : 0;
    /* Indexing afresh each time round keeps the walk memory-safe should a callback insert. */
    for (unsigned int seen = 0; i < p->events_len && (limit == 0 || seen < limit); i++, seen++) {
        if (visit(p->events[i], payload) != 0) {
            break;
        }
    }
    return RF_OK;
}

/* --- idempotency keys ------------------------------------------------------------------------- */

static const size_t idempotency_strings[] = {
    offsetof(rf_idempotency_record, key),
    offsetof(rf_idempotency_record, operation),
    offsetof(rf_idempotency_record, result_id),
};

static int mem_idempotency_get(rf_backend *backend, const char *practice, const char *key,
                               rf_idempotency_record *out)
{
    rf__mem_backend *b = (rf__mem_backend *)backend;
    if (practice == NULL || key == NULL || out == NULL) {
        return rf__mem_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                            "memory backend: idempotency_get needs a practice, a key and an output record");
    }
    rf__mem_practice *p = rf__mem_practice_find(b, practice);
    const rf_idempotency_record *rec = p != NULL ? rf__mem_map_get(&p->idempotency, key) : NULL;
    if (rec == NULL) {
        memset(out, 0, sizeof *out);
        return rf__mem_fail(RF_ENOTFOUND, RF_ERRCLASS_IDEMPOTENCY,
                            "idempotency key '%.128s' has not been used in practice '%.64s'", key, practice);
    }
    *out = *rec;
    return RF_OK;
}

static int mem_idempotency_put(rf_backend *backend, const char *practice, const rf_idempotency_record *record)
{
    rf__mem_backend *b = (rf__mem_backend *)backend;
    rf__mem_practice *p;
    int rc = rf__mem_write_begin(b, "idempotency_put", practice, record, &p);
    if (rc != RF_OK) {
        return rc;
    }
    if (record->key == NULL) {
        return rf__mem_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                            "memory backend: idempotency record has no key");
    }
    uint64_t hash = rf__mem_hash(record->key);
    const rf__mem_slot *taken = rf__mem_map_find(&p->idempotency, record->key, hash);
    if (taken != NULL) {
        const rf_idempotency_record *first = taken->value;
        return rf__mem_fail(RF_EEXISTS, RF_ERRCLASS_IDEMPOTENCY,
                            "idempotency key '%.128s' was already used by %.64s in practice '%.64s'",
                            record->key, first->operation != NULL ? first->operation : "another call",
                            practice);
    }
    if (rf__mem_map_reserve(&p->idempotency, 1) != 0) {
        return rf__mem_oom();
    }
    rf_idempotency_record *rec = rf__mem_pack(record, sizeof *record, idempotency_strings,
                                              sizeof idempotency_strings / sizeof(size_t));
    if (rec == NULL) {
        return rf__mem_oom();
    }
    rf__mem_map_put(&p->idempotency, rec->key, hash, rec);
    rf__mem_undo_push(b, RF__MEM_IDEMPOTENCY_PUT, p, rec, NULL);
    return RF_OK;
}

/* --- life cycle ------------------------------------------------------------------------------- */

static void mem_free(rf_backend *backend)
{
    rf__mem_backend *b = (rf__mem_backend *)backend;
    if (b == NULL) {
        return;
    }
    /* Roll back first so that every record is in exactly one place: the indexes own the live
     * ones, and the replaced versions the log holds go back into them. */
    while (b->marks_len > 0) {
        rollback_level(b);
    }
    if (b->practices.slots != NULL) {
        for (size_t i = 0; i <= b->practices.mask; i++) {
            if (b->practices.slots[i].value != NULL) {
                practice_free(b->practices.slots[i].value);
            }
        }
    }
    rf__mem_map_free(&b->practices);
    free(b->undo);
    free(b->marks);
    free(b);
}

rf_status rf_backend_memory_new(rf_backend **out)
{
    if (out == NULL) {
        rf_error_set_str(RF_EINVALID, RF_ERRCLASS_ARGUMENT, "rf_backend_memory_new: out must not be NULL");
        return RF_EINVALID;
    }
    *out = NULL;
    rf__mem_backend *b = calloc(1, sizeof *b);
    if (b == NULL) {
        return (rf_status)rf__mem_oom();
    }
    b->base.version = RF_BACKEND_VERSION;
    b->base.begin = mem_begin;
    b->base.commit = mem_commit;
    b->base.rollback = mem_rollback;
    rf__mem_records_install(&b->base);
    rf__mem_referrals_install(&b->base);
    rf__mem_rewards_install(&b->base);
    rf__mem_ledger_install(&b->base);
    rf__mem_events_install(&b->base);
    rf__mem_tasks_install(&b->base);
    rf__mem_templates_install(&b->base);
    b->base.journal_append = mem_journal_append;
    b->base.journal_last_seq = mem_journal_last_seq;
    b->base.idempotency_get = mem_idempotency_get;
    b->base.idempotency_put = mem_idempotency_put;
    b->base.journal_scan = mem_journal_scan;
    b->base.free = mem_free;
    *out = &b->base;
    return RF_OK;
}
