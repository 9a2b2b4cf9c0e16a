/* Conformance: why the ask policy holds back — each reason recorded on a
 * SUPPRESSED task and journalled, the order in which reasons apply, and what
 * lifts them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "story_support.h"

#define NPS_ASKED "trigger=nps;segment=new"

static rf_task *held_back(fixture *fx, const rf_program *p, const rf_party *c, const char *reason)
{
    char data[96];
    snprintf(data, sizeof data, "trigger=nps;segment=new;reason=%s", reason);
    rf_task *t = trigger_ask(fx, p, c, RF_CLIENT_EVENT_NPS, 10, "nps", RF_TASK_SUPPRESSED, data);
    assert_ask(fx, t, p, c, RF_TASK_SUPPRESSED, rf_task_template(t), rf_task_channel(t), data);
    return t;
}

static void asked(fixture *fx, const rf_program *p, const rf_party *c)
{
    rf_task_free(trigger_ask(fx, p, c, RF_CLIENT_EVENT_NPS, 10, "nps", RF_TASK_PENDING, NPS_ASKED));
}

static void a_lead_is_not_asked(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    person lead = {RF_PARTY_LEAD, "lead@example.org", NULL, RF_CONSENT_CONTACT, RF_CHANNEL_UNSET, 0};
    rf_party *l = add_person(fx, "Al Lead", lead);
    rf_task *t = held_back(fx, p, l, "not_client");
    assert_string_equal(rf_task_template(t), "ask.email.new");
    /* A suppressed ask is closed: never handed out, never reported on. */
    assert_int_equal(drain_count(fx, RF_TASK_KIND_UNSET), 0);
    char *before = snapshot(fx->store);
    assert_status(rf_task_sent(fx->store, rf_task_id(t), "any-token"), RF_ESTATE);
    assert_status(rf_task_cancel(fx->store, rf_task_id(t), NULL), RF_ESTATE);
    assert_status(rf_task_acked(fx->store, rf_task_id(t)), RF_ESTATE);
    assert_unchanged(fx->store, before);
    free(before);
    rf_task_free(t);

    /* Once a client, the next trigger asks. */
    rf_party_options ch = RF_PARTY_OPTIONS_INIT;
    ch.kind = RF_PARTY_CLIENT;
    assert_ok(rf_party_update(NULL, fx->store, rf_party_id(l), &ch));
    asked(fx, p, l);
    rf_party_free(l);
    rf_program_free(p);
}

static void no_consent_no_ask(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    person who = {RF_PARTY_CLIENT,  "nc@example.org", NULL, RF_CONSENT_NAMED | RF_CONSENT_SHARE_CONTACT,
                  RF_CHANNEL_UNSET, T0 - 30 * DAY};
    rf_party *c = add_person(fx, "Bea Quiet", who);
    rf_task_free(held_back(fx, p, c, "no_consent"));
    rf_party_options ch = RF_PARTY_OPTIONS_INIT;
    ch.consent = RF_CONSENT_CONTACT;
    assert_ok(rf_party_update(NULL, fx->store, rf_party_id(c), &ch));
    asked(fx, p, c);
    rf_party_free(c);
    rf_program_free(p);
}

static void an_open_complaint_holds_back(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_party *c = contactable_client(fx, "Cal Cross", T0 - 30 * DAY);
    rf_client_event_free(record_event(fx, rf_party_id(c), RF_CLIENT_EVENT_COMPLAINT_OPENED, RF_UNSET, "C-1"));
    rf_client_event_free(record_event(fx, rf_party_id(c), RF_CLIENT_EVENT_COMPLAINT_OPENED, RF_UNSET, "C-2"));
    rf_task_free(held_back(fx, p, c, "open_complaint"));
    /* One of two resolved: still open. */
    rf_client_event_free(
        record_event(fx, rf_party_id(c), RF_CLIENT_EVENT_COMPLAINT_RESOLVED, RF_UNSET, "C-1"));
    rf_task_free(held_back(fx, p, c, "open_complaint"));
    rf_client_event_free(
        record_event(fx, rf_party_id(c), RF_CLIENT_EVENT_COMPLAINT_RESOLVED, RF_UNSET, "C-2"));
    asked(fx, p, c);
    rf_party_free(c);
    rf_program_free(p);
}

