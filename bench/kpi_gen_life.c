/*
 * kpi_gen_life.c: each referral's lifecycle, decided one move at a time.
 *
 * After every move the journey draws its next one and when it happens, from
 * the state it is in (a small state machine with the practice's habits as
 * probabilities), and queues it. What comes out, for inbound referrals:
 * about 85 % answered (most accepted, some asking for information first and
 * accepting once the documents arrive, some declined), about 70 % scheduled,
 * about 8 % of appointments missed (some rebooked, some lost), reschedules,
 * about 60 % seen and 50 % closed (the lead becomes a client), cancellations,
 * holds and a few entered in error. Delays are log-normal (hours to weeks),
 * and the practice answers and books in working hours, so weekends show.
 * A move due after the two years end is never made: the referral stays open.
 */
#include "kpi_gen.h"

#include <stdio.h>
#include <string.h>

#define MIN_GAP 60 /* seconds between two moves of one referral */

static const char *const reason_declined = "Outside the practice's scope";
static const char *const reason_declined_partner = "The partner has no capacity";
static const char *const reason_lost = "Could not reach the referee";
static const char *const reason_lost_no_show = "Did not return after a missed appointment";
static const char *const reason_cancelled = "The referee changed their mind";
static const char *const reason_hold = "Waiting for the insurer's approval";

void kpi_schedule(kpi_gen *g, uint32_t slot, int op, int to, rf_time at)
{
    kpi_referral *r = kpi_pool_at(&g->referrals, slot);
    r->next_op = (unsigned char)op;
    r->next_to = (unsigned char)to;
    r->next_at = at > g->now ? at : g->now;
    kpi_queue_push(&g->queue, r->next_at, KPI_EV_STEP, slot);
}

static void move(kpi_gen *g, uint32_t slot, int to, rf_time at, const char *reason)
{
    kpi_referral *r = kpi_pool_at(&g->referrals, slot);
    r->next_reason = reason;
    kpi_schedule(g, slot, KPI_OP_MOVE, to, at > g->now + MIN_GAP ? at : g->now + MIN_GAP);
}

static void book(kpi_gen *g, uint32_t slot, rf_time at, rf_time appointment)
{
    kpi_referral *r = kpi_pool_at(&g->referrals, slot);
    at = at > g->now + MIN_GAP ? at : g->now + MIN_GAP;
    r->next_appointment = kpi_slot(appointment > at + KPI_HOUR ? appointment : at + KPI_HOUR);
    move(g, slot, RF_REFERRAL_SCHEDULED, at, NULL);
}

/* ---- inbound ------------------------------------------------------------------------------------ */

static double quality(const kpi_gen *g, const kpi_referral *r)
{
    double q = r->practitioner != 0xff ? g->staff_quality[r->practitioner] : 1.0;
    return q * (r->source == RF_SOURCE_TOUCH ? 0.96 : 1.0) * (r->variant == 'B' ? 1.02 : 1.0);
}

/* The practice's first answer, @at: information asked for, declined or accepted. */
static void answer(kpi_gen *g, uint32_t slot, rf_time at)
{
    kpi_referral *r = kpi_pool_at(&g->referrals, slot);
    int complete = r->docs_in == kpi_doc_count(r->docs);
    double decline = r->by == KPI_BY_PARTNER ? 0.06 : r->source == RF_SOURCE_TOUCH ? 0.11 : 0.09;
    r->answered = 1;
    if (kpi_chance(&g->rng, complete ? 0.025 : 0.55)) {
        move(g, slot, RF_REFERRAL_NEEDS_INFO, at, NULL);
    } else if (kpi_chance(&g->rng, decline)) {
        move(g, slot, RF_REFERRAL_DECLINED, at, reason_declined);
    } else {
        move(g, slot, RF_REFERRAL_ACCEPTED, at, NULL);
    }
}

