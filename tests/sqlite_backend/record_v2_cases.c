/* Programmes, touches and referrals (contract version 2) as the SQLite
 * backend stores them: columns, unique keys across connections, the two
 * update paths, scan filters at their bounds, and the plans of the scans. */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>

#include "backends/sqlite/sqlite_internal.h" /* the statements, for their query plans */

static rf_referral_record referral(const char *id, const char *referrer, const char *referee, const char *key)
{
    rf_referral_record r;
    memset(&r, 0, sizeof r);
    r.id = id;
    r.program_id = "prog-1";
    r.referrer_id = referrer;
    r.referee_id = referee;
    r.attribution_key = key;
    r.direction = 1;
    r.source = 1;
    r.channel = 2;
    r.state = 1;
    r.urgency = 1;
    r.documents_complete = 1;
    r.reached_at[1] = 1700000000;
    r.updated_at = 1700000000;
    return r;
}

/* Every field set, every state slot a distinct time. */
static rf_referral_record full_referral(void)
{
    rf_referral_record r = referral("0001-r", "0001-p", "0002-p", "0002-p");
    r.target_id = "0003-p";
    r.code_id = "0001-c";
    r.touch_id = "0001-t";
    r.evidence = "code=JANE7K3Q";
    r.reason = "knee pain";
    r.preferred_timing = "mornings";
    r.practitioner_id = "staff-1";
    r.variant = "B";
    r.documents_required = "letter,imaging";
    r.documents_received = "letter";
    r.held_state = 4;
    r.state = 13;
    r.care_level = 2;
    r.urgency = 2;
    r.fraud_flags = 5;
    r.documents_complete = 0;
    r.reschedules = 3;
    r.no_shows = 1;
    r.visits = 2;
    for (int s = 1; s < RF_BACKEND_STATE_SLOTS; s++) {
        r.reached_at[s] = 1700000000 + 100 * s;
    }
    r.appointment_at = 1700009000;
    r.first_appointment_at = 1700008000;
    r.updated_at = 1700009999;
    return r;
}

static void assert_same_referral(const rf_referral_record *a, const rf_referral_record *b)
{
    assert_same_str(a->id, b->id);
    assert_same_str(a->program_id, b->program_id);
    assert_same_str(a->referrer_id, b->referrer_id);
    assert_same_str(a->referee_id, b->referee_id);
    assert_same_str(a->target_id, b->target_id);
    assert_same_str(a->code_id, b->code_id);
    assert_same_str(a->touch_id, b->touch_id);
    assert_same_str(a->evidence, b->evidence);
    assert_same_str(a->reason, b->reason);
    assert_same_str(a->preferred_timing, b->preferred_timing);
    assert_same_str(a->practitioner_id, b->practitioner_id);
    assert_same_str(a->variant, b->variant);
    assert_same_str(a->documents_required, b->documents_required);
    assert_same_str(a->documents_received, b->documents_received);
    assert_same_str(a->attribution_key, b->attribution_key);
    assert_int_equal(a->direction, b->direction);
    assert_int_equal(a->source, b->source);
    assert_int_equal(a->channel, b->channel);
    assert_int_equal(a->state, b->state);
    assert_int_equal(a->held_state, b->held_state);
    assert_int_equal(a->care_level, b->care_level);
    assert_int_equal(a->urgency, b->urgency);
    assert_int_equal(a->fraud_flags, b->fraud_flags);
    assert_int_equal(a->documents_complete, b->documents_complete);
    assert_int_equal(a->reschedules, b->reschedules);
    assert_int_equal(a->no_shows, b->no_shows);
    assert_int_equal(a->visits, b->visits);
    for (int s = 0; s < RF_BACKEND_STATE_SLOTS; s++) {
        assert_int_equal(a->reached_at[s], b->reached_at[s]);
    }
    assert_int_equal(a->appointment_at, b->appointment_at);
    assert_int_equal(a->first_appointment_at, b->first_appointment_at);
    assert_int_equal(a->updated_at, b->updated_at);
}

