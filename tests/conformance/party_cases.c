/* Conformance: a party: adding, reading, updating, lead to client and idempotent retries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void add_client_with_every_field(void **state)
{
    fixture *fx = *state;
    rf_party *staff = add_party(fx, RF_PARTY_STAFF, "Dr Amara Okafor", NULL, NULL);
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_CLIENT;
    o.external_id = "pms-1001";
    o.display_name = "Jane Doe";
    o.email = "  Jane.Doe@Example.COM ";
    o.phone = "020 7946 0000";
    o.consent = RF_CONSENT_CONTACT | RF_CONSENT_NAMED;
    o.payer = RF_PAYER_PRIVATE_INSURANCE;
    o.segment = "sports";
    o.practitioner_id = rf_party_id(staff);
    o.first_visit_at = T0 - 30 * DAY;
    o.intake = RF_INTAKE_HEALTH_PROFESSIONAL;
    o.intake_detail = "Dr Patel, Elm St surgery";
    rf_party *p = NULL;
    assert_ok(rf_party_add(&p, fx->store, &o));

    assert_int_equal(strlen(rf_party_id(p)), 36);
    assert_int_equal(rf_party_get_kind(p), RF_PARTY_CLIENT);
    assert_string_equal(rf_party_external_id(p), "pms-1001");
    assert_string_equal(rf_party_display_name(p), "Jane Doe");
    assert_string_equal(rf_party_email(p), "jane.doe@example.com");
    assert_string_equal(rf_party_phone(p), "+442079460000");
    assert_int_equal(rf_party_consent(p), RF_CONSENT_CONTACT | RF_CONSENT_NAMED);
    assert_int_equal(rf_party_payer(p), RF_PAYER_PRIVATE_INSURANCE);
    assert_string_equal(rf_party_segment(p), "sports");
    assert_string_equal(rf_party_practitioner_id(p), rf_party_id(staff));
    assert_int_equal(rf_party_first_visit_at(p), T0 - 30 * DAY);
    assert_int_equal(rf_party_intake(p), RF_INTAKE_HEALTH_PROFESSIONAL);
    assert_string_equal(rf_party_intake_detail(p), "Dr Patel, Elm St surgery");
    assert_int_equal(rf_party_created_at(p), T0);
    assert_int_equal(rf_party_updated_at(p), T0);

    char *key = NULL;
    assert_ok(rf_contact_key(&key, fx->store, "jane.doe@example.com"));
    assert_string_equal(rf_party_email_key(p), key);
    rf_free(key);
    assert_ok(rf_contact_key(&key, fx->store, "+44 20 7946 0000"));
    assert_string_equal(rf_party_phone_key(p), key);
    rf_free(key);

    /* What was stored is what comes back. */
    rf_party *again = NULL;
    assert_ok(rf_party_get(&again, fx->store, rf_party_id(p)));
    assert_string_equal(rf_party_email(again), "jane.doe@example.com");
    assert_string_equal(rf_party_intake_detail(again), "Dr Patel, Elm St surgery");
    assert_int_equal(rf_party_first_visit_at(again), T0 - 30 * DAY);
    rf_party_free(again);
    rf_party_free(p);
    rf_party_free(staff);
}

static void add_defaults_and_journal(void **state)
{
    fixture *fx = *state;
    rf_party *p = add_party(fx, RF_PARTY_LEAD, "Sam", NULL, NULL);
    assert_null(rf_party_email(p));
    assert_null(rf_party_email_key(p));
    assert_null(rf_party_external_id(p));
    assert_int_equal(rf_party_consent(p), 0);
    assert_int_equal(rf_party_first_visit_at(p), RF_TIME_NONE);

    rf_journal_iter *it = NULL;
    rf_event *ev = NULL;
    assert_ok(rf_journal_read(&it, fx->store, 0));
    assert_ok(rf_journal_iter_next(&ev, it));
    assert_int_equal(rf_event_seq(ev), 1);
    assert_string_equal(rf_event_type(ev), RF_EVENT_PARTY_ADDED);
    assert_string_equal(rf_event_subject_id(ev), rf_party_id(p));
    assert_string_equal(rf_event_data(ev), "kind=LEAD");
    assert_int_equal(rf_event_at(ev), T0);
    rf_event_free(ev);
    assert_status(rf_journal_iter_next(&ev, it), RF_ITEROVER);
    assert_null(ev);
    rf_journal_iter_free(it);
    rf_party_free(p);
}

