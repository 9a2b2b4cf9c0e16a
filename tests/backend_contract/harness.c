/* The contract suite's backends under test, fixtures, record builders and shared assertions. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef RF_WITH_POSTGRES
#include "pg_support.h"
#endif

/* --- backends under test ------------------------------------------------------------------------ */

static rf_status open_memory(rf_backend **out, const char *path)
{
    (void)path;
    return rf_backend_memory_new(out);
}

static rf_status open_sqlite(rf_backend **out, const char *path)
{
    return rf_backend_sqlite_new(out, path);
}

#ifdef RF_WITH_POSTGRES
/* On PostgreSQL the fixture's path is a conninfo naming a database of the case's own. */
static rf_status open_postgres(rf_backend **out, const char *conninfo)
{
    return rf_backend_postgres_new(out, conninfo);
}
#endif

const factory factories[] = {
    {"memory", open_memory, 0, 1},
    {"sqlite", open_sqlite, 1, 0},
#ifdef RF_WITH_POSTGRES
    {"postgres", open_postgres, 1, 0},
#endif
};
const size_t factory_count = sizeof factories / sizeof factories[0];

const factory *current; /* the backend whose group is running */
static unsigned int case_number;

static void remove_files(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char name[600];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
        unlink(name);
    }
}

int reopen(fixture *fx)
{
    rf_status rc = fx->f->open(&fx->b, fx->path);
    if (rc != RF_OK || fx->b == NULL) {
        print_error("backend '%s' could not be created: %s (%s)\n", fx->f->name, rf_strerror(rc),
                    rf_error_last()->message);
        return -1;
    }
    return 0;
}

rf_backend *free_and_reopen(fixture *fx)
{
    fx->b->free(fx->b);
    fx->b = NULL;
    if (!fx->f->persistent) {
        return NULL;
    }
    assert_int_equal(reopen(fx), 0);
    return fx->b;
}

int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (fx == NULL) {
        return -1;
    }
    fx->f = current;
#ifdef RF_WITH_POSTGRES
    if (strcmp(current->name, "postgres") == 0) {
        /* A database per case, as a new file per case for SQLite. */
        char dbname[64];
        snprintf(dbname, sizeof dbname, "rf_contract_%ld_%u", (long)getpid(), ++case_number);
        if (pg_test_create(fx->path, sizeof fx->path, dbname) != 0 || reopen(fx) != 0) {
            pg_test_drop(dbname);
            free(fx);
            return -1;
        }
        *state = fx;
        return 0;
    }
