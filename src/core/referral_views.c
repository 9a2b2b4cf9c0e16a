/* What referrers and partners see: a referrer's own referrals (the referee by
 * initials unless they consented), and what the practice gave and received
 * per partner. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/privacy.h"
#include "core/referrals.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/text.h"

/* --- the referrer's view ------------------------------------------------------------- */

struct rf_referrer_entry {
    const char *referral_id;
    const char *label;
    rf_referrer_status status;
    rf_time received_at;
};

static rf_referrer_status status_for(int state)
{
    switch (state) {
    case RF_REFERRAL_SCHEDULED:
    case RF_REFERRAL_NO_SHOW:
    case RF_REFERRAL_APPT_CANCELLED: return RF_REFERRER_BOOKED;
    case RF_REFERRAL_SEEN: return RF_REFERRER_SEEN;
    case RF_REFERRAL_CLOSED: return RF_REFERRER_CLOSED;
    case RF_REFERRAL_CANCEL_REQUESTED:
    case RF_REFERRAL_CANCELLED:
    case RF_REFERRAL_DECLINED:
    case RF_REFERRAL_LOST: return RF_REFERRER_NOT_PROCEEDING;
    default: return RF_REFERRER_RECEIVED;
    }
}

const char *rf_referrer_status_name(rf_referrer_status status)
{
    static const char *const names[] = {"RECEIVED", "BOOKED", "SEEN", "CLOSED", "NOT_PROCEEDING"};
    return status >= RF_REFERRER_RECEIVED && status <= RF_REFERRER_NOT_PROCEEDING ? names[status - 1]
                                                                                  : "UNSET";
}

void rf__initials_of(const char *name, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (const char *p = name; *p != '\0' && len + 8 < size;) {
        while (*p == ' ' || *p == '-' || *p == '.' || *p == '\'') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        size_t n = rf__utf8_decode(p, strlen(p), NULL);
        n = n == 0 ? 1 : n;
        if (len > 0) {
            out[len++] = ' ';
        }
        for (size_t i = 0; i < n; i++) {
            char c = p[i];
            out[len++] = n == 1 && c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
        }
        out[len++] = '.';
        out[len] = '\0';
        while (*p != '\0' && *p != ' ' && *p != '-') {
            p++;
        }
    }
}

void rf__referee_label(const rf_party_record *referee, char *out, size_t size)
{
    if (referee->consent & RF_CONSENT_SHARE_CONTACT) {
        snprintf(out, size, "%s", referee->display_name);
    } else {
        rf__initials_of(referee->display_name, out, size);
    }
}

static rf_referrer_entry *entry_for(rf_store *store, const rf_referral_record *rec, rf_status *rc)
{
    rf_party *referee = NULL;
    *rc = rf__party_load(store, rec->referee_id, &referee);
    if (*rc != RF_OK) {
        return NULL;
    }
    char label[RF_NAME_MAX + 1];
    rf__referee_label(&referee->r, label, sizeof label);
    rf_party_free(referee);
    static const size_t offsets[] = {offsetof(rf_referrer_entry, referral_id),
                                     offsetof(rf_referrer_entry, label)};
    const char *values[] = {rec->id, label};
    rf_referrer_entry *e = rf__pack(sizeof *e, 2, offsets, values);
    if (e == NULL) {
        *rc = RF_ENOMEM;
        return NULL;
    }
    e->status = status_for(rec->state);
    e->received_at = rec->reached_at[RF_REFERRAL_RECEIVED];
    return e;
}

void rf_referrer_entry_free(rf_referrer_entry *entry)
{
    free(entry);
}

struct rf_referrer_view {
    rf_store *store;
    char referrer_id[RF_ID_BUFSIZE];
    rf_record_page page;
};

/* The scan only copies the records: the referee is looked up afterwards,
 * because a scan callback must not call the backend. */
static int collect_for_view(const rf_referral_record *rec, void *payload)
{
    rf_record_page *page = payload;
    if (rec->state == RF_REFERRAL_ENTERED_IN_ERROR) {
        snprintf(page->last_id, sizeof page->last_id, "%s", rec->id);
        return 0;
    }
    return rf__page_add(page, rf__referral_from_record(rec), rec->id);
}

static rf_status fetch_view(void *iter_ptr, rf_record_page *page)
{
    rf_referrer_view *v = iter_ptr;
    rf_referral_query q = {.after_id = page->last_id[0] != '\0' ? page->last_id : NULL,
                           .referrer_id = v->referrer_id,
                           .received_from = RF_TIME_UNSET,
                           .received_to = RF_TIME_UNSET,
                           /* No limit: entered-in-error referrals are skipped, so
                            * the page stops itself when full (rf__page_add), and
                            * only a scan that ran out leaves it short. */
                           .limit = 0};
    rf_status rc = (rf_status)v->store->backend->referral_scan(v->store->backend, v->store->practice, &q,
                                                               collect_for_view, page);
    /* Turn the page of referrals into entries in place. */
    for (size_t i = 0; rc == RF_OK && i < page->count; i++) {
        rf_referral *r = page->items[i];
        page->items[i] = entry_for(v->store, &r->r, &rc);
        rf_referral_free(r);
    }
    return rc;
}

/* Entries and referrals share the page while it is converted: free either kind. */
static void free_view_item(void *item)
{
    free(item);
}

