/* Exact percentiles in bounded memory: a histogram pass, then passes that
 * narrow down only the windows holding the wanted ranks (see quantile.h). */
#include "util/quantile.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

enum { Q_NONE = 0, Q_PASS1, Q_LATER, Q_DONE, Q_FAILED };

#define SIGN_BIT ((uint64_t)1 << 63)
/* Magnitudes below EXACT_BELOW get a bucket each; above, each power of two
 * 2^e gets SUBS buckets of width 2^(e - SUB_BITS). */
#define SUB_BITS 8
#define SUBS ((uint64_t)1 << SUB_BITS)
#define EXACT_BELOW (2 * SUBS)
#define EXACT_BITS (SUB_BITS + 1)
#define HALF (RF__QUANTILE_HIST_BUCKETS / 2)

/* Orders int64 values as uint64 keys, so that window arithmetic cannot
 * overflow a signed type. */
static uint64_t key_of(int64_t v)
{
    return v >= 0 ? (uint64_t)v + SIGN_BIT : (uint64_t)(v + INT64_MAX) + 1;
}

static int64_t value_of(uint64_t k)
{
    return k >= SIGN_BIT ? (int64_t)(k - SIGN_BIT) : -(int64_t)(SIGN_BIT - 1 - k) - 1;
}

static int top_bit(uint64_t m)
{
#if defined(__GNUC__)
    return 63 - __builtin_clzll(m);
#else
    int e = 0;
    while (m >>= 1) {
        e++;
    }
    return e;
#endif
}

/* Bucket of a magnitude (0 .. 2^63 - 1), in increasing order of magnitude. */
static size_t mag_bucket(uint64_t m)
{
    if (m < EXACT_BELOW) {
        return (size_t)m;
    }
    int e = top_bit(m);
    return (size_t)(EXACT_BELOW + (uint64_t)(e - EXACT_BITS) * SUBS + ((m >> (e - SUB_BITS)) - SUBS));
}

static void mag_bounds(uint64_t *lo, uint64_t *hi, size_t b)
{
    if (b < EXACT_BELOW) {
        *lo = *hi = b;
        return;
    }
    int e = EXACT_BITS + (int)((b - EXACT_BELOW) / SUBS);
    uint64_t s = (b - EXACT_BELOW) % SUBS;
    *lo = (SUBS + s) << (e - SUB_BITS);
    *hi = *lo + (((uint64_t)1 << (e - SUB_BITS)) - 1);
}

/* Negative values mirror the non-negative ones through ~v (-1 -> 0), so the
 * histogram stays in value order: negatives from HALF - 1 down, the rest up. */
static size_t hist_bucket(int64_t v)
{
    return v >= 0 ? HALF + mag_bucket((uint64_t)v) : HALF - 1 - mag_bucket((uint64_t)~v);
}

static void hist_bounds(int64_t *lo, int64_t *hi, size_t i)
{
    uint64_t mlo, mhi;
    if (i >= HALF) {
        mag_bounds(&mlo, &mhi, i - HALF);
        *lo = (int64_t)mlo;
        *hi = (int64_t)mhi;
    } else {
        mag_bounds(&mlo, &mhi, HALF - 1 - i);
        *lo = ~(int64_t)mhi;
        *hi = ~(int64_t)mlo;
    }
}

/* ceil(p/100 * n) with a product just above an integer taken as that integer
 * (quantile.h says why); without libm, which the library does not link. */
static uint64_t rank_of(double p, uint64_t n)
{
    double x = p / 100.0 * (double)n;
    if (x >= (double)n) {
        return n;
    }
    uint64_t k = (uint64_t)x;
    if (x - (double)k > x * 1e-15) {
        k++;
    }
    return k; /* x > 0, so k >= 1 */
}

static void *q_alloc(rf__quantile *q, size_t bytes, int zeroed)
{
    void *p = zeroed ? calloc(1, bytes) : malloc(bytes);
    if (p == NULL) {
        rf__error_oom();
        return NULL;
    }
    q->bytes += bytes;
    if (q->bytes > q->peak_bytes) {
        q->peak_bytes = q->bytes;
    }
    return p;
}

static void q_release(rf__quantile *q, void *p, size_t bytes)
{
    if (p != NULL) {
        free(p);
        q->bytes -= bytes;
    }
}

static void release_small(rf__quantile *q)
{
    q_release(q, q->small, q->small_cap * sizeof(int64_t));
    q->small = NULL;
    q->small_cap = 0;
}

