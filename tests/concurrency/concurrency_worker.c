/* The worker process: a fixed-seed mix of calls on its own handle, and the
 * referral operations of that mix (touch, create, advance). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "worker.h"

/* splitmix64: tiny, and each worker's sequence depends only on its seed. */
uint32_t conc_rand(conc_worker *k, uint32_t n)
{
    uint64_t z = (k->rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (uint32_t)(z % n);
}

void conc_unexpected(conc_worker *k, conc_op op, rf_status rc, const char *call)
{
    fprintf(stderr, "worker %d, %s: %s returned %d (%s): %s\n", k->who, conc_op_names[op], call, rc,
            rf_strerror(rc), rc != RF_OK ? rf_error_last()->message : "");
    if (k->failed == 0) {
        k->failed = 20 + (int)op;
    }
}

rf_status conc_note(conc_worker *k, conc_op op, rf_status rc)
{
    int slot = rc <= 0 && -rc < CONC_STATUS_SLOTS ? -rc : CONC_STATUS_SLOTS - 1;
    k->tally[op][slot]++;
    const rf_error *e = rf_error_last();
    if (rc != RF_OK && (e->code != rc || e->message == NULL || e->message[0] == '\0')) {
        fprintf(stderr, "worker %d, %s: status %d but the last error is %d: '%s'\n", k->who,
                conc_op_names[op], rc, e->code, e->message != NULL ? e->message : "(null)");
        k->failed = 19;
    }
    return rc;
}

/* Most calls go to a window of referees that slides through the pool as the
 * shared clock runs, so the four workers keep meeting on the same referees,
 * referrals and referrers; the rest go anywhere in the pool. */
static uint32_t pick_referee(conc_worker *k)
{
    enum { WINDOW = 40 };
    if (conc_rand(k, 5) == 0) {
        return conc_rand(k, CONC_REFEREES);
    }
    int64_t tick = (k->clock - CONC_T0) / CONC_STEP, total = (int64_t)CONC_WORKERS * k->w->ops;
    int64_t start = tick * (CONC_REFEREES - WINDOW) / (total > 0 ? total : 1);
    if (start > CONC_REFEREES - WINDOW) {
        start = CONC_REFEREES - WINDOW;
    }
    return (uint32_t)start + conc_rand(k, WINDOW);
}

/* --- touches --------------------------------------------------------------------- */

void conc_op_touch(conc_worker *k)
{
    char visitor[32];
    snprintf(visitor, sizeof visitor, "visitor-%u", pick_referee(k));
    rf_touch_options o = RF_TOUCH_OPTIONS_INIT;
    o.channel = RF_CHANNEL_LINK;
    rf_touch *t = NULL;
    rf_status rc;
    const char *code = k->w->referrer_code[conc_rand(k, CONC_REFERRERS)];
    CONC_RETRY(k, rc, rf_touch_add(&t, k->store, code, visitor, &o));
    if (conc_note(k, CONC_OP_TOUCH, rc) == RF_OK) {
        fprintf(k->log, "U %s\n", rf_touch_id(t));
    } else {
        conc_unexpected(k, CONC_OP_TOUCH, rc, "rf_touch_add");
    }
    rf_touch_free(t);
}

/* --- referrals ------------------------------------------------------------------- */

/* Evidence in three forms: a named referrer, a code, or the referee's touches. */
void conc_op_create(conc_worker *k)
{
    uint32_t idx = pick_referee(k), how = conc_rand(k, 100);
    char visitor[32];
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = k->w->program_id;
    o.referee_id = k->w->referee_id[idx];
    if (how < 60) {
        o.referrer_id = k->w->referrer_id[conc_rand(k, CONC_REFERRERS)];
        o.source = RF_SOURCE_MANUAL;
    } else if (how < 85) {
        o.code = k->w->referrer_code[conc_rand(k, CONC_REFERRERS)];
    } else {
        snprintf(visitor, sizeof visitor, "visitor-%u", idx);
        o.visitor_key = visitor;
    }
    rf_referral *r = NULL;
    rf_status rc;
    CONC_RETRY(k, rc, rf_referral_create(&r, k->store, &o));
    conc_note(k, CONC_OP_CREATE, rc);
    if (rc == RF_OK) {
        fprintf(k->log, "R %s %u\n", rf_referral_id(r), idx);
    } else if (rc == RF_ECONFLICT || rc == RF_EPOLICY) {
        /* Already attributed, or already a client: the first attribution stands. */
    } else if (rc == RF_ENOTFOUND && o.visitor_key != NULL) {
        /* No touch by this visitor within the window. */
    } else {
        conc_unexpected(k, CONC_OP_CREATE, rc, "rf_referral_create");
    }
    rf_referral_free(r);
}

/* Where a referral may go next, with weights; no ON_HOLD (it needs a resume). */
typedef struct move_row {
    rf_referral_state from;
    rf_referral_state to[5];
    int weight[5];
} move_row;

static const move_row moves[] = {
    {RF_REFERRAL_RECEIVED,
     {RF_REFERRAL_ACCEPTED, RF_REFERRAL_DECLINED, RF_REFERRAL_ENTERED_IN_ERROR, RF_REFERRAL_CANCEL_REQUESTED,
      RF_REFERRAL_NEEDS_INFO},
     {80, 7, 5, 4, 4}},
    {RF_REFERRAL_NEEDS_INFO,
     {RF_REFERRAL_RECEIVED, RF_REFERRAL_ACCEPTED, RF_REFERRAL_DECLINED},
     {30, 60, 10}},
    {RF_REFERRAL_ACCEPTED,
     {RF_REFERRAL_SCHEDULED, RF_REFERRAL_LOST, RF_REFERRAL_CANCEL_REQUESTED, RF_REFERRAL_ENTERED_IN_ERROR},
     {85, 5, 5, 5}},
    {RF_REFERRAL_SCHEDULED,
     {RF_REFERRAL_SEEN, RF_REFERRAL_SCHEDULED, RF_REFERRAL_NO_SHOW, RF_REFERRAL_APPT_CANCELLED,
      RF_REFERRAL_CANCEL_REQUESTED},
     {65, 8, 12, 6, 9}},
    {RF_REFERRAL_NO_SHOW,
     {RF_REFERRAL_SCHEDULED, RF_REFERRAL_LOST, RF_REFERRAL_CANCEL_REQUESTED},
     {70, 20, 10}},
    {RF_REFERRAL_APPT_CANCELLED,
     {RF_REFERRAL_SCHEDULED, RF_REFERRAL_LOST, RF_REFERRAL_CANCEL_REQUESTED},
     {70, 20, 10}},
    {RF_REFERRAL_SEEN, {RF_REFERRAL_CLOSED, RF_REFERRAL_SEEN, RF_REFERRAL_SCHEDULED}, {75, 15, 10}},
    {RF_REFERRAL_CANCEL_REQUESTED, {RF_REFERRAL_CANCELLED, RF_REFERRAL_CLOSED}, {80, 20}},
};

static rf_referral_state pick_move(conc_worker *k, rf_referral_state from)
{
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
        if (moves[i].from != from) {
            continue;
        }
        int total = 0;
        for (int j = 0; j < 5; j++) {
            total += moves[i].weight[j];
        }
        int roll = (int)conc_rand(k, (uint32_t)total);
        for (int j = 0; j < 5; j++) {
            if ((roll -= moves[i].weight[j]) < 0) {
                return moves[i].to[j];
            }
        }
    }
    return RF_REFERRAL_STATE_UNSET;
}

