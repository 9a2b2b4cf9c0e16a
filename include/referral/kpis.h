/* clang-format off */
/**
 * @file referral/kpis.h
 * @brief KPIs: exact referral analytics for a period — a report of figures and result tables.
 *
 * rf_kpi_compute() reads what happened in a period [from, to) (optionally one
 * programme, channel, source or practitioner) and returns a report of
 * figures, each with its numerator and denominator, so a host can show
 * "12 of 40" next to "30 %" and nobody has to trust a rounded ratio.
 * rf_kpi_table_compute() returns the figures that come in rows (the funnel,
 * the leaderboard, per practitioner, per channel, per source, per A/B
 * variant) as a table read with a row iterator. Nothing comes back as
 * preformatted text.
 *
 * Figures whose denominator is zero (an empty period, nothing scheduled)
 * are **not defined**: rf_kpi_report_value() says so rather than returning a
 * NaN or a division by zero passed off as a number.
 *
 * ## Words used in the definitions
 * - **cohort**: the inbound referrals received in the period that pass the
 *   filter, leaving out those ENTERED_IN_ERROR (which never happened).
 *   "ever X" means the referral reached state X at some time, whatever it is now.
 * - **client**: a party of kind CLIENT now. With a practitioner filter, only
 *   the clients assigned to that practitioner count as clients.
 * - **new client**: a client whose first visit is in the period.
 * - **active** in a window: a client whose first visit is in the window or
 *   who has a VISIT_COMPLETED event dated in it.
 * - **referred**: a party who is the referee of an inbound referral, received
 *   at any time and not ENTERED_IN_ERROR, that passes the programme, channel
 *   and source filters. Everyone else is non-referred.
 * - **lead**: a party of kind LEAD or CLIENT created in the period; it
 *   **closed** when it is a CLIENT now. Leads are nobody's patients yet: the
 *   practitioner filter does not apply to them.
 * - **made** a referral: was its referrer (the referral is in the cohort unless
 *   said otherwise).
 * - **money**: amounts in minor units of the filter's `currency`; without a
 *   currency the money figures are not defined. Items (gifts, upgrades) are
 *   not money.
 * - The preceding window of [from, to) is [from − (to − from), from).
 *
 * ## The report's figures
 * | figure | value |
 * |--------|-------|
 * | RECEIVED | the cohort's size (a count; defined even when 0) |
 * | SCHEDULED_RATE, SEEN_RATE, CLOSED_RATE | ever SCHEDULED / SEEN / CLOSED ÷ received |
 * | COMPLETION_RATE | ever SEEN or CLOSED ÷ received |
 * | LEAKAGE_RATE | now DECLINED, CANCELLED or LOST ÷ received |
 * | NO_SHOW_RATE | referrals with a NO_SHOW ÷ referrals ever SCHEDULED |
 * | HIT_RATE | referrals whose required documents all came with them ÷ received |
 * | MISSING_DOCUMENT_RATE | ever NEEDS_INFO ÷ received |
 * | FIRST_RESPONSE_* | seconds from receipt to the first of ACCEPTED, NEEDS_INFO, DECLINED, over the answered |
 * | TO_SCHEDULE_* | seconds from receipt to first SCHEDULED, over the ever scheduled |
 * | TO_APPOINTMENT_* | seconds from receipt to the first appointment, over those with one |
 * | SLA_URGENT, SLA_ROUTINE | answered within the programme's SLA hours ÷ (answered + unanswered past the deadline at the store's clock), per urgency |
 * | LOOP_CLOSURE | ever-SEEN referrals with a PARTNER_VISIT_SUMMARY or PARTNER_CLOSURE task that was sent (a send time is recorded) ÷ ever-SEEN referrals. Only partner referrals get those messages: filter by source PARTNER to see the partner loop alone |
 * | THANKS_WITHIN_48H | referrals whose THANK_REFERRER task was sent at most 48 hours after receipt ÷ referrals with a THANK_REFERRER task |
 * | REFERRAL_RATE | new clients who are referred ÷ new clients |
 * | ADVOCATE_RATE | clients active in the period who made at least one referral ÷ clients active in the period |
 * | REFERRALS_PER_CLIENT_18M | referrals made by the new clients (inbound, not ENTERED_IN_ERROR, passing the filter) received in [first visit, first visit + 548 days) (18 months of 30.44 days) ÷ new clients. A recent cohort has not had its 18 months yet: compare cohorts of the same age |
 * | CLOSE_RATE_REFERRED, CLOSE_RATE_NON_REFERRED | closed leads ÷ leads, for referred and for non-referred leads |
 * | REVENUE_REFERRED | money of REVENUE events dated in the period from referred clients (numerator; denominator 1) |
 * | REVENUE_PER_CLIENT_REFERRED, _NON_REFERRED | money of REVENUE events dated in the period from the group's clients ÷ the group's clients active in the period |
 * | RETENTION_REFERRED, _NON_REFERRED | the group's clients active in the preceding window who are active in the period ÷ the group's clients active in the preceding window |
 * | REWARD_COST | money of ISSUED ledger entries dated in the period minus money of REVERSED entries dated in the period, for grants whose referral passes the filter as it is now (a referral later entered in error takes its grants out of every period) (numerator; denominator 1) |
 * | ROI | (REVENUE_REFERRED − REWARD_COST) ÷ REWARD_COST: numerator the difference, denominator the cost; not defined unless the cost is above 0 |
 * | K_FACTOR | referred new clients ÷ clients active at the period's start (first visit before from and active in the 365 days before from) |
 * | MEAN_NPS | the mean of the NPS scores dated in the period, of clients (sum ÷ number of scores) |
 * | NPS_REFERRAL_CORRELATION | Pearson's r between a client's mean NPS score in the period and the number of referrals they made, over the clients with an NPS score in the period; numerator 0, denominator the number of such clients; not defined for fewer than 2 clients or when either side does not vary |
 *
 * Percentiles are exact, by the nearest-rank definition: the p-th percentile
 * of n values is the value at rank ceil(p/100 × n) in ascending order (so it
 * is always one of the values); the mean is the arithmetic mean. Their
 * numerator is the sum of seconds (mean) or 0, their denominator the number
 * of values. Rates have a count as numerator and denominator; money figures
 * a sum of minor units.
 *
 * ## Tables
 * Each table has rows (a key, a label) and the columns of ::rf_kpi_column its
 * kind defines; a cell is a figure like those of the report (value,
 * numerator, denominator, defined or not). Columns a kind does not define are
 * never defined.
 * | table | rows | columns |
 * |-------|------|---------|
 * | FUNNEL | "asks", "shares", "clicks", "leads", "scheduled", "seen", "closed", in that order | COUNT; CONVERSION = this step's count ÷ the previous step's (not defined on the first row) |
 * | LEADERBOARD | the `top` referrers by referrals made, then by CLOSED, then by id | COUNT (referrals made), CLOSED (of those, ever CLOSED) |
 * | PRACTITIONERS | every STAFF party, by id (with a practitioner filter, that one) | CLIENTS (assigned clients active in the period), ADVOCATES (those who made a referral), ADVOCACY_RATE (ADVOCATES ÷ CLIENTS), MEAN_NPS (NPS scores dated in the period of assigned clients), COUNT (referrals made by assigned clients) |
 * | CHANNELS, SOURCES | each channel (source) with at least one referral in the cohort, in the enum's order, "UNSET" included, so the rows add up to the cohort; key and label its name | COUNT (referred: received), CONVERSION (ever CLOSED ÷ received), REVENUE (money of REVENUE events dated in the period from referees whose referral — the first of theirs that passes the filter — is one of the row's), TO_SCHEDULE_P50 (over the row's scheduled referrals), HIT_RATE, MEAN_NPS (NPS scores dated in the period from those referees) |
 * | VARIANTS | each A/B variant label in the cohort (referrals without one are left out), control first, then by label | COUNT (received), CLOSED, CONVERSION (CLOSED ÷ COUNT), LIFT (conversion ÷ control's conversion − 1; numerator CLOSED, denominator COUNT; defined when the control converted at least once), P_VALUE (two-sided two-proportion z-test against the control, pooled standard error; numerator 0, denominator both groups' counts). The control row has neither |
 *
 * Funnel steps: **asks** are ASK tasks created in the period that were sent;
 * **shares** those of them whose outcome is SHARED or REFERRED; **clicks** the
 * touches recorded in the period; the programme and channel filters apply to
 * asks and touches (their own programme and channel), the source and
 * practitioner filters do not; **leads** the cohort; **scheduled**, **seen**, **closed** the cohort
 * referrals that ever reached those states. The LEADERBOARD's label is the
 * referrer's display name when they consented to be named
 * (::RF_CONSENT_NAMED), otherwise their initials as the library writes them
 * everywhere ("Jane van Doe" → "J. V. D."). The VARIANTS control is the
 * filter's `control_variant`, else the label "control" when present, else
 * the first label in byte order; a z-test with a zero pooled variance has no
 * P_VALUE.
 *
 * Memory stays bounded however many referrals there are: the figures are
 * computed in streaming passes over the store's records, a page at a time;
 * clients, referrers and per-party caches are taken in chunks of a fixed
 * size, in id order, and folded into sums (which changes no figure), so what
 * is kept is a fixed budget plus what grows with the number of staff and
 * variant labels — never with the number of clients, referrals, events or
 * tasks.
 */
