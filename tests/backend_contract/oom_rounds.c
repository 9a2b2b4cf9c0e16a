/* The out-of-memory rounds of the version 3 and 4 cases: running a suite's writes until they
 * succeed, and proving after each failure that nothing changed.
 *
 * Every failed attempt must return RF_ENOMEM and leave every record and every index exactly as it
 * was, which a digest of every scan (each index a scan can walk) and the suite's gets prove.
 * Nothing may leak: the block count at the end equals the one at the start. Under
 * AddressSanitizer the hook forwards to the sanitizer's allocator, which then checks the failure
 * paths for use after free and, at exit, for leaks as well. */
#include "oom_rounds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oom_hook.h"

/* The suite the running case exercises. */
static const oom_suite *suite;

static digest *take(rf_backend *b)
{
    digest *d = digest_new();
    digest_put(d, "== %s\n", PA);
    suite->put_practice(b, PA, d);
    digest_put(d, "== %s\n", PB);
    suite->put_practice(b, PB, d);
    return d;
}

/* What the case is doing, for failure messages. */
static char doing[160];

const char *oom_context(const char *when)
{
    static char both[300];
    snprintf(both, sizeof both, "%s, %s", doing, when);
    return both;
}

/* The backend's records are exactly those @want was taken of. */
static void same_as(const digest *want, rf_backend *b, const char *when)
{
    expect_digest(want, take(b), oom_context(when));
}

/* Everything the backend allocated since @live_before was freed. */
static void no_leak(long live_before)
{
    long leaked = oom_live_blocks() - live_before;
    if (leaked != 0) {
        fail_msg("%ld blocks allocated during the case were not freed", leaked);
    }
}

/* --- running a write until it succeeds ---------------------------------------------------------- */

/* Failed attempts over a case: proves the allocation hook reached the writes. */
static unsigned long failures;

/* Run @w once with allocations failing after @k; RF_OK, or RF_ENOMEM with the error recorded. */
static int attempt(rf_backend *b, const oom_op *w, unsigned int i, long k)
{
    snprintf(doing, sizeof doing, "%s of round %u, allocations failing after %ld", w->name, i, k);
    assert_true(k < 2000);
    rf_error_clear();
    oom_fail_after(k);
    int rc = w->write(b, i);
    oom_fail_after(-1);
    if (rc != RF_OK) {
        if (rc != RF_ENOMEM || rf_error_last()->code != RF_ENOMEM) {
            fail_msg("%s: returned %d (last error %d: %s), want RF_ENOMEM", doing, rc, rf_error_last()->code,
                     rf_error_last()->message);
        }
        failures++;
    }
    return rc;
}

/* In the open transaction: every failure leaves the level as it was and usable. */
static void in_transaction(rf_backend *b, const oom_op *w, unsigned int i)
{
    digest *before = take(b);
    for (long k = 0; attempt(b, w, i, k) != RF_OK; k++) {
        same_as(before, b, "after the failure");
        w->unchanged(b, i);
    }
    digest_free(before);
}

static void begin_in_transaction(rf_backend *b, unsigned int i)
{
    for (long k = 0;; k++) {
        snprintf(doing, sizeof doing, "begin of round %u, allocations failing after %ld", i, k);
        assert_true(k < 2000);
        oom_fail_after(k);
        int rc = b->begin(b);
        oom_fail_after(-1);
        if (rc == RF_OK) {
            return;
        }
        assert_int_equal(rc, RF_ENOMEM);
        failures++;
    }
}

/* Whether the open transaction survived a failure. A backend that keeps its transactions
 * (@strict) always does; another tells by refusing a write (a journal append: a write of the
 * suite's would make room the next attempt then need not make). */
static int transaction_kept(rf_backend *b, int strict)
{
    if (strict) {
        return 1;
    }
    rf_event_record probe = event("probe", uid(6999));
    int64_t seq = 0;
    rf_error_clear();
    int rc = b->journal_append(b, PA, &probe, &seq);
    if (rc != RF_OK && rc != RF_EBACKEND) {
        fail_msg("%s: a write after the failure returned %d: %s", doing, rc, rf_error_last()->message);
    }
    return rc == RF_OK;
}

/* A round's writes in one transaction, each retried with allocations failing until it succeeds.
 * After a failure the transaction is either kept, with the records as before the write (and
 * the round goes on in it), or lost, with the records as before the round: the backend then
 * refuses writes and commits, the level is closed by rollback (odd k) or by the refused commit
 * (even k), and the round starts again in a new transaction. */
