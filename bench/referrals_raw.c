/* referrals_raw.c: bench_referrals' hand-written raw SQLite loop, making the library's row writes. */
#include "bench_referrals.h"

#include <stdio.h>
#include <string.h>

#define RAW_SEED 0x7a3d5eedULL

/* ---- the raw SQLite loop ----------------------------------------------------------------------
 *
 * The rows the library writes for one referral (src/core/referral_create.c,
 * src/core/lifecycle.c, src/core/party.c), in its order:
 *
 *   rf_referral_create   INSERT referrals                 (state RECEIVED)
 *                        INSERT journal  referral.received
 *                        UPDATE codes    uses + 1
 *                        INSERT journal  code.used
 *   advance x4           UPDATE referrals                 (ACCEPTED, SCHEDULED, SEEN, CLOSED)
 *                        INSERT journal  referral.advanced
 *   ... on CLOSED        UPDATE parties  kind LEAD -> CLIENT, first_visit_at
 *                        INSERT journal  party.updated
 *
 * 14 row writes; the raw loop makes exactly these with prepared statements,
 * plus the one read it cannot do without (the code, by its folded key). Each
 * journal row takes the practice's next sequence number in its INSERT, as the
 * backend does (read MAX(seq), then insert) under the write lock. Unbatched,
 * each library call is one transaction: five per referral, and five here. */

static const char *const raw_sql[RAW_COUNT] = {
    [RAW_BEGIN] = "BEGIN IMMEDIATE",
    [RAW_COMMIT] = "COMMIT",
    [RAW_CODE_GET] = "SELECT id, owner_id, channel, uses FROM codes WHERE practice = ?1 AND key = ?2",
    /* Every column, as the backend stores a new referral: unset texts NULL,
     * states not reached yet and the appointment NULL. */
    [RAW_REFERRAL_INSERT] =
        "INSERT INTO referrals (practice, id, program_id, referrer_id, referee_id, target_id, code_id, "
        "touch_id, evidence, reason, preferred_timing, practitioner_id, variant, documents_required, "
        "documents_received, attribution_key, direction, source, channel, state, held_state, care_level, "
        "urgency, fraud_flags, documents_complete, reschedules, no_shows, visits, received_at, "
        "needs_info_at, accepted_at, scheduled_at, no_show_at, appt_cancelled_at, seen_at, closed_at, "
        "cancel_requested_at, cancelled_at, declined_at, lost_at, on_hold_at, entered_in_error_at, "
        "appointment_at, first_appointment_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, NULL, ?7, "
        "NULL, NULL, NULL, NULL, NULL, NULL, ?5, ?8, ?9, ?10, ?11, 0, 0, ?12, 0, 1, 0, 0, 0, ?13, NULL, "
        "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, ?13)",
    [RAW_CODE_USES] = "UPDATE codes SET uses = ?3 WHERE practice = ?1 AND id = ?2",
    [RAW_JOURNAL] =
        "INSERT INTO journal (practice, seq, type, subject_id, object_id, idempotency_key, data, at) "
        "VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM journal WHERE practice = ?1), "
        "?2, ?3, ?4, NULL, ?5, ?6)",
    [RAW_ACCEPT] = "UPDATE referrals SET state = ?3, accepted_at = ?4, updated_at = ?4 "
                   "WHERE practice = ?1 AND id = ?2",
    [RAW_SCHEDULE] = "UPDATE referrals SET state = ?3, scheduled_at = ?4, appointment_at = ?5, "
                     "first_appointment_at = ?5, updated_at = ?4 WHERE practice = ?1 AND id = ?2",
    [RAW_SEE] = "UPDATE referrals SET state = ?3, seen_at = ?4, visits = visits + 1, updated_at = ?4 "
                "WHERE practice = ?1 AND id = ?2",
    [RAW_CLOSE] = "UPDATE referrals SET state = ?3, closed_at = ?4, updated_at = ?4 "
                  "WHERE practice = ?1 AND id = ?2",
    [RAW_PARTY_CLIENT] = "UPDATE parties SET kind = ?3, first_visit_at = ?4, updated_at = ?4 "
                         "WHERE practice = ?1 AND id = ?2",
};

