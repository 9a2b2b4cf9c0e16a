/* Rendering a task's message: the template that applies, filled with what the
 * task's recipient may see, escaped for the task's channel.
 *
 * Every value is worked out before rendering starts, with the privacy rules
 * applied while it is worked out (a value the recipient may not see is never
 * put in the table), so the lookup the renderer calls is a plain search. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/codes.h"
#include "core/outbox_internal.h"
#include "core/privacy.h"
#include "core/records.h"
#include "core/referrals.h"
#include "core/rewards.h"
#include "core/templates_internal.h"
#include "store/store_internal.h"
#include "util/currency.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/text.h"

/* A host's link base and practice name: generous, but bounded. */
#define LINK_BASE_MAX 1024
#define VALUE_MAX 32

/* Who the recipient is to the referral the task is about. */
typedef enum role {
    ROLE_INSIDE = 0, /* the practice's own people, or no referral */
    ROLE_REFERRER,
    ROLE_REFEREE
} role;

typedef struct values {
    const char *names[VALUE_MAX];
    char *texts[VALUE_MAX];
    size_t count;
    rf_status error;
} values;

static void put(values *v, const char *name, const char *text)
{
    if (text == NULL || text[0] == '\0' || v->error != RF_OK || v->count == VALUE_MAX) {
        return;
    }
    char *copy = rf__strdup(text);
    if (copy == NULL) {
        v->error = RF_ENOMEM;
        return;
    }
    v->names[v->count] = name;
    v->texts[v->count++] = copy;
}

static const char *lookup(void *ctx, const char *name)
{
    const values *v = ctx;
    for (size_t i = 0; i < v->count; i++) {
        if (strcmp(v->names[i], name) == 0) {
            return v->texts[i];
        }
    }
    return NULL;
}

static void values_free(values *v)
{
    for (size_t i = 0; i < v->count; i++) {
        free(v->texts[i]);
    }
    v->count = 0;
}

/* --- words -------------------------------------------------------------------------- */

/* "2026-03-12 10:00 UTC" */
static void format_time(char out[32], rf_time t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%d %H:%M UTC", &tm) == 0) {
        snprintf(out, 32, "@%lld", (long long)t);
    }
}

/* How a party is addressed: a person by the first word of their name; a
 * partner (a surgery, "Dr Amira Shah") by its whole name. */
static void first_name_of(const rf_party_record *p, char *out, size_t size)
{
    const char *name = p->display_name;
    size_t len = strlen(name);
    if (p->kind != RF_PARTY_PARTNER) {
        const char *space = strchr(name, ' ');
        len = space != NULL ? (size_t)(space - name) : len;
    }
    snprintf(out, size, "%.*s", (int)len, name);
}

/* A referral's state in words: the referrer's coarse view (as in
 * rf_referrer_view: booked, seen, complete) or the practice's full one. */
static const char *state_words(int state, int coarse)
{
    static const char *const full[] = {NULL,
                                       "received",
                                       "waiting for information",
                                       "accepted",
                                       "booked",
                                       "a missed appointment",
                                       "an appointment cancelled",
                                       "seen",
                                       "closed",
                                       "asked to be cancelled",
                                       "cancelled",
                                       "declined",
                                       "not proceeding",
                                       "on hold",
                                       "entered in error"};
    if (state <= 0 || state >= (int)(sizeof full / sizeof full[0])) {
        return NULL;
    }
    if (!coarse) {
        return full[state];
    }
    switch (state) {
    case RF_REFERRAL_SCHEDULED:
    case RF_REFERRAL_NO_SHOW:
    case RF_REFERRAL_APPT_CANCELLED: return "booked";
    case RF_REFERRAL_SEEN: return "seen";
    case RF_REFERRAL_CLOSED: return "complete";
    case RF_REFERRAL_CANCEL_REQUESTED:
    case RF_REFERRAL_CANCELLED:
    case RF_REFERRAL_DECLINED:
    case RF_REFERRAL_LOST: return "not going ahead";
    case RF_REFERRAL_ENTERED_IN_ERROR: return NULL;
    default: return "received";
    }
}

