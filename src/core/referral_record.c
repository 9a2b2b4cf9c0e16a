/* Referrals as handles: loading, listing, documents, accessors and names. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "referral/journal.h"
#include "core/referrals.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/text.h"

#define REFERRAL_STRING(field) offsetof(rf_referral, r.field)
static const size_t referral_strings[] = {
    REFERRAL_STRING(id),
    REFERRAL_STRING(program_id),
    REFERRAL_STRING(referrer_id),
    REFERRAL_STRING(referee_id),
    REFERRAL_STRING(target_id),
    REFERRAL_STRING(code_id),
    REFERRAL_STRING(touch_id),
    REFERRAL_STRING(evidence),
    REFERRAL_STRING(reason),
    REFERRAL_STRING(preferred_timing),
    REFERRAL_STRING(practitioner_id),
    REFERRAL_STRING(variant),
    REFERRAL_STRING(documents_required),
    REFERRAL_STRING(documents_received),
    REFERRAL_STRING(attribution_key),
};
#define REFERRAL_STRING_COUNT (sizeof referral_strings / sizeof referral_strings[0])

rf_referral *rf__referral_from_record(const rf_referral_record *rec)
{
    const char *values[REFERRAL_STRING_COUNT] = {
        rec->id,
        rec->program_id,
        rec->referrer_id,
        rec->referee_id,
        rec->target_id,
        rec->code_id,
        rec->touch_id,
        rec->evidence,
        rec->reason,
        rec->preferred_timing,
        rec->practitioner_id,
        rec->variant,
        rec->documents_required,
        rec->documents_received,
        rec->attribution_key,
    };
    rf_referral *r = rf__pack(sizeof *r, REFERRAL_STRING_COUNT, referral_strings, values);
    if (r != NULL) {
        /* Everything after the strings is plain data: copy it whole. */
        size_t first = offsetof(rf_referral_record, direction);
        memcpy((char *)&r->r + first, (const char *)rec + first, sizeof *rec - first);
    }
    return r;
}

void rf_referral_free(rf_referral *referral)
{
    free(referral);
}

rf_status rf__referral_load(rf_store *store, const char *id, rf_referral **out)
{
    rf_referral_record rec;
    memset(&rec, 0, sizeof rec);
    int rc = store->backend->referral_get(store->backend, store->practice, id, &rec);
    if (rc == RF_ENOTFOUND) {
        return rf__error(RF_ENOTFOUND, RF_ERRCLASS_REFERRAL, "referral '%.64s' not found in practice '%s'",
                         id, store->practice);
    }
    if (rc != RF_OK) {
        return (rf_status)rc;
    }
    *out = rf__referral_from_record(&rec);
    return *out != NULL ? RF_OK : RF_ENOMEM;
}

rf_status rf_referral_get(rf_referral **out, rf_store *store, const char *id)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(id, "id")) != RF_OK ||
        (rc = rf__store_require(store, 2, "referrals")) != RF_OK) {
        return rc;
    }
    return rf__referral_load(store, id, out);
}

rf_status rf_referral_options_init(rf_referral_options *opts, unsigned int version)
{
    static const rf_referral_options init = RF_REFERRAL_OPTIONS_INIT;
    return rf__options_init(opts, sizeof init, &init, version, "rf_referral_options",
                            "RF_REFERRAL_OPTIONS_INIT");
}

rf_status rf_referral_filter_init(rf_referral_filter *filter, unsigned int version)
{
    static const rf_referral_filter init = RF_REFERRAL_FILTER_INIT;
    return rf__options_init(filter, sizeof init, &init, version, "rf_referral_filter",
                            "RF_REFERRAL_FILTER_INIT");
}

/* --- document labels --------------------------------------------------------------- */

static int label_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

rf_status rf__check_label_list(const char *field, const char *list)
{
    if (list == NULL) {
        return RF_OK;
    }
    rf_status rc = rf__check_text(field, list, RF_DETAIL_MAX, 0, RF_ERRCLASS_REFERRAL);
    if (rc != RF_OK) {
        return rc;
    }
    size_t label = 0;
    for (const char *p = list;; p++) {
        if (*p == ',' || *p == '\0') {
            if (label == 0) {
                return rf__error(RF_EINVALID, RF_ERRCLASS_REFERRAL,
                                 "%s '%.80s' has an empty label; write labels like letter,imaging", field,
                                 list);
            }
            if (*p == '\0') {
                return RF_OK;
            }
            label = 0;
        } else if (!label_char_ok(*p)) {
            return rf__error(
                RF_EINVALID, RF_ERRCLASS_REFERRAL,
                "%s '%.80s' may hold only lower-case letters, digits, '_' and '-' between commas", field,
                list);
        } else {
            label++;
        }
    }
}

