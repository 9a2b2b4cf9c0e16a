/* Throw-away PostgreSQL databases for the tests (see pg_support.h). A database
 * per case is what a new SQLite file is per case: nothing a case leaves behind
 * can reach the next one, and with fsync off CREATE DATABASE costs a few ms. */
#include "pg_support.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static PGconn *admin;
static char released[64]; /* the database pg_test_release() will drop next */

const char *pg_test_server(void)
{
    const char *server = getenv("RF_TEST_POSTGRES");
    return server != NULL && server[0] != '\0' ? server : NULL;
}

void pg_test_skip_banner(const char *what, const char *why)
{
    const char *line = "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!";
    printf("%s\n!!! SKIPPED, NOT PASSED: %s on PostgreSQL\n!!! %s\n%s\n", line, what, why, line);
    fflush(stdout);
}

/* The maintenance database of the server: CREATE/DROP DATABASE cannot run
 * while connected to the database they name. */
static PGconn *connect_admin(void)
{
    if (admin != NULL && PQstatus(admin) == CONNECTION_OK) {
        return admin;
    }
    PQfinish(admin);
    admin = NULL;
    const char *server = pg_test_server();
    if (server == NULL) {
        fprintf(stderr, "RF_TEST_POSTGRES is not set\n");
        return NULL;
    }
    char conninfo[1024];
    snprintf(conninfo, sizeof conninfo, "%s dbname=postgres", server);
    admin = PQconnectdb(conninfo);
    if (PQstatus(admin) != CONNECTION_OK) {
        fprintf(stderr, "cannot connect to the test server (%s): %s", conninfo, PQerrorMessage(admin));
        PQfinish(admin);
        admin = NULL;
        return NULL;
    }
    PGresult *res = PQexec(admin, "SET client_min_messages = warning");
    PQclear(res);
    return admin;
}

static int run(const char *sql)
{
    PGconn *conn = connect_admin();
    if (conn == NULL) {
        return -1;
    }
    PGresult *res = PQexec(conn, sql);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) {
        fprintf(stderr, "%s: %s", sql, PQerrorMessage(conn));
    }
    PQclear(res);
    return ok ? 0 : -1;
}

/* Names are made by the tests from letters, digits and '_': quoting is for form's sake. */
static int statement(char *out, size_t size, const char *fmt, const char *dbname)
{
    if (strspn(dbname, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(dbname)) {
        fprintf(stderr, "bad test database name '%s'\n", dbname);
        return -1;
    }
    int n = snprintf(out, size, fmt, dbname);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

int pg_test_drop(const char *dbname)
{
    char sql[256];
    if (statement(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", dbname) != 0) {
        return -1;
    }
    return run(sql);
}

int pg_test_create(char *conninfo, size_t size, const char *dbname)
{
    char sql[256];
    if (pg_test_drop(dbname) != 0 || statement(sql, sizeof sql, "CREATE DATABASE \"%s\"", dbname) != 0 ||
        run(sql) != 0) {
        return -1;
    }
    int n = snprintf(conninfo, size, "%s dbname=%s", pg_test_server(), dbname);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

int pg_test_release(const char *dbname)
{
    int rc = released[0] != '\0' ? pg_test_drop(released) : 0;
    snprintf(released, sizeof released, "%s", dbname);
    return rc;
}

void pg_test_finish(void)
{
    if (released[0] != '\0') {
        pg_test_drop(released);
        released[0] = '\0';
    }
    PQfinish(admin);
    admin = NULL;
}
