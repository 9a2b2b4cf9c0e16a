/**
 * @file referral/errors.h
 * @brief Status codes and the thread-local last error.
 *
 * Every function that can fail returns an ::rf_status. On failure the calling
 * thread's last error (rf_error_last()) carries the same code, a class naming
 * the area that failed and a message a person can act on, every output
 * parameter is set to NULL (or zero) and nothing was changed. The one kind of
 * exception is a refusal the domain says must be on record, documented at
 * its function: rf_referral_create() journals a refused second attribution.
 */
#ifndef REFERRAL_ERRORS_H
#define REFERRAL_ERRORS_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Result of a call. Zero is success; failures are negative. */
typedef enum rf_status {
    RF_OK = 0,         /**< success */
    RF_ERROR = -1,     /**< an error that fits no other code */
    RF_ENOTFOUND = -3, /**< the record asked for does not exist */
    RF_EEXISTS = -4,   /**< a record with that unique key already exists */
    RF_EINVALID = -5,  /**< an argument is malformed or out of range */
    RF_ECONFLICT = -6, /**< the call collides with another (idempotency key reuse, concurrent writer) */
    RF_ESTATE = -7,    /**< the record is not in a state that allows the call */
    RF_EBACKEND = -8,  /**< the storage backend failed (I/O, corrupt file, server error) */
    RF_ENOMEM = -9,    /**< out of memory */
    RF_EVERSION = -10, /**< a schema or contract version this library cannot use */
    RF_EBUSY = -11,    /**< the database stayed locked beyond the busy timeout */
    RF_EPOLICY = -12,  /**< refused by a programme's policy (a fraud guard) */
    RF_EBALANCE = -13, /**< more than the balance available (a redemption) */
    /** Stored records contradict each other (rf_reward_audit() found a discrepancy). */
    RF_EINTEGRITY = -14,
    RF_ITEROVER = -31 /**< an iterator has no more items (not an error) */
} rf_status;

/** The area a failure came from. */
typedef enum rf_error_class {
    RF_ERRCLASS_NONE = 0,
    RF_ERRCLASS_ARGUMENT, /**< the caller passed something unusable */
    RF_ERRCLASS_STORE,    /**< opening, transactions, schema */
    RF_ERRCLASS_PARTY,
    RF_ERRCLASS_CODE,
    RF_ERRCLASS_JOURNAL,
    RF_ERRCLASS_IDEMPOTENCY,
    RF_ERRCLASS_BACKEND,
    RF_ERRCLASS_NOMEMORY,
    RF_ERRCLASS_PROGRAM,
    RF_ERRCLASS_REFERRAL,
    RF_ERRCLASS_REWARD,
    RF_ERRCLASS_OUTBOX
} rf_error_class;

/** The last error of the calling thread. */
typedef struct rf_error {
    rf_status code;       /**< the status the failing call returned */
    rf_error_class klass; /**< the area that failed */
    const char *message;  /**< what went wrong and what to do about it; never NULL */
} rf_error;

/**
 * The last error recorded on this thread. Never NULL: when no call has failed
 * since the thread started (or since rf_error_clear()) it is
 * `{RF_OK, RF_ERRCLASS_NONE, "no error"}`. Successful calls leave it as it is.
 * The result is valid until the next failing call on this thread.
 */
RF_API const rf_error *rf_error_last(void);

/** Reset this thread's last error to "no error". */
RF_API void rf_error_clear(void);

/** A short, static English description of a status code ("not found"). Never NULL. */
RF_API const char *rf_strerror(rf_status code);

#ifdef __cplusplus
}
#endif

#endif /* REFERRAL_ERRORS_H */
