/* quickstart_rewards.c: the quickstart's third part, steps 16-25 (rewards); quickstart.c runs it.
 *
 * The clinic promises its advocates a credit and their friends a free first
 * session, and wants the promise kept without a spreadsheet: the library
 * grants when a referral reaches a rule's state, holds, releases, counts
 * tiers, takes redemptions and keeps the books, each exactly once.
 *
 * A re-run finds every grant made and every move taken, so what is printed
 * comes from what never changes once written (a grant's terms and times, the
 * whole ledger, the final balance), not from what this run happened to do. */
#include <referral.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "quickstart.h"

/* march() simply counts on: day 32 of March is 1 April. */
#define APRIL(day) (31 + (day))

typedef struct story {
    rf_store *store;
    rf_time *now;
    const clinic *c;
    rf_program *advocates;
    rf_party *ben, *mia;
    rf_referral *ben_ref, *mia_ref;
} story;

/* "Fri 27 Mar 10:00" */
static const char *when(rf_time t, char buf[32])
{
    time_t tt = (time_t)t;
    strftime(buf, 32, "%a %d %b %H:%M", gmtime(&tt));
    return buf;
}

/* Money is int64 minor units: 1500 is 15.00 in a currency with two decimals,
 * as EUR has (ISO 4217 gives each currency's decimals; JPY has none). */
static const char *money(char buf[32], const char *currency, int64_t minor)
{
    uint64_t abs = minor < 0 ? 0 - (uint64_t)minor : (uint64_t)minor;
    snprintf(buf, 32, "%s%s%s%llu.%02llu", currency != NULL ? currency : "", currency != NULL ? " " : "",
             minor < 0 ? "-" : "", (unsigned long long)(abs / 100), (unsigned long long)(abs % 100));
    return buf;
}

/* A signed change: "+15.00", "-10.00". */
static const char *delta(char buf[32], int64_t minor)
{
    uint64_t abs = minor < 0 ? 0 - (uint64_t)minor : (uint64_t)minor;
    snprintf(buf, 32, "%s%llu.%02llu", minor > 0 ? "+" : (minor < 0 ? "-" : ""),
             (unsigned long long)(abs / 100), (unsigned long long)(abs % 100));
    return buf;
}

static const char *name_of(const story *s, const char *id)
{
    const rf_party *cast[] = {s->c->jane, s->c->zoe, s->ben, s->mia};
    for (size_t i = 0; i < 4; i++) {
        if (cast[i] != NULL && strcmp(rf_party_id(cast[i]), id) == 0) {
            return rf_party_display_name(cast[i]);
        }
    }
    return "-";
}

static int add_rule(story *s, rf_reward_rule_options *o)
{
    rf_reward_rule *r = NULL;
    o->program_id = rf_program_id(s->advocates);
    if (!ok(rf_reward_rule_add(&r, s->store, o), "adding a reward rule")) {
        return 0;
    }
    char m[32];
    printf("  %-8s at %-9s tier %d  %-22s %s", rf_reward_recipient_name(rf_reward_rule_recipient(r)),
           rf_referral_state_name(rf_reward_rule_trigger(r)), rf_reward_rule_tier(r), rf_reward_rule_name(r),
           rf_reward_rule_currency(r) != NULL ? money(m, rf_reward_rule_currency(r), rf_reward_rule_amount(r))
                                              : rf_reward_rule_item(r));
    if (rf_reward_rule_hold_days(r) > 0) {
        printf(", held %d days, then %d days to use", rf_reward_rule_hold_days(r),
               rf_reward_rule_expiry_days(r));
    }
    printf("\n");
    rf_reward_rule_free(r);
    return 1;
}

/* As in quickstart_referrals.c: with its key, a re-run gets the referral back
 * as it is now, and the line prints the move that was asked for. */
