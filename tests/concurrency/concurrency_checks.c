/* The journal as the checks read it, and the referral checks: no lost or
 * phantom referral, and no referee attributed twice. */
#include <stdlib.h>
#include <string.h>

#include "concurrency.h"

/* --- the journal ---------------------------------------------------------------------- */

static rf_referral_state state_named(const char *name, size_t len)
{
    for (int s = 1; s < RF_REFERRAL_STATE_COUNT; s++) {
        const char *n = rf_referral_state_name((rf_referral_state)s);
        if (strlen(n) == len && strncmp(n, name, len) == 0) {
            return (rf_referral_state)s;
        }
    }
    return RF_REFERRAL_STATE_UNSET;
}

/* `from=ACCEPTED;to=SCHEDULED[;...]` → SCHEDULED. */
static rf_referral_state moved_to(const char *data)
{
    const char *to = data != NULL ? strstr(data, "to=") : NULL;
    if (to == NULL) {
        return RF_REFERRAL_STATE_UNSET;
    }
    to += 3;
    return state_named(to, strcspn(to, ";"));
}

static int add_move(conc_journal *j, const rf_event *ev)
{
    if (j->move_count == j->move_cap) {
        size_t cap = j->move_cap != 0 ? j->move_cap * 2 : 1024;
        conc_move *moves = realloc(j->moves, cap * sizeof *moves);
        if (moves == NULL) {
            return -1;
        }
        j->moves = moves;
        j->move_cap = cap;
    }
    conc_move *m = &j->moves[j->move_count++];
    snprintf(m->referral, sizeof m->referral, "%s", rf_event_subject_id(ev));
    snprintf(m->referrer, sizeof m->referrer, "%s", rf_event_object_id(ev) ? rf_event_object_id(ev) : "");
    m->to = moved_to(rf_event_data(ev));
    return m->to != RF_REFERRAL_STATE_UNSET ? 0 : -1;
}

static int count_event(conc_journal *j, const rf_event *ev)
{
    static const struct {
        const char *type;
        size_t offset;
    } counted[] = {
        {RF_EVENT_REFERRAL_RECEIVED, offsetof(conc_journal, received)},
        {RF_EVENT_ATTRIBUTION_REFUSED, offsetof(conc_journal, refused)},
        {RF_EVENT_TOUCH_RECORDED, offsetof(conc_journal, touches)},
        {RF_EVENT_CLIENT_EVENT, offsetof(conc_journal, client_events)},
        {RF_EVENT_TASK_LEASED, offsetof(conc_journal, leased)},
        {RF_EVENT_TASK_SENT, offsetof(conc_journal, sent)},
        {RF_EVENT_REWARD_RELEASED, offsetof(conc_journal, released)},
        {RF_EVENT_REWARD_EXPIRED, offsetof(conc_journal, expired)},
    };
    const char *type = rf_event_type(ev);
    if (strcmp(type, RF_EVENT_REFERRAL_ADVANCED) == 0) {
        j->advanced++;
        return add_move(j, ev);
    }
    for (size_t i = 0; i < sizeof counted / sizeof counted[0]; i++) {
        if (strcmp(type, counted[i].type) == 0) {
            (*(long *)((char *)j + counted[i].offset))++;
        }
    }
    return 0;
}

conc_journal *conc_journal_read(rf_store *store, int *problems)
{
    conc_journal *j = calloc(1, sizeof *j);
    rf_journal_iter *it = NULL;
    if (j == NULL || rf_journal_read(&it, store, 0) != RF_OK) {
        CONC_FAIL(*problems, "cannot read the journal: %s", rf_error_last()->message);
        free(j);
        return NULL;
    }
    rf_event *ev = NULL;
    int64_t expected = 1;
    rf_status rc;
    while ((rc = rf_journal_iter_next(&ev, it)) == RF_OK) {
        /* Four writers, and still one gap-free sequence. */
        if (rf_event_seq(ev) != expected) {
            CONC_FAIL(*problems, "journal sequence jumps from %lld to %lld", (long long)expected - 1,
                      (long long)rf_event_seq(ev));
        }
        expected = rf_event_seq(ev) + 1;
        if (count_event(j, ev) != 0) {
            CONC_FAIL(*problems, "cannot read the move in event %lld: '%s'", (long long)rf_event_seq(ev),
                      rf_event_data(ev) ? rf_event_data(ev) : "(null)");
        }
        rf_event_free(ev);
    }
    rf_journal_iter_free(it);
    if (rc != RF_ITEROVER) {
        CONC_FAIL(*problems, "reading the journal stopped with %s", rf_strerror(rc));
    }
    return j;
}

void conc_journal_free(conc_journal *j)
{
    if (j != NULL) {
        free(j->moves);
        free(j);
    }
}

/* --- the referrals in the store --------------------------------------------------------- */

int conc_state_failed(rf_referral_state s)
{
    return s == RF_REFERRAL_DECLINED || s == RF_REFERRAL_CANCELLED || s == RF_REFERRAL_LOST ||
           s == RF_REFERRAL_ENTERED_IN_ERROR;
}

