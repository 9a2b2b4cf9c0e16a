/* The memory backend's reward rules and grants (contract version 3), described for mem_table.c:
 * rules are grouped by programme; grants are found by their unique grant key and grouped by
 * recipient, referral and rule, so a scan filtering on any of them walks only that group. The
 * ledger, read in seq order rather than id order, is apart in mem_ledger.c. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <referral.h>
#include <referral/sys/backend.h>

#include "mem_internal.h"

/* The shared table code reads a record's id as its first member. */
_Static_assert(offsetof(rf_reward_rule_record, id) == 0, "rf_reward_rule_record.id must come first");
_Static_assert(offsetof(rf_grant_record, id) == 0, "rf_grant_record.id must come first");

/* --- reward rules ------------------------------------------------------------------------------ */

static const size_t rule_strings[] = {
    offsetof(rf_reward_rule_record, id),   offsetof(rf_reward_rule_record, program_id),
    offsetof(rf_reward_rule_record, name), offsetof(rf_reward_rule_record, currency),
    offsetof(rf_reward_rule_record, item),
};

static const rf__mem_kind rule_kind = {
    .table = RF__MEM_REWARD_RULES,
    .noun = "reward rule",
    .klass = RF_ERRCLASS_REWARD,
    .size = sizeof(rf_reward_rule_record),
    .strings = rule_strings,
    .n_strings = sizeof rule_strings / sizeof rule_strings[0],
    .invalid = "memory backend: reward rule record has no id",
    .n_groupings = 1,
    .groupings = {{NULL, offsetof(rf_reward_rule_record, program_id)}},
};

static int mem_rule_insert(rf_backend *backend, const char *practice, const rf_reward_rule_record *record)
{
    return rf__mem_insert(backend, &rule_kind, "reward_rule_insert", practice, record);
}

static int mem_rule_update(rf_backend *backend, const char *practice, const rf_reward_rule_record *record)
{
    return rf__mem_update(backend, &rule_kind, "reward_rule_update", practice, record);
}

static int mem_rule_get(rf_backend *backend, const char *practice, const char *id, rf_reward_rule_record *out)
{
    return rf__mem_get(backend, &rule_kind, "reward_rule_get", 0, practice, id, "id", out);
}

static int visit_rule(const rf__mem_scan *s, const void *record)
{
    return s->fn.reward_rule(record, s->payload) != 0 ? RF__MEM_SCAN_STOP : RF__MEM_SCAN_NEXT;
}

static int mem_rule_scan(rf_backend *backend, const char *practice, const char *program_id,
                         const char *after_id, unsigned int limit, rf_reward_rule_visit_fn visit,
                         void *payload)
{
    rf__mem_scan s = {NULL, after_id, limit, {program_id}, visit_rule, {.reward_rule = visit}, payload};
    return rf__mem_scan_table(backend, &rule_kind, "reward_rule_scan", practice, visit != NULL, &s);
}

/* --- grants ------------------------------------------------------------------------------------ */

#define GRANT_STRING(field) offsetof(rf_grant_record, field)
static const size_t grant_strings[] = {
    GRANT_STRING(id),          GRANT_STRING(grant_key),    GRANT_STRING(rule_id),  GRANT_STRING(program_id),
    GRANT_STRING(referral_id), GRANT_STRING(recipient_id), GRANT_STRING(currency), GRANT_STRING(item),
};

/* The grant groupings, in the order of rf__mem_scan.key. */
enum { BY_RECIPIENT, BY_REFERRAL, BY_RULE, GRANT_GROUPINGS };
_Static_assert(GRANT_GROUPINGS <= RF__MEM_MAX_GROUPINGS, "too many grant groupings");

static const char *grant_key(const void *record)
{
    return ((const rf_grant_record *)record)->grant_key;
}

static int grant_key_taken(const char *practice, const void *record, const void *holder)
{
    return rf__mem_fail(RF_EEXISTS, RF_ERRCLASS_REWARD,
                        "grant key '%.160s' is already held by grant %.40s in practice '%.64s'",
                        grant_key(record), rf__mem_item_id(holder), practice);
}

