/* Schema versions 1 to 3 exactly as libreferral 0.1 to 0.3 wrote them,
 * frozen here instead of taken from src/backends/sqlite/sqlite_migrations.c:
 * the upgrade must work on the files that exist, and a file built from the
 * live steps could not show that a shipped step was edited later. Each
 * version's SQL stands here once, as the step it ran; never edit one. */
#include "frozen_schemas.h"

#include <stdio.h>

/* steps[i] moved a file from schema version i to i + 1. */
static const char *const steps[] = {
    /* 0 -> 1: the whole of schema version 1 (libreferral 0.1) */
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
    ") WITHOUT ROWID;",

    /* 1 -> 2: programmes, touches, and referrals with a column per state
     * (libreferral 0.2) */
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
    "CREATE INDEX referrals_program ON referrals (practice, program_id, received_at);",

    /* 2 -> 3: reward rules, grants and the ledger (libreferral 0.3) */
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
    "CREATE INDEX ledger_entries_grant ON ledger_entries (practice, grant_id, seq);",
};

/* Rows every old file holds: a party with every field (party("0001-p",
 * "ext-1")), a bare one, and the first party's code (code("0001-c",
 * "JANE7K3Q", "0001-p")). */
static const char rows_since_v1[] =
    "INSERT INTO parties VALUES ('clinic-a', '0001-p', 'ext-1', 'Jane Doe', 'jane@example.org', "
    "'+441632960001', 'ek-jane', 'pk-jane', 'new', 'staff-1', 'a friend', 1, 5, 2, 3, 1700000000, "
    "1700000001, 1700000002);"
    "INSERT INTO parties VALUES ('clinic-a', '0002-p', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, 2, 0, 0, 0, 0, 1700000003, 1700000003);"
    "INSERT INTO codes VALUES ('clinic-a', '0001-c', 'JANE7K3Q', 'JANE-7K3Q', '0001-p', 'prog-1', NULL, 2, "
    "3, 10, 4, 1700000100, 1800000000, 0);";

/* Rows every file from version 2 on holds besides: a programme, and the
 * journal's first event with the idempotency key it names. */
static const char rows_since_v2[] =
    "INSERT INTO programs VALUES ('clinic-a', 'prog-1', 'Friends', 'window_days=30;', 1700000050, "
    "1700000060);"
    "INSERT INTO journal VALUES ('clinic-a', 1, 'party.added', '0001-p', NULL, 'idem-1', NULL, 1700000010);"
    "INSERT INTO idempotency VALUES ('clinic-a', 'idem-1', 'party.add', '0001-p', 7, 1700000010);";

void write_old_file(const char *path, int version, const char *rows)
{
    assert_in_range(version, 1, sizeof steps / sizeof steps[0]);
    remove_db(path);

    /* What libreferral 0.<version> ran on a new file, in one transaction. */
    sqlite3_str *sql = sqlite3_str_new(NULL);
    sqlite3_str_appendall(sql, "PRAGMA journal_mode = WAL;BEGIN;");
    for (int i = 0; i < version; i++) {
        sqlite3_str_appendall(sql, steps[i]);
    }
    sqlite3_str_appendf(sql,
                        "PRAGMA user_version = %d;"
                        "PRAGMA application_id = 1380340300;" /* 0x5246524C, "RFRL" */
                        "INSERT INTO meta VALUES ('created_by', 'libreferral 0.%d.0'), ('schema_version', "
                        "'%d');"
                        "COMMIT;",
                        version, version, version);
    char *text = sqlite3_str_finish(sql);
    assert_non_null(text);
    raw_exec(path, text);
    sqlite3_free(text);

    text = sqlite3_mprintf("BEGIN;%s%s%sCOMMIT;", rows_since_v1, version >= 2 ? rows_since_v2 : "", rows);
    assert_non_null(text);
    raw_exec(path, text);
    sqlite3_free(text);
    assert_int_equal(raw_int(path, "PRAGMA user_version"), version);
}

rf_backend *open_upgraded(const char *path, int version)
{
    rf_backend *b = open_ok(path);
    assert_int_equal(b->version, 4);
    char created_by[32];
    snprintf(created_by, sizeof created_by, "libreferral 0.%d.0", version);
    assert_upgraded_meta(path, created_by); /* every step, in one go */
    char buf[16];
    assert_string_equal(raw_text(path, "PRAGMA journal_mode", buf, sizeof buf), "wal");
    return b;
}

void assert_old_rows_read_back(rf_backend *b, int version)
{
    rf_party_record want = party("0001-p", "ext-1");
    rf_party_record got;
    assert_int_equal(b->party_get(b, PRACTICE, "0001-p", &got), RF_OK);
    assert_same_party(&got, &want);
    assert_int_equal(b->party_get(b, PRACTICE, "0002-p", &got), RF_OK);
    assert_null(got.external_id);
    assert_int_equal(got.preferred_channel, 0); /* written before the column existed */
    rf_code_record want_code = code("0001-c", "JANE7K3Q", "0001-p");
    rf_code_record got_code;
    assert_int_equal(b->code_get_by_key(b, PRACTICE, "JANE7K3Q", &got_code), RF_OK);
    assert_same_code(&got_code, &want_code);
    if (version < 2) {
        return;
    }
    rf_program_record prog;
    assert_int_equal(b->program_get(b, PRACTICE, "prog-1", &prog), RF_OK);
    assert_string_equal(prog.settings, "window_days=30;");
    assert_int_equal(prog.updated_at, 1700000060);
    rf_idempotency_record idem;
    assert_int_equal(b->idempotency_get(b, PRACTICE, "idem-1", &idem), RF_OK);
    assert_true(idem.fingerprint == 7);
}
