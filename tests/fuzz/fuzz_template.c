/* libFuzzer harness for the message templates (src/util/template.h). Beyond
 * "does not crash", it checks what callers rely on:
 * - every error message is printable UTF-8 and starts with the template's
 *   name, and the fault it reports lies inside the text;
 * - rendering agrees with checking: same status, fault and message;
 * - a checked text renders, failing only at max_output or for a bad value;
 * - in the output, "{{" and "}}" only come from quoted literals: a literal
 *   writes one of the braces or stands between them (`}{{""}}}` is "}}");
 *   never from text or values alone. HTML values add no '<' or '"', and
 *   absent values never make the text longer.
 * Built two ways: with clang's libFuzzer (tests/fuzz/README.md), and with
 * fuzz_driver.c as a plain program that ctest runs (fuzz_template). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "referral/errors.h"
#include "util/template.h"
#include "util/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok) {
        abort();
    }
}

static void check_message(const char *what)
{
    const char *m = rf_error_last()->message;
    size_t n = strlen(m);

    check(rf__utf8_valid_prefix(m, n) == n);
    for (size_t i = 0; i < n; i++) {
        check((unsigned char)m[i] >= 0x20 && m[i] != 0x7F);
    }
    check(strncmp(m, what, strlen(what)) == 0);
}

static const char *name_itself(void *ctx, const char *name)
{
    (void)ctx;
    return name;
}

static const char *value_of(void *ctx, const char *name)
{
    (void)name;
    return ctx;
}

static size_t count_char(const char *s, size_t n, char c)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        k += s[i] == c;
    }
    return k;
}

/* What rendering with every value equal to its name must give, and where
 * literals are in it: lit[j] is 1 when a literal's output starts at or before
 * j and ends at or after it, so that a pair of bytes (i, i + 1) owes something
 * to a literal exactly when lit[i + 1] is 1. NULL past max_output. */
static char *expected_names(const char *s, const rf__template_rules *rules, char **from_literal)
{
    size_t max = rules->max_output != 0 ? rules->max_output : RF_TEMPLATE_MAX_OUTPUT;
    char *out = malloc(max + 1), *lit = calloc(max + 2, 1);
    size_t len = 0;
    rf__template_scanner sc;
    rf__template_token tok;

    check(out != NULL && lit != NULL);
    check(rf__template_scan_begin(&sc, s, rules) == RF_OK);
    while (rf__template_scan_next(&sc, &tok) == RF_OK) {
        const char *p = tok.kind == RF__TPL_PLACEHOLDER ? tok.name : tok.text;
        size_t n = tok.kind == RF__TPL_PLACEHOLDER ? strlen(tok.name) : tok.len;
        if (n > max - len) {
            free(out);
            free(lit);
            return NULL;
        }
        memcpy(out + len, p, n);
        if (tok.kind == RF__TPL_LITERAL) {
            memset(lit + len, 1, n + 1);
        }
        len += n;
    }
    check(sc.fault.kind == RF__TPL_FAULT_NONE);
    out[len] = '\0';
    *from_literal = lit;
    return out;
}

static void check_braces_from_literals(const char *out, const char *lit)
{
    for (size_t i = 0; out[i] != '\0' && out[i + 1] != '\0'; i++) {
        if ((out[i] == '{' && out[i + 1] == '{') || (out[i] == '}' && out[i + 1] == '}')) {
            check(lit[i + 1]);
        }
    }
}

