/* The audit: replay a party's ledger grant by grant and prove that every
 * sequence of entries is legal, that each grant's status agrees with its
 * entries, that no grant exists twice, and that the balance is their sum. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rewards.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"

/* One grant and what its entries have done to it so far. */
typedef struct walk {
    rf_grant *grant;
    int64_t pending, available;
    int entries, released, closed_by; /* closed_by: the ledger type that closed it, or 0 */
} walk;

typedef struct audit {
    walk *walks;
    size_t count, cap;
    rf_balance *summed; /* booked entry by entry while walking */
    char problem[400];
    rf_status error;
} audit;

static int collect_grant(const rf_grant_record *g, void *payload)
{
    audit *a = payload;
    if ((a->error = rf__reserve(&a->walks, &a->cap, a->count, sizeof *a->walks)) != RF_OK) {
        return 1;
    }
    walk *w = &a->walks[a->count];
    memset(w, 0, sizeof *w);
    if ((w->grant = rf__grant_from_record(g, 0)) == NULL) {
        a->error = RF_ENOMEM;
        return 1;
    }
    a->count++;
    return 0;
}

static int by_id(const void *key, const void *item)
{
    return strcmp(key, ((const walk *)item)->grant->r.id);
}

static int fail(audit *a, const char *fmt, const char *what, const char *entry_id, const char *grant_id)
{
    snprintf(a->problem, sizeof a->problem, fmt, what, entry_id, grant_id);
    a->error = RF_EINTEGRITY;
    return 1;
}

/* Check one entry against its grant's state, then apply it. */
static int check_entry(const rf_ledger_record *e, void *payload)
{
    audit *a = payload;
    walk *w = bsearch(e->grant_id, a->walks, a->count, sizeof *a->walks, by_id);
    if (w == NULL) {
        return fail(a, "%s entry %s names grant %s, which is not this party's", rf_ledger_type_name(e->type),
                    e->id, e->grant_id);
    }
    const rf_grant_record *g = &w->grant->r;
    int64_t units = g->units;
    int ok;
    switch (e->type) {
    case RF_LEDGER_ISSUED:
        ok = w->entries == 0 && e->pending_delta == units && e->available_delta == 0;
        break;
    case RF_LEDGER_RELEASED:
        ok = w->entries > 0 && !w->released && !w->closed_by && e->pending_delta == -units &&
             e->available_delta == units && w->pending == units;
        w->released = 1;
        break;
    case RF_LEDGER_REDEEMED:
        ok = w->released && !w->closed_by && e->pending_delta == 0 && e->available_delta == -e->amount &&
             e->amount >= 1 && e->amount <= w->available;
        break;
    case RF_LEDGER_EXPIRED:
        ok = w->released && !w->closed_by && e->pending_delta == 0 && e->available_delta == -w->available;
        w->closed_by = RF_LEDGER_EXPIRED;
        break;
    case RF_LEDGER_REVERSED:
        ok = w->entries > 0 && !w->closed_by && e->pending_delta == -w->pending &&
             e->available_delta == -w->available;
        w->closed_by = RF_LEDGER_REVERSED;
        break;
    default: ok = 0;
    }
    int money = rf__reward_kind_is_money(g->kind);
    /* The amount is what moved: the grant's units in and across, what left otherwise. */
    int64_t moved = e->type == RF_LEDGER_ISSUED || e->type == RF_LEDGER_RELEASED
                        ? units
                        : -(e->pending_delta + e->available_delta);
    ok = ok && e->amount == moved;
    ok = ok && (money ? e->currency != NULL && strcmp(e->currency, g->currency) == 0 : e->currency == NULL);
    if (!ok) {
        return fail(a, "%s entry %s does not follow from grant %s's earlier entries and terms",
                    rf_ledger_type_name(e->type), e->id, g->id);
    }
    w->entries++;
    w->pending += e->pending_delta;
    w->available += e->available_delta;
    a->error = rf__balance_book(a->summed, e);
    return a->error != RF_OK;
}

