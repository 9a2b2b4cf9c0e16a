/*
 * kpi_generate: write the KPI benchmark's SQLite file (see kpi_generate.h).
 *
 *   kpi_generate [options] PATH|URI [REFERRALS] [SEED]
 *   kpi_generate --smoke [PATH]
 *
 * Run it from a Release build. It prints a line per simulated month, the
 * figures of the run (referrals, write calls by kind, journal events,
 * seconds, file size, peak RSS), then reads the file back and prints the
 * referrals per state, channel and source; it exits 1 if those disagree with
 * what it wrote. --smoke makes 2,000 referrals in a temporary directory,
 * twice, and also checks that both journals have the same digest. A
 * "postgres:CONNINFO dbname=NAME" URI writes the same practice into an
 * empty PostgreSQL database (no read-back there: kpi_gen_verify.c reads
 * SQLite files).
 */
#include "kpi_generate.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmp_dir[4096];
static char tmp_files[2][4200];

static void remove_database(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[4300];
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

static void remove_temporary(void)
{
    for (int i = 0; i < 2; i++) {
        if (tmp_files[i][0] != '\0') {
            remove_database(tmp_files[i]);
        }
    }
    if (tmp_dir[0] != '\0') {
        rmdir(tmp_dir);
    }
}

static int usage(void)
{
    fprintf(stderr,
            "usage: kpi_generate [options] PATH|URI [REFERRALS] [SEED]\n"
            "       kpi_generate --smoke [PATH]\n"
            "  URI            sqlite:PATH, or postgres:CONNINFO dbname=NAME (an empty database)\n"
            "  --referrals N  referrals to make (default %ld)\n"
            "  --seed S       the seed (default %u): the same seed gives the same file\n"
            "  --clients N    base clients (default min(10000, max(200, referrals / 10)))\n"
            "  --drains N     outbox drains per working day: 2 (09:00, 16:00), 1 (09:00, the\n"
            "                 default) or 0 (none: no task sent, no reward released or used)\n"
            "  --no-outbox    the same as --drains 0\n"
            "  --batch N      write calls per transaction (default %d)\n"
            "  --no-verify    do not read the file back at the end\n"
            "  --digest       print a digest of the journal\n"
            "  --force        replace PATH (and its -wal, -shm) if it exists\n"
            "  --quiet        no line per simulated month\n"
            "  --smoke        %ld referrals in a temporary directory (or PATH), twice: verify\n"
            "                 the file and that both runs wrote the same journal\n",
            KPI_GEN_REFERRALS, KPI_GEN_SEED, KPI_GEN_BATCH, KPI_GEN_SMOKE_REFERRALS);
    return 2;
}

static int parse_long(const char *text, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v <= 0) {
        fprintf(stderr, "kpi_generate: '%s' is not a positive number\n", text);
        return 0;
    }
    *out = v;
    return 1;
}

static void temporary_path(char *out, size_t size, int i, const char *name)
{
    if (tmp_dir[0] == '\0') {
        const char *base = getenv("TMPDIR");
        snprintf(tmp_dir, sizeof tmp_dir, "%s/rf-kpi-XXXXXX",
                 base != NULL && base[0] != '\0' ? base : "/tmp");
        if (mkdtemp(tmp_dir) == NULL) {
            perror("kpi_generate: creating a temporary directory");
            exit(1);
        }
        atexit(remove_temporary);
    }
    snprintf(tmp_files[i], sizeof tmp_files[i], "%s/%s", tmp_dir, name);
    snprintf(out, size, "%s", tmp_files[i]);
}

