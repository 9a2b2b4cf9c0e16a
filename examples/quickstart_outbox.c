/* quickstart_outbox.c: the quickstart's fourth part, steps 26-32 (the outbox);
 * quickstart.c runs it, and the asks (steps 27-28) are in quickstart_asks.c.
 *
 * libreferral never sends anything itself. As referrals move, rewards are
 * granted and the host reports its clients' good and bad moments, it writes
 * tasks to an outbox: thank the referrer, tell the GP their patient was seen,
 * welcome a referee, ask a happy client, warn the practice that a referral has
 * waited too long. The host runs a worker every few minutes (cron, a timer, a
 * queue consumer) that drains the due tasks, renders each message with the
 * practice's words, sends it its own way and reports back.
 *
 * A re-run's worker finds nothing left to do: every task went out the first
 * time and is handed out only once. So the texts are printed from the outbox
 * itself (the tasks sent at each run's time), and a re-run prints the same. */
#include <referral.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "quickstart.h"

#define MINUTE ((rf_time)60)
#define HOUR (60 * MINUTE)
/* march() simply counts on: day 32 of March is 1 April, day 62 is 1 May. */
#define APRIL(day) (31 + (day))
#define MAY(day) (61 + (day))

/* At most this many tasks per worker run; the rest wait for the next run. */
#define BATCH 32

/* "Mon 13 Apr 08:00" */
const char *when_text(rf_time t, char buf[32])
{
    time_t tt = (time_t)t;
    strftime(buf, 32, "%a %d %b %H:%M", gmtime(&tt));
    return buf;
}

/* The host's words for rendering: its name and where its referral links go. */
static rf_render_options practice_words(void)
{
    rf_render_options o = RF_RENDER_OPTIONS_INIT;
    o.practice_name = "Elm Street Physio";
    o.link_base = "https://elmstreet.example/r/";
    return o;
}

static const char *channel_label(rf_channel channel)
{
    switch (channel) {
    case RF_CHANNEL_EMAIL: return "E-MAIL";
    case RF_CHANNEL_SMS: return "SMS";
    case RF_CHANNEL_IN_PERSON: return "IN PERSON";
    case RF_CHANNEL_UNSET: return "DASHBOARD"; /* no channel: the host decides; here, staff's dashboard */
    default: return rf_channel_name(channel);
    }
}

/* Print @text after @indent, wrapped at spaces to about 100 columns. */
static void print_text(const char *indent, const char *text)
{
    const size_t width = 96;
    for (const char *line = text; line != NULL;) {
        const char *end = strchr(line, '\n');
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
        while (len > width) {
            size_t cut = width;
            while (cut > 0 && line[cut] != ' ') {
                cut--;
            }
            if (cut == 0) {
                break; /* one long word (a link): leave it whole */
            }
            printf("%s%.*s\n", indent, (int)cut, line);
            line += cut + 1;
            len -= cut + 1;
        }
        printf("%s%.*s\n", indent, (int)len, line);
        line = end != NULL ? end + 1 : NULL;
    }
}

/* One task as the practice sees it: the channel, the recipient, the kind, and
 * the message rendered for the channel (in full, or just its subject line). */
static int print_task(const outbox_story *s, const rf_task *t, int full)
{
    rf_party *to = NULL;
    char *subject = NULL, *body = NULL;
    rf_render_options words = practice_words();
    if ((rf_task_party_id(t) != NULL &&
         !ok(rf_party_get(&to, s->store, rf_task_party_id(t)), "reading a party")) ||
        !ok(rf_task_render(&subject, &body, s->store, rf_task_id(t), &words), "rendering a task")) {
        rf_party_free(to);
        return 0;
    }
    printf("  %-9s ", channel_label(rf_task_channel(t)));
    print_padded(to != NULL ? rf_party_display_name(to) : "the practice", 19);
    printf(" %s", rf_task_kind_name(rf_task_get_kind(t)));
    if (rf_task_attempts(t) > 1) {
        printf(" (attempt %d; the one before: %s)", rf_task_attempts(t), or_dash(rf_task_last_error(t)));
    }
    if (full) {
        printf("\n");
        if (subject != NULL) {
            printf("      Subject: %s\n", subject);
        }
        print_text("      | ", body);
    } else {
        printf(": \"%s\"\n", subject != NULL ? subject : rf_task_template(t)); /* a text has no subject */
    }
    rf_free(subject);
    rf_free(body);
    rf_party_free(to);
    return 1;
}

