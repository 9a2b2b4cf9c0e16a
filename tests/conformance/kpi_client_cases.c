/* Conformance: the client-based KPI figures on small practices built by
 * hand — referral rate and k-factor, advocates and the 18-month window, close
 * rates of leads, revenue and retention by group, the practitioner filter,
 * mean NPS and its correlation with referrals made. Every expected figure is
 * worked out in the comments next to it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kpi_client_support.h"

/* Every client figure of an empty store: only REVENUE_REFERRED (with a currency) is defined, as 0. */
static void empty_store_defines_no_client_figure(void **state)
{
    fixture *fx = *state;
    rf_kpi_filter f = kc_period(T0 - 30 * DAY, T0);
    rf_kpi_report *r = kc_compute(fx, f);
    for (int k = RF_KPI_REFERRAL_RATE; k < RF_KPI_COUNT; k++) {
        kc_undefined(r, (rf_kpi)k, 0, 0);
    }
    rf_kpi_report_free(r);
    f.currency = "EUR";
    r = kc_compute(fx, f);
    for (int k = RF_KPI_REFERRAL_RATE; k < RF_KPI_COUNT; k++) {
        if (k == RF_KPI_REVENUE_REFERRED || k == RF_KPI_REWARD_COST) {
            kc_expect(r, (rf_kpi)k, 0, 1, 0.0);
        } else {
            kc_undefined(r, (rf_kpi)k, 0, 0);
        }
    }
    rf_kpi_report_free(r);
}

#define F (T0 + 400 * DAY)
#define TO (F + 30 * DAY)

