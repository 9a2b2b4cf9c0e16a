/* The LEADERBOARD: the top referrers by referrals made in the cohort, named
 * only where they consented, otherwise by initials.
 *
 * The tallies are per referrer, and a practice can have millions, so they
 * are kept for a range of referrer ids at a time: a pass over the cohort
 * tallies the referrers above the previous pass's range, at most
 * RF__KPI_PARTY_CHUNK of them. When one more would not fit, the range's top
 * end is lowered to keep the smaller half of the ids (dropping the tallies
 * above it: the next pass starts there), so every referrer the pass ends
 * with was tallied from its first referral on — the tallies are exact. The
 * pass's referrers are ranked and merged into the best `top` so far (ranking
 * is a total order, so the best of the bests is the best of all). A practice
 * whose cohort has fewer referrers than the chunk takes one pass. */
#include <stdlib.h>
#include <string.h>

#include "core/kpi_table.h"
#include "core/privacy.h"
#include "referral/party.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/text.h"

typedef struct tally {
    int64_t made, closed;
} tally;

typedef struct ranked {
    const char *id; /* borrowed from the map, or from a best entry */
    int64_t made, closed;
} ranked;

typedef struct best {
    char id[RF_ID_BUFSIZE];
    int64_t made, closed;
} best;

/* One pass: the referrers in (lo, hi], where hi falls as the map fills. */
typedef struct range {
    rf__kpi_map map;
    int has_lo, has_hi;
    char lo[RF_ID_BUFSIZE], hi[RF_ID_BUFSIZE];
} range;

static int by_id(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int at_most_hi(const char *key, void *arg)
{
    return strcmp(key, ((const range *)arg)->hi) <= 0;
}

/* The map is full and @id is new: keep the smaller half of the ids (@id
 * among them) and lower hi to the greatest kept. */
static rf_status halve(range *s, const char *id)
{
    size_t n = s->map.count + 1;
    const char **ids = rf__malloc(n * sizeof *ids);
    if (ids == NULL) {
        return RF_ENOMEM;
    }
    for (size_t i = 0; i < s->map.count; i++) {
        ids[i] = rf__kpi_map_key(&s->map, i);
    }
    ids[n - 1] = id;
    qsort(ids, n, sizeof *ids, by_id);
    const char *hi = ids[(n + 1) / 2 - 1];
    memcpy(s->hi, hi, strlen(hi) + 1);
    s->has_hi = 1;
    free(ids);
    rf__kpi_map_retain(&s->map, at_most_hi, s);
    return RF_OK;
}

static rf_status tally_referrer(const rf_referral_record *r, void *payload)
{
    range *s = payload;
    const char *id = r->referrer_id;
    if (id == NULL || (s->has_lo && strcmp(id, s->lo) <= 0) || (s->has_hi && strcmp(id, s->hi) > 0)) {
        return RF_OK;
    }
    if (strlen(id) >= RF_ID_BUFSIZE) {
        return rf__error(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                         "the backend returned a referrer id of %zu bytes; ids are UUID text", strlen(id));
    }
    tally *e = rf__kpi_map_find(&s->map, id);
    if (e == NULL && s->map.count >= RF__KPI_PARTY_CHUNK) {
        rf_status rc = halve(s, id);
        if (rc != RF_OK || strcmp(id, s->hi) > 0) {
            return rc;
        }
    }
    if (e == NULL && (e = rf__kpi_map_upsert(&s->map, id)) == NULL) {
        return RF_ENOMEM;
    }
    e->made++;
    e->closed += r->reached_at[RF_REFERRAL_CLOSED] != 0;
    return RF_OK;
}

static int by_rank(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->made != y->made) {
        return x->made > y->made ? -1 : 1;
    }
    if (x->closed != y->closed) {
        return x->closed > y->closed ? -1 : 1;
    }
    return strcmp(x->id, y->id);
}

