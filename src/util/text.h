/* Internal: validating and normalising the text hosts hand in.
 *
 * Every function that can fail records the thread's last error (util/error.h)
 * naming the field and what is wrong, and returns the status. Output buffers
 * are always NUL-terminated on success and left as "" on failure.
 *
 * Byte positions in messages ("at byte N") count from 0, like the return
 * value of rf__utf8_valid_prefix. Messages that quote input go through
 * rf__text_quote, so they never carry invalid UTF-8, control or invisible
 * characters, and never more than RF_QUOTE_MAX bytes of it. */
#ifndef RF_UTIL_TEXT_H
#define RF_UTIL_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "referral/errors.h"

/* --- UTF-8 (utf8.c) --------------------------------------------------- */

/* Length of the valid UTF-8 prefix of s[0..len): len when all of it is valid.
 * Rejects overlongs, surrogates, code points past U+10FFFF, truncation. */
size_t rf__utf8_valid_prefix(const char *s, size_t len);

/* Decode the code point at s[0..len): its length in bytes (1..4), with the
 * code point in *cp (cp may be NULL), or 0 when the bytes there are not valid
 * UTF-8 by the rules of rf__utf8_valid_prefix (or len is 0). */
size_t rf__utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Check a host-supplied text field:
 *   NULL: RF_EINVALID "<field> is required" when required, else RF_OK;
 *   "" when required: RF_EINVALID "<field> must not be empty";
 *   longer than max bytes: RF_EINVALID "<field> is N bytes long; the limit is M";
 *   invalid UTF-8: RF_EINVALID "<field> is not valid UTF-8 (at byte N)";
 *   C0/C1 control characters or DEL (tab, CR, LF included): RF_EINVALID
 *     "<field> contains a control character at byte N".
 * The messages are exactly these (the value is not quoted: the field may hold
 * personal data, and N locates the fault). When a value has both invalid
 * UTF-8 and a control character, the one at the lower byte is reported.
 * klass is used for the error class. */
rf_status rf__check_text(const char *field, const char *value, size_t max, int required,
                         rf_error_class klass);

/* A coarse class of a code point, from block ranges rather than the Unicode
 * database: enough to tell letters (of any script) from the spaces, marks,
 * punctuation, symbols and emoji that decorate names and domains.
 * ASCII letters and digits are RF__CP_LETTER; ASCII space, tab, CR, LF, VT
 * and FF are RF__CP_SPACE; other ASCII is RF__CP_SYMBOL. Digits of other
 * scripts count as letters. */
typedef enum rf__cp_kind {
    RF__CP_LETTER, /* a letter or digit, or anything not known to be otherwise */
    RF__CP_MARK,   /* a generic combining mark or variation selector */
    RF__CP_SPACE,  /* a space (U+00A0, U+2000..U+200A, U+3000, ...) */
    RF__CP_SYMBOL  /* punctuation, symbols, emoji, controls, format and private-use characters */
} rf__cp_kind;

rf__cp_kind rf__cp_kind_of(uint32_t cp);

/* At most this many bytes of input are quoted in an error message. */
#define RF_QUOTE_MAX 60
/* A buffer for rf__text_quote: every quoted byte may become "\xNN", plus two
 * "..." and the NUL. */
#define RF_QUOTE_BUFSIZE (4 * RF_QUOTE_MAX + 8)

/* Render s[0..len) for quoting in an error message and return out: at most
 * RF_QUOTE_MAX bytes of it (never splitting a code point), then "..." if
 * there is more. Invalid UTF-8, control characters, invisible and
 * bidirectional format characters are written as \xNN per byte, and '\' as
 * "\\", so the message is valid UTF-8 and shows exactly what was sent.
 * s may be NULL when len is 0. */
const char *rf__text_quote(char out[RF_QUOTE_BUFSIZE], const char *s, size_t len);

/* As rf__text_quote, but the window starts some 40 bytes before byte pos
 * (with a leading "...") so that the fault at pos is in view. */
const char *rf__text_quote_at(char out[RF_QUOTE_BUFSIZE], const char *s, size_t len, size_t pos);

/* --- contacts (contact.c) --------------------------------------------- */

/* Normalise an e-mail address: trim surrounding spaces (ASCII space, tab,
 * CR, LF), lower-case ASCII letters, then validate: exactly one '@'; local
 * part 1..64 bytes of RFC 5322 atext and '.', not starting/ending with '.',
 * no ".."; domain of 2+ dot-separated labels, each 1..63 bytes of letters,
 * digits, '-' (not at either end) or UTF-8 non-ASCII letters (valid UTF-8
 * required; RF__CP_LETTER or RF__CP_MARK, which is an approximation of
 * IDNA's rules: symbols, spaces and emoji are refused, the rest is trusted);
 * total <= 254 bytes after trimming. Non-ASCII letters are kept as given (no
 * Unicode case folding or normalisation). out must hold RF_EMAIL_MAX + 1
 * bytes. Error class RF_ERRCLASS_PARTY; "email is required" for NULL.
 * Error messages quote the input and say which rule failed, e.g.
 * "email 'jane@@x.com' has more than one '@'". */
rf_status rf__email_normalise(char *out, size_t outsz, const char *in);

