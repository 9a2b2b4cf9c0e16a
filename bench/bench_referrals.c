/*
 * bench_referrals.c: how fast referrals are written, code to closed loop.
 *
 * A benchmark program, not a test: it prints figures next to their targets
 * and exits 0 whether they are met or not (timed assertions make flaky
 * tests). Run it from a Release build:
 *
 *   make -C build bench_referrals && build/bench/bench_referrals
 *
 * The path timed, once per referral:
 *
 *   rf_code_resolve(referrer's code)
 *   rf_referral_create(.program_id, .referee_id = a fresh lead, .code = that code)
 *   rf_referral_advance -> ACCEPTED -> SCHEDULED (with appointment_at) -> SEEN -> CLOSED
 *
 * Setup, untimed: one programme (fraud guards on, no velocity cap), referrers
 * (clients) with a vanity code each, and one lead per referral to be made.
 * Referrers are picked in random order by a fixed-seed PRNG.
 *
 * What it does, in one run:
 *   1. SQLite file backend, in a temporary directory it deletes: after the
 *      setup the file is copied page for page (sqlite3 backup) to a second
 *      file, so both start with the same schema and rows. Then, in
 *      alternating rounds, the library runs the path on the first file and a
 *      hand-written loop of prepared SQLite statements makes the same row
 *      writes on the second: (a) in explicit transactions of 1,000 referrals,
 *      (b) one transaction per call. The ratio library/raw says what the
 *      library's layers (checks, the fraud guards' reads, reloading records,
 *      savepoints, the backend contract, handles) cost over the bare writes.
 *   2. Afterwards, untimed, the two files are compared row by row (referral
 *      ids aside): the raw loop must have written exactly what the library
 *      wrote, or the program fails.
 *   3. The memory backend: the same path, more referrals, no raw comparison.
 *
 * The raw loop uses the library's internal helpers rf__code_fold and
 * rf__id_new (src/util), reached through referral_static, so it looks codes
 * up by the same keys and makes ids of the same time-ordered layout.
 *
 * The store's clock and seed are fixed, so every run writes the same rows.
 */
#include <referral.h>

#include <sqlite3.h>

#include "util/ids.h"  /* rf__id_new: internal, reached through referral_static */
#include "util/text.h" /* rf__code_fold: idem */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define N_REFERRERS 20000
#define BATCH 1000
#define SQL_WARMUP 1000        /* per side, batched, before the clock starts */
#define SQL_BATCHED 20000      /* per side */
#define SQL_BATCHED_ROUNDS 5   /* 4,000 referrals (4 batches) per round */
#define SQL_UNBATCHED 4000     /* per side */
#define SQL_UNBATCHED_ROUNDS 8 /* 500 referrals per round */
#define MEM_WARMUP 2000
#define MEM_BATCHED 100000
#define MEM_UNBATCHED 20000
#define SQL_LEADS (SQL_WARMUP + SQL_BATCHED + SQL_UNBATCHED)
#define MEM_LEADS (MEM_WARMUP + MEM_BATCHED + MEM_UNBATCHED)

#define PRACTICE "bench-physio"
#define PROGRAM_NAME "Client advocates"
#define SEED 20260101u
#define RAW_SEED 0x7a3d5eedULL
#define PICK_SEED 0x5eed0f10c0de5ULL
#define FIXED_NOW ((rf_time)1767225600)        /* 2026-01-01T00:00:00Z */
#define APPOINTMENT_AT (FIXED_NOW + 7 * 86400) /* a week later */

/* The SQLite backend's PRAGMAs (src/backends/sqlite/sqlite_schema.c); keep in step. */
#define RAW_CACHE_SIZE "-32768"

#define TARGET_RATIO 0.5

#ifndef RF_BENCH_BUILD_TYPE
#define RF_BENCH_BUILD_TYPE ""
#endif

/* A referrer's code: its text as shown to people and its folded key. */
typedef struct bench_code {
    char text[RF_CODE_KEY_MAX + 1];
    char key[RF_CODE_KEY_MAX + 1];
    int key_len;
} bench_code;

