/* Allocation-failure contract cases for the version 3 writes: reward rules, grants, the ledger.
 *
 * Each write runs with allocations failing from the k-th on (oom_hook.c), k = 0, 1, ... until it
 * succeeds. Every failed attempt must return RF_ENOMEM and leave every record and every index
 * exactly as it was, which a digest of every scan (each index a scan can walk) and of the gets
 * proves. Nothing may leak: the block count at the end equals the one at the start. Under
 * AddressSanitizer the hook forwards to the sanitizer's allocator, which then checks the failure
 * paths for use after free and, at exit, for leaks as well.
 *
 * Two ways of running them:
 * - all in one long transaction, with inner levels folded or rolled back, for the backends that
 *   keep a transaction whole through a failure (factory.oom_testable: the memory backend);
 * - a transaction per round of writes, for every backend: the contract lets a backend lose the
 *   whole transaction after RF_ENOMEM (SQLite does, most times), and it must then refuse writes
 *   and commits and never commit part of it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "oom_hook.h"

/* Enough records that every vector and hash map the writes touch grows several times over. */
#define V3_ROUNDS 40
/* Seqs are (i * 7) mod 41 from here: distinct for i <= 40, and out of order so that entries are
 * inserted in the middle of the seq-ordered indexes too. */
#define SEQ_BASE 10

/* --- the records ------------------------------------------------------------------------------- */

static rf_reward_rule_record rule_rec(unsigned int i, int updated)
{
    rf_reward_rule_record r = reward_rule(uid(6000 + i), text("prog-%u", i % 3));
    if (updated) {
        /* Moves to another programme's group, loses a string, changes size. */
        r.program_id = text("prog-%u", (i + 1) % 3);
        r.name = text("a longer name after the update, round %u", i);
        r.item = NULL;
        r.amount += 100;
        r.active = 0;
        r.updated_at += 1;
    }
    return r;
}

static rf_grant_record grant_rec(unsigned int i, int updated)
{
    rf_grant_record r = grant(uid(7000 + i), text("gk-%u", i), text("party-%u", i % 3), text("ref-%u", i % 4),
                              text("rule-%u", i % 5), 1);
    if (updated) {
        /* The key stays; every grouping (recipient, referral, rule) moves to another group. */
        r.recipient_id = text("party-%u", (i + 1) % 3);
        r.referral_id = text("ref-%u", (i + 1) % 4);
        r.rule_id = text("rule-%u", (i + 1) % 5);
        r.item = text("an item text that has grown, round %u", i);
        r.status = 2;
        r.released_at = r.issued_at + 10;
        r.updated_at = r.issued_at + 10;
    }
    return r;
}

static rf_ledger_record entry_rec(unsigned int i)
{
    return ledger_entry(uid(8000 + i), text("ek-%u", i), uid(7000 + i % 4), text("party-%u", i % 3),
                        SEQ_BASE + (int64_t)((i * 7) % 41));
}

/* --- digests: every record, in every order the backend can list it ---------------------------- */

static void put_practice(rf_backend *b, const char *practice, digest *d)
{
    digest_put(d, "== %s\n", practice);
    OK(b->reward_rule_scan(b, practice, NULL, NULL, 0, digest_rule, d));
    for (unsigned int p = 0; p < 3; p++) {
        digest_put(d, "prog-%u:", p);
        OK(b->reward_rule_scan(b, practice, text("prog-%u", p), NULL, 0, digest_rule_id, d));
        digest_put(d, "\n");
    }
    rf_grant_query q = grant_query();
    OK(b->grant_scan(b, practice, &q, digest_grant, d));
    /* One grouping at a time: recipients party-0..2, referrals ref-0..3, rules rule-0..4. */
    for (unsigned int g = 0; g < 12; g++) {
        q = grant_query();
        const char **key = g < 3 ? &q.recipient_id : g < 7 ? &q.referral_id : &q.rule_id;
        *key = g < 3 ? text("party-%u", g) : g < 7 ? text("ref-%u", g - 3) : text("rule-%u", g - 7);
        digest_put(d, "grants %s:", *key);
        OK(b->grant_scan(b, practice, &q, digest_grant_id, d));
        digest_put(d, "\n");
    }
    rf_ledger_query lq = {0, NULL, NULL, 0};
    OK(b->ledger_scan(b, practice, &lq, digest_entry, d));
    for (unsigned int g = 0; g < 4; g++) {
        rf_ledger_query one = {0, g < 3 ? text("party-%u", g) : NULL, NULL, 0};
        if (one.party_id != NULL) {
            digest_put(d, "entries %s:", one.party_id);
            OK(b->ledger_scan(b, practice, &one, digest_seq, d));
            digest_put(d, "\n");
        }
        one = (rf_ledger_query){0, NULL, uid(7000 + g), 0};
        digest_put(d, "entries grant %u:", g);
        OK(b->ledger_scan(b, practice, &one, digest_seq, d));
        digest_put(d, "\n");
    }
}

