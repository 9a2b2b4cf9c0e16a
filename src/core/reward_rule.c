/* Reward rules: validating a rule's terms, adding, retiring, reading, listing. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "referral/journal.h"
#include "core/referrals.h"
#include "core/rewards.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/text.h"

rf_status rf__rewards_require(rf_store *store)
{
    return rf__store_require(store, 3, "rewards");
}

/* The record's strings come first: 5 of them before `recipient`. */
_Static_assert(offsetof(rf_reward_rule_record, recipient) == 5 * sizeof(const char *),
               "rf_reward_rule_record strings");

rf_reward_rule *rf__reward_rule_from_record(const rf_reward_rule_record *rec)
{
    return rf__pack_record(sizeof(rf_reward_rule), rec, sizeof *rec, 5);
}

void rf_reward_rule_free(rf_reward_rule *rule)
{
    free(rule);
}

static rf_status load_rule(rf_store *store, const char *id, rf_reward_rule **out)
{
    rf_reward_rule_record rec;
    memset(&rec, 0, sizeof rec);
    int rc = store->backend->reward_rule_get(store->backend, store->practice, id, &rec);
    if (rc == RF_ENOTFOUND) {
        return rf__error(RF_ENOTFOUND, RF_ERRCLASS_REWARD, "no reward rule '%.64s' in practice '%s'", id,
                         store->practice);
    }
    if (rc != RF_OK) {
        return (rf_status)rc;
    }
    *out = rf__reward_rule_from_record(&rec);
    return *out != NULL ? RF_OK : RF_ENOMEM;
}

rf_status rf_reward_rule_options_init(rf_reward_rule_options *opts, unsigned int version)
{
    static const rf_reward_rule_options init = RF_REWARD_RULE_OPTIONS_INIT;
    return rf__options_init(opts, sizeof init, &init, version, "rf_reward_rule_options",
                            "RF_REWARD_RULE_OPTIONS_INIT");
}

/* --- validation ------------------------------------------------------------- */

/* Which of amount / percent / item a kind needs (2), allows (1) or refuses (0). */
static const struct {
    signed char amount, percent, item, expiry;
} kind_terms[] = {
    [RF_REWARD_ACCOUNT_CREDIT] = {2, 0, 0, 1},
    [RF_REWARD_FIXED_DISCOUNT] = {2, 0, 0, 1},
    [RF_REWARD_PERCENT_DISCOUNT] = {0, 2, 0, 1},
    [RF_REWARD_SERVICE_UPGRADE] = {0, 0, 2, 1},
    [RF_REWARD_PRIORITY_BOOKING] = {0, 0, 0, 2},
    [RF_REWARD_CHARITY_DONATION] = {2, 0, 2, 1},
    [RF_REWARD_GIFT] = {1, 0, 2, 1},
    [RF_REWARD_THANK_YOU_NOTE] = {0, 0, 0, 1},
};

/* @needs names the term in "a KIND reward needs ...", @term in "takes no ...". */
static rf_status term_given(const char *kind, const char *needs, const char *term, int rule, int given)
{
    if (rule == 2 && !given) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REWARD, "a %s reward needs %s", kind, needs);
    }
    if (rule == 0 && given) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REWARD, "a %s reward takes no %s", kind, term);
    }
    return RF_OK;
}

static rf_status check_int(const char *field, int value, int lo, int hi)
{
    if (value != RF_UNSET && (value < lo || value > hi)) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REWARD, "%s %d is out of range (%d to %d)", field, value,
                         lo, hi);
    }
    return RF_OK;
}

static int or_default(int value, int fallback)
{
    return value == RF_UNSET ? fallback : value;
}

