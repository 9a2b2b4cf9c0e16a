/* quickstart_asks.c: steps 27-28 (asking at the right moment) and 31-32 (a
 * referee's intro sequence, refused reports); quickstart_outbox.c runs them.
 *
 * The host tells the library what happens to its clients: a visit, an NPS
 * score, a milestone, praise, a complaint. Each programme's ask policy decides
 * whether this is a good moment to ask for a referral, on which channel and
 * with which script, or records why it held back. Every event carries an
 * idempotency key, so a re-run reports nothing twice and asks nobody twice. */
#include <referral.h>

#include <stdio.h>
#include <string.h>

#include "quickstart.h"

/* march() counts on and back: day 32 of March is 1 April, day -180 is 1 September 2025. */
#define SEPTEMBER_2025(day) ((day)-181)
#define APRIL(day) (31 + (day))
#define MAY(day) (61 + (day))

static rf_client_event_options event(rf_client_event_type type, const char *key)
{
    rf_client_event_options e = RF_CLIENT_EVENT_OPTIONS_INIT;
    e.type = type;
    e.idempotency_key = key;
    return e;
}

/* The ASK that event @event_id led to in the client programme (*out NULL:
 * none). Its key names the programme, the trigger and the event. */
static int find_ask(rf_task **out, const outbox_story *s, const char *party_id, const char *event_id)
{
    rf_task_filter f = RF_TASK_FILTER_INIT;
    f.party_id = party_id;
    f.kind = RF_TASK_ASK;
    rf_task_iter *it = NULL;
    rf_status rc = rf_task_list(&it, s->store, &f);
    *out = NULL;
    while (rc == RF_OK && (rc = rf_task_iter_next(out, it)) == RF_OK &&
           (strstr(rf_task_key(*out), event_id) == NULL ||
            strcmp(rf_task_program_id(*out), rf_program_id(s->advocates)) != 0)) {
        rf_task_free(*out);
        *out = NULL;
    }
    rf_task_iter_free(it);
    return rc == RF_OK || rc == RF_ITEROVER || ok(rc, "looking for an ask");
}

/* Report a client event at @at and print what the ask policy made of it. */
static int report(outbox_story *s, const rf_party *client, rf_time at, rf_client_event_options *e,
                  const char *what)
{
    rf_client_event *ev = NULL;
    rf_task *ask = NULL;
    *s->now = at;
    e->party_id = rf_party_id(client);
    int done = ok(rf_client_event_add(&ev, s->store, e), "reporting a client event") &&
               find_ask(&ask, s, rf_party_id(client), rf_client_event_id(ev));
    if (done) {
        char t[32];
        printf("  %s  ", when_text(at, t));
        print_padded(rf_party_display_name(client), 11);
        printf(" %s\n", what);
        if (ask != NULL && rf_task_get_state(ask) == RF_TASK_SUPPRESSED) {
            printf("%24s-> held back: %s\n", "", rf_task_data(ask));
        } else if (ask != NULL) {
            printf("%24s-> ASK by %s, script %s (%s)\n", "", rf_channel_name(rf_task_channel(ask)),
                   rf_task_template(ask), rf_task_data(ask));
        }
    }
    rf_task_free(ask);
    rf_client_event_free(ev);
    return done;
}

static const char *source_name(rf_template_source source)
{
    return source == RF_TEMPLATE_PROGRAM    ? "the programme's"
           : source == RF_TEMPLATE_PRACTICE ? "the practice's"
                                            : "built in";
}

