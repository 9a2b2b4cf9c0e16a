/* The KPI tables of groups of the cohort: CHANNELS and SOURCES (a row per
 * channel or source, with revenue and NPS credited through the referral a
 * referee came by, and an exact median time to schedule), and VARIANTS
 * (conversion per A/B label against the control, with lift and p-value). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kpi_table.h"
#include "referral/events.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/quantile.h"

/* --- CHANNELS and SOURCES ------------------------------------------------- */

#define GROUPS_MAX (RF_CHANNEL_PORTAL + 1)
/* Values a median keeps at once: ten of them run side by side. A build may
 * set it lower (down to 16) to exercise the medians' later passes. */
#ifndef RF__KPI_GROUP_BUDGET
#define RF__KPI_GROUP_BUDGET 4096
#endif
/* Client events read per page, before the referees are looked up. */
#define EVENT_PAGE 512

typedef struct group {
    int64_t count, closed, hit, revenue, nps_sum, nps_n, scheduled;
    rf__quantile q;
    int more; /* the median wants another pass */
} group;

typedef struct groups {
    const rf_kpi_filter *filter;
    int by_source, n, pass;
    group g[GROUPS_MAX];
} groups;

static int group_of(const groups *s, int channel, int source)
{
    int v = s->by_source ? source : channel;
    return v >= 0 && v < s->n ? v : -1;
}

static rf_status visit_referral(const rf_referral_record *r, void *payload)
{
    groups *s = payload;
    int k = group_of(s, r->channel, r->source);
    if (k < 0) {
        return RF_OK;
    }
    group *g = &s->g[k];
    rf_time received = r->reached_at[RF_REFERRAL_RECEIVED], scheduled = r->reached_at[RF_REFERRAL_SCHEDULED];
    if (s->pass == 1) {
        g->count++;
        g->closed += r->reached_at[RF_REFERRAL_CLOSED] != 0;
        g->hit += r->documents_complete != 0;
        g->scheduled += scheduled != 0;
    }
    if (scheduled != 0 && (s->pass == 1 || g->more)) {
        return rf__quantile_add(&g->q, scheduled - received);
    }
    return RF_OK;
}

/* The cohort in passes until every median is exact. */
static rf_status scan_cohort(rf_store *store, groups *s)
{
    for (int again = 1; again;) {
        rf_status rc = rf__kpi_cohort_scan(store, s->filter, visit_referral, s);
        again = 0;
        for (int k = 0; rc == RF_OK && k < s->n; k++) {
            if (s->pass == 1 || s->g[k].more) {
                rc = rf__quantile_end_pass(&s->g[k].more, &s->g[k].q);
                again |= s->g[k].more;
            }
        }
        s->pass++;
        if (rc != RF_OK) {
            return rc;
        }
    }
    return RF_OK;
}

typedef struct event_item {
    char party_id[RF_ID_BUFSIZE];
    int value;
    int64_t amount;
} event_item;

typedef struct event_page {
    const rf_kpi_filter *filter;
    event_item items[EVENT_PAGE];
    size_t count;
    char last[RF_ID_BUFSIZE];
} event_page;

static int keep_event(const rf_client_event_record *e, void *payload)
{
    event_page *p = payload;
    snprintf(p->last, sizeof p->last, "%s", e->id);
    /* Revenue counts only in the filter's currency. */
    if (e->type == RF_CLIENT_EVENT_REVENUE &&
        (e->currency == NULL || strcmp(e->currency, p->filter->currency) != 0)) {
        return 0;
    }
    event_item *it = &p->items[p->count++];
    snprintf(it->party_id, sizeof it->party_id, "%s", e->party_id != NULL ? e->party_id : "");
    it->value = e->value;
    it->amount = e->amount;
    return 0;
}

/* The row an event of @party_id is credited to, or -1: the group of the
 * referral the party came by, when that referral is in the cohort.
 * Remembered per party, for RF__KPI_PARTY_CHUNK parties at most: a full
 * cache starts again empty (it only saves lookups, which give the same
 * answer again), so memory grows with neither parties nor events. */
