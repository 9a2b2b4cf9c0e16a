/* Message templates: saving a practice's or a programme's own words, and
 * finding the template that applies (the programme's, else the practice's,
 * else the built-in one). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "referral/journal.h"
#include "core/referrals.h"
#include "core/templates_internal.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/text.h"

#define SAVE_OPERATION "template.save"

const char *rf_template_name_at(size_t i)
{
    const rf__builtin_template *t = rf__template_builtin(i);
    return t != NULL ? t->name : NULL;
}

rf_status rf_template_options_init(rf_template_options *opts, unsigned int version)
{
    static const rf_template_options init = RF_TEMPLATE_OPTIONS_INIT;
    return rf__options_init(opts, sizeof init, &init, version, "rf_template_options",
                            "RF_TEMPLATE_OPTIONS_INIT");
}

rf_status rf_render_options_init(rf_render_options *opts, unsigned int version)
{
    static const rf_render_options init = RF_RENDER_OPTIONS_INIT;
    return rf__options_init(opts, sizeof init, &init, version, "rf_render_options", "RF_RENDER_OPTIONS_INIT");
}

void rf__template_rules_for(rf__template_rules *rules, size_t index, int subject, char what[96])
{
    const rf__builtin_template *t = rf__template_builtin(index);
    snprintf(what, 96, "%s'%s'", subject ? "the subject of template " : "template ",
             t != NULL ? t->name : "?");
    memset(rules, 0, sizeof *rules);
    rules->what = what;
    rules->klass = RF_ERRCLASS_OUTBOX;
    rules->known = rf__template_known(index);
    rules->single_line = subject;
    if (subject) {
        rules->max_bytes = RF_TEMPLATE_SUBJECT_MAX;
    }
}

/* --- handles ------------------------------------------------------------------------ */

static rf_template *template_new(const char *name, const char *program_id, const char *subject,
                                 const char *body, rf_template_source source, rf_time updated_at)
{
    static const size_t offsets[] = {offsetof(rf_template, name), offsetof(rf_template, program_id),
                                     offsetof(rf_template, subject), offsetof(rf_template, body)};
    const char *values[] = {name, program_id, subject, body};
    rf_template *t = rf__pack(sizeof *t, 4, offsets, values);
    if (t == NULL) {
        return NULL;
    }
    t->source = source;
    t->updated_at = updated_at;
    return t;
}

static rf_template *template_from_record(const rf_template_record *rec)
{
    return template_new(rec->name, rec->program_id, rec->subject, rec->body,
                        rec->program_id != NULL ? RF_TEMPLATE_PROGRAM : RF_TEMPLATE_PRACTICE,
                        rec->updated_at);
}

void rf_template_free(rf_template *template_)
{
    free(template_);
}

const char *rf_template_name(const rf_template *t)
{
    return t != NULL ? t->name : NULL;
}

const char *rf_template_program_id(const rf_template *t)
{
    return t != NULL ? t->program_id : NULL;
}

rf_template_source rf_template_get_source(const rf_template *t)
{
    return t != NULL ? t->source : RF_TEMPLATE_SOURCE_UNSET;
}

const char *rf_template_subject(const rf_template *t)
{
    return t != NULL ? t->subject : NULL;
}

const char *rf_template_body(const rf_template *t)
{
    return t != NULL ? t->body : NULL;
}

rf_time rf_template_updated_at(const rf_template *t)
{
    return t != NULL ? t->updated_at : RF_TIME_NONE;
}

/* --- finding the one that applies ---------------------------------------------------- */

/* The template saved for @program_id (NULL: the practice) called @name, as a
 * handle; RF_ENOTFOUND (not recorded) when there is none. */
static rf_status load_saved(rf_store *store, const char *program_id, const char *name, rf_template **out)
{
    rf_template_record rec;
    memset(&rec, 0, sizeof rec);
    int rc = store->backend->template_get_by_name(store->backend, store->practice, program_id, name, &rec);
    if (rc != RF_OK) {
        return (rf_status)rc;
    }
    *out = template_from_record(&rec);
    return *out != NULL ? RF_OK : RF_ENOMEM;
}

