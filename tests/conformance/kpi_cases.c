/* Conformance: the KPI reference. A practice built from a fixed seed, every
 * figure of kpis.h computed by hand from the test's own record and compared
 * with rf_kpi_compute — numerator, denominator and value — for periods and
 * filters; empty periods, nothing scheduled, outbound referrals and refused
 * filters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kpi_support.h"

#define END (T0 + 60 * DAY + 6 * HOUR)

/* Every figure is exercised: none of the practice's shares is trivially 0 or 1. */
static void assert_mixed(const kpi_expect *e)
{
    for (int k = RF_KPI_SCHEDULED_RATE; k <= RF_KPI_THANKS_WITHIN_48H; k++) {
        if (k >= RF_KPI_FIRST_RESPONSE_P50 && k <= RF_KPI_TO_APPOINTMENT_MEAN) {
            assert_true(e->den[k] > 1);
            continue;
        }
        if (e->num[k] <= 0 || e->num[k] >= e->den[k]) {
            print_error("%s is %lld / %lld: the practice does not exercise it\n", rf_kpi_name((rf_kpi)k),
                        (long long)e->num[k], (long long)e->den[k]);
            fail();
        }
    }
}

/* The inbound referrals that count: all but those entered in error. */
static int64_t counted(const kpi_practice *p)
{
    int64_t n = 0;
    for (size_t i = 0; i < p->count; i++) {
        n += !p->refs[i].outbound && p->refs[i].state != RF_REFERRAL_ENTERED_IN_ERROR;
    }
    return n;
}

static void reference_practice(void **state)
{
    fixture *fx = *state;
    kpi_practice *p = kpi_practice_build(fx, 20260301, END);
    kpi_scope whole = kpi_period(T0, END);
    kpi_expect e;
    kpi_expect_compute(&e, p, whole, fx->now);
    int64_t inbound = counted(p);
    assert_true(inbound < KPI_INBOUND); /* the practice enters some in error, and they do not count */
    assert_int_equal(e.num[RF_KPI_RECEIVED], inbound);
    assert_mixed(&e);
    assert_int_equal(kpi_check(fx, p, whole), inbound);

    /* Sub-periods: [from, to) by receipt, bounds falling exactly on receipts. */
    int64_t part = kpi_check(fx, p, kpi_period(T0 + 10 * DAY, T0 + 30 * DAY));
    assert_true(part > 50 && part < KPI_INBOUND);
    rf_time a = p->refs[3].reached[RF_REFERRAL_RECEIVED], b = p->refs[7].reached[RF_REFERRAL_RECEIVED];
    kpi_check(fx, p, kpi_period(a < b ? a : b, a < b ? b : a));
    kpi_check(fx, p, kpi_period(p->first_received, p->last_received));
    assert_int_equal(kpi_check(fx, p, kpi_period(p->first_received, p->first_received + 1)), 1);

    /* The SLA is judged at the store's clock (nothing_scheduled_... shows the unanswered
     * joining the denominator when their deadline passes). */
    fx->now = END + 3 * DAY;
    assert_int_equal(kpi_check(fx, p, whole), inbound);
    fx->now = END;

    /* Each filter alone, then combined. */
    for (int k = 0; k < KPI_PROGRAMS; k++) {
        kpi_scope s = whole;
        s.program = k;
        int64_t n = kpi_check(fx, p, s);
        assert_true(n > 0 && n < KPI_INBOUND);
    }
    for (int k = 0; k < KPI_STAFF; k++) {
        kpi_scope s = whole;
        s.practitioner = k;
        int64_t n = kpi_check(fx, p, s);
        assert_true(n > 0 && n < KPI_INBOUND);
    }
    for (int c = RF_CHANNEL_IN_PERSON; c <= RF_CHANNEL_PORTAL; c++) {
        kpi_scope s = whole;
        s.channel = (rf_channel)c;
        int64_t n = kpi_check(fx, p, s);
        assert_true(n < KPI_INBOUND);
        assert_true(n > 0 || c == RF_CHANNEL_LINK); /* no referral came by link */
    }
    for (int src = RF_SOURCE_CODE; src <= RF_SOURCE_PARTNER; src++) {
        kpi_scope s = whole;
        s.source = (rf_referral_source)src;
        int64_t n = kpi_check(fx, p, s);
        assert_true(n < KPI_INBOUND);
        assert_true(n > 0 || src == RF_SOURCE_TOUCH); /* none by touch */
    }
    kpi_scope all = kpi_period(T0 + 5 * DAY, T0 + 50 * DAY);
    all.program = 1;
    all.practitioner = 0;
    all.source = RF_SOURCE_CODE;
    int64_t n = kpi_check(fx, p, all);
    assert_true(n > 0);
    all.channel = p->refs[0].channel != RF_CHANNEL_UNSET ? p->refs[0].channel : RF_CHANNEL_SMS;
    kpi_check(fx, p, all);
    kpi_scope two = whole;
    two.program = 0;
    two.channel = RF_CHANNEL_SMS;
    kpi_check(fx, p, two);
    kpi_practice_free(p);
}