/* The referee's live referral (at most one holds the attribution), copied into @id. */
static rf_status live_referral(conc_worker *k, const char *referee_id, char id[RF_ID_BUFSIZE],
                               rf_referral_state *state)
{
    rf_referral_filter f = RF_REFERRAL_FILTER_INIT;
    f.referee_id = referee_id;
    f.direction = RF_DIRECTION_INBOUND;
    rf_referral_iter *it = NULL;
    rf_status rc;
    id[0] = '\0';
    *state = RF_REFERRAL_STATE_UNSET;
    CONC_RETRY(k, rc, rf_referral_list(&it, k->store, &f));
    rf_referral *r = NULL;
    while (rc == RF_OK && (rc = rf_referral_iter_next(&r, it)) == RF_OK) {
        if (!rf_referral_state_is_terminal(rf_referral_get_state(r))) {
            snprintf(id, RF_ID_BUFSIZE, "%s", rf_referral_id(r));
            *state = rf_referral_get_state(r);
        }
        rf_referral_free(r);
    }
    rf_referral_iter_free(it);
    return rc == RF_ITEROVER ? RF_OK : rc;
}

static void log_grants(conc_worker *k, const char *referral_id)
{
    rf_grant_filter f = RF_GRANT_FILTER_INIT;
    f.referral_id = referral_id;
    rf_grant_iter *it = NULL;
    rf_status rc;
    CONC_RETRY(k, rc, rf_grant_list(&it, k->store, &f));
    rf_grant *g = NULL;
    while (rc == RF_OK && (rc = rf_grant_iter_next(&g, it)) == RF_OK) {
        fprintf(k->log, "G %s\n", rf_grant_id(g));
        rf_grant_free(g);
    }
    rf_grant_iter_free(it);
    if (rc != RF_ITEROVER) {
        conc_unexpected(k, CONC_OP_ADVANCE, rc, "listing grants");
    }
}

