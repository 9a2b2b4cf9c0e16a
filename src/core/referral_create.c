/* Creating a referral: checking the request, choosing the evidence that
 * attributes the referee, the fraud guards, and the record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "referral/journal.h"
#include "core/codes.h"
#include "core/fraud_guards.h"
#include "core/outbox_internal.h"
#include "core/referrals.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/text.h"

#define DAY_SECONDS ((rf_time)86400)

static rf_status bad(const char *fmt, const char *a)
{
    return rf__error(RF_EINVALID, RF_ERRCLASS_REFERRAL, fmt, a);
}

static rf_status check_enum(const char *name, int value, int hi)
{
    if (value < 0 || value > hi) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REFERRAL, "%s %d is out of range (0 to %d)", name, value,
                         hi);
    }
    return RF_OK;
}

/* Everything that can be checked before the store is asked. */
static rf_status check_options(const rf_referral_options *o, rf_direction direction)
{
    rf_status rc;
    if ((rc = rf__check_version("rf_referral_options", o->version, RF_REFERRAL_OPTIONS_VERSION,
                                "RF_REFERRAL_OPTIONS_INIT")) != RF_OK ||
        (rc = check_enum("direction", o->direction, RF_DIRECTION_OUTBOUND)) != RF_OK ||
        (rc = check_enum("source", o->source, RF_SOURCE_PARTNER)) != RF_OK ||
        (rc = check_enum("channel", o->channel, RF_CHANNEL_PORTAL)) != RF_OK ||
        (rc = check_enum("care_level", o->care_level, RF_CARE_TRANSFER)) != RF_OK ||
        (rc = check_enum("urgency", o->urgency, RF_URGENCY_URGENT)) != RF_OK ||
        (rc = rf__check_text("program_id", o->program_id, RF_ID_BUFSIZE - 1, 1, RF_ERRCLASS_REFERRAL)) !=
            RF_OK ||
        (rc = rf__check_text("referee_id", o->referee_id, RF_ID_BUFSIZE - 1, 1, RF_ERRCLASS_REFERRAL)) !=
            RF_OK ||
        (rc = rf__check_text("target_id", o->target_id, RF_ID_BUFSIZE - 1, 0, RF_ERRCLASS_REFERRAL)) !=
            RF_OK ||
        (rc = rf__check_text("referrer_id", o->referrer_id, RF_ID_BUFSIZE - 1, 0, RF_ERRCLASS_REFERRAL)) !=
            RF_OK ||
        (rc = rf__check_text("visitor_key", o->visitor_key, RF_LABEL_MAX, 0, RF_ERRCLASS_REFERRAL)) !=
            RF_OK ||
        (rc = rf__check_text("code", o->code, RF_CODE_KEY_MAX * 2, 0, RF_ERRCLASS_REFERRAL)) != RF_OK ||
        (rc = rf__check_text("reason", o->reason, RF_DETAIL_MAX, 0, RF_ERRCLASS_REFERRAL)) != RF_OK ||
        (rc = rf__check_text("preferred_timing", o->preferred_timing, RF_DETAIL_MAX, 0,
                             RF_ERRCLASS_REFERRAL)) != RF_OK ||
        (rc = rf__check_text("practitioner_id", o->practitioner_id, RF_ID_BUFSIZE - 1, 0,
                             RF_ERRCLASS_REFERRAL)) != RF_OK ||
        (rc = rf__check_text("variant", o->variant, RF_LABEL_MAX, 0, RF_ERRCLASS_REFERRAL)) != RF_OK ||
        (rc = rf__check_label_list("documents_required", o->documents_required)) != RF_OK ||
        (rc = rf__check_label_list("documents_received", o->documents_received)) != RF_OK ||
        (rc = rf__idem_check_key(o->idempotency_key)) != RF_OK) {
        return rc;
    }
    for (const char *p = o->documents_received; p != NULL && *p != '\0';) {
        const char *end = strchr(p, ',');
        char label[RF_DETAIL_MAX + 1];
        snprintf(label, sizeof label, "%.*s", (int)(end != NULL ? end - p : (long)strlen(p)), p);
        if (!rf__label_list_has(o->documents_required, label)) {
            return bad("document '%s' was received but is not in documents_required", label);
        }
        p = end != NULL ? end + 1 : NULL;
    }
    if (direction == RF_DIRECTION_OUTBOUND) {
        if (o->target_id == NULL) {
            return bad("%s referrals need target_id: the partner the client is sent to", "outbound");
        }
        if (o->code != NULL || o->visitor_key != NULL) {
            return bad("%s referrals are not attributed: give no code or visitor_key", "outbound");
        }
        return RF_OK;
    }
    if (o->target_id != NULL) {
        return bad("%s referrals come to the practice: target_id is for outbound ones", "inbound");
    }
    if (o->code == NULL && o->visitor_key == NULL && o->referrer_id == NULL) {
        return bad("a referral needs evidence of who referred: a code, a visitor_key or a referrer_id%s", "");
    }
    if (o->source == RF_SOURCE_CODE || o->source == RF_SOURCE_TOUCH) {
        return bad("source %s is decided from the evidence; give the code or visitor_key instead",
                   rf_referral_source_name(o->source));
    }
    return RF_OK;
}

