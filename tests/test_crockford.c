/* Tests for code folding, short codes and check symbols in src/util/crockford.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "text_test_support.h"

/* xorshift32 with a fixed seed: the same codes every run. */
static uint32_t rng_state = 0x2545F491u;

static uint32_t rng_next(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

static void test_code_fold(void **state)
{
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        {"ABCD-EFGH", "ABCDEFGH"},
        {"abcd-efgh", "ABCDEFGH"},
        {"  k7q3 m9xz  ", "K7Q3M9XZ"},
        {"\tK7Q3-M9XZ\r\n", "K7Q3M9XZ"},
        {"jane-doe-2", "JANED0E2"},
        {"Jane Doe 2", "JANED0E2"},
        {"jane_doe.2", "JANED0E2"},
        {"OIL", "011"},
        {"oil", "011"},
        {"0 1 1", "011"},
        {"ruth", "RUTH"}, /* U stays: slugs may hold it */
        {"-a-", "A"},
    };
    char out[RF_CODE_KEY_MAX + 1];
    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        set_sentinel_error();
        if (rf__code_fold(out, sizeof out, cases[i].in) != RF_OK) {
            fail_msg("fold case %zu '%s': %s", i, cases[i].in, rf_error_last()->message);
        }
        if (strcmp(out, cases[i].want) != 0) {
            fail_msg("fold case %zu '%s': '%s', expected '%s'", i, cases[i].in, out, cases[i].want);
        }
        assert_sentinel_error("fold");
    }
}

static void test_code_fold_reject(void **state)
{
    static const struct {
        const char *in;
        const char *part1;
        const char *part2;
    } cases[] = {
        {NULL, "code is empty", NULL},
        {"", "code is empty", NULL},
        {"   ", "code is empty", NULL},
        {" - . _ ", "code is empty", NULL},
        {"ab\xE2\x82\xAC", "code 'ab\xE2\x82\xAC' contains '\xE2\x82\xAC', which no code has", NULL},
        {"jane+1", "code 'jane+1' contains '+', which no code has", NULL},
        {"ab\tc", "contains '\\x09'", NULL},
        {"ab\xFF"
         "c",
         "code 'ab\\xFFc' contains '\\xFF'", NULL},
        {"ab\xC3", "contains '\\xC3'", NULL},
        {"Zo\xC3\xAB", "contains '\xC3\xAB'", NULL},
        {"a/b", "contains '/'", NULL},
    };
    char out[RF_CODE_KEY_MAX + 1];
    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        char what[64];
        snprintf(what, sizeof what, "fold reject case %zu", i);
        memset(out, 'z', sizeof out);
        if (rf__code_fold(out, sizeof out, cases[i].in) != RF_EINVALID) {
            fail_msg("%s: accepted as '%s'", what, out);
        }
        assert_string_equal(out, "");
        assert_error(what, RF_EINVALID, RF_ERRCLASS_CODE, cases[i].part1, cases[i].part2);
        assert_message_clean(what);
    }
}

static void test_code_fold_length(void **state)
{
    char in[200], out[RF_CODE_KEY_MAX + 1], want[RF_CODE_KEY_MAX + 1];
    (void)state;
    /* RF_CODE_KEY_MAX symbols pass, one more does not. */
    repeat(in, 'A', RF_CODE_KEY_MAX);
    assert_int_equal(rf__code_fold(out, sizeof out, in), RF_OK);
    assert_string_equal(out, in);
    repeat(in, 'A', RF_CODE_KEY_MAX + 1);
    assert_int_equal(rf__code_fold(out, sizeof out, in), RF_EINVALID);
    assert_error("fold 49", RF_EINVALID, RF_ERRCLASS_CODE, "has 49 characters", "more than 48");
    assert_string_equal(out, "");
    /* Hyphens and spaces do not count. */
    in[0] = '\0';
    for (int i = 0; i < RF_CODE_KEY_MAX / 3; i++) {
        strcat(in, "ab-c ");
    }
    repeat(want, 'X', 0);
    for (int i = 0; i < RF_CODE_KEY_MAX / 3; i++) {
        strcat(want, "ABC");
    }
    assert_int_equal(rf__code_fold(out, sizeof out, in), RF_OK);
    assert_string_equal(out, want);
    /* A smaller buffer is fine as long as the key fits. */
    assert_int_equal(rf__code_fold(out, 5, "ab-cd"), RF_OK);
    assert_string_equal(out, "ABCD");
    assert_int_equal(rf__code_fold(out, 4, "ab-cd"), RF_EINVALID);
    assert_error("fold outsz", RF_EINVALID, RF_ERRCLASS_ARGUMENT, "needs 5", NULL);
    assert_string_equal(out, "");
}

