/* The contract suite's helpers for version 4 records: client events, outbox tasks, message
 * templates, and the party's preferred channel. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void need_v4(rf_backend *b)
{
    static const contract_member members[] = {
        CONTRACT_MEMBER(client_event_insert),
        CONTRACT_MEMBER(client_event_scan),
        CONTRACT_MEMBER(task_insert),
        CONTRACT_MEMBER(task_update),
        CONTRACT_MEMBER(task_get),
        CONTRACT_MEMBER(task_get_by_key),
        CONTRACT_MEMBER(task_scan),
        CONTRACT_MEMBER(template_insert),
        CONTRACT_MEMBER(template_update),
        CONTRACT_MEMBER(template_get_by_name),
        CONTRACT_MEMBER(template_scan),
    };
    need_v3(b);
    need_members(b, 4, members, sizeof members / sizeof members[0]);
}

/* --- records ------------------------------------------------------------------------------------ */

rf_client_event_record client_event(const char *id, const char *party_id, int type, rf_time at)
{
    rf_client_event_record r = {.id = id,
                                .party_id = party_id,
                                .practitioner_id = "staff-7",
                                .label = "back to running",
                                .currency = "GBP",
                                .type = type,
                                .value = 9,
                                .amount = 4500,
                                .at = at,
                                .recorded_at = 1700004000};
    return r;
}

rf_task_record task(const char *id, const char *key, const char *party_id, const char *referral_id, int kind,
                    int state, rf_time due_at)
{
    rf_task_record r = {.id = id,
                        .task_key = key,
                        .party_id = party_id,
                        .referral_id = referral_id,
                        .program_id = "prog-1",
                        .template_name = "thanks.sms",
                        .data = "step=1",
                        .lease_owner = NULL,
                        .last_error = NULL,
                        .kind = kind,
                        .state = state,
                        .channel = 3,
                        .attempts = 0,
                        .outcome = 0,
                        .due_at = due_at,
                        .deadline_at = due_at + 172800,
                        .lease_until = 0,
                        .sent_at = 0,
                        .closed_at = 0,
                        .created_at = 1700005000,
                        .updated_at = 1700005000};
    return r;
}

rf_template_record template_rec(const char *id, const char *program_id, const char *name)
{
    rf_template_record r = {.id = id,
                            .program_id = program_id,
                            .name = name,
                            .subject = "Thank you",
                            .body = "Hi {{referrer.first_name}}, thank you for thinking of us.",
                            .channel = 4,
                            .created_at = 1700006000,
                            .updated_at = 1700006100};
    return r;
}

void fill_client_event(rf_client_event_record *r, unsigned int n)
{
    memset(r, 0, sizeof *r);
    r->id = uid(n);
    r->party_id = text("party-%u", n);
    r->practitioner_id = text("staff-%u", n);
    r->label = text("milestone \xe2\x80\x94 %u", n); /* UTF-8 passes through untouched */
    r->currency = text("C%02u", n % 100);
    r->type = (int)(1 + n % 11);
    r->value = (int)(n % 11);
    r->amount = INT64_C(1000000000000) + n; /* past 32 bits */
    r->at = -62135596800 + (rf_time)n;      /* 0001-01-01 */
    r->recorded_at = INT64_MAX - (rf_time)n;
}

void fill_task(rf_task_record *r, unsigned int n)
{
    memset(r, 0, sizeof *r);
    r->id = uid(n);
    r->task_key = text("thank:referral-%u", n);
    r->party_id = text("party-%u", n);
    r->referral_id = text("referral-%u", n);
    r->program_id = text("prog-%u", n);
    r->template_name = text("ask.sms.new-%u", n);
    r->data = text("reason=nps;step=%u", n);
    r->lease_owner = text("worker-%u", n);
    r->last_error = text("smtp 451 \xe2\x80\x94 try %u", n);
    r->kind = (int)(1 + n % 9);
    r->state = (int)(1 + n % 5);
    r->channel = (int)(1 + n % 9);
    r->attempts = (int)(3 + n);
    r->outcome = (int)(1 + n % 4);
    r->due_at = -62135596800 + (rf_time)n;
    r->deadline_at = INT64_C(253402300799) + n; /* 9999-12-31 and on */
    r->lease_until = INT64_MAX - (rf_time)n;
    r->sent_at = -1 - (rf_time)n; /* negative */
    r->closed_at = 1700000000 + (rf_time)n;
    r->created_at = 1600000000 + (rf_time)n;
    r->updated_at = 1700009999 + (rf_time)n;
}

void fill_template(rf_template_record *r, unsigned int n)
{
    memset(r, 0, sizeof *r);
    r->id = uid(n);
    r->program_id = text("prog-%u", n);
    r->name = text("ask.email.long-standing-%u", n);
    r->subject = text("A friend of yours \xe2\x80\x94 %u", n);
    r->body = text("<p>Hi {{referrer.first_name|there}} &amp; thanks %u</p>", n);
    r->channel = (int)(1 + n % 9);
    r->created_at = -62135596800 + (rf_time)n;
    r->updated_at = INT64_MAX - (rf_time)n;
}

void assert_client_event(const rf_client_event_record *want, const rf_client_event_record *got)
{
    assert_str(want->id, got->id);
    assert_str(want->party_id, got->party_id);
    assert_str(want->practitioner_id, got->practitioner_id);
    assert_str(want->label, got->label);
    assert_str(want->currency, got->currency);
    assert_int_equal(want->type, got->type);
    assert_int_equal(want->value, got->value);
    assert_int_equal(want->amount, got->amount);
    assert_int_equal(want->at, got->at);
    assert_int_equal(want->recorded_at, got->recorded_at);
}