/* Fingerprinted after defaults, so that a retry spelling a default out is the
 * same request as one leaving it unset. */
static void fingerprint_request(rf_fingerprint *fp, const rf_referral_options *o, rf_direction direction)
{
    int named = o->code == NULL && o->visitor_key == NULL && direction == RF_DIRECTION_INBOUND;
    const char *texts[] = {o->program_id, o->referee_id,         o->target_id,
                           o->code,       o->visitor_key,        o->referrer_id,
                           o->reason,     o->preferred_timing,   o->practitioner_id,
                           o->variant,    o->documents_required, o->documents_received};
    const int ints[] = {direction, o->source == RF_SOURCE_UNSET && named ? RF_SOURCE_MANUAL : (int)o->source,
                        o->channel, o->care_level,
                        o->urgency == RF_URGENCY_UNSET ? RF_URGENCY_ROUTINE : (int)o->urgency};
    rf__fp_init(fp, "referral.create");
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        rf__fp_str(fp, texts[i]);
    }
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        rf__fp_int(fp, ints[i]);
    }
}

/* --- evidence ------------------------------------------------------------------------ */

/* What attributed the referee, kept on the record and in the journal. */
typedef struct evidence {
    rf_referral_source source;
    char referrer_id[RF_ID_BUFSIZE];
    char code_id[RF_ID_BUFSIZE];
    char touch_id[RF_ID_BUFSIZE];
    int channel;
    char text[160];
    rf_code *code; /* the code presented, kept to count its use without reading it again */
} evidence;

static rf_status from_code(rf_store *store, const rf_program *program, const char *text, evidence *ev)
{
    rf_code *code = NULL;
    rf_status rc = rf__code_find(store, text, &code);
    if (rc == RF_OK && (rc = rf__code_check_usable(code, rf_store_now(store))) == RF_OK &&
        code->r.program_id != NULL && strcmp(code->r.program_id, program->r.id) != 0) {
        rc = rf__error(RF_EINVALID, RF_ERRCLASS_REFERRAL, "code '%s' belongs to programme %s, not to '%s'",
                       code->r.text, code->r.program_id, program->r.name);
    }
    if (rc == RF_OK) {
        ev->source = RF_SOURCE_CODE;
        snprintf(ev->referrer_id, sizeof ev->referrer_id, "%s", code->r.owner_id);
        snprintf(ev->code_id, sizeof ev->code_id, "%s", code->r.id);
        ev->channel = code->r.channel;
        snprintf(ev->text, sizeof ev->text, "code=%s", code->r.id);
        ev->code = code;
        return RF_OK;
    }
    rf_code_free(code);
    return rc;
}

/* The referee presented the code: once the referral is made, that is one use
 * of it. The code was read in this transaction, so its record is current. */
static rf_status count_code_use(rf_store *store, const rf_code *code)
{
    rf_code_record rec = code->r;
    rec.uses++;
    char data[32];
    snprintf(data, sizeof data, "uses=%d", rec.uses);
    rf_status rc = (rf_status)store->backend->code_update(store->backend, store->practice, &rec);
    return rc == RF_OK ? rf__journal_append(store, RF_EVENT_CODE_USED, rec.id, rec.owner_id, NULL, data) : rc;
}

/* The visitor's touches in the window: keep the first or last one (by time, then id). */
typedef struct touch_pick {
    const rf_program *program;
    int count;
    rf_touch_record best;
    char id[RF_ID_BUFSIZE], code_id[RF_ID_BUFSIZE], owner_id[RF_ID_BUFSIZE];
} touch_pick;

static int pick_touch(const rf_touch_record *t, void *payload)
{
    touch_pick *p = payload;
    if (t->program_id != NULL && strcmp(t->program_id, p->program->r.id) != 0) {
        return 0; /* a touch through another programme's code */
    }
    int first = p->program->s.attribution == RF_ATTRIBUTION_FIRST_TOUCH;
    int better = p->count == 0 || (first ? t->at < p->best.at : t->at >= p->best.at);
    p->count++;
    if (better) {
        p->best = *t;
        snprintf(p->id, sizeof p->id, "%s", t->id);
        snprintf(p->code_id, sizeof p->code_id, "%s", t->code_id);
        snprintf(p->owner_id, sizeof p->owner_id, "%s", t->owner_id);
    }
    return 0;
}

