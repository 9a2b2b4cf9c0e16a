/* Runs every conformance case on every backend, one cmocka group each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kpi_support.h"
#include "reward_support.h"
#include "story_support.h"
#include "template_support.h"

static int run_module(const char *module, const struct CMUnitTest *cases, size_t count)
{
    char name[64];
    snprintf(name, sizeof name, "%s/%s", current_backend->name, module);
    return _cmocka_run_group_tests(name, cases, count, NULL, NULL);
}

int main(void)
{
    int failed = 0;
    for (size_t i = 0; i < conformance_backend_count; i++) {
        current_backend = &conformance_backends[i];
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
        failed +=
            run_module("reward_rule_refusal", reward_rule_refusal_cases, reward_rule_refusal_case_count);
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
    }
    return failed != 0;
}
