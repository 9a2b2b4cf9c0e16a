/* The KPI reference practice: every referral's lifecycle is planned from a
 * fixed seed with rf_referral_state_can_move, the steps of all referrals run
 * in time order through the public API, and the test keeps its own record of
 * what each step did (see kpi_support.h). */
#include "kpi_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STEPS 12

static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static int64_t between(uint64_t *s, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(next(s) % (uint64_t)(hi - lo + 1));
}

static int chance(uint64_t *s, int percent)
{
    return (int)(next(s) % 100) < percent;
}

enum { CREATE, MOVE, RESUME, DOCUMENT };

typedef struct step {
    rf_time at;
    int ref, seq, kind;
    rf_referral_state to;
    rf_time appointment;
} step;

/* How a referral is created, decided when it is planned. */
typedef struct request {
    int client, partner; /* referrer: one of them, the other -1 */
    int use_code;
    rf_channel channel; /* given in the options; UNSET: the default */
    rf_urgency urgency; /* given in the options */
    const char *required, *received, *missing;
} request;

typedef struct plan {
    step *steps;
    size_t count;
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
    pl->steps[pl->count++] = st;
}

static void plan_request(request *q, kpi_referral *r, uint64_t *s)
{
    static const char *const required[] = {NULL, "letter", "letter,imaging"};
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
        q->client = (int)between(s, 0, KPI_CLIENTS - 1);
        q->use_code = how == 0;
    }
    q->channel = channels[between(s, 0, CHANNELS - 1)];
    int u = (int)between(s, 0, 9);
    q->urgency = u < 4 ? RF_URGENCY_UNSET : u < 7 ? RF_URGENCY_ROUTINE : RF_URGENCY_URGENT;
    r->urgency = q->urgency == RF_URGENCY_URGENT ? RF_URGENCY_URGENT : RF_URGENCY_ROUTINE;
    int p = (int)between(s, 0, 9);
    r->practitioner = p < 2 ? -1 : p < 6 ? 0 : 1;
    r->program = (int)between(s, 0, KPI_PROGRAMS - 1);
    q->required = required[between(s, 0, 2)];
    int got = (int)between(s, 0, 3);
    if (q->required != NULL && strchr(q->required, ',') != NULL) {
        q->received = got == 0 ? NULL : got == 1 ? "imaging" : "letter,imaging";
        q->missing = got == 0 ? "letter" : got == 1 ? "letter" : NULL;
    } else if (q->required != NULL) {
        q->received = got < 2 ? NULL : "letter";
        q->missing = got < 2 ? "letter" : NULL;
    }
}

/* A random legal lifecycle for referral @i, received at @at. */
static void plan_referral(plan *pl, kpi_practice *p, int i, rf_time at, uint64_t *s)
{
    kpi_referral *r = &p->refs[i];
    request *q = &pl->req[i];
    plan_request(q, r, s);
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
    return x->ref != y->ref ? (x->ref < y->ref ? -1 : 1) : (x->seq > y->seq) - (x->seq < y->seq);
}

