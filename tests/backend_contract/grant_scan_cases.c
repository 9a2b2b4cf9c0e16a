/* Contract cases for grant scans (contract version 3): each filter alone and combined, the
 * inclusive time bounds that skip unset (0) times, keyset paging, filters before the limit, and
 * grants that move between filters when they are updated or rolled back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define U RF_TIME_UNSET
#define N 16

/* Grant n (1..N) of the set below, as the case's own model of it. */
typedef struct model {
    const char *recipient, *referral, *rule;
    int status;
    rf_time release_at, expires_at, issued_at;
} model;

static const char *const recipients[] = {"R0", "R1", "R2"};
static const char *const referrals[] = {"F0", "F1", "F2", "F3"};
static const char *const rules[] = {"U0", "U1"};

/* Recipient R<n % 3>, referral F<n % 4>, rule U<n % 2>, status 1 + n % 5; released at
 * 1000 n - 8000 (0, unset, when n % 4 == 0), expiring at 500 n - 2000 (unset when n % 3 == 0),
 * issued at 100 n - 800 (so negative, and 0 for 8). */
static model original(unsigned int n)
{
    model m = {recipients[n % 3],
               referrals[n % 4],
               rules[n % 2],
               (int)(1 + n % 5),
               n % 4 == 0 ? 0 : 1000 * (rf_time)n - 8000,
               n % 3 == 0 ? 0 : 500 * (rf_time)n - 2000,
               100 * (rf_time)n - 800};
    return m;
}

static rf_grant_record record_of(unsigned int n, const model *m)
{
    rf_grant_record r = grant(uid(n), text("key-%u", n), m->recipient, m->referral, m->rule, m->status);
    r.release_at = m->release_at;
    r.expires_at = m->expires_at;
    r.issued_at = m->issued_at;
    /* The other times must not be mistaken for the filtered ones. */
    r.released_at = 999999;
    r.closed_at = -999999;
    r.updated_at = 5;
    return r;
}

static void insert_set(rf_backend *b, model set[N + 1])
{
    /* Out of order on purpose. */
    static const unsigned int order[N] = {9, 2, 16, 5, 12, 1, 14, 7, 3, 11, 6, 15, 8, 13, 4, 10};
    OK(b->begin(b));
    for (size_t i = 0; i < N; i++) {
        unsigned int n = order[i];
        set[n] = original(n);
        rf_grant_record r = record_of(n, &set[n]);
        OK(b->grant_insert(b, PA, &r));
    }
    /* The same keys in another practice are never visited from PA. */
    rf_grant_record other = grant(uid(1), "key-1", "R1", "F1", "U1", 2);
    OK(b->grant_insert(b, PB, &other));
    OK(b->commit(b));
}

static visits *grants(rf_backend *b, const char *after, const char *recipient, const char *referral,
                      const char *rule, int status, rf_time release_by, rf_time expires_by,
                      rf_time issued_from, unsigned int limit)
{
    rf_grant_query q = {after, recipient, referral, rule, status, release_by, expires_by, issued_from, limit};
    return scan_grants(b, PA, &q);
}

static int same(const char *want, const char *got)
{
    return want == NULL || (got != NULL && strcmp(want, got) == 0);
}

static int due_by(rf_time at, rf_time bound)
{
    return bound == U || (at != 0 && at <= bound);
}

/* What the model says a query visits. */
static size_t expected(const model set[N + 1], const rf_grant_query *q, unsigned int out[N])
{
    size_t n = 0;
    for (unsigned int i = 1; i <= N && (q->limit == 0 || n < q->limit); i++) {
        const model *m = &set[i];
        if ((q->after_id == NULL || strcmp(uid(i), q->after_id) > 0) && same(q->recipient_id, m->recipient) &&
            same(q->referral_id, m->referral) && same(q->rule_id, m->rule) &&
            (q->status == 0 || q->status == m->status) && due_by(m->release_at, q->release_by) &&
            due_by(m->expires_at, q->expires_by) && (q->issued_from == U || m->issued_at >= q->issued_from)) {
            out[n++] = i;
        }
    }
    return n;
}

