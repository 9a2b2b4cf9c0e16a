/* Internal to the SQLite backend: the handle and the helpers its files share.
 *
 * The backend is written as a third party would write one: it sees only the
 * public headers and sqlite3.h. Names shared between its files carry the
 * rf__sqlite_ prefix and hidden visibility, so they never leave the library.
 *
 * Files: sqlite_backend.c (open, transactions, free, the vtable),
 * sqlite_statements.c (every SQL statement), sqlite_migrations.c (the schema,
 * step by step) and sqlite_schema.c (recognising files and running the
 * steps), sqlite_rows.c (the descriptor-driven write, lookup and scan
 * machinery below), and one file per record family: sqlite_records.c
 * (parties, codes, journal, idempotency keys), sqlite_scan.c (their scans),
 * sqlite_programs.c (programmes and touches), sqlite_referrals.c,
 * sqlite_rewards.c (reward rules and grants), sqlite_ledger.c,
 * sqlite_events.c (client events), sqlite_tasks.c (the outbox) and
 * sqlite_templates.c (message templates). */
#ifndef RF_BACKENDS_SQLITE_INTERNAL_H
#define RF_BACKENDS_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include <referral.h>
#include <referral/sys/backend.h>

/* The schema version this code writes; the number of steps in the migration table. */
#define RF_SQLITE_SCHEMA_VERSION 4

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
    RF_SQ_PARTY_UPDATE_UNKEYED,
    RF_SQ_PARTY_GET,
    RF_SQ_PARTY_GET_EXTERNAL,
    RF_SQ_CODE_INSERT,
    RF_SQ_CODE_UPDATE,
    RF_SQ_CODE_UPDATE_UNKEYED,
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
    /* Contract version 2. */
    RF_SQ_PROGRAM_INSERT,
    RF_SQ_PROGRAM_UPDATE,
    RF_SQ_PROGRAM_GET,
    RF_SQ_PROGRAM_GET_BY_NAME,
    RF_SQ_PROGRAM_SCAN,
    RF_SQ_TOUCH_INSERT,
    RF_SQ_TOUCH_GET,
    RF_SQ_TOUCH_SCAN,
    RF_SQ_TOUCH_SCAN_VISITOR,
    RF_SQ_REFERRAL_INSERT,
    RF_SQ_REFERRAL_UPDATE,
    RF_SQ_REFERRAL_UPDATE_UNKEYED,
    RF_SQ_REFERRAL_GET,
    RF_SQ_REFERRAL_SCAN,
    RF_SQ_REFERRAL_SCAN_REFEREE,
    RF_SQ_REFERRAL_SCAN_REFERRER,
    RF_SQ_REFERRAL_SCAN_TARGET,
    RF_SQ_REFERRAL_SCAN_PROGRAM,
    /* Contract version 3. */
    RF_SQ_RULE_INSERT,
    RF_SQ_RULE_UPDATE,
    RF_SQ_RULE_GET,
    RF_SQ_RULE_SCAN,
    RF_SQ_RULE_SCAN_PROGRAM,
    RF_SQ_GRANT_INSERT,
    RF_SQ_GRANT_UPDATE,
    RF_SQ_GRANT_UPDATE_UNKEYED,
    RF_SQ_GRANT_GET,
    RF_SQ_GRANT_GET_BY_KEY,
    RF_SQ_GRANT_SCAN,
    RF_SQ_GRANT_SCAN_RECIPIENT,
    RF_SQ_GRANT_SCAN_REFERRAL,
    RF_SQ_GRANT_SCAN_RULE,
    RF_SQ_GRANT_SCAN_RELEASE,
    RF_SQ_GRANT_SCAN_EXPIRY,
    RF_SQ_LEDGER_INSERT,
    RF_SQ_LEDGER_SCAN,
    RF_SQ_LEDGER_SCAN_PARTY,
    RF_SQ_LEDGER_SCAN_GRANT,
    /* Contract version 4. */
    RF_SQ_CLIENT_EVENT_INSERT,
    RF_SQ_CLIENT_EVENT_SCAN,
    RF_SQ_CLIENT_EVENT_SCAN_PARTY,
    RF_SQ_CLIENT_EVENT_SCAN_PERIOD,
    RF_SQ_TASK_INSERT,
    RF_SQ_TASK_UPDATE,
    RF_SQ_TASK_UPDATE_UNKEYED,
    RF_SQ_TASK_GET,
    RF_SQ_TASK_GET_BY_KEY,
    RF_SQ_TASK_SCAN,
    RF_SQ_TASK_SCAN_PARTY,
    RF_SQ_TASK_SCAN_REFERRAL,
    RF_SQ_TASK_SCAN_STATE,
    RF_SQ_TEMPLATE_INSERT,
    RF_SQ_TEMPLATE_UPDATE,
    RF_SQ_TEMPLATE_GET_BY_NAME,
    RF_SQ_TEMPLATE_GET_BY_NAME_PRACTICE,
    RF_SQ_TEMPLATE_SCAN_PROGRAM,
    RF_SQ_TEMPLATE_SCAN_PRACTICE,
    RF_SQ_COUNT
} rf_sqlite_stmt_id;

