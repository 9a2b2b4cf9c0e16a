/* Conformance: client events: every type with its fields, times, the first
 * visit they date, replays, listing and filters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "story_support.h"

/* One event of each type, with the fields it takes (and the optional ones left out). */
static const struct kind_case {
    rf_client_event_type type;
    int value;
    const char *label;
    int64_t amount;
    const char *currency;
    int with_practitioner;
    const char *data; /* the journal's */
} kinds[] = {
    {RF_CLIENT_EVENT_VISIT_COMPLETED, RF_UNSET, NULL, RF_AMOUNT_UNSET, NULL, 1, "type=VISIT_COMPLETED"},
    {RF_CLIENT_EVENT_VISIT_COMPLETED, RF_UNSET, NULL, RF_AMOUNT_UNSET, NULL, 0, "type=VISIT_COMPLETED"},
    {RF_CLIENT_EVENT_NPS, 0, NULL, RF_AMOUNT_UNSET, NULL, 0, "type=NPS;value=0"},
    {RF_CLIENT_EVENT_NPS, 10, NULL, RF_AMOUNT_UNSET, NULL, 0, "type=NPS;value=10"},
    {RF_CLIENT_EVENT_MILESTONE, RF_UNSET, "ten sessions", RF_AMOUNT_UNSET, NULL, 0, "type=MILESTONE"},
    {RF_CLIENT_EVENT_DISCHARGE, RF_DISCHARGE_GOOD, NULL, RF_AMOUNT_UNSET, NULL, 0, "type=DISCHARGE;value=1"},
    {RF_CLIENT_EVENT_DISCHARGE, RF_DISCHARGE_POOR, NULL, RF_AMOUNT_UNSET, NULL, 0, "type=DISCHARGE;value=3"},
    {RF_CLIENT_EVENT_PAYMENT_CLEARED, RF_UNSET, NULL, 4500, "GBP", 0, "type=PAYMENT_CLEARED"},
    {RF_CLIENT_EVENT_PAYMENT_CLEARED, RF_UNSET, NULL, RF_AMOUNT_UNSET, NULL, 0, "type=PAYMENT_CLEARED"},
    {RF_CLIENT_EVENT_PRAISE, RF_UNSET, "front desk card", RF_AMOUNT_UNSET, NULL, 0, "type=PRAISE"},
    {RF_CLIENT_EVENT_PRAISE, RF_UNSET, NULL, RF_AMOUNT_UNSET, NULL, 0, "type=PRAISE"},
    {RF_CLIENT_EVENT_COMPLAINT_OPENED, RF_UNSET, "C-17", RF_AMOUNT_UNSET, NULL, 0, "type=COMPLAINT_OPENED"},
    {RF_CLIENT_EVENT_COMPLAINT_RESOLVED, RF_UNSET, "C-17", RF_AMOUNT_UNSET, NULL, 0,
     "type=COMPLAINT_RESOLVED"},
    {RF_CLIENT_EVENT_REVENUE, RF_UNSET, NULL, 12000, "EUR", 0, "type=REVENUE"},
    {RF_CLIENT_EVENT_SENSITIVE_PHASE, 1, NULL, RF_AMOUNT_UNSET, NULL, 0, "type=SENSITIVE_PHASE;value=1"},
    {RF_CLIENT_EVENT_SENSITIVE_PHASE, 0, NULL, RF_AMOUNT_UNSET, NULL, 0, "type=SENSITIVE_PHASE;value=0"},
};
#define KIND_COUNT (sizeof kinds / sizeof kinds[0])

static char *event_line(const rf_client_event *e)
{
    char *line = malloc(512);
    assert_non_null(line);
    snprintf(line, 512, "%s %s %d %s %d %s %lld %s %lld %lld", rf_client_event_id(e),
             rf_client_event_party_id(e), rf_client_event_get_type(e),
             rf_client_event_practitioner_id(e) != NULL ? rf_client_event_practitioner_id(e) : "-",
             rf_client_event_value(e), rf_client_event_label(e) != NULL ? rf_client_event_label(e) : "-",
             (long long)rf_client_event_amount(e),
             rf_client_event_currency(e) != NULL ? rf_client_event_currency(e) : "-",
             (long long)rf_client_event_at(e), (long long)rf_client_event_recorded_at(e));
    return line;
}

