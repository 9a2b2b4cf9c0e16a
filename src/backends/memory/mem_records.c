/* The memory backend's parties and codes: unique keys in hash maps, ids in ordered vectors for
 * keyset scans, and groups for the secondary keys scans filter on (contact keys, owners).
 *
 * A stored record is one block (struct then strings) that is never changed in place: an update
 * stores a new block and the undo log keeps the old one, so undo is a matter of swapping
 * pointers back, and strings handed out stay valid until the outermost commit. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <referral.h>
#include <referral/sys/backend.h>

#include "mem_internal.h"

/* The ordered vectors read a record's id as its first member. */
_Static_assert(offsetof(rf_party_record, id) == 0, "rf_party_record.id must come first");
_Static_assert(offsetof(rf_code_record, id) == 0, "rf_code_record.id must come first");

static int same_str(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int bad_call(const char *member)
{
    return rf__mem_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                        "memory backend: %s needs a practice, a key and an output record", member);
}

/* Point the entry for @key at @to; the slot borrows @to's own copy of the key from now on. */
static void map_repoint(rf__mem_map *m, const char *key, void *to, const char *to_key)
{
    rf__mem_slot *slot = rf__mem_map_find(m, key, rf__mem_hash(key));
    slot->key = to_key;
    slot->value = to;
}

/* Move a unique key from @from's value to @to's (either may be NULL); room was reserved. */
static void map_move(rf__mem_map *m, const char *from_key, const char *to_key, void *to)
{
    if (from_key != NULL && to_key != NULL && strcmp(from_key, to_key) == 0) {
        map_repoint(m, from_key, to, to_key);
        return;
    }
    if (from_key != NULL) {
        rf__mem_map_remove(m, rf__mem_map_find(m, from_key, rf__mem_hash(from_key)));
    }
    if (to_key != NULL) {
        rf__mem_map_put(m, to_key, rf__mem_hash(to_key), to);
    }
}

