/* Time-driven work (release, expiry) and redemption. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/records.h"
#include "core/rewards.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/text.h"

/* --- process -------------------------------------------------------------------- */

typedef struct due_page {
    char ids[RF_PAGE_SIZE][RF_ID_BUFSIZE];
    size_t count;
} due_page;

static int collect_due(const rf_grant_record *g, void *payload)
{
    due_page *page = payload;
    snprintf(page->ids[page->count++], RF_ID_BUFSIZE, "%s", g->id);
    return 0;
}

/* Move one grant in a transaction of its own, after reading it again under
 * the write lock: whoever got there first (another process, an earlier call)
 * has changed its status, and then nothing happens here. */
static rf_status move_due(rf_store *store, const char *id, int status, rf_time now, unsigned int *moved)
{
    rf_status rc = rf__tx_begin(store);
    if (rc != RF_OK) {
        return rc;
    }
    rf_grant *g = NULL;
    if ((rc = rf__grant_load(store, id, &g)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    int due = g->r.status == status &&
              (status == RF_GRANT_PENDING ? g->r.release_at <= now
                                          : g->r.expires_at != 0 && g->r.expires_at <= now);
    if (!due) {
        rf_grant_free(g);
        rf__tx_close_unchanged(store);
        return RF_OK;
    }
    rc = status == RF_GRANT_PENDING ? rf__grant_release(store, g, now) : rf__grant_expire(store, g, now);
    rf_grant_free(g);
    if (rc != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    if ((rc = rf__tx_commit(store)) == RF_OK) {
        (*moved)++;
    }
    return rc;
}

static rf_status process_phase(rf_store *store, int status, rf_time now, unsigned int *moved)
{
    char after[RF_ID_BUFSIZE] = "";
    for (;;) {
        due_page page;
        page.count = 0;
        rf_grant_query q = {after[0] != '\0' ? after : NULL,
                            NULL,
                            NULL,
                            NULL,
                            status,
                            status == RF_GRANT_PENDING ? now : RF_TIME_UNSET,
                            status == RF_GRANT_AVAILABLE ? now : RF_TIME_UNSET,
                            RF_TIME_UNSET,
                            RF_PAGE_SIZE};
        rf_status rc =
            (rf_status)store->backend->grant_scan(store->backend, store->practice, &q, collect_due, &page);
        for (size_t i = 0; rc == RF_OK && i < page.count; i++) {
            rc = move_due(store, page.ids[i], status, now, moved);
        }
        if (rc != RF_OK || page.count < RF_PAGE_SIZE) {
            return rc;
        }
        snprintf(after, sizeof after, "%s", page.ids[page.count - 1]);
    }
}

rf_status rf_rewards_process(unsigned int *released_out, unsigned int *expired_out, rf_store *store,
                             rf_time now)
{
    unsigned int released = 0, expired = 0;
    if (released_out != NULL) {
        *released_out = 0;
    }
    if (expired_out != NULL) {
        *expired_out = 0;
    }
    rf_status rc;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__rewards_require(store)) != RF_OK) {
        return rc;
    }
    if (now == RF_TIME_UNSET) {
        now = rf_store_now(store);
    }
    /* Release first: a grant whose hold and expiry both passed is released, then expires. */
    if ((rc = process_phase(store, RF_GRANT_PENDING, now, &released)) == RF_OK) {
        rc = process_phase(store, RF_GRANT_AVAILABLE, now, &expired);
    }
    if (released_out != NULL) {
        *released_out = released;
    }
    if (expired_out != NULL) {
        *expired_out = expired;
    }
    return rc;
}

/* --- redeem --------------------------------------------------------------------- */

rf_status rf_redeem_options_init(rf_redeem_options *opts, unsigned int version)
{
    static const rf_redeem_options init = RF_REDEEM_OPTIONS_INIT;
    return rf__options_init(opts, sizeof init, &init, version, "rf_redeem_options", "RF_REDEEM_OPTIONS_INIT");
}

static rf_status check_redeem(rf_store *store, const rf_redeem_options *o)
{
    rf_status rc;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(o, "opts")) != RF_OK ||
        (rc = rf__rewards_require(store)) != RF_OK ||
        (rc = rf__check_version("rf_redeem_options", o->version, RF_REDEEM_OPTIONS_VERSION,
                                "RF_REDEEM_OPTIONS_INIT")) != RF_OK ||
        (rc = rf__check_text("grant_id", o->grant_id, RF_LABEL_MAX, 0, RF_ERRCLASS_REWARD)) != RF_OK ||
        (rc = rf__check_text("party_id", o->party_id, RF_LABEL_MAX, 0, RF_ERRCLASS_REWARD)) != RF_OK ||
        (rc = rf__check_text("reference", o->reference, RF_DETAIL_MAX, 0, RF_ERRCLASS_REWARD)) != RF_OK ||
        (rc = rf__idem_check_key(o->idempotency_key)) != RF_OK) {
        return rc;
    }
    if ((o->grant_id == NULL) == (o->party_id == NULL)) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REWARD,
                         "give either grant_id or party_id (with a currency)");
    }
    if (o->party_id != NULL && !rf_currency_valid(o->currency)) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REWARD,
                         o->currency == NULL ? "redeeming by party needs a currency (ISO 4217, e.g. \"EUR\")"
                                             : "currency is not an ISO 4217 currency code (three capitals)");
    }
    if (o->grant_id != NULL && o->currency != NULL) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REWARD, "currency is only used with party_id");
    }
    if (o->amount != RF_AMOUNT_UNSET && o->amount < 0) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REWARD, "amount %lld is negative", (long long)o->amount);
    }
    if (o->amount != RF_AMOUNT_UNSET && (o->amount == 0 || o->amount > RF_AMOUNT_MAX)) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REWARD, "amount %lld is out of range (1 to %lld)",
                         (long long)o->amount, (long long)RF_AMOUNT_MAX);
    }
    if (o->party_id != NULL && o->amount == RF_AMOUNT_UNSET) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REWARD, "amount is required when redeeming by party");
    }
    return RF_OK;
}

