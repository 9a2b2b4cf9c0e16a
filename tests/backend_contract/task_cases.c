/* Contract cases for outbox task records (contract version 4): insert, get, get by key, update
 * (the key stays), unset strings, the unique id and task key, practices and rollback at nested
 * levels. Scans are in task_scan_cases.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void test_task_insert_get_update(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v4(b);
    rf_task_record in;
    fill_task(&in, 1);
    OK(b->begin(b));
    OK(b->task_insert(b, PA, &in));
    expect_task(b, PA, &in); /* a transaction sees its own writes */
    OK(b->commit(b));
    expect_task(b, PA, &in);

    /* Every field but the key is replaced, each with a value of its own. */
    rf_task_record up;
    fill_task(&up, 2);
    up.id = in.id;
    up.task_key = in.task_key;
    OK(b->begin(b));
    OK(b->task_update(b, PA, &up));
    OK(b->commit(b));
    expect_task(b, PA, &up);
    rf_task_query q = task_query();
    q.party_id = "party-2";
    q.referral_id = "referral-2";
    assert_visited(scan_tasks(b, PA, &q), (unsigned int[]){1}, 1);
    q.party_id = "party-1";
    assert_visited(scan_tasks(b, PA, &q), NULL, 0);

    /* An update naming another key keeps the stored one. */
    rf_task_record rekeyed = up;
    rekeyed.task_key = "a key the update must not write";
    rekeyed.attempts = 99;
    OK(b->begin(b));
    OK(b->task_update(b, PA, &rekeyed));
    OK(b->commit(b));
    rekeyed.task_key = up.task_key;
    expect_task(b, PA, &rekeyed);
    expect_no_task(b, PA, NULL, "a key the update must not write");

    /* Unset optional strings stay NULL and unset times 0; then set again. */
    rf_task_record bare = task(in.id, in.task_key, "party-1", NULL, 1, 1, 0);
    bare.program_id = NULL;
    bare.template_name = NULL;
    bare.data = NULL;
    bare.deadline_at = 0;
    bare.created_at = 0;
    bare.updated_at = 0;
    OK(b->begin(b));
    OK(b->task_update(b, PA, &bare));
    OK(b->commit(b));
    expect_task(b, PA, &bare);
    rf_task_record second = task(uid(2), "intro:referral-1:1", "party-2", "referral-1", 2, 1, 1700000000);
    second.data = ""; /* empty is not unset */
    OK(b->begin(b));
    OK(b->task_insert(b, PA, &second));
    OK(b->task_update(b, PA, &up));
    OK(b->commit(b));
    expect_task(b, PA, &second);
    expect_task(b, PA, &up);
    q = task_query();
    assert_visited(scan_tasks(b, PA, &q), (unsigned int[]){1, 2}, 2);
    /* A NULL query filters on nothing. */
    visits *v = visits_new(0);
    OK(b->task_scan(b, PA, NULL, on_task, v));
    assert_visited(v, (unsigned int[]){1, 2}, 2);
}

static void test_task_not_found(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v4(b);
    /* Twice: in a practice never written, then in one that has a task. */
    for (int round = 0; round < 2; round++) {
        expect_no_task(b, PA, uid(9), "k9");
        OK(b->begin(b));
        rf_task_record missing = task(uid(9), "k9", "P", "F", 1, 1, 100);
        assert_status(RF_ENOTFOUND, b->task_update(b, PA, &missing));
        if (round == 0) {
            rf_task_query q = task_query();
            assert_visited(scan_tasks(b, PA, &q), NULL, 0);
            rf_task_record t1 = task(uid(1), "k1", "P", "F", 1, 1, 100);
            OK(b->task_insert(b, PA, &t1));
        }
        OK(b->commit(b));
    }
    /* The failed update created nothing, and a key is not an id nor the other way round. */
    expect_no_task(b, PA, uid(9), "k9");
    expect_no_task(b, PA, "k1", uid(1));
    rf_task_query q = task_query();
    assert_visited(scan_tasks(b, PA, &q), (unsigned int[]){1}, 1);
}

