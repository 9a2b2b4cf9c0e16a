/* Opening the PostgreSQL backend: arguments, URIs and connection errors
 * (never echoing a password), creating the schema once, and refusing
 * databases it must not use, changing nothing in them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pg_support.h"
#include "support.h"

#define SECRET "s3cr3t-pw-71"

static void test_arguments(void **state)
{
    (void)state;
    rf_backend *b = (rf_backend *)&b;
    CHECK(RF_EINVALID, rf_backend_postgres_new(NULL, "host=x"));
    CHECK(RF_EINVALID, rf_backend_postgres_new(&b, NULL));
    assert_null(b);
}

/* Port 1 refuses at once: no timing involved. */
static void test_connection_errors_hide_the_password(void **state)
{
    (void)state;
    rf_backend *b = (rf_backend *)&b;
    CHECK(RF_EBACKEND, rf_backend_postgres_new(&b, "host=127.0.0.1 port=1 user=app password=" SECRET));
    assert_null(b);
    assert_non_null(strstr(rf_error_last()->message, "cannot connect to PostgreSQL"));
    assert_null(strstr(rf_error_last()->message, SECRET));

    rf_store *store = (rf_store *)&store;
    CHECK(RF_EBACKEND, rf_store_open(&store, "postgres:host=127.0.0.1 port=1 password=" SECRET, NULL));
    assert_null(store);
    assert_null(strstr(rf_error_last()->message, SECRET));

    /* A malformed conninfo is libpq's to explain. */
    CHECK(RF_EBACKEND, rf_backend_postgres_new(&b, "nonsense"));
    assert_null(b);
    assert_non_null(strstr(rf_error_last()->message, "nonsense"));

    CHECK(RF_EINVALID, rf_store_open(&store, "postgresql-ish://x", NULL));
    assert_non_null(strstr(rf_error_last()->message, "postgres:"));
}

static void test_schema_created_once(void **state)
{
    pg_fixture *fx = *state;
    PGconn *peek = pg_peek(fx);
    assert_string_equal(pg_value(peek, "SELECT value FROM rf_meta WHERE key = 'schema_version'"), "4");
    const char *count_tables = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'";
    assert_string_equal(pg_value(peek, count_tables), "14");
    /* Every key starts with the practice (the distribution column). */
    assert_string_equal(pg_value(peek,
                                 "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                                 "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = "
                                 "'public' AND c.relname <> 'rf_meta' AND i.indisunique AND "
                                 "(SELECT attname FROM pg_attribute WHERE attrelid = c.oid AND attnum = "
                                 "i.indkey[0]) <> 'practice'"),
                        "0");
    /* Ids compare byte for byte. */
    assert_string_equal(pg_value(peek, "SELECT collation_name FROM information_schema.columns WHERE "
                                       "table_name = 'referrals' AND column_name = 'id'"),
                        "C");

    rf_backend *again = NULL;
    CHECK(RF_OK, rf_backend_postgres_new(&again, fx->conninfo));
    rf_backend_free(again);
    assert_string_equal(pg_value(peek, "SELECT count(*) FROM rf_meta"), "2");
    assert_string_equal(pg_value(peek, count_tables), "14");
    PQfinish(peek);
}

static void test_newer_or_unknown_schema_refused(void **state)
{
    pg_fixture *fx = *state;
    rf_backend_free(fx->b);
    fx->b = NULL;
    PGconn *peek = pg_peek(fx);
    pg_value(peek, "UPDATE rf_meta SET value = '5' WHERE key = 'schema_version'");
    rf_backend *b = (rf_backend *)&b;
    CHECK(RF_EVERSION, rf_backend_postgres_new(&b, fx->conninfo));
    assert_null(b);
    assert_non_null(strstr(rf_error_last()->message, "schema version 5"));
    assert_string_equal(pg_value(peek, "SELECT value FROM rf_meta WHERE key = 'schema_version'"), "5");

    pg_value(peek, "UPDATE rf_meta SET value = 'x' WHERE key = 'schema_version'");
    CHECK(RF_EBACKEND, rf_backend_postgres_new(&b, fx->conninfo));
    assert_null(b);
    pg_value(peek, "UPDATE rf_meta SET value = '3' WHERE key = 'schema_version'");
    CHECK(RF_EBACKEND, rf_backend_postgres_new(&b, fx->conninfo));
    assert_string_equal(pg_value(peek, "SELECT value FROM rf_meta WHERE key = 'schema_version'"), "3");
    PQfinish(peek);
}