int rf__label_list_has(const char *list, const char *label)
{
    size_t n = strlen(label);
    for (const char *p = list; p != NULL && *p != '\0';) {
        const char *end = strchr(p, ',');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, label, n) == 0) {
            return 1;
        }
        p = end != NULL ? end + 1 : NULL;
    }
    return 0;
}

rf_status rf_referral_receive_document(rf_referral **out, rf_store *store, const char *id,
                                       const char *document)
{
    if (out != NULL) {
        *out = NULL;
    }
    rf_status rc;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(id, "id")) != RF_OK ||
        (rc = rf__check_arg(document, "document")) != RF_OK ||
        (rc = rf__store_require(store, 2, "referrals")) != RF_OK ||
        (rc = rf__check_label_list("document", document)) != RF_OK) {
        return rc;
    }
    if (strchr(document, ',') != NULL) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REFERRAL, "give one document at a time, not '%.80s'",
                         document);
    }
    if ((rc = rf__tx_begin(store)) != RF_OK) {
        return rc;
    }
    rf_referral *current = NULL;
    if ((rc = rf__referral_load(store, id, &current)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    rf_referral_record rec = current->r;
    char received[RF_DETAIL_MAX + RF_LABEL_MAX + 2], data[96];
    if (!rf__label_list_has(rec.documents_required, document)) {
        rc = rf__error(RF_EINVALID, RF_ERRCLASS_REFERRAL,
                       "referral %s does not require document '%s' (required: %s)", rec.id, document,
                       rec.documents_required != NULL ? rec.documents_required : "none");
    } else if (!rf__label_list_has(rec.documents_received, document)) {
        snprintf(received, sizeof received, "%s%s%s",
                 rec.documents_received != NULL ? rec.documents_received : "",
                 rec.documents_received != NULL ? "," : "", document);
        rec.documents_received = received;
        rec.updated_at = rf_store_now(store);
        snprintf(data, sizeof data, "document=%s", document);
        if ((rc = (rf_status)store->backend->referral_update(store->backend, store->practice, &rec)) ==
            RF_OK) {
            rc = rf__journal_append(store, RF_EVENT_DOCUMENT_RECEIVED, rec.id, NULL, NULL, data);
        }
    }
    rf_referral *updated = NULL;
    if (rc == RF_OK && out != NULL && (updated = rf__referral_from_record(&rec)) == NULL) {
        rc = RF_ENOMEM;
    }
    rf_referral_free(current);
    if (rc != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    if ((rc = rf__tx_commit(store)) != RF_OK) {
        rf_referral_free(updated);
        return rc;
    }
    if (out != NULL) {
        *out = updated;
    }
    return RF_OK;
}

/* --- listing --------------------------------------------------------------------------- */

struct rf_referral_iter {
    rf_store *store;
    rf_referral_query query;
    char program_id[RF_ID_BUFSIZE], referrer_id[RF_ID_BUFSIZE], referee_id[RF_ID_BUFSIZE];
    rf_record_page page;
};

static int collect_referral(const rf_referral_record *rec, void *payload)
{
    return rf__page_add(payload, rf__referral_from_record(rec), rec->id);
}

static rf_status fetch_referrals(void *iter_ptr, rf_record_page *page)
{
    rf_referral_iter *it = iter_ptr;
    it->query.after_id = page->last_id[0] != '\0' ? page->last_id : NULL;
    it->query.limit = RF_PAGE_SIZE;
    return (rf_status)it->store->backend->referral_scan(it->store->backend, it->store->practice, &it->query,
                                                        collect_referral, page);
}

/* Copy an optional id filter into the iterator so the caller's strings may go. */
static const char *keep_id(char buf[RF_ID_BUFSIZE], const char *id)
{
    if (id == NULL) {
        return NULL;
    }
    snprintf(buf, RF_ID_BUFSIZE, "%s", id);
    return buf;
}

rf_status rf_referral_list(rf_referral_iter **out, rf_store *store, const rf_referral_filter *filter)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    rf_referral_filter all = RF_REFERRAL_FILTER_INIT;
    if (filter == NULL) {
        filter = &all;
    }
    if ((rc = rf__check_arg(store, "store")) != RF_OK ||
        (rc = rf__store_require(store, 2, "referrals")) != RF_OK ||
        (rc = rf__check_version("rf_referral_filter", filter->version, RF_REFERRAL_FILTER_VERSION,
                                "RF_REFERRAL_FILTER_INIT")) != RF_OK) {
        return rc;
    }
    if (filter->direction < RF_DIRECTION_UNSET || filter->direction > RF_DIRECTION_OUTBOUND) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REFERRAL, "direction %d is not INBOUND or OUTBOUND",
                         (int)filter->direction);
    }
    rf_referral_iter *it = rf__calloc(1, sizeof *it);
    if (it == NULL) {
        return RF_ENOMEM;
    }
    it->store = store;
    it->query.program_id = keep_id(it->program_id, filter->program_id);
    it->query.referrer_id = keep_id(it->referrer_id, filter->referrer_id);
    it->query.referee_id = keep_id(it->referee_id, filter->referee_id);
    it->query.direction = filter->direction;
    it->query.received_from = filter->received_from;
    it->query.received_to = filter->received_to;
    rf__page_init(&it->page, fetch_referrals, it, (void (*)(void *))rf_referral_free);
    *out = it;
    return RF_OK;
}

