/*
 * kpi_generate.c: the run. Opens the file with the store's clock pointed at
 * the simulation's, sets the practice up, then plays every queued event in
 * time order until the two years end, committing every KPI_BATCH write calls.
 * See kpi_generate.h for what comes out and kpi_gen.h for the other parts.
 */
#include "kpi_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const call_names[KPI_CALL_KINDS] = {"setup",     "parties", "codes",     "touches",
                                                       "referrals", "moves",   "documents", "client events",
                                                       "outbox",    "rewards"};

/* ---- small things ------------------------------------------------------------------------------ */

void kpi_die(const char *what, rf_status rc)
{
    fprintf(stderr, "kpi_generate: %s failed (%s): %s\n", what, rf_strerror(rc), rf_error_last()->message);
    exit(1);
}

void *kpi_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (p == NULL) {
        fprintf(stderr, "kpi_generate: out of memory\n");
        exit(1);
    }
    return p;
}

void kpi_copy(char *out, size_t size, const char *text)
{
    size_t len = text != NULL ? strlen(text) : 0;
    if (len >= size) {
        fprintf(stderr, "kpi_generate: '%s' is longer than %zu bytes\n", text, size - 1);
        exit(1);
    }
    memcpy(out, text != NULL ? text : "", len + 1);
}

static double seconds_now(void)
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

static const char *grouped(char *buf, size_t size, double value)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", value);
    size_t n = strlen(digits), j = 0;
    for (size_t i = 0; i < n && j + 2 < size; i++) {
        if (i > 0 && digits[i - 1] != '-' && (n - i) % 3 == 0) {
            buf[j++] = ',';
        }
        buf[j++] = digits[i];
    }
    buf[j] = '\0';
    return buf;
}

static long total_calls(const kpi_gen_figures *f)
{
    long n = 0;
    for (int i = 0; i < KPI_CALL_KINDS; i++) {
        n += f->calls[i];
    }
    return n;
}

/* ---- batches ------------------------------------------------------------------------------------ */

void kpi_wrote(kpi_gen *g, enum kpi_call kind)
{
    g->fig->calls[kind]++;
    if (++g->writes_in_batch < g->opts->batch) {
        return;
    }
    rf_status rc = rf_store_commit(g->store);
    if (rc != RF_OK || (rc = rf_store_begin(g->store)) != RF_OK) {
        kpi_die("committing a batch", rc);
    }
    g->writes_in_batch = 0;
}

/* ---- the run ---------------------------------------------------------------------------------------- */

static rf_time simulated_clock(void *ctx)
{
    return ((const kpi_gen *)ctx)->now;
}

static int64_t journal_seq(rf_store *store)
{
    int64_t seq = 0;
    rf_status rc = rf_journal_last_seq(&seq, store);
    if (rc != RF_OK) {
        kpi_die("reading the journal's last sequence number", rc);
    }
    return seq;
}

/* One line per simulated month. */
static void progress(kpi_gen *g)
{
    time_t tt = (time_t)g->now;
    struct tm tm;
    gmtime_r(&tt, &tm);
    int month = (tm.tm_year + 1900) * 12 + tm.tm_mon;
    if (month == g->month_shown) {
        return;
    }
    g->month_shown = month;
    if (!g->opts->progress) {
        return;
    }
    double elapsed = seconds_now() - g->started;
    char a[32], b[32], c[32], d[32];
    printf("  %04d-%02d  %11s referrals  %12s calls  %12s journal events  %7.1f s  %9s referrals/s\n",
           tm.tm_year + 1900, tm.tm_mon + 1, grouped(a, sizeof a, (double)g->fig->referrals),
           grouped(b, sizeof b, (double)total_calls(g->fig)),
           grouped(c, sizeof c, (double)journal_seq(g->store)), elapsed,
           grouped(d, sizeof d, elapsed > 0 ? (double)g->fig->referrals / elapsed : 0));
    fflush(stdout);
}

