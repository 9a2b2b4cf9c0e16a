/* Conformance: the programme's ask and SLA settings (options version 3) and
 * the party's preferred channel (party options version 2): defaults, ranges,
 * updates, and callers built against older headers. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "story_support.h"

/* The version 3 settings: name, field, default, range. */
static const struct v3_setting {
    const char *name;
    size_t offset;
    int def, lo, hi;
    int (*get)(const rf_program *);
} v3[] = {
#define V3(field, def, lo, hi, getter)                                                                       \
    {                                                                                                        \
#field, offsetof(rf_program_options, field), def, lo, hi, getter                                     \
    }
    V3(ask_enabled, 1, 0, 1, rf_program_ask_enabled),
    V3(ask_nps_threshold, 9, 0, 10, rf_program_ask_nps_threshold),
    V3(ask_after_first_visit_days, 90, 0, 3650, rf_program_ask_after_first_visit_days),
    V3(ask_on_anniversary, 1, 0, 1, rf_program_ask_on_anniversary),
    V3(ask_on_milestone, 1, 0, 1, rf_program_ask_on_milestone),
    V3(ask_on_discharge, 1, 0, 1, rf_program_ask_on_discharge),
    V3(ask_on_praise, 1, 0, 1, rf_program_ask_on_praise),
    V3(ask_on_payment, 1, 0, 1, rf_program_ask_on_payment),
    V3(ask_cooldown_days, 90, 0, 3650, rf_program_ask_cooldown_days),
    V3(ask_yearly_cap, 3, 1, 52, rf_program_ask_yearly_cap),
    V3(new_client_days, 180, 1, 3650, rf_program_new_client_days),
    V3(sla_urgent_hours, 4, 1, 720, rf_program_sla_urgent_hours),
    V3(sla_routine_hours, 48, 1, 720, rf_program_sla_routine_hours),
#undef V3
};
#define V3_COUNT (sizeof v3 / sizeof v3[0])

static int *slot(rf_program_options *o, size_t i)
{
    return (int *)(void *)((char *)o + v3[i].offset);
}

/* A value of setting @i other than its default, inside its range. */
static int other_value(size_t i)
{
    return v3[i].def != v3[i].lo ? v3[i].lo : v3[i].hi;
}

static void assert_v3(const rf_program *p, const int values[V3_COUNT])
{
    for (size_t i = 0; i < V3_COUNT; i++) {
        if (v3[i].get(p) != values[i]) {
            print_error("%s is %d, expected %d\n", v3[i].name, v3[i].get(p), values[i]);
            fail();
        }
    }
}

static void defaults_of(int values[V3_COUNT])
{
    for (size_t i = 0; i < V3_COUNT; i++) {
        values[i] = v3[i].def;
    }
}

static void v3_defaults(void **state)
{
    fixture *fx = *state;
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    assert_int_equal(o.version, 3);
    rf_program_options init;
    memset(&init, 0x5a, sizeof init);
    assert_ok(rf_program_options_init(&init, RF_PROGRAM_OPTIONS_VERSION));
    for (size_t i = 0; i < V3_COUNT; i++) {
        assert_int_equal(*slot(&o, i), RF_UNSET);
        assert_int_equal(*slot(&init, i), RF_UNSET);
    }
    o.name = "Advocates";
    rf_program *p = NULL;
    assert_ok(rf_program_create(&p, fx->store, &o));
    int values[V3_COUNT];
    defaults_of(values);
    assert_v3(p, values);
    char id[RF_ID_BUFSIZE];
    snprintf(id, sizeof id, "%s", rf_program_id(p));
    rf_program_free(p);
    reopen_if_file(fx);
    assert_ok(rf_program_get(&p, fx->store, id));
    assert_v3(p, values);
    rf_program_free(p);
    /* NULL-tolerant accessors. */
    assert_int_equal(rf_program_ask_enabled(NULL), 0);
}

static void create_with_every_setting(void **state)
{
    fixture *fx = *state;
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    int values[V3_COUNT];
    for (size_t i = 0; i < V3_COUNT; i++) {
        *slot(&o, i) = values[i] = other_value(i);
    }
    rf_program *p = program_with(fx, "Quiet", o);
    assert_v3(p, values);
    char id[RF_ID_BUFSIZE];
    snprintf(id, sizeof id, "%s", rf_program_id(p));
    rf_program_free(p);
    reopen_if_file(fx);
    assert_ok(rf_program_find(&p, fx->store, "Quiet"));
    assert_string_equal(rf_program_id(p), id);
    assert_v3(p, values);
    rf_program_free(p);

    /* Boundaries are accepted, each on its own. */
    for (size_t i = 0; i < V3_COUNT; i++) {
        for (int edge = 0; edge < 2; edge++) {
            rf_program_options b = RF_PROGRAM_OPTIONS_INIT;
            *slot(&b, i) = edge ? v3[i].hi : v3[i].lo;
            char name[64];
            snprintf(name, sizeof name, "%s %d", v3[i].name, edge);
            p = program_with(fx, name, b);
            assert_int_equal(v3[i].get(p), *slot(&b, i));
            rf_program_free(p);
        }
    }
}

