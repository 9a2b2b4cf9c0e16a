/* Scans of client events, outbox tasks and templates (contract version 4)
 * in the SQLite backend: each filter at its bounds, keyset paging, and the
 * query plans that keep the outbox's hot query and the KPIs' period scans on
 * their indexes. */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>

#include "backends/sqlite/sqlite_internal.h" /* the statements, for their query plans */

static int on_event(const rf_client_event_record *e, void *payload)
{
    return seen(payload, e->id);
}

static int on_task(const rf_task_record *t, void *payload)
{
    return seen(payload, t->id);
}

static int on_template(const rf_template_record *t, void *payload)
{
    return seen(payload, t->id);
}

static const char *events(rf_backend *b, const rf_client_event_query *q)
{
    static char buf[256];
    ids_seen s = {0};
    assert_int_equal(b->client_event_scan(b, PRACTICE, q, on_event, &s), RF_OK);
    return joined(&s, buf, sizeof buf);
}

static const char *tasks(rf_backend *b, const rf_task_query *q)
{
    static char buf[256];
    ids_seen s = {0};
    assert_int_equal(b->task_scan(b, PRACTICE, q, on_task, &s), RF_OK);
    return joined(&s, buf, sizeof buf);
}

static const char *templates(rf_backend *b, const char *program, const char *after, unsigned int limit)
{
    static char buf[256];
    ids_seen s = {0};
    assert_int_equal(b->template_scan(b, PRACTICE, program, after, limit, on_template, &s), RF_OK);
    return joined(&s, buf, sizeof buf);
}

static rf_client_event_query all_events(void)
{
    rf_client_event_query q = {.from = RF_TIME_UNSET, .to = RF_TIME_UNSET};
    return q;
}

/* Events of clients, types and times that meet every bound, out of id order. */
static void insert_events(rf_backend *b)
{
    static const struct {
        const char *id, *party;
        int type;
        rf_time at;
    } rows[] = {
        {"e5", "p1", 2, 300},           {"e1", "p1", 1, 100}, {"e3", "p2", 2, 200},
        {"e2", "p2", 9, 100},           {"e6", "p1", 9, -50}, {"e4", NULL, 1, INT64_MAX},
        {"e7", "p3", 2, INT64_MIN + 1},
    };
    assert_int_equal(b->begin(b), RF_OK);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        rf_client_event_record e = event_rec(rows[i].id, rows[i].party);
        e.type = rows[i].type;
        e.at = rows[i].at;
        assert_int_equal(b->client_event_insert(b, PRACTICE, &e), RF_OK);
    }
    /* Another practice's event matches every filter below and is never seen. */
    rf_client_event_record other = event_rec("e0", "p1");
    other.type = 2;
    other.at = 200;
    assert_int_equal(b->client_event_insert(b, "clinic-b", &other), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
}

static void client_event_scans_by_party_type_and_period(void **state)
{
    fixture *f = *state;
    rf_backend *b = open_new(f, "escan");
    insert_events(b);

    assert_string_equal(events(b, NULL), "e1,e2,e3,e4,e5,e6,e7");
    rf_client_event_query q = all_events();
    q.after_id = "e3";
    q.limit = 2;
    assert_string_equal(events(b, &q), "e4,e5");
    q = all_events();
    q.type = 9;
    assert_string_equal(events(b, &q), "e2,e6");

    /* A client's events, with the other filters on top. */
    q = all_events();
    q.party_id = "p1";
    assert_string_equal(events(b, &q), "e1,e5,e6");
    q.type = 2;
    assert_string_equal(events(b, &q), "e5");
    q.type = 0;
    q.from = 100; /* inclusive */
    q.to = 300;   /* exclusive */
    assert_string_equal(events(b, &q), "e1");
    q.after_id = "e1";
    assert_string_equal(events(b, &q), "");
    q = all_events();
    q.party_id = "p9";
    assert_string_equal(events(b, &q), "");

    /* A period, from the time index. */
    q = all_events();
    q.from = 100;
    assert_string_equal(events(b, &q), "e1,e2,e3,e4,e5");
    q = all_events();
    q.to = 100;
    assert_string_equal(events(b, &q), "e6,e7");
    q.from = 100;
    q.to = 201;
    assert_string_equal(events(b, &q), "e1,e2,e3");
    q.type = 2;
    assert_string_equal(events(b, &q), "e3");
    q.type = 0;
    q.after_id = "e2";
    q.limit = 1;
    assert_string_equal(events(b, &q), "e3");
    q = all_events();
    q.from = 100;
    q.to = 100;
    assert_string_equal(events(b, &q), "");
    q.from = 300;
    assert_string_equal(events(b, &q), "");
    q = all_events();
    q.to = INT64_MAX;
    assert_string_equal(events(b, &q), "e1,e2,e3,e5,e6,e7");
    q = all_events();
    q.from = INT64_MAX;
    assert_string_equal(events(b, &q), "e4");
    q = all_events();
    q.from = INT64_MIN + 1;
    q.to = -49;
    assert_string_equal(events(b, &q), "e6,e7");

    ids_seen s = {.stop_at = 2};
    assert_int_equal(b->client_event_scan(b, PRACTICE, NULL, on_event, &s), RF_OK);
    assert_int_equal(s.n, 2);
    b->free(b);
}

