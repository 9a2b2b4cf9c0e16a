/* The worker's money and outbox operations: time-driven reward work,
 * redemptions, draining the outbox, and client events with idempotency keys
 * (some shared by every worker, some retried, some reused wrongly). */
#include <stdio.h>
#include <string.h>

#include "worker.h"

/* --- rewards ----------------------------------------------------------------------- */

/* Each grant moves in a transaction of its own, so a call cut short by
 * RF_EBUSY still reports what it moved; the log keeps every part. */
void conc_op_process(conc_worker *k)
{
    rf_status rc;
    for (int attempt = 0;; attempt++) {
        unsigned int released = 0, expired = 0;
        rc = rf_rewards_process(&released, &expired, k->store, RF_TIME_UNSET);
        if (released != 0 || expired != 0) {
            fprintf(k->log, "P %u %u\n", released, expired);
        }
        if (rc != RF_EBUSY || attempt >= CONC_BUSY_RETRIES) {
            break;
        }
        k->busy++;
    }
    if (conc_note(k, CONC_OP_PROCESS, rc) != RF_OK) {
        conc_unexpected(k, CONC_OP_PROCESS, rc, "rf_rewards_process");
    }
}

/* Redeem part of a party's euros; the key doubles as the reference so the
 * parent can find the entries. Sometimes the host retries the same call. */
void conc_op_redeem(conc_worker *k)
{
    char key[64];
    snprintf(key, sizeof key, "w%d-d%ld", k->who, k->seq++);
    rf_redeem_options o = RF_REDEEM_OPTIONS_INIT;
    o.party_id = conc_rand(k, 2) == 0 ? k->w->referrer_id[conc_rand(k, CONC_REFERRERS)]
                                      : k->w->referee_id[conc_rand(k, CONC_REFEREES)];
    o.currency = CONC_CURRENCY;
    o.amount = 1 + (int64_t)conc_rand(k, 1500);
    o.reference = key;
    o.idempotency_key = key;
    int64_t taken = 0;
    rf_status rc;
    CONC_RETRY(k, rc, rf_reward_redeem(&taken, k->store, &o));
    conc_note(k, CONC_OP_REDEEM, rc);
    if (rc == RF_EBALANCE) {
        return;
    }
    if (rc != RF_OK || taken != o.amount) {
        conc_unexpected(k, CONC_OP_REDEEM, rc, "rf_reward_redeem");
        return;
    }
    fprintf(k->log, "D %s %lld\n", key, (long long)taken);
    if (conc_rand(k, 5) == 0) {
        int64_t again = 0;
        CONC_RETRY(k, rc, rf_reward_redeem(&again, k->store, &o));
        if (conc_note(k, CONC_OP_REDEEM, rc) != RF_OK || again != taken) {
            conc_unexpected(k, CONC_OP_REDEEM, rc, "rf_reward_redeem (retried key)");
        }
    }
}

/* --- the outbox -------------------------------------------------------------------- */

/* Take a few due tasks and report each sent with its lease token. A task may
 * be cancelled between the hand-out and the report (its referral was booked):
 * then the report is refused with RF_ESTATE. */
void conc_op_drain(conc_worker *k)
{
    rf_drain_options o = RF_DRAIN_OPTIONS_INIT;
    o.limit = 4;
    /* The longest lease: no other worker's clock passes it while this one holds a task. */
    o.lease_seconds = 86400;
    rf_task_iter *it = NULL;
    rf_status rc;
    CONC_RETRY(k, rc, rf_tasks_due(&it, k->store, RF_TIME_UNSET, &o));
    if (conc_note(k, CONC_OP_DRAIN, rc) != RF_OK) {
        conc_unexpected(k, CONC_OP_DRAIN, rc, "rf_tasks_due");
        return;
    }
    rf_task *t = NULL;
    while ((rc = rf_task_iter_next(&t, it)) == RF_OK) {
        fprintf(k->log, "H %s\n", rf_task_id(t));
        rf_status sent;
        CONC_RETRY(k, sent, rf_task_sent(k->store, rf_task_id(t), rf_task_lease_token(t)));
        conc_note(k, CONC_OP_DRAIN, sent);
        if (sent == RF_OK) {
            fprintf(k->log, "S %s\n", rf_task_id(t));
        } else if (sent != RF_ESTATE) {
            conc_unexpected(k, CONC_OP_DRAIN, sent, "rf_task_sent");
        }
        rf_task_free(t);
    }
    if (rc == RF_EBUSY) {
        k->busy++; /* the rest stays due for the next drain */
    } else if (rc != RF_ITEROVER) {
        conc_note(k, CONC_OP_DRAIN, rc);
        conc_unexpected(k, CONC_OP_DRAIN, rc, "rf_task_iter_next");
    }
    rf_task_iter_free(it);
}

