/* Conformance: referral codes. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void vanity_slugs_count_up(void **state)
{
    fixture *fx = *state;
    const char *expected[] = {"jane-doe", "jane-doe-2", "jane-doe-3"};
    for (int i = 0; i < 3; i++) {
        rf_party *p = add_party(fx, RF_PARTY_CLIENT, "Jane Doe", NULL, NULL);
        rf_code *c = issue_code(fx, rf_party_id(p), RF_CODE_STYLE_UNSET);
        assert_string_equal(rf_code_text(c), expected[i]);
        assert_int_equal(rf_code_get_style(c), RF_CODE_VANITY);
        assert_string_equal(rf_code_owner_id(c), rf_party_id(p));
        assert_int_equal(rf_code_created_at(c), T0);
        assert_int_equal(rf_code_state_at(c, T0), RF_CODE_ACTIVE);
        rf_code_free(c);
        rf_party_free(p);
    }
}

static void accented_names_fold_and_others_fall_back(void **state)
{
    fixture *fx = *state;
    rf_party *zoe = add_party(fx, RF_PARTY_CLIENT, "Zoë Müller", NULL, NULL);
    rf_code *c = issue_code(fx, rf_party_id(zoe), RF_CODE_VANITY);
    assert_string_equal(rf_code_text(c), "zoe-muller");
    rf_code_free(c);

    rf_party *ivan = add_party(fx, RF_PARTY_CLIENT, "Иван Петров", NULL, NULL);
    c = issue_code(fx, rf_party_id(ivan), RF_CODE_VANITY);
    assert_int_equal(rf_code_get_style(c), RF_CODE_SHORT);
    assert_int_equal(strlen(rf_code_text(c)), 9);
    assert_int_equal(rf_code_text(c)[4], '-');
    rf_code_free(c);

    rf_code_options o = RF_CODE_OPTIONS_INIT;
    o.vanity_base = "Zoë's Run Club";
    assert_ok(rf_code_issue(&c, fx->store, rf_party_id(zoe), &o));
    assert_string_equal(rf_code_text(c), "zoes-run-club");
    rf_code_free(c);
    rf_party_free(zoe);
    rf_party_free(ivan);
}

/* Swap one character for a look-alike the fold maps to the same symbol. */
static void lookalike(char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '0') {
            *s = 'o';
        } else if (*s == '1') {
            *s = 'l';
        } else {
            *s = (char)tolower((unsigned char)*s);
        }
    }
}

static void short_codes_resolve_however_typed(void **state)
{
    fixture *fx = *state;
    rf_party *p = add_party(fx, RF_PARTY_PARTNER, "Elm Street Surgery", NULL, NULL);
    for (int i = 0; i < 20; i++) {
        rf_code *c = issue_code(fx, rf_party_id(p), RF_CODE_SHORT);
        char typed[32];
        snprintf(typed, sizeof typed, "%s", rf_code_text(c));
        lookalike(typed);
        rf_code *found = NULL;
        assert_ok(rf_code_resolve(&found, fx->store, typed));
        assert_string_equal(rf_code_id(found), rf_code_id(c));
        assert_string_equal(rf_code_owner_id(found), rf_party_id(p));
        rf_code_free(found);

        /* Without the hyphen, with spaces around. */
        char bare[40];
        snprintf(bare, sizeof bare, "  %.4s%s ", rf_code_text(c), rf_code_text(c) + 5);
        assert_ok(rf_code_lookup(&found, fx->store, bare));
        assert_string_equal(rf_code_id(found), rf_code_id(c));
        rf_code_free(found);
        rf_code_free(c);
    }
    rf_party_free(p);
}

static void vanity_lookup_folds(void **state)
{
    fixture *fx = *state;
    rf_party *p = add_party(fx, RF_PARTY_CLIENT, "Jane Doe", NULL, NULL);
    rf_code *c = issue_code(fx, rf_party_id(p), RF_CODE_VANITY);
    const char *typed[] = {"JANE DOE", "janedoe", "Jane-Doe", "jane_d0e", " jane-doe "};
    for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++) {
        rf_code *found = NULL;
        assert_ok(rf_code_resolve(&found, fx->store, typed[i]));
        assert_string_equal(rf_code_id(found), rf_code_id(c));
        rf_code_free(found);
    }
    rf_code_free(c);
    rf_party_free(p);
}

