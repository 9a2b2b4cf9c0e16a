/* Internal: the fraud guards of inbound referrals. */
#ifndef RF_CORE_FRAUD_GUARDS_H
#define RF_CORE_FRAUD_GUARDS_H

#include "core/referrals.h"

/* The flags (rf_fraud_flag) the guards raise for @referrer referring @referee in @program. */
rf_status rf__fraud_guards(rf_store *store, const rf_program *program, const rf_party *referrer,
                           const rf_party *referee, int *flags);

/* The tripped guards as a sentence for messages. */
void rf__fraud_describe(int flags, const rf_program *program, char *out, size_t size);

/* The inbound referral holding @referee_id's attribution: its id and referrer
 * ("" when none holds it). */
rf_status rf__attribution_holder(rf_store *store, const char *referee_id, char referral_id[RF_ID_BUFSIZE],
                                 char referrer_id[RF_ID_BUFSIZE]);

#endif