/* clang-format on */
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
    RF_KPI_SLA_ROUTINE = 20,
    RF_KPI_LOOP_CLOSURE = 21,
    RF_KPI_THANKS_WITHIN_48H = 22,
    RF_KPI_REFERRAL_RATE = 23,
    RF_KPI_ADVOCATE_RATE = 24,
    RF_KPI_REFERRALS_PER_CLIENT_18M = 25,
    RF_KPI_CLOSE_RATE_REFERRED = 26,
    RF_KPI_CLOSE_RATE_NON_REFERRED = 27,
    RF_KPI_REVENUE_REFERRED = 28,
    RF_KPI_REVENUE_PER_CLIENT_REFERRED = 29,
    RF_KPI_REVENUE_PER_CLIENT_NON_REFERRED = 30,
    RF_KPI_RETENTION_REFERRED = 31,
    RF_KPI_RETENTION_NON_REFERRED = 32,
    RF_KPI_REWARD_COST = 33,
    RF_KPI_ROI = 34,
    RF_KPI_K_FACTOR = 35,
    RF_KPI_MEAN_NPS = 36,
    RF_KPI_NPS_REFERRAL_CORRELATION = 37
} rf_kpi;

/** One past the highest ::rf_kpi of this header. */
#define RF_KPI_COUNT 38

