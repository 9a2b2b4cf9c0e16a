/* quickstart.h: what the quickstart's parts (quickstart.c, quickstart_referrals.c and
 * quickstart_rewards.c) share. */
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
    rf_time *now; /* what the store's clock reads (see fixed_clock) */
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

#endif
