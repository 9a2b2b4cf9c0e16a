/* Conformance: the ledger over time (hold and release, expiry, reversal
 * before and after release with and without clawback). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reward_support.h"

/* A second call moves nothing and writes nothing. */
static void assert_process_idle(fixture *fx, rf_time now)
{
    char *before = snapshot(fx->store);
    assert_process_moves(fx, now, 0, 0);
    assert_ok(rf_rewards_process(NULL, NULL, fx->store, now));
    assert_unchanged(fx->store, before);
    free(before);
}

static void hold_then_release(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_reward_rule *credit =
        held_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_CLOSED, 7, 30);
    rf_reward_rule *pct =
        held_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_PERCENT_DISCOUNT, RF_REFERRAL_CLOSED, 7, 0);
    rf_referral *r = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    rf_grant *g = the_grant(fx, rf_reward_rule_id(credit), rf_referral_id(r));
    assert_int_equal(rf_grant_get_status(g), RF_GRANT_PENDING);
    assert_int_equal(rf_grant_issued_at(g), T0);
    assert_int_equal(rf_grant_release_at(g), T0 + 7 * DAY);
    assert_int_equal(rf_grant_released_at(g), 0);
    assert_int_equal(rf_grant_expires_at(g), 0);
    assert_int_equal(rf_grant_closed_at(g), 0);
    assert_int_equal(rf_grant_remaining(g), 0);
    assert_int_equal(count_entries(fx, NULL, rf_grant_id(g), 0), 1);
    assert_entry(fx, g, RF_LEDGER_ISSUED, 1000, 1000, 0);
    assert_int_equal(count_events(fx, RF_EVENT_REWARD_ISSUED), 2);
    assert_int_equal(count_events(fx, RF_EVENT_REWARD_RELEASED), 0);
    assert_balance(fx, rf_party_id(ruth), "EUR", (ledger_sums){0, 1000, 1000, 0, 0, 0});
    assert_balance(fx, rf_party_id(ruth), NULL, (ledger_sums){0, 1, 1, 0, 0, 0});

    /* Not yet. */
    assert_process_idle(fx, T0 + 7 * DAY - 1);
    /* Due: the store's clock decides when no time is given. */
    fx->now = T0 + 7 * DAY + 3600;
    int64_t seq = last_seq(fx);
    assert_process_moves(fx, RF_TIME_UNSET, 2, 0);
    assert_int_equal(count_events_after(fx, RF_EVENT_REWARD_RELEASED, seq), 2);
    rf_grant *after = reload_grant(fx, g);
    assert_int_equal(rf_grant_get_status(after), RF_GRANT_AVAILABLE);
    assert_int_equal(rf_grant_release_at(after), T0 + 7 * DAY);
    assert_int_equal(rf_grant_released_at(after), fx->now);
    assert_int_equal(rf_grant_expires_at(after), fx->now + 30 * DAY);
    assert_int_equal(rf_grant_remaining(after), 1000);
    assert_entry(fx, after, RF_LEDGER_RELEASED, 1000, -1000, 1000);
    rf_ledger_entry *e = entry_of(fx, after, RF_LEDGER_RELEASED);
    assert_int_equal(rf_ledger_entry_at(e), fx->now);
    int64_t event_seq =
        assert_first_event(fx, RF_EVENT_REWARD_RELEASED, seq, rf_grant_id(g), rf_party_id(ruth));
    assert_int_equal(event_seq, rf_ledger_entry_seq(e));
    rf_ledger_entry_free(e);
    rf_grant_free(after);
    rf_grant *item = the_grant(fx, rf_reward_rule_id(pct), rf_referral_id(r));
    assert_int_equal(rf_grant_get_status(item), RF_GRANT_AVAILABLE);
    assert_int_equal(rf_grant_expires_at(item), 0);
    rf_grant_free(item);
    assert_balance(fx, rf_party_id(ruth), "EUR", (ledger_sums){1000, 0, 1000, 0, 0, 0});
    assert_balance(fx, rf_party_id(ruth), NULL, (ledger_sums){1, 0, 1, 0, 0, 0});
    /* Twice moves nothing, whenever. */
    assert_process_idle(fx, fx->now);
    assert_process_idle(fx, T0 + 20 * DAY);
    rf_grant_free(g);
    rf_referral_free(r);
    rf_reward_rule_free(credit);
    rf_reward_rule_free(pct);
    rf_party_free(ruth);
    rf_program_free(p);
}

