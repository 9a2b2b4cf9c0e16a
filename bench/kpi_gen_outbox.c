/*
 * kpi_gen_outbox.c: the host's side of the outbox, and rewards being used.
 *
 * Every working day at 09:00 (and 16:00 with --drains 2) the host releases due rewards
 * (rf_rewards_process) and drains the outbox (rf_tasks_due, which also
 * raises SLA breaches and the asks that fall due by date). Of the tasks
 * handed out, most are sent and acknowledged, a few fail and are retried
 * after the back-off, a few are left unreported (their lease runs out and the
 * next drain takes them again); asks get an outcome (shared, declined,
 * referred). Friday evening's thank-yous go out on Monday: the thanks-within-
 * 48-hours rate is not 100 %. About half the released rewards are used weeks
 * later, whole or in part; some have expired or been taken back by then.
 */
#include "kpi_gen.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* The next drain after @after: at 09:00 (and 16:00 with two a day) on working days. */
static rf_time next_drain(rf_time after, int per_day)
{
    rf_time day = after - after % KPI_DAY, hour = (after % KPI_DAY) / KPI_HOUR;
    rf_time t = hour < 9                   ? day + 9 * KPI_HOUR
                : hour < 16 && per_day > 1 ? day + 16 * KPI_HOUR
                                           : day + KPI_DAY + 9 * KPI_HOUR;
    while (kpi_weekday(t) >= 5) {
        t += KPI_DAY;
    }
    return t;
}

void kpi_drains_init(kpi_gen *g)
{
    if (g->opts->drains > 0) {
        kpi_queue_push(&g->queue, next_drain(KPI_T0, g->opts->drains), KPI_EV_DRAIN, 0);
    }
}

static void report(kpi_gen *g, rf_status rc, const char *what)
{
    if (rc != RF_OK) {
        kpi_die(what, rc);
    }
    kpi_wrote(g, KPI_CALL_OUTBOX);
}

/* A released reward the recipient will use some weeks from now. */
static void plan_redemption(kpi_gen *g, const rf_task *t)
{
    const char *data = rf_task_data(t), *grant = data != NULL ? strstr(data, "grant=") : NULL;
    if (grant == NULL || strstr(data, "status=RELEASED") == NULL || !kpi_chance(&g->rng, 0.6)) {
        return;
    }
    grant += 6;
    size_t len = strcspn(grant, ";");
    if (len != RF_ID_BUFSIZE - 1) {
        return;
    }
    uint32_t slot = kpi_pool_take(&g->redeems);
    kpi_redeem *rd = kpi_pool_at(&g->redeems, slot);
    memcpy(rd->grant, grant, len);
    rd->grant[len] = '\0';
    rd->partial = (unsigned char)kpi_chance(&g->rng, 0.3);
    kpi_queue_push(&g->queue, kpi_slot(g->now + kpi_delay(&g->rng, 18 * KPI_DAY, 0.8)), KPI_EV_REDEEM, slot);
}

static void deliver(kpi_gen *g, const rf_task *t)
{
    kpi_rng *r = &g->rng;
    double x = kpi_unit(r);
    if (x < 0.02) {
        return; /* the sender died holding it: the lease runs out */
    }
    const char *id = rf_task_id(t), *token = rf_task_lease_token(t);
    if (x < 0.05) {
        report(g, rf_task_failed(g->store, id, token, "provider answered 451: try later"),
               "reporting a failure");
        return;
    }
    report(g, rf_task_sent(g->store, id, token), "reporting a task sent");
    if (rf_task_get_kind(t) == RF_TASK_ASK) {
        double y = kpi_unit(r);
        rf_ask_outcome outcome = y < 0.3    ? RF_ASK_SHARED
                                 : y < 0.4  ? RF_ASK_DECLINED
                                 : y < 0.47 ? RF_ASK_REFERRED
                                            : RF_ASK_OUTCOME_UNSET;
        if (outcome != RF_ASK_OUTCOME_UNSET) {
            report(g, rf_task_set_outcome(g->store, id, outcome), "recording an ask's outcome");
        }
    }
    /* Only e-mail and SMS providers confirm delivery, and not always. */
    if (kpi_chance(r, 0.5)) {
        report(g, rf_task_acked(g->store, id), "acknowledging a task");
    }
    if (rf_task_get_kind(t) == RF_TASK_REWARD_NOTICE) {
        plan_redemption(g, t);
    }
}

static double clock_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void kpi_drain(kpi_gen *g)
{
    double t0 = clock_seconds();
    g->fig->drains++;
    rf_status rc = rf_rewards_process(NULL, NULL, g->store, RF_TIME_UNSET);
    if (rc != RF_OK) {
        kpi_die("releasing and expiring rewards", rc);
    }
    kpi_wrote(g, KPI_CALL_REWARD);
    rf_task_iter *it = NULL;
    if ((rc = rf_tasks_due(&it, g->store, RF_TIME_UNSET, NULL)) != RF_OK) {
        kpi_die("draining the outbox", rc);
    }
    kpi_wrote(g, KPI_CALL_OUTBOX);
    g->fig->sweep_seconds += clock_seconds() - t0;
    for (;;) {
        rf_task *t = NULL;
        rc = rf_task_iter_next(&t, it);
        if (rc == RF_ITEROVER) {
            break;
        }
        if (rc != RF_OK) {
            kpi_die("taking a task from the outbox", rc);
        }
        g->fig->tasks_seen++;
        kpi_wrote(g, KPI_CALL_OUTBOX); /* the lease */
        deliver(g, t);
        rf_task_free(t);
    }
    rf_task_iter_free(it);
    kpi_queue_push(&g->queue, next_drain(g->now + 60, g->opts->drains), KPI_EV_DRAIN, 0);
    g->fig->drain_seconds += clock_seconds() - t0;
}

static int is_money(rf_reward_kind kind)
{
    return kind == RF_REWARD_ACCOUNT_CREDIT || kind == RF_REWARD_FIXED_DISCOUNT ||
           kind == RF_REWARD_CHARITY_DONATION;
}

void kpi_redeem_due(kpi_gen *g, uint32_t slot)
{
    kpi_redeem *rd = kpi_pool_at(&g->redeems, slot);
    rf_grant *grant = NULL;
    rf_status rc = rf_grant_get(&grant, g->store, rd->grant);
    if (rc != RF_OK) {
        kpi_die("reading a grant", rc);
    }
    int64_t left = rf_grant_remaining(grant);
    rf_reward_kind kind = rf_grant_kind(grant);
    /* Expired or taken back meanwhile, or a note: the host's till finds nothing to use. */
    int usable =
        rf_grant_get_status(grant) == RF_GRANT_AVAILABLE && kind != RF_REWARD_THANK_YOU_NOTE && left > 0;
    rf_grant_free(grant);
    if (usable) {
        char reference[32];
        snprintf(reference, sizeof reference, "INV-%ld", ++g->invoices);
        rf_redeem_options o = RF_REDEEM_OPTIONS_INIT;
        o.grant_id = rd->grant;
        o.amount = !is_money(kind) ? 1 : rd->partial && left > 1 ? left / 2 : left;
        o.reference = reference;
        rc = rf_reward_redeem(NULL, g->store, &o);
        if (rc != RF_OK) {
            kpi_die("redeeming a reward", rc);
        }
        kpi_wrote(g, KPI_CALL_REWARD);
    } else {
        g->fig->redeem_skipped++;
    }
    kpi_pool_give(&g->redeems, slot);
}