static void run_create(fixture *fx, kpi_practice *p, const plan *pl, int i)
{
    kpi_referral *r = &p->refs[i];
    const request *q = &pl->req[i];
    char name[48];
    snprintf(name, sizeof name, "KPI referee %d", i);
    person who = {RF_PARTY_LEAD, NULL, NULL, 0, RF_CHANNEL_UNSET, 0};
    rf_party *lead = r->outbound ? NULL : add_person(fx, name, who);
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(p->programs[r->program]);
    o.channel = q->channel;
    o.urgency = q->urgency;
    o.practitioner_id = r->practitioner >= 0 ? rf_party_id(p->staff[r->practitioner]) : NULL;
    o.documents_required = q->required;
    o.documents_received = q->received;
    if (r->outbound) {
        o.direction = RF_DIRECTION_OUTBOUND;
        o.referee_id = rf_party_id(p->clients[q->client]);
        o.target_id = rf_party_id(p->partners[q->partner]);
        o.source = RF_SOURCE_PARTNER;
    } else {
        o.referee_id = rf_party_id(lead);
        if (q->use_code) {
            o.code = rf_code_text(p->codes[r->program][q->client]);
        } else {
            o.referrer_id =
                q->partner >= 0 ? rf_party_id(p->partners[q->partner]) : rf_party_id(p->clients[q->client]);
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
    assert_int_equal(rf_referral_get_source(made), r->source);
    assert_int_equal(rf_referral_channel(made), r->channel);
    assert_int_equal(rf_referral_urgency(made), r->urgency);
    assert_int_equal(rf_referral_documents_complete_at_receipt(made), r->documents_complete);
    rf_referral_free(made);
    rf_party_free(lead);
}

static void run_step(fixture *fx, kpi_practice *p, const plan *pl, const step *st)
{
    kpi_referral *r = &p->refs[st->ref];
    rf_referral *after = NULL;
    fx->now = st->at;
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
        r->reached[st->to] = r->reached[st->to] != 0 ? r->reached[st->to] : st->at;
        if (st->to == RF_REFERRAL_SCHEDULED && r->first_appointment == 0) {
            r->first_appointment = st->appointment;
        }
        r->state = st->to;
    }
    rf_referral_free(after);
}

static void make_parties(fixture *fx, kpi_practice *p)
{
    static const int urgent[KPI_PROGRAMS] = {4, 2}, routine[KPI_PROGRAMS] = {48, 24};
    static const rf_channel code_channels[KPI_CLIENTS] = {RF_CHANNEL_SMS, RF_CHANNEL_EMAIL, RF_CHANNEL_CARD,
                                                          RF_CHANNEL_SOCIAL};
    char name[48];
    for (int i = 0; i < KPI_PROGRAMS; i++) {
        rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
        o.sla_urgent_hours = p->sla_urgent[i] = urgent[i];
        o.sla_routine_hours = p->sla_routine[i] = routine[i];
        snprintf(name, sizeof name, "KPI programme %d", i);
        p->programs[i] = program_with(fx, name, o);
    }
    for (int i = 0; i < KPI_STAFF; i++) {
        snprintf(name, sizeof name, "Dr Staff %d", i);
        p->staff[i] = add_party(fx, RF_PARTY_STAFF, name, NULL, NULL);
    }
    for (int i = 0; i < KPI_PARTNERS; i++) {
        snprintf(name, sizeof name, "Surgery %d", i);
        p->partners[i] = add_party(fx, RF_PARTY_PARTNER, name, NULL, NULL);
    }
    for (int i = 0; i < KPI_CLIENTS; i++) {
        snprintf(name, sizeof name, "Client %c", 'A' + i);
        p->clients[i] = add_party(fx, RF_PARTY_CLIENT, name, NULL, NULL);
        for (int k = 0; k < KPI_PROGRAMS; k++) {
            rf_code_options o = RF_CODE_OPTIONS_INIT;
            o.style = RF_CODE_SHORT;
            o.program_id = rf_program_id(p->programs[k]);
            o.channel = code_channels[i];
            assert_ok(rf_code_issue(&p->codes[k][i], fx->store, rf_party_id(p->clients[i]), &o));
        }
    }
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
    pl->steps = calloc((size_t)KPI_TOTAL * MAX_STEPS, sizeof *pl->steps);
    assert_non_null(pl->steps);
    uint64_t s = seed;
    make_parties(fx, p);
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
    qsort(pl->steps, pl->count, sizeof *pl->steps, by_time);
    for (size_t k = 0; k < pl->count && pl->steps[k].at <= end; k++) {
        run_step(fx, p, pl, &pl->steps[k]);
    }
    fx->now = end;
    check_record(fx, p);
    free(pl->steps);
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
    for (int i = 0; i < KPI_CLIENTS; i++) {
        rf_party_free(p->clients[i]);
    }
    for (int i = 0; i < KPI_PARTNERS; i++) {
        rf_party_free(p->partners[i]);
    }
    free(p);
}
