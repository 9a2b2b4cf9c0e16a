/* The books: every balance is the sum of its ledger entries (the library's
 * own audit, and the test's own sum), every redemption a worker made is in
 * the ledger once with the units it took, and the time-driven moves the
 * workers saw are all the ledger holds. */
#include <stdlib.h>
#include <string.h>

#include "concurrency.h"

typedef struct sums {
    int64_t pending, available, issued, redeemed, expired, reversed;
} sums;

/* The test's own sum of a party's entries, in euros (every rule gives euros). */
static int sum_entries(rf_store *store, const char *party, sums *s)
{
    memset(s, 0, sizeof *s);
    rf_ledger_filter f = RF_LEDGER_FILTER_INIT;
    f.party_id = party;
    rf_ledger_iter *it = NULL;
    if (rf_ledger_list(&it, store, &f) != RF_OK) {
        return -1;
    }
    rf_ledger_entry *e = NULL;
    rf_status rc;
    int bad = 0;
    while ((rc = rf_ledger_iter_next(&e, it)) == RF_OK) {
        const char *cur = rf_ledger_entry_currency(e);
        bad += cur == NULL || strcmp(cur, CONC_CURRENCY) != 0;
        s->pending += rf_ledger_entry_pending_delta(e);
        s->available += rf_ledger_entry_available_delta(e);
        int64_t amount = rf_ledger_entry_amount(e);
        switch (rf_ledger_entry_type(e)) {
        case RF_LEDGER_ISSUED: s->issued += amount; break;
        case RF_LEDGER_REDEEMED: s->redeemed += amount; break;
        case RF_LEDGER_EXPIRED: s->expired += amount; break;
        case RF_LEDGER_REVERSED: s->reversed += amount; break;
        default: break;
        }
        rf_ledger_entry_free(e);
    }
    rf_ledger_iter_free(it);
    return rc == RF_ITEROVER && bad == 0 ? 0 : -1;
}

static int check_party(rf_store *store, const char *party)
{
    int bad = 0;
    rf_balance *audited = NULL, *balance = NULL;
    sums s;
    if (rf_reward_audit(&audited, store, party) != RF_OK) {
        CONC_FAIL(bad, "audit of %s: %s", party, rf_error_last()->message);
    }
    rf_balance_free(audited);
    if (rf_reward_balance(&balance, store, party) != RF_OK || sum_entries(store, party, &s) != 0) {
        CONC_FAIL(bad, "cannot read the balance or entries of %s: %s", party, rf_error_last()->message);
        rf_balance_free(balance);
        return bad;
    }
    sums b = {0, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < rf_balance_count(balance); i++) {
        const char *cur = rf_balance_currency(balance, i);
        if (cur == NULL || strcmp(cur, CONC_CURRENCY) != 0) {
            CONC_FAIL(bad, "%s has a balance row in %s", party, cur != NULL ? cur : "items");
            continue;
        }
        b = (sums){rf_balance_pending(balance, i), rf_balance_available(balance, i),
                   rf_balance_issued(balance, i),  rf_balance_redeemed(balance, i),
                   rf_balance_expired(balance, i), rf_balance_reversed(balance, i)};
    }
    if (memcmp(&b, &s, sizeof b) != 0) {
        CONC_FAIL(bad,
                  "%s: balance pending %lld available %lld issued %lld redeemed %lld expired %lld reversed "
                  "%lld; its entries sum to %lld %lld %lld %lld %lld %lld",
                  party, (long long)b.pending, (long long)b.available, (long long)b.issued,
                  (long long)b.redeemed, (long long)b.expired, (long long)b.reversed, (long long)s.pending,
                  (long long)s.available, (long long)s.issued, (long long)s.redeemed, (long long)s.expired,
                  (long long)s.reversed);
    }
    if (s.pending < 0 || s.available < 0) {
        CONC_FAIL(bad, "%s is overdrawn: pending %lld, available %lld", party, (long long)s.pending,
                  (long long)s.available);
    }
    rf_balance_free(balance);
    return bad;
}

/* Redemptions by reference, and the counts of time-driven entries. */
typedef struct ledger_tally {
    char (*refs)[RF_IDEMPOTENCY_KEY_MAX + 1];
    int64_t *units;
    size_t count, cap;
    long released, expired;
} ledger_tally;