static void mistyped_and_unknown_codes(void **state)
{
    fixture *fx = *state;
    rf_party *p = add_party(fx, RF_PARTY_PARTNER, "Elm Street Surgery", NULL, NULL);
    rf_code *c = issue_code(fx, rf_party_id(p), RF_CODE_SHORT);
    char typo[16];
    snprintf(typo, sizeof typo, "%s", rf_code_text(c));
    typo[8] = typo[8] == 'A' ? 'B' : 'A'; /* a different check character */
    rf_code *found = (rf_code *)p;
    assert_status(rf_code_lookup(&found, fx->store, typo), RF_EINVALID);
    assert_null(found);
    assert_message_has("check character");

    assert_status(rf_code_lookup(&found, fx->store, "no-such-code"), RF_ENOTFOUND);
    assert_message_has("no-such-code");
    assert_status(rf_code_lookup(&found, fx->store, "€uro"), RF_EINVALID);
    assert_status(rf_code_lookup(&found, fx->store, " - "), RF_EINVALID);
    assert_status(rf_code_lookup(&found, fx->store, NULL), RF_EINVALID);
    assert_status(rf_code_lookup(&found, NULL, "x"), RF_EINVALID);
    assert_status(rf_code_lookup(NULL, fx->store, "x"), RF_EINVALID);
    rf_code_free(c);
    rf_party_free(p);
}

static void issue_refusals_change_nothing(void **state)
{
    fixture *fx = *state;
    rf_party *p = add_party(fx, RF_PARTY_CLIENT, "Jane Doe", NULL, NULL);
    char *before = snapshot(fx->store);
    rf_code *c = (rf_code *)p;
    assert_status(rf_code_issue(&c, fx->store, "0190a1b2-0000-7000-8000-000000000000", NULL), RF_ENOTFOUND);
    assert_null(c);
    assert_message_has("not found");

    rf_code_options o;
    o = (rf_code_options)RF_CODE_OPTIONS_INIT;
    o.style = (rf_code_style)9;
    assert_status(rf_code_issue(&c, fx->store, rf_party_id(p), &o), RF_EINVALID);
    assert_message_has("style");
    o = (rf_code_options)RF_CODE_OPTIONS_INIT;
    o.channel = (rf_channel)99;
    assert_status(rf_code_issue(&c, fx->store, rf_party_id(p), &o), RF_EINVALID);
    assert_message_has("channel");
    o = (rf_code_options)RF_CODE_OPTIONS_INIT;
    o.max_uses = -5;
    assert_status(rf_code_issue(&c, fx->store, rf_party_id(p), &o), RF_EINVALID);
    assert_message_has("max_uses");
    o = (rf_code_options)RF_CODE_OPTIONS_INIT;
    o.expires_at = T0 - DAY;
    assert_status(rf_code_issue(&c, fx->store, rf_party_id(p), &o), RF_EINVALID);
    assert_message_has("not in the future");
    o = (rf_code_options)RF_CODE_OPTIONS_INIT;
    o.vanity_base = "Jane \xC3";
    assert_status(rf_code_issue(&c, fx->store, rf_party_id(p), &o), RF_EINVALID);
    assert_message_has("UTF-8");
    o = (rf_code_options)RF_CODE_OPTIONS_INIT;
    o.version = 0;
    assert_status(rf_code_issue(&c, fx->store, rf_party_id(p), &o), RF_EINVALID);
    assert_status(rf_code_issue(&c, fx->store, NULL, NULL), RF_EINVALID);
    assert_status(rf_code_issue(&c, NULL, rf_party_id(p), NULL), RF_EINVALID);
    assert_null(c);
    assert_unchanged(fx->store, before);
    free(before);
    rf_party_free(p);
}

