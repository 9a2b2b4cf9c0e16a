/* Every task handed out once, every task sent by the worker it was handed
 * to; every client event and touch a worker recorded is stored once, and a
 * key shared by several workers stands for one event. */
#include <stdlib.h>
#include <string.h>

#include "concurrency.h"

typedef char conc_id[RF_IDEMPOTENCY_KEY_MAX + 1];

static int no_duplicates(conc_id *ids, size_t n, const char *what)
{
    int bad = 0;
    for (size_t i = 1; i < n; i++) {
        if (strcmp(ids[i - 1], ids[i]) == 0) {
            CONC_FAIL(bad, "%s %s appears twice in the workers' logs", what, ids[i]);
        }
    }
    return bad;
}

static int entry_by_text(const void *a, const void *b)
{
    return strcmp((*(const conc_entry *const *)a)->a, (*(const conc_entry *const *)b)->a);
}

/* The worker that was handed task @id, or -1; @h holds the hand-outs sorted by task. */
static int holder(const conc_entry **h, size_t n, const char *id)
{
    conc_entry key;
    snprintf(key.a, sizeof key.a, "%s", id);
    const conc_entry *k = &key, **found = bsearch(&k, h, n, sizeof *h, entry_by_text);
    return found != NULL ? (*found)->worker : -1;
}

static int sent_by_holder(const conc_logs *logs)
{
    int bad = 0;
    size_t n = 0;
    const conc_entry **h = malloc((logs->count + 1) * sizeof *h);
    if (h == NULL) {
        CONC_FAIL(bad, "out of memory");
        return bad;
    }
    for (size_t i = 0; i < logs->count; i++) {
        if (logs->items[i].kind == 'H') {
            h[n++] = &logs->items[i];
        }
    }
    qsort(h, n, sizeof *h, entry_by_text);
    for (size_t i = 0; i < logs->count; i++) {
        const conc_entry *e = &logs->items[i];
        if (e->kind == 'S' && holder(h, n, e->a) != e->worker) {
            CONC_FAIL(bad, "worker %d reported task %s sent, but it was handed to worker %d", e->worker, e->a,
                      holder(h, n, e->a));
        }
    }
    free(h);
    return bad;
}

int conc_check_outbox(rf_store *store, const conc_logs *logs, const conc_journal *j)
{
    int bad = 0;
    size_t handed = 0, sent = 0;
    conc_id *h = conc_logs_ids(logs, 'H', &handed), *s = conc_logs_ids(logs, 'S', &sent);
    bad += no_duplicates(h, handed, "handed-out task");
    bad += no_duplicates(s, sent, "sent task");
    bad += sent_by_holder(logs);
    /* The store: what is SENT is exactly what the workers reported sent; a
     * task handed out and not sent was cancelled under its holder. */
    rf_task_iter *it = NULL;
    rf_task *t = NULL;
    size_t sent_now = 0;
    rf_status rc = rf_task_list(&it, store, NULL);
    while (rc == RF_OK && (rc = rf_task_iter_next(&t, it)) == RF_OK) {
        const char *id = rf_task_id(t);
        rf_task_state state = rf_task_get_state(t);
        int was_sent = conc_ids_have(s, sent, id), was_handed = conc_ids_have(h, handed, id);
        sent_now += state == RF_TASK_SENT;
        if ((state == RF_TASK_SENT) != was_sent) {
            CONC_FAIL(bad, "task %s is %s, and the workers %s it sent", id, rf_task_state_name(state),
                      was_sent ? "reported" : "never reported");
        }
        if (was_handed && !was_sent && state != RF_TASK_CANCELLED) {
            CONC_FAIL(bad, "task %s was handed out, refused as sent, and is %s", id,
                      rf_task_state_name(state));
        }
        rf_task_free(t);
    }
    rf_task_iter_free(it);
    if (rc != RF_ITEROVER) {
        CONC_FAIL(bad, "cannot list tasks: %s", rf_error_last()->message);
    }
    if (sent_now != sent) {
        CONC_FAIL(bad, "%zu tasks are SENT; workers reported %zu", sent_now, sent);
    }
    if (j->leased != (long)handed || j->sent != (long)sent) {
        CONC_FAIL(bad, "the journal has %ld leases and %ld sends; workers were handed %zu and sent %zu",
                  j->leased, j->sent, handed, sent);
    }
    free(h);
    free(s);
    return bad;
}

typedef struct keyed {
    char key[RF_IDEMPOTENCY_KEY_MAX + 1];
    char id[RF_ID_BUFSIZE];
} keyed;

static int by_key(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c != 0 ? c : strcmp(x->id, y->id);
}

/* Each key names one event, whoever recorded or retried it. Fills @ids with
 * the distinct event ids, sorted; returns the problems. */
static int one_event_per_key(const conc_logs *logs, conc_id *ids, size_t *count)
{
    int bad = 0;
    size_t n = 0;
    keyed *rows = malloc((logs->count + 1) * sizeof *rows);
    for (size_t i = 0; rows != NULL && i < logs->count; i++) {
        if (logs->items[i].kind == 'E') {
            memcpy(rows[n].key, logs->items[i].a, sizeof rows[n].key);
            memcpy(rows[n].id, logs->items[i].b, sizeof rows[n].id);
            n++;
        }
    }
    if (rows != NULL) {
        qsort(rows, n, sizeof *rows, by_key);
    }
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(rows[i - 1].key, rows[i].key) == 0) {
            if (strcmp(rows[i - 1].id, rows[i].id) != 0) {
                CONC_FAIL(bad, "key %s gave events %s and %s", rows[i].key, rows[i - 1].id, rows[i].id);
            }
            continue;
        }
        snprintf(ids[(*count)++], sizeof ids[0], "%s", rows[i].id);
    }
    qsort(ids, *count, sizeof ids[0], conc_by_text);
    bad += no_duplicates(ids, *count, "event id (under two keys)");
    free(rows);
    return bad;
}

int conc_check_events(rf_store *store, const conc_logs *logs, const conc_journal *j)
{
    int bad = 0;
    size_t logged = 0, stored = 0;
    conc_id *ids = malloc((logs->count + 1) * sizeof *ids);
    if (ids == NULL) {
        CONC_FAIL(bad, "out of memory");
        return bad;
    }
    bad += one_event_per_key(logs, ids, &logged);
    rf_client_event_iter *it = NULL;
    rf_client_event *e = NULL;
    rf_status rc = rf_client_event_list(&it, store, NULL);
    while (rc == RF_OK && (rc = rf_client_event_iter_next(&e, it)) == RF_OK) {
        stored++;
        if (!conc_ids_have(ids, logged, rf_client_event_id(e))) {
            CONC_FAIL(bad, "event %s is in the store but no worker recorded it", rf_client_event_id(e));
        }
        rf_client_event_free(e);
    }
    rf_client_event_iter_free(it);
    if (rc != RF_ITEROVER) {
        CONC_FAIL(bad, "cannot list client events: %s", rf_error_last()->message);
    }
    /* With no stranger in the store, equal counts mean none was lost. */
    if (stored != logged || j->client_events != (long)logged) {
        CONC_FAIL(bad, "workers recorded %zu events; the store holds %zu and the journal %ld", logged, stored,
                  j->client_events);
    }
    free(ids);
    size_t touches = 0;
    conc_id *u = conc_logs_ids(logs, 'U', &touches);
    bad += no_duplicates(u, touches, "touch");
    if (j->touches != (long)touches) {
        CONC_FAIL(bad, "workers recorded %zu touches; the journal holds %ld", touches, j->touches);
    }
    free(u);
    return bad;
}