static void fuzz_valid(const char *s, size_t len, const rf__template_rules *rules)
{
    rf__template_fault f;
    char *out = NULL, *lit = NULL, *want;
    rf_status rc;

    /* Values equal to their names: the output is known exactly. */
    rc = rf__template_render(&out, &f, s, RF__TPL_PLAIN, name_itself, NULL, rules);
    want = expected_names(s, rules, &lit);
    if (want == NULL) {
        check(rc == RF_EINVALID && f.kind == RF__TPL_FAULT_OUTPUT_LIMIT && out == NULL);
    } else {
        check(rc == RF_OK && f.kind == RF__TPL_FAULT_NONE && strcmp(out, want) == 0);
        check_braces_from_literals(out, lit);
    }
    free(out);
    free(want);
    free(lit);

    /* Hostile values in HTML add no markup. */
    rc = rf__template_render(&out, &f, s, RF__TPL_HTML, value_of, "<&\"'>\n\xC3\xA9", rules);
    if (rc == RF_OK) {
        check(count_char(out, strlen(out), '<') <= count_char(s, len, '<'));
        check(count_char(out, strlen(out), '"') <= count_char(s, len, '"'));
    } else {
        /* The value's line feed is refused in a one-line template. */
        check(rc == RF_EINVALID && (f.kind == RF__TPL_FAULT_OUTPUT_LIMIT ||
                                    (rules->single_line && f.kind == RF__TPL_FAULT_VALUE_CONTROL)));
        check_message(rules->what);
    }
    free(out);

    /* Absent values: fallbacks and literals are parts of the text. */
    rc = rf__template_render(&out, &f, s, RF__TPL_PLAIN, NULL, NULL, rules);
    check(rc == RF_OK || f.kind == RF__TPL_FAULT_OUTPUT_LIMIT);
    check(rc != RF_OK || strlen(out) <= len);
    free(out);

    /* A value that is not UTF-8 is refused wherever it is used. */
    rc = rf__template_render(&out, &f, s, RF__TPL_PLAIN, value_of, "ok\xC3", rules);
    check(rc == RF_OK || f.kind == RF__TPL_FAULT_VALUE_UTF8 || f.kind == RF__TPL_FAULT_OUTPUT_LIMIT);
    if (rc != RF_OK) {
        check(out == NULL && f.pos < len);
        check(strstr(rf_error_last()->message, "ok") == NULL || strstr(s, "ok") != NULL);
    }
    free(out);
}

static void fuzz_rules(const char *s, size_t len, const rf__template_rules *rules)
{
    rf__template_fault f, g;
    char *out = (char *)1;
    char first[1024];
    rf_status rc = rf__template_check(&f, s, rules), rc2;

    if (rc == RF_OK) {
        check(f.kind == RF__TPL_FAULT_NONE);
        check(!rules->single_line || (strchr(s, '\n') == NULL && strchr(s, '\t') == NULL));
        fuzz_valid(s, len, rules);
        return;
    }
    check(rc == RF_EINVALID && f.kind != RF__TPL_FAULT_NONE && f.kind < RF__TPL_FAULT_VALUE_UTF8);
    check(f.pos < len || (f.pos == 0 && len == 0) || f.kind == RF__TPL_FAULT_TOO_LONG);
    check_message(rules->what);
    strcpy(first, rf_error_last()->message);

    rc2 = rf__template_render(&out, &g, s, RF__TPL_HTML, name_itself, NULL, rules);
    check(rc2 == rc && out == NULL && g.kind == f.kind && g.pos == f.pos);
    check(strcmp(first, rf_error_last()->message) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const known[] = {"a", "a.b", "referrer.first_name", "code.link", NULL};
    const rf__template_rules open_rules = {"template", RF_ERRCLASS_NONE, NULL, 0, 0, 0, 0};
    const rf__template_rules tight = {"SMS ask template", RF_ERRCLASS_PROGRAM, known, 512, 8, 300, 0};
    const rf__template_rules subject = {"e-mail subject", RF_ERRCLASS_NONE, NULL, 0, 0, 0, 1};
    /* The functions take C strings: cut at the first NUL. */
    char *s = malloc(size + 1);
    size_t len;

    if (s == NULL) {
        return 0;
    }
    memcpy(s, data, size);
    s[size] = '\0';
    len = strlen(s);
    fuzz_rules(s, len, &open_rules);
    fuzz_rules(s, len, &tight);
    fuzz_rules(s, len, &subject);
    free(s);
    return 0;
}
