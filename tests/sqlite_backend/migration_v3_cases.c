/* The schema 3 -> 4 migration (client events, outbox tasks, message
 * templates and the party's preferred channel): a file written by
 * libreferral with contract version 3 is upgraded in place, in one
 * transaction, keeping its data. */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>

/* Schema version 3 exactly as libreferral wrote it (migration steps 0 to 2),
 * frozen here: the upgrade must work on files that exist, whatever later
 * edits do to the code. */
static const char v3_schema[] =
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
    "CREATE TABLE reward_rules ("
    "  practice TEXT NOT NULL,"
    "  id TEXT NOT NULL,"
    "  program_id TEXT,"
    "  name TEXT,"
    "  currency TEXT,"
    "  item TEXT,"
    "  recipient INTEGER NOT NULL,"
    "  trigger_state INTEGER NOT NULL,"
    "  kind INTEGER NOT NULL,"
    "  percent INTEGER NOT NULL,"
    "  expiry_days INTEGER NOT NULL,"
    "  hold_days INTEGER NOT NULL,"
    "  cap_count INTEGER NOT NULL,"
    "  cap_days INTEGER NOT NULL,"
    "  tier INTEGER NOT NULL,"
    "  active INTEGER NOT NULL,"
    "  amount INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (practice, id)"
    ");"
    "CREATE INDEX reward_rules_program ON reward_rules (practice, program_id, id);"
    "CREATE TABLE reward_grants ("
    "  practice TEXT NOT NULL,"
    "  id TEXT NOT NULL,"
    "  grant_key TEXT NOT NULL,"
    "  rule_id TEXT,"
    "  program_id TEXT,"
    "  referral_id TEXT,"
    "  recipient_id TEXT,"
    "  currency TEXT,"
    "  item TEXT,"
    "  recipient INTEGER NOT NULL,"
    "  kind INTEGER NOT NULL,"
    "  rule_kind INTEGER NOT NULL,"
    "  compliance INTEGER NOT NULL,"
    "  percent INTEGER NOT NULL,"
    "  tier_count INTEGER NOT NULL,"
    "  status INTEGER NOT NULL,"
    "  amount INTEGER NOT NULL,"
    "  units INTEGER NOT NULL,"
    "  issued_at INTEGER NOT NULL,"
    "  release_at INTEGER,"
    "  released_at INTEGER,"
    "  expires_at INTEGER,"
    "  closed_at INTEGER,"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (practice, id),"
    "  UNIQUE (practice, grant_key)"
    ");"
    "CREATE INDEX reward_grants_recipient ON reward_grants (practice, recipient_id, id);"
    "CREATE INDEX reward_grants_referral ON reward_grants (practice, referral_id, id);"
    "CREATE INDEX reward_grants_rule ON reward_grants (practice, rule_id, id);"
    "CREATE INDEX reward_grants_release ON reward_grants (practice, status, release_at);"
    "CREATE INDEX reward_grants_expiry ON reward_grants (practice, status, expires_at);"
    "CREATE TABLE ledger_entries ("
    "  practice TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  id TEXT NOT NULL,"
    "  entry_key TEXT NOT NULL,"
    "  grant_id TEXT,"
    "  party_id TEXT,"
    "  currency TEXT,"
    "  reference TEXT,"
    "  type INTEGER NOT NULL,"
    "  amount INTEGER NOT NULL,"
    "  pending_delta INTEGER NOT NULL,"
    "  available_delta INTEGER NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  PRIMARY KEY (practice, seq),"
    "  UNIQUE (practice, id),"
    "  UNIQUE (practice, entry_key)"
    ") WITHOUT ROWID;"
    "CREATE INDEX ledger_entries_party ON ledger_entries (practice, party_id, seq);"
    "CREATE INDEX ledger_entries_grant ON ledger_entries (practice, grant_id, seq);"
    "PRAGMA user_version = 3;"
    "PRAGMA application_id = 1380340300;" /* 0x5246524C, "RFRL" */
    "INSERT INTO meta VALUES ('created_by', 'libreferral 0.3.0'), ('schema_version', '3');"
    "COMMIT;";

/* What a version-3 store held: besides the older records (one party with
 * every field, one bare), a reward rule, a grant with its release pending
 * (unset times NULL) and its ledger entry. */
