/* The template scanner and rf__template_check (the language is in template.h).
 *
 * The scanner is the only reader of template syntax: checking is scanning to
 * the end, and rendering writes what the scanner hands out, so the two can
 * never disagree about what a text means. */
#include "util/template.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"
#include "util/text.h"

#define NO_BAR SIZE_MAX

static const char *what_of(const rf__template_rules *r)
{
    return r != NULL && r->what != NULL ? r->what : "template";
}

static rf_error_class klass_of(const rf__template_rules *r)
{
    return r != NULL && r->klass != RF_ERRCLASS_NONE ? r->klass : RF_ERRCLASS_ARGUMENT;
}

static size_t limit_of(size_t value, size_t fallback)
{
    return value != 0 ? value : fallback;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static rf_status
fail(rf__template_scanner *s, rf__template_fault_kind kind, size_t pos, const char *fmt, ...)
{
    char msg[900];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->fault.kind = kind;
    s->fault.pos = pos;
    return rf__error(RF_EINVALID, klass_of(s->rules), "%s %s", what_of(s->rules), msg);
}

static int starts_with2(const rf__template_scanner *s, size_t i, char c)
{
    return i + 1 < s->len && s->text[i] == c && s->text[i + 1] == c;
}

/* The length of the code point at i (0 when it is not valid UTF-8), and
 * whether it is a control character (C0, DEL or C1). */
static size_t code_point_at(const rf__template_scanner *s, size_t i, int *control)
{
    unsigned char c = (unsigned char)s->text[i];
    uint32_t cp;
    size_t n;

    if (c < 0x80) {
        *control = c < 0x20 || c == 0x7F;
        return 1;
    }
    n = rf__utf8_decode(s->text + i, s->len - i, &cp);
    *control = n != 0 && cp <= 0x9F;
    return n;
}

rf_status rf__template_scan_begin(rf__template_scanner *s, const char *text, const rf__template_rules *rules)
{
    size_t max = limit_of(rules != NULL ? rules->max_bytes : 0, RF_TEMPLATE_MAX_BYTES);

    memset(s, 0, sizeof *s);
    s->rules = rules;
    s->text = text != NULL ? text : "";
    if (text == NULL) {
        return fail(s, RF__TPL_FAULT_MISSING, 0, "is required");
    }
    s->len = strlen(text);
    if (s->len > max) {
        return fail(s, RF__TPL_FAULT_TOO_LONG, max, "is %zu bytes long; the limit is %zu", s->len, max);
    }
    return RF_OK;
}

static rf_status scan_text(rf__template_scanner *s, rf__template_token *tok)
{
    size_t i = s->pos;

    while (i < s->len && !starts_with2(s, i, '{')) {
        int control;
        size_t n;

        if (starts_with2(s, i, '}')) {
            return fail(s, RF__TPL_FAULT_STRAY_CLOSE, i,
                        "has '}}' at byte %zu outside a placeholder; write {{\"}}\"}} for literal braces", i);
        }
        n = code_point_at(s, i, &control);
        if (n == 0) {
            return fail(s, RF__TPL_FAULT_UTF8, i, "is not valid UTF-8 (at byte %zu)", i);
        }
        if (control && s->rules != NULL && s->rules->single_line) {
            return fail(s, RF__TPL_FAULT_CONTROL, i,
                        "contains a control character at byte %zu; a one-line template allows none", i);
        }
        if (control && s->text[i] != '\n' && s->text[i] != '\t') {
            return fail(s, RF__TPL_FAULT_CONTROL, i,
                        "contains a control character at byte %zu; only line feed and tab are allowed", i);
        }
        i += n;
    }
    tok->kind = RF__TPL_TEXT;
    tok->pos = s->pos;
    tok->text = s->text + s->pos;
    tok->len = i - s->pos;
    s->pos = i;
    return RF_OK;
}

static rf_status unterminated(rf__template_scanner *s, size_t open, int in_quotes)
{
    char q[RF_QUOTE_BUFSIZE];
    const char *nl = memchr(s->text + open, '\n', s->len - open);
    size_t end = nl != NULL ? (size_t)(nl - s->text) : s->len;

    rf__text_quote(q, s->text + open, end - open);
    if (in_quotes) {
        return fail(s, RF__TPL_FAULT_UNTERMINATED, open,
                    "has an unterminated literal at byte %zu: '%s' has no closing '\"' on its line", open, q);
    }
    return fail(s, RF__TPL_FAULT_UNTERMINATED, open,
                "has an unterminated placeholder at byte %zu: '%s' is not closed with '}}' on its line", open,
                q);
}

/* One code point inside the braces at i: its length, or 0 with the fault recorded. */
static size_t inner_code_point(rf__template_scanner *s, size_t open, size_t i)
{
    int control;
    size_t n = code_point_at(s, i, &control);

    if (n == 0) {
        fail(s, RF__TPL_FAULT_UTF8, i, "is not valid UTF-8 (at byte %zu)", i);
    } else if (control) {
        fail(s, RF__TPL_FAULT_CONTROL, i,
             "contains a control character at byte %zu, inside the placeholder at byte %zu", i, open);
        n = 0;
    }
    return n;
}

/* A brace at i inside the placeholder opened at open. A single '}' at the
 * end of the line is a "}}" cut short rather than a nested brace. */
static rf_status inner_brace(rf__template_scanner *s, size_t open, size_t i)
{
    if (s->text[i] == '}' && (i + 1 >= s->len || s->text[i + 1] == '\n')) {
        return unterminated(s, open, 0);
    }
    return fail(s, RF__TPL_FAULT_NESTED, i,
                "has nested braces: '%c' at byte %zu is inside the placeholder opened at byte %zu",
                s->text[i], i, open);
}

static rf_status scan_literal(rf__template_scanner *s, rf__template_token *tok, size_t open, size_t quote)
{
    size_t i = quote + 1, end;

    for (;;) {
        size_t n;
        if (i >= s->len || s->text[i] == '\n') {
            return unterminated(s, open, 1);
        }
        if (s->text[i] == '"') {
            break;
        }
        if ((n = inner_code_point(s, open, i)) == 0) {
            return RF_EINVALID;
        }
        i += n;
    }
    end = i++;
    while (i < s->len && s->text[i] == ' ') {
        i++;
    }
    if (!starts_with2(s, i, '}')) {
        if (i >= s->len || s->text[i] == '\n') {
            return unterminated(s, open, 0);
        }
        if (s->text[i] == '{' || s->text[i] == '}') {
            return inner_brace(s, open, i);
        }
        /* What is wrong with the byte itself comes before what follows it. */
        if (inner_code_point(s, open, i) == 0) {
            return RF_EINVALID;
        }
        return fail(s, RF__TPL_FAULT_BAD_LITERAL, open,
                    "has more than a literal in the placeholder at byte %zu: a quoted literal stands alone, "
                    "as in {{\"{{\"}}",
                    open);
    }
    tok->kind = RF__TPL_LITERAL;
    tok->pos = open;
    tok->text = s->text + quote + 1;
    tok->len = end - (quote + 1);
    s->pos = i + 2;
    return RF_OK;
}

static int name_well_formed(const char *name, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (c == '.') {
            if (i == 0 || i + 1 == len || name[i + 1] == '.') {
                return 0;
            }
        } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '_')) {
            return 0;
        }
    }
    return 1;
}

