/* Conformance: touches and attribution (code, touches with first/last touch and
 * the window, intake, manual, partner, the most specific evidence), outbound
 * referrals, refusals, documents, idempotency and listing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define NO_SUCH_ID "0190a1b2-0000-7000-8000-000000000000"

/* The newest journal event; free with rf_event_free(). */
static rf_event *newest_event(fixture *fx)
{
    int64_t seq = last_seq(fx);
    assert_true(seq > 0);
    rf_journal_iter *it = NULL;
    rf_event *ev = NULL;
    assert_ok(rf_journal_read(&it, fx->store, seq - 1));
    assert_ok(rf_journal_iter_next(&ev, it));
    rf_journal_iter_free(it);
    return ev;
}

static void assert_has(const char *haystack, const char *needle)
{
    if (haystack == NULL || strstr(haystack, needle) == NULL) {
        print_error("\"%s\" does not contain \"%s\"\n", haystack != NULL ? haystack : "(null)", needle);
        fail();
    }
}

static void assert_lacks(const char *haystack, const char *needle)
{
    if (haystack != NULL && strstr(haystack, needle) != NULL) {
        print_error("\"%s\" contains \"%s\"\n", haystack, needle);
        fail();
    }
}

static rf_code *code_for(fixture *fx, const rf_party *owner, rf_channel channel, const char *program_id)
{
    rf_code_options o = RF_CODE_OPTIONS_INIT;
    o.channel = channel;
    o.program_id = program_id;
    rf_code *c = NULL;
    assert_ok(rf_code_issue(&c, fx->store, rf_party_id(owner), &o));
    return c;
}

static rf_touch *touch_at(fixture *fx, rf_time at, const rf_code *code, const char *visitor)
{
    fx->now = at;
    rf_touch *t = NULL;
    assert_ok(rf_touch_add(&t, fx->store, rf_code_text(code), visitor, NULL));
    return t;
}

static rf_program *program_with(fixture *fx, const char *name, rf_attribution_model model)
{
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.name = name;
    o.attribution = model;
    rf_program *p = NULL;
    assert_ok(rf_program_create(&p, fx->store, &o));
    return p;
}

static rf_referral_options inbound(const rf_program *program, const rf_party *referee)
{
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(program);
    o.referee_id = rf_party_id(referee);
    return o;
}

/* --- touches ------------------------------------------------------------------------ */

static void touch_records_the_visit(void **state)
{
    fixture *fx = *state;
    rf_program *program = make_program(fx, "advocates", RF_FRAUD_BLOCK, 1);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_code *code = code_for(fx, ruth, RF_CHANNEL_SMS, rf_program_id(program));
    int64_t seq = last_seq(fx);

    rf_touch *t = touch_at(fx, T0 + 100, code, "cookie-7f3a");
    assert_int_equal(strlen(rf_touch_id(t)), 36);
    assert_string_equal(rf_touch_code_id(t), rf_code_id(code));
    assert_string_equal(rf_touch_owner_id(t), rf_party_id(ruth));
    assert_string_equal(rf_touch_program_id(t), rf_program_id(program));
    assert_string_equal(rf_touch_visitor_key(t), "cookie-7f3a");
    assert_int_equal(rf_touch_channel(t), RF_CHANNEL_SMS); /* the code's channel */
    assert_int_equal(rf_touch_at(t), T0 + 100);

    assert_int_equal(last_seq(fx), seq + 1);
    rf_event *ev = newest_event(fx);
    assert_string_equal(rf_event_type(ev), RF_EVENT_TOUCH_RECORDED);
    assert_string_equal(rf_event_subject_id(ev), rf_touch_id(t));
    assert_string_equal(rf_event_object_id(ev), rf_party_id(ruth));
    assert_string_equal(rf_event_data(ev), "channel=SMS");
    assert_lacks(rf_event_data(ev), "cookie");
    rf_event_free(ev);
    rf_touch_free(t);

    /* A channel given wins; any spelling of the code finds it. */
    rf_touch_options o = RF_TOUCH_OPTIONS_INIT;
    o.channel = RF_CHANNEL_LINK;
    fx->now = T0 + 200;
    assert_ok(rf_touch_add(&t, fx->store, "RUTH REFERRER", "device-2", &o));
    assert_string_equal(rf_touch_code_id(t), rf_code_id(code));
    assert_int_equal(rf_touch_channel(t), RF_CHANNEL_LINK);
    assert_int_equal(rf_touch_at(t), T0 + 200);
    rf_touch_free(t);
    rf_touch_free(NULL);

    rf_code_free(code);
    rf_party_free(ruth);
    rf_program_free(program);
}