static int advance(story *s, rf_referral **ref, rf_time at, rf_referral_state to, rf_time appointment_at,
                   const char *key)
{
    *s->now = at;
    rf_advance_options o = RF_ADVANCE_OPTIONS_INIT;
    o.appointment_at = appointment_at;
    o.idempotency_key = key;
    rf_referral *moved = NULL;
    if (!ok(rf_referral_advance(&moved, s->store, rf_referral_id(*ref), to, &o), "moving the referral on")) {
        return 0;
    }
    rf_referral_free(*ref);
    *ref = moved;
    char t[32];
    printf("  %s  -> %s", when(at, t), rf_referral_state_name(to));
    if (to == RF_REFERRAL_SCHEDULED) {
        printf(", appointment %s", when(appointment_at, t));
    }
    printf("\n");
    return 1;
}

/* The first grant of a referral to one recipient. */
static int find_grant(rf_grant **out, const story *s, const rf_referral *ref, const rf_party *recipient)
{
    rf_grant_filter f = RF_GRANT_FILTER_INIT;
    f.referral_id = rf_referral_id(ref);
    f.recipient_id = rf_party_id(recipient);
    rf_grant_iter *it = NULL;
    int found = ok(rf_grant_list(&it, s->store, &f), "listing grants") &&
                ok(rf_grant_iter_next(out, it), "reading a grant");
    rf_grant_iter_free(it);
    return found;
}

/* Why compliance mode changed a grant, in the journal's words. Each ledger
 * entry carries the sequence number of its event: the ISSUED entry leads to
 * the `reward.issued` event, which names the covered party and the kind the
 * rule would have given. */
static int print_compliance_reason(const story *s, const rf_grant *g)
{
    rf_ledger_filter f = RF_LEDGER_FILTER_INIT;
    f.grant_id = rf_grant_id(g);
    rf_ledger_iter *entries = NULL;
    rf_ledger_entry *issued = NULL;
    rf_journal_iter *journal = NULL;
    rf_event *ev = NULL;
    int done =
        ok(rf_ledger_list(&entries, s->store, &f), "reading the ledger") &&
        ok(rf_ledger_iter_next(&issued, entries), "reading the ledger") &&
        ok(rf_journal_read(&journal, s->store, rf_ledger_entry_seq(issued) - 1), "reading the journal") &&
        ok(rf_journal_iter_next(&ev, journal), "reading the journal");
    if (done) {
        const char *data = or_dash(rf_event_data(ev)), *why = strstr(data, "compliance=");
        printf("      journal #%lld %s: %s\n", (long long)rf_event_seq(ev), rf_event_type(ev),
               why != NULL ? why : data);
    }
    rf_event_free(ev);
    rf_journal_iter_free(journal);
    rf_ledger_entry_free(issued);
    rf_ledger_iter_free(entries);
    return done;
}

/* A referral's grants, from their terms and times (fixed when issued). */
static int print_grants(const story *s, const rf_referral *ref)
{
    rf_grant_filter f = RF_GRANT_FILTER_INIT;
    f.referral_id = rf_referral_id(ref);
    rf_grant_iter *it = NULL;
    if (!ok(rf_grant_list(&it, s->store, &f), "listing grants")) {
        return 0;
    }
    int done = 0;
    for (;;) {
        rf_grant *g = NULL;
        rf_status rc = rf_grant_iter_next(&g, it);
        if (rc == RF_ITEROVER || !ok(rc, "reading grants")) {
            done = rc == RF_ITEROVER;
            break;
        }
        char m[32], t[32];
        printf("  ");
        print_padded(name_of(s, rf_grant_recipient_id(g)), 11);
        printf(" %-8s %-15s %-22s", rf_reward_recipient_name(rf_grant_recipient(g)),
               rf_reward_kind_name(rf_grant_kind(g)),
               rf_grant_currency(g) != NULL ? money(m, rf_grant_currency(g), rf_grant_amount(g))
                                            : or_dash(rf_grant_item(g)));
        if (rf_grant_release_at(g) > rf_grant_issued_at(g)) {
            printf(" held until %s", when(rf_grant_release_at(g), t));
        } else {
            printf(" released at once");
        }
        if (rf_grant_tier_count(g) > 0) {
            printf(" (referral no. %d)", rf_grant_tier_count(g));
        }
        printf("\n");
        int failed = rf_grant_compliance(g) && !print_compliance_reason(s, g);
        rf_grant_free(g);
        if (failed) {
            break;
        }
    }
    rf_grant_iter_free(it);
    return done;
}

