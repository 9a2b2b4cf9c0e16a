/* Internal: the ISO 4217 currencies money may be counted in, with their minor units.
 *
 * Money is int64 minor units plus a code (CONVENTIONS.md), so a code is only
 * useful when ISO gives it a minor unit: the digits say what "1" means. */
#ifndef RF_UTIL_CURRENCY_H
#define RF_UTIL_CURRENCY_H

#include <stddef.h>

/* The number of minor-unit digits (0, 2, 3 or 4) of an active ISO 4217
 * alphabetic code, or -1 when code is not one: NULL, not exactly three
 * upper-case ASCII letters (lower case is refused, not folded: stored codes
 * are compared byte for byte), withdrawn, or deliberately left out (see
 * currency.c). */
int rf__currency_minor_digits(const char *code);

/* For tests: the table in order. rf__currency_code_at returns NULL past the
 * end; otherwise a NUL-terminated code borrowed from the static table. */
size_t rf__currency_count(void);
const char *rf__currency_code_at(size_t i);

#endif
