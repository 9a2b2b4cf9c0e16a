/**
 * @file referral/code.h
 * @brief Referral codes: vanity slugs and short codes owned by a party.
 *
 * Two styles:
 * - a **vanity slug** built from a name: `Jane Doe` → `jane-doe`, then
 *   `jane-doe-2`; accented Latin letters are folded (`Zoë Müller` →
 *   `zoe-muller`); a name with letters outside Latin falls back to a short code;
 * - a **short code** of eight symbols from Crockford's base-32 alphabet (no I,
 *   L, O, U), the last a check character that catches every single
 *   mistyped symbol and every swap of neighbours, shown as `7K3Q-M9TX`.
 *
 * Codes are unique per practice after folding. Lookups fold case, hyphens,
 * spaces and look-alikes (`O`→`0`, `I`/`L`→`1`), so `JANE DOE`, `janedoe` and
 * `Jane-Doe` all find `jane-doe`; a short code whose check character does not
 * match is reported as mistyped.
 */
#ifndef REFERRAL_CODE_H
#define REFERRAL_CODE_H

#include "common.h"
#include "errors.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A referral code, owned by the caller. Opaque; free with rf_code_free(). */
typedef struct rf_code rf_code;

/** An iterator over codes. Free with rf_code_iter_free(). */
typedef struct rf_code_iter rf_code_iter;

/** How a code is spelled. */
typedef enum rf_code_style {
    RF_CODE_STYLE_UNSET = 0, /**< in options: the default (vanity) */
    RF_CODE_VANITY = 1,      /**< a slug from a name */
    RF_CODE_SHORT = 2        /**< Crockford base-32 with a check character */
} rf_code_style;

/** The channel a code is handed out on or a visit came through. */
typedef enum rf_channel {
    RF_CHANNEL_UNSET = 0,
    RF_CHANNEL_IN_PERSON = 1,
    RF_CHANNEL_PHONE = 2,
    RF_CHANNEL_SMS = 3,
    RF_CHANNEL_EMAIL = 4,
    RF_CHANNEL_SOCIAL = 5,
    RF_CHANNEL_LINK = 6,
    RF_CHANNEL_CARD = 7,
    RF_CHANNEL_LETTER = 8,
    RF_CHANNEL_PORTAL = 9
} rf_channel;

/** Whether a code can be used at a given time. */
typedef enum rf_code_state {
    RF_CODE_ACTIVE = 0,
    RF_CODE_REVOKED = 1,
    RF_CODE_EXPIRED = 2,
    RF_CODE_USED_UP = 3 /**< its use limit is reached */
} rf_code_state;

/** Options for rf_code_issue(). */
typedef struct rf_code_options {
    unsigned int version; /**< the struct version: RF_CODE_OPTIONS_VERSION */
    rf_code_style style;  /**< default ::RF_CODE_VANITY */
    /** Text the slug is built from; NULL uses the owner's display name. */
    const char *vanity_base;
    const char *program_id; /**< the programme the code belongs to; optional */
    rf_channel channel;     /**< the channel it is handed out on; optional */
    rf_time expires_at;     /**< ::RF_TIME_NONE / ::RF_TIME_UNSET: never; otherwise after the clock */
    int max_uses;           /**< 0 or ::RF_UNSET: unlimited; 1 for a single-use coupon */
    /** Optional: a retried call with the same key returns the first code and changes nothing. */
    const char *idempotency_key;
} rf_code_options;

/** The newest version of ::rf_code_options this header describes. */
#define RF_CODE_OPTIONS_VERSION 1
/** Static initialiser of ::rf_code_options: the current version, nothing set. */
#define RF_CODE_OPTIONS_INIT                                                                                 \
    {                                                                                                        \
        RF_CODE_OPTIONS_VERSION, RF_CODE_STYLE_UNSET, NULL, NULL, RF_CHANNEL_UNSET, RF_TIME_UNSET, RF_UNSET, \
            NULL                                                                                             \
    }

/** Initialise @p opts to the defaults of structure version @p version. */
RF_API rf_status rf_code_options_init(rf_code_options *opts, unsigned int version);