static int add_lead(rf_party **out, story *s, const char *name, rf_payer payer, const char *key)
{
    rf_party_options p = RF_PARTY_OPTIONS_INIT;
    p.kind = RF_PARTY_LEAD;
    p.display_name = name;
    p.consent = RF_CONSENT_CONTACT;
    p.payer = payer;
    p.idempotency_key = key;
    return ok(rf_party_add(out, s->store, &p), "adding a lead");
}

static int print_ledger(const story *s, const rf_party *party)
{
    rf_ledger_filter f = RF_LEDGER_FILTER_INIT;
    f.party_id = rf_party_id(party);
    rf_ledger_iter *it = NULL;
    if (!ok(rf_ledger_list(&it, s->store, &f), "reading the ledger")) {
        return 0;
    }
    int done = 0;
    for (;;) {
        rf_ledger_entry *e = NULL;
        rf_status rc = rf_ledger_iter_next(&e, it);
        if (rc == RF_ITEROVER || !ok(rc, "reading the ledger")) {
            done = rc == RF_ITEROVER;
            break;
        }
        char t[32], m[32], p[32], a[32];
        printf("  #%-4lld %s  %-8s %-9s pending %6s  available %6s  %s\n", (long long)rf_ledger_entry_seq(e),
               when(rf_ledger_entry_at(e), t), rf_ledger_type_name(rf_ledger_entry_type(e)),
               money(m, or_dash(rf_ledger_entry_currency(e)), rf_ledger_entry_amount(e)),
               delta(p, rf_ledger_entry_pending_delta(e)), delta(a, rf_ledger_entry_available_delta(e)),
               or_dash(rf_ledger_entry_reference(e)));
        rf_ledger_entry_free(e);
    }
    rf_ledger_iter_free(it);
    return done;
}

