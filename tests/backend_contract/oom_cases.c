/* The allocation-failure contract case for the version 1 and 2 writes (the hook is in oom_hook.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "oom_hook.h"

/* --- out of memory ------------------------------------------------------------------------------
 * Each write runs with allocations failing from the k-th on, k = 0, 1, ... until it succeeds.
 * Every failed attempt must return RF_ENOMEM and leave the records exactly as they were. */

#define OOM_ROUNDS 40

typedef int (*oom_write)(rf_backend *b, unsigned int i);
typedef void (*oom_check)(rf_backend *b, unsigned int i);

static const char *oom_party(unsigned int i)
{
    return uid(1000 + i);
}

static const char *oom_code(unsigned int i)
{
    return uid(2000 + i);
}

/* Failed attempts over the whole case: proves the allocation hook is in force. */
static unsigned long oom_failures;

static void under_oom(rf_backend *b, unsigned int i, oom_write write, oom_check unchanged)
{
    for (long k = 0;; k++) {
        assert_true(k < 1000);
        rf_error_clear();
        oom_fail_after(k);
        int rc = write(b, i);
        oom_fail_after(-1);
        if (rc == RF_OK) {
            return;
        }
        assert_int_equal(rc, RF_ENOMEM);
        assert_int_equal(rf_error_last()->code, RF_ENOMEM);
        oom_failures++;
        unchanged(b, i);
    }
}

static int oom_party_insert(rf_backend *b, unsigned int i)
{
    rf_party_record r = party(oom_party(i), text("ext-%u", i), text("ek-%u", i % 4), text("pk-%u", i), 1);
    return b->party_insert(b, PA, &r);
}

static void before_party_insert(rf_backend *b, unsigned int i)
{
    rf_party_record p;
    expect_no_party(b, PA, oom_party(i));
    assert_status(RF_ENOTFOUND, b->party_get_by_external(b, PA, text("ext-%u", i), &p));
    visits *v = scan_parties(b, PA, NULL, 0, NULL, 0);
    assert_int_equal(v->n, i);
    free(v);
    assert_visited(scan_parties(b, PA, NULL, 0, text("pk-%u", i), 0), NULL, 0);
    v = scan_parties(b, PA, NULL, 0, text("ek-%u", i % 4), 0);
    assert_int_equal(v->n, i / 4); /* the j < i with j % 4 == i % 4 */
    free(v);
}

static int oom_party_update(rf_backend *b, unsigned int i)
{
    rf_party_record r = party(oom_party(i), text("ext2-%u", i), text("ek-%u", i % 4), text("pk2-%u", i), 2);
    return b->party_update(b, PA, &r);
}

static void before_party_update(rf_backend *b, unsigned int i)
{
    rf_party_record p;
    OK(b->party_get(b, PA, oom_party(i), &p));
    assert_string_equal(p.external_id, text("ext-%u", i));
    assert_int_equal(p.kind, 1);
    OK(b->party_get_by_external(b, PA, text("ext-%u", i), &p));
    assert_status(RF_ENOTFOUND, b->party_get_by_external(b, PA, text("ext2-%u", i), &p));
    assert_visited(scan_parties(b, PA, NULL, 0, text("pk2-%u", i), 0), NULL, 0);
    assert_visited(scan_parties(b, PA, NULL, 0, text("pk-%u", i), 0), (unsigned int[]){1000 + i}, 1);
}

static int oom_code_insert(rf_backend *b, unsigned int i)
{
    rf_code_record r = code(oom_code(i), text("KEY-%u", i), oom_party(i % 3));
    return b->code_insert(b, PA, &r);
}

static void before_code_insert(rf_backend *b, unsigned int i)
{
    rf_code_record c;
    assert_status(RF_ENOTFOUND, b->code_get(b, PA, oom_code(i), &c));
    assert_status(RF_ENOTFOUND, b->code_get_by_key(b, PA, text("KEY-%u", i), &c));
    visits *v = scan_codes(b, PA, NULL, NULL, 0);
    assert_int_equal(v->n, i);
    free(v);
}

static int oom_code_update(rf_backend *b, unsigned int i)
{
    rf_code_record r = code(oom_code(i), text("KEY2-%u", i), oom_party((i + 1) % 3));
    return b->code_update(b, PA, &r);
}

