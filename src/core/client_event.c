/* Client events: validating what the host reports, recording it, listing it. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "referral/events.h"
#include "referral/journal.h"
#include "referral/rewards.h"
#include "core/outbox_internal.h"
#include "core/records.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/text.h"

struct rf_client_event {
    rf_client_event_record r;
};

const char *rf_client_event_type_name(rf_client_event_type type)
{
    static const char *const names[RF_CLIENT_EVENT_TYPE_COUNT] = {
        NULL,        "VISIT_COMPLETED",  "NPS",
        "MILESTONE", "DISCHARGE",        "PAYMENT_CLEARED",
        "PRAISE",    "COMPLAINT_OPENED", "COMPLAINT_RESOLVED",
        "REVENUE",   "SENSITIVE_PHASE"};
    return type > 0 && type < RF_CLIENT_EVENT_TYPE_COUNT ? names[type] : "UNSET";
}

/* What each type takes: 2 required, 1 optional, 0 refused; and the value's range. */
static const struct {
    signed char value, label, amount, practitioner;
    int lo, hi;
} terms[RF_CLIENT_EVENT_TYPE_COUNT] = {
    [RF_CLIENT_EVENT_VISIT_COMPLETED] = {0, 0, 0, 1, 0, 0},
    [RF_CLIENT_EVENT_NPS] = {2, 0, 0, 0, 0, 10},
    [RF_CLIENT_EVENT_MILESTONE] = {0, 2, 0, 0, 0, 0},
    [RF_CLIENT_EVENT_DISCHARGE] = {2, 0, 0, 0, RF_DISCHARGE_GOOD, RF_DISCHARGE_POOR},
    [RF_CLIENT_EVENT_PAYMENT_CLEARED] = {0, 0, 1, 0, 0, 0},
    [RF_CLIENT_EVENT_PRAISE] = {0, 1, 0, 0, 0, 0},
    [RF_CLIENT_EVENT_COMPLAINT_OPENED] = {0, 2, 0, 0, 0, 0},
    [RF_CLIENT_EVENT_COMPLAINT_RESOLVED] = {0, 2, 0, 0, 0, 0},
    [RF_CLIENT_EVENT_REVENUE] = {0, 0, 2, 0, 0, 0},
    [RF_CLIENT_EVENT_SENSITIVE_PHASE] = {2, 0, 0, 0, 0, 1},
};

static rf_status term(const char *type, const char *field, int rule, int given)
{
    if (rule == 2 && !given) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "%s events need %s", type, field);
    }
    if (rule == 0 && given) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "%s events take no %s", type, field);
    }
    return RF_OK;
}

static rf_status check_options(rf_store *store, const rf_client_event_options *o)
{
    rf_status rc;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(o, "opts")) != RF_OK ||
        (rc = rf__store_require(store, 4, "client events")) != RF_OK ||
        (rc = rf__check_version("rf_client_event_options", o->version, RF_CLIENT_EVENT_OPTIONS_VERSION,
                                "RF_CLIENT_EVENT_OPTIONS_INIT")) != RF_OK ||
        (rc = rf__check_text("party_id", o->party_id, RF_LABEL_MAX, 1, RF_ERRCLASS_PARTY)) != RF_OK ||
        (rc = rf__check_text("practitioner_id", o->practitioner_id, RF_LABEL_MAX, 0, RF_ERRCLASS_PARTY)) !=
            RF_OK ||
        (rc = rf__check_text("label", o->label, RF_LABEL_MAX, 0, RF_ERRCLASS_PARTY)) != RF_OK ||
        (rc = rf__idem_check_key(o->idempotency_key)) != RF_OK) {
        return rc;
    }
    if (o->type <= RF_CLIENT_EVENT_UNSET || o->type >= RF_CLIENT_EVENT_TYPE_COUNT) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY,
                         o->type == RF_CLIENT_EVENT_UNSET ? "type is required"
                                                          : "type %d is not an event type",
                         (int)o->type);
    }
    const char *type = rf_client_event_type_name(o->type);
    int has_amount = o->amount != INT64_MIN;
    if ((rc = term(type, "value", terms[o->type].value, o->value != RF_UNSET)) != RF_OK ||
        (rc = term(type, "label", terms[o->type].label, o->label != NULL && o->label[0] != '\0')) != RF_OK ||
        (rc = term(type, "amount", terms[o->type].amount, has_amount)) != RF_OK ||
        (rc = term(type, "practitioner", terms[o->type].practitioner, o->practitioner_id != NULL)) != RF_OK) {
        return rc;
    }
    if (o->value != RF_UNSET && (o->value < terms[o->type].lo || o->value > terms[o->type].hi)) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "value %d is out of range for %s events (%d to %d)",
                         o->value, type, terms[o->type].lo, terms[o->type].hi);
    }
    if (has_amount && (o->amount < 1 || o->amount > RF_AMOUNT_MAX)) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "amount %lld is %s", (long long)o->amount,
                         o->amount < 0 ? "negative" : "out of range (1 to 10^12 minor units)");
    }
    if (has_amount != (o->currency != NULL)) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY,
                         has_amount ? "amount needs a currency (ISO 4217, e.g. \"EUR\")"
                                    : "currency is given without an amount");
    }
    if (o->currency != NULL && !rf_currency_valid(o->currency)) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY,
                         "currency is not an ISO 4217 currency code (three capitals, e.g. \"EUR\")");
    }
    rf_time now = rf_store_now(store);
    if (o->at != RF_TIME_UNSET && (o->at < 0 || o->at > now + 86400)) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "at %lld is %s", (long long)o->at,
                         o->at < 0 ? "before 1970" : "more than a day ahead of the store's clock");
    }
    return RF_OK;
}

