/* Conformance: granting (each kind, dual-sided offers, staff, inbound only,
 * rules added or retired along the way, compliance mode). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reward_support.h"

/* What a grant of @kind counts in the ledger, with rule_options() terms. */
static int64_t units_of(rf_reward_kind kind)
{
    return is_money(kind) ? 1000 : kind == RF_REWARD_THANK_YOU_NOTE ? 0 : 1;
}

static void assert_released_at_once(fixture *fx, const rf_grant *g, rf_reward_kind kind,
                                    const char *referrer_id)
{
    int64_t units = units_of(kind);
    assert_int_equal(rf_grant_kind(g), kind);
    assert_int_equal(rf_grant_rule_kind(g), kind);
    assert_int_equal(rf_grant_compliance(g), 0);
    assert_string_equal(rf_grant_recipient_id(g), referrer_id);
    assert_int_equal(rf_grant_recipient(g), RF_RECIPIENT_REFERRER);
    assert_int_equal(rf_grant_amount(g), is_money(kind) ? 1000 : 0);
    assert_string_or_null(rf_grant_currency(g), is_money(kind) ? "EUR" : NULL);
    assert_int_equal(rf_grant_units(g), units);
    assert_int_equal(rf_grant_remaining(g), units);
    assert_int_equal(rf_grant_percent(g), kind == RF_REWARD_PERCENT_DISCOUNT ? 10 : 0);
    assert_int_equal(rf_grant_tier_count(g), 1);
    assert_int_equal(rf_grant_issued_at(g), fx->now);
    assert_int_equal(rf_grant_release_at(g), fx->now);
    assert_int_equal(rf_grant_released_at(g), fx->now);
    assert_int_equal(rf_grant_expires_at(g), kind == RF_REWARD_PRIORITY_BOOKING ? fx->now + 30 * DAY : 0);
    if (kind == RF_REWARD_THANK_YOU_NOTE) {
        assert_int_equal(rf_grant_get_status(g), RF_GRANT_SETTLED);
        assert_int_equal(rf_grant_closed_at(g), fx->now);
    } else {
        assert_int_equal(rf_grant_get_status(g), RF_GRANT_AVAILABLE);
        assert_int_equal(rf_grant_closed_at(g), 0);
    }
    assert_string_or_null(rf_grant_item(g), kind_item(kind));

    /* ISSUED then RELEASED, in units, with the currency of money only. */
    rf_ledger_filter f = RF_LEDGER_FILTER_INIT;
    f.grant_id = rf_grant_id(g);
    rf_ledger_iter *it = NULL;
    rf_ledger_entry *e = NULL;
    assert_ok(rf_ledger_list(&it, fx->store, &f));
    static const rf_ledger_type types[] = {RF_LEDGER_ISSUED, RF_LEDGER_RELEASED};
    for (int i = 0; i < 2; i++) {
        assert_ok(rf_ledger_iter_next(&e, it));
        assert_int_equal(rf_ledger_entry_type(e), types[i]);
        assert_string_equal(rf_ledger_entry_party_id(e), referrer_id);
        assert_int_equal(rf_ledger_entry_amount(e), units);
        assert_int_equal(rf_ledger_entry_pending_delta(e), i == 0 ? units : -units);
        assert_int_equal(rf_ledger_entry_available_delta(e), i == 0 ? 0 : units);
        assert_string_or_null(rf_ledger_entry_currency(e), is_money(kind) ? "EUR" : NULL);
        assert_null(rf_ledger_entry_reference(e));
        assert_int_equal(rf_ledger_entry_at(e), fx->now);
        rf_ledger_entry_free(e);
    }
    assert_status(rf_ledger_iter_next(&e, it), RF_ITEROVER);
    rf_ledger_iter_free(it);

    rf_event *issued = event_about(fx, RF_EVENT_REWARD_ISSUED, 0, rf_grant_id(g));
    rf_event *released = event_about(fx, RF_EVENT_REWARD_RELEASED, 0, rf_grant_id(g));
    assert_string_equal(rf_event_object_id(issued), referrer_id);
    assert_string_equal(rf_event_object_id(released), referrer_id);
    assert_true(rf_event_seq(issued) < rf_event_seq(released));
    assert_null(strstr(rf_event_data(issued) != NULL ? rf_event_data(issued) : "", "compliance="));
    rf_event_free(issued);
    rf_event_free(released);
}

