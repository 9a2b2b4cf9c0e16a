/* Tests for e-mail and phone normalisation in src/util/contact.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "referral/common.h"

#include "text_test_support.h"

/* --- e-mail ------------------------------------------------------------ */

/* A syntactically valid address of exactly len bytes (70 <= len <= 260):
 * a 64-byte local part, then labels of at most 63 bytes ending in ".com". */
static void make_long_email(char *buf, size_t len)
{
    size_t body = len - 64 - 1 - 4, pos = 65;
    memset(buf, 'l', 64);
    buf[64] = '@';
    while (body > 63) {
        size_t label = body - 2 < 63 ? body - 2 : 63;
        memset(buf + pos, 'd', label);
        pos += label;
        buf[pos++] = '.';
        body -= label + 1;
    }
    memset(buf + pos, 'e', body);
    pos += body;
    memcpy(buf + pos, ".com", 5);
}

static void test_email_accept(void **state)
{
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        {"jane@example.com", "jane@example.com"},
        {"Jane.Doe@Example.COM", "jane.doe@example.com"},
        {"  jane@example.com  ", "jane@example.com"},
        {"\t jane@example.com\r\n", "jane@example.com"},
        {"o'brien+tag@mail.co.uk", "o'brien+tag@mail.co.uk"},
        {"a@b.co", "a@b.co"},
        {"a-b_c@x-y.example", "a-b_c@x-y.example"},
        {"!#$%&'*+-/=?^_`{|}~@x.com", "!#$%&'*+-/=?^_`{|}~@x.com"},
        {"first.middle.last@x.com", "first.middle.last@x.com"},
        {"x@123.45", "x@123.45"},
        {"x@m\xC3\xBCller.de", "x@m\xC3\xBCller.de"},                       /* müller.de */
        {"X@M\xC3\x9CLLER.DE", "x@m\xC3\x9Cller.de"},                       /* only ASCII is lower-cased */
        {"x@\xE4\xBE\x8B\xE3\x81\x88.jp", "x@\xE4\xBE\x8B\xE3\x81\x88.jp"}, /* 例え.jp */
        {"x@cafe\xCC\x81.fr", "x@cafe\xCC\x81.fr"},                         /* combining accent */
    };
    char out[RF_EMAIL_MAX + 1];
    char in[RF_EMAIL_MAX + 8];
    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        set_sentinel_error();
        rf_status rc = rf__email_normalise(out, sizeof out, cases[i].in);
        if (rc != RF_OK) {
            fail_msg("email accept case %zu '%s': %d '%s'", i, cases[i].in, rc, rf_error_last()->message);
        }
        if (strcmp(out, cases[i].want) != 0) {
            fail_msg("email accept case %zu: '%s', expected '%s'", i, out, cases[i].want);
        }
        assert_sentinel_error("email accept");
    }
    /* At the limits: 254 bytes, a 64-byte local part, 63-byte labels. */
    make_long_email(in, RF_EMAIL_MAX);
    assert_int_equal(strlen(in), RF_EMAIL_MAX);
    assert_int_equal(rf__email_normalise(out, sizeof out, in), RF_OK);
    assert_string_equal(out, in);
}

