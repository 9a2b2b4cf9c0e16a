/* Status codes, the thread-local last error and the version query. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>

#include <referral.h>
#include <referral/sys/backend.h>

static void last_error_is_never_null(void **state)
{
    (void)state;
    rf_error_clear();
    const rf_error *e = rf_error_last();
    assert_non_null(e);
    assert_int_equal(e->code, RF_OK);
    assert_int_equal(e->klass, RF_ERRCLASS_NONE);
    assert_string_equal(e->message, "no error");
}

static void failures_set_code_class_and_message(void **state)
{
    (void)state;
    rf_store *store = NULL;
    assert_int_equal(rf_store_open(&store, "ftp://nowhere", NULL), RF_EINVALID);
    assert_null(store);
    const rf_error *e = rf_error_last();
    assert_int_equal(e->code, RF_EINVALID);
    assert_int_equal(e->klass, RF_ERRCLASS_STORE);
    assert_non_null(strstr(e->message, "unknown scheme"));

    /* Success leaves the last error as it was; clearing resets it. */
    assert_int_equal(rf_store_open(&store, "memory:", NULL), RF_OK);
    assert_int_equal(rf_error_last()->code, RF_EINVALID);
    rf_error_clear();
    assert_int_equal(rf_error_last()->code, RF_OK);
    rf_store_free(store);
}

static void backends_can_set_errors(void **state)
{
    (void)state;
    rf_error_set_str(RF_EBACKEND, RF_ERRCLASS_BACKEND, "disk on fire");
    assert_int_equal(rf_error_last()->code, RF_EBACKEND);
    assert_string_equal(rf_error_last()->message, "disk on fire");
    rf_error_set_str(RF_EBUSY, RF_ERRCLASS_BACKEND, NULL);
    assert_string_equal(rf_error_last()->message, "database busy");

    char long_message[3000];
    memset(long_message, 'x', sizeof long_message - 1);
    long_message[sizeof long_message - 1] = '\0';
    rf_error_set_str(RF_EBACKEND, RF_ERRCLASS_BACKEND, long_message);
    assert_int_equal(strlen(rf_error_last()->message), 1023);
}

static void every_status_has_a_description(void **state)
{
    (void)state;
    const rf_status all[] = {RF_OK,     RF_ERROR,    RF_ENOTFOUND, RF_EEXISTS,  RF_EINVALID, RF_ECONFLICT,
                             RF_ESTATE, RF_EBACKEND, RF_ENOMEM,    RF_EVERSION, RF_EBUSY,    RF_ITEROVER};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        assert_non_null(rf_strerror(all[i]));
        assert_string_not_equal(rf_strerror(all[i]), "unknown status");
    }
    assert_string_equal(rf_strerror(RF_ENOTFOUND), "not found");
    assert_string_equal(rf_strerror((rf_status)-99), "unknown status");
}

static void *fail_in_thread(void *arg)
{
    (void)arg;
    rf_error_set_str(RF_ECONFLICT, RF_ERRCLASS_IDEMPOTENCY, "from the other thread");
    return NULL;
}

static void last_error_is_per_thread(void **state)
{
    (void)state;
    rf_error_set_str(RF_ENOTFOUND, RF_ERRCLASS_PARTY, "from this thread");
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, fail_in_thread, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(rf_error_last()->code, RF_ENOTFOUND);
    assert_string_equal(rf_error_last()->message, "from this thread");
}

static void version_matches_headers(void **state)
{
    (void)state;
    int major = -1, minor = -1, patch = -1;
    rf_version(&major, &minor, &patch);
    assert_int_equal(major, RF_VERSION_MAJOR);
    assert_int_equal(minor, RF_VERSION_MINOR);
    assert_int_equal(patch, RF_VERSION_PATCH);
    assert_string_equal(rf_version_string(), RF_VERSION);
    rf_version(NULL, NULL, NULL);
    rf_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(last_error_is_never_null), cmocka_unit_test(failures_set_code_class_and_message),
        cmocka_unit_test(backends_can_set_errors),  cmocka_unit_test(every_status_has_a_description),
        cmocka_unit_test(last_error_is_per_thread), cmocka_unit_test(version_matches_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
