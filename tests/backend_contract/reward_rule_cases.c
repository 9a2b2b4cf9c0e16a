/* Contract cases for reward rule records (contract version 3): the declared version, insert, get,
 * update, the unique id, scans by programme with paging, practices and rollback. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void expect_no_rule(rf_backend *b, const char *practice, const char *id)
{
    expect_not_found(rf_reward_rule_record, b, reward_rule_get, practice, id);
}

static void test_v3_declared(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v3(b); /* every version 3 member is there */
    /* Later versions only append, so a backend declaring one has every version 3 member too; the
     * exact declaration is test_v4_declared's (party_v4_cases.c). */
    assert_true(b->version >= 3);
    assert_true(b->version <= RF_BACKEND_VERSION);
    assert_int_equal(RF_BACKEND_VERSION, 4);
}

static void test_rule_insert_get_update(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v3(b);
    rf_reward_rule_record in;
    fill_rule(&in, 1);
    rf_reward_rule_record got;
    OK(b->begin(b));
    OK(b->reward_rule_insert(b, PA, &in));
    OK(b->reward_rule_get(b, PA, uid(1), &got)); /* a transaction sees its own writes */
    assert_rule(&in, &got);
    OK(b->commit(b));
    OK(b->reward_rule_get(b, PA, uid(1), &got));
    assert_rule(&in, &got);

    /* Every field is replaced (the programme too), each with a value of its own. */
    rf_reward_rule_record up;
    fill_rule(&up, 2);
    up.id = uid(1);
    OK(b->begin(b));
    OK(b->reward_rule_update(b, PA, &up));
    OK(b->commit(b));
    OK(b->reward_rule_get(b, PA, uid(1), &got));
    assert_rule(&up, &got);
    assert_visited(scan_rules(b, PA, "prog-2", NULL, 0), (unsigned int[]){1}, 1);
    assert_visited(scan_rules(b, PA, "prog-1", NULL, 0), NULL, 0);

    /* Unset optional strings stay NULL, zeros stay zero; and back to set. */
    rf_reward_rule_record bare = reward_rule(uid(1), "prog-2");
    bare.currency = NULL;
    bare.item = NULL;
    bare.amount = 0;
    bare.expiry_days = 0;
    bare.hold_days = 0;
    bare.cap_count = 0;
    bare.active = 0;
    OK(b->begin(b));
    OK(b->reward_rule_update(b, PA, &bare));
    OK(b->commit(b));
    OK(b->reward_rule_get(b, PA, uid(1), &got));
    assert_rule(&bare, &got);
    rf_reward_rule_record second = reward_rule(uid(2), "prog-2");
    second.item = NULL;
    OK(b->begin(b));
    OK(b->reward_rule_insert(b, PA, &second));
    OK(b->reward_rule_update(b, PA, &up));
    OK(b->commit(b));
    OK(b->reward_rule_get(b, PA, uid(2), &got));
    assert_rule(&second, &got);
    OK(b->reward_rule_get(b, PA, uid(1), &got));
    assert_rule(&up, &got);
}

static void test_rule_not_found(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v3(b);
    /* Twice: in a practice never written, then in one that has a rule. */
    for (int round = 0; round < 2; round++) {
        expect_no_rule(b, PA, uid(9));
        OK(b->begin(b));
        rf_reward_rule_record missing = reward_rule(uid(9), "prog-1");
        assert_status(RF_ENOTFOUND, b->reward_rule_update(b, PA, &missing));
        if (round == 0) {
            assert_visited(scan_rules(b, PA, NULL, NULL, 0), NULL, 0);
            rf_reward_rule_record r1 = reward_rule(uid(1), "prog-1");
            OK(b->reward_rule_insert(b, PA, &r1));
        }
        OK(b->commit(b));
    }
    /* The failed update created nothing. */
    expect_no_rule(b, PA, uid(9));
    assert_visited(scan_rules(b, PA, NULL, NULL, 0), (unsigned int[]){1}, 1);
}

static void test_duplicate_rule(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v3(b);
    rf_reward_rule_record first = reward_rule(uid(1), "prog-1");
    rf_reward_rule_record got;
    OK(b->begin(b));
    OK(b->reward_rule_insert(b, PA, &first));
    rf_reward_rule_record same_id;
    fill_rule(&same_id, 7);
    same_id.id = uid(1);
    assert_status(RF_EEXISTS, b->reward_rule_insert(b, PA, &same_id));
    /* Names are labels, not keys: two rules may share one. */
    rf_reward_rule_record same_name = reward_rule(uid(2), "prog-1");
    OK(b->reward_rule_insert(b, PA, &same_name));
    /* A failed write leaves the transaction usable and its earlier writes in place. */
    OK(b->commit(b));
    OK(b->reward_rule_get(b, PA, uid(1), &got));
    assert_rule(&first, &got);
    assert_visited(scan_rules(b, PA, NULL, NULL, 0), (unsigned int[]){1, 2}, 2);
    assert_visited(scan_rules(b, PA, "prog-7", NULL, 0), NULL, 0);
}

