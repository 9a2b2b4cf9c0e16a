/**
 * @file referral/program.h
 * @brief Programmes: one referral programme's rules.
 *
 * A practice may run several programmes (client advocates, GP partners). A
 * programme holds the attribution policy (window, first- or last-touch,
 * whether existing clients are excluded), the code style and whether a code
 * is issued automatically when a referee becomes a client, and the fraud
 * policy (block or flag, velocity cap), and the reward policy (clawback,
 * compliance mode; the reward rules themselves are records of their own,
 * see referral/rewards.h). Later versions append ask and SLA settings to
 * ::rf_program_options; fields are only ever appended.
 */
#ifndef REFERRAL_PROGRAM_H
#define REFERRAL_PROGRAM_H

#include "code.h"
#include "common.h"
#include "errors.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A programme, owned by the caller. Opaque; free with rf_program_free(). */
typedef struct rf_program rf_program;

/** An iterator over programmes. Free with rf_program_iter_free(). */
typedef struct rf_program_iter rf_program_iter;

/** Which touch of a visitor earns the referral. */
typedef enum rf_attribution_model {
    RF_ATTRIBUTION_UNSET = 0,       /**< in options: not given (default: last touch) */
    RF_ATTRIBUTION_FIRST_TOUCH = 1, /**< the earliest touch within the window */
    RF_ATTRIBUTION_LAST_TOUCH = 2   /**< the latest touch within the window */
} rf_attribution_model;

/** What a fraud guard does when it trips. */
typedef enum rf_fraud_action {
    RF_FRAUD_ACTION_UNSET = 0, /**< in options: not given (default: block) */
    RF_FRAUD_BLOCK = 1,        /**< refuse the referral with ::RF_EPOLICY */
    RF_FRAUD_FLAG = 2          /**< accept it with its fraud flags set, for a person to review */
} rf_fraud_action;

/**
 * Settings of a programme for rf_program_create() and rf_program_update().
 * Unset fields (NULL, ::RF_UNSET, `*_UNSET`) take their defaults on create and
 * stay as they are on update.
 */
typedef struct rf_program_options {
    unsigned int version;             /**< the struct version: RF_PROGRAM_OPTIONS_VERSION */
    const char *name;                 /**< required on create; unique in the practice */
    int window_days;                  /**< attribution window, 1..3650 (default 90) */
    rf_attribution_model attribution; /**< default ::RF_ATTRIBUTION_LAST_TOUCH */
    int exclude_existing_clients;     /**< 0 or 1 (default 1): a CLIENT cannot be referred in */
    rf_code_style code_style;         /**< style of codes issued automatically (default vanity) */
    int auto_issue_code;              /**< 0 or 1 (default 0): a referee who becomes a client gets a code */
    rf_fraud_action fraud_action;     /**< default ::RF_FRAUD_BLOCK */
    int velocity_cap;                 /**< referrals one referrer may make per velocity window; 0: no cap */
    int velocity_window_days;         /**< 1..365 (default 30) */
    /** Optional: a retried call with the same key returns the first result and changes nothing. */
    const char *idempotency_key;
    /* Version 2: rewards (referral/rewards.h). */
    /** 0 or 1 (default 0): a referral that fails after its grants were released takes back what is left. */
    int clawback;
    /** 0 or 1 (default 0): grants for federally insured parties become thank-you notes only. */
    int compliance_mode;
    /* Version 3: asking at the right moment and the first-response SLA (referral/outbox.h). */
    int ask_enabled;       /**< 0 or 1 (default 1): whether this programme asks its clients for referrals */
    int ask_nps_threshold; /**< an NPS score at or above this asks (0..10, default 9) */
    int ask_after_first_visit_days; /**< ask this many days after the first visit (0..3650, default 90; 0:
                                       never) */
    int ask_on_anniversary;         /**< 0 or 1 (default 1): ask on the anniversary of the first visit */
    int ask_on_milestone;           /**< 0 or 1 (default 1): a milestone the host reports asks */
    int ask_on_discharge;           /**< 0 or 1 (default 1): a discharge with a good outcome asks */
    int ask_on_praise;              /**< 0 or 1 (default 1): praise asks */
    int ask_on_payment;             /**< 0 or 1 (default 1): a cleared payment asks */
    int ask_cooldown_days; /**< no second ask within this many days of the last (0..3650, default 90) */
    int ask_yearly_cap;    /**< at most this many asks per client in any 365 days (1..52, default 3) */
    int new_client_days;  /**< clients whose first visit is fewer days ago are "new" (1..3650, default 180) */
    int sla_urgent_hours; /**< first response due within this many hours for urgent referrals (1..720, default
                             4) */
    int sla_routine_hours; /**< first response due within this many hours for routine referrals (1..720,
                              default 48) */
} rf_program_options;