/* Each bad input is refused with RF_EINVALID, a message naming the problem, and no change. */
typedef struct bad_party {
    const char *name;
    const char *email;
    const char *phone;
    int consent;
    int payer;
    rf_time first_visit_at;
    const char *external_id;
    const char *message;
} bad_party;

static void add_refuses_bad_input(void **state)
{
    fixture *fx = *state;
    char long_name[RF_NAME_MAX + 2];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    const bad_party cases[] = {
        {NULL, NULL, NULL, RF_UNSET, 0, RF_TIME_UNSET, NULL, "display_name is required"},
        {"", NULL, NULL, RF_UNSET, 0, RF_TIME_UNSET, NULL, "display_name"},
        {long_name, NULL, NULL, RF_UNSET, 0, RF_TIME_UNSET, NULL, "limit"},
        {"Jane \xC3", NULL, NULL, RF_UNSET, 0, RF_TIME_UNSET, NULL, "UTF-8"},
        {"Jane \xED\xA0\x80", NULL, NULL, RF_UNSET, 0, RF_TIME_UNSET, NULL, "UTF-8"},
        {"Jane\nDoe", NULL, NULL, RF_UNSET, 0, RF_TIME_UNSET, NULL, "control"},
        {"Jane", "jane@@example.com", NULL, RF_UNSET, 0, RF_TIME_UNSET, NULL, "email"},
        {"Jane", "jane.example.com", NULL, RF_UNSET, 0, RF_TIME_UNSET, NULL, "email"},
        {"Jane", NULL, "call me", RF_UNSET, 0, RF_TIME_UNSET, NULL, "phone"},
        {"Jane", NULL, "123", RF_UNSET, 0, RF_TIME_UNSET, NULL, "phone"},
        {"Jane", NULL, NULL, 64, 0, RF_TIME_UNSET, NULL, "consent"},
        {"Jane", NULL, NULL, RF_UNSET, 9, RF_TIME_UNSET, NULL, "payer"},
        {"Jane", NULL, NULL, RF_UNSET, 0, -5, NULL, "first_visit_at"},
        {"Jane", NULL, NULL, RF_UNSET, 0, RF_TIME_UNSET, "ext\x01", "external_id"},
    };
    rf_party *keep = add_party(fx, RF_PARTY_CLIENT, "Existing", "e@example.com", NULL);
    char *before = snapshot(fx->store);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rf_party_options o = RF_PARTY_OPTIONS_INIT;
        o.kind = RF_PARTY_CLIENT;
        o.display_name = cases[i].name;
        o.email = cases[i].email;
        o.phone = cases[i].phone;
        o.consent = cases[i].consent;
        o.payer = (rf_payer)cases[i].payer;
        o.first_visit_at = cases[i].first_visit_at;
        o.external_id = cases[i].external_id;
        rf_party *p = (rf_party *)&o; /* must be reset to NULL */
        assert_status(rf_party_add(&p, fx->store, &o), RF_EINVALID);
        assert_null(p);
        assert_int_equal(rf_error_last()->code, RF_EINVALID);
        assert_message_has(cases[i].message);
        assert_unchanged(fx->store, before);
    }
    free(before);
    rf_party_free(keep);
}