static rf_task_query all_tasks(void)
{
    rf_task_query q = {.due_by = RF_TIME_UNSET, .lease_free_at = RF_TIME_UNSET};
    return q;
}

/* The drain's own query: a state, due by now, with its lease free at now. */
static rf_task_query due(int state, rf_time now)
{
    rf_task_query q = {.state = state, .due_by = now, .lease_free_at = now, .limit = 64};
    return q;
}

/* Tasks whose filters meet every bound: equal times, a free lease (0), a
 * negative lease, the extremes. Inserted out of id order. */
static void insert_tasks(rf_backend *b)
{
    static const struct {
        const char *id, *party, *referral;
        int kind, state;
        rf_time due_at, lease_until;
    } rows[] = {
        {"k5", "pa", "r1", 1, 1, 100, 0},  {"k1", "pa", "r2", 2, 1, 200, 150},
        {"k3", "pb", "r1", 1, 1, 50, 300}, {"k2", "pb", NULL, 3, 2, 100, 0},
        {"k6", "pa", "r1", 1, 1, -5, -1},  {"k4", "pc", "r3", 2, 1, INT64_MAX, 0},
        {"k7", "pc", NULL, 1, 3, 0, 0},
    };
    assert_int_equal(b->begin(b), RF_OK);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        rf_task_record t = task_rec(rows[i].id, rows[i].id, rows[i].party);
        t.referral_id = rows[i].referral;
        t.kind = rows[i].kind;
        t.state = rows[i].state;
        t.due_at = rows[i].due_at;
        t.lease_until = rows[i].lease_until;
        assert_int_equal(b->task_insert(b, PRACTICE, &t), RF_OK);
    }
    rf_task_record other = task_rec("k0", "k0", "pa");
    other.referral_id = "r1";
    other.due_at = 1;
    other.lease_until = 0;
    assert_int_equal(b->task_insert(b, "clinic-b", &other), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
}

