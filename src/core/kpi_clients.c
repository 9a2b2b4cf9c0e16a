/* The client-based KPI figures: referral and advocate rates, referrals per
 * client in 18 months, close rates of leads, revenue and retention by group,
 * k-factor, mean NPS and its correlation with referrals made. One paged scan
 * of the parties builds the client map (kpi_client_map.c); one scan each of
 * visits, revenue, NPS scores and referrals updates it in memory. */
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

/* Pearson's r of (a client's mean score, referrals made) over the clients scored in the period. */
static void correlation(rf_kpi_report *r, const rf__kpi_client_map *m)
{
    int64_t n = 0;
    double sx = 0.0, sy = 0.0, x0 = 0.0;
    int32_t y0 = 0;
    int varies_x = 0, varies_y = 0;
    for (size_t i = 0; i < m->n; i++) {
        const rf__kpi_client *c = &m->v[i];
        if (c->nps_n == 0) {
            continue;
        }
        /* Equal means are equal doubles: division is correctly rounded. */
        double x = (double)c->nps_sum / (double)c->nps_n;
        if (n == 0) {
            x0 = x;
            y0 = c->made;
        }
        varies_x |= x != x0;
        varies_y |= c->made != y0;
        sx += x;
        sy += (double)c->made;
        n++;
    }
    if (n < 2 || !varies_x || !varies_y) {
        rf__kpi_put(r, RF_KPI_NPS_REFERRAL_CORRELATION, 0, n, 0, 0.0);
        return;
    }
    double mx = sx / (double)n, my = sy / (double)n, sxy = 0.0, sxx = 0.0, syy = 0.0;
    for (size_t i = 0; i < m->n; i++) {
        const rf__kpi_client *c = &m->v[i];
        if (c->nps_n > 0) {
            double dx = (double)c->nps_sum / (double)c->nps_n - mx, dy = (double)c->made - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
    }
    double rho = sxy / sqrt(sxx * syy);
    rf__kpi_put(r, RF_KPI_NPS_REFERRAL_CORRELATION, 0, n, 1, rho > 1.0 ? 1.0 : rho < -1.0 ? -1.0 : rho);
}

/* The counts of the figures, by group: [0] non-referred, [1] referred. */
typedef struct tally {
    int64_t fresh, fresh_referred, made_18m, active, advocates, year;
    int64_t revenue[2], active_by[2], before[2], kept[2];
    int64_t nps_sum, nps_n;
} tally;

static rf_status count(tally *t, const rf__kpi_client_map *m, rf_time from)
{
    memset(t, 0, sizeof *t);
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
    correlation(r, m);
}

rf_status rf__kpi_clients(rf_store *store, const rf_kpi_filter *f, rf_kpi_report *r)
{
    rf__kpi_client_map map;
    rf_status rc = rf__kpi_client_map_load(store, f, &map);
    if (rc != RF_OK) {
        return rc;
    }
    pass p = {f, &map, RF_OK};
    tally t;
    if ((rc = scan_all(store, &p)) == RF_OK && (rc = count(&t, &map, f->from)) == RF_OK) {
        fill(r, f, &t, &map);
    }
    rf__kpi_client_map_free(&map);
    return rc;
}
