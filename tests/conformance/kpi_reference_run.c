/* Running the people's steps of the KPI reference practice: events (and the
 * asks the policies make of them), leads, conversions, touches, and the
 * outbox drains that send thank-yous, partner updates and asks at planned
 * delays — each kept in the test's own record. */
#include "kpi_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The programmes' ask policies as set in kpi_practice.c: NPS thresholds, praise. */
static const int ask_nps[KPI_PROGRAMS] = {9, 10}, ask_praise[KPI_PROGRAMS] = {1, 0};

static const char *const currencies[] = {"EUR", "GBP"};

/* The asks the policies write for event @e of @who, foreseen. */
static void foresee_asks(fixture *fx, kpi_practice *p, const kpi_event *e, const kpi_party *who)
{
    for (int k = 0; k < KPI_PROGRAMS; k++) {
        const char *trigger = e->type == RF_CLIENT_EVENT_NPS && e->value >= ask_nps[k] ? "nps"
                              : e->type == RF_CLIENT_EVENT_PRAISE && ask_praise[k]     ? "praise"
                                                                                       : NULL;
        if (trigger == NULL) {
            continue;
        }
        assert_true(p->ask_count < KPI_ASKS_MAX);
        kpi_ask *a = &p->asks[p->ask_count++];
        uint64_t s = (uint64_t)p->ask_count * 7919u + (uint64_t)k;
        /* Through a local copy: gcc cannot tell that the event's id and the ask's key never overlap. */
        char key[sizeof a->key];
        snprintf(key, sizeof key, "ask:%s:%s:%s", rf_program_id(p->programs[k]), trigger, e->id);
        memcpy(a->key, key, sizeof key);
        a->program = k;
        a->party = e->party;
        a->channel = who->reach;
        a->created_at = fx->now;
        a->suppressed =
            who->kind != RF_PARTY_CLIENT || (who->consent & RF_CONSENT_CONTACT) == 0 || who->complaints > 0;
        int r = (int)kpi_between(&s, 0, 99);
        a->send_after = r < 50 ? 0 : r < 85 ? kpi_between(&s, DAY, 20 * DAY) : -1;
        r = (int)kpi_between(&s, 0, 99);
        a->plan = r < 30   ? RF_ASK_OUTCOME_UNSET
                  : r < 50 ? RF_ASK_DECLINED
                  : r < 80 ? RF_ASK_SHARED
                           : RF_ASK_REFERRED;
    }
}

static void run_event(fixture *fx, kpi_practice *p, const kpi_step *st)
{
    kpi_party *who = &p->parties[st->ref];
    assert_true(who->id[0] != '\0');
    assert_true(p->event_count < KPI_EVENTS_MAX);
    kpi_event *e = &p->events[p->event_count++];
    e->party = st->ref;
    e->type = (rf_client_event_type)st->type;
    e->at = fx->now;
    e->value = RF_UNSET;
    rf_client_event_options o = RF_CLIENT_EVENT_OPTIONS_INIT;
    o.party_id = who->id;
    o.type = e->type;
    char label[32];
    snprintf(label, sizeof label, "C-%d", st->ref);
    if (e->type == RF_CLIENT_EVENT_NPS) {
        o.value = e->value = st->value;
    } else if (e->type == RF_CLIENT_EVENT_REVENUE) {
        o.amount = e->amount = st->value;
        o.currency = e->currency = currencies[st->seq];
    } else if (e->type == RF_CLIENT_EVENT_COMPLAINT_OPENED || e->type == RF_CLIENT_EVENT_COMPLAINT_RESOLVED) {
        o.label = label;
        who->complaints += e->type == RF_CLIENT_EVENT_COMPLAINT_OPENED ? 1 : -1;
    }
    rf_client_event *made = NULL;
    assert_ok(rf_client_event_add(&made, fx->store, &o));
    snprintf(e->id, sizeof e->id, "%s", rf_client_event_id(made));
    assert_int_equal(rf_client_event_at(made), e->at);
    rf_client_event_free(made);
    /* A completed visit dates a first visit that was not known. */
    if (e->type == RF_CLIENT_EVENT_VISIT_COMPLETED && who->first_visit == 0) {
        who->first_visit = e->at;
    }
    foresee_asks(fx, p, e, who);
}

static void run_lead(fixture *fx, kpi_practice *p, const kpi_step *st)
{
    kpi_party *who = &p->parties[st->ref];
    uint64_t s = (uint64_t)st->ref * 104729u;
    snprintf(who->name, sizeof who->name, "Walk In %d", st->ref - KPI_LEAD0);
    who->kind = RF_PARTY_LEAD;
    who->consent = kpi_chance(&s, 60) ? RF_CONSENT_CONTACT : 0;
    who->practitioner = (int)kpi_between(&s, -1, KPI_STAFF - 1);
    who->reach = RF_CHANNEL_IN_PERSON;
    who->created_at = fx->now;
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_LEAD;
    o.display_name = who->name;
    o.consent = who->consent;
    o.practitioner_id = who->practitioner >= 0 ? rf_party_id(p->staff[who->practitioner]) : NULL;
    rf_party *made = NULL;
    assert_ok(rf_party_add(&made, fx->store, &o));
    snprintf(who->id, sizeof who->id, "%s", rf_party_id(made));
    rf_party_free(made);
}

