/**
 * @file
 * @brief Touches, referrals, their closed-loop lifecycle, attribution and fraud guards.
 *
 * A **touch** is a visit through a code (the "clicked" step of the funnel),
 * reported by the host with an opaque visitor key of its choosing; nothing is
 * ever decided on an IP address.
 *
 * A **referral** links a referrer to a referee in a programme. An inbound
 * referral brings the referee to the practice; an outbound one sends the
 * practice's client to a partner. An inbound referral attributes its referee,
 * once: from a code, from the visitor's touches within the programme's window
 * (first or last touch), from an intake answer, by staff, or from a partner's
 * referral. When a call carries several kinds of evidence the most specific
 * wins (code, then touches, then the named referrer) and the decision with its
 * evidence is stored and journalled.
 *
 * The lifecycle follows HL7 BSeR / IHE 360X closed-loop referral:
 *
 * | from | legal next states |
 * |---|---|
 * | RECEIVED | NEEDS_INFO, ACCEPTED, DECLINED, CANCEL_REQUESTED |
 * | NEEDS_INFO | RECEIVED, ACCEPTED, DECLINED, CANCEL_REQUESTED |
 * | ACCEPTED | SCHEDULED, DECLINED, CANCEL_REQUESTED, LOST |
 * | SCHEDULED | SCHEDULED (reschedule), NO_SHOW, APPT_CANCELLED, SEEN, CANCEL_REQUESTED |
 * | NO_SHOW, APPT_CANCELLED | SCHEDULED, CANCEL_REQUESTED, LOST |
 * | SEEN | SEEN (further visit), SCHEDULED (follow-up), CLOSED |
 * | CANCEL_REQUESTED | CANCELLED, CLOSED |
 *
 * CLOSED, DECLINED, CANCELLED, LOST and ENTERED_IN_ERROR are terminal;
 * ENTERED_IN_ERROR is reachable from any state. ON_HOLD may be entered from
 * any non-terminal state and resumes only to the state it left (or goes to
 * ENTERED_IN_ERROR). DECLINED, CANCELLED, LOST and ON_HOLD need a reason. Any
 * other move fails with ::RF_ESTATE and changes nothing.
 */
#ifndef REFERRAL_REFERRALS_H
#define REFERRAL_REFERRALS_H

#include "code.h"
#include "common.h"
#include "errors.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- touches ---------------------------------------------------------------- */

/** A touch, owned by the caller. Opaque; free with rf_touch_free(). */
typedef struct rf_touch rf_touch;

/** Options for rf_touch_add(). */
typedef struct rf_touch_options {
    unsigned int version; /**< the struct version: RF_TOUCH_OPTIONS_VERSION */
    rf_channel channel;   /**< where the visit came from; optional */
    /** Optional: a retried call with the same key returns the first touch and changes nothing. */
    const char *idempotency_key;
} rf_touch_options;

/** The newest version of ::rf_touch_options this header describes. */
#define RF_TOUCH_OPTIONS_VERSION 1
/** Static initialiser of ::rf_touch_options. */
#define RF_TOUCH_OPTIONS_INIT                                                                                \
    {                                                                                                        \
        RF_TOUCH_OPTIONS_VERSION, RF_CHANNEL_UNSET, NULL                                                     \
    }

/** Initialise @p opts to the defaults of structure version @p version. */
RF_API rf_status rf_touch_options_init(rf_touch_options *opts, unsigned int version);

/**
 * Record a visit through the code typed or linked as @p code_text by the
 * visitor the host calls @p visitor_key (1 to ::RF_LABEL_MAX bytes, opaque
 * to the library: a cookie id, a device id — never an IP address alone), at
 * the store's time, and journal `touch.recorded`. The code must resolve (not
 * revoked, expired or used up). @p opts may be NULL.
 * @return ::RF_OK; ::RF_ENOTFOUND (no such code); ::RF_ESTATE (code not
 *         usable); ::RF_EINVALID; ::RF_ECONFLICT; ::RF_EBACKEND
 */
RF_API rf_status rf_touch_add(rf_touch **out, rf_store *store, const char *code_text, const char *visitor_key,
                              const rf_touch_options *opts);

/** Free a touch. Accepts NULL. */
RF_API void rf_touch_free(rf_touch *touch);

