/* Contract cases for transactions: nesting, rollback, misuse, and free() with one left open. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* --- transactions ------------------------------------------------------------------------------- */

static void test_inner_rollback_outer_commit(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_party_record got;
    rf_idempotency_record k;
    int64_t seq;
    rf_event_record ev = event("party.added", uid(1));
    OK(b->begin(b));
    insert_party(b, PA, 1, 1, "ek-1", NULL);
    OK(b->journal_append(b, PA, &ev, &seq));
    OK(b->begin(b));
    insert_party(b, PA, 2, 1, "ek-1", NULL);
    rf_event_record inner = event("party.added", uid(2));
    OK(b->journal_append(b, PA, &inner, &seq));
    assert_int_equal(seq, 2);
    rf_idempotency_record k2 = idem("key-2", uid(2));
    OK(b->idempotency_put(b, PA, &k2));
    rf_party_record up = party(uid(1), "ext-1", "ek-1", NULL, 1);
    up.display_name = "Changed";
    OK(b->party_update(b, PA, &up));
    OK(b->rollback(b));

    expect_no_party(b, PA, uid(2));
    OK(b->party_get(b, PA, uid(1), &got));
    assert_string_equal(got.display_name, "Jane Doe");
    assert_int_equal(last_seq(b, PA), 1);
    assert_status(RF_ENOTFOUND, b->idempotency_get(b, PA, "key-2", &k));
    rf_event_record after = event("code.issued", uid(3));
    OK(b->journal_append(b, PA, &after, &seq));
    assert_int_equal(seq, 2); /* the rolled-back append gave its number back */
    OK(b->commit(b));

    OK(b->party_get(b, PA, uid(1), &got));
    assert_string_equal(got.display_name, "Jane Doe");
    expect_no_party(b, PA, uid(2));
    assert_visited(scan_parties(b, PA, NULL, 0, "ek-1", 0), (unsigned int[]){1}, 1);
    visits *v = visits_new(0);
    OK(b->journal_scan(b, PA, 0, 0, on_event, v));
    assert_int_equal(v->n, 2);
    assert_string_equal(v->ids[0], uid(1));
    assert_string_equal(v->ids[1], uid(3));
    free(v);
}

static void test_inner_commit_outer_rollback(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_code_record c;
    rf_idempotency_record k;
    int64_t seq;
    OK(b->begin(b));
    insert_party(b, PA, 1, 1, NULL, NULL);
    OK(b->begin(b));
    insert_party(b, PA, 2, 1, NULL, NULL);
    rf_code_record c1 = code(uid(10), "KEY-1", uid(2));
    OK(b->code_insert(b, PA, &c1));
    rf_event_record ev = event("party.added", uid(2));
    OK(b->journal_append(b, PA, &ev, &seq));
    rf_idempotency_record k1 = idem("key-1", uid(2));
    OK(b->idempotency_put(b, PA, &k1));
    OK(b->commit(b));
    OK(b->rollback(b));

    expect_no_party(b, PA, uid(1));
    expect_no_party(b, PA, uid(2));
    assert_status(RF_ENOTFOUND, b->code_get_by_key(b, PA, "KEY-1", &c));
    assert_status(RF_ENOTFOUND, b->idempotency_get(b, PA, "key-1", &k));
    assert_int_equal(last_seq(b, PA), 0);
    assert_visited(scan_parties(b, PA, NULL, 0, NULL, 0), NULL, 0);
    assert_visited(scan_codes(b, PA, NULL, uid(2), 0), NULL, 0);

    /* Three levels: the middle one's rollback takes the innermost (committed into it) along. */
    OK(b->begin(b));
    insert_party(b, PA, 1, 1, NULL, NULL); /* the id is free again */
    OK(b->begin(b));
    insert_party(b, PA, 2, 1, NULL, NULL);
    OK(b->begin(b));
    insert_party(b, PA, 3, 1, NULL, NULL);
    OK(b->commit(b));
    OK(b->rollback(b));
    insert_party(b, PA, 4, 1, NULL, NULL);
    OK(b->commit(b));
    assert_visited(scan_parties(b, PA, NULL, 0, NULL, 0), (unsigned int[]){1, 4}, 2);
}

