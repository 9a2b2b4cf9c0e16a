/* Asking at the right moment: a programme's ask policy turns a client's good
 * moments into ASK tasks, or records why it held back. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "referral/events.h"
#include "core/outbox_internal.h"
#include "core/records.h"
#include "core/referrals.h"
#include "store/store_internal.h"
#include "util/error.h"

/* What the policy knows about a client's recent history, from events and tasks. */
typedef struct history {
    int complaints_open; /* opened minus resolved, over all references */
    int sensitive;       /* the latest SENSITIVE_PHASE flag */
    rf_time last_sensitive_at;
    rf_time last_ask_at; /* newest ASK made (not suppressed, not cancelled) */
    int asks_in_year;    /* ASKs made in the 365 days before now */
    rf_time now;
} history;

static int read_event(const rf_client_event_record *e, void *payload)
{
    history *h = payload;
    if (e->type == RF_CLIENT_EVENT_COMPLAINT_OPENED) {
        h->complaints_open++;
    } else if (e->type == RF_CLIENT_EVENT_COMPLAINT_RESOLVED) {
        h->complaints_open--;
    } else if (e->type == RF_CLIENT_EVENT_SENSITIVE_PHASE && e->at >= h->last_sensitive_at) {
        h->sensitive = e->value;
        h->last_sensitive_at = e->at;
    }
    return 0;
}

static int read_ask(const rf_task_record *t, void *payload)
{
    history *h = payload;
    if (t->state == RF_TASK_SUPPRESSED || t->state == RF_TASK_CANCELLED) {
        return 0;
    }
    h->last_ask_at = t->created_at > h->last_ask_at ? t->created_at : h->last_ask_at;
    h->asks_in_year += t->created_at > h->now - 365 * RF_DAY;
    return 0;
}

static rf_status read_history(rf_store *store, const char *party_id, rf_time now, history *h)
{
    memset(h, 0, sizeof *h);
    h->now = now;
    rf_client_event_query eq = {NULL, party_id, 0, RF_TIME_UNSET, RF_TIME_UNSET, 0};
    rf_task_query tq = {NULL, party_id, NULL, RF_TASK_ASK, 0, RF_TIME_UNSET, RF_TIME_UNSET, 0};
    int rc = store->backend->client_event_scan(store->backend, store->practice, &eq, read_event, h);
    if (rc == RF_OK) {
        rc = store->backend->task_scan(store->backend, store->practice, &tq, read_ask, h);
    }
    return (rf_status)rc;
}

/* Why the policy holds back, or NULL to ask. Checked in this order so the
 * reason recorded is the most fundamental one. */
static const char *suppression(const rf_party *client, const rf_program_settings *s, const history *h)
{
    if (client->r.kind != RF_PARTY_CLIENT) {
        return "not_client";
    }
    if ((client->r.consent & RF_CONSENT_CONTACT) == 0) {
        return "no_consent";
    }
    if (h->complaints_open > 0) {
        return "open_complaint";
    }
    if (h->sensitive) {
        return "sensitive_phase";
    }
    if (h->last_ask_at != 0 && h->now - h->last_ask_at < (rf_time)s->ask_cooldown_days * RF_DAY) {
        return "cooldown";
    }
    if (h->asks_in_year >= s->ask_yearly_cap) {
        return "yearly_cap";
    }
    return NULL;
}

static const char *channel_script(rf_channel c)
{
    return c == RF_CHANNEL_SMS ? "sms" : c == RF_CHANNEL_EMAIL ? "email" : "in_person";
}

/* Ask @client in @program because of @trigger (keyed by @source), or record why not. */
static rf_status ask(rf_store *store, const rf_program *program, const rf_party *client, const char *trigger,
                     const char *source, rf_time now)
{
    char key[RF_TASK_KEY_MAX];
    snprintf(key, sizeof key, "ask:%s:%s:%s", program->r.id, trigger, source);
    rf_task_record existing;
    memset(&existing, 0, sizeof existing);
    int brc = store->backend->task_get_by_key(store->backend, store->practice, key, &existing);
    if (brc != RF_ENOTFOUND) {
        return (rf_status)brc; /* decided before */
    }
    history h;
    rf_status rc = read_history(store, client->r.id, now, &h);
    if (rc != RF_OK) {
        return rc;
    }
    const char *why = suppression(client, &program->s, &h);
    int is_new = client->r.first_visit_at == 0 ||
                 now - client->r.first_visit_at < (rf_time)program->s.new_client_days * RF_DAY;
    rf_channel channel = rf__reach_channel(&client->r);
    char template_name[48], data[128];
    snprintf(template_name, sizeof template_name, "ask.%s.%s", channel_script(channel),
             is_new ? "new" : "long");
    int n = snprintf(data, sizeof data, "trigger=%s;segment=%s", trigger, is_new ? "new" : "long");
    if (why != NULL) {
        snprintf(data + n, sizeof data - (size_t)n, ";reason=%s", why);
    }
    rf_task_spec spec = {key,
                         RF_TASK_ASK,
                         client->r.id,
                         NULL,
                         program->r.id,
                         template_name,
                         channel,
                         data,
                         now,
                         0,
                         why != NULL ? RF_TASK_SUPPRESSED : RF_TASK_STATE_UNSET};
    return rf__task_put(store, &spec, NULL);
}

