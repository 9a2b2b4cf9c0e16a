/* Draining the outbox: listing, handing tasks out under a lease, and the
 * host's reports (sent, acked, failed, cancelled, an ask's outcome). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "referral/journal.h"
#include "core/outbox_internal.h"
#include "core/records.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/text.h"

/* Back-off after the n-th failed attempt: one minute doubling, at most six hours. */
static rf_time backoff(int attempts)
{
    rf_time delay = 60;
    for (int i = 1; i < attempts && delay < 6 * RF_HOUR; i++) {
        delay *= 2;
    }
    return delay < 6 * RF_HOUR ? delay : 6 * RF_HOUR;
}

/* The most attempts a task gets before it is FAILED for good. */
#define MAX_ATTEMPTS 5

struct rf_task_iter {
    rf_store *store;
    int draining;
    /* listing */
    char party_id[RF_ID_BUFSIZE], referral_id[RF_ID_BUFSIZE];
    int kind, state;
    rf_record_page page;
    /* draining: candidates found by a scan, leased one by one in next() */
    rf_time now, lease_seconds;
    int limit, handed;
    char token[RF_ID_BUFSIZE];
    char candidates[RF_PAGE_SIZE][RF_ID_BUFSIZE];
    size_t count, pos;
    char after[RF_ID_BUFSIZE];
    int exhausted;
};

static const char *or_null(const char *s)
{
    return s[0] != '\0' ? s : NULL;
}

/* --- listing ------------------------------------------------------------------------ */

static int collect_task(const rf_task_record *rec, void *payload)
{
    rf_task *t = rf__task_from_record(rec);
    if (t != NULL) {
        t->r.lease_owner = NULL; /* the token is the drain's alone: listing does not give it */
    }
    return rf__page_add(payload, t, rec->id);
}

static rf_status fetch_tasks(void *iter_ptr, rf_record_page *page)
{
    rf_task_iter *it = iter_ptr;
    rf_task_query q = {or_null(page->last_id),
                       or_null(it->party_id),
                       or_null(it->referral_id),
                       it->kind,
                       it->state,
                       RF_TIME_UNSET,
                       RF_TIME_UNSET,
                       RF_PAGE_SIZE};
    return (rf_status)it->store->backend->task_scan(it->store->backend, it->store->practice, &q, collect_task,
                                                    page);
}

static rf_status new_iter(rf_task_iter **out, rf_store *store)
{
    rf_task_iter *it = rf__calloc(1, sizeof *it);
    if (it == NULL) {
        return RF_ENOMEM;
    }
    it->store = store;
    rf__page_init(&it->page, fetch_tasks, it, (void (*)(void *))rf_task_free);
    *out = it;
    return RF_OK;
}

rf_status rf_task_list(rf_task_iter **out, rf_store *store, const rf_task_filter *filter)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    rf_task_filter all = RF_TASK_FILTER_INIT;
    if (filter == NULL) {
        filter = &all;
    }
    if ((rc = rf__check_arg(store, "store")) != RF_OK ||
        (rc = rf__store_require(store, 4, "the outbox")) != RF_OK ||
        (rc = rf__check_version("rf_task_filter", filter->version, RF_TASK_FILTER_VERSION,
                                "RF_TASK_FILTER_INIT")) != RF_OK ||
        (rc = rf__check_text("party_id", filter->party_id, RF_ID_BUFSIZE - 1, 0, RF_ERRCLASS_OUTBOX)) !=
            RF_OK ||
        (rc = rf__check_text("referral_id", filter->referral_id, RF_ID_BUFSIZE - 1, 0, RF_ERRCLASS_OUTBOX)) !=
            RF_OK) {
        return rc;
    }
    if (filter->kind < 0 || filter->kind >= RF_TASK_KIND_COUNT || filter->state < 0 ||
        filter->state > RF_TASK_SUPPRESSED) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_OUTBOX, "kind %d or state %d is not a task kind or state",
                         (int)filter->kind, (int)filter->state);
    }
    if ((rc = new_iter(out, store)) == RF_OK) {
        snprintf((*out)->party_id, RF_ID_BUFSIZE, "%s", filter->party_id != NULL ? filter->party_id : "");
        snprintf((*out)->referral_id, RF_ID_BUFSIZE, "%s",
                 filter->referral_id != NULL ? filter->referral_id : "");
        (*out)->kind = (int)filter->kind;
        (*out)->state = (int)filter->state;
    }
    return rc;
}

