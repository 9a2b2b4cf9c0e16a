/* Conformance: the referral lifecycle, every (state, move) pair against the
 * table in ARCHITECTURE.md, written out here independently of the library's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define N RF_REFERRAL_STATE_COUNT
/* legal[from] lists the states `from` may move to, 0-terminated. ON_HOLD is
 * reached from ACCEPTED below, so its resume goes back to ACCEPTED. */
static const int legal[N][N] = {
    [RECEIVED] = {NEEDS_INFO, ACCEPTED, DECLINED, CANCEL_REQUESTED, ON_HOLD, EIE},
    [NEEDS_INFO] = {RECEIVED, ACCEPTED, DECLINED, CANCEL_REQUESTED, ON_HOLD, EIE},
    [ACCEPTED] = {SCHEDULED, DECLINED, CANCEL_REQUESTED, LOST, ON_HOLD, EIE},
    [SCHEDULED] = {SCHEDULED, NO_SHOW, APPT_CANCELLED, SEEN, CANCEL_REQUESTED, ON_HOLD, EIE},
    [NO_SHOW] = {SCHEDULED, CANCEL_REQUESTED, LOST, ON_HOLD, EIE},
    [APPT_CANCELLED] = {SCHEDULED, CANCEL_REQUESTED, LOST, ON_HOLD, EIE},
    [SEEN] = {SEEN, SCHEDULED, CLOSED, ON_HOLD, EIE},
    [CLOSED] = {EIE},
    [CANCEL_REQUESTED] = {CANCELLED, CLOSED, ON_HOLD, EIE},
    [CANCELLED] = {EIE},
    [DECLINED] = {EIE},
    [LOST] = {EIE},
    [ON_HOLD] = {ACCEPTED, EIE},
    [EIE] = {0},
};

/* A way from RECEIVED to each state, 0-terminated. */
static const int path[N][5] = {
    [RECEIVED] = {0},
    [NEEDS_INFO] = {NEEDS_INFO},
    [ACCEPTED] = {ACCEPTED},
    [SCHEDULED] = {ACCEPTED, SCHEDULED},
    [NO_SHOW] = {ACCEPTED, SCHEDULED, NO_SHOW},
    [APPT_CANCELLED] = {ACCEPTED, SCHEDULED, APPT_CANCELLED},
    [SEEN] = {ACCEPTED, SCHEDULED, SEEN},
    [CLOSED] = {ACCEPTED, SCHEDULED, SEEN, CLOSED},
    [CANCEL_REQUESTED] = {CANCEL_REQUESTED},
    [CANCELLED] = {CANCEL_REQUESTED, CANCELLED},
    [DECLINED] = {DECLINED},
    [LOST] = {ACCEPTED, LOST},
    [ON_HOLD] = {ACCEPTED, ON_HOLD},
    [EIE] = {EIE},
};

static int is_legal(int from, int to)
{
    for (int i = 0; i < N && legal[from][i] != 0; i++) {
        if (legal[from][i] == to) {
            return 1;
        }
    }
    return 0;
}

static rf_referral *referral_in(fixture *fx, const rf_program *program, const char *referrer_id, int state)
{
    rf_referral *r = refer_new_lead(fx, program, referrer_id);
    for (int i = 0; path[state][i] != 0; i++) {
        assert_ok(advance_to(fx, &r, (rf_referral_state)path[state][i]));
    }
    assert_int_equal(rf_referral_get_state(r), state);
    return r;
}

static void every_state_and_move(void **state)
{
    fixture *fx = *state;
    rf_program *program = make_program(fx, "advocates", RF_FRAUD_BLOCK, 1);
    rf_party *referrer = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    int legal_moves = 0, refused = 0;
    for (int from = 1; from < N; from++) {
        for (int to = 1; to < N; to++) {
            rf_referral *r = referral_in(fx, program, rf_party_id(referrer), from);
            char *before = snapshot(fx->store);
            fx->now += 60;
            rf_status rc = advance_to(fx, &r, (rf_referral_state)to);
            if (is_legal(from, to)) {
                if (rc != RF_OK) {
                    print_error("%s -> %s should be legal: %s\n", rf_referral_state_name(from),
                                rf_referral_state_name(to), rf_error_last()->message);
                }
                assert_int_equal(rc, RF_OK);
                assert_int_equal(rf_referral_get_state(r), to);
                legal_moves++;
            } else {
                if (rc != RF_ESTATE) {
                    print_error("%s -> %s should be refused, got %d\n", rf_referral_state_name(from),
                                rf_referral_state_name(to), rc);
                }
                assert_int_equal(rc, RF_ESTATE);
                /* The message names the current state and the move. */
                char expected[64];
                snprintf(expected, sizeof expected, "is %s and cannot move to %s",
                         rf_referral_state_name(from), rf_referral_state_name(to));
                assert_message_has(expected);
                assert_unchanged(fx->store, before);
                refused++;
            }
            free(before);
            rf_referral_free(r);
        }
    }
    /* Every pair was tried: 14 x 14. */
    assert_int_equal(legal_moves + refused, (N - 1) * (N - 1));
    rf_party_free(referrer);
    rf_program_free(program);
}

