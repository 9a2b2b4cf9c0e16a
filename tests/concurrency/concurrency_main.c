/* Four writer processes on one database, then the parent's checks.
 *
 *   test_concurrency_writers            SQLite file (WAL, default busy timeout)
 *   test_concurrency_writers postgres   a database of its own on the server named
 *                                       by RF_TEST_POSTGRES; exits 77 (skipped)
 *                                       without one or without PostgreSQL support
 *
 * RF_CONC_OPS overrides the operations per worker (default 5,000);
 * RF_CONC_KEEP keeps the database and logs for a post-mortem. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "concurrency.h"
#include "concurrency_pg.h"

static conc_world world;
static char db_path[600];
static char pg_conninfo[600];
static char pg_dbname[64];

static void remove_files(void)
{
    if (getenv("RF_CONC_KEEP") != NULL) {
        printf("kept: %s and the logs beside it\n", world.log_path[0]);
        return;
    }
    for (int i = 0; i < CONC_WORKERS; i++) {
        unlink(world.log_path[i]);
    }
    if (db_path[0] != '\0') {
        static const char *const sides[] = {"", "-wal", "-shm"};
        for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++) {
            char side[620];
            snprintf(side, sizeof side, "%s%s", db_path, sides[i]);
            unlink(side);
        }
    }
}

static int make_world(void **state)
{
    (void)state;
    const char *ops = getenv("RF_CONC_OPS");
    world.ops = ops != NULL && atoi(ops) > 0 ? atoi(ops) : CONC_OPS_DEFAULT;
    for (int i = 0; i < CONC_WORKERS; i++) {
        snprintf(world.log_path[i], sizeof world.log_path[i], "%s/writers-%s-%ld.log%d", RF_TEST_TMPDIR,
                 world.backend, (long)getpid(), i);
    }
    if (strcmp(world.backend, "postgres") == 0) {
        snprintf(pg_dbname, sizeof pg_dbname, "rf_concurrency_%ld", (long)getpid());
        snprintf(world.uri, sizeof world.uri, "postgres:%s dbname=%s", pg_conninfo, pg_dbname);
        return conc_pg_create(pg_conninfo, pg_dbname);
    }
    snprintf(db_path, sizeof db_path, "%s/writers-%ld.db", RF_TEST_TMPDIR, (long)getpid());
    remove_files();
    snprintf(world.uri, sizeof world.uri, "sqlite:%s", db_path);
    return 0;
}

static int drop_world(void **state)
{
    (void)state;
    remove_files();
    if (pg_dbname[0] != '\0' && getenv("RF_CONC_KEEP") == NULL) {
        conc_pg_drop(pg_conninfo, pg_dbname);
    }
    return 0;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Fork the workers and reap them; returns how many did not exit with 0. */
static int run_workers(void)
{
    pid_t pids[CONC_WORKERS];
    fflush(NULL);
    for (int i = 0; i < CONC_WORKERS; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            _exit(conc_worker_main(&world, i));
        }
        if (pids[i] < 0) {
            printf("fork failed: %s\n", strerror(errno));
            for (int k = 0; k < i; k++) {
                kill(pids[k], SIGKILL);
                waitpid(pids[k], NULL, 0);
            }
            return CONC_WORKERS;
        }
    }
    int bad = 0;
    for (int i = 0; i < CONC_WORKERS; i++) {
        int status = 0;
        pid_t got;
        do {
            got = waitpid(pids[i], &status, 0);
        } while (got < 0 && errno == EINTR);
        if (got != pids[i] || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            printf("worker %d %s %d\n", i,
                   got == pids[i] && WIFSIGNALED(status) ? "was killed by signal" : "exited with",
                   got == pids[i] && WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
            bad++;
        }
    }
    return bad;
}

static void print_outcomes(const conc_logs *logs, double seconds)
{
    long total = (long)CONC_WORKERS * world.ops;
    printf("%s: %d workers x %d operations = %ld in %.2f s: %.0f ops/s (informative)\n", world.backend,
           CONC_WORKERS, world.ops, total, seconds, seconds > 0 ? (double)total / seconds : 0.0);
    for (int op = 0; op < CONC_OP_COUNT; op++) {
        printf("  %-8s", conc_op_names[op]);
        for (int s = 0; s < CONC_STATUS_SLOTS; s++) {
            if (logs->tally[op][s] != 0) {
                printf("  %s %ld", s == 0 ? "ok" : rf_strerror((rf_status)-s), logs->tally[op][s]);
            }
        }
        printf("\n");
    }
    printf("  busy retries %ld\n", logs->busy);
}

static int check_store(const conc_logs *logs)
{
    int problems = 0;
    rf_time clock = CONC_T0 + (world.shared->tick + 1) * CONC_STEP;
    rf_store *store = NULL;
    if (conc_open(&store, &world, 7, &clock) != RF_OK) {
        CONC_FAIL(problems, "cannot reopen the store: %s", rf_error_last()->message);
        return problems;
    }
    conc_journal *j = conc_journal_read(store, &problems);
    if (j != NULL) {
        problems += conc_check_referrals(store, &world, logs, j);
        problems += conc_check_grants(store, &world, logs, j);
        problems += conc_check_books(store, &world, logs);
        problems += conc_check_outbox(store, logs, j);
        problems += conc_check_events(store, logs, j);
        printf("  %ld referrals received, %ld moves, %ld refused attributions, %ld leases, %ld sends\n",
               j->received, j->advanced, j->refused, j->leased, j->sent);
    }
    conc_journal_free(j);
    rf_store_free(store);
    return problems;
}

static void many_writers_one_database(void **state)
{
    (void)state;
    assert_int_equal(conc_setup(&world), 0);
    world.shared =
        mmap(NULL, sizeof *world.shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(world.shared != MAP_FAILED);
    world.shared->tick = 0;

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int failed_workers = run_workers();
    double seconds = seconds_since(&t0);

    conc_logs logs;
    int read = conc_logs_read(&logs, &world);
    if (read == 0) {
        print_outcomes(&logs, seconds);
    }
    int problems = failed_workers == 0 && read == 0 ? check_store(&logs) : 0;
    printf("  %d problems found\n", problems);
    conc_logs_free(&logs);
    munmap(world.shared, sizeof *world.shared);
    assert_int_equal(failed_workers, 0);
    assert_int_equal(read, 0);
    assert_int_equal(problems, 0);
}

int main(int argc, char **argv)
{
    world.backend = argc > 1 ? argv[1] : "sqlite";
    if (strcmp(world.backend, "postgres") == 0) {
        const char *conninfo = getenv("RF_TEST_POSTGRES");
        if (!conc_pg_available() || conninfo == NULL || conninfo[0] == '\0') {
            printf("*** SKIPPED: the PostgreSQL writers test %s ***\n",
                   !conc_pg_available() ? "needs a build with RF_WITH_POSTGRES"
                                        : "needs RF_TEST_POSTGRES (a libpq conninfo without dbname)");
            return 77;
        }
        snprintf(pg_conninfo, sizeof pg_conninfo, "%s", conninfo);
    } else if (strcmp(world.backend, "sqlite") != 0) {
        printf("usage: %s [sqlite|postgres]\n", argv[0]);
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(many_writers_one_database, make_world, drop_world),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
