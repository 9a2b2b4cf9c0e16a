/* Reading grants and the ledger: handles, a grant's balances, listing. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/records.h"
#include "core/rewards.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/text.h"

/* The record's strings come first: 8 of them before `recipient`. */
_Static_assert(offsetof(rf_grant_record, recipient) == 8 * sizeof(const char *), "rf_grant_record strings");

rf_grant *rf__grant_from_record(const rf_grant_record *rec, int64_t remaining)
{
    rf_grant *g = rf__pack_record(sizeof *g, rec, sizeof *rec, 8);
    if (g != NULL) {
        g->remaining = remaining;
    }
    return g;
}

void rf_grant_free(rf_grant *grant)
{
    free(grant);
}

typedef struct grant_sums {
    int64_t pending, available;
} grant_sums;

static int add_entry(const rf_ledger_record *rec, void *payload)
{
    grant_sums *s = payload;
    s->pending += rec->pending_delta;
    s->available += rec->available_delta;
    return 0;
}

rf_status rf__grant_balances(rf_store *store, const char *grant_id, int64_t *pending, int64_t *available)
{
    grant_sums s = {0, 0};
    rf_ledger_query q = {0, NULL, grant_id, 0};
    int rc = store->backend->ledger_scan(store->backend, store->practice, &q, add_entry, &s);
    if (pending != NULL) {
        *pending = s.pending;
    }
    if (available != NULL) {
        *available = s.available;
    }
    return (rf_status)rc;
}

rf_status rf__grant_load(rf_store *store, const char *id, rf_grant **handle)
{
    *handle = NULL;
    rf_grant_record rec;
    memset(&rec, 0, sizeof rec);
    int rc = store->backend->grant_get(store->backend, store->practice, id, &rec);
    if (rc == RF_ENOTFOUND) {
        return rf__error(RF_ENOTFOUND, RF_ERRCLASS_REWARD, "no grant '%.64s' in practice '%s'", id,
                         store->practice);
    }
    if (rc != RF_OK) {
        return (rf_status)rc;
    }
    /* The backend's strings last until its next call: copy before summing. */
    rf_grant *g = rf__grant_from_record(&rec, 0);
    if (g == NULL) {
        return RF_ENOMEM;
    }
    rf_status src = rf__grant_balances(store, g->r.id, NULL, &g->remaining);
    if (src != RF_OK) {
        rf_grant_free(g);
        return src;
    }
    *handle = g;
    return RF_OK;
}

rf_status rf_grant_get(rf_grant **out, rf_store *store, const char *id)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(id, "id")) != RF_OK ||
        (rc = rf__rewards_require(store)) != RF_OK) {
        return rc;
    }
    return rf__grant_load(store, id, out);
}

rf_status rf_grant_filter_init(rf_grant_filter *filter, unsigned int version)
{
    static const rf_grant_filter init = RF_GRANT_FILTER_INIT;
    return rf__options_init(filter, sizeof init, &init, version, "rf_grant_filter", "RF_GRANT_FILTER_INIT");
}

/* --- listing grants ---------------------------------------------------------- */

struct rf_grant_iter {
    rf_store *store;
    char recipient_id[RF_ID_BUFSIZE], referral_id[RF_ID_BUFSIZE], rule_id[RF_ID_BUFSIZE];
    int status;
    rf_record_page page;
};

static int collect_grant(const rf_grant_record *rec, void *payload)
{
    return rf__page_add(payload, rf__grant_from_record(rec, 0), rec->id);
}

static const char *or_null(const char *s)
{
    return s[0] != '\0' ? s : NULL;
}

static rf_status fetch_grants(void *iter_ptr, rf_record_page *page)
{
    rf_grant_iter *it = iter_ptr;
    rf_grant_query q = {or_null(page->last_id),
                        or_null(it->recipient_id),
                        or_null(it->referral_id),
                        or_null(it->rule_id),
                        it->status,
                        RF_TIME_UNSET,
                        RF_TIME_UNSET,
                        RF_TIME_UNSET,
                        RF_PAGE_SIZE};
    rf_status rc = (rf_status)it->store->backend->grant_scan(it->store->backend, it->store->practice, &q,
                                                             collect_grant, page);
    /* What is left comes from each grant's entries, read after the scan (a
     * scan callback must not call the backend). */
    for (size_t i = page->pos; rc == RF_OK && page->error == RF_OK && i < page->count; i++) {
        rf_grant *g = page->items[i];
        rc = rf__grant_balances(it->store, g->r.id, NULL, &g->remaining);
    }
    return rc;
}

/* Copy an optional id filter, refusing what cannot be an id. */
static rf_status copy_filter_id(char out[RF_ID_BUFSIZE], const char *value, const char *field)
{
    out[0] = '\0';
    if (value == NULL) {
        return RF_OK;
    }
    rf_status rc = rf__check_text(field, value, RF_ID_BUFSIZE - 1, 1, RF_ERRCLASS_REWARD);
    if (rc == RF_OK) {
        snprintf(out, RF_ID_BUFSIZE, "%s", value);
    }
    return rc;
}

