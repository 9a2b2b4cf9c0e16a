/* The KPI reference practice's rewards, and the check that the outbox, the
 * events, the asks and the ledger hold what the test's record says. Grants
 * follow from the record alone: every rule has tier 1, no cap, no compliance
 * mode, so a rule grants once per referral when its trigger state is first
 * reached; a referral that ends DECLINED, CANCELLED, LOST or ENTERED_IN_ERROR
 * reverses what is pending, and what was released where the programme claws
 * back. */
#include "kpi_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rule_spec {
    int program;
    rf_reward_recipient recipient;
    rf_referral_state trigger;
    rf_reward_kind kind;
    int64_t amount;
    const char *currency, *item;
    int hold_days;
} rule_spec;

static const rule_spec rules[KPI_RULES] = {
    {0, RF_RECIPIENT_REFERRER, RF_REFERRAL_SCHEDULED, RF_REWARD_ACCOUNT_CREDIT, 1500, "EUR", NULL, 0},
    /* A gift with its cost: an item, not money. */
    {0, RF_RECIPIENT_REFEREE, RF_REFERRAL_SEEN, RF_REWARD_GIFT, 2500, "EUR", "flowers", 0},
    {1, RF_RECIPIENT_REFERRER, RF_REFERRAL_SCHEDULED, RF_REWARD_FIXED_DISCOUNT, 1000, "GBP", NULL, 10},
    {1, RF_RECIPIENT_STAFF, RF_REFERRAL_CLOSED, RF_REWARD_CHARITY_DONATION, 700, "EUR", "Food bank", 0},
};

void kpi_make_rules(fixture *fx, kpi_practice *p)
{
    for (int i = 0; i < KPI_RULES; i++) {
        const rule_spec *r = &rules[i];
        rf_reward_rule_options o = RF_REWARD_RULE_OPTIONS_INIT;
        char name[32];
        snprintf(name, sizeof name, "KPI rule %d", i);
        o.program_id = rf_program_id(p->programs[r->program]);
        o.name = name;
        o.recipient = r->recipient;
        o.trigger = r->trigger;
        o.kind = r->kind;
        o.amount = r->amount;
        o.currency = r->currency;
        o.item = r->item;
        o.hold_days = r->hold_days;
        rf_reward_rule *made = NULL;
        assert_ok(rf_reward_rule_add(&made, fx->store, &o));
        rf_reward_rule_free(made);
    }
}

const char *kpi_rule_currency(int rule)
{
    return rules[rule].kind == RF_REWARD_GIFT ? NULL : rules[rule].currency;
}

int64_t kpi_rule_amount(int rule)
{
    return rules[rule].amount;
}

int kpi_grant_of(const kpi_practice *p, int ref, int rule, rf_time *issued, rf_time *reversed)
{
    const kpi_referral *r = &p->refs[ref];
    const rule_spec *spec = &rules[rule];
    *issued = *reversed = 0;
    if (r->id[0] == '\0' || r->outbound || r->program != spec->program || r->reached[spec->trigger] == 0 ||
        (spec->recipient == RF_RECIPIENT_STAFF && r->practitioner < 0)) {
        return 0;
    }
    *issued = r->reached[spec->trigger];
    int failed = r->state == RF_REFERRAL_DECLINED || r->state == RF_REFERRAL_CANCELLED ||
                 r->state == RF_REFERRAL_LOST || r->state == RF_REFERRAL_ENTERED_IN_ERROR;
    /* Held grants are never released here (nobody runs rf_rewards_process); released ones go back where
     * the programme claws back (programme 0). */
    if (failed && (spec->hold_days > 0 || spec->program == 0)) {
        *reversed = r->reached[r->state];
    }
    return 1;
}