/** @name Touch accessors
 * Strings are borrowed from the touch; an unset optional text is NULL.
 * @{ */
RF_API const char *rf_touch_id(const rf_touch *touch);
RF_API const char *rf_touch_code_id(const rf_touch *touch);
/** The owner of the code: the would-be referrer. */
RF_API const char *rf_touch_owner_id(const rf_touch *touch);
RF_API const char *rf_touch_program_id(const rf_touch *touch);
RF_API const char *rf_touch_visitor_key(const rf_touch *touch);
RF_API rf_channel rf_touch_channel(const rf_touch *touch);
RF_API rf_time rf_touch_at(const rf_touch *touch);
/** @} */

/* --- referrals ---------------------------------------------------------------- */

/** A referral, owned by the caller. Opaque; free with rf_referral_free(). */
typedef struct rf_referral rf_referral;

/** An iterator over referrals. Free with rf_referral_iter_free(). */
typedef struct rf_referral_iter rf_referral_iter;

/** Where a referral is in its lifecycle. */
typedef enum rf_referral_state {
    RF_REFERRAL_STATE_UNSET = 0,
    RF_REFERRAL_RECEIVED = 1,
    RF_REFERRAL_NEEDS_INFO = 2,
    RF_REFERRAL_ACCEPTED = 3,
    RF_REFERRAL_SCHEDULED = 4,
    RF_REFERRAL_NO_SHOW = 5,
    RF_REFERRAL_APPT_CANCELLED = 6,
    RF_REFERRAL_SEEN = 7,
    RF_REFERRAL_CLOSED = 8,
    RF_REFERRAL_CANCEL_REQUESTED = 9,
    RF_REFERRAL_CANCELLED = 10,
    RF_REFERRAL_DECLINED = 11,
    RF_REFERRAL_LOST = 12,
    RF_REFERRAL_ON_HOLD = 13,
    RF_REFERRAL_ENTERED_IN_ERROR = 14
} rf_referral_state;

/** The number of states, for tables indexed by state (1 .. RF_REFERRAL_STATE_COUNT - 1). */
#define RF_REFERRAL_STATE_COUNT 15

/** Which way a referral goes. */
typedef enum rf_direction {
    RF_DIRECTION_UNSET = 0,
    RF_DIRECTION_INBOUND = 1, /**< someone refers a person to the practice */
    RF_DIRECTION_OUTBOUND = 2 /**< the practice refers its client to a partner */
} rf_direction;

/** The evidence that attributed the referee. */
typedef enum rf_referral_source {
    RF_SOURCE_UNSET = 0,
    RF_SOURCE_CODE = 1,   /**< the referee presented the referrer's code */
    RF_SOURCE_TOUCH = 2,  /**< the referee's visits through a code, within the window */
    RF_SOURCE_INTAKE = 3, /**< "how did you hear about us" named the referrer */
    RF_SOURCE_MANUAL = 4, /**< staff recorded the referrer by hand */
    RF_SOURCE_PARTNER = 5 /**< a partner's referral (a letter, a portal, a fax) */
} rf_referral_source;

/** Level of care asked for. */
typedef enum rf_care_level {
    RF_CARE_UNSET = 0,
    RF_CARE_CONSULT = 1,
    RF_CARE_CO_MANAGEMENT = 2,
    RF_CARE_TRANSFER = 3
} rf_care_level;

/** How soon the referee must be seen. */
typedef enum rf_urgency {
    RF_URGENCY_UNSET = 0, /**< in options: not given (default routine) */
    RF_URGENCY_ROUTINE = 1,
    RF_URGENCY_URGENT = 2
} rf_urgency;

/** Fraud guard flags (a bit set) recorded on a referral. */
typedef enum rf_fraud_flag {
    RF_FRAUD_NONE = 0,
    RF_FRAUD_SELF_REFERRAL = 1 << 0,   /**< the referrer is the referee */
    RF_FRAUD_SHARED_CONTACT = 1 << 1,  /**< referrer and referee share an e-mail or phone */
    RF_FRAUD_EXISTING_CLIENT = 1 << 2, /**< the referee was already a client */
    RF_FRAUD_LOOP = 1 << 3,            /**< the referee already reaches the referrer in the referral graph */
    RF_FRAUD_VELOCITY = 1 << 4         /**< the referrer is over the programme's velocity cap */
} rf_fraud_flag;