/* Move group membership from @from to @to, which hold the keys @fk[nf] and @tk[nt]. */
static void groups_move(rf__mem_groups *g, const char *const *fk, size_t nf, void *from,
                        const char *const *tk, size_t nt, void *to)
{
    for (size_t i = 0; i < nf; i++) {
        int kept = 0;
        for (size_t j = 0; j < nt; j++) {
            kept |= strcmp(fk[i], tk[j]) == 0;
        }
        if (kept) {
            rf__mem_groups_replace(g, fk[i], from, to);
        } else {
            rf__mem_groups_remove(g, fk[i], from);
        }
    }
    for (size_t j = 0; j < nt; j++) {
        int had = 0;
        for (size_t i = 0; i < nf; i++) {
            had |= strcmp(fk[i], tk[j]) == 0;
        }
        if (!had) {
            rf__mem_groups_add(g, tk[j], to);
        }
    }
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

/* The distinct contact keys a party is found under. */
static size_t party_contacts(const rf_party_record *r, const char *keys[2])
{
    size_t n = 0;
    if (r->email_key != NULL) {
        keys[n++] = r->email_key;
    }
    if (r->phone_key != NULL && !same_str(r->phone_key, r->email_key)) {
        keys[n++] = r->phone_key;
    }
    return n;
}

static void party_link(rf__mem_practice *p, rf_party_record *rec)
{
    rf__mem_map_put(&p->party_by_id, rec->id, rf__mem_hash(rec->id), rec);
    map_move(&p->party_by_external, NULL, rec->external_id, rec);
    rf__mem_vec_insert(&p->parties, rec);
    const char *keys[2];
    size_t n = party_contacts(rec, keys);
    groups_move(&p->party_by_contact, NULL, 0, NULL, keys, n, rec);
}

static void party_unlink(rf__mem_practice *p, rf_party_record *rec)
{
    rf__mem_map_remove(&p->party_by_id, rf__mem_map_find(&p->party_by_id, rec->id, rf__mem_hash(rec->id)));
    map_move(&p->party_by_external, rec->external_id, NULL, NULL);
    rf__mem_vec_remove(&p->parties, rec);
    const char *keys[2];
    size_t n = party_contacts(rec, keys);
    groups_move(&p->party_by_contact, keys, n, rec, NULL, 0, NULL);
}

/* Swap @to in for @from (same id) everywhere; serves both update and its undo. */
static void party_relink(rf__mem_practice *p, rf_party_record *from, rf_party_record *to)
{
    map_repoint(&p->party_by_id, from->id, to, to->id);
    map_move(&p->party_by_external, from->external_id, to->external_id, to);
    rf__mem_vec_replace(&p->parties, from, to);
    const char *fk[2];
    const char *tk[2];
    size_t nf = party_contacts(from, fk);
    size_t nt = party_contacts(to, tk);
    groups_move(&p->party_by_contact, fk, nf, from, tk, nt, to);
}

/* Everything a party write may need, reserved before anything changes. */
static int party_prepare(rf__mem_practice *p, const rf_party_record *rec, int insert)
{
    const char *keys[2];
    size_t n = party_contacts(rec, keys);
    if (rf__mem_map_reserve(&p->party_by_id, insert ? 1 : 0) != 0 ||
        rf__mem_map_reserve(&p->party_by_external, 1) != 0 || rf__mem_vec_reserve(&p->parties, 1) != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (rf__mem_groups_prepare(&p->party_by_contact, keys[i]) != 0) {
            return -1;
        }
    }
    return 0;
}

static int external_taken(const rf__mem_practice *p, const char *practice, const rf_party_record *record)
{
    const rf_party_record *owner =
        record->external_id != NULL ? rf__mem_map_get(&p->party_by_external, record->external_id) : NULL;
    if (owner == NULL || strcmp(owner->id, record->id) == 0) {
        return RF_OK;
    }
    return rf__mem_fail(RF_EEXISTS, RF_ERRCLASS_PARTY,
                        "external id '%.128s' already belongs to party %.40s in practice '%.64s'",
                        record->external_id, owner->id, practice);
}

static int mem_party_insert(rf_backend *backend, const char *practice, const rf_party_record *record)
{
    rf__mem_backend *b = (rf__mem_backend *)backend;
    rf__mem_practice *p;
    int rc = rf__mem_write_begin(b, "party_insert", practice, record, &p);
    if (rc != RF_OK) {
        return rc;
    }
    if (record->id == NULL) {
        return rf__mem_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND, "memory backend: party record has no id");
    }
    if (rf__mem_map_get(&p->party_by_id, record->id) != NULL) {
        return rf__mem_fail(RF_EEXISTS, RF_ERRCLASS_PARTY, "party %.40s already exists in practice '%.64s'",
                            record->id, practice);
    }
    if ((rc = external_taken(p, practice, record)) != RF_OK) {
        return rc;
    }
    rf_party_record *rec = NULL;
    if (party_prepare(p, record, 1) != 0 ||
        (rec = rf__mem_pack(record, sizeof *record, party_strings, sizeof party_strings / sizeof(size_t))) ==
            NULL) {
        return rf__mem_oom();
    }
    party_link(p, rec);
    rf__mem_undo_push(b, RF__MEM_PARTY_INSERT, p, rec, NULL);
    return RF_OK;
}

static int mem_party_update(rf_backend *backend, const char *practice, const rf_party_record *record)
{
    rf__mem_backend *b = (rf__mem_backend *)backend;
    rf__mem_practice *p;
    int rc = rf__mem_write_begin(b, "party_update", practice, record, &p);
    if (rc != RF_OK) {
        return rc;
    }
    rf_party_record *old = record->id != NULL ? rf__mem_map_get(&p->party_by_id, record->id) : NULL;
    if (old == NULL) {
        return rf__mem_fail(RF_ENOTFOUND, RF_ERRCLASS_PARTY, "party %.40s does not exist in practice '%.64s'",
                            record->id != NULL ? record->id : "(no id)", practice);
    }
    if ((rc = external_taken(p, practice, record)) != RF_OK) {
        return rc;
    }
    rf_party_record *rec = NULL;
    if (party_prepare(p, record, 0) != 0 ||
        (rec = rf__mem_pack(record, sizeof *record, party_strings, sizeof party_strings / sizeof(size_t))) ==
            NULL) {
        return rf__mem_oom();
    }
    party_relink(p, old, rec);
    rf__mem_undo_push(b, RF__MEM_PARTY_UPDATE, p, rec, old);
    return RF_OK;
}

