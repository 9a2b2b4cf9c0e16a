/* Programmes: settings, their text form in the store, create/get/find/update/list. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "referral/journal.h"
#include "core/referrals.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/text.h"

/* Defaults of a new programme. */
static const rf_program_settings defaults = {
    .window_days = 90,
    .attribution = RF_ATTRIBUTION_LAST_TOUCH,
    .exclude_existing_clients = 1,
    .code_style = RF_CODE_VANITY,
    .auto_issue_code = 0,
    .fraud_action = RF_FRAUD_BLOCK,
    .velocity_cap = 0,
    .velocity_window_days = 30,
    .clawback = 0,
    .compliance_mode = 0,
    .ask_enabled = 1,
    .ask_nps_threshold = 9,
    .ask_after_first_visit_days = 90,
    .ask_on_anniversary = 1,
    .ask_on_milestone = 1,
    .ask_on_discharge = 1,
    .ask_on_praise = 1,
    .ask_on_payment = 1,
    .ask_cooldown_days = 90,
    .ask_yearly_cap = 3,
    .new_client_days = 180,
    .sla_urgent_hours = 4,
    .sla_routine_hours = 48,
};

/* Each setting: its name in the stored text and in messages, where it lives,
 * and its range. The text form lets later versions append settings without a
 * schema change; an older library ignores names it does not know. */
typedef struct setting {
    const char *name;
    size_t offset;
    int lo, hi;
} setting;
#define SETTING(field, lo, hi)                                                                               \
    {                                                                                                        \
#field, offsetof(rf_program_settings, field), lo, hi                                                 \
    }
static const setting settings_table[] = {
    SETTING(window_days, 1, 3650),
    SETTING(attribution, RF_ATTRIBUTION_FIRST_TOUCH, RF_ATTRIBUTION_LAST_TOUCH),
    SETTING(exclude_existing_clients, 0, 1),
    SETTING(code_style, RF_CODE_VANITY, RF_CODE_SHORT),
    SETTING(auto_issue_code, 0, 1),
    SETTING(fraud_action, RF_FRAUD_BLOCK, RF_FRAUD_FLAG),
    SETTING(velocity_cap, 0, 100000),
    SETTING(velocity_window_days, 1, 365),
    SETTING(clawback, 0, 1),
    SETTING(compliance_mode, 0, 1),
    SETTING(ask_enabled, 0, 1),
    SETTING(ask_nps_threshold, 0, 10),
    SETTING(ask_after_first_visit_days, 0, 3650),
    SETTING(ask_on_anniversary, 0, 1),
    SETTING(ask_on_milestone, 0, 1),
    SETTING(ask_on_discharge, 0, 1),
    SETTING(ask_on_praise, 0, 1),
    SETTING(ask_on_payment, 0, 1),
    SETTING(ask_cooldown_days, 0, 3650),
    SETTING(ask_yearly_cap, 1, 52),
    SETTING(new_client_days, 1, 3650),
    SETTING(sla_urgent_hours, 1, 720),
    SETTING(sla_routine_hours, 1, 720),
};
#define SETTING_COUNT (sizeof settings_table / sizeof settings_table[0])

static int *setting_slot(rf_program_settings *s, const setting *def)
{
    return (int *)(void *)((char *)s + def->offset);
}

/* The values given in options, in settings_table order; `unset` where not given. */
static void given_values(const rf_program_options *o, int values[SETTING_COUNT])
{
    const int given[SETTING_COUNT] = {
        o->window_days,
        o->attribution == RF_ATTRIBUTION_UNSET ? RF_UNSET : (int)o->attribution,
        o->exclude_existing_clients,
        o->code_style == RF_CODE_STYLE_UNSET ? RF_UNSET : (int)o->code_style,
        o->auto_issue_code,
        o->fraud_action == RF_FRAUD_ACTION_UNSET ? RF_UNSET : (int)o->fraud_action,
        o->velocity_cap,
        o->velocity_window_days,
        /* Version 1 structs end before the reward settings. */
        o->version >= 2 ? o->clawback : RF_UNSET,
        o->version >= 2 ? o->compliance_mode : RF_UNSET,
        /* Version 2 structs end before the ask and SLA settings. */
        o->version >= 3 ? o->ask_enabled : RF_UNSET,
        o->version >= 3 ? o->ask_nps_threshold : RF_UNSET,
        o->version >= 3 ? o->ask_after_first_visit_days : RF_UNSET,
        o->version >= 3 ? o->ask_on_anniversary : RF_UNSET,
        o->version >= 3 ? o->ask_on_milestone : RF_UNSET,
        o->version >= 3 ? o->ask_on_discharge : RF_UNSET,
        o->version >= 3 ? o->ask_on_praise : RF_UNSET,
        o->version >= 3 ? o->ask_on_payment : RF_UNSET,
        o->version >= 3 ? o->ask_cooldown_days : RF_UNSET,
        o->version >= 3 ? o->ask_yearly_cap : RF_UNSET,
        o->version >= 3 ? o->new_client_days : RF_UNSET,
        o->version >= 3 ? o->sla_urgent_hours : RF_UNSET,
        o->version >= 3 ? o->sla_routine_hours : RF_UNSET,
    };
    memcpy(values, given, sizeof given);
}

