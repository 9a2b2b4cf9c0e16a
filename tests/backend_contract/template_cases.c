/* Contract cases for message templates (contract version 4): insert, get by (programme, name),
 * update, unset strings, the unique id and (programme, name) with practice-wide templates (no
 * programme) colliding among themselves, scans by programme and of the practice-wide ones with
 * paging, practices and rollback at nested levels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void test_template_round_trip(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v4(b);
    rf_template_record in;
    fill_template(&in, 1);
    OK(b->begin(b));
    OK(b->template_insert(b, PA, &in));
    expect_template(b, PA, &in); /* a transaction sees its own writes */
    OK(b->commit(b));
    expect_template(b, PA, &in);

    /* Every field is replaced, the programme and name too, each with a value of its own. */
    rf_template_record up;
    fill_template(&up, 2);
    up.id = in.id;
    OK(b->begin(b));
    OK(b->template_update(b, PA, &up));
    OK(b->commit(b));
    expect_template(b, PA, &up);
    expect_no_template(b, PA, in.program_id, in.name);
    assert_visited(scan_templates(b, PA, up.program_id, NULL, 0), (unsigned int[]){1}, 1);
    assert_visited(scan_templates(b, PA, in.program_id, NULL, 0), NULL, 0);
    assert_visited(scan_templates(b, PA, NULL, NULL, 0), NULL, 0);

    /* Practice-wide, with the optional subject unset and zeros; then back. */
    rf_template_record bare = template_rec(in.id, NULL, "thanks.sms");
    bare.subject = NULL;
    bare.channel = 0;
    bare.created_at = 0;
    bare.updated_at = 0;
    OK(b->begin(b));
    OK(b->template_update(b, PA, &bare));
    OK(b->commit(b));
    expect_template(b, PA, &bare);
    expect_no_template(b, PA, up.program_id, up.name);
    assert_visited(scan_templates(b, PA, NULL, NULL, 0), (unsigned int[]){1}, 1);
    assert_visited(scan_templates(b, PA, up.program_id, NULL, 0), NULL, 0);
    rf_template_record second = template_rec(uid(2), "prog-2", "thanks.sms");
    second.body = ""; /* empty is not unset */
    OK(b->begin(b));
    OK(b->template_insert(b, PA, &second));
    OK(b->template_update(b, PA, &up));
    OK(b->commit(b));
    expect_template(b, PA, &second);
    expect_template(b, PA, &up);
    expect_no_template(b, PA, NULL, "thanks.sms");
    assert_visited(scan_templates(b, PA, "prog-2", NULL, 0), (unsigned int[]){1, 2}, 2);
}

static void test_template_unique_name(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v4(b);
    /* One name: in two programmes and practice-wide, three templates. */
    rf_template_record p1 = template_rec(uid(1), "P1", "ask.sms");
    rf_template_record p2 = template_rec(uid(2), "P2", "ask.sms");
    rf_template_record wide = template_rec(uid(3), NULL, "ask.sms");
    OK(b->begin(b));
    OK(b->template_insert(b, PA, &p1));
    OK(b->template_insert(b, PA, &p2));
    OK(b->template_insert(b, PA, &wide));
    /* A second practice-wide one with the name collides, as does a second in a programme. */
    rf_template_record wide_again = template_rec(uid(4), NULL, "ask.sms");
    wide_again.body = "another";
    assert_status(RF_EEXISTS, b->template_insert(b, PA, &wide_again));
    rf_template_record p1_again = template_rec(uid(4), "P1", "ask.sms");
    assert_status(RF_EEXISTS, b->template_insert(b, PA, &p1_again));
    rf_template_record same_id = template_rec(uid(1), "P9", "other.name");
    assert_status(RF_EEXISTS, b->template_insert(b, PA, &same_id));
    /* Updates cannot take a (programme, name) that is held, practice-wide or not. */
    rf_template_record to_p1 = template_rec(uid(2), "P1", "ask.sms");
    assert_status(RF_EEXISTS, b->template_update(b, PA, &to_p1));
    rf_template_record to_wide = template_rec(uid(2), NULL, "ask.sms");
    assert_status(RF_EEXISTS, b->template_update(b, PA, &to_wide));
    rf_template_record rename = template_rec(uid(2), "P2", "ask.email");
    rename.body = "renamed";
    /* ... but a template keeps its own, whatever else changes. */
    rf_template_record reworded = p1;
    reworded.body = "Hi {{referrer.first_name}}!";
    OK(b->template_update(b, PA, &reworded));
    /* A failed write leaves the transaction usable and its earlier writes in place. */
    OK(b->commit(b));
    expect_template(b, PA, &reworded);
    expect_template(b, PA, &p2);
    expect_template(b, PA, &wide);
    expect_no_template(b, PA, "P9", "other.name");
    assert_visited(scan_templates(b, PA, NULL, NULL, 0), (unsigned int[]){3}, 1);
    assert_visited(scan_templates(b, PA, "P1", NULL, 0), (unsigned int[]){1}, 1);
    assert_visited(scan_templates(b, PA, "P2", NULL, 0), (unsigned int[]){2}, 1);
    assert_visited(scan_templates(b, PA, "P9", NULL, 0), NULL, 0);

    /* A name given up is free again: P2's moves on, and the practice-wide one into a programme. */
    rf_template_record wide_moved = template_rec(uid(3), "P3", "ask.sms");
    OK(b->begin(b));
    OK(b->template_update(b, PA, &rename));
    OK(b->template_update(b, PA, &wide_moved));
    OK(b->template_insert(b, PA, &wide_again));
    rf_template_record p2_new = template_rec(uid(5), "P2", "ask.sms");
    OK(b->template_insert(b, PA, &p2_new));
    OK(b->commit(b));
    expect_template(b, PA, &rename);
    expect_template(b, PA, &wide_moved);
    expect_template(b, PA, &wide_again);
    expect_template(b, PA, &p2_new);
    assert_visited(scan_templates(b, PA, NULL, NULL, 0), (unsigned int[]){4}, 1);
    assert_visited(scan_templates(b, PA, "P2", NULL, 0), (unsigned int[]){2, 5}, 2);

    /* Names and programme ids are bytes: another case is another template. */
    rf_template_record upper = template_rec(uid(6), "P1", "ASK.sms");
    rf_template_record lower_prog = template_rec(uid(7), "p1", "ask.sms");
    OK(b->begin(b));
    OK(b->template_insert(b, PA, &upper));
    OK(b->template_insert(b, PA, &lower_prog));
    OK(b->commit(b));
    expect_template(b, PA, &upper);
    expect_template(b, PA, &lower_prog);
    expect_template(b, PA, &reworded);
}

