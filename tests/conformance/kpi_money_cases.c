/* Conformance: REWARD_COST and ROI on small practices built by hand — ledger
 * entries dated in the period, ISSUED less REVERSED, only for grants whose
 * referral passes the filter, money only in the filter's currency — and
 * practices large enough that every paged scan turns its pages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kpi_client_support.h"

#define F (T0 + 10 * DAY)
#define TO (F + 30 * DAY)

/* A referrer credit of @amount EUR when a referral is SCHEDULED. */
static rf_reward_rule *credit_rule(fixture *fx, const rf_program *p, int64_t amount)
{
    rf_reward_rule_options o =
        rule_options(p, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_SCHEDULED);
    o.amount = amount;
    return add_rule(fx, &o);
}

/* The clock moves to @at (never back). */
static void at(fixture *fx, rf_time t)
{
    assert_true(t >= fx->now);
    fx->now = t;
}

static void cancel(fixture *fx, rf_referral **r)
{
    assert_ok(advance_to(fx, r, RF_REFERRAL_CANCEL_REQUESTED));
    assert_ok(advance_to(fx, r, RF_REFERRAL_CANCELLED));
}

static void money_figures(fixture *fx, rf_kpi_filter f, int64_t cost, int64_t revenue)
{
    rf_kpi_report *r = kc_compute(fx, f);
    kc_expect(r, RF_KPI_REWARD_COST, cost, 1, (double)cost);
    kc_expect(r, RF_KPI_REVENUE_REFERRED, revenue, 1, (double)revenue);
    if (cost > 0) {
        kc_expect(r, RF_KPI_ROI, revenue - cost, cost, (double)(revenue - cost) / (double)cost);
    } else {
        kc_undefined(r, RF_KPI_ROI, 0, 0);
    }
    rf_kpi_report_free(r);
}

static void reward_cost_net_of_reversals_and_roi(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "Friends", 1, 0), *q = reward_program(fx, "Family", 1, 0);
    rf_reward_rule *rules[] = {
        credit_rule(fx, p, 1000),
        simple_rule(fx, p, RF_RECIPIENT_REFEREE, RF_REWARD_GIFT, RF_REFERRAL_SCHEDULED), /* an item */
        credit_rule(fx, q, 700),
    };
    rf_party *staff = kc_party(fx, RF_PARTY_STAFF, "Dr Rowe");
    rf_party *ruth = kc_client(fx, "Ruth", T0 - 100 * DAY, NULL);
    rf_party *c1 = kc_client(fx, "C1", F + DAY, NULL), *c3 = kc_client(fx, "C3", F + DAY, NULL);
    const char *ruth_id = rf_party_id(ruth);

    at(fx, F - 2 * DAY); /* r0: issued before the period, reversed in it */
    rf_referral *r0 = referral_at(fx, p, ruth_id, RF_REFERRAL_SCHEDULED);
    at(fx, F + DAY);
    cancel(fx, &r0);
    at(fx, F + 2 * DAY); /* r1: C1, taken by Dr Rowe */
    rf_referral *r1 = kc_refer(fx, p, ruth_id, rf_party_id(c1), 0, 0, rf_party_id(staff));
    drive_to(fx, &r1, RF_REFERRAL_SCHEDULED);
    at(fx, F + 3 * DAY); /* r2: issued and reversed in the period */
    rf_referral *r2 = referral_at(fx, p, ruth_id, RF_REFERRAL_SCHEDULED);
    at(fx, F + 4 * DAY);
    cancel(fx, &r2);
    at(fx, F + 5 * DAY); /* r3: C3, in the other programme */
    rf_referral *r3 = kc_refer(fx, q, ruth_id, rf_party_id(c3), 0, 0, NULL);
    drive_to(fx, &r3, RF_REFERRAL_SCHEDULED);
    at(fx, F + 6 * DAY); /* r5: issued in the period, entered in error after it */
    rf_referral *r5 = referral_at(fx, p, ruth_id, RF_REFERRAL_SCHEDULED);
    at(fx, TO); /* r4: issued at `to` */
    rf_referral *r4 = referral_at(fx, p, ruth_id, RF_REFERRAL_SCHEDULED);
    at(fx, TO + DAY);
    assert_ok(advance_to(fx, &r5, RF_REFERRAL_ENTERED_IN_ERROR));
    kc_revenue(fx, c1, F + 10 * DAY, 2100, "EUR");
    kc_revenue(fx, c3, F + 10 * DAY, 350, "EUR");
    assert_int_equal(count_entries(fx, NULL, NULL, RF_LEDGER_REVERSED), 6); /* credits and gifts */

    /* Issued in the period: r1 1000, r2 1000, r3 700 (r5 was entered in
     * error); reversed: r0 1000, r2 1000. Revenue: C1 2100, C3 350. */
    rf_kpi_filter f = kc_period(F, TO);
    f.currency = "EUR";
    money_figures(fx, f, 700, 2450); /* ROI (2450 - 700) / 700 = 2.5 */
    /* One programme: 2000 - 2000 spent, no return on nothing. */
    f.program_id = rf_program_id(p);
    money_figures(fx, f, 0, 2100);
    /* The other: a loss, (350 - 700) / 700. */
    f.program_id = rf_program_id(q);
    money_figures(fx, f, 700, 350);
    /* Dr Rowe took r1 only, and has no client of their own: -1. */
    f.program_id = NULL;
    f.practitioner_id = rf_party_id(staff);
    money_figures(fx, f, 1000, 0);
    /* A source none of them came by. */
    f.practitioner_id = NULL;
    f.source = RF_SOURCE_INTAKE;
    money_figures(fx, f, 0, 0);
    /* A longer period takes r0's issue too: 3700 - 2000. */
    f = kc_period(F - 5 * DAY, TO);
    f.currency = "EUR";
    money_figures(fx, f, 1700, 2450);
    /* A day holding only r0's reversal: the cost is negative, and ROI not defined. */
    f = kc_period(F + DAY, F + 2 * DAY);
    f.currency = "EUR";
    money_figures(fx, f, -1000, 0);
    /* Nothing was spent in USD; without a currency there is no money figure. */
    f = kc_period(F, TO);
    f.currency = "USD";
    money_figures(fx, f, 0, 0);
    f.currency = NULL;
    rf_kpi_report *r = kc_compute(fx, f);
    kc_undefined(r, RF_KPI_REWARD_COST, 0, 0);
    kc_undefined(r, RF_KPI_ROI, 0, 0);
    rf_kpi_report_free(r);
    /* An unknown currency is refused and changes nothing. */
    char *before = snapshot(fx->store);
    f.currency = "XTS";
    rf_kpi_report *none = NULL;
    assert_status(rf_kpi_compute(&none, fx->store, &f), RF_EINVALID);
    assert_null(none);
    assert_message_has("ISO 4217");
    assert_unchanged(fx->store, before);
    free(before);

    rf_referral *refs[] = {r0, r1, r2, r3, r4, r5};
    for (size_t i = 0; i < 6; i++) {
        rf_referral_free(refs[i]);
    }
    for (size_t i = 0; i < 3; i++) {
        rf_reward_rule_free(rules[i]);
    }
    rf_party *parties[] = {staff, ruth, c1, c3};
    for (size_t i = 0; i < 4; i++) {
        rf_party_free(parties[i]);
    }
    rf_program_free(p);
    rf_program_free(q);
}

