/* The memory backend's parties and codes: two record types described for mem_table.c. A party
 * is found by its external id and grouped by its contact keys, a code by its folded key and
 * grouped by its owner. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <referral.h>
#include <referral/sys/backend.h>

#include "mem_internal.h"

/* The shared table code reads a record's id as its first member. */
_Static_assert(offsetof(rf_party_record, id) == 0, "rf_party_record.id must come first");
_Static_assert(offsetof(rf_code_record, id) == 0, "rf_code_record.id must come first");

static int same_str(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* --- parties ---------------------------------------------------------------------------------- */

static const size_t party_strings[] = {
    offsetof(rf_party_record, id),
    offsetof(rf_party_record, external_id),
    offsetof(rf_party_record, display_name),
    offsetof(rf_party_record, email),
    offsetof(rf_party_record, phone),
    offsetof(rf_party_record, email_key),
    offsetof(rf_party_record, phone_key),
    offsetof(rf_party_record, segment),
    offsetof(rf_party_record, practitioner_id),
    offsetof(rf_party_record, intake_detail),
};

static const char *party_external_id(const void *record)
{
    return ((const rf_party_record *)record)->external_id;
}

static int external_id_taken(const char *practice, const void *record, const void *holder)
{
    const rf_party_record *r = record;
    return rf__mem_fail(RF_EEXISTS, RF_ERRCLASS_PARTY,
                        "external id '%.128s' already belongs to party %.40s in practice '%.64s'",
                        r->external_id, rf__mem_item_id(holder), practice);
}

/* The distinct contact keys a party is found under. */
static size_t party_contacts(const void *record, const char *keys[RF__MEM_MAX_GROUP_KEYS])
{
    const rf_party_record *r = record;
    size_t n = 0;
    if (r->email_key != NULL) {
        keys[n++] = r->email_key;
    }
    if (r->phone_key != NULL && !same_str(r->phone_key, r->email_key)) {
        keys[n++] = r->phone_key;
    }
    return n;
}

static const rf__mem_kind party_kind = {
    .table = RF__MEM_PARTIES,
    .noun = "party",
    .klass = RF_ERRCLASS_PARTY,
    .size = sizeof(rf_party_record),
    .strings = party_strings,
    .n_strings = sizeof party_strings / sizeof party_strings[0],
    .invalid = "memory backend: party record has no id",
    .key_required = 0,
    .key = party_external_id,
    .key_taken = external_id_taken,
    .n_groupings = 1,
    .groupings = {{party_contacts, 0}},
};

static int mem_party_insert(rf_backend *backend, const char *practice, const rf_party_record *record)
{
    return rf__mem_insert(backend, &party_kind, "party_insert", practice, record);
}

static int mem_party_update(rf_backend *backend, const char *practice, const rf_party_record *record)
{
    return rf__mem_update(backend, &party_kind, "party_update", practice, record);
}

static int mem_party_get(rf_backend *backend, const char *practice, const char *id, rf_party_record *out)
{
    return rf__mem_get(backend, &party_kind, "party_get", 0, practice, id, "id", out);
}

static int mem_party_get_by_external(rf_backend *backend, const char *practice, const char *external_id,
                                     rf_party_record *out)
{
    return rf__mem_get(backend, &party_kind, "party_get_by_external", 1, practice, external_id, "external id",
                       out);
}

static int visit_party(const rf__mem_scan *s, const void *record)
{
    const rf_party_record *rec = record;
    const rf_party_query *q = s->query;
    if (q->kind != 0 && rec->kind != q->kind) {
        return RF__MEM_SCAN_SKIP;
    }
    return s->fn.party(rec, s->payload) != 0 ? RF__MEM_SCAN_STOP : RF__MEM_SCAN_NEXT;
}

static int mem_party_scan(rf_backend *backend, const char *practice, const rf_party_query *query,
                          rf_party_visit_fn visit, void *payload)
{
    static const rf_party_query all = {NULL, 0, NULL, 0};
    const rf_party_query *q = query != NULL ? query : &all;
    rf__mem_scan s = {q, q->after_id, q->limit, {q->contact_key}, visit_party, {.party = visit}, payload};
    return rf__mem_scan_table(backend, &party_kind, "party_scan", practice, visit != NULL, &s);
}

/* --- codes ------------------------------------------------------------------------------------ */

static const size_t code_strings[] = {
    offsetof(rf_code_record, id),         offsetof(rf_code_record, key),
    offsetof(rf_code_record, text),       offsetof(rf_code_record, owner_id),
    offsetof(rf_code_record, program_id), offsetof(rf_code_record, revoke_reason),
};

static const char *code_key(const void *record)
{
    return ((const rf_code_record *)record)->key;
}

static int code_key_taken(const char *practice, const void *record, const void *holder)
{
    const rf_code_record *h = holder;
    return rf__mem_fail(RF_EEXISTS, RF_ERRCLASS_CODE, "code '%.64s' is already taken in practice '%.64s'",
                        h->text != NULL ? h->text : code_key(record), practice);
}

static const rf__mem_kind code_kind = {
    .table = RF__MEM_CODES,
    .noun = "code",
    .klass = RF_ERRCLASS_CODE,
    .size = sizeof(rf_code_record),
    .strings = code_strings,
    .n_strings = sizeof code_strings / sizeof code_strings[0],
    .invalid = "memory backend: code record needs an id and a key",
    .key_required = 1,
    .key = code_key,
    .key_taken = code_key_taken,
    .n_groupings = 1,
    .groupings = {{NULL, offsetof(rf_code_record, owner_id)}},
};

static int mem_code_insert(rf_backend *backend, const char *practice, const rf_code_record *record)
{
    return rf__mem_insert(backend, &code_kind, "code_insert", practice, record);
}

static int mem_code_update(rf_backend *backend, const char *practice, const rf_code_record *record)
{
    return rf__mem_update(backend, &code_kind, "code_update", practice, record);
}

static int mem_code_get(rf_backend *backend, const char *practice, const char *id, rf_code_record *out)
{
    return rf__mem_get(backend, &code_kind, "code_get", 0, practice, id, "id", out);
}

static int mem_code_get_by_key(rf_backend *backend, const char *practice, const char *key,
                               rf_code_record *out)
{
    return rf__mem_get(backend, &code_kind, "code_get_by_key", 1, practice, key, "key", out);
}

static int visit_code(const rf__mem_scan *s, const void *record)
{
    return s->fn.code(record, s->payload) != 0 ? RF__MEM_SCAN_STOP : RF__MEM_SCAN_NEXT;
}

static int mem_code_scan(rf_backend *backend, const char *practice, const rf_code_query *query,
                         rf_code_visit_fn visit, void *payload)
{
    static const rf_code_query all = {NULL, NULL, 0};
    const rf_code_query *q = query != NULL ? query : &all;
    rf__mem_scan s = {q, q->after_id, q->limit, {q->owner_id}, visit_code, {.code = visit}, payload};
    return rf__mem_scan_table(backend, &code_kind, "code_scan", practice, visit != NULL, &s);
}

/* --- shared with memory_backend.c ------------------------------------------------------------ */

void rf__mem_records_install(rf_backend *backend)
{
    backend->party_insert = mem_party_insert;
    backend->party_update = mem_party_update;
    backend->party_get = mem_party_get;
    backend->party_get_by_external = mem_party_get_by_external;
    backend->code_insert = mem_code_insert;
    backend->code_update = mem_code_update;
    backend->code_get = mem_code_get;
    backend->code_get_by_key = mem_code_get_by_key;
    backend->party_scan = mem_party_scan;
    backend->code_scan = mem_code_scan;
}
