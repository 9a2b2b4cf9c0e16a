/* The memory backend's ledger (contract version 3). Entries are never changed, and they are read
 * in ascending seq order rather than id order, so they keep indexes of their own instead of a
 * table in mem_table.c: the id and the entry key in hash maps, every entry in a seq-ordered
 * vector, and per party and per grant a seq-ordered vector of theirs.
 *
 * As everywhere in this backend, an insert reserves all it needs before it changes anything,
 * and undo only moves pointers back. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <referral.h>
#include <referral/sys/backend.h>

#include "mem_internal.h"

/* One party's or grant's entries; the key is copied because the entries holding it come and go. */
typedef struct seq_group {
    rf__mem_seq_vec entries;
    char key[];
} seq_group;

/* --- seq-ordered vectors ----------------------------------------------------------------------- */

static int seq_reserve(rf__mem_seq_vec *v)
{
    if (v->len < v->cap) {
        return 0;
    }
    size_t cap = v->cap != 0 ? v->cap * 2 : 8;
    rf_ledger_record **items =
        cap <= SIZE_MAX / sizeof *items ? realloc(v->items, cap * sizeof *items) : NULL;
    if (items == NULL) {
        return -1;
    }
    v->items = items;
    v->cap = cap;
    return 0;
}

/* First index whose seq is >= @seq (@strict: > @seq). */
static size_t seq_bound(const rf__mem_seq_vec *v, int64_t seq, int strict)
{
    size_t lo = 0;
    size_t hi = v->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t at = v->items[mid]->seq;
        if (at < seq || (strict && at == seq)) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static const rf_ledger_record *seq_find(const rf__mem_seq_vec *v, int64_t seq)
{
    size_t i = seq_bound(v, seq, 0);
    return i < v->len && v->items[i]->seq == seq ? v->items[i] : NULL;
}

/* Room was reserved and the seq is free. */
static void seq_insert(rf__mem_seq_vec *v, rf_ledger_record *rec)
{
    size_t pos = v->len;
    /* Seqs come from the journal, so entries mostly arrive in order: appending needs no search. */
    if (pos != 0 && v->items[pos - 1]->seq > rec->seq) {
        pos = seq_bound(v, rec->seq, 0);
        memmove(&v->items[pos + 1], &v->items[pos], (v->len - pos) * sizeof *v->items);
    }
    v->items[pos] = rec;
    v->len++;
}

static void seq_remove(rf__mem_seq_vec *v, const rf_ledger_record *rec)
{
    size_t pos = v->items[v->len - 1] == rec ? v->len - 1 : seq_bound(v, rec->seq, 0);
    memmove(&v->items[pos], &v->items[pos + 1], (v->len - pos - 1) * sizeof *v->items);
    v->len--;
}

/* --- groups ------------------------------------------------------------------------------------ */

/* Ensure the group for @key exists with room for one more entry; 0 or -1 (out of memory). */
static int group_prepare(rf__mem_map *m, const char *key)
{
    if (key == NULL) {
        return 0;
    }
    uint64_t hash = rf__mem_hash(key);
    rf__mem_slot *slot = rf__mem_map_find(m, key, hash);
    seq_group *g = slot != NULL ? slot->value : NULL;
    if (g == NULL) {
        size_t len = strlen(key);
        if (rf__mem_map_reserve(m, 1) != 0 || (g = calloc(1, sizeof *g + len + 1)) == NULL) {
            return -1;
        }
        memcpy(g->key, key, len + 1);
        rf__mem_map_put(m, g->key, hash, g);
    }
    return seq_reserve(&g->entries);
}

static void group_insert(rf__mem_map *m, const char *key, rf_ledger_record *rec)
{
    if (key != NULL) {
        seq_insert(&((seq_group *)rf__mem_map_get(m, key))->entries, rec);
    }
}

static void group_remove(rf__mem_map *m, const char *key, const rf_ledger_record *rec)
{
    if (key != NULL) {
        seq_remove(&((seq_group *)rf__mem_map_get(m, key))->entries, rec);
    }
}

static void groups_free(rf__mem_map *m)
{
    if (m->slots != NULL) {
        for (size_t i = 0; i <= m->mask; i++) {
            seq_group *g = m->slots[i].value;
            if (g != NULL) {
                free(g->entries.items);
                free(g);
            }
        }
    }
    rf__mem_map_free(m);
}

/* --- insert and undo --------------------------------------------------------------------------- */

static const size_t ledger_strings[] = {
    offsetof(rf_ledger_record, id),       offsetof(rf_ledger_record, entry_key),
    offsetof(rf_ledger_record, grant_id), offsetof(rf_ledger_record, party_id),
    offsetof(rf_ledger_record, currency), offsetof(rf_ledger_record, reference),
};

static void map_drop(rf__mem_map *m, const char *key)
{
    rf__mem_map_remove(m, rf__mem_map_find(m, key, rf__mem_hash(key)));
}

/* Refuse @record when its id, entry key or seq is taken. */
static int check_unique(const rf__mem_ledger *l, const char *practice, const rf_ledger_record *record)
{
    if (rf__mem_map_get(&l->by_id, record->id) != NULL) {
        return rf__mem_fail(RF_EEXISTS, RF_ERRCLASS_REWARD,
                            "ledger entry %.40s already exists in practice '%.64s'", record->id, practice);
    }
    const rf_ledger_record *holder = rf__mem_map_get(&l->by_key, record->entry_key);
    if (holder != NULL) {
        return rf__mem_fail(RF_EEXISTS, RF_ERRCLASS_REWARD,
                            "entry key '%.160s' is already held by ledger entry %.40s in practice '%.64s'",
                            record->entry_key, holder->id, practice);
    }
    holder = seq_find(&l->all, record->seq);
    if (holder != NULL) {
        return rf__mem_fail(RF_EEXISTS, RF_ERRCLASS_REWARD,
                            "seq %lld is already held by ledger entry %.40s in practice '%.64s'",
                            (long long)record->seq, holder->id, practice);
    }
    return RF_OK;
}

static int mem_ledger_insert(rf_backend *backend, const char *practice, const rf_ledger_record *record)
{
    rf__mem_backend *b = (rf__mem_backend *)backend;
    rf__mem_practice *p;
    int rc = rf__mem_write_begin(b, "ledger_insert", practice, record, &p);
    if (rc != RF_OK) {
        return rc;
    }
    /* The entry key is what makes an entry happen once: an entry without one could happen twice. */
    if (record->id == NULL || record->entry_key == NULL) {
        return rf__mem_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                            "memory backend: ledger record needs an id and an entry key");
    }
    rf__mem_ledger *l = &p->ledger;
    if ((rc = check_unique(l, practice, record)) != RF_OK) {
        return rc;
    }
    rf_ledger_record *rec = NULL;
    if (rf__mem_map_reserve(&l->by_id, 1) != 0 || rf__mem_map_reserve(&l->by_key, 1) != 0 ||
        seq_reserve(&l->all) != 0 || group_prepare(&l->by_party, record->party_id) != 0 ||
        group_prepare(&l->by_grant, record->grant_id) != 0 ||
        (rec = rf__mem_pack(record, sizeof *record, ledger_strings,
                            sizeof ledger_strings / sizeof ledger_strings[0])) == NULL) {
        return rf__mem_oom();
    }
    rf__mem_map_put(&l->by_id, rec->id, rf__mem_hash(rec->id), rec);
    rf__mem_map_put(&l->by_key, rec->entry_key, rf__mem_hash(rec->entry_key), rec);
    seq_insert(&l->all, rec);
    group_insert(&l->by_party, rec->party_id, rec);
    group_insert(&l->by_grant, rec->grant_id, rec);
    rf__mem_undo_push(b, RF__MEM_LEDGER_INSERT, p, rec, NULL);
    return RF_OK;
}

