/*
 * A program written the way a host application would use libreferral once it is installed:
 * it includes <referral.h> only and links the installed library. Built by the consumer tests
 * (tests/consumer/consumer_tests.cmake) through CMake's find_package(referral) and through
 * pkg-config. Exits 0 only when every check passes.
 */
#include <referral.h>

#include <stdio.h>
#include <string.h>

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "consumer: FAILED: %s\n", what);
        failures++;
    }
}

int main(void)
{
    const char *runtime = rf_version_string();
    check(runtime != NULL, "rf_version_string() returned NULL");
    printf("libreferral %s (headers %s)\n", runtime != NULL ? runtime : "(null)", RF_VERSION);
    check(runtime != NULL && strcmp(runtime, RF_VERSION) == 0,
          "the run-time version differs from RF_VERSION of the installed headers");

    const char *text = rf_strerror(RF_ENOTFOUND);
    check(text != NULL && text[0] != '\0', "rf_strerror(RF_ENOTFOUND) is NULL or empty");
    printf("rf_strerror(RF_ENOTFOUND) = \"%s\"\n", text != NULL ? text : "(null)");

    const rf_error *err = rf_error_last();
    check(err != NULL, "rf_error_last() returned NULL");

    rf_store *store = NULL;
    rf_status rc = rf_store_open(&store, "memory:", NULL);
    if (rc != RF_OK) {
        err = rf_error_last();
        fprintf(stderr, "consumer: FAILED: rf_store_open(\"memory:\") = %d (%s): %s\n", (int)rc,
                rf_strerror(rc), err != NULL && err->message != NULL ? err->message : "(no message)");
        failures++;
    } else {
        check(store != NULL, "rf_store_open() succeeded but gave no store");
        printf("opened memory: store\n");
    }
    rf_store_free(store);

    if (failures != 0) {
        fprintf(stderr, "consumer: %d check(s) failed\n", failures);
        return 1;
    }
    printf("consumer: all checks passed\n");
    return 0;
}
