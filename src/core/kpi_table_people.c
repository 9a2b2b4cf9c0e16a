/* The PRACTITIONERS table: the advocacy and NPS of each staff member's
 * clients. Tallies are kept per staff member, and per client only for a
 * chunk of RF__KPI_STAFF_CLIENT_CHUNK clients at a time (a party scan in id
 * order, continued by the next chunk); each chunk's events and referrals are
 * scanned and folded into its staff members' tallies, which are sums over
 * clients, so chunking changes no result. */
#include <stdlib.h>
#include <string.h>

#include "core/kpi_table.h"
#include "referral/events.h"
#include "referral/party.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"

typedef struct staff_tally {
    char *name;
    int64_t clients, advocates, nps_sum, nps_n, made;
} staff_tally;

/* One client of the chunk: 44 bytes. */
typedef struct client_tally {
    char id[RF_ID_BUFSIZE];
    uint8_t active, made;
    uint32_t staff; /* index in the staff map */
} client_tally;

typedef struct practice_scan {
    const rf_kpi_filter *filter;
    rf__kpi_map staff;
    client_tally *clients; /* the chunk, ascending by id */
    size_t count, cap, visited;
    char last[RF_ID_BUFSIZE]; /* the last client the chunk's scan visited */
    rf_status error;
} practice_scan;

static int visit_staff(const rf_party_record *p, void *payload)
{
    practice_scan *s = payload;
    const char *only = s->filter->practitioner_id;
    if (only != NULL && strcmp(p->id, only) != 0) {
        return 0;
    }
    if (s->staff.count >= UINT32_MAX) {
        s->error = rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT, "the practice has more than 2^32 staff");
        return 1;
    }
    staff_tally *e = rf__kpi_map_upsert(&s->staff, p->id);
    if (e == NULL || (e->name = rf__strdup(p->display_name != NULL ? p->display_name : "")) == NULL) {
        s->error = RF_ENOMEM;
    }
    return s->error != RF_OK;
}

static size_t index_of(const rf__kpi_map *m, const void *value)
{
    return (size_t)((const unsigned char *)value - m->values) / m->value_size;
}

static int visit_client(const rf_party_record *p, void *payload)
{
    practice_scan *s = payload;
    const rf_kpi_filter *f = s->filter;
    size_t len = strlen(p->id);
    if (len >= RF_ID_BUFSIZE) {
        s->error = rf__error(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                             "the backend returned a party id of %zu bytes; ids are UUID text", len);
        return 1;
    }
    if (s->visited == RF__KPI_STAFF_CLIENT_CHUNK) {
        return 1; /* a backend that visits past the limit: the next chunk takes it */
    }
    s->visited++;
    memcpy(s->last, p->id, len + 1);
    const staff_tally *staff = rf__kpi_map_find(&s->staff, p->practitioner_id);
    /* Keyset paging hands ids out ascending; the binary search relies on it. */
    if (staff == NULL || (s->count > 0 && strcmp(p->id, s->clients[s->count - 1].id) <= 0)) {
        return 0;
    }
    if (s->count == s->cap) {
        /* Doubling, never past the chunk: small practices stay small. */
        size_t cap = s->cap != 0 ? 2 * s->cap : 256;
        cap = cap < RF__KPI_STAFF_CLIENT_CHUNK ? cap : RF__KPI_STAFF_CLIENT_CHUNK;
        client_tally *v = realloc(s->clients, cap * sizeof *v);
        if (v == NULL) {
            s->error = rf__error_oom();
            return 1;
        }
        s->clients = v;
        s->cap = cap;
    }
    client_tally *c = &s->clients[s->count++];
    memset(c, 0, sizeof *c);
    memcpy(c->id, p->id, len + 1);
    c->staff = (uint32_t)index_of(&s->staff, staff);
    c->active = p->first_visit_at != 0 && p->first_visit_at >= f->from && p->first_visit_at < f->to;
    return 0;
}

