/* SQLite-specific behaviour of the SQLite backend, driven through the backend
 * vtable: files, schema versions, WAL, transactions across handles. What every
 * backend must do is covered by test_backend_contract.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include <referral.h>
#include <referral/sys/backend.h>

#define PRACTICE "clinic-a"

/* ---- helpers ---- */

typedef struct fixture {
    char path[512];
} fixture;

/* A database path of its own for each case, so cases and concurrent runs never share a file. */
static void make_path(fixture *f, const char *name)
{
    snprintf(f->path, sizeof f->path, "%s/sqlite_%s_%ld.db", RF_TEST_TMPDIR, name, (long)getpid());
}

static void remove_db(const char *path)
{
    char extra[600];
    unlink(path);
    snprintf(extra, sizeof extra, "%s-wal", path);
    unlink(extra);
    snprintf(extra, sizeof extra, "%s-shm", path);
    unlink(extra);
    snprintf(extra, sizeof extra, "%s-journal", path);
    unlink(extra);
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The whole file, to show that a refused open changed nothing. */
static char *slurp(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *size = (size_t)n;
    return buf;
}

static void assert_file_unchanged(const char *path, const char *before, size_t before_size)
{
    size_t after_size;
    char *after = slurp(path, &after_size);
    assert_int_equal(after_size, before_size);
    assert_memory_equal(after, before, before_size);
    free(after);
}

static void assert_error_mentions(const char *needle)
{
    const char *message = rf_error_last()->message;
    if (strstr(message, needle) == NULL) {
        fail_msg("error message \"%s\" does not mention \"%s\"", message, needle);
    }
}

static rf_backend *open_ok(const char *path)
{
    rf_backend *b = NULL;
    int rc = rf_backend_sqlite_new(&b, path);
    if (rc != RF_OK) {
        fail_msg("opening %s: %s", path, rf_error_last()->message);
    }
    assert_non_null(b);
    return b;
}

static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fail_msg("%s: %s", sql, err);
    }
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* The first column of the first row of @sql as text, copied into @buf. */
static const char *raw_text(const char *path, const char *sql, char *buf, size_t n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(buf, n, "%s", t != NULL ? (const char *)t : "(null)");
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    return buf;
}

static long long raw_int(const char *path, const char *sql)
{
    char buf[64];
    return strtoll(raw_text(path, sql, buf, sizeof buf), NULL, 10);
}

static rf_party_record party(const char *id, const char *external_id)
{
    rf_party_record p = {
        .id = id,
        .external_id = external_id,
        .display_name = "Jane Doe",
        .email = "jane@example.org",
        .phone = "+441632960001",
        .email_key = "ek-jane",
        .phone_key = "pk-jane",
        .segment = "new",
        .practitioner_id = "staff-1",
        .intake_detail = "a friend",
        .kind = 1,
        .consent = 5,
        .payer = 2,
        .intake = 3,
        .first_visit_at = 1700000000,
        .created_at = 1700000001,
        .updated_at = 1700000002,
    };
    return p;
}

static rf_code_record code(const char *id, const char *key, const char *owner)
{
    rf_code_record c = {
        .id = id,
        .key = key,
        .text = "JANE-7K3Q",
        .owner_id = owner,
        .program_id = "prog-1",
        .revoke_reason = NULL,
        .style = 2,
        .channel = 3,
        .max_uses = 10,
        .uses = 4,
        .created_at = 1700000100,
        .expires_at = 1800000000,
        .revoked_at = 0,
    };
    return c;
}

static void assert_same_str(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        assert_ptr_equal(a, b);
    } else {
        assert_string_equal(a, b);
    }
}

static void assert_same_party(const rf_party_record *a, const rf_party_record *b)
{
    assert_same_str(a->id, b->id);
    assert_same_str(a->external_id, b->external_id);
    assert_same_str(a->display_name, b->display_name);
    assert_same_str(a->email, b->email);
    assert_same_str(a->phone, b->phone);
    assert_same_str(a->email_key, b->email_key);
    assert_same_str(a->phone_key, b->phone_key);
    assert_same_str(a->segment, b->segment);
    assert_same_str(a->practitioner_id, b->practitioner_id);
    assert_same_str(a->intake_detail, b->intake_detail);
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->consent, b->consent);
    assert_int_equal(a->payer, b->payer);
    assert_int_equal(a->intake, b->intake);
    assert_int_equal(a->first_visit_at, b->first_visit_at);
    assert_int_equal(a->created_at, b->created_at);
    assert_int_equal(a->updated_at, b->updated_at);
}

