/* Conformance: the KPI tables CHANNELS, SOURCES and VARIANTS on small
 * practices made by hand: counts, conversion, revenue in the filter's
 * currency and NPS credited through the referral a referee came by, exact
 * medians of the time to schedule, hit rates; A/B variants with the control
 * chosen three ways, lift, and p-values checked against a chi-square
 * computation of the same 2x2 table (itself checked on a textbook example). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kpi_table_support.h"

#define FROM T0
#define TO (T0 + 10 * DAY)

/* --- CHANNELS and SOURCES -------------------------------------------------- */

static void revenue_at(fixture *fx, const rf_referral *r, int64_t amount, const char *currency, rf_time at)
{
    rf_client_event_options o =
        event_options(rf_referral_referee_id(r), RF_CLIENT_EVENT_REVENUE, RF_UNSET, NULL);
    o.amount = amount;
    o.currency = currency;
    o.at = at;
    rf_client_event *e = NULL;
    assert_ok(rf_client_event_add(&e, fx->store, &o));
    rf_client_event_free(e);
}

/* One row of a CHANNELS or SOURCES table, worked out by hand. */
typedef struct group_row {
    const char *key;
    int64_t count, closed;
    int has_revenue;
    int64_t revenue;
    int64_t p50, scheduled; /* the median in seconds, of this many */
    int64_t hit, nps_sum, nps_n;
} group_row;

static void assert_groups(fixture *fx, rf_kpi_table_kind kind, const rf_kpi_filter *f, const group_row *want,
                          size_t n)
{
    rf_kpi_table *t = table_of(fx, kind, f);
    assert_int_equal(rf_kpi_table_row_count(t), n);
    for (size_t i = 0; i < n; i++) {
        const group_row *w = &want[i];
        const rf_kpi_row *row = row_at(t, i, w->key, NULL);
        assert_count(row, RF_KPI_COLUMN_COUNT, w->count);
        assert_rate(row, RF_KPI_COLUMN_CONVERSION, w->closed, w->count);
        if (w->has_revenue) {
            assert_count(row, RF_KPI_COLUMN_REVENUE, w->revenue);
        } else {
            assert_cell(row, RF_KPI_COLUMN_REVENUE, 0, 0.0, 0, 0);
        }
        assert_cell(row, RF_KPI_COLUMN_TO_SCHEDULE_P50, w->scheduled > 0, (double)w->p50, 0, w->scheduled);
        assert_rate(row, RF_KPI_COLUMN_HIT_RATE, w->hit, w->count);
        assert_rate(row, RF_KPI_COLUMN_MEAN_NPS, w->nps_sum, w->nps_n);
    }
    rf_kpi_table_free(t);
}

static rf_referral *group_referral(fixture *fx, const rf_program *p, const rf_party *referrer,
                                   rf_channel channel, rf_referral_source source, int complete)
{
    table_referral how = {channel, source, NULL, NULL, !complete};
    return table_refer(fx, p, rf_party_id(referrer), how);
}

static void schedule_at(fixture *fx, rf_referral **r, rf_time at)
{
    fx->now = at;
    drive_to(fx, r, RF_REFERRAL_SCHEDULED);
}

