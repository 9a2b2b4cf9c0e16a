/* The contract suite's helpers for version 3 records: reward rules, grants and the ledger. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

void need_v3(rf_backend *b)
{
    static const contract_member members[] = {
        CONTRACT_MEMBER(reward_rule_insert), CONTRACT_MEMBER(reward_rule_update),
        CONTRACT_MEMBER(reward_rule_get),    CONTRACT_MEMBER(reward_rule_scan),
        CONTRACT_MEMBER(grant_insert),       CONTRACT_MEMBER(grant_update),
        CONTRACT_MEMBER(grant_get),          CONTRACT_MEMBER(grant_get_by_key),
        CONTRACT_MEMBER(grant_scan),         CONTRACT_MEMBER(ledger_insert),
        CONTRACT_MEMBER(ledger_scan),
    };
    need_v2(b);
    need_members(b, 3, members, sizeof members / sizeof members[0]);
}

rf_reward_rule_record reward_rule(const char *id, const char *program_id)
{
    rf_reward_rule_record r = {.id = id,
                               .program_id = program_id,
                               .name = "Thank-you credit",
                               .currency = "GBP",
                               .item = "voucher",
                               .recipient = 1,
                               .trigger = 8,
                               .kind = 1,
                               .percent = 0,
                               .expiry_days = 180,
                               .hold_days = 14,
                               .cap_count = 3,
                               .cap_days = 365,
                               .tier = 1,
                               .active = 1,
                               .amount = 2500,
                               .created_at = 1700001000,
                               .updated_at = 1700001100};
    return r;
}

rf_grant_record grant(const char *id, const char *key, const char *recipient_id, const char *referral_id,
                      const char *rule_id, int status)
{
    rf_grant_record r = {.id = id,
                         .grant_key = key,
                         .rule_id = rule_id,
                         .program_id = "prog-1",
                         .referral_id = referral_id,
                         .recipient_id = recipient_id,
                         .currency = "EUR",
                         .item = "gift card",
                         .recipient = 1,
                         .kind = 1,
                         .rule_kind = 1,
                         .compliance = 0,
                         .percent = 0,
                         .tier_count = 1,
                         .status = status,
                         .amount = 1500,
                         .units = 1500,
                         .issued_at = 1700002000,
                         .release_at = 1700003000,
                         .released_at = 0,
                         .expires_at = 1710000000,
                         .closed_at = 0,
                         .updated_at = 1700002000};
    return r;
}

rf_ledger_record ledger_entry(const char *id, const char *key, const char *grant_id, const char *party_id,
                              int64_t seq)
{
    rf_ledger_record r = {.id = id,
                          .entry_key = key,
                          .grant_id = grant_id,
                          .party_id = party_id,
                          .currency = "EUR",
                          .reference = "invoice-1",
                          .type = 1,
                          .amount = 1500,
                          .pending_delta = 1500,
                          .available_delta = 0,
                          .seq = seq,
                          .at = 1700002000};
    return r;
}

void fill_rule(rf_reward_rule_record *r, unsigned int n)
{
    memset(r, 0, sizeof *r);
    r->id = uid(n);
    r->program_id = text("prog-%u", n);
    r->name = text("Friend's first session \xe2\x80\x94 %u", n); /* UTF-8 passes through untouched */
    r->currency = text("C%02u", n % 100);
    r->item = text("+%u minutes", 15 + n);
    r->recipient = (int)(1 + n % 3);
    r->trigger = (int)(4 + n % 5);
    r->kind = (int)(1 + n % 8);
    r->percent = (int)(1 + n % 100);
    r->expiry_days = (int)(30 + n);
    r->hold_days = (int)(7 + n);
    r->cap_count = (int)(2 + n);
    r->cap_days = (int)(90 + n);
    r->tier = (int)(3 + n);
    r->active = (int)(n % 2);
    r->amount = INT64_C(1000000000000) + n;    /* past 32 bits */
    r->created_at = -62135596800 + (rf_time)n; /* 0001-01-01 */
    r->updated_at = INT64_MAX - (rf_time)n;
}

void fill_grant(rf_grant_record *r, unsigned int n)
{
    memset(r, 0, sizeof *r);
    r->id = uid(n);
    r->grant_key = text("rule-%u:referral-1:party-1", n);
    r->rule_id = text("rule-%u", n);
    r->program_id = text("prog-%u", n);
    r->referral_id = text("referral-%u", n);
    r->recipient_id = text("party-%u", n);
    r->currency = text("C%02u", n % 100);
    r->item = text("gift \xe2\x80\x94 %u", n);
    r->recipient = (int)(1 + n % 3);
    r->kind = (int)(1 + n % 8);
    r->rule_kind = (int)(1 + (n + 3) % 8);
    r->compliance = (int)(n % 2);
    r->percent = (int)(1 + n % 100);
    r->tier_count = (int)(5 + n);
    r->status = (int)(1 + n % 5);
    r->amount = INT64_C(1000000000000) + n;
    r->units = INT64_C(1000000000001) + n;
    r->issued_at = -62135596800 + (rf_time)n;
    r->release_at = 1700000000 + (rf_time)n;
    r->released_at = -1 - (rf_time)n;          /* negative */
    r->expires_at = INT64_C(253402300799) + n; /* 9999-12-31 and on */
    r->closed_at = INT64_MAX - (rf_time)n;
    r->updated_at = 1700009999 + (rf_time)n;
}

