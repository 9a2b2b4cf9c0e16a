/* The practice lock and the life of a transaction on PostgreSQL: writers of
 * different practices run side by side, a writer of a held practice gets
 * RF_EBUSY (after a short lock_timeout the conninfo sets) and may retry in
 * the same transaction, a failed statement loses the transaction (refusing
 * writes and commits until every level is closed), a lost connection is made
 * again where nothing was open on it, and int64 extremes survive. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "support.h"

/* A second backend on the case's database that gives up on a lock after 100 ms. */
static rf_backend *impatient(const pg_fixture *fx)
{
    char conninfo[1200];
    pg_conninfo_with(fx, "options='-c lock_timeout=100'", conninfo, sizeof conninfo);
    rf_backend *b = NULL;
    CHECK(RF_OK, rf_backend_postgres_new(&b, conninfo));
    return b;
}

static void expect_party(rf_backend *b, const char *practice, const char *id, int want)
{
    rf_party_record got;
    CHECK(want ? RF_OK : RF_ENOTFOUND, b->party_get(b, practice, id, &got));
}

static void test_practices_run_side_by_side(void **state)
{
    pg_fixture *fx = *state;
    rf_backend *a = fx->b, *other = impatient(fx);
    rf_party_record p1 = pg_party("p1", "e1"), p2 = pg_party("p2", "e2");
    CHECK(RF_OK, a->begin(a));
    CHECK(RF_OK, a->party_insert(a, "a", &p1));
    CHECK(RF_OK, other->begin(other));
    CHECK(RF_OK, other->party_insert(other, "b", &p2)); /* another practice: not held up */
    CHECK(RF_OK, other->commit(other));
    CHECK(RF_OK, a->commit(a));
    expect_party(other, "a", "p1", 1);
    expect_party(a, "b", "p2", 1);
    rf_backend_free(other);
}

static void test_held_practice_is_busy_then_retried(void **state)
{
    pg_fixture *fx = *state;
    rf_backend *a = fx->b, *other = impatient(fx);
    rf_party_record p1 = pg_party("p1", "e1"), p2 = pg_party("p2", "e2");
    CHECK(RF_OK, a->begin(a));
    CHECK(RF_OK, a->party_insert(a, "a", &p1));
    /* Outside a transaction a read waits for nothing and sees only what is committed. */
    expect_party(other, "a", "p1", 0);
    CHECK(RF_OK, other->begin(other));
    rf_party_record got;
    memset(&got, 0xAB, sizeof got);
    CHECK(RF_EBUSY, other->party_get(other, "a", "p1", &got)); /* reads in a transaction take the lock */
    assert_null(got.id);
    assert_non_null(strstr(rf_error_last()->message, "lock"));
    CHECK(RF_EBUSY, other->party_insert(other, "a", &p2));
    CHECK(RF_OK, a->commit(a));
    /* The same transaction goes on once the lock is free, and sees what was committed. */
    expect_party(other, "a", "p1", 1);
    CHECK(RF_OK, other->party_insert(other, "a", &p2));
    CHECK(RF_OK, other->commit(other));
    expect_party(a, "a", "p2", 1);
    rf_backend_free(other);
}

/* Invalid UTF-8 is refused by the server: a statement failure, which loses
 * the whole transaction (as SQLite loses one after I/O errors): rolled back at
 * once, reads see what is committed, writes and commits are refused until
 * every level is closed, by rollback or by the refused commit. */
static void test_failed_statement_loses_the_transaction(void **state)
{
    pg_fixture *fx = *state;
    rf_backend *b = fx->b;
    rf_party_record p1 = pg_party("p1", "e1"), p2 = pg_party("p2", "e2"), bad = pg_party("bad", "e3");
    bad.display_name = "\xff\xfe";
    for (int close_by_commit = 0; close_by_commit < 2; close_by_commit++) {
        CHECK(RF_OK, b->begin(b));
        CHECK(RF_OK, b->party_insert(b, "a", &p1));
        CHECK(RF_EBACKEND, b->party_insert(b, "a", &bad));
        expect_party(b, "a", "p1", 0);
        CHECK(RF_EBACKEND, b->party_insert(b, "a", &p2));
        CHECK(RF_EBACKEND, b->begin(b));
        if (close_by_commit) {
            CHECK(RF_EBACKEND, b->commit(b));
        } else {
            CHECK(RF_OK, b->rollback(b));
        }
        CHECK(RF_EBACKEND, b->rollback(b)); /* no level is left open */
        expect_party(b, "a", "p1", 0);
        expect_party(b, "a", "p2", 0);
    }
    CHECK(RF_OK, b->begin(b));
    CHECK(RF_OK, b->party_insert(b, "a", &p2));
    CHECK(RF_OK, b->commit(b));
    expect_party(b, "a", "p2", 1);
}

static void test_failure_in_an_inner_level_loses_it_all(void **state)
{
    pg_fixture *fx = *state;
    rf_backend *b = fx->b;
    rf_party_record p1 = pg_party("p1", "e1"), p2 = pg_party("p2", "e2"), p3 = pg_party("p3", "e3");
    rf_party_record bad = pg_party("bad", "e4");
    bad.display_name = "\xc3\x28";
    CHECK(RF_OK, b->begin(b));
    CHECK(RF_OK, b->party_insert(b, "a", &p1));
    CHECK(RF_OK, b->begin(b));
    CHECK(RF_OK, b->party_insert(b, "a", &p2));
    CHECK(RF_EBACKEND, b->party_insert(b, "a", &bad));
    CHECK(RF_OK, b->rollback(b));
    CHECK(RF_EBACKEND, b->party_insert(b, "a", &p3));
    CHECK(RF_EBACKEND, b->commit(b));
    CHECK(RF_OK, b->begin(b));
    CHECK(RF_OK, b->party_insert(b, "a", &p3));
    CHECK(RF_OK, b->commit(b));
    expect_party(b, "a", "p1", 0);
    expect_party(b, "a", "p2", 0);
    expect_party(b, "a", "p3", 1);
}