static void test_email_reject(void **state)
{
    static const struct {
        const char *in;
        const char *part1;
        const char *part2;
    } cases[] = {
        {"", "email is empty", NULL},
        {"   ", "email is empty", NULL},
        {"janeexample.com", "email 'janeexample.com' has no '@'", NULL},
        {"jane@@x.com", "email 'jane@@x.com' has more than one '@'", NULL},
        {"a@b@c.com", "has more than one '@'", NULL},
        {"a@b", "email 'a@b' has no '.' after the '@'", "example.com"},
        {"a..b@x.com", "email 'a..b@x.com' has two dots in a row before the '@'", NULL},
        {".a@x.com", "email '.a@x.com' starts with a '.'", NULL},
        {"a.@x.com", "has a '.' right before the '@'", NULL},
        {"@x.com", "has nothing before the '@'", NULL},
        {"a@", "has nothing after the '@'", NULL},
        {"a@-x.com", "email 'a@-x.com' has a domain part starting with '-'", NULL},
        {"a@x-.com", "has a domain part ending with '-'", NULL},
        {"a@x.-com", "starting with '-'", NULL},
        {"a@x..com", "has two dots in a row after the '@'", NULL},
        {"a@.x.com", "has a '.' right after the '@'", NULL},
        {"a@x.com.", "has a '.' at the end", NULL},
        {"a b@x.com", "contains ' ', which is not allowed before the '@'", NULL},
        {"a\"b@x.com", "contains '\"', which is not allowed before the '@'", NULL},
        {"a(b)@x.com", "contains '('", NULL},
        {"j\xC3\xB6"
         "e@x.com",
         "contains '\xC3\xB6', which is not allowed before the '@'", NULL},
        {"a@x_y.com", "contains '_', which is not allowed in a domain", NULL},
        {"a@x y.com", "contains ' ', which is not allowed in a domain", NULL},
        {"a@x\xF0\x9F\x8C\xB8.com", "contains '\xF0\x9F\x8C\xB8', which is not allowed in a domain", NULL},
        {"a@x\xE3\x80\x82"
         "com",
         "which is not allowed in a domain", NULL}, /* ideographic full stop */
        {"a\x01@x.com", "contains '\\x01'", NULL},
        {"a@x.com\x7F", "contains '\\x7F'", NULL},
        {"a@x\xC3.com", "email 'a@x\\xC3.com' is not valid UTF-8 (at byte 3)", NULL},
        {"a@\xED\xA0\x80.com", "is not valid UTF-8 (at byte 2)", NULL},
        {"a@x.c\xC0\xAF", "is not valid UTF-8", NULL},
    };
    char out[RF_EMAIL_MAX + 1];
    char in[512];
    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        char what[64];
        snprintf(what, sizeof what, "email reject case %zu", i);
        memset(out, 'z', sizeof out);
        if (rf__email_normalise(out, sizeof out, cases[i].in) != RF_EINVALID) {
            fail_msg("%s: '%s' accepted as '%s'", what, cases[i].in, out);
        }
        assert_string_equal(out, "");
        assert_error(what, RF_EINVALID, RF_ERRCLASS_PARTY, cases[i].part1, cases[i].part2);
        assert_message_clean(what);
    }

    assert_int_equal(rf__email_normalise(out, sizeof out, NULL), RF_EINVALID);
    assert_error("email NULL", RF_EINVALID, RF_ERRCLASS_PARTY, "email is required", NULL);

    /* 255 bytes: one past the limit; the quote is cut short. */
    make_long_email(in, RF_EMAIL_MAX + 1);
    assert_int_equal(strlen(in), RF_EMAIL_MAX + 1);
    assert_int_equal(rf__email_normalise(out, sizeof out, in), RF_EINVALID);
    assert_error("email 255", RF_EINVALID, RF_ERRCLASS_PARTY, "is 255 bytes long; the limit is 254", "...'");
    assert_true(strlen(rf_error_last()->message) < 150);
    assert_string_equal(out, "");
    /* Surrounding spaces do not count against the limit. */
    make_long_email(in + 3, RF_EMAIL_MAX);
    memcpy(in, "   ", 3);
    strcat(in, "  ");
    assert_int_equal(rf__email_normalise(out, sizeof out, in), RF_OK);

    /* Local part: 64 bytes pass (above), 65 do not. */
    repeat(in, 'l', 65);
    strcat(in, "@x.com");
    assert_int_equal(rf__email_normalise(out, sizeof out, in), RF_EINVALID);
    assert_error("email local 65", RF_EINVALID, RF_ERRCLASS_PARTY,
                 "has 65 bytes before the '@'; the limit is 64", NULL);

    /* Domain label: 63 bytes pass, 64 do not. */
    strcpy(in, "a@");
    repeat(in + 2, 'd', 63);
    strcat(in, ".com");
    assert_int_equal(rf__email_normalise(out, sizeof out, in), RF_OK);
    strcpy(in, "a@");
    repeat(in + 2, 'd', 64);
    strcat(in, ".com");
    assert_int_equal(rf__email_normalise(out, sizeof out, in), RF_EINVALID);
    assert_error("email label 64", RF_EINVALID, RF_ERRCLASS_PARTY, "domain part of 64 bytes", "limit is 63");

    /* A buffer smaller than documented is the caller's bug. */
    assert_int_equal(rf__email_normalise(out, RF_EMAIL_MAX, "a@x.com"), RF_EINVALID);
    assert_error("email outsz", RF_EINVALID, RF_ERRCLASS_ARGUMENT, "needs 255", NULL);
    assert_string_equal(out, "");
}

