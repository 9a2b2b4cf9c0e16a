/* Message templates: the built-in scripts, saving a practice's and a
 * programme's own, which one applies, and what a save refuses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template_support.h"

/* --- support (shared with template_render_cases.c) ------------------------------------ */

static rf_template_options template_options(const char *program_id, const char *name, const char *subject,
                                            const char *body)
{
    rf_template_options o = RF_TEMPLATE_OPTIONS_INIT;
    o.program_id = program_id;
    o.name = name;
    o.subject = subject;
    o.body = body;
    return o;
}

rf_template *save_template(fixture *fx, const char *program_id, const char *name, const char *subject,
                           const char *body)
{
    rf_template_options o = template_options(program_id, name, subject, body);
    rf_template *t = NULL;
    assert_ok(rf_template_save(&t, fx->store, &o));
    assert_non_null(t);
    return t;
}

rf_status try_save(fixture *fx, const char *program_id, const char *name, const char *subject,
                   const char *body)
{
    rf_template_options o = template_options(program_id, name, subject, body);
    rf_template *t = NULL;
    rf_status rc = rf_template_save(&t, fx->store, &o);
    if (rc != RF_OK) {
        assert_null(t);
    }
    rf_template_free(t);
    return rc;
}

static void append(char **s, size_t *len, const char *text)
{
    size_t n = strlen(text);
    *s = realloc(*s, *len + n + 1);
    assert_non_null(*s);
    memcpy(*s + *len, text, n + 1);
    *len += n;
}

char *template_snapshot(fixture *fx, const char *program_id)
{
    char *s = snapshot(fx->store);
    size_t len = strlen(s);
    const char *scopes[] = {NULL, program_id};
    for (size_t k = 0; k < (program_id != NULL ? 2u : 1u); k++) {
        for (size_t i = 0; rf_template_name_at(i) != NULL; i++) {
            rf_template *t = NULL;
            assert_ok(rf_template_get(&t, fx->store, scopes[k], rf_template_name_at(i)));
            char head[160];
            snprintf(head, sizeof head, "\ntemplate %s/%s source=%d at=%lld subject=", scopes[k] ? "p" : "-",
                     rf_template_name(t), (int)rf_template_get_source(t),
                     (long long)rf_template_updated_at(t));
            append(&s, &len, head);
            append(&s, &len, rf_template_subject(t) != NULL ? rf_template_subject(t) : "(none)");
            append(&s, &len, " body=");
            append(&s, &len, rf_template_body(t));
            rf_template_free(t);
        }
    }
    return s;
}

rendered render_task(fixture *fx, const rf_task *task, const char *practice_name, const char *link_base)
{
    rf_render_options o = RF_RENDER_OPTIONS_INIT;
    o.practice_name = practice_name;
    o.link_base = link_base;
    rendered r = {NULL, NULL};
    char *before = snapshot(fx->store);
    assert_ok(rf_task_render(&r.subject, &r.body, fx->store, rf_task_id(task), &o));
    assert_non_null(r.body);
    /* Rendering reads only. */
    assert_unchanged(fx->store, before);
    free(before);
    return r;
}

void rendered_free(rendered *r)
{
    rf_free(r->subject);
    rf_free(r->body);
    r->subject = r->body = NULL;
}

/* The template that applies, which must come from @source. */
static rf_template *applies(fixture *fx, const char *program_id, const char *name, rf_template_source source)
{
    rf_template *t = NULL;
    assert_ok(rf_template_get(&t, fx->store, program_id, name));
    assert_non_null(t);
    assert_string_equal(rf_template_name(t), name);
    assert_int_equal(rf_template_get_source(t), source);
    return t;
}

/* --- the message names and the built-in scripts --------------------------------------- */

