/* Conformance: asks that fall due by date, written by rf_tasks_due with the
 * injected clock: N days after the first visit (once) and the anniversary of
 * the first visit (once a year), each within its 30-day window. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "story_support.h"

/* 2024-02-29T09:00:00Z: a first visit on a leap day. */
#define LEAP_DAY (T0 - 731 * DAY)

/* Date asks are keyed by client: `ask:<programme>:<trigger>:<client>:once|yearN`. */
static rf_task *date_ask(fixture *fx, const rf_program *p, const char *trigger, const rf_party *c,
                         const char *when)
{
    char source[128];
    snprintf(source, sizeof source, "%s:%s", rf_party_id(c), when);
    return the_ask(fx, p, trigger, source);
}

static int asks_of(fixture *fx, const rf_party *c)
{
    return count_tasks(fx, rf_party_id(c), NULL, RF_TASK_ASK, RF_TASK_STATE_UNSET);
}

static void days_after_the_first_visit(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_party *a = contactable_client(fx, "Ada First", T0 - 89 * DAY);
    rf_party *late = contactable_client(fx, "Ben Late", T0 - 120 * DAY);     /* the window has closed */
    rf_party *edge = contactable_client(fx, "Cas Edge", T0 - 120 * DAY + 1); /* its last second */
    rf_party *none = contactable_client(fx, "Dot None", 0);
    person lead = {RF_PARTY_LEAD,      "lead@example.org", NULL,
                   RF_CONSENT_CONTACT, RF_CHANNEL_UNSET,   T0 - 90 * DAY};
    rf_party *l = add_person(fx, "Eve Lead", lead);
    sweep(fx);
    assert_int_equal(asks_of(fx, a), 0);
    assert_int_equal(asks_of(fx, late), 0);
    assert_int_equal(asks_of(fx, none), 0);
    assert_int_equal(asks_of(fx, l), 0); /* only clients are swept */
    rf_task *t = date_ask(fx, p, "days_after_first_visit", edge, "once");
    assert_ask(fx, t, p, edge, RF_TASK_PENDING, "ask.email.new", RF_CHANNEL_EMAIL,
               "trigger=days_after_first_visit;segment=new");
    assert_int_equal(count_events(fx, RF_EVENT_TASK_CREATED), 1);
    rf_task_free(t);

    /* A day later Ada is due; the decision is made once, however often it is swept. */
    fx->now += DAY;
    sweep(fx);
    assert_int_equal(asks_of(fx, a), 1);
    rf_task_filter f = RF_TASK_FILTER_INIT;
    f.party_id = rf_party_id(a);
    rf_task_iter *it = NULL;
    assert_ok(rf_task_list(&it, fx->store, &f));
    assert_ok(rf_task_iter_next(&t, it));
    rf_task_iter_free(it);
    rf_task *keyed = date_ask(fx, p, "days_after_first_visit", a, "once");
    assert_string_equal(rf_task_id(keyed), rf_task_id(t));
    rf_task_free(keyed);
    assert_ask(fx, t, p, a, RF_TASK_PENDING, "ask.email.new", RF_CHANNEL_EMAIL,
               "trigger=days_after_first_visit;segment=new");
    /* Handed out by the drain that wrote it. */
    rf_task *handed[8];
    fx->now += HOUR;
    size_t n = drain(fx, fx->store, fx->now, RF_TASK_ASK, handed, 8);
    assert_int_equal(n, 2);
    free_tasks(handed, n);
    for (int i = 0; i < 3; i++) {
        fx->now += 5 * DAY;
        sweep(fx);
    }
    assert_int_equal(asks_of(fx, a), 1);
    assert_int_equal(asks_of(fx, edge), 1);
    assert_int_equal(asks_of(fx, late), 0);
    assert_int_equal(asks_of(fx, l), 0);
    rf_task_free(t);
    rf_party_free(a);
    rf_party_free(late);
    rf_party_free(edge);
    rf_party_free(none);
    rf_party_free(l);
    rf_program_free(p);
}