static int party_found(const rf_party_record *rec, rf_party_record *out, const char *what, const char *value,
                       const char *practice)
{
    if (rec == NULL) {
        memset(out, 0, sizeof *out);
        return rf__mem_fail(RF_ENOTFOUND, RF_ERRCLASS_PARTY, "no party with %s '%.128s' in practice '%.64s'",
                            what, value, practice);
    }
    *out = *rec;
    return RF_OK;
}

static int mem_party_get(rf_backend *backend, const char *practice, const char *id, rf_party_record *out)
{
    if (practice == NULL || id == NULL || out == NULL) {
        return bad_call("party_get");
    }
    rf__mem_practice *p = rf__mem_practice_find((rf__mem_backend *)backend, practice);
    return party_found(p != NULL ? rf__mem_map_get(&p->party_by_id, id) : NULL, out, "id", id, practice);
}

static int mem_party_get_by_external(rf_backend *backend, const char *practice, const char *external_id,
                                     rf_party_record *out)
{
    if (practice == NULL || external_id == NULL || out == NULL) {
        return bad_call("party_get_by_external");
    }
    rf__mem_practice *p = rf__mem_practice_find((rf__mem_backend *)backend, practice);
    return party_found(p != NULL ? rf__mem_map_get(&p->party_by_external, external_id) : NULL, out,
                       "external id", external_id, practice);
}

static int mem_party_scan(rf_backend *backend, const char *practice, const rf_party_query *query,
                          rf_party_visit_fn visit, void *payload)
{
    if (practice == NULL || visit == NULL) {
        return rf__mem_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                            "memory backend: party_scan needs a practice and a callback");
    }
    rf_party_query all = {NULL, 0, NULL, 0};
    const rf_party_query *q = query != NULL ? query : &all;
    rf__mem_practice *p = rf__mem_practice_find((rf__mem_backend *)backend, practice);
    if (p == NULL) {
        return RF_OK;
    }
    const rf__mem_vec *v = &p->parties;
    if (q->contact_key != NULL) {
        const rf__mem_group *group = rf__mem_groups_find(&p->party_by_contact, q->contact_key);
        if (group == NULL) {
            return RF_OK;
        }
        v = &group->members;
    }
    unsigned int seen = 0;
    /* Indexing afresh each time round keeps the walk memory-safe should a callback insert. */
    for (size_t i = rf__mem_vec_after(v, q->after_id); i < v->len && (q->limit == 0 || seen < q->limit);
         i++) {
        const rf_party_record *rec = v->items[i];
        if (q->kind != 0 && rec->kind != q->kind) {
            continue;
        }
        seen++;
        if (visit(rec, payload) != 0) {
            break;
        }
    }
    return RF_OK;
}

/* --- codes ------------------------------------------------------------------------------------ */

static const size_t code_strings[] = {
    offsetof(rf_code_record, id),         offsetof(rf_code_record, key),
    offsetof(rf_code_record, text),       offsetof(rf_code_record, owner_id),
    offsetof(rf_code_record, program_id), offsetof(rf_code_record, revoke_reason),
};

static size_t code_owners(const rf_code_record *r, const char *keys[1])
{
    keys[0] = r->owner_id;
    return r->owner_id != NULL ? 1 : 0;
}

static void code_link(rf__mem_practice *p, rf_code_record *rec)
{
    rf__mem_map_put(&p->code_by_id, rec->id, rf__mem_hash(rec->id), rec);
    rf__mem_map_put(&p->code_by_key, rec->key, rf__mem_hash(rec->key), rec);
    rf__mem_vec_insert(&p->codes, rec);
    const char *owner[1];
    size_t n = code_owners(rec, owner);
    groups_move(&p->code_by_owner, NULL, 0, NULL, owner, n, rec);
}