/**
 * Options for rf_referral_create(). Give the programme, the referee and the
 * evidence: `code`, `visitor_key` and/or `referrer_id` (with `source`
 * saying how that referrer was named).
 */
typedef struct rf_referral_options {
    unsigned int version;   /**< the struct version: RF_REFERRAL_OPTIONS_VERSION */
    const char *program_id; /**< required */
    const char *referee_id; /**< required: the person referred (usually a LEAD) */
    rf_direction direction; /**< default inbound */
    /** Outbound only: the PARTNER the practice sends its client to. */
    const char *target_id;
    const char *code;             /**< evidence: a code the referee presented */
    const char *visitor_key;      /**< evidence: the referee's visits through codes */
    const char *referrer_id;      /**< evidence: a referrer named by intake, staff or a partner */
    rf_referral_source source;    /**< how `referrer_id` was named: INTAKE, MANUAL or PARTNER */
    rf_channel channel;           /**< default: the code's or touch's channel */
    const char *reason;           /**< why the referee is referred (clinical or personal) */
    rf_care_level care_level;     /**< consult, co-management or transfer; optional */
    rf_urgency urgency;           /**< default routine */
    const char *preferred_timing; /**< free text: "weekday mornings" */
    const char *practitioner_id;  /**< a STAFF party who takes the referral */
    const char *variant;          /**< A/B variant label the referee saw */
    /** Documents the referral needs, comma-separated labels (`letter,imaging`). */
    const char *documents_required;
    /** Documents that came with it, a subset of the required labels. */
    const char *documents_received;
    /** Optional: a retried call with the same key returns the first referral and changes nothing. */
    const char *idempotency_key;
} rf_referral_options;

/** The newest version of ::rf_referral_options this header describes. */
#define RF_REFERRAL_OPTIONS_VERSION 1
/** Static initialiser of ::rf_referral_options. */
#define RF_REFERRAL_OPTIONS_INIT                                                                             \
    {                                                                                                        \
        RF_REFERRAL_OPTIONS_VERSION, NULL, NULL, RF_DIRECTION_UNSET, NULL, NULL, NULL, NULL,                 \
            RF_SOURCE_UNSET, RF_CHANNEL_UNSET, NULL, RF_CARE_UNSET, RF_URGENCY_UNSET, NULL, NULL, NULL,      \
            NULL, NULL, NULL                                                                                 \
    }

/** Initialise @p opts to "nothing set" for structure version @p version. */
RF_API rf_status rf_referral_options_init(rf_referral_options *opts, unsigned int version);

/**
 * Create a referral in state RECEIVED and journal `referral.received` with the
 * decision and its evidence. A code used as evidence counts one use.
 *
 * Inbound referrals pass the programme's fraud guards: self-referral (the same
 * party, or a shared e-mail or phone key), a referee who is already a client
 * (when the programme excludes them), a loop of any length in the referrer
 * graph, a referrer over the velocity cap. Under ::RF_FRAUD_BLOCK a tripped
 * guard fails with ::RF_EPOLICY naming it; under ::RF_FRAUD_FLAG the referral is
 * made with its fraud flags set. A referee already attributed to a referrer
 * keeps that attribution: the call fails with ::RF_ECONFLICT and only the
 * attempt is journalled (`referral.attribution_refused`).
 *
 * @return ::RF_OK; ::RF_EINVALID (missing programme, referee or evidence, a
 *         bad field); ::RF_ENOTFOUND (unknown programme, party or code, no
 *         touches in the window); ::RF_ESTATE (code not usable); ::RF_EPOLICY;
 *         ::RF_ECONFLICT; ::RF_EBACKEND; ::RF_EBUSY
 */
RF_API rf_status rf_referral_create(rf_referral **out, rf_store *store, const rf_referral_options *opts);

/** Get a referral by id. ::RF_ENOTFOUND. */
RF_API rf_status rf_referral_get(rf_referral **out, rf_store *store, const char *id);

