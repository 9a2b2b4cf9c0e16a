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

/* Run the missing migration steps (sqlite_migrations.c); the caller holds the write lock. */
static int migrate(rf_sqlite *b, int64_t from)
{
    char sql[64];
    int rc = RF_OK;
    for (int64_t v = from; v < RF_SQLITE_SCHEMA_VERSION && rc == RF_OK; v++) {
        char what[64];
        snprintf(what, sizeof what, "migrating the schema from version %lld", (long long)v);
        rc = exec(b, rf__sqlite_migrations[v], what);
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