/** "RECEIVED", "SCHEDULED_RATE", ...; "UNSET" for anything else. Static. */
RF_API const char *rf_kpi_name(rf_kpi kpi);

/** Which records a report or table covers. */
typedef struct rf_kpi_filter {
    unsigned int version;        /**< the struct version: RF_KPI_FILTER_VERSION */
    rf_time from;                /**< required: the period's start (at or after) */
    rf_time to;                  /**< required: the period's end (before); after from */
    const char *program_id;      /**< only this programme's referrals */
    rf_channel channel;          /**< only this channel's */
    rf_referral_source source;   /**< only this source's */
    const char *practitioner_id; /**< only referrals taken by, and clients assigned to, this STAFF party */
    /* Version 2. */
    const char *currency;        /**< ISO 4217 code the money figures are in; NULL: money figures not defined */
    unsigned int top;            /**< rows of the LEADERBOARD; 0 for 10; at most 1000 */
    const char *control_variant; /**< the VARIANTS control; NULL: "control" if present, else the first label */
} rf_kpi_filter;

/** The newest version of ::rf_kpi_filter this header describes (2 added currency, top, control_variant). */
#define RF_KPI_FILTER_VERSION 2
/** Static initialiser of ::rf_kpi_filter: no period yet, no other filter. */
#define RF_KPI_FILTER_INIT                                                                                   \
    {                                                                                                        \
        RF_KPI_FILTER_VERSION, RF_TIME_UNSET, RF_TIME_UNSET, NULL, RF_CHANNEL_UNSET, RF_SOURCE_UNSET, NULL,  \
            NULL, 0, NULL                                                                                    \
    }