rf_status rf_grant_list(rf_grant_iter **out, rf_store *store, const rf_grant_filter *filter)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    rf_grant_filter all = RF_GRANT_FILTER_INIT;
    if (filter == NULL) {
        filter = &all;
    }
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__rewards_require(store)) != RF_OK ||
        (rc = rf__check_version("rf_grant_filter", filter->version, RF_GRANT_FILTER_VERSION,
                                "RF_GRANT_FILTER_INIT")) != RF_OK) {
        return rc;
    }
    if (filter->status < RF_GRANT_STATUS_UNSET || filter->status > RF_GRANT_REVERSED) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REWARD, "status %d is not a grant status",
                         (int)filter->status);
    }
    rf_grant_iter *it = rf__calloc(1, sizeof *it);
    if (it == NULL) {
        return RF_ENOMEM;
    }
    if ((rc = copy_filter_id(it->recipient_id, filter->recipient_id, "recipient_id")) != RF_OK ||
        (rc = copy_filter_id(it->referral_id, filter->referral_id, "referral_id")) != RF_OK ||
        (rc = copy_filter_id(it->rule_id, filter->rule_id, "rule_id")) != RF_OK) {
        free(it);
        return rc;
    }
    it->store = store;
    it->status = (int)filter->status;
    rf__page_init(&it->page, fetch_grants, it, (void (*)(void *))rf_grant_free);
    *out = it;
    return RF_OK;
}

rf_status rf_grant_iter_next(rf_grant **out, rf_grant_iter *iter)
{
    return rf__iter_next((void **)out, iter, iter != NULL ? &iter->page : NULL);
}

void rf_grant_iter_free(rf_grant_iter *iter)
{
    rf__iter_free(iter, iter != NULL ? &iter->page : NULL);
}

/* --- listing the ledger ------------------------------------------------------- */

/* The record's strings come first: 6 of them before `type`. */
_Static_assert(offsetof(rf_ledger_record, type) == 6 * sizeof(const char *), "rf_ledger_record strings");

static rf_ledger_entry *entry_from_record(const rf_ledger_record *rec)
{
    return rf__pack_record(sizeof(rf_ledger_entry), rec, sizeof *rec, 6);
}

void rf_ledger_entry_free(rf_ledger_entry *entry)
{
    free(entry);
}

rf_status rf_ledger_filter_init(rf_ledger_filter *filter, unsigned int version)
{
    static const rf_ledger_filter init = RF_LEDGER_FILTER_INIT;
    return rf__options_init(filter, sizeof init, &init, version, "rf_ledger_filter", "RF_LEDGER_FILTER_INIT");
}

struct rf_ledger_iter {
    rf_store *store;
    char party_id[RF_ID_BUFSIZE], grant_id[RF_ID_BUFSIZE];
    int64_t last_seq; /* the ledger is ordered by journal sequence, not by id */
    rf_record_page page;
};

static int collect_entry(const rf_ledger_record *rec, void *payload)
{
    rf_ledger_iter *it = payload;
    it->last_seq = rec->seq;
    return rf__page_add(&it->page, entry_from_record(rec), NULL);
}

static rf_status fetch_entries(void *iter_ptr, rf_record_page *page)
{
    (void)page;
    rf_ledger_iter *it = iter_ptr;
    rf_ledger_query q = {it->last_seq, or_null(it->party_id), or_null(it->grant_id), RF_PAGE_SIZE};
    return (rf_status)it->store->backend->ledger_scan(it->store->backend, it->store->practice, &q,
                                                      collect_entry, it);
}

rf_status rf_ledger_list(rf_ledger_iter **out, rf_store *store, const rf_ledger_filter *filter)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    rf_ledger_filter all = RF_LEDGER_FILTER_INIT;
    if (filter == NULL) {
        filter = &all;
    }
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__rewards_require(store)) != RF_OK ||
        (rc = rf__check_version("rf_ledger_filter", filter->version, RF_LEDGER_FILTER_VERSION,
                                "RF_LEDGER_FILTER_INIT")) != RF_OK) {
        return rc;
    }
    if (filter->after_seq < 0) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REWARD, "after_seq %lld is negative",
                         (long long)filter->after_seq);
    }
    rf_ledger_iter *it = rf__calloc(1, sizeof *it);
    if (it == NULL) {
        return RF_ENOMEM;
    }
    if ((rc = copy_filter_id(it->party_id, filter->party_id, "party_id")) != RF_OK ||
        (rc = copy_filter_id(it->grant_id, filter->grant_id, "grant_id")) != RF_OK) {
        free(it);
        return rc;
    }
    it->store = store;
    it->last_seq = filter->after_seq;
    rf__page_init(&it->page, fetch_entries, it, (void (*)(void *))rf_ledger_entry_free);
    *out = it;
    return RF_OK;
}

rf_status rf_ledger_iter_next(rf_ledger_entry **out, rf_ledger_iter *iter)
{
    return rf__iter_next((void **)out, iter, iter != NULL ? &iter->page : NULL);
}

void rf_ledger_iter_free(rf_ledger_iter *iter)
{
    rf__iter_free(iter, iter != NULL ? &iter->page : NULL);
}
