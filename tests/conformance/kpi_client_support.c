/* Shorthands for the focused client and money KPI cases; see kpi_client_support.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kpi_client_support.h"

rf_party *kc_client(fixture *fx, const char *name, rf_time first_visit, const char *practitioner_id)
{
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_CLIENT;
    o.display_name = name;
    o.practitioner_id = practitioner_id;
    if (first_visit != 0) {
        o.first_visit_at = first_visit;
    }
    rf_party *p = NULL;
    assert_ok(rf_party_add(&p, fx->store, &o));
    return p;
}

rf_party *kc_party(fixture *fx, rf_party_kind kind, const char *name)
{
    return add_party(fx, kind, name, NULL, NULL);
}

void kc_convert(fixture *fx, const rf_party *lead)
{
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_CLIENT;
    rf_party *p = NULL;
    assert_ok(rf_party_update(&p, fx->store, rf_party_id(lead), &o));
    assert_int_equal(rf_party_get_kind(p), RF_PARTY_CLIENT);
    rf_party_free(p);
}

static void add_event(fixture *fx, rf_client_event_options o)
{
    rf_client_event *e = NULL;
    assert_ok(rf_client_event_add(&e, fx->store, &o));
    rf_client_event_free(e);
}

void kc_visit(fixture *fx, const rf_party *who, rf_time at)
{
    rf_client_event_options o =
        event_options(rf_party_id(who), RF_CLIENT_EVENT_VISIT_COMPLETED, RF_UNSET, NULL);
    o.at = at;
    add_event(fx, o);
}

void kc_nps(fixture *fx, const rf_party *who, rf_time at, int score)
{
    rf_client_event_options o = event_options(rf_party_id(who), RF_CLIENT_EVENT_NPS, score, NULL);
    o.at = at;
    add_event(fx, o);
}

void kc_revenue(fixture *fx, const rf_party *who, rf_time at, int64_t amount, const char *currency)
{
    rf_client_event_options o = event_options(rf_party_id(who), RF_CLIENT_EVENT_REVENUE, RF_UNSET, NULL);
    o.at = at;
    o.amount = amount;
    o.currency = currency;
    add_event(fx, o);
}

rf_referral *kc_refer(fixture *fx, const rf_program *program, const char *referrer_id, const char *referee_id,
                      rf_referral_source source, rf_channel channel, const char *practitioner_id)
{
    static unsigned counter;
    rf_party *fresh = NULL;
    if (referee_id == NULL) {
        char name[32];
        snprintf(name, sizeof name, "Referee %u", ++counter);
        fresh = kc_party(fx, RF_PARTY_LEAD, name);
        referee_id = rf_party_id(fresh);
    }
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(program);
    o.referee_id = referee_id;
    o.referrer_id = referrer_id;
    o.source = source != RF_SOURCE_UNSET ? source : RF_SOURCE_MANUAL;
    o.channel = channel;
    o.practitioner_id = practitioner_id;
    rf_referral *r = NULL;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    rf_party_free(fresh);
    return r;
}

void kc_refer_fresh(fixture *fx, const rf_program *program, const char *referrer_id,
                    const char *practitioner_id)
{
    rf_referral_free(
        kc_refer(fx, program, referrer_id, NULL, RF_SOURCE_MANUAL, RF_CHANNEL_UNSET, practitioner_id));
}

rf_kpi_filter kc_period(rf_time from, rf_time to)
{
    rf_kpi_filter f = RF_KPI_FILTER_INIT;
    f.from = from;
    f.to = to;
    return f;
}

rf_kpi_report *kc_compute(fixture *fx, rf_kpi_filter f)
{
    rf_kpi_report *r = NULL;
    assert_ok(rf_kpi_compute(&r, fx->store, &f));
    assert_non_null(r);
    return r;
}

void kc_expect_at(const rf_kpi_report *r, rf_kpi kpi, int64_t num, int64_t den, double value, int line)
{
    double v = -1.0;
    int defined = rf_kpi_report_value(r, kpi, &v);
    int64_t n = rf_kpi_report_numerator(r, kpi), d = rf_kpi_report_denominator(r, kpi);
    if (!defined || n != num || d != den || v != value) {
        print_error("line %d: %s is %s %lld / %lld = %.17g; expected %lld / %lld = %.17g\n", line,
                    rf_kpi_name(kpi), defined ? "defined" : "undefined", (long long)n, (long long)d, v,
                    (long long)num, (long long)den, value);
        fail();
    }
}

void kc_undefined_at(const rf_kpi_report *r, rf_kpi kpi, int64_t num, int64_t den, int line)
{
    double v = -1.0;
    int defined = rf_kpi_report_value(r, kpi, &v);
    int64_t n = rf_kpi_report_numerator(r, kpi), d = rf_kpi_report_denominator(r, kpi);
    if (defined || v != 0.0 || n != num || d != den) {
        print_error("line %d: %s is %s %lld / %lld = %.17g; expected undefined %lld / %lld\n", line,
                    rf_kpi_name(kpi), defined ? "defined" : "undefined", (long long)n, (long long)d, v,
                    (long long)num, (long long)den);
        fail();
    }
}