/* The ledger's money by currency and type equals the grants foreseen. */
static void check_ledger(fixture *fx, const kpi_practice *p)
{
    int64_t want[2][2] = {{0, 0}, {0, 0}}, got[2][2] = {{0, 0}, {0, 0}}; /* [EUR, GBP][issued, reversed] */
    int64_t want_entries = 0, got_entries = 0;
    for (size_t i = 0; i < p->count; i++) {
        for (int k = 0; k < KPI_RULES; k++) {
            rf_time issued, reversed;
            if (!kpi_grant_of(p, (int)i, k, &issued, &reversed)) {
                continue;
            }
            want_entries += 2 + (reversed != 0) - (rules[k].hold_days > 0);
            const char *c = kpi_rule_currency(k);
            if (c != NULL) {
                int cur = strcmp(c, "GBP") == 0;
                want[cur][0] += rules[k].amount;
                want[cur][1] += reversed != 0 ? rules[k].amount : 0;
            }
        }
    }
    rf_ledger_iter *it = NULL;
    assert_ok(rf_ledger_list(&it, fx->store, NULL));
    rf_ledger_entry *e = NULL;
    while (rf_ledger_iter_next(&e, it) == RF_OK) {
        got_entries++;
        const char *c = rf_ledger_entry_currency(e);
        rf_ledger_type t = rf_ledger_entry_type(e);
        if (c != NULL && (t == RF_LEDGER_ISSUED || t == RF_LEDGER_REVERSED)) {
            got[strcmp(c, "GBP") == 0][t == RF_LEDGER_REVERSED] += rf_ledger_entry_amount(e);
        }
        rf_ledger_entry_free(e);
    }
    rf_ledger_iter_free(it);
    assert_int_equal(got_entries, want_entries);
    for (int c = 0; c < 2; c++) {
        assert_int_equal(got[c][0], want[c][0]);
        assert_int_equal(got[c][1], want[c][1]);
    }
    assert_true(want[0][1] > 0 && want[1][1] > 0); /* something was reversed in each currency */
}

static void check_outbox(fixture *fx, const kpi_practice *p)
{
    static const char *const prefixes[] = {"thank", "partner_visit", "partner_closure"};
    int sent_late = 0, sent_soon = 0, never = 0;
    for (size_t i = 0; i < p->count; i++) {
        const kpi_referral *r = &p->refs[i];
        for (int k = 0; r->id[0] != '\0' && k < 3; k++) {
            char key[128];
            snprintf(key, sizeof key, "%s:%s", prefixes[k], r->id);
            rf_task *t = task_by_key(fx, key);
            assert_int_equal(t != NULL, r->task[k]);
            assert_int_equal(t != NULL ? rf_task_sent_at(t) : 0, r->sent[k]);
            rf_task_free(t);
            sent_soon +=
                k == 0 && r->sent[0] != 0 && r->sent[0] - r->reached[RF_REFERRAL_RECEIVED] <= 48 * HOUR;
            sent_late += k == 0 && r->sent[0] - r->reached[RF_REFERRAL_RECEIVED] > 48 * HOUR;
            never += k == 0 && r->task[0] && r->sent[0] == 0;
        }
    }
    assert_true(sent_soon > 0 && sent_late > 0 && never > 0);
    int shared = 0, suppressed = 0;
    for (size_t i = 0; i < p->ask_count; i++) {
        const kpi_ask *a = &p->asks[i];
        rf_task *t = task_by_key(fx, a->key);
        assert_non_null(t);
        assert_int_equal(rf_task_get_state(t) == RF_TASK_SUPPRESSED, a->suppressed);
        assert_int_equal(rf_task_sent_at(t), a->sent_at);
        assert_int_equal(rf_task_created_at(t), a->created_at);
        assert_int_equal(rf_task_program_id(t) != NULL, 1);
        assert_string_equal(rf_task_program_id(t), rf_program_id(p->programs[a->program]));
        assert_string_equal(rf_task_party_id(t), p->parties[a->party].id);
        assert_int_equal(rf_task_channel(t), a->channel);
        rf_ask_outcome o = rf_task_outcome(t);
        assert_true(o == a->outcome || (a->outcome == RF_ASK_OUTCOME_UNSET && o == RF_ASK_SENT));
        shared += a->outcome == RF_ASK_SHARED || a->outcome == RF_ASK_REFERRED;
        suppressed += a->suppressed;
        rf_task_free(t);
    }
    assert_int_equal(count_tasks(fx, NULL, NULL, RF_TASK_ASK, RF_TASK_STATE_UNSET), (int)p->ask_count);
    assert_true(shared > 0 && suppressed > 0);
}

void kpi_check_people(fixture *fx, const kpi_practice *p)
{
    for (int i = 0; i < KPI_PARTIES; i++) {
        const kpi_party *w = &p->parties[i];
        if (w->id[0] == '\0') {
            continue; /* not yet made */
        }
        rf_party *got = NULL;
        assert_ok(rf_party_get(&got, fx->store, w->id));
        assert_int_equal(rf_party_get_kind(got), w->kind);
        assert_int_equal(rf_party_first_visit_at(got), w->first_visit);
        assert_int_equal(rf_party_created_at(got), w->created_at);
        rf_party_free(got);
    }
    rf_client_event_iter *it = NULL;
    assert_ok(rf_client_event_list(&it, fx->store, NULL));
    rf_client_event *e = NULL;
    size_t n = 0;
    while (rf_client_event_iter_next(&e, it) == RF_OK) {
        n++;
        rf_client_event_free(e);
    }
    rf_client_event_iter_free(it);
    assert_int_equal(n, p->event_count);
    check_outbox(fx, p);
    check_ledger(fx, p);
}
