/* Conformance: the journal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void events_come_in_order_from_a_cursor(void **state)
{
    fixture *fx = *state;
    rf_party *p = add_party(fx, RF_PARTY_CLIENT, "Jane Doe", NULL, NULL);
    rf_code *c = issue_code(fx, rf_party_id(p), RF_CODE_VANITY);
    assert_ok(rf_code_use(NULL, fx->store, "jane-doe", NULL));
    assert_ok(rf_code_revoke(NULL, fx->store, "jane-doe", NULL, NULL));
    const char *types[] = {RF_EVENT_PARTY_ADDED, RF_EVENT_CODE_ISSUED, RF_EVENT_CODE_USED,
                           RF_EVENT_CODE_REVOKED};
    assert_int_equal(last_seq(fx), 4);

    for (int64_t from = 0; from <= 4; from++) {
        rf_journal_iter *it = NULL;
        rf_event *ev = NULL;
        int64_t expect = from + 1;
        assert_ok(rf_journal_read(&it, fx->store, from));
        while (rf_journal_iter_next(&ev, it) == RF_OK) {
            assert_int_equal(rf_event_seq(ev), expect);
            assert_string_equal(rf_event_type(ev), types[expect - 1]);
            expect++;
            rf_event_free(ev);
        }
        assert_int_equal(expect, 5);
        rf_journal_iter_free(it);
    }
    rf_code_free(c);
    rf_party_free(p);
}

static void events_hold_no_personal_data(void **state)
{
    fixture *fx = *state;
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_CLIENT;
    o.display_name = "Jane Doe";
    o.email = "jane.doe@example.com";
    o.phone = "+44 20 7946 0000";
    o.intake_detail = "Dr Patel";
    rf_party *p = NULL;
    assert_ok(rf_party_add(&p, fx->store, &o));
    rf_party_options ch = RF_PARTY_OPTIONS_INIT;
    ch.email = "jane.private@example.com";
    assert_ok(rf_party_update(NULL, fx->store, rf_party_id(p), &ch));
    rf_code *c = issue_code(fx, rf_party_id(p), RF_CODE_VANITY);

    const char *secrets[] = {"Jane", "Doe", "jane", "example.com", "7946", "Patel"};
    rf_journal_iter *it = NULL;
    rf_event *ev = NULL;
    assert_ok(rf_journal_read(&it, fx->store, 0));
    while (rf_journal_iter_next(&ev, it) == RF_OK) {
        const char *fields[] = {rf_event_type(ev), rf_event_subject_id(ev), rf_event_object_id(ev),
                                rf_event_data(ev), rf_event_idempotency_key(ev)};
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
            for (size_t s = 0; fields[f] != NULL && s < sizeof secrets / sizeof secrets[0]; s++) {
                assert_null(strstr(fields[f], secrets[s]));
            }
        }
        rf_event_free(ev);
    }
    rf_journal_iter_free(it);
    rf_code_free(c);
    rf_party_free(p);
}

static void events_carry_the_idempotency_key(void **state)
{
    fixture *fx = *state;
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_CLIENT;
    o.display_name = "Jane";
    o.idempotency_key = "pms-import-2026-03-01-17";
    rf_party *p = NULL;
    assert_ok(rf_party_add(&p, fx->store, &o));
    rf_journal_iter *it = NULL;
    rf_event *ev = NULL;
    assert_ok(rf_journal_read(&it, fx->store, 0));
    assert_ok(rf_journal_iter_next(&ev, it));
    assert_string_equal(rf_event_idempotency_key(ev), "pms-import-2026-03-01-17");
    rf_event_free(ev);
    rf_journal_iter_free(it);
    rf_party_free(p);
}

static void rollback_leaves_no_gap(void **state)
{
    fixture *fx = *state;
    rf_party *p = add_party(fx, RF_PARTY_CLIENT, "Kept", NULL, NULL);
    rf_party_free(p);
    assert_ok(rf_store_begin(fx->store));
    p = add_party(fx, RF_PARTY_CLIENT, "Dropped", NULL, NULL);
    rf_party_free(p);
    assert_int_equal(last_seq(fx), 2);
    assert_ok(rf_store_rollback(fx->store));
    assert_int_equal(last_seq(fx), 1);
    p = add_party(fx, RF_PARTY_CLIENT, "Next", NULL, NULL);
    rf_party_free(p);
    assert_int_equal(last_seq(fx), 2);
}

static void many_events_read_across_pages(void **state)
{
    fixture *fx = *state;
    enum { N = 300 };
    assert_ok(rf_store_begin(fx->store));
    for (int i = 0; i < N; i++) {
        rf_party *p = add_party(fx, RF_PARTY_LEAD, "Lead", NULL, NULL);
        rf_party_free(p);
    }
    assert_ok(rf_store_commit(fx->store));
    rf_journal_iter *it = NULL;
    rf_event *ev = NULL;
    int64_t expect = 101;
    assert_ok(rf_journal_read(&it, fx->store, 100));
    while (rf_journal_iter_next(&ev, it) == RF_OK) {
        assert_int_equal(rf_event_seq(ev), expect++);
        rf_event_free(ev);
    }
    rf_journal_iter_free(it);
    assert_int_equal(expect, N + 1);
}

static void bad_journal_arguments(void **state)
{
    fixture *fx = *state;
    rf_journal_iter *it = NULL;
    rf_event *ev = NULL;
    int64_t seq = 0;
    assert_status(rf_journal_read(&it, fx->store, -1), RF_EINVALID);
    assert_null(it);
    assert_message_has("negative");
    assert_status(rf_journal_read(NULL, fx->store, 0), RF_EINVALID);
    assert_status(rf_journal_read(&it, NULL, 0), RF_EINVALID);
    assert_status(rf_journal_iter_next(&ev, NULL), RF_EINVALID);
    assert_status(rf_journal_last_seq(NULL, fx->store), RF_EINVALID);
    assert_status(rf_journal_last_seq(&seq, NULL), RF_EINVALID);
    rf_journal_iter_free(NULL);
    rf_event_free(NULL);
    assert_ok(rf_journal_read(&it, fx->store, 1000));
    assert_status(rf_journal_iter_next(&ev, it), RF_ITEROVER);
    rf_journal_iter_free(it);
}

static void failed_calls_append_nothing(void **state)
{
    fixture *fx = *state;
    rf_party *p = add_party(fx, RF_PARTY_CLIENT, "Jane", NULL, NULL);
    rf_party *q = NULL;
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_CLIENT;
    o.display_name = "Bad";
    o.email = "bad@";
    assert_status(rf_party_add(&q, fx->store, &o), RF_EINVALID);
    rf_code *c = NULL;
    assert_status(rf_code_revoke(&c, fx->store, "nothing", NULL, NULL), RF_ENOTFOUND);
    assert_int_equal(last_seq(fx), 1);
    rf_party_free(p);
}

const struct CMUnitTest journal_cases[] = {
    CASE(events_come_in_order_from_a_cursor), CASE(events_hold_no_personal_data),
    CASE(events_carry_the_idempotency_key),   CASE(rollback_leaves_no_gap),
    CASE(many_events_read_across_pages),      CASE(bad_journal_arguments),
    CASE(failed_calls_append_nothing),
};
const size_t journal_case_count = sizeof journal_cases / sizeof journal_cases[0];
