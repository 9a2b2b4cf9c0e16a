/* Conformance: touches (rf_touch_add): the visit recorded, refusals, idempotent retries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "attribution_support.h"

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

const struct CMUnitTest touch_cases[] = {
    CASE(touch_records_the_visit),
    CASE(touch_refusals_change_nothing),
    CASE(touch_idempotent_retry),
};
const size_t touch_case_count = sizeof touch_cases / sizeof touch_cases[0];