static void referral_rate_and_k_factor(void **state)
{
    fixture *fx = *state;
    rf_program *p1 = outbox_program(fx, "Friends"), *p2 = outbox_program(fx, "Family");
    /* Clients before the period: active at its start when the first visit is
     * before F and they were active in [F - 365 d, F). */
    rf_party *a = kc_client(fx, "A", F - 100 * DAY, NULL);     /* yes: first visit in the year */
    rf_party *b = kc_client(fx, "B", F - 400 * DAY, NULL);     /* no: last visit F - 366 d */
    rf_party *c = kc_client(fx, "C", F - 365 * DAY, NULL);     /* yes: first visit on the window's start */
    rf_party *d = kc_client(fx, "D", F - 365 * DAY - 1, NULL); /* no: a second before it */
    rf_party *h = kc_client(fx, "H", F - 400 * DAY, NULL);     /* yes: a visit at F - 200 d */
    rf_party *g = kc_client(fx, "G", F - 500 * DAY, NULL);     /* yes: a visit at F - 1 */
    rf_party *n1 = kc_client(fx, "N1", F + DAY, NULL);         /* new, referred in P1, MANUAL, PHONE */
    rf_party *n2 = kc_client(fx, "N2", F + 5 * DAY, NULL);     /* new, referral entered in error */
    rf_party *n3 = kc_client(fx, "N3", F + 29 * DAY, NULL);    /* new, referred in P2, INTAKE, SMS */
    rf_party *n4 = kc_client(fx, "N4", TO, NULL);              /* not new: first visit at `to` */
    rf_party *n5 = kc_client(fx, "N5", F, NULL);               /* new, not referred */
    rf_party *lead = kc_party(fx, RF_PARTY_LEAD, "Lead");      /* referred, but no client */
    rf_referral *r1 =
        kc_refer(fx, p1, rf_party_id(a), rf_party_id(n1), RF_SOURCE_MANUAL, RF_CHANNEL_PHONE, NULL);
    rf_referral *r2 =
        kc_refer(fx, p1, rf_party_id(a), rf_party_id(n2), RF_SOURCE_MANUAL, RF_CHANNEL_PHONE, NULL);
    assert_ok(advance_to(fx, &r2, RF_REFERRAL_ENTERED_IN_ERROR));
    rf_referral *r3 =
        kc_refer(fx, p2, rf_party_id(a), rf_party_id(n3), RF_SOURCE_INTAKE, RF_CHANNEL_SMS, NULL);
    rf_referral *r4 =
        kc_refer(fx, p1, rf_party_id(a), rf_party_id(n4), RF_SOURCE_MANUAL, RF_CHANNEL_PHONE, NULL);
    rf_referral *r5 =
        kc_refer(fx, p1, rf_party_id(a), rf_party_id(lead), RF_SOURCE_MANUAL, RF_CHANNEL_PHONE, NULL);
    fx->now = TO + 60 * DAY;
    kc_visit(fx, a, F - 10 * DAY);
    kc_visit(fx, b, F - 366 * DAY);
    kc_visit(fx, g, F - 1);
    kc_visit(fx, h, F - 200 * DAY);

    /* New: N1, N2, N3, N5; referred among them N1 and N3 (received before the
     * period: any time counts). Active at the start: A, C, G, H. */
    rf_kpi_report *r = kc_compute(fx, kc_period(F, TO));
    kc_expect(r, RF_KPI_REFERRAL_RATE, 2, 4, 0.5);
    kc_expect(r, RF_KPI_K_FACTOR, 2, 4, 0.5);
    rf_kpi_report_free(r);

    /* The programme, channel and source filters decide who is referred. */
    rf_kpi_filter f = kc_period(F, TO);
    f.program_id = rf_program_id(p2);
    r = kc_compute(fx, f);
    kc_expect(r, RF_KPI_REFERRAL_RATE, 1, 4, 0.25); /* N3 */
    kc_expect(r, RF_KPI_K_FACTOR, 1, 4, 0.25);
    rf_kpi_report_free(r);
    f = kc_period(F, TO);
    f.channel = RF_CHANNEL_PHONE;
    r = kc_compute(fx, f);
    kc_expect(r, RF_KPI_REFERRAL_RATE, 1, 4, 0.25); /* N1 */
    rf_kpi_report_free(r);
    f = kc_period(F, TO);
    f.source = RF_SOURCE_INTAKE;
    r = kc_compute(fx, f);
    kc_expect(r, RF_KPI_REFERRAL_RATE, 1, 4, 0.25); /* N3 */
    rf_kpi_report_free(r);
    f = kc_period(F, TO);
    f.channel = RF_CHANNEL_EMAIL;
    r = kc_compute(fx, f);
    kc_expect(r, RF_KPI_REFERRAL_RATE, 0, 4, 0.0);
    kc_expect(r, RF_KPI_K_FACTOR, 0, 4, 0.0);
    rf_kpi_report_free(r);

    /* No new client: the rate is not defined. Active at F + 100 d: first
     * visit or a visit in [F - 265 d, F + 100 d): A, G, H, N1..N5. */
    r = kc_compute(fx, kc_period(F + 100 * DAY, F + 130 * DAY));
    kc_undefined(r, RF_KPI_REFERRAL_RATE, 0, 0);
    kc_expect(r, RF_KPI_K_FACTOR, 0, 8, 0.0);
    rf_kpi_report_free(r);
    /* Nobody active before a period long ago. */
    r = kc_compute(fx, kc_period(T0 - 900 * DAY, T0 - 800 * DAY));
    kc_undefined(r, RF_KPI_K_FACTOR, 0, 0);
    rf_kpi_report_free(r);

    rf_referral *refs[] = {r1, r2, r3, r4, r5};
    for (size_t i = 0; i < 5; i++) {
        rf_referral_free(refs[i]);
    }
    rf_party *parties[] = {a, b, c, d, g, h, n1, n2, n3, n4, n5, lead};
    for (size_t i = 0; i < sizeof parties / sizeof *parties; i++) {
        rf_party_free(parties[i]);
    }
    rf_program_free(p1);
    rf_program_free(p2);
}

#undef F
#undef TO
#define F (T0 + 10 * DAY)
#define TO (F + 30 * DAY)

/* Referrals made by @who received at @at (the clock moves there and stays). */
static void made_at(fixture *fx, const rf_program *p, const rf_party *who, rf_time at)
{
    assert_true(at >= fx->now);
    fx->now = at;
    kc_refer_fresh(fx, p, rf_party_id(who), NULL);
}