/* Step 27, first half: the policy, and the practice's own words for one script. */
static int policy_and_words(outbox_story *s)
{
    char t[32];
    const rf_program *a = s->advocates;
    *s->now = march(APRIL(13), 9, 0);
    printf("\n27. %s: asking at the right moment\n", when_text(*s->now, t));
    /* Every programme asks by default. The GP programme's referrers are
     * surgeries, and its patients are asked through the client programme. */
    rf_program_options g = RF_PROGRAM_OPTIONS_INIT;
    g.ask_enabled = 0;
    g.idempotency_key = "quickstart:program:gp-partners:no-asks";
    if (!ok(rf_program_update(NULL, s->store, rf_program_id(s->gp_partners), &g), "turning asks off")) {
        return 0;
    }
    printf("  %s asks after an NPS of %d or more, a milestone, a good discharge, praise, a paid bill,\n"
           "  %d days after the first visit and on its anniversary; never twice in %d days, at most %d\n"
           "  times a year; a client is new for %d days. GP partners asks nobody.\n",
           rf_program_name(a), rf_program_ask_nps_threshold(a), rf_program_ask_after_first_visit_days(a),
           rf_program_ask_cooldown_days(a), rf_program_ask_yearly_cap(a), rf_program_new_client_days(a));

    /* Each script can be replaced for the practice or, as here, for one
     * programme. A template is checked when it is saved: an ask is about no
     * referral, so it has no referee to name. */
    printf("  the practice writes its own text for new clients:\n");
    rf_template *words = NULL;
    rf_template_options o = RF_TEMPLATE_OPTIONS_INIT;
    o.program_id = rf_program_id(a);
    o.name = "ask.sms.new";
    o.body = "Hi {{recipient.first_name}}, how is {{referee.first_name}} doing?";
    if (!fails_as(rf_template_save(&words, s->store, &o), RF_EINVALID,
                  "saving a template with a stray name")) {
        return 0;
    }
    /* A fallback after '|' stands in for a value that is absent. */
    o.body = "Hi {{recipient.first_name|there}}, thanks for choosing {{practice.name|us}}! If a friend could "
             "use a physio, send them {{code.link|our way}}. Reply STOP to opt out.";
    o.idempotency_key = "quickstart:template:ask-sms-new";
    int done = ok(rf_template_save(&words, s->store, &o), "saving a template");
    rf_template_free(words);
    words = NULL;
    done =
        done && ok(rf_template_get(&words, s->store, rf_program_id(a), "ask.sms.new"), "reading a template");
    if (done) {
        printf("  %s now comes from %s templates, saved %s\n", rf_template_name(words),
               source_name(rf_template_get_source(words)), when_text(rf_template_updated_at(words), t));
    }
    rf_template_free(words);
    return done;
}

/* Step 27, second half: two happy clients, two channels, two segments. */
static int happy_clients(outbox_story *s)
{
    const char *staff = rf_party_id(s->c->staff);
    const rf_party *jane = s->c->jane, *zoe = s->c->zoe;
    /* Jane has come since September. The host sends her first visit from its
     * records (it dates her first visit); today's visit asks nothing by itself. */
    rf_client_event_options history =
        event(RF_CLIENT_EVENT_VISIT_COMPLETED, "quickstart:event:jane:first-visit");
    history.at = march(SEPTEMBER_2025(15), 10, 0);
    history.practitioner_id = staff;
    rf_client_event_options visit =
        event(RF_CLIENT_EVENT_VISIT_COMPLETED, "quickstart:event:jane:visit-0413");
    visit.practitioner_id = staff;
    rf_client_event_options nps = event(RF_CLIENT_EVENT_NPS, "quickstart:event:jane:nps-0413");
    nps.value = 10;
    /* Zoë only gave a phone number: she is texted, with the practice's own words. */
    rf_client_event_options zoe_visit =
        event(RF_CLIENT_EVENT_VISIT_COMPLETED, "quickstart:event:zoe:visit-0413");
    rf_client_event_options zoe_nps = event(RF_CLIENT_EVENT_NPS, "quickstart:event:zoe:nps-0413");
    zoe_nps.value = 9;
    rf_task *ask = NULL;
    int done = report(s, jane, march(APRIL(13), 9, 10), &history, "first visit, Mon 15 Sep 2025") &&
               report(s, jane, march(APRIL(13), 10, 0), &visit, "visit completed") &&
               report(s, jane, march(APRIL(13), 10, 5), &nps, "NPS 10") &&
               report(s, zoe, march(APRIL(13), 11, 0), &zoe_visit, "first visit completed") &&
               report(s, zoe, march(APRIL(13), 11, 5), &zoe_nps, "NPS 9") &&
               run_worker(s, march(APRIL(13), 11, 10), 1) &&
               find_ask(&ask, s, rf_party_id(jane), "") /* her first ask: this one */ && ask != NULL;
    /* What came of an ask feeds the KPIs. Sent was recorded with the report;
     * the host adds what it learns (a re-run finds it recorded). */
    *s->now = march(APRIL(13), 19, 0);
    if (done && rf_task_outcome(ask) == RF_ASK_SENT) {
        done = ok(rf_task_set_outcome(s->store, rf_task_id(ask), RF_ASK_SHARED), "recording an outcome");
    }
    if (done) {
        char t[32];
        printf("  %s  Jane forwards the e-mail to her brother-in-law: the ask's outcome is SHARED\n",
               when_text(*s->now, t));
    }
    rf_task_free(ask);
    return done;
}