static void assert_same_code(const rf_code_record *a, const rf_code_record *b)
{
    assert_same_str(a->id, b->id);
    assert_same_str(a->key, b->key);
    assert_same_str(a->text, b->text);
    assert_same_str(a->owner_id, b->owner_id);
    assert_same_str(a->program_id, b->program_id);
    assert_same_str(a->revoke_reason, b->revoke_reason);
    assert_int_equal(a->style, b->style);
    assert_int_equal(a->channel, b->channel);
    assert_int_equal(a->max_uses, b->max_uses);
    assert_int_equal(a->uses, b->uses);
    assert_int_equal(a->created_at, b->created_at);
    assert_int_equal(a->expires_at, b->expires_at);
    assert_int_equal(a->revoked_at, b->revoked_at);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL) {
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    remove_db(f->path);
    free(f);
    return 0;
}

#define FIXTURE_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* ---- opening ---- */

static void creates_file_with_schema_and_wal(void **state)
{
    fixture *f = *state;
    make_path(f, "create");
    remove_db(f->path);
    assert_false(file_exists(f->path));

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->version, RF_BACKEND_VERSION);
    assert_true(file_exists(f->path));

    char buf[256];
    assert_string_equal(raw_text(f->path, "PRAGMA journal_mode", buf, sizeof buf), "wal");
    assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 1);
    assert_int_equal(raw_int(f->path, "SELECT value FROM meta WHERE key = 'schema_version'"), 1);
    raw_text(f->path, "SELECT value FROM meta WHERE key = 'created_by'", buf, sizeof buf);
    assert_string_equal(buf, "libreferral " RF_VERSION);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                                      "('parties', 'codes', 'journal', 'idempotency', 'meta')"),
                     5);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                                      "('parties_email_key', 'parties_phone_key', 'codes_owner')"),
                     3);
    /* Every key leads with the practice, so a sharded server can distribute on it. */
    assert_int_equal(raw_int(f->path,
                             "SELECT count(*) FROM pragma_index_list('parties') l, "
                             "pragma_index_info(l.name) i WHERE i.seqno = 0 AND i.name <> 'practice'"),
                     0);
    assert_int_equal(raw_int(f->path,
                             "SELECT count(*) FROM pragma_index_list('codes') l, "
                             "pragma_index_info(l.name) i WHERE i.seqno = 0 AND i.name <> 'practice'"),
                     0);
    b->free(b);
}

static void empty_existing_file_gets_schema(void **state)
{
    fixture *f = *state;
    make_path(f, "empty");
    remove_db(f->path);
    FILE *fp = fopen(f->path, "wb");
    assert_non_null(fp);
    fclose(fp);

    rf_backend *b = open_ok(f->path);
    b->free(b);
    assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 1);
}