/* The kind's terms, amounts, currency and ranges; the record is filled from them. */
static rf_status check_terms(const rf_reward_rule_options *o, rf_reward_rule_record *r)
{
    rf_status rc;
    if (o->recipient < RF_RECIPIENT_REFERRER || o->recipient > RF_RECIPIENT_STAFF) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REWARD,
                         o->recipient == RF_RECIPIENT_UNSET
                             ? "recipient is required (REFERRER, REFEREE or STAFF)"
                             : "recipient %d is not a reward recipient",
                         (int)o->recipient);
    }
    if (o->kind < RF_REWARD_ACCOUNT_CREDIT || o->kind > RF_REWARD_THANK_YOU_NOTE) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REWARD,
                         o->kind == RF_REWARD_UNSET ? "kind is required" : "kind %d is not a reward kind",
                         (int)o->kind);
    }
    int trigger = o->trigger == RF_REFERRAL_STATE_UNSET ? RF_REFERRAL_CLOSED : (int)o->trigger;
    if (trigger != RF_REFERRAL_SCHEDULED && trigger != RF_REFERRAL_SEEN && trigger != RF_REFERRAL_CLOSED) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REWARD, "trigger must be SCHEDULED, SEEN or CLOSED, not %s",
                         rf_referral_state_name((rf_referral_state)trigger));
    }
    const char *kind = rf_reward_kind_name(o->kind);
    int has_amount = o->amount != RF_AMOUNT_UNSET;
    if (has_amount && o->amount < 0) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REWARD, "amount %lld is negative", (long long)o->amount);
    }
    if (has_amount && (o->amount == 0 || o->amount > RF_AMOUNT_MAX)) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REWARD,
                         "amount %lld is out of range (1 to %lld minor units)", (long long)o->amount,
                         (long long)RF_AMOUNT_MAX);
    }
    if (has_amount != (o->currency != NULL)) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REWARD,
                         has_amount ? "amount needs a currency (ISO 4217, e.g. \"EUR\")"
                                    : "currency is given without an amount");
    }
    if (o->currency != NULL && !rf_currency_valid(o->currency)) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REWARD,
                         "currency '%.8s' is not an ISO 4217 currency code (three capitals, e.g. \"EUR\")",
                         rf__utf8_valid_prefix(o->currency, strlen(o->currency)) == strlen(o->currency)
                             ? o->currency
                             : "?");
    }
    if ((rc = check_int("percent", o->percent, 1, 100)) != RF_OK ||
        (rc = rf__check_text("item", o->item, RF_DETAIL_MAX, 0, RF_ERRCLASS_REWARD)) != RF_OK ||
        (rc = check_int("expiry_days", o->expiry_days, 0, RF_REWARD_DAYS_MAX)) != RF_OK ||
        (rc = check_int("hold_days", o->hold_days, 0, RF_REWARD_DAYS_MAX)) != RF_OK ||
        (rc = check_int("cap_count", o->cap_count, 0, 1000)) != RF_OK ||
        (rc = check_int("cap_days", o->cap_days, 1, RF_REWARD_DAYS_MAX)) != RF_OK ||
        (rc = check_int("tier", o->tier, 1, 1000)) != RF_OK) {
        return rc;
    }
    if (o->item != NULL && o->item[0] == '\0') {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REWARD, "item must not be empty");
    }
    int expiry = or_default(o->expiry_days, 0);
    if ((rc = term_given(kind, "an amount and currency", "amount or currency", kind_terms[o->kind].amount,
                         has_amount)) != RF_OK ||
        (rc = term_given(kind, "a percent (1 to 100)", "percent", kind_terms[o->kind].percent,
                         o->percent != RF_UNSET)) != RF_OK ||
        (rc = term_given(kind, o->kind == RF_REWARD_CHARITY_DONATION ? "an item naming the cause" : "an item",
                         "item", kind_terms[o->kind].item, o->item != NULL)) != RF_OK ||
        (rc = term_given(kind, "expiry_days (when the priority ends)", "expiry", kind_terms[o->kind].expiry,
                         expiry > 0)) != RF_OK) {
        return rc;
    }
    if (o->recipient != RF_RECIPIENT_REFERRER && or_default(o->tier, 1) > 1) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REWARD,
                         "tier %d: tiers count the referrer's referrals, so only REFERRER rules have one",
                         o->tier);
    }
    r->recipient = (int)o->recipient;
    r->trigger = trigger;
    r->kind = (int)o->kind;
    r->amount = has_amount ? o->amount : 0;
    r->currency = o->currency;
    r->percent = or_default(o->percent, 0);
    r->item = o->item;
    r->expiry_days = expiry;
    r->hold_days = or_default(o->hold_days, 0);
    r->cap_count = or_default(o->cap_count, 0);
    r->cap_days = or_default(o->cap_days, 365);
    r->tier = or_default(o->tier, 1);
    r->active = 1;
    return RF_OK;
}