static digest *take(rf_backend *b)
{
    digest *d = digest_new();
    put_practice(b, PA, d);
    put_practice(b, PB, d);
    return d;
}

/* What the case is doing, for failure messages. */
static char doing[160];

/* @doing, then @when. */
static const char *context(const char *when)
{
    static char both[300];
    snprintf(both, sizeof both, "%s, %s", doing, when);
    return both;
}

/* The backend's records are exactly those @want was taken of. */
static void same_as(const digest *want, rf_backend *b, const char *when)
{
    expect_digest(want, take(b), context(when));
}

/* --- the writes, and what each failed one must have left -------------------------------------- */

static int rule_insert(rf_backend *b, unsigned int i)
{
    rf_reward_rule_record r = rule_rec(i, 0);
    return b->reward_rule_insert(b, PA, &r);
}

static int rule_update(rf_backend *b, unsigned int i)
{
    rf_reward_rule_record r = rule_rec(i, 1);
    return b->reward_rule_update(b, PA, &r);
}

static int grant_insert(rf_backend *b, unsigned int i)
{
    rf_grant_record r = grant_rec(i, 0);
    return b->grant_insert(b, PA, &r);
}

static int grant_update(rf_backend *b, unsigned int i)
{
    rf_grant_record r = grant_rec(i, 1);
    return b->grant_update(b, PA, &r);
}

static int ledger_insert(rf_backend *b, unsigned int i)
{
    rf_ledger_record r = entry_rec(i);
    return b->ledger_insert(b, PA, &r);
}

/* Gets read other indexes than scans (the id and key maps), and a backend may answer them from
 * what it remembers of its last write. */
static void no_rule(rf_backend *b, unsigned int i)
{
    rf_reward_rule_record got;
    assert_status(RF_ENOTFOUND, b->reward_rule_get(b, PA, uid(6000 + i), &got));
    assert_zeroed(&got, sizeof got);
}

static void old_rule(rf_backend *b, unsigned int i)
{
    rf_reward_rule_record r = rule_rec(i, 0);
    rf_reward_rule_record got;
    OK(b->reward_rule_get(b, PA, r.id, &got));
    digest *want = digest_new();
    digest *seen = digest_new();
    digest_rule(&r, want);
    digest_rule(&got, seen);
    expect_digest(want, seen, context("reading the rule by id"));
    digest_free(want);
}

static void no_grant(rf_backend *b, unsigned int i)
{
    rf_grant_record got;
    assert_status(RF_ENOTFOUND, b->grant_get(b, PA, uid(7000 + i), &got));
    assert_status(RF_ENOTFOUND, b->grant_get_by_key(b, PA, text("gk-%u", i), &got));
}

static void old_grant(rf_backend *b, unsigned int i)
{
    rf_grant_record r = grant_rec(i, 0);
    rf_grant_record got;
    digest *want = digest_new();
    digest_grant(&r, want);
    OK(b->grant_get(b, PA, r.id, &got));
    digest *seen = digest_new();
    digest_grant(&got, seen);
    expect_digest(want, seen, context("reading the grant by id"));
    OK(b->grant_get_by_key(b, PA, r.grant_key, &got));
    seen = digest_new();
    digest_grant(&got, seen);
    expect_digest(want, seen, context("reading the grant by key"));
    digest_free(want);
}

/* The ledger has no get: the digest's scans are all there is to read. */
static void no_entry(rf_backend *b, unsigned int i)
{
    (void)b;
    (void)i;
}

/* A failed insert must leave its id and keys free, which the next attempt proves by not failing
 * with RF_EEXISTS. Nothing else may probe between attempts: a write that succeeded would make
 * room (indexes only grow) that the next attempt then need not make, and its failures would go
 * untested. */
typedef struct v3_write {
    const char *name;
    int (*write)(rf_backend *b, unsigned int i);
    void (*unchanged)(rf_backend *b, unsigned int i); /* reads only */
} v3_write;

static const v3_write writes[] = {
    {"reward_rule_insert", rule_insert, no_rule}, {"reward_rule_update", rule_update, old_rule},
    {"grant_insert", grant_insert, no_grant},     {"grant_update", grant_update, old_grant},
    {"ledger_insert", ledger_insert, no_entry},
};
#define N_WRITES (sizeof writes / sizeof writes[0])

