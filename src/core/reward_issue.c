/* Granting and taking back: what the lifecycle calls when a referral moves.
 * Runs inside the move's transaction, so a move and its grants land together. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "referral/journal.h"
#include "core/outbox_internal.h"
#include "core/records.h"
#include "core/referrals.h"
#include "core/rewards.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"

int rf__referral_state_failed(int state)
{
    return state == RF_REFERRAL_DECLINED || state == RF_REFERRAL_CANCELLED || state == RF_REFERRAL_LOST ||
           state == RF_REFERRAL_ENTERED_IN_ERROR;
}

/* --- the tier count ------------------------------------------------------------- */

typedef struct tier_tally {
    int trigger, count;
} tier_tally;

static int tally_qualifying(const rf_referral_record *r, void *payload)
{
    tier_tally *t = payload;
    t->count += r->direction == RF_DIRECTION_INBOUND && r->reached_at[t->trigger] != RF_TIME_NONE &&
                !rf__referral_state_failed(r->state);
    return 0;
}

rf_status rf__tier_count(rf_store *store, const char *program_id, const char *referrer_id, int trigger,
                         int *count)
{
    tier_tally t = {trigger, 0};
    rf_referral_query q = {
        NULL, program_id, referrer_id, NULL, NULL, RF_DIRECTION_INBOUND, RF_TIME_UNSET, RF_TIME_UNSET, 0};
    int rc = store->backend->referral_scan(store->backend, store->practice, &q, tally_qualifying, &t);
    *count = t.count;
    return (rf_status)rc;
}

/* --- one grant ------------------------------------------------------------------ */

typedef struct grant_context {
    rf_store *store;
    const rf_program *program;
    const rf_referral_record *referral;
    rf_time now;
} grant_context;

typedef struct cap_tally {
    int count;
} cap_tally;

static int tally_cap(const rf_grant_record *g, void *payload)
{
    ((cap_tally *)payload)->count += g->status != RF_GRANT_REVERSED;
    return 0;
}

static rf_status payer_of(rf_store *store, const char *party_id, int *payer)
{
    rf_party *party = NULL;
    rf_status rc = rf__party_load(store, party_id, &party);
    *payer = rc == RF_OK ? party->r.payer : RF_PAYER_UNSET;
    rf_party_free(party);
    return rc;
}

/* Compliance mode: who (if anyone) makes this grant a thank-you note. */
static rf_status covered_party(const grant_context *c, const rf_reward_rule_record *rule,
                               const char *recipient_id, const char **covered)
{
    *covered = NULL;
    if (!c->program->s.compliance_mode || rule->kind == RF_REWARD_THANK_YOU_NOTE) {
        return RF_OK;
    }
    int payer = 0;
    rf_status rc = payer_of(c->store, recipient_id, &payer);
    if (rc == RF_OK && payer == RF_PAYER_FEDERAL) {
        *covered = "recipient";
    } else if (rc == RF_OK && (rc = payer_of(c->store, c->referral->referee_id, &payer)) == RF_OK &&
               payer == RF_PAYER_FEDERAL) {
        *covered = "referee";
    }
    return rc;
}

static int64_t units_of(const rf_grant_record *g)
{
    switch (g->kind) {
    case RF_REWARD_ACCOUNT_CREDIT:
    case RF_REWARD_FIXED_DISCOUNT:
    case RF_REWARD_CHARITY_DONATION: return g->amount;
    case RF_REWARD_THANK_YOU_NOTE: return 0;
    default: return 1;
    }
}

/* The grant's terms: the rule's, or a thank-you note when compliance mode covers it. */
static void fill_terms(rf_grant_record *g, const rf_reward_rule_record *rule, const char *covered)
{
    g->rule_kind = rule->kind;
    g->compliance = covered != NULL;
    if (covered == NULL) {
        g->kind = rule->kind;
        g->amount = rule->amount;
        g->currency = rule->currency;
        g->percent = rule->percent;
        g->item = rule->item;
    } else {
        g->kind = RF_REWARD_THANK_YOU_NOTE;
    }
    g->units = units_of(g);
}

static rf_status journal_decision(grant_context *c, const char *type, const rf_reward_rule_record *rule,
                                  const char *subject, const char *why)
{
    char data[160];
    snprintf(data, sizeof data, "rule=%s;referral=%s%s%s", rule->id, c->referral->id, why != NULL ? ";" : "",
             why != NULL ? why : "");
    return rf__journal_append(c->store, type, subject, rule->id, NULL, data);
}

