/*
 * kpi_figures.c: a set of named figures, and the comparison of two sets.
 *
 * Both sides of bench_kpi put what they compute here under the same names;
 * the comparison sorts both by name and walks them together. Figures are
 * compared exactly: defined or not, numerator, denominator and the double
 * value bit for bit (both sides divide the same integers the same way),
 * except the two figures that are floating-point by nature (see floating()).
 */
#include "bench_kpi.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add(kpi_figs *s, int defined, int64_t num, int64_t den, double value, const char *fmt, va_list ap)
{
    char name[512];
    vsnprintf(name, sizeof name, fmt, ap);
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (s->v == NULL) {
            bench_die("growing the figure set", RF_ENOMEM);
        }
    }
    kpi_fig *f = &s->v[s->n++];
    f->name = bench_xstrdup(name);
    f->defined = defined;
    f->num = num;
    f->den = den;
    f->value = defined ? value : 0.0;
    s->sorted = 0;
}

void kpi_figs_add(kpi_figs *s, int defined, int64_t num, int64_t den, double value, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(s, defined, num, den, value, fmt, ap);
    va_end(ap);
}

void kpi_figs_rate(kpi_figs *s, int64_t num, int64_t den, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(s, den > 0, num, den, den > 0 ? (double)num / (double)den : 0.0, fmt, ap);
    va_end(ap);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const kpi_fig *)a)->name, ((const kpi_fig *)b)->name);
}

static void sort(kpi_figs *s)
{
    if (!s->sorted) {
        qsort(s->v, s->n, sizeof *s->v, by_name);
        s->sorted = 1;
    }
}

static void show_fig(const char *side, const kpi_fig *f)
{
    if (f->defined) {
        printf("      %-7s %.17g  (%lld / %lld)\n", side, f->value, (long long)f->num, (long long)f->den);
    } else {
        printf("      %-7s not defined  (%lld / %lld)\n", side, (long long)f->num, (long long)f->den);
    }
}

/* Figures that are floating-point by nature (a correlation, a p-value from erfc) may be computed
 * by different, equally good algorithms (Welford's updates in long double, two passes in double):
 * they must agree to 12 significant digits. Everything else is a ratio of the same integers and
 * must agree bit for bit. */
static int floating(const char *name)
{
    static const char *const suffixes[] = {"NPS_REFERRAL_CORRELATION", "P_VALUE"};
    size_t len = strlen(name);
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t n = strlen(suffixes[i]);
        if (len >= n && strcmp(name + len - n, suffixes[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static int same(const kpi_fig *a, const kpi_fig *b)
{
    if (a->defined != b->defined || a->num != b->num || a->den != b->den) {
        return 0;
    }
    if (!a->defined || memcmp(&a->value, &b->value, sizeof a->value) == 0) {
        return 1;
    }
    return floating(a->name) &&
           fabs(a->value - b->value) <= 1e-12 * (fabs(a->value) > 1.0 ? fabs(a->value) : 1.0);
}

long kpi_figs_compare(kpi_figs *lib, kpi_figs *sql, int show, long *both, long *lib_only, long *sql_only)
{
    sort(lib);
    sort(sql);
    long diffs = 0, shown = 0;
    *both = *lib_only = *sql_only = 0;
    size_t i = 0, j = 0;
    while (i < lib->n || j < sql->n) {
        int c = i == lib->n ? 1 : j == sql->n ? -1 : strcmp(lib->v[i].name, sql->v[j].name);
        if (c == 0) {
            ++*both;
            if (!same(&lib->v[i], &sql->v[j])) {
                diffs++;
                if (shown++ < show) {
                    printf("    DIFFERENT %s\n", lib->v[i].name);
                    show_fig("library", &lib->v[i]);
                    show_fig("SQL", &sql->v[j]);
                }
            }
            i++;
            j++;
        } else if (c < 0) {
            /* A name only one side has is a row or figure the other did not produce: a difference. */
            ++*lib_only;
            diffs++;
            if (shown++ < show) {
                printf("    ONLY IN THE LIBRARY %s\n", lib->v[i].name);
                show_fig("library", &lib->v[i]);
            }
            i++;
        } else {
            ++*sql_only;
            diffs++;
            if (shown++ < show) {
                printf("    ONLY IN SQL %s\n", sql->v[j].name);
                show_fig("SQL", &sql->v[j]);
            }
            j++;
        }
    }
    for (size_t k = 1; k < lib->n; k++) {
        if (strcmp(lib->v[k - 1].name, lib->v[k].name) == 0) {
            printf("    (the library's side has %s twice)\n", lib->v[k].name);
        }
    }
    return diffs;
}

void kpi_figs_free(kpi_figs *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].name);
    }
    free(s->v);
    memset(s, 0, sizeof *s);
}
