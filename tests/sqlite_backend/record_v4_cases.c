/* Client events, outbox tasks, message templates and the party's preferred
 * channel (contract version 4) as the SQLite backend stores them: columns and
 * NULLs, the unique keys the schema itself enforces (also across connections,
 * and for practice-wide templates, whose NULL programme SQLite's UNIQUE would
 * let through), and the two update paths. Scans and their plans are in
 * scan_v4_cases.c. */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>

static int same_event(const rf_client_event_record *e, void *payload)
{
    rf_client_event_record **want = payload;
    assert_non_null(*want);
    assert_same_event(e, *want);
    (*want)++;
    return 0;
}

static void client_events_round_trip_and_clash(void **state)
{
    fixture *f = *state;
    make_path(f, "event");
    remove_db(f->path);
    rf_client_event_record want[3] = {
        event_rec("0001-e", "0001-p"),
        {.id = "0002-e"}, /* every string NULL, every number 0 */
        event_rec("0003-e", "0002-p"),
    };
    want[2].value = RF_UNSET;
    want[2].amount = INT64_MIN;
    want[2].at = -62135596800; /* 0001-01-01 */
    want[2].recorded_at = INT64_MAX;

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(b->client_event_insert(b, PRACTICE, &want[i]), RF_OK);
    }
    rf_client_event_record same_id = event_rec("0001-e", "0009-p");
    rf_error_clear();
    assert_int_equal(b->client_event_insert(b, PRACTICE, &same_id), RF_EEXISTS);
    assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_PARTY);
    assert_error_mentions("client event '0001-e'");
    assert_int_equal(b->client_event_insert(b, "clinic-b", &same_id), RF_OK); /* ids are per practice */
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);

    b = open_ok(f->path); /* read from the file */
    rf_client_event_record *next = want;
    assert_int_equal(b->client_event_scan(b, PRACTICE, NULL, same_event, &next), RF_OK);
    assert_ptr_equal(next, want + 3);
    b->free(b);

    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM client_events WHERE practice = 'clinic-a'"), 3);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM client_events WHERE party_id IS NULL AND "
                                      "practitioner_id IS NULL AND label IS NULL AND currency IS NULL"),
                     1);
    char buf[64];
    assert_string_equal(
        raw_text(f->path, "SELECT party_id FROM client_events WHERE practice = 'clinic-b'", buf, sizeof buf),
        "0009-p");
}

/* A task with NULL strings and every optional time unset (0). */
static rf_task_record bare_task(const char *id, const char *key)
{
    rf_task_record t = {.id = id, .task_key = key, .kind = 1, .state = 1, .updated_at = 5};
    return t;
}

static void tasks_store_unset_times_as_null(void **state)
{
    fixture *f = *state;
    make_path(f, "task");
    remove_db(f->path);
    rf_task_record full = task_rec("0001-k", "thank:0001-r", "0001-p");
    rf_task_record bare = bare_task("0002-k", "k2");
    rf_task_record extreme = task_rec("0003-k", "k3", "0001-p");
    extreme.due_at = -62135596800;
    extreme.lease_until = INT64_MAX;
    extreme.sent_at = -1;
    extreme.attempts = -7;

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->task_insert(b, PRACTICE, &full), RF_OK);
    assert_int_equal(b->task_insert(b, PRACTICE, &bare), RF_OK);
    assert_int_equal(b->task_insert(b, PRACTICE, &extreme), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);

    b = open_ok(f->path);
    rf_task_record got;
    assert_int_equal(b->task_get(b, PRACTICE, "0001-k", &got), RF_OK);
    assert_same_task(&got, &full);
    assert_int_equal(b->task_get_by_key(b, PRACTICE, "k2", &got), RF_OK);
    assert_same_task(&got, &bare);
    assert_int_equal(b->task_get(b, PRACTICE, "0003-k", &got), RF_OK);
    assert_same_task(&got, &extreme);
    rf_error_clear();
    assert_int_equal(b->task_get(b, PRACTICE, "0009-k", &got), RF_ENOTFOUND);
    assert_null(got.id);
    assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_OUTBOX);
    assert_error_mentions("'0009-k'");
    assert_int_equal(b->task_get_by_key(b, PRACTICE, "no-such-key", &got), RF_ENOTFOUND);
    assert_null(got.task_key);
    assert_error_mentions("'no-such-key'");
    assert_int_equal(b->task_get_by_key(b, "clinic-b", "k2", &got), RF_ENOTFOUND);
    b->free(b);

    /* Unset times are NULL, so reports count and average without a filter;
     * due_at is always a number, as the due index ranges over it. */
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM tasks WHERE deadline_at IS NULL AND "
                                      "lease_until IS NULL AND sent_at IS NULL AND closed_at IS NULL"),
                     1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM tasks WHERE due_at IS NOT NULL"), 3);
    assert_int_equal(raw_int(f->path, "SELECT count(sent_at) FROM tasks"), 2);
    assert_int_equal(raw_int(f->path, "SELECT sent_at FROM tasks WHERE id = '0003-k'"), -1);
}