/* Room for every setting's name and value in the stored text, and for the
 * list of names an update changed (checked below, at compile time). */
#define SETTINGS_TEXT_MAX 1024
_Static_assert(SETTING_COUNT *(32 + 12) < SETTINGS_TEXT_MAX, "settings text buffer too small");

static void format_settings(const rf_program_settings *s, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < SETTING_COUNT && len < size; i++) {
        int v = *setting_slot((rf_program_settings *)s, &settings_table[i]);
        len +=
            (size_t)snprintf(out + len, size - len, "%s%s=%d", i > 0 ? ";" : "", settings_table[i].name, v);
    }
}

static void parse_settings(const char *text, rf_program_settings *s)
{
    *s = defaults;
    for (const char *p = text; p != NULL && *p != '\0';) {
        const char *end = strchr(p, ';');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        for (size_t i = 0; eq != NULL && i < SETTING_COUNT; i++) {
            if ((size_t)(eq - p) == strlen(settings_table[i].name) &&
                strncmp(p, settings_table[i].name, (size_t)(eq - p)) == 0) {
                *setting_slot(s, &settings_table[i]) = atoi(eq + 1);
            }
        }
        p = end != NULL ? end + 1 : NULL;
    }
}

/* Apply the settings given in @o to @s, checking ranges; list the names changed. */
static rf_status apply_settings(const rf_program_options *o, rf_program_settings *s, char *changed,
                                size_t size)
{
    int values[SETTING_COUNT];
    given_values(o, values);
    changed[0] = '\0';
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        const setting *def = &settings_table[i];
        if (values[i] == RF_UNSET) {
            continue;
        }
        if (values[i] < def->lo || values[i] > def->hi) {
            return rf__error(RF_EINVALID, RF_ERRCLASS_PROGRAM, "%s %d is out of range (%d to %d)", def->name,
                             values[i], def->lo, def->hi);
        }
        int *slot = setting_slot(s, def);
        if (*slot != values[i]) {
            *slot = values[i];
            size_t len = strlen(changed);
            snprintf(changed + len, size - len, "%s%s", len > 0 ? "," : "", def->name);
        }
    }
    return RF_OK;
}

/* --- handles ------------------------------------------------------------------ */

rf_program *rf__program_from_record(const rf_program_record *rec)
{
    static const size_t offsets[] = {offsetof(rf_program, r.id), offsetof(rf_program, r.name),
                                     offsetof(rf_program, r.settings)};
    const char *values[] = {rec->id, rec->name, rec->settings};
    rf_program *p = rf__pack(sizeof *p, 3, offsets, values);
    if (p != NULL) {
        p->r.created_at = rec->created_at;
        p->r.updated_at = rec->updated_at;
        parse_settings(rec->settings, &p->s);
    }
    return p;
}

void rf_program_free(rf_program *program)
{
    free(program);
}

static rf_status loaded(int rc, const rf_program_record *rec, rf_program **out, const char *what,
                        const char *value, rf_store *store)
{
    if (rc == RF_ENOTFOUND) {
        return rf__error(RF_ENOTFOUND, RF_ERRCLASS_PROGRAM, "no programme with %s '%.64s' in practice '%s'",
                         what, value, store->practice);
    }
    if (rc != RF_OK) {
        return (rf_status)rc;
    }
    *out = rf__program_from_record(rec);
    return *out != NULL ? RF_OK : RF_ENOMEM;
}

rf_status rf__program_load(rf_store *store, const char *id, rf_program **out)
{
    rf_program_record rec;
    memset(&rec, 0, sizeof rec);
    int rc = store->backend->program_get(store->backend, store->practice, id, &rec);
    return loaded(rc, &rec, out, "id", id, store);
}

/* --- calls -------------------------------------------------------------------- */

rf_status rf_program_options_init(rf_program_options *opts, unsigned int version)
{
    static const rf_program_options init = RF_PROGRAM_OPTIONS_INIT;
    /* A caller built against an older version has a shorter struct: never write past it. */
    size_t size = version == 1   ? offsetof(rf_program_options, clawback)
                  : version == 2 ? offsetof(rf_program_options, ask_enabled)
                                 : sizeof init;
    return rf__options_init(opts, size, &init, version, "rf_program_options", "RF_PROGRAM_OPTIONS_INIT");
}

