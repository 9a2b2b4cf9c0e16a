/* Transactions, two handles on one file, borrowed strings, scans and practices. */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- transactions ---- */

static void free_rolls_back_open_transaction(void **state)
{
    fixture *f = *state;
    make_path(f, "freerb");
    remove_db(f->path);
    rf_party_record p = party("0001-p", NULL);
    rf_party_record q = party("0002-p", NULL);

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &p), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &q), RF_OK);
    b->free(b); /* two levels still open */

    b = open_ok(f->path);
    rf_party_record got;
    assert_int_equal(b->party_get(b, PRACTICE, "0001-p", &got), RF_OK);
    assert_int_equal(b->party_get(b, PRACTICE, "0002-p", &got), RF_ENOTFOUND);
    /* The file is not left locked: this handle can write. */
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &q), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);
}

static void savepoints_nest(void **state)
{
    fixture *f = *state;
    make_path(f, "nest");
    remove_db(f->path);
    rf_party_record a = party("a", NULL), pb = party("b", NULL), c = party("c", NULL), d = party("d", NULL);
    rf_party_record got;

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &a), RF_OK);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &pb), RF_OK);
    assert_int_equal(b->rollback(b), RF_OK); /* undoes b only */
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &c), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    assert_int_equal(b->commit(b), RF_OK); /* folds c into the outer level */
    assert_int_equal(b->party_get(b, PRACTICE, "c", &got), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);

    /* A committed inner level is still undone by the outer rollback. */
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &d), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    assert_int_equal(b->rollback(b), RF_OK);
    assert_int_equal(b->commit(b), RF_EBACKEND); /* nothing left open */
    b->free(b);

    b = open_ok(f->path);
    assert_int_equal(b->party_get(b, PRACTICE, "a", &got), RF_OK);
    assert_int_equal(b->party_get(b, PRACTICE, "b", &got), RF_ENOTFOUND);
    assert_int_equal(b->party_get(b, PRACTICE, "c", &got), RF_OK);
    assert_int_equal(b->party_get(b, PRACTICE, "d", &got), RF_ENOTFOUND);
    b->free(b);
}

static void writes_outside_transaction_are_refused(void **state)
{
    fixture *f = *state;
    rf_backend *b = open_new(f, "notxn");
    rf_party_record p = party("0001-p", NULL);
    rf_code_record c = code("0001-c", "K", "0001-p");
    rf_event_record e = {0, "t", NULL, NULL, NULL, NULL, 1};
    rf_idempotency_record i = {"k", "op", "r", 1, 1};
    int64_t seq = 42;

    assert_int_equal(b->party_insert(b, PRACTICE, &p), RF_EBACKEND);
    assert_error_mentions("outside a transaction");
    assert_int_equal(b->party_update(b, PRACTICE, &p), RF_EBACKEND);
    assert_int_equal(b->code_insert(b, PRACTICE, &c), RF_EBACKEND);
    assert_int_equal(b->code_update(b, PRACTICE, &c), RF_EBACKEND);
    assert_int_equal(b->journal_append(b, PRACTICE, &e, &seq), RF_EBACKEND);
    assert_int_equal(seq, 0);
    assert_int_equal(b->idempotency_put(b, PRACTICE, &i), RF_EBACKEND);
    assert_int_equal(b->commit(b), RF_EBACKEND);
    assert_int_equal(b->rollback(b), RF_EBACKEND);
    b->free(b);

    assert_int_equal(raw_int(f->path,
                             "SELECT (SELECT count(*) FROM parties) + (SELECT count(*) FROM codes) + "
                             "(SELECT count(*) FROM journal) + (SELECT count(*) FROM idempotency)"),
                     0);
}