static void add_refuses_bad_arguments(void **state)
{
    fixture *fx = *state;
    char *before = snapshot(fx->store);
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_CLIENT;
    o.display_name = "Jane";
    rf_party *p = NULL;
    assert_status(rf_party_add(NULL, fx->store, &o), RF_EINVALID);
    assert_status(rf_party_add(&p, NULL, &o), RF_EINVALID);
    assert_message_has("store must not be NULL");
    assert_status(rf_party_add(&p, fx->store, NULL), RF_EINVALID);
    o.version = 0;
    assert_status(rf_party_add(&p, fx->store, &o), RF_EINVALID);
    assert_message_has("RF_PARTY_OPTIONS_INIT");
    o.version = RF_PARTY_OPTIONS_VERSION;
    o.kind = RF_PARTY_KIND_UNSET;
    assert_status(rf_party_add(&p, fx->store, &o), RF_EINVALID);
    assert_message_has("kind is required");
    o.kind = (rf_party_kind)7;
    assert_status(rf_party_add(&p, fx->store, &o), RF_EINVALID);
    assert_null(p);
    assert_unchanged(fx->store, before);
    free(before);
}

static void external_id_is_unique(void **state)
{
    fixture *fx = *state;
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_CLIENT;
    o.display_name = "Jane";
    o.external_id = "pms-7";
    rf_party *first = NULL, *second = NULL;
    assert_ok(rf_party_add(&first, fx->store, &o));
    char *before = snapshot(fx->store);
    o.display_name = "John";
    assert_status(rf_party_add(&second, fx->store, &o), RF_EEXISTS);
    assert_null(second);
    assert_message_has(rf_party_id(first));
    assert_unchanged(fx->store, before);

    rf_party *found = NULL;
    assert_ok(rf_party_find_external(&found, fx->store, "pms-7"));
    assert_string_equal(rf_party_id(found), rf_party_id(first));
    rf_party_free(found);
    assert_status(rf_party_find_external(&found, fx->store, "pms-8"), RF_ENOTFOUND);
    assert_null(found);
    assert_message_has("pms-8");
    free(before);
    rf_party_free(first);
}

static void practitioner_must_be_staff(void **state)
{
    fixture *fx = *state;
    rf_party *client = add_party(fx, RF_PARTY_CLIENT, "Jane", NULL, NULL);
    char *before = snapshot(fx->store);
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_CLIENT;
    o.display_name = "John";
    o.practitioner_id = rf_party_id(client);
    rf_party *p = NULL;
    assert_status(rf_party_add(&p, fx->store, &o), RF_EINVALID);
    assert_message_has("not a STAFF party");
    o.practitioner_id = "0190a1b2-0000-7000-8000-000000000000";
    assert_status(rf_party_add(&p, fx->store, &o), RF_ENOTFOUND);
    assert_message_has("practitioner");
    assert_unchanged(fx->store, before);
    free(before);
    rf_party_free(client);
}

static void get_unknown_party(void **state)
{
    fixture *fx = *state;
    rf_party *p = NULL;
    assert_status(rf_party_get(&p, fx->store, "0190a1b2-0000-7000-8000-000000000000"), RF_ENOTFOUND);
    assert_null(p);
    assert_message_has("not found");
    assert_status(rf_party_get(&p, fx->store, NULL), RF_EINVALID);
    assert_status(rf_party_get(NULL, fx->store, "x"), RF_EINVALID);
}

static void update_changes_given_fields_only(void **state)
{
    fixture *fx = *state;
    rf_party *p = add_party(fx, RF_PARTY_CLIENT, "Jane Doe", "jane@example.com", "+44 20 7946 0000");
    fx->now += DAY;
    rf_party_options ch = RF_PARTY_OPTIONS_INIT;
    ch.email = "Jane.New@Example.com";
    ch.segment = "returning";
    rf_party *u = NULL;
    assert_ok(rf_party_update(&u, fx->store, rf_party_id(p), &ch));
    assert_string_equal(rf_party_email(u), "jane.new@example.com");
    assert_string_not_equal(rf_party_email_key(u), rf_party_email_key(p));
    assert_string_equal(rf_party_phone(u), "+442079460000");
    assert_string_equal(rf_party_display_name(u), "Jane Doe");
    assert_string_equal(rf_party_segment(u), "returning");
    assert_int_equal(rf_party_created_at(u), T0);
    assert_int_equal(rf_party_updated_at(u), T0 + DAY);
    rf_party_free(u);

    /* The journal names the fields, never their values. */
    rf_journal_iter *it = NULL;
    rf_event *ev = NULL;
    assert_ok(rf_journal_read(&it, fx->store, 1));
    assert_ok(rf_journal_iter_next(&ev, it));
    assert_string_equal(rf_event_type(ev), RF_EVENT_PARTY_UPDATED);
    assert_string_equal(rf_event_data(ev), "fields=segment,email");
    rf_event_free(ev);
    rf_journal_iter_free(it);

    /* Clearing an optional field with "" and a no-op update. */
    rf_party_options clear = RF_PARTY_OPTIONS_INIT;
    clear.phone = "";
    assert_ok(rf_party_update(&u, fx->store, rf_party_id(p), &clear));
    assert_null(rf_party_phone(u));
    assert_null(rf_party_phone_key(u));
    rf_party_free(u);
    int64_t seq = last_seq(fx);
    assert_ok(rf_party_update(NULL, fx->store, rf_party_id(p), &clear));
    assert_int_equal(last_seq(fx), seq); /* nothing changed, nothing journalled */
    rf_party_free(p);
}

