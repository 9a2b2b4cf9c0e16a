/* Tests for the message templates in src/util/template.h: the language,
 * rendering in both modes and every rule's error, exactly. Hostile input is
 * in test_template_hostile.c. */
#include "template_test_support.h"

/* --- the language ---------------------------------------------------------- */

static void test_valid_forms(void **state)
{
    static const char *const texts[] = {
        "",
        "plain text, no placeholders",
        "Hi {{referrer.first_name}}!",
        "Hi {{ referrer.first_name }}!",
        "Hi {{   referrer.first_name|a friend   }}!",
        "{{referrer.first_name|}}{{code.link}}",
        "line one\n\tline two {{practice.name}}\n",
        "single braces { } {x} }{ are text; so is a \\ backslash",
        "<style>p { margin: 0 } @media (x) { a { b: c } }</style>",
        "{{\"{{\"}} {{ \"}}\" }} {{\"\"}} {{\"a | b {{ }} ' <x>\"}}",
        "Caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 {{code.link|\xE2\x80\x94}}",
        "{{practice.name|a \"quoted\" | barred fallback}}",
    };
    (void)state;
    for (size_t i = 0; i < COUNT(texts); i++) {
        expect_valid(&rules, texts[i]);
    }
}

static void test_scanner_tokens(void **state)
{
    const char *text = "Hi {{ referrer.first_name |  a friend }}, {{\"{{\"}}{{code.link}}";
    rf__template_scanner s;
    rf__template_token t;
    (void)state;

    assert_int_equal(rf__template_scan_begin(&s, text, &rules), RF_OK);
    assert_int_equal(rf__template_scan_next(&s, &t), RF_OK);
    assert_int_equal(t.kind, RF__TPL_TEXT);
    assert_int_equal(t.pos, 0);
    assert_int_equal(t.len, 3);
    assert_memory_equal(t.text, "Hi ", 3);

    assert_int_equal(rf__template_scan_next(&s, &t), RF_OK);
    assert_int_equal(t.kind, RF__TPL_PLACEHOLDER);
    assert_int_equal(t.pos, 3);
    assert_string_equal(t.name, "referrer.first_name");
    assert_int_equal(t.fallback_len, 8);
    assert_memory_equal(t.fallback, "a friend", 8);

    assert_int_equal(rf__template_scan_next(&s, &t), RF_OK);
    assert_int_equal(t.kind, RF__TPL_TEXT);
    assert_int_equal(t.len, 2);

    assert_int_equal(rf__template_scan_next(&s, &t), RF_OK);
    assert_int_equal(t.kind, RF__TPL_LITERAL);
    assert_int_equal(t.pos, 42);
    assert_int_equal(t.len, 2);
    assert_memory_equal(t.text, "{{", 2);

    assert_int_equal(rf__template_scan_next(&s, &t), RF_OK);
    assert_int_equal(t.kind, RF__TPL_PLACEHOLDER);
    assert_string_equal(t.name, "code.link");
    assert_null(t.fallback);

    assert_int_equal(rf__template_scan_next(&s, &t), RF_ITEROVER);
    assert_int_equal(rf__template_scan_next(&s, &t), RF_ITEROVER);
}

static void test_scanner_stays_failed(void **state)
{
    rf__template_scanner s;
    rf__template_token t;
    (void)state;

    assert_int_equal(rf__template_scan_begin(&s, "ok }} {{code.link}}", &rules), RF_OK);
    assert_int_equal(rf__template_scan_next(&s, &t), RF_EINVALID);
    assert_int_equal(s.fault.kind, RF__TPL_FAULT_STRAY_CLOSE);
    assert_int_equal(rf__template_scan_next(&s, &t), RF_EINVALID);
    assert_int_equal(s.fault.pos, 3);
}

/* --- rendering ------------------------------------------------------------- */

