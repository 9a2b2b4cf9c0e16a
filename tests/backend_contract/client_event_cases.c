/* Contract cases for client events (contract version 4): insert, every field through a scan,
 * unset strings, the unique id, writes only in a transaction, each scan filter alone and combined
 * against a model, keyset paging, practices and rollback at nested levels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define U RF_TIME_UNSET
#define N 20

static void test_client_event_round_trip(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v4(b);
    rf_client_event_record first;
    fill_client_event(&first, 1);
    OK(b->begin(b));
    OK(b->client_event_insert(b, PA, &first));
    expect_client_event(b, PA, &first); /* a transaction sees its own writes */
    OK(b->commit(b));
    expect_client_event(b, PA, &first);

    /* Unset optional strings stay NULL, zeros stay zero. */
    rf_client_event_record bare = client_event(uid(2), "party-2", 1, 0);
    bare.practitioner_id = NULL;
    bare.label = NULL;
    bare.currency = NULL;
    bare.value = 0;
    bare.amount = 0;
    bare.recorded_at = 0;
    /* And the other extremes. */
    rf_client_event_record third;
    fill_client_event(&third, 3);
    third.amount = INT64_MIN;
    third.value = -1;
    third.at = INT64_MAX;
    third.label = ""; /* empty is not unset */
    OK(b->begin(b));
    OK(b->client_event_insert(b, PA, &bare));
    OK(b->client_event_insert(b, PA, &third));
    OK(b->commit(b));
    expect_client_event(b, PA, &first);
    expect_client_event(b, PA, &bare);
    expect_client_event(b, PA, &third);
    rf_client_event_query q = client_event_query();
    assert_visited(scan_client_events(b, PA, &q), (unsigned int[]){1, 2, 3}, 3);
    /* A NULL query filters on nothing. */
    visits *v = visits_new(0);
    OK(b->client_event_scan(b, PA, NULL, on_client_event, v));
    assert_visited(v, (unsigned int[]){1, 2, 3}, 3);
}

static void test_client_event_duplicate(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v4(b);
    rf_client_event_record first = client_event(uid(1), "party-1", 2, 1000);
    rf_client_event_query q = client_event_query();
    /* Nothing to see yet, in a practice never written. */
    assert_visited(scan_client_events(b, PA, &q), NULL, 0);

    /* Writes need a transaction; a refused one stores nothing. */
    assert_status(RF_EBACKEND, b->client_event_insert(b, PA, &first));
    assert_visited(scan_client_events(b, PA, &q), NULL, 0);

    OK(b->begin(b));
    OK(b->client_event_insert(b, PA, &first));
    rf_client_event_record same_id;
    fill_client_event(&same_id, 7);
    same_id.id = uid(1);
    assert_status(RF_EEXISTS, b->client_event_insert(b, PA, &same_id));
    /* The same party, type and time again is another event (the library keys idempotency). */
    rf_client_event_record again = client_event(uid(2), "party-1", 2, 1000);
    OK(b->client_event_insert(b, PA, &again));
    /* A failed write leaves the transaction usable and its earlier writes in place. */
    OK(b->commit(b));
    expect_client_event(b, PA, &first);
    expect_client_event(b, PA, &again);
    assert_visited(scan_client_events(b, PA, &q), (unsigned int[]){1, 2}, 2);
    q.party_id = "party-7";
    assert_visited(scan_client_events(b, PA, &q), NULL, 0);

    /* The id is unique per practice: the same one in another practice is another event. */
    OK(b->begin(b));
    OK(b->client_event_insert(b, PB, &same_id));
    OK(b->commit(b));
    expect_client_event(b, PB, &same_id);
    expect_client_event(b, PA, &first);
    q = client_event_query();
    assert_visited(scan_client_events(b, PB, &q), (unsigned int[]){1}, 1);
    assert_visited(scan_client_events(b, "c", &q), NULL, 0);
}

