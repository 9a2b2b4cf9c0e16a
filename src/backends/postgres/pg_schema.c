/* The PostgreSQL backend's schema: creating it in a new database and
 * checking the version of an existing one, before any record is touched.
 *
 * The tables and columns are those of the SQLite schema 4, translated:
 * INTEGER is BIGINT, TEXT is TEXT COLLATE "C" (keys and ids compare byte for
 * byte, and ORDER BY id is byte order, as the contract's scans need), and a
 * time that may be unset is NULL where SQLite has it NULL. Every primary and
 * unique key starts with the practice, the distribution column of a sharded
 * (Citus-style) deployment. rf_meta holds the schema version; it is the one
 * table without a practice (a reference table when sharded).
 *
 * The tables take their plain names in the connection's search_path; a host
 * that shares the database with other software gives libreferral a schema of
 * its own with `options='-c search_path=referral'` in the conninfo. */
#include "pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T "TEXT COLLATE \"C\""
#define I "BIGINT"

/* Schema 4, the first PostgreSQL schema. Later versions append migration
 * steps; never edit this once it has shipped. */
static const char schema_v4[] =
    "CREATE TABLE rf_meta ("
    "  key " T " NOT NULL PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ");"

    "CREATE TABLE parties ("
    "  practice " T " NOT NULL,"
    "  id " T " NOT NULL,"
    "  external_id " T ","
    "  display_name " T ","
    "  email " T ","
    "  phone " T ","
    "  email_key " T ","
    "  phone_key " T ","
    "  segment " T ","
    "  practitioner_id " T ","
    "  intake_detail " T ","
    "  kind " I " NOT NULL,"
    "  consent " I " NOT NULL,"
    "  payer " I " NOT NULL,"
    "  intake " I " NOT NULL,"
    "  first_visit_at " I " NOT NULL,"
    "  created_at " I " NOT NULL,"
    "  updated_at " I " NOT NULL,"
    "  preferred_channel " I " NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (practice, id),"
    "  UNIQUE (practice, external_id)"
    ");"
    "CREATE INDEX parties_email_key ON parties (practice, email_key);"
    "CREATE INDEX parties_phone_key ON parties (practice, phone_key);"

    "CREATE TABLE codes ("
    "  practice " T " NOT NULL,"
    "  id " T " NOT NULL,"
    "  key " T " NOT NULL,"
    "  text " T ","
    "  owner_id " T ","
    "  program_id " T ","
    "  revoke_reason " T ","
    "  style " I " NOT NULL,"
    "  channel " I " NOT NULL,"
    "  max_uses " I " NOT NULL,"
    "  uses " I " NOT NULL,"
    "  created_at " I " NOT NULL,"
    "  expires_at " I " NOT NULL,"
    "  revoked_at " I " NOT NULL,"
    "  PRIMARY KEY (practice, id),"
    "  UNIQUE (practice, key)"
    ");"
    "CREATE INDEX codes_owner ON codes (practice, owner_id, id);"

    "CREATE TABLE journal ("
    "  practice " T " NOT NULL,"
    "  seq " I " NOT NULL,"
    "  type " T ","
    "  subject_id " T ","
    "  object_id " T ","
    "  idempotency_key " T ","
    "  data " T ","
    "  at " I " NOT NULL,"
    "  PRIMARY KEY (practice, seq)"
    ");"

    /* fingerprint holds the uint64 hash's bit pattern as a BIGINT. */
    "CREATE TABLE idempotency ("
    "  practice " T " NOT NULL,"
    "  key " T " NOT NULL,"
    "  operation " T ","
    "  result_id " T ","
    "  fingerprint " I " NOT NULL,"
    "  created_at " I " NOT NULL,"
    "  PRIMARY KEY (practice, key)"
    ");"

    "CREATE TABLE programs ("
    "  practice " T " NOT NULL,"
    "  id " T " NOT NULL,"
    "  name " T " NOT NULL,"
    "  settings " T ","
    "  created_at " I " NOT NULL,"
    "  updated_at " I " NOT NULL,"
    "  PRIMARY KEY (practice, id),"
    "  UNIQUE (practice, name)"
    ");"

    "CREATE TABLE touches ("
    "  practice " T " NOT NULL,"
    "  id " T " NOT NULL,"
    "  code_id " T ","
    "  owner_id " T ","
    "  program_id " T ","
    "  visitor_key " T ","
    "  channel " I " NOT NULL,"
    "  at " I " NOT NULL,"
    "  PRIMARY KEY (practice, id)"
    ");"
    "CREATE INDEX touches_visitor ON touches (practice, visitor_key, at);"

    /* As in SQLite: one column per state's first time, NULL when never
     * reached (unset_at is slot 0); received_at is always set. The unique
     * attribution key is what tells two writers attributing one referee
     * apart; NULL keys never clash. */
    "CREATE TABLE referrals ("
    "  practice " T " NOT NULL,"
    "  id " T " NOT NULL,"
    "  program_id " T ","
    "  referrer_id " T ","
    "  referee_id " T ","
    "  target_id " T ","
    "  code_id " T ","
    "  touch_id " T ","
    "  evidence " T ","
    "  reason " T ","
    "  preferred_timing " T ","
    "  practitioner_id " T ","
    "  variant " T ","
    "  documents_required " T ","
    "  documents_received " T ","
    "  attribution_key " T ","
    "  direction " I " NOT NULL,"
    "  source " I " NOT NULL,"
    "  channel " I " NOT NULL,"
    "  state " I " NOT NULL,"
    "  held_state " I " NOT NULL,"
    "  care_level " I " NOT NULL,"
    "  urgency " I " NOT NULL,"
    "  fraud_flags " I " NOT NULL,"
    "  documents_complete " I " NOT NULL,"
    "  reschedules " I " NOT NULL,"
    "  no_shows " I " NOT NULL,"
    "  visits " I " NOT NULL,"
    "  unset_at " I ","
    "  received_at " I " NOT NULL,"
    "  needs_info_at " I ","
    "  accepted_at " I ","
    "  scheduled_at " I ","
    "  no_show_at " I ","
    "  appt_cancelled_at " I ","
    "  seen_at " I ","
    "  closed_at " I ","
    "  cancel_requested_at " I ","
    "  cancelled_at " I ","
    "  declined_at " I ","
    "  lost_at " I ","
    "  on_hold_at " I ","
    "  entered_in_error_at " I ","
    "  appointment_at " I ","
    "  first_appointment_at " I ","
    "  updated_at " I " NOT NULL,"
    "  PRIMARY KEY (practice, id)"
    ");"
    "CREATE UNIQUE INDEX referrals_attribution ON referrals (practice, attribution_key);"
    "CREATE INDEX referrals_referrer ON referrals (practice, referrer_id, id);"
    "CREATE INDEX referrals_referee ON referrals (practice, referee_id, id);"
    "CREATE INDEX referrals_target ON referrals (practice, target_id, id);"
    "CREATE INDEX referrals_program ON referrals (practice, program_id, received_at);"

    "CREATE TABLE reward_rules ("
    "  practice " T " NOT NULL,"
    "  id " T " NOT NULL,"
    "  program_id " T ","
    "  name " T ","
    "  currency " T ","
    "  item " T ","
    "  recipient " I " NOT NULL,"
    "  trigger_state " I " NOT NULL,"
    "  kind " I " NOT NULL,"
    "  percent " I " NOT NULL,"
    "  expiry_days " I " NOT NULL,"
    "  hold_days " I " NOT NULL,"
    "  cap_count " I " NOT NULL,"
    "  cap_days " I " NOT NULL,"
    "  tier " I " NOT NULL,"
    "  active " I " NOT NULL,"
    "  amount " I " NOT NULL,"
    "  created_at " I " NOT NULL,"
    "  updated_at " I " NOT NULL,"
    "  PRIMARY KEY (practice, id)"
    ");"
    "CREATE INDEX reward_rules_program ON reward_rules (practice, program_id, id);"

    "CREATE TABLE reward_grants ("
    "  practice " T " NOT NULL,"
    "  id " T " NOT NULL,"
    "  grant_key " T " NOT NULL,"
    "  rule_id " T ","
    "  program_id " T ","
    "  referral_id " T ","
    "  recipient_id " T ","
    "  currency " T ","
    "  item " T ","
    "  recipient " I " NOT NULL,"
    "  kind " I " NOT NULL,"
    "  rule_kind " I " NOT NULL,"
    "  compliance " I " NOT NULL,"
    "  percent " I " NOT NULL,"
    "  tier_count " I " NOT NULL,"
    "  status " I " NOT NULL,"
    "  amount " I " NOT NULL,"
    "  units " I " NOT NULL,"
    "  issued_at " I " NOT NULL,"
    "  release_at " I ","
    "  released_at " I ","
    "  expires_at " I ","
    "  closed_at " I ","
    "  updated_at " I " NOT NULL,"
    "  PRIMARY KEY (practice, id),"
    "  UNIQUE (practice, grant_key)"
    ");"
    "CREATE INDEX reward_grants_recipient ON reward_grants (practice, recipient_id, id);"
    "CREATE INDEX reward_grants_referral ON reward_grants (practice, referral_id, id);"
    "CREATE INDEX reward_grants_rule ON reward_grants (practice, rule_id, id);"
    "CREATE INDEX reward_grants_release ON reward_grants (practice, status, release_at);"
    "CREATE INDEX reward_grants_expiry ON reward_grants (practice, status, expires_at);"

    "CREATE TABLE ledger_entries ("
    "  practice " T " NOT NULL,"
    "  seq " I " NOT NULL,"
    "  id " T " NOT NULL,"
    "  entry_key " T " NOT NULL,"
    "  grant_id " T ","
    "  party_id " T ","
    "  currency " T ","
    "  reference " T ","
    "  type " I " NOT NULL,"
    "  amount " I " NOT NULL,"
    "  pending_delta " I " NOT NULL,"
    "  available_delta " I " NOT NULL,"
    "  at " I " NOT NULL,"
    "  PRIMARY KEY (practice, seq),"
    "  UNIQUE (practice, id),"
    "  UNIQUE (practice, entry_key)"
    ");"
    "CREATE INDEX ledger_entries_party ON ledger_entries (practice, party_id, seq);"
    "CREATE INDEX ledger_entries_grant ON ledger_entries (practice, grant_id, seq);"

    "CREATE TABLE client_events ("
    "  practice " T " NOT NULL,"
    "  id " T " NOT NULL,"
    "  party_id " T ","
    "  practitioner_id " T ","
    "  label " T ","
    "  currency " T ","
    "  type " I " NOT NULL,"
    "  value " I " NOT NULL,"
    "  amount " I " NOT NULL,"
    "  at " I " NOT NULL,"
    "  recorded_at " I " NOT NULL,"
    "  PRIMARY KEY (practice, id)"
    ");"
    "CREATE INDEX client_events_party ON client_events (practice, party_id, id);"
    "CREATE INDEX client_events_at ON client_events (practice, at);"

    "CREATE TABLE tasks ("
    "  practice " T " NOT NULL,"
    "  id " T " NOT NULL,"
    "  task_key " T " NOT NULL,"
    "  party_id " T ","
    "  referral_id " T ","
    "  program_id " T ","
    "  template_name " T ","
    "  data " T ","
    "  lease_owner " T ","
    "  last_error " T ","
    "  kind " I " NOT NULL,"
    "  state " I " NOT NULL,"
    "  channel " I " NOT NULL,"
    "  attempts " I " NOT NULL,"
    "  outcome " I " NOT NULL,"
    "  due_at " I " NOT NULL,"
    "  deadline_at " I ","
    "  lease_until " I ","
    "  sent_at " I ","
    "  closed_at " I ","
    "  created_at " I " NOT NULL,"
    "  updated_at " I " NOT NULL,"
    "  PRIMARY KEY (practice, id),"
    "  UNIQUE (practice, task_key)"
    ");"
    "CREATE INDEX tasks_due ON tasks (practice, state, due_at, lease_until);"
    "CREATE INDEX tasks_party ON tasks (practice, party_id, id);"
    "CREATE INDEX tasks_referral ON tasks (practice, referral_id, id);"

    /* A template's name is unique per programme and, for practice-wide ones
     * (program_id NULL, which UNIQUE treats as distinct), per practice: one
     * partial unique index each, as in SQLite. */
    "CREATE TABLE templates ("
    "  practice " T " NOT NULL,"
    "  id " T " NOT NULL,"
    "  program_id " T ","
    "  name " T " NOT NULL,"
    "  subject " T ","
    "  body " T ","
    "  channel " I " NOT NULL,"
    "  created_at " I " NOT NULL,"
    "  updated_at " I " NOT NULL,"
    "  PRIMARY KEY (practice, id)"
    ");"
    "CREATE UNIQUE INDEX templates_program_name ON templates (practice, program_id, name) "
    "WHERE program_id IS NOT NULL;"
    "CREATE UNIQUE INDEX templates_practice_name ON templates (practice, name) WHERE program_id IS NULL;";