static rf_status check_common(rf_store *store, const rf_program_options *o)
{
    rf_status rc;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(o, "opts")) != RF_OK ||
        (rc = rf__store_require(store, 2, "programmes")) != RF_OK ||
        (rc = rf__check_version("rf_program_options", o->version, RF_PROGRAM_OPTIONS_VERSION,
                                "RF_PROGRAM_OPTIONS_INIT")) != RF_OK ||
        (rc = rf__check_text("name", o->name, RF_LABEL_MAX, 0, RF_ERRCLASS_PROGRAM)) != RF_OK ||
        (rc = rf__idem_check_key(o->idempotency_key)) != RF_OK) {
        return rc;
    }
    if (o->name != NULL && o->name[0] == '\0') {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PROGRAM, "name must not be empty");
    }
    return RF_OK;
}

/* A create is fingerprinted by the settings it results in, so a retry that
 * spells a default out (as the Python facade does) is the same request as one
 * that leaves it unset. An update is fingerprinted by the changes it asks for. */
static void fingerprint_program(rf_fingerprint *fp, const char *operation, const char *id, const char *name,
                                const int values[SETTING_COUNT])
{
    rf__fp_init(fp, operation);
    rf__fp_str(fp, id);
    rf__fp_str(fp, name);
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        rf__fp_int(fp, values[i]);
    }
}

static void settings_values(const rf_program_settings *s, int values[SETTING_COUNT])
{
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        values[i] = *setting_slot((rf_program_settings *)s, &settings_table[i]);
    }
}

/* Write (insert or update) @rec with @settings, journal it, remember the key, and hand back a handle. */
static rf_status write_program(rf_program **out, rf_store *store, rf_program_record *rec,
                               const rf_program_settings *settings, int insert, const char *data,
                               const rf_program_options *o, const rf_fingerprint *fp, const char *operation)
{
    char text[SETTINGS_TEXT_MAX];
    format_settings(settings, text, sizeof text);
    rec->settings = text;
    rec->updated_at = rf_store_now(store);
    rf_program_record other;
    memset(&other, 0, sizeof other);
    int rc = store->backend->program_get_by_name(store->backend, store->practice, rec->name, &other);
    if (rc == RF_OK && strcmp(other.id, rec->id) != 0) {
        return rf__error(RF_EEXISTS, RF_ERRCLASS_PROGRAM, "a programme called '%s' already exists (%s)",
                         rec->name, other.id);
    }
    if (rc != RF_OK && rc != RF_ENOTFOUND) {
        return (rf_status)rc;
    }
    rc = insert ? store->backend->program_insert(store->backend, store->practice, rec)
                : store->backend->program_update(store->backend, store->practice, rec);
    if (rc == RF_OK) {
        rc = rf__journal_append(store, insert ? RF_EVENT_PROGRAM_CREATED : RF_EVENT_PROGRAM_UPDATED, rec->id,
                                NULL, o->idempotency_key, data);
    }
    if (rc == RF_OK) {
        rc = rf__idem_remember(store, o->idempotency_key, operation, fp, rec->id);
    }
    if (rc == RF_OK && out != NULL && (*out = rf__program_from_record(rec)) == NULL) {
        rc = RF_ENOMEM;
    }
    return (rf_status)rc;
}

