/* Conformance: every refusal of rf_reward_rule_add (each field of each kind,
 * ranges, names, programmes, arguments), each changing nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reward_support.h"

#define U RF_UNSET
#define NA RF_AMOUNT_UNSET
typedef struct bad_rule {
    int recipient;
    int trigger;
    int kind;
    int64_t amount;
    const char *currency;
    int percent;
    const char *item;
    int expiry, hold, cap_count, cap_days, tier;
    const char *needle;
} bad_rule;

enum { REFERRER = RF_RECIPIENT_REFERRER, REFEREE = RF_RECIPIENT_REFEREE, STAFF = RF_RECIPIENT_STAFF };
enum {
    CREDIT = RF_REWARD_ACCOUNT_CREDIT,
    FIXED = RF_REWARD_FIXED_DISCOUNT,
    PERCENT = RF_REWARD_PERCENT_DISCOUNT,
    UPGRADE = RF_REWARD_SERVICE_UPGRADE,
    PRIORITY = RF_REWARD_PRIORITY_BOOKING,
    CHARITY = RF_REWARD_CHARITY_DONATION,
    GIFT = RF_REWARD_GIFT,
    NOTE = RF_REWARD_THANK_YOU_NOTE,
};

/* Each row has exactly one defect; the needle is the field it names. */
static const bad_rule bad_rules[] = {
    /* who, when, what */
    {0, 0, CREDIT, 1000, "EUR", U, NULL, U, U, U, U, U, "recipient"},
    {9, 0, CREDIT, 1000, "EUR", U, NULL, U, U, U, U, U, "recipient"},
    {REFEREE, 0, 0, NA, NULL, U, NULL, U, U, U, U, U, "kind"},
    {REFEREE, 0, 42, NA, NULL, U, NULL, U, U, U, U, U, "kind"},
    {REFEREE, RF_REFERRAL_ACCEPTED, NOTE, NA, NULL, U, NULL, U, U, U, U, U, "trigger"},
    {REFEREE, RF_REFERRAL_LOST, NOTE, NA, NULL, U, NULL, U, U, U, U, U, "trigger"},
    {REFEREE, 99, NOTE, NA, NULL, U, NULL, U, U, U, U, U, "trigger"},
    /* money */
    {REFEREE, 0, CREDIT, NA, "EUR", U, NULL, U, U, U, U, U, "amount"},
    {REFEREE, 0, CREDIT, 1000, NULL, U, NULL, U, U, U, U, U, "currency"},
    {REFEREE, 0, CREDIT, -5, "EUR", U, NULL, U, U, U, U, U, "amount"},
    {REFEREE, 0, CREDIT, 0, "EUR", U, NULL, U, U, U, U, U, "amount"},
    {REFEREE, 0, CREDIT, RF_AMOUNT_MAX + 1, "EUR", U, NULL, U, U, U, U, U, "amount"},
    {REFEREE, 0, CREDIT, INT64_MAX, "EUR", U, NULL, U, U, U, U, U, "amount"},
    {REFEREE, 0, CREDIT, 1000, "XYZ", U, NULL, U, U, U, U, U, "currency"},
    {REFEREE, 0, CREDIT, 1000, "eur", U, NULL, U, U, U, U, U, "currency"},
    {REFEREE, 0, CREDIT, 1000, "EURO", U, NULL, U, U, U, U, U, "currency"},
    {REFEREE, 0, CREDIT, 1000, "", U, NULL, U, U, U, U, U, "currency"},
    {REFEREE, 0, CREDIT, 1000, "EUR", 10, NULL, U, U, U, U, U, "percent"},
    {REFEREE, 0, CREDIT, 1000, "EUR", U, "a mug", U, U, U, U, U, "item"},
    {REFEREE, 0, FIXED, NA, NULL, U, NULL, U, U, U, U, U, "amount"},
    {REFEREE, 0, FIXED, -1, "EUR", U, NULL, U, U, U, U, U, "amount"},
    {REFEREE, 0, FIXED, 500, "EUR", 5, NULL, U, U, U, U, U, "percent"},
    {REFEREE, 0, CHARITY, 1000, "EUR", U, NULL, U, U, U, U, U, "item"},
    {REFEREE, 0, CHARITY, NA, NULL, U, "Food bank", U, U, U, U, U, "amount"},
    {REFEREE, 0, CHARITY, 1000, "ZZZ", U, "Food bank", U, U, U, U, U, "currency"},
    /* items */
    {REFEREE, 0, PERCENT, NA, NULL, U, NULL, U, U, U, U, U, "percent"},
    {REFEREE, 0, PERCENT, NA, NULL, 0, NULL, U, U, U, U, U, "percent"},
    {REFEREE, 0, PERCENT, NA, NULL, 101, NULL, U, U, U, U, U, "percent"},
    {REFEREE, 0, PERCENT, NA, NULL, -3, NULL, U, U, U, U, U, "percent"},
    {REFEREE, 0, PERCENT, 100, "EUR", 10, NULL, U, U, U, U, U, "amount"},
    {REFEREE, 0, PERCENT, NA, NULL, 10, "a mug", U, U, U, U, U, "item"},
    {REFEREE, 0, UPGRADE, NA, NULL, U, NULL, U, U, U, U, U, "item"},
    {REFEREE, 0, UPGRADE, 100, "EUR", U, "+15 minutes", U, U, U, U, U, "amount"},
    {REFEREE, 0, UPGRADE, NA, NULL, 10, "+15 minutes", U, U, U, U, U, "percent"},
    {REFEREE, 0, PRIORITY, NA, NULL, U, NULL, U, U, U, U, U, "expiry_days"},
    {REFEREE, 0, PRIORITY, NA, NULL, U, NULL, 0, U, U, U, U, "expiry_days"},
    {REFEREE, 0, PRIORITY, 100, "EUR", U, NULL, 30, U, U, U, U, "amount"},
    {REFEREE, 0, PRIORITY, NA, NULL, U, "front of queue", 30, U, U, U, U, "item"},
    {REFEREE, 0, GIFT, NA, NULL, U, NULL, U, U, U, U, U, "item"},
    {REFEREE, 0, GIFT, 2500, NULL, U, "Tea towel", U, U, U, U, U, "currency"},
    {REFEREE, 0, GIFT, NA, "EUR", U, "Tea towel", U, U, U, U, U, "amount"},
    {REFEREE, 0, GIFT, -2500, "EUR", U, "Tea towel", U, U, U, U, U, "amount"},
    {REFEREE, 0, GIFT, NA, NULL, 10, "Tea towel", U, U, U, U, U, "percent"},
    {REFEREE, 0, NOTE, 100, "EUR", U, NULL, U, U, U, U, U, "amount"},
    {REFEREE, 0, NOTE, NA, "EUR", U, NULL, U, U, U, U, U, "currency"},
    {REFEREE, 0, NOTE, NA, NULL, 10, NULL, U, U, U, U, U, "percent"},
    {REFEREE, 0, NOTE, NA, NULL, U, "a card", U, U, U, U, U, "item"},
    /* periods, caps, tiers */
    {REFEREE, 0, NOTE, NA, NULL, U, NULL, -2, U, U, U, U, "expiry_days"},
    {REFEREE, 0, NOTE, NA, NULL, U, NULL, 3651, U, U, U, U, "expiry_days"},
    {REFEREE, 0, NOTE, NA, NULL, U, NULL, U, -2, U, U, U, "hold_days"},
    {REFEREE, 0, NOTE, NA, NULL, U, NULL, U, 3651, U, U, U, "hold_days"},
    {REFEREE, 0, NOTE, NA, NULL, U, NULL, U, U, -2, U, U, "cap_count"},
    {REFEREE, 0, NOTE, NA, NULL, U, NULL, U, U, 1001, U, U, "cap_count"},
    {REFEREE, 0, NOTE, NA, NULL, U, NULL, U, U, 2, 0, U, "cap_days"},
    {REFEREE, 0, NOTE, NA, NULL, U, NULL, U, U, 2, 3651, U, "cap_days"},
    {REFEREE, 0, NOTE, NA, NULL, U, NULL, U, U, 2, -2, U, "cap_days"},
    {REFERRER, 0, NOTE, NA, NULL, U, NULL, U, U, U, U, 0, "tier"},
    {REFERRER, 0, NOTE, NA, NULL, U, NULL, U, U, U, U, 1001, "tier"},
    {REFERRER, 0, NOTE, NA, NULL, U, NULL, U, U, U, U, -2, "tier"},
    {REFEREE, 0, NOTE, NA, NULL, U, NULL, U, U, U, U, 3, "tier"},
    {STAFF, 0, NOTE, NA, NULL, U, NULL, U, U, U, U, 2, "tier"},
};

