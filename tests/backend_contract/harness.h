/* Shared harness of the backend contract suite: backends, fixtures, record builders and assertions. */
#ifndef RF_BACKEND_CONTRACT_HARNESS_H
#define RF_BACKEND_CONTRACT_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <referral.h>
#include <referral/sys/backend.h>

/* --- backends under test ------------------------------------------------------------------------ */

typedef struct factory {
    const char *name;
    rf_status (*open)(rf_backend **out, const char *path);
    int persistent; /* records survive free() and reopening the same path */
    /* keeps a transaction whole through RF_ENOMEM, as the long-transaction out-of-memory cases need
     * (SQLite may lose it; the contract allows that) */
    int oom_testable;
} factory;

/* Every case runs once per entry (harness.c); a new built-in backend is added there. */
extern const factory factories[];
extern const size_t factory_count;

typedef struct fixture {
    const factory *f;
    rf_backend *b;
    char path[512];
} fixture;

extern const factory *current; /* the backend whose group is running */

/* A fresh backend per case, on a database path of its own; teardown frees it and removes the files. */
int setup(void **state);
int teardown(void **state);
/* Creates fx->b from fx->f on fx->path again (after a free); non-zero, having said why, on failure. */
int reopen(fixture *fx);
/* Frees fx->b as it stands, open transaction levels and all (the leak checkers see to "nothing left
 * behind"); then, for a persistent backend, creates it again on the same path and returns it. NULL
 * for a backend whose records die with it: there is nothing left to read. */
rf_backend *free_and_reopen(fixture *fx);

#define CASE(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* --- records and helpers ------------------------------------------------------------------------ */

#define PA "a"
#define PB "b"

/* UUIDv7-shaped text that sorts by n. From a ring: only the last 256 results stay valid. */
const char *uid(unsigned int n);
/* printf(fmt, n) into a ring: only the last 256 results stay valid. */
const char *text(const char *fmt, unsigned int n);

/* Records with a fixed value in every field not given. */
rf_party_record party(const char *id, const char *ext, const char *email_key, const char *phone_key,
                      int kind);
rf_code_record code(const char *id, const char *key, const char *owner);
rf_event_record event(const char *type, const char *subject);
rf_idempotency_record idem(const char *key, const char *result_id);

/* Equal strings, or both NULL. */
void assert_str(const char *want, const char *got);
void assert_party(const rf_party_record *want, const rf_party_record *got);
void assert_code(const rf_code_record *want, const rf_code_record *got);

/* A failure must carry its code in the thread's last error, with a message. */
#define assert_status(want, expr)                                                                            \
    do {                                                                                                     \
        rf_error_clear();                                                                                    \
        int rc_ = (expr);                                                                                    \
        assert_int_equal(rc_, (want));                                                                       \
        if ((want) != RF_OK) {                                                                               \
            assert_int_equal(rf_error_last()->code, (want));                                                 \
            assert_true(strcmp(rf_error_last()->message, "no error") != 0);                                  \
        }                                                                                                    \
    } while (0)
#define OK(expr) assert_status(RF_OK, (expr))

/* What a scan visited, copied out while the strings were valid. */
typedef struct visits {
    size_t n;
    size_t stop_after; /* return non-zero from the callback after this many; 0 never */
    char ids[600][40];
    int64_t seqs[600];
} visits;

visits *visits_new(size_t stop_after);
/* Records one visit; non-zero once v->stop_after visits are reached. */
int visit_id(visits *v, const char *id, int64_t seq);
/* Scan callbacks that record ids (events: subject ids and sequence numbers) into a visits payload. */
int on_party(const rf_party_record *r, void *payload);
int on_code(const rf_code_record *r, void *payload);
int on_event(const rf_event_record *r, void *payload);

/* Scans that must succeed; the caller frees the result (assert_visited does). */
visits *scan_parties(rf_backend *b, const char *practice, const char *after, int kind, const char *contact,
                     unsigned int limit);
visits *scan_codes(rf_backend *b, const char *practice, const char *after, const char *owner,
                   unsigned int limit);
/* The scan saw exactly the ids uid(want[0..n)), in that order; frees @v. */
void assert_visited(visits *v, const unsigned int *want, size_t n);

/* Inserts party(uid(n), "ext-<n>", email_key, phone_key, kind), which must succeed. */
void insert_party(rf_backend *b, const char *practice, unsigned int n, int kind, const char *email_key,
                  const char *phone_key);
void expect_no_party(rf_backend *b, const char *practice, const char *id);
int64_t last_seq(rf_backend *b, const char *practice);

/* --- contract version 2: programmes, touches, referrals ------------------------------------------ */

/* Fails the case (instead of crashing it) when the backend lacks a version 2 member. */
void need_v2(rf_backend *b);

/* A member of the contract by name and place, for need_members. */
typedef struct contract_member {
    const char *name;
    size_t offset;
} contract_member;
/* clang-format off */
#define CONTRACT_MEMBER(m) {#m, offsetof(rf_backend, m)}
/* clang-format on */
/* Fails the case unless @b declares at least @version and has every one of @members. */
void need_members(rf_backend *b, unsigned int version, const contract_member *members, size_t n);

