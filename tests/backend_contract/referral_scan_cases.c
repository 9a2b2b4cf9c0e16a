/* Contract cases for referral scans (contract version 2): each filter alone and combined, the
 * received period's bounds, keyset paging, filters before the limit, and records that move
 * between filters when they are updated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define U RF_TIME_UNSET
#define N 16

/* Referral n (1..N) of the set below, as the case's own model of it. */
typedef struct model {
    const char *program, *referrer, *referee, *target;
    int direction;
    rf_time received;
} model;

static const char *const programs[] = {"P1", "P2"};
static const char *const referrers[] = {"R0", "R1", "R2", "R3"};
static const char *const referees[] = {"E0", "E1", "E2", "E3", "E4"};
static const char *const targets[] = {"T0", "T1"};

/* Programme P1 for 1..12 and P2 for 13..16; referrer R<n % 4>; referee E<n % 5>; outbound to
 * T<n % 2> when n % 3 == 0, else inbound; received at 1000 n - 8000 (so -7000 .. 8000, 0 for 8). */
static model original(unsigned int n)
{
    model m = {programs[n > 12], referrers[n % 4], referees[n % 5], NULL, 1, 1000 * (rf_time)n - 8000};
    if (n % 3 == 0) {
        m.direction = 2;
        m.target = targets[n % 2];
    }
    return m;
}

static rf_referral_record record_of(unsigned int n, const model *m)
{
    rf_referral_record r =
        referral(uid(n), m->program, m->referrer, m->referee, m->target, m->direction, m->received);
    /* The other slots must not be mistaken for the received time. */
    r.reached_at[0] = 999999;
    r.reached_at[2] = -999999;
    r.attribution_key = m->direction == 1 ? text("attr-%u", n) : NULL;
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
        rf_referral_record r = record_of(n, &set[n]);
        OK(b->referral_insert(b, PA, &r));
    }
    /* The same keys in another practice are never visited from PA. */
    rf_referral_record other = referral(uid(1), "P1", "R1", "E1", "T1", 2, 0);
    OK(b->referral_insert(b, PB, &other));
    OK(b->commit(b));
}

static visits *referrals(rf_backend *b, const char *after, const char *program, const char *referrer,
                         const char *referee, const char *target, int direction, rf_time from, rf_time to,
                         unsigned int limit)
{
    rf_referral_query q = {after, program, referrer, referee, target, direction, from, to, limit};
    return scan_referrals(b, PA, &q);
}

static int same(const char *want, const char *got)
{
    return want == NULL || (got != NULL && strcmp(want, got) == 0);
}

/* What the model says a query visits. */
static size_t expected(const model set[N + 1], const rf_referral_query *q, unsigned int out[N])
{
    size_t n = 0;
    for (unsigned int i = 1; i <= N && (q->limit == 0 || n < q->limit); i++) {
        const model *m = &set[i];
        if ((q->after_id == NULL || strcmp(uid(i), q->after_id) > 0) && same(q->program_id, m->program) &&
            same(q->referrer_id, m->referrer) && same(q->referee_id, m->referee) &&
            same(q->target_id, m->target) && (q->direction == 0 || q->direction == m->direction) &&
            (q->received_from == U || m->received >= q->received_from) &&
            (q->received_to == U || m->received < q->received_to)) {
            out[n++] = i;
        }
    }
    return n;
}

/* Every combination of a few values of every filter gives what the model says. */
static void check_against_model(rf_backend *b, const model set[N + 1])
{
    static const char *const progs[] = {NULL, "P1", "P2", "P9"};
    static const char *const refs[] = {NULL, "R0", "R3", "E1"};
    static const char *const rees[] = {NULL, "E1", "E3"};
    static const char *const tgts[] = {NULL, "T0", "T1"};
    static const rf_time froms[] = {U, -5000, 0, 7001};
    static const rf_time tos[] = {U, 0, 5000};
    static const unsigned int limits[] = {0, 2};
    char after5[40];
    snprintf(after5, sizeof after5, "%s", uid(5)); /* uid()'s ring would not keep it */
    const char *afters[] = {NULL, after5};
    unsigned long checked = 0;
    for (size_t ip = 0; ip < 4; ip++)
        for (size_t ir = 0; ir < 4; ir++)
            for (size_t ie = 0; ie < 3; ie++)
                for (size_t it = 0; it < 3; it++)
                    for (int d = 0; d <= 2; d++)
                        for (size_t f = 0; f < 4; f++)
                            for (size_t t = 0; t < 3; t++)
                                for (size_t l = 0; l < 2; l++)
                                    for (size_t a = 0; a < 2; a++) {
                                        rf_referral_query q = {afters[a], progs[ip], refs[ir],
                                                               rees[ie],  tgts[it],  d,
                                                               froms[f],  tos[t],    limits[l]};
                                        unsigned int want[N];
                                        size_t n = expected(set, &q, want);
                                        visits *v = scan_referrals(b, PA, &q);
                                        if (v->n != n) {
                                            fail_msg("query %zu/%zu/%zu/%zu/%d/%zu/%zu/%zu/%zu: %zu visited, "
                                                     "want %zu",
                                                     ip, ir, ie, it, d, f, t, l, a, v->n, n);
                                        }
                                        assert_visited(v, want, n);
                                        checked++;
                                    }
    assert_int_equal(checked, 4 * 4 * 3 * 3 * 3 * 4 * 3 * 2 * 2);
}