/* --- scans against a model ----------------------------------------------------------------------- */

/* Event n (1..N) of the set: party P<n % 3>, a type from below (past 63 too, where a backend may
 * share an index entry between types), at 100 n - 800 (negative, and 0 for 8). */
static const int types[] = {1, 2, 3, 70, 71};

typedef struct model {
    const char *party;
    int type;
    rf_time at;
} model;

static model original(unsigned int n)
{
    static const char *const parties[] = {"P0", "P1", "P2"};
    model m = {parties[n % 3], types[n % 5], 100 * (rf_time)n - 800};
    return m;
}

static void insert_set(rf_backend *b, model set[N + 1])
{
    static const unsigned int order[N] = {9, 2,  16, 5,  12, 1,  14, 7,  3,  11,
                                          6, 15, 8,  13, 4,  10, 20, 17, 19, 18};
    OK(b->begin(b));
    for (size_t i = 0; i < N; i++) {
        unsigned int n = order[i];
        set[n] = original(n);
        rf_client_event_record r = client_event(uid(n), set[n].party, set[n].type, set[n].at);
        /* The other time must not be mistaken for the filtered one. */
        r.recorded_at = 5;
        OK(b->client_event_insert(b, PA, &r));
    }
    /* The same ids in another practice are never visited from PA. */
    rf_client_event_record other = client_event(uid(1), "P1", 1, 100);
    OK(b->client_event_insert(b, PB, &other));
    OK(b->commit(b));
}

static visits *events(rf_backend *b, const char *after, const char *party, int type, rf_time from, rf_time to,
                      unsigned int limit)
{
    rf_client_event_query q = {after, party, type, from, to, limit};
    return scan_client_events(b, PA, &q);
}

static size_t expected(const model set[N + 1], const rf_client_event_query *q, unsigned int out[N])
{
    size_t n = 0;
    for (unsigned int i = 1; i <= N && (q->limit == 0 || n < q->limit); i++) {
        const model *m = &set[i];
        if ((q->after_id == NULL || strcmp(uid(i), q->after_id) > 0) &&
            (q->party_id == NULL || strcmp(q->party_id, m->party) == 0) &&
            (q->type == 0 || q->type == m->type) && (q->from == U || m->at >= q->from) &&
            (q->to == U || m->at < q->to)) {
            out[n++] = i;
        }
    }
    return n;
}

static void check_against_model(rf_backend *b, const model set[N + 1])
{
    static const char *const parties[] = {NULL, "P1", "P9"};
    static const int want_types[] = {0, 2, 70, 71, 64};
    static const rf_time froms[] = {U, -300, 0, 701};
    static const rf_time tos[] = {U, -300, 0, 1200};
    static const unsigned int limits[] = {0, 1, 3};
    char after7[40];
    snprintf(after7, sizeof after7, "%s", uid(7)); /* uid()'s ring would not keep it */
    const char *afters[] = {NULL, after7};
    unsigned long checked = 0;
    for (size_t ip = 0; ip < 3; ip++)
        for (size_t it = 0; it < 5; it++)
            for (size_t f = 0; f < 4; f++)
                for (size_t t = 0; t < 4; t++)
                    for (size_t l = 0; l < 3; l++)
                        for (size_t a = 0; a < 2; a++) {
                            rf_client_event_query q = {afters[a], parties[ip], want_types[it],
                                                       froms[f],  tos[t],      limits[l]};
                            unsigned int want[N];
                            size_t n = expected(set, &q, want);
                            visits *v = scan_client_events(b, PA, &q);
                            if (v->n != n) {
                                fail_msg("query %zu/%zu/%zu/%zu/%zu/%zu: %zu visited, want %zu", ip, it, f, t,
                                         l, a, v->n, n);
                            }
                            assert_visited(v, want, n);
                            checked++;
                        }
    assert_int_equal(checked, 3 * 5 * 4 * 4 * 3 * 2);
}

