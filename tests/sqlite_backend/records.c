/* Records of the SQLite backend suite with a value in every field, one
 * builder for each kind of record the contract stores, and their
 * field-by-field comparisons. */
#include "support.h"

rf_party_record party(const char *id, const char *external_id)
{
    rf_party_record p = {
        .id = id,
        .external_id = external_id,
        .display_name = "Jane Doe",
        .email = "jane@example.org",
        .phone = "+441632960001",
        .email_key = "ek-jane",
        .phone_key = "pk-jane",
        .segment = "new",
        .practitioner_id = "staff-1",
        .intake_detail = "a friend",
        .kind = 1,
        .consent = 5,
        .payer = 2,
        .intake = 3,
        .first_visit_at = 1700000000,
        .created_at = 1700000001,
        .updated_at = 1700000002,
    };
    return p;
}

rf_code_record code(const char *id, const char *key, const char *owner)
{
    rf_code_record c = {
        .id = id,
        .key = key,
        .text = "JANE-7K3Q",
        .owner_id = owner,
        .program_id = "prog-1",
        .revoke_reason = NULL,
        .style = 2,
        .channel = 3,
        .max_uses = 10,
        .uses = 4,
        .created_at = 1700000100,
        .expires_at = 1800000000,
        .revoked_at = 0,
    };
    return c;
}

void assert_same_str(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        assert_ptr_equal(a, b);
    } else {
        assert_string_equal(a, b);
    }
}

void assert_same_party(const rf_party_record *a, const rf_party_record *b)
{
    assert_same_str(a->id, b->id);
    assert_same_str(a->external_id, b->external_id);
    assert_same_str(a->display_name, b->display_name);
    assert_same_str(a->email, b->email);
    assert_same_str(a->phone, b->phone);
    assert_same_str(a->email_key, b->email_key);
    assert_same_str(a->phone_key, b->phone_key);
    assert_same_str(a->segment, b->segment);
    assert_same_str(a->practitioner_id, b->practitioner_id);
    assert_same_str(a->intake_detail, b->intake_detail);
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->consent, b->consent);
    assert_int_equal(a->payer, b->payer);
    assert_int_equal(a->intake, b->intake);
    assert_int_equal(a->first_visit_at, b->first_visit_at);
    assert_int_equal(a->created_at, b->created_at);
    assert_int_equal(a->updated_at, b->updated_at);
    assert_int_equal(a->preferred_channel, b->preferred_channel);
}

void assert_same_code(const rf_code_record *a, const rf_code_record *b)
{
    assert_same_str(a->id, b->id);
    assert_same_str(a->key, b->key);
    assert_same_str(a->text, b->text);
    assert_same_str(a->owner_id, b->owner_id);
    assert_same_str(a->program_id, b->program_id);
    assert_same_str(a->revoke_reason, b->revoke_reason);
    assert_int_equal(a->style, b->style);
    assert_int_equal(a->channel, b->channel);
    assert_int_equal(a->max_uses, b->max_uses);
    assert_int_equal(a->uses, b->uses);
    assert_int_equal(a->created_at, b->created_at);
    assert_int_equal(a->expires_at, b->expires_at);
    assert_int_equal(a->revoked_at, b->revoked_at);
}

rf_reward_rule_record reward_rule(const char *id, const char *program_id)
{
    rf_reward_rule_record r = {
        .id = id,
        .program_id = program_id,
        .name = "Friend's first session",
        .currency = "GBP",
        .item = "+15 minutes",
        .recipient = 1,
        .trigger = 7,
        .kind = 1,
        .percent = 10,
        .expiry_days = 180,
        .hold_days = 14,
        .cap_count = 3,
        .cap_days = 365,
        .tier = 5,
        .active = 1,
        .amount = 2500,
        .created_at = 1700000000,
        .updated_at = 1700000001,
    };
    return r;
}

