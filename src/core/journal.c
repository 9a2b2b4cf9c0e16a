/* Reading the journal with a cursor. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "referral/journal.h"
#include "core/records.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"

struct rf_event {
    rf_event_record r;
};

#define EVENT_STRING(field) offsetof(struct rf_event, r.field)
static const size_t event_strings[] = {EVENT_STRING(type), EVENT_STRING(subject_id), EVENT_STRING(object_id),
                                       EVENT_STRING(idempotency_key), EVENT_STRING(data)};

static rf_event *event_from_record(const rf_event_record *rec)
{
    const char *values[] = {rec->type, rec->subject_id, rec->object_id, rec->idempotency_key, rec->data};
    rf_event *ev =
        rf__pack(sizeof *ev, sizeof event_strings / sizeof event_strings[0], event_strings, values);
    if (ev != NULL) {
        ev->r.seq = rec->seq;
        ev->r.at = rec->at;
    }
    return ev;
}

void rf_event_free(rf_event *event)
{
    free(event);
}

struct rf_journal_iter {
    rf_store *store;
    int64_t after_seq; /* the cursor: the last sequence number handed to the page */
    rf_record_page page;
};

static int collect_event(const rf_event_record *rec, void *payload)
{
    rf_journal_iter *it = payload;
    it->after_seq = rec->seq;
    return rf__page_add(&it->page, event_from_record(rec), NULL);
}

static rf_status fetch_events(void *iter_ptr, rf_record_page *page)
{
    (void)page;
    rf_journal_iter *it = iter_ptr;
    return (rf_status)it->store->backend->journal_scan(it->store->backend, it->store->practice, it->after_seq,
                                                       RF_PAGE_SIZE, collect_event, it);
}

rf_status rf_journal_read(rf_journal_iter **out, rf_store *store, int64_t after_seq)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = rf__check_arg(store, "store")) != RF_OK) {
        return rc;
    }
    if (after_seq < 0) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_JOURNAL, "journal cursor %lld is negative; start from 0",
                         (long long)after_seq);
    }
    rf_journal_iter *it = rf__calloc(1, sizeof *it);
    if (it == NULL) {
        return RF_ENOMEM;
    }
    it->store = store;
    it->after_seq = after_seq;
    rf__page_init(&it->page, fetch_events, it, (void (*)(void *))rf_event_free);
    *out = it;
    return RF_OK;
}

rf_status rf_journal_iter_next(rf_event **out, rf_journal_iter *iter)
{
    return rf__iter_next((void **)out, iter, iter != NULL ? &iter->page : NULL);
}

void rf_journal_iter_free(rf_journal_iter *iter)
{
    rf__iter_free(iter, iter != NULL ? &iter->page : NULL);
}

rf_status rf_journal_last_seq(int64_t *out, rf_store *store)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = 0;
    if ((rc = rf__check_arg(store, "store")) != RF_OK) {
        return rc;
    }
    return (rf_status)store->backend->journal_last_seq(store->backend, store->practice, out);
}

int64_t rf_event_seq(const rf_event *e)
{
    return e != NULL ? e->r.seq : 0;
}
const char *rf_event_type(const rf_event *e)
{
    return e != NULL ? e->r.type : NULL;
}
const char *rf_event_subject_id(const rf_event *e)
{
    return e != NULL ? e->r.subject_id : NULL;
}
const char *rf_event_object_id(const rf_event *e)
{
    return e != NULL ? e->r.object_id : NULL;
}
rf_time rf_event_at(const rf_event *e)
{
    return e != NULL ? e->r.at : RF_TIME_NONE;
}
const char *rf_event_idempotency_key(const rf_event *e)
{
    return e != NULL ? e->r.idempotency_key : NULL;
}
const char *rf_event_data(const rf_event *e)
{
    return e != NULL ? e->r.data : NULL;
}
