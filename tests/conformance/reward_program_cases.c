/* Conformance: the programme's reward settings (clawback, compliance mode):
 * defaults, create, update, the version 1 options struct, ranges. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reward_support.h"

static rf_event *newest_event(fixture *fx)
{
    rf_event *ev = find_event(fx, RF_EVENT_PROGRAM_UPDATED, last_seq(fx) - 1);
    assert_non_null(ev);
    return ev;
}

static void assert_settings(const rf_program *p, int clawback, int compliance_mode)
{
    assert_int_equal(rf_program_claws_back(p), clawback);
    assert_int_equal(rf_program_compliance_mode(p), compliance_mode);
}

static void defaults_are_off(void **state)
{
    fixture *fx = *state;
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    assert_int_equal(o.version, RF_PROGRAM_OPTIONS_VERSION);
    assert_int_equal(o.clawback, RF_UNSET);
    assert_int_equal(o.compliance_mode, RF_UNSET);
    rf_program_options init;
    memset(&init, 0x5a, sizeof init);
    assert_ok(rf_program_options_init(&init, RF_PROGRAM_OPTIONS_VERSION));
    assert_int_equal(init.clawback, RF_UNSET);
    assert_int_equal(init.compliance_mode, RF_UNSET);
    o.name = "Client advocates";
    rf_program *p = NULL;
    assert_ok(rf_program_create(&p, fx->store, &o));
    assert_settings(p, 0, 0);
    rf_program *again = NULL;
    assert_ok(rf_program_get(&again, fx->store, rf_program_id(p)));
    assert_settings(again, 0, 0);
    rf_program_free(again);
    rf_program_free(p);
}

static void create_with_both_on(void **state)
{
    fixture *fx = *state;
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.name = "US practice";
    o.clawback = 1;
    o.compliance_mode = 1;
    rf_program *p = NULL;
    assert_ok(rf_program_create(&p, fx->store, &o));
    assert_settings(p, 1, 1);
    char id[RF_ID_BUFSIZE];
    snprintf(id, sizeof id, "%s", rf_program_id(p));
    rf_program_free(p);
    reopen_if_file(fx);
    assert_ok(rf_program_get(&p, fx->store, id));
    assert_settings(p, 1, 1);
    rf_program_free(p);

    /* Each on its own. */
    o.name = "clawback only";
    o.compliance_mode = 0;
    assert_ok(rf_program_create(&p, fx->store, &o));
    assert_settings(p, 1, 0);
    rf_program_free(p);
    o.name = "compliance only";
    o.clawback = 0;
    o.compliance_mode = 1;
    assert_ok(rf_program_create(&p, fx->store, &o));
    assert_settings(p, 0, 1);
    rf_program_free(p);
}

static void update_names_the_settings(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "Client advocates", 0, 0);
    fx->now += DAY;
    rf_program_options ch = RF_PROGRAM_OPTIONS_INIT;
    ch.clawback = 1;
    rf_program *u = NULL;
    assert_ok(rf_program_update(&u, fx->store, rf_program_id(p), &ch));
    assert_settings(u, 1, 0);
    assert_int_equal(rf_program_updated_at(u), T0 + DAY);
    rf_program_free(u);
    rf_event *ev = newest_event(fx);
    assert_string_equal(rf_event_data(ev), "fields=clawback");
    rf_event_free(ev);

    rf_program_options ch2 = RF_PROGRAM_OPTIONS_INIT;
    ch2.compliance_mode = 1;
    assert_ok(rf_program_update(NULL, fx->store, rf_program_id(p), &ch2));
    ev = newest_event(fx);
    assert_string_equal(rf_event_data(ev), "fields=compliance_mode");
    rf_event_free(ev);

    /* Both off again in one call: both named. */
    rf_program_options ch3 = RF_PROGRAM_OPTIONS_INIT;
    ch3.clawback = 0;
    ch3.compliance_mode = 0;
    assert_ok(rf_program_update(&u, fx->store, rf_program_id(p), &ch3));
    assert_settings(u, 0, 0);
    rf_program_free(u);
    ev = newest_event(fx);
    assert_data_has(ev, "clawback");
    assert_data_has(ev, "compliance_mode");
    rf_event_free(ev);

    /* The same values again change nothing and journal nothing. */
    char *before = snapshot(fx->store);
    fx->now += DAY;
    assert_ok(rf_program_update(NULL, fx->store, rf_program_id(p), &ch3));
    rf_program_options none = RF_PROGRAM_OPTIONS_INIT;
    assert_ok(rf_program_update(NULL, fx->store, rf_program_id(p), &none));
    assert_unchanged(fx->store, before);
    free(before);
    rf_program_free(p);
}

/* A caller built against the version 1 header passes a struct that ends
 * before `clawback`: the library must not read past it. The struct is copied
 * into an allocation of exactly the version 1 size so that AddressSanitizer
 * catches a read of the newer fields. */
static rf_program_options *v1_copy(const rf_program_options *full)
{
    size_t size = offsetof(rf_program_options, clawback);
    rf_program_options stamped = *full;
    stamped.version = 1;
    void *v1 = malloc(size);
    assert_non_null(v1);
    memcpy(v1, &stamped, size);
    return v1;
}

/* rf_program_options_init(opts, 1) writes only the version 1 struct. */
static void version_1_init_stays_inside(void **state)
{
    (void)state;
    size_t size = offsetof(rf_program_options, clawback);
    unsigned char *buffer = malloc(size + 8);
    assert_non_null(buffer);
    memset(buffer + size, 0xa5, 8);
    assert_ok(rf_program_options_init((rf_program_options *)(void *)buffer, 1));
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(buffer[size + i], 0xa5);
    }
    unsigned int version = 0;
    memcpy(&version, buffer, sizeof version);
    assert_int_equal(version, 1);
    free(buffer);
}

