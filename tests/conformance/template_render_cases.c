/* Rendering real tasks from referral stories: the words each recipient gets,
 * what each may see of the others, and escaping for the task's channel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template_support.h"

#define PRACTICE "Elm Street Physio"
#define LINK "https://elm.example/r/"
/* advance_to() books the appointment a day after T0. */
#define APPOINTMENT "2026-03-02 09:00 UTC"

/* A referral story: a referrer with a code in the programme and a referee who came with it. */
typedef struct story {
    rf_program *program;
    rf_party *referrer, *referee;
    rf_code *code;
    rf_referral *referral;
    char link[128];
} story;

static rf_code *code_in(fixture *fx, const rf_party *owner, const rf_program *program)
{
    rf_code_options o = RF_CODE_OPTIONS_INIT;
    o.program_id = rf_program_id(program);
    rf_code *c = NULL;
    assert_ok(rf_code_issue(&c, fx->store, rf_party_id(owner), &o));
    return c;
}

static void story_start(fixture *fx, story *s, int referrer_consent, int referee_consent)
{
    memset(s, 0, sizeof *s);
    s->program = outbox_program(fx, "Friends");
    person jane = {RF_PARTY_CLIENT, "jane.smith@example.org", NULL, referrer_consent, RF_CHANNEL_UNSET, 0};
    s->referrer = add_person(fx, "Jane Smith", jane);
    s->code = code_in(fx, s->referrer, s->program);
    snprintf(s->link, sizeof s->link, "%s%s", LINK, rf_code_text(s->code));
    person liam = {RF_PARTY_LEAD,   "liam@example.net", "+44 7700 900123",
                   referee_consent, RF_CHANNEL_UNSET,   0};
    s->referee = add_person(fx, "Liam O'Brien", liam);
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(s->program);
    o.referee_id = rf_party_id(s->referee);
    o.code = rf_code_text(s->code);
    assert_ok(rf_referral_create(&s->referral, fx->store, &o));
    assert_string_equal(rf_referral_referrer_id(s->referral), rf_party_id(s->referrer));
}

static void story_free(story *s)
{
    rf_program_free(s->program);
    rf_party_free(s->referrer);
    rf_party_free(s->referee);
    rf_code_free(s->code);
    rf_referral_free(s->referral);
}

static void set_consent(fixture *fx, const rf_party *p, int consent)
{
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.consent = consent;
    assert_ok(rf_party_update(NULL, fx->store, rf_party_id(p), &o));
}

/* @task renders to @subject (NULL: none) and @body with the practice's name and links. */
static void assert_renders(fixture *fx, const rf_task *task, const char *subject, const char *body)
{
    rendered r = render_task(fx, task, PRACTICE, LINK);
    assert_string_or_null(r.subject, subject);
    assert_string_equal(r.body, body);
    rendered_free(&r);
}

static void assert_body(fixture *fx, const rf_task *task, const char *body)
{
    rendered r = render_task(fx, task, PRACTICE, LINK);
    assert_string_equal(r.body, body);
    rendered_free(&r);
}

/* --- the referrer's thanks and the referee's intro ----------------------------------- */

static void thanking_the_referrer(void **state)
{
    fixture *fx = *state;
    story s;
    story_start(fx, &s, RF_CONSENT_CONTACT, RF_CONSENT_CONTACT);
    rf_task *thank = task_for(fx, "thank", rf_referral_id(s.referral));
    assert_int_equal(rf_task_channel(thank), RF_CHANNEL_EMAIL);
    /* The referrer learns who they referred by initials only. */
    assert_renders(fx, thank, "Thank you for thinking of us",
                   "Dear Jane,\n\nThank you for referring L. to " PRACTICE
                   ". We will take good care of them.\n\nWarm wishes,\n" PRACTICE);

    /* Without render options the fallbacks speak. */
    char *subject = NULL, *body = NULL;
    assert_ok(rf_task_render(&subject, &body, fx->store, rf_task_id(thank), NULL));
    assert_string_equal(subject, "Thank you for thinking of us");
    assert_string_equal(body, "Dear Jane,\n\nThank you for referring L. to us. We will take good care of "
                              "them.\n\nWarm wishes,\nThe team");
    rf_free(subject);
    rf_free(body);
    rf_task_free(thank);
    story_free(&s);
}