static void table_query_matches_the_table(void **state)
{
    (void)state;
    for (int from = 1; from < N; from++) {
        for (int to = 1; to < N; to++) {
            /* ON_HOLD's resume depends on the held state, which the table query cannot know. */
            int expected = from == ON_HOLD ? to == EIE : is_legal(from, to);
            assert_int_equal(rf_referral_state_can_move((rf_referral_state)from, (rf_referral_state)to),
                             expected);
        }
    }
    assert_false(rf_referral_state_can_move(RF_REFERRAL_STATE_UNSET, RF_REFERRAL_RECEIVED));
    assert_false(rf_referral_state_can_move(RF_REFERRAL_RECEIVED, (rf_referral_state)99));
    const int terminal[] = {CLOSED, DECLINED, CANCELLED, LOST, EIE};
    for (int s = 1; s < N; s++) {
        int t = 0;
        for (size_t i = 0; i < sizeof terminal / sizeof terminal[0]; i++) {
            t |= terminal[i] == s;
        }
        assert_int_equal(rf_referral_state_is_terminal((rf_referral_state)s), t);
    }
}

static void hold_resumes_to_the_state_it_left(void **state)
{
    fixture *fx = *state;
    rf_program *program = make_program(fx, "advocates", RF_FRAUD_BLOCK, 1);
    rf_party *referrer = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    for (int from = 1; from < N; from++) {
        if (rf_referral_state_is_terminal((rf_referral_state)from) || from == ON_HOLD) {
            continue;
        }
        rf_referral *r = referral_in(fx, program, rf_party_id(referrer), from);
        rf_time appointment = rf_referral_appointment_at(r);
        int reschedules = rf_referral_reschedules(r);
        assert_ok(advance_to(fx, &r, RF_REFERRAL_ON_HOLD));
        assert_int_equal(rf_referral_held_state(r), from);
        assert_string_equal(rf_referral_reason(r), "test reason");

        /* Only the state it left (or ENTERED_IN_ERROR) is a legal way out. */
        char *before = snapshot(fx->store);
        for (int to = 1; to < N; to++) {
            if (to != from && to != EIE) {
                assert_status(advance_to(fx, &r, (rf_referral_state)to), RF_ESTATE);
            }
        }
        assert_unchanged(fx->store, before);
        free(before);

        rf_referral *resumed = NULL;
        assert_ok(rf_referral_resume(&resumed, fx->store, rf_referral_id(r), NULL));
        assert_int_equal(rf_referral_get_state(resumed), from);
        assert_int_equal(rf_referral_held_state(resumed), RF_REFERRAL_STATE_UNSET);
        /* Resuming into SCHEDULED keeps the appointment and is no reschedule. */
        assert_int_equal(rf_referral_appointment_at(resumed), appointment);
        assert_int_equal(rf_referral_reschedules(resumed), reschedules);
        assert_status(rf_referral_resume(NULL, fx->store, rf_referral_id(r), NULL), RF_ESTATE);
        assert_message_has("not ON_HOLD");
        rf_referral_free(resumed);
        rf_referral_free(r);
    }
    rf_party_free(referrer);
    rf_program_free(program);
}

static void reasons_and_appointments_are_required(void **state)
{
    fixture *fx = *state;
    rf_program *program = make_program(fx, "advocates", RF_FRAUD_BLOCK, 1);
    rf_party *referrer = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_referral *r = referral_in(fx, program, rf_party_id(referrer), ACCEPTED);
    char *before = snapshot(fx->store);
    const rf_referral_state need_reason[] = {RF_REFERRAL_DECLINED, RF_REFERRAL_LOST, RF_REFERRAL_ON_HOLD};
    for (size_t i = 0; i < sizeof need_reason / sizeof need_reason[0]; i++) {
        assert_status(rf_referral_advance(NULL, fx->store, rf_referral_id(r), need_reason[i], NULL),
                      RF_EINVALID);
        assert_message_has("needs a reason");
        rf_advance_options empty = RF_ADVANCE_OPTIONS_INIT;
        empty.reason = "";
        assert_status(rf_referral_advance(NULL, fx->store, rf_referral_id(r), need_reason[i], &empty),
                      RF_EINVALID);
    }
    assert_status(rf_referral_advance(NULL, fx->store, rf_referral_id(r), RF_REFERRAL_SCHEDULED, NULL),
                  RF_EINVALID);
    assert_message_has("appointment");
    assert_status(rf_referral_advance(NULL, fx->store, rf_referral_id(r), (rf_referral_state)0, NULL),
                  RF_EINVALID);
    assert_status(rf_referral_advance(NULL, fx->store, rf_referral_id(r), (rf_referral_state)42, NULL),
                  RF_EINVALID);
    assert_status(rf_referral_advance(NULL, fx->store, "0190a1b2-0000-7000-8000-000000000000",
                                      RF_REFERRAL_ACCEPTED, NULL),
                  RF_ENOTFOUND);
    assert_status(rf_referral_advance(NULL, NULL, rf_referral_id(r), RF_REFERRAL_SCHEDULED, NULL),
                  RF_EINVALID);
    assert_status(rf_referral_advance(NULL, fx->store, NULL, RF_REFERRAL_SCHEDULED, NULL), RF_EINVALID);
    assert_unchanged(fx->store, before);
    free(before);
    rf_referral_free(r);
    rf_party_free(referrer);
    rf_program_free(program);
}