static void code_unlink(rf__mem_practice *p, rf_code_record *rec)
{
    rf__mem_map_remove(&p->code_by_id, rf__mem_map_find(&p->code_by_id, rec->id, rf__mem_hash(rec->id)));
    rf__mem_map_remove(&p->code_by_key, rf__mem_map_find(&p->code_by_key, rec->key, rf__mem_hash(rec->key)));
    rf__mem_vec_remove(&p->codes, rec);
    const char *owner[1];
    size_t n = code_owners(rec, owner);
    groups_move(&p->code_by_owner, owner, n, rec, NULL, 0, NULL);
}

static void code_relink(rf__mem_practice *p, rf_code_record *from, rf_code_record *to)
{
    map_repoint(&p->code_by_id, from->id, to, to->id);
    map_move(&p->code_by_key, from->key, to->key, to);
    rf__mem_vec_replace(&p->codes, from, to);
    const char *fo[1];
    const char *to_owner[1];
    size_t nf = code_owners(from, fo);
    size_t nt = code_owners(to, to_owner);
    groups_move(&p->code_by_owner, fo, nf, from, to_owner, nt, to);
}

static int code_prepare(rf__mem_practice *p, const rf_code_record *rec, int insert)
{
    if (rf__mem_map_reserve(&p->code_by_id, insert ? 1 : 0) != 0 ||
        rf__mem_map_reserve(&p->code_by_key, 1) != 0 || rf__mem_vec_reserve(&p->codes, 1) != 0) {
        return -1;
    }
    return rec->owner_id != NULL ? rf__mem_groups_prepare(&p->code_by_owner, rec->owner_id) : 0;
}

static int check_code(const rf__mem_practice *p, const char *practice, const rf_code_record *record)
{
    if (record->id == NULL || record->key == NULL) {
        return rf__mem_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                            "memory backend: code record needs an id and a key");
    }
    const rf_code_record *holder = rf__mem_map_get(&p->code_by_key, record->key);
    if (holder != NULL && strcmp(holder->id, record->id) != 0) {
        return rf__mem_fail(RF_EEXISTS, RF_ERRCLASS_CODE, "code '%.64s' is already taken in practice '%.64s'",
                            holder->text != NULL ? holder->text : record->key, practice);
    }
    return RF_OK;
}

static int mem_code_insert(rf_backend *backend, const char *practice, const rf_code_record *record)
{
    rf__mem_backend *b = (rf__mem_backend *)backend;
    rf__mem_practice *p;
    int rc = rf__mem_write_begin(b, "code_insert", practice, record, &p);
    if (rc != RF_OK) {
        return rc;
    }
    if (record->id != NULL && rf__mem_map_get(&p->code_by_id, record->id) != NULL) {
        return rf__mem_fail(RF_EEXISTS, RF_ERRCLASS_CODE, "code %.40s already exists in practice '%.64s'",
                            record->id, practice);
    }
    if ((rc = check_code(p, practice, record)) != RF_OK) {
        return rc;
    }
    rf_code_record *rec = NULL;
    if (code_prepare(p, record, 1) != 0 ||
        (rec = rf__mem_pack(record, sizeof *record, code_strings, sizeof code_strings / sizeof(size_t))) ==
            NULL) {
        return rf__mem_oom();
    }
    code_link(p, rec);
    rf__mem_undo_push(b, RF__MEM_CODE_INSERT, p, rec, NULL);
    return RF_OK;
}

static int mem_code_update(rf_backend *backend, const char *practice, const rf_code_record *record)
{
    rf__mem_backend *b = (rf__mem_backend *)backend;
    rf__mem_practice *p;
    int rc = rf__mem_write_begin(b, "code_update", practice, record, &p);
    if (rc != RF_OK) {
        return rc;
    }
    rf_code_record *old = record->id != NULL ? rf__mem_map_get(&p->code_by_id, record->id) : NULL;
    if (old == NULL) {
        return rf__mem_fail(RF_ENOTFOUND, RF_ERRCLASS_CODE, "code %.40s does not exist in practice '%.64s'",
                            record->id != NULL ? record->id : "(no id)", practice);
    }
    if ((rc = check_code(p, practice, record)) != RF_OK) {
        return rc;
    }
    rf_code_record *rec = NULL;
    if (code_prepare(p, record, 0) != 0 ||
        (rec = rf__mem_pack(record, sizeof *record, code_strings, sizeof code_strings / sizeof(size_t))) ==
            NULL) {
        return rf__mem_oom();
    }
    code_relink(p, old, rec);
    rf__mem_undo_push(b, RF__MEM_CODE_UPDATE, p, rec, old);
    return RF_OK;
}