/* The figures of @report: only RECEIVED is defined, as 0 (and @except, which the caller checks). */
static void assert_empty_but(const rf_kpi_report *report, rf_kpi except)
{
    double v = -1.0;
    assert_int_equal(rf_kpi_report_value(report, RF_KPI_RECEIVED, &v), 1);
    assert_true(v == 0.0);
    assert_int_equal(rf_kpi_report_numerator(report, RF_KPI_RECEIVED), 0);
    assert_int_equal(rf_kpi_report_denominator(report, RF_KPI_RECEIVED), 1);
    for (int k = RF_KPI_SCHEDULED_RATE; k < RF_KPI_COUNT; k++) {
        if (k == (int)except) {
            continue;
        }
        v = -1.0;
        int defined = rf_kpi_report_value(report, (rf_kpi)k, &v);
        int64_t num = rf_kpi_report_numerator(report, (rf_kpi)k),
                den = rf_kpi_report_denominator(report, (rf_kpi)k);
        if (defined != 0 || v != 0.0 || num != 0 || den != 0 ||
            rf_kpi_report_value(report, (rf_kpi)k, NULL) != 0) {
            fail_msg("%s: defined %d value %g (%lld / %lld), expected not defined", rf_kpi_name((rf_kpi)k),
                     defined, v, (long long)num, (long long)den);
        }
    }
}

static void assert_empty(const rf_kpi_report *report)
{
    assert_empty_but(report, RF_KPI_UNSET);
}

static rf_kpi_report *compute(fixture *fx, rf_time from, rf_time to, const char *practitioner_id)
{
    rf_kpi_filter f = RF_KPI_FILTER_INIT;
    f.from = from;
    f.to = to;
    f.practitioner_id = practitioner_id;
    rf_kpi_report *report = NULL;
    assert_ok(rf_kpi_compute(&report, fx->store, &f));
    assert_non_null(report);
    return report;
}

static void empty_period_defines_only_received(void **state)
{
    fixture *fx = *state;
    rf_kpi_report *report = compute(fx, T0 - DAY, T0 + DAY, NULL); /* nothing at all yet */
    assert_empty(report);
    rf_kpi_report_free(report);
    /* Parties made before every period: no client, lead or visit falls in one. */
    fx->now = T0 - 2 * DAY;
    rf_program *p = outbox_program(fx, "Friends");
    rf_party *client = add_party(fx, RF_PARTY_CLIENT, "Ann Lee", NULL, NULL);
    rf_party *staff = add_party(fx, RF_PARTY_STAFF, "Dr Rowe", NULL, NULL);
    fx->now = T0 + HOUR;
    rf_referral *r = refer(fx, p, rf_party_id(client), RF_SOURCE_MANUAL, RF_URGENCY_URGENT, NULL, 0);
    fx->now = T0 + 30 * DAY;
    /* Before it, after it, and a practitioner who took none. */
    report = compute(fx, T0 - DAY, T0 + HOUR, NULL);
    assert_empty(report);
    rf_kpi_report_free(report);
    report = compute(fx, T0 + HOUR + 1, T0 + 40 * DAY, NULL);
    assert_empty(report);
    rf_kpi_report_free(report);
    report = compute(fx, T0, T0 + 40 * DAY, rf_party_id(staff));
    /* The referee is a lead of the period whoever takes the referral: a referred lead, not closed. */
    assert_empty_but(report, RF_KPI_CLOSE_RATE_REFERRED);
    double v = -1.0;
    assert_int_equal(rf_kpi_report_value(report, RF_KPI_CLOSE_RATE_REFERRED, &v), 1);
    assert_true(v == 0.0);
    assert_int_equal(rf_kpi_report_numerator(report, RF_KPI_CLOSE_RATE_REFERRED), 0);
    assert_int_equal(rf_kpi_report_denominator(report, RF_KPI_CLOSE_RATE_REFERRED), 1);
    assert_int_equal(rf_kpi_report_computed_at(report), T0 + 30 * DAY);
    rf_kpi_report_free(report);
    rf_referral_free(r);
    rf_party_free(staff);
    rf_party_free(client);
    rf_program_free(p);
}

