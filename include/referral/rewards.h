/**
 * @file referral/rewards.h
 * @brief Rewards: rules, tiers, grants and the exactly-once ledger.
 *
 * A programme's **reward rules** say who gets what when a referral reaches a
 * state: the referrer, the referee (dual-sided offers) or the staff member who
 * took the referral; at SCHEDULED, SEEN or CLOSED; an account credit, a fixed
 * or percent discount, a service upgrade, priority booking, a charity donation,
 * a gift or a thank-you note only.
 *
 * When a referral reaches a rule's trigger state the library **grants** the
 * reward in the same transaction as the move. A grant exists at most once per
 * (rule, referral, recipient), however often the trigger is replayed, and
 * copies the rule's terms so that later rule changes never rewrite history.
 *
 * Every grant is accounted for in an append-only **ledger**, each entry
 * journalled:
 * | entry    | pending | available | when |
 * |----------|---------|-----------|------|
 * | ISSUED   | +amount |           | the trigger state is reached |
 * | RELEASED | -amount | +amount   | at once, or when the hold period ends |
 * | REDEEMED |         | -used     | the host reports use (partial allowed) |
 * | EXPIRED  |         | -rest     | the expiry passes with something left |
 * | REVERSED | -amount or | -rest  | the referral ends DECLINED, CANCELLED, LOST or ENTERED_IN_ERROR |
 *
 * A referral that fails before release reverses its pending grants; after
 * release the programme's clawback setting decides whether what is left is
 * reversed (what was already used is never taken back). Balances are sums of
 * entries, per currency; nothing stores a balance alone. Amounts of money
 * are minor units with an ISO 4217 currency; items (percent discounts,
 * upgrades, priority booking, gifts) count as one unit each with no
 * currency; a thank-you note is worth nothing and is settled when released.
 *
 * **Tiers.** A referrer rule's `tier` is a threshold on the referrer's count
 * of qualifying referrals in the programme: referrals that reached the rule's
 * trigger state and did not end DECLINED, CANCELLED, LOST or ENTERED_IN_ERROR.
 * At the n-th qualifying referral the referrer rules with the highest tier not
 * above n apply (tiers 1, 3, 5: referrals 1-2 earn tier 1, 3-4 tier 3, 5 and
 * on tier 5). A programme's referrer rules share one trigger state, so there
 * is one ladder and one count; rf_reward_progress() shows where a referrer is.
 *
 * **Compliance mode.** In a programme with compliance mode on, a grant whose
 * recipient or referee is federally insured (::RF_PAYER_FEDERAL) becomes a
 * thank-you note: US anti-kickback rules forbid giving anything of value for
 * referring such patients, so every kind but the note is covered. The
 * `reward.issued` event records `compliance=` with the covered party and the
 * kind the rule would have given.
 *
 * Time-driven work (releasing held grants, expiring what is left) runs when
 * the host calls rf_rewards_process().
 */
#ifndef REFERRAL_REWARDS_H
#define REFERRAL_REWARDS_H

#include "common.h"
#include "errors.h"
#include "referrals.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A reward rule, owned by the caller. Free with rf_reward_rule_free(). */
typedef struct rf_reward_rule rf_reward_rule;
/** An iterator over reward rules. Free with rf_reward_rule_iter_free(). */
typedef struct rf_reward_rule_iter rf_reward_rule_iter;
/** A grant, owned by the caller. Free with rf_grant_free(). */
typedef struct rf_grant rf_grant;
/** An iterator over grants. Free with rf_grant_iter_free(). */
typedef struct rf_grant_iter rf_grant_iter;
/** A ledger entry, owned by the caller. Free with rf_ledger_entry_free(). */
typedef struct rf_ledger_entry rf_ledger_entry;
/** An iterator over ledger entries. Free with rf_ledger_iter_free(). */
typedef struct rf_ledger_iter rf_ledger_iter;
/** A party's balances, one row per currency. Free with rf_balance_free(). */
typedef struct rf_balance rf_balance;
/** A referrer's progress through a programme's tiers. Free with rf_tier_progress_free(). */
typedef struct rf_tier_progress rf_tier_progress;

