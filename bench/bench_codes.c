/*
 * bench_codes.c: how fast referral codes are issued and looked up.
 *
 * A benchmark program, not a test: it prints figures next to their targets
 * and exits 0 whether they are met or not (timed assertions make flaky
 * tests). Run it from a Release build:
 *
 *   make -C build bench_codes && build/bench/bench_codes
 *
 * What it does, in one run:
 *   1. SQLite file backend (a database in a temporary directory it deletes):
 *      adds 20,000 clients and issues each one code (a mix of vanity and short
 *      codes) in explicit transactions of 1,000 calls, then a few hundred more
 *      codes one transaction each; then resolves existing codes in random
 *      order (fixed-seed PRNG) with rf_code_resolve(), freeing each handle.
 *   2. The same lookups by hand-written SQLite on the same file: a second
 *      connection and one prepared `SELECT owner_id FROM codes WHERE
 *      practice = ? AND key = ?`, keys folded up front so the loop does
 *      nothing but bind, step, read and reset. The ratio library/raw says
 *      what the library's layers (folding, the backend contract, copying the
 *      record into a handle, the state check) cost over the bare query.
 *   3. The memory backend: the same population and more lookups.
 *
 * Keys for the raw loop are folded with the library's own internal
 * rf__code_fold (src/util/text.h), so both sides look up exactly the same
 * keys; that is why this program links referral_static, which is built from
 * the same objects as the shared library.
 *
 * The store's clock and seed are fixed, so every run issues the same codes.
 */
#include <referral.h>

#include <sqlite3.h>

#include "util/text.h" /* rf__code_fold: internal, reached through referral_static */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define N_PARTIES 20000
#define BATCH 1000
#define N_SINGLE 500 /* codes issued one transaction each, to show what batching saves */
#define LOOKUPS_SQLITE 500000
#define LOOKUPS_MEMORY 1000000
#define WARMUP 20000
#define ROUNDS 5 /* the SQLite loops take turns, LOOKUPS_SQLITE / ROUNDS at a time */
#define VERIFY 2000

#define PRACTICE "bench-physio"
#define SEED 20260101u
#define LOOKUP_SEED 0x5eed0f10c0de5ULL
#define FIXED_NOW ((rf_time)1767225600) /* 2026-01-01T00:00:00Z */

/* The SQLite backend's PRAGMA cache_size (32 MiB); keep the two in step. */
#define RAW_CACHE_SIZE "-32768"

#define TARGET_SQLITE 200000.0
#define TARGET_MEMORY 2000000.0
#define TARGET_RATIO 0.5

#ifndef RF_BENCH_BUILD_TYPE
#define RF_BENCH_BUILD_TYPE ""
#endif

/* One issued code: its text as shown to people, its folded key, its owner. */
typedef struct bench_code {
    char text[RF_CODE_KEY_MAX + 1];
    char key[RF_CODE_KEY_MAX + 1];
    int key_len;
    char owner[RF_ID_BUFSIZE];
} bench_code;

typedef struct population {
    double parties_per_s;
    double codes_per_s;
    double single_per_s;
    int vanity;
    int short_codes;
} population;

static char tmp_dir[4096];
static char db_path[4200];

static void remove_temp_files(void)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    if (tmp_dir[0] == '\0') {
        return;
    }
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[4300];
        snprintf(p, sizeof p, "%s%s", db_path, suffixes[i]);
        unlink(p);
    }
    rmdir(tmp_dir);
    tmp_dir[0] = '\0';
}

static void die(const char *what, rf_status rc)
{
    fprintf(stderr, "bench_codes: %s failed (%s): %s\n", what, rf_strerror(rc), rf_error_last()->message);
    exit(1); /* atexit removes the temporary directory */
}

static void die_sqlite(sqlite3 *db, const char *what)
{
    fprintf(stderr, "bench_codes: raw SQLite: %s failed: %s\n", what, db != NULL ? sqlite3_errmsg(db) : "?");
    exit(1);
}

static rf_time fixed_clock(void *ctx)
{
    (void)ctx;
    return FIXED_NOW;
}

/* splitmix64: a tiny PRNG; the fixed seed makes every run pick the same order. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double peak_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* Linux reports KiB */
}

