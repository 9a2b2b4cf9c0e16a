/* Helpers of the KPI table cases: computing a table and checking what holds
 * for every table, checking cells, and making referrals and events. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kpi_table_support.h"

rf_kpi_filter table_period(rf_time from, rf_time to)
{
    rf_kpi_filter f = RF_KPI_FILTER_INIT;
    f.from = from;
    f.to = to;
    return f;
}

/* The columns of each kind, as kpis.h lists them. */
static int kind_has(rf_kpi_table_kind kind, rf_kpi_column c)
{
    switch (kind) {
    case RF_KPI_TABLE_FUNNEL: return c == RF_KPI_COLUMN_COUNT || c == RF_KPI_COLUMN_CONVERSION;
    case RF_KPI_TABLE_LEADERBOARD: return c == RF_KPI_COLUMN_COUNT || c == RF_KPI_COLUMN_CLOSED;
    case RF_KPI_TABLE_PRACTITIONERS:
        return c == RF_KPI_COLUMN_CLIENTS || c == RF_KPI_COLUMN_ADVOCATES ||
               c == RF_KPI_COLUMN_ADVOCACY_RATE || c == RF_KPI_COLUMN_MEAN_NPS || c == RF_KPI_COLUMN_COUNT;
    case RF_KPI_TABLE_CHANNELS:
    case RF_KPI_TABLE_SOURCES:
        return c == RF_KPI_COLUMN_COUNT || c == RF_KPI_COLUMN_CONVERSION || c == RF_KPI_COLUMN_REVENUE ||
               c == RF_KPI_COLUMN_TO_SCHEDULE_P50 || c == RF_KPI_COLUMN_HIT_RATE ||
               c == RF_KPI_COLUMN_MEAN_NPS;
    case RF_KPI_TABLE_VARIANTS:
        return c == RF_KPI_COLUMN_COUNT || c == RF_KPI_COLUMN_CLOSED || c == RF_KPI_COLUMN_CONVERSION ||
               c == RF_KPI_COLUMN_LIFT || c == RF_KPI_COLUMN_P_VALUE;
    default: return 0;
    }
}

rf_kpi_table *table_of(fixture *fx, rf_kpi_table_kind kind, const rf_kpi_filter *f)
{
    rf_kpi_table *t = NULL;
    assert_ok(rf_kpi_table_compute(&t, fx->store, kind, f));
    assert_non_null(t);
    assert_int_equal(rf_kpi_table_kind_of(t), kind);
    for (int c = 0; c <= RF_KPI_COLUMNS; c++) {
        assert_int_equal(rf_kpi_table_has_column(t, (rf_kpi_column)c), kind_has(kind, (rf_kpi_column)c));
    }
    rf_kpi_row_iter *it = NULL;
    assert_ok(rf_kpi_table_iter(&it, t));
    size_t n = rf_kpi_table_row_count(t);
    for (size_t i = 0; i < n; i++) {
        const rf_kpi_row *row = rf_kpi_row_iter_next(it);
        assert_ptr_equal(row, rf_kpi_table_row(t, i));
        assert_non_null(rf_kpi_row_key(row));
        assert_non_null(rf_kpi_row_label(row));
        for (int c = -1; c <= RF_KPI_COLUMNS; c++) {
            if (!kind_has(kind, (rf_kpi_column)c)) {
                assert_cell(row, (rf_kpi_column)c, 0, 0.0, 0, 0);
            }
        }
    }
    assert_null(rf_kpi_row_iter_next(it));
    assert_null(rf_kpi_row_iter_next(it));
    assert_null(rf_kpi_table_row(t, n));
    rf_kpi_row_iter_free(it);
    return t;
}

const rf_kpi_row *row_at(const rf_kpi_table *t, size_t i, const char *key, const char *label)
{
    const rf_kpi_row *row = rf_kpi_table_row(t, i);
    if (row == NULL) {
        print_error("the table has %zu rows; row %zu (%s) is missing\n", rf_kpi_table_row_count(t), i, key);
        fail();
    }
    assert_string_equal(rf_kpi_row_key(row), key);
    assert_string_equal(rf_kpi_row_label(row), label != NULL ? label : key);
    return row;
}

void assert_cell(const rf_kpi_row *row, rf_kpi_column column, int defined, double value, int64_t num,
                 int64_t den)
{
    double got = -1.0;
    int is = rf_kpi_row_value(row, column, &got);
    if (is != defined || (defined && fabs(got - value) > 1e-12 * fmax(1.0, fabs(value))) ||
        (!defined && got != 0.0) || rf_kpi_row_numerator(row, column) != num ||
        rf_kpi_row_denominator(row, column) != den) {
        print_error("row %s, %s: got %s %.15g (%lld / %lld), expected %s %.15g (%lld / %lld)\n",
                    rf_kpi_row_key(row), rf_kpi_column_name(column), is ? "defined" : "undefined", got,
                    (long long)rf_kpi_row_numerator(row, column),
                    (long long)rf_kpi_row_denominator(row, column), defined ? "defined" : "undefined", value,
                    (long long)num, (long long)den);
        fail();
    }
    assert_int_equal(rf_kpi_row_value(row, column, NULL), defined);
}

void assert_count(const rf_kpi_row *row, rf_kpi_column column, int64_t n)
{
    assert_cell(row, column, 1, (double)n, n, 1);
}

void assert_rate(const rf_kpi_row *row, rf_kpi_column column, int64_t num, int64_t den)
{
    assert_cell(row, column, den > 0, den > 0 ? (double)num / (double)den : 0.0, num, den);
}

rf_referral *table_refer(fixture *fx, const rf_program *program, const char *referrer_id, table_referral how)
{
    static unsigned counter;
    char name[32];
    snprintf(name, sizeof name, "Table Lead %u", ++counter);
    person who = {RF_PARTY_LEAD, NULL, NULL, 0, RF_CHANNEL_UNSET, 0};
    rf_party *lead = add_person(fx, name, who);
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(program);
    o.referee_id = rf_party_id(lead);
    o.referrer_id = referrer_id;
    o.source = how.source != RF_SOURCE_UNSET ? how.source : RF_SOURCE_MANUAL;
    o.channel = how.channel;
    o.variant = how.variant;
    o.practitioner_id = how.practitioner_id;
    o.documents_required = "letter";
    o.documents_received = how.documents_incomplete ? NULL : "letter";
    rf_referral *r = NULL;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    assert_int_equal(rf_referral_documents_complete_at_receipt(r), !how.documents_incomplete);
    rf_party_free(lead);
    return r;
}

void table_revenue(fixture *fx, const rf_referral *r, int64_t amount, const char *currency)
{
    rf_client_event_options o =
        event_options(rf_referral_referee_id(r), RF_CLIENT_EVENT_REVENUE, RF_UNSET, NULL);
    o.amount = amount;
    o.currency = currency;
    rf_client_event *e = NULL;
    assert_ok(rf_client_event_add(&e, fx->store, &o));
    rf_client_event_free(e);
}

void table_nps(fixture *fx, const char *party_id, int score)
{
    rf_client_event_free(record_event(fx, party_id, RF_CLIENT_EVENT_NPS, score, NULL));
}
