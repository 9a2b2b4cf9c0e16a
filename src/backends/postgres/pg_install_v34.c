/* Puts the PostgreSQL backend's contract version 3 and 4 members in a new
 * handle's vtable (see pg_v34.h for where each lives). */
#include "pg_v34.h"

void rf__pg_install_v34(rf_backend *vtable)
{
    /* Version 3. */
    vtable->reward_rule_insert = rf__pg_reward_rule_insert;
    vtable->reward_rule_update = rf__pg_reward_rule_update;
    vtable->reward_rule_get = rf__pg_reward_rule_get;
    vtable->reward_rule_scan = rf__pg_reward_rule_scan;
    vtable->grant_insert = rf__pg_grant_insert;
    vtable->grant_update = rf__pg_grant_update;
    vtable->grant_get = rf__pg_grant_get;
    vtable->grant_get_by_key = rf__pg_grant_get_by_key;
    vtable->grant_scan = rf__pg_grant_scan;
    vtable->ledger_insert = rf__pg_ledger_insert;
    vtable->ledger_scan = rf__pg_ledger_scan;
    /* Version 4 (a party's preferred channel is in pg_records.c). */
    vtable->client_event_insert = rf__pg_client_event_insert;
    vtable->client_event_scan = rf__pg_client_event_scan;
    vtable->task_insert = rf__pg_task_insert;
    vtable->task_update = rf__pg_task_update;
    vtable->task_get = rf__pg_task_get;
    vtable->task_get_by_key = rf__pg_task_get_by_key;
    vtable->task_scan = rf__pg_task_scan;
    vtable->template_insert = rf__pg_template_insert;
    vtable->template_update = rf__pg_template_update;
    vtable->template_get_by_name = rf__pg_template_get_by_name;
    vtable->template_scan = rf__pg_template_scan;
}
