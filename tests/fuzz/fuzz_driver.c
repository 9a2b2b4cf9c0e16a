/* A plain main for a libFuzzer harness, so that ctest runs it under gcc (and
 * the sanitizers of an RF_SANITIZE build) without clang's libFuzzer. It feeds
 * LLVMFuzzerTestOneInput a fixed-seed stream of generated hostile inputs,
 * then every file under the directories (or the files) named on the command
 * line. A property the harness checks fails by abort(), which fails the test.
 *
 *   fuzz_template [-n COUNT] [-s SEED] [corpus-dir-or-file ...]
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng_state;

static uint64_t next_random(void)
{
    /* xorshift64*: small, fast and the same everywhere. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t below(size_t n)
{
    return n == 0 ? 0 : (size_t)(next_random() % n);
}

/* Pieces that make scanners stumble: braces in every arrangement, quotes,
 * bars, line ends, controls, and UTF-8 both valid and broken (truncated,
 * overlong, surrogate, past U+10FFFF, stray continuation). */
static const char *const pieces[] = {"{{",
                                     "}}",
                                     "{",
                                     "}",
                                     "{{{",
                                     "}}}",
                                     " ",
                                     "  ",
                                     "a",
                                     "a.b",
                                     "referrer.first_name",
                                     "code.link",
                                     ".",
                                     "..",
                                     "_",
                                     "|",
                                     "||",
                                     "\"",
                                     "\"\"",
                                     "\n",
                                     "\t",
                                     "\r",
                                     "\x01",
                                     "\x7F",
                                     "\xC2\x85",
                                     "Hi ",
                                     "<b>",
                                     "&amp;",
                                     "'",
                                     "\xC3\xA9",
                                     "\xE2\x82\xAC",
                                     "\xF0\x9F\x98\x80",
                                     "\xC3",
                                     "\xE2\x82",
                                     "\xF0\x9F\x98",
                                     "\xC0\xAF",
                                     "\xED\xA0\x80",
                                     "\xF4\x90\x80\x80",
                                     "\x80",
                                     "\xFF",
                                     "{{a}}",
                                     "{{ a.b }}",
                                     "{{a|a friend}}",
                                     "{{ a | }}",
                                     "{{\"{{\"}}",
                                     "{{\"}}\"}}",
                                     "{{ \"x\" }}",
                                     "{{unknown}}",
                                     "{{a b}}",
                                     "{{a.}}",
                                     "{{.a}}",
                                     "{{}}",
                                     "{{|x}}",
                                     "\\{{",
                                     "{{a|{}}"};

#define PIECE_COUNT (sizeof pieces / sizeof pieces[0])

/* Pieces that join into valid templates more often than not, so that the
 * properties of rendering get exercised as much as those of refusing. */
static const char *const good_pieces[] = {"Hi ",
                                          "a",
                                          " ",
                                          "\n",
                                          "\t",
                                          "\xC3\xA9",
                                          "<b>",
                                          "&",
                                          "'",
                                          "\"",
                                          "{",
                                          "}",
                                          "|",
                                          "{{a}}",
                                          "{{ a.b }}",
                                          "{{a|a friend}}",
                                          "{{ referrer.first_name | }}",
                                          "{{\"{{\"}}",
                                          "{{\"}}\"}}",
                                          "{{ \"x\" }}",
                                          "{{code.link}}",
                                          "{{x_y.z}}",
                                          "{{a|<i>&</i>}}"};

#define GOOD_PIECE_COUNT (sizeof good_pieces / sizeof good_pieces[0])

static size_t random_bytes(uint8_t *buf, size_t cap)
{
    size_t n = below(cap);
    for (size_t i = 0; i < n; i++) {
        buf[i] = (uint8_t)(1 + below(255)); /* NUL-free: the functions take C strings */
    }
    return n;
}

static size_t random_pieces(uint8_t *buf, size_t cap, const char *const *from, size_t from_count)
{
    size_t count = below(from == pieces ? 40 : 20), n = 0;
    for (size_t k = 0; k < count; k++) {
        const char *p = from[below(from_count)];
        size_t len = strlen(p);
        if (n + len > cap) {
            break;
        }
        memcpy(buf + n, p, len);
        n += len;
    }
    return n;
}

/* A generated input changed in a few places: a byte flipped, dropped or doubled. */
static size_t mutate(uint8_t *buf, size_t n, size_t cap)
{
    size_t edits = 1 + below(4);
    for (size_t k = 0; k < edits && n > 0; k++) {
        size_t at = below(n);
        switch (below(3)) {
        case 0: buf[at] = (uint8_t)(1 + below(255)); break;
        case 1:
            memmove(buf + at, buf + at + 1, n - at - 1);
            n--;
            break;
        default:
            if (n < cap) {
                memmove(buf + at + 1, buf + at, n - at);
                n++;
            }
        }
    }
    return n;
}

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long size;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "cannot read %s\n", path);
        if (f != NULL) {
            fclose(f);
        }
        return 1;
    }
    buf = malloc((size_t)size + 1);
    if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", path);
        free(buf);
        fclose(f);
        return 1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, (size_t)size);
    free(buf);
    return 0;
}

static int run_path(const char *path, size_t *files)
{
    struct stat st;
    DIR *dir;
    struct dirent *e;
    int failed = 0;

    if (stat(path, &st) != 0) {
        fprintf(stderr, "cannot read %s\n", path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        ++*files;
        return run_file(path);
    }
    if ((dir = opendir(path)) == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
        return 1;
    }
    while ((e = readdir(dir)) != NULL) {
        char child[4096];
        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        failed |= run_path(child, files);
    }
    closedir(dir);
    return failed;
}

int main(int argc, char **argv)
{
    enum { CAP = 4096 };
    static uint8_t buf[CAP];
    unsigned long count = 20000;
    size_t files = 0;
    int failed = 0, i = 1;

    rng_state = 0x5EED5EED12345678ULL;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (strcmp(argv[i], "-n") == 0) {
            count = strtoul(argv[i + 1], NULL, 10);
        } else if (strcmp(argv[i], "-s") == 0) {
            rng_state = strtoull(argv[i + 1], NULL, 0) | 1;
        } else {
            fprintf(stderr, "usage: %s [-n COUNT] [-s SEED] [corpus-dir-or-file ...]\n", argv[0]);
            return 2;
        }
    }
    for (unsigned long k = 0; k < count; k++) {
        size_t n;
        switch (k % 4) {
        case 0: n = random_bytes(buf, 300); break;
        case 1: n = random_pieces(buf, CAP, pieces, PIECE_COUNT); break;
        case 2: n = random_pieces(buf, CAP, good_pieces, GOOD_PIECE_COUNT); break;
        default: n = mutate(buf, random_pieces(buf, CAP, good_pieces, GOOD_PIECE_COUNT), CAP);
        }
        LLVMFuzzerTestOneInput(buf, n);
    }
    for (; i < argc; i++) {
        failed |= run_path(argv[i], &files);
    }
    printf("%lu generated inputs and %zu corpus files passed\n", count, files);
    return failed;
}
