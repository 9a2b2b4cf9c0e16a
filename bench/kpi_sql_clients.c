/*
 * kpi_sql_clients.c: hand-written SQL for the report's client and money
 * figures (REFERRAL_RATE .. NPS_REFERRAL_CORRELATION, REWARD_COST, ROI),
 * run once per filter of the dashboard with the filter bound as parameters
 * (?5 programme or NULL, ?6 channel or 0, ?7 source or 0, ?8 practitioner or
 * NULL, ?9 currency, ?10 the preceding window's start, ?11 a year before from).
 *
 * Definitions as include/referral/kpis.h states them: a client is a CLIENT
 * party (assigned to the practitioner, under that filter); referred means
 * the referee of an inbound referral, not ENTERED_IN_ERROR, of any time,
 * passing the programme, channel and source filters; active in a window
 * means a first visit or a VISIT_COMPLETED in it; a lead is a LEAD or CLIENT
 * created in the period. What does not depend on the filter (each client's
 * visits, revenue and scores) is gathered once into a temporary table; per
 * filter, who is referred and what each client made are joined to it and
 * the figures are SUMs over the result. Pearson's r is computed in C from the rows of the
 * clients scored in the period, in id order, with the library's two-pass
 * formula, so equal inputs give equal doubles.
 */
#include "bench_kpi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The filter on a referral r (programme, channel, source; the practitioner is added where it applies). */
#define R_FILTER                                                                                             \
    "(?5 IS NULL OR r.program_id = ?5) AND (?6 = 0 OR r.channel = ?6) AND (?7 = 0 OR r.source = ?7)"

/* Whether the party c is referred: the referee of an inbound referral passing R_FILTER (found on the
 * referee index, per party). */
#define REFERRED_C                                                                                           \
    "EXISTS (SELECT 1 FROM referrals r WHERE r.practice = ?1 AND r.referee_id = c.id AND r.direction = 1"    \
    " AND r.state != 14 AND " R_FILTER ")"

/* What does not depend on the filter, once per dashboard: every client with their first visit,
 * practitioner, whether they visited in each window, their revenue and NPS scores in the period. */
static const char *const base_sql =
    "CREATE TEMP TABLE clientbase AS "
    "WITH vis AS (SELECT party_id AS id, max(at >= ?2 AND at < ?3) AS a, max(at >= ?10 AND at < ?2) AS b,"
    "   max(at >= ?11 AND at < ?2) AS y FROM client_events WHERE practice = ?1 AND type = 1"
    "   AND at >= min(?10, ?11) AND at < ?3 GROUP BY party_id),"
    " rev AS (SELECT party_id AS id, sum(amount) AS m FROM client_events WHERE practice = ?1 AND type = 9"
    "   AND currency = ?9 AND at >= ?2 AND at < ?3 GROUP BY party_id),"
    " nps AS (SELECT party_id AS id, sum(value) AS s, count(*) AS n FROM client_events WHERE practice = ?1"
    "   AND type = 2 AND at >= ?2 AND at < ?3 GROUP BY party_id) "
    "SELECT c.id, c.first_visit_at AS fv, c.practitioner_id AS st, coalesce(v.a, 0) AS a, coalesce(v.b, 0) "
    "AS b,"
    "  coalesce(v.y, 0) AS y, coalesce(rv.m, 0) AS rev, coalesce(n.s, 0) AS ns, coalesce(n.n, 0) AS nn "
    "FROM parties c LEFT JOIN vis v ON v.id = c.id LEFT JOIN rev rv ON rv.id = c.id LEFT JOIN nps n ON n.id "
    "= c.id "
    "WHERE c.practice = ?1 AND c.kind = 1";

/* Per filter: what each client made (all four filters). NOT INDEXED: one pass over the table and a
 * sort beat walking the referrer index with a table lookup per row once the file outgrows memory. */
#define PER_FILTER                                                                                           \
    "made AS (SELECT referrer_id AS id, count(*) AS n FROM referrals r NOT INDEXED"                          \
    " WHERE practice = ?1 AND direction = 1"                                                                 \
    " AND state != 14 AND received_at >= ?2 AND received_at < ?3 AND " R_FILTER                              \
    " AND (?8 IS NULL OR practitioner_id = ?8) GROUP BY referrer_id)"

static const char *const clients_sql =
    "WITH " PER_FILTER ","
    " x AS (SELECT " REFERRED_C " AS g, c.fv, (c.fv != 0 AND c.fv >= ?2 AND c.fv < ?3) AS new,"
    "   ((c.fv != 0 AND c.fv >= ?2 AND c.fv < ?3) OR c.a) AS act,"
    "   ((c.fv != 0 AND c.fv >= ?10 AND c.fv < ?2) OR c.b) AS actb,"
    "   ((c.fv != 0 AND c.fv >= ?11 AND c.fv < ?2) OR c.y) AS acty,"
    "   c.rev, c.ns, c.nn, coalesce(m.n, 0) AS made"
    "   FROM clientbase c LEFT JOIN made m ON m.id = c.id WHERE ?8 IS NULL OR c.st = ?8) "
    "SELECT sum(new), sum(new AND g), sum(act), sum(act AND made > 0),"
    "  coalesce(sum(CASE WHEN g THEN rev ELSE 0 END), 0), coalesce(sum(CASE WHEN g THEN 0 ELSE rev END), 0),"
    "  sum(act AND g), sum(act AND NOT g), sum(actb AND g), sum(actb AND act AND g), sum(actb AND NOT g),"
    "  sum(actb AND act AND NOT g), sum(fv != 0 AND fv < ?2 AND acty), coalesce(sum(ns), 0),"
    "  coalesce(sum(nn), 0) FROM x";