/* "EUR 15.00": the amount in minor units written with the currency's digits. */
static void format_money(char *out, size_t size, int64_t amount, const char *currency)
{
    int digits = rf__currency_minor_digits(currency);
    /* Digits are written from the right: no width arithmetic, no locale. */
    char num[40];
    size_t n = sizeof num - 1;
    uint64_t v = amount < 0 ? (uint64_t)0 - (uint64_t)amount : (uint64_t)amount;
    num[n] = '\0';
    for (int i = 0; v != 0 || i <= digits; i++) {
        if (i == digits && digits > 0) {
            num[--n] = '.';
        }
        num[--n] = (char)('0' + v % 10);
        v /= 10;
    }
    snprintf(out, size, "%s %s%s", currency != NULL ? currency : "", amount < 0 ? "-" : "", num + n);
}

/* What a grant gives, for {{reward.description}}. */
static void describe_grant(const rf_grant_record *g, char *out, size_t size)
{
    char money[64] = "", until[16] = "";
    if (g->currency != NULL) {
        format_money(money, sizeof money, g->amount, g->currency);
    }
    const char *item = g->item != NULL ? g->item : "";
    switch (g->kind) {
    case RF_REWARD_ACCOUNT_CREDIT: snprintf(out, size, "%s account credit", money); break;
    case RF_REWARD_FIXED_DISCOUNT: snprintf(out, size, "%s off", money); break;
    case RF_REWARD_PERCENT_DISCOUNT: snprintf(out, size, "%d%% off", g->percent); break;
    case RF_REWARD_SERVICE_UPGRADE:
        snprintf(out, size, "a service upgrade%s%s%s", item[0] ? " (" : "", item, item[0] ? ")" : "");
        break;
    case RF_REWARD_PRIORITY_BOOKING:
        if (g->expires_at != 0) {
            rf__format_date(until, g->expires_at);
        }
        snprintf(out, size, "priority booking%s%s", until[0] ? " until " : "", until);
        break;
    case RF_REWARD_CHARITY_DONATION: snprintf(out, size, "%s donated to %s", money, item); break;
    case RF_REWARD_GIFT: snprintf(out, size, "%s", item[0] ? item : "a gift"); break;
    case RF_REWARD_THANK_YOU_NOTE: snprintf(out, size, "a thank-you note"); break;
    default: out[0] = '\0';
    }
}

/* The value of @key in `key=value;...` @data, or "" (a value is never longer than @size). */
static void data_value(const char *data, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    out[0] = '\0';
    for (const char *p = data; p != NULL && *p != '\0';) {
        const char *end = strchr(p, ';');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
            snprintf(out, size, "%.*s", (int)(len - klen - 1), p + klen + 1);
            return;
        }
        p = end != NULL ? end + 1 : NULL;
    }
}

/* --- what the task is about ----------------------------------------------------------- */

typedef struct subject_matter {
    rf_task *task;
    rf_party *recipient, *referrer, *referee, *practitioner;
    rf_referral *referral;
    rf_code *code;
    role role;
} subject_matter;

static void matter_free(subject_matter *m)
{
    rf_task_free(m->task);
    rf_party_free(m->recipient);
    rf_party_free(m->referrer);
    rf_party_free(m->referee);
    rf_party_free(m->practitioner);
    rf_referral_free(m->referral);
    rf_code_free(m->code);
}

static rf_status load_party(rf_store *store, const char *id, rf_party **out)
{
    return id != NULL ? rf__party_load(store, id, out) : RF_OK;
}

/* The recipient's code to pass on: a usable one of the task's programme,
 * else a usable one of no programme; the newest of them. */
typedef struct code_pick {
    const char *program_id;
    rf_time now;
    char best[RF_ID_BUFSIZE];
    int best_rank;
} code_pick;