/** Options for rf_referral_advance(). */
typedef struct rf_advance_options {
    unsigned int version; /**< the struct version: RF_ADVANCE_OPTIONS_VERSION */
    /** Why: required for DECLINED, CANCELLED, LOST and ON_HOLD. */
    const char *reason;
    /** SCHEDULED only: when the appointment is (required there, ignored elsewhere). */
    rf_time appointment_at;
    /** Optional: a retried call with the same key returns the first result and changes nothing. */
    const char *idempotency_key;
} rf_advance_options;

/** The newest version of ::rf_advance_options this header describes. */
#define RF_ADVANCE_OPTIONS_VERSION 1
/** Static initialiser of ::rf_advance_options. */
#define RF_ADVANCE_OPTIONS_INIT                                                                              \
    {                                                                                                        \
        RF_ADVANCE_OPTIONS_VERSION, NULL, RF_TIME_UNSET, NULL                                                \
    }

/** Initialise @p opts to "nothing set" for structure version @p version. */
RF_API rf_status rf_advance_options_init(rf_advance_options *opts, unsigned int version);

/**
 * Move a referral to state @p to and journal `referral.advanced` (a
 * reschedule, a further visit and a no-show each get their own event). The
 * first time a state is reached is kept. Closing an inbound referral makes a
 * LEAD referee a CLIENT and, when the programme says so, issues them a code.
 * @p opts may be NULL where no reason is needed.
 *
 * @return ::RF_OK; ::RF_ESTATE (not a legal move: the message names the
 *         current state and the move); ::RF_EINVALID (a missing reason or
 *         appointment time); ::RF_ENOTFOUND; ::RF_ECONFLICT; ::RF_EBACKEND
 */
RF_API rf_status rf_referral_advance(rf_referral **out, rf_store *store, const char *id, rf_referral_state to,
                                     const rf_advance_options *opts);

/**
 * Leave ON_HOLD for the state the referral was in before, keeping its
 * appointment. ::RF_ESTATE when it is not on hold; otherwise as
 * rf_referral_advance(). A retry with the same key returns the first result.
 */
RF_API rf_status rf_referral_resume(rf_referral **out, rf_store *store, const char *id,
                                    const char *idempotency_key);

/**
 * Record that a document arrived (one of the required labels) and journal
 * `referral.document_received`. Idempotent: a document already received is
 * not an error. ::RF_EINVALID when @p document is not required.
 */
RF_API rf_status rf_referral_receive_document(rf_referral **out, rf_store *store, const char *id,
                                              const char *document);

/** Which referrals rf_referral_list() returns. */
typedef struct rf_referral_filter {
    unsigned int version;    /**< the struct version: RF_REFERRAL_FILTER_VERSION */
    const char *program_id;  /**< only this programme; NULL for all */
    const char *referrer_id; /**< only this referrer's; NULL for all */
    const char *referee_id;  /**< only this referee's; NULL for all */
    rf_direction direction;  /**< only this direction; UNSET for both */
    rf_time received_from;   /**< received at or after; ::RF_TIME_UNSET for no bound */
    rf_time received_to;     /**< received before; ::RF_TIME_UNSET for no bound */
} rf_referral_filter;

/** The newest version of ::rf_referral_filter this header describes. */
#define RF_REFERRAL_FILTER_VERSION 1
/** Static initialiser of ::rf_referral_filter: everything. */
#define RF_REFERRAL_FILTER_INIT                                                                              \
    {                                                                                                        \
        RF_REFERRAL_FILTER_VERSION, NULL, NULL, NULL, RF_DIRECTION_UNSET, RF_TIME_UNSET, RF_TIME_UNSET       \
    }

/** Initialise @p filter to "everything" for structure version @p version. */
RF_API rf_status rf_referral_filter_init(rf_referral_filter *filter, unsigned int version);

/** Iterate over referrals in the order they were received. @p filter may be NULL. Free before the store. */
RF_API rf_status rf_referral_list(rf_referral_iter **out, rf_store *store, const rf_referral_filter *filter);

/** The next referral, or ::RF_ITEROVER (with *out NULL) at the end. */
RF_API rf_status rf_referral_iter_next(rf_referral **out, rf_referral_iter *iter);

/** Free an iterator. Accepts NULL. */
RF_API void rf_referral_iter_free(rf_referral_iter *iter);

/** Free a referral. Accepts NULL. */
RF_API void rf_referral_free(rf_referral *referral);