static void the_days_are_the_programmes(void **state)
{
    fixture *fx = *state;
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.ask_after_first_visit_days = 0; /* never */
    o.ask_on_anniversary = 0;
    rf_program *off = program_with(fx, "Off", o);
    rf_party *a = contactable_client(fx, "Fin Zero", T0 - 90 * DAY);
    sweep(fx);
    assert_int_equal(asks_of(fx, a), 0);

    rf_program_options ch = RF_PROGRAM_OPTIONS_INIT;
    ch.ask_after_first_visit_days = 200;
    assert_ok(rf_program_update(NULL, fx->store, rf_program_id(off), &ch));
    rf_party *b = contactable_client(fx, "Gia Two", T0 - 200 * DAY);
    sweep(fx);
    assert_int_equal(asks_of(fx, a), 0);
    rf_task *t = date_ask(fx, off, "days_after_first_visit", b, "once");
    assert_ask(fx, t, off, b, RF_TASK_PENDING, "ask.email.long", RF_CHANNEL_EMAIL,
               "trigger=days_after_first_visit;segment=long");
    rf_task_free(t);

    /* A programme that does not ask is never swept. */
    ch = (rf_program_options)RF_PROGRAM_OPTIONS_INIT;
    ch.ask_enabled = 0;
    assert_ok(rf_program_update(NULL, fx->store, rf_program_id(off), &ch));
    rf_party *c = contactable_client(fx, "Hal Three", T0 - 200 * DAY);
    sweep(fx);
    assert_int_equal(asks_of(fx, c), 0);
    rf_party_free(a);
    rf_party_free(b);
    rf_party_free(c);
    rf_program_free(off);
}

static void date_asks_are_suppressed_too(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    person quiet = {RF_PARTY_CLIENT, NULL, "+447700900200", 0, RF_CHANNEL_UNSET, T0 - 90 * DAY};
    rf_party *a = add_person(fx, "Ian Quiet", quiet);
    rf_party *b = contactable_client(fx, "Joy Upset", T0 - 90 * DAY);
    rf_client_event_free(record_event(fx, rf_party_id(b), RF_CLIENT_EVENT_COMPLAINT_OPENED, RF_UNSET, "C-5"));
    sweep(fx);
    rf_task_filter f = RF_TASK_FILTER_INIT;
    f.kind = RF_TASK_ASK;
    f.state = RF_TASK_SUPPRESSED;
    rf_task_iter *it = NULL;
    rf_task *t = NULL;
    int n = 0;
    assert_ok(rf_task_list(&it, fx->store, &f));
    while (rf_task_iter_next(&t, it) == RF_OK) {
        n++;
        int is_a = strcmp(rf_task_party_id(t), rf_party_id(a)) == 0;
        assert_ask(fx, t, p, is_a ? a : b, RF_TASK_SUPPRESSED, is_a ? "ask.sms.new" : "ask.email.new",
                   is_a ? RF_CHANNEL_SMS : RF_CHANNEL_EMAIL,
                   is_a ? "trigger=days_after_first_visit;segment=new;reason=no_consent"
                        : "trigger=days_after_first_visit;segment=new;reason=open_complaint");
        rf_task_free(t);
    }
    rf_task_iter_free(it);
    assert_int_equal(n, 2);
    assert_int_equal(count_events(fx, RF_EVENT_ASK_SUPPRESSED), 2);
    /* Decided: resolving the complaint later does not bring this ask back. */
    rf_client_event_free(
        record_event(fx, rf_party_id(b), RF_CLIENT_EVENT_COMPLAINT_RESOLVED, RF_UNSET, "C-5"));
    fx->now += DAY;
    sweep(fx);
    assert_int_equal(asks_of(fx, b), 1);
    rf_party_free(a);
    rf_party_free(b);
    rf_program_free(p);
}

static void the_anniversary_asks_once_a_year(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_party *a = contactable_client(fx, "Kit Year", T0 - 365 * DAY);    /* 2025-03-01T09:00Z */
    rf_party *gone = contactable_client(fx, "Lou Past", T0 - 396 * DAY); /* window closed at T0 - 1 day */
    fx->now = T0 - 1;
    sweep(fx);
    assert_int_equal(asks_of(fx, a), 0);
    fx->now = T0;
    sweep(fx);
    rf_task *t = date_ask(fx, p, "anniversary", a, "year1");
    assert_ask(fx, t, p, a, RF_TASK_PENDING, "ask.email.long", RF_CHANNEL_EMAIL,
               "trigger=anniversary;segment=long");
    rf_task_free(t);
    assert_int_equal(asks_of(fx, gone), 0);
    for (int i = 0; i < 4; i++) {
        fx->now += 7 * DAY;
        sweep(fx);
    }
    assert_int_equal(asks_of(fx, a), 1);

    /* The next year: the second anniversary (2027-03-01). */
    fx->now = T0 + 365 * DAY - 1;
    sweep(fx);
    assert_int_equal(asks_of(fx, a), 1);
    fx->now = T0 + 365 * DAY;
    sweep(fx);
    t = date_ask(fx, p, "anniversary", a, "year2");
    assert_ask(fx, t, p, a, RF_TASK_PENDING, "ask.email.long", RF_CHANNEL_EMAIL,
               "trigger=anniversary;segment=long");
    rf_task_free(t);
    assert_int_equal(asks_of(fx, a), 2);
    /* Lou's second anniversary (2027-01-29) has passed its window by then too. */
    assert_int_equal(asks_of(fx, gone), 0);
    rf_party_free(a);
    rf_party_free(gone);
    rf_program_free(p);
}

