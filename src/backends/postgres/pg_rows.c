/* The PostgreSQL backend's record machinery, shared by every record family:
 * running a write and explaining a clash, looking up one row, and scanning
 * page by page in key order. Each family describes itself (an
 * rf__pg_record_kind, an rf__pg_scan) and these functions do the rest. */
#include "pg_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- writing ---- */

/* Whether the record @id of @kind exists (after a write that changed no row). */
static int record_exists(rf_pg *b, const rf__pg_record_kind *kind, const char *practice, const char *id,
                         int *exists)
{
    rf__pg_params p = {0};
    rf__pg_param_text(&p, practice);
    rf__pg_param_text(&p, id);
    PGresult *res;
    *exists = 0;
    int rc = rf__pg_exec(b, kind->exists, &p, kind->reading, &res);
    if (rc == RF_OK) {
        *exists = PQntuples(res) > 0;
        PQclear(res);
    }
    return rc;
}

int rf__pg_insert_record(rf_pg *b, const rf__pg_record_kind *kind, const char *practice, const void *record,
                         const char *id)
{
    int rc = rf__pg_writable(b, practice, kind->inserting);
    if (rc != RF_OK) {
        return rc;
    }
    rf__pg_params p = {0};
    kind->bind(&p, practice, record);
    int64_t changed;
    rc = rf__pg_exec_count(b, kind->insert, &p, kind->inserting, &changed);
    if (rc != RF_OK || changed != 0) {
        return rc;
    }
    /* ON CONFLICT DO NOTHING: a key was taken. The id, or the other one? */
    int exists = 1;
    if (kind->key_taken != NULL && (rc = record_exists(b, kind, practice, id, &exists)) != RF_OK) {
        return rc;
    }
    if (!exists) {
        return kind->key_taken(practice, record);
    }
    return rf__pg_fail(RF_EEXISTS, kind->klass, "%s '%s' already exists in practice '%s'", kind->noun, id,
                       practice);
}

int rf__pg_update_record(rf_pg *b, const rf__pg_record_kind *kind, const char *practice, const void *record,
                         const char *id)
{
    int rc = rf__pg_writable(b, practice, kind->updating);
    if (rc != RF_OK) {
        return rc;
    }
    rf__pg_params p = {0};
    kind->bind(&p, practice, record);
    int64_t changed;
    rc = rf__pg_exec_count(b, kind->update, &p, kind->updating, &changed);
    if (rc != RF_OK || changed != 0) {
        return rc;
    }
    /* No row: no such record, or (the update checks it) its unique key is taken. */
    int exists = 0;
    if (kind->key_taken != NULL && (rc = record_exists(b, kind, practice, id, &exists)) != RF_OK) {
        return rc;
    }
    if (exists) {
        return kind->key_taken(practice, record);
    }
    return rf__pg_fail(RF_ENOTFOUND, kind->klass, "no %s '%s' in practice '%s'", kind->noun, id, practice);
}

/* ---- looking up ---- */

int rf__pg_lookup_row(rf_pg *b, const rf__pg_stmt *st, const char *practice, const char *value,
                      const char *what, rf__pg_reader read, void *out, size_t size)
{
    memset(out, 0, size);
    int rc = rf__pg_enter(b, practice);
    if (rc != RF_OK) {
        return rc;
    }
    rf__pg_params p = {0};
    rf__pg_param_text(&p, practice);
    rf__pg_param_text(&p, value);
    PGresult *res;
    rc = rf__pg_exec(b, st, &p, what, &res);
    if (rc != RF_OK) {
        return rc;
    }
    if (PQntuples(res) == 0) {
        PQclear(res);
        return RF_ENOTFOUND;
    }
    read(res, 0, out);
    /* Only now: @value may point into the result held before. */
    rf__pg_hold(b, res);
    return RF_OK;
}

int rf__pg_lookup_record(rf_pg *b, const rf__pg_record_kind *kind, const rf__pg_stmt *st,
                         const char *practice, const char *value, const char *field, void *out, size_t size)
{
    int rc = rf__pg_lookup_row(b, st, practice, value, kind->reading, kind->read, out, size);
    if (rc == RF_ENOTFOUND) {
        return rf__pg_fail(RF_ENOTFOUND, kind->klass, "no %s with %s '%s' in practice '%s'", kind->noun,
                           field, value, practice);
    }
    return rc;
}

/* ---- scans ----
 *
 * A scan reads RF_PG_PAGE rows at a time, each page starting after the
 * cursor (the id, or the seq) of the last row of the one before, so memory
 * stays bounded however many rows match and no cursor or portal is left open
 * between calls. Records handed to the callback point into the page's
 * result: valid until the callback returns, as the contract says. */

/* Keep a copy of @value as the next page's cursor. */
static int set_cursor(rf_pg *b, const char *value)
{
    size_t n = strlen(value) + 1;
    if (n > b->cursor_cap) {
        char *grown = realloc(b->cursor, n);
        if (grown == NULL) {
            return rf__pg_fail(RF_ENOMEM, RF_ERRCLASS_NOMEMORY, "out of memory while scanning");
        }
        b->cursor = grown;
        b->cursor_cap = n;
    }
    memcpy(b->cursor, value, n);
    return RF_OK;
}

int rf__pg_run_scan(rf_pg *b, const char *practice, const rf__pg_scan *s)
{
    int rc = rf__pg_enter(b, practice);
    if (rc == RF_OK) {
        rc = set_cursor(b, s->after != NULL ? s->after : "");
    }
    unsigned int left = s->limit; /* when s->limit != 0 */
    while (rc == RF_OK) {
        int64_t page = s->limit != 0 && left < RF_PG_PAGE ? left : RF_PG_PAGE;
        rf__pg_params p = {0};
        rf__pg_param_text(&p, practice);
        rf__pg_param_text(&p, b->cursor);
        rf__pg_param_int(&p, page);
        if (s->bind != NULL) {
            s->bind(&p, s->query);
        }
        PGresult *res;
        rc = rf__pg_exec(b, s->stmt, &p, s->what, &res);
        if (rc != RF_OK) {
            break;
        }
        int rows = PQntuples(res);
        int stop = 0;
        for (int i = 0; i < rows && !stop; i++) {
            memset(s->record, 0, s->size);
            s->read(res, i, s->record);
            stop = s->visit(s) != 0;
        }
        if (!stop && rows == page) {
            rc = set_cursor(b, PQgetvalue(res, rows - 1, s->cursor_col));
            left -= (unsigned int)rows;
            stop = s->limit != 0 && left == 0;
        } else {
            stop = 1;
        }
        PQclear(res);
        if (stop) {
            break;
        }
    }
    return rc;
}