static int tally_ledger(rf_store *store, ledger_tally *t)
{
    rf_ledger_iter *it = NULL;
    if (rf_ledger_list(&it, store, NULL) != RF_OK) {
        return -1;
    }
    rf_ledger_entry *e = NULL;
    rf_status rc;
    while ((rc = rf_ledger_iter_next(&e, it)) == RF_OK) {
        rf_ledger_type type = rf_ledger_entry_type(e);
        t->released += type == RF_LEDGER_RELEASED;
        t->expired += type == RF_LEDGER_EXPIRED;
        if (type == RF_LEDGER_REDEEMED && t->count == t->cap) {
            t->cap = t->cap != 0 ? t->cap * 2 : 1024;
            void *r = realloc(t->refs, t->cap * sizeof *t->refs),
                 *u = realloc(t->units, t->cap * sizeof *t->units);
            t->refs = r != NULL ? r : t->refs;
            t->units = u != NULL ? u : t->units;
            if (r == NULL || u == NULL) {
                rf_ledger_entry_free(e);
                break;
            }
        }
        if (type == RF_LEDGER_REDEEMED) {
            const char *ref = rf_ledger_entry_reference(e);
            snprintf(t->refs[t->count], sizeof t->refs[0], "%s", ref != NULL ? ref : "");
            t->units[t->count++] = rf_ledger_entry_amount(e);
        }
        rf_ledger_entry_free(e);
    }
    rf_ledger_iter_free(it);
    return rc == RF_ITEROVER ? 0 : -1;
}

static int check_redemptions(const conc_logs *logs, const ledger_tally *t)
{
    int bad = 0;
    size_t logged = 0;
    char(*keys)[RF_IDEMPOTENCY_KEY_MAX + 1] = conc_logs_ids(logs, 'D', &logged);
    int64_t *found = calloc(logged + 1, sizeof *found);
    for (size_t i = 1; i < logged; i++) {
        if (strcmp(keys[i - 1], keys[i]) == 0) {
            CONC_FAIL(bad, "redemption %s was reported twice", keys[i]);
        }
    }
    for (size_t i = 0; found != NULL && i < t->count; i++) {
        char(*k)[RF_IDEMPOTENCY_KEY_MAX + 1] =
            bsearch(t->refs[i], keys, logged, sizeof keys[0], conc_by_text);
        if (k == NULL) {
            CONC_FAIL(bad, "the ledger holds a redemption '%s' no worker made", t->refs[i]);
        } else {
            found[k - keys] += t->units[i];
        }
    }
    for (size_t i = 0; found != NULL && i < logs->count; i++) {
        const conc_entry *e = &logs->items[i];
        if (e->kind != 'D') {
            continue;
        }
        char(*k)[RF_IDEMPOTENCY_KEY_MAX + 1] = bsearch(e->a, keys, logged, sizeof keys[0], conc_by_text);
        if (found[k - keys] != e->n1) {
            CONC_FAIL(bad, "redemption %s took %ld; the ledger holds %lld for it", e->a, e->n1,
                      (long long)found[k - keys]);
        }
    }
    free(found);
    free(keys);
    return bad;
}

int conc_check_books(rf_store *store, const conc_world *w, const conc_logs *logs)
{
    int bad = 0;
    for (int i = 0; i < CONC_REFERRERS; i++) {
        bad += check_party(store, w->referrer_id[i]);
    }
    for (int i = 0; i < CONC_REFEREES; i++) {
        bad += check_party(store, w->referee_id[i]);
    }
    ledger_tally t;
    memset(&t, 0, sizeof t);
    if (tally_ledger(store, &t) != 0) {
        CONC_FAIL(bad, "cannot read the ledger: %s", rf_error_last()->message);
    } else {
        bad += check_redemptions(logs, &t);
        /* Grants without a hold are released in their move; held ones only by rf_rewards_process(). */
        long at_once = 0, released = 0, expired = 0;
        for (int r = 0; r < CONC_RULES; r++) {
            if (conc_rules[r].hold_days == 0) {
                rf_grant_filter f = RF_GRANT_FILTER_INIT;
                f.rule_id = w->rule_id[r];
                rf_grant_iter *it = NULL;
                rf_grant *g = NULL;
                if (rf_grant_list(&it, store, &f) == RF_OK) {
                    while (rf_grant_iter_next(&g, it) == RF_OK) {
                        at_once++;
                        rf_grant_free(g);
                    }
                }
                rf_grant_iter_free(it);
            }
        }
        for (size_t i = 0; i < logs->count; i++) {
            released += logs->items[i].kind == 'P' ? logs->items[i].n1 : 0;
            expired += logs->items[i].kind == 'P' ? logs->items[i].n2 : 0;
        }
        if (t.released != at_once + released) {
            CONC_FAIL(bad, "%ld RELEASED entries; %ld grants released in their move and workers released %ld",
                      t.released, at_once, released);
        }
        printf("  ledger: %ld released (%ld in their move), %ld expired, %zu redeemed entries\n", t.released,
               at_once, t.expired, t.count);
        if (t.expired != expired) {
            CONC_FAIL(bad, "%ld EXPIRED entries; workers expired %ld", t.expired, expired);
        }
    }
    free(t.refs);
    free(t.units);
    return bad;
}
