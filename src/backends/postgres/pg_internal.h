/* Internal to the PostgreSQL backend: the handle and the helpers its files share.
 *
 * Written as a third party would write it: it sees only the public headers
 * and libpq. Names shared between its files carry the rf__pg_ prefix and
 * hidden visibility (the library's preset), so they never leave the library.
 *
 * Files: pg_backend.c (open, transactions, the practice lock, errors, free,
 * the vtable), pg_statements.c (prepared statements and parameters),
 * pg_schema.c (the schema and its version), pg_rows.c (the record and scan
 * machinery below), and one file per record family: pg_records.c (parties,
 * codes, journal, idempotency keys), pg_scan.c (their scans), pg_programs.c
 * (programmes and touches), pg_referrals.c; contract versions 3 and 4
 * (reward rules, grants, ledger, client events, tasks, templates) live in
 * files of their own and install themselves with rf__pg_install_v34().
 *
 * Locking. PostgreSQL runs READ COMMITTED here, and the contract wants the
 * outermost begin to take the write lock up front, so that the library's
 * "read, decide, write" steps never race another writer. The vtable's begin
 * names no practice, but every member call does: the first member call that
 * names a practice inside a transaction, before any statement of its own,
 * takes pg_advisory_xact_lock(hashtextextended(practice, RF_PG_LOCK_SEED)),
 * held until the transaction ends. Writers of one practice are therefore
 * serialised (as SQLite's BEGIN IMMEDIATE serialises writers of a file),
 * writers of different practices run in parallel, and each statement after
 * the lock sees everything committed before it. A second practice named in
 * the same transaction is locked too. A lock not granted within the
 * session's lock_timeout (RF_PG_LOCK_TIMEOUT_MS unless the conninfo sets one)
 * is RF_EBUSY, as are deadlocks and serialisation failures; when it is the
 * transaction's first lock, nothing was begun on the server and the call
 * may simply be retried in the same transaction.
 *
 * The server-side BEGIN is sent with that first lock, in one round trip;
 * inner levels get their SAVEPOINT when they first write (as in the SQLite
 * backend), so levels that only read cost nothing. Inserts use
 * ON CONFLICT DO NOTHING and updates check their unique keys in the same
 * statement, so a clash (RF_EEXISTS) is a row count, not an error that would
 * abort the transaction. Any statement that does fail inside a transaction
 * (or runs libpq out of memory) loses the whole transaction, as SQLite does
 * after I/O and memory errors: it is rolled back with the next call, and writes and
 * commits are refused until the caller has closed every level (rf_pg.lost). */
#ifndef RF_BACKENDS_PG_INTERNAL_H
#define RF_BACKENDS_PG_INTERNAL_H

#include <libpq-fe.h>

#include <referral.h>
#include <referral/sys/backend.h>

/* The schema version this code writes (the same numbering as SQLite's). */
#define RF_PG_SCHEMA_VERSION 4

/* Milliseconds a statement waits for a lock (the practice's, a row's) before
 * RF_EBUSY, unless the connection already has a lock_timeout of its own. */
#define RF_PG_LOCK_TIMEOUT_MS 5000

/* Seed of the practice lock's key; the schema lock uses the two-int key space, which never overlaps. */
#define RF_PG_LOCK_SEED 0x5246524CLL
#define RF_PG_SCHEMA_LOCK_1 0x5246524C
#define RF_PG_SCHEMA_LOCK_2 1

/* The most parameters a statement has (a referral: 46, plus filters). */
#define RF_PG_MAX_PARAMS 64

/* Statement slots, one range per file so that no two statements share one:
 * pg_backend.c 0, pg_records.c 1-29, pg_scan.c 30-39, pg_programs.c 40-59,
 * pg_referrals.c 60-79; pg_rewards.c 128-159, pg_ledger.c 160-175,
 * pg_events.c 176-191, pg_tasks.c 192-223, pg_templates.c 224-255. */
#define RF_PG_MAX_STMTS 256

/* Rows a scan reads per page (keyset paging keeps memory bounded on big scans). */
#define RF_PG_PAGE 1000

/* A statement, prepared under @name on first use on a connection and reused
 * for its life. Declare them `static const` next to the code that runs them;
 * @slot is unique across the backend (see RF_PG_MAX_STMTS), @name too. Write
 * parameters with explicit casts ($3::bigint, $4::text) so that their types
 * never depend on inference. */
typedef struct rf__pg_stmt {
    int slot;
    const char *name;
    const char *sql;
} rf__pg_stmt;