/* The unique task key is what makes a task happen once when two processes
 * queue the same one: the second insert is refused, by the schema itself. */
static void task_key_is_unique_across_connections(void **state)
{
    fixture *f = *state;
    make_path(f, "tkey");
    remove_db(f->path);
    rf_task_record first = task_rec("0001-k", "thank:r1", "0001-p");
    rf_task_record second = task_rec("0002-k", "thank:r1", "0001-p");
    rf_task_record other = task_rec("0003-k", "thank:r2", "0002-p");

    rf_backend *a = open_ok(f->path);
    rf_backend *b = open_ok(f->path);
    assert_int_equal(a->begin(a), RF_OK);
    assert_int_equal(a->task_insert(a, PRACTICE, &first), RF_OK);
    assert_int_equal(a->commit(a), RF_OK);

    assert_int_equal(b->begin(b), RF_OK);
    rf_error_clear();
    assert_int_equal(b->task_insert(b, PRACTICE, &second), RF_EEXISTS);
    assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_OUTBOX);
    assert_error_mentions("task key 'thank:r1'");
    /* The refusal undid only itself: the same transaction goes on and commits. */
    assert_int_equal(b->task_insert(b, PRACTICE, &other), RF_OK);
    rf_task_record same_id = task_rec("0001-k", "thank:r9", "0001-p");
    rf_error_clear();
    assert_int_equal(b->task_insert(b, PRACTICE, &same_id), RF_EEXISTS);
    assert_error_mentions("task '0001-k'");
    assert_int_equal(b->task_insert(b, "clinic-b", &second), RF_OK); /* keys are per practice */
    assert_int_equal(b->commit(b), RF_OK);

    rf_task_record got;
    assert_int_equal(a->task_get_by_key(a, PRACTICE, "thank:r1", &got), RF_OK);
    assert_string_equal(got.id, "0001-k");
    b->free(b);
    a->free(a);

    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM tasks WHERE practice = 'clinic-a'"), 2);
    /* Enforced by the schema, not by the backend's code. */
    assert_int_equal(raw_rc(f->path, "INSERT INTO tasks (practice, id, task_key, kind, state, channel, "
                                     "attempts, outcome, due_at, created_at, updated_at) VALUES "
                                     "('clinic-a', 'x', 'thank:r1', 1, 1, 0, 0, 0, 0, 0, 0)"),
                     SQLITE_CONSTRAINT_UNIQUE);
    assert_int_equal(raw_rc(f->path, "UPDATE tasks SET task_key = 'thank:r1' WHERE id = '0003-k'"),
                     SQLITE_CONSTRAINT_UNIQUE);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM tasks"), 3);
}

/* A move (a lease, a delivery) takes the update that leaves the party and
 * referral indexes alone; a change of those takes the full one. Neither
 * changes the task key. */
