/* clang-format off */
/**
 * @file referral/outbox.h
 * @brief The outbox: what the host must send or do, when, and to whom.
 *
 * libreferral never sends anything itself. As referrals move, rewards are
 * granted and clients' events arrive, it writes **tasks** — in the same
 * transaction as the change that caused them — and the host drains the due
 * ones with rf_tasks_due(), delivers them and reports back:
 *
 * | kind | for | when | cancelled |
 * |------|-----|------|-----------|
 * | THANK_REFERRER | the referrer | a referral arrives (deadline 48 h) | |
 * | PARTNER_SCHEDULED, PARTNER_VISIT_SUMMARY, PARTNER_CLOSURE | a PARTNER referrer | first SCHEDULED, SEEN, CLOSED | |
 * | STATUS_NOTICE | a client referrer who may be contacted | first SCHEDULED, CLOSED | |
 * | REFEREE_INTRO (steps 1-3) | the referee | on arrival, +3 days, +7 days | once booked (SCHEDULED) or ended |
 * | TIER_NUDGE | the referrer | one qualifying referral before the next tier | |
 * | REWARD_NOTICE | the recipient | a grant is issued on hold, and when it is released | |
 * | ASK | a client | the programme's ask policy says so | |
 * | SLA_BREACH | the practice (the referral's practitioner, if any) | no first response within the SLA | |
 *
 * Every task has a unique key (e.g. `thank:<referral id>`), so however often
 * a cause is replayed a task exists once. A task is PENDING until it is due;
 * rf_tasks_due() hands each due task to one caller under a **lease** (a token
 * and an end time): two processes draining one outbox never receive the same
 * task, and a task whose holder died is handed out again when its lease ends.
 * The holder reports rf_task_sent() (SENT) and later rf_task_acked() (ACKED),
 * or rf_task_failed(): the task is retried with exponential back-off (1 min,
 * 2, 4, ... up to 6 h) until its attempts are used up (default 5), then it is
 * FAILED. rf_task_cancel() withdraws a task that is not done.
 *
 * Asks that the policy suppresses are kept as SUPPRESSED tasks with the reason
 * (`reason=open_complaint`), so a practice can see why nobody was asked.
 */
/* clang-format on */
#ifndef REFERRAL_OUTBOX_H
#define REFERRAL_OUTBOX_H

#include "code.h"
#include "common.h"
#include "errors.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A task, owned by the caller. Free with rf_task_free(). */
typedef struct rf_task rf_task;
/** An iterator over tasks (a list or a drain). Free with rf_task_iter_free(). */
typedef struct rf_task_iter rf_task_iter;

/** What the host is asked to do. */
typedef enum rf_task_kind {
    RF_TASK_KIND_UNSET = 0,
    RF_TASK_THANK_REFERRER = 1,
    RF_TASK_PARTNER_SCHEDULED = 2,
    RF_TASK_PARTNER_VISIT_SUMMARY = 3,
    RF_TASK_PARTNER_CLOSURE = 4,
    RF_TASK_STATUS_NOTICE = 5,
    RF_TASK_REFEREE_INTRO = 6,
    RF_TASK_TIER_NUDGE = 7,
    RF_TASK_REWARD_NOTICE = 8,
    RF_TASK_ASK = 9,
    RF_TASK_SLA_BREACH = 10
} rf_task_kind;

/** The number of task kinds, for tables indexed by kind. */
#define RF_TASK_KIND_COUNT 11

/** Where a task is. */
typedef enum rf_task_state {
    RF_TASK_STATE_UNSET = 0,
    RF_TASK_PENDING = 1,   /**< waiting to be due, due, or handed out under a lease */
    RF_TASK_SENT = 2,      /**< the host sent it */
    RF_TASK_ACKED = 3,     /**< delivery confirmed (or done): closed */
    RF_TASK_FAILED = 4,    /**< every attempt failed: closed */
    RF_TASK_CANCELLED = 5, /**< no longer needed: closed */
    RF_TASK_SUPPRESSED = 6 /**< an ask the policy held back (see the task's data for why): closed */
} rf_task_state;

