/* The backend contract (referral/sys/backend.h), driven through the vtable for every built-in
 * backend: each case runs once per entry of `factories`, in a cmocka group named after it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <referral.h>
#include <referral/sys/backend.h>

/* --- allocation failures ------------------------------------------------------------------------
 * The out-of-memory case fails allocations by replacing malloc, calloc and realloc for the whole
 * program (glibc still provides the real ones as __libc_*). AddressSanitizer owns malloc itself,
 * so that build skips the case. */
#if defined(__SANITIZE_ADDRESS__)
#define NO_ALLOC_HOOK 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_ALLOC_HOOK 1
#endif
#endif
#if !defined(__GLIBC__)
#define NO_ALLOC_HOOK 1
#endif

/* Allocations left before every further one fails; negative: none fails. */
static long allocs_left = -1;

#ifndef NO_ALLOC_HOOK
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);

static int alloc_fails(void)
{
    if (allocs_left < 0) {
        return 0;
    }
    if (allocs_left == 0) {
        return 1;
    }
    allocs_left--;
    return 0;
}

void *malloc(size_t size)
{
    return alloc_fails() ? NULL : __libc_malloc(size);
}

void *calloc(size_t count, size_t size)
{
    return alloc_fails() ? NULL : __libc_calloc(count, size);
}

void *realloc(void *ptr, size_t size)
{
    return alloc_fails() ? NULL : __libc_realloc(ptr, size);
}
#endif

/* --- backends under test ------------------------------------------------------------------------ */

typedef struct factory {
    const char *name;
    rf_status (*open)(rf_backend **out, const char *path);
    int persistent;   /* records survive free() and reopening the same path */
    int strict;       /* refuses writes made outside a transaction */
    int oom_testable; /* allocates only through malloc/calloc/realloc */
} factory;

static rf_status open_memory(rf_backend **out, const char *path)
{
    (void)path;
    return rf_backend_memory_new(out);
}

static rf_status open_sqlite(rf_backend **out, const char *path)
{
    return rf_backend_sqlite_new(out, path);
}

static const factory factories[] = {
    {"memory", open_memory, 0, 1, 1},
    {"sqlite", open_sqlite, 1, 0, 0},
};

typedef struct fixture {
    const factory *f;
    rf_backend *b;
    char path[512];
} fixture;

static const factory *current; /* the backend whose group is running */
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

static int reopen(fixture *fx)
{
    rf_status rc = fx->f->open(&fx->b, fx->path);
    if (rc != RF_OK || fx->b == NULL) {
        print_error("backend '%s' could not be created: %s (%s)\n", fx->f->name, rf_strerror(rc),
                    rf_error_last()->message);
        return -1;
    }
    return 0;
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (fx == NULL) {
        return -1;
    }
    fx->f = current;
    snprintf(fx->path, sizeof fx->path, "%s/contract-%s-%ld-%u.db", RF_TEST_TMPDIR, current->name, (long)getpid(),
             ++case_number);
    remove_files(fx->path);
    *state = fx;
    /* A backend that cannot be created fails every one of its cases. */
    return reopen(fx);
}

static int teardown(void **state)
{
    fixture *fx = *state;
    if (fx != NULL) {
        if (fx->b != NULL) {
            fx->b->free(fx->b);
        }
        remove_files(fx->path);
        free(fx);
    }
    return 0;
}

/* --- records and helpers ------------------------------------------------------------------------ */

#define PA "a"
#define PB "b"

/* UUIDv7-shaped text that sorts by n. Borrowed from a ring, so a few dozen stay valid at once. */
static const char *uid(unsigned int n)
{
    static char ring[256][40];
    static unsigned int next;
    char *s = ring[next++ % 256];
    snprintf(s, 40, "0190a1b2-0000-7000-8000-%012u", n);
    return s;
}

static const char *text(const char *fmt, unsigned int n)
{
    static char ring[256][64];
    static unsigned int next;
    char *s = ring[next++ % 256];
    snprintf(s, 64, fmt, n);
    return s;
}

static rf_party_record party(const char *id, const char *ext, const char *email_key, const char *phone_key,
                             int kind)
{
    rf_party_record r = {id,          ext,      "Jane Doe",   "jane@example.org", "+447700900123", email_key,
                         phone_key,   "physio", "staff-7",    "saw a poster",     kind,            5,
                         2,           3,        1700000000,   1700000100,         1700000200};
    return r;
}

static rf_code_record code(const char *id, const char *key, const char *owner)
{
    rf_code_record r = {id, key, "Jane-7K3Q", owner, "prog-1", NULL, 2, 1, 10, 0, 1700000300, 1800000000, 0};
    return r;
}

static rf_event_record event(const char *type, const char *subject)
{
    rf_event_record r = {99, type, subject, "object-1", NULL, "{\"n\":1}", 1700000400};
    return r;
}

static rf_idempotency_record idem(const char *key, const char *result_id)
{
    rf_idempotency_record r = {key, "party.add", result_id, UINT64_C(0xF00DFACECAFEBEEF), 1700000500};
    return r;
}

static void assert_str(const char *want, const char *got)
{
    if (want == NULL) {
        assert_null(got);
    } else {
        assert_non_null(got);
        assert_string_equal(want, got);
    }
}

