/* Shorthands for the issue-5 cases; see story_support.h. */
#include "story_support.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

rf_party *add_person(fixture *fx, const char *name, person who)
{
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = who.kind != RF_PARTY_KIND_UNSET ? who.kind : RF_PARTY_CLIENT;
    o.display_name = name;
    o.email = who.email;
    o.phone = who.phone;
    o.consent = who.consent;
    o.preferred_channel = who.preferred;
    if (who.first_visit_at != 0) {
        o.first_visit_at = who.first_visit_at;
    }
    rf_party *p = NULL;
    assert_ok(rf_party_add(&p, fx->store, &o));
    return p;
}

/* "Ann Lee" -> "ann.lee@example.org" */
static void email_of(char *out, size_t size, const char *name)
{
    size_t n = 0;
    for (const char *c = name; *c != '\0' && n + 1 < size; c++) {
        out[n++] = *c == ' ' ? '.' : (char)tolower((unsigned char)*c);
    }
    out[n] = '\0';
    snprintf(out + n, size - n, "@example.org");
}

rf_party *contactable_client(fixture *fx, const char *name, rf_time first_visit_at)
{
    char email[96];
    email_of(email, sizeof email, name);
    person who = {RF_PARTY_CLIENT, email, NULL, RF_CONSENT_CONTACT, RF_CHANNEL_UNSET, first_visit_at};
    return add_person(fx, name, who);
}

rf_program *program_with(fixture *fx, const char *name, rf_program_options o)
{
    o.name = name;
    if (o.fraud_action == RF_FRAUD_ACTION_UNSET) {
        o.fraud_action = RF_FRAUD_FLAG;
    }
    if (o.exclude_existing_clients == RF_UNSET) {
        o.exclude_existing_clients = 0;
    }
    rf_program *p = NULL;
    assert_ok(rf_program_create(&p, fx->store, &o));
    return p;
}

rf_program *outbox_program(fixture *fx, const char *name)
{
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    return program_with(fx, name, o);
}

rf_client_event_options event_options(const char *party_id, rf_client_event_type type, int value,
                                      const char *label)
{
    rf_client_event_options o = RF_CLIENT_EVENT_OPTIONS_INIT;
    o.party_id = party_id;
    o.type = type;
    o.value = value;
    o.label = label;
    return o;
}

rf_client_event *record_event(fixture *fx, const char *party_id, rf_client_event_type type, int value,
                              const char *label)
{
    rf_client_event_options o = event_options(party_id, type, value, label);
    if (type == RF_CLIENT_EVENT_REVENUE) {
        o.amount = 12000;
        o.currency = "EUR";
    }
    rf_client_event *e = NULL;
    assert_ok(rf_client_event_add(&e, fx->store, &o));
    assert_non_null(e);
    return e;
}

rf_referral *refer(fixture *fx, const rf_program *program, const char *referrer_id, rf_referral_source source,
                   rf_urgency urgency, const char *practitioner_id, int referee_consent)
{
    static unsigned counter;
    char name[32], email[64];
    snprintf(name, sizeof name, "Referee %u", ++counter);
    snprintf(email, sizeof email, "referee%u@example.net", counter);
    person who = {RF_PARTY_LEAD,
                  referee_consent ? email : NULL,
                  NULL,
                  referee_consent ? RF_CONSENT_CONTACT : 0,
                  RF_CHANNEL_UNSET,
                  0};
    rf_party *lead = add_person(fx, name, who);
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(program);
    o.referee_id = rf_party_id(lead);
    o.referrer_id = referrer_id;
    o.source = referrer_id == NULL ? RF_SOURCE_UNSET : source != RF_SOURCE_UNSET ? source : RF_SOURCE_MANUAL;
    o.urgency = urgency;
    o.practitioner_id = practitioner_id;
    rf_referral *r = NULL;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    rf_party_free(lead);
    return r;
}

/* --- reading the outbox ----------------------------------------------------- */

int count_tasks(fixture *fx, const char *party_id, const char *referral_id, rf_task_kind kind,
                rf_task_state state)
{
    rf_task_filter f = RF_TASK_FILTER_INIT;
    f.party_id = party_id;
    f.referral_id = referral_id;
    f.kind = kind;
    f.state = state;
    rf_task_iter *it = NULL;
    rf_task *t = NULL;
    int n = 0;
    assert_ok(rf_task_list(&it, fx->store, &f));
    while (rf_task_iter_next(&t, it) == RF_OK) {
        n++;
        rf_task_free(t);
    }
    rf_task_iter_free(it);
    return n;
}

