/* Helpers shared by the touch, attribution and referral-request cases. */
#include <string.h>

#include "harness.h"
#include "attribution_support.h"

/* The newest journal event; free with rf_event_free(). */
rf_event *newest_event(fixture *fx)
{
    int64_t seq = last_seq(fx);
    assert_true(seq > 0);
    rf_journal_iter *it = NULL;
    rf_event *ev = NULL;
    assert_ok(rf_journal_read(&it, fx->store, seq - 1));
    assert_ok(rf_journal_iter_next(&ev, it));
    rf_journal_iter_free(it);
    return ev;
}

/* The newest journal event of @type (a referral's own event is followed by
 * the tasks it puts in the outbox); free with rf_event_free(). */
rf_event *newest_event_of(fixture *fx, const char *type)
{
    rf_journal_iter *it = NULL;
    rf_event *ev = NULL, *found = NULL;
    assert_ok(rf_journal_read(&it, fx->store, 0));
    while (rf_journal_iter_next(&ev, it) == RF_OK) {
        if (strcmp(rf_event_type(ev), type) == 0) {
            rf_event_free(found);
            found = ev;
        } else {
            rf_event_free(ev);
        }
    }
    rf_journal_iter_free(it);
    assert_non_null(found);
    return found;
}

void assert_has(const char *haystack, const char *needle)
{
    if (haystack == NULL || strstr(haystack, needle) == NULL) {
        print_error("\"%s\" does not contain \"%s\"\n", haystack != NULL ? haystack : "(null)", needle);
        fail();
    }
}

void assert_lacks(const char *haystack, const char *needle)
{
    if (haystack != NULL && strstr(haystack, needle) != NULL) {
        print_error("\"%s\" contains \"%s\"\n", haystack, needle);
        fail();
    }
}

rf_code *code_for(fixture *fx, const rf_party *owner, rf_channel channel, const char *program_id)
{
    rf_code_options o = RF_CODE_OPTIONS_INIT;
    o.channel = channel;
    o.program_id = program_id;
    rf_code *c = NULL;
    assert_ok(rf_code_issue(&c, fx->store, rf_party_id(owner), &o));
    return c;
}

rf_touch *touch_at(fixture *fx, rf_time at, const rf_code *code, const char *visitor)
{
    fx->now = at;
    rf_touch *t = NULL;
    assert_ok(rf_touch_add(&t, fx->store, rf_code_text(code), visitor, NULL));
    return t;
}

rf_referral_options inbound(const rf_program *program, const rf_party *referee)
{
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(program);
    o.referee_id = rf_party_id(referee);
    return o;
}
