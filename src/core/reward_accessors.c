/* Names of the reward enums, and the accessors of rules, grants and ledger entries. */
#include "core/rewards.h"

static const char *name_in(const char *const *names, int count, int value)
{
    return value > 0 && value < count && names[value] != NULL ? names[value] : "UNSET";
}

const char *rf_reward_recipient_name(rf_reward_recipient recipient)
{
    static const char *const names[] = {NULL, "REFERRER", "REFEREE", "STAFF"};
    return name_in(names, 4, (int)recipient);
}

const char *rf_reward_kind_name(rf_reward_kind kind)
{
    static const char *const names[] = {NULL,
                                        "ACCOUNT_CREDIT",
                                        "FIXED_DISCOUNT",
                                        "PERCENT_DISCOUNT",
                                        "SERVICE_UPGRADE",
                                        "PRIORITY_BOOKING",
                                        "CHARITY_DONATION",
                                        "GIFT",
                                        "THANK_YOU_NOTE"};
    return name_in(names, 9, (int)kind);
}

const char *rf_grant_status_name(rf_grant_status status)
{
    static const char *const names[] = {NULL, "PENDING", "AVAILABLE", "SETTLED", "EXPIRED", "REVERSED"};
    return name_in(names, 6, (int)status);
}

const char *rf_ledger_type_name(rf_ledger_type type)
{
    static const char *const names[] = {NULL, "ISSUED", "RELEASED", "REDEEMED", "EXPIRED", "REVERSED"};
    return name_in(names, 6, (int)type);
}

const char *rf_reward_rule_id(const rf_reward_rule *x)
{
    return x != NULL ? x->r.id : NULL;
}

const char *rf_reward_rule_program_id(const rf_reward_rule *x)
{
    return x != NULL ? x->r.program_id : NULL;
}

const char *rf_reward_rule_name(const rf_reward_rule *x)
{
    return x != NULL ? x->r.name : NULL;
}

rf_reward_recipient rf_reward_rule_recipient(const rf_reward_rule *x)
{
    return x != NULL ? (rf_reward_recipient)x->r.recipient : RF_RECIPIENT_UNSET;
}

rf_referral_state rf_reward_rule_trigger(const rf_reward_rule *x)
{
    return x != NULL ? (rf_referral_state)x->r.trigger : RF_REFERRAL_STATE_UNSET;
}

rf_reward_kind rf_reward_rule_kind(const rf_reward_rule *x)
{
    return x != NULL ? (rf_reward_kind)x->r.kind : RF_REWARD_UNSET;
}

int64_t rf_reward_rule_amount(const rf_reward_rule *x)
{
    return x != NULL ? x->r.amount : 0;
}

const char *rf_reward_rule_currency(const rf_reward_rule *x)
{
    return x != NULL ? x->r.currency : NULL;
}

int rf_reward_rule_percent(const rf_reward_rule *x)
{
    return x != NULL ? x->r.percent : 0;
}

const char *rf_reward_rule_item(const rf_reward_rule *x)
{
    return x != NULL ? x->r.item : NULL;
}

int rf_reward_rule_expiry_days(const rf_reward_rule *x)
{
    return x != NULL ? x->r.expiry_days : 0;
}

int rf_reward_rule_hold_days(const rf_reward_rule *x)
{
    return x != NULL ? x->r.hold_days : 0;
}

int rf_reward_rule_cap_count(const rf_reward_rule *x)
{
    return x != NULL ? x->r.cap_count : 0;
}

int rf_reward_rule_cap_days(const rf_reward_rule *x)
{
    return x != NULL ? x->r.cap_days : 0;
}

int rf_reward_rule_tier(const rf_reward_rule *x)
{
    return x != NULL ? x->r.tier : 0;
}

int rf_reward_rule_active(const rf_reward_rule *x)
{
    return x != NULL ? x->r.active : 0;
}

rf_time rf_reward_rule_created_at(const rf_reward_rule *x)
{
    return x != NULL ? x->r.created_at : RF_TIME_NONE;
}

const char *rf_grant_id(const rf_grant *x)
{
    return x != NULL ? x->r.id : NULL;
}

const char *rf_grant_rule_id(const rf_grant *x)
{
    return x != NULL ? x->r.rule_id : NULL;
}

const char *rf_grant_program_id(const rf_grant *x)
{
    return x != NULL ? x->r.program_id : NULL;
}

