/* Contract cases for transactions over the version 2 records: rollback of inserts and updates
 * (unique keys and scan filters included) at nested levels, misuse, and free() with one open. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define U RF_TIME_UNSET

/* The committed state every case starts from: programme 1 ("Friends"), touch 10 (visitor "v1"),
 * referral 20 (referrer "R1", holding attribution key "E1"). */
typedef struct base {
    rf_program_record program;
    rf_touch_record touch;
    rf_referral_record referral;
} base;

static base write_base(rf_backend *b)
{
    base s;
    s.program = program(uid(1), "Friends");
    s.touch = touch(uid(10), "v1", 1000);
    s.referral = referral(uid(20), "P1", "R1", "E1", NULL, 1, 1000);
    s.referral.attribution_key = "E1";
    OK(b->begin(b));
    OK(b->program_insert(b, PA, &s.program));
    OK(b->touch_insert(b, PA, &s.touch));
    OK(b->referral_insert(b, PA, &s.referral));
    OK(b->commit(b));
    return s;
}

/* The state is exactly the base: every record, unique key and scan filter as written. */
static void expect_base(rf_backend *b, const base *s)
{
    rf_program_record p;
    rf_touch_record t;
    rf_referral_record r;
    OK(b->program_get(b, PA, uid(1), &p));
    assert_program(&s->program, &p);
    OK(b->program_get_by_name(b, PA, "Friends", &p));
    assert_program(&s->program, &p);
    assert_status(RF_ENOTFOUND, b->program_get_by_name(b, PA, "Renamed", &p));
    assert_status(RF_ENOTFOUND, b->program_get(b, PA, uid(2), &p));
    assert_status(RF_ENOTFOUND, b->program_get_by_name(b, PA, "Second", &p));
    assert_visited(scan_programs(b, PA, NULL, 0), (unsigned int[]){1}, 1);

    OK(b->touch_get(b, PA, uid(10), &t));
    assert_touch(&s->touch, &t);
    assert_status(RF_ENOTFOUND, b->touch_get(b, PA, uid(11), &t));
    rf_touch_query tq = touch_query();
    assert_visited(scan_touches(b, PA, &tq), (unsigned int[]){10}, 1);
    tq.visitor_key = "v2";
    assert_visited(scan_touches(b, PA, &tq), NULL, 0);

    OK(b->referral_get(b, PA, uid(20), &r));
    assert_referral(&s->referral, &r);
    assert_status(RF_ENOTFOUND, b->referral_get(b, PA, uid(21), &r));
    rf_referral_query q = referral_query();
    assert_visited(scan_referrals(b, PA, &q), (unsigned int[]){20}, 1);
    q.referrer_id = "R1";
    assert_visited(scan_referrals(b, PA, &q), (unsigned int[]){20}, 1);
    q.referrer_id = "R2";
    assert_visited(scan_referrals(b, PA, &q), NULL, 0);
    q = referral_query();
    q.target_id = "T2";
    assert_visited(scan_referrals(b, PA, &q), NULL, 0);
    q = referral_query();
    q.received_from = 2000;
    assert_visited(scan_referrals(b, PA, &q), NULL, 0);
}

/* Changes every record of the base and adds one of each type (the touch as uid(@touch_n)); the
 * base's programme name and attribution key are handed over to the new records. */
static void write_changes(rf_backend *b, const base *s, unsigned int touch_n)
{
    rf_program_record renamed = s->program;
    renamed.name = "Renamed";
    renamed.settings = "changed=1";
    OK(b->program_update(b, PA, &renamed));
    rf_program_record second = program(uid(2), "Friends");
    OK(b->program_insert(b, PA, &second));
    renamed.name = "Second"; /* renamed twice in one level */
    OK(b->program_update(b, PA, &renamed));

    rf_touch_record t2 = touch(uid(touch_n), "v2", 3000);
    OK(b->touch_insert(b, PA, &t2));

    rf_referral_record moved = s->referral;
    moved.referrer_id = "R2";
    moved.target_id = "T2";
    moved.attribution_key = NULL;
    moved.reached_at[1] = 2500;
    moved.state = 6;
    OK(b->referral_update(b, PA, &moved));
    rf_referral_record taker = referral(uid(21), "P1", "R1", "E1", NULL, 1, 2000);
    taker.attribution_key = "E1";
    OK(b->referral_insert(b, PA, &taker));
}