static const char *const documented_names[] = {
    "thank_referrer",        "referee_intro.1",   "referee_intro.2",   "referee_intro.3", "partner.scheduled",
    "partner.visit_summary", "partner.closure",   "status_notice",     "tier_nudge",      "reward_notice",
    "reward_notice.held",    "sla_breach",        "ask.sms.new",       "ask.sms.long",    "ask.email.new",
    "ask.email.long",        "ask.in_person.new", "ask.in_person.long"};
#define NAME_COUNT (sizeof documented_names / sizeof documented_names[0])

static void names_in_a_fixed_order(void **state)
{
    (void)state;
    for (size_t i = 0; i < NAME_COUNT; i++) {
        assert_non_null(rf_template_name_at(i));
        assert_string_equal(rf_template_name_at(i), documented_names[i]);
    }
    assert_null(rf_template_name_at(NAME_COUNT));
    assert_null(rf_template_name_at((size_t)-1));
}

static int is_ask(const char *name)
{
    return strncmp(name, "ask.", 4) == 0;
}

/* Every built-in script is found when nothing was saved, passes the check a
 * save makes, reads as plain text that is safe as HTML, and keeps the
 * channel's manners: SMS and in-person asks short and without a subject,
 * e-mail asks and every other message with one. */
static void built_in_scripts_pass_the_check(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Built-ins");
    for (size_t i = 0; i < NAME_COUNT; i++) {
        const char *name = documented_names[i];
        rf_template *t = applies(fx, rf_program_id(p), name, RF_TEMPLATE_BUILT_IN);
        assert_null(rf_template_program_id(t));
        assert_int_equal(rf_template_updated_at(t), 0);
        const char *body = rf_template_body(t), *subject = rf_template_subject(t);
        assert_true(strlen(body) > 40);
        assert_null(strpbrk(body, "<>&"));
        int wants_subject = !is_ask(name) || strncmp(name, "ask.email.", 10) == 0;
        if (wants_subject) {
            assert_non_null(subject);
            assert_null(strpbrk(subject, "<>&\n"));
        } else {
            assert_null(subject);
        }
        /* Short: an SMS's words leave room for a link; a script is a few breaths. */
        if (strncmp(name, "ask.sms.", 8) == 0) {
            assert_true(strlen(body) <= 200);
        }
        if (strncmp(name, "ask.sms.", 8) == 0 || strncmp(name, "ask.in_person.", 14) == 0) {
            assert_true(strlen(body) <= 240);
            assert_null(strchr(body, '\n'));
        }
        /* What a save checks: saving the built-in words for a programme is accepted. */
        rf_template *saved = save_template(fx, rf_program_id(p), name, subject, body);
        assert_int_equal(rf_template_get_source(saved), RF_TEMPLATE_PROGRAM);
        assert_string_equal(rf_template_body(saved), body);
        assert_string_or_null(rf_template_subject(saved), subject);
        rf_template_free(saved);
        rf_template_free(t);
    }
    assert_int_equal(count_events(fx, RF_EVENT_TEMPLATE_SAVED), (int)NAME_COUNT);
    rf_program_free(p);
}

/* The scripts differ where the reader differs: new and long-standing
 * clients, and the three steps of the intro sequence. */
static void scripts_differ_by_segment_and_step(void **state)
{
    fixture *fx = *state;
    const char *pairs[][2] = {{"ask.sms.new", "ask.sms.long"},
                              {"ask.email.new", "ask.email.long"},
                              {"ask.in_person.new", "ask.in_person.long"},
                              {"referee_intro.1", "referee_intro.2"},
                              {"referee_intro.2", "referee_intro.3"},
                              {"partner.scheduled", "partner.closure"}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        rf_template *a = applies(fx, NULL, pairs[i][0], RF_TEMPLATE_BUILT_IN);
        rf_template *b = applies(fx, NULL, pairs[i][1], RF_TEMPLATE_BUILT_IN);
        assert_string_not_equal(rf_template_body(a), rf_template_body(b));
        rf_template_free(a);
        rf_template_free(b);
    }
}

/* --- saving and which template applies ----------------------------------------------- */

