/* Helpers shared by the SQLite backend suite: database paths, raw SQLite
 * access to the file, and assertions on its schema, its upgrades, scans and
 * query plans. The records are in records.c. */
#include "support.h"

#include "backends/sqlite/sqlite_internal.h" /* the statements, for their query plans */

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* A database path of its own for each case, so cases and concurrent runs never share a file. */
void make_path(fixture *f, const char *name)
{
    snprintf(f->path, sizeof f->path, "%s/sqlite_%s_%ld.db", RF_TEST_TMPDIR, name, (long)getpid());
}

void remove_db(const char *path)
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

int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The whole file, to show that a refused open changed nothing. */
char *slurp(const char *path, size_t *size)
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

void assert_file_unchanged(const char *path, const char *before, size_t before_size)
{
    size_t after_size;
    char *after = slurp(path, &after_size);
    assert_int_equal(after_size, before_size);
    assert_memory_equal(after, before, before_size);
    free(after);
}

void assert_error_mentions(const char *needle)
{
    const char *message = rf_error_last()->message;
    if (strstr(message, needle) == NULL) {
        fail_msg("error message \"%s\" does not mention \"%s\"", message, needle);
    }
}

rf_backend *open_ok(const char *path)
{
    rf_backend *b = NULL;
    int rc = rf_backend_sqlite_new(&b, path);
    if (rc != RF_OK) {
        fail_msg("opening %s: %s", path, rf_error_last()->message);
    }
    assert_non_null(b);
    return b;
}

rf_backend *open_new(fixture *f, const char *name)
{
    make_path(f, name);
    remove_db(f->path);
    return open_ok(f->path);
}

const char *new_file(fixture *f, const char *name)
{
    rf_backend *b = open_new(f, name);
    b->free(b);
    return f->path;
}

/* @sql run on a connection of its own: its extended result code, and
 * SQLite's message in *err when @err is not NULL. */
static int raw_run(const char *path, const char *sql, char **err)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_extended_result_codes(db, 1);
    int rc = sqlite3_exec(db, sql, NULL, NULL, err);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    return rc;
}

void raw_exec(const char *path, const char *sql)
{
    char *err = NULL;
    if (raw_run(path, sql, &err) != SQLITE_OK) {
        fail_msg("%s: %s", sql, err);
    }
}

int raw_rc(const char *path, const char *sql)
{
    return raw_run(path, sql, NULL);
}

/* The first column of the first row of @sql as text, copied into @buf. */
const char *raw_text(const char *path, const char *sql, char *buf, size_t n)
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

long long raw_int(const char *path, const char *sql)
{
    char buf[64];
    return strtoll(raw_text(path, sql, buf, sizeof buf), NULL, 10);
}

void assert_all_keys_lead_with_practice(const char *path)
{
    char buf[512];
    /* No index whose first column is another... */
    raw_text(
        path,
        "SELECT coalesce(group_concat(l.name || '(' || i.name || ')', ', '), 'none') FROM sqlite_master m, "
        "pragma_index_list(m.name) l, pragma_index_info(l.name) i WHERE m.type = 'table' AND "
        "m.name <> 'meta' AND i.seqno = 0 AND i.name <> 'practice'",
        buf, sizeof buf);
    assert_string_equal(buf, "none");
    /* ...and no record table without a key (a rowid table's would not be listed). */
    raw_text(
        path,
        "SELECT coalesce(group_concat(m.name, ', '), 'none') FROM sqlite_master m WHERE m.type = 'table' "
        "AND m.name NOT IN ('meta', 'sqlite_sequence') AND NOT EXISTS (SELECT 1 FROM "
        "pragma_index_list(m.name) l WHERE l.origin = 'pk')",
        buf, sizeof buf);
    assert_string_equal(buf, "none");
}

void assert_index_columns(const char *path, const char *const want[][2], size_t n)
{
    char sql[256];
    char buf[256];
    for (size_t i = 0; i < n; i++) {
        snprintf(sql, sizeof sql,
                 "SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_index_info('%s') "
                 "ORDER BY seqno)",
                 want[i][0]);
        const char *got = raw_text(path, sql, buf, sizeof buf);
        if (strcmp(got, want[i][1]) != 0) {
            fail_msg("index %s has columns %s, want %s", want[i][0], got, want[i][1]);
        }
    }
}

