/* Tests for the ISO 4217 table in src/util/currency.c and rf_currency_valid. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "referral/rewards.h"
#include "util/currency.h"
#include "util/error.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The lookups are pure: they must not touch the thread's last error. */
static void set_sentinel_error(void)
{
    rf__error(RF_ECONFLICT, RF_ERRCLASS_JOURNAL, "sentinel");
}

static void assert_sentinel_error(void)
{
    const rf_error *e = rf_error_last();
    if (e->code != RF_ECONFLICT || strcmp(e->message, "sentinel") != 0) {
        fail_msg("the last error changed to %d '%s'", e->code, e->message);
    }
}

static void expect_refused(const char *code, const char *why)
{
    set_sentinel_error();
    if (rf__currency_minor_digits(code) != -1) {
        fail_msg("%s '%s' has %d minor digits; expected -1", why, code != NULL ? code : "(null)",
                 rf__currency_minor_digits(code));
    }
    if (rf_currency_valid(code) != 0) {
        fail_msg("%s '%s' is valid; expected 0", why, code != NULL ? code : "(null)");
    }
    assert_sentinel_error();
}

static void test_known_codes(void **state)
{
    /* clang-format off */
    static const struct {
        const char *code;
        int digits;
    } cases[] = {
        /* the everyday two-digit ones */
        {"EUR", 2}, {"USD", 2}, {"GBP", 2}, {"CHF", 2}, {"CAD", 2}, {"AUD", 2}, {"NZD", 2}, {"SEK", 2},
        {"NOK", 2}, {"DKK", 2}, {"PLN", 2}, {"CZK", 2}, {"HUF", 2}, {"RON", 2}, {"CNY", 2}, {"INR", 2},
        {"BRL", 2}, {"MXN", 2}, {"ZAR", 2}, {"TRY", 2}, {"MGA", 2}, {"MRU", 2}, {"AED", 2}, {"ZMW", 2},
        /* every zero-digit code */
        {"BIF", 0}, {"CLP", 0}, {"DJF", 0}, {"GNF", 0}, {"ISK", 0}, {"JPY", 0}, {"KMF", 0}, {"KRW", 0},
        {"PYG", 0}, {"RWF", 0}, {"UGX", 0}, {"UYI", 0}, {"VND", 0}, {"VUV", 0}, {"XAF", 0}, {"XOF", 0},
        {"XPF", 0},
        /* every three-digit code */
        {"BHD", 3}, {"IQD", 3}, {"JOD", 3}, {"KWD", 3}, {"LYD", 3}, {"OMR", 3}, {"TND", 3},
        /* the four-digit unidades */
        {"CLF", 4}, {"UYW", 4},
        /* recent additions and replacements */
        {"VES", 2}, {"VED", 2}, {"SLE", 2}, {"ZWG", 2}, {"XCG", 2}, {"STN", 2}, {"BYN", 2},
        /* supranational currencies and fund codes with a minor unit */
        {"XCD", 2}, {"BOV", 2}, {"CHE", 2}, {"CHW", 2}, {"COU", 2}, {"MXV", 2}, {"USN", 2},
        /* the ends of the table */
        {"AED", 2}, {"ZWG", 2},
    };
    /* clang-format on */
    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        set_sentinel_error();
        int got = rf__currency_minor_digits(cases[i].code);
        if (got != cases[i].digits) {
            fail_msg("%s: %d minor digits, expected %d", cases[i].code, got, cases[i].digits);
        }
        if (rf_currency_valid(cases[i].code) != 1) {
            fail_msg("%s is not valid", cases[i].code);
        }
        assert_sentinel_error();
    }
}

static void test_case_is_not_folded(void **state)
{
    static const char *const cases[] = {"eur", "Eur", "eUR", "EUr", "usd", "jpY", "xcg"};
    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        expect_refused(cases[i], "not upper case");
    }
}

static void test_withdrawn_codes(void **state)
{
    /* clang-format off */
    static const char *const cases[] = {
        /* into the euro */
        "DEM", "FRF", "ITL", "ESP", "NLG", "BEF", "ATS", "IEP", "PTE", "FIM", "GRD", "LUF",
        "SIT", "CYP", "MTL", "SKK", "EEK", "LVL", "LTL", "HRK", "BGN",
        /* replaced by a new code */
        "SLL", "ZWL", "ZWD", "ANG", "VEF", "VEB", "MRO", "STD", "BYR", "ZMK", "GHC", "TRL",
        "ROL", "CSD", "MZM", "SDD", "AFA", "AZM", "TMM", "MGF",
    };
    /* clang-format on */
    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        expect_refused(cases[i], "withdrawn");
    }
}