static void test_referral_scan_filters(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    model set[N + 1];
    insert_set(b, set);

    /* No filter, and keyset paging. */
    assert_visited(referrals(b, NULL, NULL, NULL, NULL, NULL, 0, U, U, 0),
                   (unsigned int[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 16);
    assert_visited(referrals(b, NULL, NULL, NULL, NULL, NULL, 0, U, U, 6), (unsigned int[]){1, 2, 3, 4, 5, 6},
                   6);
    assert_visited(referrals(b, uid(6), NULL, NULL, NULL, NULL, 0, U, U, 6),
                   (unsigned int[]){7, 8, 9, 10, 11, 12}, 6);
    assert_visited(referrals(b, uid(12), NULL, NULL, NULL, NULL, 0, U, U, 6),
                   (unsigned int[]){13, 14, 15, 16}, 4);
    assert_visited(referrals(b, uid(16), NULL, NULL, NULL, NULL, 0, U, U, 6), NULL, 0);
    /* Each filter alone. */
    assert_visited(referrals(b, NULL, "P2", NULL, NULL, NULL, 0, U, U, 0), (unsigned int[]){13, 14, 15, 16},
                   4);
    assert_visited(referrals(b, NULL, NULL, "R1", NULL, NULL, 0, U, U, 0), (unsigned int[]){1, 5, 9, 13}, 4);
    assert_visited(referrals(b, NULL, NULL, NULL, "E1", NULL, 0, U, U, 0), (unsigned int[]){1, 6, 11, 16}, 4);
    assert_visited(referrals(b, NULL, NULL, NULL, NULL, "T1", 0, U, U, 0), (unsigned int[]){3, 9, 15}, 3);
    assert_visited(referrals(b, NULL, NULL, NULL, NULL, NULL, 2, U, U, 0), (unsigned int[]){3, 6, 9, 12, 15},
                   5);
    assert_visited(referrals(b, NULL, NULL, NULL, NULL, NULL, 1, U, U, 3), (unsigned int[]){1, 2, 4}, 3);
    assert_visited(referrals(b, NULL, NULL, NULL, NULL, NULL, 0, 6000, U, 0), (unsigned int[]){14, 15, 16},
                   3);
    assert_visited(referrals(b, NULL, NULL, NULL, NULL, NULL, 0, U, -5000, 0), (unsigned int[]){1, 2}, 2);
    /* An id held in another role (a referee as referrer) or nowhere matches nothing. */
    assert_visited(referrals(b, NULL, NULL, "E1", NULL, NULL, 0, U, U, 0), NULL, 0);
    assert_visited(referrals(b, NULL, NULL, NULL, "R1", NULL, 0, U, U, 0), NULL, 0);
    assert_visited(referrals(b, NULL, "P9", NULL, NULL, NULL, 0, U, U, 0), NULL, 0);
    /* [received_from, received_to): from is in, to is out, exactly; negative times and 0 too. */
    assert_visited(referrals(b, NULL, NULL, NULL, NULL, NULL, 0, -5000, 0, 0),
                   (unsigned int[]){3, 4, 5, 6, 7}, 5);
    assert_visited(referrals(b, NULL, NULL, NULL, NULL, NULL, 0, -4999, 1, 0),
                   (unsigned int[]){4, 5, 6, 7, 8}, 5);
    assert_visited(referrals(b, NULL, NULL, NULL, NULL, NULL, 0, 0, 1, 0), (unsigned int[]){8}, 1);
    assert_visited(referrals(b, NULL, NULL, NULL, NULL, NULL, 0, -1, 0, 0), NULL, 0);
    assert_visited(referrals(b, NULL, NULL, NULL, NULL, NULL, 0, 3000, 3000, 0), NULL, 0);
    assert_visited(referrals(b, NULL, NULL, NULL, NULL, NULL, 0, 5000, 1000, 0), NULL, 0);
    /* Combined, each group with and against a smaller or larger one. */
    assert_visited(referrals(b, NULL, "P1", "R1", NULL, NULL, 0, U, U, 0), (unsigned int[]){1, 5, 9}, 3);
    assert_visited(referrals(b, NULL, "P2", "R1", NULL, NULL, 0, U, U, 0), (unsigned int[]){13}, 1);
    assert_visited(referrals(b, NULL, NULL, "R2", "E1", NULL, 0, U, U, 0), (unsigned int[]){6}, 1);
    assert_visited(referrals(b, NULL, NULL, "R2", "E2", NULL, 0, U, U, 0), (unsigned int[]){2}, 1);
    assert_visited(referrals(b, NULL, NULL, "R2", "E3", NULL, 0, U, U, 0), NULL, 0);
    assert_visited(referrals(b, NULL, "P1", NULL, NULL, "T0", 2, U, U, 0), (unsigned int[]){6, 12}, 2);
    assert_visited(referrals(b, NULL, NULL, NULL, "E1", NULL, 1, U, U, 0), (unsigned int[]){1, 11, 16}, 3);
    assert_visited(referrals(b, NULL, NULL, NULL, NULL, "T1", 1, U, U, 0), NULL, 0);
    assert_visited(referrals(b, NULL, NULL, "R3", NULL, NULL, 0, -5000, 7000, 0), (unsigned int[]){3, 7, 11},
                   3);
    assert_visited(referrals(b, NULL, "P1", "R0", "E2", "T0", 2, 4000, 4001, 0), (unsigned int[]){12}, 1);
    assert_visited(referrals(b, NULL, "P1", "R0", "E2", "T0", 2, 4001, U, 0), NULL, 0);
    /* Filters come before the limit; paging goes on after the last one visited. */
    assert_visited(referrals(b, NULL, NULL, NULL, NULL, NULL, 2, U, U, 2), (unsigned int[]){3, 6}, 2);
    assert_visited(referrals(b, uid(6), NULL, NULL, NULL, NULL, 2, U, U, 2), (unsigned int[]){9, 12}, 2);
    assert_visited(referrals(b, uid(12), NULL, NULL, NULL, NULL, 2, U, U, 2), (unsigned int[]){15}, 1);
    assert_visited(referrals(b, NULL, "P1", NULL, NULL, NULL, 1, 0, U, 2), (unsigned int[]){8, 10}, 2);
    assert_visited(referrals(b, uid(10), "P1", NULL, NULL, NULL, 1, 0, U, 2), (unsigned int[]){11}, 1);
    /* after_id need not exist: this one sorts between uid(4) and uid(5). */
    assert_visited(referrals(b, "0190a1b2-0000-7000-8000-0000000000041", NULL, "R1", NULL, NULL, 0, U, U, 0),
                   (unsigned int[]){5, 9, 13}, 3);

    /* The callback stops the scan, filters notwithstanding. */
    visits *v = visits_new(2);
    rf_referral_query q = {uid(1), NULL, NULL, NULL, NULL, 1, U, U, 0};
    OK(b->referral_scan(b, PA, &q, on_referral, v));
    assert_visited(v, (unsigned int[]){2, 4}, 2);
    /* Another practice sees only its own. */
    q = referral_query();
    q.referrer_id = "R1";
    assert_visited(scan_referrals(b, PB, &q), (unsigned int[]){1}, 1);

    check_against_model(b, set);
}

static void test_referral_scan_follows_updates(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    model set[N + 1];
    insert_set(b, set);

    /* Move records between programmes, referrers, referees, targets, directions and times. */
    OK(b->begin(b));
    for (unsigned int n = 1; n <= N; n += 3) {
        model *m = &set[n];
        m->program = programs[n % 2];
        m->referrer = referrers[(n + 1) % 4];
        m->referee = referees[(n + 2) % 5];
        m->direction = m->direction == 1 ? 2 : 1;
        m->target = m->direction == 2 ? targets[(n + 1) % 2] : NULL;
        m->received = -m->received;
        rf_referral_record r = record_of(n, m);
        OK(b->referral_update(b, PA, &r));
    }
    OK(b->commit(b));
    check_against_model(b, set);

    /* And back, with an inner level rolled back on the way: scans follow the undo too. */
    OK(b->begin(b));
    for (unsigned int n = 1; n <= N; n += 3) {
        set[n] = original(n);
        rf_referral_record r = record_of(n, &set[n]);
        OK(b->referral_update(b, PA, &r));
    }
    OK(b->begin(b));
    for (unsigned int n = 2; n <= N; n += 2) {
        rf_referral_record r = referral(uid(n), "P9", "R9", "E9", "T9", 2, 123456);
        OK(b->referral_update(b, PA, &r));
    }
    OK(b->rollback(b));
    OK(b->commit(b));
    check_against_model(b, set);
    assert_visited(referrals(b, NULL, "P9", NULL, NULL, NULL, 0, U, U, 0), NULL, 0);
    assert_visited(referrals(b, NULL, NULL, "R9", NULL, NULL, 0, U, U, 0), NULL, 0);
    assert_visited(referrals(b, NULL, NULL, NULL, NULL, "T9", 0, U, U, 0), NULL, 0);
}

const struct CMUnitTest referral_scan_cases[] = {
    CASE(test_referral_scan_filters),
    CASE(test_referral_scan_follows_updates),
};
const size_t referral_scan_case_count = sizeof referral_scan_cases / sizeof referral_scan_cases[0];