static void version_1_struct_is_accepted(void **state)
{
    fixture *fx = *state;
    rf_program_options full = RF_PROGRAM_OPTIONS_INIT;
    full.name = "Old host";
    full.velocity_cap = 2;
    rf_program_options *v1 = v1_copy(&full);
    rf_program *p = NULL;
    assert_ok(rf_program_create(&p, fx->store, v1));
    assert_string_equal(rf_program_name(p), "Old host");
    assert_int_equal(rf_program_velocity_cap(p), 2);
    assert_settings(p, 0, 0);
    free(v1);

    /* An update through version 1 keeps the reward settings. */
    rf_program_options on = RF_PROGRAM_OPTIONS_INIT;
    on.clawback = 1;
    on.compliance_mode = 1;
    assert_ok(rf_program_update(NULL, fx->store, rf_program_id(p), &on));
    fx->now += DAY;
    rf_program_options change = RF_PROGRAM_OPTIONS_INIT;
    change.velocity_cap = 7;
    v1 = v1_copy(&change);
    rf_program *u = NULL;
    assert_ok(rf_program_update(&u, fx->store, rf_program_id(p), v1));
    assert_int_equal(rf_program_velocity_cap(u), 7);
    assert_settings(u, 1, 1);
    rf_program_free(u);
    rf_event *ev = newest_event(fx);
    assert_string_equal(rf_event_data(ev), "fields=velocity_cap");
    rf_event_free(ev);
    free(v1);

    /* rf_program_options_init knows version 1 (a full-size struct here: see the report on init sizes). */
    rf_program_options init;
    assert_ok(rf_program_options_init(&init, 1));
    assert_int_equal(init.version, 1);
    init.name = "Old host 2";
    init.clawback = 1; /* past the version 1 struct: ignored */
    init.compliance_mode = 5;
    rf_program_free(p);
    assert_ok(rf_program_create(&p, fx->store, &init));
    assert_settings(p, 0, 0);
    rf_program_free(p);

    /* A version newer than the header's is refused. */
    rf_program_options future = RF_PROGRAM_OPTIONS_INIT;
    future.version = RF_PROGRAM_OPTIONS_VERSION + 1;
    future.name = "From the future";
    char *before = snapshot(fx->store);
    u = NULL;
    assert_status(rf_program_create(&u, fx->store, &future), RF_EINVALID);
    assert_null(u);
    assert_status(rf_program_options_init(&init, RF_PROGRAM_OPTIONS_VERSION + 1), RF_EINVALID);
    assert_unchanged(fx->store, before);
    free(before);
}

static void out_of_range_is_refused(void **state)
{
    fixture *fx = *state;
    rf_program *keep = reward_program(fx, "existing", 0, 0);
    char *before = snapshot(fx->store);
    fx->now += DAY;
    static const struct {
        int clawback, compliance;
        const char *needle;
    } bad[] = {
        {2, RF_UNSET, "clawback"},         {-2, RF_UNSET, "clawback"}, {RF_UNSET, 2, "compliance_mode"},
        {RF_UNSET, -7, "compliance_mode"}, {1, 9, "compliance_mode"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
        o.name = "new";
        o.clawback = bad[i].clawback;
        o.compliance_mode = bad[i].compliance;
        rf_program *p = keep;
        assert_status(rf_program_create(&p, fx->store, &o), RF_EINVALID);
        assert_null(p);
        assert_message_has(bad[i].needle);
        rf_program_options ch = o;
        ch.name = NULL;
        p = keep;
        assert_status(rf_program_update(&p, fx->store, rf_program_id(keep), &ch), RF_EINVALID);
        assert_null(p);
        assert_message_has(bad[i].needle);
    }
    assert_unchanged(fx->store, before);
    free(before);
    rf_program_free(keep);
}

static void idempotent_create_fingerprints_the_settings(void **state)
{
    fixture *fx = *state;
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.name = "Client advocates";
    o.clawback = 1;
    o.idempotency_key = "setup-advocates-rewards";
    rf_program *a = NULL, *b = NULL;
    assert_ok(rf_program_create(&a, fx->store, &o));
    char *before = snapshot(fx->store);
    fx->now += 10;
    assert_ok(rf_program_create(&b, fx->store, &o));
    assert_string_equal(rf_program_id(b), rf_program_id(a));
    assert_int_equal(rf_program_claws_back(b), 1);
    rf_program_free(b);
    rf_program_options other = o;
    other.clawback = 0;
    assert_status(rf_program_create(&b, fx->store, &other), RF_ECONFLICT);
    other = o;
    other.compliance_mode = 1;
    assert_status(rf_program_create(&b, fx->store, &other), RF_ECONFLICT);
    assert_null(b);
    assert_unchanged(fx->store, before);
    free(before);
    rf_program_free(a);
}

const struct CMUnitTest reward_program_cases[] = {
    CASE(defaults_are_off),
    CASE(create_with_both_on),
    CASE(update_names_the_settings),
    CASE(version_1_struct_is_accepted),
    CASE(version_1_init_stays_inside),
    CASE(out_of_range_is_refused),
    CASE(idempotent_create_fingerprints_the_settings),
};
const size_t reward_program_case_count = sizeof reward_program_cases / sizeof reward_program_cases[0];