static void test_render_plain(void **state)
{
    static const char *const jane[] = {
        "referrer.first_name",   "Jane", "code.link", "https://x.test/r/JANE-7K3Q", "practice.name",
        "O'Brien & Co <Physio>", NULL};
    (void)state;
    expect_render("Hi {{ referrer.first_name }}, book at {{code.link}}", RF__TPL_PLAIN, jane,
                  "Hi Jane, book at https://x.test/r/JANE-7K3Q");
    /* PLAIN writes values as they are. */
    expect_render("{{practice.name}}", RF__TPL_PLAIN, jane, "O'Brien & Co <Physio>");
    expect_render("", RF__TPL_PLAIN, jane, "");
    expect_render("no placeholders\n", RF__TPL_PLAIN, jane, "no placeholders\n");
}

static void test_render_html_escapes_values_only(void **state)
{
    static const char *const v[] = {"practice.name", "O'Brien & \"Co\" <Physio>", "referrer.first_name",
                                    "Ren\xC3\xA9\nDupont", NULL};
    (void)state;
    expect_render(
        "<p class=\"x\">{{practice.name}} &amp; {{referrer.first_name}}</p>", RF__TPL_HTML, v,
        "<p class=\"x\">O&#39;Brien &amp; &quot;Co&quot; &lt;Physio&gt; &amp; Ren\xC3\xA9\nDupont</p>");
    /* Fallbacks and literals are template text: never escaped. */
    expect_render("{{referee.first_name|<b>you</b>}} {{\"<&>\"}}", RF__TPL_HTML, v, "<b>you</b> <&>");
}

static void test_render_fallbacks(void **state)
{
    static const char *const empty[] = {"referrer.first_name", "", NULL};
    static const char *const none[] = {NULL};
    static const char *const named[] = {"referrer.first_name", "Jane", NULL};
    const char *text = "From {{referrer.first_name|a friend}}.";
    (void)state;

    expect_render(text, RF__TPL_PLAIN, none, "From a friend.");
    expect_render(text, RF__TPL_PLAIN, empty, "From a friend.");
    expect_render(text, RF__TPL_PLAIN, named, "From Jane.");
    expect_render("[{{referrer.first_name}}]", RF__TPL_PLAIN, none, "[]");
    expect_render("[{{referrer.first_name|}}]", RF__TPL_PLAIN, none, "[]");
    expect_render("[{{ referrer.first_name |  x | y  }}]", RF__TPL_PLAIN, none, "[x | y]");
    expect_render("[{{ referrer.first_name | \"quoted\" }}]", RF__TPL_PLAIN, none, "[\"quoted\"]");
}

static void test_render_null_lookup(void **state)
{
    char *out = NULL;
    (void)state;
    assert_int_equal(rf__template_render(&out, NULL, "a{{code.link|b}}c{{practice.name}}", RF__TPL_PLAIN,
                                         NULL, NULL, &rules),
                     RF_OK);
    assert_string_equal(out, "abc");
    free(out);
}

static void test_render_literal_braces(void **state)
{
    static const char *const none[] = {NULL};
    (void)state;
    expect_render("{{\"{{\"}}code.link{{\"}}\"}}", RF__TPL_PLAIN, none, "{{code.link}}");
    expect_render("{{ \"{{\" }}{{ \"}}\" }}", RF__TPL_HTML, none, "{{}}");
    expect_render("a{{\"\"}}b", RF__TPL_PLAIN, none, "ab");
    expect_render("\\{{\"x\"}}\\", RF__TPL_PLAIN, none, "\\x\\");
    /* An empty literal between two single braces joins them. */
    expect_render("}{{\"\"}}}", RF__TPL_PLAIN, none, "}}");
}

