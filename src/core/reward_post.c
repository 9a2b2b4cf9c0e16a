/* Ledger postings: every change to what a grant is worth is one append-only
 * entry, journalled in the same transaction, with the grant's status moved
 * to match. Each entry has a unique key, so storage itself refuses a second
 * release, expiry or reversal of one grant. */
#include <stdio.h>
#include <string.h>

#include "referral/journal.h"
#include "core/outbox_internal.h"
#include "core/referrals.h"
#include "core/rewards.h"
#include "store/store_internal.h"
#include "util/error.h"

static const char *const event_types[] = {
    [RF_LEDGER_ISSUED] = RF_EVENT_REWARD_ISSUED,     [RF_LEDGER_RELEASED] = RF_EVENT_REWARD_RELEASED,
    [RF_LEDGER_REDEEMED] = RF_EVENT_REWARD_REDEEMED, [RF_LEDGER_EXPIRED] = RF_EVENT_REWARD_EXPIRED,
    [RF_LEDGER_REVERSED] = RF_EVENT_REWARD_REVERSED,
};

int rf__reward_kind_is_money(int kind)
{
    return kind == RF_REWARD_ACCOUNT_CREDIT || kind == RF_REWARD_FIXED_DISCOUNT ||
           kind == RF_REWARD_CHARITY_DONATION;
}

/* Append one entry and its event; the event's sequence number orders the ledger. */
static rf_status post(rf_store *store, const rf_grant_record *g, rf_ledger_type type, int64_t amount,
                      int64_t pending_delta, int64_t available_delta, const char *reference,
                      const char *entry_key, const char *idempotency_key, const char *data, rf_time now)
{
    char id[RF_ID_BUFSIZE], key[RF_ID_BUFSIZE + 16];
    rf__store_new_id(store, id);
    if (entry_key == NULL) {
        snprintf(key, sizeof key, "%s:%s", rf_ledger_type_name(type), id);
        entry_key = key;
    }
    char full[256];
    snprintf(full, sizeof full, "units=%lld%s%s%s%s", (long long)amount,
             rf__reward_kind_is_money(g->kind) ? ";currency=" : "",
             rf__reward_kind_is_money(g->kind) ? g->currency : "", data != NULL ? ";" : "",
             data != NULL ? data : "");
    rf_ledger_record e = {
        id,        entry_key, g->id,  g->recipient_id, rf__reward_kind_is_money(g->kind) ? g->currency : NULL,
        reference, (int)type, amount, pending_delta,   available_delta,
        0,         now};
    rf_status rc = rf__journal_append_seq(store, event_types[type], g->id, g->recipient_id, idempotency_key,
                                          full, &e.seq);
    if (rc == RF_OK) {
        rc = (rf_status)store->backend->ledger_insert(store->backend, store->practice, &e);
    }
    return rc;
}

/* A grant's fixed entry key: "<type>:<grant id>" for the moves a grant makes once. */
static const char *once_key(char *out, size_t size, rf_ledger_type type, const char *grant_id)
{
    snprintf(out, size, "%s:%s", rf_ledger_type_name(type), grant_id);
    return out;
}

static rf_status save(rf_store *store, rf_grant *g, rf_grant_status status, rf_time now)
{
    g->r.status = (int)status;
    g->r.updated_at = now;
    if (status == RF_GRANT_SETTLED || status == RF_GRANT_EXPIRED || status == RF_GRANT_REVERSED) {
        g->r.closed_at = now;
    }
    return (rf_status)store->backend->grant_update(store->backend, store->practice, &g->r);
}

rf_status rf__grant_post_issued(rf_store *store, const rf_grant_record *grant, const char *data)
{
    char key[RF_ID_BUFSIZE + 16];
    return post(store, grant, RF_LEDGER_ISSUED, grant->units, grant->units, 0, NULL,
                once_key(key, sizeof key, RF_LEDGER_ISSUED, grant->id), NULL, data, grant->issued_at);
}

static rf_status require_status(const rf_grant *g, rf_grant_status wanted, const char *doing)
{
    if (g->r.status == (int)wanted) {
        return RF_OK;
    }
    /* The date that explains the status: when a held grant is due, when it became usable, when it closed. */
    int pending = g->r.status == RF_GRANT_PENDING;
    rf_time when = pending                             ? g->r.release_at
                   : g->r.status == RF_GRANT_AVAILABLE ? g->r.released_at
                                                       : g->r.closed_at;
    char date[16] = "";
    if (when != 0) {
        rf__format_date(date, when);
    }
    return rf__error(RF_ESTATE, RF_ERRCLASS_REWARD, "cannot %s grant %s: it is %s%s%s", doing, g->r.id,
                     rf_grant_status_name((rf_grant_status)g->r.status),
                     when == 0 ? ""
                     : pending ? " until "
                               : " since ",
                     date);
}

