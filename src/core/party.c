/* Parties: validation, normalised contacts and pseudonymous keys, add/update/get/list. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "referral/journal.h"
#include "referral/party.h"
#include "core/records.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/text.h"

#define PARTY_STRING(field) offsetof(struct rf_party, r.field)
static const size_t party_strings[] = {
    PARTY_STRING(id),
    PARTY_STRING(external_id),
    PARTY_STRING(display_name),
    PARTY_STRING(email),
    PARTY_STRING(phone),
    PARTY_STRING(email_key),
    PARTY_STRING(phone_key),
    PARTY_STRING(segment),
    PARTY_STRING(practitioner_id),
    PARTY_STRING(intake_detail),
};
#define PARTY_STRING_COUNT (sizeof party_strings / sizeof party_strings[0])

rf_party *rf__party_from_record(const rf_party_record *rec)
{
    const char *values[PARTY_STRING_COUNT] = {
        rec->id,        rec->external_id, rec->display_name, rec->email,           rec->phone,
        rec->email_key, rec->phone_key,   rec->segment,      rec->practitioner_id, rec->intake_detail,
    };
    rf_party *p = rf__pack(sizeof *p, PARTY_STRING_COUNT, party_strings, values);
    if (p != NULL) {
        p->r.kind = rec->kind;
        p->r.consent = rec->consent;
        p->r.payer = rec->payer;
        p->r.intake = rec->intake;
        p->r.first_visit_at = rec->first_visit_at;
        p->r.preferred_channel = rec->preferred_channel;
        p->r.created_at = rec->created_at;
        p->r.updated_at = rec->updated_at;
    }
    return p;
}

void rf_party_free(rf_party *party)
{
    free(party);
}

rf_status rf_party_options_init(rf_party_options *opts, unsigned int version)
{
    static const rf_party_options init = RF_PARTY_OPTIONS_INIT;
    /* A caller built against version 1 has a struct that ends before preferred_channel. */
    size_t size = version == 1 ? offsetof(rf_party_options, preferred_channel) : sizeof init;
    return rf__options_init(opts, size, &init, version, "rf_party_options", "RF_PARTY_OPTIONS_INIT");
}

rf_status rf_party_filter_init(rf_party_filter *filter, unsigned int version)
{
    static const rf_party_filter init = RF_PARTY_FILTER_INIT;
    return rf__options_init(filter, sizeof init, &init, version, "rf_party_filter", "RF_PARTY_FILTER_INIT");
}

const char *rf_party_kind_name(rf_party_kind kind)
{
    switch (kind) {
    case RF_PARTY_CLIENT: return "CLIENT";
    case RF_PARTY_LEAD: return "LEAD";
    case RF_PARTY_PARTNER: return "PARTNER";
    case RF_PARTY_STAFF: return "STAFF";
    case RF_PARTY_KIND_UNSET: break;
    }
    return "UNSET";
}

rf_status rf__party_load(rf_store *store, const char *id, rf_party **out)
{
    rf_party_record rec;
    memset(&rec, 0, sizeof rec);
    int rc = store->backend->party_get(store->backend, store->practice, id, &rec);
    if (rc == RF_ENOTFOUND) {
        return rf__error(RF_ENOTFOUND, RF_ERRCLASS_PARTY, "party '%.64s' not found in practice '%s'", id,
                         store->practice);
    }
    if (rc != RF_OK) {
        return (rf_status)rc;
    }
    *out = rf__party_from_record(&rec);
    return *out != NULL ? RF_OK : RF_ENOMEM;
}

/* --- validation ----------------------------------------------------------- */

/* Normalised contacts and their keys live here while a record points at them. */
typedef struct contact_buffers {
    char email[RF_EMAIL_MAX + 1];
    char phone[24];
    char email_key[RF_ID_BUFSIZE];
    char phone_key[RF_ID_BUFSIZE];
} contact_buffers;

/* Fields that were given in options, for the update journal entry. */
typedef struct changed_fields {
    char list[256];
} changed_fields;