static void task_updates_keep_the_key_and_report_misses(void **state)
{
    fixture *f = *state;
    make_path(f, "tupdate");
    remove_db(f->path);
    rf_task_record t = task_rec("0001-k", "thank:r1", "0001-p");
    rf_task_record t2 = task_rec("0002-k", "thank:r2", "0002-p");
    rf_task_record got;

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->task_insert(b, PRACTICE, &t), RF_OK);
    assert_int_equal(b->task_insert(b, PRACTICE, &t2), RF_OK);
    t.state = 2;
    t.lease_owner = "worker-2";
    t.lease_until = 1700000900;
    t.attempts = 3;
    t.sent_at = 0;
    t.last_error = NULL;
    assert_int_equal(b->task_update(b, PRACTICE, &t), RF_OK);
    assert_int_equal(b->task_get(b, PRACTICE, "0001-k", &got), RF_OK);
    assert_same_task(&got, &t);

    t.party_id = "0005-p";
    t.referral_id = NULL;
    assert_int_equal(b->task_update(b, PRACTICE, &t), RF_OK);
    assert_int_equal(b->task_get_by_key(b, PRACTICE, "thank:r1", &got), RF_OK);
    assert_same_task(&got, &t);

    /* A different key in the record is not stored: the key never changes. */
    rf_task_record rekeyed = t;
    rekeyed.task_key = "thank:r2";
    rekeyed.state = 3;
    assert_int_equal(b->task_update(b, PRACTICE, &rekeyed), RF_OK);
    t.state = 3;
    assert_int_equal(b->task_get(b, PRACTICE, "0001-k", &got), RF_OK);
    assert_same_task(&got, &t);
    assert_int_equal(b->task_get_by_key(b, PRACTICE, "thank:r2", &got), RF_OK);
    assert_string_equal(got.id, "0002-k");

    /* No such task: not found, and nothing inserted. */
    rf_task_record ghost = task_rec("0009-k", "thank:r9", "0001-p");
    rf_error_clear();
    assert_int_equal(b->task_update(b, PRACTICE, &ghost), RF_ENOTFOUND);
    assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_OUTBOX);
    assert_error_mentions("'0009-k'");
    assert_int_equal(b->task_update(b, "clinic-b", &t), RF_ENOTFOUND);
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);

    b = open_ok(f->path);
    assert_int_equal(b->task_get_by_key(b, PRACTICE, "thank:r1", &got), RF_OK);
    assert_same_task(&got, &t);
    b->free(b);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM tasks"), 2);
    assert_int_equal(raw_int(f->path, "SELECT sent_at IS NULL FROM tasks WHERE id = '0001-k'"), 1);
}

/* A name is unique within its programme, and among the practice-wide
 * templates (NULL programme) too, which SQLite's UNIQUE alone would not
 * refuse: the schema holds both, whoever writes. */
