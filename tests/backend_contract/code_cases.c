/* Contract cases for code records: insert, get, update and unique keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void test_code_insert_get_update(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_code_record in = code(uid(10), "JANE7K3Q", uid(1));
    in.program_id = NULL;
    rf_code_record got;
    OK(b->begin(b));
    insert_party(b, PA, 1, 1, NULL, NULL);
    OK(b->code_insert(b, PA, &in));
    OK(b->commit(b));
    OK(b->code_get(b, PA, uid(10), &got));
    assert_code(&in, &got);
    OK(b->code_get_by_key(b, PA, "JANE7K3Q", &got));
    assert_code(&in, &got);

    rf_code_record up = in;
    up.uses = 3;
    up.revoked_at = 1750000000;
    up.revoke_reason = "left the practice";
    up.program_id = "prog-2";
    OK(b->begin(b));
    OK(b->code_update(b, PA, &up));
    OK(b->commit(b));
    OK(b->code_get(b, PA, uid(10), &got));
    assert_code(&up, &got);
    OK(b->code_get_by_key(b, PA, "JANE7K3Q", &got));
    assert_code(&up, &got);

    /* Every field is replaced, the folded key too. */
    up.key = "JANEDOE";
    up.text = "jane-doe";
    OK(b->begin(b));
    OK(b->code_update(b, PA, &up));
    OK(b->commit(b));
    assert_status(RF_ENOTFOUND, b->code_get_by_key(b, PA, "JANE7K3Q", &got));
    OK(b->code_get_by_key(b, PA, "JANEDOE", &got));
    assert_code(&up, &got);
}

/* --- unique keys -------------------------------------------------------------------------------- */

static void test_duplicate_code(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_code_record got;
    rf_code_record first = code(uid(10), "KEY-A", uid(1));
    OK(b->begin(b));
    OK(b->code_insert(b, PA, &first));
    rf_code_record same_id = code(uid(10), "KEY-B", uid(2));
    assert_status(RF_EEXISTS, b->code_insert(b, PA, &same_id));
    rf_code_record same_key = code(uid(11), "KEY-A", uid(2));
    same_key.text = "other";
    assert_status(RF_EEXISTS, b->code_insert(b, PA, &same_key));
    OK(b->commit(b));

    OK(b->code_get(b, PA, uid(10), &got));
    assert_code(&first, &got);
    OK(b->code_get_by_key(b, PA, "KEY-A", &got));
    assert_code(&first, &got);
    assert_status(RF_ENOTFOUND, b->code_get(b, PA, uid(11), &got));
    assert_status(RF_ENOTFOUND, b->code_get_by_key(b, PA, "KEY-B", &got));
    assert_visited(scan_codes(b, PA, NULL, uid(2), 0), NULL, 0);
    assert_visited(scan_codes(b, PA, NULL, NULL, 0), (unsigned int[]){10}, 1);

    /* An update may not take another code's key either. */
    rf_code_record second = code(uid(12), "KEY-C", uid(2));
    rf_code_record steal = second;
    steal.key = "KEY-A";
    OK(b->begin(b));
    OK(b->code_insert(b, PA, &second));
    assert_status(RF_EEXISTS, b->code_update(b, PA, &steal));
    OK(b->commit(b));
    OK(b->code_get_by_key(b, PA, "KEY-A", &got));
    assert_code(&first, &got);
    OK(b->code_get(b, PA, uid(12), &got));
    assert_code(&second, &got);
}

const struct CMUnitTest code_cases[] = {
    CASE(test_code_insert_get_update),
    CASE(test_duplicate_code),
};
const size_t code_case_count = sizeof code_cases / sizeof code_cases[0];