static void release_windows(rf__quantile *q)
{
    for (size_t w = 0; w < q->nwin; w++) {
        rf__quantile_window *win = &q->win[w];
        q_release(q, win->values, (size_t)win->count * sizeof(int64_t));
        q_release(q, win->counts, RF__QUANTILE_SUB_BUCKETS * sizeof(uint64_t));
        win->values = NULL;
        win->counts = NULL;
    }
    q->nwin = 0;
}

static void release_all(rf__quantile *q)
{
    release_small(q);
    q_release(q, q->hist, RF__QUANTILE_HIST_BUCKETS * sizeof(uint64_t));
    q->hist = NULL;
    release_windows(q);
}

static rf_status fail(rf__quantile *q, rf_status code)
{
    release_all(q);
    q->state = Q_FAILED;
    return code;
}

rf_status rf__quantile_init(rf__quantile *q, const double *ps, size_t nps)
{
    memset(q, 0, sizeof(*q));
    if (ps == NULL || nps == 0 || nps > RF__QUANTILE_MAX_PS) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT,
                         "between 1 and %d percentiles are needed, not %zu", RF__QUANTILE_MAX_PS,
                         ps == NULL ? (size_t)0 : nps);
    }
    for (size_t i = 0; i < nps; i++) {
        if (!(ps[i] > 0.0 && ps[i] <= 100.0)) {
            return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT, "percentile %g is outside (0, 100]", ps[i]);
        }
    }
    memcpy(q->ps, ps, nps * sizeof(double));
    q->nps = nps;
    q->budget = RF__QUANTILE_DEFAULT_BUDGET;
    q->state = Q_PASS1;
    return RF_OK;
}

rf_status rf__quantile_set_budget(rf__quantile *q, size_t budget)
{
    if (q->state != Q_PASS1 || q->n != 0) {
        return rf__error(RF_ESTATE, RF_ERRCLASS_ARGUMENT, "the budget is set before the first value");
    }
    if (budget < RF__QUANTILE_MIN_BUDGET || budget > SIZE_MAX / 16) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT, "a budget of %zu values is out of range", budget);
    }
    q->budget = budget;
    return RF_OK;
}

/* Past the small limit, the kept values move into the histogram for good. */
static rf_status to_histogram(rf__quantile *q)
{
    q->hist = q_alloc(q, RF__QUANTILE_HIST_BUCKETS * sizeof(uint64_t), 1);
    if (q->hist == NULL) {
        return RF_ENOMEM;
    }
    for (uint64_t i = 0; i < q->n; i++) {
        q->hist[hist_bucket(q->small[i])]++;
    }
    release_small(q);
    return RF_OK;
}

static rf_status keep_small(rf__quantile *q, int64_t v)
{
    if (q->n == q->small_cap) {
        size_t limit = RF__QUANTILE_SMALL_LIMIT_(q->budget);
        if (q->small_cap == limit) {
            rf_status st = to_histogram(q);
            if (st == RF_OK) {
                q->hist[hist_bucket(v)]++;
            }
            return st;
        }
        size_t cap = q->small_cap == 0 ? 256 : q->small_cap * 2;
        cap = cap > limit ? limit : cap;
        /* Not realloc: the old and new arrays are both counted while both live. */
        int64_t *grown = q_alloc(q, cap * sizeof(int64_t), 0);
        if (grown == NULL) {
            return RF_ENOMEM;
        }
        if (q->small != NULL) {
            memcpy(grown, q->small, q->small_cap * sizeof(int64_t));
        }
        q_release(q, q->small, q->small_cap * sizeof(int64_t));
        q->small = grown;
        q->small_cap = cap;
    }
    q->small[q->n] = v;
    return RF_OK;
}

static void add_later(rf__quantile *q, int64_t v)
{
    q->n_now++;
    for (size_t w = 0; w < q->nwin; w++) {
        rf__quantile_window *win = &q->win[w];
        if (v < win->lo || v > win->hi) {
            continue;
        }
        if (win->seen == 0 || v < win->seen_min) {
            win->seen_min = v;
        }
        if (win->seen == 0 || v > win->seen_max) {
            win->seen_max = v;
        }
        if (win->values != NULL) {
            /* More than the count means other data; end_pass reports it. */
            if (win->seen < win->count) {
                win->values[win->seen] = v;
            }
        } else {
            win->counts[(key_of(v) - key_of(win->lo)) / win->width]++;
        }
        win->seen++;
        return; /* windows are disjoint */
    }
}