static int copy_first_referral(const rf_referral_record *r, void *payload)
{
    rf_referral_record *out = payload;
    /* Borrowed strings die with the callback: keep only what is compared below. */
    out->id = r->id != NULL && strcmp(r->id, "0001-r") == 0 ? "0001-r" : "other";
    out->state = r->state;
    memcpy(out->reached_at, r->reached_at, sizeof out->reached_at);
    return 1;
}

static void referral_round_trip_with_a_column_per_state(void **state)
{
    fixture *f = *state;
    make_path(f, "referral");
    remove_db(f->path);
    rf_referral_record r = full_referral();
    rf_referral_record bare = referral("0002-r", NULL, NULL, NULL);
    bare.program_id = NULL;
    bare.reached_at[1] = 0;

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->referral_insert(b, PRACTICE, &r), RF_OK);
    assert_int_equal(b->referral_insert(b, PRACTICE, &bare), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);

    b = open_ok(f->path);
    rf_referral_record got;
    assert_int_equal(b->referral_get(b, PRACTICE, "0001-r", &got), RF_OK);
    assert_same_referral(&got, &r);
    assert_int_equal(b->referral_get(b, PRACTICE, "0002-r", &got), RF_OK);
    assert_same_referral(&got, &bare); /* NULL strings and 0 times come back as given */
    rf_referral_record seen;
    memset(&seen, 0, sizeof seen);
    assert_int_equal(b->referral_scan(b, PRACTICE, NULL, copy_first_referral, &seen), RF_OK);
    assert_string_equal(seen.id, "0001-r");
    assert_int_equal(seen.state, 13);
    assert_memory_equal(seen.reached_at, r.reached_at, sizeof r.reached_at);
    assert_int_equal(b->referral_get(b, PRACTICE, "nobody", &got), RF_ENOTFOUND);
    assert_null(got.id);
    assert_error_mentions("'nobody'");
    b->free(b);

    /* Each state's time is its own column; a state never reached is NULL there. */
    assert_int_equal(raw_int(f->path, "SELECT received_at FROM referrals WHERE id = '0001-r'"), 1700000100);
    assert_int_equal(raw_int(f->path, "SELECT accepted_at FROM referrals WHERE id = '0001-r'"), 1700000300);
    assert_int_equal(raw_int(f->path, "SELECT entered_in_error_at FROM referrals WHERE id = '0001-r'"),
                     1700001400);
    assert_int_equal(raw_int(f->path, "SELECT count(accepted_at) FROM referrals"), 1);
    assert_int_equal(raw_int(f->path, "SELECT appointment_at IS NULL FROM referrals WHERE id = '0002-r'"), 1);
    assert_int_equal(raw_int(f->path, "SELECT received_at FROM referrals WHERE id = '0002-r'"), 0);
}

/* The unique attribution key is what tells two processes attributing one
 * referee at once apart: the second to commit its insert is refused. */