/* Steps 16-18: the rules, then Ben, sent by Jane, round the loop. */
static int rules_and_ben(story *s)
{
    char t[32];
    *s->now = march(10, 9, 0);
    printf("\n16. %s: rewards for the Client advocates programme\n", when(*s->now, t));
    /* The clinic also treats US service families from the nearby air base,
     * insured by TRICARE, a federal programme: US anti-kickback rules forbid
     * giving anything of value for referring them. In compliance mode the
     * library turns such rewards into thank-you notes. */
    rf_program_options g = RF_PROGRAM_OPTIONS_INIT;
    g.compliance_mode = 1;
    g.idempotency_key = "quickstart:program:client-advocates:compliance";
    if (!ok(rf_program_find(&s->advocates, s->store, "Client advocates"), "finding the programme") ||
        !ok(rf_program_update(NULL, s->store, rf_program_id(s->advocates), &g), "setting compliance mode")) {
        return 0;
    }
    printf("  compliance mode on; clawback off (a released reward stays with its owner)\n");

    /* The referrer rules form one ladder, counted at one state (SEEN: the
     * friend came to a first session): the credit for the 1st and 2nd
     * referral, the bigger one from the 3rd on. */
    rf_reward_rule_options r = RF_REWARD_RULE_OPTIONS_INIT;
    r.name = "Thank-you credit";
    r.recipient = RF_RECIPIENT_REFERRER;
    r.trigger = RF_REFERRAL_SEEN;
    r.kind = RF_REWARD_ACCOUNT_CREDIT;
    r.amount = 1500; /* minor units: EUR 15.00 */
    r.currency = "EUR";
    r.hold_days = 14;    /* until the friend's cooling-off period is over */
    r.expiry_days = 183; /* six months to use it */
    r.idempotency_key = "quickstart:rule:thank-you-credit";
    if (!add_rule(s, &r)) {
        return 0;
    }
    r.name = "Loyal advocate credit";
    r.amount = 4000;
    r.tier = 3;
    r.idempotency_key = "quickstart:rule:loyal-advocate-credit";
    if (!add_rule(s, &r)) {
        return 0;
    }
    /* The friend's side of a dual-sided offer, as soon as she books. */
    r = (rf_reward_rule_options)RF_REWARD_RULE_OPTIONS_INIT;
    r.name = "Free first session";
    r.recipient = RF_RECIPIENT_REFEREE;
    r.trigger = RF_REFERRAL_SCHEDULED;
    r.kind = RF_REWARD_SERVICE_UPGRADE;
    r.item = "first session free";
    r.idempotency_key = "quickstart:rule:free-first-session";
    if (!add_rule(s, &r)) {
        return 0;
    }

    *s->now = march(10, 17, 40);
    printf("\n17. %s: Ben Carter books with the card Jane gave him (%s)\n", when(*s->now, t),
           rf_code_text(s->c->jane_card));
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(s->advocates);
    o.code = rf_code_text(s->c->jane_card);
    o.reason = "tennis elbow";
    o.idempotency_key = "quickstart:referral:ben";
    if (!add_lead(&s->ben, s, "Ben Carter", RF_PAYER_SELF_PAY, "quickstart:party:ben-carter") ||
        (o.referee_id = rf_party_id(s->ben),
         !ok(rf_referral_create(&s->ben_ref, s->store, &o), "creating Ben's referral"))) {
        return 0;
    }
    /* Booking grants Ben's free session. Rescheduling reaches SCHEDULED again
     * and grants nothing: a rule looks at the first time only. His first
     * session (SEEN) earns Jane her credit. */
    if (!advance(s, &s->ben_ref, march(10, 17, 45), RF_REFERRAL_ACCEPTED, RF_TIME_UNSET,
                 "quickstart:referral:ben:accept") ||
        !advance(s, &s->ben_ref, march(10, 17, 50), RF_REFERRAL_SCHEDULED, march(12, 10, 0),
                 "quickstart:referral:ben:schedule") ||
        !advance(s, &s->ben_ref, march(11, 8, 30), RF_REFERRAL_SCHEDULED, march(13, 10, 0),
                 "quickstart:referral:ben:reschedule") ||
        !advance(s, &s->ben_ref, march(13, 10, 0), RF_REFERRAL_SEEN, RF_TIME_UNSET,
                 "quickstart:referral:ben:seen")) {
        return 0;
    }

    printf("\n18. What Ben's referral earned\n");
    if (!print_grants(s, s->ben_ref)) {
        return 0;
    }
    /* Rules apply to states reached after they were added, but the ladder
     * counts every qualifying referral. */
    printf("  (Alex was SEEN before the rules existed: nothing for that, but it is Jane's no. 1)\n");
    return 1;
}

/* Jane's redemption, made in step 20 and retried in step 24. */
static rf_redeem_options invoice_0412(const story *s)
{
    rf_redeem_options u = RF_REDEEM_OPTIONS_INIT;
    u.party_id = rf_party_id(s->c->jane);
    u.currency = "EUR";
    u.amount = 1000;
    u.reference = "INV-2026-0412";
    u.idempotency_key = "quickstart:redeem:jane:INV-2026-0412";
    return u;
}