rf_status rf__template_resolve(rf_store *store, const char *program_id, size_t index, rf_template **out)
{
    *out = NULL;
    const rf__builtin_template *b = rf__template_builtin(index);
    rf_status rc = program_id != NULL ? load_saved(store, program_id, b->name, out) : RF_ENOTFOUND;
    if (rc == RF_ENOTFOUND) {
        rc = load_saved(store, NULL, b->name, out);
    }
    if (rc == RF_ENOTFOUND) {
        *out = template_new(b->name, NULL, b->subject, b->body, RF_TEMPLATE_BUILT_IN, 0);
        rc = *out != NULL ? RF_OK : RF_ENOMEM;
    }
    return rc;
}

/* The index of message @name, or RF_EINVALID naming the known names. */
static rf_status check_name(const char *name, size_t *index)
{
    rf_status rc = rf__check_text("name", name, RF_LABEL_MAX, 1, RF_ERRCLASS_OUTBOX);
    if (rc != RF_OK) {
        return rc;
    }
    int i = rf__template_index(name);
    if (i < 0) {
        char q[RF_QUOTE_BUFSIZE], list[512];
        size_t used = 0;
        list[0] = '\0';
        for (size_t k = 0; rf_template_name_at(k) != NULL && used < sizeof list; k++) {
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", k > 0 ? ", " : "",
                                     rf_template_name_at(k));
        }
        return rf__error(RF_EINVALID, RF_ERRCLASS_OUTBOX, "unknown message name '%s'; the messages are %s",
                         rf__text_quote(q, name, strlen(name)), list);
    }
    *index = (size_t)i;
    return RF_OK;
}

static rf_status check_program(rf_store *store, const char *program_id)
{
    if (program_id == NULL) {
        return RF_OK;
    }
    rf_program *p = NULL;
    rf_status rc = rf__program_load(store, program_id, &p);
    rf_program_free(p);
    return rc;
}

rf_status rf_template_get(rf_template **out, rf_store *store, const char *program_id, const char *name)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    size_t index = 0;
    if ((rc = rf__check_arg(store, "store")) != RF_OK ||
        (rc = rf__store_require(store, 4, "message templates")) != RF_OK ||
        (rc = check_name(name, &index)) != RF_OK ||
        (rc = rf__check_text("program_id", program_id, RF_LABEL_MAX, 0, RF_ERRCLASS_OUTBOX)) != RF_OK ||
        (rc = check_program(store, program_id)) != RF_OK) {
        return rc;
    }
    return rf__template_resolve(store, program_id, index, out);
}

/* --- saving -------------------------------------------------------------------------- */

static rf_status check_texts(const rf_template_options *o, size_t index)
{
    char what[96];
    rf__template_rules rules;
    rf__template_rules_for(&rules, index, 0, what);
    if (o->body == NULL || o->body[0] == '\0') {
        return rf__error(RF_EINVALID, RF_ERRCLASS_OUTBOX, "%s needs a body: the text of the message", what);
    }
    rf_status rc = rf__template_check(NULL, o->body, &rules);
    if (rc == RF_OK && o->subject != NULL) {
        rf__template_rules_for(&rules, index, 1, what);
        rc = rf__template_check(NULL, o->subject, &rules);
    }
    return rc;
}

