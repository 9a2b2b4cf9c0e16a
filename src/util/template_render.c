/* rf__template_render: writes what the scanner (template_parse.c) hands out,
 * escaping values for the channel. */
#include "util/template.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/text.h"

/* The growing result. A failure is recorded (error and fault) where it is
 * found, so the callers only pass the status on. */
typedef struct output {
    char *p;
    size_t len;
    size_t cap; /* bytes allocated, the NUL included */
    size_t max; /* bytes allowed, the NUL excluded */
    const rf__template_rules *rules;
    rf__template_fault fault;
} output;

static const char *what_of(const rf__template_rules *r)
{
    return r != NULL && r->what != NULL ? r->what : "template";
}

static rf_error_class klass_of(const rf__template_rules *r)
{
    return r != NULL && r->klass != RF_ERRCLASS_NONE ? r->klass : RF_ERRCLASS_ARGUMENT;
}

static int single_line(const rf__template_rules *r)
{
    return r != NULL && r->single_line;
}

static rf_status put(output *o, const char *s, size_t n, size_t pos)
{
    if (n > o->max - o->len) {
        o->fault.kind = RF__TPL_FAULT_OUTPUT_LIMIT;
        o->fault.pos = pos;
        return rf__error(RF_EINVALID, klass_of(o->rules),
                         "%s renders to more than %zu bytes, the limit (passed at byte %zu of the template)",
                         what_of(o->rules), o->max, pos);
    }
    if (o->len + n + 1 > o->cap) {
        /* Double, but never past what the limit can use. */
        size_t cap = o->cap > (o->max + 1) / 2 ? o->max + 1 : 2 * o->cap;
        char *p;
        if (cap < o->len + n + 1) {
            cap = o->len + n + 1;
        }
        if ((p = realloc(o->p, cap)) == NULL) {
            o->fault.kind = RF__TPL_FAULT_NOMEM;
            o->fault.pos = pos;
            return rf__error_oom();
        }
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    return RF_OK;
}

static rf_status refuse_value(output *o, rf__template_fault_kind kind, const rf__template_token *tok,
                              size_t at)
{
    o->fault.kind = kind;
    o->fault.pos = tok->pos;
    if (kind == RF__TPL_FAULT_VALUE_UTF8) {
        return rf__error(
            RF_EINVALID, klass_of(o->rules),
            "%s: the value of placeholder '%s' at byte %zu is not valid UTF-8 (at byte %zu of the "
            "value)",
            what_of(o->rules), tok->name, tok->pos, at);
    }
    return rf__error(
        RF_EINVALID, klass_of(o->rules),
        "%s: the value of placeholder '%s' at byte %zu contains a control character at byte %zu of "
        "the value; %s",
        what_of(o->rules), tok->name, tok->pos, at,
        single_line(o->rules) ? "a one-line template's values may hold none"
                              : "values may hold line feeds only");
}

static const char *html_entity(char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    }
    return NULL;
}

/* Check and write one value, in runs between the characters HTML escapes. */
static rf_status put_value(output *o, const rf__template_token *tok, const char *v, rf__template_mode mode)
{
    size_t len = strlen(v), run = 0, i = 0;
    rf_status rc;

    while (i < len) {
        unsigned char c = (unsigned char)v[i];
        const char *entity = mode == RF__TPL_HTML ? html_entity(v[i]) : NULL;
        uint32_t cp = c;
        size_t n = c < 0x80 ? 1 : rf__utf8_decode(v + i, len - i, &cp);

        if (n == 0) {
            return refuse_value(o, RF__TPL_FAULT_VALUE_UTF8, tok, i);
        }
        if ((cp < 0x20 && (cp != '\n' || single_line(o->rules))) || (cp >= 0x7F && cp <= 0x9F)) {
            return refuse_value(o, RF__TPL_FAULT_VALUE_CONTROL, tok, i);
        }
        if (entity != NULL) {
            if ((rc = put(o, v + run, i - run, tok->pos)) != RF_OK ||
                (rc = put(o, entity, strlen(entity), tok->pos)) != RF_OK) {
                return rc;
            }
            run = i + 1;
        }
        i += n;
    }
    return put(o, v + run, len - run, tok->pos);
}

static rf_status put_token(output *o, const rf__template_token *tok, rf__template_mode mode,
                           rf__template_lookup lookup, void *ctx)
{
    const char *value;

    if (tok->kind != RF__TPL_PLACEHOLDER) {
        return put(o, tok->text, tok->len, tok->pos);
    }
    value = lookup != NULL ? lookup(ctx, tok->name) : NULL;
    if (value != NULL && value[0] != '\0') {
        return put_value(o, tok, value, mode);
    }
    return tok->fallback != NULL ? put(o, tok->fallback, tok->fallback_len, tok->pos) : RF_OK;
}

rf_status rf__template_render(char **out, rf__template_fault *fault, const char *text, rf__template_mode mode,
                              rf__template_lookup lookup, void *ctx, const rf__template_rules *rules)
{
    output o = {NULL, 0, 0, RF_TEMPLATE_MAX_OUTPUT, rules, {RF__TPL_FAULT_NONE, 0}};
    rf__template_scanner s;
    rf__template_token tok;
    rf_status rc;

    *out = NULL;
    if (rules != NULL && rules->max_output != 0) {
        /* Bounded so that the arithmetic on sizes cannot wrap. */
        o.max = rules->max_output < SIZE_MAX / 4 ? rules->max_output : SIZE_MAX / 4;
    }
    /* Check the whole text first, so that a faulty one fails exactly as
     * rf__template_check says, never at max_output on the way to its fault. */
    rc = rf__template_check(fault, text, rules);
    if (rc != RF_OK) {
        return rc;
    }
    rc = rf__template_scan_begin(&s, text, rules);
    /* Room for the text as it is: most templates grow little when rendered. */
    if (rc == RF_OK) {
        o.cap = (s.len < o.max ? s.len : o.max) + 1;
        if ((o.p = malloc(o.cap)) == NULL) {
            o.fault.kind = RF__TPL_FAULT_NOMEM;
            rc = rf__error_oom();
        }
    }
    while (rc == RF_OK && (rc = rf__template_scan_next(&s, &tok)) == RF_OK) {
        rc = put_token(&o, &tok, mode, lookup, ctx);
    }
    if (fault != NULL) {
        *fault = s.fault.kind != RF__TPL_FAULT_NONE ? s.fault : o.fault;
    }
    if (rc != RF_ITEROVER) {
        free(o.p);
        return rc;
    }
    o.p[o.len] = '\0';
    *out = o.p;
    return RF_OK;
}
