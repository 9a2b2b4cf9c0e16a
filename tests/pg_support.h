/* Throw-away PostgreSQL databases for the tests, on the server named by
 * RF_TEST_POSTGRES (a libpq conninfo without dbname; scripts/lib/pg.sh starts
 * one). Built only with RF_WITH_POSTGRES. */
#ifndef RF_TEST_PG_SUPPORT_H
#define RF_TEST_PG_SUPPORT_H

#include <stddef.h>

/* Exit status that ctest reports as "skipped" (SKIP_RETURN_CODE). */
#define PG_SKIP 77

/* The conninfo of the test server, or NULL when RF_TEST_POSTGRES is unset or empty. */
const char *pg_test_server(void);
/* Print a banner that the PostgreSQL cases of @what are skipped, and why. */
void pg_test_skip_banner(const char *what, const char *why);
/* Create the empty database @dbname (dropped first if a crashed run left it)
 * and write "<server> dbname=<dbname>" to @conninfo. Returns 0, or -1 with a
 * message on stderr. */
int pg_test_create(char *conninfo, size_t size, const char *dbname);
/* Drop @dbname, ending any connection a failed case left open. */
int pg_test_drop(const char *dbname);
/* Drop @dbname soon: when the next database is released, or at pg_test_finish().
 * The server ends a closed handle's session a moment after the client leaves,
 * and DROP DATABASE waits 100 ms for a session that is still ending; a case
 * later it is gone. Returns what dropping the previous one returned. */
int pg_test_release(const char *dbname);
/* Drop what was released and close the administrative connection (at exit,
 * so that leak checkers stay quiet). */
void pg_test_finish(void);

#endif