/* What the setup made; the same ids are in both SQLite files. */
typedef struct population {
    char program_id[RF_ID_BUFSIZE];
    bench_code *codes;            /* N_REFERRERS */
    char (*leads)[RF_ID_BUFSIZE]; /* n_leads */
    int n_leads;
    double seconds;
} population;

/* One side's walk through the work: which lead comes next and which
 * referrer's code it presents. Both sides draw the same sequence. */
typedef struct stream {
    uint64_t rng;
    int next_lead;
    long done;
    double elapsed;
    unsigned checksum; /* keeps the work observable */
} stream;

static char tmp_dir[4096];
static char lib_path[4200];
static char raw_path[4200];

static void remove_temp_files(void)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    if (tmp_dir[0] == '\0') {
        return;
    }
    const char *paths[] = {lib_path, raw_path};
    for (size_t f = 0; f < 2; f++) {
        for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
            char p[4300];
            snprintf(p, sizeof p, "%s%s", paths[f], suffixes[i]);
            unlink(p);
        }
    }
    rmdir(tmp_dir);
    tmp_dir[0] = '\0';
}

static void die(const char *what, rf_status rc)
{
    fprintf(stderr, "bench_referrals: %s failed (%s): %s\n", what, rf_strerror(rc), rf_error_last()->message);
    exit(1); /* atexit removes the temporary directory */
}

static void die_sqlite(sqlite3 *db, const char *what)
{
    fprintf(stderr, "bench_referrals: raw SQLite: %s failed: %s\n", what,
            db != NULL ? sqlite3_errmsg(db) : "?");
    exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (p == NULL) {
        fprintf(stderr, "bench_referrals: out of memory\n");
        exit(1);
    }
    return p;
}

static rf_time fixed_clock(void *ctx)
{
    (void)ctx;
    return FIXED_NOW;
}

/* splitmix64: a tiny PRNG; the fixed seed makes every run pick the same referrers. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double peak_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* Linux reports KiB */
}

/* 1234567.8 -> "1,234,568" */
static const char *grouped(char *buf, size_t size, double value)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", value);
    size_t n = strlen(digits), j = 0;
    for (size_t i = 0; i < n && j + 2 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0) {
            buf[j++] = ',';
        }
        buf[j++] = digits[i];
    }
    buf[j] = '\0';
    return buf;
}

static double stream_rate(const stream *s)
{
    return (double)s->done / s->elapsed;
}

static void print_rate(const char *label, const stream *s, const char *how)
{
    char b[40], note[96];
    snprintf(note, sizeof note, "(%ld referrals, %s)", s->done, how);
    printf("  %-34s %10s referrals/s  %s\n", label, grouped(b, sizeof b, stream_rate(s)), note);
}

static void print_ratio(const char *label, const stream *lib, const stream *raw)
{
    double ratio = stream_rate(lib) / stream_rate(raw);
    printf("  %-34s %10.2fx                target >= %.2fx  %s\n", label, ratio, TARGET_RATIO,
           ratio >= TARGET_RATIO ? "PASS" : "BELOW");
}

static void stream_init(stream *s)
{
    memset(s, 0, sizeof *s);
    s->rng = PICK_SEED;
}

/* ---- setup (untimed) ---------------------------------------------------------------------- */

static rf_store *open_store(const char *uri)
{
    rf_store_options opts = RF_STORE_OPTIONS_INIT;
    opts.practice = PRACTICE;
    opts.seed = SEED;
    rf_store *store = NULL;
    rf_status rc = rf_store_open(&store, uri, &opts);
    if (rc != RF_OK) {
        die("opening the store", rc);
    }
    /* Fixed time: ids, timestamps and journal rows do not depend on when the bench runs. */
    if ((rc = rf_store_set_clock(store, fixed_clock, NULL)) != RF_OK) {
        die("setting the clock", rc);
    }
    return store;
}