static void test_render_refuses_bad_values(void **state)
{
    static const struct {
        const char *value;
        rf__template_fault_kind kind;
        const char *message;
    } cases[] = {
        {"Jan\xC3", RF__TPL_FAULT_VALUE_UTF8,
         "SMS ask template: the value of placeholder 'referrer.first_name' at byte 3 is not valid UTF-8 (at "
         "byte 3 of the value)"},
        {"\xED\xA0\x80", RF__TPL_FAULT_VALUE_UTF8, NULL},
        {"\xC0\xAF", RF__TPL_FAULT_VALUE_UTF8, NULL},
        {"Ja\tne", RF__TPL_FAULT_VALUE_CONTROL,
         "SMS ask template: the value of placeholder 'referrer.first_name' at byte 3 contains a control "
         "character at byte 2 of the value; values may hold line feeds only"},
        {"Jane\r\n", RF__TPL_FAULT_VALUE_CONTROL, NULL},
        {"\x1B[31m", RF__TPL_FAULT_VALUE_CONTROL, NULL},
        {"x\x7F", RF__TPL_FAULT_VALUE_CONTROL, NULL},
        {"x\xC2\x85", RF__TPL_FAULT_VALUE_CONTROL, NULL},
    };
    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        for (int mode = RF__TPL_PLAIN; mode <= RF__TPL_HTML; mode++) {
            rf__template_fault f;
            char *out = (char *)"untouched";
            rf_status rc = rf__template_render(&out, &f, "Hi {{referrer.first_name|you}}!", mode, same_value,
                                               (void *)cases[i].value, &rules);
            assert_int_equal(rc, RF_EINVALID);
            assert_null(out);
            assert_int_equal(f.kind, cases[i].kind);
            assert_int_equal(f.pos, 3);
            assert_error("value", RF_EINVALID, RF_ERRCLASS_PROGRAM, NULL, NULL);
            if (cases[i].message != NULL) {
                assert_string_equal(rf_error_last()->message, cases[i].message);
            }
            assert_message_clean("value");
            /* The value is personal data: never in the message. */
            assert_null(strstr(rf_error_last()->message, "Ja"));
        }
    }
}

static void test_render_output_limit(void **state)
{
    rf__template_rules r = rules;
    char *out = NULL;
    rf__template_fault f;
    (void)state;

    r.max_output = 10;
    /* Exactly at the limit is fine. */
    assert_int_equal(
        rf__template_render(&out, &f, "12345{{code.link}}", RF__TPL_PLAIN, same_value, "67890", &r), RF_OK);
    assert_string_equal(out, "1234567890");
    free(out);
    out = (char *)"untouched";
    assert_int_equal(
        rf__template_render(&out, &f, "12345{{code.link}}", RF__TPL_PLAIN, same_value, "678901", &r),
        RF_EINVALID);
    assert_null(out);
    assert_int_equal(f.kind, RF__TPL_FAULT_OUTPUT_LIMIT);
    assert_int_equal(f.pos, 5);
    assert_string_equal(rf_error_last()->message,
                        "SMS ask template renders to more than 10 bytes, the limit (passed at byte 5 of the "
                        "template)");
    /* Escaping counts: 2 bytes of value become 10. */
    out = (char *)"untouched";
    assert_int_equal(rf__template_render(&out, &f, "{{code.link}}", RF__TPL_HTML, same_value, "&&&", &r),
                     RF_EINVALID);
    assert_null(out);
    assert_int_equal(f.kind, RF__TPL_FAULT_OUTPUT_LIMIT);
    /* Text alone past the limit. */
    assert_int_equal(rf__template_render(&out, &f, "12345678901", RF__TPL_PLAIN, NULL, NULL, &r),
                     RF_EINVALID);
    assert_int_equal(f.pos, 0);
}

/* --- every rule's error, exactly ------------------------------------------- */