static void assert_party(const rf_party_record *want, const rf_party_record *got)
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

static void assert_code(const rf_code_record *want, const rf_code_record *got)
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

/* A failure must carry its code in the thread's last error, with a message. */
#define assert_status(want, expr)                                                                            \
    do {                                                                                                     \
        rf_error_clear();                                                                                    \
        int rc_ = (expr);                                                                                    \
        assert_int_equal(rc_, (want));                                                                       \
        if ((want) != RF_OK) {                                                                               \
            assert_int_equal(rf_error_last()->code, (want));                                                 \
            assert_true(strcmp(rf_error_last()->message, "no error") != 0);                                  \
        }                                                                                                    \
    } while (0)
#define OK(expr) assert_status(RF_OK, (expr))

/* What a scan visited, copied out while the strings were valid. */
typedef struct visits {
    size_t n;
    size_t stop_after; /* return non-zero from the callback after this many; 0 never */
    char ids[600][40];
    int64_t seqs[600];
} visits;

static visits *visits_new(size_t stop_after)
{
    visits *v = calloc(1, sizeof *v);
    assert_non_null(v);
    v->stop_after = stop_after;
    return v;
}

static int visit_id(visits *v, const char *id, int64_t seq)
{
    assert_true(v->n < 600);
    if (id != NULL) {
        snprintf(v->ids[v->n], sizeof v->ids[0], "%s", id);
    }
    v->seqs[v->n++] = seq;
    return v->stop_after != 0 && v->n >= v->stop_after;
}

static int on_party(const rf_party_record *r, void *payload)
{
    /* Strings are borrowed until the callback returns: reading them must be safe here. */
    assert_non_null(r->display_name);
    assert_true(strlen(r->display_name) > 0);
    return visit_id(payload, r->id, 0);
}

static int on_code(const rf_code_record *r, void *payload)
{
    assert_non_null(r->key);
    return visit_id(payload, r->id, 0);
}

static int on_event(const rf_event_record *r, void *payload)
{
    assert_non_null(r->type);
    return visit_id(payload, r->subject_id, r->seq);
}

static visits *scan_parties(rf_backend *b, const char *practice, const char *after, int kind, const char *contact,
                            unsigned int limit)
{
    visits *v = visits_new(0);
    rf_party_query q = {after, kind, contact, limit};
    OK(b->party_scan(b, practice, &q, on_party, v));
    return v;
}

static visits *scan_codes(rf_backend *b, const char *practice, const char *after, const char *owner,
                          unsigned int limit)
{
    visits *v = visits_new(0);
    rf_code_query q = {after, owner, limit};
    OK(b->code_scan(b, practice, &q, on_code, v));
    return v;
}

/* The scan saw exactly the ids uid(want[0..n)), in that order; frees @v. */
static void assert_visited(visits *v, const unsigned int *want, size_t n)
{
    assert_int_equal(v->n, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(v->ids[i], uid(want[i]));
    }
    free(v);
}

static void insert_party(rf_backend *b, const char *practice, unsigned int n, int kind, const char *email_key,
                         const char *phone_key)
{
    rf_party_record r = party(uid(n), text("ext-%u", n), email_key, phone_key, kind);
    OK(b->party_insert(b, practice, &r));
}

static void expect_no_party(rf_backend *b, const char *practice, const char *id)
{
    rf_party_record got;
    assert_status(RF_ENOTFOUND, b->party_get(b, practice, id, &got));
}

static int64_t last_seq(rf_backend *b, const char *practice)
{
    int64_t seq = -1;
    OK(b->journal_last_seq(b, practice, &seq));
    return seq;
}


/* --- success paths ------------------------------------------------------------------------------ */

static void test_party_insert_get(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_party_record in = party(uid(1), "ext-1", "ek-1", "pk-1", 1);
    rf_party_record got;
    OK(b->begin(b));
    OK(b->party_insert(b, PA, &in));
    OK(b->party_get(b, PA, uid(1), &got)); /* a transaction sees its own writes */
    assert_party(&in, &got);
    OK(b->commit(b));
    OK(b->party_get(b, PA, uid(1), &got)); /* reads need no transaction */
    assert_party(&in, &got);
    OK(b->party_get_by_external(b, PA, "ext-1", &got));
    assert_party(&in, &got);
}

static void test_party_unset_strings_stay_null(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_party_record in = {uid(2), NULL, "Sam", NULL, NULL, NULL, NULL, NULL, NULL, NULL, 2, 0, 0, 0, 0, 17, 18};
    rf_party_record got;
    OK(b->begin(b));
    OK(b->party_insert(b, PA, &in));
    OK(b->commit(b));
    OK(b->party_get(b, PA, uid(2), &got));
    assert_party(&in, &got);
}

