/*
 * kpi_scale.c: bench_kpi --scale N, a copy of a generated file whose
 * referral rows are multiplied by N with plain SQL, for the memory target at
 * 10,000,000 referrals that the generator cannot reach through the API.
 *
 * Copy k (1 .. N-1) of a referral keeps every column but its id, whose last
 * byte is XORed with k (the time-ordered prefix stays, so copies sit next to
 * their original in id order; the first 34 characters of the generated ids
 * are unique, so the copies are too), and its attribution
 * key, which gets ":k" (the key is unique). Times, states and parties are
 * the same, so every count of the dashboard's cohort is N times the
 * original's and every rate and percentile is unchanged. Only the referrals
 * grow: they are what the KPI scans stream over; clients and events stay.
 * The copy is a throw-away file, built without a journal and with a large
 * cache; the dashboard then opens it through the library as usual.
 */
#include "bench_kpi.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0) {
        bench_die("opening the file to copy", RF_EBACKEND);
    }
    static char buf[1 << 20];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0) {
        if (write(out, buf, (size_t)n) != n) {
            bench_die("copying the file", RF_EBACKEND);
        }
    }
    close(in);
    if (n < 0 || close(out) != 0) {
        bench_die("copying the file", RF_EBACKEND);
    }
}

#define COLUMNS                                                                                              \
    "program_id, referrer_id, referee_id, target_id, code_id, touch_id, evidence, reason, "                  \
    "preferred_timing, "                                                                                     \
    "practitioner_id, variant, documents_required, documents_received, direction, source, channel, state, "  \
    "held_state, care_level, urgency, fraud_flags, documents_complete, reschedules, no_shows, visits, "      \
    "unset_at, received_at, needs_info_at, accepted_at, scheduled_at, no_show_at, appt_cancelled_at, "       \
    "seen_at, closed_at, cancel_requested_at, cancelled_at, declined_at, lost_at, on_hold_at, "              \
    "entered_in_error_at, appointment_at, first_appointment_at, updated_at"

/* The id's last byte (two lowercase hex digits) as a number; copy k stores it XOR k, so a copy
 * never equals its original and copies never equal each other (SQLite has no XOR: a|k - a&k). */
#define LAST_BYTE                                                                                            \
    "(instr('0123456789abcdef', substr(id, 35, 1)) - 1) * 16 + instr('0123456789abcdef', substr(id, 36, "    \
    "1)) - 1"

void kpi_scale_file(const char *path, const char *copy, int factor)
{
    copy_file(path, copy);
    sqlite3 *db = NULL;
    if (sqlite3_open(copy, &db) != SQLITE_OK ||
        sqlite3_exec(db,
                     "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576;"
                     "BEGIN",
                     NULL, NULL, NULL) != SQLITE_OK) {
        bench_die_sqlite(db, "opening the copy");
    }
    int64_t last = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT max(rowid) FROM referrals", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        bench_die_sqlite(db, "reading the last referral row");
    }
    last = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(
            db,
            "INSERT INTO referrals (practice, id, attribution_key, " COLUMNS ") "
            "SELECT practice, substr(id, 1, 34) || printf('%02x', ((" LAST_BYTE ") | ?1) - ((" LAST_BYTE
            ") & ?1)),"
            " CASE WHEN attribution_key IS NULL THEN NULL ELSE attribution_key || ':' || ?1 END, " COLUMNS
            " FROM referrals WHERE rowid <= ?2",
            -1, &st, NULL) != SQLITE_OK) {
        bench_die_sqlite(db, "preparing the copies");
    }
    for (int k = 1; k < factor; k++) {
        sqlite3_bind_int(st, 1, k);
        sqlite3_bind_int64(st, 2, last);
        if (sqlite3_step(st) != SQLITE_DONE) {
            bench_die_sqlite(db, "copying the referrals");
        }
        sqlite3_reset(st);
        printf("  copy %d of %d made\n", k, factor - 1);
        fflush(stdout);
    }
    sqlite3_finalize(st);
    /* Back to what the library expects of its files. */
    if (sqlite3_exec(db, "COMMIT; PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK) {
        bench_die_sqlite(db, "committing the copies");
    }
    sqlite3_close(db);
}
