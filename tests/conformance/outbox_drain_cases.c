/* Conformance: draining the outbox — leases, the host's reports (sent, acked,
 * failed with back-off, cancelled), the refusals that change nothing, drain
 * options and listing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "story_support.h"

#define NO_SUCH_TASK "00000000-0000-7000-8000-000000000000"

typedef struct outbox_world {
    rf_program *program;
    rf_party *ruth;
    rf_referral *referral;
    rf_task *thank; /* as listed: PENDING, never handed out */
} outbox_world;

/* A referral from a client who may be contacted: one THANK_REFERRER task due now. */
static outbox_world world(fixture *fx)
{
    outbox_world w;
    w.program = outbox_program(fx, "Advocates");
    w.ruth = contactable_client(fx, "Ruth Ames", T0 - 400 * DAY);
    w.referral = refer(fx, w.program, rf_party_id(w.ruth), RF_SOURCE_MANUAL, RF_URGENCY_UNSET, NULL, 0);
    w.thank = task_for(fx, "thank", rf_referral_id(w.referral));
    return w;
}

static void world_free(outbox_world *w)
{
    rf_task_free(w->thank);
    rf_referral_free(w->referral);
    rf_party_free(w->ruth);
    rf_program_free(w->program);
}

/* Hand out the only due task with @lease_seconds (RF_UNSET: default). */
static rf_task *lease_one(fixture *fx, rf_store *store, int lease_seconds)
{
    rf_drain_options o = RF_DRAIN_OPTIONS_INIT;
    o.lease_seconds = lease_seconds;
    rf_task_iter *it = NULL;
    rf_task *t = NULL;
    assert_ok(rf_tasks_due(&it, store, fx->now, &o));
    assert_ok(rf_task_iter_next(&t, it));
    rf_task *none = (rf_task *)(void *)fx;
    assert_status(rf_task_iter_next(&none, it), RF_ITEROVER);
    assert_null(none);
    rf_task_iter_free(it);
    return t;
}

static void lease_sent_acked(void **state)
{
    fixture *fx = *state;
    outbox_world w = world(fx);
    fx->now += 10;
    int64_t seq = last_seq(fx);
    rf_task *t = lease_one(fx, fx->store, RF_UNSET);
    assert_string_equal(rf_task_id(t), rf_task_id(w.thank));
    assert_int_equal(rf_task_get_state(t), RF_TASK_PENDING);
    assert_int_equal(rf_task_attempts(t), 1);
    assert_int_equal(rf_task_lease_until(t), fx->now + 300);
    const char *token = rf_task_lease_token(t);
    assert_non_null(token);
    assert_true(strlen(token) > 0);
    rf_event *ev = event_about(fx, RF_EVENT_TASK_LEASED, seq, rf_task_id(t));
    assert_string_equal(rf_event_data(ev), "attempt=1");
    assert_string_equal(rf_event_object_id(ev), rf_party_id(w.ruth));
    rf_event_free(ev);
    /* Stored as handed out; reading it shows the lease but never gives its token. */
    rf_task *stored = reload_task(fx, t);
    assert_null(rf_task_lease_token(stored));
    assert_int_equal(rf_task_lease_until(stored), fx->now + 300);
    assert_int_equal(rf_task_attempts(stored), 1);
    rf_task_free(stored);
    /* While the lease holds, no other drain gets it. */
    fx->now += 299;
    assert_int_equal(drain_count(fx, RF_TASK_KIND_UNSET), 0);

    seq = last_seq(fx);
    assert_ok(rf_task_sent(fx->store, rf_task_id(t), token));
    assert_last_event(fx, RF_EVENT_TASK_SENT, rf_task_id(t), "state=SENT;attempts=1");
    stored = reload_task(fx, t);
    assert_int_equal(rf_task_get_state(stored), RF_TASK_SENT);
    assert_int_equal(rf_task_sent_at(stored), fx->now);
    assert_int_equal(rf_task_closed_at(stored), 0);
    rf_task_free(stored);
    /* Reporting it again with the same token changes nothing, even after the lease. */
    char *before = snapshot(fx->store);
    fx->now += 3600;
    assert_ok(rf_task_sent(fx->store, rf_task_id(t), token));
    assert_unchanged(fx->store, before);
    free(before);
    /* A sent task is never handed out again. */
    assert_int_equal(drain_count(fx, RF_TASK_KIND_UNSET), 0);

    assert_ok(rf_task_acked(fx->store, rf_task_id(t)));
    assert_last_event(fx, RF_EVENT_TASK_ACKED, rf_task_id(t), "state=ACKED;attempts=1");
    stored = reload_task(fx, t);
    assert_int_equal(rf_task_get_state(stored), RF_TASK_ACKED);
    assert_int_equal(rf_task_closed_at(stored), fx->now);
    rf_task_free(stored);
    before = snapshot(fx->store);
    fx->now += 60;
    assert_ok(rf_task_acked(fx->store, rf_task_id(t))); /* again: nothing changes */
    assert_status(rf_task_sent(fx->store, rf_task_id(t), token), RF_ESTATE);
    assert_status(rf_task_failed(fx->store, rf_task_id(t), token, "smtp 550"), RF_ESTATE);
    assert_status(rf_task_cancel(fx->store, rf_task_id(t), "too late"), RF_ESTATE);
    assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_OUTBOX);
    assert_unchanged(fx->store, before);
    free(before);
    rf_task_free(t);
    world_free(&w);
}