static void test_looks_like_email(void **state)
{
    (void)state;
    assert_false(rf__looks_like_email(NULL));
    assert_false(rf__looks_like_email(""));
    assert_false(rf__looks_like_email("+44 20 7946 0000"));
    assert_true(rf__looks_like_email("jane@example.com"));
    assert_true(rf__looks_like_email("@"));
}

/* --- phone ------------------------------------------------------------- */

static void test_phone_accept(void **state)
{
    static const struct {
        const char *in;
        const char *region;
        const char *want;
    } cases[] = {
        /* UK */
        {"020 7946 0000", "44", "+442079460000"},
        {"+44 (0)20 7946 0000", NULL, "+442079460000"},
        {"+44(0)2079460000", NULL, "+442079460000"},
        {"+44 20 7946 0000", "1", "+442079460000"}, /* a '+' number ignores the region */
        {"0044 20 7946 0000", NULL, "+442079460000"},
        {"0044 (0)20 7946 0000", NULL, "+442079460000"},
        {"(0)20 7946 0000", "44", "+442079460000"},
        {"07700 900123", "44", "+447700900123"},
        {"  +44 20-7946-0000  ", NULL, "+442079460000"},
        {"+44.20.7946.0000", "", "+442079460000"},
        /* US */
        {"(415) 555-2671", "1", "+14155552671"},
        {"415.555.2671", "1", "+14155552671"},
        {"1-415-555-2671", "1", "+14155552671"},
        {"1 (415) 555 2671", "1", "+14155552671"},
        {"+1 415 555 2671", NULL, "+14155552671"},
        {"001 415 555 2671", "44", "+14155552671"},
        /* Germany */
        {"030 1234567", "49", "+49301234567"},
        {"+49 (0)30 1234567", NULL, "+49301234567"},
        {"+49/30/1234567", NULL, "+49301234567"},
        {"0049 (0)30 123 45 67", "44", "+49301234567"},
        /* Three-digit country code with a trunk prefix. */
        {"+353 (0)1 234 5678", NULL, "+35312345678"},
        {"01 234 5678", "353", "+35312345678"},
        /* Italy keeps its leading 0. */
        {"06 6982 0000", "39", "+390669820000"},
        {"+39 06 6982 0000", NULL, "+390669820000"},
        /* Length limits of the result: 8 and 15 digits. */
        {"+12345678", NULL, "+12345678"},
        {"+123456789012345", NULL, "+123456789012345"},
    };
    char out[17];
    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        set_sentinel_error();
        rf_status rc = rf__phone_normalise(out, sizeof out, cases[i].in, cases[i].region);
        if (rc != RF_OK) {
            fail_msg("phone accept case %zu '%s': %d '%s'", i, cases[i].in, rc, rf_error_last()->message);
        }
        if (strcmp(out, cases[i].want) != 0) {
            fail_msg("phone accept case %zu '%s': '%s', expected '%s'", i, cases[i].in, out, cases[i].want);
        }
        assert_sentinel_error("phone accept");
    }
}

