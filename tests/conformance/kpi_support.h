/* The KPI reference: a practice built from a fixed seed through the public
 * API, the test's own plain record of everything it did, and every figure and
 * table of kpis.h computed by hand from that record (kpi_practice.c,
 * kpi_reference_*.c build it; kpi_expect*.c compute). */
#ifndef RF_CONFORMANCE_KPI_SUPPORT_H
#define RF_CONFORMANCE_KPI_SUPPORT_H

#include "story_support.h"

#define KPI_INBOUND 300
#define KPI_OUTBOUND 12
#define KPI_TOTAL (KPI_INBOUND + KPI_OUTBOUND)
#define KPI_PROGRAMS 2
#define KPI_STAFF 2
#define KPI_CLIENTS 40 /* the practice's clients before the books open: the referrers */
#define KPI_PARTNERS 2
#define KPI_LEADS 30 /* enquiries nobody referred */
/* Clients and leads: the clients, then each inbound referral's referee, then the leads. */
#define KPI_REFEREE0 KPI_CLIENTS
#define KPI_LEAD0 (KPI_CLIENTS + KPI_INBOUND)
#define KPI_PARTIES (KPI_LEAD0 + KPI_LEADS)
#define KPI_EVENTS_MAX 2500
#define KPI_TOUCHES 150
#define KPI_ASKS_MAX 1500
#define KPI_RULES 4
#define KPI_SETUP (T0 - 200 * DAY) /* when the practice was set up */
#define KPI_START (T0 - 120 * DAY) /* the first client event */

/* What the test did to one referral, kept by the test itself. */
typedef struct kpi_referral {
    char id[64];
    int outbound;
    int program;      /* index into kpi_practice.programs */
    int practitioner; /* index into kpi_practice.staff, or -1 */
    int client;       /* the referrer when a client (index into parties), else -1 */
    int partner;      /* the referrer when a partner, else -1 */
    int referee;      /* index into parties; -1 for outbound */
    const char *variant;
    rf_channel channel;
    rf_referral_source source;
    rf_urgency urgency; /* ROUTINE or URGENT: what it was received as */
    int documents_complete;
    rf_referral_state state, held;
    rf_time reached[RF_REFERRAL_STATE_COUNT]; /* first time each state was reached; 0: never */
    rf_time first_appointment;                /* 0: none booked */
    /* The outbox: [0] THANK_REFERRER, [1] PARTNER_VISIT_SUMMARY, [2] PARTNER_CLOSURE. */
    int task[3];           /* the library wrote it */
    rf_time sent[3];       /* the test reported it sent then; 0: not (yet) */
    rf_time send_after[3]; /* the plan: send at the first drain this long after it was written; -1: never */
} kpi_referral;

/* A client or lead as the test made and changed it. */
typedef struct kpi_party {
    char id[64];
    char name[48];
    rf_party_kind kind; /* now */
    int consent;
    int practitioner; /* index into staff, or -1 */
    rf_channel reach; /* the channel the library asks on: the preferred one, else in person */
    rf_time created_at, first_visit;
    int complaints; /* open now */
} kpi_party;

typedef struct kpi_event {
    char id[64];
    int party;
    rf_client_event_type type;
    rf_time at;
    int value;
    int64_t amount;
    const char *currency;
} kpi_event;

typedef struct kpi_touch {
    int program;
    rf_channel channel;
    rf_time at;
} kpi_touch;

/* An ASK task the test expects the policy to have written. */
typedef struct kpi_ask {
    char key[160];
    int program, party;
    rf_channel channel;
    rf_time created_at, sent_at, send_after; /* send_after -1: never */
    int suppressed;
    rf_ask_outcome outcome, plan;
} kpi_ask;

typedef struct kpi_practice {
    rf_program *programs[KPI_PROGRAMS];
    int sla_urgent[KPI_PROGRAMS], sla_routine[KPI_PROGRAMS];
    rf_party *staff[KPI_STAFF], *partners[KPI_PARTNERS];
    rf_code *codes[KPI_PROGRAMS][KPI_CLIENTS];
    kpi_referral refs[KPI_TOTAL];
    size_t count;
    rf_time first_received, last_received;
    kpi_party parties[KPI_PARTIES];
    kpi_event events[KPI_EVENTS_MAX];
    size_t event_count;
    kpi_touch touches[KPI_TOUCHES];
    size_t touch_count;
    kpi_ask asks[KPI_ASKS_MAX];
    size_t ask_count;
} kpi_practice;

/* Build the practice from @seed: the clients, leads, client events, touches,
 * asks and outbox drains from KPI_START, and KPI_INBOUND inbound referrals
 * received over 60 days from T0 with random legal lifecycles, plus
 * KPI_OUTBOUND outbound ones; every step dated up to @end runs, with fx->now
 * at the step. Leaves fx->now at @end. Checks the record against what the
 * store holds. */
kpi_practice *kpi_practice_build(fixture *fx, uint64_t seed, rf_time end);
void kpi_practice_free(kpi_practice *p);

/* --- the practice's pieces (kpi_reference_*.c) ------------------------------ */

uint64_t kpi_next(uint64_t *s);
/* Uniform in [lo, hi]. */
int64_t kpi_between(uint64_t *s, int64_t lo, int64_t hi);
int kpi_chance(uint64_t *s, int percent);