static void clashes_name_the_key(void **state)
{
    fixture *f = *state;
    rf_backend *b = open_new(f, "clash");
    rf_party_record p = party("0001-p", "ext-1");
    rf_party_record same_id = party("0001-p", "ext-2");
    rf_party_record same_ext = party("0002-p", "ext-1");
    rf_party_record no_ext_1 = party("0003-p", NULL), no_ext_2 = party("0004-p", NULL);
    rf_code_record c = code("0001-c", "KEY1", "0001-p");
    rf_code_record same_key = code("0002-c", "KEY1", "0001-p");
    rf_code_record same_code_id = code("0001-c", "KEY2", "0001-p");
    rf_idempotency_record i = {"idem", "op", "r", 7, 1};

    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &p), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &same_id), RF_EEXISTS);
    assert_error_mentions("'0001-p'");
    assert_int_equal(b->party_insert(b, PRACTICE, &same_ext), RF_EEXISTS);
    assert_error_mentions("external id 'ext-1'");
    /* Many parties may lack an external id. */
    assert_int_equal(b->party_insert(b, PRACTICE, &no_ext_1), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &no_ext_2), RF_OK);
    /* An update onto a taken external id clashes too. */
    no_ext_1.external_id = "ext-1";
    assert_int_equal(b->party_update(b, PRACTICE, &no_ext_1), RF_EEXISTS);
    assert_error_mentions("external id 'ext-1'");

    assert_int_equal(b->code_insert(b, PRACTICE, &c), RF_OK);
    assert_int_equal(b->code_insert(b, PRACTICE, &same_key), RF_EEXISTS);
    assert_error_mentions("key 'KEY1'");
    assert_int_equal(b->code_insert(b, PRACTICE, &same_code_id), RF_EEXISTS);
    assert_error_mentions("'0001-c'");

    assert_int_equal(b->idempotency_put(b, PRACTICE, &i), RF_OK);
    assert_int_equal(b->idempotency_put(b, PRACTICE, &i), RF_EEXISTS);
    assert_error_mentions("'idem'");

    /* The clashes undid only themselves: the transaction commits what came before. */
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM parties"), 3);
    assert_int_equal(raw_int(f->path, "SELECT external_id IS NULL FROM parties WHERE id = '0003-p'"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM codes"), 1);
}

/* Appends remember the last number while their transaction holds the write
 * lock; every rollback, commit and other practice must make them look again. */
static void journal_numbers_survive_rollbacks_and_other_writers(void **state)
{
    fixture *f = *state;
    make_path(f, "seq");
    remove_db(f->path);
    rf_event_record e = {0, "t", NULL, NULL, NULL, NULL, 1};
    int64_t seq = 0, last = 0;
    rf_backend *a = open_ok(f->path);
    rf_backend *b = open_ok(f->path);

    assert_int_equal(a->begin(a), RF_OK);
    assert_int_equal(a->journal_append(a, PRACTICE, &e, &seq), RF_OK);
    assert_int_equal(seq, 1);
    assert_int_equal(a->begin(a), RF_OK);
    assert_int_equal(a->journal_append(a, PRACTICE, &e, &seq), RF_OK);
    assert_int_equal(seq, 2);
    assert_int_equal(a->rollback(a), RF_OK); /* undoes 2 */
    assert_int_equal(a->journal_last_seq(a, PRACTICE, &last), RF_OK);
    assert_int_equal(last, 1);
    assert_int_equal(a->journal_append(a, PRACTICE, &e, &seq), RF_OK);
    assert_int_equal(seq, 2);
    assert_int_equal(a->begin(a), RF_OK);
    assert_int_equal(a->journal_append(a, PRACTICE, &e, &seq), RF_OK);
    assert_int_equal(a->commit(a), RF_OK); /* folds 3 into the outer level */
    assert_int_equal(a->journal_append(a, PRACTICE, &e, &seq), RF_OK);
    assert_int_equal(seq, 4);
    assert_int_equal(a->commit(a), RF_OK);

    /* Another handle appends between a's transactions. */
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->journal_append(b, PRACTICE, &e, &seq), RF_OK);
    assert_int_equal(seq, 5);
    assert_int_equal(b->commit(b), RF_OK);

    assert_int_equal(a->journal_last_seq(a, PRACTICE, &last), RF_OK);
    assert_int_equal(last, 5);
    assert_int_equal(a->begin(a), RF_OK);
    assert_int_equal(a->journal_append(a, PRACTICE, &e, &seq), RF_OK);
    assert_int_equal(seq, 6);
    /* Practices number apart, however they alternate. */
    assert_int_equal(a->journal_append(a, "clinic-b", &e, &seq), RF_OK);
    assert_int_equal(seq, 1);
    assert_int_equal(a->journal_append(a, PRACTICE, &e, &seq), RF_OK);
    assert_int_equal(seq, 7);
    assert_int_equal(a->journal_append(a, "clinic-b", &e, &seq), RF_OK);
    assert_int_equal(seq, 2);
    assert_int_equal(a->rollback(a), RF_OK); /* the outermost level: all four gone */

    assert_int_equal(a->begin(a), RF_OK);
    assert_int_equal(a->journal_append(a, PRACTICE, &e, &seq), RF_OK);
    assert_int_equal(seq, 6);
    assert_int_equal(a->journal_append(a, "clinic-b", &e, &seq), RF_OK);
    assert_int_equal(seq, 1);
    assert_int_equal(a->commit(a), RF_OK);
    b->free(b);
    a->free(a);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM journal WHERE practice = 'clinic-a'"), 6);
    assert_int_equal(raw_int(f->path, "SELECT max(seq) FROM journal WHERE practice = 'clinic-a'"), 6);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM journal WHERE practice = 'clinic-b'"), 1);
}

