/* Conformance: tasks from rewards — the tier nudge one referral before the
 * next tier, reward notices when a grant is held and when it is released —
 * and replays of every cause never writing a task twice. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "story_support.h"

static rf_reward_rule *ladder_rule(fixture *fx, const rf_program *p, int tier)
{
    rf_reward_rule_options o =
        rule_options(p, RF_RECIPIENT_REFERRER, RF_REWARD_THANK_YOU_NOTE, RF_REFERRAL_SEEN);
    o.tier = tier;
    return add_rule(fx, &o);
}

static void a_nudge_one_before_the_next_tier(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_reward_rule *rules[] = {ladder_rule(fx, p, 1), ladder_rule(fx, p, 3), ladder_rule(fx, p, 5)};
    rf_party *ruth = contactable_client(fx, "Ruth Ames", T0 - 400 * DAY);
    /* The referral that makes the count, and the nudge it brings (0: none). */
    const int nudge_for[] = {0, 0, 3, 0, 5, 0, 0};
    int nudges = 0;
    for (int n = 1; n <= 6; n++) {
        fx->now += DAY;
        int64_t seq = last_seq(fx);
        rf_referral *r = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_ACCEPTED);
        assert_int_equal(count_tasks(fx, NULL, NULL, RF_TASK_TIER_NUDGE, RF_TASK_STATE_UNSET), nudges);
        drive_to(fx, &r, RF_REFERRAL_SEEN);
        if (nudge_for[n] != 0) {
            nudges++;
            char key[256], data[48];
            snprintf(key, sizeof key, "nudge:%s:%s:%d", rf_program_id(p), rf_party_id(ruth), nudge_for[n]);
            snprintf(data, sizeof data, "count=%d;next_tier=%d", n, nudge_for[n]);
            rf_task *t = task_by_key(fx, key);
            assert_non_null(t);
            task_expect e = {RF_TASK_TIER_NUDGE,
                             RF_TASK_PENDING,
                             rf_party_id(ruth),
                             rf_referral_id(r),
                             rf_program_id(p),
                             "tier_nudge",
                             RF_CHANNEL_EMAIL,
                             data,
                             fx->now,
                             0};
            assert_task(t, e);
            rf_event *ev = event_about(fx, RF_EVENT_TASK_CREATED, seq, rf_task_id(t));
            char journal[64];
            snprintf(journal, sizeof journal, "kind=TIER_NUDGE;%s", data);
            assert_string_equal(rf_event_data(ev), journal);
            rf_event_free(ev);
            rf_task_free(t);
        }
        assert_int_equal(count_tasks(fx, NULL, NULL, RF_TASK_TIER_NUDGE, RF_TASK_STATE_UNSET), nudges);
        /* Closing the referral is not the ladder's trigger: nothing more. */
        drive_to(fx, &r, RF_REFERRAL_CLOSED);
        assert_int_equal(count_tasks(fx, NULL, NULL, RF_TASK_TIER_NUDGE, RF_TASK_STATE_UNSET), nudges);
        rf_referral_free(r);
    }
    assert_int_equal(nudges, 2);

    /* A referrer who may not be contacted is not nudged. */
    rf_party *quiet = add_party(fx, RF_PARTY_CLIENT, "Quiet Client", "quiet@example.org", NULL);
    for (int n = 1; n <= 2; n++) {
        rf_referral *r = referral_at(fx, p, rf_party_id(quiet), RF_REFERRAL_SEEN);
        rf_referral_free(r);
    }
    assert_int_equal(count_tasks(fx, rf_party_id(quiet), NULL, RF_TASK_TIER_NUDGE, RF_TASK_STATE_UNSET), 0);
    rf_party_free(quiet);
    for (size_t i = 0; i < 3; i++) {
        rf_reward_rule_free(rules[i]);
    }
    rf_party_free(ruth);
    rf_program_free(p);
}

static void notice_expect(fixture *fx, const rf_grant *g, const rf_party *to, rf_channel channel, int held)
{
    rf_task *t = task_for(fx, held ? "reward_held" : "reward", rf_grant_id(g));
    char data[96];
    snprintf(data, sizeof data, "grant=%s;status=%s", rf_grant_id(g), held ? "PENDING" : "RELEASED");
    task_expect e = {RF_TASK_REWARD_NOTICE,
                     RF_TASK_PENDING,
                     rf_party_id(to),
                     rf_grant_referral_id(g),
                     rf_grant_program_id(g),
                     held ? "reward_notice.held" : "reward_notice",
                     channel,
                     data,
                     fx->now,
                     0};
    assert_task(t, e);
    rf_task_free(t);
}