static void the_referee_sees_the_referrer_named_only_with_consent(void **state)
{
    fixture *fx = *state;
    story s;
    story_start(fx, &s, RF_CONSENT_CONTACT, RF_CONSENT_CONTACT);
    rf_task *intro = task_for(fx, "intro1", rf_referral_id(s.referral));
    char body[512];
    snprintf(
        body, sizeof body,
        "Hi Liam, a friend of yours suggested we get in touch. We would be glad to welcome you at " PRACTICE
        ". You can book at %s.",
        s.link);
    assert_renders(fx, intro, "Someone who knows you thought we could help", body);
    /* A programme's own words, still without the referrer's name. */
    rf_template_free(
        save_template(fx, rf_program_id(s.program), "referee_intro.1", "From {{referrer.name|a friend}}",
                      "{{referrer.first_name|?}} / {{referrer.name|(not named)}} / {{code.text}}"));
    char expected[256];
    snprintf(expected, sizeof expected, "? / (not named) / %s", rf_code_text(s.code));
    assert_renders(fx, intro, "From a friend", expected);

    /* The referrer agrees to be named: the same task now names her. */
    set_consent(fx, s.referrer, RF_CONSENT_CONTACT | RF_CONSENT_NAMED);
    snprintf(expected, sizeof expected, "Jane / Jane Smith / %s", rf_code_text(s.code));
    assert_renders(fx, intro, "From Jane Smith", expected);
    rf_task *intro2 = task_for(fx, "intro2", rf_referral_id(s.referral));
    snprintf(body, sizeof body,
             "Hi Liam, just checking in. If you have any questions before booking, reply and we will gladly "
             "answer them. When you are ready, you can book at %s.",
             s.link);
    assert_renders(fx, intro2, "Any questions before you book?", body);
    rf_task *intro3 = task_for(fx, "intro3", rf_referral_id(s.referral));
    rendered r = render_task(fx, intro3, NULL, NULL);
    assert_string_equal(r.body,
                        "Hi Liam, this is our last note for now. Whenever you would like to come in, we "
                        "will be glad to see you. You can book at any time by replying to this message.");
    rendered_free(&r);
    rf_task_free(intro);
    rf_task_free(intro2);
    rf_task_free(intro3);
    story_free(&s);
}

/* {{code.text}} is the recipient's usable code of the task's programme, else
 * one of no programme; never another programme's. */
static void the_recipients_code_is_the_programmes(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Spring"), *other = outbox_program(fx, "Autumn");
    rf_party *jane = contactable_client(fx, "Jane Smith", 0);
    rf_referral *r = refer(fx, p, rf_party_id(jane), RF_SOURCE_MANUAL, RF_URGENCY_ROUTINE, NULL, 0);
    rf_task *thank = task_for(fx, "thank", rf_referral_id(r));
    rf_template_free(save_template(fx, NULL, "thank_referrer", NULL, "{{code.text|none}}"));
    rf_code *elsewhere = code_in(fx, jane, other);
    assert_body(fx, thank, "none");

    rf_code_options o = RF_CODE_OPTIONS_INIT;
    rf_code *general = NULL;
    assert_ok(rf_code_issue(&general, fx->store, rf_party_id(jane), &o));
    assert_body(fx, thank, rf_code_text(general));
    rf_code *own = code_in(fx, jane, p);
    assert_body(fx, thank, rf_code_text(own));
    /* A revoked code is not handed out again. */
    assert_ok(rf_code_revoke(NULL, fx->store, rf_code_text(own), NULL, NULL));
    assert_body(fx, thank, rf_code_text(general));

    rf_code_free(elsewhere);
    rf_code_free(general);
    rf_code_free(own);
    rf_task_free(thank);
    rf_referral_free(r);
    rf_party_free(jane);
    rf_program_free(p);
    rf_program_free(other);
}

