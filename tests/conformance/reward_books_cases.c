/* Conformance: the books (balance rows, audit), ledger iteration with its
 * filters and cursor, the journal event behind each entry, grant listing. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reward_support.h"

static void balance_rows(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_reward_rule_options o =
        rule_options(p, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_CLOSED);
    o.currency = "USD";
    o.amount = 250;
    rf_reward_rule *usd = add_rule(fx, &o);
    o.currency = "CHF";
    o.amount = 70;
    o.hold_days = 5;
    rf_reward_rule *chf = add_rule(fx, &o);
    rf_reward_rule *eur =
        simple_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_FIXED_DISCOUNT, RF_REFERRAL_CLOSED);
    rf_reward_rule *upg =
        simple_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_SERVICE_UPGRADE, RF_REFERRAL_CLOSED);
    rf_reward_rule *note =
        simple_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_THANK_YOU_NOTE, RF_REFERRAL_CLOSED);

    rf_balance *b = NULL;
    assert_ok(rf_reward_balance(&b, fx->store, rf_party_id(ruth)));
    assert_int_equal(rf_balance_count(b), 0);
    rf_balance_free(b);
    rf_referral *r1 = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    rf_referral *r2 = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    assert_ok(redeem(fx, NULL, NULL, rf_party_id(ruth), "USD", 300, NULL, NULL));
    assert_ok(rf_reward_balance(&b, fx->store, rf_party_id(ruth)));
    assert_int_equal(rf_balance_count(b), 4);
    static const char *const order[] = {"CHF", "EUR", "USD", NULL};
    for (size_t i = 0; i < 4; i++) {
        if (order[i] != NULL) {
            assert_string_equal(rf_balance_currency(b, i), order[i]);
        } else {
            assert_null(rf_balance_currency(b, i));
        }
    }
    /* Out of range reads as nothing. */
    assert_null(rf_balance_currency(b, 4));
    assert_int_equal(rf_balance_available(b, 4), 0);
    assert_int_equal(rf_balance_issued(b, 99), 0);
    rf_balance_free(b);
    rf_balance_free(NULL);
    assert_balance(fx, rf_party_id(ruth), "CHF", (ledger_sums){0, 140, 140, 0, 0, 0});
    assert_balance(fx, rf_party_id(ruth), "EUR", (ledger_sums){2000, 0, 2000, 0, 0, 0});
    assert_balance(fx, rf_party_id(ruth), "USD", (ledger_sums){200, 0, 500, 300, 0, 0});
    assert_balance(fx, rf_party_id(ruth), NULL, (ledger_sums){2, 0, 2, 0, 0, 0});

    /* The audit returns the same figures. */
    rf_balance *audited = NULL;
    assert_ok(rf_reward_audit(&audited, fx->store, rf_party_id(ruth)));
    assert_int_equal(rf_balance_count(audited), 4);
    assert_int_equal(rf_balance_redeemed(audited, 2), 300);
    assert_int_equal(rf_balance_pending(audited, 0), 140);
    rf_balance_free(audited);
    /* Someone with no grants has clean books; an unknown party has none. */
    rf_party *nobody = add_party(fx, RF_PARTY_CLIENT, "Nobody", NULL, NULL);
    assert_ok(rf_reward_audit(&audited, fx->store, rf_party_id(nobody)));
    assert_int_equal(rf_balance_count(audited), 0);
    rf_balance_free(audited);
    char *before = snapshot(fx->store);
    b = (rf_balance *)p;
    assert_status(rf_reward_balance(&b, fx->store, "0190a1b2-0000-7000-8000-000000000000"), RF_ENOTFOUND);
    assert_null(b);
    b = (rf_balance *)p;
    assert_status(rf_reward_audit(&b, fx->store, "0190a1b2-0000-7000-8000-000000000000"), RF_ENOTFOUND);
    assert_null(b);
    assert_status(rf_reward_balance(&b, fx->store, NULL), RF_EINVALID);
    assert_status(rf_reward_balance(NULL, fx->store, rf_party_id(ruth)), RF_EINVALID);
    assert_unchanged(fx->store, before);
    free(before);

    rf_reward_rule *rules[] = {usd, chf, eur, upg, note};
    for (int i = 0; i < 5; i++) {
        rf_reward_rule_free(rules[i]);
    }
    rf_referral_free(r1);
    rf_referral_free(r2);
    rf_party_free(ruth);
    rf_party_free(nobody);
    rf_program_free(p);
}