/* A step of the plan; all run in time order. */
enum {
    KPI_CREATE,
    KPI_MOVE,
    KPI_RESUME,
    KPI_DOCUMENT,
    KPI_EVENT,
    KPI_TOUCH,
    KPI_LEAD,
    KPI_CONVERT,
    KPI_DRAIN
};
typedef struct kpi_step {
    rf_time at;
    int ref, seq, kind;
    rf_referral_state to;
    rf_time appointment;
    int type, value; /* KPI_EVENT: the type and value (amount for revenue) */
} kpi_step;
typedef struct kpi_plan {
    kpi_step *steps;
    size_t count, size;
} kpi_plan;
void kpi_plan_add(kpi_plan *pl, kpi_step st);

/* The clients, leads, reward rules and programme settings (before any referral). */
void kpi_make_people(fixture *fx, kpi_practice *p, uint64_t *s);
/* Plan the clients' and leads' events, touches and outbox drains. */
void kpi_plan_people(kpi_plan *pl, kpi_practice *p, uint64_t *s);
/* Plan a referee's events around referral @i's planned lifecycle (steps [first, pl->count)). */
void kpi_plan_referee(kpi_plan *pl, const kpi_practice *p, int i, size_t first, uint64_t *s);
/* Run a step of kind KPI_EVENT .. KPI_DRAIN. */
void kpi_run_people(fixture *fx, kpi_practice *p, const kpi_step *st);
/* A referral's referee was created / closed: keep the record. */
void kpi_note_closed(kpi_practice *p, int ref, rf_time now);
/* The outbox, events, asks and ledger agree with the record. */
void kpi_check_people(fixture *fx, const kpi_practice *p);
/* The reward rules (kpi_reference_rewards.c). */
void kpi_make_rules(fixture *fx, kpi_practice *p);
/* The money the reward rules grant: rule @r's currency (NULL: an item) and amount. */
const char *kpi_rule_currency(int rule);
int64_t kpi_rule_amount(int rule);
/* 1 when rule @r grants for referral @ref, with when it was issued and reversed (0: not). */
int kpi_grant_of(const kpi_practice *p, int ref, int rule, rf_time *issued, rf_time *reversed);

/* --- scopes and expectations ---------------------------------------------- */

/* A filter in the record's terms (-1: any programme or practitioner). */
typedef struct kpi_scope {
    rf_time from, to;
    int program, practitioner;
    rf_channel channel;
    rf_referral_source source;
    const char *currency;
    unsigned int top;
    const char *control;
} kpi_scope;
/* The whole of [from, to), no other filter. */
kpi_scope kpi_period(rf_time from, rf_time to);
/* The library's filter for @scope. */
rf_kpi_filter kpi_filter_of(const kpi_practice *p, kpi_scope scope);
/* The referral is in @scope's cohort. */
int kpi_in_cohort(const kpi_practice *p, int i, kpi_scope s);

/* Every figure, computed by hand. */
typedef struct kpi_expect {
    int64_t num[RF_KPI_COUNT], den[RF_KPI_COUNT];
    int defined[RF_KPI_COUNT];
    double value[RF_KPI_COUNT];
} kpi_expect;
void kpi_expect_compute(kpi_expect *e, const kpi_practice *p, kpi_scope scope, rf_time now);
/* The client-based and money figures (kpi_expect_clients.c) into @e. */
void kpi_expect_clients(kpi_expect *e, const kpi_practice *p, kpi_scope scope);

/* Figures [first, last] of @report equal @e: defined, value, numerator, denominator. */
void kpi_assert_figures(const rf_kpi_report *report, const kpi_expect *e, int first, int last);
/* ... printing each figure that differs; returns how many. */
int kpi_figure_mismatches(const rf_kpi_report *report, const kpi_expect *e, int first, int last);
/* rf_kpi_compute for @scope against every figure by hand (into @e); prints and counts what differs. */
int kpi_scope_mismatches(fixture *fx, const kpi_practice *p, kpi_scope scope, kpi_expect *e);
/* Every figure. */
void kpi_assert_report(const rf_kpi_report *report, const kpi_expect *e);
/* rf_kpi_compute for @scope at fx->now against the hand computation of
 * figures [first, last]; returns how many referrals it covered. */
int64_t kpi_check_figures(fixture *fx, const kpi_practice *p, kpi_scope scope, int first, int last);
/* ... of the figures the referral pass computes (RECEIVED .. THANKS_WITHIN_48H). */
int64_t kpi_check(fixture *fx, const kpi_practice *p, kpi_scope scope);

/* One cell computed by hand; check_numbers 0 where the header leaves the numerator and denominator open. */
typedef struct kpi_cell {
    int defined, check_numbers;
    int64_t num, den;
    double value;
} kpi_cell;
#define KPI_ROWS_MAX 64
typedef struct kpi_table_expect {
    size_t rows;
    char key[KPI_ROWS_MAX][64], label[KPI_ROWS_MAX][64];
    kpi_cell cell[KPI_ROWS_MAX][RF_KPI_COLUMNS];
} kpi_table_expect;
/* Table @kind for @scope by hand (kpi_expect_tables.c). */
void kpi_expect_table(kpi_table_expect *t, const kpi_practice *p, rf_kpi_table_kind kind, kpi_scope scope);
/* rf_kpi_table_compute of every kind for @scope against the hand computation:
 * prints and counts what differs / fails on it. */
int kpi_table_mismatches(fixture *fx, const kpi_practice *p, kpi_scope scope);
void kpi_check_tables(fixture *fx, const kpi_practice *p, kpi_scope scope);

/* The case of every figure and table (kpi_reference_cases.c), listed in kpi_cases. */
void kpi_reference_every_figure_and_table(void **state);

extern const struct CMUnitTest kpi_cases[];
extern const size_t kpi_case_count;

#endif
