/* referrals_pg.c: bench_referrals' PostgreSQL section.
 *
 * The library's own path (library_referrals) on the postgres: backend, with
 * the same setup, seeds, clock and counts as on SQLite, in the same rounds
 * as the SQLite side, on a throw-away database made on the server named by
 * RF_BENCH_POSTGRES (bench_pg.h). Its rates are printed beside the SQLite
 * library's with the ratio PostgreSQL / SQLite. There is no target: the two
 * engines do not make the same promise at commit (see the README), so the
 * ratio informs, it does not pass or fail. The hand-written raw loop stays
 * an SQLite comparison. */
#include "bench_referrals.h"

#include "bench_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUND_TRIPS 2000 /* timed "SELECT 1"s, before and after the rounds */

/* The backend prepares each statement once per connection, and PostgreSQL
 * keeps a generic plan for it after five runs. Planned while a table was
 * empty and never analysed, the plan of a lookup by primary key can take
 * another index led by the practice and filter the whole practice's rows:
 * the write path then slows with every referral until autovacuum analyses
 * the table (within a minute or so) and the plans are made again. When that
 * happens would decide the figures. So the tables are analysed after the
 * setup and again after the warm-up, untimed, as autovacuum would have done
 * on a database in use, and the timed rounds measure the steady state. */
static void analyse(pg_side *pg)
{
    bench_pg_command("ANALYZE");
    pg->analysed++;
}

void pg_side_open(pg_side *pg, int n_leads)
{
    memset(pg, 0, sizeof *pg);
    if (bench_pg_unavailable() != NULL) {
        return;
    }
    char uri[2048];
    bench_pg_create(uri, sizeof uri, "referrals");
    bench_pg_describe(pg->settings, sizeof pg->settings);
    pg->on = 1;
    pg->store = bench_open_store(uri);
    population_init(&pg->pop, n_leads);
    populate(pg->store, &pg->pop, n_leads);
    analyse(pg);
    stream_init(&pg->batched);
    pg->round_trip_before = bench_pg_round_trip_us(ROUND_TRIPS);
}

void pg_side_warm(pg_side *pg, long count)
{
    if (pg->on) {
        library_referrals(&pg->batched, pg->store, &pg->pop, count, 1);
        analyse(pg);
        bench_run_restart(&pg->batched.run);
    }
}

void pg_side_run(pg_side *pg, stream *s, long count, int batched)
{
    if (pg->on) {
        library_referrals(s, pg->store, &pg->pop, count, batched);
    }
}

/* Figures that both engines must give alike for the same writes, asked in
 * SQL both understand. Referral ids are left out, as in the raw loop's check. */
static void verify_like_sqlite(const char *lib_path)
{
    char closed[96], clients[96];
    snprintf(closed, sizeof closed, "SELECT count(*) FROM referrals WHERE state = %d", RF_REFERRAL_CLOSED);
    snprintf(clients, sizeof clients, "SELECT count(*) FROM parties WHERE kind = %d", RF_PARTY_CLIENT);
    const char *const checks[] = {
        "SELECT count(*) FROM referrals",
        closed,
        "SELECT count(DISTINCT referrer_id) FROM referrals",
        "SELECT count(DISTINCT code_id) FROM referrals",
        "SELECT sum(visits) + sum(appointment_at - received_at) FROM referrals",
        "SELECT count(*) FROM journal",
        "SELECT max(seq) FROM journal",
        "SELECT sum(length(type) + length(data)) FROM journal",
        "SELECT count(*) FROM parties",
        clients,
        "SELECT sum(uses) FROM codes",
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        long long want = file_query_int(lib_path, checks[i]);
        long long got = bench_pg_query_int(checks[i]);
        if (got != want) {
            fprintf(stderr, "bench_referrals: PostgreSQL differs from SQLite: %s gives %lld, not %lld\n",
                    checks[i], got, want);
            bad = 1;
        }
    }
    if (bad) {
        exit(1); /* the database is dropped at exit */
    }
}

static void print_against(const char *label, const stream *pg, const stream *sqlite, const char *how)
{
    print_rate(label, pg, how);
    print_rate("    SQLite library (above)", sqlite, how);
    printf("  %-34s %10.2fx                informative, no target\n", "    PostgreSQL / SQLite",
           bench_run_rate(&pg->run) / bench_run_rate(&sqlite->run));
}

void pg_side_finish(pg_side *pg, const char *lib_path, const stream *sqlite_batched,
                    const stream *sqlite_unbatched)
{
    if (!pg->on) {
        printf("\n%s\n", bench_pg_unavailable());
        return;
    }
    rf_store_free(pg->store);
    pg->store = NULL;
    double round_trip_after = bench_pg_round_trip_us(ROUND_TRIPS);
    verify_like_sqlite(lib_path);

    char how[64];
    snprintf(how, sizeof how, "transactions of %d", BENCH_BATCH);
    printf("\nPostgreSQL backend; database %s on %s, dropped at the end\n", bench_pg_dbname(),
           bench_pg_where());
    printf("  %s\n", pg->settings);
    printf("  setup: %d referrers and codes, %d leads in %.1f s (untimed); rounds alternate with SQLite's\n",
           N_REFERRERS, pg->pop.n_leads, pg->pop.seconds);
    printf("  ANALYZE after the setup and after the warm-up (untimed, %d times), as autovacuum would\n",
           pg->analysed);
    /* Every statement is a round trip to another process: on a busy machine
     * each one waits for both to be scheduled, which SQLite, in-process, never does. */
    printf("  round trip (SELECT 1, median of %d): %.0f us before the timed rounds, %.0f us after\n",
           ROUND_TRIPS, pg->round_trip_before, round_trip_after);
    print_against("(a) library, batched", &pg->batched, sqlite_batched, how);
    print_against("(b) library, unbatched", &pg->unbatched, sqlite_unbatched, "one transaction per call");
    printf("  checked: the same row counts and sums as the SQLite library's file\n");
    population_free(&pg->pop);
    if (bench_pg_drop() != 0) {
        exit(1);
    }
    printf("  database %s dropped\n", bench_pg_dbname());
}
