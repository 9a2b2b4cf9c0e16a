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

typedef struct sweep {
    rf_sla_table table;
    rf_time now;
    char ids[64][RF_ID_BUFSIZE]; /* breaches found by the scan, raised after it */
    size_t count;
    char last[RF_ID_BUFSIZE];
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
    snprintf(s->last, sizeof s->last, "%s", r->id);
    if (r->direction == RF_DIRECTION_INBOUND && missed(s, r)) {
        snprintf(s->ids[s->count++], RF_ID_BUFSIZE, "%s", r->id);
    }
    return s->count == sizeof s->ids / sizeof s->ids[0];
}

/* Raise the breach once (the task key); journal it when this call raised it. */
static rf_status raise(rf_store *store, const sweep *s, const char *id)
{
    rf_referral *r = NULL;
    rf_status rc = rf__referral_load(store, id, &r);
    if (rc != RF_OK) {
        return rc;
    }
    int urgent = r->r.urgency == RF_URGENCY_URGENT;
    char key[RF_TASK_KEY_MAX], data[96];
    snprintf(key, sizeof key, "sla:%s", r->r.id);
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

static rf_status sweep_referrals(rf_store *store, sweep *s)
{
    for (;;) {
        s->count = 0;
        /* The shortest SLA is an hour: anything received since cannot be late yet. */
        rf_referral_query q = {s->last[0] != '\0' ? s->last : NULL,
                               NULL,
                               NULL,
                               NULL,
                               NULL,
                               RF_DIRECTION_INBOUND,
                               s->now - SLA_LOOKBACK,
                               s->now - RF_HOUR + 1,
                               0};
        char before[RF_ID_BUFSIZE];
        snprintf(before, sizeof before, "%s", s->last);
        rf_status rc =
            (rf_status)store->backend->referral_scan(store->backend, store->practice, &q, collect_missed, s);
        if (rc == RF_OK && s->count > 0 && (rc = rf__tx_begin(store)) == RF_OK) {
            for (size_t i = 0; rc == RF_OK && i < s->count; i++) {
                rc = raise(store, s, s->ids[i]);
            }
            rc = rc == RF_OK ? rf__tx_commit(store) : rf__tx_abort(store, rc);
        }
        if (rc != RF_OK || strcmp(before, s->last) == 0 || s->count < sizeof s->ids / sizeof s->ids[0]) {
            return rc;
        }
    }
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
    return rc;
}