static void touch_refusals_change_nothing(void **state)
{
    fixture *fx = *state;
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_party *bob = add_party(fx, RF_PARTY_CLIENT, "Bob Old", NULL, NULL);
    rf_code *code = code_for(fx, ruth, RF_CHANNEL_UNSET, NULL);
    rf_code *old = code_for(fx, bob, RF_CHANNEL_UNSET, NULL);
    assert_ok(rf_code_revoke(NULL, fx->store, rf_code_text(old), "left the practice", NULL));
    char *before = snapshot(fx->store);
    fx->now += 60;

    rf_touch *t = NULL;
    assert_status(rf_touch_add(&t, fx->store, "no-such-code", "cookie-1", NULL), RF_ENOTFOUND);
    assert_null(t);
    assert_message_has("no-such-code");
    assert_status(rf_touch_add(&t, fx->store, rf_code_text(old), "cookie-1", NULL), RF_ESTATE);
    assert_null(t);
    assert_message_has("revoked");
    assert_status(rf_touch_add(&t, fx->store, rf_code_text(code), "", NULL), RF_EINVALID);
    assert_message_has("visitor_key");
    assert_status(rf_touch_add(&t, fx->store, rf_code_text(code), NULL, NULL), RF_EINVALID);
    assert_message_has("visitor_key");
    char longkey[RF_LABEL_MAX + 2];
    memset(longkey, 'k', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    assert_status(rf_touch_add(&t, fx->store, rf_code_text(code), longkey, NULL), RF_EINVALID);
    assert_message_has("visitor_key");
    rf_touch_options o = RF_TOUCH_OPTIONS_INIT;
    o.channel = (rf_channel)99;
    assert_status(rf_touch_add(&t, fx->store, rf_code_text(code), "cookie-1", &o), RF_EINVALID);
    assert_message_has("channel");
    assert_status(rf_touch_add(&t, fx->store, NULL, "cookie-1", NULL), RF_EINVALID);
    assert_status(rf_touch_add(NULL, fx->store, rf_code_text(code), "cookie-1", NULL), RF_EINVALID);
    assert_unchanged(fx->store, before);
    free(before);
    rf_code_free(code);
    rf_code_free(old);
    rf_party_free(ruth);
    rf_party_free(bob);
}

static void touch_idempotent_retry(void **state)
{
    fixture *fx = *state;
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_code *code = code_for(fx, ruth, RF_CHANNEL_EMAIL, NULL);
    rf_touch_options o = RF_TOUCH_OPTIONS_INIT;
    o.idempotency_key = "web-hit-1";
    rf_touch *a = NULL, *b = NULL;
    assert_ok(rf_touch_add(&a, fx->store, rf_code_text(code), "cookie-1", &o));
    char *before = snapshot(fx->store);
    fx->now += 10;
    assert_ok(rf_touch_add(&b, fx->store, rf_code_text(code), "cookie-1", &o));
    assert_string_equal(rf_touch_id(b), rf_touch_id(a));
    assert_int_equal(rf_touch_at(b), T0);
    assert_unchanged(fx->store, before);
    rf_touch_free(b);
    b = a;
    assert_status(rf_touch_add(&b, fx->store, rf_code_text(code), "cookie-2", &o), RF_ECONFLICT);
    assert_null(b);
    assert_unchanged(fx->store, before);
    assert_int_equal(count_events(fx, RF_EVENT_TOUCH_RECORDED), 1);
    free(before);
    rf_touch_free(a);
    rf_code_free(code);
    rf_party_free(ruth);
}

/* --- inbound attribution -------------------------------------------------------------- */

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
    assert_int_equal(rf_referral_state_of(r), RF_REFERRAL_RECEIVED);
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
        rf_event *ev = newest_event(fx);
        assert_string_equal(rf_event_type(ev), RF_EVENT_REFERRAL_RECEIVED);
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
        assert_int_equal(rf_referral_state_of(r), RF_REFERRAL_RECEIVED);
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

static void create_refusals_change_nothing(void **state)
{
    fixture *fx = *state;
    rf_program *program = make_program(fx, "advocates", RF_FRAUD_BLOCK, 1);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_party *lee = add_party(fx, RF_PARTY_LEAD, "Lee Newman", NULL, NULL);
    rf_party *patel = add_party(fx, RF_PARTY_PARTNER, "Dr Patel", NULL, NULL);
    rf_code *old = code_for(fx, ruth, RF_CHANNEL_UNSET, NULL);
    assert_ok(rf_code_revoke(NULL, fx->store, rf_code_text(old), NULL, NULL));
    char *before = snapshot(fx->store);
    fx->now += 60;
    rf_referral *r = NULL;

#define REFUSED(status, needle)                                                                              \
    do {                                                                                                     \
        r = (rf_referral *)ruth;                                                                             \
        assert_status(rf_referral_create(&r, fx->store, &o), status);                                        \
        assert_null(r);                                                                                      \
        assert_message_has(needle);                                                                          \
    } while (0)

    rf_referral_options o = inbound(program, lee);
    o.referrer_id = rf_party_id(ruth);
    o.program_id = NULL;
    REFUSED(RF_EINVALID, "program_id");
    o = inbound(program, lee);
    o.referrer_id = rf_party_id(ruth);
    o.referee_id = NULL;
    REFUSED(RF_EINVALID, "referee_id");

    o = inbound(program, lee);
    REFUSED(RF_EINVALID, "evidence");

    o = inbound(program, lee);
    o.referrer_id = rf_party_id(ruth);
    o.source = RF_SOURCE_CODE;
    REFUSED(RF_EINVALID, "CODE");
    o.source = RF_SOURCE_TOUCH;
    REFUSED(RF_EINVALID, "TOUCH");
    o.source = (rf_referral_source)42;
    REFUSED(RF_EINVALID, "source");

    o = inbound(program, lee);
    o.referrer_id = rf_party_id(ruth);
    o.target_id = rf_party_id(patel);
    REFUSED(RF_EINVALID, "target_id");

    o = inbound(program, lee);
    o.referrer_id = rf_party_id(ruth);
    o.direction = RF_DIRECTION_OUTBOUND;
    REFUSED(RF_EINVALID, "target_id");

    o = inbound(program, lee);
    o.referrer_id = rf_party_id(ruth);
    o.documents_required = "letter";
    o.documents_received = "letter,imaging";
    REFUSED(RF_EINVALID, "imaging");
    o.documents_required = "letter,,imaging";
    o.documents_received = NULL;
    REFUSED(RF_EINVALID, "documents_required");

    o = inbound(program, patel);
    o.referrer_id = rf_party_id(ruth);
    REFUSED(RF_EINVALID, "PARTNER");

    o = inbound(program, lee);
    o.referrer_id = rf_party_id(ruth);
    o.program_id = NO_SUCH_ID;
    REFUSED(RF_ENOTFOUND, NO_SUCH_ID);
    assert_message_has("programme");

    o = inbound(program, lee);
    o.referrer_id = rf_party_id(ruth);
    o.referee_id = NO_SUCH_ID;
    REFUSED(RF_ENOTFOUND, NO_SUCH_ID);

    o = inbound(program, lee);
    o.referrer_id = NO_SUCH_ID;
    REFUSED(RF_ENOTFOUND, NO_SUCH_ID);

    o = inbound(program, lee);
    o.code = "no-such-code";
    REFUSED(RF_ENOTFOUND, "no-such-code");
    o.code = rf_code_text(old);
    REFUSED(RF_ESTATE, "revoked");

    o = inbound(program, lee);
    o.referrer_id = rf_party_id(ruth);
    o.version = 0;
    REFUSED(RF_EINVALID, "RF_REFERRAL_OPTIONS_INIT");
#undef REFUSED

    o = inbound(program, lee);
    o.referrer_id = rf_party_id(ruth);
    assert_status(rf_referral_create(NULL, fx->store, &o), RF_EINVALID);
    assert_status(rf_referral_create(&r, fx->store, NULL), RF_EINVALID);
    assert_status(rf_referral_create(&r, NULL, &o), RF_EINVALID);
    assert_status(rf_referral_get(&r, fx->store, NO_SUCH_ID), RF_ENOTFOUND);
    assert_null(r);
    assert_unchanged(fx->store, before);
    free(before);
    rf_code_free(old);
    rf_party_free(ruth);
    rf_party_free(lee);
    rf_party_free(patel);
    rf_program_free(program);
}

static rf_referral *with_documents(fixture *fx, const rf_program *program, const rf_party *referrer,
                                   const char *name, const char *required, const char *received)
{
    rf_party *lead = add_party(fx, RF_PARTY_LEAD, name, NULL, NULL);
    rf_referral_options o = inbound(program, lead);
    o.referrer_id = rf_party_id(referrer);
    o.source = RF_SOURCE_PARTNER;
    o.documents_required = required;
    o.documents_received = received;
    rf_referral *r = NULL;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    rf_party_free(lead);
    return r;
}

static void documents_at_receipt_and_later(void **state)
{
    fixture *fx = *state;
    rf_program *program = make_program(fx, "gp", RF_FRAUD_BLOCK, 1);
    rf_party *patel = add_party(fx, RF_PARTY_PARTNER, "Dr Patel", NULL, NULL);

    rf_referral *all = with_documents(fx, program, patel, "Ada All", "letter,imaging", "imaging,letter");
    assert_int_equal(rf_referral_documents_complete_at_receipt(all), 1);
    assert_string_equal(rf_referral_documents_required(all), "letter,imaging");
    rf_referral *none = with_documents(fx, program, patel, "Nia None", NULL, NULL);
    assert_int_equal(rf_referral_documents_complete_at_receipt(none), 1);
    assert_null(rf_referral_documents_required(none));
    rf_referral *part = with_documents(fx, program, patel, "Pat Part", "letter,imaging", "letter");
    assert_int_equal(rf_referral_documents_complete_at_receipt(part), 0);
    assert_string_equal(rf_referral_documents_received(part), "letter");
    rf_referral *nothing = with_documents(fx, program, patel, "Ned Nothing", "letter", NULL);
    assert_int_equal(rf_referral_documents_complete_at_receipt(nothing), 0);
    assert_null(rf_referral_documents_received(nothing));

    /* The missing document arrives later: recorded and journalled, receipt unchanged. */
    fx->now = T0 + DAY;
    int64_t seq = last_seq(fx);
    rf_referral *u = NULL;
    assert_ok(rf_referral_receive_document(&u, fx->store, rf_referral_id(part), "imaging"));
    assert_has(rf_referral_documents_received(u), "letter");
    assert_has(rf_referral_documents_received(u), "imaging");
    assert_int_equal(rf_referral_documents_complete_at_receipt(u), 0);
    assert_int_equal(rf_referral_updated_at(u), T0 + DAY);
    rf_referral_free(u);
    assert_int_equal(last_seq(fx), seq + 1);
    rf_event *ev = newest_event(fx);
    assert_string_equal(rf_event_type(ev), RF_EVENT_DOCUMENT_RECEIVED);
    assert_string_equal(rf_event_subject_id(ev), rf_referral_id(part));
    assert_string_equal(rf_event_data(ev), "document=imaging");
    rf_event_free(ev);
    assert_ok(rf_referral_get(&u, fx->store, rf_referral_id(part)));
    assert_has(rf_referral_documents_received(u), "imaging");
    rf_referral_free(u);
    assert_ok(rf_referral_receive_document(NULL, fx->store, rf_referral_id(nothing), "letter"));
    assert_ok(rf_referral_get(&u, fx->store, rf_referral_id(nothing)));
    assert_string_equal(rf_referral_documents_received(u), "letter");
    rf_referral_free(u);

    /* Again: not an error, and nothing changes. */
    char *before = snapshot(fx->store);
    fx->now = T0 + 2 * DAY;
    assert_ok(rf_referral_receive_document(&u, fx->store, rf_referral_id(part), "imaging"));
    assert_has(rf_referral_documents_received(u), "imaging");
    rf_referral_free(u);
    assert_unchanged(fx->store, before);

    /* A document the referral does not need, and bad arguments. */
    u = (rf_referral *)patel;
    assert_status(rf_referral_receive_document(&u, fx->store, rf_referral_id(part), "xray"), RF_EINVALID);
    assert_null(u);
    assert_message_has("xray");
    assert_status(rf_referral_receive_document(NULL, fx->store, rf_referral_id(none), "letter"), RF_EINVALID);
    assert_message_has("letter");
    assert_status(rf_referral_receive_document(NULL, fx->store, rf_referral_id(part), "letter,imaging"),
                  RF_EINVALID);
    assert_status(rf_referral_receive_document(NULL, fx->store, NO_SUCH_ID, "letter"), RF_ENOTFOUND);
    assert_status(rf_referral_receive_document(NULL, fx->store, rf_referral_id(part), NULL), RF_EINVALID);
    assert_unchanged(fx->store, before);
    free(before);

    rf_referral_free(all);
    rf_referral_free(none);
    rf_referral_free(part);
    rf_referral_free(nothing);
    rf_party_free(patel);
    rf_program_free(program);
}

static void idempotent_create(void **state)
{
    fixture *fx = *state;
    rf_program *program = make_program(fx, "advocates", RF_FRAUD_BLOCK, 1);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_party *lee = add_party(fx, RF_PARTY_LEAD, "Lee Newman", NULL, NULL);
    rf_party *liz = add_party(fx, RF_PARTY_LEAD, "Liz Newman", NULL, NULL);
    rf_code *code = code_for(fx, ruth, RF_CHANNEL_UNSET, NULL);
    rf_referral_options o = inbound(program, lee);
    o.code = rf_code_text(code);
    o.idempotency_key = "intake-form-7";
    rf_referral *a = NULL, *b = NULL;
    assert_ok(rf_referral_create(&a, fx->store, &o));
    char *before = snapshot(fx->store);
    fx->now += 10;
    /* The retry returns the first referral; no second use of the code, no event. */
    assert_ok(rf_referral_create(&b, fx->store, &o));
    assert_string_equal(rf_referral_id(b), rf_referral_id(a));
    assert_int_equal(rf_referral_reached_at(b, RF_REFERRAL_RECEIVED), T0);
    assert_unchanged(fx->store, before);
    rf_referral_free(b);
    assert_int_equal(count_events(fx, RF_EVENT_ATTRIBUTION_REFUSED), 0);

    /* The same key for another request. */
    rf_referral_options other = o;
    other.referee_id = rf_party_id(liz);
    b = a;
    assert_status(rf_referral_create(&b, fx->store, &other), RF_ECONFLICT);
    assert_null(b);
    other = o;
    other.reason = "different";
    assert_status(rf_referral_create(&b, fx->store, &other), RF_ECONFLICT);
    assert_unchanged(fx->store, before);
    free(before);
    rf_referral_free(a);
    rf_code_free(code);
    rf_party_free(ruth);
    rf_party_free(lee);
    rf_party_free(liz);
    rf_program_free(program);
}

/* The ids a filter lists, space-separated; free with free(). */
static char *listed(fixture *fx, const rf_referral_filter *f)
{
    char *out = calloc(1, 16 * RF_ID_BUFSIZE);
    assert_non_null(out);
    rf_referral_iter *it = NULL;
    rf_referral *r = NULL;
    assert_ok(rf_referral_list(&it, fx->store, f));
    rf_status rc;
    while ((rc = rf_referral_iter_next(&r, it)) == RF_OK) {
        assert_true(strlen(out) + RF_ID_BUFSIZE < 16 * RF_ID_BUFSIZE);
        strcat(out, rf_referral_id(r));
        strcat(out, " ");
        rf_referral_free(r);
    }
    assert_int_equal(rc, RF_ITEROVER);
    assert_null(r);
    rf_referral_iter_free(it);
    return out;
}

static void assert_listed(fixture *fx, const rf_referral_filter *f, const rf_referral *const *expected,
                          size_t n)
{
    char want[16 * RF_ID_BUFSIZE] = "";
    for (size_t i = 0; i < n; i++) {
        strcat(want, rf_referral_id(expected[i]));
        strcat(want, " ");
    }
    char *got = listed(fx, f);
    assert_string_equal(got, want);
    free(got);
}

static void list_filters(void **state)
{
    fixture *fx = *state;
    rf_program *p1 = make_program(fx, "advocates", RF_FRAUD_BLOCK, 1);
    rf_program *p2 = make_program(fx, "partners", RF_FRAUD_BLOCK, 1);
    rf_party *ann = add_party(fx, RF_PARTY_CLIENT, "Ann", NULL, NULL);
    rf_party *bob = add_party(fx, RF_PARTY_CLIENT, "Bob", NULL, NULL);
    rf_party *sam = add_party(fx, RF_PARTY_STAFF, "Dr Sam", NULL, NULL);
    rf_party *patel = add_party(fx, RF_PARTY_PARTNER, "Dr Patel", NULL, NULL);
    rf_party *carla = add_party(fx, RF_PARTY_CLIENT, "Carla", NULL, NULL);

    fx->now = T0;
    rf_referral *r1 = refer_new_lead(fx, p1, rf_party_id(ann));
    fx->now = T0 + DAY;
    rf_referral *r2 = refer_new_lead(fx, p1, rf_party_id(bob));
    fx->now = T0 + 2 * DAY;
    rf_referral *r3 = refer_new_lead(fx, p2, rf_party_id(ann));
    fx->now = T0 + 3 * DAY;
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(p1);
    o.referee_id = rf_party_id(carla);
    o.direction = RF_DIRECTION_OUTBOUND;
    o.target_id = rf_party_id(patel);
    o.referrer_id = rf_party_id(sam);
    rf_referral *r4 = NULL;
    assert_ok(rf_referral_create(&r4, fx->store, &o));

    const rf_referral *everything[] = {r1, r2, r3, r4};
    assert_listed(fx, NULL, everything, 4);
    rf_referral_filter f;
    assert_ok(rf_referral_filter_init(&f, RF_REFERRAL_FILTER_VERSION));
    assert_listed(fx, &f, everything, 4);

    f.program_id = rf_program_id(p1);
    const rf_referral *in_p1[] = {r1, r2, r4};
    assert_listed(fx, &f, in_p1, 3);
    f.direction = RF_DIRECTION_INBOUND;
    const rf_referral *in_p1_inbound[] = {r1, r2};
    assert_listed(fx, &f, in_p1_inbound, 2);

    rf_referral_filter g = RF_REFERRAL_FILTER_INIT;
    g.referrer_id = rf_party_id(ann);
    const rf_referral *by_ann[] = {r1, r3};
    assert_listed(fx, &g, by_ann, 2);

    g = (rf_referral_filter)RF_REFERRAL_FILTER_INIT;
    g.referee_id = rf_referral_referee_id(r2);
    const rf_referral *for_r2[] = {r2};
    assert_listed(fx, &g, for_r2, 1);

    g = (rf_referral_filter)RF_REFERRAL_FILTER_INIT;
    g.direction = RF_DIRECTION_OUTBOUND;
    const rf_referral *outbound[] = {r4};
    assert_listed(fx, &g, outbound, 1);

    /* [from, to): the start is in, the end is out. */
    g = (rf_referral_filter)RF_REFERRAL_FILTER_INIT;
    g.received_from = T0 + DAY;
    g.received_to = T0 + 3 * DAY;
    const rf_referral *middle[] = {r2, r3};
    assert_listed(fx, &g, middle, 2);
    g.received_from = T0 + DAY + 1;
    g.received_to = T0 + 3 * DAY + 1;
    const rf_referral *later[] = {r3, r4};
    assert_listed(fx, &g, later, 2);
    g.received_from = RF_TIME_UNSET;
    g.received_to = T0 + DAY;
    const rf_referral *first[] = {r1};
    assert_listed(fx, &g, first, 1);
    g.received_from = T0 + 2 * DAY;
    g.received_to = RF_TIME_UNSET;
    const rf_referral *from_day2[] = {r3, r4};
    assert_listed(fx, &g, from_day2, 2);
    g.received_from = T0 + DAY;
    g.received_to = T0 + DAY;
    assert_listed(fx, &g, NULL, 0);

    /* No match, and a bad filter. */
    g = (rf_referral_filter)RF_REFERRAL_FILTER_INIT;
    g.referrer_id = NO_SUCH_ID;
    assert_listed(fx, &g, NULL, 0);
    g = (rf_referral_filter)RF_REFERRAL_FILTER_INIT;
    g.direction = (rf_direction)7;
    rf_referral_iter *it = NULL;
    assert_status(rf_referral_list(&it, fx->store, &g), RF_EINVALID);
    assert_null(it);
    g.direction = RF_DIRECTION_UNSET;
    g.version = 0;
    assert_status(rf_referral_list(&it, fx->store, &g), RF_EINVALID);
    assert_status(rf_referral_list(NULL, fx->store, NULL), RF_EINVALID);
    rf_referral_iter_free(NULL);

    rf_referral_free(r1);
    rf_referral_free(r2);
    rf_referral_free(r3);
    rf_referral_free(r4);
    rf_party_free(ann);
    rf_party_free(bob);
    rf_party_free(sam);
    rf_party_free(patel);
    rf_party_free(carla);
    rf_program_free(p1);
    rf_program_free(p2);
}

#define CASE(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
const struct CMUnitTest attribution_cases[] = {
    CASE(touch_records_the_visit),
    CASE(touch_refusals_change_nothing),
    CASE(touch_idempotent_retry),
    CASE(referral_from_a_code),
    CASE(referral_from_touches_last_and_first),
    CASE(touches_outside_the_window_are_ignored),
    CASE(referral_from_intake_manual_and_partner),
    CASE(most_specific_evidence_wins),
    CASE(outbound_referrals_are_not_attributed),
    CASE(create_refusals_change_nothing),
    CASE(documents_at_receipt_and_later),
    CASE(idempotent_create),
    CASE(list_filters),
};
const size_t attribution_case_count = sizeof attribution_cases / sizeof attribution_cases[0];