/* "a, b, c" or as many as fit, then "...". Known names are the library's own
 * constants, so they are not quoted. */
static const char *list_names(char *buf, size_t size, const char *const *known)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t k = 0; known[k] != NULL; k++) {
        size_t n = strlen(known[k]);
        if (used + n + 2 + 5 >= size) {
            memcpy(buf + used, ", ...", 6);
            break;
        }
        used += (size_t)snprintf(buf + used, size - used, "%s%s", k > 0 ? ", " : "", known[k]);
    }
    return buf;
}

static rf_status check_name(rf__template_scanner *s, size_t open, const char *name, size_t len,
                            rf__template_token *tok)
{
    const char *const *known = s->rules != NULL ? s->rules->known : NULL;
    char list[400];
    size_t k;

    if (len == 0) {
        return fail(s, RF__TPL_FAULT_EMPTY_NAME, open, "has an empty placeholder at byte %zu", open);
    }
    if (len > RF_TEMPLATE_NAME_MAX) {
        return fail(s, RF__TPL_FAULT_BAD_NAME, open,
                    "has a placeholder name of %zu bytes at byte %zu; the limit is %d", len, open,
                    RF_TEMPLATE_NAME_MAX);
    }
    if (!name_well_formed(name, len)) {
        char q[RF_QUOTE_BUFSIZE];
        return fail(s, RF__TPL_FAULT_BAD_NAME, open,
                    "has an invalid placeholder name '%s' at byte %zu: a name is letters, digits and '_' "
                    "in parts joined by '.'",
                    rf__text_quote(q, name, len), open);
    }
    memcpy(tok->name, name, len);
    tok->name[len] = '\0';
    if (known == NULL) {
        return RF_OK;
    }
    for (k = 0; known[k] != NULL; k++) {
        if (strcmp(known[k], tok->name) == 0) {
            return RF_OK;
        }
    }
    if (k == 0) {
        return fail(s, RF__TPL_FAULT_UNKNOWN, open,
                    "has an unknown placeholder '%s' at byte %zu; it takes no placeholders", tok->name, open);
    }
    return fail(s, RF__TPL_FAULT_UNKNOWN, open, "has an unknown placeholder '%s' at byte %zu; known: %s",
                tok->name, open, list_names(list, sizeof list, known));
}

