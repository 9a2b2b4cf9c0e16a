/* Parties: reading, finding, listing and the accessors. */
#include <stdlib.h>
#include <string.h>

#include "referral/party.h"
#include "core/records.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/text.h"

/* --- reads ---------------------------------------------------------------- */

rf_status rf_party_get(rf_party **out, rf_store *store, const char *id)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(id, "id")) != RF_OK) {
        return rc;
    }
    return rf__party_load(store, id, out);
}

rf_status rf_party_find_external(rf_party **out, rf_store *store, const char *external_id)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = rf__check_arg(store, "store")) != RF_OK ||
        (rc = rf__check_arg(external_id, "external_id")) != RF_OK) {
        return rc;
    }
    rf_party_record rec;
    memset(&rec, 0, sizeof rec);
    int brc = store->backend->party_get_by_external(store->backend, store->practice, external_id, &rec);
    if (brc == RF_ENOTFOUND) {
        return rf__error(RF_ENOTFOUND, RF_ERRCLASS_PARTY,
                         "no party has external id '%.128s' in practice '%s'", external_id, store->practice);
    }
    if (brc != RF_OK) {
        return (rf_status)brc;
    }
    *out = rf__party_from_record(&rec);
    return *out != NULL ? RF_OK : RF_ENOMEM;
}

static rf_status contact_key_of(rf_store *store, const char *contact, char key[RF_ID_BUFSIZE])
{
    char normal[RF_EMAIL_MAX + 1];
    rf_status rc;
    if (rf__looks_like_email(contact)) {
        if ((rc = rf__email_normalise(normal, sizeof normal, contact)) == RF_OK) {
            rf__contact_key(key, store->practice, "email", normal);
        }
    } else {
        const char *region = store->phone_region[0] != '\0' ? store->phone_region : NULL;
        if ((rc = rf__phone_normalise(normal, sizeof normal, contact, region)) == RF_OK) {
            rf__contact_key(key, store->practice, "phone", normal);
        }
    }
    return rc;
}

rf_status rf_contact_key(char **out, rf_store *store, const char *contact)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    char key[RF_ID_BUFSIZE];
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(contact, "contact")) != RF_OK ||
        (rc = contact_key_of(store, contact, key)) != RF_OK) {
        return rc;
    }
    *out = rf__strdup(key);
    return *out != NULL ? RF_OK : RF_ENOMEM;
}

/* --- listing ---------------------------------------------------------------- */

struct rf_party_iter {
    rf_store *store;
    rf_party_query query;
    char contact_key[RF_ID_BUFSIZE];
    rf_record_page page;
};

static int collect_party(const rf_party_record *rec, void *payload)
{
    return rf__page_add(payload, rf__party_from_record(rec), rec->id);
}

static rf_status fetch_parties(void *iter_ptr, rf_record_page *page)
{
    rf_party_iter *it = iter_ptr;
    it->query.after_id = page->last_id[0] != '\0' ? page->last_id : NULL;
    it->query.limit = RF_PAGE_SIZE;
    return (rf_status)it->store->backend->party_scan(it->store->backend, it->store->practice, &it->query,
                                                     collect_party, page);
}

rf_status rf_party_list(rf_party_iter **out, rf_store *store, const rf_party_filter *filter)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    rf_party_filter all = RF_PARTY_FILTER_INIT;
    if ((rc = rf__check_arg(store, "store")) != RF_OK) {
        return rc;
    }
    if (filter == NULL) {
        filter = &all;
    } else if ((rc = rf__check_version("rf_party_filter", filter->version, RF_PARTY_FILTER_VERSION,
                                       "RF_PARTY_FILTER_INIT")) != RF_OK) {
        return rc;
    }
    if (filter->kind < RF_PARTY_KIND_UNSET || filter->kind > RF_PARTY_STAFF) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "filter kind %d is not a party kind",
                         (int)filter->kind);
    }
    rf_party_iter *it = rf__calloc(1, sizeof *it);
    if (it == NULL) {
        return RF_ENOMEM;
    }
    it->store = store;
    it->query.kind = filter->kind;
    if (filter->contact != NULL) {
        if ((rc = contact_key_of(store, filter->contact, it->contact_key)) != RF_OK) {
            free(it);
            return rc;
        }
        it->query.contact_key = it->contact_key;
    }
    rf__page_init(&it->page, fetch_parties, it, (void (*)(void *))rf_party_free);
    *out = it;
    return RF_OK;
}

rf_status rf_party_iter_next(rf_party **out, rf_party_iter *iter)
{
    return rf__iter_next((void **)out, iter, iter != NULL ? &iter->page : NULL);
}

void rf_party_iter_free(rf_party_iter *iter)
{
    rf__iter_free(iter, iter != NULL ? &iter->page : NULL);
}

/* --- accessors -------------------------------------------------------------- */

const char *rf_party_id(const rf_party *p)
{
    return p != NULL ? p->r.id : NULL;
}
rf_party_kind rf_party_get_kind(const rf_party *p)
{
    return p != NULL ? (rf_party_kind)p->r.kind : RF_PARTY_KIND_UNSET;
}
const char *rf_party_external_id(const rf_party *p)
{
    return p != NULL ? p->r.external_id : NULL;
}
const char *rf_party_display_name(const rf_party *p)
{
    return p != NULL ? p->r.display_name : NULL;
}
const char *rf_party_email(const rf_party *p)
{
    return p != NULL ? p->r.email : NULL;
}
const char *rf_party_phone(const rf_party *p)
{
    return p != NULL ? p->r.phone : NULL;
}
const char *rf_party_email_key(const rf_party *p)
{
    return p != NULL ? p->r.email_key : NULL;
}
const char *rf_party_phone_key(const rf_party *p)
{
    return p != NULL ? p->r.phone_key : NULL;
}
int rf_party_consent(const rf_party *p)
{
    return p != NULL ? p->r.consent : 0;
}
rf_payer rf_party_payer(const rf_party *p)
{
    return p != NULL ? (rf_payer)p->r.payer : RF_PAYER_UNSET;
}
const char *rf_party_segment(const rf_party *p)
{
    return p != NULL ? p->r.segment : NULL;
}
const char *rf_party_practitioner_id(const rf_party *p)
{
    return p != NULL ? p->r.practitioner_id : NULL;
}
rf_time rf_party_first_visit_at(const rf_party *p)
{
    return p != NULL ? p->r.first_visit_at : RF_TIME_NONE;
}
rf_intake rf_party_intake(const rf_party *p)
{
    return p != NULL ? (rf_intake)p->r.intake : RF_INTAKE_UNSET;
}
const char *rf_party_intake_detail(const rf_party *p)
{
    return p != NULL ? p->r.intake_detail : NULL;
}
rf_channel rf_party_preferred_channel(const rf_party *p)
{
    return p != NULL ? (rf_channel)p->r.preferred_channel : RF_CHANNEL_UNSET;
}
rf_time rf_party_created_at(const rf_party *p)
{
    return p != NULL ? p->r.created_at : RF_TIME_NONE;
}
rf_time rf_party_updated_at(const rf_party *p)
{
    return p != NULL ? p->r.updated_at : RF_TIME_NONE;
}
