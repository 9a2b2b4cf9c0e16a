/* Conformance: the first-response SLA — urgent and routine deadlines, what
 * counts as an answer, the breach task and event raised once by rf_tasks_due. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "story_support.h"

static int breaches(fixture *fx, const rf_referral *r)
{
    return count_tasks(fx, NULL, rf_referral_id(r), RF_TASK_SLA_BREACH, RF_TASK_STATE_UNSET);
}

/* The breach of @r: its task and its event, both naming @due. */
static void assert_breach(fixture *fx, const rf_referral *r, const rf_program *p, const char *practitioner_id,
                          const char *urgency, rf_time due, int64_t after_seq)
{
    char data[96];
    snprintf(data, sizeof data, "urgency=%s;due=%lld", urgency, (long long)due);
    rf_task *t = task_for(fx, "sla", rf_referral_id(r));
    task_expect e = {RF_TASK_SLA_BREACH,
                     RF_TASK_PENDING,
                     practitioner_id,
                     rf_referral_id(r),
                     rf_program_id(p),
                     "sla_breach",
                     RF_CHANNEL_UNSET,
                     data,
                     fx->now,
                     0};
    assert_task(t, e);
    rf_event *ev = event_about(fx, RF_EVENT_SLA_BREACHED, after_seq, rf_referral_id(r));
    assert_string_or_null(rf_event_object_id(ev), practitioner_id);
    assert_string_equal(rf_event_data(ev), data);
    assert_int_equal(rf_event_at(ev), fx->now);
    rf_event_free(ev);
    ev = event_about(fx, RF_EVENT_TASK_CREATED, after_seq, rf_task_id(t));
    rf_event_free(ev);
    rf_task_free(t);
}

static void routine_is_due_in_48_hours(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "GP partners");
    rf_party *staff = add_party(fx, RF_PARTY_STAFF, "Dr Rowe", NULL, NULL);
    rf_party *gp = add_party(fx, RF_PARTY_PARTNER, "Elm St surgery", NULL, NULL);
    rf_referral *r =
        refer(fx, p, rf_party_id(gp), RF_SOURCE_PARTNER, RF_URGENCY_UNSET, rf_party_id(staff), 0);
    fx->now = T0 + 48 * HOUR - 1;
    sweep(fx);
    assert_int_equal(breaches(fx, r), 0);
    fx->now = T0 + 48 * HOUR;
    int64_t seq = last_seq(fx);
    sweep(fx);
    assert_breach(fx, r, p, rf_party_id(staff), "ROUTINE", T0 + 48 * HOUR, seq);
    /* Once, however often the outbox is drained. */
    for (int i = 0; i < 3; i++) {
        fx->now += HOUR;
        sweep(fx);
    }
    assert_int_equal(breaches(fx, r), 1);
    assert_int_equal(count_events(fx, RF_EVENT_SLA_BREACHED), 1);
    /* And it is handed out like any task. */
    rf_task *handed[4];
    assert_int_equal(drain(fx, fx->store, fx->now, RF_TASK_SLA_BREACH, handed, 4), 1);
    assert_string_equal(rf_task_referral_id(handed[0]), rf_referral_id(r));
    free_tasks(handed, 1);
    rf_referral_free(r);
    rf_party_free(gp);
    rf_party_free(staff);
    rf_program_free(p);
}

static void urgent_is_due_in_4_hours(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "GP partners");
    rf_party *gp = add_party(fx, RF_PARTY_PARTNER, "Elm St surgery", NULL, NULL);
    rf_referral *urgent = refer(fx, p, rf_party_id(gp), RF_SOURCE_PARTNER, RF_URGENCY_URGENT, NULL, 0);
    rf_referral *routine = refer(fx, p, rf_party_id(gp), RF_SOURCE_PARTNER, RF_URGENCY_ROUTINE, NULL, 0);
    fx->now = T0 + 4 * HOUR - 1;
    sweep(fx);
    assert_int_equal(breaches(fx, urgent), 0);
    fx->now = T0 + 4 * HOUR;
    int64_t seq = last_seq(fx);
    sweep(fx);
    /* No practitioner: the practice itself. */
    assert_breach(fx, urgent, p, NULL, "URGENT", T0 + 4 * HOUR, seq);
    assert_int_equal(breaches(fx, routine), 0);
    fx->now = T0 + 48 * HOUR;
    seq = last_seq(fx);
    sweep(fx);
    assert_breach(fx, routine, p, NULL, "ROUTINE", T0 + 48 * HOUR, seq);
    assert_int_equal(count_events(fx, RF_EVENT_SLA_BREACHED), 2);
    rf_referral_free(urgent);
    rf_referral_free(routine);
    rf_party_free(gp);
    rf_program_free(p);
}