static void test_party_update(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_party_record got;
    OK(b->begin(b));
    insert_party(b, PA, 1, 1, "ek-1", "pk-1");
    OK(b->commit(b));

    rf_party_record up = party(uid(1), "ext-1b", "ek-2", NULL, 2);
    up.display_name = "Jane Smith";
    up.consent = 0;
    up.updated_at = 1700000999;
    OK(b->begin(b));
    OK(b->party_update(b, PA, &up));
    OK(b->commit(b));
    OK(b->party_get(b, PA, uid(1), &got));
    assert_party(&up, &got);
    OK(b->party_get_by_external(b, PA, "ext-1b", &got));
    assert_party(&up, &got);
    assert_status(RF_ENOTFOUND, b->party_get_by_external(b, PA, "ext-1", &got));
    /* The contact keys it is found under follow the record. */
    assert_visited(scan_parties(b, PA, NULL, 0, "ek-1", 0), NULL, 0);
    assert_visited(scan_parties(b, PA, NULL, 0, "pk-1", 0), NULL, 0);
    assert_visited(scan_parties(b, PA, NULL, 0, "ek-2", 0), (unsigned int[]){1}, 1);

    up.external_id = NULL;
    OK(b->begin(b));
    OK(b->party_update(b, PA, &up));
    OK(b->commit(b));
    assert_status(RF_ENOTFOUND, b->party_get_by_external(b, PA, "ext-1b", &got));
    OK(b->party_get(b, PA, uid(1), &got));
    assert_party(&up, &got);
}

static void test_code_insert_get_update(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_code_record in = code(uid(10), "JANE7K3Q", uid(1));
    in.program_id = NULL;
    rf_code_record got;
    OK(b->begin(b));
    insert_party(b, PA, 1, 1, NULL, NULL);
    OK(b->code_insert(b, PA, &in));
    OK(b->commit(b));
    OK(b->code_get(b, PA, uid(10), &got));
    assert_code(&in, &got);
    OK(b->code_get_by_key(b, PA, "JANE7K3Q", &got));
    assert_code(&in, &got);

    rf_code_record up = in;
    up.uses = 3;
    up.revoked_at = 1750000000;
    up.revoke_reason = "left the practice";
    up.program_id = "prog-2";
    OK(b->begin(b));
    OK(b->code_update(b, PA, &up));
    OK(b->commit(b));
    OK(b->code_get(b, PA, uid(10), &got));
    assert_code(&up, &got);
    OK(b->code_get_by_key(b, PA, "JANE7K3Q", &got));
    assert_code(&up, &got);

    /* Every field is replaced, the folded key too. */
    up.key = "JANEDOE";
    up.text = "jane-doe";
    OK(b->begin(b));
    OK(b->code_update(b, PA, &up));
    OK(b->commit(b));
    assert_status(RF_ENOTFOUND, b->code_get_by_key(b, PA, "JANE7K3Q", &got));
    OK(b->code_get_by_key(b, PA, "JANEDOE", &got));
    assert_code(&up, &got);
}

static int on_event_check(const rf_event_record *r, void *payload)
{
    /* Event n (subject uid(n)) was appended with "k-3" as key and no data when n == 3. */
    visits *v = payload;
    unsigned int n = (unsigned int)r->seq;
    assert_string_equal(r->type, "party.added");
    assert_string_equal(r->subject_id, uid(n));
    assert_int_equal(r->at, 1700000400 + n);
    assert_str(n == 3 ? "k-3" : NULL, r->idempotency_key);
    assert_str(n == 3 ? NULL : "{\"n\":1}", r->data);
    assert_str(n == 3 ? NULL : "object-1", r->object_id);
    return visit_id(v, r->subject_id, r->seq);
}

static void test_journal_append_scan(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    assert_int_equal(last_seq(b, PA), 0);
    OK(b->begin(b));
    for (unsigned int n = 1; n <= 3; n++) {
        rf_event_record ev = event("party.added", uid(n));
        ev.at = 1700000400 + n;
        if (n == 3) {
            ev.idempotency_key = "k-3";
            ev.data = NULL;
            ev.object_id = NULL;
        }
        int64_t seq = -1;
        OK(b->journal_append(b, PA, &ev, &seq)); /* ev.seq (99) is ignored */
        assert_int_equal(seq, n);
    }
    OK(b->commit(b));
    assert_int_equal(last_seq(b, PA), 3);
    assert_int_equal(last_seq(b, PB), 0);

    visits *v = visits_new(0);
    OK(b->journal_scan(b, PA, 0, 0, on_event_check, v));
    assert_int_equal(v->n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(v->seqs[i], i + 1);
    }
    free(v);
    v = visits_new(0);
    OK(b->journal_scan(b, PA, 1, 1, on_event_check, v));
    assert_int_equal(v->n, 1);
    assert_int_equal(v->seqs[0], 2);
    free(v);
    v = visits_new(0);
    OK(b->journal_scan(b, PA, 1, 0, on_event_check, v));
    assert_int_equal(v->n, 2);
    assert_int_equal(v->seqs[1], 3);
    free(v);
    v = visits_new(0);
    OK(b->journal_scan(b, PA, 3, 0, on_event_check, v));
    OK(b->journal_scan(b, PA, 1000, 5, on_event_check, v));
    assert_int_equal(v->n, 0);
    free(v);
}

