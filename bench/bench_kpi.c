/*
 * bench_kpi: the KPI dashboard (issue 6) on a generated practice, through the
 * library and in hand-written SQL on the same file, in one run.
 *
 *   bench_kpi [PATH] [--referrals N] [--scale N] [--show N]
 *
 * PATH is a file kpi_generate wrote. Without it the program generates one
 * (1,000,000 referrals, or --referrals N) in a fresh directory under $TMPDIR,
 * in a child process so that the generator's memory is not counted, and
 * deletes it at the end. The period is the file's last twelve months.
 * See README.md for what each line means.
 */
#include "bench_kpi.h"
#include "kpi_generate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- scopes ------------------------------------------------------------------------------------ */

const char *kpi_channel_key(int channel)
{
    return rf_channel_name((rf_channel)channel);
}

const char *kpi_source_key(int source)
{
    return rf_referral_source_name((rf_referral_source)source);
}

void kpi_scopes_load(kpi_scope_set *s, sqlite3 *db)
{
    memset(s, 0, sizeof *s);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT id FROM programs WHERE practice = ?1 ORDER BY id", -1, &st, NULL) !=
        SQLITE_OK) {
        bench_die_sqlite(db, "listing the programmes");
    }
    sqlite3_bind_text(st, 1, KPI_BENCH_PRACTICE, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW && s->n_programs < 8) {
        snprintf(s->programs[s->n_programs++], RF_ID_BUFSIZE, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "SELECT id FROM parties WHERE practice = ?1 AND kind = 4 ORDER BY id", -1, &st,
                           NULL) != SQLITE_OK) {
        bench_die_sqlite(db, "listing the staff");
    }
    sqlite3_bind_text(st, 1, KPI_BENCH_PRACTICE, -1, SQLITE_STATIC);
    s->staff = bench_xcalloc(256, RF_ID_BUFSIZE);
    while (sqlite3_step(st) == SQLITE_ROW && s->n_staff < 256) {
        snprintf(s->staff[s->n_staff++], RF_ID_BUFSIZE, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
}

void kpi_scopes_free(kpi_scope_set *s)
{
    free(s->staff);
    memset(s, 0, sizeof *s);
}

/* ---- the run ------------------------------------------------------------------------------------ */

static rf_time stopped_clock(void *ctx)
{
    (void)ctx;
    return KPI_BENCH_END; /* the store's "now" is the end of the file: SLA deadlines are judged there */
}

rf_store *kpi_store_open(const char *uri)
{
    rf_store_options o = RF_STORE_OPTIONS_INIT;
    o.practice = KPI_BENCH_PRACTICE;
    o.clock = stopped_clock;
    o.seed = BENCH_SEED;
    rf_store *store = NULL;
    rf_status rc = rf_store_open(&store, uri, &o);
    if (rc != RF_OK) {
        bench_die("opening the generated store", rc);
    }
    return store;
}

static rf_store *open_store(const char *path)
{
    char uri[4300];
    snprintf(uri, sizeof uri, "sqlite:%s", path);
    return kpi_store_open(uri);
}

static sqlite3 *open_raw(const char *path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        bench_die_sqlite(db, "opening the file for the hand-written SQL");
    }
    /* The backend's page cache, so the two sides differ in their queries, not their caching. */
    if (sqlite3_exec(db, "PRAGMA cache_size = " BENCH_RAW_CACHE_SIZE, NULL, NULL, NULL) != SQLITE_OK) {
        bench_die_sqlite(db, "setting the cache size");
    }
    return db;
}

/* Read the file once, so both sides start from the same (warm) operating-system cache. */
static void warm(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        return;
    }
    static char buf[1 << 20];
    while (read(fd, buf, sizeof buf) > 0) {
    }
    close(fd);
}

