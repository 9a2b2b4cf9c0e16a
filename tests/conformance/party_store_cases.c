/* Conformance: parties across the store: listing, contact keys, transactions, reopening, isolation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void list_pages_filters_and_order(void **state)
{
    fixture *fx = *state;
    enum { N = 150 };
    char ids[N][RF_ID_BUFSIZE];
    assert_ok(rf_store_begin(fx->store));
    for (int i = 0; i < N; i++) {
        char name[32];
        snprintf(name, sizeof name, "Client %d", i);
        rf_party *p = add_party(fx, i % 3 == 0 ? RF_PARTY_LEAD : RF_PARTY_CLIENT, name, NULL, NULL);
        snprintf(ids[i], sizeof ids[i], "%s", rf_party_id(p));
        rf_party_free(p);
    }
    assert_ok(rf_store_commit(fx->store));

    rf_party_iter *it = NULL;
    rf_party *p = NULL;
    int n = 0, leads = 0;
    assert_ok(rf_party_list(&it, fx->store, NULL));
    while (rf_party_iter_next(&p, it) == RF_OK) {
        assert_true(n < N);
        assert_string_equal(rf_party_id(p), ids[n]); /* the order they were added */
        n++;
        rf_party_free(p);
    }
    assert_status(rf_party_iter_next(&p, it), RF_ITEROVER);
    rf_party_iter_free(it);
    assert_int_equal(n, N);

    rf_party_filter f = RF_PARTY_FILTER_INIT;
    f.kind = RF_PARTY_LEAD;
    assert_ok(rf_party_list(&it, fx->store, &f));
    while (rf_party_iter_next(&p, it) == RF_OK) {
        assert_int_equal(rf_party_get_kind(p), RF_PARTY_LEAD);
        leads++;
        rf_party_free(p);
    }
    rf_party_iter_free(it);
    assert_int_equal(leads, N / 3);

    f.kind = (rf_party_kind)9;
    assert_status(rf_party_list(&it, fx->store, &f), RF_EINVALID);
    assert_null(it);
}

static void family_sharing_contact_is_found_by_contact(void **state)
{
    fixture *fx = *state;
    rf_party *mum = add_party(fx, RF_PARTY_CLIENT, "Ana Silva", "silva.family@example.com", NULL);
    rf_party *son =
        add_party(fx, RF_PARTY_LEAD, "Tomas Silva", "Silva.Family@example.com", "+351 912 345 678");
    rf_party *other = add_party(fx, RF_PARTY_CLIENT, "Other", "other@example.com", NULL);
    assert_string_equal(rf_party_email_key(mum), rf_party_email_key(son));

    rf_party_filter f = RF_PARTY_FILTER_INIT;
    f.contact = "SILVA.FAMILY@example.com";
    rf_party_iter *it = NULL;
    rf_party *p = NULL;
    int n = 0;
    assert_ok(rf_party_list(&it, fx->store, &f));
    while (rf_party_iter_next(&p, it) == RF_OK) {
        assert_true(strcmp(rf_party_id(p), rf_party_id(mum)) == 0 ||
                    strcmp(rf_party_id(p), rf_party_id(son)) == 0);
        n++;
        rf_party_free(p);
    }
    rf_party_iter_free(it);
    assert_int_equal(n, 2);

    f.contact = "00351912345678";
    assert_ok(rf_party_list(&it, fx->store, &f));
    assert_ok(rf_party_iter_next(&p, it));
    assert_string_equal(rf_party_id(p), rf_party_id(son));
    rf_party_free(p);
    assert_status(rf_party_iter_next(&p, it), RF_ITEROVER);
    rf_party_iter_free(it);

    f.contact = "nonsense";
    assert_status(rf_party_list(&it, fx->store, &f), RF_EINVALID);
    rf_party_free(mum);
    rf_party_free(son);
    rf_party_free(other);
}

static void contact_keys_are_per_practice(void **state)
{
    fixture *fx = *state;
    rf_store_options opts = RF_STORE_OPTIONS_INIT;
    opts.practice = "other-practice";
    rf_store *other = NULL;
    assert_ok(rf_store_open(&other, "memory:", &opts));
    char *a = NULL, *b = NULL;
    assert_ok(rf_contact_key(&a, fx->store, "jane@example.com"));
    assert_ok(rf_contact_key(&b, other, "jane@example.com"));
    assert_string_not_equal(a, b);
    rf_free(a);
    rf_free(b);
    assert_status(rf_contact_key(&a, fx->store, "jane@"), RF_EINVALID);
    assert_null(a);
    rf_store_free(other);
}