/* Every combination of a few values of every filter gives what the model says. */
static void check_against_model(rf_backend *b, const model set[N + 1])
{
    static const char *const recs[] = {NULL, "R1", "F1"};
    static const char *const refs[] = {NULL, "F0", "F3"};
    static const char *const ruls[] = {NULL, "U1"};
    static const int statuses[] = {0, 2, 5};
    static const rf_time releases[] = {U, -1, 0, 4000};
    static const rf_time expiries[] = {U, 0, 3000};
    static const rf_time issued[] = {U, 0, 700};
    static const unsigned int limits[] = {0, 2};
    char after5[40];
    snprintf(after5, sizeof after5, "%s", uid(5)); /* uid()'s ring would not keep it */
    const char *afters[] = {NULL, after5};
    unsigned long checked = 0;
    for (size_t ic = 0; ic < 3; ic++)
        for (size_t ir = 0; ir < 3; ir++)
            for (size_t iu = 0; iu < 2; iu++)
                for (size_t is = 0; is < 3; is++)
                    for (size_t rl = 0; rl < 4; rl++)
                        for (size_t ex = 0; ex < 3; ex++)
                            for (size_t f = 0; f < 3; f++)
                                for (size_t l = 0; l < 2; l++)
                                    for (size_t a = 0; a < 2; a++) {
                                        rf_grant_query q = {afters[a],    recs[ic],     refs[ir],
                                                            ruls[iu],     statuses[is], releases[rl],
                                                            expiries[ex], issued[f],    limits[l]};
                                        unsigned int want[N];
                                        size_t n = expected(set, &q, want);
                                        visits *v = scan_grants(b, PA, &q);
                                        if (v->n != n) {
                                            fail_msg(
                                                "query %zu/%zu/%zu/%zu/%zu/%zu/%zu/%zu/%zu: %zu visited, "
                                                "want %zu",
                                                ic, ir, iu, is, rl, ex, f, l, a, v->n, n);
                                        }
                                        assert_visited(v, want, n);
                                        checked++;
                                    }
    assert_int_equal(checked, 3 * 3 * 2 * 3 * 4 * 3 * 3 * 2 * 2);
}