static void update_names_the_settings(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    int values[V3_COUNT];
    defaults_of(values);
    for (size_t i = 0; i < V3_COUNT; i++) {
        fx->now += 60;
        rf_program_options ch = RF_PROGRAM_OPTIONS_INIT;
        *slot(&ch, i) = values[i] = other_value(i);
        rf_program *u = NULL;
        assert_ok(rf_program_update(&u, fx->store, rf_program_id(p), &ch));
        assert_v3(u, values);
        assert_int_equal(rf_program_updated_at(u), fx->now);
        rf_program_free(u);
        char data[96];
        snprintf(data, sizeof data, "fields=%s", v3[i].name);
        assert_last_event(fx, RF_EVENT_PROGRAM_UPDATED, rf_program_id(p), data);
    }
    /* Every setting back to its default in one call: each is named. */
    rf_program_options all = RF_PROGRAM_OPTIONS_INIT;
    for (size_t i = 0; i < V3_COUNT; i++) {
        *slot(&all, i) = v3[i].def;
    }
    rf_program *u = NULL;
    assert_ok(rf_program_update(&u, fx->store, rf_program_id(p), &all));
    defaults_of(values);
    assert_v3(u, values);
    rf_program_free(u);
    rf_event *ev = find_event(fx, RF_EVENT_PROGRAM_UPDATED, last_seq(fx) - 1);
    assert_non_null(ev);
    for (size_t i = 0; i < V3_COUNT; i++) {
        assert_data_has(ev, v3[i].name);
    }
    rf_event_free(ev);

    /* The same values again, or nothing at all, change nothing. */
    char *before = snapshot(fx->store);
    fx->now += DAY;
    assert_ok(rf_program_update(NULL, fx->store, rf_program_id(p), &all));
    rf_program_options none = RF_PROGRAM_OPTIONS_INIT;
    assert_ok(rf_program_update(NULL, fx->store, rf_program_id(p), &none));
    assert_unchanged(fx->store, before);
    free(before);
    rf_program_free(p);
}

/* A practice that changes everything at once still gets every name journalled. */
static void an_update_of_every_setting_names_them_all(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_program_options ch = RF_PROGRAM_OPTIONS_INIT;
    ch.window_days = 30;
    ch.attribution = RF_ATTRIBUTION_FIRST_TOUCH;
    ch.exclude_existing_clients = 1;
    ch.code_style = RF_CODE_SHORT;
    ch.auto_issue_code = 1;
    ch.fraud_action = RF_FRAUD_BLOCK;
    ch.velocity_cap = 5;
    ch.velocity_window_days = 7;
    ch.clawback = 1;
    ch.compliance_mode = 1;
    for (size_t i = 0; i < V3_COUNT; i++) {
        *slot(&ch, i) = other_value(i);
    }
    assert_ok(rf_program_update(NULL, fx->store, rf_program_id(p), &ch));
    rf_event *ev = find_event(fx, RF_EVENT_PROGRAM_UPDATED, last_seq(fx) - 1);
    assert_non_null(ev);
    static const char *const older[] = {
        "window_days",  "attribution",  "exclude_existing_clients", "code_style", "auto_issue_code",
        "fraud_action", "velocity_cap", "velocity_window_days",     "clawback",   "compliance_mode"};
    for (size_t i = 0; i < sizeof older / sizeof older[0]; i++) {
        assert_data_has(ev, older[i]);
    }
    for (size_t i = 0; i < V3_COUNT; i++) {
        assert_data_has(ev, v3[i].name);
    }
    rf_event_free(ev);
    rf_program_free(p);
}

static void out_of_range_is_refused(void **state)
{
    fixture *fx = *state;
    rf_program *keep = outbox_program(fx, "existing");
    char *before = snapshot(fx->store);
    fx->now += DAY;
    for (size_t i = 0; i < V3_COUNT; i++) {
        /* Below the range (-1 is "unset", so -2 where the range starts at 0) and above it. */
        const int bad[] = {v3[i].lo - 1 == RF_UNSET ? -2 : v3[i].lo - 1, v3[i].hi + 1, 1000000};
        for (size_t j = 0; j < sizeof bad / sizeof bad[0]; j++) {
            rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
            o.name = "new";
            *slot(&o, i) = bad[j];
            rf_program *p = keep;
            assert_status(rf_program_create(&p, fx->store, &o), RF_EINVALID);
            assert_null(p);
            assert_message_has(v3[i].name);
            o.name = NULL;
            p = keep;
            assert_status(rf_program_update(&p, fx->store, rf_program_id(keep), &o), RF_EINVALID);
            assert_null(p);
            assert_message_has(v3[i].name);
        }
    }
    assert_unchanged(fx->store, before);
    free(before);
    rf_program_free(keep);
}

