/* Contract cases for party records: insert, get, update and unique keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void test_party_insert_get(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_party_record in = party(uid(1), "ext-1", "ek-1", "pk-1", 1);
    rf_party_record got;
    OK(b->begin(b));
    OK(b->party_insert(b, PA, &in));
    OK(b->party_get(b, PA, uid(1), &got)); /* a transaction sees its own writes */
    assert_party(&in, &got);
    OK(b->commit(b));
    OK(b->party_get(b, PA, uid(1), &got)); /* reads need no transaction */
    assert_party(&in, &got);
    OK(b->party_get_by_external(b, PA, "ext-1", &got));
    assert_party(&in, &got);
}

static void test_party_unset_strings_stay_null(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_party_record in = {uid(2), NULL, "Sam", NULL, NULL, NULL, NULL, NULL, NULL,
                          NULL,   2,    0,     0,    0,    0,    17,   18};
    rf_party_record got;
    OK(b->begin(b));
    OK(b->party_insert(b, PA, &in));
    OK(b->commit(b));
    OK(b->party_get(b, PA, uid(2), &got));
    assert_party(&in, &got);
}

static void test_party_update(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_party_record got;
    OK(b->begin(b));
    insert_party(b, PA, 1, 1, "ek-1", "pk-1");
    OK(b->commit(b));

    rf_party_record up = party(uid(1), "ext-1b", "ek-2", NULL, 2);
    up.display_name = "Jane Smith";
    up.consent = 0;
    up.updated_at = 1700000999;
    OK(b->begin(b));
    OK(b->party_update(b, PA, &up));
    OK(b->commit(b));
    OK(b->party_get(b, PA, uid(1), &got));
    assert_party(&up, &got);
    OK(b->party_get_by_external(b, PA, "ext-1b", &got));
    assert_party(&up, &got);
    assert_status(RF_ENOTFOUND, b->party_get_by_external(b, PA, "ext-1", &got));
    /* The contact keys it is found under follow the record. */
    assert_visited(scan_parties(b, PA, NULL, 0, "ek-1", 0), NULL, 0);
    assert_visited(scan_parties(b, PA, NULL, 0, "pk-1", 0), NULL, 0);
    assert_visited(scan_parties(b, PA, NULL, 0, "ek-2", 0), (unsigned int[]){1}, 1);

    up.external_id = NULL;
    OK(b->begin(b));
    OK(b->party_update(b, PA, &up));
    OK(b->commit(b));
    assert_status(RF_ENOTFOUND, b->party_get_by_external(b, PA, "ext-1b", &got));
    OK(b->party_get(b, PA, uid(1), &got));
    assert_party(&up, &got);
}

/* --- unique keys -------------------------------------------------------------------------------- */

static void test_duplicate_party(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_party_record got;
    rf_party_record first = party(uid(1), "ext-1", "ek-1", "pk-1", 1);
    OK(b->begin(b));
    OK(b->party_insert(b, PA, &first));

    rf_party_record same_id = party(uid(1), "ext-other", "ek-dup", "pk-dup", 2);
    same_id.display_name = "Other";
    assert_status(RF_EEXISTS, b->party_insert(b, PA, &same_id));
    rf_party_record same_ext = party(uid(2), "ext-1", "ek-dup", NULL, 2);
    assert_status(RF_EEXISTS, b->party_insert(b, PA, &same_ext));

    /* A failed write leaves the transaction usable and its earlier writes in place. */
    insert_party(b, PA, 3, 1, NULL, NULL);
    rf_party_record steal = party(uid(3), "ext-1", NULL, NULL, 1);
    assert_status(RF_EEXISTS, b->party_update(b, PA, &steal));
    OK(b->commit(b));

    OK(b->party_get(b, PA, uid(1), &got));
    assert_party(&first, &got);
    OK(b->party_get_by_external(b, PA, "ext-1", &got));
    assert_party(&first, &got);
    expect_no_party(b, PA, uid(2));
    assert_status(RF_ENOTFOUND, b->party_get_by_external(b, PA, "ext-other", &got));
    OK(b->party_get(b, PA, uid(3), &got));
    assert_string_equal(got.external_id, "ext-3");
    assert_visited(scan_parties(b, PA, NULL, 0, NULL, 0), (unsigned int[]){1, 3}, 2);
    assert_visited(scan_parties(b, PA, NULL, 0, "ek-dup", 0), NULL, 0);
}

const struct CMUnitTest party_cases[] = {
    CASE(test_party_insert_get),
    CASE(test_party_unset_strings_stay_null),
    CASE(test_party_update),
    CASE(test_duplicate_party),
};
const size_t party_case_count = sizeof party_cases / sizeof party_cases[0];