static void reopen_shows_everything_written(void **state)
{
    fixture *f = *state;
    make_path(f, "reopen");
    remove_db(f->path);

    rf_party_record p = party("0001-p", "ext-1");
    rf_party_record bare = {.id = "0002-p", .kind = 2};
    rf_code_record c = code("0001-c", "JANE7K3Q", "0001-p");
    rf_event_record e1 = {0, "party.added", "0001-p", NULL, "idem-1", "{\"n\":1}", 1700000200};
    rf_event_record e2 = {0, "code.issued", "0001-c", "0001-p", NULL, NULL, 1700000201};
    rf_idempotency_record i1 = {"idem-1", "party.add", "0001-p", UINT64_MAX, 1700000300};
    rf_idempotency_record i2 = {"idem-2", "code.issue", "0001-c", UINT64_C(0x8000000000000001), 1700000301};

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &p), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &bare), RF_OK);
    assert_int_equal(b->code_insert(b, PRACTICE, &c), RF_OK);
    int64_t seq = 0;
    assert_int_equal(b->journal_append(b, PRACTICE, &e1, &seq), RF_OK);
    assert_int_equal(seq, 1);
    assert_int_equal(b->journal_append(b, PRACTICE, &e2, &seq), RF_OK);
    assert_int_equal(seq, 2);
    assert_int_equal(b->idempotency_put(b, PRACTICE, &i1), RF_OK);
    assert_int_equal(b->idempotency_put(b, PRACTICE, &i2), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);

    b = open_ok(f->path);
    rf_party_record got;
    assert_int_equal(b->party_get(b, PRACTICE, "0001-p", &got), RF_OK);
    assert_same_party(&got, &p);
    assert_int_equal(b->party_get_by_external(b, PRACTICE, "ext-1", &got), RF_OK);
    assert_same_party(&got, &p);
    /* Unset strings come back NULL, never "". */
    assert_int_equal(b->party_get(b, PRACTICE, "0002-p", &got), RF_OK);
    assert_same_party(&got, &bare);

    rf_code_record gc;
    assert_int_equal(b->code_get(b, PRACTICE, "0001-c", &gc), RF_OK);
    assert_same_code(&gc, &c);
    assert_int_equal(b->code_get_by_key(b, PRACTICE, "JANE7K3Q", &gc), RF_OK);
    assert_same_code(&gc, &c);

    int64_t last = 0;
    assert_int_equal(b->journal_last_seq(b, PRACTICE, &last), RF_OK);
    assert_int_equal(last, 2);

    rf_idempotency_record gi;
    assert_int_equal(b->idempotency_get(b, PRACTICE, "idem-1", &gi), RF_OK);
    assert_string_equal(gi.operation, "party.add");
    assert_string_equal(gi.result_id, "0001-p");
    assert_true(gi.fingerprint == UINT64_MAX);
    assert_int_equal(gi.created_at, 1700000300);
    assert_int_equal(b->idempotency_get(b, PRACTICE, "idem-2", &gi), RF_OK);
    assert_true(gi.fingerprint == UINT64_C(0x8000000000000001));

    /* The next append continues the sequence across the reopen. */
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->journal_append(b, PRACTICE, &e1, &seq), RF_OK);
    assert_int_equal(seq, 3);
    assert_int_equal(b->rollback(b), RF_OK);
    b->free(b);
}

typedef struct events_seen {
    int count;
    int64_t seqs[8];
    char types[8][32];
    int nulls[8];
} events_seen;

static int collect_event(const rf_event_record *e, void *payload)
{
    events_seen *s = payload;
    s->seqs[s->count] = e->seq;
    snprintf(s->types[s->count], sizeof s->types[0], "%s", e->type);
    s->nulls[s->count] = e->object_id == NULL;
    s->count++;
    return 0;
}

static void reopened_journal_scans_in_order(void **state)
{
    fixture *f = *state;
    make_path(f, "journal");
    remove_db(f->path);
    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    for (int i = 0; i < 3; i++) {
        rf_event_record e = {99, i == 1 ? "b" : "a", "s", i == 2 ? "o" : NULL, NULL, NULL, 1700000000 + i};
        assert_int_equal(b->journal_append(b, PRACTICE, &e, NULL), RF_OK);
    }
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);

    b = open_ok(f->path);
    events_seen s = {0};
    assert_int_equal(b->journal_scan(b, PRACTICE, 1, 0, collect_event, &s), RF_OK);
    assert_int_equal(s.count, 2);
    assert_int_equal(s.seqs[0], 2);
    assert_string_equal(s.types[0], "b");
    assert_true(s.nulls[0]);
    assert_int_equal(s.seqs[1], 3);
    assert_false(s.nulls[1]);
    b->free(b);
}

static void newer_schema_is_refused_untouched(void **state)
{
    fixture *f = *state;
    make_path(f, "newer");
    remove_db(f->path);
    rf_backend *b = open_ok(f->path);
    b->free(b);
    raw_exec(f->path, "PRAGMA user_version = 3");

    size_t size;
    char *before = slurp(f->path, &size);
    static rf_backend sentinel;
    b = &sentinel; /* must be reset to NULL on failure */
    assert_int_equal(rf_backend_sqlite_new(&b, f->path), RF_EVERSION);
    assert_null(b);
    assert_int_equal(rf_error_last()->code, RF_EVERSION);
    assert_error_mentions(f->path);
    assert_error_mentions("schema version 3");
    assert_error_mentions("up to 1");
    assert_error_mentions("upgrade libreferral");
    assert_file_unchanged(f->path, before, size);
    free(before);
}