static void channels_and_sources(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    person who = {RF_PARTY_CLIENT, NULL, NULL, 0, RF_CHANNEL_UNSET, T0 - 90 * DAY};
    rf_party *rae = add_person(fx, "Rae", who);
    /* Before the period, by phone: in no row, and its referee's events count nowhere. */
    fx->now = T0 - DAY;
    rf_referral *r0 = group_referral(fx, p, rae, RF_CHANNEL_PHONE, RF_SOURCE_MANUAL, 1);
    fx->now = T0 + HOUR;
    rf_referral *r1 = group_referral(fx, p, rae, RF_CHANNEL_SMS, RF_SOURCE_MANUAL, 1),
                *r2 = group_referral(fx, p, rae, RF_CHANNEL_SMS, RF_SOURCE_INTAKE, 0),
                *r3 = group_referral(fx, p, rae, RF_CHANNEL_SMS, RF_SOURCE_MANUAL, 1),
                *r4 = group_referral(fx, p, rae, RF_CHANNEL_EMAIL, RF_SOURCE_MANUAL, 1),
                *r5 = group_referral(fx, p, rae, RF_CHANNEL_EMAIL, RF_SOURCE_INTAKE, 0);
    /* Scheduled 1 h, 2 h, 3 h and 5 h after receipt; r4 never. */
    schedule_at(fx, &r1, T0 + 2 * HOUR);
    schedule_at(fx, &r3, T0 + 3 * HOUR);
    schedule_at(fx, &r2, T0 + 4 * HOUR);
    schedule_at(fx, &r5, T0 + 6 * HOUR);
    drive_to(fx, &r1, RF_REFERRAL_CLOSED);
    drive_to(fx, &r5, RF_REFERRAL_CLOSED);
    fx->now = T0 + 7 * HOUR;
    table_revenue(fx, r1, 10000, "EUR");
    table_revenue(fx, r1, 2500, "EUR");
    table_revenue(fx, r5, 7000, "EUR");
    table_revenue(fx, r5, 500, "GBP");
    table_revenue(fx, r0, 9999, "EUR");
    revenue_at(fx, r1, 4242, "EUR", T0 - HOUR); /* dated before the period */
    table_nps(fx, rf_referral_referee_id(r1), 9);
    table_nps(fx, rf_referral_referee_id(r2), 6);
    table_nps(fx, rf_referral_referee_id(r4), 10);
    table_nps(fx, rf_referral_referee_id(r0), 3);

    rf_kpi_filter f = table_period(FROM, TO);
    f.currency = "EUR";
    const group_row channels[2] = {
        {"SMS", 3, 1, 1, 12500, 2 * HOUR, 3, 2, 15, 2},
        {"EMAIL", 2, 1, 1, 7000, 5 * HOUR, 1, 1, 10, 1},
    };
    assert_groups(fx, RF_KPI_TABLE_CHANNELS, &f, channels, 2);
    const group_row sources[2] = {
        {"INTAKE", 2, 1, 1, 7000, 3 * HOUR, 2, 0, 6, 1},
        {"MANUAL", 3, 1, 1, 12500, HOUR, 2, 3, 19, 2},
    };
    assert_groups(fx, RF_KPI_TABLE_SOURCES, &f, sources, 2);
    /* Another currency, then none: money is not defined without one. */
    f.currency = "GBP";
    group_row gbp[2] = {channels[0], channels[1]};
    gbp[0].revenue = 0;
    gbp[1].revenue = 500;
    assert_groups(fx, RF_KPI_TABLE_CHANNELS, &f, gbp, 2);
    f.currency = NULL;
    gbp[0].has_revenue = gbp[1].has_revenue = 0;
    assert_groups(fx, RF_KPI_TABLE_CHANNELS, &f, gbp, 2);
    /* Filters narrow the rows and what is credited to them. */
    f = table_period(FROM, TO);
    f.currency = "EUR";
    f.channel = RF_CHANNEL_SMS;
    assert_groups(fx, RF_KPI_TABLE_CHANNELS, &f, channels, 1);
    f.channel = RF_CHANNEL_UNSET;
    f.source = RF_SOURCE_INTAKE;
    const group_row intake[2] = {
        {"SMS", 1, 0, 1, 0, 3 * HOUR, 1, 0, 6, 1},
        {"EMAIL", 1, 1, 1, 7000, 5 * HOUR, 1, 0, 0, 0},
    };
    assert_groups(fx, RF_KPI_TABLE_CHANNELS, &f, intake, 2);
    /* The period before holds r0 alone, with nothing credited: its
     * referee's events came later. */
    f = table_period(T0 - 2 * DAY, FROM);
    f.currency = "EUR";
    const group_row before[1] = {{"PHONE", 1, 0, 1, 0, 0, 0, 1, 0, 0}};
    assert_groups(fx, RF_KPI_TABLE_CHANNELS, &f, before, 1);
    const group_row before_source[1] = {{"MANUAL", 1, 0, 1, 0, 0, 0, 1, 0, 0}};
    assert_groups(fx, RF_KPI_TABLE_SOURCES, &f, before_source, 1);
    /* An empty period: no rows. */
    f = table_period(T0 + 100 * DAY, T0 + 101 * DAY);
    assert_groups(fx, RF_KPI_TABLE_CHANNELS, &f, NULL, 0);
    assert_groups(fx, RF_KPI_TABLE_SOURCES, &f, NULL, 0);

    rf_referral *all[6] = {r0, r1, r2, r3, r4, r5};
    for (int i = 0; i < 6; i++) {
        rf_referral_free(all[i]);
    }
    rf_party_free(rae);
    rf_program_free(p);
}

