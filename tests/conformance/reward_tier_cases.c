/* Conformance: tiers and progress, caps per period, and replaying every
 * trigger (idempotent advances, reschedules, further visits, resumes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reward_support.h"

static rf_reward_rule *tier_rule(fixture *fx, const rf_program *p, rf_reward_kind kind, int64_t amount,
                                 int tier, rf_referral_state trigger)
{
    rf_reward_rule_options o = rule_options(p, RF_RECIPIENT_REFERRER, kind, trigger);
    if (amount > 0) {
        o.amount = amount;
    }
    o.tier = tier;
    return add_rule(fx, &o);
}

static void assert_progress(fixture *fx, const char *party_id, const rf_program *p, int count, int tier,
                            int next_tier, const rf_reward_rule *const *unlocks, size_t unlock_count)
{
    rf_tier_progress *pr = NULL;
    assert_ok(rf_reward_progress(&pr, fx->store, party_id, rf_program_id(p)));
    assert_int_equal(rf_tier_progress_count(pr), count);
    assert_int_equal(rf_tier_progress_tier(pr), tier);
    assert_int_equal(rf_tier_progress_next_tier(pr), next_tier);
    assert_int_equal(rf_tier_progress_to_next(pr), next_tier != 0 ? next_tier - count : 0);
    assert_int_equal(rf_tier_progress_unlock_count(pr), unlock_count);
    for (size_t i = 0; i < unlock_count; i++) {
        const rf_reward_rule *u = rf_tier_progress_unlock(pr, i);
        assert_non_null(u);
        assert_string_equal(rf_reward_rule_id(u), rf_reward_rule_id(unlocks[i]));
        assert_int_equal(rf_reward_rule_tier(u), next_tier);
    }
    assert_null(rf_tier_progress_unlock(pr, unlock_count));
    rf_tier_progress_free(pr);
}

/* Tiers 1, 3, 5: referrals 1-2 earn tier 1, 3-4 tier 3, 5 and on tier 5. */
static void tier_boundaries(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_reward_rule *t1 = tier_rule(fx, p, RF_REWARD_ACCOUNT_CREDIT, 100, 1, RF_REFERRAL_CLOSED);
    rf_reward_rule *t5a = tier_rule(fx, p, RF_REWARD_ACCOUNT_CREDIT, 500, 5, RF_REFERRAL_CLOSED);
    rf_reward_rule *t3 = tier_rule(fx, p, RF_REWARD_ACCOUNT_CREDIT, 300, 3, RF_REFERRAL_CLOSED);
    rf_reward_rule *t5b = tier_rule(fx, p, RF_REWARD_GIFT, 0, 5, RF_REFERRAL_CLOSED);
    /* Rules of other recipients are not on the ladder. */
    rf_reward_rule *friend_rule =
        simple_rule(fx, p, RF_RECIPIENT_REFEREE, RF_REWARD_GIFT, RF_REFERRAL_CLOSED);
    const rf_reward_rule *u1[] = {t1}, *u3[] = {t3}, *u5[] = {t5a, t5b};

    assert_progress(fx, rf_party_id(ruth), p, 0, 0, 1, u1, 1);
    /* n, the tier it earns, and the progress after it. */
    static const struct {
        int tier, next;
    } steps[] = {{0, 0}, {1, 3}, {1, 3}, {3, 5}, {3, 5}, {5, 0}, {5, 0}};
    int64_t expected_eur = 0;
    for (int n = 1; n <= 6; n++) {
        fx->now += DAY;
        rf_referral *r = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
        const rf_reward_rule *earned[2] = {steps[n].tier == 1   ? t1
                                           : steps[n].tier == 3 ? t3
                                                                : t5a,
                                           steps[n].tier == 5 ? t5b : NULL};
        int want = earned[1] != NULL ? 2 : 1;
        assert_int_equal(count_grants(fx, rf_party_id(ruth), rf_referral_id(r), NULL, 0), want);
        for (int i = 0; i < want; i++) {
            rf_grant *g = the_grant(fx, rf_reward_rule_id(earned[i]), rf_referral_id(r));
            assert_int_equal(rf_grant_tier_count(g), n);
            assert_string_equal(rf_grant_recipient_id(g), rf_party_id(ruth));
            if (rf_grant_kind(g) == RF_REWARD_ACCOUNT_CREDIT) {
                expected_eur += rf_grant_amount(g);
            }
            rf_grant_free(g);
        }
        assert_int_equal(count_grants(fx, NULL, rf_referral_id(r), rf_reward_rule_id(friend_rule), 0), 1);
        const rf_reward_rule *const *unlocks = steps[n].next == 3 ? u3 : u5;
        assert_progress(fx, rf_party_id(ruth), p, n, steps[n].tier, steps[n].next, unlocks,
                        steps[n].next == 0   ? 0
                        : steps[n].next == 3 ? 1
                                             : 2);
        rf_referral_free(r);
    }
    assert_int_equal(expected_eur, 100 + 100 + 300 + 300 + 500 + 500);
    assert_balance(fx, rf_party_id(ruth), "EUR", (ledger_sums){expected_eur, 0, expected_eur, 0, 0, 0});
    assert_balance(fx, rf_party_id(ruth), NULL, (ledger_sums){2, 0, 2, 0, 0, 0});

    rf_reward_rule *rules[] = {t1, t3, t5a, t5b, friend_rule};
    for (int i = 0; i < 5; i++) {
        rf_reward_rule_free(rules[i]);
    }
    rf_party_free(ruth);
    rf_program_free(p);
}