/* A lead the practice won by itself: LEAD -> CLIENT, first visit now unless known. */
static void run_convert(fixture *fx, kpi_practice *p, const kpi_step *st)
{
    kpi_party *who = &p->parties[st->ref];
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_CLIENT;
    if (who->first_visit == 0) {
        o.first_visit_at = who->first_visit = fx->now;
    }
    assert_ok(rf_party_update(NULL, fx->store, who->id, &o));
    who->kind = RF_PARTY_CLIENT;
}

static void run_touch(fixture *fx, kpi_practice *p, const kpi_step *st)
{
    int program = st->type, client = st->value;
    rf_touch_options o = RF_TOUCH_OPTIONS_INIT;
    o.channel = (rf_channel)st->seq;
    char visitor[32];
    snprintf(visitor, sizeof visitor, "visitor-%d", st->ref);
    rf_touch *t = NULL;
    assert_ok(rf_touch_add(&t, fx->store, rf_code_text(p->codes[program][client]), visitor, &o));
    kpi_touch *k = &p->touches[p->touch_count++];
    k->program = program;
    /* No channel given: the code's. */
    k->channel = o.channel != RF_CHANNEL_UNSET ? o.channel : rf_code_channel(p->codes[program][client]);
    k->at = fx->now;
    assert_string_equal(rf_touch_program_id(t), rf_program_id(p->programs[program]));
    assert_int_equal(rf_touch_channel(t), k->channel);
    assert_int_equal(rf_touch_at(t), k->at);
    rf_touch_free(t);
}

void kpi_note_closed(kpi_practice *p, int ref, rf_time now)
{
    kpi_referral *r = &p->refs[ref];
    kpi_party *who = &p->parties[r->referee];
    if (who->kind == RF_PARTY_LEAD) {
        who->kind = RF_PARTY_CLIENT;
        if (who->first_visit == 0) {
            who->first_visit = r->reached[RF_REFERRAL_SEEN] != 0 ? r->reached[RF_REFERRAL_SEEN] : now;
        }
    }
}

/* --- the outbox ------------------------------------------------------------------- */

static const rf_task_kind drained[] = {RF_TASK_ASK, RF_TASK_THANK_REFERRER, RF_TASK_PARTNER_VISIT_SUMMARY,
                                       RF_TASK_PARTNER_CLOSURE};

/* The record's slot of @t: *sent and *created, and the plan; fails on a task the test did not foresee. */
static void find_slot(kpi_practice *p, const rf_task *t, rf_time **sent, rf_time *created, rf_time *after,
                      kpi_ask **ask)
{
    *ask = NULL;
    if (rf_task_get_kind(t) == RF_TASK_ASK) {
        for (size_t i = 0; i < p->ask_count; i++) {
            if (strcmp(p->asks[i].key, rf_task_key(t)) == 0) {
                *ask = &p->asks[i];
                *sent = &p->asks[i].sent_at;
                *created = p->asks[i].created_at;
                *after = p->asks[i].send_after;
                return;
            }
        }
        print_error("ask %s was not foreseen\n", rf_task_key(t));
        fail();
    }
    int k = rf_task_get_kind(t) == RF_TASK_THANK_REFERRER          ? 0
            : rf_task_get_kind(t) == RF_TASK_PARTNER_VISIT_SUMMARY ? 1
                                                                   : 2;
    static const rf_referral_state written[] = {RF_REFERRAL_RECEIVED, RF_REFERRAL_SEEN, RF_REFERRAL_CLOSED};
    for (size_t i = 0; i < p->count; i++) {
        kpi_referral *r = &p->refs[i];
        if (strcmp(r->id, rf_task_referral_id(t)) == 0) {
            assert_true(r->task[k]);
            *sent = &r->sent[k];
            *created = r->reached[written[k]];
            *after = r->send_after[k];
            return;
        }
    }
    fail_msg("task %s is about no referral of the record", rf_task_key(t));
}

static void run_drain(fixture *fx, kpi_practice *p)
{
    for (size_t d = 0; d < sizeof drained / sizeof drained[0]; d++) {
        if (drained[d] != RF_TASK_ASK && fx->now < T0) {
            continue; /* no referral yet */
        }
        rf_task *tasks[512];
        size_t n = drain(fx, fx->store, fx->now, drained[d], tasks, 512);
        assert_true(n <= 512);
        for (size_t i = 0; i < n; i++) {
            rf_time *sent = NULL, created = 0, after = 0;
            kpi_ask *ask = NULL;
            find_slot(p, tasks[i], &sent, &created, &after, &ask);
            if (after < 0) {
                assert_ok(rf_task_cancel(fx->store, rf_task_id(tasks[i]), "kpi reference: never sent"));
            } else if (fx->now >= created + after) {
                assert_ok(rf_task_sent(fx->store, rf_task_id(tasks[i]), rf_task_lease_token(tasks[i])));
                *sent = fx->now;
                if (ask != NULL && ask->plan != RF_ASK_OUTCOME_UNSET) {
                    assert_ok(rf_task_set_outcome(fx->store, rf_task_id(tasks[i]), ask->plan));
                    ask->outcome = ask->plan;
                }
            } /* else: its lease runs out and the next drain hands it out again */
        }
        free_tasks(tasks, n);
    }
}

void kpi_run_people(fixture *fx, kpi_practice *p, const kpi_step *st)
{
    switch (st->kind) {
    case KPI_EVENT: run_event(fx, p, st); break;
    case KPI_LEAD: run_lead(fx, p, st); break;
    case KPI_CONVERT: run_convert(fx, p, st); break;
    case KPI_TOUCH: run_touch(fx, p, st); break;
    default: run_drain(fx, p); break;
    }
}