/** @name Referral accessors
 * Strings are borrowed from the referral; an unset optional text is NULL.
 * @{ */
RF_API const char *rf_referral_id(const rf_referral *r);
RF_API const char *rf_referral_program_id(const rf_referral *r);
RF_API const char *rf_referral_referrer_id(const rf_referral *r);
RF_API const char *rf_referral_referee_id(const rf_referral *r);
RF_API const char *rf_referral_target_id(const rf_referral *r);
RF_API rf_direction rf_referral_direction(const rf_referral *r);
RF_API rf_referral_source rf_referral_get_source(const rf_referral *r);
RF_API rf_channel rf_referral_channel(const rf_referral *r);
RF_API const char *rf_referral_code_id(const rf_referral *r);
RF_API const char *rf_referral_touch_id(const rf_referral *r);
/** The decision's evidence as `key=value` pairs (`model=LAST_TOUCH;touches=3`), without personal data. */
RF_API const char *rf_referral_evidence(const rf_referral *r);
RF_API rf_referral_state rf_referral_get_state(const rf_referral *r);
/** While ON_HOLD: the state it resumes to; otherwise UNSET. */
RF_API rf_referral_state rf_referral_held_state(const rf_referral *r);
/** The reason given with the latest move that took one (or at creation). */
RF_API const char *rf_referral_reason(const rf_referral *r);
RF_API rf_care_level rf_referral_care_level(const rf_referral *r);
RF_API rf_urgency rf_referral_urgency(const rf_referral *r);
RF_API const char *rf_referral_preferred_timing(const rf_referral *r);
RF_API const char *rf_referral_practitioner_id(const rf_referral *r);
RF_API const char *rf_referral_variant(const rf_referral *r);
RF_API const char *rf_referral_documents_required(const rf_referral *r);
RF_API const char *rf_referral_documents_received(const rf_referral *r);
/** 1 when every required document had arrived when the referral was received. */
RF_API int rf_referral_documents_complete_at_receipt(const rf_referral *r);
/** ::rf_fraud_flag bits. */
RF_API int rf_referral_fraud_flags(const rf_referral *r);
/** When state @p state was first reached, or ::RF_TIME_NONE. */
RF_API rf_time rf_referral_reached_at(const rf_referral *r, rf_referral_state state);
/** The current (latest) appointment, or ::RF_TIME_NONE. */
RF_API rf_time rf_referral_appointment_at(const rf_referral *r);
/** The first appointment ever booked, or ::RF_TIME_NONE. */
RF_API rf_time rf_referral_first_appointment_at(const rf_referral *r);
RF_API int rf_referral_reschedules(const rf_referral *r); /**< SCHEDULED → SCHEDULED moves */
RF_API int rf_referral_no_shows(const rf_referral *r);
RF_API int rf_referral_visits(const rf_referral *r); /**< times SEEN was reached */
RF_API rf_time rf_referral_updated_at(const rf_referral *r);
/** @} */

/* --- states -------------------------------------------------------------------- */

/** "RECEIVED", "ON_HOLD", ...; "UNSET" for anything else. Static. */
RF_API const char *rf_referral_state_name(rf_referral_state state);

/** 1 when @p state is terminal (CLOSED, DECLINED, CANCELLED, LOST, ENTERED_IN_ERROR). */
RF_API int rf_referral_state_is_terminal(rf_referral_state state);

/**
 * 1 when the table allows @p from → @p to. ON_HOLD's resume depends on the
 * state it left, which this table-level check cannot know: it answers 0 for
 * ON_HOLD → anything but ENTERED_IN_ERROR.
 */
RF_API int rf_referral_state_can_move(rf_referral_state from, rf_referral_state to);

/**
 * The FHIR R4 `Task.status` of a state and its `businessStatus` text, e.g.
 * SCHEDULED → "in-progress" / "appointment-scheduled". Static strings; either
 * output may be NULL. ::RF_EINVALID for an unknown state.
 */
RF_API rf_status rf_referral_state_fhir(rf_referral_state state, const char **task_status,
                                        const char **business_status);

/* --- views ------------------------------------------------------------------------ */

/** A referrer's view of one of their referrals. Opaque; free with rf_referrer_entry_free(). */
typedef struct rf_referrer_entry rf_referrer_entry;

