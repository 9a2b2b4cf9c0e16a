/*
 * kpi_sql.c: the hand-written SQL side of bench_kpi, for the report's
 * referral figures: counts, stage rates, SLA, loop closure, thanks within
 * 48 hours, and the exact percentiles of the three durations.
 *
 * Written as one would write a dashboard by hand against the schema
 * (src/backends/sqlite/sqlite_migrations.c, schema 4): the period's cohort is
 * read once from `referrals` into a temporary table with what every figure
 * needs (the first response as the earliest of three state times, the SLA
 * deadline from the programme's settings, whether the visit summary or
 * closure went out, whether the thank-you went out within 48 hours); then
 * one GROUP BY with SUM(CASE ...) counts give every filter's counts at once
 * (the practice, each programme, channel, source and practitioner: a
 * UNION ALL of the five groupings), and window functions give the nearest-
 * rank percentiles (ROW_NUMBER() over each group's values, the value at rank
 * ceil(p/100 n), computed in integers as (p n + 99) / 100).
 *
 * The referral stores "never reached" as NULL (see the schema), so count(x)
 * is "ever reached x" and no filter is needed.
 */
#include "bench_kpi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sqlite3_stmt *kpi_sql_prepare(kpi_sql *q, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_kpi: preparing\n%s\n", sql);
        bench_die_sqlite(q->db, "preparing a hand-written query");
    }
    int n = sqlite3_bind_parameter_count(st);
    for (int i = 1; i <= n && i <= 4; i++) {
        if (i == 1) {
            sqlite3_bind_text(st, 1, KPI_BENCH_PRACTICE, -1, SQLITE_STATIC);
        } else {
            sqlite3_bind_int64(st, i, i == 2 ? q->from : i == 3 ? q->to : q->now);
        }
    }
    return st;
}

int kpi_sql_null(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL;
}

void kpi_sql_timed(kpi_sql *q, const char *what, void (*fn)(kpi_sql *, kpi_figs *), kpi_figs *out)
{
    double t0 = bench_seconds();
    fn(q, out);
    double dt = bench_seconds() - t0;
    if (q->n_parts == KPI_DASH_PARTS) {
        bench_die("counting the SQL parts (too many)", RF_EINVALID);
    }
    q->part[q->n_parts].what = what;
    q->part[q->n_parts].calls = 1;
    q->part[q->n_parts].seconds = dt;
    q->n_parts++;
}

static void exec(kpi_sql *q, const char *sql)
{
    sqlite3_stmt *st = kpi_sql_prepare(q, sql);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) {
        bench_die_sqlite(q->db, "running a hand-written statement");
    }
    sqlite3_finalize(st);
}

/* The cohort, once: ?1 practice, ?2 from, ?3 to. The first response is the
 * earliest of ACCEPTED, NEEDS_INFO and DECLINED (min() of NULLs made large). */
static const char *const cohort_sql =
    "CREATE TEMP TABLE cohort AS "
    "WITH sla(id, urgent, routine) AS ("
    "  SELECT id,"
    "    CAST(substr(settings, instr(settings, 'sla_urgent_hours=') + 17) AS INTEGER),"
    "    CAST(substr(settings, instr(settings, 'sla_routine_hours=') + 18) AS INTEGER)"
    "  FROM programs WHERE practice = ?1) "
    "SELECT r.id, r.program_id AS prog, r.channel AS ch, r.source AS src, r.practitioner_id AS pr,"
    "  r.referrer_id AS referrer, r.referee_id AS referee, r.variant, r.state, r.urgency,"
    "  r.documents_complete AS dc, r.received_at AS rcv, r.scheduled_at AS sch, r.seen_at AS seen,"
    "  r.closed_at AS clo, r.no_show_at AS ns, r.needs_info_at AS ni, r.first_appointment_at AS fa,"
    "  nullif(min(coalesce(r.accepted_at, 9223372036854775807), coalesce(r.needs_info_at, "
    "9223372036854775807),"
    "             coalesce(r.declined_at, 9223372036854775807)), 9223372036854775807) AS fr,"
    "  r.received_at + 3600 * CASE WHEN r.urgency = 2 THEN s.urgent ELSE s.routine END AS due,"
    "  EXISTS (SELECT 1 FROM tasks t WHERE t.practice = r.practice AND t.referral_id = r.id"
    "          AND t.kind IN (3, 4) AND t.sent_at IS NOT NULL) AS loop_sent,"
    "  (SELECT count(*) FROM tasks t WHERE t.practice = r.practice AND t.referral_id = r.id AND t.kind = 1)"
    "    AS thanks,"
    "  (SELECT count(*) FROM tasks t WHERE t.practice = r.practice AND t.referral_id = r.id AND t.kind = 1"
    "          AND t.sent_at IS NOT NULL AND t.sent_at <= r.received_at + 172800) AS thanked "
    "FROM referrals r LEFT JOIN sla s ON s.id = r.program_id "
    "WHERE r.practice = ?1 AND r.direction = 1 AND r.state != 14"
    "  AND r.received_at >= ?2 AND r.received_at < ?3";