/* Explicit transactions of BATCH calls: begin before call i, commit after it. */
static void batch_begin(rf_store *store, long i)
{
    rf_status rc = i % BATCH == 0 ? rf_store_begin(store) : RF_OK;
    if (rc != RF_OK) {
        die("beginning a batch", rc);
    }
}

static int batch_ends(long i, long n)
{
    return i % BATCH == BATCH - 1 || i == n - 1;
}

static void batch_end(rf_store *store, long i, long n)
{
    rf_status rc = batch_ends(i, n) ? rf_store_commit(store) : RF_OK;
    if (rc != RF_OK) {
        die("committing a batch", rc);
    }
}

static void make_name(char *out, size_t size, uint64_t *rng)
{
    static const char *const first[] = {
        "Jane",  "John", "Zoë",   "Amir",  "Li",    "Siobhán", "Kwame", "Ana",   "Lukas", "Priya", "Oscar",
        "Maria", "Tom",  "Aoife", "Yusuf", "Eva",   "Noah",    "Grace", "Ravi",  "Chloé", "Ben",   "Ingrid",
        "Omar",  "Lena", "Sam",   "Nia",   "Jonas", "Hana",    "Leo",   "Freya", "Ali",   "Rosa"};
    static const char *const last[] = {
        "Doe",     "Smith",  "Müller", "Patel", "Nguyen", "O'Brien", "Kowalski", "Silva",
        "Chen",    "Jones",  "García", "Brown", "Mensah", "Novak",   "Khan",     "Dubois",
        "Rossi",   "Murphy", "Larsen", "Ahmed", "Taylor", "Wilson",  "Evans",    "Kaur",
        "Fischer", "Lopez",  "Walsh",  "Sato",  "Costa",  "Hughes",  "Ivanova",  "Berg"};
    uint64_t r = next_random(rng);
    snprintf(out, size, "%s %s", first[r % 32], last[(r >> 8) % 32]);
}

static void add_party(rf_store *store, rf_party_kind kind, const char *role, long i, uint64_t *rng,
                      char id[RF_ID_BUFSIZE])
{
    char name[64], email[96];
    make_name(name, sizeof name, rng);
    snprintf(email, sizeof email, "%s%ld@example.org", role, i);
    rf_party_options p = RF_PARTY_OPTIONS_INIT;
    p.kind = kind;
    p.display_name = name;
    p.email = email;
    rf_party *party = NULL;
    rf_status rc = rf_party_add(&party, store, &p);
    if (rc != RF_OK) {
        die("adding a party", rc);
    }
    snprintf(id, RF_ID_BUFSIZE, "%s", rf_party_id(party));
    rf_party_free(party);
}

/* One programme; N_REFERRERS clients with a vanity code of the programme each; n_leads leads. */
static void populate(rf_store *store, population *pop, int n_leads)
{
    double t0 = seconds();
    uint64_t rng = SEED;
    rf_program_options po = RF_PROGRAM_OPTIONS_INIT;
    po.name = PROGRAM_NAME;
    po.fraud_action = RF_FRAUD_BLOCK; /* guards on: self, shared contact, existing client, loops */
    po.velocity_cap = 0;              /* ... but no velocity cap */
    rf_program *program = NULL;
    rf_status rc = rf_program_create(&program, store, &po);
    if (rc != RF_OK) {
        die("creating the programme", rc);
    }
    snprintf(pop->program_id, sizeof pop->program_id, "%s", rf_program_id(program));
    rf_program_free(program);

    for (long i = 0; i < N_REFERRERS; i++) {
        batch_begin(store, i);
        char id[RF_ID_BUFSIZE];
        add_party(store, RF_PARTY_CLIENT, "client", i, &rng, id);
        rf_code_options c = RF_CODE_OPTIONS_INIT;
        c.style = RF_CODE_VANITY;
        c.program_id = pop->program_id;
        c.channel = RF_CHANNEL_EMAIL;
        rf_code *code = NULL;
        if ((rc = rf_code_issue(&code, store, id, &c)) != RF_OK) {
            die("issuing a code", rc);
        }
        bench_code *bc = &pop->codes[i];
        snprintf(bc->text, sizeof bc->text, "%s", rf_code_text(code));
        if ((rc = rf__code_fold(bc->key, sizeof bc->key, bc->text)) != RF_OK) {
            die("folding a code", rc);
        }
        bc->key_len = (int)strlen(bc->key);
        rf_code_free(code);
        batch_end(store, i, N_REFERRERS);
    }
    for (long i = 0; i < n_leads; i++) {
        batch_begin(store, i);
        add_party(store, RF_PARTY_LEAD, "lead", i, &rng, pop->leads[i]);
        batch_end(store, i, n_leads);
    }
    pop->n_leads = n_leads;
    pop->seconds = seconds() - t0;
}

