/* Conformance: every way rf_client_event_add refuses an event, each leaving
 * the store (events, tasks, parties, journal) exactly as it was. An asking
 * programme exists throughout, so a refused event that leaked into the ask
 * policy would show as a task. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "story_support.h"

enum { AT_UNSET, AT_NEGATIVE, AT_TOO_LATE };

static const struct bad_event {
    const char *why;
    rf_client_event_type type;
    int value;
    const char *label;
    int64_t amount;
    const char *currency;
    int with_practitioner;
    int at;
    const char *needle;
} bad_events[] = {
    {"no type", RF_CLIENT_EVENT_UNSET, RF_UNSET, NULL, RF_AMOUNT_UNSET, NULL, 0, AT_UNSET,
     "type is required"},
    {"unknown type", (rf_client_event_type)RF_CLIENT_EVENT_TYPE_COUNT, RF_UNSET, NULL, RF_AMOUNT_UNSET, NULL,
     0, AT_UNSET, "not an event type"},
    {"negative type", (rf_client_event_type)-3, RF_UNSET, NULL, RF_AMOUNT_UNSET, NULL, 0, AT_UNSET,
     "not an event type"},
    {"NPS without score", RF_CLIENT_EVENT_NPS, RF_UNSET, NULL, RF_AMOUNT_UNSET, NULL, 0, AT_UNSET,
     "need value"},
    {"NPS 11", RF_CLIENT_EVENT_NPS, 11, NULL, RF_AMOUNT_UNSET, NULL, 0, AT_UNSET, "out of range"},
    {"NPS -2", RF_CLIENT_EVENT_NPS, -2, NULL, RF_AMOUNT_UNSET, NULL, 0, AT_UNSET, "out of range"},
    {"NPS with label", RF_CLIENT_EVENT_NPS, 9, "survey", RF_AMOUNT_UNSET, NULL, 0, AT_UNSET,
     "take no label"},
    {"NPS with amount", RF_CLIENT_EVENT_NPS, 9, NULL, 100, "EUR", 0, AT_UNSET, "take no amount"},
    {"NPS with practitioner", RF_CLIENT_EVENT_NPS, 9, NULL, RF_AMOUNT_UNSET, NULL, 1, AT_UNSET,
     "take no practitioner"},
    {"visit with value", RF_CLIENT_EVENT_VISIT_COMPLETED, 1, NULL, RF_AMOUNT_UNSET, NULL, 0, AT_UNSET,
     "take no value"},
    {"visit with label", RF_CLIENT_EVENT_VISIT_COMPLETED, RF_UNSET, "x", RF_AMOUNT_UNSET, NULL, 0, AT_UNSET,
     "take no label"},
    {"visit with amount", RF_CLIENT_EVENT_VISIT_COMPLETED, RF_UNSET, NULL, 5, "EUR", 0, AT_UNSET,
     "take no amount"},
    {"milestone without name", RF_CLIENT_EVENT_MILESTONE, RF_UNSET, NULL, RF_AMOUNT_UNSET, NULL, 0, AT_UNSET,
     "need label"},
    {"milestone with empty name", RF_CLIENT_EVENT_MILESTONE, RF_UNSET, "", RF_AMOUNT_UNSET, NULL, 0, AT_UNSET,
     "need label"},
    {"milestone with value", RF_CLIENT_EVENT_MILESTONE, 3, "walk 5k", RF_AMOUNT_UNSET, NULL, 0, AT_UNSET,
     "take no value"},
    {"discharge without outcome", RF_CLIENT_EVENT_DISCHARGE, RF_UNSET, NULL, RF_AMOUNT_UNSET, NULL, 0,
     AT_UNSET, "need value"},
    {"discharge outcome 0", RF_CLIENT_EVENT_DISCHARGE, 0, NULL, RF_AMOUNT_UNSET, NULL, 0, AT_UNSET,
     "out of range"},
    {"discharge outcome 4", RF_CLIENT_EVENT_DISCHARGE, 4, NULL, RF_AMOUNT_UNSET, NULL, 0, AT_UNSET,
     "out of range"},
    {"payment with value", RF_CLIENT_EVENT_PAYMENT_CLEARED, 1, NULL, RF_AMOUNT_UNSET, NULL, 0, AT_UNSET,
     "take no value"},
    {"payment of 0", RF_CLIENT_EVENT_PAYMENT_CLEARED, RF_UNSET, NULL, 0, "EUR", 0, AT_UNSET, "out of range"},
    {"negative payment", RF_CLIENT_EVENT_PAYMENT_CLEARED, RF_UNSET, NULL, -5, "EUR", 0, AT_UNSET, "negative"},
    {"payment too large", RF_CLIENT_EVENT_PAYMENT_CLEARED, RF_UNSET, NULL, RF_AMOUNT_MAX + 1, "EUR", 0,
     AT_UNSET, "out of range"},
    {"amount without currency", RF_CLIENT_EVENT_PAYMENT_CLEARED, RF_UNSET, NULL, 100, NULL, 0, AT_UNSET,
     "needs a currency"},
    {"currency without amount", RF_CLIENT_EVENT_PAYMENT_CLEARED, RF_UNSET, NULL, RF_AMOUNT_UNSET, "EUR", 0,
     AT_UNSET, "without an amount"},
    {"lower-case currency", RF_CLIENT_EVENT_PAYMENT_CLEARED, RF_UNSET, NULL, 100, "eur", 0, AT_UNSET,
     "ISO 4217"},
    {"praise with value", RF_CLIENT_EVENT_PRAISE, 10, NULL, RF_AMOUNT_UNSET, NULL, 0, AT_UNSET,
     "take no value"},
    {"complaint without reference", RF_CLIENT_EVENT_COMPLAINT_OPENED, RF_UNSET, NULL, RF_AMOUNT_UNSET, NULL,
     0, AT_UNSET, "need label"},
    {"resolution without reference", RF_CLIENT_EVENT_COMPLAINT_RESOLVED, RF_UNSET, NULL, RF_AMOUNT_UNSET,
     NULL, 0, AT_UNSET, "need label"},
    {"revenue without amount", RF_CLIENT_EVENT_REVENUE, RF_UNSET, NULL, RF_AMOUNT_UNSET, NULL, 0, AT_UNSET,
     "need amount"},
    {"revenue with label", RF_CLIENT_EVENT_REVENUE, RF_UNSET, "invoice 7", 100, "EUR", 0, AT_UNSET,
     "take no label"},
    {"sensitive without flag", RF_CLIENT_EVENT_SENSITIVE_PHASE, RF_UNSET, NULL, RF_AMOUNT_UNSET, NULL, 0,
     AT_UNSET, "need value"},
    {"sensitive flag 2", RF_CLIENT_EVENT_SENSITIVE_PHASE, 2, NULL, RF_AMOUNT_UNSET, NULL, 0, AT_UNSET,
     "out of range"},
    {"before 1970", RF_CLIENT_EVENT_NPS, 9, NULL, RF_AMOUNT_UNSET, NULL, 0, AT_NEGATIVE, "before 1970"},
    {"more than a day ahead", RF_CLIENT_EVENT_NPS, 9, NULL, RF_AMOUNT_UNSET, NULL, 0, AT_TOO_LATE,
     "more than a day ahead"},
    {"label too long", RF_CLIENT_EVENT_MILESTONE, RF_UNSET,
     "0123456789012345678901234567890123456789012345678901234567890123456789", RF_AMOUNT_UNSET, NULL, 0,
     AT_UNSET, "limit"},
    {"label not UTF-8", RF_CLIENT_EVENT_PRAISE, RF_UNSET, "caf\xe9", RF_AMOUNT_UNSET, NULL, 0, AT_UNSET,
     "UTF-8"},
};
#define BAD_COUNT (sizeof bad_events / sizeof bad_events[0])

typedef struct refusal_world {
    rf_program *program;
    rf_party *client, *staff;
    char *before;
} refusal_world;

/* An asking programme, a client who would be asked, a practitioner, one event. */
static refusal_world world(fixture *fx)
{
    refusal_world w;
    w.program = outbox_program(fx, "Advocates");
    w.client = contactable_client(fx, "Kai Moss", T0 - 30 * DAY);
    w.staff = add_party(fx, RF_PARTY_STAFF, "Dr Lind", NULL, NULL);
    rf_client_event_free(
        record_event(fx, rf_party_id(w.client), RF_CLIENT_EVENT_VISIT_COMPLETED, RF_UNSET, NULL));
    w.before = snapshot(fx->store);
    return w;
}

