/* The SQLite backend's record machinery, shared by every record family:
 * reading a row's texts, running a write, looking up one row, and scanning
 * in key order. Each family describes itself (an rf__sqlite_record_kind, an
 * rf__sqlite_scan) and these functions do the rest. */
#include "sqlite_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- reading ---- */

int rf__sqlite_grow(char **buf, size_t *cap, size_t size)
{
    if (size <= *cap) {
        return 1;
    }
    size_t next = *cap != 0 ? *cap : 256;
    while (next < size) {
        next *= 2;
    }
    char *grown = realloc(*buf, next);
    if (grown == NULL) {
        return 0;
    }
    *buf = grown;
    *cap = next;
    return 1;
}

int rf__sqlite_copy_texts(char **buf, size_t *cap, size_t skip, const char **fields[], int n)
{
    size_t len[RF_SQLITE_MAX_TEXTS];
    size_t total = skip;
    for (int i = 0; i < n; i++) {
        len[i] = *fields[i] != NULL ? strlen(*fields[i]) + 1 : 0;
        total += len[i];
    }
    if (!rf__sqlite_grow(buf, cap, total)) {
        return 0;
    }
    char *p = *buf + skip;
    for (int i = 0; i < n; i++) {
        if (*fields[i] != NULL) {
            memcpy(p, *fields[i], len[i]);
            *fields[i] = p;
            p += len[i];
        }
    }
    return 1;
}

int rf__sqlite_read_texts(rf_sqlite *b, sqlite3_stmt *st, int copy, const char **fields[], int n)
{
    const char *src[RF_SQLITE_MAX_TEXTS];
    size_t len[RF_SQLITE_MAX_TEXTS];
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        if (sqlite3_column_type(st, i) == SQLITE_NULL) {
            src[i] = NULL;
            len[i] = 0;
            continue;
        }
        src[i] = (const char *)sqlite3_column_text(st, i);
        if (src[i] == NULL) {
            return rf__sqlite_error(b, SQLITE_NOMEM, "reading a record");
        }
        len[i] = (size_t)sqlite3_column_bytes(st, i);
        total += len[i] + 1;
    }
    if (!copy) {
        for (int i = 0; i < n; i++) {
            *fields[i] = src[i];
        }
        return RF_OK;
    }
    if (!rf__sqlite_grow(&b->scratch, &b->scratch_cap, total)) {
        return rf__sqlite_error(b, SQLITE_NOMEM, "reading a record");
    }
    char *p = b->scratch;
    for (int i = 0; i < n; i++) {
        if (src[i] == NULL) {
            *fields[i] = NULL;
            continue;
        }
        memcpy(p, src[i], len[i]);
        p[len[i]] = '\0';
        *fields[i] = p;
        p += len[i] + 1;
    }
    return RF_OK;
}

/* ---- memos (see rf__sqlite_memo) ---- */

int rf__sqlite_memo_keep(rf_sqlite *b, rf__sqlite_memo *m, const char *practice, const char **fields[], int n,
                         int rc)
{
    m->known = 0;
    if (rc != RF_OK || !rf__sqlite_in_transaction(b)) {
        return rc;
    }
    size_t skip = strlen(practice) + 1;
    if (rf__sqlite_copy_texts(&m->buf, &m->cap, skip, fields, n)) {
        memcpy(m->buf, practice, skip);
        m->known = 1;
    }
    return rc;
}

int rf__sqlite_memo_has(const rf_sqlite *b, const rf__sqlite_memo *m, const char *practice, const char *key,
                        const char *memo_key)
{
    return m->known && rf__sqlite_in_transaction(b) && practice != NULL && key != NULL && memo_key != NULL &&
           strcmp(memo_key, key) == 0 && strcmp(m->buf, practice) == 0;
}

/* ---- writing ---- */

/* Writes outside a transaction would each commit on their own; the store
 * always opens one, so getting here without is a bug worth stopping. Every
 * write passes here first, which makes it the place where the levels that
 * have not written yet get their savepoints. */