int main(int argc, char **argv)
{
    kpi_gen_options o = {.path = NULL,
                         .referrals = KPI_GEN_REFERRALS,
                         .seed = KPI_GEN_SEED,
                         .clients = 0,
                         .drains = KPI_GEN_DRAINS,
                         .batch = KPI_GEN_BATCH,
                         .progress = 1};
    int verify = 1, digest = 0, force = 0, smoke = 0, positional = 0, referrals_given = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long v = 0;
        if ((strcmp(a, "--referrals") == 0 || strcmp(a, "--seed") == 0 || strcmp(a, "--clients") == 0 ||
             strcmp(a, "--batch") == 0) &&
            i + 1 < argc) {
            if (!parse_long(argv[++i], &v)) {
                return 2;
            }
            if (strcmp(a, "--referrals") == 0) {
                o.referrals = v;
                referrals_given = 1;
            } else if (strcmp(a, "--seed") == 0) {
                o.seed = (uint64_t)v;
            } else if (strcmp(a, "--clients") == 0) {
                o.clients = v > KPI_GEN_CLIENTS_MAX ? KPI_GEN_CLIENTS_MAX : (int)v;
            } else {
                o.batch = v > 1000000 ? 1000000 : (int)v;
            }
        } else if (strcmp(a, "--drains") == 0 && i + 1 < argc) {
            const char *n = argv[++i];
            if (strcmp(n, "0") != 0 && strcmp(n, "1") != 0 && strcmp(n, "2") != 0) {
                return usage();
            }
            o.drains = n[0] - '0';
        } else if (strcmp(a, "--no-outbox") == 0) {
            o.drains = 0;
        } else if (strcmp(a, "--no-verify") == 0) {
            verify = 0;
        } else if (strcmp(a, "--digest") == 0) {
            digest = 1;
        } else if (strcmp(a, "--force") == 0) {
            force = 1;
        } else if (strcmp(a, "--quiet") == 0) {
            o.progress = 0;
        } else if (strcmp(a, "--smoke") == 0) {
            smoke = 1;
        } else if (a[0] == '-') {
            return usage();
        } else if (positional == 0) {
            o.path = a;
            positional++;
        } else if (positional == 1 && parse_long(a, &v)) {
            o.referrals = v;
            referrals_given = 1;
            positional++;
        } else if (positional == 2 && parse_long(a, &v)) {
            o.seed = (uint64_t)v;
            positional++;
        } else {
            return usage();
        }
    }
    char path[4200], again[4200];
    if (smoke) {
        o.referrals = referrals_given ? o.referrals : KPI_GEN_SMOKE_REFERRALS;
        o.progress = 0;
        digest = 1;
        if (o.path == NULL) {
            temporary_path(path, sizeof path, 0, "kpi.db");
            o.path = path;
        }
    } else if (o.path == NULL) {
        return usage();
    }
    const char *file = kpi_generate_file(o.path);
    if (smoke && file == NULL) {
        return usage(); /* the smoke test compares two SQLite files */
    }
    if (file == NULL && (verify || digest)) {
        printf("(no read-back or digest on PostgreSQL: kpi_generate reads SQLite files back)\n");
        verify = digest = 0;
    }
    if (force && file != NULL) {
        remove_database(file);
    }

    kpi_gen_figures fig;
    kpi_generate(&o, &fig);
    int failed = verify ? kpi_generate_verify(file, &fig) : 0;
    uint64_t d1 = digest ? kpi_generate_digest(file) : 0;
    if (digest) {
        printf("journal digest %016" PRIx64 "\n", d1);
    }
    if (smoke) {
        /* The same seed again, in a second file: the same journal, event for event. */
        if (tmp_dir[0] != '\0') {
            temporary_path(again, sizeof again, 1, "kpi-again.db");
        } else {
            snprintf(again, sizeof again, "%s.again", o.path);
            remove_database(again);
        }
        kpi_gen_options o2 = o;
        o2.path = again;
        kpi_gen_figures fig2;
        kpi_generate(&o2, &fig2);
        uint64_t d2 = kpi_generate_digest(again);
        if (tmp_dir[0] == '\0') {
            remove_database(again);
        }
        printf("journal digest of the second run %016" PRIx64 ": %s\n", d2,
               d1 == d2 ? "the same (deterministic)" : "DIFFERENT");
        failed |= d1 != d2;
    }
    if (failed) {
        fprintf(stderr, "kpi_generate: the file does not hold what was generated\n");
    }
    return failed ? 1 : 0;
}