/* Expiry runs from the actual release, so a host that processes late never
 * shortens the time a recipient has to use a grant. */
static rf_status expiry_from(rf_store *store, const rf_grant *g, rf_time released_at, rf_time *expires_at)
{
    rf_reward_rule_record rule;
    memset(&rule, 0, sizeof rule);
    int rc = store->backend->reward_rule_get(store->backend, store->practice, g->r.rule_id, &rule);
    *expires_at = rule.expiry_days > 0 && g->r.units > 0
                      ? released_at + (rf_time)rule.expiry_days * RF_SECONDS_PER_DAY
                      : 0;
    return (rf_status)rc;
}

rf_status rf__grant_release(rf_store *store, rf_grant *g, rf_time now)
{
    rf_status rc = require_status(g, RF_GRANT_PENDING, "release");
    char key[RF_ID_BUFSIZE + 16];
    if (rc == RF_OK && (rc = expiry_from(store, g, now, &g->r.expires_at)) == RF_OK &&
        (rc = post(store, &g->r, RF_LEDGER_RELEASED, g->r.units, -g->r.units, g->r.units, NULL,
                   once_key(key, sizeof key, RF_LEDGER_RELEASED, g->r.id), NULL, NULL, now)) == RF_OK) {
        g->r.released_at = now;
        g->remaining = g->r.units;
        rc = save(store, g, g->r.units > 0 ? RF_GRANT_AVAILABLE : RF_GRANT_SETTLED, now);
    }
    if (rc == RF_OK) {
        rc = rf__loop_on_grant(store, &g->r);
    }
    return rc;
}

rf_status rf__grant_expire(rf_store *store, rf_grant *g, rf_time now)
{
    rf_status rc = require_status(g, RF_GRANT_AVAILABLE, "expire");
    char key[RF_ID_BUFSIZE + 16];
    if (rc == RF_OK &&
        (rc = post(store, &g->r, RF_LEDGER_EXPIRED, g->remaining, 0, -g->remaining, NULL,
                   once_key(key, sizeof key, RF_LEDGER_EXPIRED, g->r.id), NULL, NULL, now)) == RF_OK) {
        g->remaining = 0;
        rc = save(store, g, RF_GRANT_EXPIRED, now);
    }
    return rc;
}

rf_status rf__grant_reverse(rf_store *store, rf_grant *g, rf_time now, const char *why)
{
    int64_t pending = 0, available = 0;
    rf_status rc = RF_OK;
    if (g->r.status != RF_GRANT_PENDING && g->r.status != RF_GRANT_AVAILABLE) {
        rc = require_status(g, RF_GRANT_AVAILABLE, "reverse");
    }
    char key[RF_ID_BUFSIZE + 16];
    if (rc == RF_OK && (rc = rf__grant_balances(store, g->r.id, &pending, &available)) == RF_OK &&
        (rc = post(store, &g->r, RF_LEDGER_REVERSED, pending + available, -pending, -available, NULL,
                   once_key(key, sizeof key, RF_LEDGER_REVERSED, g->r.id), NULL, why, now)) == RF_OK) {
        g->remaining = 0;
        rc = save(store, g, RF_GRANT_REVERSED, now);
    }
    return rc;
}

rf_status rf__grant_redeem(rf_store *store, rf_grant *g, int64_t units, const char *reference,
                           const char *idempotency_key, rf_time now)
{
    rf_status rc = require_status(g, RF_GRANT_AVAILABLE, "redeem");
    if (rc == RF_OK && (units < 1 || units > g->remaining)) {
        rc = rf__error(RF_EBALANCE, RF_ERRCLASS_REWARD, "grant %s has %lld %s available; cannot redeem %lld",
                       g->r.id, (long long)g->remaining,
                       rf__reward_kind_is_money(g->r.kind) ? g->r.currency
                                                           : (g->remaining == 1 ? "item" : "items"),
                       (long long)units);
    }
    if (rc == RF_OK && (rc = post(store, &g->r, RF_LEDGER_REDEEMED, units, 0, -units, reference, NULL,
                                  idempotency_key, NULL, now)) == RF_OK) {
        g->remaining -= units;
        rc = g->remaining == 0 ? save(store, g, RF_GRANT_SETTLED, now)
                               : save(store, g, RF_GRANT_AVAILABLE, now);
    }
    return rc;
}
