/* Fixtures of the PostgreSQL backend's own cases. */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pg_support.h"

int pg_setup(void **state)
{
    static unsigned int n;
    pg_fixture *fx = calloc(1, sizeof *fx);
    if (fx == NULL) {
        return -1;
    }
    snprintf(fx->dbname, sizeof fx->dbname, "rf_pgb_%ld_%u", (long)getpid(), ++n);
    if (pg_test_create(fx->conninfo, sizeof fx->conninfo, fx->dbname) != 0) {
        free(fx);
        return -1;
    }
    if (rf_backend_postgres_new(&fx->b, fx->conninfo) != RF_OK) {
        print_error("cannot open the backend: %s\n", rf_error_last()->message);
        pg_test_drop(fx->dbname);
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

int pg_teardown(void **state)
{
    pg_fixture *fx = *state;
    if (fx != NULL) {
        rf_backend_free(fx->b);
        pg_test_drop(fx->dbname);
        free(fx);
    }
    return 0;
}

PGconn *pg_peek(const pg_fixture *fx)
{
    PGconn *conn = PQconnectdb(fx->conninfo);
    assert_int_equal(PQstatus(conn), CONNECTION_OK);
    return conn;
}

const char *pg_value(PGconn *conn, const char *sql)
{
    static char value[1024];
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        print_error("%s: %s\n", sql, PQerrorMessage(conn));
    }
    assert_true(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK);
    value[0] = '\0';
    if (st == PGRES_TUPLES_OK && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) {
        snprintf(value, sizeof value, "%s", PQgetvalue(res, 0, 0));
    }
    PQclear(res);
    return value;
}

void pg_conninfo_with(const pg_fixture *fx, const char *extra, char *out, size_t size)
{
    snprintf(out, size, "%s %s", fx->conninfo, extra);
}

rf_party_record pg_party(const char *id, const char *ext)
{
    rf_party_record r = {.id = id,
                         .external_id = ext,
                         .display_name = "Jane Doe",
                         .email_key = "ek",
                         .kind = 1,
                         .created_at = 1700000000,
                         .updated_at = 1700000000};
    return r;
}
