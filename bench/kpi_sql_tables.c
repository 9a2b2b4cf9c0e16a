/*
 * kpi_sql_tables.c: hand-written SQL for the KPI tables of the whole
 * practice (funnel, leaderboard, practitioners, channels, sources, A/B
 * variants), read from the cohort table kpi_sql.c made and from the
 * events, tasks and touches of the period. Definitions as
 * include/referral/kpis.h states them; the comments say where a choice was made.
 */
#include "bench_kpi.h"
#include "core/privacy.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void step_rows(kpi_sql *q, const char *sql, void (*row)(sqlite3_stmt *, void *), void *ctx,
                      const char *what)
{
    sqlite3_stmt *st = kpi_sql_prepare(q, sql);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        row(st, ctx);
    }
    if (rc != SQLITE_DONE) {
        bench_die_sqlite(q->db, what);
    }
    sqlite3_finalize(st);
}

static void count_cell(kpi_figs *out, int64_t n, const char *table, const char *key, const char *column)
{
    kpi_figs_add(out, 1, n, 1, (double)n, "%s/%s/%s", table, key, column);
}

/* ---- FUNNEL: asks sent, their shares, clicks, then the cohort's steps ----------------------- */

static void take_values(sqlite3_stmt *st, void *ctx)
{
    int64_t *v = ctx;
    for (int i = 0; i < sqlite3_column_count(st); i++) {
        v[i] = sqlite3_column_int64(st, i);
    }
}

void kpi_sql_funnel(kpi_sql *q, kpi_figs *out)
{
    static const char *const steps[] = {"asks", "shares", "clicks", "leads", "scheduled", "seen", "closed"};
    int64_t n[7] = {0};
    step_rows(
        q,
        "SELECT count(*), coalesce(sum(outcome IN (3, 4)), 0) FROM tasks WHERE practice = ?1 AND kind = 9"
        " AND sent_at IS NOT NULL AND created_at >= ?2 AND created_at < ?3",
        take_values, n, "counting the asks");
    step_rows(q, "SELECT count(*) FROM touches WHERE practice = ?1 AND at >= ?2 AND at < ?3", take_values,
              n + 2, "counting the clicks");
    step_rows(q, "SELECT count(*), count(sch), count(seen), count(clo) FROM cohort", take_values, n + 3,
              "counting the cohort's steps");
    for (int i = 0; i < 7; i++) {
        count_cell(out, n[i], "FUNNEL", steps[i], "COUNT");
        if (i > 0) {
            kpi_figs_rate(out, n[i], n[i - 1], "FUNNEL/%s/CONVERSION", steps[i]);
        } else {
            kpi_figs_add(out, 0, 0, 0, 0.0, "FUNNEL/%s/CONVERSION",
                         steps[i]); /* nothing before the first step */
        }
    }
}

/* ---- LEADERBOARD ------------------------------------------------------------------------------ */

typedef struct board {
    kpi_figs *out;
    int rank;
} board;

static void board_row(sqlite3_stmt *st, void *ctx)
{
    board *b = ctx;
    const char *id = (const char *)sqlite3_column_text(st, 0);
    const char *name = (const char *)sqlite3_column_text(st, 3);
    char label[256] = "";
    if (name != NULL && (sqlite3_column_int(st, 4) & RF_CONSENT_NAMED)) {
        snprintf(label, sizeof label, "%s", name);
    } else if (name != NULL) {
        /* Labels are formatted in C, as any host would; with the library's own rule
         * (rf__initials_of, reached through referral_static) so that both sides agree. */
        rf__initials_of(name, label, sizeof label);
    }
    char key[400];
    snprintf(key, sizeof key, "#%02d %s %s", ++b->rank, id, label);
    count_cell(b->out, sqlite3_column_int64(st, 1), "LEADERBOARD", key, "COUNT");
    count_cell(b->out, sqlite3_column_int64(st, 2), "LEADERBOARD", key, "CLOSED");
}

void kpi_sql_leaderboard(kpi_sql *q, kpi_figs *out)
{
    board b = {out, 0};
    step_rows(
        q,
        "SELECT c.referrer, c.n, c.closed, p.display_name, p.consent FROM"
        " (SELECT referrer, count(*) AS n, count(clo) AS closed FROM cohort WHERE referrer IS NOT NULL"
        "  GROUP BY referrer ORDER BY n DESC, closed DESC, referrer LIMIT 10) c"
        " LEFT JOIN parties p ON p.practice = ?1 AND p.id = c.referrer ORDER BY c.n DESC, c.closed DESC,"
        " c.referrer",
        board_row, &b, "ranking the referrers");
}

/* ---- PRACTITIONERS: every STAFF party; their assigned clients ------------------------------------ */