static void assert_figure(const rf_kpi_report *report, rf_kpi kpi, int64_t num, int64_t den, double value)
{
    double v = -1.0;
    assert_int_equal(rf_kpi_report_value(report, kpi, &v), 1);
    assert_true(v == value);
    assert_int_equal(rf_kpi_report_numerator(report, kpi), num);
    assert_int_equal(rf_kpi_report_denominator(report, kpi), den);
}

static void assert_undefined(const rf_kpi_report *report, rf_kpi kpi)
{
    double v = -1.0;
    assert_int_equal(rf_kpi_report_value(report, kpi, &v), 0);
    assert_true(v == 0.0);
    assert_int_equal(rf_kpi_report_denominator(report, kpi), 0);
}

static void nothing_scheduled_leaves_no_show_undefined(void **state)
{
    fixture *fx = *state;
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.sla_urgent_hours = 4;
    o.sla_routine_hours = 48;
    rf_program *p = program_with(fx, "Friends", o);
    rf_party *client = add_party(fx, RF_PARTY_CLIENT, "Ann Lee", NULL, NULL);
    fx->now = T0 + HOUR;
    rf_referral *quick = refer(fx, p, rf_party_id(client), RF_SOURCE_MANUAL, RF_URGENCY_ROUTINE, NULL, 0);
    rf_referral *late = refer(fx, p, rf_party_id(client), RF_SOURCE_MANUAL, RF_URGENCY_URGENT, NULL, 0);
    rf_referral *waiting = refer(fx, p, rf_party_id(client), RF_SOURCE_INTAKE, RF_URGENCY_ROUTINE, NULL, 0);
    fx->now = T0 + 3 * HOUR;
    assert_ok(advance_with(fx, &quick, RF_REFERRAL_ACCEPTED, RF_TIME_UNSET, NULL));
    fx->now = T0 + 6 * HOUR;
    assert_ok(advance_with(fx, &late, RF_REFERRAL_DECLINED, RF_TIME_UNSET, NULL));
    fx->now = T0 + 11 * HOUR;
    rf_kpi_report *report = compute(fx, T0, T0 + DAY, NULL);
    assert_figure(report, RF_KPI_RECEIVED, 3, 1, 3.0);
    assert_figure(report, RF_KPI_SCHEDULED_RATE, 0, 3, 0.0);
    assert_figure(report, RF_KPI_LEAKAGE_RATE, 1, 3, 1.0 / 3.0);
    assert_figure(report, RF_KPI_HIT_RATE, 3, 3, 1.0); /* nothing required: complete */
    assert_undefined(report, RF_KPI_NO_SHOW_RATE);
    for (int k = RF_KPI_TO_SCHEDULE_P50; k <= RF_KPI_TO_APPOINTMENT_MEAN; k++) {
        assert_undefined(report, (rf_kpi)k);
    }
    /* Answered after 2 h and 5 h: p50 is rank 1, p90 rank 2. */
    assert_figure(report, RF_KPI_FIRST_RESPONSE_P50, 0, 2, 7200.0);
    assert_figure(report, RF_KPI_FIRST_RESPONSE_P90, 0, 2, 18000.0);
    assert_figure(report, RF_KPI_FIRST_RESPONSE_MEAN, 25200, 2, 12600.0);
    /* Urgent answered after its 4 h; routine in time; the waiting one is not yet due. */
    assert_figure(report, RF_KPI_SLA_URGENT, 0, 1, 0.0);
    assert_figure(report, RF_KPI_SLA_ROUTINE, 1, 1, 1.0);
    rf_kpi_report_free(report);
    fx->now = T0 + HOUR + 48 * HOUR;
    report = compute(fx, T0, T0 + DAY, NULL);
    assert_figure(report, RF_KPI_SLA_ROUTINE, 1, 2, 0.5);
    rf_kpi_report_free(report);
    rf_referral_free(quick);
    rf_referral_free(late);
    rf_referral_free(waiting);
    rf_party_free(client);
    rf_program_free(p);
}