/** In option structs: an amount that is not set. */
#define RF_AMOUNT_UNSET ((int64_t)INT64_MIN)
/** The largest amount one rule may give or one call may redeem, in minor units (10^12). */
#define RF_AMOUNT_MAX ((int64_t)1000000000000)
/** The longest expiry or hold period in days (ten years). */
#define RF_REWARD_DAYS_MAX 3650

/** Who a rule rewards. */
typedef enum rf_reward_recipient {
    RF_RECIPIENT_UNSET = 0,
    RF_RECIPIENT_REFERRER = 1, /**< the party who referred */
    RF_RECIPIENT_REFEREE = 2,  /**< the party referred (dual-sided offers) */
    RF_RECIPIENT_STAFF = 3     /**< the staff member who took the referral (its practitioner) */
} rf_reward_recipient;

/** What a rule gives. */
typedef enum rf_reward_kind {
    RF_REWARD_UNSET = 0,
    RF_REWARD_ACCOUNT_CREDIT = 1,   /**< money on account: amount + currency */
    RF_REWARD_FIXED_DISCOUNT = 2,   /**< money off: amount + currency */
    RF_REWARD_PERCENT_DISCOUNT = 3, /**< percent off (1-100): an item */
    RF_REWARD_SERVICE_UPGRADE = 4,  /**< e.g. "+15 minutes" (item text): an item */
    RF_REWARD_PRIORITY_BOOKING =
        5, /**< priority booking until the grant expires (expiry required): an item */
    RF_REWARD_CHARITY_DONATION = 6, /**< a donation to the cause named in item: amount + currency */
    RF_REWARD_GIFT = 7,             /**< a gift named in item; amount + currency optional (its cost) */
    RF_REWARD_THANK_YOU_NOTE = 8    /**< a thank-you note only: worth nothing, settled when released */
} rf_reward_kind;

/** Where a grant stands. */
typedef enum rf_grant_status {
    RF_GRANT_STATUS_UNSET = 0,
    RF_GRANT_PENDING = 1,   /**< issued and held until its release time */
    RF_GRANT_AVAILABLE = 2, /**< released, something left to use */
    RF_GRANT_SETTLED = 3,   /**< nothing left: used up, or a thank-you note */
    RF_GRANT_EXPIRED = 4,   /**< the expiry passed with something left */
    RF_GRANT_REVERSED = 5   /**< taken back because the referral failed */
} rf_grant_status;

/** The kind of a ledger entry. */
typedef enum rf_ledger_type {
    RF_LEDGER_UNSET = 0,
    RF_LEDGER_ISSUED = 1,
    RF_LEDGER_RELEASED = 2,
    RF_LEDGER_REDEEMED = 3,
    RF_LEDGER_EXPIRED = 4,
    RF_LEDGER_REVERSED = 5
} rf_ledger_type;

/** Name of a recipient ("REFERRER"), kind ("ACCOUNT_CREDIT"), status or entry type; "UNSET" when unknown. */
RF_API const char *rf_reward_recipient_name(rf_reward_recipient recipient);
/** See rf_reward_recipient_name(). */
RF_API const char *rf_reward_kind_name(rf_reward_kind kind);
/** See rf_reward_recipient_name(). */
RF_API const char *rf_grant_status_name(rf_grant_status status);
/** See rf_reward_recipient_name(). */
RF_API const char *rf_ledger_type_name(rf_ledger_type type);

/**
 * Whether @p currency is an active ISO 4217 currency with a minor unit (three
 * upper-case letters, e.g. "EUR"); 0 for NULL, lower case, withdrawn codes,
 * XTS/XXX, precious metals and units of account such as XDR.
 */
RF_API int rf_currency_valid(const char *currency);

/* ------------------------------------------------------------------ rules */

/**
 * A new reward rule for rf_reward_rule_add(). Unset fields (NULL,
 * ::RF_UNSET, ::RF_AMOUNT_UNSET, `*_UNSET`) take their defaults.
 */
