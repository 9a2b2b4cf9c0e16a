/* libFuzzer harness for the text utilities (src/util/text.h). Beyond "does
 * not crash", it checks the properties callers rely on: results have their
 * documented shape, normalising twice changes nothing, and every error
 * message is printable UTF-8. Build: see tests/fuzz/README.md. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "referral/common.h"
#include "referral/errors.h"
#include "util/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok) {
        abort();
    }
}

static void check_message(rf_status rc)
{
    const char *m = rf_error_last()->message;
    size_t n = strlen(m);

    if (rc != RF_EINVALID) {
        return;
    }
    check(rf__utf8_valid_prefix(m, n) == n);
    for (size_t i = 0; i < n; i++) {
        check((unsigned char)m[i] >= 0x20 && m[i] != 0x7F);
    }
}

static void fuzz_fold(const char *s)
{
    char out[RF_CODE_KEY_MAX + 1], again[RF_CODE_KEY_MAX + 1];
    rf_status rc = rf__code_fold(out, sizeof out, s);

    check_message(rc);
    if (rc != RF_OK) {
        check(out[0] == '\0');
        return;
    }
    check(out[0] != '\0' && strlen(out) <= RF_CODE_KEY_MAX);
    for (const char *p = out; *p != '\0'; p++) {
        check((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z'));
        check(*p != 'O' && *p != 'I' && *p != 'L');
    }
    check(rf__code_fold(again, sizeof again, out) == RF_OK && strcmp(out, again) == 0);
    if (strlen(out) == RF_SHORT_CODE_LEN) {
        (void)rf__short_code_check_fails(out);
    }
}

static void fuzz_slug(const char *s)
{
    char out[RF_SLUG_BASE_MAX + 1], again[RF_SLUG_BASE_MAX + 1];
    rf_status rc = rf__slug_from_name(out, sizeof out, s);

    check_message(rc);
    if (rc != RF_OK) {
        check(out[0] == '\0');
        check(rc == RF_ENOTFOUND || rc == RF_EINVALID);
        return;
    }
    check(out[0] != '\0' && out[0] != '-' && strlen(out) <= RF_SLUG_BASE_MAX);
    for (const char *p = out; *p != '\0'; p++) {
        check((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
              (*p == '-' && p[1] != '-' && p[1] != '\0'));
    }
    check(rf__slug_from_name(again, sizeof again, out) == RF_OK && strcmp(out, again) == 0);
}

static void fuzz_email(const char *s)
{
    char out[RF_EMAIL_MAX + 1], again[RF_EMAIL_MAX + 1];
    rf_status rc = rf__email_normalise(out, sizeof out, s);

    check_message(rc);
    if (rc != RF_OK) {
        check(out[0] == '\0');
        return;
    }
    check(strlen(out) <= RF_EMAIL_MAX && rf__looks_like_email(out));
    check(rf__email_normalise(again, sizeof again, out) == RF_OK && strcmp(out, again) == 0);
}

static void fuzz_phone(const char *s, const char *region)
{
    char out[17], again[17];
    rf_status rc = rf__phone_normalise(out, sizeof out, s, region);
    size_t n;

    check_message(rc);
    if (rc != RF_OK) {
        check(out[0] == '\0');
        return;
    }
    n = strlen(out);
    check(out[0] == '+' && out[1] != '0' && n >= 9 && n <= 16);
    for (size_t i = 1; i < n; i++) {
        check(out[i] >= '0' && out[i] <= '9');
    }
    check(rf__phone_normalise(again, sizeof again, out, NULL) == RF_OK && strcmp(out, again) == 0);
}

static void fuzz_check_text(const char *s, size_t len)
{
    rf_status rc = rf__check_text("field", s, 64, 1, RF_ERRCLASS_ARGUMENT);

    check_message(rc);
    if (rc == RF_OK) {
        check(len > 0 && len <= 64 && rf__utf8_valid_prefix(s, len) == len);
    } else if (len > 0 && len <= 64 && rf__utf8_valid_prefix(s, len) < len) {
        check(rc == RF_EINVALID);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The functions take C strings: cut at the first NUL. */
    char *s = malloc(size + 1);
    size_t len;

    if (s == NULL) {
        return 0;
    }
    memcpy(s, data, size);
    s[size] = '\0';
    len = strlen(s);

    fuzz_fold(s);
    fuzz_slug(s);
    fuzz_email(s);
    fuzz_phone(s, NULL);
    fuzz_phone(s, "44");
    fuzz_phone(s, "1");
    fuzz_phone(s, "39");
    fuzz_check_text(s, len);
    free(s);
    return 0;
}
