/* Contract cases for task scans (contract version 4): each filter alone and combined against a
 * model, the drain query (a state, due by now, lease free now, a limit), keyset paging, filters
 * before the limit, and tasks that move between filters when they are leased, sent, updated or
 * rolled back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define U RF_TIME_UNSET
#define N 24

/* Task n (1..N) of the set, as the case's own model of it. */
typedef struct model {
    const char *party, *referral;
    int kind, state;
    rf_time due_at, lease_until;
} model;

static const char *const parties[] = {"P0", "P1", "P2"};
static const char *const referrals[] = {NULL, "F1", "F2", "F3"};
/* Past 63 too, where a backend may share an index entry between values. */
static const int kinds[] = {1, 2, 3, 70};
static const int states[] = {1, 2, 3, 4, 71};

/* Party P<n % 3>, referral F<n % 4> (none when n % 4 == 0), kind from (n / 3) % 4, state from
 * n % 5; due at 100 n - 1200 (negative, and 0 for 12); leased until 50 n - 600 (negative for
 * small n), except every third task, which is not leased (0). */
static model original(unsigned int n)
{
    model m = {parties[n % 3], referrals[n % 4],        kinds[(n / 3) % 4],
               states[n % 5],  100 * (rf_time)n - 1200, n % 3 == 0 ? 0 : 50 * (rf_time)n - 600};
    return m;
}

static rf_task_record record_of(unsigned int n, const model *m)
{
    rf_task_record r = task(uid(n), text("key-%u", n), m->party, m->referral, m->kind, m->state, m->due_at);
    r.lease_until = m->lease_until;
    r.lease_owner = m->lease_until != 0 ? "worker-1" : NULL;
    /* The other times must not be mistaken for the filtered ones. */
    r.deadline_at = -999999;
    r.sent_at = 999999;
    r.closed_at = 999999;
    r.created_at = 5;
    r.updated_at = 5;
    return r;
}

static void insert_set(rf_backend *b, model set[N + 1])
{
    /* Out of order on purpose. */
    static const unsigned int order[N] = {9, 2,  16, 5,  12, 1,  14, 7,  3,  11, 6,  15,
                                          8, 13, 4,  10, 24, 17, 21, 19, 23, 18, 22, 20};
    OK(b->begin(b));
    for (size_t i = 0; i < N; i++) {
        unsigned int n = order[i];
        set[n] = original(n);
        rf_task_record r = record_of(n, &set[n]);
        OK(b->task_insert(b, PA, &r));
    }
    /* The same ids and keys in another practice are never visited from PA. */
    rf_task_record other = task(uid(1), "key-1", "P1", "F1", 1, 1, -10000);
    OK(b->task_insert(b, PB, &other));
    OK(b->commit(b));
}

static visits *tasks(rf_backend *b, const char *after, const char *party, const char *referral, int kind,
                     int state, rf_time due_by, rf_time lease_free_at, unsigned int limit)
{
    rf_task_query q = {after, party, referral, kind, state, due_by, lease_free_at, limit};
    return scan_tasks(b, PA, &q);
}

static int same(const char *want, const char *got)
{
    return want == NULL || (got != NULL && strcmp(want, got) == 0);
}

/* What the model says a query visits. */
static size_t expected(const model set[N + 1], const rf_task_query *q, unsigned int out[N])
{
    size_t n = 0;
    for (unsigned int i = 1; i <= N && (q->limit == 0 || n < q->limit); i++) {
        const model *m = &set[i];
        if ((q->after_id == NULL || strcmp(uid(i), q->after_id) > 0) && same(q->party_id, m->party) &&
            same(q->referral_id, m->referral) && (q->kind == 0 || q->kind == m->kind) &&
            (q->state == 0 || q->state == m->state) && (q->due_by == U || m->due_at <= q->due_by) &&
            (q->lease_free_at == U || m->lease_until == 0 || m->lease_until <= q->lease_free_at)) {
            out[n++] = i;
        }
    }
    return n;
}

