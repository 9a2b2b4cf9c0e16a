/* The tables of kpis.h computed by hand from the test's own record: the
 * funnel, the leaderboard, per practitioner, per channel and source, per A/B
 * variant — every row and every cell, with plain loops. */
#include "kpi_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int in(rf_time t, rf_time from, rf_time to)
{
    return t != 0 && t >= from && t < to;
}

static kpi_cell count_cell(int64_t n)
{
    kpi_cell c = {1, 1, n, 1, (double)n};
    return c;
}

static kpi_cell rate_cell(int64_t num, int64_t den)
{
    kpi_cell c = {den > 0, 1, num, den, den > 0 ? (double)num / (double)den : 0.0};
    return c;
}

static size_t add_row(kpi_table_expect *t, const char *key, const char *label)
{
    assert_true(t->rows < KPI_ROWS_MAX);
    size_t r = t->rows++;
    snprintf(t->key[r], sizeof t->key[r], "%s", key);
    snprintf(t->label[r], sizeof t->label[r], "%s", label != NULL ? label : "");
    return r;
}

/* --- funnel ------------------------------------------------------------------------- */

static void funnel(kpi_table_expect *t, const kpi_practice *p, kpi_scope s)
{
    static const char *const steps[] = {"asks", "shares", "clicks", "leads", "scheduled", "seen", "closed"};
    int64_t n[7] = {0};
    for (size_t i = 0; i < p->ask_count; i++) {
        const kpi_ask *a = &p->asks[i];
        /* Like a touch, an ask carries a programme and a channel (the one it is sent on). */
        if (in(a->created_at, s.from, s.to) && a->sent_at != 0 &&
            (s.program < 0 || a->program == s.program) &&
            (s.channel == RF_CHANNEL_UNSET || a->channel == s.channel)) {
            n[0]++;
            n[1] += a->outcome == RF_ASK_SHARED || a->outcome == RF_ASK_REFERRED;
        }
    }
    for (size_t i = 0; i < p->touch_count; i++) {
        const kpi_touch *k = &p->touches[i];
        n[2] += in(k->at, s.from, s.to) && (s.program < 0 || k->program == s.program) &&
                (s.channel == RF_CHANNEL_UNSET || k->channel == s.channel);
    }
    for (size_t i = 0; i < p->count; i++) {
        if (kpi_in_cohort(p, (int)i, s)) {
            const rf_time *at = p->refs[i].reached;
            n[3]++;
            n[4] += at[RF_REFERRAL_SCHEDULED] != 0;
            n[5] += at[RF_REFERRAL_SEEN] != 0;
            n[6] += at[RF_REFERRAL_CLOSED] != 0;
        }
    }
    for (int k = 0; k < 7; k++) {
        size_t r = add_row(t, steps[k], NULL);
        t->cell[r][RF_KPI_COLUMN_COUNT] = count_cell(n[k]);
        if (k > 0) {
            t->cell[r][RF_KPI_COLUMN_CONVERSION] = rate_cell(n[k], n[k - 1]);
        }
    }
}

/* --- leaderboard -------------------------------------------------------------------- */