/* 1234567.8 -> "1,234,568" */
static const char *grouped(char *buf, size_t size, double value)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", value);
    size_t n = strlen(digits), j = 0;
    for (size_t i = 0; i < n && j + 2 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0) {
            buf[j++] = ',';
        }
        buf[j++] = digits[i];
    }
    buf[j] = '\0';
    return buf;
}

static void print_rate(const char *label, double rate, const char *note)
{
    char b[40];
    printf("  %-40s %12s /s  %s\n", label, grouped(b, sizeof b, rate), note);
}

static void print_target(const char *label, double rate, long count, double target)
{
    char b[40], t[40], note[64];
    snprintf(note, sizeof note, "(%ld lookups)", count);
    printf("  %-40s %12s /s  %-18s target >= %s /s  %s\n", label, grouped(b, sizeof b, rate), note,
           grouped(t, sizeof t, target), rate >= target ? "PASS" : "BELOW");
}

static rf_store *open_store(const char *uri)
{
    rf_store_options opts = RF_STORE_OPTIONS_INIT;
    opts.practice = PRACTICE;
    opts.seed = SEED;
    rf_store *store = NULL;
    rf_status rc = rf_store_open(&store, uri, &opts);
    if (rc != RF_OK) {
        die("opening the store", rc);
    }
    /* Fixed time: code expiry and ids do not depend on when the bench runs. */
    if ((rc = rf_store_set_clock(store, fixed_clock, NULL)) != RF_OK) {
        die("setting the clock", rc);
    }
    return store;
}

static void batch_edge(rf_store *store, int i, int n)
{
    rf_status rc = RF_OK;
    if (i % BATCH == 0) {
        rc = rf_store_begin(store);
    } else if (i % BATCH == BATCH - 1 || i == n - 1) {
        rc = rf_store_commit(store);
    }
    if (rc != RF_OK) {
        die("beginning or committing a batch", rc);
    }
}

static void remember(bench_code *slot, const rf_code *code)
{
    snprintf(slot->text, sizeof slot->text, "%s", rf_code_text(code));
    snprintf(slot->owner, sizeof slot->owner, "%s", rf_code_owner_id(code));
    rf_status rc = rf__code_fold(slot->key, sizeof slot->key, slot->text);
    if (rc != RF_OK) {
        die("folding a code", rc);
    }
    slot->key_len = (int)strlen(slot->key);
}

/* Names with plenty of collisions, so vanity codes also get -2, -3 suffixes. */
static void make_name(char *out, size_t size, uint64_t *rng)
{
    static const char *const first[] = {
        "Jane",  "John", "Zoë",   "Amir",  "Li",    "Siobhán", "Kwame", "Ana",   "Lukas", "Priya", "Oscar",
        "Maria", "Tom",  "Aoife", "Yusuf", "Eva",   "Noah",    "Grace", "Ravi",  "Chloé", "Ben",   "Ingrid",
        "Omar",  "Lena", "Sam",   "Nia",   "Jonas", "Hana",    "Leo",   "Freya", "Ali",   "Rosa"};
    static const char *const last[] = {
        "Doe",     "Smith",  "Müller", "Patel", "Nguyen", "O'Brien", "Kowalski", "Silva",
        "Chen",    "Jones",  "García", "Brown", "Mensah", "Novak",   "Khan",     "Dubois",
        "Rossi",   "Murphy", "Larsen", "Ahmed", "Taylor", "Wilson",  "Evans",    "Kaur",
        "Fischer", "Lopez",  "Walsh",  "Sato",  "Costa",  "Hughes",  "Ivanova",  "Berg"};
    uint64_t r = next_random(rng);
    snprintf(out, size, "%s %s", first[r % 32], last[(r >> 8) % 32]);
}

