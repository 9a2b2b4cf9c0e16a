/* Contract cases for the ledger (contract version 3): append-only entries round trip through
 * scans, the unique id, entry key and seq, scans in seq order (not id order) by party and grant
 * with paging, practices and rollback; and free() with version 3 writes in an open transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define N 12

/* Checks every visited entry against the next of an expected list, while its strings are valid. */
typedef struct expect_entries {
    const rf_ledger_record *want;
    size_t n;
    size_t seen;
} expect_entries;

static int on_expected(const rf_ledger_record *r, void *payload)
{
    expect_entries *e = payload;
    assert_true(e->seen < e->n);
    assert_ledger(&e->want[e->seen++], r);
    return 0;
}

/* The practice's whole ledger is exactly @want[0..n), in that order. */
static void expect_ledger(rf_backend *b, const char *practice, const rf_ledger_record *want, size_t n)
{
    expect_entries e = {want, n, 0};
    rf_ledger_query all = {0, NULL, NULL, 0};
    OK(b->ledger_scan(b, practice, &all, on_expected, &e));
    assert_int_equal(e.seen, n);
}

static void test_ledger_round_trip(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v3(b);
    rf_ledger_record in[3];
    fill_ledger(&in[0], 1);
    /* Unset optional strings stay NULL; zero deltas stay zero. */
    in[1] = ledger_entry(uid(2), "G1:released", "G1", "P1", INT64_C(5000000000) + 7);
    in[1].currency = NULL;
    in[1].reference = NULL;
    in[1].pending_delta = 0;
    in[1].available_delta = 0;
    in[1].amount = 0;
    in[2] = ledger_entry(uid(3), "G1:redeemed", "G1", "P1", INT64_C(5000000000) + 9);
    in[2].reference = NULL;
    in[2].type = 3;
    in[2].at = 0;
    OK(b->begin(b));
    OK(b->ledger_insert(b, PA, &in[0]));
    expect_ledger(b, PA, in, 1); /* a transaction sees its own writes */
    OK(b->ledger_insert(b, PA, &in[1]));
    OK(b->ledger_insert(b, PA, &in[2]));
    OK(b->commit(b));
    expect_ledger(b, PA, in, 3);
    /* A NULL query is no filter. */
    expect_entries e = {in, 3, 0};
    OK(b->ledger_scan(b, PA, NULL, on_expected, &e));
    assert_int_equal(e.seen, 3);
    expect_ledger(b, PB, NULL, 0);
}

static void test_duplicate_ledger_entry(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v3(b);
    rf_ledger_record first = ledger_entry(uid(1), "G1:issued", "G1", "P1", 10);
    rf_ledger_record second = ledger_entry(uid(2), "G1:released", "G1", "P1", 20);
    OK(b->begin(b));
    OK(b->ledger_insert(b, PA, &first));
    OK(b->ledger_insert(b, PA, &second));
    /* Each of the id, the entry key and the seq is taken: the entry happens once. */
    rf_ledger_record same_id = ledger_entry(uid(1), "G2:issued", "G2", "P2", 30);
    assert_status(RF_EEXISTS, b->ledger_insert(b, PA, &same_id));
    rf_ledger_record same_key = ledger_entry(uid(3), "G1:issued", "G2", "P2", 30);
    assert_status(RF_EEXISTS, b->ledger_insert(b, PA, &same_key));
    rf_ledger_record same_seq = ledger_entry(uid(3), "G2:issued", "G2", "P2", 10);
    assert_status(RF_EEXISTS, b->ledger_insert(b, PA, &same_seq));
    /* A failed write leaves the transaction usable and its earlier writes in place. */
    OK(b->commit(b));
    rf_ledger_record both[2] = {first, second};
    expect_ledger(b, PA, both, 2);
    rf_ledger_query q = {0, "P2", NULL, 0};
    assert_visited(scan_ledger(b, PA, &q), NULL, 0);
    q = (rf_ledger_query){0, NULL, "G2", 0};
    assert_visited(scan_ledger(b, PA, &q), NULL, 0);

    /* Keys are compared as bytes; a seq between two taken ones is free. */
    rf_ledger_record other_case = ledger_entry(uid(3), "g1:issued", "G2", "P2", 15);
    OK(b->begin(b));
    OK(b->ledger_insert(b, PA, &other_case));
    OK(b->commit(b));
    rf_ledger_record three[3] = {first, other_case, second};
    expect_ledger(b, PA, three, 3);
}

/* Entry n (1..N): party P<n % 3>, grant G<n % 4>, seq 10 * perm[n], so seq order is not id order
 * and the seqs have gaps. */
