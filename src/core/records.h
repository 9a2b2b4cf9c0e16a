/* Internal: what the domain modules share — turning backend records into
 * caller-owned handles, and paging scans into iterators. */
#ifndef RF_CORE_RECORDS_H
#define RF_CORE_RECORDS_H

#include "referral/party.h"
#include "referral/sys/backend.h"

/* Iterators read the backend in pages of this many records, keyed by the last
 * record seen, so no backend cursor (or read transaction) stays open while the
 * host works through the results. */
#define RF_PAGE_SIZE 64

typedef struct rf_record_page rf_record_page;
typedef rf_status (*rf_page_fetch_fn)(void *iter, rf_record_page *page);

struct rf_record_page {
    void *items[RF_PAGE_SIZE];
    size_t count, pos;
    char last_id[RF_ID_BUFSIZE]; /* keyset cursor for id-ordered scans */
    int done;
    rf_status error; /* set by rf__page_add when a copy fails */
    rf_page_fetch_fn fetch;
    void *iter;
    void (*free_item)(void *);
};

void rf__page_init(rf_record_page *page, rf_page_fetch_fn fetch, void *iter, void (*free_item)(void *));
/* Scan callback helper: keep @item (NULL means the copy failed) and remember
 * @id as the cursor. Returns non-zero to stop the scan. */
int rf__page_add(rf_record_page *page, void *item, const char *id);
/* The next item (ownership passes to the caller) or RF_ITEROVER. */
rf_status rf__page_next(rf_record_page *page, void **out);
void rf__page_clear(rf_record_page *page);

/* The public iterator calls: check the arguments, then step or free. @iter is
 * the iterator struct that holds @page (NULL when the caller passed NULL). */
rf_status rf__iter_next(void **out, const void *iter, rf_record_page *page);
void rf__iter_free(void *iter, rf_record_page *page);

/* Parties (party.c): a handle is its record with strings it owns. */
struct rf_party {
    rf_party_record r;
};

rf_party *rf__party_from_record(const rf_party_record *rec);
/* Load a party as a caller-owned handle; RF_ENOTFOUND with a message naming it. */
rf_status rf__party_load(rf_store *store, const char *id, rf_party **out);
/* rf_party_update(NULL, store, current's id, changes) for a party already
 * loaded in the caller's open transaction, written in the caller's level
 * (the caller rolls that back on failure) rather than a level of its own:
 * the same checks, row and journal entry, without reading the party again. */
rf_status rf__party_update_loaded(rf_store *store, const rf_party *current, const rf_party_options *changes);

#endif