/* The five groupings of the filters: 0 the practice, 1 programme, 2 channel, 3 source, 4 practitioner. */
#define GROUPINGS                                                                                            \
    "g(dim, k, id, prog, ch, src, pr, referrer, referee, variant, state, urgency, dc, rcv, sch, seen, clo, " \
    "ns, "                                                                                                   \
    "ni, fa, fr, due, loop_sent, thanks, thanked) AS ("                                                      \
    "  SELECT 0, '', * FROM cohort UNION ALL SELECT 1, prog, * FROM cohort"                                  \
    "  UNION ALL SELECT 2, CAST(ch AS TEXT), * FROM cohort UNION ALL SELECT 3, CAST(src AS TEXT), * FROM "   \
    "cohort"                                                                                                 \
    "  UNION ALL SELECT 4, pr, * FROM cohort WHERE pr IS NOT NULL)"

static const char *const counts_sql =
    "WITH " GROUPINGS " "
    "SELECT dim, k, count(*), count(sch), count(seen), count(clo),"
    "  sum(CASE WHEN seen IS NOT NULL OR clo IS NOT NULL THEN 1 ELSE 0 END),"
    "  sum(CASE WHEN state IN (10, 11, 12) THEN 1 ELSE 0 END),"
    "  sum(CASE WHEN ns IS NOT NULL AND sch IS NOT NULL THEN 1 ELSE 0 END),"
    "  sum(CASE WHEN dc != 0 THEN 1 ELSE 0 END), count(ni),"
    "  sum(CASE WHEN urgency = 2 AND due IS NOT NULL AND fr IS NOT NULL AND fr <= due THEN 1 ELSE 0 END),"
    "  sum(CASE WHEN urgency = 2 AND due IS NOT NULL AND (fr IS NOT NULL OR ?4 >= due) THEN 1 ELSE 0 END),"
    "  sum(CASE WHEN urgency != 2 AND due IS NOT NULL AND fr IS NOT NULL AND fr <= due THEN 1 ELSE 0 END),"
    "  sum(CASE WHEN urgency != 2 AND due IS NOT NULL AND (fr IS NOT NULL OR ?4 >= due) THEN 1 ELSE 0 END),"
    "  count(fr), coalesce(sum(fr - rcv), 0), coalesce(sum(sch - rcv), 0), count(fa), coalesce(sum(fa - "
    "rcv), 0),"
    "  sum(CASE WHEN seen IS NOT NULL AND loop_sent THEN 1 ELSE 0 END),"
    "  sum(CASE WHEN thanks > 0 AND thanked > 0 THEN 1 ELSE 0 END), sum(CASE WHEN thanks > 0 THEN 1 ELSE 0 "
    "END) "
    "FROM g GROUP BY dim, k";

enum {
    C_RECEIVED,
    C_SCHED,
    C_SEEN,
    C_CLOSED,
    C_COMPLETE,
    C_LEAK,
    C_NOSHOW,
    C_HIT,
    C_NEEDS_INFO,
    C_SLA_U_OK,
    C_SLA_U,
    C_SLA_R_OK,
    C_SLA_R,
    C_FR_N,
    C_FR_SUM,
    C_SCH_SUM,
    C_FA_N,
    C_FA_SUM,
    C_LOOP,
    C_THANKED,
    C_THANKS,
    C_COLUMNS
};

/* One row of a grouping's results, found by (dim, key). */
typedef struct group_row {
    int dim;
    char key[64];
    int64_t c[C_COLUMNS];
    int64_t p50[3], p90[3], n[3];
} group_row;

typedef struct group_rows {
    group_row *v;
    size_t n, cap;
} group_rows;

static group_row *row_of(group_rows *rows, int dim, const char *key, int create)
{
    for (size_t i = 0; i < rows->n; i++) {
        if (rows->v[i].dim == dim && strcmp(rows->v[i].key, key) == 0) {
            return &rows->v[i];
        }
    }
    if (!create) {
        return NULL;
    }
    if (rows->n == rows->cap) {
        rows->cap = rows->cap ? rows->cap * 2 : 64;
        rows->v = realloc(rows->v, rows->cap * sizeof *rows->v);
        if (rows->v == NULL) {
            bench_die("growing the grouped rows", RF_ENOMEM);
        }
    }
    group_row *r = &rows->v[rows->n++];
    memset(r, 0, sizeof *r);
    r->dim = dim;
    snprintf(r->key, sizeof r->key, "%s", key);
    return r;
}

