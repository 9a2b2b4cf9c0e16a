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
 * rf__code_fold (src/util/text.h, through bench_fold), so both sides look up
 * exactly the same keys; that is why this program links referral_static,
 * which is built from the same objects as the shared library.
 *
 * The store's clock and seed are fixed, so every run issues the same codes.
 * What it shares with bench_referrals is in bench_support.{h,c}.
 */
#include "bench_support.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_PARTIES 20000
#define N_SINGLE 500 /* codes issued one transaction each, to show what batching saves */
#define LOOKUPS_SQLITE 500000
#define LOOKUPS_MEMORY 1000000
#define WARMUP 20000
#define ROUNDS 5 /* the SQLite loops take turns, LOOKUPS_SQLITE / ROUNDS at a time */
#define VERIFY 2000

#define TARGET_SQLITE 200000.0
#define TARGET_MEMORY 2000000.0
#define TARGET_RATIO 0.5

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

static void print_rate(const char *label, double rate, const char *note)
{
    char b[40];
    printf("  %-40s %12s /s  %s\n", label, bench_grouped(b, sizeof b, rate), note);
}

static void print_target(const char *label, double rate, long count, double target)
{
    char b[40], t[40], note[64];
    snprintf(note, sizeof note, "(%ld lookups)", count);
    printf("  %-40s %12s /s  %-18s target >= %s /s  %s\n", label, bench_grouped(b, sizeof b, rate), note,
           bench_grouped(t, sizeof t, target), bench_verdict(rate, target));
}

static void remember(bench_code *slot, const rf_code *code)
{
    snprintf(slot->text, sizeof slot->text, "%s", rf_code_text(code));
    snprintf(slot->owner, sizeof slot->owner, "%s", rf_code_owner_id(code));
    slot->key_len = bench_fold(slot->key, sizeof slot->key, slot->text);
}

static void populate(rf_store *store, bench_code *codes, population *pop)
{
    uint64_t rng = BENCH_SEED;
    char **ids = bench_xcalloc(N_PARTIES, sizeof *ids);
    memset(pop, 0, sizeof *pop);

    double t0 = bench_seconds();
    for (int i = 0; i < N_PARTIES; i++) {
        bench_batch_begin(store, i);
        char name[64];
        bench_make_name(name, sizeof name, &rng);
        rf_party_options p = RF_PARTY_OPTIONS_INIT;
        p.kind = RF_PARTY_CLIENT;
        p.display_name = name;
        rf_party *party = NULL;
        rf_status rc = rf_party_add(&party, store, &p);
        if (rc != RF_OK) {
            bench_die("adding a party", rc);
        }
        ids[i] = bench_xstrdup(rf_party_id(party));
        rf_party_free(party);
        bench_batch_end(store, i, N_PARTIES);
    }
    double t1 = bench_seconds();
    for (int i = 0; i < N_PARTIES; i++) {
        bench_batch_begin(store, i);
        rf_code_options c = RF_CODE_OPTIONS_INIT;
        c.style = bench_next_random(&rng) % 2 == 0 ? RF_CODE_VANITY : RF_CODE_SHORT;
        c.channel = RF_CHANNEL_EMAIL;
        rf_code *code = NULL;
        rf_status rc = rf_code_issue(&code, store, ids[i], &c);
        if (rc != RF_OK) {
            bench_die("issuing a code", rc);
        }
        remember(&codes[i], code);
        if (rf_code_get_style(code) == RF_CODE_SHORT) {
            pop->short_codes++;
        } else {
            pop->vanity++;
        }
        rf_code_free(code);
        bench_batch_end(store, i, N_PARTIES);
    }
    double t2 = bench_seconds();
    /* Without an explicit transaction each call commits on its own. These
     * second codes are not looked up, so the lookup set stays one per party. */
    for (int i = 0; i < N_SINGLE; i++) {
        rf_code_options c = RF_CODE_OPTIONS_INIT;
        c.style = bench_next_random(&rng) % 2 == 0 ? RF_CODE_VANITY : RF_CODE_SHORT; /* the same mix */
        c.channel = RF_CHANNEL_SMS;
        rf_code *code = NULL;
        rf_status rc = rf_code_issue(&code, store, ids[i], &c);
        if (rc != RF_OK) {
            bench_die("issuing a code outside a batch", rc);
        }
        rf_code_free(code);
    }
    double t3 = bench_seconds();

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
    snprintf(note, sizeof note, "(%d in batches of %d)", N_PARTIES, BENCH_BATCH);
    print_rate("parties added, batched", pop->parties_per_s, note);
    print_rate("codes issued, batched", pop->codes_per_s, note);
    snprintf(note, sizeof note, "(%d, one transaction each)", N_SINGLE);
    print_rate("codes issued, unbatched", pop->single_per_s, note);
}

/* A stream of lookups in random order (see bench_run); the checksum adds up
 * the owners found, the full-row loop's other columns land in sink. */
typedef struct lookup_run {
    bench_run run;
    uint64_t sink;
} lookup_run;

static void run_init(lookup_run *run)
{
    bench_run_init(&run->run);
    run->sink = 0;
}