static void assert_fields(const rf_client_event *e, const struct kind_case *k, const char *party_id,
                          const char *staff_id, rf_time at, rf_time recorded_at)
{
    assert_non_null(rf_client_event_id(e));
    assert_string_equal(rf_client_event_party_id(e), party_id);
    assert_int_equal(rf_client_event_get_type(e), k->type);
    assert_string_or_null(rf_client_event_practitioner_id(e), k->with_practitioner ? staff_id : NULL);
    assert_int_equal(rf_client_event_value(e), k->value);
    assert_string_or_null(rf_client_event_label(e), k->label);
    assert_int_equal(rf_client_event_amount(e), k->amount != RF_AMOUNT_UNSET ? k->amount : 0);
    assert_string_or_null(rf_client_event_currency(e), k->currency);
    assert_int_equal(rf_client_event_at(e), at);
    assert_int_equal(rf_client_event_recorded_at(e), recorded_at);
}

static void every_type_with_its_fields(void **state)
{
    fixture *fx = *state;
    rf_party *staff = add_party(fx, RF_PARTY_STAFF, "Dr Rowe", NULL, NULL);
    rf_party *client = contactable_client(fx, "Ann Lee", T0 - 400 * DAY);
    char *lines[KIND_COUNT];
    for (size_t i = 0; i < KIND_COUNT; i++) {
        const struct kind_case *k = &kinds[i];
        fx->now += 60;
        rf_client_event_options o = event_options(rf_party_id(client), k->type, k->value, k->label);
        o.amount = k->amount;
        o.currency = k->currency;
        o.practitioner_id = k->with_practitioner ? rf_party_id(staff) : NULL;
        o.at = fx->now - (rf_time)i * HOUR;
        int64_t before = last_seq(fx);
        rf_client_event *e = NULL;
        assert_ok(rf_client_event_add(&e, fx->store, &o));
        assert_fields(e, k, rf_party_id(client), rf_party_id(staff), fx->now - (rf_time)i * HOUR, fx->now);
        rf_event *ev = event_about(fx, RF_EVENT_CLIENT_EVENT, before, rf_client_event_id(e));
        assert_string_equal(rf_event_object_id(ev), rf_party_id(client));
        assert_string_equal(rf_event_data(ev), k->data);
        assert_int_equal(rf_event_at(ev), fx->now);
        rf_event_free(ev);
        lines[i] = event_line(e);
        rf_client_event_free(e);
    }
    /* Read back in the order recorded, from storage where there is one. */
    for (int pass = 0; pass < 2; pass++) {
        rf_client_event_filter f = RF_CLIENT_EVENT_FILTER_INIT;
        f.party_id = rf_party_id(client);
        rf_client_event_iter *it = NULL;
        rf_client_event *e = NULL;
        size_t n = 0;
        assert_ok(rf_client_event_list(&it, fx->store, &f));
        while (rf_client_event_iter_next(&e, it) == RF_OK) {
            assert_true(n < KIND_COUNT);
            char *line = event_line(e);
            assert_string_equal(line, lines[n]);
            free(line);
            rf_client_event_free(e);
            n++;
        }
        assert_null(e);
        rf_client_event_iter_free(it);
        assert_int_equal(n, KIND_COUNT);
        reopen_if_file(fx);
    }
    for (size_t i = 0; i < KIND_COUNT; i++) {
        free(lines[i]);
    }
    rf_party_free(client);
    rf_party_free(staff);
}

static void leads_have_events_too(void **state)
{
    fixture *fx = *state;
    person lead = {RF_PARTY_LEAD, NULL, NULL, 0, RF_CHANNEL_UNSET, 0};
    rf_party *p = add_person(fx, "Bo Lead", lead);
    rf_client_event *e = record_event(fx, rf_party_id(p), RF_CLIENT_EVENT_NPS, 7, NULL);
    assert_int_equal(rf_client_event_value(e), 7);
    assert_int_equal(rf_client_event_at(e), T0);
    rf_client_event_free(e);
    rf_party_free(p);
}

static void times_at_the_edges(void **state)
{
    fixture *fx = *state;
    rf_party *c = contactable_client(fx, "Cy Ode", 0);
    const rf_time ats[] = {0, 1, T0 - 5 * 365 * DAY, T0, T0 + DAY};
    for (size_t i = 0; i < sizeof ats / sizeof ats[0]; i++) {
        rf_client_event_options o = event_options(rf_party_id(c), RF_CLIENT_EVENT_REVENUE, RF_UNSET, NULL);
        o.amount = 1;
        o.currency = "EUR";
        o.at = ats[i];
        rf_client_event *e = NULL;
        assert_ok(rf_client_event_add(&e, fx->store, &o));
        assert_int_equal(rf_client_event_at(e), ats[i]);
        assert_int_equal(rf_client_event_recorded_at(e), T0);
        rf_client_event_free(e);
    }
    /* The largest amount is taken. */
    rf_client_event_options o = event_options(rf_party_id(c), RF_CLIENT_EVENT_REVENUE, RF_UNSET, NULL);
    o.amount = RF_AMOUNT_MAX;
    o.currency = "JPY";
    rf_client_event *e = NULL;
    assert_ok(rf_client_event_add(&e, fx->store, &o));
    assert_int_equal(rf_client_event_amount(e), RF_AMOUNT_MAX);
    rf_client_event_free(e);
    rf_party_free(c);
}

