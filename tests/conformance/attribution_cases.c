/* Conformance: attribution evidence: code, touches (first/last, window), intake, manual, partner,
 * the most specific evidence winning, and outbound referrals, which are not attributed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "attribution_support.h"

static rf_program *program_with(fixture *fx, const char *name, rf_attribution_model model)
{
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.name = name;
    o.attribution = model;
    rf_program *p = NULL;
    assert_ok(rf_program_create(&p, fx->store, &o));
    return p;
}

static void referral_from_a_code(void **state)
{
    fixture *fx = *state;
    rf_program *program = make_program(fx, "advocates", RF_FRAUD_BLOCK, 1);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_party *lee = add_party(fx, RF_PARTY_LEAD, "Lee Newman", NULL, NULL);
    rf_code *code = code_for(fx, ruth, RF_CHANNEL_CARD, rf_program_id(program));
    fx->now = T0 + 3600;
    int64_t seq = last_seq(fx);

    rf_referral_options o = inbound(program, lee);
    o.code = "Ruth Referrer"; /* as the referee typed it */
    o.reason = "knee pain";
    o.urgency = RF_URGENCY_URGENT;
    o.care_level = RF_CARE_CONSULT;
    rf_referral *r = NULL;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    assert_int_equal(strlen(rf_referral_id(r)), 36);
    assert_string_equal(rf_referral_program_id(r), rf_program_id(program));
    assert_string_equal(rf_referral_referrer_id(r), rf_party_id(ruth));
    assert_string_equal(rf_referral_referee_id(r), rf_party_id(lee));
    assert_null(rf_referral_target_id(r));
    assert_int_equal(rf_referral_direction(r), RF_DIRECTION_INBOUND);
    assert_int_equal(rf_referral_get_source(r), RF_SOURCE_CODE);
    assert_int_equal(rf_referral_channel(r), RF_CHANNEL_CARD);
    assert_string_equal(rf_referral_code_id(r), rf_code_id(code));
    assert_null(rf_referral_touch_id(r));
    char expected[64];
    snprintf(expected, sizeof expected, "code=%s", rf_code_id(code));
    assert_has(rf_referral_evidence(r), expected);
    assert_int_equal(rf_referral_get_state(r), RF_REFERRAL_RECEIVED);
    assert_int_equal(rf_referral_reached_at(r, RF_REFERRAL_RECEIVED), T0 + 3600);
    assert_int_equal(rf_referral_fraud_flags(r), 0);
    assert_string_equal(rf_referral_reason(r), "knee pain");
    assert_int_equal(rf_referral_urgency(r), RF_URGENCY_URGENT);
    assert_int_equal(rf_referral_care_level(r), RF_CARE_CONSULT);

    /* One use of the code, journalled with the referral. */
    rf_code *after = NULL;
    assert_ok(rf_code_lookup(&after, fx->store, rf_code_text(code)));
    assert_int_equal(rf_code_uses(after), rf_code_uses(code) + 1);
    rf_code_free(after);
    assert_int_equal(count_events(fx, RF_EVENT_REFERRAL_RECEIVED), 1);
    assert_int_equal(count_events(fx, RF_EVENT_CODE_USED), 1);
    assert_int_equal(last_seq(fx), seq + 2);

    /* The stored referral is the one handed back. */
    rf_referral *again = NULL;
    assert_ok(rf_referral_get(&again, fx->store, rf_referral_id(r)));
    assert_string_equal(rf_referral_evidence(again), rf_referral_evidence(r));
    assert_string_equal(rf_referral_code_id(again), rf_code_id(code));
    assert_int_equal(rf_referral_urgency(again), RF_URGENCY_URGENT);
    rf_referral_free(again);

    /* A channel given wins over the code's; routine is the default urgency. */
    rf_party *liz = add_party(fx, RF_PARTY_LEAD, "Liz Newman", NULL, NULL);
    o = inbound(program, liz);
    o.code = rf_code_text(code);
    o.channel = RF_CHANNEL_PHONE;
    rf_referral *r2 = NULL;
    assert_ok(rf_referral_create(&r2, fx->store, &o));
    assert_int_equal(rf_referral_channel(r2), RF_CHANNEL_PHONE);
    assert_int_equal(rf_referral_urgency(r2), RF_URGENCY_ROUTINE);
    rf_referral_free(r2);
    rf_referral_free(r);
    rf_party_free(liz);
    rf_code_free(code);
    rf_party_free(lee);
    rf_party_free(ruth);
    rf_program_free(program);
}

