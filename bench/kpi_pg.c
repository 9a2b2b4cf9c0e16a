/*
 * kpi_pg.c: bench_kpi's PostgreSQL section (issue 7), the library's KPI
 * dashboard on PostgreSQL beside SQLite, on the same practice.
 *
 * The generator is deterministic given its seed and clock, ids included, so
 * kpi_generate writes the same records into an empty PostgreSQL database as
 * into the run's SQLite file. The section checks that the programme and staff
 * ids of the SQLite file exist on PostgreSQL too (the filters name them), then
 * runs the same dashboard, kpi_dash_run, on both stores and compares every
 * figure by name. When the run was given an existing file, whose seed and size
 * it cannot know, it makes a fresh small pair instead (SQLite and PostgreSQL,
 * the run's seed). The times are informative: there is no target.
 */
#include "bench_kpi.h"
#include "bench_pg.h"
#include "kpi_generate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How many of @ids exist on PostgreSQL in @table (of the practice). */
static long long count_on_pg(const char *table, const char (*ids)[RF_ID_BUFSIZE], int n)
{
    if (n == 0) {
        return 0;
    }
    size_t size = 128 + (size_t)n * (RF_ID_BUFSIZE + 4);
    char *sql = bench_xcalloc(1, size);
    size_t len = (size_t)snprintf(sql, size, "SELECT count(*) FROM %s WHERE practice = '%s' AND id IN (",
                                  table, KPI_BENCH_PRACTICE);
    for (int i = 0; i < n; i++) {
        /* Ids are the library's: letters, digits and '-', nothing to quote. */
        len += (size_t)snprintf(sql + len, size - len, "%s'%s'", i > 0 ? "," : "", ids[i]);
    }
    snprintf(sql + len, size - len, ")");
    long long found = bench_pg_query_int(sql);
    free(sql);
    return found;
}

static void load_scopes(const char *path, int practice_only, kpi_scope_set *scopes)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        bench_die_sqlite(db, "opening the SQLite file for its scopes");
    }
    kpi_scopes_load(scopes, db);
    scopes->practice_only = practice_only;
    sqlite3_close(db);
}

static double dashboard(const char *uri, const kpi_scope_set *scopes, kpi_figs *figs, kpi_dash *d)
{
    rf_store *store = kpi_store_open(uri);
    rf_time to = KPI_BENCH_END;
    kpi_dash_run(store, scopes, to - KPI_BENCH_YEAR, to, figs, d);
    rf_store_free(store);
    return d->seconds;
}

/* The parts side by side; both runs make the same calls in the same order. */
static void print_side_by_side(const kpi_dash *sq, const kpi_dash *pg)
{
    printf("    %-40s %5s %11s %11s %8s\n", "part", "calls", "SQLite", "PostgreSQL", "PG/SQLite");
    for (int i = 0; i < sq->n_parts && i < pg->n_parts; i++) {
        const kpi_timing *a = &sq->part[i], *b = &pg->part[i];
        printf("    %-40s %5ld %9.3f s %9.3f s %7.2fx\n", a->what, a->calls, a->seconds, b->seconds,
               a->seconds > 0 ? b->seconds / a->seconds : 0.0);
    }
}

long kpi_pg_section(const kpi_pg_args *a)
{
    printf("\nPostgreSQL beside SQLite: the same practice, the same dashboard\n");
    const char *why = bench_pg_unavailable();
    if (why != NULL) {
        printf("  %s\n", why);
        return 0;
    }
    char pair[4200], sqlite_uri[4300], pg_uri[4400], desc[512];
    const char *path = a->path;
    long n = a->referrals;
    if (n == 0) {
        /* A given file's seed and size are unknown: make both stores here, from the run's seed. */
        n = a->pair_referrals;
        bench_temp_file(pair, sizeof pair, "kpi-pair.db");
        printf("  the file was given: a fresh pair of %ld referrals, seed %u; SQLite %s ...\n", n,
               KPI_GEN_SEED, pair);
        double t0 = bench_seconds();
        kpi_generate_child(pair, n);
        printf("  generated into SQLite in %.1f s\n", bench_seconds() - t0);
        path = pair;
    }
    bench_pg_create(pg_uri, sizeof pg_uri, "kpi");
    bench_pg_describe(desc, sizeof desc);
    printf("  server %s, database %s: %s\n", bench_pg_where(), bench_pg_dbname(), desc);
    printf("  generating %ld referrals into PostgreSQL (kpi_generate, seed %u) ...\n", n, KPI_GEN_SEED);
    double t0 = bench_seconds();
    kpi_generate_child(pg_uri, n);
    printf("  generated into PostgreSQL in %.1f s\n", bench_seconds() - t0);

    kpi_scope_set scopes;
    load_scopes(path, a->practice_only, &scopes);
    long long programs =
        count_on_pg("programs", (const char(*)[RF_ID_BUFSIZE])scopes.programs, scopes.n_programs);
    long long staff = count_on_pg("parties", (const char(*)[RF_ID_BUFSIZE])scopes.staff, scopes.n_staff);
    int same_ids = programs == scopes.n_programs && staff == scopes.n_staff;
    printf("  ids: %lld of %d programme(s) and %lld of %d practitioner(s) of the SQLite file on PostgreSQL: "
           "%s\n",
           programs, scopes.n_programs, staff, scopes.n_staff, same_ids ? "the same ids" : "IDS DIFFER");

    snprintf(sqlite_uri, sizeof sqlite_uri, "sqlite:%s", path);
    kpi_figs sq = {0}, pg = {0};
    kpi_dash dsq, dpg;
    double s_sq = dashboard(sqlite_uri, &scopes, &sq, &dsq);
    double s_pg = dashboard(pg_uri, &scopes, &pg, &dpg);
    printf("\n  library dashboard on SQLite              %9.3f s\n", s_sq);
    printf("  library dashboard on PostgreSQL          %9.3f s\n", s_pg);
    printf("  PostgreSQL / SQLite                      %9.2fx  (informative, no target)\n",
           s_sq > 0 ? s_pg / s_sq : 0.0);
    print_side_by_side(&dsq, &dpg);

    long both = 0, sq_only = 0, pg_only = 0;
    printf("\n  comparing every figure of the two dashboards (below, \"library\" is SQLite, \"SQL\" is "
           "PostgreSQL):\n");
    long diffs = kpi_figs_compare(&sq, &pg, a->show, &both, &sq_only, &pg_only);
    printf("  %ld figures compared, %ld only on SQLite, %ld only on PostgreSQL: %ld difference(s)%s\n", both,
           sq_only, pg_only, diffs, diffs == 0 && sq_only == 0 && pg_only == 0 ? ", identical" : "");
    kpi_figs_free(&sq);
    kpi_figs_free(&pg);
    kpi_scopes_free(&scopes);
    if (bench_pg_drop() == 0) {
        printf("  dropped database %s\n", bench_pg_dbname());
    }
    return diffs + sq_only + pg_only + (same_ids ? 0 : 1);
}