static void bad_rules_are_refused(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_reward_rule *keep =
        simple_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_CLOSED);
    char *before = snapshot(fx->store);
    fx->now += DAY;
    for (size_t i = 0; i < sizeof bad_rules / sizeof bad_rules[0]; i++) {
        const bad_rule *b = &bad_rules[i];
        rf_reward_rule_options o = RF_REWARD_RULE_OPTIONS_INIT;
        o.program_id = rf_program_id(p);
        o.name = "bad";
        o.recipient = (rf_reward_recipient)b->recipient;
        o.trigger = (rf_referral_state)b->trigger;
        o.kind = (rf_reward_kind)b->kind;
        o.amount = b->amount;
        o.currency = b->currency;
        o.percent = b->percent;
        o.item = b->item;
        o.expiry_days = b->expiry;
        o.hold_days = b->hold;
        o.cap_count = b->cap_count;
        o.cap_days = b->cap_days;
        o.tier = b->tier;
        rf_reward_rule *r = keep;
        rf_status rc = rf_reward_rule_add(&r, fx->store, &o);
        if (rc != RF_EINVALID) {
            print_error("bad rule %zu (%s) returned %d: %s\n", i, b->needle, rc, rf_error_last()->message);
            fail();
        }
        assert_null(r);
        if (strstr(rf_error_last()->message, b->needle) == NULL) {
            print_error("bad rule %zu: message \"%s\" does not name %s\n", i, rf_error_last()->message,
                        b->needle);
            fail();
        }
        assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_REWARD);
    }
    assert_unchanged(fx->store, before);
    free(before);
    rf_reward_rule_free(keep);
    rf_program_free(p);
}

