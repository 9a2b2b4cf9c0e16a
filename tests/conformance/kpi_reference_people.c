/* The KPI reference practice's people: the clients the practice had before
 * the books open, the leads nobody referred, the referees' lives after their
 * referral, and everything they do (visits, NPS scores, praise, complaints,
 * revenue in two currencies, visits through codes), planned from the seed and
 * kept in the test's own record as each step runs. Asks are foreseen from the
 * programmes' policies (event triggers only, no cooldown). */
#include "kpi_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t kpi_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

int64_t kpi_between(uint64_t *s, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(kpi_next(s) % (uint64_t)(hi - lo + 1));
}

int kpi_chance(uint64_t *s, int percent)
{
    return (int)(kpi_next(s) % 100) < percent;
}

void kpi_plan_add(kpi_plan *pl, kpi_step st)
{
    if (pl->count == pl->size) {
        pl->size = pl->size != 0 ? 2 * pl->size : 4096;
        pl->steps = realloc(pl->steps, pl->size * sizeof *pl->steps);
        assert_non_null(pl->steps);
    }
    pl->steps[pl->count++] = st;
}

static const rf_channel code_channels[] = {RF_CHANNEL_SMS, RF_CHANNEL_EMAIL, RF_CHANNEL_CARD,
                                           RF_CHANNEL_SOCIAL};

static void client_name(char *out, size_t size, int i)
{
    static const char *const first[] = {"Ada", "ben", "Chloe", "Dev", "Erin", "Femi", "Gus", "Hana"};
    static const char *const last[] = {"Baker", "Cole", "Doyle", "Evans", "Frost"};
    if (i == 1) {
        snprintf(out, size, "Jane van der Berg"); /* "J. V. D. B." */
    } else if (i == 2) {
        snprintf(out, size, "Mary-Ann Lee");
    } else {
        snprintf(out, size, "%s %s %d", first[i % 8], last[i / 8 % 5], i);
    }
}

void kpi_make_people(fixture *fx, kpi_practice *p, uint64_t *s)
{
    for (int i = 0; i < KPI_CLIENTS; i++) {
        kpi_party *c = &p->parties[i];
        client_name(c->name, sizeof c->name, i);
        c->kind = RF_PARTY_CLIENT;
        c->consent =
            (kpi_chance(s, 75) ? RF_CONSENT_CONTACT : 0) | (kpi_chance(s, 40) ? RF_CONSENT_NAMED : 0);
        c->practitioner = (int)kpi_between(s, -1, KPI_STAFF - 1);
        static const rf_channel preferred[] = {RF_CHANNEL_SMS, RF_CHANNEL_EMAIL, RF_CHANNEL_UNSET};
        rf_channel wants = preferred[i % 3];
        c->reach = wants != RF_CHANNEL_UNSET ? wants : RF_CHANNEL_IN_PERSON; /* no e-mail, no phone */
        c->created_at = fx->now;
        /* Old clients, clients whose first visit is still to come, and a few who never come. */
        c->first_visit = i < 24 ? KPI_SETUP - kpi_between(s, 0, 400 * DAY) : 0;
        rf_party_options o = RF_PARTY_OPTIONS_INIT;
        o.kind = RF_PARTY_CLIENT;
        o.display_name = c->name;
        o.consent = c->consent;
        o.practitioner_id = c->practitioner >= 0 ? rf_party_id(p->staff[c->practitioner]) : NULL;
        o.preferred_channel = wants;
        o.first_visit_at = c->first_visit != 0 ? c->first_visit : RF_TIME_UNSET;
        rf_party *made = NULL;
        assert_ok(rf_party_add(&made, fx->store, &o));
        snprintf(c->id, sizeof c->id, "%s", rf_party_id(made));
        rf_party_free(made);
        for (int k = 0; k < KPI_PROGRAMS; k++) {
            rf_code_options co = RF_CODE_OPTIONS_INIT;
            co.style = RF_CODE_SHORT;
            co.program_id = rf_program_id(p->programs[k]);
            co.channel = code_channels[i % 4];
            assert_ok(rf_code_issue(&p->codes[k][i], fx->store, c->id, &co));
        }
    }
    kpi_make_rules(fx, p);
}