/* Steps 19-22: release, redemption, the books, the ladder. */
static int jane_is_paid(story *s)
{
    char t[32], m[32];
    int done = 0;
    rf_grant *credit = NULL;
    rf_balance *books = NULL;
    rf_tier_progress *progress = NULL;
    const rf_party *jane = s->c->jane;

    /* Nothing moves by itself: the host calls rf_rewards_process, from cron
     * or from several processes at once; each grant moves exactly once. */
    *s->now = march(30, 2, 0);
    printf("\n19. %s: the nightly job calls rf_rewards_process\n", when(*s->now, t));
    unsigned int released = 0, expired = 0;
    if (!ok(rf_rewards_process(NULL, NULL, s->store, RF_TIME_UNSET), "processing rewards") ||
        !find_grant(&credit, s, s->ben_ref, jane) ||
        !ok(rf_rewards_process(&released, &expired, s->store, RF_TIME_UNSET), "processing again")) {
        goto out;
    }
    /* The six months to use it run from the release, however late the job ran. */
    char e[32];
    printf("  Jane's %s: %s since %s, to use by %s\n",
           money(m, rf_grant_currency(credit), rf_grant_units(credit)),
           rf_grant_status_name(rf_grant_get_status(credit)), when(rf_grant_released_at(credit), t),
           when(rf_grant_expires_at(credit), e));
    printf("  a second run, as from another server: %u released, %u expired\n", released, expired);

    *s->now = march(APRIL(2), 11, 0);
    printf("\n20. %s: Jane pays EUR 10.00 of invoice INV-2026-0412 with her credit\n", when(*s->now, t));
    /* By party and currency: taken from her grants that expire soonest. */
    int64_t taken = 0;
    rf_redeem_options u = invoice_0412(s);
    if (!ok(rf_reward_redeem(&taken, s->store, &u), "redeeming Jane's credit")) {
        goto out;
    }
    printf("  redeemed %s\n", money(m, "EUR", taken));

    /* The audit replays every entry and proves the balance is their sum. */
    printf("\n21. Jane's ledger, balance and audit\n");
    if (!print_ledger(s, jane) || !ok(rf_reward_audit(&books, s->store, rf_party_id(jane)), "auditing")) {
        goto out;
    }
    for (size_t i = 0; i < rf_balance_count(books); i++) { /* one row per currency, then items */
        char a[32], p[32], is[32], re[32], ex[32], rv[32];
        const char *currency = rf_balance_currency(books, i);
        printf("  %s: available %s  pending %s  issued %s  redeemed %s  expired %s  reversed %s\n",
               currency != NULL ? currency : "items", money(a, NULL, rf_balance_available(books, i)),
               money(p, NULL, rf_balance_pending(books, i)), money(is, NULL, rf_balance_issued(books, i)),
               money(re, NULL, rf_balance_redeemed(books, i)), money(ex, NULL, rf_balance_expired(books, i)),
               money(rv, NULL, rf_balance_reversed(books, i)));
    }
    printf("  audit OK: every entry legal, no grant twice, balance == sum of entries\n");

    printf("\n22. Jane's place on the ladder\n");
    if (!ok(rf_reward_progress(&progress, s->store, rf_party_id(jane), rf_program_id(s->advocates)),
            "reading Jane's progress")) {
        goto out;
    }
    /* What the next tier unlocks: here one rule (a tier may hold several). */
    int to_next = rf_tier_progress_to_next(progress);
    const rf_reward_rule *next = rf_tier_progress_unlock(progress, 0);
    printf("  %d qualifying referrals, tier %d reached", rf_tier_progress_count(progress),
           rf_tier_progress_tier(progress));
    if (next != NULL) {
        printf("; %d more referral%s to unlock %s (%s)", to_next, to_next == 1 ? "" : "s",
               rf_reward_rule_name(next),
               money(m, rf_reward_rule_currency(next), rf_reward_rule_amount(next)));
    }
    printf("\n");
    done = 1;
out:
    rf_tier_progress_free(progress);
    rf_balance_free(books);
    rf_grant_free(credit);
    return done;
}

