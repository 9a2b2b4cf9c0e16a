/* The backend conformance suite: the same cases, through the public API, on
 * every backend. A new backend is added to the list in harness.c. */
#ifndef RF_CONFORMANCE_HARNESS_H
#define RF_CONFORMANCE_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <referral.h>

/* The start of the test clock: 2026-03-01T09:00:00Z. */
#define T0 ((rf_time)1772355600)
#define DAY ((rf_time)86400)

typedef struct fixture {
    rf_store *store;
    rf_time now;         /* the store's clock reads this */
    const char *backend; /* "memory", "sqlite", "postgres" */
    /* What follows "<backend>:" in the URI when the backend has storage of its
     * own: the SQLite file, or the PostgreSQL conninfo with the case's dbname. */
    char path[512];
    unsigned opened; /* handles opened so far, to give each its own seed */
} fixture;

typedef struct backend_entry {
    const char *name;
    /* Storage that outlives a handle (a file, a server database): it can be
     * closed and reopened, and a second handle can open it. */
    int has_file;
    /* Make fx->path name fresh, empty storage for case number @n, and remove it after the case. */
    void (*prepare)(fixture *fx, unsigned n);
    void (*cleanup)(fixture *fx);
} backend_entry;

extern const backend_entry conformance_backends[];
extern const size_t conformance_backend_count;
/* The backend the running group is about. */
extern const backend_entry *current_backend;
/* The entry called @name, or NULL when this build has no such backend. */
const backend_entry *conformance_backend(const char *name);

int fx_setup(void **state);
int fx_teardown(void **state);
/* A case run on a fresh fixture. */
#define CASE(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
/* Close and reopen the same database (backends with has_file: SQLite, PostgreSQL). */
void fx_reopen(fixture *fx);
/* Another handle on the same database, as a second process would have
 * (backends with has_file); it reads the fixture's clock. Free it before teardown. */
rf_store *fx_open_second(fixture *fx);
/* Where the backend has storage of its own, reopen it so that what follows is read from
 * storage, and move the clock a day so that ids made after it stay apart. */
void reopen_if_file(fixture *fx);

/* Assert a status, printing the library's message when it differs. */
#define assert_status(expr, expected)                                                                        \
    do {                                                                                                     \
        rf_status rc_ = (expr);                                                                              \
        if (rc_ != (expected)) {                                                                             \
            print_error("%s returned %d (%s), expected %d: %s\n", #expr, rc_, rf_strerror(rc_), expected,    \
                        rf_error_last()->message);                                                           \
        }                                                                                                    \
        assert_int_equal(rc_, expected);                                                                     \
    } while (0)
#define assert_ok(expr) assert_status(expr, RF_OK)

/* @actual equals @expected, or both are NULL. */
#define assert_string_or_null(actual, expected)                                                              \
    do {                                                                                                     \
        const char *actual_ = (actual), *expected_ = (expected);                                             \
        if (expected_ != NULL) {                                                                             \
            assert_non_null(actual_);                                                                        \
            assert_string_equal(actual_, expected_);                                                         \
        } else {                                                                                             \
            assert_null(actual_);                                                                            \
        }                                                                                                    \
    } while (0)

/* The failing call's message contains @needle. */
void assert_message_has(const char *needle);

/* A text dump of everything the practice holds (parties, codes, programmes,
 * referrals, reward rules, grants, ledger, client events, outbox tasks,
 * journal), to prove that a failed
 * call changed nothing. Free with free(). */
char *snapshot(rf_store *store);
/* The reward records alone (rules of every programme, grants, ledger), to
 * prove that a replay that journals a move changed no reward. */
char *reward_snapshot(rf_store *store);
#define assert_unchanged(store, before)                                                                      \
    do {                                                                                                     \
        char *after_ = snapshot(store);                                                                      \
        assert_string_equal(after_, (before));                                                               \
        free(after_);                                                                                        \
    } while (0)
