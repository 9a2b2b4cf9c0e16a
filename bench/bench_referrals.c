/*
 * bench_referrals.c: how fast referrals are written, code to closed loop.
 *
 * A benchmark program, not a test: it prints figures next to their targets
 * and exits 0 whether they are met or not (timed assertions make flaky
 * tests). Run it from a Release build:
 *
 *   make -C build bench_referrals && build/bench/bench_referrals
 *   RF_BENCH_POSTGRES="host=127.0.0.1 port=5432 user=postgres" build/bench/bench_referrals
 *
 * The path timed, once per referral:
 *
 *   rf_code_resolve(referrer's code)
 *   rf_referral_create(.program_id, .referee_id = a fresh lead, .code = that code)
 *   rf_referral_advance -> ACCEPTED -> SCHEDULED (with appointment_at) -> SEEN -> CLOSED
 *
 * Setup, untimed: one programme (fraud guards on, no velocity cap), referrers
 * (clients) with a vanity code each, and one lead per referral to be made.
 * Referrers are picked in random order by a fixed-seed PRNG.
 *
 * What it does, in one run:
 *   1. SQLite file backend, in a temporary directory it deletes: after the
 *      setup the file is copied page for page (sqlite3 backup) to a second
 *      file, so both start with the same schema and rows. Then, in
 *      alternating rounds, the library runs the path on the first file and a
 *      hand-written loop of prepared SQLite statements makes the same row
 *      writes on the second: (a) in explicit transactions of 1,000 referrals,
 *      (b) one transaction per call. The ratio library/raw says what the
 *      library's layers (checks, the fraud guards' reads, reloading records,
 *      savepoints, the backend contract, handles) cost over the bare writes.
 *   2. Afterwards, untimed, the two files are compared row by row (referral
 *      ids aside): the raw loop must have written exactly what the library
 *      wrote, or the program fails.
 *   3. PostgreSQL, when RF_BENCH_POSTGRES names a server (a libpq conninfo
 *      without dbname): the library's path on a throw-away database
 *      (bench_pg.{h,c}), with the same setup and counts, its rounds
 *      alternating with SQLite's; rates beside the SQLite library's and the
 *      ratio, informative (no target); the database is checked against the
 *      SQLite file (row counts and sums) and dropped, also on failure.
 *      Without the variable, one line says how to enable it.
 *   4. The memory backend: the same path, more referrals, no raw comparison.
 *
 * The raw loop uses the library's internal helpers rf__code_fold and
 * rf__id_new (src/util), reached through referral_static, so it looks codes
 * up by the same keys and makes ids of the same time-ordered layout.
 *
 * The store's clock and seed are fixed, so every run writes the same rows.
 * What it shares with bench_codes is in bench_support.{h,c}. The program is
 * in four files: this one (setup, the library's path, main), referrals_raw.c
 * (the raw SQLite loop), referrals_verify.c (copying the database and
 * comparing the two files) and referrals_pg.c (the PostgreSQL section);
 * bench_referrals.h holds what they share.
 */
#include "bench_referrals.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQL_WARMUP 1000        /* per side, batched, before the clock starts */
#define SQL_BATCHED 20000      /* per side */
#define SQL_BATCHED_ROUNDS 5   /* 4,000 referrals (4 batches) per round */
#define SQL_UNBATCHED 4000     /* per side */
#define SQL_UNBATCHED_ROUNDS 8 /* 500 referrals per round */
#define MEM_WARMUP 2000
#define MEM_BATCHED 100000
#define MEM_UNBATCHED 20000
#define SQL_LEADS (SQL_WARMUP + SQL_BATCHED + SQL_UNBATCHED)
#define MEM_LEADS (MEM_WARMUP + MEM_BATCHED + MEM_UNBATCHED)

#define PROGRAM_NAME "Client advocates"

#define TARGET_RATIO 0.5

static char lib_path[4200];
static char raw_path[4200];

static double stream_rate(const stream *s)
{
    return bench_run_rate(&s->run);
}

void print_rate(const char *label, const stream *s, const char *how)
{
    char b[40], note[96];
    snprintf(note, sizeof note, "(%ld referrals, %s)", s->run.done, how);
    printf("  %-34s %10s referrals/s  %s\n", label, bench_grouped(b, sizeof b, stream_rate(s)), note);
}

