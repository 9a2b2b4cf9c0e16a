/* No reward granted twice, none missing: every referral that reached a
 * trigger state holds exactly the grants its rules call for, each referrer
 * grant on the tier the journal's order of moves gives, and a failed
 * referral keeps nothing pending or available. */
#include <stdlib.h>
#include <string.h>

#include "concurrency.h"

typedef struct grant_row {
    char key[3 * RF_ID_BUFSIZE]; /* rule, referral, recipient */
    char id[RF_ID_BUFSIZE];
    char referral[RF_ID_BUFSIZE];
    char recipient[RF_ID_BUFSIZE];
    int rule; /* index into conc_rules, or -1 */
    int tier_count;
    int64_t units;
    rf_grant_status status;
} grant_row;

static int rule_index(const conc_world *w, const char *id)
{
    for (int i = 0; i < CONC_RULES; i++) {
        if (strcmp(w->rule_id[i], id) == 0) {
            return i;
        }
    }
    return -1;
}

static grant_row *load_grants(rf_store *store, const conc_world *w, size_t *count)
{
    size_t n = 0, cap = 1024;
    grant_row *rows = malloc(cap * sizeof *rows);
    rf_grant_iter *it = NULL;
    if (rows == NULL || rf_grant_list(&it, store, NULL) != RF_OK) {
        free(rows);
        return NULL;
    }
    rf_grant *g = NULL;
    rf_status rc;
    while ((rc = rf_grant_iter_next(&g, it)) == RF_OK) {
        if (n == cap) {
            grant_row *more = realloc(rows, (cap *= 2) * sizeof *rows);
            if (more == NULL) {
                rf_grant_free(g);
                break;
            }
            rows = more;
        }
        grant_row *r = &rows[n++];
        snprintf(r->key, sizeof r->key, "%s/%s/%s", rf_grant_rule_id(g), rf_grant_referral_id(g),
                 rf_grant_recipient_id(g));
        snprintf(r->id, sizeof r->id, "%s", rf_grant_id(g));
        snprintf(r->referral, sizeof r->referral, "%s", rf_grant_referral_id(g));
        snprintf(r->recipient, sizeof r->recipient, "%s", rf_grant_recipient_id(g));
        r->rule = rule_index(w, rf_grant_rule_id(g));
        r->tier_count = rf_grant_tier_count(g);
        r->units = rf_grant_units(g);
        r->status = rf_grant_get_status(g);
        rf_grant_free(g);
    }
    rf_grant_iter_free(it);
    if (rc != RF_ITEROVER) {
        free(rows);
        return NULL;
    }
    qsort(rows, n, sizeof *rows, conc_by_text); /* by key, the first member */
    *count = n;
    return rows;
}

/* The referrer rule for the n-th qualifying referral: the highest tier not above n. */
static int tier_rule(int n)
{
    int best = -1;
    for (int i = 0; i < CONC_RULES; i++) {
        if (conc_rules[i].recipient == RF_RECIPIENT_REFERRER && conc_rules[i].tier <= n &&
            (best < 0 || conc_rules[i].tier > conc_rules[best].tier)) {
            best = i;
        }
    }
    return best;
}

/* Replay the moves in journal order: the referrer's count of qualifying
 * referrals (reached SEEN, not failed) when each referral first reached SEEN.
 * @tier_at is indexed like @refs; 0 where SEEN was never reached. */
static int replay_tiers(const conc_world *w, const conc_journal *j, const conc_ref *refs, size_t n,
                        int *tier_at)
{
    int bad = 0, qualifying[CONC_REFERRERS] = {0};
    char *seen = calloc(n + 1, 1), *failed = calloc(n + 1, 1);
    for (size_t m = 0; seen != NULL && failed != NULL && m < j->move_count; m++) {
        const conc_move *mv = &j->moves[m];
        const conc_ref *r = conc_refs_find(refs, n, mv->referral);
        int who = -1;
        for (int i = 0; r != NULL && i < CONC_REFERRERS; i++) {
            who = strcmp(w->referrer_id[i], r->referrer) == 0 ? i : who;
        }
        if (r == NULL || who < 0) {
            CONC_FAIL(bad, "the journal moves referral %s, which has no referrer from the pool",
                      mv->referral);
            continue;
        }
        size_t i = (size_t)(r - refs);
        if (mv->to == RF_REFERRAL_SEEN && !seen[i]) {
            seen[i] = 1;
            tier_at[i] = ++qualifying[who];
        } else if (conc_state_failed(mv->to) && !failed[i]) {
            failed[i] = 1;
            qualifying[who] -= seen[i];
        }
    }
    free(seen);
    free(failed);
    return bad;
}

