/* Random numbers, time-ordered ids and contact keys. */
#include "util/ids.h"

#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void rf__rng_seed(rf_rng *rng, uint64_t seed)
{
    if (seed == 0) {
        uuid_t u;
        uuid_generate_random(u);
        memcpy(&seed, u, sizeof seed);
        seed |= 1; /* never 0 again */
    }
    for (int i = 0; i < 4; i++) {
        rng->s[i] = splitmix64(&seed);
    }
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t rf__rng_next(rf_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

void rf__id_new(char out[RF_ID_BUFSIZE], rf_id_gen *gen, rf_rng *rng, rf_time now)
{
    uint64_t ms = now > 0 ? (uint64_t)now * 1000u : 0;
    if (ms <= gen->last_ms) {
        /* Same (or an earlier) millisecond: count up; when the counter is
         * spent, borrow the next millisecond so ids keep increasing. */
        ms = gen->last_ms;
        if (++gen->counter > 0xfff) {
            ms++;
            gen->counter = (uint32_t)(rf__rng_next(rng) & 0x3ff);
        }
    } else {
        /* Start low in the counter space so a burst has room to count up. */
        gen->counter = (uint32_t)(rf__rng_next(rng) & 0x3ff);
    }
    gen->last_ms = ms;

    uint64_t r = rf__rng_next(rng);
    uuid_t u;
    for (int i = 0; i < 6; i++) {
        u[i] = (unsigned char)(ms >> (40 - 8 * i));
    }
    u[6] = (unsigned char)(0x70 | ((gen->counter >> 8) & 0x0f));
    u[7] = (unsigned char)(gen->counter & 0xff);
    u[8] = (unsigned char)(0x80 | ((r >> 56) & 0x3f));
    for (int i = 9; i < 16; i++) {
        u[i] = (unsigned char)(r >> (8 * (15 - i)));
    }
    uuid_unparse_lower(u, out);
}

/* Namespace of libreferral's contact keys (a fixed, random UUID). */
static const char contact_namespace[] = "4d0b7a52-8e1f-4c3a-9b6d-2f5e7c9a1b30";

void rf__contact_key(char out[RF_ID_BUFSIZE], const char *practice, const char *kind, const char *normalised)
{
    uuid_t ns, key;
    char name[RF_LABEL_MAX + RF_EMAIL_MAX + 16];
    uuid_parse(contact_namespace, ns);
    int n = snprintf(name, sizeof name, "%s\n%s\n%s", practice, kind, normalised);
    if (n < 0) {
        n = 0;
    }
    size_t len = (size_t)n < sizeof name ? (size_t)n : sizeof name - 1;
    uuid_generate_sha1(key, ns, name, len);
    uuid_unparse_lower(key, out);
}