static void expiry(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_reward_rule *soon =
        held_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_CLOSED, 0, 30);
    rf_reward_rule *never = held_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_GIFT, RF_REFERRAL_CLOSED, 0, 0);
    rf_reward_rule *late =
        held_rule(fx, p, RF_RECIPIENT_REFEREE, RF_REWARD_FIXED_DISCOUNT, RF_REFERRAL_CLOSED, 7, 30);
    rf_referral *r = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    rf_grant *g = the_grant(fx, rf_reward_rule_id(soon), rf_referral_id(r));
    assert_int_equal(rf_grant_expires_at(g), T0 + 30 * DAY);
    fx->now = T0 + DAY;
    int64_t used = 0;
    assert_ok(redeem(fx, &used, rf_grant_id(g), NULL, NULL, 400, "INV-1", NULL));
    assert_int_equal(used, 400);

    assert_process_idle(fx, T0 + 7 * DAY - 1);
    /* One second before the expiry: only the held grant is released (late, so its expiry starts now). */
    assert_process_moves(fx, T0 + 30 * DAY - 1, 1, 0);
    rf_grant *friend_grant = the_grant(fx, rf_reward_rule_id(late), rf_referral_id(r));
    assert_int_equal(rf_grant_released_at(friend_grant), T0 + 30 * DAY - 1);
    assert_int_equal(rf_grant_expires_at(friend_grant), T0 + 60 * DAY - 1);
    assert_int_equal(rf_grant_get_status(friend_grant), RF_GRANT_AVAILABLE);
    int64_t seq = last_seq(fx);
    /* At the expiry. */
    assert_process_moves(fx, T0 + 30 * DAY, 0, 1);
    rf_grant *x = reload_grant(fx, g);
    assert_int_equal(rf_grant_get_status(x), RF_GRANT_EXPIRED);
    assert_int_equal(rf_grant_closed_at(x), T0 + 30 * DAY);
    assert_int_equal(rf_grant_remaining(x), 0);
    assert_entry(fx, x, RF_LEDGER_EXPIRED, 600, 0, -600);
    rf_ledger_entry *e = entry_of(fx, x, RF_LEDGER_EXPIRED);
    assert_string_equal(rf_ledger_entry_currency(e), "EUR");
    assert_int_equal(rf_ledger_entry_at(e), T0 + 30 * DAY);
    int64_t event_seq =
        assert_first_event(fx, RF_EVENT_REWARD_EXPIRED, seq, rf_grant_id(g), rf_party_id(ruth));
    assert_int_equal(event_seq, rf_ledger_entry_seq(e));
    rf_ledger_entry_free(e);
    rf_grant_free(x);
    assert_balance(fx, rf_party_id(ruth), "EUR", (ledger_sums){0, 0, 1000, 400, 600, 0});
    assert_process_idle(fx, T0 + 30 * DAY);

    /* An expired grant cannot be used; one that never expires stays. */
    char *before = snapshot(fx->store);
    assert_status(redeem(fx, NULL, rf_grant_id(g), NULL, NULL, 1, NULL, NULL), RF_ESTATE);
    assert_unchanged(fx->store, before);
    free(before);
    assert_process_moves(fx, T0 + 60 * DAY - 1, 0, 1);
    assert_process_idle(fx, T0 + 3650 * DAY);
    assert_int_equal(count_grants(fx, rf_party_id(ruth), NULL, rf_reward_rule_id(never), RF_GRANT_AVAILABLE),
                     1);
    assert_balance(fx, rf_referral_referee_id(r), "EUR", (ledger_sums){0, 0, 1000, 0, 1000, 0});
    rf_grant_free(friend_grant);
    rf_grant_free(g);
    rf_referral_free(r);
    rf_reward_rule_free(soon);
    rf_reward_rule_free(never);
    rf_reward_rule_free(late);
    rf_party_free(ruth);
    rf_program_free(p);
}

/* A hold released long after it ended: the expiry runs from the release
 * (released_at = the processing time), so the grant is not released and
 * expired in one call. */