static void populate(rf_store *store, bench_code *codes, population *pop)
{
    uint64_t rng = SEED;
    char **ids = calloc(N_PARTIES, sizeof *ids);
    if (ids == NULL) {
        fprintf(stderr, "bench_codes: out of memory\n");
        exit(1);
    }
    memset(pop, 0, sizeof *pop);

    double t0 = seconds();
    for (int i = 0; i < N_PARTIES; i++) {
        batch_edge(store, i, N_PARTIES);
        char name[64];
        make_name(name, sizeof name, &rng);
        rf_party_options p = RF_PARTY_OPTIONS_INIT;
        p.kind = RF_PARTY_CLIENT;
        p.display_name = name;
        rf_party *party = NULL;
        rf_status rc = rf_party_add(&party, store, &p);
        if (rc != RF_OK) {
            die("adding a party", rc);
        }
        ids[i] = strdup(rf_party_id(party));
        rf_party_free(party);
        if (ids[i] == NULL) {
            fprintf(stderr, "bench_codes: out of memory\n");
            exit(1);
        }
    }
    double t1 = seconds();
    for (int i = 0; i < N_PARTIES; i++) {
        batch_edge(store, i, N_PARTIES);
        rf_code_options c = RF_CODE_OPTIONS_INIT;
        c.style = next_random(&rng) % 2 == 0 ? RF_CODE_VANITY : RF_CODE_SHORT;
        c.channel = RF_CHANNEL_EMAIL;
        rf_code *code = NULL;
        rf_status rc = rf_code_issue(&code, store, ids[i], &c);
        if (rc != RF_OK) {
            die("issuing a code", rc);
        }
        remember(&codes[i], code);
        if (rf_code_get_style(code) == RF_CODE_SHORT) {
            pop->short_codes++;
        } else {
            pop->vanity++;
        }
        rf_code_free(code);
    }
    double t2 = seconds();
    /* Without an explicit transaction each call commits on its own. These
     * second codes are not looked up, so the lookup set stays one per party. */
    for (int i = 0; i < N_SINGLE; i++) {
        rf_code_options c = RF_CODE_OPTIONS_INIT;
        c.style = next_random(&rng) % 2 == 0 ? RF_CODE_VANITY : RF_CODE_SHORT; /* the same mix */
        c.channel = RF_CHANNEL_SMS;
        rf_code *code = NULL;
        rf_status rc = rf_code_issue(&code, store, ids[i], &c);
        if (rc != RF_OK) {
            die("issuing a code outside a batch", rc);
        }
        rf_code_free(code);
    }
    double t3 = seconds();

    pop->parties_per_s = N_PARTIES / (t1 - t0);
    pop->codes_per_s = N_PARTIES / (t2 - t1);
    pop->single_per_s = N_SINGLE / (t3 - t2);
    for (int i = 0; i < N_PARTIES; i++) {
        free(ids[i]);
    }
    free(ids);
}

static void print_population(const population *pop)
{
    char note[64];
    snprintf(note, sizeof note, "(%d in batches of %d)", N_PARTIES, BATCH);
    print_rate("parties added, batched", pop->parties_per_s, note);
    print_rate("codes issued, batched", pop->codes_per_s, note);
    snprintf(note, sizeof note, "(%d, one transaction each)", N_SINGLE);
    print_rate("codes issued, unbatched", pop->single_per_s, note);
}

/* A stream of lookups in random order. Each loop owns one and runs it in
 * rounds, interleaved with the other loops, so that a burst of load on the
 * machine hits all of them alike; every stream draws the same sequence. */
typedef struct lookup_run {
    uint64_t rng;
    long done;
    double elapsed;
    unsigned checksum; /* keeps the work observable; equal owners give equal sums */
    uint64_t sink;     /* the full-row loop's other columns land here */
} lookup_run;

static void run_init(lookup_run *run)
{
    memset(run, 0, sizeof *run);
    run->rng = LOOKUP_SEED;
}

static double run_rate(const lookup_run *run)
{
    return (double)run->done / run->elapsed;
}

/* rf_code_resolve of `count` codes picked at random, freeing each handle. */
static void library_lookups(lookup_run *run, rf_store *store, const bench_code *codes, long count)
{
    double t0 = seconds();
    for (long i = 0; i < count; i++) {
        const bench_code *bc = &codes[next_random(&run->rng) % N_PARTIES];
        rf_code *code = NULL;
        rf_status rc = rf_code_resolve(&code, store, bc->text);
        if (rc != RF_OK) {
            die("resolving a code", rc);
        }
        run->checksum += (unsigned char)rf_code_owner_id(code)[35];
        rf_code_free(code);
    }
    run->elapsed += seconds() - t0;
    run->done += count;
}

