/* The memory backend's contract version 2 records, described for mem_table.c: programmes (found
 * by their unique name), touches (grouped by visitor key) and referrals (the unique attribution
 * key; grouped by programme, referrer, referee and target, so a scan filtering on any of them
 * walks only that group, the smallest when it filters on several). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <referral.h>
#include <referral/sys/backend.h>

#include "mem_internal.h"

/* The shared table code reads a record's id as its first member. */
_Static_assert(offsetof(rf_program_record, id) == 0, "rf_program_record.id must come first");
_Static_assert(offsetof(rf_touch_record, id) == 0, "rf_touch_record.id must come first");
_Static_assert(offsetof(rf_referral_record, id) == 0, "rf_referral_record.id must come first");

/* [from, to) on @at, either bound ::RF_TIME_UNSET for none. */
static int in_period(rf_time at, rf_time from, rf_time to)
{
    return (from == RF_TIME_UNSET || at >= from) && (to == RF_TIME_UNSET || at < to);
}

/* --- programmes ------------------------------------------------------------------------------- */

static const size_t program_strings[] = {
    offsetof(rf_program_record, id),
    offsetof(rf_program_record, name),
    offsetof(rf_program_record, settings),
};

static const char *program_name(const void *record)
{
    return ((const rf_program_record *)record)->name;
}

static int program_name_taken(const char *practice, const void *record, const void *holder)
{
    return rf__mem_fail(RF_EEXISTS, RF_ERRCLASS_PROGRAM,
                        "a programme called '%.128s' already exists in practice '%.64s' (%.40s)",
                        program_name(record), practice, rf__mem_item_id(holder));
}

static const rf__mem_kind program_kind = {
    .table = RF__MEM_PROGRAMS,
    .noun = "programme",
    .klass = RF_ERRCLASS_PROGRAM,
    .size = sizeof(rf_program_record),
    .strings = program_strings,
    .n_strings = sizeof program_strings / sizeof program_strings[0],
    .invalid = "memory backend: programme record needs an id and a name",
    .key_required = 1,
    .key = program_name,
    .key_taken = program_name_taken,
    .n_groupings = 0,
};

static int mem_program_insert(rf_backend *backend, const char *practice, const rf_program_record *record)
{
    return rf__mem_insert(backend, &program_kind, "program_insert", practice, record);
}

static int mem_program_update(rf_backend *backend, const char *practice, const rf_program_record *record)
{
    return rf__mem_update(backend, &program_kind, "program_update", practice, record);
}

static int mem_program_get(rf_backend *backend, const char *practice, const char *id, rf_program_record *out)
{
    return rf__mem_get(backend, &program_kind, "program_get", 0, practice, id, "id", out);
}

static int mem_program_get_by_name(rf_backend *backend, const char *practice, const char *name,
                                   rf_program_record *out)
{
    return rf__mem_get(backend, &program_kind, "program_get_by_name", 1, practice, name, "name", out);
}

static int visit_program(const rf__mem_scan *s, const void *record)
{
    return s->fn.program(record, s->payload) != 0 ? RF__MEM_SCAN_STOP : RF__MEM_SCAN_NEXT;
}

static int mem_program_scan(rf_backend *backend, const char *practice, const char *after_id,
                            unsigned int limit, rf_program_visit_fn visit, void *payload)
{
    rf__mem_scan s = {NULL, after_id, limit, {NULL}, visit_program, {.program = visit}, payload};
    return rf__mem_scan_table(backend, &program_kind, "program_scan", practice, visit != NULL, &s);
}

/* --- touches ---------------------------------------------------------------------------------- */

static const size_t touch_strings[] = {
    offsetof(rf_touch_record, id),          offsetof(rf_touch_record, code_id),
    offsetof(rf_touch_record, owner_id),    offsetof(rf_touch_record, program_id),
    offsetof(rf_touch_record, visitor_key),
};

static const rf__mem_kind touch_kind = {
    .table = RF__MEM_TOUCHES,
    .noun = "touch",
    .klass = RF_ERRCLASS_REFERRAL,
    .size = sizeof(rf_touch_record),
    .strings = touch_strings,
    .n_strings = sizeof touch_strings / sizeof touch_strings[0],
    .invalid = "memory backend: touch record has no id",
    .n_groupings = 1,
    .groupings = {{NULL, offsetof(rf_touch_record, visitor_key)}},
};

static int mem_touch_insert(rf_backend *backend, const char *practice, const rf_touch_record *record)
{
    return rf__mem_insert(backend, &touch_kind, "touch_insert", practice, record);
}

static int mem_touch_get(rf_backend *backend, const char *practice, const char *id, rf_touch_record *out)
{
    return rf__mem_get(backend, &touch_kind, "touch_get", 0, practice, id, "id", out);
}

static int visit_touch(const rf__mem_scan *s, const void *record)
{
    const rf_touch_record *rec = record;
    const rf_touch_query *q = s->query;
    if (!in_period(rec->at, q->from, q->to)) {
        return RF__MEM_SCAN_SKIP;
    }
    return s->fn.touch(rec, s->payload) != 0 ? RF__MEM_SCAN_STOP : RF__MEM_SCAN_NEXT;
}

static int mem_touch_scan(rf_backend *backend, const char *practice, const rf_touch_query *query,
                          rf_touch_visit_fn visit, void *payload)
{
    static const rf_touch_query all = {NULL, NULL, RF_TIME_UNSET, RF_TIME_UNSET, 0};
    const rf_touch_query *q = query != NULL ? query : &all;
    rf__mem_scan s = {q, q->after_id, q->limit, {q->visitor_key}, visit_touch, {.touch = visit}, payload};
    return rf__mem_scan_table(backend, &touch_kind, "touch_scan", practice, visit != NULL, &s);
}