/* --- privacy ---------------------------------------------------------------------------- */

static void the_referrer_sees_the_referees_contact_only_if_shared(void **state)
{
    fixture *fx = *state;
    story s;
    story_start(fx, &s, RF_CONSENT_CONTACT, RF_CONSENT_CONTACT);
    const char *probe =
        "{{referee.first_name}}|{{referee.name}}|{{referee.email|no email}}|{{referee.phone|no "
        "phone}}";
    rf_template *t = save_template(fx, rf_program_id(s.program), "thank_referrer", NULL, probe);
    rf_template_free(t);
    t = save_template(fx, rf_program_id(s.program), "referee_intro.1", NULL, probe);
    rf_template_free(t);
    rf_task *thank = task_for(fx, "thank", rf_referral_id(s.referral));
    rf_task *intro = task_for(fx, "intro1", rf_referral_id(s.referral));
    char everything[256];
    snprintf(everything, sizeof everything, "Liam|Liam O&#39;Brien|liam@example.net|%s",
             rf_party_phone(s.referee));

    assert_renders(fx, thank, NULL, "L.|L. O.|no email|no phone");
    /* The referee's own message shows their own details. */
    assert_renders(fx, intro, NULL, everything);

    set_consent(fx, s.referee, RF_CONSENT_CONTACT | RF_CONSENT_SHARE_CONTACT);
    assert_renders(fx, thank, NULL, everything);
    rf_task_free(thank);
    rf_task_free(intro);
    story_free(&s);
}

static void a_client_referrer_learns_the_appointment_only_if_shared(void **state)
{
    fixture *fx = *state;
    story s;
    story_start(fx, &s, RF_CONSENT_CONTACT, RF_CONSENT_CONTACT);
    drive_to(fx, &s.referral, RF_REFERRAL_SCHEDULED);
    rf_task *notice = task_for(fx, "status_scheduled", rf_referral_id(s.referral));
    assert_renders(fx, notice, "An update on your referral",
                   "Hi Jane, a quick update: your referral of L. is now booked. Thank you again for thinking "
                   "of " PRACTICE ".");
    rf_template *t =
        save_template(fx, NULL, "status_notice", NULL, "{{referral.state}}|{{referral.appointment|no time}}");
    assert_body(fx, notice, "booked|no time");
    set_consent(fx, s.referee, RF_CONSENT_CONTACT | RF_CONSENT_SHARE_CONTACT);
    assert_body(fx, notice, "booked|" APPOINTMENT);
    /* A notice speaks of its own moment, even once the referral has moved on. */
    drive_to(fx, &s.referral, RF_REFERRAL_SEEN);
    assert_body(fx, notice, "booked|" APPOINTMENT);
    drive_to(fx, &s.referral, RF_REFERRAL_CLOSED);
    rf_task *closed = task_for(fx, "status_closed", rf_referral_id(s.referral));
    assert_body(fx, closed, "complete|" APPOINTMENT);
    rf_task_free(closed);
    rf_template_free(t);
    rf_task_free(notice);
    story_free(&s);
}

/* --- a GP's updates -------------------------------------------------------------------- */