/* Entries come in journal order, each carrying the seq of its own event. */
static void ledger_order_filters_and_events(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 1, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_reward_rule *credit =
        held_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_SCHEDULED, 2, 10);
    rf_reward_rule *gift =
        held_rule(fx, p, RF_RECIPIENT_REFEREE, RF_REWARD_GIFT, RF_REFERRAL_SCHEDULED, 0, 5);
    rf_referral *a = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_SCHEDULED);
    fx->now += 3600;
    rf_referral *b = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_SCHEDULED);
    /* Both released together, so both expire together: the older is used first. */
    /* The clock agrees with the times given, so that events and entries carry the same time. */
    fx->now = T0 + 3 * DAY;
    assert_process_moves(fx, T0 + 3 * DAY, 2, 0);
    assert_ok(redeem(fx, NULL, NULL, rf_party_id(ruth), "EUR", 1500, "INV-9", NULL));
    fx->now = T0 + 6 * DAY;
    assert_process_moves(fx, RF_TIME_UNSET, 0, 2);
    fx->now = T0 + 7 * DAY;
    assert_ok(advance_to(fx, &b, RF_REFERRAL_ENTERED_IN_ERROR)); /* clawback of b's 500 left */

    rf_ledger_iter *it = NULL;
    rf_ledger_entry *e = NULL;
    assert_ok(rf_ledger_list(&it, fx->store, NULL));
    int64_t prev = 0, middle = 0;
    int n = 0, ruth_n = 0;
    while (rf_ledger_iter_next(&e, it) == RF_OK) {
        assert_true(rf_ledger_entry_seq(e) > prev);
        prev = rf_ledger_entry_seq(e);
        if (++n == 4) {
            middle = prev;
        }
        ruth_n += strcmp(rf_ledger_entry_party_id(e), rf_party_id(ruth)) == 0;
        rf_event *ev = NULL;
        rf_journal_iter *jit = NULL;
        assert_ok(rf_journal_read(&jit, fx->store, prev - 1));
        assert_ok(rf_journal_iter_next(&ev, jit));
        rf_journal_iter_free(jit);
        assert_int_equal(rf_event_seq(ev), prev);
        char type[32];
        snprintf(type, sizeof type, "reward.%s", rf_ledger_type_name(rf_ledger_entry_type(e)));
        for (char *c = type; *c != '\0'; c++) {
            *c = (char)tolower((unsigned char)*c);
        }
        assert_string_equal(rf_event_type(ev), type);
        assert_string_equal(rf_event_subject_id(ev), rf_ledger_entry_grant_id(e));
        assert_string_equal(rf_event_object_id(ev), rf_ledger_entry_party_id(e));
        assert_int_equal(rf_event_at(ev), rf_ledger_entry_at(e));
        assert_int_equal(strlen(rf_ledger_entry_id(e)), 36);
        rf_event_free(ev);
        rf_ledger_entry_free(e);
    }
    rf_ledger_iter_free(it);
    /* ISSUED x4, RELEASED x4 (gifts at once, credits after the hold), REDEEMED x2, EXPIRED x2 (gifts),
     * REVERSED x1. */
    assert_int_equal(n, 13);
    assert_int_equal(ruth_n, 7);
    assert_int_equal(count_entries(fx, rf_party_id(ruth), NULL, 0), 7);
    assert_int_equal(count_entries(fx, rf_party_id(ruth), NULL, RF_LEDGER_REDEEMED), 2);
    assert_int_equal(count_entries(fx, rf_referral_referee_id(a), NULL, 0), 3);
    rf_grant *ga = the_grant(fx, rf_reward_rule_id(credit), rf_referral_id(a));
    assert_int_equal(count_entries(fx, NULL, rf_grant_id(ga), 0), 3);
    assert_int_equal(count_entries(fx, rf_party_id(ruth), rf_grant_id(ga), 0), 3);
    assert_int_equal(count_entries(fx, rf_referral_referee_id(a), rf_grant_id(ga), 0), 0);
    rf_ledger_entry *red = entry_of(fx, ga, RF_LEDGER_REDEEMED);
    assert_string_equal(rf_ledger_entry_reference(red), "INV-9");
    assert_int_equal(rf_ledger_entry_amount(red), 1000);
    rf_ledger_entry_free(red);
    rf_grant_free(ga);
    rf_grant *gb = the_grant(fx, rf_reward_rule_id(credit), rf_referral_id(b));
    red = entry_of(fx, gb, RF_LEDGER_REDEEMED);
    assert_string_equal(rf_ledger_entry_reference(red), "INV-9");
    assert_int_equal(rf_ledger_entry_amount(red), 500);
    rf_ledger_entry_free(red);
    red = entry_of(fx, gb, RF_LEDGER_REVERSED);
    assert_int_equal(rf_ledger_entry_amount(red), 500);
    rf_ledger_entry_free(red);
    rf_grant_free(gb);

    /* A cursor: entries after a seq. */
    rf_ledger_filter f;
    assert_ok(rf_ledger_filter_init(&f, RF_LEDGER_FILTER_VERSION));
    f.after_seq = middle;
    assert_ok(rf_ledger_list(&it, fx->store, &f));
    n = 0;
    while (rf_ledger_iter_next(&e, it) == RF_OK) {
        assert_true(rf_ledger_entry_seq(e) > middle);
        n++;
        rf_ledger_entry_free(e);
    }
    e = (rf_ledger_entry *)it;
    assert_status(rf_ledger_iter_next(&e, it), RF_ITEROVER);
    assert_null(e);
    rf_ledger_iter_free(it);
    rf_ledger_iter_free(NULL);
    rf_ledger_entry_free(NULL);
    assert_int_equal(n, 9);
    f.after_seq = last_seq(fx);
    assert_ok(rf_ledger_list(&it, fx->store, &f));
    assert_status(rf_ledger_iter_next(&e, it), RF_ITEROVER);
    rf_ledger_iter_free(it);
    assert_status(rf_ledger_list(NULL, fx->store, NULL), RF_EINVALID);
    assert_books(fx, rf_party_id(ruth));
    rf_referral_free(a);
    rf_referral_free(b);
    rf_reward_rule_free(credit);
    rf_reward_rule_free(gift);
    rf_party_free(ruth);
    rf_program_free(p);
}

