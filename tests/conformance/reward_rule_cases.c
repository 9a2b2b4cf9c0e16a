/* Conformance: reward rules (every kind, defaults, every refusal, one trigger
 * per programme's referrer ladder, retiring, idempotent adds). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reward_support.h"

static void assert_terms(const rf_reward_rule *r, const rf_program *p, rf_reward_kind kind)
{
    assert_int_equal(strlen(rf_reward_rule_id(r)), 36);
    assert_string_equal(rf_reward_rule_program_id(r), rf_program_id(p));
    assert_string_equal(rf_reward_rule_name(r), rf_reward_kind_name(kind));
    assert_int_equal(rf_reward_rule_recipient(r), RF_RECIPIENT_REFERRER);
    assert_int_equal(rf_reward_rule_trigger(r), RF_REFERRAL_CLOSED); /* the default */
    assert_int_equal(rf_reward_rule_kind(r), kind);
    assert_int_equal(rf_reward_rule_amount(r), is_money(kind) ? 1000 : 0);
    assert_string_or_null(rf_reward_rule_currency(r), is_money(kind) ? "EUR" : NULL);
    assert_int_equal(rf_reward_rule_percent(r), kind == RF_REWARD_PERCENT_DISCOUNT ? 10 : 0);
    assert_string_or_null(rf_reward_rule_item(r), kind_item(kind));
    assert_int_equal(rf_reward_rule_expiry_days(r), kind == RF_REWARD_PRIORITY_BOOKING ? 30 : 0);
    assert_int_equal(rf_reward_rule_hold_days(r), 0);
    assert_int_equal(rf_reward_rule_cap_count(r), 0);
    assert_int_equal(rf_reward_rule_cap_days(r), 365);
    assert_int_equal(rf_reward_rule_tier(r), 1);
    assert_int_equal(rf_reward_rule_active(r), 1);
    assert_int_equal(rf_reward_rule_created_at(r), T0);
}

static void every_kind_is_added(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    char ids[REWARD_KIND_COUNT][RF_ID_BUFSIZE];
    for (size_t i = 0; i < REWARD_KIND_COUNT; i++) {
        int64_t seq = last_seq(fx);
        rf_reward_rule *r =
            simple_rule(fx, p, RF_RECIPIENT_REFERRER, reward_kinds[i], RF_REFERRAL_STATE_UNSET);
        assert_terms(r, p, reward_kinds[i]);
        snprintf(ids[i], sizeof ids[i], "%s", rf_reward_rule_id(r));
        /* One event about it. */
        assert_int_equal(last_seq(fx), seq + 1);
        assert_first_event(fx, RF_EVENT_REWARD_RULE_ADDED, seq, rf_reward_rule_id(r), rf_program_id(p));
        rf_reward_rule_free(r);
    }
    reopen_if_file(fx);
    /* Stored as given, listed oldest first. */
    rf_reward_rule_iter *it = NULL;
    rf_reward_rule *r = NULL;
    assert_ok(rf_reward_rule_list(&it, fx->store, rf_program_id(p)));
    for (size_t i = 0; i < REWARD_KIND_COUNT; i++) {
        assert_ok(rf_reward_rule_iter_next(&r, it));
        assert_string_equal(rf_reward_rule_id(r), ids[i]);
        assert_terms(r, p, reward_kinds[i]);
        rf_reward_rule_free(r);
        assert_ok(rf_reward_rule_get(&r, fx->store, ids[i]));
        assert_terms(r, p, reward_kinds[i]);
        rf_reward_rule_free(r);
    }
    r = (rf_reward_rule *)it;
    assert_status(rf_reward_rule_iter_next(&r, it), RF_ITEROVER);
    assert_null(r);
    rf_reward_rule_iter_free(it);
    rf_reward_rule_iter_free(NULL);
    rf_reward_rule_free(NULL);

    /* A gift may carry its cost. */
    rf_reward_rule_options o = rule_options(p, RF_RECIPIENT_REFEREE, RF_REWARD_GIFT, RF_REFERRAL_SCHEDULED);
    o.amount = 2500;
    o.currency = "GBP";
    r = add_rule(fx, &o);
    assert_int_equal(rf_reward_rule_amount(r), 2500);
    assert_string_equal(rf_reward_rule_currency(r), "GBP");
    assert_int_equal(rf_reward_rule_recipient(r), RF_RECIPIENT_REFEREE);
    assert_int_equal(rf_reward_rule_trigger(r), RF_REFERRAL_SCHEDULED);
    rf_reward_rule_free(r);
    rf_program_free(p);
}