static void test_template_not_found(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v4(b);
    /* Twice: in a practice never written, then in one that has templates. */
    for (int round = 0; round < 2; round++) {
        expect_no_template(b, PA, NULL, "x");
        expect_no_template(b, PA, "P1", "x");
        OK(b->begin(b));
        rf_template_record missing = template_rec(uid(9), "P1", "x");
        assert_status(RF_ENOTFOUND, b->template_update(b, PA, &missing));
        if (round == 0) {
            assert_visited(scan_templates(b, PA, NULL, NULL, 0), NULL, 0);
            assert_visited(scan_templates(b, PA, "P1", NULL, 0), NULL, 0);
            rf_template_record named = template_rec(uid(1), "P2", "x");
            rf_template_record wide = template_rec(uid(2), NULL, "y");
            OK(b->template_insert(b, PA, &named));
            OK(b->template_insert(b, PA, &wide));
        }
        OK(b->commit(b));
    }
    /* A programme's template is not practice-wide, nor the other way round; names are exact. */
    expect_no_template(b, PA, NULL, "x");
    expect_no_template(b, PA, "P2", "y");
    expect_no_template(b, PA, "P2", "x.");
    expect_no_template(b, PA, "P2", uid(1)); /* an id is not a name */
    /* The failed updates created nothing. */
    assert_visited(scan_templates(b, PA, "P1", NULL, 0), NULL, 0);
    assert_visited(scan_templates(b, PA, "P2", NULL, 0), (unsigned int[]){1}, 1);
    assert_visited(scan_templates(b, PA, NULL, NULL, 0), (unsigned int[]){2}, 1);
}

