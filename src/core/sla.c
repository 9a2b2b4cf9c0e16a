/* First-response SLA: a referral with no ACCEPTED, NEEDS_INFO or DECLINED
 * within its urgency's hours raises an SLA_BREACH task, once — found while
 * still unanswered, or, when the answer came late between two sweeps, by
 * its time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "referral/journal.h"
#include "core/outbox_internal.h"
#include "core/referrals.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"

/* How far back the sweep looks: a referral unanswered for longer was raised long ago. */
#define SLA_LOOKBACK (90 * RF_DAY)

/* When the practice first answered, or 0. */
static rf_time first_response(const rf_referral_record *r)
{
    static const int answers[] = {RF_REFERRAL_ACCEPTED, RF_REFERRAL_NEEDS_INFO, RF_REFERRAL_DECLINED};
    rf_time first = 0;
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
        rf_time t = r->reached_at[answers[i]];
        first = t != 0 && (first == 0 || t < first) ? t : first;
    }
    return first;
}

rf_time rf__first_response(const rf_referral_record *r)
{
    return first_response(r);
}

static int collect_hours(const rf_program_record *rec, void *payload)
{
    rf_sla_table *t = payload;
    rf_program *p = rf__program_from_record(rec);
    if (p == NULL ||
        (t->error = rf__reserve(&t->programs, &t->cap, t->count, sizeof *t->programs)) != RF_OK) {
        t->error = RF_ENOMEM;
        rf_program_free(p);
        return 1;
    }
    rf_sla_hours *h = &t->programs[t->count++];
    snprintf(h->program_id, sizeof h->program_id, "%s", rec->id);
    h->urgent = p->s.sla_urgent_hours;
    h->routine = p->s.sla_routine_hours;
    rf_program_free(p);
    return 0;
}

rf_status rf__sla_table_load(rf_store *store, rf_sla_table *t)
{
    memset(t, 0, sizeof *t);
    rf_status rc =
        (rf_status)store->backend->program_scan(store->backend, store->practice, NULL, 0, collect_hours, t);
    if (rc == RF_OK) {
        rc = t->error;
    }
    if (rc != RF_OK) {
        rf__sla_table_free(t);
    }
    return rc;
}

void rf__sla_table_free(rf_sla_table *t)
{
    free(t->programs);
    memset(t, 0, sizeof *t);
}

rf_time rf__sla_due(const rf_sla_table *t, const rf_referral_record *r)
{
    for (size_t i = 0; i < t->count; i++) {
        if (strcmp(t->programs[i].program_id, r->program_id) == 0) {
            int hours = r->urgency == RF_URGENCY_URGENT ? t->programs[i].urgent : t->programs[i].routine;
            return r->reached_at[RF_REFERRAL_RECEIVED] + (rf_time)hours * RF_HOUR;
        }
    }
    return 0;
}

/* The misses one programme's scan found, raised after it. They are held
 * rather than raised in batches from a restarted scan: the programme + period
 * scan is sorted by the backend, and restarting it after each batch would sort
 * the window again every time (a quarter or more of a busy practice's
 * referrals miss, so a window holds thousands). The list is bounded by the
 * referrals received in the look-back window, never by the practice's
 * history. */
typedef struct sweep {
    rf_sla_table table;
    rf_time now;
    char (*ids)[RF_ID_BUFSIZE];
    size_t count, cap;
    rf_status error;
} sweep;

/* A miss: unanswered past the deadline while still waiting, or answered after it. */
static int missed(const sweep *s, const rf_referral_record *r)
{
    rf_time due = rf__sla_due(&s->table, r), answered = first_response(r);
    int waiting = r->state == RF_REFERRAL_RECEIVED || r->state == RF_REFERRAL_ON_HOLD;
    return due != 0 && (answered == 0 ? waiting && s->now >= due : answered > due);
}

