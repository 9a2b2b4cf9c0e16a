/* The client-based KPI figures: referral and advocate rates, referrals per
 * client in 18 months, close rates of leads, revenue and retention by group,
 * k-factor, mean NPS and its correlation with referrals made. The clients
 * come a chunk at a time (kpi_client_map.c); for each chunk one scan each of
 * visits, revenue, NPS scores and referrals updates its clients in memory,
 * then the chunk's clients are folded into sums and the chunk is dropped.
 * Every figure is a sum over clients, and the clients are folded in id order
 * whatever the chunk size, so chunking changes no result, not even a
 * rounding. A practice of ordinary size is one chunk. */
#include <math.h>
#include <string.h>

#include "core/kpi_client_map.h"
#include "core/referrals.h"
#include "referral/events.h"
#include "store/store_internal.h"
#include "util/error.h"

typedef struct pass {
    const rf_kpi_filter *filter;
    rf__kpi_client_map *map;
    rf_status error;
} pass;

static int visit_visit(const rf_client_event_record *e, void *payload)
{
    pass *p = payload;
    rf__kpi_client *c = rf__kpi_client_find(p->map, e->party_id);
    if (c != NULL) {
        c->flags |= rf__kpi_active_flags(p->filter, e->at);
    }
    return 0;
}

static rf_status overflow(const char *what)
{
    return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT,
                     "the %s overflows 64-bit minor units; compute a shorter period", what);
}

static int visit_revenue(const rf_client_event_record *e, void *payload)
{
    pass *p = payload;
    rf__kpi_client *c = rf__kpi_client_find(p->map, e->party_id);
    if (c == NULL || e->currency == NULL || strcmp(e->currency, p->filter->currency) != 0) {
        return 0;
    }
    if (__builtin_add_overflow(c->revenue, e->amount, &c->revenue)) {
        p->error = overflow("revenue of one client");
        return 1;
    }
    return 0;
}

/* Add @by to a client's 32-bit count; 0, or 1 with p->error set. */
static int bump(pass *p, int32_t *count, int by)
{
    if (__builtin_add_overflow(*count, by, count)) {
        p->error = rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT,
                             "one client has more than 2^31 scores or referrals; compute a shorter period");
        return 1;
    }
    return 0;
}

static int visit_nps(const rf_client_event_record *e, void *payload)
{
    pass *p = payload;
    rf__kpi_client *c = rf__kpi_client_find(p->map, e->party_id);
    return c != NULL && (bump(p, &c->nps_sum, e->value) || bump(p, &c->nps_n, 1));
}

static int visit_referral(const rf_referral_record *r, void *payload)
{
    pass *p = payload;
    const rf_kpi_filter *f = p->filter;
    if (!rf__kpi_referral_passes(f, r)) {
        return 0;
    }
    rf__kpi_client *c = rf__kpi_client_find(p->map, r->referrer_id);
    if (c == NULL) {
        return 0;
    }
    rf_time received = r->reached_at[RF_REFERRAL_RECEIVED];
    if (rf__kpi_within(received, f->from, f->to) && bump(p, &c->made, 1)) {
        return 1;
    }
    return (c->flags & RF__KPI_NEW) &&
           rf__kpi_within(received, c->first_visit, rf__kpi_time_add(c->first_visit, RF__KPI_18_MONTHS)) &&
           bump(p, &c->made_18m, 1);
}

static rf_status scan_events(rf_store *store, pass *p, int type, rf_time from, rf_time to,
                             int (*visit)(const rf_client_event_record *, void *))
{
    rf_client_event_query q = {NULL, NULL, type, from, to, 0};
    rf_status rc =
        (rf_status)store->backend->client_event_scan(store->backend, store->practice, &q, visit, p);
    return rc != RF_OK ? rc : p->error;
}