static void a_partner_hears_professional_updates(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "GP referrals");
    person gp = {RF_PARTY_PARTNER, "amira.shah@surgery.example", NULL, 0, RF_CHANNEL_UNSET, 0};
    rf_party *partner = add_person(fx, "Dr Amira Shah", gp);
    person staff = {RF_PARTY_STAFF, NULL, NULL, 0, RF_CHANNEL_UNSET, 0};
    rf_party *sam = add_person(fx, "Sam Lee", staff);
    person patient = {RF_PARTY_LEAD, "liam.ortiz@example.net", NULL, RF_CONSENT_CONTACT, RF_CHANNEL_UNSET, 0};
    rf_party *liam = add_person(fx, "Liam Ortiz", patient);
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(p);
    o.referee_id = rf_party_id(liam);
    o.referrer_id = rf_party_id(partner);
    o.source = RF_SOURCE_PARTNER;
    o.practitioner_id = rf_party_id(sam);
    rf_referral *r = NULL;
    assert_ok(rf_referral_create(&r, fx->store, &o));

    rf_task *thank = task_for(fx, "thank", rf_referral_id(r));
    assert_body(fx, thank,
                "Dear Dr Amira Shah,\n\nThank you for referring Liam to " PRACTICE
                ". We will take good care of them.\n\nWarm wishes,\n" PRACTICE);
    drive_to(fx, &r, RF_REFERRAL_SCHEDULED);
    rf_task *booked = task_for(fx, "partner_scheduled", rf_referral_id(r));
    assert_int_equal(rf_task_channel(booked), RF_CHANNEL_EMAIL);
    assert_renders(
        fx, booked, "Referral update: appointment booked",
        "Dear Dr Amira Shah,\n\nThank you for referring Liam Ortiz to us. An appointment has been booked "
        "for " APPOINTMENT " with Sam Lee.\n\nWe will write again after the first visit.\n\nKind "
        "regards,\n" PRACTICE);
    drive_to(fx, &r, RF_REFERRAL_SEEN);
    rf_task *seen = task_for(fx, "partner_visit", rf_referral_id(r));
    assert_renders(
        fx, seen, "Referral update: first visit completed",
        "Dear Dr Amira Shah,\n\nYour referral, Liam Ortiz, attended a first visit with Sam Lee. Any clinical "
        "correspondence will follow through the usual secure channel; this message holds no clinical "
        "detail.\n\nKind regards,\n" PRACTICE);
    drive_to(fx, &r, RF_REFERRAL_CLOSED);
    rf_task *closed = task_for(fx, "partner_closure", rf_referral_id(r));
    rendered out = render_task(fx, closed, PRACTICE, LINK);
    assert_string_equal(out.subject, "Referral update: care completed");
    assert_non_null(strstr(out.body, "Care for your referral, Liam Ortiz, is now complete"));
    /* Professional: the GP's own patient by name, but no offers, no links, none of the
     * patient's contact details (they did not opt in to share them). */
    assert_null(strstr(out.body, "http"));
    assert_null(strstr(out.body, "liam.ortiz"));
    rendered_free(&out);

    rf_task_free(thank);
    rf_task_free(booked);
    rf_task_free(seen);
    rf_task_free(closed);
    rf_referral_free(r);
    rf_party_free(partner);
    rf_party_free(sam);
    rf_party_free(liam);
    rf_program_free(p);
}

/* --- asks ------------------------------------------------------------------------------- */

static rf_task *nps_ask(fixture *fx, const rf_program *p, const rf_party *client, const char *segment)
{
    char data[64];
    snprintf(data, sizeof data, "trigger=nps;segment=%s", segment);
    return trigger_ask(fx, p, client, RF_CLIENT_EVENT_NPS, 10, "nps", RF_TASK_PENDING, data);
}