static void test_template_scan(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v4(b);
    /* Templates 1..12 out of order: 3, 6, 9, 12 practice-wide, the other odd ones in P1, even in P2. */
    static const unsigned int order[] = {5, 2, 8, 1, 10, 7, 3, 6, 12, 9, 4, 11};
    OK(b->begin(b));
    for (size_t i = 0; i < 12; i++) {
        unsigned int n = order[i];
        rf_template_record r = template_rec(uid(n),
                                            n % 3 == 0   ? NULL
                                            : n % 2 != 0 ? "P1"
                                                         : "P2",
                                            text("t-%u", n));
        OK(b->template_insert(b, PA, &r));
    }
    rf_template_record other = template_rec(uid(13), "P1", "t-13");
    rf_template_record other_wide = template_rec(uid(14), NULL, "t-14");
    OK(b->template_insert(b, PB, &other));
    OK(b->template_insert(b, PB, &other_wide));
    OK(b->commit(b));

    assert_visited(scan_templates(b, PA, "P1", NULL, 0), (unsigned int[]){1, 5, 7, 11}, 4);
    assert_visited(scan_templates(b, PA, "P2", NULL, 0), (unsigned int[]){2, 4, 8, 10}, 4);
    /* No programme: the practice-wide ones only, never every template. */
    assert_visited(scan_templates(b, PA, NULL, NULL, 0), (unsigned int[]){3, 6, 9, 12}, 4);
    /* Paging goes on after the last one visited. */
    assert_visited(scan_templates(b, PA, "P1", NULL, 2), (unsigned int[]){1, 5}, 2);
    assert_visited(scan_templates(b, PA, "P1", uid(5), 2), (unsigned int[]){7, 11}, 2);
    assert_visited(scan_templates(b, PA, "P1", uid(11), 2), NULL, 0);
    assert_visited(scan_templates(b, PA, NULL, NULL, 3), (unsigned int[]){3, 6, 9}, 3);
    assert_visited(scan_templates(b, PA, NULL, uid(9), 3), (unsigned int[]){12}, 1);
    assert_visited(scan_templates(b, PA, NULL, uid(12), 0), NULL, 0);
    /* after_id need not exist: this one sorts between uid(4) and uid(5). */
    assert_visited(scan_templates(b, PA, "P2", "0190a1b2-0000-7000-8000-0000000000041", 0),
                   (unsigned int[]){8, 10}, 2);
    assert_visited(scan_templates(b, PA, "P9", NULL, 0), NULL, 0);
    assert_visited(scan_templates(b, PA, "p1", NULL, 0), NULL, 0); /* bytes */
    assert_visited(scan_templates(b, PA, "", NULL, 0), NULL, 0);   /* "" is a programme id, not none */
    assert_visited(scan_templates(b, PB, "P1", NULL, 0), (unsigned int[]){13}, 1);
    assert_visited(scan_templates(b, PB, NULL, NULL, 0), (unsigned int[]){14}, 1);
    assert_visited(scan_templates(b, PB, "P2", NULL, 0), NULL, 0);
    assert_visited(scan_templates(b, "c", NULL, NULL, 0), NULL, 0);

    /* The callback stops the scan. */
    visits *v = visits_new(2);
    OK(b->template_scan(b, PA, NULL, uid(3), 0, on_template, v));
    assert_visited(v, (unsigned int[]){6, 9}, 2);

    /* Updates move templates between programmes and in and out of the practice-wide ones. */
    rf_template_record to_p2 = template_rec(uid(1), "P2", "t-1");
    rf_template_record to_wide = template_rec(uid(2), NULL, "t-2");
    rf_template_record to_p1 = template_rec(uid(3), "P1", "t-3");
    OK(b->begin(b));
    OK(b->template_update(b, PA, &to_p2));
    OK(b->template_update(b, PA, &to_wide));
    OK(b->template_update(b, PA, &to_p1));
    OK(b->commit(b));
    assert_visited(scan_templates(b, PA, "P1", NULL, 0), (unsigned int[]){3, 5, 7, 11}, 4);
    assert_visited(scan_templates(b, PA, "P2", NULL, 0), (unsigned int[]){1, 4, 8, 10}, 4);
    assert_visited(scan_templates(b, PA, NULL, NULL, 0), (unsigned int[]){2, 6, 9, 12}, 4);
}

static void test_template_practices(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    need_v4(b);
    /* The same id, and the same (programme, name), in two practices: two templates each. */
    rf_template_record a = template_rec(uid(1), "P1", "ask.sms");
    a.body = "practice a";
    rf_template_record pb = template_rec(uid(1), "P1", "ask.sms");
    pb.body = "practice b";
    rf_template_record a_wide = template_rec(uid(2), NULL, "thanks");
    rf_template_record pb_wide = template_rec(uid(2), NULL, "thanks");
    pb_wide.subject = NULL;
    OK(b->begin(b));
    OK(b->template_insert(b, PA, &a));
    OK(b->template_insert(b, PB, &pb));
    OK(b->template_insert(b, PA, &a_wide));
    OK(b->template_insert(b, PB, &pb_wide));
    OK(b->commit(b));
    expect_template(b, PA, &a);
    expect_template(b, PB, &pb);
    expect_template(b, PA, &a_wide);
    expect_template(b, PB, &pb_wide);

    /* An update in one practice leaves the other alone. */
    rf_template_record moved = a;
    moved.program_id = "P2";
    OK(b->begin(b));
    OK(b->template_update(b, PA, &moved));
    OK(b->commit(b));
    expect_template(b, PB, &pb);
    expect_no_template(b, PA, "P1", "ask.sms");
    assert_visited(scan_templates(b, PB, "P1", NULL, 0), (unsigned int[]){1}, 1);
    assert_visited(scan_templates(b, PA, "P1", NULL, 0), NULL, 0);
    expect_no_template(b, "c", "P1", "ask.sms");
    expect_no_template(b, "c", NULL, "thanks");
    /* A missing id in one practice is missing even though the other has it. */
    rf_template_record only_b = template_rec(uid(3), "P1", "only.b");
    OK(b->begin(b));
    OK(b->template_insert(b, PB, &only_b));
    assert_status(RF_ENOTFOUND, b->template_update(b, PA, &only_b));
    OK(b->commit(b));
    expect_no_template(b, PA, "P1", "only.b");
    assert_visited(scan_templates(b, PA, "P1", NULL, 0), NULL, 0);
    assert_visited(scan_templates(b, PB, "P1", NULL, 0), (unsigned int[]){1, 3}, 2);
}

