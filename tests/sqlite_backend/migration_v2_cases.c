/* The schema 2 -> 3 migration (reward rules, grants and the ledger): a file
 * written by libreferral with contract version 2 is upgraded in place, in
 * one transaction, keeping its data. */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>

/* Schema version 2 exactly as libreferral wrote it (migration steps 0 and 1),
 * frozen here: the upgrade must work on files that exist, whatever later
 * edits do to the code. */
static const char v2_schema[] =
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
    "CREATE TABLE programs ("
    "  practice TEXT NOT NULL,"
    "  id TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  settings TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (practice, id),"
    "  UNIQUE (practice, name)"
    ");"
    "CREATE TABLE touches ("
    "  practice TEXT NOT NULL,"
    "  id TEXT NOT NULL,"
    "  code_id TEXT,"
    "  owner_id TEXT,"
    "  program_id TEXT,"
    "  visitor_key TEXT,"
    "  channel INTEGER NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  PRIMARY KEY (practice, id)"
    ");"
    "CREATE INDEX touches_visitor ON touches (practice, visitor_key, at);"
    "CREATE TABLE referrals ("
    "  practice TEXT NOT NULL,"
    "  id TEXT NOT NULL,"
    "  program_id TEXT,"
    "  referrer_id TEXT,"
    "  referee_id TEXT,"
    "  target_id TEXT,"
    "  code_id TEXT,"
    "  touch_id TEXT,"
    "  evidence TEXT,"
    "  reason TEXT,"
    "  preferred_timing TEXT,"
    "  practitioner_id TEXT,"
    "  variant TEXT,"
    "  documents_required TEXT,"
    "  documents_received TEXT,"
    "  attribution_key TEXT,"
    "  direction INTEGER NOT NULL,"
    "  source INTEGER NOT NULL,"
    "  channel INTEGER NOT NULL,"
    "  state INTEGER NOT NULL,"
    "  held_state INTEGER NOT NULL,"
    "  care_level INTEGER NOT NULL,"
    "  urgency INTEGER NOT NULL,"
    "  fraud_flags INTEGER NOT NULL,"
    "  documents_complete INTEGER NOT NULL,"
    "  reschedules INTEGER NOT NULL,"
    "  no_shows INTEGER NOT NULL,"
    "  visits INTEGER NOT NULL,"
    "  unset_at INTEGER,"
    "  received_at INTEGER NOT NULL,"
    "  needs_info_at INTEGER,"
    "  accepted_at INTEGER,"
    "  scheduled_at INTEGER,"
    "  no_show_at INTEGER,"
    "  appt_cancelled_at INTEGER,"
    "  seen_at INTEGER,"
    "  closed_at INTEGER,"
    "  cancel_requested_at INTEGER,"
    "  cancelled_at INTEGER,"
    "  declined_at INTEGER,"
    "  lost_at INTEGER,"
    "  on_hold_at INTEGER,"
    "  entered_in_error_at INTEGER,"
    "  appointment_at INTEGER,"
    "  first_appointment_at INTEGER,"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (practice, id)"
    ");"
    "CREATE UNIQUE INDEX referrals_attribution ON referrals (practice, attribution_key);"
    "CREATE INDEX referrals_referrer ON referrals (practice, referrer_id, id);"
    "CREATE INDEX referrals_referee ON referrals (practice, referee_id, id);"
    "CREATE INDEX referrals_target ON referrals (practice, target_id, id);"
    "CREATE INDEX referrals_program ON referrals (practice, program_id, received_at);"
    "PRAGMA user_version = 2;"
    "PRAGMA application_id = 1380340300;" /* 0x5246524C, "RFRL" */
    "INSERT INTO meta VALUES ('created_by', 'libreferral 0.2.0'), ('schema_version', '2');"
    "COMMIT;";

/* What a version-2 store held: besides the version-1 records, programmes
 * (one name in two practices), a touch and referrals, one moved on. */