/* --- client events ----------------------------------------------------------------- */

/* The one request a shared key stands for, whoever sends it. */
static void shared_event(const conc_worker *k, uint32_t n, rf_client_event_options *o)
{
    o->party_id = k->w->referrer_id[n % CONC_REFERRERS];
    o->at = CONC_T0 + (rf_time)n * 10;
    switch (n % 3) {
    case 0:
        o->type = RF_CLIENT_EVENT_NPS;
        o->value = (int)(n % 11);
        break;
    case 1: o->type = RF_CLIENT_EVENT_VISIT_COMPLETED; break;
    default:
        o->type = RF_CLIENT_EVENT_REVENUE;
        o->amount = 1000 + (int64_t)n;
        o->currency = CONC_CURRENCY;
        break;
    }
}

static rf_status add_event(conc_worker *k, const rf_client_event_options *o, const char *key,
                           char id[RF_ID_BUFSIZE])
{
    rf_client_event *e = NULL;
    rf_status rc;
    CONC_RETRY(k, rc, rf_client_event_add(&e, k->store, o));
    conc_note(k, CONC_OP_EVENT, rc);
    if (rc == RF_OK) {
        fprintf(k->log, "E %s %s\n", key, rf_client_event_id(e));
        snprintf(id, RF_ID_BUFSIZE, "%s", rf_client_event_id(e));
    }
    rf_client_event_free(e);
    return rc;
}

void conc_op_event(conc_worker *k)
{
    char key[64], id[RF_ID_BUFSIZE], again[RF_ID_BUFSIZE];
    rf_client_event_options o = RF_CLIENT_EVENT_OPTIONS_INIT;
    o.idempotency_key = key;
    if (conc_rand(k, 2) == 0) {
        /* Keys come into use a pair at a time as the shared clock runs, so
         * workers often send a key's first request at the same moment. */
        int64_t tick = (k->clock - CONC_T0) / CONC_STEP, total = (int64_t)CONC_WORKERS * k->w->ops;
        uint32_t n =
            (uint32_t)(tick * (CONC_SHARED_EVENT_KEYS - 2) / (total > 0 ? total : 1)) + conc_rand(k, 2);
        n = n < CONC_SHARED_EVENT_KEYS ? n : CONC_SHARED_EVENT_KEYS - 1;
        snprintf(key, sizeof key, "shared-e%u", n);
        shared_event(k, n, &o);
        rf_status rc = add_event(k, &o, key, id);
        /* Two first requests at once: the loser is told to retry for the winner's result. */
        for (int again_ = 0; rc == RF_ECONFLICT && again_ < 3; again_++) {
            rc = add_event(k, &o, key, id);
        }
        if (rc != RF_OK) {
            conc_unexpected(k, CONC_OP_EVENT, rc, "rf_client_event_add (shared key)");
        }
        return;
    }
    snprintf(key, sizeof key, "w%d-e%ld", k->who, k->seq++);
    o.party_id = k->w->referrer_id[conc_rand(k, CONC_REFERRERS)];
    int nps = conc_rand(k, 2) == 0;
    o.type = nps ? RF_CLIENT_EVENT_NPS : RF_CLIENT_EVENT_PRAISE;
    o.value = nps ? (int)conc_rand(k, 11) : RF_UNSET;
    rf_status rc = add_event(k, &o, key, id);
    if (rc != RF_OK) {
        conc_unexpected(k, CONC_OP_EVENT, rc, "rf_client_event_add");
        return;
    }
    uint32_t roll = conc_rand(k, 20);
    if (roll < 5) {
        /* The host lost the answer and sends the same request again. */
        rc = add_event(k, &o, key, again);
        if (rc != RF_OK || strcmp(id, again) != 0) {
            conc_unexpected(k, CONC_OP_EVENT, rc, "rf_client_event_add (retried key)");
        }
    } else if (roll == 5) {
        /* The same key for a different request is refused. */
        if (nps) {
            o.value = (o.value + 1) % 11;
        } else {
            o.label = "front desk";
        }
        rc = add_event(k, &o, key, again);
        if (rc != RF_ECONFLICT) {
            conc_unexpected(k, CONC_OP_EVENT, rc, "rf_client_event_add (key reused)");
        }
    }
}
