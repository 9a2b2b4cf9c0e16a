/* Conformance: programmes (settings, defaults, ranges, updates, names, listing). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* The newest journal event; free with rf_event_free(). */
static rf_event *newest_event(fixture *fx)
{
    int64_t seq = last_seq(fx);
    assert_true(seq > 0);
    rf_journal_iter *it = NULL;
    rf_event *ev = NULL;
    assert_ok(rf_journal_read(&it, fx->store, seq - 1));
    assert_ok(rf_journal_iter_next(&ev, it));
    rf_journal_iter_free(it);
    assert_int_equal(rf_event_seq(ev), seq);
    return ev;
}

/* @data is `fields=` followed by exactly the comma-separated names in @expected, in any order. */
static void assert_fields(const char *data, const char *expected)
{
    assert_non_null(data);
    assert_true(strncmp(data, "fields=", 7) == 0);
    const char *list = data + 7;
    size_t given = 0, wanted = 0;
    for (const char *p = list; *p != '\0'; p++) {
        given += *p == ',';
    }
    for (const char *p = expected; *p != '\0'; p++) {
        wanted += *p == ',';
    }
    if (given != wanted) {
        print_error("fields \"%s\" are not \"%s\"\n", list, expected);
        fail();
    }
    char copy[256];
    snprintf(copy, sizeof copy, "%s", expected);
    for (char *name = strtok(copy, ","); name != NULL; name = strtok(NULL, ",")) {
        size_t n = strlen(name);
        int found = 0;
        for (const char *p = list; p != NULL && *p != '\0';) {
            const char *end = strchr(p, ',');
            size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
            found |= len == n && strncmp(p, name, n) == 0;
            p = end != NULL ? end + 1 : NULL;
        }
        if (!found) {
            print_error("fields \"%s\" do not name \"%s\"\n", list, name);
            fail();
        }
    }
}

static rf_program *create_named(fixture *fx, const char *name)
{
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.name = name;
    rf_program *p = NULL;
    assert_ok(rf_program_create(&p, fx->store, &o));
    return p;
}

static void assert_defaults(const rf_program *p)
{
    assert_int_equal(rf_program_window_days(p), 90);
    assert_int_equal(rf_program_attribution(p), RF_ATTRIBUTION_LAST_TOUCH);
    assert_int_equal(rf_program_excludes_existing_clients(p), 1);
    assert_int_equal(rf_program_code_style(p), RF_CODE_VANITY);
    assert_int_equal(rf_program_auto_issues_code(p), 0);
    assert_int_equal(rf_program_fraud_action(p), RF_FRAUD_BLOCK);
    assert_int_equal(rf_program_velocity_cap(p), 0);
    assert_int_equal(rf_program_velocity_window_days(p), 30);
}

static void create_with_defaults(void **state)
{
    fixture *fx = *state;
    int64_t seq = last_seq(fx);
    rf_program_options o;
    assert_ok(rf_program_options_init(&o, RF_PROGRAM_OPTIONS_VERSION));
    o.name = "Client advocates";
    rf_program *p = NULL;
    assert_ok(rf_program_create(&p, fx->store, &o));
    assert_int_equal(strlen(rf_program_id(p)), 36);
    assert_string_equal(rf_program_name(p), "Client advocates");
    assert_defaults(p);
    assert_int_equal(rf_program_created_at(p), T0);
    assert_int_equal(rf_program_updated_at(p), T0);

    /* One event, about the programme. */
    assert_int_equal(last_seq(fx), seq + 1);
    rf_event *ev = newest_event(fx);
    assert_string_equal(rf_event_type(ev), RF_EVENT_PROGRAM_CREATED);
    assert_string_equal(rf_event_subject_id(ev), rf_program_id(p));
    rf_event_free(ev);

    /* What was stored is what comes back. */
    rf_program *again = NULL;
    assert_ok(rf_program_get(&again, fx->store, rf_program_id(p)));
    assert_string_equal(rf_program_id(again), rf_program_id(p));
    assert_string_equal(rf_program_name(again), "Client advocates");
    assert_defaults(again);
    assert_int_equal(rf_program_created_at(again), T0);
    rf_program_free(again);
    rf_program_free(p);
}