/* ---- two handles on one file ---- */

static void reader_sees_committed_data_while_writer_holds_lock(void **state)
{
    fixture *f = *state;
    make_path(f, "wal");
    remove_db(f->path);
    rf_party_record p1 = party("0001-p", NULL), p2 = party("0002-p", NULL);
    rf_event_record e = {0, "t", NULL, NULL, NULL, NULL, 1};
    rf_party_record got;
    int64_t last = -1;

    rf_backend *w = open_ok(f->path);
    rf_backend *r = open_ok(f->path);
    assert_int_equal(w->begin(w), RF_OK);
    assert_int_equal(w->party_insert(w, PRACTICE, &p1), RF_OK);
    assert_int_equal(w->journal_append(w, PRACTICE, &e, NULL), RF_OK);
    assert_int_equal(w->commit(w), RF_OK);

    assert_int_equal(w->begin(w), RF_OK); /* holds the write lock from here */
    assert_int_equal(w->party_insert(w, PRACTICE, &p2), RF_OK);
    assert_int_equal(w->journal_append(w, PRACTICE, &e, NULL), RF_OK);

    assert_int_equal(r->party_get(r, PRACTICE, "0001-p", &got), RF_OK);
    assert_string_equal(got.id, "0001-p");
    assert_int_equal(r->party_get(r, PRACTICE, "0002-p", &got), RF_ENOTFOUND);
    assert_int_equal(r->journal_last_seq(r, PRACTICE, &last), RF_OK);
    assert_int_equal(last, 1);

    assert_int_equal(w->commit(w), RF_OK);
    assert_int_equal(r->party_get(r, PRACTICE, "0002-p", &got), RF_OK);
    assert_int_equal(r->journal_last_seq(r, PRACTICE, &last), RF_OK);
    assert_int_equal(last, 2);

    /* The reader's lookups left no read transaction behind: it can write now. */
    assert_int_equal(r->begin(r), RF_OK);
    assert_int_equal(r->journal_append(r, PRACTICE, &e, &last), RF_OK);
    assert_int_equal(last, 3);
    assert_int_equal(r->commit(r), RF_OK);
    r->free(r);
    w->free(w);
}

/* ---- borrowed strings, scans, practices ---- */

static void borrowed_strings_survive_growth(void **state)
{
    fixture *f = *state;
    make_path(f, "borrow");
    remove_db(f->path);
    char *big = malloc(20001);
    assert_non_null(big);
    memset(big, 'x', 20000);
    big[20000] = '\0';
    rf_party_record small = party("0001-p", NULL);
    rf_party_record large = party("0002-p", NULL);
    large.intake_detail = big;
    large.display_name = "";

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &small), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &large), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);

    rf_party_record got;
    assert_int_equal(b->party_get(b, PRACTICE, "0001-p", &got), RF_OK);
    assert_same_party(&got, &small);
    assert_int_equal(b->party_get(b, PRACTICE, "0002-p", &got), RF_OK);
    assert_same_party(&got, &large); /* "" stays "", as given */
    assert_int_equal(b->party_get(b, PRACTICE, "0001-p", &got), RF_OK);
    assert_same_party(&got, &small);
    /* A miss clears the record rather than leaving stale pointers. */
    assert_int_equal(b->party_get(b, PRACTICE, "nobody", &got), RF_ENOTFOUND);
    assert_null(got.id);
    assert_error_mentions("'nobody'");
    b->free(b);
    free(big);
}

typedef struct nested_scan {
    rf_backend *b;
    int outer;
    int inner_total;
} nested_scan;

static int count_party(const rf_party_record *p, void *payload)
{
    (void)p;
    (*(int *)payload)++;
    return 0;
}

/* While the outer scan holds a row, run the same scan and a get: the outer
 * record must still read the same afterwards. */
static int outer_visit(const rf_party_record *p, void *payload)
{
    nested_scan *s = payload;
    char id[64];
    snprintf(id, sizeof id, "%s", p->id);
    int inner = 0;
    assert_int_equal(s->b->party_scan(s->b, PRACTICE, NULL, count_party, &inner), RF_OK);
    s->inner_total += inner;
    rf_party_record other;
    assert_int_equal(s->b->party_get(s->b, PRACTICE, "0003-p", &other), RF_OK);
    assert_string_equal(p->id, id);
    assert_string_equal(p->display_name, "Jane Doe");
    s->outer++;
    return 0;
}