/* What went out at @at, read back from the outbox: tasks reported sent then. */
static int print_sent(const outbox_story *s, rf_time at, int full)
{
    rf_task_iter *it = NULL;
    if (!ok(rf_task_list(&it, s->store, NULL), "listing the outbox")) {
        return 0;
    }
    int done = 0, shown = 0;
    for (;;) {
        rf_task *t = NULL;
        rf_status rc = rf_task_iter_next(&t, it);
        if (rc == RF_ITEROVER || !ok(rc, "listing the outbox")) {
            done = rc == RF_ITEROVER;
            break;
        }
        int printed = 1;
        if (rf_task_sent_at(t) == at) {
            shown++;
            printed = print_task(s, t, full);
        }
        rf_task_free(t);
        if (!printed) {
            break;
        }
    }
    rf_task_iter_free(it);
    if (done && shown == 0) {
        printf("  (nothing was due)\n");
    }
    return done;
}

/* The host's own sending (an e-mail service, an SMS gateway, the front desk's
 * list). This pretend gateway sends nothing; told to, it fails a text. */
static int deliver(outbox_story *s, const rf_task *t)
{
    char *subject = NULL, *body = NULL;
    rf_render_options words = practice_words();
    if (!ok(rf_task_render(&subject, &body, s->store, rf_task_id(t), &words), "rendering a task")) {
        return 0;
    }
    /* ... here a real host sends subject and body on rf_task_channel(t) ... */
    rf_free(subject);
    rf_free(body);
    const char *id = rf_task_id(t), *token = rf_task_lease_token(t);
    if (rf_task_channel(t) == RF_CHANNEL_SMS && s->sms_failures > 0) {
        s->sms_failures--;
        /* The reason is the host's words, kept on the task: no personal data in it. */
        return ok(rf_task_failed(s->store, id, token, "SMS gateway timed out"), "reporting a failure");
    }
    /* Sent, then acked when the gateway confirms delivery (this one at once). */
    return ok(rf_task_sent(s->store, id, token), "reporting a task sent") &&
           ok(rf_task_acked(s->store, id), "reporting a task delivered");
}

/* rf_tasks_due first does the time-driven work due at @at (SLA breaches, asks
 * that fall due by date), then hands out each due task under a lease: this
 * caller's for 5 minutes, during which no other drain gets it. */
static int drain(rf_task *batch[BATCH], size_t *n, rf_store *store, rf_time at)
{
    rf_drain_options d = RF_DRAIN_OPTIONS_INIT;
    d.limit = BATCH;
    rf_task_iter *it = NULL;
    *n = 0;
    if (!ok(rf_tasks_due(&it, store, at, &d), "draining the outbox")) {
        return 0;
    }
    rf_status rc = RF_OK;
    while (*n < BATCH && (rc = rf_task_iter_next(&batch[*n], it)) == RF_OK) {
        (*n)++;
    }
    rf_task_iter_free(it);
    return rc == RF_OK || rc == RF_ITEROVER || ok(rc, "draining the outbox");
}

static rf_time worker_clock(void *ctx)
{
    return *(const rf_time *)ctx;
}

/* Another worker process on the same database drains at the same moment. */
static int second_worker(const outbox_story *s, rf_time at)
{
    rf_store *other = NULL;
    rf_task *batch[BATCH];
    size_t n = 0;
    int done = ok(rf_store_open(&other, s->c->uri, s->c->options), "opening a second handle") &&
               ok(rf_store_set_clock(other, worker_clock, &at), "setting its clock") &&
               drain(batch, &n, other, at);
    if (done) {
        printf("  meanwhile a second worker process drains the same outbox: %zu task(s)\n", n);
    }
    for (size_t i = 0; i < n; i++) {
        rf_task_free(batch[i]); /* none, but a host would deliver them */
    }
    rf_store_free(other);
    return done;
}

/* Take the batch, then deliver it (a worker may as well deliver each task as
 * it is handed out; taking them first lets step 26 show the leases). */
static int worker(outbox_story *s, rf_time at, int full, int show_second_worker)
{
    rf_task *batch[BATCH];
    size_t n = 0;
    *s->now = at;
    int done = drain(batch, &n, s->store, at) && (!show_second_worker || second_worker(s, at));
    for (size_t i = 0; i < n; i++) {
        done = done && deliver(s, batch[i]);
        rf_task_free(batch[i]);
    }
    return done && print_sent(s, at, full);
}

