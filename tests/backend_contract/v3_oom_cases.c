/* Allocation-failure contract cases for the version 3 writes: reward rules, grants, the ledger.
 * The rounds (oom_rounds.c) run each write with allocations failing from the k-th on until it
 * succeeds, and check after each failure that the records below are as they were. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oom_rounds.h"

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
    expect_digest(want, seen, oom_context("reading the rule by id"));
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
    expect_digest(want, seen, oom_context("reading the grant by id"));
    OK(b->grant_get_by_key(b, PA, r.grant_key, &got));
    seen = digest_new();
    digest_grant(&got, seen);
    expect_digest(want, seen, oom_context("reading the grant by key"));
    digest_free(want);
}

/* The ledger has no get: the digest's scans are all there is to read. */
static void no_entry(rf_backend *b, unsigned int i)
{
    (void)b;
    (void)i;
}

/* A failed insert must leave its id and keys free, which the next attempt proves by not failing
 * with RF_EEXISTS. */
static const oom_op writes[] = {
    {"reward_rule_insert", rule_insert, no_rule}, {"reward_rule_update", rule_update, old_rule},
    {"grant_insert", grant_insert, no_grant},     {"grant_update", grant_update, old_grant},
    {"ledger_insert", ledger_insert, no_entry},
};

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

static void absent(rf_backend *b, unsigned int i)
{
    no_rule(b, i);
    no_grant(b, i);
}

static void check_gets(rf_backend *b, unsigned int rounds)
{
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

static const oom_suite v3 = {
    writes, sizeof writes / sizeof writes[0], need_v3, put_practice, seed_other_practice, absent, check_gets,
};

/* --- the cases ---------------------------------------------------------------------------------- */

static void test_v3_out_of_memory(void **state)
{
    oom_long_transaction(*state, &v3, V3_ROUNDS);
}

/* Fewer rounds: SQLite, on disk, loses most transactions it runs out of memory in. */
#define ROUND_ROUNDS 24

static void test_v3_out_of_memory_transaction_per_round(void **state)
{
    oom_transaction_per_round(*state, &v3, ROUND_ROUNDS);
}

const struct CMUnitTest v3_oom_cases[] = {
    CASE(test_v3_out_of_memory),
    CASE(test_v3_out_of_memory_transaction_per_round),
};
const size_t v3_oom_case_count = sizeof v3_oom_cases / sizeof v3_oom_cases[0];