/* Run @sql and copy the first column of its first row into @out (empty when
 * there is no row or it is NULL). */
static int query_text(rf_pg *b, const char *sql, const char *what, char *out, size_t size)
{
    out[0] = '\0';
    PGresult *res = PQexec(b->conn, sql);
    int rc = RF_OK;
    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = rf__pg_error(b, res, what);
    } else if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) {
        snprintf(out, size, "%s", PQgetvalue(res, 0, 0));
    }
    PQclear(res);
    return rc;
}

/* The database's schema version: 0 when it has none of ours. */
static int read_version(rf_pg *b, int64_t *version)
{
    char text[64];
    *version = 0;
    /* pg_class through the statement's snapshot, not to_regclass(): the
     * catalog cache behind the latter may not yet know of a table another
     * process created while we waited for the schema lock. current_schema()
     * is where CREATE TABLE puts a table. */
    int rc = query_text(b,
                        "SELECT c.relname::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON "
                        "n.oid = c.relnamespace WHERE c.relname = 'rf_meta' AND n.nspname = current_schema()",
                        "looking for the schema", text, sizeof text);
    if (rc != RF_OK || text[0] == '\0') {
        return rc;
    }
    rc = query_text(b, "SELECT value FROM rf_meta WHERE key = 'schema_version'", "reading the schema version",
                    text, sizeof text);
    if (rc != RF_OK) {
        return rc;
    }
    char *end;
    long long v = strtoll(text, &end, 10);
    if (text[0] == '\0' || *end != '\0' || v <= 0) {
        return rf__pg_fail(
            RF_EBACKEND, RF_ERRCLASS_STORE,
            "PostgreSQL %s has a table rf_meta without a valid schema version ('%s'); it is not "
            "a libreferral store",
            b->where, text);
    }
    *version = v;
    return RF_OK;
}