static void world_free(refusal_world *w)
{
    free(w->before);
    rf_party_free(w->client);
    rf_party_free(w->staff);
    rf_program_free(w->program);
}

/* The call fails with @expected, leaves *out NULL and changes nothing. */
static void assert_refused(fixture *fx, const refusal_world *w, const rf_client_event_options *o,
                           rf_status expected, const char *needle)
{
    rf_client_event *e = (rf_client_event *)(void *)fx; /* a stale pointer the call must clear */
    assert_status(rf_client_event_add(&e, fx->store, o), expected);
    assert_null(e);
    if (needle != NULL) {
        assert_message_has(needle);
    }
    assert_unchanged(fx->store, w->before);
}

static void malformed_events_are_refused(void **state)
{
    fixture *fx = *state;
    refusal_world w = world(fx);
    for (size_t i = 0; i < BAD_COUNT; i++) {
        const struct bad_event *b = &bad_events[i];
        rf_client_event_options o = event_options(rf_party_id(w.client), b->type, b->value, b->label);
        o.amount = b->amount;
        o.currency = b->currency;
        o.practitioner_id = b->with_practitioner ? rf_party_id(w.staff) : NULL;
        o.at = b->at == AT_NEGATIVE ? -1 : b->at == AT_TOO_LATE ? fx->now + DAY + 1 : RF_TIME_UNSET;
        print_message("refusing: %s\n", b->why);
        assert_refused(fx, &w, &o, RF_EINVALID, b->needle);
        const rf_error *err = rf_error_last();
        assert_int_equal(err->code, RF_EINVALID);
    }
    world_free(&w);
}

