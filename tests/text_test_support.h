/* Helpers shared by the text-utility suites: test_utf8, test_contact, test_slug, test_crockford. */
#ifndef RF_TEXT_TEST_SUPPORT_H
#define RF_TEXT_TEST_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "referral/errors.h"
#include "util/error.h"
#include "util/text.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A previous error the functions under test must leave alone when they succeed
 * or return RF_ENOTFOUND. */
static inline void set_sentinel_error(void)
{
    rf__error(RF_ECONFLICT, RF_ERRCLASS_JOURNAL, "sentinel");
}

static inline void assert_sentinel_error(const char *what)
{
    const rf_error *e = rf_error_last();
    if (e->code != RF_ECONFLICT || strcmp(e->message, "sentinel") != 0) {
        fail_msg("%s: the last error changed to %d '%s'", what, e->code, e->message);
    }
}

/* The last error is code/klass and its message holds every non-NULL part. */
static inline void assert_error(const char *what, rf_status code, rf_error_class klass, const char *part1,
                                const char *part2)
{
    const rf_error *e = rf_error_last();
    if (e->code != code || e->klass != klass) {
        fail_msg("%s: error %d class %d ('%s'), expected %d class %d", what, e->code, e->klass, e->message,
                 code, klass);
    }
    if (part1 != NULL && strstr(e->message, part1) == NULL) {
        fail_msg("%s: message '%s' lacks '%s'", what, e->message, part1);
    }
    if (part2 != NULL && strstr(e->message, part2) == NULL) {
        fail_msg("%s: message '%s' lacks '%s'", what, e->message, part2);
    }
}

/* Messages must be printable: valid UTF-8 without control characters. */
static inline void assert_message_clean(const char *what)
{
    const char *m = rf_error_last()->message;
    size_t len = strlen(m);
    if (rf__utf8_valid_prefix(m, len) != len) {
        fail_msg("%s: message is not valid UTF-8", what);
    }
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)m[i] < 0x20 || m[i] == 0x7F) {
            fail_msg("%s: message has a control character at %zu", what, i);
        }
    }
}

static inline char *repeat(char *buf, char c, size_t n)
{
    memset(buf, c, n);
    buf[n] = '\0';
    return buf;
}

#endif
