/* Internal to the memory backend: its index structures and the state shared by its files.
 *
 * The backend is written against the public headers only, as a third party would write one.
 * Nothing here is exported: the rf__mem_ names are hidden by the library's visibility preset. */
#ifndef RF_BACKENDS_MEMORY_INTERNAL_H
#define RF_BACKENDS_MEMORY_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include <referral.h>
#include <referral/sys/backend.h>

#if defined(__GNUC__)
#define RF__MEM_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define RF__MEM_PRINTF(f, a)
#endif

/* --- hash map: string key -> pointer (open addressing, linear probing) ---------------------- */

/* The key is borrowed from the value (a stored record or group), so replacing a record must
 * re-point the key too. An empty slot has key == NULL. */
typedef struct rf__mem_slot {
    uint64_t hash;
    const char *key;
    void *value;
} rf__mem_slot;

typedef struct rf__mem_map {
    rf__mem_slot *slots; /* NULL until the first reserve */
    size_t mask;         /* capacity - 1; capacity is a power of two */
    size_t len;
} rf__mem_map;

/* FNV-1a, folded so that the low bits used for probing depend on every byte. */
static inline uint64_t rf__mem_hash(const char *s)
{
    uint64_t h = 14695981039346656037u;
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
        h = (h ^ *c) * 1099511628211u;
    }
    return h ^ (h >> 29);
}

static inline rf__mem_slot *rf__mem_map_find(const rf__mem_map *m, const char *key, uint64_t hash)
{
    if (m->slots == NULL) {
        return NULL;
    }
    for (size_t i = (size_t)hash & m->mask;; i = (i + 1) & m->mask) {
        rf__mem_slot *s = &m->slots[i];
        if (s->key == NULL) {
            return NULL;
        }
        if (s->hash == hash && strcmp(s->key, key) == 0) {
            return s;
        }
    }
}

static inline void *rf__mem_map_get(const rf__mem_map *m, const char *key)
{
    rf__mem_slot *s = rf__mem_map_find(m, key, rf__mem_hash(key));
    return s != NULL ? s->value : NULL;
}

/* Make room for @extra more entries; 0, or -1 when out of memory (the map is unchanged). */
int rf__mem_map_reserve(rf__mem_map *m, size_t extra);
/* Add a key known to be absent; room must have been reserved. Never allocates. */
void rf__mem_map_put(rf__mem_map *m, const char *key, uint64_t hash, void *value);
/* Remove the entry in @slot. Never allocates and leaves no tombstone. */
void rf__mem_map_remove(rf__mem_map *m, const rf__mem_slot *slot);
void rf__mem_map_free(rf__mem_map *m);

/* --- ordered vector of records by id --------------------------------------------------------- */

/* Items are records whose first member is `const char *id` (rf_party_record, rf_code_record),
 * kept in ascending strcmp order of that id. */
typedef struct rf__mem_vec {
    void **items;
    size_t len;
    size_t cap;
} rf__mem_vec;

static inline const char *rf__mem_item_id(const void *item)
{
    return *(const char *const *)item;
}

int rf__mem_vec_reserve(rf__mem_vec *v, size_t extra);
/* Index of the first item whose id is greater than @id (0 when @id is NULL). */
size_t rf__mem_vec_after(const rf__mem_vec *v, const char *id);
/* Insert an item whose id is absent; room must have been reserved. */
void rf__mem_vec_insert(rf__mem_vec *v, void *item);
void rf__mem_vec_remove(rf__mem_vec *v, const void *item);
/* Put @to (same id) where @from is. */
void rf__mem_vec_replace(rf__mem_vec *v, const void *from, void *to);
void rf__mem_vec_free(rf__mem_vec *v);

/* --- groups: a secondary key -> the records holding it, ordered by id ------------------------ */

typedef struct rf__mem_group {
    rf__mem_vec members;
    char key[]; /* owned copy: the records holding the key come and go */
} rf__mem_group;

typedef struct rf__mem_groups {
    rf__mem_map map;
    size_t empty; /* groups with no members, kept so that undo never has to allocate */
} rf__mem_groups;

