/* Paging backend scans into iterators. */
#include "core/records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

void rf__page_init(rf_record_page *page, rf_page_fetch_fn fetch, void *iter, void (*free_item)(void *))
{
    memset(page, 0, sizeof *page);
    page->fetch = fetch;
    page->iter = iter;
    page->free_item = free_item;
}

int rf__page_add(rf_record_page *page, void *item, const char *id)
{
    if (item == NULL) {
        page->error = RF_ENOMEM;
        return 1;
    }
    page->items[page->count++] = item;
    if (id != NULL) {
        snprintf(page->last_id, sizeof page->last_id, "%s", id);
    }
    return page->count == RF_PAGE_SIZE;
}

void rf__page_clear(rf_record_page *page)
{
    for (size_t i = page->pos; i < page->count; i++) {
        page->free_item(page->items[i]);
    }
    page->count = page->pos = 0;
}

rf_status rf__iter_next(void **out, const void *iter, rf_record_page *page)
{
    if (out == NULL) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT, "out must not be NULL");
    }
    *out = NULL;
    if (iter == NULL || page == NULL) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT, "iter must not be NULL");
    }
    return rf__page_next(page, out);
}

void rf__iter_free(void *iter, rf_record_page *page)
{
    if (iter != NULL && page != NULL) {
        rf__page_clear(page);
    }
    free(iter);
}

rf_status rf__page_next(rf_record_page *page, void **out)
{
    *out = NULL;
    if (page->pos == page->count) {
        if (page->done) {
            return RF_ITEROVER;
        }
        rf__page_clear(page);
        page->error = RF_OK;
        rf_status rc = page->fetch(page->iter, page);
        if (rc == RF_OK && page->error != RF_OK) {
            rc = rf__error_oom();
        }
        if (rc != RF_OK) {
            rf__page_clear(page);
            return rc;
        }
        if (page->count < RF_PAGE_SIZE) {
            page->done = 1;
        }
        if (page->count == 0) {
            return RF_ITEROVER;
        }
    }
    *out = page->items[page->pos];
    page->items[page->pos++] = NULL;
    return RF_OK;
}