static void test_template_rollback(void **state)
{
    fixture *fx = *state;
    rf_backend *b = fx->b;
    need_v4(b);
    rf_template_record base = template_rec(uid(1), "P1", "ask.sms");
    OK(b->begin(b));
    OK(b->template_insert(b, PA, &base));
    OK(b->commit(b));

    /* Writes need a transaction. */
    rf_template_record t2 = template_rec(uid(2), NULL, "ask.sms");
    rf_template_record renamed = template_rec(uid(1), NULL, "ask.email");
    assert_status(RF_EBACKEND, b->template_insert(b, PA, &t2));
    assert_status(RF_EBACKEND, b->template_update(b, PA, &renamed));
    expect_template(b, PA, &base);
    expect_no_template(b, PA, NULL, "ask.sms");

    /* An inner level rolled back, the outer one committed; then one level rolled back whole. */
    rf_template_record kept = template_rec(uid(3), "P3", "ask.sms");
    OK(b->begin(b));
    OK(b->template_insert(b, PA, &kept));
    OK(b->begin(b));
    OK(b->template_update(b, PA, &renamed));
    OK(b->begin(b));
    /* The name the rename gave up is free inside the transaction. */
    rf_template_record taker = template_rec(uid(4), "P1", "ask.sms");
    OK(b->template_insert(b, PA, &taker));
    OK(b->template_insert(b, PA, &t2));
    OK(b->commit(b)); /* folds into the level that is rolled back next */
    OK(b->rollback(b));
    OK(b->commit(b));
    for (int round = 0; round < 2; round++) {
        expect_template(b, PA, &base);
        expect_template(b, PA, &kept);
        expect_no_template(b, PA, NULL, "ask.email");
        expect_no_template(b, PA, NULL, "ask.sms");
        assert_visited(scan_templates(b, PA, "P1", NULL, 0), (unsigned int[]){1}, 1);
        assert_visited(scan_templates(b, PA, NULL, NULL, 0), NULL, 0);
        /* The name is its first holder's again, not the rolled-back taker's. */
        rf_template_record p1_again = template_rec(uid(5), "P1", "ask.sms");
        OK(b->begin(b));
        assert_status(RF_EEXISTS, b->template_insert(b, PA, &p1_again));
        OK(b->template_update(b, PA, &renamed));
        OK(b->template_insert(b, PA, &t2));
        OK(b->rollback(b));
    }
    /* Everything undone can be written again, and then sticks. */
    OK(b->begin(b));
    OK(b->template_update(b, PA, &renamed));
    OK(b->template_insert(b, PA, &t2));
    OK(b->template_insert(b, PA, &taker));
    OK(b->commit(b));
    expect_template(b, PA, &renamed);
    expect_template(b, PA, &t2);
    expect_template(b, PA, &taker);
    assert_visited(scan_templates(b, PA, NULL, NULL, 0), (unsigned int[]){1, 2}, 2);

    /* Freeing with levels open keeps only what was committed. */
    rf_template_record back = base;
    back.program_id = "P9";
    OK(b->begin(b));
    OK(b->template_update(b, PA, &back));
    OK(b->begin(b));
    rf_template_record t6 = template_rec(uid(6), NULL, "late");
    OK(b->template_insert(b, PA, &t6));
    b = free_and_reopen(fx);
    if (b == NULL) {
        return;
    }
    expect_template(b, PA, &renamed);
    expect_no_template(b, PA, "P9", "ask.sms");
    expect_no_template(b, PA, NULL, "late");
    assert_visited(scan_templates(b, PA, NULL, NULL, 0), (unsigned int[]){1, 2}, 2);
}

const struct CMUnitTest template_cases[] = {
    CASE(test_template_round_trip), CASE(test_template_unique_name), CASE(test_template_not_found),
    CASE(test_template_scan),       CASE(test_template_practices),   CASE(test_template_rollback),
};
const size_t template_case_count = sizeof template_cases / sizeof template_cases[0];