int run_worker(outbox_story *s, rf_time at, int full)
{
    char t[32];
    printf("  %s  the outbox worker runs:\n", when_text(at, t));
    return worker(s, at, full, 0);
}

int first_task(rf_task **out, const outbox_story *s, const rf_task_filter *filter)
{
    rf_task_iter *it = NULL;
    rf_status rc = rf_task_list(&it, s->store, filter);
    *out = NULL;
    if (rc == RF_OK) {
        rc = rf_task_iter_next(out, it);
    }
    rf_task_iter_free(it);
    return rc == RF_OK || rc == RF_ITEROVER || ok(rc, "listing tasks");
}

/* Step 26: the worker's first run, its leases, a failure and its back-off. */
static int first_run(outbox_story *s)
{
    char t[32];
    rf_time start = march(APRIL(13), 8, 0);
    printf("\n26. %s: the practice starts its outbox worker\n", when_text(start, t));
    /* Every referral, move and grant so far wrote its tasks in the same
     * transaction (the intro messages were cancelled as each friend booked).
     * The first drain also sweeps the SLA timers: Omar's urgent referral
     * (step 11) was answered four days late, a breach for the practice. */
    printf("  due: thank-yous, status notices, a tier nudge, reward notices, and an SLA breach\n");
    /* The SMS gateway has a bad morning: the first text fails. */
    s->sms_failures = 1;
    rf_task *zoe_thanks = NULL;
    rf_task_filter f = RF_TASK_FILTER_INIT;
    f.party_id = rf_party_id(s->c->zoe);
    f.kind = RF_TASK_THANK_REFERRER;
    if (!worker(s, start, 0, 1) || !first_task(&zoe_thanks, s, &f) || zoe_thanks == NULL) {
        rf_task_free(zoe_thanks);
        return 0;
    }
    /* A failed task goes back to PENDING, due again after a back-off that
     * doubles from 1 minute (1, 2, 4, 8); the 5th failed attempt is FAILED. */
    printf("  the text thanking Zoë failed (\"%s\"): it is due again at %s, after its back-off\n",
           or_dash(rf_task_last_error(zoe_thanks)), when_text(rf_task_due_at(zoe_thanks), t));
    rf_task_free(zoe_thanks);
    rf_task *batch[BATCH];
    size_t n = 0;
    int done = run_worker(s, start + MINUTE, 1) && drain(batch, &n, s->store, start + MINUTE);
    for (size_t i = 0; i < n; i++) {
        rf_task_free(batch[i]);
    }
    if (done) {
        printf("  a drain right after gets %zu task(s): each is handed out once\n", n);
    }
    if (done && n != 0) {
        fprintf(stderr, "quickstart: a task was handed out twice\n");
    }
    return done && n == 0;
}

/* As in quickstart_referrals.c: with its key, a re-run gets the referral back
 * as it is now, and the line prints the move that was asked for. */
int advance_to(outbox_story *s, const rf_referral *ref, rf_time at, rf_referral_state to,
               rf_time appointment_at, const char *key)
{
    *s->now = at;
    rf_advance_options o = RF_ADVANCE_OPTIONS_INIT;
    o.appointment_at = appointment_at;
    o.idempotency_key = key;
    rf_referral *moved = NULL;
    if (!ok(rf_referral_advance(&moved, s->store, rf_referral_id(ref), to, &o), "moving a referral on")) {
        return 0;
    }
    rf_referral_free(moved);
    char t[32];
    printf("  %s  -> %s", when_text(at, t), rf_referral_state_name(to));
    if (to == RF_REFERRAL_SCHEDULED) {
        printf(", appointment %s", when_text(appointment_at, t));
    }
    printf("\n");
    return 1;
}

/* A referral from the surgery for a new patient, who gave no consent to be contacted. */
static int from_surgery(rf_referral **out, outbox_story *s, const char *patient, rf_urgency urgency,
                        const char *reason, const char *key)
{
    char party_key[96];
    snprintf(party_key, sizeof party_key, "%s:patient", key);
    rf_party_options p = RF_PARTY_OPTIONS_INIT;
    p.kind = RF_PARTY_LEAD;
    p.display_name = patient;
    p.idempotency_key = party_key;
    rf_party *lead = NULL;
    rf_referral_options r = RF_REFERRAL_OPTIONS_INIT;
    r.program_id = rf_program_id(s->gp_partners);
    r.referrer_id = rf_party_id(s->c->surgery);
    r.source = RF_SOURCE_PARTNER;
    r.channel = RF_CHANNEL_LETTER;
    r.reason = reason;
    r.urgency = urgency;
    r.practitioner_id = rf_party_id(s->c->staff); /* who answers it, and who hears when nobody does */
    r.idempotency_key = key;
    int done =
        ok(rf_party_add(&lead, s->store, &p), "adding a patient") &&
        (r.referee_id = rf_party_id(lead), ok(rf_referral_create(out, s->store, &r), "creating a referral"));
    rf_party_free(lead);
    return done;
}

