/* Shorthands for the message template cases (template_cases.c and
 * template_render_cases.c). */
#ifndef RF_CONFORMANCE_TEMPLATE_SUPPORT_H
#define RF_CONFORMANCE_TEMPLATE_SUPPORT_H

#include "story_support.h"

/* rf_template_save of @name for @program_id (NULL: the practice) that must succeed. */
rf_template *save_template(fixture *fx, const char *program_id, const char *name, const char *subject,
                           const char *body);
/* rf_template_save's status for the same arguments; the result is freed. */
rf_status try_save(fixture *fx, const char *program_id, const char *name, const char *subject,
                   const char *body);

/* Everything snapshot() shows plus every template that applies to the
 * practice and to @program_id (may be NULL). Free with free(). */
char *template_snapshot(fixture *fx, const char *program_id);

/* A task's rendering: subject (NULL when none) and body. */
typedef struct rendered {
    char *subject;
    char *body;
} rendered;
/* rf_task_render of @task with @practice_name and @link_base (NULL: not
 * set); must succeed and change nothing. */
rendered render_task(fixture *fx, const rf_task *task, const char *practice_name, const char *link_base);
void rendered_free(rendered *r);

extern const struct CMUnitTest template_cases[];
extern const size_t template_case_count;
extern const struct CMUnitTest template_render_cases[];
extern const size_t template_render_case_count;

#endif