static void test_idempotency_put_get(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_idempotency_record in = idem("key-1", uid(1));
    rf_idempotency_record got;
    OK(b->begin(b));
    OK(b->idempotency_put(b, PA, &in));
    OK(b->commit(b));
    OK(b->idempotency_get(b, PA, "key-1", &got));
    assert_string_equal(got.key, "key-1");
    assert_string_equal(got.operation, "party.add");
    assert_string_equal(got.result_id, uid(1));
    assert_true(got.fingerprint == UINT64_C(0xF00DFACECAFEBEEF)); /* all 64 bits survive */
    assert_int_equal(got.created_at, 1700000500);
}

/* --- unique keys -------------------------------------------------------------------------------- */

static void test_duplicate_party(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_party_record got;
    rf_party_record first = party(uid(1), "ext-1", "ek-1", "pk-1", 1);
    OK(b->begin(b));
    OK(b->party_insert(b, PA, &first));

    rf_party_record same_id = party(uid(1), "ext-other", "ek-dup", "pk-dup", 2);
    same_id.display_name = "Other";
    assert_status(RF_EEXISTS, b->party_insert(b, PA, &same_id));
    rf_party_record same_ext = party(uid(2), "ext-1", "ek-dup", NULL, 2);
    assert_status(RF_EEXISTS, b->party_insert(b, PA, &same_ext));

    /* A failed write leaves the transaction usable and its earlier writes in place. */
    insert_party(b, PA, 3, 1, NULL, NULL);
    rf_party_record steal = party(uid(3), "ext-1", NULL, NULL, 1);
    assert_status(RF_EEXISTS, b->party_update(b, PA, &steal));
    OK(b->commit(b));

    OK(b->party_get(b, PA, uid(1), &got));
    assert_party(&first, &got);
    OK(b->party_get_by_external(b, PA, "ext-1", &got));
    assert_party(&first, &got);
    expect_no_party(b, PA, uid(2));
    assert_status(RF_ENOTFOUND, b->party_get_by_external(b, PA, "ext-other", &got));
    OK(b->party_get(b, PA, uid(3), &got));
    assert_string_equal(got.external_id, "ext-3");
    assert_visited(scan_parties(b, PA, NULL, 0, NULL, 0), (unsigned int[]){1, 3}, 2);
    assert_visited(scan_parties(b, PA, NULL, 0, "ek-dup", 0), NULL, 0);
}

static void test_duplicate_code(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_code_record got;
    rf_code_record first = code(uid(10), "KEY-A", uid(1));
    OK(b->begin(b));
    OK(b->code_insert(b, PA, &first));
    rf_code_record same_id = code(uid(10), "KEY-B", uid(2));
    assert_status(RF_EEXISTS, b->code_insert(b, PA, &same_id));
    rf_code_record same_key = code(uid(11), "KEY-A", uid(2));
    same_key.text = "other";
    assert_status(RF_EEXISTS, b->code_insert(b, PA, &same_key));
    OK(b->commit(b));

    OK(b->code_get(b, PA, uid(10), &got));
    assert_code(&first, &got);
    OK(b->code_get_by_key(b, PA, "KEY-A", &got));
    assert_code(&first, &got);
    assert_status(RF_ENOTFOUND, b->code_get(b, PA, uid(11), &got));
    assert_status(RF_ENOTFOUND, b->code_get_by_key(b, PA, "KEY-B", &got));
    assert_visited(scan_codes(b, PA, NULL, uid(2), 0), NULL, 0);
    assert_visited(scan_codes(b, PA, NULL, NULL, 0), (unsigned int[]){10}, 1);
}

static void test_duplicate_idempotency_key(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_idempotency_record first = idem("key-1", uid(1));
    rf_idempotency_record again = idem("key-1", uid(2));
    again.operation = "code.issue";
    again.fingerprint = 42;
    rf_idempotency_record got;
    OK(b->begin(b));
    OK(b->idempotency_put(b, PA, &first));
    assert_status(RF_EEXISTS, b->idempotency_put(b, PA, &again));
    OK(b->commit(b));
    OK(b->idempotency_get(b, PA, "key-1", &got));
    assert_string_equal(got.operation, "party.add");
    assert_string_equal(got.result_id, uid(1));
    assert_true(got.fingerprint == first.fingerprint);
}

static void test_not_found(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_party_record p;
    rf_code_record c;
    rf_idempotency_record k;
    /* Twice: first in a practice that was never written, then in one that has records. */
    for (int round = 0; round < 2; round++) {
        assert_status(RF_ENOTFOUND, b->party_get(b, PA, uid(9), &p));
        assert_status(RF_ENOTFOUND, b->party_get_by_external(b, PA, "ext-9", &p));
        assert_status(RF_ENOTFOUND, b->code_get(b, PA, uid(19), &c));
        assert_status(RF_ENOTFOUND, b->code_get_by_key(b, PA, "NOPE", &c));
        assert_status(RF_ENOTFOUND, b->idempotency_get(b, PA, "nope", &k));
        OK(b->begin(b));
        rf_party_record missing_party = party(uid(9), "ext-9", NULL, NULL, 1);
        assert_status(RF_ENOTFOUND, b->party_update(b, PA, &missing_party));
        rf_code_record missing_code = code(uid(19), "NOPE", uid(1));
        assert_status(RF_ENOTFOUND, b->code_update(b, PA, &missing_code));
        if (round == 0) {
            assert_visited(scan_parties(b, PA, NULL, 0, NULL, 0), NULL, 0);
            assert_visited(scan_codes(b, PA, NULL, NULL, 0), NULL, 0);
            assert_int_equal(last_seq(b, PA), 0);
            insert_party(b, PA, 1, 1, "ek-1", NULL);
            rf_code_record c1 = code(uid(10), "KEY-1", uid(1));
            OK(b->code_insert(b, PA, &c1));
            rf_idempotency_record k1 = idem("key-1", uid(1));
            OK(b->idempotency_put(b, PA, &k1));
        }
        OK(b->commit(b));
    }
    /* The failed updates created nothing. */
    assert_visited(scan_parties(b, PA, NULL, 0, NULL, 0), (unsigned int[]){1}, 1);
    assert_visited(scan_codes(b, PA, NULL, NULL, 0), (unsigned int[]){10}, 1);
}

