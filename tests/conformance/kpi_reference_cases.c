/* Conformance: the KPI reference for every figure and every table. The
 * seeded practice of kpi_practice.c (clients, leads, referees who become
 * clients, visits, NPS, revenue in two currencies, asks, touches, an outbox
 * drained at planned delays, grants issued and reversed), and each of the 37
 * figures and every cell of the six tables computed by hand from the test's
 * own record, for the whole time, the books' period, a period in the middle,
 * each programme, a channel, sources, each practitioner, each currency, no
 * currency and an empty period. Every difference is printed before failing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kpi_support.h"

#define END (T0 + 60 * DAY + 6 * HOUR)
#define BOOKS_FROM T0

/* The practice exercises the figure: a share strictly between none and all, or a count above 0. */
static void assert_exercised(const kpi_expect *e)
{
    static const rf_kpi shares[] = {RF_KPI_LOOP_CLOSURE,          RF_KPI_THANKS_WITHIN_48H,
                                    RF_KPI_REFERRAL_RATE,         RF_KPI_ADVOCATE_RATE,
                                    RF_KPI_CLOSE_RATE_REFERRED,   RF_KPI_CLOSE_RATE_NON_REFERRED,
                                    RF_KPI_RETENTION_NON_REFERRED};
    static const rf_kpi positive[] = {RF_KPI_REFERRALS_PER_CLIENT_18M,
                                      RF_KPI_REVENUE_REFERRED,
                                      RF_KPI_REVENUE_PER_CLIENT_REFERRED,
                                      RF_KPI_REVENUE_PER_CLIENT_NON_REFERRED,
                                      RF_KPI_REWARD_COST,
                                      RF_KPI_K_FACTOR,
                                      RF_KPI_MEAN_NPS};
    for (size_t i = 0; i < sizeof shares / sizeof shares[0]; i++) {
        rf_kpi k = shares[i];
        if (e->num[k] <= 0 || e->num[k] >= e->den[k]) {
            fail_msg("%s is %lld / %lld: the practice does not exercise it", rf_kpi_name(k),
                     (long long)e->num[k], (long long)e->den[k]);
        }
    }
    for (size_t i = 0; i < sizeof positive / sizeof positive[0]; i++) {
        rf_kpi k = positive[i];
        if (!e->defined[k] || e->num[k] <= 0) {
            fail_msg("%s is not exercised (%lld / %lld)", rf_kpi_name(k), (long long)e->num[k],
                     (long long)e->den[k]);
        }
    }
    assert_true(e->defined[RF_KPI_ROI] && e->defined[RF_KPI_NPS_REFERRAL_CORRELATION]);
    assert_true(e->den[RF_KPI_NPS_REFERRAL_CORRELATION] > 10);
}

static void print_expect(const char *what, const kpi_expect *e)
{
    for (int k = 1; k < RF_KPI_COUNT; k++) {
        printf("    [%s] %-32s defined %d  %lld / %lld  = %.6g\n", what, rf_kpi_name((rf_kpi)k),
               e->defined[k], (long long)e->num[k], (long long)e->den[k], e->value[k]);
    }
}

static void print_tables(const kpi_practice *p, kpi_scope scope)
{
    static kpi_table_expect t;
    for (int kind = RF_KPI_TABLE_FUNNEL; kind < RF_KPI_TABLE_KIND_COUNT; kind++) {
        kpi_expect_table(&t, p, (rf_kpi_table_kind)kind, scope);
        for (size_t r = 0; r < t.rows; r++) {
            printf("    %s %-12.12s %-14s", rf_kpi_table_kind_name((rf_kpi_table_kind)kind), t.key[r],
                   t.label[r]);
            for (int c = 1; c < RF_KPI_COLUMNS; c++) {
                if (t.cell[r][c].defined) {
                    printf(" %s=%.6g", rf_kpi_column_name((rf_kpi_column)c), t.cell[r][c].value);
                }
            }
            printf("\n");
        }
    }
}