static void programme_then_practice_then_built_in(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Spring"), *q = outbox_program(fx, "Autumn");
    const char *name = "thank_referrer";

    fx->now += 60;
    rf_template *practice =
        save_template(fx, NULL, name, "Thanks from us", "Thank you, {{recipient.first_name}}.");
    assert_int_equal(rf_template_get_source(practice), RF_TEMPLATE_PRACTICE);
    assert_null(rf_template_program_id(practice));
    assert_int_equal(rf_template_updated_at(practice), fx->now);
    assert_last_event(fx, RF_EVENT_TEMPLATE_SAVED, NULL, "name=thank_referrer");
    rf_event *ev = find_event(fx, RF_EVENT_TEMPLATE_SAVED, last_seq(fx) - 1);
    assert_non_null(rf_event_subject_id(ev));
    assert_null(rf_event_object_id(ev));
    rf_event_free(ev);

    /* The practice's template applies everywhere, to every programme. */
    rf_template *t = applies(fx, NULL, name, RF_TEMPLATE_PRACTICE);
    assert_string_equal(rf_template_body(t), "Thank you, {{recipient.first_name}}.");
    assert_string_equal(rf_template_subject(t), "Thanks from us");
    rf_template_free(t);
    t = applies(fx, rf_program_id(p), name, RF_TEMPLATE_PRACTICE);
    rf_template_free(t);

    fx->now += 60;
    rf_template *own =
        save_template(fx, rf_program_id(p), name, NULL, "Spring thanks, {{recipient.first_name}}.");
    assert_int_equal(rf_template_get_source(own), RF_TEMPLATE_PROGRAM);
    assert_string_equal(rf_template_program_id(own), rf_program_id(p));
    assert_null(rf_template_subject(own));
    ev = find_event(fx, RF_EVENT_TEMPLATE_SAVED, last_seq(fx) - 1);
    assert_string_equal(rf_event_object_id(ev), rf_program_id(p));
    rf_event_free(ev);

    /* Spring has its own; Autumn and the practice keep the practice's; other messages stay built in. */
    t = applies(fx, rf_program_id(p), name, RF_TEMPLATE_PROGRAM);
    assert_string_equal(rf_template_body(t), "Spring thanks, {{recipient.first_name}}.");
    assert_null(rf_template_subject(t));
    rf_template_free(t);
    t = applies(fx, rf_program_id(q), name, RF_TEMPLATE_PRACTICE);
    rf_template_free(t);
    t = applies(fx, NULL, name, RF_TEMPLATE_PRACTICE);
    rf_template_free(t);
    t = applies(fx, rf_program_id(p), "status_notice", RF_TEMPLATE_BUILT_IN);
    rf_template_free(t);

    /* A programme's own template stands even without a practice-wide one. */
    own = (rf_template_free(own), save_template(fx, rf_program_id(q), "ask.sms.new", NULL, "Autumn ask"));
    t = applies(fx, rf_program_id(q), "ask.sms.new", RF_TEMPLATE_PROGRAM);
    rf_template_free(t);
    t = applies(fx, NULL, "ask.sms.new", RF_TEMPLATE_BUILT_IN);
    rf_template_free(t);
    t = applies(fx, rf_program_id(p), "ask.sms.new", RF_TEMPLATE_BUILT_IN);
    rf_template_free(t);

    /* What was saved is stored: the same answers from storage. */
    reopen_if_file(fx);
    t = applies(fx, rf_program_id(p), name, RF_TEMPLATE_PROGRAM);
    assert_string_equal(rf_template_body(t), "Spring thanks, {{recipient.first_name}}.");
    rf_template_free(t);
    t = applies(fx, rf_program_id(q), "ask.sms.new", RF_TEMPLATE_PROGRAM);
    rf_template_free(t);
    t = applies(fx, rf_program_id(q), name, RF_TEMPLATE_PRACTICE);
    assert_string_equal(rf_template_subject(t), "Thanks from us");
    rf_template_free(t);
    assert_int_equal(count_events(fx, RF_EVENT_TEMPLATE_SAVED), 3);

    rf_template_free(own);
    rf_template_free(practice);
    rf_program_free(p);
    rf_program_free(q);
}