/* Steps 23-25: compliance mode, retries, refusals. */
static int the_rules_hold(story *s)
{
    char t[32], m[32];
    *s->now = march(APRIL(6), 9, 0);
    printf("\n23. %s: Zoë sends Mia Johnson, whose care TRICARE pays\n", when(*s->now, t));
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(s->advocates);
    o.referrer_id = rf_party_id(s->c->zoe);
    o.source = RF_SOURCE_INTAKE; /* "how did you hear about us?" - "my neighbour Zoë" */
    o.reason = "shoulder rehabilitation";
    o.idempotency_key = "quickstart:referral:mia";
    if (!add_lead(&s->mia, s, "Mia Johnson", RF_PAYER_FEDERAL, "quickstart:party:mia-johnson") ||
        (o.referee_id = rf_party_id(s->mia),
         !ok(rf_referral_create(&s->mia_ref, s->store, &o), "creating Mia's referral")) ||
        !advance(s, &s->mia_ref, march(APRIL(6), 9, 5), RF_REFERRAL_ACCEPTED, RF_TIME_UNSET,
                 "quickstart:referral:mia:accept") ||
        !advance(s, &s->mia_ref, march(APRIL(6), 9, 10), RF_REFERRAL_SCHEDULED, march(APRIL(8), 14, 0),
                 "quickstart:referral:mia:schedule") ||
        !advance(s, &s->mia_ref, march(APRIL(8), 14, 0), RF_REFERRAL_SEEN, RF_TIME_UNSET,
                 "quickstart:referral:mia:seen") ||
        !print_grants(s, s->mia_ref)) {
        return 0;
    }

    /* A host that lost a reply sends the same call again with the same key:
     * it gets the first answer back, and nothing is written. */
    printf("\n24. Retries change nothing\n");
    int64_t before = 0, after = 0, taken = 0;
    rf_advance_options a = RF_ADVANCE_OPTIONS_INIT;
    a.idempotency_key = "quickstart:referral:ben:seen";
    rf_redeem_options u = invoice_0412(s);
    rf_referral *again = NULL;
    int done = ok(rf_journal_last_seq(&before, s->store), "reading the journal") &&
               ok(rf_referral_advance(&again, s->store, rf_referral_id(s->ben_ref), RF_REFERRAL_SEEN, &a),
                  "repeating Ben's move") &&
               ok(rf_reward_redeem(&taken, s->store, &u), "repeating Jane's redemption") &&
               ok(rf_journal_last_seq(&after, s->store), "reading the journal");
    rf_referral_free(again);
    if (!done) {
        return 0;
    }
    printf("  Ben's move to SEEN, sent again: no second credit for Jane\n");
    printf("  Jane's redemption, sent again: %s reported, nothing taken twice\n", money(m, "EUR", taken));
    printf("  the journal still ends at #%lld\n", (long long)after);

    /* A refused call writes nothing and says why. */
    printf("\n25. Mistakes are refused\n");
    printf("  a refund typed as a redemption of EUR -5.00:\n");
    u.amount = -500;
    u.idempotency_key = NULL;
    if (!fails_as(rf_reward_redeem(&taken, s->store, &u), RF_EINVALID, "a negative amount")) {
        return 0;
    }
    printf("  Jane asks to use EUR 20.00:\n");
    u.amount = 2000;
    if (!fails_as(rf_reward_redeem(&taken, s->store, &u), RF_EBALANCE, "redeeming more than available") ||
        !ok(rf_journal_last_seq(&after, s->store), "reading the journal")) {
        return 0;
    }
    printf("  the journal still ends at #%lld\n", (long long)after);
    if (after != before) {
        fprintf(stderr, "quickstart: the journal grew from #%lld to #%lld\n", (long long)before,
                (long long)after);
        return 0;
    }
    return 1;
}

int reward_steps(const clinic *c)
{
    story s = {.store = c->store, .now = c->now, .c = c};
    int done = rules_and_ben(&s) && jane_is_paid(&s) && the_rules_hold(&s);
    rf_referral_free(s.mia_ref);
    rf_referral_free(s.ben_ref);
    rf_party_free(s.mia);
    rf_party_free(s.ben);
    rf_program_free(s.advocates);
    return done;
}