static void update_refusals_change_nothing(void **state)
{
    fixture *fx = *state;
    rf_party *a = add_party(fx, RF_PARTY_CLIENT, "Jane", NULL, NULL);
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_CLIENT;
    o.display_name = "John";
    o.external_id = "pms-2";
    rf_party *b = NULL;
    assert_ok(rf_party_add(&b, fx->store, &o));
    char *before = snapshot(fx->store);
    rf_party *u = (rf_party *)&o;

    rf_party_options ch = RF_PARTY_OPTIONS_INIT;
    ch.kind = RF_PARTY_LEAD;
    assert_status(rf_party_update(&u, fx->store, rf_party_id(a), &ch), RF_ESTATE);
    assert_null(u);
    assert_message_has("only a LEAD can become a CLIENT");

    ch = (rf_party_options)RF_PARTY_OPTIONS_INIT;
    ch.external_id = "pms-2";
    ch.segment = "would change";
    assert_status(rf_party_update(&u, fx->store, rf_party_id(a), &ch), RF_EEXISTS);

    ch = (rf_party_options)RF_PARTY_OPTIONS_INIT;
    ch.display_name = "";
    assert_status(rf_party_update(&u, fx->store, rf_party_id(a), &ch), RF_EINVALID);
    ch.display_name = NULL;
    ch.email = "not-an-email";
    assert_status(rf_party_update(&u, fx->store, rf_party_id(a), &ch), RF_EINVALID);

    ch = (rf_party_options)RF_PARTY_OPTIONS_INIT;
    ch.segment = "x";
    assert_status(rf_party_update(&u, fx->store, "0190a1b2-0000-7000-8000-000000000000", &ch), RF_ENOTFOUND);
    assert_status(rf_party_update(&u, fx->store, NULL, &ch), RF_EINVALID);
    assert_status(rf_party_update(&u, NULL, rf_party_id(a), &ch), RF_EINVALID);
    assert_status(rf_party_update(&u, fx->store, rf_party_id(a), NULL), RF_EINVALID);
    assert_unchanged(fx->store, before);
    free(before);
    rf_party_free(a);
    rf_party_free(b);
}

static void lead_becomes_client(void **state)
{
    fixture *fx = *state;
    rf_party *lead = add_party(fx, RF_PARTY_LEAD, "Priya", NULL, NULL);
    rf_party_options ch = RF_PARTY_OPTIONS_INIT;
    ch.kind = RF_PARTY_CLIENT;
    ch.first_visit_at = T0;
    rf_party *u = NULL;
    assert_ok(rf_party_update(&u, fx->store, rf_party_id(lead), &ch));
    assert_int_equal(rf_party_get_kind(u), RF_PARTY_CLIENT);
    assert_int_equal(rf_party_first_visit_at(u), T0);
    rf_party_free(u);
    rf_party_free(lead);
}

