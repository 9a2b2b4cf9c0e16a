/* The KPI reference practice: every referral's lifecycle is planned from a
 * fixed seed with rf_referral_state_can_move, the steps of all referrals run
 * in time order through the public API, and the test keeps its own record of
 * what each step did (see kpi_support.h). */
#include "kpi_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STEPS 12

#define next kpi_next
#define between kpi_between
#define chance kpi_chance
#define CREATE KPI_CREATE
#define MOVE KPI_MOVE
#define RESUME KPI_RESUME
#define DOCUMENT KPI_DOCUMENT
typedef kpi_step step;

/* How a referral is created, decided when it is planned. */
typedef struct request {
    int client, partner; /* referrer: one of them, the other -1 */
    int use_code;
    rf_channel channel; /* given in the options; UNSET: the default */
    rf_urgency urgency; /* given in the options */
    const char *required, *received, *missing;
    int referee_consent, referee_practitioner;
} request;

typedef struct plan {
    kpi_plan pl;
    request req[KPI_TOTAL];
} plan;

static const rf_channel channels[] = {RF_CHANNEL_UNSET, RF_CHANNEL_IN_PERSON, RF_CHANNEL_PHONE,
                                      RF_CHANNEL_SMS,   RF_CHANNEL_EMAIL,     RF_CHANNEL_LETTER,
                                      RF_CHANNEL_PORTAL};
#define CHANNELS (sizeof channels / sizeof channels[0])

/* Favour the usual path; every state still turns up. */
static int weight(rf_referral_state to, uint64_t *s)
{
    static const int w[RF_REFERRAL_STATE_COUNT] = {
        [RF_REFERRAL_RECEIVED] = 3,  [RF_REFERRAL_NEEDS_INFO] = 2, [RF_REFERRAL_ACCEPTED] = 8,
        [RF_REFERRAL_SCHEDULED] = 7, [RF_REFERRAL_NO_SHOW] = 2,    [RF_REFERRAL_APPT_CANCELLED] = 1,
        [RF_REFERRAL_SEEN] = 6,      [RF_REFERRAL_CLOSED] = 6,     [RF_REFERRAL_CANCEL_REQUESTED] = 1,
        [RF_REFERRAL_CANCELLED] = 3, [RF_REFERRAL_DECLINED] = 1,   [RF_REFERRAL_LOST] = 1,
        [RF_REFERRAL_ON_HOLD] = 1,
    };
    return to == RF_REFERRAL_ENTERED_IN_ERROR ? (chance(s, 3) ? 1 : 0) : w[to];
}

static rf_referral_state pick_move(rf_referral_state from, uint64_t *s)
{
    int weights[RF_REFERRAL_STATE_COUNT] = {0}, total = 0;
    for (int to = 1; to < RF_REFERRAL_STATE_COUNT; to++) {
        if (rf_referral_state_can_move(from, (rf_referral_state)to)) {
            weights[to] = weight((rf_referral_state)to, s);
            total += weights[to];
        }
    }
    if (total == 0) {
        return RF_REFERRAL_STATE_UNSET;
    }
    int r = (int)between(s, 0, total - 1);
    for (int to = 1; to < RF_REFERRAL_STATE_COUNT; to++) {
        if (r < weights[to]) {
            return (rf_referral_state)to;
        }
        r -= weights[to];
    }
    return RF_REFERRAL_STATE_UNSET;
}

/* The practice's first answer comes within minutes or days, so that both SLAs are met and missed. */
static rf_time response_gap(uint64_t *s)
{
    int r = (int)(next(s) % 100);
    return r < 40   ? between(s, 300, 4 * HOUR)
           : r < 80 ? between(s, 4 * HOUR, 48 * HOUR)
                    : between(s, 48 * HOUR, 6 * DAY);
}

static void add_step(plan *pl, step st)
{
    kpi_plan_add(&pl->pl, st);
}

/* When the test reports an outbox task sent, measured from when it was written; -1: never. */
static rf_time send_after(uint64_t *s)
{
    int r = (int)between(s, 0, 99);
    return r < 40   ? 0
           : r < 65 ? between(s, 20 * HOUR, 46 * HOUR)
           : r < 85 ? between(s, 50 * HOUR, 9 * DAY)
                    : -1;
}