static void a_save_replaces_the_one_before(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Replace");
    rf_template *first = save_template(fx, rf_program_id(p), "ask.email.new", "Hello", "First words");
    fx->now += 3600;
    rf_template *second = save_template(fx, rf_program_id(p), "ask.email.new", NULL, "Second words");
    assert_int_equal(rf_template_updated_at(second), fx->now);
    rf_template *t = applies(fx, rf_program_id(p), "ask.email.new", RF_TEMPLATE_PROGRAM);
    assert_string_equal(rf_template_body(t), "Second words");
    assert_null(rf_template_subject(t));
    assert_int_equal(rf_template_updated_at(t), fx->now);
    rf_template_free(t);
    /* Both saves are journalled about the same template. */
    assert_int_equal(count_events(fx, RF_EVENT_TEMPLATE_SAVED), 2);
    rf_event *a = find_event(fx, RF_EVENT_TEMPLATE_SAVED, 0);
    rf_event *b = find_event(fx, RF_EVENT_TEMPLATE_SAVED, rf_event_seq(a));
    assert_string_equal(rf_event_subject_id(a), rf_event_subject_id(b));
    assert_string_equal(rf_event_data(b), "name=ask.email.new");
    rf_event_free(a);
    rf_event_free(b);

    /* Saving the same words again changes nothing, not even the journal. */
    char *before = template_snapshot(fx, rf_program_id(p));
    fx->now += 60;
    rf_template *again = save_template(fx, rf_program_id(p), "ask.email.new", "", "Second words");
    assert_string_equal(rf_template_body(again), "Second words");
    assert_null(rf_template_subject(again)); /* an empty subject is no subject */
    assert_int_equal(rf_template_updated_at(again), rf_template_updated_at(second));
    char *after = template_snapshot(fx, rf_program_id(p));
    assert_string_equal(after, before);
    free(before);
    free(after);
    rf_template_free(first);
    rf_template_free(second);
    rf_template_free(again);
    rf_program_free(p);
}

static void a_retried_save_changes_nothing(void **state)
{
    fixture *fx = *state;
    rf_template_options o = template_options(NULL, "tier_nudge", NULL, "{{tier.to_next}} to go!");
    o.idempotency_key = "tpl-1";
    rf_template *t = NULL, *replay = NULL;
    assert_ok(rf_template_save(&t, fx->store, &o));
    char *before = template_snapshot(fx, NULL);
    fx->now += 60;
    assert_ok(rf_template_save(&replay, fx->store, &o));
    assert_string_equal(rf_template_body(replay), "{{tier.to_next}} to go!");
    assert_int_equal(rf_template_updated_at(replay), rf_template_updated_at(t));
    assert_int_equal(rf_template_get_source(replay), RF_TEMPLATE_PRACTICE);
    char *after = template_snapshot(fx, NULL);
    assert_string_equal(after, before);
    free(after);
    rf_template_free(replay);
    replay = NULL;

    /* The same key for other words is a conflict. */
    o.body = "Other words";
    assert_status(rf_template_save(&replay, fx->store, &o), RF_ECONFLICT);
    assert_null(replay);
    assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_IDEMPOTENCY);
    after = template_snapshot(fx, NULL);
    assert_string_equal(after, before);
    free(after);
    free(before);
    rf_template_free(t);
}

/* --- refusals ------------------------------------------------------------------------- */

/* The documented limit of a template: 16 KiB. */
#define BODY_LIMIT 16384

typedef struct refusal {
    const char *name, *subject, *body;
    rf_status status;
    const char *needle;
    const char *also;
} refusal;