static void a_sensitive_phase_holds_back(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_party *c = contactable_client(fx, "Dee Soft", T0 - 30 * DAY);
    rf_client_event_free(record_event(fx, rf_party_id(c), RF_CLIENT_EVENT_SENSITIVE_PHASE, 1, NULL));
    rf_task_free(held_back(fx, p, c, "sensitive_phase"));
    fx->now += HOUR;
    rf_client_event_free(record_event(fx, rf_party_id(c), RF_CLIENT_EVENT_SENSITIVE_PHASE, 0, NULL));
    asked(fx, p, c);

    /* The latest flag by when it happened counts, not the last one recorded. */
    rf_party *d = contactable_client(fx, "Eli Calm", T0 - 30 * DAY);
    rf_client_event_free(record_event(fx, rf_party_id(d), RF_CLIENT_EVENT_SENSITIVE_PHASE, 0, NULL));
    rf_client_event_options late = event_options(rf_party_id(d), RF_CLIENT_EVENT_SENSITIVE_PHASE, 1, NULL);
    late.at = fx->now - DAY; /* reported late: it began before it ended */
    rf_client_event *e = NULL;
    assert_ok(rf_client_event_add(&e, fx->store, &late));
    rf_client_event_free(e);
    asked(fx, p, d);
    rf_party_free(d);
    rf_party_free(c);
    rf_program_free(p);
}

static void the_cooldown_holds_back(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_party *c = contactable_client(fx, "Fay Slow", T0 - 30 * DAY);
    asked(fx, p, c);
    fx->now += 89 * DAY + 23 * HOUR;
    rf_task_free(held_back(fx, p, c, "cooldown"));
    fx->now = T0 + 90 * DAY; /* exactly the cooldown later */
    asked(fx, p, c);

    /* Suppressed and cancelled asks do not start a cooldown. */
    rf_party *d = contactable_client(fx, "Gus Fast", T0);
    rf_client_event_free(record_event(fx, rf_party_id(d), RF_CLIENT_EVENT_SENSITIVE_PHASE, 1, NULL));
    rf_task_free(trigger_ask(fx, p, d, RF_CLIENT_EVENT_NPS, 10, "nps", RF_TASK_SUPPRESSED,
                             "trigger=nps;segment=new;reason=sensitive_phase"));
    rf_client_event_free(record_event(fx, rf_party_id(d), RF_CLIENT_EVENT_SENSITIVE_PHASE, 0, NULL));
    rf_task *t = trigger_ask(fx, p, d, RF_CLIENT_EVENT_NPS, 10, "nps", RF_TASK_PENDING, NPS_ASKED);
    assert_ok(rf_task_cancel(fx->store, rf_task_id(t), "asked in person instead"));
    rf_task_free(t);
    asked(fx, p, d);

    /* A cooldown of 0 days never holds back. */
    rf_program_options ch = RF_PROGRAM_OPTIONS_INIT;
    ch.ask_cooldown_days = 0;
    assert_ok(rf_program_update(NULL, fx->store, rf_program_id(p), &ch));
    asked(fx, p, d);
    rf_party_free(d);
    rf_party_free(c);
    rf_program_free(p);
}

static void the_yearly_cap_holds_back(void **state)
{
    fixture *fx = *state;
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.ask_cooldown_days = 0;
    o.ask_yearly_cap = 2;
    rf_program *p = program_with(fx, "Capped", o);
    rf_party *c = contactable_client(fx, "Hu Cap", 0); /* no first visit: always new */
    asked(fx, p, c);
    fx->now += 100 * DAY;
    asked(fx, p, c);
    fx->now += 100 * DAY;
    rf_task_free(held_back(fx, p, c, "yearly_cap"));
    /* A year after the first ask, one falls out of the window. */
    fx->now = T0 + 365 * DAY;
    asked(fx, p, c);
    fx->now += DAY;
    rf_task_free(held_back(fx, p, c, "yearly_cap"));
    rf_party_free(c);
    rf_program_free(p);
}

