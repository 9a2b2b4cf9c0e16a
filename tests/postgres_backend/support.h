/* Shared by the PostgreSQL backend's own cases: a fresh database per case. */
#ifndef RF_TEST_POSTGRES_BACKEND_SUPPORT_H
#define RF_TEST_POSTGRES_BACKEND_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <referral.h>
#include <referral/sys/backend.h>

typedef struct pg_fixture {
    char dbname[64];
    char conninfo[1024];
    rf_backend *b;
} pg_fixture;

/* Creates an empty database of its own and opens a backend on it (fx->b). */
int pg_setup(void **state);
/* Frees the backend (if still there) and drops the database. */
int pg_teardown(void **state);

/* A second connection of the test's own to the case's database, for looking behind the backend. */
PGconn *pg_peek(const pg_fixture *fx);
/* Runs @sql on @conn, which must succeed; the first value of the first row, or "" (static buffer). */
const char *pg_value(PGconn *conn, const char *sql);

/* "<server> dbname=<fx's> <extra>" into @out. */
void pg_conninfo_with(const pg_fixture *fx, const char *extra, char *out, size_t size);

rf_party_record pg_party(const char *id, const char *ext);

#define CHECK(want, expr)                                                                                    \
    do {                                                                                                     \
        rf_error_clear();                                                                                    \
        int rc_ = (expr);                                                                                    \
        if (rc_ != (want)) {                                                                                 \
            print_error("%s -> %d (%s), want %d\n", #expr, rc_, rf_error_last()->message, (want));           \
        }                                                                                                    \
        assert_int_equal(rc_, (want));                                                                       \
    } while (0)

extern const struct CMUnitTest pg_open_cases[];
extern const size_t pg_open_case_count;
extern const struct CMUnitTest pg_lock_cases[];
extern const size_t pg_lock_case_count;
extern const struct CMUnitTest pg_scan_cases[];
extern const size_t pg_scan_case_count;

#endif