/* --- planning ---------------------------------------------------------------------- */

static void plan_event(kpi_plan *pl, int party, rf_time at, rf_client_event_type type, int value,
                       int currency)
{
    kpi_plan_add(pl,
                 (kpi_step){at, party, currency, KPI_EVENT, RF_REFERRAL_STATE_UNSET, 0, (int)type, value});
}

static int score(uint64_t *s)
{
    return kpi_chance(s, 50) ? (int)kpi_between(s, 8, 10) : (int)kpi_between(s, 0, 10);
}

static void plan_revenue(kpi_plan *pl, int party, rf_time from, rf_time to, int n, uint64_t *s)
{
    for (int k = 0; k < n; k++) {
        plan_event(pl, party, kpi_between(s, from, to), RF_CLIENT_EVENT_REVENUE,
                   (int)kpi_between(s, 1000, 50000), kpi_chance(s, 70) ? 0 : 1);
    }
}

static void plan_client(kpi_plan *pl, int i, uint64_t *s)
{
    const rf_time end = T0 + 60 * DAY;
    if (i < 24) {
        for (int n = (int)kpi_between(s, 0, 5); n > 0; n--) {
            plan_event(pl, i, kpi_between(s, KPI_START, end), RF_CLIENT_EVENT_VISIT_COMPLETED, RF_UNSET, 0);
        }
    } else if (i < 36) {
        /* The first completed visit dates the first visit. */
        rf_time first = kpi_between(s, KPI_START, end - 5 * DAY);
        plan_event(pl, i, first, RF_CLIENT_EVENT_VISIT_COMPLETED, RF_UNSET, 0);
        for (int n = (int)kpi_between(s, 0, 3); n > 0; n--) {
            plan_event(pl, i, kpi_between(s, first + HOUR, end), RF_CLIENT_EVENT_VISIT_COMPLETED, RF_UNSET,
                       0);
        }
    }
    for (int n = (int)kpi_between(s, 0, 3); n > 0; n--) {
        plan_event(pl, i, kpi_between(s, KPI_START, end), RF_CLIENT_EVENT_NPS, score(s), 0);
    }
    if (kpi_chance(s, 25)) {
        plan_event(pl, i, kpi_between(s, KPI_START, end), RF_CLIENT_EVENT_PRAISE, RF_UNSET, 0);
    }
    plan_revenue(pl, i, KPI_START, end, (int)kpi_between(s, 0, 4), s);
}