static void referral_from_touches_last_and_first(void **state)
{
    fixture *fx = *state;
    rf_program *last = program_with(fx, "last-touch", RF_ATTRIBUTION_UNSET);
    rf_program *first = program_with(fx, "first-touch", RF_ATTRIBUTION_FIRST_TOUCH);
    assert_int_equal(rf_program_attribution(last), RF_ATTRIBUTION_LAST_TOUCH);
    rf_party *ann = add_party(fx, RF_PARTY_CLIENT, "Ann Early", NULL, NULL);
    rf_party *bob = add_party(fx, RF_PARTY_CLIENT, "Bob Late", NULL, NULL);
    rf_code *a = code_for(fx, ann, RF_CHANNEL_SOCIAL, NULL);
    rf_code *b = code_for(fx, bob, RF_CHANNEL_EMAIL, NULL);
    /* Ann's code twice, then Bob's: the last touch is Bob's, the first Ann's. */
    rf_touch *t1 = touch_at(fx, T0, a, "visitor-9");
    rf_touch *t2 = touch_at(fx, T0 + DAY, a, "visitor-9");
    rf_touch *t3 = touch_at(fx, T0 + 2 * DAY, b, "visitor-9");
    rf_touch *other = touch_at(fx, T0 + 2 * DAY + 60, a, "visitor-10"); /* another visitor */
    fx->now = T0 + 3 * DAY;

    rf_party *lee = add_party(fx, RF_PARTY_LEAD, "Lee Newman", NULL, NULL);
    rf_referral_options o = inbound(last, lee);
    o.visitor_key = "visitor-9";
    rf_referral *r = NULL;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    assert_string_equal(rf_referral_referrer_id(r), rf_party_id(bob));
    assert_int_equal(rf_referral_get_source(r), RF_SOURCE_TOUCH);
    assert_string_equal(rf_referral_touch_id(r), rf_touch_id(t3));
    assert_string_equal(rf_referral_code_id(r), rf_code_id(b));
    assert_int_equal(rf_referral_channel(r), RF_CHANNEL_EMAIL);
    assert_has(rf_referral_evidence(r), "model=LAST_TOUCH;touches=3");
    assert_lacks(rf_referral_evidence(r), "visitor-9");
    rf_referral_free(r);

    rf_party *liz = add_party(fx, RF_PARTY_LEAD, "Liz Newman", NULL, NULL);
    o = inbound(first, liz);
    o.visitor_key = "visitor-9";
    assert_ok(rf_referral_create(&r, fx->store, &o));
    assert_string_equal(rf_referral_referrer_id(r), rf_party_id(ann));
    assert_int_equal(rf_referral_get_source(r), RF_SOURCE_TOUCH);
    assert_string_equal(rf_referral_touch_id(r), rf_touch_id(t1));
    assert_string_equal(rf_referral_code_id(r), rf_code_id(a));
    assert_int_equal(rf_referral_channel(r), RF_CHANNEL_SOCIAL);
    assert_has(rf_referral_evidence(r), "model=FIRST_TOUCH;touches=3");
    rf_referral_free(r);

    rf_touch_free(t1);
    rf_touch_free(t2);
    rf_touch_free(t3);
    rf_touch_free(other);
    rf_party_free(lee);
    rf_party_free(liz);
    rf_code_free(a);
    rf_code_free(b);
    rf_party_free(ann);
    rf_party_free(bob);
    rf_program_free(last);
    rf_program_free(first);
}

