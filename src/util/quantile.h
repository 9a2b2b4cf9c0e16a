/* Internal: exact percentiles of a stream of int64 values in bounded memory.
 *
 * Definition (nearest rank). For n >= 1 values and 0 < p <= 100, the p-th
 * percentile is the smallest value v such that at least ceil(p/100 * n) of the
 * values are <= v; equivalently the value at rank k = ceil(p/100 * n) (1-based)
 * in ascending order, clamped to 1..n. It is always one of the values (never
 * an interpolation), p = 100 is the maximum, and it is undefined for n == 0.
 * p is read as the decimal the caller wrote: p/100 * n is computed in double,
 * whose rounding can land just above an integer (99.9 is not a double), so a
 * product within a relative 1e-15 of an integer counts as that integer: p =
 * 99.9 with n = 1000 is rank 999, not 1000. For p with at most three decimals
 * and n up to 10^9 this is exactly the ceiling of the decimal product.
 *
 * Streaming in passes. The values come from backend scans, which can be
 * repeated but not held: the caller feeds every value to rf__quantile_add and
 * then calls rf__quantile_end_pass, which says whether another pass over the
 * same values (in any order) is needed; it loops until it is not:
 *
 *     rf__quantile_init(&q, ps, 2);
 *     do {
 *         scan(each value: rf__quantile_add(&q, v));
 *         rf__quantile_end_pass(&more, &q);
 *     } while (more);
 *     rf__quantile_result(&p50, &q, 50.0);
 *     rf__quantile_free(&q);
 *
 * Pass 1 keeps the exact count, sum, minimum and maximum. Up to 65536 values
 * (or the budget, if smaller) it simply keeps them and needs no second pass.
 * Past that it counts them into a fixed log-linear histogram (exact below 512
 * in magnitude, then 256 buckets per power of two: width <= 1/256 of the
 * value), and drops the values. Each later pass looks only at the few value
 * windows (one per distinct wanted rank) that hold a wanted rank: a window
 * narrowed to one value (by its bucket, or by the least and greatest values
 * it met) is resolved; one whose values fit the budget is collected, sorted
 * and read; a larger one is counted into 4096 linear sub-buckets, which
 * shrinks it at least 4096-fold per pass, so the loop ends (2 passes when the
 * windows fit the budget, at most 6 for any data and budget).
 *
 * Memory does not grow with n. Heap bytes never exceed
 * RF__QUANTILE_BYTES_MAX(budget, nps): the larger of pass 1 (the kept values
 * plus the histogram, while switching) and later passes (the budget of
 * collected values plus one sub-histogram per window). With the default
 * budget of 1 Mi values and 2 percentiles that is 8.06 MiB (768 KiB in pass
 * 1); an ordinary pass 2 holds far less (the values of one histogram bucket
 * per rank), and a set of up to 65536 values at most 768 KiB. The bound is
 * per rf__quantile: a caller running many at once (one per channel) should
 * give each a smaller budget, which costs passes, never exactness.
 *
 * The values must be the same in every pass (scan inside one read
 * transaction); a later pass that meets a different count, in all or in a
 * window, fails with RF_ECONFLICT rather than returning a wrong figure.
 * Deterministic: no randomness. One thread at a time per rf__quantile. */
#ifndef RF_UTIL_QUANTILE_H
#define RF_UTIL_QUANTILE_H

#include <stddef.h>
#include <stdint.h>

#include "referral/errors.h"

/* Most percentiles one rf__quantile computes. */
#define RF__QUANTILE_MAX_PS 8
/* Default and smallest budget of values held at once by later passes. */
#define RF__QUANTILE_DEFAULT_BUDGET ((size_t)1 << 20)
#define RF__QUANTILE_MIN_BUDGET ((size_t)16)
/* Pass 1 keeps up to this many values (or the budget) before histogramming. */
#define RF__QUANTILE_SMALL_MAX ((size_t)65536)
/* Fixed sizes, in buckets of 8 bytes. */
#define RF__QUANTILE_HIST_BUCKETS ((size_t)2 * 14336)
#define RF__QUANTILE_SUB_BUCKETS ((size_t)4096)

#define RF__QUANTILE_MIN_(a, b) ((a) < (b) ? (a) : (b))
#define RF__QUANTILE_MAX_(a, b) ((a) > (b) ? (a) : (b))
/* The most heap bytes an rf__quantile with this budget and number of
 * percentiles ever holds at once: pass 1 holds the kept values plus either
 * the half-size array they grew from or the histogram they are poured into;
 * later passes hold the collected values plus one sub-histogram per window. */