typedef struct ladder_check {
    int trigger;
    const rf_reward_rule_record *clash;
    char clash_id[RF_ID_BUFSIZE];
    int clash_trigger;
} ladder_check;

static int find_ladder_clash(const rf_reward_rule_record *rec, void *payload)
{
    ladder_check *c = payload;
    if (rec->active && rec->recipient == RF_RECIPIENT_REFERRER && rec->trigger != c->trigger) {
        snprintf(c->clash_id, sizeof c->clash_id, "%s", rec->id);
        c->clash_trigger = rec->trigger;
        return 1;
    }
    return 0;
}

/* A programme's referrer rules form one ladder counted at one state. */
static rf_status check_ladder(rf_store *store, const rf_reward_rule_record *r)
{
    if (r->recipient != RF_RECIPIENT_REFERRER) {
        return RF_OK;
    }
    ladder_check c = {r->trigger, NULL, "", 0};
    int rc = store->backend->reward_rule_scan(store->backend, store->practice, r->program_id, NULL, 0,
                                              find_ladder_clash, &c);
    if (rc != RF_OK) {
        return (rf_status)rc;
    }
    if (c.clash_id[0] != '\0') {
        return rf__error(
            RF_EINVALID, RF_ERRCLASS_REWARD,
            "referrer rules of a programme share one trigger (one tier ladder): rule %s triggers "
            "at %s, this one at %s; retire it first or use the same trigger",
            c.clash_id, rf_referral_state_name((rf_referral_state)c.clash_trigger),
            rf_referral_state_name((rf_referral_state)r->trigger));
    }
    return RF_OK;
}

static void fingerprint_rule(rf_fingerprint *fp, const rf_reward_rule_record *r)
{
    rf__fp_init(fp, "reward.rule_add");
    rf__fp_str(fp, r->program_id);
    rf__fp_str(fp, r->name);
    rf__fp_str(fp, r->currency);
    rf__fp_str(fp, r->item);
    const int64_t ints[] = {r->recipient,   r->trigger,   r->kind,      r->amount,   r->percent,
                            r->expiry_days, r->hold_days, r->cap_count, r->cap_days, r->tier};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        rf__fp_int(fp, ints[i]);
    }
}

