/* Internal: what the KPI table sources share — the table and row layout,
 * setting cells, a string-keyed map for per-party and per-label tallies
 * (memory grows with labels, never with referrals or events; per-party
 * tallies are kept for a fixed number of parties at a time, see the chunk
 * sizes below), the cohort scan, and the two-proportion z-test. kpi_table.c
 * owns the handle; kpi_table_funnel.c, kpi_table_leaderboard.c,
 * kpi_table_people.c (PRACTITIONERS) and kpi_table_groups.c fill the rows of
 * their kinds. */
#ifndef RF_CORE_KPI_TABLE_H
#define RF_CORE_KPI_TABLE_H

#include "core/kpi_internal.h"

typedef struct rf__kpi_cell {
    int64_t num, den;
    double value;
    int defined;
} rf__kpi_cell;

struct rf_kpi_row {
    char *key, *label;
    rf__kpi_cell cell[RF_KPI_COLUMNS];
};

struct rf_kpi_table {
    rf_kpi_table_kind kind;
    rf_kpi_row *rows;
    size_t count, cap;
};

/* Append a row holding copies of @key and @label (NULL: the key). *out (may
 * be NULL) points at it until the next append. */
rf_status rf__kpi_table_add(rf_kpi_table *t, const char *key, const char *label, rf_kpi_row **out);

/* Set a cell; its value is kept only when defined. */
void rf__kpi_cell_put(rf_kpi_row *row, rf_kpi_column column, int64_t num, int64_t den, int defined,
                      double value);
/* num ÷ den, defined when den > 0 (rates and means). */
void rf__kpi_cell_rate(rf_kpi_row *row, rf_kpi_column column, int64_t num, int64_t den);
/* A count: numerator n, denominator 1, always defined. */
void rf__kpi_cell_count(rf_kpi_row *row, rf_kpi_column column, int64_t n);

/* The builders, one per kind, appending to an empty @t. */
rf_status rf__kpi_table_funnel(rf_store *store, const rf_kpi_filter *f, rf_kpi_table *t);
rf_status rf__kpi_table_leaderboard(rf_store *store, const rf_kpi_filter *f, rf_kpi_table *t);
rf_status rf__kpi_table_practitioners(rf_store *store, const rf_kpi_filter *f, rf_kpi_table *t);
/* CHANNELS (by_source 0) or SOURCES (by_source 1). */
rf_status rf__kpi_table_groups(rf_store *store, const rf_kpi_filter *f, rf_kpi_table *t, int by_source);
rf_status rf__kpi_table_variants(rf_store *store, const rf_kpi_filter *f, rf_kpi_table *t);

/* Visit each referral of the cohort (rf__kpi_in_cohort); a non-OK status
 * from @fn stops the scan and is returned. @fn must not call the backend. */
typedef rf_status (*rf__kpi_cohort_fn)(const rf_referral_record *r, void *payload);
rf_status rf__kpi_cohort_scan(rf_store *store, const rf_kpi_filter *f, rf__kpi_cohort_fn fn, void *payload);

/* A map from strings to fixed-size values, zeroed when created, kept in
 * insertion order. A value's address holds until the next insertion. */
typedef struct rf__kpi_map {
    size_t value_size;
    size_t count, cap; /* entries */
    char **keys;
    unsigned char *values;
    size_t *slots; /* open addressing: entry index + 1, 0 when empty */
    size_t nslots; /* a power of two, or 0 */
} rf__kpi_map;

void rf__kpi_map_init(rf__kpi_map *m, size_t value_size);
/* The value of @key, or NULL when it is not in the map. */
void *rf__kpi_map_find(const rf__kpi_map *m, const char *key);
/* The value of @key, inserted (zeroed) when missing; NULL with RF_ENOMEM recorded. */
void *rf__kpi_map_upsert(rf__kpi_map *m, const char *key);
/* Entry @i (0 .. count - 1), in insertion order. */
const char *rf__kpi_map_key(const rf__kpi_map *m, size_t i);
void *rf__kpi_map_value(const rf__kpi_map *m, size_t i);
/* Drop the entries whose key @keep rejects (insertion order kept), without allocating. */
void rf__kpi_map_retain(rf__kpi_map *m, int (*keep)(const char *key, void *arg), void *arg);
void rf__kpi_map_free(rf__kpi_map *m);

/* Parties a table keeps in a map at once (about 110 bytes each, so at most
 * ~14 MiB): the LEADERBOARD's referrers per pass, the CHANNELS and SOURCES
 * referee cache. A build may set it lower (down to 1) to exercise the
 * passes; results never depend on it. */
#ifndef RF__KPI_PARTY_CHUNK
#define RF__KPI_PARTY_CHUNK 131072
#endif
/* Clients PRACTITIONERS keeps at once (44 bytes each: 11 MiB). */
#ifndef RF__KPI_STAFF_CLIENT_CHUNK
#define RF__KPI_STAFF_CLIENT_CHUNK 262144
#endif

/* Two-sided two-proportion z-test with a pooled standard error: x1 of n1
 * against x2 of n2. 1 with *p_value in [0, 1]; 0 (and *p_value 0) when a
 * group is empty or the pooled variance is 0 (all or none converted). */
int rf__kpi_ztest(double *p_value, int64_t x1, int64_t n1, int64_t x2, int64_t n2);

#endif
