/**
 * @file referral/events.h
 * @brief Client events: what the host tells the library about a client.
 *
 * A completed visit, an NPS score, a milestone, a discharge, a cleared
 * payment, praise, a complaint opened or resolved, revenue, and the host's
 * "sensitive phase" flag. Events are append-only and idempotent by key; they
 * are the input to asking at the right moment and to the revenue and NPS
 * figures of the KPIs. An event carries no personal data beyond the ids it
 * links (labels are short host labels such as a milestone's name).
 *
 * Recording a completed visit for a party without a first-visit time sets it
 * (journalled as `party.updated`), so "N days after the first visit" works
 * for hosts that never set it themselves.
 */
#ifndef REFERRAL_EVENTS_H
#define REFERRAL_EVENTS_H

#include "common.h"
#include "errors.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A client event, owned by the caller. Free with rf_client_event_free(). */
typedef struct rf_client_event rf_client_event;
/** An iterator over client events. Free with rf_client_event_iter_free(). */
typedef struct rf_client_event_iter rf_client_event_iter;

/** What happened. The fields each type takes are listed with rf_client_event_options. */
typedef enum rf_client_event_type {
    RF_CLIENT_EVENT_UNSET = 0,
    RF_CLIENT_EVENT_VISIT_COMPLETED = 1,    /**< practitioner optional */
    RF_CLIENT_EVENT_NPS = 2,                /**< value: the score 0..10 */
    RF_CLIENT_EVENT_MILESTONE = 3,          /**< label: the milestone's name (required) */
    RF_CLIENT_EVENT_DISCHARGE = 4,          /**< value: ::rf_discharge_outcome (required) */
    RF_CLIENT_EVENT_PAYMENT_CLEARED = 5,    /**< amount + currency optional */
    RF_CLIENT_EVENT_PRAISE = 6,             /**< label optional (where it was said) */
    RF_CLIENT_EVENT_COMPLAINT_OPENED = 7,   /**< label: the host's complaint reference (required) */
    RF_CLIENT_EVENT_COMPLAINT_RESOLVED = 8, /**< label: the reference of an open complaint (required) */
    RF_CLIENT_EVENT_REVENUE = 9,            /**< amount + currency (required) */
    RF_CLIENT_EVENT_SENSITIVE_PHASE = 10    /**< value: 1 entering, 0 leaving a sensitive phase */
} rf_client_event_type;

/** The number of event types, for tables indexed by type. */
#define RF_CLIENT_EVENT_TYPE_COUNT 11

/** How a discharge went. */
typedef enum rf_discharge_outcome {
    RF_DISCHARGE_UNSET = 0,
    RF_DISCHARGE_GOOD = 1,    /**< goals met: a good moment to ask */
    RF_DISCHARGE_NEUTRAL = 2, /**< ended without a clear result */
    RF_DISCHARGE_POOR = 3     /**< goals not met, or ended early */
} rf_discharge_outcome;

/** "VISIT_COMPLETED", "NPS", ...; "UNSET" for anything else. Static. */
RF_API const char *rf_client_event_type_name(rf_client_event_type type);

/** An event for rf_client_event_add(). */
typedef struct rf_client_event_options {
    unsigned int version;        /**< the struct version: RF_CLIENT_EVENT_OPTIONS_VERSION */
    const char *party_id;        /**< required: a CLIENT or LEAD */
    rf_client_event_type type;   /**< required */
    rf_time at;                  /**< when it happened; ::RF_TIME_UNSET: now (the store's clock) */
    const char *practitioner_id; /**< VISIT_COMPLETED: the STAFF party who saw the client */
    int value;                   /**< NPS score, discharge outcome or sensitive flag; ::RF_UNSET elsewhere */
    const char *label;           /**< milestone, complaint reference, praise source; short label */
    int64_t amount;              /**< minor units, 1.. (REVENUE, PAYMENT_CLEARED); or RF_AMOUNT_UNSET */
    const char *currency;        /**< ISO 4217 with an amount */
    /** Optional: a retried call with the same key returns the first event and changes nothing. */
    const char *idempotency_key;
} rf_client_event_options;

