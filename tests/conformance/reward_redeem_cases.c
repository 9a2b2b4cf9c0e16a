/* Conformance: redemption (partial by grant, items, by party and currency
 * soonest-expiring first, every refusal changing nothing, idempotent retries). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reward_support.h"

static rf_reward_rule *rule_with(fixture *fx, const rf_program *p, rf_reward_kind kind, const char *currency,
                                 int64_t amount, int hold_days, int expiry_days)
{
    rf_reward_rule_options o = rule_options(p, RF_RECIPIENT_REFERRER, kind, RF_REFERRAL_CLOSED);
    if (currency != NULL) {
        o.currency = currency;
        o.amount = amount;
    }
    o.hold_days = hold_days;
    if (expiry_days != 0) {
        o.expiry_days = expiry_days;
    }
    return add_rule(fx, &o);
}

static void partial_redemption_by_grant(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_reward_rule *rule = rule_with(fx, p, RF_REWARD_ACCOUNT_CREDIT, "EUR", 1000, 0, 0);
    rf_referral *r = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    rf_grant *g = the_grant(fx, rf_reward_rule_id(rule), rf_referral_id(r));
    fx->now = T0 + DAY;
    int64_t seq = last_seq(fx);
    int64_t used = 0;
    assert_ok(redeem(fx, &used, rf_grant_id(g), NULL, NULL, 300, "INV-1", NULL));
    assert_int_equal(used, 300);
    assert_int_equal(last_seq(fx), seq + 1);
    assert_first_event(fx, RF_EVENT_REWARD_REDEEMED, seq, rf_grant_id(g), rf_party_id(ruth));
    rf_grant *now = reload_grant(fx, g);
    assert_int_equal(rf_grant_remaining(now), 700);
    assert_int_equal(rf_grant_get_status(now), RF_GRANT_AVAILABLE);
    rf_grant_free(now);
    assert_balance(fx, rf_party_id(ruth), "EUR", (ledger_sums){700, 0, 1000, 300, 0, 0});

    /* The rest, to the last unit: settled. */
    fx->now = T0 + 2 * DAY;
    assert_ok(redeem(fx, &used, rf_grant_id(g), NULL, NULL, 699, "INV-2", NULL));
    assert_ok(redeem(fx, &used, rf_grant_id(g), NULL, NULL, 1, "INV-3", NULL));
    assert_int_equal(used, 1);
    now = reload_grant(fx, g);
    assert_int_equal(rf_grant_remaining(now), 0);
    assert_int_equal(rf_grant_get_status(now), RF_GRANT_SETTLED);
    assert_int_equal(rf_grant_closed_at(now), T0 + 2 * DAY);
    rf_grant_free(now);
    assert_int_equal(count_entries(fx, NULL, rf_grant_id(g), RF_LEDGER_REDEEMED), 3);
    assert_balance(fx, rf_party_id(ruth), "EUR", (ledger_sums){0, 0, 1000, 1000, 0, 0});
    /* Nothing left: a settled grant cannot be used. */
    char *before = snapshot(fx->store);
    assert_status(redeem(fx, &used, rf_grant_id(g), NULL, NULL, 1, NULL, NULL), RF_ESTATE);
    assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_REWARD);
    assert_unchanged(fx->store, before);
    free(before);
    rf_grant_free(g);
    rf_referral_free(r);
    rf_reward_rule_free(rule);
    rf_party_free(ruth);
    rf_program_free(p);
}

static void items_are_used_whole(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_reward_rule *pct = rule_with(fx, p, RF_REWARD_PERCENT_DISCOUNT, NULL, 0, 0, 0);
    rf_reward_rule *gift = rule_with(fx, p, RF_REWARD_GIFT, "EUR", 2500, 0, 0);
    rf_referral *r = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    rf_grant *gp = the_grant(fx, rf_reward_rule_id(pct), rf_referral_id(r));
    rf_grant *gg = the_grant(fx, rf_reward_rule_id(gift), rf_referral_id(r));
    /* A gift's cost stays on the grant; the ledger counts one item. */
    assert_int_equal(rf_grant_amount(gg), 2500);
    assert_string_equal(rf_grant_currency(gg), "EUR");
    assert_int_equal(rf_grant_units(gg), 1);
    assert_balance(fx, rf_party_id(ruth), NULL, (ledger_sums){2, 0, 2, 0, 0, 0});
    rf_balance *b = NULL;
    assert_ok(rf_reward_balance(&b, fx->store, rf_party_id(ruth)));
    assert_int_equal(rf_balance_count(b), 1);
    rf_balance_free(b);

    /* More than the one item. */
    char *before = snapshot(fx->store);
    assert_status(redeem(fx, NULL, rf_grant_id(gp), NULL, NULL, 2, NULL, NULL), RF_EBALANCE);
    assert_unchanged(fx->store, before);
    free(before);
    int64_t used = 0;
    assert_ok(redeem(fx, &used, rf_grant_id(gp), NULL, NULL, RF_AMOUNT_UNSET, "booking 17", NULL));
    assert_int_equal(used, 1);
    assert_ok(redeem(fx, &used, rf_grant_id(gg), NULL, NULL, 1, NULL, NULL));
    assert_int_equal(used, 1);
    assert_int_equal(count_grants(fx, rf_party_id(ruth), NULL, NULL, RF_GRANT_SETTLED), 2);
    assert_balance(fx, rf_party_id(ruth), NULL, (ledger_sums){0, 0, 2, 2, 0, 0});
    rf_grant_free(gp);
    rf_grant_free(gg);
    rf_referral_free(r);
    rf_reward_rule_free(pct);
    rf_reward_rule_free(gift);
    rf_party_free(ruth);
    rf_program_free(p);
}