static void each_kind_is_granted(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_reward_rule *rules[REWARD_KIND_COUNT];
    for (int i = 0; i < REWARD_KIND_COUNT; i++) {
        rules[i] = simple_rule(fx, p, RF_RECIPIENT_REFERRER, reward_kinds[i], RF_REFERRAL_CLOSED);
    }
    rf_referral *r = refer_lead(fx, p, rf_party_id(ruth), RF_PAYER_SELF_PAY, NULL);
    drive_to(fx, &r, RF_REFERRAL_SEEN);
    assert_int_equal(count_grants(fx, NULL, NULL, NULL, 0), 0);
    fx->now += DAY;
    int64_t seq = last_seq(fx);
    drive_to(fx, &r, RF_REFERRAL_CLOSED);
    assert_int_equal(count_events_after(fx, RF_EVENT_REWARD_ISSUED, seq), 8);
    assert_int_equal(count_events_after(fx, RF_EVENT_REWARD_RELEASED, seq), 8);
    assert_int_equal(count_grants(fx, rf_party_id(ruth), rf_referral_id(r), NULL, 0), 8);
    for (int i = 0; i < REWARD_KIND_COUNT; i++) {
        rf_grant *g = the_grant(fx, rf_reward_rule_id(rules[i]), rf_referral_id(r));
        assert_int_equal(strlen(rf_grant_id(g)), 36);
        assert_string_equal(rf_grant_rule_id(g), rf_reward_rule_id(rules[i]));
        assert_string_equal(rf_grant_program_id(g), rf_program_id(p));
        assert_string_equal(rf_grant_referral_id(g), rf_referral_id(r));
        assert_released_at_once(fx, g, reward_kinds[i], rf_party_id(ruth));
        rf_grant *again = reload_grant(fx, g);
        assert_released_at_once(fx, again, reward_kinds[i], rf_party_id(ruth));
        rf_grant_free(again);
        rf_grant_free(g);
        rf_reward_rule_free(rules[i]);
    }
    /* Money in EUR (credit, discount, donation); four items; the note counts nothing. */
    assert_balance(fx, rf_party_id(ruth), "EUR", (ledger_sums){3000, 0, 3000, 0, 0, 0});
    assert_balance(fx, rf_party_id(ruth), NULL, (ledger_sums){4, 0, 4, 0, 0, 0});
    rf_balance *b = NULL;
    assert_ok(rf_reward_balance(&b, fx->store, rf_party_id(ruth)));
    assert_int_equal(rf_balance_count(b), 2);
    rf_balance_free(b);
    rf_referral_free(r);
    rf_party_free(ruth);
    rf_program_free(p);
}