static void test_duplicate_task(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v4(b);
    rf_task_record first = task(uid(1), "thank:F1", "P1", "F1", 1, 1, 100);
    rf_task_record second = task(uid(2), "intro:F1:1", "P2", "F1", 2, 1, 200);
    OK(b->begin(b));
    OK(b->task_insert(b, PA, &first));
    OK(b->task_insert(b, PA, &second));
    /* The same id under a new key, and the same key under a new id: the task happens once. */
    rf_task_record same_id = task(uid(1), "thank:F9", "P9", "F9", 3, 2, 900);
    assert_status(RF_EEXISTS, b->task_insert(b, PA, &same_id));
    rf_task_record same_key = task(uid(3), "thank:F1", "P3", "F3", 3, 2, 300);
    assert_status(RF_EEXISTS, b->task_insert(b, PA, &same_key));
    /* An update cannot take another task's key: the key it names is not written. */
    rf_task_record steal = second;
    steal.task_key = "thank:F1";
    OK(b->task_update(b, PA, &steal));
    /* A failed write leaves the transaction usable and its earlier writes in place. */
    OK(b->commit(b));
    expect_task(b, PA, &first);
    expect_task(b, PA, &second);
    expect_no_task(b, PA, uid(3), "thank:F9");
    rf_task_query q = task_query();
    assert_visited(scan_tasks(b, PA, &q), (unsigned int[]){1, 2}, 2);
    q.party_id = "P3";
    assert_visited(scan_tasks(b, PA, &q), NULL, 0);
    q = task_query();
    q.referral_id = "F9";
    assert_visited(scan_tasks(b, PA, &q), NULL, 0);

    /* Keys are compared as bytes: a different case is a different key. */
    rf_task_record other_case = task(uid(3), "THANK:F1", "P3", "F3", 3, 2, 300);
    OK(b->begin(b));
    OK(b->task_insert(b, PA, &other_case));
    OK(b->commit(b));
    expect_task(b, PA, &other_case);
    expect_task(b, PA, &first);
}

static void test_task_practices(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v4(b);
    /* The same id and key in two practices is two tasks. */
    rf_task_record a = task(uid(1), "thank:F1", "P1", "F1", 1, 1, 100);
    a.data = "practice a";
    rf_task_record pb = task(uid(1), "thank:F1", "P1", "F1", 1, 1, 100);
    pb.data = "practice b";
    OK(b->begin(b));
    OK(b->task_insert(b, PA, &a));
    OK(b->task_insert(b, PB, &pb));
    OK(b->commit(b));
    expect_task(b, PA, &a);
    expect_task(b, PB, &pb);

    /* An update in one practice leaves the other alone. */
    rf_task_record moved = a;
    moved.party_id = "P2";
    moved.state = 2;
    moved.lease_owner = "worker-1";
    moved.lease_until = 160;
    OK(b->begin(b));
    OK(b->task_update(b, PA, &moved));
    OK(b->commit(b));
    expect_task(b, PA, &moved);
    expect_task(b, PB, &pb);
    rf_task_query q = task_query();
    q.party_id = "P1";
    assert_visited(scan_tasks(b, PB, &q), (unsigned int[]){1}, 1);
    assert_visited(scan_tasks(b, PA, &q), NULL, 0);
    expect_no_task(b, "c", uid(1), "thank:F1");
    /* A missing id in one practice is missing even though the other has it. */
    rf_task_record only_b = task(uid(2), "thank:F2", "P1", "F2", 1, 1, 100);
    OK(b->begin(b));
    OK(b->task_insert(b, PB, &only_b));
    assert_status(RF_ENOTFOUND, b->task_update(b, PA, &only_b));
    OK(b->commit(b));
    expect_no_task(b, PA, uid(2), "thank:F2");
    q = task_query();
    assert_visited(scan_tasks(b, PA, &q), (unsigned int[]){1}, 1);
    assert_visited(scan_tasks(b, PB, &q), (unsigned int[]){1, 2}, 2);
}

