/* Filling and reading one practice of the tenancy test (see tenancy.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenancy.h"

static rf_time practice_clock(void *ctx)
{
    return ((fixture *)ctx)->now;
}

void practice_open(practice *p, const char *uri, const char *name, uint64_t seed, int extra)
{
    memset(p, 0, sizeof *p);
    p->name = name;
    p->extra = extra;
    p->fx.now = T0;
    p->fx.backend = "tenancy";
    rf_store_options opts = RF_STORE_OPTIONS_INIT;
    opts.practice = name;
    opts.phone_region = "44";
    opts.clock = practice_clock;
    opts.clock_ctx = &p->fx;
    /* Seeds apart, so that equal ids in the two practices cannot hide a leak. */
    opts.seed = seed;
    assert_ok(rf_store_open(&p->fx.store, uri, &opts));
    assert_string_equal(rf_store_practice(p->fx.store), name);
}

void practice_close(practice *p)
{
    rf_store_free(p->fx.store);
    p->fx.store = NULL;
}

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

static rf_party *party_with_external_id(practice *p, rf_party_kind kind, const char *name,
                                        const char *external)
{
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = kind;
    o.display_name = name;
    o.external_id = external;
    rf_party *party = NULL;
    assert_ok(rf_party_add(&party, p->fx.store, &o));
    return party;
}

void practice_fill(practice *p)
{
    fixture *fx = &p->fx;
    snprintf(p->program_name, sizeof p->program_name, "Advocates of %s", p->name);
    rf_program *program = outbox_program(fx, p->program_name);
    COPY(p->program_id, rf_program_id(program));
    rf_reward_rule *rule =
        simple_rule(fx, program, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_CLOSED);
    COPY(p->rule_id, rf_reward_rule_id(rule));

    rf_party *staff = add_party(fx, RF_PARTY_STAFF, "Dr Priya Patel", NULL, NULL);
    COPY(p->staff_id, rf_party_id(staff));
    rf_party *jane = contactable_client(fx, "Jane Doe", T0 - 400 * DAY);
    COPY(p->jane_id, rf_party_id(jane));
    rf_party_free(party_with_external_id(p, RF_PARTY_CLIENT, "Sam Shared", "pms-1"));
    snprintf(p->own_external_id, sizeof p->own_external_id, "pms-%s", p->name);
    rf_party_free(party_with_external_id(p, RF_PARTY_PARTNER, "Elm Street Surgery", p->own_external_id));

    rf_code *vanity = issue_code(fx, p->jane_id, RF_CODE_VANITY);
    assert_string_equal(rf_code_text(vanity), "jane-doe");
    COPY(p->vanity_id, rf_code_id(vanity));
    rf_code *short_code = issue_code(fx, p->jane_id, RF_CODE_SHORT);
    COPY(p->short_text, rf_code_text(short_code));
    COPY(p->short_id, rf_code_id(short_code));
    rf_touch_options to = RF_TOUCH_OPTIONS_INIT;
    to.idempotency_key = "touch-1";
    rf_touch *touch = NULL;
    assert_ok(rf_touch_add(&touch, fx->store, p->short_text, "visitor-1", &to));
    rf_touch_free(touch);

    fx->now += HOUR;
    rf_referral *closed = refer(fx, program, p->jane_id, RF_SOURCE_MANUAL, RF_URGENCY_UNSET, p->staff_id, 1);
    COPY(p->closed_id, rf_referral_id(closed));
    assert_ok(advance_with(fx, &closed, RF_REFERRAL_ACCEPTED, fx->now + DAY, "accept-1"));
    drive_to(fx, &closed, RF_REFERRAL_CLOSED);
    rf_grant *grant = the_grant(fx, p->rule_id, p->closed_id);
    COPY(p->grant_id, rf_grant_id(grant));
    unsigned released = 0, expired = 0;
    assert_ok(rf_rewards_process(&released, &expired, fx->store, fx->now + DAY));
    int64_t redeemed = 0;
    assert_ok(redeem(fx, &redeemed, p->grant_id, NULL, NULL, 100, "INV-1", "redeem-1"));
    assert_int_equal(redeemed, 100);

    fx->now += HOUR;
    rf_referral *open = refer(fx, program, p->jane_id, RF_SOURCE_MANUAL, RF_URGENCY_UNSET, NULL, 1);
    COPY(p->open_id, rf_referral_id(open));
    rf_task *thanks = only_task(fx, p->jane_id, p->open_id, RF_TASK_THANK_REFERRER);
    COPY(p->task_id, rf_task_id(thanks));
    p->referrals = 2;
    for (int i = 0; i < p->extra; i++) {
        rf_referral_free(refer(fx, program, p->jane_id, RF_SOURCE_MANUAL, RF_URGENCY_UNSET, NULL, 0));
        p->referrals++;
    }

    rf_client_event *nps = record_event(fx, p->jane_id, RF_CLIENT_EVENT_NPS, 10, NULL);
    COPY(p->event_id, rf_client_event_id(nps));
    char body[96];
    snprintf(body, sizeof body, "Thank you, from everyone at %s.", p->name);
    rf_template_options tpl = RF_TEMPLATE_OPTIONS_INIT;
    tpl.program_id = p->program_id;
    tpl.name = rf_template_name_at(0);
    tpl.subject = p->name;
    tpl.body = body;
    tpl.idempotency_key = "template-1";
    rf_template *saved = NULL;
    assert_ok(rf_template_save(&saved, fx->store, &tpl));

    rf_template_free(saved);
    rf_client_event_free(nps);
    rf_task_free(thanks);
    rf_referral_free(open);
    rf_grant_free(grant);
    rf_referral_free(closed);
    rf_code_free(short_code);
    rf_code_free(vanity);
    rf_party_free(jane);
    rf_party_free(staff);
    rf_reward_rule_free(rule);
    rf_program_free(program);
}