static rf_status redeem_grant(rf_store *store, const rf_redeem_options *o, rf_time now, int64_t *taken)
{
    rf_grant *g = NULL;
    rf_status rc = rf__grant_load(store, o->grant_id, &g);
    if (rc != RF_OK) {
        return rc;
    }
    int64_t amount = o->amount;
    if (amount == RF_AMOUNT_UNSET) {
        if (rf__reward_kind_is_money(g->r.kind)) {
            rc = rf__error(RF_EINVALID, RF_ERRCLASS_REWARD, "grant %s is money (%s): say how much to redeem",
                           g->r.id, g->r.currency);
        }
        amount = 1;
    }
    if (rc == RF_OK) {
        rc = rf__grant_redeem(store, g, amount, o->reference, o->idempotency_key, now);
    }
    *taken = rc == RF_OK ? amount : 0;
    rf_grant_free(g);
    return rc;
}

/* The party's available money grants in one currency, soonest expiry first. */
typedef struct money_grants {
    rf_grant **items;
    size_t count, cap;
    const char *currency;
    rf_status error;
} money_grants;

static int collect_money(const rf_grant_record *g, void *payload)
{
    money_grants *m = payload;
    if (!rf__reward_kind_is_money(g->kind) || strcmp(g->currency, m->currency) != 0) {
        return 0;
    }
    if ((m->error = rf__reserve(&m->items, &m->cap, m->count, sizeof *m->items)) != RF_OK) {
        return 1;
    }
    if ((m->items[m->count] = rf__grant_from_record(g, 0)) == NULL) {
        m->error = RF_ENOMEM;
        return 1;
    }
    m->count++;
    return 0;
}

static int by_expiry(const void *a, const void *b)
{
    const rf_grant *x = *(const rf_grant *const *)a, *y = *(const rf_grant *const *)b;
    rf_time ex = x->r.expires_at != 0 ? x->r.expires_at : INT64_MAX;
    rf_time ey = y->r.expires_at != 0 ? y->r.expires_at : INT64_MAX;
    return ex != ey ? (ex < ey ? -1 : 1) : strcmp(x->r.id, y->r.id);
}

