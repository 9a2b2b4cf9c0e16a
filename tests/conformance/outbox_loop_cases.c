/* Conformance: closing the loop — the tasks a referral's arrival and moves
 * write: thanks, the referee's intro sequence and its cancellation, partner
 * updates and client status notices. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "story_support.h"

static const char *const intro_prefix[] = {"intro1", "intro2", "intro3"};

static void arrival_thanks_and_introduces(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_party *ruth = contactable_client(fx, "Ruth Ames", T0 - 400 * DAY);
    int64_t seq = last_seq(fx);
    rf_referral *r = refer(fx, p, rf_party_id(ruth), RF_SOURCE_MANUAL, RF_URGENCY_UNSET, NULL, 1);
    const char *rid = rf_referral_id(r);
    assert_int_equal(count_tasks(fx, NULL, rid, RF_TASK_KIND_UNSET, RF_TASK_STATE_UNSET), 4);

    rf_task *thank = task_for(fx, "thank", rid);
    task_expect te = {RF_TASK_THANK_REFERRER,
                      RF_TASK_PENDING,
                      rf_party_id(ruth),
                      rid,
                      rf_program_id(p),
                      "thank_referrer",
                      RF_CHANNEL_EMAIL,
                      NULL,
                      T0,
                      T0 + 48 * HOUR};
    assert_task(thank, te);
    assert_int_equal(rf_task_created_at(thank), T0);
    assert_int_equal(rf_task_attempts(thank), 0);
    assert_int_equal(rf_task_closed_at(thank), 0);
    assert_int_equal(rf_task_sent_at(thank), 0);
    assert_null(rf_task_last_error(thank));
    rf_event *ev = event_about(fx, RF_EVENT_TASK_CREATED, seq, rf_task_id(thank));
    assert_string_equal(rf_event_object_id(ev), rf_party_id(ruth));
    assert_string_equal(rf_event_data(ev), "kind=THANK_REFERRER");
    rf_event_free(ev);

    const rf_time due[] = {T0, T0 + 3 * DAY, T0 + 7 * DAY};
    for (int i = 0; i < 3; i++) {
        rf_task *t = task_for(fx, intro_prefix[i], rid);
        char template_name[32], data[16], journal[48];
        snprintf(template_name, sizeof template_name, "referee_intro.%d", i + 1);
        snprintf(data, sizeof data, "step=%d", i + 1);
        task_expect ie = {RF_TASK_REFEREE_INTRO,
                          RF_TASK_PENDING,
                          rf_referral_referee_id(r),
                          rid,
                          rf_program_id(p),
                          template_name,
                          RF_CHANNEL_EMAIL,
                          data,
                          due[i],
                          0};
        assert_task(t, ie);
        ev = event_about(fx, RF_EVENT_TASK_CREATED, seq, rf_task_id(t));
        snprintf(journal, sizeof journal, "kind=REFEREE_INTRO;step=%d", i + 1);
        assert_string_equal(rf_event_data(ev), journal);
        rf_event_free(ev);
        rf_task_free(t);
    }
    /* Kept in storage. */
    reopen_if_file(fx);
    rf_task *again = reload_task(fx, thank);
    assert_task(again, te);
    rf_task_free(again);
    rf_task_free(thank);
    rf_referral_free(r);
    rf_party_free(ruth);
    rf_program_free(p);
}