/* --- draining ------------------------------------------------------------------------ */

rf_status rf_drain_options_init(rf_drain_options *opts, unsigned int version)
{
    static const rf_drain_options init = RF_DRAIN_OPTIONS_INIT;
    return rf__options_init(opts, sizeof init, &init, version, "rf_drain_options", "RF_DRAIN_OPTIONS_INIT");
}

static int collect_candidate(const rf_task_record *rec, void *payload)
{
    rf_task_iter *it = payload;
    snprintf(it->candidates[it->count++], RF_ID_BUFSIZE, "%s", rec->id);
    return 0;
}

static rf_status find_candidates(rf_task_iter *it)
{
    it->count = it->pos = 0;
    rf_task_query q = {or_null(it->after), NULL,    NULL,    it->kind,
                       RF_TASK_PENDING,    it->now, it->now, RF_PAGE_SIZE};
    rf_status rc = (rf_status)it->store->backend->task_scan(it->store->backend, it->store->practice, &q,
                                                            collect_candidate, it);
    if (it->count < RF_PAGE_SIZE) {
        it->exhausted = 1;
    }
    if (it->count > 0) {
        snprintf(it->after, sizeof it->after, "%s", it->candidates[it->count - 1]);
    }
    return rc;
}

/* Lease one candidate if it is still free and due, in a transaction of its own:
 * *out is NULL when someone else got there first. */