static void non_database_file_is_refused(void **state)
{
    fixture *f = *state;
    make_path(f, "notadb");
    remove_db(f->path);
    FILE *fp = fopen(f->path, "wb");
    assert_non_null(fp);
    for (int i = 0; i < 200; i++) {
        fputs("this is a clinic's spreadsheet, not a database\n", fp);
    }
    fclose(fp);

    size_t size;
    char *before = slurp(f->path, &size);
    rf_backend *b = NULL;
    assert_int_equal(rf_backend_sqlite_new(&b, f->path), RF_EBACKEND);
    assert_null(b);
    assert_error_mentions(f->path);
    assert_error_mentions("not an SQLite database");
    assert_file_unchanged(f->path, before, size);
    free(before);
}

static void foreign_database_is_refused(void **state)
{
    fixture *f = *state;
    make_path(f, "foreign");
    remove_db(f->path);
    raw_exec(f->path, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount INTEGER)");

    size_t size;
    char *before = slurp(f->path, &size);
    rf_backend *b = NULL;
    assert_int_equal(rf_backend_sqlite_new(&b, f->path), RF_EBACKEND);
    assert_null(b);
    assert_error_mentions(f->path);
    assert_error_mentions("no libreferral schema");
    assert_file_unchanged(f->path, before, size);
    free(before);

    /* Another application's mark is refused even with no tables. */
    remove_db(f->path);
    raw_exec(f->path, "PRAGMA application_id = 1234");
    assert_int_equal(rf_backend_sqlite_new(&b, f->path), RF_EBACKEND);
    assert_null(b);
    assert_error_mentions("another application");
}

static void missing_directory_fails_clearly(void **state)
{
    fixture *f = *state;
    char path[600];
    make_path(f, "nodir");
    snprintf(path, sizeof path, "%s/no-such-dir-%ld/clinic.db", RF_TEST_TMPDIR, (long)getpid());
    rf_backend *b = NULL;
    assert_int_equal(rf_backend_sqlite_new(&b, path), RF_EBACKEND);
    assert_null(b);
    assert_error_mentions(path);
    assert_error_mentions("directory");
    assert_false(file_exists(path));
}

static void bad_arguments_are_refused(void **state)
{
    (void)state;
    rf_backend *b = NULL;
    assert_int_equal(rf_backend_sqlite_new(&b, NULL), RF_EINVALID);
    assert_null(b);
    assert_int_equal(rf_backend_sqlite_new(&b, ""), RF_EINVALID);
    assert_null(b);
    assert_int_equal(rf_backend_sqlite_new(NULL, "x.db"), RF_EINVALID);
}

/* ---- transactions ---- */

static void free_rolls_back_open_transaction(void **state)
{
    fixture *f = *state;
    make_path(f, "freerb");
    remove_db(f->path);
    rf_party_record p = party("0001-p", NULL);
    rf_party_record q = party("0002-p", NULL);

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &p), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &q), RF_OK);
    b->free(b); /* two levels still open */

    b = open_ok(f->path);
    rf_party_record got;
    assert_int_equal(b->party_get(b, PRACTICE, "0001-p", &got), RF_OK);
    assert_int_equal(b->party_get(b, PRACTICE, "0002-p", &got), RF_ENOTFOUND);
    /* The file is not left locked: this handle can write. */
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &q), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);
}

static void savepoints_nest(void **state)
{
    fixture *f = *state;
    make_path(f, "nest");
    remove_db(f->path);
    rf_party_record a = party("a", NULL), pb = party("b", NULL), c = party("c", NULL), d = party("d", NULL);
    rf_party_record got;

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &a), RF_OK);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &pb), RF_OK);
    assert_int_equal(b->rollback(b), RF_OK); /* undoes b only */
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &c), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    assert_int_equal(b->commit(b), RF_OK); /* folds c into the outer level */
    assert_int_equal(b->party_get(b, PRACTICE, "c", &got), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);

    /* A committed inner level is still undone by the outer rollback. */
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &d), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    assert_int_equal(b->rollback(b), RF_OK);
    assert_int_equal(b->commit(b), RF_EBACKEND); /* nothing left open */
    b->free(b);

    b = open_ok(f->path);
    assert_int_equal(b->party_get(b, PRACTICE, "a", &got), RF_OK);
    assert_int_equal(b->party_get(b, PRACTICE, "b", &got), RF_ENOTFOUND);
    assert_int_equal(b->party_get(b, PRACTICE, "c", &got), RF_OK);
    assert_int_equal(b->party_get(b, PRACTICE, "d", &got), RF_ENOTFOUND);
    b->free(b);
}