/* "Jane van der Berg" -> "J. V. D. B." (the library's initials, for ASCII names). */
static void initials(char *out, size_t size, const char *name)
{
    size_t n = 0;
    for (const char *c = name; *c != '\0' && n + 4 < size;) {
        while (*c == ' ' || *c == '-' || *c == '.' || *c == '\'') {
            c++;
        }
        if (*c == '\0') {
            break;
        }
        n += (size_t)snprintf(out + n, size - n, "%s%c.", n > 0 ? " " : "",
                              *c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
        while (*c != '\0' && *c != ' ' && *c != '-') {
            c++;
        }
    }
    out[n] = '\0';
}

typedef struct referrer {
    const char *id, *name;
    int named;
    int64_t made, closed;
} referrer;

static int by_rank(const void *a, const void *b)
{
    const referrer *x = a, *y = b;
    if (x->made != y->made) {
        return x->made > y->made ? -1 : 1;
    }
    if (x->closed != y->closed) {
        return x->closed > y->closed ? -1 : 1;
    }
    return strcmp(x->id, y->id);
}

static void leaderboard(kpi_table_expect *t, const kpi_practice *p, kpi_scope s)
{
    referrer all[KPI_CLIENTS + KPI_PARTNERS];
    memset(all, 0, sizeof all);
    for (int k = 0; k < KPI_CLIENTS; k++) {
        all[k].id = p->parties[k].id;
        all[k].name = p->parties[k].name;
        all[k].named = (p->parties[k].consent & RF_CONSENT_NAMED) != 0;
    }
    for (int k = 0; k < KPI_PARTNERS; k++) {
        all[KPI_CLIENTS + k].id = rf_party_id(p->partners[k]);
        all[KPI_CLIENTS + k].name = rf_party_display_name(p->partners[k]);
        all[KPI_CLIENTS + k].named = (rf_party_consent(p->partners[k]) & RF_CONSENT_NAMED) != 0;
    }
    for (size_t i = 0; i < p->count; i++) {
        const kpi_referral *r = &p->refs[i];
        if (kpi_in_cohort(p, (int)i, s)) {
            referrer *x = &all[r->client >= 0 ? r->client : KPI_CLIENTS + r->partner];
            x->made++;
            x->closed += r->reached[RF_REFERRAL_CLOSED] != 0;
        }
    }
    qsort(all, KPI_CLIENTS + KPI_PARTNERS, sizeof all[0], by_rank);
    unsigned top = s.top != 0 ? s.top : 10;
    for (size_t k = 0; k < KPI_CLIENTS + KPI_PARTNERS && k < top && all[k].made > 0; k++) {
        char label[64];
        if (all[k].named) {
            snprintf(label, sizeof label, "%s", all[k].name);
        } else {
            initials(label, sizeof label, all[k].name);
        }
        size_t r = add_row(t, all[k].id, label);
        t->cell[r][RF_KPI_COLUMN_COUNT] = count_cell(all[k].made);
        t->cell[r][RF_KPI_COLUMN_CLOSED] = count_cell(all[k].closed);
    }
}

/* --- practitioners -------------------------------------------------------------------- */

static void practitioners(kpi_table_expect *t, const kpi_practice *p, kpi_scope s)
{
    int order[KPI_STAFF];
    for (int k = 0; k < KPI_STAFF; k++) {
        order[k] = k;
    }
    for (int a = 0; a < KPI_STAFF; a++) { /* by id */
        for (int b = a + 1; b < KPI_STAFF; b++) {
            if (strcmp(rf_party_id(p->staff[order[b]]), rf_party_id(p->staff[order[a]])) < 0) {
                int x = order[a];
                order[a] = order[b];
                order[b] = x;
            }
        }
    }
    int64_t made[KPI_PARTIES] = {0};
    for (size_t i = 0; i < p->count; i++) {
        if (p->refs[i].client >= 0 && kpi_in_cohort(p, (int)i, s)) {
            made[p->refs[i].client]++;
        }
    }
    for (int o = 0; o < KPI_STAFF; o++) {
        int staff = order[o];
        if (s.practitioner >= 0 && s.practitioner != staff) {
            continue; /* with a practitioner filter, that practitioner's row alone */
        }
        int64_t clients = 0, advocates = 0, referrals = 0, nps_sum = 0, nps_n = 0;
        for (int k = 0; k < KPI_PARTIES; k++) {
            const kpi_party *w = &p->parties[k];
            if (w->id[0] == '\0' || w->kind != RF_PARTY_CLIENT || w->practitioner != staff) {
                continue;
            }
            int active = in(w->first_visit, s.from, s.to);
            for (size_t i = 0; i < p->event_count; i++) {
                const kpi_event *e = &p->events[i];
                if (e->party == k && in(e->at, s.from, s.to)) {
                    active |= e->type == RF_CLIENT_EVENT_VISIT_COMPLETED;
                    nps_sum += e->type == RF_CLIENT_EVENT_NPS ? e->value : 0;
                    nps_n += e->type == RF_CLIENT_EVENT_NPS;
                }
            }
            clients += active;
            advocates += active && made[k] > 0;
            referrals += made[k];
        }
        size_t r = add_row(t, rf_party_id(p->staff[staff]), NULL);
        t->cell[r][RF_KPI_COLUMN_CLIENTS] = count_cell(clients);
        t->cell[r][RF_KPI_COLUMN_ADVOCATES] = count_cell(advocates);
        t->cell[r][RF_KPI_COLUMN_ADVOCACY_RATE] = rate_cell(advocates, clients);
        t->cell[r][RF_KPI_COLUMN_MEAN_NPS] = rate_cell(nps_sum, nps_n);
        t->cell[r][RF_KPI_COLUMN_COUNT] = count_cell(referrals);
    }
}

/* --- channels and sources ---------------------------------------------------------------- */

static int ascending(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* One row of the cohort referrals whose channel (by_source 0) or source is @value. */
static void channel_row(kpi_table_expect *t, const kpi_practice *p, kpi_scope s, int by_source, int value)
{
    int64_t count = 0, closed = 0, hit = 0, revenue = 0, nps_sum = 0, nps_n = 0, booked = 0;
    int64_t to_schedule[KPI_TOTAL];
    for (size_t i = 0; i < p->count; i++) {
        const kpi_referral *r = &p->refs[i];
        if (!kpi_in_cohort(p, (int)i, s) || (by_source ? (int)r->source : (int)r->channel) != value) {
            continue;
        }
        count++;
        closed += r->reached[RF_REFERRAL_CLOSED] != 0;
        hit += r->documents_complete;
        if (r->reached[RF_REFERRAL_SCHEDULED] != 0) {
            to_schedule[booked++] = r->reached[RF_REFERRAL_SCHEDULED] - r->reached[RF_REFERRAL_RECEIVED];
        }
        for (size_t k = 0; k < p->event_count; k++) {
            const kpi_event *e = &p->events[k];
            if (e->party != r->referee || !in(e->at, s.from, s.to)) {
                continue;
            }
            if (e->type == RF_CLIENT_EVENT_REVENUE && s.currency != NULL &&
                strcmp(e->currency, s.currency) == 0) {
                revenue += e->amount;
            } else if (e->type == RF_CLIENT_EVENT_NPS) {
                nps_sum += e->value;
                nps_n++;
            }
        }
    }
    if (count == 0) {
        return;
    }
    const char *name =
        by_source ? rf_referral_source_name((rf_referral_source)value) : rf_channel_name((rf_channel)value);
    size_t row = add_row(t, name, name);
    t->cell[row][RF_KPI_COLUMN_COUNT] = count_cell(count);
    t->cell[row][RF_KPI_COLUMN_CONVERSION] = rate_cell(closed, count);
    if (s.currency != NULL) {
        t->cell[row][RF_KPI_COLUMN_REVENUE] = count_cell(revenue);
    }
    qsort(to_schedule, (size_t)booked, sizeof to_schedule[0], ascending);
    kpi_cell p50 = {booked > 0, 1, 0, booked,
                    booked > 0 ? (double)to_schedule[(50 * booked + 99) / 100 - 1] : 0.0};
    t->cell[row][RF_KPI_COLUMN_TO_SCHEDULE_P50] = p50;
    t->cell[row][RF_KPI_COLUMN_HIT_RATE] = rate_cell(hit, count);
    t->cell[row][RF_KPI_COLUMN_MEAN_NPS] = rate_cell(nps_sum, nps_n);
}

/* --- variants ----------------------------------------------------------------------------- */

static int by_label(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void variants(kpi_table_expect *t, const kpi_practice *p, kpi_scope s)
{
    const char *labels[8];
    int64_t n[8] = {0}, x[8] = {0};
    size_t count = 0;
    for (size_t i = 0; i < p->count; i++) {
        const char *v = p->refs[i].variant;
        if (v == NULL || !kpi_in_cohort(p, (int)i, s)) {
            continue;
        }
        size_t k = 0;
        while (k < count && strcmp(labels[k], v) != 0) {
            k++;
        }
        labels[k] = v;
        count += k == count;
    }
    qsort(labels, count, sizeof labels[0], by_label);
    /* The control: the filter's, else "control" when present, else the first label. */
    const char *control = s.control != NULL ? s.control : count > 0 ? labels[0] : NULL;
    for (size_t k = 0; s.control == NULL && k < count; k++) {
        control = strcmp(labels[k], "control") == 0 ? labels[k] : control;
    }
    for (size_t k = 0; k < count; k++) { /* control first */
        if (strcmp(labels[k], control) == 0) {
            memmove(&labels[1], &labels[0], k * sizeof labels[0]);
            labels[0] = control;
        }
    }
    for (size_t i = 0; i < p->count; i++) {
        for (size_t k = 0; p->refs[i].variant != NULL && k < count; k++) {
            if (strcmp(labels[k], p->refs[i].variant) == 0 && kpi_in_cohort(p, (int)i, s)) {
                n[k]++;
                x[k] += p->refs[i].reached[RF_REFERRAL_CLOSED] != 0;
            }
        }
    }
    int has_control = count > 0 && strcmp(labels[0], control) == 0;
    for (size_t k = 0; k < count; k++) {
        size_t r = add_row(t, labels[k], labels[k]);
        t->cell[r][RF_KPI_COLUMN_COUNT] = count_cell(n[k]);
        t->cell[r][RF_KPI_COLUMN_CLOSED] = count_cell(x[k]);
        t->cell[r][RF_KPI_COLUMN_CONVERSION] = rate_cell(x[k], n[k]);
        if (k == 0 || !has_control) {
            continue;
        }
        double c1 = (double)x[k] / (double)n[k], c0 = (double)x[0] / (double)n[0];
        kpi_cell lift = {c0 > 0, 0, 0, 0, c0 > 0 ? c1 / c0 - 1.0 : 0.0};
        t->cell[r][RF_KPI_COLUMN_LIFT] = lift;
        double pooled = (double)(x[k] + x[0]) / (double)(n[k] + n[0]);
        double var = pooled * (1.0 - pooled) * (1.0 / (double)n[k] + 1.0 / (double)n[0]);
        kpi_cell pv = {var > 0, 0, 0, 0, var > 0 ? erfc(fabs(c1 - c0) / sqrt(var) / sqrt(2.0)) : 0.0};
        t->cell[r][RF_KPI_COLUMN_P_VALUE] = pv;
    }
}

void kpi_expect_table(kpi_table_expect *t, const kpi_practice *p, rf_kpi_table_kind kind, kpi_scope s)
{
    memset(t, 0, sizeof *t);
    switch (kind) {
    case RF_KPI_TABLE_FUNNEL: funnel(t, p, s); break;
    case RF_KPI_TABLE_LEADERBOARD: leaderboard(t, p, s); break;
    case RF_KPI_TABLE_PRACTITIONERS: practitioners(t, p, s); break;
    case RF_KPI_TABLE_CHANNELS:
        /* Referrals without a channel make a row of their own ("UNSET"), so the rows add up to the cohort. */
        for (int c = RF_CHANNEL_UNSET; c <= RF_CHANNEL_PORTAL; c++) {
            channel_row(t, p, s, 0, c);
        }
        break;
    case RF_KPI_TABLE_SOURCES:
        for (int c = RF_SOURCE_CODE; c <= RF_SOURCE_PARTNER; c++) {
            channel_row(t, p, s, 1, c);
        }
        break;
    default: variants(t, p, s); break;
    }
}