static const int64_t perm[N + 1] = {0, 7, 3, 11, 1, 9, 5, 12, 2, 8, 4, 10, 6};
static const char *const parties[] = {"P0", "P1", "P2"};
static const char *const grants_[] = {"G0", "G1", "G2", "G3"};

static void insert_set(rf_backend *b)
{
    /* Neither in id nor in seq order. */
    static const unsigned int order[N] = {5, 12, 1, 9, 3, 7, 10, 2, 11, 6, 8, 4};
    OK(b->begin(b));
    for (size_t i = 0; i < N; i++) {
        unsigned int n = order[i];
        rf_ledger_record r =
            ledger_entry(uid(n), text("entry-%u", n), grants_[n % 4], parties[n % 3], 10 * perm[n]);
        OK(b->ledger_insert(b, PA, &r));
    }
    /* The same keys in another practice are never visited from PA. */
    rf_ledger_record other = ledger_entry(uid(1), "entry-1", "G1", "P1", 70);
    OK(b->ledger_insert(b, PB, &other));
    OK(b->commit(b));
}

/* What the model says a query visits (entry numbers, in seq order). */
static size_t expected(const rf_ledger_query *q, unsigned int out[N])
{
    size_t n = 0;
    for (int64_t s = 1; s <= N && (q->limit == 0 || n < q->limit); s++) {
        unsigned int i = 1;
        while (perm[i] != s) {
            i++;
        }
        if (10 * s > q->after_seq && (q->party_id == NULL || strcmp(q->party_id, parties[i % 3]) == 0) &&
            (q->grant_id == NULL || strcmp(q->grant_id, grants_[i % 4]) == 0)) {
            out[n++] = i;
        }
    }
    return n;
}

static visits *entries(rf_backend *b, int64_t after_seq, const char *party, const char *grant_id,
                       unsigned int limit)
{
    rf_ledger_query q = {after_seq, party, grant_id, limit};
    return scan_ledger(b, PA, &q);
}