static void assert_every_field(const rf_program *p)
{
    assert_string_equal(rf_program_name(p), "GP partners");
    assert_int_equal(rf_program_window_days(p), 30);
    assert_int_equal(rf_program_attribution(p), RF_ATTRIBUTION_FIRST_TOUCH);
    assert_int_equal(rf_program_excludes_existing_clients(p), 0);
    assert_int_equal(rf_program_code_style(p), RF_CODE_SHORT);
    assert_int_equal(rf_program_auto_issues_code(p), 1);
    assert_int_equal(rf_program_fraud_action(p), RF_FRAUD_FLAG);
    assert_int_equal(rf_program_velocity_cap(p), 5);
    assert_int_equal(rf_program_velocity_window_days(p), 7);
}

static void create_with_every_field(void **state)
{
    fixture *fx = *state;
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.name = "GP partners";
    o.window_days = 30;
    o.attribution = RF_ATTRIBUTION_FIRST_TOUCH;
    o.exclude_existing_clients = 0;
    o.code_style = RF_CODE_SHORT;
    o.auto_issue_code = 1;
    o.fraud_action = RF_FRAUD_FLAG;
    o.velocity_cap = 5;
    o.velocity_window_days = 7;
    rf_program *p = NULL;
    assert_ok(rf_program_create(&p, fx->store, &o));
    assert_every_field(p);

    char id[RF_ID_BUFSIZE];
    snprintf(id, sizeof id, "%s", rf_program_id(p));
    rf_program_free(p);
    if (current_backend->has_file) {
        fx_reopen(fx);
    }
    assert_ok(rf_program_get(&p, fx->store, id));
    assert_every_field(p);
    /* The reopened handle has the same seed: a later time keeps its new ids apart. */
    fx->now += DAY;
    rf_program_free(p);
    /* The ends of each range are accepted. */
    o.name = "edges-low";
    o.window_days = 1;
    o.velocity_window_days = 1;
    o.velocity_cap = 0;
    assert_ok(rf_program_create(&p, fx->store, &o));
    assert_int_equal(rf_program_window_days(p), 1);
    assert_int_equal(rf_program_velocity_window_days(p), 1);
    rf_program_free(p);
    o.name = "edges-high";
    o.window_days = 3650;
    o.velocity_window_days = 365;
    assert_ok(rf_program_create(&p, fx->store, &o));
    assert_int_equal(rf_program_window_days(p), 3650);
    assert_int_equal(rf_program_velocity_window_days(p), 365);
    rf_program_free(p);
}

static void find_by_name_and_unknowns(void **state)
{
    fixture *fx = *state;
    rf_program *a = create_named(fx, "Client advocates");
    rf_program *b = create_named(fx, "GP partners");
    rf_program *found = NULL;
    assert_ok(rf_program_find(&found, fx->store, "GP partners"));
    assert_string_equal(rf_program_id(found), rf_program_id(b));
    rf_program_free(found);
    assert_ok(rf_program_find(&found, fx->store, "Client advocates"));
    assert_string_equal(rf_program_id(found), rf_program_id(a));
    rf_program_free(found);

    char *before = snapshot(fx->store);
    found = (rf_program *)b; /* must be reset to NULL */
    assert_status(rf_program_find(&found, fx->store, "Teachers"), RF_ENOTFOUND);
    assert_null(found);
    assert_message_has("Teachers");
    assert_status(rf_program_get(&found, fx->store, "0190a1b2-0000-7000-8000-000000000000"), RF_ENOTFOUND);
    assert_null(found);
    assert_message_has("0190a1b2-0000-7000-8000-000000000000");
    assert_status(rf_program_get(&found, fx->store, NULL), RF_EINVALID);
    assert_status(rf_program_find(&found, fx->store, NULL), RF_EINVALID);
    assert_status(rf_program_get(NULL, fx->store, rf_program_id(a)), RF_EINVALID);
    assert_unchanged(fx->store, before);
    free(before);
    rf_program_free(a);
    rf_program_free(b);
}

static void duplicate_name_is_refused(void **state)
{
    fixture *fx = *state;
    rf_program *a = create_named(fx, "Client advocates");
    char *before = snapshot(fx->store);
    fx->now += 60;
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.name = "Client advocates";
    o.window_days = 10;
    rf_program *p = (rf_program *)a;
    assert_status(rf_program_create(&p, fx->store, &o), RF_EEXISTS);
    assert_null(p);
    assert_message_has("Client advocates");
    assert_message_has("already exists");
    assert_unchanged(fx->store, before);
    free(before);
    rf_program_free(a);
}