/** Initialise @p filter for structure version @p version (never writing past that version's size). */
RF_API rf_status rf_kpi_filter_init(rf_kpi_filter *filter, unsigned int version);

/**
 * Compute the report for @p filter.
 * @return ::RF_OK; ::RF_EINVALID (no period, or from not before to, a bad
 *         filter value, an unknown currency, top above 1000); ::RF_ENOTFOUND
 *         (programme, practitioner); ::RF_EBACKEND
 */
RF_API rf_status rf_kpi_compute(rf_kpi_report **out, rf_store *store, const rf_kpi_filter *filter);

/**
 * The figure @p kpi: 1 with *value set when it is defined, 0 (and *value 0)
 * when its denominator is zero or @p kpi is not a figure. @p value may be NULL.
 */
RF_API int rf_kpi_report_value(const rf_kpi_report *report, rf_kpi kpi, double *value);

/** The figure's numerator (a count, a sum of seconds for a mean, minor units for money; 0 for a percentile). */
RF_API int64_t rf_kpi_report_numerator(const rf_kpi_report *report, rf_kpi kpi);

/** The figure's denominator (what it is a share or an average of; 1 for counts and sums of money). */
RF_API int64_t rf_kpi_report_denominator(const rf_kpi_report *report, rf_kpi kpi);

/** The period and the time the report was computed at (the store's clock). */
RF_API rf_time rf_kpi_report_from(const rf_kpi_report *report);
/** See rf_kpi_report_from(). */
RF_API rf_time rf_kpi_report_to(const rf_kpi_report *report);
/** See rf_kpi_report_from(). */
RF_API rf_time rf_kpi_report_computed_at(const rf_kpi_report *report);

/** Free a report. Accepts NULL. */
RF_API void rf_kpi_report_free(rf_kpi_report *report);

/* --- tables ------------------------------------------------------------------- */

/** The tables (see the file's documentation for their rows and columns). */
typedef enum rf_kpi_table_kind {
    RF_KPI_TABLE_UNSET = 0,
    RF_KPI_TABLE_FUNNEL = 1,
    RF_KPI_TABLE_LEADERBOARD = 2,
    RF_KPI_TABLE_PRACTITIONERS = 3,
    RF_KPI_TABLE_CHANNELS = 4,
    RF_KPI_TABLE_SOURCES = 5,
    RF_KPI_TABLE_VARIANTS = 6
} rf_kpi_table_kind;

/** One past the highest ::rf_kpi_table_kind of this header. */
#define RF_KPI_TABLE_KIND_COUNT 7

/** "FUNNEL", "LEADERBOARD", ...; "UNSET" for anything else. Static. */
RF_API const char *rf_kpi_table_kind_name(rf_kpi_table_kind kind);