static void staff_row(sqlite3_stmt *st, void *ctx)
{
    kpi_figs *out = ctx;
    const char *id = (const char *)sqlite3_column_text(st, 0);
    int64_t clients = sqlite3_column_int64(st, 1), advocates = sqlite3_column_int64(st, 2);
    count_cell(out, clients, "PRACTITIONERS", id, "CLIENTS");
    count_cell(out, advocates, "PRACTITIONERS", id, "ADVOCATES");
    kpi_figs_rate(out, advocates, clients, "PRACTITIONERS/%s/ADVOCACY_RATE", id);
    kpi_figs_rate(out, sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4), "PRACTITIONERS/%s/MEAN_NPS",
                  id);
    count_cell(out, sqlite3_column_int64(st, 5), "PRACTITIONERS", id, "COUNT");
}

void kpi_sql_practitioners(kpi_sql *q, kpi_figs *out)
{
    /* Active: first visit or a VISIT_COMPLETED in the period; an advocate is an active client who
     * made a cohort referral; COUNT is every cohort referral made by an assigned client. */
    step_rows(
        q,
        "WITH vis(id) AS (SELECT DISTINCT party_id FROM client_events WHERE practice = ?1 AND type = 1"
        "   AND at >= ?2 AND at < ?3),"
        " nps AS (SELECT party_id AS id, sum(value) AS s, count(*) AS n FROM client_events"
        "   WHERE practice = ?1 AND type = 2 AND at >= ?2 AND at < ?3 GROUP BY party_id),"
        " made AS (SELECT referrer AS id, count(*) AS n FROM cohort GROUP BY referrer),"
        " cl AS (SELECT c.practitioner_id AS staff,"
        "   ((c.first_visit_at != 0 AND c.first_visit_at >= ?2 AND c.first_visit_at < ?3) OR c.id IN vis)"
        "     AS act, coalesce(m.n, 0) AS made, coalesce(n.s, 0) AS ns, coalesce(n.n, 0) AS nn"
        "   FROM parties c LEFT JOIN made m ON m.id = c.id LEFT JOIN nps n ON n.id = c.id"
        "   WHERE c.practice = ?1 AND c.kind = 1) "
        "SELECT s.id, coalesce(sum(cl.act), 0), coalesce(sum(cl.act AND cl.made > 0), 0),"
        " coalesce(sum(cl.ns), 0), coalesce(sum(cl.nn), 0), coalesce(sum(cl.made), 0)"
        " FROM parties s LEFT JOIN cl ON cl.staff = s.id WHERE s.practice = ?1 AND s.kind = 4"
        " GROUP BY s.id ORDER BY s.id",
        staff_row, out, "tallying the practitioners");
}

/* ---- CHANNELS and SOURCES --------------------------------------------------------------------- */

typedef struct group_ctx {
    kpi_figs *out;
    const char *table;
    int source;
} group_ctx;

static void group_row(sqlite3_stmt *st, void *ctx)
{
    group_ctx *g = ctx;
    int k = sqlite3_column_int(st, 0);
    const char *key = g->source ? kpi_source_key(k) : kpi_channel_key(k);
    int64_t count = sqlite3_column_int64(st, 1), scheduled = sqlite3_column_int64(st, 5);
    count_cell(g->out, count, g->table, key, "COUNT");
    kpi_figs_rate(g->out, sqlite3_column_int64(st, 2), count, "%s/%s/CONVERSION", g->table, key);
    count_cell(g->out, sqlite3_column_int64(st, 3), g->table, key, "REVENUE");
    kpi_figs_add(g->out, scheduled > 0, 0, scheduled, (double)sqlite3_column_int64(st, 4),
                 "%s/%s/TO_SCHEDULE_P50", g->table, key);
    kpi_figs_rate(g->out, sqlite3_column_int64(st, 6), count, "%s/%s/HIT_RATE", g->table, key);
    kpi_figs_rate(g->out, sqlite3_column_int64(st, 7), sqlite3_column_int64(st, 8), "%s/%s/MEAN_NPS",
                  g->table, key);
}

/* Revenue and NPS are credited through the referral a referee came by: the first (lowest id)
 * inbound referral of the referee, not ENTERED_IN_ERROR, when that one is in the cohort (checked
 * per cohort row on the referee index; a join of all referees' firsts with the unindexed cohort
 * table would be quadratic). */