static void test_practice_isolation(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    const char *practices[] = {PA, PB};
    OK(b->begin(b));
    for (int i = 0; i < 2; i++) {
        rf_party_record p = party(uid(1), "ext-1", "ek-1", NULL, 1);
        p.display_name = i == 0 ? "Jane A" : "Jane B";
        OK(b->party_insert(b, practices[i], &p));
        rf_code_record c = code(uid(10), "KEY", uid(1));
        c.text = i == 0 ? "key-a" : "key-b";
        OK(b->code_insert(b, practices[i], &c));
        rf_idempotency_record k = idem("key-1", i == 0 ? "result-a" : "result-b");
        OK(b->idempotency_put(b, practices[i], &k));
    }
    int64_t seq;
    rf_event_record ev = event("party.added", uid(1));
    OK(b->journal_append(b, PA, &ev, &seq));
    OK(b->journal_append(b, PA, &ev, &seq));
    assert_int_equal(seq, 2);
    OK(b->journal_append(b, PB, &ev, &seq));
    assert_int_equal(seq, 1);
    insert_party(b, PA, 2, 1, "ek-1", NULL);
    rf_code_record c2 = code(uid(11), "KEY-2", uid(1));
    OK(b->code_insert(b, PA, &c2));
    OK(b->commit(b));

    rf_party_record p;
    rf_code_record c;
    rf_idempotency_record k;
    for (int i = 0; i < 2; i++) {
        OK(b->party_get(b, practices[i], uid(1), &p));
        assert_string_equal(p.display_name, i == 0 ? "Jane A" : "Jane B");
        OK(b->party_get_by_external(b, practices[i], "ext-1", &p));
        assert_string_equal(p.display_name, i == 0 ? "Jane A" : "Jane B");
        OK(b->code_get_by_key(b, practices[i], "KEY", &c));
        assert_string_equal(c.text, i == 0 ? "key-a" : "key-b");
        OK(b->idempotency_get(b, practices[i], "key-1", &k));
        assert_string_equal(k.result_id, i == 0 ? "result-a" : "result-b");
    }
    assert_int_equal(last_seq(b, PA), 2);
    assert_int_equal(last_seq(b, PB), 1);
    expect_no_party(b, PB, uid(2));
    assert_status(RF_ENOTFOUND, b->code_get_by_key(b, PB, "KEY-2", &c));
    assert_visited(scan_parties(b, PA, NULL, 0, NULL, 0), (unsigned int[]){1, 2}, 2);
    assert_visited(scan_parties(b, PB, NULL, 0, NULL, 0), (unsigned int[]){1}, 1);
    assert_visited(scan_parties(b, PB, NULL, 0, "ek-1", 0), (unsigned int[]){1}, 1);
    assert_visited(scan_codes(b, PB, NULL, uid(1), 0), (unsigned int[]){10}, 1);
    assert_visited(scan_codes(b, PA, NULL, uid(1), 0), (unsigned int[]){10, 11}, 2);
    visits *v = visits_new(0);
    OK(b->journal_scan(b, PB, 0, 0, on_event, v));
    assert_int_equal(v->n, 1);
    free(v);

    /* An update in one practice leaves the other's record alone; a third sees nothing. */
    rf_party_record up = party(uid(1), "ext-1", "ek-1", NULL, 1);
    up.display_name = "Jane A2";
    OK(b->begin(b));
    OK(b->party_update(b, PA, &up));
    OK(b->commit(b));
    OK(b->party_get(b, PB, uid(1), &p));
    assert_string_equal(p.display_name, "Jane B");
    expect_no_party(b, "c", uid(1));
    assert_visited(scan_parties(b, "c", NULL, 0, NULL, 0), NULL, 0);
    assert_int_equal(last_seq(b, "c"), 0);
}

/* --- transactions ------------------------------------------------------------------------------- */

