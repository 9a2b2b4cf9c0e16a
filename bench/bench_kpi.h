/*
 * bench_kpi.h: what bench_kpi's sources share.
 *
 *   bench_kpi.c        the run: the file, the two sides, the comparison, the figures
 *   kpi_figures.c      a set of named figures (both sides fill one; they are compared by name)
 *   kpi_dash.c         the library's dashboard: every KPI call of referral/kpis.h, timed
 *   kpi_sql.c          hand-written SQL: the report's referral figures, per filter; the filters
 *   kpi_sql_clients.c  hand-written SQL: the client, revenue and reward figures
 *   kpi_sql_tables.c   hand-written SQL: the tables (funnel, leaderboard, ...)
 *   kpi_scale.c        --scale: a copy of the file with its referral rows multiplied
 *   kpi_pg.c           the library's dashboard on PostgreSQL beside SQLite, on the same practice
 *
 * A figure's name says where it comes from: "all/RECEIVED" (the report for
 * the whole practice), "channel=EMAIL/TO_SCHEDULE_P50" (the report filtered
 * to a channel), "CHANNELS/EMAIL/CONVERSION" (a cell of a table).
 */
#ifndef RF_BENCH_KPI_H
#define RF_BENCH_KPI_H

#include "bench_support.h"

#include <stddef.h>
#include <stdint.h>

#define KPI_BENCH_PRACTICE "kpi-clinic"     /* kpi_generate's practice */
#define KPI_BENCH_END ((rf_time)1793491200) /* 2026-11-01: the end of the generated file */
#define KPI_BENCH_YEAR ((rf_time)365 * 86400)
#define KPI_BENCH_CURRENCY "EUR"
#define KPI_BENCH_TOP 10

/* ---- figures (kpi_figures.c) ----------------------------------------------------------------- */

typedef struct kpi_fig {
    char *name;
    int defined;
    int64_t num, den;
    double value;
} kpi_fig;

typedef struct kpi_figs {
    kpi_fig *v;
    size_t n, cap;
    int sorted;
} kpi_figs;

/* Add a figure named printf-style; a later figure of the same name replaces nothing (both are kept:
 * kpi_figs_compare reports duplicates). */