static void dual_sided_offer(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_reward_rule_options o =
        rule_options(p, RF_RECIPIENT_REFEREE, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_SCHEDULED);
    o.name = "Friend's first session";
    o.amount = 1500;
    rf_reward_rule *friend_rule = add_rule(fx, &o);
    rf_reward_rule *referrer_rule =
        simple_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_CLOSED);
    rf_referral *r = refer_lead(fx, p, rf_party_id(ruth), RF_PAYER_UNSET, NULL);
    drive_to(fx, &r, RF_REFERRAL_ACCEPTED);
    assert_int_equal(count_grants(fx, NULL, NULL, NULL, 0), 0);
    fx->now += DAY;
    drive_to(fx, &r, RF_REFERRAL_SCHEDULED);
    rf_grant *g = the_grant(fx, rf_reward_rule_id(friend_rule), rf_referral_id(r));
    assert_string_equal(rf_grant_recipient_id(g), rf_referral_referee_id(r));
    assert_int_equal(rf_grant_recipient(g), RF_RECIPIENT_REFEREE);
    assert_int_equal(rf_grant_amount(g), 1500);
    assert_int_equal(rf_grant_tier_count(g), 0);
    assert_int_equal(rf_grant_get_status(g), RF_GRANT_AVAILABLE);
    assert_int_equal(count_grants(fx, rf_party_id(ruth), NULL, NULL, 0), 0);
    rf_grant_free(g);
    fx->now += DAY;
    drive_to(fx, &r, RF_REFERRAL_SEEN);
    assert_int_equal(count_grants(fx, NULL, NULL, NULL, 0), 1);
    fx->now += DAY;
    drive_to(fx, &r, RF_REFERRAL_CLOSED);
    g = the_grant(fx, rf_reward_rule_id(referrer_rule), rf_referral_id(r));
    assert_string_equal(rf_grant_recipient_id(g), rf_party_id(ruth));
    assert_int_equal(rf_grant_tier_count(g), 1);
    assert_int_equal(rf_grant_issued_at(g), T0 + 3 * DAY);
    rf_grant_free(g);
    assert_int_equal(count_grants(fx, NULL, NULL, NULL, 0), 2);
    assert_balance(fx, rf_party_id(ruth), "EUR", (ledger_sums){1000, 0, 1000, 0, 0, 0});
    assert_balance(fx, rf_referral_referee_id(r), "EUR", (ledger_sums){1500, 0, 1500, 0, 0, 0});
    rf_referral_free(r);
    rf_reward_rule_free(friend_rule);
    rf_reward_rule_free(referrer_rule);
    rf_party_free(ruth);
    rf_program_free(p);
}

static void staff_rule_with_and_without_a_practitioner(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_party *sam = add_party(fx, RF_PARTY_STAFF, "Dr Sam Staff", NULL, NULL);
    rf_reward_rule *rule = simple_rule(fx, p, RF_RECIPIENT_STAFF, RF_REWARD_GIFT, RF_REFERRAL_SEEN);
    rf_referral *taken = refer_lead(fx, p, rf_party_id(ruth), RF_PAYER_UNSET, rf_party_id(sam));
    drive_to(fx, &taken, RF_REFERRAL_SEEN);
    rf_grant *g = the_grant(fx, rf_reward_rule_id(rule), rf_referral_id(taken));
    assert_string_equal(rf_grant_recipient_id(g), rf_party_id(sam));
    assert_int_equal(rf_grant_recipient(g), RF_RECIPIENT_STAFF);
    assert_int_equal(rf_grant_kind(g), RF_REWARD_GIFT);
    assert_int_equal(rf_grant_tier_count(g), 0);
    rf_grant_free(g);
    assert_int_equal(count_events(fx, RF_EVENT_REWARD_SKIPPED), 0);
    assert_balance(fx, rf_party_id(sam), NULL, (ledger_sums){1, 0, 1, 0, 0, 0});

    /* Nobody took it: nothing granted, and the journal says why. */
    rf_referral *untaken = refer_lead(fx, p, rf_party_id(ruth), RF_PAYER_UNSET, NULL);
    drive_to(fx, &untaken, RF_REFERRAL_SCHEDULED);
    int64_t seq = last_seq(fx);
    drive_to(fx, &untaken, RF_REFERRAL_SEEN);
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(untaken), NULL, 0), 0);
    rf_event *ev = find_event(fx, RF_EVENT_REWARD_SKIPPED, seq);
    assert_non_null(ev);
    assert_data_has(ev, rf_reward_rule_id(rule));
    assert_data_has(ev, "reason=no_staff");
    assert_int_equal(count_events_after(fx, RF_EVENT_REWARD_ISSUED, seq), 0);
    rf_event_free(ev);
    assert_int_equal(count_entries(fx, NULL, NULL, 0), 2);
    rf_referral_free(taken);
    rf_referral_free(untaken);
    rf_reward_rule_free(rule);
    rf_party_free(ruth);
    rf_party_free(sam);
    rf_program_free(p);
}

