/* Referral codes: issuing vanity slugs and short codes. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "referral/code.h"
#include "referral/journal.h"
#include "core/codes.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/text.h"

#define CODE_STRING(field) offsetof(struct rf_code, r.field)
static const size_t code_strings[] = {
    CODE_STRING(id),       CODE_STRING(key),        CODE_STRING(text),
    CODE_STRING(owner_id), CODE_STRING(program_id), CODE_STRING(revoke_reason),
};
#define CODE_STRING_COUNT (sizeof code_strings / sizeof code_strings[0])

rf_code *rf__code_from_record(const rf_code_record *rec)
{
    const char *values[CODE_STRING_COUNT] = {rec->id,       rec->key,        rec->text,
                                             rec->owner_id, rec->program_id, rec->revoke_reason};
    rf_code *c = rf__pack(sizeof *c, CODE_STRING_COUNT, code_strings, values);
    if (c != NULL) {
        c->r.style = rec->style;
        c->r.channel = rec->channel;
        c->r.max_uses = rec->max_uses;
        c->r.uses = rec->uses;
        c->r.created_at = rec->created_at;
        c->r.expires_at = rec->expires_at;
        c->r.revoked_at = rec->revoked_at;
    }
    return c;
}

void rf_code_free(rf_code *code)
{
    free(code);
}

rf_status rf_code_options_init(rf_code_options *opts, unsigned int version)
{
    static const rf_code_options init = RF_CODE_OPTIONS_INIT;
    return rf__options_init(opts, sizeof init, &init, version, "rf_code_options", "RF_CODE_OPTIONS_INIT");
}

static rf_status check_issue_options(rf_store *store, const rf_code_options *o)
{
    rf_status rc =
        rf__check_version("rf_code_options", o->version, RF_CODE_OPTIONS_VERSION, "RF_CODE_OPTIONS_INIT");
    if (rc != RF_OK) {
        return rc;
    }
    if (o->style < RF_CODE_STYLE_UNSET || o->style > RF_CODE_SHORT) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_CODE, "code style %d is not VANITY or SHORT",
                         (int)o->style);
    }
    if (o->channel < RF_CHANNEL_UNSET || o->channel > RF_CHANNEL_PORTAL) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_CODE, "channel %d is not a known channel", (int)o->channel);
    }
    if (o->max_uses < RF_UNSET) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_CODE, "max_uses %d is negative; use 0 for unlimited",
                         o->max_uses);
    }
    if (o->expires_at != RF_TIME_UNSET && o->expires_at != RF_TIME_NONE &&
        o->expires_at <= rf_store_now(store)) {
        char when[16];
        rf__format_date(when, o->expires_at);
        return rf__error(RF_EINVALID, RF_ERRCLASS_CODE, "expires_at (%s) is not in the future", when);
    }
    if ((rc = rf__check_text("vanity_base", o->vanity_base, RF_NAME_MAX, 0, RF_ERRCLASS_CODE)) != RF_OK ||
        (rc = rf__check_text("program_id", o->program_id, RF_LABEL_MAX, 0, RF_ERRCLASS_CODE)) != RF_OK) {
        return rc;
    }
    return rf__idem_check_key(o->idempotency_key);
}

/* Fold a candidate text into its key and say whether the key is free in the practice. */
static rf_status candidate_free(rf_store *store, const char *text, char key[RF_CODE_KEY_MAX + 1],
                                int *is_free)
{
    *is_free = 0;
    rf_status rc = rf__code_fold(key, RF_CODE_KEY_MAX + 1, text);
    if (rc != RF_OK) {
        return rc;
    }
    rf_code_record rec;
    memset(&rec, 0, sizeof rec);
    int brc = store->backend->code_get_by_key(store->backend, store->practice, key, &rec);
    *is_free = brc == RF_ENOTFOUND;
    return brc == RF_OK || brc == RF_ENOTFOUND ? RF_OK : (rf_status)brc;
}

/* Suffixes tried after the bare slug before giving up on vanity for this name. */
#define VANITY_SUFFIX_MAX 9999
/* Short codes drawn before concluding the practice's code space is exhausted. */
#define SHORT_CODE_TRIES 32

static rf_status pick_vanity(rf_store *store, const char *base, char text[RF_CODE_KEY_MAX + 1],
                             char key[RF_CODE_KEY_MAX + 1], int *found)
{
    for (int n = 1; n <= VANITY_SUFFIX_MAX; n++) {
        if (n == 1) {
            snprintf(text, RF_CODE_KEY_MAX + 1, "%s", base);
        } else {
            snprintf(text, RF_CODE_KEY_MAX + 1, "%s-%d", base, n);
        }
        rf_status rc = candidate_free(store, text, key, found);
        if (rc != RF_OK || *found) {
            return rc;
        }
    }
    *found = 0;
    return RF_OK;
}