void assert_upgraded_meta(const char *path, const char *created_by)
{
    char buf[128];
    assert_int_equal(raw_int(path, "PRAGMA user_version"), 4);
    assert_int_equal(raw_int(path, "PRAGMA application_id"), 0x5246524C);
    assert_string_equal(
        raw_text(path, "SELECT value FROM meta WHERE key = 'schema_version'", buf, sizeof buf), "4");
    assert_string_equal(raw_text(path, "SELECT value FROM meta WHERE key = 'created_by'", buf, sizeof buf),
                        created_by);
    assert_string_equal(raw_text(path, "SELECT value FROM meta WHERE key = 'migrated_by'", buf, sizeof buf),
                        "libreferral " RF_VERSION);
}

void assert_upgrade_refused(const char *path, int from)
{
    rf_backend *b = NULL;
    assert_int_equal(rf_backend_sqlite_new(&b, path), RF_EBACKEND);
    assert_null(b);
    char what[64];
    snprintf(what, sizeof what, "migrating the schema from version %d", from);
    assert_error_mentions(what);
    assert_int_equal(raw_int(path, "PRAGMA user_version"), from);
    assert_int_equal(raw_int(path, "SELECT value FROM meta WHERE key = 'schema_version'"), from);
    assert_int_equal(raw_int(path, "SELECT count(*) FROM meta WHERE key = 'migrated_by'"), 0);
}

void assert_upgrade_done(const char *path)
{
    char buf[128];
    assert_string_equal(raw_text(path, "PRAGMA integrity_check", buf, sizeof buf), "ok");
    assert_int_equal(raw_int(path, "PRAGMA user_version"), 4);
    assert_int_equal(raw_int(path, "SELECT count(*) FROM meta WHERE key = 'migrated_by'"), 1);
    assert_int_equal(raw_int(path, "SELECT count(*) FROM meta"), 3);

    /* Opening again changes nothing more. */
    rf_backend *b = open_ok(path);
    b->free(b);
    assert_int_equal(raw_int(path, "PRAGMA user_version"), 4);
    assert_int_equal(raw_int(path, "SELECT count(*) FROM meta"), 3);
}

/* The schema text of every table and index, for comparing two files. */
static char *schema_of(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "SELECT group_concat(type || ' ' || name || ': ' || coalesce(sql, ''), "
                           "char(10)) FROM (SELECT * FROM sqlite_master ORDER BY name)",
                           -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const char *sql = (const char *)sqlite3_column_text(st, 0);
    assert_non_null(sql);
    size_t n = strlen(sql) + 1;
    char *text = malloc(n);
    assert_non_null(text);
    memcpy(text, sql, n);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    return text;
}

void assert_upgrade_ends_like_new(const char *path)
{
    rf_backend *b = open_ok(path);
    b->free(b);
    char *upgraded = schema_of(path);

    remove_db(path);
    b = open_ok(path);
    b->free(b);
    char *fresh = schema_of(path);
    assert_string_equal(upgraded, fresh);
    free(upgraded);
    free(fresh);
    assert_all_keys_lead_with_practice(path);
}

int seen(ids_seen *s, const char *id)
{
    assert_true(s->n < 16);
    snprintf(s->ids[s->n++], sizeof s->ids[0], "%s", id);
    return s->stop_at != 0 && s->n == s->stop_at;
}

const char *joined(const ids_seen *s, char *buf, size_t n)
{
    buf[0] = '\0';
    for (int i = 0; i < s->n; i++) {
        size_t len = strlen(buf);
        snprintf(buf + len, n - len, "%s%s", i > 0 ? "," : "", s->ids[i]);
    }
    return buf;
}

void assert_plan(const char *path, int stmt, const char *uses, int sorts)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char *sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", rf__sqlite_sql((rf_sqlite_stmt_id)stmt));
    assert_non_null(sql);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    char plan[1024] = "";
    while (sqlite3_step(st) == SQLITE_ROW) {
        size_t len = strlen(plan);
        snprintf(plan + len, sizeof plan - len, "%s\n", (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    sqlite3_free(sql);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    if (strstr(plan, uses) == NULL) {
        fail_msg("statement %d: plan\n%sdoes not use %s", stmt, plan, uses);
    }
    if (!sorts && strstr(plan, "TEMP B-TREE") != NULL) {
        fail_msg("statement %d: plan\n%ssorts its rows", stmt, plan);
    }
}

int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL) {
        return -1;
    }
    *state = f;
    return 0;
}

int teardown(void **state)
{
    fixture *f = *state;
    remove_db(f->path);
    free(f);
    return 0;
}