static void a_visit_dates_the_first_visit(void **state)
{
    fixture *fx = *state;
    rf_party *c = contactable_client(fx, "Di Vee", 0);
    assert_int_equal(rf_party_first_visit_at(c), 0);
    fx->now += DAY;
    rf_client_event_options o =
        event_options(rf_party_id(c), RF_CLIENT_EVENT_VISIT_COMPLETED, RF_UNSET, NULL);
    o.at = T0 - 3 * DAY;
    rf_client_event *e = NULL;
    assert_ok(rf_client_event_add(&e, fx->store, &o));
    rf_client_event_free(e);
    assert_last_event(fx, RF_EVENT_PARTY_UPDATED, rf_party_id(c), "fields=first_visit_at");
    rf_party *p = NULL;
    assert_ok(rf_party_get(&p, fx->store, rf_party_id(c)));
    assert_int_equal(rf_party_first_visit_at(p), T0 - 3 * DAY);
    assert_int_equal(rf_party_updated_at(p), T0 + DAY);
    rf_party_free(p);

    /* A later visit (and an earlier one) leaves it: the host's or the first one recorded wins. */
    for (rf_time at = T0 + DAY; at >= T0 - 10 * DAY; at -= 11 * DAY) {
        int64_t seq = last_seq(fx);
        o.at = at;
        assert_ok(rf_client_event_add(&e, fx->store, &o));
        rf_client_event_free(e);
        assert_int_equal(last_seq(fx), seq + 1); /* client.event only */
        assert_ok(rf_party_get(&p, fx->store, rf_party_id(c)));
        assert_int_equal(rf_party_first_visit_at(p), T0 - 3 * DAY);
        rf_party_free(p);
    }
    /* Other events never date it. */
    rf_party *d = contactable_client(fx, "Ed Wu", 0);
    rf_client_event_free(record_event(fx, rf_party_id(d), RF_CLIENT_EVENT_NPS, 5, NULL));
    rf_client_event_free(record_event(fx, rf_party_id(d), RF_CLIENT_EVENT_REVENUE, RF_UNSET, NULL));
    assert_ok(rf_party_get(&p, fx->store, rf_party_id(d)));
    assert_int_equal(rf_party_first_visit_at(p), 0);
    rf_party_free(p);
    /* A host-set first visit stays. */
    rf_party *h = contactable_client(fx, "Flo Hart", T0 - 50 * DAY);
    rf_client_event_free(record_event(fx, rf_party_id(h), RF_CLIENT_EVENT_VISIT_COMPLETED, RF_UNSET, NULL));
    assert_ok(rf_party_get(&p, fx->store, rf_party_id(h)));
    assert_int_equal(rf_party_first_visit_at(p), T0 - 50 * DAY);
    rf_party_free(p);
    rf_party_free(h);
    rf_party_free(d);
    rf_party_free(c);
}

static void replays_return_the_first_event(void **state)
{
    fixture *fx = *state;
    rf_program *prog = outbox_program(fx, "Advocates");
    rf_party *c = contactable_client(fx, "Gil Ray", T0 - 30 * DAY);
    rf_client_event_options o = event_options(rf_party_id(c), RF_CLIENT_EVENT_NPS, 10, NULL);
    o.idempotency_key = "nps-gil-1";
    rf_client_event *first = NULL, *again = NULL;
    assert_ok(rf_client_event_add(&first, fx->store, &o));
    assert_int_equal(count_tasks(fx, rf_party_id(c), NULL, RF_TASK_ASK, RF_TASK_STATE_UNSET), 1);
    char *before = snapshot(fx->store);
    assert_ok(rf_client_event_add(&again, fx->store, &o));
    assert_string_equal(rf_client_event_id(again), rf_client_event_id(first));
    assert_int_equal(rf_client_event_value(again), 10);
    assert_unchanged(fx->store, before);
    rf_client_event_free(again);

    /* The same key for another request is a conflict, and changes nothing. */
    o.value = 9;
    again = (rf_client_event *)fx;
    assert_status(rf_client_event_add(&again, fx->store, &o), RF_ECONFLICT);
    assert_null(again);
    assert_unchanged(fx->store, before);
    free(before);
    rf_client_event_free(first);
    rf_party_free(c);
    rf_program_free(prog);
}

