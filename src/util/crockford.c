/* Code keys and short codes over Crockford's base-32 alphabet, which leaves
 * out I, L, O and U so that what is read aloud or copied by hand survives. */
#include "util/text.h"

#include <string.h>

#include "util/error.h"

#define CROCKFORD_N 32

const char rf__crockford_alphabet[33] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Value of an upper-case alphabet symbol, or -1. */
static int symbol_value(char c)
{
    const char *p = c != '\0' ? strchr(rf__crockford_alphabet, c) : NULL;
    return p != NULL ? (int)(p - rf__crockford_alphabet) : -1;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

rf_status rf__code_fold(char *out, size_t outsz, const char *text)
{
    char q[RF_QUOTE_BUFSIZE], cq[RF_QUOTE_BUFSIZE];
    char key[RF_CODE_KEY_MAX + 1];
    const char *b;
    size_t len, n = 0;

    if (out != NULL && outsz > 0) {
        out[0] = '\0';
    }
    if (out == NULL || outsz == 0) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT, "code output buffer is missing");
    }
    if (text == NULL) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_CODE, "code is empty");
    }
    len = strlen(text);
    while (len > 0 && is_space(text[len - 1])) {
        len--;
    }
    b = text;
    while (len > 0 && is_space(*b)) {
        b++;
        len--;
    }
    for (size_t i = 0; i < len; i++) {
        char c = b[i];
        if (c == ' ' || c == '-' || c == '_' || c == '.') {
            continue;
        }
        if (c >= 'a' && c <= 'z') {
            c = (char)(c - 'a' + 'A');
        }
        if (c == 'O') {
            c = '0';
        } else if (c == 'I' || c == 'L') {
            c = '1';
        }
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
            size_t k = rf__utf8_decode(b + i, len - i, NULL);
            return rf__error(RF_EINVALID, RF_ERRCLASS_CODE, "code '%s' contains '%s', which no code has",
                             rf__text_quote(q, b, len), rf__text_quote(cq, b + i, k == 0 ? 1 : k));
        }
        if (n < RF_CODE_KEY_MAX) {
            key[n] = c;
        }
        n++;
    }
    if (n == 0) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_CODE, "code is empty");
    }
    if (n > RF_CODE_KEY_MAX) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_CODE,
                         "code '%s' has %zu characters besides spaces and hyphens; no code has more than %d",
                         rf__text_quote(q, b, len), n, RF_CODE_KEY_MAX);
    }
    if (outsz <= n) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT,
                         "code output buffer holds %zu bytes; it needs %zu", outsz, n + 1);
    }
    memcpy(out, key, n);
    out[n] = '\0';
    return RF_OK;
}

/* Multiply by x (the symbol value 2) in GF(32) = GF(2)[x] / (x^5 + x^2 + 1). */
static unsigned gf32_times_x(unsigned v)
{
    v <<= 1;
    return (v & 32u) != 0 ? v ^ 0x25u : v;
}

/* A Damm-style check over GF(32): the running value r becomes x*r + s for
 * each symbol s, and the check symbol is the one that brings it to zero. The
 * whole code is the polynomial sum of s_i * x^(n-i); a changed symbol changes
 * one term, and swapping neighbours changes the sum by x^k * (x + 1) * (s - t),
 * never zero in a field, so every single-symbol error and every adjacent
 * transposition is caught (Luhn mod 32 misses "0Z" <-> "Z0"). */
char rf__crockford_check(const char *symbols, size_t n)
{
    unsigned running = 0;

    if (symbols == NULL && n > 0) {
        return '\0';
    }
    for (size_t i = 0; i < n; i++) {
        int v = symbol_value(symbols[i]);
        if (v < 0) {
            return '\0';
        }
        running = gf32_times_x(running) ^ (unsigned)v;
    }
    return rf__crockford_alphabet[gf32_times_x(running)];
}

void rf__short_code_make(char out[10], const uint32_t random[RF_SHORT_CODE_DATA])
{
    char sym[RF_SHORT_CODE_DATA];

    for (size_t i = 0; i < RF_SHORT_CODE_DATA; i++) {
        sym[i] = rf__crockford_alphabet[random[i] % CROCKFORD_N];
    }
    memcpy(out, sym, 4);
    out[4] = '-';
    memcpy(out + 5, sym + 4, RF_SHORT_CODE_DATA - 4);
    out[8] = rf__crockford_check(sym, RF_SHORT_CODE_DATA);
    out[9] = '\0';
}

int rf__short_code_check_fails(const char *key)
{
    if (key == NULL || strlen(key) != RF_SHORT_CODE_LEN) {
        return 0;
    }
    for (size_t i = 0; i < RF_SHORT_CODE_LEN; i++) {
        if (symbol_value(key[i]) < 0) {
            return 0;
        }
    }
    return rf__crockford_check(key, RF_SHORT_CODE_DATA) != key[RF_SHORT_CODE_DATA];
}