typedef struct rf_pg {
    rf_backend base; /* first, so the store's rf_backend * is also ours */
    PGconn *conn;
    /* Open begin() calls. */
    int depth;
    /* Levels open on the server: 0 until the first member call sends BEGIN
     * (with the practice lock), then 1 + the inner levels that wrote and so
     * got a SAVEPOINT (rf__pg_writable). */
    int saved;
    /* The transaction was lost (a failed statement, out of memory in libpq,
     * a connection gone): rolled back on the server, writes and commits
     * refused until the caller has closed every level. rollback_pending: its
     * ROLLBACK is still to be sent (memory ran out); rf__pg_settle sends it. */
    int lost;
    int rollback_pending;
    /* Practices locked in the open server transaction (see the file comment). */
    char **locked;
    int nlocked;
    int locked_cap;
    /* Which statement slots are prepared on this connection. */
    unsigned char prepared[RF_PG_MAX_STMTS];
    /* Backs the strings of the last record a get member handed out. */
    PGresult *held;
    /* The cursor of a scan between pages. */
    char *cursor;
    size_t cursor_cap;
    /* The journal's last sequence number in seq_practice, known (seq_known)
     * only while the server transaction holds that practice's lock. */
    char *seq_practice;
    size_t seq_practice_cap;
    int64_t seq_last;
    int seq_known;
    /* "database 'x' on host:port", for messages (never the conninfo: it may hold a password). */
    char where[256];
} rf_pg;

/* ---- errors and the handle (pg_backend.c) ---- */

