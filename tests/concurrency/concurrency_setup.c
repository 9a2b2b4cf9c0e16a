/* The practice every worker shares: one programme with a referee reward at
 * SCHEDULED (held a day, expiring three days later), a three-step referrer
 * ladder at SEEN (tiers 1, 3 and 5; the upper two held), clawback on; a pool
 * of referrers with codes and a pool of referees, all reachable. */
#include <stdio.h>
#include <string.h>

#include "concurrency.h"

const conc_rule_spec conc_rules[CONC_RULES] = {
    {RF_RECIPIENT_REFEREE, RF_REFERRAL_SCHEDULED, RF_REWARD_FIXED_DISCOUNT, 2000, 0, 1, 3},
    {RF_RECIPIENT_REFERRER, RF_REFERRAL_SEEN, RF_REWARD_ACCOUNT_CREDIT, 1000, 1, 0, 0},
    {RF_RECIPIENT_REFERRER, RF_REFERRAL_SEEN, RF_REWARD_ACCOUNT_CREDIT, 2500, 3, 1, 4},
    {RF_RECIPIENT_REFERRER, RF_REFERRAL_SEEN, RF_REWARD_ACCOUNT_CREDIT, 5000, 5, 2, 0},
};

const char *const conc_op_names[CONC_OP_COUNT] = {"touch",  "create", "advance", "process",
                                                  "redeem", "drain",  "event"};

static rf_time world_clock(void *ctx)
{
    return *(const rf_time *)ctx;
}

rf_status conc_open(rf_store **out, const conc_world *w, uint64_t seed, rf_time *clock)
{
    rf_store_options o = RF_STORE_OPTIONS_INIT;
    o.practice = "elm-street";
    o.clock = world_clock;
    o.clock_ctx = clock;
    o.seed = seed;
    return rf_store_open(out, w->uri, &o);
}

static int fail(const char *what)
{
    const rf_error *e = rf_error_last();
    printf("setup: %s failed: %s (%s)\n", what, rf_strerror(e->code), e->message);
    return -1;
}

static int add_rules(rf_store *store, conc_world *w)
{
    for (int i = 0; i < CONC_RULES; i++) {
        const conc_rule_spec *s = &conc_rules[i];
        char name[48];
        snprintf(name, sizeof name, "rule %d", i);
        rf_reward_rule_options o = RF_REWARD_RULE_OPTIONS_INIT;
        o.program_id = w->program_id;
        o.name = name;
        o.recipient = s->recipient;
        o.trigger = s->trigger;
        o.kind = s->kind;
        o.amount = s->amount;
        o.currency = CONC_CURRENCY;
        o.hold_days = s->hold_days;
        o.expiry_days = s->expiry_days;
        if (s->tier > 0) {
            o.tier = s->tier;
        }
        rf_reward_rule *rule = NULL;
        if (rf_reward_rule_add(&rule, store, &o) != RF_OK) {
            return fail("rf_reward_rule_add");
        }
        snprintf(w->rule_id[i], RF_ID_BUFSIZE, "%s", rf_reward_rule_id(rule));
        rf_reward_rule_free(rule);
    }
    return 0;
}

static int add_party(rf_store *store, rf_party_kind kind, int i, char id[RF_ID_BUFSIZE])
{
    char name[48], email[64];
    int referrer = kind == RF_PARTY_CLIENT;
    snprintf(name, sizeof name, "%s %d", referrer ? "Referrer" : "Lead", i);
    snprintf(email, sizeof email, "%s%d@example.com", referrer ? "referrer" : "lead", i);
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = kind;
    o.display_name = name;
    o.email = email;
    o.consent = referrer ? RF_CONSENT_CONTACT | RF_CONSENT_NAMED : RF_CONSENT_CONTACT;
    rf_party *p = NULL;
    if (rf_party_add(&p, store, &o) != RF_OK) {
        return fail("rf_party_add");
    }
    snprintf(id, RF_ID_BUFSIZE, "%s", rf_party_id(p));
    rf_party_free(p);
    return 0;
}

static int add_people(rf_store *store, conc_world *w)
{
    for (int i = 0; i < CONC_REFERRERS; i++) {
        if (add_party(store, RF_PARTY_CLIENT, i, w->referrer_id[i]) != 0) {
            return -1;
        }
        rf_code_options co = RF_CODE_OPTIONS_INIT;
        co.program_id = w->program_id;
        co.channel = RF_CHANNEL_LINK;
        rf_code *code = NULL;
        if (rf_code_issue(&code, store, w->referrer_id[i], &co) != RF_OK) {
            return fail("rf_code_issue");
        }
        snprintf(w->referrer_code[i], sizeof w->referrer_code[i], "%s", rf_code_text(code));
        rf_code_free(code);
    }
    for (int i = 0; i < CONC_REFEREES; i++) {
        if (add_party(store, RF_PARTY_LEAD, i, w->referee_id[i]) != 0) {
            return -1;
        }
    }
    return 0;
}

int conc_setup(conc_world *w)
{
    rf_time clock = CONC_T0;
    rf_store *store = NULL;
    if (conc_open(&store, w, 1, &clock) != RF_OK) {
        return fail("rf_store_open");
    }
    int rc = rf_store_begin(store) == RF_OK ? 0 : fail("rf_store_begin");
    rf_program_options po = RF_PROGRAM_OPTIONS_INIT;
    po.name = "Client advocates";
    po.clawback = 1;
    rf_program *program = NULL;
    if (rc == 0 && rf_program_create(&program, store, &po) != RF_OK) {
        rc = fail("rf_program_create");
    }
    if (rc == 0) {
        snprintf(w->program_id, sizeof w->program_id, "%s", rf_program_id(program));
        rc = add_rules(store, w);
    }
    rf_program_free(program);
    if (rc == 0) {
        rc = add_people(store, w);
    }
    if (rc == 0 && rf_store_commit(store) != RF_OK) {
        rc = fail("rf_store_commit");
    }
    /* No connection may cross fork(): close before the workers start. */
    rf_store_free(store);
    return rc;
}
