/* Contract cases for programme records (contract version 2): insert, get, get by name, update,
 * the unique name, scans and practices. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void expect_no_program(rf_backend *b, const char *practice, const char *id, const char *name)
{
    if (id != NULL) {
        expect_not_found(rf_program_record, b, program_get, practice, id);
    }
    if (name != NULL) {
        expect_not_found(rf_program_record, b, program_get_by_name, practice, name);
    }
}

static void test_program_insert_get_update(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    rf_program_record in = program(uid(1), "Friends & family \xe2\x80\x94 2026");
    rf_program_record got;
    OK(b->begin(b));
    OK(b->program_insert(b, PA, &in));
    OK(b->program_get(b, PA, uid(1), &got)); /* a transaction sees its own writes */
    assert_program(&in, &got);
    OK(b->commit(b));
    OK(b->program_get(b, PA, uid(1), &got));
    assert_program(&in, &got);
    OK(b->program_get_by_name(b, PA, in.name, &got));
    assert_program(&in, &got);

    /* Every field is replaced, the name too; the old name is free. */
    rf_program_record up = program(uid(1), "Partners");
    up.settings = "window_days=90";
    up.created_at = -5; /* times are stored as given, negative too */
    up.updated_at = INT64_MAX;
    OK(b->begin(b));
    OK(b->program_update(b, PA, &up));
    OK(b->commit(b));
    OK(b->program_get(b, PA, uid(1), &got));
    assert_program(&up, &got);
    OK(b->program_get_by_name(b, PA, "Partners", &got));
    assert_program(&up, &got);
    expect_no_program(b, PA, NULL, in.name);

    /* Unset settings stay NULL; an update keeping its own name clashes with nothing. */
    up.settings = NULL;
    OK(b->begin(b));
    OK(b->program_update(b, PA, &up));
    OK(b->commit(b));
    OK(b->program_get_by_name(b, PA, "Partners", &got));
    assert_program(&up, &got);
    assert_visited(scan_programs(b, PA, NULL, 0), (unsigned int[]){1}, 1);
}

static void test_program_not_found(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    /* Twice: in a practice never written, then in one that has a programme. */
    for (int round = 0; round < 2; round++) {
        expect_no_program(b, PA, uid(9), "nope");
        OK(b->begin(b));
        rf_program_record missing = program(uid(9), "nope");
        assert_status(RF_ENOTFOUND, b->program_update(b, PA, &missing));
        if (round == 0) {
            assert_visited(scan_programs(b, PA, NULL, 0), NULL, 0);
            rf_program_record p1 = program(uid(1), "one");
            OK(b->program_insert(b, PA, &p1));
        }
        OK(b->commit(b));
    }
    /* The failed update created nothing. */
    expect_no_program(b, PA, uid(9), "nope");
    assert_visited(scan_programs(b, PA, NULL, 0), (unsigned int[]){1}, 1);
}

static void test_duplicate_program(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    rf_program_record got;
    rf_program_record first = program(uid(1), "Friends");
    rf_program_record second = program(uid(2), "Partners");
    OK(b->begin(b));
    OK(b->program_insert(b, PA, &first));
    OK(b->program_insert(b, PA, &second));
    rf_program_record same_id = program(uid(1), "Other");
    same_id.settings = "x=1";
    assert_status(RF_EEXISTS, b->program_insert(b, PA, &same_id));
    rf_program_record same_name = program(uid(3), "Friends");
    same_name.settings = "x=2";
    assert_status(RF_EEXISTS, b->program_insert(b, PA, &same_name));
    /* An update may not take another programme's name either. */
    rf_program_record steal = second;
    steal.name = "Friends";
    steal.settings = "x=3";
    assert_status(RF_EEXISTS, b->program_update(b, PA, &steal));
    /* A failed write leaves the transaction usable and its earlier writes in place. */
    OK(b->commit(b));

    OK(b->program_get(b, PA, uid(1), &got));
    assert_program(&first, &got);
    OK(b->program_get_by_name(b, PA, "Friends", &got));
    assert_program(&first, &got);
    OK(b->program_get(b, PA, uid(2), &got));
    assert_program(&second, &got);
    OK(b->program_get_by_name(b, PA, "Partners", &got));
    assert_program(&second, &got);
    expect_no_program(b, PA, uid(3), "Other");
    assert_visited(scan_programs(b, PA, NULL, 0), (unsigned int[]){1, 2}, 2);

    /* Names are compared as bytes: a different case is a different name. */
    rf_program_record other_case = program(uid(3), "friends");
    OK(b->begin(b));
    OK(b->program_insert(b, PA, &other_case));
    OK(b->commit(b));
    OK(b->program_get_by_name(b, PA, "friends", &got));
    assert_program(&other_case, &got);
}