/* Only referrals that reached the ladder's state and did not fail count. */
static void what_counts_towards_a_tier(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_program *other = reward_program(fx, "partners", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_reward_rule *t1 = tier_rule(fx, p, RF_REWARD_ACCOUNT_CREDIT, 100, 1, RF_REFERRAL_SEEN);
    rf_reward_rule *t2 = tier_rule(fx, p, RF_REWARD_ACCOUNT_CREDIT, 200, 2, RF_REFERRAL_SEEN);
    const rf_reward_rule *u1[] = {t1}, *u2[] = {t2};

    /* Not yet SEEN, another programme's, and one ON_HOLD after SEEN. */
    rf_referral *booked = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_SCHEDULED);
    rf_referral *elsewhere = referral_at(fx, other, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    assert_progress(fx, rf_party_id(ruth), p, 0, 0, 1, u1, 1);
    rf_referral *held = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_SEEN);
    assert_ok(advance_to(fx, &held, RF_REFERRAL_ON_HOLD));
    assert_progress(fx, rf_party_id(ruth), p, 1, 1, 2, u2, 1);
    /* Closing after SEEN still counts. */
    rf_referral *closed = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    assert_progress(fx, rf_party_id(ruth), p, 2, 2, 0, NULL, 0);
    rf_grant *g = the_grant(fx, rf_reward_rule_id(t2), rf_referral_id(closed));
    assert_int_equal(rf_grant_tier_count(g), 2);
    rf_grant_free(g);
    /* A referral entered in error stops counting; the next one earns by the lower count. */
    assert_ok(advance_to(fx, &closed, RF_REFERRAL_ENTERED_IN_ERROR));
    assert_progress(fx, rf_party_id(ruth), p, 1, 1, 2, u2, 1);
    drive_to(fx, &booked, RF_REFERRAL_SEEN);
    g = the_grant(fx, rf_reward_rule_id(t2), rf_referral_id(booked));
    assert_int_equal(rf_grant_tier_count(g), 2);
    rf_grant_free(g);
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(booked), rf_reward_rule_id(t1), 0), 0);

    /* A ladder-less programme: a count, no tiers. */
    assert_progress(fx, rf_party_id(ruth), other, 1, 0, 0, NULL, 0);
    /* Someone who never referred. */
    rf_party *nobody = add_party(fx, RF_PARTY_CLIENT, "Nobody", NULL, NULL);
    assert_progress(fx, rf_party_id(nobody), p, 0, 0, 1, u1, 1);
    char *before = snapshot(fx->store);
    rf_tier_progress *pr = (rf_tier_progress *)p;
    assert_status(
        rf_reward_progress(&pr, fx->store, "0190a1b2-0000-7000-8000-000000000000", rf_program_id(p)),
        RF_ENOTFOUND);
    assert_null(pr);
    assert_status(
        rf_reward_progress(&pr, fx->store, rf_party_id(ruth), "0190a1b2-0000-7000-8000-000000000000"),
        RF_ENOTFOUND);
    assert_status(rf_reward_progress(&pr, fx->store, NULL, rf_program_id(p)), RF_EINVALID);
    assert_status(rf_reward_progress(NULL, fx->store, rf_party_id(ruth), rf_program_id(p)), RF_EINVALID);
    assert_unchanged(fx->store, before);
    free(before);
    rf_tier_progress_free(NULL);

    rf_referral *rs[] = {booked, elsewhere, held, closed};
    for (int i = 0; i < 4; i++) {
        rf_referral_free(rs[i]);
    }
    rf_reward_rule_free(t1);
    rf_reward_rule_free(t2);
    rf_party_free(ruth);
    rf_party_free(nobody);
    rf_program_free(p);
    rf_program_free(other);
}