static rf_status pick_short(rf_store *store, char text[RF_CODE_KEY_MAX + 1], char key[RF_CODE_KEY_MAX + 1])
{
    for (int attempt = 0; attempt < SHORT_CODE_TRIES; attempt++) {
        uint32_t random[RF_SHORT_CODE_DATA];
        uint64_t bits = rf__rng_next(&store->rng);
        for (int i = 0; i < RF_SHORT_CODE_DATA; i++) {
            random[i] = (uint32_t)(bits >> (5 * i)) & 31u;
        }
        rf__short_code_make(text, random);
        int is_free = 0;
        rf_status rc = candidate_free(store, text, key, &is_free);
        if (rc != RF_OK || is_free) {
            return rc;
        }
    }
    return rf__error(RF_ECONFLICT, RF_ERRCLASS_CODE, "could not find a free short code in %d tries",
                     SHORT_CODE_TRIES);
}

/* Choose the code's text and key: a slug from the name when it can be spelled
 * in Latin letters, otherwise (or on request) a short code. */
static rf_status pick_code(rf_store *store, const rf_code_options *o, const rf_party *owner,
                           char text[RF_CODE_KEY_MAX + 1], char key[RF_CODE_KEY_MAX + 1], int *style)
{
    *style = o->style == RF_CODE_SHORT ? RF_CODE_SHORT : RF_CODE_VANITY;
    if (*style == RF_CODE_VANITY) {
        char base[RF_SLUG_BASE_MAX + 1];
        const char *name = o->vanity_base != NULL ? o->vanity_base : owner->r.display_name;
        rf_status rc = rf__slug_from_name(base, sizeof base, name);
        if (rc == RF_OK) {
            int found = 0;
            if ((rc = pick_vanity(store, base, text, key, &found)) != RF_OK || found) {
                return rc;
            }
        } else if (rc != RF_ENOTFOUND) {
            return rc;
        }
        *style = RF_CODE_SHORT;
    }
    return pick_short(store, text, key);
}

static void fingerprint_issue(rf_fingerprint *fp, const char *owner_id, const rf_code_options *o)
{
    /* After defaults, so that spelling a default out is the same request. */
    rf__fp_init(fp, "code.issue");
    rf__fp_str(fp, owner_id);
    rf__fp_int(fp, o->style == RF_CODE_SHORT ? RF_CODE_SHORT : RF_CODE_VANITY);
    rf__fp_str(fp, o->vanity_base);
    rf__fp_str(fp, o->program_id);
    rf__fp_int(fp, o->channel);
    rf__fp_int(fp, o->expires_at == RF_TIME_UNSET ? RF_TIME_NONE : o->expires_at);
    rf__fp_int(fp, o->max_uses > 0 ? o->max_uses : 0);
}

rf_status rf_code_issue(rf_code **out, rf_store *store, const char *owner_id, const rf_code_options *opts)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    rf_code_options defaults = RF_CODE_OPTIONS_INIT;
    if (opts == NULL) {
        opts = &defaults;
    }
    if ((rc = rf__check_arg(store, "store")) != RF_OK ||
        (rc = rf__check_arg(owner_id, "owner_id")) != RF_OK ||
        (rc = check_issue_options(store, opts)) != RF_OK) {
        return rc;
    }
    rf_fingerprint fp;
    fingerprint_issue(&fp, owner_id, opts);
    if ((rc = rf__tx_begin(store)) != RF_OK) {
        return rc;
    }
    char replay_id[RF_ID_BUFSIZE];
    if ((rc = rf__idem_replay(store, opts->idempotency_key, "code.issue", &fp, replay_id)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    if (replay_id[0] != '\0') {
        rf__tx_close_unchanged(store);
        return rf__code_load(store, replay_id, out);
    }

    rf_party *owner = NULL;
    char id[RF_ID_BUFSIZE], text[RF_CODE_KEY_MAX + 1], key[RF_CODE_KEY_MAX + 1];
    int style = 0;
    if ((rc = rf__party_load(store, owner_id, &owner)) != RF_OK ||
        (rc = pick_code(store, opts, owner, text, key, &style)) != RF_OK) {
        rf_party_free(owner);
        return rf__tx_abort(store, rc);
    }
    rf_party_free(owner);

    rf__store_new_id(store, id);
    rf_code_record rec = {
        .id = id,
        .key = key,
        .text = text,
        .owner_id = owner_id,
        .program_id = opts->program_id,
        .style = style,
        .channel = opts->channel,
        .max_uses = opts->max_uses > 0 ? opts->max_uses : 0,
        .created_at = rf_store_now(store),
        .expires_at = opts->expires_at != RF_TIME_UNSET ? opts->expires_at : RF_TIME_NONE,
    };
    const char *data = style == RF_CODE_SHORT ? "style=SHORT" : "style=VANITY";
    rf_code *code = NULL;
    if ((rc = (rf_status)store->backend->code_insert(store->backend, store->practice, &rec)) != RF_OK ||
        (rc = rf__journal_append(store, RF_EVENT_CODE_ISSUED, id, owner_id, opts->idempotency_key, data)) !=
            RF_OK ||
        (rc = rf__idem_remember(store, opts->idempotency_key, "code.issue", &fp, id)) != RF_OK ||
        (code = rf__code_from_record(&rec)) == NULL) {
        return rf__tx_abort(store, rc != RF_OK ? rc : RF_ENOMEM);
    }
    if ((rc = rf__tx_commit(store)) != RF_OK) {
        rf_code_free(code);
        return rc;
    }
    *out = code;
    return RF_OK;
}