static rf_status add_rule(rf_reward_rule **out, rf_store *store, const rf_reward_rule_options *o,
                          rf_reward_rule_record *r)
{
    rf_fingerprint fp;
    fingerprint_rule(&fp, r);
    rf_status rc = rf__tx_begin(store);
    if (rc != RF_OK) {
        return rc;
    }
    char replay_id[RF_ID_BUFSIZE], id[RF_ID_BUFSIZE];
    if ((rc = rf__idem_replay(store, o->idempotency_key, "reward.rule_add", &fp, replay_id)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    if (replay_id[0] != '\0') {
        rf__tx_close_unchanged(store);
        return load_rule(store, replay_id, out);
    }
    rf_program *program = NULL;
    if ((rc = rf__program_load(store, r->program_id, &program)) != RF_OK ||
        (rc = check_ladder(store, r)) != RF_OK) {
        rf_program_free(program);
        return rf__tx_abort(store, rc);
    }
    rf_program_free(program);
    rf__store_new_id(store, id);
    r->id = id;
    r->created_at = r->updated_at = rf_store_now(store);
    char data[160];
    snprintf(data, sizeof data, "program=%s;recipient=%s;trigger=%s;kind=%s;tier=%d", r->program_id,
             rf_reward_recipient_name((rf_reward_recipient)r->recipient),
             rf_referral_state_name((rf_referral_state)r->trigger),
             rf_reward_kind_name((rf_reward_kind)r->kind), r->tier);
    rf_reward_rule *rule = NULL;
    if ((rc = (rf_status)store->backend->reward_rule_insert(store->backend, store->practice, r)) != RF_OK ||
        (rc = rf__journal_append(store, RF_EVENT_REWARD_RULE_ADDED, id, r->program_id, o->idempotency_key,
                                 data)) != RF_OK ||
        (rc = rf__idem_remember(store, o->idempotency_key, "reward.rule_add", &fp, id)) != RF_OK ||
        (rule = rf__reward_rule_from_record(r)) == NULL) {
        return rf__tx_abort(store, rc != RF_OK ? rc : RF_ENOMEM);
    }
    if ((rc = rf__tx_commit(store)) != RF_OK) {
        rf_reward_rule_free(rule);
        return rc;
    }
    *out = rule;
    return RF_OK;
}

rf_status rf_reward_rule_add(rf_reward_rule **out, rf_store *store, const rf_reward_rule_options *o)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(o, "opts")) != RF_OK ||
        (rc = rf__rewards_require(store)) != RF_OK ||
        (rc = rf__check_version("rf_reward_rule_options", o->version, RF_REWARD_RULE_OPTIONS_VERSION,
                                "RF_REWARD_RULE_OPTIONS_INIT")) != RF_OK ||
        (rc = rf__check_text("program_id", o->program_id, RF_LABEL_MAX, 1, RF_ERRCLASS_REWARD)) != RF_OK ||
        (rc = rf__check_text("name", o->name, RF_NAME_MAX, 1, RF_ERRCLASS_REWARD)) != RF_OK ||
        (rc = rf__idem_check_key(o->idempotency_key)) != RF_OK) {
        return rc;
    }
    rf_reward_rule_record r;
    memset(&r, 0, sizeof r);
    r.program_id = o->program_id;
    r.name = o->name;
    if ((rc = check_terms(o, &r)) != RF_OK) {
        return rc;
    }
    return add_rule(out, store, o, &r);
}

rf_status rf_reward_rule_get(rf_reward_rule **out, rf_store *store, const char *id)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(id, "id")) != RF_OK ||
        (rc = rf__rewards_require(store)) != RF_OK) {
        return rc;
    }
    return load_rule(store, id, out);
}