static void test_v2_rollback(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    base s = write_base(b);

    /* One level. */
    OK(b->begin(b));
    write_changes(b, &s, 11);
    OK(b->rollback(b));
    expect_base(b, &s);

    /* An inner level rolled back, the outer one committed. */
    OK(b->begin(b));
    rf_touch_record kept = touch(uid(12), "v3", 500);
    OK(b->touch_insert(b, PA, &kept));
    OK(b->begin(b));
    write_changes(b, &s, 11);
    OK(b->rollback(b));
    OK(b->touch_insert(b, PA, &(rf_touch_record){uid(11), "c", "o", NULL, "v2", 1, 1}));
    OK(b->commit(b));
    rf_touch_record t;
    OK(b->touch_get(b, PA, uid(12), &t));
    assert_touch(&kept, &t);
    OK(b->touch_get(b, PA, uid(11), &t));
    assert_string_equal(t.code_id, "c"); /* the id the rolled-back level used is free again */
    rf_program_record p;
    OK(b->program_get_by_name(b, PA, "Friends", &p));
    assert_program(&s.program, &p);
    rf_referral_record r;
    OK(b->referral_get(b, PA, uid(20), &r));
    assert_referral(&s.referral, &r);
    assert_status(RF_ENOTFOUND, b->referral_get(b, PA, uid(21), &r));

    /* Three levels: the innermost committed into the middle one, which is rolled back. */
    OK(b->begin(b));
    rf_program_record third = program(uid(3), "Third");
    OK(b->program_insert(b, PA, &third));
    OK(b->begin(b));
    OK(b->begin(b));
    write_changes(b, &s, 14);
    OK(b->commit(b));
    OK(b->rollback(b));
    OK(b->commit(b));
    OK(b->program_get_by_name(b, PA, "Third", &p));
    assert_program(&third, &p);
    OK(b->program_get_by_name(b, PA, "Friends", &p));
    assert_program(&s.program, &p);
    assert_visited(scan_programs(b, PA, NULL, 0), (unsigned int[]){1, 3}, 2);
    OK(b->referral_get(b, PA, uid(20), &r));
    assert_referral(&s.referral, &r);

    /* Everything undone can be written again, and then sticks. */
    OK(b->begin(b));
    write_changes(b, &s, 15);
    OK(b->commit(b));
    OK(b->program_get_by_name(b, PA, "Second", &p));
    assert_string_equal(p.id, uid(1));
    OK(b->program_get_by_name(b, PA, "Friends", &p));
    assert_string_equal(p.id, uid(2));
    OK(b->referral_get(b, PA, uid(21), &r));
    assert_string_equal(r.attribution_key, "E1");
    rf_referral_query q = referral_query();
    q.referrer_id = "R2";
    q.target_id = "T2";
    assert_visited(scan_referrals(b, PA, &q), (unsigned int[]){20}, 1);
}

static void test_v2_failed_writes_inside_levels(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    base s = write_base(b);
    /* Refused writes in an inner level change nothing; the level still commits what it did. */
    OK(b->begin(b));
    OK(b->begin(b));
    rf_program_record clash = program(uid(2), "Friends");
    assert_status(RF_EEXISTS, b->program_insert(b, PA, &clash));
    rf_referral_record taker = referral(uid(21), "P1", "R1", "E1", NULL, 1, 2000);
    taker.attribution_key = "E1";
    assert_status(RF_EEXISTS, b->referral_insert(b, PA, &taker));
    assert_status(RF_EEXISTS, b->touch_insert(b, PA, &s.touch));
    assert_status(RF_ENOTFOUND, b->referral_update(b, PA, &taker));
    taker.attribution_key = NULL;
    OK(b->referral_insert(b, PA, &taker));
    taker.attribution_key = "E1";
    assert_status(RF_EEXISTS, b->referral_update(b, PA, &taker));
    OK(b->commit(b));
    OK(b->commit(b));
    rf_referral_record r;
    OK(b->referral_get(b, PA, uid(21), &r));
    assert_null(r.attribution_key);
    OK(b->referral_get(b, PA, uid(20), &r));
    assert_referral(&s.referral, &r);
    rf_program_record p;
    assert_status(RF_ENOTFOUND, b->program_get(b, PA, uid(2), &p));
}

static void test_v2_writes_need_a_transaction(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    base s = write_base(b);
    rf_program_record p2 = program(uid(2), "Second");
    rf_touch_record t2 = touch(uid(11), "v2", 1);
    rf_referral_record r2 = referral(uid(21), "P1", "R1", "E2", NULL, 1, 1);
    rf_program_record pup = s.program;
    pup.name = "Renamed";
    rf_referral_record rup = s.referral;
    rup.referrer_id = "R2";
    assert_status(RF_EBACKEND, b->program_insert(b, PA, &p2));
    assert_status(RF_EBACKEND, b->program_update(b, PA, &pup));
    assert_status(RF_EBACKEND, b->touch_insert(b, PA, &t2));
    assert_status(RF_EBACKEND, b->referral_insert(b, PA, &r2));
    assert_status(RF_EBACKEND, b->referral_update(b, PA, &rup));
    expect_base(b, &s);
}

static void test_v2_free_rolls_back_open_transaction(void **state)
{
    fixture *fx = *state;
    rf_backend *b = fx->b;
    need_v2(b);
    base s = write_base(b);
    OK(b->begin(b));
    write_changes(b, &s, 11);
    OK(b->begin(b));
    rf_touch_record t3 = touch(uid(12), "v3", 1);
    OK(b->touch_insert(b, PA, &t3));
    rf_referral_record r3 = referral(uid(22), "P1", "R3", "E3", NULL, 1, 1);
    OK(b->referral_insert(b, PA, &r3));
    b = free_and_reopen(fx); /* two levels open */
    if (b == NULL) {
        return;
    }
    expect_base(b, &s);
    rf_touch_record t;
    assert_status(RF_ENOTFOUND, b->touch_get(b, PA, uid(12), &t));
    /* And the file takes the same writes again. */
    OK(b->begin(b));
    write_changes(b, &s, 11);
    OK(b->commit(b));
}

const struct CMUnitTest v2_transaction_cases[] = {
    CASE(test_v2_rollback),
    CASE(test_v2_failed_writes_inside_levels),
    CASE(test_v2_writes_need_a_transaction),
    CASE(test_v2_free_rolls_back_open_transaction),
};
const size_t v2_transaction_case_count = sizeof v2_transaction_cases / sizeof v2_transaction_cases[0];