static void attribution_key_is_unique_across_connections(void **state)
{
    fixture *f = *state;
    make_path(f, "attr2");
    remove_db(f->path);
    rf_referral_record first = referral("0001-r", "0001-p", "0009-p", "0009-p");
    rf_referral_record second = referral("0002-r", "0002-p", "0009-p", "0009-p");
    rf_referral_record unkeyed = referral("0003-r", "0002-p", "0009-p", NULL);

    rf_backend *a = open_ok(f->path);
    rf_backend *b = open_ok(f->path);
    assert_int_equal(a->begin(a), RF_OK);
    assert_int_equal(a->referral_insert(a, PRACTICE, &first), RF_OK);
    assert_int_equal(a->commit(a), RF_OK);

    assert_int_equal(b->begin(b), RF_OK);
    rf_error_clear();
    assert_int_equal(b->referral_insert(b, PRACTICE, &second), RF_EEXISTS);
    assert_int_equal(rf_error_last()->code, RF_EEXISTS);
    assert_error_mentions("attribution key '0009-p'");
    /* The refusal undid only itself: the same transaction goes on and commits. */
    assert_int_equal(b->referral_insert(b, PRACTICE, &unkeyed), RF_OK);
    second.attribution_key = NULL;
    assert_int_equal(b->referral_insert(b, PRACTICE, &second), RF_OK); /* NULL keys never clash */
    assert_int_equal(b->commit(b), RF_OK);

    /* Another practice may use the same key. */
    first.id = "0004-r";
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->referral_insert(b, "clinic-b", &first), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);
    a->free(a);

    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM referrals WHERE practice = 'clinic-a'"), 3);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM referrals WHERE attribution_key = '0009-p'"), 2);
    char buf[64]; /* the first writer's row holds the key */
    assert_string_equal(raw_text(f->path,
                                 "SELECT id FROM referrals WHERE practice = 'clinic-a' AND attribution_key = "
                                 "'0009-p'",
                                 buf, sizeof buf),
                        "0001-r");
}

/* A move (state, its time, counters) takes the update that touches no index;
 * a change of a keyed column takes the full one; both keep the contract. */
static void updates_keep_keys_and_report_misses(void **state)
{
    fixture *f = *state;
    make_path(f, "update");
    remove_db(f->path);
    rf_referral_record a = referral("0001-r", "0001-p", "0002-p", "0002-p");
    rf_referral_record b2 = referral("0002-r", "0001-p", "0003-p", "0003-p");
    rf_referral_record got;

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->referral_insert(b, PRACTICE, &a), RF_OK);
    assert_int_equal(b->referral_insert(b, PRACTICE, &b2), RF_OK);

    a.state = 3;
    a.reached_at[3] = 1700000300;
    a.reason = "accepted";
    a.updated_at = 1700000300;
    assert_int_equal(b->referral_update(b, PRACTICE, &a), RF_OK);
    assert_int_equal(b->referral_get(b, PRACTICE, "0001-r", &got), RF_OK);
    assert_same_referral(&got, &a);

    /* Keyed columns change too. */
    a.referrer_id = "0005-p";
    a.program_id = "prog-2";
    a.reached_at[1] = 1690000000;
    a.target_id = "0006-p";
    assert_int_equal(b->referral_update(b, PRACTICE, &a), RF_OK);
    assert_int_equal(b->referral_get(b, PRACTICE, "0001-r", &got), RF_OK);
    assert_same_referral(&got, &a);

    /* An update onto a key another referral holds is refused and changes nothing. */
    rf_referral_record clash = a;
    clash.attribution_key = "0003-p";
    clash.state = 7;
    rf_error_clear();
    assert_int_equal(b->referral_update(b, PRACTICE, &clash), RF_EEXISTS);
    assert_error_mentions("attribution key '0003-p'");
    assert_int_equal(b->referral_get(b, PRACTICE, "0001-r", &got), RF_OK);
    assert_same_referral(&got, &a);

    /* Released, the key can be taken by another referral. */
    b2.attribution_key = NULL;
    assert_int_equal(b->referral_update(b, PRACTICE, &b2), RF_OK);
    assert_int_equal(b->referral_update(b, PRACTICE, &clash), RF_OK);
    assert_int_equal(b->referral_get(b, PRACTICE, "0002-r", &got), RF_OK);
    assert_null(got.attribution_key);

    /* No such referral: not found, and nothing inserted. */
    rf_referral_record ghost = referral("0009-r", "0001-p", "0002-p", NULL);
    rf_error_clear();
    assert_int_equal(b->referral_update(b, PRACTICE, &ghost), RF_ENOTFOUND);
    assert_error_mentions("'0009-r'");
    assert_int_equal(b->referral_update(b, "clinic-b", &a), RF_ENOTFOUND);
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM referrals"), 2);
}

