/* Tests for the exact streaming percentiles in src/util/quantile.c: every figure is compared with
 * a reference that sorts all the values and reads the nearest rank by integer arithmetic. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/quantile.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

__extension__ typedef __int128 i128;

/* The most heap a 2,000,000-value run over heavily duplicated data may hold: the histogram and the
 * kept values of pass 1 (768 KiB), nothing that grows with n. */
#define PEAK_2M_BYTES ((size_t)800 * 1024)

/* splitmix64: fixed seeds, the same stream on every platform. */
static uint64_t rng;

static uint64_t next_u64(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t m)
{
    return next_u64() % m;
}

static void shuffle(int64_t *v, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)below(i);
        int64_t t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

/* The percentiles every distribution is asked for, with p * 10 as an integer for the reference. */
static const double PS[] = {50, 90, 100, 0.1, 99.9};
static const unsigned PERMILLE[] = {500, 900, 1000, 1, 999};

static uint64_t ref_rank(uint64_t per, uint64_t scale, uint64_t n)
{
    uint64_t k = (per * n + scale - 1) / scale;
    return k < 1 ? 1 : k;
}

enum dist { D_EQUAL, D_TWO, D_UNIFORM, D_HEAVY, D_DUP_EDGE, D_NEGATIVE, D_EXTREME };
static const char *const DIST_NAMES[] = {"all equal", "two values", "uniform",       "heavy-tailed",
                                         "dup edge",  "negative",   "int64 extremes"};

/* Many copies of one value from exactly the p50 rank to exactly the p90 rank, with close
 * neighbours on both sides, so that one off-by-one lands on a different value. */
static void fill_dup_edge(int64_t *v, size_t n)
{
    const int64_t d = 100000;
    uint64_t k50 = n == 0 ? 0 : ref_rank(500, 1000, n), k90 = n == 0 ? 0 : ref_rank(900, 1000, n);
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < k50) {
            v[i] = d - 1 - (int64_t)below(200);
        } else if (i + 1 <= k90) {
            v[i] = d;
        } else {
            v[i] = d + 1 + (int64_t)below(200);
        }
    }
    shuffle(v, n);
}

static int64_t extreme_value(void)
{
    static const int64_t ends[] = {INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX - 1, INT64_MAX};
    if (below(2) == 0) {
        return ends[below(COUNT(ends))];
    }
    return (int64_t)(next_u64() >> 1) - (int64_t)(next_u64() >> 1);
}

