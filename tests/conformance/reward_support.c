/* Shorthands for the reward cases; see reward_support.h. */
#include "reward_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

rf_program *reward_program(fixture *fx, const char *name, int clawback, int compliance_mode)
{
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.name = name;
    o.fraud_action = RF_FRAUD_FLAG;
    o.exclude_existing_clients = 0;
    o.clawback = clawback;
    o.compliance_mode = compliance_mode;
    rf_program *p = NULL;
    assert_ok(rf_program_create(&p, fx->store, &o));
    return p;
}

const rf_reward_kind reward_kinds[REWARD_KIND_COUNT] = {
    RF_REWARD_ACCOUNT_CREDIT,
    RF_REWARD_FIXED_DISCOUNT,
    RF_REWARD_PERCENT_DISCOUNT,
    RF_REWARD_SERVICE_UPGRADE,
    RF_REWARD_PRIORITY_BOOKING,
    RF_REWARD_CHARITY_DONATION,
    RF_REWARD_GIFT,
    RF_REWARD_THANK_YOU_NOTE,
};

int is_money(rf_reward_kind kind)
{
    return kind == RF_REWARD_ACCOUNT_CREDIT || kind == RF_REWARD_FIXED_DISCOUNT ||
           kind == RF_REWARD_CHARITY_DONATION;
}

const char *kind_item(rf_reward_kind kind)
{
    switch (kind) {
    case RF_REWARD_SERVICE_UPGRADE: return "+15 minutes";
    case RF_REWARD_CHARITY_DONATION: return "Local food bank";
    case RF_REWARD_GIFT: return "Tea towel";
    default: return NULL;
    }
}

rf_reward_rule_options rule_options(const rf_program *program, rf_reward_recipient recipient,
                                    rf_reward_kind kind, rf_referral_state trigger)
{
    rf_reward_rule_options o = RF_REWARD_RULE_OPTIONS_INIT;
    o.program_id = rf_program_id(program);
    o.name = rf_reward_kind_name(kind);
    o.recipient = recipient;
    o.kind = kind;
    o.trigger = trigger;
    if (is_money(kind)) {
        o.amount = 1000;
        o.currency = "EUR";
    }
    o.item = kind_item(kind);
    if (kind == RF_REWARD_PERCENT_DISCOUNT) {
        o.percent = 10;
    }
    if (kind == RF_REWARD_PRIORITY_BOOKING) {
        o.expiry_days = 30;
    }
    return o;
}

rf_reward_rule *add_rule(fixture *fx, const rf_reward_rule_options *o)
{
    rf_reward_rule *rule = NULL;
    assert_ok(rf_reward_rule_add(&rule, fx->store, o));
    assert_non_null(rule);
    return rule;
}

rf_reward_rule *simple_rule(fixture *fx, const rf_program *program, rf_reward_recipient recipient,
                            rf_reward_kind kind, rf_referral_state trigger)
{
    rf_reward_rule_options o = rule_options(program, recipient, kind, trigger);
    return add_rule(fx, &o);
}

void drive_to(fixture *fx, rf_referral **r, rf_referral_state target)
{
    static const rf_referral_state way[] = {RF_REFERRAL_ACCEPTED, RF_REFERRAL_SCHEDULED, RF_REFERRAL_SEEN,
                                            RF_REFERRAL_CLOSED};
    /* Start after the current state on the happy path. */
    size_t i = 0;
    while (i < 4 && way[i] <= rf_referral_get_state(*r)) {
        i++;
    }
    while (rf_referral_get_state(*r) != target) {
        assert_true(i < 4);
        assert_ok(advance_to(fx, r, way[i++]));
    }
}

rf_referral *referral_at(fixture *fx, const rf_program *program, const char *referrer_id,
                         rf_referral_state target)
{
    rf_referral *r = refer_lead(fx, program, referrer_id, RF_PAYER_UNSET, NULL);
    drive_to(fx, &r, target);
    return r;
}

