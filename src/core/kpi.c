/* KPIs over the referrals received in a period: counts, stage rates, exact
 * timing percentiles and SLA compliance, in streaming passes (bounded memory). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "referral/kpis.h"
#include "core/kpi_internal.h"
#include "core/outbox_internal.h"
#include "core/referrals.h"
#include "core/rewards.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/quantile.h"
#include "util/text.h"

const char *rf_kpi_name(rf_kpi kpi)
{
    static const char *const names[RF_KPI_COUNT] = {
        NULL,
        "RECEIVED",
        "SCHEDULED_RATE",
        "SEEN_RATE",
        "CLOSED_RATE",
        "COMPLETION_RATE",
        "LEAKAGE_RATE",
        "NO_SHOW_RATE",
        "HIT_RATE",
        "MISSING_DOCUMENT_RATE",
        "FIRST_RESPONSE_P50",
        "FIRST_RESPONSE_P90",
        "FIRST_RESPONSE_MEAN",
        "TO_SCHEDULE_P50",
        "TO_SCHEDULE_P90",
        "TO_SCHEDULE_MEAN",
        "TO_APPOINTMENT_P50",
        "TO_APPOINTMENT_P90",
        "TO_APPOINTMENT_MEAN",
        "SLA_URGENT",
        "SLA_ROUTINE",
        "LOOP_CLOSURE",
        "THANKS_WITHIN_48H",
        "REFERRAL_RATE",
        "ADVOCATE_RATE",
        "REFERRALS_PER_CLIENT_18M",
        "CLOSE_RATE_REFERRED",
        "CLOSE_RATE_NON_REFERRED",
        "REVENUE_REFERRED",
        "REVENUE_PER_CLIENT_REFERRED",
        "REVENUE_PER_CLIENT_NON_REFERRED",
        "RETENTION_REFERRED",
        "RETENTION_NON_REFERRED",
        "REWARD_COST",
        "ROI",
        "K_FACTOR",
        "MEAN_NPS",
        "NPS_REFERRAL_CORRELATION",
    };
    return kpi > 0 && kpi < RF_KPI_COUNT ? names[kpi] : "UNSET";
}

/* The three durations measured from receipt, each with exact p50 / p90 and a mean. */
enum { FIRST_RESPONSE, TO_SCHEDULE, TO_APPOINTMENT, DURATIONS };
static const rf_kpi duration_p50[DURATIONS] = {RF_KPI_FIRST_RESPONSE_P50, RF_KPI_TO_SCHEDULE_P50,
                                               RF_KPI_TO_APPOINTMENT_P50};

/* Referrals are scanned a page at a time: the outbox look-ups (loop closure,
 * thanks) need the backend, which a scan callback must not call. */
#define PAGE 512

typedef struct page_entry {
    char id[48]; /* UUID text */
    rf_time received;
    int seen;
} page_entry;

typedef struct computation {
    const rf_kpi_filter *filter;
    rf_sla_table sla;
    rf_time now;
    int pass;                  /* 1: counts and durations; later: durations only */
    rf__quantile q[DURATIONS]; /* exact percentiles, streamed */
    int more[DURATIONS];       /* this duration wants another pass */
    int64_t n[DURATIONS];      /* pass 1: how many values, and their exact sum (the mean's numerator) */
    int64_t sum[DURATIONS];
    rf_status error;
    int64_t count[RF_KPI_COUNT][2]; /* pass 1: numerator, denominator of each rate */
    page_entry page[PAGE];          /* pass 1: the page's cohort, for the outbox look-ups */
    size_t in_page, visited;
    char last_id[48];
} computation;

static void tally(computation *c, rf_kpi kpi, int in_numerator, int in_denominator)
{
    c->count[kpi][0] += in_numerator && in_denominator;
    c->count[kpi][1] += in_denominator;
}

