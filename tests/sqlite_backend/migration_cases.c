/* Schema migrations: a file written by an older libreferral is upgraded in
 * place, in one transaction, keeping its data. */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>

/* Schema version 1 exactly as libreferral 0.1 wrote it (migration step 0),
 * frozen here: the upgrade must work on files that exist, whatever later
 * edits do to the code. */
static const char v1_schema[] =
    "PRAGMA journal_mode = WAL;"
    "BEGIN;"
    "CREATE TABLE meta ("
    "  key TEXT NOT NULL PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE parties ("
    "  practice TEXT NOT NULL,"
    "  id TEXT NOT NULL,"
    "  external_id TEXT,"
    "  display_name TEXT,"
    "  email TEXT,"
    "  phone TEXT,"
    "  email_key TEXT,"
    "  phone_key TEXT,"
    "  segment TEXT,"
    "  practitioner_id TEXT,"
    "  intake_detail TEXT,"
    "  kind INTEGER NOT NULL,"
    "  consent INTEGER NOT NULL,"
    "  payer INTEGER NOT NULL,"
    "  intake INTEGER NOT NULL,"
    "  first_visit_at INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (practice, id),"
    "  UNIQUE (practice, external_id)"
    ");"
    "CREATE INDEX parties_email_key ON parties (practice, email_key);"
    "CREATE INDEX parties_phone_key ON parties (practice, phone_key);"
    "CREATE TABLE codes ("
    "  practice TEXT NOT NULL,"
    "  id TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  text TEXT,"
    "  owner_id TEXT,"
    "  program_id TEXT,"
    "  revoke_reason TEXT,"
    "  style INTEGER NOT NULL,"
    "  channel INTEGER NOT NULL,"
    "  max_uses INTEGER NOT NULL,"
    "  uses INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL,"
    "  revoked_at INTEGER NOT NULL,"
    "  PRIMARY KEY (practice, id),"
    "  UNIQUE (practice, key)"
    ");"
    "CREATE INDEX codes_owner ON codes (practice, owner_id, id);"
    "CREATE TABLE journal ("
    "  practice TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  type TEXT,"
    "  subject_id TEXT,"
    "  object_id TEXT,"
    "  idempotency_key TEXT,"
    "  data TEXT,"
    "  at INTEGER NOT NULL,"
    "  PRIMARY KEY (practice, seq)"
    ") WITHOUT ROWID;"
    "CREATE TABLE idempotency ("
    "  practice TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  operation TEXT,"
    "  result_id TEXT,"
    "  fingerprint INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (practice, key)"
    ") WITHOUT ROWID;"
    "PRAGMA user_version = 1;"
    "PRAGMA application_id = 1380340300;" /* 0x5246524C, "RFRL" */
    "INSERT INTO meta VALUES ('created_by', 'libreferral 0.1.0'), ('schema_version', '1');"
    "COMMIT;";

/* What a version-1 store held: two practices' parties, a code, journal events and an idempotency key. */
static const char v1_data[] =
    "BEGIN;"
    "INSERT INTO parties VALUES ('clinic-a', '0001-p', 'ext-1', 'Jane Doe', 'jane@example.org', "
    "'+441632960001', 'ek-jane', 'pk-jane', 'new', 'staff-1', 'a friend', 1, 5, 2, 3, 1700000000, "
    "1700000001, 1700000002);"
    "INSERT INTO parties VALUES ('clinic-a', '0002-p', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, 2, 0, 0, 0, 0, 1700000003, 1700000003);"
    "INSERT INTO parties VALUES ('clinic-b', '0001-p', 'ext-1', 'Other', NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, 1, 0, 0, 0, 0, 1, 1);"
    "INSERT INTO codes VALUES ('clinic-a', '0001-c', 'JANE7K3Q', 'JANE-7K3Q', '0001-p', 'prog-1', NULL, 2, "
    "3, 10, 4, 1700000100, 1800000000, 0);"
    "INSERT INTO journal VALUES ('clinic-a', 1, 'party.added', '0001-p', NULL, 'idem-1', NULL, 1700000200);"
    "INSERT INTO journal VALUES ('clinic-a', 2, 'code.issued', '0001-c', '0001-p', NULL, 'n=1', 1700000201);"
    "INSERT INTO idempotency VALUES ('clinic-a', 'idem-1', 'party.add', '0001-p', -1, 1700000300);"
    "COMMIT;";

