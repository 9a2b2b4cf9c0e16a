/* The store handle: opening, options, the backend contract check, clock, ids. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <referral.h>
#include <referral/sys/backend.h>

static void temp_path(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/store-%ld-%s", RF_TEST_TMPDIR, (long)getpid(), name);
    unlink(out);
}

static int file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static void open_memory_with_defaults(void **state)
{
    (void)state;
    rf_store *store = NULL;
    assert_int_equal(rf_store_open(&store, "memory:", NULL), RF_OK);
    assert_string_equal(rf_store_practice(store), "default");
    assert_int_equal(rf_store_transaction_depth(store), 0);
    assert_true(rf_store_now(store) > 1700000000); /* the system clock */
    rf_store_free(store);
    rf_store_free(NULL);
}

static void open_sqlite_by_uri_and_bare_path(void **state)
{
    (void)state;
    char path[512], uri[600];
    temp_path(path, sizeof path, "open.db");
    snprintf(uri, sizeof uri, "sqlite:%s", path);
    rf_store *store = NULL;
    assert_int_equal(rf_store_open(&store, uri, NULL), RF_OK);
    rf_store_free(store);
    assert_true(file_exists(path));
    assert_int_equal(rf_store_open(&store, path, NULL), RF_OK); /* a bare path means SQLite */
    rf_store_free(store);
    unlink(path);
}

static void bad_uris_and_options_change_nothing(void **state)
{
    (void)state;
    char path[512], uri[600];
    temp_path(path, sizeof path, "never.db");
    snprintf(uri, sizeof uri, "sqlite:%s", path);
    rf_store *store = (rf_store *)path;
    rf_store_options opts = RF_STORE_OPTIONS_INIT;

    opts.practice = "bad practice!";
    assert_int_equal(rf_store_open(&store, uri, &opts), RF_EINVALID);
    assert_null(store);
    assert_non_null(strstr(rf_error_last()->message, "practice id"));
    opts.practice = "";
    assert_int_equal(rf_store_open(&store, uri, &opts), RF_EINVALID);
    opts.practice = "ok";
    opts.phone_region = "+44";
    assert_int_equal(rf_store_open(&store, uri, &opts), RF_EINVALID);
    assert_non_null(strstr(rf_error_last()->message, "phone_region"));
    opts.phone_region = NULL;
    opts.version = 99;
    assert_int_equal(rf_store_open(&store, uri, &opts), RF_EINVALID);
    assert_non_null(strstr(rf_error_last()->message, "RF_STORE_OPTIONS_INIT"));
    assert_false(file_exists(path)); /* refused before anything was created */

    assert_int_equal(rf_store_open(&store, "redis://x", NULL), RF_EINVALID);
    assert_non_null(strstr(rf_error_last()->message, "unknown scheme"));
    assert_int_equal(rf_store_open(&store, "sqlite:", NULL), RF_EINVALID);
#ifdef RF_WITH_POSTGRES
    /* Nothing listens on port 1: the server cannot be reached, and the message says so. */
    assert_int_equal(rf_store_open(&store, "postgres:host=127.0.0.1 port=1 connect_timeout=2", NULL), RF_EBACKEND);
#else
    assert_int_equal(rf_store_open(&store, "postgres:host=localhost", NULL), RF_EINVALID);
#endif
    assert_non_null(strstr(rf_error_last()->message, "PostgreSQL"));
    assert_int_equal(rf_store_open(&store, NULL, NULL), RF_EINVALID);
    assert_int_equal(rf_store_open(NULL, "memory:", NULL), RF_EINVALID);
    assert_int_equal(rf_store_open(&store, "sqlite:/nonexistent-dir/x/clinic.db", NULL), RF_EBACKEND);
    assert_non_null(strstr(rf_error_last()->message, "/nonexistent-dir/x/clinic.db"));
    assert_null(store);
}

static void newer_schema_is_refused(void **state)
{
    (void)state;
    char path[512];
    temp_path(path, sizeof path, "future.db");
    rf_store *store = NULL;
    assert_int_equal(rf_store_open(&store, path, NULL), RF_OK);
    rf_store_free(store);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    assert_int_equal(rf_store_open(&store, path, NULL), RF_EVERSION);
    assert_null(store);
    assert_non_null(strstr(rf_error_last()->message, "99"));
    unlink(path);
}

static void options_init(void **state)
{
    (void)state;
    rf_store_options opts;
    memset(&opts, 0xff, sizeof opts);
    assert_int_equal(rf_store_options_init(&opts, RF_STORE_OPTIONS_VERSION), RF_OK);
    assert_int_equal(opts.version, RF_STORE_OPTIONS_VERSION);
    assert_null(opts.practice);
    assert_null(opts.clock);
    assert_int_equal(opts.seed, 0);
    assert_int_equal(rf_store_options_init(&opts, 0), RF_EINVALID);
    assert_int_equal(rf_store_options_init(NULL, 1), RF_EINVALID);
}

/* A third-party style backend: a copy of the memory backend's table with one
 * member removed must be refused, naming the member. */
typedef struct wrapped {
    rf_backend base;
    rf_backend *inner;
} wrapped;