static void writes_outside_transaction_are_refused(void **state)
{
    fixture *f = *state;
    make_path(f, "notxn");
    remove_db(f->path);
    rf_backend *b = open_ok(f->path);
    rf_party_record p = party("0001-p", NULL);
    rf_code_record c = code("0001-c", "K", "0001-p");
    rf_event_record e = {0, "t", NULL, NULL, NULL, NULL, 1};
    rf_idempotency_record i = {"k", "op", "r", 1, 1};
    int64_t seq = 42;

    assert_int_equal(b->party_insert(b, PRACTICE, &p), RF_EBACKEND);
    assert_error_mentions("outside a transaction");
    assert_int_equal(b->party_update(b, PRACTICE, &p), RF_EBACKEND);
    assert_int_equal(b->code_insert(b, PRACTICE, &c), RF_EBACKEND);
    assert_int_equal(b->code_update(b, PRACTICE, &c), RF_EBACKEND);
    assert_int_equal(b->journal_append(b, PRACTICE, &e, &seq), RF_EBACKEND);
    assert_int_equal(seq, 0);
    assert_int_equal(b->idempotency_put(b, PRACTICE, &i), RF_EBACKEND);
    assert_int_equal(b->commit(b), RF_EBACKEND);
    assert_int_equal(b->rollback(b), RF_EBACKEND);
    b->free(b);

    assert_int_equal(raw_int(f->path,
                             "SELECT (SELECT count(*) FROM parties) + (SELECT count(*) FROM codes) + "
                             "(SELECT count(*) FROM journal) + (SELECT count(*) FROM idempotency)"),
                     0);
}