static void grant_listing_and_lookups(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_reward_rule *credit =
        held_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_SCHEDULED, 3, 0);
    rf_reward_rule *gift = simple_rule(fx, p, RF_RECIPIENT_REFEREE, RF_REWARD_GIFT, RF_REFERRAL_SCHEDULED);
    char ids[6][RF_ID_BUFSIZE];
    int n = 0;
    for (int i = 0; i < 3; i++) {
        fx->now = T0 + i * DAY;
        rf_referral *r = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_SCHEDULED);
        rf_grant *g = the_grant(fx, rf_reward_rule_id(credit), rf_referral_id(r));
        snprintf(ids[n++], RF_ID_BUFSIZE, "%s", rf_grant_id(g));
        rf_grant_free(g);
        g = the_grant(fx, rf_reward_rule_id(gift), rf_referral_id(r));
        snprintf(ids[n++], RF_ID_BUFSIZE, "%s", rf_grant_id(g));
        rf_grant_free(g);
        rf_referral_free(r);
    }
    /* Oldest first. */
    rf_grant_filter f;
    assert_ok(rf_grant_filter_init(&f, RF_GRANT_FILTER_VERSION));
    rf_grant_iter *it = NULL;
    rf_grant *g = NULL;
    assert_ok(rf_grant_list(&it, fx->store, &f));
    for (int i = 0; i < 6; i++) {
        assert_ok(rf_grant_iter_next(&g, it));
        assert_string_equal(rf_grant_id(g), ids[i]);
        rf_grant_free(g);
    }
    g = (rf_grant *)it;
    assert_status(rf_grant_iter_next(&g, it), RF_ITEROVER);
    assert_null(g);
    rf_grant_iter_free(it);
    rf_grant_iter_free(NULL);
    rf_grant_free(NULL);
    assert_int_equal(count_grants(fx, rf_party_id(ruth), NULL, NULL, 0), 3);
    assert_int_equal(count_grants(fx, NULL, NULL, rf_reward_rule_id(gift), 0), 3);
    assert_int_equal(count_grants(fx, NULL, NULL, NULL, RF_GRANT_PENDING), 3);
    assert_int_equal(count_grants(fx, NULL, NULL, NULL, RF_GRANT_AVAILABLE), 3);
    assert_int_equal(count_grants(fx, rf_party_id(ruth), NULL, NULL, RF_GRANT_AVAILABLE), 0);
    assert_process_moves(fx, T0 + 3 * DAY, 1, 0);
    assert_int_equal(count_grants(fx, rf_party_id(ruth), NULL, NULL, RF_GRANT_AVAILABLE), 1);

    rf_grant *got = NULL;
    assert_ok(rf_grant_get(&got, fx->store, ids[0]));
    assert_string_equal(rf_grant_id(got), ids[0]);
    rf_grant_free(got);
    char *before = snapshot(fx->store);
    got = (rf_grant *)p;
    assert_status(rf_grant_get(&got, fx->store, "0190a1b2-0000-7000-8000-000000000000"), RF_ENOTFOUND);
    assert_null(got);
    assert_status(rf_grant_get(&got, fx->store, NULL), RF_EINVALID);
    assert_status(rf_grant_list(NULL, fx->store, NULL), RF_EINVALID);
    assert_unchanged(fx->store, before);
    free(before);
    rf_reward_rule_free(credit);
    rf_reward_rule_free(gift);
    rf_party_free(ruth);
    rf_program_free(p);
}

const struct CMUnitTest reward_books_cases[] = {
    CASE(balance_rows),
    CASE(ledger_order_filters_and_events),
    CASE(grant_listing_and_lookups),
};
const size_t reward_books_case_count = sizeof reward_books_cases / sizeof reward_books_cases[0];