void assert_task(const rf_task_record *want, const rf_task_record *got)
{
    assert_str(want->id, got->id);
    assert_str(want->task_key, got->task_key);
    assert_str(want->party_id, got->party_id);
    assert_str(want->referral_id, got->referral_id);
    assert_str(want->program_id, got->program_id);
    assert_str(want->template_name, got->template_name);
    assert_str(want->data, got->data);
    assert_str(want->lease_owner, got->lease_owner);
    assert_str(want->last_error, got->last_error);
    assert_int_equal(want->kind, got->kind);
    assert_int_equal(want->state, got->state);
    assert_int_equal(want->channel, got->channel);
    assert_int_equal(want->attempts, got->attempts);
    assert_int_equal(want->outcome, got->outcome);
    assert_int_equal(want->due_at, got->due_at);
    assert_int_equal(want->deadline_at, got->deadline_at);
    assert_int_equal(want->lease_until, got->lease_until);
    assert_int_equal(want->sent_at, got->sent_at);
    assert_int_equal(want->closed_at, got->closed_at);
    assert_int_equal(want->created_at, got->created_at);
    assert_int_equal(want->updated_at, got->updated_at);
}

void assert_template(const rf_template_record *want, const rf_template_record *got)
{
    assert_str(want->id, got->id);
    assert_str(want->program_id, got->program_id);
    assert_str(want->name, got->name);
    assert_str(want->subject, got->subject);
    assert_str(want->body, got->body);
    assert_int_equal(want->channel, got->channel);
    assert_int_equal(want->created_at, got->created_at);
    assert_int_equal(want->updated_at, got->updated_at);
}

/* --- scans -------------------------------------------------------------------------------------- */

int on_client_event(const rf_client_event_record *r, void *payload)
{
    /* Strings are borrowed until the callback returns: reading them must be safe here. */
    assert_non_null(r->party_id);
    return visit_id(payload, r->id, 0);
}

int on_task(const rf_task_record *r, void *payload)
{
    assert_non_null(r->task_key);
    return visit_id(payload, r->id, 0);
}

int on_template(const rf_template_record *r, void *payload)
{
    assert_non_null(r->name);
    return visit_id(payload, r->id, 0);
}

rf_client_event_query client_event_query(void)
{
    rf_client_event_query q;
    memset(&q, 0, sizeof q);
    q.from = RF_TIME_UNSET;
    q.to = RF_TIME_UNSET;
    return q;
}

rf_task_query task_query(void)
{
    rf_task_query q;
    memset(&q, 0, sizeof q);
    q.due_by = RF_TIME_UNSET;
    q.lease_free_at = RF_TIME_UNSET;
    return q;
}

visits *scan_client_events(rf_backend *b, const char *practice, const rf_client_event_query *q)
{
    visits *v = visits_new(0);
    OK(b->client_event_scan(b, practice, q, on_client_event, v));
    return v;
}

visits *scan_tasks(rf_backend *b, const char *practice, const rf_task_query *q)
{
    visits *v = visits_new(0);
    OK(b->task_scan(b, practice, q, on_task, v));
    return v;
}

visits *scan_templates(rf_backend *b, const char *practice, const char *program_id, const char *after,
                       unsigned int limit)
{
    visits *v = visits_new(0);
    OK(b->template_scan(b, practice, program_id, after, limit, on_template, v));
    return v;
}

void expect_task(rf_backend *b, const char *practice, const rf_task_record *want)
{
    rf_task_record got;
    OK(b->task_get(b, practice, want->id, &got));
    assert_task(want, &got);
    OK(b->task_get_by_key(b, practice, want->task_key, &got));
    assert_task(want, &got);
}

void expect_no_task(rf_backend *b, const char *practice, const char *id, const char *key)
{
    if (id != NULL) {
        expect_not_found(rf_task_record, b, task_get, practice, id);
    }
    if (key != NULL) {
        expect_not_found(rf_task_record, b, task_get_by_key, practice, key);
    }
}

void expect_template(rf_backend *b, const char *practice, const rf_template_record *want)
{
    rf_template_record got;
    OK(b->template_get_by_name(b, practice, want->program_id, want->name, &got));
    assert_template(want, &got);
}

void expect_no_template(rf_backend *b, const char *practice, const char *program_id, const char *name)
{
    rf_template_record got;
    memset(&got, 0xAB, sizeof got);
    assert_status(RF_ENOTFOUND, b->template_get_by_name(b, practice, program_id, name, &got));
    assert_zeroed(&got, sizeof got);
}

/* Payload of on_wanted_event: the event looked for, and how often the scan met it. */
typedef struct wanted_event {
    const rf_client_event_record *want;
    int met;
} wanted_event;

static int on_wanted_event(const rf_client_event_record *r, void *payload)
{
    wanted_event *w = payload;
    if (strcmp(r->id, w->want->id) == 0) {
        /* Compared here: the strings are borrowed until the callback returns. */
        assert_client_event(w->want, r);
        w->met++;
    }
    return 0;
}

void expect_client_event(rf_backend *b, const char *practice, const rf_client_event_record *want)
{
    wanted_event w = {want, 0};
    rf_client_event_query q = client_event_query();
    OK(b->client_event_scan(b, practice, &q, on_wanted_event, &w));
    assert_int_equal(w.met, 1);
}