rf_status redeem(fixture *fx, int64_t *redeemed, const char *grant_id, const char *party_id,
                 const char *currency, int64_t amount, const char *reference, const char *key)
{
    rf_redeem_options o = RF_REDEEM_OPTIONS_INIT;
    o.grant_id = grant_id;
    o.party_id = party_id;
    o.currency = currency;
    o.amount = amount;
    o.reference = reference;
    o.idempotency_key = key;
    return rf_reward_redeem(redeemed, fx->store, &o);
}

int count_grants(fixture *fx, const char *recipient_id, const char *referral_id, const char *rule_id,
                 rf_grant_status status)
{
    rf_grant_filter f = RF_GRANT_FILTER_INIT;
    f.recipient_id = recipient_id;
    f.referral_id = referral_id;
    f.rule_id = rule_id;
    f.status = status;
    rf_grant_iter *it = NULL;
    rf_grant *g = NULL;
    int n = 0;
    assert_ok(rf_grant_list(&it, fx->store, &f));
    while (rf_grant_iter_next(&g, it) == RF_OK) {
        n++;
        rf_grant_free(g);
    }
    rf_grant_iter_free(it);
    return n;
}

rf_grant *the_grant(fixture *fx, const char *rule_id, const char *referral_id)
{
    rf_grant_filter f = RF_GRANT_FILTER_INIT;
    f.rule_id = rule_id;
    f.referral_id = referral_id;
    rf_grant_iter *it = NULL;
    rf_grant *g = NULL, *extra = NULL;
    assert_ok(rf_grant_list(&it, fx->store, &f));
    if (rf_grant_iter_next(&g, it) != RF_OK) {
        print_error("no grant of rule %s for referral %s\n", rule_id, referral_id);
        fail();
    }
    assert_status(rf_grant_iter_next(&extra, it), RF_ITEROVER);
    rf_grant_iter_free(it);
    return g;
}

rf_grant *reload_grant(fixture *fx, const rf_grant *grant)
{
    rf_grant *g = NULL;
    assert_ok(rf_grant_get(&g, fx->store, rf_grant_id(grant)));
    return g;
}

int count_entries(fixture *fx, const char *party_id, const char *grant_id, rf_ledger_type type)
{
    rf_ledger_filter f = RF_LEDGER_FILTER_INIT;
    f.party_id = party_id;
    f.grant_id = grant_id;
    rf_ledger_iter *it = NULL;
    rf_ledger_entry *e = NULL;
    int n = 0;
    assert_ok(rf_ledger_list(&it, fx->store, &f));
    while (rf_ledger_iter_next(&e, it) == RF_OK) {
        n += type == RF_LEDGER_UNSET || rf_ledger_entry_type(e) == type;
        rf_ledger_entry_free(e);
    }
    rf_ledger_iter_free(it);
    return n;
}

rf_event *find_event(fixture *fx, const char *type, int64_t after)
{
    rf_journal_iter *it = NULL;
    rf_event *ev = NULL;
    assert_ok(rf_journal_read(&it, fx->store, after));
    while (rf_journal_iter_next(&ev, it) == RF_OK) {
        if (strcmp(rf_event_type(ev), type) == 0) {
            break;
        }
        rf_event_free(ev);
        ev = NULL;
    }
    rf_journal_iter_free(it);
    return ev;
}

int64_t assert_first_event(fixture *fx, const char *type, int64_t after, const char *subject_id,
                           const char *object_id)
{
    rf_event *ev = find_event(fx, type, after);
    if (ev == NULL) {
        print_error("no %s event after seq %lld\n", type, (long long)after);
        fail();
    }
    assert_string_equal(rf_event_subject_id(ev), subject_id);
    assert_string_equal(rf_event_object_id(ev), object_id);
    int64_t seq = rf_event_seq(ev);
    rf_event_free(ev);
    return seq;
}