/** The newest version of ::rf_client_event_options this header describes. */
#define RF_CLIENT_EVENT_OPTIONS_VERSION 1
/** Static initialiser of ::rf_client_event_options: nothing set. */
#define RF_CLIENT_EVENT_OPTIONS_INIT                                                                         \
    {                                                                                                        \
        RF_CLIENT_EVENT_OPTIONS_VERSION, NULL, RF_CLIENT_EVENT_UNSET, RF_TIME_UNSET, NULL, RF_UNSET, NULL,   \
            INT64_MIN, NULL, NULL                                                                            \
    }

/** Initialise @p opts to "nothing set" for structure version @p version. */
RF_API rf_status rf_client_event_options_init(rf_client_event_options *opts, unsigned int version);

/**
 * Record an event and journal `client.event` (subject: the event; object: the
 * client; data: `type=NPS;value=10`).
 * @return ::RF_OK; ::RF_EINVALID (a field the type needs is missing or out of
 *         range, a field it does not take is given, a time before 1970 or
 *         more than a day ahead of the store's clock); ::RF_ENOTFOUND (party,
 *         practitioner); ::RF_ESTATE (the party is a PARTNER or STAFF; a
 *         complaint resolved that is not open); ::RF_ECONFLICT; ::RF_EBACKEND
 */
RF_API rf_status rf_client_event_add(rf_client_event **out, rf_store *store,
                                     const rf_client_event_options *opts);

/** Which events rf_client_event_list() returns. NULL / unset fields do not filter. */
typedef struct rf_client_event_filter {
    unsigned int version;      /**< the struct version: RF_CLIENT_EVENT_FILTER_VERSION */
    const char *party_id;      /**< only this client's */
    rf_client_event_type type; /**< only this type */
    rf_time from;              /**< only events at or after; ::RF_TIME_UNSET: no bound */
    rf_time to;                /**< only events before; ::RF_TIME_UNSET: no bound */
} rf_client_event_filter;

/** The newest version of ::rf_client_event_filter this header describes. */
#define RF_CLIENT_EVENT_FILTER_VERSION 1
/** Static initialiser of ::rf_client_event_filter: everything. */
#define RF_CLIENT_EVENT_FILTER_INIT                                                                          \
    {                                                                                                        \
        RF_CLIENT_EVENT_FILTER_VERSION, NULL, RF_CLIENT_EVENT_UNSET, RF_TIME_UNSET, RF_TIME_UNSET            \
    }

/** Initialise @p filter to "everything" for structure version @p version. */
RF_API rf_status rf_client_event_filter_init(rf_client_event_filter *filter, unsigned int version);

/** Iterate over the events matching @p filter (NULL: all) in the order they were recorded. */
RF_API rf_status rf_client_event_list(rf_client_event_iter **out, rf_store *store,
                                      const rf_client_event_filter *filter);

/** The next event, or ::RF_ITEROVER (with *out NULL) at the end. */
RF_API rf_status rf_client_event_iter_next(rf_client_event **out, rf_client_event_iter *iter);

/** Free an iterator. Accepts NULL. */
RF_API void rf_client_event_iter_free(rf_client_event_iter *iter);

/** Free an event. Accepts NULL. */
RF_API void rf_client_event_free(rf_client_event *event);

/** @name Client event accessors
 * Strings are borrowed from the event; unset fields read as NULL / 0 / ::RF_UNSET (value).
 * @{ */
/** The event's id (UUID text). */
RF_API const char *rf_client_event_id(const rf_client_event *event);
RF_API const char *rf_client_event_party_id(const rf_client_event *event);
RF_API rf_client_event_type rf_client_event_get_type(const rf_client_event *event);
RF_API const char *rf_client_event_practitioner_id(const rf_client_event *event);
RF_API int rf_client_event_value(const rf_client_event *event);
RF_API const char *rf_client_event_label(const rf_client_event *event);
RF_API int64_t rf_client_event_amount(const rf_client_event *event);
RF_API const char *rf_client_event_currency(const rf_client_event *event);
/** When it happened. */
RF_API rf_time rf_client_event_at(const rf_client_event *event);
/** When it was recorded. */
RF_API rf_time rf_client_event_recorded_at(const rf_client_event *event);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* REFERRAL_EVENTS_H */