static void refusals_name_the_problem_and_change_nothing(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Refusals");
    rf_template *kept = save_template(fx, rf_program_id(p), "thank_referrer", "Kept", "Kept words");
    char *too_long = malloc(BODY_LIMIT + 2);
    assert_non_null(too_long);
    memset(too_long, 'a', BODY_LIMIT + 1);
    too_long[BODY_LIMIT + 1] = '\0';
    char long_subject[600];
    memset(long_subject, 's', sizeof long_subject - 1);
    long_subject[sizeof long_subject - 1] = '\0';
    const refusal cases[] = {
        {"ask.fax.new", NULL, "Hello", RF_EINVALID, "unknown message name 'ask.fax.new'", "thank_referrer"},
        {NULL, NULL, "Hello", RF_EINVALID, "name is required", NULL},
        {"thank_referrer", NULL, "Hi {{referrer.nickname}}", RF_EINVALID,
         "template 'thank_referrer' has an unknown placeholder 'referrer.nickname' at byte 3",
         "referee.name"},
        /* A placeholder another message offers is unknown to this one. */
        {"thank_referrer", NULL, "You have {{tier.count}}", RF_EINVALID,
         "unknown placeholder 'tier.count' at byte 9", NULL},
        {"ask.sms.new", NULL, "Hi {{referrer.name}}", RF_EINVALID, "unknown placeholder 'referrer.name'",
         "recipient.first_name"},
        {"thank_referrer", NULL, "Hi {{recipient.first_name", RF_EINVALID,
         "has an unterminated placeholder at byte 3", NULL},
        {"thank_referrer", NULL, "Hi {{recipient.first_name\n}}", RF_EINVALID, "unterminated placeholder",
         NULL},
        {"thank_referrer", NULL, "Hi }} there", RF_EINVALID, "'}}' at byte 3 outside a placeholder", NULL},
        {"thank_referrer", NULL, "Hi {{a{b}}", RF_EINVALID, "nested braces", NULL},
        {"thank_referrer", NULL, "Caf\xc3 ok", RF_EINVALID, "is not valid UTF-8 (at byte 3)", NULL},
        {"thank_referrer", NULL, "Hi\r\nthere", RF_EINVALID, "control character at byte 2", NULL},
        {"thank_referrer", NULL, too_long, RF_EINVALID, "is 16385 bytes long; the limit is 16384", NULL},
        {"thank_referrer", NULL, NULL, RF_EINVALID, "template 'thank_referrer' needs a body", NULL},
        {"thank_referrer", NULL, "", RF_EINVALID, "needs a body", NULL},
        {"thank_referrer", "Hi\n{{recipient.first_name}}", "Body", RF_EINVALID,
         "the subject of template 'thank_referrer' contains a control character at byte 2", "one-line"},
        {"thank_referrer", "Hi {{sla.due}}", "Body", RF_EINVALID,
         "the subject of template 'thank_referrer' has an unknown placeholder 'sla.due'", NULL},
        {"thank_referrer", long_subject, "Body", RF_EINVALID, "is 599 bytes long; the limit is 512", NULL},
        {"thank_referrer", "\xff", "Body", RF_EINVALID,
         "subject of template 'thank_referrer' is not valid UTF-8", NULL},
    };
    char *before = template_snapshot(fx, rf_program_id(p));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const refusal *c = &cases[i];
        for (int scope = 0; scope < 2; scope++) {
            assert_status(try_save(fx, scope ? rf_program_id(p) : NULL, c->name, c->subject, c->body),
                          c->status);
            assert_message_has(c->needle);
            if (c->also != NULL) {
                assert_message_has(c->also);
            }
            assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_OUTBOX);
        }
        char *after = template_snapshot(fx, rf_program_id(p));
        assert_string_equal(after, before);
        free(after);
    }
    /* An unknown programme, a bad options version and missing arguments. */
    assert_status(try_save(fx, "0190b1a2-0000-7000-8000-000000000000", "thank_referrer", NULL, "Hi"),
                  RF_ENOTFOUND);
    rf_template_options o = template_options(NULL, "thank_referrer", NULL, "Hi");
    rf_template *t = (rf_template *)&o; /* must be set to NULL on failure */
    o.version = 99;
    assert_status(rf_template_save(&t, fx->store, &o), RF_EINVALID);
    assert_null(t);
    assert_message_has("RF_TEMPLATE_OPTIONS_INIT");
    o.version = RF_TEMPLATE_OPTIONS_VERSION;
    assert_status(rf_template_save(NULL, fx->store, &o), RF_EINVALID);
    assert_status(rf_template_save(&t, NULL, &o), RF_EINVALID);
    assert_status(rf_template_save(&t, fx->store, NULL), RF_EINVALID);
    char *after = template_snapshot(fx, rf_program_id(p));
    assert_string_equal(after, before);
    free(after);
    free(before);
    free(too_long);
    rf_template_free(kept);
    rf_program_free(p);
}