static void late_release_starts_the_expiry(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_reward_rule *rule =
        held_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_CLOSED, 1, 2);
    rf_referral *r = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    assert_process_moves(fx, T0 + 10 * DAY, 1, 0);
    rf_grant *g = the_grant(fx, rf_reward_rule_id(rule), rf_referral_id(r));
    assert_int_equal(rf_grant_release_at(g), T0 + DAY);
    assert_int_equal(rf_grant_released_at(g), T0 + 10 * DAY);
    assert_int_equal(rf_grant_expires_at(g), T0 + 12 * DAY);
    assert_int_equal(rf_grant_get_status(g), RF_GRANT_AVAILABLE);
    assert_process_moves(fx, T0 + 12 * DAY, 0, 1);
    assert_balance(fx, rf_party_id(ruth), "EUR", (ledger_sums){0, 0, 1000, 0, 1000, 0});
    rf_grant_free(g);
    rf_referral_free(r);
    rf_reward_rule_free(rule);
    rf_party_free(ruth);
    rf_program_free(p);
}

/* Each way of failing after SCHEDULED reverses what is still held. */
static void reversal_before_release(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_reward_rule *credit =
        held_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_SCHEDULED, 14, 0);
    rf_reward_rule *gift =
        held_rule(fx, p, RF_RECIPIENT_REFEREE, RF_REWARD_GIFT, RF_REFERRAL_SCHEDULED, 14, 0);
    static const rf_referral_state ends[][3] = {
        {RF_REFERRAL_NO_SHOW, RF_REFERRAL_LOST, 0},
        {RF_REFERRAL_CANCEL_REQUESTED, RF_REFERRAL_CANCELLED, 0},
        {RF_REFERRAL_ENTERED_IN_ERROR, 0, 0},
    };
    for (int i = 0; i < 3; i++) {
        rf_referral *r = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_SCHEDULED);
        assert_int_equal(count_grants(fx, NULL, rf_referral_id(r), NULL, RF_GRANT_PENDING), 2);
        fx->now += DAY;
        int64_t seq = last_seq(fx);
        for (int k = 0; ends[i][k] != 0; k++) {
            assert_ok(advance_to(fx, &r, ends[i][k]));
        }
        assert_int_equal(count_grants(fx, NULL, rf_referral_id(r), NULL, RF_GRANT_REVERSED), 2);
        assert_int_equal(count_events_after(fx, RF_EVENT_REWARD_REVERSED, seq), 2);
        rf_grant *g = the_grant(fx, rf_reward_rule_id(credit), rf_referral_id(r));
        assert_int_equal(rf_grant_closed_at(g), fx->now);
        assert_int_equal(rf_grant_released_at(g), 0);
        assert_entry(fx, g, RF_LEDGER_REVERSED, 1000, -1000, 0);
        rf_grant_free(g);
        g = the_grant(fx, rf_reward_rule_id(gift), rf_referral_id(r));
        assert_entry(fx, g, RF_LEDGER_REVERSED, 1, -1, 0);
        rf_ledger_entry *e = entry_of(fx, g, RF_LEDGER_REVERSED);
        assert_null(rf_ledger_entry_currency(e));
        rf_ledger_entry_free(e);
        assert_books(fx, rf_referral_referee_id(r));
        rf_grant_free(g);
        rf_referral_free(r);
    }
    assert_balance(fx, rf_party_id(ruth), "EUR", (ledger_sums){0, 0, 3000, 0, 0, 3000});
    /* Nothing is left to release or to reverse again. */
    assert_process_idle(fx, T0 + 100 * DAY);
    rf_reward_rule_free(credit);
    rf_reward_rule_free(gift);
    rf_party_free(ruth);
    rf_program_free(p);
}