typedef struct named_scope {
    const char *name;
    kpi_scope scope;
} named_scope;

static size_t scopes_of(named_scope *out, const kpi_practice *p)
{
    (void)p;
    size_t n = 0;
    kpi_scope books = kpi_period(BOOKS_FROM, END);
    books.currency = "EUR";
    out[n++] = (named_scope){"books EUR", books};
    kpi_scope s = kpi_period(T0 - 400 * DAY, END + DAY);
    s.currency = "EUR";
    out[n++] = (named_scope){"whole time", s};
    s = kpi_period(T0 + 10 * DAY, T0 + 30 * DAY);
    s.currency = "GBP";
    out[n++] = (named_scope){"middle GBP", s};
    s = kpi_period(T0 - 60 * DAY, T0);
    s.currency = "EUR";
    out[n++] = (named_scope){"before the books", s};
    s = kpi_period(T0 - 1000 * DAY, T0 - 900 * DAY);
    s.currency = "EUR";
    out[n++] = (named_scope){"empty", s};
    for (int k = 0; k < KPI_PROGRAMS; k++) {
        s = books;
        s.program = k;
        out[n++] = (named_scope){k == 0 ? "programme 0" : "programme 1", s};
    }
    for (int k = 0; k < KPI_STAFF; k++) {
        s = books;
        s.practitioner = k;
        out[n++] = (named_scope){k == 0 ? "practitioner 0" : "practitioner 1", s};
    }
    s = books;
    s.channel = RF_CHANNEL_SMS;
    out[n++] = (named_scope){"channel SMS", s};
    s = books;
    s.source = RF_SOURCE_PARTNER;
    out[n++] = (named_scope){"source PARTNER", s};
    s = books;
    s.source = RF_SOURCE_CODE;
    s.currency = "GBP";
    out[n++] = (named_scope){"source CODE GBP", s};
    s = books;
    s.currency = "GBP";
    out[n++] = (named_scope){"books GBP", s};
    s = books;
    s.currency = "USD";
    out[n++] = (named_scope){"books USD", s};
    s = books;
    s.currency = NULL;
    s.top = 3;
    s.control = "warm";
    out[n++] = (named_scope){"books, no currency, top 3, control warm", s};
    return n;
}

void kpi_reference_every_figure_and_table(void **state)
{
    fixture *fx = *state;
    kpi_practice *p = kpi_practice_build(fx, 20260301, END);
    named_scope scopes[24];
    size_t n = scopes_of(scopes, p);
    kpi_expect e;
    kpi_expect_compute(&e, p, scopes[0].scope, fx->now);
    if (getenv("KPI_PRINT") != NULL) {
        print_expect(scopes[0].name, &e);
        print_tables(p, scopes[0].scope);
    }
    assert_exercised(&e);
    /* Referred clients are retained from one window to the next in the middle of the books. */
    kpi_expect middle;
    kpi_expect_compute(&middle, p, scopes[2].scope, fx->now);
    if (getenv("KPI_PRINT") != NULL) {
        print_expect(scopes[2].name, &middle);
    }
    assert_true(middle.num[RF_KPI_RETENTION_REFERRED] > 0 &&
                middle.num[RF_KPI_RETENTION_REFERRED] < middle.den[RF_KPI_RETENTION_REFERRED]);
    int wrong = 0;
    for (size_t i = 0; i < n; i++) {
        int figures = kpi_scope_mismatches(fx, p, scopes[i].scope, &e);
        int cells = kpi_table_mismatches(fx, p, scopes[i].scope);
        if (figures + cells > 0) {
            print_error("^^^ scope '%s': %d figure(s), %d table cell(s) differ\n", scopes[i].name, figures,
                        cells);
        }
        wrong += figures + cells;
    }
    kpi_practice_free(p);
    if (wrong > 0) {
        fail_msg("%d figure(s) and cell(s) differ from the hand computation", wrong);
    }
}
