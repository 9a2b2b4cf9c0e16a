/* Conformance: the ask policy's triggers from client events, the switches
 * that turn them off, one decision per cause, and an ask's outcome. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "story_support.h"

static const struct trigger_case {
    rf_client_event_type type;
    int value;
    const char *trigger;
} triggers[] = {
    {RF_CLIENT_EVENT_NPS, 9, "nps"},
    {RF_CLIENT_EVENT_NPS, 10, "nps"},
    {RF_CLIENT_EVENT_MILESTONE, RF_UNSET, "milestone"},
    {RF_CLIENT_EVENT_DISCHARGE, RF_DISCHARGE_GOOD, "discharge"},
    {RF_CLIENT_EVENT_PRAISE, RF_UNSET, "praise"},
    {RF_CLIENT_EVENT_PAYMENT_CLEARED, RF_UNSET, "payment"},
};
#define TRIGGER_COUNT (sizeof triggers / sizeof triggers[0])

static void each_trigger_asks(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    for (size_t i = 0; i < TRIGGER_COUNT; i++) {
        /* A client each: one ask would hold back the next for the cooldown. */
        char name[32], data[64];
        snprintf(name, sizeof name, "Client %zu", i);
        rf_party *c = contactable_client(fx, name, T0 - 30 * DAY);
        snprintf(data, sizeof data, "trigger=%s;segment=new", triggers[i].trigger);
        rf_task *t = trigger_ask(fx, p, c, triggers[i].type, triggers[i].value, triggers[i].trigger,
                                 RF_TASK_PENDING, data);
        assert_ask(fx, t, p, c, RF_TASK_PENDING, "ask.email.new", RF_CHANNEL_EMAIL, data);
        rf_task *again = reload_task(fx, t);
        assert_string_equal(rf_task_key(again), rf_task_key(t));
        assert_ask(fx, again, p, c, RF_TASK_PENDING, "ask.email.new", RF_CHANNEL_EMAIL, data);
        rf_task_free(again);
        rf_task_free(t);
        rf_party_free(c);
        fx->now += 60;
    }
    /* Read back from storage. */
    reopen_if_file(fx);
    assert_int_equal(count_tasks(fx, NULL, NULL, RF_TASK_ASK, RF_TASK_PENDING), (int)TRIGGER_COUNT);
    rf_program_free(p);
}

static void other_events_do_not_ask(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_party *c = contactable_client(fx, "Mo Park", T0 - 30 * DAY);
    const struct {
        rf_client_event_type type;
        int value;
        const char *label;
    } quiet[] = {
        {RF_CLIENT_EVENT_NPS, 8, NULL},
        {RF_CLIENT_EVENT_NPS, 0, NULL},
        {RF_CLIENT_EVENT_DISCHARGE, RF_DISCHARGE_NEUTRAL, NULL},
        {RF_CLIENT_EVENT_DISCHARGE, RF_DISCHARGE_POOR, NULL},
        {RF_CLIENT_EVENT_VISIT_COMPLETED, RF_UNSET, NULL},
        {RF_CLIENT_EVENT_REVENUE, RF_UNSET, NULL},
        {RF_CLIENT_EVENT_COMPLAINT_OPENED, RF_UNSET, "C-3"},
        {RF_CLIENT_EVENT_COMPLAINT_RESOLVED, RF_UNSET, "C-3"},
        {RF_CLIENT_EVENT_SENSITIVE_PHASE, 1, NULL},
        {RF_CLIENT_EVENT_SENSITIVE_PHASE, 0, NULL},
    };
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++) {
        rf_client_event_free(record_event(fx, rf_party_id(c), quiet[i].type, quiet[i].value, quiet[i].label));
        assert_no_ask(fx, rf_party_id(c));
    }
    assert_int_equal(count_tasks(fx, NULL, NULL, RF_TASK_KIND_UNSET, RF_TASK_STATE_UNSET), 0);
    rf_party_free(c);
    rf_program_free(p);
}