/** What came of an ask, reported by the host. */
typedef enum rf_ask_outcome {
    RF_ASK_OUTCOME_UNSET = 0,
    RF_ASK_SENT = 1,     /**< asked; nothing heard yet */
    RF_ASK_DECLINED = 2, /**< the client said no */
    RF_ASK_SHARED = 3,   /**< the client shared their code or link */
    RF_ASK_REFERRED = 4  /**< someone came because of it */
} rf_ask_outcome;

/** "THANK_REFERRER", ...; "UNSET" for anything else. Static. */
RF_API const char *rf_task_kind_name(rf_task_kind kind);
/** "PENDING", ...; "UNSET" for anything else. Static. */
RF_API const char *rf_task_state_name(rf_task_state state);
/** "SENT", "DECLINED", "SHARED", "REFERRED"; "UNSET" for anything else. Static. */
RF_API const char *rf_ask_outcome_name(rf_ask_outcome outcome);

/** How rf_tasks_due() hands tasks out. */
typedef struct rf_drain_options {
    unsigned int version; /**< the struct version: RF_DRAIN_OPTIONS_VERSION */
    /** Seconds a handed-out task stays the caller's before another may take it (default 300; 10..86400). */
    int lease_seconds;
    /** Hand out at most this many tasks (default: all that are due; 1..10000). */
    int limit;
    rf_task_kind kind; /**< only this kind (default: all) */
} rf_drain_options;

/** The newest version of ::rf_drain_options this header describes. */
#define RF_DRAIN_OPTIONS_VERSION 1
/** Static initialiser of ::rf_drain_options: defaults. */
#define RF_DRAIN_OPTIONS_INIT                                                                                \
    {                                                                                                        \
        RF_DRAIN_OPTIONS_VERSION, RF_UNSET, RF_UNSET, RF_TASK_KIND_UNSET                                     \
    }

/** Initialise @p opts to defaults for structure version @p version. */
RF_API rf_status rf_drain_options_init(rf_drain_options *opts, unsigned int version);

/**
 * Drain the outbox: first do the time-driven work due at @p now
 * (::RF_TIME_UNSET: the store's clock) — raise SLA breaches, write the asks
 * that fall due by date (N days after the first visit, anniversaries) — then
 * return an iterator that hands out the due tasks one by one, oldest first.
 * Each rf_task_iter_next() leases its task in a transaction of its own,
 * after reading it again under the write lock, so a task is handed out to
 * one caller at a time. @p opts may be NULL.
 */
RF_API rf_status rf_tasks_due(rf_task_iter **out, rf_store *store, rf_time now, const rf_drain_options *opts);

/** Which tasks rf_task_list() returns. NULL / unset fields do not filter. */
typedef struct rf_task_filter {
    unsigned int version;    /**< the struct version: RF_TASK_FILTER_VERSION */
    const char *party_id;    /**< only tasks for this party */
    const char *referral_id; /**< only tasks about this referral */
    rf_task_kind kind;       /**< only this kind */
    rf_task_state state;     /**< only this state */
} rf_task_filter;

/** The newest version of ::rf_task_filter this header describes. */
#define RF_TASK_FILTER_VERSION 1
/** Static initialiser of ::rf_task_filter: everything. */
#define RF_TASK_FILTER_INIT                                                                                  \
    {                                                                                                        \
        RF_TASK_FILTER_VERSION, NULL, NULL, RF_TASK_KIND_UNSET, RF_TASK_STATE_UNSET                          \
    }

/** Initialise @p filter to "everything" for structure version @p version. */
RF_API rf_status rf_task_filter_init(rf_task_filter *filter, unsigned int version);

/** Iterate over the tasks matching @p filter (NULL: all), oldest first, without leasing them. */
RF_API rf_status rf_task_list(rf_task_iter **out, rf_store *store, const rf_task_filter *filter);

/** The next task, or ::RF_ITEROVER (with *out NULL) at the end. */
RF_API rf_status rf_task_iter_next(rf_task **out, rf_task_iter *iter);