static void bad_arguments_are_refused(void **state)
{
    fixture *fx = *state;
    refusal_world w = world(fx);
    rf_client_event_options o = event_options(NULL, RF_CLIENT_EVENT_NPS, 10, NULL);
    assert_refused(fx, &w, &o, RF_EINVALID, "party_id is required");
    o.party_id = "";
    assert_refused(fx, &w, &o, RF_EINVALID, "party_id");
    o.party_id = rf_party_id(w.client);
    char key[RF_IDEMPOTENCY_KEY_MAX + 2];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    o.idempotency_key = key;
    assert_refused(fx, &w, &o, RF_EINVALID, "idempotency_key");
    o.idempotency_key = NULL;
    o.version = 0;
    assert_refused(fx, &w, &o, RF_EINVALID, "version");
    o.version = RF_CLIENT_EVENT_OPTIONS_VERSION + 1;
    assert_refused(fx, &w, &o, RF_EINVALID, "version");
    assert_refused(fx, &w, NULL, RF_EINVALID, NULL);
    o.version = RF_CLIENT_EVENT_OPTIONS_VERSION;
    assert_status(rf_client_event_add(NULL, fx->store, &o), RF_EINVALID);
    rf_client_event *e = NULL;
    assert_status(rf_client_event_add(&e, NULL, &o), RF_EINVALID);
    assert_null(e);
    assert_unchanged(fx->store, w.before);
    world_free(&w);
}

