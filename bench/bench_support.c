/*
 * bench_support.c: what the benchmark programs share (see bench_support.h).
 */
#include "bench_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#ifndef RF_BENCH_BUILD_TYPE
#define RF_BENCH_BUILD_TYPE ""
#endif

#define MAX_TEMP_FILES 4

static const char *program_name = "bench";
static char tmp_dir[4096];
static char temp_names[MAX_TEMP_FILES][64]; /* of files in tmp_dir */
static size_t n_temp_files;

void bench_start(const char *program, const char *what)
{
    program_name = program;
    const char *build_type = RF_BENCH_BUILD_TYPE;
    printf("libreferral %s %s (build type: %s; SQLite %s)\n", rf_version_string(), what,
           build_type[0] != '\0' ? build_type : "unknown", sqlite3_libversion());
    if (strcmp(build_type, "Release") != 0 && strcmp(build_type, "RelWithDebInfo") != 0) {
        printf("WARNING: not an optimised build; figures are not representative\n");
    }
#ifdef RF_BENCH_SANITIZED
    printf("WARNING: built with sanitizers; figures are not representative\n");
#endif
}

/* ---- the temporary directory ------------------------------------------------------------------ */

static void remove_temp_files(void)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    if (tmp_dir[0] == '\0') {
        return;
    }
    for (size_t f = 0; f < n_temp_files; f++) {
        for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
            char p[sizeof tmp_dir + sizeof temp_names + 16];
            snprintf(p, sizeof p, "%s/%s%s", tmp_dir, temp_names[f], suffixes[i]);
            unlink(p);
        }
    }
    rmdir(tmp_dir);
    tmp_dir[0] = '\0';
}

const char *bench_temp_dir(void)
{
    if (tmp_dir[0] != '\0') {
        return tmp_dir;
    }
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/rf-bench-XXXXXX", base != NULL && base[0] != '\0' ? base : "/tmp");
    if (mkdtemp(tmp_dir) == NULL) {
        char what[128];
        snprintf(what, sizeof what, "%s: creating a temporary directory", program_name);
        perror(what);
        exit(1);
    }
    atexit(remove_temp_files);
    return tmp_dir;
}

void bench_temp_file(char *out, size_t size, const char *name)
{
    if (n_temp_files == MAX_TEMP_FILES || strlen(name) >= sizeof temp_names[0]) {
        fprintf(stderr, "%s: temporary file '%s' not allowed\n", program_name, name);
        exit(1);
    }
    snprintf(temp_names[n_temp_files++], sizeof temp_names[0], "%s", name);
    snprintf(out, size, "%s/%s", bench_temp_dir(), name);
}

/* ---- failing ---------------------------------------------------------------------------------- */

void bench_die(const char *what, rf_status rc)
{
    fprintf(stderr, "%s: %s failed (%s): %s\n", program_name, what, rf_strerror(rc),
            rf_error_last()->message);
    exit(1); /* atexit removes the temporary directory */
}

void bench_die_sqlite(sqlite3 *db, const char *what)
{
    fprintf(stderr, "%s: raw SQLite: %s failed: %s\n", program_name, what,
            db != NULL ? sqlite3_errmsg(db) : "?");
    exit(1);
}

static _Noreturn void out_of_memory(void)
{
    fprintf(stderr, "%s: out of memory\n", program_name);
    exit(1);
}

void *bench_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (p == NULL) {
        out_of_memory();
    }
    return p;
}

char *bench_xstrdup(const char *text)
{
    char *copy = strdup(text);
    if (copy == NULL) {
        out_of_memory();
    }
    return copy;
}

/* ---- the library ------------------------------------------------------------------------------ */

static rf_time fixed_clock(void *ctx)
{
    (void)ctx;
    return BENCH_FIXED_NOW;
}

rf_store *bench_open_store(const char *uri)
{
    rf_store_options opts = RF_STORE_OPTIONS_INIT;
    opts.practice = BENCH_PRACTICE;
    opts.seed = BENCH_SEED;
    rf_store *store = NULL;
    rf_status rc = rf_store_open(&store, uri, &opts);
    if (rc != RF_OK) {
        bench_die("opening the store", rc);
    }
    if ((rc = rf_store_set_clock(store, fixed_clock, NULL)) != RF_OK) {
        bench_die("setting the clock", rc);
    }
    return store;
}

void bench_batch_begin(rf_store *store, long i)
{
    rf_status rc = i % BENCH_BATCH == 0 ? rf_store_begin(store) : RF_OK;
    if (rc != RF_OK) {
        bench_die("beginning a batch", rc);
    }
}

int bench_batch_ends(long i, long n)
{
    return i % BENCH_BATCH == BENCH_BATCH - 1 || i == n - 1;
}

void bench_batch_end(rf_store *store, long i, long n)
{
    rf_status rc = bench_batch_ends(i, n) ? rf_store_commit(store) : RF_OK;
    if (rc != RF_OK) {
        bench_die("committing a batch", rc);
    }
}

int bench_fold(char *key, size_t size, const char *text)
{
    rf_status rc = rf__code_fold(key, size, text);
    if (rc != RF_OK) {
        bench_die("folding a code", rc);
    }
    return (int)strlen(key);
}

void bench_make_name(char *out, size_t size, uint64_t *rng)
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
    uint64_t r = bench_next_random(rng);
    snprintf(out, size, "%s %s", first[r % 32], last[(r >> 8) % 32]);
}

/* ---- time, memory --------------------------------------------------------------------- */

double bench_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The peak RSS of this process image: Linux's VmHWM. Not getrusage's
 * ru_maxrss, which a program started by fork + exec inherits from its parent
 * (the kernel folds the forked copy's high-water mark into it at exec), so a
 * child of a large parent would report the parent's peak as its own. */
double bench_peak_rss_mib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1) {
            break;
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    if (kib < 0) { /* no procfs: the rusage figure, an upper bound */
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        kib = ru.ru_maxrss; /* Linux reports KiB */
    }
    return (double)kib / 1024.0;
}

/* ---- timed streams ---------------------------------------------------------------------------- */

void bench_run_init(bench_run *run)
{
    memset(run, 0, sizeof *run);
    run->rng = BENCH_PICK_SEED;
}

void bench_run_add(bench_run *run, long count, double t0)
{
    run->elapsed += bench_seconds() - t0;
    run->done += count;
}

void bench_run_restart(bench_run *run)
{
    run->done = 0;
    run->elapsed = 0;
}

double bench_run_rate(const bench_run *run)
{
    return (double)run->done / run->elapsed;
}

/* ---- printing --------------------------------------------------------------------------------- */

const char *bench_grouped(char *buf, size_t size, double value)
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

const char *bench_verdict(double value, double target)
{
    return value >= target ? "PASS" : "BELOW";
}