static void advocates_and_the_18_month_window(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Friends");
    rf_party *m = kc_client(fx, "M", F + 2 * DAY, NULL);  /* new */
    rf_party *q = kc_client(fx, "Q", F + 20 * DAY, NULL); /* new */
    rf_party *o = kc_client(fx, "O", F - 50 * DAY, NULL); /* visit F + 3 d: active, made one */
    rf_party *s = kc_client(fx, "S", F - 50 * DAY, NULL); /* not active, made one */
    rf_party *u = kc_client(fx, "U", F - 50 * DAY, NULL); /* active, made one entered in error */
    rf_party *v = kc_client(fx, "V", F - 50 * DAY, NULL); /* active, made one before the period */
    made_at(fx, p, v, F - 5 * DAY);
    made_at(fx, p, m, F + DAY); /* M's first: in the period, before the first visit */
    made_at(fx, p, o, F + 4 * DAY);
    made_at(fx, p, s, F + 5 * DAY);
    fx->now = F + 6 * DAY;
    rf_referral *error = kc_refer(fx, p, rf_party_id(u), NULL, RF_SOURCE_MANUAL, RF_CHANNEL_UNSET, NULL);
    assert_ok(advance_to(fx, &error, RF_REFERRAL_ENTERED_IN_ERROR));
    made_at(fx, p, m, F + 12 * DAY);            /* first visit + 10 d */
    made_at(fx, p, q, F + 120 * DAY);           /* Q's first visit + 100 d */
    made_at(fx, p, m, F + 2 * DAY + 547 * DAY); /* still within 548 days */
    made_at(fx, p, m, F + 2 * DAY + 548 * DAY); /* not: 548 days after */
    kc_visit(fx, o, F + 3 * DAY);
    kc_visit(fx, u, F + 6 * DAY);
    kc_visit(fx, v, F + 7 * DAY);

    /* Active: M, Q (first visits), O, U, V; advocates (a cohort referral): M, O. */
    rf_kpi_report *r = kc_compute(fx, kc_period(F, TO));
    kc_expect(r, RF_KPI_ADVOCATE_RATE, 2, 5, 0.4);
    /* M: first visit + 10 d and + 547 d (not the one before it, not + 548 d); Q: + 100 d. */
    kc_expect(r, RF_KPI_REFERRALS_PER_CLIENT_18M, 3, 2, 1.5);
    rf_kpi_report_free(r);
    /* A period holding only O's visit and referral. */
    r = kc_compute(fx, kc_period(F + 3 * DAY, F + 4 * DAY + 1));
    kc_expect(r, RF_KPI_ADVOCATE_RATE, 1, 1, 1.0);
    kc_undefined(r, RF_KPI_REFERRALS_PER_CLIENT_18M, 0, 0);
    rf_kpi_report_free(r);
    /* Nobody active. */
    r = kc_compute(fx, kc_period(F + 200 * DAY, F + 230 * DAY));
    kc_undefined(r, RF_KPI_ADVOCATE_RATE, 0, 0);
    rf_kpi_report_free(r);

    rf_referral_free(error);
    rf_party *parties[] = {m, q, o, s, u, v};
    for (size_t i = 0; i < sizeof parties / sizeof *parties; i++) {
        rf_party_free(parties[i]);
    }
    rf_program_free(p);
}