/* A record this handle wrote or read while its write transaction is open.
 *
 * The write path reads back what it has just written or read: a referral is
 * created, then advanced, each move reading what the one before wrote; a
 * programme is read by every referral made in it and closed. While the
 * write transaction is open no other connection can write (its lock keeps
 * them out until the outermost commit or rollback), and every write this
 * handle makes to a table passes through that table's members, which keep
 * the memo in step. So a memo holds exactly what the row holds until a level
 * is rolled back (which may undo it) or the transaction ends; it is forgotten
 * then, as seq_known is, and never outlives the lock: another process may
 * write between transactions. Gets answer from it, copying its strings to
 * the scratch buffer like a row read from the table. */
typedef struct rf__sqlite_memo {
    union {
        rf_referral_record referral;
        rf_program_record program;
        rf_grant_record grant;
    } r;
    char *buf; /* the practice, then the record's strings */
    size_t cap;
    int known;
} rf__sqlite_memo;

typedef struct rf_sqlite {
    rf_backend base; /* first, so the store's rf_backend * is also ours */
    sqlite3 *db;
    char *path;
    /* Open begin() calls. SQLite may abandon the transaction on its own after
     * some errors (I/O, full disk), so this can exceed what the connection
     * holds; see rf__sqlite_in_transaction(). */
    int depth;
    /* Levels 1 to saved are open on the connection: the outermost as BEGIN
     * IMMEDIATE, taken at once for the write lock, each inner one as a
     * savepoint. An inner level gets its savepoint only when it first writes
     * (rf__sqlite_save_levels): until then it has nothing to undo, nor to
     * fold into its parent, so a level that only reads (a refused or replayed
     * call) runs no SAVEPOINT, RELEASE or ROLLBACK TO at all. */
    int saved;
    sqlite3_stmt *stmts[RF_SQ_COUNT];
    /* Backs the strings of the last record a get member handed out. */
    char *scratch;
    size_t scratch_cap;
    /* The journal's last sequence number in practice seq_practice, known
     * (seq_known) only while this handle's write transaction is open: its
     * write lock keeps every other writer out, so appends need not read it
     * again. Forgotten on every rollback and at the outermost commit. */
    char *seq_practice;
    size_t seq_practice_cap;
    int64_t seq_last;
    int seq_known;
    /* The referral last inserted or updated, and the programme last read or
     * written, while the write transaction is open (see rf__sqlite_memo). */
    rf__sqlite_memo referral;
    rf__sqlite_memo program;
    /* The grant last written or read (a grant is read, then moved on). */
    rf__sqlite_memo grant;
} rf_sqlite;

/* ---- the handle (sqlite_backend.c) and the statements (sqlite_statements.c) ---- */

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