static void caps_within_and_after_the_period(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_party *rita = add_party(fx, RF_PARTY_CLIENT, "Rita Referrer", NULL, NULL);
    rf_reward_rule_options o =
        rule_options(p, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_CLOSED);
    o.cap_count = 2;
    o.cap_days = 30;
    rf_reward_rule *capped = add_rule(fx, &o);
    rf_reward_rule *uncapped = simple_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_GIFT, RF_REFERRAL_CLOSED);

    rf_referral *r1 = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    rf_referral *r2 = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    const rf_time first = fx->now;
    assert_int_equal(count_grants(fx, rf_party_id(ruth), NULL, rf_reward_rule_id(capped), 0), 2);
    /* The third within 30 days: capped, and the journal says so. */
    fx->now = first + DAY;
    rf_referral *r3 = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_SEEN);
    int64_t seq = last_seq(fx);
    drive_to(fx, &r3, RF_REFERRAL_CLOSED);
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(r3), rf_reward_rule_id(capped), 0), 0);
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(r3), rf_reward_rule_id(uncapped), 0), 1);
    rf_event *ev = find_event(fx, RF_EVENT_REWARD_CAPPED, seq);
    assert_non_null(ev);
    assert_data_has(ev, rf_reward_rule_id(capped));
    assert_data_has(ev, rf_referral_id(r3));
    rf_event_free(ev);
    assert_int_equal(count_events_after(fx, RF_EVENT_REWARD_CAPPED, seq), 1);
    /* Per recipient: another referrer is not capped. */
    rf_referral *other = referral_at(fx, p, rf_party_id(rita), RF_REFERRAL_CLOSED);
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(other), rf_reward_rule_id(capped), 0), 1);

    /* One second before the period ends: still capped. */
    fx->now = first + 30 * DAY - 1;
    rf_referral *r4 = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(r4), rf_reward_rule_id(capped), 0), 0);
    /* Grants issued exactly cap_days ago are out of the period. */
    fx->now = first + 30 * DAY;
    rf_referral *r5 = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(r5), rf_reward_rule_id(capped), 0), 1);
    assert_int_equal(count_grants(fx, rf_party_id(ruth), NULL, rf_reward_rule_id(capped), 0), 3);
    assert_int_equal(count_grants(fx, rf_party_id(ruth), NULL, rf_reward_rule_id(uncapped), 0), 5);
    assert_books(fx, rf_party_id(ruth));

    rf_referral *rs[] = {r1, r2, r3, other, r4, r5};
    for (int i = 0; i < 6; i++) {
        rf_referral_free(rs[i]);
    }
    rf_reward_rule_free(capped);
    rf_reward_rule_free(uncapped);
    rf_party_free(ruth);
    rf_party_free(rita);
    rf_program_free(p);
}

/* A reversed grant no longer uses the cap. */
static void reversed_grants_free_the_cap(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_reward_rule_options o =
        rule_options(p, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_SCHEDULED);
    o.cap_count = 1;
    o.hold_days = 10;
    rf_reward_rule *rule = add_rule(fx, &o);
    rf_referral *r1 = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_SCHEDULED);
    rf_referral *r2 = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_SCHEDULED);
    assert_int_equal(count_grants(fx, rf_party_id(ruth), NULL, NULL, 0), 1);
    assert_ok(advance_to(fx, &r1, RF_REFERRAL_CANCEL_REQUESTED));
    assert_ok(advance_to(fx, &r1, RF_REFERRAL_CANCELLED));
    assert_int_equal(count_grants(fx, rf_party_id(ruth), NULL, NULL, RF_GRANT_REVERSED), 1);
    /* The next referral to reach SCHEDULED is within the cap again. */
    fx->now += DAY;
    rf_referral *r3 = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_SCHEDULED);
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(r3), rf_reward_rule_id(rule), RF_GRANT_PENDING),
                     1);
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(r2), NULL, 0), 0);
    assert_books(fx, rf_party_id(ruth));
    rf_referral_free(r1);
    rf_referral_free(r2);
    rf_referral_free(r3);
    rf_reward_rule_free(rule);
    rf_party_free(ruth);
    rf_program_free(p);
}