int rf__sqlite_check_writable(rf_sqlite *b, const char *what)
{
    if (rf__sqlite_in_transaction(b)) {
        return b->saved < b->depth ? rf__sqlite_save_levels(b) : RF_OK;
    }
    if (b->depth > 0) {
        /* SQLite abandons the whole transaction after out-of-memory, I/O and
         * some disk-full errors; writing on would commit piecemeal. */
        return rf__sqlite_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                               "database '%s': %s refused: the transaction was rolled back after an earlier "
                               "error; roll back and start again",
                               b->path, what);
    }
    return rf__sqlite_fail(RF_EBACKEND, RF_ERRCLASS_BACKEND,
                           "database '%s': %s outside a transaction; writes must be made between begin and "
                           "commit",
                           b->path, what);
}

int rf__sqlite_run_write(rf_sqlite *b, rf_sqlite_stmt_id id, const char *what, const char *practice,
                         const void *record, rf__sqlite_record_binder bind, rf__sqlite_clash_reporter clash,
                         const void *ctx)
{
    sqlite3_stmt *st;
    int rc = rf__sqlite_check_writable(b, what);
    if (rc == RF_OK) {
        rc = rf__sqlite_stmt(b, id, &st);
    }
    if (rc != RF_OK) {
        return rc;
    }
    int step = bind(st, practice, record);
    if (step == SQLITE_OK) {
        step = sqlite3_step(st);
    }
    if (step != SQLITE_DONE) {
        if ((step == SQLITE_CONSTRAINT_UNIQUE || step == SQLITE_CONSTRAINT_PRIMARYKEY) && clash != NULL) {
            rc = clash(ctx, sqlite3_errmsg(b->db));
        } else {
            rc = rf__sqlite_error(b, step, what);
        }
    }
    rf__sqlite_done(st);
    return rc;
}

/* ---- looking up ---- */

int rf__sqlite_lookup_row(rf_sqlite *b, rf_sqlite_stmt_id id, const char *practice, const char *value,
                          const char *what, rf__sqlite_reader read, void *out, size_t size)
{
    sqlite3_stmt *st;
    memset(out, 0, size);
    int rc = rf__sqlite_stmt(b, id, &st);
    if (rc != RF_OK) {
        return rc;
    }
    rf__sqlite_binder bd = {st, SQLITE_OK};
    rf__sqlite_bind_text(&bd, 1, practice);
    rf__sqlite_bind_text(&bd, 2, value);
    rc = bd.rc != SQLITE_OK ? bd.rc : sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = rc == SQLITE_DONE ? RF_ENOTFOUND : rf__sqlite_error(b, rc, what);
        rf__sqlite_done(st);
        return rc;
    }
    rc = read(b, st, 1, out);
    rf__sqlite_done(st);
    if (rc != RF_OK) {
        memset(out, 0, size);
    }
    return rc;
}

/* ---- records with an id ---- */

/* A write in progress, for record_clash. */
typedef struct record_write {
    const rf__sqlite_record_kind *kind;
    const char *practice;
    const void *record;
    const char *id;
} record_write;

static int record_clash(const void *ctx, const char *message)
{
    const record_write *w = ctx;
    const rf__sqlite_record_kind *k = w->kind;
    if (k->unique_column != NULL && strstr(message, k->unique_column) != NULL) {
        return k->key_taken(w->practice, w->record);
    }
    return rf__sqlite_fail(RF_EEXISTS, k->klass, "%s '%s' already exists in practice '%s'", k->noun, w->id,
                           w->practice);
}

int rf__sqlite_insert_record(rf_sqlite *b, const rf__sqlite_record_kind *kind, const char *practice,
                             const void *record, const char *id)
{
    record_write w = {kind, practice, record, id};
    return rf__sqlite_run_write(b, kind->insert, kind->inserting, practice, record, kind->bind, record_clash,
                                &w);
}