/* Open the savepoints of the inner levels that have none yet (see
 * rf_sqlite.saved), so that the write about to be made can be undone with
 * its own level. Needs an open transaction. */
int rf__sqlite_save_levels(rf_sqlite *b);

/* Step i of the schema moves a file from version i to i + 1 (sqlite_migrations.c). */
extern const char *const rf__sqlite_migrations[RF_SQLITE_SCHEMA_VERSION];

/* Bring the file's schema to RF_SQLITE_SCHEMA_VERSION, creating it if the file
 * is new; refuses files that are not ours or are newer. Called once on open. */
int rf__sqlite_schema_open(rf_sqlite *b);

/* ---- binding (inline: every write binds dozens of parameters) ---- */

/* Bindings made one after another, keeping the first failure. Strings are
 * bound SQLITE_STATIC: every statement is stepped and reset before the
 * member returns, while the caller's strings are still alive. */
typedef struct rf__sqlite_binder {
    sqlite3_stmt *st;
    int rc;
} rf__sqlite_binder;

static inline void rf__sqlite_bind_text(rf__sqlite_binder *bd, int i, const char *s)
{
    if (bd->rc == SQLITE_OK) {
        bd->rc =
            s != NULL ? sqlite3_bind_text(bd->st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(bd->st, i);
    }
}

static inline void rf__sqlite_bind_int(rf__sqlite_binder *bd, int i, int64_t v)
{
    if (bd->rc == SQLITE_OK) {
        bd->rc = sqlite3_bind_int64(bd->st, i, v);
    }
}

/* A time where 0 means "none", stored as NULL (sqlite3_column_int64 reads NULL back as 0). */
static inline void rf__sqlite_bind_time_or_null(rf__sqlite_binder *bd, int i, rf_time v)
{
    if (bd->rc == SQLITE_OK) {
        bd->rc = v != 0 ? sqlite3_bind_int64(bd->st, i, v) : sqlite3_bind_null(bd->st, i);
    }
}

/* A [from, to) filter on an integer time column, bound as the inclusive pair
 * `col >= ?lo AND col <= ?hi` so that the planner can use a range on an
 * index; an unset bound (RF_TIME_UNSET) becomes the extreme value, which every
 * time passes. */
static inline void rf__sqlite_bind_period(rf__sqlite_binder *bd, int lo, int hi, rf_time from, rf_time to)
{
    rf__sqlite_bind_int(bd, lo, from == RF_TIME_UNSET ? INT64_MIN : from);
    rf__sqlite_bind_int(bd, hi, to == RF_TIME_UNSET ? INT64_MAX : to - 1);
}

/* ---- rows: reading, writing and looking up records (sqlite_rows.c) ---- */

/* The most text columns any record has (a referral). */
#define RF_SQLITE_MAX_TEXTS 15

/* Make the buffer *@buf (of *@cap bytes) hold at least @size, keeping what it
 * holds; 0 when memory ran out (the buffer is then as it was). */
int rf__sqlite_grow(char **buf, size_t *cap, size_t size);

/* Copy the @n strings *@fields[i] into *@buf (of *@cap bytes, grown as
 * needed) from byte @skip on, and point each field at its copy (a NULL field
 * stays NULL). 0 when memory ran out; the fields are then left as they were.
 * The strings must not lie in *@buf. */
int rf__sqlite_copy_texts(char **buf, size_t *cap, size_t skip, const char **fields[], int n);

/* Keep in @m the record whose @n strings are *@fields[i] (already pointing at
 * the caller's strings in the memo's record), for @practice, when @rc is
 * RF_OK and the write transaction is open; forget it otherwise (also when
 * memory runs out: the memo only saves reads). Returns @rc. */
int rf__sqlite_memo_keep(rf_sqlite *b, rf__sqlite_memo *m, const char *practice, const char **fields[], int n,
                         int rc);

/* Whether @m holds the record of @practice whose key is @key (the memo's own
 * key is @memo_key) and may answer for the table now. */
int rf__sqlite_memo_has(const rf_sqlite *b, const rf__sqlite_memo *m, const char *practice, const char *key,
                        const char *memo_key);

/* Point *@fields[i] at the first @n columns of the current row, which are text
 * or NULL. With @copy, the texts are first copied into the handle's scratch
 * buffer, so the statement can be reset at once: a stepped statement would
 * keep a read transaction (and the WAL file) pinned until the next call.
 * Without, they point into the row (valid until the next step). */
int rf__sqlite_read_texts(rf_sqlite *b, sqlite3_stmt *st, int copy, const char **fields[], int n);

/* Column readers shared by gets and scans: fill the record at @out (of the
 * type the name says) from the current row, strings as rf__sqlite_read_texts. */
typedef int (*rf__sqlite_reader)(rf_sqlite *b, sqlite3_stmt *st, int copy, void *out);
int rf__sqlite_read_party(rf_sqlite *b, sqlite3_stmt *st, int copy, void *out);
int rf__sqlite_read_code(rf_sqlite *b, sqlite3_stmt *st, int copy, void *out);
int rf__sqlite_read_event(rf_sqlite *b, sqlite3_stmt *st, int copy, void *out);

/* Refuse a write with no transaction open (or one SQLite abandoned). */
int rf__sqlite_check_writable(rf_sqlite *b, const char *what);

/* A binder: bind @record's columns to a write statement (parameter 1 is the
 * practice); returns the first SQLite failure. */
typedef int (*rf__sqlite_record_binder)(sqlite3_stmt *st, const char *practice, const void *record);

/* A clash reporter: name the unique key a write clashed on, from SQLite's
 * @message, and record the error. */
typedef int (*rf__sqlite_clash_reporter)(const void *ctx, const char *message);

/* Run the write statement @id for @record, bound by @bind, in the open
 * transaction. On a unique-key clash @clash(@ctx, message) reports which key
 * was taken; without @clash a clash is an error like any other. */
int rf__sqlite_run_write(rf_sqlite *b, rf_sqlite_stmt_id id, const char *what, const char *practice,
                         const void *record, rf__sqlite_record_binder bind, rf__sqlite_clash_reporter clash,
                         const void *ctx);

/* Look up the one row of statement @id for (practice, @value) and read it
 * into @out (@size bytes, zeroed first and again on failure) with @read.
 * RF_ENOTFOUND is returned unreported: the caller says what was missing. */
int rf__sqlite_lookup_row(rf_sqlite *b, rf_sqlite_stmt_id id, const char *practice, const char *value,
                          const char *what, rf__sqlite_reader read, void *out, size_t size);

/* What the shared insert, update and lookup code needs to know of a record
 * type whose primary key is (practice, id). */
typedef struct rf__sqlite_record_kind {
    const char *noun;     /* "party", in messages */
    rf_error_class klass; /* of its not-found and clash errors */
    rf_sqlite_stmt_id insert;
    rf_sqlite_stmt_id update; /* writes every column; RF_SQ_COUNT when never updated */
    /* Leaves out of SET the indexed columns an update seldom changes (all of
     * them, but for a grant, whose status and due times move each time), and
     * matches only a row where those equal the record's; RF_SQ_COUNT when
     * there is none. See rf__sqlite_update_record. */
    rf_sqlite_stmt_id update_unkeyed;
    const char *inserting; /* what a failed write or read was doing */
    const char *updating;
    const char *reading;
    rf__sqlite_record_binder bind; /* for both insert and update */
    rf__sqlite_reader read;
    /* Its one unique column besides the id, as a clash message names it
     * ("codes.key"), and the report of that clash; NULL when there is none. */
    const char *unique_column;
    int (*key_taken)(const char *practice, const void *record);
} rf__sqlite_record_kind;

/* Insert @record (whose id is @id) with @kind's insert statement; a clash on
 * the id or the unique column is RF_EEXISTS naming it. */
int rf__sqlite_insert_record(rf_sqlite *b, const rf__sqlite_record_kind *kind, const char *practice,
                             const void *record, const char *id);

/* Replace the record with @record's id; an update that changed no row is
 * RF_ENOTFOUND, a clash on the unique column RF_EEXISTS.
 *
 * Most updates leave the indexed columns as they were (a referral moving on,
 * a code used once more), yet an UPDATE that names an indexed column in SET
 * makes SQLite delete and re-insert that index entry, changed or not. So the
 * kind's update_unkeyed statement runs first; when it matches no row, either
 * an indexed column changed or there is no such record, and the full update
 * runs, checks the unique keys, and tells the two apart. */
int rf__sqlite_update_record(rf_sqlite *b, const rf__sqlite_record_kind *kind, const char *practice,
                             const void *record, const char *id);

/* Look a record up by its @field ("id", "key"), which statement @id matches. */
int rf__sqlite_lookup_record(rf_sqlite *b, const rf__sqlite_record_kind *kind, rf_sqlite_stmt_id id,
                             const char *practice, const char *value, const char *field, void *out,
                             size_t size);

/* ---- scans (sqlite_rows.c) ---- */

/* One scan: its statement and how to bind it, how to read a row, and whom to
 * hand each record to. */
typedef struct rf__sqlite_scan {
    rf_sqlite_stmt_id stmt;
    /* Bind every parameter of the statement from @query; the first failure. */
    int (*bind)(sqlite3_stmt *st, const char *practice, const void *query);
    const void *query;
    rf__sqlite_reader read;
    void *record; /* each row is read into it */
    size_t size;  /* of *record */
    /* Hand the record just read to the typed callback in @fn. */
    int (*visit)(const struct rf__sqlite_scan *s);
    union {
        rf_party_visit_fn party;
        rf_code_visit_fn code;
        rf_event_visit_fn event;
        rf_program_visit_fn program;
        rf_touch_visit_fn touch;
        rf_referral_visit_fn referral;
        rf_reward_rule_visit_fn reward_rule;
        rf_grant_visit_fn grant;
        rf_ledger_visit_fn ledger;
        rf_client_event_visit_fn client_event;
        rf_task_visit_fn task;
        rf_template_visit_fn template_;
    } fn;
    void *payload;
    const char *what;
} rf__sqlite_scan;

/* Run @s on the cached statement (or on a private copy when a callback
 * started the same scan while it runs), stopping when the callback asks. */
int rf__sqlite_run_scan(rf_sqlite *b, const char *practice, const rf__sqlite_scan *s);

/* 0 means no limit to the contract, -1 to SQLite. */
static inline int64_t rf__sqlite_limit(unsigned int limit)
{
    return limit == 0 ? -1 : (int64_t)limit;
}

/* Bind the parameters every page of a record scan has: ?1 the practice, ?2
 * the id to start after ('' from the start: ids are never empty) and
 * ?@limit_index the limit. Returns the first failure. */
int rf__sqlite_bind_page(sqlite3_stmt *st, const char *practice, const char *after, int limit_index,
                         unsigned int limit);

/* ---- the members installed in the vtable ---- */

/* sqlite_records.c and sqlite_scan.c */
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

/* sqlite_programs.c */
int rf__sqlite_program_insert(rf_backend *backend, const char *practice, const rf_program_record *record);
int rf__sqlite_program_update(rf_backend *backend, const char *practice, const rf_program_record *record);
int rf__sqlite_program_get(rf_backend *backend, const char *practice, const char *id, rf_program_record *out);
int rf__sqlite_program_get_by_name(rf_backend *backend, const char *practice, const char *name,
                                   rf_program_record *out);
int rf__sqlite_program_scan(rf_backend *backend, const char *practice, const char *after_id,
                            unsigned int limit, rf_program_visit_fn visit, void *payload);
int rf__sqlite_touch_insert(rf_backend *backend, const char *practice, const rf_touch_record *record);
int rf__sqlite_touch_get(rf_backend *backend, const char *practice, const char *id, rf_touch_record *out);
int rf__sqlite_touch_scan(rf_backend *backend, const char *practice, const rf_touch_query *query,
                          rf_touch_visit_fn visit, void *payload);

/* sqlite_referrals.c */
int rf__sqlite_referral_insert(rf_backend *backend, const char *practice, const rf_referral_record *record);
int rf__sqlite_referral_update(rf_backend *backend, const char *practice, const rf_referral_record *record);
int rf__sqlite_referral_get(rf_backend *backend, const char *practice, const char *id,
                            rf_referral_record *out);
int rf__sqlite_referral_scan(rf_backend *backend, const char *practice, const rf_referral_query *query,
                             rf_referral_visit_fn visit, void *payload);

/* sqlite_rewards.c */
int rf__sqlite_reward_rule_insert(rf_backend *backend, const char *practice,
                                  const rf_reward_rule_record *record);
int rf__sqlite_reward_rule_update(rf_backend *backend, const char *practice,
                                  const rf_reward_rule_record *record);
int rf__sqlite_reward_rule_get(rf_backend *backend, const char *practice, const char *id,
                               rf_reward_rule_record *out);
int rf__sqlite_reward_rule_scan(rf_backend *backend, const char *practice, const char *program_id,
                                const char *after_id, unsigned int limit, rf_reward_rule_visit_fn visit,
                                void *payload);
int rf__sqlite_grant_insert(rf_backend *backend, const char *practice, const rf_grant_record *record);
int rf__sqlite_grant_update(rf_backend *backend, const char *practice, const rf_grant_record *record);
int rf__sqlite_grant_get(rf_backend *backend, const char *practice, const char *id, rf_grant_record *out);
int rf__sqlite_grant_get_by_key(rf_backend *backend, const char *practice, const char *grant_key,
                                rf_grant_record *out);
int rf__sqlite_grant_scan(rf_backend *backend, const char *practice, const rf_grant_query *query,
                          rf_grant_visit_fn visit, void *payload);

/* sqlite_ledger.c */
int rf__sqlite_ledger_insert(rf_backend *backend, const char *practice, const rf_ledger_record *record);
int rf__sqlite_ledger_scan(rf_backend *backend, const char *practice, const rf_ledger_query *query,
                           rf_ledger_visit_fn visit, void *payload);

/* sqlite_events.c */
int rf__sqlite_client_event_insert(rf_backend *backend, const char *practice,
                                   const rf_client_event_record *record);
int rf__sqlite_client_event_scan(rf_backend *backend, const char *practice,
                                 const rf_client_event_query *query, rf_client_event_visit_fn visit,
                                 void *payload);

/* sqlite_tasks.c */
int rf__sqlite_task_insert(rf_backend *backend, const char *practice, const rf_task_record *record);
int rf__sqlite_task_update(rf_backend *backend, const char *practice, const rf_task_record *record);
int rf__sqlite_task_get(rf_backend *backend, const char *practice, const char *id, rf_task_record *out);
int rf__sqlite_task_get_by_key(rf_backend *backend, const char *practice, const char *task_key,
                               rf_task_record *out);
int rf__sqlite_task_scan(rf_backend *backend, const char *practice, const rf_task_query *query,
                         rf_task_visit_fn visit, void *payload);

/* sqlite_templates.c */
int rf__sqlite_template_insert(rf_backend *backend, const char *practice, const rf_template_record *record);
int rf__sqlite_template_update(rf_backend *backend, const char *practice, const rf_template_record *record);
int rf__sqlite_template_get_by_name(rf_backend *backend, const char *practice, const char *program_id,
                                    const char *name, rf_template_record *out);
int rf__sqlite_template_scan(rf_backend *backend, const char *practice, const char *program_id,
                             const char *after_id, unsigned int limit, rf_template_visit_fn visit,
                             void *payload);

#endif
