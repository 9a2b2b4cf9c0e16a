/* REWARD_COST and ROI: the money of the period's ISSUED ledger entries less
 * that of its REVERSED ones, for grants whose referral passes the filter. The
 * ledger is read in pages, since finding a grant's referral means calling the
 * backend; a small fixed cache keeps the verdict on recent grants (an entry
 * and its reversal are often near each other), so memory stays bounded. */
#include <stdlib.h>
#include <string.h>

#include "core/kpi_internal.h"
#include "referral/rewards.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"

#define PAGE 512
#define CACHE_SLOTS 1024

typedef struct entry {
    char grant_id[RF_ID_BUFSIZE];
    int type;
    int64_t amount;
} entry;

typedef struct page {
    const rf_kpi_filter *filter;
    entry *v;
    size_t n, visited;
    int64_t last_seq;
    rf_status error;
} page;

/* A grant's verdict: does its referral pass the filter. Direct-mapped by a hash of the id. */
typedef struct verdict {
    char grant_id[RF_ID_BUFSIZE];
    int passes;
} verdict;

static int visit_entry(const rf_ledger_record *e, void *payload)
{
    page *pg = payload;
    const rf_kpi_filter *f = pg->filter;
    if (pg->visited == PAGE) {
        return 1; /* a backend that visits past the limit: the next page takes it */
    }
    pg->visited++;
    pg->last_seq = e->seq;
    if ((e->type != RF_LEDGER_ISSUED && e->type != RF_LEDGER_REVERSED) || e->currency == NULL ||
        strcmp(e->currency, f->currency) != 0 || e->at < f->from || e->at >= f->to) {
        return 0;
    }
    size_t len = e->grant_id != NULL ? strlen(e->grant_id) : 0;
    if (len == 0 || len >= RF_ID_BUFSIZE) {
        pg->error = rf__error(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                              "ledger entry %lld names no grant id of UUID length", (long long)e->seq);
        return 1;
    }
    entry *x = &pg->v[pg->n++];
    memcpy(x->grant_id, e->grant_id, len + 1);
    x->type = e->type;
    x->amount = e->amount;
    return 0;
}

static size_t slot_of(const char *id)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (const unsigned char *s = (const unsigned char *)id; *s != '\0'; s++) {
        h = (h ^ *s) * 1099511628211u;
    }
    return (size_t)(h % CACHE_SLOTS);
}

/* Whether @grant_id's referral passes the filter; a grant or referral that
 * vanished between the scan and the lookup counts as not passing. */
static rf_status judge(rf_store *store, const rf_kpi_filter *f, const char *grant_id, int *passes)
{
    rf_grant_record g;
    *passes = 0;
    int rc = store->backend->grant_get(store->backend, store->practice, grant_id, &g);
    if (rc == RF_ENOTFOUND || (rc == RF_OK && g.referral_id == NULL)) {
        return RF_OK;
    }
    if (rc != RF_OK) {
        return (rf_status)rc;
    }
    /* The grant's strings live only until the next backend call. */
    char referral_id[RF_ID_BUFSIZE];
    if (strlen(g.referral_id) >= sizeof referral_id) {
        return RF_OK;
    }
    strcpy(referral_id, g.referral_id);
    rf_referral_record r;
    rc = store->backend->referral_get(store->backend, store->practice, referral_id, &r);
    if (rc == RF_ENOTFOUND) {
        return RF_OK;
    }
    if (rc != RF_OK) {
        return (rf_status)rc;
    }
    *passes = rf__kpi_referral_passes(f, &r);
    return RF_OK;
}

static rf_status add_page(rf_store *store, const rf_kpi_filter *f, verdict *cache, const page *pg,
                          int64_t *cost)
{
    for (size_t i = 0; i < pg->n; i++) {
        const entry *x = &pg->v[i];
        verdict *v = &cache[slot_of(x->grant_id)];
        if (strcmp(v->grant_id, x->grant_id) != 0) {
            rf_status rc = judge(store, f, x->grant_id, &v->passes);
            if (rc != RF_OK) {
                v->grant_id[0] = '\0';
                return rc;
            }
            memcpy(v->grant_id, x->grant_id, sizeof v->grant_id);
        }
        if (!v->passes) {
            continue;
        }
        int over = x->type == RF_LEDGER_ISSUED ? __builtin_add_overflow(*cost, x->amount, cost)
                                               : __builtin_sub_overflow(*cost, x->amount, cost);
        if (over) {
            return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT,
                             "the reward cost overflows 64-bit minor units; compute a shorter period");
        }
    }
    return RF_OK;
}

static rf_status reward_cost(rf_store *store, const rf_kpi_filter *f, int64_t *cost)
{
    page pg;
    memset(&pg, 0, sizeof pg);
    pg.filter = f;
    pg.v = rf__calloc(PAGE, sizeof *pg.v);
    verdict *cache = rf__calloc(CACHE_SLOTS, sizeof *cache);
    rf_status rc = pg.v != NULL && cache != NULL ? RF_OK : RF_ENOMEM;
    *cost = 0;
    for (int more = 1; rc == RF_OK && more;) {
        rf_ledger_query q = {pg.last_seq, NULL, NULL, PAGE};
        pg.n = 0;
        pg.visited = 0;
        rc = (rf_status)store->backend->ledger_scan(store->backend, store->practice, &q, visit_entry, &pg);
        rc = rc != RF_OK ? rc : pg.error;
        if (rc == RF_OK) {
            rc = add_page(store, f, cache, &pg, cost);
        }
        more = pg.visited == PAGE;
    }
    free(cache);
    free(pg.v);
    return rc;
}

rf_status rf__kpi_money(rf_store *store, const rf_kpi_filter *f, rf_kpi_report *r)
{
    if (f->currency == NULL) {
        rf__kpi_put(r, RF_KPI_REWARD_COST, 0, 0, 0, 0.0);
        rf__kpi_put(r, RF_KPI_ROI, 0, 0, 0, 0.0);
        return RF_OK;
    }
    int64_t cost = 0, gain = 0;
    rf_status rc = reward_cost(store, f, &cost);
    if (rc != RF_OK) {
        return rc;
    }
    rf__kpi_put(r, RF_KPI_REWARD_COST, cost, 1, 1, (double)cost);
    int64_t revenue = r->defined[RF_KPI_REVENUE_REFERRED] ? r->num[RF_KPI_REVENUE_REFERRED] : 0;
    if (__builtin_sub_overflow(revenue, cost, &gain)) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT,
                         "revenue less reward cost overflows 64-bit minor units; compute a shorter period");
    }
    /* A return on nothing spent (or on more reversed than issued) is no figure. */
    if (cost > 0) {
        rf__kpi_put(r, RF_KPI_ROI, gain, cost, 1, (double)gain / (double)cost);
    } else {
        rf__kpi_put(r, RF_KPI_ROI, 0, 0, 0, 0.0);
    }
    return RF_OK;
}