rf_status rf_program_create(rf_program **out, rf_store *store, const rf_program_options *opts)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = check_common(store, opts)) != RF_OK) {
        return rc;
    }
    if (opts->name == NULL) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_PROGRAM, "name is required");
    }
    rf_program_settings settings = defaults;
    char changed[SETTINGS_TEXT_MAX];
    if ((rc = apply_settings(opts, &settings, changed, sizeof changed)) != RF_OK) {
        return rc;
    }
    rf_fingerprint fp;
    int values[SETTING_COUNT];
    settings_values(&settings, values);
    fingerprint_program(&fp, "program.create", NULL, opts->name, values);
    if ((rc = rf__tx_begin(store)) != RF_OK) {
        return rc;
    }
    char replay_id[RF_ID_BUFSIZE], id[RF_ID_BUFSIZE];
    if ((rc = rf__idem_replay(store, opts->idempotency_key, "program.create", &fp, replay_id)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    if (replay_id[0] != '\0') {
        rf__tx_close_unchanged(store);
        return rf__program_load(store, replay_id, out);
    }
    rf__store_new_id(store, id);
    rf_program_record rec = {id, opts->name, NULL, rf_store_now(store), 0};
    rf_program *p = NULL;
    if ((rc = write_program(&p, store, &rec, &settings, 1, NULL, opts, &fp, "program.create")) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    if ((rc = rf__tx_commit(store)) != RF_OK) {
        rf_program_free(p);
        return rc;
    }
    *out = p;
    return RF_OK;
}

rf_status rf_program_update(rf_program **out, rf_store *store, const char *id,
                            const rf_program_options *changes)
{
    if (out != NULL) {
        *out = NULL;
    }
    rf_status rc;
    if ((rc = check_common(store, changes)) != RF_OK || (rc = rf__check_arg(id, "id")) != RF_OK) {
        return rc;
    }
    rf_fingerprint fp;
    int values[SETTING_COUNT];
    given_values(changes, values);
    fingerprint_program(&fp, "program.update", id, changes->name, values);
    if ((rc = rf__tx_begin(store)) != RF_OK) {
        return rc;
    }
    char replay_id[RF_ID_BUFSIZE];
    if ((rc = rf__idem_replay(store, changes->idempotency_key, "program.update", &fp, replay_id)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    if (replay_id[0] != '\0') {
        rf__tx_close_unchanged(store);
        return out != NULL ? rf__program_load(store, replay_id, out) : RF_OK;
    }
    rf_program *current = NULL;
    if ((rc = rf__program_load(store, id, &current)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    rf_program_settings settings = current->s;
    char changed[SETTINGS_TEXT_MAX], data[SETTINGS_TEXT_MAX + 16];
    rf_program_record rec = current->r;
    if ((rc = apply_settings(changes, &settings, changed, sizeof changed)) == RF_OK &&
        changes->name != NULL && strcmp(changes->name, rec.name) != 0) {
        rec.name = changes->name;
        size_t len = strlen(changed);
        snprintf(changed + len, sizeof changed - len, "%sname", len > 0 ? "," : "");
    }
    snprintf(data, sizeof data, "fields=%s", changed);
    rf_program *p = NULL;
    if (rc == RF_OK && changed[0] == '\0') {
        /* Nothing changes: no write, no journal entry; the key still records the answer. */
        rc = rf__idem_remember(store, changes->idempotency_key, "program.update", &fp, rec.id);
        if (rc == RF_OK && out != NULL && (p = rf__program_from_record(&rec)) == NULL) {
            rc = RF_ENOMEM;
        }
    } else if (rc == RF_OK) {
        rc = write_program(&p, store, &rec, &settings, 0, data, changes, &fp, "program.update");
    }
    rf_program_free(current);
    if (rc != RF_OK) {
        rf_program_free(p);
        return rf__tx_abort(store, rc);
    }
    if ((rc = rf__tx_commit(store)) != RF_OK) {
        rf_program_free(p);
        return rc;
    }
    if (out != NULL) {
        *out = p;
    } else {
        rf_program_free(p);
    }
    return RF_OK;
}

rf_status rf_program_get(rf_program **out, rf_store *store, const char *id)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(id, "id")) != RF_OK ||
        (rc = rf__store_require(store, 2, "programmes")) != RF_OK) {
        return rc;
    }
    return rf__program_load(store, id, out);
}

rf_status rf_program_find(rf_program **out, rf_store *store, const char *name)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(name, "name")) != RF_OK ||
        (rc = rf__store_require(store, 2, "programmes")) != RF_OK) {
        return rc;
    }
    rf_program_record rec;
    memset(&rec, 0, sizeof rec);
    int brc = store->backend->program_get_by_name(store->backend, store->practice, name, &rec);
    return loaded(brc, &rec, out, "name", name, store);
}

/* --- listing -------------------------------------------------------------------- */

struct rf_program_iter {
    rf_store *store;
    rf_record_page page;
};

static int collect_program(const rf_program_record *rec, void *payload)
{
    return rf__page_add(payload, rf__program_from_record(rec), rec->id);
}

static rf_status fetch_programs(void *iter_ptr, rf_record_page *page)
{
    rf_program_iter *it = iter_ptr;
    return (rf_status)it->store->backend->program_scan(it->store->backend, it->store->practice,
                                                       page->last_id[0] != '\0' ? page->last_id : NULL,
                                                       RF_PAGE_SIZE, collect_program, page);
}

rf_status rf_program_list(rf_program_iter **out, rf_store *store)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = rf__check_arg(store, "store")) != RF_OK ||
        (rc = rf__store_require(store, 2, "programmes")) != RF_OK) {
        return rc;
    }
    rf_program_iter *it = rf__calloc(1, sizeof *it);
    if (it == NULL) {
        return RF_ENOMEM;
    }
    it->store = store;
    rf__page_init(&it->page, fetch_programs, it, (void (*)(void *))rf_program_free);
    *out = it;
    return RF_OK;
}

rf_status rf_program_iter_next(rf_program **out, rf_program_iter *iter)
{
    return rf__iter_next((void **)out, iter, iter != NULL ? &iter->page : NULL);
}

void rf_program_iter_free(rf_program_iter *iter)
{
    rf__iter_free(iter, iter != NULL ? &iter->page : NULL);
}
