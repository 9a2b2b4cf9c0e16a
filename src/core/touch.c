/* Touches: visits through a code, the "clicked" step and touch attribution's evidence. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "referral/journal.h"
#include "core/codes.h"
#include "core/referrals.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/text.h"

static rf_touch *touch_from_record(const rf_touch_record *rec)
{
    static const size_t offsets[] = {offsetof(rf_touch, r.id), offsetof(rf_touch, r.code_id),
                                     offsetof(rf_touch, r.owner_id), offsetof(rf_touch, r.program_id),
                                     offsetof(rf_touch, r.visitor_key)};
    const char *values[] = {rec->id, rec->code_id, rec->owner_id, rec->program_id, rec->visitor_key};
    rf_touch *t = rf__pack(sizeof *t, 5, offsets, values);
    if (t != NULL) {
        t->r.channel = rec->channel;
        t->r.at = rec->at;
    }
    return t;
}

void rf_touch_free(rf_touch *touch)
{
    free(touch);
}

static rf_status load_touch(rf_store *store, const char *id, rf_touch **out)
{
    rf_touch_record rec;
    memset(&rec, 0, sizeof rec);
    int rc = store->backend->touch_get(store->backend, store->practice, id, &rec);
    if (rc == RF_ENOTFOUND) {
        return rf__error(RF_ENOTFOUND, RF_ERRCLASS_REFERRAL, "touch '%.64s' not found", id);
    }
    if (rc != RF_OK) {
        return (rf_status)rc;
    }
    *out = touch_from_record(&rec);
    return *out != NULL ? RF_OK : RF_ENOMEM;
}

rf_status rf_touch_options_init(rf_touch_options *opts, unsigned int version)
{
    static const rf_touch_options init = RF_TOUCH_OPTIONS_INIT;
    return rf__options_init(opts, sizeof init, &init, version, "rf_touch_options", "RF_TOUCH_OPTIONS_INIT");
}

rf_status rf_touch_add(rf_touch **out, rf_store *store, const char *code_text, const char *visitor_key,
                       const rf_touch_options *opts)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    rf_touch_options defaults = RF_TOUCH_OPTIONS_INIT;
    if (opts == NULL) {
        opts = &defaults;
    }
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(code_text, "code")) != RF_OK ||
        (rc = rf__store_require(store, 2, "touches")) != RF_OK ||
        (rc = rf__check_version("rf_touch_options", opts->version, RF_TOUCH_OPTIONS_VERSION,
                                "RF_TOUCH_OPTIONS_INIT")) != RF_OK ||
        (rc = rf__check_text("visitor_key", visitor_key, RF_LABEL_MAX, 1, RF_ERRCLASS_REFERRAL)) != RF_OK ||
        (rc = rf__idem_check_key(opts->idempotency_key)) != RF_OK) {
        return rc;
    }
    if (opts->channel < RF_CHANNEL_UNSET || opts->channel > RF_CHANNEL_PORTAL) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REFERRAL, "channel %d is not a known channel",
                         (int)opts->channel);
    }
    char key[RF_CODE_KEY_MAX + 1];
    rf_fingerprint fp;
    rf__fp_init(&fp, "touch.add");
    /* By the folded key, so any spelling of the code is the same request; a
     * text that does not fold fails in the lookup below with its own message. */
    rf__fp_str(&fp, rf__code_fold(key, sizeof key, code_text) == RF_OK ? key : code_text);
    rf__fp_str(&fp, visitor_key);
    rf__fp_int(&fp, opts->channel);

    if ((rc = rf__tx_begin(store)) != RF_OK) {
        return rc;
    }
    char replay_id[RF_ID_BUFSIZE], id[RF_ID_BUFSIZE];
    if ((rc = rf__idem_replay(store, opts->idempotency_key, "touch.add", &fp, replay_id)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    if (replay_id[0] != '\0') {
        rf__tx_close_unchanged(store);
        return load_touch(store, replay_id, out);
    }
    rf_code *code = NULL;
    if ((rc = rf__code_find(store, code_text, &code)) != RF_OK ||
        (rc = rf__code_check_usable(code, rf_store_now(store))) != RF_OK) {
        rf_code_free(code);
        return rf__tx_abort(store, rc);
    }
    rf__store_new_id(store, id);
    rf_touch_record rec = {id,
                           code->r.id,
                           code->r.owner_id,
                           code->r.program_id,
                           visitor_key,
                           opts->channel != RF_CHANNEL_UNSET ? (int)opts->channel : code->r.channel,
                           rf_store_now(store)};
    char data[32];
    snprintf(data, sizeof data, "channel=%s", rf_channel_name((rf_channel)rec.channel));
    rf_touch *t = NULL;
    if ((rc = (rf_status)store->backend->touch_insert(store->backend, store->practice, &rec)) != RF_OK ||
        (rc = rf__journal_append(store, RF_EVENT_TOUCH_RECORDED, id, code->r.owner_id, opts->idempotency_key,
                                 data)) != RF_OK ||
        (rc = rf__idem_remember(store, opts->idempotency_key, "touch.add", &fp, id)) != RF_OK ||
        (t = touch_from_record(&rec)) == NULL) {
        rf_code_free(code);
        return rf__tx_abort(store, rc != RF_OK ? rc : RF_ENOMEM);
    }
    rf_code_free(code);
    if ((rc = rf__tx_commit(store)) != RF_OK) {
        rf_touch_free(t);
        return rc;
    }
    *out = t;
    return RF_OK;
}

const char *rf_touch_id(const rf_touch *t)
{
    return t != NULL ? t->r.id : NULL;
}
const char *rf_touch_code_id(const rf_touch *t)
{
    return t != NULL ? t->r.code_id : NULL;
}
const char *rf_touch_owner_id(const rf_touch *t)
{
    return t != NULL ? t->r.owner_id : NULL;
}
const char *rf_touch_program_id(const rf_touch *t)
{
    return t != NULL ? t->r.program_id : NULL;
}
const char *rf_touch_visitor_key(const rf_touch *t)
{
    return t != NULL ? t->r.visitor_key : NULL;
}
rf_channel rf_touch_channel(const rf_touch *t)
{
    return t != NULL ? (rf_channel)t->r.channel : RF_CHANNEL_UNSET;
}
rf_time rf_touch_at(const rf_touch *t)
{
    return t != NULL ? t->r.at : RF_TIME_NONE;
}
