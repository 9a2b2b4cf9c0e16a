/* Closing the loop: the tasks a referral's arrival and moves, and a released
 * grant, put in the outbox. Runs in the caller's transaction. */
#include <stdio.h>
#include <string.h>

#include "core/outbox_internal.h"
#include "core/records.h"
#include "core/referrals.h"
#include "core/rewards.h"
#include "store/store_internal.h"
#include "util/error.h"

/* The referee intro sequence: three messages, on arrival and after 3 and 7 days. */
static const rf_time intro_offsets[] = {0, 3 * RF_DAY, 7 * RF_DAY};
#define INTRO_STEPS (sizeof intro_offsets / sizeof intro_offsets[0])

static int may_contact(const rf_party *p)
{
    return (p->r.consent & RF_CONSENT_CONTACT) != 0;
}

/* A task for @party about @referral, keyed "<prefix>:<referral id>". */
static rf_status put_for(rf_store *store, const rf_referral_record *referral, const rf_party *party,
                         rf_task_kind kind, const char *prefix, const char *template_name, rf_time due,
                         rf_time deadline, const char *data)
{
    char key[RF_TASK_KEY_MAX];
    snprintf(key, sizeof key, "%s:%s", prefix, referral->id);
    rf_task_spec spec = {key,
                         kind,
                         party->r.id,
                         referral->id,
                         referral->program_id,
                         template_name,
                         rf__reach_channel(&party->r),
                         data,
                         due,
                         deadline,
                         RF_TASK_STATE_UNSET};
    return rf__task_put(store, &spec, NULL);
}

rf_status rf__loop_on_received(rf_store *store, const rf_referral_record *referral)
{
    if (store->backend->version < 4 || referral->direction != RF_DIRECTION_INBOUND) {
        return RF_OK;
    }
    rf_time now = rf_store_now(store);
    rf_party *referrer = NULL, *referee = NULL;
    rf_status rc = RF_OK;
    if (referral->referrer_id != NULL &&
        (rc = rf__party_load(store, referral->referrer_id, &referrer)) == RF_OK &&
        (referrer->r.kind == RF_PARTY_PARTNER || may_contact(referrer))) {
        /* Partners are thanked as a professional courtesy; clients only with consent to contact. */
        rc = put_for(store, referral, referrer, RF_TASK_THANK_REFERRER, RF__TASK_KEY_THANK, "thank_referrer",
                     now, now + 48 * RF_HOUR, NULL);
    }
    if (rc == RF_OK && (rc = rf__party_load(store, referral->referee_id, &referee)) == RF_OK &&
        may_contact(referee)) {
        for (size_t i = 0; rc == RF_OK && i < INTRO_STEPS; i++) {
            char prefix[32], template_name[32], data[16];
            snprintf(prefix, sizeof prefix, "intro%zu", i + 1);
            snprintf(template_name, sizeof template_name, "referee_intro.%zu", i + 1);
            snprintf(data, sizeof data, "step=%zu", i + 1);
            rc = put_for(store, referral, referee, RF_TASK_REFEREE_INTRO, prefix, template_name,
                         now + intro_offsets[i], 0, data);
        }
    }
    rf_party_free(referrer);
    rf_party_free(referee);
    return rc;
}

static rf_status cancel_intro(rf_store *store, const rf_referral_record *referral, const char *reason)
{
    rf_status rc = RF_OK;
    for (size_t i = 0; rc == RF_OK && i < INTRO_STEPS; i++) {
        char key[RF_TASK_KEY_MAX];
        snprintf(key, sizeof key, "intro%zu:%s", i + 1, referral->id);
        rc = rf__task_cancel_key(store, key, reason);
    }
    return rc;
}

/* Keep the referrer informed: partners get the three clinical updates, clients
 * who may be contacted a status notice when the referee books and becomes a client. */
static rf_status inform_referrer(rf_store *store, const rf_referral_record *referral)
{
    static const struct {
        int state;
        rf_task_kind partner_kind;
        const char *partner_prefix, *partner_template, *client_prefix;
    } updates[] = {
        {RF_REFERRAL_SCHEDULED, RF_TASK_PARTNER_SCHEDULED, "partner_scheduled", "partner.scheduled",
         "status_scheduled"},
        {RF_REFERRAL_SEEN, RF_TASK_PARTNER_VISIT_SUMMARY, RF__TASK_KEY_PARTNER_VISIT, "partner.visit_summary",
         NULL},
        {RF_REFERRAL_CLOSED, RF_TASK_PARTNER_CLOSURE, RF__TASK_KEY_PARTNER_CLOSURE, "partner.closure",
         "status_closed"},
    };
    if (referral->referrer_id == NULL) {
        return RF_OK;
    }
    for (size_t i = 0; i < sizeof updates / sizeof updates[0]; i++) {
        if (updates[i].state != referral->state) {
            continue;
        }
        rf_party *referrer = NULL;
        rf_status rc = rf__party_load(store, referral->referrer_id, &referrer);
        rf_time now = rf_store_now(store);
        if (rc == RF_OK && referrer->r.kind == RF_PARTY_PARTNER) {
            rc = put_for(store, referral, referrer, updates[i].partner_kind, updates[i].partner_prefix,
                         updates[i].partner_template, now, now + 48 * RF_HOUR, NULL);
        } else if (rc == RF_OK && updates[i].client_prefix != NULL && may_contact(referrer)) {
            char data[32];
            snprintf(data, sizeof data, "state=%s",
                     rf_referral_state_name((rf_referral_state)referral->state));
            rc = put_for(store, referral, referrer, RF_TASK_STATUS_NOTICE, updates[i].client_prefix,
                         "status_notice", now, 0, data);
        }
        rf_party_free(referrer);
        return rc;
    }
    return RF_OK;
}

