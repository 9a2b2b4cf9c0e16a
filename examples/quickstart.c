/*
 * quickstart.c: a first tour of libreferral.
 *
 * A physiotherapy clinic, Elm Street Physio, wants to know who sends it new
 * clients. This program opens (or creates) the clinic's database, records a
 * practitioner, two clients and the GP surgery down the road, hands each of
 * them a referral code, and then does what the front desk does all day: looks
 * codes up as people type them, catches typos, and refuses a withdrawn coupon.
 *
 * The second half, from step 7 on in quickstart_referrals.c, is what the codes
 * are for: referrals. The clinic runs two programmes; a friend of Jane follows
 * her link, books, and goes round the closed loop (received, accepted,
 * scheduled, seen, closed) until she is a client; the GP surgery sends an
 * urgent patient whose imaging comes later; Jane sees her referral without her
 * friend's details; a self-referral is refused. Finally it prints the journal,
 * the log a host application syncs from.
 *
 * The third part, steps 16-25 in quickstart_rewards.c, pays the advocates:
 * reward rules on the client programme (a held EUR credit with an expiry, a
 * free first session for the friend, a bigger credit from the 3rd referral),
 * a friend of Jane who earns them, the nightly job that releases the held
 * credit, Jane using part of it, her ledger, balance, audit and place on the
 * tier ladder, compliance mode turning a reward into a thank-you note for a
 * federally insured patient, retries that change nothing and mistakes that
 * are refused.
 *
 * The fourth part, steps 26-32 in quickstart_outbox.c and quickstart_asks.c,
 * closes the loop: the practice's outbox worker delivers what the library
 * says is due (thank-yous, updates for the GP, welcome messages, notices),
 * the host reports its clients' moments (visits, NPS scores, a complaint, a
 * milestone) and the ask policy asks the happy ones at the right time, in
 * the practice's words, or records why it did not; an urgent referral left
 * unanswered raises an SLA breach.
 *
 * The fifth part, steps 33-35 in quickstart_kpis.c, reads it all back as the
 * practice's dashboard: exact figures with what they count, the funnel from
 * asks to new clients, the leaderboard and the channel table.
 *
 *   usage: quickstart [DATABASE]      (default: clinic.db)
 *
 * Run it twice on the same file: the second run finds everything already in
 * place and prints the same story. That is because every write below carries
 * an idempotency key: a call repeated with the same key returns what the
 * first call created and changes nothing. Real hosts use the same mechanism
 * to retry safely after a crash or a lost network reply. The store's clock is
 * set by hand as well (see fixed_clock), so the times printed are the same on
 * every run.
 *
 * Only the public API is used: #include <referral.h> and link -lreferral.
 */
#include <referral.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quickstart.h"

/* Every call returns an rf_status; on failure the thread's last error says
 * what went wrong in words a person can act on. This prints it and tells the
 * caller to stop. */
int ok(rf_status rc, const char *what)
{
    if (rc == RF_OK) {
        return 1;
    }
    const rf_error *e = rf_error_last();
    fprintf(stderr, "quickstart: %s failed (%s): %s\n", what, rf_strerror(rc), e->message);
    return 0;
}

/* Some steps are *meant* to fail (a typo, a revoked coupon): succeed only when
 * the call failed with exactly the status the documentation promises. */
int fails_as(rf_status rc, rf_status expected, const char *what)
{
    if (rc == expected) {
        printf("  -> refused, as it should be: %s\n", rf_error_last()->message);
        return 1;
    }
    if (rc == RF_OK) {
        fprintf(stderr, "quickstart: %s unexpectedly succeeded\n", what);
    } else {
        fprintf(stderr, "quickstart: %s failed with '%s' instead of '%s': %s\n", what, rf_strerror(rc),
                rf_strerror(expected), rf_error_last()->message);
    }
    return 0;
}

const char *or_dash(const char *s)
{
    return s != NULL ? s : "-";
}

