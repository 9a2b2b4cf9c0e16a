/* The PostgreSQL backend: connecting, transactions, the practice lock,
 * errors, freeing, and the vtable.
 *
 * Written against the public backend contract and libpq only, as a third
 * party would write it; pg_internal.h says where the rest lives and how the
 * locking works. */
#include "pg_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rf__pg_fail(rf_status code, rf_error_class klass, const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    rf_error_set_str(code, klass, message);
    return code;
}

/* libpq's messages end in a newline; ours do not. */
static void trimmed(char *out, size_t size, const char *message)
{
    snprintf(out, size, "%s", message != NULL && message[0] != '\0' ? message : "unknown error");
    size_t n = strlen(out);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' ')) {
        out[--n] = '\0';
    }
}

int rf__pg_error(rf_pg *b, const PGresult *res, const char *what)
{
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res != NULL ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char message[512];
    if (primary == NULL && res != NULL && PQresultErrorMessage(res)[0] != '\0') {
        primary = PQresultErrorMessage(res);
    }
    trimmed(message, sizeof message, primary != NULL ? primary : PQerrorMessage(b->conn));
    if (state == NULL) {
        if (PQstatus(b->conn) == CONNECTION_BAD) {
            return rf__pg_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                               "PostgreSQL %s: %s failed: the connection is lost: %s", b->where, what,
                               message);
        }
        /* libpq's own allocation failures come without an SQLSTATE. */
        if (strstr(message, "out of memory") != NULL) {
            return rf__pg_fail(RF_ENOMEM, RF_ERRCLASS_NOMEMORY, "out of memory while %s (PostgreSQL %s)",
                               what, b->where);
        }
        return rf__pg_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND, "PostgreSQL %s: %s failed: %s", b->where, what,
                           message);
    }
    if (strcmp(state, "23505") == 0) {
        return rf__pg_fail(RF_EEXISTS, RF_ERRCLASS_STORE, "PostgreSQL %s: %s failed: %s", b->where, what,
                           message);
    }
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0) {
        return rf__pg_fail(RF_EBUSY, RF_ERRCLASS_STORE,
                           "PostgreSQL %s: %s failed: another writer holds the lock (lock_timeout): %s "
                           "(SQLSTATE %s)",
                           b->where, what, message, state);
    }
    return rf__pg_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND, "PostgreSQL %s: %s failed: %s (SQLSTATE %s)",
                       b->where, what, message, state);
}

void rf__pg_hold(rf_pg *b, PGresult *res)
{
    if (b->held != res) {
        PQclear(b->held);
        b->held = res;
    }
}

/* Notices (e.g. from the schema's DDL) would go to stderr by default; a library keeps quiet. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* ---- transactions ---- */

/* The open transaction is lost: a statement failed and the server aborted
 * it, memory ran out mid-statement (libpq cannot say whether the server ran
 * it), or the connection went. */
static int transaction_lost(const rf_pg *b)
{
    return b->lost || (b->saved > 0 && PQtransactionStatus(b->conn) != PQTRANS_INTRANS);
}

int rf__pg_in_transaction(const rf_pg *b)
{
    return b->depth > 0 && b->saved > 0 && !transaction_lost(b);
}

/* What holds only while the server transaction holds its locks: forgotten
 * when it ends, and whenever a level is undone. */
static void forget_locked_state(rf_pg *b)
{
    b->seq_known = 0;
}

static void server_transaction_ended(rf_pg *b)
{
    for (int i = 0; i < b->nlocked; i++) {
        free(b->locked[i]);
    }
    b->nlocked = 0;
    b->saved = 0;
    forget_locked_state(b);
}

/* Send the ROLLBACK of a lost transaction, if one is still owed: under
 * memory pressure it may have to wait for the next call. */