/* 0 when the journey stops here. */
static int next_received(kpi_gen *g, uint32_t slot)
{
    kpi_referral *r = kpi_pool_at(&g->referrals, slot);
    kpi_rng *rng = &g->rng;
    if (r->answered) { /* back from NEEDS_INFO: the second look is quicker */
        rf_time at = kpi_working(g->now + kpi_delay(rng, 5 * KPI_HOUR, 0.8));
        if (kpi_chance(rng, 0.88)) {
            move(g, slot, RF_REFERRAL_ACCEPTED, at, NULL);
        } else {
            move(g, slot, RF_REFERRAL_DECLINED, at, reason_declined);
        }
        return 1;
    }
    /* Urgent ones are answered within hours, most of them out of hours too; routine ones in working hours. */
    int urgent = r->urgency == RF_URGENCY_URGENT, on_call = urgent && kpi_chance(rng, 0.6);
    rf_time respond = g->now + (urgent ? kpi_delay(rng, 90 * 60, 0.8) : kpi_delay(rng, 10 * KPI_HOUR, 1.0));
    rf_time at = on_call ? respond : kpi_working(respond);
    if (!r->was_held) {
        double x = kpi_unit(rng), unanswered = r->by == KPI_BY_PARTNER ? 0.12 : 0.17;
        if (x < 0.006) {
            move(g, slot, RF_REFERRAL_ENTERED_IN_ERROR, at, NULL);
            return 1;
        }
        if (x < 0.006 + unanswered) {
            double y = kpi_unit(rng);
            if (y < 0.3) {
                move(g, slot, RF_REFERRAL_CANCEL_REQUESTED, g->now + kpi_delay(rng, 6 * KPI_DAY, 0.7), NULL);
            } else if (y < 0.42) {
                move(g, slot, RF_REFERRAL_ON_HOLD, at, reason_hold);
            } else {
                return 0; /* never answered */
            }
            return 1;
        }
    }
    answer(g, slot, at);
    return 1;
}

static void next_accepted(kpi_gen *g, uint32_t slot)
{
    kpi_referral *r = kpi_pool_at(&g->referrals, slot);
    kpi_rng *rng = &g->rng;
    if (!r->was_held && kpi_chance(rng, 0.012)) {
        move(g, slot, RF_REFERRAL_ON_HOLD, g->now + kpi_delay(rng, KPI_DAY, 0.5), reason_hold);
        return;
    }
    double x = kpi_unit(rng);
    if (x < 0.035) {
        move(g, slot, RF_REFERRAL_LOST, g->now + kpi_delay(rng, 18 * KPI_DAY, 0.5), reason_lost);
    } else if (x < 0.06) {
        move(g, slot, RF_REFERRAL_CANCEL_REQUESTED, g->now + kpi_delay(rng, 5 * KPI_DAY, 0.8), NULL);
    } else {
        int urgent = r->urgency == RF_URGENCY_URGENT;
        rf_time at = kpi_working(
            g->now + (urgent ? kpi_delay(rng, 3 * KPI_HOUR, 0.8) : kpi_delay(rng, 26 * KPI_HOUR, 1.0)));
        rf_time wait = urgent ? kpi_delay(rng, 29 * KPI_HOUR, 0.6) : kpi_delay(rng, 6 * KPI_DAY, 0.7);
        book(g, slot, at, at + wait);
    }
}