rf_event *event_about(fixture *fx, const char *type, int64_t after, const char *subject_id)
{
    rf_journal_iter *it = NULL;
    rf_event *ev = NULL, *found = NULL;
    assert_ok(rf_journal_read(&it, fx->store, after));
    while (rf_journal_iter_next(&ev, it) == RF_OK) {
        if (found == NULL && strcmp(rf_event_type(ev), type) == 0 && rf_event_subject_id(ev) != NULL &&
            strcmp(rf_event_subject_id(ev), subject_id) == 0) {
            found = ev;
        } else {
            rf_event_free(ev);
        }
    }
    rf_journal_iter_free(it);
    if (found == NULL) {
        print_error("no %s event about %s\n", type, subject_id);
        fail();
    }
    return found;
}

int count_events_after(fixture *fx, const char *type, int64_t after)
{
    rf_journal_iter *it = NULL;
    rf_event *ev = NULL;
    int n = 0;
    assert_ok(rf_journal_read(&it, fx->store, after));
    while (rf_journal_iter_next(&ev, it) == RF_OK) {
        n += strcmp(rf_event_type(ev), type) == 0;
        rf_event_free(ev);
    }
    rf_journal_iter_free(it);
    return n;
}

void assert_data_has(const rf_event *ev, const char *needle)
{
    assert_non_null(ev);
    const char *data = rf_event_data(ev);
    if (data == NULL || strstr(data, needle) == NULL) {
        print_error("%s data \"%s\" does not contain \"%s\"\n", rf_event_type(ev),
                    data != NULL ? data : "(null)", needle);
        fail();
    }
}

