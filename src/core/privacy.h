/* Internal: what a referrer may learn about the person they referred. Shared
 * by the referrer's view and message rendering so both say the same. */
#ifndef RF_CORE_PRIVACY_H
#define RF_CORE_PRIVACY_H

#include <stddef.h>

#include "referral/sys/backend.h"

/* "Jane van der Berg" -> "J. V. D. B.": the first letter of each word,
 * upper-cased when ASCII; other letters are kept whole (one UTF-8 character).
 * out is always NUL-terminated; words that do not fit are left out. */
void rf__initials_of(const char *name, char *out, size_t size);

/* How @referee is named to the referrer: the display name when the referee
 * shares contact (RF_CONSENT_SHARE_CONTACT), else its initials. */
void rf__referee_label(const rf_party_record *referee, char *out, size_t size);

#endif
