/* Contract cases for grant records (contract version 3): insert, get, get by key, update (the key
 * stays), the unique id and grant key, practices and rollback. Scans are in grant_scan_cases.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void expect_no_grant(rf_backend *b, const char *practice, const char *id, const char *key)
{
    if (id != NULL) {
        expect_not_found(rf_grant_record, b, grant_get, practice, id);
    }
    if (key != NULL) {
        expect_not_found(rf_grant_record, b, grant_get_by_key, practice, key);
    }
}

/* The grant is there under its id and its key, exactly as @want. */
static void expect_grant(rf_backend *b, const char *practice, const rf_grant_record *want)
{
    rf_grant_record got;
    OK(b->grant_get(b, practice, want->id, &got));
    assert_grant(want, &got);
    OK(b->grant_get_by_key(b, practice, want->grant_key, &got));
    assert_grant(want, &got);
}

static void test_grant_insert_get_update(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v3(b);
    rf_grant_record in;
    fill_grant(&in, 1);
    OK(b->begin(b));
    OK(b->grant_insert(b, PA, &in));
    expect_grant(b, PA, &in); /* a transaction sees its own writes */
    OK(b->commit(b));
    expect_grant(b, PA, &in);

    /* Every field but the key is replaced, each with a value of its own. */
    rf_grant_record up;
    fill_grant(&up, 2);
    up.id = in.id;
    up.grant_key = in.grant_key;
    OK(b->begin(b));
    OK(b->grant_update(b, PA, &up));
    OK(b->commit(b));
    expect_grant(b, PA, &up);
    rf_grant_query q = grant_query();
    q.recipient_id = "party-2";
    q.referral_id = "referral-2";
    q.rule_id = "rule-2";
    assert_visited(scan_grants(b, PA, &q), (unsigned int[]){1}, 1);
    q.rule_id = "rule-1";
    assert_visited(scan_grants(b, PA, &q), NULL, 0);

    /* Unset optional strings stay NULL and unset times 0; then set again. */
    rf_grant_record bare = grant(in.id, in.grant_key, "party-1", "referral-1", "rule-1", 1);
    bare.currency = NULL;
    bare.item = NULL;
    bare.amount = 0;
    bare.units = 0;
    bare.release_at = 0;
    bare.expires_at = 0;
    bare.issued_at = 0;
    OK(b->begin(b));
    OK(b->grant_update(b, PA, &bare));
    OK(b->commit(b));
    expect_grant(b, PA, &bare);
    rf_grant_record second = grant(uid(2), "rule-1:referral-1:party-2", "party-2", "referral-1", "rule-1", 2);
    second.currency = NULL;
    OK(b->begin(b));
    OK(b->grant_insert(b, PA, &second));
    OK(b->grant_update(b, PA, &up));
    OK(b->commit(b));
    expect_grant(b, PA, &second);
    expect_grant(b, PA, &up);
    assert_visited(scan_grants(b, PA,
                               &(rf_grant_query){NULL, NULL, NULL, NULL, 0, RF_TIME_UNSET, RF_TIME_UNSET,
                                                 RF_TIME_UNSET, 0}),
                   (unsigned int[]){1, 2}, 2);
}

static void test_grant_not_found(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v3(b);
    /* Twice: in a practice never written, then in one that has a grant. */
    for (int round = 0; round < 2; round++) {
        expect_no_grant(b, PA, uid(9), "k9");
        OK(b->begin(b));
        rf_grant_record missing = grant(uid(9), "k9", "R", "F", "U", 1);
        assert_status(RF_ENOTFOUND, b->grant_update(b, PA, &missing));
        if (round == 0) {
            rf_grant_query q = grant_query();
            assert_visited(scan_grants(b, PA, &q), NULL, 0);
            rf_grant_record g1 = grant(uid(1), "k1", "R", "F", "U", 1);
            OK(b->grant_insert(b, PA, &g1));
        }
        OK(b->commit(b));
    }
    /* The failed update created nothing, and a key is not an id nor the other way round. */
    expect_no_grant(b, PA, uid(9), "k9");
    expect_no_grant(b, PA, "k1", uid(1));
    rf_grant_query q = grant_query();
    assert_visited(scan_grants(b, PA, &q), (unsigned int[]){1}, 1);
}

static void test_duplicate_grant(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v3(b);
    rf_grant_record first = grant(uid(1), "U1:F1:R1", "R1", "F1", "U1", 1);
    rf_grant_record second = grant(uid(2), "U1:F1:R2", "R2", "F1", "U1", 1);
    OK(b->begin(b));
    OK(b->grant_insert(b, PA, &first));
    OK(b->grant_insert(b, PA, &second));
    /* The same id under a new key, and the same key under a new id: the grant happens once. */
    rf_grant_record same_id = grant(uid(1), "U9:F9:R9", "R9", "F9", "U9", 3);
    assert_status(RF_EEXISTS, b->grant_insert(b, PA, &same_id));
    rf_grant_record same_key = grant(uid(3), "U1:F1:R1", "R3", "F3", "U3", 2);
    assert_status(RF_EEXISTS, b->grant_insert(b, PA, &same_key));
    /* A failed write leaves the transaction usable and its earlier writes in place. */
    OK(b->commit(b));
    expect_grant(b, PA, &first);
    expect_grant(b, PA, &second);
    expect_no_grant(b, PA, uid(3), "U9:F9:R9");
    rf_grant_query q = grant_query();
    assert_visited(scan_grants(b, PA, &q), (unsigned int[]){1, 2}, 2);
    q.recipient_id = "R3";
    assert_visited(scan_grants(b, PA, &q), NULL, 0);
    q = grant_query();
    q.rule_id = "U9";
    assert_visited(scan_grants(b, PA, &q), NULL, 0);

    /* Keys are compared as bytes: a different case is a different key. */
    rf_grant_record other_case = grant(uid(3), "u1:f1:r1", "R3", "F3", "U3", 2);
    OK(b->begin(b));
    OK(b->grant_insert(b, PA, &other_case));
    OK(b->commit(b));
    expect_grant(b, PA, &other_case);
    expect_grant(b, PA, &first);
}

