/* Internal: code handles and lookups shared by the code modules (and, later,
 * referrals made through a code). */
#ifndef RF_CORE_CODES_H
#define RF_CORE_CODES_H

#include "referral/code.h"
#include "core/records.h"

/* A code handle is its record with strings it owns. */
struct rf_code {
    rf_code_record r;
};

rf_code *rf__code_from_record(const rf_code_record *rec);
/* Load by id; RF_ENOTFOUND with a message. */
rf_status rf__code_load(rf_store *store, const char *id, rf_code **out);
/* Load by text as typed (folded); RF_ENOTFOUND, or RF_EINVALID for malformed
 * text and for a short code whose check character is wrong. */
rf_status rf__code_find(rf_store *store, const char *text, rf_code **out);
/* RF_OK when the code can be used at @now, else RF_ESTATE saying why and since when. */
rf_status rf__code_check_usable(const rf_code *code, rf_time now);

#endif