static void outbound_referrals_are_not_counted(void **state)
{
    fixture *fx = *state;
    fx->now = T0 - 2 * DAY; /* the client is no lead of the period */
    rf_program *p = outbox_program(fx, "Onward");
    rf_party *client = add_party(fx, RF_PARTY_CLIENT, "Ann Lee", NULL, NULL);
    rf_party *gp = add_party(fx, RF_PARTY_PARTNER, "Elm St surgery", NULL, NULL);
    fx->now = T0 + HOUR;
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(p);
    o.referee_id = rf_party_id(client);
    o.direction = RF_DIRECTION_OUTBOUND;
    o.target_id = rf_party_id(gp);
    o.channel = RF_CHANNEL_LETTER;
    rf_referral *r = NULL;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    fx->now = T0 + 2 * HOUR;
    assert_ok(advance_to(fx, &r, RF_REFERRAL_ACCEPTED));
    assert_ok(advance_to(fx, &r, RF_REFERRAL_SCHEDULED));
    fx->now = T0 + 10 * DAY;
    rf_kpi_filter f = RF_KPI_FILTER_INIT;
    f.from = T0;
    f.to = T0 + DAY;
    rf_kpi_report *report = NULL;
    assert_ok(rf_kpi_compute(&report, fx->store, &f));
    assert_empty(report);
    rf_kpi_report_free(report);
    f.channel = RF_CHANNEL_LETTER;
    f.program_id = rf_program_id(p);
    assert_ok(rf_kpi_compute(&report, fx->store, &f));
    assert_empty(report);
    rf_kpi_report_free(report);
    rf_referral_free(r);
    rf_party_free(gp);
    rf_party_free(client);
    rf_program_free(p);
}

static void assert_refused(fixture *fx, const rf_kpi_filter *f, rf_status expected, const char *needle)
{
    char *before = snapshot(fx->store);
    rf_kpi_report *report = (rf_kpi_report *)(uintptr_t)1; /* must be reset */
    assert_status(rf_kpi_compute(&report, fx->store, f), expected);
    assert_null(report);
    if (needle != NULL) {
        assert_message_has(needle);
    }
    assert_unchanged(fx->store, before);
    free(before);
}