/* By party and currency: soonest expiry first, never-expiring last, then oldest first. */
static void by_party_soonest_expiry_first(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_reward_rule *never = rule_with(fx, p, RF_REWARD_ACCOUNT_CREDIT, "EUR", 1000, 0, 0);
    rf_reward_rule *ten = rule_with(fx, p, RF_REWARD_ACCOUNT_CREDIT, "EUR", 1000, 0, 10);
    rf_reward_rule *five = rule_with(fx, p, RF_REWARD_FIXED_DISCOUNT, "EUR", 1000, 0, 5);
    rf_reward_rule *usd = rule_with(fx, p, RF_REWARD_ACCOUNT_CREDIT, "USD", 1000, 0, 1);
    rf_reward_rule *held = rule_with(fx, p, RF_REWARD_ACCOUNT_CREDIT, "EUR", 1000, 30, 1);
    rf_referral *r1 = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    fx->now += DAY;
    rf_referral *r2 = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    /* Available EUR: never x2, ten x2, five x2 = 6000; held ones are not available. */
    assert_balance(fx, rf_party_id(ruth), "EUR", (ledger_sums){6000, 2000, 8000, 0, 0, 0});

    /* Order: five(r1, day 5), five(r2, day 6), ten(r1), ten(r2), never(r1), never(r2). */
    rf_grant *order[6] = {
        the_grant(fx, rf_reward_rule_id(five), rf_referral_id(r1)),
        the_grant(fx, rf_reward_rule_id(five), rf_referral_id(r2)),
        the_grant(fx, rf_reward_rule_id(ten), rf_referral_id(r1)),
        the_grant(fx, rf_reward_rule_id(ten), rf_referral_id(r2)),
        the_grant(fx, rf_reward_rule_id(never), rf_referral_id(r1)),
        the_grant(fx, rf_reward_rule_id(never), rf_referral_id(r2)),
    };
    fx->now += 3600;
    int64_t seq = last_seq(fx);
    int64_t used = 0;
    assert_ok(redeem(fx, &used, NULL, rf_party_id(ruth), "EUR", 2500, "INV-20", NULL));
    assert_int_equal(used, 2500);
    assert_int_equal(count_events_after(fx, RF_EVENT_REWARD_REDEEMED, seq), 3);
    static const int64_t left[6] = {0, 0, 500, 1000, 1000, 1000};
    for (int i = 0; i < 6; i++) {
        rf_grant *g = reload_grant(fx, order[i]);
        assert_int_equal(rf_grant_remaining(g), left[i]);
        assert_int_equal(rf_grant_get_status(g), left[i] == 0 ? RF_GRANT_SETTLED : RF_GRANT_AVAILABLE);
        rf_grant_free(g);
    }
    /* Each touched grant got one entry, with the reference. */
    rf_ledger_filter f = RF_LEDGER_FILTER_INIT;
    f.after_seq = seq;
    rf_ledger_iter *it = NULL;
    rf_ledger_entry *e = NULL;
    assert_ok(rf_ledger_list(&it, fx->store, &f));
    static const int64_t taken[3] = {1000, 1000, 500};
    for (int i = 0; i < 3; i++) {
        assert_ok(rf_ledger_iter_next(&e, it));
        assert_int_equal(rf_ledger_entry_type(e), RF_LEDGER_REDEEMED);
        assert_string_equal(rf_ledger_entry_grant_id(e), rf_grant_id(order[i]));
        assert_int_equal(rf_ledger_entry_amount(e), taken[i]);
        assert_int_equal(rf_ledger_entry_available_delta(e), -taken[i]);
        assert_string_equal(rf_ledger_entry_reference(e), "INV-20");
        assert_string_equal(rf_ledger_entry_currency(e), "EUR");
        rf_ledger_entry_free(e);
    }
    assert_status(rf_ledger_iter_next(&e, it), RF_ITEROVER);
    rf_ledger_iter_free(it);

    /* Exactly what is left (3500) in one go; USD untouched. */
    assert_ok(redeem(fx, &used, NULL, rf_party_id(ruth), "EUR", 3500, NULL, NULL));
    assert_int_equal(used, 3500);
    assert_balance(fx, rf_party_id(ruth), "EUR", (ledger_sums){0, 2000, 8000, 6000, 0, 0});
    assert_balance(fx, rf_party_id(ruth), "USD", (ledger_sums){2000, 0, 2000, 0, 0, 0});
    for (int i = 0; i < 6; i++) {
        rf_grant_free(order[i]);
    }
    rf_reward_rule *rules[] = {never, ten, five, usd, held};
    for (int i = 0; i < 5; i++) {
        rf_reward_rule_free(rules[i]);
    }
    rf_referral_free(r1);
    rf_referral_free(r2);
    rf_party_free(ruth);
    rf_program_free(p);
}

