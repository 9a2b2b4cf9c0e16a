/* Conformance: a property-style run with a fixed seed. Random referral
 * lifecycles (legal moves only, holds and resumes, keyed replays), random
 * processing as the clock moves, random redemptions; after every step, for
 * every party, the audit passes and the balances equal the sums computed here
 * from the ledger and from the grants, and no two grants share a key. Each
 * call's outcome is also predicted here from what the last check saw.
 *
 * The run is split into epochs on a fresh store so that the per-step check of
 * every party stays cheap; RF_PROPERTY_STEPS in the environment runs longer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reward_support.h"

/* Sanitizers make each step several times slower: fewer steps keep the run short there. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif
#ifdef UNDER_SANITIZER
#define DEFAULT_STEPS 2000
#else
#define DEFAULT_STEPS 6000
#endif
#define EPOCH_STEPS 150
#define MAX_OPEN 24
#define MAX_GRANTS 1024
#define MAX_BOOKS 256

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next_u64(rng *r)
{
    /* xorshift64*: fixed seed, same sequence on every platform. */
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 2685821657736338717ULL;
}

static int pick(rng *r, int n)
{
    return (int)(next_u64(r) % (uint64_t)n);
}

/* What the last check saw of one grant. */
typedef struct grant_view {
    char id[RF_ID_BUFSIZE];
    char recipient[RF_ID_BUFSIZE];
    char currency[4]; /* ledger currency: "" for items and notes */
    char key[3 * RF_ID_BUFSIZE];
    int status;
    int64_t remaining, units;
    rf_time release_at, expires_at;
} grant_view;

/* Sums per (party, ledger currency). */
typedef struct book {
    char party[RF_ID_BUFSIZE];
    char currency[4];
    ledger_sums ledger;
    int64_t grant_available, grant_pending;
} book;

typedef struct world {
    fixture *fx;
    rng rng;
    rf_program *programs[2];
    rf_party *referrers[2];
    rf_party *staff[2];
    struct {
        char id[RF_ID_BUFSIZE];
        int state;
    } open[MAX_OPEN];
    int open_count;
    grant_view grants[MAX_GRANTS];
    int grant_count;
    book books[MAX_BOOKS];
    int book_count;
    unsigned step, lifecycles, keys;
} world;

static book *book_for(world *w, const char *party, const char *currency)
{
    const char *cur = currency != NULL ? currency : "";
    for (int i = 0; i < w->book_count; i++) {
        if (strcmp(w->books[i].party, party) == 0 && strcmp(w->books[i].currency, cur) == 0) {
            return &w->books[i];
        }
    }
    assert_true(w->book_count < MAX_BOOKS);
    book *b = &w->books[w->book_count++];
    memset(b, 0, sizeof *b);
    snprintf(b->party, sizeof b->party, "%s", party);
    snprintf(b->currency, sizeof b->currency, "%s", cur);
    return b;
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(((const grant_view *)a)->key, ((const grant_view *)b)->key);
}