/* 2: usable and of the task's programme; 1: usable and of no programme; 0: neither. */
static int code_rank(const rf_code_record *c, const code_pick *p)
{
    int usable = c->revoked_at == 0 && (c->expires_at == 0 || c->expires_at > p->now) &&
                 (c->max_uses == 0 || c->uses < c->max_uses);
    if (!usable) {
        return 0;
    }
    if (c->program_id == NULL) {
        return 1;
    }
    return p->program_id != NULL && strcmp(c->program_id, p->program_id) == 0 ? 2 : 0;
}

static int pick_code(const rf_code_record *c, void *payload)
{
    code_pick *p = payload;
    int rank = code_rank(c, p);
    if (rank > 0 && rank >= p->best_rank) {
        /* Ids are time-ordered and scanned in order: a later one is newer. */
        snprintf(p->best, sizeof p->best, "%s", c->id);
        p->best_rank = rank;
    }
    return 0;
}

static rf_status load_code(rf_store *store, subject_matter *m)
{
    if (m->role == ROLE_REFEREE) {
        /* A referee is shown the code they came with. */
        return m->referral->r.code_id != NULL ? rf__code_load(store, m->referral->r.code_id, &m->code)
                                              : RF_OK;
    }
    if (m->recipient == NULL) {
        return RF_OK;
    }
    code_pick pick = {m->task->r.program_id, rf_store_now(store), "", 0};
    rf_code_query q = {NULL, m->recipient->r.id, 0};
    rf_status rc =
        (rf_status)store->backend->code_scan(store->backend, store->practice, &q, pick_code, &pick);
    if (rc == RF_OK && pick.best_rank > 0) {
        rc = rf__code_load(store, pick.best, &m->code);
    }
    return rc;
}

static rf_status load_matter(rf_store *store, const char *task_id, subject_matter *m)
{
    memset(m, 0, sizeof *m);
    rf_status rc = rf__task_load(store, task_id, &m->task);
    if (rc != RF_OK || (rc = load_party(store, m->task->r.party_id, &m->recipient)) != RF_OK) {
        return rc;
    }
    const char *practitioner_id = m->recipient != NULL ? m->recipient->r.practitioner_id : NULL;
    if (m->task->r.referral_id != NULL) {
        if ((rc = rf__referral_load(store, m->task->r.referral_id, &m->referral)) != RF_OK ||
            (rc = load_party(store, m->referral->r.referrer_id, &m->referrer)) != RF_OK ||
            (rc = load_party(store, m->referral->r.referee_id, &m->referee)) != RF_OK) {
            return rc;
        }
        const char *party = m->task->r.party_id;
        if (party != NULL && m->referral->r.referrer_id != NULL &&
            strcmp(party, m->referral->r.referrer_id) == 0) {
            m->role = ROLE_REFERRER;
        } else if (party != NULL && strcmp(party, m->referral->r.referee_id) == 0) {
            m->role = ROLE_REFEREE;
        }
        if (m->referral->r.practitioner_id != NULL) {
            practitioner_id = m->referral->r.practitioner_id;
        }
    }
    if ((rc = load_party(store, practitioner_id, &m->practitioner)) != RF_OK) {
        return rc;
    }
    return load_code(store, m);
}

/* --- the values ------------------------------------------------------------------------ */

static void put_person(values *v, const char *first_key, const char *name_key, const rf_party *p)
{
    char first[RF_NAME_MAX + 1];
    first_name_of(&p->r, first, sizeof first);
    put(v, first_key, first);
    put(v, name_key, p->r.display_name);
}

/* The state a message speaks of: a status notice's own (`state=SCHEDULED` in
 * its data: the referral may have moved on before the host renders it), else
 * the referral's state now. */
static int state_of(const subject_matter *m)
{
    char name[32];
    data_value(m->task->r.data, "state", name, sizeof name);
    for (int s = 1; name[0] != '\0' && s < RF_REFERRAL_STATE_COUNT; s++) {
        if (strcmp(rf_referral_state_name((rf_referral_state)s), name) == 0) {
            return s;
        }
    }
    return m->referral->r.state;
}

