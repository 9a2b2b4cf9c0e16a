/*
 * kpi_generate.h: two years of a practice's referrals, written through the public API.
 *
 * The KPI benchmark (issue 6) needs a realistic SQLite file: 1,000,000
 * referrals over 10,000 clients and 24 months (from 2024-11-01), with the
 * states, delays, channels, sources, documents, A/B variants, client events,
 * rewards and outbox traffic a practice would see. This generator writes it
 * with the library's public functions only (it links the shared library, so
 * nothing else is reachable): every row goes through the real write path,
 * checks, journal and all.
 *
 * It is a simulation driven by an injected clock that only walks forward:
 * referral journeys, client visits, outbox drains and redemptions are events
 * in one priority queue, processed in time order, so each call happens at
 * the store's "now" as it would in a host. A fixed seed gives the same file
 * (the same journal) every time. Writes are batched in explicit transactions
 * of about 1,000 calls.
 *
 * Used by kpi_generate_main.c (the `kpi_generate` program) and its smoke test.
 */
#ifndef RF_BENCH_KPI_GENERATE_H
#define RF_BENCH_KPI_GENERATE_H

#include <referral.h>

#include <stdint.h>

#define KPI_GEN_REFERRALS 1000000L /* the benchmark size */
#define KPI_GEN_SMOKE_REFERRALS 2000L
#define KPI_GEN_SEED 20241101u
#define KPI_GEN_PRACTICE "kpi-clinic"
#define KPI_GEN_CLIENTS_MAX 10000 /* base clients: the practice's own, before referrals add more */
#define KPI_GEN_DRAINS 1          /* outbox drains per working day */
#define KPI_GEN_BATCH 1000        /* write calls per explicit transaction */

/* What to generate. */
typedef struct kpi_gen_options {
    /* The SQLite file, which must not exist yet; or a store URI, "sqlite:FILE" (the same) or
     * "postgres:CONNINFO dbname=NAME" (an empty database: the same seed writes the same records). */
    const char *path;
    long referrals; /* referrals created, exactly */
    uint64_t seed;
    /* Base clients: 0 picks min(10,000, max(200, referrals / 10)), so a smoke run stays small
     * and runs of 100,000 referrals or more have the 10,000. */
    int clients;
    /* Outbox drains per working day: 2 (09:00 and 16:00), 1 (09:00) or 0 (none: no task is ever
     * sent, no ask has an outcome, no reward is released or used). */
    int drains;
    int batch;    /* write calls per explicit transaction: 0 picks KPI_GEN_BATCH */
    int progress; /* 1: a progress line per simulated month */
} kpi_gen_options;

/* Write calls made, by kind (each is one public API call that writes). */
enum kpi_call {
    KPI_CALL_SETUP, /* programmes, reward rules */
    KPI_CALL_PARTY,
    KPI_CALL_CODE,
    KPI_CALL_TOUCH,
    KPI_CALL_REFERRAL, /* rf_referral_create, refused second attributions included */
    KPI_CALL_MOVE,     /* rf_referral_advance, rf_referral_resume */
    KPI_CALL_DOCUMENT,
    KPI_CALL_EVENT,  /* rf_client_event_add */
    KPI_CALL_OUTBOX, /* leases (one per task handed out), sent, acked, failed, outcomes */
    KPI_CALL_REWARD, /* rf_rewards_process, rf_reward_redeem */
    KPI_CALL_KINDS
};

/* What a run did; the state counts are the generator's own tally, which the
 * verification compares with what the file says. */
typedef struct kpi_gen_figures {
    long referrals, inbound, outbound;
    long clients, partners, staff, leads, converted;
    long calls[KPI_CALL_KINDS];
    long refused;         /* second attributions refused with RF_ECONFLICT, as expected */
    long redeem_skipped;  /* planned redemptions of grants that had expired or been taken back */
    long drains;          /* rf_tasks_due calls */
    long tasks_seen;      /* tasks handed out by drains */
    double sweep_seconds; /* in rf_rewards_process and rf_tasks_due (its SLA and date-ask sweeps) */
    double drain_seconds; /* in drains altogether: sweeps, leases and reports */
    long state_count[RF_REFERRAL_STATE_COUNT];
    int64_t journal_events; /* rf_journal_last_seq at the end */
    double seconds;
    double file_mib; /* the database and its WAL */
    double peak_rss_mib;
} kpi_gen_figures;

/* The SQLite file @path names (after an "sqlite:" prefix), or NULL for a PostgreSQL URI. */
const char *kpi_generate_file(const char *path);

/* Generate the file. Prints progress and figures; exits 1 with the library's
 * message when a call fails that should not. */
void kpi_generate(const kpi_gen_options *opts, kpi_gen_figures *figures);

/* Read the file back through the public API (a fresh store handle) and print
 * referrals per state, channel, source, direction, urgency and variant, and
 * the grants, tasks and client events it holds. With @expected, the counts per
 * state and the total must equal the generator's tally: 0 when they do, 1
 * otherwise (the differences are printed). */
int kpi_generate_verify(const char *path, const kpi_gen_figures *expected);

/* An FNV-1a digest of the whole journal (every event's sequence, type, ids,
 * time and data), read through rf_journal_read: equal for equal files. */
uint64_t kpi_generate_digest(const char *path);

#endif