/* Step 28: when not to ask. */
static int not_now(outbox_story *s)
{
    printf("\n28. When not to ask\n");
    rf_party_filter f = RF_PARTY_FILTER_INIT;
    f.contact = "alex.morgan@example.com"; /* the host finds its client by e-mail */
    rf_party_iter *found = NULL;
    int done = ok(rf_party_list(&found, s->store, &f), "finding Alex") &&
               ok(rf_party_iter_next(&s->alex, found), "finding Alex");
    rf_party_iter_free(found);
    if (!done) {
        return 0;
    }
    rf_client_event_options opened =
        event(RF_CLIENT_EVENT_COMPLAINT_OPENED, "quickstart:event:alex:complaint");
    opened.label = "C-1042"; /* the host's reference: no personal data */
    rf_client_event_options praise = event(RF_CLIENT_EVENT_PRAISE, "quickstart:event:alex:praise");
    praise.label = "Google review";
    rf_client_event_options resolved =
        event(RF_CLIENT_EVENT_COMPLAINT_RESOLVED, "quickstart:event:alex:resolved");
    resolved.label = "C-1042";
    rf_client_event_options again = event(RF_CLIENT_EVENT_NPS, "quickstart:event:jane:nps-0427");
    again.value = 10;
    rf_client_event_options milestone = event(RF_CLIENT_EVENT_MILESTONE, "quickstart:event:alex:milestone");
    milestone.label = "ran 5 km again";
    /* Each suppressed ask is kept with its reason, so the practice can see why nobody was asked. */
    return report(s, s->alex, march(APRIL(14), 9, 0), &opened, "complaint C-1042 opened (billing)") &&
           report(s, s->alex, march(APRIL(15), 10, 0), &praise, "praise in a Google review") &&
           report(s, s->alex, march(APRIL(20), 14, 0), &resolved, "complaint C-1042 resolved") &&
           report(s, s->c->jane, march(APRIL(27), 10, 5), &again, "NPS 10 again, two weeks after her ask") &&
           report(s, s->alex, march(MAY(4), 10, 0), &milestone, "milestone: ran 5 km again") &&
           run_worker(s, march(MAY(4), 10, 5), 1);
}

int ask_steps(outbox_story *s)
{
    return policy_and_words(s) && happy_clients(s) && not_now(s);
}

/* The referee's intro messages: which, when due, and (@with_state) where they are. */
static int print_intros(const outbox_story *s, const rf_referral *ref, int with_state)
{
    rf_task_filter f = RF_TASK_FILTER_INIT;
    f.referral_id = rf_referral_id(ref);
    f.kind = RF_TASK_REFEREE_INTRO;
    rf_task_iter *it = NULL;
    if (!ok(rf_task_list(&it, s->store, &f), "listing the intro messages")) {
        return 0;
    }
    rf_status rc;
    rf_task *task = NULL;
    while ((rc = rf_task_iter_next(&task, it)) == RF_OK) {
        char t[32];
        printf("%24s%s due %s%s%s\n", "", rf_task_template(task), when_text(rf_task_due_at(task), t),
               with_state ? ": " : "", with_state ? rf_task_state_name(rf_task_get_state(task)) : "");
        rf_task_free(task);
    }
    rf_task_iter_free(it);
    return rc == RF_ITEROVER || ok(rc, "listing the intro messages");
}

/* Step 31: a friend of Jane's, welcomed until he books. */
static int leo(outbox_story *s)
{
    char t[32];
    rf_party *leo = NULL;
    rf_referral *ref = NULL;
    rf_task *ask = NULL;
    *s->now = march(MAY(7), 18, 0);
    printf("\n31. %s: Leo Fischer, Jane's brother-in-law, books online with her code %s\n",
           when_text(*s->now, t), rf_code_text(s->c->jane_code));
    rf_party_options p = RF_PARTY_OPTIONS_INIT;
    p.kind = RF_PARTY_LEAD;
    p.display_name = "Leo Fischer";
    p.email = "leo.fischer@example.com";
    p.consent = RF_CONSENT_CONTACT;
    p.idempotency_key = "quickstart:party:leo-fischer";
    rf_referral_options r = RF_REFERRAL_OPTIONS_INIT;
    r.program_id = rf_program_id(s->advocates);
    r.code = rf_code_text(s->c->jane_code);
    r.reason = "shoulder pain from climbing";
    r.idempotency_key = "quickstart:referral:leo";
    /* He may be contacted: three intro messages over a week, until he books. */
    int done = ok(rf_party_add(&leo, s->store, &p), "adding Leo") &&
               (r.referee_id = rf_party_id(leo),
                ok(rf_referral_create(&ref, s->store, &r), "creating Leo's referral"));
    if (!done) {
        goto out;
    }
    printf("  received; Jane is to be thanked, and Leo welcomed:\n");
    done = print_intros(s, ref, 0) && run_worker(s, march(MAY(7), 18, 5), 1) &&
           advance_to(s, ref, march(MAY(8), 9, 0), RF_REFERRAL_ACCEPTED, RF_TIME_UNSET,
                      "quickstart:referral:leo:accept") &&
           run_worker(s, march(MAY(10), 18, 0), 1) &&
           advance_to(s, ref, march(MAY(12), 9, 0), RF_REFERRAL_SCHEDULED, march(MAY(14), 10, 0),
                      "quickstart:referral:leo:schedule");
    if (!done) {
        goto out;
    }
    printf("  he booked: the last intro message is withdrawn, and Jane hears how her referral is going\n");
    done = print_intros(s, ref, 1) && run_worker(s, march(MAY(12), 9, 5), 1) &&
           find_ask(&ask, s, rf_party_id(s->c->jane), "") && ask != NULL; /* her first ask: step 27 */
    /* Jane's ask brought Leo: the latest outcome reported wins. */
    if (done && rf_task_outcome(ask) != RF_ASK_REFERRED) {
        done = ok(rf_task_set_outcome(s->store, rf_task_id(ask), RF_ASK_REFERRED), "recording an outcome");
    }
    if (done) {
        printf("  and the ask Jane had in April is REFERRED: someone came because of it\n");
    }
out:
    rf_task_free(ask);
    rf_referral_free(ref);
    rf_party_free(leo);
    return done;
}

