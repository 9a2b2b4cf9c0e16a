/*
 * kpi_gen_clients.c: clients being seen, and what the host reports about them.
 *
 * A client comes in episodes of visits about twelve days apart; each visit
 * is a VISIT_COMPLETED and its REVENUE (euro cents), sometimes an NPS score
 * (mostly 8-10, better with some practitioners than others), a cleared
 * payment, praise, a milestone, a complaint (resolved at the next visit) or a
 * sensitive phase. An episode ends with a DISCHARGE, and some clients come
 * back months later. Base clients come for long episodes and often return;
 * converted referees for short ones. The programme's ask policy turns the
 * good moments into asks by itself.
 */
#include "kpi_gen.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void event(kpi_gen *g, const char *party, rf_client_event_type type, int value, const char *label,
                  int64_t amount, const char *practitioner)
{
    rf_client_event_options o = RF_CLIENT_EVENT_OPTIONS_INIT;
    o.party_id = party;
    o.type = type;
    o.value = value;
    o.label = label;
    o.practitioner_id = practitioner;
    if (amount > 0) {
        o.amount = amount;
        o.currency = KPI_CURRENCY;
    }
    rf_client_event *e = NULL;
    rf_status rc = rf_client_event_add(&e, g->store, &o);
    if (rc != RF_OK) {
        kpi_die("recording a client event", rc);
    }
    rf_client_event_free(e);
    kpi_wrote(g, KPI_CALL_EVENT);
}

/* 0-10, skewed to 8-10; a practitioner's quality moves the top scores. */
static int nps_score(kpi_gen *g, int practitioner)
{
    double w[11] = {1.0, 0.5, 0.5, 0.7, 0.8, 1.5, 2.5, 5.0, 15.0, 25.0, 35.0};
    double q = practitioner >= 0 ? g->staff_quality[practitioner] : 1.0;
    w[9] *= pow(q, 6);
    w[10] *= pow(q, 6);
    return kpi_pick(&g->rng, w, 11);
}

/* A session: the visit, its invoice, and now and then a score. */
static int64_t session(kpi_gen *g, const char *party, int practitioner, double nps_share)
{
    int64_t amount = (int64_t)(kpi_lognormal(&g->rng, 6500.0, 0.35) / 50.0 + 0.5) * 50;
    amount = amount < 1000 ? 1000 : amount;
    event(g, party, RF_CLIENT_EVENT_VISIT_COMPLETED, RF_UNSET, NULL, RF_AMOUNT_UNSET,
          practitioner >= 0 ? g->staff[practitioner] : NULL);
    event(g, party, RF_CLIENT_EVENT_REVENUE, RF_UNSET, NULL, amount, NULL);
    if (kpi_chance(&g->rng, nps_share)) {
        event(g, party, RF_CLIENT_EVENT_NPS, nps_score(g, practitioner), NULL, RF_AMOUNT_UNSET, NULL);
    }
    return amount;
}

void kpi_seen_events(kpi_gen *g, const char *party_id, int practitioner)
{
    session(g, party_id, practitioner, 0.3);
}

void kpi_care_start(kpi_gen *g, const char *id, int practitioner, int base, rf_time first)
{
    uint32_t slot = kpi_pool_take(&g->cares);
    kpi_care *c = kpi_pool_at(&g->cares, slot);
    kpi_copy(c->id, sizeof c->id, id);
    c->practitioner = (unsigned char)practitioner;
    c->base = (unsigned char)base;
    kpi_queue_push(&g->queue, first, KPI_EV_VISIT, slot);
}

void kpi_visit(kpi_gen *g, uint32_t slot)
{
    static const double discharge_w[] = {65, 25, 10};
    static const char *const praise[] = {"google review", "front desk", "thank-you card"};
    kpi_care *c = kpi_pool_at(&g->cares, slot);
    kpi_rng *r = &g->rng;
    char label[32];
    if (c->complaint) {
        snprintf(label, sizeof label, "CMP-%ld", c->complaint_number);
        event(g, c->id, RF_CLIENT_EVENT_COMPLAINT_RESOLVED, RF_UNSET, label, RF_AMOUNT_UNSET, NULL);
        c->complaint = 0;
    }
    if (c->sensitive) {
        event(g, c->id, RF_CLIENT_EVENT_SENSITIVE_PHASE, 0, NULL, RF_AMOUNT_UNSET, NULL);
        c->sensitive = 0;
    }
    c->visits++;
    int64_t amount = session(g, c->id, c->practitioner, 0.22);
    if (kpi_chance(r, 0.06)) {
        event(g, c->id, RF_CLIENT_EVENT_PAYMENT_CLEARED, RF_UNSET, NULL, amount, NULL);
    }
    if (kpi_chance(r, 0.025)) {
        event(g, c->id, RF_CLIENT_EVENT_PRAISE, RF_UNSET, praise[kpi_below(r, 3)], RF_AMOUNT_UNSET, NULL);
    }
    if (c->visits == 6 || c->visits == 12) {
        snprintf(label, sizeof label, "session %d", c->visits);
        event(g, c->id, RF_CLIENT_EVENT_MILESTONE, RF_UNSET, label, RF_AMOUNT_UNSET, NULL);
    }
    if (kpi_chance(r, 0.008)) {
        c->complaint = 1;
        c->complaint_number = ++g->complaints;
        snprintf(label, sizeof label, "CMP-%ld", c->complaint_number);
        event(g, c->id, RF_CLIENT_EVENT_COMPLAINT_OPENED, RF_UNSET, label, RF_AMOUNT_UNSET, NULL);
    } else if (kpi_chance(r, 0.003)) {
        c->sensitive = 1;
        event(g, c->id, RF_CLIENT_EVENT_SENSITIVE_PHASE, 1, NULL, RF_AMOUNT_UNSET, NULL);
    }
    if (kpi_chance(r, c->base ? 0.9 : 0.4)) {
        kpi_queue_push(&g->queue, kpi_slot(g->now + kpi_delay(r, 12 * KPI_DAY, 0.5)), KPI_EV_VISIT, slot);
        return;
    }
    event(g, c->id, RF_CLIENT_EVENT_DISCHARGE, RF_DISCHARGE_GOOD + kpi_pick(r, discharge_w, 3), NULL,
          RF_AMOUNT_UNSET, NULL);
    if (kpi_chance(r, c->base ? 0.55 : 0.15)) {
        c->visits = 0; /* a new episode, months later */
        kpi_queue_push(&g->queue, kpi_slot(g->now + kpi_delay(r, 120 * KPI_DAY, 0.5)), KPI_EV_VISIT, slot);
        return;
    }
    kpi_pool_give(&g->cares, slot);
}