static void outbound_referrals_earn_nothing(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "partners", 1, 0);
    rf_party *sam = add_party(fx, RF_PARTY_STAFF, "Dr Sam Staff", NULL, NULL);
    rf_party *patel = add_party(fx, RF_PARTY_PARTNER, "Dr Patel", NULL, NULL);
    rf_party *carla = add_party(fx, RF_PARTY_CLIENT, "Carla Client", NULL, NULL);
    for (int who = RF_RECIPIENT_REFERRER; who <= RF_RECIPIENT_STAFF; who++) {
        rf_reward_rule_free(
            simple_rule(fx, p, (rf_reward_recipient)who, RF_REWARD_ACCOUNT_CREDIT,
                        who == RF_RECIPIENT_REFERRER ? RF_REFERRAL_CLOSED : RF_REFERRAL_SCHEDULED));
    }
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(p);
    o.referee_id = rf_party_id(carla);
    o.direction = RF_DIRECTION_OUTBOUND;
    o.target_id = rf_party_id(patel);
    o.referrer_id = rf_party_id(sam);
    o.practitioner_id = rf_party_id(sam);
    rf_referral *r = NULL;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    int64_t seq = last_seq(fx);
    drive_to(fx, &r, RF_REFERRAL_CLOSED);
    assert_int_equal(count_grants(fx, NULL, NULL, NULL, 0), 0);
    assert_int_equal(count_entries(fx, NULL, NULL, 0), 0);
    assert_int_equal(count_events_after(fx, RF_EVENT_REWARD_SKIPPED, seq), 0);
    assert_int_equal(count_events_after(fx, RF_EVENT_REWARD_CAPPED, seq), 0);
    rf_referral_free(r);
    rf_party_free(sam);
    rf_party_free(patel);
    rf_party_free(carla);
    rf_program_free(p);
}

/* Rules apply to states reached from the time they are added; retired ones grant nothing. */
static void rules_added_and_retired_along_the_way(void **state)
{
    fixture *fx = *state;
    rf_program *p = reward_program(fx, "advocates", 0, 0);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    rf_referral *r = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_SEEN);
    /* Added after SCHEDULED was reached: nothing for it unless SCHEDULED is reached again. */
    rf_reward_rule *late = simple_rule(fx, p, RF_RECIPIENT_REFEREE, RF_REWARD_GIFT, RF_REFERRAL_SCHEDULED);
    rf_reward_rule *closing = simple_rule(fx, p, RF_RECIPIENT_REFERRER, RF_REWARD_GIFT, RF_REFERRAL_CLOSED);
    rf_reward_rule *retired =
        simple_rule(fx, p, RF_RECIPIENT_REFEREE, RF_REWARD_FIXED_DISCOUNT, RF_REFERRAL_CLOSED);
    /* A second referral earns the retired rule before it is retired. */
    rf_referral *early = referral_at(fx, p, rf_party_id(ruth), RF_REFERRAL_CLOSED);
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(early), rf_reward_rule_id(retired), 0), 1);
    assert_ok(rf_reward_rule_retire(NULL, fx->store, rf_reward_rule_id(retired)));
    fx->now += DAY;
    drive_to(fx, &r, RF_REFERRAL_CLOSED);
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(r), rf_reward_rule_id(closing), 0), 1);
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(r), rf_reward_rule_id(late), 0), 0);
    assert_int_equal(count_grants(fx, NULL, rf_referral_id(r), rf_reward_rule_id(retired), 0), 0);
    /* The retired rule's grant stands. */
    assert_int_equal(
        count_grants(fx, NULL, rf_referral_id(early), rf_reward_rule_id(retired), RF_GRANT_AVAILABLE), 1);
    rf_referral_free(r);
    rf_referral_free(early);
    rf_reward_rule_free(late);
    rf_reward_rule_free(closing);
    rf_reward_rule_free(retired);
    rf_party_free(ruth);
    rf_program_free(p);
}