static void test_inner_rollback_outer_commit(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_party_record got;
    rf_idempotency_record k;
    int64_t seq;
    rf_event_record ev = event("party.added", uid(1));
    OK(b->begin(b));
    insert_party(b, PA, 1, 1, "ek-1", NULL);
    OK(b->journal_append(b, PA, &ev, &seq));
    OK(b->begin(b));
    insert_party(b, PA, 2, 1, "ek-1", NULL);
    rf_event_record inner = event("party.added", uid(2));
    OK(b->journal_append(b, PA, &inner, &seq));
    assert_int_equal(seq, 2);
    rf_idempotency_record k2 = idem("key-2", uid(2));
    OK(b->idempotency_put(b, PA, &k2));
    rf_party_record up = party(uid(1), "ext-1", "ek-1", NULL, 1);
    up.display_name = "Changed";
    OK(b->party_update(b, PA, &up));
    OK(b->rollback(b));

    expect_no_party(b, PA, uid(2));
    OK(b->party_get(b, PA, uid(1), &got));
    assert_string_equal(got.display_name, "Jane Doe");
    assert_int_equal(last_seq(b, PA), 1);
    assert_status(RF_ENOTFOUND, b->idempotency_get(b, PA, "key-2", &k));
    rf_event_record after = event("code.issued", uid(3));
    OK(b->journal_append(b, PA, &after, &seq));
    assert_int_equal(seq, 2); /* the rolled-back append gave its number back */
    OK(b->commit(b));

    OK(b->party_get(b, PA, uid(1), &got));
    assert_string_equal(got.display_name, "Jane Doe");
    expect_no_party(b, PA, uid(2));
    assert_visited(scan_parties(b, PA, NULL, 0, "ek-1", 0), (unsigned int[]){1}, 1);
    visits *v = visits_new(0);
    OK(b->journal_scan(b, PA, 0, 0, on_event, v));
    assert_int_equal(v->n, 2);
    assert_string_equal(v->ids[0], uid(1));
    assert_string_equal(v->ids[1], uid(3));
    free(v);
}

static void test_inner_commit_outer_rollback(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_code_record c;
    rf_idempotency_record k;
    int64_t seq;
    OK(b->begin(b));
    insert_party(b, PA, 1, 1, NULL, NULL);
    OK(b->begin(b));
    insert_party(b, PA, 2, 1, NULL, NULL);
    rf_code_record c1 = code(uid(10), "KEY-1", uid(2));
    OK(b->code_insert(b, PA, &c1));
    rf_event_record ev = event("party.added", uid(2));
    OK(b->journal_append(b, PA, &ev, &seq));
    rf_idempotency_record k1 = idem("key-1", uid(2));
    OK(b->idempotency_put(b, PA, &k1));
    OK(b->commit(b));
    OK(b->rollback(b));

    expect_no_party(b, PA, uid(1));
    expect_no_party(b, PA, uid(2));
    assert_status(RF_ENOTFOUND, b->code_get_by_key(b, PA, "KEY-1", &c));
    assert_status(RF_ENOTFOUND, b->idempotency_get(b, PA, "key-1", &k));
    assert_int_equal(last_seq(b, PA), 0);
    assert_visited(scan_parties(b, PA, NULL, 0, NULL, 0), NULL, 0);
    assert_visited(scan_codes(b, PA, NULL, uid(2), 0), NULL, 0);

    /* Three levels: the middle one's rollback takes the innermost (committed into it) along. */
    OK(b->begin(b));
    insert_party(b, PA, 1, 1, NULL, NULL); /* the id is free again */
    OK(b->begin(b));
    insert_party(b, PA, 2, 1, NULL, NULL);
    OK(b->begin(b));
    insert_party(b, PA, 3, 1, NULL, NULL);
    OK(b->commit(b));
    OK(b->rollback(b));
    insert_party(b, PA, 4, 1, NULL, NULL);
    OK(b->commit(b));
    assert_visited(scan_parties(b, PA, NULL, 0, NULL, 0), (unsigned int[]){1, 4}, 2);
}

