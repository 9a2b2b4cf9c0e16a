/* Two processes attribute the same leads at the same moment through one SQLite
 * file: for every lead exactly one wins, the other is told RF_ECONFLICT, and
 * the journal records each refused attempt once.
 *
 * The parent sets the file up and closes it, then forks two children with
 * their own handles and seeds. For each lead the children meet at a barrier
 * (each writes READY and blocks until the parent writes GO to both), make the
 * call, and report its status through a pipe. Children never run cmocka code:
 * they report and _exit(). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <referral.h>

#define LEADS 20
#define WRITERS 2
#define T0 ((rf_time)1772355600)
/* Long enough for any machine, short enough that a hung child fails the test. */
#define PIPE_TIMEOUT_MS 60000

enum { READY = 'R', GO = 'G' };

/* What a child reports for each lead. */
typedef struct report {
    int32_t lead;
    int32_t status;
    char message[240];
} report;

typedef struct world {
    char path[512];
    char program_id[RF_ID_BUFSIZE];
    char referrer_id[WRITERS][RF_ID_BUFSIZE];
    char lead_id[LEADS][RF_ID_BUFSIZE];
} world;

static rf_time fixed_clock(void *ctx)
{
    return *(const rf_time *)ctx;
}

static rf_status open_store(rf_store **out, const char *path, uint64_t seed, rf_time *clock)
{
    rf_store_options o = RF_STORE_OPTIONS_INIT;
    o.practice = "elm-street";
    o.phone_region = "44";
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

/* --- pipes ------------------------------------------------------------------------- */

/* Write all of @buf; 0 on success. */
static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Read exactly @len bytes, waiting at most @timeout_ms for each chunk (-1: for ever);
 * 0 on success, -1 on error, end of file or timeout. */
static int read_all(int fd, void *buf, size_t len, int timeout_ms)
{
    char *p = buf;
    while (len > 0) {
        struct pollfd pfd = {fd, POLLIN, 0};
        int ready = poll(&pfd, 1, timeout_ms);
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready <= 0) {
            return -1;
        }
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* --- the child ---------------------------------------------------------------------- */

/* Attribute every lead to referrer @who, meeting the other writer at the barrier
 * before each call. Returns the exit code: 0, or where it stopped. */
static int child_main(const world *w, int who, int go_fd, int report_fd)
{
    rf_time clock = T0 + 86400;
    rf_store *store = NULL;
    if (open_store(&store, w->path, 1000 + (uint64_t)who * 7919, &clock) != RF_OK) {
        return 10;
    }
    int code = 0;
    for (int32_t lead = 0; lead < LEADS && code == 0; lead++) {
        char c = READY;
        if (write_all(report_fd, &c, 1) != 0) {
            code = 11;
            break;
        }
        /* Block until the parent lets both writers go. */
        if (read_all(go_fd, &c, 1, -1) != 0 || c != GO) {
            code = 12;
            break;
        }
        rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
        o.program_id = w->program_id;
        o.referee_id = w->lead_id[lead];
        o.referrer_id = w->referrer_id[who];
        o.source = RF_SOURCE_MANUAL;
        rf_referral *r = NULL;
        report rep;
        memset(&rep, 0, sizeof rep);
        rep.lead = lead;
        rep.status = rf_referral_create(&r, store, &o);
        if (rep.status != RF_OK) {
            snprintf(rep.message, sizeof rep.message, "%s", rf_error_last()->message);
        }
        rf_referral_free(r);
        if (write_all(report_fd, &rep, sizeof rep) != 0) {
            code = 13;
        }
    }
    rf_store_free(store);
    return code;
}

/* --- the parent ------------------------------------------------------------------------ */

static void set_up_world(world *w)
{
    static unsigned counter;
    snprintf(w->path, sizeof w->path, "%s/concurrency-%ld-%u.db", RF_TEST_TMPDIR, (long)getpid(), ++counter);
    remove_files(w->path);
    rf_time clock = T0;
    rf_store *store = NULL;
    assert_int_equal(open_store(&store, w->path, 1, &clock), RF_OK);

    rf_program_options po = RF_PROGRAM_OPTIONS_INIT;
    po.name = "advocates";
    rf_program *program = NULL;
    assert_int_equal(rf_program_create(&program, store, &po), RF_OK);
    snprintf(w->program_id, sizeof w->program_id, "%s", rf_program_id(program));
    rf_program_free(program);

    for (int i = 0; i < WRITERS + LEADS; i++) {
        char name[32];
        rf_party_options o = RF_PARTY_OPTIONS_INIT;
        o.kind = i < WRITERS ? RF_PARTY_CLIENT : RF_PARTY_LEAD;
        if (i < WRITERS) {
            snprintf(name, sizeof name, "Referrer %d", i);
        } else {
            snprintf(name, sizeof name, "Lead %d", i - WRITERS);
        }
        o.display_name = name;
        rf_party *p = NULL;
        assert_int_equal(rf_party_add(&p, store, &o), RF_OK);
        char *slot = i < WRITERS ? w->referrer_id[i] : w->lead_id[i - WRITERS];
        snprintf(slot, RF_ID_BUFSIZE, "%s", rf_party_id(p));
        rf_party_free(p);
    }
    /* No connection may cross fork(): close before the children start. */
    rf_store_free(store);
}

typedef struct writer {
    pid_t pid;
    int go_fd;     /* parent writes GO here */
    int report_fd; /* parent reads READY and reports here */
} writer;

static void start_writers(const world *w, writer out[WRITERS])
{
    for (int i = 0; i < WRITERS; i++) {
        int go[2], rep[2];
        assert_int_equal(pipe(go), 0);
        assert_int_equal(pipe(rep), 0);
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(go[1]);
            close(rep[0]);
            /* Drop the ends of earlier writers' pipes that this child inherited. */
            for (int k = 0; k < i; k++) {
                close(out[k].go_fd);
                close(out[k].report_fd);
            }
            _exit(child_main(w, i, go[0], rep[1]));
        }
        close(go[0]);
        close(rep[1]);
        out[i].pid = pid;
        out[i].go_fd = go[1];
        out[i].report_fd = rep[0];
    }
}

/* Close the pipes (a child blocked on them then ends) and reap every child;
 * returns how many did not exit with 0, printing why. */
static int stop_writers(writer ws[WRITERS], int kill_them)
{
    int bad = 0;
    for (int i = 0; i < WRITERS; i++) {
        close(ws[i].go_fd);
        close(ws[i].report_fd);
        if (kill_them) {
            kill(ws[i].pid, SIGKILL);
        }
    }
    for (int i = 0; i < WRITERS; i++) {
        int status = 0;
        pid_t got;
        do {
            got = waitpid(ws[i].pid, &status, 0);
        } while (got < 0 && errno == EINTR);
        if (got != ws[i].pid) {
            print_error("waitpid(%ld) failed: %s\n", (long)ws[i].pid, strerror(errno));
            bad++;
        } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            if (WIFSIGNALED(status)) {
                print_error("writer %d was killed by signal %d\n", i, WTERMSIG(status));
            } else {
                print_error("writer %d exited with %d\n", i, WEXITSTATUS(status));
            }
            bad++;
        }
    }
    return bad;
}

