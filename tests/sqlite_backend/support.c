/* Helpers shared by the SQLite backend suite: database paths, raw SQLite
 * access to the file, record builders and assertions. */
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

void raw_exec(const char *path, const char *sql)
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

rf_party_record party(const char *id, const char *external_id)
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

rf_code_record code(const char *id, const char *key, const char *owner)
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

void assert_same_str(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        assert_ptr_equal(a, b);
    } else {
        assert_string_equal(a, b);
    }
}

void assert_same_party(const rf_party_record *a, const rf_party_record *b)
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
    assert_int_equal(a->preferred_channel, b->preferred_channel);
}

void assert_same_code(const rf_code_record *a, const rf_code_record *b)
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

rf_reward_rule_record reward_rule(const char *id, const char *program_id)
{
    rf_reward_rule_record r = {
        .id = id,
        .program_id = program_id,
        .name = "Friend's first session",
        .currency = "GBP",
        .item = "+15 minutes",
        .recipient = 1,
        .trigger = 7,
        .kind = 1,
        .percent = 10,
        .expiry_days = 180,
        .hold_days = 14,
        .cap_count = 3,
        .cap_days = 365,
        .tier = 5,
        .active = 1,
        .amount = 2500,
        .created_at = 1700000000,
        .updated_at = 1700000001,
    };
    return r;
}

rf_grant_record grant(const char *id, const char *key, const char *recipient_id)
{
    rf_grant_record g = {
        .id = id,
        .grant_key = key,
        .rule_id = "0001-w",
        .program_id = "prog-1",
        .referral_id = "0001-r",
        .recipient_id = recipient_id,
        .currency = "GBP",
        .item = "+15 minutes",
        .recipient = 1,
        .kind = 8,
        .rule_kind = 1,
        .compliance = 1,
        .percent = 10,
        .tier_count = 3,
        .status = 1,
        .amount = 2500,
        .units = 2500,
        .issued_at = 1700000000,
        .release_at = 1701209600,
        .released_at = 1701209700,
        .expires_at = 1716761600,
        .closed_at = 1716761700,
        .updated_at = 1716761800,
    };
    return g;
}

rf_ledger_record entry(const char *id, const char *key, int64_t seq)
{
    rf_ledger_record e = {
        .id = id,
        .entry_key = key,
        .grant_id = "0001-g",
        .party_id = "0001-p",
        .currency = "GBP",
        .reference = "invoice 42",
        .type = 3,
        .amount = 700,
        .pending_delta = -2500,
        .available_delta = 1800,
        .seq = seq,
        .at = 1700000400,
    };
    return e;
}

void assert_same_rule(const rf_reward_rule_record *a, const rf_reward_rule_record *b)
{
    assert_same_str(a->id, b->id);
    assert_same_str(a->program_id, b->program_id);
    assert_same_str(a->name, b->name);
    assert_same_str(a->currency, b->currency);
    assert_same_str(a->item, b->item);
    assert_int_equal(a->recipient, b->recipient);
    assert_int_equal(a->trigger, b->trigger);
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->percent, b->percent);
    assert_int_equal(a->expiry_days, b->expiry_days);
    assert_int_equal(a->hold_days, b->hold_days);
    assert_int_equal(a->cap_count, b->cap_count);
    assert_int_equal(a->cap_days, b->cap_days);
    assert_int_equal(a->tier, b->tier);
    assert_int_equal(a->active, b->active);
    assert_int_equal(a->amount, b->amount);
    assert_int_equal(a->created_at, b->created_at);
    assert_int_equal(a->updated_at, b->updated_at);
}

void assert_same_grant(const rf_grant_record *a, const rf_grant_record *b)
{
    assert_same_str(a->id, b->id);
    assert_same_str(a->grant_key, b->grant_key);
    assert_same_str(a->rule_id, b->rule_id);
    assert_same_str(a->program_id, b->program_id);
    assert_same_str(a->referral_id, b->referral_id);
    assert_same_str(a->recipient_id, b->recipient_id);
    assert_same_str(a->currency, b->currency);
    assert_same_str(a->item, b->item);
    assert_int_equal(a->recipient, b->recipient);
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->rule_kind, b->rule_kind);
    assert_int_equal(a->compliance, b->compliance);
    assert_int_equal(a->percent, b->percent);
    assert_int_equal(a->tier_count, b->tier_count);
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->amount, b->amount);
    assert_int_equal(a->units, b->units);
    assert_int_equal(a->issued_at, b->issued_at);
    assert_int_equal(a->release_at, b->release_at);
    assert_int_equal(a->released_at, b->released_at);
    assert_int_equal(a->expires_at, b->expires_at);
    assert_int_equal(a->closed_at, b->closed_at);
    assert_int_equal(a->updated_at, b->updated_at);
}

void assert_same_entry(const rf_ledger_record *a, const rf_ledger_record *b)
{
    assert_same_str(a->id, b->id);
    assert_same_str(a->entry_key, b->entry_key);
    assert_same_str(a->grant_id, b->grant_id);
    assert_same_str(a->party_id, b->party_id);
    assert_same_str(a->currency, b->currency);
    assert_same_str(a->reference, b->reference);
    assert_int_equal(a->type, b->type);
    assert_int_equal(a->amount, b->amount);
    assert_int_equal(a->pending_delta, b->pending_delta);
    assert_int_equal(a->available_delta, b->available_delta);
    assert_int_equal(a->seq, b->seq);
    assert_int_equal(a->at, b->at);
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