static void read_grants(world *w)
{
    w->grant_count = 0;
    rf_grant_iter *it = NULL;
    rf_grant *g = NULL;
    assert_ok(rf_grant_list(&it, w->fx->store, NULL));
    while (rf_grant_iter_next(&g, it) == RF_OK) {
        assert_true(w->grant_count < MAX_GRANTS);
        grant_view *v = &w->grants[w->grant_count++];
        snprintf(v->id, sizeof v->id, "%s", rf_grant_id(g));
        snprintf(v->recipient, sizeof v->recipient, "%s", rf_grant_recipient_id(g));
        const char *cur = is_money(rf_grant_kind(g)) ? rf_grant_currency(g) : "";
        snprintf(v->currency, sizeof v->currency, "%s", cur);
        snprintf(v->key, sizeof v->key, "%s:%s:%s", rf_grant_rule_id(g), rf_grant_referral_id(g),
                 rf_grant_recipient_id(g));
        v->status = rf_grant_get_status(g);
        v->remaining = rf_grant_remaining(g);
        v->units = rf_grant_units(g);
        v->release_at = rf_grant_release_at(g);
        v->expires_at = rf_grant_expires_at(g);
        /* A grant's status agrees with what is left of it. */
        assert_true(v->remaining >= 0 && v->remaining <= v->units);
        if (v->status == RF_GRANT_AVAILABLE) {
            assert_true(v->remaining > 0);
        } else {
            assert_int_equal(v->remaining, 0);
        }
        book *b = book_for(w, v->recipient, v->currency);
        b->grant_available += v->remaining;
        b->grant_pending += v->status == RF_GRANT_PENDING ? v->units : 0;
        rf_grant_free(g);
    }
    rf_grant_iter_free(it);
    /* No two grants share (rule, referral, recipient). */
    grant_view *sorted = malloc(sizeof *sorted * (size_t)(w->grant_count + 1));
    assert_non_null(sorted);
    memcpy(sorted, w->grants, sizeof *sorted * (size_t)w->grant_count);
    qsort(sorted, (size_t)w->grant_count, sizeof *sorted, key_cmp);
    for (int i = 1; i < w->grant_count; i++) {
        if (strcmp(sorted[i - 1].key, sorted[i].key) == 0) {
            print_error("step %u: two grants for %s\n", w->step, sorted[i].key);
            fail();
        }
    }
    free(sorted);
}

static void read_ledger(world *w)
{
    rf_ledger_iter *it = NULL;
    rf_ledger_entry *e = NULL;
    int64_t prev = 0;
    assert_ok(rf_ledger_list(&it, w->fx->store, NULL));
    while (rf_ledger_iter_next(&e, it) == RF_OK) {
        assert_true(rf_ledger_entry_seq(e) > prev);
        prev = rf_ledger_entry_seq(e);
        book *b = book_for(w, rf_ledger_entry_party_id(e), rf_ledger_entry_currency(e));
        int64_t amount = rf_ledger_entry_amount(e);
        assert_true(amount >= 0);
        b->ledger.available += rf_ledger_entry_available_delta(e);
        b->ledger.pending += rf_ledger_entry_pending_delta(e);
        switch (rf_ledger_entry_type(e)) {
        case RF_LEDGER_ISSUED: b->ledger.issued += amount; break;
        case RF_LEDGER_REDEEMED: b->ledger.redeemed += amount; break;
        case RF_LEDGER_EXPIRED: b->ledger.expired += amount; break;
        case RF_LEDGER_REVERSED: b->ledger.reversed += amount; break;
        default: break;
        }
        rf_ledger_entry_free(e);
    }
    rf_ledger_iter_free(it);
}

static int zero(const ledger_sums *s)
{
    return s->available == 0 && s->pending == 0 && s->issued == 0 && s->redeemed == 0 && s->expired == 0 &&
           s->reversed == 0;
}

/* @balance has exactly the non-zero books of @party, each equal. */
static void assert_balance_is_books(world *w, const char *party, const rf_balance *balance, const char *what)
{
    size_t rows = 0;
    for (int i = 0; i < w->book_count; i++) {
        const book *b = &w->books[i];
        if (strcmp(b->party, party) != 0 || zero(&b->ledger)) {
            continue;
        }
        rows++;
        long r = balance_row(balance, b->currency[0] != '\0' ? b->currency : NULL);
        if (r < 0 || rf_balance_available(balance, (size_t)r) != b->ledger.available ||
            rf_balance_pending(balance, (size_t)r) != b->ledger.pending ||
            rf_balance_issued(balance, (size_t)r) != b->ledger.issued ||
            rf_balance_redeemed(balance, (size_t)r) != b->ledger.redeemed ||
            rf_balance_expired(balance, (size_t)r) != b->ledger.expired ||
            rf_balance_reversed(balance, (size_t)r) != b->ledger.reversed) {
            print_error("step %u: %s of %s in %s differs from the ledger (available %lld, pending %lld)\n",
                        w->step, what, party, b->currency[0] != '\0' ? b->currency : "items",
                        (long long)b->ledger.available, (long long)b->ledger.pending);
            fail();
        }
    }
    assert_int_equal(rf_balance_count(balance), rows);
}