static const char v3_data[] =
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
    "INSERT INTO referrals (practice, id, program_id, referrer_id, referee_id, code_id, attribution_key, "
    "direction, source, channel, state, held_state, care_level, urgency, fraud_flags, documents_complete, "
    "reschedules, no_shows, visits, received_at, updated_at) VALUES ('clinic-a', '0001-r', 'prog-1', "
    "'0001-p', '0002-p', '0001-c', '0002-p', 1, 1, 3, 1, 0, 1, 1, 0, 1, 0, 0, 0, 1700000200, 1700000200);"
    "INSERT INTO reward_rules VALUES ('clinic-a', '0001-w', 'prog-1', 'Friend''s first session', 'GBP', "
    "'+15 minutes', 1, 7, 1, 10, 180, 14, 3, 365, 5, 1, 2500, 1700000000, 1700000001);"
    "INSERT INTO reward_grants VALUES ('clinic-a', '0001-g', '0001-w:0001-r:0001-p', '0001-w', 'prog-1', "
    "'0001-r', '0001-p', 'GBP', '+15 minutes', 1, 8, 1, 1, 10, 3, 1, 2500, 2500, 1700000000, 1701209600, "
    "1701209700, 1716761600, 1716761700, 1716761800);"
    "INSERT INTO reward_grants VALUES ('clinic-a', '0002-g', 'k2', NULL, NULL, NULL, NULL, NULL, NULL, 0, "
    "0, 0, 0, 0, 0, 1, 0, 0, 0, NULL, NULL, NULL, NULL, 5);"
    "INSERT INTO ledger_entries VALUES ('clinic-a', 1, '0001-l', '0001-g:issued', '0001-g', '0001-p', "
    "'GBP', 'invoice 42', 3, 700, -2500, 1800, 1700000400);"
    "INSERT INTO journal VALUES ('clinic-a', 1, 'party.added', '0001-p', NULL, 'idem-1', NULL, 1700000010);"
    "INSERT INTO journal VALUES ('clinic-a', 2, 'reward.granted', '0001-g', '0001-p', NULL, 'n=1', "
    "1700000300);"
    "INSERT INTO idempotency VALUES ('clinic-a', 'idem-1', 'party.add', '0001-p', 7, 1700000010);"
    "COMMIT;";

static void write_v3_file(const char *path)
{
    remove_db(path);
    raw_exec(path, v3_schema);
    raw_exec(path, v3_data);
    assert_int_equal(raw_int(path, "PRAGMA user_version"), 3);
}

/* The records a contract-version-4 store adds, written through the vtable. */
static void write_outbox(rf_backend *b, const char *practice)
{
    rf_client_event_record e = event_rec("0001-e", "0001-p");
    rf_task_record t = task_rec("0001-k", "thank:0001-r", "0001-p");
    rf_template_record wide = template_rec("0001-m", NULL, "thanks.sms");
    rf_template_record own = template_rec("0002-m", "prog-1", "thanks.sms");
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->client_event_insert(b, practice, &e), RF_OK);
    assert_int_equal(b->task_insert(b, practice, &t), RF_OK);
    assert_int_equal(b->template_insert(b, practice, &wide), RF_OK);
    assert_int_equal(b->template_insert(b, practice, &own), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
}

static int same_event(const rf_client_event_record *e, void *payload)
{
    assert_same_event(e, payload);
    return 0;
}

static void v3_file_is_upgraded_with_its_data(void **state)
{
    fixture *f = *state;
    make_path(f, "v3");
    write_v3_file(f->path);

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->version, 4);
    assert_upgraded_meta(f->path, "libreferral 0.3.0");

    /* The old records read back through the vtable, field for field; the
     * parties written before the column existed prefer no channel (0). */
    rf_party_record want = party("0001-p", "ext-1");
    rf_party_record got;
    assert_int_equal(b->party_get(b, PRACTICE, "0001-p", &got), RF_OK);
    assert_same_party(&got, &want);
    assert_int_equal(b->party_get(b, PRACTICE, "0002-p", &got), RF_OK);
    assert_null(got.external_id);
    assert_int_equal(got.preferred_channel, 0);
    rf_code_record want_code = code("0001-c", "JANE7K3Q", "0001-p");
    rf_code_record got_code;
    assert_int_equal(b->code_get_by_key(b, PRACTICE, "JANE7K3Q", &got_code), RF_OK);
    assert_same_code(&got_code, &want_code);
    rf_referral_record r;
    assert_int_equal(b->referral_get(b, PRACTICE, "0001-r", &r), RF_OK);
    assert_string_equal(r.attribution_key, "0002-p");
    rf_reward_rule_record want_rule = reward_rule("0001-w", "prog-1");
    rf_reward_rule_record rule;
    assert_int_equal(b->reward_rule_get(b, PRACTICE, "0001-w", &rule), RF_OK);
    assert_same_rule(&rule, &want_rule);
    rf_grant_record want_grant = grant("0001-g", "0001-w:0001-r:0001-p", "0001-p");
    rf_grant_record g;
    assert_int_equal(b->grant_get_by_key(b, PRACTICE, "0001-w:0001-r:0001-p", &g), RF_OK);
    assert_same_grant(&g, &want_grant);
    rf_grant_record bare_grant = {.id = "0002-g", .grant_key = "k2", .status = 1, .updated_at = 5};
    assert_int_equal(b->grant_get(b, PRACTICE, "0002-g", &g), RF_OK);
    assert_same_grant(&g, &bare_grant);
    int64_t last = 0;
    assert_int_equal(b->journal_last_seq(b, PRACTICE, &last), RF_OK);
    assert_int_equal(last, 2);
    rf_idempotency_record idem;
    assert_int_equal(b->idempotency_get(b, PRACTICE, "idem-1", &idem), RF_OK);
    assert_true(idem.fingerprint == 7);

    /* The new tables work at once, next to the old data, and keep their unique keys. */
    write_outbox(b, PRACTICE);
    rf_client_event_record want_event = event_rec("0001-e", "0001-p");
    rf_client_event_query q = {.party_id = "0001-p", .from = RF_TIME_UNSET, .to = RF_TIME_UNSET};
    assert_int_equal(b->client_event_scan(b, PRACTICE, &q, same_event, &want_event), RF_OK);
    rf_task_record want_task = task_rec("0001-k", "thank:0001-r", "0001-p");
    rf_task_record t;
    assert_int_equal(b->task_get_by_key(b, PRACTICE, "thank:0001-r", &t), RF_OK);
    assert_same_task(&t, &want_task);
    rf_template_record tpl;
    assert_int_equal(b->template_get_by_name(b, PRACTICE, NULL, "thanks.sms", &tpl), RF_OK);
    assert_string_equal(tpl.id, "0001-m");
    rf_task_record twice = task_rec("0002-k", "thank:0001-r", "0001-p");
    rf_template_record wide_twice = template_rec("0003-m", NULL, "thanks.sms");
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->task_insert(b, PRACTICE, &twice), RF_EEXISTS);
    assert_int_equal(b->template_insert(b, PRACTICE, &wide_twice), RF_EEXISTS);
    /* An old party now keeps a preferred channel. */
    want.preferred_channel = 4;
    assert_int_equal(b->party_update(b, PRACTICE, &want), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    assert_int_equal(b->party_get_by_external(b, PRACTICE, "ext-1", &got), RF_OK);
    assert_same_party(&got, &want);
    b->free(b);

    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM parties"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM referrals"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM reward_grants"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM ledger_entries"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM journal"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM client_events"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM tasks"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM templates"), 2);
    assert_int_equal(raw_int(f->path, "SELECT preferred_channel FROM parties WHERE id = '0002-p'"), 0);
    char buf[128];
    assert_string_equal(raw_text(f->path, "PRAGMA integrity_check", buf, sizeof buf), "ok");

    /* Opening again changes nothing more. */
    b = open_ok(f->path);
    b->free(b);
    assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 4);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM meta"), 3);
}

