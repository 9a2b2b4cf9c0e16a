/* Runs every conformance case on the backends named on the command line, one
 * cmocka group per module and backend. PostgreSQL runs as its own ctest entry,
 * so that a run without a server shows up as skipped rather than passed:
 *
 *   test_conformance               memory and sqlite
 *   test_conformance postgres      exits 77 (skipped) when the build has no
 *                                  PostgreSQL or RF_TEST_POSTGRES is unset
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#ifdef RF_WITH_POSTGRES
#include "pg_support.h"
#endif
#include "kpi_client_support.h"
#include "kpi_support.h"
#include "kpi_table_support.h"
#include "reward_support.h"
#include "story_support.h"
#include "template_support.h"

static int run_module(const char *module, const struct CMUnitTest *cases, size_t count)
{
    char name[64];
    snprintf(name, sizeof name, "%s/%s", current_backend->name, module);
    return _cmocka_run_group_tests(name, cases, count, NULL, NULL);
}

#define SKIPPED 77

/* The backend named @name, or NULL when it cannot run here (said loudly). */
static const backend_entry *runnable(const char *name)
{
    const backend_entry *b = conformance_backend(name);
    if (strcmp(name, "postgres") == 0) {
#ifdef RF_WITH_POSTGRES
        if (pg_test_server() == NULL) {
            pg_test_skip_banner("the backend conformance suite",
                                "RF_TEST_POSTGRES is not set (scripts/test.sh starts a server and sets it)");
            return NULL;
        }
#else
        printf(
            "!!! SKIPPED, NOT PASSED: the backend conformance suite on PostgreSQL\n"
            "!!! this build has no PostgreSQL backend (RF_WITH_POSTGRES is OFF; is libpq-dev installed?)\n");
        return NULL;
#endif
    }
    if (b == NULL) {
        fprintf(stderr, "test_conformance: no backend '%s' in this build\n", name);
    }
    return b;
}

static int run_backend(const backend_entry *backend)
{
    int failed = 0;
    current_backend = backend;
    failed += run_module("party", party_cases, party_case_count);
    failed += run_module("party_store", party_store_cases, party_store_case_count);
    failed += run_module("code", code_cases, code_case_count);
    failed += run_module("journal", journal_cases, journal_case_count);
    failed += run_module("lifecycle", lifecycle_cases, lifecycle_case_count);
    failed += run_module("program", program_cases, program_case_count);
    failed += run_module("touch", touch_cases, touch_case_count);
    failed += run_module("attribution", attribution_cases, attribution_case_count);
    failed += run_module("referral_request", referral_request_cases, referral_request_case_count);
    failed += run_module("guard", guard_cases, guard_case_count);
    failed += run_module("view", view_cases, view_case_count);
    failed += run_module("reward_program", reward_program_cases, reward_program_case_count);
    failed += run_module("reward_rule", reward_rule_cases, reward_rule_case_count);
    failed += run_module("reward_rule_refusal", reward_rule_refusal_cases, reward_rule_refusal_case_count);
    failed += run_module("reward_grant", reward_grant_cases, reward_grant_case_count);
    failed += run_module("reward_tier", reward_tier_cases, reward_tier_case_count);
    failed += run_module("reward_ledger", reward_ledger_cases, reward_ledger_case_count);
    failed += run_module("reward_books", reward_books_cases, reward_books_case_count);
    failed += run_module("reward_redeem", reward_redeem_cases, reward_redeem_case_count);
    failed += run_module("reward_property", reward_property_cases, reward_property_case_count);
    failed += run_module("event", event_cases, event_case_count);
    failed += run_module("event_refusal", event_refusal_cases, event_refusal_case_count);
    failed += run_module("ask_program", ask_program_cases, ask_program_case_count);
    failed += run_module("ask_channel", ask_channel_cases, ask_channel_case_count);
    failed += run_module("ask_policy", ask_policy_cases, ask_policy_case_count);
    failed += run_module("ask_suppression", ask_suppression_cases, ask_suppression_case_count);
    failed += run_module("ask_date", ask_date_cases, ask_date_case_count);
    failed += run_module("outbox_loop", outbox_loop_cases, outbox_loop_case_count);
    failed += run_module("outbox_notice", outbox_notice_cases, outbox_notice_case_count);
    failed += run_module("outbox_sla", outbox_sla_cases, outbox_sla_case_count);
    failed += run_module("outbox_drain", outbox_drain_cases, outbox_drain_case_count);
    failed += run_module("outbox_share", outbox_share_cases, outbox_share_case_count);
    failed += run_module("story", story_cases, story_case_count);
    failed += run_module("template", template_cases, template_case_count);
    failed += run_module("template_render", template_render_cases, template_render_case_count);
    failed += run_module("kpi", kpi_cases, kpi_case_count);
    failed += run_module("kpi_client", kpi_client_cases, kpi_client_case_count);
    failed += run_module("kpi_money", kpi_money_cases, kpi_money_case_count);
    failed += run_module("kpi_table", kpi_table_cases, kpi_table_case_count);
    failed += run_module("kpi_table_group", kpi_table_group_cases, kpi_table_group_case_count);
    return failed;
}

int main(int argc, char **argv)
{
    const backend_entry *chosen[8];
    size_t n = 0;
    if (argc < 2) {
        for (size_t i = 0; i < conformance_backend_count && n < 8; i++) {
            if (strcmp(conformance_backends[i].name, "postgres") != 0) {
                chosen[n++] = &conformance_backends[i];
            }
        }
    }
    for (int i = 1; i < argc; i++) {
        if (n == 8) {
            fprintf(stderr, "test_conformance: too many backends\n");
            return 2;
        }
        chosen[n] = runnable(argv[i]);
        if (chosen[n] == NULL) {
            /* Only a lone backend may be skipped: a run asked for more than it could do otherwise. */
            return argc == 2 && strcmp(argv[1], "postgres") == 0 ? SKIPPED : 2;
        }
        n++;
    }
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        failed += run_backend(chosen[i]);
    }
#ifdef RF_WITH_POSTGRES
    pg_test_finish();
#endif
    return failed != 0;
}