rf_task *task_by_key(fixture *fx, const char *key)
{
    rf_task_iter *it = NULL;
    rf_task *t = NULL, *found = NULL;
    assert_ok(rf_task_list(&it, fx->store, NULL));
    while (rf_task_iter_next(&t, it) == RF_OK) {
        if (found == NULL && strcmp(rf_task_key(t), key) == 0) {
            found = t;
        } else {
            rf_task_free(t);
        }
    }
    rf_task_iter_free(it);
    return found;
}

rf_task *task_for(fixture *fx, const char *prefix, const char *id)
{
    char key[256];
    snprintf(key, sizeof key, "%s:%s", prefix, id);
    rf_task *t = task_by_key(fx, key);
    if (t == NULL) {
        print_error("no task with key %s\n", key);
        fail();
    }
    return t;
}

rf_task *only_task(fixture *fx, const char *party_id, const char *referral_id, rf_task_kind kind)
{
    rf_task_filter f = RF_TASK_FILTER_INIT;
    f.party_id = party_id;
    f.referral_id = referral_id;
    f.kind = kind;
    rf_task_iter *it = NULL;
    rf_task *t = NULL, *found = NULL;
    int n = 0;
    assert_ok(rf_task_list(&it, fx->store, &f));
    while (rf_task_iter_next(&t, it) == RF_OK) {
        if (n++ == 0) {
            found = t;
        } else {
            rf_task_free(t);
        }
    }
    rf_task_iter_free(it);
    if (n != 1) {
        print_error("%d %s tasks, expected one\n", n, rf_task_kind_name(kind));
        fail();
    }
    return found;
}

rf_task *reload_task(fixture *fx, const rf_task *task)
{
    rf_task *t = NULL;
    assert_ok(rf_task_get(&t, fx->store, rf_task_id(task)));
    return t;
}

void ask_key(char *out, size_t size, const rf_program *program, const char *trigger, const char *source)
{
    snprintf(out, size, "ask:%s:%s:%s", rf_program_id(program), trigger, source);
}

rf_task *the_ask(fixture *fx, const rf_program *program, const char *trigger, const char *source)
{
    char key[256];
    ask_key(key, sizeof key, program, trigger, source);
    rf_task *t = task_by_key(fx, key);
    if (t == NULL) {
        print_error("no ask with key %s\n", key);
        fail();
    }
    return t;
}

void assert_no_ask(fixture *fx, const char *party_id)
{
    assert_int_equal(count_tasks(fx, party_id, NULL, RF_TASK_ASK, RF_TASK_STATE_UNSET), 0);
}

void assert_ask(fixture *fx, const rf_task *task, const rf_program *program, const rf_party *client,
                rf_task_state state, const char *template_name, rf_channel channel, const char *data)
{
    task_expect e = {
        RF_TASK_ASK, state, rf_party_id(client), NULL, rf_program_id(program), template_name, channel, data,
        fx->now,     0};
    assert_task(task, e);
    assert_int_equal(rf_task_created_at(task), fx->now);
    assert_int_equal(rf_task_closed_at(task), state == RF_TASK_SUPPRESSED ? fx->now : 0);
    assert_int_equal(rf_task_attempts(task), 0);
    assert_int_equal(rf_task_outcome(task), RF_ASK_OUTCOME_UNSET);
    assert_null(rf_task_lease_token(task));
    assert_int_equal(rf_task_lease_until(task), 0);
}