static void plan_request(request *q, kpi_referral *r, uint64_t *s)
{
    static const char *const required[] = {NULL, "letter", "letter,imaging"};
    static const char *const variants[] = {NULL, "control", "control", "warm", "brief"};
    memset(q, 0, sizeof *q);
    q->client = q->partner = -1;
    int how = (int)between(s, 0, 3); /* CODE, INTAKE, MANUAL, PARTNER */
    r->source = how == 0   ? RF_SOURCE_CODE
                : how == 1 ? RF_SOURCE_INTAKE
                : how == 2 ? RF_SOURCE_MANUAL
                           : RF_SOURCE_PARTNER;
    if (how == 3) {
        q->partner = (int)between(s, 0, KPI_PARTNERS - 1);
    } else {
        /* A few clients refer a lot, most now and then: the leaderboard has an order. */
        int c = (int)between(s, 0, KPI_CLIENTS - 1);
        q->client = chance(s, 40) ? c % 6 : c;
        q->use_code = how == 0;
    }
    r->client = q->client;
    r->partner = q->partner;
    q->channel = channels[between(s, 0, CHANNELS - 1)];
    int u = (int)between(s, 0, 9);
    q->urgency = u < 4 ? RF_URGENCY_UNSET : u < 7 ? RF_URGENCY_ROUTINE : RF_URGENCY_URGENT;
    r->urgency = q->urgency == RF_URGENCY_URGENT ? RF_URGENCY_URGENT : RF_URGENCY_ROUTINE;
    int p = (int)between(s, 0, 9);
    r->practitioner = p < 2 ? -1 : p < 6 ? 0 : 1;
    r->program = (int)between(s, 0, KPI_PROGRAMS - 1);
    r->variant = variants[between(s, 0, 4)];
    q->required = required[between(s, 0, 2)];
    int got = (int)between(s, 0, 3);
    if (q->required != NULL && strchr(q->required, ',') != NULL) {
        q->received = got == 0 ? NULL : got == 1 ? "imaging" : "letter,imaging";
        q->missing = got == 0 ? "letter" : got == 1 ? "letter" : NULL;
    } else if (q->required != NULL) {
        q->received = got < 2 ? NULL : "letter";
        q->missing = got < 2 ? "letter" : NULL;
    }
    q->referee_consent = chance(s, 50) ? RF_CONSENT_CONTACT : RF_CONSENT_NONE;
    q->referee_practitioner = chance(s, 50) ? r->practitioner : -1;
    for (int k = 0; k < 3; k++) {
        r->send_after[k] = send_after(s);
    }
}

/* A random legal lifecycle for referral @i, received at @at. */
static void plan_referral(plan *pl, kpi_practice *p, int i, rf_time at, uint64_t *s)
{
    kpi_referral *r = &p->refs[i];
    request *q = &pl->req[i];
    plan_request(q, r, s);
    size_t first = pl->pl.count;
    int seq = 0;
    add_step(pl, (step){at, i, seq++, CREATE, RF_REFERRAL_RECEIVED, 0});
    rf_referral_state state = RF_REFERRAL_RECEIVED, held = RF_REFERRAL_STATE_UNSET;
    rf_time t = at;
    if (q->missing != NULL && chance(s, 40)) {
        /* Before any answer (which comes 300 s or more after receipt): late, not at receipt. */
        add_step(pl, (step){t + between(s, 60, 299), i, seq++, DOCUMENT, RF_REFERRAL_STATE_UNSET, 0});
    }
    for (int n = 0; n < MAX_STEPS - 2 && !rf_referral_state_is_terminal(state); n++) {
        if (chance(s, 10)) {
            break; /* still waiting when the books close */
        }
        t += state == RF_REFERRAL_RECEIVED && n == 0 ? response_gap(s) : between(s, HOUR, 7 * DAY);
        if (state == RF_REFERRAL_ON_HOLD && chance(s, 85)) {
            add_step(pl, (step){t, i, seq++, RESUME, held, 0});
            state = held;
            continue;
        }
        rf_referral_state to = pick_move(state, s);
        if (to == RF_REFERRAL_STATE_UNSET) {
            break; /* on hold, and nobody resumed it */
        }
        rf_time appointment = to == RF_REFERRAL_SCHEDULED ? t + between(s, DAY, 21 * DAY) : 0;
        add_step(pl, (step){t, i, seq++, MOVE, to, appointment});
        held = to == RF_REFERRAL_ON_HOLD ? state : RF_REFERRAL_STATE_UNSET;
        state = to;
    }
    kpi_plan_referee(&pl->pl, p, i, first, s);
}