static void an_ask_by_sms_and_by_email_escapes_for_its_channel(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Asks");
    person by_sms = {RF_PARTY_CLIENT,  NULL,         "+44 7700 900001", RF_CONSENT_CONTACT,
                     RF_CHANNEL_UNSET, T0 - 10 * DAY};
    person by_mail = {RF_PARTY_CLIENT,    "kate@example.org", NULL,
                      RF_CONSENT_CONTACT, RF_CHANNEL_UNSET,   T0 - 10 * DAY};
    rf_party *texted = add_person(fx, "Kate O'Brien <b>", by_sms);
    rf_party *mailed = add_person(fx, "Kate O'Brien <b>", by_mail);
    rf_code *texted_code = code_in(fx, texted, p), *mailed_code = code_in(fx, mailed, p);
    rf_task *sms = nps_ask(fx, p, texted, "new");
    rf_task *mail = nps_ask(fx, p, mailed, "new");
    assert_string_equal(rf_task_template(sms), "ask.sms.new");
    assert_string_equal(rf_task_template(mail), "ask.email.new");

    char expected[1024];
    snprintf(expected, sizeof expected,
             "Hi Kate, thanks for choosing " PRACTICE
             ". If someone you know could use our help, we would love to see them: " LINK "%s",
             rf_code_text(texted_code));
    assert_renders(fx, sms, NULL, expected);
    /* One SMS: 160 characters, link included. */
    assert_true(strlen(expected) <= 160);
    snprintf(expected, sizeof expected,
             "Dear Kate,\n\nWe are so glad you chose " PRACTICE
             ", and we hope your first visits have helped.\n\nMost people find us because someone they trust "
             "mentioned us. If you know someone who could use our help, you are welcome to pass this on to "
             "them: " LINK
             "%s.\n\nThere is no obligation at all. Thank you for being here.\n\nWarm wishes,\nThe "
             "team",
             rf_code_text(mailed_code));
    assert_renders(fx, mail, "Know someone we could help?", expected);

    /* Values are escaped for e-mail and left alone in an SMS; the template's own markup stays. */
    const char *words = "Hi {{recipient.name}}, <i>thanks</i> from {{practice.name}}";
    rf_template_free(save_template(fx, rf_program_id(p), "ask.sms.new", NULL, words));
    rf_template_free(save_template(fx, rf_program_id(p), "ask.email.new", "For {{recipient.name}}", words));
    rf_render_options o = RF_RENDER_OPTIONS_INIT;
    o.practice_name = "Smith & Jones";
    char *subject = NULL, *body = NULL;
    assert_ok(rf_task_render(&subject, &body, fx->store, rf_task_id(sms), &o));
    assert_null(subject);
    assert_string_equal(body, "Hi Kate O'Brien <b>, <i>thanks</i> from Smith & Jones");
    rf_free(body);
    assert_ok(rf_task_render(&subject, &body, fx->store, rf_task_id(mail), &o));
    /* A subject is a header line, not HTML. */
    assert_string_equal(subject, "For Kate O'Brien <b>");
    assert_string_equal(body, "Hi Kate O&#39;Brien &lt;b&gt;, <i>thanks</i> from Smith &amp; Jones");
    rf_free(subject);
    rf_free(body);

    /* A long-standing client gets the other script. */
    person old = {RF_PARTY_CLIENT,  NULL,          "+44 7700 900002", RF_CONSENT_CONTACT,
                  RF_CHANNEL_UNSET, T0 - 400 * DAY};
    rf_party *loyal = add_person(fx, "Ruth Hale", old);
    rf_task *long_ask = nps_ask(fx, p, loyal, "long");
    assert_renders(
        fx, long_ask, NULL,
        "Hi Ruth, it is always a pleasure to see you. If a friend could use our help, feel free to pass "
        "this on: they can just mention your name");
    rf_task_free(long_ask);
    rf_party_free(loyal);
    rf_task_free(sms);
    rf_task_free(mail);
    rf_code_free(texted_code);
    rf_code_free(mailed_code);
    rf_party_free(texted);
    rf_party_free(mailed);
    rf_program_free(p);
}

/* --- rewards, tiers and SLAs ------------------------------------------------------------- */