/* Every combination of a few values of every filter gives what the model says. */
static void check_against_model(rf_backend *b, const model set[N + 1])
{
    static const char *const pts[] = {NULL, "P1", "F1"};
    static const char *const refs[] = {NULL, "F1", "F0"};
    static const int ks[] = {0, 2, 70};
    static const int sts[] = {0, 1, 71, 72};
    static const rf_time dues[] = {U, -1, 0, 800};
    static const rf_time leases[] = {U, -300, 0, 400};
    static const unsigned int limits[] = {0, 2};
    char after7[40];
    snprintf(after7, sizeof after7, "%s", uid(7)); /* uid()'s ring would not keep it */
    const char *afters[] = {NULL, after7};
    unsigned long checked = 0;
    for (size_t ip = 0; ip < 3; ip++)
        for (size_t ir = 0; ir < 3; ir++)
            for (size_t ik = 0; ik < 3; ik++)
                for (size_t is = 0; is < 4; is++)
                    for (size_t d = 0; d < 4; d++)
                        for (size_t le = 0; le < 4; le++)
                            for (size_t l = 0; l < 2; l++)
                                for (size_t a = 0; a < 2; a++) {
                                    rf_task_query q = {afters[a], pts[ip], refs[ir],   ks[ik],
                                                       sts[is],   dues[d], leases[le], limits[l]};
                                    unsigned int want[N];
                                    size_t n = expected(set, &q, want);
                                    visits *v = scan_tasks(b, PA, &q);
                                    if (v->n != n) {
                                        fail_msg(
                                            "query %zu/%zu/%zu/%zu/%zu/%zu/%zu/%zu: %zu visited, want %zu",
                                            ip, ir, ik, is, d, le, l, a, v->n, n);
                                    }
                                    assert_visited(v, want, n);
                                    checked++;
                                }
    assert_int_equal(checked, 3 * 3 * 3 * 4 * 4 * 4 * 2 * 2);
}

