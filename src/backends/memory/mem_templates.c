/* The memory backend's message templates (contract version 4), described for mem_table.c.
 *
 * A template's unique key is the pair (programme, name), where no programme means the whole
 * practice. The table's key map holds one string per record, so the pair is kept as groupings
 * instead: by name (the templates called so, one per programme at most: few) and by programme,
 * where practice-wide templates share the group "" (no programme id is empty; a scan compares
 * the programme itself, so one that were would still be told apart). Uniqueness and lookups by
 * name walk the name's group. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <referral.h>
#include <referral/sys/backend.h>

#include "mem_internal.h"

/* The shared table code reads a record's id as its first member. */
_Static_assert(offsetof(rf_template_record, id) == 0, "rf_template_record.id must come first");

static const size_t template_strings[] = {
    offsetof(rf_template_record, id),   offsetof(rf_template_record, program_id),
    offsetof(rf_template_record, name), offsetof(rf_template_record, subject),
    offsetof(rf_template_record, body),
};

/* The groupings, in the order of rf__mem_scan.key. */
enum { BY_NAME, BY_PROGRAM, TEMPLATE_GROUPINGS };

static size_t program_key(const void *record, const char *keys[RF__MEM_MAX_GROUP_KEYS])
{
    const char *program_id = ((const rf_template_record *)record)->program_id;
    keys[0] = program_id != NULL ? program_id : "";
    return 1;
}

/* The template in the group @named holding @program_id, other than the record @id; or NULL. */
static const rf_template_record *holder_of(const rf__mem_group *named, const char *program_id, const char *id)
{
    for (size_t i = 0; named != NULL && i < named->members.len; i++) {
        const rf_template_record *t = named->members.items[i];
        if (rf__mem_same_str(t->program_id, program_id) && (id == NULL || strcmp(t->id, id) != 0)) {
            return t;
        }
    }
    return NULL;
}

static int check_template(const rf__mem_table *t, const char *practice, const void *record,
                          const void *previous)
{
    const rf_template_record *r = record;
    (void)previous;
    if (r->name == NULL) {
        return rf__mem_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND, "memory backend: template record needs a name");
    }
    const rf_template_record *holder =
        holder_of(rf__mem_groups_find(&t->groups[BY_NAME], r->name), r->program_id, r->id);
    if (holder == NULL) {
        return RF_OK;
    }
    if (r->program_id == NULL) {
        return rf__mem_fail(
            RF_EEXISTS, RF_ERRCLASS_OUTBOX,
            "a practice-wide template called '%.128s' already exists in practice '%.64s' (%.40s)", r->name,
            practice, holder->id);
    }
    return rf__mem_fail(RF_EEXISTS, RF_ERRCLASS_OUTBOX,
                        "programme %.40s already has a template called '%.128s' in practice '%.64s' (%.40s)",
                        r->program_id, r->name, practice, holder->id);
}

static const rf__mem_kind template_kind = {
    .table = RF__MEM_TEMPLATES,
    .noun = "template",
    .klass = RF_ERRCLASS_OUTBOX,
    .size = sizeof(rf_template_record),
    .strings = template_strings,
    .n_strings = sizeof template_strings / sizeof template_strings[0],
    .invalid = "memory backend: template record has no id",
    .check = check_template,
    .n_groupings = TEMPLATE_GROUPINGS,
    .groupings =
        {
            [BY_NAME] = {NULL, offsetof(rf_template_record, name)},
            [BY_PROGRAM] = {program_key, 0},
        },
};

static int mem_template_insert(rf_backend *backend, const char *practice, const rf_template_record *record)
{
    return rf__mem_insert(backend, &template_kind, "template_insert", practice, record);
}

static int mem_template_update(rf_backend *backend, const char *practice, const rf_template_record *record)
{
    return rf__mem_update(backend, &template_kind, "template_update", practice, record);
}

static int mem_template_get_by_name(rf_backend *backend, const char *practice, const char *program_id,
                                    const char *name, rf_template_record *out)
{
    if (practice == NULL || name == NULL || out == NULL) {
        return rf__mem_fail(
            RF_EBACKEND, RF_ERRCLASS_BACKEND,
            "memory backend: template_get_by_name needs a practice, a name and an output record");
    }
    const rf__mem_practice *p = rf__mem_practice_find((rf__mem_backend *)backend, practice);
    const rf_template_record *rec =
        p != NULL ? holder_of(rf__mem_groups_find(&p->tables[RF__MEM_TEMPLATES].groups[BY_NAME], name),
                              program_id, NULL)
                  : NULL;
    if (rec == NULL) {
        memset(out, 0, sizeof *out);
        if (program_id == NULL) {
            return rf__mem_fail(RF_ENOTFOUND, RF_ERRCLASS_OUTBOX,
                                "no practice-wide template called '%.128s' in practice '%.64s'", name,
                                practice);
        }
        return rf__mem_fail(RF_ENOTFOUND, RF_ERRCLASS_OUTBOX,
                            "programme %.40s has no template called '%.128s' in practice '%.64s'", program_id,
                            name, practice);
    }
    *out = *rec;
    return RF_OK;
}

static int visit_template(const rf__mem_scan *s, const void *record)
{
    const rf_template_record *rec = record;
    /* The "" group holds practice-wide templates and any whose programme id were "". */
    if (!rf__mem_same_str(rec->program_id, s->query)) {
        return RF__MEM_SCAN_SKIP;
    }
    return s->fn.tmpl(rec, s->payload) != 0 ? RF__MEM_SCAN_STOP : RF__MEM_SCAN_NEXT;
}

static int mem_template_scan(rf_backend *backend, const char *practice, const char *program_id,
                             const char *after_id, unsigned int limit, rf_template_visit_fn visit,
                             void *payload)
{
    rf__mem_scan s = {
        program_id,     after_id,        limit,  {[BY_PROGRAM] = program_id != NULL ? program_id : ""},
        visit_template, {.tmpl = visit}, payload};
    return rf__mem_scan_table(backend, &template_kind, "template_scan", practice, visit != NULL, &s);
}

void rf__mem_templates_install(rf_backend *backend)
{
    backend->template_insert = mem_template_insert;
    backend->template_update = mem_template_update;
    backend->template_get_by_name = mem_template_get_by_name;
    backend->template_scan = mem_template_scan;
}