typedef struct rf_reward_rule_options {
    unsigned int version;          /**< the struct version: RF_REWARD_RULE_OPTIONS_VERSION */
    const char *program_id;        /**< required */
    const char *name;              /**< required label shown to people ("Friend's first session") */
    rf_reward_recipient recipient; /**< required */
    /** SCHEDULED, SEEN or CLOSED (default CLOSED); referrer rules of a programme share one. */
    rf_referral_state trigger;
    rf_reward_kind kind; /**< required */
    /** Minor units, 1..::RF_AMOUNT_MAX: required for credit, fixed discount and donation; a gift's cost. */
    int64_t amount;
    const char *currency; /**< ISO 4217, required with an amount (e.g. "EUR") */
    int percent;          /**< percent discount only: 1..100 */
    /** Upgrade, gift: what is given; donation: the cause (required for those, refused elsewhere). */
    const char *item;
    int expiry_days; /**< days after release until what is left expires; 0 (default): never */
    int hold_days;   /**< days a grant is held before release; 0 (default): released at once */
    int cap_count;   /**< at most this many grants of the rule per recipient per cap period; 0: no cap */
    int cap_days;    /**< the cap period in days (default 365) */
    int tier;        /**< referrer rules: the count of qualifying referrals it starts at (default 1) */
    /** Optional: a retried call with the same key returns the first rule and changes nothing. */
    const char *idempotency_key;
} rf_reward_rule_options;

/** The newest version of ::rf_reward_rule_options this header describes. */
#define RF_REWARD_RULE_OPTIONS_VERSION 1
/** Static initialiser of ::rf_reward_rule_options: the current version, nothing set. */
#define RF_REWARD_RULE_OPTIONS_INIT                                                                          \
    {                                                                                                        \
        RF_REWARD_RULE_OPTIONS_VERSION, NULL, NULL, RF_RECIPIENT_UNSET, RF_REFERRAL_STATE_UNSET,             \
            RF_REWARD_UNSET, RF_AMOUNT_UNSET, NULL, RF_UNSET, NULL, RF_UNSET, RF_UNSET, RF_UNSET, RF_UNSET,  \
            RF_UNSET, NULL                                                                                   \
    }

/** Initialise @p opts to "nothing set" for structure version @p version. */
RF_API rf_status rf_reward_rule_options_init(rf_reward_rule_options *opts, unsigned int version);

/**
 * Add a reward rule to a programme and journal `reward.rule_added`. The rule
 * applies to states referrals reach from now on.
 * @return ::RF_OK; ::RF_EINVALID (a missing or contradictory field, an amount
 *         that is negative or above ::RF_AMOUNT_MAX, an unknown currency, a
 *         percent outside 1..100, a referrer rule whose trigger differs from
 *         the programme's other referrer rules); ::RF_ENOTFOUND (programme);
 *         ::RF_ECONFLICT; ::RF_EBACKEND
 */
RF_API rf_status rf_reward_rule_add(rf_reward_rule **out, rf_store *store,
                                    const rf_reward_rule_options *opts);

/** Get a rule by id. ::RF_ENOTFOUND. */
RF_API rf_status rf_reward_rule_get(rf_reward_rule **out, rf_store *store, const char *id);

/**
 * Retire a rule: it grants nothing from now on; its grants stand. Journals
 * `reward.rule_retired`; retiring a retired rule changes nothing and
 * succeeds. @p out may be NULL. ::RF_ENOTFOUND.
 */
RF_API rf_status rf_reward_rule_retire(rf_reward_rule **out, rf_store *store, const char *id);

/** Iterate over a programme's rules (retired ones too), oldest first. ::RF_ENOTFOUND (programme). */
RF_API rf_status rf_reward_rule_list(rf_reward_rule_iter **out, rf_store *store, const char *program_id);

/** The next rule, or ::RF_ITEROVER (with *out NULL) at the end. */
RF_API rf_status rf_reward_rule_iter_next(rf_reward_rule **out, rf_reward_rule_iter *iter);

/** Free an iterator. Accepts NULL. */
RF_API void rf_reward_rule_iter_free(rf_reward_rule_iter *iter);