/* A clash inside a transaction is a row count, not an error: the transaction goes on. */
static void test_clashes_keep_the_transaction(void **state)
{
    pg_fixture *fx = *state;
    rf_backend *b = fx->b;
    rf_party_record p1 = pg_party("p1", "e1"), p2 = pg_party("p2", "e2"), dup = pg_party("p3", "e1");
    CHECK(RF_OK, b->begin(b));
    CHECK(RF_OK, b->party_insert(b, "a", &p1));
    CHECK(RF_EEXISTS, b->party_insert(b, "a", &p1));
    assert_non_null(strstr(rf_error_last()->message, "party 'p1' already exists"));
    CHECK(RF_EEXISTS, b->party_insert(b, "a", &dup));
    assert_non_null(strstr(rf_error_last()->message, "external id 'e1'"));
    CHECK(RF_OK, b->party_insert(b, "a", &p2));
    p2.external_id = "e1";
    CHECK(RF_EEXISTS, b->party_update(b, "a", &p2));
    CHECK(RF_OK, b->commit(b));
    rf_party_record got;
    CHECK(RF_OK, b->party_get(b, "a", "p2", &got));
    assert_string_equal(got.external_id, "e2");
    expect_party(b, "a", "p3", 0);
}

/* Ends the backend's session from another connection, as a server restart or a proxy would. */
static void kill_session(const pg_fixture *fx)
{
    PGconn *peek = pg_peek(fx);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '%s' AND pid <> "
             "pg_backend_pid()",
             fx->dbname);
    assert_string_equal(pg_value(peek, sql), "1");
    PQfinish(peek);
}

/* Outside a transaction, and before a transaction's first statement, a lost
 * connection is made again unseen; inside one, the transaction is lost. */
static void test_lost_connection_made_again(void **state)
{
    pg_fixture *fx = *state;
    rf_backend *b = fx->b;
    rf_party_record p1 = pg_party("p1", "e1"), p2 = pg_party("p2", "e2");
    kill_session(fx);
    expect_party(b, "a", "p1", 0);
    kill_session(fx);
    CHECK(RF_OK, b->begin(b));
    CHECK(RF_OK, b->party_insert(b, "a", &p1));
    CHECK(RF_OK, b->commit(b));
    expect_party(b, "a", "p1", 1);

    CHECK(RF_OK, b->begin(b));
    CHECK(RF_OK, b->party_insert(b, "a", &p2));
    kill_session(fx);
    CHECK(RF_EBACKEND, b->party_update(b, "a", &p2));
    assert_non_null(strstr(rf_error_last()->message, "connection"));
    CHECK(RF_EBACKEND, b->party_insert(b, "a", &p2));
    expect_party(b, "a", "p2", 0);
    CHECK(RF_OK, b->rollback(b));
    CHECK(RF_OK, b->begin(b));
    CHECK(RF_OK, b->party_insert(b, "a", &p2));
    CHECK(RF_OK, b->commit(b));
    expect_party(b, "a", "p2", 1);
}

static void test_int64_extremes(void **state)
{
    pg_fixture *fx = *state;
    rf_backend *b = fx->b;
    rf_party_record p = pg_party("p1", NULL);
    p.first_visit_at = -1;
    p.created_at = INT64_MIN;
    p.updated_at = INT64_MAX;
    rf_idempotency_record k = {"k1", "party.add", "p1", UINT64_MAX, INT64_MIN + 1};
    rf_touch_record t = {"t1", "c1", "p1", NULL, "v1", 3, INT64_MAX};
    CHECK(RF_OK, b->begin(b));
    CHECK(RF_OK, b->party_insert(b, "a", &p));
    CHECK(RF_OK, b->idempotency_put(b, "a", &k));
    CHECK(RF_OK, b->touch_insert(b, "a", &t));
    CHECK(RF_OK, b->commit(b));
    rf_party_record got;
    CHECK(RF_OK, b->party_get(b, "a", "p1", &got));
    assert_true(got.first_visit_at == -1 && got.created_at == INT64_MIN && got.updated_at == INT64_MAX);
    assert_null(got.external_id);
    rf_idempotency_record kg;
    CHECK(RF_OK, b->idempotency_get(b, "a", "k1", &kg));
    assert_true(kg.fingerprint == UINT64_MAX && kg.created_at == INT64_MIN + 1);
    rf_touch_record tg;
    CHECK(RF_OK, b->touch_get(b, "a", "t1", &tg));
    assert_true(tg.at == INT64_MAX);
    assert_null(tg.program_id);
}

#define CASE(fn) cmocka_unit_test_setup_teardown(fn, pg_setup, pg_teardown)

const struct CMUnitTest pg_lock_cases[] = {
    CASE(test_practices_run_side_by_side),
    CASE(test_held_practice_is_busy_then_retried),
    CASE(test_failed_statement_loses_the_transaction),
    CASE(test_failure_in_an_inner_level_loses_it_all),
    CASE(test_clashes_keep_the_transaction),
    CASE(test_lost_connection_made_again),
    CASE(test_int64_extremes),
};
const size_t pg_lock_case_count = sizeof pg_lock_cases / sizeof pg_lock_cases[0];