static rf_status scan_all(rf_store *store, pass *p)
{
    const rf_kpi_filter *f = p->filter;
    rf_time before = rf__kpi_before_from(f), year = rf__kpi_time_add(f->from, -RF__KPI_YEAR);
    rf_status rc = scan_events(store, p, RF_CLIENT_EVENT_VISIT_COMPLETED, before < year ? before : year,
                               f->to, visit_visit);
    if (rc == RF_OK && f->currency != NULL) {
        rc = scan_events(store, p, RF_CLIENT_EVENT_REVENUE, f->from, f->to, visit_revenue);
    }
    if (rc == RF_OK) {
        rc = scan_events(store, p, RF_CLIENT_EVENT_NPS, f->from, f->to, visit_nps);
    }
    if (rc == RF_OK) {
        /* The period's referrals, and the 18 months after its new clients' first visits. */
        rf_referral_query q = {
            NULL, f->program_id,        NULL,    NULL,
            NULL, RF_DIRECTION_INBOUND, f->from, rf__kpi_time_add(f->to, RF__KPI_18_MONTHS),
            0};
        rc = (rf_status)store->backend->referral_scan(store->backend, store->practice, &q, visit_referral, p);
        rc = rc != RF_OK ? rc : p->error;
    }
    return rc;
}

/* Pearson's r of (a client's mean score, referrals made) over the clients
 * scored in the period, folded one client at a time (Welford's updates, in
 * long double), so that the chunks need no second pass. Whether a side
 * varies is decided exactly, on the integers: means a/b and c/d are equal
 * when a·d = c·b. */
typedef struct correlation {
    int64_t n;
    int32_t sum0, n0, made0; /* the first client's, to compare the others with */
    int varies_x, varies_y;
    long double mx, my, cxy, sxx, syy;
} correlation;

static void correlation_add(correlation *k, const rf__kpi_client *c)
{
    if (c->nps_n == 0) {
        return;
    }
    if (k->n == 0) {
        k->sum0 = c->nps_sum;
        k->n0 = c->nps_n;
        k->made0 = c->made;
    }
    k->varies_x |= (int64_t)c->nps_sum * k->n0 != (int64_t)k->sum0 * c->nps_n;
    k->varies_y |= c->made != k->made0;
    long double x = (long double)c->nps_sum / (long double)c->nps_n, y = (long double)c->made;
    k->n++;
    long double dx = x - k->mx, dy = y - k->my;
    k->mx += dx / (long double)k->n;
    k->my += dy / (long double)k->n;
    k->cxy += dx * (y - k->my);
    k->sxx += dx * (x - k->mx);
    k->syy += dy * (y - k->my);
}

static void correlation_put(rf_kpi_report *r, const correlation *k)
{
    if (k->n < 2 || !k->varies_x || !k->varies_y || k->sxx <= 0 || k->syy <= 0) {
        rf__kpi_put(r, RF_KPI_NPS_REFERRAL_CORRELATION, 0, k->n, 0, 0.0);
        return;
    }
    double rho = (double)(k->cxy / sqrtl(k->sxx * k->syy));
    rf__kpi_put(r, RF_KPI_NPS_REFERRAL_CORRELATION, 0, k->n, 1, rho > 1.0 ? 1.0 : rho < -1.0 ? -1.0 : rho);
}

/* The counts of the figures, by group: [0] non-referred, [1] referred. */
typedef struct tally {
    int64_t fresh, fresh_referred, made_18m, active, advocates, year;
    int64_t revenue[2], active_by[2], before[2], kept[2];
    int64_t nps_sum, nps_n;
    correlation k;
} tally;