/* Step 29: a GP referral handled in time: thanks and the three updates. */
static int gp_referral(outbox_story *s)
{
    char t[32];
    rf_referral *ref = NULL;
    *s->now = march(MAY(5), 9, 0);
    printf("\n29. %s: Elm Street Surgery refers Siobhán O'Neill: thanks, and three updates as she moves\n",
           when_text(*s->now, t));
    /* A GP is told its own patient's name (a client referrer reads initials,
     * as Jane does in step 12), never her contact details. E-mail is HTML:
     * the apostrophe in her name is escaped, the template's own text is not. */
    int done = from_surgery(&ref, s, "Siobhán O'Neill", RF_URGENCY_ROUTINE, "knee pain after a fall",
                            "quickstart:referral:siobhan") &&
               run_worker(s, march(MAY(5), 9, 5), 1) &&
               advance_to(s, ref, march(MAY(5), 10, 30), RF_REFERRAL_ACCEPTED, RF_TIME_UNSET,
                          "quickstart:referral:siobhan:accept") &&
               advance_to(s, ref, march(MAY(5), 10, 35), RF_REFERRAL_SCHEDULED, march(MAY(6), 9, 0),
                          "quickstart:referral:siobhan:schedule") &&
               run_worker(s, march(MAY(5), 10, 40), 1) &&
               advance_to(s, ref, march(MAY(6), 9, 0), RF_REFERRAL_SEEN, RF_TIME_UNSET,
                          "quickstart:referral:siobhan:seen") &&
               run_worker(s, march(MAY(6), 9, 5), 1) &&
               /* A one-off assessment: advice and exercises, no further sessions. */
               advance_to(s, ref, march(MAY(6), 9, 45), RF_REFERRAL_CLOSED, RF_TIME_UNSET,
                          "quickstart:referral:siobhan:close") &&
               run_worker(s, march(MAY(6), 9, 50), 1);
    if (done) {
        printf("  answered 1 h 30 after it arrived, within the routine first-response SLA of %d hours: "
               "no SLA_BREACH\n",
               rf_program_sla_routine_hours(s->gp_partners));
    }
    rf_referral_free(ref);
    return done;
}

/* Step 30: an urgent referral nobody answers. The breach is found by the
 * worker's drain, so a host runs it often (every few minutes). */
static int sla_breach(outbox_story *s)
{
    char t[32];
    rf_referral *ref = NULL;
    *s->now = march(MAY(6), 13, 0);
    printf("\n30. %s: the surgery sends an urgent referral, and nobody answers it (SLA: %d hours)\n",
           when_text(*s->now, t), rf_program_sla_urgent_hours(s->gp_partners));
    int done = from_surgery(&ref, s, "Tom Reid", RF_URGENCY_URGENT, "acute neck pain, cannot turn his head",
                            "quickstart:referral:tom") &&
               run_worker(s, march(MAY(6), 13, 5), 0) && run_worker(s, march(MAY(6), 17, 0), 1) &&
               advance_to(s, ref, march(MAY(6), 17, 10), RF_REFERRAL_ACCEPTED, RF_TIME_UNSET,
                          "quickstart:referral:tom:accept");
    rf_referral_free(ref);
    return done;
}

int outbox_steps(const clinic *c)
{
    outbox_story s = {.c = c, .store = c->store, .now = c->now};
    int done = ok(rf_program_find(&s.advocates, c->store, "Client advocates"), "finding a programme") &&
               ok(rf_program_find(&s.gp_partners, c->store, "GP partners"), "finding a programme") &&
               first_run(&s) && ask_steps(&s) && gp_referral(&s) && sla_breach(&s) && intro_steps(&s);
    rf_party_free(s.alex);
    rf_program_free(s.gp_partners);
    rf_program_free(s.advocates);
    return done;
}
