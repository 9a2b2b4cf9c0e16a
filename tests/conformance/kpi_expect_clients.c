/* The client-based and money figures of kpis.h computed by hand from the
 * test's own record, one definition of the header at a time, with plain
 * loops over the parties, events, referrals and foreseen grants. */
#include "kpi_support.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What a scope makes of each client or lead. */
typedef struct person_view {
    int client;                 /* a CLIENT now (assigned to the practitioner, with one) */
    int referred;               /* the referee of an inbound referral passing programme, channel, source */
    int is_new;                 /* first visit in the period */
    int active, active_before;  /* in the period; in the preceding window */
    int active_year;            /* in the 365 days before from */
    int64_t made;               /* cohort referrals made */
    int64_t revenue;            /* REVENUE in the filter's currency dated in the period */
    int64_t nps_sum, nps_count; /* NPS scores dated in the period */
} person_view;

static int in(rf_time t, rf_time from, rf_time to)
{
    return t != 0 && t >= from && t < to;
}

/* An inbound referral, not entered in error, passing programme, channel and source (any time). */
static int passes_but_practitioner(const kpi_referral *r, kpi_scope s)
{
    return r->id[0] != '\0' && !r->outbound && r->state != RF_REFERRAL_ENTERED_IN_ERROR &&
           (s.program < 0 || r->program == s.program) &&
           (s.channel == RF_CHANNEL_UNSET || r->channel == s.channel) &&
           (s.source == RF_SOURCE_UNSET || r->source == s.source);
}

static int passes(const kpi_referral *r, kpi_scope s)
{
    return passes_but_practitioner(r, s) && (s.practitioner < 0 || r->practitioner == s.practitioner);
}

static void view_people(person_view *v, const kpi_practice *p, kpi_scope s)
{
    rf_time len = s.to - s.from, before = s.from - len;
    memset(v, 0, sizeof *v * KPI_PARTIES);
    for (int k = 0; k < KPI_PARTIES; k++) {
        const kpi_party *w = &p->parties[k];
        v[k].client = w->id[0] != '\0' && w->kind == RF_PARTY_CLIENT &&
                      (s.practitioner < 0 || w->practitioner == s.practitioner);
        v[k].is_new = in(w->first_visit, s.from, s.to);
        v[k].active = v[k].is_new;
        v[k].active_before = in(w->first_visit, before, s.from);
        v[k].active_year = in(w->first_visit, s.from - 365 * DAY, s.from);
    }
    for (size_t i = 0; i < p->count; i++) {
        const kpi_referral *r = &p->refs[i];
        if (passes_but_practitioner(r, s)) {
            v[r->referee].referred = 1;
        }
        if (r->client >= 0 && kpi_in_cohort(p, (int)i, s)) {
            v[r->client].made++;
        }
    }
    for (size_t i = 0; i < p->event_count; i++) {
        const kpi_event *e = &p->events[i];
        person_view *x = &v[e->party];
        if (e->type == RF_CLIENT_EVENT_VISIT_COMPLETED) {
            x->active |= in(e->at, s.from, s.to);
            x->active_before |= in(e->at, before, s.from);
            x->active_year |= in(e->at, s.from - 365 * DAY, s.from);
        } else if (e->type == RF_CLIENT_EVENT_REVENUE && s.currency != NULL &&
                   strcmp(e->currency, s.currency) == 0 && in(e->at, s.from, s.to)) {
            x->revenue += e->amount;
        } else if (e->type == RF_CLIENT_EVENT_NPS && in(e->at, s.from, s.to)) {
            x->nps_sum += e->value;
            x->nps_count++;
        }
    }
}

static void rate(kpi_expect *e, rf_kpi k, int64_t num, int64_t den)
{
    e->num[k] = num;
    e->den[k] = den;
    e->defined[k] = den > 0;
    e->value[k] = den > 0 ? (double)num / (double)den : 0.0;
}

/* A sum of money: defined (denominator 1) only with a currency. */
static void money(kpi_expect *e, rf_kpi k, int64_t sum, const char *currency)
{
    e->num[k] = currency != NULL ? sum : 0;
    e->den[k] = currency != NULL;
    e->defined[k] = currency != NULL;
    e->value[k] = currency != NULL ? (double)sum : 0.0;
}

/* Referrals the new client @k made from their first visit up to 548 days after it. */
static int64_t made_in_18_months(const kpi_practice *p, int k, kpi_scope s)
{
    int64_t n = 0;
    rf_time first = p->parties[k].first_visit;
    for (size_t i = 0; i < p->count; i++) {
        const kpi_referral *r = &p->refs[i];
        rf_time got = r->reached[RF_REFERRAL_RECEIVED];
        n += r->client == k && passes(r, s) && got >= first && got < first + 548 * DAY;
    }
    return n;
}

