/* The SQLite backend: opening, transactions and freeing, and the vtable.
 *
 * Written against the public backend contract only, as a third party would
 * write it; sqlite_internal.h says where the rest lives. */
#include "sqlite_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int rf__sqlite_fail(rf_status code, rf_error_class klass, const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    rf_error_set_str(code, klass, message);
    return code;
}

int rf__sqlite_error(rf_sqlite *b, int rc, const char *what)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return rf__sqlite_fail(RF_EBUSY, RF_ERRCLASS_STORE,
                               "database '%s' is locked by another writer (waited %d ms) while %s", b->path,
                               RF_SQLITE_BUSY_TIMEOUT_MS, what);
    case SQLITE_NOMEM:
        return rf__sqlite_fail(RF_ENOMEM, RF_ERRCLASS_NOMEMORY, "out of memory while %s in database '%s'",
                               what, b->path);
    default:
        return rf__sqlite_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                               "database '%s': %s failed: %s (SQLite code %d)", b->path, what,
                               sqlite3_errmsg(b->db), rc);
    }
}

void rf__sqlite_done(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

int rf__sqlite_in_transaction(const rf_sqlite *b)
{
    return b->depth > 0 && !sqlite3_get_autocommit(b->db);
}

/* Run one of the transaction-control statements. */
static int run(rf_sqlite *b, rf_sqlite_stmt_id id, const char *what)
{
    sqlite3_stmt *st;
    int rc = rf__sqlite_stmt(b, id, &st);
    if (rc != RF_OK) {
        return rc;
    }
    int step = sqlite3_step(st);
    if (step != SQLITE_DONE) {
        rc = rf__sqlite_error(b, step, what);
    }
    rf__sqlite_done(st);
    return rc;
}

/* What the handle knows only while its write transaction is open (the
 * journal's last number, the memos): forgotten when the write lock is taken
 * or given up, and whenever a level is undone. */
static void forget_locked_state(rf_sqlite *b)
{
    b->seq_known = 0;
    b->referral.known = 0;
    b->program.known = 0;
    b->grant.known = 0;
}

/* SQLite ends the whole transaction by itself after some errors (I/O, full
 * disk, out of memory). The levels the caller opened are then still counted
 * here, and each must still be closed; none of them may start anew. */
static int transaction_lost(const rf_sqlite *b)
{
    return b->depth > 0 && sqlite3_get_autocommit(b->db);
}

static int sq_begin(rf_backend *backend)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    if (transaction_lost(b)) {
        return rf__sqlite_fail(RF_EBACKEND, RF_ERRCLASS_STORE,
                               "database '%s': the open transaction was rolled back after an earlier error; "
                               "roll back every level before beginning again",
                               b->path);
    }
    int rc = RF_OK;
    if (b->depth == 0) {
        forget_locked_state(b);
        rc = run(b, RF_SQ_BEGIN, "starting a transaction");
        b->saved = rc == RF_OK;
    }
    /* An inner level opens its savepoint when it first writes (rf_sqlite.saved). */
    if (rc == RF_OK) {
        b->depth++;
    }
    return rc;
}

int rf__sqlite_save_levels(rf_sqlite *b)
{
    while (b->saved < b->depth) {
        int rc = run(b, RF_SQ_SAVEPOINT, "starting a nested transaction");
        if (rc != RF_OK) {
            return rc;
        }
        b->saved++;
    }
    return RF_OK;
}

/* After a level closes, by commit, rollback or SQLite's own abandoning of the
 * transaction, no level deeper than those still open keeps a savepoint. */
static void level_closed(rf_sqlite *b)
{
    b->depth--;
    if (b->saved > b->depth) {
        b->saved = b->depth;
    }
}

static int sq_commit(rf_backend *backend)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    if (b->depth == 0) {
        return rf__sqlite_fail(RF_EBACKEND, RF_ERRCLASS_STORE,
                               "database '%s': commit without an open transaction", b->path);
    }
    if (transaction_lost(b)) {
        level_closed(b);
        return rf__sqlite_fail(
            RF_EBACKEND, RF_ERRCLASS_STORE,
            "database '%s': nothing was committed: the transaction was rolled back after an "
            "earlier error",
            b->path);
    }
    if (b->depth == 1) {
        forget_locked_state(b); /* the write lock goes with the commit */
    }
    int rc = RF_OK;
    if (b->depth == 1) {
        rc = run(b, RF_SQ_COMMIT, "committing");
    } else if (b->saved == b->depth) {
        rc = run(b, RF_SQ_RELEASE, "committing a nested transaction");
    } /* else the level never wrote: there is nothing to fold into its parent */
    /* A failed commit leaves the level open (so the caller can roll it back)
     * unless SQLite has already rolled the transaction back itself. */
    if (rc == RF_OK || (b->depth == 1 && sqlite3_get_autocommit(b->db))) {
        level_closed(b);
    }
    return rc;
}