static void consent_decides_who_hears(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    /* A client who may not be contacted is not thanked; a referee who may not, not introduced. */
    rf_party *quiet = add_party(fx, RF_PARTY_CLIENT, "Quiet Client", "quiet@example.org", NULL);
    rf_referral *r = refer(fx, p, rf_party_id(quiet), RF_SOURCE_MANUAL, RF_URGENCY_UNSET, NULL, 0);
    assert_int_equal(count_tasks(fx, NULL, rf_referral_id(r), RF_TASK_KIND_UNSET, RF_TASK_STATE_UNSET), 0);
    rf_referral_free(r);
    /* Only the referee may be contacted: introduced, nobody thanked. */
    r = refer(fx, p, rf_party_id(quiet), RF_SOURCE_MANUAL, RF_URGENCY_UNSET, NULL, 1);
    assert_int_equal(count_tasks(fx, NULL, rf_referral_id(r), RF_TASK_REFEREE_INTRO, RF_TASK_PENDING), 3);
    assert_int_equal(count_tasks(fx, NULL, rf_referral_id(r), RF_TASK_THANK_REFERRER, RF_TASK_STATE_UNSET),
                     0);
    rf_referral_free(r);

    /* A partner is thanked as a courtesy, consent or not, on the channel it can be reached on. */
    rf_party *gp = add_party(fx, RF_PARTY_PARTNER, "Elm St surgery", NULL, "+442079460000");
    r = refer(fx, p, rf_party_id(gp), RF_SOURCE_PARTNER, RF_URGENCY_UNSET, NULL, 0);
    rf_task *t = only_task(fx, NULL, rf_referral_id(r), RF_TASK_THANK_REFERRER);
    task_expect te = {RF_TASK_THANK_REFERRER,
                      RF_TASK_PENDING,
                      rf_party_id(gp),
                      rf_referral_id(r),
                      rf_program_id(p),
                      "thank_referrer",
                      RF_CHANNEL_SMS,
                      NULL,
                      T0,
                      T0 + 48 * HOUR};
    assert_task(t, te);
    rf_task_free(t);
    rf_referral_free(r);

    /* Outbound referrals close no loop. */
    rf_party *sam = add_party(fx, RF_PARTY_STAFF, "Dr Sam", NULL, NULL);
    rf_party *carla = contactable_client(fx, "Carla Out", T0 - 30 * DAY);
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(p);
    o.referee_id = rf_party_id(carla);
    o.direction = RF_DIRECTION_OUTBOUND;
    o.target_id = rf_party_id(gp);
    o.referrer_id = rf_party_id(sam);
    assert_ok(rf_referral_create(&r, fx->store, &o));
    drive_to(fx, &r, RF_REFERRAL_CLOSED);
    fx->now += 30 * DAY;
    sweep(fx);
    assert_int_equal(count_tasks(fx, NULL, rf_referral_id(r), RF_TASK_KIND_UNSET, RF_TASK_STATE_UNSET), 0);
    rf_referral_free(r);
    rf_party_free(carla);
    rf_party_free(sam);
    rf_party_free(gp);
    rf_party_free(quiet);
    rf_program_free(p);
}

static void booking_stops_the_intro(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_party *ruth = contactable_client(fx, "Ruth Ames", T0 - 400 * DAY);
    rf_referral *r = refer(fx, p, rf_party_id(ruth), RF_SOURCE_MANUAL, RF_URGENCY_UNSET, NULL, 1);
    assert_ok(advance_to(fx, &r, RF_REFERRAL_ACCEPTED));
    fx->now += DAY;
    int64_t seq = last_seq(fx);
    assert_ok(advance_to(fx, &r, RF_REFERRAL_SCHEDULED));
    for (int i = 0; i < 3; i++) {
        rf_task *t = task_for(fx, intro_prefix[i], rf_referral_id(r));
        assert_int_equal(rf_task_get_state(t), RF_TASK_CANCELLED);
        assert_int_equal(rf_task_closed_at(t), fx->now);
        rf_event *ev = event_about(fx, RF_EVENT_TASK_CANCELLED, seq, rf_task_id(t));
        assert_string_equal(rf_event_data(ev), "reason=booked");
        assert_string_equal(rf_event_object_id(ev), rf_referral_referee_id(r));
        rf_event_free(ev);
        rf_task_free(t);
    }
    /* The thanks were not about booking. */
    rf_task *thank = task_for(fx, "thank", rf_referral_id(r));
    assert_int_equal(rf_task_get_state(thank), RF_TASK_PENDING);
    rf_task_free(thank);
    /* Nothing more on a reschedule. */
    seq = last_seq(fx);
    assert_ok(advance_to(fx, &r, RF_REFERRAL_SCHEDULED));
    assert_int_equal(count_events_after(fx, RF_EVENT_TASK_CANCELLED, seq), 0);
    assert_int_equal(drain_count(fx, RF_TASK_REFEREE_INTRO), 0);
    rf_referral_free(r);
    rf_party_free(ruth);
    rf_program_free(p);
}

