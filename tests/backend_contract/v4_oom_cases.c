/* Allocation-failure contract cases for the version 4 writes: client events, outbox tasks and
 * message templates. The rounds (oom_rounds.c) run each write with allocations failing from the
 * k-th on until it succeeds, and check after each failure that the records below are as they were:
 * every scan's view of them, and their gets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oom_rounds.h"

/* Enough records that every vector and hash map the writes touch grows several times over. */
#define V4_ROUNDS 40

/* Small values and values past 63, where a backend may share an index entry between values. */
static const int small_and_large[] = {1, 2, 3, 70, 71};
#define N_VALUES (sizeof small_and_large / sizeof small_and_large[0])

/* --- the records ------------------------------------------------------------------------------- */

static rf_client_event_record event_rec(unsigned int i)
{
    rf_client_event_record r = client_event(uid(9000 + i), text("party-%u", i % 3),
                                            small_and_large[i % N_VALUES], 100 * (rf_time)i - 500);
    if (i % 2 != 0) {
        r.practitioner_id = NULL;
        r.label = text("a label long enough to need a block of its own, round %u", i);
    }
    return r;
}

/* Referral ref-<i % 4>, none for every fourth. */
static const char *task_referral(unsigned int i)
{
    return i % 4 == 3 ? NULL : text("ref-%u", i % 4);
}

static rf_task_record task_rec(unsigned int i, int updated)
{
    rf_task_record r =
        task(uid(10000 + i), text("tk-%u", i), text("party-%u", i % 3), task_referral(i),
             small_and_large[i % N_VALUES], small_and_large[(i + 1) % N_VALUES], 100 * (rf_time)i);
    if (updated) {
        /* The key stays; every grouping (party, referral, state) moves to another group. */
        r.party_id = text("party-%u", (i + 1) % 3);
        r.referral_id = task_referral(i + 1);
        r.state = small_and_large[(i + 3) % N_VALUES];
        r.lease_owner = text("worker-%u", i % 2);
        r.lease_until = 100 * (rf_time)i + 60;
        r.attempts = 1;
        r.data = NULL;
        r.last_error = text("a delivery error text that has grown, round %u", i);
        r.updated_at += 1;
    }
    return r;
}

/* (programme, name) pairs: name t-<i / 3> in prog-0, prog-1 and practice-wide, so that a name's
 * templates are several; an update moves to u-<i / 3> under the next of the three. */
static const char *template_program(unsigned int i)
{
    return i % 3 == 2 ? NULL : text("prog-%u", i % 3);
}

static rf_template_record template_rec_of(unsigned int i, int updated)
{
    rf_template_record r = template_rec(uid(11000 + i), template_program(i), text("t-%u", i / 3));
    if (updated) {
        r.program_id = template_program(i + 1);
        r.name = text("u-%u", i / 3);
        r.subject = NULL;
        r.body = text("A longer body after the update: {{referrer.first_name}} and round %u.", i);
        r.updated_at += 1;
    }
    return r;
}

/* --- digests: every record, in every order the backend can list it ---------------------------- */

static void put_practice(rf_backend *b, const char *practice, digest *d)
{
    rf_client_event_query eq = client_event_query();
    OK(b->client_event_scan(b, practice, &eq, digest_client_event, d));
    for (unsigned int g = 0; g < 3 + N_VALUES; g++) {
        eq = client_event_query();
        if (g < 3) {
            eq.party_id = text("party-%u", g);
        } else {
            eq.type = small_and_large[g - 3];
        }
        digest_put(d, "events %u:", g);
        OK(b->client_event_scan(b, practice, &eq, digest_client_event_id, d));
        digest_put(d, "\n");
    }

    rf_task_query tq = task_query();
    OK(b->task_scan(b, practice, &tq, digest_task, d));
    /* One grouping at a time: parties party-0..2, referrals ref-0..3, every state. */
    for (unsigned int g = 0; g < 7 + N_VALUES; g++) {
        tq = task_query();
        if (g < 3) {
            tq.party_id = text("party-%u", g);
        } else if (g < 7) {
            tq.referral_id = text("ref-%u", g - 3);
        } else {
            tq.state = small_and_large[g - 7];
        }
        digest_put(d, "tasks %u:", g);
        OK(b->task_scan(b, practice, &tq, digest_task_id, d));
        digest_put(d, "\n");
    }
    /* The drain, half way through. */
    tq = task_query();
    tq.state = 2;
    tq.due_by = 2000;
    tq.lease_free_at = 2000;
    digest_put(d, "due:");
    OK(b->task_scan(b, practice, &tq, digest_task_id, d));
    digest_put(d, "\n");

    for (unsigned int p = 0; p < 3; p++) {
        const char *program_id = template_program(p);
        digest_put(d, "templates %s:\n", program_id != NULL ? program_id : "(practice)");
        OK(b->template_scan(b, practice, program_id, NULL, 0, digest_template, d));
    }
}

/* --- the writes, and what each failed one must have left -------------------------------------- */

static int event_insert(rf_backend *b, unsigned int i)
{
    rf_client_event_record r = event_rec(i);
    return b->client_event_insert(b, PA, &r);
}

