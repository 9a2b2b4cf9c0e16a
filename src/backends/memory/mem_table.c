/* The memory backend's tables: what every record type shares. A type is a descriptor
 * (rf__mem_kind); this file stores, finds and scans records of any type by it.
 *
 * Each type's records live in a table: unique keys in hash maps, ids in an ordered vector for
 * keyset scans, and per grouping (the secondary keys scans filter on: a party's contact keys, a
 * code's owner, a referral's referrer, ...) groups that hold their members in id order.
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

const char *rf__mem_int_key(int value)
{
    /* Group keys must outlive the records holding them: static strings do. */
    static const char *const keys[] = {
        "0",  "1",  "2",  "3",  "4",  "5",  "6",  "7",  "8",  "9",  "10", "11", "12", "13", "14", "15",
        "16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31",
        "32", "33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46", "47",
        "48", "49", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59", "60", "61", "62", "63",
    };
    return value >= 0 && value < (int)(sizeof keys / sizeof keys[0]) ? keys[value] : "other";
}

/* These three take NULL for "no record" and then give no key. */
static const char *id_of(const void *rec)
{
    return rec != NULL ? rf__mem_item_id(rec) : NULL;
}

static const char *unique_key(const rf__mem_kind *k, const void *rec)
{
    return rec != NULL && k->key != NULL ? k->key(rec) : NULL;
}

/* The keys @rec holds in grouping @g. */
static size_t group_keys(const rf__mem_kind *k, size_t g, const void *rec,
                         const char *keys[RF__MEM_MAX_GROUP_KEYS])
{
    if (rec == NULL) {
        return 0;
    }
    const rf__mem_grouping *grouping = &k->groupings[g];
    if (grouping->keys != NULL) {
        return grouping->keys(rec, keys);
    }
    memcpy(&keys[0], (const char *)rec + grouping->field, sizeof keys[0]);
    return keys[0] != NULL ? 1 : 0;
}

/* Put @to where @from is in every index of @t (same id): @from NULL adds @to, @to NULL removes
 * @from. Room was reserved, so this never fails; it serves writes and their undo alike. */
static void relink(rf__mem_table *t, const rf__mem_kind *k, void *from, void *to)
{
    map_move(&t->by_id, id_of(from), id_of(to), to);
    map_move(&t->by_key, unique_key(k, from), unique_key(k, to), to);
    if (from == NULL) {
        rf__mem_vec_insert(&t->all, to);
    } else if (to == NULL) {
        rf__mem_vec_remove(&t->all, from);
    } else {
        rf__mem_vec_replace(&t->all, from, to);
    }
    for (size_t g = 0; g < k->n_groupings; g++) {
        const char *fk[RF__MEM_MAX_GROUP_KEYS];
        const char *tk[RF__MEM_MAX_GROUP_KEYS];
        size_t nf = group_keys(k, g, from, fk);
        size_t nt = group_keys(k, g, to, tk);
        groups_move(&t->groups[g], fk, nf, from, tk, nt, to);
    }
}