static void check(world *w)
{
    w->book_count = 0;
    read_grants(w);
    read_ledger(w);
    for (int i = 0; i < w->book_count; i++) {
        const book *b = &w->books[i];
        if (b->ledger.available != b->grant_available || b->ledger.pending != b->grant_pending) {
            print_error(
                "step %u: grants of %s in %s hold %lld available / %lld pending, the ledger %lld / %lld\n",
                w->step, b->party, b->currency, (long long)b->grant_available, (long long)b->grant_pending,
                (long long)b->ledger.available, (long long)b->ledger.pending);
            fail();
        }
    }
    rf_party_iter *it = NULL;
    rf_party *p = NULL;
    assert_ok(rf_party_list(&it, w->fx->store, NULL));
    while (rf_party_iter_next(&p, it) == RF_OK) {
        rf_balance *audited = NULL, *balance = NULL;
        rf_status rc = rf_reward_audit(&audited, w->fx->store, rf_party_id(p));
        if (rc != RF_OK) {
            print_error("step %u: audit of %s: %s\n", w->step, rf_party_id(p), rf_error_last()->message);
            fail();
        }
        assert_ok(rf_reward_balance(&balance, w->fx->store, rf_party_id(p)));
        assert_balance_is_books(w, rf_party_id(p), audited, "audit");
        assert_balance_is_books(w, rf_party_id(p), balance, "balance");
        rf_balance_free(audited);
        rf_balance_free(balance);
        rf_party_free(p);
    }
    rf_party_iter_free(it);
}

/* The rules of both programmes: a ladder of three tiers at SEEN in the first
 * (clawback and compliance on), money in two currencies at CLOSED in the
 * second; referee and staff rules at every trigger; holds, expiries, and caps
 * on rules that keep granting (the top tiers, the staff). */
static const struct {
    int program, recipient, kind, trigger;
    const char *currency;
    int64_t amount;
    int hold, expiry, tier, cap_count, cap_days;
} world_rules[] = {
    {0, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_SEEN, "EUR", 1000, 3, 20, 1, 2, 30},
    {0, RF_RECIPIENT_REFERRER, RF_REWARD_PERCENT_DISCOUNT, RF_REFERRAL_SEEN, NULL, 0, 0, 0, 3, 0, RF_UNSET},
    {0, RF_RECIPIENT_REFERRER, RF_REWARD_GIFT, RF_REFERRAL_SEEN, "EUR", 5000, 2, 0, 5, 1, 20},
    {0, RF_RECIPIENT_REFEREE, RF_REWARD_FIXED_DISCOUNT, RF_REFERRAL_SCHEDULED, "EUR", 500, 2, 10, 1, 0,
     RF_UNSET},
    {0, RF_RECIPIENT_STAFF, RF_REWARD_THANK_YOU_NOTE, RF_REFERRAL_CLOSED, NULL, 0, 0, 0, 1, 0, RF_UNSET},
    {0, RF_RECIPIENT_STAFF, RF_REWARD_SERVICE_UPGRADE, RF_REFERRAL_SCHEDULED, NULL, 0, 1, 5, 1, 2, 7},
    {1, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_CLOSED, "USD", 700, 0, 15, 1, 1, 10},
    {1, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_CLOSED, "EUR", 300, 5, 0, 2, 1, 10},
    {1, RF_RECIPIENT_REFEREE, RF_REWARD_CHARITY_DONATION, RF_REFERRAL_SEEN, "EUR", 200, 0, 0, 1, 0, RF_UNSET},
    {1, RF_RECIPIENT_STAFF, RF_REWARD_PRIORITY_BOOKING, RF_REFERRAL_SEEN, NULL, 0, 0, 7, 1, 0, RF_UNSET},
    {1, RF_RECIPIENT_REFEREE, RF_REWARD_THANK_YOU_NOTE, RF_REFERRAL_SCHEDULED, NULL, 0, 0, 0, 1, 0, RF_UNSET},
};