/* Records with a fixed value in every field not given; referral() sets reached_at[RECEIVED] to
 * @received and leaves the other slots 0. */
rf_program_record program(const char *id, const char *name);
rf_touch_record touch(const char *id, const char *visitor_key, rf_time at);
rf_referral_record referral(const char *id, const char *program_id, const char *referrer_id,
                            const char *referee_id, const char *target_id, int direction, rf_time received);
/* Every field of @r set to a value of its own (all 15 reached_at slots too), derived from @n. */
void fill_referral(rf_referral_record *r, unsigned int n);

void assert_program(const rf_program_record *want, const rf_program_record *got);
void assert_touch(const rf_touch_record *want, const rf_touch_record *got);
void assert_referral(const rf_referral_record *want, const rf_referral_record *got);
/* The bytes at @p are all zero (a get that failed leaves its output zeroed). */
void assert_zeroed(const void *p, size_t size);
/* The get member @get of @b finds nothing under @key and zeroes its output of record type @type,
 * which it finds filled with other bytes: expect_not_found(rf_grant_record, b, grant_get, PA, id). */
#define expect_not_found(type, b, get, practice, key)                                                        \
    do {                                                                                                     \
        type got_;                                                                                           \
        memset(&got_, 0xAB, sizeof got_);                                                                    \
        assert_status(RF_ENOTFOUND, (b)->get((b), (practice), (key), &got_));                                \
        assert_zeroed(&got_, sizeof got_);                                                                   \
    } while (0)

int on_program(const rf_program_record *r, void *payload);
int on_touch(const rf_touch_record *r, void *payload);
int on_referral(const rf_referral_record *r, void *payload);

/* A query that filters on nothing (times unset). */
rf_touch_query touch_query(void);
rf_referral_query referral_query(void);
visits *scan_programs(rf_backend *b, const char *practice, const char *after, unsigned int limit);
visits *scan_touches(rf_backend *b, const char *practice, const rf_touch_query *q);
visits *scan_referrals(rf_backend *b, const char *practice, const rf_referral_query *q);

/* --- contract version 3: reward rules, grants, the ledger (harness_v3.c) -------------------------- */

/* Fails the case (instead of crashing it) when the backend lacks a version 3 member. */
void need_v3(rf_backend *b);

/* Records with a fixed value in every field not given; optional strings set. */
rf_reward_rule_record reward_rule(const char *id, const char *program_id);
rf_grant_record grant(const char *id, const char *key, const char *recipient_id, const char *referral_id,
                      const char *rule_id, int status);
rf_ledger_record ledger_entry(const char *id, const char *key, const char *grant_id, const char *party_id,
                              int64_t seq);
/* Every field of @r set to a value of its own, derived from @n (strings from text()'s ring). */
void fill_rule(rf_reward_rule_record *r, unsigned int n);
void fill_grant(rf_grant_record *r, unsigned int n);
void fill_ledger(rf_ledger_record *r, unsigned int n);

void assert_rule(const rf_reward_rule_record *want, const rf_reward_rule_record *got);
void assert_grant(const rf_grant_record *want, const rf_grant_record *got);
void assert_ledger(const rf_ledger_record *want, const rf_ledger_record *got);

int on_rule(const rf_reward_rule_record *r, void *payload);
int on_grant(const rf_grant_record *r, void *payload);
/* Records the entry's id and seq. */
int on_ledger(const rf_ledger_record *r, void *payload);

/* A query that filters on nothing (times unset). */
rf_grant_query grant_query(void);
visits *scan_rules(rf_backend *b, const char *practice, const char *program_id, const char *after,
                   unsigned int limit);
visits *scan_grants(rf_backend *b, const char *practice, const rf_grant_query *q);
visits *scan_ledger(rf_backend *b, const char *practice, const rf_ledger_query *q);
/* The ledger scan saw exactly the seqs want[0..n), in that order; frees @v. */
void assert_seqs(visits *v, const int64_t *want, size_t n);

/* --- contract version 4: client events, tasks, templates (harness_v4.c) ------------------------- */

/* Fails the case (instead of crashing it) when the backend lacks a version 4 member. */
void need_v4(rf_backend *b);

/* Records with a fixed value in every field not given; optional strings set, except a task's
 * lease owner and last error (and its lease, sent and closed times, 0). */
rf_client_event_record client_event(const char *id, const char *party_id, int type, rf_time at);
rf_task_record task(const char *id, const char *key, const char *party_id, const char *referral_id, int kind,
                    int state, rf_time due_at);
rf_template_record template_rec(const char *id, const char *program_id, const char *name);
/* Every field of @r set to a value of its own, derived from @n (strings from text()'s ring). */
void fill_client_event(rf_client_event_record *r, unsigned int n);
void fill_task(rf_task_record *r, unsigned int n);
void fill_template(rf_template_record *r, unsigned int n);