/* Intro messages already out of the door are not taken back. */
static void booking_leaves_what_was_handed_out(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_party *ruth = contactable_client(fx, "Ruth Ames", T0 - 400 * DAY);
    rf_referral *r = refer(fx, p, rf_party_id(ruth), RF_SOURCE_MANUAL, RF_URGENCY_UNSET, NULL, 1);
    rf_task *handed[4];
    assert_int_equal(drain(fx, fx->store, fx->now, RF_TASK_REFEREE_INTRO, handed, 4), 1); /* step 1 */
    assert_ok(rf_task_sent(fx->store, rf_task_id(handed[0]), rf_task_lease_token(handed[0])));
    rf_task_free(handed[0]);
    fx->now = T0 + 3 * DAY;
    assert_int_equal(drain(fx, fx->store, fx->now, RF_TASK_REFEREE_INTRO, handed, 4), 1); /* step 2, leased */
    fx->now += 60;
    assert_ok(advance_to(fx, &r, RF_REFERRAL_ACCEPTED));
    assert_ok(advance_to(fx, &r, RF_REFERRAL_SCHEDULED));
    rf_task *t1 = task_for(fx, "intro1", rf_referral_id(r));
    rf_task *t2 = task_for(fx, "intro2", rf_referral_id(r));
    rf_task *t3 = task_for(fx, "intro3", rf_referral_id(r));
    assert_int_equal(rf_task_get_state(t1), RF_TASK_SENT);
    assert_int_equal(rf_task_get_state(t2), RF_TASK_PENDING);
    assert_int_equal(rf_task_get_state(t3), RF_TASK_CANCELLED);
    /* The holder of step 2 can still report it. */
    assert_ok(rf_task_sent(fx->store, rf_task_id(handed[0]), rf_task_lease_token(handed[0])));
    rf_task_free(handed[0]);
    rf_task_free(t1);
    rf_task_free(t2);
    rf_task_free(t3);
    rf_referral_free(r);
    rf_party_free(ruth);
    rf_program_free(p);
}

static void an_ended_referral_stops_the_intro(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_party *ruth = contactable_client(fx, "Ruth Ames", T0 - 400 * DAY);
    const rf_referral_state ends[] = {RF_REFERRAL_DECLINED, RF_REFERRAL_ENTERED_IN_ERROR, RF_REFERRAL_LOST,
                                      RF_REFERRAL_CANCELLED};
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        rf_referral *r = refer(fx, p, rf_party_id(ruth), RF_SOURCE_MANUAL, RF_URGENCY_UNSET, NULL, 1);
        if (ends[i] == RF_REFERRAL_LOST) {
            assert_ok(advance_to(fx, &r, RF_REFERRAL_ACCEPTED));
        } else if (ends[i] == RF_REFERRAL_CANCELLED) {
            assert_ok(advance_to(fx, &r, RF_REFERRAL_CANCEL_REQUESTED));
        }
        int64_t seq = last_seq(fx);
        assert_ok(advance_to(fx, &r, ends[i]));
        assert_int_equal(count_tasks(fx, NULL, rf_referral_id(r), RF_TASK_REFEREE_INTRO, RF_TASK_CANCELLED),
                         3);
        assert_int_equal(count_events_after(fx, RF_EVENT_TASK_CANCELLED, seq), 3);
        rf_event *ev = find_event(fx, RF_EVENT_TASK_CANCELLED, seq);
        assert_string_equal(rf_event_data(ev), "reason=referral_ended");
        rf_event_free(ev);
        rf_referral_free(r);
    }
    rf_party_free(ruth);
    rf_program_free(p);
}

static void a_partner_hears_three_updates(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "GP partners");
    rf_party *gp = add_party(fx, RF_PARTY_PARTNER, "Dr Patel, Elm St surgery", "patel@elmst.example", NULL);
    rf_referral *r = refer(fx, p, rf_party_id(gp), RF_SOURCE_PARTNER, RF_URGENCY_UNSET, NULL, 0);
    const struct {
        rf_referral_state to;
        rf_task_kind kind;
        const char *prefix, *template_name;
    } steps[] = {
        {RF_REFERRAL_ACCEPTED, RF_TASK_KIND_UNSET, NULL, NULL},
        {RF_REFERRAL_SCHEDULED, RF_TASK_PARTNER_SCHEDULED, "partner_scheduled", "partner.scheduled"},
        {RF_REFERRAL_SEEN, RF_TASK_PARTNER_VISIT_SUMMARY, "partner_visit", "partner.visit_summary"},
        {RF_REFERRAL_SEEN, RF_TASK_KIND_UNSET, NULL, NULL}, /* a further visit */
        {RF_REFERRAL_SCHEDULED, RF_TASK_KIND_UNSET, NULL, NULL},
        {RF_REFERRAL_SEEN, RF_TASK_KIND_UNSET, NULL, NULL},
        {RF_REFERRAL_CLOSED, RF_TASK_PARTNER_CLOSURE, "partner_closure", "partner.closure"},
    };
    int total = 1; /* the thanks */
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        fx->now += DAY;
        assert_ok(advance_to(fx, &r, steps[i].to));
        if (steps[i].prefix != NULL) {
            total++;
            rf_task *t = task_for(fx, steps[i].prefix, rf_referral_id(r));
            task_expect e = {steps[i].kind,    RF_TASK_PENDING,        rf_party_id(gp),  rf_referral_id(r),
                             rf_program_id(p), steps[i].template_name, RF_CHANNEL_EMAIL, NULL,
                             fx->now,          fx->now + 48 * HOUR};
            assert_task(t, e);
            rf_task_free(t);
        }
        assert_int_equal(count_tasks(fx, rf_party_id(gp), NULL, RF_TASK_KIND_UNSET, RF_TASK_STATE_UNSET),
                         total);
    }
    assert_int_equal(total, 4);
    /* No status notices for a partner, and the referee (no consent) heard nothing. */
    assert_int_equal(count_tasks(fx, NULL, NULL, RF_TASK_STATUS_NOTICE, RF_TASK_STATE_UNSET), 0);
    assert_int_equal(
        count_tasks(fx, rf_referral_referee_id(r), NULL, RF_TASK_KIND_UNSET, RF_TASK_STATE_UNSET), 0);
    rf_referral_free(r);
    rf_party_free(gp);
    rf_program_free(p);
}

