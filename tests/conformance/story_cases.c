/* Conformance: the stories issue 5 names, walked with the injected clock from
 * what the host reports to what the outbox hands out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "story_support.h"

/* Drain now and report every task handed out sent and acked; the kinds handed
 * out are added to @seen (indexed by kind). */
static size_t deliver(fixture *fx, int seen[RF_TASK_KIND_COUNT])
{
    rf_task *tasks[32];
    size_t n = drain(fx, fx->store, fx->now, RF_TASK_KIND_UNSET, tasks, 32);
    assert_true(n <= 32);
    for (size_t i = 0; i < n; i++) {
        seen[rf_task_get_kind(tasks[i])]++;
        assert_ok(rf_task_sent(fx->store, rf_task_id(tasks[i]), rf_task_lease_token(tasks[i])));
        assert_ok(rf_task_acked(fx->store, rf_task_id(tasks[i])));
    }
    free_tasks(tasks, n);
    return n;
}

static rf_task *nps(fixture *fx, const rf_program *p, const rf_party *c, rf_task_state expected,
                    const char *data)
{
    return trigger_ask(fx, p, c, RF_CLIENT_EVENT_NPS, 10, "nps", expected, data);
}

/* A client with NPS 10 is asked once and not again within the cooldown; after it, again. */
static void nps_10_is_asked_once_per_cooldown(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_party *ann = contactable_client(fx, "Ann Lee", 0); /* no first visit: no date triggers */
    rf_task *ask = nps(fx, p, ann, RF_TASK_PENDING, "trigger=nps;segment=new");
    int seen[RF_TASK_KIND_COUNT] = {0};
    assert_int_equal(deliver(fx, seen), 1);
    assert_int_equal(seen[RF_TASK_ASK], 1);
    rf_task *sent = reload_task(fx, ask);
    assert_int_equal(rf_task_get_state(sent), RF_TASK_ACKED);
    assert_int_equal(rf_task_outcome(sent), RF_ASK_SENT);
    rf_task_free(sent);
    assert_ok(rf_task_set_outcome(fx->store, rf_task_id(ask), RF_ASK_SHARED));
    rf_task_free(ask);

    /* Three more delighted surveys inside the 90 days: held back, nothing to send. */
    for (int days = 1; days < 90; days += 40) {
        fx->now = T0 + days * DAY;
        rf_task_free(nps(fx, p, ann, RF_TASK_SUPPRESSED, "trigger=nps;segment=new;reason=cooldown"));
        assert_int_equal(deliver(fx, seen), 0);
    }
    assert_int_equal(count_tasks(fx, rf_party_id(ann), NULL, RF_TASK_ASK, RF_TASK_SUPPRESSED), 3);
    assert_int_equal(count_events(fx, RF_EVENT_ASK_SUPPRESSED), 3);

    /* After the cooldown the next 10 asks again. */
    fx->now = T0 + 90 * DAY;
    rf_task_free(nps(fx, p, ann, RF_TASK_PENDING, "trigger=nps;segment=new"));
    assert_int_equal(deliver(fx, seen), 1);
    assert_int_equal(seen[RF_TASK_ASK], 2);
    assert_int_equal(count_tasks(fx, rf_party_id(ann), NULL, RF_TASK_ASK, RF_TASK_ACKED), 2);
    rf_party_free(ann);
    rf_program_free(p);
}

/* An open complaint suppresses; once resolved, the next trigger asks. */
static void an_open_complaint_suppresses(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_party *bob = contactable_client(fx, "Bob Marsh", T0 - 30 * DAY);
    rf_client_event_free(
        record_event(fx, rf_party_id(bob), RF_CLIENT_EVENT_COMPLAINT_OPENED, RF_UNSET, "C-42"));
    fx->now += DAY;
    rf_task *held = nps(fx, p, bob, RF_TASK_SUPPRESSED, "trigger=nps;segment=new;reason=open_complaint");
    fx->now += DAY;
    rf_task_free(trigger_ask(fx, p, bob, RF_CLIENT_EVENT_PRAISE, RF_UNSET, "praise", RF_TASK_SUPPRESSED,
                             "trigger=praise;segment=new;reason=open_complaint"));
    int seen[RF_TASK_KIND_COUNT] = {0};
    assert_int_equal(deliver(fx, seen), 0);
    /* The practice can see why nobody was asked. */
    rf_event *ev = event_about(fx, RF_EVENT_ASK_SUPPRESSED, 0, rf_task_id(held));
    assert_data_has(ev, "reason=open_complaint");
    rf_event_free(ev);
    rf_task_free(held);

    fx->now += 5 * DAY;
    rf_client_event_free(
        record_event(fx, rf_party_id(bob), RF_CLIENT_EVENT_COMPLAINT_RESOLVED, RF_UNSET, "C-42"));
    fx->now += DAY;
    rf_task_free(trigger_ask(fx, p, bob, RF_CLIENT_EVENT_PAYMENT_CLEARED, RF_UNSET, "payment",
                             RF_TASK_PENDING, "trigger=payment;segment=new"));
    assert_int_equal(deliver(fx, seen), 1);
    assert_int_equal(seen[RF_TASK_ASK], 1);
    rf_party_free(bob);
    rf_program_free(p);
}

