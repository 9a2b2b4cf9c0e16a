/* Internal: what the KPI sources share — the report's layout, the filter as
 * every source reads it (a version 1 filter completed with version 2's
 * defaults), which referrals a filter covers, and finding a referee's
 * referral. The report's figures are filled by kpi.c (referral pass),
 * kpi_clients.c (clients, events, revenue) and kpi_money.c (reward cost);
 * the tables by kpi_table*.c. */
#ifndef RF_CORE_KPI_INTERNAL_H
#define RF_CORE_KPI_INTERNAL_H

#include "referral/kpis.h"
#include "referral/sys/backend.h"

struct rf_kpi_report {
    int64_t num[RF_KPI_COUNT], den[RF_KPI_COUNT];
    double value[RF_KPI_COUNT];
    int defined[RF_KPI_COUNT];
    rf_time from, to, computed_at;
};

/* Seconds in the windows the definitions name. */
#define RF__KPI_DAY 86400
#define RF__KPI_18_MONTHS (548 * RF__KPI_DAY)
#define RF__KPI_YEAR (365 * RF__KPI_DAY)
#define RF__KPI_THANKS_WITHIN (48 * 3600)
#define RF__KPI_TOP_DEFAULT 10
#define RF__KPI_TOP_MAX 1000

/* Set a figure; its value is kept only when defined. */
void rf__kpi_put(rf_kpi_report *r, rf_kpi kpi, int64_t num, int64_t den, int defined, double value);
/* num ÷ den, defined when den > 0. */
void rf__kpi_rate(rf_kpi_report *r, rf_kpi kpi, int64_t num, int64_t den);

/* Check @in (arguments, version, period, values, programme and practitioner
 * exist, currency known, top in range) and copy it into @out as a version 2
 * filter: a version 1 caller's struct is never read past its size. */
rf_status rf__kpi_filter_load(rf_store *store, const rf_kpi_filter *in, rf_kpi_filter *out);

/* 1 when @r is an inbound referral, not ENTERED_IN_ERROR, passing the
 * filter's programme, channel, source and practitioner (not the period). */
int rf__kpi_referral_passes(const rf_kpi_filter *f, const rf_referral_record *r);
/* ... and received in [from, to): in the cohort. */
int rf__kpi_in_cohort(const rf_kpi_filter *f, const rf_referral_record *r);

/* The one referral a referee came by: the first (lowest id) inbound referral
 * of @party_id that passes the filter (programme, channel, source; any
 * received time; practitioner ignored, since "referred" is about the client),
 * with what the KPIs read of it. found is 0 when the party is not referred. */
typedef struct rf__kpi_referee {
    int found;
    int channel, source;
    rf_time received_at;
    int in_cohort; /* received in [from, to) and passing the practitioner filter too */
    char variant[64];
} rf__kpi_referee;
rf_status rf__kpi_referee_of(rf_store *store, const rf_kpi_filter *f, const char *party_id,
                             rf__kpi_referee *out);

/* The client-based figures (REFERRAL_RATE .. RETENTION_*, K_FACTOR, MEAN_NPS,
 * NPS_REFERRAL_CORRELATION) into @r. */
rf_status rf__kpi_clients(rf_store *store, const rf_kpi_filter *f, rf_kpi_report *r);
/* REWARD_COST into @r; ROI once REVENUE_REFERRED is in @r. */
rf_status rf__kpi_money(rf_store *store, const rf_kpi_filter *f, rf_kpi_report *r);

#endif
