/* Conformance: the fraud guards of inbound referrals. For each guard a case
 * that trips it under RF_FRAUD_BLOCK (refused, nothing changed) and under
 * RF_FRAUD_FLAG (made, with exactly that flag), and a case that must not trip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static const rf_fraud_action actions[] = {RF_FRAUD_BLOCK, RF_FRAUD_FLAG};
#define ACTION_COUNT (sizeof actions / sizeof actions[0])

static rf_program *guarded(fixture *fx, const char *name, rf_fraud_action action, int exclude_existing,
                           int velocity_cap)
{
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.name = name;
    o.fraud_action = action;
    o.exclude_existing_clients = exclude_existing;
    o.velocity_cap = velocity_cap;
    rf_program *p = NULL;
    assert_ok(rf_program_create(&p, fx->store, &o));
    return p;
}

static rf_referral_options named(const rf_program *program, const rf_party *referrer, const rf_party *referee)
{
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(program);
    o.referee_id = rf_party_id(referee);
    o.referrer_id = rf_party_id(referrer);
    o.source = RF_SOURCE_MANUAL;
    return o;
}

/* A MANUAL referral that must be made; returns it. */
static rf_referral *refer(fixture *fx, const rf_program *program, const rf_party *referrer,
                          const rf_party *referee)
{
    rf_referral_options o = named(program, referrer, referee);
    rf_referral *r = NULL;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    return r;
}

/* The newest journal event; free with rf_event_free(). */
static rf_event *newest_event(fixture *fx)
{
    int64_t seq = last_seq(fx);
    assert_true(seq > 0);
    rf_journal_iter *it = NULL;
    rf_event *ev = NULL;
    assert_ok(rf_journal_read(&it, fx->store, seq - 1));
    assert_ok(rf_journal_iter_next(&ev, it));
    rf_journal_iter_free(it);
    return ev;
}

/*
 * Try @o under the programme's action: under BLOCK the call fails with
 * RF_EPOLICY, its message names the guard (@needle) and nothing changes;
 * under FLAG the referral is made with exactly @flag set, and the journal says so.
 */
static void expect_guard(fixture *fx, rf_fraud_action action, const rf_referral_options *o, int flag,
                         const char *needle)
{
    rf_referral *r = NULL;
    if (action == RF_FRAUD_BLOCK) {
        char *before = snapshot(fx->store);
        fx->now += 1;
        assert_status(rf_referral_create(&r, fx->store, o), RF_EPOLICY);
        assert_null(r);
        assert_message_has("refuses this referral");
        assert_message_has(needle);
        assert_unchanged(fx->store, before);
        free(before);
        return;
    }
    assert_ok(rf_referral_create(&r, fx->store, o));
    if (rf_referral_fraud_flags(r) != flag) {
        print_error("fraud flags %d, expected exactly %d\n", rf_referral_fraud_flags(r), flag);
    }
    assert_int_equal(rf_referral_fraud_flags(r), flag);
    assert_int_equal(rf_referral_get_state(r), RF_REFERRAL_RECEIVED);
    rf_event *ev = newest_event(fx);
    if (strcmp(rf_event_type(ev), RF_EVENT_CODE_USED) == 0) {
        rf_event_free(ev);
        rf_journal_iter *it = NULL;
        assert_ok(rf_journal_read(&it, fx->store, last_seq(fx) - 2));
        assert_ok(rf_journal_iter_next(&ev, it));
        rf_journal_iter_free(it);
    }
    assert_string_equal(rf_event_type(ev), RF_EVENT_REFERRAL_RECEIVED);
    assert_string_equal(rf_event_subject_id(ev), rf_referral_id(r));
    char data[32];
    snprintf(data, sizeof data, ";flags=%d", flag);
    const char *d = rf_event_data(ev);
    assert_non_null(d);
    assert_true(strlen(d) >= strlen(data));
    assert_string_equal(d + strlen(d) - strlen(data), data);
    rf_event_free(ev);
    /* Stored as made. */
    rf_referral *again = NULL;
    assert_ok(rf_referral_get(&again, fx->store, rf_referral_id(r)));
    assert_int_equal(rf_referral_fraud_flags(again), flag);
    rf_referral_free(again);
    rf_referral_free(r);
}

/* Must be made, with no flag. */
static void expect_clean(fixture *fx, const rf_referral_options *o)
{
    rf_referral *r = NULL;
    assert_ok(rf_referral_create(&r, fx->store, o));
    assert_int_equal(rf_referral_fraud_flags(r), 0);
    rf_referral_free(r);
}

/* --- self-referral ------------------------------------------------------------------- */