static void print_ratio(const char *label, const stream *lib, const stream *raw)
{
    double ratio = stream_rate(lib) / stream_rate(raw);
    printf("  %-34s %10.2fx                target >= %.2fx  %s\n", label, ratio, TARGET_RATIO,
           bench_verdict(ratio, TARGET_RATIO));
}

void stream_init(stream *s)
{
    bench_run_init(&s->run);
    s->next_lead = 0;
}

/* The next fresh lead of the population for this stream. */
const char *take_lead(stream *s, const population *pop)
{
    if (s->next_lead >= pop->n_leads) {
        fprintf(stderr, "bench_referrals: ran out of leads\n");
        exit(1);
    }
    return pop->leads[s->next_lead++];
}

/* ---- setup (untimed) ---------------------------------------------------------------------- */

static void add_party(rf_store *store, rf_party_kind kind, const char *role, long i, uint64_t *rng,
                      char id[RF_ID_BUFSIZE])
{
    char name[64], email[96];
    bench_make_name(name, sizeof name, rng);
    snprintf(email, sizeof email, "%s%ld@example.org", role, i);
    rf_party_options p = RF_PARTY_OPTIONS_INIT;
    p.kind = kind;
    p.display_name = name;
    p.email = email;
    rf_party *party = NULL;
    rf_status rc = rf_party_add(&party, store, &p);
    if (rc != RF_OK) {
        bench_die("adding a party", rc);
    }
    snprintf(id, RF_ID_BUFSIZE, "%s", rf_party_id(party));
    rf_party_free(party);
}

/* One programme; N_REFERRERS clients with a vanity code of the programme each; n_leads leads. */
void populate(rf_store *store, population *pop, int n_leads)
{
    double t0 = bench_seconds();
    uint64_t rng = BENCH_SEED;
    rf_program_options po = RF_PROGRAM_OPTIONS_INIT;
    po.name = PROGRAM_NAME;
    po.fraud_action = RF_FRAUD_BLOCK; /* guards on: self, shared contact, existing client, loops */
    po.velocity_cap = 0;              /* ... but no velocity cap */
    rf_program *program = NULL;
    rf_status rc = rf_program_create(&program, store, &po);
    if (rc != RF_OK) {
        bench_die("creating the programme", rc);
    }
    snprintf(pop->program_id, sizeof pop->program_id, "%s", rf_program_id(program));
    rf_program_free(program);

    for (long i = 0; i < N_REFERRERS; i++) {
        bench_batch_begin(store, i);
        char id[RF_ID_BUFSIZE];
        add_party(store, RF_PARTY_CLIENT, "client", i, &rng, id);
        rf_code_options c = RF_CODE_OPTIONS_INIT;
        c.style = RF_CODE_VANITY;
        c.program_id = pop->program_id;
        c.channel = RF_CHANNEL_EMAIL;
        rf_code *code = NULL;
        if ((rc = rf_code_issue(&code, store, id, &c)) != RF_OK) {
            bench_die("issuing a code", rc);
        }
        bench_code *bc = &pop->codes[i];
        snprintf(bc->text, sizeof bc->text, "%s", rf_code_text(code));
        bc->key_len = bench_fold(bc->key, sizeof bc->key, bc->text);
        rf_code_free(code);
        bench_batch_end(store, i, N_REFERRERS);
    }
    for (long i = 0; i < n_leads; i++) {
        bench_batch_begin(store, i);
        add_party(store, RF_PARTY_LEAD, "lead", i, &rng, pop->leads[i]);
        bench_batch_end(store, i, n_leads);
    }
    pop->n_leads = n_leads;
    pop->seconds = bench_seconds() - t0;
}

/* ---- the library's path -------------------------------------------------------------------- */

static void advance(rf_store *store, const char *id, rf_referral_state to)
{
    rf_advance_options a = RF_ADVANCE_OPTIONS_INIT;
    if (to == RF_REFERRAL_SCHEDULED) {
        a.appointment_at = APPOINTMENT_AT;
    }
    rf_status rc = rf_referral_advance(NULL, store, id, to, &a);
    if (rc != RF_OK) {
        bench_die("advancing a referral", rc);
    }
}