#define MANY 1030 /* over two pages of parties */
#define EVERY 4   /* every fourth client is referred and earns a credit: 258 x 2 ledger entries */

static void many_records_span_pages(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "Friends", 0, 0);
    rf_reward_rule *rule = credit_rule(fx, p, 100);
    rf_party *ruth = kc_client(fx, "Ruth", T0 - 100 * DAY, NULL);
    at(fx, F);
    int64_t referred = 0, nps_sum = 0;
    for (int i = 0; i < MANY; i++) {
        char name[32];
        snprintf(name, sizeof name, "Client %d", i);
        rf_party *c = kc_client(fx, name, F + (i % 20) * DAY, NULL);
        if (i % EVERY == 0) {
            rf_referral *r = kc_refer(fx, p, rf_party_id(ruth), rf_party_id(c), 0, 0, NULL);
            drive_to(fx, &r, RF_REFERRAL_SCHEDULED);
            rf_referral_free(r);
            referred++;
        }
        if (i % 10 == 0) {
            kc_nps(fx, c, F + DAY, i % 11);
            nps_sum += i % 11;
        }
        rf_party_free(c);
    }
    assert_int_equal(count_entries(fx, NULL, NULL, RF_LEDGER_ISSUED), referred);
    assert_true(2 * referred > 512);
    rf_kpi_filter f = kc_period(F, TO);
    f.currency = "EUR";
    rf_kpi_report *r = kc_compute(fx, f);
    kc_expect(r, RF_KPI_REFERRAL_RATE, referred, MANY, (double)referred / MANY);
    kc_expect(r, RF_KPI_CLOSE_RATE_REFERRED, referred, referred, 1.0);
    kc_expect(r, RF_KPI_CLOSE_RATE_NON_REFERRED, MANY - referred, MANY - referred, 1.0);
    kc_expect(r, RF_KPI_ADVOCATE_RATE, 0, MANY, 0.0); /* Ruth made them all, and was not active */
    kc_expect(r, RF_KPI_MEAN_NPS, nps_sum, (MANY + 9) / 10, (double)nps_sum / ((MANY + 9) / 10));
    kc_expect(r, RF_KPI_REWARD_COST, 100 * referred, 1, 100.0 * (double)referred);
    kc_expect(r, RF_KPI_REVENUE_REFERRED, 0, 1, 0.0);
    kc_expect(r, RF_KPI_ROI, -100 * referred, 100 * referred, -1.0);
    rf_kpi_report_free(r);
    rf_party_free(ruth);
    rf_reward_rule_free(rule);
    rf_program_free(p);
}

const struct CMUnitTest kpi_money_cases[] = {
    CASE(reward_cost_net_of_reversals_and_roi),
    CASE(many_records_span_pages),
};
const size_t kpi_money_case_count = sizeof kpi_money_cases / sizeof kpi_money_cases[0];