int rf__sqlite_update_record(rf_sqlite *b, const rf__sqlite_record_kind *kind, const char *practice,
                             const void *record, const char *id)
{
    if (kind->update_unkeyed != RF_SQ_COUNT) {
        int rc = rf__sqlite_run_write(b, kind->update_unkeyed, kind->updating, practice, record, kind->bind,
                                      NULL, NULL);
        if (rc != RF_OK || sqlite3_changes(b->db) != 0) {
            return rc;
        }
    }
    record_write w = {kind, practice, record, id};
    int rc =
        rf__sqlite_run_write(b, kind->update, kind->updating, practice, record, kind->bind, record_clash, &w);
    if (rc == RF_OK && sqlite3_changes(b->db) == 0) {
        return rf__sqlite_fail(RF_ENOTFOUND, kind->klass, "no %s '%s' in practice '%s'", kind->noun, id,
                               practice);
    }
    return rc;
}

int rf__sqlite_lookup_record(rf_sqlite *b, const rf__sqlite_record_kind *kind, rf_sqlite_stmt_id id,
                             const char *practice, const char *value, const char *field, void *out,
                             size_t size)
{
    int rc = rf__sqlite_lookup_row(b, id, practice, value, kind->reading, kind->read, out, size);
    if (rc == RF_ENOTFOUND) {
        return rf__sqlite_fail(RF_ENOTFOUND, kind->klass, "no %s with %s '%s' in practice '%s'", kind->noun,
                               field, value, practice);
    }
    return rc;
}

/* ---- scans ----
 *
 * A scan hands out records that point straight into the statement's current
 * row (no copy): the contract keeps them valid only until the callback
 * returns, which is exactly how long SQLite keeps the row. */

/* The statement for a scan. The cached one is used unless it is already
 * running, which happens when a callback starts the same kind of scan; the
 * inner scan then gets a statement of its own (*private_copy set). */
static int scan_stmt(rf_sqlite *b, rf_sqlite_stmt_id id, sqlite3_stmt **out, int *private_copy)
{
    *private_copy = 0;
    int rc = rf__sqlite_stmt(b, id, out);
    if (rc != RF_OK || !sqlite3_stmt_busy(*out)) {
        return rc;
    }
    int src = sqlite3_prepare_v2(b->db, rf__sqlite_sql(id), -1, out, NULL);
    if (src != SQLITE_OK) {
        *out = NULL;
        return rf__sqlite_error(b, src, "preparing a nested scan");
    }
    *private_copy = 1;
    return RF_OK;
}

static void scan_end(sqlite3_stmt *st, int private_copy)
{
    if (private_copy) {
        sqlite3_finalize(st);
    } else {
        rf__sqlite_done(st);
    }
}

/* Step through the rows, stopping early when the callback asks to. */
static int scan_rows(rf_sqlite *b, sqlite3_stmt *st, const char *practice, const rf__sqlite_scan *s)
{
    int rc = s->bind(st, practice, s->query);
    if (rc == SQLITE_OK) {
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int status = s->read(b, st, 0, s->record);
            if (status != RF_OK) {
                return status;
            }
            if (s->visit(s) != 0) {
                return RF_OK;
            }
        }
    }
    return rc == SQLITE_DONE ? RF_OK : rf__sqlite_error(b, rc, s->what);
}

int rf__sqlite_run_scan(rf_sqlite *b, const char *practice, const rf__sqlite_scan *s)
{
    sqlite3_stmt *st;
    int private_copy;
    int rc = scan_stmt(b, s->stmt, &st, &private_copy);
    if (rc == RF_OK) {
        memset(s->record, 0, s->size);
        rc = scan_rows(b, st, practice, s);
        scan_end(st, private_copy);
    }
    return rc;
}

int rf__sqlite_bind_page(sqlite3_stmt *st, const char *practice, const char *after, int limit_index,
                         unsigned int limit)
{
    int rc = sqlite3_bind_text(st, 1, practice, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_text(st, 2, after != NULL ? after : "", -1, SQLITE_STATIC);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(st, limit_index, rf__sqlite_limit(limit));
    }
    return rc;
}
