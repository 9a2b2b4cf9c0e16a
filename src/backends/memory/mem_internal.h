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

/* Items are records whose first member is `const char *id` (every rf_*_record kept in a table),
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

/* The most string members rf__mem_pack copies (a referral has 15). */
#define RF__MEM_PACK_MAX_STRINGS 16

/* Copy @head bytes of the record at @src into one new block followed by copies of its @n string
 * fields (at @offsets, n <= RF__MEM_PACK_MAX_STRINGS), re-pointed at the copies; NULL strings stay
 * NULL. NULL when out of memory. */
void *rf__mem_pack(const void *src, size_t head, const size_t *offsets, size_t n);

/* --- the backend ---------------------------------------------------------------------------- */

/* The record types kept in tables: indexes into rf__mem_practice.tables. */
typedef enum rf__mem_table_id {
    RF__MEM_PARTIES,
    RF__MEM_CODES,
    RF__MEM_PROGRAMS,
    RF__MEM_TOUCHES,
    RF__MEM_REFERRALS,
    RF__MEM_REWARD_RULES,
    RF__MEM_GRANTS,
    RF__MEM_CLIENT_EVENTS,
    RF__MEM_TASKS,
    RF__MEM_TEMPLATES,
    RF__MEM_TABLES
} rf__mem_table_id;

/* The most groupings a record type has (a referral's programme, referrer, referee and target),
 * and the most keys a record has in one grouping (a party's e-mail and phone keys). */
#define RF__MEM_MAX_GROUPINGS 4
#define RF__MEM_MAX_GROUP_KEYS 2

/* One record type's records in a practice. Every stored record is in all of by_id and all, in
 * by_key when it has that key, and in the groups of each of its group keys. */
typedef struct rf__mem_table {
    rf__mem_map by_id;
    rf__mem_map by_key; /* its unique key besides the id: a party's external id, a code's key */
    rf__mem_vec all;    /* by id, for scans */
    /* What scans filter on, one key space per grouping: a party's contact keys, a code's owner,
     * a referral's referrer (and, apart, its referee, ...). */
    rf__mem_groups groups[RF__MEM_MAX_GROUPINGS];
} rf__mem_table;

/* How one grouping of a record type finds a record's keys. */
typedef struct rf__mem_grouping {
    /* The distinct keys of @record (at most RF__MEM_MAX_GROUP_KEYS) and their number; when NULL,
     * the string member at @field is the only key (none when it is NULL). */
    size_t (*keys)(const void *record, const char *keys[RF__MEM_MAX_GROUP_KEYS]);
    size_t field;
} rf__mem_grouping;

/* What the shared write, get, scan and undo code (mem_table.c) needs to know of a record type.
 * The record's first member is its `const char *id`. */
typedef struct rf__mem_kind {
    rf__mem_table_id table;
    const char *noun;      /* "party", in messages */
    rf_error_class klass;  /* of its not-found and clash errors */
    size_t size;           /* of the record */
    const size_t *strings; /* offsets of its string members, for rf__mem_pack */
    size_t n_strings;
    const char *invalid; /* the message refusing a record without an id (or a required key) */
    int key_required;    /* whether a record without its unique key is refused too */
    /* Its unique key besides the id (NULL when unset) and the report of a clash on it; NULL
     * for a type without one. */
    const char *(*key)(const void *record);
    int (*key_taken)(const char *practice, const void *record, const void *holder);
    /* A further rule the type checks itself, after the id and the unique key (NULL: none):
     * RF_OK, or the failure, for @record replacing @previous (NULL: an insert). */
    int (*check)(const rf__mem_table *t, const char *practice, const void *record, const void *previous);
    size_t n_groupings; /* 0 for a type scans do not filter */
    rf__mem_grouping groupings[RF__MEM_MAX_GROUPINGS];
} rf__mem_kind;

/* The ledger keeps its own indexes (mem_ledger.c): it is read in seq order, not id order. */
typedef struct rf__mem_seq_vec {
    rf_ledger_record **items; /* ascending seq */
    size_t len;
    size_t cap;
} rf__mem_seq_vec;

typedef struct rf__mem_ledger {
    rf__mem_map by_id;
    rf__mem_map by_key; /* entry_key */
    rf__mem_seq_vec all;
    /* party_id and grant_id -> an rf__mem_seq_vec of that key's entries, with the key copied
     * behind it. A group emptied by undo stays until the backend is freed: undo must not free
     * what a retry of the write may reuse, and an empty group is invisible to scans. */
    rf__mem_map by_party;
    rf__mem_map by_grant;
} rf__mem_ledger;

typedef struct rf__mem_practice {
    rf__mem_table tables[RF__MEM_TABLES];
    rf__mem_ledger ledger;
    rf__mem_map idempotency;
    rf_event_record **events; /* events[i] has seq i + 1 */
    size_t events_len;
    size_t events_cap;
    char name[];
} rf__mem_practice;

