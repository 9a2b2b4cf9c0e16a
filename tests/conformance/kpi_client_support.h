/* Shorthands for the focused cases of the client-based and money KPI figures
 * (kpi_client_cases.c, kpi_money_cases.c): small practices built by hand,
 * each figure checked against numbers worked out in the case. */
#ifndef RF_CONFORMANCE_KPI_CLIENT_SUPPORT_H
#define RF_CONFORMANCE_KPI_CLIENT_SUPPORT_H

#include "story_support.h"

/* A CLIENT with @first_visit (0: none) assigned to @practitioner_id (may be NULL). */
rf_party *kc_client(fixture *fx, const char *name, rf_time first_visit, const char *practitioner_id);
/* A party of @kind, nothing else set. */
rf_party *kc_party(fixture *fx, rf_party_kind kind, const char *name);
/* Turn a LEAD into a CLIENT. */
void kc_convert(fixture *fx, const rf_party *lead);

/* A client event at @at: NPS (@value), VISIT_COMPLETED, or REVENUE (@amount in @currency). */
void kc_visit(fixture *fx, const rf_party *who, rf_time at);
void kc_nps(fixture *fx, const rf_party *who, rf_time at, int score);
void kc_revenue(fixture *fx, const rf_party *who, rf_time at, int64_t amount, const char *currency);

/* An inbound referral of @referee_id (NULL: a fresh LEAD) by @referrer_id,
 * received now, with @source (UNSET: MANUAL), @channel (UNSET: none given)
 * and @practitioner_id (may be NULL). */
rf_referral *kc_refer(fixture *fx, const rf_program *program, const char *referrer_id, const char *referee_id,
                      rf_referral_source source, rf_channel channel, const char *practitioner_id);
/* kc_refer() of a fresh LEAD, MANUAL, freed at once. */
void kc_refer_fresh(fixture *fx, const rf_program *program, const char *referrer_id,
                    const char *practitioner_id);

/* A filter for [from, to), nothing else. */
rf_kpi_filter kc_period(rf_time from, rf_time to);
/* rf_kpi_compute that must succeed. */
rf_kpi_report *kc_compute(fixture *fx, rf_kpi_filter f);

/* The figure is defined with this numerator, denominator and value (exactly). */
#define kc_expect(report, kpi, num, den, value) kc_expect_at(report, kpi, num, den, value, __LINE__)
/* The figure is not defined, with this numerator and denominator. */
#define kc_undefined(report, kpi, num, den) kc_undefined_at(report, kpi, num, den, __LINE__)
void kc_expect_at(const rf_kpi_report *r, rf_kpi kpi, int64_t num, int64_t den, double value, int line);
void kc_undefined_at(const rf_kpi_report *r, rf_kpi kpi, int64_t num, int64_t den, int line);

extern const struct CMUnitTest kpi_client_cases[];
extern const size_t kpi_client_case_count;
extern const struct CMUnitTest kpi_money_cases[];
extern const size_t kpi_money_case_count;

#endif
