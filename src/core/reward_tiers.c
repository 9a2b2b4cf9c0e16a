/* Tier progress: where a referrer stands on a programme's ladder. */
#include <stdlib.h>
#include <string.h>

#include "core/referrals.h"
#include "core/rewards.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"

struct rf_tier_progress {
    int count, tier, next_tier;
    size_t unlock_count, cap;
    rf_reward_rule **unlocks;
};

void rf_tier_progress_free(rf_tier_progress *p)
{
    if (p == NULL) {
        return;
    }
    for (size_t i = 0; i < p->unlock_count; i++) {
        rf_reward_rule_free(p->unlocks[i]);
    }
    free(p->unlocks);
    free(p);
}

/* Place @count on the ladder; the rules of the next tier move into @p. */
static void place(rf_tier_progress *p, rf_rule_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        int tier = l->items[i]->r.tier;
        if (tier <= p->count && tier > p->tier) {
            p->tier = tier;
        }
        if (tier > p->count && (p->next_tier == 0 || tier < p->next_tier)) {
            p->next_tier = tier;
        }
    }
    for (size_t i = 0; i < l->count; i++) {
        if (p->next_tier != 0 && l->items[i]->r.tier == p->next_tier) {
            p->unlocks[p->unlock_count++] = l->items[i];
            l->items[i] = NULL;
        }
    }
}

rf_status rf_reward_progress(rf_tier_progress **out, rf_store *store, const char *party_id,
                             const char *program_id)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    rf_party *party = NULL;
    rf_program *program = NULL;
    if ((rc = rf__check_arg(store, "store")) != RF_OK ||
        (rc = rf__check_arg(party_id, "party_id")) != RF_OK ||
        (rc = rf__check_arg(program_id, "program_id")) != RF_OK ||
        (rc = rf__rewards_require(store)) != RF_OK ||
        (rc = rf__party_load(store, party_id, &party)) != RF_OK ||
        (rc = rf__program_load(store, program_id, &program)) != RF_OK) {
        rf_party_free(party);
        return rc;
    }
    rf_rule_list l = {NULL, 0, 0};
    rc = rf__rules_active(store, program->r.id, RF_RECIPIENT_REFERRER, 0, &l);
    int trigger = l.count > 0 ? l.items[0]->r.trigger : RF_REFERRAL_CLOSED;
    rf_tier_progress *p = NULL;
    if (rc == RF_OK && ((p = rf__calloc(1, sizeof *p)) == NULL ||
                        (p->unlocks = rf__calloc(l.count + 1, sizeof *p->unlocks)) == NULL)) {
        rc = RF_ENOMEM;
    }
    if (rc == RF_OK &&
        (rc = rf__tier_count(store, program->r.id, party->r.id, trigger, &p->count)) == RF_OK) {
        place(p, &l);
    }
    rf__rule_list_free(&l);
    rf_party_free(party);
    rf_program_free(program);
    if (rc != RF_OK) {
        rf_tier_progress_free(p);
        return rc;
    }
    *out = p;
    return RF_OK;
}

int rf_tier_progress_count(const rf_tier_progress *p)
{
    return p != NULL ? p->count : 0;
}
int rf_tier_progress_tier(const rf_tier_progress *p)
{
    return p != NULL ? p->tier : 0;
}
int rf_tier_progress_next_tier(const rf_tier_progress *p)
{
    return p != NULL ? p->next_tier : 0;
}
int rf_tier_progress_to_next(const rf_tier_progress *p)
{
    return p != NULL && p->next_tier != 0 ? p->next_tier - p->count : 0;
}
size_t rf_tier_progress_unlock_count(const rf_tier_progress *p)
{
    return p != NULL ? p->unlock_count : 0;
}
const rf_reward_rule *rf_tier_progress_unlock(const rf_tier_progress *p, size_t i)
{
    return p != NULL && i < p->unlock_count ? p->unlocks[i] : NULL;
}