rf_status rf_reward_rule_retire(rf_reward_rule **out, rf_store *store, const char *id)
{
    if (out != NULL) {
        *out = NULL;
    }
    rf_status rc;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(id, "id")) != RF_OK ||
        (rc = rf__rewards_require(store)) != RF_OK || (rc = rf__tx_begin(store)) != RF_OK) {
        return rc;
    }
    rf_reward_rule *rule = NULL;
    if ((rc = load_rule(store, id, &rule)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    if (!rule->r.active) {
        rf__tx_close_unchanged(store);
    } else {
        rule->r.active = 0;
        rule->r.updated_at = rf_store_now(store);
        if ((rc = (rf_status)store->backend->reward_rule_update(store->backend, store->practice, &rule->r)) !=
                RF_OK ||
            (rc = rf__journal_append(store, RF_EVENT_REWARD_RULE_RETIRED, rule->r.id, rule->r.program_id,
                                     NULL, NULL)) != RF_OK) {
            rf_reward_rule_free(rule);
            return rf__tx_abort(store, rc);
        }
        if ((rc = rf__tx_commit(store)) != RF_OK) {
            rf_reward_rule_free(rule);
            return rc;
        }
    }
    if (out != NULL) {
        *out = rule;
    } else {
        rf_reward_rule_free(rule);
    }
    return RF_OK;
}

/* --- the rules that apply ----------------------------------------------------- */

typedef struct rule_filter {
    rf_rule_list *list;
    int recipient, trigger;
    rf_status error;
} rule_filter;

static int collect_active(const rf_reward_rule_record *rec, void *payload)
{
    rule_filter *f = payload;
    rf_rule_list *list = f->list;
    if (!rec->active || (f->recipient != 0 && rec->recipient != f->recipient) ||
        (f->trigger != 0 && rec->trigger != f->trigger)) {
        return 0;
    }
    if ((f->error = rf__reserve(&list->items, &list->cap, list->count, sizeof *list->items)) != RF_OK) {
        return 1;
    }
    if ((list->items[list->count] = rf__reward_rule_from_record(rec)) == NULL) {
        f->error = RF_ENOMEM;
        return 1;
    }
    list->count++;
    return 0;
}

rf_status rf__rules_active(rf_store *store, const char *program_id, int recipient, int trigger,
                           rf_rule_list *out)
{
    memset(out, 0, sizeof *out);
    rule_filter f = {out, recipient, trigger, RF_OK};
    rf_status rc = (rf_status)store->backend->reward_rule_scan(store->backend, store->practice, program_id,
                                                               NULL, 0, collect_active, &f);
    if (rc == RF_OK) {
        rc = f.error;
    }
    if (rc != RF_OK) {
        rf__rule_list_free(out);
    }
    return rc;
}

void rf__rule_list_free(rf_rule_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        rf_reward_rule_free(list->items[i]);
    }
    free(list->items);
    memset(list, 0, sizeof *list);
}

/* --- listing -------------------------------------------------------------------- */

struct rf_reward_rule_iter {
    rf_store *store;
    char program_id[RF_ID_BUFSIZE];
    rf_record_page page;
};

static int collect_rule(const rf_reward_rule_record *rec, void *payload)
{
    return rf__page_add(payload, rf__reward_rule_from_record(rec), rec->id);
}

static rf_status fetch_rules(void *iter_ptr, rf_record_page *page)
{
    rf_reward_rule_iter *it = iter_ptr;
    return (rf_status)it->store->backend->reward_rule_scan(
        it->store->backend, it->store->practice, it->program_id,
        page->last_id[0] != '\0' ? page->last_id : NULL, RF_PAGE_SIZE, collect_rule, page);
}

rf_status rf_reward_rule_list(rf_reward_rule_iter **out, rf_store *store, const char *program_id)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = rf__check_arg(store, "store")) != RF_OK ||
        (rc = rf__check_arg(program_id, "program_id")) != RF_OK ||
        (rc = rf__rewards_require(store)) != RF_OK) {
        return rc;
    }
    rf_program *program = NULL;
    if ((rc = rf__program_load(store, program_id, &program)) != RF_OK) {
        return rc;
    }
    rf_reward_rule_iter *it = rf__calloc(1, sizeof *it);
    if (it == NULL) {
        rf_program_free(program);
        return RF_ENOMEM;
    }
    it->store = store;
    snprintf(it->program_id, sizeof it->program_id, "%s", program->r.id);
    rf_program_free(program);
    rf__page_init(&it->page, fetch_rules, it, (void (*)(void *))rf_reward_rule_free);
    *out = it;
    return RF_OK;
}

rf_status rf_reward_rule_iter_next(rf_reward_rule **out, rf_reward_rule_iter *iter)
{
    return rf__iter_next((void **)out, iter, iter != NULL ? &iter->page : NULL);
}

void rf_reward_rule_iter_free(rf_reward_rule_iter *iter)
{
    rf__iter_free(iter, iter != NULL ? &iter->page : NULL);
}
