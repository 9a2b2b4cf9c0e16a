/* Contract cases for touch records (contract version 2): insert, get, and scans by visitor key and
 * over [from, to) on `at`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static visits *touches(rf_backend *b, const char *practice, const char *after, const char *visitor,
                       rf_time from, rf_time to, unsigned int limit)
{
    rf_touch_query q = {after, visitor, from, to, limit};
    return scan_touches(b, practice, &q);
}

#define U RF_TIME_UNSET

static void test_touch_insert_get(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    rf_touch_record in = touch(uid(1), "visitor \xc3\xa9-1", 1700001234);
    rf_touch_record no_program = touch(uid(2), "visitor-2", -86400); /* before 1970 */
    no_program.program_id = NULL;
    no_program.code_id = "code-2";
    no_program.owner_id = "owner-2";
    no_program.channel = 5;
    rf_touch_record far = touch(uid(3), "visitor-2", INT64_MAX);
    rf_touch_record got;
    OK(b->begin(b));
    OK(b->touch_insert(b, PA, &in));
    OK(b->touch_get(b, PA, uid(1), &got)); /* a transaction sees its own writes */
    assert_touch(&in, &got);
    OK(b->touch_insert(b, PA, &no_program));
    OK(b->touch_insert(b, PA, &far));
    OK(b->commit(b));
    OK(b->touch_get(b, PA, uid(1), &got));
    assert_touch(&in, &got);
    OK(b->touch_get(b, PA, uid(2), &got));
    assert_touch(&no_program, &got);
    OK(b->touch_get(b, PA, uid(3), &got));
    assert_touch(&far, &got);
    assert_visited(touches(b, PA, NULL, NULL, U, U, 0), (unsigned int[]){1, 2, 3}, 3);
}

static void test_touch_not_found_and_duplicates(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    expect_not_found(rf_touch_record, b, touch_get, PA, uid(1));
    assert_visited(touches(b, PA, NULL, NULL, U, U, 0), NULL, 0);

    rf_touch_record first = touch(uid(1), "visitor-1", 100);
    OK(b->begin(b));
    OK(b->touch_insert(b, PA, &first));
    rf_touch_record same_id = touch(uid(1), "visitor-2", 200);
    same_id.code_id = "code-other";
    assert_status(RF_EEXISTS, b->touch_insert(b, PA, &same_id));
    /* Nothing else is unique: the same visitor, code and time again is a second touch. */
    rf_touch_record again = touch(uid(2), "visitor-1", 100);
    OK(b->touch_insert(b, PA, &again));
    OK(b->commit(b));

    rf_touch_record got;
    OK(b->touch_get(b, PA, uid(1), &got));
    assert_touch(&first, &got);
    expect_not_found(rf_touch_record, b, touch_get, PA, uid(3));
    assert_visited(touches(b, PA, NULL, "visitor-1", U, U, 0), (unsigned int[]){1, 2}, 2);
    assert_visited(touches(b, PA, NULL, "visitor-2", U, U, 0), NULL, 0);
}

