/* Conformance: referral requests: refusals, documents, idempotent create and listing filters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "attribution_support.h"

#define NO_SUCH_ID "0190a1b2-0000-7000-8000-000000000000"

static void create_refusals_change_nothing(void **state)
{
    fixture *fx = *state;
    rf_program *program = make_program(fx, "advocates", RF_FRAUD_BLOCK, 1);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_party *lee = add_party(fx, RF_PARTY_LEAD, "Lee Newman", NULL, NULL);
    rf_party *patel = add_party(fx, RF_PARTY_PARTNER, "Dr Patel", NULL, NULL);
    rf_code *old = code_for(fx, ruth, RF_CHANNEL_UNSET, NULL);
    assert_ok(rf_code_revoke(NULL, fx->store, rf_code_text(old), NULL, NULL));
    char *before = snapshot(fx->store);
    fx->now += 60;
    rf_referral *r = NULL;

#define REFUSED(status, needle)                                                                              \
    do {                                                                                                     \
        r = (rf_referral *)ruth;                                                                             \
        assert_status(rf_referral_create(&r, fx->store, &o), status);                                        \
        assert_null(r);                                                                                      \
        assert_message_has(needle);                                                                          \
    } while (0)

    rf_referral_options o = inbound(program, lee);
    o.referrer_id = rf_party_id(ruth);
    o.program_id = NULL;
    REFUSED(RF_EINVALID, "program_id");
    o = inbound(program, lee);
    o.referrer_id = rf_party_id(ruth);
    o.referee_id = NULL;
    REFUSED(RF_EINVALID, "referee_id");

    o = inbound(program, lee);
    REFUSED(RF_EINVALID, "evidence");

    o = inbound(program, lee);
    o.referrer_id = rf_party_id(ruth);
    o.source = RF_SOURCE_CODE;
    REFUSED(RF_EINVALID, "CODE");
    o.source = RF_SOURCE_TOUCH;
    REFUSED(RF_EINVALID, "TOUCH");
    o.source = (rf_referral_source)42;
    REFUSED(RF_EINVALID, "source");

    o = inbound(program, lee);
    o.referrer_id = rf_party_id(ruth);
    o.target_id = rf_party_id(patel);
    REFUSED(RF_EINVALID, "target_id");

    o = inbound(program, lee);
    o.referrer_id = rf_party_id(ruth);
    o.direction = RF_DIRECTION_OUTBOUND;
    REFUSED(RF_EINVALID, "target_id");

    o = inbound(program, lee);
    o.referrer_id = rf_party_id(ruth);
    o.documents_required = "letter";
    o.documents_received = "letter,imaging";
    REFUSED(RF_EINVALID, "imaging");
    o.documents_required = "letter,,imaging";
    o.documents_received = NULL;
    REFUSED(RF_EINVALID, "documents_required");

    o = inbound(program, patel);
    o.referrer_id = rf_party_id(ruth);
    REFUSED(RF_EINVALID, "PARTNER");

    o = inbound(program, lee);
    o.referrer_id = rf_party_id(ruth);
    o.program_id = NO_SUCH_ID;
    REFUSED(RF_ENOTFOUND, NO_SUCH_ID);
    assert_message_has("programme");

    o = inbound(program, lee);
    o.referrer_id = rf_party_id(ruth);
    o.referee_id = NO_SUCH_ID;
    REFUSED(RF_ENOTFOUND, NO_SUCH_ID);

    o = inbound(program, lee);
    o.referrer_id = NO_SUCH_ID;
    REFUSED(RF_ENOTFOUND, NO_SUCH_ID);

    o = inbound(program, lee);
    o.code = "no-such-code";
    REFUSED(RF_ENOTFOUND, "no-such-code");
    o.code = rf_code_text(old);
    REFUSED(RF_ESTATE, "revoked");

    o = inbound(program, lee);
    o.referrer_id = rf_party_id(ruth);
    o.version = 0;
    REFUSED(RF_EINVALID, "RF_REFERRAL_OPTIONS_INIT");
#undef REFUSED

    o = inbound(program, lee);
    o.referrer_id = rf_party_id(ruth);
    assert_status(rf_referral_create(NULL, fx->store, &o), RF_EINVALID);
    assert_status(rf_referral_create(&r, fx->store, NULL), RF_EINVALID);
    assert_status(rf_referral_create(&r, NULL, &o), RF_EINVALID);
    assert_status(rf_referral_get(&r, fx->store, NO_SUCH_ID), RF_ENOTFOUND);
    assert_null(r);
    assert_unchanged(fx->store, before);
    free(before);
    rf_code_free(old);
    rf_party_free(ruth);
    rf_party_free(lee);
    rf_party_free(patel);
    rf_program_free(program);
}

static rf_referral *with_documents(fixture *fx, const rf_program *program, const rf_party *referrer,
                                   const char *name, const char *required, const char *received)
{
    rf_party *lead = add_party(fx, RF_PARTY_LEAD, name, NULL, NULL);
    rf_referral_options o = inbound(program, lead);
    o.referrer_id = rf_party_id(referrer);
    o.source = RF_SOURCE_PARTNER;
    o.documents_required = required;
    o.documents_received = received;
    rf_referral *r = NULL;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    rf_party_free(lead);
    return r;
}

static void documents_at_receipt_and_later(void **state)
{
    fixture *fx = *state;
    rf_program *program = make_program(fx, "gp", RF_FRAUD_BLOCK, 1);
    rf_party *patel = add_party(fx, RF_PARTY_PARTNER, "Dr Patel", NULL, NULL);

    rf_referral *all = with_documents(fx, program, patel, "Ada All", "letter,imaging", "imaging,letter");
    assert_int_equal(rf_referral_documents_complete_at_receipt(all), 1);
    assert_string_equal(rf_referral_documents_required(all), "letter,imaging");
    rf_referral *none = with_documents(fx, program, patel, "Nia None", NULL, NULL);
    assert_int_equal(rf_referral_documents_complete_at_receipt(none), 1);
    assert_null(rf_referral_documents_required(none));
    rf_referral *part = with_documents(fx, program, patel, "Pat Part", "letter,imaging", "letter");
    assert_int_equal(rf_referral_documents_complete_at_receipt(part), 0);
    assert_string_equal(rf_referral_documents_received(part), "letter");
    rf_referral *nothing = with_documents(fx, program, patel, "Ned Nothing", "letter", NULL);
    assert_int_equal(rf_referral_documents_complete_at_receipt(nothing), 0);
    assert_null(rf_referral_documents_received(nothing));

    /* The missing document arrives later: recorded and journalled, receipt unchanged. */
    fx->now = T0 + DAY;
    int64_t seq = last_seq(fx);
    rf_referral *u = NULL;
    assert_ok(rf_referral_receive_document(&u, fx->store, rf_referral_id(part), "imaging"));
    assert_has(rf_referral_documents_received(u), "letter");
    assert_has(rf_referral_documents_received(u), "imaging");
    assert_int_equal(rf_referral_documents_complete_at_receipt(u), 0);
    assert_int_equal(rf_referral_updated_at(u), T0 + DAY);
    rf_referral_free(u);
    assert_int_equal(last_seq(fx), seq + 1);
    rf_event *ev = newest_event(fx);
    assert_string_equal(rf_event_type(ev), RF_EVENT_DOCUMENT_RECEIVED);
    assert_string_equal(rf_event_subject_id(ev), rf_referral_id(part));
    assert_string_equal(rf_event_data(ev), "document=imaging");
    rf_event_free(ev);
    assert_ok(rf_referral_get(&u, fx->store, rf_referral_id(part)));
    assert_has(rf_referral_documents_received(u), "imaging");
    rf_referral_free(u);
    assert_ok(rf_referral_receive_document(NULL, fx->store, rf_referral_id(nothing), "letter"));
    assert_ok(rf_referral_get(&u, fx->store, rf_referral_id(nothing)));
    assert_string_equal(rf_referral_documents_received(u), "letter");
    rf_referral_free(u);

    /* Again: not an error, and nothing changes. */
    char *before = snapshot(fx->store);
    fx->now = T0 + 2 * DAY;
    assert_ok(rf_referral_receive_document(&u, fx->store, rf_referral_id(part), "imaging"));
    assert_has(rf_referral_documents_received(u), "imaging");
    rf_referral_free(u);
    assert_unchanged(fx->store, before);

    /* A document the referral does not need, and bad arguments. */
    u = (rf_referral *)patel;
    assert_status(rf_referral_receive_document(&u, fx->store, rf_referral_id(part), "xray"), RF_EINVALID);
    assert_null(u);
    assert_message_has("xray");
    assert_status(rf_referral_receive_document(NULL, fx->store, rf_referral_id(none), "letter"), RF_EINVALID);
    assert_message_has("letter");
    assert_status(rf_referral_receive_document(NULL, fx->store, rf_referral_id(part), "letter,imaging"),
                  RF_EINVALID);
    assert_status(rf_referral_receive_document(NULL, fx->store, NO_SUCH_ID, "letter"), RF_ENOTFOUND);
    assert_status(rf_referral_receive_document(NULL, fx->store, rf_referral_id(part), NULL), RF_EINVALID);
    assert_unchanged(fx->store, before);
    free(before);

    rf_referral_free(all);
    rf_referral_free(none);
    rf_referral_free(part);
    rf_referral_free(nothing);
    rf_party_free(patel);
    rf_program_free(program);
}