static void references_are_checked(void **state)
{
    fixture *fx = *state;
    refusal_world w = world(fx);
    rf_client_event_options o =
        event_options("00000000-0000-7000-8000-000000000000", RF_CLIENT_EVENT_NPS, 10, NULL);
    assert_refused(fx, &w, &o, RF_ENOTFOUND, NULL);

    /* Partners and staff have no client events. */
    rf_party *gp = add_party(fx, RF_PARTY_PARTNER, "Elm St surgery", NULL, NULL);
    free(w.before);
    w.before = snapshot(fx->store);
    o.party_id = rf_party_id(gp);
    assert_refused(fx, &w, &o, RF_ESTATE, "PARTNER");
    o.party_id = rf_party_id(w.staff);
    assert_refused(fx, &w, &o, RF_ESTATE, "STAFF");

    /* The practitioner must exist and be STAFF. */
    o = event_options(rf_party_id(w.client), RF_CLIENT_EVENT_VISIT_COMPLETED, RF_UNSET, NULL);
    o.practitioner_id = "00000000-0000-7000-8000-000000000000";
    assert_refused(fx, &w, &o, RF_ENOTFOUND, NULL);
    o.practitioner_id = rf_party_id(gp);
    assert_refused(fx, &w, &o, RF_EINVALID, "STAFF");
    o.practitioner_id = rf_party_id(w.client);
    assert_refused(fx, &w, &o, RF_EINVALID, "STAFF");
    rf_party_free(gp);
    world_free(&w);
}

static void only_an_open_complaint_is_resolved(void **state)
{
    fixture *fx = *state;
    refusal_world w = world(fx);
    rf_client_event_options o =
        event_options(rf_party_id(w.client), RF_CLIENT_EVENT_COMPLAINT_RESOLVED, RF_UNSET, "C-1");
    assert_refused(fx, &w, &o, RF_ESTATE, "open");

    rf_client_event_free(
        record_event(fx, rf_party_id(w.client), RF_CLIENT_EVENT_COMPLAINT_OPENED, RF_UNSET, "C-1"));
    free(w.before);
    w.before = snapshot(fx->store);
    o.label = "C-2"; /* another reference */
    assert_refused(fx, &w, &o, RF_ESTATE, NULL);
    /* Another client's complaint is not this one's. */
    rf_party *other = contactable_client(fx, "Lu Nash", 0);
    free(w.before);
    w.before = snapshot(fx->store);
    o.party_id = rf_party_id(other);
    o.label = "C-1";
    assert_refused(fx, &w, &o, RF_ESTATE, NULL);

    o.party_id = rf_party_id(w.client);
    rf_client_event *e = NULL;
    assert_ok(rf_client_event_add(&e, fx->store, &o));
    rf_client_event_free(e);
    free(w.before);
    w.before = snapshot(fx->store);
    assert_refused(fx, &w, &o, RF_ESTATE, NULL); /* resolved already */

    /* Opened twice, resolved twice. */
    for (int i = 0; i < 2; i++) {
        rf_client_event_free(
            record_event(fx, rf_party_id(w.client), RF_CLIENT_EVENT_COMPLAINT_OPENED, RF_UNSET, "C-1"));
    }
    for (int i = 0; i < 2; i++) {
        assert_ok(rf_client_event_add(&e, fx->store, &o));
        rf_client_event_free(e);
    }
    free(w.before);
    w.before = snapshot(fx->store);
    assert_refused(fx, &w, &o, RF_ESTATE, NULL);
    rf_party_free(other);
    world_free(&w);
}

const struct CMUnitTest event_refusal_cases[] = {
    CASE(malformed_events_are_refused),
    CASE(bad_arguments_are_refused),
    CASE(references_are_checked),
    CASE(only_an_open_complaint_is_resolved),
};
const size_t event_refusal_case_count = sizeof event_refusal_cases / sizeof event_refusal_cases[0];