/* Fold the chunk's clients into @t. */
static rf_status count(tally *t, const rf__kpi_client_map *m, rf_time from)
{
    for (size_t i = 0; i < m->n; i++) {
        const rf__kpi_client *c = &m->v[i];
        int g = (c->flags & RF__KPI_REFERRED) != 0, active = (c->flags & RF__KPI_ACTIVE) != 0;
        if (c->flags & RF__KPI_NEW) {
            t->fresh++;
            t->fresh_referred += g;
            t->made_18m += c->made_18m;
        }
        t->active += active;
        t->advocates += active && c->made > 0;
        t->active_by[g] += active;
        if (c->flags & RF__KPI_ACTIVE_BEFORE) {
            t->before[g]++;
            t->kept[g] += active;
        }
        t->year += c->first_visit != 0 && c->first_visit < from && (c->flags & RF__KPI_ACTIVE_YEAR);
        t->nps_sum += c->nps_sum;
        t->nps_n += c->nps_n;
        if (__builtin_add_overflow(t->revenue[g], c->revenue, &t->revenue[g])) {
            return overflow("revenue of the period");
        }
        correlation_add(&t->k, c);
    }
    return RF_OK;
}

static void fill(rf_kpi_report *r, const rf_kpi_filter *f, const tally *t, const rf__kpi_client_map *m)
{
    rf__kpi_rate(r, RF_KPI_REFERRAL_RATE, t->fresh_referred, t->fresh);
    rf__kpi_rate(r, RF_KPI_ADVOCATE_RATE, t->advocates, t->active);
    rf__kpi_rate(r, RF_KPI_REFERRALS_PER_CLIENT_18M, t->made_18m, t->fresh);
    rf__kpi_rate(r, RF_KPI_CLOSE_RATE_REFERRED, m->closed[1], m->leads[1]);
    rf__kpi_rate(r, RF_KPI_CLOSE_RATE_NON_REFERRED, m->closed[0], m->leads[0]);
    if (f->currency != NULL) {
        rf__kpi_put(r, RF_KPI_REVENUE_REFERRED, t->revenue[1], 1, 1, (double)t->revenue[1]);
        rf__kpi_rate(r, RF_KPI_REVENUE_PER_CLIENT_REFERRED, t->revenue[1], t->active_by[1]);
        rf__kpi_rate(r, RF_KPI_REVENUE_PER_CLIENT_NON_REFERRED, t->revenue[0], t->active_by[0]);
    } else {
        rf__kpi_put(r, RF_KPI_REVENUE_REFERRED, 0, 0, 0, 0.0);
        rf__kpi_put(r, RF_KPI_REVENUE_PER_CLIENT_REFERRED, 0, 0, 0, 0.0);
        rf__kpi_put(r, RF_KPI_REVENUE_PER_CLIENT_NON_REFERRED, 0, 0, 0, 0.0);
    }
    rf__kpi_rate(r, RF_KPI_RETENTION_REFERRED, t->kept[1], t->before[1]);
    rf__kpi_rate(r, RF_KPI_RETENTION_NON_REFERRED, t->kept[0], t->before[0]);
    rf__kpi_rate(r, RF_KPI_K_FACTOR, t->fresh_referred, t->year);
    rf__kpi_rate(r, RF_KPI_MEAN_NPS, t->nps_sum, t->nps_n);
    correlation_put(r, &t->k);
}

rf_status rf__kpi_clients(rf_store *store, const rf_kpi_filter *f, rf_kpi_report *r)
{
    rf__kpi_client_map map;
    rf__kpi_client_map_init(&map);
    pass p = {f, &map, RF_OK};
    tally t;
    memset(&t, 0, sizeof t);
    rf_status rc = RF_OK;
    while (rc == RF_OK && map.more) {
        rc = rf__kpi_client_map_next(store, f, &map);
        /* An empty chunk (only leads, or nothing after a full one) has nothing to scan for. */
        if (rc == RF_OK && map.n > 0 && (rc = scan_all(store, &p)) == RF_OK) {
            rc = count(&t, &map, f->from);
        }
    }
    if (rc == RF_OK) {
        fill(r, f, &t, &map);
    }
    rf__kpi_client_map_free(&map);
    return rc;
}
