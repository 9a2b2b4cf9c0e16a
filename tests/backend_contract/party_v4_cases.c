/* Contract cases for the party record's version 4 field, the preferred channel: the declared
 * version, and the channel through every way a party is written and read (insert, update, get,
 * get by external id, scans by kind and by contact key), rollback, practices and reopening. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void test_v4_declared(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v4(b); /* every version 4 member is there */
    /* A built-in backend is compiled against this header, so it declares exactly its version. */
    assert_int_equal(b->version, RF_BACKEND_VERSION);
    assert_int_equal(RF_BACKEND_VERSION, 4);
}

/* Party n: ext-<n>, contact keys ek-<n> and pk-<n % 2>, kind 1 + n % 2, the given channel. */
static rf_party_record channel_party(unsigned int n, int channel)
{
    rf_party_record r =
        party(uid(n), text("ext-%u", n), text("ek-%u", n), text("pk-%u", n % 2), (int)(1 + n % 2));
    r.preferred_channel = channel;
    return r;
}

/* What a party scan saw of each party: its id and channel. */
typedef struct seen_channels {
    size_t n;
    char ids[16][40];
    int channels[16];
} seen_channels;

static int on_channel(const rf_party_record *r, void *payload)
{
    seen_channels *s = payload;
    assert_true(s->n < 16);
    snprintf(s->ids[s->n], sizeof s->ids[0], "%s", r->id);
    s->channels[s->n++] = r->preferred_channel;
    return 0;
}

/* The channel @q's scan reports for @id, which it must visit once. */
static int scanned_channel(rf_backend *b, const char *practice, const rf_party_query *q, const char *id)
{
    seen_channels s = {0};
    OK(b->party_scan(b, practice, q, on_channel, &s));
    int found = -1;
    for (size_t i = 0; i < s.n; i++) {
        if (strcmp(s.ids[i], id) == 0) {
            assert_int_equal(found, -1);
            found = (int)i;
        }
    }
    if (found < 0) {
        fail_msg("the scan did not visit party %s", id);
    }
    return s.channels[found];
}

/* @want is stored, channel and all, by every way of reading a party. */
static void expect_channel(rf_backend *b, const char *practice, const rf_party_record *want)
{
    rf_party_record got;
    memset(&got, 0xAB, sizeof got);
    OK(b->party_get(b, practice, want->id, &got));
    assert_party(want, &got);
    assert_int_equal(got.preferred_channel, want->preferred_channel);
    if (want->external_id != NULL) {
        memset(&got, 0xAB, sizeof got);
        OK(b->party_get_by_external(b, practice, want->external_id, &got));
        assert_party(want, &got);
        assert_int_equal(got.preferred_channel, want->preferred_channel);
    }
    rf_party_query all = {NULL, 0, NULL, 0};
    assert_int_equal(scanned_channel(b, practice, &all, want->id), want->preferred_channel);
    rf_party_query by_kind = {NULL, want->kind, NULL, 0};
    assert_int_equal(scanned_channel(b, practice, &by_kind, want->id), want->preferred_channel);
    rf_party_query by_contact = {NULL, 0, want->email_key, 0};
    assert_int_equal(scanned_channel(b, practice, &by_contact, want->id), want->preferred_channel);
    /* Paging from just before it, one at a time. */
    rf_party_query page = {NULL, 0, NULL, 1};
    seen_channels s = {0};
    OK(b->party_scan(b, practice, &page, on_channel, &s));
    while (s.n > 0 && strcmp(s.ids[s.n - 1], want->id) < 0) {
        char after[40];
        snprintf(after, sizeof after, "%s", s.ids[s.n - 1]);
        page.after_id = after;
        OK(b->party_scan(b, practice, &page, on_channel, &s));
    }
    assert_true(s.n > 0);
    assert_string_equal(s.ids[s.n - 1], want->id);
    assert_int_equal(s.channels[s.n - 1], want->preferred_channel);
}

/* Unset (0), the library's channels, and a value past them: the backend keeps the integer. */
static const int channels[] = {0, RF_CHANNEL_IN_PERSON, RF_CHANNEL_SMS, RF_CHANNEL_EMAIL, RF_CHANNEL_PORTAL,
                               77};
#define N_CHANNELS (sizeof channels / sizeof channels[0])

