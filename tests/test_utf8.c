/* Tests for the UTF-8 checks, code point kinds and quoting of src/util/utf8.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "referral/common.h"

#include "text_test_support.h"

static void test_utf8_valid_prefix(void **state)
{
    static const struct {
        const char *s;
        size_t len;
        size_t want;
    } cases[] = {
        {"", 0, 0},
        {"abc", 3, 3},
        {"Zo\xC3\xAB", 4, 4},       /* Zoë */
        {"\xE2\x82\xAC", 3, 3},     /* € */
        {"\xF0\x9F\x8C\xB8", 4, 4}, /* 🌸 */
        {"a\0b", 3, 3},             /* NUL is valid UTF-8 */
        {"\xC2\x80", 2, 2},         /* U+0080, smallest 2-byte */
        {"\xDF\xBF", 2, 2},         /* U+07FF */
        {"\xE0\xA0\x80", 3, 3},     /* U+0800, smallest 3-byte */
        {"\xED\x9F\xBF", 3, 3},     /* U+D7FF, just below surrogates */
        {"\xEE\x80\x80", 3, 3},     /* U+E000, just above */
        {"\xEF\xBF\xBF", 3, 3},     /* U+FFFF */
        {"\xF0\x90\x80\x80", 4, 4}, /* U+10000 */
        {"\xF4\x8F\xBF\xBF", 4, 4}, /* U+10FFFF */
        {"\xC0\xAF", 2, 0},         /* overlong '/' */
        {"a\xC1\xBF", 3, 1},        /* overlong DEL */
        {"\xE0\x80\xAF", 3, 0},     /* overlong 3-byte */
        {"\xE0\x9F\xBF", 3, 0},     /* overlong U+07FF */
        {"\xF0\x80\x80\xAF", 4, 0}, /* overlong 4-byte */
        {"\xF0\x8F\xBF\xBF", 4, 0}, /* overlong U+FFFF */
        {"\xED\xA0\x80", 3, 0},     /* surrogate U+D800 */
        {"ab\xED\xBF\xBF", 5, 2},   /* surrogate U+DFFF */
        {"\xF4\x90\x80\x80", 4, 0}, /* U+110000 */
        {"\xF5\x80\x80\x80", 4, 0}, /* lead byte past F4 */
        {"\xFE", 1, 0},             /* never valid */
        {"\xFF", 1, 0},             /* never valid */
        {"ab\xC3", 3, 2},           /* truncated 2-byte */
        {"\xE2\x82", 2, 0},         /* truncated 3-byte */
        {"x\xF0\x9F\x8C", 4, 1},    /* truncated 4-byte */
        {"a\x80"
         "b",
         3, 1},                   /* stray continuation */
        {"\xC3\x28", 2, 0},       /* bad continuation */
        {"\xE2\x28\xA1", 3, 0},   /* bad second byte */
        {"\xE2\x82\x28", 3, 0},   /* bad third byte */
        {"ok\xC3\xA9\xC3", 5, 4}, /* valid then truncated */
        {"Zo\xC3\xAB", 3, 2},     /* len cuts a sequence */
    };
    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        size_t got = rf__utf8_valid_prefix(cases[i].s, cases[i].len);
        if (got != cases[i].want) {
            fail_msg("utf8 case %zu: prefix %zu, expected %zu", i, got, cases[i].want);
        }
    }
}

static void test_utf8_decode(void **state)
{
    static const struct {
        const char *s;
        size_t n;
        uint32_t cp;
    } cases[] = {
        {"A", 1, 0x41},
        {"\xC3\xA9", 2, 0xE9},
        {"\xE2\x82\xAC", 3, 0x20AC},
        {"\xF0\x9F\x8C\xB8", 4, 0x1F338},
        {"\xF4\x8F\xBF\xBF", 4, 0x10FFFF},
    };
    uint32_t cp = 0;
    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        assert_int_equal(rf__utf8_decode(cases[i].s, strlen(cases[i].s), &cp), cases[i].n);
        assert_int_equal(cp, cases[i].cp);
    }
    assert_int_equal(rf__utf8_decode("A", 0, &cp), 0);
    assert_int_equal(rf__utf8_decode("\xC3\xA9", 1, &cp), 0);
    assert_int_equal(rf__utf8_decode("\xC3\xA9", 2, NULL), 2);
}