static void create_refuses_bad_settings(void **state)
{
    fixture *fx = *state;
    rf_program *keep = create_named(fx, "existing");
    char *before = snapshot(fx->store);
    static const struct {
        const char *name;
        int window, attribution, fraud, velocity_window;
        const char *needle;
    } bad[] = {
        {NULL, RF_UNSET, 0, 0, RF_UNSET, "name is required"},
        {"", RF_UNSET, 0, 0, RF_UNSET, "name must not be empty"},
        {"w0", 0, 0, 0, RF_UNSET, "window_days 0"},
        {"w3651", 3651, 0, 0, RF_UNSET, "window_days 3651"},
        {"attr3", RF_UNSET, 3, 0, RF_UNSET, "attribution 3"},
        {"fraud9", RF_UNSET, 0, 9, RF_UNSET, "fraud_action 9"},
        {"vw0", RF_UNSET, 0, 0, 0, "velocity_window_days 0"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
        o.name = bad[i].name;
        o.window_days = bad[i].window;
        o.attribution = (rf_attribution_model)bad[i].attribution;
        o.fraud_action = (rf_fraud_action)bad[i].fraud;
        o.velocity_window_days = bad[i].velocity_window;
        rf_program *p = keep;
        assert_status(rf_program_create(&p, fx->store, &o), RF_EINVALID);
        assert_null(p);
        assert_message_has(bad[i].needle);
    }
    /* Other out-of-range flags and caps. */
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.name = "flags";
    o.exclude_existing_clients = 2;
    rf_program *p = NULL;
    assert_status(rf_program_create(&p, fx->store, &o), RF_EINVALID);
    assert_message_has("exclude_existing_clients");
    o.exclude_existing_clients = RF_UNSET;
    o.velocity_cap = -5;
    assert_status(rf_program_create(&p, fx->store, &o), RF_EINVALID);
    assert_message_has("velocity_cap");
    o.velocity_cap = RF_UNSET;
    o.version = 0;
    assert_status(rf_program_create(&p, fx->store, &o), RF_EINVALID);
    assert_message_has("RF_PROGRAM_OPTIONS_INIT");
    assert_status(rf_program_create(&p, fx->store, NULL), RF_EINVALID);
    assert_status(rf_program_create(NULL, fx->store, &o), RF_EINVALID);
    assert_unchanged(fx->store, before);
    free(before);
    rf_program_free(keep);
}

static void update_changes_given_fields_only(void **state)
{
    fixture *fx = *state;
    rf_program *p = create_named(fx, "Client advocates");
    fx->now = T0 + DAY;
    int64_t seq = last_seq(fx);
    rf_program_options ch = RF_PROGRAM_OPTIONS_INIT;
    ch.window_days = 45;
    ch.fraud_action = RF_FRAUD_FLAG;
    rf_program *u = NULL;
    assert_ok(rf_program_update(&u, fx->store, rf_program_id(p), &ch));
    assert_string_equal(rf_program_id(u), rf_program_id(p));
    assert_string_equal(rf_program_name(u), "Client advocates");
    assert_int_equal(rf_program_window_days(u), 45);
    assert_int_equal(rf_program_fraud_action(u), RF_FRAUD_FLAG);
    /* Everything not given kept its value. */
    assert_int_equal(rf_program_attribution(u), RF_ATTRIBUTION_LAST_TOUCH);
    assert_int_equal(rf_program_excludes_existing_clients(u), 1);
    assert_int_equal(rf_program_code_style(u), RF_CODE_VANITY);
    assert_int_equal(rf_program_auto_issues_code(u), 0);
    assert_int_equal(rf_program_velocity_cap(u), 0);
    assert_int_equal(rf_program_velocity_window_days(u), 30);
    assert_int_equal(rf_program_created_at(u), T0);
    assert_int_equal(rf_program_updated_at(u), T0 + DAY);
    rf_program_free(u);

    assert_int_equal(last_seq(fx), seq + 1);
    rf_event *ev = newest_event(fx);
    assert_string_equal(rf_event_type(ev), RF_EVENT_PROGRAM_UPDATED);
    assert_string_equal(rf_event_subject_id(ev), rf_program_id(p));
    assert_fields(rf_event_data(ev), "window_days,fraud_action");
    rf_event_free(ev);

    /* Stored, and @out may be NULL. */
    rf_program_options ch2 = RF_PROGRAM_OPTIONS_INIT;
    ch2.velocity_cap = 3;
    ch2.exclude_existing_clients = 0;
    assert_ok(rf_program_update(NULL, fx->store, rf_program_id(p), &ch2));
    ev = newest_event(fx);
    assert_fields(rf_event_data(ev), "exclude_existing_clients,velocity_cap");
    rf_event_free(ev);
    assert_ok(rf_program_get(&u, fx->store, rf_program_id(p)));
    assert_int_equal(rf_program_window_days(u), 45);
    assert_int_equal(rf_program_fraud_action(u), RF_FRAUD_FLAG);
    assert_int_equal(rf_program_velocity_cap(u), 3);
    assert_int_equal(rf_program_excludes_existing_clients(u), 0);
    rf_program_free(u);

    /* A rename is named too, and the programme is found by its new name only. */
    rf_program_options ch3 = RF_PROGRAM_OPTIONS_INIT;
    ch3.name = "Advocates 2026";
    assert_ok(rf_program_update(&u, fx->store, rf_program_id(p), &ch3));
    assert_string_equal(rf_program_name(u), "Advocates 2026");
    rf_program_free(u);
    ev = newest_event(fx);
    assert_fields(rf_event_data(ev), "name");
    rf_event_free(ev);
    assert_ok(rf_program_find(&u, fx->store, "Advocates 2026"));
    assert_string_equal(rf_program_id(u), rf_program_id(p));
    rf_program_free(u);
    assert_status(rf_program_find(&u, fx->store, "Client advocates"), RF_ENOTFOUND);
    rf_program_free(p);
}

static void noop_update_journals_nothing(void **state)
{
    fixture *fx = *state;
    rf_program *p = create_named(fx, "Client advocates");
    char *before = snapshot(fx->store);
    fx->now = T0 + DAY;
    /* Nothing given. */
    rf_program_options none = RF_PROGRAM_OPTIONS_INIT;
    rf_program *u = NULL;
    assert_ok(rf_program_update(&u, fx->store, rf_program_id(p), &none));
    assert_string_equal(rf_program_name(u), "Client advocates");
    rf_program_free(u);
    /* Every value given, all equal to the current ones. */
    rf_program_options same = RF_PROGRAM_OPTIONS_INIT;
    same.name = "Client advocates";
    same.window_days = 90;
    same.attribution = RF_ATTRIBUTION_LAST_TOUCH;
    same.exclude_existing_clients = 1;
    same.code_style = RF_CODE_VANITY;
    same.auto_issue_code = 0;
    same.fraud_action = RF_FRAUD_BLOCK;
    same.velocity_cap = 0;
    same.velocity_window_days = 30;
    assert_ok(rf_program_update(&u, fx->store, rf_program_id(p), &same));
    assert_int_equal(rf_program_updated_at(u), T0);
    assert_defaults(u);
    rf_program_free(u);
    assert_int_equal(count_events(fx, RF_EVENT_PROGRAM_UPDATED), 0);
    assert_unchanged(fx->store, before);
    free(before);
    rf_program_free(p);
}

static void update_refusals_change_nothing(void **state)
{
    fixture *fx = *state;
    rf_program *a = create_named(fx, "Client advocates");
    rf_program *b = create_named(fx, "GP partners");
    char *before = snapshot(fx->store);
    fx->now = T0 + DAY;

    /* A rename to a taken name. */
    rf_program_options ch = RF_PROGRAM_OPTIONS_INIT;
    ch.name = "GP partners";
    ch.window_days = 10; /* valid, but the whole call is refused */
    rf_program *u = (rf_program *)a;
    assert_status(rf_program_update(&u, fx->store, rf_program_id(a), &ch), RF_EEXISTS);
    assert_null(u);
    assert_message_has("GP partners");
    assert_message_has("already exists");

    /* Out of range. */
    rf_program_options bad = RF_PROGRAM_OPTIONS_INIT;
    bad.velocity_window_days = 0;
    bad.velocity_cap = 4;
    assert_status(rf_program_update(NULL, fx->store, rf_program_id(a), &bad), RF_EINVALID);
    assert_message_has("velocity_window_days 0");
    bad.velocity_window_days = RF_UNSET;
    bad.window_days = 3651;
    assert_status(rf_program_update(NULL, fx->store, rf_program_id(a), &bad), RF_EINVALID);
    assert_message_has("window_days 3651");
    rf_program_options empty = RF_PROGRAM_OPTIONS_INIT;
    empty.name = "";
    assert_status(rf_program_update(NULL, fx->store, rf_program_id(a), &empty), RF_EINVALID);
    assert_message_has("name must not be empty");

    /* Unknown programme, missing arguments. */
    rf_program_options ok = RF_PROGRAM_OPTIONS_INIT;
    ok.window_days = 10;
    assert_status(rf_program_update(NULL, fx->store, "0190a1b2-0000-7000-8000-000000000000", &ok),
                  RF_ENOTFOUND);
    assert_message_has("0190a1b2-0000-7000-8000-000000000000");
    assert_status(rf_program_update(NULL, fx->store, NULL, &ok), RF_EINVALID);
    assert_status(rf_program_update(NULL, fx->store, rf_program_id(a), NULL), RF_EINVALID);
    assert_unchanged(fx->store, before);
    free(before);
    rf_program_free(a);
    rf_program_free(b);
}

static void list_in_creation_order(void **state)
{
    fixture *fx = *state;
    static const char *const names[] = {"zeta", "alpha", "Mid programme", "beta"};
    char ids[4][RF_ID_BUFSIZE];
    for (size_t i = 0; i < 4; i++) {
        rf_program *p = create_named(fx, names[i]);
        snprintf(ids[i], sizeof ids[i], "%s", rf_program_id(p));
        rf_program_free(p);
        fx->now += 1;
    }
    rf_program_iter *it = NULL;
    rf_program *p = NULL;
    assert_ok(rf_program_list(&it, fx->store));
    for (size_t i = 0; i < 4; i++) {
        assert_ok(rf_program_iter_next(&p, it));
        assert_string_equal(rf_program_id(p), ids[i]);
        assert_string_equal(rf_program_name(p), names[i]);
        rf_program_free(p);
    }
    p = (rf_program *)it;
    assert_status(rf_program_iter_next(&p, it), RF_ITEROVER);
    assert_null(p);
    rf_program_iter_free(it);
    rf_program_iter_free(NULL);
    rf_program_free(NULL);
    assert_status(rf_program_list(NULL, fx->store), RF_EINVALID);
}

static void idempotent_create(void **state)
{
    fixture *fx = *state;
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.name = "Client advocates";
    o.velocity_cap = 4;
    o.idempotency_key = "setup-advocates-1";
    rf_program *a = NULL, *b = NULL;
    assert_ok(rf_program_create(&a, fx->store, &o));
    char *before = snapshot(fx->store);
    fx->now += 10;
    assert_ok(rf_program_create(&b, fx->store, &o));
    assert_string_equal(rf_program_id(b), rf_program_id(a));
    assert_int_equal(rf_program_velocity_cap(b), 4);
    assert_int_equal(rf_program_created_at(b), T0);
    assert_unchanged(fx->store, before);
    rf_program_free(b);

    /* The same key for another request. */
    rf_program_options other = o;
    other.name = "GP partners";
    b = (rf_program *)a;
    assert_status(rf_program_create(&b, fx->store, &other), RF_ECONFLICT);
    assert_null(b);
    other = o;
    other.velocity_cap = 5;
    assert_status(rf_program_create(&b, fx->store, &other), RF_ECONFLICT);
    assert_unchanged(fx->store, before);
    free(before);
    rf_program_free(a);
}

const struct CMUnitTest program_cases[] = {
    CASE(create_with_defaults),         CASE(create_with_every_field),
    CASE(find_by_name_and_unknowns),    CASE(duplicate_name_is_refused),
    CASE(create_refuses_bad_settings),  CASE(update_changes_given_fields_only),
    CASE(noop_update_journals_nothing), CASE(update_refusals_change_nothing),
    CASE(list_in_creation_order),       CASE(idempotent_create),
};
const size_t program_case_count = sizeof program_cases / sizeof program_cases[0];
