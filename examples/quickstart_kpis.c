/*
 * quickstart_kpis.c: steps 33-35 of the quickstart — how is the programme doing?
 *
 * Everything the story did from March to May is now data. The practice asks
 * for its dashboard of those three months: the report's figures (each with
 * its numerator and denominator, or "not defined" when there is nothing to
 * divide by), then three of the tables (the funnel from asks to closed
 * referrals, the leaderboard with initials unless a referrer agreed to be
 * named, and the channel table), and finally two filters the library refuses.
 *
 * Reading never writes: the report is the same on every run, and the second
 * run of the quickstart prints the same figures.
 */
#include <referral.h>

#include <stdio.h>
#include <string.h>

#include "quickstart.h"

/* "0.667 (2 of 3)", "3", or "not defined": a figure as a person reads it. */
static void print_figure(const rf_kpi_report *report, rf_kpi kpi)
{
    double value = 0.0;
    printf("  %-26s ", rf_kpi_name(kpi));
    if (!rf_kpi_report_value(report, kpi, &value)) {
        printf("not defined (nothing to divide by)\n");
    } else if (kpi == RF_KPI_RECEIVED) {
        printf("%.0f\n", value);
    } else if (kpi == RF_KPI_REWARD_COST || kpi == RF_KPI_REVENUE_REFERRED) {
        printf("EUR %.2f\n", value / 100.0); /* minor units: EUR has two decimals */
    } else if (kpi == RF_KPI_FIRST_RESPONSE_P50 || kpi == RF_KPI_FIRST_RESPONSE_P90) {
        printf("%.1f h\n", value / 3600.0);
    } else {
        printf("%.3f (%lld of %lld)\n", value, (long long)rf_kpi_report_numerator(report, kpi),
               (long long)rf_kpi_report_denominator(report, kpi));
    }
}

/* Each row of @kind: its label and the cells of @columns. */
static int print_table(rf_store *store, rf_kpi_table_kind kind, const rf_kpi_filter *filter,
                       const rf_kpi_column *columns, size_t ncolumns)
{
    rf_kpi_table *table = NULL;
    rf_kpi_row_iter *rows = NULL;
    if (!ok(rf_kpi_table_compute(&table, store, kind, filter), "computing a KPI table") ||
        !ok(rf_kpi_table_iter(&rows, table), "reading a KPI table")) {
        rf_kpi_table_free(table);
        return 0;
    }
    printf("  %s:\n", rf_kpi_table_kind_name(kind));
    for (const rf_kpi_row *row; (row = rf_kpi_row_iter_next(rows)) != NULL;) {
        printf("    %-10s", rf_kpi_row_label(row));
        for (size_t i = 0; i < ncolumns; i++) {
            double v = 0.0;
            if (rf_kpi_row_value(row, columns[i], &v) && columns[i] == RF_KPI_COLUMN_TO_SCHEDULE_P50) {
                printf("  %s %.1f h", rf_kpi_column_name(columns[i]), v / 3600.0);
            } else if (rf_kpi_row_value(row, columns[i], &v)) {
                printf("  %s %.3g", rf_kpi_column_name(columns[i]), v);
            } else {
                printf("  %s -", rf_kpi_column_name(columns[i]));
            }
        }
        printf("\n");
    }
    rf_kpi_row_iter_free(rows);
    rf_kpi_table_free(table);
    return 1;
}

int kpi_steps(const clinic *c)
{
    rf_store *store = c->store;
    rf_kpi_filter filter = RF_KPI_FILTER_INIT;
    filter.from = march(1, 0, 0);
    filter.to = march(93, 0, 0); /* 1 June: March, April and May */
    filter.currency = "EUR";     /* the money figures are in the rewards' currency */

    printf("\n33. The dashboard for March to May: every figure says what it counts\n");
    rf_kpi_report *report = NULL;
    if (!ok(rf_kpi_compute(&report, store, &filter), "computing the KPI report")) {
        return 0;
    }
    static const rf_kpi shown[] = {
        RF_KPI_RECEIVED,           RF_KPI_SCHEDULED_RATE, RF_KPI_CLOSED_RATE,  RF_KPI_LEAKAGE_RATE,
        RF_KPI_FIRST_RESPONSE_P50, RF_KPI_SLA_URGENT,     RF_KPI_LOOP_CLOSURE, RF_KPI_THANKS_WITHIN_48H,
        RF_KPI_REFERRAL_RATE,      RF_KPI_REWARD_COST,    RF_KPI_ROI,          RF_KPI_MEAN_NPS,
    };
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        print_figure(report, shown[i]);
    }
    rf_kpi_report_free(report);

    printf("\n34. Three of the tables: the funnel, the leaderboard, the channels\n");
    static const rf_kpi_column funnel[] = {RF_KPI_COLUMN_COUNT, RF_KPI_COLUMN_CONVERSION};
    static const rf_kpi_column leaders[] = {RF_KPI_COLUMN_COUNT, RF_KPI_COLUMN_CLOSED};
    static const rf_kpi_column channels[] = {RF_KPI_COLUMN_COUNT, RF_KPI_COLUMN_CONVERSION,
                                             RF_KPI_COLUMN_TO_SCHEDULE_P50};
    if (!print_table(store, RF_KPI_TABLE_FUNNEL, &filter, funnel, 2) ||
        !print_table(store, RF_KPI_TABLE_LEADERBOARD, &filter, leaders, 2) ||
        !print_table(store, RF_KPI_TABLE_CHANNELS, &filter, channels, 3)) {
        return 0;
    }

    printf("\n35. Filters the library refuses, and why\n");
    rf_kpi_filter backwards = filter;
    backwards.from = filter.to;
    backwards.to = filter.from;
    rf_kpi_filter pounds = filter;
    pounds.currency = "GPB"; /* a typo for GBP */
    return fails_as(rf_kpi_compute(&report, store, &backwards), RF_EINVALID, "a period that ends first") &&
           fails_as(rf_kpi_compute(&report, store, &pounds), RF_EINVALID, "a misspelt currency");
}