/** Free a rule. Accepts NULL. */
RF_API void rf_reward_rule_free(rf_reward_rule *rule);

/** @name Rule accessors
 * The rule's terms as added; strings are borrowed from it. Unset amounts are 0, an unset currency NULL.
 * @{ */
/** The rule's id (UUID text). */
RF_API const char *rf_reward_rule_id(const rf_reward_rule *rule);
RF_API const char *rf_reward_rule_program_id(const rf_reward_rule *rule);
RF_API const char *rf_reward_rule_name(const rf_reward_rule *rule);
RF_API rf_reward_recipient rf_reward_rule_recipient(const rf_reward_rule *rule);
RF_API rf_referral_state rf_reward_rule_trigger(const rf_reward_rule *rule);
RF_API rf_reward_kind rf_reward_rule_kind(const rf_reward_rule *rule);
RF_API int64_t rf_reward_rule_amount(const rf_reward_rule *rule);
RF_API const char *rf_reward_rule_currency(const rf_reward_rule *rule);
RF_API int rf_reward_rule_percent(const rf_reward_rule *rule);
RF_API const char *rf_reward_rule_item(const rf_reward_rule *rule);
RF_API int rf_reward_rule_expiry_days(const rf_reward_rule *rule);
RF_API int rf_reward_rule_hold_days(const rf_reward_rule *rule);
RF_API int rf_reward_rule_cap_count(const rf_reward_rule *rule);
RF_API int rf_reward_rule_cap_days(const rf_reward_rule *rule);
RF_API int rf_reward_rule_tier(const rf_reward_rule *rule);
/** 1 while the rule grants, 0 once retired. */
RF_API int rf_reward_rule_active(const rf_reward_rule *rule);
RF_API rf_time rf_reward_rule_created_at(const rf_reward_rule *rule);
/** @} */

/* ----------------------------------------------------------------- grants */

/** Which grants rf_grant_list() returns. NULL / unset fields do not filter. */
typedef struct rf_grant_filter {
    unsigned int version;     /**< the struct version: RF_GRANT_FILTER_VERSION */
    const char *recipient_id; /**< only this party's grants */
    const char *referral_id;  /**< only grants for this referral */
    const char *rule_id;      /**< only grants of this rule */
    rf_grant_status status;   /**< only grants in this status */
} rf_grant_filter;

/** The newest version of ::rf_grant_filter this header describes. */
#define RF_GRANT_FILTER_VERSION 1
/** Static initialiser of ::rf_grant_filter: everything. */
#define RF_GRANT_FILTER_INIT                                                                                 \
    {                                                                                                        \
        RF_GRANT_FILTER_VERSION, NULL, NULL, NULL, RF_GRANT_STATUS_UNSET                                     \
    }

/** Initialise @p filter to "everything" for structure version @p version. */
RF_API rf_status rf_grant_filter_init(rf_grant_filter *filter, unsigned int version);

/** Get a grant by id. ::RF_ENOTFOUND. */
RF_API rf_status rf_grant_get(rf_grant **out, rf_store *store, const char *id);

/** Iterate over the grants matching @p filter (NULL: all), oldest first. */
RF_API rf_status rf_grant_list(rf_grant_iter **out, rf_store *store, const rf_grant_filter *filter);

/** The next grant, or ::RF_ITEROVER (with *out NULL) at the end. */
RF_API rf_status rf_grant_iter_next(rf_grant **out, rf_grant_iter *iter);

/** Free an iterator. Accepts NULL. */
RF_API void rf_grant_iter_free(rf_grant_iter *iter);

/** Free a grant. Accepts NULL. */
RF_API void rf_grant_free(rf_grant *grant);

/** @name Grant accessors
 * The grant's terms, copied from its rule when issued; strings are borrowed from it.
 * @{ */
