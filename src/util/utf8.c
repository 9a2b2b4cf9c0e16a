/* Strict UTF-8 decoding, the host text field check and quoting for messages. */
#include "util/text.h"

#include <string.h>

#include "util/error.h"

size_t rf__utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    /* Bounds of the second byte: narrowed after E0, ED, F0 and F4 so that
     * overlongs, surrogates and values past U+10FFFF (Unicode table 3-7) fail
     * without decoding them first. */
    unsigned char lo = 0x80, hi = 0xBF;
    uint32_t c;
    size_t n;

    if (len == 0) {
        return 0;
    }
    if (p[0] < 0x80) {
        if (cp != NULL) {
            *cp = p[0];
        }
        return 1;
    }
    if (p[0] < 0xC2) {
        return 0; /* a stray continuation byte, or C0/C1: always overlong */
    } else if (p[0] < 0xE0) {
        n = 2;
        c = p[0] & 0x1Fu;
    } else if (p[0] < 0xF0) {
        n = 3;
        c = p[0] & 0x0Fu;
        if (p[0] == 0xE0) {
            lo = 0xA0;
        } else if (p[0] == 0xED) {
            hi = 0x9F;
        }
    } else if (p[0] < 0xF5) {
        n = 4;
        c = p[0] & 0x07u;
        if (p[0] == 0xF0) {
            lo = 0x90;
        } else if (p[0] == 0xF4) {
            hi = 0x8F;
        }
    } else {
        return 0;
    }
    if (len < n) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if (p[i] < lo || p[i] > hi) {
            return 0;
        }
        lo = 0x80;
        hi = 0xBF;
        c = (c << 6) | (p[i] & 0x3Fu);
    }
    if (cp != NULL) {
        *cp = c;
    }
    return n;
}

size_t rf__utf8_valid_prefix(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t n = rf__utf8_decode(s + i, len - i, NULL);
        if (n == 0) {
            break;
        }
        i += n;
    }
    return i;
}

static int is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

rf_status rf__check_text(const char *field, const char *value, size_t max, int required, rf_error_class klass)
{
    size_t len;

    if (field == NULL) {
        field = "value";
    }
    if (value == NULL) {
        return required ? rf__error(RF_EINVALID, klass, "%s is required", field) : RF_OK;
    }
    len = strlen(value);
    if (len == 0) {
        return required ? rf__error(RF_EINVALID, klass, "%s must not be empty", field) : RF_OK;
    }
    if (len > max) {
        return rf__error(RF_EINVALID, klass, "%s is %zu bytes long; the limit is %zu", field, len, max);
    }
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = rf__utf8_decode(value + i, len - i, &cp);
        if (n == 0) {
            return rf__error(RF_EINVALID, klass, "%s is not valid UTF-8 (at byte %zu)", field, i);
        }
        if (is_control(cp)) {
            return rf__error(RF_EINVALID, klass, "%s contains a control character at byte %zu", field, i);
        }
        i += n;
    }
    return RF_OK;
}

rf__cp_kind rf__cp_kind_of(uint32_t cp)
{
    if (cp < 0x80) {
        if ((cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z')) {
            return RF__CP_LETTER;
        }
        return (cp == ' ' || (cp >= '\t' && cp <= '\r')) ? RF__CP_SPACE : RF__CP_SYMBOL;
    }
    if (cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
        cp == 0x202F || cp == 0x205F || cp == 0x3000) {
        return RF__CP_SPACE;
    }
    if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
        (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xFE20 && cp <= 0xFE2F) ||
        (cp >= 0xE0100 && cp <= 0xE01EF)) {
        return RF__CP_MARK;
    }
    /* Latin-1 punctuation and symbols except the ordinal letters ª and º. */
    if (cp <= 0xBF) {
        return (cp == 0xAA || cp == 0xBA) ? RF__CP_LETTER : RF__CP_SYMBOL;
    }
    if (cp == 0xD7 || cp == 0xF7 || (cp >= 0x02B0 && cp <= 0x02FF) || /* spacing modifiers */
        (cp >= 0x2000 && cp <= 0x2BFF) || /* punctuation .. arrows, shapes, dingbats */
        (cp >= 0x2E00 && cp <= 0x2E7F) || /* supplemental punctuation */
        (cp >= 0x3001 && cp <= 0x303F) || /* CJK punctuation */
        (cp >= 0xD800 && cp <= 0xF8FF) || /* surrogates, private use */
        (cp >= 0xFE10 && cp <= 0xFE1F) || (cp >= 0xFE30 && cp <= 0xFE6F) || cp == 0xFEFF ||
        (cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
        (cp >= 0xFF5B && cp <= 0xFF65) || (cp >= 0xFFE0 && cp <= 0xFFFF) ||
        (cp >= 0x1F000 && cp <= 0x1FBFF) || /* emoji, pictographs, game symbols */
        cp >= 0xE0000) {                    /* tags, private use planes */
        return RF__CP_SYMBOL;
    }
    return RF__CP_LETTER;
}

/* Code points that would hide or reorder text in a log line or terminal. */
static int is_invisible(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || cp == 0x061C || cp == 0x180E ||
           (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
           (cp >= 0xE0000 && cp <= 0xE007F);
}

static char *put_escaped(char *o, const unsigned char *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t k = 0; k < n; k++) {
        *o++ = '\\';
        *o++ = 'x';
        *o++ = hex[p[k] >> 4];
        *o++ = hex[p[k] & 0x0F];
    }
    return o;
}

static const char *quote_from(char *out, const char *s, size_t len, size_t start)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t end = len - start > RF_QUOTE_MAX ? start + RF_QUOTE_MAX : len;
    size_t i = start;
    char *o = out;

    if (start > 0) {
        memcpy(o, "...", 3);
        o += 3;
    }
    while (i < end) {
        uint32_t cp;
        size_t n = rf__utf8_decode(s + i, len - i, &cp);
        if (n == 0) {
            o = put_escaped(o, p + i, 1);
            i++;
            continue;
        }
        if (i + n > end) {
            break; /* never show half a code point */
        }
        if (cp < 0x20 || cp == 0x7F || is_invisible(cp)) {
            o = put_escaped(o, p + i, n);
        } else if (cp == '\\') {
            *o++ = '\\';
            *o++ = '\\';
        } else {
            memcpy(o, s + i, n);
            o += n;
        }
        i += n;
    }
    if (i < len) {
        memcpy(o, "...", 3);
        o += 3;
    }
    *o = '\0';
    return out;
}

const char *rf__text_quote(char out[RF_QUOTE_BUFSIZE], const char *s, size_t len)
{
    return quote_from(out, s, len, 0);
}

const char *rf__text_quote_at(char out[RF_QUOTE_BUFSIZE], const char *s, size_t len, size_t pos)
{
    /* Enough context before the fault to recognise the text, the rest after it. */
    const size_t before = 40;
    size_t start = 0;

    if (pos > len) {
        pos = len;
    }
    if (pos > before) {
        start = pos - before;
        /* Back up to the start of a code point rather than escape its tail. */
        for (int k = 0; k < 3 && start > 0 && ((unsigned char)s[start] & 0xC0) == 0x80; k++) {
            start--;
        }
    }
    return quote_from(out, s, len, start);
}
