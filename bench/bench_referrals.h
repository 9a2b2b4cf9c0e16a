/* bench_referrals.h: what bench_referrals.c, referrals_raw.c and referrals_verify.c share. */
#ifndef RF_BENCH_REFERRALS_H
#define RF_BENCH_REFERRALS_H

#include "bench_support.h"

#include "util/ids.h" /* rf__id_new: internal, reached through referral_static */

#define N_REFERRERS 20000
#define APPOINTMENT_AT (BENCH_FIXED_NOW + 7 * 86400) /* a week later */

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

/* One side's walk through the work: which referrer's code comes next (the
 * run's sequence, the same on both sides) and which lead presents it. */
typedef struct stream {
    bench_run run; /* the checksum adds up the code owners found */
    int next_lead;
} stream;

/* The raw loop's prepared statements (their SQL is in referrals_raw.c). */
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

typedef struct raw_db {
    sqlite3 *db;
    sqlite3_stmt *st[RAW_COUNT];
    rf_rng rng;
    rf_id_gen ids;
} raw_db;

/* The PostgreSQL section (referrals_pg.c): the library's path on a throw-away
 * database, in the same rounds as the SQLite side. Off without RF_BENCH_POSTGRES. */
typedef struct pg_side {
    int on;
    rf_store *store;
    population pop;
    stream batched, unbatched;
    char settings[512];       /* the server's version and commit settings */
    double round_trip_before; /* microseconds, median, before the timed rounds */
    int analysed;             /* ANALYZEs run, untimed */
} pg_side;

/* ---- bench_referrals.c ---- */

void stream_init(stream *s);
/* The next fresh lead of the population for this stream. */
const char *take_lead(stream *s, const population *pop);
void population_init(population *pop, int n_leads);
void population_free(population *pop);
/* One programme; N_REFERRERS clients with a vanity code of the programme each; n_leads leads (untimed). */
void populate(rf_store *store, population *pop, int n_leads);
/* `count` referrals down the whole path; batched: inside rf_store_begin/commit of BENCH_BATCH. */
void library_referrals(stream *s, rf_store *store, const population *pop, long count, int batched);
/* "  label      12,345 referrals/s  (N referrals, how)" */
void print_rate(const char *label, const stream *s, const char *how);

/* ---- referrals_raw.c: the raw SQLite loop ---- */

/* The second file, with the connection settings the SQLite backend gives its own. */
void raw_open(raw_db *r, const char *path);
void raw_close(raw_db *r);
/* `count` referrals' row writes, as the library makes them; batched: BEGIN/COMMIT around BENCH_BATCH. */
void raw_referrals(stream *s, raw_db *r, const population *pop, long count, int batched);

/* ---- referrals_verify.c: copying and comparing the files (untimed) ---- */

/* Page for page, so both files start with the same layout as well as the same rows. */
void copy_database(const char *from, const char *to);
/* Exits 1 unless the raw loop wrote what the library wrote (referral ids aside). */
void verify_same_rows(const char *lib_path, const char *raw_path, long expected_referrals);
/* The first column of the first row of `sql` on the SQLite file, as an integer (0 when NULL). */
long long file_query_int(const char *path, const char *sql);

/* ---- referrals_pg.c: the PostgreSQL section ---- */

/* With RF_BENCH_POSTGRES: a throw-away database, a store on it and the
 * population (untimed); pg->on = 1. Without: pg->on = 0, and nothing else. */
void pg_side_open(pg_side *pg, int n_leads);
/* The warm-up on the PostgreSQL store, then ANALYZE (see referrals_pg.c), then
 * the batched stream's clock restarts: what follows is timed. */
void pg_side_warm(pg_side *pg, long count);
/* library_referrals on the PostgreSQL store, when the section is on. */
void pg_side_run(pg_side *pg, stream *s, long count, int batched);
/* Close the store, check the database against the SQLite library's file
 * (exits 1 when they differ), print the section beside the SQLite rates,
 * and drop the database. Without the section: the line saying how to enable it. */
void pg_side_finish(pg_side *pg, const char *lib_path, const stream *sqlite_batched,
                    const stream *sqlite_unbatched);

#endif
