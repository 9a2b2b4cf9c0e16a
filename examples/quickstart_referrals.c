/* quickstart_referrals.c: the quickstart's second half, steps 7-15 (referrals); quickstart.c runs it. */
#include <referral.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "quickstart.h"

/* Referrals and the journal name records by id only (the journal never holds
 * personal data), so the host looks up what it needs; here we simply remember
 * what we created. */
typedef struct named_id {
    const char *id;
    const char *name;
} named_id;

static const char *name_of(const named_id *known, size_t n, const char *id)
{
    for (size_t i = 0; id != NULL && i < n; i++) {
        if (strcmp(known[i].id, id) == 0) {
            return known[i].name;
        }
    }
    return "-";
}

/* "Thu 05 Mar 10:30" */
static const char *when(rf_time t, char buf[32])
{
    time_t tt = (time_t)t;
    strftime(buf, 32, "%a %d %b %H:%M", gmtime(&tt));
    return buf;
}

/* Move a referral on at time @at (an appointment is needed for SCHEDULED).
 * With the same key, a re-run gets the referral back as it is now (already
 * CLOSED) instead of an error, so the line prints the move that was asked for. */
static int advance(rf_referral **ref, rf_store *store, rf_time *now, rf_time at, rf_referral_state to,
                   rf_time appointment_at, const char *key)
{
    *now = at;
    rf_advance_options o = RF_ADVANCE_OPTIONS_INIT;
    o.appointment_at = appointment_at;
    o.idempotency_key = key;
    rf_referral *moved = NULL;
    if (!ok(rf_referral_advance(&moved, store, rf_referral_id(*ref), to, &o), "moving the referral on")) {
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

int referral_steps(const clinic *c)
{
    int done = 0;
    rf_store *store = c->store;
    rf_time *now = c->now;
    const rf_party *jane = c->jane, *surgery = c->surgery;
    const rf_code *jane_code = c->jane_code;
    rf_party *owner = NULL;
    rf_code *alex_code = NULL;
    rf_code_iter *codes = NULL;
    rf_program *advocates = NULL, *gp_partners = NULL;
    rf_touch *visit = NULL;
    rf_party *alex = NULL, *omar = NULL;
    rf_referral *alex_ref = NULL, *omar_ref = NULL, *refused = NULL;
    rf_referrer_view *view = NULL;
    rf_referral_iter *referrals = NULL;
    rf_journal_iter *journal = NULL;

    /* A programme holds the rules: how a referee is attributed (here: the
     * last visit through someone's code within 90 days), who may be referred
     * in, what happens when a fraud guard trips. */
    printf("\n7. Two referral programmes\n");
    rf_program_options g = RF_PROGRAM_OPTIONS_INIT;
    g.name = "Client advocates";
    g.auto_issue_code = 1; /* a referee who becomes a client gets a code to pass on */
    g.idempotency_key = "quickstart:program:client-advocates";
    if (!ok(rf_program_create(&advocates, store, &g), "creating the client programme")) {
        goto out;
    }
    g = (rf_program_options)RF_PROGRAM_OPTIONS_INIT;
    g.name = "GP partners";
    g.exclude_existing_clients = 0; /* a GP may send back a patient the clinic already knows */
    g.idempotency_key = "quickstart:program:gp-partners";
    if (!ok(rf_program_create(&gp_partners, store, &g), "creating the GP programme")) {
        goto out;
    }
    const rf_program *programs[] = {advocates, gp_partners};
    for (size_t i = 0; i < 2; i++) {
        const rf_program *pr = programs[i];
        printf("  %-17s %s within %d days, %s%s\n", rf_program_name(pr),
               rf_program_attribution(pr) == RF_ATTRIBUTION_FIRST_TOUCH ? "first touch" : "last touch",
               rf_program_window_days(pr),
               rf_program_excludes_existing_clients(pr) ? "new clients only" : "anyone",
               rf_program_auto_issues_code(pr) ? ", new clients get a code" : "");
    }

    /* A touch is a visit through a code. The host names the visitor with a
     * key of its own (a cookie id here); the library never looks at IPs. */
    char t[32];
    *now = march(2, 18, 20);
    printf("\n8. %s: a friend of Jane opens the link in Jane's e-mail\n", when(*now, t));
    rf_touch_options to = RF_TOUCH_OPTIONS_INIT;
    to.channel = RF_CHANNEL_LINK;
    to.idempotency_key = "quickstart:touch:cookie-7f3a";
    if (!ok(rf_touch_add(&visit, store, rf_code_text(jane_code), "cookie-7f3a", &to),
            "recording the visit")) {
        goto out;
    }
    printf("  touch recorded: visitor cookie-7f3a came through %s via %s\n", rf_code_text(jane_code),
           rf_channel_name(rf_touch_channel(visit)));

    /* Next morning she books. Only now does the clinic know her: she is a
     * LEAD until she becomes a client. The referral names no referrer: the
     * visitor's touches decide who sent her. */
    *now = march(3, 9, 15);
    printf("\n9. %s: she books online as Alex Morgan\n", when(*now, t));
    rf_party_options p = RF_PARTY_OPTIONS_INIT;
    p.kind = RF_PARTY_LEAD;
    p.display_name = "Alex Morgan";
    p.email = "alex.morgan@example.com";
    p.consent = RF_CONSENT_CONTACT;
    p.idempotency_key = "quickstart:party:alex-morgan";
    if (!ok(rf_party_add(&alex, store, &p), "adding Alex")) {
        goto out;
    }
    rf_referral_options r = RF_REFERRAL_OPTIONS_INIT;
    r.program_id = rf_program_id(advocates);
    r.referee_id = rf_party_id(alex);
    r.visitor_key = "cookie-7f3a";
    r.reason = "sore knee after running";
    r.idempotency_key = "quickstart:referral:alex";
    if (!ok(rf_referral_create(&alex_ref, store, &r), "creating Alex's referral")) {
        goto out;
    }
    if (!ok(rf_party_get(&owner, store, rf_referral_referrer_id(alex_ref)), "reading the referrer")) {
        goto out;
    }
    printf("  added as a LEAD; referral received, attributed to %s (source %s: her visit through %s)\n",
           rf_party_display_name(owner), rf_referral_source_name(rf_referral_get_source(alex_ref)),
           rf_code_text(jane_code));

    /* The closed loop: each step is journalled and can be reported back. */
    printf("\n10. Alex's referral goes round the loop\n");
    if (!advance(&alex_ref, store, now, march(3, 9, 30), RF_REFERRAL_ACCEPTED, RF_TIME_UNSET,
                 "quickstart:referral:alex:accept") ||
        !advance(&alex_ref, store, now, march(3, 9, 35), RF_REFERRAL_SCHEDULED, march(5, 10, 30),
                 "quickstart:referral:alex:schedule") ||
        !advance(&alex_ref, store, now, march(5, 10, 30), RF_REFERRAL_SEEN, RF_TIME_UNSET,
                 "quickstart:referral:alex:seen") ||
        !advance(&alex_ref, store, now, march(5, 11, 15), RF_REFERRAL_CLOSED, RF_TIME_UNSET,
                 "quickstart:referral:alex:close")) {
        goto out;
    }
    /* Closing made her a CLIENT, and this programme gave her a code. */
    rf_party_free(alex);
    alex = NULL;
    if (!ok(rf_party_get(&alex, store, rf_referral_referee_id(alex_ref)), "reading Alex again") ||
        !ok(rf_code_list(&codes, store, rf_party_id(alex)), "listing Alex's codes") ||
        !ok(rf_code_iter_next(&alex_code, codes), "reading Alex's code")) {
        goto out;
    }
    printf("  Alex Morgan is now a %s (first visit %s) with a code of her own: %s\n",
           rf_party_kind_name(rf_party_get_kind(alex)), when(rf_party_first_visit_at(alex), t),
           rf_code_text(alex_code));

    /* A partner's referral names its referrer (source PARTNER) and may need
     * documents before the clinic can act on it. */
    *now = march(5, 14, 0);
    printf("\n11. %s: Elm Street Surgery sends an urgent patient\n", when(*now, t));
    p = (rf_party_options)RF_PARTY_OPTIONS_INIT;
    p.kind = RF_PARTY_LEAD;
    p.display_name = "Omar Haddad";
    p.idempotency_key = "quickstart:party:omar-haddad";
    if (!ok(rf_party_add(&omar, store, &p), "adding Omar")) {
        goto out;
    }
    r = (rf_referral_options)RF_REFERRAL_OPTIONS_INIT;
    r.program_id = rf_program_id(gp_partners);
    r.referee_id = rf_party_id(omar);
    r.referrer_id = rf_party_id(surgery);
    r.source = RF_SOURCE_PARTNER;
    r.channel = RF_CHANNEL_LETTER;
    r.reason = "lower back pain, MRI requested";
    r.urgency = RF_URGENCY_URGENT;
    r.documents_required = "letter,imaging";
    r.documents_received = "letter";
    r.idempotency_key = "quickstart:referral:omar";
    if (!ok(rf_referral_create(&omar_ref, store, &r), "creating Omar's referral")) {
        goto out;
    }
    printf("  Omar Haddad, %s, needs %s; all there on arrival: %s\n",
           rf_urgency_name(rf_referral_urgency(omar_ref)), rf_referral_documents_required(omar_ref),
           rf_referral_documents_complete_at_receipt(omar_ref) ? "yes" : "no");
    *now = march(9, 9, 0);
    /* Receiving a document twice is harmless, so this needs no key. */
    rf_referral *updated = NULL;
    if (!ok(rf_referral_receive_document(&updated, store, rf_referral_id(omar_ref), "imaging"),
            "receiving the imaging")) {
        goto out;
    }
    rf_referral_free(omar_ref);
    omar_ref = updated;
    printf("  %s  the imaging arrives; received: %s\n", when(*now, t),
           rf_referral_documents_received(omar_ref));
    if (!advance(&omar_ref, store, now, march(9, 9, 5), RF_REFERRAL_ACCEPTED, RF_TIME_UNSET,
                 "quickstart:referral:omar:accept")) {
        goto out;
    }

    /* What a referrer may see: how far each referral got, the referee by
     * initials unless the referee agreed to share more, never contacts. */
    printf("\n12. What Jane sees of her referrals\n");
    if (!ok(rf_referrer_view_open(&view, store, rf_party_id(jane)), "opening Jane's view")) {
        goto out;
    }
    for (;;) {
        rf_referrer_entry *e = NULL;
        rf_status rc = rf_referrer_view_next(&e, view);
        if (rc == RF_ITEROVER) {
            break;
        }
        if (!ok(rc, "reading Jane's view")) {
            goto out;
        }
        printf("  %-8s %-8s received %s\n", rf_referrer_entry_referee_label(e),
               rf_referrer_status_name(rf_referrer_entry_status(e)),
               when(rf_referrer_entry_received_at(e), t));
        rf_referrer_entry_free(e);
    }

    /* The fraud guards run on every inbound referral. A refused call writes
     * nothing, so it needs no idempotency key. */
    printf("\n13. Jane books a session for herself with her own code %s\n", rf_code_text(jane_code));
    r = (rf_referral_options)RF_REFERRAL_OPTIONS_INIT;
    r.program_id = rf_program_id(advocates);
    r.referee_id = rf_party_id(jane);
    r.code = rf_code_text(jane_code);
    if (!fails_as(rf_referral_create(&refused, store, &r), RF_EPOLICY, "a self-referral")) {
        goto out;
    }

    /* Names for the ids that the FHIR list and the journal print (see named_id). */
    const named_id known[] = {
        {rf_party_id(c->staff), rf_party_display_name(c->staff)},
        {rf_party_id(jane), rf_party_display_name(jane)},
        {rf_party_id(c->zoe), rf_party_display_name(c->zoe)},
        {rf_party_id(surgery), rf_party_display_name(surgery)},
        {rf_party_id(alex), rf_party_display_name(alex)},
        {rf_party_id(omar), rf_party_display_name(omar)},
        {rf_code_id(jane_code), rf_code_text(jane_code)},
        {rf_code_id(c->jane_card), rf_code_text(c->jane_card)},
        {rf_code_id(c->surgery_code), rf_code_text(c->surgery_code)},
        {rf_code_id(c->coupon), rf_code_text(c->coupon)},
        {rf_code_id(alex_code), rf_code_text(alex_code)},
        {rf_program_id(advocates), rf_program_name(advocates)},
        {rf_program_id(gp_partners), rf_program_name(gp_partners)},
        {rf_touch_id(visit), "visit cookie-7f3a"},
        {rf_referral_id(alex_ref), "Alex's referral"},
        {rf_referral_id(omar_ref), "Omar's referral"},
    };
    const size_t n_known = sizeof known / sizeof known[0];

    /* Systems that speak HL7 FHIR track a referral as a Task: each state maps
     * to a Task.status and a businessStatus. */
    printf("\n14. Every referral as a FHIR Task\n");
    if (!ok(rf_referral_list(&referrals, store, NULL), "listing referrals")) {
        goto out;
    }
    for (;;) {
        rf_referral *ref = NULL;
        rf_status rc = rf_referral_iter_next(&ref, referrals);
        if (rc == RF_ITEROVER) {
            break;
        }
        const char *task = NULL, *business = NULL;
        if (!ok(rc, "reading referrals") ||
            !ok(rf_referral_state_fhir(rf_referral_get_state(ref), &task, &business), "mapping to FHIR")) {
            rf_referral_free(ref);
            goto out;
        }
        printf("  ");
        print_padded(name_of(known, n_known, rf_referral_referrer_id(ref)), 18);
        printf(" -> ");
        print_padded(name_of(known, n_known, rf_referral_referee_id(ref)), 12);
        printf(" %-9s Task.status %-9s businessStatus %s\n",
               rf_referral_state_name(rf_referral_get_state(ref)), task, business);
        rf_referral_free(ref);
    }

    /* The journal records every change; a host keeps the last seq it
     * processed and reads on from there. 0 = from the start. */
    printf("\n15. The journal, from the start\n");
    if (!ok(rf_journal_read(&journal, store, 0), "reading the journal")) {
        goto out;
    }
    for (;;) {
        rf_event *ev = NULL;
        rf_status rc = rf_journal_iter_next(&ev, journal);
        if (rc == RF_ITEROVER) {
            break;
        }
        if (!ok(rc, "reading the journal")) {
            goto out;
        }
        printf("  #%-3lld %-17s ", (long long)rf_event_seq(ev), rf_event_type(ev));
        print_padded(name_of(known, n_known, rf_event_subject_id(ev)), 18);
        printf(" %-26s key %s\n", or_dash(rf_event_data(ev)), or_dash(rf_event_idempotency_key(ev)));
        rf_event_free(ev);
    }
    done = 1;

out:
    rf_journal_iter_free(journal);
    rf_referral_iter_free(referrals);
    rf_referrer_view_free(view);
    rf_referral_free(refused);
    rf_referral_free(omar_ref);
    rf_referral_free(alex_ref);
    rf_party_free(omar);
    rf_party_free(alex);
    rf_touch_free(visit);
    rf_program_free(gp_partners);
    rf_program_free(advocates);
    rf_code_free(alex_code);
    rf_code_iter_free(codes);
    rf_party_free(owner);
    return done;
}
