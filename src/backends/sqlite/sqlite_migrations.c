/* The SQLite backend's schema, as the steps that build it; sqlite_schema.c
 * runs them. */
#include "sqlite_internal.h"

/* Step i moves a file from schema version i to i + 1, so step 0 creates the
 * first schema. A file is brought up by running its missing steps in order in
 * one transaction. Append steps only; never edit one that has shipped.
 *
 * Every primary and unique key starts with the practice so that a sharded
 * PostgreSQL (Citus) can distribute on it. Parties, codes, programmes,
 * touches, referrals, reward rules, grants, client events, tasks and
 * templates are rowid tables: their rows
 * are wide and they carry secondary indexes, which in a WITHOUT ROWID table
 * would each repeat the whole text key instead of an 8-byte rowid.
 * The journal and idempotency keys are read and written by their key only,
 * so clustering them on it (WITHOUT ROWID) saves the extra index. */
const char *const rf__sqlite_migrations[] = {
    /* 0 -> 1 */
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

    /* fingerprint holds the uint64 hash's bit pattern as an SQLite int64. */
    "CREATE TABLE idempotency ("
    "  practice TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  operation TEXT,"
    "  result_id TEXT,"
    "  fingerprint INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (practice, key)"
    ") WITHOUT ROWID;",

    /* 1 -> 2: programmes, touches and referrals (contract version 2).
     *
     * A referral keeps the time it first reached each state in a column
     * named after the state, so that reports can group and average over them
     * in SQL. "Never reached" is NULL rather than the contract's 0, so that
     * count(accepted_at), avg(accepted_at - received_at) and min/max need no
     * filter; received_at is always set and NOT NULL, as it is range-filtered.
     * unset_at holds slot 0 of reached_at, which names no state: the library
     * never sets it, but a backend stores every field it is given.
     * The unique (practice, attribution_key) index is what tells two writers
     * attributing one referee at once apart: the second insert fails. NULL
     * keys (released or outbound referrals) do not clash. The referrer,
     * referee and partner indexes end in the id so that each party's
     * referrals come in id order, as scans return them. */
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

    /* 2 -> 3: reward rules, grants and the ledger (contract version 3).
     *
     * As in the referrals, a time that may be unset (0 in the contract) is
     * NULL, so that reports aggregate over it without a filter; times that
     * are always set are NOT NULL. That also makes the due-work scans of
     * rf_rewards_process exact for free: `release_at <= ?` never matches an
     * unset (NULL) time, which is the contract's "release_at != 0". The
     * (status, release_at) and (status, expires_at) indexes find the grants
     * due for release or expiry without reading the others; the recipient,
     * referral and rule indexes end in the id so that their grants come in
     * id order, as scans return them. The grant key is unique: it is what
     * makes a grant happen once per (rule, referral, recipient), also when
     * two processes replay one trigger at once.
     *
     * The ledger is read in seq order only (a party's, a grant's, or all),
     * so it is clustered on (practice, seq) (WITHOUT ROWID); its secondary
     * indexes then end in seq at no extra cost, and id and entry_key are
     * unique beside it (the entry key is what makes an entry happen once). */
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
    /* 3 -> 4: client events, outbox tasks, message templates and the
     * party's preferred channel (contract version 4).
     *
     * The new party column has a default so that existing rows read as "not
     * said" (0), which is what an older backend leaves in the field.
     *
     * Client events are appended and never changed. A client's events come in
     * id order from (practice, party_id, id); a period's (the KPIs') are found
     * by (practice, at) and sorted.
     *
     * Tasks keep their optional times NULL when unset, as grants do. The hot
     * query of the outbox, "the tasks of a state due by now whose lease is
     * free, by id, 64 at a time", reads the (practice, state, due_at,
     * lease_until) index: only the due range of the state, with the lease
     * tested on the index entry before the row is read. A party's and a
     * referral's tasks come in id order from their indexes. The task key is
     * unique: it is what makes a task happen once, also when two processes
     * queue the same one at once.
     *
     * A template's name is unique per programme, and a practice-wide template
     * (program_id NULL) is unique per practice. SQLite's UNIQUE treats NULLs
     * as distinct, so one unique index could not refuse two practice-wide
     * templates of one name: each case has a partial unique index of its
     * own, which also finds the templates of a programme or of the practice
     * without reading the others'. */
    "ALTER TABLE parties ADD COLUMN preferred_channel INTEGER NOT NULL DEFAULT 0;"

    "CREATE TABLE client_events ("
    "  practice TEXT NOT NULL,"
    "  id TEXT NOT NULL,"
    "  party_id TEXT,"
    "  practitioner_id TEXT,"
    "  label TEXT,"
    "  currency TEXT,"
    "  type INTEGER NOT NULL,"
    "  value INTEGER NOT NULL,"
    "  amount INTEGER NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  recorded_at INTEGER NOT NULL,"
    "  PRIMARY KEY (practice, id)"
    ");"
    "CREATE INDEX client_events_party ON client_events (practice, party_id, id);"
    "CREATE INDEX client_events_at ON client_events (practice, at);"

    "CREATE TABLE tasks ("
    "  practice TEXT NOT NULL,"
    "  id TEXT NOT NULL,"
    "  task_key TEXT NOT NULL,"
    "  party_id TEXT,"
    "  referral_id TEXT,"
    "  program_id TEXT,"
    "  template_name TEXT,"
    "  data TEXT,"
    "  lease_owner TEXT,"
    "  last_error TEXT,"
    "  kind INTEGER NOT NULL,"
    "  state INTEGER NOT NULL,"
    "  channel INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL,"
    "  outcome INTEGER NOT NULL,"
    "  due_at INTEGER NOT NULL,"
    "  deadline_at INTEGER,"
    "  lease_until INTEGER,"
    "  sent_at INTEGER,"
    "  closed_at INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (practice, id),"
    "  UNIQUE (practice, task_key)"
    ");"
    "CREATE INDEX tasks_due ON tasks (practice, state, due_at, lease_until);"
    "CREATE INDEX tasks_party ON tasks (practice, party_id, id);"
    "CREATE INDEX tasks_referral ON tasks (practice, referral_id, id);"

    "CREATE TABLE templates ("
    "  practice TEXT NOT NULL,"
    "  id TEXT NOT NULL,"
    "  program_id TEXT,"
    "  name TEXT NOT NULL,"
    "  subject TEXT,"
    "  body TEXT,"
    "  channel INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (practice, id)"
    ");"
    "CREATE UNIQUE INDEX templates_program_name ON templates (practice, program_id, name) "
    "WHERE program_id IS NOT NULL;"
    "CREATE UNIQUE INDEX templates_practice_name ON templates (practice, name) WHERE program_id IS NULL;",
};

_Static_assert(sizeof rf__sqlite_migrations / sizeof rf__sqlite_migrations[0] == RF_SQLITE_SCHEMA_VERSION,
               "one migration step per schema version");