static void test_ledger_scan(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v3(b);
    insert_set(b);

    /* Seq order, not id order; after_seq pages, within gaps too. */
    assert_visited(entries(b, 0, NULL, NULL, 0), (unsigned int[]){4, 8, 2, 10, 6, 12, 1, 9, 5, 11, 3, 7}, 12);
    visits *v = entries(b, 0, NULL, NULL, 0);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(v->seqs[i], 10 * (int64_t)(i + 1));
    }
    free(v);
    assert_visited(entries(b, -5, NULL, NULL, 0), (unsigned int[]){4, 8, 2, 10, 6, 12, 1, 9, 5, 11, 3, 7},
                   12);
    assert_visited(entries(b, 0, NULL, NULL, 4), (unsigned int[]){4, 8, 2, 10}, 4);
    assert_visited(entries(b, 40, NULL, NULL, 4), (unsigned int[]){6, 12, 1, 9}, 4);
    assert_visited(entries(b, 80, NULL, NULL, 4), (unsigned int[]){5, 11, 3, 7}, 4);
    assert_visited(entries(b, 120, NULL, NULL, 4), NULL, 0);
    assert_visited(entries(b, 35, NULL, NULL, 2), (unsigned int[]){10, 6}, 2);
    assert_visited(entries(b, 39, NULL, NULL, 1), (unsigned int[]){10}, 1);
    assert_visited(entries(b, 119, NULL, NULL, 0), (unsigned int[]){7}, 1);
    assert_visited(entries(b, INT64_MAX, NULL, NULL, 0), NULL, 0);
    /* By party, by grant, both; a key held in another role or nowhere matches nothing. */
    assert_visited(entries(b, 0, "P1", NULL, 0), (unsigned int[]){4, 10, 1, 7}, 4);
    assert_visited(entries(b, 0, NULL, "G3", 0), (unsigned int[]){11, 3, 7}, 3);
    assert_visited(entries(b, 0, "P1", "G3", 0), (unsigned int[]){7}, 1);
    assert_visited(entries(b, 0, "P0", "G0", 0), (unsigned int[]){12}, 1);
    assert_visited(entries(b, 0, "P2", "G0", 0), (unsigned int[]){8}, 1);
    assert_visited(entries(b, 0, "P1", "G2", 0), (unsigned int[]){10}, 1);
    assert_visited(entries(b, 0, "P2", "G3", 0), (unsigned int[]){11}, 1);
    assert_visited(entries(b, 0, "P0", "G1", 0), (unsigned int[]){9}, 1);
    assert_visited(entries(b, 0, "G1", NULL, 0), NULL, 0);
    assert_visited(entries(b, 0, NULL, "P1", 0), NULL, 0);
    assert_visited(entries(b, 0, "P9", NULL, 0), NULL, 0);
    assert_visited(entries(b, 0, "p1", NULL, 0), NULL, 0); /* bytes */
    /* Filters come before the limit; paging by the last seq visited goes on. */
    assert_visited(entries(b, 0, "P2", NULL, 2), (unsigned int[]){8, 2}, 2);
    assert_visited(entries(b, 30, "P2", NULL, 2), (unsigned int[]){5, 11}, 2);
    assert_visited(entries(b, 100, "P2", NULL, 2), NULL, 0);
    assert_visited(entries(b, 0, NULL, "G1", 2), (unsigned int[]){1, 9}, 2);
    assert_visited(entries(b, 80, NULL, "G1", 2), (unsigned int[]){5}, 1);

    /* The callback stops the scan. */
    v = visits_new(2);
    rf_ledger_query q = {20, "P1", NULL, 0};
    OK(b->ledger_scan(b, PA, &q, on_ledger, v));
    assert_visited(v, (unsigned int[]){10, 1}, 2);
    /* Another practice sees only its own. */
    q = (rf_ledger_query){0, "P1", "G1", 0};
    assert_visited(scan_ledger(b, PB, &q), (unsigned int[]){1}, 1);
    q.party_id = "P2";
    assert_visited(scan_ledger(b, PB, &q), NULL, 0);
    q = (rf_ledger_query){0, NULL, NULL, 0};
    assert_visited(scan_ledger(b, "c", &q), NULL, 0);

    /* Every combination of a few values of every filter gives what the model says. */
    static const int64_t afters[] = {0, -5, 35, 40, 120};
    static const char *const ps[] = {NULL, "P0", "P1", "G1", "P9"};
    static const char *const gs[] = {NULL, "G1", "G3", "P1"};
    static const unsigned int limits[] = {0, 1, 3};
    for (size_t a = 0; a < 5; a++)
        for (size_t p = 0; p < 5; p++)
            for (size_t g = 0; g < 4; g++)
                for (size_t l = 0; l < 3; l++) {
                    q = (rf_ledger_query){afters[a], ps[p], gs[g], limits[l]};
                    unsigned int want[N];
                    size_t n = expected(&q, want);
                    v = scan_ledger(b, PA, &q);
                    if (v->n != n) {
                        fail_msg("query %zu/%zu/%zu/%zu: %zu visited, want %zu", a, p, g, l, v->n, n);
                    }
                    for (size_t i = 0; i < n; i++) {
                        assert_int_equal(v->seqs[i], 10 * perm[want[i]]);
                    }
                    assert_visited(v, want, n);
                }
}

static void test_ledger_practices(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v3(b);
    /* The same id, key and seq in two practices are two entries. */
    rf_ledger_record a = ledger_entry(uid(1), "G1:issued", "G1", "P1", 1);
    rf_ledger_record pb = ledger_entry(uid(1), "G1:issued", "G1", "P1", 1);
    pb.amount = 7;
    OK(b->begin(b));
    OK(b->ledger_insert(b, PA, &a));
    OK(b->ledger_insert(b, PB, &pb));
    rf_ledger_record a2 = ledger_entry(uid(2), "G1:released", "G1", "P1", 2);
    OK(b->ledger_insert(b, PA, &a2));
    OK(b->commit(b));
    rf_ledger_record in_a[2] = {a, a2};
    expect_ledger(b, PA, in_a, 2);
    expect_ledger(b, PB, &pb, 1);
    expect_ledger(b, "c", NULL, 0);
    rf_ledger_query q = {1, "P1", "G1", 0};
    assert_visited(scan_ledger(b, PB, &q), NULL, 0);
    assert_visited(scan_ledger(b, PA, &q), (unsigned int[]){2}, 1);
}