static int64_t reward_cost(const kpi_practice *p, kpi_scope s)
{
    int64_t cost = 0;
    for (size_t i = 0; s.currency != NULL && i < p->count; i++) {
        if (!passes(&p->refs[i], s)) {
            continue;
        }
        for (int k = 0; k < KPI_RULES; k++) {
            rf_time issued, reversed;
            const char *c = kpi_rule_currency(k);
            if (c == NULL || strcmp(c, s.currency) != 0 || !kpi_grant_of(p, (int)i, k, &issued, &reversed)) {
                continue;
            }
            cost += in(issued, s.from, s.to) ? kpi_rule_amount(k) : 0;
            cost -= in(reversed, s.from, s.to) ? kpi_rule_amount(k) : 0;
        }
    }
    return cost;
}

static void correlation(kpi_expect *e, const person_view *v)
{
    double sx = 0, sy = 0, n = 0;
    for (int k = 0; k < KPI_PARTIES; k++) {
        if (v[k].client && v[k].nps_count > 0) {
            sx += (double)v[k].nps_sum / (double)v[k].nps_count;
            sy += (double)v[k].made;
            n++;
        }
    }
    double mx = n > 0 ? sx / n : 0, my = n > 0 ? sy / n : 0, sxx = 0, syy = 0, sxy = 0;
    for (int k = 0; k < KPI_PARTIES; k++) {
        if (v[k].client && v[k].nps_count > 0) {
            double dx = (double)v[k].nps_sum / (double)v[k].nps_count - mx, dy = (double)v[k].made - my;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
        }
    }
    rf_kpi k = RF_KPI_NPS_REFERRAL_CORRELATION;
    e->num[k] = 0;
    e->den[k] = (int64_t)n;
    e->defined[k] = n >= 2 && sxx > 0 && syy > 0;
    e->value[k] = e->defined[k] ? sxy / sqrt(sxx * syy) : 0.0;
}

void kpi_expect_clients(kpi_expect *e, const kpi_practice *p, kpi_scope s)
{
    person_view *v = calloc(KPI_PARTIES, sizeof *v);
    assert_non_null(v);
    view_people(v, p, s);
    int64_t new_clients = 0, new_referred = 0, active = 0, advocates = 0, made_18m = 0, nps_sum = 0,
            nps_n = 0, base = 0;
    int64_t leads[2] = {0, 0}, closed[2] = {0, 0}, revenue[2] = {0, 0}, active_in[2] = {0, 0},
            kept[2] = {0, 0}, before[2] = {0, 0}; /* [non-referred, referred] */
    for (int k = 0; k < KPI_PARTIES; k++) {
        const kpi_party *w = &p->parties[k];
        const person_view *x = &v[k];
        int g = x->referred;
        /* A lead: LEAD or CLIENT made in the period. The practitioner filter is about clients and
         * referrals: leads are not assigned to anyone yet. */
        if (w->id[0] != '\0' && in(w->created_at, s.from, s.to)) {
            leads[g]++;
            closed[g] += w->kind == RF_PARTY_CLIENT;
        }
        if (!x->client) {
            continue;
        }
        new_clients += x->is_new;
        new_referred += x->is_new && g;
        made_18m += x->is_new ? made_in_18_months(p, k, s) : 0;
        active += x->active;
        advocates += x->active && x->made > 0;
        revenue[g] += x->revenue;
        active_in[g] += x->active;
        before[g] += x->active_before;
        kept[g] += x->active_before && x->active;
        base += w->first_visit != 0 && w->first_visit < s.from && x->active_year;
        nps_sum += x->nps_sum;
        nps_n += x->nps_count;
    }
    rate(e, RF_KPI_REFERRAL_RATE, new_referred, new_clients);
    rate(e, RF_KPI_ADVOCATE_RATE, advocates, active);
    rate(e, RF_KPI_REFERRALS_PER_CLIENT_18M, made_18m, new_clients);
    rate(e, RF_KPI_CLOSE_RATE_REFERRED, closed[1], leads[1]);
    rate(e, RF_KPI_CLOSE_RATE_NON_REFERRED, closed[0], leads[0]);
    money(e, RF_KPI_REVENUE_REFERRED, revenue[1], s.currency);
    if (s.currency != NULL) {
        rate(e, RF_KPI_REVENUE_PER_CLIENT_REFERRED, revenue[1], active_in[1]);
        rate(e, RF_KPI_REVENUE_PER_CLIENT_NON_REFERRED, revenue[0], active_in[0]);
    }
    rate(e, RF_KPI_RETENTION_REFERRED, kept[1], before[1]);
    rate(e, RF_KPI_RETENTION_NON_REFERRED, kept[0], before[0]);
    int64_t cost = reward_cost(p, s);
    money(e, RF_KPI_REWARD_COST, cost, s.currency);
    if (s.currency != NULL && cost > 0) {
        e->num[RF_KPI_ROI] = revenue[1] - cost;
        e->den[RF_KPI_ROI] = cost;
        e->defined[RF_KPI_ROI] = 1;
        e->value[RF_KPI_ROI] = (double)(revenue[1] - cost) / (double)cost;
    }
    rate(e, RF_KPI_K_FACTOR, new_referred, base);
    rate(e, RF_KPI_MEAN_NPS, nps_sum, nps_n);
    correlation(e, v);
    free(v);
}
