/* Shorthands for the reward cases of the conformance suite: programmes with
 * rules, referrers and referees, referrals driven through their states, and
 * sums computed here from the ledger, independently of the library's. */
#ifndef RF_CONFORMANCE_REWARD_SUPPORT_H
#define RF_CONFORMANCE_REWARD_SUPPORT_H

#include "harness.h"

/* A programme for reward cases: fraud guards flag only, existing clients may be referred. */
rf_program *reward_program(fixture *fx, const char *name, int clawback, int compliance_mode);

/* Every reward kind, in the order of the enum. */
#define REWARD_KIND_COUNT 8
extern const rf_reward_kind reward_kinds[REWARD_KIND_COUNT];
/* Money kinds carry an amount and a currency into the ledger; the others count units. */
int is_money(rf_reward_kind kind);
/* The item rule_options() gives @kind, or NULL. */
const char *kind_item(rf_reward_kind kind);

/* Options for a valid rule of @kind: the fields the kind needs are filled
 * (money: 1000 EUR; percent 10; item text; priority booking: 30 days). */
rf_reward_rule_options rule_options(const rf_program *program, rf_reward_recipient recipient,
                                    rf_reward_kind kind, rf_referral_state trigger);
/* rf_reward_rule_add that must succeed. */
rf_reward_rule *add_rule(fixture *fx, const rf_reward_rule_options *o);
/* rule_options() + add_rule(). */
rf_reward_rule *simple_rule(fixture *fx, const rf_program *program, rf_reward_recipient recipient,
                            rf_reward_kind kind, rf_referral_state trigger);

/* Advance along RECEIVED → ACCEPTED → SCHEDULED → SEEN → CLOSED until @target
 * (one of those) is reached; each move must succeed. */
void drive_to(fixture *fx, rf_referral **r, rf_referral_state target);
/* A new referral of @referrer_id driven to @target. */
rf_referral *referral_at(fixture *fx, const rf_program *program, const char *referrer_id,
                         rf_referral_state target);

/* rf_reward_redeem with the given fields (NULL / RF_AMOUNT_UNSET: not set). */
rf_status redeem(fixture *fx, int64_t *redeemed, const char *grant_id, const char *party_id,
                 const char *currency, int64_t amount, const char *reference, const char *key);

/* Grants matching the arguments (NULL / UNSET do not filter), oldest first. */
int count_grants(fixture *fx, const char *recipient_id, const char *referral_id, const char *rule_id,
                 rf_grant_status status);
/* The only grant of @rule_id for @referral_id; fails when there is not exactly one. */
rf_grant *the_grant(fixture *fx, const char *rule_id, const char *referral_id);
/* Re-read a grant by id. */
rf_grant *reload_grant(fixture *fx, const rf_grant *grant);

/* Ledger entries matching the filter arguments (NULL / 0 do not filter). */
int count_entries(fixture *fx, const char *party_id, const char *grant_id, rf_ledger_type type);

/* A rule of @kind (see rule_options) held @hold_days and expiring @expiry_days after release. */
rf_reward_rule *held_rule(fixture *fx, const rf_program *p, rf_reward_recipient who, rf_reward_kind kind,
                          rf_referral_state trigger, int hold_days, int expiry_days);
/* The only entry of @grant of @type. */
rf_ledger_entry *entry_of(fixture *fx, const rf_grant *grant, rf_ledger_type type);
/* The only entry of @grant of @type records @amount and moves the pending and
 * available figures by these deltas. */
void assert_entry(fixture *fx, const rf_grant *grant, rf_ledger_type type, int64_t amount,
                  int64_t pending_delta, int64_t available_delta);
/* rf_rewards_process(@now) moves exactly this many grants. */
void assert_process_moves(fixture *fx, rf_time now, unsigned released, unsigned expired);

/* The first event of @type with seq > @after (NULL when none); free with rf_event_free(). */
rf_event *find_event(fixture *fx, const char *type, int64_t after);
/* The first event of @type with seq > @after is about @subject_id and
 * @object_id; returns its seq. */
int64_t assert_first_event(fixture *fx, const char *type, int64_t after, const char *subject_id,
                           const char *object_id);
/* The event of @type with seq > @after whose subject is @subject_id; fails
 * when there is none. Free with rf_event_free(). */
rf_event *event_about(fixture *fx, const char *type, int64_t after, const char *subject_id);
/* Events of @type with seq > @after. */
int count_events_after(fixture *fx, const char *type, int64_t after);
/* The data of an event contains @needle. */
void assert_data_has(const rf_event *ev, const char *needle);

/* Balance figures summed here from rf_ledger_list for @party_id and @currency
 * (NULL: the items row). */
typedef struct ledger_sums {
    int64_t available, pending, issued, redeemed, expired, reversed;
} ledger_sums;
ledger_sums sum_ledger(fixture *fx, const char *party_id, const char *currency);
/* Row of @balance with @currency (NULL: items), or -1. */
long balance_row(const rf_balance *balance, const char *currency);
/* rf_reward_audit is RF_OK, and every row of it and of rf_reward_balance
 * equals the sums computed here; rows with every figure 0 are absent. */
void assert_books(fixture *fx, const char *party_id);
/* One balance figure set for (party, currency): all six figures. */
void assert_balance(fixture *fx, const char *party_id, const char *currency, ledger_sums expected);

extern const struct CMUnitTest reward_program_cases[];
extern const size_t reward_program_case_count;
extern const struct CMUnitTest reward_rule_cases[];
extern const size_t reward_rule_case_count;
extern const struct CMUnitTest reward_grant_cases[];
extern const size_t reward_grant_case_count;
extern const struct CMUnitTest reward_tier_cases[];
extern const size_t reward_tier_case_count;
extern const struct CMUnitTest reward_rule_refusal_cases[];
extern const size_t reward_rule_refusal_case_count;
extern const struct CMUnitTest reward_books_cases[];
extern const size_t reward_books_case_count;
extern const struct CMUnitTest reward_ledger_cases[];
extern const size_t reward_ledger_case_count;
extern const struct CMUnitTest reward_redeem_cases[];
extern const size_t reward_redeem_case_count;
extern const struct CMUnitTest reward_property_cases[];
extern const size_t reward_property_case_count;

#endif