static void the_threshold_is_the_programmes(void **state)
{
    fixture *fx = *state;
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.ask_nps_threshold = 7;
    rf_program *p = program_with(fx, "Generous", o);
    rf_party *a = contactable_client(fx, "Ned Oak", T0 - 30 * DAY);
    rf_party *b = contactable_client(fx, "Ola Pine", T0 - 30 * DAY);
    rf_task_free(trigger_ask(fx, p, a, RF_CLIENT_EVENT_NPS, 6, "nps", RF_TASK_PENDING, NULL));
    rf_task_free(
        trigger_ask(fx, p, a, RF_CLIENT_EVENT_NPS, 7, "nps", RF_TASK_PENDING, "trigger=nps;segment=new"));
    /* Threshold 0: every score asks; 10: only a 10. */
    rf_program_options ch = RF_PROGRAM_OPTIONS_INIT;
    ch.ask_nps_threshold = 10;
    assert_ok(rf_program_update(NULL, fx->store, rf_program_id(p), &ch));
    rf_task_free(trigger_ask(fx, p, b, RF_CLIENT_EVENT_NPS, 9, "nps", RF_TASK_PENDING, NULL));
    rf_task_free(
        trigger_ask(fx, p, b, RF_CLIENT_EVENT_NPS, 10, "nps", RF_TASK_PENDING, "trigger=nps;segment=new"));
    rf_party *c = contactable_client(fx, "Pia Quay", T0 - 30 * DAY);
    ch.ask_nps_threshold = 0;
    assert_ok(rf_program_update(NULL, fx->store, rf_program_id(p), &ch));
    rf_task_free(
        trigger_ask(fx, p, c, RF_CLIENT_EVENT_NPS, 0, "nps", RF_TASK_PENDING, "trigger=nps;segment=new"));
    rf_party_free(a);
    rf_party_free(b);
    rf_party_free(c);
    rf_program_free(p);
}

static void switches_turn_triggers_off(void **state)
{
    fixture *fx = *state;
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.ask_on_milestone = 0;
    o.ask_on_discharge = 0;
    o.ask_on_praise = 0;
    o.ask_on_payment = 0;
    rf_program *p = program_with(fx, "NPS only", o);
    rf_party *c = contactable_client(fx, "Quin Reed", T0 - 30 * DAY);
    for (size_t i = 2; i < TRIGGER_COUNT; i++) {
        rf_task_free(trigger_ask(fx, p, c, triggers[i].type, triggers[i].value, triggers[i].trigger,
                                 RF_TASK_PENDING, NULL));
    }
    rf_task_free(
        trigger_ask(fx, p, c, RF_CLIENT_EVENT_NPS, 10, "nps", RF_TASK_PENDING, "trigger=nps;segment=new"));

    /* A programme that does not ask at all decides nothing, suppressed or not. */
    rf_program_options off = RF_PROGRAM_OPTIONS_INIT;
    off.ask_enabled = 0;
    assert_ok(rf_program_update(NULL, fx->store, rf_program_id(p), &off));
    rf_party *d = contactable_client(fx, "Ros Sage", T0 - 30 * DAY);
    person lead = {RF_PARTY_LEAD, NULL, NULL, 0, RF_CHANNEL_UNSET, 0};
    rf_party *l = add_person(fx, "Sam Lead", lead);
    for (size_t i = 0; i < TRIGGER_COUNT; i++) {
        rf_task_free(trigger_ask(fx, p, d, triggers[i].type, triggers[i].value, triggers[i].trigger,
                                 RF_TASK_PENDING, NULL));
        rf_task_free(trigger_ask(fx, p, l, triggers[i].type, triggers[i].value, triggers[i].trigger,
                                 RF_TASK_PENDING, NULL));
    }
    rf_party_free(l);
    rf_party_free(d);
    rf_party_free(c);
    rf_program_free(p);
}

