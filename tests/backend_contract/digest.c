/* Digests: records written out as text, one line each, so that whole states of a backend can be
 * compared and the first difference shown. */
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

digest *digest_new(void)
{
    digest *d = calloc(1, sizeof *d);
    assert_non_null(d);
    return d;
}

void digest_free(digest *d)
{
    if (d != NULL) {
        free(d->text);
        free(d);
    }
}

void digest_put(digest *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    if (d->len + (size_t)n + 1 > d->cap) {
        size_t cap = (d->len + (size_t)n + 1) * 2;
        char *grown = realloc(d->text, cap);
        assert_non_null(grown);
        d->text = grown;
        d->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(d->text + d->len, d->cap - d->len, fmt, ap);
    va_end(ap);
    d->len += (size_t)n;
}

/* An unset string, told apart from "". */
static const char *s(const char *str)
{
    return str != NULL ? str : "~";
}

int digest_rule(const rf_reward_rule_record *r, void *payload)
{
    digest_put(payload, "rule %s|%s|%s|%s|%s|%d|%d|%d|%d|%d|%d|%d|%d|%d|%d|%lld|%lld|%lld\n", s(r->id),
               s(r->program_id), s(r->name), s(r->currency), s(r->item), r->recipient, r->trigger, r->kind,
               r->percent, r->expiry_days, r->hold_days, r->cap_count, r->cap_days, r->tier, r->active,
               (long long)r->amount, (long long)r->created_at, (long long)r->updated_at);
    return 0;
}

int digest_grant(const rf_grant_record *r, void *payload)
{
    digest_put(payload, "grant %s|%s|%s|%s|%s|%s|%s|%s|%d|%d|%d|%d|%d|%d|%d|%lld|%lld|", s(r->id),
               s(r->grant_key), s(r->rule_id), s(r->program_id), s(r->referral_id), s(r->recipient_id),
               s(r->currency), s(r->item), r->recipient, r->kind, r->rule_kind, r->compliance, r->percent,
               r->tier_count, r->status, (long long)r->amount, (long long)r->units);
    digest_put(payload, "%lld|%lld|%lld|%lld|%lld|%lld\n", (long long)r->issued_at, (long long)r->release_at,
               (long long)r->released_at, (long long)r->expires_at, (long long)r->closed_at,
               (long long)r->updated_at);
    return 0;
}

int digest_entry(const rf_ledger_record *r, void *payload)
{
    digest_put(payload, "entry %s|%s|%s|%s|%s|%s|%d|%lld|%lld|%lld|%lld|%lld\n", s(r->id), s(r->entry_key),
               s(r->grant_id), s(r->party_id), s(r->currency), s(r->reference), r->type, (long long)r->amount,
               (long long)r->pending_delta, (long long)r->available_delta, (long long)r->seq,
               (long long)r->at);
    return 0;
}

int digest_rule_id(const rf_reward_rule_record *r, void *payload)
{
    digest_put(payload, " %s", r->id);
    return 0;
}

int digest_grant_id(const rf_grant_record *r, void *payload)
{
    digest_put(payload, " %s", r->id);
    return 0;
}

int digest_seq(const rf_ledger_record *r, void *payload)
{
    digest_put(payload, " %lld", (long long)r->seq);
    return 0;
}

int digest_client_event(const rf_client_event_record *r, void *payload)
{
    digest_put(payload, "event %s|%s|%s|%s|%s|%d|%d|%lld|%lld|%lld\n", s(r->id), s(r->party_id),
               s(r->practitioner_id), s(r->label), s(r->currency), r->type, r->value, (long long)r->amount,
               (long long)r->at, (long long)r->recorded_at);
    return 0;
}

int digest_task(const rf_task_record *r, void *payload)
{
    digest_put(payload, "task %s|%s|%s|%s|%s|%s|%s|%s|%s|%d|%d|%d|%d|%d|", s(r->id), s(r->task_key),
               s(r->party_id), s(r->referral_id), s(r->program_id), s(r->template_name), s(r->data),
               s(r->lease_owner), s(r->last_error), r->kind, r->state, r->channel, r->attempts, r->outcome);
    digest_put(payload, "%lld|%lld|%lld|%lld|%lld|%lld|%lld\n", (long long)r->due_at,
               (long long)r->deadline_at, (long long)r->lease_until, (long long)r->sent_at,
               (long long)r->closed_at, (long long)r->created_at, (long long)r->updated_at);
    return 0;
}

int digest_template(const rf_template_record *r, void *payload)
{
    digest_put(payload, "template %s|%s|%s|%s|%s|%d|%lld|%lld\n", s(r->id), s(r->program_id), s(r->name),
               s(r->subject), s(r->body), r->channel, (long long)r->created_at, (long long)r->updated_at);
    return 0;
}

int digest_client_event_id(const rf_client_event_record *r, void *payload)
{
    digest_put(payload, " %s", r->id);
    return 0;
}

int digest_task_id(const rf_task_record *r, void *payload)
{
    digest_put(payload, " %s", r->id);
    return 0;
}

int digest_template_id(const rf_template_record *r, void *payload)
{
    digest_put(payload, " %s", r->id);
    return 0;
}

/* The line of @text around byte @at, at most 200 bytes of it. */
static int line_at(const char *text, size_t len, size_t at, const char **start)
{
    size_t from = at;
    while (from > 0 && text[from - 1] != '\n') {
        from--;
    }
    size_t to = at;
    while (to < len && text[to] != '\n') {
        to++;
    }
    *start = text + from;
    return (int)(to - from < 200 ? to - from : 200);
}

void expect_digest(const digest *want, digest *got, const char *context)
{
    size_t at = 0;
    while (at < want->len && at < got->len && want->text[at] == got->text[at]) {
        at++;
    }
    if (at == want->len && at == got->len) {
        digest_free(got);
        return;
    }
    const char *w;
    const char *g;
    int wn = line_at(want->text, want->len, at, &w);
    int gn = line_at(got->text, got->len, at, &g);
    char message[800];
    snprintf(message, sizeof message, "%s: the records differ\nwant: %.*s\ngot:  %.*s", context, wn, w, gn,
             g);
    /* Freed before failing: fail_msg does not return. */
    digest_free(got);
    fail_msg("%s", message);
}
