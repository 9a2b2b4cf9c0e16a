/* Internal: writing outbox tasks from the domain modules, and the hooks the
 * lifecycle, rewards and client events call to close the loop. */
#ifndef RF_CORE_OUTBOX_INTERNAL_H
#define RF_CORE_OUTBOX_INTERNAL_H

#include "referral/outbox.h"
#include "referral/sys/backend.h"

#define RF_HOUR ((rf_time)3600)
#define RF_DAY ((rf_time)86400)

/* The longest task key: a prefix and up to three ids. */
#define RF_TASK_KEY_MAX 160
/* Prefixes of the keys "<prefix>:<referral id>" of the tasks about a referral
 * that the KPIs look up (loop.c writes them). */
#define RF__TASK_KEY_THANK "thank"
#define RF__TASK_KEY_PARTNER_VISIT "partner_visit"
#define RF__TASK_KEY_PARTNER_CLOSURE "partner_closure"

struct rf_task {
    rf_task_record r;
};

rf_task *rf__task_from_record(const rf_task_record *rec);
/* Load a task in the caller's transaction; RF_ENOTFOUND names it. */
rf_status rf__task_load(rf_store *store, const char *id, rf_task **out);
/* PENDING or SENT: not closed. */
int rf__task_is_open(int state);

/* What a new task is; unset strings are NULL, unset times 0. */
typedef struct rf_task_spec {
    const char *key; /* unique: the task happens once */
    rf_task_kind kind;
    const char *party_id;
    const char *referral_id;
    const char *program_id;
    const char *template_name;
    rf_channel channel;
    const char *data;
    rf_time due_at;
    rf_time deadline_at;
    rf_task_state state; /* 0: PENDING; SUPPRESSED for held-back asks */
} rf_task_spec;

/* Write a task in the caller's transaction and journal `task.created`
 * (or `ask.suppressed`). A task whose key exists already is left as it is:
 * *created (may be NULL) says whether this call wrote one. */
rf_status rf__task_put(rf_store *store, const rf_task_spec *spec, int *created);

/* Cancel the open task with @key, if there is one (`task.cancelled`, @reason). */
rf_status rf__task_cancel_key(rf_store *store, const char *key, const char *reason);

/* The channel to reach @party on: its preferred channel when that is SMS,
 * EMAIL or IN_PERSON, else e-mail when it has an address, SMS when it has a
 * phone, in person otherwise. */
rf_channel rf__reach_channel(const rf_party_record *party);

/* --- hooks (the callers' transactions) --------------------------------------- */

/* A referral was created: thank the referrer, start the referee's intro. */
rf_status rf__loop_on_received(rf_store *store, const rf_referral_record *referral);
/* A referral moved (after the row and its event are written). @first: it had
 * never been in its state before. */
rf_status rf__loop_on_move(rf_store *store, const rf_referral_record *referral, int first);
/* A grant was issued with a hold (status PENDING) or released: tell the recipient. */
rf_status rf__loop_on_grant(rf_store *store, const rf_grant_record *grant);
/* A client event was recorded: the ask policy of every programme decides. */
rf_status rf__asks_on_event(rf_store *store, const rf_client_event_record *event);

/* --- time-driven work (rf_tasks_due) ---------------------------------------- */

/* The programmes' first-response SLA hours, read once (a scan callback must
 * not call the backend; a practice runs a handful of programmes). */
typedef struct rf_sla_hours {
    char program_id[RF_ID_BUFSIZE];
    int urgent, routine;
} rf_sla_hours;
typedef struct rf_sla_table {
    rf_sla_hours *programs;
    size_t count, cap;
    rf_status error;
} rf_sla_table;
rf_status rf__sla_table_load(rf_store *store, rf_sla_table *t);
void rf__sla_table_free(rf_sla_table *t);
/* When the first response to @r was due, or 0 when its programme is unknown. */
rf_time rf__sla_due(const rf_sla_table *t, const rf_referral_record *r);
/* When the practice first answered @r (ACCEPTED, NEEDS_INFO or DECLINED), or 0. */
rf_time rf__first_response(const rf_referral_record *r);

/* Raise SLA_BREACH for referrals with no first response in time. */
rf_status rf__sla_sweep(rf_store *store, rf_time now);
/* Write the asks that fall due by date (days after the first visit, anniversaries). */
rf_status rf__asks_sweep(rf_store *store, rf_time now);

#endif