static void a_client_referrer_hears_status_notices(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    person who = {RF_PARTY_CLIENT,  NULL,          "+447700900300", RF_CONSENT_CONTACT,
                  RF_CHANNEL_UNSET, T0 - 400 * DAY};
    rf_party *ruth = add_person(fx, "Ruth Sms", who);
    rf_referral *r = refer(fx, p, rf_party_id(ruth), RF_SOURCE_MANUAL, RF_URGENCY_UNSET, NULL, 0);
    const rf_referral_state way[] = {RF_REFERRAL_ACCEPTED, RF_REFERRAL_SCHEDULED, RF_REFERRAL_SEEN,
                                     RF_REFERRAL_CLOSED};
    for (size_t i = 0; i < 4; i++) {
        fx->now += DAY;
        assert_ok(advance_to(fx, &r, way[i]));
        if (way[i] == RF_REFERRAL_SCHEDULED || way[i] == RF_REFERRAL_CLOSED) {
            const char *prefix = way[i] == RF_REFERRAL_SCHEDULED ? "status_scheduled" : "status_closed";
            rf_task *t = task_for(fx, prefix, rf_referral_id(r));
            task_expect e = {RF_TASK_STATUS_NOTICE,
                             RF_TASK_PENDING,
                             rf_party_id(ruth),
                             rf_referral_id(r),
                             rf_program_id(p),
                             "status_notice",
                             RF_CHANNEL_SMS,
                             way[i] == RF_REFERRAL_SCHEDULED ? "state=SCHEDULED" : "state=CLOSED",
                             fx->now,
                             0};
            assert_task(t, e);
            rf_task_free(t);
        }
    }
    assert_int_equal(count_tasks(fx, rf_party_id(ruth), NULL, RF_TASK_STATUS_NOTICE, RF_TASK_STATE_UNSET), 2);
    assert_int_equal(count_tasks(fx, NULL, NULL, RF_TASK_PARTNER_SCHEDULED, RF_TASK_STATE_UNSET), 0);
    rf_referral_free(r);

    /* Without consent to contact: nothing. */
    rf_party *quiet = add_party(fx, RF_PARTY_CLIENT, "Quiet Client", "quiet@example.org", NULL);
    r = refer(fx, p, rf_party_id(quiet), RF_SOURCE_MANUAL, RF_URGENCY_UNSET, NULL, 0);
    drive_to(fx, &r, RF_REFERRAL_CLOSED);
    assert_int_equal(count_tasks(fx, rf_party_id(quiet), NULL, RF_TASK_KIND_UNSET, RF_TASK_STATE_UNSET), 0);
    rf_referral_free(r);
    rf_party_free(quiet);
    rf_party_free(ruth);
    rf_program_free(p);
}

const struct CMUnitTest outbox_loop_cases[] = {
    CASE(arrival_thanks_and_introduces),
    CASE(consent_decides_who_hears),
    CASE(booking_stops_the_intro),
    CASE(booking_leaves_what_was_handed_out),
    CASE(an_ended_referral_stops_the_intro),
    CASE(a_partner_hears_three_updates),
    CASE(a_client_referrer_hears_status_notices),
};
const size_t outbox_loop_case_count = sizeof outbox_loop_cases / sizeof outbox_loop_cases[0];