static void a_held_grant_then_its_release(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_reward_rule *rule =
        held_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_CLOSED, 14, 0);
    rf_party *ruth = contactable_client(fx, "Ruth Ames", T0 - 400 * DAY);
    rf_referral *r = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    rf_grant *g = the_grant(fx, rf_reward_rule_id(rule), rf_referral_id(r));
    assert_int_equal(rf_grant_get_status(g), RF_GRANT_PENDING);
    notice_expect(fx, g, ruth, RF_CHANNEL_EMAIL, 1);
    assert_int_equal(count_tasks(fx, NULL, NULL, RF_TASK_REWARD_NOTICE, RF_TASK_STATE_UNSET), 1);

    fx->now += 14 * DAY;
    assert_process_moves(fx, fx->now, 1, 0);
    notice_expect(fx, g, ruth, RF_CHANNEL_EMAIL, 0);
    assert_int_equal(count_tasks(fx, NULL, NULL, RF_TASK_REWARD_NOTICE, RF_TASK_STATE_UNSET), 2);
    /* Processing again moves nothing and writes nothing. */
    char *before = snapshot(fx->store);
    assert_process_moves(fx, fx->now, 0, 0);
    assert_unchanged(fx->store, before);
    free(before);
    rf_grant_free(g);
    rf_referral_free(r);
    rf_party_free(ruth);
    rf_reward_rule_free(rule);
    rf_program_free(p);
}

static void who_hears_of_a_reward(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_reward_rule *to_referrer =
        simple_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_GIFT, RF_REFERRAL_CLOSED);
    rf_reward_rule *to_referee = simple_rule(fx, p, RF_RECIPIENT_REFEREE, RF_REWARD_GIFT, RF_REFERRAL_CLOSED);
    rf_reward_rule *to_staff = simple_rule(fx, p, RF_RECIPIENT_STAFF, RF_REWARD_GIFT, RF_REFERRAL_CLOSED);
    rf_party *staff =
        add_party(fx, RF_PARTY_STAFF, "Dr Rowe", NULL, NULL); /* no consent: staff hear anyway */
    rf_party *ruth = contactable_client(fx, "Ruth Ames", T0 - 400 * DAY);
    rf_party *quiet = add_party(fx, RF_PARTY_CLIENT, "Quiet Client", "quiet@example.org", NULL);

    /* A referee who may be contacted, a referrer who may: everyone hears. */
    rf_referral *r =
        refer(fx, p, rf_party_id(ruth), RF_SOURCE_MANUAL, RF_URGENCY_UNSET, rf_party_id(staff), 1);
    drive_to(fx, &r, RF_REFERRAL_CLOSED);
    rf_grant *g = the_grant(fx, rf_reward_rule_id(to_referrer), rf_referral_id(r));
    notice_expect(fx, g, ruth, RF_CHANNEL_EMAIL, 0);
    rf_grant_free(g);
    g = the_grant(fx, rf_reward_rule_id(to_staff), rf_referral_id(r));
    notice_expect(fx, g, staff, RF_CHANNEL_IN_PERSON, 0);
    rf_grant_free(g);
    g = the_grant(fx, rf_reward_rule_id(to_referee), rf_referral_id(r));
    rf_party *referee = NULL;
    assert_ok(rf_party_get(&referee, fx->store, rf_referral_referee_id(r)));
    notice_expect(fx, g, referee, RF_CHANNEL_EMAIL, 0);
    rf_party_free(referee);
    rf_grant_free(g);
    assert_int_equal(count_tasks(fx, NULL, rf_referral_id(r), RF_TASK_REWARD_NOTICE, RF_TASK_STATE_UNSET), 3);
    assert_int_equal(count_tasks(fx, NULL, NULL, RF_TASK_REWARD_NOTICE, RF_TASK_STATE_UNSET), 3);
    rf_referral_free(r);

    /* Neither may be contacted: only the staff member hears. */
    r = refer(fx, p, rf_party_id(quiet), RF_SOURCE_MANUAL, RF_URGENCY_UNSET, rf_party_id(staff), 0);
    drive_to(fx, &r, RF_REFERRAL_CLOSED);
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(r), NULL, 0), 3);
    assert_int_equal(count_tasks(fx, NULL, rf_referral_id(r), RF_TASK_REWARD_NOTICE, RF_TASK_STATE_UNSET), 1);
    assert_int_equal(
        count_tasks(fx, rf_party_id(staff), rf_referral_id(r), RF_TASK_REWARD_NOTICE, RF_TASK_STATE_UNSET),
        1);
    rf_referral_free(r);
    rf_party_free(quiet);
    rf_party_free(ruth);
    rf_party_free(staff);
    rf_reward_rule_free(to_referrer);
    rf_reward_rule_free(to_referee);
    rf_reward_rule_free(to_staff);
    rf_program_free(p);
}