/* Outbound: the practice sends a client to a partner; the filters would match it. */
static void plan_outbound(plan *pl, kpi_practice *p, int i, rf_time at, uint64_t *s)
{
    kpi_referral *r = &p->refs[i];
    request *q = &pl->req[i];
    memset(q, 0, sizeof *q);
    q->client = (int)between(s, 0, KPI_CLIENTS - 1);
    q->partner = (int)between(s, 0, KPI_PARTNERS - 1);
    q->channel = RF_CHANNEL_LETTER;
    q->urgency = RF_URGENCY_URGENT;
    r->outbound = 1;
    r->client = r->partner = r->referee = -1;
    r->source = RF_SOURCE_PARTNER;
    r->urgency = RF_URGENCY_URGENT;
    r->program = i % KPI_PROGRAMS;
    r->practitioner = i % KPI_STAFF;
    static const rf_referral_state path[] = {RF_REFERRAL_ACCEPTED, RF_REFERRAL_SCHEDULED, RF_REFERRAL_NO_SHOW,
                                             RF_REFERRAL_SCHEDULED, RF_REFERRAL_SEEN};
    add_step(pl, (step){at, i, 0, CREATE, RF_REFERRAL_RECEIVED, 0});
    rf_time t = at;
    for (int n = 0; n < 5; n++) {
        t += between(s, HOUR, 3 * DAY);
        add_step(pl, (step){t, i, n + 1, MOVE, path[n], path[n] == RF_REFERRAL_SCHEDULED ? t + DAY : 0});
    }
}

static int by_time(const void *a, const void *b)
{
    const step *x = a, *y = b;
    if (x->at != y->at) {
        return x->at < y->at ? -1 : 1;
    }
    if (x->kind != y->kind && (x->kind >= KPI_EVENT || y->kind >= KPI_EVENT)) {
        return x->kind < y->kind ? -1 : 1;
    }
    return x->ref != y->ref ? (x->ref < y->ref ? -1 : 1) : (x->seq > y->seq) - (x->seq < y->seq);
}

/* The referee: a fresh LEAD, who may be contacted and assigned a practitioner. */
static const char *add_referee(fixture *fx, kpi_practice *p, const request *q, int i)
{
    kpi_party *who = &p->parties[KPI_REFEREE0 + i];
    snprintf(who->name, sizeof who->name, "Ref %c%c Lead-%d", 'A' + i % 26, 'a' + i / 26 % 26, i);
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_LEAD;
    o.display_name = who->name;
    o.consent = q->referee_consent;
    o.practitioner_id = q->referee_practitioner >= 0 ? rf_party_id(p->staff[q->referee_practitioner]) : NULL;
    rf_party *lead = NULL;
    assert_ok(rf_party_add(&lead, fx->store, &o));
    snprintf(who->id, sizeof who->id, "%s", rf_party_id(lead));
    rf_party_free(lead);
    who->kind = RF_PARTY_LEAD;
    who->consent = q->referee_consent;
    who->practitioner = q->referee_practitioner;
    who->reach = RF_CHANNEL_IN_PERSON;
    who->created_at = fx->now;
    p->refs[i].referee = KPI_REFEREE0 + i;
    return who->id;
}