/* Released grants of a failed referral: what is left stays (no clawback) or is taken back (clawback). */
static void reversal_after_release(void **state)
{
    fixture *fx = *state;
    for (int clawback = 0; clawback <= 1; clawback++) {
        rf_program *p = reward_program(fx, clawback ? "clawback" : "no clawback", clawback, 0);
        rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
        rf_reward_rule *credit =
            held_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_SCHEDULED, 0, 0);
        rf_reward_rule *held =
            held_rule(fx, p, RF_RECIPIENT_REFEREE, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_SCHEDULED, 30, 0);
        rf_reward_rule *used_up =
            held_rule(fx, p, RF_RECIPIENT_REFEREE, RF_REWARD_SERVICE_UPGRADE, RF_REFERRAL_SCHEDULED, 0, 0);
        rf_reward_rule *note =
            held_rule(fx, p, RF_RECIPIENT_REFEREE, RF_REWARD_THANK_YOU_NOTE, RF_REFERRAL_SCHEDULED, 0, 0);
        rf_referral *r = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_SCHEDULED);
        rf_grant *g = the_grant(fx, rf_reward_rule_id(credit), rf_referral_id(r));
        rf_grant *u = the_grant(fx, rf_reward_rule_id(used_up), rf_referral_id(r));
        assert_ok(redeem(fx, NULL, rf_grant_id(g), NULL, NULL, 300, "INV-7", NULL));
        assert_ok(redeem(fx, NULL, rf_grant_id(u), NULL, NULL, RF_AMOUNT_UNSET, NULL, NULL));
        fx->now += DAY;
        int64_t seq = last_seq(fx);
        assert_ok(advance_to(fx, &r, RF_REFERRAL_CANCEL_REQUESTED));
        assert_ok(advance_to(fx, &r, RF_REFERRAL_CANCELLED));
        rf_grant *after = reload_grant(fx, g);
        /* The held grant goes back either way; settled ones are left alone. */
        assert_int_equal(
            count_grants(fx, NULL, rf_referral_id(r), rf_reward_rule_id(held), RF_GRANT_REVERSED), 1);
        assert_int_equal(
            count_grants(fx, NULL, rf_referral_id(r), rf_reward_rule_id(used_up), RF_GRANT_SETTLED), 1);
        assert_int_equal(count_grants(fx, NULL, rf_referral_id(r), rf_reward_rule_id(note), RF_GRANT_SETTLED),
                         1);
        if (clawback) {
            assert_int_equal(rf_grant_get_status(after), RF_GRANT_REVERSED);
            assert_int_equal(rf_grant_remaining(after), 0);
            assert_int_equal(rf_grant_closed_at(after), fx->now);
            assert_entry(fx, after, RF_LEDGER_REVERSED, 700, 0, -700);
            /* The clawback's event, not the held grant's. */
            rf_event *ev = event_about(fx, RF_EVENT_REWARD_REVERSED, seq, rf_grant_id(g));
            assert_data_has(ev, "clawback=1");
            rf_event_free(ev);
            assert_int_equal(count_events_after(fx, RF_EVENT_REWARD_KEPT, seq), 0);
            assert_balance(fx, rf_party_id(ruth), "EUR", (ledger_sums){0, 0, 1000, 300, 0, 700});
        } else {
            assert_int_equal(rf_grant_get_status(after), RF_GRANT_AVAILABLE);
            assert_int_equal(rf_grant_remaining(after), 700);
            assert_int_equal(rf_grant_closed_at(after), 0);
            assert_int_equal(count_entries(fx, NULL, rf_grant_id(g), RF_LEDGER_REVERSED), 0);
            rf_event *ev = find_event(fx, RF_EVENT_REWARD_KEPT, seq);
            assert_non_null(ev);
            assert_string_equal(rf_event_subject_id(ev), rf_grant_id(g));
            assert_data_has(ev, "reason=no_clawback");
            rf_event_free(ev);
            assert_int_equal(count_events_after(fx, RF_EVENT_REWARD_KEPT, seq), 1);
            assert_balance(fx, rf_party_id(ruth), "EUR", (ledger_sums){700, 0, 1000, 300, 0, 0});
            /* What stays can still be used. */
            assert_ok(redeem(fx, NULL, rf_grant_id(g), NULL, NULL, 700, NULL, NULL));
        }
        assert_int_equal(count_events_after(fx, RF_EVENT_REWARD_REVERSED, seq), 1 + clawback);
        assert_books(fx, rf_referral_referee_id(r));
        /* Entering in error afterwards moves nothing more. */
        char *rewards = reward_snapshot(fx->store);
        assert_ok(advance_to(fx, &r, RF_REFERRAL_ENTERED_IN_ERROR));
        assert_rewards_unchanged(fx->store, rewards);
        free(rewards);
        rf_grant_free(after);
        rf_grant_free(g);
        rf_grant_free(u);
        rf_referral_free(r);
        rf_reward_rule *rules[] = {credit, held, used_up, note};
        for (int i = 0; i < 4; i++) {
            rf_reward_rule_free(rules[i]);
        }
        rf_party_free(ruth);
        rf_program_free(p);
    }
}

const struct CMUnitTest reward_ledger_cases[] = {
    CASE(hold_then_release),
    CASE(expiry),
    CASE(late_release_starts_the_expiry),
    CASE(reversal_before_release),
    CASE(reversal_after_release),
};
const size_t reward_ledger_case_count = sizeof reward_ledger_cases / sizeof reward_ledger_cases[0];
