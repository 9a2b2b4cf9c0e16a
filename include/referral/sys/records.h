/**
 * @file referral/sys/records.h
 * @brief The records and queries of the backend contract.
 *
 * What a backend stores and scans, one struct per kind of record and per
 * scan; referral/sys/backend.h (which includes this header) says how. Like
 * the vtable, records grow only at their end: a field added in contract
 * version N is written and read only by backends that declare N or later.
 * Enums are stored as their integer values; strings are UTF-8, NULL when
 * unset; times are seconds (UTC), 0 when unset.
 */
#ifndef REFERRAL_SYS_RECORDS_H
#define REFERRAL_SYS_RECORDS_H

#include "../common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A party as stored. Enums are stored as their integer values. */
typedef struct rf_party_record {
    const char *id;              /**< UUID text; primary key within the practice */
    const char *external_id;     /**< unique within the practice when not NULL */
    const char *display_name;    /**< as given, UTF-8 */
    const char *email;           /**< normalised */
    const char *phone;           /**< E.164 */
    const char *email_key;       /**< contact key of the e-mail (indexed) */
    const char *phone_key;       /**< contact key of the phone (indexed) */
    const char *segment;         /**< host-defined label */
    const char *practitioner_id; /**< id of a STAFF party */
    const char *intake_detail;   /**< intake source detail */
    int kind;                    /**< ::rf_party_kind */
    int consent;                 /**< ::rf_consent bits */
    int payer;                   /**< ::rf_payer */
    int intake;                  /**< ::rf_intake */
    rf_time first_visit_at;      /**< 0: none */
    rf_time created_at;          /**< when it was added */
    rf_time updated_at;          /**< when it last changed */
    /* Version 4. */
    int preferred_channel; /**< ::rf_channel the party prefers to hear on; 0: not said */
} rf_party_record;

/** Which parties a party scan visits, in ascending id order. */
typedef struct rf_party_query {
    const char *after_id;    /**< only ids greater than this (keyset paging); NULL from the start */
    int kind;                /**< only this kind; 0 for all */
    const char *contact_key; /**< only parties whose email_key or phone_key equals it; NULL for all */
    unsigned int limit;      /**< visit at most this many; 0 for no limit */
} rf_party_query;

/** A referral code as stored. */
typedef struct rf_code_record {
    const char *id;            /**< UUID text; primary key within the practice */
    const char *key;           /**< folded form, unique within the practice (lookups) */
    const char *text;          /**< as shown to people */
    const char *owner_id;      /**< the owning party (indexed with id for listing) */
    const char *program_id;    /**< the programme it belongs to, or NULL */
    const char *revoke_reason; /**< why it was revoked, when it was */
    int style;                 /**< ::rf_code_style */
    int channel;               /**< ::rf_channel */
    int max_uses;              /**< 0: unlimited */
    int uses;                  /**< how often it was used */
    rf_time created_at;        /**< when it was issued */
    rf_time expires_at;        /**< 0: never */
    rf_time revoked_at;        /**< 0: not revoked */
} rf_code_record;

/** Which codes a code scan visits, in ascending id order. */
typedef struct rf_code_query {
    const char *after_id; /**< only ids greater than this; NULL from the start */
    const char *owner_id; /**< only this owner's codes; NULL for all */
    unsigned int limit;   /**< visit at most this many; 0 for no limit */
} rf_code_query;

/** A journal event as stored. */
typedef struct rf_event_record {
    int64_t seq;                 /**< assigned by journal_append: 1 + the practice's highest */
    const char *type;            /**< e.g. "party.added" */
    const char *subject_id;      /**< the record that changed */
    const char *object_id;       /**< a related record (a code's owner), or NULL */
    const char *idempotency_key; /**< of the call that made the change, or NULL */
    const char *data;            /**< small `key=value` details, never personal data, or NULL */
    rf_time at;                  /**< when it happened */
} rf_event_record;

/** An idempotency key's first use. Unique per (practice, key). */
typedef struct rf_idempotency_record {
    const char *key;       /**< the key the host chose */
    const char *operation; /**< e.g. "party.add" */
    const char *result_id; /**< id of the record the first call returned */
    uint64_t fingerprint;  /**< hash of the first call's arguments */
    rf_time created_at;    /**< when the key was first used */
} rf_idempotency_record;

/** A programme as stored (contract version 2). */
typedef struct rf_program_record {
    const char *id;   /**< UUID text; primary key within the practice */
    const char *name; /**< unique within the practice */
    /** The settings, serialised by the library (`key=value;...`); opaque to backends. */
    const char *settings;
    rf_time created_at; /**< when it was created */
    rf_time updated_at; /**< when it last changed */
} rf_program_record;