static void count_referral(computation *c, const rf_referral_record *r)
{
    const rf_time *at = r->reached_at;
    int sched = at[RF_REFERRAL_SCHEDULED] != 0, seen = at[RF_REFERRAL_SEEN] != 0,
        closed = at[RF_REFERRAL_CLOSED] != 0;
    tally(c, RF_KPI_RECEIVED, 1, 1);
    tally(c, RF_KPI_SCHEDULED_RATE, sched, 1);
    tally(c, RF_KPI_SEEN_RATE, seen, 1);
    tally(c, RF_KPI_CLOSED_RATE, closed, 1);
    tally(c, RF_KPI_COMPLETION_RATE, seen || closed, 1);
    tally(c, RF_KPI_LEAKAGE_RATE,
          r->state == RF_REFERRAL_DECLINED || r->state == RF_REFERRAL_CANCELLED ||
              r->state == RF_REFERRAL_LOST,
          1);
    tally(c, RF_KPI_NO_SHOW_RATE, at[RF_REFERRAL_NO_SHOW] != 0, sched);
    tally(c, RF_KPI_HIT_RATE, r->documents_complete, 1);
    tally(c, RF_KPI_MISSING_DOCUMENT_RATE, at[RF_REFERRAL_NEEDS_INFO] != 0, 1);
    /* SLA: answered by the deadline, over those answered or already past it. */
    rf_time due = rf__sla_due(&c->sla, r), answered = rf__first_response(r);
    int counted = due != 0 && (answered != 0 || c->now >= due);
    tally(c, r->urgency == RF_URGENCY_URGENT ? RF_KPI_SLA_URGENT : RF_KPI_SLA_ROUTINE,
          answered != 0 && answered <= due, counted);
    page_entry *e = &c->page[c->in_page++];
    snprintf(e->id, sizeof e->id, "%s", r->id);
    e->received = at[RF_REFERRAL_RECEIVED];
    e->seen = seen;
}

static void feed(computation *c, int which, rf_time start, rf_time end)
{
    if (end != 0 && c->error == RF_OK && (c->pass == 1 || c->more[which])) {
        c->error = rf__quantile_add(&c->q[which], end - start);
        if (c->pass == 1) {
            c->n[which]++;
            if (__builtin_add_overflow(c->sum[which], end - start, &c->sum[which])) {
                c->error = rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT, "the sum of durations overflows");
            }
        }
    }
}

static int visit(const rf_referral_record *r, void *payload)
{
    computation *c = payload;
    snprintf(c->last_id, sizeof c->last_id, "%s", r->id);
    c->visited++;
    if (!rf__kpi_referral_passes(c->filter, r)) {
        return 0;
    }
    if (c->pass == 1) {
        count_referral(c, r);
    }
    rf_time received = r->reached_at[RF_REFERRAL_RECEIVED];
    feed(c, FIRST_RESPONSE, received, rf__first_response(r));
    feed(c, TO_SCHEDULE, received, r->reached_at[RF_REFERRAL_SCHEDULED]);
    feed(c, TO_APPOINTMENT, received, r->first_appointment_at);
    return c->error != RF_OK;
}

/* When the task @prefix:<id> was sent: 0 when it does not exist or was never sent. */
static rf_status task_sent_at(rf_store *store, const char *prefix, const char *id, int *exists, rf_time *sent)
{
    char key[RF_TASK_KEY_MAX];
    snprintf(key, sizeof key, "%s:%s", prefix, id);
    rf_task_record t;
    memset(&t, 0, sizeof t);
    int rc = store->backend->task_get_by_key(store->backend, store->practice, key, &t);
    *exists = rc == RF_OK;
    *sent = rc == RF_OK ? t.sent_at : 0;
    return rc == RF_ENOTFOUND ? RF_OK : (rf_status)rc;
}

