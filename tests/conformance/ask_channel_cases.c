/* Conformance: a party's preferred channel (party options version 2), and how
 * the segment (new or long-standing) and the channel pick an ask's script. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "story_support.h"

static rf_party *party_with_channel(fixture *fx, const char *name, rf_channel channel)
{
    person who = {RF_PARTY_CLIENT, NULL, "+447700900123", RF_CONSENT_CONTACT, channel, 0};
    return add_person(fx, name, who);
}

static void preferred_channel_is_kept(void **state)
{
    fixture *fx = *state;
    char ids[RF_CHANNEL_PORTAL + 1][RF_ID_BUFSIZE];
    for (int c = RF_CHANNEL_UNSET; c <= RF_CHANNEL_PORTAL; c++) {
        char name[32];
        snprintf(name, sizeof name, "Channel %d", c);
        rf_party *p = party_with_channel(fx, name, (rf_channel)c);
        assert_int_equal(rf_party_preferred_channel(p), c);
        snprintf(ids[c], RF_ID_BUFSIZE, "%s", rf_party_id(p));
        rf_party_free(p);
    }
    reopen_if_file(fx);
    for (int c = RF_CHANNEL_UNSET; c <= RF_CHANNEL_PORTAL; c++) {
        rf_party *p = NULL;
        assert_ok(rf_party_get(&p, fx->store, ids[c]));
        assert_int_equal(rf_party_preferred_channel(p), c);
        rf_party_free(p);
    }
    assert_int_equal(rf_party_preferred_channel(NULL), RF_CHANNEL_UNSET);
}

static void preferred_channel_updates(void **state)
{
    fixture *fx = *state;
    rf_party *p = party_with_channel(fx, "Kim Lowe", RF_CHANNEL_SMS);
    fx->now += 60;
    rf_party_options ch = RF_PARTY_OPTIONS_INIT;
    ch.preferred_channel = RF_CHANNEL_EMAIL;
    rf_party *u = NULL;
    assert_ok(rf_party_update(&u, fx->store, rf_party_id(p), &ch));
    assert_int_equal(rf_party_preferred_channel(u), RF_CHANNEL_EMAIL);
    assert_int_equal(rf_party_updated_at(u), T0 + 60);
    rf_party_free(u);
    assert_last_event(fx, RF_EVENT_PARTY_UPDATED, rf_party_id(p), "fields=preferred_channel");

    /* Unset leaves it; the same value changes and journals nothing. */
    char *before = snapshot(fx->store);
    fx->now += 60;
    rf_party_options other = RF_PARTY_OPTIONS_INIT;
    other.segment = "runners";
    assert_ok(rf_party_update(&u, fx->store, rf_party_id(p), &other));
    assert_int_equal(rf_party_preferred_channel(u), RF_CHANNEL_EMAIL);
    rf_party_free(u);
    assert_last_event(fx, RF_EVENT_PARTY_UPDATED, rf_party_id(p), "fields=segment");
    free(before);
    before = snapshot(fx->store);
    assert_ok(rf_party_update(NULL, fx->store, rf_party_id(p), &ch));
    assert_unchanged(fx->store, before);

    /* Out of range: refused on add and on update, nothing changed. */
    const int bad[] = {-1, RF_CHANNEL_PORTAL + 1, 1000};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rf_party_options o = RF_PARTY_OPTIONS_INIT;
        o.kind = RF_PARTY_CLIENT;
        o.display_name = "Nope";
        o.preferred_channel = (rf_channel)bad[i];
        rf_party *n = p;
        assert_status(rf_party_add(&n, fx->store, &o), RF_EINVALID);
        assert_null(n);
        assert_message_has("preferred_channel");
        rf_party_options up = RF_PARTY_OPTIONS_INIT;
        up.preferred_channel = (rf_channel)bad[i];
        n = p;
        assert_status(rf_party_update(&n, fx->store, rf_party_id(p), &up), RF_EINVALID);
        assert_null(n);
        assert_message_has("preferred_channel");
    }
    assert_unchanged(fx->store, before);
    free(before);
    rf_party_free(p);
}