/* The same keyed move again, later: it returns and writes nothing at all. */
static void replay_keyed(fixture *fx, rf_referral **r, rf_referral_state to, const char *key)
{
    /* The same request each time: the appointment does not follow the clock. */
    const rf_time appointment_at = T0 + 400 * DAY;
    assert_ok(advance_with(fx, r, to, appointment_at, key));
    char *before = snapshot(fx->store);
    fx->now += 3600;
    rf_referral *copy = NULL;
    assert_ok(rf_referral_get(&copy, fx->store, rf_referral_id(*r)));
    assert_ok(advance_with(fx, &copy, to, appointment_at, key));
    assert_int_equal(rf_referral_get_state(copy), to);
    rf_referral_free(copy);
    assert_unchanged(fx->store, before);
    free(before);
}

static void replaying_every_trigger_changes_nothing(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_party *sam = add_party(fx, RF_PARTY_STAFF, "Dr Sam Staff", NULL, NULL);
    rf_reward_rule_options o =
        rule_options(p, RF_RECIPIENT_REFEREE, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_SCHEDULED);
    o.hold_days = 14;
    rf_reward_rule *rules[] = {
        add_rule(fx, &o),
        simple_rule(fx, p, RF_RECIPIENT_STAFF, RF_REWARD_PERCENT_DISCOUNT, RF_REFERRAL_SCHEDULED),
        simple_rule(fx, p, RF_RECIPIENT_REFEREE, RF_REWARD_GIFT, RF_REFERRAL_SEEN),
        simple_rule(fx, p, RF_RECIPIENT_STAFF, RF_REWARD_THANK_YOU_NOTE, RF_REFERRAL_SEEN),
        simple_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_SEEN),
        simple_rule(fx, p, RF_RECIPIENT_REFEREE, RF_REWARD_FIXED_DISCOUNT, RF_REFERRAL_CLOSED),
    };
    rf_referral *r = refer_lead(fx, p, rf_party_id(ruth), RF_PAYER_UNSET, rf_party_id(sam));
    drive_to(fx, &r, RF_REFERRAL_ACCEPTED);

    replay_keyed(fx, &r, RF_REFERRAL_SCHEDULED, "book-1");
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(r), NULL, 0), 2);
    char *rewards = reward_snapshot(fx->store);
    int issued = count_events(fx, RF_EVENT_REWARD_ISSUED);
    /* A reschedule reaches SCHEDULED again. */
    fx->now += DAY;
    assert_ok(advance_to(fx, &r, RF_REFERRAL_SCHEDULED));
    assert_int_equal(rf_referral_reschedules(r), 1);
    replay_keyed(fx, &r, RF_REFERRAL_SCHEDULED, "book-2");
    assert_rewards_unchanged(fx->store, rewards);
    free(rewards);

    assert_int_equal(count_events(fx, RF_EVENT_REWARD_ISSUED), issued);
    replay_keyed(fx, &r, RF_REFERRAL_SEEN, "visit-1");
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(r), NULL, 0), 5);
    rewards = reward_snapshot(fx->store);
    issued = count_events(fx, RF_EVENT_REWARD_ISSUED);
    /* A further visit, a follow-up and a visit after it, a hold and a resume. */
    fx->now += DAY;
    assert_ok(advance_to(fx, &r, RF_REFERRAL_SEEN));
    replay_keyed(fx, &r, RF_REFERRAL_SEEN, "visit-2");
    assert_ok(advance_to(fx, &r, RF_REFERRAL_SCHEDULED));
    assert_ok(advance_to(fx, &r, RF_REFERRAL_SEEN));
    assert_ok(advance_to(fx, &r, RF_REFERRAL_ON_HOLD));
    rf_referral *resumed = NULL;
    assert_ok(rf_referral_resume(&resumed, fx->store, rf_referral_id(r), "resume-1"));
    assert_int_equal(rf_referral_get_state(resumed), RF_REFERRAL_SEEN);
    rf_referral_free(resumed);
    char *before = snapshot(fx->store);
    assert_ok(rf_referral_resume(NULL, fx->store, rf_referral_id(r), "resume-1"));
    assert_unchanged(fx->store, before);
    free(before);
    assert_rewards_unchanged(fx->store, rewards);
    assert_int_equal(count_events(fx, RF_EVENT_REWARD_ISSUED), issued);
    free(rewards);

    /* The closing move, replayed; then nothing more. */
    replay_keyed(fx, &r, RF_REFERRAL_CLOSED, "close-1");
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(r), NULL, 0), 6);
    /* Processing releases the held grant once; re-entering never issues it again. */
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(r), NULL, RF_GRANT_PENDING), 1);
    unsigned released = 0;
    assert_ok(rf_rewards_process(&released, NULL, fx->store, T0 + 60 * DAY));
    assert_int_equal(released, 1);
    before = snapshot(fx->store);
    assert_ok(rf_rewards_process(&released, NULL, fx->store, T0 + 60 * DAY));
    assert_int_equal(released, 0);
    assert_unchanged(fx->store, before);
    free(before);
    assert_books(fx, rf_referral_referee_id(r));
    assert_books(fx, rf_party_id(sam));
    assert_books(fx, rf_party_id(ruth));
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        rf_reward_rule_free(rules[i]);
    }
    rf_referral_free(r);
    rf_party_free(ruth);
    rf_party_free(sam);
    rf_program_free(p);
}

