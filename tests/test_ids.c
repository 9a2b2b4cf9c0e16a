/* Time-ordered ids and pseudonymous contact keys. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "util/ids.h"

static void ids_are_uuidv7_text(void **state)
{
    (void)state;
    rf_rng rng;
    rf_id_gen gen = {0, 0};
    rf__rng_seed(&rng, 1);
    char id[RF_ID_BUFSIZE];
    rf__id_new(id, &gen, &rng, 1772355600);
    assert_int_equal(strlen(id), 36);
    assert_int_equal(id[8], '-');
    assert_int_equal(id[14], '7');               /* version */
    assert_true(strchr("89ab", id[19]) != NULL); /* RFC 9562 variant */
    /* The first 48 bits are the milliseconds: 1772355600000 = 0x019ca8a03e80. */
    assert_memory_equal(id, "019ca8a0-3e80", 13);
}

static void ids_increase_within_one_second(void **state)
{
    (void)state;
    rf_rng rng;
    rf_id_gen gen = {0, 0};
    rf__rng_seed(&rng, 2);
    char prev[RF_ID_BUFSIZE] = "", id[RF_ID_BUFSIZE];
    /* More ids than the 12-bit counter holds, so it must borrow milliseconds. */
    for (int i = 0; i < 20000; i++) {
        rf__id_new(id, &gen, &rng, 1772355600);
        assert_true(strcmp(id, prev) > 0);
        memcpy(prev, id, sizeof id);
    }
    /* A clock that steps back does not make ids go back. */
    rf__id_new(id, &gen, &rng, 1772355000);
    assert_true(strcmp(id, prev) > 0);
}

static void seeded_generators_repeat(void **state)
{
    (void)state;
    rf_rng a, b;
    rf_id_gen ga = {0, 0}, gb = {0, 0};
    rf__rng_seed(&a, 99);
    rf__rng_seed(&b, 99);
    for (int i = 0; i < 100; i++) {
        char x[RF_ID_BUFSIZE], y[RF_ID_BUFSIZE];
        rf__id_new(x, &ga, &a, 1772355600 + i / 10);
        rf__id_new(y, &gb, &b, 1772355600 + i / 10);
        assert_string_equal(x, y);
    }
    rf__rng_seed(&a, 0); /* from the operating system */
    rf__rng_seed(&b, 0);
    assert_true(rf__rng_next(&a) != rf__rng_next(&b));
}

static void contact_keys_are_stable_and_scoped(void **state)
{
    (void)state;
    char a[RF_ID_BUFSIZE], b[RF_ID_BUFSIZE], c[RF_ID_BUFSIZE], d[RF_ID_BUFSIZE];
    rf__contact_key(a, "elm-street", "email", "jane@example.com");
    rf__contact_key(b, "elm-street", "email", "jane@example.com");
    rf__contact_key(c, "oak-lane", "email", "jane@example.com");
    rf__contact_key(d, "elm-street", "phone", "jane@example.com");
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_string_not_equal(a, d);
    assert_int_equal(a[14], '5'); /* name-based, SHA-1 */
    assert_null(strstr(a, "jane"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ids_are_uuidv7_text),
        cmocka_unit_test(ids_increase_within_one_second),
        cmocka_unit_test(seeded_generators_repeat),
        cmocka_unit_test(contact_keys_are_stable_and_scoped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