static void test_grant_practices(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v3(b);
    /* The same id and key in two practices are two grants. */
    rf_grant_record a = grant(uid(1), "U1:F1:R1", "R1", "F1", "U1", 1);
    rf_grant_record pb = grant(uid(1), "U1:F1:R1", "R1", "F1", "U1", 2);
    pb.amount = 99;
    OK(b->begin(b));
    OK(b->grant_insert(b, PA, &a));
    OK(b->grant_insert(b, PB, &pb));
    OK(b->commit(b));
    expect_grant(b, PA, &a);
    expect_grant(b, PB, &pb);

    /* An update in one practice leaves the other alone. */
    rf_grant_record released = a;
    released.status = 2;
    released.released_at = 1700003000;
    released.recipient_id = "R2";
    OK(b->begin(b));
    OK(b->grant_update(b, PA, &released));
    OK(b->commit(b));
    expect_grant(b, PA, &released);
    expect_grant(b, PB, &pb);
    rf_grant_query q = grant_query();
    q.recipient_id = "R1";
    assert_visited(scan_grants(b, PA, &q), NULL, 0);
    assert_visited(scan_grants(b, PB, &q), (unsigned int[]){1}, 1);
    q = grant_query();
    q.status = 1;
    assert_visited(scan_grants(b, PA, &q), NULL, 0);
    q.status = 2;
    assert_visited(scan_grants(b, PB, &q), (unsigned int[]){1}, 1);
    expect_no_grant(b, "c", uid(1), "U1:F1:R1");
    /* A grant only in one practice is missing from the other, by id and by key. */
    rf_grant_record only_b = grant(uid(2), "U2:F2:R2", "R2", "F2", "U2", 1);
    OK(b->begin(b));
    OK(b->grant_insert(b, PB, &only_b));
    assert_status(RF_ENOTFOUND, b->grant_update(b, PA, &only_b));
    OK(b->commit(b));
    expect_no_grant(b, PA, uid(2), "U2:F2:R2");
    q = grant_query();
    assert_visited(scan_grants(b, PA, &q), (unsigned int[]){1}, 1);
    assert_visited(scan_grants(b, PB, &q), (unsigned int[]){1, 2}, 2);
}

static void test_grant_rollback(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v3(b);
    rf_grant_record base = grant(uid(1), "U1:F1:R1", "R1", "F1", "U1", 1);
    OK(b->begin(b));
    OK(b->grant_insert(b, PA, &base));
    OK(b->commit(b));

    /* Writes need a transaction. */
    rf_grant_record g2 = grant(uid(2), "U1:F1:R2", "R2", "F1", "U1", 1);
    rf_grant_record up = base;
    up.status = 3;
    up.recipient_id = "R9";
    up.closed_at = 1700005000;
    assert_status(RF_EBACKEND, b->grant_insert(b, PA, &g2));
    assert_status(RF_EBACKEND, b->grant_update(b, PA, &up));

    /* An inner level rolled back, the outer one committed; then one level rolled back whole. */
    OK(b->begin(b));
    rf_grant_record kept = grant(uid(3), "U3:F3:R3", "R3", "F3", "U3", 1);
    OK(b->grant_insert(b, PA, &kept));
    OK(b->begin(b));
    OK(b->grant_insert(b, PA, &g2));
    OK(b->grant_update(b, PA, &up));
    up.status = 4; /* updated twice in one level */
    OK(b->grant_update(b, PA, &up));
    OK(b->rollback(b));
    OK(b->commit(b));
    for (int round = 0; round < 2; round++) {
        expect_grant(b, PA, &base);
        expect_grant(b, PA, &kept);
        expect_no_grant(b, PA, uid(2), "U1:F1:R2");
        rf_grant_query q = grant_query();
        assert_visited(scan_grants(b, PA, &q), (unsigned int[]){1, 3}, 2);
        q.recipient_id = "R9";
        assert_visited(scan_grants(b, PA, &q), NULL, 0);
        q = grant_query();
        q.status = 4;
        assert_visited(scan_grants(b, PA, &q), NULL, 0);
        q.status = 1;
        q.rule_id = "U1";
        assert_visited(scan_grants(b, PA, &q), (unsigned int[]){1}, 1);
        OK(b->begin(b));
        OK(b->grant_update(b, PA, &up));
        OK(b->grant_insert(b, PA, &g2));
        OK(b->rollback(b));
    }
    /* Everything undone can be written again (the rolled-back key is free), and then sticks. */
    OK(b->begin(b));
    OK(b->grant_insert(b, PA, &g2));
    OK(b->grant_update(b, PA, &up));
    OK(b->commit(b));
    expect_grant(b, PA, &g2);
    expect_grant(b, PA, &up);
    rf_grant_query q = grant_query();
    q.rule_id = "U1";
    q.status = 1;
    assert_visited(scan_grants(b, PA, &q), (unsigned int[]){2}, 1);
    q.status = 4;
    q.recipient_id = "R9";
    assert_visited(scan_grants(b, PA, &q), (unsigned int[]){1}, 1);
}

const struct CMUnitTest grant_cases[] = {
    CASE(test_grant_insert_get_update), CASE(test_grant_not_found), CASE(test_duplicate_grant),
    CASE(test_grant_practices),         CASE(test_grant_rollback),
};
const size_t grant_case_count = sizeof grant_cases / sizeof grant_cases[0];
