/* referrals_verify.c: bench_referrals' copy of the database file and row-by-row comparison of the two. */
#include "bench_referrals.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- copying and comparing the files (untimed) ------------------------------------------------ */

/* Page for page, so both files start with the same layout as well as the same rows. */
void copy_database(const char *from, const char *to)
{
    sqlite3 *src = NULL, *dst = NULL;
    if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        bench_die_sqlite(src, "opening the library's database to copy it");
    }
    if (sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        bench_die_sqlite(dst, "creating the raw database");
    }
    sqlite3_backup *bk = sqlite3_backup_init(dst, "main", src, "main");
    if (bk == NULL || sqlite3_backup_step(bk, -1) != SQLITE_DONE || sqlite3_backup_finish(bk) != SQLITE_OK) {
        bench_die_sqlite(dst, "copying the database");
    }
    sqlite3_close(src);
    sqlite3_close(dst);
}

static long query_count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        fprintf(stderr, "bench_referrals: verification SQL: %s\n", sql);
        bench_die_sqlite(db, "verifying");
    }
    long n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Rows of @table (as @cols) in one file and not in the other, both ways. */
static long rows_differing(sqlite3 *db, const char *table, const char *cols)
{
    char sql[4096];
    snprintf(sql, sizeof sql,
             "SELECT (SELECT count(*) FROM (SELECT %s FROM main.%s EXCEPT SELECT %s FROM raw.%s)) + "
             "(SELECT count(*) FROM (SELECT %s FROM raw.%s EXCEPT SELECT %s FROM main.%s)) + "
             "abs((SELECT count(*) FROM main.%s) - (SELECT count(*) FROM raw.%s))",
             cols, table, cols, table, cols, table, cols, table, table, table);
    return query_count(db, sql);
}

/* The columns of @table but @skip, comma-separated. */
static void columns_but(sqlite3 *db, const char *table, const char *skip, char *out, size_t size)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT group_concat(name, ', ') FROM pragma_table_info('%s') WHERE name <> '%s'", table, skip);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW ||
        sqlite3_column_text(st, 0) == NULL) {
        bench_die_sqlite(db, "listing columns");
    }
    snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* The raw loop must have written what the library wrote: the same rows in
 * every table, the referrals' own ids (and the journal's references to them) aside. */
void verify_same_rows(const char *lib_path, const char *raw_path, long expected_referrals)
{
    sqlite3 *db = NULL;
    char attach[4400];
    snprintf(attach, sizeof attach, "ATTACH DATABASE 'file:%s?mode=ro' AS raw", raw_path);
    if (sqlite3_open_v2(lib_path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK ||
        sqlite3_exec(db, attach, NULL, NULL, NULL) != SQLITE_OK) {
        bench_die_sqlite(db, "opening the two databases to compare them");
    }
    char referral_cols[2048];
    columns_but(db, "referrals", "id", referral_cols, sizeof referral_cols);
    struct {
        const char *table, *cols;
    } checks[] = {
        {"referrals", referral_cols},
        {"codes", "*"},
        {"parties", "*"},
        {"journal", "practice, seq, type, CASE WHEN type LIKE 'referral.%' THEN NULL ELSE subject_id END, "
                    "object_id, idempotency_key, data, at"},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        long n = rows_differing(db, checks[i].table, checks[i].cols);
        if (n != 0) {
            fprintf(stderr,
                    "bench_referrals: table %s differs between the library and the raw loop (%ld rows)\n",
                    checks[i].table, n);
            bad = 1;
        }
    }
    long made = query_count(db, "SELECT count(*) FROM main.referrals WHERE state = 8");
    if (made != expected_referrals) {
        fprintf(stderr, "bench_referrals: %ld closed referrals in the library's file, expected %ld\n", made,
                expected_referrals);
        bad = 1;
    }
    sqlite3_close(db);
    if (bad) {
        exit(1);
    }
}

long long file_query_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        bench_die_sqlite(db, "opening the library's database to check it");
    }
    long long n = query_count(db, sql);
    sqlite3_close(db);
    return n;
}
