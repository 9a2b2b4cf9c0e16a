/* Hostile input for the message templates (src/util/template.h): cuts and
 * insertions at every position, invalid UTF-8, 1 MiB texts, 10,000
 * placeholders and random bytes from a fixed seed. */
#include "template_test_support.h"

#include "backend_contract/oom_hook.h"

/* --- hostile input ---------------------------------------------------------- */

static const char sample[] = "Hi {{ referrer.first_name|a friend }}, {{\"{{\"}} book at {{code.link}}.\n";

/* Where the sample's {{...}} start and end (one past the second '}'). */
static int inside_braces(size_t i, size_t *open)
{
    static const size_t spans[][2] = {{3, 37}, {39, 47}, {56, 69}};
    for (size_t k = 0; k < COUNT(spans); k++) {
        if (i > spans[k][0] && i < spans[k][1]) {
            *open = spans[k][0];
            return 1;
        }
    }
    return 0;
}

static void test_truncated_at_every_position(void **state)
{
    char text[sizeof sample];
    (void)state;
    expect_valid(&rules, sample);
    for (size_t i = 0; i < sizeof sample; i++) {
        rf__template_fault f;
        size_t open;
        rf_status rc;

        memcpy(text, sample, i);
        text[i] = '\0';
        rc = rf__template_check(&f, text, &rules);
        /* A lone '{' at the end is text; any other cut inside braces leaves them open. */
        if (inside_braces(i, &open) && i != open + 1) {
            if (rc != RF_EINVALID || f.kind != RF__TPL_FAULT_UNTERMINATED || f.pos != open) {
                fail_msg("cut at %zu: status %d fault %d at %zu", i, rc, f.kind, f.pos);
            }
            assert_message_clean(text);
        } else if (rc != RF_OK) {
            fail_msg("cut at %zu was refused: %s", i, rf_error_last()->message);
        }
    }
}

static void test_open_braces_inserted_everywhere(void **state)
{
    char text[sizeof sample + 2];
    (void)state;
    for (size_t i = 0; i < sizeof sample; i++) {
        rf__template_fault f;
        rf_status rc;

        memcpy(text, sample, i);
        memcpy(text + i, "{{", 2);
        memcpy(text + i + 2, sample + i, sizeof sample - i);
        rc = rf__template_check(&f, text, &rules);
        if (i >= 42 && i <= 44) {
            /* Between the literal's quotes, "{{" is what a literal is for. */
            assert_int_equal(rc, RF_OK);
            continue;
        }
        if (rc != RF_EINVALID || (f.kind != RF__TPL_FAULT_UNTERMINATED && f.kind != RF__TPL_FAULT_NESTED)) {
            fail_msg("'{{' at %zu: status %d fault %d (%s)", i, rc, f.kind, rf_error_last()->message);
        }
        assert_message_clean(text);
    }
}

static void test_invalid_utf8_at_every_position(void **state)
{
    char text[sizeof sample];
    (void)state;
    for (size_t i = 0; i + 1 < sizeof sample; i++) {
        rf__template_fault f;

        memcpy(text, sample, sizeof sample);
        text[i] = (char)0xFF;
        assert_int_equal(rf__template_check(&f, text, &rules), RF_EINVALID);
        /* Replacing the second '}' of a closing pair leaves a single '}' inside the braces. */
        if (!(f.kind == RF__TPL_FAULT_UTF8 && f.pos == i) &&
            !(f.kind == RF__TPL_FAULT_NESTED && f.pos == i - 1 && sample[i - 1] == '}')) {
            fail_msg("0xFF at %zu: fault %d at %zu", i, f.kind, f.pos);
        }
        assert_message_clean(text);
    }
}

static char *repeat_text(const char *unit, size_t times, const char *tail)
{
    size_t n = strlen(unit), t = strlen(tail);
    char *s = malloc(n * times + t + 1);
    assert_non_null(s);
    for (size_t i = 0; i < times; i++) {
        memcpy(s + i * n, unit, n);
    }
    memcpy(s + n * times, tail, t + 1);
    return s;
}