static void refusals_change_nothing(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_reward_rule *credit = rule_with(fx, p, RF_REWARD_ACCOUNT_CREDIT, "EUR", 1000, 0, 0);
    rf_reward_rule *usd = rule_with(fx, p, RF_REWARD_ACCOUNT_CREDIT, "USD", 400, 0, 0);
    rf_reward_rule *held = rule_with(fx, p, RF_REWARD_ACCOUNT_CREDIT, "GBP", 1000, 275, 0);
    rf_referral *r = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    rf_grant *g = the_grant(fx, rf_reward_rule_id(credit), rf_referral_id(r));
    rf_grant *h = the_grant(fx, rf_reward_rule_id(held), rf_referral_id(r));
    assert_ok(redeem(fx, NULL, rf_grant_id(g), NULL, NULL, 100, NULL, NULL));
    char *before = snapshot(fx->store);
    fx->now += DAY;
    int64_t used = 77;

    /* More than available: by grant, and by party (the sum of EUR grants is 900). */
    assert_status(redeem(fx, &used, rf_grant_id(g), NULL, NULL, 901, NULL, NULL), RF_EBALANCE);
    assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_REWARD);
    assert_status(redeem(fx, &used, NULL, rf_party_id(ruth), "EUR", 901, NULL, NULL), RF_EBALANCE);
    assert_status(redeem(fx, &used, NULL, rf_party_id(ruth), "CHF", 1, NULL, NULL), RF_EBALANCE);
    /* Held: not available yet, and the message says until when. */
    assert_status(redeem(fx, &used, rf_grant_id(h), NULL, NULL, 10, NULL, NULL), RF_ESTATE);
    assert_message_has("until 2026-12-01");
    assert_status(redeem(fx, &used, NULL, rf_party_id(ruth), "GBP", 10, NULL, NULL), RF_EBALANCE);
    /* Bad arguments. */
    static const int64_t bad_amounts[] = {0, -5, RF_AMOUNT_MAX + 1, INT64_MAX};
    for (size_t i = 0; i < 4; i++) {
        assert_status(redeem(fx, &used, rf_grant_id(g), NULL, NULL, bad_amounts[i], NULL, NULL), RF_EINVALID);
        assert_message_has("amount");
        assert_status(redeem(fx, &used, NULL, rf_party_id(ruth), "EUR", bad_amounts[i], NULL, NULL),
                      RF_EINVALID);
    }
    assert_status(redeem(fx, &used, rf_grant_id(g), NULL, NULL, RF_AMOUNT_UNSET, NULL, NULL), RF_EINVALID);
    assert_status(redeem(fx, &used, NULL, rf_party_id(ruth), "EUR", RF_AMOUNT_UNSET, NULL, NULL),
                  RF_EINVALID);
    assert_status(redeem(fx, &used, NULL, NULL, NULL, 10, NULL, NULL), RF_EINVALID);
    assert_status(redeem(fx, &used, rf_grant_id(g), rf_party_id(ruth), "EUR", 10, NULL, NULL), RF_EINVALID);
    assert_status(redeem(fx, &used, NULL, rf_party_id(ruth), NULL, 10, NULL, NULL), RF_EINVALID);
    assert_message_has("currency");
    assert_status(redeem(fx, &used, NULL, rf_party_id(ruth), "XYZ", 10, NULL, NULL), RF_EINVALID);
    assert_message_has("currency");
    assert_status(redeem(fx, &used, NULL, rf_party_id(ruth), "eur", 10, NULL, NULL), RF_EINVALID);
    assert_status(redeem(fx, &used, "0190a1b2-0000-7000-8000-000000000000", NULL, NULL, 10, NULL, NULL),
                  RF_ENOTFOUND);
    assert_status(redeem(fx, &used, NULL, "0190a1b2-0000-7000-8000-000000000000", "EUR", 10, NULL, NULL),
                  RF_ENOTFOUND);
    rf_redeem_options o = RF_REDEEM_OPTIONS_INIT;
    o.grant_id = rf_grant_id(g);
    o.amount = 10;
    assert_status(rf_reward_redeem(&used, fx->store, NULL), RF_EINVALID);
    o.version = 0;
    assert_status(rf_reward_redeem(&used, fx->store, &o), RF_EINVALID);
    assert_status(rf_redeem_options_init(&o, 0), RF_EINVALID);
    assert_ok(rf_redeem_options_init(&o, RF_REDEEM_OPTIONS_VERSION));
    assert_int_equal(o.amount, RF_AMOUNT_UNSET);
    assert_unchanged(fx->store, before);
    free(before);

    /* A failed multi-grant redemption takes nothing from any grant (900 + 1000 + 500 are available). */
    rf_reward_rule *more = rule_with(fx, p, RF_REWARD_FIXED_DISCOUNT, "EUR", 500, 0, 3);
    rf_referral *r2 = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    before = snapshot(fx->store);
    assert_status(redeem(fx, &used, NULL, rf_party_id(ruth), "EUR", 2401, NULL, NULL), RF_EBALANCE);
    assert_unchanged(fx->store, before);
    free(before);
    assert_ok(redeem(fx, &used, NULL, rf_party_id(ruth), "EUR", 2400, NULL, NULL));
    assert_int_equal(used, 2400);
    assert_books(fx, rf_party_id(ruth));
    rf_grant_free(g);
    rf_grant_free(h);
    rf_referral_free(r);
    rf_referral_free(r2);
    rf_reward_rule *rules[] = {credit, usd, held, more};
    for (int i = 0; i < 4; i++) {
        rf_reward_rule_free(rules[i]);
    }
    rf_party_free(ruth);
    rf_program_free(p);
}

