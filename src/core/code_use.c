/* Referral codes: finding, resolving, using, revoking and listing them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "referral/journal.h"
#include "core/codes.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/text.h"

static rf_status loaded(const rf_code_record *rec, rf_code **out)
{
    *out = rf__code_from_record(rec);
    return *out != NULL ? RF_OK : RF_ENOMEM;
}

rf_status rf__code_load(rf_store *store, const char *id, rf_code **out)
{
    rf_code_record rec;
    memset(&rec, 0, sizeof rec);
    int rc = store->backend->code_get(store->backend, store->practice, id, &rec);
    if (rc == RF_ENOTFOUND) {
        return rf__error(RF_ENOTFOUND, RF_ERRCLASS_CODE, "code id '%.64s' not found in practice '%s'", id,
                         store->practice);
    }
    return rc == RF_OK ? loaded(&rec, out) : (rf_status)rc;
}

rf_status rf__code_find(rf_store *store, const char *text, rf_code **out)
{
    char key[RF_CODE_KEY_MAX + 1];
    rf_status rc = rf__code_fold(key, sizeof key, text);
    if (rc != RF_OK) {
        return rc;
    }
    rf_code_record rec;
    memset(&rec, 0, sizeof rec);
    int brc = store->backend->code_get_by_key(store->backend, store->practice, key, &rec);
    if (brc == RF_OK) {
        return loaded(&rec, out);
    }
    if (brc != RF_ENOTFOUND) {
        return (rf_status)brc;
    }
    if (rf__short_code_check_fails(key)) {
        return rf__error(
            RF_EINVALID, RF_ERRCLASS_CODE,
            "code '%.40s' was mistyped: its last character '%c' is not the check character of the "
            "seven before it; please check the code and type it again",
            text, key[RF_SHORT_CODE_LEN - 1]);
    }
    return rf__error(RF_ENOTFOUND, RF_ERRCLASS_CODE, "no code '%.40s' in practice '%s'", text,
                     store->practice);
}

rf_status rf__code_check_usable(const rf_code *code, rf_time now)
{
    char when[16];
    switch (rf_code_state_at(code, now)) {
    case RF_CODE_ACTIVE: return RF_OK;
    case RF_CODE_REVOKED:
        rf__format_date(when, code->r.revoked_at);
        return rf__error(RF_ESTATE, RF_ERRCLASS_CODE, "code '%s' is revoked since %s", code->r.text, when);
    case RF_CODE_EXPIRED:
        rf__format_date(when, code->r.expires_at);
        return rf__error(RF_ESTATE, RF_ERRCLASS_CODE, "code '%s' expired on %s", code->r.text, when);
    case RF_CODE_USED_UP:
        return rf__error(RF_ESTATE, RF_ERRCLASS_CODE, "code '%s' is used up: it was used %d of %d times",
                         code->r.text, code->r.uses, code->r.max_uses);
    }
    return RF_OK;
}

/* Common argument checks of the calls that take a code's text. */
static rf_status check_text_args(rf_store *store, const char *text)
{
    rf_status rc = rf__check_arg(store, "store");
    return rc != RF_OK ? rc : rf__check_arg(text, "text");
}

rf_status rf_code_lookup(rf_code **out, rf_store *store, const char *text)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    return (rc = check_text_args(store, text)) != RF_OK ? rc : rf__code_find(store, text, out);
}

rf_status rf_code_resolve(rf_code **out, rf_store *store, const char *text)
{
    rf_status rc = rf_code_lookup(out, store, text);
    if (rc == RF_OK && (rc = rf__code_check_usable(*out, rf_store_now(store))) != RF_OK) {
        rf_code_free(*out);
        *out = NULL;
    }
    return rc;
}

/* Fingerprint a change to the code typed as @p text: by its folded key, so a
 * retry that spells the code differently is still the same request. */
static void fingerprint_code(rf_fingerprint *fp, const char *operation, const char *text)
{
    char key[RF_CODE_KEY_MAX + 1];
    rf__fp_init(fp, operation);
    rf__fp_str(fp, text != NULL && rf__code_fold(key, sizeof key, text) == RF_OK ? key : text);
}

/* The shape of a write to one existing code (revoke, use): find it inside a
 * transaction, honour the idempotency key, change it, journal it. */