/** The newest version of ::rf_program_options this header describes. */
#define RF_PROGRAM_OPTIONS_VERSION 3
/** Static initialiser of ::rf_program_options: the current version, nothing set. */
#define RF_PROGRAM_OPTIONS_INIT                                                                              \
    {                                                                                                        \
        RF_PROGRAM_OPTIONS_VERSION, NULL, RF_UNSET, RF_ATTRIBUTION_UNSET, RF_UNSET, RF_CODE_STYLE_UNSET,     \
            RF_UNSET, RF_FRAUD_ACTION_UNSET, RF_UNSET, RF_UNSET, NULL, RF_UNSET, RF_UNSET, RF_UNSET,         \
            RF_UNSET, RF_UNSET, RF_UNSET, RF_UNSET, RF_UNSET, RF_UNSET, RF_UNSET, RF_UNSET, RF_UNSET,        \
            RF_UNSET, RF_UNSET, RF_UNSET                                                                     \
    }

/** Initialise @p opts to "nothing set" for structure version @p version. */
RF_API rf_status rf_program_options_init(rf_program_options *opts, unsigned int version);

/**
 * Create a programme and journal `program.created`.
 * @return ::RF_OK; ::RF_EINVALID (no name, a setting out of range);
 *         ::RF_EEXISTS (the name is taken); ::RF_ECONFLICT; ::RF_EBACKEND
 */
RF_API rf_status rf_program_create(rf_program **out, rf_store *store, const rf_program_options *opts);

/** Get a programme by id. ::RF_ENOTFOUND. */
RF_API rf_status rf_program_get(rf_program **out, rf_store *store, const char *id);

/** Get a programme by name. ::RF_ENOTFOUND. */
RF_API rf_status rf_program_find(rf_program **out, rf_store *store, const char *name);

/**
 * Change the settings given in @p changes and journal `program.updated`
 * (naming the settings). Referrals already made keep the decisions taken
 * under the old settings. @p out may be NULL.
 */
RF_API rf_status rf_program_update(rf_program **out, rf_store *store, const char *id,
                                   const rf_program_options *changes);

/** Iterate over the practice's programmes, oldest first. Free the iterator before the store. */
RF_API rf_status rf_program_list(rf_program_iter **out, rf_store *store);

/** The next programme, or ::RF_ITEROVER (with *out NULL) at the end. */
RF_API rf_status rf_program_iter_next(rf_program **out, rf_program_iter *iter);

/** Free an iterator. Accepts NULL. */
RF_API void rf_program_iter_free(rf_program_iter *iter);

/** Free a programme. Accepts NULL. */
RF_API void rf_program_free(rf_program *program);

/** @name Programme accessors
 * The programme's id, name and settings; strings are borrowed from it.
 * @{ */
/** The programme's id (UUID text). */
RF_API const char *rf_program_id(const rf_program *program);
RF_API const char *rf_program_name(const rf_program *program);
RF_API int rf_program_window_days(const rf_program *program);
RF_API rf_attribution_model rf_program_attribution(const rf_program *program);
RF_API int rf_program_excludes_existing_clients(const rf_program *program);
RF_API rf_code_style rf_program_code_style(const rf_program *program);
RF_API int rf_program_auto_issues_code(const rf_program *program);
RF_API rf_fraud_action rf_program_fraud_action(const rf_program *program);
RF_API int rf_program_velocity_cap(const rf_program *program);
RF_API int rf_program_velocity_window_days(const rf_program *program);
/** 1 when a failed referral takes back released grants (see referral/rewards.h). */
RF_API int rf_program_claws_back(const rf_program *program);
/** 1 when compliance mode is on (see referral/rewards.h). */
RF_API int rf_program_compliance_mode(const rf_program *program);
/** The ask policy and SLA settings (see ::rf_program_options). */
RF_API int rf_program_ask_enabled(const rf_program *program);
RF_API int rf_program_ask_nps_threshold(const rf_program *program);
RF_API int rf_program_ask_after_first_visit_days(const rf_program *program);
RF_API int rf_program_ask_on_anniversary(const rf_program *program);
RF_API int rf_program_ask_on_milestone(const rf_program *program);
RF_API int rf_program_ask_on_discharge(const rf_program *program);
RF_API int rf_program_ask_on_praise(const rf_program *program);
RF_API int rf_program_ask_on_payment(const rf_program *program);
RF_API int rf_program_ask_cooldown_days(const rf_program *program);
RF_API int rf_program_ask_yearly_cap(const rf_program *program);
RF_API int rf_program_new_client_days(const rf_program *program);
RF_API int rf_program_sla_urgent_hours(const rf_program *program);
RF_API int rf_program_sla_routine_hours(const rf_program *program);
RF_API rf_time rf_program_created_at(const rf_program *program);
RF_API rf_time rf_program_updated_at(const rf_program *program);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* REFERRAL_PROGRAM_H */