static void next_scheduled(kpi_gen *g, uint32_t slot)
{
    kpi_referral *r = kpi_pool_at(&g->referrals, slot);
    kpi_rng *rng = &g->rng;
    rf_time appt = r->appointment;
    if (r->reschedules < 2 && appt - g->now > 4 * KPI_HOUR &&
        kpi_chance(rng, r->reschedules == 0 ? 0.12 : 0.25)) {
        r->reschedules++;
        rf_time at = g->now + (rf_time)((double)(appt - g->now) * (0.2 + 0.6 * kpi_unit(rng)));
        book(g, slot, at, appt + kpi_delay(rng, 4 * KPI_DAY, 0.6));
        return;
    }
    double x = kpi_unit(rng), seen = 0.78 * quality(g, r);
    seen = seen > 0.95 ? 0.95 : seen;
    if (x < seen) {
        move(g, slot, RF_REFERRAL_SEEN, appt + 50 * 60, NULL);
    } else if (x < seen + 0.085) {
        move(g, slot, RF_REFERRAL_NO_SHOW, appt + 30 * 60, NULL);
    } else if (x < seen + 0.135) {
        move(g, slot, RF_REFERRAL_APPT_CANCELLED, appt - kpi_delay(rng, 20 * KPI_HOUR, 0.7), NULL);
    } else {
        move(g, slot, RF_REFERRAL_CANCEL_REQUESTED, appt - kpi_delay(rng, 2 * KPI_DAY, 0.7), NULL);
    }
}

/* After a missed or cancelled appointment: book again, lose them, or they cancel. */
static void next_missed(kpi_gen *g, uint32_t slot, double rebook)
{
    kpi_referral *r = kpi_pool_at(&g->referrals, slot);
    kpi_rng *rng = &g->rng;
    double x = kpi_unit(rng);
    if (r->rebooks < 2 && x < rebook) {
        r->rebooks++;
        rf_time at = kpi_working(g->now + kpi_delay(rng, KPI_DAY, 0.6));
        book(g, slot, at, at + kpi_delay(rng, 5 * KPI_DAY, 0.6));
    } else if (x < rebook + (1.0 - rebook) * 0.7) {
        move(g, slot, RF_REFERRAL_LOST, g->now + kpi_delay(rng, 14 * KPI_DAY, 0.5), reason_lost_no_show);
    } else {
        move(g, slot, RF_REFERRAL_CANCEL_REQUESTED, g->now + kpi_delay(rng, 3 * KPI_DAY, 0.7), NULL);
    }
}

/* 0 when the journey stops here (seen, never closed). */
static int next_seen(kpi_gen *g, uint32_t slot)
{
    kpi_referral *r = kpi_pool_at(&g->referrals, slot);
    kpi_rng *rng = &g->rng;
    if (r->visits < 3 && kpi_chance(rng, 0.2)) {
        move(g, slot, RF_REFERRAL_SEEN, kpi_slot(g->now + kpi_delay(rng, 8 * KPI_DAY, 0.5)), NULL);
        return 1;
    }
    if (!r->followed_up && kpi_chance(rng, 0.05)) {
        r->followed_up = 1;
        book(g, slot, kpi_working(g->now + KPI_HOUR), g->now + kpi_delay(rng, 10 * KPI_DAY, 0.5));
        return 1;
    }
    double close = 0.81 * quality(g, r) * (r->variant == 'B' ? 1.04 : 1.0);
    if (kpi_chance(rng, close > 0.97 ? 0.97 : close)) {
        move(g, slot, RF_REFERRAL_CLOSED, g->now + kpi_delay(rng, 5 * KPI_DAY, 0.9), NULL);
        return 1;
    }
    return 0;
}

