/* Reading the workers' logs back in the parent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concurrency.h"

int conc_by_text(const void *a, const void *b)
{
    return strcmp(a, b);
}

static conc_entry *append(conc_logs *logs)
{
    if (logs->count == logs->cap) {
        size_t cap = logs->cap != 0 ? logs->cap * 2 : 4096;
        conc_entry *items = realloc(logs->items, cap * sizeof *items);
        if (items == NULL) {
            return NULL;
        }
        logs->items = items;
        logs->cap = cap;
    }
    conc_entry *e = &logs->items[logs->count++];
    memset(e, 0, sizeof *e);
    return e;
}

/* One line; 0 when it parses. */
static int parse(conc_logs *logs, int worker, const char *line)
{
    char kind = line[0], a[RF_IDEMPOTENCY_KEY_MAX + 1] = "", b[RF_ID_BUFSIZE] = "";
    long n1 = 0, n2 = 0;
    switch (kind) {
    case 'C': {
        int op = -1, status = 1;
        if (sscanf(line, "C %d %d %ld", &op, &status, &n1) != 3 || op < 0 || op >= CONC_OP_COUNT ||
            status > 0 || -status >= CONC_STATUS_SLOTS) {
            return -1;
        }
        logs->tally[op][-status] += n1;
        return 0;
    }
    case 'B':
        if (sscanf(line, "B %ld", &n1) != 1) {
            return -1;
        }
        logs->busy += n1;
        return 0;
    case 'P':
        if (sscanf(line, "P %ld %ld", &n1, &n2) != 2) {
            return -1;
        }
        break;
    case 'R':
    case 'D':
        if (sscanf(line + 1, " %128s %ld", a, &n1) != 2) {
            return -1;
        }
        break;
    case 'E':
        if (sscanf(line + 1, " %128s %36s", a, b) != 2) {
            return -1;
        }
        break;
    case 'A':
    case 'G':
    case 'U':
    case 'H':
    case 'S':
        if (sscanf(line + 1, " %128s", a) != 1) {
            return -1;
        }
        break;
    default: return -1;
    }
    conc_entry *e = append(logs);
    if (e == NULL) {
        return -1;
    }
    e->kind = kind;
    e->worker = worker;
    memcpy(e->a, a, sizeof e->a);
    memcpy(e->b, b, sizeof e->b);
    e->n1 = n1;
    e->n2 = n2;
    return 0;
}

int conc_logs_read(conc_logs *logs, const conc_world *w)
{
    memset(logs, 0, sizeof *logs);
    for (int i = 0; i < CONC_WORKERS; i++) {
        FILE *in = fopen(w->log_path[i], "r");
        if (in == NULL) {
            printf("cannot read %s\n", w->log_path[i]);
            return -1;
        }
        char line[300];
        while (fgets(line, sizeof line, in) != NULL) {
            line[strcspn(line, "\n")] = '\0';
            if (parse(logs, i, line) != 0) {
                printf("worker %d's log has a bad line: '%s'\n", i, line);
                fclose(in);
                return -1;
            }
        }
        fclose(in);
    }
    return 0;
}

void conc_logs_free(conc_logs *logs)
{
    free(logs->items);
    memset(logs, 0, sizeof *logs);
}

char (*conc_logs_ids(const conc_logs *logs, char kind, size_t *count))[RF_IDEMPOTENCY_KEY_MAX + 1]
{
    size_t n = 0;
    for (size_t i = 0; i < logs->count; i++) {
        n += logs->items[i].kind == kind;
    }
    char(*ids)[RF_IDEMPOTENCY_KEY_MAX + 1] = malloc((n != 0 ? n : 1) * sizeof *ids);
    if (ids == NULL) {
        *count = 0;
        return NULL;
    }
    n = 0;
    for (size_t i = 0; i < logs->count; i++) {
        if (logs->items[i].kind == kind) {
            memcpy(ids[n++], logs->items[i].a, sizeof ids[0]);
        }
    }
    qsort(ids, n, sizeof ids[0], conc_by_text);
    *count = n;
    return ids;
}