static void idempotent_redemption(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_reward_rule *credit = rule_with(fx, p, RF_REWARD_ACCOUNT_CREDIT, "EUR", 1000, 0, 0);
    rf_referral *r = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    rf_referral *r2 = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    rf_grant *g = the_grant(fx, rf_reward_rule_id(credit), rf_referral_id(r));
    int64_t used = 0;
    assert_ok(redeem(fx, &used, rf_grant_id(g), NULL, NULL, 250, "INV-5", "redeem-inv-5"));
    assert_int_equal(used, 250);
    assert_ok(redeem(fx, &used, NULL, rf_party_id(ruth), "EUR", 1200, "INV-6", "redeem-inv-6"));
    assert_int_equal(used, 1200);
    char *before = snapshot(fx->store);
    fx->now += DAY;
    used = 0;
    assert_ok(redeem(fx, &used, rf_grant_id(g), NULL, NULL, 250, "INV-5", "redeem-inv-5"));
    assert_int_equal(used, 250);
    used = 0;
    assert_ok(redeem(fx, &used, NULL, rf_party_id(ruth), "EUR", 1200, "INV-6", "redeem-inv-6"));
    assert_int_equal(used, 1200);
    assert_ok(redeem(fx, NULL, rf_grant_id(g), NULL, NULL, 250, "INV-5", "redeem-inv-5"));
    /* The same key for another redemption. */
    assert_status(redeem(fx, &used, rf_grant_id(g), NULL, NULL, 251, "INV-5", "redeem-inv-5"), RF_ECONFLICT);
    assert_status(redeem(fx, &used, rf_grant_id(g), NULL, NULL, 250, "INV-X", "redeem-inv-5"), RF_ECONFLICT);
    assert_status(redeem(fx, &used, NULL, rf_party_id(ruth), "EUR", 250, "INV-5", "redeem-inv-5"),
                  RF_ECONFLICT);
    assert_unchanged(fx->store, before);
    free(before);
    assert_balance(fx, rf_party_id(ruth), "EUR", (ledger_sums){550, 0, 2000, 1450, 0, 0});
    rf_grant_free(g);
    rf_referral_free(r);
    rf_referral_free(r2);
    rf_reward_rule_free(credit);
    rf_party_free(ruth);
    rf_program_free(p);
}

const struct CMUnitTest reward_redeem_cases[] = {
    CASE(partial_redemption_by_grant), CASE(items_are_used_whole),  CASE(by_party_soonest_expiry_first),
    CASE(refusals_change_nothing),     CASE(idempotent_redemption),
};
const size_t reward_redeem_case_count = sizeof reward_redeem_cases / sizeof reward_redeem_cases[0];
