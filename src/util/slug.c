/* Vanity slugs from display names: "Zoë Müller" → "zoe-muller". */
#include "util/text.h"

#include <string.h>

#include "util/error.h"

/* ASCII folds of U+00C0..U+024F and U+1E00..U+1EFF, one byte per code point:
 * a letter is the fold; '*' means two letters (see fold_pairs); '~' a symbol
 * (× and ÷) that vanishes; '?' a Latin letter with no sensible ASCII
 * reading (clicks, tone letters, glottal stops), which makes the name fall
 * back to a short code rather than lose a sound. Generated from the Unicode
 * decompositions, with the letters that have none (ø, ł, đ, ħ, ŋ, ə, ...)
 * mapped by hand. */
static const char fold_latin[] =
    "aaaaaa*ceeeeiiiidnooooo~ouuuuy**aaaaaa*ceeeeiiiidnooooo~ouuuuy*y" /* U+00C0 */
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii**jjkkklllllll" /* U+0100 */
    "lllnnnnnnnnnoooooo**rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs" /* U+0140 */
    "bbbb??occdddd?eeeffgg*iikkl?mnnooo**pp???s?ttttuuuvyyzzzzzz????w" /* U+0180 */
    "????*********aaiioouuuuuuuuuueaaaa**ggggkkoooozzj***gg*wnnaa**oo" /* U+01C0 */
    "aaaaeeeeiiiioooorrrruuuussttyyhhnd**zzaaeeooooooooyylntj**acclts" /* U+0200 */
    "z??buveejjqqrryy";                                                /* U+0240 */

static const char fold_latin_additional[] =
    "aabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmm"  /* U+1E00 */
    "mmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvv"  /* U+1E40 */
    "wwwwwwwwwwxxxxyyzzzzzzhtwyasss*?aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeee"  /* U+1E80 */
    "eeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy**vvyy"; /* U+1EC0 */

static const struct {
    uint16_t cp;
    char fold[3];
} fold_pairs[] = {
    {0x00C6, "ae"}, {0x00DE, "th"}, {0x00DF, "ss"}, {0x00E6, "ae"}, {0x00FE, "th"}, {0x0132, "ij"},
    {0x0133, "ij"}, {0x0152, "oe"}, {0x0153, "oe"}, {0x0195, "hv"}, {0x01A2, "oi"}, {0x01A3, "oi"},
    {0x01C4, "dz"}, {0x01C5, "dz"}, {0x01C6, "dz"}, {0x01C7, "lj"}, {0x01C8, "lj"}, {0x01C9, "lj"},
    {0x01CA, "nj"}, {0x01CB, "nj"}, {0x01CC, "nj"}, {0x01E2, "ae"}, {0x01E3, "ae"}, {0x01F1, "dz"},
    {0x01F2, "dz"}, {0x01F3, "dz"}, {0x01F6, "hv"}, {0x01FC, "ae"}, {0x01FD, "ae"}, {0x0222, "ou"},
    {0x0223, "ou"}, {0x0238, "db"}, {0x0239, "qp"}, {0x1E9E, "ss"}, {0x1EFA, "ll"}, {0x1EFB, "ll"},
};

/* IPA letters that African alphabets (ɛ, ɔ, ɓ, ɗ, ...) and Azerbaijani (ə)
 * use in names; the rest of the IPA block falls back. */
static const struct {
    uint16_t cp;
    char fold;
} fold_ipa[] = {
    {0x0251, 'a'}, {0x0253, 'b'}, {0x0254, 'o'}, {0x0256, 'd'}, {0x0257, 'd'}, {0x0259, 'e'},
    {0x025B, 'e'}, {0x0260, 'g'}, {0x0261, 'g'}, {0x0263, 'g'}, {0x0268, 'i'}, {0x0269, 'i'},
    {0x0272, 'n'}, {0x0283, 's'}, {0x028A, 'u'}, {0x028B, 'v'}, {0x0292, 'z'},
};

enum fold_result {
    FOLD_NONE,    /* not a letter this file knows: classify it */
    FOLD_DROP,    /* a symbol inside the Latin blocks */
    FOLD_FOREIGN, /* a letter with no ASCII fold: the name falls back */
    FOLD_OK
};

static enum fold_result fold_letter(uint32_t cp, char out[3])
{
    char f = 0;

