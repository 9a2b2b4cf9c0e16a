/* clang-format off */
/**
 * @file referral/templates.h
 * @brief Message templates: the words of every task, built in and replaceable.
 *
 * Each outbox task names a message (rf_task_template()): `thank_referrer`,
 * `referee_intro.1` .. `.3`, `partner.scheduled`, `partner.visit_summary`,
 * `partner.closure`, `status_notice`, `tier_nudge`, `reward_notice`,
 * `reward_notice.held`, `sla_breach`, and the asks `ask.<sms|email|in_person>.<new|long>`
 * (the client's channel, and a new or long-standing client). libreferral
 * ships a warm default for each; a practice replaces any of them for the
 * whole practice or for one programme with rf_template_save(), and
 * rf_template_get() finds the one that applies: the programme's, else the
 * practice's, else the built-in one.
 *
 * **The language.** Text with placeholders `{{referrer.first_name}}`, an
 * optional fallback for an absent value `{{referrer.first_name|a friend}}`,
 * and quoted literals `{{"{{"}}` for braces themselves. A template is checked
 * when it is saved: an unknown placeholder, unterminated or stray braces,
 * invalid UTF-8, control characters other than line feed and tab, more than
 * 16 KiB or 256 placeholders are refused with a message naming the problem
 * and its byte offset. The placeholders:
 * | name | value |
 * |------|-------|
 * | recipient.first_name, recipient.name | who the task is for |
 * | referrer.first_name, referrer.name | the referrer (to a referee only if the referrer consented to be named) |
 * | referee.first_name, referee.name | the referee (to a client referrer: initials, unless the referee shares contact) |
 * | referee.email, referee.phone | the referee's contact (to the referrer only if the referee opted in) |
 * | code.text, code.link | the recipient's code in the programme (to a referee: the code they came with) |
 * | practice.name | from ::rf_render_options |
 * | practitioner.name | the referral's practitioner, or the client's |
 * | referral.state, referral.appointment | the referral's state and appointment (`2026-03-12 10:00 UTC`) |
 * | reward.description | a reward notice's grant (`EUR 15.00 account credit`) |
 * | tier.count, tier.next, tier.to_next | a tier nudge's figures |
 * | sla.due | when the first response was due |
 *
 * Each message offers the placeholders that make sense for it: every message
 * the recipient.*, practice.name, practitioner.name and code.* ones; messages
 * about a referral also referrer.*, referee.* and referral.*; tier_nudge
 * tier.*, reward_notice(.held) reward.description, sla_breach sla.due. A
 * partner referrer (a GP) is told the referee's name — their own patient —
 * while a client referrer sees initials unless the referee shares contact;
 * contact details reach either only with that opt-in. A client referrer sees
 * referral.appointment only if the referee shares contact, and
 * referral.state in the referrer's words (booked, seen, complete).
 *
 * **Rendering** (rf_task_render()) escapes values for the task's channel:
 * HTML for e-mail, as they are for SMS and in-person scripts; the template's
 * own text is written as it is.
 */
/* clang-format on */
#ifndef REFERRAL_TEMPLATES_H
#define REFERRAL_TEMPLATES_H

#include "common.h"
#include "errors.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A message template, owned by the caller. Free with rf_template_free(). */
typedef struct rf_template rf_template;

/** Where the template that applies comes from. */
typedef enum rf_template_source {
    RF_TEMPLATE_SOURCE_UNSET = 0,
    RF_TEMPLATE_BUILT_IN = 1, /**< libreferral's default */
    RF_TEMPLATE_PRACTICE = 2, /**< saved for the whole practice */
    RF_TEMPLATE_PROGRAM = 3   /**< saved for one programme */
} rf_template_source;

/** The message names, in a fixed order: name @p i of 0..; NULL past the last. Static. */
RF_API const char *rf_template_name_at(size_t i);

