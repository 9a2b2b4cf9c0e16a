/* The referral figures of kpis.h computed by hand from the test's own record:
 * plain loops, percentiles by sorting and reading rank ceil(p/100 * n). The
 * client-based and money figures are in kpi_expect_clients.c. */
#include "kpi_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

kpi_scope kpi_period(rf_time from, rf_time to)
{
    kpi_scope s = {from, to, -1, -1, RF_CHANNEL_UNSET, RF_SOURCE_UNSET, NULL, 0, NULL};
    return s;
}

rf_kpi_filter kpi_filter_of(const kpi_practice *p, kpi_scope scope)
{
    rf_kpi_filter f = RF_KPI_FILTER_INIT;
    f.from = scope.from;
    f.to = scope.to;
    f.program_id = scope.program >= 0 ? rf_program_id(p->programs[scope.program]) : NULL;
    f.practitioner_id = scope.practitioner >= 0 ? rf_party_id(p->staff[scope.practitioner]) : NULL;
    f.channel = scope.channel;
    f.source = scope.source;
    f.currency = scope.currency;
    f.top = scope.top;
    f.control_variant = scope.control;
    return f;
}

int kpi_in_cohort(const kpi_practice *p, int i, kpi_scope s)
{
    const kpi_referral *r = &p->refs[i];
    rf_time received = r->reached[RF_REFERRAL_RECEIVED];
    /* Entered in error: it never happened, so it is in no figure. */
    return r->id[0] != '\0' && !r->outbound && r->state != RF_REFERRAL_ENTERED_IN_ERROR &&
           received >= s.from && received < s.to && (s.program < 0 || r->program == s.program) &&
           (s.practitioner < 0 || r->practitioner == s.practitioner) &&
           (s.channel == RF_CHANNEL_UNSET || r->channel == s.channel) &&
           (s.source == RF_SOURCE_UNSET || r->source == s.source);
}

static void rate(kpi_expect *e, rf_kpi k, int64_t num, int64_t den)
{
    e->num[k] = num;
    e->den[k] = den;
    e->defined[k] = den > 0;
    e->value[k] = den > 0 ? (double)num / (double)den : 0.0;
}