static rf_status scan_braces(rf__template_scanner *s, rf__template_token *tok)
{
    size_t max = limit_of(s->rules != NULL ? s->rules->max_placeholders : 0, RF_TEMPLATE_MAX_PLACEHOLDERS);
    size_t open = s->pos, i = open + 2, body, bar = NO_BAR, close, name_end;
    rf_status rc;

    if (++s->count > max) {
        return fail(s, RF__TPL_FAULT_TOO_MANY, open,
                    "has more than %zu placeholders; the one past the limit is at byte %zu", max, open);
    }
    while (i < s->len && s->text[i] == ' ') {
        i++;
    }
    if (i < s->len && s->text[i] == '"') {
        return scan_literal(s, tok, open, i);
    }
    body = i;
    for (;;) {
        size_t n;
        char c;
        if (i >= s->len || s->text[i] == '\n') {
            return unterminated(s, open, 0);
        }
        c = s->text[i];
        if (starts_with2(s, i, '}')) {
            break;
        }
        if (c == '{' || c == '}') {
            return inner_brace(s, open, i);
        }
        if ((n = inner_code_point(s, open, i)) == 0) {
            return RF_EINVALID;
        }
        if (c == '|' && bar == NO_BAR) {
            bar = i;
        }
        i += n;
    }
    close = i;
    name_end = bar != NO_BAR ? bar : close;
    while (name_end > body && s->text[name_end - 1] == ' ') {
        name_end--;
    }
    if ((rc = check_name(s, open, s->text + body, name_end - body, tok)) != RF_OK) {
        return rc;
    }
    tok->kind = RF__TPL_PLACEHOLDER;
    tok->pos = open;
    tok->text = NULL;
    tok->len = 0;
    tok->fallback = NULL;
    tok->fallback_len = 0;
    if (bar != NO_BAR) {
        size_t fb = bar + 1, fb_end = close;
        while (fb < close && s->text[fb] == ' ') {
            fb++;
        }
        while (fb_end > fb && s->text[fb_end - 1] == ' ') {
            fb_end--;
        }
        tok->fallback = s->text + fb;
        tok->fallback_len = fb_end - fb;
    }
    s->pos = close + 2;
    return RF_OK;
}

rf_status rf__template_scan_next(rf__template_scanner *s, rf__template_token *tok)
{
    if (s->fault.kind != RF__TPL_FAULT_NONE) {
        return RF_EINVALID;
    }
    if (s->pos >= s->len) {
        return RF_ITEROVER;
    }
    tok->name[0] = '\0';
    tok->fallback = NULL;
    tok->fallback_len = 0;
    return starts_with2(s, s->pos, '{') ? scan_braces(s, tok) : scan_text(s, tok);
}

rf_status rf__template_check(rf__template_fault *fault, const char *text, const rf__template_rules *rules)
{
    rf__template_scanner s;
    rf__template_token tok;
    rf_status rc = rf__template_scan_begin(&s, text, rules);

    while (rc == RF_OK) {
        rc = rf__template_scan_next(&s, &tok);
    }
    if (fault != NULL) {
        *fault = s.fault;
    }
    return rc == RF_ITEROVER ? RF_OK : rc;
}