static void test_client_event_scan_filters(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v4(b);
    model set[N + 1];
    insert_set(b, set);

    /* No filter, and keyset paging. */
    assert_visited(events(b, NULL, NULL, 0, U, U, 0),
                   (unsigned int[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20},
                   20);
    assert_visited(events(b, NULL, NULL, 0, U, U, 8), (unsigned int[]){1, 2, 3, 4, 5, 6, 7, 8}, 8);
    assert_visited(events(b, uid(8), NULL, 0, U, U, 8), (unsigned int[]){9, 10, 11, 12, 13, 14, 15, 16}, 8);
    assert_visited(events(b, uid(16), NULL, 0, U, U, 8), (unsigned int[]){17, 18, 19, 20}, 4);
    assert_visited(events(b, uid(20), NULL, 0, U, U, 8), NULL, 0);
    /* Each filter alone. */
    assert_visited(events(b, NULL, "P1", 0, U, U, 0), (unsigned int[]){1, 4, 7, 10, 13, 16, 19}, 7);
    assert_visited(events(b, NULL, NULL, 2, U, U, 0), (unsigned int[]){1, 6, 11, 16}, 4);
    /* Types past the small ones are told apart all the same. */
    assert_visited(events(b, NULL, NULL, 70, U, U, 0), (unsigned int[]){3, 8, 13, 18}, 4);
    assert_visited(events(b, NULL, NULL, 71, U, U, 0), (unsigned int[]){4, 9, 14, 19}, 4);
    assert_visited(events(b, NULL, NULL, 72, U, U, 0), NULL, 0);
    /* from is inclusive, to exclusive; 0 is a time like any other. */
    assert_visited(events(b, NULL, NULL, 0, 1000, U, 0), (unsigned int[]){18, 19, 20}, 3);
    assert_visited(events(b, NULL, NULL, 0, 1001, U, 0), (unsigned int[]){19, 20}, 2);
    assert_visited(events(b, NULL, NULL, 0, U, -500, 0), (unsigned int[]){1, 2}, 2);
    assert_visited(events(b, NULL, NULL, 0, U, -499, 0), (unsigned int[]){1, 2, 3}, 3);
    assert_visited(events(b, NULL, NULL, 0, 0, 100, 0), (unsigned int[]){8}, 1);
    assert_visited(events(b, NULL, NULL, 0, 0, 0, 0), NULL, 0);
    assert_visited(events(b, NULL, NULL, 0, 500, 300, 0), NULL, 0);
    /* Ids are bytes. */
    assert_visited(events(b, NULL, "p1", 0, U, U, 0), NULL, 0);
    /* Combined. */
    assert_visited(events(b, NULL, "P1", 2, U, U, 0), (unsigned int[]){1, 16}, 2);
    assert_visited(events(b, NULL, "P1", 0, 0, 1000, 0), (unsigned int[]){10, 13, 16}, 3);
    assert_visited(events(b, NULL, NULL, 71, -400, 600, 0), (unsigned int[]){4, 9}, 2);
    assert_visited(events(b, NULL, "P2", 71, U, U, 0), (unsigned int[]){14}, 1);
    assert_visited(events(b, NULL, "P2", 70, U, U, 0), (unsigned int[]){8}, 1);
    /* Filters come before the limit; paging goes on after the last one visited. */
    assert_visited(events(b, NULL, "P1", 0, U, U, 3), (unsigned int[]){1, 4, 7}, 3);
    assert_visited(events(b, uid(7), "P1", 0, U, U, 3), (unsigned int[]){10, 13, 16}, 3);
    assert_visited(events(b, uid(16), "P1", 0, U, U, 3), (unsigned int[]){19}, 1);
    assert_visited(events(b, NULL, NULL, 0, 0, U, 5), (unsigned int[]){8, 9, 10, 11, 12}, 5);
    /* after_id need not exist: this one sorts between uid(4) and uid(5). */
    assert_visited(events(b, "0190a1b2-0000-7000-8000-0000000000041", "P2", 0, U, U, 0),
                   (unsigned int[]){5, 8, 11, 14, 17, 20}, 6);

    /* The callback stops the scan, filters notwithstanding. */
    visits *v = visits_new(2);
    rf_client_event_query q = {uid(1), NULL, 2, U, U, 0};
    OK(b->client_event_scan(b, PA, &q, on_client_event, v));
    assert_visited(v, (unsigned int[]){6, 11}, 2);
    /* Another practice sees only its own. */
    q = client_event_query();
    q.party_id = "P1";
    assert_visited(scan_client_events(b, PB, &q), (unsigned int[]){1}, 1);
    q.type = 2;
    assert_visited(scan_client_events(b, PB, &q), NULL, 0);
    assert_visited(scan_client_events(b, "c", &q), NULL, 0);

    check_against_model(b, set);
}

static void test_client_event_rollback(void **state)
{
    fixture *fx = *state;
    rf_backend *b = fx->b;
    need_v4(b);
    model set[N + 1];
    insert_set(b, set);

    /* An inner level rolled back, the outer one committed; then a level rolled back whole. */
    rf_client_event_record kept = client_event(uid(21), "P1", 2, 5000);
    rf_client_event_record dropped = client_event(uid(22), "P1", 2, 5000);
    rf_client_event_record dropped_too = client_event(uid(23), "P9", 70, -5000);
    OK(b->begin(b));
    OK(b->client_event_insert(b, PA, &kept));
    OK(b->begin(b));
    OK(b->client_event_insert(b, PA, &dropped));
    OK(b->client_event_insert(b, PA, &dropped_too));
    OK(b->begin(b));
    rf_client_event_record deepest = client_event(uid(24), "P1", 3, 0);
    OK(b->client_event_insert(b, PA, &deepest));
    OK(b->commit(b)); /* folds into the level that is rolled back next */
    OK(b->rollback(b));
    OK(b->commit(b));
    for (int round = 0; round < 2; round++) {
        expect_client_event(b, PA, &kept);
        rf_client_event_query q = client_event_query();
        q.party_id = "P1";
        q.type = 2;
        assert_visited(scan_client_events(b, PA, &q), (unsigned int[]){1, 16, 21}, 3);
        q = client_event_query();
        q.party_id = "P9";
        assert_visited(scan_client_events(b, PA, &q), NULL, 0);
        q = client_event_query();
        q.after_id = uid(20);
        assert_visited(scan_client_events(b, PA, &q), (unsigned int[]){21}, 1);
        OK(b->begin(b));
        OK(b->client_event_insert(b, PA, &dropped));
        OK(b->client_event_insert(b, PA, &dropped_too));
        OK(b->rollback(b));
    }
    /* Everything undone can be written again, and then sticks. */
    OK(b->begin(b));
    OK(b->client_event_insert(b, PA, &dropped));
    OK(b->commit(b));
    expect_client_event(b, PA, &dropped);

    /* Freeing with levels open keeps only what was committed. */
    OK(b->begin(b));
    OK(b->client_event_insert(b, PA, &dropped_too));
    OK(b->begin(b));
    OK(b->client_event_insert(b, PA, &deepest));
    b = free_and_reopen(fx);
    if (b == NULL) {
        return;
    }
    rf_client_event_query q = client_event_query();
    q.after_id = uid(20);
    assert_visited(scan_client_events(b, PA, &q), (unsigned int[]){21, 22}, 2);
    expect_client_event(b, PA, &kept);
}

const struct CMUnitTest client_event_cases[] = {
    CASE(test_client_event_round_trip),
    CASE(test_client_event_duplicate),
    CASE(test_client_event_scan_filters),
    CASE(test_client_event_rollback),
};
const size_t client_event_case_count = sizeof client_event_cases / sizeof client_event_cases[0];