static void play(kpi_gen *g)
{
    kpi_event e;
    while (kpi_queue_pop(&g->queue, &e) && e.at < KPI_END) {
        if (e.at < g->now) {
            fprintf(stderr, "kpi_generate: the clock would go back (%lld < %lld)\n", (long long)e.at,
                    (long long)g->now);
            exit(1);
        }
        g->now = e.at;
        progress(g);
        double t0 = seconds_now();
        switch (e.kind) {
        case KPI_EV_ARRIVAL: kpi_arrival(g); break;
        case KPI_EV_JOIN: kpi_join_next(g); break;
        case KPI_EV_STEP: kpi_step(g, e.index); break;
        case KPI_EV_VISIT: kpi_visit(g, e.index); break;
        case KPI_EV_DRAIN: kpi_drain(g); break;
        case KPI_EV_REDEEM: kpi_redeem_due(g, e.index); break;
        default: fprintf(stderr, "kpi_generate: unknown event %u\n", e.kind); exit(1);
        }
        g->seconds_in[e.kind] += seconds_now() - t0;
    }
}

static double file_mib(const char *path)
{
    static const char *const suffixes[] = {"", "-wal"};
    double bytes = 0;
    for (size_t i = 0; i < 2; i++) {
        char p[4200];
        struct stat st;
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        if (stat(p, &st) == 0) {
            bytes += (double)st.st_size;
        }
    }
    return bytes / (1024.0 * 1024.0);
}

const char *kpi_generate_file(const char *path)
{
    if (strncmp(path, "postgres:", 9) == 0) {
        return NULL;
    }
    return strncmp(path, "sqlite:", 7) == 0 ? path + 7 : path;
}

static void print_figures(const kpi_gen *g, const kpi_gen_figures *f)
{
    char a[32], b[32], c[32], d[32];
    long calls = total_calls(f);
    /* A PostgreSQL URI is not printed: its conninfo may hold a password. */
    const char *file = kpi_generate_file(g->opts->path);
    printf("\ngenerated %s in %.1f s\n", file != NULL ? file : "the PostgreSQL database", f->seconds);
    printf("  referrals         %12s  (%s inbound, %s outbound)  %s referrals/s\n",
           grouped(a, sizeof a, (double)f->referrals), grouped(b, sizeof b, (double)f->inbound),
           grouped(c, sizeof c, (double)f->outbound),
           grouped(d, sizeof d, (double)f->referrals / f->seconds));
    printf("  parties           %12s  (%ld staff, %ld partners, %ld base clients, %s leads of whom %s became "
           "clients)\n",
           grouped(a, sizeof a, (double)(f->staff + f->partners + f->clients + f->leads)), f->staff,
           f->partners, f->clients, grouped(b, sizeof b, (double)f->leads),
           grouped(c, sizeof c, (double)f->converted));
    printf("  write calls       %12s  %s calls/s\n", grouped(a, sizeof a, (double)calls),
           grouped(b, sizeof b, (double)calls / f->seconds));
    for (int i = 0; i < KPI_CALL_KINDS; i++) {
        printf("    %-15s %12s\n", call_names[i], grouped(a, sizeof a, (double)f->calls[i]));
    }
    printf("  refused as planned %11s  second attributions (RF_ECONFLICT)\n",
           grouped(a, sizeof a, (double)f->refused));
    printf("  redemptions skipped %10s  (a note, or the grant had expired or been taken back)\n",
           grouped(a, sizeof a, (double)f->redeem_skipped));
    printf("  outbox drains     %12s  (%s tasks handed out); %.1f s in drains, %.1f s of it in the sweeps\n",
           grouped(a, sizeof a, (double)f->drains), grouped(b, sizeof b, (double)f->tasks_seen),
           f->drain_seconds, f->sweep_seconds);
    printf("  time by activity  arrivals and clicks %.1f s, referral steps %.1f s, base clients joining %.1f "
           "s,\n"
           "                    client visits %.1f s, outbox drains %.1f s, redemptions %.1f s\n",
           g->seconds_in[KPI_EV_ARRIVAL], g->seconds_in[KPI_EV_STEP], g->seconds_in[KPI_EV_JOIN],
           g->seconds_in[KPI_EV_VISIT], g->seconds_in[KPI_EV_DRAIN], g->seconds_in[KPI_EV_REDEEM]);
    printf(
        "  journal events    %12s  (one per change; rows written are these plus the records they describe)\n",
        grouped(a, sizeof a, (double)f->journal_events));
    if (kpi_generate_file(g->opts->path) != NULL) {
        printf("  file              %12.1f MiB\n", f->file_mib);
    }
    printf("  journeys in flight at most %s, clients in care at most %s; peak RSS %.1f MiB\n",
           grouped(a, sizeof a, (double)g->referrals.peak), grouped(b, sizeof b, (double)g->cares.peak),
           f->peak_rss_mib);
}