void kpi_print_parts(const kpi_timing *p, int n, double total)
{
    for (int i = 0; i < n; i++) {
        printf("    %-40s %4ld call(s) %9.3f s  %5.1f %%", p[i].what, p[i].calls, p[i].seconds,
               total > 0 ? 100.0 * p[i].seconds / total : 0.0);
        if (p[i].rss_mib > 0) {
            printf("  peak RSS %7.1f MiB (SQLite %6.1f)", p[i].rss_mib, p[i].sqlite_mib);
        }
        printf("\n");
    }
}

/* BENCH_KPI_PROFILE=1: each hand-written statement's time, to see which one is slow. */
static int profile(unsigned type, void *ctx, void *stmt, void *ns)
{
    (void)type;
    (void)ctx;
    const char *sql = sqlite3_sql((sqlite3_stmt *)stmt);
    printf("      %9.3f s  %.110s\n", (double)*(const sqlite3_int64 *)ns / 1e9, sql != NULL ? sql : "");
    return 0;
}

static double run_sql(const char *path, const kpi_scope_set *scopes, rf_time from, rf_time to, kpi_figs *out)
{
    kpi_sql q;
    memset(&q, 0, sizeof q);
    q.db = open_raw(path);
    q.scopes = scopes;
    q.from = from;
    q.to = to;
    q.now = KPI_BENCH_END;
    /* The temporary tables go to files (SQLite's default), as the backend's do. */
    if (sqlite3_exec(q.db, "PRAGMA temp_store = FILE", NULL, NULL, NULL) != SQLITE_OK) {
        bench_die_sqlite(q.db, "setting temp_store");
    }
    const char *want = getenv("BENCH_KPI_PROFILE");
    if (want != NULL && want[0] == '1') {
        sqlite3_trace_v2(q.db, SQLITE_TRACE_PROFILE, profile, NULL);
    }
    double t0 = bench_seconds();
    if (sqlite3_exec(q.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        bench_die_sqlite(q.db, "beginning a read");
    }
    kpi_sql_timed(&q, "cohort: one pass, GROUP BY x 5 filters", kpi_sql_cohort, out);
    kpi_sql_timed(&q, "percentiles: window functions", kpi_sql_percentiles, out);
    kpi_sql_report_figures(&q, out);
    kpi_sql_timed(&q, "clients and money, per filter", kpi_sql_clients, out);
    kpi_sql_timed(&q, "table FUNNEL", kpi_sql_funnel, out);
    kpi_sql_timed(&q, "table LEADERBOARD", kpi_sql_leaderboard, out);
    kpi_sql_timed(&q, "table PRACTITIONERS", kpi_sql_practitioners, out);
    kpi_sql_timed(&q, "tables CHANNELS, SOURCES", kpi_sql_channels, out);
    kpi_sql_timed(&q, "table VARIANTS", kpi_sql_variants, out);
    sqlite3_exec(q.db, "COMMIT", NULL, NULL, NULL);
    double seconds = bench_seconds() - t0;
    printf("  hand-written SQL, same figures           %9.3f s\n", seconds);
    kpi_print_parts(q.part, q.n_parts, seconds);
    sqlite3_close(q.db);
    return seconds;
}

void kpi_generate_child(const char *path, long referrals)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        bench_die("forking the generator", RF_EBACKEND);
    }
    if (pid == 0) {
        kpi_gen_options o = {path, referrals, KPI_GEN_SEED, 0, KPI_GEN_DRAINS, KPI_GEN_BATCH, 0};
        kpi_gen_figures fig;
        kpi_generate(&o, &fig);
        fflush(stdout);
        _exit(0);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        bench_die("generating the file", RF_EBACKEND);
    }
}

/* The filters the dashboard computes reports for, read from the file itself. */
static void load_scopes(kpi_scope_set *scopes, const char *path, int practice_only)
{
    sqlite3 *db = open_raw(path);
    kpi_scopes_load(scopes, db);
    scopes->practice_only = practice_only;
    sqlite3_close(db);
}

/* The library's dashboard alone (--dashboard-only, run in a fresh process by --scale): its time
 * and the process's peak RSS, which then holds nothing but the dashboard. */
