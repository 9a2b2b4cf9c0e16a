/* The SQLite backend's schema: recognising our files, creating the schema
 * and migrating older files, all before any record is touched.
 *
 * A file is ours when its application_id is RF_SQLITE_APPLICATION_ID; its
 * PRAGMA user_version is the schema version (mirrored in the meta table for
 * people reading the file with other tools). */
#include "sqlite_internal.h"

#include <stdio.h>
#include <string.h>

/* "RFRL": marks the file as libreferral's for file(1) and for us. */
#define RF_SQLITE_APPLICATION_ID 0x5246524C

/* Step i moves a file from schema version i to i + 1, so step 0 creates the
 * first schema. A file is brought up by running its missing steps in order in
 * one transaction. Append steps only; never edit one that has shipped.
 *
 * Every primary and unique key starts with the practice so that a sharded
 * PostgreSQL (Citus) can distribute on it. Parties, codes, programmes,
 * touches, referrals, reward rules and grants are rowid tables: their rows
 * are wide and they carry secondary indexes, which in a WITHOUT ROWID table
 * would each repeat the whole text key instead of an 8-byte rowid.
 * The journal and idempotency keys are read and written by their key only,
 * so clustering them on it (WITHOUT ROWID) saves the extra index. */
static const char *const migrations[] = {
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
};

_Static_assert(sizeof migrations / sizeof migrations[0] == RF_SQLITE_SCHEMA_VERSION,
               "one migration step per schema version");

/* Run a statement that yields one integer (a PRAGMA or a count). */
static int query_int(rf_sqlite *b, const char *sql, const char *what, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(b->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int64(st, 0);
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            *out = 0;
            rc = SQLITE_OK;
        }
    }
    int status = RF_OK;
    if (rc != SQLITE_OK) {
        if ((rc & 0xff) == SQLITE_NOTADB) {
            status =
                rf__sqlite_fail(RF_EBACKEND, RF_ERRCLASS_STORE,
                                "'%s' is not an SQLite database (%s); refusing to open it as a libreferral "
                                "store",
                                b->path, sqlite3_errmsg(b->db));
        } else {
            status = rf__sqlite_error(b, rc, what);
        }
    }
    sqlite3_finalize(st);
    return status;
}

static int exec(rf_sqlite *b, const char *sql, const char *what)
{
    int rc = sqlite3_exec(b->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? RF_OK : rf__sqlite_error(b, rc, what);
}

/* Decide from the file's header fields whether we may use it, without writing. */
static int check_ownership(rf_sqlite *b, int64_t app_id, int64_t version)
{
    if (app_id != 0 && app_id != RF_SQLITE_APPLICATION_ID) {
        return rf__sqlite_fail(RF_EBACKEND, RF_ERRCLASS_STORE,
                               "'%s' is an SQLite database of another application (application_id 0x%08llX), "
                               "not a libreferral store",
                               b->path, (unsigned long long)app_id);
    }
    if (version != 0 && app_id != RF_SQLITE_APPLICATION_ID) {
        return rf__sqlite_fail(RF_EBACKEND, RF_ERRCLASS_STORE,
                               "'%s' is an SQLite database of another application (user_version %lld and no "
                               "libreferral mark), not a libreferral store",
                               b->path, (long long)version);
    }
    if (version > RF_SQLITE_SCHEMA_VERSION) {
        return rf__sqlite_fail(RF_EVERSION, RF_ERRCLASS_STORE,
                               "'%s' has schema version %lld; this libreferral supports up to %d: upgrade "
                               "libreferral",
                               b->path, (long long)version, RF_SQLITE_SCHEMA_VERSION);
    }
    if (version == 0) {
        int64_t tables = 0;
        int rc =
            query_int(b, "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
                      "listing the tables", &tables);
        if (rc != RF_OK) {
            return rc;
        }
        if (tables > 0) {
            return rf__sqlite_fail(RF_EBACKEND, RF_ERRCLASS_STORE,
                                   "'%s' is an SQLite database with %lld other table(s) and no libreferral "
                                   "schema; refusing to add tables to it (use a new file)",
                                   b->path, (long long)tables);
        }
    }
    return RF_OK;
}

static int set_meta(rf_sqlite *b, const char *key, const char *value)
{
    sqlite3_stmt *st = NULL;
    int rc =
        sqlite3_prepare_v2(b->db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
        }
    }
    int status = rc == SQLITE_OK ? RF_OK : rf__sqlite_error(b, rc, "recording the schema version");
    sqlite3_finalize(st);
    return status;
}

