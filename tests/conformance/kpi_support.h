/* The KPI reference: a practice built from a fixed seed through the public
 * API, the test's own plain record of everything it did, and every figure of
 * kpis.h computed by hand from that record (kpi_practice.c, kpi_expect.c). */
#ifndef RF_CONFORMANCE_KPI_SUPPORT_H
#define RF_CONFORMANCE_KPI_SUPPORT_H

#include "story_support.h"

#define KPI_INBOUND 300
#define KPI_OUTBOUND 12
#define KPI_TOTAL (KPI_INBOUND + KPI_OUTBOUND)
#define KPI_PROGRAMS 2
#define KPI_STAFF 2
#define KPI_CLIENTS 4
#define KPI_PARTNERS 2

/* What the test did to one referral, kept by the test itself. */
typedef struct kpi_referral {
    char id[64];
    int outbound;
    int program;      /* index into kpi_practice.programs */
    int practitioner; /* index into kpi_practice.staff, or -1 */
    rf_channel channel;
    rf_referral_source source;
    rf_urgency urgency; /* ROUTINE or URGENT: what it was received as */
    int documents_complete;
    rf_referral_state state, held;
    rf_time reached[RF_REFERRAL_STATE_COUNT]; /* first time each state was reached; 0: never */
    rf_time first_appointment;                /* 0: none booked */
} kpi_referral;

typedef struct kpi_practice {
    rf_program *programs[KPI_PROGRAMS];
    int sla_urgent[KPI_PROGRAMS], sla_routine[KPI_PROGRAMS];
    rf_party *staff[KPI_STAFF], *clients[KPI_CLIENTS], *partners[KPI_PARTNERS];
    rf_code *codes[KPI_PROGRAMS][KPI_CLIENTS];
    kpi_referral refs[KPI_TOTAL];
    size_t count;
    rf_time first_received, last_received;
} kpi_practice;

/* Build the practice from @seed: KPI_INBOUND inbound referrals received over
 * 60 days from T0 with random legal lifecycles, plus KPI_OUTBOUND outbound
 * ones; every step dated up to @end runs, with fx->now at the step. Leaves
 * fx->now at @end. Checks the record against what the store holds. */
kpi_practice *kpi_practice_build(fixture *fx, uint64_t seed, rf_time end);
void kpi_practice_free(kpi_practice *p);

/* A filter in the record's terms (-1: any programme or practitioner). */
typedef struct kpi_scope {
    rf_time from, to;
    int program, practitioner;
    rf_channel channel;
    rf_referral_source source;
} kpi_scope;
/* The whole of [from, to), no other filter. */
kpi_scope kpi_period(rf_time from, rf_time to);
/* The library's filter for @scope. */
rf_kpi_filter kpi_filter_of(const kpi_practice *p, kpi_scope scope);

/* Every figure, computed by hand. */
typedef struct kpi_expect {
    int64_t num[RF_KPI_COUNT], den[RF_KPI_COUNT];
    int defined[RF_KPI_COUNT];
    double value[RF_KPI_COUNT];
} kpi_expect;
void kpi_expect_compute(kpi_expect *e, const kpi_practice *p, kpi_scope scope, rf_time now);

/* Every figure of @report equals @e: defined, value, numerator, denominator. */
void kpi_assert_report(const rf_kpi_report *report, const kpi_expect *e);
/* rf_kpi_compute for @scope at fx->now against the hand computation; returns
 * how many referrals it covered. */
int64_t kpi_check(fixture *fx, const kpi_practice *p, kpi_scope scope);

extern const struct CMUnitTest kpi_cases[];
extern const size_t kpi_case_count;

#endif