/** The columns of a table's rows. Values are only ever appended. */
typedef enum rf_kpi_column {
    RF_KPI_COLUMN_UNSET = 0,
    RF_KPI_COLUMN_COUNT = 1,
    RF_KPI_COLUMN_CONVERSION = 2,
    RF_KPI_COLUMN_CLOSED = 3,
    RF_KPI_COLUMN_CLIENTS = 4,
    RF_KPI_COLUMN_ADVOCATES = 5,
    RF_KPI_COLUMN_ADVOCACY_RATE = 6,
    RF_KPI_COLUMN_MEAN_NPS = 7,
    RF_KPI_COLUMN_REVENUE = 8,
    RF_KPI_COLUMN_TO_SCHEDULE_P50 = 9,
    RF_KPI_COLUMN_HIT_RATE = 10,
    RF_KPI_COLUMN_LIFT = 11,
    RF_KPI_COLUMN_P_VALUE = 12
} rf_kpi_column;

/** One past the highest ::rf_kpi_column of this header. */
#define RF_KPI_COLUMNS 13

/** "COUNT", "CONVERSION", ...; "UNSET" for anything else. Static. */
RF_API const char *rf_kpi_column_name(rf_kpi_column column);

/** A computed table, owned by the caller. Free with rf_kpi_table_free(). */
typedef struct rf_kpi_table rf_kpi_table;
/** One row of a table, borrowed from it (valid while the table lives). */
typedef struct rf_kpi_row rf_kpi_row;
/** An iterator over a table's rows. Free with rf_kpi_row_iter_free(). */
typedef struct rf_kpi_row_iter rf_kpi_row_iter;

/**
 * Compute the table @p kind for @p filter (the same filter as rf_kpi_compute()).
 * @return ::RF_OK; ::RF_EINVALID (unknown kind, or as rf_kpi_compute());
 *         ::RF_ENOTFOUND (programme, practitioner); ::RF_EBACKEND
 */
RF_API rf_status rf_kpi_table_compute(rf_kpi_table **out, rf_store *store, rf_kpi_table_kind kind,
                                      const rf_kpi_filter *filter);

/** The table's kind. */
RF_API rf_kpi_table_kind rf_kpi_table_kind_of(const rf_kpi_table *table);
/** How many rows the table has. */
RF_API size_t rf_kpi_table_row_count(const rf_kpi_table *table);
/** Row @p index (0-based, in the table's order), or NULL past the end. */
RF_API const rf_kpi_row *rf_kpi_table_row(const rf_kpi_table *table, size_t index);
/** 1 when the table's kind defines @p column, else 0. */
RF_API int rf_kpi_table_has_column(const rf_kpi_table *table, rf_kpi_column column);

/** Start iterating over @p table's rows, in order. @return ::RF_OK; ::RF_EINVALID; ::RF_ENOMEM */
RF_API rf_status rf_kpi_table_iter(rf_kpi_row_iter **out, const rf_kpi_table *table);
/** The next row, or NULL at the end. */
RF_API const rf_kpi_row *rf_kpi_row_iter_next(rf_kpi_row_iter *iter);
/** Free an iterator. Accepts NULL. */
RF_API void rf_kpi_row_iter_free(rf_kpi_row_iter *iter);

/** The row's key: a step name, a party id, a channel or source name, a variant label. */
RF_API const char *rf_kpi_row_key(const rf_kpi_row *row);
/** The row's label for people: a display name or initials (LEADERBOARD), a name; never NULL. */
RF_API const char *rf_kpi_row_label(const rf_kpi_row *row);
/** Like rf_kpi_report_value(), for one cell. */
RF_API int rf_kpi_row_value(const rf_kpi_row *row, rf_kpi_column column, double *value);
/** Like rf_kpi_report_numerator(), for one cell. */
RF_API int64_t rf_kpi_row_numerator(const rf_kpi_row *row, rf_kpi_column column);
/** Like rf_kpi_report_denominator(), for one cell. */
RF_API int64_t rf_kpi_row_denominator(const rf_kpi_row *row, rf_kpi_column column);

/** Free a table (its rows go with it). Accepts NULL. */
RF_API void rf_kpi_table_free(rf_kpi_table *table);

#ifdef __cplusplus
}
#endif

#endif /* REFERRAL_KPIS_H */