/* Record a failure as the thread's last error and return @code. */
int rf__pg_fail(rf_status code, rf_error_class klass, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Map a failed statement's result (NULL: libpq could not run it) to a status
 * and record it: unique violation RF_EEXISTS, lock timeout, deadlock and
 * serialisation failure RF_EBUSY, anything else RF_EBACKEND with the server's
 * message. @what says what was being done ("reading party 'x'"). */
int rf__pg_error(rf_pg *b, const PGresult *res, const char *what);

/* Call first in every member that names a practice: inside a transaction,
 * opens it on the server and takes @practice's lock if this transaction has
 * not yet (see the file comment). Outside one, and in a lost one (whose reads
 * see what is committed), it only makes a lost connection again. */
int rf__pg_enter(rf_pg *b, const char *practice);

/* Call first in every write member (instead of rf__pg_enter): refuses a write
 * outside a transaction or in one the server aborted, takes the practice
 * lock, and opens the savepoints of the inner levels that have none yet so
 * the write can be undone with its own level. */
int rf__pg_writable(rf_pg *b, const char *practice, const char *what);

/* After a statement failed with @rc: lose the server transaction if the
 * server aborted it or libpq ran out of memory (the statement may or may not
 * have run). Called by the statement runners below. */
void rf__pg_statement_failed(rf_pg *b, int rc);

/* Send the ROLLBACK a lost transaction still owes; called before every statement. */
int rf__pg_settle(rf_pg *b);

/* Whether a transaction is open on the server and still usable. */
int rf__pg_in_transaction(const rf_pg *b);

/* A connection lost while no transaction of ours was open on it is made
 * again (a server restart, an idle connection dropped by a proxy): nothing
 * is lost with it but its prepared statements, which are prepared again.
 * Used before and, once, in place of a failed statement outside a
 * transaction. RF_OK when the connection is (again) usable. */
int rf__pg_reconnect_if_lost(rf_pg *b);

/* Set what every session of ours needs (after connecting and reconnecting). */
int rf__pg_session_setup(rf_pg *b);

/* Keep @res as the result whose strings the last get handed out, freeing the one kept before. */
void rf__pg_hold(rf_pg *b, PGresult *res);

/* ---- statements and parameters (pg_statements.c) ---- */

/* Parameters in order ($1, $2, ...), as text; integers are formatted into
 * the struct itself, so it needs no allocation. */
typedef struct rf__pg_params {
    int n;
    const char *values[RF_PG_MAX_PARAMS];
    char nums[RF_PG_MAX_PARAMS][24];
} rf__pg_params;

void rf__pg_param_text(rf__pg_params *p, const char *s); /* NULL stays NULL */
void rf__pg_param_int(rf__pg_params *p, int64_t v);
void rf__pg_param_null(rf__pg_params *p);
/* A time where 0 means "none", stored as NULL (read back as 0). */
void rf__pg_param_time_or_null(rf__pg_params *p, rf_time v);
/* A [from, to) filter bound as the inclusive pair lo, hi (two parameters);
 * an unset bound (RF_TIME_UNSET) becomes the extreme value every time passes. */
void rf__pg_param_period(rf__pg_params *p, rf_time from, rf_time to);

/* Run @st with @p (NULL: none), preparing it on first use. On success *@out
 * (when not NULL) receives the result, which the caller clears or holds; on
 * failure the error is recorded (rf__pg_error) and *@out is NULL. */
int rf__pg_exec(rf_pg *b, const rf__pg_stmt *st, const rf__pg_params *p, const char *what, PGresult **out);

/* Run @st and return the number of rows it changed in *@changed. */
int rf__pg_exec_count(rf_pg *b, const rf__pg_stmt *st, const rf__pg_params *p, const char *what,
                      int64_t *changed);

/* Run plain SQL (no parameters, several statements allowed) on the connection. */
int rf__pg_exec_sql(rf_pg *b, const char *sql, const char *what);

/* Values of a row of a text-format result: NULL for SQL NULL (and 0 for an integer). */
static inline const char *rf__pg_text(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}
int64_t rf__pg_int(const PGresult *res, int row, int col);

/* ---- rows: writing and looking up records (pg_rows.c) ---- */

/* Append @record's parameters in the order its statements number them ($1 the practice). */
typedef void (*rf__pg_binder)(rf__pg_params *p, const char *practice, const void *record);
/* Fill the record at @out from row @row of @res; strings point into @res. */
typedef void (*rf__pg_reader)(const PGresult *res, int row, void *out);

/* What the shared insert, update and lookup code needs to know of a record
 * type whose primary key is (practice, id). */
typedef struct rf__pg_record_kind {
    const char *noun;     /* "party", in messages */
    rf_error_class klass; /* of its not-found and clash errors */
    /* INSERT ... ON CONFLICT DO NOTHING: no row inserted means a key was taken. */
    const rf__pg_stmt *insert;
    /* UPDATE ... WHERE practice = $1 AND id = $2, and, when the kind has a
     * unique column besides the id, AND NOT EXISTS (another row holding the
     * new value): no row updated means no such record or the key is taken.
     * NULL when the kind is never updated. */
    const rf__pg_stmt *update;
    /* SELECT 1 ... WHERE practice = $1 AND id = $2: tells the two apart. */
    const rf__pg_stmt *exists;
    const char *inserting; /* what a failed write or read was doing */
    const char *updating;
    const char *reading;
    rf__pg_binder bind; /* for both insert and update */
    rf__pg_reader read;
    /* Report that the unique column besides the id is taken; NULL when there is none. */
    int (*key_taken)(const char *practice, const void *record);
} rf__pg_record_kind;

/* Insert @record (whose id is @id); a clash on the id or the unique column is RF_EEXISTS naming it. */
int rf__pg_insert_record(rf_pg *b, const rf__pg_record_kind *kind, const char *practice, const void *record,
                         const char *id);

/* Replace the record with @record's id; RF_ENOTFOUND, or RF_EEXISTS when the unique column is taken. */
int rf__pg_update_record(rf_pg *b, const rf__pg_record_kind *kind, const char *practice, const void *record,
                         const char *id);

/* Run @st for (practice, @value) and read its one row into @out (@size
 * bytes, zeroed first and again on failure) with @read, holding the result
 * for the strings. RF_ENOTFOUND is returned unreported. */
int rf__pg_lookup_row(rf_pg *b, const rf__pg_stmt *st, const char *practice, const char *value,
                      const char *what, rf__pg_reader read, void *out, size_t size);

/* rf__pg_lookup_row, reporting a miss as "no <noun> with <field> '<value>'". */
int rf__pg_lookup_record(rf_pg *b, const rf__pg_record_kind *kind, const rf__pg_stmt *st,
                         const char *practice, const char *value, const char *field, void *out, size_t size);

/* ---- scans (pg_rows.c) ---- */

/* One scan, read page by page in key order. Its statement numbers its
 * parameters: $1 the practice, $2 the cursor (text: an id, or a seq as text
 * for seq-ordered scans, compared as `id > $2::text` or `seq > $2::bigint`),
 * $3 the page's limit ($3::bigint), then the filters from $4 on, which
 * @bind appends. */
typedef struct rf__pg_scan {
    const rf__pg_stmt *stmt;
    void (*bind)(rf__pg_params *p, const void *query); /* appends $4...; NULL when none */
    const void *query;
    const char *after;  /* the first cursor: NULL starts from "" (ids are never empty) */
    unsigned int limit; /* 0: no limit */
    int cursor_col;     /* the column holding the cursor (the id, or the seq) */
    rf__pg_reader read;
    void *record; /* each row is read into it */
    size_t size;  /* of *record */
    /* Hand the record just read to the typed callback in @fn. */
    int (*visit)(const struct rf__pg_scan *s);
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
} rf__pg_scan;

/* Run @s (after rf__pg_enter), stopping when the callback asks to. */
int rf__pg_run_scan(rf_pg *b, const char *practice, const rf__pg_scan *s);

/* ---- schema (pg_schema.c) ---- */

/* Create the schema in a new database, or check the version of an existing
 * one (a newer one is RF_EVERSION). Called once on open. */
int rf__pg_schema_open(rf_pg *b);

/* ---- parties, codes and journal events: columns and readers (pg_records.c) ---- */

/* Column lists in the order the readers expect. */
#define RF_PG_PARTY_COLUMNS                                                                                  \
    "id, external_id, display_name, email, phone, email_key, phone_key, segment, practitioner_id, "          \
    "intake_detail, kind, consent, payer, intake, first_visit_at, created_at, updated_at, preferred_channel"
#define RF_PG_CODE_COLUMNS                                                                                   \
    "id, key, text, owner_id, program_id, revoke_reason, style, channel, max_uses, uses, created_at, "       \
    "expires_at, revoked_at"
#define RF_PG_EVENT_COLUMNS "type, subject_id, object_id, idempotency_key, data, seq, at"

void rf__pg_read_party(const PGresult *res, int row, void *record);
void rf__pg_read_code(const PGresult *res, int row, void *record);
void rf__pg_read_event(const PGresult *res, int row, void *record);

/* ---- the members installed in the vtable ---- */

/* pg_records.c and pg_scan.c */
int rf__pg_party_insert(rf_backend *backend, const char *practice, const rf_party_record *record);
int rf__pg_party_update(rf_backend *backend, const char *practice, const rf_party_record *record);
int rf__pg_party_get(rf_backend *backend, const char *practice, const char *id, rf_party_record *out);
int rf__pg_party_get_by_external(rf_backend *backend, const char *practice, const char *external_id,
                                 rf_party_record *out);
int rf__pg_code_insert(rf_backend *backend, const char *practice, const rf_code_record *record);
int rf__pg_code_update(rf_backend *backend, const char *practice, const rf_code_record *record);
int rf__pg_code_get(rf_backend *backend, const char *practice, const char *id, rf_code_record *out);
int rf__pg_code_get_by_key(rf_backend *backend, const char *practice, const char *key, rf_code_record *out);
int rf__pg_journal_append(rf_backend *backend, const char *practice, const rf_event_record *record,
                          int64_t *seq_out);
int rf__pg_journal_last_seq(rf_backend *backend, const char *practice, int64_t *out);
int rf__pg_idempotency_get(rf_backend *backend, const char *practice, const char *key,
                           rf_idempotency_record *out);
int rf__pg_idempotency_put(rf_backend *backend, const char *practice, const rf_idempotency_record *record);
int rf__pg_party_scan(rf_backend *backend, const char *practice, const rf_party_query *query,
                      rf_party_visit_fn visit, void *payload);
int rf__pg_code_scan(rf_backend *backend, const char *practice, const rf_code_query *query,
                     rf_code_visit_fn visit, void *payload);
int rf__pg_journal_scan(rf_backend *backend, const char *practice, int64_t after_seq, unsigned int limit,
                        rf_event_visit_fn visit, void *payload);

/* pg_programs.c */
int rf__pg_program_insert(rf_backend *backend, const char *practice, const rf_program_record *record);
int rf__pg_program_update(rf_backend *backend, const char *practice, const rf_program_record *record);
int rf__pg_program_get(rf_backend *backend, const char *practice, const char *id, rf_program_record *out);
int rf__pg_program_get_by_name(rf_backend *backend, const char *practice, const char *name,
                               rf_program_record *out);
int rf__pg_program_scan(rf_backend *backend, const char *practice, const char *after_id, unsigned int limit,
                        rf_program_visit_fn visit, void *payload);
int rf__pg_touch_insert(rf_backend *backend, const char *practice, const rf_touch_record *record);
int rf__pg_touch_get(rf_backend *backend, const char *practice, const char *id, rf_touch_record *out);
int rf__pg_touch_scan(rf_backend *backend, const char *practice, const rf_touch_query *query,
                      rf_touch_visit_fn visit, void *payload);

/* pg_referrals.c */
int rf__pg_referral_insert(rf_backend *backend, const char *practice, const rf_referral_record *record);
int rf__pg_referral_update(rf_backend *backend, const char *practice, const rf_referral_record *record);
int rf__pg_referral_get(rf_backend *backend, const char *practice, const char *id, rf_referral_record *out);
int rf__pg_referral_scan(rf_backend *backend, const char *practice, const rf_referral_query *query,
                         rf_referral_visit_fn visit, void *payload);

/* Contract versions 3 and 4 (reward rules, grants, ledger, client events,
 * tasks, templates): defined in the files that implement them, sets their
 * members in @vtable. Called on every new handle's vtable. */
void rf__pg_install_v34(rf_backend *vtable);

#endif