static rf_status credited_group(rf_store *store, groups *s, rf__kpi_map *cache, const char *party_id,
                                int *out)
{
    int *known = rf__kpi_map_find(cache, party_id);
    if (known != NULL) {
        *out = *known - 1;
        return RF_OK;
    }
    rf__kpi_referee ref;
    rf_status rc = rf__kpi_referee_of(store, s->filter, party_id, &ref);
    if (rc != RF_OK) {
        return rc;
    }
    *out = ref.found && ref.in_cohort ? group_of(s, ref.channel, ref.source) : -1;
    if (cache->count >= RF__KPI_PARTY_CHUNK) {
        rf__kpi_map_free(cache);
    }
    int *slot = rf__kpi_map_upsert(cache, party_id);
    if (slot == NULL) {
        return RF_ENOMEM;
    }
    *slot = *out + 1; /* 0 stays "not looked up" */
    return RF_OK;
}

static rf_status credit(groups *s, int k, int type, const event_item *it)
{
    group *g = &s->g[k];
    if (type == RF_CLIENT_EVENT_NPS) {
        g->nps_sum += it->value;
        g->nps_n++;
    } else if (__builtin_add_overflow(g->revenue, it->amount, &g->revenue)) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT,
                         "the revenue of channel or source %d overflows 64-bit minor units of %s", k,
                         s->filter->currency);
    }
    return RF_OK;
}

/* Events of @type dated in the period, a page at a time: the referees are
 * looked up between scans, never inside one. */
static rf_status scan_events(rf_store *store, groups *s, rf__kpi_map *cache, int type)
{
    event_page *p = rf__malloc(sizeof *p);
    if (p == NULL) {
        return RF_ENOMEM;
    }
    p->filter = s->filter;
    p->last[0] = '\0';
    rf_status rc = RF_OK;
    for (;;) {
        p->count = 0;
        char before[RF_ID_BUFSIZE];
        snprintf(before, sizeof before, "%s", p->last);
        rf_client_event_query q = {
            before[0] != '\0' ? before : NULL, NULL, type, s->filter->from, s->filter->to, EVENT_PAGE};
        rc = (rf_status)store->backend->client_event_scan(store->backend, store->practice, &q, keep_event, p);
        for (size_t i = 0; rc == RF_OK && i < p->count; i++) {
            int k = -1;
            rc = credited_group(store, s, cache, p->items[i].party_id, &k);
            if (rc == RF_OK && k >= 0) {
                rc = credit(s, k, type, &p->items[i]);
            }
        }
        if (rc != RF_OK || strcmp(before, p->last) == 0) {
            break;
        }
    }
    free(p);
    return rc;
}

static const char *group_name(const groups *s, int k)
{
    return s->by_source ? rf_referral_source_name((rf_referral_source)k) : rf_channel_name((rf_channel)k);
}

static rf_status group_rows(const groups *s, rf_kpi_table *t)
{
    rf_status rc = RF_OK;
    for (int k = 0; rc == RF_OK && k < s->n; k++) {
        const group *g = &s->g[k];
        rf_kpi_row *row = NULL;
        if (g->count == 0 || (rc = rf__kpi_table_add(t, group_name(s, k), NULL, &row)) != RF_OK) {
            continue;
        }
        int64_t median = 0;
        int has_median = rf__quantile_result(&median, &g->q, 50.0);
        rf__kpi_cell_count(row, RF_KPI_COLUMN_COUNT, g->count);
        rf__kpi_cell_rate(row, RF_KPI_COLUMN_CONVERSION, g->closed, g->count);
        if (s->filter->currency != NULL) {
            rf__kpi_cell_count(row, RF_KPI_COLUMN_REVENUE, g->revenue);
        }
        rf__kpi_cell_put(row, RF_KPI_COLUMN_TO_SCHEDULE_P50, 0, g->scheduled, has_median, (double)median);
        rf__kpi_cell_rate(row, RF_KPI_COLUMN_HIT_RATE, g->hit, g->count);
        rf__kpi_cell_rate(row, RF_KPI_COLUMN_MEAN_NPS, g->nps_sum, g->nps_n);
    }
    return rc;
}