static void get_refuses_unknown_names_and_programmes(void **state)
{
    fixture *fx = *state;
    rf_template *t = NULL;
    assert_status(rf_template_get(&t, fx->store, NULL, "thank_you"), RF_EINVALID);
    assert_message_has("unknown message name 'thank_you'");
    assert_null(t);
    assert_status(rf_template_get(&t, fx->store, NULL, NULL), RF_EINVALID);
    assert_status(rf_template_get(&t, fx->store, "0190b1a2-0000-7000-8000-000000000000", "thank_referrer"),
                  RF_ENOTFOUND);
    assert_null(t);
    assert_status(rf_template_get(NULL, fx->store, NULL, "thank_referrer"), RF_EINVALID);
    assert_status(rf_template_get(&t, NULL, NULL, "thank_referrer"), RF_EINVALID);
}

static void options_initialise_and_accessors_tolerate_null(void **state)
{
    (void)state;
    rf_template_options o;
    memset(&o, 0xab, sizeof o);
    assert_ok(rf_template_options_init(&o, RF_TEMPLATE_OPTIONS_VERSION));
    assert_int_equal(o.version, RF_TEMPLATE_OPTIONS_VERSION);
    assert_null(o.program_id);
    assert_null(o.name);
    assert_null(o.subject);
    assert_null(o.body);
    assert_null(o.idempotency_key);
    assert_status(rf_template_options_init(&o, 0), RF_EINVALID);
    assert_status(rf_template_options_init(&o, RF_TEMPLATE_OPTIONS_VERSION + 1), RF_EINVALID);
    assert_status(rf_template_options_init(NULL, 1), RF_EINVALID);
    rf_render_options r;
    memset(&r, 0xab, sizeof r);
    assert_ok(rf_render_options_init(&r, RF_RENDER_OPTIONS_VERSION));
    assert_int_equal(r.version, RF_RENDER_OPTIONS_VERSION);
    assert_null(r.practice_name);
    assert_null(r.link_base);
    assert_status(rf_render_options_init(&r, 2), RF_EINVALID);
    assert_null(rf_template_name(NULL));
    assert_null(rf_template_program_id(NULL));
    assert_null(rf_template_subject(NULL));
    assert_null(rf_template_body(NULL));
    assert_int_equal(rf_template_get_source(NULL), RF_TEMPLATE_SOURCE_UNSET);
    assert_int_equal(rf_template_updated_at(NULL), RF_TIME_NONE);
    rf_template_free(NULL);
}

const struct CMUnitTest template_cases[] = {
    CASE(names_in_a_fixed_order),
    CASE(built_in_scripts_pass_the_check),
    CASE(scripts_differ_by_segment_and_step),
    CASE(programme_then_practice_then_built_in),
    CASE(a_save_replaces_the_one_before),
    CASE(a_retried_save_changes_nothing),
    CASE(refusals_name_the_problem_and_change_nothing),
    CASE(get_refuses_unknown_names_and_programmes),
    CASE(options_initialise_and_accessors_tolerate_null),
};
const size_t template_case_count = sizeof template_cases / sizeof template_cases[0];
