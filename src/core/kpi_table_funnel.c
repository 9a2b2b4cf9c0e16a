/* The FUNNEL table: asks → shares → clicks → leads → scheduled → seen →
 * closed, each step's count with its conversion from the step before. */
#include <string.h>

#include "core/kpi_table.h"
#include "referral/outbox.h"
#include "store/store_internal.h"

enum { ASKS, SHARES, CLICKS, LEADS, SCHEDULED, SEEN, CLOSED, STEPS };
static const char *const step_names[STEPS] = {"asks",      "shares", "clicks", "leads",
                                              "scheduled", "seen",   "closed"};

typedef struct funnel {
    const rf_kpi_filter *filter;
    int64_t n[STEPS];
} funnel;

/* Asks and touches carry a programme and a channel, not a referral's source
 * or practitioner: only the programme and channel filters apply to them. */
static int passes(const rf_kpi_filter *f, const char *program_id, int channel)
{
    return (f->program_id == NULL || (program_id != NULL && strcmp(program_id, f->program_id) == 0)) &&
           (f->channel == RF_CHANNEL_UNSET || channel == (int)f->channel);
}

static int visit_ask(const rf_task_record *t, void *payload)
{
    funnel *s = payload;
    const rf_kpi_filter *f = s->filter;
    if (t->kind == RF_TASK_ASK && t->sent_at != 0 && t->created_at >= f->from && t->created_at < f->to &&
        passes(f, t->program_id, t->channel)) {
        s->n[ASKS]++;
        s->n[SHARES] += t->outcome == RF_ASK_SHARED || t->outcome == RF_ASK_REFERRED;
    }
    return 0;
}

static int visit_touch(const rf_touch_record *t, void *payload)
{
    funnel *s = payload;
    s->n[CLICKS] += passes(s->filter, t->program_id, t->channel);
    return 0;
}

static rf_status visit_lead(const rf_referral_record *r, void *payload)
{
    funnel *s = payload;
    s->n[LEADS]++;
    s->n[SCHEDULED] += r->reached_at[RF_REFERRAL_SCHEDULED] != 0;
    s->n[SEEN] += r->reached_at[RF_REFERRAL_SEEN] != 0;
    s->n[CLOSED] += r->reached_at[RF_REFERRAL_CLOSED] != 0;
    return RF_OK;
}

rf_status rf__kpi_table_funnel(rf_store *store, const rf_kpi_filter *f, rf_kpi_table *t)
{
    funnel s;
    memset(&s, 0, sizeof s);
    s.filter = f;
    rf_backend *b = store->backend;
    /* Tasks have no creation-time index: the asks are the kind's whole scan. */
    rf_task_query tq = {NULL, NULL, NULL, RF_TASK_ASK, 0, RF_TIME_UNSET, RF_TIME_UNSET, 0};
    rf_touch_query uq = {NULL, NULL, f->from, f->to, 0};
    rf_status rc = (rf_status)b->task_scan(b, store->practice, &tq, visit_ask, &s);
    if (rc == RF_OK) {
        rc = (rf_status)b->touch_scan(b, store->practice, &uq, visit_touch, &s);
    }
    if (rc == RF_OK) {
        rc = rf__kpi_cohort_scan(store, f, visit_lead, &s);
    }
    for (int i = 0; rc == RF_OK && i < STEPS; i++) {
        rf_kpi_row *row = NULL;
        rc = rf__kpi_table_add(t, step_names[i], NULL, &row);
        if (rc == RF_OK) {
            rf__kpi_cell_count(row, RF_KPI_COLUMN_COUNT, s.n[i]);
            if (i > 0) {
                rf__kpi_cell_rate(row, RF_KPI_COLUMN_CONVERSION, s.n[i], s.n[i - 1]);
            }
        }
    }
    return rc;
}
