/* Shorthands for the issue-5 cases of the conformance suite: clients with
 * consent and channels, client events, asking programmes, referrals whose
 * parties may be contacted, and reading the outbox back. */
#ifndef RF_CONFORMANCE_STORY_SUPPORT_H
#define RF_CONFORMANCE_STORY_SUPPORT_H

#include "reward_support.h"

#define HOUR ((rf_time)3600)

/* A party to add: unset fields (NULL, 0) are not given. */
typedef struct person {
    rf_party_kind kind; /* default CLIENT */
    const char *email;
    const char *phone;
    int consent; /* RF_CONSENT_* bits; 0: none */
    rf_channel preferred;
    rf_time first_visit_at; /* 0: not set */
} person;

/* Add @who as @name; must succeed. */
rf_party *add_person(fixture *fx, const char *name, person who);
/* A CLIENT who may be contacted, with an e-mail address made from @name. */
rf_party *contactable_client(fixture *fx, const char *name, rf_time first_visit_at);

/* A programme that lets existing clients be referred, guards only flag, with
 * the default ask and SLA settings. */
rf_program *outbox_program(fixture *fx, const char *name);
/* The same with @o's settings (o->name is set here). */
rf_program *program_with(fixture *fx, const char *name, rf_program_options o);

/* A client event of @type with @value (RF_UNSET: none) and @label (NULL: none). */
rf_client_event_options event_options(const char *party_id, rf_client_event_type type, int value,
                                      const char *label);
/* rf_client_event_add of event_options() that must succeed; returns the event. */
rf_client_event *record_event(fixture *fx, const char *party_id, rf_client_event_type type, int value,
                              const char *label);

/* A referral of a fresh LEAD (who may be contacted when @referee_consent) by
 * @referrer_id, with @source (RF_SOURCE_UNSET: MANUAL), @urgency and
 * @practitioner_id (may be NULL). */
rf_referral *refer(fixture *fx, const rf_program *program, const char *referrer_id, rf_referral_source source,
                   rf_urgency urgency, const char *practitioner_id, int referee_consent);

/* --- reading the outbox ----------------------------------------------------- */

/* Tasks matching the arguments (NULL / UNSET do not filter). */
int count_tasks(fixture *fx, const char *party_id, const char *referral_id, rf_task_kind kind,
                rf_task_state state);
/* The task with @key, or NULL. */
rf_task *task_by_key(fixture *fx, const char *key);
/* The task with the key made from @prefix, ":" and @id; fails when there is none. */
rf_task *task_for(fixture *fx, const char *prefix, const char *id);
/* The only task matching the arguments; fails when there is not exactly one. */
rf_task *only_task(fixture *fx, const char *party_id, const char *referral_id, rf_task_kind kind);
/* Re-read @task. */
rf_task *reload_task(fixture *fx, const rf_task *task);
/* The ASK key of @program for @trigger and @source. */
void ask_key(char *out, size_t size, const rf_program *program, const char *trigger, const char *source);

/* The ASK task of @program for @trigger and @source; fails when there is none. */
rf_task *the_ask(fixture *fx, const rf_program *program, const char *trigger, const char *source);
/* No ASK task exists for @party_id (made or suppressed). */
void assert_no_ask(fixture *fx, const char *party_id);
/* @task is an ask of @program to @client with @state, @template_name, @channel
 * and @data, decided now (fx->now). */
void assert_ask(fixture *fx, const rf_task *task, const rf_program *program, const rf_party *client,
                rf_task_state state, const char *template_name, rf_channel channel, const char *data);
/* The trigger event of @type is recorded for @client and @program decides
 * @expected_state with @data (NULL: no ask at all). Returns the task or NULL. */
rf_task *trigger_ask(fixture *fx, const rf_program *program, const rf_party *client,
                     rf_client_event_type type, int value, const char *trigger, rf_task_state expected_state,
                     const char *data);

/* rf_tasks_due at @now with @lease_seconds (RF_UNSET: default) for @kind
 * (UNSET: all): hand out every due task into @out (up to @max) and return how
 * many there were. Every task handed out is leased to the drain's token. */
size_t drain(fixture *fx, rf_store *store, rf_time now, rf_task_kind kind, rf_task **out, size_t max);
/* The time-driven work of rf_tasks_due at fx->now (SLA breaches, asks by
 * date) without handing anything out. */
void sweep(fixture *fx);
/* drain() at fx->now on the fixture's store, keeping nothing. */
size_t drain_count(fixture *fx, rf_task_kind kind);
/* Free @n tasks of @tasks. */
void free_tasks(rf_task **tasks, size_t n);
/* Drain @kind now, report each task sent and acked; returns how many. */
size_t deliver_all(fixture *fx, rf_task_kind kind);

/* A task's fields as the cases expect them. */
typedef struct task_expect {
    rf_task_kind kind;
    rf_task_state state;
    const char *party_id;
    const char *referral_id;
    const char *program_id;
    const char *template_name;
    rf_channel channel;
    const char *data;
    rf_time due_at;
    rf_time deadline_at;
} task_expect;
void assert_task(const rf_task *task, task_expect e);

/* The last journal event: its type, subject and data. */
void assert_last_event(fixture *fx, const char *type, const char *subject_id, const char *data);

extern const struct CMUnitTest event_cases[];
extern const size_t event_case_count;
extern const struct CMUnitTest event_refusal_cases[];
extern const size_t event_refusal_case_count;
extern const struct CMUnitTest ask_program_cases[];
extern const size_t ask_program_case_count;
extern const struct CMUnitTest ask_policy_cases[];
extern const size_t ask_policy_case_count;
extern const struct CMUnitTest ask_suppression_cases[];
extern const size_t ask_suppression_case_count;
extern const struct CMUnitTest ask_channel_cases[];
extern const size_t ask_channel_case_count;
extern const struct CMUnitTest ask_date_cases[];
extern const size_t ask_date_case_count;
extern const struct CMUnitTest outbox_loop_cases[];
extern const size_t outbox_loop_case_count;
extern const struct CMUnitTest outbox_notice_cases[];
extern const size_t outbox_notice_case_count;
extern const struct CMUnitTest outbox_sla_cases[];
extern const size_t outbox_sla_case_count;
extern const struct CMUnitTest outbox_drain_cases[];
extern const size_t outbox_drain_case_count;
extern const struct CMUnitTest outbox_share_cases[];
extern const size_t outbox_share_case_count;
extern const struct CMUnitTest story_cases[];
extern const size_t story_case_count;

#endif