static int events_with(fixture *fx, const char *type, const char *data)
{
    rf_journal_iter *it = NULL;
    rf_event *ev = NULL;
    int n = 0;
    assert_ok(rf_journal_read(&it, fx->store, 0));
    while (rf_journal_iter_next(&ev, it) == RF_OK) {
        n += strcmp(rf_event_type(ev), type) == 0 && rf_event_data(ev) != NULL &&
             strcmp(rf_event_data(ev), data) == 0;
        rf_event_free(ev);
    }
    rf_journal_iter_free(it);
    return n;
}

static void first_times_are_kept_and_repeats_counted(void **state)
{
    fixture *fx = *state;
    rf_program *program = make_program(fx, "advocates", RF_FRAUD_BLOCK, 1);
    rf_party *referrer = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_referral *r = refer_new_lead(fx, program, rf_party_id(referrer));
    assert_int_equal(rf_referral_reached_at(r, RF_REFERRAL_RECEIVED), T0);
    fx->now = T0 + 3600;
    assert_ok(advance_to(fx, &r, RF_REFERRAL_ACCEPTED));
    fx->now = T0 + 7200;
    assert_ok(advance_to(fx, &r, RF_REFERRAL_SCHEDULED)); /* appointment T0 + 7200 + DAY */
    rf_time first_appointment = rf_referral_appointment_at(r);
    fx->now = T0 + 2 * DAY;
    assert_ok(advance_to(fx, &r, RF_REFERRAL_SCHEDULED)); /* a reschedule */
    fx->now = T0 + 4 * DAY;
    assert_ok(advance_to(fx, &r, RF_REFERRAL_NO_SHOW));
    fx->now = T0 + 5 * DAY;
    assert_ok(advance_to(fx, &r, RF_REFERRAL_SCHEDULED));
    fx->now = T0 + 7 * DAY;
    assert_ok(advance_to(fx, &r, RF_REFERRAL_NO_SHOW));
    fx->now = T0 + 8 * DAY;
    assert_ok(advance_to(fx, &r, RF_REFERRAL_SCHEDULED));
    fx->now = T0 + 9 * DAY;
    assert_ok(advance_to(fx, &r, RF_REFERRAL_SEEN));
    fx->now = T0 + 16 * DAY;
    assert_ok(advance_to(fx, &r, RF_REFERRAL_SEEN)); /* a further visit */
    fx->now = T0 + 30 * DAY;
    assert_ok(advance_to(fx, &r, RF_REFERRAL_CLOSED));

    assert_int_equal(rf_referral_reached_at(r, RF_REFERRAL_ACCEPTED), T0 + 3600);
    assert_int_equal(rf_referral_reached_at(r, RF_REFERRAL_SCHEDULED), T0 + 7200);
    assert_int_equal(rf_referral_reached_at(r, RF_REFERRAL_NO_SHOW), T0 + 4 * DAY);
    assert_int_equal(rf_referral_reached_at(r, RF_REFERRAL_SEEN), T0 + 9 * DAY);
    assert_int_equal(rf_referral_reached_at(r, RF_REFERRAL_CLOSED), T0 + 30 * DAY);
    assert_int_equal(rf_referral_reached_at(r, RF_REFERRAL_DECLINED), RF_TIME_NONE);
    assert_int_equal(rf_referral_first_appointment_at(r), first_appointment);
    assert_int_equal(rf_referral_appointment_at(r), T0 + 9 * DAY);
    assert_int_equal(rf_referral_reschedules(r), 1);
    assert_int_equal(rf_referral_no_shows(r), 2);
    assert_int_equal(rf_referral_visits(r), 2);
    /* Every reschedule and no-show is in the journal. */
    assert_int_equal(events_with(fx, RF_EVENT_REFERRAL_ADVANCED, "from=SCHEDULED;to=SCHEDULED;reschedules=1"),
                     1);
    assert_int_equal(events_with(fx, RF_EVENT_REFERRAL_ADVANCED, "from=SCHEDULED;to=NO_SHOW"), 2);
    assert_int_equal(events_with(fx, RF_EVENT_REFERRAL_ADVANCED, "from=SEEN;to=SEEN"), 1);

    /* Closing made the lead a client, with the first visit when they were seen. */
    rf_party *referee = NULL;
    assert_ok(rf_party_get(&referee, fx->store, rf_referral_referee_id(r)));
    assert_int_equal(rf_party_get_kind(referee), RF_PARTY_CLIENT);
    assert_int_equal(rf_party_first_visit_at(referee), T0 + 9 * DAY);
    rf_party_free(referee);
    rf_referral_free(r);
    rf_party_free(referrer);
    rf_program_free(program);
}

