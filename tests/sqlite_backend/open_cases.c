/* Opening files: creating the schema, reopening, refusing what is not ours. */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- opening ---- */

static void creates_file_with_schema_and_wal(void **state)
{
    fixture *f = *state;
    make_path(f, "create");
    remove_db(f->path);
    assert_false(file_exists(f->path));

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->version, RF_BACKEND_VERSION);
    assert_true(file_exists(f->path));

    char buf[256];
    assert_string_equal(raw_text(f->path, "PRAGMA journal_mode", buf, sizeof buf), "wal");
    assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 4);
    assert_int_equal(raw_int(f->path, "SELECT value FROM meta WHERE key = 'schema_version'"), 4);
    raw_text(f->path, "SELECT value FROM meta WHERE key = 'created_by'", buf, sizeof buf);
    assert_string_equal(buf, "libreferral " RF_VERSION);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM meta WHERE key = 'migrated_by'"), 0);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                                      "('parties', 'codes', 'journal', 'idempotency', 'meta', 'programs', "
                                      "'touches', 'referrals', 'reward_rules', 'reward_grants', "
                                      "'ledger_entries', 'client_events', 'tasks', 'templates')"),
                     14);
    assert_int_equal(raw_int(f->path,
                             "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                             "('parties_email_key', 'parties_phone_key', 'codes_owner', "
                             "'touches_visitor', 'referrals_attribution', 'referrals_referrer', "
                             "'referrals_referee', 'referrals_target', 'referrals_program', "
                             "'reward_rules_program', 'reward_grants_recipient', "
                             "'reward_grants_referral', 'reward_grants_rule', 'reward_grants_release', "
                             "'reward_grants_expiry', 'ledger_entries_party', 'ledger_entries_grant', "
                             "'client_events_party', 'client_events_at', 'tasks_due', 'tasks_party', "
                             "'tasks_referral', 'templates_program_name', 'templates_practice_name')"),
                     24);
    assert_all_keys_lead_with_practice(f->path);
    b->free(b);
}

static void empty_existing_file_gets_schema(void **state)
{
    fixture *f = *state;
    make_path(f, "empty");
    remove_db(f->path);
    FILE *fp = fopen(f->path, "wb");
    assert_non_null(fp);
    fclose(fp);

    rf_backend *b = open_ok(f->path);
    b->free(b);
    assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 4);
}

static void reopen_shows_everything_written(void **state)
{
    fixture *f = *state;
    make_path(f, "reopen");
    remove_db(f->path);

    rf_party_record p = party("0001-p", "ext-1");
    rf_party_record bare = {.id = "0002-p", .kind = 2};
    rf_code_record c = code("0001-c", "JANE7K3Q", "0001-p");
    rf_event_record e1 = {0, "party.added", "0001-p", NULL, "idem-1", "{\"n\":1}", 1700000200};
    rf_event_record e2 = {0, "code.issued", "0001-c", "0001-p", NULL, NULL, 1700000201};
    rf_idempotency_record i1 = {"idem-1", "party.add", "0001-p", UINT64_MAX, 1700000300};
    rf_idempotency_record i2 = {"idem-2", "code.issue", "0001-c", UINT64_C(0x8000000000000001), 1700000301};

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &p), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &bare), RF_OK);
    assert_int_equal(b->code_insert(b, PRACTICE, &c), RF_OK);
    int64_t seq = 0;
    assert_int_equal(b->journal_append(b, PRACTICE, &e1, &seq), RF_OK);
    assert_int_equal(seq, 1);
    assert_int_equal(b->journal_append(b, PRACTICE, &e2, &seq), RF_OK);
    assert_int_equal(seq, 2);
    assert_int_equal(b->idempotency_put(b, PRACTICE, &i1), RF_OK);
    assert_int_equal(b->idempotency_put(b, PRACTICE, &i2), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);

    b = open_ok(f->path);
    rf_party_record got;
    assert_int_equal(b->party_get(b, PRACTICE, "0001-p", &got), RF_OK);
    assert_same_party(&got, &p);
    assert_int_equal(b->party_get_by_external(b, PRACTICE, "ext-1", &got), RF_OK);
    assert_same_party(&got, &p);
    /* Unset strings come back NULL, never "". */
    assert_int_equal(b->party_get(b, PRACTICE, "0002-p", &got), RF_OK);
    assert_same_party(&got, &bare);

    rf_code_record gc;
    assert_int_equal(b->code_get(b, PRACTICE, "0001-c", &gc), RF_OK);
    assert_same_code(&gc, &c);
    assert_int_equal(b->code_get_by_key(b, PRACTICE, "JANE7K3Q", &gc), RF_OK);
    assert_same_code(&gc, &c);

    int64_t last = 0;
    assert_int_equal(b->journal_last_seq(b, PRACTICE, &last), RF_OK);
    assert_int_equal(last, 2);

    rf_idempotency_record gi;
    assert_int_equal(b->idempotency_get(b, PRACTICE, "idem-1", &gi), RF_OK);
    assert_string_equal(gi.operation, "party.add");
    assert_string_equal(gi.result_id, "0001-p");
    assert_true(gi.fingerprint == UINT64_MAX);
    assert_int_equal(gi.created_at, 1700000300);
    assert_int_equal(b->idempotency_get(b, PRACTICE, "idem-2", &gi), RF_OK);
    assert_true(gi.fingerprint == UINT64_C(0x8000000000000001));

    /* The next append continues the sequence across the reopen. */
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->journal_append(b, PRACTICE, &e1, &seq), RF_OK);
    assert_int_equal(seq, 3);
    assert_int_equal(b->rollback(b), RF_OK);
    b->free(b);
}