static void raw_exec(raw_db *r, const char *sql)
{
    if (sqlite3_exec(r->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        bench_die_sqlite(r->db, sql);
    }
}

/* The second file, with the connection settings the SQLite backend gives its own. */
void raw_open(raw_db *r, const char *path)
{
    memset(r, 0, sizeof *r);
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        bench_die_sqlite(r->db, "opening the raw database");
    }
    sqlite3_busy_timeout(r->db, 5000);
    raw_exec(r, "PRAGMA journal_mode = WAL");
    raw_exec(r, "PRAGMA synchronous = NORMAL");
    raw_exec(r, "PRAGMA cache_size = " BENCH_RAW_CACHE_SIZE);
    for (int i = 0; i < RAW_COUNT; i++) {
        if (sqlite3_prepare_v3(r->db, raw_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &r->st[i], NULL) !=
            SQLITE_OK) {
            fprintf(stderr, "bench_referrals: raw SQL: %s\n", raw_sql[i]);
            bench_die_sqlite(r->db, "preparing a raw statement");
        }
    }
    rf__rng_seed(&r->rng, RAW_SEED);
}

void raw_close(raw_db *r)
{
    for (int i = 0; i < RAW_COUNT; i++) {
        sqlite3_finalize(r->st[i]);
    }
    sqlite3_close(r->db);
    r->db = NULL;
}

/* Step a write statement to its end and reset it. */
static void raw_run(raw_db *r, sqlite3_stmt *st, const char *what)
{
    if (sqlite3_step(st) != SQLITE_DONE) {
        bench_die_sqlite(r->db, what);
    }
    sqlite3_reset(st);
}

static void raw_tx(raw_db *r, int which)
{
    raw_run(r, r->st[which], which == RAW_BEGIN ? "BEGIN" : "COMMIT");
}

static void raw_journal(raw_db *r, const char *type, const char *subject, const char *object,
                        const char *data)
{
    sqlite3_stmt *st = r->st[RAW_JOURNAL];
    sqlite3_bind_text(st, 1, BENCH_PRACTICE, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, subject, -1, SQLITE_STATIC);
    if (object != NULL) {
        sqlite3_bind_text(st, 4, object, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, 4);
    }
    sqlite3_bind_text(st, 5, data, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, BENCH_FIXED_NOW);
    raw_run(r, st, "appending to the journal");
}

/* Unbatched, every library call is its own transaction: so is each step here. */
static void raw_call_begin(raw_db *r, int batched)
{
    if (!batched) {
        raw_tx(r, RAW_BEGIN);
    }
}

static void raw_call_end(raw_db *r, int batched)
{
    if (!batched) {
        raw_tx(r, RAW_COMMIT);
    }
}

/* One advance's row writes: the referral's row, then its journal row. */
static void raw_advance(raw_db *r, int which, const char *id, const char *referrer, rf_referral_state to,
                        const char *data)
{
    sqlite3_stmt *st = r->st[which];
    sqlite3_bind_text(st, 1, BENCH_PRACTICE, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, to);
    sqlite3_bind_int64(st, 4, BENCH_FIXED_NOW);
    if (which == RAW_SCHEDULE) {
        sqlite3_bind_int64(st, 5, APPOINTMENT_AT);
    }
    raw_run(r, st, "updating a referral");
    raw_journal(r, "referral.advanced", id, referrer, data);
}