/* Loop closure and thanks for the page's cohort: the outbox tasks the library keys by referral. */
static rf_status close_page(rf_store *store, computation *c)
{
    rf_status rc = RF_OK;
    if (store->backend->version < 4) {
        c->in_page = 0;
        return RF_OK;
    }
    for (size_t i = 0; rc == RF_OK && i < c->in_page; i++) {
        const page_entry *e = &c->page[i];
        int exists = 0;
        rf_time sent = 0;
        if ((rc = task_sent_at(store, RF__TASK_KEY_THANK, e->id, &exists, &sent)) != RF_OK) {
            break;
        }
        tally(c, RF_KPI_THANKS_WITHIN_48H, sent != 0 && sent - e->received <= RF__KPI_THANKS_WITHIN, exists);
        if (!e->seen) {
            continue;
        }
        rf_time visit_sent = 0, closure_sent = 0;
        if ((rc = task_sent_at(store, RF__TASK_KEY_PARTNER_VISIT, e->id, &exists, &visit_sent)) == RF_OK &&
            (rc = task_sent_at(store, RF__TASK_KEY_PARTNER_CLOSURE, e->id, &exists, &closure_sent)) ==
                RF_OK) {
            tally(c, RF_KPI_LOOP_CLOSURE, visit_sent != 0 || closure_sent != 0, 1);
        }
    }
    c->in_page = 0;
    return rc;
}

/* One pass over the period's referrals, a page at a time; then each duration
 * says whether it needs another. */
static rf_status run_pass(rf_store *store, computation *c, int *again)
{
    const rf_kpi_filter *f = c->filter;
    rf_status rc = RF_OK;
    c->last_id[0] = '\0';
    do {
        rf_referral_query q = {c->last_id[0] != '\0' ? c->last_id : NULL,
                               f->program_id,
                               NULL,
                               NULL,
                               NULL,
                               RF_DIRECTION_INBOUND,
                               f->from,
                               f->to,
                               PAGE};
        c->visited = 0;
        rc = (rf_status)store->backend->referral_scan(store->backend, store->practice, &q, visit, c);
        rc = rc != RF_OK ? rc : c->error;
        if (rc == RF_OK && c->pass == 1) {
            rc = close_page(store, c);
        }
    } while (rc == RF_OK && c->visited == PAGE);
    *again = 0;
    for (int i = 0; rc == RF_OK && i < DURATIONS; i++) {
        if (c->pass == 1 || c->more[i]) {
            rc = rf__quantile_end_pass(&c->more[i], &c->q[i]);
            *again |= c->more[i];
        }
    }
    c->pass++;
    return rc;
}

static void fill_report(rf_kpi_report *r, const computation *c)
{
    for (int k = RF_KPI_SCHEDULED_RATE; k <= RF_KPI_MISSING_DOCUMENT_RATE; k++) {
        rf__kpi_rate(r, (rf_kpi)k, c->count[k][0], c->count[k][1]);
    }
    for (int k = RF_KPI_SLA_URGENT; k <= RF_KPI_THANKS_WITHIN_48H; k++) {
        rf__kpi_rate(r, (rf_kpi)k, c->count[k][0], c->count[k][1]);
    }
    rf__kpi_put(r, RF_KPI_RECEIVED, c->count[RF_KPI_RECEIVED][0], 1, 1, (double)c->count[RF_KPI_RECEIVED][0]);
    for (int i = 0; i < DURATIONS; i++) {
        const rf__quantile *q = &c->q[i];
        int64_t p50 = 0, p90 = 0, n = c->n[i];
        /* Read first: the order in which arguments are evaluated is unspecified. */
        int has_p50 = rf__quantile_result(&p50, q, 50.0), has_p90 = rf__quantile_result(&p90, q, 90.0);
        rf__kpi_put(r, duration_p50[i], 0, n, has_p50, (double)p50);
        rf__kpi_put(r, (rf_kpi)(duration_p50[i] + 1), 0, n, has_p90, (double)p90);
        rf__kpi_put(r, (rf_kpi)(duration_p50[i] + 2), c->sum[i], n, n > 0,
                    (double)c->sum[i] / (double)(n > 0 ? n : 1));
    }
}