static void test_rollback_undoes_every_write(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    rf_party_record p;
    rf_code_record c;
    rf_idempotency_record k;
    int64_t seq;
    rf_party_record p1 = party(uid(1), "ext-1", "ek-1", "pk-1", 1);
    rf_code_record c10 = code(uid(10), "KEY-10", uid(1));
    rf_event_record ev = event("party.added", uid(1));
    rf_idempotency_record k1 = idem("key-1", uid(1));
    OK(b->begin(b));
    OK(b->party_insert(b, PA, &p1));
    OK(b->code_insert(b, PA, &c10));
    OK(b->journal_append(b, PA, &ev, &seq));
    OK(b->idempotency_put(b, PA, &k1));
    OK(b->commit(b));

    OK(b->begin(b));
    insert_party(b, PA, 2, 1, "ek-1", NULL);
    rf_party_record up = party(uid(1), "ext-1b", "ek-9", NULL, 2);
    up.display_name = "Changed";
    OK(b->party_update(b, PA, &up));
    rf_code_record c11 = code(uid(11), "KEY-11", uid(2));
    OK(b->code_insert(b, PA, &c11));
    rf_code_record cup = c10;
    cup.key = "KEY-10b";
    cup.owner_id = uid(2);
    cup.uses = 5;
    OK(b->code_update(b, PA, &cup));
    OK(b->journal_append(b, PA, &ev, &seq));
    OK(b->journal_append(b, PA, &ev, &seq));
    assert_int_equal(seq, 3);
    rf_idempotency_record k2 = idem("key-2", uid(2));
    OK(b->idempotency_put(b, PA, &k2));
    OK(b->rollback(b));

    OK(b->party_get(b, PA, uid(1), &p));
    assert_party(&p1, &p);
    OK(b->party_get_by_external(b, PA, "ext-1", &p));
    assert_party(&p1, &p);
    assert_status(RF_ENOTFOUND, b->party_get_by_external(b, PA, "ext-1b", &p));
    expect_no_party(b, PA, uid(2));
    assert_status(RF_ENOTFOUND, b->party_get_by_external(b, PA, "ext-2", &p));
    assert_visited(scan_parties(b, PA, NULL, 0, "ek-1", 0), (unsigned int[]){1}, 1);
    assert_visited(scan_parties(b, PA, NULL, 0, "pk-1", 0), (unsigned int[]){1}, 1);
    assert_visited(scan_parties(b, PA, NULL, 0, "ek-9", 0), NULL, 0);
    OK(b->code_get(b, PA, uid(10), &c));
    assert_code(&c10, &c);
    OK(b->code_get_by_key(b, PA, "KEY-10", &c));
    assert_code(&c10, &c);
    assert_status(RF_ENOTFOUND, b->code_get_by_key(b, PA, "KEY-10b", &c));
    assert_status(RF_ENOTFOUND, b->code_get(b, PA, uid(11), &c));
    assert_status(RF_ENOTFOUND, b->code_get_by_key(b, PA, "KEY-11", &c));
    assert_visited(scan_codes(b, PA, NULL, uid(1), 0), (unsigned int[]){10}, 1);
    assert_visited(scan_codes(b, PA, NULL, uid(2), 0), NULL, 0);
    assert_int_equal(last_seq(b, PA), 1);
    assert_status(RF_ENOTFOUND, b->idempotency_get(b, PA, "key-2", &k));
    OK(b->idempotency_get(b, PA, "key-1", &k));

    /* Everything undone can be written again. */
    OK(b->begin(b));
    OK(b->journal_append(b, PA, &ev, &seq));
    assert_int_equal(seq, 2);
    insert_party(b, PA, 2, 1, "ek-1", NULL);
    OK(b->code_insert(b, PA, &c11));
    OK(b->idempotency_put(b, PA, &k2));
    OK(b->commit(b));
    assert_visited(scan_parties(b, PA, NULL, 0, "ek-1", 0), (unsigned int[]){1, 2}, 2);
}

static void test_transaction_misuse(void **state)
{
    fixture *fx = *state;
    rf_backend *b = fx->b;
    assert_status(RF_EBACKEND, b->commit(b));
    assert_status(RF_EBACKEND, b->rollback(b));
    OK(b->begin(b));
    OK(b->commit(b));
    assert_status(RF_EBACKEND, b->commit(b));
    if (!fx->f->strict) {
        return;
    }
    rf_party_record p = party(uid(1), "ext-1", NULL, NULL, 1);
    rf_code_record c = code(uid(10), "KEY", uid(1));
    rf_event_record ev = event("party.added", uid(1));
    rf_idempotency_record k = idem("key-1", uid(1));
    int64_t seq;
    assert_status(RF_EBACKEND, b->party_insert(b, PA, &p));
    assert_status(RF_EBACKEND, b->party_update(b, PA, &p));
    assert_status(RF_EBACKEND, b->code_insert(b, PA, &c));
    assert_status(RF_EBACKEND, b->code_update(b, PA, &c));
    assert_status(RF_EBACKEND, b->journal_append(b, PA, &ev, &seq));
    assert_status(RF_EBACKEND, b->idempotency_put(b, PA, &k));
    expect_no_party(b, PA, uid(1));
    assert_int_equal(last_seq(b, PA), 0);
}

/* --- scans -------------------------------------------------------------------------------------- */

