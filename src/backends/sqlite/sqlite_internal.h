/* Internal to the SQLite backend: the handle and the helpers its files share.
 *
 * The backend is written as a third party would write one: it sees only the
 * public headers and sqlite3.h. Names shared between its files carry the
 * rf__sqlite_ prefix and hidden visibility, so they never leave the library. */
#ifndef RF_BACKENDS_SQLITE_INTERNAL_H
#define RF_BACKENDS_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include <referral.h>
#include <referral/sys/backend.h>

/* The schema version this code writes; the number of steps in the migration table. */
#define RF_SQLITE_SCHEMA_VERSION 1

/* Milliseconds a call waits for another connection's lock before RF_EBUSY. */
#define RF_SQLITE_BUSY_TIMEOUT_MS 5000

/* Statements prepared once, on first use, and reused for the life of the handle. */
typedef enum rf_sqlite_stmt_id {
    RF_SQ_BEGIN,
    RF_SQ_COMMIT,
    RF_SQ_ROLLBACK,
    RF_SQ_SAVEPOINT,
    RF_SQ_RELEASE,
    RF_SQ_ROLLBACK_TO,
    RF_SQ_PARTY_INSERT,
    RF_SQ_PARTY_UPDATE,
    RF_SQ_PARTY_GET,
    RF_SQ_PARTY_GET_EXTERNAL,
    RF_SQ_CODE_INSERT,
    RF_SQ_CODE_UPDATE,
    RF_SQ_CODE_GET,
    RF_SQ_CODE_GET_BY_KEY,
    RF_SQ_JOURNAL_INSERT,
    RF_SQ_JOURNAL_LAST_SEQ,
    RF_SQ_IDEMPOTENCY_GET,
    RF_SQ_IDEMPOTENCY_PUT,
    RF_SQ_PARTY_SCAN,
    RF_SQ_PARTY_SCAN_CONTACT,
    RF_SQ_CODE_SCAN,
    RF_SQ_CODE_SCAN_OWNER,
    RF_SQ_JOURNAL_SCAN,
    RF_SQ_COUNT
} rf_sqlite_stmt_id;

typedef struct rf_sqlite {
    rf_backend base; /* first, so the store's rf_backend * is also ours */
    sqlite3 *db;
    char *path;
    /* Open begin() calls. SQLite may abandon the transaction on its own after
     * some errors (I/O, full disk), so this can exceed what the connection
     * holds; see rf__sqlite_in_transaction(). */
    int depth;
    sqlite3_stmt *stmts[RF_SQ_COUNT];
    /* Backs the strings of the last record a get member handed out. */
    char *scratch;
    size_t scratch_cap;
} rf_sqlite;

/* Record a failure as the thread's last error and return @code. */
int rf__sqlite_fail(rf_status code, rf_error_class klass, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Map an SQLite result code to a status and record it: busy and locked become
 * RF_EBUSY, out of memory RF_ENOMEM, anything else RF_EBACKEND with the
 * connection's message. @what says what was being done ("reading party 'x'"). */
int rf__sqlite_error(rf_sqlite *b, int rc, const char *what);

/* The cached statement @id in *@out, prepared on first use. */
int rf__sqlite_stmt(rf_sqlite *b, rf_sqlite_stmt_id id, sqlite3_stmt **out);

/* The SQL text of statement @id (for scans that need a private copy). */
const char *rf__sqlite_sql(rf_sqlite_stmt_id id);

/* Reset a statement and drop its bindings so it holds no lock and no borrowed pointer. */
void rf__sqlite_done(sqlite3_stmt *st);

/* Whether a write transaction is really open on the connection. */
int rf__sqlite_in_transaction(const rf_sqlite *b);

/* Bring the file's schema to RF_SQLITE_SCHEMA_VERSION, creating it if the file
 * is new; refuses files that are not ours or are newer. Called once on open. */
int rf__sqlite_schema_open(rf_sqlite *b);

/* Record members (sqlite_records.c) and scans (sqlite_scan.c), installed in the vtable. */
int rf__sqlite_party_insert(rf_backend *backend, const char *practice, const rf_party_record *record);
int rf__sqlite_party_update(rf_backend *backend, const char *practice, const rf_party_record *record);
int rf__sqlite_party_get(rf_backend *backend, const char *practice, const char *id, rf_party_record *out);
int rf__sqlite_party_get_by_external(rf_backend *backend, const char *practice, const char *external_id,
                                     rf_party_record *out);
int rf__sqlite_code_insert(rf_backend *backend, const char *practice, const rf_code_record *record);
int rf__sqlite_code_update(rf_backend *backend, const char *practice, const rf_code_record *record);
int rf__sqlite_code_get(rf_backend *backend, const char *practice, const char *id, rf_code_record *out);
int rf__sqlite_code_get_by_key(rf_backend *backend, const char *practice, const char *key,
                               rf_code_record *out);
int rf__sqlite_journal_append(rf_backend *backend, const char *practice, const rf_event_record *record,
                              int64_t *seq_out);
int rf__sqlite_journal_last_seq(rf_backend *backend, const char *practice, int64_t *out);
int rf__sqlite_idempotency_get(rf_backend *backend, const char *practice, const char *key,
                               rf_idempotency_record *out);
int rf__sqlite_idempotency_put(rf_backend *backend, const char *practice,
                               const rf_idempotency_record *record);
int rf__sqlite_party_scan(rf_backend *backend, const char *practice, const rf_party_query *query,
                          rf_party_visit_fn visit, void *payload);
int rf__sqlite_code_scan(rf_backend *backend, const char *practice, const rf_code_query *query,
                         rf_code_visit_fn visit, void *payload);
int rf__sqlite_journal_scan(rf_backend *backend, const char *practice, int64_t after_seq, unsigned int limit,
                            rf_event_visit_fn visit, void *payload);

/* Column readers shared by gets and scans: fill a record from the current row.
 * With @copy the strings are copied into the handle's scratch buffer (gets);
 * without, they point into the statement's row (scans, valid until the next step). */
int rf__sqlite_read_party(rf_sqlite *b, sqlite3_stmt *st, int copy, rf_party_record *out);
int rf__sqlite_read_code(rf_sqlite *b, sqlite3_stmt *st, int copy, rf_code_record *out);
int rf__sqlite_read_event(rf_sqlite *b, sqlite3_stmt *st, int copy, rf_event_record *out);

#endif