/** The grant's id (UUID text). */
RF_API const char *rf_grant_id(const rf_grant *grant);
RF_API const char *rf_grant_rule_id(const rf_grant *grant);
RF_API const char *rf_grant_program_id(const rf_grant *grant);
RF_API const char *rf_grant_referral_id(const rf_grant *grant);
RF_API const char *rf_grant_recipient_id(const rf_grant *grant);
RF_API rf_reward_recipient rf_grant_recipient(const rf_grant *grant);
/** What is given: the rule's kind, or ::RF_REWARD_THANK_YOU_NOTE under compliance mode. */
RF_API rf_reward_kind rf_grant_kind(const rf_grant *grant);
/** The kind the rule names (differs from rf_grant_kind() when compliance mode converted it). */
RF_API rf_reward_kind rf_grant_rule_kind(const rf_grant *grant);
/** 1 when compliance mode turned the grant into a thank-you note. */
RF_API int rf_grant_compliance(const rf_grant *grant);
/** Money: the amount granted in minor units; gifts: their cost; otherwise 0. */
RF_API int64_t rf_grant_amount(const rf_grant *grant);
/** ISO 4217 code of rf_grant_amount(), or NULL. */
RF_API const char *rf_grant_currency(const rf_grant *grant);
/** The ledger unit the grant is counted in: its amount for money, 1 for an item, 0 for a note. */
RF_API int64_t rf_grant_units(const rf_grant *grant);
/** What is left to use (units), computed from the grant's ledger entries when it was read. */
RF_API int64_t rf_grant_remaining(const rf_grant *grant);
RF_API int rf_grant_percent(const rf_grant *grant);
RF_API const char *rf_grant_item(const rf_grant *grant);
/** The referrer's qualifying-referral count that earned it (referrer grants), else 0. */
RF_API int rf_grant_tier_count(const rf_grant *grant);
RF_API rf_grant_status rf_grant_get_status(const rf_grant *grant);
RF_API rf_time rf_grant_issued_at(const rf_grant *grant);
/** When it is (or was) due for release. */
RF_API rf_time rf_grant_release_at(const rf_grant *grant);
/** When it was released, or 0. */
RF_API rf_time rf_grant_released_at(const rf_grant *grant);
/** When what is left expires (the rule's expiry_days after the release), or 0 (never, or not released yet).
 */
RF_API rf_time rf_grant_expires_at(const rf_grant *grant);
/** When it was settled, expired or reversed, or 0. */
RF_API rf_time rf_grant_closed_at(const rf_grant *grant);
/** @} */

/* ----------------------------------------------------------------- ledger */

/** Which ledger entries rf_ledger_list() returns, in journal order. NULL fields do not filter. */
typedef struct rf_ledger_filter {
    unsigned int version; /**< the struct version: RF_LEDGER_FILTER_VERSION */
    const char *party_id; /**< only this recipient's entries */
    const char *grant_id; /**< only this grant's entries */
    int64_t after_seq;    /**< only entries journalled after this sequence number (a cursor); 0: all */
} rf_ledger_filter;

/** The newest version of ::rf_ledger_filter this header describes. */
#define RF_LEDGER_FILTER_VERSION 1
/** Static initialiser of ::rf_ledger_filter: everything. */
#define RF_LEDGER_FILTER_INIT                                                                                \
    {                                                                                                        \
        RF_LEDGER_FILTER_VERSION, NULL, NULL, 0                                                              \
    }

/** Initialise @p filter to "everything" for structure version @p version. */
RF_API rf_status rf_ledger_filter_init(rf_ledger_filter *filter, unsigned int version);

/** Iterate over ledger entries matching @p filter (NULL: all) in the order they were journalled. */
RF_API rf_status rf_ledger_list(rf_ledger_iter **out, rf_store *store, const rf_ledger_filter *filter);

/** The next entry, or ::RF_ITEROVER (with *out NULL) at the end. */
RF_API rf_status rf_ledger_iter_next(rf_ledger_entry **out, rf_ledger_iter *iter);

/** Free an iterator. Accepts NULL. */
RF_API void rf_ledger_iter_free(rf_ledger_iter *iter);

/** Free an entry. Accepts NULL. */
RF_API void rf_ledger_entry_free(rf_ledger_entry *entry);