/* Run the barrier for every lead; fill @statuses[lead][writer]. 0 on success. */
static int run_rounds(writer ws[WRITERS], int32_t statuses[LEADS][WRITERS])
{
    for (int lead = 0; lead < LEADS; lead++) {
        for (int i = 0; i < WRITERS; i++) {
            char c = 0;
            if (read_all(ws[i].report_fd, &c, 1, PIPE_TIMEOUT_MS) != 0 || c != READY) {
                print_error("writer %d did not get ready for lead %d\n", i, lead);
                return -1;
            }
        }
        /* Both are waiting: let them go together. */
        for (int i = 0; i < WRITERS; i++) {
            char c = GO;
            if (write_all(ws[i].go_fd, &c, 1) != 0) {
                print_error("could not release writer %d for lead %d\n", i, lead);
                return -1;
            }
        }
        for (int i = 0; i < WRITERS; i++) {
            report rep;
            if (read_all(ws[i].report_fd, &rep, sizeof rep, PIPE_TIMEOUT_MS) != 0 || rep.lead != lead) {
                print_error("writer %d did not report on lead %d\n", i, lead);
                return -1;
            }
            rep.message[sizeof rep.message - 1] = '\0';
            if (rep.status != RF_OK && rep.status != RF_ECONFLICT) {
                print_error("writer %d, lead %d: status %d (%s): %s\n", i, lead, rep.status,
                            rf_strerror((rf_status)rep.status), rep.message);
            }
            statuses[lead][i] = rep.status;
        }
    }
    return 0;
}