int rf__pg_settle(rf_pg *b)
{
    if (!b->rollback_pending) {
        return RF_OK;
    }
    if (PQstatus(b->conn) != CONNECTION_OK || PQtransactionStatus(b->conn) == PQTRANS_IDLE) {
        b->rollback_pending = 0;
        return RF_OK;
    }
    PGresult *res = PQexec(b->conn, "ROLLBACK");
    int rc = RF_OK;
    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = rf__pg_error(b, res, "rolling back a lost transaction");
    } else {
        b->rollback_pending = 0;
    }
    PQclear(res);
    return rc;
}

/* Give the whole server transaction up, as SQLite does after out-of-memory
 * and I/O errors: it is rolled back with the next call to reach the server,
 * reads then see what is committed, and writes and commits are refused until
 * the caller has closed every level (see the contract). */
static void lose(rf_pg *b)
{
    b->lost = 1;
    b->rollback_pending = b->saved > 0;
    server_transaction_ended(b);
    /* The ROLLBACK goes with the next call (rf__pg_settle), which keeps the
     * error of the real failure and waits for memory if that was the failure. */
}

void rf__pg_statement_failed(rf_pg *b, int rc)
{
    if (b->saved > 0 && (rc == RF_ENOMEM || PQtransactionStatus(b->conn) != PQTRANS_INTRANS)) {
        lose(b);
    }
}