    if (cp == 0xAA || cp == 0xBA) {
        f = cp == 0xAA ? 'a' : 'o';
    } else if (cp >= 0xC0 && cp < 0xC0 + sizeof fold_latin - 1) {
        f = fold_latin[cp - 0xC0];
    } else if (cp >= 0x1E00 && cp < 0x1E00 + sizeof fold_latin_additional - 1) {
        f = fold_latin_additional[cp - 0x1E00];
    } else if (cp >= 0x0250 && cp <= 0x02AF) {
        for (size_t i = 0; i < sizeof fold_ipa / sizeof fold_ipa[0]; i++) {
            if (fold_ipa[i].cp == cp) {
                out[0] = fold_ipa[i].fold;
                out[1] = '\0';
                return FOLD_OK;
            }
        }
        return FOLD_FOREIGN;
    } else {
        return FOLD_NONE;
    }
    if (f == '~') {
        return FOLD_DROP;
    }
    if (f == '?') {
        return FOLD_FOREIGN;
    }
    if (f == '*') {
        for (size_t i = 0; i < sizeof fold_pairs / sizeof fold_pairs[0]; i++) {
            if (fold_pairs[i].cp == cp) {
                memcpy(out, fold_pairs[i].fold, 3);
                return FOLD_OK;
            }
        }
        return FOLD_FOREIGN; /* unreachable while the tables agree */
    }
    out[0] = f;
    out[1] = '\0';
    return FOLD_OK;
}

/* Collects words into the slug, stopping at the first word that no longer
 * fits; the first word alone is cut hard. */
struct slug_builder {
    char slug[RF_SLUG_BASE_MAX + 1];
    size_t len;
    int full;
    char word[RF_SLUG_BASE_MAX];
    size_t word_len; /* whole length, even past what word holds */
};

static void slug_push(struct slug_builder *b, const char *s)
{
    for (; *s != '\0'; s++) {
        if (b->word_len < sizeof b->word) {
            b->word[b->word_len] = *s;
        }
        b->word_len++;
    }
}

static void slug_end_word(struct slug_builder *b)
{
    size_t n = b->word_len;

    b->word_len = 0;
    if (n == 0 || b->full) {
        return;
    }
    if (b->len == 0) {
        if (n > RF_SLUG_BASE_MAX) {
            n = RF_SLUG_BASE_MAX;
            b->full = 1;
        }
        memcpy(b->slug, b->word, n);
        b->len = n;
    } else if (b->len + 1 + n <= RF_SLUG_BASE_MAX) {
        b->slug[b->len] = '-';
        memcpy(b->slug + b->len + 1, b->word, n);
        b->len += 1 + n;
    } else {
        b->full = 1;
    }
}

static int is_apostrophe(uint32_t cp)
{
    return cp == '\'' || cp == '`' || cp == 0x2018 || cp == 0x2019 || cp == 0x02BB || cp == 0x02BC;
}

static int is_separator(uint32_t cp)
{
    return (cp < 0x80 && cp != 0 && strchr("-_.&,/", (int)cp) != NULL) || (cp >= 0x2010 && cp <= 0x2015) ||
           cp == 0x2212 || rf__cp_kind_of(cp) == RF__CP_SPACE;
}

rf_status rf__slug_from_name(char *out, size_t outsz, const char *name)
{
    struct slug_builder b;
    size_t len;
    int foreign = 0;

    if (out != NULL && outsz > 0) {
        out[0] = '\0';
    }
    if (out == NULL || outsz < RF_SLUG_BASE_MAX + 1) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT, "slug output buffer holds %zu bytes; it needs %d",
                         out == NULL ? (size_t)0 : outsz, RF_SLUG_BASE_MAX + 1);
    }
    if (name == NULL) {
        return RF_ENOTFOUND;
    }
    memset(&b, 0, sizeof b);
    len = strlen(name);
    /* Read to the end even once the slug is full or foreign: invalid UTF-8
     * anywhere is the caller's error, not a reason to fall back. */
    for (size_t i = 0; i < len;) {
        char fold[3];
        uint32_t cp;
        size_t n = rf__utf8_decode(name + i, len - i, &cp);

        if (n == 0) {
            char q[RF_QUOTE_BUFSIZE];
            return rf__error(RF_EINVALID, RF_ERRCLASS_CODE, "name '%s' is not valid UTF-8 (at byte %zu)",
                             rf__text_quote_at(q, name, len, i), i);
        }
        i += n;
        if (cp >= 0xFF01 && cp <= 0xFF5E) {
            cp -= 0xFEE0; /* fullwidth forms of ASCII */
        }
        if (cp < 0x80 && rf__cp_kind_of(cp) == RF__CP_LETTER) {
            fold[0] = (cp >= 'A' && cp <= 'Z') ? (char)(cp - 'A' + 'a') : (char)cp;
            fold[1] = '\0';
            slug_push(&b, fold);
        } else if (is_apostrophe(cp)) {
            continue;
        } else if (is_separator(cp)) {
            slug_end_word(&b);
        } else if (cp < 0x80) {
            continue; /* other ASCII punctuation and controls vanish */
        } else {
            switch (fold_letter(cp, fold)) {
            case FOLD_OK: slug_push(&b, fold); break;
            case FOLD_DROP: break;
            case FOLD_FOREIGN: foreign = 1; break;
            case FOLD_NONE:
                if (rf__cp_kind_of(cp) == RF__CP_LETTER) {
                    foreign = 1;
                }
                break;
            }
        }
    }
    slug_end_word(&b);
    if (foreign || b.len == 0) {
        return RF_ENOTFOUND;
    }
    memcpy(out, b.slug, b.len);
    out[b.len] = '\0';
    return RF_OK;
}