static void before_code_update(rf_backend *b, unsigned int i)
{
    rf_code_record c;
    OK(b->code_get_by_key(b, PA, text("KEY-%u", i), &c));
    assert_string_equal(c.owner_id, oom_party(i % 3));
    assert_status(RF_ENOTFOUND, b->code_get_by_key(b, PA, text("KEY2-%u", i), &c));
    /* Code i has the highest id so far: last in its owner's list, absent from the next owner's. */
    visits *v = scan_codes(b, PA, NULL, oom_party(i % 3), 0);
    assert_true(v->n > 0);
    assert_string_equal(v->ids[v->n - 1], oom_code(i));
    free(v);
    v = scan_codes(b, PA, NULL, oom_party((i + 1) % 3), 0);
    assert_true(v->n == 0 || strcmp(v->ids[v->n - 1], oom_code(i)) != 0);
    free(v);
}

static int oom_append(rf_backend *b, unsigned int i)
{
    rf_event_record ev = event("party.added", oom_party(i));
    int64_t seq = 0;
    int rc = b->journal_append(b, PA, &ev, &seq);
    assert_true(rc != RF_OK || seq == (int64_t)i + 1);
    return rc;
}

static void before_append(rf_backend *b, unsigned int i)
{
    assert_int_equal(last_seq(b, PA), i);
}

static int oom_idempotency(rf_backend *b, unsigned int i)
{
    rf_idempotency_record k = idem(text("key-%u", i), oom_party(i));
    return b->idempotency_put(b, PA, &k);
}

static void before_idempotency(rf_backend *b, unsigned int i)
{
    rf_idempotency_record k;
    assert_status(RF_ENOTFOUND, b->idempotency_get(b, PA, text("key-%u", i), &k));
}

/* Version 2 records: programmes, touches and referrals. */

static const char *oom_program(unsigned int i)
{
    return uid(3000 + i);
}

static const char *oom_touch(unsigned int i)
{
    return uid(4000 + i);
}

static const char *oom_referral(unsigned int i)
{
    return uid(5000 + i);
}

static int oom_program_insert(rf_backend *b, unsigned int i)
{
    rf_program_record r = program(oom_program(i), text("prog-%u", i));
    return b->program_insert(b, PA, &r);
}

static void before_program_insert(rf_backend *b, unsigned int i)
{
    rf_program_record p;
    assert_status(RF_ENOTFOUND, b->program_get(b, PA, oom_program(i), &p));
    assert_status(RF_ENOTFOUND, b->program_get_by_name(b, PA, text("prog-%u", i), &p));
    visits *v = scan_programs(b, PA, NULL, 0);
    assert_int_equal(v->n, i);
    free(v);
}

static int oom_program_update(rf_backend *b, unsigned int i)
{
    rf_program_record r = program(oom_program(i), text("prog2-%u", i));
    r.settings = "changed=1";
    return b->program_update(b, PA, &r);
}

static void before_program_update(rf_backend *b, unsigned int i)
{
    rf_program_record p;
    OK(b->program_get(b, PA, oom_program(i), &p));
    assert_string_equal(p.name, text("prog-%u", i));
    OK(b->program_get_by_name(b, PA, text("prog-%u", i), &p));
    assert_string_equal(p.id, oom_program(i));
    assert_status(RF_ENOTFOUND, b->program_get_by_name(b, PA, text("prog2-%u", i), &p));
}

static int oom_touch_insert(rf_backend *b, unsigned int i)
{
    rf_touch_record r = touch(oom_touch(i), text("visitor-%u", i % 3), (rf_time)i);
    return b->touch_insert(b, PA, &r);
}

static void before_touch_insert(rf_backend *b, unsigned int i)
{
    rf_touch_record t;
    assert_status(RF_ENOTFOUND, b->touch_get(b, PA, oom_touch(i), &t));
    rf_touch_query q = touch_query();
    visits *v = scan_touches(b, PA, &q);
    assert_int_equal(v->n, i);
    free(v);
    q.visitor_key = text("visitor-%u", i % 3);
    v = scan_touches(b, PA, &q);
    assert_int_equal(v->n, i / 3); /* the j < i with j % 3 == i % 3 */
    free(v);
}

static rf_referral_record oom_referral_record(unsigned int i)
{
    rf_referral_record r = referral(oom_referral(i), text("P%u", i % 2), text("R%u", i % 3), text("E-%u", i),
                                    i % 2 != 0 ? text("T%u", i % 4) : NULL, 1 + (int)(i % 2), (rf_time)i);
    r.attribution_key = text("E-%u", i);
    return r;
}