static int dashboard_only(const char *path, long long expect, int practice_only, rf_time from, rf_time to)
{
    rf_store *store = open_store(path);
    kpi_scope_set scopes;
    load_scopes(&scopes, path, practice_only);
    kpi_figs figs = {0};
    kpi_dash d;
    kpi_dash_run(store, &scopes, from, to, &figs, &d);
    printf("  library dashboard                        %9.3f s\n", d.seconds);
    kpi_print_parts(d.part, d.n_parts, d.seconds);
    double rss = bench_peak_rss_mib();
    printf("  peak RSS (a process running only this)   %9.1f MiB  target <= 64 MiB: %s\n", rss,
           rss <= 64.0 ? "PASS" : "BELOW");
    int bad = 0;
    for (size_t i = 0; i < figs.n; i++) {
        if (strcmp(figs.v[i].name, "all/RECEIVED") == 0) {
            bad = expect > 0 && figs.v[i].num != expect;
            printf("  all/RECEIVED %lld, expected %lld: %s\n", (long long)figs.v[i].num, expect,
                   bad ? "WRONG" : "as expected");
        }
    }
    kpi_figs_free(&figs);
    kpi_scopes_free(&scopes);
    rf_store_free(store);
    return bad;
}

static void run_scaled(const char *path, int factor, int64_t received, int practice_only)
{
    char copy[4200], expect[32];
    bench_temp_file(copy, sizeof copy, "kpi-scaled.db");
    double t0 = bench_seconds();
    kpi_scale_file(path, copy, factor);
    printf("\nscaled copy: every referral row x %d with SQL (%.1f s)\n", factor, bench_seconds() - t0);
    fflush(stdout);
    snprintf(expect, sizeof expect, "%lld", (long long)received * factor);
    pid_t pid = fork();
    if (pid == 0) {
        execl("/proc/self/exe", "bench_kpi", "--dashboard-only", copy, "--expect", expect,
              practice_only ? "--practice-only" : (char *)NULL, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        bench_die("the dashboard on the scaled copy", RF_EBACKEND);
    }
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_kpi [PATH] [--referrals N] [--scale N] [--practice-only] [--show N]\n"
                    "                 [--postgres-referrals N] [--dashboard-only [--expect N]]\n"
                    "  PATH           a file kpi_generate wrote (default: generate one in $TMPDIR)\n"
                    "  --referrals N  referrals to generate when no PATH is given (default 1,000,000)\n"
                    "  --scale N      also run the dashboard on a copy with every referral row x N (2..100)\n"
                    "  --practice-only  the report for the whole practice only, not per filter\n"
                    "  --show N       print at most N differing figures (default 20)\n"
                    "  --dashboard-only  with PATH: the library's dashboard alone, its time and peak RSS\n"
                    "                 (what --scale runs on its copy; PATH can be a kept copy)\n"
                    "  --expect N     with --dashboard-only: the referrals received in the period\n"
                    "  --postgres-referrals N  with PATH and RF_BENCH_POSTGRES: the size of the fresh\n"
                    "                 SQLite/PostgreSQL pair the PostgreSQL section makes (default 5,000)\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    long referrals = KPI_GEN_REFERRALS, scale = 0, show = 20, expect = 0, pair = KPI_PG_PAIR_REFERRALS;
    int only = 0, practice_only = 0;
    for (int i = 1; i < argc; i++) {
        long *target = strcmp(argv[i], "--referrals") == 0            ? &referrals
                       : strcmp(argv[i], "--scale") == 0              ? &scale
                       : strcmp(argv[i], "--show") == 0               ? &show
                       : strcmp(argv[i], "--expect") == 0             ? &expect
                       : strcmp(argv[i], "--postgres-referrals") == 0 ? &pair
                                                                      : NULL;
        if (target != NULL && i + 1 < argc) {
            char *end = NULL;
            errno = 0;
            *target = strtol(argv[++i], &end, 10);
            if (errno != 0 || *end != '\0' || *target < 0) {
                return usage();
            }
        } else if (strcmp(argv[i], "--dashboard-only") == 0) {
            only = 1;
        } else if (strcmp(argv[i], "--practice-only") == 0) {
            practice_only = 1;
        } else if (argv[i][0] != '-' && path == NULL) {
            path = argv[i];
        } else {
            return usage();
        }
    }
    if (scale == 1 || scale > 100 || pair == 0) {
        return usage();
    }
    rf_time to = KPI_BENCH_END, from = to - KPI_BENCH_YEAR;
    if (only) {
        return path != NULL ? dashboard_only(path, expect, practice_only, from, to) : usage();
    }
    bench_start("bench_kpi", "KPI dashboard benchmark");
    char generated[4200];
    long made = 0;
    if (path == NULL) {
        made = referrals;
        bench_temp_file(generated, sizeof generated, "kpi.db");
        printf("generating %ld referrals into %s (kpi_generate, seed %u) ...\n", referrals, generated,
               KPI_GEN_SEED);
        double t0 = bench_seconds();
        kpi_generate_child(generated, referrals);
        printf("generated in %.1f s\n", bench_seconds() - t0);
        path = generated;
    }
    warm(path);
    rf_store *store = open_store(path);
    kpi_scope_set scopes;
    load_scopes(&scopes, path, practice_only);
    printf("\nfile %s; period [2025-11-01, 2026-11-01): the last 12 months\n", path);
    if (practice_only) {
        printf("dashboard: rf_kpi_compute for the practice (no filter) and the %d tables\n\n",
               RF_KPI_TABLE_KIND_COUNT - 1);
    } else {
        printf("dashboard: rf_kpi_compute for the practice, %d programme(s), 9 channels, 5 sources and %d "
               "practitioners (%d reports), and the %d tables for the practice\n\n",
               scopes.n_programs, scopes.n_staff, kpi_scope_count(&scopes), RF_KPI_TABLE_KIND_COUNT - 1);
    }

    kpi_figs lib = {0}, sql = {0};
    kpi_dash d;
    kpi_dash_run(store, &scopes, from, to, &lib, &d);
    double rss_lib = bench_peak_rss_mib();
    printf("  library dashboard                        %9.3f s\n", d.seconds);
    kpi_print_parts(d.part, d.n_parts, d.seconds);
    rf_store_free(store);
    double sql_seconds = run_sql(path, &scopes, from, to, &sql);
    double ratio = d.seconds / sql_seconds;
    printf("\n  library / SQL                            %9.2fx  target <= 1.5x: %s\n", ratio,
           ratio <= 1.5 ? "PASS" : "BELOW");
    printf("  peak RSS after the library's dashboard   %9.1f MiB\n", rss_lib);
    printf("  peak RSS for the whole run               %9.1f MiB\n", bench_peak_rss_mib());

    long both = 0, lib_only = 0, sql_only = 0;
    printf("\ncomparing every figure both sides computed:\n");
    long diffs = kpi_figs_compare(&lib, &sql, (int)show, &both, &lib_only, &sql_only);
    printf("  %ld figures compared, %ld only in the library, %ld only in SQL: %ld difference(s)%s\n", both,
           lib_only, sql_only, diffs, diffs == 0 ? ", all agree" : "");
    int64_t received = 0;
    for (size_t i = 0; i < lib.n; i++) {
        if (strcmp(lib.v[i].name, "all/RECEIVED") == 0) {
            received = lib.v[i].num;
        }
    }
    kpi_figs_free(&lib);
    kpi_figs_free(&sql);
    kpi_scopes_free(&scopes);
    if (scale > 1) {
        run_scaled(path, (int)scale, received, practice_only);
    }
    kpi_pg_args pa = {path, made, pair, practice_only, (int)show};
    long pg_diffs = kpi_pg_section(&pa);
    return diffs == 0 && pg_diffs == 0 ? 0 : 1;
}