/** A touch as stored (contract version 2). */
typedef struct rf_touch_record {
    const char *id;          /**< UUID text; primary key within the practice */
    const char *code_id;     /**< the code visited through */
    const char *owner_id;    /**< the code's owner */
    const char *program_id;  /**< the code's programme, or NULL */
    const char *visitor_key; /**< the host's opaque visitor key (indexed) */
    int channel;             /**< ::rf_channel */
    rf_time at;              /**< when the visit happened */
} rf_touch_record;

/** Which touches a touch scan visits, in ascending id order. */
typedef struct rf_touch_query {
    const char *after_id;    /**< only ids greater than this; NULL from the start */
    const char *visitor_key; /**< only this visitor's; NULL for all */
    rf_time from;            /**< only touches at or after; ::RF_TIME_UNSET for no bound */
    rf_time to;              /**< only touches before; ::RF_TIME_UNSET for no bound */
    unsigned int limit;      /**< visit at most this many; 0 for no limit */
} rf_touch_query;

/** The number of per-state timestamps in ::rf_referral_record (index = ::rf_referral_state). */
#define RF_BACKEND_STATE_SLOTS 15

/** A referral as stored (contract version 2). */
typedef struct rf_referral_record {
    const char *id;                 /**< UUID text; primary key within the practice */
    const char *program_id;         /**< the programme */
    const char *referrer_id;        /**< who referred (indexed) */
    const char *referee_id;         /**< who was referred (indexed) */
    const char *target_id;          /**< outbound: the partner sent to (indexed); NULL inbound */
    const char *code_id;            /**< evidence: the code, or NULL */
    const char *touch_id;           /**< evidence: the touch, or NULL */
    const char *evidence;           /**< the decision's evidence as `key=value` pairs */
    const char *reason;             /**< the latest reason given */
    const char *preferred_timing;   /**< free text */
    const char *practitioner_id;    /**< a STAFF party */
    const char *variant;            /**< A/B variant label */
    const char *documents_required; /**< comma-separated labels */
    const char *documents_received; /**< comma-separated labels */
    /**
     * The referee's id while this referral holds the referee's attribution,
     * else NULL. Unique within the practice: insert and update fail with
     * ::RF_EEXISTS when another referral holds it, which is how two writers
     * attributing one referee at once are told apart.
     */
    const char *attribution_key;
    int direction;          /**< ::rf_direction */
    int source;             /**< ::rf_referral_source */
    int channel;            /**< ::rf_channel */
    int state;              /**< ::rf_referral_state */
    int held_state;         /**< while ON_HOLD: the state to resume to; else 0 */
    int care_level;         /**< ::rf_care_level */
    int urgency;            /**< ::rf_urgency */
    int fraud_flags;        /**< ::rf_fraud_flag bits */
    int documents_complete; /**< 1 when every required document came with it */
    int reschedules;        /**< SCHEDULED → SCHEDULED moves */
    int no_shows;           /**< times NO_SHOW was reached */
    int visits;             /**< times SEEN was reached */
    /**
     * When each state was first reached (index = state; 0 = never); [RECEIVED] is
     * when it was received. Slot 0 stands for no state: the library leaves it 0,
     * and a backend stores all slots as given.
     */
    rf_time reached_at[RF_BACKEND_STATE_SLOTS];
    rf_time appointment_at;       /**< the latest appointment, or 0 */
    rf_time first_appointment_at; /**< the first appointment, or 0 */
    rf_time updated_at;           /**< when it last changed */
} rf_referral_record;

/** Which referrals a referral scan visits, in ascending id order. NULL / unset fields do not filter. */
typedef struct rf_referral_query {
    const char *after_id;    /**< only ids greater than this */
    const char *program_id;  /**< only this programme's */
    const char *referrer_id; /**< only this referrer's */
    const char *referee_id;  /**< only this referee's */
    const char *target_id;   /**< only those sent to this partner */
    int direction;           /**< only this direction; 0 for both */
    rf_time received_from;   /**< reached_at[RECEIVED] at or after; ::RF_TIME_UNSET for no bound */
    rf_time received_to;     /**< reached_at[RECEIVED] before; ::RF_TIME_UNSET for no bound */
    unsigned int limit;      /**< visit at most this many; 0 for no limit */
} rf_referral_query;