static int on_referral(const rf_referral_record *r, void *payload)
{
    return seen(payload, r->id);
}

static int on_touch(const rf_touch_record *t, void *payload)
{
    return seen(payload, t->id);
}

static int on_program(const rf_program_record *p, void *payload)
{
    return seen(payload, p->id);
}

static const char *scan_referrals(rf_backend *b, const rf_referral_query *q, char *buf, size_t n)
{
    ids_seen s = {0};
    assert_int_equal(b->referral_scan(b, PRACTICE, q, on_referral, &s), RF_OK);
    return joined(&s, buf, n);
}

static void referral_scans_filter_page_and_bound(void **state)
{
    fixture *f = *state;
    make_path(f, "rscan");
    remove_db(f->path);
    /* Inserted out of id order; received times include both extremes. */
    struct {
        const char *id, *program, *referrer, *referee, *target;
        int direction;
        rf_time received;
    } rows[] = {
        {"r5", "p1", "a", "x", NULL, 1, 500},      {"r1", "p1", "a", "y", NULL, 1, 100},
        {"r3", "p2", "b", "x", "t", 2, 300},       {"r2", "p1", "b", "x", NULL, 1, INT64_MIN + 1},
        {"r4", "p2", "a", "z", "t", 2, INT64_MAX},
    };
    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        rf_referral_record r = referral(rows[i].id, rows[i].referrer, rows[i].referee, NULL);
        r.program_id = rows[i].program;
        r.target_id = rows[i].target;
        r.direction = rows[i].direction;
        r.reached_at[1] = rows[i].received;
        assert_int_equal(b->referral_insert(b, PRACTICE, &r), RF_OK);
    }
    rf_referral_record other = referral("r0", "a", "x", NULL);
    assert_int_equal(b->referral_insert(b, "clinic-b", &other), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);

    char buf[256];
    rf_referral_query q = {.received_from = RF_TIME_UNSET, .received_to = RF_TIME_UNSET};
    assert_string_equal(scan_referrals(b, &q, buf, sizeof buf), "r1,r2,r3,r4,r5");
    q.after_id = "r2";
    q.limit = 2;
    assert_string_equal(scan_referrals(b, &q, buf, sizeof buf), "r3,r4");
    q.after_id = NULL;
    q.limit = 0;
    q.referee_id = "x";
    assert_string_equal(scan_referrals(b, &q, buf, sizeof buf), "r2,r3,r5");
    q.direction = 1;
    assert_string_equal(scan_referrals(b, &q, buf, sizeof buf), "r2,r5");
    q.referrer_id = "a";
    assert_string_equal(scan_referrals(b, &q, buf, sizeof buf), "r5");
    q = (rf_referral_query){.referrer_id = "a", .received_from = RF_TIME_UNSET, .received_to = RF_TIME_UNSET};
    assert_string_equal(scan_referrals(b, &q, buf, sizeof buf), "r1,r4,r5");
    q.limit = 1;
    q.after_id = "r1";
    assert_string_equal(scan_referrals(b, &q, buf, sizeof buf), "r4");
    q = (rf_referral_query){.target_id = "t", .received_from = RF_TIME_UNSET, .received_to = RF_TIME_UNSET};
    assert_string_equal(scan_referrals(b, &q, buf, sizeof buf), "r3,r4");
    /* [from, to): from is in, to is out. */
    q = (rf_referral_query){.program_id = "p1", .received_from = 100, .received_to = 500};
    assert_string_equal(scan_referrals(b, &q, buf, sizeof buf), "r1");
    q.received_to = 501;
    assert_string_equal(scan_referrals(b, &q, buf, sizeof buf), "r1,r5");
    q.received_from = RF_TIME_UNSET;
    assert_string_equal(scan_referrals(b, &q, buf, sizeof buf), "r1,r2,r5");
    q.after_id = "r1";
    q.limit = 1;
    assert_string_equal(scan_referrals(b, &q, buf, sizeof buf), "r2");
    q = (rf_referral_query){.program_id = "p2", .received_from = RF_TIME_UNSET, .received_to = RF_TIME_UNSET};
    assert_string_equal(scan_referrals(b, &q, buf, sizeof buf), "r3,r4");
    /* No bound means no bound, even at the ends of the range. */
    q = (rf_referral_query){.received_from = 300, .received_to = RF_TIME_UNSET};
    assert_string_equal(scan_referrals(b, &q, buf, sizeof buf), "r3,r4,r5");
    q = (rf_referral_query){.received_from = RF_TIME_UNSET, .received_to = 300};
    assert_string_equal(scan_referrals(b, &q, buf, sizeof buf), "r1,r2");
    q = (rf_referral_query){.received_from = 400, .received_to = 200};
    assert_string_equal(scan_referrals(b, &q, buf, sizeof buf), "");
    /* A stop from the callback ends the scan with RF_OK. */
    ids_seen s = {.n = 15, .stop_at = 16};
    assert_int_equal(b->referral_scan(b, PRACTICE, NULL, on_referral, &s), RF_OK);
    assert_int_equal(s.n, 16);
    b->free(b);
}