static void close_rates_of_referred_and_other_leads(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Friends"), *other = outbox_program(fx, "Other");
    rf_party *referrer = kc_client(fx, "Ruth", T0 - 100 * DAY, NULL);
    rf_party *early = kc_party(fx, RF_PARTY_LEAD, "Early"); /* created before the period */
    fx->now = F + DAY;
    rf_referral_free(kc_refer(fx, p, rf_party_id(referrer), rf_party_id(early), 0, 0, NULL));
    rf_party *l1 = kc_party(fx, RF_PARTY_LEAD, "L1");   /* referred, open */
    rf_party *l2 = kc_party(fx, RF_PARTY_LEAD, "L2");   /* referred, closed */
    rf_party *l3 = kc_party(fx, RF_PARTY_LEAD, "L3");   /* referred, closed */
    rf_party *l4 = kc_party(fx, RF_PARTY_LEAD, "L4");   /* open */
    rf_party *l5 = kc_party(fx, RF_PARTY_LEAD, "L5");   /* closed */
    rf_party *c6 = kc_party(fx, RF_PARTY_CLIENT, "C6"); /* a client from the start: closed */
    rf_party *l7 = kc_party(fx, RF_PARTY_LEAD, "L7");   /* its referral entered in error: open */
    rf_party *partner = kc_party(fx, RF_PARTY_PARTNER, "Elm St surgery");
    rf_party *staff = kc_party(fx, RF_PARTY_STAFF, "Dr Rowe");
    const rf_party *referred[] = {l1, l2, l3};
    for (size_t i = 0; i < 3; i++) {
        rf_referral_free(kc_refer(fx, p, rf_party_id(referrer), rf_party_id(referred[i]), 0, 0, NULL));
    }
    rf_referral *error = kc_refer(fx, p, rf_party_id(referrer), rf_party_id(l7), 0, 0, NULL);
    assert_ok(advance_to(fx, &error, RF_REFERRAL_ENTERED_IN_ERROR));
    kc_convert(fx, l2);
    kc_convert(fx, l3);
    kc_convert(fx, l5);
    fx->now = TO;
    rf_party *late = kc_party(fx, RF_PARTY_LEAD, "Late"); /* created at `to` */
    rf_referral_free(kc_refer(fx, p, rf_party_id(referrer), rf_party_id(late), 0, 0, NULL));

    rf_kpi_report *r = kc_compute(fx, kc_period(F, TO));
    kc_expect(r, RF_KPI_CLOSE_RATE_REFERRED, 2, 3, 2.0 / 3.0); /* L1, L2, L3 */
    kc_expect(r, RF_KPI_CLOSE_RATE_NON_REFERRED, 2, 4, 0.5);   /* L4, L5, C6, L7 */
    rf_kpi_report_free(r);
    /* In another programme nobody is referred. */
    rf_kpi_filter f = kc_period(F, TO);
    f.program_id = rf_program_id(other);
    r = kc_compute(fx, f);
    kc_undefined(r, RF_KPI_CLOSE_RATE_REFERRED, 0, 0);
    kc_expect(r, RF_KPI_CLOSE_RATE_NON_REFERRED, 4, 7, 4.0 / 7.0);
    rf_kpi_report_free(r);
    /* No lead before the period's start but the referrer and Early. */
    r = kc_compute(fx, kc_period(T0, F));
    kc_expect(r, RF_KPI_CLOSE_RATE_REFERRED, 0, 1, 0.0);     /* Early */
    kc_expect(r, RF_KPI_CLOSE_RATE_NON_REFERRED, 1, 1, 1.0); /* Ruth */
    rf_kpi_report_free(r);

    rf_referral_free(error);
    rf_party *parties[] = {referrer, early, l1, l2, l3, l4, l5, c6, l7, partner, staff, late};
    for (size_t i = 0; i < sizeof parties / sizeof *parties; i++) {
        rf_party_free(parties[i]);
    }
    rf_program_free(p);
    rf_program_free(other);
}

#undef F
#undef TO
#define F (T0 + 100 * DAY)
#define TO (F + 30 * DAY)