/* Untimed: the library finds each code's owner (the sample is small). */
static void verify_library(rf_store *store, const bench_code *codes)
{
    for (int i = 0; i < VERIFY; i++) {
        const bench_code *bc = &codes[(i * 7919) % N_PARTIES];
        rf_code *code = NULL;
        rf_status rc = rf_code_resolve(&code, store, bc->text);
        if (rc != RF_OK) {
            die("resolving a code (verification)", rc);
        }
        if (strcmp(rf_code_owner_id(code), bc->owner) != 0) {
            fprintf(stderr, "bench_codes: code '%s' resolved to the wrong owner\n", bc->text);
            exit(1);
        }
        rf_code_free(code);
    }
}

/* The raw loop: the least work that answers "whose code is this?". With
 * full_row it also reads the other twelve columns the library reads (five
 * texts, then seven integers), each with its natural type. */
static void raw_lookups(lookup_run *run, sqlite3_stmt *st, sqlite3 *db, const bench_code *codes, long count,
                        int full_row)
{
    double t0 = seconds();
    for (long i = 0; i < count; i++) {
        const bench_code *bc = &codes[next_random(&run->rng) % N_PARTIES];
        if (sqlite3_bind_text(st, 2, bc->key, bc->key_len, SQLITE_STATIC) != SQLITE_OK ||
            sqlite3_step(st) != SQLITE_ROW) {
            die_sqlite(db, "looking up a code");
        }
        const unsigned char *owner = sqlite3_column_text(st, 0);
        run->checksum += owner != NULL ? owner[35] : 0;
        if (full_row) {
            uint64_t extra = 0;
            for (int c = 1; c <= 5; c++) {
                const unsigned char *t = sqlite3_column_text(st, c);
                extra += t != NULL ? (uint64_t)sqlite3_column_bytes(st, c) : 0;
            }
            for (int c = 6; c <= 12; c++) {
                extra += (uint64_t)sqlite3_column_int64(st, c);
            }
            run->sink += extra;
        }
        sqlite3_reset(st);
    }
    run->elapsed += seconds() - t0;
    run->done += count;
}

static sqlite3_stmt *raw_prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, PRACTICE, -1, SQLITE_STATIC) != SQLITE_OK) {
        die_sqlite(db, "preparing the lookup");
    }
    return st;
}

static void verify_raw(sqlite3_stmt *st, sqlite3 *db, const bench_code *codes)
{
    for (int i = 0; i < VERIFY; i++) {
        const bench_code *bc = &codes[(i * 7919) % N_PARTIES];
        sqlite3_bind_text(st, 2, bc->key, bc->key_len, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW ||
            strcmp((const char *)sqlite3_column_text(st, 0), bc->owner) != 0) {
            fprintf(stderr, "bench_codes: raw lookup of key '%s' did not find its owner\n", bc->key);
            die_sqlite(db, "verifying the raw lookup");
        }
        sqlite3_reset(st);
    }
}

