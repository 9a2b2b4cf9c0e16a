/*
 * bench_pg.c: the benchmarks' throw-away PostgreSQL database (see bench_pg.h).
 *
 * Dropping the database must not depend on the program ending well: a
 * benchmark dies with exit(1) in the middle of a transaction, or is stopped
 * with Ctrl-C or kill, and a database left behind on a shared server is
 * litter nobody owns. So before the database is made, a watchdog process is
 * forked with the read end of a pipe. It ignores the signals that stop a
 * program from a terminal and waits for end of file, which comes when the
 * program closes the pipe (bench_pg_drop, at exit) or dies by any means,
 * SIGKILL included; then it drops the database WITH (FORCE), which ends any
 * session the program left open. The program writes 'a' to the pipe to arm
 * it just before CREATE DATABASE, and 'n' to disarm it should CREATE fail
 * because the name was taken (the name has a random part, so that is
 * someone else's database).
 */
#include "bench_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef RF_WITH_POSTGRES

const char *bench_pg_unavailable(void)
{
    return "PostgreSQL section skipped: this build has no PostgreSQL (configure with RF_WITH_POSTGRES=ON; "
           "needs libpq-dev)";
}

static _Noreturn void unbuilt(void)
{
    fprintf(stderr, "bench_pg: this build has no PostgreSQL\n");
    exit(1);
}

void bench_pg_create(char *uri, size_t size, const char *tag)
{
    (void)uri;
    (void)size;
    (void)tag;
    unbuilt();
}

const char *bench_pg_dbname(void)
{
    unbuilt();
}

const char *bench_pg_where(void)
{
    unbuilt();
}

void bench_pg_describe(char *out, size_t size)
{
    (void)out;
    (void)size;
    unbuilt();
}

long long bench_pg_query_int(const char *sql)
{
    (void)sql;
    unbuilt();
}

double bench_pg_round_trip_us(int n)
{
    (void)n;
    unbuilt();
}

void bench_pg_command(const char *sql)
{
    (void)sql;
    unbuilt();
}

int bench_pg_drop(void)
{
    return 0;
}

#else

#include <libpq-fe.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char server[1024]; /* RF_BENCH_POSTGRES */
static char dbname[64];
static char where[300];
static PGconn *conn;         /* to the throw-away database: queries and settings */
static pid_t owner = -1;     /* the process that made it; forked children leave it alone */
static pid_t watchdog = -1;  /* drops it on end of file */
static int watchdog_fd = -1; /* the pipe's write end */

static _Noreturn void fail(const char *what, const char *detail)
{
    fprintf(stderr, "bench_pg: %s%s%s\n", what, detail != NULL ? ": " : "", detail != NULL ? detail : "");
    exit(1); /* the watchdog drops the database */
}

const char *bench_pg_unavailable(void)
{
    const char *s = getenv(BENCH_PG_ENV);
    if (s == NULL || s[0] == '\0') {
        return "PostgreSQL section skipped: set " BENCH_PG_ENV " to a server's libpq conninfo without dbname "
               "(e.g. \"host=127.0.0.1 port=5432 user=postgres\") to run it";
    }
    return NULL;
}

/* A session on `db` of the server; NULL with a message on stderr. libpq's
 * messages name host and port, never the password. */
static PGconn *connect_to(const char *db)
{
    char conninfo[sizeof server + 96];
    snprintf(conninfo, sizeof conninfo, "%s dbname=%s", server, db);
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "bench_pg: cannot connect to PostgreSQL (database %s): %s", db,
                c != NULL ? PQerrorMessage(c) : "out of memory\n");
        PQfinish(c);
        return NULL;
    }
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    return c;
}

/* 0 when `sql` ran, else -1 with the server's message on stderr; *state gets its SQLSTATE. */
static int command(PGconn *c, const char *sql, char state[6])
{
    PGresult *res = PQexec(c, sql);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (state != NULL) {
        const char *s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        snprintf(state, 6, "%s", s != NULL ? s : "");
    }
    if (!ok) {
        fprintf(stderr, "bench_pg: %s: %s", sql, PQerrorMessage(c));
    }
    PQclear(res);
    return ok ? 0 : -1;
}

/* ---- the watchdog ------------------------------------------------------------------------------ */

static _Noreturn void watch(int fd)
{
    /* A terminal's Ctrl-C reaches the whole process group: outlive the program to clean up after it. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    int armed = 0;
    for (;;) {
        char c;
        ssize_t n = read(fd, &c, 1);
        if (n == 1) {
            armed = c == 'a';
        } else if (n == 0 || errno != EINTR) {
            break;
        }
    }
    int status = 0;
    if (armed) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", dbname);
        PGconn *admin = connect_to("postgres");
        status = admin != NULL && command(admin, sql, NULL) == 0 ? 0 : 1;
        PQfinish(admin);
    }
    _exit(status); /* not exit: the program's atexit handlers are not the watchdog's */
}

static void start_watchdog(void)
{
    int fds[2];
    if (pipe(fds) != 0) {
        fail("creating the watchdog's pipe", strerror(errno));
    }
    /* A program the benchmark runs must not hold the pipe open (it would delay the drop). */
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid < 0) {
        fail("starting the watchdog", strerror(errno));
    }
    if (pid == 0) {
        close(fds[1]);
        watch(fds[0]);
    }
    close(fds[0]);
    watchdog = pid;
    watchdog_fd = fds[1];
}

