/* Internal: what the reward modules share — handles, ledger postings, and the
 * hook the lifecycle calls when a referral moves. */
#ifndef RF_CORE_REWARDS_H
#define RF_CORE_REWARDS_H

#include "referral/rewards.h"
#include "referral/sys/backend.h"

#define RF_SECONDS_PER_DAY ((rf_time)86400)

/* The ledger lines of one grant: "rule:referral:recipient" ids. */
#define RF_GRANT_KEY_MAX (3 * (RF_ID_BUFSIZE - 1) + 2)

struct rf_reward_rule {
    rf_reward_rule_record r;
};

struct rf_grant {
    rf_grant_record r;
    int64_t remaining; /* available units, from the ledger when the handle was made */
};

struct rf_ledger_entry {
    rf_ledger_record r;
};

/* Handles from records (one allocation each; NULL on out-of-memory). */
rf_reward_rule *rf__reward_rule_from_record(const rf_reward_rule_record *rec);
rf_grant *rf__grant_from_record(const rf_grant_record *rec, int64_t remaining);

/* A programme's active rules, oldest first, optionally only those for one
 * recipient and/or one trigger state (0: any). */
typedef struct rf_rule_list {
    rf_reward_rule **items;
    size_t count, cap;
} rf_rule_list;
rf_status rf__rules_active(rf_store *store, const char *program_id, int recipient, int trigger,
                           rf_rule_list *out);
void rf__rule_list_free(rf_rule_list *list);

/* RF_OK when the store's backend has contract version 3 (rewards). */
rf_status rf__rewards_require(rf_store *store);

/* A grant read inside the caller's transaction, with its balances from the
 * ledger. Strings are copied into @handle (free with rf_grant_free). */
rf_status rf__grant_load(rf_store *store, const char *id, rf_grant **handle);

/* Sum a grant's ledger entries: what is pending and available. */
rf_status rf__grant_balances(rf_store *store, const char *grant_id, int64_t *pending, int64_t *available);

/* Ledger postings, in the caller's transaction: each appends one entry and
 * its `reward.<type>` journal event and moves the grant's status and times. */
rf_status rf__grant_release(rf_store *store, rf_grant *grant, rf_time now);
rf_status rf__grant_expire(rf_store *store, rf_grant *grant, rf_time now);
/* Reverse what is pending (before release) or left (after release); @why
 * goes into the journal data ("referral=LOST" or "clawback=1;..."). */
rf_status rf__grant_reverse(rf_store *store, rf_grant *grant, rf_time now, const char *why);
rf_status rf__grant_redeem(rf_store *store, rf_grant *grant, int64_t units, const char *reference,
                           const char *idempotency_key, rf_time now);
/* The first entry of a new grant (already inserted): ISSUED, journalled with @data. */
rf_status rf__grant_post_issued(rf_store *store, const rf_grant_record *grant, const char *data);

/* The lifecycle hook (lifecycle.c calls it after the referral row and its
 * `referral.advanced` event are written): grant on first reaching a trigger
 * state, reverse on failing. @first: the referral had never been in its
 * state before this move. */
rf_status rf__rewards_on_move(rf_store *store, const rf_referral_record *referral, int first);

/* Balances (reward_balance.c), for the audit: a new empty balance after
 * checking the arguments and the party, booking one entry, and putting the
 * rows in their published order. */
rf_status rf__balance_start(rf_balance **out, rf_store *store, const char *party_id);
rf_status rf__balance_book(rf_balance *balance, const rf_ledger_record *entry);
void rf__balance_finish(rf_balance *balance);
int rf__balance_equal(const rf_balance *a, const rf_balance *b);

/* Money kinds (credit, fixed discount, donation) count minor units in a
 * currency; the others count items. */
int rf__reward_kind_is_money(int kind);

/* Whether a referral in @state failed (its grants are reversed). */
int rf__referral_state_failed(int state);

/* The referrer's qualifying referrals in a programme at @trigger. */
rf_status rf__tier_count(rf_store *store, const char *program_id, const char *referrer_id, int trigger,
                         int *count);

#endif