static void revenue_and_retention_by_group(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Friends");
    rf_party *ruth = kc_client(fx, "Ruth", T0 - 300 * DAY, NULL);
    /* Referred: the preceding window is [F - 30 d, F). */
    rf_party *r1 = kc_client(fx, "R1", F - 60 * DAY, NULL); /* visits F - 20 d and F + 10 d: kept */
    rf_party *r2 = kc_client(fx, "R2", F - 25 * DAY, NULL); /* first visit before, nothing since: lost */
    rf_party *r3 = kc_client(fx, "R3", F + 5 * DAY, NULL);  /* new */
    /* Not referred. */
    rf_party *n1 = kc_client(fx, "N1", F - 200 * DAY, NULL); /* visits F - 10 d, F + 1 d: kept */
    rf_party *n2 = kc_client(fx, "N2", F - 200 * DAY, NULL); /* visit F - 30 d: lost */
    rf_party *n3 = kc_client(fx, "N3", F - 200 * DAY, NULL); /* visits F - 30 d - 1, F + 29 d: only now */
    rf_party *n4 = kc_client(fx, "N4", F - 200 * DAY, NULL); /* visit at `to`: neither */
    rf_party *n5 = kc_client(fx, "N5", F - 200 * DAY, NULL); /* visits F - 5 d, F + 2 d: kept */
    rf_party *lead = kc_party(fx, RF_PARTY_LEAD, "Lead");    /* referred, no client */
    const rf_party *referred[] = {r1, r2, r3, lead};
    for (size_t i = 0; i < 4; i++) {
        rf_referral_free(kc_refer(fx, p, rf_party_id(ruth), rf_party_id(referred[i]), 0, 0, NULL));
    }
    fx->now = TO + DAY;
    kc_visit(fx, r1, F - 20 * DAY);
    kc_visit(fx, r1, F + 10 * DAY);
    kc_visit(fx, n1, F - 10 * DAY);
    kc_visit(fx, n1, F + DAY);
    kc_visit(fx, n2, F - 30 * DAY);
    kc_visit(fx, n3, F - 30 * DAY - 1);
    kc_visit(fx, n3, F + 29 * DAY);
    kc_visit(fx, n4, TO);
    kc_visit(fx, n5, F - 5 * DAY);
    kc_visit(fx, n5, F + 2 * DAY);
    kc_revenue(fx, r1, F + 10 * DAY, 5000, "EUR");
    kc_revenue(fx, r1, F + 11 * DAY, 2500, "EUR");
    kc_revenue(fx, r1, F + 12 * DAY, 9999, "USD");
    kc_revenue(fx, r1, F - 1, 7000, "EUR");       /* before the period */
    kc_revenue(fx, r2, F + 3 * DAY, 1000, "EUR"); /* R2 is not active, but it is R2's revenue */
    kc_revenue(fx, r3, TO - 1, 500, "EUR");
    kc_revenue(fx, n1, F, 3000, "EUR");
    kc_revenue(fx, n4, TO, 4000, "EUR");        /* at `to` */
    kc_revenue(fx, lead, F + DAY, 8000, "EUR"); /* no client */

    rf_kpi_filter f = kc_period(F, TO);
    f.currency = "EUR";
    rf_kpi_report *r = kc_compute(fx, f);
    /* Referred: 5000 + 2500 + 1000 + 500; active now R1, R3. Not referred:
     * 3000; active now N1, N3, N5. */
    kc_expect(r, RF_KPI_REVENUE_REFERRED, 9000, 1, 9000.0);
    kc_expect(r, RF_KPI_REVENUE_PER_CLIENT_REFERRED, 9000, 2, 4500.0);
    kc_expect(r, RF_KPI_REVENUE_PER_CLIENT_NON_REFERRED, 3000, 3, 1000.0);
    /* Active before: R1, R2 (R1 kept); N1, N2, N5 (N1, N5 kept). Ruth is
     * neither (first visit long ago, no visit). */
    kc_expect(r, RF_KPI_RETENTION_REFERRED, 1, 2, 0.5);
    kc_expect(r, RF_KPI_RETENTION_NON_REFERRED, 2, 3, 2.0 / 3.0);
    rf_kpi_report_free(r);
    f.currency = "USD";
    r = kc_compute(fx, f);
    kc_expect(r, RF_KPI_REVENUE_REFERRED, 9999, 1, 9999.0);
    kc_expect(r, RF_KPI_REVENUE_PER_CLIENT_REFERRED, 9999, 2, 4999.5);
    kc_expect(r, RF_KPI_REVENUE_PER_CLIENT_NON_REFERRED, 0, 3, 0.0);
    rf_kpi_report_free(r);
    f.currency = "GBP";
    r = kc_compute(fx, f);
    kc_expect(r, RF_KPI_REVENUE_REFERRED, 0, 1, 0.0);
    kc_expect(r, RF_KPI_REVENUE_PER_CLIENT_REFERRED, 0, 2, 0.0);
    rf_kpi_report_free(r);
    /* No currency: no money figure; retention is no money figure. */
    f.currency = NULL;
    r = kc_compute(fx, f);
    kc_undefined(r, RF_KPI_REVENUE_REFERRED, 0, 0);
    kc_undefined(r, RF_KPI_REVENUE_PER_CLIENT_REFERRED, 0, 0);
    kc_undefined(r, RF_KPI_REVENUE_PER_CLIENT_NON_REFERRED, 0, 0);
    kc_expect(r, RF_KPI_RETENTION_REFERRED, 1, 2, 0.5);
    rf_kpi_report_free(r);
    /* A currency that is not ISO 4217 (or not in capitals) is refused, and changes nothing. */
    char *before = snapshot(fx->store);
    const char *bad[] = {"ZZZ", "eur", "EURO", ""};
    for (size_t i = 0; i < 4; i++) {
        f.currency = bad[i];
        rf_kpi_report *none = (rf_kpi_report *)1;
        assert_status(rf_kpi_compute(&none, fx->store, &f), RF_EINVALID);
        assert_null(none);
        assert_message_has("currency");
    }
    assert_unchanged(fx->store, before);
    free(before);
    /* The week before the period. */
    f = kc_period(F - 7 * DAY, F);
    f.currency = "EUR";
    r = kc_compute(fx, f);
    kc_expect(r, RF_KPI_REVENUE_REFERRED, 7000, 1, 7000.0);
    kc_expect(r, RF_KPI_REVENUE_PER_CLIENT_NON_REFERRED, 0, 1, 0.0); /* N5 */
    kc_undefined(r, RF_KPI_REVENUE_PER_CLIENT_REFERRED, 7000, 0);    /* R1 was not active then */
    /* Active in [F - 14 d, F - 7 d): N1 (visit F - 10 d), not active since. */
    kc_undefined(r, RF_KPI_RETENTION_REFERRED, 0, 0);
    kc_expect(r, RF_KPI_RETENTION_NON_REFERRED, 0, 1, 0.0);
    rf_kpi_report_free(r);

    rf_party *parties[] = {ruth, r1, r2, r3, n1, n2, n3, n4, n5, lead};
    for (size_t i = 0; i < sizeof parties / sizeof *parties; i++) {
        rf_party_free(parties[i]);
    }
    rf_program_free(p);
}