static rf_status from_touches(rf_store *store, const rf_program *program, const char *visitor_key,
                              evidence *ev)
{
    rf_time now = rf_store_now(store);
    touch_pick pick;
    memset(&pick, 0, sizeof pick);
    pick.program = program;
    rf_touch_query q = {NULL, visitor_key, now - (rf_time)program->s.window_days * DAY_SECONDS, now + 1, 0};
    rf_status rc =
        (rf_status)store->backend->touch_scan(store->backend, store->practice, &q, pick_touch, &pick);
    if (rc != RF_OK) {
        return rc;
    }
    if (pick.count == 0) {
        return rf__error(RF_ENOTFOUND, RF_ERRCLASS_REFERRAL,
                         "visitor '%.64s' has no touches in programme '%s' in the last %d days", visitor_key,
                         program->r.name, program->s.window_days);
    }
    ev->source = RF_SOURCE_TOUCH;
    memcpy(ev->referrer_id, pick.owner_id, sizeof ev->referrer_id);
    memcpy(ev->code_id, pick.code_id, sizeof ev->code_id);
    memcpy(ev->touch_id, pick.id, sizeof ev->touch_id);
    ev->channel = pick.best.channel;
    snprintf(ev->text, sizeof ev->text, "touch=%s;model=%s;touches=%d;window_days=%d", pick.id,
             program->s.attribution == RF_ATTRIBUTION_FIRST_TOUCH ? "FIRST_TOUCH" : "LAST_TOUCH", pick.count,
             program->s.window_days);
    return RF_OK;
}

/* The most specific evidence wins: a code, then the visitor's touches, then a
 * named referrer. Choosing writes nothing, so a refusal leaves no trace of it. */
static rf_status choose_evidence(rf_store *store, const rf_program *program, const rf_referral_options *o,
                                 evidence *ev)
{
    memset(ev, 0, sizeof *ev);
    rf_status rc;
    if (o->code != NULL) {
        rc = from_code(store, program, o->code, ev);
    } else if (o->visitor_key != NULL) {
        rc = from_touches(store, program, o->visitor_key, ev);
    } else {
        ev->source = o->source != RF_SOURCE_UNSET ? o->source : RF_SOURCE_MANUAL;
        snprintf(ev->referrer_id, sizeof ev->referrer_id, "%s", o->referrer_id);
        snprintf(ev->text, sizeof ev->text, "named=%s", rf_referral_source_name(ev->source));
        rc = RF_OK;
    }
    if (rc == RF_OK && o->referrer_id != NULL && strcmp(o->referrer_id, ev->referrer_id) != 0) {
        /* The host also named someone; the more specific evidence decided. */
        size_t len = strlen(ev->text);
        snprintf(ev->text + len, sizeof ev->text - len, ";overrode=%s", o->referrer_id);
    }
    return rc;
}

/* --- parties ---------------------------------------------------------------------------- */

static rf_status load_kind(rf_store *store, const char *id, const char *role, int k1, int k2, rf_party **out)
{
    rf_status rc = rf__party_load(store, id, out);
    if (rc == RF_OK && (*out)->r.kind != k1 && (*out)->r.kind != k2) {
        rc = rf__error(RF_EINVALID, RF_ERRCLASS_REFERRAL, "%s %s is a %s; a %s must be a %s%s%s", role, id,
                       rf_party_kind_name((rf_party_kind)(*out)->r.kind), role,
                       rf_party_kind_name((rf_party_kind)k1), k2 != k1 ? " or a " : "",
                       k2 != k1 ? rf_party_kind_name((rf_party_kind)k2) : "");
        rf_party_free(*out);
        *out = NULL;
    }
    return rc;
}

/* A partner's referral comes from a partner. */
static rf_status check_partner_source(const evidence *ev, const rf_party *referrer)
{
    if (ev->source == RF_SOURCE_PARTNER && referrer->r.kind != RF_PARTY_PARTNER) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REFERRAL,
                         "source PARTNER needs a PARTNER referrer; %s is a %s (use MANUAL or INTAKE)",
                         referrer->r.id, rf_party_kind_name((rf_party_kind)referrer->r.kind));
    }
    return RF_OK;
}

/* --- create ------------------------------------------------------------------------------- */