static void test_task_scan_filters(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v4(b);
    model set[N + 1];
    insert_set(b, set);

    /* No filter, and keyset paging. */
    assert_visited(tasks(b, NULL, NULL, NULL, 0, 0, U, U, 10),
                   (unsigned int[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10);
    assert_visited(tasks(b, uid(10), NULL, NULL, 0, 0, U, U, 10),
                   (unsigned int[]){11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, 10);
    assert_visited(tasks(b, uid(20), NULL, NULL, 0, 0, U, U, 10), (unsigned int[]){21, 22, 23, 24}, 4);
    assert_visited(tasks(b, uid(24), NULL, NULL, 0, 0, U, U, 10), NULL, 0);
    /* Each filter alone. */
    assert_visited(tasks(b, NULL, "P1", NULL, 0, 0, U, U, 0), (unsigned int[]){1, 4, 7, 10, 13, 16, 19, 22},
                   8);
    assert_visited(tasks(b, NULL, NULL, "F2", 0, 0, U, U, 0), (unsigned int[]){2, 6, 10, 14, 18, 22}, 6);
    assert_visited(tasks(b, NULL, NULL, NULL, 2, 0, U, U, 0), (unsigned int[]){3, 4, 5, 15, 16, 17}, 6);
    assert_visited(tasks(b, NULL, NULL, NULL, 70, 0, U, U, 0), (unsigned int[]){9, 10, 11, 21, 22, 23}, 6);
    assert_visited(tasks(b, NULL, NULL, NULL, 0, 1, U, U, 0), (unsigned int[]){5, 10, 15, 20}, 4);
    /* States past the small ones are told apart all the same. */
    assert_visited(tasks(b, NULL, NULL, NULL, 0, 71, U, U, 0), (unsigned int[]){4, 9, 14, 19, 24}, 5);
    assert_visited(tasks(b, NULL, NULL, NULL, 0, 72, U, U, 0), NULL, 0);
    /* due_by: due_at <= the bound, inclusive; 0 is a time like any other. */
    assert_visited(tasks(b, NULL, NULL, NULL, 0, 0, -900, U, 0), (unsigned int[]){1, 2, 3}, 3);
    assert_visited(tasks(b, NULL, NULL, NULL, 0, 0, -901, U, 0), (unsigned int[]){1, 2}, 2);
    assert_visited(tasks(b, NULL, NULL, NULL, 0, 0, 0, U, 0),
                   (unsigned int[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 12);
    /* lease_free_at: not leased (0), or the lease ends at or before the bound. */
    assert_visited(tasks(b, NULL, NULL, NULL, 0, 0, U, -500, 0),
                   (unsigned int[]){1, 2, 3, 6, 9, 12, 15, 18, 21, 24}, 10);
    assert_visited(tasks(b, NULL, NULL, NULL, 0, 0, U, -501, 0),
                   (unsigned int[]){1, 3, 6, 9, 12, 15, 18, 21, 24}, 9);
    assert_visited(tasks(b, NULL, NULL, NULL, 0, 0, U, INT64_MIN + 1, 0),
                   (unsigned int[]){3, 6, 9, 12, 15, 18, 21, 24}, 8);
    /* Ids are bytes, and one held in another role matches nothing. */
    assert_visited(tasks(b, NULL, "p1", NULL, 0, 0, U, U, 0), NULL, 0);
    assert_visited(tasks(b, NULL, "F1", NULL, 0, 0, U, U, 0), NULL, 0);
    assert_visited(tasks(b, NULL, NULL, "P1", 0, 0, U, U, 0), NULL, 0);
    /* Combined. */
    assert_visited(tasks(b, NULL, "P1", "F1", 0, 0, U, U, 0), (unsigned int[]){1, 13}, 2);
    assert_visited(tasks(b, NULL, "P1", NULL, 70, 0, U, U, 0), (unsigned int[]){10, 22}, 2);
    assert_visited(tasks(b, NULL, NULL, "F2", 70, 0, U, U, 0), (unsigned int[]){10, 22}, 2);
    assert_visited(tasks(b, NULL, "P1", "F2", 70, 1, U, U, 0), (unsigned int[]){10}, 1);
    assert_visited(tasks(b, NULL, "P1", "F2", 70, 2, U, U, 0), NULL, 0);
    /* The drain: one state, due by now, lease free now, a page at a time. */
    assert_visited(tasks(b, NULL, NULL, NULL, 0, 1, 1000, 1000, 0), (unsigned int[]){5, 10, 15, 20}, 4);
    assert_visited(tasks(b, NULL, NULL, NULL, 0, 1, 0, 0, 0), (unsigned int[]){5, 10}, 2);
    assert_visited(tasks(b, NULL, NULL, NULL, 0, 1, 500, -350, 0), (unsigned int[]){5, 15}, 2);
    assert_visited(tasks(b, NULL, NULL, NULL, 0, 1, 500, -351, 0), (unsigned int[]){15}, 1);
    assert_visited(tasks(b, NULL, NULL, NULL, 0, 2, 600, 100, 2), (unsigned int[]){1, 6}, 2);
    assert_visited(tasks(b, uid(6), NULL, NULL, 0, 2, 600, 100, 2), (unsigned int[]){11}, 1);
    assert_visited(tasks(b, uid(11), NULL, NULL, 0, 2, 600, 100, 2), NULL, 0);
    /* Filters come before the limit; paging goes on after the last one visited. */
    assert_visited(tasks(b, NULL, "P1", NULL, 0, 0, U, U, 3), (unsigned int[]){1, 4, 7}, 3);
    assert_visited(tasks(b, uid(7), "P1", NULL, 0, 0, U, U, 3), (unsigned int[]){10, 13, 16}, 3);
    assert_visited(tasks(b, uid(16), "P1", NULL, 0, 0, U, U, 3), (unsigned int[]){19, 22}, 2);
    /* after_id need not exist: this one sorts between uid(4) and uid(5). */
    assert_visited(tasks(b, "0190a1b2-0000-7000-8000-0000000000041", "P2", NULL, 0, 0, U, U, 0),
                   (unsigned int[]){5, 8, 11, 14, 17, 20, 23}, 7);

    /* The callback stops the scan, filters notwithstanding. */
    visits *v = visits_new(2);
    rf_task_query q = {uid(5), NULL, NULL, 0, 1, U, U, 0};
    OK(b->task_scan(b, PA, &q, on_task, v));
    assert_visited(v, (unsigned int[]){10, 15}, 2);
    /* Another practice sees only its own. */
    q = task_query();
    q.party_id = "P1";
    assert_visited(scan_tasks(b, PB, &q), (unsigned int[]){1}, 1);
    q.state = 2;
    assert_visited(scan_tasks(b, PB, &q), NULL, 0);
    assert_visited(scan_tasks(b, "c", &q), NULL, 0);

    check_against_model(b, set);
}

static void update_to(rf_backend *b, model set[N + 1], unsigned int n, const model *m)
{
    set[n] = *m;
    rf_task_record r = record_of(n, m);
    OK(b->task_update(b, PA, &r));
}

static void test_task_scan_follows_updates(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v4(b);
    model set[N + 1];
    insert_set(b, set);

    /* A drain: lease every due state-1 task, then send some (state 2, lease gone). */
    OK(b->begin(b));
    for (unsigned int n = 5; n <= N; n += 5) {
        model m = set[n];
        m.lease_until = 1300;
        update_to(b, set, n, &m);
    }
    OK(b->commit(b));
    check_against_model(b, set);
    assert_visited(tasks(b, NULL, NULL, NULL, 0, 1, 1000, 1000, 0), NULL, 0);
    assert_visited(tasks(b, NULL, NULL, NULL, 0, 1, 1000, 1300, 0), (unsigned int[]){5, 10, 15, 20}, 4);
    OK(b->begin(b));
    for (unsigned int n = 5; n <= 10; n += 5) {
        model m = set[n];
        m.state = 2;
        m.lease_until = 0;
        update_to(b, set, n, &m);
    }
    OK(b->commit(b));
    check_against_model(b, set);

    /* Move tasks between parties, referrals, kinds, states and times (the key stays). */
    OK(b->begin(b));
    for (unsigned int n = 1; n <= N; n += 3) {
        model m = set[n];
        m.party = parties[(n + 1) % 3];
        m.referral = referrals[(n + 2) % 4];
        m.kind = kinds[(n + 1) % 4];
        m.state = states[(n + 2) % 5];
        m.due_at = -m.due_at;
        m.lease_until = m.lease_until == 0 ? 250 : 0;
        update_to(b, set, n, &m);
    }
    OK(b->commit(b));
    check_against_model(b, set);

    /* And back, with an inner level rolled back on the way: scans follow the undo too. */
    OK(b->begin(b));
    for (unsigned int n = 1; n <= N; n += 3) {
        model m = original(n);
        update_to(b, set, n, &m);
    }
    OK(b->begin(b));
    model scratch[N + 1];
    memcpy(scratch, set, sizeof scratch);
    for (unsigned int n = 2; n <= N; n += 2) {
        model m = {"P9", "F9", 9, 9, 9, 9};
        update_to(b, scratch, n, &m);
    }
    rf_task_record extra = task(uid(25), "key-25", "P1", "F1", 1, 1, 0);
    OK(b->task_insert(b, PA, &extra));
    OK(b->rollback(b));
    OK(b->commit(b));
    check_against_model(b, set);
    assert_visited(tasks(b, NULL, "P9", NULL, 0, 0, U, U, 0), NULL, 0);
    assert_visited(tasks(b, NULL, NULL, "F9", 0, 0, U, U, 0), NULL, 0);
    assert_visited(tasks(b, NULL, NULL, NULL, 9, 0, U, U, 0), NULL, 0);
    assert_visited(tasks(b, NULL, NULL, NULL, 0, 9, U, U, 0), NULL, 0);
    assert_visited(tasks(b, uid(24), NULL, NULL, 0, 0, U, U, 0), NULL, 0);

    /* A whole transaction rolled back leaves the model as it was. */
    OK(b->begin(b));
    for (unsigned int n = 1; n <= N; n++) {
        model m = {"P0", NULL, 1, 1, 0, 0};
        update_to(b, scratch, n, &m);
    }
    OK(b->rollback(b));
    check_against_model(b, set);
}

const struct CMUnitTest task_scan_cases[] = {
    CASE(test_task_scan_filters),
    CASE(test_task_scan_follows_updates),
};
const size_t task_scan_case_count = sizeof task_scan_cases / sizeof task_scan_cases[0];
