/* Allocation helpers and rf_free. */
#include "util/memory.h"

#include <stdlib.h>
#include <string.h>

#include "referral/common.h"
#include "util/error.h"

void rf_free(void *ptr)
{
    free(ptr);
}

void *rf__malloc(size_t size)
{
    void *p = malloc(size != 0 ? size : 1);
    if (p == NULL) {
        rf__error_oom();
    }
    return p;
}

void *rf__calloc(size_t count, size_t size)
{
    void *p = calloc(count != 0 ? count : 1, size != 0 ? size : 1);
    if (p == NULL) {
        rf__error_oom();
    }
    return p;
}

char *rf__strdup(const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    size_t n = strlen(s) + 1;
    char *p = rf__malloc(n);
    if (p != NULL) {
        memcpy(p, s, n);
    }
    return p;
}

void *rf__pack(size_t head, size_t n, const size_t *offsets, const char *const *values)
{
    size_t total = head;
    for (size_t i = 0; i < n; i++) {
        if (values[i] != NULL) {
            total += strlen(values[i]) + 1;
        }
    }
    char *block = rf__calloc(1, total);
    if (block == NULL) {
        return NULL;
    }
    char *tail = block + head;
    for (size_t i = 0; i < n; i++) {
        const char *copy = NULL;
        if (values[i] != NULL) {
            size_t len = strlen(values[i]) + 1;
            memcpy(tail, values[i], len);
            copy = tail;
            tail += len;
        }
        memcpy(block + offsets[i], &copy, sizeof copy);
    }
    return block;
}

rf_status rf__reserve(void *items, size_t *cap, size_t count, size_t size)
{
    if (count < *cap) {
        return RF_OK;
    }
    size_t grown = *cap != 0 ? *cap * 2 : 8;
    void **slot = items;
    void *p = realloc(*slot, grown * size);
    if (p == NULL) {
        return rf__error_oom();
    }
    *slot = p;
    *cap = grown;
    return RF_OK;
}

void *rf__pack_record(size_t head, const void *record, size_t record_size, size_t nstrings)
{
    size_t offsets[16];
    const char *values[16];
    if (nstrings > 16 || record_size < nstrings * sizeof(const char *) || head < record_size) {
        return NULL;
    }
    for (size_t i = 0; i < nstrings; i++) {
        offsets[i] = i * sizeof(const char *);
        memcpy(&values[i], (const char *)record + offsets[i], sizeof values[i]);
    }
    char *h = rf__pack(head, nstrings, offsets, values);
    if (h != NULL) {
        size_t strings = nstrings * sizeof(const char *);
        memcpy(h + strings, (const char *)record + strings, record_size - strings);
    }
    return h;
}