/* Callers built against the version 1 header: a struct that ends before preferred_channel. */
static void version_1_party_options(void **state)
{
    fixture *fx = *state;
    const size_t size = offsetof(rf_party_options, preferred_channel);
    unsigned char *buffer = malloc(size + 8);
    assert_non_null(buffer);
    memset(buffer + size, 0xa5, 8);
    assert_ok(rf_party_options_init((rf_party_options *)(void *)buffer, 1));
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(buffer[size + i], 0xa5);
    }
    free(buffer);

    rf_party_options full = RF_PARTY_OPTIONS_INIT;
    full.version = 1;
    full.kind = RF_PARTY_CLIENT;
    full.display_name = "Old Host";
    rf_party_options *v1 = malloc(size);
    assert_non_null(v1);
    memcpy(v1, &full, size);
    rf_party *p = NULL;
    assert_ok(rf_party_add(&p, fx->store, v1));
    assert_int_equal(rf_party_preferred_channel(p), RF_CHANNEL_UNSET);
    free(v1);

    /* A channel set since survives an update through version 1. */
    rf_party_options ch = RF_PARTY_OPTIONS_INIT;
    ch.preferred_channel = RF_CHANNEL_IN_PERSON;
    assert_ok(rf_party_update(NULL, fx->store, rf_party_id(p), &ch));
    rf_party_options change = RF_PARTY_OPTIONS_INIT;
    change.version = 1;
    change.segment = "walkers";
    v1 = malloc(size);
    assert_non_null(v1);
    memcpy(v1, &change, size);
    rf_party *u = NULL;
    assert_ok(rf_party_update(&u, fx->store, rf_party_id(p), v1));
    free(v1);
    assert_int_equal(rf_party_preferred_channel(u), RF_CHANNEL_IN_PERSON);
    assert_string_equal(rf_party_segment(u), "walkers");
    rf_party_free(u);
    rf_party_free(p);
}

static void idempotent_add_fingerprints_the_channel(void **state)
{
    fixture *fx = *state;
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_CLIENT;
    o.display_name = "Lia Mott";
    o.preferred_channel = RF_CHANNEL_SMS;
    o.idempotency_key = "add-lia";
    rf_party *a = NULL, *b = NULL;
    assert_ok(rf_party_add(&a, fx->store, &o));
    char *before = snapshot(fx->store);
    assert_ok(rf_party_add(&b, fx->store, &o));
    assert_string_equal(rf_party_id(b), rf_party_id(a));
    assert_int_equal(rf_party_preferred_channel(b), RF_CHANNEL_SMS);
    rf_party_free(b);
    o.preferred_channel = RF_CHANNEL_EMAIL;
    assert_status(rf_party_add(&b, fx->store, &o), RF_ECONFLICT);
    assert_null(b);
    assert_unchanged(fx->store, before);
    free(before);
    rf_party_free(a);
}

/* --- the script: channel and segment -------------------------------------------- */

static const struct reach_case {
    const char *email, *phone;
    rf_channel preferred;
    rf_channel channel;
    const char *script;
} reach[] = {
    {"a@example.org", NULL, RF_CHANNEL_UNSET, RF_CHANNEL_EMAIL, "email"},
    {NULL, "+447700900001", RF_CHANNEL_UNSET, RF_CHANNEL_SMS, "sms"},
    {NULL, NULL, RF_CHANNEL_UNSET, RF_CHANNEL_IN_PERSON, "in_person"},
    {"b@example.org", "+447700900002", RF_CHANNEL_UNSET, RF_CHANNEL_EMAIL, "email"},
    {"c@example.org", "+447700900003", RF_CHANNEL_SMS, RF_CHANNEL_SMS, "sms"},
    {"d@example.org", NULL, RF_CHANNEL_SMS, RF_CHANNEL_SMS, "sms"},
    {"e@example.org", "+447700900005", RF_CHANNEL_IN_PERSON, RF_CHANNEL_IN_PERSON, "in_person"},
    {NULL, "+447700900006", RF_CHANNEL_EMAIL, RF_CHANNEL_EMAIL, "email"},
    /* Channels with no ask script fall back to what the party can be reached on. */
    {NULL, "+447700900007", RF_CHANNEL_PHONE, RF_CHANNEL_SMS, "sms"},
    {"h@example.org", NULL, RF_CHANNEL_LETTER, RF_CHANNEL_EMAIL, "email"},
    {NULL, NULL, RF_CHANNEL_PORTAL, RF_CHANNEL_IN_PERSON, "in_person"},
};

