/* Tests for vanity slugs built from names by src/util/slug.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "text_test_support.h"

static void test_slug_accept(void **state)
{
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        {"Jane Doe", "jane-doe"},
        {"  Zo\xC3\xAB   M\xC3\xBCller-L\xC3\xBC"
         "denscheidt ",
         "zoe-muller-ludenscheidt"},
        {"O'Brien & Sons", "obrien-sons"},
        {"O\xE2\x80\x99"
         "Brien",
         "obrien"}, /* U+2019 */
        {"Jos\xC3\xA9 Mar\xC3\xAD"
         "a \xC3\x91\xC3\xBA\xC3\xB1"
         "ez",
         "jose-maria-nunez"},
        {"Stra\xC3\x9F"
         "e",
         "strasse"},
        {"\xC5\x81ukasz \xC5\xBB\xC3\xB3\xC5\x82\xC4\x87", "lukasz-zolc"},
        {"S\xC3\xB8ren \xC3\x86r\xC3\xB8", "soren-aero"},
        {"Dr. A.B. Smith", "dr-a-b-smith"},
        {"Jane \xF0\x9F\x8C\xB8 Doe", "jane-doe"}, /* emoji dropped */
        {"Jane\xF0\x9F\x8C\xB8"
         "Doe",
         "janedoe"},
        {"\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB Ada", "ada"}, /* ZWJ sequence */
        {"Ada \xE2\x9D\xA4\xEF\xB8\x8F", "ada"},                     /* heart + VS16 */
        {"\xC3\x9E\xC3\xB3r", "thor"},
        {"\xC4\x90or\xC4\x91"
         "e",
         "dorde"},
        {"\xC5\x92uvre", "oeuvre"},
        {"\xC7\x84"
         "emal",
         "dzemal"},
        {"\xC4\xA6\xC4\xB1"
         "k",
         "hik"},
        {"Nguy\xE1\xBB\x85n Th\xE1\xBB\x8B Minh", "nguyen-thi-minh"},
        {"Zoe\xCC\x88 Mu\xCC\x88ller", "zoe-muller"}, /* decomposed accents */
        {"K\xC9\x94"
         "fi M\xC9\x9B"
         "nsah",
         "kofi-mensah"}, /* ɔ ɛ */
        {"M\xC9\x99mm\xC9\x99"
         "dov",
         "memmedov"},                                                 /* ə */
        {"Ha\xCA\xBBik\xC5\xAB", "haiku"},                            /* okina, ū */
        {"\xEF\xBC\xAA\xEF\xBC\xA1\xEF\xBC\xAE\xEF\xBC\xA5", "jane"}, /* fullwidth */
        {"Studio 54", "studio-54"},
        {"C++ Club", "c-club"},
        {"Jane_Doe", "jane-doe"},
        {"jane/doe,ltd", "jane-doe-ltd"},
        {"Jane  -  Doe", "jane-doe"},
        {"--Jane--", "jane"},
        {"Jane\xC2\xA0"
         "Doe",
         "jane-doe"}, /* NBSP */
        {"Jane\xE2\x80\x93"
         "Doe",
         "jane-doe"}, /* en dash */
        {"Jane\tDoe", "jane-doe"},
        {"Jane (Janie) Doe!", "jane-janie-doe"},
        {"\xC2\xA1Hola! \xC2\xBF"
         "Qu\xC3\xA9?",
         "hola-que"},
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
        "\xE7\x8E\x8B\xE8\x8A\xB3",                                                          /* 王芳 */
        "Anna \xE7\x8E\x8B",                                                                 /* Anna 王 */
        "\xCE\x91\xCE\xBB\xCE\xAD\xCE\xBE\xCE\xB7\xCF\x82", /* Αλέξης */
        "Sara \xD7\xA9\xD7\xA8\xD7\x94",                    /* Hebrew */
        "Jane D\xD0\xBE"
        "e",                         /* a Cyrillic о among Latin letters */
        "\xC7\x83X\xC3\xB3\xC3\xB5", /* ǃXóõ: a click letter */
        "\xC9\xB8ilip",              /* IPA phi */
        "!!!",
        "",
        "   ",
        "'''",
        "\xF0\x9F\x8C\xB8\xF0\x9F\x8C\xB8", /* only emoji */
        "&-_./,",
        "\xE2\x80\x94", /* only a dash */
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
    assert_error("slug utf8", RF_EINVALID, RF_ERRCLASS_CODE,
                 "name 'Jane \\xC3' is not valid UTF-8 (at byte 5)", NULL);
    assert_message_clean("slug utf8");
    assert_string_equal(out, "");
    /* Invalid UTF-8 is an error even in a name that would fall back. */
    assert_int_equal(rf__slug_from_name(out, sizeof out, "\xD0\x98\xD0\xB2 \xFF"), RF_EINVALID);
    assert_int_equal(rf__slug_from_name(out, sizeof out, "\xC0\xAF"), RF_EINVALID);
    assert_int_equal(rf__slug_from_name(out, sizeof out, "a\xED\xA0\x80"), RF_EINVALID);
    /* ... and past the point where the slug is full. */
    assert_int_equal(
        rf__slug_from_name(out, sizeof out,
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slug_accept),      cmocka_unit_test(test_slug_fallback),
        cmocka_unit_test(test_slug_invalid),     cmocka_unit_test(test_slug_length),
        cmocka_unit_test(test_slug_latin_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