void assert_client_event(const rf_client_event_record *want, const rf_client_event_record *got);
void assert_task(const rf_task_record *want, const rf_task_record *got);
void assert_template(const rf_template_record *want, const rf_template_record *got);

int on_client_event(const rf_client_event_record *r, void *payload);
int on_task(const rf_task_record *r, void *payload);
int on_template(const rf_template_record *r, void *payload);

/* Queries that filter on nothing (times unset). */
rf_client_event_query client_event_query(void);
rf_task_query task_query(void);
visits *scan_client_events(rf_backend *b, const char *practice, const rf_client_event_query *q);
visits *scan_tasks(rf_backend *b, const char *practice, const rf_task_query *q);
visits *scan_templates(rf_backend *b, const char *practice, const char *program_id, const char *after,
                       unsigned int limit);

/* Events have no get: a scan of the practice meets the event with @want's id once, equal to it. */
void expect_client_event(rf_backend *b, const char *practice, const rf_client_event_record *want);
/* The task is there under its id and its key, exactly as @want; or under neither (NULL: not
 * asked), with the output zeroed. */
void expect_task(rf_backend *b, const char *practice, const rf_task_record *want);
void expect_no_task(rf_backend *b, const char *practice, const char *id, const char *key);
/* The template is found by its (programme, name), exactly as @want; or nothing is. */
void expect_template(rf_backend *b, const char *practice, const rf_template_record *want);
void expect_no_template(rf_backend *b, const char *practice, const char *program_id, const char *name);

/* --- digests: records as text, to compare whole states of a backend (digest.c) ------------------ */

/* Lines of text, one per record; expect_digest compares two. */
typedef struct digest {
    char *text;
    size_t len;
    size_t cap;
} digest;

digest *digest_new(void);
void digest_free(digest *d); /* accepts NULL */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void digest_put(digest *d, const char *fmt, ...);
/* Scan callbacks (payload: a digest): every field as one line, or only the id (the seq). */
int digest_rule(const rf_reward_rule_record *r, void *payload);
int digest_grant(const rf_grant_record *r, void *payload);
int digest_entry(const rf_ledger_record *r, void *payload);
int digest_rule_id(const rf_reward_rule_record *r, void *payload);
int digest_grant_id(const rf_grant_record *r, void *payload);
int digest_seq(const rf_ledger_record *r, void *payload);
int digest_client_event(const rf_client_event_record *r, void *payload);
int digest_task(const rf_task_record *r, void *payload);
int digest_template(const rf_template_record *r, void *payload);
int digest_client_event_id(const rf_client_event_record *r, void *payload);
int digest_task_id(const rf_task_record *r, void *payload);
int digest_template_id(const rf_template_record *r, void *payload);
/* Fails the case unless @got equals @want, showing @context and the first line that differs;
 * frees @got. */
void expect_digest(const digest *want, digest *got, const char *context);

/* --- the cases of each topic -------------------------------------------------------------------- */

extern const struct CMUnitTest party_cases[];
extern const size_t party_case_count;
extern const struct CMUnitTest code_cases[];
extern const size_t code_case_count;
extern const struct CMUnitTest journal_idempotency_cases[];
extern const size_t journal_idempotency_case_count;
extern const struct CMUnitTest isolation_scan_cases[];
extern const size_t isolation_scan_case_count;
extern const struct CMUnitTest transaction_cases[];
extern const size_t transaction_case_count;
extern const struct CMUnitTest program_cases[];
extern const size_t program_case_count;
extern const struct CMUnitTest touch_cases[];
extern const size_t touch_case_count;
extern const struct CMUnitTest referral_cases[];
extern const size_t referral_case_count;
extern const struct CMUnitTest referral_scan_cases[];
extern const size_t referral_scan_case_count;
extern const struct CMUnitTest v2_transaction_cases[];
extern const size_t v2_transaction_case_count;
extern const struct CMUnitTest oom_cases[];
extern const size_t oom_case_count;
extern const struct CMUnitTest reward_rule_cases[];
extern const size_t reward_rule_case_count;
extern const struct CMUnitTest grant_cases[];
extern const size_t grant_case_count;
extern const struct CMUnitTest grant_scan_cases[];
extern const size_t grant_scan_case_count;
extern const struct CMUnitTest ledger_cases[];
extern const size_t ledger_case_count;
extern const struct CMUnitTest v3_oom_cases[];
extern const size_t v3_oom_case_count;
extern const struct CMUnitTest party_v4_cases[];
extern const size_t party_v4_case_count;
extern const struct CMUnitTest client_event_cases[];
extern const size_t client_event_case_count;
extern const struct CMUnitTest task_cases[];
extern const size_t task_case_count;
extern const struct CMUnitTest task_scan_cases[];
extern const size_t task_scan_case_count;
extern const struct CMUnitTest template_cases[];
extern const size_t template_case_count;
extern const struct CMUnitTest v4_oom_cases[];
extern const size_t v4_oom_case_count;

#endif
