/* Two practices in one database (test_tenancy.c): each is filled through its
 * own handle with every kind of record, and what each handle can reach of the
 * other's is then tried. Built on the conformance suite's shorthands, so it
 * uses the public API only. */
#ifndef RF_TEST_TENANCY_H
#define RF_TEST_TENANCY_H

#include "conformance/story_support.h"

#define TENANCY_MAX_IDS 256

/* A practice: its handle, what the test made in it, and every id its lists show. */
typedef struct practice {
    fixture fx; /* fx.store is the practice's handle; fx.now its clock */
    const char *name;
    int extra; /* referrals beyond the two every practice has, so that counts differ */
    char program_id[RF_ID_BUFSIZE], program_name[64], rule_id[RF_ID_BUFSIZE];
    char jane_id[RF_ID_BUFSIZE], staff_id[RF_ID_BUFSIZE], own_external_id[32];
    char vanity_id[RF_ID_BUFSIZE], short_text[32], short_id[RF_ID_BUFSIZE];
    char closed_id[RF_ID_BUFSIZE], open_id[RF_ID_BUFSIZE]; /* a CLOSED referral, a RECEIVED one */
    char grant_id[RF_ID_BUFSIZE], task_id[RF_ID_BUFSIZE], event_id[RF_ID_BUFSIZE];
    int referrals;
    char ids[TENANCY_MAX_IDS][RF_ID_BUFSIZE]; /* every id the practice's lists show */
    size_t id_count;
} practice;

/* Open @p's handle on @uri for practice @name with its own seed and clock at T0. */
void practice_open(practice *p, const char *uri, const char *name, uint64_t seed, int extra);
/* Fill @p with parties (one with the external id "pms-1" that both practices
 * use), codes (the vanity "jane-doe" that both hold, a short code), a
 * programme with a reward rule, a touch, referrals (one CLOSED with its grant
 * redeemed in part, one RECEIVED, @p->extra more), a client event that makes
 * an ask, a template; the idempotency keys are the same in both practices. */
void practice_fill(practice *p);
/* Record into p->ids every id @p's own lists show. */
void practice_collect_ids(practice *p);
void practice_close(practice *p);

/* snapshot() plus the templates of the practice and of its programme. Free with free(). */
char *practice_snapshot(practice *p);
/* No id of @other appears anywhere in what @p shows. */
void assert_shows_none_of(practice *p, const practice *other);

#endif
