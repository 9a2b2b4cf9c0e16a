/* The KPI conformance cases (memory and SQLite) against a copy of the KPI
 * sources built with tiny chunks (RF__KPI_CLIENT_CHUNK, RF__KPI_PARTY_CHUNK,
 * RF__KPI_STAFF_CLIENT_CHUNK of a few entries; see tests/CMakeLists.txt):
 * every figure and table the hand computations check must come out the same
 * when the clients, referrers and staff members' clients are taken a few at
 * a time, which is how a practice with millions of clients is computed. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "kpi_client_support.h"
#include "kpi_support.h"
#include "kpi_table_support.h"

#if !defined(RF__KPI_CLIENT_CHUNK) || !defined(RF__KPI_PARTY_CHUNK) || !defined(RF__KPI_STAFF_CLIENT_CHUNK)
#error "build this suite with tiny RF__KPI_CLIENT_CHUNK, RF__KPI_PARTY_CHUNK and RF__KPI_STAFF_CLIENT_CHUNK"
#endif

static int run_module(const char *module, const struct CMUnitTest *cases, size_t count)
{
    char name[64];
    snprintf(name, sizeof name, "%s/%s (chunks)", current_backend->name, module);
    return _cmocka_run_group_tests(name, cases, count, NULL, NULL);
}

int main(void)
{
    int failed = 0;
    for (size_t i = 0; i < conformance_backend_count; i++) {
        if (strcmp(conformance_backends[i].name, "postgres") == 0) {
            continue;
        }
        current_backend = &conformance_backends[i];
        failed += run_module("kpi", kpi_cases, kpi_case_count);
        failed += run_module("kpi_client", kpi_client_cases, kpi_client_case_count);
        failed += run_module("kpi_money", kpi_money_cases, kpi_money_case_count);
        failed += run_module("kpi_table", kpi_table_cases, kpi_table_case_count);
        failed += run_module("kpi_table_group", kpi_table_group_cases, kpi_table_group_case_count);
    }
    return failed != 0;
}