static void test_one_mebibyte(void **state)
{
    enum { MIB = 1024 * 1024 };
    rf__template_rules big = {"email template", RF_ERRCLASS_NONE, known, 2 * MIB, 0, 2 * MIB};
    char *text = repeat_text("x", MIB - 13, "{{code.link}}"), *out = NULL;
    rf__template_fault f;
    (void)state;

    expect_fault_with(NULL, text, RF__TPL_FAULT_TOO_LONG, RF_TEMPLATE_MAX_BYTES,
                      "template is 1048576 bytes long; the limit is 16384");
    expect_valid(&big, text);
    assert_int_equal(rf__template_render(&out, &f, text, RF__TPL_HTML, same_value, "<y>", &big), RF_OK);
    assert_int_equal(strlen(out), MIB - 13 + 9);
    assert_string_equal(out + MIB - 13, "&lt;y&gt;");
    free(out);
    /* Past the default output limit. */
    big.max_output = 0;
    assert_int_equal(rf__template_render(&out, &f, text, RF__TPL_PLAIN, NULL, NULL, &big), RF_EINVALID);
    assert_int_equal(f.kind, RF__TPL_FAULT_OUTPUT_LIMIT);
    free(text);

    text = repeat_text("{", MIB, "");
    expect_fault_with(&big, text, RF__TPL_FAULT_NESTED, 2, NULL);
    free(text);
    text = repeat_text("}", MIB, "");
    expect_fault_with(&big, text, RF__TPL_FAULT_STRAY_CLOSE, 0, NULL);
    free(text);
    text = repeat_text("{{ code.link", MIB / 12, "");
    expect_fault_with(&big, text, RF__TPL_FAULT_NESTED, 12, NULL);
    free(text);
    /* The quote of an unterminated placeholder stays short. */
    text = malloc(MIB + 1);
    assert_non_null(text);
    memcpy(text, "{{", 2);
    memset(text + 2, 'a', MIB - 2);
    text[MIB] = '\0';
    expect_fault_with(&big, text, RF__TPL_FAULT_UNTERMINATED, 0, NULL);
    assert_true(strlen(rf_error_last()->message) < 200);
    free(text);
    text = repeat_text("\xC3\xA9", MIB / 2 - 1, "\xC3");
    expect_fault_with(&big, text, RF__TPL_FAULT_UTF8, MIB - 2, NULL);
    free(text);
}

static void test_ten_thousand_placeholders(void **state)
{
    rf__template_rules r = {NULL, RF_ERRCLASS_NONE, known, 1024 * 1024, 0, 0};
    char *text = repeat_text("{{code.link}} ", 10000, ""), *out = NULL, *want;
    rf__template_fault f;
    (void)state;

    expect_fault_with(&r, text, RF__TPL_FAULT_TOO_MANY, 256 * 14,
                      "template has more than 256 placeholders; the one past the limit is at byte 3584");
    r.max_placeholders = 9999;
    expect_fault_with(&r, text, RF__TPL_FAULT_TOO_MANY, 9999 * 14, NULL);
    r.max_placeholders = 10000;
    expect_valid(&r, text);
    assert_int_equal(rf__template_render(&out, &f, text, RF__TPL_HTML, same_value, "&", &r), RF_OK);
    want = repeat_text("&amp; ", 10000, "");
    assert_string_equal(out, want);
    free(want);
    free(out);
    free(text);
}

/* --- random input, fixed seed ------------------------------------------------ */

static uint64_t rng = 0x7E3A11E5C0FFEEULL;

static uint64_t next_random(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1DULL;
}

/* NUL-free random bytes. */
static size_t random_bytes(char *buf, size_t cap)
{
    size_t n = (size_t)(next_random() % cap);
    for (size_t i = 0; i < n; i++) {
        buf[i] = (char)(1 + next_random() % 255);
    }
    buf[n] = '\0';
    return n;
}

/* Random bytes rarely make a placeholder; pieces of the language joined at
 * random do, and sometimes a random byte among them. */
static size_t random_pieces(char *buf, size_t cap)
{
    static const char *const pieces[] = {
        "{{", "}}", "{",  "}",   " ",        "a",     "b.c",         ".",          "_",         "|",
        "\"", "\n", "\t", "x y", "\xC3\xA9", "{{a}}", "{{ b.c|d }}", "{{\"{{\"}}", "{{\"}}\"}}"};
    size_t count = (size_t)(next_random() % 12), n = 0;
    for (size_t k = 0; k < count; k++) {
        uint64_t r = next_random();
        char byte[2] = {(char)(1 + (r >> 8) % 255), '\0'};
        const char *p = r % 16 == 0 ? byte : pieces[(r >> 8) % COUNT(pieces)];
        size_t len = strlen(p);
        if (n + len >= cap) {
            break;
        }
        memcpy(buf + n, p, len);
        n += len;
    }
    buf[n] = '\0';
    return n;
}