/* The record's strings come first: 5 of them before `type`. */
_Static_assert(offsetof(rf_client_event_record, type) == 5 * sizeof(const char *),
               "rf_client_event_record strings");

static rf_client_event *event_from_record(const rf_client_event_record *rec)
{
    return rf__pack_record(sizeof(rf_client_event), rec, sizeof *rec, 5);
}

void rf_client_event_free(rf_client_event *event)
{
    free(event);
}

/* --- complaints ------------------------------------------------------------------ */

typedef struct complaint_tally {
    const char *label;
    int open;
} complaint_tally;

static int tally_complaint(const rf_client_event_record *e, void *payload)
{
    complaint_tally *t = payload;
    if (e->label != NULL && strcmp(e->label, t->label) == 0) {
        t->open += e->type == RF_CLIENT_EVENT_COMPLAINT_OPENED     ? 1
                   : e->type == RF_CLIENT_EVENT_COMPLAINT_RESOLVED ? -1
                                                                   : 0;
    }
    return 0;
}

/* How many times complaint @label of @party_id is open (opened minus resolved). */
static rf_status open_complaints(rf_store *store, const char *party_id, const char *label, int *open)
{
    complaint_tally t = {label, 0};
    rf_client_event_query q = {NULL, party_id, 0, RF_TIME_UNSET, RF_TIME_UNSET, 0};
    rf_status rc = (rf_status)store->backend->client_event_scan(store->backend, store->practice, &q,
                                                                tally_complaint, &t);
    *open = t.open;
    return rc;
}

/* --- recording ------------------------------------------------------------------- */

/* Checks against what is stored: the party, the practitioner, an open complaint. */
static rf_status check_references(rf_store *store, const rf_client_event_options *o, rf_party **party)
{
    rf_status rc = rf__party_load(store, o->party_id, party);
    if (rc != RF_OK) {
        return rc;
    }
    int kind = (*party)->r.kind;
    if (kind != RF_PARTY_CLIENT && kind != RF_PARTY_LEAD) {
        return rf__error(RF_ESTATE, RF_ERRCLASS_PARTY,
                         "party %s is a %s: client events are for clients and leads", o->party_id,
                         rf_party_kind_name((rf_party_kind)kind));
    }
    if (o->practitioner_id != NULL) {
        rf_party *staff = NULL;
        if ((rc = rf__party_load(store, o->practitioner_id, &staff)) == RF_OK &&
            staff->r.kind != RF_PARTY_STAFF) {
            rc = rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "practitioner %s is a %s, not STAFF",
                           o->practitioner_id, rf_party_kind_name((rf_party_kind)staff->r.kind));
        }
        rf_party_free(staff);
        if (rc != RF_OK) {
            return rc;
        }
    }
    if (o->type == RF_CLIENT_EVENT_COMPLAINT_RESOLVED) {
        int open = 0;
        if ((rc = open_complaints(store, o->party_id, o->label, &open)) != RF_OK) {
            return rc;
        }
        if (open <= 0) {
            return rf__error(
                RF_ESTATE, RF_ERRCLASS_PARTY,
                "party %s has no open complaint with that reference: open it before resolving it",
                o->party_id);
        }
    }
    return RF_OK;
}

static void fingerprint_event(rf_fingerprint *fp, const rf_client_event_options *o, rf_time at)
{
    rf__fp_init(fp, "client.event");
    rf__fp_str(fp, o->party_id);
    rf__fp_int(fp, o->type);
    rf__fp_int(fp, at);
    rf__fp_str(fp, o->practitioner_id);
    rf__fp_int(fp, o->value);
    rf__fp_str(fp, o->label);
    rf__fp_int(fp, o->amount);
    rf__fp_str(fp, o->currency);
}

typedef struct event_find {
    const char *id;
    rf_client_event *found;
} event_find;