int conc_refs_load(rf_store *store, conc_ref **out, size_t *count)
{
    size_t n = 0, cap = 1024;
    conc_ref *refs = malloc(cap * sizeof *refs);
    rf_referral_iter *it = NULL;
    if (refs == NULL || rf_referral_list(&it, store, NULL) != RF_OK) {
        free(refs);
        return -1;
    }
    rf_referral *r = NULL;
    rf_status rc;
    while ((rc = rf_referral_iter_next(&r, it)) == RF_OK) {
        if (n == cap) {
            conc_ref *more = realloc(refs, (cap *= 2) * sizeof *refs);
            if (more == NULL) {
                rf_referral_free(r);
                break;
            }
            refs = more;
        }
        conc_ref *c = &refs[n++];
        snprintf(c->id, sizeof c->id, "%s", rf_referral_id(r));
        snprintf(c->referee, sizeof c->referee, "%s", rf_referral_referee_id(r));
        snprintf(c->referrer, sizeof c->referrer, "%s",
                 rf_referral_referrer_id(r) != NULL ? rf_referral_referrer_id(r) : "");
        c->state = rf_referral_get_state(r);
        c->reached_scheduled = rf_referral_reached_at(r, RF_REFERRAL_SCHEDULED) != RF_TIME_NONE;
        c->reached_seen = rf_referral_reached_at(r, RF_REFERRAL_SEEN) != RF_TIME_NONE;
        rf_referral_free(r);
    }
    rf_referral_iter_free(it);
    if (rc != RF_ITEROVER) {
        free(refs);
        return -1;
    }
    qsort(refs, n, sizeof *refs, conc_by_text); /* id is the first member */
    *out = refs;
    *count = n;
    return 0;
}

const conc_ref *conc_refs_find(const conc_ref *refs, size_t count, const char *id)
{
    return bsearch(id, refs, count, sizeof *refs, conc_by_text);
}

int conc_ids_have(char (*ids)[RF_IDEMPOTENCY_KEY_MAX + 1], size_t count, const char *id)
{
    return bsearch(id, ids, count, sizeof ids[0], conc_by_text) != NULL;
}

/* --- the checks ------------------------------------------------------------------------- */

static int referee_index(const conc_world *w, const char *id)
{
    for (int i = 0; i < CONC_REFEREES; i++) {
        if (strcmp(w->referee_id[i], id) == 0) {
            return i;
        }
    }
    return -1;
}

/* Every referral a worker made exists with the referee it asked for; the
 * store holds no other. */
static int same_referrals(const conc_world *w, const conc_logs *logs, const conc_ref *refs, size_t n)
{
    int bad = 0;
    size_t logged = 0;
    char(*ids)[RF_IDEMPOTENCY_KEY_MAX + 1] = conc_logs_ids(logs, 'R', &logged);
    for (size_t i = 1; i < logged; i++) {
        if (strcmp(ids[i - 1], ids[i]) == 0) {
            CONC_FAIL(bad, "referral %s was reported created twice", ids[i]);
        }
    }
    if (logged != n) {
        CONC_FAIL(bad, "workers created %zu referrals; the store holds %zu", logged, n);
    }
    for (size_t i = 0; i < logs->count; i++) {
        const conc_entry *e = &logs->items[i];
        const conc_ref *r = e->kind == 'R' ? conc_refs_find(refs, n, e->a) : NULL;
        if (e->kind == 'R' && r == NULL) {
            CONC_FAIL(bad, "lost write: worker %d's referral %s is not in the store", e->worker, e->a);
        } else if (r != NULL &&
                   (e->n1 < 0 || e->n1 >= CONC_REFEREES || strcmp(r->referee, w->referee_id[e->n1]) != 0)) {
            CONC_FAIL(bad, "referral %s has referee %s, not the one asked for (%ld)", e->a, r->referee,
                      e->n1);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!conc_ids_have(ids, logged, refs[i].id)) {
            CONC_FAIL(bad, "referral %s is in the store but no worker made it", refs[i].id);
        }
    }
    free(ids);
    return bad;
}

/* A referee keeps one attribution: at most one referral not entered in error. */
static int one_attribution(const conc_world *w, const conc_ref *refs, size_t n)
{
    int bad = 0, live[CONC_REFEREES] = {0};
    for (size_t i = 0; i < n; i++) {
        int idx = referee_index(w, refs[i].referee);
        if (idx < 0) {
            CONC_FAIL(bad, "referral %s has a referee outside the pool", refs[i].id);
        } else if (refs[i].state != RF_REFERRAL_ENTERED_IN_ERROR && ++live[idx] == 2) {
            CONC_FAIL(bad, "referee %s is attributed twice", refs[i].referee);
        }
    }
    return bad;
}

int conc_check_referrals(rf_store *store, const conc_world *w, const conc_logs *logs, const conc_journal *j)
{
    int bad = 0;
    conc_ref *refs = NULL;
    size_t n = 0;
    if (conc_refs_load(store, &refs, &n) != 0) {
        CONC_FAIL(bad, "cannot list referrals: %s", rf_error_last()->message);
        return bad;
    }
    bad += same_referrals(w, logs, refs, n);
    bad += one_attribution(w, refs, n);
    long moves = 0;
    for (size_t i = 0; i < logs->count; i++) {
        moves += logs->items[i].kind == 'A';
    }
    /* Each successful call wrote its event once; each refusal of a second attribution too. */
    if (j->received != (long)n) {
        CONC_FAIL(bad, "%ld referral.received events for %zu referrals", j->received, n);
    }
    if (j->advanced != moves) {
        CONC_FAIL(bad, "%ld referral.advanced events; workers made %ld moves", j->advanced, moves);
    }
    if (j->refused != logs->tally[CONC_OP_CREATE][-RF_ECONFLICT]) {
        CONC_FAIL(bad, "%ld attribution_refused events; workers were refused %ld times", j->refused,
                  logs->tally[CONC_OP_CREATE][-RF_ECONFLICT]);
    }
    free(refs);
    return bad;
}