static int collect_missed(const rf_referral_record *r, void *payload)
{
    sweep *s = payload;
    if (r->direction != RF_DIRECTION_INBOUND || !missed(s, r)) {
        return 0;
    }
    if ((s->error = rf__reserve(&s->ids, &s->cap, s->count, sizeof *s->ids)) != RF_OK) {
        return 1;
    }
    snprintf(s->ids[s->count++], RF_ID_BUFSIZE, "%s", r->id);
    return 0;
}

/* Raise the breach once (the task key); journal it when this call raised it.
 * A breach raised by an earlier sweep is passed over before anything is read. */
static rf_status raise(rf_store *store, const sweep *s, const char *id)
{
    char key[RF_TASK_KEY_MAX];
    snprintf(key, sizeof key, "sla:%s", id);
    rf_task_record existing;
    memset(&existing, 0, sizeof existing);
    int found = store->backend->task_get_by_key(store->backend, store->practice, key, &existing);
    if (found != RF_ENOTFOUND) {
        return (rf_status)found; /* RF_OK: raised before */
    }
    rf_referral *r = NULL;
    rf_status rc = rf__referral_load(store, id, &r);
    if (rc != RF_OK) {
        return rc;
    }
    int urgent = r->r.urgency == RF_URGENCY_URGENT;
    char data[96];
    snprintf(data, sizeof data, "urgency=%s;due=%lld", urgent ? "URGENT" : "ROUTINE",
             (long long)rf__sla_due(&s->table, &r->r));
    rf_task_spec spec = {key,
                         RF_TASK_SLA_BREACH,
                         r->r.practitioner_id,
                         r->r.id,
                         r->r.program_id,
                         "sla_breach",
                         RF_CHANNEL_UNSET,
                         data,
                         s->now,
                         0,
                         RF_TASK_STATE_UNSET};
    int created = 0;
    if ((rc = rf__task_put(store, &spec, &created)) == RF_OK && created) {
        rc = rf__journal_append(store, RF_EVENT_SLA_BREACHED, r->r.id, r->r.practitioner_id, NULL, data);
    }
    rf_referral_free(r);
    return rc;
}

/* Misses are raised this many to a transaction. */
#define RAISE_BATCH 64

/* One programme's referrals received in the look-back window, found by the
 * backend's programme + period index (a whole-practice period scan would
 * read every referral the practice ever had, on every drain). */
static rf_status sweep_program(rf_store *store, sweep *s, const char *program_id)
{
    s->count = 0;
    /* The shortest SLA is an hour: anything received since cannot be late yet. */
    rf_referral_query q = {NULL,
                           program_id,
                           NULL,
                           NULL,
                           NULL,
                           RF_DIRECTION_INBOUND,
                           s->now - SLA_LOOKBACK,
                           s->now - RF_HOUR + 1,
                           0};
    rf_status rc =
        (rf_status)store->backend->referral_scan(store->backend, store->practice, &q, collect_missed, s);
    rc = rc == RF_OK ? s->error : rc;
    for (size_t done = 0; rc == RF_OK && done < s->count; done += RAISE_BATCH) {
        if ((rc = rf__tx_begin(store)) == RF_OK) {
            for (size_t i = done; rc == RF_OK && i < s->count && i < done + RAISE_BATCH; i++) {
                rc = raise(store, s, s->ids[i]);
            }
            rc = rc == RF_OK ? rf__tx_commit(store) : rf__tx_abort(store, rc);
        }
    }
    return rc;
}

/* Every referral has a programme (rf_referral_create requires one), so the
 * programmes' scans together cover them all. */
static rf_status sweep_referrals(rf_store *store, sweep *s)
{
    rf_status rc = RF_OK;
    for (size_t i = 0; rc == RF_OK && i < s->table.count; i++) {
        rc = sweep_program(store, s, s->table.programs[i].program_id);
    }
    return rc;
}

rf_status rf__sla_sweep(rf_store *store, rf_time now)
{
    sweep s;
    memset(&s, 0, sizeof s);
    s.now = now;
    rf_status rc = rf__sla_table_load(store, &s.table);
    if (rc == RF_OK && s.table.count > 0) {
        rc = sweep_referrals(store, &s);
    }
    rf__sla_table_free(&s.table);
    free(s.ids);
    return rc;
}
