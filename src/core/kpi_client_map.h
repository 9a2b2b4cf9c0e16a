/* Internal: the clients the client-based KPI figures are about, one entry
 * per client in ascending id order (the order of a party scan), found by
 * binary search. It grows with the number of clients, never with referrals
 * or events; the leads of the period are counted as the parties stream by
 * and never kept. */
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

typedef struct rf__kpi_client_map {
    rf__kpi_client *v;
    size_t n, cap;
    /* Leads of the period: [0] non-referred, [1] referred. */
    int64_t leads[2], closed[2];
} rf__kpi_client_map;

/* One paged scan of the parties: every client (assigned to the filter's
 * practitioner, when there is one) into @map with its first visit and
 * whether it is referred, and the period's leads counted. */
rf_status rf__kpi_client_map_load(rf_store *store, const rf_kpi_filter *f, rf__kpi_client_map *map);

/* The client with @id, or NULL when @id is not one of the map's clients. */
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