static void touches_outside_the_window_are_ignored(void **state)
{
    fixture *fx = *state;
    rf_program *first = program_with(fx, "first-touch", RF_ATTRIBUTION_FIRST_TOUCH);
    assert_int_equal(rf_program_window_days(first), 90);
    rf_party *ann = add_party(fx, RF_PARTY_CLIENT, "Ann Early", NULL, NULL);
    rf_party *bob = add_party(fx, RF_PARTY_CLIENT, "Bob Late", NULL, NULL);
    rf_code *a = code_for(fx, ann, RF_CHANNEL_UNSET, NULL);
    rf_code *b = code_for(fx, bob, RF_CHANNEL_UNSET, NULL);
    rf_touch *old = touch_at(fx, T0, a, "visitor-v");
    rf_touch *recent = touch_at(fx, T0 + 60 * DAY, b, "visitor-v");
    rf_touch *stale = touch_at(fx, T0, a, "visitor-w");
    fx->now = T0 + 100 * DAY;

    /* Ann's touch is 100 days old: the first touch in the window is Bob's. */
    rf_party *lee = add_party(fx, RF_PARTY_LEAD, "Lee Newman", NULL, NULL);
    rf_referral_options o = inbound(first, lee);
    o.visitor_key = "visitor-v";
    rf_referral *r = NULL;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    assert_string_equal(rf_referral_referrer_id(r), rf_party_id(bob));
    assert_string_equal(rf_referral_touch_id(r), rf_touch_id(recent));
    assert_has(rf_referral_evidence(r), "touches=1");
    rf_referral_free(r);

    /* A visitor whose only touch is outside the window, and one never seen. */
    rf_party *liz = add_party(fx, RF_PARTY_LEAD, "Liz Newman", NULL, NULL);
    char *before = snapshot(fx->store);
    o = inbound(first, liz);
    o.visitor_key = "visitor-w";
    r = (rf_referral *)lee;
    assert_status(rf_referral_create(&r, fx->store, &o), RF_ENOTFOUND);
    assert_null(r);
    assert_message_has("no touches");
    assert_message_has("90 days");
    o.visitor_key = "never-seen";
    assert_status(rf_referral_create(&r, fx->store, &o), RF_ENOTFOUND);
    assert_message_has("no touches");
    assert_unchanged(fx->store, before);
    free(before);

    /* Within the window the same touch counts. */
    fx->now = T0 + 89 * DAY;
    o.visitor_key = "visitor-w";
    assert_ok(rf_referral_create(&r, fx->store, &o));
    assert_string_equal(rf_referral_referrer_id(r), rf_party_id(ann));
    assert_string_equal(rf_referral_touch_id(r), rf_touch_id(stale));
    rf_referral_free(r);

    rf_touch_free(old);
    rf_touch_free(recent);
    rf_touch_free(stale);
    rf_party_free(lee);
    rf_party_free(liz);
    rf_code_free(a);
    rf_code_free(b);
    rf_party_free(ann);
    rf_party_free(bob);
    rf_program_free(first);
}

static void referral_from_intake_manual_and_partner(void **state)
{
    fixture *fx = *state;
    rf_program *program = make_program(fx, "advocates", RF_FRAUD_BLOCK, 1);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_party *patel = add_party(fx, RF_PARTY_PARTNER, "Dr Patel, Elm St surgery", NULL, NULL);
    static const struct {
        rf_referral_source given, expected;
        int partner;
    } ways[] = {
        {RF_SOURCE_INTAKE, RF_SOURCE_INTAKE, 0},
        {RF_SOURCE_UNSET, RF_SOURCE_MANUAL, 0},
        {RF_SOURCE_MANUAL, RF_SOURCE_MANUAL, 0},
        {RF_SOURCE_PARTNER, RF_SOURCE_PARTNER, 1},
    };
    for (size_t i = 0; i < sizeof ways / sizeof ways[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "Named Lead %zu", i);
        rf_party *lead = add_party(fx, RF_PARTY_LEAD, name, NULL, NULL);
        const rf_party *referrer = ways[i].partner ? patel : ruth;
        rf_referral_options o = inbound(program, lead);
        o.referrer_id = rf_party_id(referrer);
        o.source = ways[i].given;
        rf_referral *r = NULL;
        assert_ok(rf_referral_create(&r, fx->store, &o));
        assert_string_equal(rf_referral_referrer_id(r), rf_party_id(referrer));
        assert_int_equal(rf_referral_get_source(r), ways[i].expected);
        assert_int_equal(rf_referral_direction(r), RF_DIRECTION_INBOUND);
        assert_null(rf_referral_code_id(r));
        assert_null(rf_referral_touch_id(r));
        assert_int_equal(rf_referral_fraud_flags(r), 0);
        rf_event *ev = newest_event_of(fx, RF_EVENT_REFERRAL_RECEIVED);
        assert_string_equal(rf_event_subject_id(ev), rf_referral_id(r));
        assert_string_equal(rf_event_object_id(ev), rf_party_id(referrer));
        char data[96];
        snprintf(data, sizeof data, "direction=INBOUND;source=%s;flags=0",
                 rf_referral_source_name(ways[i].expected));
        assert_string_equal(rf_event_data(ev), data);
        rf_event_free(ev);
        rf_referral_free(r);
        rf_party_free(lead);
    }
    rf_party_free(ruth);
    rf_party_free(patel);
    rf_program_free(program);
}