static void revoked_codes_do_not_resolve(void **state)
{
    fixture *fx = *state;
    rf_party *p = add_party(fx, RF_PARTY_CLIENT, "Jane Doe", NULL, NULL);
    rf_code *c = issue_code(fx, rf_party_id(p), RF_CODE_VANITY);
    fx->now += 2 * DAY;
    rf_code *r = NULL;
    assert_ok(rf_code_revoke(&r, fx->store, "JANE-DOE", "card lost", NULL));
    assert_int_equal(rf_code_revoked_at(r), T0 + 2 * DAY);
    assert_string_equal(rf_code_revoke_reason(r), "card lost");
    assert_int_equal(rf_code_state_at(r, fx->now), RF_CODE_REVOKED);
    rf_code_free(r);

    char *before = snapshot(fx->store);
    assert_status(rf_code_resolve(&r, fx->store, "jane-doe"), RF_ESTATE);
    assert_null(r);
    assert_message_has("is revoked since 2026-03-03");
    assert_ok(rf_code_lookup(&r, fx->store, "jane-doe")); /* still found for display */
    rf_code_free(r);
    assert_status(rf_code_revoke(&r, fx->store, "jane-doe", NULL, NULL), RF_ESTATE);
    assert_message_has("already revoked");
    assert_status(rf_code_revoke(&r, fx->store, "nobody", NULL, NULL), RF_ENOTFOUND);
    assert_status(rf_code_revoke(&r, fx->store, "jane-doe", "bad \xFF reason", NULL), RF_EINVALID);
    assert_unchanged(fx->store, before);
    free(before);
    assert_int_equal(count_events(fx, RF_EVENT_CODE_REVOKED), 1);
    rf_code_free(c);
    rf_party_free(p);
}

static void idempotent_revoke_and_issue(void **state)
{
    fixture *fx = *state;
    rf_party *p = add_party(fx, RF_PARTY_CLIENT, "Jane Doe", NULL, NULL);
    rf_code_options o = RF_CODE_OPTIONS_INIT;
    o.idempotency_key = "issue-1";
    rf_code *a = NULL, *b = NULL;
    assert_ok(rf_code_issue(&a, fx->store, rf_party_id(p), &o));
    assert_ok(rf_code_issue(&b, fx->store, rf_party_id(p), &o));
    assert_string_equal(rf_code_id(a), rf_code_id(b));
    assert_string_equal(rf_code_text(b), "jane-doe");
    rf_code_free(b);
    assert_int_equal(count_events(fx, RF_EVENT_CODE_ISSUED), 1);

    assert_ok(rf_code_revoke(NULL, fx->store, "jane-doe", "moved away", "rev-1"));
    char *before = snapshot(fx->store);
    assert_ok(rf_code_revoke(&b, fx->store, "jane-doe", "moved away", "rev-1"));
    assert_string_equal(rf_code_id(b), rf_code_id(a));
    assert_int_equal(rf_code_revoked_at(b), T0);
    rf_code_free(b);
    assert_status(rf_code_revoke(&b, fx->store, "jane-doe", "other reason", "rev-1"), RF_ECONFLICT);
    assert_unchanged(fx->store, before);
    free(before);
    rf_code_free(a);
    rf_party_free(p);
}

static void codes_expire(void **state)
{
    fixture *fx = *state;
    rf_party *p = add_party(fx, RF_PARTY_CLIENT, "Jane Doe", NULL, NULL);
    rf_code_options o = RF_CODE_OPTIONS_INIT;
    o.expires_at = T0 + 30 * DAY;
    rf_code *c = NULL, *r = NULL;
    assert_ok(rf_code_issue(&c, fx->store, rf_party_id(p), &o));
    assert_int_equal(rf_code_expires_at(c), T0 + 30 * DAY);
    fx->now = T0 + 30 * DAY - 1;
    assert_ok(rf_code_resolve(&r, fx->store, "jane-doe"));
    rf_code_free(r);
    fx->now = T0 + 30 * DAY;
    assert_status(rf_code_resolve(&r, fx->store, "jane-doe"), RF_ESTATE);
    assert_message_has("expired on 2026-03-31");
    assert_int_equal(rf_code_state_at(c, fx->now), RF_CODE_EXPIRED);
    assert_status(rf_code_use(&r, fx->store, "jane-doe", NULL), RF_ESTATE);
    rf_code_free(c);
    rf_party_free(p);
}

