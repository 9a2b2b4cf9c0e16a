/* Internal: message templates shared by the template modules — the built-in
 * scripts and the placeholders each message offers (template_defaults.c),
 * resolution and checking (template_store.c), rendering (task_render.c). */
#ifndef RF_CORE_TEMPLATES_INTERNAL_H
#define RF_CORE_TEMPLATES_INTERNAL_H

#include "referral/code.h"
#include "referral/templates.h"
#include "util/template.h"

/* A subject is one line: far shorter than a body. */
#define RF_TEMPLATE_SUBJECT_MAX 512

/* The number of message names (rf_template_name_at). */
#define RF_TEMPLATE_COUNT 18

/* A built-in script: static strings; subject NULL when it has none. */
typedef struct rf__builtin_template {
    const char *name;
    const char *subject;
    const char *body;
} rf__builtin_template;

/* Message @index in the fixed order, or NULL past the last. */
const rf__builtin_template *rf__template_builtin(size_t index);
/* The index of message @name, or -1 for a name that is not a message's. */
int rf__template_index(const char *name);
/* The placeholders message @index offers: NULL-terminated, static. */
const char *const *rf__template_known(size_t index);
/* The channel message @index is written for (asks), or RF_CHANNEL_UNSET. */
rf_channel rf__template_channel(size_t index);

struct rf_template {
    const char *name;
    const char *program_id;
    const char *subject;
    const char *body;
    rf_template_source source;
    rf_time updated_at;
};

/* The rules message @index is checked and rendered with: the body's, or the
 * subject's (one line) when @subject. @what receives the messages' start
 * ("template 'thank_referrer'") and must outlive the rules. */
void rf__template_rules_for(rf__template_rules *rules, size_t index, int subject, char what[96]);

/* The template that applies to message @index in @program_id (NULL: the
 * practice), read in the caller's transaction, without argument checks. */
rf_status rf__template_resolve(rf_store *store, const char *program_id, size_t index, rf_template **out);

#endif
