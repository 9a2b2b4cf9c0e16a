/* Tests for the internal text utilities (src/util/text.h): UTF-8 checks,
 * quoting, e-mail and phone normalisation, slugs, code folding and short
 * code check symbols. Deterministic: fixed seeds, no clock. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "referral/common.h"
#include "referral/errors.h"
#include "util/error.h"
#include "util/text.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A previous error the functions under test must leave alone when they succeed
 * or return RF_ENOTFOUND. */
static void set_sentinel_error(void)
{
    rf__error(RF_ECONFLICT, RF_ERRCLASS_JOURNAL, "sentinel");
}

static void assert_sentinel_error(const char *what)
{
    const rf_error *e = rf_error_last();
    if (e->code != RF_ECONFLICT || strcmp(e->message, "sentinel") != 0) {
        fail_msg("%s: the last error changed to %d '%s'", what, e->code, e->message);
    }
}

/* The last error is code/klass and its message holds every non-NULL part. */
static void assert_error(const char *what, rf_status code, rf_error_class klass, const char *part1,
                         const char *part2)
{
    const rf_error *e = rf_error_last();
    if (e->code != code || e->klass != klass) {
        fail_msg("%s: error %d class %d ('%s'), expected %d class %d", what, e->code, e->klass, e->message, code,
                 klass);
    }
    if (part1 != NULL && strstr(e->message, part1) == NULL) {
        fail_msg("%s: message '%s' lacks '%s'", what, e->message, part1);
    }
    if (part2 != NULL && strstr(e->message, part2) == NULL) {
        fail_msg("%s: message '%s' lacks '%s'", what, e->message, part2);
    }
}

/* Messages must be printable: valid UTF-8 without control characters. */
static void assert_message_clean(const char *what)
{
    const char *m = rf_error_last()->message;
    size_t len = strlen(m);
    if (rf__utf8_valid_prefix(m, len) != len) {
        fail_msg("%s: message is not valid UTF-8", what);
    }
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)m[i] < 0x20 || m[i] == 0x7F) {
            fail_msg("%s: message has a control character at %zu", what, i);
        }
    }
}

static char *repeat(char *buf, char c, size_t n)
{
    memset(buf, c, n);
    buf[n] = '\0';
    return buf;
}

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

/* --- UTF-8 ------------------------------------------------------------- */