/* Referrals the period's new clients made within 548 days of their first visit. */
static const char *const made_18m_sql =
    "SELECT count(*) FROM parties c JOIN referrals r ON r.practice = c.practice AND r.referrer_id = c.id "
    "WHERE c.practice = ?1 AND c.kind = 1 AND (?8 IS NULL OR c.practitioner_id = ?8)"
    " AND c.first_visit_at != 0 AND c.first_visit_at >= ?2 AND c.first_visit_at < ?3"
    " AND r.direction = 1 AND r.state != 14 AND " R_FILTER " AND (?8 IS NULL OR r.practitioner_id = ?8)"
    " AND r.received_at >= c.first_visit_at AND r.received_at < c.first_visit_at + 548 * 86400";

static const char *const leads_sql =
    "WITH l AS (SELECT c.kind, " REFERRED_C " AS g FROM parties c WHERE c.practice = ?1 AND c.kind IN (1, 2)"
    " AND c.created_at >= ?2 AND c.created_at < ?3) "
    "SELECT coalesce(sum(g), 0), coalesce(sum(g AND kind = 1), 0), coalesce(sum(NOT g), 0),"
    " coalesce(sum(NOT g AND kind = 1), 0) FROM l";

/* The scored clients, in id order, with what Pearson's r needs. */
static const char *const scored_sql =
    "WITH " PER_FILTER " "
    "SELECT c.ns, c.nn, coalesce(m.n, 0) FROM clientbase c LEFT JOIN made m ON m.id = c.id "
    "WHERE c.nn > 0 AND (?8 IS NULL OR c.st = ?8) ORDER BY c.id";

/* The ledger drives the joins (CROSS JOIN fixes the order): without statistics the planner would
 * walk the grants and scan the ledger for each. */
static const char *const cost_sql =
    "SELECT coalesce(sum(CASE WHEN l.type = 1 THEN l.amount ELSE -l.amount END), 0) "
    "FROM ledger_entries l CROSS JOIN reward_grants g CROSS JOIN referrals r "
    "WHERE g.practice = l.practice AND g.id = l.grant_id AND r.practice = g.practice AND r.id = g.referral_id"
    "  AND l.practice = ?1 AND l.type IN (1, 5) AND l.currency = ?9 AND l.at >= ?2 AND l.at < ?3"
    "  AND r.direction = 1 AND r.state != 14 AND " R_FILTER "  AND (?8 IS NULL OR r.practitioner_id = ?8)";

static sqlite3_stmt *prepare_scoped(kpi_sql *q, const char *sql, const kpi_filter_scope *s)
{
    sqlite3_stmt *st = kpi_sql_prepare(q, sql);
    rf_time len = q->to - q->from;
    if (s->program_id != NULL) {
        sqlite3_bind_text(st, 5, s->program_id, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, 5);
    }
    sqlite3_bind_int(st, 6, s->channel);
    sqlite3_bind_int(st, 7, s->source);
    if (s->practitioner_id != NULL) {
        sqlite3_bind_text(st, 8, s->practitioner_id, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, 8);
    }
    if (sqlite3_bind_parameter_count(st) >= 9) {
        sqlite3_bind_text(st, 9, KPI_BENCH_CURRENCY, -1, SQLITE_STATIC);
    }
    if (sqlite3_bind_parameter_count(st) >= 11) {
        sqlite3_bind_int64(st, 10, q->from - len);
        sqlite3_bind_int64(st, 11, q->from - KPI_BENCH_YEAR);
    }
    return st;
}

static void one_row(kpi_sql *q, sqlite3_stmt *st, int64_t *v, int n, const char *what)
{
    if (sqlite3_step(st) != SQLITE_ROW) {
        bench_die_sqlite(q->db, what);
    }
    for (int i = 0; i < n; i++) {
        v[i] = sqlite3_column_int64(st, i);
    }
    sqlite3_finalize(st);
}