/* The frozen version-3 schema is what steps 0 to 2 still create, and the
 * upgraded file (with the column added to parties) ends exactly like a new one. */
static void upgraded_v3_file_has_the_new_files_schema(void **state)
{
    fixture *f = *state;
    make_path(f, "v3same");
    write_v3_file(f->path);
    assert_upgrade_ends_like_new(f->path);
}

/* A step that fails leaves the file at version 3 with nothing of the new
 * schema, not even the column the step's first statement added. */
static void failed_v3_upgrade_changes_nothing(void **state)
{
    fixture *f = *state;
    make_path(f, "v3fail");
    write_v3_file(f->path);
    /* Someone added a table of the name step 3 creates last: the step fails half-way. */
    raw_exec(f->path, "CREATE TABLE templates (x INTEGER)");

    rf_backend *b = NULL;
    assert_int_equal(rf_backend_sqlite_new(&b, f->path), RF_EBACKEND);
    assert_null(b);
    assert_error_mentions("migrating the schema from version 3");
    assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 3);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name IN ('client_events', "
                                      "'client_events_party', 'tasks', 'tasks_due')"),
                     0);
    assert_int_equal(
        raw_int(f->path,
                "SELECT count(*) FROM pragma_table_info('parties') WHERE name = 'preferred_channel'"),
        0);
    assert_int_equal(raw_int(f->path, "SELECT value FROM meta WHERE key = 'schema_version'"), 3);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM meta WHERE key = 'migrated_by'"), 0);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM parties"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM reward_grants"), 2);
}

/* Two handles opening one version-3 file: the first upgrades it, the second
 * finds it done; both then see each other's tasks. */
static void concurrent_opens_upgrade_v3_once(void **state)
{
    fixture *f = *state;
    make_path(f, "v3twice");
    write_v3_file(f->path);
    rf_backend *a = open_ok(f->path);
    rf_backend *b = open_ok(f->path);
    write_outbox(b, PRACTICE);
    rf_task_record t;
    assert_int_equal(a->task_get(a, PRACTICE, "0001-k", &t), RF_OK);
    rf_template_record tpl;
    assert_int_equal(a->template_get_by_name(a, PRACTICE, "prog-1", "thanks.sms", &tpl), RF_OK);
    assert_string_equal(tpl.id, "0002-m");
    b->free(b);
    a->free(a);
    assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 4);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM meta WHERE key = 'migrated_by'"), 1);
}

int run_migration_v3_cases(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(v3_file_is_upgraded_with_its_data),
        FIXTURE_TEST(upgraded_v3_file_has_the_new_files_schema),
        FIXTURE_TEST(failed_v3_upgrade_changes_nothing),
        FIXTURE_TEST(concurrent_opens_upgrade_v3_once),
    };
    return cmocka_run_group_tests_name("migrations from version 3", tests, NULL, NULL);
}
