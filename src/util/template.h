/* Internal: message templates. Checks a template when it is saved and renders
 * it for a channel. Storage, the placeholder names each message kind offers
 * and the built-in scripts live elsewhere; this module only knows text.
 *
 * The language
 * ------------
 *   Hi {{ referee.first_name }}, {{referrer.first_name|a friend}} thought you
 *   might like us. Book here: {{code.link}}
 *
 * - `{{name}}` writes the value the caller's lookup gives for name. A name is
 *   one or more parts of ASCII letters, digits and '_' joined by single dots,
 *   at most RF_TEMPLATE_NAME_MAX bytes, compared byte for byte (case matters).
 *   Spaces (U+0020 only) may stand between the braces and the name.
 * - `{{name|fallback}}` writes the fallback when the value is absent: the
 *   lookup returned NULL or "". This is how a referee's message says "a
 *   friend" when the referrer did not consent to be named. The fallback runs
 *   from the first '|' to the closing braces, with surrounding spaces trimmed;
 *   it may be empty. Without a fallback an absent value writes nothing.
 * - `{{"text"}}` writes text as it is: a quoted literal, the one way to write
 *   "{{" or "}}" themselves: `{{"{{"}}` and `{{"}}"}}`. The text may hold
 *   anything but '"' and control characters; spaces may surround the quotes.
 * - Everywhere else "{{" opens a placeholder, and "}}" outside one is an
 *   error. Single '{' and '}' are plain text (CSS in an e-mail is fine), but
 *   not inside a placeholder or its fallback: that is "nested braces".
 *   A backslash is never special.
 * - A placeholder, fallback or literal ends on the line it starts.
 * - The whole text is valid UTF-8 without control characters (C0, DEL, C1)
 *   other than line feed and tab; carriage returns are refused too, so hosts
 *   normalise CRLF before saving. Inside the braces no control character at
 *   all is allowed.
 * - At most max_bytes bytes and max_placeholders `{{...}}` (literals count).
 * - A one-line template (rules->single_line) has no control character at all.
 * - The empty text is a valid template that renders "".
 *
 * Rendering
 * ---------
 * The template's own text, fallbacks and literals are written as they are in
 * every mode: they are the author's, and an e-mail template is HTML already.
 * Only values from the lookup are escaped:
 * - RF__TPL_HTML (e-mail): & < > " ' become &amp; &lt; &gt; &quot; &#39;.
 * - RF__TPL_PLAIN (SMS, in-person script): values are written as they are.
 * In both modes a value must be valid UTF-8 without control characters other
 * than line feed (none at all for a one-line template); anything else is
 * refused, not stripped: the library's own text fields never hold such
 * values, so one signals a host bug or an injection attempt, and a message
 * silently changed is worse than a clear error naming the placeholder.
 * Messages never quote values (they are personal data). A value is never
 * scanned for placeholders.
 *
 * One scanner (rf__template_scan_*) serves checking and rendering, and
 * rendering checks the whole text before writing any of it, so a text that
 * passed rf__template_check with some rules renders with the same rules and
 * can then fail only for a value (see above), for running out of memory or
 * for passing max_output.
 *
 * Errors: RF_EINVALID, class rules->klass, with a message that starts with
 * rules->what, names the problem and the byte offset (from 0, as in
 * util/text.h), and quotes template text only through rf__text_quote. The
 * optional rf__template_fault says the same for programs: which rule and where.
 */
#ifndef RF_UTIL_TEMPLATE_H
#define RF_UTIL_TEMPLATE_H

#include <stddef.h>

#include "referral/errors.h"

/* Defaults for the limits in rf__template_rules. */
#define RF_TEMPLATE_MAX_BYTES 16384
#define RF_TEMPLATE_MAX_PLACEHOLDERS 256
#define RF_TEMPLATE_MAX_OUTPUT 65536
/* The longest placeholder name; not configurable (a token holds it). */
#define RF_TEMPLATE_NAME_MAX 64

/* What a caller checks and renders against. Every field may be 0/NULL for
 * its default, and a NULL rules pointer means all defaults. */
typedef struct rf__template_rules {
    /* Starts every message: "template", "SMS ask template". Default "template". */
    const char *what;
    /* Class of the errors recorded. RF_ERRCLASS_NONE means RF_ERRCLASS_ARGUMENT. */
    rf_error_class klass;
    /* The placeholder names allowed, NULL-terminated; an empty list allows
     * none. NULL allows every well-formed name (rendering text that was
     * checked already, tests). */
    const char *const *known;
    size_t max_bytes;        /* default RF_TEMPLATE_MAX_BYTES */
    size_t max_placeholders; /* default RF_TEMPLATE_MAX_PLACEHOLDERS */
    size_t max_output;       /* rendered bytes, without the NUL; default RF_TEMPLATE_MAX_OUTPUT */
    /* Non-zero for a one-line template such as an e-mail subject: no control
     * character at all, line feed and tab included, in the text or in a
     * value, so that no value can start a new mail header. */
    int single_line;
} rf__template_rules;