static void the_hours_are_the_programmes(void **state)
{
    fixture *fx = *state;
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.sla_urgent_hours = 1;
    o.sla_routine_hours = 720;
    rf_program *p = program_with(fx, "Strict", o);
    rf_party *gp = add_party(fx, RF_PARTY_PARTNER, "Elm St surgery", NULL, NULL);
    rf_referral *urgent = refer(fx, p, rf_party_id(gp), RF_SOURCE_PARTNER, RF_URGENCY_URGENT, NULL, 0);
    rf_referral *routine = refer(fx, p, rf_party_id(gp), RF_SOURCE_PARTNER, RF_URGENCY_UNSET, NULL, 0);
    fx->now = T0 + HOUR;
    sweep(fx);
    assert_int_equal(breaches(fx, urgent), 1);
    fx->now = T0 + 720 * HOUR - 1;
    sweep(fx);
    assert_int_equal(breaches(fx, routine), 0);
    fx->now = T0 + 720 * HOUR;
    sweep(fx);
    assert_int_equal(breaches(fx, routine), 1);
    rf_referral_free(urgent);
    rf_referral_free(routine);
    rf_party_free(gp);
    rf_program_free(p);
}

static void an_answer_in_time_is_no_breach(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "GP partners");
    rf_party *gp = add_party(fx, RF_PARTY_PARTNER, "Elm St surgery", NULL, NULL);
    const rf_referral_state answers[] = {RF_REFERRAL_ACCEPTED, RF_REFERRAL_NEEDS_INFO, RF_REFERRAL_DECLINED};
    rf_referral *r[3];
    for (int i = 0; i < 3; i++) {
        r[i] = refer(fx, p, rf_party_id(gp), RF_SOURCE_PARTNER, RF_URGENCY_URGENT, NULL, 0);
    }
    fx->now = T0 + 4 * HOUR - 1;
    for (int i = 0; i < 3; i++) {
        assert_ok(advance_to(fx, &r[i], answers[i]));
    }
    /* RF_REFERRAL_NEEDS_INFO back to RF_REFERRAL_RECEIVED still counts as answered. */
    assert_ok(advance_to(fx, &r[1], RF_REFERRAL_RECEIVED));
    for (int h = 4; h <= 100; h += 24) {
        fx->now = T0 + h * HOUR;
        sweep(fx);
    }
    for (int i = 0; i < 3; i++) {
        assert_int_equal(breaches(fx, r[i]), 0);
        rf_referral_free(r[i]);
    }
    assert_int_equal(count_events(fx, RF_EVENT_SLA_BREACHED), 0);
    rf_party_free(gp);
    rf_program_free(p);
}

/* An answer after the deadline is still a miss, even when nobody drained the
 * outbox between the deadline and the answer. */
static void a_late_answer_is_a_breach(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "GP partners");
    rf_party *gp = add_party(fx, RF_PARTY_PARTNER, "Elm St surgery", NULL, NULL);
    rf_referral *r = refer(fx, p, rf_party_id(gp), RF_SOURCE_PARTNER, RF_URGENCY_URGENT, NULL, 0);
    fx->now = T0 + 5 * HOUR;
    assert_ok(advance_to(fx, &r, RF_REFERRAL_ACCEPTED));
    fx->now = T0 + 6 * HOUR;
    int64_t seq = last_seq(fx);
    sweep(fx);
    assert_int_equal(breaches(fx, r), 1);
    assert_int_equal(count_events_after(fx, RF_EVENT_SLA_BREACHED, seq), 1);
    rf_referral_free(r);
    rf_party_free(gp);
    rf_program_free(p);
}