/* What referral @r must hold (@tier: its place on the ladder), against the @count grants it holds. */
static int expected_grants(const conc_ref *r, int tier, const grant_row **held, size_t count)
{
    int bad = 0, want_referee = r->reached_scheduled, want_referrer = r->reached_seen;
    int got_referee = 0, got_referrer = 0;
    for (size_t i = 0; i < count; i++) {
        const grant_row *g = held[i];
        const conc_rule_spec *s = g->rule >= 0 ? &conc_rules[g->rule] : NULL;
        const char *want_to = s && s->recipient == RF_RECIPIENT_REFEREE ? r->referee : r->referrer;
        if (s == NULL) {
            CONC_FAIL(bad, "grant %s comes from an unknown rule", g->id);
            continue;
        }
        if (strcmp(g->recipient, want_to) != 0 || g->units != s->amount) {
            CONC_FAIL(bad, "grant %s gives %lld to %s; its rule gives %lld to %s", g->id, (long long)g->units,
                      g->recipient, (long long)s->amount, want_to);
        }
        if (s->recipient == RF_RECIPIENT_REFEREE) {
            got_referee++;
        } else {
            got_referrer++;
            if (g->tier_count != tier || g->rule != tier_rule(tier)) {
                CONC_FAIL(
                    bad,
                    "grant %s for referral %s counts tier %d with rule %d; the journal's order gives %d "
                    "(rule %d)",
                    g->id, r->id, g->tier_count, g->rule, tier, tier_rule(tier));
            }
        }
        int failed = conc_state_failed(r->state);
        if (failed && (g->status == RF_GRANT_PENDING || g->status == RF_GRANT_AVAILABLE)) {
            CONC_FAIL(bad, "referral %s is %s but its grant %s is still %s", r->id,
                      rf_referral_state_name(r->state), g->id, rf_grant_status_name(g->status));
        } else if (!failed && g->status == RF_GRANT_REVERSED) {
            CONC_FAIL(bad, "grant %s is reversed though referral %s is %s", g->id, r->id,
                      rf_referral_state_name(r->state));
        }
    }
    if (got_referee != want_referee || got_referrer != want_referrer) {
        CONC_FAIL(
            bad, "referral %s (%s) holds %d referee and %d referrer grants; its rules call for %d and %d",
            r->id, rf_referral_state_name(r->state), got_referee, got_referrer, want_referee, want_referrer);
    }
    return bad;
}

static int by_referral(const void *a, const void *b)
{
    const grant_row *x = *(const grant_row *const *)a, *y = *(const grant_row *const *)b;
    return strcmp(x->referral, y->referral);
}

int conc_check_grants(rf_store *store, const conc_world *w, const conc_logs *logs, const conc_journal *j)
{
    int bad = 0;
    conc_ref *refs = NULL;
    size_t n = 0, count = 0;
    grant_row *rows = NULL;
    if (conc_refs_load(store, &refs, &n) != 0 || (rows = load_grants(store, w, &count)) == NULL) {
        CONC_FAIL(bad, "cannot list referrals or grants: %s", rf_error_last()->message);
        free(refs);
        return bad;
    }
    long by_status[RF_GRANT_REVERSED + 1] = {0};
    for (size_t i = 0; i < count; i++) {
        by_status[rows[i].status >= 0 && rows[i].status <= RF_GRANT_REVERSED ? rows[i].status : 0]++;
    }
    printf("  %zu grants:", count);
    for (int s = 1; s <= RF_GRANT_REVERSED; s++) {
        printf(" %s %ld", rf_grant_status_name((rf_grant_status)s), by_status[s]);
    }
    printf("\n");
    for (size_t i = 1; i < count; i++) {
        if (strcmp(rows[i - 1].key, rows[i].key) == 0) {
            CONC_FAIL(bad, "granted twice: grants %s and %s share rule/referral/recipient %s", rows[i - 1].id,
                      rows[i].id, rows[i].key);
        }
    }
    int *tier_at = calloc(n + 1, sizeof *tier_at);
    const grant_row **by_ref = malloc((count + 1) * sizeof *by_ref);
    if (tier_at == NULL || by_ref == NULL) {
        CONC_FAIL(bad, "out of memory");
    } else {
        bad += replay_tiers(w, j, refs, n, tier_at);
        for (size_t i = 0; i < count; i++) {
            by_ref[i] = &rows[i];
        }
        qsort(by_ref, count, sizeof *by_ref, by_referral);
        size_t g = 0;
        for (size_t i = 0; i < n; i++) {
            /* Grants of referrals not in the store would sort in between: none may exist. */
            while (g < count && strcmp(by_ref[g]->referral, refs[i].id) < 0) {
                CONC_FAIL(bad, "grant %s is for referral %s, which is not in the store", by_ref[g]->id,
                          by_ref[g]->referral);
                g++;
            }
            size_t first = g;
            while (g < count && strcmp(by_ref[g]->referral, refs[i].id) == 0) {
                g++;
            }
            bad += expected_grants(&refs[i], tier_at[i], by_ref + first, g - first);
        }
        for (; g < count; g++) {
            CONC_FAIL(bad, "grant %s is for referral %s, which is not in the store", by_ref[g]->id,
                      by_ref[g]->referral);
        }
        /* Every grant a worker saw is still there. */
        char(*ids)[RF_IDEMPOTENCY_KEY_MAX + 1] = malloc((count + 1) * sizeof *ids);
        for (size_t i = 0; ids != NULL && i < count; i++) {
            snprintf(ids[i], sizeof ids[i], "%s", rows[i].id);
        }
        if (ids != NULL) {
            qsort(ids, count, sizeof ids[0], conc_by_text);
            for (size_t i = 0; i < logs->count; i++) {
                if (logs->items[i].kind == 'G' && !conc_ids_have(ids, count, logs->items[i].a)) {
                    CONC_FAIL(bad, "lost write: grant %s seen by worker %d is gone", logs->items[i].a,
                              logs->items[i].worker);
                }
            }
        }
        free(ids);
    }
    free(tier_at);
    free(by_ref);
    free(rows);
    free(refs);
    return bad;
}
