/* The PostgreSQL backend's own cases: opening (URIs, connection errors,
 * schema creation and versions), the practice lock and transactions, and
 * paged scans. The contract itself is checked by the backend contract and
 * conformance suites. Skipped, loudly, without a server (RF_TEST_POSTGRES). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_support.h"
#include "support.h"

int main(void)
{
    if (pg_test_server() == NULL) {
        pg_test_skip_banner("the PostgreSQL backend's own cases (test_postgres_backend)",
                            "RF_TEST_POSTGRES is not set: scripts/test.sh starts a throw-away server");
        return PG_SKIP;
    }
    const struct {
        const char *name;
        const struct CMUnitTest *cases;
        const size_t *count;
    } groups[] = {
        {"open", pg_open_cases, &pg_open_case_count},
        {"locks and transactions", pg_lock_cases, &pg_lock_case_count},
        {"scans", pg_scan_cases, &pg_scan_case_count},
    };
    int failed = 0;
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        failed += _cmocka_run_group_tests(groups[i].name, groups[i].cases, *groups[i].count, NULL, NULL);
    }
    pg_test_finish();
    return failed != 0;
}