static void idempotent_advance(void **state)
{
    fixture *fx = *state;
    rf_program *program = make_program(fx, "advocates", RF_FRAUD_BLOCK, 1);
    rf_party *referrer = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_referral *r = refer_new_lead(fx, program, rf_party_id(referrer));
    rf_advance_options o = RF_ADVANCE_OPTIONS_INIT;
    o.idempotency_key = "pms-accept-1";
    rf_referral *a = NULL, *b = NULL;
    assert_ok(rf_referral_advance(&a, fx->store, rf_referral_id(r), RF_REFERRAL_ACCEPTED, &o));
    char *before = snapshot(fx->store);
    fx->now += 10;
    assert_ok(rf_referral_advance(&b, fx->store, rf_referral_id(r), RF_REFERRAL_ACCEPTED, &o));
    assert_int_equal(rf_referral_get_state(b), RF_REFERRAL_ACCEPTED);
    assert_int_equal(rf_referral_reached_at(b, RF_REFERRAL_ACCEPTED), T0);
    assert_unchanged(fx->store, before);
    rf_referral_free(b);
    /* Without the key the same move is illegal (ACCEPTED → ACCEPTED). */
    assert_status(rf_referral_advance(&b, fx->store, rf_referral_id(r), RF_REFERRAL_ACCEPTED, NULL),
                  RF_ESTATE);
    /* The same key for another move is a conflict. */
    assert_status(rf_referral_advance(&b, fx->store, rf_referral_id(r), RF_REFERRAL_DECLINED, &o),
                  RF_ECONFLICT);
    assert_unchanged(fx->store, before);
    free(before);
    rf_referral_free(a);
    rf_referral_free(r);
    rf_party_free(referrer);
    rf_program_free(program);
}

static void fhir_mapping(void **state)
{
    (void)state;
    static const struct {
        int state;
        const char *status, *business;
    } expected[] = {
        {RECEIVED, "received", "received"},
        {NEEDS_INFO, "received", "needs-information"},
        {ACCEPTED, "accepted", "accepted"},
        {SCHEDULED, "in-progress", "appointment-scheduled"},
        {NO_SHOW, "in-progress", "no-show"},
        {APPT_CANCELLED, "in-progress", "appointment-cancelled"},
        {SEEN, "in-progress", "seen"},
        {CLOSED, "completed", "closed"},
        {CANCEL_REQUESTED, "in-progress", "cancellation-requested"},
        {CANCELLED, "cancelled", "cancelled"},
        {DECLINED, "rejected", "declined"},
        {LOST, "failed", "lost-to-follow-up"},
        {ON_HOLD, "on-hold", "on-hold"},
        {EIE, "entered-in-error", "entered-in-error"},
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        const char *status = NULL, *business = NULL;
        assert_ok(rf_referral_state_fhir((rf_referral_state)expected[i].state, &status, &business));
        assert_string_equal(status, expected[i].status);
        assert_string_equal(business, expected[i].business);
    }
    const char *status = "x";
    assert_status(rf_referral_state_fhir((rf_referral_state)0, &status, NULL), RF_EINVALID);
    assert_null(status);
    assert_string_equal(rf_referral_state_name(RF_REFERRAL_APPT_CANCELLED), "APPT_CANCELLED");
    assert_string_equal(rf_referral_state_name((rf_referral_state)77), "UNSET");
}

const struct CMUnitTest lifecycle_cases[] = {
    CASE(every_state_and_move),
    cmocka_unit_test(table_query_matches_the_table),
    CASE(hold_resumes_to_the_state_it_left),
    CASE(reasons_and_appointments_are_required),
    CASE(first_times_are_kept_and_repeats_counted),
    CASE(idempotent_advance),
    cmocka_unit_test(fhir_mapping),
};
const size_t lifecycle_case_count = sizeof lifecycle_cases / sizeof lifecycle_cases[0];