/* ---- the library's path -------------------------------------------------------------------- */

static void advance(rf_store *store, const char *id, rf_referral_state to)
{
    rf_advance_options a = RF_ADVANCE_OPTIONS_INIT;
    if (to == RF_REFERRAL_SCHEDULED) {
        a.appointment_at = APPOINTMENT_AT;
    }
    rf_status rc = rf_referral_advance(NULL, store, id, to, &a);
    if (rc != RF_OK) {
        die("advancing a referral", rc);
    }
}

/* `count` referrals down the whole path; batched: inside rf_store_begin/commit of BATCH. */
static void library_referrals(stream *s, rf_store *store, const population *pop, long count, int batched)
{
    double t0 = seconds();
    for (long i = 0; i < count; i++) {
        if (batched) {
            batch_begin(store, i);
        }
        const bench_code *bc = &pop->codes[next_random(&s->rng) % N_REFERRERS];
        if (s->next_lead >= pop->n_leads) {
            fprintf(stderr, "bench_referrals: ran out of leads\n");
            exit(1);
        }
        rf_code *code = NULL;
        rf_status rc = rf_code_resolve(&code, store, bc->text);
        if (rc != RF_OK) {
            die("resolving a code", rc);
        }
        s->checksum += (unsigned char)rf_code_owner_id(code)[35];
        rf_code_free(code);

        rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
        o.program_id = pop->program_id;
        o.referee_id = pop->leads[s->next_lead++];
        o.code = bc->text;
        rf_referral *r = NULL;
        if ((rc = rf_referral_create(&r, store, &o)) != RF_OK) {
            die("creating a referral", rc);
        }
        char id[RF_ID_BUFSIZE];
        snprintf(id, sizeof id, "%s", rf_referral_id(r));
        rf_referral_free(r);
        advance(store, id, RF_REFERRAL_ACCEPTED);
        advance(store, id, RF_REFERRAL_SCHEDULED);
        advance(store, id, RF_REFERRAL_SEEN);
        advance(store, id, RF_REFERRAL_CLOSED);
        if (batched) {
            batch_end(store, i, count);
        }
    }
    s->elapsed += seconds() - t0;
    s->done += count;
}

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

enum raw_stmt {
    RAW_BEGIN,
    RAW_COMMIT,
    RAW_CODE_GET,
    RAW_REFERRAL_INSERT,
    RAW_CODE_USES,
    RAW_JOURNAL,
    RAW_ACCEPT,
    RAW_SCHEDULE,
    RAW_SEE,
    RAW_CLOSE,
    RAW_PARTY_CLIENT,
    RAW_COUNT
};

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

typedef struct raw_db {
    sqlite3 *db;
    sqlite3_stmt *st[RAW_COUNT];
    rf_rng rng;
    rf_id_gen ids;
} raw_db;