/* Every filter of the dashboard as (grouping, key) and the scope's name. */
static void scope_of(const kpi_scope_set *s, int i, int *dim, char *key, size_t ksize, char *name,
                     size_t nsize)
{
    int at = 0;
    if (i == at++) {
        *dim = 0;
        snprintf(key, ksize, "%s", "");
        snprintf(name, nsize, "all");
        return;
    }
    if (i < at + s->n_programs) {
        *dim = 1;
        snprintf(key, ksize, "%s", s->programs[i - at]);
        snprintf(name, nsize, "program=%s", key);
        return;
    }
    at += s->n_programs;
    if (i < at + 9) {
        *dim = 2;
        snprintf(key, ksize, "%d", i - at + 1);
        snprintf(name, nsize, "channel=%s", kpi_channel_key(i - at + 1));
        return;
    }
    at += 9;
    if (i < at + 5) {
        *dim = 3;
        snprintf(key, ksize, "%d", i - at + 1);
        snprintf(name, nsize, "source=%s", kpi_source_key(i - at + 1));
        return;
    }
    at += 5;
    *dim = 4;
    snprintf(key, ksize, "%s", s->staff[i - at]);
    snprintf(name, nsize, "practitioner=%s", key);
}

int kpi_scope_count(const kpi_scope_set *s)
{
    return s->practice_only ? 1 : 1 + s->n_programs + 9 + 5 + s->n_staff;
}

void kpi_scope_get(const kpi_scope_set *s, int i, kpi_filter_scope *out)
{
    char key[64];
    int dim = 0;
    memset(out, 0, sizeof *out);
    scope_of(s, i, &dim, key, sizeof key, out->name, sizeof out->name);
    out->program_id = dim == 1 ? s->programs[i - 1] : NULL;
    out->channel = dim == 2 ? atoi(key) : 0;
    out->source = dim == 3 ? atoi(key) : 0;
    out->practitioner_id = dim == 4 ? s->staff[i - 1 - s->n_programs - 9 - 5] : NULL;
}

static group_rows grouped; /* the cohort's groups: filled by the counts, completed by the percentiles */

void kpi_sql_cohort(kpi_sql *q, kpi_figs *out)
{
    (void)out;
    exec(q, "DROP TABLE IF EXISTS temp.cohort");
    exec(q, cohort_sql);
    sqlite3_stmt *st = kpi_sql_prepare(q, counts_sql);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 1);
        group_row *r = row_of(&grouped, sqlite3_column_int(st, 0), key != NULL ? key : "", 1);
        for (int c = 0; c < C_COLUMNS; c++) {
            r->c[c] = sqlite3_column_int64(st, 2 + c);
        }
    }
    if (rc != SQLITE_DONE) {
        bench_die_sqlite(q->db, "counting the cohort");
    }
    sqlite3_finalize(st);
}

/* ?5 = 50, ?6 = 90: the ranks ceil(p/100 n) of each group's ascending values. */
static const char *const percentile_sql[3] = {
    "WITH " GROUPINGS ", v AS (SELECT dim, k, fr - rcv AS d FROM g WHERE fr IS NOT NULL) "
    "SELECT dim, k, max(CASE WHEN rn = (50 * n + 99) / 100 THEN d END), max(CASE WHEN rn = (90 * n + 99) / "
    "100 "
    "THEN d END), max(n) FROM (SELECT dim, k, d, row_number() OVER (PARTITION BY dim, k ORDER BY d) AS rn,"
    " count(*) OVER (PARTITION BY dim, k) AS n FROM v) GROUP BY dim, k",
    "WITH " GROUPINGS ", v AS (SELECT dim, k, sch - rcv AS d FROM g WHERE sch IS NOT NULL) "
    "SELECT dim, k, max(CASE WHEN rn = (50 * n + 99) / 100 THEN d END), max(CASE WHEN rn = (90 * n + 99) / "
    "100 "
    "THEN d END), max(n) FROM (SELECT dim, k, d, row_number() OVER (PARTITION BY dim, k ORDER BY d) AS rn,"
    " count(*) OVER (PARTITION BY dim, k) AS n FROM v) GROUP BY dim, k",
    "WITH " GROUPINGS ", v AS (SELECT dim, k, fa - rcv AS d FROM g WHERE fa IS NOT NULL) "
    "SELECT dim, k, max(CASE WHEN rn = (50 * n + 99) / 100 THEN d END), max(CASE WHEN rn = (90 * n + 99) / "
    "100 "
    "THEN d END), max(n) FROM (SELECT dim, k, d, row_number() OVER (PARTITION BY dim, k ORDER BY d) AS rn,"
    " count(*) OVER (PARTITION BY dim, k) AS n FROM v) GROUP BY dim, k"};