static rf_status lease(rf_task_iter *it, const char *id, rf_task **out)
{
    rf_store *store = it->store;
    *out = NULL;
    rf_status rc = rf__tx_begin(store);
    if (rc != RF_OK) {
        return rc;
    }
    rf_task *t = NULL;
    if ((rc = rf__task_load(store, id, &t)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    if (t->r.state != RF_TASK_PENDING || t->r.due_at > it->now || t->r.lease_until > it->now) {
        rf_task_free(t);
        rf__tx_close_unchanged(store);
        return RF_OK;
    }
    t->r.lease_owner = it->token;
    t->r.lease_until = it->now + it->lease_seconds;
    t->r.attempts++;
    t->r.updated_at = rf_store_now(store);
    char data[64];
    snprintf(data, sizeof data, "attempt=%d", t->r.attempts);
    rf_task *handed = NULL;
    if ((rc = (rf_status)store->backend->task_update(store->backend, store->practice, &t->r)) != RF_OK ||
        (rc = rf__journal_append(store, RF_EVENT_TASK_LEASED, t->r.id, t->r.party_id, NULL, data)) != RF_OK ||
        (handed = rf__task_from_record(&t->r)) == NULL) {
        rf_task_free(t);
        return rf__tx_abort(store, rc != RF_OK ? rc : RF_ENOMEM);
    }
    rf_task_free(t);
    if ((rc = rf__tx_commit(store)) != RF_OK) {
        rf_task_free(handed);
        return rc;
    }
    *out = handed;
    return RF_OK;
}

static rf_status drain_next(rf_task_iter *it, rf_task **out)
{
    while (it->limit == 0 || it->handed < it->limit) {
        if (it->pos == it->count) {
            if (it->exhausted) {
                return RF_ITEROVER;
            }
            rf_status rc = find_candidates(it);
            if (rc != RF_OK) {
                return rc;
            }
            if (it->count == 0) {
                return RF_ITEROVER;
            }
        }
        rf_status rc = lease(it, it->candidates[it->pos++], out);
        if (rc != RF_OK) {
            return rc;
        }
        if (*out != NULL) {
            it->handed++;
            return RF_OK;
        }
    }
    return RF_ITEROVER;
}

rf_status rf_tasks_due(rf_task_iter **out, rf_store *store, rf_time now, const rf_drain_options *opts)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    rf_drain_options defaults = RF_DRAIN_OPTIONS_INIT;
    if (opts == NULL) {
        opts = &defaults;
    }
    if ((rc = rf__check_arg(store, "store")) != RF_OK ||
        (rc = rf__store_require(store, 4, "the outbox")) != RF_OK ||
        (rc = rf__check_version("rf_drain_options", opts->version, RF_DRAIN_OPTIONS_VERSION,
                                "RF_DRAIN_OPTIONS_INIT")) != RF_OK) {
        return rc;
    }
    if ((opts->lease_seconds != RF_UNSET && (opts->lease_seconds < 10 || opts->lease_seconds > 86400)) ||
        (opts->limit != RF_UNSET && (opts->limit < 1 || opts->limit > 10000)) || opts->kind < 0 ||
        opts->kind >= RF_TASK_KIND_COUNT) {
        return rf__error(
            RF_EINVALID, RF_ERRCLASS_OUTBOX,
            "drain options out of range: lease_seconds 10..86400, limit 1..10000, kind a task kind");
    }
    if (now == RF_TIME_UNSET) {
        now = rf_store_now(store);
    }
    if ((rc = rf__sla_sweep(store, now)) != RF_OK || (rc = rf__asks_sweep(store, now)) != RF_OK ||
        (rc = new_iter(out, store)) != RF_OK) {
        return rc;
    }
    rf_task_iter *it = *out;
    it->draining = 1;
    it->now = now;
    it->lease_seconds = opts->lease_seconds != RF_UNSET ? opts->lease_seconds : 300;
    it->limit = opts->limit != RF_UNSET ? opts->limit : 0;
    it->kind = (int)opts->kind;
    rf__store_new_id(store, it->token); /* this drain's lease token */
    return RF_OK;
}

rf_status rf_task_iter_next(rf_task **out, rf_task_iter *iter)
{
    if (out == NULL || iter == NULL || !iter->draining) {
        return rf__iter_next((void **)out, iter, iter != NULL ? &iter->page : NULL);
    }
    *out = NULL;
    return drain_next(iter, out);
}

void rf_task_iter_free(rf_task_iter *iter)
{
    rf__iter_free(iter, iter != NULL ? &iter->page : NULL);
}

/* --- the host's reports --------------------------------------------------------------- */

typedef enum report { REPORT_SENT, REPORT_ACKED, REPORT_FAILED, REPORT_CANCEL, REPORT_OUTCOME } report;

/* Check the report against the task; 1 in *unchanged when it repeats one already made. */
static rf_status check_report(const rf_task *t, report what, const char *token, rf_time now, int *unchanged)
{
    const rf_task_record *r = &t->r;
    *unchanged = 0;
    if (what == REPORT_SENT || what == REPORT_FAILED) {
        if (what == REPORT_SENT && r->state == RF_TASK_SENT && r->lease_owner != NULL &&
            strcmp(r->lease_owner, token) == 0) {
            *unchanged = 1;
            return RF_OK;
        }
        if (r->state != RF_TASK_PENDING) {
            return rf__error(RF_ESTATE, RF_ERRCLASS_OUTBOX, "task %s is %s: there is no delivery to report",
                             r->id, rf_task_state_name((rf_task_state)r->state));
        }
        if (r->lease_owner == NULL || strcmp(r->lease_owner, token) != 0 || r->lease_until <= now) {
            return rf__error(
                RF_ECONFLICT, RF_ERRCLASS_OUTBOX,
                "task %s is not leased with that token (the lease ended or was never given): it may "
                "have gone to another sender",
                r->id);
        }
        return RF_OK;
    }
    if (what == REPORT_ACKED) {
        *unchanged = r->state == RF_TASK_ACKED;
        return *unchanged || r->state == RF_TASK_SENT
                   ? RF_OK
                   : rf__error(RF_ESTATE, RF_ERRCLASS_OUTBOX, "task %s is %s: only a SENT task can be acked",
                               r->id, rf_task_state_name((rf_task_state)r->state));
    }
    if (what == REPORT_CANCEL && !rf__task_is_open(r->state)) {
        return rf__error(RF_ESTATE, RF_ERRCLASS_OUTBOX, "task %s is %s already", r->id,
                         rf_task_state_name((rf_task_state)r->state));
    }
    if (what == REPORT_OUTCOME && (r->kind != RF_TASK_ASK || r->state == RF_TASK_SUPPRESSED)) {
        return rf__error(r->kind != RF_TASK_ASK ? RF_EINVALID : RF_ESTATE, RF_ERRCLASS_OUTBOX,
                         "task %s is %s: only an ask that was made has an outcome", r->id,
                         r->kind != RF_TASK_ASK ? rf_task_kind_name((rf_task_kind)r->kind) : "SUPPRESSED");
    }
    return RF_OK;
}

/* Apply a checked report; @detail is the failure text, the cancel reason or the outcome. */
static const char *apply_report(rf_task *t, report what, const char *detail, int outcome, rf_time now)
{
    rf_task_record *r = &t->r;
    r->updated_at = now;
    switch (what) {
    case REPORT_SENT:
        r->state = RF_TASK_SENT;
        r->sent_at = now;
        if (r->kind == RF_TASK_ASK && r->outcome == RF_ASK_OUTCOME_UNSET) {
            r->outcome = RF_ASK_SENT;
        }
        return RF_EVENT_TASK_SENT;
    case REPORT_ACKED:
        r->state = RF_TASK_ACKED;
        r->closed_at = now;
        return RF_EVENT_TASK_ACKED;
    case REPORT_FAILED:
        r->last_error = detail;
        r->lease_owner = NULL;
        r->lease_until = 0;
        if (r->attempts >= MAX_ATTEMPTS) {
            r->state = RF_TASK_FAILED;
            r->closed_at = now;
        } else {
            r->due_at = now + backoff(r->attempts);
        }
        return RF_EVENT_TASK_FAILED;
    case REPORT_CANCEL:
        r->last_error = detail != NULL ? detail : r->last_error;
        r->state = RF_TASK_CANCELLED;
        r->closed_at = now;
        r->lease_owner = NULL;
        r->lease_until = 0;
        return RF_EVENT_TASK_CANCELLED;
    default: r->outcome = outcome; return RF_EVENT_ASK_OUTCOME;
    }
}

static rf_status report_on(rf_store *store, const char *id, report what, const char *token,
                           const char *detail, int outcome)
{
    rf_status rc;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(id, "id")) != RF_OK ||
        (rc = rf__store_require(store, 4, "the outbox")) != RF_OK ||
        ((what == REPORT_SENT || what == REPORT_FAILED) &&
         (rc = rf__check_arg(token, "lease_token")) != RF_OK) ||
        (rc = rf__check_text(what == REPORT_FAILED ? "error" : "reason", detail, RF_DETAIL_MAX, 0,
                             RF_ERRCLASS_OUTBOX)) != RF_OK ||
        (rc = rf__tx_begin(store)) != RF_OK) {
        return rc;
    }
    rf_time now = rf_store_now(store);
    rf_task *t = NULL;
    int unchanged = 0;
    if ((rc = rf__task_load(store, id, &t)) != RF_OK ||
        (rc = check_report(t, what, token, now, &unchanged)) != RF_OK) {
        rf_task_free(t);
        return rf__tx_abort(store, rc);
    }
    if (unchanged) {
        rf_task_free(t);
        rf__tx_close_unchanged(store);
        return RF_OK;
    }
    const char *event = apply_report(t, what, detail, outcome, now);
    char data[RF_DETAIL_MAX + 64];
    if (what == REPORT_OUTCOME) {
        snprintf(data, sizeof data, "outcome=%s", rf_ask_outcome_name((rf_ask_outcome)outcome));
    } else {
        /* The host's texts (errors, reasons) stay on the task: the journal holds no free text. */
        snprintf(data, sizeof data, "state=%s;attempts=%d", rf_task_state_name((rf_task_state)t->r.state),
                 t->r.attempts);
    }
    if ((rc = (rf_status)store->backend->task_update(store->backend, store->practice, &t->r)) != RF_OK ||
        (rc = rf__journal_append(store, event, t->r.id, t->r.party_id, NULL, data)) != RF_OK) {
        rf_task_free(t);
        return rf__tx_abort(store, rc);
    }
    rf_task_free(t);
    return rf__tx_commit(store);
}

rf_status rf_task_sent(rf_store *store, const char *id, const char *lease_token)
{
    return report_on(store, id, REPORT_SENT, lease_token, NULL, 0);
}

rf_status rf_task_acked(rf_store *store, const char *id)
{
    return report_on(store, id, REPORT_ACKED, NULL, NULL, 0);
}

rf_status rf_task_failed(rf_store *store, const char *id, const char *lease_token, const char *error)
{
    return report_on(store, id, REPORT_FAILED, lease_token, error, 0);
}

rf_status rf_task_cancel(rf_store *store, const char *id, const char *reason)
{
    return report_on(store, id, REPORT_CANCEL, NULL, reason, 0);
}

rf_status rf_task_set_outcome(rf_store *store, const char *id, rf_ask_outcome outcome)
{
    if (outcome < RF_ASK_SENT || outcome > RF_ASK_REFERRED) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_OUTBOX, "%d is not an ask outcome", (int)outcome);
    }
    return report_on(store, id, REPORT_OUTCOME, NULL, NULL, (int)outcome);
}
