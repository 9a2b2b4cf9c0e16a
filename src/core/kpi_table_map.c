/* A string-keyed map for the KPI tables' tallies (per referrer, per variant
 * label, a cache per party): open addressing over entries kept in insertion
 * order, so a table can walk them without sorting a hash order away, and
 * entries can be dropped in place when a table keeps a range of keys. */
#include <stdlib.h>
#include <string.h>

#include "core/kpi_table.h"
#include "util/error.h"
#include "util/memory.h"

void rf__kpi_map_init(rf__kpi_map *m, size_t value_size)
{
    memset(m, 0, sizeof *m);
    m->value_size = value_size;
}

static size_t hash(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s != '\0'; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    }
    return (size_t)(h ^ (h >> 32));
}

/* The slot holding @key, or the empty slot where it would go. */
static size_t slot_of(const rf__kpi_map *m, const char *key)
{
    size_t mask = m->nslots - 1;
    for (size_t i = hash(key) & mask;; i = (i + 1) & mask) {
        if (m->slots[i] == 0 || strcmp(m->keys[m->slots[i] - 1], key) == 0) {
            return i;
        }
    }
}

void *rf__kpi_map_find(const rf__kpi_map *m, const char *key)
{
    if (m->nslots == 0 || key == NULL) {
        return NULL;
    }
    size_t e = m->slots[slot_of(m, key)];
    return e != 0 ? m->values + (e - 1) * m->value_size : NULL;
}

/* Keep the load at most one half, so probes stay short. */
static rf_status grow_slots(rf__kpi_map *m)
{
    if (2 * (m->count + 1) <= m->nslots) {
        return RF_OK;
    }
    size_t n = m->nslots != 0 ? 2 * m->nslots : 64;
    size_t *slots = rf__calloc(n, sizeof *slots);
    if (slots == NULL) {
        return RF_ENOMEM;
    }
    free(m->slots);
    m->slots = slots;
    m->nslots = n;
    for (size_t e = 0; e < m->count; e++) {
        m->slots[slot_of(m, m->keys[e])] = e + 1;
    }
    return RF_OK;
}

void *rf__kpi_map_upsert(rf__kpi_map *m, const char *key)
{
    void *found = rf__kpi_map_find(m, key);
    if (found != NULL) {
        return found;
    }
    if (grow_slots(m) != RF_OK) {
        return NULL;
    }
    if (m->count == m->cap) {
        size_t cap = m->cap != 0 ? 2 * m->cap : 16;
        char **keys = realloc(m->keys, cap * sizeof *keys);
        if (keys == NULL) {
            rf__error_oom();
            return NULL;
        }
        m->keys = keys;
        unsigned char *values = realloc(m->values, cap * m->value_size);
        if (values == NULL) {
            rf__error_oom();
            return NULL;
        }
        m->values = values;
        m->cap = cap;
    }
    char *copy = rf__strdup(key);
    if (copy == NULL) {
        return NULL;
    }
    size_t e = m->count++;
    m->keys[e] = copy;
    m->slots[slot_of(m, copy)] = e + 1;
    unsigned char *value = m->values + e * m->value_size;
    memset(value, 0, m->value_size);
    return value;
}

const char *rf__kpi_map_key(const rf__kpi_map *m, size_t i)
{
    return i < m->count ? m->keys[i] : NULL;
}

void *rf__kpi_map_value(const rf__kpi_map *m, size_t i)
{
    return i < m->count ? m->values + i * m->value_size : NULL;
}

void rf__kpi_map_retain(rf__kpi_map *m, int (*keep)(const char *key, void *arg), void *arg)
{
    size_t kept = 0;
    for (size_t e = 0; e < m->count; e++) {
        if (!keep(m->keys[e], arg)) {
            free(m->keys[e]);
            continue;
        }
        if (kept != e) {
            m->keys[kept] = m->keys[e];
            memmove(m->values + kept * m->value_size, m->values + e * m->value_size, m->value_size);
        }
        kept++;
    }
    m->count = kept;
    /* The slots stay as large as they were: rebuilt in place, nothing allocated. */
    if (m->nslots != 0) {
        memset(m->slots, 0, m->nslots * sizeof *m->slots);
        for (size_t e = 0; e < m->count; e++) {
            m->slots[slot_of(m, m->keys[e])] = e + 1;
        }
    }
}

void rf__kpi_map_free(rf__kpi_map *m)
{
    for (size_t i = 0; i < m->count; i++) {
        free(m->keys[i]);
    }
    free(m->keys);
    free(m->values);
    free(m->slots);
    rf__kpi_map_init(m, m->value_size);
}