/* The status a grant's entries imply. */
static int implied_status(const walk *w)
{
    if (w->closed_by) {
        return w->closed_by == RF_LEDGER_EXPIRED ? RF_GRANT_EXPIRED : RF_GRANT_REVERSED;
    }
    if (!w->released) {
        return RF_GRANT_PENDING;
    }
    return w->available > 0 ? RF_GRANT_AVAILABLE : RF_GRANT_SETTLED;
}

static int by_key(const void *x, const void *y)
{
    return strcmp(((const walk *)x)->grant->r.grant_key, ((const walk *)y)->grant->r.grant_key);
}

static void check_grants(audit *a)
{
    for (size_t i = 0; a->error == RF_OK && i < a->count; i++) {
        const walk *w = &a->walks[i];
        const rf_grant_record *g = &w->grant->r;
        char key[RF_GRANT_KEY_MAX + 1];
        snprintf(key, sizeof key, "%s:%s:%s", g->rule_id, g->referral_id, g->recipient_id);
        if (w->entries == 0) {
            fail(a, "%s%s grant %s has no ledger entries", "", "", g->id);
        } else if (implied_status(w) != g->status) {
            snprintf(a->problem, sizeof a->problem, "grant %s is %s but its entries make it %s", g->id,
                     rf_grant_status_name((rf_grant_status)g->status),
                     rf_grant_status_name((rf_grant_status)implied_status(w)));
            a->error = RF_EINTEGRITY;
        } else if (strcmp(key, g->grant_key) != 0) {
            fail(a, "%s%s grant %s has a key that does not name its rule, referral and recipient", "", "",
                 g->id);
        }
    }
    /* No (rule, referral, recipient) twice: neighbours in key order differ. */
    if (a->count > 1) { /* qsort wants a real array even for no grants */
        qsort(a->walks, a->count, sizeof *a->walks, by_key);
    }
    for (size_t i = 1; a->error == RF_OK && i < a->count; i++) {
        if (strcmp(a->walks[i - 1].grant->r.grant_key, a->walks[i].grant->r.grant_key) == 0) {
            fail(a, "%s%s grant %s exists twice for one rule, referral and recipient", "", "",
                 a->walks[i].grant->r.id);
        }
    }
}

rf_status rf_reward_audit(rf_balance **out, rf_store *store, const char *party_id)
{
    rf_balance *reported = NULL;
    rf_status rc = rf_reward_balance(&reported, store, party_id);
    if (out != NULL) {
        *out = NULL;
    }
    if (rc != RF_OK) {
        return rc;
    }
    audit a;
    memset(&a, 0, sizeof a);
    if ((rc = rf__balance_start(&a.summed, store, party_id)) == RF_OK) {
        rf_grant_query gq = {NULL, party_id, NULL, NULL, 0, RF_TIME_UNSET, RF_TIME_UNSET, RF_TIME_UNSET, 0};
        rc = (rf_status)store->backend->grant_scan(store->backend, store->practice, &gq, collect_grant, &a);
    }
    if (rc == RF_OK && a.error == RF_OK) {
        rf_ledger_query lq = {0, party_id, NULL, 0};
        rc = (rf_status)store->backend->ledger_scan(store->backend, store->practice, &lq, check_entry, &a);
    }
    if (rc == RF_OK && a.error == RF_OK) {
        check_grants(&a);
        rf__balance_finish(a.summed);
    }
    if (rc == RF_OK && a.error == RF_OK && !rf__balance_equal(reported, a.summed)) {
        snprintf(a.problem, sizeof a.problem, "the balance of party %s differs from the sum of its entries",
                 party_id);
        a.error = RF_EINTEGRITY;
    }
    if (rc == RF_OK && a.error == RF_EINTEGRITY) {
        rc = rf__error(RF_EINTEGRITY, RF_ERRCLASS_REWARD, "audit of party %s: %s", party_id, a.problem);
    } else if (rc == RF_OK) {
        rc = a.error;
    }
    for (size_t i = 0; i < a.count; i++) {
        rf_grant_free(a.walks[i].grant);
    }
    free(a.walks);
    rf_balance_free(a.summed);
    if (rc != RF_OK || out == NULL) {
        rf_balance_free(reported);
        return rc;
    }
    *out = reported;
    return RF_OK;
}
