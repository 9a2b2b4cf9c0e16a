/* The ISO 4217 table behind rf_currency_valid and the minor-unit lookups.
 *
 * Source: ISO 4217 List One (the SIX list published 2024-06-25), brought up to
 * date with the changes in force since:
 *   - XCG (Caribbean guilder) replaced ANG in Curaçao and Sint Maarten on
 *     2025-03-31; ANG ceased to be legal tender after 2025-06-30.
 *   - Bulgaria adopted the euro on 2026-01-01, withdrawing BGN.
 * Already gone before that list and so absent: HRK (euro, 2023), SLL
 * (replaced by SLE), ZWL (replaced by ZWG in 2024), and every legacy code
 * (DEM, FRF, ...).
 *
 * Left out on purpose although List One carries them:
 *   - XTS (reserved for testing) and XXX (no currency involved): not money.
 *   - XAU, XAG, XPT, XPD: precious metals, counted in troy ounces.
 *   - XDR, XUA, XSU and the bond-market units XBA..XBD: units of account with
 *     no minor unit in ISO ("N.A."), so an amount in minor units would have
 *     no defined meaning.
 * Fund codes that do have a minor unit (BOV, CHE, CHW, CLF, COU, MXV, USN,
 * UYI, UYW) are kept: they are active codes and hosts in those markets use
 * them.
 *
 * When ISO amends the list, edit this table (kept sorted: test_currency
 * checks the order) and the tests that name the codes involved. */
#include "util/currency.h"

#include <string.h>

#include "referral/rewards.h"

typedef struct currency_entry {
    char code[4];
    unsigned char digits;
} currency_entry;

/* clang-format off */
static const currency_entry table[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2}, {"AWG", 2},
    {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BHD", 3}, {"BIF", 0}, {"BMD", 2}, {"BND", 2},
    {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2}, {"BZD", 2},
    {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2}, {"CHW", 2}, {"CLF", 4}, {"CLP", 0}, {"CNY", 2},
    {"COP", 2}, {"COU", 2}, {"CRC", 2}, {"CUC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0},
    {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2},
    {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2},
    {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2},
    {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2},
    {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2},
    {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2},
    {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2}, {"MWK", 2},
    {"MXN", 2}, {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2}, {"NIO", 2}, {"NOK", 2},
    {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2}, {"PKR", 2},
    {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0}, {"SAR", 2},
    {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2}, {"SLE", 2}, {"SOS", 2},
    {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2},
    {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2}, {"TZS", 2}, {"UAH", 2},
    {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2}, {"UYW", 4}, {"UZS", 2}, {"VED", 2},
    {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XCG", 2}, {"XOF", 0},
    {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
};
/* clang-format on */

#define TABLE_N (sizeof table / sizeof table[0])

/* Three upper-case ASCII letters and the end: anything shorter stops at its
 * NUL before we read past it. */
static int is_code_shape(const char *code)
{
    for (int i = 0; i < 3; i++) {
        if (code[i] < 'A' || code[i] > 'Z') {
            return 0;
        }
    }
    return code[3] == '\0';
}

int rf__currency_minor_digits(const char *code)
{
    size_t lo = 0, hi = TABLE_N;

    if (code == NULL || !is_code_shape(code)) {
        return -1;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = memcmp(code, table[mid].code, 3);
        if (cmp == 0) {
            return table[mid].digits;
        }
        if (cmp < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return -1;
}

int rf_currency_valid(const char *currency)
{
    return rf__currency_minor_digits(currency) >= 0;
}

size_t rf__currency_count(void)
{
    return TABLE_N;
}

const char *rf__currency_code_at(size_t i)
{
    return i < TABLE_N ? table[i].code : NULL;
}