static void test_task_rollback(void **state)
{
    fixture *fx = *state;
    rf_backend *b = fx->b;
    need_v4(b);
    rf_task_record base = task(uid(1), "thank:F1", "P1", "F1", 1, 1, 100);
    OK(b->begin(b));
    OK(b->task_insert(b, PA, &base));
    OK(b->commit(b));

    /* Writes need a transaction. */
    rf_task_record t2 = task(uid(2), "thank:F2", "P1", "F2", 1, 1, 100);
    rf_task_record leased = base;
    leased.state = 2;
    leased.party_id = "P2";
    leased.lease_owner = "worker-1";
    leased.lease_until = 400;
    leased.attempts = 1;
    assert_status(RF_EBACKEND, b->task_insert(b, PA, &t2));
    assert_status(RF_EBACKEND, b->task_update(b, PA, &leased));
    expect_task(b, PA, &base);
    expect_no_task(b, PA, uid(2), "thank:F2");

    /* An inner level rolled back, the outer one committed; then one level rolled back whole. */
    rf_task_record kept = task(uid(3), "thank:F3", "P3", "F3", 1, 1, 100);
    OK(b->begin(b));
    OK(b->task_insert(b, PA, &kept));
    OK(b->begin(b));
    OK(b->task_insert(b, PA, &t2));
    OK(b->task_update(b, PA, &leased));
    OK(b->begin(b));
    leased.last_error = "twice in one level";
    OK(b->task_update(b, PA, &leased));
    OK(b->commit(b)); /* folds into the level that is rolled back next */
    OK(b->rollback(b));
    OK(b->commit(b));
    rf_task_query by_p1 = task_query();
    by_p1.party_id = "P1";
    rf_task_query by_state = task_query();
    by_state.state = 2;
    for (int round = 0; round < 2; round++) {
        expect_task(b, PA, &base);
        expect_no_task(b, PA, uid(2), "thank:F2");
        expect_task(b, PA, &kept);
        assert_visited(scan_tasks(b, PA, &by_p1), (unsigned int[]){1}, 1);
        assert_visited(scan_tasks(b, PA, &by_state), NULL, 0);
        rf_task_query all = task_query();
        assert_visited(scan_tasks(b, PA, &all), (unsigned int[]){1, 3}, 2);
        OK(b->begin(b));
        OK(b->task_update(b, PA, &leased));
        OK(b->task_insert(b, PA, &t2));
        OK(b->rollback(b));
    }
    /* Everything undone can be written again, and then sticks. */
    OK(b->begin(b));
    OK(b->task_insert(b, PA, &t2));
    OK(b->task_update(b, PA, &leased));
    OK(b->commit(b));
    expect_task(b, PA, &leased);
    expect_task(b, PA, &t2);
    assert_visited(scan_tasks(b, PA, &by_p1), (unsigned int[]){2}, 1);
    assert_visited(scan_tasks(b, PA, &by_state), (unsigned int[]){1}, 1);

    /* Freeing with levels open keeps only what was committed. */
    rf_task_record acked = leased;
    acked.state = 3;
    acked.lease_owner = NULL;
    acked.lease_until = 0;
    OK(b->begin(b));
    OK(b->task_update(b, PA, &acked));
    OK(b->begin(b));
    rf_task_record t4 = task(uid(4), "thank:F4", "P1", "F4", 1, 1, 100);
    OK(b->task_insert(b, PA, &t4));
    b = free_and_reopen(fx);
    if (b == NULL) {
        return;
    }
    expect_task(b, PA, &leased);
    expect_no_task(b, PA, uid(4), "thank:F4");
    assert_visited(scan_tasks(b, PA, &by_state), (unsigned int[]){1}, 1);
}

const struct CMUnitTest task_cases[] = {
    CASE(test_task_insert_get_update), CASE(test_task_not_found), CASE(test_duplicate_task),
    CASE(test_task_practices),         CASE(test_task_rollback),
};
const size_t task_case_count = sizeof task_cases / sizeof task_cases[0];