static int oom_referral_insert(rf_backend *b, unsigned int i)
{
    rf_referral_record r = oom_referral_record(i);
    return b->referral_insert(b, PA, &r);
}

static void before_referral_insert(rf_backend *b, unsigned int i)
{
    rf_referral_record r;
    assert_status(RF_ENOTFOUND, b->referral_get(b, PA, oom_referral(i), &r));
    rf_referral_query q = referral_query();
    visits *v = scan_referrals(b, PA, &q);
    assert_int_equal(v->n, i);
    free(v);
    q.referee_id = text("E-%u", i);
    assert_visited(scan_referrals(b, PA, &q), NULL, 0);
    /* The key is still free: a probe that takes it is undone at once. */
    OK(b->begin(b));
    rf_referral_record probe = referral(uid(5999), "P", "R", "E", NULL, 1, 0);
    probe.attribution_key = text("E-%u", i);
    OK(b->referral_insert(b, PA, &probe));
    OK(b->rollback(b));
}

static int oom_referral_update(rf_backend *b, unsigned int i)
{
    rf_referral_record r = oom_referral_record(i);
    r.referrer_id = text("R%u", (i + 1) % 3);
    r.target_id = text("T-new-%u", i);
    r.attribution_key = text("E2-%u", i);
    r.state = 5;
    r.reached_at[5] = 10000 + (rf_time)i;
    return b->referral_update(b, PA, &r);
}

static void before_referral_update(rf_backend *b, unsigned int i)
{
    rf_referral_record want = oom_referral_record(i);
    rf_referral_record got;
    OK(b->referral_get(b, PA, oom_referral(i), &got));
    assert_referral(&want, &got);
    rf_referral_query q = referral_query();
    q.target_id = text("T-new-%u", i);
    assert_visited(scan_referrals(b, PA, &q), NULL, 0);
    /* Referral i has the highest id so far: last in its referrer's list, absent from the next. */
    q = referral_query();
    q.referrer_id = text("R%u", i % 3);
    visits *v = scan_referrals(b, PA, &q);
    assert_true(v->n > 0);
    assert_string_equal(v->ids[v->n - 1], oom_referral(i));
    free(v);
    q.referrer_id = text("R%u", (i + 1) % 3);
    v = scan_referrals(b, PA, &q);
    assert_true(v->n == 0 || strcmp(v->ids[v->n - 1], oom_referral(i)) != 0);
    free(v);
}

static int oom_begin(rf_backend *b, unsigned int i)
{
    (void)i;
    return b->begin(b);
}

static void before_nothing(rf_backend *b, unsigned int i)
{
    (void)b;
    (void)i;
}

/* Every version 2 write made under pressure is there, with every index it belongs to. */
static void check_v2_after_oom(rf_backend *b)
{
    rf_program_record p;
    rf_touch_record t;
    rf_referral_record r;
    visits *v = scan_programs(b, PA, NULL, 0);
    assert_int_equal(v->n, OOM_ROUNDS);
    free(v);
    rf_touch_query tq = touch_query();
    v = scan_touches(b, PA, &tq);
    assert_int_equal(v->n, OOM_ROUNDS);
    free(v);
    rf_referral_query q = referral_query();
    v = scan_referrals(b, PA, &q);
    assert_int_equal(v->n, OOM_ROUNDS);
    free(v);
    for (unsigned int i = 0; i < OOM_ROUNDS; i++) {
        OK(b->program_get_by_name(b, PA, text("prog2-%u", i), &p));
        assert_string_equal(p.id, oom_program(i));
        assert_string_equal(p.settings, "changed=1");
        assert_status(RF_ENOTFOUND, b->program_get_by_name(b, PA, text("prog-%u", i), &p));
        OK(b->touch_get(b, PA, oom_touch(i), &t));
        assert_int_equal(t.at, i);
        OK(b->referral_get(b, PA, oom_referral(i), &r));
        assert_string_equal(r.attribution_key, text("E2-%u", i));
        assert_int_equal(r.reached_at[5], 10000 + i);
        q = referral_query();
        q.target_id = text("T-new-%u", i);
        assert_visited(scan_referrals(b, PA, &q), (unsigned int[]){5000 + i}, 1);
    }
    for (unsigned int k = 0; k < 3; k++) {
        tq = touch_query();
        tq.visitor_key = text("visitor-%u", k);
        v = scan_touches(b, PA, &tq);
        assert_int_equal(v->n, (OOM_ROUNDS + 2 - k) / 3);
        free(v);
        q = referral_query();
        q.referrer_id = text("R%u", k);
        v = scan_referrals(b, PA, &q);
        assert_int_equal(v->n, (OOM_ROUNDS + 2 - (k + 2) % 3) / 3);
        free(v);
    }
    for (unsigned int k = 0; k < 4; k++) {
        q = referral_query();
        q.target_id = text("T%u", k);
        assert_visited(scan_referrals(b, PA, &q), NULL, 0);
    }
}