static void run_create(fixture *fx, kpi_practice *p, const plan *pl, int i)
{
    kpi_referral *r = &p->refs[i];
    const request *q = &pl->req[i];
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(p->programs[r->program]);
    o.channel = q->channel;
    o.urgency = q->urgency;
    o.practitioner_id = r->practitioner >= 0 ? rf_party_id(p->staff[r->practitioner]) : NULL;
    o.documents_required = q->required;
    o.documents_received = q->received;
    o.variant = r->variant;
    if (r->outbound) {
        o.direction = RF_DIRECTION_OUTBOUND;
        o.referee_id = p->parties[q->client].id;
        o.target_id = rf_party_id(p->partners[q->partner]);
        o.source = RF_SOURCE_PARTNER;
    } else {
        o.referee_id = add_referee(fx, p, q, i);
        if (q->use_code) {
            o.code = rf_code_text(p->codes[r->program][q->client]);
        } else {
            o.referrer_id = q->partner >= 0 ? rf_party_id(p->partners[q->partner]) : p->parties[q->client].id;
            o.source = r->source;
        }
    }
    rf_referral *made = NULL;
    assert_ok(rf_referral_create(&made, fx->store, &o));
    snprintf(r->id, sizeof r->id, "%s", rf_referral_id(made));
    /* A code's channel is the default; otherwise no channel unless given. */
    r->channel = q->channel != RF_CHANNEL_UNSET ? q->channel
                 : q->use_code                  ? rf_code_channel(p->codes[r->program][q->client])
                                                : RF_CHANNEL_UNSET;
    r->documents_complete = q->received != NULL ? strcmp(q->received, q->required) == 0 : q->required == NULL;
    r->state = RF_REFERRAL_RECEIVED;
    r->reached[RF_REFERRAL_RECEIVED] = fx->now;
    /* Partners are thanked as a courtesy, clients only when they may be contacted. */
    r->task[0] = !r->outbound && (r->partner >= 0 || (p->parties[r->client].consent & RF_CONSENT_CONTACT));
    assert_int_equal(rf_referral_get_source(made), r->source);
    assert_int_equal(rf_referral_channel(made), r->channel);
    assert_int_equal(rf_referral_urgency(made), r->urgency);
    assert_int_equal(rf_referral_documents_complete_at_receipt(made), r->documents_complete);
    rf_referral_free(made);
}

static void run_step(fixture *fx, kpi_practice *p, const plan *pl, const step *st)
{
    fx->now = st->at;
    if (st->kind >= KPI_EVENT) {
        kpi_run_people(fx, p, st);
        return;
    }
    kpi_referral *r = &p->refs[st->ref];
    rf_referral *after = NULL;
    if (st->kind == CREATE) {
        run_create(fx, p, pl, st->ref);
        return;
    }
    if (st->kind == DOCUMENT) {
        assert_ok(rf_referral_receive_document(&after, fx->store, r->id, pl->req[st->ref].missing));
    } else if (st->kind == RESUME) {
        assert_ok(rf_referral_resume(&after, fx->store, r->id, NULL));
        assert_int_equal(st->to, r->held);
        r->state = r->held;
        r->held = RF_REFERRAL_STATE_UNSET;
    } else {
        rf_advance_options o = RF_ADVANCE_OPTIONS_INIT;
        o.reason = "kpi reference";
        o.appointment_at = st->appointment != 0 ? st->appointment : RF_TIME_UNSET;
        assert_ok(rf_referral_advance(&after, fx->store, r->id, st->to, &o));
        r->held = st->to == RF_REFERRAL_ON_HOLD ? r->state : RF_REFERRAL_STATE_UNSET;
        int first = r->reached[st->to] == 0;
        r->reached[st->to] = first ? st->at : r->reached[st->to];
        if (st->to == RF_REFERRAL_SCHEDULED && r->first_appointment == 0) {
            r->first_appointment = st->appointment;
        }
        r->state = st->to;
        /* A partner hears of the visit and the closure. */
        r->task[1] |= !r->outbound && r->partner >= 0 && st->to == RF_REFERRAL_SEEN;
        r->task[2] |= !r->outbound && r->partner >= 0 && st->to == RF_REFERRAL_CLOSED;
        if (!r->outbound && first && st->to == RF_REFERRAL_CLOSED) {
            kpi_note_closed(p, st->ref, st->at);
        }
    }
    rf_referral_free(after);
}

