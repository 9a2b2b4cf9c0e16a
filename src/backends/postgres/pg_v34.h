/* The PostgreSQL backend's members of contract versions 3 and 4: reward
 * rules and grants (pg_rewards.c), the ledger (pg_ledger.c), client events
 * (pg_events.c), outbox tasks (pg_tasks.c) and message templates
 * (pg_templates.c). rf__pg_install_v34 (pg_install_v34.c) puts them in the
 * vtable. */
#ifndef RF_BACKENDS_PG_V34_H
#define RF_BACKENDS_PG_V34_H

#include "pg_internal.h"

/* pg_rewards.c */
int rf__pg_reward_rule_insert(rf_backend *backend, const char *practice, const rf_reward_rule_record *record);
int rf__pg_reward_rule_update(rf_backend *backend, const char *practice, const rf_reward_rule_record *record);
int rf__pg_reward_rule_get(rf_backend *backend, const char *practice, const char *id,
                           rf_reward_rule_record *out);
int rf__pg_reward_rule_scan(rf_backend *backend, const char *practice, const char *program_id,
                            const char *after_id, unsigned int limit, rf_reward_rule_visit_fn visit,
                            void *payload);
int rf__pg_grant_insert(rf_backend *backend, const char *practice, const rf_grant_record *record);
int rf__pg_grant_update(rf_backend *backend, const char *practice, const rf_grant_record *record);
int rf__pg_grant_get(rf_backend *backend, const char *practice, const char *id, rf_grant_record *out);
int rf__pg_grant_get_by_key(rf_backend *backend, const char *practice, const char *grant_key,
                            rf_grant_record *out);
int rf__pg_grant_scan(rf_backend *backend, const char *practice, const rf_grant_query *query,
                      rf_grant_visit_fn visit, void *payload);

/* pg_ledger.c */
int rf__pg_ledger_insert(rf_backend *backend, const char *practice, const rf_ledger_record *record);
int rf__pg_ledger_scan(rf_backend *backend, const char *practice, const rf_ledger_query *query,
                       rf_ledger_visit_fn visit, void *payload);

/* pg_events.c */
int rf__pg_client_event_insert(rf_backend *backend, const char *practice,
                               const rf_client_event_record *record);
int rf__pg_client_event_scan(rf_backend *backend, const char *practice, const rf_client_event_query *query,
                             rf_client_event_visit_fn visit, void *payload);

/* pg_tasks.c */
int rf__pg_task_insert(rf_backend *backend, const char *practice, const rf_task_record *record);
int rf__pg_task_update(rf_backend *backend, const char *practice, const rf_task_record *record);
int rf__pg_task_get(rf_backend *backend, const char *practice, const char *id, rf_task_record *out);
int rf__pg_task_get_by_key(rf_backend *backend, const char *practice, const char *task_key,
                           rf_task_record *out);
int rf__pg_task_scan(rf_backend *backend, const char *practice, const rf_task_query *query,
                     rf_task_visit_fn visit, void *payload);

/* pg_templates.c */
int rf__pg_template_insert(rf_backend *backend, const char *practice, const rf_template_record *record);
int rf__pg_template_update(rf_backend *backend, const char *practice, const rf_template_record *record);
int rf__pg_template_get_by_name(rf_backend *backend, const char *practice, const char *program_id,
                                const char *name, rf_template_record *out);
int rf__pg_template_scan(rf_backend *backend, const char *practice, const char *program_id,
                         const char *after_id, unsigned int limit, rf_template_visit_fn visit, void *payload);

#endif