static int find_event(const rf_client_event_record *e, void *payload)
{
    event_find *f = payload;
    if (strcmp(e->id, f->id) != 0) {
        return 0;
    }
    f->found = event_from_record(e);
    return 1;
}

/* A replay returns the first event. Events have no get member (they are
 * read in bulk); the fingerprint holds the party, so its events are enough. */
static rf_status load_event(rf_store *store, const char *party_id, const char *id, rf_client_event **out)
{
    event_find f = {id, NULL};
    rf_client_event_query q = {NULL, party_id, 0, RF_TIME_UNSET, RF_TIME_UNSET, 0};
    rf_status rc =
        (rf_status)store->backend->client_event_scan(store->backend, store->practice, &q, find_event, &f);
    if (rc == RF_OK && f.found == NULL) {
        rc = rf__error(RF_ENOTFOUND, RF_ERRCLASS_PARTY, "client event '%.64s' not found", id);
    }
    *out = rc == RF_OK ? f.found : NULL;
    return rc;
}

/* A first completed visit dates the client's first visit when the host never did. */
static rf_status date_first_visit(rf_store *store, const rf_party *party, const rf_client_event_record *e)
{
    if (e->type != RF_CLIENT_EVENT_VISIT_COMPLETED || party->r.first_visit_at != RF_TIME_NONE) {
        return RF_OK;
    }
    rf_party_options ch = RF_PARTY_OPTIONS_INIT;
    ch.first_visit_at = e->at;
    return rf__party_update_loaded(store, party, &ch);
}

static rf_status write_event(rf_store *store, const rf_client_event_options *o, rf_time at,
                             rf_client_event **out)
{
    rf_party *party = NULL;
    rf_status rc = check_references(store, o, &party);
    char id[RF_ID_BUFSIZE], data[96];
    rf__store_new_id(store, id);
    rf_client_event_record rec = {id,
                                  o->party_id,
                                  o->practitioner_id,
                                  o->label != NULL && o->label[0] != '\0' ? o->label : NULL,
                                  o->currency,
                                  (int)o->type,
                                  o->value != RF_UNSET ? o->value : 0,
                                  o->amount != INT64_MIN ? o->amount : 0,
                                  at,
                                  rf_store_now(store)};
    int n = snprintf(data, sizeof data, "type=%s", rf_client_event_type_name(o->type));
    if (o->value != RF_UNSET) {
        snprintf(data + n, sizeof data - (size_t)n, ";value=%d", o->value);
    }
    if (rc == RF_OK &&
        (rc = (rf_status)store->backend->client_event_insert(store->backend, store->practice, &rec)) ==
            RF_OK &&
        (rc = rf__journal_append(store, RF_EVENT_CLIENT_EVENT, id, o->party_id, o->idempotency_key, data)) ==
            RF_OK &&
        (rc = date_first_visit(store, party, &rec)) == RF_OK &&
        (rc = rf__asks_on_event(store, &rec)) == RF_OK && (*out = event_from_record(&rec)) == NULL) {
        rc = RF_ENOMEM;
    }
    rf_party_free(party);
    return rc;
}

rf_status rf_client_event_options_init(rf_client_event_options *opts, unsigned int version)
{
    static const rf_client_event_options init = RF_CLIENT_EVENT_OPTIONS_INIT;
    return rf__options_init(opts, sizeof init, &init, version, "rf_client_event_options",
                            "RF_CLIENT_EVENT_OPTIONS_INIT");
}

