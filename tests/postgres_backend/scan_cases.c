/* Scans on PostgreSQL read page by page (1,000 rows at a time): they must
 * visit every matching record once, in byte order of the id (or seq order),
 * across page boundaries, honouring limits, filters and early stops. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define PARTIES 2500

typedef struct seen {
    unsigned int n;
    unsigned int stop_after; /* 0: never */
    char last[64];
    int in_order;
    int64_t seqs_ok;
    int64_t next_seq;
} seen;

static int on_party(const rf_party_record *r, void *payload)
{
    seen *s = payload;
    if (s->n > 0 && strcmp(s->last, r->id) >= 0) {
        s->in_order = 0;
    }
    snprintf(s->last, sizeof s->last, "%s", r->id);
    s->n++;
    return s->stop_after != 0 && s->n == s->stop_after;
}

static int on_event(const rf_event_record *r, void *payload)
{
    seen *s = payload;
    if (r->seq != s->next_seq) {
        s->seqs_ok = 0;
    }
    s->next_seq++;
    s->n++;
    return 0;
}

static const char *pid(unsigned int n)
{
    static char ring[8][32];
    static unsigned int next;
    char *s = ring[next++ % 8];
    snprintf(s, 32, "0190-%06u", n);
    return s;
}

static seen scan(rf_backend *b, const char *after, int kind, unsigned int limit, unsigned int stop_after)
{
    seen s = {0, stop_after, "", 1, 1, 0};
    rf_party_query q = {after, kind, NULL, limit};
    CHECK(RF_OK, b->party_scan(b, "a", &q, on_party, &s));
    assert_true(s.in_order);
    return s;
}

static void test_party_scans_across_pages(void **state)
{
    pg_fixture *fx = *state;
    rf_backend *b = fx->b;
    CHECK(RF_OK, b->begin(b));
    for (unsigned int i = 0; i < PARTIES; i++) {
        char ext[32];
        snprintf(ext, sizeof ext, "ext-%u", i);
        rf_party_record p = pg_party(pid(i), ext);
        p.kind = i % 3 == 0 ? 2 : 1;
        CHECK(RF_OK, b->party_insert(b, "a", &p));
    }
    rf_party_record other = pg_party(pid(7), "ext-7");
    CHECK(RF_OK, b->party_insert(b, "b", &other)); /* another practice is never visited */
    CHECK(RF_OK, b->commit(b));

    seen s = scan(b, NULL, 0, 0, 0);
    assert_int_equal(s.n, PARTIES);
    assert_string_equal(s.last, pid(PARTIES - 1));
    assert_int_equal(scan(b, NULL, 0, 1000, 0).n, 1000);
    s = scan(b, NULL, 0, 1500, 0);
    assert_int_equal(s.n, 1500);
    assert_string_equal(s.last, pid(1499));
    s = scan(b, pid(1999), 0, 0, 0);
    assert_int_equal(s.n, 500);
    assert_int_equal(scan(b, NULL, 0, 0, 1200).n, 1200);
    assert_int_equal(scan(b, NULL, 2, 0, 0).n, (PARTIES + 2) / 3);
    assert_int_equal(scan(b, NULL, 2, 900, 0).n, 834);
    assert_int_equal(scan(b, pid(PARTIES - 1), 0, 0, 0).n, 0);
}

static void test_journal_scans_across_pages(void **state)
{
    pg_fixture *fx = *state;
    rf_backend *b = fx->b;
    rf_event_record e = {0, "party.added", "p", NULL, NULL, "n=1", 1700000000};
    CHECK(RF_OK, b->begin(b));
    for (int i = 1; i <= 2100; i++) {
        int64_t seq = 0;
        CHECK(RF_OK, b->journal_append(b, "a", &e, &seq));
        assert_int_equal(seq, i);
    }
    CHECK(RF_OK, b->commit(b));
    int64_t last = 0;
    CHECK(RF_OK, b->journal_last_seq(b, "a", &last));
    assert_int_equal(last, 2100);
    CHECK(RF_OK, b->journal_last_seq(b, "b", &last));
    assert_int_equal(last, 0);

    seen s = {0, 0, "", 1, 1, 1};
    CHECK(RF_OK, b->journal_scan(b, "a", 0, 0, on_event, &s));
    assert_int_equal(s.n, 2100);
    assert_true(s.seqs_ok);
    seen t = {0, 0, "", 1, 1, 1001};
    CHECK(RF_OK, b->journal_scan(b, "a", 1000, 1001, on_event, &t));
    assert_int_equal(t.n, 1001);
    assert_true(t.seqs_ok);
}

/* COLLATE "C": 'B' < 'Z' < 'a' < 'é' (0xC3 0xA9), whatever the database's locale. */
static void test_ids_in_byte_order(void **state)
{
    pg_fixture *fx = *state;
    rf_backend *b = fx->b;
    const char *ids[] = {"a", "\xc3\xa9", "Z", "B"};
    CHECK(RF_OK, b->begin(b));
    for (int i = 0; i < 4; i++) {
        rf_party_record p = pg_party(ids[i], NULL);
        CHECK(RF_OK, b->party_insert(b, "a", &p));
    }
    CHECK(RF_OK, b->commit(b));
    seen s = scan(b, NULL, 0, 0, 0);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.last, "\xc3\xa9");
    assert_int_equal(scan(b, "Z", 0, 0, 0).n, 2);
}

#define CASE(fn) cmocka_unit_test_setup_teardown(fn, pg_setup, pg_teardown)

const struct CMUnitTest pg_scan_cases[] = {
    CASE(test_party_scans_across_pages),
    CASE(test_journal_scans_across_pages),
    CASE(test_ids_in_byte_order),
};
const size_t pg_scan_case_count = sizeof pg_scan_cases / sizeof pg_scan_cases[0];