/* A struct of exactly @size bytes holding the start of @full, stamped @version,
 * so that AddressSanitizer catches a read past it. */
static rf_program_options *older_copy(const rf_program_options *full, size_t size, unsigned version)
{
    rf_program_options stamped = *full;
    stamped.version = version;
    void *copy = malloc(size);
    assert_non_null(copy);
    memcpy(copy, &stamped, size);
    return copy;
}

static void older_structs_are_accepted(void **state)
{
    fixture *fx = *state;
    const size_t sizes[] = {offsetof(rf_program_options, clawback),
                            offsetof(rf_program_options, ask_enabled)};
    for (unsigned version = 1; version <= 2; version++) {
        rf_program_options full = RF_PROGRAM_OPTIONS_INIT;
        full.name = version == 1 ? "Old host 1" : "Old host 2";
        full.velocity_cap = 2;
        full.clawback = 1;
        rf_program_options *old = older_copy(&full, sizes[version - 1], version);
        rf_program *p = NULL;
        assert_ok(rf_program_create(&p, fx->store, old));
        free(old);
        assert_int_equal(rf_program_velocity_cap(p), 2);
        assert_int_equal(rf_program_claws_back(p), version >= 2);
        int values[V3_COUNT];
        defaults_of(values);
        assert_v3(p, values);

        /* Newer settings made later survive an update through the older struct. */
        rf_program_options ch = RF_PROGRAM_OPTIONS_INIT;
        for (size_t i = 0; i < V3_COUNT; i++) {
            *slot(&ch, i) = values[i] = other_value(i);
        }
        assert_ok(rf_program_update(NULL, fx->store, rf_program_id(p), &ch));
        rf_program_options change = RF_PROGRAM_OPTIONS_INIT;
        change.velocity_cap = 7;
        old = older_copy(&change, sizes[version - 1], version);
        rf_program *u = NULL;
        assert_ok(rf_program_update(&u, fx->store, rf_program_id(p), old));
        free(old);
        assert_int_equal(rf_program_velocity_cap(u), 7);
        assert_v3(u, values);
        rf_program_free(u);
        assert_last_event(fx, RF_EVENT_PROGRAM_UPDATED, rf_program_id(p), "fields=velocity_cap");
        rf_program_free(p);
    }
}

/* rf_program_options_init(opts, 1 or 2) writes only that version's struct. */
static void older_init_stays_inside(void **state)
{
    (void)state;
    const size_t sizes[] = {offsetof(rf_program_options, clawback),
                            offsetof(rf_program_options, ask_enabled)};
    for (unsigned version = 1; version <= 2; version++) {
        size_t size = sizes[version - 1];
        unsigned char *buffer = malloc(size + 8);
        assert_non_null(buffer);
        memset(buffer + size, 0xa5, 8);
        assert_ok(rf_program_options_init((rf_program_options *)(void *)buffer, version));
        for (size_t i = 0; i < 8; i++) {
            assert_int_equal(buffer[size + i], 0xa5);
        }
        unsigned int stamped = 0;
        memcpy(&stamped, buffer, sizeof stamped);
        assert_int_equal(stamped, version);
        free(buffer);
    }
    rf_program_options o;
    assert_status(rf_program_options_init(&o, RF_PROGRAM_OPTIONS_VERSION + 1), RF_EINVALID);
}

static void idempotent_create_fingerprints_v3_settings(void **state)
{
    fixture *fx = *state;
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.name = "Advocates";
    o.ask_cooldown_days = 30;
    o.idempotency_key = "setup-advocates-asks";
    rf_program *a = NULL, *b = NULL;
    assert_ok(rf_program_create(&a, fx->store, &o));
    char *before = snapshot(fx->store);
    fx->now += 10;
    /* Spelling a default out is the same request. */
    rf_program_options same = o;
    same.sla_urgent_hours = 4;
    assert_ok(rf_program_create(&b, fx->store, &same));
    assert_string_equal(rf_program_id(b), rf_program_id(a));
    rf_program_free(b);
    for (size_t i = 0; i < V3_COUNT; i++) {
        rf_program_options other = o;
        *slot(&other, i) = v3[i].def != v3[i].lo ? v3[i].lo : v3[i].hi;
        if (*slot(&other, i) == *slot(&o, i)) {
            continue;
        }
        b = a;
        assert_status(rf_program_create(&b, fx->store, &other), RF_ECONFLICT);
        assert_null(b);
    }
    assert_unchanged(fx->store, before);
    free(before);
    rf_program_free(a);
}

const struct CMUnitTest ask_program_cases[] = {
    CASE(v3_defaults),
    CASE(create_with_every_setting),
    CASE(update_names_the_settings),
    CASE(an_update_of_every_setting_names_them_all),
    CASE(out_of_range_is_refused),
    CASE(older_structs_are_accepted),
    CASE(older_init_stays_inside),
    CASE(idempotent_create_fingerprints_v3_settings),
};
const size_t ask_program_case_count = sizeof ask_program_cases / sizeof ask_program_cases[0];
