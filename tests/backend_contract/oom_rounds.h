/* The out-of-memory rounds the version 3 and 4 cases share (oom_rounds.c): each write runs with
 * allocations failing from the k-th on (oom_hook.c), k = 0, 1, ... until it succeeds, and every
 * failed attempt must return RF_ENOMEM and leave every record and every index as it was. */
#ifndef RF_BACKEND_CONTRACT_OOM_ROUNDS_H
#define RF_BACKEND_CONTRACT_OOM_ROUNDS_H

#include "harness.h"

/* One kind of write; round i writes record i. */
typedef struct oom_op {
    const char *name;
    int (*write)(rf_backend *b, unsigned int i);
    /* Reads only: what a failed write of round i must have left (the gets, which read other
     * indexes than scans, and which a backend may answer from what it remembers of its last
     * write). Nothing else may probe between attempts: a write that succeeded would make room
     * (indexes only grow) that the next attempt then need not make, and its failures would go
     * untested. */
    void (*unchanged)(rf_backend *b, unsigned int i);
} oom_op;

/* The writes of one contract version and how to read back what they wrote. */
typedef struct oom_suite {
    const oom_op *ops;
    size_t n_ops;
    /* Fails or skips the case unless the backend has the members the writes use. */
    void (*need)(rf_backend *b);
    /* Every record of @practice the writes touch, in every order the backend can list it. */
    void (*put_practice)(rf_backend *b, const char *practice, digest *d);
    /* A record of each kind in PB, which no failure in PA may touch. */
    void (*seed_other_practice)(rf_backend *b);
    /* Round @i was rolled back: none of its records is there. */
    void (*absent)(rf_backend *b, unsigned int i);
    /* After @rounds rounds: every record, as its last write left it, by its gets. */
    void (*check_gets)(rf_backend *b, unsigned int rounds);
} oom_suite;

/* What the case is doing, then @when; for the messages of a suite's checks. */
const char *oom_context(const char *when);

/* @rounds rounds of every write all in one long transaction, with inner levels folded or rolled
 * back, for the backends that keep a transaction whole through a failure (factory.oom_testable);
 * skips the case for the others, and when the allocation hook is not in force. */
void oom_long_transaction(fixture *fx, const oom_suite *s, unsigned int rounds);

/* @rounds rounds, a transaction each, for every backend: the contract lets a backend lose the
 * whole transaction after RF_ENOMEM (SQLite does, most times), and it must then refuse writes and
 * commits and never commit part of it. Skips the case when the hook is not in force. */
void oom_transaction_per_round(fixture *fx, const oom_suite *s, unsigned int rounds);

#endif