static void reward_and_tier_messages_carry_their_figures(void **state)
{
    fixture *fx = *state;
    story s;
    story_start(fx, &s, RF_CONSENT_CONTACT, RF_CONSENT_CONTACT);
    rf_reward_rule_options ro =
        rule_options(s.program, RF_RECIPIENT_REFERRER, RF_REWARD_ACCOUNT_CREDIT, RF_REFERRAL_SCHEDULED);
    rf_reward_rule *first = add_rule(fx, &ro);
    ro.tier = 3;
    ro.amount = 3000;
    rf_reward_rule *third = add_rule(fx, &ro);
    drive_to(fx, &s.referral, RF_REFERRAL_SCHEDULED);
    rf_task *notice =
        only_task(fx, rf_party_id(s.referrer), rf_referral_id(s.referral), RF_TASK_REWARD_NOTICE);
    assert_renders(fx, notice, "A thank-you from " PRACTICE,
                   "Hi Jane, thank you for helping others find " PRACTICE
                   ". Your thank-you is ready: EUR 10.00 account credit.");

    /* The second qualifying referral is one before tier 3: a nudge with the figures. */
    rf_referral *second = referral_at(fx, s.program, rf_party_id(s.referrer), RF_REFERRAL_SCHEDULED);
    rf_task *nudge = only_task(fx, rf_party_id(s.referrer), NULL, RF_TASK_TIER_NUDGE);
    assert_string_equal(rf_task_data(nudge), "count=2;next_tier=3");
    assert_renders(
        fx, nudge, "One more referral to your next thank-you",
        "Hi Jane, thank you for recommending " PRACTICE
        ". Your referral count is now 2, and 1 more will reach your next thank-you. No pressure at "
        "all: we are simply grateful.");
    rf_template_free(
        save_template(fx, NULL, "tier_nudge", NULL, "{{tier.count}}/{{tier.next}}/{{tier.to_next}}"));
    assert_body(fx, nudge, "2/3/1");
    rf_task_free(nudge);
    rf_task_free(notice);
    rf_referral_free(second);
    rf_reward_rule_free(first);
    rf_reward_rule_free(third);
    story_free(&s);
}

static void an_sla_breach_tells_the_practice_everything(void **state)
{
    fixture *fx = *state;
    story s;
    story_start(fx, &s, RF_CONSENT_CONTACT, RF_CONSENT_CONTACT);
    person staff = {RF_PARTY_STAFF, NULL, NULL, 0, RF_CHANNEL_UNSET, 0};
    rf_party *sam = add_person(fx, "Sam Lee", staff);
    person lead = {RF_PARTY_LEAD, "noor@example.net", NULL, 0, RF_CHANNEL_UNSET, 0};
    rf_party *noor = add_person(fx, "Noor Haddad", lead);
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(s.program);
    o.referee_id = rf_party_id(noor);
    o.referrer_id = rf_party_id(s.referrer);
    o.source = RF_SOURCE_MANUAL;
    o.urgency = RF_URGENCY_URGENT;
    o.practitioner_id = rf_party_id(sam);
    rf_referral *r = NULL;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    fx->now += 5 * HOUR;
    sweep(fx);
    rf_task *breach = task_for(fx, "sla", rf_referral_id(r));
    /* Inside the practice names are whole; the due time is the SLA's. */
    assert_renders(fx, breach, "Referral waiting for a first response",
                   "The referral of Noor Haddad from Jane Smith has had no first response (accept, ask for "
                   "information or decline). It was due 2026-03-01 13:00 UTC. Please answer it today.");
    rf_template_free(
        save_template(fx, NULL, "sla_breach", NULL, "{{recipient.name}}|{{referee.email}}|{{sla.due}}"));
    assert_body(fx, breach, "Sam Lee|noor@example.net|2026-03-01 13:00 UTC");
    rf_task_free(breach);
    rf_referral_free(r);
    rf_party_free(sam);
    rf_party_free(noor);
    story_free(&s);
}

/* --- options and refusals ---------------------------------------------------------------- */