static void single_use_coupon(void **state)
{
    fixture *fx = *state;
    rf_party *p = add_party(fx, RF_PARTY_CLIENT, "Zoë Müller", NULL, NULL);
    rf_code_options o = RF_CODE_OPTIONS_INIT;
    o.style = RF_CODE_SHORT;
    o.max_uses = 1;
    o.channel = RF_CHANNEL_CARD;
    rf_code *c = NULL, *u = NULL;
    assert_ok(rf_code_issue(&c, fx->store, rf_party_id(p), &o));
    assert_int_equal(rf_code_max_uses(c), 1);
    assert_int_equal(rf_code_channel(c), RF_CHANNEL_CARD);
    assert_ok(rf_code_use(&u, fx->store, rf_code_text(c), "use-1"));
    assert_int_equal(rf_code_uses(u), 1);
    rf_code_free(u);
    char *before = snapshot(fx->store);
    assert_ok(rf_code_use(&u, fx->store, rf_code_text(c), "use-1")); /* a retry */
    assert_int_equal(rf_code_uses(u), 1);
    rf_code_free(u);
    assert_status(rf_code_use(&u, fx->store, rf_code_text(c), "use-2"), RF_ESTATE);
    assert_message_has("used 1 of 1 times");
    assert_status(rf_code_resolve(&u, fx->store, rf_code_text(c)), RF_ESTATE);
    assert_unchanged(fx->store, before);
    free(before);
    assert_int_equal(count_events(fx, RF_EVENT_CODE_USED), 1);
    rf_code_free(c);
    rf_party_free(p);
}

static void list_a_partys_codes(void **state)
{
    fixture *fx = *state;
    rf_party *p = add_party(fx, RF_PARTY_CLIENT, "Jane Doe", NULL, NULL);
    rf_party *other = add_party(fx, RF_PARTY_CLIENT, "John Roe", NULL, NULL);
    rf_code *mine[3];
    rf_code_options o = RF_CODE_OPTIONS_INIT;
    const rf_channel channels[] = {RF_CHANNEL_SMS, RF_CHANNEL_EMAIL, RF_CHANNEL_CARD};
    for (int i = 0; i < 3; i++) {
        o.channel = channels[i];
        assert_ok(rf_code_issue(&mine[i], fx->store, rf_party_id(p), &o));
        fx->now += 1;
    }
    rf_code *theirs = issue_code(fx, rf_party_id(other), RF_CODE_VANITY);
    rf_code_iter *it = NULL;
    rf_code *c = NULL;
    int n = 0;
    assert_ok(rf_code_list(&it, fx->store, rf_party_id(p)));
    while (rf_code_iter_next(&c, it) == RF_OK) {
        assert_true(n < 3);
        assert_string_equal(rf_code_id(c), rf_code_id(mine[n]));
        assert_int_equal(rf_code_channel(c), channels[n]);
        n++;
        rf_code_free(c);
    }
    rf_code_iter_free(it);
    assert_int_equal(n, 3);
    assert_status(rf_code_list(&it, fx->store, "0190a1b2-0000-7000-8000-000000000000"), RF_ENOTFOUND);
    assert_null(it);
    for (int i = 0; i < 3; i++) {
        rf_code_free(mine[i]);
    }
    rf_code_free(theirs);
    rf_party_free(p);
    rf_party_free(other);
}

static void issue_is_journalled_with_owner(void **state)
{
    fixture *fx = *state;
    rf_party *p = add_party(fx, RF_PARTY_CLIENT, "Jane Doe", NULL, NULL);
    rf_code *c = issue_code(fx, rf_party_id(p), RF_CODE_SHORT);
    rf_journal_iter *it = NULL;
    rf_event *ev = NULL;
    assert_ok(rf_journal_read(&it, fx->store, 1));
    assert_ok(rf_journal_iter_next(&ev, it));
    assert_string_equal(rf_event_type(ev), RF_EVENT_CODE_ISSUED);
    assert_string_equal(rf_event_subject_id(ev), rf_code_id(c));
    assert_string_equal(rf_event_object_id(ev), rf_party_id(p));
    assert_string_equal(rf_event_data(ev), "style=SHORT");
    rf_event_free(ev);
    rf_journal_iter_free(it);
    rf_code_free(c);
    rf_party_free(p);
}

const struct CMUnitTest code_cases[] = {
    CASE(vanity_slugs_count_up),
    CASE(accented_names_fold_and_others_fall_back),
    CASE(short_codes_resolve_however_typed),
    CASE(vanity_lookup_folds),
    CASE(mistyped_and_unknown_codes),
    CASE(issue_refusals_change_nothing),
    CASE(revoked_codes_do_not_resolve),
    CASE(idempotent_revoke_and_issue),
    CASE(codes_expire),
    CASE(single_use_coupon),
    CASE(list_a_partys_codes),
    CASE(issue_is_journalled_with_owner),
};
const size_t code_case_count = sizeof code_cases / sizeof code_cases[0];
