/**
 * @file referral/journal.h
 * @brief The journal: every change, in order, for hosts that sync.
 *
 * Each change appends one event in the same transaction as the change, with a
 * sequence number per practice (1, 2, 3, ... with no gaps once committed), a
 * type such as `party.added`, the ids involved, the time and the idempotency
 * key of the call that caused it. Events never carry personal data: a host
 * that needs a name or contact reads the record by id.
 *
 * A host syncs by remembering the last sequence number it processed (its
 * cursor) and reading from there.
 */
#ifndef REFERRAL_JOURNAL_H
#define REFERRAL_JOURNAL_H

#include "common.h"
#include "errors.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @name Event types of this version
 * @{ */
#define RF_EVENT_PARTY_ADDED "party.added"         /**< subject: party; data: `kind=CLIENT` */
#define RF_EVENT_PARTY_UPDATED "party.updated"     /**< subject: party; data: `fields=email,phone` */
#define RF_EVENT_CODE_ISSUED "code.issued"         /**< subject: code; object: owner; data: `style=VANITY` */
#define RF_EVENT_CODE_REVOKED "code.revoked"       /**< subject: code; object: owner */
#define RF_EVENT_CODE_USED "code.used"             /**< subject: code; object: owner; data: `uses=N` */
#define RF_EVENT_PROGRAM_CREATED "program.created" /**< subject: programme */
#define RF_EVENT_PROGRAM_UPDATED "program.updated" /**< subject: programme; data: `fields=window_days` */
#define RF_EVENT_TOUCH_RECORDED                                                                              \
    "touch.recorded" /**< subject: touch; object: code owner; data: `channel=LINK` */
/** subject: referral; object: referrer; data: `direction=INBOUND;source=CODE;flags=0` */
#define RF_EVENT_REFERRAL_RECEIVED "referral.received"
/** subject: referral; object: referrer; data: `from=ACCEPTED;to=SCHEDULED` (a reschedule adds
 * `reschedules=N`) */
#define RF_EVENT_REFERRAL_ADVANCED "referral.advanced"
/** subject: the referee; object: the refused referrer; data: `held_by=<referral id>` */
#define RF_EVENT_ATTRIBUTION_REFUSED "referral.attribution_refused"
/** subject: referral; data: `document=imaging` */
#define RF_EVENT_DOCUMENT_RECEIVED "referral.document_received"
/** subject: rule; object: programme; data: `program=..;recipient=REFERRER;trigger=CLOSED;kind=..;tier=1` */
#define RF_EVENT_REWARD_RULE_ADDED "reward.rule_added"
/** subject: rule; object: programme */
#define RF_EVENT_REWARD_RULE_RETIRED "reward.rule_retired"
/** subject: grant; object: recipient; data: `units=1500;currency=EUR;rule=..;referral=..;kind=..`, with
 * `tier_count=N` for referrer grants and `compliance=recipient|referee;payer=FEDERAL;was=<kind>` when
 * compliance mode made it a thank-you note */
#define RF_EVENT_REWARD_ISSUED "reward.issued"
/** subject: grant; object: recipient; data: `units=N[;currency=EUR]` */
#define RF_EVENT_REWARD_RELEASED "reward.released"
/** subject: grant; object: recipient; data: `units=N[;currency=EUR]` */
#define RF_EVENT_REWARD_REDEEMED "reward.redeemed"
/** subject: grant; object: recipient; data: `units=N[;currency=EUR]` */
#define RF_EVENT_REWARD_EXPIRED "reward.expired"
/** subject: grant; object: recipient; data: `units=N[;currency=EUR];referral=LOST[;clawback=1]` */
#define RF_EVENT_REWARD_REVERSED "reward.reversed"
/** subject: grant; object: recipient; data: `referral=LOST;reason=no_clawback` (a released grant
 * stays with its recipient although the referral failed) */
#define RF_EVENT_REWARD_KEPT "reward.kept"
/** subject: recipient; object: rule; data: `rule=..;referral=..;cap=N;cap_days=D` (no grant: over the cap) */
#define RF_EVENT_REWARD_CAPPED "reward.capped"
/** subject: referral; object: rule; data: `rule=..;referral=..;reason=no_staff` (no one to reward) */
#define RF_EVENT_REWARD_SKIPPED "reward.skipped"
/** subject: client event; object: the client; data: `type=NPS;value=10` */
#define RF_EVENT_CLIENT_EVENT "client.event"
/** subject: task; object: its party; data: `kind=THANK_REFERRER[;step=2]` */
#define RF_EVENT_TASK_CREATED "task.created"
/** subject: task (an ASK held back); object: the client; data: `kind=ASK;trigger=nps;segment=new;reason=cooldown` */
#define RF_EVENT_ASK_SUPPRESSED "ask.suppressed"
/** subject: task; object: its party; data: `attempt=N` (handed out under a lease) */
#define RF_EVENT_TASK_LEASED "task.leased"
/** subject: task; object: its party; data: `state=SENT;attempts=N` */
#define RF_EVENT_TASK_SENT "task.sent"
/** subject: task; object: its party; data: `state=ACKED;attempts=N` */
#define RF_EVENT_TASK_ACKED "task.acked"
/** subject: task; object: its party; data: `state=PENDING|FAILED;attempts=N` */
#define RF_EVENT_TASK_FAILED "task.failed"
/** subject: task; object: its party; data: `reason=booked` or `state=CANCELLED;attempts=N` */
#define RF_EVENT_TASK_CANCELLED "task.cancelled"
/** subject: task (an ASK); object: the client; data: `outcome=SHARED` */
#define RF_EVENT_ASK_OUTCOME "ask.outcome"
/** subject: referral; object: its practitioner or none; data: `urgency=URGENT;due=<time>` */
#define RF_EVENT_SLA_BREACHED "referral.sla_breached"
/** subject: template; object: its programme or none (practice-wide); data: `name=thank_referrer` */
#define RF_EVENT_TEMPLATE_SAVED "template.saved"
/** @} */

/** One journal event, owned by the caller. Opaque; free with rf_event_free(). */
typedef struct rf_event rf_event;

/** An iterator over journal events. Free with rf_journal_iter_free(). */
typedef struct rf_journal_iter rf_journal_iter;

/**
 * Iterate over the events with a sequence number greater than @p after_seq,
 * in order. Pass 0 to read from the beginning.
 * @return ::RF_OK, ::RF_EINVALID (negative cursor), ::RF_ENOMEM
 * The iterator borrows @p store: free it before the store.
 */
RF_API rf_status rf_journal_read(rf_journal_iter **out, rf_store *store, int64_t after_seq);

/** The next event, or ::RF_ITEROVER (with *out NULL) at the end. */
RF_API rf_status rf_journal_iter_next(rf_event **out, rf_journal_iter *iter);

/** Free an iterator. Accepts NULL. */
RF_API void rf_journal_iter_free(rf_journal_iter *iter);

/** The sequence number of the practice's newest event (0 when there is none). */
RF_API rf_status rf_journal_last_seq(int64_t *out, rf_store *store);

/** Free an event. Accepts NULL. */
RF_API void rf_event_free(rf_event *event);

/** @name Event accessors
 * Strings are borrowed from the event; an unset optional text is NULL.
 * @{ */
RF_API int64_t rf_event_seq(const rf_event *event);
RF_API const char *rf_event_type(const rf_event *event);
RF_API const char *rf_event_subject_id(const rf_event *event);
RF_API const char *rf_event_object_id(const rf_event *event);
RF_API rf_time rf_event_at(const rf_event *event);
RF_API const char *rf_event_idempotency_key(const rf_event *event);
/** Small `key=value` details without personal data, or NULL. */
RF_API const char *rf_event_data(const rf_event *event);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* REFERRAL_JOURNAL_H */