typedef struct events_seen {
    int count;
    int64_t seqs[8];
    char types[8][32];
    int nulls[8];
} events_seen;

static int collect_event(const rf_event_record *e, void *payload)
{
    events_seen *s = payload;
    s->seqs[s->count] = e->seq;
    snprintf(s->types[s->count], sizeof s->types[0], "%s", e->type);
    s->nulls[s->count] = e->object_id == NULL;
    s->count++;
    return 0;
}

static void reopened_journal_scans_in_order(void **state)
{
    fixture *f = *state;
    rf_backend *b = open_new(f, "journal");
    assert_int_equal(b->begin(b), RF_OK);
    for (int i = 0; i < 3; i++) {
        rf_event_record e = {99, i == 1 ? "b" : "a", "s", i == 2 ? "o" : NULL, NULL, NULL, 1700000000 + i};
        assert_int_equal(b->journal_append(b, PRACTICE, &e, NULL), RF_OK);
    }
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);

    b = open_ok(f->path);
    events_seen s = {0};
    assert_int_equal(b->journal_scan(b, PRACTICE, 1, 0, collect_event, &s), RF_OK);
    assert_int_equal(s.count, 2);
    assert_int_equal(s.seqs[0], 2);
    assert_string_equal(s.types[0], "b");
    assert_true(s.nulls[0]);
    assert_int_equal(s.seqs[1], 3);
    assert_false(s.nulls[1]);
    b->free(b);
}

static void newer_schema_is_refused_untouched(void **state)
{
    fixture *f = *state;
    new_file(f, "newer");
    raw_exec(f->path, "PRAGMA user_version = 5");

    size_t size;
    char *before = slurp(f->path, &size);
    static rf_backend sentinel;
    rf_backend *b = &sentinel; /* must be reset to NULL on failure */
    assert_int_equal(rf_backend_sqlite_new(&b, f->path), RF_EVERSION);
    assert_null(b);
    assert_int_equal(rf_error_last()->code, RF_EVERSION);
    assert_error_mentions(f->path);
    assert_error_mentions("schema version 5");
    assert_error_mentions("up to 4");
    assert_error_mentions("upgrade libreferral");
    assert_file_unchanged(f->path, before, size);
    free(before);
}

static void non_database_file_is_refused(void **state)
{
    fixture *f = *state;
    make_path(f, "notadb");
    remove_db(f->path);
    FILE *fp = fopen(f->path, "wb");
    assert_non_null(fp);
    for (int i = 0; i < 200; i++) {
        fputs("this is a clinic's spreadsheet, not a database\n", fp);
    }
    fclose(fp);

    size_t size;
    char *before = slurp(f->path, &size);
    rf_backend *b = NULL;
    assert_int_equal(rf_backend_sqlite_new(&b, f->path), RF_EBACKEND);
    assert_null(b);
    assert_error_mentions(f->path);
    assert_error_mentions("not an SQLite database");
    assert_file_unchanged(f->path, before, size);
    free(before);
}

static void foreign_database_is_refused(void **state)
{
    fixture *f = *state;
    make_path(f, "foreign");
    remove_db(f->path);
    raw_exec(f->path, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount INTEGER)");

    size_t size;
    char *before = slurp(f->path, &size);
    rf_backend *b = NULL;
    assert_int_equal(rf_backend_sqlite_new(&b, f->path), RF_EBACKEND);
    assert_null(b);
    assert_error_mentions(f->path);
    assert_error_mentions("no libreferral schema");
    assert_file_unchanged(f->path, before, size);
    free(before);

    /* Another application's mark is refused even with no tables. */
    remove_db(f->path);
    raw_exec(f->path, "PRAGMA application_id = 1234");
    assert_int_equal(rf_backend_sqlite_new(&b, f->path), RF_EBACKEND);
    assert_null(b);
    assert_error_mentions("another application");
}

static void missing_directory_fails_clearly(void **state)
{
    fixture *f = *state;
    char path[600];
    make_path(f, "nodir");
    snprintf(path, sizeof path, "%s/no-such-dir-%ld/clinic.db", RF_TEST_TMPDIR, (long)getpid());
    rf_backend *b = NULL;
    assert_int_equal(rf_backend_sqlite_new(&b, path), RF_EBACKEND);
    assert_null(b);
    assert_error_mentions(path);
    assert_error_mentions("directory");
    assert_false(file_exists(path));
}

static void bad_arguments_are_refused(void **state)
{
    (void)state;
    rf_backend *b = NULL;
    assert_int_equal(rf_backend_sqlite_new(&b, NULL), RF_EINVALID);
    assert_null(b);
    assert_int_equal(rf_backend_sqlite_new(&b, ""), RF_EINVALID);
    assert_null(b);
    assert_int_equal(rf_backend_sqlite_new(NULL, "x.db"), RF_EINVALID);
}

int run_open_cases(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(creates_file_with_schema_and_wal),  FIXTURE_TEST(empty_existing_file_gets_schema),
        FIXTURE_TEST(reopen_shows_everything_written),   FIXTURE_TEST(reopened_journal_scans_in_order),
        FIXTURE_TEST(newer_schema_is_refused_untouched), FIXTURE_TEST(non_database_file_is_refused),
        FIXTURE_TEST(foreign_database_is_refused),       FIXTURE_TEST(missing_directory_fails_clearly),
        cmocka_unit_test(bad_arguments_are_refused),
    };
    return cmocka_run_group_tests_name("opening", tests, NULL, NULL);
}