static void put_referral(values *v, const subject_matter *m)
{
    const rf_referral_record *r = &m->referral->r;
    /* The referee sees who referred them only if the referrer agreed to be named. */
    if (m->referrer != NULL && (m->role != ROLE_REFEREE || (m->referrer->r.consent & RF_CONSENT_NAMED))) {
        put_person(v, "referrer.first_name", "referrer.name", m->referrer);
    }
    int shares = (m->referee->r.consent & RF_CONSENT_SHARE_CONTACT) != 0;
    /* A partner (a GP) referred their own patient for care and is told who
     * was seen; a client referrer sees initials unless the referee opted in.
     * Contact details go to either only with the referee's opt-in. */
    int partner = m->role == ROLE_REFERRER && m->recipient->r.kind == RF_PARTY_PARTNER;
    if (m->role == ROLE_REFERRER && !shares && !partner) {
        char first[RF_NAME_MAX + 1], initials[RF_NAME_MAX + 1];
        first_name_of(&m->referee->r, first, sizeof first);
        rf__initials_of(first, initials, sizeof initials);
        put(v, "referee.first_name", initials);
        rf__referee_label(&m->referee->r, initials, sizeof initials);
        put(v, "referee.name", initials);
    } else {
        put_person(v, "referee.first_name", "referee.name", m->referee);
    }
    if (m->role != ROLE_REFERRER || shares) {
        put(v, "referee.email", m->referee->r.email);
        put(v, "referee.phone", m->referee->r.phone);
    }
    put(v, "referral.state", state_words(state_of(m), m->role == ROLE_REFERRER));
    /* When a friend's appointment is, is the friend's to share: a client
     * referrer learns it only with the referee's consent; a partner is told. */
    int client_referrer = m->role == ROLE_REFERRER && m->recipient->r.kind != RF_PARTY_PARTNER;
    if (r->appointment_at != 0 && (!client_referrer || shares)) {
        char when[32];
        format_time(when, r->appointment_at);
        put(v, "referral.appointment", when);
    }
}

static rf_status put_task_data(values *v, rf_store *store, const rf_task *task)
{
    char text[64], more[64];
    const char *data = task->r.data;
    data_value(data, "count", text, sizeof text);
    data_value(data, "next_tier", more, sizeof more);
    if (text[0] != '\0' && more[0] != '\0') {
        char to_next[24];
        snprintf(to_next, sizeof to_next, "%lld", strtoll(more, NULL, 10) - strtoll(text, NULL, 10));
        put(v, "tier.count", text);
        put(v, "tier.next", more);
        put(v, "tier.to_next", to_next);
    }
    data_value(data, "due", text, sizeof text);
    if (text[0] != '\0') {
        char when[32];
        format_time(when, (rf_time)strtoll(text, NULL, 10));
        put(v, "sla.due", when);
    }
    data_value(data, "grant", text, sizeof text);
    if (text[0] != '\0' && store->backend->version >= 3) {
        rf_grant_record g;
        memset(&g, 0, sizeof g);
        int rc = store->backend->grant_get(store->backend, store->practice, text, &g);
        if (rc != RF_OK && rc != RF_ENOTFOUND) {
            return (rf_status)rc;
        }
        if (rc == RF_OK) {
            char description[RF_DETAIL_MAX + 96];
            describe_grant(&g, description, sizeof description);
            put(v, "reward.description", description);
        }
    }
    return RF_OK;
}

static rf_status build_values(values *v, rf_store *store, const subject_matter *m, const rf_render_options *o)
{
    if (m->recipient != NULL) {
        put_person(v, "recipient.first_name", "recipient.name", m->recipient);
    }
    if (m->practitioner != NULL) {
        put(v, "practitioner.name", m->practitioner->r.display_name);
    }
    if (o != NULL) {
        put(v, "practice.name", o->practice_name);
    }
    if (m->code != NULL) {
        put(v, "code.text", m->code->r.text);
        if (o != NULL && o->link_base != NULL && o->link_base[0] != '\0') {
            char link[LINK_BASE_MAX + 64];
            snprintf(link, sizeof link, "%s%s", o->link_base, m->code->r.text);
            put(v, "code.link", link);
        }
    }
    if (m->referral != NULL) {
        put_referral(v, m);
    }
    rf_status rc = put_task_data(v, store, m->task);
    return rc != RF_OK ? rc : v->error;
}

