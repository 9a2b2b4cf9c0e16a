/* Prepared statements and their parameters: every record statement is
 * prepared once per connection, under its name, and run with PQexecPrepared.
 * Parameters and results travel as text, which is exact for every int64
 * (INT64_MIN and INT64_MAX included) and leaves type checks to the casts in
 * the SQL. */
#include "pg_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* A statement with more parameters than RF_PG_MAX_PARAMS is a bug in this
 * backend; the extra ones are dropped and the server then refuses the call. */
static int room(rf__pg_params *p)
{
    return p->n < RF_PG_MAX_PARAMS;
}

void rf__pg_param_text(rf__pg_params *p, const char *s)
{
    if (room(p)) {
        p->values[p->n++] = s;
    }
}

void rf__pg_param_null(rf__pg_params *p)
{
    rf__pg_param_text(p, NULL);
}

void rf__pg_param_int(rf__pg_params *p, int64_t v)
{
    if (room(p)) {
        snprintf(p->nums[p->n], sizeof p->nums[p->n], "%" PRId64, v);
        p->values[p->n] = p->nums[p->n];
        p->n++;
    }
}

void rf__pg_param_time_or_null(rf__pg_params *p, rf_time v)
{
    if (v == 0) {
        rf__pg_param_null(p);
    } else {
        rf__pg_param_int(p, v);
    }
}

void rf__pg_param_period(rf__pg_params *p, rf_time from, rf_time to)
{
    rf__pg_param_int(p, from == RF_TIME_UNSET ? INT64_MIN : from);
    /* to == INT64_MIN is RF_TIME_UNSET, so to - 1 never overflows. */
    rf__pg_param_int(p, to == RF_TIME_UNSET ? INT64_MAX : to - 1);
}

int64_t rf__pg_int(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col)) {
        return 0;
    }
    return (int64_t)strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* What the handle knows of a statement slot on its connection. */
enum { NOT_PREPARED = 0, PREPARED = 1, MAYBE_PREPARED = 2 };

/* Whether @st is prepared on the connection after all: a PQprepare whose
 * answer was lost on our side (libpq out of memory) may have run. */
static int check_prepared(rf_pg *b, const rf__pg_stmt *st, int *exists)
{
    const char *values[1] = {st->name};
    PGresult *res = PQexecParams(b->conn, "SELECT 1 FROM pg_prepared_statements WHERE name = $1", 1, NULL,
                                 values, NULL, NULL, 0);
    int rc = RF_OK;
    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = rf__pg_error(b, res, "looking for a prepared statement");
    } else {
        *exists = PQntuples(res) > 0;
    }
    PQclear(res);
    return rc;
}

/* Prepare @st on the connection unless it already is. */
static int prepare(rf_pg *b, const rf__pg_stmt *st)
{
    if (st->slot < 0 || st->slot >= RF_PG_MAX_STMTS) {
        return rf__pg_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND, "statement '%s' has slot %d, out of range",
                           st->name, st->slot);
    }
    if (b->prepared[st->slot] == PREPARED) {
        return RF_OK;
    }
    if (b->prepared[st->slot] == MAYBE_PREPARED) {
        int exists = 0;
        int rc = check_prepared(b, st, &exists);
        if (rc != RF_OK || exists) {
            b->prepared[st->slot] = rc == RF_OK ? PREPARED : MAYBE_PREPARED;
            return rc;
        }
    }
    PGresult *res = PQprepare(b->conn, st->name, st->sql, 0, NULL);
    int rc = RF_OK;
    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = rf__pg_error(b, res, "preparing a statement");
        /* Refused by the server: not prepared. Failed on our side: perhaps. */
        int refused = res != NULL && PQresultErrorField(res, PG_DIAG_SQLSTATE) != NULL;
        b->prepared[st->slot] = refused ? NOT_PREPARED : MAYBE_PREPARED;
    } else {
        b->prepared[st->slot] = PREPARED;
    }
    PQclear(res);
    return rc;
}

/* One try at running @st: prepared if need be, then executed. */
static int run_once(rf_pg *b, const rf__pg_stmt *st, const rf__pg_params *p, const char *what, PGresult **out)
{
    int rc = prepare(b, st);
    if (rc != RF_OK) {
        return rc;
    }
    PGresult *res =
        PQexecPrepared(b->conn, st->name, p != NULL ? p->n : 0, p != NULL ? p->values : NULL, NULL, NULL, 0);
    ExecStatusType status = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        rc = rf__pg_error(b, res, what);
        PQclear(res);
        return rc;
    }
    *out = res;
    return RF_OK;
}

int rf__pg_exec(rf_pg *b, const rf__pg_stmt *st, const rf__pg_params *p, const char *what, PGresult **out)
{
    PGresult *res = NULL;
    int rc = rf__pg_settle(b);
    if (rc == RF_OK) {
        rc = run_once(b, st, p, what, &res);
    }
    /* Outside a transaction a statement is a read, safe to run again on a
     * new connection when the old one turns out to be gone. */
    if (rc != RF_OK && b->saved == 0 && PQstatus(b->conn) == CONNECTION_BAD &&
        rf__pg_reconnect_if_lost(b) == RF_OK) {
        rc = run_once(b, st, p, what, &res);
    }
    if (rc != RF_OK) {
        rf__pg_statement_failed(b, rc);
    }
    if (out != NULL) {
        *out = res;
    } else {
        PQclear(res);
    }
    return rc;
}

int rf__pg_exec_count(rf_pg *b, const rf__pg_stmt *st, const rf__pg_params *p, const char *what,
                      int64_t *changed)
{
    PGresult *res;
    *changed = 0;
    int rc = rf__pg_exec(b, st, p, what, &res);
    if (rc == RF_OK) {
        const char *n = PQcmdTuples(res);
        *changed = n[0] != '\0' ? (int64_t)strtoll(n, NULL, 10) : 0;
        PQclear(res);
    }
    return rc;
}

int rf__pg_exec_sql(rf_pg *b, const char *sql, const char *what)
{
    int rc = rf__pg_settle(b);
    if (rc != RF_OK) {
        return rc;
    }
    PGresult *res = PQexec(b->conn, sql);
    ExecStatusType status = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        rc = rf__pg_error(b, res, what);
        rf__pg_statement_failed(b, rc);
    }
    PQclear(res);
    return rc;
}