static void round_transaction(rf_backend *b, int strict, unsigned int i)
{
    digest *round_start = take(b);
    OK(b->begin(b));
    for (size_t w = 0; w < suite->n_ops; w++) {
        const oom_op *op = &suite->ops[w];
        digest *before = take(b);
        for (long k = 0; attempt(b, op, i, k) != RF_OK; k++) {
            if (transaction_kept(b, strict)) {
                same_as(before, b, "after the failure");
                op->unchanged(b, i);
                continue;
            }
            same_as(round_start, b, "after the failure lost the transaction");
            if (k % 2 == 0) {
                assert_status(RF_EBACKEND, b->commit(b));
            } else {
                OK(b->rollback(b));
            }
            same_as(round_start, b, "after the lost transaction was closed");
            OK(b->begin(b));
            for (size_t again = 0; again < w; again++) {
                OK(suite->ops[again].write(b, i));
            }
            same_as(before, b, "after the round was made again");
        }
        digest_free(before);
    }
    OK(b->commit(b));
    digest_free(round_start);
}

/* --- the cases ---------------------------------------------------------------------------------- */

/* The digest of a backend that never ran out of memory, after @rounds rounds of every write. */
static digest *reference(unsigned int rounds)
{
    rf_backend *b = NULL;
    OK(rf_backend_memory_new(&b));
    suite->seed_other_practice(b);
    OK(b->begin(b));
    for (unsigned int i = 0; i < rounds; i++) {
        for (size_t w = 0; w < suite->n_ops; w++) {
            OK(suite->ops[w].write(b, i));
        }
    }
    OK(b->commit(b));
    digest *d = take(b);
    b->free(b);
    return d;
}

/* Every write made under pressure is there as written, by every way of reading it. */
static void check_after(rf_backend *b, unsigned int rounds)
{
    digest *want = reference(rounds);
    snprintf(doing, sizeof doing, "after %u rounds", rounds);
    same_as(want, b, "compared with a backend that had memory enough");
    digest_free(want);
    suite->check_gets(b, rounds);
}

/* A backend of the case's own, so that the block count covers its whole life; the fixture holds
 * it so that teardown frees it should an assertion end the case early. */
static rf_backend *own_backend(fixture *fx, const oom_suite *s, long *live_before)
{
    suite = s;
    s->need(fx->b);
    fx->b->free(fx->b);
    fx->b = NULL;
    *live_before = oom_live_blocks();
    if (reopen(fx) != 0) {
        fail();
    }
    s->seed_other_practice(fx->b);
    failures = 0;
    return fx->b;
}

void oom_long_transaction(fixture *fx, const oom_suite *s, unsigned int rounds)
{
    if (!fx->f->oom_testable || !oom_hook_ready()) {
        skip();
    }
    long live_before;
    rf_backend *b = own_backend(fx, s, &live_before);
    OK(b->begin(b));
    for (unsigned int i = 0; i < rounds; i++) {
        /* Rounds of four kinds: in the outer level; in an inner level folded into it; in an inner
         * level rolled back (then made again); in the outer level, which then commits. */
        unsigned int mode = i % 4;
        digest *round_start = mode == 2 ? take(b) : NULL;
        if (mode == 1 || mode == 2) {
            begin_in_transaction(b, i);
        }
        for (size_t w = 0; w < s->n_ops; w++) {
            in_transaction(b, &s->ops[w], i);
        }
        if (mode == 1) {
            OK(b->commit(b));
        } else if (mode == 2) {
            OK(b->rollback(b));
            snprintf(doing, sizeof doing, "round %u", i);
            same_as(round_start, b, "after its inner level was rolled back");
            s->absent(b, i);
            for (size_t w = 0; w < s->n_ops; w++) {
                in_transaction(b, &s->ops[w], i);
            }
        } else if (mode == 3) {
            OK(b->commit(b));
            begin_in_transaction(b, i);
        }
        digest_free(round_start);
    }
    OK(b->commit(b));
    check_after(b, rounds);
    assert_true(failures >= s->n_ops * rounds);

    /* Left open on purpose: freeing must release writes made under pressure too. */
    OK(b->begin(b));
    for (size_t w = 0; w < s->n_ops; w++) {
        in_transaction(b, &s->ops[w], rounds);
    }
    b->free(b);
    fx->b = NULL;
    no_leak(live_before);
}

void oom_transaction_per_round(fixture *fx, const oom_suite *s, unsigned int rounds)
{
    if (!oom_hook_ready()) {
        skip();
    }
    long live_before;
    rf_backend *b = own_backend(fx, s, &live_before);
    for (unsigned int i = 0; i < rounds; i++) {
        round_transaction(b, fx->f->oom_testable, i);
    }
    check_after(b, rounds);
    assert_true(failures >= s->n_ops * rounds);
    b->free(b);
    fx->b = NULL;
    no_leak(live_before);
}