static void test_phone_reject(void **state)
{
    static const struct {
        const char *in;
        const char *region;
        rf_error_class klass;
        const char *part1;
        const char *part2;
    } cases[] = {
        {NULL, "44", RF_ERRCLASS_PARTY, "phone is required", NULL},
        {"020 7946 0000", NULL, RF_ERRCLASS_PARTY,
         "phone '020 7946 0000' has no country code: write it as +<country><number> or set the store's "
         "phone_region",
         NULL},
        {"020 7946 0000", "", RF_ERRCLASS_PARTY, "has no country code", NULL},
        {"0800-FLOWERS", "1", RF_ERRCLASS_PARTY, "phone '0800-FLOWERS' contains 'F'",
         "only digits, spaces and + - . ( ) / are allowed"},
        {"+44 20 7946 0000 ext 12", NULL, RF_ERRCLASS_PARTY, "contains 'e'", NULL},
        {"+44 20 7946 0000#", NULL, RF_ERRCLASS_PARTY, "contains '#'", NULL},
        {"+44\t20 7946 0000", NULL, RF_ERRCLASS_PARTY, "contains '\\x09'", NULL},
        {"+44 \xC3\xA9", NULL, RF_ERRCLASS_PARTY, "contains '\xC3\xA9'", NULL},
        {"+44 \xFF", NULL, RF_ERRCLASS_PARTY, "'+44 \\xFF' contains '\\xFF'", NULL},
        {"+1234567", NULL, RF_ERRCLASS_PARTY, "is too short: 7 digits", "8 to 15"},
        {"+1234567890123456", NULL, RF_ERRCLASS_PARTY, "is too long: 16 digits", "limit is 15"},
        {"12345", "44", RF_ERRCLASS_PARTY, "is too short: 7 digits", NULL},
        {"00", NULL, RF_ERRCLASS_PARTY, "is too short: 0 digits", NULL},
        {"+44 +20 7946 0000", NULL, RF_ERRCLASS_PARTY, "has a '+' that is not at the start", NULL},
        {"44+2079460000", NULL, RF_ERRCLASS_PARTY, "has a '+' that is not at the start", NULL},
        {"+0 123 456 789", NULL, RF_ERRCLASS_PARTY, "country code starting with 0", NULL},
        {"+(0)44 20 7946 0000", NULL, RF_ERRCLASS_PARTY, "country code starting with 0", NULL},
        {"---", "44", RF_ERRCLASS_PARTY, "phone '---' has no digits", NULL},
        {"+", NULL, RF_ERRCLASS_PARTY, "has no digits", NULL},
        {"", "44", RF_ERRCLASS_PARTY, "has no digits", NULL},
        {"555-2671", "1", RF_ERRCLASS_PARTY, "has 7 digits; a number in region 1", NULL},
        {"2-415-555-2671", "1", RF_ERRCLASS_PARTY, "has 11 digits", NULL},
        {"020 7946 0000", "4x", RF_ERRCLASS_ARGUMENT, "phone_region '4x' is not a country calling code",
         "'44'"},
        {"020 7946 0000", "1234", RF_ERRCLASS_ARGUMENT, "phone_region '1234'", NULL},
        {"020 7946 0000", "0", RF_ERRCLASS_ARGUMENT, "phone_region '0'", NULL},
        {"020 7946 0000", "+44", RF_ERRCLASS_ARGUMENT, "phone_region '+44'", NULL},
        {"+44 20 7946 0000", "x", RF_ERRCLASS_ARGUMENT, "phone_region 'x'", NULL},
    };
    char out[17];
    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        char what[64];
        snprintf(what, sizeof what, "phone reject case %zu", i);
        memset(out, 'z', sizeof out);
        if (rf__phone_normalise(out, sizeof out, cases[i].in, cases[i].region) != RF_EINVALID) {
            fail_msg("%s: '%s' accepted as '%s'", what, cases[i].in, out);
        }
        assert_string_equal(out, "");
        assert_error(what, RF_EINVALID, cases[i].klass, cases[i].part1, cases[i].part2);
        assert_message_clean(what);
    }
}

static void test_phone_limits(void **state)
{
    char in[64], out[17];
    (void)state;
    /* RF_PHONE_INPUT_MAX bytes as typed pass; one more does not. */
    strcpy(in, "+44 20 7946 0000");
    while (strlen(in) < RF_PHONE_INPUT_MAX) {
        strcat(in, " ");
    }
    assert_int_equal(rf__phone_normalise(out, sizeof out, in, NULL), RF_OK);
    assert_string_equal(out, "+442079460000");
    strcat(in, " ");
    assert_int_equal(rf__phone_normalise(out, sizeof out, in, NULL), RF_EINVALID);
    assert_error("phone 41", RF_EINVALID, RF_ERRCLASS_PARTY, "is 41 bytes long; the limit is 40", NULL);
    assert_string_equal(out, "");

    /* The documented 17 bytes are needed even for short results. */
    assert_int_equal(rf__phone_normalise(out, 16, "+442079460000", NULL), RF_EINVALID);
    assert_error("phone outsz", RF_EINVALID, RF_ERRCLASS_ARGUMENT, "needs 17", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_email_accept),     cmocka_unit_test(test_email_reject),
        cmocka_unit_test(test_looks_like_email), cmocka_unit_test(test_phone_accept),
        cmocka_unit_test(test_phone_reject),     cmocka_unit_test(test_phone_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