/* printf pads by bytes, but names such as "Zoë Müller" hold multi-byte UTF-8
 * characters: pad by characters so the columns line up. */
void print_padded(const char *s, int width)
{
    int chars = 0;
    for (const unsigned char *b = (const unsigned char *)s; *b != '\0'; b++) {
        chars += (*b & 0xC0) != 0x80; /* count lead bytes only */
    }
    printf("%s%*s", s, width > chars ? width - chars : 0, "");
}

/* Add a party; with its idempotency key a second run gets the same record back. */
static int add_party(rf_party **out, rf_store *store, const rf_party_options *opts)
{
    if (!ok(rf_party_add(out, store, opts), "adding a party")) {
        return 0;
    }
    printf("  %-8s ", rf_party_kind_name(rf_party_get_kind(*out)));
    print_padded(rf_party_display_name(*out), 20);
    printf(" id %s\n", rf_party_id(*out));
    return 1;
}

static int issue_code(rf_code **out, rf_store *store, const rf_party *owner, const rf_code_options *opts)
{
    if (!ok(rf_code_issue(out, store, rf_party_id(owner), opts), "issuing a code")) {
        return 0;
    }
    printf("  ");
    print_padded(rf_party_display_name(owner), 20);
    printf(" -> %-12s (%s, via %s%s)\n", rf_code_text(*out),
           rf_code_get_style(*out) == RF_CODE_SHORT ? "short code" : "vanity code",
           rf_channel_name(rf_code_channel(*out)), rf_code_max_uses(*out) == 1 ? ", single use" : "");
    return 1;
}

/* A hand-wound clock. The store asks it for the time whenever it records or
 * decides something (touch times, attribution windows, appointments), and the
 * story below sets it step by step, so every run prints the same times. */
static rf_time fixed_clock(void *ctx)
{
    return *(const rf_time *)ctx;
}

#define MINUTE ((rf_time)60)
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)