static void test_utf8_valid_prefix(void **state)
{
    static const struct {
        const char *s;
        size_t len;
        size_t want;
    } cases[] = {
        {"", 0, 0},
        {"abc", 3, 3},
        {"Zo\xC3\xAB", 4, 4},                 /* Zoë */
        {"\xE2\x82\xAC", 3, 3},               /* € */
        {"\xF0\x9F\x8C\xB8", 4, 4},           /* 🌸 */
        {"a\0b", 3, 3},                       /* NUL is valid UTF-8 */
        {"\xC2\x80", 2, 2},                   /* U+0080, smallest 2-byte */
        {"\xDF\xBF", 2, 2},                   /* U+07FF */
        {"\xE0\xA0\x80", 3, 3},               /* U+0800, smallest 3-byte */
        {"\xED\x9F\xBF", 3, 3},               /* U+D7FF, just below surrogates */
        {"\xEE\x80\x80", 3, 3},               /* U+E000, just above */
        {"\xEF\xBF\xBF", 3, 3},               /* U+FFFF */
        {"\xF0\x90\x80\x80", 4, 4},           /* U+10000 */
        {"\xF4\x8F\xBF\xBF", 4, 4},           /* U+10FFFF */
        {"\xC0\xAF", 2, 0},                   /* overlong '/' */
        {"a\xC1\xBF", 3, 1},                  /* overlong DEL */
        {"\xE0\x80\xAF", 3, 0},               /* overlong 3-byte */
        {"\xE0\x9F\xBF", 3, 0},               /* overlong U+07FF */
        {"\xF0\x80\x80\xAF", 4, 0},           /* overlong 4-byte */
        {"\xF0\x8F\xBF\xBF", 4, 0},           /* overlong U+FFFF */
        {"\xED\xA0\x80", 3, 0},               /* surrogate U+D800 */
        {"ab\xED\xBF\xBF", 5, 2},             /* surrogate U+DFFF */
        {"\xF4\x90\x80\x80", 4, 0},           /* U+110000 */
        {"\xF5\x80\x80\x80", 4, 0},           /* lead byte past F4 */
        {"\xFE", 1, 0},                       /* never valid */
        {"\xFF", 1, 0},                       /* never valid */
        {"ab\xC3", 3, 2},                     /* truncated 2-byte */
        {"\xE2\x82", 2, 0},                   /* truncated 3-byte */
        {"x\xF0\x9F\x8C", 4, 1},              /* truncated 4-byte */
        {"a\x80" "b", 3, 1},                  /* stray continuation */
        {"\xC3\x28", 2, 0},                   /* bad continuation */
        {"\xE2\x28\xA1", 3, 0},               /* bad second byte */
        {"\xE2\x82\x28", 3, 0},               /* bad third byte */
        {"ok\xC3\xA9\xC3", 5, 4},             /* valid then truncated */
        {"Zo\xC3\xAB", 3, 2},                 /* len cuts a sequence */
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
        {"0123456789", 10, 1, RF_OK, NULL},                                        /* exactly max */
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
        {"a\xC2\xA0" "b", 10, 1, RF_OK, NULL}, /* NBSP is not a control character */
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
    assert_int_equal(rf__check_text("display_name", repeat(buf, 'x', RF_NAME_MAX), RF_NAME_MAX, 1,
                                    RF_ERRCLASS_PARTY),
                     RF_OK);
    assert_int_equal(rf__check_text("display_name", repeat(buf, 'x', RF_NAME_MAX + 1), RF_NAME_MAX, 1,
                                    RF_ERRCLASS_PARTY),
                     RF_EINVALID);
    assert_string_equal(rf_error_last()->message, "display_name is 201 bytes long; the limit is 200");
}

static void test_cp_kind(void **state)
{
    static const struct {
        uint32_t cp;
        rf__cp_kind kind;
    } cases[] = {
        {'a', RF__CP_LETTER},     {'7', RF__CP_LETTER},      {' ', RF__CP_SPACE},      {'\t', RF__CP_SPACE},
        {'!', RF__CP_SYMBOL},     {0x00A0, RF__CP_SPACE},    {0x00E9, RF__CP_LETTER},  {0x00D7, RF__CP_SYMBOL},
        {0x00AA, RF__CP_LETTER},  {0x00A9, RF__CP_SYMBOL},   {0x0301, RF__CP_MARK},    {0x0416, RF__CP_LETTER},
        {0x738B, RF__CP_LETTER},  {0x2019, RF__CP_SYMBOL},   {0x2003, RF__CP_SPACE},   {0x200D, RF__CP_SYMBOL},
        {0x3000, RF__CP_SPACE},   {0x3002, RF__CP_SYMBOL},   {0xFE0F, RF__CP_MARK},    {0xFEFF, RF__CP_SYMBOL},
        {0x1F338, RF__CP_SYMBOL}, {0x1F1EC, RF__CP_SYMBOL},  {0xE0067, RF__CP_SYMBOL}, {0xFF21, RF__CP_LETTER},
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

/* --- e-mail ------------------------------------------------------------ */

/* A syntactically valid address of exactly len bytes (70 <= len <= 254). */
static void make_long_email(char *buf, size_t len)
{
    size_t local = 64, domain = len - local - 1, pos;
    memset(buf, 'l', local);
    buf[local] = '@';
    pos = local + 1;
    while (domain > 0) {
        size_t label = domain > 64 ? 63 : (domain > 63 ? 61 : domain - 4);
        memset(buf + pos, 'd', label);
        pos += label;
        domain -= label;
        if (domain == 4) {
            memcpy(buf + pos, ".com", 4);
            pos += 4;
            domain = 0;
        } else {
            buf[pos++] = '.';
            domain--;
        }
    }
    buf[pos] = '\0';
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
        {"x@m\xC3\xBCller.de", "x@m\xC3\xBCller.de"},       /* müller.de */
        {"X@M\xC3\x9CLLER.DE", "x@m\xC3\x9CLLER.de"},       /* only ASCII is lower-cased */
        {"x@\xE4\xBE\x8B\xE3\x81\x88.jp", "x@\xE4\xBE\x8B\xE3\x81\x88.jp"}, /* 例え.jp */
        {"x@cafe\xCC\x81.fr", "x@cafe\xCC\x81.fr"},         /* combining accent */
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
        {"j\xC3\xB6" "e@x.com", "contains '\xC3\xB6', which is not allowed before the '@'", NULL},
        {"a@x_y.com", "contains '_', which is not allowed in a domain", NULL},
        {"a@x y.com", "contains ' ', which is not allowed in a domain", NULL},
        {"a@x\xF0\x9F\x8C\xB8.com", "contains '\xF0\x9F\x8C\xB8', which is not allowed in a domain", NULL},
        {"a@x\xE3\x80\x82" "com", "which is not allowed in a domain", NULL}, /* ideographic full stop */
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
    assert_error("email local 65", RF_EINVALID, RF_ERRCLASS_PARTY, "has 65 bytes before the '@'; the limit is 64",
                 NULL);

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
        {"020 7946 0000", "4x", RF_ERRCLASS_ARGUMENT, "phone_region '4x' is not a country calling code", "'44'"},
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

/* --- slugs ------------------------------------------------------------- */

static void test_slug_accept(void **state)
{
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        {"Jane Doe", "jane-doe"},
        {"  Zo\xC3\xAB   M\xC3\xBCller-L\xC3\xBC" "denscheidt ", "zoe-muller-ludenscheidt"},
        {"O'Brien & Sons", "obrien-sons"},
        {"O\xE2\x80\x99" "Brien", "obrien"},                        /* U+2019 */
        {"Jos\xC3\xA9 Mar\xC3\xAD" "a \xC3\x91\xC3\xBA\xC3\xB1" "ez", "jose-maria-nunez"},
        {"Stra\xC3\x9F" "e", "strasse"},
        {"\xC5\x81ukasz \xC5\xBB\xC3\xB3\xC5\x82\xC4\x87", "lukasz-zolc"},
        {"S\xC3\xB8ren \xC3\x86r\xC3\xB8", "soren-aero"},
        {"Dr. A.B. Smith", "dr-a-b-smith"},
        {"Jane \xF0\x9F\x8C\xB8 Doe", "jane-doe"},                 /* emoji dropped */
        {"Jane\xF0\x9F\x8C\xB8" "Doe", "janedoe"},
        {"\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB Ada", "ada"}, /* ZWJ sequence */
        {"Ada \xE2\x9D\xA4\xEF\xB8\x8F", "ada"},                    /* heart + VS16 */
        {"\xC3\x9E\xC3\xB3r", "thor"},
        {"\xC4\x90or\xC4\x91" "e", "dorde"},
        {"\xC5\x92uvre", "oeuvre"},
        {"\xC7\x84" "emal", "dzemal"},
        {"\xC4\xA6\xC4\xB1" "k", "hik"},
        {"Nguy\xE1\xBB\x85n Th\xE1\xBB\x8B Minh", "nguyen-thi-minh"},
        {"Zoe\xCC\x88 Mu\xCC\x88ller", "zoe-muller"},                /* decomposed accents */
        {"K\xC9\x94" "fi M\xC9\x9B" "nsah", "kofi-mensah"},         /* ɔ ɛ */
        {"M\xC9\x99mm\xC9\x99" "dov", "memmedov"},                  /* ə */
        {"Ha\xCA\xBBikū", "haiku"},                                   /* okina, ū */
        {"\xEF\xBC\xAA\xEF\xBC\xA1\xEF\xBC\xAE\xEF\xBC\xA5", "jane"}, /* fullwidth */
        {"Studio 54", "studio-54"},
        {"C++ Club", "c-club"},
        {"Jane_Doe", "jane-doe"},
        {"jane/doe,ltd", "jane-doe-ltd"},
        {"Jane  -  Doe", "jane-doe"},
        {"--Jane--", "jane"},
        {"Jane\xC2\xA0" "Doe", "jane-doe"},                         /* NBSP */
        {"Jane\xE2\x80\x93" "Doe", "jane-doe"},                     /* en dash */
        {"Jane\tDoe", "jane-doe"},
        {"Jane (Janie) Doe!", "jane-janie-doe"},
        {"\xC2\xA1Hola! \xC2\xBF" "Qu\xC3\xA9?", "hola-que"},
        {"1\xC2\xAA Cl\xC3\xADnica", "1a-clinica"},
        {"2 \xC3\x97 3", "2-3"},
    };
    char out[RF_SLUG_BASE_MAX + 1];
    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        set_sentinel_error();
        rf_status rc = rf__slug_from_name(out, sizeof out, cases[i].in);
        if (rc != RF_OK) {
            fail_msg("slug case %zu '%s': status %d", i, cases[i].in, rc);
        }
        if (strcmp(out, cases[i].want) != 0) {
            fail_msg("slug case %zu '%s': '%s', expected '%s'", i, cases[i].in, out, cases[i].want);
        }
        assert_sentinel_error("slug accept");
    }
}

static void test_slug_fallback(void **state)
{
    static const char *const cases[] = {
        "\xD0\x98\xD0\xB2\xD0\xB0\xD0\xBD \xD0\x9F\xD0\xB5\xD1\x82\xD1\x80\xD0\xBE\xD0\xB2", /* Иван Петров */
        "\xE7\x8E\x8B\xE8\x8A\xB3",                                                         /* 王芳 */
        "Anna \xE7\x8E\x8B",                                                                /* Anna 王 */
        "\xCE\x91\xCE\xBB\xCE\xAD\xCE\xBE\xCE\xB7\xCF\x82",                                 /* Αλέξης */
        "Sara \xD7\xA9\xD7\xA8\xD7\x94",                                                    /* Hebrew */
        "Jane D\xD0\xBE" "e",               /* a Cyrillic о among Latin letters */
        "\xC7\x83X\xC3\xB3\xC3\xB5",        /* ǃXóõ: a click letter */
        "\xC9\xB8ilip",                     /* IPA phi */
        "!!!",
        "",
        "   ",
        "'''",
        "\xF0\x9F\x8C\xB8\xF0\x9F\x8C\xB8", /* only emoji */
        "&-_./,",
        "\xE2\x80\x94",                     /* only a dash */
    };
    char out[RF_SLUG_BASE_MAX + 1];
    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        set_sentinel_error();
        memset(out, 'z', sizeof out);
        if (rf__slug_from_name(out, sizeof out, cases[i]) != RF_ENOTFOUND) {
            fail_msg("slug fallback case %zu: got '%s'", i, out);
        }
        assert_string_equal(out, "");
        assert_sentinel_error("slug fallback records no error");
    }
    set_sentinel_error();
    assert_int_equal(rf__slug_from_name(out, sizeof out, NULL), RF_ENOTFOUND);
    assert_sentinel_error("slug NULL");
}

static void test_slug_invalid(void **state)
{
    char out[RF_SLUG_BASE_MAX + 1];
    (void)state;
    memset(out, 'z', sizeof out);
    assert_int_equal(rf__slug_from_name(out, sizeof out, "Jane \xC3"), RF_EINVALID);
    assert_error("slug utf8", RF_EINVALID, RF_ERRCLASS_CODE, "name 'Jane \\xC3' is not valid UTF-8 (at byte 5)",
                 NULL);
    assert_message_clean("slug utf8");
    assert_string_equal(out, "");
    /* Invalid UTF-8 is an error even in a name that would fall back. */
    assert_int_equal(rf__slug_from_name(out, sizeof out, "\xD0\x98\xD0\xB2 \xFF"), RF_EINVALID);
    assert_int_equal(rf__slug_from_name(out, sizeof out, "\xC0\xAF"), RF_EINVALID);
    assert_int_equal(rf__slug_from_name(out, sizeof out, "a\xED\xA0\x80"), RF_EINVALID);
    /* ... and past the point where the slug is full. */
    assert_int_equal(rf__slug_from_name(out, sizeof out,
                                        "Alexandra Catherine Elizabeth Montgomery Fitzwilliam \xF4\x90\x80\x80"),
                     RF_EINVALID);
    /* A buffer smaller than documented. */
    assert_int_equal(rf__slug_from_name(out, RF_SLUG_BASE_MAX, "Jane"), RF_EINVALID);
    assert_error("slug outsz", RF_EINVALID, RF_ERRCLASS_ARGUMENT, "needs 33", NULL);
}

static void test_slug_length(void **state)
{
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        /* 60 characters: cut after the last word that fits. */
        {"Alexandra Catherine Elizabeth Montgomery Fitzwilliam Smythes", "alexandra-catherine-elizabeth"},
        /* exactly 32 */
        {"abcdefghijklmnop qrstuvwxyzabcde", "abcdefghijklmnop-qrstuvwxyzabcde"},
        /* 33: the second word no longer fits */
        {"abcdefghijklmnop qrstuvwxyzabcdef", "abcdefghijklmnop"},
        /* a single long word is cut hard */
        {"Pneumonoultramicroscopicsilicovolcanoconiosis", "pneumonoultramicroscopicsilicovo"},
        {"Pneumonoultramicroscopicsilicovolcanoconiosis Smith", "pneumonoultramicroscopicsilicovo"},
        /* a word that does not fit ends the slug; later short words are not squeezed in */
        {"Jo Supercalifragilisticexpialidocious Li", "jo"},
        /* ß doubling at the boundary */
        {"abcdefghijklmnopqrstuvwxyzabcd \xC3\x9F", "abcdefghijklmnopqrstuvwxyzabcd"},
        {"abcdefghijklmnopqrstuvwxyzabc \xC3\x9F", "abcdefghijklmnopqrstuvwxyzabc-ss"},
    };
    char out[RF_SLUG_BASE_MAX + 1];
    (void)state;
    assert_int_equal(strlen(cases[0].in), 60);
    for (size_t i = 0; i < COUNT(cases); i++) {
        assert_int_equal(rf__slug_from_name(out, sizeof out, cases[i].in), RF_OK);
        if (strcmp(out, cases[i].want) != 0) {
            fail_msg("slug length case %zu: '%s', expected '%s'", i, out, cases[i].want);
        }
        assert_true(strlen(out) <= RF_SLUG_BASE_MAX);
    }
}