static client_tally *find_client(const practice_scan *s, const char *id)
{
    size_t lo = 0, hi = s->count;
    while (id != NULL && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(id, s->clients[mid].id);
        if (cmp == 0) {
            return &s->clients[mid];
        }
        if (cmp < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return NULL;
}

static int visit_event(const rf_client_event_record *e, void *payload)
{
    practice_scan *s = payload;
    client_tally *c = find_client(s, e->party_id);
    if (c == NULL) {
        return 0;
    }
    if (e->type == RF_CLIENT_EVENT_VISIT_COMPLETED) {
        c->active = 1;
    } else if (e->type == RF_CLIENT_EVENT_NPS) {
        staff_tally *st = rf__kpi_map_value(&s->staff, c->staff);
        st->nps_sum += e->value;
        st->nps_n++;
    }
    return 0;
}

static rf_status tally_made(const rf_referral_record *r, void *payload)
{
    practice_scan *s = payload;
    client_tally *c = find_client(s, r->referrer_id);
    if (c != NULL) {
        c->made = 1;
        ((staff_tally *)rf__kpi_map_value(&s->staff, c->staff))->made++;
    }
    return RF_OK;
}

/* The next chunk of clients (after s->last), their events and referrals,
 * folded into the staff tallies. *more is 0 once the clients ran out. */
static rf_status scan_chunk(rf_store *store, practice_scan *s, int *more)
{
    rf_backend *b = store->backend;
    const rf_kpi_filter *f = s->filter;
    char after[RF_ID_BUFSIZE];
    memcpy(after, s->last, sizeof after);
    rf_party_query clients = {after[0] != '\0' ? after : NULL, RF_PARTY_CLIENT, NULL,
                              (unsigned int)RF__KPI_STAFF_CLIENT_CHUNK};
    s->count = 0;
    s->visited = 0;
    rf_status rc = (rf_status)b->party_scan(b, store->practice, &clients, visit_client, s);
    rc = rc != RF_OK ? rc : s->error;
    *more = rc == RF_OK && s->visited == RF__KPI_STAFF_CLIENT_CHUNK;
    if (rc != RF_OK || s->count == 0) {
        return rc;
    }
    static const int types[] = {RF_CLIENT_EVENT_VISIT_COMPLETED, RF_CLIENT_EVENT_NPS};
    for (size_t i = 0; rc == RF_OK && i < sizeof types / sizeof types[0]; i++) {
        rf_client_event_query q = {NULL, NULL, types[i], f->from, f->to, 0};
        rc = (rf_status)b->client_event_scan(b, store->practice, &q, visit_event, s);
    }
    rc = rc == RF_OK ? rf__kpi_cohort_scan(store, f, tally_made, s) : rc;
    for (size_t i = 0; rc == RF_OK && i < s->count; i++) {
        const client_tally *c = &s->clients[i];
        staff_tally *st = rf__kpi_map_value(&s->staff, c->staff);
        st->clients += c->active;
        st->advocates += c->active && c->made;
    }
    return rc;
}

static rf_status scan_practice(rf_store *store, practice_scan *s)
{
    rf_backend *b = store->backend;
    rf_party_query staff = {NULL, RF_PARTY_STAFF, NULL, 0};
    rf_status rc = (rf_status)b->party_scan(b, store->practice, &staff, visit_staff, s);
    rc = rc != RF_OK ? rc : s->error;
    if (rc != RF_OK || s->staff.count == 0) {
        return rc;
    }
    for (int more = 1; rc == RF_OK && more;) {
        rc = scan_chunk(store, s, &more);
    }
    return rc;
}

rf_status rf__kpi_table_practitioners(rf_store *store, const rf_kpi_filter *f, rf_kpi_table *t)
{
    practice_scan s;
    memset(&s, 0, sizeof s);
    s.filter = f;
    rf__kpi_map_init(&s.staff, sizeof(staff_tally));
    rf_status rc = scan_practice(store, &s);
    /* The party scan went in id order, and the map keeps it. */
    for (size_t i = 0; rc == RF_OK && i < s.staff.count; i++) {
        const staff_tally *st = rf__kpi_map_value(&s.staff, i);
        rf_kpi_row *row = NULL;
        if ((rc = rf__kpi_table_add(t, rf__kpi_map_key(&s.staff, i), st->name, &row)) == RF_OK) {
            rf__kpi_cell_count(row, RF_KPI_COLUMN_CLIENTS, st->clients);
            rf__kpi_cell_count(row, RF_KPI_COLUMN_ADVOCATES, st->advocates);
            rf__kpi_cell_rate(row, RF_KPI_COLUMN_ADVOCACY_RATE, st->advocates, st->clients);
            rf__kpi_cell_rate(row, RF_KPI_COLUMN_MEAN_NPS, st->nps_sum, st->nps_n);
            rf__kpi_cell_count(row, RF_KPI_COLUMN_COUNT, st->made);
        }
    }
    for (size_t i = 0; i < s.staff.count; i++) {
        free(((staff_tally *)rf__kpi_map_value(&s.staff, i))->name);
    }
    rf__kpi_map_free(&s.staff);
    free(s.clients);
    return rc;
}