static void on_hold_without_an_answer_breaches(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "GP partners");
    rf_party *gp = add_party(fx, RF_PARTY_PARTNER, "Elm St surgery", NULL, NULL);
    rf_referral *r = refer(fx, p, rf_party_id(gp), RF_SOURCE_PARTNER, RF_URGENCY_UNSET, NULL, 0);
    fx->now = T0 + HOUR;
    assert_ok(advance_to(fx, &r, RF_REFERRAL_ON_HOLD));
    fx->now = T0 + 48 * HOUR;
    sweep(fx);
    assert_int_equal(breaches(fx, r), 1);
    /* A referral withdrawn before anyone answered is not overdue. */
    rf_referral *gone = refer(fx, p, rf_party_id(gp), RF_SOURCE_PARTNER, RF_URGENCY_URGENT, NULL, 0);
    assert_ok(advance_to(fx, &gone, RF_REFERRAL_CANCEL_REQUESTED));
    fx->now += 5 * HOUR;
    sweep(fx);
    assert_int_equal(breaches(fx, gone), 0);
    rf_referral_free(gone);
    rf_referral_free(r);
    rf_party_free(gp);
    rf_program_free(p);
}

static void outbound_referrals_have_no_sla(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Onward");
    rf_party *sam = add_party(fx, RF_PARTY_STAFF, "Dr Sam", NULL, NULL);
    rf_party *gp = add_party(fx, RF_PARTY_PARTNER, "Elm St surgery", NULL, NULL);
    rf_party *carla = contactable_client(fx, "Carla Out", T0 - 30 * DAY);
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(p);
    o.referee_id = rf_party_id(carla);
    o.direction = RF_DIRECTION_OUTBOUND;
    o.target_id = rf_party_id(gp);
    o.referrer_id = rf_party_id(sam);
    o.urgency = RF_URGENCY_URGENT;
    rf_referral *r = NULL;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    fx->now += 10 * DAY;
    sweep(fx);
    assert_int_equal(count_tasks(fx, NULL, NULL, RF_TASK_KIND_UNSET, RF_TASK_STATE_UNSET), 0);
    rf_referral_free(r);
    rf_party_free(carla);
    rf_party_free(gp);
    rf_party_free(sam);
    rf_program_free(p);
}

/* Each programme's referrals are swept by its own hours, and a sweep that
 * finds more breaches than it raises in one batch (64) raises them all. */
static void every_programme_is_swept_past_a_batch(void **state)
{
    fixture *fx = *state;
    enum { MANY = 70 };
    rf_program *slow = outbox_program(fx, "GP partners");
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.sla_routine_hours = 24;
    rf_program *quick = program_with(fx, "Walk-ins", o);
    rf_party *gp = add_party(fx, RF_PARTY_PARTNER, "Elm St surgery", NULL, NULL);
    rf_referral *many[MANY], *few[2];
    for (int i = 0; i < MANY; i++) {
        many[i] = refer(fx, slow, rf_party_id(gp), RF_SOURCE_PARTNER, RF_URGENCY_ROUTINE, NULL, 0);
    }
    for (int i = 0; i < 2; i++) {
        few[i] = refer(fx, quick, rf_party_id(gp), RF_SOURCE_PARTNER, RF_URGENCY_ROUTINE, NULL, 0);
    }
    fx->now = T0 + 24 * HOUR;
    sweep(fx);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(breaches(fx, few[i]), 1);
    }
    assert_int_equal(count_events(fx, RF_EVENT_SLA_BREACHED), 2);
    fx->now = T0 + 48 * HOUR;
    sweep(fx);
    for (int i = 0; i < MANY; i++) {
        assert_int_equal(breaches(fx, many[i]), 1);
        rf_referral_free(many[i]);
    }
    assert_int_equal(count_events(fx, RF_EVENT_SLA_BREACHED), MANY + 2);
    rf_referral_free(few[0]);
    rf_referral_free(few[1]);
    rf_party_free(gp);
    rf_program_free(quick);
    rf_program_free(slow);
}

const struct CMUnitTest outbox_sla_cases[] = {
    CASE(routine_is_due_in_48_hours),     CASE(urgent_is_due_in_4_hours),
    CASE(the_hours_are_the_programmes),   CASE(an_answer_in_time_is_no_breach),
    CASE(a_late_answer_is_a_breach),      CASE(on_hold_without_an_answer_breaches),
    CASE(outbound_referrals_have_no_sla), CASE(every_programme_is_swept_past_a_batch),
};
const size_t outbox_sla_case_count = sizeof outbox_sla_cases / sizeof outbox_sla_cases[0];