static void test_non_currencies(void **state)
{
    static const char *const cases[] = {
        "XTS", "XXX",                                    /* testing, no currency */
        "XAU", "XAG", "XPT", "XPD",                      /* metals */
        "XDR", "XUA", "XSU", "XBA", "XBB", "XBC", "XBD", /* units of account without a minor unit */
        "XEU", "XFO", "XFU",                             /* withdrawn units */
        "BTC", "EUX", "USX", "AAA", "ZZZ",               /* never assigned */
    };
    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        expect_refused(cases[i], "not a currency");
    }
}

static void test_malformed(void **state)
{
    /* clang-format off */
    static const char *const cases[] = {
        /* wrong length, spaces, digits, punctuation */
        "", "E", "EU", "EURO", "USDX", "EUR ", " EUR", "E R", "EU1", "123", "EU-", "EUR\n",
        /* the neighbours of A-Z and a-z in ASCII */
        "@UR", "[UR", "EU@", "EU[", "`UR", "{UR",
        /* "€": three bytes, but not three letters */
        "\xE2\x82\xAC",
        /* letters with diacritics: ÉUR, EÜ, ŁUR */
        "\xC3\x89UR", "E\xC3\x9C", "\xC5\x81UR",
        /* fullwidth ＥＵＲ */
        "\xEF\xBC\xA5\xEF\xBC\xB5\xEF\xBC\xB2",
        /* "E" as C sees it */
        "E\x00R",
    };
    /* clang-format on */
    (void)state;
    expect_refused(NULL, "NULL");
    for (size_t i = 0; i < COUNT(cases); i++) {
        expect_refused(cases[i], "malformed");
    }
}

/* The table is strictly sorted (binary search needs it), well formed, and
 * every entry can be found. */
static void test_table_sorted_and_well_formed(void **state)
{
    size_t n = rf__currency_count();
    (void)state;
    /* List One has some 180 codes; the table leaves out about 15 of them. */
    assert_in_range(n, 150, 200);
    assert_null(rf__currency_code_at(n));
    assert_null(rf__currency_code_at((size_t)-1));
    for (size_t i = 0; i < n; i++) {
        const char *code = rf__currency_code_at(i);
        assert_non_null(code);
        if (strlen(code) != 3 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' ||
            code[2] < 'A' || code[2] > 'Z') {
            fail_msg("entry %zu '%s' is not three upper-case letters", i, code);
        }
        if (i > 0 && strcmp(rf__currency_code_at(i - 1), code) >= 0) {
            fail_msg("entry %zu '%s' does not sort after '%s'", i, code, rf__currency_code_at(i - 1));
        }
        int d = rf__currency_minor_digits(code);
        if (d != 0 && d != 2 && d != 3 && d != 4) {
            fail_msg("entry %zu '%s' has %d minor digits", i, code, d);
        }
        assert_int_equal(rf_currency_valid(code), 1);
    }
}

/* Every three-letter string: found exactly when it is in the table, and
 * rf_currency_valid agrees with the digits lookup. A linear scan is the
 * reference, so a mistake in the binary search cannot hide. */
static void test_every_code_agrees_with_table(void **state)
{
    size_t n = rf__currency_count(), found = 0;
    char code[4] = {0};
    (void)state;
    for (char a = 'A'; a <= 'Z'; a++) {
        for (char b = 'A'; b <= 'Z'; b++) {
            for (char c = 'A'; c <= 'Z'; c++) {
                int listed = 0;
                code[0] = a;
                code[1] = b;
                code[2] = c;
                for (size_t i = 0; i < n && !listed; i++) {
                    listed = strcmp(rf__currency_code_at(i), code) == 0;
                }
                int d = rf__currency_minor_digits(code);
                if ((d >= 0) != listed) {
                    fail_msg("'%s': lookup says %d, the table %s it", code, d, listed ? "lists" : "omits");
                }
                if (rf_currency_valid(code) != listed) {
                    fail_msg("'%s': rf_currency_valid disagrees with the table", code);
                }
                found += (size_t)listed;
            }
        }
    }
    assert_int_equal(found, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_codes),
        cmocka_unit_test(test_case_is_not_folded),
        cmocka_unit_test(test_withdrawn_codes),
        cmocka_unit_test(test_non_currencies),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_table_sorted_and_well_formed),
        cmocka_unit_test(test_every_code_agrees_with_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
