/**
 * @file referral/party.h
 * @brief Parties: the clients, leads, partners and staff a practice deals with.
 *
 * Contact details are personal data. They are validated and normalised when
 * written (e-mail lower-cased; phone numbers in E.164, `+441234567890`), and
 * each contact gets a pseudonymous contact key: a name-based UUID (libuuid,
 * SHA-1) of the practice and the normalised contact. Duplicate and
 * self-referral checks compare keys, never the contact itself, and the journal
 * never holds contact details.
 */
#ifndef REFERRAL_PARTY_H
#define REFERRAL_PARTY_H

#include "code.h"
#include "common.h"
#include "errors.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A party record, owned by the caller. Opaque; free with rf_party_free(). */
typedef struct rf_party rf_party;

/** An iterator over parties. Free with rf_party_iter_free(). */
typedef struct rf_party_iter rf_party_iter;

/** What a party is to the practice. */
typedef enum rf_party_kind {
    RF_PARTY_KIND_UNSET = 0, /**< in options: not given */
    RF_PARTY_CLIENT = 1,     /**< a client of the practice */
    RF_PARTY_LEAD = 2,       /**< a prospect or referee who is not (yet) a client */
    RF_PARTY_PARTNER = 3,    /**< a professional referrer: GP surgery, teacher, clergy */
    RF_PARTY_STAFF = 4       /**< a practitioner or other staff member */
} rf_party_kind;

/** Consent flags (a bit set). */
typedef enum rf_consent {
    RF_CONSENT_NONE = 0,
    RF_CONSENT_CONTACT = 1 << 0,       /**< may be contacted (asks, notices) */
    RF_CONSENT_NAMED = 1 << 1,         /**< may be named to the people they refer */
    RF_CONSENT_SHARE_CONTACT = 1 << 2, /**< as a referee: shares contact details with the referrer */
    RF_CONSENT_ALL = (1 << 3) - 1
} rf_consent;

/** Who pays for care; compliance mode uses it (anti-kickback rules). */
typedef enum rf_payer {
    RF_PAYER_UNSET = 0,
    RF_PAYER_SELF_PAY = 1,
    RF_PAYER_PRIVATE_INSURANCE = 2,
    RF_PAYER_FEDERAL = 3, /**< federally insured (e.g. Medicare, Medicaid, TRICARE) */
    RF_PAYER_OTHER = 4
} rf_payer;

/** "How did you hear about us?" */
typedef enum rf_intake {
    RF_INTAKE_UNSET = 0,
    RF_INTAKE_FRIEND_OR_FAMILY = 1,
    RF_INTAKE_HEALTH_PROFESSIONAL = 2,
    RF_INTAKE_SEARCH = 3,
    RF_INTAKE_SOCIAL_MEDIA = 4,
    RF_INTAKE_ADVERT = 5,
    RF_INTAKE_WALK_IN = 6,
    RF_INTAKE_EVENT = 7,
    RF_INTAKE_INSURER = 8,
    RF_INTAKE_EMPLOYER = 9,
    RF_INTAKE_OTHER = 10
} rf_intake;

/**
 * Fields of a party for rf_party_add() and rf_party_update().
 *
 * For rf_party_add(), unset fields (NULL, ::RF_UNSET, ::RF_TIME_UNSET, the
 * `*_UNSET` enum values) take their defaults; `kind` and `display_name` are
 * required. For rf_party_update(), unset fields stay as they are and an
 * empty string clears an optional text field.
 */
typedef struct rf_party_options {
    unsigned int version;        /**< the struct version: RF_PARTY_OPTIONS_VERSION */
    rf_party_kind kind;          /**< on update only LEAD → CLIENT is allowed */
    const char *external_id;     /**< the host's id, unique per practice; optional */
    const char *display_name;    /**< how the practice names the party; UTF-8 */
    const char *email;           /**< validated and lower-cased */
    const char *phone;           /**< validated and normalised to E.164 */
    int consent;                 /**< ::rf_consent bits, or ::RF_UNSET (add: none) */
    rf_payer payer;              /**< payer category */
    const char *segment;         /**< host-defined segment label */
    const char *practitioner_id; /**< assigned practitioner: the id of a STAFF party */
    rf_time first_visit_at;      /**< ::RF_TIME_UNSET, or ::RF_TIME_NONE to clear */
    rf_intake intake;            /**< intake source category */
    const char *intake_detail;   /**< intake source detail ("Dr Patel, Elm St surgery") */
    /** Optional: a retried call with the same key returns the first result and changes nothing. */
    const char *idempotency_key;
    /* Version 2: asking on the right channel. */
    /** The channel the party prefers to hear on (SMS, EMAIL, IN_PERSON, ...); unset: not said / as it is. */
    rf_channel preferred_channel;
} rf_party_options;

/** The newest version of ::rf_party_options this header describes. */
#define RF_PARTY_OPTIONS_VERSION 2
/** Static initialiser of ::rf_party_options: the current version, nothing set. */
#define RF_PARTY_OPTIONS_INIT                                                                                \
    {                                                                                                        \
        RF_PARTY_OPTIONS_VERSION, RF_PARTY_KIND_UNSET, NULL, NULL, NULL, NULL, RF_UNSET, RF_PAYER_UNSET,     \
            NULL, NULL, RF_TIME_UNSET, RF_INTAKE_UNSET, NULL, NULL, RF_CHANNEL_UNSET                         \
    }

