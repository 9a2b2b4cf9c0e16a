/*
 * kpi_dash.c: the library's side of bench_kpi, a full KPI dashboard for one
 * period through referral/kpis.h, each kind of call timed on its own.
 *
 * The dashboard is what a practice's KPI page shows: the report for the
 * whole practice, the report again for each programme, channel, source and
 * practitioner (the filters rf_kpi_filter offers), and every table for the
 * whole practice. Money is asked for in the file's currency (EUR), so the
 * money figures are defined. Every figure and every table cell goes into the
 * figure set under the names the SQL side uses.
 */
#include "bench_kpi.h"

#include <stdio.h>
#include <string.h>

static void fail(const char *what, rf_status rc)
{
    bench_die(what, rc);
}

static void take_report(const rf_kpi_report *r, const char *scope, kpi_figs *out)
{
    for (int k = 1; k < RF_KPI_COUNT; k++) {
        double v = 0.0;
        int defined = rf_kpi_report_value(r, (rf_kpi)k, &v);
        kpi_figs_add(out, defined, rf_kpi_report_numerator(r, (rf_kpi)k),
                     rf_kpi_report_denominator(r, (rf_kpi)k), v, "%s/%s", scope, rf_kpi_name((rf_kpi)k));
    }
}

static void take_table(const rf_kpi_table *t, kpi_figs *out)
{
    const char *kind = rf_kpi_table_kind_name(rf_kpi_table_kind_of(t));
    rf_kpi_row_iter *it = NULL;
    rf_status rc = rf_kpi_table_iter(&it, t);
    if (rc != RF_OK) {
        fail("iterating over a KPI table", rc);
    }
    int rank = 0;
    for (const rf_kpi_row *row; (row = rf_kpi_row_iter_next(it)) != NULL;) {
        rank++;
        /* The leaderboard's order and labels are part of what it says: both go into the name. */
        char key[256];
        if (rf_kpi_table_kind_of(t) == RF_KPI_TABLE_LEADERBOARD) {
            snprintf(key, sizeof key, "#%02d %s %s", rank, rf_kpi_row_key(row), rf_kpi_row_label(row));
        } else {
            snprintf(key, sizeof key, "%s", rf_kpi_row_key(row));
        }
        for (int c = 1; c < RF_KPI_COLUMNS; c++) {
            if (!rf_kpi_table_has_column(t, (rf_kpi_column)c)) {
                continue;
            }
            double v = 0.0;
            int defined = rf_kpi_row_value(row, (rf_kpi_column)c, &v);
            kpi_figs_add(out, defined, rf_kpi_row_numerator(row, (rf_kpi_column)c),
                         rf_kpi_row_denominator(row, (rf_kpi_column)c), v, "%s/%s/%s", kind, key,
                         rf_kpi_column_name((rf_kpi_column)c));
        }
    }
    rf_kpi_row_iter_free(it);
}

static kpi_timing *part(kpi_dash *d, const char *what)
{
    for (int i = 0; i < d->n_parts; i++) {
        if (strcmp(d->part[i].what, what) == 0) {
            return &d->part[i];
        }
    }
    if (d->n_parts == KPI_DASH_PARTS) {
        fail("counting the dashboard's parts (too many)", RF_EINVALID);
    }
    d->part[d->n_parts].what = what;
    return &d->part[d->n_parts++];
}

static void report(rf_store *store, const rf_kpi_filter *f, const char *what, const char *scope,
                   kpi_figs *out, kpi_dash *d)
{
    double t0 = bench_seconds();
    rf_kpi_report *r = NULL;
    rf_status rc = rf_kpi_compute(&r, store, f);
    double dt = bench_seconds() - t0;
    if (rc != RF_OK) {
        fail("rf_kpi_compute", rc);
    }
    kpi_timing *p = part(d, what);
    p->calls++;
    p->seconds += dt;
    p->rss_mib = bench_peak_rss_mib();
    p->sqlite_mib = (double)sqlite3_memory_highwater(0) / (1024.0 * 1024.0);
    if (f->program_id == NULL && f->channel == RF_CHANNEL_UNSET && f->source == RF_SOURCE_UNSET &&
        f->practitioner_id == NULL) {
        d->report_all += dt;
    }
    take_report(r, scope, out);
    rf_kpi_report_free(r);
}

static void table(rf_store *store, const rf_kpi_filter *f, rf_kpi_table_kind kind, kpi_figs *out, kpi_dash *d)
{
    static char names[RF_KPI_TABLE_KIND_COUNT][40];
    snprintf(names[kind], sizeof names[kind], "rf_kpi_table_compute %s", rf_kpi_table_kind_name(kind));
    double t0 = bench_seconds();
    rf_kpi_table *t = NULL;
    rf_status rc = rf_kpi_table_compute(&t, store, kind, f);
    double dt = bench_seconds() - t0;
    if (rc != RF_OK) {
        fail("rf_kpi_table_compute", rc);
    }
    kpi_timing *p = part(d, names[kind]);
    p->calls++;
    p->seconds += dt;
    p->rss_mib = bench_peak_rss_mib();
    p->sqlite_mib = (double)sqlite3_memory_highwater(0) / (1024.0 * 1024.0);
    take_table(t, out);
    rf_kpi_table_free(t);
}

void kpi_dash_run(rf_store *store, const kpi_scope_set *scopes, rf_time from, rf_time to, kpi_figs *out,
                  kpi_dash *d)
{
    memset(d, 0, sizeof *d);
    double t0 = bench_seconds();
    rf_kpi_filter base = RF_KPI_FILTER_INIT;
    base.from = from;
    base.to = to;
    base.currency = KPI_BENCH_CURRENCY;
    base.top = KPI_BENCH_TOP;
    static const char *const what[] = {"rf_kpi_compute, practice", "rf_kpi_compute, per programme",
                                       "rf_kpi_compute, per channel", "rf_kpi_compute, per source",
                                       "rf_kpi_compute, per practitioner"};
    for (int i = 0; i < kpi_scope_count(scopes); i++) {
        kpi_filter_scope s;
        kpi_scope_get(scopes, i, &s);
        rf_kpi_filter f = base;
        f.program_id = s.program_id;
        f.channel = (rf_channel)s.channel;
        f.source = (rf_referral_source)s.source;
        f.practitioner_id = s.practitioner_id;
        int kind = s.program_id != NULL ? 1
                   : s.channel != 0     ? 2
                   : s.source != 0      ? 3
                   : s.practitioner_id  ? 4
                                        : 0;
        report(store, &f, what[kind], s.name, out, d);
    }
    for (int k = RF_KPI_TABLE_FUNNEL; k < RF_KPI_TABLE_KIND_COUNT; k++) {
        table(store, &base, (rf_kpi_table_kind)k, out, d);
    }
    d->seconds = bench_seconds() - t0;
}