/* Merge the pass's referrers into the best @top so far (*count of them). */
static rf_status merge(best *top_list, size_t *count, size_t top, const rf__kpi_map *m)
{
    size_t n = *count + m->count;
    ranked *v = rf__malloc((n > 0 ? n : 1) * sizeof *v);
    best *kept = rf__malloc((top > 0 ? top : 1) * sizeof *kept);
    if (v == NULL || kept == NULL) {
        free(v);
        free(kept);
        return RF_ENOMEM;
    }
    for (size_t i = 0; i < *count; i++) {
        v[i] = (ranked){top_list[i].id, top_list[i].made, top_list[i].closed};
    }
    for (size_t i = 0; i < m->count; i++) {
        const tally *e = rf__kpi_map_value(m, i);
        v[*count + i] = (ranked){rf__kpi_map_key(m, i), e->made, e->closed};
    }
    qsort(v, n, sizeof *v, by_rank);
    size_t k = n < top ? n : top;
    for (size_t i = 0; i < k; i++) {
        memcpy(kept[i].id, v[i].id, strlen(v[i].id) + 1);
        kept[i].made = v[i].made;
        kept[i].closed = v[i].closed;
    }
    memcpy(top_list, kept, k * sizeof *kept);
    *count = k;
    free(kept);
    free(v);
    return RF_OK;
}

/* A referrer's label: the display name when they consented to be named,
 * else initials, written as everywhere else the library shows them (the
 * referrer's view, messages); "" when the party is gone. */
static rf_status label_of(rf_store *store, const char *id, char *out, size_t size)
{
    rf_party_record p;
    memset(&p, 0, sizeof p);
    int rc = store->backend->party_get(store->backend, store->practice, id, &p);
    out[0] = '\0';
    if (rc == RF_ENOTFOUND) {
        return RF_OK;
    }
    if (rc != RF_OK) {
        return (rf_status)rc;
    }
    if ((p.consent & RF_CONSENT_NAMED) && p.display_name != NULL) {
        size_t n = strlen(p.display_name);
        n = n < size - 1 ? n : size - 1;
        memcpy(out, p.display_name, n);
        out[n] = '\0';
    } else {
        rf__initials_of(p.display_name != NULL ? p.display_name : "", out, size);
    }
    return RF_OK;
}

rf_status rf__kpi_table_leaderboard(rf_store *store, const rf_kpi_filter *f, rf_kpi_table *t)
{
    size_t top = f->top != 0 ? f->top : RF__KPI_TOP_DEFAULT, count = 0;
    best *top_list = rf__malloc(top * sizeof *top_list);
    range *s = rf__calloc(1, sizeof *s);
    rf_status rc = top_list != NULL && s != NULL ? RF_OK : RF_ENOMEM;
    if (s != NULL) {
        rf__kpi_map_init(&s->map, sizeof(tally));
    }
    for (int more = 1; rc == RF_OK && more;) {
        rc = rf__kpi_cohort_scan(store, f, tally_referrer, s);
        rc = rc != RF_OK ? rc : merge(top_list, &count, top, &s->map);
        /* A pass that never had to lower its top end took every referrer left. */
        more = s->has_hi;
        memcpy(s->lo, s->hi, sizeof s->lo);
        s->has_lo = 1;
        s->has_hi = 0;
        rf__kpi_map_free(&s->map);
    }
    for (size_t i = 0; rc == RF_OK && i < count; i++) {
        char label[RF_NAME_MAX + 1];
        rf_kpi_row *row = NULL;
        if ((rc = label_of(store, top_list[i].id, label, sizeof label)) == RF_OK &&
            (rc = rf__kpi_table_add(t, top_list[i].id, label, &row)) == RF_OK) {
            rf__kpi_cell_count(row, RF_KPI_COLUMN_COUNT, top_list[i].made);
            rf__kpi_cell_count(row, RF_KPI_COLUMN_CLOSED, top_list[i].closed);
        }
    }
    if (s != NULL) {
        rf__kpi_map_free(&s->map);
    }
    free(s);
    free(top_list);
    return rc;
}