static void test_party_preferred_channel_round_trip(void **state)
{
    fixture *fx = *state;
    rf_backend *b = fx->b;
    need_v4(b);
    rf_party_record parties[N_CHANNELS];
    OK(b->begin(b));
    for (unsigned int i = 0; i < N_CHANNELS; i++) {
        parties[i] = channel_party(i + 1, channels[i]);
        OK(b->party_insert(b, PA, &parties[i]));
    }
    for (unsigned int i = 0; i < N_CHANNELS; i++) {
        expect_channel(b, PA, &parties[i]); /* a transaction sees its own writes */
    }
    OK(b->commit(b));
    for (unsigned int i = 0; i < N_CHANNELS; i++) {
        expect_channel(b, PA, &parties[i]);
    }

    /* Updates set, change and clear it, alone or with other fields. */
    OK(b->begin(b));
    for (unsigned int i = 0; i < N_CHANNELS; i++) {
        parties[i].preferred_channel = channels[(i + 1) % N_CHANNELS];
        if (i % 2 == 0) {
            parties[i].display_name = "Jane Smith";
            parties[i].external_id = text("ext-new-%u", i + 1);
            parties[i].updated_at += 10;
        }
        OK(b->party_update(b, PA, &parties[i]));
    }
    OK(b->commit(b));
    for (unsigned int i = 0; i < N_CHANNELS; i++) {
        expect_channel(b, PA, &parties[i]);
    }

    /* A party written without one (all strings unset) reads back as 0. */
    rf_party_record bare = {uid(20), NULL, "Sam", NULL, NULL, NULL, NULL, NULL, NULL,
                            NULL,    2,    0,     0,    0,    0,    17,   18,   0};
    OK(b->begin(b));
    OK(b->party_insert(b, PA, &bare));
    OK(b->commit(b));
    rf_party_record got;
    memset(&got, 0xAB, sizeof got);
    OK(b->party_get(b, PA, uid(20), &got));
    assert_party(&bare, &got);
    assert_int_equal(got.preferred_channel, 0);

    /* It is kept on disk, not only in a cache. */
    b = free_and_reopen(fx);
    if (b == NULL) {
        return;
    }
    for (unsigned int i = 0; i < N_CHANNELS; i++) {
        expect_channel(b, PA, &parties[i]);
    }
}

static void test_party_preferred_channel_rollback(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v4(b);
    rf_party_record p1 = channel_party(1, RF_CHANNEL_SMS);
    rf_party_record p2 = channel_party(2, 0);
    OK(b->begin(b));
    OK(b->party_insert(b, PA, &p1));
    OK(b->party_insert(b, PA, &p2));
    OK(b->commit(b));

    /* An inner level rolled back, the outer one committed. */
    rf_party_record p1_email = p1;
    p1_email.preferred_channel = RF_CHANNEL_EMAIL;
    rf_party_record p2_in_person = p2;
    p2_in_person.preferred_channel = RF_CHANNEL_IN_PERSON;
    rf_party_record p3 = channel_party(3, RF_CHANNEL_PORTAL);
    OK(b->begin(b));
    OK(b->party_update(b, PA, &p2_in_person));
    OK(b->begin(b));
    OK(b->party_update(b, PA, &p1_email));
    OK(b->party_insert(b, PA, &p3));
    expect_channel(b, PA, &p1_email);
    OK(b->rollback(b));
    expect_channel(b, PA, &p1);
    OK(b->commit(b));
    expect_channel(b, PA, &p1);
    expect_channel(b, PA, &p2_in_person);
    expect_no_party(b, PA, uid(3));

    /* A whole transaction rolled back. */
    OK(b->begin(b));
    OK(b->party_update(b, PA, &p1_email));
    OK(b->party_update(b, PA, &p2));
    OK(b->rollback(b));
    expect_channel(b, PA, &p1);
    expect_channel(b, PA, &p2_in_person);
}

static void test_party_preferred_channel_practices(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v4(b);
    /* The same id in two practices is two parties, each with its own channel. */
    rf_party_record a = channel_party(1, RF_CHANNEL_SMS);
    rf_party_record pb = channel_party(1, RF_CHANNEL_EMAIL);
    OK(b->begin(b));
    OK(b->party_insert(b, PA, &a));
    OK(b->party_insert(b, PB, &pb));
    OK(b->commit(b));
    expect_channel(b, PA, &a);
    expect_channel(b, PB, &pb);
    a.preferred_channel = 0;
    OK(b->begin(b));
    OK(b->party_update(b, PA, &a));
    OK(b->commit(b));
    expect_channel(b, PA, &a);
    expect_channel(b, PB, &pb);
}

const struct CMUnitTest party_v4_cases[] = {
    CASE(test_v4_declared),
    CASE(test_party_preferred_channel_round_trip),
    CASE(test_party_preferred_channel_rollback),
    CASE(test_party_preferred_channel_practices),
};
const size_t party_v4_case_count = sizeof party_v4_cases / sizeof party_v4_cases[0];