static void write_v1_file(const char *path)
{
    remove_db(path);
    raw_exec(path, v1_schema);
    raw_exec(path, v1_data);
    assert_int_equal(raw_int(path, "PRAGMA user_version"), 1);
}

static int count_event(const rf_event_record *e, void *payload)
{
    (void)e;
    (*(int *)payload)++;
    return 0;
}

static rf_referral_record small_referral(const char *id, const char *referee, const char *key)
{
    rf_referral_record r;
    memset(&r, 0, sizeof r);
    r.id = id;
    r.program_id = "prog-1";
    r.referrer_id = "0001-p";
    r.referee_id = referee;
    r.attribution_key = key;
    r.direction = 1;
    r.state = 1;
    r.reached_at[1] = 1700000500;
    r.updated_at = 1700000500;
    return r;
}

static void v1_file_is_upgraded_with_its_data(void **state)
{
    fixture *f = *state;
    make_path(f, "v1");
    write_v1_file(f->path);

    rf_backend *b = open_ok(f->path);
    assert_upgraded_meta(f->path, "libreferral 0.1.0"); /* every step, in one go */
    char buf[128];
    assert_string_equal(raw_text(f->path, "PRAGMA journal_mode", buf, sizeof buf), "wal");

    /* The old records read back through the vtable, field for field. */
    rf_party_record want = party("0001-p", "ext-1");
    rf_party_record got;
    assert_int_equal(b->party_get(b, PRACTICE, "0001-p", &got), RF_OK);
    assert_same_party(&got, &want);
    assert_int_equal(b->party_get_by_external(b, "clinic-b", "ext-1", &got), RF_OK);
    assert_string_equal(got.display_name, "Other");
    assert_int_equal(b->party_get(b, PRACTICE, "0002-p", &got), RF_OK);
    assert_null(got.external_id);
    rf_code_record want_code = code("0001-c", "JANE7K3Q", "0001-p");
    rf_code_record got_code;
    assert_int_equal(b->code_get_by_key(b, PRACTICE, "JANE7K3Q", &got_code), RF_OK);
    assert_same_code(&got_code, &want_code);
    int64_t last = 0;
    assert_int_equal(b->journal_last_seq(b, PRACTICE, &last), RF_OK);
    assert_int_equal(last, 2);
    int events = 0;
    assert_int_equal(b->journal_scan(b, PRACTICE, 0, 0, count_event, &events), RF_OK);
    assert_int_equal(events, 2);
    rf_idempotency_record idem;
    assert_int_equal(b->idempotency_get(b, PRACTICE, "idem-1", &idem), RF_OK);
    assert_true(idem.fingerprint == UINT64_MAX);
    assert_string_equal(idem.result_id, "0001-p");

    /* The new tables work at once, next to the old data. */
    rf_referral_record r = small_referral("0001-r", "0002-p", "0002-p");
    int64_t seq = 0;
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->referral_insert(b, PRACTICE, &r), RF_OK);
    assert_int_equal(
        b->journal_append(b, PRACTICE, &(rf_event_record){.type = "referral.received", .at = 1}, &seq),
        RF_OK);
    assert_int_equal(seq, 3);
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);

    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM parties"), 3);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM codes"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM idempotency"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM referrals"), 1);
    assert_string_equal(raw_text(f->path, "PRAGMA integrity_check", buf, sizeof buf), "ok");

    /* Opening again changes nothing more. */
    b = open_ok(f->path);
    b->free(b);
    assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 4);
}

static void upgraded_file_has_the_new_files_schema(void **state)
{
    fixture *f = *state;
    make_path(f, "v1same");
    write_v1_file(f->path);
    assert_upgrade_ends_like_new(f->path);
}