static void touches_scan_by_visitor_and_period(void **state)
{
    fixture *f = *state;
    make_path(f, "tscan");
    remove_db(f->path);
    struct {
        const char *id, *visitor;
        rf_time at;
    } rows[] = {
        {"t4", "v1", 400}, {"t1", "v1", 100}, {"t3", "v2", 300}, {"t2", "v1", INT64_MAX}, {"t5", NULL, 0},
    };
    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        rf_touch_record t = {rows[i].id,      "0001-c", "0001-p",  i == 0 ? NULL : "prog-1",
                             rows[i].visitor, 3,        rows[i].at};
        assert_int_equal(b->touch_insert(b, PRACTICE, &t), RF_OK);
    }
    rf_touch_record dup = {"t1", "c", "o", NULL, "v9", 1, 1};
    rf_error_clear();
    assert_int_equal(b->touch_insert(b, PRACTICE, &dup), RF_EEXISTS);
    assert_error_mentions("'t1'");
    assert_int_equal(b->touch_insert(b, "clinic-b", &dup), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);

    rf_touch_record got;
    assert_int_equal(b->touch_get(b, PRACTICE, "t4", &got), RF_OK);
    assert_string_equal(got.visitor_key, "v1");
    assert_null(got.program_id);
    assert_string_equal(got.code_id, "0001-c");
    assert_int_equal(got.channel, 3);
    assert_int_equal(got.at, 400);
    assert_int_equal(b->touch_get(b, PRACTICE, "t9", &got), RF_ENOTFOUND);
    assert_null(got.id);

    char buf[256];
    ids_seen s = {0};
    assert_int_equal(b->touch_scan(b, PRACTICE, NULL, on_touch, &s), RF_OK);
    assert_string_equal(joined(&s, buf, sizeof buf), "t1,t2,t3,t4,t5");
    rf_touch_query q = {NULL, "v1", RF_TIME_UNSET, RF_TIME_UNSET, 0};
    s.n = 0;
    assert_int_equal(b->touch_scan(b, PRACTICE, &q, on_touch, &s), RF_OK);
    assert_string_equal(joined(&s, buf, sizeof buf), "t1,t2,t4");
    q.from = 100;
    q.to = 400;
    s.n = 0;
    assert_int_equal(b->touch_scan(b, PRACTICE, &q, on_touch, &s), RF_OK);
    assert_string_equal(joined(&s, buf, sizeof buf), "t1");
    q.to = RF_TIME_UNSET;
    q.after_id = "t1";
    q.limit = 1;
    s.n = 0;
    assert_int_equal(b->touch_scan(b, PRACTICE, &q, on_touch, &s), RF_OK);
    assert_string_equal(joined(&s, buf, sizeof buf), "t2");
    rf_touch_query period = {NULL, NULL, 0, 301, 0};
    s.n = 0;
    assert_int_equal(b->touch_scan(b, PRACTICE, &period, on_touch, &s), RF_OK);
    assert_string_equal(joined(&s, buf, sizeof buf), "t1,t3,t5");
    b->free(b);
}