static void contract_is_checked(void **state)
{
    (void)state;
    rf_backend *mem = NULL;
    assert_int_equal(rf_backend_memory_new(&mem), RF_OK);
    rf_backend copy = *mem;
    copy.code_scan = NULL;
    rf_store *store = NULL;
    assert_int_equal(rf_store_open_backend(&store, &copy, NULL), RF_EINVALID);
    assert_null(store);
    assert_non_null(strstr(rf_error_last()->message, "code_scan"));

    copy = *mem;
    copy.version = 0;
    assert_int_equal(rf_store_open_backend(&store, &copy, NULL), RF_EVERSION);
    assert_non_null(strstr(rf_error_last()->message, "RF_BACKEND_VERSION"));
    assert_int_equal(rf_store_open_backend(&store, NULL, NULL), RF_EINVALID);

    /* The caller still owns a refused backend; a store owns an accepted one. */
    rf_store_options opts = RF_STORE_OPTIONS_INIT;
    opts.practice = "hand-built";
    assert_int_equal(rf_store_open_backend(&store, mem, &opts), RF_OK);
    assert_string_equal(rf_store_practice(store), "hand-built");
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_CLIENT;
    o.display_name = "Works";
    rf_party *p = NULL;
    assert_int_equal(rf_party_add(&p, store, &o), RF_OK);
    rf_party_free(p);
    rf_store_free(store);
    rf_backend_free(NULL);
}

static rf_time fixed_clock(void *ctx)
{
    return *(rf_time *)ctx;
}

static void clock_is_injected(void **state)
{
    (void)state;
    rf_time now = 1772355600;
    rf_store *store = NULL;
    assert_int_equal(rf_store_open(&store, "memory:", NULL), RF_OK);
    assert_int_equal(rf_store_set_clock(store, fixed_clock, &now), RF_OK);
    assert_int_equal(rf_store_now(store), 1772355600);
    now += 3600;
    assert_int_equal(rf_store_now(store), 1772359200);
    assert_int_equal(rf_store_set_clock(store, NULL, NULL), RF_OK);
    assert_true(rf_store_now(store) > 1700000000);
    assert_int_equal(rf_store_set_clock(NULL, NULL, NULL), RF_EINVALID);
    rf_store_free(store);
}

static void seeded_stores_are_reproducible(void **state)
{
    (void)state;
    rf_time now = 1772355600;
    rf_store_options opts = RF_STORE_OPTIONS_INIT;
    opts.seed = 1234;
    opts.clock = fixed_clock;
    opts.clock_ctx = &now;
    rf_store *a = NULL, *b = NULL;
    assert_int_equal(rf_store_open(&a, "memory:", &opts), RF_OK);
    assert_int_equal(rf_store_open(&b, "memory:", &opts), RF_OK);
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_CLIENT;
    o.display_name = "Иван";
    rf_party *pa = NULL, *pb = NULL;
    rf_code *ca = NULL, *cb = NULL;
    assert_int_equal(rf_party_add(&pa, a, &o), RF_OK);
    assert_int_equal(rf_party_add(&pb, b, &o), RF_OK);
    assert_string_equal(rf_party_id(pa), rf_party_id(pb));
    assert_int_equal(rf_code_issue(&ca, a, rf_party_id(pa), NULL), RF_OK);
    assert_int_equal(rf_code_issue(&cb, b, rf_party_id(pb), NULL), RF_OK);
    assert_string_equal(rf_code_text(ca), rf_code_text(cb)); /* a short code: the name is not Latin */
    rf_code_free(ca);
    rf_code_free(cb);
    rf_party_free(pa);
    rf_party_free(pb);
    rf_store_free(a);
    rf_store_free(b);
}

static void transactions_nest(void **state)
{
    (void)state;
    rf_store *store = NULL;
    assert_int_equal(rf_store_open(&store, "memory:", NULL), RF_OK);
    assert_int_equal(rf_store_begin(store), RF_OK);
    assert_int_equal(rf_store_begin(store), RF_OK);
    assert_int_equal(rf_store_transaction_depth(store), 2);
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_CLIENT;
    o.display_name = "Inner";
    rf_party *p = NULL;
    assert_int_equal(rf_party_add(&p, store, &o), RF_OK);
    assert_int_equal(rf_store_rollback(store), RF_OK); /* undoes the inner level only */
    rf_party *q = NULL;
    assert_int_equal(rf_party_get(&q, store, rf_party_id(p)), RF_ENOTFOUND);
    o.display_name = "Outer";
    assert_int_equal(rf_party_add(&q, store, &o), RF_OK);
    assert_int_equal(rf_store_commit(store), RF_OK);
    rf_party *r = NULL;
    assert_int_equal(rf_party_get(&r, store, rf_party_id(q)), RF_OK);
    rf_party_free(r);
    rf_party_free(q);
    rf_party_free(p);
    assert_int_equal(rf_store_begin(NULL), RF_EINVALID);
    assert_int_equal(rf_store_commit(NULL), RF_EINVALID);
    assert_int_equal(rf_store_rollback(NULL), RF_EINVALID);
    /* Freeing a store with a transaction open rolls it back. */
    assert_int_equal(rf_store_begin(store), RF_OK);
    rf_store_free(store);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(open_memory_with_defaults),
        cmocka_unit_test(open_sqlite_by_uri_and_bare_path),
        cmocka_unit_test(bad_uris_and_options_change_nothing),
        cmocka_unit_test(newer_schema_is_refused),
        cmocka_unit_test(options_init),
        cmocka_unit_test(contract_is_checked),
        cmocka_unit_test(clock_is_injected),
        cmocka_unit_test(seeded_stores_are_reproducible),
        cmocka_unit_test(transactions_nest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
