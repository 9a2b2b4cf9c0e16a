/* The SQLite backend suite: one cmocka group per file (see support.h). */
#include "support.h"

int main(void)
{
    int failed = 0;
    failed += run_open_cases();
    failed += run_transaction_cases();
    failed += run_migration_cases();
    failed += run_record_v2_cases();
    failed += run_migration_v2_cases();
    failed += run_record_v3_cases();
    failed += run_scan_v3_cases();
    failed += run_migration_v3_cases();
    failed += run_record_v4_cases();
    failed += run_scan_v4_cases();
    return failed != 0;
}