static int ascending(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* p50, p90 and mean of @n values into the three figures from @p50. */
static void timing(kpi_expect *e, rf_kpi p50, int64_t *v, int64_t n)
{
    static const int ps[2] = {50, 90};
    qsort(v, (size_t)n, sizeof *v, ascending);
    for (int i = 0; i < 2; i++) {
        rf_kpi k = (rf_kpi)(p50 + i);
        int64_t rank = (ps[i] * n + 99) / 100; /* ceil(p/100 * n), exactly */
        e->num[k] = 0;
        e->den[k] = n;
        e->defined[k] = n > 0;
        e->value[k] = n > 0 ? (double)v[rank - 1] : 0.0;
    }
    int64_t sum = 0;
    for (int64_t i = 0; i < n; i++) {
        sum += v[i];
    }
    rate(e, (rf_kpi)(p50 + 2), sum, n);
}

static rf_time first_answer(const kpi_referral *r)
{
    rf_time t = 0;
    const rf_referral_state answers[] = {RF_REFERRAL_ACCEPTED, RF_REFERRAL_NEEDS_INFO, RF_REFERRAL_DECLINED};
    for (int i = 0; i < 3; i++) {
        rf_time at = r->reached[answers[i]];
        t = at != 0 && (t == 0 || at < t) ? at : t;
    }
    return t;
}

void kpi_expect_compute(kpi_expect *e, const kpi_practice *p, kpi_scope scope, rf_time now)
{
    memset(e, 0, sizeof *e);
    int64_t received = 0, scheduled = 0, seen = 0, closed = 0, completed = 0, leaked = 0, no_show = 0,
            hit = 0, needs_info = 0;
    int64_t sla_met[2] = {0, 0}, sla_counted[2] = {0, 0}; /* [0] routine, [1] urgent */
    int64_t *answer = calloc(KPI_TOTAL, sizeof *answer), *schedule = calloc(KPI_TOTAL, sizeof *schedule),
            *appointment = calloc(KPI_TOTAL, sizeof *appointment);
    int64_t answered = 0, booked = 0, appointed = 0;
    int64_t ever_seen = 0, closed_loop = 0, thanked = 0, thanked_soon = 0;
    assert_true(answer != NULL && schedule != NULL && appointment != NULL);
    for (size_t i = 0; i < p->count; i++) {
        const kpi_referral *r = &p->refs[i];
        if (!kpi_in_cohort(p, (int)i, scope)) {
            continue;
        }
        const rf_time *at = r->reached;
        rf_time got = at[RF_REFERRAL_RECEIVED];
        received++;
        scheduled += at[RF_REFERRAL_SCHEDULED] != 0;
        seen += at[RF_REFERRAL_SEEN] != 0;
        closed += at[RF_REFERRAL_CLOSED] != 0;
        completed += at[RF_REFERRAL_SEEN] != 0 || at[RF_REFERRAL_CLOSED] != 0;
        leaked += r->state == RF_REFERRAL_DECLINED || r->state == RF_REFERRAL_CANCELLED ||
                  r->state == RF_REFERRAL_LOST;
        no_show += at[RF_REFERRAL_SCHEDULED] != 0 && at[RF_REFERRAL_NO_SHOW] != 0;
        hit += r->documents_complete;
        needs_info += at[RF_REFERRAL_NEEDS_INFO] != 0;
        rf_time first = first_answer(r);
        if (first != 0) {
            answer[answered++] = first - got;
        }
        if (at[RF_REFERRAL_SCHEDULED] != 0) {
            schedule[booked++] = at[RF_REFERRAL_SCHEDULED] - got;
        }
        if (r->first_appointment != 0) {
            appointment[appointed++] = r->first_appointment - got;
        }
        /* The loop: a partner update sent for a seen referral; the referrer thanked within 48 h. */
        ever_seen += at[RF_REFERRAL_SEEN] != 0;
        closed_loop += at[RF_REFERRAL_SEEN] != 0 && (r->sent[1] != 0 || r->sent[2] != 0);
        thanked += r->task[0];
        thanked_soon += r->task[0] && r->sent[0] != 0 && r->sent[0] - got <= 48 * HOUR;
        int urgent = r->urgency == RF_URGENCY_URGENT;
        int hours = urgent ? p->sla_urgent[r->program] : p->sla_routine[r->program];
        rf_time due = got + (rf_time)hours * HOUR;
        if (first != 0 || now >= due) {
            sla_counted[urgent]++;
            sla_met[urgent] += first != 0 && first <= due;
        }
    }
    e->num[RF_KPI_RECEIVED] = received;
    e->den[RF_KPI_RECEIVED] = 1;
    e->defined[RF_KPI_RECEIVED] = 1;
    e->value[RF_KPI_RECEIVED] = (double)received;
    rate(e, RF_KPI_SCHEDULED_RATE, scheduled, received);
    rate(e, RF_KPI_SEEN_RATE, seen, received);
    rate(e, RF_KPI_CLOSED_RATE, closed, received);
    rate(e, RF_KPI_COMPLETION_RATE, completed, received);
    rate(e, RF_KPI_LEAKAGE_RATE, leaked, received);
    rate(e, RF_KPI_NO_SHOW_RATE, no_show, scheduled);
    rate(e, RF_KPI_HIT_RATE, hit, received);
    rate(e, RF_KPI_MISSING_DOCUMENT_RATE, needs_info, received);
    timing(e, RF_KPI_FIRST_RESPONSE_P50, answer, answered);
    timing(e, RF_KPI_TO_SCHEDULE_P50, schedule, booked);
    timing(e, RF_KPI_TO_APPOINTMENT_P50, appointment, appointed);
    rate(e, RF_KPI_SLA_URGENT, sla_met[1], sla_counted[1]);
    rate(e, RF_KPI_SLA_ROUTINE, sla_met[0], sla_counted[0]);
    rate(e, RF_KPI_LOOP_CLOSURE, closed_loop, ever_seen);
    rate(e, RF_KPI_THANKS_WITHIN_48H, thanked_soon, thanked);
    kpi_expect_clients(e, p, scope);
    free(answer);
    free(schedule);
    free(appointment);
}

/* Equal within a relative 1e-12 (exact for counts, which doubles hold exactly). */
static int close_enough(double got, double want)
{
    return got == want || fabs(got - want) <= 1e-12 * fmax(fabs(got), fabs(want));
}

int kpi_figure_mismatches(const rf_kpi_report *report, const kpi_expect *e, int first, int last)
{
    int wrong = 0;
    for (int k = first; k <= last; k++) {
        double value = -1.0;
        int defined = rf_kpi_report_value(report, (rf_kpi)k, &value);
        int64_t num = rf_kpi_report_numerator(report, (rf_kpi)k),
                den = rf_kpi_report_denominator(report, (rf_kpi)k);
        /* ROI's numerator and denominator are not stated in the header: its value decides. */
        int numbers = k != RF_KPI_ROI || !e->defined[k];
        if (defined != e->defined[k] || !close_enough(value, e->value[k]) ||
            (numbers && (num != e->num[k] || den != e->den[k]))) {
            print_error("%s: got defined %d value %.17g (%lld / %lld), expected defined %d value %.17g (%lld "
                        "/ %lld)\n",
                        rf_kpi_name((rf_kpi)k), defined, value, (long long)num, (long long)den, e->defined[k],
                        e->value[k], (long long)e->num[k], (long long)e->den[k]);
            wrong++;
        }
    }
    return wrong;
}

void kpi_assert_figures(const rf_kpi_report *report, const kpi_expect *e, int first, int last)
{
    int wrong = kpi_figure_mismatches(report, e, first, last);
    if (wrong > 0) {
        fail_msg("%d figure(s) differ from the hand computation", wrong);
    }
}

void kpi_assert_report(const rf_kpi_report *report, const kpi_expect *e)
{
    kpi_assert_figures(report, e, 1, RF_KPI_COUNT - 1);
}

int kpi_scope_mismatches(fixture *fx, const kpi_practice *p, kpi_scope scope, kpi_expect *e)
{
    kpi_expect_compute(e, p, scope, fx->now);
    rf_kpi_filter f = kpi_filter_of(p, scope);
    rf_kpi_report *report = NULL;
    assert_ok(rf_kpi_compute(&report, fx->store, &f));
    int wrong = kpi_figure_mismatches(report, e, 1, RF_KPI_COUNT - 1);
    rf_kpi_report_free(report);
    return wrong;
}

int64_t kpi_check_figures(fixture *fx, const kpi_practice *p, kpi_scope scope, int first, int last)
{
    kpi_expect e;
    kpi_expect_compute(&e, p, scope, fx->now);
    rf_kpi_filter f = kpi_filter_of(p, scope);
    rf_kpi_report *report = NULL;
    assert_ok(rf_kpi_compute(&report, fx->store, &f));
    assert_int_equal(rf_kpi_report_from(report), scope.from);
    assert_int_equal(rf_kpi_report_to(report), scope.to);
    assert_int_equal(rf_kpi_report_computed_at(report), fx->now);
    kpi_assert_figures(report, &e, first, last);
    rf_kpi_report_free(report);
    return e.num[RF_KPI_RECEIVED];
}

int64_t kpi_check(fixture *fx, const kpi_practice *p, kpi_scope scope)
{
    return kpi_check_figures(fx, p, scope, RF_KPI_RECEIVED, RF_KPI_THANKS_WITHIN_48H);
}