static void test_text_faults(void **state)
{
    rf__template_rules r = rules;
    char big[40];
    (void)state;

    expect_fault(NULL, RF__TPL_FAULT_MISSING, 0, "SMS ask template is required");
    r.max_bytes = 30;
    memset(big, 'x', 31);
    big[31] = '\0';
    expect_fault_with(&r, big, RF__TPL_FAULT_TOO_LONG, 30,
                      "SMS ask template is 31 bytes long; the limit is 30");
    big[30] = '\0';
    expect_valid(&r, big);
    expect_fault("Caf\xC3 {{code.link}}", RF__TPL_FAULT_UTF8, 3,
                 "SMS ask template is not valid UTF-8 (at byte 3)");
    expect_fault("ab\xED\xA0\x80", RF__TPL_FAULT_UTF8, 2, NULL);
    expect_fault("ab\xF4\x90\x80\x80", RF__TPL_FAULT_UTF8, 2, NULL);
    expect_fault("ab\xC0\xAF", RF__TPL_FAULT_UTF8, 2, NULL);
    expect_fault("ab\x80", RF__TPL_FAULT_UTF8, 2, NULL);
    expect_fault(
        "line\r\n", RF__TPL_FAULT_CONTROL, 4,
        "SMS ask template contains a control character at byte 4; only line feed and tab are allowed");
    expect_fault("a\x01", RF__TPL_FAULT_CONTROL, 1, NULL);
    expect_fault("a\x7F", RF__TPL_FAULT_CONTROL, 1, NULL);
    expect_fault("a\xC2\x85", RF__TPL_FAULT_CONTROL, 1, NULL);
    expect_fault(
        "Hi }} there", RF__TPL_FAULT_STRAY_CLOSE, 3,
        "SMS ask template has '}}' at byte 3 outside a placeholder; write {{\"}}\"}} for literal braces");
    expect_fault("{{code.link}}}}", RF__TPL_FAULT_STRAY_CLOSE, 13, NULL);
    expect_fault("p{m:0}}", RF__TPL_FAULT_STRAY_CLOSE, 5, NULL);
}

static void test_placeholder_faults(void **state)
{
    (void)state;
    expect_fault(
        "Hi {{ referrer.first_name", RF__TPL_FAULT_UNTERMINATED, 3,
        "SMS ask template has an unterminated placeholder at byte 3: '{{ referrer.first_name' is not "
        "closed with '}}' on its line");
    expect_fault(
        "Hi {{code.link\n}}", RF__TPL_FAULT_UNTERMINATED, 3,
        "SMS ask template has an unterminated placeholder at byte 3: '{{code.link' is not closed with "
        "'}}' on its line");
    expect_fault("{{code.link}", RF__TPL_FAULT_UNTERMINATED, 0, NULL);
    expect_fault("x {{", RF__TPL_FAULT_UNTERMINATED, 2, NULL);
    expect_fault(
        "{{\"abc}}", RF__TPL_FAULT_UNTERMINATED, 0,
        "SMS ask template has an unterminated literal at byte 0: '{{\"abc}}' has no closing '\"' on its "
        "line");
    expect_fault(
        "{{\"abc\"", RF__TPL_FAULT_UNTERMINATED, 0,
        "SMS ask template has an unterminated placeholder at byte 0: '{{\"abc\"' is not closed with '}}' "
        "on its line");
    expect_fault(
        "{{\"a\" x}}", RF__TPL_FAULT_BAD_LITERAL, 0,
        "SMS ask template has more than a literal in the placeholder at byte 0: a quoted literal stands "
        "alone, as in {{\"{{\"}}");
    expect_fault("{{\"a\"|b}}", RF__TPL_FAULT_BAD_LITERAL, 0, NULL);
    expect_fault(
        "Hi {{ {{code.link}} }}", RF__TPL_FAULT_NESTED, 6,
        "SMS ask template has nested braces: '{' at byte 6 is inside the placeholder opened at byte 3");
    expect_fault("{{{code.link}}}", RF__TPL_FAULT_NESTED, 2, NULL);
    expect_fault(
        "{{code}link}}", RF__TPL_FAULT_NESTED, 6,
        "SMS ask template has nested braces: '}' at byte 6 is inside the placeholder opened at byte 0");
    expect_fault("{{code.link|a{b}}", RF__TPL_FAULT_NESTED, 13, NULL);
    expect_fault("Hi {{ }}", RF__TPL_FAULT_EMPTY_NAME, 3,
                 "SMS ask template has an empty placeholder at byte 3");
    expect_fault("{{}}", RF__TPL_FAULT_EMPTY_NAME, 0, NULL);
    expect_fault("{{ |a friend}}", RF__TPL_FAULT_EMPTY_NAME, 0, NULL);
    expect_fault(
        "Hi {{ first name }}", RF__TPL_FAULT_BAD_NAME, 3,
        "SMS ask template has an invalid placeholder name 'first name' at byte 3: a name is letters, "
        "digits and '_' in parts joined by '.'");
    expect_fault("{{.code}}", RF__TPL_FAULT_BAD_NAME, 0, NULL);
    expect_fault("{{code.}}", RF__TPL_FAULT_BAD_NAME, 0, NULL);
    expect_fault("{{code..link}}", RF__TPL_FAULT_BAD_NAME, 0, NULL);
    expect_fault("{{code-link}}", RF__TPL_FAULT_BAD_NAME, 0, NULL);
    expect_fault(
        "{{pr\xC3\xA9nom}}", RF__TPL_FAULT_BAD_NAME, 0,
        "SMS ask template has an invalid placeholder name 'pr\xC3\xA9nom' at byte 0: a name is letters, "
        "digits and '_' in parts joined by '.'");
    /* A name that would hide itself in a log is quoted with escapes. */
    expect_fault("{{a\xE2\x80\xAE"
                 "b}}",
                 RF__TPL_FAULT_BAD_NAME, 0,
                 "SMS ask template has an invalid placeholder name 'a\\xE2\\x80\\xAEb' at byte 0: a name is "
                 "letters, digits and '_' in parts joined by '.'");
    expect_fault(
        "{{code.link\t}}", RF__TPL_FAULT_CONTROL, 11,
        "SMS ask template contains a control character at byte 11, inside the placeholder at byte 0");
    expect_fault("{{code.link|a\tb}}", RF__TPL_FAULT_CONTROL, 13, NULL);
    expect_fault("{{\"a\tb\"}}", RF__TPL_FAULT_CONTROL, 4, NULL);
    expect_fault("{{code.link|\xC3}}", RF__TPL_FAULT_UTF8, 12, NULL);
    expect_fault("{{\"\xFF\"}}", RF__TPL_FAULT_UTF8, 3, NULL);
}