int main(void)
{
    const char *build_type = RF_BENCH_BUILD_TYPE;
    printf("libreferral %s code benchmark (build type: %s; SQLite %s)\n", rf_version_string(),
           build_type[0] != '\0' ? build_type : "unknown", sqlite3_libversion());
    if (strcmp(build_type, "Release") != 0 && strcmp(build_type, "RelWithDebInfo") != 0) {
        printf("WARNING: not an optimised build; figures are not representative\n");
    }
#ifdef RF_BENCH_SANITIZED
    printf("WARNING: built with sanitizers; figures are not representative\n");
#endif

    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/rf-bench-XXXXXX", base != NULL && base[0] != '\0' ? base : "/tmp");
    if (mkdtemp(tmp_dir) == NULL) {
        perror("bench_codes: creating a temporary directory");
        return 1;
    }
    atexit(remove_temp_files);
    snprintf(db_path, sizeof db_path, "%s/bench.db", tmp_dir);

    bench_code *codes = calloc(N_PARTIES, sizeof *codes);
    if (codes == NULL) {
        fprintf(stderr, "bench_codes: out of memory\n");
        return 1;
    }
    double start = seconds();
    population pop;

    /* ---- SQLite file backend ---- */
    char uri[4300];
    snprintf(uri, sizeof uri, "sqlite:%s", db_path);
    rf_store *store = open_store(uri);
    populate(store, codes, &pop);
    printf("\n%d parties, one code each (%d vanity, %d short); fixed clock and seed\n", N_PARTIES, pop.vanity,
           pop.short_codes);
    printf("database: %s\n\nSQLite file backend\n", db_path);
    print_population(&pop);

    /* A second connection, with the page cache the SQLite backend gives its
     * own (src/backends/sqlite/sqlite_schema.c), so that the ratio measures the
     * library's layers and not a difference in cache; the library's
     * connection stays open (WAL lets both read). */
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA cache_size = " RAW_CACHE_SIZE, NULL, NULL, NULL) != SQLITE_OK) {
        die_sqlite(db, "opening the database");
    }
    sqlite3_stmt *owner_only = raw_prepare(db, "SELECT owner_id FROM codes WHERE practice = ?1 AND key = ?2");
    sqlite3_stmt *full_row = raw_prepare(
        db, "SELECT owner_id, id, key, text, program_id, revoke_reason, style, channel, max_uses, "
            "uses, created_at, expires_at, revoked_at FROM codes WHERE practice = ?1 AND key = ?2");
    verify_library(store, codes);
    verify_raw(owner_only, db, codes);

    lookup_run lib, raw, full, warm;
    run_init(&warm);
    library_lookups(&warm, store, codes, WARMUP);
    raw_lookups(&warm, owner_only, db, codes, WARMUP, 0);
    raw_lookups(&warm, full_row, db, codes, WARMUP, 1);
    run_init(&lib);
    run_init(&raw);
    run_init(&full);
    for (int round = 0; round < ROUNDS; round++) {
        library_lookups(&lib, store, codes, LOOKUPS_SQLITE / ROUNDS);
        raw_lookups(&raw, owner_only, db, codes, LOOKUPS_SQLITE / ROUNDS, 0);
        raw_lookups(&full, full_row, db, codes, LOOKUPS_SQLITE / ROUNDS, 1);
    }
    sqlite3_finalize(owner_only);
    sqlite3_finalize(full_row);
    sqlite3_close(db);
    if (raw.checksum != lib.checksum || full.checksum != lib.checksum) {
        fprintf(stderr, "bench_codes: raw and library lookups found different owners\n");
        return 1;
    }

    print_target("rf_code_resolve, random order", run_rate(&lib), lib.done, TARGET_SQLITE);
    char note[64];
    snprintf(note, sizeof note, "(%ld lookups, SELECT owner_id)", raw.done);
    print_rate("raw SQLite, prepared statement", run_rate(&raw), note);
    snprintf(note, sizeof note, "(%ld lookups, all 13 columns)", full.done);
    print_rate("raw SQLite, full row as the library", run_rate(&full), note);
    double ratio = run_rate(&lib) / run_rate(&raw);
    printf("  %-40s %12.2fx     %-18s target >= %.2fx     %s\n", "library / raw SQLite", ratio, "",
           TARGET_RATIO, ratio >= TARGET_RATIO ? "PASS" : "BELOW");
    printf("  %-40s %12.2fx\n", "library / raw SQLite full row", run_rate(&lib) / run_rate(&full));
    printf("  %-40s %12.1f MiB\n", "peak RSS so far", peak_rss_mib());
    rf_store_free(store);

    /* ---- memory backend ---- */
    store = open_store("memory:");
    populate(store, codes, &pop);
    printf("\nMemory backend\n");
    print_population(&pop);
    verify_library(store, codes);
    run_init(&warm);
    library_lookups(&warm, store, codes, WARMUP);
    lookup_run mem;
    run_init(&mem);
    library_lookups(&mem, store, codes, LOOKUPS_MEMORY);
    print_target("rf_code_resolve, random order", run_rate(&mem), mem.done, TARGET_MEMORY);
    printf("  %-40s %12.1f MiB\n", "peak RSS (whole run)", peak_rss_mib());
    rf_store_free(store);

    free(codes);
    printf("\ntotal time %.1f s (checksums %u %u %llu)\n", seconds() - start, lib.checksum, mem.checksum,
           (unsigned long long)full.sink);
    return 0;
}