static int same_text(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Insert or replace the record in the caller's transaction. Saving the same
 * words again writes nothing (a key still remembers its result). */
static rf_status write_template(rf_store *store, rf_template_record *rec, const char *key,
                                const rf_fingerprint *fp, rf_template **result)
{
    rf_template_record current;
    memset(&current, 0, sizeof current);
    int brc = store->backend->template_get_by_name(store->backend, store->practice, rec->program_id,
                                                   rec->name, &current);
    if (brc != RF_OK && brc != RF_ENOTFOUND) {
        return (rf_status)brc;
    }
    char id[RF_ID_BUFSIZE];
    rf_time now = rf_store_now(store);
    if (brc == RF_OK) {
        /* The backend's strings last until its next call: use them now. */
        snprintf(id, sizeof id, "%s", current.id);
        if (same_text(current.subject, rec->subject) && same_text(current.body, rec->body)) {
            *result = template_from_record(&current);
            return *result != NULL ? rf__idem_remember(store, key, SAVE_OPERATION, fp, id) : RF_ENOMEM;
        }
        rec->id = id;
        rec->created_at = current.created_at;
        rec->updated_at = now;
        brc = store->backend->template_update(store->backend, store->practice, rec);
    } else {
        rf__store_new_id(store, id);
        rec->id = id;
        rec->created_at = rec->updated_at = now;
        brc = store->backend->template_insert(store->backend, store->practice, rec);
    }
    if (brc == RF_EEXISTS || brc == RF_ENOTFOUND) {
        return rf__error(RF_ECONFLICT, RF_ERRCLASS_OUTBOX,
                         "template '%s' was saved by another writer at the same time; read it and try again",
                         rec->name);
    }
    char data[96];
    snprintf(data, sizeof data, "name=%s", rec->name);
    rf_status rc;
    if ((rc = (rf_status)brc) != RF_OK ||
        (rc = rf__journal_append(store, RF_EVENT_TEMPLATE_SAVED, rec->id, rec->program_id, key, data)) !=
            RF_OK ||
        (rc = rf__idem_remember(store, key, SAVE_OPERATION, fp, rec->id)) != RF_OK) {
        return rc;
    }
    *result = template_from_record(rec);
    return *result != NULL ? RF_OK : RF_ENOMEM;
}

rf_status rf_template_save(rf_template **out, rf_store *store, const rf_template_options *o)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    size_t index = 0;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(o, "opts")) != RF_OK ||
        (rc = rf__store_require(store, 4, "message templates")) != RF_OK ||
        (rc = rf__check_version("rf_template_options", o->version, RF_TEMPLATE_OPTIONS_VERSION,
                                "RF_TEMPLATE_OPTIONS_INIT")) != RF_OK ||
        (rc = check_name(o->name, &index)) != RF_OK ||
        (rc = rf__check_text("program_id", o->program_id, RF_LABEL_MAX, 0, RF_ERRCLASS_OUTBOX)) != RF_OK ||
        (rc = check_texts(o, index)) != RF_OK || (rc = rf__idem_check_key(o->idempotency_key)) != RF_OK) {
        return rc;
    }
    rf_template_record rec;
    memset(&rec, 0, sizeof rec);
    rec.program_id = o->program_id;
    rec.name = rf__template_builtin(index)->name;
    /* An empty subject line is no subject. */
    rec.subject = o->subject != NULL && o->subject[0] != '\0' ? o->subject : NULL;
    rec.body = o->body;
    rec.channel = (int)rf__template_channel(index);
    rf_fingerprint fp;
    rf__fp_init(&fp, SAVE_OPERATION);
    rf__fp_str(&fp, rec.program_id);
    rf__fp_str(&fp, rec.name);
    rf__fp_str(&fp, rec.subject);
    rf__fp_str(&fp, rec.body);
    char replay_id[RF_ID_BUFSIZE];
    if ((rc = rf__tx_begin(store)) != RF_OK) {
        return rc;
    }
    if ((rc = rf__idem_replay(store, o->idempotency_key, SAVE_OPERATION, &fp, replay_id)) != RF_OK ||
        (rc = check_program(store, o->program_id)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    if (replay_id[0] != '\0') {
        /* The template keeps its id when replaced: the one with this name is the first result. */
        rf__tx_close_unchanged(store);
        return rf__template_resolve(store, rec.program_id, index, out);
    }
    rf_template *t = NULL;
    if ((rc = write_template(store, &rec, o->idempotency_key, &fp, &t)) != RF_OK) {
        rf_template_free(t);
        return rf__tx_abort(store, rc);
    }
    if ((rc = rf__tx_commit(store)) != RF_OK) {
        rf_template_free(t);
        return rc;
    }
    *out = t;
    return RF_OK;
}