static void self_referral(void **state)
{
    fixture *fx = *state;
    for (size_t i = 0; i < ACTION_COUNT; i++) {
        char name[32];
        snprintf(name, sizeof name, "self-%zu", i);
        rf_program *program = guarded(fx, name, actions[i], 1, 0);
        snprintf(name, sizeof name, "Lena Lead %zu", i);
        rf_party *lena = add_party(fx, RF_PARTY_LEAD, name, NULL, NULL);
        rf_code *own = issue_code(fx, rf_party_id(lena), RF_CODE_VANITY);
        /* Lena presents her own code. */
        rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
        o.program_id = rf_program_id(program);
        o.referee_id = rf_party_id(lena);
        o.code = rf_code_text(own);
        expect_guard(fx, actions[i], &o, RF_FRAUD_SELF_REFERRAL, "the referrer is the referee");

        /* Must not trip: a namesake is another person (parties, not names, are compared). */
        char email[64];
        snprintf(email, sizeof email, "jane.senior.%zu@example.org", i);
        rf_party *jane = add_party(fx, RF_PARTY_CLIENT, "Jane Doe", email, NULL);
        snprintf(email, sizeof email, "jane.junior.%zu@example.org", i);
        rf_party *namesake = add_party(fx, RF_PARTY_LEAD, "Jane Doe", email, NULL);
        rf_code *janes = issue_code(fx, rf_party_id(jane), RF_CODE_VANITY);
        o.referee_id = rf_party_id(namesake);
        o.code = rf_code_text(janes);
        expect_clean(fx, &o);
        rf_code_free(janes);
        rf_party_free(jane);
        rf_party_free(namesake);
        rf_code_free(own);
        rf_party_free(lena);
        rf_program_free(program);
    }
}

/* --- shared contact -------------------------------------------------------------------- */

static void shared_email_or_phone(void **state)
{
    fixture *fx = *state;
    for (size_t i = 0; i < ACTION_COUNT; i++) {
        char name[32];
        snprintf(name, sizeof name, "contact-%zu", i);
        rf_program *program = guarded(fx, name, actions[i], 1, 0);
        char email[64], email_variant[64];
        snprintf(email, sizeof email, "ruth.%zu@example.org", i);
        snprintf(email_variant, sizeof email_variant, "  Ruth.%zu@EXAMPLE.org", i);
        rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", email, NULL);
        rf_party *rob = add_party(fx, RF_PARTY_LEAD, "Rob Alias", email_variant, NULL);
        rf_referral_options o = named(program, ruth, rob);
        expect_guard(fx, actions[i], &o, RF_FRAUD_SHARED_CONTACT, "share an e-mail address or phone number");

        /* The same phone written two ways (the store's region is 44). */
        char intl[32], national[32];
        snprintf(intl, sizeof intl, "+44 20 7946 000%zu", i);
        snprintf(national, sizeof national, "020 7946 000%zu", i);
        rf_party *pam = add_party(fx, RF_PARTY_CLIENT, "Pam Phone", "pam@example.org", intl);
        rf_party *pat = add_party(fx, RF_PARTY_LEAD, "Pat Alias", "pat@example.org", national);
        assert_string_equal(rf_party_phone_key(pam), rf_party_phone_key(pat));
        o = named(program, pam, pat);
        expect_guard(fx, actions[i], &o, RF_FRAUD_SHARED_CONTACT, "share an e-mail address or phone number");
        rf_party_free(ruth);
        rf_party_free(rob);
        rf_party_free(pam);
        rf_party_free(pat);
        rf_program_free(program);
    }
}

static void a_family_sharing_a_home_is_not_fraud(void **state)
{
    fixture *fx = *state;
    for (size_t i = 0; i < ACTION_COUNT; i++) {
        char name[32], household[32];
        snprintf(name, sizeof name, "family-%zu", i);
        snprintf(household, sizeof household, "household-ipad-%zu", i);
        rf_program *program = guarded(fx, name, actions[i], 1, 0);
        rf_party *mother = add_party(fx, RF_PARTY_CLIENT, i == 0 ? "Maria Lopez" : "Marta Lopez",
                                     i == 0 ? "maria@example.org" : "marta@example.org", NULL);
        rf_party *son = add_party(fx, RF_PARTY_LEAD, i == 0 ? "Mateo Lopez" : "Marco Lopez",
                                  i == 0 ? "mateo@example.org" : "marco@example.org", NULL);
        rf_code *code = issue_code(fx, rf_party_id(mother), RF_CODE_VANITY);
        /* The mother shows her code on the family tablet; the son visits on it twice. */
        for (int k = 0; k < 2; k++) {
            fx->now += 3600;
            rf_touch *t = NULL;
            assert_ok(rf_touch_add(&t, fx->store, rf_code_text(code), household, NULL));
            rf_touch_free(t);
        }
        fx->now += DAY;
        rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
        o.program_id = rf_program_id(program);
        o.referee_id = rf_party_id(son);
        o.visitor_key = household;
        rf_referral *r = NULL;
        assert_ok(rf_referral_create(&r, fx->store, &o));
        assert_string_equal(rf_referral_referrer_id(r), rf_party_id(mother));
        assert_int_equal(rf_referral_get_source(r), RF_SOURCE_TOUCH);
        assert_int_equal(rf_referral_fraud_flags(r), 0);
        rf_referral_free(r);
        rf_code_free(code);
        rf_party_free(mother);
        rf_party_free(son);
        rf_program_free(program);
    }
}