static void test_grant_scan_filters(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v3(b);
    model set[N + 1];
    insert_set(b, set);

    /* No filter, and keyset paging. */
    assert_visited(grants(b, NULL, NULL, NULL, NULL, 0, U, U, U, 0),
                   (unsigned int[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 16);
    assert_visited(grants(b, NULL, NULL, NULL, NULL, 0, U, U, U, 6), (unsigned int[]){1, 2, 3, 4, 5, 6}, 6);
    assert_visited(grants(b, uid(6), NULL, NULL, NULL, 0, U, U, U, 6), (unsigned int[]){7, 8, 9, 10, 11, 12},
                   6);
    assert_visited(grants(b, uid(12), NULL, NULL, NULL, 0, U, U, U, 6), (unsigned int[]){13, 14, 15, 16}, 4);
    assert_visited(grants(b, uid(16), NULL, NULL, NULL, 0, U, U, U, 6), NULL, 0);
    /* Each filter alone. */
    assert_visited(grants(b, NULL, "R1", NULL, NULL, 0, U, U, U, 0), (unsigned int[]){1, 4, 7, 10, 13, 16},
                   6);
    assert_visited(grants(b, NULL, NULL, "F2", NULL, 0, U, U, U, 0), (unsigned int[]){2, 6, 10, 14}, 4);
    assert_visited(grants(b, NULL, NULL, NULL, "U0", 0, U, U, U, 0),
                   (unsigned int[]){2, 4, 6, 8, 10, 12, 14, 16}, 8);
    assert_visited(grants(b, NULL, NULL, NULL, NULL, 3, U, U, U, 0), (unsigned int[]){2, 7, 12}, 3);
    /* release_by: release_at != 0 and <= the bound (inclusive; 4, 8, 12, 16 have none). */
    assert_visited(grants(b, NULL, NULL, NULL, NULL, 0, -5000, U, U, 0), (unsigned int[]){1, 2, 3}, 3);
    assert_visited(grants(b, NULL, NULL, NULL, NULL, 0, -4001, U, U, 0), (unsigned int[]){1, 2, 3}, 3);
    assert_visited(grants(b, NULL, NULL, NULL, NULL, 0, -7001, U, U, 0), NULL, 0);
    assert_visited(grants(b, NULL, NULL, NULL, NULL, 0, 0, U, U, 0), (unsigned int[]){1, 2, 3, 5, 6, 7}, 6);
    assert_visited(grants(b, NULL, NULL, NULL, NULL, 0, INT64_MAX, U, U, 0),
                   (unsigned int[]){1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 14, 15}, 12);
    /* expires_by likewise (3, 6, 9, 12, 15 have none; 4 expires at 0 too, which reads as none). */
    assert_visited(grants(b, NULL, NULL, NULL, NULL, 0, U, 0, U, 0), (unsigned int[]){1, 2}, 2);
    assert_visited(grants(b, NULL, NULL, NULL, NULL, 0, U, 500, U, 0), (unsigned int[]){1, 2, 5}, 3);
    assert_visited(grants(b, NULL, NULL, NULL, NULL, 0, U, -1500, U, 0), (unsigned int[]){1}, 1);
    assert_visited(grants(b, NULL, NULL, NULL, NULL, 0, U, -1501, U, 0), NULL, 0);
    /* issued_from: issued_at >= the bound, 0 included. */
    assert_visited(grants(b, NULL, NULL, NULL, NULL, 0, U, U, 0, 0),
                   (unsigned int[]){8, 9, 10, 11, 12, 13, 14, 15, 16}, 9);
    assert_visited(grants(b, NULL, NULL, NULL, NULL, 0, U, U, 800, 0), (unsigned int[]){16}, 1);
    assert_visited(grants(b, NULL, NULL, NULL, NULL, 0, U, U, 801, 0), NULL, 0);
    /* An id held in another role, or nowhere, matches nothing. */
    assert_visited(grants(b, NULL, "F1", NULL, NULL, 0, U, U, U, 0), NULL, 0);
    assert_visited(grants(b, NULL, NULL, "R1", NULL, 0, U, U, U, 0), NULL, 0);
    assert_visited(grants(b, NULL, NULL, NULL, "U9", 0, U, U, U, 0), NULL, 0);
    assert_visited(grants(b, NULL, "r1", NULL, NULL, 0, U, U, U, 0), NULL, 0); /* bytes */
    /* Combined. */
    assert_visited(grants(b, NULL, "R1", "F0", NULL, 0, U, U, U, 0), (unsigned int[]){4, 16}, 2);
    assert_visited(grants(b, NULL, "R1", NULL, "U1", 0, U, U, U, 0), (unsigned int[]){1, 7, 13}, 3);
    assert_visited(grants(b, NULL, "R1", "F1", "U1", 0, U, U, U, 0), (unsigned int[]){1, 13}, 2);
    assert_visited(grants(b, NULL, "R1", "F1", "U0", 0, U, U, U, 0), NULL, 0);
    assert_visited(grants(b, NULL, NULL, NULL, "U1", 2, U, U, U, 0), (unsigned int[]){1, 11}, 2);
    assert_visited(grants(b, NULL, NULL, NULL, NULL, 0, 5000, 3000, U, 0), (unsigned int[]){1, 2, 5, 7, 10},
                   5);
    assert_visited(grants(b, NULL, NULL, NULL, NULL, 2, 5000, U, -500, 0), (unsigned int[]){6, 11}, 2);
    assert_visited(grants(b, NULL, "R2", "F1", "U1", 1, 6000, 2000, -300, 0), (unsigned int[]){5}, 1);
    assert_visited(grants(b, NULL, "R2", "F1", "U1", 1, 6000, 2000, -299, 0), NULL, 0);
    /* Filters come before the limit; paging goes on after the last one visited. */
    assert_visited(grants(b, NULL, NULL, NULL, "U0", 0, U, U, U, 3), (unsigned int[]){2, 4, 6}, 3);
    assert_visited(grants(b, uid(6), NULL, NULL, "U0", 0, U, U, U, 3), (unsigned int[]){8, 10, 12}, 3);
    assert_visited(grants(b, uid(12), NULL, NULL, "U0", 0, U, U, U, 3), (unsigned int[]){14, 16}, 2);
    assert_visited(grants(b, NULL, NULL, NULL, NULL, 0, 10000, U, 0, 2), (unsigned int[]){9, 10}, 2);
    assert_visited(grants(b, uid(10), NULL, NULL, NULL, 0, 10000, U, 0, 2), (unsigned int[]){11, 13}, 2);
    assert_visited(grants(b, uid(13), NULL, NULL, NULL, 0, 10000, U, 0, 2), (unsigned int[]){14, 15}, 2);
    assert_visited(grants(b, uid(15), NULL, NULL, NULL, 0, 10000, U, 0, 2), NULL, 0);
    /* after_id need not exist: this one sorts between uid(4) and uid(5). */
    assert_visited(grants(b, "0190a1b2-0000-7000-8000-0000000000041", "R1", NULL, NULL, 0, U, U, U, 0),
                   (unsigned int[]){7, 10, 13, 16}, 4);

    /* The callback stops the scan, filters notwithstanding. */
    visits *v = visits_new(2);
    rf_grant_query q = {uid(1), NULL, NULL, "U1", 0, U, U, U, 0};
    OK(b->grant_scan(b, PA, &q, on_grant, v));
    assert_visited(v, (unsigned int[]){3, 5}, 2);
    /* Another practice sees only its own. */
    q = grant_query();
    q.recipient_id = "R1";
    assert_visited(scan_grants(b, PB, &q), (unsigned int[]){1}, 1);
    q.status = 1;
    assert_visited(scan_grants(b, PB, &q), NULL, 0);
    assert_visited(scan_grants(b, "c", &q), NULL, 0);

    check_against_model(b, set);
}

static void test_grant_scan_follows_updates(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v3(b);
    model set[N + 1];
    insert_set(b, set);

    /* Move grants between recipients, referrals, rules, statuses and times (the key stays). */
    OK(b->begin(b));
    for (unsigned int n = 1; n <= N; n += 3) {
        model *m = &set[n];
        m->recipient = recipients[(n + 1) % 3];
        m->referral = referrals[(n + 2) % 4];
        m->rule = rules[(n + 1) % 2];
        m->status = 1 + (m->status % 5);
        m->release_at = m->release_at == 0 ? 2500 : 0;
        m->expires_at = m->expires_at == 0 ? -1000 : -m->expires_at;
        m->issued_at = -m->issued_at;
        rf_grant_record r = record_of(n, m);
        OK(b->grant_update(b, PA, &r));
    }
    OK(b->commit(b));
    check_against_model(b, set);

    /* And back, with an inner level rolled back on the way: scans follow the undo too. */
    OK(b->begin(b));
    for (unsigned int n = 1; n <= N; n += 3) {
        set[n] = original(n);
        rf_grant_record r = record_of(n, &set[n]);
        OK(b->grant_update(b, PA, &r));
    }
    OK(b->begin(b));
    for (unsigned int n = 2; n <= N; n += 2) {
        rf_grant_record r = grant(uid(n), text("key-%u", n), "R9", "F9", "U9", 5);
        OK(b->grant_update(b, PA, &r));
    }
    rf_grant_record extra = grant(uid(17), "key-17", "R1", "F1", "U1", 1);
    OK(b->grant_insert(b, PA, &extra));
    OK(b->rollback(b));
    OK(b->commit(b));
    check_against_model(b, set);
    assert_visited(grants(b, NULL, "R9", NULL, NULL, 0, U, U, U, 0), NULL, 0);
    assert_visited(grants(b, NULL, NULL, "F9", NULL, 0, U, U, U, 0), NULL, 0);
    assert_visited(grants(b, NULL, NULL, NULL, "U9", 0, U, U, U, 0), NULL, 0);
    assert_visited(grants(b, uid(16), NULL, NULL, NULL, 0, U, U, U, 0), NULL, 0);
}

const struct CMUnitTest grant_scan_cases[] = {
    CASE(test_grant_scan_filters),
    CASE(test_grant_scan_follows_updates),
};
const size_t grant_scan_case_count = sizeof grant_scan_cases / sizeof grant_scan_cases[0];