/* An independent check: multiply in GF(32) by carry-less multiplication and
 * reduction, evaluate the whole string (check symbol included) as the
 * polynomial sum of s_i * x^(n-1-i); a valid string evaluates to zero. */
static unsigned gf32_mul(unsigned a, unsigned b)
{
    unsigned product = 0;
    for (int bit = 0; bit < 5; bit++) {
        if (b & (1u << bit)) {
            product ^= a << bit;
        }
    }
    for (int bit = 8; bit >= 5; bit--) {
        if (product & (1u << bit)) {
            product ^= 0x25u << (bit - 5);
        }
    }
    return product;
}

static int check_valid(const char *s, size_t n)
{
    unsigned sum = 0, weight = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned v = (unsigned)(strchr(rf__crockford_alphabet, s[n - 1 - i]) - rf__crockford_alphabet);
        sum ^= gf32_mul(v, weight);
        weight = gf32_mul(weight, 2);
    }
    return sum == 0;
}

static void test_crockford_check(void **state)
{
    char buf[16];
    (void)state;
    assert_int_equal(strlen(rf__crockford_alphabet), 32);
    assert_string_equal(rf__crockford_alphabet, "0123456789ABCDEFGHJKMNPQRSTVWXYZ");
    /* Hand-computed: "1" gives x * 1 = 2 ('2'). */
    assert_int_equal(rf__crockford_check("1", 1), '2');
    assert_int_equal(rf__crockford_check("", 0), '0');
    assert_int_equal(rf__crockford_check("0000000", 7), '0');
    /* 'Z' (31): x * 31 = 62, reduced by x^5 + x^2 + 1 (0x25) to 27 ('V'). */
    assert_int_equal(rf__crockford_check("Z", 1), 'V');
    /* Not in the alphabet (lower case and look-alikes included): no check. */
    assert_int_equal(rf__crockford_check("ABU", 3), '\0');
    assert_int_equal(rf__crockford_check("abc", 3), '\0');
    assert_int_equal(rf__crockford_check("A0O", 3), '\0');
    assert_int_equal(rf__crockford_check("AB-C", 4), '\0');
    assert_int_equal(rf__crockford_check(NULL, 3), '\0');

    /* Appending the check symbol always makes a string that evaluates to zero. */
    for (int k = 0; k < 1000; k++) {
        size_t n = 1 + rng_next() % 12;
        for (size_t i = 0; i < n; i++) {
            buf[i] = rf__crockford_alphabet[rng_next() % 32];
        }
        buf[n] = rf__crockford_check(buf, n);
        assert_true(check_valid(buf, n + 1));
    }
}

static void key_of(char key[RF_CODE_KEY_MAX + 1], const char *display)
{
    assert_int_equal(rf__code_fold(key, RF_CODE_KEY_MAX + 1, display), RF_OK);
}

static void test_short_code_make(void **state)
{
    static const uint32_t zeros[RF_SHORT_CODE_DATA] = {0};
    static const uint32_t seq[RF_SHORT_CODE_DATA] = {1, 2, 3, 4, 5, 6, 7};
    static const uint32_t big[RF_SHORT_CODE_DATA] = {32, 33, 34, 35, 36, 37, 0xFFFFFFFFu};
    char code[10], key[RF_CODE_KEY_MAX + 1];
    (void)state;
    rf__short_code_make(code, zeros);
    assert_string_equal(code, "0000-0000");
    rf__short_code_make(code, seq);
    assert_int_equal(strncmp(code, "1234-567", 8), 0);
    assert_int_equal(code[8], rf__crockford_check("1234567", 7));
    /* Values are used mod 32. */
    rf__short_code_make(code, big);
    assert_int_equal(strncmp(code, "0123-45Z", 8), 0);
    for (int k = 0; k < 1000; k++) {
        uint32_t r[RF_SHORT_CODE_DATA];
        for (size_t i = 0; i < RF_SHORT_CODE_DATA; i++) {
            r[i] = rng_next();
        }
        rf__short_code_make(code, r);
        assert_int_equal(strlen(code), 9);
        assert_int_equal(code[4], '-');
        for (size_t i = 0; i < 9; i++) {
            assert_true(i == 4 || strchr(rf__crockford_alphabet, code[i]) != NULL);
        }
        key_of(key, code);
        assert_int_equal(strlen(key), RF_SHORT_CODE_LEN);
        assert_false(rf__short_code_check_fails(key));
    }
}