static void test_program_scan(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    static const unsigned int order[] = {5, 2, 8, 1, 7, 3, 6, 4};
    OK(b->begin(b));
    for (size_t i = 0; i < 8; i++) {
        rf_program_record p = program(uid(order[i]), text("programme %u", order[i]));
        OK(b->program_insert(b, PA, &p));
    }
    rf_program_record other = program(uid(9), "programme 9");
    OK(b->program_insert(b, PB, &other));
    OK(b->commit(b));

    assert_visited(scan_programs(b, PA, NULL, 0), (unsigned int[]){1, 2, 3, 4, 5, 6, 7, 8}, 8);
    assert_visited(scan_programs(b, PA, NULL, 3), (unsigned int[]){1, 2, 3}, 3);
    assert_visited(scan_programs(b, PA, uid(3), 3), (unsigned int[]){4, 5, 6}, 3);
    assert_visited(scan_programs(b, PA, uid(6), 3), (unsigned int[]){7, 8}, 2);
    assert_visited(scan_programs(b, PA, uid(8), 0), NULL, 0);
    /* after_id need not exist: this one sorts between uid(4) and uid(5). */
    assert_visited(scan_programs(b, PA, "0190a1b2-0000-7000-8000-0000000000041", 0),
                   (unsigned int[]){5, 6, 7, 8}, 4);
    assert_visited(scan_programs(b, PB, NULL, 0), (unsigned int[]){9}, 1);
    assert_visited(scan_programs(b, "c", NULL, 0), NULL, 0);

    /* The callback stops the scan. */
    visits *v = visits_new(2);
    OK(b->program_scan(b, PA, uid(1), 0, on_program, v));
    assert_visited(v, (unsigned int[]){2, 3}, 2);
}

static void test_program_practices(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    rf_program_record got;
    /* The same id and name in two practices are two programmes. */
    rf_program_record a = program(uid(1), "Friends");
    a.settings = "practice=a";
    rf_program_record pb = program(uid(1), "Friends");
    pb.settings = "practice=b";
    OK(b->begin(b));
    OK(b->program_insert(b, PA, &a));
    OK(b->program_insert(b, PB, &pb));
    OK(b->commit(b));
    OK(b->program_get_by_name(b, PA, "Friends", &got));
    assert_string_equal(got.settings, "practice=a");
    OK(b->program_get_by_name(b, PB, "Friends", &got));
    assert_string_equal(got.settings, "practice=b");

    /* Renaming in one practice leaves the other alone, and frees the name only there. */
    rf_program_record renamed = a;
    renamed.name = "Renamed";
    OK(b->begin(b));
    OK(b->program_update(b, PA, &renamed));
    OK(b->commit(b));
    OK(b->program_get_by_name(b, PB, "Friends", &got));
    assert_program(&pb, &got);
    expect_no_program(b, PB, NULL, "Renamed");
    expect_no_program(b, PA, NULL, "Friends");
    expect_no_program(b, "c", uid(1), "Friends");
    /* A missing id in one practice is missing even though the other has it. */
    rf_program_record only_b = program(uid(2), "Only B");
    OK(b->begin(b));
    OK(b->program_insert(b, PB, &only_b));
    assert_status(RF_ENOTFOUND, b->program_update(b, PA, &only_b));
    OK(b->commit(b));
    expect_no_program(b, PA, uid(2), "Only B");
    assert_visited(scan_programs(b, PA, NULL, 0), (unsigned int[]){1}, 1);
    assert_visited(scan_programs(b, PB, NULL, 0), (unsigned int[]){1, 2}, 2);
}

const struct CMUnitTest program_cases[] = {
    CASE(test_program_insert_get_update), CASE(test_program_not_found),
    CASE(test_duplicate_program),         CASE(test_program_scan),
    CASE(test_program_practices),
};
const size_t program_case_count = sizeof program_cases / sizeof program_cases[0];
