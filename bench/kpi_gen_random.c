/*
 * kpi_gen_random.c: chance, delays, working hours, the event queue and slot pools.
 */
#include "kpi_gen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- chance ------------------------------------------------------------------------------------ */

/* splitmix64: tiny, and a fixed seed gives a fixed sequence on every platform. */
uint64_t kpi_next(kpi_rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double kpi_unit(kpi_rng *r)
{
    return (double)(kpi_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

int kpi_chance(kpi_rng *r, double p)
{
    return kpi_unit(r) < p;
}

long kpi_below(kpi_rng *r, long n)
{
    return n > 0 ? (long)(kpi_next(r) % (uint64_t)n) : 0;
}

/* Box-Muller from two draws; only one of the pair is used, so every call
 * takes exactly two draws and the sequence does not depend on history. */
static double gaussian(kpi_rng *r)
{
    double u1 = kpi_unit(r), u2 = kpi_unit(r);
    return sqrt(-2.0 * log(1.0 - u1)) * cos(6.283185307179586 * u2);
}

double kpi_lognormal(kpi_rng *r, double median, double sigma)
{
    return median * exp(sigma * gaussian(r));
}

rf_time kpi_delay(kpi_rng *r, rf_time median, double sigma)
{
    double d = kpi_lognormal(r, (double)median, sigma);
    return d < 60.0 ? 60 : d > 400.0 * 86400.0 ? 400 * 86400 : (rf_time)d;
}

int kpi_pick(kpi_rng *r, const double *weights, int n)
{
    double total = 0;
    for (int i = 0; i < n; i++) {
        total += weights[i];
    }
    double x = kpi_unit(r) * total;
    for (int i = 0; i < n; i++) {
        if (x < weights[i]) {
            return i;
        }
        x -= weights[i];
    }
    return n - 1;
}

/* ---- the calendar (UTC: the practice's clock) ---------------------------------------------------- */

int kpi_weekday(rf_time t)
{
    /* 1970-01-01 was a Thursday (3 counting from Monday = 0). */
    return (int)(((t / KPI_DAY) + 3) % 7);
}

rf_time kpi_working(rf_time t)
{
    for (;;) {
        rf_time day = t - t % KPI_DAY, hour = (t % KPI_DAY) / KPI_HOUR;
        if (kpi_weekday(t) >= 5 || hour >= 18) {
            t = day + KPI_DAY + 8 * KPI_HOUR;
        } else if (hour < 8) {
            t = day + 8 * KPI_HOUR;
        } else {
            return t;
        }
    }
}

rf_time kpi_slot(rf_time t)
{
    t += 1799;
    t -= t % 1800;
    for (;;) {
        rf_time day = t - t % KPI_DAY, minute = (t % KPI_DAY) / 60;
        int wd = kpi_weekday(t), close = wd == 5 ? 12 * 60 : 17 * 60 + 30;
        if (wd == 6 || minute > close) {
            t = day + KPI_DAY + 8 * KPI_HOUR;
        } else if (minute < 8 * 60) {
            t = day + 8 * KPI_HOUR;
        } else {
            return t;
        }
    }
}

void kpi_date(char *out, size_t size, rf_time t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, size, "%Y-%m-%d", &tm);
}

/* ---- the event queue: a binary min-heap on (time, sequence) -------------------------------------- */

static int before(const kpi_event *a, const kpi_event *b)
{
    return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

void kpi_queue_push(kpi_queue *q, rf_time at, int kind, uint32_t index)
{
    if (q->count == q->cap) {
        q->cap = q->cap != 0 ? q->cap * 2 : 4096;
        kpi_event *items = realloc(q->items, q->cap * sizeof *items);
        if (items == NULL) {
            fprintf(stderr, "kpi_generate: out of memory\n");
            exit(1);
        }
        q->items = items;
    }
    kpi_event e = {at, q->seq++, (uint32_t)kind, index};
    size_t i = q->count++;
    while (i > 0 && before(&e, &q->items[(i - 1) / 2])) {
        q->items[i] = q->items[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    q->items[i] = e;
}

int kpi_queue_pop(kpi_queue *q, kpi_event *out)
{
    if (q->count == 0) {
        return 0;
    }
    *out = q->items[0];
    kpi_event last = q->items[--q->count];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= q->count) {
            break;
        }
        if (c + 1 < q->count && before(&q->items[c + 1], &q->items[c])) {
            c++;
        }
        if (!before(&q->items[c], &last)) {
            break;
        }
        q->items[i] = q->items[c];
        i = c;
    }
    if (q->count > 0) {
        q->items[i] = last;
    }
    return 1;
}

void kpi_queue_free(kpi_queue *q)
{
    free(q->items);
    memset(q, 0, sizeof *q);
}

/* ---- slot pools ------------------------------------------------------------------------------------ */

void kpi_pool_init(kpi_pool *p, size_t size)
{
    memset(p, 0, sizeof *p);
    p->size = size;
}

uint32_t kpi_pool_take(kpi_pool *p)
{
    uint32_t i;
    if (p->nfree > 0) {
        i = p->free_list[--p->nfree];
    } else {
        if (p->count == p->cap) {
            p->cap = p->cap != 0 ? p->cap * 2 : 1024;
            unsigned char *items = realloc(p->items, p->cap * p->size);
            if (items == NULL) {
                fprintf(stderr, "kpi_generate: out of memory\n");
                exit(1);
            }
            p->items = items;
        }
        i = (uint32_t)p->count++;
    }
    memset(p->items + (size_t)i * p->size, 0, p->size);
    if (++p->in_use > p->peak) {
        p->peak = p->in_use;
    }
    return i;
}

void *kpi_pool_at(const kpi_pool *p, uint32_t i)
{
    return p->items + (size_t)i * p->size;
}

void kpi_pool_give(kpi_pool *p, uint32_t i)
{
    if (p->nfree == p->free_cap) {
        p->free_cap = p->free_cap != 0 ? p->free_cap * 2 : 1024;
        uint32_t *list = realloc(p->free_list, p->free_cap * sizeof *list);
        if (list == NULL) {
            fprintf(stderr, "kpi_generate: out of memory\n");
            exit(1);
        }
        p->free_list = list;
    }
    p->free_list[p->nfree++] = i;
    p->in_use--;
}

void kpi_pool_free(kpi_pool *p)
{
    free(p->items);
    free(p->free_list);
    memset(p, 0, sizeof *p);
}