static double run_rate(const lookup_run *run)
{
    return bench_run_rate(&run->run);
}

/* rf_code_resolve of `count` codes picked at random, freeing each handle. */
static void library_lookups(lookup_run *run, rf_store *store, const bench_code *codes, long count)
{
    double t0 = bench_seconds();
    for (long i = 0; i < count; i++) {
        const bench_code *bc = &codes[bench_next_random(&run->run.rng) % N_PARTIES];
        rf_code *code = NULL;
        rf_status rc = rf_code_resolve(&code, store, bc->text);
        if (rc != RF_OK) {
            bench_die("resolving a code", rc);
        }
        run->run.checksum += (unsigned char)rf_code_owner_id(code)[35];
        rf_code_free(code);
    }
    bench_run_add(&run->run, count, t0);
}

/* Untimed: the library finds each code's owner (the sample is small). */
static void verify_library(rf_store *store, const bench_code *codes)
{
    for (int i = 0; i < VERIFY; i++) {
        const bench_code *bc = &codes[(i * 7919) % N_PARTIES];
        rf_code *code = NULL;
        rf_status rc = rf_code_resolve(&code, store, bc->text);
        if (rc != RF_OK) {
            bench_die("resolving a code (verification)", rc);
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
    double t0 = bench_seconds();
    for (long i = 0; i < count; i++) {
        const bench_code *bc = &codes[bench_next_random(&run->run.rng) % N_PARTIES];
        if (sqlite3_bind_text(st, 2, bc->key, bc->key_len, SQLITE_STATIC) != SQLITE_OK ||
            sqlite3_step(st) != SQLITE_ROW) {
            bench_die_sqlite(db, "looking up a code");
        }
        const unsigned char *owner = sqlite3_column_text(st, 0);
        run->run.checksum += owner != NULL ? owner[35] : 0;
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
    bench_run_add(&run->run, count, t0);
}

static sqlite3_stmt *raw_prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, BENCH_PRACTICE, -1, SQLITE_STATIC) != SQLITE_OK) {
        bench_die_sqlite(db, "preparing the lookup");
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
            bench_die_sqlite(db, "verifying the raw lookup");
        }
        sqlite3_reset(st);
    }
}

int main(void)
{
    bench_start("bench_codes", "code benchmark");
    char db_path[4200];
    bench_temp_file(db_path, sizeof db_path, "bench.db");

    bench_code *codes = bench_xcalloc(N_PARTIES, sizeof *codes);
    double start = bench_seconds();
    population pop;

    /* ---- SQLite file backend ---- */
    char uri[4300];
    snprintf(uri, sizeof uri, "sqlite:%s", db_path);
    rf_store *store = bench_open_store(uri);
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
        sqlite3_exec(db, "PRAGMA cache_size = " BENCH_RAW_CACHE_SIZE, NULL, NULL, NULL) != SQLITE_OK) {
        bench_die_sqlite(db, "opening the database");
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
    if (raw.run.checksum != lib.run.checksum || full.run.checksum != lib.run.checksum) {
        fprintf(stderr, "bench_codes: raw and library lookups found different owners\n");
        return 1;
    }

    print_target("rf_code_resolve, random order", run_rate(&lib), lib.run.done, TARGET_SQLITE);
    char note[64];
    snprintf(note, sizeof note, "(%ld lookups, SELECT owner_id)", raw.run.done);
    print_rate("raw SQLite, prepared statement", run_rate(&raw), note);
    snprintf(note, sizeof note, "(%ld lookups, all 13 columns)", full.run.done);
    print_rate("raw SQLite, full row as the library", run_rate(&full), note);
    double ratio = run_rate(&lib) / run_rate(&raw);
    printf("  %-40s %12.2fx     %-18s target >= %.2fx     %s\n", "library / raw SQLite", ratio, "",
           TARGET_RATIO, bench_verdict(ratio, TARGET_RATIO));
    printf("  %-40s %12.2fx\n", "library / raw SQLite full row", run_rate(&lib) / run_rate(&full));
    printf("  %-40s %12.1f MiB\n", "peak RSS so far", bench_peak_rss_mib());
    rf_store_free(store);

    /* ---- memory backend ---- */
    store = bench_open_store("memory:");
    populate(store, codes, &pop);
    printf("\nMemory backend\n");
    print_population(&pop);
    verify_library(store, codes);
    run_init(&warm);
    library_lookups(&warm, store, codes, WARMUP);
    lookup_run mem;
    run_init(&mem);
    library_lookups(&mem, store, codes, LOOKUPS_MEMORY);
    print_target("rf_code_resolve, random order", run_rate(&mem), mem.run.done, TARGET_MEMORY);
    printf("  %-40s %12.1f MiB\n", "peak RSS (whole run)", bench_peak_rss_mib());
    rf_store_free(store);

    free(codes);
    printf("\ntotal time %.1f s (checksums %u %u %llu)\n", bench_seconds() - start, lib.run.checksum,
           mem.run.checksum, (unsigned long long)full.sink);
    return 0;
}