/** A reward rule as stored (contract version 3). */
typedef struct rf_reward_rule_record {
    const char *id;         /**< UUID text; primary key within the practice */
    const char *program_id; /**< the programme (indexed with id for listing) */
    const char *name;       /**< label */
    const char *currency;   /**< ISO 4217 or NULL */
    const char *item;       /**< item text or NULL */
    int recipient;          /**< ::rf_reward_recipient */
    int trigger;            /**< ::rf_referral_state */
    int kind;               /**< ::rf_reward_kind */
    int percent;            /**< 0 unless a percent discount */
    int expiry_days;        /**< 0: never */
    int hold_days;          /**< 0: released at once */
    int cap_count;          /**< 0: no cap */
    int cap_days;           /**< the cap period */
    int tier;               /**< threshold on the referrer's count */
    int active;             /**< 1, or 0 once retired */
    int64_t amount;         /**< minor units, 0 when none */
    rf_time created_at;     /**< when it was added */
    rf_time updated_at;     /**< when it last changed */
} rf_reward_rule_record;

/** A grant as stored (contract version 3). Only status and the times after issue change. */
typedef struct rf_grant_record {
    const char *id; /**< UUID text; primary key within the practice */
    /** `rule:referral:recipient` ids; unique within the practice (exactly-once grants). */
    const char *grant_key;
    const char *rule_id;      /**< the rule (indexed) */
    const char *program_id;   /**< the rule's programme */
    const char *referral_id;  /**< the referral that earned it (indexed) */
    const char *recipient_id; /**< the party it is for (indexed) */
    const char *currency;     /**< ISO 4217 or NULL */
    const char *item;         /**< item text or NULL */
    int recipient;            /**< ::rf_reward_recipient */
    int kind;                 /**< ::rf_reward_kind given */
    int rule_kind;            /**< ::rf_reward_kind the rule named */
    int compliance;           /**< 1 when compliance mode converted it */
    int percent;              /**< percent discount, else 0 */
    int tier_count;           /**< the referrer's count that earned it, else 0 */
    int status;               /**< ::rf_grant_status */
    int64_t amount;           /**< minor units, 0 when none */
    int64_t units;            /**< ledger units: the amount for money, 1 for an item, 0 for a note */
    rf_time issued_at;        /**< when issued */
    rf_time release_at;       /**< when due for release */
    rf_time released_at;      /**< when released, or 0 */
    rf_time expires_at;       /**< when what is left expires, or 0 */
    rf_time closed_at;        /**< when settled, expired or reversed, or 0 */
    rf_time updated_at;       /**< when it last changed */
} rf_grant_record;

/**
 * Which grants a grant scan visits, in ascending id order. NULL / unset
 * fields do not filter; the time bounds are inclusive upper bounds that
 * skip records whose time is 0.
 */
typedef struct rf_grant_query {
    const char *after_id;     /**< only ids greater than this */
    const char *recipient_id; /**< only this recipient's */
    const char *referral_id;  /**< only this referral's */
    const char *rule_id;      /**< only this rule's */
    int status;               /**< only this status; 0 for all */
    rf_time release_by;       /**< only release_at != 0 and <= this; ::RF_TIME_UNSET for no bound */
    rf_time expires_by;       /**< only expires_at != 0 and <= this; ::RF_TIME_UNSET for no bound */
    rf_time issued_from;      /**< only issued_at >= this; ::RF_TIME_UNSET for no bound */
    unsigned int limit;       /**< visit at most this many; 0 for no limit */
} rf_grant_query;

/** A ledger entry as stored (contract version 3). Entries are never changed. */
typedef struct rf_ledger_record {
    const char *id;          /**< UUID text; primary key within the practice */
    const char *entry_key;   /**< unique within the practice: what makes the entry happen once */
    const char *grant_id;    /**< the grant (indexed) */
    const char *party_id;    /**< the grant's recipient (indexed) */
    const char *currency;    /**< ISO 4217 or NULL */
    const char *reference;   /**< the host's reference, or NULL */
    int type;                /**< ::rf_ledger_type */
    int64_t amount;          /**< units moved, >= 0 */
    int64_t pending_delta;   /**< signed change to pending */
    int64_t available_delta; /**< signed change to available */
    int64_t seq;             /**< journal sequence of its event; unique, the ledger's order */
    rf_time at;              /**< when it was recorded */
} rf_ledger_record;

/** Which entries a ledger scan visits, in ascending seq order. NULL fields do not filter. */
typedef struct rf_ledger_query {
    int64_t after_seq;    /**< only seq greater than this; 0 from the start */
    const char *party_id; /**< only this party's */
    const char *grant_id; /**< only this grant's */
    unsigned int limit;   /**< visit at most this many; 0 for no limit */
} rf_ledger_query;

