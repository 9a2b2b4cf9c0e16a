/* Internal: allocation helpers that record RF_ENOMEM on failure. */
#ifndef RF_UTIL_MEMORY_H
#define RF_UTIL_MEMORY_H

#include <stddef.h>

#include "referral/errors.h"

void *rf__malloc(size_t size);
void *rf__calloc(size_t count, size_t size);
/* NULL in, NULL out (not an error). */
char *rf__strdup(const char *s);

/* Allocate one zeroed block of @head bytes followed by copies of @n strings,
 * and point the `const char *` fields at @offsets inside the head at those
 * copies (NULL values stay NULL). One block means one free(), and handles
 * that own their strings cost a single allocation. */
/* A handle that starts with a copy of a backend record whose first @nstrings
 * members are `const char *` (the records of contract version 3 and later
 * put their strings first): one block of @head bytes with those strings
 * copied behind it (NULL stays NULL) and the rest of the record's
 * @record_size bytes copied as they are. NULL (recorded) when out of memory. */
void *rf__pack_record(size_t head, const void *record, size_t record_size, size_t nstrings);

/* Make room for one more item in a growing array: *items holds @count items
 * of @size bytes in room for *cap. RF_OK, or RF_ENOMEM (recorded) with the
 * array as it was. */
rf_status rf__reserve(void *items, size_t *cap, size_t count, size_t size);
void *rf__pack(size_t head, size_t n, const size_t *offsets, const char *const *values);

#endif