rf_task *trigger_ask(fixture *fx, const rf_program *program, const rf_party *client,
                     rf_client_event_type type, int value, const char *trigger, rf_task_state expected_state,
                     const char *data)
{
    int before = count_tasks(fx, rf_party_id(client), NULL, RF_TASK_ASK, RF_TASK_STATE_UNSET);
    const char *label = type == RF_CLIENT_EVENT_MILESTONE ? "ten sessions" : NULL;
    rf_client_event *e = record_event(fx, rf_party_id(client), type, value, label);
    int after = count_tasks(fx, rf_party_id(client), NULL, RF_TASK_ASK, RF_TASK_STATE_UNSET);
    if (data == NULL) {
        assert_int_equal(after, before);
        rf_client_event_free(e);
        return NULL;
    }
    assert_int_equal(after, before + 1);
    rf_task *t = the_ask(fx, program, trigger, rf_client_event_id(e));
    assert_int_equal(rf_task_get_state(t), expected_state);
    assert_string_equal(rf_task_data(t), data);
    /* The decision is the last thing journalled, about the task and the client. */
    char journal[256];
    snprintf(journal, sizeof journal, "kind=ASK;%s", data);
    const char *type_name =
        expected_state == RF_TASK_SUPPRESSED ? RF_EVENT_ASK_SUPPRESSED : RF_EVENT_TASK_CREATED;
    assert_last_event(fx, type_name, rf_task_id(t), journal);
    rf_event *ev = find_event(fx, type_name, last_seq(fx) - 1);
    assert_string_equal(rf_event_object_id(ev), rf_party_id(client));
    rf_event_free(ev);
    rf_client_event_free(e);
    return t;
}

size_t drain(fixture *fx, rf_store *store, rf_time now, rf_task_kind kind, rf_task **out, size_t max)
{
    (void)fx;
    rf_drain_options o = RF_DRAIN_OPTIONS_INIT;
    o.kind = kind;
    rf_task_iter *it = NULL;
    assert_ok(rf_tasks_due(&it, store, now, &o));
    rf_task *t = NULL;
    size_t n = 0;
    rf_status rc;
    while ((rc = rf_task_iter_next(&t, it)) == RF_OK) {
        assert_non_null(rf_task_lease_token(t));
        if (out != NULL && n < max) {
            out[n] = t;
        } else {
            rf_task_free(t);
        }
        n++;
    }
    assert_int_equal(rc, RF_ITEROVER);
    rf_task_iter_free(it);
    return n;
}

void sweep(fixture *fx)
{
    rf_task_iter *it = NULL;
    assert_ok(rf_tasks_due(&it, fx->store, fx->now, NULL));
    assert_non_null(it);
    rf_task_iter_free(it);
}

size_t drain_count(fixture *fx, rf_task_kind kind)
{
    return drain(fx, fx->store, fx->now, kind, NULL, 0);
}

void free_tasks(rf_task **tasks, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rf_task_free(tasks[i]);
        tasks[i] = NULL;
    }
}

size_t deliver_all(fixture *fx, rf_task_kind kind)
{
    rf_task *tasks[64];
    size_t n = drain(fx, fx->store, fx->now, kind, tasks, 64);
    assert_true(n <= 64);
    for (size_t i = 0; i < n; i++) {
        assert_ok(rf_task_sent(fx->store, rf_task_id(tasks[i]), rf_task_lease_token(tasks[i])));
        assert_ok(rf_task_acked(fx->store, rf_task_id(tasks[i])));
    }
    free_tasks(tasks, n);
    return n;
}

void assert_task(const rf_task *t, task_expect e)
{
    assert_non_null(t);
    assert_non_null(rf_task_id(t));
    assert_string_equal(rf_task_kind_name(rf_task_get_kind(t)), rf_task_kind_name(e.kind));
    assert_string_equal(rf_task_state_name(rf_task_get_state(t)), rf_task_state_name(e.state));
    assert_string_or_null(rf_task_party_id(t), e.party_id);
    assert_string_or_null(rf_task_referral_id(t), e.referral_id);
    assert_string_or_null(rf_task_program_id(t), e.program_id);
    assert_string_or_null(rf_task_template(t), e.template_name);
    assert_int_equal(rf_task_channel(t), e.channel);
    assert_string_or_null(rf_task_data(t), e.data);
    assert_int_equal(rf_task_due_at(t), e.due_at);
    assert_int_equal(rf_task_deadline_at(t), e.deadline_at);
}

void assert_last_event(fixture *fx, const char *type, const char *subject_id, const char *data)
{
    rf_event *ev = find_event(fx, type, last_seq(fx) - 1);
    if (ev == NULL) {
        print_error("the last journal event is not %s\n", type);
        fail();
    }
    if (subject_id != NULL) {
        assert_string_equal(rf_event_subject_id(ev), subject_id);
    }
    if (data != NULL) {
        assert_string_or_null(rf_event_data(ev), data);
    }
    rf_event_free(ev);
}