static void test_rollback_undoes_every_write(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_party_record p;
    rf_code_record c;
    rf_idempotency_record k;
    int64_t seq;
    rf_party_record p1 = party(uid(1), "ext-1", "ek-1", "pk-1", 1);
    rf_code_record c10 = code(uid(10), "KEY-10", uid(1));
    rf_event_record ev = event("party.added", uid(1));
    rf_idempotency_record k1 = idem("key-1", uid(1));
    OK(b->begin(b));
    OK(b->party_insert(b, PA, &p1));
    OK(b->code_insert(b, PA, &c10));
    OK(b->journal_append(b, PA, &ev, &seq));
    OK(b->idempotency_put(b, PA, &k1));
    OK(b->commit(b));

    OK(b->begin(b));
    insert_party(b, PA, 2, 1, "ek-1", NULL);
    rf_party_record up = party(uid(1), "ext-1b", "ek-9", NULL, 2);
    up.display_name = "Changed";
    OK(b->party_update(b, PA, &up));
    rf_code_record c11 = code(uid(11), "KEY-11", uid(2));
    OK(b->code_insert(b, PA, &c11));
    rf_code_record cup = c10;
    cup.key = "KEY-10b";
    cup.owner_id = uid(2);
    cup.uses = 5;
    OK(b->code_update(b, PA, &cup));
    OK(b->journal_append(b, PA, &ev, &seq));
    OK(b->journal_append(b, PA, &ev, &seq));
    assert_int_equal(seq, 3);
    rf_idempotency_record k2 = idem("key-2", uid(2));
    OK(b->idempotency_put(b, PA, &k2));
    OK(b->rollback(b));

    OK(b->party_get(b, PA, uid(1), &p));
    assert_party(&p1, &p);
    OK(b->party_get_by_external(b, PA, "ext-1", &p));
    assert_party(&p1, &p);
    assert_status(RF_ENOTFOUND, b->party_get_by_external(b, PA, "ext-1b", &p));
    expect_no_party(b, PA, uid(2));
    assert_status(RF_ENOTFOUND, b->party_get_by_external(b, PA, "ext-2", &p));
    assert_visited(scan_parties(b, PA, NULL, 0, "ek-1", 0), (unsigned int[]){1}, 1);
    assert_visited(scan_parties(b, PA, NULL, 0, "pk-1", 0), (unsigned int[]){1}, 1);
    assert_visited(scan_parties(b, PA, NULL, 0, "ek-9", 0), NULL, 0);
    OK(b->code_get(b, PA, uid(10), &c));
    assert_code(&c10, &c);
    OK(b->code_get_by_key(b, PA, "KEY-10", &c));
    assert_code(&c10, &c);
    assert_status(RF_ENOTFOUND, b->code_get_by_key(b, PA, "KEY-10b", &c));
    assert_status(RF_ENOTFOUND, b->code_get(b, PA, uid(11), &c));
    assert_status(RF_ENOTFOUND, b->code_get_by_key(b, PA, "KEY-11", &c));
    assert_visited(scan_codes(b, PA, NULL, uid(1), 0), (unsigned int[]){10}, 1);
    assert_visited(scan_codes(b, PA, NULL, uid(2), 0), NULL, 0);
    assert_int_equal(last_seq(b, PA), 1);
    assert_status(RF_ENOTFOUND, b->idempotency_get(b, PA, "key-2", &k));
    OK(b->idempotency_get(b, PA, "key-1", &k));

    /* Everything undone can be written again. */
    OK(b->begin(b));
    OK(b->journal_append(b, PA, &ev, &seq));
    assert_int_equal(seq, 2);
    insert_party(b, PA, 2, 1, "ek-1", NULL);
    OK(b->code_insert(b, PA, &c11));
    OK(b->idempotency_put(b, PA, &k2));
    OK(b->commit(b));
    assert_visited(scan_parties(b, PA, NULL, 0, "ek-1", 0), (unsigned int[]){1, 2}, 2);
}