static void make_parties(fixture *fx, kpi_practice *p, uint64_t *s)
{
    static const int urgent[KPI_PROGRAMS] = {4, 2}, routine[KPI_PROGRAMS] = {48, 24};
    /* Asks come from events only (no date triggers), with no cooldown: the test can foresee them. */
    static const int nps[KPI_PROGRAMS] = {9, 10}, praise[KPI_PROGRAMS] = {1, 0};
    char name[48];
    for (int i = 0; i < KPI_PROGRAMS; i++) {
        rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
        o.sla_urgent_hours = p->sla_urgent[i] = urgent[i];
        o.sla_routine_hours = p->sla_routine[i] = routine[i];
        o.clawback = i == 0;
        o.ask_nps_threshold = nps[i];
        o.ask_on_praise = praise[i];
        o.ask_after_first_visit_days = 0;
        o.ask_on_anniversary = 0;
        o.ask_cooldown_days = 0;
        o.ask_yearly_cap = 52;
        snprintf(name, sizeof name, "KPI programme %d", i);
        p->programs[i] = program_with(fx, name, o);
    }
    for (int i = 0; i < KPI_STAFF; i++) {
        snprintf(name, sizeof name, "Dr Staff %d", i);
        p->staff[i] = add_party(fx, RF_PARTY_STAFF, name, NULL, NULL);
    }
    for (int i = 0; i < KPI_PARTNERS; i++) {
        rf_party_options o = RF_PARTY_OPTIONS_INIT;
        snprintf(name, sizeof name, "Elm Street Surgery %d", i);
        o.kind = RF_PARTY_PARTNER;
        o.display_name = name;
        o.consent = i == 0 ? RF_CONSENT_NAMED : RF_CONSENT_NONE;
        assert_ok(rf_party_add(&p->partners[i], fx->store, &o));
    }
    kpi_make_people(fx, p, s);
}

/* The record agrees with what the store holds, so the hand figures are about the same referrals. */
static void check_record(fixture *fx, const kpi_practice *p)
{
    for (size_t i = 0; i < p->count; i++) {
        const kpi_referral *r = &p->refs[i];
        if (r->id[0] == '\0') {
            continue; /* received after the end */
        }
        rf_referral *got = NULL;
        assert_ok(rf_referral_get(&got, fx->store, r->id));
        assert_int_equal(rf_referral_get_state(got), r->state);
        for (int s = 1; s < RF_REFERRAL_STATE_COUNT; s++) {
            assert_int_equal(rf_referral_reached_at(got, (rf_referral_state)s), r->reached[s]);
        }
        assert_int_equal(rf_referral_first_appointment_at(got), r->first_appointment);
        rf_referral_free(got);
    }
}

kpi_practice *kpi_practice_build(fixture *fx, uint64_t seed, rf_time end)
{
    kpi_practice *p = calloc(1, sizeof *p);
    plan *pl = calloc(1, sizeof *pl);
    assert_non_null(p);
    assert_non_null(pl);
    uint64_t s = seed;
    fx->now = KPI_SETUP;
    make_parties(fx, p, &s);
    p->count = KPI_TOTAL;
    p->first_received = INT64_MAX;
    for (int i = 0; i < KPI_TOTAL; i++) {
        rf_time at = T0 + HOUR + between(&s, 0, 60 * DAY - HOUR);
        p->first_received = at < p->first_received ? at : p->first_received;
        p->last_received = at > p->last_received ? at : p->last_received;
        if (i < KPI_INBOUND) {
            plan_referral(pl, p, i, at, &s);
        } else {
            plan_outbound(pl, p, i, at, &s);
        }
    }
    kpi_plan_people(&pl->pl, p, &s);
    qsort(pl->pl.steps, pl->pl.count, sizeof *pl->pl.steps, by_time);
    for (size_t k = 0; k < pl->pl.count && pl->pl.steps[k].at <= end; k++) {
        run_step(fx, p, pl, &pl->pl.steps[k]);
    }
    fx->now = end;
    check_record(fx, p);
    kpi_check_people(fx, p);
    free(pl->pl.steps);
    free(pl);
    return p;
}

void kpi_practice_free(kpi_practice *p)
{
    if (p == NULL) {
        return;
    }
    for (int i = 0; i < KPI_PROGRAMS; i++) {
        rf_program_free(p->programs[i]);
        for (int k = 0; k < KPI_CLIENTS; k++) {
            rf_code_free(p->codes[i][k]);
        }
    }
    for (int i = 0; i < KPI_STAFF; i++) {
        rf_party_free(p->staff[i]);
    }
    for (int i = 0; i < KPI_PARTNERS; i++) {
        rf_party_free(p->partners[i]);
    }
    free(p);
}