static const char v2_data[] =
    "BEGIN;"
    "INSERT INTO parties VALUES ('clinic-a', '0001-p', 'ext-1', 'Jane Doe', 'jane@example.org', "
    "'+441632960001', 'ek-jane', 'pk-jane', 'new', 'staff-1', 'a friend', 1, 5, 2, 3, 1700000000, "
    "1700000001, 1700000002);"
    "INSERT INTO parties VALUES ('clinic-a', '0002-p', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, 2, 0, 0, 0, 0, 1700000003, 1700000003);"
    "INSERT INTO codes VALUES ('clinic-a', '0001-c', 'JANE7K3Q', 'JANE-7K3Q', '0001-p', 'prog-1', NULL, 2, "
    "3, 10, 4, 1700000100, 1800000000, 0);"
    "INSERT INTO programs VALUES ('clinic-a', 'prog-1', 'Friends', 'window_days=30;', 1700000050, "
    "1700000060);"
    "INSERT INTO programs VALUES ('clinic-b', 'prog-9', 'Friends', NULL, 1, 2);"
    "INSERT INTO touches VALUES ('clinic-a', '0001-t', '0001-c', '0001-p', 'prog-1', 'visitor-1', 3, "
    "1700000150);"
    "INSERT INTO referrals (practice, id, program_id, referrer_id, referee_id, code_id, touch_id, "
    "evidence, attribution_key, direction, source, channel, state, held_state, care_level, urgency, "
    "fraud_flags, documents_complete, reschedules, no_shows, visits, received_at, accepted_at, "
    "scheduled_at, appointment_at, first_appointment_at, updated_at) VALUES ('clinic-a', '0001-r', "
    "'prog-1', '0001-p', '0002-p', '0001-c', '0001-t', 'code=JANE7K3Q', '0002-p', 1, 1, 3, 4, 0, 1, 1, 0, "
    "1, 1, 0, 0, 1700000200, 1700000300, 1700000400, 1700900000, 1700800000, 1700000400);"
    "INSERT INTO referrals (practice, id, program_id, referrer_id, referee_id, direction, source, channel, "
    "state, held_state, care_level, urgency, fraud_flags, documents_complete, reschedules, no_shows, "
    "visits, received_at, updated_at) VALUES ('clinic-b', '0001-r', 'prog-9', 'x', 'y', 1, 1, 1, 1, 0, 0, "
    "0, 0, 0, 0, 0, 0, 5, 5);"
    "INSERT INTO journal VALUES ('clinic-a', 1, 'party.added', '0001-p', NULL, 'idem-1', NULL, 1700000010);"
    "INSERT INTO journal VALUES ('clinic-a', 2, 'program.created', 'prog-1', NULL, NULL, NULL, 1700000050);"
    "INSERT INTO journal VALUES ('clinic-a', 3, 'referral.received', '0001-r', '0001-p', NULL, 'n=1', "
    "1700000200);"
    "INSERT INTO idempotency VALUES ('clinic-a', 'idem-1', 'party.add', '0001-p', 7, 1700000010);"
    "COMMIT;";

static void write_v2_file(const char *path)
{
    remove_db(path);
    raw_exec(path, v2_schema);
    raw_exec(path, v2_data);
    assert_int_equal(raw_int(path, "PRAGMA user_version"), 2);
}

/* The records a contract-version-3 store adds, written through the vtable. */
static void write_rewards(rf_backend *b, const char *practice, int64_t seq)
{
    rf_reward_rule_record rule = reward_rule("0001-w", "prog-1");
    rf_grant_record g = grant("0001-g", "0001-w:0001-r:0001-p", "0001-p");
    rf_ledger_record e = entry("0001-l", "0001-g:issued", seq);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->reward_rule_insert(b, practice, &rule), RF_OK);
    assert_int_equal(b->grant_insert(b, practice, &g), RF_OK);
    assert_int_equal(b->ledger_insert(b, practice, &e), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
}