void kpi_plan_people(kpi_plan *pl, kpi_practice *p, uint64_t *s)
{
    (void)p;
    const rf_time end = T0 + 60 * DAY;
    for (int i = 0; i < KPI_CLIENTS; i++) {
        plan_client(pl, i, s);
    }
    /* An open complaint holds asks back; one is resolved in the period. */
    plan_event(pl, 3, T0 - 30 * DAY, RF_CLIENT_EVENT_COMPLAINT_OPENED, RF_UNSET, 0);
    plan_event(pl, 7, T0 - 30 * DAY, RF_CLIENT_EVENT_COMPLAINT_OPENED, RF_UNSET, 0);
    plan_event(pl, 7, T0 + 20 * DAY, RF_CLIENT_EVENT_COMPLAINT_RESOLVED, RF_UNSET, 0);
    plan_event(pl, 3, T0 + 2 * DAY, RF_CLIENT_EVENT_NPS, 10, 0);
    plan_event(pl, 7, T0 + 2 * DAY, RF_CLIENT_EVENT_NPS, 10, 0);
    plan_event(pl, 7, T0 + 25 * DAY, RF_CLIENT_EVENT_NPS, 10, 0);
    for (int i = KPI_LEAD0; i < KPI_PARTIES; i++) {
        rf_time created = kpi_between(s, T0 - 60 * DAY, end - 2 * DAY);
        kpi_plan_add(pl, (kpi_step){created, i, 0, KPI_LEAD, RF_REFERRAL_STATE_UNSET, 0, 0, 0});
        if (kpi_chance(s, 30)) {
            plan_event(pl, i, created + kpi_between(s, HOUR, 30 * DAY), RF_CLIENT_EVENT_NPS, score(s), 0);
        }
        if (kpi_chance(s, 50)) {
            rf_time converted = created + kpi_between(s, DAY, 20 * DAY);
            kpi_plan_add(pl, (kpi_step){converted, i, 0, KPI_CONVERT, RF_REFERRAL_STATE_UNSET, 0, 0, 0});
            plan_revenue(pl, i, converted + HOUR, converted + 10 * DAY, (int)kpi_between(s, 0, 2), s);
            if (kpi_chance(s, 50)) {
                plan_event(pl, i, converted + kpi_between(s, HOUR, 20 * DAY), RF_CLIENT_EVENT_VISIT_COMPLETED,
                           RF_UNSET, 0);
            }
        }
    }
    for (int i = 0; i < KPI_TOUCHES; i++) {
        static const rf_channel touch_channels[] = {RF_CHANNEL_UNSET, RF_CHANNEL_UNSET,  RF_CHANNEL_SMS,
                                                    RF_CHANNEL_LINK,  RF_CHANNEL_SOCIAL, RF_CHANNEL_EMAIL};
        int program = (int)kpi_between(s, 0, KPI_PROGRAMS - 1),
            client = (int)kpi_between(s, 0, KPI_CLIENTS - 1);
        rf_channel channel = touch_channels[kpi_between(s, 0, 5)];
        kpi_plan_add(pl, (kpi_step){kpi_between(s, T0 - 30 * DAY, end), i, (int)channel, KPI_TOUCH,
                                    RF_REFERRAL_STATE_UNSET, 0, program, client});
    }
    for (rf_time t = KPI_START + 6 * HOUR; t <= end + DAY; t += 12 * HOUR) {
        kpi_plan_add(pl, (kpi_step){t, 0, 0, KPI_DRAIN, RF_REFERRAL_STATE_UNSET, 0, 0, 0});
    }
}

void kpi_plan_referee(kpi_plan *pl, const kpi_practice *p, int i, size_t first, uint64_t *s)
{
    (void)p;
    rf_time created = 0, seen = 0;
    for (size_t k = first; k < pl->count; k++) {
        const kpi_step *st = &pl->steps[k];
        created = st->kind == KPI_CREATE ? st->at : created;
        seen = seen == 0 && st->kind == KPI_MOVE && st->to == RF_REFERRAL_SEEN ? st->at : seen;
    }
    int who = KPI_REFEREE0 + i;
    if (seen != 0) {
        if (kpi_chance(s, 70)) {
            plan_event(pl, who, seen + 60, RF_CLIENT_EVENT_VISIT_COMPLETED, RF_UNSET, 0);
            /* Some come back: referred clients are retained, or not. */
            for (int n = (int)kpi_between(s, 0, 3); n > 0; n--) {
                plan_event(pl, who, seen + kpi_between(s, DAY, 40 * DAY), RF_CLIENT_EVENT_VISIT_COMPLETED,
                           RF_UNSET, 0);
            }
        }
        if (kpi_chance(s, 50)) {
            plan_event(pl, who, seen + kpi_between(s, HOUR, 10 * DAY), RF_CLIENT_EVENT_NPS, score(s), 0);
        }
        if (kpi_chance(s, 50)) {
            plan_revenue(pl, who, seen + HOUR, seen + 20 * DAY, (int)kpi_between(s, 1, 3), s);
        }
    } else if (kpi_chance(s, 10)) {
        plan_event(pl, who, created + kpi_between(s, HOUR, 5 * DAY), RF_CLIENT_EVENT_NPS, score(s), 0);
    }
}