static void raw_exec(raw_db *r, const char *sql)
{
    if (sqlite3_exec(r->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        die_sqlite(r->db, sql);
    }
}

/* The second file, with the connection settings the SQLite backend gives its own. */
static void raw_open(raw_db *r, const char *path)
{
    memset(r, 0, sizeof *r);
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        die_sqlite(r->db, "opening the raw database");
    }
    sqlite3_busy_timeout(r->db, 5000);
    raw_exec(r, "PRAGMA journal_mode = WAL");
    raw_exec(r, "PRAGMA synchronous = NORMAL");
    raw_exec(r, "PRAGMA cache_size = " RAW_CACHE_SIZE);
    for (int i = 0; i < RAW_COUNT; i++) {
        if (sqlite3_prepare_v3(r->db, raw_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &r->st[i], NULL) !=
            SQLITE_OK) {
            fprintf(stderr, "bench_referrals: raw SQL: %s\n", raw_sql[i]);
            die_sqlite(r->db, "preparing a raw statement");
        }
    }
    rf__rng_seed(&r->rng, RAW_SEED);
}

static void raw_close(raw_db *r)
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
        die_sqlite(r->db, what);
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
    sqlite3_bind_text(st, 1, PRACTICE, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, subject, -1, SQLITE_STATIC);
    if (object != NULL) {
        sqlite3_bind_text(st, 4, object, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, 4);
    }
    sqlite3_bind_text(st, 5, data, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, FIXED_NOW);
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
    sqlite3_bind_text(st, 1, PRACTICE, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, to);
    sqlite3_bind_int64(st, 4, FIXED_NOW);
    if (which == RAW_SCHEDULE) {
        sqlite3_bind_int64(st, 5, APPOINTMENT_AT);
    }
    raw_run(r, st, "updating a referral");
    raw_journal(r, "referral.advanced", id, referrer, data);
}

static void raw_referrals(stream *s, raw_db *r, const population *pop, long count, int batched)
{
    double t0 = seconds();
    for (long i = 0; i < count; i++) {
        if (batched && i % BATCH == 0) {
            raw_tx(r, RAW_BEGIN);
        }
        const bench_code *bc = &pop->codes[next_random(&s->rng) % N_REFERRERS];
        if (s->next_lead >= pop->n_leads) {
            fprintf(stderr, "bench_referrals: ran out of leads\n");
            exit(1);
        }
        const char *lead = pop->leads[s->next_lead++];

        /* Resolve: the code's id, owner, channel and uses, by its folded key. */
        char code_id[RF_ID_BUFSIZE], owner[RF_ID_BUFSIZE];
        sqlite3_stmt *st = r->st[RAW_CODE_GET];
        sqlite3_bind_text(st, 1, PRACTICE, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, bc->key, bc->key_len, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW) {
            die_sqlite(r->db, "looking up a code");
        }
        snprintf(code_id, sizeof code_id, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(owner, sizeof owner, "%s", (const char *)sqlite3_column_text(st, 1));
        int channel = sqlite3_column_int(st, 2);
        int uses = sqlite3_column_int(st, 3);
        sqlite3_reset(st);
        s->checksum += (unsigned char)owner[35];

        /* Create: the referral, its journal row, the code's use and its journal row. */
        char id[RF_ID_BUFSIZE], evidence[64], data[32];
        rf__id_new(id, &r->ids, &r->rng, FIXED_NOW);
        snprintf(evidence, sizeof evidence, "code=%s", code_id);
        raw_call_begin(r, batched);
        st = r->st[RAW_REFERRAL_INSERT];
        sqlite3_bind_text(st, 1, PRACTICE, -1, SQLITE_STATIC);
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
        sqlite3_bind_int64(st, 13, FIXED_NOW);
        raw_run(r, st, "inserting a referral");
        raw_journal(r, "referral.received", id, owner, "direction=INBOUND;source=CODE;flags=0");
        st = r->st[RAW_CODE_USES];
        sqlite3_bind_text(st, 1, PRACTICE, -1, SQLITE_STATIC);
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
        sqlite3_bind_text(st, 1, PRACTICE, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, lead, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, RF_PARTY_CLIENT);
        sqlite3_bind_int64(st, 4, FIXED_NOW);
        raw_run(r, st, "making the lead a client");
        raw_journal(r, "party.updated", lead, NULL, "fields=first_visit_at,kind");
        raw_call_end(r, batched);
        if (batched && batch_ends(i, count)) {
            raw_tx(r, RAW_COMMIT);
        }
    }
    s->elapsed += seconds() - t0;
    s->done += count;
}

/* ---- copying and comparing the files (untimed) ------------------------------------------------ */

/* Page for page, so both files start with the same layout as well as the same rows. */
static void copy_database(const char *from, const char *to)
{
    sqlite3 *src = NULL, *dst = NULL;
    if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        die_sqlite(src, "opening the library's database to copy it");
    }
    if (sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        die_sqlite(dst, "creating the raw database");
    }
    sqlite3_backup *bk = sqlite3_backup_init(dst, "main", src, "main");
    if (bk == NULL || sqlite3_backup_step(bk, -1) != SQLITE_DONE || sqlite3_backup_finish(bk) != SQLITE_OK) {
        die_sqlite(dst, "copying the database");
    }
    sqlite3_close(src);
    sqlite3_close(dst);
}

