/* The memory backend's index structures: hash map, ordered vector, groups, record packing.
 *
 * Every structure separates "make room" (may fail) from "change" (never fails), so that a write
 * can reserve everything before touching anything, and undo never needs memory: capacities only
 * grow, and undo restores a state that once fitted. */
#include <stdlib.h>
#include <string.h>

#include "mem_internal.h"

/* --- hash map --------------------------------------------------------------------------------- */

/* At most 11/16 full: linear probing stays short, and there is always an empty slot to stop at. */
static int map_fits(size_t len, size_t cap)
{
    return len <= cap - cap / 4 - cap / 16;
}

static void map_place(rf__mem_slot *slots, size_t mask, const rf__mem_slot *entry)
{
    size_t i = (size_t)entry->hash & mask;
    while (slots[i].key != NULL) {
        i = (i + 1) & mask;
    }
    slots[i] = *entry;
}

int rf__mem_map_reserve(rf__mem_map *m, size_t extra)
{
    size_t cap = m->slots != NULL ? m->mask + 1 : 0;
    if (extra > SIZE_MAX - m->len) {
        return -1;
    }
    size_t need = m->len + extra;
    if (cap != 0 && map_fits(need, cap)) {
        return 0;
    }
    size_t new_cap = cap != 0 ? cap : 16;
    while (!map_fits(need, new_cap)) {
        if (new_cap > SIZE_MAX / 2 / sizeof(rf__mem_slot)) {
            return -1;
        }
        new_cap *= 2;
    }
    rf__mem_slot *slots = calloc(new_cap, sizeof *slots);
    if (slots == NULL) {
        return -1;
    }
    for (size_t i = 0; i < cap; i++) {
        if (m->slots[i].key != NULL) {
            map_place(slots, new_cap - 1, &m->slots[i]);
        }
    }
    free(m->slots);
    m->slots = slots;
    m->mask = new_cap - 1;
    return 0;
}

void rf__mem_map_put(rf__mem_map *m, const char *key, uint64_t hash, void *value)
{
    rf__mem_slot entry = {hash, key, value};
    map_place(m->slots, m->mask, &entry);
    m->len++;
}

void rf__mem_map_remove(rf__mem_map *m, const rf__mem_slot *slot)
{
    /* Backward-shift deletion: pull later members of the probe run into the hole unless that
     * would move one before its home slot, so lookups never need tombstones. */
    size_t hole = (size_t)(slot - m->slots);
    size_t j = hole;
    for (;;) {
        j = (j + 1) & m->mask;
        if (m->slots[j].key == NULL) {
            break;
        }
        size_t home = (size_t)m->slots[j].hash & m->mask;
        int stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (!stays) {
            m->slots[hole] = m->slots[j];
            hole = j;
        }
    }
    m->slots[hole].key = NULL;
    m->slots[hole].value = NULL;
    m->len--;
}

void rf__mem_map_free(rf__mem_map *m)
{
    free(m->slots);
    m->slots = NULL;
    m->mask = 0;
    m->len = 0;
}

/* --- ordered vector --------------------------------------------------------------------------- */

int rf__mem_vec_reserve(rf__mem_vec *v, size_t extra)
{
    if (extra <= v->cap - v->len) {
        return 0;
    }
    if (extra > SIZE_MAX / sizeof(void *) - v->len) {
        return -1;
    }
    size_t need = v->len + extra;
    size_t new_cap = v->cap != 0 ? v->cap : 8;
    while (new_cap < need) {
        new_cap = new_cap <= SIZE_MAX / sizeof(void *) / 2 ? new_cap * 2 : need;
    }
    void **items = realloc(v->items, new_cap * sizeof *items);
    if (items == NULL) {
        return -1;
    }
    v->items = items;
    v->cap = new_cap;
    return 0;
}