/* Rules are considered when a referral first reaches their trigger state;
 * re-entering it later (a further visit, a reschedule) decides nothing anew,
 * so a rule added afterwards does not reach back and a cap decision stands. */
static void reentering_decides_nothing_again(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_referral *r = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_SEEN);
    rf_reward_rule *rule = simple_rule(fx, p, RF_RECIPIENT_REFEREE, RF_REWARD_GIFT, RF_REFERRAL_SEEN);
    int issued = count_events(fx, RF_EVENT_REWARD_ISSUED);
    fx->now += DAY;
    assert_ok(advance_to(fx, &r, RF_REFERRAL_SEEN));
    assert_int_equal(count_grants(fx, NULL, NULL, NULL, 0), 0);
    assert_int_equal(count_events(fx, RF_EVENT_REWARD_ISSUED), issued);

    rf_reward_rule_options o =
        rule_options(p, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_SCHEDULED);
    o.cap_count = 1;
    o.hold_days = 10; /* so entering the first in error reverses its grant */
    rf_reward_rule *capped = add_rule(fx, &o);
    rf_referral *first = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_SCHEDULED);
    rf_referral *second = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_SCHEDULED);
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(second), rf_reward_rule_id(capped), 0), 0);
    int capped_events = count_events(fx, RF_EVENT_REWARD_CAPPED);
    assert_ok(advance_to(fx, &first, RF_REFERRAL_ENTERED_IN_ERROR));
    fx->now += DAY;
    assert_ok(advance_to(fx, &second, RF_REFERRAL_SCHEDULED)); /* a reschedule */
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(second), rf_reward_rule_id(capped), 0), 0);
    assert_int_equal(count_events(fx, RF_EVENT_REWARD_CAPPED), capped_events);
    /* A referral reaching SCHEDULED for the first time finds the cap freed. */
    rf_referral *third = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_SCHEDULED);
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(third), rf_reward_rule_id(capped), 0), 1);
    assert_books(fx, rf_party_id(ruth));
    rf_referral_free(first);
    rf_referral_free(second);
    rf_referral_free(third);
    rf_reward_rule_free(capped);
    rf_reward_rule_free(rule);
    rf_referral_free(r);
    rf_party_free(ruth);
    rf_program_free(p);
}

const struct CMUnitTest reward_tier_cases[] = {
    CASE(tier_boundaries),
    CASE(what_counts_towards_a_tier),
    CASE(caps_within_and_after_the_period),
    CASE(reversed_grants_free_the_cap),
    CASE(replaying_every_trigger_changes_nothing),
    CASE(reentering_decides_nothing_again),
};
const size_t reward_tier_case_count = sizeof reward_tier_cases / sizeof reward_tier_cases[0];