static void template_names_are_unique_per_scope(void **state)
{
    fixture *f = *state;
    make_path(f, "tname");
    remove_db(f->path);
    rf_template_record wide = template_rec("0001-m", NULL, "ask.sms.new");
    rf_template_record own = template_rec("0002-m", "prog-1", "ask.sms.new");
    rf_template_record bare = {.id = "0003-m", .name = "bare"}; /* NULL programme, subject, body */
    rf_template_record got;

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->template_insert(b, PRACTICE, &wide), RF_OK);
    assert_int_equal(b->template_insert(b, PRACTICE, &own), RF_OK);
    assert_int_equal(b->template_insert(b, PRACTICE, &bare), RF_OK);
    rf_template_record wide_again = template_rec("0004-m", NULL, "ask.sms.new");
    rf_error_clear();
    assert_int_equal(b->template_insert(b, PRACTICE, &wide_again), RF_EEXISTS);
    assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_OUTBOX);
    assert_error_mentions("practice-wide template called 'ask.sms.new'");
    rf_template_record own_again = template_rec("0004-m", "prog-1", "ask.sms.new");
    assert_int_equal(b->template_insert(b, PRACTICE, &own_again), RF_EEXISTS);
    assert_error_mentions("programme 'prog-1'");
    rf_template_record same_id = template_rec("0001-m", "prog-2", "other");
    assert_int_equal(b->template_insert(b, PRACTICE, &same_id), RF_EEXISTS);
    assert_error_mentions("template '0001-m'");
    rf_template_record elsewhere = template_rec("0004-m", "prog-2", "ask.sms.new");
    assert_int_equal(b->template_insert(b, PRACTICE, &elsewhere), RF_OK);
    assert_int_equal(b->template_insert(b, "clinic-b", &wide_again), RF_OK); /* per practice */

    /* An update may not take a name its new scope already holds. */
    rf_template_record moved = bare;
    moved.name = "ask.sms.new";
    assert_int_equal(b->template_update(b, PRACTICE, &moved), RF_EEXISTS);
    assert_error_mentions("practice-wide template called 'ask.sms.new'");
    moved.program_id = "prog-2";
    assert_int_equal(b->template_update(b, PRACTICE, &moved), RF_EEXISTS);
    moved.program_id = "prog-3";
    moved.body = "Hello";
    assert_int_equal(b->template_update(b, PRACTICE, &moved), RF_OK);
    rf_template_record ghost = template_rec("0009-m", NULL, "ghost");
    rf_error_clear();
    assert_int_equal(b->template_update(b, PRACTICE, &ghost), RF_ENOTFOUND);
    assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_OUTBOX);
    assert_error_mentions("'0009-m'");
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);

    b = open_ok(f->path);
    assert_int_equal(b->template_get_by_name(b, PRACTICE, NULL, "ask.sms.new", &got), RF_OK);
    assert_same_template(&got, &wide);
    assert_int_equal(b->template_get_by_name(b, PRACTICE, "prog-1", "ask.sms.new", &got), RF_OK);
    assert_same_template(&got, &own);
    assert_int_equal(b->template_get_by_name(b, PRACTICE, "prog-3", "ask.sms.new", &got), RF_OK);
    assert_same_template(&got, &moved);
    rf_error_clear();
    assert_int_equal(b->template_get_by_name(b, PRACTICE, NULL, "bare", &got), RF_ENOTFOUND);
    assert_null(got.id);
    assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_OUTBOX);
    assert_error_mentions("practice-wide template called 'bare'");
    assert_int_equal(b->template_get_by_name(b, PRACTICE, "prog-9", "ask.sms.new", &got), RF_ENOTFOUND);
    assert_error_mentions("programme 'prog-9'");
    b->free(b);

    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM templates WHERE practice = 'clinic-a'"), 4);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM templates WHERE subject IS NULL"), 1);
    /* Enforced by the schema, in both scopes, not by the backend's code. */
    assert_int_equal(raw_rc(f->path, "INSERT INTO templates (practice, id, program_id, name, channel, "
                                     "created_at, updated_at) VALUES ('clinic-a', 'x', NULL, "
                                     "'ask.sms.new', 0, 0, 0)"),
                     SQLITE_CONSTRAINT_UNIQUE);
    assert_int_equal(raw_rc(f->path, "INSERT INTO templates (practice, id, program_id, name, channel, "
                                     "created_at, updated_at) VALUES ('clinic-a', 'x', 'prog-1', "
                                     "'ask.sms.new', 0, 0, 0)"),
                     SQLITE_CONSTRAINT_UNIQUE);
    assert_int_equal(raw_rc(f->path, "UPDATE templates SET program_id = NULL WHERE id = '0002-m'"),
                     SQLITE_CONSTRAINT_UNIQUE);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM templates"), 5);
}

/* The preferred channel goes through every party path: insert, both
 * updates (with and without a change of an indexed column), the gets and
 * both scans. */
static int keep_channel(const rf_party_record *p, void *payload)
{
    *(int *)payload = p->preferred_channel;
    return 1;
}

static void party_preferred_channel_round_trips(void **state)
{
    fixture *f = *state;
    make_path(f, "pchannel");
    remove_db(f->path);
    rf_party_record p = party("0001-p", "ext-1");
    p.preferred_channel = 3;
    rf_party_record got;

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &p), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    assert_int_equal(b->party_get(b, PRACTICE, "0001-p", &got), RF_OK);
    assert_same_party(&got, &p);
    int channel = 0;
    rf_party_query q = {.contact_key = "pk-jane"};
    assert_int_equal(b->party_scan(b, PRACTICE, &q, keep_channel, &channel), RF_OK);
    assert_int_equal(channel, 3);
    channel = 0;
    assert_int_equal(b->party_scan(b, PRACTICE, NULL, keep_channel, &channel), RF_OK);
    assert_int_equal(channel, 3);

    assert_int_equal(b->begin(b), RF_OK);
    p.preferred_channel = 4; /* the indexed columns stay: the unkeyed update */
    assert_int_equal(b->party_update(b, PRACTICE, &p), RF_OK);
    assert_int_equal(b->party_get(b, PRACTICE, "0001-p", &got), RF_OK);
    assert_same_party(&got, &p);
    p.external_id = "ext-2"; /* an indexed column changes: the full update */
    p.preferred_channel = 0;
    assert_int_equal(b->party_update(b, PRACTICE, &p), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);

    b = open_ok(f->path);
    assert_int_equal(b->party_get_by_external(b, PRACTICE, "ext-2", &got), RF_OK);
    assert_same_party(&got, &p);
    b->free(b);
    assert_int_equal(raw_int(f->path, "SELECT preferred_channel FROM parties"), 0);
}

