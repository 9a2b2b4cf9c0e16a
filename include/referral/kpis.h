/**
 * @file referral/kpis.h
 * @brief KPIs: exact referral analytics for a period.
 *
 * rf_kpi_compute() reads the referrals received in a period [from, to)
 * (optionally one programme, channel, source or practitioner) and returns a
 * report of figures, each with its numerator and denominator, so a host can
 * show "12 of 40" next to "30 %" and nobody has to trust a rounded ratio.
 * Figures whose denominator is zero (an empty period, nothing scheduled)
 * are **not defined**: rf_kpi_report_value() says so rather than returning a
 * NaN or a division by zero passed off as a number.
 *
 * Definitions (the cohort is the inbound referrals received in the period,
 * leaving out those ENTERED_IN_ERROR, which never happened; "ever X" means
 * the referral reached state X at some time, whatever it is now):
 * | figure | value |
 * |--------|-------|
 * | RECEIVED | referrals received in the period (a count; defined even when 0) |
 * | SCHEDULED_RATE, SEEN_RATE, CLOSED_RATE | ever SCHEDULED / SEEN / CLOSED ÷ received |
 * | COMPLETION_RATE | ever SEEN or CLOSED ÷ received |
 * | LEAKAGE_RATE | now DECLINED, CANCELLED or LOST ÷ received |
 * | NO_SHOW_RATE | referrals with a NO_SHOW ÷ referrals ever SCHEDULED |
 * | HIT_RATE | referrals whose required documents all came with them ÷ received |
 * | MISSING_DOCUMENT_RATE | ever NEEDS_INFO ÷ received |
 * | FIRST_RESPONSE_* | seconds from receipt to the first of ACCEPTED, NEEDS_INFO, DECLINED, over the answered
 * | | TO_SCHEDULE_* | seconds from receipt to first SCHEDULED, over the ever scheduled | | TO_APPOINTMENT_* |
 * seconds from receipt to the first appointment, over those with one | | SLA_URGENT, SLA_ROUTINE | answered
 * within the programme's SLA hours ÷ (answered + unanswered past the deadline at the store's clock), per
 * urgency |
 *
 * Percentiles are exact, by the nearest-rank definition: the p-th percentile
 * of n values is the value at rank ceil(p/100 × n) in ascending order (so it
 * is always one of the values); the mean is the arithmetic mean. Their
 * numerator is the sum of seconds (mean) or 0, their denominator the number
 * of values. Memory stays bounded however many referrals there are: the
 * figures are computed in streaming passes over the referrals, inside one
 * read of the store.
 */
#ifndef REFERRAL_KPIS_H
#define REFERRAL_KPIS_H

#include "code.h"
#include "common.h"
#include "errors.h"
#include "referrals.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A report of figures, owned by the caller. Free with rf_kpi_report_free(). */
typedef struct rf_kpi_report rf_kpi_report;

/** The figures of a report. Values are only ever appended. */
typedef enum rf_kpi {
    RF_KPI_UNSET = 0,
    RF_KPI_RECEIVED = 1,
    RF_KPI_SCHEDULED_RATE = 2,
    RF_KPI_SEEN_RATE = 3,
    RF_KPI_CLOSED_RATE = 4,
    RF_KPI_COMPLETION_RATE = 5,
    RF_KPI_LEAKAGE_RATE = 6,
    RF_KPI_NO_SHOW_RATE = 7,
    RF_KPI_HIT_RATE = 8,
    RF_KPI_MISSING_DOCUMENT_RATE = 9,
    RF_KPI_FIRST_RESPONSE_P50 = 10,
    RF_KPI_FIRST_RESPONSE_P90 = 11,
    RF_KPI_FIRST_RESPONSE_MEAN = 12,
    RF_KPI_TO_SCHEDULE_P50 = 13,
    RF_KPI_TO_SCHEDULE_P90 = 14,
    RF_KPI_TO_SCHEDULE_MEAN = 15,
    RF_KPI_TO_APPOINTMENT_P50 = 16,
    RF_KPI_TO_APPOINTMENT_P90 = 17,
    RF_KPI_TO_APPOINTMENT_MEAN = 18,
    RF_KPI_SLA_URGENT = 19,
    RF_KPI_SLA_ROUTINE = 20
} rf_kpi;

/** One past the highest ::rf_kpi of this header. */
#define RF_KPI_COUNT 21

/** "RECEIVED", "SCHEDULED_RATE", ...; "UNSET" for anything else. Static. */
RF_API const char *rf_kpi_name(rf_kpi kpi);

/** Which referrals a report covers. */
typedef struct rf_kpi_filter {
    unsigned int version;        /**< the struct version: RF_KPI_FILTER_VERSION */
    rf_time from;                /**< required: the period's start (received at or after) */
    rf_time to;                  /**< required: the period's end (received before); after from */
    const char *program_id;      /**< only this programme's referrals */
    rf_channel channel;          /**< only this channel's */
    rf_referral_source source;   /**< only this source's */
    const char *practitioner_id; /**< only referrals taken by this practitioner */
} rf_kpi_filter;

/** The newest version of ::rf_kpi_filter this header describes. */
#define RF_KPI_FILTER_VERSION 1
/** Static initialiser of ::rf_kpi_filter: no period yet, no other filter. */
#define RF_KPI_FILTER_INIT                                                                                   \
    {                                                                                                        \
        RF_KPI_FILTER_VERSION, RF_TIME_UNSET, RF_TIME_UNSET, NULL, RF_CHANNEL_UNSET, RF_SOURCE_UNSET, NULL   \
    }

/** Initialise @p filter for structure version @p version. */
RF_API rf_status rf_kpi_filter_init(rf_kpi_filter *filter, unsigned int version);

/**
 * Compute the report for @p filter.
 * @return ::RF_OK; ::RF_EINVALID (no period, or from not before to, a bad
 *         filter value); ::RF_ENOTFOUND (programme, practitioner); ::RF_EBACKEND
 */
RF_API rf_status rf_kpi_compute(rf_kpi_report **out, rf_store *store, const rf_kpi_filter *filter);

/**
 * The figure @p kpi: 1 with *value set when it is defined, 0 (and *value 0)
 * when its denominator is zero or @p kpi is not a figure. @p value may be NULL.
 */
RF_API int rf_kpi_report_value(const rf_kpi_report *report, rf_kpi kpi, double *value);

/** The figure's numerator (a count, or a sum of seconds for a mean; 0 for a percentile). */
RF_API int64_t rf_kpi_report_numerator(const rf_kpi_report *report, rf_kpi kpi);

/** The figure's denominator (what it is a share or an average of; 1 for RECEIVED). */
RF_API int64_t rf_kpi_report_denominator(const rf_kpi_report *report, rf_kpi kpi);

/** The period and the time the report was computed at (the store's clock). */
RF_API rf_time rf_kpi_report_from(const rf_kpi_report *report);
/** See rf_kpi_report_from(). */
RF_API rf_time rf_kpi_report_to(const rf_kpi_report *report);
/** See rf_kpi_report_from(). */
RF_API rf_time rf_kpi_report_computed_at(const rf_kpi_report *report);

/** Free a report. Accepts NULL. */
RF_API void rf_kpi_report_free(rf_kpi_report *report);

#ifdef __cplusplus
}
#endif

#endif /* REFERRAL_KPIS_H */
