/* Balances summed from the ledger, and the audit that proves a party's books. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/records.h"
#include "core/rewards.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"

typedef struct balance_row {
    char currency[4]; /* "" for the items row */
    int64_t available, pending, issued, redeemed, expired, reversed;
} balance_row;

struct rf_balance {
    size_t count, cap;
    balance_row *rows;
};

void rf_balance_free(rf_balance *balance)
{
    if (balance != NULL) {
        free(balance->rows);
        free(balance);
    }
}

static balance_row *row_for(rf_balance *b, const char *currency)
{
    const char *key = currency != NULL ? currency : "";
    for (size_t i = 0; i < b->count; i++) {
        if (strcmp(b->rows[i].currency, key) == 0) {
            return &b->rows[i];
        }
    }
    if (rf__reserve(&b->rows, &b->cap, b->count, sizeof *b->rows) != RF_OK) {
        return NULL;
    }
    balance_row *row = &b->rows[b->count++];
    memset(row, 0, sizeof *row);
    snprintf(row->currency, sizeof row->currency, "%s", key);
    return row;
}

static int add(int64_t *sum, int64_t value)
{
    return __builtin_add_overflow(*sum, value, sum);
}

/* Add one entry to its row; RF_EINTEGRITY when a sum would overflow. */
static rf_status book(rf_balance *b, const rf_ledger_record *e)
{
    balance_row *row = row_for(b, e->currency);
    if (row == NULL) {
        return RF_ENOMEM;
    }
    int64_t *by_type[] = {NULL, &row->issued, NULL, &row->redeemed, &row->expired, &row->reversed};
    int overflow = add(&row->available, e->available_delta) | add(&row->pending, e->pending_delta);
    if (e->type >= RF_LEDGER_ISSUED && e->type <= RF_LEDGER_REVERSED && by_type[e->type] != NULL) {
        overflow |= add(by_type[e->type], e->amount);
    }
    if (overflow) {
        return rf__error(RF_EINTEGRITY, RF_ERRCLASS_REWARD, "the balance of party %s overflows at entry %s",
                         e->party_id, e->id);
    }
    return RF_OK;
}

static int by_currency(const void *a, const void *b)
{
    const balance_row *x = a, *y = b;
    /* The items row ("") goes last. */
    if ((x->currency[0] == '\0') != (y->currency[0] == '\0')) {
        return x->currency[0] == '\0' ? 1 : -1;
    }
    return strcmp(x->currency, y->currency);
}

/* Drop all-zero rows and order the rest: currencies, then items. */
static void finish(rf_balance *b)
{
    size_t kept = 0;
    for (size_t i = 0; i < b->count; i++) {
        const balance_row *r = &b->rows[i];
        if (r->available | r->pending | r->issued | r->redeemed | r->expired | r->reversed) {
            b->rows[kept++] = *r;
        }
    }
    b->count = kept;
    if (b->count > 1) { /* qsort wants a real array even for no rows */
        qsort(b->rows, b->count, sizeof *b->rows, by_currency);
    }
}

typedef struct booking {
    rf_balance *balance;
    rf_status error;
} booking;

static int book_entry(const rf_ledger_record *e, void *payload)
{
    booking *bk = payload;
    bk->error = book(bk->balance, e);
    return bk->error != RF_OK;
}

static rf_status check_party(rf_store *store, const char *party_id)
{
    rf_party *party = NULL;
    rf_status rc = rf__party_load(store, party_id, &party);
    rf_party_free(party);
    return rc;
}

static rf_status start(rf_balance **out, rf_store *store, const char *party_id)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = rf__check_arg(store, "store")) != RF_OK ||
        (rc = rf__check_arg(party_id, "party_id")) != RF_OK || (rc = rf__rewards_require(store)) != RF_OK ||
        (rc = check_party(store, party_id)) != RF_OK) {
        return rc;
    }
    return (*out = rf__calloc(1, sizeof **out)) != NULL ? RF_OK : RF_ENOMEM;
}

rf_status rf_reward_balance(rf_balance **out, rf_store *store, const char *party_id)
{
    rf_status rc = start(out, store, party_id);
    if (rc != RF_OK) {
        return rc;
    }
    booking bk = {*out, RF_OK};
    rf_ledger_query q = {0, party_id, NULL, 0};
    rc = (rf_status)store->backend->ledger_scan(store->backend, store->practice, &q, book_entry, &bk);
    if (rc == RF_OK) {
        rc = bk.error;
    }
    if (rc != RF_OK) {
        rf_balance_free(*out);
        *out = NULL;
        return rc;
    }
    finish(*out);
    return RF_OK;
}

size_t rf_balance_count(const rf_balance *b)
{
    return b != NULL ? b->count : 0;
}

static const balance_row *row_at(const rf_balance *b, size_t i)
{
    return b != NULL && i < b->count ? &b->rows[i] : NULL;
}

const char *rf_balance_currency(const rf_balance *b, size_t i)
{
    const balance_row *r = row_at(b, i);
    return r != NULL && r->currency[0] != '\0' ? r->currency : NULL;
}
/* One figure of row @i, by its offset in balance_row; 0 out of range. */
static int64_t figure(const rf_balance *b, size_t i, size_t offset)
{
    const balance_row *r = row_at(b, i);
    int64_t v = 0;
    if (r != NULL) {
        memcpy(&v, (const char *)r + offset, sizeof v);
    }
    return v;
}

int64_t rf_balance_available(const rf_balance *b, size_t i)
{
    return figure(b, i, offsetof(balance_row, available));
}
int64_t rf_balance_pending(const rf_balance *b, size_t i)
{
    return figure(b, i, offsetof(balance_row, pending));
}
int64_t rf_balance_issued(const rf_balance *b, size_t i)
{
    return figure(b, i, offsetof(balance_row, issued));
}
int64_t rf_balance_redeemed(const rf_balance *b, size_t i)
{
    return figure(b, i, offsetof(balance_row, redeemed));
}
int64_t rf_balance_expired(const rf_balance *b, size_t i)
{
    return figure(b, i, offsetof(balance_row, expired));
}
int64_t rf_balance_reversed(const rf_balance *b, size_t i)
{
    return figure(b, i, offsetof(balance_row, reversed));
}

rf_status rf__balance_start(rf_balance **out, rf_store *store, const char *party_id)
{
    return start(out, store, party_id);
}

rf_status rf__balance_book(rf_balance *b, const rf_ledger_record *e)
{
    return book(b, e);
}

void rf__balance_finish(rf_balance *b)
{
    finish(b);
}

int rf__balance_equal(const rf_balance *a, const rf_balance *b)
{
    if (a->count != b->count) {
        return 0;
    }
    for (size_t i = 0; i < a->count; i++) {
        const balance_row *x = &a->rows[i], *y = &b->rows[i];
        if (strcmp(x->currency, y->currency) != 0 || x->available != y->available ||
            x->pending != y->pending || x->issued != y->issued || x->redeemed != y->redeemed ||
            x->expired != y->expired || x->reversed != y->reversed) {
            return 0;
        }
    }
    return 1;
}