static int is_locked(const rf_pg *b, const char *practice)
{
    for (int i = 0; i < b->nlocked; i++) {
        if (strcmp(b->locked[i], practice) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Remember that @practice is locked. Forgetting costs only a second,
 * harmless lock call (advisory locks nest), so out of memory is ignored. */
static void remember_lock(rf_pg *b, const char *practice)
{
    if (b->nlocked == b->locked_cap) {
        int cap = b->locked_cap != 0 ? b->locked_cap * 2 : 4;
        char **grown = realloc(b->locked, (size_t)cap * sizeof *grown);
        if (grown == NULL) {
            return;
        }
        b->locked = grown;
        b->locked_cap = cap;
    }
    size_t n = strlen(practice) + 1;
    char *copy = malloc(n);
    if (copy != NULL) {
        memcpy(copy, practice, n);
        b->locked[b->nlocked++] = copy;
    }
}

static const rf__pg_stmt lock_stmt = {0, "rf_lock_practice",
                                      "SELECT pg_advisory_xact_lock(hashtextextended($1::text, $2::bigint))"};

/* Open the server transaction with @practice's lock in one round trip. A
 * lock not granted leaves no transaction behind, so the caller may retry. */
static int open_with_lock(rf_pg *b, const char *practice)
{
    char *literal = PQescapeLiteral(b->conn, practice, strlen(practice));
    if (literal == NULL) {
        return rf__pg_error(b, NULL, "quoting the practice");
    }
    char sql[512];
    /* READ COMMITTED whatever the session's default: under a snapshot taken
     * at the transaction's first statement (REPEATABLE READ), the reads made
     * under the lock would not see what the previous holder committed. */
    int n = snprintf(sql, sizeof sql,
                     "BEGIN ISOLATION LEVEL READ COMMITTED; "
                     "SELECT pg_advisory_xact_lock(hashtextextended(%s, %lld))",
                     literal, (long long)RF_PG_LOCK_SEED);
    PQfreemem(literal);
    if (n < 0 || (size_t)n >= sizeof sql) {
        return rf__pg_fail(RF_EINVALID, RF_ERRCLASS_STORE, "practice id is too long for PostgreSQL");
    }
    int rc = rf__pg_exec_sql(b, sql, "locking the practice");
    /* Nothing of this transaction was on the lost connection: start it on a new one. */
    if (rc != RF_OK && PQstatus(b->conn) == CONNECTION_BAD && rf__pg_reconnect_if_lost(b) == RF_OK) {
        rc = rf__pg_exec_sql(b, sql, "locking the practice");
    }
    if (rc != RF_OK) {
        if (PQtransactionStatus(b->conn) != PQTRANS_IDLE) {
            PQclear(PQexec(b->conn, "ROLLBACK"));
        }
        return rc;
    }
    b->saved = 1;
    return RF_OK;
}

int rf__pg_reconnect_if_lost(rf_pg *b)
{
    if (PQstatus(b->conn) != CONNECTION_BAD) {
        return RF_OK;
    }
    PQreset(b->conn);
    memset(b->prepared, 0, sizeof b->prepared);
    if (PQstatus(b->conn) != CONNECTION_OK) {
        return rf__pg_error(b, NULL, "reconnecting");
    }
    return rf__pg_session_setup(b);
}

int rf__pg_enter(rf_pg *b, const char *practice)
{
    if (b->depth > 0 && !b->lost && transaction_lost(b)) {
        lose(b); /* noticed only now (a connection gone) */
    }
    if (b->depth == 0 || b->lost) {
        /* A read on its own; in a lost transaction, of what is committed. */
        int rc = rf__pg_settle(b);
        return rc == RF_OK ? rf__pg_reconnect_if_lost(b) : rc;
    }
    if (practice == NULL || is_locked(b, practice)) {
        return RF_OK;
    }
    int rc;
    if (b->saved == 0) {
        rc = open_with_lock(b, practice);
    } else {
        rf__pg_params p = {0};
        rf__pg_param_text(&p, practice);
        rf__pg_param_int(&p, RF_PG_LOCK_SEED);
        rc = rf__pg_exec(b, &lock_stmt, &p, "locking the practice", NULL);
    }
    if (rc == RF_OK) {
        remember_lock(b, practice);
    }
    return rc;
}

int rf__pg_writable(rf_pg *b, const char *practice, const char *what)
{
    if (b->depth == 0) {
        return rf__pg_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                           "PostgreSQL %s: %s outside a transaction; writes must be made between begin and "
                           "commit",
                           b->where, what);
    }
    if (transaction_lost(b)) {
        return rf__pg_fail(RF_EBACKEND, RF_ERRCLASS_STORE,
                           "PostgreSQL %s: %s refused: the transaction was rolled back after an earlier "
                           "error; roll back every level and start again",
                           b->where, what);
    }
    int rc = rf__pg_enter(b, practice);
    while (rc == RF_OK && b->saved < b->depth) {
        rc = rf__pg_exec_sql(b, "SAVEPOINT rf_level", "starting a nested transaction");
        if (rc == RF_OK) {
            b->saved++;
        }
    }
    return rc;
}

/* Close the innermost level; a lost transaction is forgotten with its last level. */
static void level_closed(rf_pg *b)
{
    b->depth--;
    if (b->saved > b->depth) {
        b->saved = b->depth;
    }
    if (b->depth == 0) {
        b->lost = 0;
    }
}

static int pg_begin(rf_backend *backend)
{
    rf_pg *b = (rf_pg *)backend;
    if (transaction_lost(b)) {
        return rf__pg_fail(
            RF_EBACKEND, RF_ERRCLASS_STORE,
            "PostgreSQL %s: the open transaction was rolled back after an earlier error; roll back "
            "every level before beginning again",
            b->where);
    }
    if (b->depth == 0) {
        forget_locked_state(b);
        int rc = rf__pg_reconnect_if_lost(b);
        if (rc != RF_OK) {
            return rc;
        }
    }
    /* The server transaction starts with the first member call, which names
     * the practice to lock (rf__pg_enter); inner levels get their savepoint
     * when they first write (rf__pg_writable). */
    b->depth++;
    return RF_OK;
}

static int pg_commit(rf_backend *backend)
{
    rf_pg *b = (rf_pg *)backend;
    if (b->depth == 0) {
        return rf__pg_fail(RF_EBACKEND, RF_ERRCLASS_STORE,
                           "PostgreSQL %s: commit without an open transaction", b->where);
    }
    if (transaction_lost(b)) {
        /* As the contract says of a lost transaction: the level closes, nothing is committed. */
        if (!b->lost) {
            lose(b);
        }
        level_closed(b);
        return rf__pg_fail(RF_EBACKEND, RF_ERRCLASS_STORE,
                           "PostgreSQL %s: nothing was committed: the transaction was rolled back after an "
                           "earlier error",
                           b->where);
    }
    int rc = RF_OK;
    if (b->depth == 1) {
        if (b->saved > 0) {
            rc = rf__pg_exec_sql(b, "COMMIT", "committing");
            if (rc == RF_OK) {
                server_transaction_ended(b);
            }
        }
    } else if (b->saved == b->depth) {
        rc = rf__pg_exec_sql(b, "RELEASE rf_level", "committing a nested transaction");
        if (rc == RF_OK) {
            b->saved--;
        }
    } /* else the level never wrote: there is nothing to fold into its parent */
    /* A failed COMMIT ends the server transaction (it is lost, the level
     * closes); a failed RELEASE loses it too (rf__pg_statement_failed). */
    if (rc == RF_OK || b->lost) {
        level_closed(b);
    }
    return rc;
}

static int pg_rollback(rf_backend *backend)
{
    rf_pg *b = (rf_pg *)backend;
    if (b->depth == 0) {
        return rf__pg_fail(RF_EBACKEND, RF_ERRCLASS_STORE,
                           "PostgreSQL %s: rollback without an open transaction", b->where);
    }
    /* The undone level may have appended to the journal. */
    forget_locked_state(b);
    int rc = RF_OK;
    if (b->lost) {
        /* Undone already; closing the level is all that is left. */
    } else if (b->depth == 1) {
        if (b->saved > 0) {
            if (PQstatus(b->conn) == CONNECTION_OK) {
                rc = rf__pg_exec_sql(b, "ROLLBACK", "rolling back");
            } /* else the server rolled it back when the connection went */
            server_transaction_ended(b);
        }
    } else if (b->saved == b->depth) {
        rc =
            rf__pg_exec_sql(b, "ROLLBACK TO rf_level; RELEASE rf_level", "rolling back a nested transaction");
        if (rc == RF_OK) {
            b->saved--;
        }
    } /* else the level never wrote: there is nothing to undo */
    level_closed(b);
    if (b->depth == 0 && rc == RF_OK) {
        rc = rf__pg_settle(b);
    }
    return rc;
}

static void pg_free(rf_backend *backend)
{
    if (backend == NULL) {
        return;
    }
    rf_pg *b = (rf_pg *)backend;
    if (b->conn != NULL) {
        if ((b->saved > 0 || b->rollback_pending) && PQstatus(b->conn) == CONNECTION_OK &&
            PQtransactionStatus(b->conn) != PQTRANS_IDLE) {
            PQclear(PQexec(b->conn, "ROLLBACK"));
        }
        PQfinish(b->conn);
    }
    server_transaction_ended(b);
    PQclear(b->held);
    free(b->locked);
    free(b->cursor);
    free(b->seq_practice);
    free(b);
}

static const rf_backend pg_vtable = {
    .version = RF_BACKEND_VERSION,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .party_insert = rf__pg_party_insert,
    .party_update = rf__pg_party_update,
    .party_get = rf__pg_party_get,
    .party_get_by_external = rf__pg_party_get_by_external,
    .code_insert = rf__pg_code_insert,
    .code_update = rf__pg_code_update,
    .code_get = rf__pg_code_get,
    .code_get_by_key = rf__pg_code_get_by_key,
    .journal_append = rf__pg_journal_append,
    .journal_last_seq = rf__pg_journal_last_seq,
    .idempotency_get = rf__pg_idempotency_get,
    .idempotency_put = rf__pg_idempotency_put,
    .party_scan = rf__pg_party_scan,
    .code_scan = rf__pg_code_scan,
    .journal_scan = rf__pg_journal_scan,
    .free = pg_free,
    .program_insert = rf__pg_program_insert,
    .program_update = rf__pg_program_update,
    .program_get = rf__pg_program_get,
    .program_get_by_name = rf__pg_program_get_by_name,
    .program_scan = rf__pg_program_scan,
    .touch_insert = rf__pg_touch_insert,
    .touch_get = rf__pg_touch_get,
    .touch_scan = rf__pg_touch_scan,
    .referral_insert = rf__pg_referral_insert,
    .referral_update = rf__pg_referral_update,
    .referral_get = rf__pg_referral_get,
    .referral_scan = rf__pg_referral_scan,
    /* Versions 3 and 4: rf__pg_install_v34(). */
};

static void describe(rf_pg *b)
{
    const char *db = PQdb(b->conn);
    const char *host = PQhost(b->conn);
    const char *port = PQport(b->conn);
    snprintf(b->where, sizeof b->where, "database '%s' on %s:%s", db != NULL ? db : "?",
             host != NULL && host[0] != '\0' ? host : "local socket", port != NULL ? port : "?");
}

int rf__pg_session_setup(rf_pg *b)
{
    PQsetNoticeProcessor(b->conn, ignore_notice, NULL);
    char sql[256];
    /* A lock_timeout the host chose (options='-c lock_timeout=...' in the
     * conninfo, or the role's settings) is kept; the server's default, none,
     * would make a writer wait for ever. */
    snprintf(sql, sizeof sql,
             "SET client_encoding = 'UTF8'; SELECT set_config('lock_timeout', '%d', false) "
             "WHERE current_setting('lock_timeout') = '0'",
             RF_PG_LOCK_TIMEOUT_MS);
    return rf__pg_exec_sql(b, sql, "setting up the session");
}

/* Connect and set what every session of ours needs. */
static int connect_server(rf_pg *b, const char *conninfo)
{
    b->conn = PQconnectdb(conninfo);
    if (b->conn == NULL) {
        return rf__pg_fail(RF_ENOMEM, RF_ERRCLASS_NOMEMORY, "out of memory while connecting to PostgreSQL");
    }
    if (PQstatus(b->conn) != CONNECTION_OK) {
        /* PQerrorMessage names host and port, never the password (nor do we echo the conninfo). */
        char message[512];
        trimmed(message, sizeof message, PQerrorMessage(b->conn));
        return rf__pg_fail(RF_EBACKEND, RF_ERRCLASS_STORE, "cannot connect to PostgreSQL: %s", message);
    }
    describe(b);
    return rf__pg_session_setup(b);
}

rf_status rf_backend_postgres_new(rf_backend **out, const char *conninfo)
{
    if (out == NULL) {
        return (rf_status)rf__pg_fail(RF_EINVALID, RF_ERRCLASS_ARGUMENT,
                                      "rf_backend_postgres_new: out is NULL");
    }
    *out = NULL;
    if (conninfo == NULL) {
        return (rf_status)rf__pg_fail(RF_EINVALID, RF_ERRCLASS_ARGUMENT,
                                      "rf_backend_postgres_new: the connection string is NULL");
    }
    rf_pg *b = calloc(1, sizeof *b);
    if (b == NULL) {
        rf_error_set_str(RF_ENOMEM, RF_ERRCLASS_NOMEMORY, "out of memory");
        return RF_ENOMEM;
    }
    b->base = pg_vtable;
    rf__pg_install_v34(&b->base);
    snprintf(b->where, sizeof b->where, "(not connected)");
    int rc = connect_server(b, conninfo);
    if (rc == RF_OK) {
        rc = rf__pg_schema_open(b);
    }
    if (rc != RF_OK) {
        /* Keep the error of the real failure, not of the clean-up. */
        pg_free(&b->base);
        return (rf_status)rc;
    }
    *out = &b->base;
    return RF_OK;
}
