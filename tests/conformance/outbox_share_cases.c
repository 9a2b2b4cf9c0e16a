/* Conformance: several drains on one outbox (two iterators on one handle;
 * on file backends two handles on one database, as two processes would have)
 * never receive the same task; listing and names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "story_support.h"

#define TASKS 12

typedef struct shared_world {
    rf_program *program;
    rf_party *ruth;
    char ids[TASKS][RF_ID_BUFSIZE]; /* the THANK_REFERRER tasks, due now */
} shared_world;

static shared_world world(fixture *fx)
{
    shared_world w;
    w.program = outbox_program(fx, "Advocates");
    w.ruth = contactable_client(fx, "Ruth Ames", T0 - 400 * DAY);
    for (int i = 0; i < TASKS; i++) {
        rf_referral *r =
            refer(fx, w.program, rf_party_id(w.ruth), RF_SOURCE_MANUAL, RF_URGENCY_UNSET, NULL, 0);
        rf_task *t = task_for(fx, "thank", rf_referral_id(r));
        snprintf(w.ids[i], RF_ID_BUFSIZE, "%s", rf_task_id(t));
        rf_task_free(t);
        rf_referral_free(r);
    }
    return w;
}

static void world_free(shared_world *w)
{
    rf_party_free(w->ruth);
    rf_program_free(w->program);
}

static int index_of(const shared_world *w, const char *id)
{
    for (int i = 0; i < TASKS; i++) {
        if (strcmp(w->ids[i], id) == 0) {
            return i;
        }
    }
    return -1;
}

/* Two drains, on @a and @b, taking turns until both are done: every task is
 * handed out exactly once, each under its own drain's token. */
static void take_turns(fixture *fx, shared_world *w, rf_store *a, rf_store *b)
{
    rf_task_iter *it[2] = {NULL, NULL};
    assert_ok(rf_tasks_due(&it[0], a, fx->now, NULL));
    assert_ok(rf_tasks_due(&it[1], b, fx->now, NULL));
    int owner[TASKS];
    char token[2][RF_ID_BUFSIZE] = {"", ""};
    int got[2] = {0, 0}, done[2] = {0, 0};
    for (int i = 0; i < TASKS; i++) {
        owner[i] = -1;
    }
    for (int turn = 0; !(done[0] && done[1]); turn ^= 1) {
        if (done[turn]) {
            continue;
        }
        rf_task *t = NULL;
        rf_status rc = rf_task_iter_next(&t, it[turn]);
        if (rc == RF_ITEROVER) {
            assert_null(t);
            done[turn] = 1;
            continue;
        }
        assert_int_equal(rc, RF_OK);
        int i = index_of(w, rf_task_id(t));
        assert_true(i >= 0);
        if (owner[i] != -1) {
            print_error("task %s handed to drain %d after drain %d\n", rf_task_id(t), turn, owner[i]);
            fail();
        }
        owner[i] = turn;
        got[turn]++;
        /* One token per drain, and the two differ. */
        if (token[turn][0] == '\0') {
            snprintf(token[turn], RF_ID_BUFSIZE, "%s", rf_task_lease_token(t));
        }
        assert_string_equal(rf_task_lease_token(t), token[turn]);
        rf_task_free(t);
    }
    rf_task_iter_free(it[0]);
    rf_task_iter_free(it[1]);
    assert_int_equal(got[0] + got[1], TASKS);
    assert_true(got[0] > 0 && got[1] > 0);
    assert_string_not_equal(token[0], token[1]);
    for (int i = 0; i < TASKS; i++) {
        assert_true(owner[i] >= 0);
        rf_task *t = NULL;
        assert_ok(rf_task_get(&t, fx->store, w->ids[i]));
        assert_null(rf_task_lease_token(t)); /* the token is the drain's alone */
        assert_int_equal(rf_task_lease_until(t), fx->now + 300);
        assert_int_equal(rf_task_attempts(t), 1);
        /* Reported through the other handle: the token is what counts. */
        rf_store *other = owner[i] == 0 ? b : a;
        assert_status(rf_task_sent(other, w->ids[i], token[!owner[i]]), RF_ECONFLICT);
        assert_ok(rf_task_sent(other, w->ids[i], token[owner[i]]));
        rf_task_free(t);
    }
    /* A third drain finds nothing left. */
    assert_int_equal(drain(fx, a, fx->now, RF_TASK_KIND_UNSET, NULL, 0), 0);
}

static void two_drains_on_one_handle(void **state)
{
    fixture *fx = *state;
    shared_world w = world(fx);
    take_turns(fx, &w, fx->store, fx->store);
    world_free(&w);
}

static void two_handles_on_one_database(void **state)
{
    fixture *fx = *state;
    if (!current_backend->has_file) {
        skip();
    }
    shared_world w = world(fx);
    rf_store *second = fx_open_second(fx);
    take_turns(fx, &w, fx->store, second);
    rf_store_free(second);
    world_free(&w);
}

