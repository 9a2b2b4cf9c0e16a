/* Runs every topic's backend contract cases on every backend, one cmocka group per backend. */
/* The backend contract (referral/sys/backend.h), driven through the vtable for every built-in backend: each
 * case runs once per entry of `factories` (harness.c), and the output names the backend before its cases.
 * Not the rf_store API: this pins down what the store may rely on underneath. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#ifdef RF_WITH_POSTGRES
#include "pg_support.h"
#endif

typedef struct topic {
    const struct CMUnitTest *cases;
    const size_t *count;
} topic;

static const topic topics[] = {
    {party_cases, &party_case_count},
    {code_cases, &code_case_count},
    {journal_idempotency_cases, &journal_idempotency_case_count},
    {isolation_scan_cases, &isolation_scan_case_count},
    {transaction_cases, &transaction_case_count},
    {program_cases, &program_case_count},
    {touch_cases, &touch_case_count},
    {referral_cases, &referral_case_count},
    {referral_scan_cases, &referral_scan_case_count},
    {v2_transaction_cases, &v2_transaction_case_count},
    {oom_cases, &oom_case_count},
    {reward_rule_cases, &reward_rule_case_count},
    {grant_cases, &grant_case_count},
    {grant_scan_cases, &grant_scan_case_count},
    {ledger_cases, &ledger_case_count},
    {v3_oom_cases, &v3_oom_case_count},
    {party_v4_cases, &party_v4_case_count},
    {client_event_cases, &client_event_case_count},
    {task_cases, &task_case_count},
    {task_scan_cases, &task_scan_case_count},
    {template_cases, &template_case_count},
    {v4_oom_cases, &v4_oom_case_count},
};

/* `test_backend_contract` runs the built-in file and memory backends;
 * `test_backend_contract postgres` only PostgreSQL, as its own ctest entry,
 * so that without a server it is reported as skipped (77), never as passed. */
int main(int argc, char **argv)
{
    int postgres_only = argc > 1 && strcmp(argv[1], "postgres") == 0;
    /* All topics in one group per backend, so that each backend's summary counts all its cases. */
    size_t total = 0;
    for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++) {
        total += *topics[i].count;
    }
    struct CMUnitTest *tests = malloc(total * sizeof *tests);
    if (tests == NULL) {
        return 1;
    }
    size_t n = 0;
    for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++) {
        memcpy(tests + n, topics[i].cases, *topics[i].count * sizeof *tests);
        n += *topics[i].count;
    }
    int failed = 0, ran = 0;
    for (size_t i = 0; i < factory_count; i++) {
        current = &factories[i];
        if ((strcmp(current->name, "postgres") == 0) != postgres_only) {
            continue;
        }
#ifdef RF_WITH_POSTGRES
        if (postgres_only && pg_test_server() == NULL) {
            pg_test_skip_banner("the backend contract suite", "RF_TEST_POSTGRES is not set");
            free(tests);
            return PG_SKIP;
        }
#endif
        ran++;
        /* cmocka's standard output leaves group names out; say which backend the cases ran on. */
        print_message("[==========] backend: %s\n", current->name);
        failed += _cmocka_run_group_tests(current->name, tests, total, NULL, NULL);
    }
    free(tests);
#ifdef RF_WITH_POSTGRES
    pg_test_finish();
#endif
    if (ran == 0) {
        /* Asked for PostgreSQL in a build without it. */
        printf("SKIPPED: the backend contract suite on PostgreSQL: this build has no PostgreSQL backend\n");
        return 77;
    }
    return failed != 0;
}