/* A time in March 2026 (UTC), as seconds: rf_time is Unix time. */
rf_time march(int day, int hour, int minute)
{
    const rf_time march_1 = 1772323200; /* 2026-03-01T00:00:00Z */
    return march_1 + (day - 1) * DAY + hour * HOUR + minute * MINUTE;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "clinic.db";
    char uri[4096];
    if (snprintf(uri, sizeof uri, "sqlite:%s", path) >= (int)sizeof uri) {
        fprintf(stderr, "quickstart: database path is too long\n");
        return 2;
    }

    int exit_code = 1;
    rf_store *store = NULL;
    rf_party *staff = NULL, *jane = NULL, *zoe = NULL, *surgery = NULL, *owner = NULL;
    rf_code *jane_code = NULL, *jane_card = NULL, *surgery_code = NULL, *coupon = NULL, *found = NULL;
    rf_code_iter *codes = NULL;

    printf("libreferral %s: quickstart on %s\n\n", rf_version_string(), path);

    /* A handle is scoped to one practice, so several clinics can share one
     * database without ever seeing each other's records. phone_region lets
     * staff type UK numbers the way they are written locally (07700 ...). */
    rf_store_options sopts = RF_STORE_OPTIONS_INIT;
    sopts.practice = "elm-street-physio";
    sopts.phone_region = "44";
    if (!ok(rf_store_open(&store, uri, &sopts), "opening the store")) {
        goto out;
    }
    /* The story starts on Monday 2 March 2026, 09:00 UTC. */
    rf_time now = march(2, 9, 0);
    if (!ok(rf_store_set_clock(store, fixed_clock, &now), "setting the clock")) {
        goto out;
    }

    printf("1. The people the clinic deals with\n");
    rf_party_options p = RF_PARTY_OPTIONS_INIT;
    p.kind = RF_PARTY_STAFF;
    p.display_name = "Dr Sam Patel";
    p.idempotency_key = "quickstart:party:sam-patel";
    if (!add_party(&staff, store, &p)) {
        goto out;
    }

    /* Contacts are personal data: the library normalises them (the e-mail is
     * stored lower-cased) and checks duplicates through pseudonymous keys.
     * Consent decides whether Jane may be asked for referrals and named to the
     * friends she sends. */
    p = (rf_party_options)RF_PARTY_OPTIONS_INIT;
    p.kind = RF_PARTY_CLIENT;
    p.display_name = "Jane Doe";
    p.email = "Jane.Doe@Example.com";
    p.consent = RF_CONSENT_CONTACT | RF_CONSENT_NAMED;
    p.practitioner_id = rf_party_id(staff);
    p.idempotency_key = "quickstart:party:jane-doe";
    if (!add_party(&jane, store, &p)) {
        goto out;
    }

    p = (rf_party_options)RF_PARTY_OPTIONS_INIT;
    p.kind = RF_PARTY_CLIENT;
    p.display_name = "Zoë Müller";
    p.phone = "07700 900123"; /* stored as +447700900123 thanks to phone_region "44" */
    p.consent = RF_CONSENT_CONTACT;
    p.idempotency_key = "quickstart:party:zoe-muller";
    if (!add_party(&zoe, store, &p)) {
        goto out;
    }

    /* A professional referrer: GP partners get their own codes and, later,
     * closed-loop updates about the patients they send. */
    p = (rf_party_options)RF_PARTY_OPTIONS_INIT;
    p.kind = RF_PARTY_PARTNER;
    p.display_name = "Elm Street Surgery";
    p.email = "referrals@elmstreetsurgery.example";
    p.idempotency_key = "quickstart:party:elm-street-surgery";
    if (!add_party(&surgery, store, &p)) {
        goto out;
    }
    printf("  Jane's e-mail as stored: %s; Zoë's phone as stored: %s\n\n", or_dash(rf_party_email(jane)),
           or_dash(rf_party_phone(zoe)));

    printf("2. Referral codes\n");
    /* A vanity code is built from the owner's name: easy to say aloud. */
    rf_code_options c = RF_CODE_OPTIONS_INIT;
    c.style = RF_CODE_VANITY;
    c.channel = RF_CHANNEL_EMAIL;
    c.idempotency_key = "quickstart:code:jane-email";
    if (!issue_code(&jane_code, store, jane, &c)) {
        goto out;
    }
    /* A party may hold several codes, one per channel; a second vanity code
     * for the same name gets a suffix, since codes are unique per practice. */
    c.channel = RF_CHANNEL_CARD;
    c.idempotency_key = "quickstart:code:jane-card";
    if (!issue_code(&jane_card, store, jane, &c)) {
        goto out;
    }

    /* A short code for printed referral letters: no look-alike letters, and a
     * check character so that a typo is caught instead of crediting someone
     * else. */
    c = (rf_code_options)RF_CODE_OPTIONS_INIT;
    c.style = RF_CODE_SHORT;
    c.channel = RF_CHANNEL_LETTER;
    c.idempotency_key = "quickstart:code:surgery-letter";
    if (!issue_code(&surgery_code, store, surgery, &c)) {
        goto out;
    }

    /* A "bring a friend" coupon that works once. Accents fold into the slug. */
    c = (rf_code_options)RF_CODE_OPTIONS_INIT;
    c.style = RF_CODE_VANITY;
    c.channel = RF_CHANNEL_SMS;
    c.max_uses = 1;
    c.idempotency_key = "quickstart:code:zoe-bring-a-friend";
    if (!issue_code(&coupon, store, zoe, &c)) {
        goto out;
    }

    printf("\n3. A new client says \"my friend's code is JANE DOE\"\n");
    /* Resolving folds case, spaces, hyphens and look-alikes, and refuses
     * codes that are revoked, expired or used up. */
    if (!ok(rf_code_resolve(&found, store, "JANE DOE"), "resolving 'JANE DOE'") ||
        !ok(rf_party_get(&owner, store, rf_code_owner_id(found)), "reading the code's owner")) {
        goto out;
    }
    printf("  -> code %s belongs to %s, who sent this client\n", rf_code_text(found),
           rf_party_display_name(owner));
    rf_code_free(found);
    found = NULL;

    /* Change only the check character: every other symbol is right, and
     * the library can tell the reader it was mistyped, not just unknown. */
    char typo[32];
    snprintf(typo, sizeof typo, "%s", rf_code_text(surgery_code));
    size_t last = strlen(typo) - 1;
    typo[last] = typo[last] == 'X' ? 'Y' : 'X';
    printf("\n4. The surgery's code %s is copied from a letter as %s\n", rf_code_text(surgery_code), typo);
    if (!fails_as(rf_code_lookup(&found, store, typo), RF_EINVALID, "looking up a mistyped code")) {
        goto out;
    }

    printf("\n5. Zoë's coupon %s is withdrawn\n", rf_code_text(coupon));
    /* The revoke has its own key, so a re-run does not trip over "already
     * revoked": it gets the first revoke's result back. */
    if (!ok(rf_code_revoke(NULL, store, rf_code_text(coupon), "offer ended", "quickstart:revoke:zoe-coupon"),
            "revoking the coupon")) {
        goto out;
    }
    printf("  revoked; a friend who still has the text message tries it:\n");
    if (!fails_as(rf_code_resolve(&found, store, rf_code_text(coupon)), RF_ESTATE,
                  "resolving a revoked code")) {
        goto out;
    }

    printf("\n6. Jane's codes\n");
    if (!ok(rf_code_list(&codes, store, rf_party_id(jane)), "listing Jane's codes")) {
        goto out;
    }
    for (;;) {
        rf_code *code = NULL;
        rf_status rc = rf_code_iter_next(&code, codes);
        if (rc == RF_ITEROVER) {
            break; /* the normal end of a list, not an error */
        }
        if (!ok(rc, "reading Jane's codes")) {
            goto out;
        }
        printf("  %-12s via %-6s used %d time(s)\n", rf_code_text(code),
               rf_channel_name(rf_code_channel(code)), rf_code_uses(code));
        rf_code_free(code);
    }

    /* ---- The second half: referrals (quickstart_referrals.c) ----------- */

    const clinic so_far = {
        .store = store,
        .uri = uri,
        .options = &sopts,
        .now = &now,
        .staff = staff,
        .jane = jane,
        .zoe = zoe,
        .surgery = surgery,
        .jane_code = jane_code,
        .jane_card = jane_card,
        .surgery_code = surgery_code,
        .coupon = coupon,
    };
    if (!referral_steps(&so_far)) {
        goto out;
    }

    /* ---- The third part: rewards (quickstart_rewards.c) ------------------ */

    if (!reward_steps(&so_far)) {
        goto out;
    }

    /* ---- The fourth part: the outbox (quickstart_outbox.c, quickstart_asks.c) */

    if (!outbox_steps(&so_far)) {
        goto out;
    }

    /* ---- The fifth part: how is it going? (quickstart_kpis.c) ------------ */

    if (!kpi_steps(&so_far)) {
        goto out;
    }

    printf("\nDone. Run me again: nothing is added twice.\n");
    exit_code = 0;

out:
    /* Every free function accepts NULL, so one cleanup path serves all exits. */
    rf_code_iter_free(codes);
    rf_code_free(found);
    rf_code_free(coupon);
    rf_code_free(surgery_code);
    rf_code_free(jane_card);
    rf_code_free(jane_code);
    rf_party_free(owner);
    rf_party_free(surgery);
    rf_party_free(zoe);
    rf_party_free(jane);
    rf_party_free(staff);
    rf_store_free(store);
    return exit_code;
}