static void render_options_and_refusals(void **state)
{
    fixture *fx = *state;
    story s;
    story_start(fx, &s, RF_CONSENT_CONTACT, RF_CONSENT_CONTACT);
    rf_task *intro = task_for(fx, "intro1", rf_referral_id(s.referral));
    rf_template_free(save_template(fx, NULL, "referee_intro.1", "{{practice.name|P}}",
                                   "{{practice.name|no practice}} {{code.link|no link}}"));
    rendered r = render_task(fx, intro, NULL, NULL);
    assert_string_equal(r.subject, "P");
    assert_string_equal(r.body, "no practice no link");
    rendered_free(&r);
    r = render_task(fx, intro, "Oak & Ash", "https://oak.example/?c=");
    char expected[256];
    snprintf(expected, sizeof expected, "Oak &amp; Ash https://oak.example/?c=%s", rf_code_text(s.code));
    assert_string_equal(r.subject, "Oak & Ash");
    assert_string_equal(r.body, expected);
    rendered_free(&r);

    /* The subject is optional to ask for. */
    char *body = NULL, *subject = (char *)"unset";
    assert_ok(rf_task_render(NULL, &body, fx->store, rf_task_id(intro), NULL));
    assert_string_equal(body, "no practice no link");
    rf_free(body);

    char *before = template_snapshot(fx, rf_program_id(s.program));
    rf_render_options o = RF_RENDER_OPTIONS_INIT;
    o.version = 7;
    body = (char *)"unset";
    assert_status(rf_task_render(&subject, &body, fx->store, rf_task_id(intro), &o), RF_EINVALID);
    assert_message_has("RF_RENDER_OPTIONS_INIT");
    assert_null(subject);
    assert_null(body);
    o.version = RF_RENDER_OPTIONS_VERSION;
    o.link_base = "https://x.example/\n";
    assert_status(rf_task_render(&subject, &body, fx->store, rf_task_id(intro), &o), RF_EINVALID);
    assert_message_has("link_base contains a control character");
    o.link_base = NULL;
    o.practice_name = "Elm\xff";
    assert_status(rf_task_render(&subject, &body, fx->store, rf_task_id(intro), &o), RF_EINVALID);
    assert_message_has("practice_name is not valid UTF-8");
    assert_status(rf_task_render(&subject, &body, fx->store, "0190b1a2-0000-7000-8000-000000000000", NULL),
                  RF_ENOTFOUND);
    assert_message_has("no task");
    assert_status(rf_task_render(&subject, NULL, fx->store, rf_task_id(intro), NULL), RF_EINVALID);
    assert_status(rf_task_render(&subject, &body, NULL, rf_task_id(intro), NULL), RF_EINVALID);
    assert_status(rf_task_render(&subject, &body, fx->store, NULL, NULL), RF_EINVALID);

    /* More than 64 KiB of output is refused, not cut. */
    char words[1200] = "";
    for (int i = 0; i < 70; i++) {
        strcat(words, "{{code.link}}");
    }
    rf_template_free(save_template(fx, rf_program_id(s.program), "referee_intro.1", NULL, words));
    char *base = malloc(1001);
    assert_non_null(base);
    memset(base, 'b', 1000);
    base[1000] = '\0';
    o.practice_name = NULL;
    o.link_base = base;
    free(before);
    before = template_snapshot(fx, rf_program_id(s.program));
    assert_status(rf_task_render(&subject, &body, fx->store, rf_task_id(intro), &o), RF_EINVALID);
    assert_message_has("template 'referee_intro.1' renders to more than 65536 bytes");
    assert_null(subject);
    assert_null(body);
    char *after = template_snapshot(fx, rf_program_id(s.program));
    assert_string_equal(after, before);
    free(after);
    free(before);
    free(base);
    rf_task_free(intro);
    story_free(&s);
}

const struct CMUnitTest template_render_cases[] = {
    CASE(thanking_the_referrer),
    CASE(the_referee_sees_the_referrer_named_only_with_consent),
    CASE(the_recipients_code_is_the_programmes),
    CASE(the_referrer_sees_the_referees_contact_only_if_shared),
    CASE(a_client_referrer_learns_the_appointment_only_if_shared),
    CASE(a_partner_hears_professional_updates),
    CASE(an_ask_by_sms_and_by_email_escapes_for_its_channel),
    CASE(reward_and_tier_messages_carry_their_figures),
    CASE(an_sla_breach_tells_the_practice_everything),
    CASE(render_options_and_refusals),
};
const size_t template_render_case_count = sizeof template_render_cases / sizeof template_render_cases[0];