/* `count` referrals down the whole path; batched: inside rf_store_begin/commit of BENCH_BATCH. */
void library_referrals(stream *s, rf_store *store, const population *pop, long count, int batched)
{
    double t0 = bench_seconds();
    for (long i = 0; i < count; i++) {
        if (batched) {
            bench_batch_begin(store, i);
        }
        const bench_code *bc = &pop->codes[bench_next_random(&s->run.rng) % N_REFERRERS];
        const char *lead = take_lead(s, pop);
        rf_code *code = NULL;
        rf_status rc = rf_code_resolve(&code, store, bc->text);
        if (rc != RF_OK) {
            bench_die("resolving a code", rc);
        }
        s->run.checksum += (unsigned char)rf_code_owner_id(code)[35];
        rf_code_free(code);

        rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
        o.program_id = pop->program_id;
        o.referee_id = lead;
        o.code = bc->text;
        rf_referral *r = NULL;
        if ((rc = rf_referral_create(&r, store, &o)) != RF_OK) {
            bench_die("creating a referral", rc);
        }
        char id[RF_ID_BUFSIZE];
        snprintf(id, sizeof id, "%s", rf_referral_id(r));
        rf_referral_free(r);
        advance(store, id, RF_REFERRAL_ACCEPTED);
        advance(store, id, RF_REFERRAL_SCHEDULED);
        advance(store, id, RF_REFERRAL_SEEN);
        advance(store, id, RF_REFERRAL_CLOSED);
        if (batched) {
            bench_batch_end(store, i, count);
        }
    }
    bench_run_add(&s->run, count, t0);
}

/* ---- main ------------------------------------------------------------------------------------ */

void population_init(population *pop, int n_leads)
{
    memset(pop, 0, sizeof *pop);
    pop->codes = bench_xcalloc(N_REFERRERS, sizeof *pop->codes);
    pop->leads = bench_xcalloc((size_t)n_leads, sizeof *pop->leads);
}

void population_free(population *pop)
{
    free(pop->codes);
    free(pop->leads);
}