static void put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xE0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    *o = '\0';
}

/* Every code point of the folded blocks gives a well-formed slug or falls back. */
static void test_slug_latin_table(void **state)
{
    static const uint32_t ranges[][2] = {{0xA0, 0x24F}, {0x250, 0x2FF}, {0x1E00, 0x1EFF}};
    char in[16], out[RF_SLUG_BASE_MAX + 1];
    size_t folded = 0;
    (void)state;
    for (size_t r = 0; r < COUNT(ranges); r++) {
        for (uint32_t cp = ranges[r][0]; cp <= ranges[r][1]; cp++) {
            rf_status rc;
            in[0] = 'x';
            put_utf8(in + 1, cp);
            strcat(in, "y");
            rc = rf__slug_from_name(out, sizeof out, in);
            if (rc == RF_ENOTFOUND) {
                continue;
            }
            if (rc != RF_OK) {
                fail_msg("U+%04X: status %d", (unsigned)cp, rc);
            }
            for (const char *p = out; *p != '\0'; p++) {
                if (!((*p >= 'a' && *p <= 'z') || *p == '-')) {
                    fail_msg("U+%04X: slug '%s'", (unsigned)cp, out);
                }
            }
            assert_true(out[0] == 'x' && out[strlen(out) - 1] == 'y' && strlen(out) <= 5);
            folded++;
        }
    }
    /* Nearly all of U+00C0..U+024F and U+1E00..U+1EFF fold. */
    assert_true(folded > 600);
}