/* --- rendering ------------------------------------------------------------------------- */

static rf_status render_all(char **subject_out, char **body_out, rf_store *store, const subject_matter *m,
                            const rf_render_options *o)
{
    const char *name = m->task->r.template_name;
    int index = rf__template_index(name);
    if (name == NULL || index < 0) {
        char q[RF_QUOTE_BUFSIZE];
        return rf__error(RF_EINVALID, RF_ERRCLASS_OUTBOX, "task '%s' (%s) has no message to render%s%s%s",
                         m->task->r.id, rf_task_kind_name((rf_task_kind)m->task->r.kind),
                         name != NULL ? ": '" : "", name != NULL ? rf__text_quote(q, name, strlen(name)) : "",
                         name != NULL ? "' is not a message name" : "");
    }
    rf_template *t = NULL;
    values v;
    memset(&v, 0, sizeof v);
    rf_status rc = rf__template_resolve(store, m->task->r.program_id, (size_t)index, &t);
    if (rc == RF_OK) {
        rc = build_values(&v, store, m, o);
    }
    char what[96];
    rf__template_rules rules;
    rf__template_mode mode = m->task->r.channel == RF_CHANNEL_EMAIL ? RF__TPL_HTML : RF__TPL_PLAIN;
    if (rc == RF_OK) {
        rf__template_rules_for(&rules, (size_t)index, 0, what);
        rc = rf__template_render(body_out, NULL, t->body, mode, lookup, &v, &rules);
    }
    if (rc == RF_OK && subject_out != NULL && t->subject != NULL) {
        /* A subject is a header line, not HTML: values go in as they are, on one line. */
        rf__template_rules_for(&rules, (size_t)index, 1, what);
        rc = rf__template_render(subject_out, NULL, t->subject, RF__TPL_PLAIN, lookup, &v, &rules);
    }
    values_free(&v);
    rf_template_free(t);
    return rc;
}

static rf_status check_render_options(const rf_render_options *o)
{
    rf_status rc = RF_OK;
    if (o != NULL &&
        ((rc = rf__check_version("rf_render_options", o->version, RF_RENDER_OPTIONS_VERSION,
                                 "RF_RENDER_OPTIONS_INIT")) != RF_OK ||
         (rc = rf__check_text("practice_name", o->practice_name, RF_NAME_MAX, 0, RF_ERRCLASS_OUTBOX)) !=
             RF_OK ||
         (rc = rf__check_text("link_base", o->link_base, LINK_BASE_MAX, 0, RF_ERRCLASS_OUTBOX)) != RF_OK)) {
        return rc;
    }
    return rc;
}

rf_status rf_task_render(char **subject_out, char **body_out, rf_store *store, const char *task_id,
                         const rf_render_options *opts)
{
    if (subject_out != NULL) {
        *subject_out = NULL;
    }
    rf_status rc = rf__check_arg(body_out, "body_out");
    if (rc != RF_OK) {
        return rc;
    }
    *body_out = NULL;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(task_id, "task_id")) != RF_OK ||
        (rc = rf__store_require(store, 4, "the outbox")) != RF_OK ||
        (rc = check_render_options(opts)) != RF_OK || (rc = rf__tx_begin(store)) != RF_OK) {
        return rc;
    }
    /* One read transaction: the task, its parties and its template from one snapshot. */
    subject_matter m;
    char *subject = NULL, *body = NULL;
    rc = load_matter(store, task_id, &m);
    if (rc == RF_OK) {
        rc = render_all(subject_out != NULL ? &subject : NULL, &body, store, &m, opts);
    }
    matter_free(&m);
    if (rc != RF_OK) {
        free(subject);
        free(body);
        return rf__tx_abort(store, rc);
    }
    rf__tx_close_unchanged(store);
    if (subject_out != NULL) {
        *subject_out = subject;
    }
    *body_out = body;
    return RF_OK;
}