static int by_value(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Enough NPS scores to fill more than one page of the event scan, and a row
 * with 40 times to schedule (more than a small median budget holds, so a
 * build with RF__KPI_GROUP_BUDGET=16 runs the medians' later passes). */
static void many_events_and_a_long_median(void **state)
{
    enum { SMS_N = 40, EVENTS = 530 };
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    person who = {RF_PARTY_CLIENT, NULL, NULL, 0, RF_CHANNEL_UNSET, T0 - 90 * DAY};
    rf_party *rae = add_person(fx, "Rae", who);
    rf_referral *sms[SMS_N];
    int64_t waits[SMS_N];
    for (int i = 0; i < SMS_N; i++) {
        fx->now = T0 + i * 60;
        sms[i] = group_referral(fx, p, rae, RF_CHANNEL_SMS, RF_SOURCE_MANUAL, i % 3 != 0);
    }
    fx->now = T0 + HOUR;
    rf_referral *email = group_referral(fx, p, rae, RF_CHANNEL_EMAIL, RF_SOURCE_INTAKE, 1);
    for (int i = 0; i < SMS_N; i++) {
        /* Scheduled in an order unrelated to receipt: 37 is prime to 40. */
        rf_time at = T0 + DAY + (i * 37 % SMS_N) * 600 + i;
        waits[i] = at - (T0 + i * 60);
        schedule_at(fx, &sms[i], at);
    }
    int64_t nps_sum = 0;
    for (int i = 0; i < EVENTS; i++) {
        int score = i % 11;
        table_nps(fx, rf_referral_referee_id(sms[i % SMS_N]), score);
        nps_sum += score;
    }
    table_nps(fx, rf_referral_referee_id(email), 7);
    qsort(waits, SMS_N, sizeof waits[0], by_value);

    rf_kpi_filter f = table_period(FROM, TO);
    const group_row channels[2] = {
        {"SMS", SMS_N, 0, 0, 0, waits[SMS_N / 2 - 1], SMS_N, SMS_N - (SMS_N + 2) / 3, nps_sum, EVENTS},
        {"EMAIL", 1, 0, 0, 0, 0, 0, 1, 7, 1},
    };
    assert_groups(fx, RF_KPI_TABLE_CHANNELS, &f, channels, 2);
    const group_row sources[2] = {
        {"INTAKE", 1, 0, 0, 0, 0, 0, 1, 7, 1},
        {"MANUAL", SMS_N, 0, 0, 0, waits[SMS_N / 2 - 1], SMS_N, SMS_N - (SMS_N + 2) / 3, nps_sum, EVENTS},
    };
    assert_groups(fx, RF_KPI_TABLE_SOURCES, &f, sources, 2);

    for (int i = 0; i < SMS_N; i++) {
        rf_referral_free(sms[i]);
    }
    rf_referral_free(email);
    rf_party_free(rae);
    rf_program_free(p);
}

/* --- VARIANTS ------------------------------------------------------------- */

/* The p-value of x1 of n1 against x2 of n2 by Pearson's chi-square on the
 * 2x2 table (1 degree of freedom, no continuity correction), which equals
 * the pooled two-proportion z-test: chi2 = N (ad - bc)^2 / (row and column
 * totals), p = erfc(sqrt(chi2 / 2)). Negative when the table has a zero total. */
static double chi2_p_value(int64_t x1, int64_t n1, int64_t x2, int64_t n2)
{
    double a = (double)x1, b = (double)(n1 - x1), c = (double)x2, d = (double)(n2 - x2);
    double totals = (a + b) * (c + d) * (a + c) * (b + d);
    if (totals == 0.0) {
        return -1.0;
    }
    double chi2 = (a + b + c + d) * (a * d - b * c) * (a * d - b * c) / totals;
    return erfc(sqrt(chi2 / 2.0));
}

typedef struct variant_row {
    const char *label;
    int64_t count, closed;
} variant_row;

/* Rows in this order, the first being the control when @has_control. */
static void assert_variants(fixture *fx, const rf_kpi_filter *f, const variant_row *want, size_t n,
                            int has_control)
{
    rf_kpi_table *t = table_of(fx, RF_KPI_TABLE_VARIANTS, f);
    assert_int_equal(rf_kpi_table_row_count(t), n);
    const variant_row *c = has_control ? &want[0] : NULL;
    for (size_t i = 0; i < n; i++) {
        const variant_row *w = &want[i];
        const rf_kpi_row *row = row_at(t, i, w->label, NULL);
        assert_count(row, RF_KPI_COLUMN_COUNT, w->count);
        assert_count(row, RF_KPI_COLUMN_CLOSED, w->closed);
        assert_rate(row, RF_KPI_COLUMN_CONVERSION, w->closed, w->count);
        if (c == NULL || i == 0) {
            assert_cell(row, RF_KPI_COLUMN_LIFT, 0, 0.0, 0, 0);
            assert_cell(row, RF_KPI_COLUMN_P_VALUE, 0, 0.0, 0, 0);
            continue;
        }
        int lifted = c->closed > 0;
        double lift =
            lifted ? ((double)w->closed / (double)w->count) / ((double)c->closed / (double)c->count) - 1
                   : 0.0;
        assert_cell(row, RF_KPI_COLUMN_LIFT, lifted, lift, w->closed, w->count);
        double p = chi2_p_value(w->closed, w->count, c->closed, c->count);
        assert_cell(row, RF_KPI_COLUMN_P_VALUE, p >= 0.0, p >= 0.0 ? p : 0.0, 0, w->count + c->count);
    }
    rf_kpi_table_free(t);
}

static void variant_referrals(fixture *fx, const rf_program *p, const rf_party *referrer, const char *variant,
                              int n, int closed)
{
    for (int i = 0; i < n; i++) {
        table_referral how = {RF_CHANNEL_UNSET, RF_SOURCE_MANUAL, variant, NULL, 0};
        rf_referral *r = table_refer(fx, p, rf_party_id(referrer), how);
        if (i < closed) {
            drive_to(fx, &r, RF_REFERRAL_CLOSED);
        }
        rf_referral_free(r);
    }
}

static void the_textbook_p_value(void **state)
{
    (void)state;
    /* 200 of 1000 against 250 of 1000: z = 2.68, p = 0.0074 (two-sided). */
    double p = chi2_p_value(200, 1000, 250, 1000);
    assert_true(fabs(p - 0.00742) < 0.00002);
    double z = sqrt(2000.0 * pow(200.0 * 750 - 800.0 * 250, 2) / (1000.0 * 1000 * 450 * 1550));
    assert_true(fabs(z - 2.677) < 0.001);
    assert_true(chi2_p_value(0, 3, 0, 2) < 0.0 && chi2_p_value(2, 2, 3, 3) < 0.0);
}

static void variants_lift_and_p_values(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_program *q = outbox_program(fx, "No conversions");
    rf_program *all_in = outbox_program(fx, "All convert");
    person who = {RF_PARTY_CLIENT, NULL, NULL, 0, RF_CHANNEL_UNSET, T0 - 90 * DAY};
    rf_party *una = add_person(fx, "Una", who);
    fx->now = T0 - DAY;
    variant_referrals(fx, p, una, "zz", 2, 1); /* before the period */
    fx->now = T0 + HOUR;
    variant_referrals(fx, p, una, "control", 12, 3);
    variant_referrals(fx, p, una, "b", 12, 8);
    variant_referrals(fx, p, una, "a", 2, 0);
    variant_referrals(fx, p, una, NULL, 1, 1); /* no variant: left out */
    variant_referrals(fx, q, una, "x", 2, 0);
    variant_referrals(fx, q, una, "w", 3, 0);
    variant_referrals(fx, all_in, una, "n", 3, 3);
    variant_referrals(fx, all_in, una, "m", 2, 2);

    /* "control" is there: it comes first, the rest by label. */
    rf_kpi_filter f = table_period(FROM, TO);
    f.program_id = rf_program_id(p);
    const variant_row by_default[3] = {{"control", 12, 3}, {"a", 2, 0}, {"b", 12, 8}};
    assert_variants(fx, &f, by_default, 3, 1);
    /* The filter's control. */
    f.control_variant = "b";
    const variant_row against_b[3] = {{"b", 12, 8}, {"a", 2, 0}, {"control", 12, 3}};
    assert_variants(fx, &f, against_b, 3, 1);
    /* A control that is not in the cohort: rows by label, nothing compared. */
    f.control_variant = "nope";
    const variant_row uncompared[3] = {{"a", 2, 0}, {"b", 12, 8}, {"control", 12, 3}};
    assert_variants(fx, &f, uncompared, 3, 0);
    /* No "control": the first label is. Nobody converted: no lift, no p-value. */
    f.control_variant = NULL;
    f.program_id = rf_program_id(q);
    const variant_row none_convert[2] = {{"w", 3, 0}, {"x", 2, 0}};
    assert_variants(fx, &f, none_convert, 2, 1);
    /* Everybody converted: a lift of 0, no p-value. */
    f.program_id = rf_program_id(all_in);
    const variant_row all_convert[2] = {{"m", 2, 2}, {"n", 3, 3}};
    assert_variants(fx, &f, all_convert, 2, 1);
    /* The whole practice: "control" again. */
    f.program_id = NULL;
    const variant_row practice[8] = {{"control", 12, 3}, {"a", 2, 0}, {"b", 12, 8}, {"m", 2, 2},
                                     {"n", 3, 3},        {"w", 3, 0}, {"x", 2, 0}};
    assert_variants(fx, &f, practice, 7, 1);
    /* Before the period: "zz" alone, its own control. */
    f = table_period(T0 - 2 * DAY, FROM);
    const variant_row before[1] = {{"zz", 2, 1}};
    assert_variants(fx, &f, before, 1, 1);
    f = table_period(T0 + 100 * DAY, T0 + 101 * DAY);
    assert_variants(fx, &f, NULL, 0, 0);

    rf_party_free(una);
    rf_program_free(all_in);
    rf_program_free(q);
    rf_program_free(p);
}

const struct CMUnitTest kpi_table_group_cases[] = {
    CASE(channels_and_sources),
    CASE(many_events_and_a_long_median),
    CASE(the_textbook_p_value),
    CASE(variants_lift_and_p_values),
};
const size_t kpi_table_group_case_count = sizeof kpi_table_group_cases / sizeof kpi_table_group_cases[0];