/* Two handles draining at once, each leasing in its own transaction, with an
 * expired lease taken over by the other. */
static void a_lease_taken_over_by_another_handle(void **state)
{
    fixture *fx = *state;
    if (!current_backend->has_file) {
        skip();
    }
    shared_world w = world(fx);
    rf_store *second = fx_open_second(fx);
    rf_drain_options o = RF_DRAIN_OPTIONS_INIT;
    o.lease_seconds = 30;
    o.limit = TASKS;
    rf_task *mine[TASKS];
    rf_task_iter *it = NULL;
    assert_ok(rf_tasks_due(&it, fx->store, fx->now, &o));
    for (int i = 0; i < TASKS; i++) {
        assert_ok(rf_task_iter_next(&mine[i], it));
    }
    rf_task_iter_free(it);
    assert_int_equal(drain(fx, second, fx->now, RF_TASK_KIND_UNSET, NULL, 0), 0);
    /* The first process stops answering: after its leases the second takes everything. */
    fx->now += 30;
    rf_task *theirs[TASKS];
    assert_int_equal(drain(fx, second, fx->now, RF_TASK_KIND_UNSET, theirs, TASKS), TASKS);
    for (int i = 0; i < TASKS; i++) {
        assert_int_equal(rf_task_attempts(theirs[i]), 2);
        assert_status(rf_task_sent(fx->store, rf_task_id(mine[i]), rf_task_lease_token(mine[i])),
                      RF_ECONFLICT);
        assert_ok(rf_task_sent(fx->store, rf_task_id(theirs[i]), rf_task_lease_token(theirs[i])));
    }
    free_tasks(mine, TASKS);
    free_tasks(theirs, TASKS);
    rf_store_free(second);
    world_free(&w);
}

/* A lease is stored, not held by the handle: a reopened handle reports with it. */
static void a_lease_outlives_its_handle(void **state)
{
    fixture *fx = *state;
    if (!current_backend->has_file) {
        skip();
    }
    shared_world w = world(fx);
    rf_task *handed[TASKS];
    assert_int_equal(drain(fx, fx->store, fx->now, RF_TASK_KIND_UNSET, handed, TASKS), TASKS);
    fx_reopen(fx);
    assert_int_equal(drain_count(fx, RF_TASK_KIND_UNSET), 0);
    for (int i = 0; i < TASKS; i++) {
        assert_ok(rf_task_sent(fx->store, rf_task_id(handed[i]), rf_task_lease_token(handed[i])));
    }
    free_tasks(handed, TASKS);
    world_free(&w);
}

