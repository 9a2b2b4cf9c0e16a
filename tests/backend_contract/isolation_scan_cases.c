/* Contract cases across record kinds: not found, practice isolation, scans, string ownership, volume. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* --- lookups and practices ---------------------------------------------------------------------- */

static void test_not_found(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_party_record p;
    rf_code_record c;
    rf_idempotency_record k;
    /* Twice: first in a practice that was never written, then in one that has records. */
    for (int round = 0; round < 2; round++) {
        assert_status(RF_ENOTFOUND, b->party_get(b, PA, uid(9), &p));
        assert_status(RF_ENOTFOUND, b->party_get_by_external(b, PA, "ext-9", &p));
        assert_status(RF_ENOTFOUND, b->code_get(b, PA, uid(19), &c));
        assert_status(RF_ENOTFOUND, b->code_get_by_key(b, PA, "NOPE", &c));
        assert_status(RF_ENOTFOUND, b->idempotency_get(b, PA, "nope", &k));
        OK(b->begin(b));
        rf_party_record missing_party = party(uid(9), "ext-9", NULL, NULL, 1);
        assert_status(RF_ENOTFOUND, b->party_update(b, PA, &missing_party));
        rf_code_record missing_code = code(uid(19), "NOPE", uid(1));
        assert_status(RF_ENOTFOUND, b->code_update(b, PA, &missing_code));
        if (round == 0) {
            assert_visited(scan_parties(b, PA, NULL, 0, NULL, 0), NULL, 0);
            assert_visited(scan_codes(b, PA, NULL, NULL, 0), NULL, 0);
            assert_int_equal(last_seq(b, PA), 0);
            insert_party(b, PA, 1, 1, "ek-1", NULL);
            rf_code_record c1 = code(uid(10), "KEY-1", uid(1));
            OK(b->code_insert(b, PA, &c1));
            rf_idempotency_record k1 = idem("key-1", uid(1));
            OK(b->idempotency_put(b, PA, &k1));
        }
        OK(b->commit(b));
    }
    /* The failed updates created nothing. */
    assert_visited(scan_parties(b, PA, NULL, 0, NULL, 0), (unsigned int[]){1}, 1);
    assert_visited(scan_codes(b, PA, NULL, NULL, 0), (unsigned int[]){10}, 1);
}