static void test_ledger_rollback(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v3(b);
    rf_ledger_record base = ledger_entry(uid(1), "G1:issued", "G1", "P1", 10);
    OK(b->begin(b));
    OK(b->ledger_insert(b, PA, &base));
    OK(b->commit(b));

    /* Writes need a transaction. */
    rf_ledger_record e2 = ledger_entry(uid(2), "G1:released", "G1", "P1", 20);
    rf_ledger_record e3 = ledger_entry(uid(3), "G2:issued", "G2", "P2", 5); /* before the base */
    assert_status(RF_EBACKEND, b->ledger_insert(b, PA, &e2));
    expect_ledger(b, PA, &base, 1);

    /* An inner level rolled back, the outer one committed; then one level rolled back whole. */
    OK(b->begin(b));
    rf_ledger_record kept = ledger_entry(uid(4), "G3:issued", "G3", "P1", 30);
    OK(b->ledger_insert(b, PA, &kept));
    OK(b->begin(b));
    OK(b->ledger_insert(b, PA, &e2));
    OK(b->ledger_insert(b, PA, &e3));
    OK(b->rollback(b));
    OK(b->commit(b));
    rf_ledger_record both[2] = {base, kept};
    for (int round = 0; round < 2; round++) {
        expect_ledger(b, PA, both, 2);
        rf_ledger_query q = {0, "P2", NULL, 0};
        assert_visited(scan_ledger(b, PA, &q), NULL, 0);
        q = (rf_ledger_query){0, "P1", "G1", 0};
        assert_visited(scan_ledger(b, PA, &q), (unsigned int[]){1}, 1);
        OK(b->begin(b));
        OK(b->ledger_insert(b, PA, &e3));
        OK(b->ledger_insert(b, PA, &e2));
        OK(b->rollback(b));
    }
    /* Three levels: the innermost committed into the middle one, which is rolled back. */
    OK(b->begin(b));
    OK(b->begin(b));
    OK(b->begin(b));
    OK(b->ledger_insert(b, PA, &e2));
    OK(b->commit(b));
    OK(b->ledger_insert(b, PA, &e3));
    OK(b->rollback(b));
    OK(b->commit(b));
    expect_ledger(b, PA, both, 2);
    /* The rolled-back id, key and seq are free again, and then stick. */
    OK(b->begin(b));
    OK(b->ledger_insert(b, PA, &e2));
    OK(b->ledger_insert(b, PA, &e3));
    OK(b->commit(b));
    rf_ledger_record all[4] = {e3, base, e2, kept};
    expect_ledger(b, PA, all, 4);
    rf_ledger_query q = {0, "P1", "G1", 0};
    assert_visited(scan_ledger(b, PA, &q), (unsigned int[]){1, 2}, 2);
    q = (rf_ledger_query){0, NULL, "G2", 0};
    assert_visited(scan_ledger(b, PA, &q), (unsigned int[]){3}, 1);
}

static void test_v3_free_rolls_back_open_transaction(void **state)
{
    fixture *fx = *state;
    rf_backend *b = fx->b;
    need_v3(b);
    rf_reward_rule_record rule = reward_rule(uid(1), "P1");
    rf_grant_record g = grant(uid(2), "U1:F1:R1", "R1", "F1", uid(1), 1);
    rf_ledger_record entry = ledger_entry(uid(3), "G2:issued", uid(2), "R1", 1);
    OK(b->begin(b));
    OK(b->reward_rule_insert(b, PA, &rule));
    OK(b->grant_insert(b, PA, &g));
    OK(b->ledger_insert(b, PA, &entry));
    OK(b->commit(b));

    rf_reward_rule_record retired = rule;
    retired.active = 0;
    rf_grant_record released = g;
    released.status = 2;
    rf_ledger_record more = ledger_entry(uid(4), "G2:released", uid(2), "R1", 2);
    OK(b->begin(b));
    OK(b->reward_rule_update(b, PA, &retired));
    OK(b->grant_update(b, PA, &released));
    OK(b->begin(b));
    OK(b->ledger_insert(b, PA, &more));
    rf_grant_record other = grant(uid(5), "U1:F1:R2", "R2", "F1", uid(1), 1);
    OK(b->grant_insert(b, PA, &other));
    b = free_and_reopen(fx); /* two levels open */
    if (b == NULL) {
        return;
    }
    rf_reward_rule_record r;
    OK(b->reward_rule_get(b, PA, uid(1), &r));
    assert_rule(&rule, &r);
    rf_grant_record got;
    OK(b->grant_get(b, PA, uid(2), &got));
    assert_grant(&g, &got);
    assert_status(RF_ENOTFOUND, b->grant_get_by_key(b, PA, "U1:F1:R2", &got));
    expect_ledger(b, PA, &entry, 1);
    /* And the file takes the same writes again. */
    OK(b->begin(b));
    OK(b->ledger_insert(b, PA, &more));
    OK(b->grant_insert(b, PA, &other));
    OK(b->commit(b));
}

const struct CMUnitTest ledger_cases[] = {
    CASE(test_ledger_round_trip), CASE(test_duplicate_ledger_entry),
    CASE(test_ledger_scan),       CASE(test_ledger_practices),
    CASE(test_ledger_rollback),   CASE(test_v3_free_rolls_back_open_transaction),
};
const size_t ledger_case_count = sizeof ledger_cases / sizeof ledger_cases[0];