/* The most fundamental reason is recorded when several apply. */
static void the_first_reason_that_applies_is_recorded(void **state)
{
    fixture *fx = *state;
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.ask_yearly_cap = 1;
    rf_program *p = program_with(fx, "Strict", o);

    /* Everything at once, then each reason lifted in turn. */
    person who = {RF_PARTY_LEAD, "all@example.org", NULL, 0, RF_CHANNEL_UNSET, 0};
    rf_party *c = add_person(fx, "Ivy All", who);
    rf_party_options ch = RF_PARTY_OPTIONS_INIT;
    ch.consent = RF_CONSENT_CONTACT;
    ch.kind = RF_PARTY_CLIENT;
    assert_ok(rf_party_update(NULL, fx->store, rf_party_id(c), &ch)); /* a client for a moment */
    asked(fx, p, c);                                                  /* now in cooldown and at the cap */
    rf_client_event_free(record_event(fx, rf_party_id(c), RF_CLIENT_EVENT_COMPLAINT_OPENED, RF_UNSET, "C-9"));
    rf_client_event_free(record_event(fx, rf_party_id(c), RF_CLIENT_EVENT_SENSITIVE_PHASE, 1, NULL));
    ch = (rf_party_options)RF_PARTY_OPTIONS_INIT;
    ch.consent = 0;
    assert_ok(rf_party_update(NULL, fx->store, rf_party_id(c), &ch));
    rf_task_free(held_back(fx, p, c, "no_consent"));
    ch.consent = RF_CONSENT_CONTACT;
    assert_ok(rf_party_update(NULL, fx->store, rf_party_id(c), &ch));
    rf_task_free(held_back(fx, p, c, "open_complaint"));
    rf_client_event_free(
        record_event(fx, rf_party_id(c), RF_CLIENT_EVENT_COMPLAINT_RESOLVED, RF_UNSET, "C-9"));
    rf_task_free(held_back(fx, p, c, "sensitive_phase"));
    rf_client_event_free(record_event(fx, rf_party_id(c), RF_CLIENT_EVENT_SENSITIVE_PHASE, 0, NULL));
    rf_task_free(held_back(fx, p, c, "cooldown"));
    fx->now += 90 * DAY;
    rf_task_free(held_back(fx, p, c, "yearly_cap"));
    fx->now = T0 + 365 * DAY;
    asked(fx, p, c);

    /* A lead with no consent and an open complaint: not a client comes first. */
    person lead = {RF_PARTY_LEAD, NULL, NULL, 0, RF_CHANNEL_UNSET, 0};
    rf_party *l = add_person(fx, "Jay Lead", lead);
    rf_client_event_free(record_event(fx, rf_party_id(l), RF_CLIENT_EVENT_COMPLAINT_OPENED, RF_UNSET, "C-1"));
    rf_task *t = held_back(fx, p, l, "not_client");
    assert_string_equal(rf_task_template(t), "ask.in_person.new");
    rf_task_free(t);
    rf_party_free(l);
    rf_party_free(c);
    rf_program_free(p);
}

const struct CMUnitTest ask_suppression_cases[] = {
    CASE(a_lead_is_not_asked),
    CASE(no_consent_no_ask),
    CASE(an_open_complaint_holds_back),
    CASE(a_sensitive_phase_holds_back),
    CASE(the_cooldown_holds_back),
    CASE(the_yearly_cap_holds_back),
    CASE(the_first_reason_that_applies_is_recorded),
};
const size_t ask_suppression_case_count = sizeof ask_suppression_cases / sizeof ask_suppression_cases[0];