static void listing_filters_and_leases_nothing(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_party *ruth = contactable_client(fx, "Ruth Ames", T0 - 400 * DAY);
    rf_party *gp = add_party(fx, RF_PARTY_PARTNER, "Elm St surgery", NULL, NULL);
    rf_referral *a = refer(fx, p, rf_party_id(ruth), RF_SOURCE_MANUAL, RF_URGENCY_UNSET, NULL, 1);
    rf_referral *b = refer(fx, p, rf_party_id(gp), RF_SOURCE_PARTNER, RF_URGENCY_UNSET, NULL, 0);
    rf_task_free(trigger_ask(fx, p, ruth, RF_CLIENT_EVENT_NPS, 10, "nps", RF_TASK_PENDING,
                             "trigger=nps;segment=long"));
    rf_task *third = task_for(fx, "intro3", rf_referral_id(a));
    assert_ok(rf_task_cancel(fx->store, rf_task_id(third), NULL));
    rf_task_free(third);
    char *before = snapshot(fx->store);
    assert_int_equal(count_tasks(fx, NULL, NULL, RF_TASK_KIND_UNSET, RF_TASK_STATE_UNSET), 6);
    assert_int_equal(count_tasks(fx, rf_party_id(ruth), NULL, RF_TASK_KIND_UNSET, RF_TASK_STATE_UNSET), 2);
    assert_int_equal(count_tasks(fx, NULL, rf_referral_id(a), RF_TASK_KIND_UNSET, RF_TASK_STATE_UNSET), 4);
    assert_int_equal(count_tasks(fx, NULL, rf_referral_id(b), RF_TASK_KIND_UNSET, RF_TASK_STATE_UNSET), 1);
    assert_int_equal(count_tasks(fx, NULL, NULL, RF_TASK_THANK_REFERRER, RF_TASK_STATE_UNSET), 2);
    assert_int_equal(count_tasks(fx, NULL, rf_referral_id(a), RF_TASK_REFEREE_INTRO, RF_TASK_PENDING), 2);
    assert_int_equal(count_tasks(fx, NULL, NULL, RF_TASK_KIND_UNSET, RF_TASK_CANCELLED), 1);
    assert_int_equal(
        count_tasks(fx, rf_party_id(gp), rf_referral_id(a), RF_TASK_KIND_UNSET, RF_TASK_STATE_UNSET), 0);
    assert_unchanged(fx->store, before); /* listing leases nothing */

    /* Oldest first. */
    rf_task_iter *it = NULL;
    rf_task *t = NULL;
    rf_time last = 0;
    char last_id[RF_ID_BUFSIZE] = "";
    assert_ok(rf_task_list(&it, fx->store, NULL));
    while (rf_task_iter_next(&t, it) == RF_OK) {
        assert_true(rf_task_created_at(t) >= last);
        assert_true(strcmp(rf_task_id(t), last_id) > 0);
        last = rf_task_created_at(t);
        snprintf(last_id, sizeof last_id, "%s", rf_task_id(t));
        rf_task_free(t);
    }
    rf_task_iter_free(it);

    /* Refused filters. */
    rf_task_filter f = RF_TASK_FILTER_INIT;
    it = (rf_task_iter *)(void *)fx;
    f.kind = (rf_task_kind)RF_TASK_KIND_COUNT;
    assert_status(rf_task_list(&it, fx->store, &f), RF_EINVALID);
    assert_null(it);
    f.kind = (rf_task_kind)-1;
    assert_status(rf_task_list(&it, fx->store, &f), RF_EINVALID);
    f = (rf_task_filter)RF_TASK_FILTER_INIT;
    f.state = (rf_task_state)(RF_TASK_SUPPRESSED + 1);
    assert_status(rf_task_list(&it, fx->store, &f), RF_EINVALID);
    f = (rf_task_filter)RF_TASK_FILTER_INIT;
    f.party_id = "0123456789012345678901234567890123456789";
    assert_status(rf_task_list(&it, fx->store, &f), RF_EINVALID);
    f = (rf_task_filter)RF_TASK_FILTER_INIT;
    f.version = 0;
    assert_status(rf_task_list(&it, fx->store, &f), RF_EINVALID);
    f.version = RF_TASK_FILTER_VERSION + 1;
    assert_status(rf_task_list(&it, fx->store, &f), RF_EINVALID);
    assert_status(rf_task_list(NULL, fx->store, NULL), RF_EINVALID);
    assert_null(it);
    assert_unchanged(fx->store, before);
    free(before);

    rf_task_filter init;
    memset(&init, 0x5a, sizeof init);
    assert_ok(rf_task_filter_init(&init, RF_TASK_FILTER_VERSION));
    assert_null(init.party_id);
    assert_null(init.referral_id);
    assert_int_equal(init.kind, RF_TASK_KIND_UNSET);
    assert_int_equal(init.state, RF_TASK_STATE_UNSET);
    assert_status(rf_task_filter_init(&init, 0), RF_EINVALID);
    rf_referral_free(a);
    rf_referral_free(b);
    rf_party_free(gp);
    rf_party_free(ruth);
    rf_program_free(p);
}

static void names(void **state)
{
    (void)state;
    static const char *const kinds[] = {
        "UNSET",         "THANK_REFERRER", "PARTNER_SCHEDULED", "PARTNER_VISIT_SUMMARY", "PARTNER_CLOSURE",
        "STATUS_NOTICE", "REFEREE_INTRO",  "TIER_NUDGE",        "REWARD_NOTICE",         "ASK",
        "SLA_BREACH"};
    for (int k = 0; k < RF_TASK_KIND_COUNT; k++) {
        assert_string_equal(rf_task_kind_name((rf_task_kind)k), kinds[k]);
    }
    assert_string_equal(rf_task_kind_name((rf_task_kind)RF_TASK_KIND_COUNT), "UNSET");
    assert_string_equal(rf_task_kind_name((rf_task_kind)-1), "UNSET");
    static const char *const states[] = {"UNSET",  "PENDING",   "SENT",      "ACKED",
                                         "FAILED", "CANCELLED", "SUPPRESSED"};
    for (int s = 0; s <= RF_TASK_SUPPRESSED; s++) {
        assert_string_equal(rf_task_state_name((rf_task_state)s), states[s]);
    }
    assert_string_equal(rf_task_state_name((rf_task_state)(RF_TASK_SUPPRESSED + 1)), "UNSET");
    /* NULL-tolerant accessors and frees. */
    assert_null(rf_task_id(NULL));
    assert_null(rf_task_key(NULL));
    assert_int_equal(rf_task_attempts(NULL), 0);
    rf_task_free(NULL);
    rf_task_iter_free(NULL);
}

const struct CMUnitTest outbox_share_cases[] = {
    CASE(two_drains_on_one_handle),
    CASE(two_handles_on_one_database),
    CASE(a_lease_taken_over_by_another_handle),
    CASE(a_lease_outlives_its_handle),
    CASE(listing_filters_and_leases_nothing),
    CASE(names),
};
const size_t outbox_share_case_count = sizeof outbox_share_cases / sizeof outbox_share_cases[0];