void kpi_sql_percentiles(kpi_sql *q, kpi_figs *out)
{
    (void)out;
    for (int d = 0; d < 3; d++) {
        sqlite3_stmt *st = kpi_sql_prepare(q, percentile_sql[d]);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            const char *key = (const char *)sqlite3_column_text(st, 1);
            group_row *r = row_of(&grouped, sqlite3_column_int(st, 0), key != NULL ? key : "", 1);
            r->p50[d] = sqlite3_column_int64(st, 2);
            r->p90[d] = sqlite3_column_int64(st, 3);
            r->n[d] = sqlite3_column_int64(st, 4);
        }
        if (rc != SQLITE_DONE) {
            bench_die_sqlite(q->db, "computing percentiles");
        }
        sqlite3_finalize(st);
    }
}

static void put_mean(kpi_figs *out, const char *scope, rf_kpi kpi, int64_t sum, int64_t n)
{
    kpi_figs_add(out, n > 0, sum, n, n > 0 ? (double)sum / (double)n : 0.0, "%s/%s", scope, rf_kpi_name(kpi));
}

static void put_pct(kpi_figs *out, const char *scope, rf_kpi kpi, int64_t v, int64_t n)
{
    kpi_figs_add(out, n > 0, 0, n, (double)v, "%s/%s", scope, rf_kpi_name(kpi));
}

/* The report figures of every filter, from the groups (a filter with no row has an empty cohort). */
void kpi_sql_report_figures(kpi_sql *q, kpi_figs *out)
{
    static const group_row empty;
    int n = kpi_scope_count(q->scopes);
    for (int i = 0; i < n; i++) {
        char key[64], scope[96];
        int dim = 0;
        scope_of(q->scopes, i, &dim, key, sizeof key, scope, sizeof scope);
        const group_row *r = row_of(&grouped, dim, key, 0);
        r = r != NULL ? r : &empty;
        const int64_t *c = r->c;
        kpi_figs_add(out, 1, c[C_RECEIVED], 1, (double)c[C_RECEIVED], "%s/RECEIVED", scope);
        kpi_figs_rate(out, c[C_SCHED], c[C_RECEIVED], "%s/SCHEDULED_RATE", scope);
        kpi_figs_rate(out, c[C_SEEN], c[C_RECEIVED], "%s/SEEN_RATE", scope);
        kpi_figs_rate(out, c[C_CLOSED], c[C_RECEIVED], "%s/CLOSED_RATE", scope);
        kpi_figs_rate(out, c[C_COMPLETE], c[C_RECEIVED], "%s/COMPLETION_RATE", scope);
        kpi_figs_rate(out, c[C_LEAK], c[C_RECEIVED], "%s/LEAKAGE_RATE", scope);
        kpi_figs_rate(out, c[C_NOSHOW], c[C_SCHED], "%s/NO_SHOW_RATE", scope);
        kpi_figs_rate(out, c[C_HIT], c[C_RECEIVED], "%s/HIT_RATE", scope);
        kpi_figs_rate(out, c[C_NEEDS_INFO], c[C_RECEIVED], "%s/MISSING_DOCUMENT_RATE", scope);
        kpi_figs_rate(out, c[C_SLA_U_OK], c[C_SLA_U], "%s/SLA_URGENT", scope);
        kpi_figs_rate(out, c[C_SLA_R_OK], c[C_SLA_R], "%s/SLA_ROUTINE", scope);
        kpi_figs_rate(out, c[C_LOOP], c[C_SEEN], "%s/LOOP_CLOSURE", scope);
        kpi_figs_rate(out, c[C_THANKED], c[C_THANKS], "%s/THANKS_WITHIN_48H", scope);
        put_pct(out, scope, RF_KPI_FIRST_RESPONSE_P50, r->p50[0], r->n[0]);
        put_pct(out, scope, RF_KPI_FIRST_RESPONSE_P90, r->p90[0], r->n[0]);
        put_mean(out, scope, RF_KPI_FIRST_RESPONSE_MEAN, c[C_FR_SUM], c[C_FR_N]);
        put_pct(out, scope, RF_KPI_TO_SCHEDULE_P50, r->p50[1], r->n[1]);
        put_pct(out, scope, RF_KPI_TO_SCHEDULE_P90, r->p90[1], r->n[1]);
        put_mean(out, scope, RF_KPI_TO_SCHEDULE_MEAN, c[C_SCH_SUM], c[C_SCHED]);
        put_pct(out, scope, RF_KPI_TO_APPOINTMENT_P50, r->p50[2], r->n[2]);
        put_pct(out, scope, RF_KPI_TO_APPOINTMENT_P90, r->p90[2], r->n[2]);
        put_mean(out, scope, RF_KPI_TO_APPOINTMENT_MEAN, c[C_FA_SUM], c[C_FA_N]);
    }
    free(grouped.v);
    memset(&grouped, 0, sizeof grouped);
}