static void host_transactions_batch_and_roll_back(void **state)
{
    fixture *fx = *state;
    char *before = snapshot(fx->store);
    assert_ok(rf_store_begin(fx->store));
    assert_int_equal(rf_store_transaction_depth(fx->store), 1);
    rf_party *p = add_party(fx, RF_PARTY_CLIENT, "Rolled back", NULL, NULL);
    rf_party_free(p);
    assert_ok(rf_store_rollback(fx->store));
    assert_int_equal(rf_store_transaction_depth(fx->store), 0);
    assert_unchanged(fx->store, before);
    free(before);

    /* A failing call inside the host's transaction undoes only itself. */
    assert_ok(rf_store_begin(fx->store));
    p = add_party(fx, RF_PARTY_CLIENT, "Kept", NULL, NULL);
    rf_party_options bad = RF_PARTY_OPTIONS_INIT;
    bad.kind = RF_PARTY_CLIENT;
    bad.display_name = "Bad";
    bad.practitioner_id = rf_party_id(p); /* not STAFF: fails inside the transaction */
    rf_party *q = NULL;
    assert_status(rf_party_add(&q, fx->store, &bad), RF_EINVALID);
    assert_int_equal(rf_store_transaction_depth(fx->store), 1);
    assert_ok(rf_store_commit(fx->store));
    rf_party *got = NULL;
    assert_ok(rf_party_get(&got, fx->store, rf_party_id(p)));
    rf_party_free(got);
    assert_int_equal(last_seq(fx), 1);
    rf_party_free(p);

    assert_status(rf_store_commit(fx->store), RF_ESTATE);
    assert_status(rf_store_rollback(fx->store), RF_ESTATE);
}

static void reopen_shows_everything(void **state)
{
    fixture *fx = *state;
    if (!current_backend->has_file) {
        skip();
    }
    rf_party *p = add_party(fx, RF_PARTY_CLIENT, "Zoë Müller", "zoe@example.com", "+49 30 1234567");
    rf_code *c = issue_code(fx, rf_party_id(p), RF_CODE_VANITY);
    char *before = snapshot(fx->store);
    fx_reopen(fx);
    assert_unchanged(fx->store, before);
    free(before);
    rf_code_free(c);
    rf_party_free(p);
}

static void practices_never_see_each_other(void **state)
{
    fixture *fx = *state;
    if (!current_backend->has_file) {
        skip();
    }
    rf_party *p = add_party(fx, RF_PARTY_CLIENT, "Jane Doe", "jane@example.com", NULL);
    rf_code *c = issue_code(fx, rf_party_id(p), RF_CODE_VANITY);
    rf_store_options opts = RF_STORE_OPTIONS_INIT;
    opts.practice = "another-clinic";
    opts.seed = 7;
    rf_store *other = NULL;
    char uri[600];
    snprintf(uri, sizeof uri, "%s:%s", current_backend->name, fx->path);
    assert_ok(rf_store_open(&other, uri, &opts));
    rf_party *q = NULL;
    assert_status(rf_party_get(&q, other, rf_party_id(p)), RF_ENOTFOUND);
    rf_code *d = NULL;
    assert_status(rf_code_lookup(&d, other, "jane-doe"), RF_ENOTFOUND);
    int64_t seq = -1;
    assert_ok(rf_journal_last_seq(&seq, other));
    assert_int_equal(seq, 0);
    rf_party_iter *it = NULL;
    assert_ok(rf_party_list(&it, other, NULL));
    assert_status(rf_party_iter_next(&q, it), RF_ITEROVER);
    rf_party_iter_free(it);

    /* The same slug is free in the other practice. */
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_CLIENT;
    o.display_name = "Jane Doe";
    assert_ok(rf_party_add(&q, other, &o));
    assert_ok(rf_code_issue(&d, other, rf_party_id(q), NULL));
    assert_string_equal(rf_code_text(d), "jane-doe");
    assert_ok(rf_journal_last_seq(&seq, other));
    assert_int_equal(seq, 2);
    assert_int_equal(last_seq(fx), 2);
    rf_code_free(d);
    rf_party_free(q);
    rf_store_free(other);
    rf_code_free(c);
    rf_party_free(p);
}

const struct CMUnitTest party_store_cases[] = {
    CASE(list_pages_filters_and_order),  CASE(family_sharing_contact_is_found_by_contact),
    CASE(contact_keys_are_per_practice), CASE(host_transactions_batch_and_roll_back),
    CASE(reopen_shows_everything),       CASE(practices_never_see_each_other),
};
const size_t party_store_case_count = sizeof party_store_cases / sizeof party_store_cases[0];