static void one_decision_per_cause(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_party *c = contactable_client(fx, "Tia Umber", T0 - 30 * DAY);
    rf_client_event_options o = event_options(rf_party_id(c), RF_CLIENT_EVENT_NPS, 10, NULL);
    o.idempotency_key = "survey-77";
    rf_client_event *e = NULL;
    assert_ok(rf_client_event_add(&e, fx->store, &o));
    rf_task *t = the_ask(fx, p, "nps", rf_client_event_id(e));
    char *before = snapshot(fx->store);
    for (int i = 0; i < 3; i++) {
        fx->now += HOUR;
        rf_client_event *again = NULL;
        assert_ok(rf_client_event_add(&again, fx->store, &o));
        assert_string_equal(rf_client_event_id(again), rf_client_event_id(e));
        rf_client_event_free(again);
        assert_unchanged(fx->store, before);
    }
    free(before);
    assert_int_equal(count_tasks(fx, rf_party_id(c), NULL, RF_TASK_ASK, RF_TASK_STATE_UNSET), 1);
    rf_task_free(t);
    rf_client_event_free(e);

    /* Two asking programmes decide the same event each; the client is asked once. */
    rf_program *q = outbox_program(fx, "Second programme");
    rf_party *d = contactable_client(fx, "Uma Vale", T0 - 30 * DAY);
    e = record_event(fx, rf_party_id(d), RF_CLIENT_EVENT_PRAISE, RF_UNSET, NULL);
    rf_task *first = the_ask(fx, p, "praise", rf_client_event_id(e));
    rf_task *second = the_ask(fx, q, "praise", rf_client_event_id(e));
    assert_int_equal(rf_task_get_state(first), RF_TASK_PENDING);
    assert_int_equal(rf_task_get_state(second), RF_TASK_SUPPRESSED);
    assert_string_equal(rf_task_data(second), "trigger=praise;segment=new;reason=cooldown");
    assert_string_equal(rf_task_program_id(second), rf_program_id(q));
    rf_task_free(first);
    rf_task_free(second);
    rf_client_event_free(e);
    rf_party_free(d);
    rf_program_free(q);
    rf_party_free(c);
    rf_program_free(p);
}

static void outcomes_are_recorded(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_party *c = contactable_client(fx, "Vic Wren", T0 - 30 * DAY);
    rf_task *t =
        trigger_ask(fx, p, c, RF_CLIENT_EVENT_NPS, 10, "nps", RF_TASK_PENDING, "trigger=nps;segment=new");
    const rf_ask_outcome order[] = {RF_ASK_DECLINED, RF_ASK_SHARED, RF_ASK_REFERRED};
    for (size_t i = 0; i < 3; i++) {
        fx->now += 60;
        assert_ok(rf_task_set_outcome(fx->store, rf_task_id(t), order[i]));
        char data[48];
        snprintf(data, sizeof data, "outcome=%s", rf_ask_outcome_name(order[i]));
        assert_last_event(fx, RF_EVENT_ASK_OUTCOME, rf_task_id(t), data);
        rf_task *now = reload_task(fx, t);
        assert_int_equal(rf_task_outcome(now), order[i]); /* the latest report wins */
        assert_int_equal(rf_task_get_state(now), RF_TASK_PENDING);
        rf_task_free(now);
    }
    /* Sending does not overwrite what the host reported. */
    rf_task *handed[4];
    assert_int_equal(drain(fx, fx->store, fx->now, RF_TASK_ASK, handed, 4), 1);
    assert_ok(rf_task_sent(fx->store, rf_task_id(handed[0]), rf_task_lease_token(handed[0])));
    free_tasks(handed, 1);
    rf_task *sent = reload_task(fx, t);
    assert_int_equal(rf_task_outcome(sent), RF_ASK_REFERRED);
    rf_task_free(sent);
    rf_task_free(t);

    /* An ask sent with nothing reported yet reads SENT; an outcome after it is kept. */
    rf_party *d = contactable_client(fx, "Wes Yew", T0 - 30 * DAY);
    t = trigger_ask(fx, p, d, RF_CLIENT_EVENT_PRAISE, RF_UNSET, "praise", RF_TASK_PENDING,
                    "trigger=praise;segment=new");
    assert_int_equal(drain(fx, fx->store, fx->now, RF_TASK_ASK, handed, 4), 1);
    assert_ok(rf_task_sent(fx->store, rf_task_id(handed[0]), rf_task_lease_token(handed[0])));
    free_tasks(handed, 1);
    sent = reload_task(fx, t);
    assert_int_equal(rf_task_outcome(sent), RF_ASK_SENT);
    rf_task_free(sent);
    assert_ok(rf_task_acked(fx->store, rf_task_id(t)));
    assert_ok(rf_task_set_outcome(fx->store, rf_task_id(t), RF_ASK_SHARED));
    sent = reload_task(fx, t);
    assert_int_equal(rf_task_outcome(sent), RF_ASK_SHARED);
    assert_int_equal(rf_task_get_state(sent), RF_TASK_ACKED);
    rf_task_free(sent);
    rf_task_free(t);
    rf_party_free(d);
    rf_party_free(c);
    rf_program_free(p);
}