static int check_version(rf_pg *b, int64_t version)
{
    if (version > RF_PG_SCHEMA_VERSION) {
        return rf__pg_fail(
            RF_EVERSION, RF_ERRCLASS_STORE,
            "PostgreSQL %s has schema version %lld; this libreferral supports up to %d: upgrade "
            "libreferral",
            b->where, (long long)version, RF_PG_SCHEMA_VERSION);
    }
    if (version < RF_PG_SCHEMA_VERSION) {
        /* PostgreSQL stores start at schema 4: an older number was not written by libreferral. */
        return rf__pg_fail(RF_EBACKEND, RF_ERRCLASS_STORE,
                           "PostgreSQL %s has schema version %lld, which no libreferral writes on PostgreSQL",
                           b->where, (long long)version);
    }
    return RF_OK;
}

/* Under the schema lock, look again (another process may have created the
 * schema since we looked) and create what is missing, in one transaction. */
static int create(rf_pg *b)
{
    char sql[256];
    snprintf(sql, sizeof sql, "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(%d, %d)",
             RF_PG_SCHEMA_LOCK_1, RF_PG_SCHEMA_LOCK_2);
    int rc = rf__pg_exec_sql(b, sql, "locking the database to create its schema");
    int64_t version = 0;
    if (rc == RF_OK) {
        rc = read_version(b, &version);
    }
    if (rc == RF_OK && version == 0) {
        rc = rf__pg_exec_sql(b, schema_v4, "creating the schema");
        if (rc == RF_OK) {
            snprintf(sql, sizeof sql,
                     "INSERT INTO rf_meta (key, value) VALUES ('schema_version', '%d'), "
                     "('created_by', 'libreferral " RF_VERSION "')",
                     RF_PG_SCHEMA_VERSION);
            rc = rf__pg_exec_sql(b, sql, "recording the schema version");
        }
        version = RF_PG_SCHEMA_VERSION;
    }
    if (rc == RF_OK) {
        rc = rf__pg_exec_sql(b, "COMMIT", "committing the schema");
    }
    if (rc != RF_OK && PQtransactionStatus(b->conn) != PQTRANS_IDLE) {
        PQclear(PQexec(b->conn, "ROLLBACK"));
    }
    return rc == RF_OK ? check_version(b, version) : rc;
}

int rf__pg_schema_open(rf_pg *b)
{
    int64_t version = 0;
    int rc = read_version(b, &version);
    if (rc != RF_OK) {
        return rc;
    }
    return version == 0 ? create(b) : check_version(b, version);
}