static void most_specific_evidence_wins(void **state)
{
    fixture *fx = *state;
    rf_program *program = make_program(fx, "advocates", RF_FRAUD_BLOCK, 1);
    rf_party *ann = add_party(fx, RF_PARTY_CLIENT, "Ann Coder", NULL, NULL);
    rf_party *bob = add_party(fx, RF_PARTY_CLIENT, "Bob Toucher", NULL, NULL);
    rf_party *carl = add_party(fx, RF_PARTY_CLIENT, "Carl Named", NULL, NULL);
    rf_code *a = code_for(fx, ann, RF_CHANNEL_UNSET, NULL);
    rf_code *b = code_for(fx, bob, RF_CHANNEL_UNSET, NULL);
    rf_touch *t = touch_at(fx, T0, b, "visitor-1");
    fx->now = T0 + DAY;
    char overrode[64];
    snprintf(overrode, sizeof overrode, "overrode=%s", rf_party_id(carl));

    /* Code, touches and a named referrer: the code decides. */
    rf_party *l1 = add_party(fx, RF_PARTY_LEAD, "Lead One", NULL, NULL);
    rf_referral_options o = inbound(program, l1);
    o.code = rf_code_text(a);
    o.visitor_key = "visitor-1";
    o.referrer_id = rf_party_id(carl);
    o.source = RF_SOURCE_INTAKE;
    rf_referral *r = NULL;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    assert_string_equal(rf_referral_referrer_id(r), rf_party_id(ann));
    assert_int_equal(rf_referral_get_source(r), RF_SOURCE_CODE);
    assert_string_equal(rf_referral_code_id(r), rf_code_id(a));
    assert_has(rf_referral_evidence(r), "code=");
    assert_has(rf_referral_evidence(r), overrode);
    rf_referral_free(r);

    /* Touches and a named referrer: the touches decide. */
    rf_party *l2 = add_party(fx, RF_PARTY_LEAD, "Lead Two", NULL, NULL);
    o = inbound(program, l2);
    o.visitor_key = "visitor-1";
    o.referrer_id = rf_party_id(carl);
    o.source = RF_SOURCE_MANUAL;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    assert_string_equal(rf_referral_referrer_id(r), rf_party_id(bob));
    assert_int_equal(rf_referral_get_source(r), RF_SOURCE_TOUCH);
    assert_string_equal(rf_referral_touch_id(r), rf_touch_id(t));
    assert_has(rf_referral_evidence(r), overrode);
    rf_referral_free(r);

    /* The named referrer agrees with the code: nothing was overridden. */
    rf_party *l3 = add_party(fx, RF_PARTY_LEAD, "Lead Three", NULL, NULL);
    o = inbound(program, l3);
    o.code = rf_code_text(a);
    o.referrer_id = rf_party_id(ann);
    o.source = RF_SOURCE_INTAKE;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    assert_string_equal(rf_referral_referrer_id(r), rf_party_id(ann));
    assert_int_equal(rf_referral_get_source(r), RF_SOURCE_CODE);
    assert_lacks(rf_referral_evidence(r), "overrode=");
    rf_referral_free(r);

    rf_touch_free(t);
    rf_party_free(l1);
    rf_party_free(l2);
    rf_party_free(l3);
    rf_code_free(a);
    rf_code_free(b);
    rf_party_free(ann);
    rf_party_free(bob);
    rf_party_free(carl);
    rf_program_free(program);
}