static void idempotent_create(void **state)
{
    fixture *fx = *state;
    rf_program *program = make_program(fx, "advocates", RF_FRAUD_BLOCK, 1);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_party *lee = add_party(fx, RF_PARTY_LEAD, "Lee Newman", NULL, NULL);
    rf_party *liz = add_party(fx, RF_PARTY_LEAD, "Liz Newman", NULL, NULL);
    rf_code *code = code_for(fx, ruth, RF_CHANNEL_UNSET, NULL);
    rf_referral_options o = inbound(program, lee);
    o.code = rf_code_text(code);
    o.idempotency_key = "intake-form-7";
    rf_referral *a = NULL, *b = NULL;
    assert_ok(rf_referral_create(&a, fx->store, &o));
    char *before = snapshot(fx->store);
    fx->now += 10;
    /* The retry returns the first referral; no second use of the code, no event. */
    assert_ok(rf_referral_create(&b, fx->store, &o));
    assert_string_equal(rf_referral_id(b), rf_referral_id(a));
    assert_int_equal(rf_referral_reached_at(b, RF_REFERRAL_RECEIVED), T0);
    assert_unchanged(fx->store, before);
    rf_referral_free(b);
    assert_int_equal(count_events(fx, RF_EVENT_ATTRIBUTION_REFUSED), 0);

    /* The same key for another request. */
    rf_referral_options other = o;
    other.referee_id = rf_party_id(liz);
    b = a;
    assert_status(rf_referral_create(&b, fx->store, &other), RF_ECONFLICT);
    assert_null(b);
    other = o;
    other.reason = "different";
    assert_status(rf_referral_create(&b, fx->store, &other), RF_ECONFLICT);
    assert_unchanged(fx->store, before);
    free(before);
    rf_referral_free(a);
    rf_code_free(code);
    rf_party_free(ruth);
    rf_party_free(lee);
    rf_party_free(liz);
    rf_program_free(program);
}