static void test_practice_isolation(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    const char *practices[] = {PA, PB};
    OK(b->begin(b));
    for (int i = 0; i < 2; i++) {
        rf_party_record p = party(uid(1), "ext-1", "ek-1", NULL, 1);
        p.display_name = i == 0 ? "Jane A" : "Jane B";
        OK(b->party_insert(b, practices[i], &p));
        rf_code_record c = code(uid(10), "KEY", uid(1));
        c.text = i == 0 ? "key-a" : "key-b";
        OK(b->code_insert(b, practices[i], &c));
        rf_idempotency_record k = idem("key-1", i == 0 ? "result-a" : "result-b");
        OK(b->idempotency_put(b, practices[i], &k));
    }
    int64_t seq;
    rf_event_record ev = event("party.added", uid(1));
    OK(b->journal_append(b, PA, &ev, &seq));
    OK(b->journal_append(b, PA, &ev, &seq));
    assert_int_equal(seq, 2);
    OK(b->journal_append(b, PB, &ev, &seq));
    assert_int_equal(seq, 1);
    insert_party(b, PA, 2, 1, "ek-1", NULL);
    rf_code_record c2 = code(uid(11), "KEY-2", uid(1));
    OK(b->code_insert(b, PA, &c2));
    OK(b->commit(b));

    rf_party_record p;
    rf_code_record c;
    rf_idempotency_record k;
    for (int i = 0; i < 2; i++) {
        OK(b->party_get(b, practices[i], uid(1), &p));
        assert_string_equal(p.display_name, i == 0 ? "Jane A" : "Jane B");
        OK(b->party_get_by_external(b, practices[i], "ext-1", &p));
        assert_string_equal(p.display_name, i == 0 ? "Jane A" : "Jane B");
        OK(b->code_get_by_key(b, practices[i], "KEY", &c));
        assert_string_equal(c.text, i == 0 ? "key-a" : "key-b");
        OK(b->idempotency_get(b, practices[i], "key-1", &k));
        assert_string_equal(k.result_id, i == 0 ? "result-a" : "result-b");
    }
    assert_int_equal(last_seq(b, PA), 2);
    assert_int_equal(last_seq(b, PB), 1);
    expect_no_party(b, PB, uid(2));
    assert_status(RF_ENOTFOUND, b->code_get_by_key(b, PB, "KEY-2", &c));
    assert_visited(scan_parties(b, PA, NULL, 0, NULL, 0), (unsigned int[]){1, 2}, 2);
    assert_visited(scan_parties(b, PB, NULL, 0, NULL, 0), (unsigned int[]){1}, 1);
    assert_visited(scan_parties(b, PB, NULL, 0, "ek-1", 0), (unsigned int[]){1}, 1);
    assert_visited(scan_codes(b, PB, NULL, uid(1), 0), (unsigned int[]){10}, 1);
    assert_visited(scan_codes(b, PA, NULL, uid(1), 0), (unsigned int[]){10, 11}, 2);
    visits *v = visits_new(0);
    OK(b->journal_scan(b, PB, 0, 0, on_event, v));
    assert_int_equal(v->n, 1);
    free(v);

    /* An update in one practice leaves the other's record alone; a third sees nothing. */
    rf_party_record up = party(uid(1), "ext-1", "ek-1", NULL, 1);
    up.display_name = "Jane A2";
    OK(b->begin(b));
    OK(b->party_update(b, PA, &up));
    OK(b->commit(b));
    OK(b->party_get(b, PB, uid(1), &p));
    assert_string_equal(p.display_name, "Jane B");
    expect_no_party(b, "c", uid(1));
    assert_visited(scan_parties(b, "c", NULL, 0, NULL, 0), NULL, 0);
    assert_int_equal(last_seq(b, "c"), 0);
}

/* --- scans -------------------------------------------------------------------------------------- */

