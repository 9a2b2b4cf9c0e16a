/* Outbox tasks: writing them once, reading and listing them. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "referral/journal.h"
#include "core/outbox_internal.h"
#include "core/records.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/text.h"

static const char *name_in(const char *const *names, int count, int value)
{
    return value > 0 && value < count && names[value] != NULL ? names[value] : "UNSET";
}

const char *rf_task_kind_name(rf_task_kind kind)
{
    static const char *const names[RF_TASK_KIND_COUNT] = {NULL,
                                                          "THANK_REFERRER",
                                                          "PARTNER_SCHEDULED",
                                                          "PARTNER_VISIT_SUMMARY",
                                                          "PARTNER_CLOSURE",
                                                          "STATUS_NOTICE",
                                                          "REFEREE_INTRO",
                                                          "TIER_NUDGE",
                                                          "REWARD_NOTICE",
                                                          "ASK",
                                                          "SLA_BREACH"};
    return name_in(names, RF_TASK_KIND_COUNT, (int)kind);
}

const char *rf_task_state_name(rf_task_state state)
{
    static const char *const names[] = {NULL,     "PENDING",   "SENT",      "ACKED",
                                        "FAILED", "CANCELLED", "SUPPRESSED"};
    return name_in(names, 7, (int)state);
}

const char *rf_ask_outcome_name(rf_ask_outcome outcome)
{
    static const char *const names[] = {NULL, "SENT", "DECLINED", "SHARED", "REFERRED"};
    return name_in(names, 5, (int)outcome);
}

/* The record's strings come first: 9 of them before `kind`. */
_Static_assert(offsetof(rf_task_record, kind) == 9 * sizeof(const char *), "rf_task_record strings");

rf_task *rf__task_from_record(const rf_task_record *rec)
{
    return rf__pack_record(sizeof(rf_task), rec, sizeof *rec, 9);
}

void rf_task_free(rf_task *task)
{
    free(task);
}

rf_channel rf__reach_channel(const rf_party_record *party)
{
    int preferred = party->preferred_channel;
    if (preferred == RF_CHANNEL_SMS || preferred == RF_CHANNEL_EMAIL || preferred == RF_CHANNEL_IN_PERSON) {
        return (rf_channel)preferred;
    }
    return party->email != NULL   ? RF_CHANNEL_EMAIL
           : party->phone != NULL ? RF_CHANNEL_SMS
                                  : RF_CHANNEL_IN_PERSON;
}

rf_status rf__task_put(rf_store *store, const rf_task_spec *spec, int *created)
{
    if (created != NULL) {
        *created = 0;
    }
    rf_task_record existing;
    memset(&existing, 0, sizeof existing);
    int rc = store->backend->task_get_by_key(store->backend, store->practice, spec->key, &existing);
    if (rc != RF_ENOTFOUND) {
        return (rf_status)rc; /* RF_OK: it exists already, and a task happens once */
    }
    char id[RF_ID_BUFSIZE];
    rf__store_new_id(store, id);
    rf_time now = rf_store_now(store);
    rf_task_record t;
    memset(&t, 0, sizeof t);
    t.id = id;
    t.task_key = spec->key;
    t.party_id = spec->party_id;
    t.referral_id = spec->referral_id;
    t.program_id = spec->program_id;
    t.template_name = spec->template_name;
    t.data = spec->data;
    t.kind = (int)spec->kind;
    t.state = spec->state != RF_TASK_STATE_UNSET ? (int)spec->state : RF_TASK_PENDING;
    t.channel = (int)spec->channel;
    t.due_at = spec->due_at != 0 ? spec->due_at : now;
    t.deadline_at = spec->deadline_at;
    t.created_at = t.updated_at = now;
    if (t.state == RF_TASK_SUPPRESSED) {
        t.closed_at = now;
    }
    char data[RF_DETAIL_MAX + 64];
    snprintf(data, sizeof data, "kind=%s%s%s", rf_task_kind_name(spec->kind), spec->data != NULL ? ";" : "",
             spec->data != NULL ? spec->data : "");
    const char *event = t.state == RF_TASK_SUPPRESSED ? RF_EVENT_ASK_SUPPRESSED : RF_EVENT_TASK_CREATED;
    rf_status src = (rf_status)store->backend->task_insert(store->backend, store->practice, &t);
    if (src == RF_OK) {
        src = rf__journal_append(store, event, id, spec->party_id, NULL, data);
    }
    if (src == RF_OK && created != NULL) {
        *created = 1;
    }
    return src;
}