static void every_field_and_the_ends_of_each_range(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_reward_rule_options o;
    assert_ok(rf_reward_rule_options_init(&o, RF_REWARD_RULE_OPTIONS_VERSION));
    assert_int_equal(o.amount, RF_AMOUNT_UNSET);
    o.program_id = rf_program_id(p);
    o.name = "Friend's first session";
    o.recipient = RF_RECIPIENT_REFEREE;
    o.trigger = RF_REFERRAL_SEEN;
    o.kind = RF_REWARD_ACCOUNT_CREDIT;
    o.amount = RF_AMOUNT_MAX;
    o.currency = "USD";
    o.expiry_days = RF_REWARD_DAYS_MAX;
    o.hold_days = RF_REWARD_DAYS_MAX;
    o.cap_count = 1000;
    o.cap_days = RF_REWARD_DAYS_MAX;
    rf_reward_rule *r = add_rule(fx, &o);
    char id[RF_ID_BUFSIZE];
    snprintf(id, sizeof id, "%s", rf_reward_rule_id(r));
    rf_reward_rule_free(r);
    reopen_if_file(fx);
    assert_ok(rf_reward_rule_get(&r, fx->store, id));
    assert_string_equal(rf_reward_rule_name(r), "Friend's first session");
    assert_int_equal(rf_reward_rule_recipient(r), RF_RECIPIENT_REFEREE);
    assert_int_equal(rf_reward_rule_trigger(r), RF_REFERRAL_SEEN);
    assert_int_equal(rf_reward_rule_amount(r), RF_AMOUNT_MAX);
    assert_string_equal(rf_reward_rule_currency(r), "USD");
    assert_int_equal(rf_reward_rule_expiry_days(r), 3650);
    assert_int_equal(rf_reward_rule_hold_days(r), 3650);
    assert_int_equal(rf_reward_rule_cap_count(r), 1000);
    assert_int_equal(rf_reward_rule_cap_days(r), 3650);
    rf_reward_rule_free(r);

    /* The low ends. */
    o = rule_options(p, RF_RECIPIENT_REFEREE, RF_REWARD_FIXED_DISCOUNT, RF_REFERRAL_SCHEDULED);
    o.amount = 1;
    o.expiry_days = 0;
    o.hold_days = 0;
    o.cap_count = 1;
    o.cap_days = 1;
    r = add_rule(fx, &o);
    assert_int_equal(rf_reward_rule_amount(r), 1);
    assert_int_equal(rf_reward_rule_cap_days(r), 1);
    rf_reward_rule_free(r);
    o = rule_options(p, RF_RECIPIENT_STAFF, RF_REWARD_PERCENT_DISCOUNT, RF_REFERRAL_CLOSED);
    o.percent = 1;
    rf_reward_rule_free(add_rule(fx, &o));
    o.percent = 100;
    rf_reward_rule_free(add_rule(fx, &o));
    o = rule_options(p, RF_RECIPIENT_REFERRER, RF_REWARD_PRIORITY_BOOKING, RF_REFERRAL_CLOSED);
    o.expiry_days = 1;
    o.tier = 1000;
    r = add_rule(fx, &o);
    assert_int_equal(rf_reward_rule_tier(r), 1000);
    rf_reward_rule_free(r);
    /* The longest name and item. */
    char name[RF_NAME_MAX + 1], item[RF_DETAIL_MAX + 1];
    memset(name, 'n', RF_NAME_MAX);
    name[RF_NAME_MAX] = '\0';
    memset(item, 'i', RF_DETAIL_MAX);
    item[RF_DETAIL_MAX] = '\0';
    o = rule_options(p, RF_RECIPIENT_REFEREE, RF_REWARD_SERVICE_UPGRADE, RF_REFERRAL_SEEN);
    o.name = name;
    o.item = item;
    r = add_rule(fx, &o);
    assert_string_equal(rf_reward_rule_name(r), name);
    assert_string_equal(rf_reward_rule_item(r), item);
    rf_reward_rule_free(r);
    rf_program_free(p);
}