rf_grant_record grant(const char *id, const char *key, const char *recipient_id)
{
    rf_grant_record g = {
        .id = id,
        .grant_key = key,
        .rule_id = "0001-w",
        .program_id = "prog-1",
        .referral_id = "0001-r",
        .recipient_id = recipient_id,
        .currency = "GBP",
        .item = "+15 minutes",
        .recipient = 1,
        .kind = 8,
        .rule_kind = 1,
        .compliance = 1,
        .percent = 10,
        .tier_count = 3,
        .status = 1,
        .amount = 2500,
        .units = 2500,
        .issued_at = 1700000000,
        .release_at = 1701209600,
        .released_at = 1701209700,
        .expires_at = 1716761600,
        .closed_at = 1716761700,
        .updated_at = 1716761800,
    };
    return g;
}

rf_ledger_record entry(const char *id, const char *key, int64_t seq)
{
    rf_ledger_record e = {
        .id = id,
        .entry_key = key,
        .grant_id = "0001-g",
        .party_id = "0001-p",
        .currency = "GBP",
        .reference = "invoice 42",
        .type = 3,
        .amount = 700,
        .pending_delta = -2500,
        .available_delta = 1800,
        .seq = seq,
        .at = 1700000400,
    };
    return e;
}

void assert_same_rule(const rf_reward_rule_record *a, const rf_reward_rule_record *b)
{
    assert_same_str(a->id, b->id);
    assert_same_str(a->program_id, b->program_id);
    assert_same_str(a->name, b->name);
    assert_same_str(a->currency, b->currency);
    assert_same_str(a->item, b->item);
    assert_int_equal(a->recipient, b->recipient);
    assert_int_equal(a->trigger, b->trigger);
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->percent, b->percent);
    assert_int_equal(a->expiry_days, b->expiry_days);
    assert_int_equal(a->hold_days, b->hold_days);
    assert_int_equal(a->cap_count, b->cap_count);
    assert_int_equal(a->cap_days, b->cap_days);
    assert_int_equal(a->tier, b->tier);
    assert_int_equal(a->active, b->active);
    assert_int_equal(a->amount, b->amount);
    assert_int_equal(a->created_at, b->created_at);
    assert_int_equal(a->updated_at, b->updated_at);
}

void assert_same_grant(const rf_grant_record *a, const rf_grant_record *b)
{
    assert_same_str(a->id, b->id);
    assert_same_str(a->grant_key, b->grant_key);
    assert_same_str(a->rule_id, b->rule_id);
    assert_same_str(a->program_id, b->program_id);
    assert_same_str(a->referral_id, b->referral_id);
    assert_same_str(a->recipient_id, b->recipient_id);
    assert_same_str(a->currency, b->currency);
    assert_same_str(a->item, b->item);
    assert_int_equal(a->recipient, b->recipient);
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->rule_kind, b->rule_kind);
    assert_int_equal(a->compliance, b->compliance);
    assert_int_equal(a->percent, b->percent);
    assert_int_equal(a->tier_count, b->tier_count);
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->amount, b->amount);
    assert_int_equal(a->units, b->units);
    assert_int_equal(a->issued_at, b->issued_at);
    assert_int_equal(a->release_at, b->release_at);
    assert_int_equal(a->released_at, b->released_at);
    assert_int_equal(a->expires_at, b->expires_at);
    assert_int_equal(a->closed_at, b->closed_at);
    assert_int_equal(a->updated_at, b->updated_at);
}

void assert_same_entry(const rf_ledger_record *a, const rf_ledger_record *b)
{
    assert_same_str(a->id, b->id);
    assert_same_str(a->entry_key, b->entry_key);
    assert_same_str(a->grant_id, b->grant_id);
    assert_same_str(a->party_id, b->party_id);
    assert_same_str(a->currency, b->currency);
    assert_same_str(a->reference, b->reference);
    assert_int_equal(a->type, b->type);
    assert_int_equal(a->amount, b->amount);
    assert_int_equal(a->pending_delta, b->pending_delta);
    assert_int_equal(a->available_delta, b->available_delta);
    assert_int_equal(a->seq, b->seq);
    assert_int_equal(a->at, b->at);
}