static void test_out_of_memory(void **state)
{
    fixture *fx = *state;
    if (!fx->f->oom_testable || !oom_hook_ready()) {
        skip();
    }
    /* A backend of the case's own, so that the block count covers its whole life; the fixture
     * holds it so that teardown frees it if an assertion ends the case early. */
    fx->b->free(fx->b);
    fx->b = NULL;
    long live_before = oom_live_blocks();
    for (long k = 0;; k++) {
        fx->b = (rf_backend *)fx;
        oom_fail_after(k);
        rf_status rc = fx->f->open(&fx->b, fx->path);
        oom_fail_after(-1);
        if (rc == RF_OK) {
            break;
        }
        assert_int_equal(rc, RF_ENOMEM);
        assert_null(fx->b);
        assert_int_equal(oom_live_blocks(), live_before);
    }
    rf_backend *b = fx->b;
    need_v2(b);

    under_oom(b, 0, oom_begin, before_nothing);
    for (unsigned int i = 0; i < OOM_ROUNDS; i++) {
        under_oom(b, i, oom_party_insert, before_party_insert);
        under_oom(b, i, oom_party_update, before_party_update);
        under_oom(b, i, oom_code_insert, before_code_insert);
        under_oom(b, i, oom_code_update, before_code_update);
        under_oom(b, i, oom_append, before_append);
        under_oom(b, i, oom_idempotency, before_idempotency);
        under_oom(b, i, oom_program_insert, before_program_insert);
        under_oom(b, i, oom_program_update, before_program_update);
        under_oom(b, i, oom_touch_insert, before_touch_insert);
        under_oom(b, i, oom_referral_insert, before_referral_insert);
        under_oom(b, i, oom_referral_update, before_referral_update);
        if (i % 8 == 0) {
            /* An inner level opened under pressure rolls back to exactly where it began. */
            under_oom(b, i, oom_begin, before_nothing);
            OK(oom_party_insert(b, 100 + i));
            OK(b->rollback(b));
            expect_no_party(b, PA, oom_party(100 + i));
        }
    }
    OK(b->commit(b));

    rf_party_record p;
    rf_code_record c;
    rf_idempotency_record k;
    visits *v = scan_parties(b, PA, NULL, 0, NULL, 0);
    assert_int_equal(v->n, OOM_ROUNDS);
    free(v);
    v = scan_codes(b, PA, NULL, NULL, 0);
    assert_int_equal(v->n, OOM_ROUNDS);
    free(v);
    for (unsigned int i = 0; i < OOM_ROUNDS; i++) {
        OK(b->party_get_by_external(b, PA, text("ext2-%u", i), &p));
        assert_string_equal(p.id, oom_party(i));
        assert_visited(scan_parties(b, PA, NULL, 0, text("pk2-%u", i), 0), (unsigned int[]){1000 + i}, 1);
        OK(b->code_get_by_key(b, PA, text("KEY2-%u", i), &c));
        assert_string_equal(c.owner_id, oom_party((i + 1) % 3));
        OK(b->idempotency_get(b, PA, text("key-%u", i), &k));
    }
    for (unsigned int o = 0; o < 3; o++) {
        v = scan_codes(b, PA, NULL, oom_party(o), 0);
        assert_int_equal(v->n, (OOM_ROUNDS + 2 - (o + 2) % 3) / 3);
        free(v);
    }
    assert_int_equal(last_seq(b, PA), OOM_ROUNDS);
    assert_true(oom_failures >= 11 * OOM_ROUNDS);
    check_v2_after_oom(b);

    /* Left open on purpose: freeing must release writes made under pressure too. */
    OK(b->begin(b));
    OK(oom_party_insert(b, OOM_ROUNDS));
    b->free(b);
    fx->b = NULL;
    assert_int_equal(oom_live_blocks(), live_before);
}

const struct CMUnitTest oom_cases[] = {
    CASE(test_out_of_memory),
};
const size_t oom_case_count = sizeof oom_cases / sizeof oom_cases[0];