static void test_name_length(void **state)
{
    char text[RF_TEMPLATE_NAME_MAX + 8];
    (void)state;
    memcpy(text, "{{", 2);
    memset(text + 2, 'n', RF_TEMPLATE_NAME_MAX);
    strcpy(text + 2 + RF_TEMPLATE_NAME_MAX, "}}");
    expect_valid(NULL, text);
    memset(text + 2, 'n', RF_TEMPLATE_NAME_MAX + 1);
    strcpy(text + 3 + RF_TEMPLATE_NAME_MAX, "}}");
    expect_fault_with(NULL, text, RF__TPL_FAULT_BAD_NAME, 0,
                      "template has a placeholder name of 65 bytes at byte 0; the limit is 64");
}

static void test_unknown_placeholders(void **state)
{
    static const char *const none[] = {NULL};
    static const char *const many[] = {"a_rather_long_placeholder_name.number_one",
                                       "a_rather_long_placeholder_name.number_two",
                                       "a_rather_long_placeholder_name.number_three",
                                       "a_rather_long_placeholder_name.number_four",
                                       "a_rather_long_placeholder_name.number_five",
                                       "a_rather_long_placeholder_name.number_six",
                                       "a_rather_long_placeholder_name.number_seven",
                                       "a_rather_long_placeholder_name.number_eight",
                                       "a_rather_long_placeholder_name.number_nine",
                                       "a_rather_long_placeholder_name.number_ten",
                                       NULL};
    rf__template_rules r = {NULL, RF_ERRCLASS_NONE, none, 0, 0, 0};
    (void)state;

    expect_fault("Hi {{ referrer.phone }}", RF__TPL_FAULT_UNKNOWN, 3,
                 "SMS ask template has an unknown placeholder 'referrer.phone' at byte 3; known: "
                 "referrer.first_name, referee.first_name, practice.name, code.link");
    expect_fault("{{Code.Link}}", RF__TPL_FAULT_UNKNOWN, 0, NULL);
    /* Defaults: "template", class ARGUMENT. */
    expect_fault_with(&r, "x{{a}}", RF__TPL_FAULT_UNKNOWN, 1,
                      "template has an unknown placeholder 'a' at byte 1; it takes no placeholders");
    expect_valid(&r, "no placeholders, {{\"{{literal}}\"}}");
    r.known = many;
    expect_fault_with(&r, "{{b}}", RF__TPL_FAULT_UNKNOWN, 0, NULL);
    assert_non_null(strstr(rf_error_last()->message, "known: a_rather_long_placeholder_name.number_one, "));
    assert_non_null(strstr(rf_error_last()->message, ", ..."));
    assert_true(strlen(rf_error_last()->message) < 500);
    /* NULL known allows every well-formed name. */
    expect_valid(NULL, "{{anything.at_all.9}} {{x}}");
}