static int sq_rollback(rf_backend *backend)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    if (b->depth == 0) {
        return rf__sqlite_fail(RF_EBACKEND, RF_ERRCLASS_STORE,
                               "database '%s': rollback without an open transaction", b->path);
    }
    /* The undone level may have appended to the journal or written a memo's record. */
    forget_locked_state(b);
    int rc = RF_OK;
    if (transaction_lost(b)) {
        /* Already undone by SQLite; closing the level is all that is left. */
    } else if (b->depth == 1) {
        rc = run(b, RF_SQ_ROLLBACK, "rolling back");
    } else if (b->saved == b->depth) {
        /* ROLLBACK TO undoes the level's writes but keeps the savepoint open. */
        rc = run(b, RF_SQ_ROLLBACK_TO, "rolling back a nested transaction");
        if (rc == RF_OK) {
            rc = run(b, RF_SQ_RELEASE, "closing a nested transaction");
        }
    } /* else the level never wrote: there is nothing to undo */
    level_closed(b);
    return rc;
}

static void sq_free(rf_backend *backend)
{
    if (backend == NULL) {
        return;
    }
    rf_sqlite *b = (rf_sqlite *)backend;
    if (b->db != NULL) {
        if (!sqlite3_get_autocommit(b->db)) {
            sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
        }
        for (int i = 0; i < RF_SQ_COUNT; i++) {
            sqlite3_finalize(b->stmts[i]);
        }
        int rc = sqlite3_close(b->db);
        if (rc != SQLITE_OK) {
            /* Only a statement that escaped the cache keeps the connection
             * open; finalize whatever is left so the file is released. */
            rf__sqlite_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND, "database '%s': closing failed: %s", b->path,
                            sqlite3_errmsg(b->db));
            sqlite3_stmt *st;
            while ((st = sqlite3_next_stmt(b->db, NULL)) != NULL) {
                sqlite3_finalize(st);
            }
            sqlite3_close_v2(b->db);
        }
    }
    free(b->scratch);
    free(b->seq_practice);
    free(b->referral.buf);
    free(b->program.buf);
    free(b->grant.buf);
    free(b->path);
    free(b);
}

/* Explain why sqlite3_open_v2() could not open @path: most often a missing
 * directory, which SQLite reports only as "unable to open database file". */
static int open_failed(rf_sqlite *b, int rc)
{
    const char *sqlmsg = b->db != NULL ? sqlite3_errmsg(b->db) : sqlite3_errstr(rc);
    if ((rc & 0xff) == SQLITE_NOMEM) {
        return rf__sqlite_fail(RF_ENOMEM, RF_ERRCLASS_NOMEMORY, "out of memory while opening database '%s'",
                               b->path);
    }
    if ((rc & 0xff) == SQLITE_CANTOPEN) {
        struct stat st;
        if (stat(b->path, &st) == 0 && S_ISDIR(st.st_mode)) {
            return rf__sqlite_fail(RF_EBACKEND, RF_ERRCLASS_STORE,
                                   "cannot open database '%s': it is a directory, not a database file",
                                   b->path);
        }
        char dir[4096];
        const char *slash = strrchr(b->path, '/');
        if (slash == NULL) {
            snprintf(dir, sizeof dir, ".");
        } else {
            size_t n = (size_t)(slash - b->path);
            snprintf(dir, sizeof dir, "%.*s", (int)(n == 0 ? 1 : n), b->path);
        }
        if (stat(dir, &st) != 0) {
            return rf__sqlite_fail(RF_EBACKEND, RF_ERRCLASS_STORE,
                                   "cannot open database '%s': directory '%s' is not accessible: %s", b->path,
                                   dir, strerror(errno));
        }
        if (!S_ISDIR(st.st_mode)) {
            return rf__sqlite_fail(RF_EBACKEND, RF_ERRCLASS_STORE,
                                   "cannot open database '%s': '%s' is not a directory", b->path, dir);
        }
        return rf__sqlite_fail(
            RF_EBACKEND, RF_ERRCLASS_STORE,
            "cannot open database '%s': %s (check that the file and its directory '%s' are "
            "writable)",
            b->path, sqlmsg, dir);
    }
    return rf__sqlite_fail(RF_EBACKEND, RF_ERRCLASS_STORE, "cannot open database '%s': %s", b->path, sqlmsg);
}