/* --- code keys and short codes ------------------------------------------ */

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
        {"ab\xFF" "c", "code 'ab\\xFFc' contains '\\xFF'", NULL},
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
    for (int i = 0; i < RF_CODE_KEY_MAX / 4; i++) {
        strcat(in, "ab-c ");
    }
    repeat(want, 'X', 0);
    for (int i = 0; i < RF_CODE_KEY_MAX / 4; i++) {
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

/* An independent Luhn mod N check: does the string with its check symbol sum
 * to a multiple of 32? */
static int luhn32_valid(const char *s, size_t n)
{
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned v = (unsigned)(strchr(rf__crockford_alphabet, s[n - 1 - i]) - rf__crockford_alphabet);
        unsigned a = (i % 2 == 1) ? 2 * v : v;
        sum += a / 32 + a % 32;
    }
    return sum % 32 == 0;
}

static void test_crockford_check(void **state)
{
    char buf[16];
    (void)state;
    assert_int_equal(strlen(rf__crockford_alphabet), 32);
    assert_string_equal(rf__crockford_alphabet, "0123456789ABCDEFGHJKMNPQRSTVWXYZ");
    /* Hand-computed: "1" doubles to 2, so the check value is 30 ('Y'). */
    assert_int_equal(rf__crockford_check("1", 1), 'Y');
    assert_int_equal(rf__crockford_check("", 0), '0');
    assert_int_equal(rf__crockford_check("0000000", 7), '0');
    /* 'Z' (31) doubled is 62 = 1*32 + 30: adds 31, so the check is 1. */
    assert_int_equal(rf__crockford_check("Z", 1), '1');
    /* Not in the alphabet (lower case and look-alikes included): no check. */
    assert_int_equal(rf__crockford_check("ABU", 3), '\0');
    assert_int_equal(rf__crockford_check("abc", 3), '\0');
    assert_int_equal(rf__crockford_check("A0O", 3), '\0');
    assert_int_equal(rf__crockford_check("AB-C", 4), '\0');
    assert_int_equal(rf__crockford_check(NULL, 3), '\0');

    /* Appending the check symbol always makes a valid Luhn mod 32 string. */
    for (int k = 0; k < 1000; k++) {
        size_t n = 1 + rng_next() % 12;
        for (size_t i = 0; i < n; i++) {
            buf[i] = rf__crockford_alphabet[rng_next() % 32];
        }
        buf[n] = rf__crockford_check(buf, n);
        assert_true(luhn32_valid(buf, n + 1));
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
 * short codes is caught, except the one Luhn mod N cannot see: swapping '0'
 * and 'Z' (values 0 and 31 both add 0 whether doubled or not). */
static void test_short_code_error_detection(void **state)
{
    char code[10], key[RF_SHORT_CODE_LEN + 1], bad[RF_SHORT_CODE_LEN + 1];
    size_t substitutions = 0, transpositions = 0, blind = 0;
    (void)state;
    rng_state = 0x9E3779B9u;
    for (int k = 0; k < 4000; k++) {
        uint32_t r[RF_SHORT_CODE_DATA];
        for (size_t i = 0; i < RF_SHORT_CODE_DATA; i++) {
            r[i] = rng_next();
        }
        /* Make the blind spot common enough to be checked on every run. */
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
            if (zero_z) {
                /* Pinned so that changing the algorithm is a deliberate act. */
                assert_false(rf__short_code_check_fails(bad));
                blind++;
            } else if (!rf__short_code_check_fails(bad)) {
                fail_msg("transposition %s -> %s not detected", key, bad);
            } else {
                transpositions++;
            }
        }
    }
    assert_true(substitutions == 4000u * RF_SHORT_CODE_LEN * 31);
    assert_true(transpositions > 25000);
    assert_true(blind >= 80);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_valid_prefix),
        cmocka_unit_test(test_utf8_decode),
        cmocka_unit_test(test_check_text),
        cmocka_unit_test(test_check_text_limits),
        cmocka_unit_test(test_cp_kind),
        cmocka_unit_test(test_quote),
        cmocka_unit_test(test_email_accept),
        cmocka_unit_test(test_email_reject),
        cmocka_unit_test(test_looks_like_email),
        cmocka_unit_test(test_phone_accept),
        cmocka_unit_test(test_phone_reject),
        cmocka_unit_test(test_phone_limits),
        cmocka_unit_test(test_slug_accept),
        cmocka_unit_test(test_slug_fallback),
        cmocka_unit_test(test_slug_invalid),
        cmocka_unit_test(test_slug_length),
        cmocka_unit_test(test_slug_latin_table),
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