int main(void)
{
    bench_start("bench_referrals", "referral write-path benchmark");
    printf(
        "path per referral: rf_code_resolve, rf_referral_create (.code), rf_referral_advance to ACCEPTED,\n"
        "SCHEDULED, SEEN, CLOSED; one programme (fraud guards on, no velocity cap), %d referrers with a\n"
        "vanity code each, a fresh lead per referral; fixed clock and seeds\n",
        N_REFERRERS);

    bench_temp_file(lib_path, sizeof lib_path, "library.db");
    bench_temp_file(raw_path, sizeof raw_path, "raw.db");
    double start = bench_seconds();

    /* ---- SQLite file backend ---- */
    population pop;
    population_init(&pop, SQL_LEADS);
    char uri[4300];
    snprintf(uri, sizeof uri, "sqlite:%s", lib_path);
    rf_store *store = bench_open_store(uri);
    populate(store, &pop, SQL_LEADS);
    /* The library's connection stays open; WAL lets the copy read alongside it. */
    copy_database(lib_path, raw_path);
    printf("\nSQLite file backend (WAL, synchronous = NORMAL); databases in %s\n", bench_temp_dir());
    printf("  setup: %d referrers and codes, %d leads in %.1f s (untimed), copied to a second file\n",
           N_REFERRERS, SQL_LEADS, pop.seconds);

    /* PostgreSQL's setup before anything is timed, so that its rounds can
     * alternate with SQLite's: a burst of load on the machine then hits both. */
    pg_side pg;
    pg_side_open(&pg, SQL_LEADS);

    raw_db raw;
    raw_open(&raw, raw_path);
    stream lib_s, raw_s, lib_u, raw_u;
    stream_init(&lib_s);
    stream_init(&raw_s);
    library_referrals(&lib_s, store, &pop, SQL_WARMUP, 1);
    raw_referrals(&raw_s, &raw, &pop, SQL_WARMUP, 1);
    pg_side_warm(&pg, SQL_WARMUP);
    /* The streams continue from here: the warm-up's leads are used up on every side. */
    bench_run_restart(&lib_s.run);
    bench_run_restart(&raw_s.run);
    for (int round = 0; round < SQL_BATCHED_ROUNDS; round++) {
        library_referrals(&lib_s, store, &pop, SQL_BATCHED / SQL_BATCHED_ROUNDS, 1);
        raw_referrals(&raw_s, &raw, &pop, SQL_BATCHED / SQL_BATCHED_ROUNDS, 1);
        pg_side_run(&pg, &pg.batched, SQL_BATCHED / SQL_BATCHED_ROUNDS, 1);
    }
    lib_u = lib_s;
    raw_u = raw_s;
    pg.unbatched = pg.batched;
    bench_run_restart(&lib_u.run);
    bench_run_restart(&raw_u.run);
    bench_run_restart(&pg.unbatched.run);
    for (int round = 0; round < SQL_UNBATCHED_ROUNDS; round++) {
        library_referrals(&lib_u, store, &pop, SQL_UNBATCHED / SQL_UNBATCHED_ROUNDS, 0);
        raw_referrals(&raw_u, &raw, &pop, SQL_UNBATCHED / SQL_UNBATCHED_ROUNDS, 0);
        pg_side_run(&pg, &pg.unbatched, SQL_UNBATCHED / SQL_UNBATCHED_ROUNDS, 0);
    }
    raw_close(&raw);
    rf_store_free(store);
    if (lib_u.run.checksum != raw_u.run.checksum) {
        fprintf(stderr, "bench_referrals: the library and the raw loop resolved different owners\n");
        return 1;
    }
    /* The same seed and clock make the same ids on every backend. */
    if (pg.on && pg.unbatched.run.checksum != lib_u.run.checksum) {
        fprintf(stderr, "bench_referrals: PostgreSQL and SQLite resolved different owners\n");
        return 1;
    }
    verify_same_rows(lib_path, raw_path, SQL_LEADS);

    char how[64];
    snprintf(how, sizeof how, "transactions of %d", BENCH_BATCH);
    print_rate("(a) library, batched", &lib_s, how);
    print_rate("    raw SQLite, batched", &raw_s, how);
    print_ratio("    library / raw SQLite", &lib_s, &raw_s);
    print_rate("(b) library, unbatched", &lib_u, "one transaction per call");
    print_rate("    raw SQLite, unbatched", &raw_u, "one transaction per call");
    print_ratio("    library / raw SQLite", &lib_u, &raw_u);
    printf("  raw loop checked: same rows as the library in every table (referral ids aside)\n");
    printf("  %-34s %10.1f MiB\n", "peak RSS so far", bench_peak_rss_mib());
    pg_side_finish(&pg, lib_path, &lib_s, &lib_u);
    population_free(&pop);

    /* ---- memory backend ---- */
    population_init(&pop, MEM_LEADS);
    store = bench_open_store("memory:");
    populate(store, &pop, MEM_LEADS);
    printf("\nMemory backend\n");
    printf("  setup: %d referrers and codes, %d leads in %.1f s (untimed)\n", N_REFERRERS, MEM_LEADS,
           pop.seconds);
    stream mem_s, mem_u;
    stream_init(&mem_s);
    library_referrals(&mem_s, store, &pop, MEM_WARMUP, 1);
    bench_run_restart(&mem_s.run);
    library_referrals(&mem_s, store, &pop, MEM_BATCHED, 1);
    mem_u = mem_s;
    bench_run_restart(&mem_u.run);
    library_referrals(&mem_u, store, &pop, MEM_UNBATCHED, 0);
    print_rate("(a) library, batched", &mem_s, how);
    print_rate("(b) library, unbatched", &mem_u, "one transaction per call");
    printf("  %-34s %10.1f MiB\n", "peak RSS (whole run)", bench_peak_rss_mib());
    rf_store_free(store);
    population_free(&pop);

    printf("\ntotal time %.1f s (checksums %u %u %u)\n", bench_seconds() - start, lib_u.run.checksum,
           raw_u.run.checksum, mem_u.run.checksum);
    return 0;
}