static void setup_world(world *w)
{
    fixture *fx = w->fx;
    w->programs[0] = reward_program(fx, "US advocates", 1, 1);
    w->programs[1] = reward_program(fx, "EU advocates", 0, 0);
    w->referrers[0] = add_payer_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", RF_PAYER_SELF_PAY);
    w->referrers[1] = add_payer_party(fx, RF_PARTY_CLIENT, "Fred Federal", RF_PAYER_FEDERAL);
    w->staff[0] = add_payer_party(fx, RF_PARTY_STAFF, "Dr Sam Staff", RF_PAYER_UNSET);
    w->staff[1] = add_payer_party(fx, RF_PARTY_STAFF, "Dr Fay Federal", RF_PAYER_FEDERAL);
    for (size_t i = 0; i < sizeof world_rules / sizeof world_rules[0]; i++) {
        rf_reward_rule_options o =
            rule_options(w->programs[world_rules[i].program], (rf_reward_recipient)world_rules[i].recipient,
                         (rf_reward_kind)world_rules[i].kind, (rf_referral_state)world_rules[i].trigger);
        if (world_rules[i].currency != NULL) {
            o.currency = world_rules[i].currency;
            o.amount = world_rules[i].amount;
        }
        o.hold_days = world_rules[i].hold;
        if (world_rules[i].expiry > 0) {
            o.expiry_days = world_rules[i].expiry;
        }
        o.tier = world_rules[i].tier;
        o.cap_count = world_rules[i].cap_count;
        o.cap_days = world_rules[i].cap_days;
        rf_reward_rule_free(add_rule(fx, &o));
    }
    w->open_count = 0;
}

static void free_world(world *w)
{
    for (int i = 0; i < 2; i++) {
        rf_program_free(w->programs[i]);
        rf_party_free(w->referrers[i]);
        rf_party_free(w->staff[i]);
    }
}

static void new_referral(world *w)
{
    const char *staff = pick(&w->rng, 3) == 0 ? NULL : rf_party_id(w->staff[pick(&w->rng, 2)]);
    rf_payer payer = pick(&w->rng, 4) == 0 ? RF_PAYER_FEDERAL : RF_PAYER_PRIVATE_INSURANCE;
    rf_referral *r = refer_lead(w->fx, w->programs[pick(&w->rng, 2)],
                                rf_party_id(w->referrers[pick(&w->rng, 2)]), payer, staff);
    snprintf(w->open[w->open_count].id, RF_ID_BUFSIZE, "%s", rf_referral_id(r));
    w->open[w->open_count++].state = RF_REFERRAL_RECEIVED;
    w->lifecycles++;
    rf_referral_free(r);
}