static const rf_backend sqlite_vtable = {
    .version = RF_BACKEND_VERSION,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .party_insert = rf__sqlite_party_insert,
    .party_update = rf__sqlite_party_update,
    .party_get = rf__sqlite_party_get,
    .party_get_by_external = rf__sqlite_party_get_by_external,
    .code_insert = rf__sqlite_code_insert,
    .code_update = rf__sqlite_code_update,
    .code_get = rf__sqlite_code_get,
    .code_get_by_key = rf__sqlite_code_get_by_key,
    .journal_append = rf__sqlite_journal_append,
    .journal_last_seq = rf__sqlite_journal_last_seq,
    .idempotency_get = rf__sqlite_idempotency_get,
    .idempotency_put = rf__sqlite_idempotency_put,
    .party_scan = rf__sqlite_party_scan,
    .code_scan = rf__sqlite_code_scan,
    .journal_scan = rf__sqlite_journal_scan,
    .free = sq_free,
    .program_insert = rf__sqlite_program_insert,
    .program_update = rf__sqlite_program_update,
    .program_get = rf__sqlite_program_get,
    .program_get_by_name = rf__sqlite_program_get_by_name,
    .program_scan = rf__sqlite_program_scan,
    .touch_insert = rf__sqlite_touch_insert,
    .touch_get = rf__sqlite_touch_get,
    .touch_scan = rf__sqlite_touch_scan,
    .referral_insert = rf__sqlite_referral_insert,
    .referral_update = rf__sqlite_referral_update,
    .referral_get = rf__sqlite_referral_get,
    .referral_scan = rf__sqlite_referral_scan,
    .reward_rule_insert = rf__sqlite_reward_rule_insert,
    .reward_rule_update = rf__sqlite_reward_rule_update,
    .reward_rule_get = rf__sqlite_reward_rule_get,
    .reward_rule_scan = rf__sqlite_reward_rule_scan,
    .grant_insert = rf__sqlite_grant_insert,
    .grant_update = rf__sqlite_grant_update,
    .grant_get = rf__sqlite_grant_get,
    .grant_get_by_key = rf__sqlite_grant_get_by_key,
    .grant_scan = rf__sqlite_grant_scan,
    .ledger_insert = rf__sqlite_ledger_insert,
    .ledger_scan = rf__sqlite_ledger_scan,
    .client_event_insert = rf__sqlite_client_event_insert,
    .client_event_scan = rf__sqlite_client_event_scan,
    .task_insert = rf__sqlite_task_insert,
    .task_update = rf__sqlite_task_update,
    .task_get = rf__sqlite_task_get,
    .task_get_by_key = rf__sqlite_task_get_by_key,
    .task_scan = rf__sqlite_task_scan,
    .template_insert = rf__sqlite_template_insert,
    .template_update = rf__sqlite_template_update,
    .template_get_by_name = rf__sqlite_template_get_by_name,
    .template_scan = rf__sqlite_template_scan,
};

rf_status rf_backend_sqlite_new(rf_backend **out, const char *path)
{
    if (out == NULL) {
        return (rf_status)rf__sqlite_fail(RF_EINVALID, RF_ERRCLASS_ARGUMENT,
                                          "rf_backend_sqlite_new: out is NULL");
    }
    *out = NULL;
    if (path == NULL || path[0] == '\0') {
        return (rf_status)rf__sqlite_fail(RF_EINVALID, RF_ERRCLASS_ARGUMENT,
                                          "rf_backend_sqlite_new: the database path is empty");
    }
    rf_sqlite *b = calloc(1, sizeof *b);
    size_t n = strlen(path) + 1;
    char *copy = malloc(n);
    if (b == NULL || copy == NULL) {
        free(b);
        free(copy);
        rf_error_set_str(RF_ENOMEM, RF_ERRCLASS_NOMEMORY, "out of memory");
        return RF_ENOMEM;
    }
    memcpy(copy, path, n);
    b->base = sqlite_vtable;
    b->path = copy;

    /* NOMUTEX: a backend is used by one thread at a time (see the contract),
     * so SQLite's per-call locking would be pure cost. No URI flag: the path
     * is a file name, never a "file:" URI with options. */
    int rc =
        sqlite3_open_v2(path, &b->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        int status = open_failed(b, rc);
        sq_free(&b->base);
        return (rf_status)status;
    }
    sqlite3_extended_result_codes(b->db, 1);
    sqlite3_busy_timeout(b->db, RF_SQLITE_BUSY_TIMEOUT_MS);

    int status = RF_OK;
    if (sqlite3_db_readonly(b->db, "main") == 1) {
        status = rf__sqlite_fail(RF_EBACKEND, RF_ERRCLASS_STORE,
                                 "cannot open database '%s' for writing: the file is read-only", path);
    } else {
        status = rf__sqlite_schema_open(b);
    }
    if (status != RF_OK) {
        /* Keep the error of the real failure, not of the clean-up. */
        sq_free(&b->base);
        return (rf_status)status;
    }
    *out = &b->base;
    return RF_OK;
}