static void the_channel_picks_the_script(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    for (size_t i = 0; i < sizeof reach / sizeof reach[0]; i++) {
        char name[32], template_name[48];
        snprintf(name, sizeof name, "Reach %zu", i);
        person who = {RF_PARTY_CLIENT,    reach[i].email,     reach[i].phone,
                      RF_CONSENT_CONTACT, reach[i].preferred, T0 - 10 * DAY};
        rf_party *c = add_person(fx, name, who);
        rf_task *t =
            trigger_ask(fx, p, c, RF_CLIENT_EVENT_NPS, 10, "nps", RF_TASK_PENDING, "trigger=nps;segment=new");
        snprintf(template_name, sizeof template_name, "ask.%s.new", reach[i].script);
        assert_ask(fx, t, p, c, RF_TASK_PENDING, template_name, reach[i].channel, "trigger=nps;segment=new");
        rf_task_free(t);
        rf_party_free(c);
    }
    rf_program_free(p);
}

static void the_segment_picks_the_script(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    const struct {
        rf_time first_visit_at;
        const char *segment;
    } ages[] = {
        {0, "new"}, /* no first visit yet */
        {T0, "new"},
        {T0 - 179 * DAY, "new"},
        {T0 - 180 * DAY + 1, "new"},
        {T0 - 180 * DAY, "long"},
        {T0 - 3 * 365 * DAY, "long"},
    };
    for (size_t i = 0; i < sizeof ages / sizeof ages[0]; i++) {
        char name[32], template_name[48], data[64];
        snprintf(name, sizeof name, "Age %zu", i);
        person who = {RF_PARTY_CLIENT,       NULL, "+447700900100", RF_CONSENT_CONTACT, RF_CHANNEL_UNSET,
                      ages[i].first_visit_at};
        rf_party *c = add_person(fx, name, who);
        snprintf(data, sizeof data, "trigger=praise;segment=%s", ages[i].segment);
        snprintf(template_name, sizeof template_name, "ask.sms.%s", ages[i].segment);
        rf_task *t = trigger_ask(fx, p, c, RF_CLIENT_EVENT_PRAISE, RF_UNSET, "praise", RF_TASK_PENDING, data);
        assert_ask(fx, t, p, c, RF_TASK_PENDING, template_name, RF_CHANNEL_SMS, data);
        rf_task_free(t);
        rf_party_free(c);
    }
    /* The boundary is the programme's. */
    rf_program_options ch = RF_PROGRAM_OPTIONS_INIT;
    ch.new_client_days = 30;
    assert_ok(rf_program_update(NULL, fx->store, rf_program_id(p), &ch));
    person who = {RF_PARTY_CLIENT,    "x@example.org",  NULL,
                  RF_CONSENT_CONTACT, RF_CHANNEL_UNSET, T0 - 31 * DAY};
    rf_party *c = add_person(fx, "Short memory", who);
    rf_task *t =
        trigger_ask(fx, p, c, RF_CLIENT_EVENT_NPS, 10, "nps", RF_TASK_PENDING, "trigger=nps;segment=long");
    assert_ask(fx, t, p, c, RF_TASK_PENDING, "ask.email.long", RF_CHANNEL_EMAIL, "trigger=nps;segment=long");
    rf_task_free(t);
    rf_party_free(c);

    /* A suppressed ask names the script it would have used. */
    person quiet = {RF_PARTY_CLIENT, NULL, NULL, 0, RF_CHANNEL_UNSET, T0 - 400 * DAY};
    c = add_person(fx, "No consent", quiet);
    t = trigger_ask(fx, p, c, RF_CLIENT_EVENT_NPS, 10, "nps", RF_TASK_SUPPRESSED,
                    "trigger=nps;segment=long;reason=no_consent");
    assert_ask(fx, t, p, c, RF_TASK_SUPPRESSED, "ask.in_person.long", RF_CHANNEL_IN_PERSON,
               "trigger=nps;segment=long;reason=no_consent");
    rf_task_free(t);
    rf_party_free(c);
    rf_program_free(p);
}

const struct CMUnitTest ask_channel_cases[] = {
    CASE(preferred_channel_is_kept),    CASE(preferred_channel_updates),
    CASE(version_1_party_options),      CASE(idempotent_add_fingerprints_the_channel),
    CASE(the_channel_picks_the_script), CASE(the_segment_picks_the_script),
};
const size_t ask_channel_case_count = sizeof ask_channel_cases / sizeof ask_channel_cases[0];