void fill_ledger(rf_ledger_record *r, unsigned int n)
{
    memset(r, 0, sizeof *r);
    r->id = uid(n);
    r->entry_key = text("grant-%u:redeemed:host-ref-9", n);
    r->grant_id = text("grant-%u", n);
    r->party_id = text("party-%u", n);
    r->currency = text("C%02u", n % 100);
    r->reference = text("POS \xe2\x80\x94 %u", n);
    r->type = (int)(1 + n % 5);
    r->amount = INT64_C(1000000000000) + n;
    r->pending_delta = -INT64_C(1000000000000) - n; /* negative, past 32 bits */
    r->available_delta = INT64_MIN + n;
    r->seq = INT64_C(5000000000) + n;
    r->at = -62135596800 + (rf_time)n;
}

void assert_rule(const rf_reward_rule_record *want, const rf_reward_rule_record *got)
{
    assert_str(want->id, got->id);
    assert_str(want->program_id, got->program_id);
    assert_str(want->name, got->name);
    assert_str(want->currency, got->currency);
    assert_str(want->item, got->item);
    assert_int_equal(want->recipient, got->recipient);
    assert_int_equal(want->trigger, got->trigger);
    assert_int_equal(want->kind, got->kind);
    assert_int_equal(want->percent, got->percent);
    assert_int_equal(want->expiry_days, got->expiry_days);
    assert_int_equal(want->hold_days, got->hold_days);
    assert_int_equal(want->cap_count, got->cap_count);
    assert_int_equal(want->cap_days, got->cap_days);
    assert_int_equal(want->tier, got->tier);
    assert_int_equal(want->active, got->active);
    assert_int_equal(want->amount, got->amount);
    assert_int_equal(want->created_at, got->created_at);
    assert_int_equal(want->updated_at, got->updated_at);
}

void assert_grant(const rf_grant_record *want, const rf_grant_record *got)
{
    assert_str(want->id, got->id);
    assert_str(want->grant_key, got->grant_key);
    assert_str(want->rule_id, got->rule_id);
    assert_str(want->program_id, got->program_id);
    assert_str(want->referral_id, got->referral_id);
    assert_str(want->recipient_id, got->recipient_id);
    assert_str(want->currency, got->currency);
    assert_str(want->item, got->item);
    assert_int_equal(want->recipient, got->recipient);
    assert_int_equal(want->kind, got->kind);
    assert_int_equal(want->rule_kind, got->rule_kind);
    assert_int_equal(want->compliance, got->compliance);
    assert_int_equal(want->percent, got->percent);
    assert_int_equal(want->tier_count, got->tier_count);
    assert_int_equal(want->status, got->status);
    assert_int_equal(want->amount, got->amount);
    assert_int_equal(want->units, got->units);
    assert_int_equal(want->issued_at, got->issued_at);
    assert_int_equal(want->release_at, got->release_at);
    assert_int_equal(want->released_at, got->released_at);
    assert_int_equal(want->expires_at, got->expires_at);
    assert_int_equal(want->closed_at, got->closed_at);
    assert_int_equal(want->updated_at, got->updated_at);
}

void assert_ledger(const rf_ledger_record *want, const rf_ledger_record *got)
{
    assert_str(want->id, got->id);
    assert_str(want->entry_key, got->entry_key);
    assert_str(want->grant_id, got->grant_id);
    assert_str(want->party_id, got->party_id);
    assert_str(want->currency, got->currency);
    assert_str(want->reference, got->reference);
    assert_int_equal(want->type, got->type);
    assert_int_equal(want->amount, got->amount);
    assert_int_equal(want->pending_delta, got->pending_delta);
    assert_int_equal(want->available_delta, got->available_delta);
    assert_int_equal(want->seq, got->seq);
    assert_int_equal(want->at, got->at);
}

int on_rule(const rf_reward_rule_record *r, void *payload)
{
    /* Strings are borrowed until the callback returns: reading them must be safe here. */
    assert_non_null(r->name);
    return visit_id(payload, r->id, 0);
}

int on_grant(const rf_grant_record *r, void *payload)
{
    assert_non_null(r->grant_key);
    return visit_id(payload, r->id, 0);
}

int on_ledger(const rf_ledger_record *r, void *payload)
{
    assert_non_null(r->entry_key);
    return visit_id(payload, r->id, r->seq);
}

rf_grant_query grant_query(void)
{
    rf_grant_query q;
    memset(&q, 0, sizeof q);
    q.release_by = RF_TIME_UNSET;
    q.expires_by = RF_TIME_UNSET;
    q.issued_from = RF_TIME_UNSET;
    return q;
}

visits *scan_rules(rf_backend *b, const char *practice, const char *program_id, const char *after,
                   unsigned int limit)
{
    visits *v = visits_new(0);
    OK(b->reward_rule_scan(b, practice, program_id, after, limit, on_rule, v));
    return v;
}

visits *scan_grants(rf_backend *b, const char *practice, const rf_grant_query *q)
{
    visits *v = visits_new(0);
    OK(b->grant_scan(b, practice, q, on_grant, v));
    return v;
}

visits *scan_ledger(rf_backend *b, const char *practice, const rf_ledger_query *q)
{
    visits *v = visits_new(0);
    OK(b->ledger_scan(b, practice, q, on_ledger, v));
    return v;
}

void assert_seqs(visits *v, const int64_t *want, size_t n)
{
    assert_int_equal(v->n, n);
    for (size_t i = 0; i < n; i++) {
        if (v->seqs[i] != want[i]) {
            fail_msg("visit %zu: seq %lld, want %lld", i, (long long)v->seqs[i], (long long)want[i]);
        }
    }
    free(v);
}