#define GROUP_SQL(col)                                                                                       \
    "WITH credit AS (SELECT c." col " AS k, c.referee FROM cohort c WHERE c.id = (SELECT min(r.id) FROM"     \
    "   referrals r WHERE r.practice = ?1 AND r.referee_id = c.referee AND r.direction = 1"                  \
    "   AND r.state != 14)),"                                                                                \
    " money AS (SELECT cr.k, sum(e.amount) AS m FROM credit cr JOIN client_events e ON e.practice = ?1"      \
    "   AND e.party_id = cr.referee WHERE e.type = 9 AND e.currency = 'EUR' AND e.at >= ?2 AND e.at < ?3"    \
    "   GROUP BY cr.k),"                                                                                     \
    " nps AS (SELECT cr.k, sum(e.value) AS s, count(*) AS n FROM credit cr JOIN client_events e"             \
    "   ON e.practice = ?1 AND e.party_id = cr.referee WHERE e.type = 2 AND e.at >= ?2 AND e.at < ?3"        \
    "   GROUP BY cr.k),"                                                                                     \
    " med AS (SELECT k, max(CASE WHEN rn = (50 * n + 99) / 100 THEN d END) AS p50 FROM"                      \
    "   (SELECT " col " AS k, sch - rcv AS d, row_number() OVER (PARTITION BY " col " ORDER BY sch - rcv)"   \
    "    AS rn, count(*) OVER (PARTITION BY " col ") AS n FROM cohort WHERE sch IS NOT NULL) GROUP BY k),"   \
    " base AS (SELECT " col " AS k, count(*) AS n, count(clo) AS closed, count(sch) AS scheduled,"           \
    "   sum(dc != 0) AS hit FROM cohort GROUP BY " col ") "                                                  \
    "SELECT b.k, b.n, b.closed, coalesce(m.m, 0), coalesce(d.p50, 0), b.scheduled, b.hit,"                   \
    " coalesce(p.s, 0), coalesce(p.n, 0) FROM base b LEFT JOIN money m ON m.k = b.k"                         \
    " LEFT JOIN nps p ON p.k = b.k LEFT JOIN med d ON d.k = b.k ORDER BY b.k"

void kpi_sql_channels(kpi_sql *q, kpi_figs *out)
{
    group_ctx c = {out, "CHANNELS", 0}, s = {out, "SOURCES", 1};
    step_rows(q, GROUP_SQL("ch"), group_row, &c, "tallying the channels");
    step_rows(q, GROUP_SQL("src"), group_row, &s, "tallying the sources");
}

/* ---- VARIANTS --------------------------------------------------------------------------------- */

typedef struct variant {
    char label[64];
    int64_t n, closed;
} variant;

typedef struct variants {
    variant v[16];
    int count;
} variants;

static void variant_row(sqlite3_stmt *st, void *ctx)
{
    variants *vs = ctx;
    if (vs->count < 16) {
        variant *v = &vs->v[vs->count++];
        snprintf(v->label, sizeof v->label, "%s", (const char *)sqlite3_column_text(st, 0));
        v->n = sqlite3_column_int64(st, 1);
        v->closed = sqlite3_column_int64(st, 2);
    }
}

void kpi_sql_variants(kpi_sql *q, kpi_figs *out)
{
    variants vs;
    memset(&vs, 0, sizeof vs);
    step_rows(q,
              "SELECT variant, count(*), count(clo) FROM cohort WHERE variant IS NOT NULL GROUP BY variant"
              " ORDER BY variant",
              variant_row, &vs, "tallying the variants");
    /* The control: "control" when present, else the first label in byte order. */
    int c = 0;
    for (int i = 0; i < vs.count; i++) {
        c = strcmp(vs.v[i].label, "control") == 0 ? i : c;
    }
    for (int i = 0; i < vs.count; i++) {
        const variant *v = &vs.v[i], *k = &vs.v[c];
        count_cell(out, v->n, "VARIANTS", v->label, "COUNT");
        count_cell(out, v->closed, "VARIANTS", v->label, "CLOSED");
        kpi_figs_rate(out, v->closed, v->n, "VARIANTS/%s/CONVERSION", v->label);
        if (i == c) {
            kpi_figs_add(out, 0, 0, 0, 0.0, "VARIANTS/%s/LIFT", v->label);
            kpi_figs_add(out, 0, 0, 0, 0.0, "VARIANTS/%s/P_VALUE", v->label);
            continue;
        }
        int lifted = v->n > 0 && k->n > 0 && k->closed > 0;
        double lift =
            lifted ? ((double)v->closed / (double)v->n) / ((double)k->closed / (double)k->n) - 1.0 : 0.0;
        kpi_figs_add(out, lifted, v->closed, v->n, lift, "VARIANTS/%s/LIFT", v->label);
        /* Two-sided two-proportion z-test with the pooled standard error. */
        double p1 = (double)v->closed / (double)v->n, p2 = (double)k->closed / (double)k->n;
        double pooled = (double)(v->closed + k->closed) / (double)(v->n + k->n);
        double var = pooled * (1.0 - pooled) * (1.0 / (double)v->n + 1.0 / (double)k->n);
        int tested = var > 0.0;
        double p = tested ? erfc(fabs((p1 - p2) / sqrt(var)) / sqrt(2.0)) : 0.0;
        p = p < 0.0 ? 0.0 : p > 1.0 ? 1.0 : p;
        kpi_figs_add(out, tested, 0, v->n + k->n, p, "VARIANTS/%s/P_VALUE", v->label);
    }
}