/* Run the missing migration steps; the caller holds the write lock. */
static int migrate(rf_sqlite *b, int64_t from)
{
    char sql[64];
    int rc = RF_OK;
    for (int64_t v = from; v < RF_SQLITE_SCHEMA_VERSION && rc == RF_OK; v++) {
        char what[64];
        snprintf(what, sizeof what, "migrating the schema from version %lld", (long long)v);
        rc = exec(b, migrations[v], what);
        if (rc == RF_OK) {
            /* PRAGMA takes no parameters, hence the formatting. */
            snprintf(sql, sizeof sql, "PRAGMA user_version = %lld", (long long)v + 1);
            rc = exec(b, sql, "recording the schema version");
        }
    }
    if (rc == RF_OK && from == 0) {
        snprintf(sql, sizeof sql, "PRAGMA application_id = %d", RF_SQLITE_APPLICATION_ID);
        rc = exec(b, sql, "marking the file as libreferral's");
        if (rc == RF_OK) {
            rc = set_meta(b, "created_by", "libreferral " RF_VERSION);
        }
    }
    if (rc == RF_OK) {
        char text[32];
        snprintf(text, sizeof text, "%d", RF_SQLITE_SCHEMA_VERSION);
        rc = set_meta(b, "schema_version", text);
    }
    if (rc == RF_OK && from != 0) {
        rc = set_meta(b, "migrated_by", "libreferral " RF_VERSION);
    }
    return rc;
}

/* Take the write lock, look again (another process may have created or
 * upgraded the file since we looked), and run the missing steps. */
static int upgrade(rf_sqlite *b)
{
    int rc = exec(b, "BEGIN IMMEDIATE", "locking the database to create its schema");
    if (rc != RF_OK) {
        return rc;
    }
    int64_t app_id = 0, version = 0;
    rc = query_int(b, "PRAGMA application_id", "reading the application id", &app_id);
    if (rc == RF_OK) {
        rc = query_int(b, "PRAGMA user_version", "reading the schema version", &version);
    }
    if (rc == RF_OK) {
        rc = check_ownership(b, app_id, version);
    }
    if (rc == RF_OK && version < RF_SQLITE_SCHEMA_VERSION) {
        rc = migrate(b, version);
    }
    if (rc == RF_OK) {
        rc = exec(b, "COMMIT", "committing the schema");
    }
    if (rc != RF_OK && !sqlite3_get_autocommit(b->db)) {
        sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
    }
    return rc;
}

int rf__sqlite_schema_open(rf_sqlite *b)
{
    int64_t app_id = 0, version = 0;
    /* Look before writing anything (even the WAL switch rewrites the header),
     * so a file we refuse is left exactly as it was. */
    int rc = query_int(b, "PRAGMA application_id", "reading the application id", &app_id);
    if (rc == RF_OK) {
        rc = query_int(b, "PRAGMA user_version", "reading the schema version", &version);
    }
    if (rc == RF_OK) {
        rc = check_ownership(b, app_id, version);
    }
    if (rc != RF_OK) {
        return rc;
    }

    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(b->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    if (src == SQLITE_OK) {
        src = sqlite3_step(st);
    }
    if (src != SQLITE_ROW) {
        rc = rf__sqlite_error(b, src, "switching to WAL mode");
    } else {
        const char *mode = (const char *)sqlite3_column_text(st, 0);
        if (mode == NULL || strcmp(mode, "wal") != 0) {
            rc = rf__sqlite_fail(RF_EBACKEND, RF_ERRCLASS_STORE,
                                 "database '%s' cannot use WAL mode (journal mode stays '%s'); it must be a "
                                 "file on a local file system",
                                 b->path, mode != NULL ? mode : "unknown");
        }
    }
    sqlite3_finalize(st);
    if (rc != RF_OK) {
        return rc;
    }
    /* NORMAL is durable against application crashes in WAL mode; a power
     * loss may lose the last commits but never corrupts the file. */
    rc = exec(b, "PRAGMA synchronous = NORMAL", "setting synchronous mode");
    /* The default 2 MiB cache sends code lookups on a busy practice's file to
     * the OS page cache; the limit is only reached as pages are read. */
    if (rc == RF_OK) {
        rc = exec(b, "PRAGMA cache_size = -32768", "setting the cache size");
    }
    /* temp_store stays at its default (files): PRAGMA temp_store = MEMORY
     * would speed batched writes (a savepoint's sub-journal past 64 KiB goes
     * to a temporary file) but would also keep the temporary b-trees of large
     * sorts and GROUP BYs in memory, and reports over millions of referrals
     * must run in bounded memory. */
    if (rc == RF_OK && version < RF_SQLITE_SCHEMA_VERSION) {
        rc = upgrade(b);
    }
    return rc;
}
