/* The malloc interposition the out-of-memory cases run under.
 *
 * malloc, calloc, realloc and free are replaced for the whole program, so the backends (and the
 * SQLite library they link) allocate through these. Each forwards to the allocator it replaces:
 * glibc's, which it still provides as __libc_*, or, under AddressSanitizer, the sanitizer's own
 * interceptors, which it exports as __interceptor_* behind weak malloc aliases. Forwarding to
 * the sanitizer keeps its checks (use after free, leaks) on the failure paths the cases reach.
 * Valgrind replaces malloc itself and bypasses these unless run with
 * --soname-synonyms=somalloc=nouserintercepts; oom_hook_ready() then says no. */
#include "oom_hook.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define HOOK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HOOK_ASAN 1
#endif
#endif

#if defined(HOOK_ASAN) && defined(__clang_major__) && __clang_major__ >= 17
/* LLVM 17 renamed the interceptors it exports; nothing here to forward to. */
#define NO_ALLOC_HOOK 1
#endif
#if !defined(__GLIBC__)
#define NO_ALLOC_HOOK 1
#endif

#ifndef NO_ALLOC_HOOK

#ifdef HOOK_ASAN
#define REAL(fn) __interceptor_##fn
#else
#define REAL(fn) __libc_##fn
#endif

extern void *REAL(malloc)(size_t size);
extern void *REAL(calloc)(size_t count, size_t size);
extern void *REAL(realloc)(void *ptr, size_t size);
extern void REAL(free)(void *ptr);

/* Allocations left before every further one fails; negative: none fails. */
static long allocs_left = -1;
static long live_blocks;

static int alloc_fails(void)
{
    if (allocs_left < 0) {
        return 0;
    }
    if (allocs_left == 0) {
        return 1;
    }
    allocs_left--;
    return 0;
}

void *malloc(size_t size)
{
    void *p = alloc_fails() ? NULL : REAL(malloc)(size);
    live_blocks += p != NULL;
    return p;
}

void *calloc(size_t count, size_t size)
{
    void *p = alloc_fails() ? NULL : REAL(calloc)(count, size);
    live_blocks += p != NULL;
    return p;
}

void *realloc(void *ptr, size_t size)
{
    if (alloc_fails()) {
        return NULL;
    }
    void *p = REAL(realloc)(ptr, size);
    if (ptr == NULL && p != NULL) {
        live_blocks++;
    } else if (ptr != NULL && size == 0 && p == NULL) {
        live_blocks--; /* the block was freed */
    }
    return p;
}

void free(void *ptr)
{
    live_blocks -= ptr != NULL;
    REAL(free)(ptr);
}

/* strdup and strndup too: under AddressSanitizer they are intercepted and
 * allocate behind malloc's back (libpq copies its settings with them), so the
 * block count would go negative when those copies are freed. */
char *strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    return p != NULL ? memcpy(p, s, n) : NULL;
}

char *strndup(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    char *p = malloc(n + 1);
    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

int oom_hook_ready(void)
{
    /* Called through a volatile pointer so that the compiler cannot assume malloc succeeds. */
    void *(*volatile probe)(size_t) = malloc;
    allocs_left = 0;
    void *block = probe(1);
    allocs_left = -1;
    if (block != NULL) {
        free(block);
        return 0;
    }
    return 1;
}

void oom_fail_after(long n)
{
    allocs_left = n;
}

long oom_live_blocks(void)
{
    return live_blocks;
}

#else

int oom_hook_ready(void)
{
    return 0;
}

void oom_fail_after(long n)
{
    (void)n;
}

long oom_live_blocks(void)
{
    return 0;
}

#endif