static void clashes_name_the_key(void **state)
{
    fixture *f = *state;
    make_path(f, "clash");
    remove_db(f->path);
    rf_backend *b = open_ok(f->path);
    rf_party_record p = party("0001-p", "ext-1");
    rf_party_record same_id = party("0001-p", "ext-2");
    rf_party_record same_ext = party("0002-p", "ext-1");
    rf_party_record no_ext_1 = party("0003-p", NULL), no_ext_2 = party("0004-p", NULL);
    rf_code_record c = code("0001-c", "KEY1", "0001-p");
    rf_code_record same_key = code("0002-c", "KEY1", "0001-p");
    rf_code_record same_code_id = code("0001-c", "KEY2", "0001-p");
    rf_idempotency_record i = {"idem", "op", "r", 7, 1};

    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &p), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &same_id), RF_EEXISTS);
    assert_error_mentions("'0001-p'");
    assert_int_equal(b->party_insert(b, PRACTICE, &same_ext), RF_EEXISTS);
    assert_error_mentions("external id 'ext-1'");
    /* Many parties may lack an external id. */
    assert_int_equal(b->party_insert(b, PRACTICE, &no_ext_1), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &no_ext_2), RF_OK);
    /* An update onto a taken external id clashes too. */
    no_ext_1.external_id = "ext-1";
    assert_int_equal(b->party_update(b, PRACTICE, &no_ext_1), RF_EEXISTS);
    assert_error_mentions("external id 'ext-1'");

    assert_int_equal(b->code_insert(b, PRACTICE, &c), RF_OK);
    assert_int_equal(b->code_insert(b, PRACTICE, &same_key), RF_EEXISTS);
    assert_error_mentions("key 'KEY1'");
    assert_int_equal(b->code_insert(b, PRACTICE, &same_code_id), RF_EEXISTS);
    assert_error_mentions("'0001-c'");

    assert_int_equal(b->idempotency_put(b, PRACTICE, &i), RF_OK);
    assert_int_equal(b->idempotency_put(b, PRACTICE, &i), RF_EEXISTS);
    assert_error_mentions("'idem'");

    /* The clashes undid only themselves: the transaction commits what came before. */
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM parties"), 3);
    assert_int_equal(raw_int(f->path, "SELECT external_id IS NULL FROM parties WHERE id = '0003-p'"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM codes"), 1);
}

/* ---- two handles on one file ---- */

static void reader_sees_committed_data_while_writer_holds_lock(void **state)
{
    fixture *f = *state;
    make_path(f, "wal");
    remove_db(f->path);
    rf_party_record p1 = party("0001-p", NULL), p2 = party("0002-p", NULL);
    rf_event_record e = {0, "t", NULL, NULL, NULL, NULL, 1};
    rf_party_record got;
    int64_t last = -1;

    rf_backend *w = open_ok(f->path);
    rf_backend *r = open_ok(f->path);
    assert_int_equal(w->begin(w), RF_OK);
    assert_int_equal(w->party_insert(w, PRACTICE, &p1), RF_OK);
    assert_int_equal(w->journal_append(w, PRACTICE, &e, NULL), RF_OK);
    assert_int_equal(w->commit(w), RF_OK);

    assert_int_equal(w->begin(w), RF_OK); /* holds the write lock from here */
    assert_int_equal(w->party_insert(w, PRACTICE, &p2), RF_OK);
    assert_int_equal(w->journal_append(w, PRACTICE, &e, NULL), RF_OK);

    assert_int_equal(r->party_get(r, PRACTICE, "0001-p", &got), RF_OK);
    assert_string_equal(got.id, "0001-p");
    assert_int_equal(r->party_get(r, PRACTICE, "0002-p", &got), RF_ENOTFOUND);
    assert_int_equal(r->journal_last_seq(r, PRACTICE, &last), RF_OK);
    assert_int_equal(last, 1);

    assert_int_equal(w->commit(w), RF_OK);
    assert_int_equal(r->party_get(r, PRACTICE, "0002-p", &got), RF_OK);
    assert_int_equal(r->journal_last_seq(r, PRACTICE, &last), RF_OK);
    assert_int_equal(last, 2);

    /* The reader's lookups left no read transaction behind: it can write now. */
    assert_int_equal(r->begin(r), RF_OK);
    assert_int_equal(r->journal_append(r, PRACTICE, &e, &last), RF_OK);
    assert_int_equal(last, 3);
    assert_int_equal(r->commit(r), RF_OK);
    r->free(r);
    w->free(w);
}

/* ---- borrowed strings, scans, practices ---- */

static void borrowed_strings_survive_growth(void **state)
{
    fixture *f = *state;
    make_path(f, "borrow");
    remove_db(f->path);
    char *big = malloc(20001);
    assert_non_null(big);
    memset(big, 'x', 20000);
    big[20000] = '\0';
    rf_party_record small = party("0001-p", NULL);
    rf_party_record large = party("0002-p", NULL);
    large.intake_detail = big;
    large.display_name = "";

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &small), RF_OK);
    assert_int_equal(b->party_insert(b, PRACTICE, &large), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);

    rf_party_record got;
    assert_int_equal(b->party_get(b, PRACTICE, "0001-p", &got), RF_OK);
    assert_same_party(&got, &small);
    assert_int_equal(b->party_get(b, PRACTICE, "0002-p", &got), RF_OK);
    assert_same_party(&got, &large); /* "" stays "", as given */
    assert_int_equal(b->party_get(b, PRACTICE, "0001-p", &got), RF_OK);
    assert_same_party(&got, &small);
    /* A miss clears the record rather than leaving stale pointers. */
    assert_int_equal(b->party_get(b, PRACTICE, "nobody", &got), RF_ENOTFOUND);
    assert_null(got.id);
    assert_error_mentions("'nobody'");
    b->free(b);
    free(big);
}

typedef struct nested_scan {
    rf_backend *b;
    int outer;
    int inner_total;
} nested_scan;

static int count_party(const rf_party_record *p, void *payload)
{
    (void)p;
    (*(int *)payload)++;
    return 0;
}

/* While the outer scan holds a row, run the same scan and a get: the outer
 * record must still read the same afterwards. */
static int outer_visit(const rf_party_record *p, void *payload)
{
    nested_scan *s = payload;
    char id[64];
    snprintf(id, sizeof id, "%s", p->id);
    int inner = 0;
    assert_int_equal(s->b->party_scan(s->b, PRACTICE, NULL, count_party, &inner), RF_OK);
    s->inner_total += inner;
    rf_party_record other;
    assert_int_equal(s->b->party_get(s->b, PRACTICE, "0003-p", &other), RF_OK);
    assert_string_equal(p->id, id);
    assert_string_equal(p->display_name, "Jane Doe");
    s->outer++;
    return 0;
}