static void test_transaction_misuse(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    assert_status(RF_EBACKEND, b->commit(b));
    assert_status(RF_EBACKEND, b->rollback(b));
    OK(b->begin(b));
    OK(b->commit(b));
    assert_status(RF_EBACKEND, b->commit(b));
    /* The store always opens a transaction, so a write without one is a bug to stop. */
    rf_party_record p = party(uid(1), "ext-1", NULL, NULL, 1);
    rf_code_record c = code(uid(10), "KEY", uid(1));
    rf_event_record ev = event("party.added", uid(1));
    rf_idempotency_record k = idem("key-1", uid(1));
    int64_t seq;
    assert_status(RF_EBACKEND, b->party_insert(b, PA, &p));
    assert_status(RF_EBACKEND, b->party_update(b, PA, &p));
    assert_status(RF_EBACKEND, b->code_insert(b, PA, &c));
    assert_status(RF_EBACKEND, b->code_update(b, PA, &c));
    assert_status(RF_EBACKEND, b->journal_append(b, PA, &ev, &seq));
    assert_status(RF_EBACKEND, b->idempotency_put(b, PA, &k));
    expect_no_party(b, PA, uid(1));
    assert_int_equal(last_seq(b, PA), 0);
}

/* --- free --------------------------------------------------------------------------------------- */

static void test_free_rolls_back_open_transaction(void **state)
{
    fixture *fx = *state;
    rf_backend *b = fx->b;
    int64_t seq;
    rf_party_record p1 = party(uid(1), "ext-1", "ek-1", NULL, 1);
    rf_code_record c10 = code(uid(10), "KEY-10", uid(1));
    rf_event_record ev = event("party.added", uid(1));
    rf_idempotency_record k1 = idem("key-1", uid(1));
    OK(b->begin(b));
    OK(b->party_insert(b, PA, &p1));
    OK(b->code_insert(b, PA, &c10));
    OK(b->journal_append(b, PA, &ev, &seq));
    OK(b->idempotency_put(b, PA, &k1));
    OK(b->commit(b));

    OK(b->begin(b));
    insert_party(b, PA, 2, 1, "ek-1", NULL);
    rf_party_record up = p1;
    up.display_name = "Changed";
    OK(b->party_update(b, PA, &up));
    OK(b->begin(b));
    rf_code_record c11 = code(uid(11), "KEY-11", uid(2));
    OK(b->code_insert(b, PA, &c11));
    rf_code_record cup = c10;
    cup.uses = 9;
    OK(b->code_update(b, PA, &cup));
    OK(b->journal_append(b, PA, &ev, &seq));
    rf_idempotency_record k2 = idem("key-2", uid(2));
    OK(b->idempotency_put(b, PA, &k2));
    b = free_and_reopen(fx); /* two levels open */
    if (b == NULL) {
        return;
    }
    rf_party_record p;
    rf_code_record c;
    rf_idempotency_record k;
    OK(b->party_get(b, PA, uid(1), &p));
    assert_party(&p1, &p);
    expect_no_party(b, PA, uid(2));
    OK(b->code_get(b, PA, uid(10), &c));
    assert_code(&c10, &c);
    assert_status(RF_ENOTFOUND, b->code_get(b, PA, uid(11), &c));
    assert_int_equal(last_seq(b, PA), 1);
    OK(b->idempotency_get(b, PA, "key-1", &k));
    assert_status(RF_ENOTFOUND, b->idempotency_get(b, PA, "key-2", &k));
    /* And the file takes writes again. */
    OK(b->begin(b));
    insert_party(b, PA, 2, 1, NULL, NULL);
    OK(b->commit(b));
}

const struct CMUnitTest transaction_cases[] = {
    CASE(test_inner_rollback_outer_commit),      CASE(test_inner_commit_outer_rollback),
    CASE(test_rollback_undoes_every_write),      CASE(test_transaction_misuse),
    CASE(test_free_rolls_back_open_transaction),
};
const size_t transaction_case_count = sizeof transaction_cases / sizeof transaction_cases[0];