/* A record of each kind in the other practice, which no failure in PA may touch. */
static void seed_other_practice(rf_backend *b)
{
    rf_reward_rule_record r = reward_rule(uid(6900), "prog-0");
    rf_grant_record g = grant(uid(7900), "gk-b", "party-0", "ref-0", "rule-0", 1);
    rf_ledger_record e = ledger_entry(uid(8900), "ek-b", uid(7900), "party-0", 1);
    OK(b->begin(b));
    OK(b->reward_rule_insert(b, PB, &r));
    OK(b->grant_insert(b, PB, &g));
    OK(b->ledger_insert(b, PB, &e));
    OK(b->commit(b));
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
static int attempt(rf_backend *b, const v3_write *w, unsigned int i, long k)
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
static void in_transaction(rf_backend *b, const v3_write *w, unsigned int i)
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
 * (@strict) always does; another tells by refusing a write (not a version 3 one: it would make
 * room the next attempt then need not make). */
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
    for (size_t w = 0; w < N_WRITES; w++) {
        digest *before = take(b);
        for (long k = 0; attempt(b, &writes[w], i, k) != RF_OK; k++) {
            if (transaction_kept(b, strict)) {
                same_as(before, b, "after the failure");
                writes[w].unchanged(b, i);
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
                OK(writes[again].write(b, i));
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
    seed_other_practice(b);
    OK(b->begin(b));
    for (unsigned int i = 0; i < rounds; i++) {
        for (size_t w = 0; w < N_WRITES; w++) {
            OK(writes[w].write(b, i));
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
    rf_reward_rule_record rule;
    rf_grant_record got;
    for (unsigned int i = 0; i < rounds; i++) {
        rf_reward_rule_record r = rule_rec(i, 1);
        OK(b->reward_rule_get(b, PA, r.id, &rule));
        assert_rule(&r, &rule);
        rf_grant_record g = grant_rec(i, 1);
        OK(b->grant_get_by_key(b, PA, g.grant_key, &got));
        assert_grant(&g, &got);
    }
    visits *v = scan_ledger(b, PA, &(rf_ledger_query){0, NULL, NULL, 0});
    assert_int_equal(v->n, rounds);
    free(v);
}

/* A backend of the case's own, so that the block count covers its whole life; the fixture holds
 * it so that teardown frees it should an assertion end the case early. */
static rf_backend *own_backend(fixture *fx, long *live_before)
{
    fx->b->free(fx->b);
    fx->b = NULL;
    *live_before = oom_live_blocks();
    if (reopen(fx) != 0) {
        fail();
    }
    need_v3(fx->b);
    seed_other_practice(fx->b);
    failures = 0;
    return fx->b;
}

static void test_v3_out_of_memory(void **state)
{
    fixture *fx = *state;
    if (!fx->f->oom_testable || !oom_hook_ready()) {
        skip();
    }
    long live_before;
    rf_backend *b = own_backend(fx, &live_before);
    OK(b->begin(b));
    for (unsigned int i = 0; i < V3_ROUNDS; i++) {
        /* Rounds of four kinds: in the outer level; in an inner level folded into it; in an inner
         * level rolled back (then made again); in the outer level, which then commits. */
        unsigned int mode = i % 4;
        digest *round_start = mode == 2 ? take(b) : NULL;
        if (mode == 1 || mode == 2) {
            begin_in_transaction(b, i);
        }
        for (size_t w = 0; w < N_WRITES; w++) {
            in_transaction(b, &writes[w], i);
        }
        if (mode == 1) {
            OK(b->commit(b));
        } else if (mode == 2) {
            OK(b->rollback(b));
            snprintf(doing, sizeof doing, "round %u", i);
            same_as(round_start, b, "after its inner level was rolled back");
            no_rule(b, i);
            no_grant(b, i);
            for (size_t w = 0; w < N_WRITES; w++) {
                in_transaction(b, &writes[w], i);
            }
        } else if (mode == 3) {
            OK(b->commit(b));
            begin_in_transaction(b, i);
        }
        digest_free(round_start);
    }
    OK(b->commit(b));
    check_after(b, V3_ROUNDS);
    assert_true(failures >= N_WRITES * V3_ROUNDS);

    /* Left open on purpose: freeing must release writes made under pressure too. */
    OK(b->begin(b));
    for (size_t w = 0; w < N_WRITES; w++) {
        in_transaction(b, &writes[w], V3_ROUNDS);
    }
    b->free(b);
    fx->b = NULL;
    no_leak(live_before);
}

/* Fewer rounds: SQLite, on disk, loses most transactions it runs out of memory in. */
#define ROUND_ROUNDS 24

static void test_v3_out_of_memory_transaction_per_round(void **state)
{
    fixture *fx = *state;
    if (!oom_hook_ready()) {
        skip();
    }
    long live_before;
    rf_backend *b = own_backend(fx, &live_before);
    for (unsigned int i = 0; i < ROUND_ROUNDS; i++) {
        round_transaction(b, fx->f->oom_testable, i);
    }
    check_after(b, ROUND_ROUNDS);
    assert_true(failures >= N_WRITES * ROUND_ROUNDS);
    b->free(b);
    fx->b = NULL;
    no_leak(live_before);
}

const struct CMUnitTest v3_oom_cases[] = {
    CASE(test_v3_out_of_memory),
    CASE(test_v3_out_of_memory_transaction_per_round),
};
const size_t v3_oom_case_count = sizeof v3_oom_cases / sizeof v3_oom_cases[0];