rf_status rf__quantile_add(rf__quantile *q, int64_t v)
{
    if (q->state == Q_LATER) {
        add_later(q, v);
        return RF_OK;
    }
    if (q->state != Q_PASS1) {
        return rf__error(RF_ESTATE, RF_ERRCLASS_ARGUMENT, "no pass of this percentile computation is open");
    }
    if (q->hist != NULL) {
        q->hist[hist_bucket(v)]++;
    } else {
        rf_status st = keep_small(q, v);
        if (st != RF_OK) {
            return st;
        }
    }
    if (q->n == 0 || v < q->min) {
        q->min = v;
    }
    if (q->n == 0 || v > q->max) {
        q->max = v;
    }
    uint64_t lo = q->sum_lo + (uint64_t)v;
    q->sum_hi += (v < 0 ? -1 : 0) + (lo < q->sum_lo ? 1 : 0);
    q->sum_lo = lo;
    q->n++;
    return RF_OK;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Rank @i lies in [lo, hi], which holds @count values above @below others.
 * Resolve it when that range is one value, else join or open a window in
 * @wins. */
static void place_rank(rf__quantile *q, rf__quantile_window *wins, size_t *nwins, size_t i, int64_t lo,
                       int64_t hi, uint64_t below, uint64_t count)
{
    if (lo == hi) {
        q->value[i] = lo;
        q->resolved[i] = 1;
        return;
    }
    for (size_t w = 0; w < *nwins; w++) {
        if (wins[w].lo == lo && wins[w].hi == hi) {
            q->win_of[i] = (int)w;
            return;
        }
    }
    wins[*nwins] = (rf__quantile_window){.lo = lo, .hi = hi, .below = below, .count = count};
    q->win_of[i] = (int)(*nwins)++;
}

/* Give each window its room for the next pass: the smallest are collected
 * while the budget lasts, the rest counted into sub-buckets. */
static rf_status plan_windows(rf__quantile *q)
{
    size_t order[RF__QUANTILE_MAX_PS];
    for (size_t w = 0; w < q->nwin; w++) {
        size_t j = w;
        while (j > 0 && q->win[order[j - 1]].count > q->win[w].count) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = w;
    }
    uint64_t room = q->budget;
    for (size_t k = 0; k < q->nwin; k++) {
        rf__quantile_window *win = &q->win[order[k]];
        if (win->count <= room) {
            room -= win->count;
            win->values = q_alloc(q, (size_t)win->count * sizeof(int64_t), 0);
            if (win->values == NULL) {
                return RF_ENOMEM;
            }
        } else {
            uint64_t span = key_of(win->hi) - key_of(win->lo);
            win->width = span / RF__QUANTILE_SUB_BUCKETS + 1;
            win->counts = q_alloc(q, RF__QUANTILE_SUB_BUCKETS * sizeof(uint64_t), 1);
            if (win->counts == NULL) {
                return RF_ENOMEM;
            }
        }
    }
    return RF_OK;
}

/* The wanted ranks and the end of pass 1: the extremes are known, a small
 * set is sorted, a histogram says which bucket holds each rank. */
static rf_status end_pass1(rf__quantile *q)
{
    for (size_t i = 0; i < q->nps; i++) {
        q->rank[i] = q->n == 0 ? 0 : rank_of(q->ps[i], q->n);
        q->win_of[i] = -1;
        q->resolved[i] = q->n == 0;
    }
    if (q->hist == NULL) {
        if (q->n > 0) {
            qsort(q->small, (size_t)q->n, sizeof(int64_t), cmp_i64);
        }
        for (size_t i = 0; i < q->nps && q->n > 0; i++) {
            q->value[i] = q->small[q->rank[i] - 1];
            q->resolved[i] = 1;
        }
        release_all(q);
        return RF_OK;
    }
    for (size_t i = 0; i < q->nps; i++) {
        if (q->rank[i] == 1 || q->rank[i] == q->n) {
            q->value[i] = q->rank[i] == 1 ? q->min : q->max;
            q->resolved[i] = 1;
            continue;
        }
        uint64_t below = 0;
        size_t b = 0;
        while (below + q->hist[b] < q->rank[i]) {
            below += q->hist[b++];
        }
        int64_t lo, hi;
        hist_bounds(&lo, &hi, b);
        place_rank(q, q->win, &q->nwin, i, lo < q->min ? q->min : lo, hi > q->max ? q->max : hi, below,
                   q->hist[b]);
    }
    q_release(q, q->hist, RF__QUANTILE_HIST_BUCKETS * sizeof(uint64_t));
    q->hist = NULL;
    return RF_OK;
}

/* A later pass is over: read the collected windows, narrow the counted ones. */
static rf_status end_later(rf__quantile *q)
{
    if (q->n_now != q->n) {
        return rf__error(RF_ECONFLICT, RF_ERRCLASS_ARGUMENT,
                         "pass %d met %llu values, pass 1 met %llu: the data changed between scans",
                         q->passes + 1, (unsigned long long)q->n_now, (unsigned long long)q->n);
    }
    for (size_t w = 0; w < q->nwin; w++) {
        if (q->win[w].seen != q->win[w].count) {
            return rf__error(RF_ECONFLICT, RF_ERRCLASS_ARGUMENT,
                             "pass %d met other values than pass 1: the data changed between scans",
                             q->passes + 1);
        }
    }
    rf__quantile_window wins[RF__QUANTILE_MAX_PS] = {{0}};
    size_t nwins = 0;
    for (size_t w = 0; w < q->nwin; w++) {
        rf__quantile_window *win = &q->win[w];
        if (win->values != NULL) {
            qsort(win->values, (size_t)win->count, sizeof(int64_t), cmp_i64);
        }
        for (size_t i = 0; i < q->nps; i++) {
            if (q->resolved[i] || q->win_of[i] != (int)w) {
                continue;
            }
            uint64_t below = win->below;
            if (win->values != NULL) {
                q->value[i] = win->values[q->rank[i] - below - 1];
                q->resolved[i] = 1;
                continue;
            }
            size_t j = 0;
            while (below + win->counts[j] < q->rank[i]) {
                below += win->counts[j++];
            }
            /* The sub-bucket, clipped to the values this window really met. */
            uint64_t lo = key_of(win->lo) + j * win->width;
            uint64_t hi = lo + (win->width - 1);
            if (lo < key_of(win->seen_min)) {
                lo = key_of(win->seen_min);
            }
            if (hi > key_of(win->seen_max) || hi < lo) {
                hi = key_of(win->seen_max);
            }
            place_rank(q, wins, &nwins, i, value_of(lo), value_of(hi), below, win->counts[j]);
        }
    }
    release_windows(q);
    memcpy(q->win, wins, nwins * sizeof(wins[0]));
    q->nwin = nwins;
    return RF_OK;
}

rf_status rf__quantile_end_pass(int *more, rf__quantile *q)
{
    *more = 0;
    if (q->state == Q_DONE) {
        return RF_OK;
    }
    if (q->state != Q_PASS1 && q->state != Q_LATER) {
        return rf__error(RF_ESTATE, RF_ERRCLASS_ARGUMENT, "no pass of this percentile computation is open");
    }
    rf_status st = q->state == Q_PASS1 ? end_pass1(q) : end_later(q);
    if (st == RF_OK && q->nwin > 0) {
        st = plan_windows(q);
    }
    if (st != RF_OK) {
        return fail(q, st);
    }
    q->passes++;
    if (q->nwin == 0) {
        q->state = Q_DONE;
        return RF_OK;
    }
    q->state = Q_LATER;
    q->n_now = 0;
    *more = 1;
    return RF_OK;
}

int rf__quantile_result(int64_t *out, const rf__quantile *q, double p)
{
    if (q->state != Q_DONE || q->n == 0) {
        return 0;
    }
    for (size_t i = 0; i < q->nps; i++) {
        if (q->ps[i] == p && q->resolved[i]) {
            *out = q->value[i];
            return 1;
        }
    }
    return 0;
}

static int extremes_known(const rf__quantile *q)
{
    return (q->state == Q_LATER || q->state == Q_DONE) && q->n > 0;
}

int rf__quantile_mean(double *out, const rf__quantile *q)
{
    if (!extremes_known(q)) {
        return 0;
    }
    const uint64_t exact = (uint64_t)1 << 53;
    if (q->n < exact &&
        ((q->sum_hi == 0 && q->sum_lo < exact) || (q->sum_hi == -1 && q->sum_lo > 0 - exact))) {
        double sum = q->sum_hi == 0 ? (double)q->sum_lo : -(double)(0 - q->sum_lo);
        *out = sum / (double)q->n;
    } else {
        long double sum = (long double)q->sum_hi * 18446744073709551616.0L + (long double)q->sum_lo;
        *out = (double)(sum / (long double)q->n);
    }
    return 1;
}

int rf__quantile_range(int64_t *min, int64_t *max, const rf__quantile *q)
{
    if (!extremes_known(q)) {
        return 0;
    }
    *min = q->min;
    *max = q->max;
    return 1;
}

uint64_t rf__quantile_count(const rf__quantile *q)
{
    return q->n;
}

int rf__quantile_passes(const rf__quantile *q)
{
    return q->passes;
}

size_t rf__quantile_bytes(const rf__quantile *q)
{
    return q->bytes;
}

size_t rf__quantile_peak_bytes(const rf__quantile *q)
{
    return q->peak_bytes;
}

void rf__quantile_free(rf__quantile *q)
{
    if (q == NULL) {
        return;
    }
    release_all(q);
    q->state = Q_NONE;
}