typedef struct gp_story {
    rf_program *program;
    rf_party *gp, *staff;
    rf_referral *referral;
    int seen[RF_TASK_KIND_COUNT];
} gp_story;

static gp_story gp_refers(fixture *fx, rf_urgency urgency)
{
    gp_story s;
    memset(&s, 0, sizeof s);
    s.program = outbox_program(fx, "GP partners");
    s.gp = add_party(fx, RF_PARTY_PARTNER, "Dr Patel, Elm St surgery", "patel@elmst.example", NULL);
    s.staff = add_party(fx, RF_PARTY_STAFF, "Dr Rowe", NULL, NULL);
    s.referral = refer(fx, s.program, rf_party_id(s.gp), RF_SOURCE_PARTNER, urgency, rf_party_id(s.staff), 0);
    return s;
}

static void gp_story_free(gp_story *s)
{
    rf_referral_free(s->referral);
    rf_party_free(s->staff);
    rf_party_free(s->gp);
    rf_program_free(s->program);
}

/* The rest of the GP's referral: booked, seen, closed, each update delivered. */
static void see_it_through(fixture *fx, gp_story *s)
{
    const rf_referral_state way[] = {RF_REFERRAL_SCHEDULED, RF_REFERRAL_SEEN, RF_REFERRAL_CLOSED};
    const rf_task_kind update[] = {RF_TASK_PARTNER_SCHEDULED, RF_TASK_PARTNER_VISIT_SUMMARY,
                                   RF_TASK_PARTNER_CLOSURE};
    for (int i = 0; i < 3; i++) {
        fx->now += 2 * DAY;
        assert_ok(advance_to(fx, &s->referral, way[i]));
        fx->now += HOUR;
        assert_int_equal(deliver(fx, s->seen), 1);
        assert_int_equal(s->seen[update[i]], 1);
    }
}

/* A GP (PARTNER) referral produces thanks, three updates and no SLA breach when handled in time. */
static void a_gp_referral_handled_in_time(void **state)
{
    fixture *fx = *state;
    gp_story s = gp_refers(fx, RF_URGENCY_ROUTINE);
    assert_int_equal(deliver(fx, s.seen), 1);
    assert_int_equal(s.seen[RF_TASK_THANK_REFERRER], 1);
    fx->now = T0 + 47 * HOUR;
    assert_ok(advance_to(fx, &s.referral, RF_REFERRAL_ACCEPTED));
    fx->now = T0 + 49 * HOUR;
    assert_int_equal(deliver(fx, s.seen), 0);
    see_it_through(fx, &s);
    fx->now += 30 * DAY;
    assert_int_equal(deliver(fx, s.seen), 0);
    const rf_task_kind want[] = {RF_TASK_THANK_REFERRER, RF_TASK_PARTNER_SCHEDULED,
                                 RF_TASK_PARTNER_VISIT_SUMMARY, RF_TASK_PARTNER_CLOSURE};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(
            count_tasks(fx, rf_party_id(s.gp), rf_referral_id(s.referral), want[i], RF_TASK_ACKED), 1);
    }
    assert_int_equal(count_tasks(fx, NULL, NULL, RF_TASK_KIND_UNSET, RF_TASK_STATE_UNSET), 4);
    assert_int_equal(s.seen[RF_TASK_SLA_BREACH], 0);
    assert_int_equal(count_events(fx, RF_EVENT_SLA_BREACHED), 0);
    gp_story_free(&s);
}