rf_status rf__kpi_table_groups(rf_store *store, const rf_kpi_filter *f, rf_kpi_table *t, int by_source)
{
    static const double p50 = 50.0;
    groups *s = rf__calloc(1, sizeof *s);
    if (s == NULL) {
        return RF_ENOMEM;
    }
    s->filter = f;
    s->by_source = by_source;
    s->n = by_source ? RF_SOURCE_PARTNER + 1 : RF_CHANNEL_PORTAL + 1;
    s->pass = 1;
    rf_status rc = RF_OK;
    for (int k = 0; rc == RF_OK && k < s->n; k++) {
        if ((rc = rf__quantile_init(&s->g[k].q, &p50, 1)) == RF_OK) {
            rc = rf__quantile_set_budget(&s->g[k].q, (size_t)RF__KPI_GROUP_BUDGET);
        }
    }
    rc = rc != RF_OK ? rc : scan_cohort(store, s);
    rf__kpi_map cache;
    rf__kpi_map_init(&cache, sizeof(int));
    if (rc == RF_OK && f->currency != NULL) {
        rc = scan_events(store, s, &cache, RF_CLIENT_EVENT_REVENUE);
    }
    rc = rc != RF_OK ? rc : scan_events(store, s, &cache, RF_CLIENT_EVENT_NPS);
    rc = rc != RF_OK ? rc : group_rows(s, t);
    rf__kpi_map_free(&cache);
    for (int k = 0; k < s->n; k++) {
        rf__quantile_free(&s->g[k].q);
    }
    free(s);
    return rc;
}

/* --- VARIANTS ------------------------------------------------------------- */

typedef struct variant {
    const char *label; /* borrowed from the map while ordering */
    int64_t count, closed;
} variant;

static rf_status tally_variant(const rf_referral_record *r, void *payload)
{
    if (r->variant == NULL || r->variant[0] == '\0') {
        return RF_OK;
    }
    variant *v = rf__kpi_map_upsert(payload, r->variant);
    if (v == NULL) {
        return RF_ENOMEM;
    }
    v->count++;
    v->closed += r->reached_at[RF_REFERRAL_CLOSED] != 0;
    return RF_OK;
}

static int by_label(const void *a, const void *b)
{
    return strcmp(((const variant *)a)->label, ((const variant *)b)->label);
}

/* LIFT and P_VALUE of @v against the control @c; the control row has neither. */
static void compare(rf_kpi_row *row, const variant *v, const variant *c)
{
    if (c == NULL || v == c) {
        return;
    }
    int defined = v->count > 0 && c->count > 0 && c->closed > 0;
    double lift =
        defined ? ((double)v->closed / (double)v->count) / ((double)c->closed / (double)c->count) - 1.0 : 0.0;
    rf__kpi_cell_put(row, RF_KPI_COLUMN_LIFT, v->closed, v->count, defined, lift);
    double p = 0.0;
    int tested = rf__kpi_ztest(&p, v->closed, v->count, c->closed, c->count);
    rf__kpi_cell_put(row, RF_KPI_COLUMN_P_VALUE, 0, v->count + c->count, tested, p);
}

rf_status rf__kpi_table_variants(rf_store *store, const rf_kpi_filter *f, rf_kpi_table *t)
{
    rf__kpi_map m;
    rf__kpi_map_init(&m, sizeof(variant));
    rf_status rc = rf__kpi_cohort_scan(store, f, tally_variant, &m);
    variant *v = NULL;
    if (rc == RF_OK && m.count > 0) {
        v = rf__malloc(m.count * sizeof *v);
        rc = v != NULL ? RF_OK : RF_ENOMEM;
    }
    if (rc == RF_OK && m.count > 0) {
        for (size_t i = 0; i < m.count; i++) {
            v[i] = *(variant *)rf__kpi_map_value(&m, i);
            v[i].label = rf__kpi_map_key(&m, i);
        }
        qsort(v, m.count, sizeof *v, by_label);
        /* The control: the filter's, else "control", else the first label. */
        const char *wanted = f->control_variant != NULL                ? f->control_variant
                             : rf__kpi_map_find(&m, "control") != NULL ? "control"
                                                                       : v[0].label;
        size_t c = 0;
        while (c < m.count && strcmp(v[c].label, wanted) != 0) {
            c++;
        }
        /* Control first, the rest in byte order. */
        if (c < m.count) {
            variant control = v[c];
            memmove(v + 1, v, c * sizeof *v);
            v[0] = control;
        }
        const variant *ctl = c < m.count ? &v[0] : NULL;
        for (size_t i = 0; rc == RF_OK && i < m.count; i++) {
            rf_kpi_row *row = NULL;
            if ((rc = rf__kpi_table_add(t, v[i].label, NULL, &row)) == RF_OK) {
                rf__kpi_cell_count(row, RF_KPI_COLUMN_COUNT, v[i].count);
                rf__kpi_cell_count(row, RF_KPI_COLUMN_CLOSED, v[i].closed);
                rf__kpi_cell_rate(row, RF_KPI_COLUMN_CONVERSION, v[i].closed, v[i].count);
                compare(row, &v[i], ctl);
            }
        }
    }
    free(v);
    rf__kpi_map_free(&m);
    return rc;
}
