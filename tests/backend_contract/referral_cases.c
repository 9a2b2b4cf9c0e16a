/* Contract cases for referral records (contract version 2): insert, get, update, the unique
 * attribution key, and practices. Scans are in referral_scan_cases.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void expect_no_referral(rf_backend *b, const char *practice, const char *id)
{
    expect_not_found(rf_referral_record, b, referral_get, practice, id);
}

static void expect_referral(rf_backend *b, const char *practice, const rf_referral_record *want)
{
    rf_referral_record got;
    OK(b->referral_get(b, practice, want->id, &got));
    assert_referral(want, &got);
}

static void test_referral_every_field(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    rf_referral_record in;
    fill_referral(&in, 1);
    OK(b->begin(b));
    OK(b->referral_insert(b, PA, &in));
    expect_referral(b, PA, &in); /* a transaction sees its own writes */
    OK(b->commit(b));
    expect_referral(b, PA, &in); /* reads need no transaction */

    /* Every field is replaced by an update, each to a value of its own. */
    rf_referral_record up;
    fill_referral(&up, 2);
    up.id = in.id;
    for (int i = 0; i < RF_BACKEND_STATE_SLOTS; i++) {
        up.reached_at[i] = i % 2 == 0 ? -(rf_time)i * 1000 - 7 : INT64_MAX - i;
    }
    OK(b->begin(b));
    OK(b->referral_update(b, PA, &up));
    OK(b->commit(b));
    expect_referral(b, PA, &up);
}

static void test_referral_unset_strings_stay_null(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    /* Only the id set: every optional string NULL, every number 0. */
    rf_referral_record bare;
    memset(&bare, 0, sizeof bare);
    bare.id = uid(1);
    rf_referral_record full;
    fill_referral(&full, 2);
    OK(b->begin(b));
    OK(b->referral_insert(b, PA, &bare));
    OK(b->referral_insert(b, PA, &full));
    OK(b->commit(b));
    expect_referral(b, PA, &bare);

    /* An update may clear every optional string again. */
    rf_referral_record cleared = bare;
    cleared.id = full.id;
    cleared.state = 3;
    OK(b->begin(b));
    OK(b->referral_update(b, PA, &cleared));
    OK(b->commit(b));
    expect_referral(b, PA, &cleared);
}

static void test_referral_strings_copied_in(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    char id[40];
    char reason[32] = "a reason in a buffer";
    char key[32] = "referee-buf";
    snprintf(id, sizeof id, "%s", uid(1));
    rf_referral_record in = referral(id, "prog-1", "referrer-1", key, NULL, 1, 100);
    in.reason = reason;
    in.attribution_key = key;
    OK(b->begin(b));
    OK(b->referral_insert(b, PA, &in));
    OK(b->commit(b));
    memset(id, 'X', sizeof id - 1);
    memset(reason, 'X', sizeof reason - 1);
    memset(key, 'X', sizeof key - 1);
    rf_referral_record got;
    OK(b->referral_get(b, PA, uid(1), &got));
    assert_string_equal(got.id, uid(1));
    assert_string_equal(got.reason, "a reason in a buffer");
    assert_ptr_not_equal(got.reason, reason);
    assert_string_equal(got.referee_id, "referee-buf");
    assert_string_equal(got.attribution_key, "referee-buf");
}

static void test_referral_not_found(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    rf_referral_query all = referral_query();
    /* Twice: in a practice never written, then in one that has a referral. */
    for (int round = 0; round < 2; round++) {
        expect_no_referral(b, PA, uid(9));
        rf_referral_record missing = referral(uid(9), "prog-1", "referrer-1", "referee-9", NULL, 1, 100);
        missing.attribution_key = "referee-9";
        OK(b->begin(b));
        assert_status(RF_ENOTFOUND, b->referral_update(b, PA, &missing));
        if (round == 0) {
            assert_visited(scan_referrals(b, PA, &all), NULL, 0);
            rf_referral_record r1 = referral(uid(1), "prog-1", "referrer-1", "referee-1", NULL, 1, 100);
            OK(b->referral_insert(b, PA, &r1));
        }
        OK(b->commit(b));
    }
    /* The failed updates created nothing, and took no attribution key. */
    expect_no_referral(b, PA, uid(9));
    assert_visited(scan_referrals(b, PA, &all), (unsigned int[]){1}, 1);
    rf_referral_record takes = referral(uid(10), "prog-1", "referrer-1", "referee-9", NULL, 1, 100);
    takes.attribution_key = "referee-9";
    OK(b->begin(b));
    OK(b->referral_insert(b, PA, &takes));
    OK(b->commit(b));
}