static rf_status redeem_party(rf_store *store, const rf_redeem_options *o, rf_time now, int64_t *taken)
{
    rf_party *party = NULL;
    rf_status rc = rf__party_load(store, o->party_id, &party);
    rf_party_free(party);
    if (rc != RF_OK) {
        return rc;
    }
    money_grants m = {NULL, 0, 0, o->currency, RF_OK};
    rf_grant_query q = {NULL,          o->party_id,   NULL,          NULL, RF_GRANT_AVAILABLE,
                        RF_TIME_UNSET, RF_TIME_UNSET, RF_TIME_UNSET, 0};
    rc = (rf_status)store->backend->grant_scan(store->backend, store->practice, &q, collect_money, &m);
    if (rc == RF_OK) {
        rc = m.error;
    }
    int64_t total = 0;
    for (size_t i = 0; rc == RF_OK && i < m.count; i++) {
        if ((rc = rf__grant_balances(store, m.items[i]->r.id, NULL, &m.items[i]->remaining)) == RF_OK) {
            total += m.items[i]->remaining;
        }
    }
    if (rc == RF_OK && total < o->amount) {
        rc = rf__error(RF_EBALANCE, RF_ERRCLASS_REWARD, "party %s has %lld %s available; cannot redeem %lld",
                       o->party_id, (long long)total, o->currency, (long long)o->amount);
    }
    if (rc == RF_OK) {
        qsort(m.items, m.count, sizeof *m.items, by_expiry);
    }
    int64_t left = o->amount;
    for (size_t i = 0; rc == RF_OK && left > 0 && i < m.count; i++) {
        int64_t part = m.items[i]->remaining < left ? m.items[i]->remaining : left;
        if (part > 0 && (rc = rf__grant_redeem(store, m.items[i], part, o->reference, o->idempotency_key,
                                               now)) == RF_OK) {
            left -= part;
        }
    }
    for (size_t i = 0; i < m.count; i++) {
        rf_grant_free(m.items[i]);
    }
    free(m.items);
    *taken = rc == RF_OK ? o->amount : 0;
    return rc;
}

rf_status rf_reward_redeem(int64_t *redeemed_out, rf_store *store, const rf_redeem_options *o)
{
    if (redeemed_out != NULL) {
        *redeemed_out = 0;
    }
    rf_status rc = check_redeem(store, o);
    if (rc != RF_OK) {
        return rc;
    }
    rf_fingerprint fp;
    rf__fp_init(&fp, "reward.redeem");
    rf__fp_str(&fp, o->grant_id);
    rf__fp_str(&fp, o->party_id);
    rf__fp_str(&fp, o->currency);
    rf__fp_int(&fp, o->amount);
    rf__fp_str(&fp, o->reference);
    if ((rc = rf__tx_begin(store)) != RF_OK) {
        return rc;
    }
    char replay_id[RF_ID_BUFSIZE];
    if ((rc = rf__idem_replay(store, o->idempotency_key, "reward.redeem", &fp, replay_id)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    int64_t taken = 0;
    if (replay_id[0] != '\0') {
        /* The first call redeemed what it was asked (or failed and kept no key). */
        rf__tx_close_unchanged(store);
        taken = o->amount != RF_AMOUNT_UNSET ? o->amount : 1;
    } else {
        rf_time now = rf_store_now(store);
        rc = o->grant_id != NULL ? redeem_grant(store, o, now, &taken) : redeem_party(store, o, now, &taken);
        if (rc == RF_OK) {
            rc = rf__idem_remember(store, o->idempotency_key, "reward.redeem", &fp,
                                   o->grant_id != NULL ? o->grant_id : o->party_id);
        }
        if (rc != RF_OK) {
            return rf__tx_abort(store, rc);
        }
        if ((rc = rf__tx_commit(store)) != RF_OK) {
            return rc;
        }
    }
    if (redeemed_out != NULL) {
        *redeemed_out = taken;
    }
    return RF_OK;
}