/* --- existing clients ------------------------------------------------------------------- */

static void existing_client(void **state)
{
    fixture *fx = *state;
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    for (size_t i = 0; i < ACTION_COUNT; i++) {
        char name[32];
        snprintf(name, sizeof name, "excluding-%zu", i);
        rf_program *program = guarded(fx, name, actions[i], 1, 0);
        snprintf(name, sizeof name, "Carla Client %zu", i);
        rf_party *carla = add_party(fx, RF_PARTY_CLIENT, name, NULL, NULL);
        rf_referral_options o = named(program, ruth, carla);
        expect_guard(fx, actions[i], &o, RF_FRAUD_EXISTING_CLIENT, "already a client");
        rf_party_free(carla);
        rf_program_free(program);

        /* A programme that welcomes existing clients. */
        snprintf(name, sizeof name, "welcoming-%zu", i);
        program = guarded(fx, name, actions[i], 0, 0);
        snprintf(name, sizeof name, "Cleo Client %zu", i);
        rf_party *cleo = add_party(fx, RF_PARTY_CLIENT, name, NULL, NULL);
        o = named(program, ruth, cleo);
        expect_clean(fx, &o);
        rf_party_free(cleo);
        rf_program_free(program);
    }
    rf_party_free(ruth);
}

/* --- one attribution per referee ---------------------------------------------------------- */

/* A snapshot without its last line (the journal's sequence number). */
static char *snapshot_but_journal(rf_store *store)
{
    char *s = snapshot(store);
    char *journal = strstr(s, "journal ");
    assert_non_null(journal);
    *journal = '\0';
    return s;
}

static void referee_already_attributed(void **state)
{
    fixture *fx = *state;
    for (size_t i = 0; i < ACTION_COUNT; i++) {
        char name[32];
        snprintf(name, sizeof name, "attribution-%zu", i);
        rf_program *program = guarded(fx, name, actions[i], 1, 0);
        rf_party *ann = add_party(fx, RF_PARTY_CLIENT, "Ann First", NULL, NULL);
        rf_party *bob = add_party(fx, RF_PARTY_CLIENT, "Bob Second", NULL, NULL);
        rf_party *lee = add_party(fx, RF_PARTY_LEAD, "Lee Newman", NULL, NULL);
        rf_referral *first = refer(fx, program, ann, lee);

        char *before = snapshot_but_journal(fx->store);
        int64_t seq = last_seq(fx);
        int refused = count_events(fx, RF_EVENT_ATTRIBUTION_REFUSED);
        fx->now += 60;
        rf_referral_options o = named(program, bob, lee);
        rf_referral *r = first;
        assert_status(rf_referral_create(&r, fx->store, &o), RF_ECONFLICT);
        assert_null(r);
        assert_message_has("already attributed");
        assert_message_has(rf_referral_id(first));

        /* Only the attempt was journalled: one event about the referee. */
        char *after = snapshot_but_journal(fx->store);
        assert_string_equal(after, before);
        free(after);
        free(before);
        assert_int_equal(last_seq(fx), seq + 1);
        assert_int_equal(count_events(fx, RF_EVENT_ATTRIBUTION_REFUSED), refused + 1);
        rf_event *ev = newest_event(fx);
        assert_string_equal(rf_event_type(ev), RF_EVENT_ATTRIBUTION_REFUSED);
        assert_string_equal(rf_event_subject_id(ev), rf_party_id(lee));
        assert_string_equal(rf_event_object_id(ev), rf_party_id(bob));
        char held[64];
        snprintf(held, sizeof held, "held_by=%s", rf_referral_id(first));
        assert_string_equal(rf_event_data(ev), held);
        rf_event_free(ev);

        rf_referral *kept = NULL;
        assert_ok(rf_referral_get(&kept, fx->store, rf_referral_id(first)));
        assert_string_equal(rf_referral_referrer_id(kept), rf_party_id(ann));
        rf_referral_free(kept);

        /* Entered in error, the first referral gives the attribution up. */
        assert_ok(advance_to(fx, &first, RF_REFERRAL_ENTERED_IN_ERROR));
        fx->now += 60;
        rf_referral *second = refer(fx, program, bob, lee);
        assert_string_equal(rf_referral_referrer_id(second), rf_party_id(bob));
        assert_int_equal(rf_referral_fraud_flags(second), 0);
        rf_referral_free(second);
        rf_referral_free(first);
        rf_party_free(ann);
        rf_party_free(bob);
        rf_party_free(lee);
        rf_program_free(program);
    }
}