/* A database holding a table of ours by name but no rf_meta is someone else's: refused, untouched. */
static void test_foreign_tables_untouched(void **state)
{
    (void)state;
    char conninfo[1024];
    assert_int_equal(pg_test_create(conninfo, sizeof conninfo, "rf_pgb_foreign"), 0);
    PGconn *peek = PQconnectdb(conninfo);
    assert_int_equal(PQstatus(peek), CONNECTION_OK);
    pg_value(peek, "CREATE TABLE tasks (what text)");
    rf_backend *b = (rf_backend *)&b;
    CHECK(RF_EBACKEND, rf_backend_postgres_new(&b, conninfo));
    assert_null(b);
    assert_non_null(strstr(rf_error_last()->message, "tasks"));
    assert_string_equal(pg_value(peek, "SELECT to_regclass('rf_meta')::text"), "");
    assert_string_equal(pg_value(peek, "SELECT to_regclass('parties')::text"), "");
    assert_string_equal(pg_value(peek, "SELECT string_agg(column_name, ',') FROM information_schema.columns "
                                       "WHERE table_name = 'tasks'"),
                        "what");
    PQfinish(peek);
    assert_int_equal(pg_test_drop("rf_pgb_foreign"), 0);
}

/* Several processes opening a new database at once create the schema once and all succeed. */
static void test_concurrent_first_open(void **state)
{
    (void)state;
    char conninfo[1024];
    assert_int_equal(pg_test_create(conninfo, sizeof conninfo, "rf_pgb_race"), 0);
    pg_test_finish(); /* no connection shared with the children */
    pid_t kids[4];
    for (int i = 0; i < 4; i++) {
        kids[i] = fork();
        assert_true(kids[i] >= 0);
        if (kids[i] == 0) {
            rf_backend *b = NULL;
            int rc = rf_backend_postgres_new(&b, conninfo);
            if (rc != RF_OK) {
                fprintf(stderr, "child %d: %s\n", i, rf_error_last()->message);
            }
            rf_backend_free(b);
            _exit(rc == RF_OK ? 0 : 1);
        }
    }
    for (int i = 0; i < 4; i++) {
        int status = 0;
        assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    PGconn *peek = PQconnectdb(conninfo);
    assert_string_equal(pg_value(peek, "SELECT count(*) FROM rf_meta WHERE key = 'schema_version'"), "1");
    PQfinish(peek);
    assert_int_equal(pg_test_drop("rf_pgb_race"), 0);
}

static void test_store_opens_by_uri(void **state)
{
    pg_fixture *fx = *state;
    char uri[1100];
    snprintf(uri, sizeof uri, "postgres:%s", fx->conninfo);
    rf_store_options opts = RF_STORE_OPTIONS_INIT;
    opts.practice = "elm-street";
    rf_store *store = NULL;
    CHECK(RF_OK, rf_store_open(&store, uri, &opts));
    rf_party_options po = RF_PARTY_OPTIONS_INIT;
    po.kind = RF_PARTY_CLIENT;
    po.display_name = "Ann Lee";
    po.external_id = "crm-1";
    rf_party *party = NULL;
    CHECK(RF_OK, rf_party_add(&party, store, &po));
    rf_party_free(party);
    rf_store_free(store);
    PGconn *peek = pg_peek(fx);
    assert_string_equal(pg_value(peek, "SELECT practice FROM parties WHERE external_id = 'crm-1'"),
                        "elm-street");
    PQfinish(peek);
}

#define CASE(fn) cmocka_unit_test_setup_teardown(fn, pg_setup, pg_teardown)

const struct CMUnitTest pg_open_cases[] = {
    cmocka_unit_test(test_arguments),
    cmocka_unit_test(test_connection_errors_hide_the_password),
    CASE(test_schema_created_once),
    CASE(test_newer_or_unknown_schema_refused),
    cmocka_unit_test(test_foreign_tables_untouched),
    cmocka_unit_test(test_concurrent_first_open),
    CASE(test_store_opens_by_uri),
};
const size_t pg_open_case_count = sizeof pg_open_cases / sizeof pg_open_cases[0];