static int code_found(const rf_code_record *rec, rf_code_record *out, const char *what, const char *value,
                      const char *practice)
{
    if (rec == NULL) {
        memset(out, 0, sizeof *out);
        return rf__mem_fail(RF_ENOTFOUND, RF_ERRCLASS_CODE, "no code with %s '%.128s' in practice '%.64s'",
                            what, value, practice);
    }
    *out = *rec;
    return RF_OK;
}

static int mem_code_get(rf_backend *backend, const char *practice, const char *id, rf_code_record *out)
{
    if (practice == NULL || id == NULL || out == NULL) {
        return bad_call("code_get");
    }
    rf__mem_practice *p = rf__mem_practice_find((rf__mem_backend *)backend, practice);
    return code_found(p != NULL ? rf__mem_map_get(&p->code_by_id, id) : NULL, out, "id", id, practice);
}

static int mem_code_get_by_key(rf_backend *backend, const char *practice, const char *key,
                               rf_code_record *out)
{
    if (practice == NULL || key == NULL || out == NULL) {
        return bad_call("code_get_by_key");
    }
    rf__mem_practice *p = rf__mem_practice_find((rf__mem_backend *)backend, practice);
    return code_found(p != NULL ? rf__mem_map_get(&p->code_by_key, key) : NULL, out, "key", key, practice);
}

static int mem_code_scan(rf_backend *backend, const char *practice, const rf_code_query *query,
                         rf_code_visit_fn visit, void *payload)
{
    if (practice == NULL || visit == NULL) {
        return rf__mem_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                            "memory backend: code_scan needs a practice and a callback");
    }
    rf_code_query all = {NULL, NULL, 0};
    const rf_code_query *q = query != NULL ? query : &all;
    rf__mem_practice *p = rf__mem_practice_find((rf__mem_backend *)backend, practice);
    if (p == NULL) {
        return RF_OK;
    }
    const rf__mem_vec *v = &p->codes;
    if (q->owner_id != NULL) {
        const rf__mem_group *group = rf__mem_groups_find(&p->code_by_owner, q->owner_id);
        if (group == NULL) {
            return RF_OK;
        }
        v = &group->members;
    }
    unsigned int seen = 0;
    for (size_t i = rf__mem_vec_after(v, q->after_id); i < v->len && (q->limit == 0 || seen < q->limit);
         i++, seen++) {
        if (visit(v->items[i], payload) != 0) {
            break;
        }
    }
    return RF_OK;
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

void rf__mem_records_undo(const rf__mem_undo *u)
{
    switch (u->op) {
    case RF__MEM_PARTY_INSERT: party_unlink(u->practice, u->record); break;
    case RF__MEM_PARTY_UPDATE: party_relink(u->practice, u->record, u->previous); break;
    case RF__MEM_CODE_INSERT: code_unlink(u->practice, u->record); break;
    case RF__MEM_CODE_UPDATE: code_relink(u->practice, u->record, u->previous); break;
    default: return;
    }
    free(u->record);
}

void rf__mem_records_free(rf__mem_practice *p)
{
    for (size_t i = 0; i < p->parties.len; i++) {
        free(p->parties.items[i]);
    }
    for (size_t i = 0; i < p->codes.len; i++) {
        free(p->codes.items[i]);
    }
    rf__mem_map_free(&p->party_by_id);
    rf__mem_map_free(&p->party_by_external);
    rf__mem_vec_free(&p->parties);
    rf__mem_groups_free(&p->party_by_contact);
    rf__mem_map_free(&p->code_by_id);
    rf__mem_map_free(&p->code_by_key);
    rf__mem_vec_free(&p->codes);
    rf__mem_groups_free(&p->code_by_owner);
}