/* --- the attribution key ------------------------------------------------------------------------ */

static void test_duplicate_referral(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    rf_referral_record first;
    fill_referral(&first, 1);
    first.attribution_key = "referee-X";
    OK(b->begin(b));
    OK(b->referral_insert(b, PA, &first));

    /* The same id, with a free attribution key or none. */
    rf_referral_record same_id;
    fill_referral(&same_id, 2);
    same_id.id = first.id;
    assert_status(RF_EEXISTS, b->referral_insert(b, PA, &same_id));
    same_id.attribution_key = NULL;
    assert_status(RF_EEXISTS, b->referral_insert(b, PA, &same_id));
    /* Another id with the held attribution key. */
    rf_referral_record same_key;
    fill_referral(&same_key, 3);
    same_key.attribution_key = "referee-X";
    assert_status(RF_EEXISTS, b->referral_insert(b, PA, &same_key));
    /* A failed write leaves the transaction usable and its earlier writes in place. */
    rf_referral_record second;
    fill_referral(&second, 4);
    OK(b->referral_insert(b, PA, &second));
    /* An update may not take the key either, and the record it would have changed stays. */
    rf_referral_record steal = second;
    steal.attribution_key = "referee-X";
    steal.state = 12;
    steal.reason = "stolen";
    assert_status(RF_EEXISTS, b->referral_update(b, PA, &steal));
    OK(b->commit(b));

    expect_referral(b, PA, &first);
    expect_referral(b, PA, &second);
    expect_no_referral(b, PA, uid(3));
    rf_referral_query all = referral_query();
    assert_visited(scan_referrals(b, PA, &all), (unsigned int[]){1, 4}, 2);
    /* What the refused writes named is in no scan. */
    rf_referral_query by = referral_query();
    by.referrer_id = same_id.referrer_id;
    assert_visited(scan_referrals(b, PA, &by), NULL, 0);
    by.referrer_id = same_key.referrer_id;
    assert_visited(scan_referrals(b, PA, &by), NULL, 0);

    /* An update keeping its own key clashes with nothing. */
    rf_referral_record keep = first;
    keep.state = 9;
    OK(b->begin(b));
    OK(b->referral_update(b, PA, &keep));
    OK(b->commit(b));
    expect_referral(b, PA, &keep);
}

static void test_attribution_key_null_many(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    /* NULL never clashes: many referrals of one referee may hold no key. */
    OK(b->begin(b));
    for (unsigned int n = 1; n <= 5; n++) {
        rf_referral_record r = referral(uid(n), "prog-1", text("referrer-%u", n), "referee-1", NULL, 1, 100);
        r.attribution_key = NULL;
        OK(b->referral_insert(b, PA, &r));
    }
    /* ... while one of them holds it, and updates of the others keep theirs NULL. */
    rf_referral_record holder = referral(uid(3), "prog-1", "referrer-3", "referee-1", NULL, 1, 100);
    holder.attribution_key = "referee-1";
    OK(b->referral_update(b, PA, &holder));
    rf_referral_record other = referral(uid(4), "prog-1", "referrer-4", "referee-1", NULL, 1, 100);
    other.state = 2;
    OK(b->referral_update(b, PA, &other));
    OK(b->commit(b));
    for (unsigned int n = 1; n <= 5; n++) {
        rf_referral_record got;
        OK(b->referral_get(b, PA, uid(n), &got));
        assert_str(n == 3 ? "referee-1" : NULL, got.attribution_key);
    }
    rf_referral_query q = referral_query();
    q.referee_id = "referee-1";
    assert_visited(scan_referrals(b, PA, &q), (unsigned int[]){1, 2, 3, 4, 5}, 5);
}

