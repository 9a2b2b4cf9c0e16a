/* quickstart.h: what the quickstart's parts (quickstart.c, quickstart_referrals.c,
 * quickstart_rewards.c, quickstart_outbox.c, quickstart_asks.c and
 * quickstart_kpis.c) share. */
#ifndef QUICKSTART_H
#define QUICKSTART_H

#include <referral.h>

/* Helpers defined in quickstart.c (see there). */
int ok(rf_status rc, const char *what);
int fails_as(rf_status rc, rf_status expected, const char *what);
const char *or_dash(const char *s);
void print_padded(const char *s, int width);
rf_time march(int day, int hour, int minute);

/* The clinic as steps 1-6 leave it: the store, its clock, and the records the
 * referral steps use. */
typedef struct clinic {
    rf_store *store;
    const char *uri;                 /* how it was opened, for a second handle */
    const rf_store_options *options; /* (another worker process, step 26) */
    rf_time *now;                    /* what the store's clock reads (see fixed_clock) */
    const rf_party *staff, *jane, *zoe, *surgery;
    const rf_code *jane_code, *jane_card, *surgery_code, *coupon;
} clinic;

/* Steps 7-15 (quickstart_referrals.c): programmes, a touch, two referrals round
 * the loop, Jane's view, a refused self-referral, FHIR and the journal. Returns
 * 1 when the story went as told, 0 after printing what went wrong. */
int referral_steps(const clinic *c);

/* Steps 16-25 (quickstart_rewards.c): reward rules on the client programme,
 * a referral that earns them, a hold released by rf_rewards_process, a
 * redemption, the books and their audit, tier progress, compliance mode,
 * retries and refusals. Returns 1 when the story went as told. */
int reward_steps(const clinic *c);

/* Steps 26-32 (quickstart_outbox.c, with the asks in quickstart_asks.c): the
 * outbox worker, client events and the ask policy, the practice's own words,
 * a GP referral's updates, an SLA breach, a referee's intro sequence, and
 * reports that are refused. Returns 1 when the story went as told. */
int outbox_steps(const clinic *c);

/* Steps 33-35 (quickstart_kpis.c): the dashboard of March to May — the
 * report's figures, the funnel, leaderboard and channel tables, refused filters. */
int kpi_steps(const clinic *c);

/* What the outbox steps share. */
typedef struct outbox_story {
    const clinic *c;
    rf_store *store;
    rf_time *now;
    rf_program *advocates, *gp_partners;
    rf_party *alex;
    int sms_failures; /* how many texts the pretend SMS gateway fails next */
} outbox_story;

/* "Mon 13 Apr 08:00" */
const char *when_text(rf_time t, char buf[32]);
/* The host's outbox worker, run at @at: drain, render, deliver, report; then
 * print what went out at @at (in full, or one line each). */
int run_worker(outbox_story *s, rf_time at, int full);
/* The first task @filter matches, oldest first (*out NULL: none). */
int first_task(rf_task **out, const outbox_story *s, const rf_task_filter *filter);
/* Move a referral on at @at, as in quickstart_referrals.c, and print the move. */
int advance_to(outbox_story *s, const rf_referral *ref, rf_time at, rf_referral_state to,
               rf_time appointment_at, const char *key);
/* Steps 27-28 (quickstart_asks.c): client events, the ask policy, the practice's own words. */
int ask_steps(outbox_story *s);
/* Steps 31-32 (quickstart_asks.c): a referee's intro sequence, refused reports. */
int intro_steps(outbox_story *s);

#endif
