/* Normalising e-mail addresses and phone numbers, so that the same person
 * typed two ways gets the same contact key. */
#include "util/text.h"

#include <string.h>

#include "referral/common.h"
#include "util/error.h"

#define EMAIL_LOCAL_MAX 64
#define EMAIL_LABEL_MAX 63
#define PHONE_DIGITS_MIN 8
#define PHONE_DIGITS_MAX 15
/* '+', 15 digits and the NUL. */
#define PHONE_OUT_MIN (PHONE_DIGITS_MAX + 2)

static int is_trim_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_ascii_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 5322 atext: the characters of an unquoted local part besides '.'. */
static int is_atext(char c)
{
    return is_ascii_alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Quote the single (possibly multi-byte) character at s[i] for a message. */
static const char *quote_char(char out[RF_QUOTE_BUFSIZE], const char *s, size_t len, size_t i)
{
    size_t n = rf__utf8_decode(s + i, len - i, NULL);
    return rf__text_quote(out, s + i, n == 0 ? 1 : n);
}

static rf_status email_error_char(const char *q, const char *s, size_t len, size_t i, const char *where)
{
    char c[RF_QUOTE_BUFSIZE];
    return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "email '%s' contains '%s', which is not allowed %s", q,
                     quote_char(c, s, len, i), where);
}

static rf_status email_check_local(const char *q, const char *s, size_t llen)
{
    if (llen == 0) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "email '%s' has nothing before the '@'", q);
    }
    if (llen > EMAIL_LOCAL_MAX) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY,
                         "email '%s' has %zu bytes before the '@'; the limit is %d", q, llen,
                         EMAIL_LOCAL_MAX);
    }
    for (size_t i = 0; i < llen; i++) {
        if (s[i] != '.' && !is_atext(s[i])) {
            return email_error_char(q, s, llen, i, "before the '@'");
        }
    }
    if (s[0] == '.') {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "email '%s' starts with a '.'", q);
    }
    if (s[llen - 1] == '.') {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "email '%s' has a '.' right before the '@'", q);
    }
    for (size_t i = 1; i < llen; i++) {
        if (s[i] == '.' && s[i - 1] == '.') {
            return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY,
                             "email '%s' has two dots in a row before the '@'", q);
        }
    }
    return RF_OK;
}

static rf_status email_check_label(const char *q, const char *s, size_t len, size_t at, size_t end)
{
    size_t n = end - at;
    if (n == 0) {
        const char *what = at == 0      ? "a '.' right after the '@'"
                           : end == len ? "a '.' at the end"
                                        : "two dots in a row after the '@'";
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "email '%s' has %s", q, what);
    }
    if (n > EMAIL_LABEL_MAX) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY,
                         "email '%s' has a domain part of %zu bytes between dots; the limit is %d", q, n,
                         EMAIL_LABEL_MAX);
    }
    for (size_t i = at; i < end;) {
        uint32_t cp;
        size_t k = rf__utf8_decode(s + i, len - i, &cp);
        if (cp < 0x80 ? !(is_ascii_alnum(s[i]) || s[i] == '-')
                      : rf__cp_kind_of(cp) != RF__CP_LETTER && rf__cp_kind_of(cp) != RF__CP_MARK) {
            return email_error_char(q, s, len, i, "in a domain");
        }
        i += k;
    }
    if (s[at] == '-' || s[end - 1] == '-') {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "email '%s' has a domain part %s with '-'", q,
                         s[at] == '-' ? "starting" : "ending");
    }
    return RF_OK;
}

/* s[0..len) is valid UTF-8 and holds no '@'. */
static rf_status email_check_domain(const char *q, const char *s, size_t len)
{
    size_t labels = 0;
    size_t at = 0;

    if (len == 0) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "email '%s' has nothing after the '@'", q);
    }
    for (;;) {
        const char *dot = memchr(s + at, '.', len - at);
        size_t end = dot != NULL ? (size_t)(dot - s) : len;
        rf_status rc = email_check_label(q, s, len, at, end);
        if (rc != RF_OK) {
            return rc;
        }
        labels++;
        if (dot == NULL) {
            break;
        }
        at = end + 1;
    }
    if (labels < 2) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY,
                         "email '%s' has no '.' after the '@': write the full domain, such as 'example.com'",
                         q);
    }
    return RF_OK;
}