static void test_attribution_key_moves(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    rf_referral_record a = referral(uid(1), "prog-1", "referrer-1", "referee-1", NULL, 1, 100);
    a.attribution_key = "referee-1";
    rf_referral_record c = referral(uid(2), "prog-1", "referrer-2", "referee-1", NULL, 1, 200);
    OK(b->begin(b));
    OK(b->referral_insert(b, PA, &a));
    OK(b->referral_insert(b, PA, &c));
    OK(b->commit(b));

    /* Released by an update (to NULL), the key can be taken by another referral's update... */
    a.attribution_key = NULL;
    c.attribution_key = "referee-1";
    OK(b->begin(b));
    assert_status(RF_EEXISTS, b->referral_update(b, PA, &c));
    OK(b->referral_update(b, PA, &a));
    OK(b->referral_update(b, PA, &c));
    OK(b->commit(b));
    expect_referral(b, PA, &a);
    expect_referral(b, PA, &c);

    /* ... and by an insert once its holder changes it to another key; the new key is held. */
    c.attribution_key = "referee-1/second";
    rf_referral_record d = referral(uid(3), "prog-1", "referrer-3", "referee-1", NULL, 1, 300);
    d.attribution_key = "referee-1";
    rf_referral_record e = referral(uid(4), "prog-1", "referrer-4", "referee-1", NULL, 1, 400);
    e.attribution_key = "referee-1/second";
    OK(b->begin(b));
    assert_status(RF_EEXISTS, b->referral_insert(b, PA, &d));
    OK(b->referral_update(b, PA, &c));
    OK(b->referral_insert(b, PA, &d));
    assert_status(RF_EEXISTS, b->referral_insert(b, PA, &e));
    OK(b->commit(b));
    expect_referral(b, PA, &a);
    expect_referral(b, PA, &c);
    expect_referral(b, PA, &d);
    expect_no_referral(b, PA, uid(4));
}

/* --- practices ---------------------------------------------------------------------------------- */

static void test_referral_practices(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    /* The same id and attribution key in two practices are two referrals. */
    rf_referral_record a;
    fill_referral(&a, 1);
    rf_referral_record pb;
    fill_referral(&pb, 1);
    pb.reason = "practice b";
    OK(b->begin(b));
    OK(b->referral_insert(b, PA, &a));
    OK(b->referral_insert(b, PB, &pb));
    OK(b->commit(b));
    expect_referral(b, PA, &a);
    expect_referral(b, PB, &pb);

    /* An update in one leaves the other alone; a key freed in one is still held in the other. */
    rf_referral_record up = a;
    up.attribution_key = NULL;
    up.reason = "changed in a";
    rf_referral_record taker;
    fill_referral(&taker, 2);
    taker.attribution_key = a.attribution_key;
    OK(b->begin(b));
    OK(b->referral_update(b, PA, &up));
    OK(b->referral_insert(b, PA, &taker));
    taker.id = uid(3);
    assert_status(RF_EEXISTS, b->referral_insert(b, PB, &taker));
    /* A missing id in one practice is missing even though the other has it. */
    rf_referral_record only_a = taker;
    only_a.id = uid(2);
    only_a.attribution_key = NULL;
    assert_status(RF_ENOTFOUND, b->referral_update(b, PB, &only_a));
    OK(b->commit(b));
    expect_referral(b, PB, &pb);
    expect_no_referral(b, PB, uid(2));
    expect_no_referral(b, PB, uid(3));
    expect_no_referral(b, "c", uid(1));

    rf_referral_query q = referral_query();
    assert_visited(scan_referrals(b, PA, &q), (unsigned int[]){1, 2}, 2);
    assert_visited(scan_referrals(b, PB, &q), (unsigned int[]){1}, 1);
    assert_visited(scan_referrals(b, "c", &q), NULL, 0);
    q.referrer_id = a.referrer_id;
    assert_visited(scan_referrals(b, PB, &q), (unsigned int[]){1}, 1);
    q.referrer_id = taker.referrer_id;
    assert_visited(scan_referrals(b, PB, &q), NULL, 0);
    assert_visited(scan_referrals(b, PA, &q), (unsigned int[]){2}, 1);
}

const struct CMUnitTest referral_cases[] = {
    CASE(test_referral_every_field),       CASE(test_referral_unset_strings_stay_null),
    CASE(test_referral_strings_copied_in), CASE(test_referral_not_found),
    CASE(test_duplicate_referral),         CASE(test_attribution_key_null_many),
    CASE(test_attribution_key_moves),      CASE(test_referral_practices),
};
const size_t referral_case_count = sizeof referral_cases / sizeof referral_cases[0];