static void task_scans_find_due_work_at_its_bounds(void **state)
{
    fixture *f = *state;
    rf_backend *b = open_new(f, "tdue");
    insert_tasks(b);

    assert_string_equal(tasks(b, NULL), "k1,k2,k3,k4,k5,k6,k7");
    rf_task_query q = due(1, 200); /* due_at <= 200; lease_until <= 200 or free */
    assert_string_equal(tasks(b, &q), "k1,k5,k6");
    q = due(1, 199);
    assert_string_equal(tasks(b, &q), "k5,k6");
    q = due(1, 200);
    q.lease_free_at = 149; /* k1's lease runs to 150 */
    assert_string_equal(tasks(b, &q), "k5,k6");
    q.lease_free_at = 150;
    assert_string_equal(tasks(b, &q), "k1,k5,k6");
    q.lease_free_at = -2; /* k6's lease (-1) is not over; a free lease (0) always is */
    assert_string_equal(tasks(b, &q), "k5");
    q = due(1, 200);
    q.lease_free_at = RF_TIME_UNSET;
    assert_string_equal(tasks(b, &q), "k1,k3,k5,k6");
    q.kind = 1;
    assert_string_equal(tasks(b, &q), "k3,k5,k6");
    q = due(1, INT64_MAX);
    q.lease_free_at = RF_TIME_UNSET;
    assert_string_equal(tasks(b, &q), "k1,k3,k4,k5,k6");
    q = all_tasks();
    q.state = 1;
    assert_string_equal(tasks(b, &q), "k1,k3,k4,k5,k6");

    /* Pages of the drain. */
    q = due(1, 200);
    q.limit = 1;
    assert_string_equal(tasks(b, &q), "k1");
    q.after_id = "k1";
    assert_string_equal(tasks(b, &q), "k5");
    q.after_id = "k5";
    q.limit = 64;
    assert_string_equal(tasks(b, &q), "k6");
    q.after_id = "k6";
    assert_string_equal(tasks(b, &q), "");

    q = due(2, 100);
    assert_string_equal(tasks(b, &q), "k2");
    q = due(3, -1);
    assert_string_equal(tasks(b, &q), "");
    q = due(3, 0);
    assert_string_equal(tasks(b, &q), "k7");

    /* Without a state the bounds still filter, along the primary key. */
    q = all_tasks();
    q.due_by = 100;
    assert_string_equal(tasks(b, &q), "k2,k3,k5,k6,k7");
    q = all_tasks();
    q.lease_free_at = 100;
    assert_string_equal(tasks(b, &q), "k2,k4,k5,k6,k7");
    q.kind = 2;
    assert_string_equal(tasks(b, &q), "k4");

    ids_seen s = {.stop_at = 1};
    q = due(1, 200);
    assert_int_equal(b->task_scan(b, PRACTICE, &q, on_task, &s), RF_OK);
    assert_string_equal(s.ids[0], "k1");
    assert_int_equal(s.n, 1);
    b->free(b);
}

static void task_scans_by_referral_and_party(void **state)
{
    fixture *f = *state;
    rf_backend *b = open_new(f, "tscan");
    insert_tasks(b);

    rf_task_query q = all_tasks();
    q.referral_id = "r1";
    assert_string_equal(tasks(b, &q), "k3,k5,k6");
    q.after_id = "k3";
    q.limit = 1;
    assert_string_equal(tasks(b, &q), "k5");
    q = due(1, 200);
    q.referral_id = "r1";
    assert_string_equal(tasks(b, &q), "k5,k6");
    q.party_id = "pb";
    assert_string_equal(tasks(b, &q), "");
    q = all_tasks();
    q.referral_id = "r9";
    assert_string_equal(tasks(b, &q), "");

    q = all_tasks();
    q.party_id = "pa";
    assert_string_equal(tasks(b, &q), "k1,k5,k6");
    q.kind = 2;
    assert_string_equal(tasks(b, &q), "k1");
    q = all_tasks();
    q.party_id = "pc";
    q.state = 1;
    assert_string_equal(tasks(b, &q), "k4");
    q.due_by = 0;
    assert_string_equal(tasks(b, &q), "");
    q = all_tasks();
    q.party_id = "pb";
    q.lease_free_at = 299;
    assert_string_equal(tasks(b, &q), "k2");
    b->free(b);
}

static void template_scans_by_scope(void **state)
{
    fixture *f = *state;
    make_path(f, "mscan");
    remove_db(f->path);
    static const char *const rows[][3] = {
        {"m4", NULL, "a"}, {"m2", "p1", "b"}, {"m1", NULL, "c"},
        {"m3", "p1", "a"}, {"m5", "p2", "a"}, {"m6", NULL, "b"},
    };
    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        rf_template_record t = template_rec(rows[i][0], rows[i][1], rows[i][2]);
        assert_int_equal(b->template_insert(b, PRACTICE, &t), RF_OK);
    }
    rf_template_record other = template_rec("m0", NULL, "a");
    assert_int_equal(b->template_insert(b, "clinic-b", &other), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);

    assert_string_equal(templates(b, NULL, NULL, 0), "m1,m4,m6");
    assert_string_equal(templates(b, NULL, "m1", 1), "m4");
    assert_string_equal(templates(b, NULL, "m6", 0), "");
    assert_string_equal(templates(b, "p1", NULL, 0), "m2,m3");
    assert_string_equal(templates(b, "p1", "m2", 0), "m3");
    assert_string_equal(templates(b, "p2", NULL, 0), "m5");
    assert_string_equal(templates(b, "p9", NULL, 0), "");
    ids_seen s = {.stop_at = 2};
    assert_int_equal(b->template_scan(b, PRACTICE, NULL, NULL, 0, on_template, &s), RF_OK);
    assert_int_equal(s.n, 2);
    b->free(b);
}