static void add_id(practice *p, const char *id)
{
    if (id == NULL) {
        return;
    }
    for (size_t i = 0; i < p->id_count; i++) {
        if (strcmp(p->ids[i], id) == 0) {
            return;
        }
    }
    assert_true(p->id_count < TENANCY_MAX_IDS);
    COPY(p->ids[p->id_count], id);
    p->id_count++;
}

void practice_collect_ids(practice *p)
{
    rf_store *store = p->fx.store;
    p->id_count = 0;
    rf_party_iter *pit = NULL;
    rf_party *party = NULL;
    assert_ok(rf_party_list(&pit, store, NULL));
    while (rf_party_iter_next(&party, pit) == RF_OK) {
        add_id(p, rf_party_id(party));
        rf_code_iter *cit = NULL;
        rf_code *code = NULL;
        assert_ok(rf_code_list(&cit, store, rf_party_id(party)));
        while (rf_code_iter_next(&code, cit) == RF_OK) {
            add_id(p, rf_code_id(code));
            rf_code_free(code);
        }
        rf_code_iter_free(cit);
        rf_party_free(party);
    }
    rf_party_iter_free(pit);
    rf_program_iter *prit = NULL;
    rf_program *program = NULL;
    assert_ok(rf_program_list(&prit, store));
    while (rf_program_iter_next(&program, prit) == RF_OK) {
        add_id(p, rf_program_id(program));
        rf_reward_rule_iter *rit = NULL;
        rf_reward_rule *rule = NULL;
        assert_ok(rf_reward_rule_list(&rit, store, rf_program_id(program)));
        while (rf_reward_rule_iter_next(&rule, rit) == RF_OK) {
            add_id(p, rf_reward_rule_id(rule));
            rf_reward_rule_free(rule);
        }
        rf_reward_rule_iter_free(rit);
        rf_program_free(program);
    }
    rf_program_iter_free(prit);
    rf_referral_iter *rit = NULL;
    rf_referral *r = NULL;
    assert_ok(rf_referral_list(&rit, store, NULL));
    while (rf_referral_iter_next(&r, rit) == RF_OK) {
        add_id(p, rf_referral_id(r));
        add_id(p, rf_referral_touch_id(r));
        rf_referral_free(r);
    }
    rf_referral_iter_free(rit);
    rf_grant_iter *git = NULL;
    rf_grant *g = NULL;
    assert_ok(rf_grant_list(&git, store, NULL));
    while (rf_grant_iter_next(&g, git) == RF_OK) {
        add_id(p, rf_grant_id(g));
        rf_grant_free(g);
    }
    rf_grant_iter_free(git);
    rf_ledger_iter *lit = NULL;
    rf_ledger_entry *e = NULL;
    assert_ok(rf_ledger_list(&lit, store, NULL));
    while (rf_ledger_iter_next(&e, lit) == RF_OK) {
        add_id(p, rf_ledger_entry_id(e));
        rf_ledger_entry_free(e);
    }
    rf_ledger_iter_free(lit);
    rf_client_event_iter *eit = NULL;
    rf_client_event *ev = NULL;
    assert_ok(rf_client_event_list(&eit, store, NULL));
    while (rf_client_event_iter_next(&ev, eit) == RF_OK) {
        add_id(p, rf_client_event_id(ev));
        rf_client_event_free(ev);
    }
    rf_client_event_iter_free(eit);
    rf_task_iter *tit = NULL;
    rf_task *t = NULL;
    assert_ok(rf_task_list(&tit, store, NULL));
    while (rf_task_iter_next(&t, tit) == RF_OK) {
        add_id(p, rf_task_id(t));
        rf_task_free(t);
    }
    rf_task_iter_free(tit);
}

static void put_templates(char **text, rf_store *store, const char *program_id)
{
    for (size_t i = 0; rf_template_name_at(i) != NULL; i++) {
        rf_template *t = NULL;
        assert_ok(rf_template_get(&t, store, program_id, rf_template_name_at(i)));
        const char *subject = rf_template_subject(t);
        size_t len = strlen(*text), add = strlen(rf_template_body(t)) + (subject ? strlen(subject) : 1) + 160;
        *text = realloc(*text, len + add);
        assert_non_null(*text);
        snprintf(*text + len, add, "template %s %s %d %lld %s %s\n", rf_template_name(t),
                 program_id ? program_id : "-", rf_template_get_source(t),
                 (long long)rf_template_updated_at(t), subject ? subject : "-", rf_template_body(t));
        rf_template_free(t);
    }
}

char *practice_snapshot(practice *p)
{
    char *text = snapshot(p->fx.store);
    put_templates(&text, p->fx.store, NULL);
    put_templates(&text, p->fx.store, p->program_id);
    return text;
}

void assert_shows_none_of(practice *p, const practice *other)
{
    char *text = practice_snapshot(p);
    for (size_t i = 0; i < other->id_count; i++) {
        if (strstr(text, other->ids[i]) != NULL) {
            print_error("practice %s shows %s of practice %s\n", p->name, other->ids[i], other->name);
            fail();
        }
    }
    free(text);
}