static void computation_free(computation *c)
{
    for (int i = 0; i < DURATIONS; i++) {
        rf__quantile_free(&c->q[i]);
    }
    rf__sla_table_free(&c->sla);
}

static rf_status compute(rf_store *store, const rf_kpi_filter *filter, computation *c)
{
    static const double ps[] = {50.0, 90.0};
    computation_free(c);
    memset(c, 0, sizeof *c);
    c->filter = filter;
    c->now = rf_store_now(store);
    c->pass = 1;
    rf_status rc = RF_OK;
    for (int i = 0; rc == RF_OK && i < DURATIONS; i++) {
        rc = rf__quantile_init(&c->q[i], ps, 2);
    }
    if (rc == RF_OK) {
        rc = rf__sla_table_load(store, &c->sla);
    }
    for (int again = 1; rc == RF_OK && again;) {
        rc = run_pass(store, c, &again);
    }
    return rc;
}

/* The referral figures: the cohort, its stages, timings, SLA and outbox.
 * No lock is held while reading: when writers change the referrals between
 * two passes (the percentiles notice), they are computed again. */
static rf_status compute_referrals(rf_store *store, const rf_kpi_filter *filter, rf_kpi_report *report)
{
    computation *c = rf__calloc(1, sizeof *c);
    if (c == NULL) {
        return RF_ENOMEM;
    }
    rf_status rc = RF_OK;
    for (int attempt = 0; attempt < 3; attempt++) {
        rc = compute(store, filter, c);
        if (rc != RF_ECONFLICT) {
            break;
        }
    }
    if (rc == RF_OK) {
        fill_report(report, c);
        report->computed_at = c->now;
    }
    computation_free(c);
    free(c);
    return rc;
}

rf_status rf_kpi_compute(rf_kpi_report **out, rf_store *store, const rf_kpi_filter *filter)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    rf_kpi_filter f;
    if ((rc = rf__kpi_filter_load(store, filter, &f)) != RF_OK) {
        return rc;
    }
    rf_kpi_report *report = rf__calloc(1, sizeof *report);
    if (report == NULL) {
        return RF_ENOMEM;
    }
    report->from = f.from;
    report->to = f.to;
    if ((rc = compute_referrals(store, &f, report)) == RF_OK &&
        (rc = rf__kpi_clients(store, &f, report)) == RF_OK) {
        rc = rf__kpi_money(store, &f, report);
    }
    if (rc != RF_OK) {
        free(report);
        return rc;
    }
    *out = report;
    return RF_OK;
}

int rf_kpi_report_value(const rf_kpi_report *r, rf_kpi kpi, double *value)
{
    int defined = r != NULL && kpi > 0 && kpi < RF_KPI_COUNT && r->defined[kpi];
    if (value != NULL) {
        *value = defined ? r->value[kpi] : 0.0;
    }
    return defined;
}

int64_t rf_kpi_report_numerator(const rf_kpi_report *r, rf_kpi kpi)
{
    return r != NULL && kpi > 0 && kpi < RF_KPI_COUNT ? r->num[kpi] : 0;
}

int64_t rf_kpi_report_denominator(const rf_kpi_report *r, rf_kpi kpi)
{
    return r != NULL && kpi > 0 && kpi < RF_KPI_COUNT ? r->den[kpi] : 0;
}

rf_time rf_kpi_report_from(const rf_kpi_report *r)
{
    return r != NULL ? r->from : RF_TIME_NONE;
}

rf_time rf_kpi_report_to(const rf_kpi_report *r)
{
    return r != NULL ? r->to : RF_TIME_NONE;
}

rf_time rf_kpi_report_computed_at(const rf_kpi_report *r)
{
    return r != NULL ? r->computed_at : RF_TIME_NONE;
}

void rf_kpi_report_free(rf_kpi_report *report)
{
    free(report);
}