static void test_party_scan_paging_and_filters(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    /* Out of order on purpose; kind is n % 3 + 1; "shared" is the e-mail key of 2 and 5, the
     * phone key of 8 and 11, and both keys of 12 (visited once all the same). */
    static const unsigned int order[] = {7, 3, 11, 1, 9, 5, 12, 2, 8, 4, 10, 6};
    OK(b->begin(b));
    for (size_t i = 0; i < 12; i++) {
        unsigned int n = order[i];
        const char *email = n == 2 || n == 5 || n == 12 ? "shared" : text("ek-%u", n);
        const char *phone = n == 8 || n == 11 || n == 12 ? "shared" : NULL;
        insert_party(b, PA, n, (int)(n % 3 + 1), email, phone);
    }
    insert_party(b, PB, 13, 1, "shared", NULL);
    OK(b->commit(b));

    assert_visited(scan_parties(b, PA, NULL, 0, NULL, 0),
                   (unsigned int[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 12);
    assert_visited(scan_parties(b, PA, NULL, 0, NULL, 5), (unsigned int[]){1, 2, 3, 4, 5}, 5);
    assert_visited(scan_parties(b, PA, uid(5), 0, NULL, 5), (unsigned int[]){6, 7, 8, 9, 10}, 5);
    assert_visited(scan_parties(b, PA, uid(10), 0, NULL, 5), (unsigned int[]){11, 12}, 2);
    assert_visited(scan_parties(b, PA, uid(12), 0, NULL, 5), NULL, 0);
    /* after_id need not exist: this one sorts between uid(5) and uid(6). */
    assert_visited(scan_parties(b, PA, "0190a1b2-0000-7000-8000-0000000000051", 0, NULL, 2),
                   (unsigned int[]){6, 7}, 2);
    /* The limit counts visited records, after the filter. */
    assert_visited(scan_parties(b, PA, NULL, 2, NULL, 0), (unsigned int[]){1, 4, 7, 10}, 4);
    assert_visited(scan_parties(b, PA, NULL, 2, NULL, 2), (unsigned int[]){1, 4}, 2);
    assert_visited(scan_parties(b, PA, uid(4), 2, NULL, 2), (unsigned int[]){7, 10}, 2);
    assert_visited(scan_parties(b, PA, NULL, 0, "shared", 0), (unsigned int[]){2, 5, 8, 11, 12}, 5);
    assert_visited(scan_parties(b, PA, uid(5), 0, "shared", 2), (unsigned int[]){8, 11}, 2);
    assert_visited(scan_parties(b, PA, NULL, 1, "shared", 0), (unsigned int[]){12}, 1);
    assert_visited(scan_parties(b, PA, NULL, 3, "shared", 0), (unsigned int[]){2, 5, 8, 11}, 4);
    assert_visited(scan_parties(b, PA, NULL, 0, "ek-7", 0), (unsigned int[]){7}, 1);
    assert_visited(scan_parties(b, PA, NULL, 0, "nobody", 0), NULL, 0);
    assert_visited(scan_parties(b, PB, NULL, 0, "shared", 0), (unsigned int[]){13}, 1);
}

static void test_code_scan_by_owner(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    static const unsigned int order[] = {25, 20, 31, 22, 27, 21, 30, 24, 29, 23, 28, 26};
    OK(b->begin(b));
    for (size_t i = 0; i < 12; i++) {
        unsigned int n = order[i];
        rf_code_record c = code(uid(n), text("KEY-%u", n), n % 2 == 0 ? uid(1) : uid(2));
        OK(b->code_insert(b, PA, &c));
    }
    rf_code_record other = code(uid(40), "KEY-40", uid(1));
    OK(b->code_insert(b, PB, &other));
    OK(b->commit(b));

    assert_visited(scan_codes(b, PA, NULL, uid(1), 0), (unsigned int[]){20, 22, 24, 26, 28, 30}, 6);
    assert_visited(scan_codes(b, PA, NULL, uid(1), 4), (unsigned int[]){20, 22, 24, 26}, 4);
    assert_visited(scan_codes(b, PA, uid(26), uid(1), 4), (unsigned int[]){28, 30}, 2);
    assert_visited(scan_codes(b, PA, uid(20), uid(2), 2), (unsigned int[]){21, 23}, 2);
    assert_visited(scan_codes(b, PA, NULL, uid(3), 0), NULL, 0);
    assert_visited(scan_codes(b, PA, uid(25), NULL, 3), (unsigned int[]){26, 27, 28}, 3);
    assert_visited(scan_codes(b, PA, NULL, NULL, 0),
                   (unsigned int[]){20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31}, 12);

    /* A new owner moves the code between owners' lists. */
    rf_code_record moved = code(uid(22), "KEY-22", uid(2));
    OK(b->begin(b));
    OK(b->code_update(b, PA, &moved));
    OK(b->commit(b));
    assert_visited(scan_codes(b, PA, NULL, uid(1), 3), (unsigned int[]){20, 24, 26}, 3);
    assert_visited(scan_codes(b, PA, uid(21), uid(2), 2), (unsigned int[]){22, 23}, 2);
}

static void test_scans_stop_when_asked(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    int64_t seq;
    OK(b->begin(b));
    for (unsigned int n = 1; n <= 5; n++) {
        insert_party(b, PA, n, 1, "ek", NULL);
        rf_code_record c = code(uid(10 + n), text("KEY-%u", n), uid(1));
        OK(b->code_insert(b, PA, &c));
        rf_event_record ev = event("party.added", uid(n));
        OK(b->journal_append(b, PA, &ev, &seq));
    }
    OK(b->commit(b));

    visits *v = visits_new(2);
    rf_party_query pq = {NULL, 0, NULL, 0};
    OK(b->party_scan(b, PA, &pq, on_party, v));
    assert_visited(v, (unsigned int[]){1, 2}, 2);
    v = visits_new(2);
    rf_party_query by_contact = {uid(1), 0, "ek", 0};
    OK(b->party_scan(b, PA, &by_contact, on_party, v));
    assert_visited(v, (unsigned int[]){2, 3}, 2);
    v = visits_new(2);
    rf_code_query cq = {NULL, uid(1), 0};
    OK(b->code_scan(b, PA, &cq, on_code, v));
    assert_visited(v, (unsigned int[]){11, 12}, 2);
    v = visits_new(2);
    OK(b->journal_scan(b, PA, 0, 0, on_event, v));
    assert_int_equal(v->n, 2);
    assert_int_equal(v->seqs[1], 2);
    free(v);
    /* A limit below the stop point wins. */
    v = visits_new(2);
    OK(b->journal_scan(b, PA, 3, 1, on_event, v));
    assert_int_equal(v->n, 1);
    assert_int_equal(v->seqs[0], 4);
    free(v);
}

/* --- strings ------------------------------------------------------------------------------------ */

static void test_strings_copied_in_borrowed_out(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    char id[40];
    char ext[16] = "ext-buf";
    char name[16] = "Buffer Name";
    char key[16] = "KEY-BUF";
    char type[16] = "party.added";
    char ikey[16] = "key-buf";
    snprintf(id, sizeof id, "%s", uid(1));
    rf_party_record p = party(id, ext, "ek-1", NULL, 1);
    p.display_name = name;
    rf_code_record c = code(uid(10), key, id);
    rf_event_record ev = event(type, id);
    rf_idempotency_record k = idem(ikey, id);
    int64_t seq;
    OK(b->begin(b));
    OK(b->party_insert(b, PA, &p));
    OK(b->code_insert(b, PA, &c));
    OK(b->journal_append(b, PA, &ev, &seq));
    OK(b->idempotency_put(b, PA, &k));
    OK(b->commit(b));
    /* The caller's buffers are its own again once the calls return. */
    memset(id, 'X', sizeof id - 1);
    memset(ext, 'X', sizeof ext - 1);
    memset(name, 'X', sizeof name - 1);
    memset(key, 'X', sizeof key - 1);
    memset(type, 'X', sizeof type - 1);
    memset(ikey, 'X', sizeof ikey - 1);

    rf_party_record gp;
    OK(b->party_get(b, PA, uid(1), &gp));
    assert_string_equal(gp.id, uid(1));
    assert_string_equal(gp.external_id, "ext-buf");
    assert_string_equal(gp.display_name, "Buffer Name");
    assert_ptr_not_equal(gp.display_name, name);
    rf_code_record gc;
    OK(b->code_get_by_key(b, PA, "KEY-BUF", &gc));
    assert_string_equal(gc.key, "KEY-BUF");
    assert_string_equal(gc.owner_id, uid(1));
    rf_idempotency_record gk;
    OK(b->idempotency_get(b, PA, "key-buf", &gk));
    assert_string_equal(gk.key, "key-buf");
    assert_string_equal(gk.result_id, uid(1));
    visits *v = visits_new(0);
    OK(b->journal_scan(b, PA, 0, 0, on_event, v));
    assert_int_equal(v->n, 1);
    assert_string_equal(v->ids[0], uid(1));
    free(v);
}

/* --- volume ------------------------------------------------------------------------------------- */

#define MANY 400

static void test_many_records(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_party_record p;
    rf_code_record c;
    char id[40];
    /* A fixed permutation of 1..MANY (7 is coprime with MANY), so inserts land all over the order. */
    OK(b->begin(b));
    for (unsigned int i = 0; i < MANY; i++) {
        unsigned int n = i * 7 % MANY + 1;
        snprintf(id, sizeof id, "%s", uid(n));
        rf_party_record r = party(id, text("ext-%u", n), text("ek-%u", n % 10), text("pk-%u", n), 1);
        OK(b->party_insert(b, PA, &r));
        rf_code_record cr = code(uid(1000 + n), text("KEY-%u", n), id);
        OK(b->code_insert(b, PA, &cr));
    }
    /* Many inserts and updates undone at once, interleaved with the surviving records' keys. */
    OK(b->begin(b));
    for (unsigned int n = 1; n <= MANY; n++) {
        insert_party(b, PA, MANY + n, 2, text("ek-%u", n % 10), NULL);
        snprintf(id, sizeof id, "%s", uid(n));
        rf_party_record up = party(id, text("moved-%u", n), "ek-moved", NULL, 3);
        OK(b->party_update(b, PA, &up));
        rf_code_record cu = code(uid(1000 + n), text("MOVED-%u", n), uid(MANY + n));
        OK(b->code_update(b, PA, &cu));
    }
    OK(b->rollback(b));
    OK(b->commit(b));

    for (unsigned int n = 1; n <= MANY; n++) {
        OK(b->party_get_by_external(b, PA, text("ext-%u", n), &p));
        assert_string_equal(p.id, uid(n));
        assert_string_equal(p.phone_key, text("pk-%u", n));
        OK(b->code_get_by_key(b, PA, text("KEY-%u", n), &c));
        assert_string_equal(c.owner_id, uid(n));
        assert_status(RF_ENOTFOUND, b->code_get_by_key(b, PA, text("MOVED-%u", n), &c));
        expect_no_party(b, PA, uid(MANY + n));
    }
    /* Paging in sevens visits every party once, in order. */
    unsigned int expected = 1;
    char after[40] = "";
    for (;;) {
        visits *v = scan_parties(b, PA, after[0] != '\0' ? after : NULL, 0, NULL, 7);
        if (v->n == 0) {
            free(v);
            break;
        }
        for (size_t i = 0; i < v->n; i++) {
            assert_string_equal(v->ids[i], uid(expected++));
        }
        snprintf(after, sizeof after, "%s", v->ids[v->n - 1]);
        free(v);
    }
    assert_int_equal(expected, MANY + 1);
    visits *v = scan_parties(b, PA, NULL, 0, "ek-3", 0);
    assert_int_equal(v->n, MANY / 10);
    free(v);
    assert_visited(scan_parties(b, PA, NULL, 0, "ek-moved", 0), NULL, 0);
    v = scan_codes(b, PA, NULL, uid(MANY), 0);
    assert_int_equal(v->n, 1);
    free(v);

    /* Every party leaves its phone key for a new one, in one committed transaction. */
    OK(b->begin(b));
    for (unsigned int n = 1; n <= MANY; n++) {
        snprintf(id, sizeof id, "%s", uid(n));
        rf_party_record up = party(id, text("ext-%u", n), text("ek-%u", n % 10), text("pk-new-%u", n), 1);
        OK(b->party_update(b, PA, &up));
    }
    OK(b->commit(b));
    for (unsigned int n = 1; n <= MANY; n += 37) {
        assert_visited(scan_parties(b, PA, NULL, 0, text("pk-%u", n), 0), NULL, 0);
        assert_visited(scan_parties(b, PA, NULL, 0, text("pk-new-%u", n), 0), (unsigned int[]){n}, 1);
    }
    v = scan_parties(b, PA, uid(MANY / 2), 0, "ek-0", 0);
    assert_int_equal(v->n, MANY / 20);
    free(v);
    /* The old keys can be taken again. */
    OK(b->begin(b));
    insert_party(b, PA, 2 * MANY + 1, 1, NULL, "pk-1");
    OK(b->rollback(b));
    assert_visited(scan_parties(b, PA, NULL, 0, "pk-1", 0), NULL, 0);
    OK(b->begin(b));
    insert_party(b, PA, 2 * MANY + 1, 1, NULL, "pk-1");
    OK(b->commit(b));
    assert_visited(scan_parties(b, PA, NULL, 0, "pk-1", 0), (unsigned int[]){2 * MANY + 1}, 1);
}

const struct CMUnitTest isolation_scan_cases[] = {
    CASE(test_not_found),
    CASE(test_practice_isolation),
    CASE(test_party_scan_paging_and_filters),
    CASE(test_code_scan_by_owner),
    CASE(test_scans_stop_when_asked),
    CASE(test_strings_copied_in_borrowed_out),
    CASE(test_many_records),
};
const size_t isolation_scan_case_count = sizeof isolation_scan_cases / sizeof isolation_scan_cases[0];