static void test_placeholder_count(void **state)
{
    rf__template_rules r = rules;
    const char *text = "{{code.link}}{{\"x\"}}{{code.link}}";
    (void)state;
    r.max_placeholders = 3;
    expect_valid(&r, text);
    r.max_placeholders = 2;
    expect_fault_with(&r, text, RF__TPL_FAULT_TOO_MANY, 20,
                      "SMS ask template has more than 2 placeholders; the one past the limit is at byte 20");
}

static void test_single_line(void **state)
{
    rf__template_rules r = {"e-mail subject", RF_ERRCLASS_NONE, known, 0, 0, 0, 1};
    char *out = NULL;
    rf__template_fault f;
    (void)state;

    expect_valid(&r, "Thank you, {{referrer.first_name|friend}}!");
    expect_fault_with(
        &r, "Thank you\n", RF__TPL_FAULT_CONTROL, 9,
        "e-mail subject contains a control character at byte 9; a one-line template allows none");
    expect_fault_with(&r, "a\tb", RF__TPL_FAULT_CONTROL, 1, NULL);
    assert_int_equal(
        rf__template_render(&out, &f, "Re: {{referrer.first_name}}", RF__TPL_PLAIN, same_value, "Jane", &r),
        RF_OK);
    assert_string_equal(out, "Re: Jane");
    free(out);
    /* A line feed in a value would start a new mail header. */
    out = (char *)"untouched";
    assert_int_equal(rf__template_render(&out, &f, "Re: {{referrer.first_name}}", RF__TPL_PLAIN, same_value,
                                         "Jane\nBcc: x@y.test", &r),
                     RF_EINVALID);
    assert_null(out);
    assert_int_equal(f.kind, RF__TPL_FAULT_VALUE_CONTROL);
    assert_int_equal(f.pos, 4);
    assert_string_equal(
        rf_error_last()->message,
        "e-mail subject: the value of placeholder 'referrer.first_name' at byte 4 contains a "
        "control character at byte 4 of the value; a one-line template's values may hold none");
    assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_forms),
        cmocka_unit_test(test_scanner_tokens),
        cmocka_unit_test(test_scanner_stays_failed),
        cmocka_unit_test(test_render_plain),
        cmocka_unit_test(test_render_html_escapes_values_only),
        cmocka_unit_test(test_render_fallbacks),
        cmocka_unit_test(test_render_null_lookup),
        cmocka_unit_test(test_render_literal_braces),
        cmocka_unit_test(test_render_refuses_bad_values),
        cmocka_unit_test(test_render_output_limit),
        cmocka_unit_test(test_text_faults),
        cmocka_unit_test(test_placeholder_faults),
        cmocka_unit_test(test_name_length),
        cmocka_unit_test(test_unknown_placeholders),
        cmocka_unit_test(test_placeholder_count),
        cmocka_unit_test(test_single_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