static void test_rule_scan(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v3(b);
    /* Rules 1..10 out of order: odd ones in P1, even ones in P2, 10 in none. */
    static const unsigned int order[] = {5, 2, 8, 1, 10, 7, 3, 6, 9, 4};
    OK(b->begin(b));
    for (size_t i = 0; i < 10; i++) {
        unsigned int n = order[i];
        rf_reward_rule_record r = reward_rule(uid(n), n == 10 ? NULL : n % 2 != 0 ? "P1" : "P2");
        OK(b->reward_rule_insert(b, PA, &r));
    }
    rf_reward_rule_record other = reward_rule(uid(11), "P1");
    OK(b->reward_rule_insert(b, PB, &other));
    OK(b->commit(b));

    assert_visited(scan_rules(b, PA, NULL, NULL, 0), (unsigned int[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10);
    assert_visited(scan_rules(b, PA, NULL, NULL, 3), (unsigned int[]){1, 2, 3}, 3);
    assert_visited(scan_rules(b, PA, NULL, uid(3), 3), (unsigned int[]){4, 5, 6}, 3);
    assert_visited(scan_rules(b, PA, NULL, uid(8), 3), (unsigned int[]){9, 10}, 2);
    assert_visited(scan_rules(b, PA, NULL, uid(10), 0), NULL, 0);
    /* By programme; the filter comes before the limit, paging goes on after the last visited. */
    assert_visited(scan_rules(b, PA, "P1", NULL, 0), (unsigned int[]){1, 3, 5, 7, 9}, 5);
    assert_visited(scan_rules(b, PA, "P2", NULL, 0), (unsigned int[]){2, 4, 6, 8}, 4);
    assert_visited(scan_rules(b, PA, "P1", NULL, 2), (unsigned int[]){1, 3}, 2);
    assert_visited(scan_rules(b, PA, "P1", uid(3), 2), (unsigned int[]){5, 7}, 2);
    assert_visited(scan_rules(b, PA, "P1", uid(7), 2), (unsigned int[]){9}, 1);
    assert_visited(scan_rules(b, PA, "P2", uid(8), 0), NULL, 0);
    assert_visited(scan_rules(b, PA, "P9", NULL, 0), NULL, 0);
    assert_visited(scan_rules(b, PA, "p1", NULL, 0), NULL, 0); /* bytes, not case-folded */
    /* after_id need not exist: this one sorts between uid(4) and uid(5). */
    assert_visited(scan_rules(b, PA, "P2", "0190a1b2-0000-7000-8000-0000000000041", 0),
                   (unsigned int[]){6, 8}, 2);
    assert_visited(scan_rules(b, PB, "P1", NULL, 0), (unsigned int[]){11}, 1);
    assert_visited(scan_rules(b, PB, "P2", NULL, 0), NULL, 0);
    assert_visited(scan_rules(b, "c", NULL, NULL, 0), NULL, 0);

    /* The callback stops the scan. */
    visits *v = visits_new(2);
    OK(b->reward_rule_scan(b, PA, "P2", uid(2), 0, on_rule, v));
    assert_visited(v, (unsigned int[]){4, 6}, 2);

    /* Updates move rules between programmes. */
    rf_reward_rule_record moved = reward_rule(uid(3), "P2");
    rf_reward_rule_record unset = reward_rule(uid(4), NULL);
    OK(b->begin(b));
    OK(b->reward_rule_update(b, PA, &moved));
    OK(b->reward_rule_update(b, PA, &unset));
    OK(b->commit(b));
    assert_visited(scan_rules(b, PA, "P1", NULL, 0), (unsigned int[]){1, 5, 7, 9}, 4);
    assert_visited(scan_rules(b, PA, "P2", NULL, 0), (unsigned int[]){2, 3, 6, 8}, 4);
    assert_visited(scan_rules(b, PA, NULL, NULL, 0), (unsigned int[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10);
}

static void test_rule_practices(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v3(b);
    rf_reward_rule_record got;
    /* The same id in two practices is two rules. */
    rf_reward_rule_record a = reward_rule(uid(1), "P1");
    a.name = "practice a";
    rf_reward_rule_record pb = reward_rule(uid(1), "P1");
    pb.name = "practice b";
    OK(b->begin(b));
    OK(b->reward_rule_insert(b, PA, &a));
    OK(b->reward_rule_insert(b, PB, &pb));
    OK(b->commit(b));
    OK(b->reward_rule_get(b, PA, uid(1), &got));
    assert_rule(&a, &got);
    OK(b->reward_rule_get(b, PB, uid(1), &got));
    assert_rule(&pb, &got);

    /* An update in one practice leaves the other alone. */
    rf_reward_rule_record moved = a;
    moved.program_id = "P2";
    OK(b->begin(b));
    OK(b->reward_rule_update(b, PA, &moved));
    OK(b->commit(b));
    OK(b->reward_rule_get(b, PB, uid(1), &got));
    assert_rule(&pb, &got);
    assert_visited(scan_rules(b, PB, "P1", NULL, 0), (unsigned int[]){1}, 1);
    assert_visited(scan_rules(b, PA, "P1", NULL, 0), NULL, 0);
    expect_no_rule(b, "c", uid(1));
    /* A missing id in one practice is missing even though the other has it. */
    rf_reward_rule_record only_b = reward_rule(uid(2), "P1");
    OK(b->begin(b));
    OK(b->reward_rule_insert(b, PB, &only_b));
    assert_status(RF_ENOTFOUND, b->reward_rule_update(b, PA, &only_b));
    OK(b->commit(b));
    expect_no_rule(b, PA, uid(2));
    assert_visited(scan_rules(b, PA, NULL, NULL, 0), (unsigned int[]){1}, 1);
    assert_visited(scan_rules(b, PB, NULL, NULL, 0), (unsigned int[]){1, 2}, 2);
}

static void test_rule_rollback(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v3(b);
    rf_reward_rule_record base = reward_rule(uid(1), "P1");
    rf_reward_rule_record got;
    OK(b->begin(b));
    OK(b->reward_rule_insert(b, PA, &base));
    OK(b->commit(b));

    /* Writes need a transaction. */
    rf_reward_rule_record r2 = reward_rule(uid(2), "P1");
    rf_reward_rule_record up = reward_rule(uid(1), "P2");
    up.active = 0;
    assert_status(RF_EBACKEND, b->reward_rule_insert(b, PA, &r2));
    assert_status(RF_EBACKEND, b->reward_rule_update(b, PA, &up));

    /* An inner level rolled back, the outer one committed; then one level rolled back whole. */
    OK(b->begin(b));
    rf_reward_rule_record kept = reward_rule(uid(3), "P3");
    OK(b->reward_rule_insert(b, PA, &kept));
    OK(b->begin(b));
    OK(b->reward_rule_insert(b, PA, &r2));
    OK(b->reward_rule_update(b, PA, &up));
    up.name = "twice in one level";
    OK(b->reward_rule_update(b, PA, &up));
    OK(b->rollback(b));
    OK(b->commit(b));
    for (int round = 0; round < 2; round++) {
        OK(b->reward_rule_get(b, PA, uid(1), &got));
        assert_rule(&base, &got);
        expect_no_rule(b, PA, uid(2));
        OK(b->reward_rule_get(b, PA, uid(3), &got));
        assert_rule(&kept, &got);
        assert_visited(scan_rules(b, PA, "P1", NULL, 0), (unsigned int[]){1}, 1);
        assert_visited(scan_rules(b, PA, "P2", NULL, 0), NULL, 0);
        assert_visited(scan_rules(b, PA, NULL, NULL, 0), (unsigned int[]){1, 3}, 2);
        OK(b->begin(b));
        OK(b->reward_rule_update(b, PA, &up));
        OK(b->reward_rule_insert(b, PA, &r2));
        OK(b->rollback(b));
    }
    /* Everything undone can be written again, and then sticks. */
    OK(b->begin(b));
    OK(b->reward_rule_insert(b, PA, &r2));
    OK(b->reward_rule_update(b, PA, &up));
    OK(b->commit(b));
    OK(b->reward_rule_get(b, PA, uid(1), &got));
    assert_rule(&up, &got);
    assert_visited(scan_rules(b, PA, "P1", NULL, 0), (unsigned int[]){2}, 1);
    assert_visited(scan_rules(b, PA, "P2", NULL, 0), (unsigned int[]){1}, 1);
}

const struct CMUnitTest reward_rule_cases[] = {
    CASE(test_v3_declared),    CASE(test_rule_insert_get_update),
    CASE(test_rule_not_found), CASE(test_duplicate_rule),
    CASE(test_rule_scan),      CASE(test_rule_practices),
    CASE(test_rule_rollback),
};
const size_t reward_rule_case_count = sizeof reward_rule_cases / sizeof reward_rule_cases[0];