rf_status rf_client_event_add(rf_client_event **out, rf_store *store, const rf_client_event_options *o)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = check_options(store, o)) != RF_OK) {
        return rc;
    }
    rf_time at = o->at != RF_TIME_UNSET ? o->at : rf_store_now(store);
    rf_fingerprint fp;
    /* The time as asked for, not as resolved: a retry that leaves `at` to the clock is the same request. */
    fingerprint_event(&fp, o, o->at);
    if ((rc = rf__tx_begin(store)) != RF_OK) {
        return rc;
    }
    char replay_id[RF_ID_BUFSIZE];
    if ((rc = rf__idem_replay(store, o->idempotency_key, "client.event", &fp, replay_id)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    if (replay_id[0] != '\0') {
        rf__tx_close_unchanged(store);
        return load_event(store, o->party_id, replay_id, out);
    }
    rf_client_event *e = NULL;
    if ((rc = write_event(store, o, at, &e)) != RF_OK ||
        (rc = rf__idem_remember(store, o->idempotency_key, "client.event", &fp, e->r.id)) != RF_OK) {
        rf_client_event_free(e);
        return rf__tx_abort(store, rc);
    }
    if ((rc = rf__tx_commit(store)) != RF_OK) {
        rf_client_event_free(e);
        return rc;
    }
    *out = e;
    return RF_OK;
}

/* --- listing ---------------------------------------------------------------------- */

rf_status rf_client_event_filter_init(rf_client_event_filter *filter, unsigned int version)
{
    static const rf_client_event_filter init = RF_CLIENT_EVENT_FILTER_INIT;
    return rf__options_init(filter, sizeof init, &init, version, "rf_client_event_filter",
                            "RF_CLIENT_EVENT_FILTER_INIT");
}

struct rf_client_event_iter {
    rf_store *store;
    char party_id[RF_ID_BUFSIZE];
    int type;
    rf_time from, to;
    rf_record_page page;
};

static int collect_event(const rf_client_event_record *rec, void *payload)
{
    return rf__page_add(payload, event_from_record(rec), rec->id);
}

static rf_status fetch_events(void *iter_ptr, rf_record_page *page)
{
    rf_client_event_iter *it = iter_ptr;
    rf_client_event_query q = {page->last_id[0] != '\0' ? page->last_id : NULL,
                               it->party_id[0] != '\0' ? it->party_id : NULL,
                               it->type,
                               it->from,
                               it->to,
                               RF_PAGE_SIZE};
    return (rf_status)it->store->backend->client_event_scan(it->store->backend, it->store->practice, &q,
                                                            collect_event, page);
}

rf_status rf_client_event_list(rf_client_event_iter **out, rf_store *store,
                               const rf_client_event_filter *filter)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    rf_client_event_filter all = RF_CLIENT_EVENT_FILTER_INIT;
    if (filter == NULL) {
        filter = &all;
    }
    if ((rc = rf__check_arg(store, "store")) != RF_OK ||
        (rc = rf__store_require(store, 4, "client events")) != RF_OK ||
        (rc = rf__check_version("rf_client_event_filter", filter->version, RF_CLIENT_EVENT_FILTER_VERSION,
                                "RF_CLIENT_EVENT_FILTER_INIT")) != RF_OK ||
        (rc = rf__check_text("party_id", filter->party_id, RF_ID_BUFSIZE - 1, 0, RF_ERRCLASS_PARTY)) !=
            RF_OK) {
        return rc;
    }
    if (filter->type < RF_CLIENT_EVENT_UNSET || filter->type >= RF_CLIENT_EVENT_TYPE_COUNT) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "type %d is not an event type", (int)filter->type);
    }
    rf_client_event_iter *it = rf__calloc(1, sizeof *it);
    if (it == NULL) {
        return RF_ENOMEM;
    }
    it->store = store;
    snprintf(it->party_id, sizeof it->party_id, "%s", filter->party_id != NULL ? filter->party_id : "");
    it->type = (int)filter->type;
    it->from = filter->from;
    it->to = filter->to;
    rf__page_init(&it->page, fetch_events, it, (void (*)(void *))rf_client_event_free);
    *out = it;
    return RF_OK;
}

rf_status rf_client_event_iter_next(rf_client_event **out, rf_client_event_iter *iter)
{
    return rf__iter_next((void **)out, iter, iter != NULL ? &iter->page : NULL);
}

void rf_client_event_iter_free(rf_client_event_iter *iter)
{
    rf__iter_free(iter, iter != NULL ? &iter->page : NULL);
}

/* --- accessors -------------------------------------------------------------------- */

const char *rf_client_event_id(const rf_client_event *e)
{
    return e != NULL ? e->r.id : NULL;
}
const char *rf_client_event_party_id(const rf_client_event *e)
{
    return e != NULL ? e->r.party_id : NULL;
}
rf_client_event_type rf_client_event_get_type(const rf_client_event *e)
{
    return e != NULL ? (rf_client_event_type)e->r.type : RF_CLIENT_EVENT_UNSET;
}
const char *rf_client_event_practitioner_id(const rf_client_event *e)
{
    return e != NULL ? e->r.practitioner_id : NULL;
}
int rf_client_event_value(const rf_client_event *e)
{
    /* Types without a value read as unset, so an NPS of 0 stays distinguishable. */
    return e != NULL && e->r.type > 0 && e->r.type < RF_CLIENT_EVENT_TYPE_COUNT && terms[e->r.type].value
               ? e->r.value
               : RF_UNSET;
}
const char *rf_client_event_label(const rf_client_event *e)
{
    return e != NULL ? e->r.label : NULL;
}
int64_t rf_client_event_amount(const rf_client_event *e)
{
    return e != NULL ? e->r.amount : 0;
}
const char *rf_client_event_currency(const rf_client_event *e)
{
    return e != NULL ? e->r.currency : NULL;
}
rf_time rf_client_event_at(const rf_client_event *e)
{
    return e != NULL ? e->r.at : RF_TIME_NONE;
}
rf_time rf_client_event_recorded_at(const rf_client_event *e)
{
    return e != NULL ? e->r.recorded_at : RF_TIME_NONE;
}