static void bad_names_and_arguments_are_refused(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    char *before = snapshot(fx->store);
    char long_name[RF_NAME_MAX + 2], long_item[RF_DETAIL_MAX + 2];
    memset(long_name, 'n', RF_NAME_MAX + 1);
    long_name[RF_NAME_MAX + 1] = '\0';
    memset(long_item, 'i', RF_DETAIL_MAX + 1);
    long_item[RF_DETAIL_MAX + 1] = '\0';
    const char *names[] = {NULL, "", long_name, "caf\xc3", "bad \xff byte"};
    rf_reward_rule *r = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        rf_reward_rule_options o = rule_options(p, RF_RECIPIENT_REFEREE, RF_REWARD_THANK_YOU_NOTE, 0);
        o.name = names[i];
        r = (rf_reward_rule *)p;
        assert_status(rf_reward_rule_add(&r, fx->store, &o), RF_EINVALID);
        assert_null(r);
        assert_message_has("name");
    }
    rf_reward_rule_options o = rule_options(p, RF_RECIPIENT_REFEREE, RF_REWARD_SERVICE_UPGRADE, 0);
    o.item = long_item;
    assert_status(rf_reward_rule_add(&r, fx->store, &o), RF_EINVALID);
    assert_message_has("item");
    o.item = "bad \xff byte";
    assert_status(rf_reward_rule_add(&r, fx->store, &o), RF_EINVALID);
    assert_message_has("item");

    /* Programme: missing, unknown. */
    o = rule_options(p, RF_RECIPIENT_REFEREE, RF_REWARD_THANK_YOU_NOTE, 0);
    o.program_id = NULL;
    assert_status(rf_reward_rule_add(&r, fx->store, &o), RF_EINVALID);
    assert_message_has("program_id");
    o.program_id = "0190a1b2-0000-7000-8000-000000000000";
    assert_status(rf_reward_rule_add(&r, fx->store, &o), RF_ENOTFOUND);
    assert_null(r);
    assert_message_has("0190a1b2-0000-7000-8000-000000000000");

    /* Arguments and versions. */
    o = rule_options(p, RF_RECIPIENT_REFEREE, RF_REWARD_THANK_YOU_NOTE, 0);
    assert_status(rf_reward_rule_add(NULL, fx->store, &o), RF_EINVALID);
    assert_status(rf_reward_rule_add(&r, fx->store, NULL), RF_EINVALID);
    assert_status(rf_reward_rule_add(&r, NULL, &o), RF_EINVALID);
    o.version = 0;
    assert_status(rf_reward_rule_add(&r, fx->store, &o), RF_EINVALID);
    assert_message_has("RF_REWARD_RULE_OPTIONS_INIT");
    o.version = RF_REWARD_RULE_OPTIONS_VERSION + 1;
    assert_status(rf_reward_rule_add(&r, fx->store, &o), RF_EINVALID);
    assert_status(rf_reward_rule_options_init(&o, 0), RF_EINVALID);
    assert_status(rf_reward_rule_options_init(NULL, RF_REWARD_RULE_OPTIONS_VERSION), RF_EINVALID);

    /* Reads of what does not exist. */
    assert_status(rf_reward_rule_get(&r, fx->store, "0190a1b2-0000-7000-8000-000000000001"), RF_ENOTFOUND);
    assert_null(r);
    assert_status(rf_reward_rule_get(&r, fx->store, NULL), RF_EINVALID);
    assert_status(rf_reward_rule_retire(&r, fx->store, "0190a1b2-0000-7000-8000-000000000001"), RF_ENOTFOUND);
    assert_null(r);
    rf_reward_rule_iter *it = (rf_reward_rule_iter *)p;
    assert_status(rf_reward_rule_list(&it, fx->store, "0190a1b2-0000-7000-8000-000000000002"), RF_ENOTFOUND);
    assert_null(it);
    assert_status(rf_reward_rule_list(&it, fx->store, NULL), RF_EINVALID);
    assert_unchanged(fx->store, before);
    free(before);
    rf_program_free(p);
}

const struct CMUnitTest reward_rule_refusal_cases[] = {
    CASE(bad_rules_are_refused),
    CASE(bad_names_and_arguments_are_refused),
};
const size_t reward_rule_refusal_case_count =
    sizeof reward_rule_refusal_cases / sizeof reward_rule_refusal_cases[0];