/* --- referrals -------------------------------------------------------------------------------- */

#define REFERRAL_STRING(field) offsetof(rf_referral_record, field)
static const size_t referral_strings[] = {
    REFERRAL_STRING(id),
    REFERRAL_STRING(program_id),
    REFERRAL_STRING(referrer_id),
    REFERRAL_STRING(referee_id),
    REFERRAL_STRING(target_id),
    REFERRAL_STRING(code_id),
    REFERRAL_STRING(touch_id),
    REFERRAL_STRING(evidence),
    REFERRAL_STRING(reason),
    REFERRAL_STRING(preferred_timing),
    REFERRAL_STRING(practitioner_id),
    REFERRAL_STRING(variant),
    REFERRAL_STRING(documents_required),
    REFERRAL_STRING(documents_received),
    REFERRAL_STRING(attribution_key),
};

_Static_assert(sizeof referral_strings / sizeof referral_strings[0] <= RF__MEM_PACK_MAX_STRINGS,
               "rf__mem_pack copies too few strings for a referral");

/* The referral groupings, in the order of rf__mem_scan.key. */
enum { BY_PROGRAM, BY_REFERRER, BY_REFEREE, BY_TARGET, REFERRAL_GROUPINGS };
_Static_assert(REFERRAL_GROUPINGS <= RF__MEM_MAX_GROUPINGS, "too many referral groupings");

static const char *attribution_key(const void *record)
{
    return ((const rf_referral_record *)record)->attribution_key;
}

static int attribution_taken(const char *practice, const void *record, const void *holder)
{
    return rf__mem_fail(RF_EEXISTS, RF_ERRCLASS_REFERRAL,
                        "attribution key '%.128s' is already held by referral %.40s in practice '%.64s'",
                        attribution_key(record), rf__mem_item_id(holder), practice);
}

static const rf__mem_kind referral_kind = {
    .table = RF__MEM_REFERRALS,
    .noun = "referral",
    .klass = RF_ERRCLASS_REFERRAL,
    .size = sizeof(rf_referral_record),
    .strings = referral_strings,
    .n_strings = sizeof referral_strings / sizeof referral_strings[0],
    .invalid = "memory backend: referral record has no id",
    .key_required = 0,
    .key = attribution_key,
    .key_taken = attribution_taken,
    .n_groupings = REFERRAL_GROUPINGS,
    .groupings =
        {
            [BY_PROGRAM] = {NULL, REFERRAL_STRING(program_id)},
            [BY_REFERRER] = {NULL, REFERRAL_STRING(referrer_id)},
            [BY_REFEREE] = {NULL, REFERRAL_STRING(referee_id)},
            [BY_TARGET] = {NULL, REFERRAL_STRING(target_id)},
        },
};

static int mem_referral_insert(rf_backend *backend, const char *practice, const rf_referral_record *record)
{
    return rf__mem_insert(backend, &referral_kind, "referral_insert", practice, record);
}

static int mem_referral_update(rf_backend *backend, const char *practice, const rf_referral_record *record)
{
    return rf__mem_update(backend, &referral_kind, "referral_update", practice, record);
}

static int mem_referral_get(rf_backend *backend, const char *practice, const char *id,
                            rf_referral_record *out)
{
    return rf__mem_get(backend, &referral_kind, "referral_get", 0, practice, id, "id", out);
}

static int visit_referral(const rf__mem_scan *s, const void *record)
{
    const rf_referral_record *rec = record;
    const rf_referral_query *q = s->query;
    if ((q->direction != 0 && rec->direction != q->direction) ||
        !in_period(rec->reached_at[RF_REFERRAL_RECEIVED], q->received_from, q->received_to)) {
        return RF__MEM_SCAN_SKIP;
    }
    return s->fn.referral(rec, s->payload) != 0 ? RF__MEM_SCAN_STOP : RF__MEM_SCAN_NEXT;
}

static int mem_referral_scan(rf_backend *backend, const char *practice, const rf_referral_query *query,
                             rf_referral_visit_fn visit, void *payload)
{
    static const rf_referral_query all = {
        .received_from = RF_TIME_UNSET,
        .received_to = RF_TIME_UNSET,
    };
    const rf_referral_query *q = query != NULL ? query : &all;
    rf__mem_scan s = {q,
                      q->after_id,
                      q->limit,
                      {
                          [BY_PROGRAM] = q->program_id,
                          [BY_REFERRER] = q->referrer_id,
                          [BY_REFEREE] = q->referee_id,
                          [BY_TARGET] = q->target_id,
                      },
                      visit_referral,
                      {.referral = visit},
                      payload};
    return rf__mem_scan_table(backend, &referral_kind, "referral_scan", practice, visit != NULL, &s);
}

/* --- shared with memory_backend.c ------------------------------------------------------------ */

void rf__mem_referrals_install(rf_backend *backend)
{
    backend->program_insert = mem_program_insert;
    backend->program_update = mem_program_update;
    backend->program_get = mem_program_get;
    backend->program_get_by_name = mem_program_get_by_name;
    backend->program_scan = mem_program_scan;
    backend->touch_insert = mem_touch_insert;
    backend->touch_get = mem_touch_get;
    backend->touch_scan = mem_touch_scan;
    backend->referral_insert = mem_referral_insert;
    backend->referral_update = mem_referral_update;
    backend->referral_get = mem_referral_get;
    backend->referral_scan = mem_referral_scan;
}