rf_status rf__email_normalise(char *out, size_t outsz, const char *in)
{
    char q[RF_QUOTE_BUFSIZE];
    const char *b, *e, *at = NULL;
    size_t len, bad, ats = 0;
    rf_status rc;

    if (out != NULL && outsz > 0) {
        out[0] = '\0';
    }
    if (out == NULL || outsz < RF_EMAIL_MAX + 1) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT,
                         "email output buffer holds %zu bytes; it needs %d", out == NULL ? (size_t)0 : outsz,
                         RF_EMAIL_MAX + 1);
    }
    if (in == NULL) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "email is required");
    }
    len = strlen(in);
    while (len > 0 && is_trim_space(in[len - 1])) {
        len--;
    }
    b = in;
    while (len > 0 && is_trim_space(*b)) {
        b++;
        len--;
    }
    e = b + len;
    if (len == 0) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY,
                         "email is empty: give an address such as 'jane@example.com'");
    }
    rf__text_quote(q, b, len);
    if (len > RF_EMAIL_MAX) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "email '%s' is %zu bytes long; the limit is %d", q,
                         len, RF_EMAIL_MAX);
    }
    bad = rf__utf8_valid_prefix(b, len);
    if (bad < len) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "email '%s' is not valid UTF-8 (at byte %zu)",
                         rf__text_quote_at(q, b, len, bad), bad);
    }
    for (const char *p = b; p < e; p++) {
        if (*p == '@') {
            ats++;
            at = p;
        }
    }
    if (ats == 0) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "email '%s' has no '@'", q);
    }
    if (ats > 1) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "email '%s' has more than one '@'", q);
    }
    rc = email_check_local(q, b, (size_t)(at - b));
    if (rc == RF_OK) {
        rc = email_check_domain(q, at + 1, (size_t)(e - at - 1));
    }
    if (rc != RF_OK) {
        return rc;
    }
    for (size_t i = 0; i < len; i++) {
        char c = b[i];
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[len] = '\0';
    return RF_OK;
}

int rf__looks_like_email(const char *in)
{
    return in != NULL && strchr(in, '@') != NULL;
}

/* Regions whose national numbers keep their leading 0 after the country code. */
static int region_keeps_zero(const char *region)
{
    return strcmp(region, "39") == 0 || strcmp(region, "378") == 0;
}

static rf_status phone_check_region(const char *region)
{
    size_t n = strlen(region);
    int ok = n >= 1 && n <= 3 && region[0] != '0';

    for (size_t i = 0; ok && i < n; i++) {
        ok = is_digit(region[i]);
    }
    if (!ok) {
        char q[RF_QUOTE_BUFSIZE];
        return rf__error(
            RF_EINVALID, RF_ERRCLASS_ARGUMENT,
            "phone_region '%s' is not a country calling code: use 1 to 3 digits such as '44' or '1'",
            rf__text_quote(q, region, n));
    }
    return RF_OK;
}