static void test_check_text(void **state)
{
    static const struct {
        const char *value;
        size_t max;
        int required;
        rf_status want;
        const char *message; /* exact */
    } cases[] = {
        {NULL, 10, 1, RF_EINVALID, "name is required"},
        {NULL, 10, 0, RF_OK, NULL},
        {"", 10, 1, RF_EINVALID, "name must not be empty"},
        {"", 10, 0, RF_OK, NULL},
        {"Jane Doe", 10, 1, RF_OK, NULL},
        {"0123456789", 10, 1, RF_OK, NULL},                                            /* exactly max */
        {"0123456789A", 10, 1, RF_EINVALID, "name is 11 bytes long; the limit is 10"}, /* max + 1 */
        {"0123456789A", 10, 0, RF_EINVALID, "name is 11 bytes long; the limit is 10"},
        {"Zo\xC3\xAB", 4, 1, RF_OK, NULL}, /* the limit counts bytes, not characters */
        {"Zo\xC3\xAB", 3, 1, RF_EINVALID, "name is 4 bytes long; the limit is 3"},
        {"Zo\xC3", 10, 1, RF_EINVALID, "name is not valid UTF-8 (at byte 2)"},
        {"\xC0\xAF", 10, 1, RF_EINVALID, "name is not valid UTF-8 (at byte 0)"},
        {"ab\xED\xA0\x80", 10, 1, RF_EINVALID, "name is not valid UTF-8 (at byte 2)"},
        {"\xF4\x90\x80\x80", 10, 1, RF_EINVALID, "name is not valid UTF-8 (at byte 0)"},
        {"a\tb", 10, 1, RF_EINVALID, "name contains a control character at byte 1"},
        {"ab\r\n", 10, 1, RF_EINVALID, "name contains a control character at byte 2"},
        {"\x01", 10, 0, RF_EINVALID, "name contains a control character at byte 0"},
        {"x\x1F", 10, 1, RF_EINVALID, "name contains a control character at byte 1"},
        {"x\x7F", 10, 1, RF_EINVALID, "name contains a control character at byte 1"},
        {"a\xC2\x85", 10, 1, RF_EINVALID, "name contains a control character at byte 1"}, /* NEL, C1 */
        {"a\xC2\x9F", 10, 1, RF_EINVALID, "name contains a control character at byte 1"},
        {"a\xC2\xA0"
         "b",
         10, 1, RF_OK, NULL}, /* NBSP is not a control character */
        {"\x01\xFF", 10, 1, RF_EINVALID, "name contains a control character at byte 0"},
        {"\xFF\x01", 10, 1, RF_EINVALID, "name is not valid UTF-8 (at byte 0)"},
        {"\xF0\x9F\x8C\xB8", 4, 1, RF_OK, NULL},
    };
    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        char what[32];
        rf_status rc;
        snprintf(what, sizeof what, "check_text case %zu", i);
        set_sentinel_error();
        rc = rf__check_text("name", cases[i].value, cases[i].max, cases[i].required, RF_ERRCLASS_PARTY);
        if (rc != cases[i].want) {
            fail_msg("%s: status %d, expected %d", what, rc, cases[i].want);
        }
        if (cases[i].message == NULL) {
            assert_sentinel_error(what);
        } else {
            assert_error(what, cases[i].want, RF_ERRCLASS_PARTY, NULL, NULL);
            if (strcmp(rf_error_last()->message, cases[i].message) != 0) {
                fail_msg("%s: message '%s', expected '%s'", what, rf_error_last()->message, cases[i].message);
            }
        }
    }
    /* The class comes from the caller. */
    assert_int_equal(rf__check_text("code", "", 8, 1, RF_ERRCLASS_CODE), RF_EINVALID);
    assert_error("class", RF_EINVALID, RF_ERRCLASS_CODE, "code must not be empty", NULL);
}

static void test_check_text_limits(void **state)
{
    char buf[RF_NAME_MAX + 2];
    (void)state;
    assert_int_equal(
        rf__check_text("display_name", repeat(buf, 'x', RF_NAME_MAX), RF_NAME_MAX, 1, RF_ERRCLASS_PARTY),
        RF_OK);
    assert_int_equal(
        rf__check_text("display_name", repeat(buf, 'x', RF_NAME_MAX + 1), RF_NAME_MAX, 1, RF_ERRCLASS_PARTY),
        RF_EINVALID);
    assert_string_equal(rf_error_last()->message, "display_name is 201 bytes long; the limit is 200");
}

