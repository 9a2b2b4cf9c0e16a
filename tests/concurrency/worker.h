/* A worker process: its handle, its fixed-seed random numbers, its log and
 * its tally. Internal to concurrency_worker.c and concurrency_ops.c. */
#ifndef CONCURRENCY_WORKER_H
#define CONCURRENCY_WORKER_H

#include "concurrency.h"

typedef struct conc_worker {
    const conc_world *w;
    int who;
    rf_store *store;
    FILE *log;
    uint64_t rng;
    rf_time clock; /* the handle's clock: one shared tick per operation */
    long seq;      /* numbers this worker's idempotency keys */
    long tally[CONC_OP_COUNT][CONC_STATUS_SLOTS];
    long busy;
    int failed; /* the exit code once something unexpected happened */
} conc_worker;

/* A number in [0, n) from the worker's own sequence. */
uint32_t conc_rand(conc_worker *k, uint32_t n);

/* Tally @rc for @op. A refusal must be clean: the thread's last error carries
 * the same code and a message. Returns @rc. */
rf_status conc_note(conc_worker *k, conc_op op, rf_status rc);

/* Report a status the mix does not allow and mark the worker failed. */
void conc_unexpected(conc_worker *k, conc_op op, rf_status rc, const char *call);

/* Call @expr again while it reports RF_EBUSY, a bounded number of times. */
#define CONC_RETRY(k, rc, expr)                                                                              \
    do {                                                                                                     \
        for (int attempt_ = 0;; attempt_++) {                                                                \
            (rc) = (expr);                                                                                   \
            if ((rc) != RF_EBUSY || attempt_ >= CONC_BUSY_RETRIES) {                                         \
                break;                                                                                       \
            }                                                                                                \
            (k)->busy++;                                                                                     \
        }                                                                                                    \
    } while (0)

void conc_op_touch(conc_worker *k);
void conc_op_create(conc_worker *k);
void conc_op_advance(conc_worker *k);
void conc_op_process(conc_worker *k);
void conc_op_redeem(conc_worker *k);
void conc_op_drain(conc_worker *k);
void conc_op_event(conc_worker *k);

#endif