/* First index whose id is >= @id (@strict: > @id). */
static size_t vec_bound(const rf__mem_vec *v, const char *id, int strict)
{
    size_t lo = 0;
    size_t hi = v->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(rf__mem_item_id(v->items[mid]), id);
        if (cmp < 0 || (strict && cmp == 0)) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

size_t rf__mem_vec_after(const rf__mem_vec *v, const char *id)
{
    return id != NULL ? vec_bound(v, id, 1) : 0;
}

void rf__mem_vec_insert(rf__mem_vec *v, void *item)
{
    const char *id = rf__mem_item_id(item);
    size_t pos = v->len;
    /* Time-ordered ids mostly arrive in order: appending needs no search. */
    if (pos != 0 && strcmp(rf__mem_item_id(v->items[pos - 1]), id) > 0) {
        pos = vec_bound(v, id, 0);
        memmove(&v->items[pos + 1], &v->items[pos], (v->len - pos) * sizeof *v->items);
    }
    v->items[pos] = item;
    v->len++;
}

static size_t vec_index(const rf__mem_vec *v, const void *item)
{
    const char *id = rf__mem_item_id(item);
    size_t pos = v->len - 1;
    if (v->items[pos] != item) {
        pos = vec_bound(v, id, 0);
    }
    return pos;
}

void rf__mem_vec_remove(rf__mem_vec *v, const void *item)
{
    size_t pos = vec_index(v, item);
    memmove(&v->items[pos], &v->items[pos + 1], (v->len - pos - 1) * sizeof *v->items);
    v->len--;
}

void rf__mem_vec_replace(rf__mem_vec *v, const void *from, void *to)
{
    v->items[vec_index(v, from)] = to;
}

void rf__mem_vec_free(rf__mem_vec *v)
{
    free(v->items);
    v->items = NULL;
    v->len = 0;
    v->cap = 0;
}

/* --- groups ----------------------------------------------------------------------------------- */

int rf__mem_groups_prepare(rf__mem_groups *g, const char *key)
{
    uint64_t hash = rf__mem_hash(key);
    rf__mem_slot *slot = rf__mem_map_find(&g->map, key, hash);
    rf__mem_group *group = slot != NULL ? slot->value : NULL;
    if (group == NULL) {
        size_t len = strlen(key);
        if (rf__mem_map_reserve(&g->map, 1) != 0 || (group = calloc(1, sizeof *group + len + 1)) == NULL) {
            return -1;
        }
        memcpy(group->key, key, len + 1);
        rf__mem_map_put(&g->map, group->key, hash, group);
        g->empty++;
    }
    return rf__mem_vec_reserve(&group->members, 1);
}

void rf__mem_groups_add(rf__mem_groups *g, const char *key, void *item)
{
    rf__mem_group *group = rf__mem_groups_find(g, key);
    if (group->members.len == 0) {
        g->empty--;
    }
    rf__mem_vec_insert(&group->members, item);
}

void rf__mem_groups_remove(rf__mem_groups *g, const char *key, const void *item)
{
    rf__mem_group *group = rf__mem_groups_find(g, key);
    rf__mem_vec_remove(&group->members, item);
    if (group->members.len == 0) {
        g->empty++;
    }
}

void rf__mem_groups_replace(rf__mem_groups *g, const char *key, const void *from, void *to)
{
    rf__mem_vec_replace(&rf__mem_groups_find(g, key)->members, from, to);
}

void rf__mem_groups_trim(rf__mem_groups *g)
{
    /* Sweeping costs the whole map, so wait until at least half of it is dead weight. */
    if (g->empty < 64 || g->empty * 2 < g->map.len) {
        return;
    }
    size_t cap = g->map.mask + 1;
    for (size_t i = 0; i < cap;) {
        rf__mem_group *group = g->map.slots[i].value;
        if (group != NULL && group->members.len == 0) {
            /* Removal may shift a later slot into i, so look at i again. */
            rf__mem_map_remove(&g->map, &g->map.slots[i]);
            rf__mem_vec_free(&group->members);
            free(group);
            g->empty--;
        } else {
            i++;
        }
    }
}

void rf__mem_groups_free(rf__mem_groups *g)
{
    if (g->map.slots != NULL) {
        for (size_t i = 0; i <= g->map.mask; i++) {
            rf__mem_group *group = g->map.slots[i].value;
            if (group != NULL) {
                rf__mem_vec_free(&group->members);
                free(group);
            }
        }
    }
    rf__mem_map_free(&g->map);
    g->empty = 0;
}

/* --- records ---------------------------------------------------------------------------------- */

void *rf__mem_pack(const void *src, size_t head, const size_t *offsets, size_t n)
{
    size_t lengths[RF__MEM_PACK_MAX_STRINGS];
    size_t total = head;
    if (n > sizeof lengths / sizeof lengths[0]) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s;
        memcpy(&s, (const char *)src + offsets[i], sizeof s);
        lengths[i] = s != NULL ? strlen(s) + 1 : 0;
        if (lengths[i] > SIZE_MAX - total) {
            return NULL;
        }
        total += lengths[i];
    }
    char *block = malloc(total);
    if (block == NULL) {
        return NULL;
    }
    memcpy(block, src, head);
    char *tail = block + head;
    for (size_t i = 0; i < n; i++) {
        const char *copy = NULL;
        if (lengths[i] != 0) {
            const char *s;
            memcpy(&s, (const char *)src + offsets[i], sizeof s);
            memcpy(tail, s, lengths[i]);
            copy = tail;
            tail += lengths[i];
        }
        memcpy(block + offsets[i], &copy, sizeof copy);
    }
    return block;
}