static rf_status grant_one(grant_context *c, const rf_reward_rule_record *rule, const char *recipient_id,
                           int tier_count)
{
    rf_store *store = c->store;
    char key[RF_GRANT_KEY_MAX + 1];
    snprintf(key, sizeof key, "%s:%s:%s", rule->id, c->referral->id, recipient_id);
    rf_grant_record existing;
    memset(&existing, 0, sizeof existing);
    int rc = store->backend->grant_get_by_key(store->backend, store->practice, key, &existing);
    if (rc != RF_ENOTFOUND) {
        return (rf_status)rc; /* RF_OK: granted before, and a grant happens once */
    }
    if (rule->cap_count > 0) {
        cap_tally tally = {0};
        rf_grant_query q = {
            NULL, recipient_id,  NULL,          rule->id,
            0,    RF_TIME_UNSET, RF_TIME_UNSET, c->now - (rf_time)rule->cap_days * RF_SECONDS_PER_DAY + 1,
            0};
        if ((rc = store->backend->grant_scan(store->backend, store->practice, &q, tally_cap, &tally)) !=
            RF_OK) {
            return (rf_status)rc;
        }
        if (tally.count >= rule->cap_count) {
            char why[64];
            snprintf(why, sizeof why, "cap=%d;cap_days=%d", rule->cap_count, rule->cap_days);
            return journal_decision(c, RF_EVENT_REWARD_CAPPED, rule, recipient_id, why);
        }
    }
    const char *covered = NULL;
    rf_status src = covered_party(c, rule, recipient_id, &covered);
    if (src != RF_OK) {
        return src;
    }
    char id[RF_ID_BUFSIZE];
    rf__store_new_id(store, id);
    rf_grant_record g;
    memset(&g, 0, sizeof g);
    g.id = id;
    g.grant_key = key;
    g.rule_id = rule->id;
    g.program_id = rule->program_id;
    g.referral_id = c->referral->id;
    g.recipient_id = recipient_id;
    g.recipient = rule->recipient;
    fill_terms(&g, rule, covered);
    g.tier_count = rule->recipient == RF_RECIPIENT_REFERRER ? tier_count : 0;
    g.status = RF_GRANT_PENDING;
    g.issued_at = g.updated_at = c->now;
    g.release_at = c->now + (rf_time)rule->hold_days * RF_SECONDS_PER_DAY;

    char data[200];
    int n = snprintf(data, sizeof data, "rule=%s;referral=%s;kind=%s", rule->id, c->referral->id,
                     rf_reward_kind_name((rf_reward_kind)g.kind));
    if (g.tier_count > 0) {
        n += snprintf(data + n, sizeof data - (size_t)n, ";tier_count=%d", g.tier_count);
    }
    if (covered != NULL) {
        snprintf(data + n, sizeof data - (size_t)n, ";compliance=%s;payer=FEDERAL;was=%s", covered,
                 rf_reward_kind_name((rf_reward_kind)rule->kind));
    }
    if ((src = (rf_status)store->backend->grant_insert(store->backend, store->practice, &g)) != RF_OK ||
        (src = rf__grant_post_issued(store, &g, data)) != RF_OK) {
        return src;
    }
    if (rule->hold_days > 0) {
        return rf__loop_on_grant(store, &g);
    }
    rf_grant *handle = rf__grant_from_record(&g, 0);
    if (handle == NULL) {
        return RF_ENOMEM;
    }
    src = rf__grant_release(store, handle, c->now);
    rf_grant_free(handle);
    return src;
}

static const char *recipient_of(const rf_referral_record *r, int recipient)
{
    switch (recipient) {
    case RF_RECIPIENT_REFERRER: return r->referrer_id;
    case RF_RECIPIENT_REFEREE: return r->referee_id;
    default: return r->practitioner_id;
    }
}

/* The referrer ladder: the highest tier not above @count among @rules. */
static int ladder_tier(const rf_rule_list *rules, int count)
{
    int tier = 0;
    for (size_t i = 0; i < rules->count; i++) {
        const rf_reward_rule_record *r = &rules->items[i]->r;
        if (r->recipient == RF_RECIPIENT_REFERRER && r->tier <= count && r->tier > tier) {
            tier = r->tier;
        }
    }
    return tier;
}