static void programmes_have_unique_names(void **state)
{
    fixture *f = *state;
    make_path(f, "program");
    remove_db(f->path);
    rf_program_record p1 = {"0001-g", "Friends", "window_days=30;", 1700000000, 1700000000};
    rf_program_record p2 = {"0002-g", "Partners", NULL, 1700000001, 1700000001};
    rf_program_record same_name = {"0003-g", "Friends", NULL, 1, 1};
    rf_program_record got;

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->program_insert(b, PRACTICE, &p2), RF_OK);
    assert_int_equal(b->program_insert(b, PRACTICE, &p1), RF_OK);
    rf_error_clear();
    assert_int_equal(b->program_insert(b, PRACTICE, &same_name), RF_EEXISTS);
    assert_error_mentions("'Friends'");
    rf_program_record same_id = {"0001-g", "Other", NULL, 1, 1};
    assert_int_equal(b->program_insert(b, PRACTICE, &same_id), RF_EEXISTS);
    assert_error_mentions("programme '0001-g'");
    assert_int_equal(b->program_insert(b, "clinic-b", &same_name), RF_OK);
    /* Renaming onto a taken name is refused; onto a free one it moves. */
    rf_program_record renamed = p2;
    renamed.name = "Friends";
    assert_int_equal(b->program_update(b, PRACTICE, &renamed), RF_EEXISTS);
    renamed.name = "Family";
    renamed.settings = "window_days=60;";
    assert_int_equal(b->program_update(b, PRACTICE, &renamed), RF_OK);
    assert_int_equal(b->program_update(b, PRACTICE, &same_name), RF_ENOTFOUND);
    assert_int_equal(b->commit(b), RF_OK);

    assert_int_equal(b->program_get_by_name(b, PRACTICE, "Family", &got), RF_OK);
    assert_string_equal(got.id, "0002-g");
    assert_string_equal(got.settings, "window_days=60;");
    assert_int_equal(b->program_get_by_name(b, PRACTICE, "Partners", &got), RF_ENOTFOUND);
    assert_null(got.id);
    assert_int_equal(b->program_get(b, PRACTICE, "0001-g", &got), RF_OK);
    assert_string_equal(got.name, "Friends");
    assert_string_equal(got.settings, "window_days=30;");
    assert_int_equal(got.created_at, 1700000000);

    char buf[128];
    ids_seen s = {0};
    assert_int_equal(b->program_scan(b, PRACTICE, NULL, 0, on_program, &s), RF_OK);
    assert_string_equal(joined(&s, buf, sizeof buf), "0001-g,0002-g");
    s.n = 0;
    assert_int_equal(b->program_scan(b, PRACTICE, "0001-g", 0, on_program, &s), RF_OK);
    assert_string_equal(joined(&s, buf, sizeof buf), "0002-g");
    s.n = 0;
    assert_int_equal(b->program_scan(b, PRACTICE, NULL, 1, on_program, &s), RF_OK);
    assert_string_equal(joined(&s, buf, sizeof buf), "0001-g");
    b->free(b);
}