/** An iterator over a referrer's view. Free with rf_referrer_view_free(). */
typedef struct rf_referrer_view rf_referrer_view;

/** What a referrer is told about a referral. */
typedef enum rf_referrer_status {
    RF_REFERRER_STATUS_UNSET = 0,  /**< not an entry */
    RF_REFERRER_RECEIVED = 1,      /**< received, being looked at, on hold */
    RF_REFERRER_BOOKED = 2,        /**< an appointment is (or was) booked */
    RF_REFERRER_SEEN = 3,          /**< the referee was seen */
    RF_REFERRER_CLOSED = 4,        /**< the referee became a client */
    RF_REFERRER_NOT_PROCEEDING = 5 /**< declined, cancelled, lost */
} rf_referrer_status;

/**
 * The referrals made by @p referrer_id, oldest first, as the referrer may see
 * them: the referee by initials ("J. D.") unless the referee consented to
 * share (::RF_CONSENT_SHARE_CONTACT), never with contact details. Referrals
 * entered in error are left out. Free the view before the store.
 */
RF_API rf_status rf_referrer_view_open(rf_referrer_view **out, rf_store *store, const char *referrer_id);

/** The next entry, or ::RF_ITEROVER (with *out NULL) at the end. */
RF_API rf_status rf_referrer_view_next(rf_referrer_entry **out, rf_referrer_view *view);

/** Free a view. Accepts NULL. */
RF_API void rf_referrer_view_free(rf_referrer_view *view);

/** Free an entry. Accepts NULL. */
RF_API void rf_referrer_entry_free(rf_referrer_entry *entry);

/** @name Referrer view accessors
 * Strings are borrowed from the entry.
 * @{ */
RF_API const char *rf_referrer_entry_referral_id(const rf_referrer_entry *e);
/** The referee's name if they consented, otherwise their initials. */
RF_API const char *rf_referrer_entry_referee_label(const rf_referrer_entry *e);
RF_API rf_referrer_status rf_referrer_entry_status(const rf_referrer_entry *e);
RF_API rf_time rf_referrer_entry_received_at(const rf_referrer_entry *e);
/** @} */

/** "RECEIVED", "BOOKED", "SEEN", "CLOSED", "NOT_PROCEEDING". Static. */
RF_API const char *rf_referrer_status_name(rf_referrer_status status);

/** Per partner: how many referrals the practice gave and received in a period. Opaque. */
typedef struct rf_partner_exchange rf_partner_exchange;

/**
 * Count, for every partner with at least one referral received in
 * [@p from, @p to), the inbound referrals it sent and the outbound referrals
 * the practice sent to it (entered-in-error ones left out). Rows are ordered
 * by partner id.
 */
RF_API rf_status rf_partner_exchange_compute(rf_partner_exchange **out, rf_store *store, rf_time from,
                                             rf_time to);

/** Free a result. Accepts NULL. */
RF_API void rf_partner_exchange_free(rf_partner_exchange *x);

/** @name Partner exchange rows
 * Row @p row runs from 0 to the count - 1; out-of-range rows read as NULL / 0.
 * @{ */
RF_API size_t rf_partner_exchange_count(const rf_partner_exchange *x);
RF_API const char *rf_partner_exchange_partner_id(const rf_partner_exchange *x, size_t row);
/** Outbound referrals the practice sent to the partner. */
RF_API int rf_partner_exchange_given(const rf_partner_exchange *x, size_t row);
/** Inbound referrals the partner sent to the practice. */
RF_API int rf_partner_exchange_received(const rf_partner_exchange *x, size_t row);
/** @} */

/** @name Enum names
 * The enum value's name ("CODE", "CONSULT", "URGENT", "INBOUND"), or "UNSET"
 * for anything else. Static strings.
 * @{ */
/** The name of a source: "CODE", "TOUCH", "INTAKE", "MANUAL", "PARTNER". */
RF_API const char *rf_referral_source_name(rf_referral_source source);
RF_API const char *rf_care_level_name(rf_care_level level);
RF_API const char *rf_urgency_name(rf_urgency urgency);
RF_API const char *rf_direction_name(rf_direction direction);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* REFERRAL_REFERRALS_H */
