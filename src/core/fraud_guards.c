/* Fraud guards: self-referral, shared contacts, existing clients, loops in the
 * referrer graph, velocity, and the one attribution a referee may have. None
 * looks at network addresses: families and offices share networks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fraud_guards.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"

/* --- the referee's attribution ------------------------------------------------------ */

typedef struct holder {
    char id[RF_ID_BUFSIZE];
    char referrer_id[RF_ID_BUFSIZE];
} holder;

static int find_holder(const rf_referral_record *rec, void *payload)
{
    holder *h = payload;
    if (rec->attribution_key == NULL) {
        return 0;
    }
    snprintf(h->id, sizeof h->id, "%s", rec->id);
    snprintf(h->referrer_id, sizeof h->referrer_id, "%s", rec->referrer_id != NULL ? rec->referrer_id : "");
    return 1;
}

rf_status rf__attribution_holder(rf_store *store, const char *referee_id, char referral_id[RF_ID_BUFSIZE],
                                 char referrer_id[RF_ID_BUFSIZE])
{
    holder h = {"", ""};
    rf_referral_query q = {.referee_id = referee_id,
                           .direction = RF_DIRECTION_INBOUND,
                           .received_from = RF_TIME_UNSET,
                           .received_to = RF_TIME_UNSET};
    int rc = store->backend->referral_scan(store->backend, store->practice, &q, find_holder, &h);
    memcpy(referral_id, h.id, sizeof h.id);
    memcpy(referrer_id, h.referrer_id, sizeof h.referrer_id);
    return (rf_status)rc;
}

/* --- loops -------------------------------------------------------------------------- */

/* A breadth-first walk of the referrer graph (edges referrer → referee of
 * inbound referrals that count) from the referee: reaching the referrer means
 * the new edge would close a loop of some length. */
typedef struct walk {
    char (*ids)[RF_ID_BUFSIZE];
    size_t count, cap;
    int oom;
} walk;

static int walk_has(const walk *w, const char *id)
{
    for (size_t i = 0; i < w->count; i++) {
        if (strcmp(w->ids[i], id) == 0) {
            return 1;
        }
    }
    return 0;
}

static int walk_edge(const rf_referral_record *rec, void *payload)
{
    walk *w = payload;
    if (rec->state == RF_REFERRAL_ENTERED_IN_ERROR || rec->referee_id == NULL ||
        walk_has(w, rec->referee_id)) {
        return 0;
    }
    if (rf__reserve(&w->ids, &w->cap, w->count, sizeof *w->ids) != RF_OK) {
        w->oom = 1;
        return 1;
    }
    snprintf(w->ids[w->count++], RF_ID_BUFSIZE, "%s", rec->referee_id);
    return 0;
}

static rf_status closes_loop(rf_store *store, const char *referrer_id, const char *referee_id, int *loop)
{
    walk w = {NULL, 0, 0, 0};
    *loop = 0;
    rf_status rc = RF_OK;
    if (walk_edge(&(rf_referral_record){.referee_id = referee_id, .state = RF_REFERRAL_RECEIVED}, &w) != 0) {
        return rf__error_oom();
    }
    for (size_t next = 0; next < w.count && !*loop; next++) {
        if (strcmp(w.ids[next], referrer_id) == 0) {
            *loop = 1;
            break;
        }
        char from[RF_ID_BUFSIZE];
        memcpy(from, w.ids[next], sizeof from);
        rf_referral_query q = {.referrer_id = from,
                               .direction = RF_DIRECTION_INBOUND,
                               .received_from = RF_TIME_UNSET,
                               .received_to = RF_TIME_UNSET};
        rc = (rf_status)store->backend->referral_scan(store->backend, store->practice, &q, walk_edge, &w);
        if (rc == RF_OK && w.oom) {
            rc = rf__error_oom();
        }
        if (rc != RF_OK) {
            break;
        }
    }
    free(w.ids);
    return rc;
}

/* --- velocity -------------------------------------------------------------------------- */

static int count_live(const rf_referral_record *rec, void *payload)
{
    *(int *)payload += rec->state != RF_REFERRAL_ENTERED_IN_ERROR;
    return 0;
}

static rf_status over_velocity(rf_store *store, const rf_program *program, const char *referrer_id, int *over)
{
    *over = 0;
    if (program->s.velocity_cap <= 0) {
        return RF_OK;
    }
    int count = 0;
    rf_referral_query q = {.program_id = program->r.id,
                           .referrer_id = referrer_id,
                           .direction = RF_DIRECTION_INBOUND,
                           .received_from =
                               rf_store_now(store) - (rf_time)program->s.velocity_window_days * 86400,
                           .received_to = RF_TIME_UNSET};
    rf_status rc =
        (rf_status)store->backend->referral_scan(store->backend, store->practice, &q, count_live, &count);
    *over = count >= program->s.velocity_cap;
    return rc;
}

/* --- all guards ------------------------------------------------------------------------ */

static int same_key(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

rf_status rf__fraud_guards(rf_store *store, const rf_program *program, const rf_party *referrer,
                           const rf_party *referee, int *flags)
{
    *flags = RF_FRAUD_NONE;
    const rf_party_record *a = &referrer->r, *b = &referee->r;
    if (strcmp(a->id, b->id) == 0) {
        *flags |= RF_FRAUD_SELF_REFERRAL;
    } else if (same_key(a->email_key, b->email_key) || same_key(a->phone_key, b->phone_key)) {
        *flags |= RF_FRAUD_SHARED_CONTACT;
    }
    if (program->s.exclude_existing_clients && b->kind == RF_PARTY_CLIENT) {
        *flags |= RF_FRAUD_EXISTING_CLIENT;
    }
    int hit = 0;
    rf_status rc = RF_OK;
    if (!(*flags & RF_FRAUD_SELF_REFERRAL)) {
        rc = closes_loop(store, a->id, b->id, &hit);
        *flags |= hit ? RF_FRAUD_LOOP : 0;
    }
    if (rc == RF_OK && (rc = over_velocity(store, program, a->id, &hit)) == RF_OK) {
        *flags |= hit ? RF_FRAUD_VELOCITY : 0;
    }
    return rc;
}

void rf__fraud_describe(int flags, const rf_program *program, char *out, size_t size)
{
    static const struct {
        int flag;
        const char *text;
    } names[] = {
        {RF_FRAUD_SELF_REFERRAL, "the referrer is the referee"},
        {RF_FRAUD_SHARED_CONTACT, "referrer and referee share an e-mail address or phone number"},
        {RF_FRAUD_EXISTING_CLIENT,
         "the referee is already a client and this programme excludes existing clients"},
        {RF_FRAUD_LOOP, "the referee already leads back to the referrer through earlier referrals (a loop)"},
        {RF_FRAUD_VELOCITY, "the referrer reached the programme's velocity cap"},
    };
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (flags & names[i].flag) {
            len += (size_t)snprintf(out + len, size - len, "%s%s", len > 0 ? "; " : "", names[i].text);
            if (names[i].flag == RF_FRAUD_VELOCITY && len < size) {
                len += (size_t)snprintf(out + len, size - len, " (%d in %d days)", program->s.velocity_cap,
                                        program->s.velocity_window_days);
            }
            if (len >= size) {
                break;
            }
        }
    }
}