/* A host retries a call that timed out a minute later: `at` was left to the
 * clock, so the retry is the same request. */
static void a_retry_later_with_at_unset_replays(void **state)
{
    fixture *fx = *state;
    rf_party *c = contactable_client(fx, "Hal Ito", 0);
    rf_client_event_options o = event_options(rf_party_id(c), RF_CLIENT_EVENT_PRAISE, RF_UNSET, "phone call");
    o.idempotency_key = "praise-hal";
    rf_client_event *first = NULL, *again = NULL;
    assert_ok(rf_client_event_add(&first, fx->store, &o));
    fx->now += 60;
    char *before = snapshot(fx->store);
    assert_ok(rf_client_event_add(&again, fx->store, &o));
    assert_string_equal(rf_client_event_id(again), rf_client_event_id(first));
    assert_int_equal(rf_client_event_at(again), T0);
    assert_unchanged(fx->store, before);
    free(before);
    rf_client_event_free(again);
    rf_client_event_free(first);
    rf_party_free(c);
}

static size_t listed(fixture *fx, const rf_client_event_filter *f)
{
    rf_client_event_iter *it = NULL;
    rf_client_event *e = NULL;
    size_t n = 0;
    assert_ok(rf_client_event_list(&it, fx->store, f));
    while (rf_client_event_iter_next(&e, it) == RF_OK) {
        if (f != NULL && f->party_id != NULL) {
            assert_string_equal(rf_client_event_party_id(e), f->party_id);
        }
        if (f != NULL && f->type != RF_CLIENT_EVENT_UNSET) {
            assert_int_equal(rf_client_event_get_type(e), f->type);
        }
        n++;
        rf_client_event_free(e);
    }
    assert_status(rf_client_event_iter_next(&e, it), RF_ITEROVER);
    assert_null(e);
    rf_client_event_iter_free(it);
    return n;
}

static void listing_filters(void **state)
{
    fixture *fx = *state;
    rf_party *a = contactable_client(fx, "Ida Ash", 0);
    rf_party *b = contactable_client(fx, "Jo Birch", 0);
    /* a: NPS at T0-3d, T0-2d, T0-1d; b: NPS at T0-2d and revenue at T0. */
    for (int d = 3; d >= 1; d--) {
        rf_client_event_options o = event_options(rf_party_id(a), RF_CLIENT_EVENT_NPS, 5, NULL);
        o.at = T0 - d * DAY;
        rf_client_event *e = NULL;
        assert_ok(rf_client_event_add(&e, fx->store, &o));
        rf_client_event_free(e);
    }
    rf_client_event_options o = event_options(rf_party_id(b), RF_CLIENT_EVENT_NPS, 6, NULL);
    o.at = T0 - 2 * DAY;
    rf_client_event *e = NULL;
    assert_ok(rf_client_event_add(&e, fx->store, &o));
    rf_client_event_free(e);
    rf_client_event_free(record_event(fx, rf_party_id(b), RF_CLIENT_EVENT_REVENUE, RF_UNSET, NULL));

    assert_int_equal(listed(fx, NULL), 5);
    rf_client_event_filter f = RF_CLIENT_EVENT_FILTER_INIT;
    assert_int_equal(listed(fx, &f), 5);
    f.party_id = rf_party_id(a);
    assert_int_equal(listed(fx, &f), 3);
    f.from = T0 - 2 * DAY; /* at or after */
    assert_int_equal(listed(fx, &f), 2);
    f.to = T0 - DAY; /* before */
    assert_int_equal(listed(fx, &f), 1);
    f.party_id = NULL;
    assert_int_equal(listed(fx, &f), 2);
    f.from = f.to = RF_TIME_UNSET;
    f.type = RF_CLIENT_EVENT_REVENUE;
    assert_int_equal(listed(fx, &f), 1);
    f.party_id = rf_party_id(a);
    assert_int_equal(listed(fx, &f), 0);
    f.party_id = "00000000-0000-7000-8000-000000000000";
    f.type = RF_CLIENT_EVENT_UNSET;
    assert_int_equal(listed(fx, &f), 0);

    /* Refused filters. */
    rf_client_event_iter *it = (rf_client_event_iter *)fx;
    rf_client_event_filter bad = RF_CLIENT_EVENT_FILTER_INIT;
    bad.type = (rf_client_event_type)RF_CLIENT_EVENT_TYPE_COUNT;
    assert_status(rf_client_event_list(&it, fx->store, &bad), RF_EINVALID);
    assert_null(it);
    bad.type = (rf_client_event_type)-1;
    assert_status(rf_client_event_list(&it, fx->store, &bad), RF_EINVALID);
    bad = (rf_client_event_filter)RF_CLIENT_EVENT_FILTER_INIT;
    bad.version = 0;
    assert_status(rf_client_event_list(&it, fx->store, &bad), RF_EINVALID);
    bad.version = RF_CLIENT_EVENT_FILTER_VERSION + 1;
    assert_status(rf_client_event_list(&it, fx->store, &bad), RF_EINVALID);
    assert_status(rf_client_event_list(NULL, fx->store, NULL), RF_EINVALID);
    assert_status(rf_client_event_list(&it, NULL, NULL), RF_EINVALID);
    assert_null(it);
    rf_party_free(a);
    rf_party_free(b);
}