typedef struct request {
    rf_program *program;
    rf_party *referee, *referrer, *target, *practitioner;
} request;

static void request_free(request *q)
{
    rf_program_free(q->program);
    rf_party_free(q->referee);
    rf_party_free(q->referrer);
    rf_party_free(q->target);
    rf_party_free(q->practitioner);
}

/* A referee already attributed keeps that attribution: journal the attempt and refuse. */
static rf_status refuse_second_attribution(rf_store *store, const char *referee_id, const char *referrer_id,
                                           const char *holder_id, const char *holder_referrer)
{
    char data[64];
    snprintf(data, sizeof data, "held_by=%s", holder_id);
    rf_status rc =
        rf__journal_append(store, RF_EVENT_ATTRIBUTION_REFUSED, referee_id, referrer_id, NULL, data);
    if (rc == RF_OK && (rc = rf__tx_commit(store)) == RF_OK) {
        return rf__error(
            RF_ECONFLICT, RF_ERRCLASS_REFERRAL,
            "referee %s is already attributed to referrer %s by referral %s; the first attribution "
            "stands (this attempt was journalled)",
            referee_id, holder_referrer, holder_id);
    }
    return rc == RF_OK ? rc : rf__tx_abort(store, rc);
}

static rf_status insert_referral(rf_store *store, const rf_referral_options *o, rf_direction direction,
                                 const request *q, const evidence *ev, int flags, const rf_fingerprint *fp,
                                 rf_referral **out)
{
    char id[RF_ID_BUFSIZE], data[96];
    rf__store_new_id(store, id);
    rf_time now = rf_store_now(store);
    int inbound = direction == RF_DIRECTION_INBOUND;
    rf_referral_record rec;
    memset(&rec, 0, sizeof rec);
    rec.id = id;
    rec.program_id = q->program->r.id;
    rec.referrer_id = inbound ? ev->referrer_id : o->referrer_id;
    rec.referee_id = q->referee->r.id;
    rec.target_id = o->target_id;
    rec.code_id = ev->code_id[0] != '\0' ? ev->code_id : NULL;
    rec.touch_id = ev->touch_id[0] != '\0' ? ev->touch_id : NULL;
    rec.evidence = ev->text[0] != '\0' ? ev->text : NULL;
    rec.reason = o->reason;
    rec.preferred_timing = o->preferred_timing;
    rec.practitioner_id = o->practitioner_id;
    rec.variant = o->variant;
    rec.documents_required = o->documents_required;
    rec.documents_received = o->documents_received;
    rec.attribution_key = inbound ? q->referee->r.id : NULL;
    rec.direction = direction;
    rec.source = inbound ? ev->source : (o->source != RF_SOURCE_UNSET ? o->source : RF_SOURCE_MANUAL);
    rec.channel = o->channel != RF_CHANNEL_UNSET ? (int)o->channel : ev->channel;
    rec.state = RF_REFERRAL_RECEIVED;
    rec.care_level = o->care_level;
    rec.urgency = o->urgency != RF_URGENCY_UNSET ? (int)o->urgency : RF_URGENCY_ROUTINE;
    rec.fraud_flags = flags;
    rec.documents_complete = 1;
    for (const char *p = o->documents_required; p != NULL && *p != '\0';) {
        const char *end = strchr(p, ',');
        char label[RF_DETAIL_MAX + 1];
        snprintf(label, sizeof label, "%.*s", (int)(end != NULL ? end - p : (long)strlen(p)), p);
        rec.documents_complete &= rf__label_list_has(o->documents_received, label);
        p = end != NULL ? end + 1 : NULL;
    }
    rec.reached_at[RF_REFERRAL_RECEIVED] = now;
    rec.updated_at = now;
    snprintf(data, sizeof data, "direction=%s;source=%s;flags=%d", rf_direction_name(direction),
             rf_referral_source_name((rf_referral_source)rec.source), flags);

    int brc = store->backend->referral_insert(store->backend, store->practice, &rec);
    if (brc == RF_EEXISTS) {
        /* Another writer attributed the referee between our check and now. */
        return rf__error(
            RF_ECONFLICT, RF_ERRCLASS_REFERRAL,
            "referee %s was attributed by another writer at the same time; the first attribution "
            "stands",
            rec.referee_id);
    }
    rf_status rc = (rf_status)brc;
    if (rc == RF_OK) {
        rc = rf__journal_append(store, RF_EVENT_REFERRAL_RECEIVED, id, rec.referrer_id, o->idempotency_key,
                                data);
    }
    if (rc == RF_OK) {
        rc = rf__loop_on_received(store, &rec);
    }
    if (rc == RF_OK) {
        rc = rf__idem_remember(store, o->idempotency_key, "referral.create", fp, id);
    }
    if (rc == RF_OK && (*out = rf__referral_from_record(&rec)) == NULL) {
        rc = RF_ENOMEM;
    }
    return rc;
}

