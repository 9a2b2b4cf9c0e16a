/* The clients of the KPI figures, loaded a chunk at a time by a paged scan
 * of the parties that each chunk continues, and the period's leads counted
 * on the way. */
#include <stdlib.h>
#include <string.h>

#include "core/kpi_client_map.h"
#include "referral/party.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"

/* Parties read per scan call: the referee lookups run between pages, since a
 * scan callback must not call the backend. */
#define PAGE 512

unsigned rf__kpi_active_flags(const rf_kpi_filter *f, rf_time t)
{
    unsigned flags = 0;
    if (rf__kpi_within(t, f->from, f->to)) {
        flags |= RF__KPI_ACTIVE;
    }
    if (rf__kpi_within(t, rf__kpi_before_from(f), f->from)) {
        flags |= RF__KPI_ACTIVE_BEFORE;
    }
    if (rf__kpi_within(t, rf__kpi_time_add(f->from, -RF__KPI_YEAR), f->from)) {
        flags |= RF__KPI_ACTIVE_YEAR;
    }
    return flags;
}

typedef struct page_party {
    char id[RF_ID_BUFSIZE];
    int client, lead, kind;
    rf_time first_visit;
} page_party;

typedef struct page {
    const rf_kpi_filter *filter;
    page_party *v;
    size_t n, visited;
    char last[RF_ID_BUFSIZE];
    rf_status error;
} page;

static int visit_party(const rf_party_record *p, void *payload)
{
    page *pg = payload;
    const rf_kpi_filter *f = pg->filter;
    if (pg->visited == PAGE) {
        return 1; /* a backend that visits past the limit: the next page takes it */
    }
    size_t len = strlen(p->id);
    if (len >= RF_ID_BUFSIZE) {
        pg->error = rf__error(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                              "the backend returned a party id of %zu bytes; ids are UUID text", len);
        return 1;
    }
    memcpy(pg->last, p->id, len + 1);
    pg->visited++;
    int lead = (p->kind == RF_PARTY_LEAD || p->kind == RF_PARTY_CLIENT) &&
               rf__kpi_within(p->created_at, f->from, f->to);
    int client = p->kind == RF_PARTY_CLIENT &&
                 (f->practitioner_id == NULL ||
                  (p->practitioner_id != NULL && strcmp(p->practitioner_id, f->practitioner_id) == 0));
    if (lead || client) {
        page_party *e = &pg->v[pg->n++];
        memcpy(e->id, p->id, len + 1);
        e->client = client;
        e->lead = lead;
        e->kind = p->kind;
        e->first_visit = p->first_visit_at;
    }
    return 0;
}

/* Room for one more client: doubling, but never past the chunk, so a full
 * chunk holds no slack. */
static rf_status reserve(rf__kpi_client_map *map)
{
    if (map->n < map->cap) {
        return RF_OK;
    }
    size_t cap = map->cap != 0 ? 2 * map->cap : 64;
    cap = cap < RF__KPI_CLIENT_CHUNK ? cap : RF__KPI_CLIENT_CHUNK;
    rf__kpi_client *v = realloc(map->v, cap * sizeof *v);
    if (v == NULL) {
        return rf__error_oom();
    }
    map->v = v;
    map->cap = cap;
    return RF_OK;
}

static rf_status add_client(rf__kpi_client_map *map, const rf_kpi_filter *f, const page_party *e,
                            int referred)
{
    /* Keyset paging hands ids out ascending; the binary search relies on it. */
    if (map->n > 0 && strcmp(e->id, map->v[map->n - 1].id) <= 0) {
        return RF_OK;
    }
    rf_status rc = reserve(map);
    if (rc != RF_OK) {
        return rc;
    }
    rf__kpi_client *c = &map->v[map->n++];
    memset(c, 0, sizeof *c);
    memcpy(c->id, e->id, sizeof c->id);
    c->first_visit = e->first_visit;
    if (e->first_visit != 0) {
        c->flags = rf__kpi_active_flags(f, e->first_visit);
        if (c->flags & RF__KPI_ACTIVE) {
            c->flags |= RF__KPI_NEW;
        }
    }
    if (referred) {
        c->flags |= RF__KPI_REFERRED;
    }
    return RF_OK;
}

/* What the page's parties add: the lookups the scan could not make. When the
 * chunk fills up, the page is taken only up to the client that filled it
 * (*full set, map->last that client): the next chunk reads the rest again. */
static rf_status take_page(rf_store *store, const rf_kpi_filter *f, rf__kpi_client_map *map, const page *pg,
                           int *full)
{
    *full = 0;
    for (size_t i = 0; i < pg->n; i++) {
        const page_party *e = &pg->v[i];
        if (e->client && map->n == RF__KPI_CLIENT_CHUNK) {
            *full = 1;
            return RF_OK;
        }
        rf__kpi_referee ref;
        rf_status rc = rf__kpi_referee_of(store, f, e->id, &ref);
        if (rc != RF_OK) {
            return rc;
        }
        if (e->client && (rc = add_client(map, f, e, ref.found)) != RF_OK) {
            return rc;
        }
        if (e->lead) {
            map->leads[ref.found]++;
            map->closed[ref.found] += e->kind == RF_PARTY_CLIENT;
        }
        memcpy(map->last, e->id, sizeof map->last);
    }
    /* The page's other parties (neither clients nor leads) are behind us too. */
    if (pg->visited > 0) {
        memcpy(map->last, pg->last, sizeof map->last);
    }
    return RF_OK;
}

void rf__kpi_client_map_init(rf__kpi_client_map *map)
{
    memset(map, 0, sizeof *map);
    map->more = 1;
}

rf_status rf__kpi_client_map_next(rf_store *store, const rf_kpi_filter *f, rf__kpi_client_map *map)
{
    map->n = 0;
    if (!map->more) {
        return RF_OK;
    }
    page pg;
    memset(&pg, 0, sizeof pg);
    pg.filter = f;
    pg.v = rf__calloc(PAGE, sizeof *pg.v);
    if (pg.v == NULL) {
        return RF_ENOMEM;
    }
    rf_status rc = RF_OK;
    int full = 0;
    while (rc == RF_OK && !full && map->more) {
        /* The callback overwrites pg.last while the backend may still read the bound. */
        char after[RF_ID_BUFSIZE];
        memcpy(after, map->last, sizeof after);
        rf_party_query q = {map->started ? after : NULL, 0, NULL, PAGE};
        pg.n = 0;
        pg.visited = 0;
        rc = (rf_status)store->backend->party_scan(store->backend, store->practice, &q, visit_party, &pg);
        rc = rc != RF_OK ? rc : pg.error;
        if (rc == RF_OK) {
            map->started = 1;
            rc = take_page(store, f, map, &pg, &full);
            map->more = full || pg.visited == PAGE;
        }
    }
    free(pg.v);
    return rc;
}

rf__kpi_client *rf__kpi_client_find(const rf__kpi_client_map *map, const char *id)
{
    if (id == NULL) {
        return NULL;
    }
    size_t lo = 0, hi = map->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(id, map->v[mid].id);
        if (cmp == 0) {
            return &map->v[mid];
        }
        if (cmp < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return NULL;
}

void rf__kpi_client_map_free(rf__kpi_client_map *map)
{
    free(map->v);
    rf__kpi_client_map_init(map);
    map->more = 0;
}
