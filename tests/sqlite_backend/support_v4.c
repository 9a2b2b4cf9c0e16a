/* Helpers of the SQLite backend suite for contract version 4: client
 * events, outbox tasks and message templates with a value in every field,
 * and their field-by-field comparisons. */
#include "support.h"

int raw_rc(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_extended_result_codes(db, 1);
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    return rc;
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