/** A template to save with rf_template_save(). */
typedef struct rf_template_options {
    unsigned int version;   /**< the struct version: RF_TEMPLATE_OPTIONS_VERSION */
    const char *program_id; /**< the programme it is for; NULL: the whole practice */
    const char *name;       /**< required: one of the message names */
    const char *subject;    /**< e-mail subject line (same language), or NULL */
    const char *body;       /**< required: the text */
    /** Optional: a retried call with the same key returns the first result and changes nothing. */
    const char *idempotency_key;
} rf_template_options;

/** The newest version of ::rf_template_options this header describes. */
#define RF_TEMPLATE_OPTIONS_VERSION 1
/** Static initialiser of ::rf_template_options: nothing set. */
#define RF_TEMPLATE_OPTIONS_INIT                                                                             \
    {                                                                                                        \
        RF_TEMPLATE_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL                                            \
    }

/** Initialise @p opts to "nothing set" for structure version @p version. */
RF_API rf_status rf_template_options_init(rf_template_options *opts, unsigned int version);

/**
 * Check and save a template, replacing the one saved before for the same
 * programme (or practice) and name; journal `template.saved`. An empty
 * subject is no subject; an empty body is refused; saving the same words
 * again changes nothing.
 * @return ::RF_OK; ::RF_EINVALID (unknown name, a malformed text: the message
 *         says what and where); ::RF_ENOTFOUND (programme); ::RF_ECONFLICT; ::RF_EBACKEND
 */
RF_API rf_status rf_template_save(rf_template **out, rf_store *store, const rf_template_options *opts);

/**
 * The template that applies to message @p name in @p program_id (NULL: the
 * practice's): the programme's, else the practice's, else the built-in one.
 * ::RF_EINVALID (unknown name); ::RF_ENOTFOUND (programme).
 */
RF_API rf_status rf_template_get(rf_template **out, rf_store *store, const char *program_id,
                                 const char *name);

/** Free a template. Accepts NULL. */
RF_API void rf_template_free(rf_template *template_);

/** @name Template accessors
 * Strings are borrowed from the template.
 * @{ */
RF_API const char *rf_template_name(const rf_template *template_);
/** The programme it was saved for, or NULL (practice-wide or built in). */
RF_API const char *rf_template_program_id(const rf_template *template_);
RF_API rf_template_source rf_template_get_source(const rf_template *template_);
/** The subject line, or NULL. */
RF_API const char *rf_template_subject(const rf_template *template_);
RF_API const char *rf_template_body(const rf_template *template_);
/** When it was saved, or 0 for a built-in template. */
RF_API rf_time rf_template_updated_at(const rf_template *template_);
/** @} */

/** What the host adds when rendering. */
typedef struct rf_render_options {
    unsigned int version;      /**< the struct version: RF_RENDER_OPTIONS_VERSION */
    const char *practice_name; /**< for {{practice.name}} */
    /** Prefix of {{code.link}}: the code's text is appended (e.g. `https://clinic.example/r/`). */
    const char *link_base;
} rf_render_options;

/** The newest version of ::rf_render_options this header describes. */
#define RF_RENDER_OPTIONS_VERSION 1
/** Static initialiser of ::rf_render_options: nothing set. */
#define RF_RENDER_OPTIONS_INIT                                                                               \
    {                                                                                                        \
        RF_RENDER_OPTIONS_VERSION, NULL, NULL                                                                \
    }

/** Initialise @p opts to "nothing set" for structure version @p version. */
RF_API rf_status rf_render_options_init(rf_render_options *opts, unsigned int version);

/**
 * Render task @p task_id's message with the template that applies, escaped
 * for the task's channel. @p subject_out (may be NULL; NULL when the template
 * has no subject) and @p body_out receive new strings; free them with
 * rf_free(). Values the recipient may not see (see the file comment) are
 * absent: their fallback, or nothing, is written.
 * @return ::RF_OK; ::RF_ENOTFOUND (task); ::RF_EINVALID (a task without a
 *         message, a value the host stored that cannot be shown, the output
 *         over 64 KiB)
 */
RF_API rf_status rf_task_render(char **subject_out, char **body_out, rf_store *store, const char *task_id,
                                const rf_render_options *opts);

#ifdef __cplusplus
}
#endif

#endif /* REFERRAL_TEMPLATES_H */