static void v2_writes_outside_transaction_are_refused(void **state)
{
    fixture *f = *state;
    rf_backend *b = open_new(f, "v2notxn");
    rf_program_record p = {"0001-g", "Friends", NULL, 1, 1};
    rf_touch_record t = {"0001-t", "c", "o", NULL, "v", 1, 1};
    rf_referral_record r = referral("0001-r", "a", "b", "b");
    assert_int_equal(b->program_insert(b, PRACTICE, &p), RF_EBACKEND);
    assert_error_mentions("outside a transaction");
    assert_int_equal(b->program_update(b, PRACTICE, &p), RF_EBACKEND);
    assert_int_equal(b->touch_insert(b, PRACTICE, &t), RF_EBACKEND);
    assert_int_equal(b->referral_insert(b, PRACTICE, &r), RF_EBACKEND);
    assert_int_equal(b->referral_update(b, PRACTICE, &r), RF_EBACKEND);
    b->free(b);
    assert_int_equal(raw_int(f->path,
                             "SELECT (SELECT count(*) FROM programs) + (SELECT count(*) FROM touches) "
                             "+ (SELECT count(*) FROM referrals)"),
                     0);
}

/* Each scan starts from the index of its most selective filter, and the hot
 * update finds its row by the primary key. The planner would otherwise walk
 * the primary key to save a sort, reading the practice's every referral. */
static void scans_start_from_their_index(void **state)
{
    fixture *f = *state;
    new_file(f, "plans");
    assert_plan(f->path, RF_SQ_REFERRAL_GET, "sqlite_autoindex_referrals_1 (practice=? AND id=?)", 0);
    assert_plan(f->path, RF_SQ_REFERRAL_UPDATE, "sqlite_autoindex_referrals_1 (practice=? AND id=?)", 0);
    assert_plan(f->path, RF_SQ_REFERRAL_UPDATE_UNKEYED, "sqlite_autoindex_referrals_1 (practice=? AND id=?)",
                0);
    assert_plan(f->path, RF_SQ_REFERRAL_SCAN, "sqlite_autoindex_referrals_1 (practice=? AND id>?)", 0);
    assert_plan(f->path, RF_SQ_REFERRAL_SCAN_REFEREE,
                "referrals_referee (practice=? AND referee_id=? AND id>?)", 0);
    assert_plan(f->path, RF_SQ_REFERRAL_SCAN_REFERRER,
                "referrals_referrer (practice=? AND referrer_id=? AND id>?)", 0);
    assert_plan(f->path, RF_SQ_REFERRAL_SCAN_TARGET,
                "INDEX referrals_target (practice=? AND target_id=? AND id>?)", 0);
    assert_plan(f->path, RF_SQ_REFERRAL_SCAN_PROGRAM,
                "referrals_program (practice=? AND program_id=? AND received_at>? AND received_at<?)", 1);
    assert_plan(f->path, RF_SQ_TOUCH_SCAN_VISITOR,
                "touches_visitor (practice=? AND visitor_key=? AND at>? AND at<?)", 1);
    assert_plan(f->path, RF_SQ_PARTY_UPDATE_UNKEYED, "sqlite_autoindex_parties_1 (practice=? AND id=?)", 0);
    assert_plan(f->path, RF_SQ_CODE_UPDATE_UNKEYED, "sqlite_autoindex_codes_1 (practice=? AND id=?)", 0);
    assert_plan(f->path, RF_SQ_PROGRAM_GET_BY_NAME, "sqlite_autoindex_programs_2 (practice=? AND name=?)", 0);
}

int run_record_v2_cases(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(referral_round_trip_with_a_column_per_state),
        FIXTURE_TEST(attribution_key_is_unique_across_connections),
        FIXTURE_TEST(updates_keep_keys_and_report_misses),
        FIXTURE_TEST(referral_scans_filter_page_and_bound),
        FIXTURE_TEST(touches_scan_by_visitor_and_period),
        FIXTURE_TEST(programmes_have_unique_names),
        FIXTURE_TEST(v2_writes_outside_transaction_are_refused),
        FIXTURE_TEST(scans_start_from_their_index),
    };
    return cmocka_run_group_tests_name("records v2", tests, NULL, NULL);
}