/**
 * Issue a code owned by party @p owner_id and journal `code.issued`.
 *
 * @return ::RF_OK; ::RF_ENOTFOUND (no such owner); ::RF_EINVALID (bad options,
 *         expiry not in the future, vanity base not valid UTF-8 or overlong);
 *         ::RF_ECONFLICT (idempotency key used for a different request);
 *         ::RF_EBACKEND; ::RF_EBUSY
 */
RF_API rf_status rf_code_issue(rf_code **out, rf_store *store, const char *owner_id,
                               const rf_code_options *opts);

/**
 * Find a code by its text, whatever its state.
 *
 * @return ::RF_OK; ::RF_ENOTFOUND; ::RF_EINVALID (empty, not a possible code,
 *         or a short code whose check character does not match: a typo)
 */
RF_API rf_status rf_code_lookup(rf_code **out, rf_store *store, const char *text);

/**
 * Find a code that can be used now: like rf_code_lookup(), but a revoked,
 * expired or used-up code fails with ::RF_ESTATE and a message saying since
 * when. The owner is rf_code_owner_id().
 */
RF_API rf_status rf_code_resolve(rf_code **out, rf_store *store, const char *text);

/**
 * Revoke a code so it no longer resolves, and journal `code.revoked`.
 * @p reason and @p idempotency_key are optional; @p out may be NULL.
 * @return ::RF_OK, ::RF_ENOTFOUND, ::RF_EINVALID, ::RF_ESTATE (already revoked),
 *         ::RF_ECONFLICT
 */
RF_API rf_status rf_code_revoke(rf_code **out, rf_store *store, const char *text, const char *reason,
                                const char *idempotency_key);

/**
 * Count one use of a code (a coupon handed over, a referral made with it) and
 * journal `code.used`. Fails with ::RF_ESTATE when the code is revoked,
 * expired or used up. @p out may be NULL.
 */
RF_API rf_status rf_code_use(rf_code **out, rf_store *store, const char *text, const char *idempotency_key);

/**
 * Iterate over the codes of party @p owner_id, oldest first. ::RF_ENOTFOUND for
 * an unknown party. The iterator borrows @p store: free it before the store.
 */
RF_API rf_status rf_code_list(rf_code_iter **out, rf_store *store, const char *owner_id);

/** The next code, or ::RF_ITEROVER (with *out NULL) at the end. */
RF_API rf_status rf_code_iter_next(rf_code **out, rf_code_iter *iter);

/** Free an iterator. Accepts NULL. */
RF_API void rf_code_iter_free(rf_code_iter *iter);

/** Free a code. Accepts NULL. */
RF_API void rf_code_free(rf_code *code);

/** @name Code accessors
 * Strings are borrowed from the code; an unset optional text is NULL.
 * @{ */
RF_API const char *rf_code_id(const rf_code *code);
/** The code as shown to people (`jane-doe`, `7K3Q-M9TX`). */
RF_API const char *rf_code_text(const rf_code *code);
RF_API rf_code_style rf_code_get_style(const rf_code *code);
RF_API const char *rf_code_owner_id(const rf_code *code);
RF_API const char *rf_code_program_id(const rf_code *code);
RF_API rf_channel rf_code_channel(const rf_code *code);
RF_API rf_time rf_code_created_at(const rf_code *code);
RF_API rf_time rf_code_expires_at(const rf_code *code); /**< ::RF_TIME_NONE: never */
RF_API rf_time rf_code_revoked_at(const rf_code *code); /**< ::RF_TIME_NONE: not revoked */
RF_API const char *rf_code_revoke_reason(const rf_code *code);
RF_API int rf_code_max_uses(const rf_code *code); /**< 0: unlimited */
RF_API int rf_code_uses(const rf_code *code);
/** The state of the code at time @p at. */
RF_API rf_code_state rf_code_state_at(const rf_code *code, rf_time at);
/** @} */

/** "IN_PERSON", "SMS", ...; "UNSET" for anything else. Static. */
RF_API const char *rf_channel_name(rf_channel channel);

#ifdef __cplusplus
}
#endif

#endif /* REFERRAL_CODE_H */