static void scans_nest_and_filter(void **state)
{
    fixture *f = *state;
    rf_backend *b = open_new(f, "scan");
    const char *ids[] = {"0001-p", "0002-p", "0003-p", "0004-p"};
    assert_int_equal(b->begin(b), RF_OK);
    for (int i = 0; i < 4; i++) {
        rf_party_record p = party(ids[i], NULL);
        p.kind = i % 2 + 1;
        p.email_key = i == 1 || i == 2 ? "shared" : NULL;
        p.phone_key = i == 2 || i == 3 ? "shared" : NULL;
        assert_int_equal(b->party_insert(b, PRACTICE, &p), RF_OK);
        rf_code_record c = code(ids[i], ids[i], i < 2 ? "owner-a" : "owner-b");
        assert_int_equal(b->code_insert(b, PRACTICE, &c), RF_OK);
    }
    /* Another practice's records stay out of every call. */
    rf_party_record other = party("0001-p", NULL);
    other.email_key = "shared";
    assert_int_equal(b->party_insert(b, "clinic-b", &other), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);

    nested_scan s = {b, 0, 0};
    assert_int_equal(b->party_scan(b, PRACTICE, NULL, outer_visit, &s), RF_OK);
    assert_int_equal(s.outer, 4);
    assert_int_equal(s.inner_total, 16);

    int n = 0;
    rf_party_query by_contact = {"0001-p", 0, "shared", 0};
    assert_int_equal(b->party_scan(b, PRACTICE, &by_contact, count_party, &n), RF_OK);
    assert_int_equal(n, 3); /* 0003-p matches twice and is visited once */
    n = 0;
    rf_party_query by_kind = {NULL, 2, NULL, 1};
    assert_int_equal(b->party_scan(b, PRACTICE, &by_kind, count_party, &n), RF_OK);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(b->party_scan(b, "clinic-b", NULL, count_party, &n), RF_OK);
    assert_int_equal(n, 1);
    b->free(b);
}

static void practices_are_apart(void **state)
{
    fixture *f = *state;
    rf_backend *b = open_new(f, "practice");
    rf_party_record p = party("0001-p", "ext-1");
    rf_code_record c = code("0001-c", "KEY", "0001-p");
    rf_event_record e = {0, "t", NULL, NULL, NULL, NULL, 1};
    rf_idempotency_record i = {"idem", "op", "r", 1, 1};
    int64_t seq = 0;

    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, "clinic-a", &p), RF_OK);
    assert_int_equal(b->party_insert(b, "clinic-b", &p), RF_OK);
    assert_int_equal(b->code_insert(b, "clinic-a", &c), RF_OK);
    assert_int_equal(b->code_insert(b, "clinic-b", &c), RF_OK);
    assert_int_equal(b->idempotency_put(b, "clinic-a", &i), RF_OK);
    assert_int_equal(b->idempotency_put(b, "clinic-b", &i), RF_OK);
    assert_int_equal(b->journal_append(b, "clinic-a", &e, &seq), RF_OK);
    assert_int_equal(b->journal_append(b, "clinic-a", &e, &seq), RF_OK);
    assert_int_equal(seq, 2);
    assert_int_equal(b->journal_append(b, "clinic-b", &e, &seq), RF_OK);
    assert_int_equal(seq, 1);
    assert_int_equal(b->commit(b), RF_OK);

    rf_code_record got;
    assert_int_equal(b->code_get_by_key(b, "clinic-c", "KEY", &got), RF_ENOTFOUND);
    assert_error_mentions("clinic-c");
    b->free(b);
}

int run_transaction_cases(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(free_rolls_back_open_transaction),
        FIXTURE_TEST(savepoints_nest),
        FIXTURE_TEST(writes_outside_transaction_are_refused),
        FIXTURE_TEST(clashes_name_the_key),
        FIXTURE_TEST(journal_numbers_survive_rollbacks_and_other_writers),
        FIXTURE_TEST(reader_sees_committed_data_while_writer_holds_lock),
        FIXTURE_TEST(borrowed_strings_survive_growth),
        FIXTURE_TEST(scans_nest_and_filter),
        FIXTURE_TEST(practices_are_apart),
    };
    return cmocka_run_group_tests_name("transactions", tests, NULL, NULL);
}
