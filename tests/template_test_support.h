/* Helpers shared by the template suites: test_template and test_template_hostile. */
#ifndef RF_TEMPLATE_TEST_SUPPORT_H
#define RF_TEMPLATE_TEST_SUPPORT_H

#include "text_test_support.h"

#include <stdlib.h>

#include "util/template.h"

static const char *const known[] = {"referrer.first_name", "referee.first_name", "practice.name", "code.link",
                                    NULL};
static const rf__template_rules rules = {"SMS ask template", RF_ERRCLASS_PROGRAM, known, 0, 0, 0};

/* A lookup over pairs name, value, ..., NULL. */
static inline const char *from_pairs(void *ctx, const char *name)
{
    const char *const *p = ctx;
    for (; p[0] != NULL; p += 2) {
        if (strcmp(p[0], name) == 0) {
            return p[1];
        }
    }
    return NULL;
}

static inline const char *name_itself(void *ctx, const char *name)
{
    (void)ctx;
    return name;
}

static inline const char *same_value(void *ctx, const char *name)
{
    (void)name;
    return ctx;
}

static inline char *render_ok(const char *text, rf__template_mode mode, const char *const *pairs)
{
    char *out = NULL;
    rf__template_fault f;

    set_sentinel_error();
    if (rf__template_render(&out, &f, text, mode, from_pairs, (void *)pairs, &rules) != RF_OK) {
        fail_msg("rendering '%s' failed: %s", text, rf_error_last()->message);
    }
    assert_int_equal(f.kind, RF__TPL_FAULT_NONE);
    assert_sentinel_error(text);
    return out;
}

static inline void expect_render(const char *text, rf__template_mode mode, const char *const *pairs,
                                 const char *want)
{
    char *out = render_ok(text, mode, pairs);
    if (strcmp(out, want) != 0) {
        fail_msg("'%s' rendered '%s'; expected '%s'", text, out, want);
    }
    free(out);
}

/* text is refused by checking and by rendering, with this fault and exactly this message. */
static inline void expect_fault_with(const rf__template_rules *r, const char *text,
                                     rf__template_fault_kind kind, size_t pos, const char *message)
{
    rf__template_fault f = {RF__TPL_FAULT_NONE, 99};
    char *out = (char *)"untouched";
    rf_error_class klass = r != NULL && r->klass != RF_ERRCLASS_NONE ? r->klass : RF_ERRCLASS_ARGUMENT;

    if (rf__template_check(&f, text, r) != RF_EINVALID) {
        fail_msg("'%s' was accepted", text != NULL ? text : "(null)");
    }
    if (f.kind != kind || f.pos != pos) {
        fail_msg("'%s': fault %d at %zu, expected %d at %zu (%s)", text, f.kind, f.pos, kind, pos,
                 rf_error_last()->message);
    }
    assert_error("check", RF_EINVALID, klass, NULL, NULL);
    if (message != NULL && strcmp(rf_error_last()->message, message) != 0) {
        fail_msg("message\n  '%s'\nexpected\n  '%s'", rf_error_last()->message, message);
    }
    assert_message_clean("check");
    f.kind = RF__TPL_FAULT_NONE;
    assert_int_equal(rf__template_render(&out, &f, text, RF__TPL_HTML, name_itself, NULL, r), RF_EINVALID);
    assert_null(out);
    assert_int_equal(f.kind, kind);
    assert_int_equal(f.pos, pos);
    if (message != NULL && strcmp(rf_error_last()->message, message) != 0) {
        fail_msg("render message '%s' differs from '%s'", rf_error_last()->message, message);
    }
}

static inline void expect_fault(const char *text, rf__template_fault_kind kind, size_t pos,
                                const char *message)
{
    expect_fault_with(&rules, text, kind, pos, message);
}

static inline void expect_valid(const rf__template_rules *r, const char *text)
{
    rf__template_fault f = {RF__TPL_FAULT_UTF8, 7};
    set_sentinel_error();
    if (rf__template_check(&f, text, r) != RF_OK) {
        fail_msg("'%s' was refused: %s", text, rf_error_last()->message);
    }
    assert_int_equal(f.kind, RF__TPL_FAULT_NONE);
    assert_sentinel_error(text);
}

#endif