/* 0 when the journey is over. */
static int next_inbound(kpi_gen *g, uint32_t slot)
{
    kpi_referral *r = kpi_pool_at(&g->referrals, slot);
    kpi_rng *rng = &g->rng;
    switch (r->state) {
    case RF_REFERRAL_RECEIVED: return next_received(g, slot);
    case RF_REFERRAL_NEEDS_INFO:
        if (r->docs_in == kpi_doc_count(r->docs)) {
            r->docs_done = 1; /* nothing missing: the question was not about a document */
        }
        if (!r->docs_done && kpi_chance(rng, 0.85)) {
            kpi_schedule(g, slot, KPI_OP_DOCS, 0, g->now + kpi_delay(rng, 3 * KPI_DAY, 0.8));
        } else if (!r->docs_done) {
            move(g, slot, RF_REFERRAL_CANCEL_REQUESTED, g->now + kpi_delay(rng, 10 * KPI_DAY, 0.6), NULL);
        } else {
            move(g, slot, RF_REFERRAL_RECEIVED, g->now + kpi_delay(rng, 2 * KPI_HOUR, 1.0), NULL);
        }
        return 1;
    case RF_REFERRAL_ACCEPTED: next_accepted(g, slot); return 1;
    case RF_REFERRAL_SCHEDULED: next_scheduled(g, slot); return 1;
    case RF_REFERRAL_NO_SHOW: next_missed(g, slot, 0.55); return 1;
    case RF_REFERRAL_APPT_CANCELLED: next_missed(g, slot, 0.65); return 1;
    case RF_REFERRAL_SEEN: return next_seen(g, slot);
    case RF_REFERRAL_CANCEL_REQUESTED:
        move(g, slot, RF_REFERRAL_CANCELLED, kpi_working(g->now + kpi_delay(rng, KPI_DAY, 0.8)),
             reason_cancelled);
        return 1;
    case RF_REFERRAL_ON_HOLD:
        kpi_schedule(g, slot, KPI_OP_RESUME, 0, g->now + kpi_delay(rng, 9 * KPI_DAY, 0.6));
        return 1;
    default: return 0; /* terminal */
    }
}

/* ---- outbound: the practice sends its client to a partner ----------------------------------------- */

static int next_outbound(kpi_gen *g, uint32_t slot)
{
    kpi_referral *r = kpi_pool_at(&g->referrals, slot);
    kpi_rng *rng = &g->rng;
    double x = kpi_unit(rng);
    switch (r->state) {
    case RF_REFERRAL_RECEIVED:
        if (x < 0.92) {
            move(g, slot, RF_REFERRAL_ACCEPTED, kpi_working(g->now + kpi_delay(rng, 2 * KPI_DAY, 0.8)), NULL);
        } else {
            move(g, slot, RF_REFERRAL_DECLINED, kpi_working(g->now + kpi_delay(rng, 2 * KPI_DAY, 0.8)),
                 reason_declined_partner);
        }
        return 1;
    case RF_REFERRAL_ACCEPTED: {
        rf_time at = kpi_working(g->now + kpi_delay(rng, 3 * KPI_DAY, 0.7));
        book(g, slot, at, at + kpi_delay(rng, 12 * KPI_DAY, 0.6));
        return 1;
    }
    case RF_REFERRAL_SCHEDULED:
        if (x < 0.85) {
            move(g, slot, RF_REFERRAL_SEEN, r->appointment + KPI_HOUR, NULL);
        } else if (x < 0.95) {
            move(g, slot, RF_REFERRAL_NO_SHOW, r->appointment + 30 * 60, NULL);
        } else {
            move(g, slot, RF_REFERRAL_APPT_CANCELLED, r->appointment - kpi_delay(rng, KPI_DAY, 0.5), NULL);
        }
        return 1;
    case RF_REFERRAL_NO_SHOW:
    case RF_REFERRAL_APPT_CANCELLED:
        move(g, slot, RF_REFERRAL_LOST, g->now + kpi_delay(rng, 14 * KPI_DAY, 0.5), reason_lost_no_show);
        return 1;
    case RF_REFERRAL_SEEN:
        if (x < 0.9) {
            move(g, slot, RF_REFERRAL_CLOSED, g->now + kpi_delay(rng, 10 * KPI_DAY, 0.7), NULL);
            return 1;
        }
        return 0;
    default: return 0;
    }
}

void kpi_plan_next(kpi_gen *g, uint32_t slot)
{
    kpi_referral *r = kpi_pool_at(&g->referrals, slot);
    if (!(r->outbound ? next_outbound(g, slot) : next_inbound(g, slot))) {
        kpi_pool_give(&g->referrals, slot);
    }
}

/* ---- making the moves ------------------------------------------------------------------------------- */

