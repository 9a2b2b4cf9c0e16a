/* Internal: the clients the client-based KPI figures are about, in chunks:
 * one chunk is up to RF__KPI_CLIENT_CHUNK clients in ascending id order (the
 * order of a party scan), found by binary search. The figures are sums over
 * clients, so they are computed a chunk at a time and folded: memory stays
 * within the chunk's budget however many clients the practice has. The leads
 * of the period are counted as the parties stream by and never kept. */
#ifndef RF_CORE_KPI_CLIENT_MAP_H
#define RF_CORE_KPI_CLIENT_MAP_H

#include "core/kpi_internal.h"

/* What a client is in the period, from first visits and VISIT_COMPLETED events. */
enum {
    RF__KPI_REFERRED = 1 << 0,      /* the referee of a referral passing the filter */
    RF__KPI_ACTIVE = 1 << 1,        /* active in [from, to) */
    RF__KPI_ACTIVE_BEFORE = 1 << 2, /* active in the preceding window */
    RF__KPI_ACTIVE_YEAR = 1 << 3,   /* active in the 365 days before from */
    RF__KPI_NEW = 1 << 4            /* first visit in [from, to) */
};

typedef struct rf__kpi_client {
    char id[RF_ID_BUFSIZE];
    uint8_t flags;
    /* One client's counts in one period: 32 bits keep the entry at 72 bytes. */
    int32_t made;     /* cohort referrals made */
    int32_t made_18m; /* referrals made within 548 days from the first visit */
    int32_t nps_n, nps_sum;
    rf_time first_visit; /* 0: none */
    int64_t revenue;     /* REVENUE in the period, in the filter's currency */
} rf__kpi_client;

/* Clients per chunk: 16 MiB of entries, so a practice of up to ~230,000
 * clients needs one chunk. A build may set it lower (down to 1) to exercise
 * the chunked path. */
#ifndef RF__KPI_CLIENT_CHUNK
#define RF__KPI_CLIENT_CHUNK ((size_t)(16u << 20) / sizeof(rf__kpi_client))
#endif

typedef struct rf__kpi_client_map {
    rf__kpi_client *v; /* the chunk's clients, ascending by id */
    size_t n, cap;
    int started, more;        /* a chunk was loaded; the party scan has parties left */
    char last[RF_ID_BUFSIZE]; /* the chunk's last party: the next starts after it */
    /* Leads of the period so far, over every chunk: [0] non-referred, [1] referred. */
    int64_t leads[2], closed[2];
} rf__kpi_client_map;

void rf__kpi_client_map_init(rf__kpi_client_map *map);

/* Replace the map's clients with the next chunk: continue the paged scan of
 * the parties after the previous chunk, taking every client (assigned to the
 * filter's practitioner, when there is one) with its first visit and whether
 * it is referred, and counting the leads passed on the way, until the chunk
 * is full or the parties end (then map->more is 0). A chunk may be empty. */
rf_status rf__kpi_client_map_next(rf_store *store, const rf_kpi_filter *f, rf__kpi_client_map *map);

/* The client with @id, or NULL when @id is not one of the chunk's clients. */
rf__kpi_client *rf__kpi_client_find(const rf__kpi_client_map *map, const char *id);

void rf__kpi_client_map_free(rf__kpi_client_map *map);

/* True when @t is in [from, to). */
static inline int rf__kpi_within(rf_time t, rf_time from, rf_time to)
{
    return t >= from && t < to;
}

/* @t + @d, held at the ends of rf_time rather than overflowing. */
static inline rf_time rf__kpi_time_add(rf_time t, rf_time d)
{
    rf_time out;
    if (__builtin_add_overflow(t, d, &out)) {
        return d > 0 ? INT64_MAX : INT64_MIN + 1;
    }
    return out;
}

/* The start of the preceding window [from − (to − from), from). */
static inline rf_time rf__kpi_before_from(const rf_kpi_filter *f)
{
    rf_time len;
    if (__builtin_sub_overflow(f->to, f->from, &len)) {
        len = INT64_MAX;
    }
    return rf__kpi_time_add(f->from, -len);
}

/* The windows of @f a visit at @t makes a client active in (ACTIVE,
 * ACTIVE_BEFORE, ACTIVE_YEAR bits). */
unsigned rf__kpi_active_flags(const rf_kpi_filter *f, rf_time t);

#endif