rf_status rf_referral_iter_next(rf_referral **out, rf_referral_iter *iter)
{
    return rf__iter_next((void **)out, iter, iter != NULL ? &iter->page : NULL);
}

void rf_referral_iter_free(rf_referral_iter *iter)
{
    rf__iter_free(iter, iter != NULL ? &iter->page : NULL);
}

/* --- accessors and names ------------------------------------------------------------- */

#define GET(type, name, expr, none)                                                                          \
    type name(const rf_referral *r)                                                                          \
    {                                                                                                        \
        return r != NULL ? (expr) : (none);                                                                  \
    }
GET(const char *, rf_referral_id, r->r.id, NULL)
GET(const char *, rf_referral_program_id, r->r.program_id, NULL)
GET(const char *, rf_referral_referrer_id, r->r.referrer_id, NULL)
GET(const char *, rf_referral_referee_id, r->r.referee_id, NULL)
GET(const char *, rf_referral_target_id, r->r.target_id, NULL)
GET(rf_direction, rf_referral_direction, (rf_direction)r->r.direction, RF_DIRECTION_UNSET)
GET(rf_referral_source, rf_referral_get_source, (rf_referral_source)r->r.source, RF_SOURCE_UNSET)
GET(rf_channel, rf_referral_channel, (rf_channel)r->r.channel, RF_CHANNEL_UNSET)
GET(const char *, rf_referral_code_id, r->r.code_id, NULL)
GET(const char *, rf_referral_touch_id, r->r.touch_id, NULL)
GET(const char *, rf_referral_evidence, r->r.evidence, NULL)
GET(rf_referral_state, rf_referral_get_state, (rf_referral_state)r->r.state, RF_REFERRAL_STATE_UNSET)
GET(rf_referral_state, rf_referral_held_state, (rf_referral_state)r->r.held_state, RF_REFERRAL_STATE_UNSET)
GET(const char *, rf_referral_reason, r->r.reason, NULL)
GET(rf_care_level, rf_referral_care_level, (rf_care_level)r->r.care_level, RF_CARE_UNSET)
GET(rf_urgency, rf_referral_urgency, (rf_urgency)r->r.urgency, RF_URGENCY_UNSET)
GET(const char *, rf_referral_preferred_timing, r->r.preferred_timing, NULL)
GET(const char *, rf_referral_practitioner_id, r->r.practitioner_id, NULL)
GET(const char *, rf_referral_variant, r->r.variant, NULL)
GET(const char *, rf_referral_documents_required, r->r.documents_required, NULL)
GET(const char *, rf_referral_documents_received, r->r.documents_received, NULL)
GET(int, rf_referral_documents_complete_at_receipt, r->r.documents_complete, 0)
GET(int, rf_referral_fraud_flags, r->r.fraud_flags, 0)
GET(rf_time, rf_referral_appointment_at, r->r.appointment_at, RF_TIME_NONE)
GET(rf_time, rf_referral_first_appointment_at, r->r.first_appointment_at, RF_TIME_NONE)
GET(int, rf_referral_reschedules, r->r.reschedules, 0)
GET(int, rf_referral_no_shows, r->r.no_shows, 0)
GET(int, rf_referral_visits, r->r.visits, 0)
GET(rf_time, rf_referral_updated_at, r->r.updated_at, RF_TIME_NONE)

rf_time rf_referral_reached_at(const rf_referral *r, rf_referral_state state)
{
    return r != NULL && rf__state_valid(state) ? r->r.reached_at[state] : RF_TIME_NONE;
}

#define NAME_OF(fn, type, lo, ...)                                                                           \
    const char *fn(type value)                                                                               \
    {                                                                                                        \
        static const char *const names[] = {__VA_ARGS__};                                                    \
        size_t i = (size_t)((int)value - (lo));                                                              \
        return (int)value >= (lo) && i < sizeof names / sizeof names[0] ? names[i] : "UNSET";                \
    }
NAME_OF(rf_referral_source_name, rf_referral_source, 1, "CODE", "TOUCH", "INTAKE", "MANUAL", "PARTNER")
NAME_OF(rf_care_level_name, rf_care_level, 1, "CONSULT", "CO_MANAGEMENT", "TRANSFER")
NAME_OF(rf_urgency_name, rf_urgency, 1, "ROUTINE", "URGENT")
NAME_OF(rf_direction_name, rf_direction, 1, "INBOUND", "OUTBOUND")