/* --- programmes that ask -------------------------------------------------------- */

typedef struct asking {
    rf_program *items[32];
    size_t count;
    char last[RF_ID_BUFSIZE];
    rf_status error;
} asking;

static int collect_asking(const rf_program_record *rec, void *payload)
{
    asking *a = payload;
    snprintf(a->last, sizeof a->last, "%s", rec->id);
    rf_program *p = rf__program_from_record(rec);
    if (p == NULL) {
        a->error = RF_ENOMEM;
        return 1;
    }
    if (!p->s.ask_enabled) {
        rf_program_free(p);
        return 0;
    }
    a->items[a->count++] = p;
    return a->count == sizeof a->items / sizeof a->items[0];
}

static void asking_free(asking *a)
{
    for (size_t i = 0; i < a->count; i++) {
        rf_program_free(a->items[i]);
    }
    a->count = 0;
}

/* Visit every asking programme, 32 at a time. */
typedef rf_status (*program_fn)(rf_store *store, const rf_program *program, void *ctx);

static rf_status each_asking(rf_store *store, program_fn fn, void *ctx)
{
    asking a;
    memset(&a, 0, sizeof a);
    for (;;) {
        char before[RF_ID_BUFSIZE];
        snprintf(before, sizeof before, "%s", a.last);
        rf_status rc = (rf_status)store->backend->program_scan(
            store->backend, store->practice, a.last[0] != '\0' ? a.last : NULL, 0, collect_asking, &a);
        rc = rc == RF_OK ? a.error : rc;
        for (size_t i = 0; rc == RF_OK && i < a.count; i++) {
            rc = fn(store, a.items[i], ctx);
        }
        int full = a.count == sizeof a.items / sizeof a.items[0];
        asking_free(&a);
        if (rc != RF_OK || !full || strcmp(before, a.last) == 0) {
            return rc;
        }
    }
}

/* --- triggers from events ---------------------------------------------------------- */

typedef struct event_ctx {
    const rf_client_event_record *event;
    const rf_party *client;
} event_ctx;

static const char *event_trigger(const rf_program_settings *s, const rf_client_event_record *e)
{
    switch (e->type) {
    case RF_CLIENT_EVENT_NPS: return e->value >= s->ask_nps_threshold ? "nps" : NULL;
    case RF_CLIENT_EVENT_MILESTONE: return s->ask_on_milestone ? "milestone" : NULL;
    case RF_CLIENT_EVENT_DISCHARGE:
        return s->ask_on_discharge && e->value == RF_DISCHARGE_GOOD ? "discharge" : NULL;
    case RF_CLIENT_EVENT_PRAISE: return s->ask_on_praise ? "praise" : NULL;
    case RF_CLIENT_EVENT_PAYMENT_CLEARED: return s->ask_on_payment ? "payment" : NULL;
    default: return NULL;
    }
}

static rf_status ask_for_event(rf_store *store, const rf_program *program, void *ctx_ptr)
{
    event_ctx *ctx = ctx_ptr;
    const char *trigger = event_trigger(&program->s, ctx->event);
    return trigger != NULL ? ask(store, program, ctx->client, trigger, ctx->event->id, rf_store_now(store))
                           : RF_OK;
}

rf_status rf__asks_on_event(rf_store *store, const rf_client_event_record *event)
{
    rf_party *client = NULL;
    rf_status rc = rf__party_load(store, event->party_id, &client);
    if (rc == RF_OK) {
        event_ctx ctx = {event, client};
        rc = each_asking(store, ask_for_event, &ctx);
    }
    rf_party_free(client);
    return rc;
}

/* --- triggers by date ------------------------------------------------------------------- */

/* A date trigger is acted on within this window after it falls due, so turning
 * the policy on does not ask every old client at once. */
#define DATE_WINDOW (30 * RF_DAY)

/* Days since 1970-01-01 of a civil date (proleptic Gregorian; H. Hinnant's
 * algorithm), so no platform's timegm is needed. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The @years-th anniversary of @t (calendar years, UTC; a 29 February first
 * visit is remembered on the 28th). */
static rf_time anniversary(rf_time t, int years)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL) {
        return 0;
    }
    int day = tm.tm_mon == 1 && tm.tm_mday == 29 ? 28 : tm.tm_mday;
    int64_t days = days_from_civil((int64_t)tm.tm_year + 1900 + years, tm.tm_mon + 1, day);
    return (rf_time)days * RF_DAY + tm.tm_hour * RF_HOUR + tm.tm_min * 60 + tm.tm_sec;
}

/* The first anniversary of @first whose window has not passed by @now (the
 * one a sweep at @now may ask for), and its number in @years. */
static rf_time anniversary_due(rf_time first, rf_time now, int *years)
{
    int y = 1;
    while (anniversary(first, y) + DATE_WINDOW <= now) {
        y++;
    }
    *years = y;
    return anniversary(first, y);
}

