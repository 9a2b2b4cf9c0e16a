/*
 * kpi_gen.h: what the generator's sources share (see kpi_generate.h).
 *
 *   kpi_generate.c     the run: store, clock, event loop, batches, figures
 *   kpi_gen_random.c   chance, delays, working hours, the event queue, pools
 *   kpi_gen_setup.c    programmes, reward rules, staff, partners, base clients
 *   kpi_gen_referral.c arrivals: leads, touches, referrals
 *   kpi_gen_life.c     each referral's lifecycle, one move at a time
 *   kpi_gen_clients.c  client visits and their events
 *   kpi_gen_outbox.c   outbox drains and redemptions
 *   kpi_gen_verify.c   reading the file back
 */
#ifndef RF_BENCH_KPI_GEN_H
#define RF_BENCH_KPI_GEN_H

#include "kpi_generate.h"

#include <stddef.h>
#include <stdint.h>

#define KPI_HOUR ((rf_time)3600)
#define KPI_DAY ((rf_time)86400)
#define KPI_T0 ((rf_time)1730419200) /* 2024-11-01T00:00:00Z, a Friday */
#define KPI_DAYS 730
#define KPI_END (KPI_T0 + KPI_DAYS * KPI_DAY) /* 2026-11-01 */
#define KPI_STAFF 20
#define KPI_PARTNERS_MAX 200
#define KPI_EARLY_SHARE 0.3 /* base clients whose first visit was before the two years */
#define KPI_RING 65536      /* converted clients who refer in turn: the most recent ones */
#define KPI_TEXT 48         /* a code's text, with room to spare */
#define KPI_CURRENCY "EUR"

/* ---- chance (kpi_gen_random.c) ---------------------------------------------------------------- */

typedef struct kpi_rng {
    uint64_t state;
} kpi_rng;

uint64_t kpi_next(kpi_rng *r);
double kpi_unit(kpi_rng *r); /* [0, 1) */
int kpi_chance(kpi_rng *r, double p);
long kpi_below(kpi_rng *r, long n); /* [0, n) */
/* Log-normal: the median times e to the power of a normal draw times sigma. */
double kpi_lognormal(kpi_rng *r, double median, double sigma);
/* A positive delay in seconds, log-normal with this median and spread: most are
 * near the median, a few many times longer (the tail of slow answers). */
rf_time kpi_delay(kpi_rng *r, rf_time median, double sigma);
/* An index drawn by weight from @n weights. */
int kpi_pick(kpi_rng *r, const double *weights, int n);
/* The first working moment at or after @t: Monday to Friday, 08:00-18:00 UTC. */
rf_time kpi_working(rf_time t);
/* An appointment slot (on the half hour, 08:00-17:30, Monday to Saturday morning) at or after @t. */
rf_time kpi_slot(rf_time t);
int kpi_weekday(rf_time t); /* 0 Monday .. 6 Sunday */
/* 1 Jan 2025 -> "2025-01-01" */
void kpi_date(char *out, size_t size, rf_time t);

/* ---- the event queue (kpi_gen_random.c) -------------------------------------------------------- */

enum kpi_event_kind {
    KPI_EV_ARRIVAL, /* the next referral journey starts */
    KPI_EV_JOIN,    /* the next base client's first visit */
    KPI_EV_STEP,    /* a referral's next step (index: its slot) */
    KPI_EV_VISIT,   /* a client's next visit (index: the care slot) */
    KPI_EV_DRAIN,   /* the outbox is drained */
    KPI_EV_REDEEM   /* a grant is used (index: the redemption slot) */
};

typedef struct kpi_event {
    rf_time at;
    uint64_t seq; /* ties keep the order they were queued in: determinism */
    uint32_t kind, index;
} kpi_event;

typedef struct kpi_queue {
    kpi_event *items;
    size_t count, cap;
    uint64_t seq;
} kpi_queue;

void kpi_queue_push(kpi_queue *q, rf_time at, int kind, uint32_t index);
int kpi_queue_pop(kpi_queue *q, kpi_event *out); /* 0 when empty */
void kpi_queue_free(kpi_queue *q);

/* A growable array of fixed-size slots with a free list; indexes stay valid,
 * pointers only until the next kpi_pool_take. */
typedef struct kpi_pool {
    unsigned char *items;
    size_t size, count, cap;
    uint32_t *free_list;
    size_t nfree, free_cap;
    size_t in_use, peak;
} kpi_pool;

void kpi_pool_init(kpi_pool *p, size_t size);
uint32_t kpi_pool_take(kpi_pool *p); /* zeroed */
void *kpi_pool_at(const kpi_pool *p, uint32_t i);
void kpi_pool_give(kpi_pool *p, uint32_t i);
void kpi_pool_free(kpi_pool *p);

/* ---- the practice ------------------------------------------------------------------------------- */

typedef struct kpi_client {
    char id[RF_ID_BUFSIZE];
    char code[2][KPI_TEXT]; /* "" when none */
    float weight;           /* how much this client refers; 0 for most */
    unsigned char practitioner, has_email;
} kpi_client;

typedef struct kpi_partner {
    char id[RF_ID_BUFSIZE];
    char code[KPI_TEXT];
} kpi_partner;

/* A converted client who refers in turn, with the code the programme issued them. */
typedef struct kpi_advocate {
    char id[RF_ID_BUFSIZE];
    char code[KPI_TEXT];
} kpi_advocate;

/* A journey's next step. */
enum kpi_op { KPI_OP_NONE, KPI_OP_TOUCH, KPI_OP_CREATE, KPI_OP_MOVE, KPI_OP_RESUME, KPI_OP_DOCS };