static void mark_changed(changed_fields *c, const char *name)
{
    size_t len = strlen(c->list);
    snprintf(c->list + len, sizeof c->list - len, "%s%s", len > 0 ? "," : "", name);
}

static int same_text(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* An optional text field: NULL leaves it, "" clears it, anything else is checked and set. */
static rf_status set_text(const char *name, const char *value, size_t max, const char **field,
                          changed_fields *c)
{
    if (value == NULL) {
        return RF_OK;
    }
    rf_status rc = rf__check_text(name, value, max, 0, RF_ERRCLASS_PARTY);
    if (rc != RF_OK) {
        return rc;
    }
    const char *next = value[0] != '\0' ? value : NULL;
    if (!same_text(*field, next)) {
        *field = next;
        mark_changed(c, name);
    }
    return RF_OK;
}

static rf_status set_int(const char *name, int value, int unset, int lo, int hi, int *field,
                         changed_fields *c)
{
    if (value == unset) {
        return RF_OK;
    }
    if (value < lo || value > hi) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "%s %d is out of range (%d to %d)", name, value, lo,
                         hi);
    }
    if (*field != value) {
        *field = value;
        mark_changed(c, name);
    }
    return RF_OK;
}

static rf_status set_contacts(rf_store *store, const rf_party_options *o, rf_party_record *rec,
                              contact_buffers *buf, changed_fields *c)
{
    rf_status rc;
    if (o->email != NULL && o->email[0] != '\0') {
        if ((rc = rf__email_normalise(buf->email, sizeof buf->email, o->email)) != RF_OK) {
            return rc;
        }
        rf__contact_key(buf->email_key, store->practice, "email", buf->email);
        if (!same_text(rec->email, buf->email)) {
            rec->email = buf->email;
            rec->email_key = buf->email_key;
            mark_changed(c, "email");
        }
    } else if (o->email != NULL && rec->email != NULL) {
        rec->email = rec->email_key = NULL;
        mark_changed(c, "email");
    }
    if (o->phone != NULL && o->phone[0] != '\0') {
        const char *region = store->phone_region[0] != '\0' ? store->phone_region : NULL;
        if ((rc = rf__phone_normalise(buf->phone, sizeof buf->phone, o->phone, region)) != RF_OK) {
            return rc;
        }
        rf__contact_key(buf->phone_key, store->practice, "phone", buf->phone);
        if (!same_text(rec->phone, buf->phone)) {
            rec->phone = buf->phone;
            rec->phone_key = buf->phone_key;
            mark_changed(c, "phone");
        }
    } else if (o->phone != NULL && rec->phone != NULL) {
        rec->phone = rec->phone_key = NULL;
        mark_changed(c, "phone");
    }
    return RF_OK;
}

/* Validate @o and apply the fields it sets to @rec (which holds the defaults or
 * the current record). Checks that need the store (the practitioner) come
 * later, inside the transaction. */