/* For a checked text: rendering with each value equal to its name gives the
 * tokens joined, and "{{" or "}}" appear in it only where a literal writes
 * one of the braces or stands between them. */
static void check_names_render(const char *text)
{
    char *out = NULL, from_literal[4096] = {0};
    rf__template_scanner s;
    rf__template_token t;
    size_t len = 0;

    assert_int_equal(rf__template_render(&out, NULL, text, RF__TPL_PLAIN, name_itself, NULL, NULL), RF_OK);
    assert_int_equal(rf__template_scan_begin(&s, text, NULL), RF_OK);
    while (rf__template_scan_next(&s, &t) == RF_OK) {
        const char *p = t.kind == RF__TPL_PLACEHOLDER ? t.name : t.text;
        size_t n = t.kind == RF__TPL_PLACEHOLDER ? strlen(t.name) : t.len;
        assert_true(len + n < sizeof from_literal);
        assert_memory_equal(out + len, p, n);
        if (t.kind == RF__TPL_LITERAL) {
            memset(from_literal + len, 1, n + 1); /* its bytes, and the gap it may stand in */
        }
        len += n;
    }
    assert_int_equal(strlen(out), len);
    for (size_t i = 0; i + 1 < len; i++) {
        if ((out[i] == '{' && out[i + 1] == '{') || (out[i] == '}' && out[i + 1] == '}')) {
            if (!from_literal[i + 1]) {
                fail_msg("'%s' rendered '%s' with braces at %zu", text, out, i);
            }
        }
    }
    free(out);
}

static void test_random_bytes(void **state)
{
    char text[200], first[1024];
    size_t valid = 0, with_placeholder = 0;
    (void)state;

    for (int k = 0; k < 20000; k++) {
        size_t len = k % 2 == 0 ? random_bytes(text, sizeof text) : random_pieces(text, sizeof text);
        rf__template_fault f, g;
        char *out = NULL;

        if (rf__template_check(&f, text, NULL) == RF_OK) {
            valid++;
            with_placeholder += strstr(text, "{{") != NULL;
            check_names_render(text);
            continue;
        }
        assert_true(f.pos < len);
        assert_message_clean(text);
        strcpy(first, rf_error_last()->message);
        assert_int_equal(rf__template_render(&out, &g, text, RF__TPL_PLAIN, name_itself, NULL, NULL),
                         RF_EINVALID);
        assert_null(out);
        assert_int_equal(g.kind, f.kind);
        assert_int_equal(g.pos, f.pos);
        assert_string_equal(rf_error_last()->message, first);
    }
    /* The property above must not hold only vacuously. */
    if (valid < 1000 || with_placeholder < 200) {
        fail_msg("only %zu valid texts, %zu with braces", valid, with_placeholder);
    }
}

/* --- out of memory ---------------------------------------------------------- */

static void test_out_of_memory(void **state)
{
    /* A short text and long values: the first allocation, then several reallocs. */
    char value[3000];
    const char *text = "{{code.link}}-{{code.link}}";
    long before = oom_live_blocks();
    int failures = 0;
    (void)state;

    if (!oom_hook_ready()) {
        skip();
    }
    memset(value, 'v', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    for (long n = 0;; n++) {
        rf__template_fault f = {RF__TPL_FAULT_NONE, 0};
        char *out = (char *)"untouched";
        rf_status rc;

        oom_fail_after(n);
        rc = rf__template_render(&out, &f, text, RF__TPL_HTML, same_value, value, &rules);
        oom_fail_after(-1);
        if (rc == RF_OK) {
            assert_int_equal(strlen(out), 2 * strlen(value) + 1);
            free(out);
            break;
        }
        failures++;
        assert_int_equal(rc, RF_ENOMEM);
        assert_null(out);
        assert_int_equal(f.kind, RF__TPL_FAULT_NOMEM);
        assert_error("oom", RF_ENOMEM, RF_ERRCLASS_NOMEMORY, "out of memory", NULL);
        assert_int_equal(oom_live_blocks(), before);
    }
    assert_true(failures >= 2);
    assert_int_equal(oom_live_blocks(), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truncated_at_every_position),
        cmocka_unit_test(test_open_braces_inserted_everywhere),
        cmocka_unit_test(test_invalid_utf8_at_every_position),
        cmocka_unit_test(test_one_mebibyte),
        cmocka_unit_test(test_ten_thousand_placeholders),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