/** @name Ledger entry accessors
 * Strings are borrowed from the entry.
 * @{ */
/** The entry's id (UUID text). */
RF_API const char *rf_ledger_entry_id(const rf_ledger_entry *entry);
RF_API const char *rf_ledger_entry_grant_id(const rf_ledger_entry *entry);
/** The grant's recipient. */
RF_API const char *rf_ledger_entry_party_id(const rf_ledger_entry *entry);
RF_API rf_ledger_type rf_ledger_entry_type(const rf_ledger_entry *entry);
/** Units moved, never negative (minor units for money, 1 for an item). */
RF_API int64_t rf_ledger_entry_amount(const rf_ledger_entry *entry);
/** ISO 4217 code for money, NULL for items and notes. */
RF_API const char *rf_ledger_entry_currency(const rf_ledger_entry *entry);
/** Change to the pending balance (signed). */
RF_API int64_t rf_ledger_entry_pending_delta(const rf_ledger_entry *entry);
/** Change to the available balance (signed). */
RF_API int64_t rf_ledger_entry_available_delta(const rf_ledger_entry *entry);
/** Redemptions: the host's reference (an invoice number); otherwise NULL. */
RF_API const char *rf_ledger_entry_reference(const rf_ledger_entry *entry);
/** The journal sequence number of the event that recorded the entry. */
RF_API int64_t rf_ledger_entry_seq(const rf_ledger_entry *entry);
RF_API rf_time rf_ledger_entry_at(const rf_ledger_entry *entry);
/** @} */

/* --------------------------------------------------------------- balances */

/**
 * A party's balances, summed from its ledger entries: one row per currency,
 * in currency order, and a last row with a NULL currency counting items.
 * Rows whose every figure is zero are left out. ::RF_ENOTFOUND (party).
 */
RF_API rf_status rf_reward_balance(rf_balance **out, rf_store *store, const char *party_id);

/**
 * Prove a party's books: walk each of its grants' entries in journal order
 * and check that the sequence is legal (one ISSUED first, at most one
 * RELEASED, no bucket ever below zero, nothing after a grant is closed), that
 * the grant's status agrees with its entries, that no two grants share a
 * (rule, referral, recipient) key, and that the balance equals the sum of the
 * entries. @p out (may be NULL) receives that balance.
 * @return ::RF_OK; ::RF_EINTEGRITY naming the first discrepancy; ::RF_ENOTFOUND
 */
RF_API rf_status rf_reward_audit(rf_balance **out, rf_store *store, const char *party_id);

/** Free a balance. Accepts NULL. */
RF_API void rf_balance_free(rf_balance *balance);

/** @name Balance rows
 * Row @p i of 0..rf_balance_count()-1; out-of-range rows read as NULL / 0.
 * @{ */
/** The number of rows. */
RF_API size_t rf_balance_count(const rf_balance *balance);
/** ISO 4217 code of row @p i, or NULL for the items row. */
RF_API const char *rf_balance_currency(const rf_balance *balance, size_t i);
/** Released and not yet used, expired or reversed. */
RF_API int64_t rf_balance_available(const rf_balance *balance, size_t i);
/** Issued and still held. */
RF_API int64_t rf_balance_pending(const rf_balance *balance, size_t i);
/** Ever issued. */
RF_API int64_t rf_balance_issued(const rf_balance *balance, size_t i);
/** Ever redeemed. */
RF_API int64_t rf_balance_redeemed(const rf_balance *balance, size_t i);
/** Ever expired. */
RF_API int64_t rf_balance_expired(const rf_balance *balance, size_t i);
/** Ever reversed. */
RF_API int64_t rf_balance_reversed(const rf_balance *balance, size_t i);
/** @} */

/* ------------------------------------------------------------- redemption */

/**
 * What the host reports used, for rf_reward_redeem(). Give either a grant, or
 * a party and a currency: money is then taken from the party's available
 * grants in that currency, the one expiring soonest first.
 */