/* Whether @rec holds @key in grouping @g. */
static int holds(const rf__mem_kind *k, size_t g, const void *rec, const char *key)
{
    const char *keys[RF__MEM_MAX_GROUP_KEYS];
    size_t n = group_keys(k, g, rec, keys);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(keys[i], key) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Everything a write of @rec in place of @previous (NULL: an insert) may need, reserved before
 * anything changes. A group key @previous holds too needs no room: the record stays a member. */
static int prepare(rf__mem_table *t, const rf__mem_kind *k, const void *rec, const void *previous)
{
    if (rf__mem_map_reserve(&t->by_id, previous == NULL ? 1 : 0) != 0 ||
        (k->key != NULL && rf__mem_map_reserve(&t->by_key, 1) != 0) || rf__mem_vec_reserve(&t->all, 1) != 0) {
        return -1;
    }
    for (size_t g = 0; g < k->n_groupings; g++) {
        const char *keys[RF__MEM_MAX_GROUP_KEYS];
        size_t n = group_keys(k, g, rec, keys);
        for (size_t i = 0; i < n; i++) {
            if ((previous == NULL || !holds(k, g, previous, keys[i])) &&
                rf__mem_groups_prepare(&t->groups[g], keys[i]) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

/* Refuse @record when another record holds its unique key (or it lacks a required one);
 * @previous is the record it replaces, or NULL. */
static int check_key(const rf__mem_table *t, const rf__mem_kind *k, const char *practice, const void *record,
                     const void *previous)
{
    const char *key = unique_key(k, record);
    if (key == NULL) {
        return k->key_required ? rf__mem_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND, "%s", k->invalid) : RF_OK;
    }
    const char *kept = unique_key(k, previous);
    if (kept != NULL && strcmp(kept, key) == 0) {
        return RF_OK; /* its own key (the common update): nobody else can hold it */
    }
    const void *holder = rf__mem_map_get(&t->by_key, key);
    if (holder == NULL || strcmp(rf__mem_item_id(holder), rf__mem_item_id(record)) == 0) {
        return RF_OK;
    }
    return k->key_taken(practice, record, holder);
}

/* Store a copy of @record in place of @previous (NULL: as a new record) and log the write. */
static int store(rf__mem_backend *b, rf__mem_practice *p, const rf__mem_kind *k, const void *record,
                 void *previous)
{
    rf__mem_table *t = &p->tables[k->table];
    void *rec = NULL;
    if (prepare(t, k, record, previous) != 0 ||
        (rec = rf__mem_pack(record, k->size, k->strings, k->n_strings)) == NULL) {
        return rf__mem_oom();
    }
    relink(t, k, previous, rec);
    rf__mem_op op = previous == NULL ? RF__MEM_RECORD_INSERT : RF__MEM_RECORD_UPDATE;
    rf__mem_undo_push(b, op, p, rec, previous)->kind = k;
    return RF_OK;
}

int rf__mem_insert(rf_backend *backend, const rf__mem_kind *k, const char *member, const char *practice,
                   const void *record)
{
    rf__mem_backend *b = (rf__mem_backend *)backend;
    rf__mem_practice *p;
    int rc = rf__mem_write_begin(b, member, practice, record, &p);
    if (rc != RF_OK) {
        return rc;
    }
    const char *id = rf__mem_item_id(record);
    if (id == NULL) {
        return rf__mem_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND, "%s", k->invalid);
    }
    if (rf__mem_map_get(&p->tables[k->table].by_id, id) != NULL) {
        return rf__mem_fail(RF_EEXISTS, k->klass, "%s %.40s already exists in practice '%.64s'", k->noun, id,
                            practice);
    }
    if ((rc = check_key(&p->tables[k->table], k, practice, record, NULL)) != RF_OK ||
        (k->check != NULL && (rc = k->check(&p->tables[k->table], practice, record, NULL)) != RF_OK)) {
        return rc;
    }
    return store(b, p, k, record, NULL);
}

int rf__mem_update(rf_backend *backend, const rf__mem_kind *k, const char *member, const char *practice,
                   const void *record)
{
    rf__mem_backend *b = (rf__mem_backend *)backend;
    rf__mem_practice *p;
    int rc = rf__mem_write_begin(b, member, practice, record, &p);
    if (rc != RF_OK) {
        return rc;
    }
    const char *id = rf__mem_item_id(record);
    void *old = id != NULL ? rf__mem_map_get(&p->tables[k->table].by_id, id) : NULL;
    if (old == NULL) {
        return rf__mem_fail(RF_ENOTFOUND, k->klass, "%s %.40s does not exist in practice '%.64s'", k->noun,
                            id != NULL ? id : "(no id)", practice);
    }
    if ((rc = check_key(&p->tables[k->table], k, practice, record, old)) != RF_OK ||
        (k->check != NULL && (rc = k->check(&p->tables[k->table], practice, record, old)) != RF_OK)) {
        return rc;
    }
    return store(b, p, k, record, old);
}

int rf__mem_get(rf_backend *backend, const rf__mem_kind *k, const char *member, int by_key,
                const char *practice, const char *value, const char *field, void *out)
{
    if (practice == NULL || value == NULL || out == NULL) {
        return bad_call(member);
    }
    const rf__mem_practice *p = rf__mem_practice_find((rf__mem_backend *)backend, practice);
    const rf__mem_table *t = p != NULL ? &p->tables[k->table] : NULL;
    const void *rec = t != NULL ? rf__mem_map_get(by_key ? &t->by_key : &t->by_id, value) : NULL;
    if (rec == NULL) {
        memset(out, 0, k->size);
        return rf__mem_fail(RF_ENOTFOUND, k->klass, "no %s with %s '%.128s' in practice '%.64s'", k->noun,
                            field, value, practice);
    }
    memcpy(out, rec, k->size);
    return RF_OK;
}

/* --- scans ------------------------------------------------------------------------------------ */

int rf__mem_scan_table(rf_backend *backend, const rf__mem_kind *k, const char *member, const char *practice,
                       int have_callback, const rf__mem_scan *s)
{
    if (practice == NULL || !have_callback) {
        return rf__mem_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                            "memory backend: %s needs a practice and a callback", member);
    }
    rf__mem_practice *p = rf__mem_practice_find((rf__mem_backend *)backend, practice);
    if (p == NULL) {
        return RF_OK;
    }
    const rf__mem_table *t = &p->tables[k->table];
    /* Walk the smallest group asked for (none of them: every record); a key nobody holds
     * means there is nothing to visit. */
    const rf__mem_vec *v = &t->all;
    size_t walked = RF__MEM_MAX_GROUPINGS;
    for (size_t g = 0; g < k->n_groupings; g++) {
        if (s->key[g] == NULL) {
            continue;
        }
        const rf__mem_group *group = rf__mem_groups_find(&t->groups[g], s->key[g]);
        if (group == NULL || group->members.len == 0) {
            return RF_OK;
        }
        if (walked == RF__MEM_MAX_GROUPINGS || group->members.len < v->len) {
            v = &group->members;
            walked = g;
        }
    }
    unsigned int seen = 0;
    /* Indexing afresh each time round keeps the walk memory-safe should a callback insert. */
    for (size_t i = rf__mem_vec_after(v, s->after_id); i < v->len && (s->limit == 0 || seen < s->limit);
         i++) {
        const void *rec = v->items[i];
        int match = 1;
        for (size_t g = 0; g < k->n_groupings && match; g++) {
            match = g == walked || s->key[g] == NULL || holds(k, g, rec, s->key[g]);
        }
        int next = match ? s->visit(s, rec) : RF__MEM_SCAN_SKIP;
        if (next == RF__MEM_SCAN_SKIP) {
            continue;
        }
        seen++;
        if (next == RF__MEM_SCAN_STOP) {
            break;
        }
    }
    return RF_OK;
}

/* --- undo and free ---------------------------------------------------------------------------- */

void rf__mem_records_undo(const rf__mem_undo *u)
{
    rf__mem_table *t = &u->practice->tables[u->kind->table];
    switch (u->op) {
    case RF__MEM_RECORD_INSERT: relink(t, u->kind, u->record, NULL); break;
    case RF__MEM_RECORD_UPDATE: relink(t, u->kind, u->record, u->previous); break;
    default: return;
    }
    free(u->record);
}

void rf__mem_records_trim(const rf__mem_undo *u)
{
    if (u->op == RF__MEM_RECORD_INSERT || u->op == RF__MEM_RECORD_UPDATE) {
        for (size_t g = 0; g < u->kind->n_groupings; g++) {
            rf__mem_groups_trim(&u->practice->tables[u->kind->table].groups[g]);
        }
    }
}

void rf__mem_records_free(rf__mem_practice *p)
{
    for (int i = 0; i < RF__MEM_TABLES; i++) {
        rf__mem_table *t = &p->tables[i];
        for (size_t j = 0; j < t->all.len; j++) {
            free(t->all.items[j]);
        }
        rf__mem_map_free(&t->by_id);
        rf__mem_map_free(&t->by_key);
        rf__mem_vec_free(&t->all);
        for (int g = 0; g < RF__MEM_MAX_GROUPINGS; g++) {
            rf__mem_groups_free(&t->groups[g]);
        }
    }
}