static void v4_writes_outside_transaction_are_refused(void **state)
{
    fixture *f = *state;
    rf_backend *b = open_new(f, "v4notxn");
    rf_client_event_record e = event_rec("0001-e", "0001-p");
    rf_task_record t = task_rec("0001-k", "k", "0001-p");
    rf_template_record m = template_rec("0001-m", NULL, "thanks.sms");
    rf_error_clear();
    assert_int_equal(b->client_event_insert(b, PRACTICE, &e), RF_EBACKEND);
    assert_error_mentions("outside a transaction");
    assert_int_equal(b->task_insert(b, PRACTICE, &t), RF_EBACKEND);
    assert_int_equal(b->task_update(b, PRACTICE, &t), RF_EBACKEND);
    assert_int_equal(b->template_insert(b, PRACTICE, &m), RF_EBACKEND);
    assert_int_equal(b->template_update(b, PRACTICE, &m), RF_EBACKEND);
    b->free(b);
    assert_int_equal(raw_int(f->path, "SELECT (SELECT count(*) FROM client_events) + (SELECT count(*) FROM "
                                      "tasks) + (SELECT count(*) FROM templates)"),
                     0);
}

static void v4_keys_and_indexes_lead_with_practice(void **state)
{
    fixture *f = *state;
    new_file(f, "v4keys");
    static const char *const want[][2] = {
        {"sqlite_autoindex_client_events_1", "practice,id"},
        {"client_events_party", "practice,party_id,id"},
        {"client_events_at", "practice,at"},
        {"sqlite_autoindex_tasks_1", "practice,id"},
        {"sqlite_autoindex_tasks_2", "practice,task_key"},
        {"tasks_due", "practice,state,due_at,lease_until"},
        {"tasks_party", "practice,party_id,id"},
        {"tasks_referral", "practice,referral_id,id"},
        {"sqlite_autoindex_templates_1", "practice,id"},
        {"templates_program_name", "practice,program_id,name"},
        {"templates_practice_name", "practice,name"},
    };
    assert_index_columns(f->path, want, sizeof want / sizeof want[0]);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM pragma_index_list('tasks') WHERE \"unique\" = 1"),
                     2);
    /* Each name index covers one scope and is unique in it. */
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM pragma_index_list('templates') "
                                      "WHERE \"unique\" = 1 AND partial = 1"),
                     2);
    assert_int_equal(raw_int(f->path, "SELECT sql LIKE '%WHERE program_id IS NULL' FROM sqlite_master "
                                      "WHERE name = 'templates_practice_name'"),
                     1);
    assert_int_equal(raw_int(f->path, "SELECT dflt_value FROM pragma_table_info('parties') "
                                      "WHERE name = 'preferred_channel'"),
                     0);
    assert_all_keys_lead_with_practice(f->path);
}

int run_record_v4_cases(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(client_events_round_trip_and_clash),
        FIXTURE_TEST(tasks_store_unset_times_as_null),
        FIXTURE_TEST(task_key_is_unique_across_connections),
        FIXTURE_TEST(task_updates_keep_the_key_and_report_misses),
        FIXTURE_TEST(template_names_are_unique_per_scope),
        FIXTURE_TEST(party_preferred_channel_round_trips),
        FIXTURE_TEST(v4_writes_outside_transaction_are_refused),
        FIXTURE_TEST(v4_keys_and_indexes_lead_with_practice),
    };
    return cmocka_run_group_tests_name("records v4", tests, NULL, NULL);
}