static int task_insert(rf_backend *b, unsigned int i)
{
    rf_task_record r = task_rec(i, 0);
    return b->task_insert(b, PA, &r);
}

static int task_update(rf_backend *b, unsigned int i)
{
    rf_task_record r = task_rec(i, 1);
    return b->task_update(b, PA, &r);
}

static int template_insert(rf_backend *b, unsigned int i)
{
    rf_template_record r = template_rec_of(i, 0);
    return b->template_insert(b, PA, &r);
}

static int template_update(rf_backend *b, unsigned int i)
{
    rf_template_record r = template_rec_of(i, 1);
    return b->template_update(b, PA, &r);
}

/* Events have no get: the digest's scans are all there is to read. */
static void no_event(rf_backend *b, unsigned int i)
{
    (void)b;
    (void)i;
}

static void no_task(rf_backend *b, unsigned int i)
{
    expect_no_task(b, PA, uid(10000 + i), text("tk-%u", i));
}

static void task_is(rf_backend *b, const rf_task_record *want, const char *how)
{
    digest *expected = digest_new();
    digest_task(want, expected);
    rf_task_record got;
    OK(b->task_get(b, PA, want->id, &got));
    digest *seen = digest_new();
    digest_task(&got, seen);
    expect_digest(expected, seen, oom_context(how));
    OK(b->task_get_by_key(b, PA, want->task_key, &got));
    seen = digest_new();
    digest_task(&got, seen);
    expect_digest(expected, seen, oom_context(how));
    digest_free(expected);
}

static void old_task(rf_backend *b, unsigned int i)
{
    rf_task_record r = task_rec(i, 0);
    task_is(b, &r, "reading the task by id and key");
}

static void template_is(rf_backend *b, const rf_template_record *want, const char *how)
{
    digest *expected = digest_new();
    digest_template(want, expected);
    rf_template_record got;
    OK(b->template_get_by_name(b, PA, want->program_id, want->name, &got));
    digest *seen = digest_new();
    digest_template(&got, seen);
    expect_digest(expected, seen, oom_context(how));
    digest_free(expected);
}

static void no_template(rf_backend *b, unsigned int i)
{
    rf_template_record r = template_rec_of(i, 0);
    expect_no_template(b, PA, r.program_id, r.name);
}

static void old_template(rf_backend *b, unsigned int i)
{
    rf_template_record r = template_rec_of(i, 0);
    template_is(b, &r, "reading the template by name");
    r = template_rec_of(i, 1);
    expect_no_template(b, PA, r.program_id, r.name);
}

/* A failed insert must leave its id and keys free, which the next attempt proves by not failing
 * with RF_EEXISTS. */
static const oom_op writes[] = {
    {"client_event_insert", event_insert, no_event},
    {"task_insert", task_insert, no_task},
    {"task_update", task_update, old_task},
    {"template_insert", template_insert, no_template},
    {"template_update", template_update, old_template},
};

/* A record of each kind in the other practice, with round 0's keys, which no failure in PA may
 * touch. */
static void seed_other_practice(rf_backend *b)
{
    rf_client_event_record e = client_event(uid(9900), "party-0", 1, 0);
    rf_task_record t = task(uid(10900), "tk-0", "party-0", "ref-0", 1, 2, 0);
    rf_template_record p = template_rec(uid(11900), "prog-0", "t-0");
    rf_template_record wide = template_rec(uid(11901), NULL, "t-0");
    OK(b->begin(b));
    OK(b->client_event_insert(b, PB, &e));
    OK(b->task_insert(b, PB, &t));
    OK(b->template_insert(b, PB, &p));
    OK(b->template_insert(b, PB, &wide));
    OK(b->commit(b));
}

static void absent(rf_backend *b, unsigned int i)
{
    no_task(b, i);
    no_template(b, i);
}

static void check_gets(rf_backend *b, unsigned int rounds)
{
    for (unsigned int i = 0; i < rounds; i++) {
        rf_task_record t = task_rec(i, 1);
        task_is(b, &t, "reading the task after the rounds");
        rf_template_record r = template_rec_of(i, 1);
        template_is(b, &r, "reading the template after the rounds");
        no_template(b, i);
    }
    rf_client_event_query q = client_event_query();
    visits *v = scan_client_events(b, PA, &q);
    assert_int_equal(v->n, rounds);
    free(v);
}

static const oom_suite v4 = {
    writes, sizeof writes / sizeof writes[0], need_v4, put_practice, seed_other_practice, absent, check_gets,
};

/* --- the cases ---------------------------------------------------------------------------------- */

static void test_v4_out_of_memory(void **state)
{
    oom_long_transaction(*state, &v4, V4_ROUNDS);
}

/* Fewer rounds: SQLite, on disk, loses most transactions it runs out of memory in. */
#define ROUND_ROUNDS 24

static void test_v4_out_of_memory_transaction_per_round(void **state)
{
    oom_transaction_per_round(*state, &v4, ROUND_ROUNDS);
}

const struct CMUnitTest v4_oom_cases[] = {
    CASE(test_v4_out_of_memory),
    CASE(test_v4_out_of_memory_transaction_per_round),
};
const size_t v4_oom_case_count = sizeof v4_oom_cases / sizeof v4_oom_cases[0];