/* One qualifying referral before the next tier: nudge the referrer (once per tier). */
static rf_status nudge(rf_store *store, const rf_referral_record *referral)
{
    rf_rule_list ladder;
    rf_status rc = rf__rules_active(store, referral->program_id, RF_RECIPIENT_REFERRER, 0, &ladder);
    if (rc != RF_OK || ladder.count == 0 || ladder.items[0]->r.trigger != referral->state) {
        rf__rule_list_free(&ladder);
        return rc;
    }
    int count = 0, next = 0;
    if ((rc = rf__tier_count(store, referral->program_id, referral->referrer_id, referral->state, &count)) ==
        RF_OK) {
        for (size_t i = 0; i < ladder.count; i++) {
            int tier = ladder.items[i]->r.tier;
            next = tier > count && (next == 0 || tier < next) ? tier : next;
        }
    }
    rf__rule_list_free(&ladder);
    rf_party *referrer = NULL;
    if (rc != RF_OK || next != count + 1 ||
        (rc = rf__party_load(store, referral->referrer_id, &referrer)) != RF_OK || !may_contact(referrer)) {
        rf_party_free(referrer);
        return rc;
    }
    char key[RF_TASK_KEY_MAX], data[48];
    snprintf(key, sizeof key, "nudge:%s:%s:%d", referral->program_id, referral->referrer_id, next);
    snprintf(data, sizeof data, "count=%d;next_tier=%d", count, next);
    rf_task_spec spec = {key,
                         RF_TASK_TIER_NUDGE,
                         referrer->r.id,
                         referral->id,
                         referral->program_id,
                         "tier_nudge",
                         rf__reach_channel(&referrer->r),
                         data,
                         0,
                         0,
                         RF_TASK_STATE_UNSET};
    rc = rf__task_put(store, &spec, NULL);
    rf_party_free(referrer);
    return rc;
}

rf_status rf__loop_on_move(rf_store *store, const rf_referral_record *referral, int first)
{
    if (store->backend->version < 4 || referral->direction != RF_DIRECTION_INBOUND) {
        return RF_OK;
    }
    rf_status rc = RF_OK;
    if (referral->state == RF_REFERRAL_SCHEDULED) {
        rc = cancel_intro(store, referral, "booked");
    } else if (rf__referral_state_failed(referral->state)) {
        rc = cancel_intro(store, referral, "referral_ended");
    }
    if (rc == RF_OK && first) {
        rc = inform_referrer(store, referral);
    }
    if (rc == RF_OK && first && referral->referrer_id != NULL && store->backend->version >= 3) {
        rc = nudge(store, referral);
    }
    return rc;
}

rf_status rf__loop_on_grant(rf_store *store, const rf_grant_record *grant)
{
    /* Held: tell the recipient it is on its way; released: that it is there to use. */
    int held = grant->status == RF_GRANT_PENDING;
    if (store->backend->version < 4) {
        return RF_OK;
    }
    rf_party *recipient = NULL;
    rf_status rc = rf__party_load(store, grant->recipient_id, &recipient);
    if (rc == RF_OK && (recipient->r.kind == RF_PARTY_STAFF || may_contact(recipient))) {
        char key[RF_TASK_KEY_MAX], data[64];
        snprintf(key, sizeof key, "%s:%s", held ? "reward_held" : "reward", grant->id);
        snprintf(data, sizeof data, "grant=%s;status=%s", grant->id, held ? "PENDING" : "RELEASED");
        rf_task_spec spec = {key,
                             RF_TASK_REWARD_NOTICE,
                             recipient->r.id,
                             grant->referral_id,
                             grant->program_id,
                             held ? "reward_notice.held" : "reward_notice",
                             rf__reach_channel(&recipient->r),
                             data,
                             0,
                             0,
                             RF_TASK_STATE_UNSET};
        rc = rf__task_put(store, &spec, NULL);
    }
    rf_party_free(recipient);
    return rc;
}
