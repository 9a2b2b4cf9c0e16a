/* Two processes drain one outbox (an SQLite file) at the same time: every due
 * task is handed out exactly once across both, whatever the interleaving.
 *
 * The parent fills the outbox (referrals whose referrers and referees may be
 * contacted: a thank-you and an intro message each), closes its handle and
 * forks two drainers. Each opens its own handle with its own seed, drains in
 * small batches, reports every task it was handed as sent, and writes the ids
 * to its own file; the parent then reads both files. Children never run
 * cmocka code: they write and _exit(), and an alarm ends a hung child. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <referral.h>

#define REFERRALS 40
#define DRAINERS 2
#define T0 ((rf_time)1772355600)

static rf_time fixed_clock(void *ctx)
{
    return *(const rf_time *)ctx;
}

static rf_status open_store(rf_store **out, const char *path, uint64_t seed, rf_time *clock)
{
    rf_store_options o = RF_STORE_OPTIONS_INIT;
    o.practice = "elm-street";
    o.clock = fixed_clock;
    o.clock_ctx = clock;
    o.seed = seed;
    char uri[600];
    snprintf(uri, sizeof uri, "sqlite:%s", path);
    return rf_store_open(out, uri, &o);
}

static void remove_files(const char *path)
{
    char side[600];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

static rf_party *add_person(rf_store *store, rf_party_kind kind, const char *name, const char *email)
{
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = kind;
    o.display_name = name;
    o.email = email;
    o.consent = RF_CONSENT_CONTACT;
    rf_party *p = NULL;
    assert_int_equal(rf_party_add(&p, store, &o), RF_OK);
    return p;
}

/* The outbox: REFERRALS referrals, each with a thank-you and three intro
 * messages (the first due now). Returns how many tasks are due at T0. */
static int fill_outbox(const char *path, rf_time *clock)
{
    rf_store *store = NULL;
    assert_int_equal(open_store(&store, path, 1, clock), RF_OK);
    rf_program_options po = RF_PROGRAM_OPTIONS_INIT;
    po.name = "Client advocates";
    rf_program *program = NULL;
    assert_int_equal(rf_program_create(&program, store, &po), RF_OK);
    rf_party *jane = add_person(store, RF_PARTY_CLIENT, "Jane Doe", "jane@example.com");
    for (int i = 0; i < REFERRALS; i++) {
        char name[32], email[64];
        snprintf(name, sizeof name, "Lead %d", i);
        snprintf(email, sizeof email, "lead%d@example.com", i);
        rf_party *lead = add_person(store, RF_PARTY_LEAD, name, email);
        rf_referral_options ro = RF_REFERRAL_OPTIONS_INIT;
        ro.program_id = rf_program_id(program);
        ro.referee_id = rf_party_id(lead);
        ro.referrer_id = rf_party_id(jane);
        ro.source = RF_SOURCE_MANUAL;
        rf_referral *r = NULL;
        assert_int_equal(rf_referral_create(&r, store, &ro), RF_OK);
        rf_referral_free(r);
        rf_party_free(lead);
    }
    int due = 0;
    rf_task_iter *it = NULL;
    rf_task_filter f = RF_TASK_FILTER_INIT;
    f.state = RF_TASK_PENDING;
    assert_int_equal(rf_task_list(&it, store, &f), RF_OK);
    rf_task *t = NULL;
    while (rf_task_iter_next(&t, it) == RF_OK) {
        due += rf_task_due_at(t) <= *clock;
        rf_task_free(t);
    }
    rf_task_iter_free(it);
    rf_party_free(jane);
    rf_program_free(program);
    rf_store_free(store);
    return due;
}

/* Drain in batches of three until a drain hands out nothing; each task is
 * reported sent and its id written to @out. Returns the exit code. */
static int drainer(const char *path, int who, const char *out_path)
{
    alarm(60);
    rf_time clock = T0;
    rf_store *store = NULL;
    FILE *out = fopen(out_path, "w");
    if (out == NULL || open_store(&store, path, 100 + (uint64_t)who, &clock) != RF_OK) {
        return 10;
    }
    int code = 0;
    for (int handed = 1; handed > 0 && code == 0;) {
        handed = 0;
        rf_drain_options o = RF_DRAIN_OPTIONS_INIT;
        o.limit = 3;
        rf_task_iter *it = NULL;
        if (rf_tasks_due(&it, store, RF_TIME_UNSET, &o) != RF_OK) {
            code = 11;
            break;
        }
        rf_task *t = NULL;
        rf_status rc;
        while ((rc = rf_task_iter_next(&t, it)) == RF_OK) {
            handed++;
            fprintf(out, "%s\n", rf_task_id(t));
            if (rf_task_sent(store, rf_task_id(t), rf_task_lease_token(t)) != RF_OK) {
                code = 12;
            }
            rf_task_free(t);
        }
        if (rc != RF_ITEROVER) {
            code = 13;
        }
        rf_task_iter_free(it);
    }
    rf_store_free(store);
    return fclose(out) == 0 ? code : 14;
}

static int read_ids(const char *path, char ids[][RF_ID_BUFSIZE], int max)
{
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    int n = 0;
    char line[64];
    while (fgets(line, sizeof line, in) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        assert_true(n < max);
        assert_int_equal(strlen(line), RF_ID_BUFSIZE - 1);
        memcpy(ids[n++], line, RF_ID_BUFSIZE);
    }
    fclose(in);
    return n;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void two_drainers_never_share_a_task(void **state)
{
    (void)state;
    char path[512], outs[DRAINERS][600];
    snprintf(path, sizeof path, "%s/drain-%d.db", RF_TEST_TMPDIR, (int)getpid());
    remove_files(path);
    rf_time clock = T0;
    int due = fill_outbox(path, &clock);
    assert_true(due >= 2 * REFERRALS); /* a thank-you and the first intro each */

    pid_t pids[DRAINERS];
    for (int i = 0; i < DRAINERS; i++) {
        snprintf(outs[i], sizeof outs[i], "%s.out%d", path, i);
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            _exit(drainer(path, i, outs[i]));
        }
    }
    for (int i = 0; i < DRAINERS; i++) {
        int status = 0;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }

    static char ids[4 * REFERRALS * DRAINERS][RF_ID_BUFSIZE];
    int n = 0;
    for (int i = 0; i < DRAINERS; i++) {
        n += read_ids(outs[i], ids + n, (int)(sizeof ids / sizeof ids[0]) - n);
        unlink(outs[i]);
    }
    /* Every due task handed out, and none twice. */
    assert_int_equal(n, due);
    qsort(ids, (size_t)n, sizeof ids[0], by_text);
    for (int i = 1; i < n; i++) {
        assert_string_not_equal(ids[i - 1], ids[i]);
    }
    /* And each is SENT now: nothing is left for a third drainer. */
    rf_store *store = NULL;
    assert_int_equal(open_store(&store, path, 7, &clock), RF_OK);
    rf_task_iter *it = NULL;
    rf_task *t = NULL;
    assert_int_equal(rf_tasks_due(&it, store, RF_TIME_UNSET, NULL), RF_OK);
    assert_int_equal(rf_task_iter_next(&t, it), RF_ITEROVER);
    rf_task_iter_free(it);
    rf_store_free(store);
    remove_files(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_drainers_never_share_a_task),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