/* The date rules of every asking programme, read once per sweep, so the
 * scan over the clients can pass over those no rule is due for without
 * building them (most clients, on most days). */
#define DATE_RULES_MAX 16

typedef struct date_rules {
    int days[DATE_RULES_MAX]; /* distinct ask_after_first_visit_days > 0 */
    size_t count;
    int overflow;    /* more distinct values than fit: every client with a first visit is a candidate */
    int anniversary; /* some programme asks on anniversaries */
} date_rules;

static rf_status note_date_rules(rf_store *store, const rf_program *program, void *ctx_ptr)
{
    (void)store;
    date_rules *r = ctx_ptr;
    int days = program->s.ask_after_first_visit_days;
    r->anniversary |= program->s.ask_on_anniversary != 0;
    if (days > 0) {
        size_t i = 0;
        while (i < r->count && r->days[i] != days) {
            i++;
        }
        if (i == r->count && r->count == DATE_RULES_MAX) {
            r->overflow = 1;
        } else if (i == r->count) {
            r->days[r->count++] = days;
        }
    }
    return RF_OK;
}

/* Whether some date rule can be due for a client first seen at @first. */
static int date_due(const date_rules *r, rf_time first, rf_time now)
{
    if (first == 0) {
        return 0;
    }
    if (r->overflow) {
        return 1;
    }
    for (size_t i = 0; i < r->count; i++) {
        rf_time after = first + (rf_time)r->days[i] * RF_DAY;
        if (now >= after && now < after + DATE_WINDOW) {
            return 1;
        }
    }
    int years = 0;
    return r->anniversary && now >= anniversary_due(first, now, &years);
}

typedef struct sweep_ctx {
    rf_time now;
    date_rules rules;
    rf_party *clients[64];
    size_t count;
    char last[RF_ID_BUFSIZE];
    rf_status error;
} sweep_ctx;

static int collect_client(const rf_party_record *rec, void *payload)
{
    sweep_ctx *s = payload;
    snprintf(s->last, sizeof s->last, "%s", rec->id);
    if (!date_due(&s->rules, rec->first_visit_at, s->now)) {
        return 0;
    }
    if ((s->clients[s->count] = rf__party_from_record(rec)) == NULL) {
        s->error = RF_ENOMEM;
        return 1;
    }
    return ++s->count == sizeof s->clients / sizeof s->clients[0];
}

static rf_status ask_by_date(rf_store *store, const rf_program *program, void *ctx_ptr)
{
    sweep_ctx *s = ctx_ptr;
    rf_status rc = RF_OK;
    for (size_t i = 0; rc == RF_OK && i < s->count; i++) {
        const rf_party *c = s->clients[i];
        rf_time first = c->r.first_visit_at;
        rf_time after = first + (rf_time)program->s.ask_after_first_visit_days * RF_DAY;
        if (program->s.ask_after_first_visit_days > 0 && s->now >= after && s->now < after + DATE_WINDOW) {
            /* Date triggers have no event to key on: the client makes them one per client. */
            char source[RF_ID_BUFSIZE + 8];
            snprintf(source, sizeof source, "%s:once", c->r.id);
            rc = ask(store, program, c, "days_after_first_visit", source, s->now);
        }
        int years = 0;
        rf_time due = anniversary_due(first, s->now, &years);
        if (rc == RF_OK && program->s.ask_on_anniversary && s->now >= due) {
            char source[RF_ID_BUFSIZE + 16];
            snprintf(source, sizeof source, "%s:year%d", c->r.id, years);
            rc = ask(store, program, c, "anniversary", source, s->now);
        }
    }
    return rc;
}

rf_status rf__asks_sweep(rf_store *store, rf_time now)
{
    sweep_ctx s;
    memset(&s, 0, sizeof s);
    s.now = now;
    rf_status rc = each_asking(store, note_date_rules, &s.rules);
    if (rc != RF_OK || (s.rules.count == 0 && !s.rules.anniversary)) {
        return rc; /* no programme asks by date: no client to look at */
    }
    for (;;) {
        char before[RF_ID_BUFSIZE];
        snprintf(before, sizeof before, "%s", s.last);
        /* One scan runs until a batch of due clients is full (the callback stops it), so the
         * clients no rule is due for cost a row read each and nothing more. */
        rf_party_query q = {s.last[0] != '\0' ? s.last : NULL, RF_PARTY_CLIENT, NULL, 0};
        rc = (rf_status)store->backend->party_scan(store->backend, store->practice, &q, collect_client, &s);
        rc = rc == RF_OK ? s.error : rc;
        if (rc == RF_OK && s.count > 0 && (rc = rf__tx_begin(store)) == RF_OK) {
            rc = each_asking(store, ask_by_date, &s);
            rc = rc == RF_OK ? rf__tx_commit(store) : rf__tx_abort(store, rc);
        }
        int full = s.count == sizeof s.clients / sizeof s.clients[0];
        for (size_t i = 0; i < s.count; i++) {
            rf_party_free(s.clients[i]);
        }
        s.count = 0;
        if (rc != RF_OK || !full || strcmp(before, s.last) == 0) {
            return rc;
        }
    }
}