/* Pearson's r as the library computes it (two passes, client id order). */
static void correlation(kpi_sql *q, const kpi_filter_scope *s, kpi_figs *out)
{
    sqlite3_stmt *st = prepare_scoped(q, scored_sql, s);
    size_t cap = 1024, n = 0;
    double *x = bench_xcalloc(cap, sizeof *x), *y = bench_xcalloc(cap, sizeof *y);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap *= 2;
            x = realloc(x, cap * sizeof *x);
            y = realloc(y, cap * sizeof *y);
            if (x == NULL || y == NULL) {
                bench_die("growing the scored clients", RF_ENOMEM);
            }
        }
        x[n] = (double)sqlite3_column_int64(st, 0) / (double)sqlite3_column_int64(st, 1);
        y[n] = (double)sqlite3_column_int64(st, 2);
        n++;
    }
    if (rc != SQLITE_DONE) {
        bench_die_sqlite(q->db, "reading the scored clients");
    }
    sqlite3_finalize(st);
    int varies_x = 0, varies_y = 0;
    double sx = 0.0, sy = 0.0;
    for (size_t i = 0; i < n; i++) {
        varies_x |= x[i] != x[0];
        varies_y |= y[i] != y[0];
        sx += x[i];
        sy += y[i];
    }
    if (n < 2 || !varies_x || !varies_y) {
        kpi_figs_add(out, 0, 0, (int64_t)n, 0.0, "%s/NPS_REFERRAL_CORRELATION", s->name);
    } else {
        double mx = sx / (double)n, my = sy / (double)n, sxy = 0.0, sxx = 0.0, syy = 0.0;
        for (size_t i = 0; i < n; i++) {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        double rho = sxy / sqrt(sxx * syy);
        kpi_figs_add(out, 1, 0, (int64_t)n,
                     rho > 1.0    ? 1.0
                     : rho < -1.0 ? -1.0
                                  : rho,
                     "%s/NPS_REFERRAL_CORRELATION", s->name);
    }
    free(x);
    free(y);
}

enum {
    NEW,
    NEW_REF,
    ACT,
    ADV,
    REV_REF,
    REV_NON,
    ACT_REF,
    ACT_NON,
    BEF_REF,
    KEPT_REF,
    BEF_NON,
    KEPT_NON,
    YEAR,
    NPS_SUM,
    NPS_N,
    COLS
};

static void clients_of(kpi_sql *q, const kpi_filter_scope *s, kpi_figs *out)
{
    int64_t v[COLS], m18 = 0, leads[4], cost = 0;
    one_row(q, prepare_scoped(q, clients_sql, s), v, COLS, "computing the client figures");
    one_row(q, prepare_scoped(q, made_18m_sql, s), &m18, 1, "counting referrals within 18 months");
    one_row(q, prepare_scoped(q, leads_sql, s), leads, 4, "counting the leads");
    one_row(q, prepare_scoped(q, cost_sql, s), &cost, 1, "adding up the reward cost");
    const char *n = s->name;
    kpi_figs_rate(out, v[NEW_REF], v[NEW], "%s/REFERRAL_RATE", n);
    kpi_figs_rate(out, v[ADV], v[ACT], "%s/ADVOCATE_RATE", n);
    kpi_figs_rate(out, m18, v[NEW], "%s/REFERRALS_PER_CLIENT_18M", n);
    kpi_figs_rate(out, leads[1], leads[0], "%s/CLOSE_RATE_REFERRED", n);
    kpi_figs_rate(out, leads[3], leads[2], "%s/CLOSE_RATE_NON_REFERRED", n);
    kpi_figs_add(out, 1, v[REV_REF], 1, (double)v[REV_REF], "%s/REVENUE_REFERRED", n);
    kpi_figs_rate(out, v[REV_REF], v[ACT_REF], "%s/REVENUE_PER_CLIENT_REFERRED", n);
    kpi_figs_rate(out, v[REV_NON], v[ACT_NON], "%s/REVENUE_PER_CLIENT_NON_REFERRED", n);
    kpi_figs_rate(out, v[KEPT_REF], v[BEF_REF], "%s/RETENTION_REFERRED", n);
    kpi_figs_rate(out, v[KEPT_NON], v[BEF_NON], "%s/RETENTION_NON_REFERRED", n);
    kpi_figs_rate(out, v[NEW_REF], v[YEAR], "%s/K_FACTOR", n);
    kpi_figs_rate(out, v[NPS_SUM], v[NPS_N], "%s/MEAN_NPS", n);
    kpi_figs_add(out, 1, cost, 1, (double)cost, "%s/REWARD_COST", n);
    /* ROI = (revenue from referred clients - cost) / cost, only for a cost above 0. */
    int64_t gain = v[REV_REF] - cost;
    kpi_figs_add(out, cost > 0, cost > 0 ? gain : 0, cost > 0 ? cost : 0,
                 cost > 0 ? (double)gain / (double)cost : 0.0, "%s/ROI", n);
    correlation(q, s, out);
}

void kpi_sql_clients(kpi_sql *q, kpi_figs *out)
{
    kpi_filter_scope all;
    kpi_scope_get(q->scopes, 0, &all);
    sqlite3_stmt *st = prepare_scoped(q, "DROP TABLE IF EXISTS temp.clientbase", &all);
    sqlite3_step(st);
    sqlite3_finalize(st);
    st = prepare_scoped(q, base_sql, &all);
    if (sqlite3_step(st) != SQLITE_DONE) {
        bench_die_sqlite(q->db, "gathering the clients");
    }
    sqlite3_finalize(st);
    int n = kpi_scope_count(q->scopes);
    for (int i = 0; i < n; i++) {
        kpi_filter_scope s;
        kpi_scope_get(q->scopes, i, &s);
        clients_of(q, &s, out);
    }
}
