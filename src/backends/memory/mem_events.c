/* The memory backend's client events (contract version 4), described for mem_table.c. Events are
 * only ever inserted; they are grouped by client and by type, so that "this client's events" and
 * "every NPS score" each walk only their group. Period bounds are checked record by record. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <referral.h>
#include <referral/sys/backend.h>

#include "mem_internal.h"

/* The shared table code reads a record's id as its first member. */
_Static_assert(offsetof(rf_client_event_record, id) == 0, "rf_client_event_record.id must come first");

static const size_t event_strings[] = {
    offsetof(rf_client_event_record, id),
    offsetof(rf_client_event_record, party_id),
    offsetof(rf_client_event_record, practitioner_id),
    offsetof(rf_client_event_record, label),
    offsetof(rf_client_event_record, currency),
};

/* The groupings, in the order of rf__mem_scan.key. */
enum { BY_PARTY, BY_TYPE, EVENT_GROUPINGS };
_Static_assert(EVENT_GROUPINGS <= RF__MEM_MAX_GROUPINGS, "too many client event groupings");

static size_t type_key(const void *record, const char *keys[RF__MEM_MAX_GROUP_KEYS])
{
    keys[0] = rf__mem_int_key(((const rf_client_event_record *)record)->type);
    return 1;
}

static const rf__mem_kind event_kind = {
    .table = RF__MEM_CLIENT_EVENTS,
    .noun = "client event",
    .klass = RF_ERRCLASS_PARTY,
    .size = sizeof(rf_client_event_record),
    .strings = event_strings,
    .n_strings = sizeof event_strings / sizeof event_strings[0],
    .invalid = "memory backend: client event record has no id",
    .n_groupings = EVENT_GROUPINGS,
    .groupings =
        {
            [BY_PARTY] = {NULL, offsetof(rf_client_event_record, party_id)},
            [BY_TYPE] = {type_key, 0},
        },
};

static int mem_event_insert(rf_backend *backend, const char *practice, const rf_client_event_record *record)
{
    return rf__mem_insert(backend, &event_kind, "client_event_insert", practice, record);
}

static int visit_event(const rf__mem_scan *s, const void *record)
{
    const rf_client_event_record *rec = record;
    const rf_client_event_query *q = s->query;
    /* The type group holds other types too when the type is past the keyed ones. */
    if ((q->type != 0 && rec->type != q->type) || (q->from != RF_TIME_UNSET && rec->at < q->from) ||
        (q->to != RF_TIME_UNSET && rec->at >= q->to)) {
        return RF__MEM_SCAN_SKIP;
    }
    return s->fn.client_event(rec, s->payload) != 0 ? RF__MEM_SCAN_STOP : RF__MEM_SCAN_NEXT;
}

static int mem_event_scan(rf_backend *backend, const char *practice, const rf_client_event_query *query,
                          rf_client_event_visit_fn visit, void *payload)
{
    static const rf_client_event_query all = {
        .from = RF_TIME_UNSET,
        .to = RF_TIME_UNSET,
    };
    const rf_client_event_query *q = query != NULL ? query : &all;
    rf__mem_scan s = {q,
                      q->after_id,
                      q->limit,
                      {
                          [BY_PARTY] = q->party_id,
                          [BY_TYPE] = q->type != 0 ? rf__mem_int_key(q->type) : NULL,
                      },
                      visit_event,
                      {.client_event = visit},
                      payload};
    return rf__mem_scan_table(backend, &event_kind, "client_event_scan", practice, visit != NULL, &s);
}

void rf__mem_events_install(rf_backend *backend)
{
    backend->client_event_insert = mem_event_insert;
    backend->client_event_scan = mem_event_scan;
}