/* A programme's referrer rules share one trigger: one ladder, one count. */
static void referrer_rules_share_one_trigger(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_program *other = reward_program(fx, "partners", 0, 0);
    rf_reward_rule *seen =
        simple_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_SEEN);
    char *before = snapshot(fx->store);
    fx->now += DAY;
    rf_referral_state contradicting[] = {RF_REFERRAL_CLOSED, RF_REFERRAL_SCHEDULED, RF_REFERRAL_STATE_UNSET};
    for (size_t i = 0; i < 3; i++) {
        rf_reward_rule_options o =
            rule_options(p, RF_RECIPIENT_REFERRER, RF_REWARD_THANK_YOU_NOTE, contradicting[i]);
        o.tier = 3;
        rf_reward_rule *r = seen;
        assert_status(rf_reward_rule_add(&r, fx->store, &o), RF_EINVALID);
        assert_null(r);
        assert_message_has("trigger");
        assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_REWARD);
    }
    assert_unchanged(fx->store, before);
    free(before);

    /* The same trigger, other recipients, other programmes are fine. */
    rf_reward_rule *r = simple_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_GIFT, RF_REFERRAL_SEEN);
    rf_reward_rule_free(r);
    r = simple_rule(fx, p, RF_RECIPIENT_REFEREE, RF_REWARD_GIFT, RF_REFERRAL_SCHEDULED);
    rf_reward_rule_free(r);
    r = simple_rule(fx, p, RF_RECIPIENT_STAFF, RF_REWARD_GIFT, RF_REFERRAL_CLOSED);
    rf_reward_rule_free(r);
    r = simple_rule(fx, other, RF_RECIPIENT_REFERRER, RF_REWARD_GIFT, RF_REFERRAL_CLOSED);
    rf_reward_rule_free(r);

    /* Only active rules count: once every SEEN referrer rule is retired the ladder may move. */
    rf_reward_rule_iter *it = NULL;
    assert_ok(rf_reward_rule_list(&it, fx->store, rf_program_id(p)));
    while (rf_reward_rule_iter_next(&r, it) == RF_OK) {
        if (rf_reward_rule_recipient(r) == RF_RECIPIENT_REFERRER) {
            assert_ok(rf_reward_rule_retire(NULL, fx->store, rf_reward_rule_id(r)));
        }
        rf_reward_rule_free(r);
    }
    rf_reward_rule_iter_free(it);
    r = simple_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_GIFT, RF_REFERRAL_CLOSED);
    assert_int_equal(rf_reward_rule_trigger(r), RF_REFERRAL_CLOSED);
    rf_reward_rule_free(r);
    rf_reward_rule_free(seen);
    rf_program_free(p);
    rf_program_free(other);
}

static void retire_stops_a_rule(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_reward_rule *a =
        simple_rule(fx, p, RF_RECIPIENT_REFEREE, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_SCHEDULED);
    rf_reward_rule *b = simple_rule(fx, p, RF_RECIPIENT_REFEREE, RF_REWARD_GIFT, RF_REFERRAL_SCHEDULED);
    fx->now += DAY;
    int64_t seq = last_seq(fx);
    rf_reward_rule *r = NULL;
    assert_ok(rf_reward_rule_retire(&r, fx->store, rf_reward_rule_id(a)));
    assert_int_equal(rf_reward_rule_active(r), 0);
    assert_int_equal(rf_reward_rule_amount(r), 1000); /* the terms stand */
    rf_reward_rule_free(r);
    assert_int_equal(last_seq(fx), seq + 1);
    assert_first_event(fx, RF_EVENT_REWARD_RULE_RETIRED, seq, rf_reward_rule_id(a), rf_program_id(p));

    /* Retiring again changes nothing and succeeds. */
    char *before = snapshot(fx->store);
    fx->now += DAY;
    assert_ok(rf_reward_rule_retire(&r, fx->store, rf_reward_rule_id(a)));
    assert_int_equal(rf_reward_rule_active(r), 0);
    rf_reward_rule_free(r);
    assert_ok(rf_reward_rule_retire(NULL, fx->store, rf_reward_rule_id(a)));
    assert_unchanged(fx->store, before);
    free(before);

    /* Listed still, in order; the other rule is untouched. */
    rf_reward_rule_iter *it = NULL;
    assert_ok(rf_reward_rule_list(&it, fx->store, rf_program_id(p)));
    assert_ok(rf_reward_rule_iter_next(&r, it));
    assert_string_equal(rf_reward_rule_id(r), rf_reward_rule_id(a));
    assert_int_equal(rf_reward_rule_active(r), 0);
    rf_reward_rule_free(r);
    assert_ok(rf_reward_rule_iter_next(&r, it));
    assert_string_equal(rf_reward_rule_id(r), rf_reward_rule_id(b));
    assert_int_equal(rf_reward_rule_active(r), 1);
    rf_reward_rule_free(r);
    assert_status(rf_reward_rule_iter_next(&r, it), RF_ITEROVER);
    rf_reward_rule_iter_free(it);
    rf_reward_rule_free(a);
    rf_reward_rule_free(b);
    rf_program_free(p);
}