static void practitioner_filter_takes_assigned_clients(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Friends");
    rf_party *s1 = kc_party(fx, RF_PARTY_STAFF, "Dr One"), *s2 = kc_party(fx, RF_PARTY_STAFF, "Dr Two");
    rf_party *ruth = kc_client(fx, "Ruth", T0 - 300 * DAY, NULL);
    rf_party *a1 = kc_client(fx, "A1", F + DAY, rf_party_id(s1));     /* referred by a referral S2 took */
    rf_party *a2 = kc_client(fx, "A2", F + 2 * DAY, rf_party_id(s1)); /* makes a referral S2 takes */
    rf_party *b1 = kc_client(fx, "B1", F + 3 * DAY, rf_party_id(s2)); /* referred */
    rf_party *u1 = kc_client(fx, "U1", F + 4 * DAY, NULL);
    rf_referral_free(kc_refer(fx, p, rf_party_id(ruth), rf_party_id(a1), 0, 0, rf_party_id(s2)));
    rf_referral_free(kc_refer(fx, p, rf_party_id(ruth), rf_party_id(b1), 0, 0, NULL));
    fx->now = F + 5 * DAY;
    kc_refer_fresh(fx, p, rf_party_id(a1), rf_party_id(s1));
    kc_refer_fresh(fx, p, rf_party_id(a2), rf_party_id(s2));
    kc_nps(fx, a1, F + 5 * DAY, 8);
    kc_nps(fx, b1, F + 5 * DAY, 4);
    kc_nps(fx, u1, F + 5 * DAY, 9);

    /* Everyone: new A1, A2, B1, U1 (referred A1, B1), all active, advocates A1, A2. */
    rf_kpi_report *r = kc_compute(fx, kc_period(F, TO));
    kc_expect(r, RF_KPI_REFERRAL_RATE, 2, 4, 0.5);
    kc_expect(r, RF_KPI_ADVOCATE_RATE, 2, 4, 0.5);
    kc_expect(r, RF_KPI_REFERRALS_PER_CLIENT_18M, 2, 4, 0.5);
    kc_expect(r, RF_KPI_MEAN_NPS, 21, 3, 7.0);
    rf_kpi_report_free(r);
    /* S1's clients A1, A2: A1 is referred whoever took its referral; only
     * A1's referral was taken by S1. */
    rf_kpi_filter f = kc_period(F, TO);
    f.practitioner_id = rf_party_id(s1);
    r = kc_compute(fx, f);
    kc_expect(r, RF_KPI_REFERRAL_RATE, 1, 2, 0.5);
    kc_expect(r, RF_KPI_ADVOCATE_RATE, 1, 2, 0.5);
    kc_expect(r, RF_KPI_REFERRALS_PER_CLIENT_18M, 1, 2, 0.5);
    kc_expect(r, RF_KPI_MEAN_NPS, 8, 1, 8.0);
    kc_undefined(r, RF_KPI_NPS_REFERRAL_CORRELATION, 0, 1);
    rf_kpi_report_free(r);
    f.practitioner_id = rf_party_id(s2);
    r = kc_compute(fx, f);
    kc_expect(r, RF_KPI_REFERRAL_RATE, 1, 1, 1.0);
    kc_expect(r, RF_KPI_ADVOCATE_RATE, 0, 1, 0.0);
    kc_expect(r, RF_KPI_MEAN_NPS, 4, 1, 4.0);
    rf_kpi_report_free(r);
    /* A practitioner with no clients. */
    rf_party *s3 = kc_party(fx, RF_PARTY_STAFF, "Dr Three");
    f.practitioner_id = rf_party_id(s3);
    r = kc_compute(fx, f);
    kc_undefined(r, RF_KPI_REFERRAL_RATE, 0, 0);
    kc_undefined(r, RF_KPI_ADVOCATE_RATE, 0, 0);
    kc_undefined(r, RF_KPI_MEAN_NPS, 0, 0);
    rf_kpi_report_free(r);

    rf_party *parties[] = {s1, s2, s3, ruth, a1, a2, b1, u1};
    for (size_t i = 0; i < sizeof parties / sizeof *parties; i++) {
        rf_party_free(parties[i]);
    }
    rf_program_free(p);
}