/* Move some referee's live referral one legal step. Another worker may have
 * moved it since it was read: then the move is refused with RF_ESTATE, or it
 * is still legal from the new state and happens. */
void conc_op_advance(conc_worker *k)
{
    char id[RF_ID_BUFSIZE];
    rf_referral_state from;
    rf_status rc = live_referral(k, k->w->referee_id[pick_referee(k)], id, &from);
    if (rc != RF_OK) {
        conc_note(k, CONC_OP_ADVANCE, rc);
        conc_unexpected(k, CONC_OP_ADVANCE, rc, "listing referrals");
        return;
    }
    rf_referral_state to = id[0] != '\0' ? pick_move(k, from) : RF_REFERRAL_STATE_UNSET;
    if (to == RF_REFERRAL_STATE_UNSET) {
        return; /* nothing to move */
    }
    rf_advance_options o = RF_ADVANCE_OPTIONS_INIT;
    o.reason = "concurrency test";
    o.appointment_at = k->clock + 2 * 86400;
    rf_referral *r = NULL;
    CONC_RETRY(k, rc, rf_referral_advance(&r, k->store, id, to, &o));
    conc_note(k, CONC_OP_ADVANCE, rc);
    if (rc == RF_OK) {
        fprintf(k->log, "A %s\n", id);
        log_grants(k, id);
    } else if (rc != RF_ESTATE) {
        conc_unexpected(k, CONC_OP_ADVANCE, rc, "rf_referral_advance");
    }
    rf_referral_free(r);
}

/* --- the mix ----------------------------------------------------------------------- */

static const int weights[CONC_OP_COUNT] = {
    [CONC_OP_TOUCH] = 10, [CONC_OP_CREATE] = 20, [CONC_OP_ADVANCE] = 30, [CONC_OP_PROCESS] = 4,
    [CONC_OP_REDEEM] = 8, [CONC_OP_DRAIN] = 12,  [CONC_OP_EVENT] = 16,
};

static void (*const runners[CONC_OP_COUNT])(conc_worker *) = {
    conc_op_touch,  conc_op_create, conc_op_advance, conc_op_process,
    conc_op_redeem, conc_op_drain,  conc_op_event,
};

static conc_op pick_op(conc_worker *k)
{
    int roll = (int)conc_rand(k, 100);
    for (int op = 0; op < CONC_OP_COUNT; op++) {
        if ((roll -= weights[op]) < 0) {
            return (conc_op)op;
        }
    }
    return CONC_OP_ADVANCE;
}

int conc_worker_main(const conc_world *w, int who)
{
    /* A hung worker fails the test instead of hanging it. */
    alarm(600);
    conc_worker k;
    memset(&k, 0, sizeof k);
    k.w = w;
    k.who = who;
    k.rng = 0x5EED0000ull + (uint64_t)who * 7919;
    k.clock = CONC_T0;
    if ((k.log = fopen(w->log_path[who], "w")) == NULL) {
        return 10;
    }
    if (conc_open(&k.store, w, 1000 + (uint64_t)who * 7919, &k.clock) != RF_OK) {
        fprintf(stderr, "worker %d: open failed: %s\n", who, rf_error_last()->message);
        fclose(k.log);
        return 11;
    }
    for (int i = 0; i < w->ops && k.failed == 0; i++) {
        k.clock = CONC_T0 + __atomic_fetch_add(&w->shared->tick, 1, __ATOMIC_SEQ_CST) * CONC_STEP;
        runners[pick_op(&k)](&k);
    }
    for (int op = 0; op < CONC_OP_COUNT; op++) {
        for (int s = 0; s < CONC_STATUS_SLOTS; s++) {
            if (k.tally[op][s] != 0) {
                fprintf(k.log, "C %d %d %ld\n", op, -s, k.tally[op][s]);
            }
        }
    }
    fprintf(k.log, "B %ld\n", k.busy);
    rf_store_free(k.store);
    if (fclose(k.log) != 0 && k.failed == 0) {
        k.failed = 12;
    }
    return k.failed;
}