static void tell_watchdog(char c)
{
    ssize_t n;
    do {
        n = write(watchdog_fd, &c, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) {
        fail("talking to the watchdog", strerror(errno));
    }
}

static void drop_at_exit(void)
{
    if (getpid() == owner) {
        bench_pg_drop();
    }
}

/* ---- the database ------------------------------------------------------------------------------ */

void bench_pg_create(char *uri, size_t size, const char *tag)
{
    const char *why = bench_pg_unavailable();
    if (why != NULL) {
        fail(why, NULL);
    }
    if (owner != -1) {
        fail("one throw-away database per process", NULL);
    }
    const char *s = getenv(BENCH_PG_ENV);
    if (strncmp(s, "postgres://", 11) == 0 || strncmp(s, "postgresql://", 13) == 0) {
        fail(BENCH_PG_ENV " must be in keyword=value form (host=... port=... user=...), not a URI", NULL);
    }
    if ((size_t)snprintf(server, sizeof server, "%s", s) >= sizeof server) {
        fail(BENCH_PG_ENV " is too long", NULL);
    }
    if (tag[0] == '\0' || strlen(tag) > 20 ||
        strspn(tag, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(tag)) {
        fail("bad database tag", tag);
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned salt = (unsigned)(ts.tv_nsec ^ ts.tv_sec * 2654435761u) & 0xffffffu;
    snprintf(dbname, sizeof dbname, "rf_bench_%s_%ld_%06x", tag, (long)getpid(), salt);

    owner = getpid();
    start_watchdog();
    atexit(drop_at_exit);
    PGconn *admin = connect_to("postgres");
    if (admin == NULL) {
        exit(1);
    }
    const char *host = PQhost(admin), *port = PQport(admin);
    snprintf(where, sizeof where, "%s:%s", host != NULL && host[0] != '\0' ? host : "local socket",
             port != NULL ? port : "?");
    char sql[256], state[6];
    /* template0 with the C locale: the same database whatever the server's
     * defaults (the schema compares keys byte for byte anyway). */
    snprintf(sql, sizeof sql,
             "CREATE DATABASE \"%s\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'", dbname);
    tell_watchdog('a');
    if (command(admin, sql, state) != 0) {
        if (strcmp(state, "42P04") == 0) { /* duplicate_database: not ours to drop */
            tell_watchdog('n');
        }
        PQfinish(admin);
        exit(1);
    }
    PQfinish(admin);
    if ((size_t)snprintf(uri, size, "postgres:%s dbname=%s", server, dbname) >= size) {
        fail("the store URI is too long", NULL);
    }
}

const char *bench_pg_dbname(void)
{
    return dbname;
}

const char *bench_pg_where(void)
{
    return where;
}

static PGresult *query(const char *sql)
{
    if (conn == NULL && (conn = connect_to(dbname)) == NULL) {
        exit(1);
    }
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) < 1) {
        fprintf(stderr, "bench_pg: %s: %s", sql,
                PQresultStatus(res) == PGRES_TUPLES_OK ? "no row\n" : PQerrorMessage(conn));
        PQclear(res);
        exit(1);
    }
    return res;
}

void bench_pg_command(const char *sql)
{
    if (conn == NULL && (conn = connect_to(dbname)) == NULL) {
        exit(1);
    }
    if (command(conn, sql, NULL) != 0) {
        exit(1);
    }
}

void bench_pg_describe(char *out, size_t size)
{
    PGresult *res = query("SELECT current_setting('server_version'), current_setting('fsync'), "
                          "current_setting('synchronous_commit'), current_setting('wal_sync_method'), "
                          "current_setting('full_page_writes'), current_setting('shared_buffers')");
    snprintf(out, size,
             "PostgreSQL %s; fsync %s, synchronous_commit %s, wal_sync_method %s, full_page_writes %s, "
             "shared_buffers %s",
             PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3),
             PQgetvalue(res, 0, 4), PQgetvalue(res, 0, 5));
    PQclear(res);
}

long long bench_pg_query_int(const char *sql)
{
    PGresult *res = query(sql);
    long long v = PQgetisnull(res, 0, 0) ? 0 : strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return v;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_pg_round_trip_us(int n)
{
    double *t = calloc((size_t)n, sizeof *t);
    if (t == NULL || n < 1) {
        fail("measuring round trips", "out of memory");
    }
    for (int i = 0; i < n; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        PQclear(query("SELECT 1"));
        clock_gettime(CLOCK_MONOTONIC, &b);
        t[i] = (double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3;
    }
    qsort(t, (size_t)n, sizeof *t, by_value);
    double median = t[n / 2];
    free(t);
    return median;
}

int bench_pg_drop(void)
{
    if (watchdog < 0 || getpid() != owner) {
        return 0;
    }
    PQfinish(conn);
    conn = NULL;
    close(watchdog_fd); /* end of file: the watchdog drops the database and exits */
    watchdog_fd = -1;
    int status = 0;
    pid_t w;
    while ((w = waitpid(watchdog, &status, 0)) < 0 && errno == EINTR) {
    }
    watchdog = -1;
    if (w < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_pg: database %s may be left on %s; drop it by hand\n", dbname, where);
        return -1;
    }
    return 0;
}

#endif