/* The referee became a client: they keep coming for a while, and some pass their new code on. */
static void converted(kpi_gen *g, const kpi_referral *r)
{
    g->fig->converted++;
    if (kpi_chance(&g->rng, 0.7)) {
        kpi_care_start(g, r->referee, r->practitioner != 0xff ? r->practitioner : kpi_staff_pick(g), 0,
                       kpi_slot(g->now + kpi_delay(&g->rng, 10 * KPI_DAY, 0.5)));
    }
    if (r->partners_programme || !kpi_chance(&g->rng, 0.35)) {
        return;
    }
    rf_code_iter *it = NULL;
    rf_code *code = NULL;
    rf_status rc = rf_code_list(&it, g->store, r->referee);
    if (rc != RF_OK || (rc = rf_code_iter_next(&code, it)) != RF_OK) {
        kpi_die("reading the code a new client was issued", rc);
    }
    kpi_ring_add(g, r->referee, rf_code_text(code));
    rf_code_free(code);
    rf_code_iter_free(it);
}

static void make_move(kpi_gen *g, uint32_t slot)
{
    kpi_referral *r = kpi_pool_at(&g->referrals, slot);
    int to = r->next_to, from = r->state;
    rf_advance_options a = RF_ADVANCE_OPTIONS_INIT;
    a.reason = r->next_reason;
    if (to == RF_REFERRAL_SCHEDULED) {
        a.appointment_at = r->next_appointment;
        r->appointment = r->next_appointment;
    }
    rf_status rc = rf_referral_advance(NULL, g->store, r->id, (rf_referral_state)to, &a);
    if (rc != RF_OK) {
        kpi_die("advancing a referral", rc);
    }
    kpi_wrote(g, KPI_CALL_MOVE);
    g->fig->state_count[from]--;
    g->fig->state_count[to]++;
    r->state = (unsigned char)to;
    r->next_reason = NULL;
    if (to == RF_REFERRAL_ON_HOLD) {
        r->held_from = (unsigned char)from;
        r->was_held = 1;
    } else if (to == RF_REFERRAL_SEEN && !r->outbound) {
        r->visits++;
        kpi_seen_events(g, r->referee, r->practitioner != 0xff ? r->practitioner : -1);
    } else if (to == RF_REFERRAL_CLOSED && !r->outbound) {
        converted(g, r);
    }
}

static void resume(kpi_gen *g, uint32_t slot)
{
    kpi_referral *r = kpi_pool_at(&g->referrals, slot);
    rf_status rc = rf_referral_resume(NULL, g->store, r->id, NULL);
    if (rc != RF_OK) {
        kpi_die("resuming a referral", rc);
    }
    kpi_wrote(g, KPI_CALL_MOVE);
    g->fig->state_count[RF_REFERRAL_ON_HOLD]--;
    g->fig->state_count[r->held_from]++;
    r->state = r->held_from;
    r->held_from = 0;
}

/* The documents that were missing arrive, one call each. */
static void documents(kpi_gen *g, uint32_t slot)
{
    kpi_referral *r = kpi_pool_at(&g->referrals, slot);
    for (int i = r->docs_in; i < kpi_doc_count(r->docs); i++) {
        rf_status rc = rf_referral_receive_document(NULL, g->store, r->id, kpi_doc_label(r->docs, i));
        if (rc != RF_OK) {
            kpi_die("receiving a document", rc);
        }
        kpi_wrote(g, KPI_CALL_DOCUMENT);
    }
    r->docs_done = 1;
}

void kpi_step(kpi_gen *g, uint32_t slot)
{
    kpi_referral *r = kpi_pool_at(&g->referrals, slot);
    switch (r->next_op) {
    case KPI_OP_TOUCH: kpi_touch(g, slot); return; /* it queues the next touch or the referral */
    case KPI_OP_CREATE: kpi_create(g, slot); break;
    case KPI_OP_MOVE: make_move(g, slot); break;
    case KPI_OP_RESUME: resume(g, slot); break;
    case KPI_OP_DOCS: documents(g, slot); break;
    default: fprintf(stderr, "kpi_generate: a journey with no next step\n"); return;
    }
    kpi_plan_next(g, slot);
}