static int same_currency(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

ledger_sums sum_ledger(fixture *fx, const char *party_id, const char *currency)
{
    ledger_sums s = {0, 0, 0, 0, 0, 0};
    rf_ledger_filter f = RF_LEDGER_FILTER_INIT;
    f.party_id = party_id;
    rf_ledger_iter *it = NULL;
    rf_ledger_entry *e = NULL;
    assert_ok(rf_ledger_list(&it, fx->store, &f));
    while (rf_ledger_iter_next(&e, it) == RF_OK) {
        assert_string_equal(rf_ledger_entry_party_id(e), party_id);
        if (same_currency(rf_ledger_entry_currency(e), currency)) {
            s.available += rf_ledger_entry_available_delta(e);
            s.pending += rf_ledger_entry_pending_delta(e);
            int64_t amount = rf_ledger_entry_amount(e);
            assert_true(amount >= 0);
            switch (rf_ledger_entry_type(e)) {
            case RF_LEDGER_ISSUED: s.issued += amount; break;
            case RF_LEDGER_REDEEMED: s.redeemed += amount; break;
            case RF_LEDGER_EXPIRED: s.expired += amount; break;
            case RF_LEDGER_REVERSED: s.reversed += amount; break;
            default: break;
            }
        }
        rf_ledger_entry_free(e);
    }
    rf_ledger_iter_free(it);
    return s;
}

long balance_row(const rf_balance *balance, const char *currency)
{
    for (size_t i = 0; i < rf_balance_count(balance); i++) {
        if (same_currency(rf_balance_currency(balance, i), currency)) {
            return (long)i;
        }
    }
    return -1;
}

static int all_zero(ledger_sums s)
{
    return s.available == 0 && s.pending == 0 && s.issued == 0 && s.redeemed == 0 && s.expired == 0 &&
           s.reversed == 0;
}

static void assert_row(const rf_balance *balance, const char *currency, ledger_sums s)
{
    long i = balance_row(balance, currency);
    if (all_zero(s)) {
        assert_int_equal(i, -1);
        return;
    }
    if (i < 0) {
        print_error("no balance row for %s\n", currency != NULL ? currency : "items");
        fail();
    }
    assert_int_equal(rf_balance_available(balance, (size_t)i), s.available);
    assert_int_equal(rf_balance_pending(balance, (size_t)i), s.pending);
    assert_int_equal(rf_balance_issued(balance, (size_t)i), s.issued);
    assert_int_equal(rf_balance_redeemed(balance, (size_t)i), s.redeemed);
    assert_int_equal(rf_balance_expired(balance, (size_t)i), s.expired);
    assert_int_equal(rf_balance_reversed(balance, (size_t)i), s.reversed);
}

/* Every row of @balance agrees with the ledger; rows are currencies
 * ascending, then the items row. */
static void assert_rows_match_ledger(fixture *fx, const char *party_id, const rf_balance *balance)
{
    size_t n = rf_balance_count(balance);
    for (size_t i = 0; i < n; i++) {
        const char *cur = rf_balance_currency(balance, i);
        if (cur == NULL) {
            assert_int_equal(i, n - 1);
        } else if (i > 0) {
            assert_true(strcmp(rf_balance_currency(balance, i - 1), cur) < 0);
        }
        assert_row(balance, cur, sum_ledger(fx, party_id, cur));
    }
    /* And nothing in the ledger is missing from the rows. */
    rf_ledger_filter f = RF_LEDGER_FILTER_INIT;
    f.party_id = party_id;
    rf_ledger_iter *it = NULL;
    rf_ledger_entry *e = NULL;
    assert_ok(rf_ledger_list(&it, fx->store, &f));
    while (rf_ledger_iter_next(&e, it) == RF_OK) {
        const char *cur = rf_ledger_entry_currency(e);
        if (balance_row(balance, cur) < 0) {
            assert_true(all_zero(sum_ledger(fx, party_id, cur)));
        }
        rf_ledger_entry_free(e);
    }
    rf_ledger_iter_free(it);
}

void assert_books(fixture *fx, const char *party_id)
{
    rf_balance *audited = NULL, *balance = NULL;
    assert_ok(rf_reward_audit(&audited, fx->store, party_id));
    assert_ok(rf_reward_balance(&balance, fx->store, party_id));
    assert_int_equal(rf_balance_count(audited), rf_balance_count(balance));
    assert_rows_match_ledger(fx, party_id, balance);
    assert_rows_match_ledger(fx, party_id, audited);
    rf_balance_free(audited);
    rf_balance_free(balance);
}

void assert_balance(fixture *fx, const char *party_id, const char *currency, ledger_sums expected)
{
    rf_balance *balance = NULL;
    assert_ok(rf_reward_balance(&balance, fx->store, party_id));
    assert_row(balance, currency, expected);
    rf_balance_free(balance);
    assert_books(fx, party_id);
}

rf_reward_rule *held_rule(fixture *fx, const rf_program *p, rf_reward_recipient who, rf_reward_kind kind,
                          rf_referral_state trigger, int hold_days, int expiry_days)
{
    rf_reward_rule_options o = rule_options(p, who, kind, trigger);
    o.hold_days = hold_days;
    o.expiry_days = expiry_days;
    return add_rule(fx, &o);
}

rf_ledger_entry *entry_of(fixture *fx, const rf_grant *grant, rf_ledger_type type)
{
    rf_ledger_filter f = RF_LEDGER_FILTER_INIT;
    f.grant_id = rf_grant_id(grant);
    rf_ledger_iter *it = NULL;
    rf_ledger_entry *e = NULL, *found = NULL;
    assert_ok(rf_ledger_list(&it, fx->store, &f));
    while (rf_ledger_iter_next(&e, it) == RF_OK) {
        if (rf_ledger_entry_type(e) == type) {
            assert_null(found);
            found = e;
        } else {
            rf_ledger_entry_free(e);
        }
    }
    rf_ledger_iter_free(it);
    assert_non_null(found);
    return found;
}

void assert_entry(fixture *fx, const rf_grant *grant, rf_ledger_type type, int64_t amount,
                  int64_t pending_delta, int64_t available_delta)
{
    rf_ledger_entry *e = entry_of(fx, grant, type);
    assert_int_equal(rf_ledger_entry_amount(e), amount);
    assert_int_equal(rf_ledger_entry_pending_delta(e), pending_delta);
    assert_int_equal(rf_ledger_entry_available_delta(e), available_delta);
    rf_ledger_entry_free(e);
}

void assert_process_moves(fixture *fx, rf_time now, unsigned released, unsigned expired)
{
    unsigned r = 99, x = 99;
    assert_ok(rf_rewards_process(&r, &x, fx->store, now));
    assert_int_equal(r, released);
    assert_int_equal(x, expired);
}