rf_status rf_referrer_view_open(rf_referrer_view **out, rf_store *store, const char *referrer_id)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    rf_party *referrer = NULL;
    if ((rc = rf__check_arg(store, "store")) != RF_OK ||
        (rc = rf__check_arg(referrer_id, "referrer_id")) != RF_OK ||
        (rc = rf__store_require(store, 2, "referrals")) != RF_OK ||
        (rc = rf__party_load(store, referrer_id, &referrer)) != RF_OK) {
        return rc;
    }
    rf_party_free(referrer);
    rf_referrer_view *v = rf__calloc(1, sizeof *v);
    if (v == NULL) {
        return RF_ENOMEM;
    }
    v->store = store;
    snprintf(v->referrer_id, sizeof v->referrer_id, "%s", referrer_id);
    rf__page_init(&v->page, fetch_view, v, free_view_item);
    *out = v;
    return RF_OK;
}

rf_status rf_referrer_view_next(rf_referrer_entry **out, rf_referrer_view *view)
{
    return rf__iter_next((void **)out, view, view != NULL ? &view->page : NULL);
}

void rf_referrer_view_free(rf_referrer_view *view)
{
    rf__iter_free(view, view != NULL ? &view->page : NULL);
}

const char *rf_referrer_entry_referral_id(const rf_referrer_entry *e)
{
    return e != NULL ? e->referral_id : NULL;
}
const char *rf_referrer_entry_referee_label(const rf_referrer_entry *e)
{
    return e != NULL ? e->label : NULL;
}
rf_referrer_status rf_referrer_entry_status(const rf_referrer_entry *e)
{
    return e != NULL ? e->status : RF_REFERRER_RECEIVED;
}
rf_time rf_referrer_entry_received_at(const rf_referrer_entry *e)
{
    return e != NULL ? e->received_at : RF_TIME_NONE;
}

/* --- partner exchange ------------------------------------------------------------------- */

typedef struct exchange_row {
    char partner_id[RF_ID_BUFSIZE];
    int given, received;
} exchange_row;

struct rf_partner_exchange {
    exchange_row *rows;
    size_t count, cap;
    rf_status error;
};

static exchange_row *row_for(rf_partner_exchange *x, const char *partner_id)
{
    for (size_t i = 0; i < x->count; i++) {
        if (strcmp(x->rows[i].partner_id, partner_id) == 0) {
            return &x->rows[i];
        }
    }
    if (rf__reserve(&x->rows, &x->cap, x->count, sizeof *x->rows) != RF_OK) {
        return NULL;
    }
    exchange_row *row = &x->rows[x->count++];
    memset(row, 0, sizeof *row);
    snprintf(row->partner_id, sizeof row->partner_id, "%s", partner_id);
    return row;
}

/* Tally a referral: outbound ones count for their target; inbound ones for
 * their referrer, kept only if that referrer turns out to be a PARTNER. */
static int tally(const rf_referral_record *rec, void *payload)
{
    rf_partner_exchange *x = payload;
    const char *partner = rec->direction == RF_DIRECTION_OUTBOUND ? rec->target_id : rec->referrer_id;
    if (rec->state == RF_REFERRAL_ENTERED_IN_ERROR || partner == NULL) {
        return 0;
    }
    exchange_row *row = row_for(x, partner);
    if (row == NULL) {
        x->error = RF_ENOMEM;
        return 1;
    }
    row->given += rec->direction == RF_DIRECTION_OUTBOUND;
    row->received += rec->direction == RF_DIRECTION_INBOUND;
    return 0;
}

static int by_partner(const void *a, const void *b)
{
    return strcmp(((const exchange_row *)a)->partner_id, ((const exchange_row *)b)->partner_id);
}

rf_status rf_partner_exchange_compute(rf_partner_exchange **out, rf_store *store, rf_time from, rf_time to)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = rf__check_arg(store, "store")) != RF_OK ||
        (rc = rf__store_require(store, 2, "referrals")) != RF_OK) {
        return rc;
    }
    if (to < from) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REFERRAL, "the period ends (%lld) before it starts (%lld)",
                         (long long)to, (long long)from);
    }
    rf_partner_exchange *x = rf__calloc(1, sizeof *x);
    if (x == NULL) {
        return RF_ENOMEM;
    }
    rf_referral_query q = {.received_from = from, .received_to = to};
    rc = (rf_status)store->backend->referral_scan(store->backend, store->practice, &q, tally, x);
    if (rc == RF_OK && x->error != RF_OK) {
        rc = rf__error_oom();
    }
    /* Keep only partners: an inbound referrer may be a client or staff. */
    size_t kept = 0;
    for (size_t i = 0; rc == RF_OK && i < x->count; i++) {
        rf_party *p = NULL;
        rc = rf__party_load(store, x->rows[i].partner_id, &p);
        if (rc == RF_OK && p->r.kind == RF_PARTY_PARTNER) {
            x->rows[kept++] = x->rows[i];
        }
        rf_party_free(p);
    }
    if (rc != RF_OK) {
        rf_partner_exchange_free(x);
        return rc;
    }
    x->count = kept;
    if (x->count > 1) {
        qsort(x->rows, x->count, sizeof *x->rows, by_partner);
    }
    *out = x;
    return RF_OK;
}

void rf_partner_exchange_free(rf_partner_exchange *x)
{
    if (x != NULL) {
        free(x->rows);
        free(x);
    }
}

size_t rf_partner_exchange_count(const rf_partner_exchange *x)
{
    return x != NULL ? x->count : 0;
}

const char *rf_partner_exchange_partner_id(const rf_partner_exchange *x, size_t row)
{
    return x != NULL && row < x->count ? x->rows[row].partner_id : NULL;
}

int rf_partner_exchange_given(const rf_partner_exchange *x, size_t row)
{
    return x != NULL && row < x->count ? x->rows[row].given : 0;
}

int rf_partner_exchange_received(const rf_partner_exchange *x, size_t row)
{
    return x != NULL && row < x->count ? x->rows[row].received : 0;
}