typedef enum rf__mem_op {
    RF__MEM_RECORD_INSERT,
    RF__MEM_RECORD_UPDATE,
    RF__MEM_EVENT_APPEND,
    RF__MEM_IDEMPOTENCY_PUT,
    RF__MEM_LEDGER_INSERT
} rf__mem_op;

/* One write, as the undo log remembers it. */
typedef struct rf__mem_undo {
    rf__mem_op op;
    const rf__mem_kind *kind; /* record writes: the type written */
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
/* Log a write; its entry was reserved by rf__mem_write_begin, so this cannot fail. Returns the
 * entry, for record writes to say which type. */
rf__mem_undo *rf__mem_undo_push(rf__mem_backend *b, rf__mem_op op, rf__mem_practice *p, void *record,
                                void *previous);

/* A group key standing for the small integer @value (an enum's value), for groupings by an
 * integer field: a static string, one per value from 0 to 63, one shared by all the others. A
 * scan walking such a group must still compare the field itself. */
const char *rf__mem_int_key(int value);
/* Equal strings, or both NULL. */
static inline int rf__mem_same_str(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* --- mem_table.c: what every record type shares ------------------------------------------------ */

/* Insert a copy of @record; RF_EEXISTS when its id or unique key is taken. */
int rf__mem_insert(rf_backend *backend, const rf__mem_kind *k, const char *member, const char *practice,
                   const void *record);
/* Replace the record with @record's id; RF_ENOTFOUND, RF_EEXISTS (its unique key is taken). */
int rf__mem_update(rf_backend *backend, const rf__mem_kind *k, const char *member, const char *practice,
                   const void *record);
/* Copy into @out (k->size bytes) the record whose id (@by_key 0) or unique key (1) is @value;
 * @field names it in messages. */
int rf__mem_get(rf_backend *backend, const rf__mem_kind *k, const char *member, int by_key,
                const char *practice, const char *value, const char *field, void *out);

enum { RF__MEM_SCAN_NEXT, RF__MEM_SCAN_STOP, RF__MEM_SCAN_SKIP };

/* One scan: where it starts, what it visits, and whom it hands each record to. */
typedef struct rf__mem_scan {
    const void *query;
    const char *after_id;
    unsigned int limit;
    /* Only the records holding key[g] in grouping g, for each g where it is not NULL. The scan
     * walks the smallest of these groups and checks the others record by record. */
    const char *key[RF__MEM_MAX_GROUPINGS];
    /* Apply the type's other filters and hand a record to the typed callback in @fn:
     * RF__MEM_SCAN_NEXT, _STOP or _SKIP (not counted against the limit). */
    int (*visit)(const struct rf__mem_scan *s, const void *record);
    union {
        rf_party_visit_fn party;
        rf_code_visit_fn code;
        rf_program_visit_fn program;
        rf_touch_visit_fn touch;
        rf_referral_visit_fn referral;
        rf_reward_rule_visit_fn reward_rule;
        rf_grant_visit_fn grant;
        rf_client_event_visit_fn client_event;
        rf_task_visit_fn task;
        rf_template_visit_fn tmpl;
    } fn;
    void *payload;
} rf__mem_scan;

/* Visit the records of @k in @practice that @s selects, in ascending id order. */
int rf__mem_scan_table(rf_backend *backend, const rf__mem_kind *k, const char *member, const char *practice,
                       int have_callback, const rf__mem_scan *s);

/* Undo one record write (RF__MEM_RECORD_INSERT or _UPDATE); never allocates. */
void rf__mem_records_undo(const rf__mem_undo *u);
/* Drop the empty groups of the table a logged write wrote, when they have piled up; only once
 * the log no longer needs them (the outermost level ended). */
void rf__mem_records_trim(const rf__mem_undo *u);
void rf__mem_records_free(rf__mem_practice *p);

/* --- the members, by record type ------------------------------------------------------------- */

/* mem_records.c: parties and codes. */
void rf__mem_records_install(rf_backend *backend);
/* mem_referrals.c: programmes, touches and referrals (contract version 2). */
void rf__mem_referrals_install(rf_backend *backend);
/* mem_rewards.c: reward rules and grants (contract version 3). */
void rf__mem_rewards_install(rf_backend *backend);
/* mem_ledger.c: the ledger (contract version 3), with its undo and free. */
void rf__mem_ledger_install(rf_backend *backend);
void rf__mem_ledger_undo(const rf__mem_undo *u);
void rf__mem_ledger_free(rf__mem_ledger *l);
/* mem_events.c, mem_tasks.c, mem_templates.c: client events, outbox tasks and message templates
 * (contract version 4). */
void rf__mem_events_install(rf_backend *backend);
void rf__mem_tasks_install(rf_backend *backend);
void rf__mem_templates_install(rf_backend *backend);

#endif