static void refused_filters_change_nothing(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Friends");
    rf_party *client = add_party(fx, RF_PARTY_CLIENT, "Ann Lee", NULL, NULL);
    fx->now = T0 + HOUR;
    rf_referral *r = refer(fx, p, rf_party_id(client), RF_SOURCE_MANUAL, RF_URGENCY_UNSET, NULL, 0);
    rf_kpi_filter good = RF_KPI_FILTER_INIT;
    good.from = T0;
    good.to = T0 + DAY;
    rf_kpi_filter f = RF_KPI_FILTER_INIT;
    assert_refused(fx, &f, RF_EINVALID, "period"); /* no period */
    f = good;
    f.to = RF_TIME_UNSET;
    assert_refused(fx, &f, RF_EINVALID, "period");
    f = good;
    f.to = f.from;
    assert_refused(fx, &f, RF_EINVALID, "before");
    f = good;
    f.from = T0 + 2 * DAY;
    assert_refused(fx, &f, RF_EINVALID, "before");
    f = good;
    f.program_id = "00000000-0000-7000-8000-000000000000";
    assert_refused(fx, &f, RF_ENOTFOUND, NULL);
    f = good;
    f.practitioner_id = "00000000-0000-7000-8000-000000000000";
    assert_refused(fx, &f, RF_ENOTFOUND, NULL);
    f = good;
    f.version = 0;
    assert_refused(fx, &f, RF_EINVALID, "version");
    f.version = RF_KPI_FILTER_VERSION + 1;
    assert_refused(fx, &f, RF_EINVALID, "version");
    f = good;
    f.channel = (rf_channel)(RF_CHANNEL_PORTAL + 1);
    assert_refused(fx, &f, RF_EINVALID, "channel");
    f.channel = (rf_channel)-1;
    assert_refused(fx, &f, RF_EINVALID, "channel");
    f = good;
    f.source = (rf_referral_source)(RF_SOURCE_PARTNER + 1);
    assert_refused(fx, &f, RF_EINVALID, "source");
    assert_refused(fx, NULL, RF_EINVALID, "filter");
    assert_status(rf_kpi_compute(NULL, fx->store, &good), RF_EINVALID);
    rf_kpi_report *report = NULL;
    assert_status(rf_kpi_compute(&report, NULL, &good), RF_EINVALID);
    assert_null(report);
    /* The good filter still works. */
    assert_ok(rf_kpi_compute(&report, fx->store, &good));
    assert_int_equal(rf_kpi_report_numerator(report, RF_KPI_RECEIVED), 1);
    rf_kpi_report_free(report);
    rf_referral_free(r);
    rf_party_free(client);
    rf_program_free(p);
}

static void names_init_and_null_reports(void **state)
{
    (void)state;
    assert_string_equal(rf_kpi_name(RF_KPI_RECEIVED), "RECEIVED");
    assert_string_equal(rf_kpi_name(RF_KPI_NO_SHOW_RATE), "NO_SHOW_RATE");
    assert_string_equal(rf_kpi_name(RF_KPI_SLA_ROUTINE), "SLA_ROUTINE");
    assert_string_equal(rf_kpi_name(RF_KPI_UNSET), "UNSET");
    assert_string_equal(rf_kpi_name((rf_kpi)RF_KPI_COUNT), "UNSET");
    rf_kpi_filter f;
    memset(&f, 0xab, sizeof f);
    assert_ok(rf_kpi_filter_init(&f, RF_KPI_FILTER_VERSION));
    assert_int_equal(f.version, RF_KPI_FILTER_VERSION);
    assert_true(f.from == RF_TIME_UNSET && f.to == RF_TIME_UNSET);
    assert_null(f.program_id);
    assert_null(f.practitioner_id);
    assert_int_equal(f.channel, RF_CHANNEL_UNSET);
    assert_int_equal(f.source, RF_SOURCE_UNSET);
    assert_status(rf_kpi_filter_init(&f, RF_KPI_FILTER_VERSION + 1), RF_EINVALID);
    double v = -1.0;
    assert_int_equal(rf_kpi_report_value(NULL, RF_KPI_RECEIVED, &v), 0);
    assert_true(v == 0.0);
    assert_int_equal(rf_kpi_report_numerator(NULL, RF_KPI_RECEIVED), 0);
    assert_int_equal(rf_kpi_report_denominator(NULL, RF_KPI_RECEIVED), 0);
    assert_int_equal(rf_kpi_report_from(NULL), RF_TIME_NONE);
    rf_kpi_report_free(NULL);
}

const struct CMUnitTest kpi_cases[] = {
    CASE(reference_practice),
    CASE(kpi_reference_every_figure_and_table),
    CASE(empty_period_defines_only_received),
    CASE(nothing_scheduled_leaves_no_show_undefined),
    CASE(outbound_referrals_are_not_counted),
    CASE(refused_filters_change_nothing),
    CASE(names_init_and_null_reports),
};
const size_t kpi_case_count = sizeof kpi_cases / sizeof kpi_cases[0];