/** A client event as stored (contract version 4): what the host reported about a client. */
typedef struct rf_client_event_record {
    const char *id;              /**< UUID text; primary key within the practice */
    const char *party_id;        /**< the client (indexed with id) */
    const char *practitioner_id; /**< a STAFF party (visits), or NULL */
    const char *label;           /**< milestone name, discharge outcome, complaint reference, or NULL */
    const char *currency;        /**< ISO 4217 with an amount, or NULL */
    int type;                    /**< the event's type (the library's enum) */
    int value;                   /**< NPS 0..10, a flag 0/1, or 0 */
    int64_t amount;              /**< revenue in minor units, or 0 */
    rf_time at;                  /**< when it happened (host's time; indexed for period queries) */
    rf_time recorded_at;         /**< when it was recorded */
} rf_client_event_record;

/** Which client events a scan visits, in ascending id order. NULL / unset fields do not filter. */
typedef struct rf_client_event_query {
    const char *after_id; /**< only ids greater than this */
    const char *party_id; /**< only this client's */
    int type;             /**< only this type; 0 for all */
    rf_time from;         /**< only at >= this; ::RF_TIME_UNSET for no bound */
    rf_time to;           /**< only at < this; ::RF_TIME_UNSET for no bound */
    unsigned int limit;   /**< visit at most this many; 0 for no limit */
} rf_client_event_query;

/** An outbox task as stored (contract version 4). */
typedef struct rf_task_record {
    const char *id; /**< UUID text; primary key within the practice */
    /** What makes the task happen once (e.g. `thank:<referral id>`); unique within the practice. */
    const char *task_key;
    const char *party_id;      /**< who it is for (indexed with id) */
    const char *referral_id;   /**< the referral it is about (indexed with id), or NULL */
    const char *program_id;    /**< the programme, or NULL */
    const char *template_name; /**< the message template it renders, or NULL */
    const char *data;          /**< small `key=value` details (a reason, a step), or NULL */
    const char *lease_owner;   /**< the token of whoever holds the lease, or NULL */
    const char *last_error;    /**< the host's last delivery failure, or NULL */
    int kind;                  /**< the task's kind (the library's enum) */
    int state;                 /**< the task's state (the library's enum) */
    int channel;               /**< ::rf_channel to send on, or 0 */
    int attempts;              /**< deliveries handed out so far */
    int outcome;               /**< for asks: the recorded outcome, or 0 */
    rf_time due_at;            /**< when it may be handed out (indexed with state) */
    rf_time deadline_at;       /**< when it should be done by, or 0 */
    rf_time lease_until;       /**< while handed out: when the lease ends; else 0 */
    rf_time sent_at;           /**< when the host reported it sent, or 0 */
    rf_time closed_at;         /**< when it was acked, failed for good or cancelled, or 0 */
    rf_time created_at;        /**< when it was created */
    rf_time updated_at;        /**< when it last changed */
} rf_task_record;

/** Which tasks a task scan visits, in ascending id order. NULL / unset fields do not filter. */
typedef struct rf_task_query {
    const char *after_id;    /**< only ids greater than this */
    const char *party_id;    /**< only this party's */
    const char *referral_id; /**< only this referral's */
    int kind;                /**< only this kind; 0 for all */
    int state;               /**< only this state; 0 for all */
    rf_time due_by;          /**< only due_at <= this; ::RF_TIME_UNSET for no bound */
    /** Only tasks not leased at this time (lease_until <= this, or 0); ::RF_TIME_UNSET for no bound. */
    rf_time lease_free_at;
    unsigned int limit; /**< visit at most this many; 0 for no limit */
} rf_task_query;

/** A message template as stored (contract version 4). */
typedef struct rf_template_record {
    const char *id;         /**< UUID text; primary key within the practice */
    const char *program_id; /**< the programme it belongs to, or NULL for the whole practice */
    const char *name;       /**< e.g. `ask.sms.new`; unique per (practice, programme) */
    const char *subject;    /**< e-mail subject, or NULL */
    const char *body;       /**< the template text, validated by the library */
    int channel;            /**< ::rf_channel it is written for */
    rf_time created_at;     /**< when it was first saved */
    rf_time updated_at;     /**< when it last changed */
} rf_template_record;

#ifdef __cplusplus
}
#endif

#endif /* REFERRAL_SYS_RECORDS_H */