static void test_cp_kind(void **state)
{
    static const struct {
        uint32_t cp;
        rf__cp_kind kind;
    } cases[] = {
        {'a', RF__CP_LETTER},     {'7', RF__CP_LETTER},     {' ', RF__CP_SPACE},      {'\t', RF__CP_SPACE},
        {'!', RF__CP_SYMBOL},     {0x00A0, RF__CP_SPACE},   {0x00E9, RF__CP_LETTER},  {0x00D7, RF__CP_SYMBOL},
        {0x00AA, RF__CP_LETTER},  {0x00A9, RF__CP_SYMBOL},  {0x0301, RF__CP_MARK},    {0x0416, RF__CP_LETTER},
        {0x738B, RF__CP_LETTER},  {0x2019, RF__CP_SYMBOL},  {0x2003, RF__CP_SPACE},   {0x200D, RF__CP_SYMBOL},
        {0x3000, RF__CP_SPACE},   {0x3002, RF__CP_SYMBOL},  {0xFE0F, RF__CP_MARK},    {0xFEFF, RF__CP_SYMBOL},
        {0x1F338, RF__CP_SYMBOL}, {0x1F1EC, RF__CP_SYMBOL}, {0xE0067, RF__CP_SYMBOL}, {0xFF21, RF__CP_LETTER},
        {0x0085, RF__CP_SYMBOL},  {0x20AC, RF__CP_SYMBOL},
    };
    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        if (rf__cp_kind_of(cases[i].cp) != cases[i].kind) {
            fail_msg("U+%04X: kind %d, expected %d", (unsigned)cases[i].cp, rf__cp_kind_of(cases[i].cp),
                     cases[i].kind);
        }
    }
}

/* --- quoting ----------------------------------------------------------- */

static void test_quote(void **state)
{
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        {"", ""},
        {"jane@x.com", "jane@x.com"},
        {"Zo\xC3\xAB", "Zo\xC3\xAB"},
        {"a\tb", "a\\x09b"},
        {"a\x7F", "a\\x7F"},
        {"a\\b", "a\\\\b"},
        {"ab\xC3", "ab\\xC3"},
        {"\xFF\xFE", "\\xFF\\xFE"},
        {"\xC0\xAF", "\\xC0\\xAF"},
        {"\xED\xA0\x80", "\\xED\\xA0\\x80"},
        {"x\xE2\x80\xAEy", "x\\xE2\\x80\\xAEy"}, /* right-to-left override */
        {"x\xE2\x80\x8By", "x\\xE2\\x80\\x8By"}, /* zero-width space */
        {"x\xC2\x85", "x\\xC2\\x85"},            /* NEL */
        {"\xF0\x9F\x8C\xB8", "\xF0\x9F\x8C\xB8"},
    };
    char out[RF_QUOTE_BUFSIZE];
    char in[256], want[256];
    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        rf__text_quote(out, cases[i].in, strlen(cases[i].in));
        if (strcmp(out, cases[i].want) != 0) {
            fail_msg("quote case %zu: '%s', expected '%s'", i, out, cases[i].want);
        }
    }
    assert_string_equal(rf__text_quote(out, NULL, 0), "");

    /* Truncation at RF_QUOTE_MAX bytes, never inside a code point. */
    repeat(in, 'a', RF_QUOTE_MAX);
    assert_string_equal(rf__text_quote(out, in, strlen(in)), in);
    repeat(in, 'a', RF_QUOTE_MAX + 1);
    snprintf(want, sizeof want, "%.*s...", RF_QUOTE_MAX, in);
    assert_string_equal(rf__text_quote(out, in, strlen(in)), want);
    repeat(in, 'a', RF_QUOTE_MAX - 1);
    strcat(in, "\xC3\xA9");
    snprintf(want, sizeof want, "%.*s...", RF_QUOTE_MAX - 1, in);
    assert_string_equal(rf__text_quote(out, in, strlen(in)), want);

    /* Worst case: every byte escaped, both ellipses: fits the buffer. */
    repeat(in, '\x01', 200);
    rf__text_quote_at(out, in, 200, 100);
    assert_int_equal(strlen(out), 3 + 4 * RF_QUOTE_MAX + 3);
    assert_true(strncmp(out, "...\\x01", 7) == 0);

    /* A window around a fault far into the text. */
    repeat(in, 'b', 150);
    in[100] = '\xFF';
    rf__text_quote_at(out, in, 150, 100);
    assert_non_null(strstr(out, "\\xFF"));
    assert_true(strncmp(out, "...", 3) == 0);
    assert_true(strcmp(out + strlen(out) - 3, "...") == 0);
    /* A fault near the start needs no leading ellipsis. */
    rf__text_quote_at(out, in, 150, 10);
    assert_true(out[0] == 'b');

    /* Every byte value alone gives printable, valid UTF-8. */
    for (int c = 1; c < 256; c++) {
        char one[2] = {(char)c, 0};
        size_t n;
        rf__text_quote(out, one, 1);
        n = strlen(out);
        assert_int_equal(rf__utf8_valid_prefix(out, n), n);
        for (size_t k = 0; k < n; k++) {
            assert_true((unsigned char)out[k] >= 0x20 && out[k] != 0x7F);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_valid_prefix), cmocka_unit_test(test_utf8_decode),
        cmocka_unit_test(test_check_text),        cmocka_unit_test(test_check_text_limits),
        cmocka_unit_test(test_cp_kind),           cmocka_unit_test(test_quote),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
