/*
 * bench_support.h: what the benchmark programs share.
 *
 * bench_codes and bench_referrals measure the same practice, from the same
 * seed, at the same fixed time, in a temporary directory they delete, and
 * report the same way. This is that common part: the program's header and
 * failures, its temporary directory, a store opened the benchmarks' way, the
 * explicit-transaction batches, the PRNG, clocks and memory figures, timed
 * streams and the PASS/BELOW verdict. It is linked into each program (see
 * bench/CMakeLists.txt); it is not part of the library.
 */
#ifndef RF_BENCH_SUPPORT_H
#define RF_BENCH_SUPPORT_H

#include <referral.h>

#include <sqlite3.h>

#include "util/text.h" /* RF_CODE_KEY_MAX, rf__code_fold: internal, reached through referral_static */

#include <stddef.h>
#include <stdint.h>

#define BENCH_PRACTICE "bench-physio"
#define BENCH_SEED 20260101u
#define BENCH_FIXED_NOW ((rf_time)1767225600) /* 2026-01-01T00:00:00Z */
#define BENCH_PICK_SEED 0x5eed0f10c0de5ULL    /* what every timed stream draws from */
#define BENCH_BATCH 1000                      /* calls per explicit transaction */

/* The SQLite backend's PRAGMA cache_size (32 MiB, src/backends/sqlite/sqlite_schema.c);
 * the raw-SQLite loops use it too. Keep the two in step. */
#define BENCH_RAW_CACHE_SIZE "-32768"

/* ---- the program ---------------------------------------------------------------------------- */

/* Call first. `program` prefixes every failure message ("bench_codes");
 * `what` names the benchmark in the header line ("code benchmark"), which
 * also says the build type and SQLite version and warns when the figures
 * cannot be representative (an unoptimised or sanitized build). */
void bench_start(const char *program, const char *what);

/* A fresh directory under $TMPDIR (default /tmp), removed with the files
 * named by bench_temp_file when the program exits. Exits on failure. */
const char *bench_temp_dir(void);

/* The path of `name` in the temporary directory, written to `out`; the file
 * and its SQLite companions (-wal, -shm, -journal) are removed at exit. */
void bench_temp_file(char *out, size_t size, const char *name);

/* Print what failed to stderr and exit 1 (the temporary directory goes too). */
_Noreturn void bench_die(const char *what, rf_status rc);
_Noreturn void bench_die_sqlite(sqlite3 *db, const char *what);
void *bench_xcalloc(size_t n, size_t size);
char *bench_xstrdup(const char *text);

/* ---- the library ---------------------------------------------------------------------------- */

/* A store of BENCH_PRACTICE, seeded with BENCH_SEED, on a clock stopped at
 * BENCH_FIXED_NOW: ids, timestamps, code expiry and journal rows do not
 * depend on when the benchmark runs. */
rf_store *bench_open_store(const char *uri);

/* Explicit transactions of BENCH_BATCH calls out of `n`: begin before call
 * i, commit after it. bench_batch_ends says whether call i is a batch's last. */
void bench_batch_begin(rf_store *store, long i);
int bench_batch_ends(long i, long n);
void bench_batch_end(rf_store *store, long i, long n);

/* Fold `text` into `key` (RF_CODE_KEY_MAX + 1 bytes) as the library folds
 * codes (rf__code_fold); the key's length. */
int bench_fold(char *key, size_t size, const char *text);

/* A display name from 32 first and 32 last names: plenty of collisions, so
 * vanity codes also get -2, -3 suffixes. */
void bench_make_name(char *out, size_t size, uint64_t *rng);

/* ---- time, chance, memory ------------------------------------------------------------------- */

double bench_seconds(void); /* a monotonic clock */
double bench_peak_rss_mib(void);

/* splitmix64: a tiny PRNG; a fixed seed gives a fixed sequence. Inline: the
 * timed loops draw from it. */
static inline uint64_t bench_next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* ---- timed streams -------------------------------------------------------------------------- */

/* A stream of timed work in random order. Loops that are compared each own
 * one and take turns in rounds, so that a burst of load on the machine hits
 * them alike; every stream draws the same sequence (BENCH_PICK_SEED). */
typedef struct bench_run {
    uint64_t rng;
    long done;         /* items timed */
    double elapsed;    /* seconds they took */
    unsigned checksum; /* keeps the work observable; equal work gives equal sums */
} bench_run;

void bench_run_init(bench_run *run);
/* Count `count` items done since `t0` (a bench_seconds() reading). */
void bench_run_add(bench_run *run, long count, double t0);
/* Forget the items timed so far (after a warm-up); the sequence goes on. */
void bench_run_restart(bench_run *run);
double bench_run_rate(const bench_run *run);

/* ---- printing ------------------------------------------------------------------------------- */

/* 1234567.8 -> "1,234,568" */
const char *bench_grouped(char *buf, size_t size, double value);
/* "PASS" when value >= target, else "BELOW". */
const char *bench_verdict(double value, double target);

#endif