/* --- loops ------------------------------------------------------------------------------------ */

static void loops_of_any_length(void **state)
{
    fixture *fx = *state;
    for (size_t i = 0; i < ACTION_COUNT; i++) {
        char name[32];
        snprintf(name, sizeof name, "loops-%zu", i);
        /* Existing clients welcome, so only the loop can trip. */
        rf_program *program = guarded(fx, name, actions[i], 0, 0);

        /* A → B, B → C, then C refers A. */
        rf_party *a = add_party(fx, RF_PARTY_CLIENT, "Alice A", NULL, NULL);
        rf_party *b = add_party(fx, RF_PARTY_LEAD, "Bea B", NULL, NULL);
        rf_party *c = add_party(fx, RF_PARTY_LEAD, "Cas C", NULL, NULL);
        rf_referral *ab = refer(fx, program, a, b);
        rf_referral *bc = refer(fx, program, b, c);
        rf_referral_options o = named(program, c, a);
        expect_guard(fx, actions[i], &o, RF_FRAUD_LOOP, "(a loop)");

        /* D → E, then E refers D. */
        rf_party *d = add_party(fx, RF_PARTY_CLIENT, "Dan D", NULL, NULL);
        rf_party *e = add_party(fx, RF_PARTY_LEAD, "Eve E", NULL, NULL);
        rf_referral *de = refer(fx, program, d, e);
        o = named(program, e, d);
        expect_guard(fx, actions[i], &o, RF_FRAUD_LOOP, "(a loop)");

        rf_referral_free(ab);
        rf_referral_free(bc);
        rf_referral_free(de);
        rf_party_free(a);
        rf_party_free(b);
        rf_party_free(c);
        rf_party_free(d);
        rf_party_free(e);
        rf_program_free(program);
    }
}

static void trees_and_loops_through_errors_are_fine(void **state)
{
    fixture *fx = *state;
    for (size_t i = 0; i < ACTION_COUNT; i++) {
        char name[32];
        snprintf(name, sizeof name, "trees-%zu", i);
        rf_program *program = guarded(fx, name, actions[i], 0, 0);

        /* A tree: A → B, A → C, B → D, then C → E. E has already referred X, and
         * nothing leads from E back to C. */
        rf_party *a = add_party(fx, RF_PARTY_CLIENT, "Alice A", NULL, NULL);
        rf_party *b = add_party(fx, RF_PARTY_LEAD, "Bea B", NULL, NULL);
        rf_party *c = add_party(fx, RF_PARTY_LEAD, "Cas C", NULL, NULL);
        rf_party *d = add_party(fx, RF_PARTY_LEAD, "Dan D", NULL, NULL);
        rf_party *e = add_party(fx, RF_PARTY_LEAD, "Eve E", NULL, NULL);
        rf_party *x = add_party(fx, RF_PARTY_LEAD, "Xan X", NULL, NULL);
        rf_referral *ab = refer(fx, program, a, b);
        rf_referral *ac = refer(fx, program, a, c);
        rf_referral *bd = refer(fx, program, b, d);
        rf_referral *ex = refer(fx, program, e, x);
        assert_int_equal(rf_referral_fraud_flags(ab) | rf_referral_fraud_flags(ac) |
                             rf_referral_fraud_flags(bd) | rf_referral_fraud_flags(ex),
                         0);
        rf_referral_options o = named(program, c, e);
        expect_clean(fx, &o);

        /* F → G, G → H; G → H was entered in error, so H referring F closes no loop. */
        rf_party *f = add_party(fx, RF_PARTY_CLIENT, "Fay F", NULL, NULL);
        rf_party *g = add_party(fx, RF_PARTY_LEAD, "Gus G", NULL, NULL);
        rf_party *h = add_party(fx, RF_PARTY_LEAD, "Hal H", NULL, NULL);
        rf_referral *fg = refer(fx, program, f, g);
        rf_referral *gh = refer(fx, program, g, h);
        assert_ok(advance_to(fx, &gh, RF_REFERRAL_ENTERED_IN_ERROR));
        o = named(program, h, f);
        expect_clean(fx, &o);

        rf_referral_free(ab);
        rf_referral_free(ac);
        rf_referral_free(bd);
        rf_referral_free(ex);
        rf_referral_free(fg);
        rf_referral_free(gh);
        rf_party *all[] = {a, b, c, d, e, f, g, h, x};
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
            rf_party_free(all[k]);
        }
        rf_program_free(program);
    }
}