/* Load and check the parties and programme the request names. */
static rf_status load_request(rf_store *store, const rf_referral_options *o, rf_direction direction,
                              request *q)
{
    rf_status rc = rf__program_load(store, o->program_id, &q->program);
    if (rc == RF_OK) {
        rc = direction == RF_DIRECTION_INBOUND
                 ? load_kind(store, o->referee_id, "referee", RF_PARTY_LEAD, RF_PARTY_CLIENT, &q->referee)
                 : load_kind(store, o->referee_id, "referee", RF_PARTY_CLIENT, RF_PARTY_CLIENT, &q->referee);
    }
    if (rc == RF_OK && o->target_id != NULL) {
        rc = load_kind(store, o->target_id, "target", RF_PARTY_PARTNER, RF_PARTY_PARTNER, &q->target);
    }
    if (rc == RF_OK && o->practitioner_id != NULL) {
        rc = load_kind(store, o->practitioner_id, "practitioner", RF_PARTY_STAFF, RF_PARTY_STAFF,
                       &q->practitioner);
    }
    return rc;
}

rf_status rf_referral_create(rf_referral **out, rf_store *store, const rf_referral_options *opts)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(opts, "opts")) != RF_OK ||
        (rc = rf__store_require(store, 2, "referrals")) != RF_OK) {
        return rc;
    }
    rf_direction direction = opts->direction != RF_DIRECTION_UNSET ? opts->direction : RF_DIRECTION_INBOUND;
    if ((rc = check_options(opts, direction)) != RF_OK) {
        return rc;
    }
    rf_fingerprint fp;
    fingerprint_request(&fp, opts, direction);
    if ((rc = rf__tx_begin(store)) != RF_OK) {
        return rc;
    }
    char replay_id[RF_ID_BUFSIZE];
    if ((rc = rf__idem_replay(store, opts->idempotency_key, "referral.create", &fp, replay_id)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    if (replay_id[0] != '\0') {
        rf__tx_close_unchanged(store);
        return rf__referral_load(store, replay_id, out);
    }

    request q;
    memset(&q, 0, sizeof q);
    evidence ev;
    memset(&ev, 0, sizeof ev);
    int flags = 0;
    char holder_id[RF_ID_BUFSIZE] = "", holder_referrer[RF_ID_BUFSIZE] = "";
    if ((rc = load_request(store, opts, direction, &q)) == RF_OK && direction == RF_DIRECTION_INBOUND) {
        if ((rc = choose_evidence(store, q.program, opts, &ev)) == RF_OK &&
            (rc = rf__attribution_holder(store, opts->referee_id, holder_id, holder_referrer)) == RF_OK &&
            holder_id[0] == '\0' && (rc = rf__party_load(store, ev.referrer_id, &q.referrer)) == RF_OK &&
            (rc = check_partner_source(&ev, q.referrer)) == RF_OK &&
            (rc = rf__fraud_guards(store, q.program, q.referrer, q.referee, &flags)) == RF_OK && flags != 0 &&
            q.program->s.fraud_action == RF_FRAUD_BLOCK) {
            char why[512];
            rf__fraud_describe(flags, q.program, why, sizeof why);
            rc = rf__error(RF_EPOLICY, RF_ERRCLASS_REFERRAL, "programme '%s' refuses this referral: %s",
                           q.program->r.name, why);
        }
    } else if (rc == RF_OK && opts->referrer_id != NULL) {
        rc = rf__party_load(store, opts->referrer_id, &q.referrer);
    }
    if (rc == RF_OK && holder_id[0] != '\0') {
        request_free(&q);
        rf_code_free(ev.code);
        return refuse_second_attribution(store, opts->referee_id, ev.referrer_id, holder_id, holder_referrer);
    }
    if (rc == RF_OK) {
        rc = insert_referral(store, opts, direction, &q, &ev, flags, &fp, out);
    }
    if (rc == RF_OK && ev.code != NULL) {
        rc = count_code_use(store, ev.code);
    }
    request_free(&q);
    rf_code_free(ev.code);
    if (rc != RF_OK) {
        rf_referral_free(*out);
        *out = NULL;
        return rf__tx_abort(store, rc);
    }
    if ((rc = rf__tx_commit(store)) != RF_OK) {
        rf_referral_free(*out);
        *out = NULL;
    }
    return rc;
}