static rf_status grant_triggered(grant_context *c)
{
    rf_store *store = c->store;
    rf_rule_list rules;
    int trigger = c->referral->state;
    rf_status rc = rf__rules_active(store, c->referral->program_id, 0, trigger, &rules);
    int count = 0, tier = 0;
    for (size_t i = 0; rc == RF_OK && i < rules.count; i++) {
        if (rules.items[i]->r.recipient == RF_RECIPIENT_REFERRER && tier == 0) {
            if ((rc = rf__tier_count(store, c->referral->program_id, c->referral->referrer_id, trigger,
                                     &count)) == RF_OK) {
                tier = ladder_tier(&rules, count);
                tier = tier > 0 ? tier : -1; /* counted: below every tier */
            }
        }
    }
    for (size_t i = 0; rc == RF_OK && i < rules.count; i++) {
        const rf_reward_rule_record *rule = &rules.items[i]->r;
        const char *recipient_id = recipient_of(c->referral, rule->recipient);
        if (rule->recipient == RF_RECIPIENT_REFERRER && rule->tier != tier) {
            continue;
        }
        rc = recipient_id != NULL
                 ? grant_one(c, rule, recipient_id, count)
                 : journal_decision(c, RF_EVENT_REWARD_SKIPPED, rule, c->referral->id,
                                    rule->recipient == RF_RECIPIENT_STAFF ? "reason=no_staff"
                                                                          : "reason=no_recipient");
    }
    rf__rule_list_free(&rules);
    return rc;
}

/* --- taking back ------------------------------------------------------------------ */

typedef struct id_list {
    char (*ids)[RF_ID_BUFSIZE];
    size_t count, cap;
    rf_status error;
} id_list;

static int collect_open_grant(const rf_grant_record *g, void *payload)
{
    id_list *list = payload;
    if (g->status != RF_GRANT_PENDING && g->status != RF_GRANT_AVAILABLE) {
        return 0;
    }
    if ((list->error = rf__reserve(&list->ids, &list->cap, list->count, sizeof *list->ids)) != RF_OK) {
        return 1;
    }
    snprintf(list->ids[list->count++], RF_ID_BUFSIZE, "%s", g->id);
    return 0;
}

static rf_status take_back(grant_context *c)
{
    rf_store *store = c->store;
    id_list open = {NULL, 0, 0, RF_OK};
    rf_grant_query q = {NULL, NULL, c->referral->id, NULL, 0, RF_TIME_UNSET, RF_TIME_UNSET, RF_TIME_UNSET, 0};
    rf_status rc =
        (rf_status)store->backend->grant_scan(store->backend, store->practice, &q, collect_open_grant, &open);
    if (rc == RF_OK) {
        rc = open.error;
    }
    const char *state = rf_referral_state_name((rf_referral_state)c->referral->state);
    for (size_t i = 0; rc == RF_OK && i < open.count; i++) {
        rf_grant *g = NULL;
        char why[64];
        if ((rc = rf__grant_load(store, open.ids[i], &g)) != RF_OK) {
            break;
        }
        if (g->r.status == RF_GRANT_PENDING || c->program->s.clawback) {
            snprintf(why, sizeof why, "referral=%s%s", state,
                     g->r.status == RF_GRANT_PENDING ? "" : ";clawback=1");
            rc = rf__grant_reverse(store, g, c->now, why);
        } else {
            snprintf(why, sizeof why, "referral=%s;reason=no_clawback", state);
            rc = rf__journal_append(store, RF_EVENT_REWARD_KEPT, g->r.id, g->r.recipient_id, NULL, why);
        }
        rf_grant_free(g);
    }
    free(open.ids);
    return rc;
}

rf_status rf__rewards_on_move(rf_store *store, const rf_referral_record *referral, int first)
{
    int trigger = referral->state == RF_REFERRAL_SCHEDULED || referral->state == RF_REFERRAL_SEEN ||
                  referral->state == RF_REFERRAL_CLOSED;
    int failed = rf__referral_state_failed(referral->state);
    /* Rewards need contract version 3; a store without it has no rules to apply. */
    if (store->backend->version < 3 || referral->direction != RF_DIRECTION_INBOUND || !first ||
        (!trigger && !failed)) {
        return RF_OK;
    }
    rf_program *program = NULL;
    rf_status rc = rf__program_load(store, referral->program_id, &program);
    if (rc != RF_OK) {
        return rc;
    }
    grant_context c = {store, program, referral, rf_store_now(store)};
    rc = trigger ? grant_triggered(&c) : take_back(&c);
    rf_program_free(program);
    return rc;
}