static void idempotent_add(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_reward_rule_options o =
        rule_options(p, RF_RECIPIENT_REFEREE, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_SEEN);
    o.idempotency_key = "rule-friend-credit";
    rf_reward_rule *a = add_rule(fx, &o);
    char *before = snapshot(fx->store);
    fx->now += 60;
    rf_reward_rule *b = add_rule(fx, &o);
    assert_string_equal(rf_reward_rule_id(b), rf_reward_rule_id(a));
    assert_int_equal(rf_reward_rule_created_at(b), T0);
    rf_reward_rule_free(b);
    assert_unchanged(fx->store, before);

    /* The same key for another rule. */
    rf_reward_rule_options other = o;
    other.amount = 2000;
    b = a;
    assert_status(rf_reward_rule_add(&b, fx->store, &other), RF_ECONFLICT);
    assert_null(b);
    other = o;
    other.kind = RF_REWARD_FIXED_DISCOUNT;
    assert_status(rf_reward_rule_add(&b, fx->store, &other), RF_ECONFLICT);
    other = o;
    other.hold_days = 3;
    assert_status(rf_reward_rule_add(&b, fx->store, &other), RF_ECONFLICT);
    assert_unchanged(fx->store, before);
    free(before);
    rf_reward_rule_free(a);
    rf_program_free(p);
}

static void names_of_enums(void **state)
{
    (void)state;
    assert_string_equal(rf_reward_recipient_name(RF_RECIPIENT_REFERRER), "REFERRER");
    assert_string_equal(rf_reward_recipient_name(RF_RECIPIENT_STAFF), "STAFF");
    assert_string_equal(rf_reward_recipient_name((rf_reward_recipient)77), "UNSET");
    assert_string_equal(rf_reward_kind_name(RF_REWARD_ACCOUNT_CREDIT), "ACCOUNT_CREDIT");
    assert_string_equal(rf_reward_kind_name(RF_REWARD_THANK_YOU_NOTE), "THANK_YOU_NOTE");
    assert_string_equal(rf_reward_kind_name((rf_reward_kind)0), "UNSET");
    assert_string_equal(rf_grant_status_name(RF_GRANT_AVAILABLE), "AVAILABLE");
    assert_string_equal(rf_grant_status_name((rf_grant_status)9), "UNSET");
    assert_string_equal(rf_ledger_type_name(RF_LEDGER_REDEEMED), "REDEEMED");
    assert_string_equal(rf_ledger_type_name((rf_ledger_type)-1), "UNSET");
    assert_true(rf_currency_valid("EUR"));
    assert_true(rf_currency_valid("JPY"));
    assert_false(rf_currency_valid("eur"));
    assert_false(rf_currency_valid("XYZ"));
    assert_false(rf_currency_valid(NULL));
}

const struct CMUnitTest reward_rule_cases[] = {
    CASE(every_kind_is_added),
    CASE(every_field_and_the_ends_of_each_range),
    CASE(referrer_rules_share_one_trigger),
    CASE(retire_stops_a_rule),
    CASE(idempotent_add),
    CASE(names_of_enums),
};
const size_t reward_rule_case_count = sizeof reward_rule_cases / sizeof reward_rule_cases[0];