/* ... and a breach when not. */
static void a_gp_referral_left_too_long(void **state)
{
    fixture *fx = *state;
    gp_story s = gp_refers(fx, RF_URGENCY_ROUTINE);
    assert_int_equal(deliver(fx, s.seen), 1);
    fx->now = T0 + 48 * HOUR;
    assert_int_equal(deliver(fx, s.seen), 1);
    assert_int_equal(s.seen[RF_TASK_SLA_BREACH], 1);
    rf_task *breach = task_for(fx, "sla", rf_referral_id(s.referral));
    assert_string_equal(rf_task_party_id(breach), rf_party_id(s.staff));
    rf_task_free(breach);
    assert_int_equal(count_events(fx, RF_EVENT_SLA_BREACHED), 1);
    /* Answered late, it still runs its course, with one breach on record. */
    fx->now += 2 * HOUR;
    assert_ok(advance_to(fx, &s.referral, RF_REFERRAL_ACCEPTED));
    see_it_through(fx, &s);
    assert_int_equal(s.seen[RF_TASK_SLA_BREACH], 1);
    assert_int_equal(count_events(fx, RF_EVENT_SLA_BREACHED), 1);
    gp_story_free(&s);
}

/* Urgent referrals are due in 4 hours, routine ones in 48. */
static void urgent_and_routine_side_by_side(void **state)
{
    fixture *fx = *state;
    gp_story urgent = gp_refers(fx, RF_URGENCY_URGENT);
    rf_referral *routine =
        refer(fx, urgent.program, rf_party_id(urgent.gp), RF_SOURCE_PARTNER, RF_URGENCY_ROUTINE, NULL, 0);
    int seen[RF_TASK_KIND_COUNT] = {0};
    assert_int_equal(deliver(fx, seen), 2); /* two thanks */
    fx->now = T0 + 3 * HOUR;
    assert_int_equal(deliver(fx, seen), 0);
    fx->now = T0 + 4 * HOUR;
    assert_int_equal(deliver(fx, seen), 1);
    assert_int_equal(
        count_tasks(fx, NULL, rf_referral_id(urgent.referral), RF_TASK_SLA_BREACH, RF_TASK_ACKED), 1);
    /* The routine one answered on day two: never late. */
    fx->now = T0 + 30 * HOUR;
    assert_ok(advance_to(fx, &routine, RF_REFERRAL_NEEDS_INFO));
    fx->now = T0 + 72 * HOUR;
    assert_int_equal(deliver(fx, seen), 0);
    assert_int_equal(seen[RF_TASK_SLA_BREACH], 1);
    rf_referral_free(routine);
    gp_story_free(&urgent);
}

/* The intro sequence stops when the referee books. */
static void the_intro_stops_when_the_referee_books(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_party *ruth = contactable_client(fx, "Ruth Ames", T0 - 400 * DAY);
    rf_referral *r = refer(fx, p, rf_party_id(ruth), RF_SOURCE_MANUAL, RF_URGENCY_UNSET, NULL, 1);
    int seen[RF_TASK_KIND_COUNT] = {0};
    assert_int_equal(deliver(fx, seen), 2); /* thanks, intro 1 */
    assert_int_equal(seen[RF_TASK_REFEREE_INTRO], 1);
    fx->now = T0 + 2 * DAY;
    assert_int_equal(deliver(fx, seen), 1); /* nobody answered: the SLA breach */
    assert_int_equal(seen[RF_TASK_SLA_BREACH], 1);
    fx->now = T0 + 3 * DAY;
    assert_ok(advance_to(fx, &r, RF_REFERRAL_ACCEPTED));
    assert_int_equal(deliver(fx, seen), 1); /* intro 2 */
    assert_int_equal(seen[RF_TASK_REFEREE_INTRO], 2);
    fx->now = T0 + 4 * DAY;
    assert_ok(advance_to(fx, &r, RF_REFERRAL_SCHEDULED)); /* booked */
    assert_int_equal(deliver(fx, seen), 1);               /* the referrer's status notice */
    assert_int_equal(seen[RF_TASK_STATUS_NOTICE], 1);
    fx->now = T0 + 7 * DAY;
    assert_int_equal(deliver(fx, seen), 0);
    fx->now = T0 + 30 * DAY;
    assert_int_equal(deliver(fx, seen), 0);
    assert_int_equal(seen[RF_TASK_REFEREE_INTRO], 2);
    rf_task *third = task_for(fx, "intro3", rf_referral_id(r));
    assert_int_equal(rf_task_get_state(third), RF_TASK_CANCELLED);
    assert_int_equal(rf_task_closed_at(third), T0 + 4 * DAY);
    rf_task_free(third);
    rf_referral_free(r);
    rf_party_free(ruth);
    rf_program_free(p);
}

const struct CMUnitTest story_cases[] = {
    CASE(nps_10_is_asked_once_per_cooldown), CASE(an_open_complaint_suppresses),
    CASE(a_gp_referral_handled_in_time),     CASE(a_gp_referral_left_too_long),
    CASE(urgent_and_routine_side_by_side),   CASE(the_intro_stops_when_the_referee_books),
};
const size_t story_case_count = sizeof story_cases / sizeof story_cases[0];