const char *rf_grant_referral_id(const rf_grant *x)
{
    return x != NULL ? x->r.referral_id : NULL;
}

const char *rf_grant_recipient_id(const rf_grant *x)
{
    return x != NULL ? x->r.recipient_id : NULL;
}

rf_reward_recipient rf_grant_recipient(const rf_grant *x)
{
    return x != NULL ? (rf_reward_recipient)x->r.recipient : RF_RECIPIENT_UNSET;
}

rf_reward_kind rf_grant_kind(const rf_grant *x)
{
    return x != NULL ? (rf_reward_kind)x->r.kind : RF_REWARD_UNSET;
}

rf_reward_kind rf_grant_rule_kind(const rf_grant *x)
{
    return x != NULL ? (rf_reward_kind)x->r.rule_kind : RF_REWARD_UNSET;
}

int rf_grant_compliance(const rf_grant *x)
{
    return x != NULL ? x->r.compliance : 0;
}

int64_t rf_grant_amount(const rf_grant *x)
{
    return x != NULL ? x->r.amount : 0;
}

const char *rf_grant_currency(const rf_grant *x)
{
    return x != NULL ? x->r.currency : NULL;
}

int64_t rf_grant_units(const rf_grant *x)
{
    return x != NULL ? x->r.units : 0;
}

int64_t rf_grant_remaining(const rf_grant *x)
{
    return x != NULL ? x->remaining : 0;
}

int rf_grant_percent(const rf_grant *x)
{
    return x != NULL ? x->r.percent : 0;
}

const char *rf_grant_item(const rf_grant *x)
{
    return x != NULL ? x->r.item : NULL;
}

int rf_grant_tier_count(const rf_grant *x)
{
    return x != NULL ? x->r.tier_count : 0;
}

rf_grant_status rf_grant_get_status(const rf_grant *x)
{
    return x != NULL ? (rf_grant_status)x->r.status : RF_GRANT_STATUS_UNSET;
}

rf_time rf_grant_issued_at(const rf_grant *x)
{
    return x != NULL ? x->r.issued_at : RF_TIME_NONE;
}

rf_time rf_grant_release_at(const rf_grant *x)
{
    return x != NULL ? x->r.release_at : RF_TIME_NONE;
}

rf_time rf_grant_released_at(const rf_grant *x)
{
    return x != NULL ? x->r.released_at : RF_TIME_NONE;
}

rf_time rf_grant_expires_at(const rf_grant *x)
{
    return x != NULL ? x->r.expires_at : RF_TIME_NONE;
}

rf_time rf_grant_closed_at(const rf_grant *x)
{
    return x != NULL ? x->r.closed_at : RF_TIME_NONE;
}

const char *rf_ledger_entry_id(const rf_ledger_entry *x)
{
    return x != NULL ? x->r.id : NULL;
}

const char *rf_ledger_entry_grant_id(const rf_ledger_entry *x)
{
    return x != NULL ? x->r.grant_id : NULL;
}

const char *rf_ledger_entry_party_id(const rf_ledger_entry *x)
{
    return x != NULL ? x->r.party_id : NULL;
}

rf_ledger_type rf_ledger_entry_type(const rf_ledger_entry *x)
{
    return x != NULL ? (rf_ledger_type)x->r.type : RF_LEDGER_UNSET;
}

int64_t rf_ledger_entry_amount(const rf_ledger_entry *x)
{
    return x != NULL ? x->r.amount : 0;
}

const char *rf_ledger_entry_currency(const rf_ledger_entry *x)
{
    return x != NULL ? x->r.currency : NULL;
}

int64_t rf_ledger_entry_pending_delta(const rf_ledger_entry *x)
{
    return x != NULL ? x->r.pending_delta : 0;
}

int64_t rf_ledger_entry_available_delta(const rf_ledger_entry *x)
{
    return x != NULL ? x->r.available_delta : 0;
}

const char *rf_ledger_entry_reference(const rf_ledger_entry *x)
{
    return x != NULL ? x->r.reference : NULL;
}

int64_t rf_ledger_entry_seq(const rf_ledger_entry *x)
{
    return x != NULL ? x->r.seq : 0;
}

rf_time rf_ledger_entry_at(const rf_ledger_entry *x)
{
    return x != NULL ? x->r.at : RF_TIME_NONE;
}