rf_status rf__phone_normalise(char *out, size_t outsz, const char *in, const char *region)
{
    char q[RF_QUOTE_BUFSIZE];
    /* Digits as typed ("(0)" included); then the result, '+' and at most
     * 3 region digits before them. */
    char digits[RF_PHONE_INPUT_MAX + 1];
    char res[RF_PHONE_INPUT_MAX + 8];
    size_t len, nd = 0, nres, start = 0;
    size_t paren0 = (size_t)-1; /* index in digits of the 0 of a "(0)" */
    int plus = 0, intl;

    if (out != NULL && outsz > 0) {
        out[0] = '\0';
    }
    if (out == NULL || outsz < PHONE_OUT_MIN) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT,
                         "phone output buffer holds %zu bytes; it needs %d", out == NULL ? (size_t)0 : outsz,
                         PHONE_OUT_MIN);
    }
    if (region != NULL && region[0] == '\0') {
        region = NULL;
    }
    if (region != NULL && phone_check_region(region) != RF_OK) {
        return RF_EINVALID;
    }
    if (in == NULL) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "phone is required");
    }
    len = strlen(in);
    rf__text_quote(q, in, len);
    if (len > RF_PHONE_INPUT_MAX) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "phone '%s' is %zu bytes long; the limit is %d", q,
                         len, RF_PHONE_INPUT_MAX);
    }
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (is_digit(c)) {
            digits[nd++] = c;
        } else if (c == '+') {
            if (plus || nd > 0) {
                return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY,
                                 "phone '%s' has a '+' that is not at the start", q);
            }
            plus = 1;
        } else if (c == '(' && paren0 == (size_t)-1 && in[i + 1] == '0' && in[i + 2] == ')') {
            paren0 = nd;
            digits[nd++] = '0';
            i += 2;
        } else if (c == '\0' || strchr(" -.()/", c) == NULL) {
            char cq[RF_QUOTE_BUFSIZE];
            return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY,
                             "phone '%s' contains '%s'; only digits, spaces and + - . ( ) / are allowed", q,
                             quote_char(cq, in, len, i));
        }
    }
    if (nd == 0) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "phone '%s' has no digits", q);
    }
    intl = plus || (nd >= 2 && digits[0] == '0' && digits[1] == '0');
    if (intl) {
        start = plus ? 0 : 2;
        /* Only a "(0)" right after a 1..3 digit country code is a trunk prefix. */
        if (paren0 != (size_t)-1 && paren0 > start && paren0 <= start + 3) {
            memmove(digits + paren0, digits + paren0 + 1, nd - paren0 - 1);
            nd--;
        }
        res[0] = '+';
        memcpy(res + 1, digits + start, nd - start);
        nres = 1 + nd - start;
    } else if (region == NULL) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY,
                         "phone '%s' has no country code: write it as +<country><number> or set the store's "
                         "phone_region",
                         q);
    } else if (strcmp(region, "1") == 0) {
        /* North America has no trunk 0: a leading 1 is the country code itself. */
        if (nd == 10) {
            memcpy(res, "+1", 2);
            memcpy(res + 2, digits, nd);
            nres = 2 + nd;
        } else if (nd == 11 && digits[0] == '1') {
            res[0] = '+';
            memcpy(res + 1, digits, nd);
            nres = 1 + nd;
        } else {
            return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY,
                             "phone '%s' has %zu digits; a number in region 1 (North America) has 10 digits, "
                             "or 11 starting with 1",
                             q, nd);
        }
    } else {
        size_t rl = strlen(region);
        if (digits[0] == '0' && !region_keeps_zero(region)) {
            start = 1;
        }
        res[0] = '+';
        memcpy(res + 1, region, rl);
        memcpy(res + 1 + rl, digits + start, nd - start);
        nres = 1 + rl + nd - start;
    }
    res[nres] = '\0';
    if (nres >= 2 && res[1] == '0') {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY,
                         "phone '%s' has a country code starting with 0, which no country has", q);
    }
    if (nres - 1 < PHONE_DIGITS_MIN) {
        return rf__error(
            RF_EINVALID, RF_ERRCLASS_PARTY,
            "phone '%s' is too short: %zu digits with the country code; a full number has %d to %d", q,
            nres - 1, PHONE_DIGITS_MIN, PHONE_DIGITS_MAX);
    }
    if (nres - 1 > PHONE_DIGITS_MAX) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY,
                         "phone '%s' is too long: %zu digits with the country code; the limit is %d", q,
                         nres - 1, PHONE_DIGITS_MAX);
    }
    memcpy(out, res, nres + 1);
    return RF_OK;
}
