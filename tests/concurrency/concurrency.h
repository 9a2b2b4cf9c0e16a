/* Many writers on one database: four processes each make a fixed-seed mix of
 * calls (touches, referrals for shared referees, moves, rewards, redemptions,
 * client events, outbox drains) and log what succeeded; the parent then
 * proves from the store that nothing was lost, doubled or miscounted.
 *
 * Children never run cmocka code: they log, print to stderr and _exit(). */
#ifndef CONCURRENCY_H
#define CONCURRENCY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <referral.h>

#define CONC_WORKERS 4
#define CONC_OPS_DEFAULT 5000
/* Few referrers, so concurrent moves often climb the same referrer's tier ladder. */
#define CONC_REFERRERS 12
/* Shared by every worker: each tries to refer the same people. */
#define CONC_REFEREES 400
/* Client-event keys every worker may use for the same request at once. */
#define CONC_SHARED_EVENT_KEYS 400
#define CONC_T0 ((rf_time)1772355600)
/* Simulated seconds per operation: 20,000 operations span about a week, so
 * holds end, grants expire and later intro messages fall due. */
#define CONC_STEP 30
/* A worker gives up on a call after this many RF_EBUSY in a row. */
#define CONC_BUSY_RETRIES 40
#define CONC_CURRENCY "EUR"

/* One reward rule of the programme, as set up and as the checks expect it. */
typedef struct conc_rule_spec {
    rf_reward_recipient recipient;
    rf_referral_state trigger;
    rf_reward_kind kind;
    int64_t amount;
    int tier; /* referrer rules: the ladder's threshold; 0 otherwise */
    int hold_days;
    int expiry_days;
} conc_rule_spec;

#define CONC_RULES 4
extern const conc_rule_spec conc_rules[CONC_RULES];

/* The time every worker reads: a counter in memory shared across fork(), so
 * all clocks agree and a lease never looks over to another worker. */
typedef struct conc_shared {
    int64_t tick; /* accessed with __atomic builtins */
} conc_shared;

typedef struct conc_world {
    char uri[1024];
    const char *backend; /* "sqlite" or "postgres", for the figures */
    char program_id[RF_ID_BUFSIZE];
    char rule_id[CONC_RULES][RF_ID_BUFSIZE];
    char referrer_id[CONC_REFERRERS][RF_ID_BUFSIZE];
    char referrer_code[CONC_REFERRERS][64];
    char referee_id[CONC_REFEREES][RF_ID_BUFSIZE];
    char log_path[CONC_WORKERS][600];
    int ops; /* per worker */
    conc_shared *shared;
} conc_world;

/* The operations of the mix. */
typedef enum conc_op {
    CONC_OP_TOUCH,
    CONC_OP_CREATE,
    CONC_OP_ADVANCE,
    CONC_OP_PROCESS,
    CONC_OP_REDEEM,
    CONC_OP_DRAIN,
    CONC_OP_EVENT,
    CONC_OP_COUNT
} conc_op;

extern const char *const conc_op_names[CONC_OP_COUNT];

/* Statuses are tallied by their magnitude (RF_ITEROVER is the largest). */
#define CONC_STATUS_SLOTS 32

/* --- setup (parent) --------------------------------------------------------------- */

rf_status conc_open(rf_store **out, const conc_world *w, uint64_t seed, rf_time *clock);
/* Build the practice: programme, rules, referrers with codes, referees. 0 on success. */
int conc_setup(conc_world *w);

/* --- the worker (child) ----------------------------------------------------------- */

/* Run worker @who's mix; returns its exit code (0: everything as expected). */
int conc_worker_main(const conc_world *w, int who);

/* --- the logs (parent) ------------------------------------------------------------ */

/* One line of a worker's log. Kinds:
 *   R referral referee-index   a referral it created
 *   A referral                 a move it made
 *   G grant                    a grant it saw after a move
 *   U touch                    a touch it recorded
 *   H task                     a task it was handed
 *   S task                     a task it reported sent
 *   E key event                a client event it recorded (or was given back for a retried key)
 *   D key units                a redemption (the key is also the reference)
 *   P released expired         what rf_rewards_process moved
 *   C op status count          how often an operation ended with a status
 *   B count                    RF_EBUSY retries */
typedef struct conc_entry {
    char kind;
    int worker;
    char a[RF_IDEMPOTENCY_KEY_MAX + 1];
    char b[RF_ID_BUFSIZE];
    long n1, n2;
} conc_entry;

typedef struct conc_logs {
    conc_entry *items;
    size_t count, cap;
    long tally[CONC_OP_COUNT][CONC_STATUS_SLOTS];
    long busy;
} conc_logs;

/* Read every worker's log; 0 on success. */
int conc_logs_read(conc_logs *logs, const conc_world *w);
void conc_logs_free(conc_logs *logs);
/* The entries of one kind, as a sorted array of their `a` fields (caller frees). */
char (*conc_logs_ids(const conc_logs *logs, char kind, size_t *count))[RF_IDEMPOTENCY_KEY_MAX + 1];

/* --- checks (parent) -------------------------------------------------------------- */

/* Each check prints every discrepancy it finds and returns how many. */
typedef struct conc_journal conc_journal;
conc_journal *conc_journal_read(rf_store *store, int *problems);
void conc_journal_free(conc_journal *j);

int conc_check_referrals(rf_store *store, const conc_world *w, const conc_logs *logs, const conc_journal *j);
int conc_check_grants(rf_store *store, const conc_world *w, const conc_logs *logs, const conc_journal *j);
int conc_check_books(rf_store *store, const conc_world *w, const conc_logs *logs);
int conc_check_outbox(rf_store *store, const conc_logs *logs, const conc_journal *j);
int conc_check_events(rf_store *store, const conc_logs *logs, const conc_journal *j);

/* The journal as the checks need it. */
typedef struct conc_move {
    char referral[RF_ID_BUFSIZE];
    char referrer[RF_ID_BUFSIZE];
    rf_referral_state to;
} conc_move;

struct conc_journal {
    long received, advanced, refused, touches, client_events, leased, sent, released, expired;
    conc_move *moves; /* referral.advanced in journal order */
    size_t move_count, move_cap;
};

/* Print one discrepancy (to stdout, so ctest shows it) and count it. */
#define CONC_FAIL(counter, ...)                                                                              \
    do {                                                                                                     \
        printf("CHECK FAILED: " __VA_ARGS__);                                                                \
        printf("\n");                                                                                        \
        (counter)++;                                                                                         \
    } while (0)

int conc_by_text(const void *a, const void *b);

/* The referrals in the store, sorted by id, as the checks need them. */
typedef struct conc_ref {
    char id[RF_ID_BUFSIZE];
    char referee[RF_ID_BUFSIZE];
    char referrer[RF_ID_BUFSIZE];
    rf_referral_state state;
    int reached_scheduled, reached_seen;
} conc_ref;

/* 0 on success; *out is sorted by id. */
int conc_refs_load(rf_store *store, conc_ref **out, size_t *count);
const conc_ref *conc_refs_find(const conc_ref *refs, size_t count, const char *id);
int conc_state_failed(rf_referral_state state);
/* Whether sorted @ids (of @count) holds @id. */
int conc_ids_have(char (*ids)[RF_IDEMPOTENCY_KEY_MAX + 1], size_t count, const char *id);

#endif