static void outcome_refusals_change_nothing(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_party *c = contactable_client(fx, "Xan Yates", T0 - 30 * DAY);
    rf_task *ask =
        trigger_ask(fx, p, c, RF_CLIENT_EVENT_NPS, 10, "nps", RF_TASK_PENDING, "trigger=nps;segment=new");
    rf_task *held = trigger_ask(fx, p, c, RF_CLIENT_EVENT_PRAISE, RF_UNSET, "praise", RF_TASK_SUPPRESSED,
                                "trigger=praise;segment=new;reason=cooldown");
    rf_referral *r = refer(fx, p, rf_party_id(c), RF_SOURCE_MANUAL, RF_URGENCY_UNSET, NULL, 0);
    rf_task *thank = task_for(fx, "thank", rf_referral_id(r));
    char *before = snapshot(fx->store);
    assert_status(rf_task_set_outcome(fx->store, rf_task_id(ask), RF_ASK_OUTCOME_UNSET), RF_EINVALID);
    assert_status(rf_task_set_outcome(fx->store, rf_task_id(ask), (rf_ask_outcome)5), RF_EINVALID);
    assert_status(rf_task_set_outcome(fx->store, rf_task_id(ask), (rf_ask_outcome)-1), RF_EINVALID);
    assert_status(rf_task_set_outcome(fx->store, rf_task_id(thank), RF_ASK_SHARED), RF_EINVALID);
    assert_message_has("THANK_REFERRER");
    assert_status(rf_task_set_outcome(fx->store, rf_task_id(held), RF_ASK_SHARED), RF_ESTATE);
    assert_message_has("SUPPRESSED");
    assert_status(rf_task_set_outcome(fx->store, "00000000-0000-7000-8000-000000000000", RF_ASK_SHARED),
                  RF_ENOTFOUND);
    assert_status(rf_task_set_outcome(fx->store, NULL, RF_ASK_SHARED), RF_EINVALID);
    assert_status(rf_task_set_outcome(NULL, rf_task_id(ask), RF_ASK_SHARED), RF_EINVALID);
    assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_ARGUMENT);
    assert_unchanged(fx->store, before);
    free(before);

    static const char *const names[] = {"UNSET", "SENT", "DECLINED", "SHARED", "REFERRED", "UNSET"};
    for (int i = 0; i < 6; i++) {
        assert_string_equal(rf_ask_outcome_name((rf_ask_outcome)i), names[i]);
    }
    rf_task_free(thank);
    rf_referral_free(r);
    rf_task_free(held);
    rf_task_free(ask);
    rf_party_free(c);
    rf_program_free(p);
}

const struct CMUnitTest ask_policy_cases[] = {
    CASE(each_trigger_asks),
    CASE(other_events_do_not_ask),
    CASE(the_threshold_is_the_programmes),
    CASE(switches_turn_triggers_off),
    CASE(one_decision_per_cause),
    CASE(outcomes_are_recorded),
    CASE(outcome_refusals_change_nothing),
};
const size_t ask_policy_case_count = sizeof ask_policy_cases / sizeof ask_policy_cases[0];