static int task_open(int state)
{
    return state == RF_TASK_PENDING || state == RF_TASK_SENT;
}

rf_status rf__task_cancel_key(rf_store *store, const char *key, const char *reason)
{
    rf_task_record t;
    memset(&t, 0, sizeof t);
    int rc = store->backend->task_get_by_key(store->backend, store->practice, key, &t);
    if (rc == RF_ENOTFOUND ||
        (rc == RF_OK && (t.state != RF_TASK_PENDING || t.lease_until > rf_store_now(store)))) {
        return RF_OK; /* nothing to cancel: never made, or already out of the door (sent or handed out) */
    }
    if (rc != RF_OK) {
        return (rf_status)rc;
    }
    /* The backend's strings last until its next call: keep a copy. */
    rf_task *copy = rf__task_from_record(&t);
    if (copy == NULL) {
        return RF_ENOMEM;
    }
    rf_time now = rf_store_now(store);
    copy->r.state = RF_TASK_CANCELLED;
    copy->r.closed_at = copy->r.updated_at = now;
    copy->r.lease_until = 0;
    copy->r.lease_owner = NULL;
    copy->r.last_error = reason; /* why, for hosts listing tasks: "booked", "referral_ended" */
    char data[RF_DETAIL_MAX + 16];
    snprintf(data, sizeof data, "reason=%s", reason);
    rf_status src = (rf_status)store->backend->task_update(store->backend, store->practice, &copy->r);
    if (src == RF_OK) {
        src = rf__journal_append(store, RF_EVENT_TASK_CANCELLED, copy->r.id, copy->r.party_id, NULL, data);
    }
    rf_task_free(copy);
    return src;
}

/* --- reading ----------------------------------------------------------------------- */

static rf_status load_task(rf_store *store, const char *id, rf_task **out)
{
    rf_task_record rec;
    memset(&rec, 0, sizeof rec);
    int rc = store->backend->task_get(store->backend, store->practice, id, &rec);
    if (rc == RF_ENOTFOUND) {
        return rf__error(RF_ENOTFOUND, RF_ERRCLASS_OUTBOX, "no task '%.64s' in practice '%s'", id,
                         store->practice);
    }
    if (rc != RF_OK) {
        return (rf_status)rc;
    }
    *out = rf__task_from_record(&rec);
    return *out != NULL ? RF_OK : RF_ENOMEM;
}

rf_status rf__task_load(rf_store *store, const char *id, rf_task **out)
{
    *out = NULL;
    return load_task(store, id, out);
}

rf_status rf_task_get(rf_task **out, rf_store *store, const char *id)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(id, "id")) != RF_OK ||
        (rc = rf__store_require(store, 4, "the outbox")) != RF_OK) {
        return rc;
    }
    if ((rc = load_task(store, id, out)) == RF_OK) {
        (*out)->r.lease_owner = NULL; /* the token is the drain's alone: reading a task does not give it */
    }
    return rc;
}

rf_status rf_task_filter_init(rf_task_filter *filter, unsigned int version)
{
    static const rf_task_filter init = RF_TASK_FILTER_INIT;
    return rf__options_init(filter, sizeof init, &init, version, "rf_task_filter", "RF_TASK_FILTER_INIT");
}

int rf__task_is_open(int state)
{
    return task_open(state);
}