typedef struct rf_redeem_options {
    unsigned int version;  /**< the struct version: RF_REDEEM_OPTIONS_VERSION */
    const char *grant_id;  /**< redeem from this grant */
    const char *party_id;  /**< or: from this party's grants in `currency` */
    const char *currency;  /**< with `party_id`: ISO 4217 */
    int64_t amount;        /**< units to use, 1..available (items: default 1, the whole item) */
    const char *reference; /**< the host's reference (an invoice number), kept on the entries */
    /** Optional: a retried call with the same key changes nothing. */
    const char *idempotency_key;
} rf_redeem_options;

/** The newest version of ::rf_redeem_options this header describes. */
#define RF_REDEEM_OPTIONS_VERSION 1
/** Static initialiser of ::rf_redeem_options: nothing set. */
#define RF_REDEEM_OPTIONS_INIT                                                                               \
    {                                                                                                        \
        RF_REDEEM_OPTIONS_VERSION, NULL, NULL, NULL, RF_AMOUNT_UNSET, NULL, NULL                             \
    }

/** Initialise @p opts to "nothing set" for structure version @p version. */
RF_API rf_status rf_redeem_options_init(rf_redeem_options *opts, unsigned int version);

/**
 * Record that the host used part or all of what is available: REDEEMED
 * entries, journalled as `reward.redeemed`; a grant used up is settled.
 * All in one transaction. @p redeemed_out (may be NULL) receives the units
 * taken.
 * @return ::RF_OK; ::RF_EINVALID (neither or both of grant and party, a
 *         negative, zero or too large amount, an unknown currency);
 *         ::RF_ENOTFOUND; ::RF_ESTATE (the grant is not available);
 *         ::RF_EBALANCE (more than available: nothing is redeemed);
 *         ::RF_ECONFLICT; ::RF_EBACKEND
 */
RF_API rf_status rf_reward_redeem(int64_t *redeemed_out, rf_store *store, const rf_redeem_options *opts);

/**
 * Do the time-driven work due at @p now (::RF_TIME_UNSET: the store's clock):
 * release held grants whose hold has ended (`reward.released`; expiry then
 * runs from @p now, so a late call never shortens a grant's life) and expire
 * what is left of grants past their expiry (`reward.expired`). Ledger
 * entries and grant times are dated @p now; journal events carry the store's
 * clock, like every event. Each grant
 * moves in its own transaction after re-reading it under the write lock, so
 * calling it again, or from several processes at once, never moves a grant
 * twice. The counts (either may be NULL) say what this call moved.
 */
RF_API rf_status rf_rewards_process(unsigned int *released_out, unsigned int *expired_out, rf_store *store,
                                    rf_time now);

/* ------------------------------------------------------------------ tiers */

/**
 * Where a referrer stands on a programme's tier ladder: the count of
 * qualifying referrals, the tier reached, the next threshold and what it
 * unlocks. ::RF_ENOTFOUND (party or programme).
 */
RF_API rf_status rf_reward_progress(rf_tier_progress **out, rf_store *store, const char *party_id,
                                    const char *program_id);

/** Free a progress report. Accepts NULL. */
RF_API void rf_tier_progress_free(rf_tier_progress *progress);

/** @name Tier progress
 * @{ */
/** Qualifying referrals so far. */
RF_API int rf_tier_progress_count(const rf_tier_progress *progress);
/** The tier reached (its threshold), or 0 below the first. */
RF_API int rf_tier_progress_tier(const rf_tier_progress *progress);
/** The next threshold, or 0 at the top of the ladder. */
RF_API int rf_tier_progress_next_tier(const rf_tier_progress *progress);
/** Qualifying referrals still needed for the next tier, or 0 at the top. */
RF_API int rf_tier_progress_to_next(const rf_tier_progress *progress);
/** The number of rules the next tier unlocks. */
RF_API size_t rf_tier_progress_unlock_count(const rf_tier_progress *progress);
/** Rule @p i the next tier unlocks (borrowed from @p progress), or NULL. */
RF_API const rf_reward_rule *rf_tier_progress_unlock(const rf_tier_progress *progress, size_t i);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* REFERRAL_REWARDS_H */