static inline rf__mem_group *rf__mem_groups_find(const rf__mem_groups *g, const char *key)
{
    return rf__mem_map_get(&g->map, key);
}

/* Ensure the group for @key exists with room for one more member; 0 or -1 (out of memory). */
int rf__mem_groups_prepare(rf__mem_groups *g, const char *key);
/* These three need the group to exist (and, for add, room); they never allocate. */
void rf__mem_groups_add(rf__mem_groups *g, const char *key, void *item);
void rf__mem_groups_remove(rf__mem_groups *g, const char *key, const void *item);
void rf__mem_groups_replace(rf__mem_groups *g, const char *key, const void *from, void *to);
/* Drop empty groups when they have piled up; only safe when no undo log entry is pending. */
void rf__mem_groups_trim(rf__mem_groups *g);
void rf__mem_groups_free(rf__mem_groups *g);

/* Copy @head bytes of the record at @src into one new block followed by copies of its @n string
 * fields (at @offsets), re-pointed at the copies; NULL strings stay NULL. NULL when out of memory. */
void *rf__mem_pack(const void *src, size_t head, const size_t *offsets, size_t n);

/* --- the backend ---------------------------------------------------------------------------- */

typedef struct rf__mem_practice {
    rf__mem_map party_by_id;
    rf__mem_map party_by_external;
    rf__mem_vec parties; /* by id, for scans */
    rf__mem_groups party_by_contact;
    rf__mem_map code_by_id;
    rf__mem_map code_by_key;
    rf__mem_vec codes;
    rf__mem_groups code_by_owner;
    rf__mem_map idempotency;
    rf_event_record **events; /* events[i] has seq i + 1 */
    size_t events_len;
    size_t events_cap;
    char name[];
} rf__mem_practice;

typedef enum rf__mem_op {
    RF__MEM_PARTY_INSERT,
    RF__MEM_PARTY_UPDATE,
    RF__MEM_CODE_INSERT,
    RF__MEM_CODE_UPDATE,
    RF__MEM_EVENT_APPEND,
    RF__MEM_IDEMPOTENCY_PUT
} rf__mem_op;

/* One write, as the undo log remembers it. */
typedef struct rf__mem_undo {
    rf__mem_op op;
    rf__mem_practice *practice;
    void *record;   /* the record the write stored */
    void *previous; /* updates: the record it replaced, freed when the outermost level commits */
} rf__mem_undo;

typedef struct rf__mem_backend {
    rf_backend base; /* first, so that the store's rf_backend * is ours */
    rf__mem_map practices;
    rf__mem_practice *last_practice; /* the store works in one practice: skip the map lookup */
    rf__mem_undo *undo;
    size_t undo_len;
    size_t undo_cap;
    size_t *marks; /* undo_len at each open begin; depth = marks_len */
    size_t marks_len;
    size_t marks_cap;
} rf__mem_backend;

/* Record the thread's last error and return @code. */
int rf__mem_fail(rf_status code, rf_error_class klass, const char *fmt, ...) RF__MEM_PRINTF(3, 4);
int rf__mem_oom(void);

/* The practice's records, or NULL when nothing was ever written there. */
rf__mem_practice *rf__mem_practice_find(rf__mem_backend *b, const char *practice);

/* Common start of every write: checks that a transaction is open and the arguments are there,
 * finds or creates the practice and reserves the write's undo log entry. */
int rf__mem_write_begin(rf__mem_backend *b, const char *member, const char *practice, const void *record,
                        rf__mem_practice **out);
/* Log a write; its entry was reserved by rf__mem_write_begin, so this cannot fail. */
void rf__mem_undo_push(rf__mem_backend *b, rf__mem_op op, rf__mem_practice *p, void *record, void *previous);

/* mem_records.c: parties and codes. */
void rf__mem_records_install(rf_backend *backend);
void rf__mem_records_undo(const rf__mem_undo *u);
void rf__mem_records_free(rf__mem_practice *p);

#endif