static void one_attribution_per_lead_across_processes(void **state)
{
    (void)state;
    world w;
    memset(&w, 0, sizeof w);
    set_up_world(&w);

    /* A writer that died must fail the test, not kill it with SIGPIPE. */
    void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);
    writer ws[WRITERS];
    start_writers(&w, ws);
    int32_t statuses[LEADS][WRITERS];
    memset(statuses, 0, sizeof statuses);
    int rounds = run_rounds(ws, statuses);
    int failed_writers = stop_writers(ws, rounds != 0);
    signal(SIGPIPE, old_pipe);
    assert_int_equal(rounds, 0);
    assert_int_equal(failed_writers, 0);

    /* Every lead: exactly one winner and one conflict. */
    int wins[WRITERS] = {0};
    for (int lead = 0; lead < LEADS; lead++) {
        int ok = 0, conflict = 0;
        for (int i = 0; i < WRITERS; i++) {
            ok += statuses[lead][i] == RF_OK;
            conflict += statuses[lead][i] == RF_ECONFLICT;
            wins[i] += statuses[lead][i] == RF_OK;
        }
        if (ok != 1 || conflict != 1) {
            print_error("lead %d: statuses %d and %d\n", lead, statuses[lead][0], statuses[lead][1]);
        }
        assert_int_equal(ok, 1);
        assert_int_equal(conflict, 1);
    }
    assert_int_equal(wins[0] + wins[1], LEADS);
    print_message("writer 0 won %d leads, writer 1 won %d\n", wins[0], wins[1]);

    /* What the file holds. */
    rf_time clock = T0 + 2 * 86400;
    rf_store *store = NULL;
    assert_int_equal(open_store(&store, w.path, 3, &clock), RF_OK);
    for (int lead = 0; lead < LEADS; lead++) {
        rf_referral_filter f = RF_REFERRAL_FILTER_INIT;
        f.referee_id = w.lead_id[lead];
        rf_referral_iter *it = NULL;
        rf_referral *r = NULL;
        assert_int_equal(rf_referral_list(&it, store, &f), RF_OK);
        int n = 0;
        while (rf_referral_iter_next(&r, it) == RF_OK) {
            n++;
            /* The winner's referrer holds it. */
            int winner = statuses[lead][0] == RF_OK ? 0 : 1;
            assert_string_equal(rf_referral_referrer_id(r), w.referrer_id[winner]);
            assert_string_equal(rf_referral_referee_id(r), w.lead_id[lead]);
            rf_referral_free(r);
        }
        rf_referral_iter_free(it);
        assert_int_equal(n, 1);
    }
    int refused[LEADS] = {0}, received = 0, other_refusals = 0;
    rf_journal_iter *it = NULL;
    rf_event *ev = NULL;
    int64_t expected_seq = 1;
    assert_int_equal(rf_journal_read(&it, store, 0), RF_OK);
    while (rf_journal_iter_next(&ev, it) == RF_OK) {
        /* No gaps in the sequence after two writers. */
        assert_int_equal(rf_event_seq(ev), expected_seq++);
        if (strcmp(rf_event_type(ev), RF_EVENT_REFERRAL_RECEIVED) == 0) {
            received++;
        } else if (strcmp(rf_event_type(ev), RF_EVENT_ATTRIBUTION_REFUSED) == 0) {
            int found = 0;
            for (int lead = 0; lead < LEADS; lead++) {
                if (strcmp(rf_event_subject_id(ev), w.lead_id[lead]) == 0) {
                    refused[lead]++;
                    found = 1;
                    /* The refused referrer is the loser. */
                    int loser = statuses[lead][0] == RF_OK ? 1 : 0;
                    assert_string_equal(rf_event_object_id(ev), w.referrer_id[loser]);
                }
            }
            other_refusals += !found;
        }
        rf_event_free(ev);
    }
    rf_journal_iter_free(it);
    assert_int_equal(received, LEADS);
    assert_int_equal(other_refusals, 0);
    for (int lead = 0; lead < LEADS; lead++) {
        if (refused[lead] != 1) {
            print_error("lead %d has %d attribution_refused events\n", lead, refused[lead]);
        }
        assert_int_equal(refused[lead], 1);
    }
    rf_store_free(store);
    remove_files(w.path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_attribution_per_lead_across_processes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