static void outbound_referrals_are_not_attributed(void **state)
{
    fixture *fx = *state;
    /* Strict inbound guards: existing clients excluded, one referral per referrer. */
    rf_program_options po = RF_PROGRAM_OPTIONS_INIT;
    po.name = "GP partners";
    po.exclude_existing_clients = 1;
    po.fraud_action = RF_FRAUD_BLOCK;
    po.velocity_cap = 1;
    rf_program *program = NULL;
    assert_ok(rf_program_create(&program, fx->store, &po));
    rf_party *sam = add_party(fx, RF_PARTY_STAFF, "Dr Sam Staff", NULL, NULL);
    rf_party *patel = add_party(fx, RF_PARTY_PARTNER, "Dr Patel, Elm St surgery", NULL, NULL);
    rf_party *carla = add_party(fx, RF_PARTY_CLIENT, "Carla Client", "carla@example.org", NULL);

    for (int i = 0; i < 2; i++) {
        fx->now = T0 + i * DAY;
        rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
        o.program_id = rf_program_id(program);
        o.referee_id = rf_party_id(carla);
        o.direction = RF_DIRECTION_OUTBOUND;
        o.target_id = rf_party_id(patel);
        o.referrer_id = rf_party_id(sam);
        o.reason = i == 0 ? "blood tests" : "follow-up";
        rf_referral *r = NULL;
        assert_ok(rf_referral_create(&r, fx->store, &o));
        assert_int_equal(rf_referral_direction(r), RF_DIRECTION_OUTBOUND);
        assert_string_equal(rf_referral_target_id(r), rf_party_id(patel));
        assert_string_equal(rf_referral_referee_id(r), rf_party_id(carla));
        assert_int_equal(rf_referral_fraud_flags(r), 0);
        assert_null(rf_referral_code_id(r));
        assert_null(rf_referral_touch_id(r));
        assert_int_equal(rf_referral_get_state(r), RF_REFERRAL_RECEIVED);
        rf_referral_free(r);
    }
    assert_int_equal(count_events(fx, RF_EVENT_ATTRIBUTION_REFUSED), 0);
    rf_referral_filter f = RF_REFERRAL_FILTER_INIT;
    f.direction = RF_DIRECTION_OUTBOUND;
    rf_referral_iter *it = NULL;
    rf_referral *r = NULL;
    int n = 0;
    assert_ok(rf_referral_list(&it, fx->store, &f));
    while (rf_referral_iter_next(&r, it) == RF_OK) {
        n++;
        rf_referral_free(r);
    }
    rf_referral_iter_free(it);
    assert_int_equal(n, 2);

    /* Outbound referrals go to a PARTNER and send a CLIENT. */
    char *before = snapshot(fx->store);
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(program);
    o.referee_id = rf_party_id(carla);
    o.direction = RF_DIRECTION_OUTBOUND;
    o.target_id = rf_party_id(sam);
    assert_status(rf_referral_create(&r, fx->store, &o), RF_EINVALID);
    assert_message_has("PARTNER");
    o.target_id = rf_party_id(patel);
    o.code = "dr-sam-staff";
    assert_status(rf_referral_create(&r, fx->store, &o), RF_EINVALID);
    assert_message_has("outbound");
    assert_unchanged(fx->store, before);
    free(before);

    rf_party_free(sam);
    rf_party_free(patel);
    rf_party_free(carla);
    rf_program_free(program);
}

const struct CMUnitTest attribution_cases[] = {
    CASE(referral_from_a_code),
    CASE(referral_from_touches_last_and_first),
    CASE(touches_outside_the_window_are_ignored),
    CASE(referral_from_intake_manual_and_partner),
    CASE(most_specific_evidence_wins),
    CASE(outbound_referrals_are_not_attributed),
};
const size_t attribution_case_count = sizeof attribution_cases / sizeof attribution_cases[0];