void kpi_figs_add(kpi_figs *s, int defined, int64_t num, int64_t den, double value, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* A rate as the library makes one: num / den, defined when den > 0. */
void kpi_figs_rate(kpi_figs *s, int64_t num, int64_t den, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Compare @lib with @sql: every name both have must agree exactly (defined, numerator,
 * denominator, value). Prints each difference (at most @show) and the names only one side
 * has; returns the number of differences. */
long kpi_figs_compare(kpi_figs *lib, kpi_figs *sql, int show, long *both, long *lib_only, long *sql_only);
void kpi_figs_free(kpi_figs *s);

/* ---- the period and the scopes ----------------------------------------------------------------- */

typedef struct kpi_scope_set {
    char programs[8][RF_ID_BUFSIZE];
    int n_programs;
    char (*staff)[RF_ID_BUFSIZE];
    int n_staff;
    int practice_only; /* --practice-only: the report for the practice alone, no filter */
} kpi_scope_set;

/* The programmes and STAFF parties of the file, read with SQL (both sides use the same list). */
void kpi_scopes_load(kpi_scope_set *s, sqlite3 *db);
void kpi_scopes_free(kpi_scope_set *s);
/* Every filter of the dashboard: the practice ("all"), each programme, channel (1..9), source
 * (1..5) and practitioner, in that order; the name is the figures' prefix. */
typedef struct kpi_filter_scope {
    char name[96];
    const char *program_id, *practitioner_id;
    int channel, source;
} kpi_filter_scope;
int kpi_scope_count(const kpi_scope_set *s);
void kpi_scope_get(const kpi_scope_set *s, int i, kpi_filter_scope *out);
const char *kpi_channel_key(int channel); /* "EMAIL"; the library's rf_channel_name */
const char *kpi_source_key(int source);   /* "CODE"; the library's rf_referral_source_name */

/* ---- the library's side (kpi_dash.c) ----------------------------------------------------------- */

typedef struct kpi_timing {
    const char *what;
    long calls;
    double seconds;
    double rss_mib;    /* the process's peak RSS after this part's last call (0: not measured) */
    double sqlite_mib; /* of which SQLite's own allocations at their peak (sqlite3_memory_highwater) */
} kpi_timing;

#define KPI_DASH_PARTS 16

typedef struct kpi_dash {
    kpi_timing part[KPI_DASH_PARTS];
    int n_parts;
    double seconds;    /* the whole dashboard */
    double report_all; /* rf_kpi_compute for the whole practice alone */
} kpi_dash;

/* Every KPI call of the header for [from, to): the report for the practice and for each
 * programme, channel, source and practitioner, and every table for the practice. */
void kpi_dash_run(rf_store *store, const kpi_scope_set *scopes, rf_time from, rf_time to, kpi_figs *out,
                  kpi_dash *timing);

/* ---- hand-written SQL (kpi_sql*.c) ----------------------------------------------------------- */

typedef struct kpi_sql {
    sqlite3 *db;
    const kpi_scope_set *scopes;
    rf_time from, to, now;
    kpi_timing part[KPI_DASH_PARTS];
    int n_parts;
} kpi_sql;

/* Prepare @sql on the connection, bind ?1 practice, ?2 from, ?3 to, ?4 now (as the statement
 * uses them). Exits on an error. */
sqlite3_stmt *kpi_sql_prepare(kpi_sql *q, const char *sql);
/* Time @fn as one part of the SQL side. */
void kpi_sql_timed(kpi_sql *q, const char *what, void (*fn)(kpi_sql *, kpi_figs *), kpi_figs *out);
/* 1 when the column is NULL. */
int kpi_sql_null(sqlite3_stmt *st, int col);

/* The report's referral figures (RECEIVED .. SLA, LOOP_CLOSURE, THANKS_WITHIN_48H) for the
 * practice and per programme, channel, source and practitioner: what the library's report
 * computes from the cohort. */
void kpi_sql_cohort(kpi_sql *q, kpi_figs *out);
/* The exact percentiles of the three durations, by window functions, per filter. */
void kpi_sql_percentiles(kpi_sql *q, kpi_figs *out);
/* The figures of the two above, under every filter's name (no SQL: arithmetic). */
void kpi_sql_report_figures(kpi_sql *q, kpi_figs *out);
/* The client figures (REFERRAL_RATE .. NPS_REFERRAL_CORRELATION) and REWARD_COST, ROI, run
 * once per filter with the filter bound as parameters. */
void kpi_sql_clients(kpi_sql *q, kpi_figs *out);
/* Every table for the practice. */
void kpi_sql_funnel(kpi_sql *q, kpi_figs *out);
void kpi_sql_leaderboard(kpi_sql *q, kpi_figs *out);
void kpi_sql_practitioners(kpi_sql *q, kpi_figs *out);
void kpi_sql_channels(kpi_sql *q, kpi_figs *out);
void kpi_sql_variants(kpi_sql *q, kpi_figs *out);

/* ---- the run's helpers (bench_kpi.c), shared with kpi_pg.c --------------------------------------- */

/* A store on @uri ("sqlite:FILE" or "postgres:..."), the practice kpi_generate writes, its clock
 * stopped at KPI_BENCH_END. Exits on failure. */
rf_store *kpi_store_open(const char *uri);
/* kpi_generate into @target (a file or a store URI) in a child process, with the run's seed. */
void kpi_generate_child(const char *target, long referrals);
void kpi_print_parts(const kpi_timing *p, int n, double total);

/* ---- PostgreSQL beside SQLite (kpi_pg.c) ------------------------------------------------------- */

typedef struct kpi_pg_args {
    const char *path;    /* the run's SQLite file */
    long referrals;      /* what the run generated into it; 0: the file was given, make a small pair */
    long pair_referrals; /* --postgres-referrals: the small pair's size */
    int practice_only, show;
} kpi_pg_args;

#define KPI_PG_PAIR_REFERRALS 5000L

/* Generate the same practice into a throw-away PostgreSQL database (RF_BENCH_POSTGRES), time the
 * library's dashboard on both stores and compare every figure. Prints why when it cannot run.
 * Returns the number of differing figures (0 when skipped). */
long kpi_pg_section(const kpi_pg_args *a);

/* ---- --scale (kpi_scale.c) ------------------------------------------------------------------- */

/* Copy @path to @copy and add (factor - 1) copies of every referral row with new ids (same
 * times, so every count multiplies by @factor and every rate and percentile stays). */
void kpi_scale_file(const char *path, const char *copy, int factor);

#endif