/* Which rule a text or a rendering broke, and where. */
typedef enum rf__template_fault_kind {
    RF__TPL_FAULT_NONE = 0,
    RF__TPL_FAULT_MISSING,      /* text is NULL; pos 0 */
    RF__TPL_FAULT_TOO_LONG,     /* longer than max_bytes; pos = max_bytes */
    RF__TPL_FAULT_UTF8,         /* invalid UTF-8 at pos */
    RF__TPL_FAULT_CONTROL,      /* a control character not allowed there, at pos */
    RF__TPL_FAULT_UNTERMINATED, /* the "{{" at pos is not closed on its line (or its literal's '"' is not) */
    RF__TPL_FAULT_STRAY_CLOSE,  /* "}}" at pos outside a placeholder */
    RF__TPL_FAULT_NESTED,       /* '{' or a single '}' at pos inside a placeholder */
    RF__TPL_FAULT_EMPTY_NAME,   /* the placeholder at pos has no name: "{{ }}", "{{|x}}" */
    RF__TPL_FAULT_BAD_NAME,     /* the placeholder at pos has a malformed or too long name */
    RF__TPL_FAULT_BAD_LITERAL,  /* the literal at pos is followed by more than spaces before "}}" */
    RF__TPL_FAULT_UNKNOWN,      /* the placeholder at pos names something not in known */
    RF__TPL_FAULT_TOO_MANY,     /* the placeholder at pos is one past max_placeholders */
    /* rendering only; pos is the placeholder whose value is at fault */
    RF__TPL_FAULT_VALUE_UTF8,
    RF__TPL_FAULT_VALUE_CONTROL,
    RF__TPL_FAULT_OUTPUT_LIMIT, /* the output would pass max_output while writing the token at pos */
    RF__TPL_FAULT_NOMEM
} rf__template_fault_kind;

typedef struct rf__template_fault {
    rf__template_fault_kind kind;
    size_t pos; /* byte offset in the template (see the kinds) */
} rf__template_fault;

/* Check text against rules: RF_OK, or RF_EINVALID (recorded, see above) for
 * the first fault in reading order. fault may be NULL; otherwise it is set
 * either way (kind NONE on success). The last error is untouched on success. */
rf_status rf__template_check(rf__template_fault *fault, const char *text, const rf__template_rules *rules);

typedef enum rf__template_mode {
    RF__TPL_PLAIN = 0, /* SMS, in-person script */
    RF__TPL_HTML       /* e-mail */
} rf__template_mode;

/* The value for a placeholder name, or NULL when absent (no data, or no
 * consent to show it). Borrowed: it need only stay valid until the next call. */
typedef const char *(*rf__template_lookup)(void *ctx, const char *name);

/* Render text: *out is a new NUL-terminated string for the caller to free()
 * (or rf_free()). lookup NULL means every value is absent. On failure *out is
 * NULL and the status is RF_EINVALID for a fault in the text (exactly as
 * rf__template_check reports it), a refused value or max_output, or
 * RF_ENOMEM. fault may be NULL. */
rf_status rf__template_render(char **out, rf__template_fault *fault, const char *text, rf__template_mode mode,
                              rf__template_lookup lookup, void *ctx, const rf__template_rules *rules);

/* --- the scanner both of the above use; for callers that need the parts
 * (e.g. which names a template uses) --------------------------------------- */

typedef enum rf__template_token_kind {
    RF__TPL_TEXT = 1,    /* text[0..len) of the template, as it is */
    RF__TPL_PLACEHOLDER, /* name, and fallback[0..fallback_len) or fallback NULL */
    RF__TPL_LITERAL      /* text[0..len): the inside of the quotes */
} rf__template_token_kind;

typedef struct rf__template_token {
    rf__template_token_kind kind;
    size_t pos; /* where it starts: its first byte, or the "{{" */
    const char *text;
    size_t len;
    char name[RF_TEMPLATE_NAME_MAX + 1];
    const char *fallback;
    size_t fallback_len;
} rf__template_token;

/* Fields are private; rf__template_scan_begin sets them all. */
typedef struct rf__template_scanner {
    const char *text;
    size_t len;
    size_t pos;
    size_t count;
    const rf__template_rules *rules;
    rf__template_fault fault;
} rf__template_scanner;

/* Start scanning text (borrowed, like rules, for the scanner's life).
 * RF_EINVALID for NULL text or text over max_bytes, with s->fault set. */
rf_status rf__template_scan_begin(rf__template_scanner *s, const char *text, const rf__template_rules *rules);

/* The next token (pointers into the text): RF_OK, RF_ITEROVER after the last
 * one, or RF_EINVALID with s->fault set; after RF_EINVALID or RF_ITEROVER
 * every further call returns the same. A TEXT token is a maximal run of plain
 * text, so two never follow each other. */
rf_status rf__template_scan_next(rf__template_scanner *s, rf__template_token *tok);

#endif