static long query_count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        fprintf(stderr, "bench_referrals: verification SQL: %s\n", sql);
        die_sqlite(db, "verifying");
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
        die_sqlite(db, "listing columns");
    }
    snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* The raw loop must have written what the library wrote: the same rows in
 * every table, the referrals' own ids (and the journal's references to them) aside. */
static void verify_same_rows(long expected_referrals)
{
    sqlite3 *db = NULL;
    char attach[4400];
    snprintf(attach, sizeof attach, "ATTACH DATABASE 'file:%s?mode=ro' AS raw", raw_path);
    if (sqlite3_open_v2(lib_path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK ||
        sqlite3_exec(db, attach, NULL, NULL, NULL) != SQLITE_OK) {
        die_sqlite(db, "opening the two databases to compare them");
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

/* ---- main ------------------------------------------------------------------------------------ */

static void population_init(population *pop, int n_leads)
{
    memset(pop, 0, sizeof *pop);
    pop->codes = xcalloc(N_REFERRERS, sizeof *pop->codes);
    pop->leads = xcalloc((size_t)n_leads, sizeof *pop->leads);
}

static void population_free(population *pop)
{
    free(pop->codes);
    free(pop->leads);
}

int main(void)
{
    const char *build_type = RF_BENCH_BUILD_TYPE;
    printf("libreferral %s referral write-path benchmark (build type: %s; SQLite %s)\n", rf_version_string(),
           build_type[0] != '\0' ? build_type : "unknown", sqlite3_libversion());
    if (strcmp(build_type, "Release") != 0 && strcmp(build_type, "RelWithDebInfo") != 0) {
        printf("WARNING: not an optimised build; figures are not representative\n");
    }
#ifdef RF_BENCH_SANITIZED
    printf("WARNING: built with sanitizers; figures are not representative\n");
#endif
    printf(
        "path per referral: rf_code_resolve, rf_referral_create (.code), rf_referral_advance to ACCEPTED,\n"
        "SCHEDULED, SEEN, CLOSED; one programme (fraud guards on, no velocity cap), %d referrers with a\n"
        "vanity code each, a fresh lead per referral; fixed clock and seeds\n",
        N_REFERRERS);

    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/rf-bench-XXXXXX", base != NULL && base[0] != '\0' ? base : "/tmp");
    if (mkdtemp(tmp_dir) == NULL) {
        perror("bench_referrals: creating a temporary directory");
        return 1;
    }
    atexit(remove_temp_files);
    snprintf(lib_path, sizeof lib_path, "%s/library.db", tmp_dir);
    snprintf(raw_path, sizeof raw_path, "%s/raw.db", tmp_dir);
    double start = seconds();

    /* ---- SQLite file backend ---- */
    population pop;
    population_init(&pop, SQL_LEADS);
    char uri[4300];
    snprintf(uri, sizeof uri, "sqlite:%s", lib_path);
    rf_store *store = open_store(uri);
    populate(store, &pop, SQL_LEADS);
    /* The library's connection stays open; WAL lets the copy read alongside it. */
    copy_database(lib_path, raw_path);
    printf("\nSQLite file backend (WAL, synchronous = NORMAL); databases in %s\n", tmp_dir);
    printf("  setup: %d referrers and codes, %d leads in %.1f s (untimed), copied to a second file\n",
           N_REFERRERS, SQL_LEADS, pop.seconds);

    raw_db raw;
    raw_open(&raw, raw_path);
    stream lib_s, raw_s, lib_u, raw_u;
    stream_init(&lib_s);
    stream_init(&raw_s);
    library_referrals(&lib_s, store, &pop, SQL_WARMUP, 1);
    raw_referrals(&raw_s, &raw, &pop, SQL_WARMUP, 1);
    /* Both streams continue from here: the warm-up's leads are used up on both sides. */
    lib_s.done = raw_s.done = 0;
    lib_s.elapsed = raw_s.elapsed = 0;
    for (int round = 0; round < SQL_BATCHED_ROUNDS; round++) {
        library_referrals(&lib_s, store, &pop, SQL_BATCHED / SQL_BATCHED_ROUNDS, 1);
        raw_referrals(&raw_s, &raw, &pop, SQL_BATCHED / SQL_BATCHED_ROUNDS, 1);
    }
    lib_u = lib_s;
    raw_u = raw_s;
    lib_u.done = raw_u.done = 0;
    lib_u.elapsed = raw_u.elapsed = 0;
    for (int round = 0; round < SQL_UNBATCHED_ROUNDS; round++) {
        library_referrals(&lib_u, store, &pop, SQL_UNBATCHED / SQL_UNBATCHED_ROUNDS, 0);
        raw_referrals(&raw_u, &raw, &pop, SQL_UNBATCHED / SQL_UNBATCHED_ROUNDS, 0);
    }
    raw_close(&raw);
    rf_store_free(store);
    if (lib_u.checksum != raw_u.checksum) {
        fprintf(stderr, "bench_referrals: the library and the raw loop resolved different owners\n");
        return 1;
    }
    verify_same_rows(SQL_LEADS);

    char how[64];
    snprintf(how, sizeof how, "transactions of %d", BATCH);
    print_rate("(a) library, batched", &lib_s, how);
    print_rate("    raw SQLite, batched", &raw_s, how);
    print_ratio("    library / raw SQLite", &lib_s, &raw_s);
    print_rate("(b) library, unbatched", &lib_u, "one transaction per call");
    print_rate("    raw SQLite, unbatched", &raw_u, "one transaction per call");
    print_ratio("    library / raw SQLite", &lib_u, &raw_u);
    printf("  raw loop checked: same rows as the library in every table (referral ids aside)\n");
    printf("  %-34s %10.1f MiB\n", "peak RSS so far", peak_rss_mib());
    population_free(&pop);

    /* ---- memory backend ---- */
    population_init(&pop, MEM_LEADS);
    store = open_store("memory:");
    populate(store, &pop, MEM_LEADS);
    printf("\nMemory backend\n");
    printf("  setup: %d referrers and codes, %d leads in %.1f s (untimed)\n", N_REFERRERS, MEM_LEADS,
           pop.seconds);
    stream mem_s, mem_u;
    stream_init(&mem_s);
    library_referrals(&mem_s, store, &pop, MEM_WARMUP, 1);
    mem_s.done = 0;
    mem_s.elapsed = 0;
    library_referrals(&mem_s, store, &pop, MEM_BATCHED, 1);
    mem_u = mem_s;
    mem_u.done = 0;
    mem_u.elapsed = 0;
    library_referrals(&mem_u, store, &pop, MEM_UNBATCHED, 0);
    print_rate("(a) library, batched", &mem_s, how);
    print_rate("(b) library, unbatched", &mem_u, "one transaction per call");
    printf("  %-34s %10.1f MiB\n", "peak RSS (whole run)", peak_rss_mib());
    rf_store_free(store);
    population_free(&pop);

    printf("\ntotal time %.1f s (checksums %u %u %u)\n", seconds() - start, lib_u.checksum, raw_u.checksum,
           mem_u.checksum);
    return 0;
}