static void test_party_scan_paging_and_filters(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    /* Out of order on purpose; kind is n % 3 + 1; "shared" is the e-mail key of 2 and 5, the
     * phone key of 8 and 11, and both keys of 12 (visited once all the same). */
    static const unsigned int order[] = {7, 3, 11, 1, 9, 5, 12, 2, 8, 4, 10, 6};
    OK(b->begin(b));
    for (size_t i = 0; i < 12; i++) {
        unsigned int n = order[i];
        const char *email = n == 2 || n == 5 || n == 12 ? "shared" : text("ek-%u", n);
        const char *phone = n == 8 || n == 11 || n == 12 ? "shared" : NULL;
        insert_party(b, PA, n, (int)(n % 3 + 1), email, phone);
    }
    insert_party(b, PB, 13, 1, "shared", NULL);
    OK(b->commit(b));

    assert_visited(scan_parties(b, PA, NULL, 0, NULL, 0), (unsigned int[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
                   12);
    assert_visited(scan_parties(b, PA, NULL, 0, NULL, 5), (unsigned int[]){1, 2, 3, 4, 5}, 5);
    assert_visited(scan_parties(b, PA, uid(5), 0, NULL, 5), (unsigned int[]){6, 7, 8, 9, 10}, 5);
    assert_visited(scan_parties(b, PA, uid(10), 0, NULL, 5), (unsigned int[]){11, 12}, 2);
    assert_visited(scan_parties(b, PA, uid(12), 0, NULL, 5), NULL, 0);
    /* after_id need not exist: this one sorts between uid(5) and uid(6). */
    assert_visited(scan_parties(b, PA, "0190a1b2-0000-7000-8000-0000000000051", 0, NULL, 2),
                   (unsigned int[]){6, 7}, 2);
    /* The limit counts visited records, after the filter. */
    assert_visited(scan_parties(b, PA, NULL, 2, NULL, 0), (unsigned int[]){1, 4, 7, 10}, 4);
    assert_visited(scan_parties(b, PA, NULL, 2, NULL, 2), (unsigned int[]){1, 4}, 2);
    assert_visited(scan_parties(b, PA, uid(4), 2, NULL, 2), (unsigned int[]){7, 10}, 2);
    assert_visited(scan_parties(b, PA, NULL, 0, "shared", 0), (unsigned int[]){2, 5, 8, 11, 12}, 5);
    assert_visited(scan_parties(b, PA, uid(5), 0, "shared", 2), (unsigned int[]){8, 11}, 2);
    assert_visited(scan_parties(b, PA, NULL, 1, "shared", 0), (unsigned int[]){12}, 1);
    assert_visited(scan_parties(b, PA, NULL, 3, "shared", 0), (unsigned int[]){2, 5, 8, 11}, 4);
    assert_visited(scan_parties(b, PA, NULL, 0, "ek-7", 0), (unsigned int[]){7}, 1);
    assert_visited(scan_parties(b, PA, NULL, 0, "nobody", 0), NULL, 0);
    assert_visited(scan_parties(b, PB, NULL, 0, "shared", 0), (unsigned int[]){13}, 1);
}

static void test_code_scan_by_owner(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    static const unsigned int order[] = {25, 20, 31, 22, 27, 21, 30, 24, 29, 23, 28, 26};
    OK(b->begin(b));
    for (size_t i = 0; i < 12; i++) {
        unsigned int n = order[i];
        rf_code_record c = code(uid(n), text("KEY-%u", n), n % 2 == 0 ? uid(1) : uid(2));
        OK(b->code_insert(b, PA, &c));
    }
    rf_code_record other = code(uid(40), "KEY-40", uid(1));
    OK(b->code_insert(b, PB, &other));
    OK(b->commit(b));

    assert_visited(scan_codes(b, PA, NULL, uid(1), 0), (unsigned int[]){20, 22, 24, 26, 28, 30}, 6);
    assert_visited(scan_codes(b, PA, NULL, uid(1), 4), (unsigned int[]){20, 22, 24, 26}, 4);
    assert_visited(scan_codes(b, PA, uid(26), uid(1), 4), (unsigned int[]){28, 30}, 2);
    assert_visited(scan_codes(b, PA, uid(20), uid(2), 2), (unsigned int[]){21, 23}, 2);
    assert_visited(scan_codes(b, PA, NULL, uid(3), 0), NULL, 0);
    assert_visited(scan_codes(b, PA, uid(25), NULL, 3), (unsigned int[]){26, 27, 28}, 3);
    assert_visited(scan_codes(b, PA, NULL, NULL, 0),
                   (unsigned int[]){20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31}, 12);

    /* A new owner moves the code between owners' lists. */
    rf_code_record moved = code(uid(22), "KEY-22", uid(2));
    OK(b->begin(b));
    OK(b->code_update(b, PA, &moved));
    OK(b->commit(b));
    assert_visited(scan_codes(b, PA, NULL, uid(1), 3), (unsigned int[]){20, 24, 26}, 3);
    assert_visited(scan_codes(b, PA, uid(21), uid(2), 2), (unsigned int[]){22, 23}, 2);
}

static void test_scans_stop_when_asked(void **state)
{
    rf_backend *b = ((fixture *)*state)->b;
    int64_t seq;
    OK(b->begin(b));
    for (unsigned int n = 1; n <= 5; n++) {
        insert_party(b, PA, n, 1, "ek", NULL);
        rf_code_record c = code(uid(10 + n), text("KEY-%u", n), uid(1));
        OK(b->code_insert(b, PA, &c));
        rf_event_record ev = event("party.added", uid(n));
        OK(b->journal_append(b, PA, &ev, &seq));
    }
    OK(b->commit(b));

    visits *v = visits_new(2);
    rf_party_query pq = {NULL, 0, NULL, 0};
    OK(b->party_scan(b, PA, &pq, on_party, v));
    assert_visited(v, (unsigned int[]){1, 2}, 2);
    v = visits_new(2);
    rf_party_query by_contact = {uid(1), 0, "ek", 0};
    OK(b->party_scan(b, PA, &by_contact, on_party, v));
    assert_visited(v, (unsigned int[]){2, 3}, 2);
    v = visits_new(2);
    rf_code_query cq = {NULL, uid(1), 0};
    OK(b->code_scan(b, PA, &cq, on_code, v));
    assert_visited(v, (unsigned int[]){11, 12}, 2);
    v = visits_new(2);
    OK(b->journal_scan(b, PA, 0, 0, on_event, v));
    assert_int_equal(v->n, 2);
    assert_int_equal(v->seqs[1], 2);
    free(v);
    /* A limit below the stop point wins. */
    v = visits_new(2);
    OK(b->journal_scan(b, PA, 3, 1, on_event, v));
    assert_int_equal(v->n, 1);
    assert_int_equal(v->seqs[0], 4);
    free(v);
}