static void new_keys_and_indexes_lead_with_practice(void **state)
{
    fixture *f = *state;
    make_path(f, "v2keys");
    remove_db(f->path);
    rf_backend *b = open_ok(f->path);
    b->free(b);
    static const char *const want[][2] = {
        {"sqlite_autoindex_programs_1", "practice,id"},
        {"sqlite_autoindex_programs_2", "practice,name"},
        {"sqlite_autoindex_touches_1", "practice,id"},
        {"touches_visitor", "practice,visitor_key,at"},
        {"sqlite_autoindex_referrals_1", "practice,id"},
        {"referrals_attribution", "practice,attribution_key"},
        {"referrals_referrer", "practice,referrer_id,id"},
        {"referrals_referee", "practice,referee_id,id"},
        {"referrals_target", "practice,target_id,id"},
        {"referrals_program", "practice,program_id,received_at"},
    };
    assert_index_columns(f->path, want, sizeof want / sizeof want[0]);
    assert_int_equal(raw_int(f->path, "SELECT \"unique\" FROM pragma_index_list('referrals') "
                                      "WHERE name = 'referrals_attribution'"),
                     1);
    assert_int_equal(raw_int(f->path, "SELECT \"unique\" FROM pragma_index_list('programs') "
                                      "WHERE name = 'sqlite_autoindex_programs_2'"),
                     1);
    /* One column per state, named after it. */
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM pragma_table_info('referrals') WHERE name IN "
                                      "('received_at', 'needs_info_at', 'accepted_at', 'scheduled_at', "
                                      "'no_show_at', 'appt_cancelled_at', 'seen_at', 'closed_at', "
                                      "'cancel_requested_at', 'cancelled_at', 'declined_at', 'lost_at', "
                                      "'on_hold_at', 'entered_in_error_at')"),
                     14);
    assert_all_keys_lead_with_practice(f->path);
}

/* A step that fails leaves the file at its old version with nothing of the new schema. */
static void failed_upgrade_changes_nothing(void **state)
{
    fixture *f = *state;
    make_path(f, "v1fail");
    write_v1_file(f->path);
    /* Someone added a table of the name step 1 creates: the step fails half-way. */
    raw_exec(f->path, "CREATE TABLE referrals (x INTEGER)");

    rf_backend *b = NULL;
    assert_int_equal(rf_backend_sqlite_new(&b, f->path), RF_EBACKEND);
    assert_null(b);
    assert_error_mentions("migrating the schema from version 1");
    assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name IN ('programs', "
                                      "'touches', 'touches_visitor', 'reward_rules', 'reward_grants', "
                                      "'ledger_entries')"),
                     0);
    assert_int_equal(raw_int(f->path, "SELECT value FROM meta WHERE key = 'schema_version'"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM parties"), 3);
}

/* Two handles opening one old file: the first upgrades it, the second finds it done. */
static void concurrent_opens_upgrade_once(void **state)
{
    fixture *f = *state;
    make_path(f, "v1twice");
    write_v1_file(f->path);
    rf_backend *a = open_ok(f->path);
    rf_backend *b = open_ok(f->path);
    rf_referral_record r = small_referral("0001-r", "0002-p", "0002-p");
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->referral_insert(b, PRACTICE, &r), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    rf_referral_record got;
    assert_int_equal(a->referral_get(a, PRACTICE, "0001-r", &got), RF_OK);
    b->free(b);
    a->free(a);
    assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 4);
}

int run_migration_cases(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(v1_file_is_upgraded_with_its_data),
        FIXTURE_TEST(upgraded_file_has_the_new_files_schema),
        FIXTURE_TEST(new_keys_and_indexes_lead_with_practice),
        FIXTURE_TEST(failed_upgrade_changes_nothing),
        FIXTURE_TEST(concurrent_opens_upgrade_once),
    };
    return cmocka_run_group_tests_name("migrations", tests, NULL, NULL);
}
