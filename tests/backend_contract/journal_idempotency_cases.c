/* Contract cases for the journal (append, scan, sequence numbers) and idempotency keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static int on_event_check(const rf_event_record *r, void *payload)
{
    /* Event n (subject uid(n)) was appended with "k-3" as key and no data when n == 3. */
    visits *v = payload;
    unsigned int n = (unsigned int)r->seq;
    assert_string_equal(r->type, "party.added");
    assert_string_equal(r->subject_id, uid(n));
    assert_int_equal(r->at, 1700000400 + n);
    assert_str(n == 3 ? "k-3" : NULL, r->idempotency_key);
    assert_str(n == 3 ? NULL : "{\"n\":1}", r->data);
    assert_str(n == 3 ? NULL : "object-1", r->object_id);
    return visit_id(v, r->subject_id, r->seq);
}

static void test_journal_append_scan(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    assert_int_equal(last_seq(b, PA), 0);
    OK(b->begin(b));
    for (unsigned int n = 1; n <= 3; n++) {
        rf_event_record ev = event("party.added", uid(n));
        ev.at = 1700000400 + n;
        if (n == 3) {
            ev.idempotency_key = "k-3";
            ev.data = NULL;
            ev.object_id = NULL;
        }
        int64_t seq = -1;
        OK(b->journal_append(b, PA, &ev, &seq)); /* ev.seq (99) is ignored */
        assert_int_equal(seq, n);
    }
    OK(b->commit(b));
    assert_int_equal(last_seq(b, PA), 3);
    assert_int_equal(last_seq(b, PB), 0);

    visits *v = visits_new(0);
    OK(b->journal_scan(b, PA, 0, 0, on_event_check, v));
    assert_int_equal(v->n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(v->seqs[i], i + 1);
    }
    free(v);
    v = visits_new(0);
    OK(b->journal_scan(b, PA, 1, 1, on_event_check, v));
    assert_int_equal(v->n, 1);
    assert_int_equal(v->seqs[0], 2);
    free(v);
    v = visits_new(0);
    OK(b->journal_scan(b, PA, 1, 0, on_event_check, v));
    assert_int_equal(v->n, 2);
    assert_int_equal(v->seqs[1], 3);
    free(v);
    v = visits_new(0);
    OK(b->journal_scan(b, PA, 3, 0, on_event_check, v));
    OK(b->journal_scan(b, PA, 1000, 5, on_event_check, v));
    assert_int_equal(v->n, 0);
    free(v);
}

static void test_idempotency_put_get(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_idempotency_record in = idem("key-1", uid(1));
    rf_idempotency_record got;
    OK(b->begin(b));
    OK(b->idempotency_put(b, PA, &in));
    OK(b->commit(b));
    OK(b->idempotency_get(b, PA, "key-1", &got));
    assert_string_equal(got.key, "key-1");
    assert_string_equal(got.operation, "party.add");
    assert_string_equal(got.result_id, uid(1));
    assert_true(got.fingerprint == UINT64_C(0xF00DFACECAFEBEEF)); /* all 64 bits survive */
    assert_int_equal(got.created_at, 1700000500);
}

/* --- unique keys -------------------------------------------------------------------------------- */

static void test_duplicate_idempotency_key(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_idempotency_record first = idem("key-1", uid(1));
    rf_idempotency_record again = idem("key-1", uid(2));
    again.operation = "code.issue";
    again.fingerprint = 42;
    rf_idempotency_record got;
    OK(b->begin(b));
    OK(b->idempotency_put(b, PA, &first));
    assert_status(RF_EEXISTS, b->idempotency_put(b, PA, &again));
    OK(b->commit(b));
    OK(b->idempotency_get(b, PA, "key-1", &got));
    assert_string_equal(got.operation, "party.add");
    assert_string_equal(got.result_id, uid(1));
    assert_true(got.fingerprint == first.fingerprint);
}

const struct CMUnitTest journal_idempotency_cases[] = {
    CASE(test_journal_append_scan),
    CASE(test_idempotency_put_get),
    CASE(test_duplicate_idempotency_key),
};
const size_t journal_idempotency_case_count =
    sizeof journal_idempotency_cases / sizeof journal_idempotency_cases[0];