/* Normalise a phone number to E.164 ("+441234567890"):
 * drop spaces, '-', '.', '(', ')', '/'; "00" prefix means '+';
 * a leading '+' keeps the given country code; "(0)" right after the country
 * code of a '+'/'00' number (the UK/DE way of showing the trunk prefix, as in
 * "+44 (0)20 7946 0000") is dropped; otherwise, when region (calling
 * code digits like "44" or "1") is given: a single leading trunk '0' is dropped
 * and the region prepended (for region "1": 10 digits get "+1", 11 digits
 * starting with 1 get "+", and any other count is refused; regions "39" and
 * "378", Italy and San Marino, keep the leading 0 because it is part of their
 * numbers); without region a number lacking '+'/'00' is
 * RF_EINVALID "phone '0207 946 0000' has no country code: write it as
 * +<country><number> or set the store's phone_region".
 * region NULL or "" means none; otherwise it must be 1..3 digits not starting
 * with 0, else RF_EINVALID (class RF_ERRCLASS_ARGUMENT) whatever the number.
 * Result: '+' then 8..15 digits, first digit not 0; anything else (letters,
 * too short/long, input longer than RF_PHONE_INPUT_MAX) is RF_EINVALID naming
 * the rule, class RF_ERRCLASS_PARTY; "phone is required" for NULL.
 * out must hold at least 17 bytes. */
rf_status rf__phone_normalise(char *out, size_t outsz, const char *in, const char *region);

/* Is this text meant as an e-mail (contains '@')? Used to route a "contact".
 * 0 for NULL. */
int rf__looks_like_email(const char *in);

/* --- vanity slugs (slug.c) -------------------------------------------- */

/* Longest slug base, before a "-N" suffix is added. */
#define RF_SLUG_BASE_MAX 32

/* Build a vanity slug from a name: lower-case ASCII letters and digits, words
 * joined by single '-'. Latin letters with diacritics (U+00C0..U+024F,
 * e.g. é→e, ü→u, ß→ss, æ→ae, ø→o, œ→oe, ł→l, đ→d, þ→th) fold to ASCII, as do
 * Latin Extended Additional (U+1E00..U+1EFF, Vietnamese: ễ→e), a few letters
 * of African and Azerbaijani alphabets (ɛ→e, ɔ→o, ə→e), ª, º, fullwidth ASCII
 * and letters followed by combining accents (decomposed input);
 * apostrophes (', `, U+2018, U+2019, U+02BB, U+02BC) vanish ("O'Brien" →
 * "obrien"); spaces (any RF__CP_SPACE), '-', '_', '.', '&', ',', '/' and
 * Unicode dashes separate words; other ASCII punctuation vanishes, and so do
 * non-ASCII symbols, emoji and marks ("Jane 🌸 Doe" → "jane-doe").
 * Cut to at most RF_SLUG_BASE_MAX bytes at a word boundary (a single longer
 * word is cut hard). Returns:
 *   RF_OK and the slug;
 *   RF_ENOTFOUND (no error recorded) when the name has a letter outside Latin
 *     (Greek, Cyrillic, CJK, ...) or a Latin letter with no ASCII fold (click
 *     letters, IPA), or nothing usable remains, or name is NULL: the caller
 *     falls back to a short code;
 *   RF_EINVALID for invalid UTF-8 (error recorded, class RF_ERRCLASS_CODE).
 * out must hold RF_SLUG_BASE_MAX + 1 bytes. */
rf_status rf__slug_from_name(char *out, size_t outsz, const char *name);

/* --- code keys and short codes (crockford.c) --------------------------- */

/* Crockford base-32 alphabet: "0123456789ABCDEFGHJKMNPQRSTVWXYZ". */
extern const char rf__crockford_alphabet[33];

/* Data symbols in a short code, and its length with the check symbol. */
#define RF_SHORT_CODE_DATA 7
#define RF_SHORT_CODE_LEN 8
/* Longest folded key: a slug base, "-" and a 6-digit suffix, folded. */
#define RF_CODE_KEY_MAX 48

/* Fold a code as typed into its lookup key: ASCII letters upper-cased, 'O'→'0',
 * 'I' and 'L'→'1'; spaces, '-', '_' and '.' dropped; surrounding spaces
 * (and tabs, CR, LF) ignored. Any other byte (non-ASCII included) is
 * RF_EINVALID "code 'x' contains '€', which no code has"; empty after folding
 * (or NULL) is RF_EINVALID "code is empty"; longer than RF_CODE_KEY_MAX is
 * RF_EINVALID. Class RF_ERRCLASS_CODE. out must hold the key and its NUL
 * (RF_CODE_KEY_MAX + 1 bytes always do).
 * The same fold is applied to stored codes, so a lookup matches whatever
 * case, hyphenation or look-alikes were typed. 'U' is kept: vanity slugs
 * may contain it, though short codes never do. */
rf_status rf__code_fold(char *out, size_t outsz, const char *text);

/* The check symbol of n Crockford symbols (each must be in the alphabet,
 * upper case; otherwise the result is '\0'): a weighted sum over GF(32)
 * (Damm's construction), so every single-symbol error and every transposition
 * of adjacent symbols, the check symbol included, is caught. */
char rf__crockford_check(const char *symbols, size_t n);

/* Build a short code from 7 random values (each used mod 32): writes the
 * display form "XXXX-XXXC" (9 chars + NUL; out must hold 10) where C is the
 * check symbol. */
void rf__short_code_make(char out[10], const uint32_t random[RF_SHORT_CODE_DATA]);

/* For a folded key: 1 when it has the shape of a short code (RF_SHORT_CODE_LEN
 * symbols, all in the alphabet) but its check symbol is wrong; 0 otherwise
 * (NULL included). A folded vanity slug can have that shape too, so ask this
 * only after the lookup failed, to say "mistyped" rather than "unknown". */
int rf__short_code_check_fails(const char *key);

#endif