/* Each scan starts from the index of its most selective filter; those that
 * return an index's order need no sort. The outbox's hot query reads only
 * the due range of its state; a period's events only the period's. The gets
 * and updates find their row by key. */
static void v4_statements_use_their_indexes(void **state)
{
    fixture *f = *state;
    const char *path = new_file(f, "plans4");
    assert_plan(path, RF_SQ_CLIENT_EVENT_SCAN, "sqlite_autoindex_client_events_1 (practice=? AND id>?)", 0);
    assert_plan(path, RF_SQ_CLIENT_EVENT_SCAN_PARTY,
                "client_events_party (practice=? AND party_id=? AND id>?)", 0);
    assert_plan(path, RF_SQ_CLIENT_EVENT_SCAN_PERIOD, "client_events_at (practice=? AND at>? AND at<?)", 1);

    assert_plan(path, RF_SQ_TASK_GET, "sqlite_autoindex_tasks_1 (practice=? AND id=?)", 0);
    assert_plan(path, RF_SQ_TASK_GET_BY_KEY, "sqlite_autoindex_tasks_2 (practice=? AND task_key=?)", 0);
    assert_plan(path, RF_SQ_TASK_UPDATE, "sqlite_autoindex_tasks_1 (practice=? AND id=?)", 0);
    assert_plan(path, RF_SQ_TASK_UPDATE_UNKEYED, "sqlite_autoindex_tasks_1 (practice=? AND id=?)", 0);
    assert_plan(path, RF_SQ_TASK_SCAN, "sqlite_autoindex_tasks_1 (practice=? AND id>?)", 0);
    assert_plan(path, RF_SQ_TASK_SCAN_PARTY, "tasks_party (practice=? AND party_id=? AND id>?)", 0);
    assert_plan(path, RF_SQ_TASK_SCAN_REFERRAL, "tasks_referral (practice=? AND referral_id=? AND id>?)", 0);
    assert_plan(path, RF_SQ_TASK_SCAN_STATE, "tasks_due (practice=? AND state=? AND due_at<?)", 1);

    assert_plan(path, RF_SQ_TEMPLATE_UPDATE, "sqlite_autoindex_templates_1 (practice=? AND id=?)", 0);
    assert_plan(path, RF_SQ_TEMPLATE_GET_BY_NAME,
                "templates_program_name (practice=? AND program_id=? AND name=?)", 0);
    assert_plan(path, RF_SQ_TEMPLATE_GET_BY_NAME_PRACTICE, "templates_practice_name (practice=? AND name=?)",
                0);
    assert_plan(path, RF_SQ_TEMPLATE_SCAN_PROGRAM, "templates_program_name (practice=? AND program_id=?)", 1);
    assert_plan(path, RF_SQ_TEMPLATE_SCAN_PRACTICE, "templates_practice_name (practice=?)", 1);

    /* The party statements, with their new column, keep their keys. */
    assert_plan(path, RF_SQ_PARTY_UPDATE_UNKEYED, "sqlite_autoindex_parties_1 (practice=? AND id=?)", 0);
    assert_plan(path, RF_SQ_PARTY_SCAN, "sqlite_autoindex_parties_1 (practice=? AND id>?)", 0);
}

int run_scan_v4_cases(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(client_event_scans_by_party_type_and_period),
        FIXTURE_TEST(task_scans_find_due_work_at_its_bounds),
        FIXTURE_TEST(task_scans_by_referral_and_party),
        FIXTURE_TEST(template_scans_by_scope),
        FIXTURE_TEST(v4_statements_use_their_indexes),
    };
    return cmocka_run_group_tests_name("scans v4", tests, NULL, NULL);
}