void rf__mem_ledger_undo(const rf__mem_undo *u)
{
    rf__mem_ledger *l = &u->practice->ledger;
    rf_ledger_record *rec = u->record;
    map_drop(&l->by_id, rec->id);
    map_drop(&l->by_key, rec->entry_key);
    seq_remove(&l->all, rec);
    group_remove(&l->by_party, rec->party_id, rec);
    group_remove(&l->by_grant, rec->grant_id, rec);
    free(rec);
}

void rf__mem_ledger_free(rf__mem_ledger *l)
{
    for (size_t i = 0; i < l->all.len; i++) {
        free(l->all.items[i]);
    }
    free(l->all.items);
    l->all.items = NULL;
    l->all.len = l->all.cap = 0;
    rf__mem_map_free(&l->by_id);
    rf__mem_map_free(&l->by_key);
    groups_free(&l->by_party);
    groups_free(&l->by_grant);
}

/* --- scan -------------------------------------------------------------------------------------- */

static int same(const char *want, const char *got)
{
    return want == NULL || (got != NULL && strcmp(want, got) == 0);
}

static int mem_ledger_scan(rf_backend *backend, const char *practice, const rf_ledger_query *query,
                           rf_ledger_visit_fn visit, void *payload)
{
    static const rf_ledger_query all = {0, NULL, NULL, 0};
    if (practice == NULL || visit == NULL) {
        return rf__mem_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                            "memory backend: ledger_scan needs a practice and a callback");
    }
    const rf_ledger_query *q = query != NULL ? query : &all;
    const rf__mem_practice *p = rf__mem_practice_find((rf__mem_backend *)backend, practice);
    if (p == NULL) {
        return RF_OK;
    }
    /* Walk the smaller of the groups asked for; a key nobody holds means nothing to visit. */
    const rf__mem_seq_vec *v = &p->ledger.all;
    const rf__mem_map *maps[2] = {&p->ledger.by_party, &p->ledger.by_grant};
    const char *keys[2] = {q->party_id, q->grant_id};
    for (int i = 0; i < 2; i++) {
        if (keys[i] == NULL) {
            continue;
        }
        const seq_group *g = rf__mem_map_get(maps[i], keys[i]);
        if (g == NULL || g->entries.len == 0) {
            return RF_OK;
        }
        if (v == &p->ledger.all || g->entries.len < v->len) {
            v = &g->entries;
        }
    }
    unsigned int seen = 0;
    /* Indexing afresh each time round keeps the walk memory-safe should a callback insert. */
    for (size_t i = seq_bound(v, q->after_seq, 1); i < v->len && (q->limit == 0 || seen < q->limit); i++) {
        const rf_ledger_record *rec = v->items[i];
        if (!same(q->party_id, rec->party_id) || !same(q->grant_id, rec->grant_id)) {
            continue;
        }
        seen++;
        if (visit(rec, payload) != 0) {
            break;
        }
    }
    return RF_OK;
}

/* --- shared with memory_backend.c ------------------------------------------------------------ */

void rf__mem_ledger_install(rf_backend *backend)
{
    backend->ledger_insert = mem_ledger_insert;
    backend->ledger_scan = mem_ledger_scan;
}