/* Who referred, as the journey was planned. */
enum kpi_referrer_kind { KPI_BY_BASE, KPI_BY_ADVOCATE, KPI_BY_PARTNER, KPI_BY_PRACTICE };

/* One referral journey in flight: what it was planned as, where it is, and its next step. */
typedef struct kpi_referral {
    char id[RF_ID_BUFSIZE];
    char referee[RF_ID_BUFSIZE];
    char referrer[RF_ID_BUFSIZE]; /* a partner for outbound referrals: the target */
    char code[KPI_TEXT];          /* the code presented or touched; "" when none */
    char other_code[KPI_TEXT];    /* touch journeys: an earlier touch on someone else's code */
    long number;                  /* the arrival's number: lead and visitor names */
    int base;                     /* KPI_BY_BASE: the client's index (shared-contact e-mail) */
    rf_time create_at, appointment;
    unsigned char by, source, channel, urgency, care, variant, partners_programme, outbound;
    unsigned char docs, docs_in, practitioner; /* practitioner 0xff: none */
    unsigned char state, touches_left, next_op, next_to;
    unsigned char answered;  /* the practice gave its first response */
    unsigned char held_from; /* the state ON_HOLD left, while on hold */
    unsigned char was_held, docs_done, rebooks, reschedules, visits, followed_up;
    rf_time next_at, next_appointment;
    const char *next_reason;
} kpi_referral;

/* A client being seen: base clients for the whole run, converted ones for their episodes. */
typedef struct kpi_care {
    char id[RF_ID_BUFSIZE];
    unsigned char practitioner, base, complaint, sensitive;
    int visits; /* in this episode */
    long complaint_number;
} kpi_care;

typedef struct kpi_redeem {
    char grant[RF_ID_BUFSIZE];
    unsigned char partial;
} kpi_redeem;

typedef struct kpi_gen {
    rf_store *store;
    rf_time now; /* the store's clock reads this */
    kpi_rng rng;
    kpi_queue queue;
    const kpi_gen_options *opts;
    kpi_gen_figures *fig;
    long writes_in_batch;

    char advocates_id[RF_ID_BUFSIZE], partners_id[RF_ID_BUFSIZE]; /* the two programmes */
    char staff[KPI_STAFF][RF_ID_BUFSIZE];
    double staff_quality[KPI_STAFF], staff_load[KPI_STAFF];

    kpi_partner *partners;
    double *partner_weight;
    int n_partners;

    kpi_client *clients;
    int n_clients, joined, n_early;
    rf_time *join_at; /* the later clients' first visits, in order */

    kpi_advocate *ring;
    size_t ring_count, ring_next;

    /* arrivals: referrals per day by weight, the current day's times in order */
    double *day_weight, day_total, day_cum;
    int day;
    rf_time *day_times;
    long day_count, day_pos, arrivals;

    kpi_pool referrals, cares, redeems;
    long complaints, invoices;
    int month_shown;
    double started;
    double seconds_in[KPI_EV_REDEEM + 1]; /* time spent handling each kind of event */
} kpi_gen;

/* kpi_generate.c: count one write call; commits and begins every KPI_BATCH. */
void kpi_wrote(kpi_gen *g, enum kpi_call kind);
/* Exit 1 with the library's message. */
_Noreturn void kpi_die(const char *what, rf_status rc);
void *kpi_xcalloc(size_t n, size_t size);
void kpi_copy(char *out, size_t size, const char *text); /* dies when @text does not fit */

/* kpi_gen_setup.c */
void kpi_setup(kpi_gen *g);
void kpi_join_next(kpi_gen *g); /* KPI_EV_JOIN */
void kpi_setup_free(kpi_gen *g);
void kpi_make_name(char *out, size_t size, kpi_rng *r);
rf_channel kpi_preferred_channel(kpi_rng *r);
rf_payer kpi_payer(kpi_rng *r);
int kpi_staff_pick(kpi_gen *g);

/* kpi_gen_referral.c */
void kpi_arrivals_init(kpi_gen *g);
void kpi_arrival(kpi_gen *g); /* KPI_EV_ARRIVAL */
void kpi_create(kpi_gen *g, uint32_t slot);
void kpi_touch(kpi_gen *g, uint32_t slot);
void kpi_ring_add(kpi_gen *g, const char *id, const char *code);
/* The documents list @docs (kpi_referral.docs): how many labels, and the i-th. */
int kpi_doc_count(int docs);
const char *kpi_doc_label(int docs, int i);

/* kpi_gen_life.c */
void kpi_step(kpi_gen *g, uint32_t slot); /* KPI_EV_STEP */
void kpi_plan_next(kpi_gen *g, uint32_t slot);
/* Queue the journey's next step (a move to @to, or another op) at @at. */
void kpi_schedule(kpi_gen *g, uint32_t slot, int op, int to, rf_time at);

/* kpi_gen_clients.c */
void kpi_care_start(kpi_gen *g, const char *id, int practitioner, int base, rf_time first);
void kpi_visit(kpi_gen *g, uint32_t slot); /* KPI_EV_VISIT */
void kpi_seen_events(kpi_gen *g, const char *party_id, int practitioner);

/* kpi_gen_outbox.c */
void kpi_drains_init(kpi_gen *g);
void kpi_drain(kpi_gen *g); /* KPI_EV_DRAIN */
void kpi_redeem_due(kpi_gen *g, uint32_t slot);

#endif