static void move(world *w)
{
    int i = pick(&w->rng, w->open_count);
    int from = w->open[i].state;
    rf_referral *next = NULL;
    char key[32];
    int keyed = pick(&w->rng, 6) == 0;
    snprintf(key, sizeof key, "move-%u", ++w->keys);
    if (from == RF_REFERRAL_ON_HOLD && pick(&w->rng, 5) != 0) {
        assert_ok(rf_referral_resume(&next, w->fx->store, w->open[i].id, keyed ? key : NULL));
        if (keyed) {
            int64_t seq = last_seq(w->fx);
            assert_ok(rf_referral_resume(NULL, w->fx->store, w->open[i].id, key));
            assert_int_equal(last_seq(w->fx), seq); /* every write is journalled */
        }
    } else {
        int targets[RF_REFERRAL_STATE_COUNT] = {0}, n = 0;
        for (int to = 1; to < RF_REFERRAL_STATE_COUNT; to++) {
            if (rf_referral_state_can_move((rf_referral_state)from, (rf_referral_state)to)) {
                targets[n++] = to;
            }
        }
        assert_true(n > 0);
        /* Mostly along the usual way, so that most lifecycles earn something; otherwise any legal move. */
        static const int usual[RF_REFERRAL_STATE_COUNT] = {
            [RF_REFERRAL_RECEIVED] = RF_REFERRAL_ACCEPTED,
            [RF_REFERRAL_NEEDS_INFO] = RF_REFERRAL_ACCEPTED,
            [RF_REFERRAL_ACCEPTED] = RF_REFERRAL_SCHEDULED,
            [RF_REFERRAL_SCHEDULED] = RF_REFERRAL_SEEN,
            [RF_REFERRAL_NO_SHOW] = RF_REFERRAL_SCHEDULED,
            [RF_REFERRAL_APPT_CANCELLED] = RF_REFERRAL_SCHEDULED,
            [RF_REFERRAL_SEEN] = RF_REFERRAL_CLOSED,
            [RF_REFERRAL_CANCEL_REQUESTED] = RF_REFERRAL_CLOSED,
        };
        int to = usual[from] != 0 && pick(&w->rng, 100) < 65 ? usual[from] : targets[pick(&w->rng, n)];
        rf_advance_options o = RF_ADVANCE_OPTIONS_INIT;
        o.reason = "property";
        o.appointment_at = w->fx->now + DAY;
        o.idempotency_key = keyed ? key : NULL;
        rf_status rc = rf_referral_advance(&next, w->fx->store, w->open[i].id, (rf_referral_state)to, &o);
        if (rc != RF_OK) {
            print_error("step %u: %s -> %s: %s\n", w->step, rf_referral_state_name((rf_referral_state)from),
                        rf_referral_state_name((rf_referral_state)to), rf_error_last()->message);
            fail();
        }
        if (keyed) {
            int64_t seq = last_seq(w->fx);
            w->fx->now += 60;
            assert_ok(rf_referral_advance(NULL, w->fx->store, w->open[i].id, (rf_referral_state)to, &o));
            assert_int_equal(last_seq(w->fx), seq); /* every write is journalled */
        }
    }
    w->open[i].state = rf_referral_get_state(next);
    rf_referral_free(next);
    if (rf_referral_state_is_terminal((rf_referral_state)w->open[i].state)) {
        w->open[i] = w->open[--w->open_count];
    }
}

static void process(world *w)
{
    rf_time now = w->fx->now;
    unsigned want_released = 0, want_expired = 0;
    for (int i = 0; i < w->grant_count; i++) {
        const grant_view *g = &w->grants[i];
        want_released += g->status == RF_GRANT_PENDING && g->release_at <= now;
        want_expired += g->status == RF_GRANT_AVAILABLE && g->expires_at != 0 && g->expires_at <= now;
    }
    unsigned released = 0, expired = 0;
    assert_ok(rf_rewards_process(&released, &expired, w->fx->store, pick(&w->rng, 2) ? now : RF_TIME_UNSET));
    if (released != want_released || expired != want_expired) {
        print_error("step %u: process released %u expired %u, expected %u and %u\n", w->step, released,
                    expired, want_released, want_expired);
        fail();
    }
    /* Again: nothing moves, nothing is written. */
    int64_t seq = last_seq(w->fx);
    assert_ok(rf_rewards_process(&released, &expired, w->fx->store, now));
    assert_int_equal(released + expired, 0);
    assert_int_equal(last_seq(w->fx), seq);
}