/* @who makes @n referrals now. */
static void make(fixture *fx, const rf_program *p, const rf_party *who, int n)
{
    for (int i = 0; i < n; i++) {
        kc_refer_fresh(fx, p, rf_party_id(who), NULL);
    }
}

static void correlation_of(const rf_kpi_report *r, int64_t clients, double expected)
{
    double v = -2.0;
    assert_int_equal(rf_kpi_report_value(r, RF_KPI_NPS_REFERRAL_CORRELATION, &v), 1);
    assert_int_equal(rf_kpi_report_numerator(r, RF_KPI_NPS_REFERRAL_CORRELATION), 0);
    assert_int_equal(rf_kpi_report_denominator(r, RF_KPI_NPS_REFERRAL_CORRELATION), clients);
    if (fabs(v - expected) > 1e-12) {
        print_error("r is %.17g, expected %.17g\n", v, expected);
        fail();
    }
}

static void nps_mean_and_correlation(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Friends");
    rf_party *x = kc_client(fx, "X", T0 - 100 * DAY, NULL);
    rf_party *y = kc_client(fx, "Y", T0 - 100 * DAY, NULL);
    rf_party *z = kc_client(fx, "Z", T0 - 100 * DAY, NULL);
    rf_party *k = kc_client(fx, "K", T0 - 100 * DAY, NULL); /* refers, never scored */
    rf_party *w = kc_party(fx, RF_PARTY_LEAD, "W");         /* scored, no client */
    fx->now = F + DAY;
    make(fx, p, x, 1);
    make(fx, p, y, 3);
    make(fx, p, z, 2);
    make(fx, p, k, 5);
    kc_nps(fx, x, F - 1, 10); /* before the period */
    kc_nps(fx, x, F, 0);
    kc_nps(fx, x, F + DAY, 2);
    kc_nps(fx, y, F + DAY, 2);
    kc_nps(fx, z, F + DAY, 3);
    kc_nps(fx, w, F + DAY, 9);
    /* Means 1, 2, 3 against referrals 1, 3, 2: deviations (-1, 0, 1) and
     * (-1, 1, 0), so r = 1 / sqrt(2 * 2) = 0.5. The mean NPS is over scores:
     * (0 + 2 + 2 + 3) / 4. */
    rf_kpi_report *r = kc_compute(fx, kc_period(F, TO));
    kc_expect(r, RF_KPI_MEAN_NPS, 7, 4, 1.75);
    correlation_of(r, 3, 0.5);
    rf_kpi_report_free(r);

    /* Scores that do not vary: no correlation. */
    fx->now = F + 41 * DAY;
    make(fx, p, x, 1);
    make(fx, p, y, 2);
    kc_nps(fx, x, F + 41 * DAY, 8);
    kc_nps(fx, y, F + 41 * DAY, 8);
    /* Referrals that do not vary (none made). */
    fx->now = F + 81 * DAY;
    kc_nps(fx, x, F + 81 * DAY, 5);
    kc_nps(fx, y, F + 81 * DAY, 9);
    /* One client scored. */
    fx->now = F + 121 * DAY;
    kc_nps(fx, z, F + 121 * DAY, 7);
    r = kc_compute(fx, kc_period(F + 40 * DAY, F + 70 * DAY));
    kc_expect(r, RF_KPI_MEAN_NPS, 16, 2, 8.0);
    kc_undefined(r, RF_KPI_NPS_REFERRAL_CORRELATION, 0, 2);
    rf_kpi_report_free(r);
    r = kc_compute(fx, kc_period(F + 80 * DAY, F + 110 * DAY));
    kc_expect(r, RF_KPI_MEAN_NPS, 14, 2, 7.0);
    kc_undefined(r, RF_KPI_NPS_REFERRAL_CORRELATION, 0, 2);
    rf_kpi_report_free(r);
    r = kc_compute(fx, kc_period(F + 120 * DAY, F + 150 * DAY));
    kc_expect(r, RF_KPI_MEAN_NPS, 7, 1, 7.0);
    kc_undefined(r, RF_KPI_NPS_REFERRAL_CORRELATION, 0, 1);
    rf_kpi_report_free(r);
    /* A perfect negative line: means 8, 6, 4 (X 8, Y 6, Z 4) against 0, 1, 2. */
    fx->now = F + 161 * DAY;
    make(fx, p, y, 1);
    make(fx, p, z, 2);
    kc_nps(fx, x, F + 161 * DAY, 8);
    kc_nps(fx, y, F + 161 * DAY, 6);
    kc_nps(fx, z, F + 161 * DAY, 4);
    r = kc_compute(fx, kc_period(F + 160 * DAY, F + 190 * DAY));
    kc_expect(r, RF_KPI_MEAN_NPS, 18, 3, 6.0);
    correlation_of(r, 3, -1.0);
    rf_kpi_report_free(r);

    rf_party *parties[] = {x, y, z, k, w};
    for (size_t i = 0; i < sizeof parties / sizeof *parties; i++) {
        rf_party_free(parties[i]);
    }
    rf_program_free(p);
}

const struct CMUnitTest kpi_client_cases[] = {
    CASE(empty_store_defines_no_client_figure),
    CASE(referral_rate_and_k_factor),
    CASE(advocates_and_the_18_month_window),
    CASE(close_rates_of_referred_and_other_leads),
    CASE(revenue_and_retention_by_group),
    CASE(practitioner_filter_takes_assigned_clients),
    CASE(nps_mean_and_correlation),
};
const size_t kpi_client_case_count = sizeof kpi_client_cases / sizeof kpi_client_cases[0];