static rf_status apply_options(rf_store *store, const rf_party_options *o, rf_party_record *rec,
                               contact_buffers *buf, changed_fields *c)
{
    rf_status rc;
    if (o->display_name != NULL && o->display_name[0] == '\0') {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "display_name must not be empty");
    }
    if ((rc = set_text("display_name", o->display_name, RF_NAME_MAX, &rec->display_name, c)) != RF_OK ||
        (rc = set_text("external_id", o->external_id, RF_EXTERNAL_ID_MAX, &rec->external_id, c)) != RF_OK ||
        (rc = set_text("segment", o->segment, RF_LABEL_MAX, &rec->segment, c)) != RF_OK ||
        (rc = set_text("practitioner_id", o->practitioner_id, RF_ID_BUFSIZE - 1, &rec->practitioner_id, c)) !=
            RF_OK ||
        (rc = set_text("intake_detail", o->intake_detail, RF_DETAIL_MAX, &rec->intake_detail, c)) != RF_OK ||
        (rc = set_int("consent", o->consent, RF_UNSET, 0, RF_CONSENT_ALL, &rec->consent, c)) != RF_OK ||
        (rc = set_int("payer", (int)o->payer, RF_PAYER_UNSET, RF_PAYER_SELF_PAY, RF_PAYER_OTHER, &rec->payer,
                      c)) != RF_OK ||
        (rc = set_int("intake", (int)o->intake, RF_INTAKE_UNSET, RF_INTAKE_FRIEND_OR_FAMILY, RF_INTAKE_OTHER,
                      &rec->intake, c)) != RF_OK ||
        (rc = set_contacts(store, o, rec, buf, c)) != RF_OK) {
        return rc;
    }
    /* Version 1 structs end before the preferred channel. */
    if (o->version >= 2 &&
        (rc = set_int("preferred_channel", (int)o->preferred_channel, RF_CHANNEL_UNSET, RF_CHANNEL_IN_PERSON,
                      RF_CHANNEL_PORTAL, &rec->preferred_channel, c)) != RF_OK) {
        return rc;
    }
    if (rec->preferred_channel != RF_CHANNEL_UNSET && store->backend->version < 4) {
        return rf__error(
            RF_EVERSION, RF_ERRCLASS_PARTY,
            "this store's backend (contract version %u) cannot keep a preferred channel; it needs "
            "version 4",
            store->backend->version);
    }
    if (o->first_visit_at != RF_TIME_UNSET) {
        if (o->first_visit_at < 0) {
            return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "first_visit_at %lld is before 1970",
                             (long long)o->first_visit_at);
        }
        if (rec->first_visit_at != o->first_visit_at) {
            rec->first_visit_at = o->first_visit_at;
            mark_changed(c, "first_visit_at");
        }
    }
    return rf__idem_check_key(o->idempotency_key);
}

static void fingerprint_options(rf_fingerprint *fp, const char *operation, const char *id,
                                const rf_party_options *o)
{
    rf__fp_init(fp, operation);
    rf__fp_str(fp, id);
    rf__fp_int(fp, o->kind);
    rf__fp_str(fp, o->external_id);
    rf__fp_str(fp, o->display_name);
    rf__fp_str(fp, o->email);
    rf__fp_str(fp, o->phone);
    /* An add is fingerprinted after defaults, so that spelling a default out
     * is the same request; an update by the changes it asks for. */
    int adding = id == NULL;
    rf__fp_int(fp, adding && o->consent == RF_UNSET ? 0 : o->consent);
    rf__fp_int(fp, o->payer);
    rf__fp_str(fp, o->segment);
    rf__fp_str(fp, o->practitioner_id);
    rf__fp_int(fp, adding && o->first_visit_at == RF_TIME_UNSET ? RF_TIME_NONE : o->first_visit_at);
    rf__fp_int(fp, o->intake);
    rf__fp_str(fp, o->intake_detail);
    /* Only when given, so keys recorded before version 2 fingerprint the same. */
    if (o->version >= 2 && o->preferred_channel != RF_CHANNEL_UNSET) {
        rf__fp_int(fp, o->preferred_channel);
    }
}

/* Inside the transaction: references and unique keys, with messages that name them. */
static rf_status check_references(rf_store *store, const rf_party_record *rec, const char *self_id)
{
    rf_party_record other;
    int rc;
    if (rec->practitioner_id != NULL) {
        memset(&other, 0, sizeof other);
        rc = store->backend->party_get(store->backend, store->practice, rec->practitioner_id, &other);
        if (rc == RF_ENOTFOUND) {
            return rf__error(RF_ENOTFOUND, RF_ERRCLASS_PARTY, "practitioner '%s' not found in practice '%s'",
                             rec->practitioner_id, store->practice);
        }
        if (rc != RF_OK) {
            return (rf_status)rc;
        }
        if (other.kind != RF_PARTY_STAFF) {
            return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "practitioner '%s' is a %s, not a STAFF party",
                             rec->practitioner_id, rf_party_kind_name((rf_party_kind)other.kind));
        }
    }
    if (rec->external_id != NULL) {
        memset(&other, 0, sizeof other);
        rc = store->backend->party_get_by_external(store->backend, store->practice, rec->external_id, &other);
        if (rc == RF_OK && (self_id == NULL || strcmp(other.id, self_id) != 0)) {
            return rf__error(RF_EEXISTS, RF_ERRCLASS_PARTY, "external id '%s' is already used by party %s",
                             rec->external_id, other.id);
        }
        if (rc != RF_OK && rc != RF_ENOTFOUND) {
            return (rf_status)rc;
        }
    }
    return RF_OK;
}