static void a_leap_day_first_visit(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_party *a = contactable_client(fx, "Max Leap", LEAP_DAY);
    /* Remembered on 28 February in other years: 2026-02-28T09:00Z is a day before T0. */
    fx->now = T0 - DAY - 1;
    sweep(fx);
    assert_int_equal(asks_of(fx, a), 0);
    fx->now = T0 - DAY;
    sweep(fx);
    rf_task *t = date_ask(fx, p, "anniversary", a, "year2");
    assert_ask(fx, t, p, a, RF_TASK_PENDING, "ask.email.long", RF_CHANNEL_EMAIL,
               "trigger=anniversary;segment=long");
    rf_task_free(t);
    assert_int_equal(asks_of(fx, a), 1);
    rf_party_free(a);
    rf_program_free(p);
}

static void anniversaries_can_be_turned_off(void **state)
{
    fixture *fx = *state;
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.ask_on_anniversary = 0;
    rf_program *p = program_with(fx, "No birthdays", o);
    rf_party *a = contactable_client(fx, "Ned Off", T0 - 365 * DAY);
    sweep(fx);
    assert_int_equal(asks_of(fx, a), 0);
    rf_program_options ch = RF_PROGRAM_OPTIONS_INIT;
    ch.ask_on_anniversary = 1;
    assert_ok(rf_program_update(NULL, fx->store, rf_program_id(p), &ch));
    fx->now += DAY;
    sweep(fx);
    assert_int_equal(asks_of(fx, a), 1);
    rf_party_free(a);
    rf_program_free(p);
}

/* Programmes with different days each ask their own clients; a sweep with
 * more due clients than one batch (64) asks them all; and with more distinct
 * day counts than the sweep keeps apart (16), every programme still asks. */
static void many_clients_and_many_programmes(void **state)
{
    fixture *fx = *state;
    enum { PROGRAMMES = 18, MANY = 70 };
    rf_program *p[PROGRAMMES];
    rf_party *due[PROGRAMMES];
    char name[32];
    for (int i = 0; i < PROGRAMMES; i++) {
        rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
        o.ask_after_first_visit_days = 100 + 40 * i; /* windows of 30 days never overlap */
        o.ask_on_anniversary = 0;
        snprintf(name, sizeof name, "Programme %d", i);
        p[i] = program_with(fx, name, o);
        snprintf(name, sizeof name, "Due %d", i);
        due[i] = contactable_client(fx, name, T0 - (100 + 40 * i) * DAY);
    }
    rf_party *many[MANY];
    for (int i = 0; i < MANY; i++) {
        snprintf(name, sizeof name, "Crowd %d", i);
        many[i] = contactable_client(fx, name, T0 - 100 * DAY - i * HOUR);
    }
    rf_party *none = contactable_client(fx, "Between windows", T0 - 135 * DAY);
    sweep(fx);
    for (int i = 0; i < PROGRAMMES; i++) {
        rf_task *t = date_ask(fx, p[i], "days_after_first_visit", due[i], "once");
        assert_int_equal(asks_of(fx, due[i]), 1);
        rf_task_free(t);
    }
    for (int i = 0; i < MANY; i++) {
        rf_task *t = date_ask(fx, p[0], "days_after_first_visit", many[i], "once");
        assert_int_equal(asks_of(fx, many[i]), 1);
        rf_task_free(t);
        rf_party_free(many[i]);
    }
    assert_int_equal(asks_of(fx, none), 0);
    for (int i = 0; i < PROGRAMMES; i++) {
        rf_party_free(due[i]);
        rf_program_free(p[i]);
    }
    rf_party_free(none);
}

const struct CMUnitTest ask_date_cases[] = {
    CASE(days_after_the_first_visit),   CASE(the_days_are_the_programmes),
    CASE(date_asks_are_suppressed_too), CASE(the_anniversary_asks_once_a_year),
    CASE(a_leap_day_first_visit),       CASE(anniversaries_can_be_turned_off),
    CASE(many_clients_and_many_programmes),
};
const size_t ask_date_case_count = sizeof ask_date_cases / sizeof ask_date_cases[0];