static void wrong_tokens_and_states_change_nothing(void **state)
{
    fixture *fx = *state;
    outbox_world w = world(fx);
    char *before = snapshot(fx->store);
    /* Never handed out: no token fits. */
    assert_status(rf_task_sent(fx->store, rf_task_id(w.thank), "not-a-token"), RF_ECONFLICT);
    assert_status(rf_task_failed(fx->store, rf_task_id(w.thank), "not-a-token", "x"), RF_ECONFLICT);
    assert_status(rf_task_acked(fx->store, rf_task_id(w.thank)), RF_ESTATE); /* not SENT */
    assert_status(rf_task_sent(fx->store, NO_SUCH_TASK, "x"), RF_ENOTFOUND);
    assert_status(rf_task_acked(fx->store, NO_SUCH_TASK), RF_ENOTFOUND);
    assert_status(rf_task_cancel(fx->store, NO_SUCH_TASK, NULL), RF_ENOTFOUND);
    assert_status(rf_task_failed(fx->store, NO_SUCH_TASK, "x", NULL), RF_ENOTFOUND);
    assert_status(rf_task_sent(fx->store, rf_task_id(w.thank), NULL), RF_EINVALID);
    assert_status(rf_task_failed(fx->store, rf_task_id(w.thank), NULL, "x"), RF_EINVALID);
    assert_status(rf_task_sent(fx->store, NULL, "x"), RF_EINVALID);
    assert_status(rf_task_sent(NULL, rf_task_id(w.thank), "x"), RF_EINVALID);
    assert_status(rf_task_acked(NULL, rf_task_id(w.thank)), RF_EINVALID);
    rf_task *got = (rf_task *)(void *)fx;
    assert_status(rf_task_get(&got, fx->store, NO_SUCH_TASK), RF_ENOTFOUND);
    assert_null(got);
    assert_status(rf_task_get(&got, fx->store, NULL), RF_EINVALID);
    assert_unchanged(fx->store, before);
    free(before);

    /* Handed out: only its token fits, and only while the lease holds. */
    rf_task *t = lease_one(fx, fx->store, 60);
    before = snapshot(fx->store);
    assert_status(rf_task_sent(fx->store, rf_task_id(t), "not-a-token"), RF_ECONFLICT);
    assert_message_has("lease");
    assert_status(rf_task_failed(fx->store, rf_task_id(t), "not-a-token", "x"), RF_ECONFLICT);
    /* An overlong error text or cancel reason is refused. */
    char text[RF_DETAIL_MAX + 2];
    memset(text, 'e', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    assert_status(rf_task_failed(fx->store, rf_task_id(t), rf_task_lease_token(t), text), RF_EINVALID);
    assert_status(rf_task_cancel(fx->store, rf_task_id(t), text), RF_EINVALID);
    fx->now += 60; /* the lease has ended */
    assert_status(rf_task_sent(fx->store, rf_task_id(t), rf_task_lease_token(t)), RF_ECONFLICT);
    assert_status(rf_task_failed(fx->store, rf_task_id(t), rf_task_lease_token(t), "x"), RF_ECONFLICT);
    assert_unchanged(fx->store, before);
    free(before);
    rf_task_free(t);
    world_free(&w);
}

static void failures_back_off_then_fail(void **state)
{
    fixture *fx = *state;
    outbox_world w = world(fx);
    const rf_time backoff[] = {60, 120, 240, 480};
    for (int attempt = 1; attempt <= 5; attempt++) {
        rf_task *t = lease_one(fx, fx->store, RF_UNSET);
        assert_int_equal(rf_task_attempts(t), attempt);
        fx->now += 5;
        char error[32];
        snprintf(error, sizeof error, "smtp 4%02d", attempt);
        assert_ok(rf_task_failed(fx->store, rf_task_id(t), rf_task_lease_token(t), error));
        rf_task *after = reload_task(fx, t);
        assert_string_equal(rf_task_last_error(after), error);
        assert_int_equal(rf_task_attempts(after), attempt);
        assert_null(rf_task_lease_token(after));
        assert_int_equal(rf_task_lease_until(after), 0);
        char data[48];
        if (attempt < 5) {
            assert_int_equal(rf_task_get_state(after), RF_TASK_PENDING);
            assert_int_equal(rf_task_due_at(after), fx->now + backoff[attempt - 1]);
            assert_int_equal(rf_task_closed_at(after), 0);
            snprintf(data, sizeof data, "state=PENDING;attempts=%d", attempt);
            assert_last_event(fx, RF_EVENT_TASK_FAILED, rf_task_id(t), data);
            /* Not due before the back-off has passed; the old token no longer fits. */
            fx->now += backoff[attempt - 1] - 1;
            assert_int_equal(drain_count(fx, RF_TASK_KIND_UNSET), 0);
            assert_status(rf_task_sent(fx->store, rf_task_id(t), rf_task_lease_token(t)), RF_ECONFLICT);
            fx->now += 1;
        } else {
            assert_int_equal(rf_task_get_state(after), RF_TASK_FAILED);
            assert_int_equal(rf_task_closed_at(after), fx->now);
            assert_last_event(fx, RF_EVENT_TASK_FAILED, rf_task_id(t), "state=FAILED;attempts=5");
        }
        rf_task_free(after);
        rf_task_free(t);
    }
    /* FAILED is closed: never handed out again, nothing more to report. */
    fx->now += DAY;
    assert_int_equal(drain_count(fx, RF_TASK_KIND_UNSET), 0);
    char *before = snapshot(fx->store);
    assert_status(rf_task_cancel(fx->store, rf_task_id(w.thank), NULL), RF_ESTATE);
    assert_status(rf_task_acked(fx->store, rf_task_id(w.thank)), RF_ESTATE);
    assert_status(rf_task_sent(fx->store, rf_task_id(w.thank), "x"), RF_ESTATE);
    assert_unchanged(fx->store, before);
    free(before);
    assert_int_equal(count_events(fx, RF_EVENT_TASK_FAILED), 5);
    assert_int_equal(count_events(fx, RF_EVENT_TASK_LEASED), 5);
    world_free(&w);
}

static void an_expired_lease_hands_the_task_out_again(void **state)
{
    fixture *fx = *state;
    outbox_world w = world(fx);
    rf_task *first = lease_one(fx, fx->store, 60);
    assert_int_equal(rf_task_lease_until(first), T0 + 60);
    fx->now = T0 + 59;
    assert_int_equal(drain_count(fx, RF_TASK_KIND_UNSET), 0);
    fx->now = T0 + 60; /* the holder died: its lease is over */
    rf_task *second = lease_one(fx, fx->store, RF_UNSET);
    assert_string_equal(rf_task_id(second), rf_task_id(first));
    assert_int_equal(rf_task_attempts(second), 2);
    assert_string_not_equal(rf_task_lease_token(second), rf_task_lease_token(first));
    assert_int_equal(rf_task_lease_until(second), T0 + 60 + 300);
    char *before = snapshot(fx->store);
    assert_status(rf_task_sent(fx->store, rf_task_id(first), rf_task_lease_token(first)), RF_ECONFLICT);
    assert_unchanged(fx->store, before);
    free(before);
    assert_ok(rf_task_sent(fx->store, rf_task_id(second), rf_task_lease_token(second)));
    /* The first holder's late report of the sent task is still refused. */
    assert_status(rf_task_sent(fx->store, rf_task_id(first), rf_task_lease_token(first)), RF_ESTATE);
    rf_task_free(first);
    rf_task_free(second);
    world_free(&w);
}

static void cancel_withdraws_an_open_task(void **state)
{
    fixture *fx = *state;
    outbox_world w = world(fx);
    /* PENDING */
    fx->now += 60;
    assert_ok(rf_task_cancel(fx->store, rf_task_id(w.thank), "thanked in person"));
    rf_task *t = reload_task(fx, w.thank);
    assert_int_equal(rf_task_get_state(t), RF_TASK_CANCELLED);
    assert_int_equal(rf_task_closed_at(t), fx->now);
    rf_task_free(t);
    assert_last_event(fx, RF_EVENT_TASK_CANCELLED, rf_task_id(w.thank), NULL);
    assert_int_equal(drain_count(fx, RF_TASK_KIND_UNSET), 0);
    char *before = snapshot(fx->store);
    assert_status(rf_task_cancel(fx->store, rf_task_id(w.thank), NULL), RF_ESTATE);
    assert_unchanged(fx->store, before);
    free(before);

    /* Handed out: the holder's token no longer fits. */
    rf_referral *r = refer(fx, w.program, rf_party_id(w.ruth), RF_SOURCE_MANUAL, RF_URGENCY_UNSET, NULL, 0);
    rf_task *leased = lease_one(fx, fx->store, RF_UNSET);
    assert_ok(rf_task_cancel(fx->store, rf_task_id(leased), NULL));
    assert_status(rf_task_sent(fx->store, rf_task_id(leased), rf_task_lease_token(leased)), RF_ESTATE);
    t = reload_task(fx, leased);
    assert_null(rf_task_lease_token(t));
    assert_int_equal(rf_task_lease_until(t), 0);
    rf_task_free(t);
    rf_task_free(leased);
    rf_referral_free(r);

    /* SENT */
    r = refer(fx, w.program, rf_party_id(w.ruth), RF_SOURCE_MANUAL, RF_URGENCY_UNSET, NULL, 0);
    leased = lease_one(fx, fx->store, RF_UNSET);
    assert_ok(rf_task_sent(fx->store, rf_task_id(leased), rf_task_lease_token(leased)));
    assert_ok(rf_task_cancel(fx->store, rf_task_id(leased), NULL));
    t = reload_task(fx, leased);
    assert_int_equal(rf_task_get_state(t), RF_TASK_CANCELLED);
    rf_task_free(t);
    assert_status(rf_task_acked(fx->store, rf_task_id(leased)), RF_ESTATE);
    rf_task_free(leased);
    rf_referral_free(r);
    world_free(&w);
}

static void drain_options(void **state)
{
    fixture *fx = *state;
    outbox_world w = world(fx);
    /* Three more THANK tasks and a referee intro sequence: 4 thanks, 1 intro due now. */
    for (int i = 0; i < 3; i++) {
        fx->now += 1;
        rf_referral_free(
            refer(fx, w.program, rf_party_id(w.ruth), RF_SOURCE_MANUAL, RF_URGENCY_UNSET, NULL, i == 2));
    }
    rf_drain_options o = RF_DRAIN_OPTIONS_INIT;
    char *before = snapshot(fx->store);
    rf_task_iter *it = (rf_task_iter *)(void *)fx;
    const struct {
        int lease, limit, kind;
        unsigned version;
    } bad[] = {
        {9, RF_UNSET, 0, 1},         {86401, RF_UNSET, 0, 1},
        {RF_UNSET, 0, 0, 1},         {RF_UNSET, 10001, 0, 1},
        {RF_UNSET, RF_UNSET, -1, 1}, {RF_UNSET, RF_UNSET, RF_TASK_KIND_COUNT, 1},
        {RF_UNSET, RF_UNSET, 0, 0},  {RF_UNSET, RF_UNSET, 0, RF_DRAIN_OPTIONS_VERSION + 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o.lease_seconds = bad[i].lease;
        o.limit = bad[i].limit;
        o.kind = (rf_task_kind)bad[i].kind;
        o.version = bad[i].version;
        it = (rf_task_iter *)(void *)fx;
        assert_status(rf_tasks_due(&it, fx->store, fx->now, &o), RF_EINVALID);
        assert_null(it);
    }
    assert_status(rf_tasks_due(NULL, fx->store, fx->now, NULL), RF_EINVALID);
    assert_status(rf_tasks_due(&it, NULL, fx->now, NULL), RF_EINVALID);
    assert_unchanged(fx->store, before);
    free(before);

    /* The edges of the ranges are taken; a limit hands out at most that many, oldest first. */
    o = (rf_drain_options)RF_DRAIN_OPTIONS_INIT;
    o.lease_seconds = 10;
    o.limit = 2;
    assert_ok(rf_tasks_due(&it, fx->store, RF_TIME_UNSET, &o)); /* the store's clock */
    rf_task *t = NULL;
    assert_ok(rf_task_iter_next(&t, it));
    assert_string_equal(rf_task_id(t), rf_task_id(w.thank));
    assert_int_equal(rf_task_lease_until(t), fx->now + 10);
    rf_task_free(t);
    assert_ok(rf_task_iter_next(&t, it));
    rf_task_free(t);
    assert_status(rf_task_iter_next(&t, it), RF_ITEROVER);
    assert_null(t);
    rf_task_iter_free(it);
    /* Only one kind. */
    assert_int_equal(deliver_all(fx, RF_TASK_REFEREE_INTRO), 1);
    o = (rf_drain_options)RF_DRAIN_OPTIONS_INIT;
    o.lease_seconds = 86400;
    o.limit = 10000;
    assert_ok(rf_tasks_due(&it, fx->store, fx->now, &o));
    int n = 0;
    while (rf_task_iter_next(&t, it) == RF_OK) {
        assert_int_equal(rf_task_get_kind(t), RF_TASK_THANK_REFERRER);
        assert_int_equal(rf_task_lease_until(t), fx->now + 86400);
        n++;
        rf_task_free(t);
    }
    rf_task_iter_free(it);
    assert_int_equal(n, 2);
    /* The intro's later steps fall due on their days. */
    fx->now = T0 + 3 * DAY + 2;
    assert_int_equal(deliver_all(fx, RF_TASK_REFEREE_INTRO), 0);
    fx->now = T0 + 3 * DAY + 3;
    assert_int_equal(deliver_all(fx, RF_TASK_REFEREE_INTRO), 1);
    fx->now = T0 + 7 * DAY + 3;
    assert_int_equal(deliver_all(fx, RF_TASK_REFEREE_INTRO), 1);
    assert_int_equal(count_tasks(fx, NULL, NULL, RF_TASK_REFEREE_INTRO, RF_TASK_ACKED), 3);

    /* Initialisers. */
    rf_drain_options init;
    memset(&init, 0x5a, sizeof init);
    assert_ok(rf_drain_options_init(&init, RF_DRAIN_OPTIONS_VERSION));
    assert_int_equal(init.version, RF_DRAIN_OPTIONS_VERSION);
    assert_int_equal(init.lease_seconds, RF_UNSET);
    assert_int_equal(init.limit, RF_UNSET);
    assert_int_equal(init.kind, RF_TASK_KIND_UNSET);
    assert_status(rf_drain_options_init(&init, 0), RF_EINVALID);
    assert_status(rf_drain_options_init(&init, RF_DRAIN_OPTIONS_VERSION + 1), RF_EINVALID);
    world_free(&w);
}

const struct CMUnitTest outbox_drain_cases[] = {
    CASE(lease_sent_acked),
    CASE(wrong_tokens_and_states_change_nothing),
    CASE(failures_back_off_then_fail),
    CASE(an_expired_lease_hands_the_task_out_again),
    CASE(cancel_withdraws_an_open_task),
    CASE(drain_options),
};
const size_t outbox_drain_case_count = sizeof outbox_drain_cases / sizeof outbox_drain_cases[0];