/* Say what was tried, and check that it was refused as documented. */
static int refused(const char *what, rf_status rc, rf_status expected)
{
    printf("  %s:\n", what);
    return fails_as(rc, expected, what);
}

/* Step 32: reports that make no sense change nothing. */
static int refusals(outbox_story *s)
{
    printf("\n32. Reports that make no sense are refused\n");
    int64_t before = 0, after = 0;
    rf_task *thanks = NULL, *held = NULL;
    rf_client_event *ev = NULL;
    rf_client_event_options resolved = event(RF_CLIENT_EVENT_COMPLAINT_RESOLVED, NULL);
    resolved.label = "C-1042";
    resolved.party_id = rf_party_id(s->alex);
    rf_client_event_options nps = event(RF_CLIENT_EVENT_NPS, NULL);
    nps.value = 11;
    nps.party_id = rf_party_id(s->c->zoe);
    rf_task_filter delivered = RF_TASK_FILTER_INIT, suppressed = RF_TASK_FILTER_INIT;
    delivered.party_id = suppressed.party_id = rf_party_id(s->c->jane);
    delivered.kind = RF_TASK_THANK_REFERRER;
    delivered.state = RF_TASK_ACKED;
    suppressed.kind = RF_TASK_ASK;
    suppressed.state = RF_TASK_SUPPRESSED;
    int done = ok(rf_journal_last_seq(&before, s->store), "reading the journal") &&
               first_task(&thanks, s, &delivered) && thanks != NULL && first_task(&held, s, &suppressed) &&
               held != NULL &&
               refused("a thank-you already delivered, withdrawn",
                       rf_task_cancel(s->store, rf_task_id(thanks), "sent by mistake"), RF_ESTATE) &&
               refused("an outcome for the ask that was held back",
                       rf_task_set_outcome(s->store, rf_task_id(held), RF_ASK_DECLINED), RF_ESTATE) &&
               refused("Alex's complaint, resolved a second time",
                       rf_client_event_add(&ev, s->store, &resolved), RF_ESTATE) &&
               refused("an NPS of 11", rf_client_event_add(&ev, s->store, &nps), RF_EINVALID) &&
               ok(rf_journal_last_seq(&after, s->store), "reading the journal");
    rf_client_event_free(ev);
    rf_task_free(held);
    rf_task_free(thanks);
    if (done && after != before) {
        fprintf(stderr, "quickstart: the journal grew from #%lld to #%lld\n", (long long)before,
                (long long)after);
        return 0;
    }
    if (done) {
        printf("  the journal still ends at #%lld\n", (long long)after);
    }
    return done;
}

/* The outbox at the end, by state. */
static int outbox_by_state(const outbox_story *s)
{
    int count[RF_TASK_SUPPRESSED + 1] = {0};
    rf_task_iter *it = NULL;
    rf_status rc = rf_task_list(&it, s->store, NULL);
    rf_task *task = NULL;
    while (rc == RF_OK && (rc = rf_task_iter_next(&task, it)) == RF_OK) {
        count[rf_task_get_state(task)]++;
        rf_task_free(task);
    }
    rf_task_iter_free(it);
    if (rc != RF_ITEROVER) {
        return ok(rc, "listing the outbox");
    }
    printf("\n  The outbox at the end:");
    for (int state = RF_TASK_PENDING; state <= RF_TASK_SUPPRESSED; state++) {
        printf(" %d %s%s", count[state], rf_task_state_name((rf_task_state)state),
               state < RF_TASK_SUPPRESSED ? "," : "\n");
    }
    return 1;
}

int intro_steps(outbox_story *s)
{
    return leo(s) && refusals(s) && outbox_by_state(s);
}