/** Free an iterator. Accepts NULL. */
RF_API void rf_task_iter_free(rf_task_iter *iter);

/** Get a task by id. ::RF_ENOTFOUND. */
RF_API rf_status rf_task_get(rf_task **out, rf_store *store, const char *id);

/**
 * The holder of a lease reports the task sent (`task.sent`). @p lease_token
 * is rf_task_lease_token() of the task as handed out.
 * @return ::RF_OK (also when it was already reported sent with this token);
 *         ::RF_ENOTFOUND; ::RF_ECONFLICT (the lease ended and the task went to
 *         someone else, or the token is wrong); ::RF_ESTATE (closed)
 */
RF_API rf_status rf_task_sent(rf_store *store, const char *id, const char *lease_token);

/**
 * Delivery confirmed, or the thing done (`task.acked`): the task is closed.
 * Acking an acked task changes nothing. ::RF_ESTATE when it is not SENT.
 */
RF_API rf_status rf_task_acked(rf_store *store, const char *id);

/**
 * The holder of a lease reports a failed attempt (`task.failed`) with the
 * host's reason (no personal data, please): the task is due again after the
 * back-off, or FAILED when its attempts are used up. ::RF_ECONFLICT, ::RF_ESTATE
 * as for rf_task_sent().
 */
RF_API rf_status rf_task_failed(rf_store *store, const char *id, const char *lease_token, const char *error);

/**
 * Withdraw a task that is not closed (`task.cancelled`); @p reason (may be
 * NULL) is kept as the task's last error. ::RF_ESTATE when closed.
 */
RF_API rf_status rf_task_cancel(rf_store *store, const char *id, const char *reason);

/**
 * Record what came of an ASK task (`ask.outcome`). The latest report wins.
 * ::RF_EINVALID (not an ask, or not an outcome); ::RF_ESTATE (a suppressed ask).
 */
RF_API rf_status rf_task_set_outcome(rf_store *store, const char *id, rf_ask_outcome outcome);

/** Free a task. Accepts NULL. */
RF_API void rf_task_free(rf_task *task);

/** @name Task accessors
 * Strings are borrowed from the task.
 * @{ */
/** The task's id (UUID text). */
RF_API const char *rf_task_id(const rf_task *task);
/** The unique key that makes it happen once, e.g. `thank:<referral id>`. */
RF_API const char *rf_task_key(const rf_task *task);
RF_API rf_task_kind rf_task_get_kind(const rf_task *task);
RF_API rf_task_state rf_task_get_state(const rf_task *task);
/** Who it is for (NULL for an SLA breach with no practitioner: the practice itself). */
RF_API const char *rf_task_party_id(const rf_task *task);
RF_API const char *rf_task_referral_id(const rf_task *task);
RF_API const char *rf_task_program_id(const rf_task *task);
/** The message template to render (rf_task_render()), or NULL. */
RF_API const char *rf_task_template(const rf_task *task);
/** The channel to use, or RF_CHANNEL_UNSET (the host decides). */
RF_API rf_channel rf_task_channel(const rf_task *task);
/** Details as `key=value;...` (intro step, ask trigger, suppression reason, grant id), or NULL. */
RF_API const char *rf_task_data(const rf_task *task);
/** The lease token to report back with, when handed out by rf_tasks_due(); else NULL. */
RF_API const char *rf_task_lease_token(const rf_task *task);
/** The host's last reported failure or cancellation reason, or NULL. */
RF_API const char *rf_task_last_error(const rf_task *task);
RF_API int rf_task_attempts(const rf_task *task);
RF_API rf_ask_outcome rf_task_outcome(const rf_task *task);
RF_API rf_time rf_task_due_at(const rf_task *task);
/** When it should be done by, or 0. */
RF_API rf_time rf_task_deadline_at(const rf_task *task);
RF_API rf_time rf_task_lease_until(const rf_task *task);
RF_API rf_time rf_task_sent_at(const rf_task *task);
RF_API rf_time rf_task_closed_at(const rf_task *task);
RF_API rf_time rf_task_created_at(const rf_task *task);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* REFERRAL_OUTBOX_H */