void raw_referrals(stream *s, raw_db *r, const population *pop, long count, int batched)
{
    double t0 = bench_seconds();
    for (long i = 0; i < count; i++) {
        if (batched && i % BENCH_BATCH == 0) {
            raw_tx(r, RAW_BEGIN);
        }
        const bench_code *bc = &pop->codes[bench_next_random(&s->run.rng) % N_REFERRERS];
        const char *lead = take_lead(s, pop);

        /* Resolve: the code's id, owner, channel and uses, by its folded key. */
        char code_id[RF_ID_BUFSIZE], owner[RF_ID_BUFSIZE];
        sqlite3_stmt *st = r->st[RAW_CODE_GET];
        sqlite3_bind_text(st, 1, BENCH_PRACTICE, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, bc->key, bc->key_len, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW) {
            bench_die_sqlite(r->db, "looking up a code");
        }
        snprintf(code_id, sizeof code_id, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(owner, sizeof owner, "%s", (const char *)sqlite3_column_text(st, 1));
        int channel = sqlite3_column_int(st, 2);
        int uses = sqlite3_column_int(st, 3);
        sqlite3_reset(st);
        s->run.checksum += (unsigned char)owner[35];

        /* Create: the referral, its journal row, the code's use and its journal row. */
        char id[RF_ID_BUFSIZE], evidence[64], data[32];
        rf__id_new(id, &r->ids, &r->rng, BENCH_FIXED_NOW);
        snprintf(evidence, sizeof evidence, "code=%s", code_id);
        raw_call_begin(r, batched);
        st = r->st[RAW_REFERRAL_INSERT];
        sqlite3_bind_text(st, 1, BENCH_PRACTICE, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, pop->program_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, owner, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, lead, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, code_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, evidence, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 8, RF_DIRECTION_INBOUND);
        sqlite3_bind_int(st, 9, RF_SOURCE_CODE);
        sqlite3_bind_int(st, 10, channel);
        sqlite3_bind_int(st, 11, RF_REFERRAL_RECEIVED);
        sqlite3_bind_int(st, 12, RF_URGENCY_ROUTINE);
        sqlite3_bind_int64(st, 13, BENCH_FIXED_NOW);
        raw_run(r, st, "inserting a referral");
        raw_journal(r, "referral.received", id, owner, "direction=INBOUND;source=CODE;flags=0");
        st = r->st[RAW_CODE_USES];
        sqlite3_bind_text(st, 1, BENCH_PRACTICE, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, code_id, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, uses + 1);
        raw_run(r, st, "counting a code's use");
        snprintf(data, sizeof data, "uses=%d", uses + 1);
        raw_journal(r, "code.used", code_id, owner, data);
        raw_call_end(r, batched);

        raw_call_begin(r, batched);
        raw_advance(r, RAW_ACCEPT, id, owner, RF_REFERRAL_ACCEPTED, "from=RECEIVED;to=ACCEPTED");
        raw_call_end(r, batched);
        raw_call_begin(r, batched);
        raw_advance(r, RAW_SCHEDULE, id, owner, RF_REFERRAL_SCHEDULED, "from=ACCEPTED;to=SCHEDULED");
        raw_call_end(r, batched);
        raw_call_begin(r, batched);
        raw_advance(r, RAW_SEE, id, owner, RF_REFERRAL_SEEN, "from=SCHEDULED;to=SEEN");
        raw_call_end(r, batched);
        /* Closing: the lead becomes a client, first seen when the referral was SEEN. */
        raw_call_begin(r, batched);
        raw_advance(r, RAW_CLOSE, id, owner, RF_REFERRAL_CLOSED, "from=SEEN;to=CLOSED");
        st = r->st[RAW_PARTY_CLIENT];
        sqlite3_bind_text(st, 1, BENCH_PRACTICE, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, lead, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, RF_PARTY_CLIENT);
        sqlite3_bind_int64(st, 4, BENCH_FIXED_NOW);
        raw_run(r, st, "making the lead a client");
        raw_journal(r, "party.updated", lead, NULL, "fields=first_visit_at,kind");
        raw_call_end(r, batched);
        if (batched && bench_batch_ends(i, count)) {
            raw_tx(r, RAW_COMMIT);
        }
    }
    bench_run_add(&s->run, count, t0);
}
