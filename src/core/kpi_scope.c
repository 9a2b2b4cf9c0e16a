/* What the KPI sources share: checking and completing the filter, which
 * referrals it covers, finding the referral a referee came by, and setting
 * a figure. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/kpi_internal.h"
#include "core/referrals.h"
#include "referral/rewards.h"
#include "core/records.h"
#include "store/store_internal.h"
#include "util/error.h"

void rf__kpi_put(rf_kpi_report *r, rf_kpi kpi, int64_t num, int64_t den, int defined, double value)
{
    r->num[kpi] = num;
    r->den[kpi] = den;
    r->defined[kpi] = defined;
    r->value[kpi] = defined ? value : 0.0;
}

void rf__kpi_rate(rf_kpi_report *r, rf_kpi kpi, int64_t num, int64_t den)
{
    rf__kpi_put(r, kpi, num, den, den > 0, den > 0 ? (double)num / (double)den : 0.0);
}

rf_status rf_kpi_filter_init(rf_kpi_filter *filter, unsigned int version)
{
    static const rf_kpi_filter init = RF_KPI_FILTER_INIT;
    /* A caller built against version 1 has a shorter struct: never write past it. */
    size_t size = version == 1 ? offsetof(rf_kpi_filter, currency) : sizeof init;
    return rf__options_init(filter, size, &init, version, "rf_kpi_filter", "RF_KPI_FILTER_INIT");
}

static rf_status check_values(const rf_kpi_filter *f)
{
    if (f->from == RF_TIME_UNSET || f->to == RF_TIME_UNSET || f->from >= f->to) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT,
                         "a KPI period needs from and to, with from before to (the period is [from, to))");
    }
    if (f->channel < RF_CHANNEL_UNSET || f->channel > RF_CHANNEL_PORTAL || f->source < RF_SOURCE_UNSET ||
        f->source > RF_SOURCE_PARTNER) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT, "channel %d or source %d is not known",
                         (int)f->channel, (int)f->source);
    }
    if (f->currency != NULL && !rf_currency_valid(f->currency)) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT,
                         "currency '%.8s' is not an ISO 4217 code (e.g. GBP, EUR, USD)", f->currency);
    }
    if (f->top > RF__KPI_TOP_MAX) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT, "top is %u; a leaderboard has at most %d rows",
                         f->top, RF__KPI_TOP_MAX);
    }
    if (f->control_variant != NULL && (f->control_variant[0] == '\0' || strlen(f->control_variant) >= 64)) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT,
                         "control_variant must be a variant label of 1 to 63 bytes, or NULL");
    }
    return RF_OK;
}

rf_status rf__kpi_filter_load(rf_store *store, const rf_kpi_filter *in, rf_kpi_filter *out)
{
    rf_status rc;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(in, "filter")) != RF_OK ||
        (rc = rf__store_require(store, 2, "KPIs")) != RF_OK ||
        (rc = rf__check_version("rf_kpi_filter", in->version, RF_KPI_FILTER_VERSION, "RF_KPI_FILTER_INIT")) !=
            RF_OK) {
        return rc;
    }
    static const rf_kpi_filter init = RF_KPI_FILTER_INIT;
    *out = init;
    memcpy(out, in, in->version == 1 ? offsetof(rf_kpi_filter, currency) : sizeof *out);
    out->version = RF_KPI_FILTER_VERSION;
    if ((rc = check_values(out)) != RF_OK) {
        return rc;
    }
    rf_program *p = NULL;
    rf_party *staff = NULL;
    if ((out->program_id != NULL && (rc = rf__program_load(store, out->program_id, &p)) != RF_OK) ||
        (out->practitioner_id != NULL &&
         (rc = rf__party_load(store, out->practitioner_id, &staff)) != RF_OK)) {
        rf_program_free(p);
        return rc;
    }
    rf_program_free(p);
    rf_party_free(staff);
    return RF_OK;
}

static int passes_but_practitioner(const rf_kpi_filter *f, const rf_referral_record *r)
{
    /* A referral entered in error never happened: it is in no figure. */
    return r->direction == RF_DIRECTION_INBOUND && r->state != RF_REFERRAL_ENTERED_IN_ERROR &&
           (f->program_id == NULL || strcmp(r->program_id, f->program_id) == 0) &&
           (f->channel == RF_CHANNEL_UNSET || r->channel == (int)f->channel) &&
           (f->source == RF_SOURCE_UNSET || r->source == (int)f->source);
}

static int practitioner_passes(const rf_kpi_filter *f, const rf_referral_record *r)
{
    return f->practitioner_id == NULL ||
           (r->practitioner_id != NULL && strcmp(r->practitioner_id, f->practitioner_id) == 0);
}

int rf__kpi_referral_passes(const rf_kpi_filter *f, const rf_referral_record *r)
{
    return passes_but_practitioner(f, r) && practitioner_passes(f, r);
}

int rf__kpi_in_cohort(const rf_kpi_filter *f, const rf_referral_record *r)
{
    rf_time received = r->reached_at[RF_REFERRAL_RECEIVED];
    return rf__kpi_referral_passes(f, r) && received >= f->from && received < f->to;
}

typedef struct referee_search {
    const rf_kpi_filter *filter;
    rf__kpi_referee *out;
} referee_search;

static int visit_referee(const rf_referral_record *r, void *payload)
{
    referee_search *s = payload;
    if (!passes_but_practitioner(s->filter, r)) {
        return 0;
    }
    rf__kpi_referee *o = s->out;
    o->found = 1;
    o->channel = r->channel;
    o->source = r->source;
    o->received_at = r->reached_at[RF_REFERRAL_RECEIVED];
    o->in_cohort = rf__kpi_in_cohort(s->filter, r);
    snprintf(o->variant, sizeof o->variant, "%s", r->variant != NULL ? r->variant : "");
    return 1; /* the first is the one */
}

rf_status rf__kpi_referee_of(rf_store *store, const rf_kpi_filter *f, const char *party_id,
                             rf__kpi_referee *out)
{
    memset(out, 0, sizeof *out);
    rf_referral_query q = {NULL,          NULL,          NULL, party_id, NULL, RF_DIRECTION_INBOUND,
                           RF_TIME_UNSET, RF_TIME_UNSET, 0};
    referee_search s = {f, out};
    int rc = store->backend->referral_scan(store->backend, store->practice, &q, visit_referee, &s);
    return (rf_status)rc;
}
