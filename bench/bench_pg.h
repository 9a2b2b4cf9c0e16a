/*
 * bench_pg.h: a throw-away PostgreSQL database for the benchmark programs.
 *
 * The environment variable RF_BENCH_POSTGRES names a server: a libpq
 * conninfo in keyword=value form without dbname, such as
 * "host=127.0.0.1 port=5432 user=postgres"; its role must be allowed to
 * CREATE DATABASE. A program makes one database on it with bench_pg_create,
 * opens stores on the URI it is given, and drops it with bench_pg_drop. The
 * database also goes when the program exits in any other way: exit(1) from
 * bench_die, a signal, even SIGKILL (a watchdog process drops it; see
 * bench_pg.c). Without RF_WITH_POSTGRES in the build every call but
 * bench_pg_unavailable exits with a message.
 */
#ifndef RF_BENCH_PG_H
#define RF_BENCH_PG_H

#include <stddef.h>

#define BENCH_PG_ENV "RF_BENCH_POSTGRES"

/* NULL when a PostgreSQL section can run; otherwise one line saying why
 * not and how to enable it (no newline). */
const char *bench_pg_unavailable(void);

/* Create an empty database on the server, named rf_bench_<tag>_<pid>_<hex>
 * (tag: lower-case letters, digits, '_'), and write the store URI for it,
 * "postgres:<server> dbname=<name>", to `uri`. One database per process.
 * Exits 1 on failure, having dropped it if it was made. */
void bench_pg_create(char *uri, size_t size, const char *tag);

/* The database's name, and where it is ("127.0.0.1:5432"), never the
 * conninfo itself (it may hold a password). */
const char *bench_pg_dbname(void);
const char *bench_pg_where(void);

/* The server's version and the settings that decide what a commit costs:
 * "PostgreSQL 15.18; fsync on, synchronous_commit on, ...". */
void bench_pg_describe(char *out, size_t size);

/* Run `sql` (a command, no rows) on the database. Exits 1 on failure. */
void bench_pg_command(const char *sql);

/* The median time, in microseconds, of `n` round trips ("SELECT 1") on a
 * connection to the database: what every statement pays on top of its work. */
double bench_pg_round_trip_us(int n);

/* The first column of the first row of `sql` on the database, as an
 * integer (0 when NULL). Exits 1 on failure. */
long long bench_pg_query_int(const char *sql);

/* Drop the database now; every store on it should be closed (sessions
 * still open are ended). Returns 0, or -1 with a message on stderr. */
int bench_pg_drop(void);

#endif