rf_client_event_record event_rec(const char *id, const char *party_id)
{
    rf_client_event_record e = {
        .id = id,
        .party_id = party_id,
        .practitioner_id = "staff-1",
        .label = "back to running",
        .currency = "GBP",
        .type = 9,
        .value = 10,
        .amount = 4500,
        .at = 1700000000,
        .recorded_at = 1700000060,
    };
    return e;
}

rf_task_record task_rec(const char *id, const char *key, const char *party_id)
{
    rf_task_record t = {
        .id = id,
        .task_key = key,
        .party_id = party_id,
        .referral_id = "0001-r",
        .program_id = "prog-1",
        .template_name = "thanks.sms",
        .data = "step=1",
        .lease_owner = "worker-1",
        .last_error = "smtp 451",
        .kind = 1,
        .state = 1,
        .channel = 3,
        .attempts = 2,
        .outcome = 4,
        .due_at = 1700000100,
        .deadline_at = 1700172900,
        .lease_until = 1700000400,
        .sent_at = 1700000500,
        .closed_at = 1700000600,
        .created_at = 1700000000,
        .updated_at = 1700000700,
    };
    return t;
}

rf_template_record template_rec(const char *id, const char *program_id, const char *name)
{
    rf_template_record t = {
        .id = id,
        .program_id = program_id,
        .name = name,
        .subject = "Thank you",
        .body = "Hi {{referrer.first_name}}, thank you for thinking of us.",
        .channel = 4,
        .created_at = 1700000000,
        .updated_at = 1700000001,
    };
    return t;
}

void assert_same_event(const rf_client_event_record *a, const rf_client_event_record *b)
{
    assert_same_str(a->id, b->id);
    assert_same_str(a->party_id, b->party_id);
    assert_same_str(a->practitioner_id, b->practitioner_id);
    assert_same_str(a->label, b->label);
    assert_same_str(a->currency, b->currency);
    assert_int_equal(a->type, b->type);
    assert_int_equal(a->value, b->value);
    assert_int_equal(a->amount, b->amount);
    assert_int_equal(a->at, b->at);
    assert_int_equal(a->recorded_at, b->recorded_at);
}

void assert_same_task(const rf_task_record *a, const rf_task_record *b)
{
    assert_same_str(a->id, b->id);
    assert_same_str(a->task_key, b->task_key);
    assert_same_str(a->party_id, b->party_id);
    assert_same_str(a->referral_id, b->referral_id);
    assert_same_str(a->program_id, b->program_id);
    assert_same_str(a->template_name, b->template_name);
    assert_same_str(a->data, b->data);
    assert_same_str(a->lease_owner, b->lease_owner);
    assert_same_str(a->last_error, b->last_error);
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->state, b->state);
    assert_int_equal(a->channel, b->channel);
    assert_int_equal(a->attempts, b->attempts);
    assert_int_equal(a->outcome, b->outcome);
    assert_int_equal(a->due_at, b->due_at);
    assert_int_equal(a->deadline_at, b->deadline_at);
    assert_int_equal(a->lease_until, b->lease_until);
    assert_int_equal(a->sent_at, b->sent_at);
    assert_int_equal(a->closed_at, b->closed_at);
    assert_int_equal(a->created_at, b->created_at);
    assert_int_equal(a->updated_at, b->updated_at);
}

void assert_same_template(const rf_template_record *a, const rf_template_record *b)
{
    assert_same_str(a->id, b->id);
    assert_same_str(a->program_id, b->program_id);
    assert_same_str(a->name, b->name);
    assert_same_str(a->subject, b->subject);
    assert_same_str(a->body, b->body);
    assert_int_equal(a->channel, b->channel);
    assert_int_equal(a->created_at, b->created_at);
    assert_int_equal(a->updated_at, b->updated_at);
}