static void test_touch_scan_filters(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    /* Touch n (1..12) is visitor "v<n % 3>" at time 100 * n, inserted out of order; 13 is in PB. */
    static const unsigned int order[] = {7, 3, 11, 1, 9, 5, 12, 2, 8, 4, 10, 6};
    OK(b->begin(b));
    for (size_t i = 0; i < 12; i++) {
        unsigned int n = order[i];
        rf_touch_record t = touch(uid(n), text("v%u", n % 3), 100 * (rf_time)n);
        OK(b->touch_insert(b, PA, &t));
    }
    rf_touch_record other = touch(uid(13), "v1", 100);
    OK(b->touch_insert(b, PB, &other));
    OK(b->commit(b));

    /* No filter; keyset paging. */
    assert_visited(touches(b, PA, NULL, NULL, U, U, 0),
                   (unsigned int[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 12);
    assert_visited(touches(b, PA, NULL, NULL, U, U, 5), (unsigned int[]){1, 2, 3, 4, 5}, 5);
    assert_visited(touches(b, PA, uid(5), NULL, U, U, 5), (unsigned int[]){6, 7, 8, 9, 10}, 5);
    assert_visited(touches(b, PA, uid(10), NULL, U, U, 5), (unsigned int[]){11, 12}, 2);
    assert_visited(touches(b, PA, uid(12), NULL, U, U, 0), NULL, 0);
    /* The visitor alone. */
    assert_visited(touches(b, PA, NULL, "v1", U, U, 0), (unsigned int[]){1, 4, 7, 10}, 4);
    assert_visited(touches(b, PA, NULL, "v0", U, U, 0), (unsigned int[]){3, 6, 9, 12}, 4);
    assert_visited(touches(b, PA, NULL, "nobody", U, U, 0), NULL, 0);
    assert_visited(touches(b, PB, NULL, "v1", U, U, 0), (unsigned int[]){13}, 1);
    /* [from, to): from is in, to is out, exactly. */
    assert_visited(touches(b, PA, NULL, NULL, 300, 700, 0), (unsigned int[]){3, 4, 5, 6}, 4);
    assert_visited(touches(b, PA, NULL, NULL, 301, 701, 0), (unsigned int[]){4, 5, 6, 7}, 4);
    assert_visited(touches(b, PA, NULL, NULL, 299, 300, 0), NULL, 0);
    assert_visited(touches(b, PA, NULL, NULL, 300, 301, 0), (unsigned int[]){3}, 1);
    assert_visited(touches(b, PA, NULL, NULL, 500, 500, 0), NULL, 0);
    assert_visited(touches(b, PA, NULL, NULL, 700, 300, 0), NULL, 0); /* an empty period */
    /* Either bound alone. */
    assert_visited(touches(b, PA, NULL, NULL, 1000, U, 0), (unsigned int[]){10, 11, 12}, 3);
    assert_visited(touches(b, PA, NULL, NULL, U, 300, 0), (unsigned int[]){1, 2}, 2);
    assert_visited(touches(b, PA, NULL, NULL, INT64_MIN + 1, INT64_MAX, 0),
                   (unsigned int[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 12);
    /* Combined, filters first and the limit after them. */
    assert_visited(touches(b, PA, NULL, "v1", 400, 1000, 0), (unsigned int[]){4, 7}, 2);
    assert_visited(touches(b, PA, NULL, "v1", 400, U, 0), (unsigned int[]){4, 7, 10}, 3);
    assert_visited(touches(b, PA, NULL, "v1", 400, U, 2), (unsigned int[]){4, 7}, 2);
    assert_visited(touches(b, PA, uid(4), "v1", 400, U, 2), (unsigned int[]){7, 10}, 2);
    assert_visited(touches(b, PA, uid(4), NULL, 900, U, 2), (unsigned int[]){9, 10}, 2);
    assert_visited(touches(b, PA, NULL, "v2", U, 600, 1), (unsigned int[]){2}, 1);
    assert_visited(touches(b, PA, uid(2), "v2", U, 600, 1), (unsigned int[]){5}, 1);
    assert_visited(touches(b, PA, uid(5), "v2", U, 600, 1), NULL, 0);
    /* after_id need not exist: this one sorts between uid(4) and uid(5). */
    assert_visited(touches(b, PA, "0190a1b2-0000-7000-8000-0000000000041", "v2", U, U, 0),
                   (unsigned int[]){5, 8, 11}, 3);

    /* The callback stops the scan. */
    visits *v = visits_new(2);
    rf_touch_query q = {NULL, "v0", 400, U, 0};
    OK(b->touch_scan(b, PA, &q, on_touch, v));
    assert_visited(v, (unsigned int[]){6, 9}, 2);
}

static void test_touch_practices(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v2(b);
    rf_touch_record got;
    rf_touch_record a = touch(uid(1), "visitor", 100);
    rf_touch_record pb = touch(uid(1), "visitor", 200);
    pb.code_id = "code-b";
    OK(b->begin(b));
    OK(b->touch_insert(b, PA, &a));
    OK(b->touch_insert(b, PB, &pb));
    rf_touch_record a2 = touch(uid(2), "visitor", 300);
    OK(b->touch_insert(b, PA, &a2));
    OK(b->commit(b));
    OK(b->touch_get(b, PA, uid(1), &got));
    assert_touch(&a, &got);
    OK(b->touch_get(b, PB, uid(1), &got));
    assert_touch(&pb, &got);
    assert_status(RF_ENOTFOUND, b->touch_get(b, PB, uid(2), &got));
    assert_status(RF_ENOTFOUND, b->touch_get(b, "c", uid(1), &got));
    assert_visited(touches(b, PA, NULL, "visitor", U, U, 0), (unsigned int[]){1, 2}, 2);
    assert_visited(touches(b, PB, NULL, "visitor", U, U, 0), (unsigned int[]){1}, 1);
    assert_visited(touches(b, PB, NULL, NULL, 150, U, 0), (unsigned int[]){1}, 1);
    assert_visited(touches(b, "c", NULL, NULL, U, U, 0), NULL, 0);
}

const struct CMUnitTest touch_cases[] = {
    CASE(test_touch_insert_get),
    CASE(test_touch_not_found_and_duplicates),
    CASE(test_touch_scan_filters),
    CASE(test_touch_practices),
};
const size_t touch_case_count = sizeof touch_cases / sizeof touch_cases[0];