static void v2_file_is_upgraded_with_its_data(void **state)
{
    fixture *f = *state;
    make_path(f, "v2");
    write_v2_file(f->path);

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->version, 4);
    assert_upgraded_meta(f->path, "libreferral 0.2.0");

    /* The old records read back through the vtable, field for field. */
    rf_party_record want = party("0001-p", "ext-1");
    rf_party_record got;
    assert_int_equal(b->party_get(b, PRACTICE, "0001-p", &got), RF_OK);
    assert_same_party(&got, &want);
    rf_code_record want_code = code("0001-c", "JANE7K3Q", "0001-p");
    rf_code_record got_code;
    assert_int_equal(b->code_get_by_key(b, PRACTICE, "JANE7K3Q", &got_code), RF_OK);
    assert_same_code(&got_code, &want_code);
    rf_program_record prog;
    assert_int_equal(b->program_get_by_name(b, "clinic-b", "Friends", &prog), RF_OK);
    assert_string_equal(prog.id, "prog-9");
    assert_int_equal(b->program_get(b, PRACTICE, "prog-1", &prog), RF_OK);
    assert_string_equal(prog.settings, "window_days=30;");
    assert_int_equal(prog.updated_at, 1700000060);
    rf_touch_record touch;
    assert_int_equal(b->touch_get(b, PRACTICE, "0001-t", &touch), RF_OK);
    assert_string_equal(touch.visitor_key, "visitor-1");
    rf_referral_record r;
    assert_int_equal(b->referral_get(b, PRACTICE, "0001-r", &r), RF_OK);
    assert_string_equal(r.attribution_key, "0002-p");
    assert_int_equal(r.state, 4);
    assert_int_equal(r.reached_at[1], 1700000200);
    assert_int_equal(r.reached_at[3], 1700000300);
    assert_int_equal(r.reached_at[4], 1700000400);
    assert_int_equal(r.reached_at[2], 0);
    assert_int_equal(r.first_appointment_at, 1700800000);
    rf_idempotency_record idem;
    assert_int_equal(b->idempotency_get(b, PRACTICE, "idem-1", &idem), RF_OK);
    assert_true(idem.fingerprint == 7);
    int64_t last = 0;
    assert_int_equal(b->journal_last_seq(b, PRACTICE, &last), RF_OK);
    assert_int_equal(last, 3);

    /* The new tables work at once, next to the old data, and keep their unique keys. */
    write_rewards(b, PRACTICE, 4);
    rf_grant_record twice = grant("0002-g", "0001-w:0001-r:0001-p", "0001-p");
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->grant_insert(b, PRACTICE, &twice), RF_EEXISTS);
    assert_int_equal(b->rollback(b), RF_OK);
    rf_grant_record g;
    assert_int_equal(b->grant_get_by_key(b, PRACTICE, "0001-w:0001-r:0001-p", &g), RF_OK);
    assert_string_equal(g.id, "0001-g");
    b->free(b);

    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM parties"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM programs"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM referrals"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM journal"), 3);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM reward_rules"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM reward_grants"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM ledger_entries"), 1);
    char buf[128];
    assert_string_equal(raw_text(f->path, "PRAGMA integrity_check", buf, sizeof buf), "ok");

    /* Opening again changes nothing more. */
    b = open_ok(f->path);
    b->free(b);
    assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 4);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM meta"), 3);
}

/* The frozen version-2 schema is what steps 0 and 1 still create, and the
 * upgraded file ends exactly like a new one. */
static void upgraded_v2_file_has_the_new_files_schema(void **state)
{
    fixture *f = *state;
    make_path(f, "v2same");
    write_v2_file(f->path);
    assert_upgrade_ends_like_new(f->path);
}

/* A step that fails leaves the file at version 2 with nothing of the new schema. */
static void failed_v2_upgrade_changes_nothing(void **state)
{
    fixture *f = *state;
    make_path(f, "v2fail");
    write_v2_file(f->path);
    /* Someone added a table of a name step 2 creates after others: the step fails half-way. */
    raw_exec(f->path, "CREATE TABLE ledger_entries (x INTEGER)");

    rf_backend *b = NULL;
    assert_int_equal(rf_backend_sqlite_new(&b, f->path), RF_EBACKEND);
    assert_null(b);
    assert_error_mentions("migrating the schema from version 2");
    assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name IN ('reward_rules', "
                                      "'reward_rules_program', 'reward_grants', 'reward_grants_expiry')"),
                     0);
    assert_int_equal(raw_int(f->path, "SELECT value FROM meta WHERE key = 'schema_version'"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM meta WHERE key = 'migrated_by'"), 0);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM referrals"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM journal"), 3);
}

/* Two handles opening one version-2 file: the first upgrades it, the second
 * finds it done; both then see each other's rewards. */
static void concurrent_opens_upgrade_v2_once(void **state)
{
    fixture *f = *state;
    make_path(f, "v2twice");
    write_v2_file(f->path);
    rf_backend *a = open_ok(f->path);
    rf_backend *b = open_ok(f->path);
    write_rewards(b, PRACTICE, 4);
    rf_reward_rule_record rule;
    assert_int_equal(a->reward_rule_get(a, PRACTICE, "0001-w", &rule), RF_OK);
    rf_grant_record g;
    assert_int_equal(a->grant_get(a, PRACTICE, "0001-g", &g), RF_OK);
    b->free(b);
    a->free(a);
    assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 4);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM meta WHERE key = 'migrated_by'"), 1);
}

int run_migration_v2_cases(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(v2_file_is_upgraded_with_its_data),
        FIXTURE_TEST(upgraded_v2_file_has_the_new_files_schema),
        FIXTURE_TEST(failed_v2_upgrade_changes_nothing),
        FIXTURE_TEST(concurrent_opens_upgrade_v2_once),
    };
    return cmocka_run_group_tests_name("migrations from version 2", tests, NULL, NULL);
}