void kpi_generate(const kpi_gen_options *opts, kpi_gen_figures *fig)
{
    memset(fig, 0, sizeof *fig);
    kpi_gen_options o = *opts;
    if (o.clients <= 0) {
        long c = o.referrals / 10;
        o.clients = c > KPI_GEN_CLIENTS_MAX ? KPI_GEN_CLIENTS_MAX : c < 200 ? 200 : (int)c;
    }
    o.batch = o.batch > 0 ? o.batch : KPI_GEN_BATCH;
    o.drains = o.drains < 0 ? 0 : o.drains > 2 ? 2 : o.drains;
    const char *file = kpi_generate_file(o.path);
    if (file != NULL && access(file, F_OK) == 0) {
        fprintf(stderr, "kpi_generate: %s exists; give a new file (or --force)\n", o.path);
        exit(1);
    }
    kpi_gen g;
    memset(&g, 0, sizeof g);
    g.opts = &o;
    g.fig = fig;
    g.rng.state = o.seed;
    g.now = KPI_T0 - KPI_DAY; /* the practice is set up the day before */
    g.month_shown = -1;
    kpi_pool_init(&g.referrals, sizeof(kpi_referral));
    kpi_pool_init(&g.cares, sizeof(kpi_care));
    kpi_pool_init(&g.redeems, sizeof(kpi_redeem));

    rf_store_options so = RF_STORE_OPTIONS_INIT;
    so.practice = KPI_GEN_PRACTICE;
    so.seed = o.seed; /* ids too: the same seed gives the same file */
    so.clock = simulated_clock;
    so.clock_ctx = &g;
    char uri[4200];
    snprintf(uri, sizeof uri, "%s%s", file != NULL ? "sqlite:" : "", file != NULL ? file : o.path);
    rf_status rc = rf_store_open(&g.store, uri, &so);
    if (rc != RF_OK) {
        kpi_die("opening the store", rc);
    }
    printf("generating %ld referrals over %d base clients, 2024-11-01 to 2026-11-01, seed %llu;\n"
           "outbox drained %d time(s) per working day; transactions of %d write calls\n",
           o.referrals, o.clients, (unsigned long long)o.seed, o.drains, o.batch);
    g.started = seconds_now();
    if ((rc = rf_store_begin(g.store)) != RF_OK) {
        kpi_die("beginning a batch", rc);
    }
    kpi_setup(&g);
    kpi_arrivals_init(&g);
    kpi_drains_init(&g);
    play(&g);
    if ((rc = rf_store_commit(g.store)) != RF_OK) {
        kpi_die("committing the last batch", rc);
    }
    fig->journal_events = journal_seq(g.store);
    rf_store_free(g.store);
    fig->seconds = seconds_now() - g.started;
    fig->file_mib = file != NULL ? file_mib(file) : 0.0;
    fig->peak_rss_mib = peak_rss_mib();
    if (fig->referrals != o.referrals) {
        fprintf(stderr, "kpi_generate: %ld referrals made, %ld planned\n", fig->referrals, o.referrals);
        exit(1);
    }
    print_figures(&g, fig);

    kpi_queue_free(&g.queue);
    kpi_pool_free(&g.referrals);
    kpi_pool_free(&g.cares);
    kpi_pool_free(&g.redeems);
    kpi_setup_free(&g);
    free(g.day_weight);
    free(g.day_times);
}