static void scans_nest_and_filter(void **state)
{
    fixture *f = *state;
    make_path(f, "scan");
    remove_db(f->path);
    rf_backend *b = open_ok(f->path);
    const char *ids[] = {"0001-p", "0002-p", "0003-p", "0004-p"};
    assert_int_equal(b->begin(b), RF_OK);
    for (int i = 0; i < 4; i++) {
        rf_party_record p = party(ids[i], NULL);
        p.kind = i % 2 + 1;
        p.email_key = i == 1 || i == 2 ? "shared" : NULL;
        p.phone_key = i == 2 || i == 3 ? "shared" : NULL;
        assert_int_equal(b->party_insert(b, PRACTICE, &p), RF_OK);
        rf_code_record c = code(ids[i], ids[i], i < 2 ? "owner-a" : "owner-b");
        assert_int_equal(b->code_insert(b, PRACTICE, &c), RF_OK);
    }
    /* Another practice's records stay out of every call. */
    rf_party_record other = party("0001-p", NULL);
    other.email_key = "shared";
    assert_int_equal(b->party_insert(b, "clinic-b", &other), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);

    nested_scan s = {b, 0, 0};
    assert_int_equal(b->party_scan(b, PRACTICE, NULL, outer_visit, &s), RF_OK);
    assert_int_equal(s.outer, 4);
    assert_int_equal(s.inner_total, 16);

    int n = 0;
    rf_party_query by_contact = {"0001-p", 0, "shared", 0};
    assert_int_equal(b->party_scan(b, PRACTICE, &by_contact, count_party, &n), RF_OK);
    assert_int_equal(n, 3); /* 0003-p matches twice and is visited once */
    n = 0;
    rf_party_query by_kind = {NULL, 2, NULL, 1};
    assert_int_equal(b->party_scan(b, PRACTICE, &by_kind, count_party, &n), RF_OK);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(b->party_scan(b, "clinic-b", NULL, count_party, &n), RF_OK);
    assert_int_equal(n, 1);
    b->free(b);
}

static void practices_are_apart(void **state)
{
    fixture *f = *state;
    make_path(f, "practice");
    remove_db(f->path);
    rf_backend *b = open_ok(f->path);
    rf_party_record p = party("0001-p", "ext-1");
    rf_code_record c = code("0001-c", "KEY", "0001-p");
    rf_event_record e = {0, "t", NULL, NULL, NULL, NULL, 1};
    rf_idempotency_record i = {"idem", "op", "r", 1, 1};
    int64_t seq = 0;

    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->party_insert(b, "clinic-a", &p), RF_OK);
    assert_int_equal(b->party_insert(b, "clinic-b", &p), RF_OK);
    assert_int_equal(b->code_insert(b, "clinic-a", &c), RF_OK);
    assert_int_equal(b->code_insert(b, "clinic-b", &c), RF_OK);
    assert_int_equal(b->idempotency_put(b, "clinic-a", &i), RF_OK);
    assert_int_equal(b->idempotency_put(b, "clinic-b", &i), RF_OK);
    assert_int_equal(b->journal_append(b, "clinic-a", &e, &seq), RF_OK);
    assert_int_equal(b->journal_append(b, "clinic-a", &e, &seq), RF_OK);
    assert_int_equal(seq, 2);
    assert_int_equal(b->journal_append(b, "clinic-b", &e, &seq), RF_OK);
    assert_int_equal(seq, 1);
    assert_int_equal(b->commit(b), RF_OK);

    rf_code_record got;
    assert_int_equal(b->code_get_by_key(b, "clinic-c", "KEY", &got), RF_ENOTFOUND);
    assert_error_mentions("clinic-c");
    b->free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(creates_file_with_schema_and_wal),
        FIXTURE_TEST(empty_existing_file_gets_schema),
        FIXTURE_TEST(reopen_shows_everything_written),
        FIXTURE_TEST(reopened_journal_scans_in_order),
        FIXTURE_TEST(newer_schema_is_refused_untouched),
        FIXTURE_TEST(non_database_file_is_refused),
        FIXTURE_TEST(foreign_database_is_refused),
        FIXTURE_TEST(missing_directory_fails_clearly),
        cmocka_unit_test(bad_arguments_are_refused),
        FIXTURE_TEST(free_rolls_back_open_transaction),
        FIXTURE_TEST(savepoints_nest),
        FIXTURE_TEST(writes_outside_transaction_are_refused),
        FIXTURE_TEST(clashes_name_the_key),
        FIXTURE_TEST(reader_sees_committed_data_while_writer_holds_lock),
        FIXTURE_TEST(borrowed_strings_survive_growth),
        FIXTURE_TEST(scans_nest_and_filter),
        FIXTURE_TEST(practices_are_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