static void idempotent_add_and_update(void **state)
{
    fixture *fx = *state;
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_CLIENT;
    o.display_name = "Jane";
    o.idempotency_key = "import-42";
    rf_party *first = NULL, *retry = NULL;
    assert_ok(rf_party_add(&first, fx->store, &o));
    char *before = snapshot(fx->store);
    fx->now += 60;
    assert_ok(rf_party_add(&retry, fx->store, &o));
    assert_string_equal(rf_party_id(retry), rf_party_id(first));
    assert_int_equal(rf_party_created_at(retry), T0);
    assert_unchanged(fx->store, before);
    rf_party_free(retry);

    /* The same key for a different request is a conflict, and changes nothing. */
    o.display_name = "Someone else";
    assert_status(rf_party_add(&retry, fx->store, &o), RF_ECONFLICT);
    assert_null(retry);
    assert_message_has("import-42");
    assert_unchanged(fx->store, before);
    free(before);

    rf_party_options ch = RF_PARTY_OPTIONS_INIT;
    ch.segment = "vip";
    ch.idempotency_key = "seg-1";
    assert_ok(rf_party_update(NULL, fx->store, rf_party_id(first), &ch));
    before = snapshot(fx->store);
    assert_ok(rf_party_update(&retry, fx->store, rf_party_id(first), &ch));
    assert_string_equal(rf_party_segment(retry), "vip");
    assert_unchanged(fx->store, before);
    assert_int_equal(count_events(fx, RF_EVENT_PARTY_UPDATED), 1);
    free(before);
    rf_party_free(retry);
    rf_party_free(first);
}

/* A retry that spells the defaults out (as a binding may) is the same request
 * as one that left them unset. */
static void retries_may_spell_defaults_out(void **state)
{
    fixture *fx = *state;
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_CLIENT;
    o.display_name = "Jane Doe";
    o.idempotency_key = "add-jane";
    rf_party *first = NULL, *again = NULL;
    assert_ok(rf_party_add(&first, fx->store, &o));
    o.consent = 0;
    o.first_visit_at = RF_TIME_NONE;
    assert_ok(rf_party_add(&again, fx->store, &o));
    assert_string_equal(rf_party_id(again), rf_party_id(first));
    rf_party_free(again);

    rf_code_options c = RF_CODE_OPTIONS_INIT;
    c.idempotency_key = "code-jane";
    rf_code *code = NULL, *code_again = NULL;
    assert_ok(rf_code_issue(&code, fx->store, rf_party_id(first), &c));
    c.style = RF_CODE_VANITY;
    c.max_uses = 0;
    c.expires_at = RF_TIME_NONE;
    assert_ok(rf_code_issue(&code_again, fx->store, rf_party_id(first), &c));
    assert_string_equal(rf_code_id(code_again), rf_code_id(code));

    rf_program_options p = RF_PROGRAM_OPTIONS_INIT;
    p.name = "advocates";
    p.idempotency_key = "program-1";
    rf_program *program = NULL, *program_again = NULL;
    assert_ok(rf_program_create(&program, fx->store, &p));
    p.window_days = 90;
    p.attribution = RF_ATTRIBUTION_LAST_TOUCH;
    p.exclude_existing_clients = 1;
    p.fraud_action = RF_FRAUD_BLOCK;
    assert_ok(rf_program_create(&program_again, fx->store, &p));
    assert_string_equal(rf_program_id(program_again), rf_program_id(program));
    rf_program_free(program_again);
    p.window_days = 30; /* a different request under the same key */
    assert_status(rf_program_create(&program_again, fx->store, &p), RF_ECONFLICT);
    assert_null(program_again);
    rf_program_free(program);
    rf_code_free(code_again);
    rf_code_free(code);
    rf_party_free(first);
}

const struct CMUnitTest party_cases[] = {
    CASE(add_client_with_every_field),
    CASE(add_defaults_and_journal),
    CASE(add_refuses_bad_input),
    CASE(add_refuses_bad_arguments),
    CASE(external_id_is_unique),
    CASE(practitioner_must_be_staff),
    CASE(get_unknown_party),
    CASE(update_changes_given_fields_only),
    CASE(update_refusals_change_nothing),
    CASE(lead_becomes_client),
    CASE(idempotent_add_and_update),
    CASE(retries_may_spell_defaults_out),
};
const size_t party_case_count = sizeof party_cases / sizeof party_cases[0];
