/* A database of the test's own on the PostgreSQL server named by
 * RF_TEST_POSTGRES (a libpq conninfo without dbname): created before the
 * practice is set up, dropped at the end whatever happened. */
#include <stdio.h>

#include "concurrency_pg.h"

#ifdef RF_WITH_POSTGRES
#include <libpq-fe.h>

/* "database does not exist, skipping" is not news. */
static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Run one statement in the maintenance database; 0 on success. */
static int run(const char *conninfo, const char *sql)
{
    char info[1024];
    snprintf(info, sizeof info, "%s dbname=postgres", conninfo);
    PGconn *c = PQconnectdb(info);
    int rc = -1;
    if (PQstatus(c) != CONNECTION_OK) {
        printf("postgres: cannot connect with '%s': %s", info, PQerrorMessage(c));
    } else {
        PQsetNoticeProcessor(c, quiet, NULL);
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) == PGRES_COMMAND_OK) {
            rc = 0;
        } else {
            printf("postgres: %s: %s", sql, PQerrorMessage(c));
        }
        PQclear(r);
    }
    PQfinish(c);
    return rc;
}

int conc_pg_available(void)
{
    return 1;
}

int conc_pg_create(const char *conninfo, const char *dbname)
{
    char sql[200];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
    run(conninfo, sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", dbname);
    return run(conninfo, sql);
}

int conc_pg_drop(const char *conninfo, const char *dbname)
{
    char sql[200];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
    return run(conninfo, sql);
}

#else

int conc_pg_available(void)
{
    return 0;
}

int conc_pg_create(const char *conninfo, const char *dbname)
{
    (void)conninfo;
    (void)dbname;
    return -1;
}

int conc_pg_drop(const char *conninfo, const char *dbname)
{
    (void)conninfo;
    (void)dbname;
    return -1;
}

#endif