#define RF__QUANTILE_SMALL_LIMIT_(budget) RF__QUANTILE_MIN_((size_t)(budget), RF__QUANTILE_SMALL_MAX)
#define RF__QUANTILE_BYTES_MAX(budget, nps)                                                                  \
    (8 * RF__QUANTILE_MAX_(                                                                                  \
             RF__QUANTILE_SMALL_LIMIT_(budget) +                                                             \
                 RF__QUANTILE_MAX_(RF__QUANTILE_SMALL_LIMIT_(budget) / 2, RF__QUANTILE_HIST_BUCKETS),        \
             (size_t)(budget) + (size_t)(nps)*RF__QUANTILE_SUB_BUCKETS))

/* A window of values [lo, hi] holding at least one wanted rank. */
typedef struct rf__quantile_window {
    int64_t lo, hi;
    uint64_t below; /* values < lo */
    uint64_t count; /* values in [lo, hi], from the previous pass */
    uint64_t seen;  /* values in [lo, hi] met in this pass */
    int64_t seen_min, seen_max;
    uint64_t width;   /* counting: the sub-bucket width */
    int64_t *values;  /* collecting: room for count values */
    uint64_t *counts; /* counting: RF__QUANTILE_SUB_BUCKETS */
} rf__quantile_window;

/* Fields are private to quantile.c; the struct is public only so that it can
 * live on the caller's stack or inside a result. */
typedef struct rf__quantile {
    int state;
    int passes;
    size_t nps;
    double ps[RF__QUANTILE_MAX_PS];
    uint64_t rank[RF__QUANTILE_MAX_PS];
    int64_t value[RF__QUANTILE_MAX_PS];
    int resolved[RF__QUANTILE_MAX_PS];
    int win_of[RF__QUANTILE_MAX_PS];
    size_t budget;

    uint64_t n;     /* values met in pass 1 */
    uint64_t n_now; /* values met in the current later pass */
    uint64_t sum_lo;
    int64_t sum_hi; /* the exact sum is sum_hi * 2^64 + sum_lo */
    int64_t min, max;

    int64_t *small; /* pass 1, while n <= the small limit */
    size_t small_cap;
    uint64_t *hist; /* pass 1, past the small limit */

    rf__quantile_window win[RF__QUANTILE_MAX_PS];
    size_t nwin;

    size_t bytes, peak_bytes;
} rf__quantile;

/* Set up @q for the @nps (1..RF__QUANTILE_MAX_PS) percentiles @ps, each in
 * (0, 100]; duplicates are allowed. RF_EINVALID (recorded) otherwise, with @q
 * zeroed so that rf__quantile_free is still safe. Allocates nothing. */
rf_status rf__quantile_init(rf__quantile *q, const double *ps, size_t nps);

/* Before the first value: hold at most @budget values at once in later passes
 * (at least RF__QUANTILE_MIN_BUDGET). A smaller budget means less memory and
 * perhaps more passes; the figures are exact either way. RF_EINVALID or
 * RF_ESTATE (recorded) otherwise. */
rf_status rf__quantile_set_budget(rf__quantile *q, size_t budget);

/* Feed one value to the current pass. RF_OK; RF_ENOMEM (recorded, only in
 * pass 1, with the value not counted); RF_ESTATE (recorded) when all passes
 * are over or a pass failed. */
rf_status rf__quantile_add(rf__quantile *q, int64_t v);

/* Close the current pass: *more = 1 when the caller must feed the same values
 * again, 0 when the results are ready (again 0 if called once more after
 * that). RF_ECONFLICT (recorded) when a later pass met other values than pass
 * 1 (the data changed between scans); RF_ENOMEM (recorded) when the next
 * pass's room cannot be had. After a failure *more = 0 and @q only frees. */
rf_status rf__quantile_end_pass(int *more, rf__quantile *q);

/* 1 with *out = the @p-th percentile once the passes are over and n >= 1; 0
 * when it is undefined (n == 0), or @p was not one of the percentiles given to
 * rf__quantile_init (compared exactly), or the passes are not over. */
int rf__quantile_result(int64_t *out, const rf__quantile *q, double p);

/* 1 with *out = sum / n (the sum is kept exact in 128 bits; the division is
 * rounded once when |sum| < 2^53, else through long double); 0 when n == 0.
 * Defined from the end of pass 1 on. */
int rf__quantile_mean(double *out, const rf__quantile *q);
/* 1 with the minimum and maximum, 0 when n == 0; from the end of pass 1 on. */
int rf__quantile_range(int64_t *min, int64_t *max, const rf__quantile *q);

/* Values met in pass 1; passes ended so far; heap bytes held now and at most. */
uint64_t rf__quantile_count(const rf__quantile *q);
int rf__quantile_passes(const rf__quantile *q);
size_t rf__quantile_bytes(const rf__quantile *q);
size_t rf__quantile_peak_bytes(const rf__quantile *q);

/* Release what @q holds (NULL-tolerant); @q can be initialised again. */
void rf__quantile_free(rf__quantile *q);

#endif