/* A retried call: return the record its first run produced. */
static rf_status replay(rf_party **out, rf_store *store, const char *id)
{
    rf_party *p = NULL;
    rf_status rc = rf__party_load(store, id, &p);
    if (out != NULL) {
        *out = p;
    } else {
        rf_party_free(p);
    }
    return rc;
}

/* --- add and update ------------------------------------------------------- */

rf_status rf_party_add(rf_party **out, rf_store *store, const rf_party_options *opts)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(opts, "opts")) != RF_OK ||
        (rc = rf__check_version("rf_party_options", opts->version, RF_PARTY_OPTIONS_VERSION,
                                "RF_PARTY_OPTIONS_INIT")) != RF_OK) {
        return rc;
    }
    if (opts->kind < RF_PARTY_CLIENT || opts->kind > RF_PARTY_STAFF) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "kind is required: CLIENT, LEAD, PARTNER or STAFF");
    }
    if (opts->display_name == NULL) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "display_name is required");
    }

    char id[RF_ID_BUFSIZE];
    contact_buffers buf;
    changed_fields changed = {""};
    rf_party_record rec;
    memset(&rec, 0, sizeof rec);
    rec.kind = opts->kind;
    if ((rc = apply_options(store, opts, &rec, &buf, &changed)) != RF_OK) {
        return rc;
    }

    rf_fingerprint fp;
    fingerprint_options(&fp, "party.add", NULL, opts);
    if ((rc = rf__tx_begin(store)) != RF_OK) {
        return rc;
    }
    char replay_id[RF_ID_BUFSIZE];
    if ((rc = rf__idem_replay(store, opts->idempotency_key, "party.add", &fp, replay_id)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    if (replay_id[0] != '\0') {
        rf__tx_close_unchanged(store);
        return replay(out, store, replay_id);
    }

    rf__store_new_id(store, id);
    rec.id = id;
    rec.created_at = rec.updated_at = rf_store_now(store);
    char data[32];
    snprintf(data, sizeof data, "kind=%s", rf_party_kind_name(opts->kind));
    if ((rc = check_references(store, &rec, NULL)) != RF_OK ||
        (rc = (rf_status)store->backend->party_insert(store->backend, store->practice, &rec)) != RF_OK ||
        (rc = rf__journal_append(store, RF_EVENT_PARTY_ADDED, id, NULL, opts->idempotency_key, data)) !=
            RF_OK ||
        (rc = rf__idem_remember(store, opts->idempotency_key, "party.add", &fp, id)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    rf_party *p = rf__party_from_record(&rec);
    if (p == NULL) {
        return rf__tx_abort(store, RF_ENOMEM);
    }
    if ((rc = rf__tx_commit(store)) != RF_OK) {
        rf_party_free(p);
        return rc;
    }
    *out = p;
    return RF_OK;
}

static rf_status check_kind_change(const rf_party_record *rec, rf_party_kind next)
{
    if (next == RF_PARTY_KIND_UNSET || (int)next == rec->kind) {
        return RF_OK;
    }
    if (next < RF_PARTY_CLIENT || next > RF_PARTY_STAFF) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PARTY, "kind %d is not CLIENT, LEAD, PARTNER or STAFF",
                         (int)next);
    }
    if (rec->kind == RF_PARTY_LEAD && next == RF_PARTY_CLIENT) {
        return RF_OK;
    }
    return rf__error(RF_ESTATE, RF_ERRCLASS_PARTY,
                     "party %s is a %s and cannot become a %s; only a LEAD can become a CLIENT", rec->id,
                     rf_party_kind_name((rf_party_kind)rec->kind), rf_party_kind_name(next));
}

/* Apply @changes to @current, a party read in the open transaction, and write
 * the result with its journal entry and idempotency key: everything
 * rf_party_update does inside its level once the party is loaded. *@out,
 * when @out is not NULL, gets the updated party. */
static rf_status write_changes(rf_party **out, rf_store *store, const rf_party *current,
                               const rf_party_options *changes, const rf_fingerprint *fp)
{
    rf_party_record rec = current->r; /* points into current */
    contact_buffers buf;
    changed_fields changed = {""};
    rf_status rc;
    if ((rc = check_kind_change(&rec, changes->kind)) != RF_OK ||
        (rc = apply_options(store, changes, &rec, &buf, &changed)) != RF_OK) {
        return rc;
    }
    if (changes->kind != RF_PARTY_KIND_UNSET && rec.kind != (int)changes->kind) {
        rec.kind = changes->kind;
        mark_changed(&changed, "kind");
    }
    if (changed.list[0] != '\0') {
        rec.updated_at = rf_store_now(store);
        char data[sizeof changed.list + 8];
        snprintf(data, sizeof data, "fields=%s", changed.list);
        if ((rc = check_references(store, &rec, rec.id)) != RF_OK ||
            (rc = (rf_status)store->backend->party_update(store->backend, store->practice, &rec)) != RF_OK ||
            (rc = rf__journal_append(store, RF_EVENT_PARTY_UPDATED, rec.id, NULL, changes->idempotency_key,
                                     data)) != RF_OK) {
            return rc;
        }
    }
    if ((rc = rf__idem_remember(store, changes->idempotency_key, "party.update", fp, rec.id)) != RF_OK) {
        return rc;
    }
    if (out != NULL && (*out = rf__party_from_record(&rec)) == NULL) {
        return RF_ENOMEM;
    }
    return RF_OK;
}

rf_status rf__party_update_loaded(rf_store *store, const rf_party *current, const rf_party_options *changes)
{
    rf_fingerprint fp;
    fingerprint_options(&fp, "party.update", current->r.id, changes);
    return write_changes(NULL, store, current, changes, &fp);
}

rf_status rf_party_update(rf_party **out, rf_store *store, const char *id, const rf_party_options *changes)
{
    if (out != NULL) {
        *out = NULL;
    }
    rf_status rc;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(id, "id")) != RF_OK ||
        (rc = rf__check_arg(changes, "changes")) != RF_OK ||
        (rc = rf__check_version("rf_party_options", changes->version, RF_PARTY_OPTIONS_VERSION,
                                "RF_PARTY_OPTIONS_INIT")) != RF_OK ||
        (rc = rf__idem_check_key(changes->idempotency_key)) != RF_OK) {
        return rc;
    }
    rf_fingerprint fp;
    fingerprint_options(&fp, "party.update", id, changes);
    if ((rc = rf__tx_begin(store)) != RF_OK) {
        return rc;
    }
    char replay_id[RF_ID_BUFSIZE];
    if ((rc = rf__idem_replay(store, changes->idempotency_key, "party.update", &fp, replay_id)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    if (replay_id[0] != '\0') {
        rf__tx_close_unchanged(store);
        return replay(out, store, replay_id);
    }

    rf_party *current = NULL;
    if ((rc = rf__party_load(store, id, &current)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    rf_party *updated = NULL;
    rc = write_changes(out != NULL ? &updated : NULL, store, current, changes, &fp);
    rf_party_free(current);
    if (rc != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    if ((rc = rf__tx_commit(store)) != RF_OK) {
        rf_party_free(updated);
        return rc;
    }
    if (out != NULL) {
        *out = updated;
    }
    return RF_OK;
}