/* The ids a filter lists, space-separated; free with free(). */
static char *listed(fixture *fx, const rf_referral_filter *f)
{
    char *out = calloc(1, 16 * RF_ID_BUFSIZE);
    assert_non_null(out);
    rf_referral_iter *it = NULL;
    rf_referral *r = NULL;
    assert_ok(rf_referral_list(&it, fx->store, f));
    rf_status rc;
    while ((rc = rf_referral_iter_next(&r, it)) == RF_OK) {
        assert_true(strlen(out) + RF_ID_BUFSIZE < 16 * RF_ID_BUFSIZE);
        strcat(out, rf_referral_id(r));
        strcat(out, " ");
        rf_referral_free(r);
    }
    assert_int_equal(rc, RF_ITEROVER);
    assert_null(r);
    rf_referral_iter_free(it);
    return out;
}

static void assert_listed(fixture *fx, const rf_referral_filter *f, const rf_referral *const *expected,
                          size_t n)
{
    char want[16 * RF_ID_BUFSIZE] = "";
    for (size_t i = 0; i < n; i++) {
        strcat(want, rf_referral_id(expected[i]));
        strcat(want, " ");
    }
    char *got = listed(fx, f);
    assert_string_equal(got, want);
    free(got);
}

static void list_filters(void **state)
{
    fixture *fx = *state;
    rf_program *p1 = make_program(fx, "advocates", RF_FRAUD_BLOCK, 1);
    rf_program *p2 = make_program(fx, "partners", RF_FRAUD_BLOCK, 1);
    rf_party *ann = add_party(fx, RF_PARTY_CLIENT, "Ann", NULL, NULL);
    rf_party *bob = add_party(fx, RF_PARTY_CLIENT, "Bob", NULL, NULL);
    rf_party *sam = add_party(fx, RF_PARTY_STAFF, "Dr Sam", NULL, NULL);
    rf_party *patel = add_party(fx, RF_PARTY_PARTNER, "Dr Patel", NULL, NULL);
    rf_party *carla = add_party(fx, RF_PARTY_CLIENT, "Carla", NULL, NULL);

    fx->now = T0;
    rf_referral *r1 = refer_new_lead(fx, p1, rf_party_id(ann));
    fx->now = T0 + DAY;
    rf_referral *r2 = refer_new_lead(fx, p1, rf_party_id(bob));
    fx->now = T0 + 2 * DAY;
    rf_referral *r3 = refer_new_lead(fx, p2, rf_party_id(ann));
    fx->now = T0 + 3 * DAY;
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(p1);
    o.referee_id = rf_party_id(carla);
    o.direction = RF_DIRECTION_OUTBOUND;
    o.target_id = rf_party_id(patel);
    o.referrer_id = rf_party_id(sam);
    rf_referral *r4 = NULL;
    assert_ok(rf_referral_create(&r4, fx->store, &o));

    const rf_referral *everything[] = {r1, r2, r3, r4};
    assert_listed(fx, NULL, everything, 4);
    rf_referral_filter f;
    assert_ok(rf_referral_filter_init(&f, RF_REFERRAL_FILTER_VERSION));
    assert_listed(fx, &f, everything, 4);

    f.program_id = rf_program_id(p1);
    const rf_referral *in_p1[] = {r1, r2, r4};
    assert_listed(fx, &f, in_p1, 3);
    f.direction = RF_DIRECTION_INBOUND;
    const rf_referral *in_p1_inbound[] = {r1, r2};
    assert_listed(fx, &f, in_p1_inbound, 2);

    rf_referral_filter g = RF_REFERRAL_FILTER_INIT;
    g.referrer_id = rf_party_id(ann);
    const rf_referral *by_ann[] = {r1, r3};
    assert_listed(fx, &g, by_ann, 2);

    g = (rf_referral_filter)RF_REFERRAL_FILTER_INIT;
    g.referee_id = rf_referral_referee_id(r2);
    const rf_referral *for_r2[] = {r2};
    assert_listed(fx, &g, for_r2, 1);

    g = (rf_referral_filter)RF_REFERRAL_FILTER_INIT;
    g.direction = RF_DIRECTION_OUTBOUND;
    const rf_referral *outbound[] = {r4};
    assert_listed(fx, &g, outbound, 1);

    /* [from, to): the start is in, the end is out. */
    g = (rf_referral_filter)RF_REFERRAL_FILTER_INIT;
    g.received_from = T0 + DAY;
    g.received_to = T0 + 3 * DAY;
    const rf_referral *middle[] = {r2, r3};
    assert_listed(fx, &g, middle, 2);
    g.received_from = T0 + DAY + 1;
    g.received_to = T0 + 3 * DAY + 1;
    const rf_referral *later[] = {r3, r4};
    assert_listed(fx, &g, later, 2);
    g.received_from = RF_TIME_UNSET;
    g.received_to = T0 + DAY;
    const rf_referral *first[] = {r1};
    assert_listed(fx, &g, first, 1);
    g.received_from = T0 + 2 * DAY;
    g.received_to = RF_TIME_UNSET;
    const rf_referral *from_day2[] = {r3, r4};
    assert_listed(fx, &g, from_day2, 2);
    g.received_from = T0 + DAY;
    g.received_to = T0 + DAY;
    assert_listed(fx, &g, NULL, 0);

    /* No match, and a bad filter. */
    g = (rf_referral_filter)RF_REFERRAL_FILTER_INIT;
    g.referrer_id = NO_SUCH_ID;
    assert_listed(fx, &g, NULL, 0);
    g = (rf_referral_filter)RF_REFERRAL_FILTER_INIT;
    g.direction = (rf_direction)7;
    rf_referral_iter *it = NULL;
    assert_status(rf_referral_list(&it, fx->store, &g), RF_EINVALID);
    assert_null(it);
    g.direction = RF_DIRECTION_UNSET;
    g.version = 0;
    assert_status(rf_referral_list(&it, fx->store, &g), RF_EINVALID);
    assert_status(rf_referral_list(NULL, fx->store, NULL), RF_EINVALID);
    rf_referral_iter_free(NULL);

    rf_referral_free(r1);
    rf_referral_free(r2);
    rf_referral_free(r3);
    rf_referral_free(r4);
    rf_party_free(ann);
    rf_party_free(bob);
    rf_party_free(sam);
    rf_party_free(patel);
    rf_party_free(carla);
    rf_program_free(p1);
    rf_program_free(p2);
}

const struct CMUnitTest referral_request_cases[] = {
    CASE(create_refusals_change_nothing),
    CASE(documents_at_receipt_and_later),
    CASE(idempotent_create),
    CASE(list_filters),
};
const size_t referral_request_case_count = sizeof referral_request_cases / sizeof referral_request_cases[0];