static void fill(int64_t *v, size_t n, enum dist d, uint64_t seed)
{
    rng = seed;
    if (d == D_DUP_EDGE) {
        fill_dup_edge(v, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        switch (d) {
        case D_EQUAL: v[i] = 86400; break;
        case D_TWO: v[i] = below(10) < 7 ? 3600 : 90000; break;
        case D_UNIFORM: v[i] = (int64_t)below(10000000); break;
        case D_HEAVY: {
            /* log2 of the value is roughly normal around 14, with a 1% tail near 2^40. */
            unsigned k = 2;
            for (int j = 0; j < 6; j++) {
                k += (unsigned)below(5);
            }
            if (below(100) == 0) {
                k = 40;
            }
            v[i] = (int64_t)(((uint64_t)1 << k) + below((uint64_t)1 << k));
            break;
        }
        case D_NEGATIVE: v[i] = below(5) == 0 ? (int64_t)below(1000) : -(int64_t)below(1000000) - 1; break;
        case D_EXTREME: v[i] = extreme_value(); break;
        default: v[i] = 0; break;
        }
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t *sorted_copy(const int64_t *v, size_t n)
{
    int64_t *s = malloc((n ? n : 1) * sizeof(int64_t));
    assert_non_null(s);
    memcpy(s, v, n * sizeof(int64_t));
    qsort(s, n, sizeof(int64_t), cmp_i64);
    return s;
}

/* Each pass reads the values in another order: forward, backward, then rotated by a third. */
static void feed(rf__quantile *q, const int64_t *v, size_t n, int pass)
{
    for (size_t i = 0; i < n; i++) {
        size_t at = pass == 1 ? i : pass % 2 == 0 ? n - 1 - i : (i + n / 3) % n;
        rf_status st = rf__quantile_add(q, v[at]);
        if (st != RF_OK) {
            fail_msg("pass %d, value %zu: status %d", pass, i, st);
        }
    }
}

/* Runs the passes to the end (budget 0: the default) and returns how many it took. While a pass
 * is still wanted no percentile may be read. */
static int run(rf__quantile *q, const int64_t *v, size_t n, const double *ps, size_t nps, size_t budget)
{
    assert_int_equal(rf__quantile_init(q, ps, nps), RF_OK);
    if (budget != 0) {
        assert_int_equal(rf__quantile_set_budget(q, budget), RF_OK);
    }
    int passes = 0, more;
    do {
        feed(q, v, n, passes + 1);
        assert_int_equal(rf__quantile_end_pass(&more, q), RF_OK);
        passes++;
        int64_t early;
        if (more && rf__quantile_result(&early, q, ps[0]) != 0) {
            fail_msg("a percentile was readable with another pass wanted");
        }
        if (passes > 6) {
            fail_msg("%d passes; at most 6 are documented", passes);
        }
    } while (more);
    assert_int_equal(rf__quantile_passes(q), passes);
    size_t cap = RF__QUANTILE_BYTES_MAX(budget != 0 ? budget : RF__QUANTILE_DEFAULT_BUDGET, nps);
    if (rf__quantile_peak_bytes(q) > cap) {
        fail_msg("peak %zu bytes over the documented %zu", rf__quantile_peak_bytes(q), cap);
    }
    assert_int_equal(rf__quantile_bytes(q), 0); /* nothing is held once the figures are known */
    return passes;
}

static double absd(double x)
{
    return x < 0 ? -x : x;
}

static void check_mean(const rf__quantile *q, const int64_t *s, size_t n, const char *what)
{
    i128 sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += s[i];
    }
    double got;
    assert_int_equal(rf__quantile_mean(&got, q), 1);
    const i128 exact = (i128)1 << 53;
    if (sum > -exact && sum < exact) {
        double want = (double)(int64_t)sum / (double)n;
        if (got != want) {
            fail_msg("%s: mean %.17g, reference %.17g", what, got, want);
        }
    } else {
        double want = (double)((long double)sum / (long double)n);
        if (absd(got - want) > absd(want) * 1e-15) {
            fail_msg("%s: mean %.17g, reference %.17g", what, got, want);
        }
    }
}

/* Every figure of @q against the sorted values @s; @per / @scale give each p exactly. */
static void check_all(const rf__quantile *q, const int64_t *s, size_t n, const double *ps,
                      const unsigned *per, unsigned scale, size_t nps, const char *what)
{
    int64_t out = 0;
    double mean = 0;
    assert_int_equal(rf__quantile_count(q), n);
    if (n == 0) {
        for (size_t i = 0; i < nps; i++) {
            assert_int_equal(rf__quantile_result(&out, q, ps[i]), 0);
        }
        assert_int_equal(rf__quantile_mean(&mean, q), 0);
        assert_int_equal(rf__quantile_range(&out, &out, q), 0);
        return;
    }
    for (size_t i = 0; i < nps; i++) {
        int64_t want = s[ref_rank(per[i], scale, n) - 1];
        if (rf__quantile_result(&out, q, ps[i]) != 1 || out != want) {
            fail_msg("%s, n=%zu: p%g is %lld, reference %lld", what, n, ps[i], (long long)out,
                     (long long)want);
        }
    }
    int64_t max = 0;
    assert_int_equal(rf__quantile_range(&out, &max, q), 1);
    assert_true(out == s[0] && max == s[n - 1]);
    check_mean(q, s, n, what);
}

static int run_and_check(const int64_t *v, size_t n, const double *ps, const unsigned *per, unsigned scale,
                         size_t nps, size_t budget, const char *what)
{
    int64_t *s = sorted_copy(v, n);
    rf__quantile q;
    int passes = run(&q, v, n, ps, nps, budget);
    check_all(&q, s, n, ps, per, scale, nps, what);
    rf__quantile_free(&q);
    free(s);
    return passes;
}

static void test_distributions(void **state)
{
    static const size_t sizes[] = {0, 1, 2, 3, 10, 1000, 100000, 2000000};
    (void)state;
    for (enum dist d = D_EQUAL; d <= D_EXTREME; d++) {
        for (size_t k = 0; k < COUNT(sizes); k++) {
            size_t n = sizes[k];
            /* 2,000,000 only where the large-n paths differ: the rest are covered at 100,000. */
            if (n == 2000000 && d != D_HEAVY && d != D_DUP_EDGE && d != D_EXTREME) {
                continue;
            }
            int64_t *v = malloc((n ? n : 1) * sizeof(int64_t));
            assert_non_null(v);
            fill(v, n, d, 1000 + (uint64_t)d);
            int passes = run_and_check(v, n, PS, PERMILLE, 1000, COUNT(PS), 0, DIST_NAMES[d]);
            if (n <= RF__QUANTILE_SMALL_MAX && passes != 1) {
                fail_msg("%s, n=%zu: %d passes for a small set", DIST_NAMES[d], n, passes);
            }
            free(v);
        }
    }
}

/* The nearest rank exactly as stated, for p with up to three decimals, on both paths: kept values
 * (the default) and the histogram (a budget of 16 puts every set past 16 values through it). */
static void test_rank_definition(void **state)
{
    static const double ps_a[] = {0.001, 0.1, 1, 12.5, 33.333, 50, 66.667, 90};
    static const unsigned per_a[] = {1, 100, 1000, 12500, 33333, 50000, 66667, 90000};
    static const double ps_b[] = {99, 99.9, 99.999, 100, 25, 75, 0.5, 10};
    static const unsigned per_b[] = {99000, 99900, 99999, 100000, 25000, 75000, 500, 10000};
    (void)state;
    int64_t v[400];
    for (size_t n = 1; n <= COUNT(v); n += (n < 64 ? 1 : 7)) {
        for (size_t i = 0; i < n; i++) {
            v[i] = (int64_t)i + 1; /* the value is its rank */
        }
        rng = n;
        shuffle(v, n);
        run_and_check(v, n, ps_a, per_a, 100000, COUNT(ps_a), 0, "ranks a");
        run_and_check(v, n, ps_b, per_b, 100000, COUNT(ps_b), 0, "ranks b");
        run_and_check(v, n, ps_a, per_a, 100000, COUNT(ps_a), 16, "ranks a, histogram");
        run_and_check(v, n, ps_b, per_b, 100000, COUNT(ps_b), 16, "ranks b, histogram");
    }
    size_t n = 100003;
    int64_t *big = malloc(n * sizeof(int64_t));
    assert_non_null(big);
    for (size_t i = 0; i < n; i++) {
        big[i] = (int64_t)i + 1;
    }
    rng = 7;
    shuffle(big, n);
    run_and_check(big, n, ps_a, per_a, 100000, COUNT(ps_a), 0, "ranks a, 100003");
    run_and_check(big, n, ps_b, per_b, 100000, COUNT(ps_b), 0, "ranks b, 100003");
    free(big);
}

/* How many passes the data needs, for the cases where the answer is certain. */
static void test_passes_needed(void **state)
{
    (void)state;
    size_t n = 2000000;
    int64_t *v = malloc(n * sizeof(int64_t));
    assert_non_null(v);

    fill(v, 0, D_EQUAL, 1);
    assert_int_equal(run_and_check(v, 0, PS, PERMILLE, 1000, COUNT(PS), 0, "empty"), 1);
    fill(v, n, D_EQUAL, 1); /* the extremes are equal: nothing left to look for */
    assert_int_equal(run_and_check(v, n, PS, PERMILLE, 1000, COUNT(PS), 0, "equal 2M"), 1);
    for (size_t i = 0; i < 100000; i++) {
        v[i] = (int64_t)(i * 7919 % 511); /* below 512 every bucket is one value */
    }
    assert_int_equal(run_and_check(v, 100000, PS, PERMILLE, 1000, COUNT(PS), 0, "below 512"), 1);
    fill(v, 100000, D_UNIFORM, 2); /* wide buckets, collected in one more pass */
    assert_int_equal(run_and_check(v, 100000, PS, PERMILLE, 1000, COUNT(PS), 0, "uniform"), 2);
    static const double ends[] = {100, 0.001}; /* ranks n and 1: the maximum and minimum */
    static const unsigned ends_per[] = {100000, 1};
    assert_int_equal(run_and_check(v, 100000, ends, ends_per, 100000, 2, 0, "uniform ends"), 1);
    fill(v, n, D_DUP_EDGE, 3); /* the p50 bucket is over budget: counted, then one value */
    assert_int_equal(run_and_check(v, n, PS, PERMILLE, 1000, COUNT(PS), 0, "dup edge 2M"), 2);
    free(v);
}

/* Nested clusters that keep every window's ends occupied, so neither the budget (16) nor the
 * clipping to the values met can cut a level short: the documented worst case of 6 passes. */
static void test_deepest_refinement(void **state)
{
    static const unsigned shifts[] = {54, 42, 30, 18, 6};
    (void)state;
    int64_t v[64];
    size_t n = 0;
    for (int64_t i = 1; i <= 5; i++) {
        v[n++] = i; /* outside the nested windows */
    }
    uint64_t start = (uint64_t)1 << 62;
    for (size_t level = 0; level < COUNT(shifts); level++) {
        if (level > 0) {
            start += (uint64_t)1 << (shifts[level - 1] - 1); /* the middle sub-bucket one level down */
        }
        v[n++] = (int64_t)start;
        v[n++] = (int64_t)(start + ((uint64_t)1 << shifts[level]) - 1);
    }
    for (int64_t i = 1; i <= 40; i++) {
        v[n++] = (int64_t)start + i;
    }
    static const double ps[] = {50, 90, 10};
    static const unsigned per[] = {500, 900, 100};
    assert_int_equal(run_and_check(v, n, ps, per, 1000, COUNT(ps), 16, "nested"), 6);
    /* With room for the 50 nested values (but not all 55) they are collected in pass 2. */
    assert_int_equal(run_and_check(v, n, ps, per, 1000, COUNT(ps), 50, "nested, room"), 2);
}

/* A rank in the lowest (or highest) occupied sub-bucket of a window is narrowed to the values the
 * window met: 3 passes here, where sub-buckets alone would take 6. */
static void test_clip_to_met_values(void **state)
{
    static const double ps[] = {50};
    static const unsigned per[] = {500};
    (void)state;
    const int64_t bucket = (int64_t)1 << 62;         /* a pass-1 bucket of width 2^54 */
    const int64_t sub = bucket + ((int64_t)1 << 53); /* a pass-2 sub-bucket of width 2^42 */
    int64_t v[43];
    for (int mirror = 0; mirror < 2; mirror++) {
        size_t n = 0;
        v[n++] = 1; /* the extremes lie in other buckets */
        v[n++] = INT64_MAX;
        /* the window's other end is occupied, so only the side next to the cluster can shrink */
        v[n++] = mirror ? bucket : bucket + ((int64_t)1 << 54) - 1;
        for (int64_t i = 0; i < 40; i++) {
            v[n++] = mirror ? sub + 60 + i : sub + ((int64_t)1 << 42) - 100 + i;
        }
        assert_int_equal(run_and_check(v, n, ps, per, 1000, 1, 16, "clipped"), 3);
    }
}

/* Tight random budgets split the windows between collecting and counting; the figures stay exact. */
static void test_random_budgets(void **state)
{
    static const double ps[] = {0.1, 10, 25, 50, 75, 90, 99, 99.9};
    static const unsigned per[] = {1, 100, 250, 500, 750, 900, 990, 999};
    (void)state;
    size_t n = 20000;
    int64_t *v = malloc(n * sizeof(int64_t));
    assert_non_null(v);
    for (uint64_t seed = 1; seed <= 12; seed++) {
        fill(v, n, seed % 2 ? D_HEAVY : D_NEGATIVE, seed);
        rng = seed * 977;
        size_t budget = 16 + (size_t)below(4000);
        run_and_check(v, n, ps, per, 1000, COUNT(ps), budget, "random budget");
    }
    free(v);
}

static void test_memory_bound(void **state)
{
    (void)state;
    size_t n = 2000000;
    int64_t *v = malloc(n * sizeof(int64_t));
    assert_non_null(v);
    fill(v, n, D_DUP_EDGE, 4);
    static const double ps[] = {50, 90};
    rf__quantile q;
    run(&q, v, n, ps, COUNT(ps), 0);
    if (rf__quantile_peak_bytes(&q) > PEAK_2M_BYTES) {
        fail_msg("peak %zu bytes for 2M values, over %zu", rf__quantile_peak_bytes(&q), PEAK_2M_BYTES);
    }
    rf__quantile_free(&q);
    run(&q, v, n, ps, COUNT(ps), RF__QUANTILE_MIN_BUDGET);
    assert_true(rf__quantile_peak_bytes(&q) <= RF__QUANTILE_BYTES_MAX(RF__QUANTILE_MIN_BUDGET, 2));
    rf__quantile_free(&q);
    /* The documented bound itself: 8.06 MiB at the default budget for two percentiles. */
    assert_true(RF__QUANTILE_BYTES_MAX(RF__QUANTILE_DEFAULT_BUDGET, 2) <=
                (size_t)8 * 1024 * 1024 * 101 / 100);
    free(v);
}

static void test_mean_extremes(void **state)
{
    (void)state;
    int64_t v[100];
    static const double ps[] = {50};
    rf__quantile q;
    double mean;
    for (size_t i = 0; i < COUNT(v); i++) {
        v[i] = INT64_MAX;
    }
    run(&q, v, COUNT(v), ps, 1, 16);
    assert_int_equal(rf__quantile_mean(&mean, &q), 1);
    assert_true(mean == (double)INT64_MAX);
    rf__quantile_free(&q);
    for (size_t i = 0; i < COUNT(v); i++) {
        v[i] = i % 2 ? INT64_MIN : INT64_MAX; /* the sum crosses zero, the mean is -0.5 */
    }
    run(&q, v, COUNT(v), ps, 1, 0);
    assert_int_equal(rf__quantile_mean(&mean, &q), 1);
    assert_true(mean == -0.5);
    rf__quantile_free(&q);
}

/* A later pass that meets other values fails instead of answering, and releases everything. */
static void test_changed_data(void **state)
{
    (void)state;
    size_t n = 100000;
    int64_t *v = malloc(n * sizeof(int64_t));
    assert_non_null(v);
    fill(v, n, D_UNIFORM, 5);
    int64_t *s = sorted_copy(v, n);
    static const double ps[] = {50};
    /* 0: the median gone; 1: the median moved out of its window; 2: the maximum gone, far from
     * any window (only the count tells). */
    for (int change = 0; change < 3; change++) {
        rf__quantile q;
        int more;
        assert_int_equal(rf__quantile_init(&q, ps, 1), RF_OK);
        feed(&q, v, n, 1);
        assert_int_equal(rf__quantile_end_pass(&more, &q), RF_OK);
        assert_int_equal(more, 1);
        int64_t median = s[n / 2 - 1], changed = change == 2 ? s[n - 1] : median;
        int done = 0;
        for (size_t i = 0; i < n; i++) {
            int64_t x = v[i];
            if (x == changed && !done) {
                done = 1;
                if (change != 1) {
                    continue;
                }
                x = -5;
            }
            assert_int_equal(rf__quantile_add(&q, x), RF_OK);
        }
        assert_int_equal(rf__quantile_end_pass(&more, &q), RF_ECONFLICT);
        assert_int_equal(rf_error_last()->code, RF_ECONFLICT);
        assert_int_equal(more, 0);
        assert_int_equal(rf__quantile_bytes(&q), 0);
        int64_t out;
        assert_int_equal(rf__quantile_result(&out, &q, 50), 0);
        assert_int_equal(rf__quantile_add(&q, 1), RF_ESTATE);
        assert_int_equal(rf__quantile_end_pass(&more, &q), RF_ESTATE);
        rf__quantile_free(&q);
    }
    free(s);
    free(v);
}

static void test_refusals(void **state)
{
    (void)state;
    rf__quantile q;
    static const double nine[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    static const double bad[] = {0.0, -1.0, 100.0001, 1e300};
    assert_int_equal(rf__quantile_init(&q, NULL, 1), RF_EINVALID);
    rf__quantile_free(&q);
    assert_int_equal(rf__quantile_init(&q, nine, 0), RF_EINVALID);
    assert_int_equal(rf__quantile_init(&q, nine, 9), RF_EINVALID);
    assert_int_equal(rf_error_last()->code, RF_EINVALID);
    for (size_t i = 0; i < COUNT(bad); i++) {
        assert_int_equal(rf__quantile_init(&q, &bad[i], 1), RF_EINVALID);
    }
    double nan = strtod("nan", NULL);
    assert_int_equal(rf__quantile_init(&q, &nan, 1), RF_EINVALID);
    assert_int_equal(rf__quantile_add(&q, 1), RF_ESTATE); /* a refused init leaves nothing open */
    assert_int_equal(rf__quantile_bytes(&q), 0);
    rf__quantile_free(&q);

    static const double ps[] = {50, 50, 90};
    assert_int_equal(rf__quantile_init(&q, ps, COUNT(ps)), RF_OK);
    assert_int_equal(rf__quantile_set_budget(&q, RF__QUANTILE_MIN_BUDGET - 1), RF_EINVALID);
    assert_int_equal(rf__quantile_add(&q, 10), RF_OK);
    assert_int_equal(rf__quantile_set_budget(&q, 1000), RF_ESTATE);
    assert_int_equal(rf__quantile_add(&q, 20), RF_OK);
    int64_t out = 0;
    double mean = 0;
    assert_int_equal(rf__quantile_result(&out, &q, 50), 0); /* pass 1 is still open */
    assert_int_equal(rf__quantile_mean(&mean, &q), 0);
    int more = -1;
    assert_int_equal(rf__quantile_end_pass(&more, &q), RF_OK);
    assert_int_equal(more, 0);
    assert_int_equal(rf__quantile_result(&out, &q, 50), 1);
    assert_int_equal(out, 10);
    assert_int_equal(rf__quantile_result(&out, &q, 90), 1);
    assert_int_equal(out, 20);
    assert_int_equal(rf__quantile_result(&out, &q, 75), 0); /* not asked for */
    /* Once over: more values are refused and change nothing; ending again is harmless. */
    assert_int_equal(rf__quantile_add(&q, 30), RF_ESTATE);
    assert_int_equal(rf__quantile_end_pass(&more, &q), RF_OK);
    assert_int_equal(more, 0);
    assert_int_equal(rf__quantile_count(&q), 2);
    assert_int_equal(rf__quantile_result(&out, &q, 90), 1);
    assert_int_equal(out, 20);
    assert_int_equal(rf__quantile_mean(&mean, &q), 1);
    assert_true(mean == 15.0);
    rf__quantile_free(&q);
    rf__quantile_free(&q);
    rf__quantile_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distributions),      cmocka_unit_test(test_rank_definition),
        cmocka_unit_test(test_passes_needed),      cmocka_unit_test(test_deepest_refinement),
        cmocka_unit_test(test_clip_to_met_values), cmocka_unit_test(test_random_budgets),
        cmocka_unit_test(test_memory_bound),       cmocka_unit_test(test_mean_extremes),
        cmocka_unit_test(test_changed_data),       cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