static void redeem_some(world *w)
{
    int64_t seq = last_seq(w->fx), used = -1;
    char key[32];
    int keyed = pick(&w->rng, 4) == 0;
    snprintf(key, sizeof key, "redeem-%u", ++w->keys);
    const char *grant_id = NULL, *party = NULL, *currency = NULL;
    rf_status want;
    int64_t amount, expect_used;
    if (w->grant_count > 0 && pick(&w->rng, 2) == 0) {
        const grant_view *g = &w->grants[pick(&w->rng, w->grant_count)];
        int money = g->currency[0] != '\0';
        grant_id = g->id;
        /* Mostly within what is left, sometimes beyond it. */
        expect_used =
            money ? 1 + pick(&w->rng, (int)(g->remaining > 0 ? g->remaining + g->remaining / 4 : 1000)) : 1;
        want = g->status != RF_GRANT_AVAILABLE ? RF_ESTATE : expect_used > g->remaining ? RF_EBALANCE : RF_OK;
        amount = !money && pick(&w->rng, 2) ? RF_AMOUNT_UNSET : expect_used;
    } else {
        party = pick(&w->rng, 3) == 0 ? rf_party_id(w->staff[pick(&w->rng, 2)])
                                      : rf_party_id(w->referrers[pick(&w->rng, 2)]);
        if (w->grant_count > 0 && pick(&w->rng, 3) == 0) {
            party = w->grants[pick(&w->rng, w->grant_count)].recipient;
        }
        currency = pick(&w->rng, 2) ? "EUR" : "USD";
        int64_t total = 0;
        for (int i = 0; i < w->grant_count; i++) {
            const grant_view *g = &w->grants[i];
            if (g->status == RF_GRANT_AVAILABLE && strcmp(g->recipient, party) == 0 &&
                strcmp(g->currency, currency) == 0) {
                total += g->remaining;
            }
        }
        amount = expect_used = 1 + pick(&w->rng, (int)(total > 0 ? total + total / 4 : 1000));
        want = amount > total ? RF_EBALANCE : RF_OK;
    }
    rf_status rc = redeem(w->fx, &used, grant_id, party, currency, amount, "p", keyed ? key : NULL);
    if (rc != want) {
        print_error("step %u: redeem %lld returned %d, expected %d: %s\n", w->step, (long long)expect_used,
                    rc, want, rf_error_last()->message);
        fail();
    }
    if (rc != RF_OK) {
        assert_int_equal(last_seq(w->fx), seq);
        return;
    }
    assert_int_equal(used, expect_used);
    if (keyed) {
        seq = last_seq(w->fx);
        w->fx->now += 60;
        used = -1;
        assert_ok(redeem(w->fx, &used, grant_id, party, currency, amount, "p", key));
        assert_int_equal(used, expect_used);
        assert_int_equal(last_seq(w->fx), seq);
    }
}

static void property_run(void **state)
{
    fixture *fx = *state;
    const char *env = getenv("RF_PROPERTY_STEPS");
    unsigned steps = env != NULL ? (unsigned)strtoul(env, NULL, 10) : DEFAULT_STEPS;
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->rng.s = 0x9e3779b97f4a7c15ULL;
    w->fx = fx;
    setup_world(w);
    unsigned total_grants = 0;
    for (w->step = 1; w->step <= steps; w->step++) {
        if (w->step % EPOCH_STEPS == 0) {
            /* A fresh store keeps the per-step check of every party cheap. */
            total_grants += (unsigned)w->grant_count;
            free_world(w);
            fx_teardown(state);
            assert_int_equal(fx_setup(state), 0);
            w->fx = fx = *state;
            setup_world(w);
            check(w);
        }
        fx->now += pick(&w->rng, 6 * 3600);
        int roll = pick(&w->rng, 100);
        if (w->open_count < 3 || (roll < 10 && w->open_count < MAX_OPEN)) {
            new_referral(w);
        } else if (roll < 65) {
            move(w);
        } else if (roll < 78) {
            process(w);
        } else if (roll < 95) {
            redeem_some(w);
        } else {
            fx->now += (1 + pick(&w->rng, 5)) * DAY;
        }
        check(w);
    }
    total_grants += (unsigned)w->grant_count;
    print_message("%s: %u steps, %u lifecycles, %u grants\n", fx->backend, steps, w->lifecycles,
                  total_grants);
    free_world(w);
    free(w);
}

const struct CMUnitTest reward_property_cases[] = {
    CASE(property_run),
};
const size_t reward_property_case_count = sizeof reward_property_cases / sizeof reward_property_cases[0];
