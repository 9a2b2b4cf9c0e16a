/* Internal: random numbers, record ids and pseudonymous contact keys. */
#ifndef RF_UTIL_IDS_H
#define RF_UTIL_IDS_H

#include <stdint.h>

#include "referral/common.h"

/* xoshiro256**: fast, good enough for ids and codes, reproducible from a seed. */
typedef struct rf_rng {
    uint64_t s[4];
} rf_rng;

/* Seed 0 draws the seed from the operating system (through libuuid's random source). */
void rf__rng_seed(rf_rng *rng, uint64_t seed);
uint64_t rf__rng_next(rf_rng *rng);

/* Time-ordered ids (UUIDv7 layout, RFC 9562): 48-bit milliseconds, then a
 * 12-bit counter that keeps ids from one generator increasing within the same
 * millisecond, then 62 random bits. Ordered ids keep B-tree inserts local. */
typedef struct rf_id_gen {
    uint64_t last_ms;
    uint32_t counter;
} rf_id_gen;

void rf__id_new(char out[RF_ID_BUFSIZE], rf_id_gen *gen, rf_rng *rng, rf_time now);

/* The pseudonymous key of a normalised contact: a name-based (SHA-1) UUID of
 * the practice, the contact's kind ("email" or "phone") and its normalised
 * form. The practice is part of the name so that keys cannot be linked across
 * practices. */
void rf__contact_key(char out[RF_ID_BUFSIZE], const char *practice, const char *kind, const char *normalised);

#endif