#define assert_rewards_unchanged(store, before)                                                              \
    do {                                                                                                     \
        char *after_ = reward_snapshot(store);                                                               \
        assert_string_equal(after_, (before));                                                               \
        free(after_);                                                                                        \
    } while (0)

/* Shorthands that must succeed. */
rf_party *add_party(fixture *fx, rf_party_kind kind, const char *name, const char *email, const char *phone);
/* A party with a payer category (RF_PAYER_UNSET for none). */
rf_party *add_payer_party(fixture *fx, rf_party_kind kind, const char *name, rf_payer payer);
rf_code *issue_code(fixture *fx, const char *owner_id, rf_code_style style);
int64_t last_seq(fixture *fx);
int count_events(fixture *fx, const char *type);

/* Short names for the referral states, for tables in the cases. */
enum {
    RECEIVED = RF_REFERRAL_RECEIVED,
    NEEDS_INFO = RF_REFERRAL_NEEDS_INFO,
    ACCEPTED = RF_REFERRAL_ACCEPTED,
    SCHEDULED = RF_REFERRAL_SCHEDULED,
    NO_SHOW = RF_REFERRAL_NO_SHOW,
    APPT_CANCELLED = RF_REFERRAL_APPT_CANCELLED,
    SEEN = RF_REFERRAL_SEEN,
    CLOSED = RF_REFERRAL_CLOSED,
    CANCEL_REQUESTED = RF_REFERRAL_CANCEL_REQUESTED,
    CANCELLED = RF_REFERRAL_CANCELLED,
    DECLINED = RF_REFERRAL_DECLINED,
    LOST = RF_REFERRAL_LOST,
    ON_HOLD = RF_REFERRAL_ON_HOLD,
    EIE = RF_REFERRAL_ENTERED_IN_ERROR,
};

/* Referral shorthands (referral_support.c). */
rf_program *make_program(fixture *fx, const char *name, rf_fraud_action action, int exclude_existing);
/* A MANUAL inbound referral from @referrer_id of a fresh LEAD with @referee_payer,
 * taken by @practitioner_id (may be NULL); returns it. */
rf_referral *refer_lead(fixture *fx, const rf_program *program, const char *referrer_id,
                        rf_payer referee_payer, const char *practitioner_id);
/* refer_lead() with no payer and no practitioner. */
rf_referral *refer_new_lead(fixture *fx, const rf_program *program, const char *referrer_id);
/* Advance with a reason, @appointment_at and @idempotency_key (may be NULL);
 * on success *r is replaced by the referral after the move. */
rf_status advance_with(fixture *fx, rf_referral **r, rf_referral_state to, rf_time appointment_at,
                       const char *idempotency_key);
/* Advance with a reason and an appointment a day after now, which every move accepts. */
rf_status advance_to(fixture *fx, rf_referral **r, rf_referral_state to);

/* The cases of each module (party_cases.c, code_cases.c, journal_cases.c). */
extern const struct CMUnitTest party_cases[];
extern const size_t party_case_count;
extern const struct CMUnitTest party_store_cases[];
extern const size_t party_store_case_count;
extern const struct CMUnitTest code_cases[];
extern const size_t code_case_count;
extern const struct CMUnitTest journal_cases[];
extern const size_t journal_case_count;
extern const struct CMUnitTest lifecycle_cases[];
extern const size_t lifecycle_case_count;
extern const struct CMUnitTest program_cases[];
extern const size_t program_case_count;
extern const struct CMUnitTest touch_cases[];
extern const size_t touch_case_count;
extern const struct CMUnitTest attribution_cases[];
extern const size_t attribution_case_count;
extern const struct CMUnitTest referral_request_cases[];
extern const size_t referral_request_case_count;
extern const struct CMUnitTest guard_cases[];
extern const size_t guard_case_count;
extern const struct CMUnitTest view_cases[];
extern const size_t view_case_count;

#endif