static void replays_never_duplicate_tasks(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_reward_rule *rule =
        simple_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_SCHEDULED);
    rf_party *ruth = contactable_client(fx, "Ruth Ames", T0 - 400 * DAY);
    person who = {RF_PARTY_LEAD, "lee@example.net", NULL, RF_CONSENT_CONTACT, RF_CHANNEL_UNSET, 0};
    rf_party *lee = add_person(fx, "Lee Lead", who);
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(p);
    o.referee_id = rf_party_id(lee);
    o.referrer_id = rf_party_id(ruth);
    o.source = RF_SOURCE_MANUAL;
    o.idempotency_key = "ref-lee";
    rf_referral *r = NULL, *again = NULL;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    assert_int_equal(count_tasks(fx, NULL, rf_referral_id(r), RF_TASK_KIND_UNSET, RF_TASK_STATE_UNSET), 4);
    char *before = snapshot(fx->store);
    fx->now += 60;
    assert_ok(rf_referral_create(&again, fx->store, &o));
    assert_string_equal(rf_referral_id(again), rf_referral_id(r));
    rf_referral_free(again);
    assert_unchanged(fx->store, before);
    free(before);

    /* An advance replayed with its key: no second cancellation, notice or grant. */
    assert_ok(advance_with(fx, &r, RF_REFERRAL_ACCEPTED, RF_TIME_UNSET, "accept-lee"));
    const rf_time appointment = fx->now + DAY;
    assert_ok(advance_with(fx, &r, RF_REFERRAL_SCHEDULED, appointment, "book-lee"));
    int tasks = count_tasks(fx, NULL, NULL, RF_TASK_KIND_UNSET, RF_TASK_STATE_UNSET);
    assert_int_equal(count_tasks(fx, NULL, rf_referral_id(r), RF_TASK_STATUS_NOTICE, RF_TASK_STATE_UNSET), 1);
    assert_int_equal(count_tasks(fx, NULL, NULL, RF_TASK_REWARD_NOTICE, RF_TASK_STATE_UNSET), 1);
    before = snapshot(fx->store);
    fx->now += 60;
    rf_advance_options ao = RF_ADVANCE_OPTIONS_INIT;
    ao.reason = "test reason";
    ao.appointment_at = appointment;
    ao.idempotency_key = "book-lee";
    assert_ok(rf_referral_advance(&again, fx->store, rf_referral_id(r), RF_REFERRAL_SCHEDULED, &ao));
    rf_referral_free(again);
    assert_unchanged(fx->store, before);
    free(before);
    assert_int_equal(count_tasks(fx, NULL, NULL, RF_TASK_KIND_UNSET, RF_TASK_STATE_UNSET), tasks);

    /* The sweeps, run again and again at one time, write each task once. */
    fx->now += 30 * DAY;
    sweep(fx);
    tasks = count_tasks(fx, NULL, NULL, RF_TASK_KIND_UNSET, RF_TASK_STATE_UNSET);
    before = snapshot(fx->store);
    sweep(fx);
    sweep(fx);
    assert_unchanged(fx->store, before);
    free(before);
    rf_referral_free(r);
    rf_party_free(lee);
    rf_party_free(ruth);
    rf_reward_rule_free(rule);
    rf_program_free(p);
}

const struct CMUnitTest outbox_notice_cases[] = {
    CASE(a_nudge_one_before_the_next_tier),
    CASE(a_held_grant_then_its_release),
    CASE(who_hears_of_a_reward),
    CASE(replays_never_duplicate_tasks),
};
const size_t outbox_notice_case_count = sizeof outbox_notice_cases / sizeof outbox_notice_cases[0];