#endif
    snprintf(fx->path, sizeof fx->path, "%s/contract-%s-%ld-%u.db", RF_TEST_TMPDIR, current->name,
             (long)getpid(), ++case_number);
    remove_files(fx->path);
    /* A backend that cannot be created fails every one of its cases (cmocka skips teardown). */
    if (reopen(fx) != 0) {
        remove_files(fx->path);
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

int teardown(void **state)
{
    fixture *fx = *state;
    if (fx != NULL) {
        if (fx->b != NULL) {
            fx->b->free(fx->b);
        }
#ifdef RF_WITH_POSTGRES
        const char *dbname = strstr(fx->path, "dbname=");
        if (strcmp(fx->f->name, "postgres") == 0 && dbname != NULL) {
            pg_test_drop(dbname + strlen("dbname="));
            free(fx);
            return 0;
        }
#endif
        remove_files(fx->path);
        free(fx);
    }
    return 0;
}

/* --- records and helpers ------------------------------------------------------------------------ */

/* UUIDv7-shaped text that sorts by n. From a ring: only the last 256 results stay valid. */
const char *uid(unsigned int n)
{
    static char ring[256][40];
    static unsigned int next;
    char *s = ring[next++ % 256];
    snprintf(s, 40, "0190a1b2-0000-7000-8000-%012u", n);
    return s;
}

const char *text(const char *fmt, unsigned int n)
{
    static char ring[256][64];
    static unsigned int next;
    char *s = ring[next++ % 256];
    snprintf(s, 64, fmt, n);
    return s;
}

rf_party_record party(const char *id, const char *ext, const char *email_key, const char *phone_key, int kind)
{
    rf_party_record r = {.id = id,
                         .external_id = ext,
                         .display_name = "Jane Doe",
                         .email = "jane@example.org",
                         .phone = "+447700900123",
                         .email_key = email_key,
                         .phone_key = phone_key,
                         .segment = "physio",
                         .practitioner_id = "staff-7",
                         .intake_detail = "saw a poster",
                         .kind = kind,
                         .consent = 5,
                         .payer = 2,
                         .intake = 3,
                         .first_visit_at = 1700000000,
                         .created_at = 1700000100,
                         .updated_at = 1700000200};
    return r;
}

rf_code_record code(const char *id, const char *key, const char *owner)
{
    rf_code_record r = {id, key, "Jane-7K3Q", owner, "prog-1", NULL, 2, 1, 10, 0, 1700000300, 1800000000, 0};
    return r;
}

rf_event_record event(const char *type, const char *subject)
{
    rf_event_record r = {99, type, subject, "object-1", NULL, "{\"n\":1}", 1700000400};
    return r;
}

rf_idempotency_record idem(const char *key, const char *result_id)
{
    rf_idempotency_record r = {key, "party.add", result_id, UINT64_C(0xF00DFACECAFEBEEF), 1700000500};
    return r;
}

void assert_str(const char *want, const char *got)
{
    if (want == NULL) {
        assert_null(got);
    } else {
        assert_non_null(got);
        assert_string_equal(want, got);
    }
}

void assert_party(const rf_party_record *want, const rf_party_record *got)
{
    assert_str(want->id, got->id);
    assert_str(want->external_id, got->external_id);
    assert_str(want->display_name, got->display_name);
    assert_str(want->email, got->email);
    assert_str(want->phone, got->phone);
    assert_str(want->email_key, got->email_key);
    assert_str(want->phone_key, got->phone_key);
    assert_str(want->segment, got->segment);
    assert_str(want->practitioner_id, got->practitioner_id);
    assert_str(want->intake_detail, got->intake_detail);
    assert_int_equal(want->kind, got->kind);
    assert_int_equal(want->consent, got->consent);
    assert_int_equal(want->payer, got->payer);
    assert_int_equal(want->intake, got->intake);
    assert_int_equal(want->first_visit_at, got->first_visit_at);
    assert_int_equal(want->created_at, got->created_at);
    assert_int_equal(want->updated_at, got->updated_at);
}

void assert_code(const rf_code_record *want, const rf_code_record *got)
{
    assert_str(want->id, got->id);
    assert_str(want->key, got->key);
    assert_str(want->text, got->text);
    assert_str(want->owner_id, got->owner_id);
    assert_str(want->program_id, got->program_id);
    assert_str(want->revoke_reason, got->revoke_reason);
    assert_int_equal(want->style, got->style);
    assert_int_equal(want->channel, got->channel);
    assert_int_equal(want->max_uses, got->max_uses);
    assert_int_equal(want->uses, got->uses);
    assert_int_equal(want->created_at, got->created_at);
    assert_int_equal(want->expires_at, got->expires_at);
    assert_int_equal(want->revoked_at, got->revoked_at);
}

visits *visits_new(size_t stop_after)
{
    visits *v = calloc(1, sizeof *v);
    assert_non_null(v);
    v->stop_after = stop_after;
    return v;
}

int visit_id(visits *v, const char *id, int64_t seq)
{
    assert_true(v->n < 600);
    if (id != NULL) {
        snprintf(v->ids[v->n], sizeof v->ids[0], "%s", id);
    }
    v->seqs[v->n++] = seq;
    return v->stop_after != 0 && v->n >= v->stop_after;
}

int on_party(const rf_party_record *r, void *payload)
{
    /* Strings are borrowed until the callback returns: reading them must be safe here. */
    assert_non_null(r->display_name);
    assert_true(strlen(r->display_name) > 0);
    return visit_id(payload, r->id, 0);
}

int on_code(const rf_code_record *r, void *payload)
{
    assert_non_null(r->key);
    return visit_id(payload, r->id, 0);
}

int on_event(const rf_event_record *r, void *payload)
{
    assert_non_null(r->type);
    return visit_id(payload, r->subject_id, r->seq);
}

visits *scan_parties(rf_backend *b, const char *practice, const char *after, int kind, const char *contact,
                     unsigned int limit)
{
    visits *v = visits_new(0);
    rf_party_query q = {after, kind, contact, limit};
    OK(b->party_scan(b, practice, &q, on_party, v));
    return v;
}

visits *scan_codes(rf_backend *b, const char *practice, const char *after, const char *owner,
                   unsigned int limit)
{
    visits *v = visits_new(0);
    rf_code_query q = {after, owner, limit};
    OK(b->code_scan(b, practice, &q, on_code, v));
    return v;
}

/* The scan saw exactly the ids uid(want[0..n)), in that order; frees @v. */
void assert_visited(visits *v, const unsigned int *want, size_t n)
{
    assert_int_equal(v->n, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(v->ids[i], uid(want[i]));
    }
    free(v);
}

void insert_party(rf_backend *b, const char *practice, unsigned int n, int kind, const char *email_key,
                  const char *phone_key)
{
    rf_party_record r = party(uid(n), text("ext-%u", n), email_key, phone_key, kind);
    OK(b->party_insert(b, practice, &r));
}

void expect_no_party(rf_backend *b, const char *practice, const char *id)
{
    rf_party_record got;
    assert_status(RF_ENOTFOUND, b->party_get(b, practice, id, &got));
}

int64_t last_seq(rf_backend *b, const char *practice)
{
    int64_t seq = -1;
    OK(b->journal_last_seq(b, practice, &seq));
    return seq;
}

/* --- contract version 2: programmes, touches, referrals ------------------------------------------ */

void need_members(rf_backend *b, unsigned int version, const contract_member *members, size_t n)
{
    if (b->version < version) {
        fail_msg("backend '%s' declares contract version %u; these cases need version %u", current->name,
                 b->version, version);
    }
    for (size_t i = 0; i < n; i++) {
        void (*fn)(void);
        memcpy(&fn, (const char *)b + members[i].offset, sizeof fn);
        if (fn == NULL) {
            fail_msg("backend '%s' declares version %u but has no %s", current->name, b->version,
                     members[i].name);
        }
    }
}

void need_v2(rf_backend *b)
{
    static const contract_member members[] = {
        CONTRACT_MEMBER(program_insert),  CONTRACT_MEMBER(program_update),
        CONTRACT_MEMBER(program_get),     CONTRACT_MEMBER(program_get_by_name),
        CONTRACT_MEMBER(program_scan),    CONTRACT_MEMBER(touch_insert),
        CONTRACT_MEMBER(touch_get),       CONTRACT_MEMBER(touch_scan),
        CONTRACT_MEMBER(referral_insert), CONTRACT_MEMBER(referral_update),
        CONTRACT_MEMBER(referral_get),    CONTRACT_MEMBER(referral_scan),
    };
    need_members(b, 2, members, sizeof members / sizeof members[0]);
}

rf_program_record program(const char *id, const char *name)
{
    rf_program_record r = {id, name, "window_days=30;velocity_cap=5;reward=gift", 1700000600, 1700000700};
    return r;
}

rf_touch_record touch(const char *id, const char *visitor_key, rf_time at)
{
    rf_touch_record r = {id, "code-1", "owner-1", "prog-1", visitor_key, 2, at};
    return r;
}

rf_referral_record referral(const char *id, const char *program_id, const char *referrer_id,
                            const char *referee_id, const char *target_id, int direction, rf_time received)
{
    rf_referral_record r;
    memset(&r, 0, sizeof r);
    r.id = id;
    r.program_id = program_id;
    r.referrer_id = referrer_id;
    r.referee_id = referee_id;
    r.target_id = target_id;
    r.code_id = "code-1";
    r.evidence = "code=1";
    r.reason = "back pain";
    r.direction = direction;
    r.source = 1;
    r.channel = 2;
    r.state = 1;
    r.urgency = 1;
    r.documents_complete = 1;
    r.reached_at[1] = received;
    r.updated_at = received;
    return r;
}

void fill_referral(rf_referral_record *r, unsigned int n)
{
    memset(r, 0, sizeof *r);
    r->id = uid(n);
    r->program_id = text("prog-%u", n);
    r->referrer_id = text("referrer-%u", n);
    r->referee_id = text("referee-%u", n);
    r->target_id = text("target-%u", n);
    r->code_id = text("code-%u", n);
    r->touch_id = text("touch-%u", n);
    r->evidence = text("code=%u;touch=1;window=30", n);
    r->reason = text("reason \xe2\x80\x94 %u", n); /* UTF-8 passes through untouched */
    r->preferred_timing = text("mornings after %u", n);
    r->practitioner_id = text("staff-%u", n);
    r->variant = text("B%u", n);
    r->documents_required = text("letter,scan-%u", n);
    r->documents_received = "letter";
    r->attribution_key = text("referee-%u", n);
    r->direction = (int)(1 + n % 2);
    r->source = (int)(2 + n % 3);
    r->channel = (int)(3 + n % 4);
    r->state = (int)(5 + n % 9);
    r->held_state = (int)(4 + n % 5);
    r->care_level = (int)(1 + n % 3);
    r->urgency = (int)(2 + n % 2);
    r->fraud_flags = (int)(5 + n);
    r->documents_complete = (int)(n % 2);
    r->reschedules = (int)(7 + n);
    r->no_shows = (int)(11 + n);
    r->visits = (int)(13 + n);
    for (int i = 0; i < RF_BACKEND_STATE_SLOTS; i++) {
        r->reached_at[i] = 1700000000 + (rf_time)i * 86400 + n;
    }
    r->reached_at[0] = -1;                         /* negative */
    r->reached_at[13] = -62135596800;              /* 0001-01-01 */
    r->reached_at[14] = INT64_MAX;                 /* as large as it gets */
    r->appointment_at = INT64_C(253402300799) + n; /* 9999-12-31 and on */
    r->first_appointment_at = 1790000000 + (rf_time)n;
    r->updated_at = 1700009999 + (rf_time)n;
}

void assert_program(const rf_program_record *want, const rf_program_record *got)
{
    assert_str(want->id, got->id);
    assert_str(want->name, got->name);
    assert_str(want->settings, got->settings);
    assert_int_equal(want->created_at, got->created_at);
    assert_int_equal(want->updated_at, got->updated_at);
}

void assert_touch(const rf_touch_record *want, const rf_touch_record *got)
{
    assert_str(want->id, got->id);
    assert_str(want->code_id, got->code_id);
    assert_str(want->owner_id, got->owner_id);
    assert_str(want->program_id, got->program_id);
    assert_str(want->visitor_key, got->visitor_key);
    assert_int_equal(want->channel, got->channel);
    assert_int_equal(want->at, got->at);
}

void assert_referral(const rf_referral_record *want, const rf_referral_record *got)
{
    assert_str(want->id, got->id);
    assert_str(want->program_id, got->program_id);
    assert_str(want->referrer_id, got->referrer_id);
    assert_str(want->referee_id, got->referee_id);
    assert_str(want->target_id, got->target_id);
    assert_str(want->code_id, got->code_id);
    assert_str(want->touch_id, got->touch_id);
    assert_str(want->evidence, got->evidence);
    assert_str(want->reason, got->reason);
    assert_str(want->preferred_timing, got->preferred_timing);
    assert_str(want->practitioner_id, got->practitioner_id);
    assert_str(want->variant, got->variant);
    assert_str(want->documents_required, got->documents_required);
    assert_str(want->documents_received, got->documents_received);
    assert_str(want->attribution_key, got->attribution_key);
    assert_int_equal(want->direction, got->direction);
    assert_int_equal(want->source, got->source);
    assert_int_equal(want->channel, got->channel);
    assert_int_equal(want->state, got->state);
    assert_int_equal(want->held_state, got->held_state);
    assert_int_equal(want->care_level, got->care_level);
    assert_int_equal(want->urgency, got->urgency);
    assert_int_equal(want->fraud_flags, got->fraud_flags);
    assert_int_equal(want->documents_complete, got->documents_complete);
    assert_int_equal(want->reschedules, got->reschedules);
    assert_int_equal(want->no_shows, got->no_shows);
    assert_int_equal(want->visits, got->visits);
    for (int i = 0; i < RF_BACKEND_STATE_SLOTS; i++) {
        if (want->reached_at[i] != got->reached_at[i]) {
            fail_msg("reached_at[%d]: want %lld, got %lld", i, (long long)want->reached_at[i],
                     (long long)got->reached_at[i]);
        }
    }
    assert_int_equal(want->appointment_at, got->appointment_at);
    assert_int_equal(want->first_appointment_at, got->first_appointment_at);
    assert_int_equal(want->updated_at, got->updated_at);
}

void assert_zeroed(const void *p, size_t size)
{
    /* Pointers and integers alike: NULL and 0 are all-zero bytes on every platform we build on. */
    for (size_t i = 0; i < size; i++) {
        if (((const unsigned char *)p)[i] != 0) {
            fail_msg("byte %zu of the output is not zero after a failed get", i);
        }
    }
}

int on_program(const rf_program_record *r, void *payload)
{
    assert_non_null(r->name);
    return visit_id(payload, r->id, 0);
}

int on_touch(const rf_touch_record *r, void *payload)
{
    assert_non_null(r->visitor_key);
    return visit_id(payload, r->id, 0);
}

int on_referral(const rf_referral_record *r, void *payload)
{
    assert_non_null(r->referee_id);
    return visit_id(payload, r->id, 0);
}

rf_touch_query touch_query(void)
{
    rf_touch_query q = {NULL, NULL, RF_TIME_UNSET, RF_TIME_UNSET, 0};
    return q;
}

rf_referral_query referral_query(void)
{
    rf_referral_query q;
    memset(&q, 0, sizeof q);
    q.received_from = RF_TIME_UNSET;
    q.received_to = RF_TIME_UNSET;
    return q;
}

visits *scan_programs(rf_backend *b, const char *practice, const char *after, unsigned int limit)
{
    visits *v = visits_new(0);
    OK(b->program_scan(b, practice, after, limit, on_program, v));
    return v;
}

visits *scan_touches(rf_backend *b, const char *practice, const rf_touch_query *q)
{
    visits *v = visits_new(0);
    OK(b->touch_scan(b, practice, q, on_touch, v));
    return v;
}

visits *scan_referrals(rf_backend *b, const char *practice, const rf_referral_query *q)
{
    visits *v = visits_new(0);
    OK(b->referral_scan(b, practice, q, on_referral, v));
    return v;
}