/* --- velocity ------------------------------------------------------------------------------------ */

static rf_party *new_lead(fixture *fx)
{
    static unsigned counter;
    char name[32];
    snprintf(name, sizeof name, "Velocity Lead %u", ++counter);
    return add_party(fx, RF_PARTY_LEAD, name, NULL, NULL);
}

static void velocity_cap(void **state)
{
    fixture *fx = *state;
    for (size_t i = 0; i < ACTION_COUNT; i++) {
        fx->now = T0 + (rf_time)i * 400 * DAY;
        char name[32];
        snprintf(name, sizeof name, "velocity-%zu", i);
        rf_program *program = guarded(fx, name, actions[i], 1, 2);
        assert_int_equal(rf_program_velocity_window_days(program), 30);
        rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
        rf_party *bob = add_party(fx, RF_PARTY_CLIENT, "Bob Other", NULL, NULL);
        rf_time start = fx->now;

        rf_party *l1 = new_lead(fx), *l2 = new_lead(fx), *l3 = new_lead(fx), *l4 = new_lead(fx);
        rf_referral *r1 = refer(fx, program, ruth, l1);
        fx->now = start + DAY;
        rf_referral *r2 = refer(fx, program, ruth, l2);
        assert_int_equal(rf_referral_fraud_flags(r1) | rf_referral_fraud_flags(r2), 0);
        /* The third in 30 days. */
        fx->now = start + 2 * DAY;
        rf_referral_options o = named(program, ruth, l3);
        expect_guard(fx, actions[i], &o, RF_FRAUD_VELOCITY, "velocity cap");
        /* Another referrer has a cap of their own. */
        o = named(program, bob, l4);
        expect_clean(fx, &o);

        /* 31 days on, the earlier ones have left the window. */
        fx->now = start + 2 * DAY + 31 * DAY;
        rf_party *l5 = new_lead(fx);
        o = named(program, ruth, l5);
        expect_clean(fx, &o);

        rf_referral_free(r1);
        rf_referral_free(r2);
        rf_party *all[] = {ruth, bob, l1, l2, l3, l4, l5};
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
            rf_party_free(all[k]);
        }
        rf_program_free(program);
    }
}

static void velocity_ignores_referrals_entered_in_error(void **state)
{
    fixture *fx = *state;
    for (size_t i = 0; i < ACTION_COUNT; i++) {
        char name[32];
        snprintf(name, sizeof name, "velocity-eie-%zu", i);
        rf_program *program = guarded(fx, name, actions[i], 1, 2);
        rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
        rf_party *l1 = new_lead(fx), *l2 = new_lead(fx), *l3 = new_lead(fx), *l4 = new_lead(fx);
        rf_referral *r1 = refer(fx, program, ruth, l1);
        fx->now += 60;
        rf_referral *r2 = refer(fx, program, ruth, l2);
        assert_ok(advance_to(fx, &r2, RF_REFERRAL_ENTERED_IN_ERROR));
        fx->now += 60;
        rf_referral_options o = named(program, ruth, l3);
        expect_clean(fx, &o);
        /* Two live ones now: the next trips. */
        fx->now += 60;
        o = named(program, ruth, l4);
        expect_guard(fx, actions[i], &o, RF_FRAUD_VELOCITY, "velocity cap");
        rf_referral_free(r1);
        rf_referral_free(r2);
        rf_party *all[] = {ruth, l1, l2, l3, l4};
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
            rf_party_free(all[k]);
        }
        rf_program_free(program);
    }
}

const struct CMUnitTest guard_cases[] = {
    CASE(self_referral),
    CASE(shared_email_or_phone),
    CASE(a_family_sharing_a_home_is_not_fraud),
    CASE(existing_client),
    CASE(referee_already_attributed),
    CASE(loops_of_any_length),
    CASE(trees_and_loops_through_errors_are_fine),
    CASE(velocity_cap),
    CASE(velocity_ignores_referrals_entered_in_error),
};
const size_t guard_case_count = sizeof guard_cases / sizeof guard_cases[0];