/* The grant of @rule for @r became a thank-you note, and its event says why. */
static void assert_converted(fixture *fx, const rf_reward_rule *rule, const rf_referral *r, const char *why)
{
    rf_reward_kind was = rf_reward_rule_kind(rule);
    rf_grant *g = the_grant(fx, rf_reward_rule_id(rule), rf_referral_id(r));
    assert_int_equal(rf_grant_kind(g), RF_REWARD_THANK_YOU_NOTE);
    assert_int_equal(rf_grant_rule_kind(g), was);
    assert_int_equal(rf_grant_compliance(g), 1);
    assert_int_equal(rf_grant_amount(g), 0);
    assert_null(rf_grant_currency(g));
    assert_int_equal(rf_grant_percent(g), 0);
    assert_null(rf_grant_item(g));
    assert_int_equal(rf_grant_units(g), 0);
    assert_int_equal(rf_grant_remaining(g), 0);
    assert_int_equal(rf_grant_get_status(g), RF_GRANT_SETTLED);
    rf_event *ev = event_about(fx, RF_EVENT_REWARD_ISSUED, 0, rf_grant_id(g));
    char needle[64];
    snprintf(needle, sizeof needle, "compliance=%s", why);
    assert_data_has(ev, needle);
    snprintf(needle, sizeof needle, "was=%s", rf_reward_kind_name(was));
    assert_data_has(ev, needle);
    rf_event_free(ev);
    rf_grant_free(g);
}

/* The grant of @rule (made with rule_options()) for @r keeps the rule's kind
 * and terms, and its event names no compliance. */
static void assert_not_converted(fixture *fx, const rf_reward_rule *rule, const rf_referral *r)
{
    rf_reward_kind kind = rf_reward_rule_kind(rule);
    rf_grant *g = the_grant(fx, rf_reward_rule_id(rule), rf_referral_id(r));
    assert_int_equal(rf_grant_kind(g), kind);
    assert_int_equal(rf_grant_rule_kind(g), kind);
    assert_int_equal(rf_grant_compliance(g), 0);
    assert_int_equal(rf_grant_amount(g), is_money(kind) ? 1000 : 0);
    assert_int_equal(rf_grant_percent(g), kind == RF_REWARD_PERCENT_DISCOUNT ? 10 : 0);
    assert_int_equal(rf_grant_units(g), units_of(kind));
    rf_event *ev = event_about(fx, RF_EVENT_REWARD_ISSUED, 0, rf_grant_id(g));
    const char *data = rf_event_data(ev) != NULL ? rf_event_data(ev) : "";
    assert_null(strstr(data, "compliance="));
    rf_event_free(ev);
    rf_grant_free(g);
}

