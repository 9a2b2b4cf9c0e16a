/* Shared by the SQLite backend suite (tests/sqlite_backend/): SQLite-specific
 * behaviour of the SQLite backend, driven through the backend vtable: files,
 * schema versions and migrations, WAL, transactions across handles. What every
 * backend must do is covered by test_backend_contract. */
#ifndef RF_TEST_SQLITE_BACKEND_SUPPORT_H
#define RF_TEST_SQLITE_BACKEND_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <sqlite3.h>

#include <referral.h>
#include <referral/sys/backend.h>

#define PRACTICE "clinic-a"

typedef struct fixture {
    char path[512];
} fixture;

/* A database path of its own for each case, so cases and concurrent runs never share a file. */
void make_path(fixture *f, const char *name);
/* Remove the database and its -wal, -shm and -journal files. */
void remove_db(const char *path);
int file_exists(const char *path);
/* The whole file, to show that a refused open changed nothing. */
char *slurp(const char *path, size_t *size);
void assert_file_unchanged(const char *path, const char *before, size_t before_size);
void assert_error_mentions(const char *needle);
/* A backend on @path, which must open. */
rf_backend *open_ok(const char *path);
/* A backend on a new, empty file of the case's own, named after @name. */
rf_backend *open_new(fixture *f, const char *name);
/* Such a file, opened once and closed again, so that it holds just a new
 * file's schema; its path. */
const char *new_file(fixture *f, const char *name);

/* Raw SQLite on the file, on a connection of its own. */
void raw_exec(const char *path, const char *sql);
/* The first column of the first row of @sql as text, copied into @buf. */
const char *raw_text(const char *path, const char *sql, char *buf, size_t n);
long long raw_int(const char *path, const char *sql);
/* The extended result code of @sql run raw on the file (no assertion on it). */
int raw_rc(const char *path, const char *sql);
/* Every primary key, unique key and index of every record table (all but
 * meta) starts with the practice, so a sharded server can distribute on it. */
void assert_all_keys_lead_with_practice(const char *path);
/* Each index want[i][0] has exactly the columns want[i][1] ("practice,id"),
 * in that order. */
void assert_index_columns(const char *path, const char *const want[][2], size_t n);

/* Migrations; the old files themselves are in frozen_schemas.h. The file at
 * @path is at schema version 4 (user_version, the meta table and the
 * application id agree), created by @created_by and migrated by this
 * libreferral. */
void assert_upgraded_meta(const char *path, const char *created_by);
/* Opens the old file at @path, which upgrades it, then compares its schema
 * with that of a new file made on the same path: an upgraded file must end
 * exactly like a new one. */
void assert_upgrade_ends_like_new(const char *path);
/* Opening the file at @path, at schema version @from, fails in the step
 * from that version and leaves the file at it, not marked as migrated. */
void assert_upgrade_refused(const char *path, int from);
/* The upgraded file at @path is intact, at version 4 with its three meta
 * rows, migrated once; and opening it again changes nothing. */
void assert_upgrade_done(const char *path);

/* Records with a value in every field (records.c). */
rf_party_record party(const char *id, const char *external_id);
rf_code_record code(const char *id, const char *key, const char *owner);
void assert_same_str(const char *a, const char *b);
void assert_same_party(const rf_party_record *a, const rf_party_record *b);
void assert_same_code(const rf_code_record *a, const rf_code_record *b);

/* Contract version 3: records with a value in every field (the grant's
 * times are all distinct and non-zero; the entry's deltas are signed). */
rf_reward_rule_record reward_rule(const char *id, const char *program_id);
rf_grant_record grant(const char *id, const char *key, const char *recipient_id);
rf_ledger_record entry(const char *id, const char *key, int64_t seq);
void assert_same_rule(const rf_reward_rule_record *a, const rf_reward_rule_record *b);
void assert_same_grant(const rf_grant_record *a, const rf_grant_record *b);
void assert_same_entry(const rf_ledger_record *a, const rf_ledger_record *b);

/* Contract version 4: records with a value in every field (the task's
 * optional times are all distinct and non-zero). */
rf_client_event_record event_rec(const char *id, const char *party_id);
rf_task_record task_rec(const char *id, const char *key, const char *party_id);
rf_template_record template_rec(const char *id, const char *program_id, const char *name);
void assert_same_event(const rf_client_event_record *a, const rf_client_event_record *b);
void assert_same_task(const rf_task_record *a, const rf_task_record *b);
void assert_same_template(const rf_template_record *a, const rf_template_record *b);

/* What a scan visited: ids, or whatever a callback names a record by. */
typedef struct ids_seen {
    int n;
    int stop_at; /* stop once this many were seen; 0 never */
    char ids[16][16];
} ids_seen;
/* Records @id; non-zero (stop the scan) once s->stop_at were seen. */
int seen(ids_seen *s, const char *id);
/* What @s saw, comma-separated, in @buf. */
const char *joined(const ids_seen *s, char *buf, size_t n);

/* The query plan of the backend's cached statement @stmt (an rf_sqlite_stmt_id
 * of backends/sqlite/sqlite_internal.h) on the file at @path must contain
 * @uses; with @sorts 0 it must also need no sort of its own (no temporary
 * B-tree), i.e. find its rows in the order it returns them. */
void assert_plan(const char *path, int stmt, const char *uses, int sorts);

/* A fixture per case; teardown removes its database. */
int setup(void **state);
int teardown(void **state);
#define FIXTURE_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* The cases of each file, run as one group each by main.c. */
int run_open_cases(void);
int run_transaction_cases(void);
int run_migration_cases(void);
int run_record_v2_cases(void);
int run_migration_v2_cases(void);
int run_record_v3_cases(void);
int run_scan_v3_cases(void);
int run_migration_v3_cases(void);
int run_record_v4_cases(void);
int run_scan_v4_cases(void);

#endif