static const rf__mem_kind grant_kind = {
    .table = RF__MEM_GRANTS,
    .noun = "grant",
    .klass = RF_ERRCLASS_REWARD,
    .size = sizeof(rf_grant_record),
    .strings = grant_strings,
    .n_strings = sizeof grant_strings / sizeof grant_strings[0],
    /* The key is what makes a grant happen once: a grant without one could happen twice. */
    .invalid = "memory backend: grant record needs an id and a grant key",
    .key_required = 1,
    .key = grant_key,
    .key_taken = grant_key_taken,
    .n_groupings = GRANT_GROUPINGS,
    .groupings =
        {
            [BY_RECIPIENT] = {NULL, GRANT_STRING(recipient_id)},
            [BY_REFERRAL] = {NULL, GRANT_STRING(referral_id)},
            [BY_RULE] = {NULL, GRANT_STRING(rule_id)},
        },
};

static int mem_grant_insert(rf_backend *backend, const char *practice, const rf_grant_record *record)
{
    return rf__mem_insert(backend, &grant_kind, "grant_insert", practice, record);
}

static int mem_grant_update(rf_backend *backend, const char *practice, const rf_grant_record *record)
{
    /* The grant key never changes: keep the stored one whatever the record says, as an SQL
     * UPDATE that leaves the key's column alone would. */
    rf_grant_record copy;
    rf__mem_practice *p = practice != NULL && record != NULL && record->id != NULL
                              ? rf__mem_practice_find((rf__mem_backend *)backend, practice)
                              : NULL;
    const rf_grant_record *old =
        p != NULL ? rf__mem_map_get(&p->tables[RF__MEM_GRANTS].by_id, record->id) : NULL;
    if (old != NULL) {
        copy = *record;
        copy.grant_key = old->grant_key;
        record = &copy;
    }
    return rf__mem_update(backend, &grant_kind, "grant_update", practice, record);
}

static int mem_grant_get(rf_backend *backend, const char *practice, const char *id, rf_grant_record *out)
{
    return rf__mem_get(backend, &grant_kind, "grant_get", 0, practice, id, "id", out);
}

static int mem_grant_get_by_key(rf_backend *backend, const char *practice, const char *key,
                                rf_grant_record *out)
{
    return rf__mem_get(backend, &grant_kind, "grant_get_by_key", 1, practice, key, "grant key", out);
}

/* An inclusive upper bound that skips records whose time is 0 (not set). */
static int due_by(rf_time at, rf_time bound)
{
    return bound == RF_TIME_UNSET || (at != 0 && at <= bound);
}

static int visit_grant(const rf__mem_scan *s, const void *record)
{
    const rf_grant_record *rec = record;
    const rf_grant_query *q = s->query;
    if ((q->status != 0 && rec->status != q->status) || !due_by(rec->release_at, q->release_by) ||
        !due_by(rec->expires_at, q->expires_by) ||
        (q->issued_from != RF_TIME_UNSET && rec->issued_at < q->issued_from)) {
        return RF__MEM_SCAN_SKIP;
    }
    return s->fn.grant(rec, s->payload) != 0 ? RF__MEM_SCAN_STOP : RF__MEM_SCAN_NEXT;
}

static int mem_grant_scan(rf_backend *backend, const char *practice, const rf_grant_query *query,
                          rf_grant_visit_fn visit, void *payload)
{
    static const rf_grant_query all = {
        .release_by = RF_TIME_UNSET,
        .expires_by = RF_TIME_UNSET,
        .issued_from = RF_TIME_UNSET,
    };
    const rf_grant_query *q = query != NULL ? query : &all;
    rf__mem_scan s = {q,
                      q->after_id,
                      q->limit,
                      {
                          [BY_RECIPIENT] = q->recipient_id,
                          [BY_REFERRAL] = q->referral_id,
                          [BY_RULE] = q->rule_id,
                      },
                      visit_grant,
                      {.grant = visit},
                      payload};
    return rf__mem_scan_table(backend, &grant_kind, "grant_scan", practice, visit != NULL, &s);
}

/* --- shared with memory_backend.c ------------------------------------------------------------ */

void rf__mem_rewards_install(rf_backend *backend)
{
    backend->reward_rule_insert = mem_rule_insert;
    backend->reward_rule_update = mem_rule_update;
    backend->reward_rule_get = mem_rule_get;
    backend->reward_rule_scan = mem_rule_scan;
    backend->grant_insert = mem_grant_insert;
    backend->grant_update = mem_grant_update;
    backend->grant_get = mem_grant_get;
    backend->grant_get_by_key = mem_grant_get_by_key;
    backend->grant_scan = mem_grant_scan;
}