static void compliance_mode(void **state)
{
    fixture *fx = *state;
    rf_program *us = reward_program(fx, "US advocates", 0, 1);
    rf_program *off = reward_program(fx, "no compliance", 0, 0);
    rf_party *fed = add_payer_party(fx, RF_PARTY_CLIENT, "Fred Federal", RF_PAYER_FEDERAL);
    rf_party *pat = add_payer_party(fx, RF_PARTY_CLIENT, "Pat Private", RF_PAYER_PRIVATE_INSURANCE);
    rf_party *sam = add_party(fx, RF_PARTY_STAFF, "Dr Sam Staff", NULL, NULL);
    rf_reward_rule *credit =
        simple_rule(fx, us, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_CLOSED);
    rf_reward_rule *note =
        simple_rule(fx, us, RF_RECIPIENT_REFERRER, RF_REWARD_THANK_YOU_NOTE, RF_REFERRAL_CLOSED);
    rf_reward_rule *friend_pct =
        simple_rule(fx, us, RF_RECIPIENT_REFEREE, RF_REWARD_PERCENT_DISCOUNT, RF_REFERRAL_CLOSED);
    rf_reward_rule *staff_gift = simple_rule(fx, us, RF_RECIPIENT_STAFF, RF_REWARD_GIFT, RF_REFERRAL_CLOSED);
    rf_reward_rule *off_credit =
        simple_rule(fx, off, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_CLOSED);

    /* A federally insured referrer: the referrer's grant is covered; a private referee's is not. */
    rf_referral *a = refer_lead(fx, us, rf_party_id(fed), RF_PAYER_SELF_PAY, rf_party_id(sam));
    drive_to(fx, &a, RF_REFERRAL_CLOSED);
    assert_converted(fx, credit, a, "recipient");
    assert_not_converted(fx, note, a);
    assert_not_converted(fx, friend_pct, a);
    assert_not_converted(fx, staff_gift, a);
    /* The converted grant is worth nothing: no balance row for the referrer. */
    rf_balance *b = NULL;
    assert_ok(rf_reward_balance(&b, fx->store, rf_party_id(fed)));
    assert_int_equal(rf_balance_count(b), 0);
    rf_balance_free(b);
    assert_books(fx, rf_party_id(fed));

    /* A federally insured referee covers every grant of the referral: the referee's own as recipient. */
    rf_referral *c = refer_lead(fx, us, rf_party_id(pat), RF_PAYER_FEDERAL, rf_party_id(sam));
    drive_to(fx, &c, RF_REFERRAL_CLOSED);
    assert_converted(fx, credit, c, "referee");
    assert_converted(fx, friend_pct, c, "recipient");
    assert_converted(fx, staff_gift, c, "referee");
    assert_not_converted(fx, note, c);

    /* Both federally insured: the recipient is named first. */
    rf_referral *d = refer_lead(fx, us, rf_party_id(fed), RF_PAYER_FEDERAL, NULL);
    drive_to(fx, &d, RF_REFERRAL_CLOSED);
    assert_converted(fx, credit, d, "recipient");

    /* Nobody federally insured, or compliance mode off: nothing converted. */
    rf_referral *e = refer_lead(fx, us, rf_party_id(pat), RF_PAYER_PRIVATE_INSURANCE, NULL);
    drive_to(fx, &e, RF_REFERRAL_CLOSED);
    assert_not_converted(fx, credit, e);
    rf_referral *f = refer_lead(fx, off, rf_party_id(fed), RF_PAYER_FEDERAL, NULL);
    drive_to(fx, &f, RF_REFERRAL_CLOSED);
    assert_not_converted(fx, off_credit, f);
    assert_balance(fx, rf_party_id(fed), "EUR", (ledger_sums){1000, 0, 1000, 0, 0, 0});
    assert_books(fx, rf_party_id(pat));
    assert_books(fx, rf_party_id(sam));

    rf_referral *all[] = {a, c, d, e, f};
    for (int i = 0; i < 5; i++) {
        rf_referral_free(all[i]);
    }
    rf_reward_rule *rules[] = {credit, note, friend_pct, staff_gift, off_credit};
    for (int i = 0; i < 5; i++) {
        rf_reward_rule_free(rules[i]);
    }
    rf_party_free(fed);
    rf_party_free(pat);
    rf_party_free(sam);
    rf_program_free(us);
    rf_program_free(off);
}

const struct CMUnitTest reward_grant_cases[] = {
    CASE(each_kind_is_granted),
    CASE(dual_sided_offer),
    CASE(staff_rule_with_and_without_a_practitioner),
    CASE(outbound_referrals_earn_nothing),
    CASE(rules_added_and_retired_along_the_way),
    CASE(compliance_mode),
};
const size_t reward_grant_case_count = sizeof reward_grant_cases / sizeof reward_grant_cases[0];