/** Initialise @p opts to "nothing set" for structure version @p version. */
RF_API rf_status rf_party_options_init(rf_party_options *opts, unsigned int version);

/**
 * Add a party and journal `party.added`.
 *
 * @return ::RF_OK; ::RF_EINVALID (missing kind or name, malformed e-mail or
 *         phone, invalid UTF-8, overlong text, a practitioner who is not
 *         STAFF); ::RF_ENOTFOUND (no party with the practitioner id);
 *         ::RF_EEXISTS (external id taken); ::RF_ECONFLICT (idempotency key
 *         used for a different request); ::RF_EBACKEND; ::RF_EBUSY
 */
RF_API rf_status rf_party_add(rf_party **out, rf_store *store, const rf_party_options *opts);

/** Get a party by id. ::RF_ENOTFOUND when this practice has no such party. */
RF_API rf_status rf_party_get(rf_party **out, rf_store *store, const char *id);

/** Get a party by the host's external id. ::RF_ENOTFOUND when none has it. */
RF_API rf_status rf_party_find_external(rf_party **out, rf_store *store, const char *external_id);

/**
 * Change the fields set in @p changes and journal `party.updated` (naming the
 * fields that changed, never their values). @p out may be NULL.
 *
 * @return as rf_party_add(), plus ::RF_ENOTFOUND (no such party) and
 *         ::RF_ESTATE (a kind change other than LEAD → CLIENT)
 */
RF_API rf_status rf_party_update(rf_party **out, rf_store *store, const char *id,
                                 const rf_party_options *changes);

/** Which parties rf_party_list() returns. */
typedef struct rf_party_filter {
    unsigned int version; /**< the struct version: RF_PARTY_FILTER_VERSION */
    rf_party_kind kind;   /**< only this kind; ::RF_PARTY_KIND_UNSET for all */
    /** Only parties with this e-mail or phone (compared through contact keys); NULL for all. */
    const char *contact;
} rf_party_filter;

/** The newest version of ::rf_party_filter this header describes. */
#define RF_PARTY_FILTER_VERSION 1
/** Static initialiser of ::rf_party_filter: the current version, nothing set. */
#define RF_PARTY_FILTER_INIT                                                                                 \
    {                                                                                                        \
        RF_PARTY_FILTER_VERSION, RF_PARTY_KIND_UNSET, NULL                                                   \
    }

/** Initialise @p filter to "all parties" for structure version @p version. */
RF_API rf_status rf_party_filter_init(rf_party_filter *filter, unsigned int version);

/**
 * Iterate over the practice's parties in the order they were added.
 * @p filter may be NULL. The iterator reads in pages, so records added while
 * it runs may or may not appear; none appears twice.
 * The iterator borrows @p store: free it before the store.
 */
RF_API rf_status rf_party_list(rf_party_iter **out, rf_store *store, const rf_party_filter *filter);

/** The next party, or ::RF_ITEROVER (with *out NULL) at the end. */
RF_API rf_status rf_party_iter_next(rf_party **out, rf_party_iter *iter);

/** Free an iterator. Accepts NULL. */
RF_API void rf_party_iter_free(rf_party_iter *iter);

/** Free a party. Accepts NULL. */
RF_API void rf_party_free(rf_party *party);

/** @name Party accessors
 * Strings are borrowed from the party and live as long as it does; an unset
 * optional text is NULL.
 * @{ */
RF_API const char *rf_party_id(const rf_party *party);
RF_API rf_party_kind rf_party_get_kind(const rf_party *party);
RF_API const char *rf_party_external_id(const rf_party *party);
RF_API const char *rf_party_display_name(const rf_party *party);
RF_API const char *rf_party_email(const rf_party *party);
RF_API const char *rf_party_phone(const rf_party *party);
/** Pseudonymous key of the e-mail address (UUID text), or NULL. */
RF_API const char *rf_party_email_key(const rf_party *party);
/** Pseudonymous key of the phone number (UUID text), or NULL. */
RF_API const char *rf_party_phone_key(const rf_party *party);
RF_API int rf_party_consent(const rf_party *party);
RF_API rf_payer rf_party_payer(const rf_party *party);
RF_API const char *rf_party_segment(const rf_party *party);
RF_API const char *rf_party_practitioner_id(const rf_party *party);
RF_API rf_time rf_party_first_visit_at(const rf_party *party);
RF_API rf_intake rf_party_intake(const rf_party *party);
RF_API const char *rf_party_intake_detail(const rf_party *party);
/** The channel the party prefers to hear on, or RF_CHANNEL_UNSET. */
RF_API rf_channel rf_party_preferred_channel(const rf_party *party);
RF_API rf_time rf_party_created_at(const rf_party *party);
RF_API rf_time rf_party_updated_at(const rf_party *party);
/** @} */

/** "CLIENT", "LEAD", "PARTNER", "STAFF"; "UNSET" for anything else. Static. */
RF_API const char *rf_party_kind_name(rf_party_kind kind);

/**
 * The pseudonymous key of a contact (e-mail or phone) in this store's practice,
 * as stored on parties, so a host can match without keeping the contact.
 * Free *out with rf_free().
 * @return ::RF_OK, ::RF_EINVALID (not a valid e-mail or phone), ::RF_ENOMEM
 */
RF_API rf_status rf_contact_key(char **out, rf_store *store, const char *contact);

#ifdef __cplusplus
}
#endif

#endif /* REFERRAL_PARTY_H */