static void names_and_initialisers(void **state)
{
    (void)state;
    static const char *const names[] = {"UNSET",     "VISIT_COMPLETED",  "NPS",
                                        "MILESTONE", "DISCHARGE",        "PAYMENT_CLEARED",
                                        "PRAISE",    "COMPLAINT_OPENED", "COMPLAINT_RESOLVED",
                                        "REVENUE",   "SENSITIVE_PHASE"};
    for (int t = 0; t < RF_CLIENT_EVENT_TYPE_COUNT; t++) {
        assert_string_equal(rf_client_event_type_name((rf_client_event_type)t), names[t]);
    }
    assert_string_equal(rf_client_event_type_name((rf_client_event_type)RF_CLIENT_EVENT_TYPE_COUNT), "UNSET");
    assert_string_equal(rf_client_event_type_name((rf_client_event_type)-1), "UNSET");

    rf_client_event_options o;
    memset(&o, 0x5a, sizeof o);
    assert_ok(rf_client_event_options_init(&o, RF_CLIENT_EVENT_OPTIONS_VERSION));
    assert_int_equal(o.version, RF_CLIENT_EVENT_OPTIONS_VERSION);
    assert_null(o.party_id);
    assert_int_equal(o.type, RF_CLIENT_EVENT_UNSET);
    assert_null(o.practitioner_id);
    assert_null(o.label);
    assert_null(o.currency);
    assert_null(o.idempotency_key);
    assert_int_equal(o.value, RF_UNSET);
    assert_int_equal(o.at, RF_TIME_UNSET);
    assert_int_equal(o.amount, RF_AMOUNT_UNSET);
    assert_status(rf_client_event_options_init(&o, 0), RF_EINVALID);
    assert_status(rf_client_event_options_init(&o, RF_CLIENT_EVENT_OPTIONS_VERSION + 1), RF_EINVALID);
    assert_status(rf_client_event_options_init(NULL, 1), RF_EINVALID);

    rf_client_event_filter f;
    memset(&f, 0x5a, sizeof f);
    assert_ok(rf_client_event_filter_init(&f, RF_CLIENT_EVENT_FILTER_VERSION));
    assert_int_equal(f.version, RF_CLIENT_EVENT_FILTER_VERSION);
    assert_null(f.party_id);
    assert_int_equal(f.type, RF_CLIENT_EVENT_UNSET);
    assert_int_equal(f.from, RF_TIME_UNSET);
    assert_int_equal(f.to, RF_TIME_UNSET);
    assert_status(rf_client_event_filter_init(&f, 0), RF_EINVALID);
    assert_status(rf_client_event_filter_init(&f, RF_CLIENT_EVENT_FILTER_VERSION + 1), RF_EINVALID);

    /* NULL-tolerant accessors and frees. */
    assert_null(rf_client_event_id(NULL));
    assert_int_equal(rf_client_event_value(NULL), RF_UNSET);
    rf_client_event_free(NULL);
    rf_client_event_iter_free(NULL);
}

const struct CMUnitTest event_cases[] = {
    CASE(every_type_with_its_fields),
    CASE(leads_have_events_too),
    CASE(times_at_the_edges),
    CASE(a_visit_dates_the_first_visit),
    CASE(replays_return_the_first_event),
    CASE(a_retry_later_with_at_unset_replays),
    CASE(listing_filters),
    CASE(names_and_initialisers),
};
const size_t event_case_count = sizeof event_cases / sizeof event_cases[0];