typedef rf_status (*code_change_fn)(rf_store *store, rf_code_record *rec, const void *arg, char *data,
                                    size_t datasz);

static rf_status change_code(rf_code **out, rf_store *store, const char *text, const char *operation,
                             const char *event, const char *idempotency_key, rf_fingerprint *fp,
                             code_change_fn change, const void *arg)
{
    if (out != NULL) {
        *out = NULL;
    }
    rf_status rc;
    if ((rc = check_text_args(store, text)) != RF_OK || (rc = rf__idem_check_key(idempotency_key)) != RF_OK) {
        return rc;
    }
    if ((rc = rf__tx_begin(store)) != RF_OK) {
        return rc;
    }
    char replay_id[RF_ID_BUFSIZE];
    rf_code *code = NULL;
    if ((rc = rf__idem_replay(store, idempotency_key, operation, fp, replay_id)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    if (replay_id[0] != '\0') {
        rf__tx_close_unchanged(store);
        rc = rf__code_load(store, replay_id, &code);
    } else {
        char data[64] = "";
        rf_code_record rec;
        if ((rc = rf__code_find(store, text, &code)) != RF_OK) {
            return rf__tx_abort(store, rc);
        }
        rec = code->r;
        if ((rc = change(store, &rec, arg, data, sizeof data)) != RF_OK ||
            (rc = (rf_status)store->backend->code_update(store->backend, store->practice, &rec)) != RF_OK ||
            (rc = rf__journal_append(store, event, rec.id, rec.owner_id, idempotency_key,
                                     data[0] != '\0' ? data : NULL)) != RF_OK ||
            (rc = rf__idem_remember(store, idempotency_key, operation, fp, rec.id)) != RF_OK) {
            rf_code_free(code);
            return rf__tx_abort(store, rc);
        }
        rf_code *changed = rf__code_from_record(&rec);
        rf_code_free(code);
        code = changed;
        if (code == NULL) {
            return rf__tx_abort(store, RF_ENOMEM);
        }
        rc = rf__tx_commit(store);
    }
    if (rc == RF_OK && out != NULL) {
        *out = code;
    } else {
        rf_code_free(code);
    }
    return rc;
}

static rf_status revoke_change(rf_store *store, rf_code_record *rec, const void *arg, char *data,
                               size_t datasz)
{
    (void)data;
    (void)datasz;
    if (rec->revoked_at != RF_TIME_NONE) {
        char when[16];
        rf__format_date(when, rec->revoked_at);
        return rf__error(RF_ESTATE, RF_ERRCLASS_CODE, "code '%s' is already revoked since %s", rec->text,
                         when);
    }
    rec->revoked_at = rf_store_now(store);
    rec->revoke_reason = arg;
    return RF_OK;
}

rf_status rf_code_revoke(rf_code **out, rf_store *store, const char *text, const char *reason,
                         const char *idempotency_key)
{
    rf_status rc = rf__check_text("reason", reason, RF_DETAIL_MAX, 0, RF_ERRCLASS_CODE);
    if (rc != RF_OK) {
        if (out != NULL) {
            *out = NULL;
        }
        return rc;
    }
    rf_fingerprint fp;
    fingerprint_code(&fp, "code.revoke", text);
    rf__fp_str(&fp, reason);
    return change_code(out, store, text, "code.revoke", RF_EVENT_CODE_REVOKED, idempotency_key, &fp,
                       revoke_change, reason != NULL && reason[0] != '\0' ? reason : NULL);
}

static rf_status use_change(rf_store *store, rf_code_record *rec, const void *arg, char *data, size_t datasz)
{
    (void)arg;
    rf_code probe = {*rec};
    rf_status rc = rf__code_check_usable(&probe, rf_store_now(store));
    if (rc != RF_OK) {
        return rc;
    }
    rec->uses++;
    snprintf(data, datasz, "uses=%d", rec->uses);
    return RF_OK;
}

rf_status rf_code_use(rf_code **out, rf_store *store, const char *text, const char *idempotency_key)
{
    rf_fingerprint fp;
    fingerprint_code(&fp, "code.use", text);
    return change_code(out, store, text, "code.use", RF_EVENT_CODE_USED, idempotency_key, &fp, use_change,
                       NULL);
}

/* --- listing ---------------------------------------------------------------- */

struct rf_code_iter {
    rf_store *store;
    char owner_id[RF_ID_BUFSIZE];
    rf_record_page page;
};

static int collect_code(const rf_code_record *rec, void *payload)
{
    return rf__page_add(payload, rf__code_from_record(rec), rec->id);
}

static rf_status fetch_codes(void *iter_ptr, rf_record_page *page)
{
    rf_code_iter *it = iter_ptr;
    rf_code_query q = {page->last_id[0] != '\0' ? page->last_id : NULL, it->owner_id, RF_PAGE_SIZE};
    return (rf_status)it->store->backend->code_scan(it->store->backend, it->store->practice, &q, collect_code,
                                                    page);
}

rf_status rf_code_list(rf_code_iter **out, rf_store *store, const char *owner_id)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    rf_party *owner = NULL;
    if ((rc = rf__check_arg(store, "store")) != RF_OK ||
        (rc = rf__check_arg(owner_id, "owner_id")) != RF_OK ||
        (rc = rf__party_load(store, owner_id, &owner)) != RF_OK) {
        return rc;
    }
    rf_party_free(owner);
    rf_code_iter *it = rf__calloc(1, sizeof *it);
    if (it == NULL) {
        return RF_ENOMEM;
    }
    it->store = store;
    snprintf(it->owner_id, sizeof it->owner_id, "%s", owner_id);
    rf__page_init(&it->page, fetch_codes, it, (void (*)(void *))rf_code_free);
    *out = it;
    return RF_OK;
}

rf_status rf_code_iter_next(rf_code **out, rf_code_iter *iter)
{
    return rf__iter_next((void **)out, iter, iter != NULL ? &iter->page : NULL);
}

void rf_code_iter_free(rf_code_iter *iter)
{
    rf__iter_free(iter, iter != NULL ? &iter->page : NULL);
}

/* --- accessors -------------------------------------------------------------- */

rf_code_state rf_code_state_at(const rf_code *c, rf_time at)
{
    if (c == NULL || c->r.revoked_at != RF_TIME_NONE) {
        return RF_CODE_REVOKED;
    }
    if (c->r.expires_at != RF_TIME_NONE && at >= c->r.expires_at) {
        return RF_CODE_EXPIRED;
    }
    if (c->r.max_uses > 0 && c->r.uses >= c->r.max_uses) {
        return RF_CODE_USED_UP;
    }
    return RF_CODE_ACTIVE;
}

const char *rf_code_id(const rf_code *c)
{
    return c != NULL ? c->r.id : NULL;
}
const char *rf_code_text(const rf_code *c)
{
    return c != NULL ? c->r.text : NULL;
}
rf_code_style rf_code_get_style(const rf_code *c)
{
    return c != NULL ? (rf_code_style)c->r.style : RF_CODE_STYLE_UNSET;
}
const char *rf_code_owner_id(const rf_code *c)
{
    return c != NULL ? c->r.owner_id : NULL;
}
const char *rf_code_program_id(const rf_code *c)
{
    return c != NULL ? c->r.program_id : NULL;
}
rf_channel rf_code_channel(const rf_code *c)
{
    return c != NULL ? (rf_channel)c->r.channel : RF_CHANNEL_UNSET;
}
rf_time rf_code_created_at(const rf_code *c)
{
    return c != NULL ? c->r.created_at : RF_TIME_NONE;
}
rf_time rf_code_expires_at(const rf_code *c)
{
    return c != NULL ? c->r.expires_at : RF_TIME_NONE;
}
rf_time rf_code_revoked_at(const rf_code *c)
{
    return c != NULL ? c->r.revoked_at : RF_TIME_NONE;
}
const char *rf_code_revoke_reason(const rf_code *c)
{
    return c != NULL ? c->r.revoke_reason : NULL;
}
int rf_code_max_uses(const rf_code *c)
{
    return c != NULL ? c->r.max_uses : 0;
}
int rf_code_uses(const rf_code *c)
{
    return c != NULL ? c->r.uses : 0;
}

const char *rf_channel_name(rf_channel channel)
{
    static const char *const names[] = {"UNSET",  "IN_PERSON", "PHONE", "SMS",    "EMAIL",
                                        "SOCIAL", "LINK",      "CARD",  "LETTER", "PORTAL"};
    return channel >= RF_CHANNEL_UNSET && channel <= RF_CHANNEL_PORTAL ? names[channel] : "UNSET";
}