static void test_short_code_check_fails_shapes(void **state)
{
    char code[10], key[RF_CODE_KEY_MAX + 1], typed[16];
    static const uint32_t r[RF_SHORT_CODE_DATA] = {0, 1, 18, 20, 22, 24, 27}; /* 0 1 J M P R V */
    (void)state;
    rf__short_code_make(code, r);
    assert_int_equal(strncmp(code, "01JM-PRV", 8), 0);
    /* Typed in lower case with look-alikes and spaces: the same key, still valid. */
    snprintf(typed, sizeof typed, " oIjm prv%c ", code[8] >= 'A' ? code[8] + 32 : code[8]);
    key_of(key, typed);
    assert_int_equal(strncmp(key, "01JMPRV", 7), 0);
    assert_false(rf__short_code_check_fails(key));

    /* Not the shape of a short code: 0, whatever the symbols. */
    assert_false(rf__short_code_check_fails(NULL));
    assert_false(rf__short_code_check_fails(""));
    assert_false(rf__short_code_check_fails("ABCDEFG"));
    assert_false(rf__short_code_check_fails("ABCDEFGHJ"));
    assert_false(rf__short_code_check_fails("ABCDEFGU")); /* U is not in the alphabet */
    assert_false(rf__short_code_check_fails("JANED0E2U"));
    assert_false(rf__short_code_check_fails("abcdefgh"));
    /* The shape with a wrong check symbol. */
    strcpy(key, "01JMPRV");
    key[7] = code[8] == '0' ? '1' : '0';
    key[8] = '\0';
    assert_true(rf__short_code_check_fails(key));
}

/* Every single-symbol substitution and every adjacent transposition of random
 * short codes is caught, including swapping '0' and 'Z', which Luhn mod 32
 * (an earlier choice) could not see. */
static void test_short_code_error_detection(void **state)
{
    char code[10], key[RF_SHORT_CODE_LEN + 1], bad[RF_SHORT_CODE_LEN + 1];
    size_t substitutions = 0, transpositions = 0, zero_z_swaps = 0;
    (void)state;
    rng_state = 0x9E3779B9u;
    for (int k = 0; k < 4000; k++) {
        uint32_t r[RF_SHORT_CODE_DATA];
        for (size_t i = 0; i < RF_SHORT_CODE_DATA; i++) {
            r[i] = rng_next();
        }
        /* Plant Luhn's blind spot so it is checked on every run. */
        if (k % 50 == 0) {
            r[k / 50 % 6] = 0;
            r[k / 50 % 6 + 1] = 31;
        }
        rf__short_code_make(code, r);
        memcpy(key, code, 4);
        memcpy(key + 4, code + 5, 4);
        key[RF_SHORT_CODE_LEN] = '\0';
        assert_false(rf__short_code_check_fails(key));

        for (size_t pos = 0; pos < RF_SHORT_CODE_LEN; pos++) {
            for (size_t v = 0; v < 32; v++) {
                if (rf__crockford_alphabet[v] == key[pos]) {
                    continue;
                }
                memcpy(bad, key, sizeof bad);
                bad[pos] = rf__crockford_alphabet[v];
                if (!rf__short_code_check_fails(bad)) {
                    fail_msg("substitution %s -> %s not detected", key, bad);
                }
                substitutions++;
            }
        }
        for (size_t pos = 0; pos + 1 < RF_SHORT_CODE_LEN; pos++) {
            int zero_z;
            if (key[pos] == key[pos + 1]) {
                continue;
            }
            memcpy(bad, key, sizeof bad);
            bad[pos] = key[pos + 1];
            bad[pos + 1] = key[pos];
            zero_z = (key[pos] == '0' && key[pos + 1] == 'Z') || (key[pos] == 'Z' && key[pos + 1] == '0');
            if (!rf__short_code_check_fails(bad)) {
                fail_msg("transposition %s -> %s not detected", key, bad);
            }
            transpositions++;
            zero_z_swaps += zero_z;
        }
    }
    assert_true(substitutions == 4000u * RF_SHORT_CODE_LEN * 31);
    assert_true(transpositions > 25000);
    assert_true(zero_z_swaps >= 80);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code_fold),
        cmocka_unit_test(test_code_fold_reject),
        cmocka_unit_test(test_code_fold_length),
        cmocka_unit_test(test_crockford_check),
        cmocka_unit_test(test_short_code_make),
        cmocka_unit_test(test_short_code_check_fails_shapes),
        cmocka_unit_test(test_short_code_error_detection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
