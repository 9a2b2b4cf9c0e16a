/* The KPI tables' cases: small practices made by hand through the public
 * API, every cell checked against numbers worked out in the case. */
#ifndef RF_CONFORMANCE_KPI_TABLE_SUPPORT_H
#define RF_CONFORMANCE_KPI_TABLE_SUPPORT_H

#include "story_support.h"

/* A filter over [from, to), nothing else set. */
rf_kpi_filter table_period(rf_time from, rf_time to);

/* rf_kpi_table_compute of @kind for @f, which must succeed. Also checks what
 * holds for every table: its kind, the index and the iterator give the same
 * rows and then NULL, every row has a key and a label, and the columns its
 * kind does not define are never defined (0 / 0). */
rf_kpi_table *table_of(fixture *fx, rf_kpi_table_kind kind, const rf_kpi_filter *f);

/* Row @i has @key and @label (NULL: the key); returns it. */
const rf_kpi_row *row_at(const rf_kpi_table *t, size_t i, const char *key, const char *label);

/* A cell is exactly this: defined or not, its value (to 1e-12, relative), numerator, denominator. */
void assert_cell(const rf_kpi_row *row, rf_kpi_column column, int defined, double value, int64_t num,
                 int64_t den);
/* A count: num = n, den = 1, defined. */
void assert_count(const rf_kpi_row *row, rf_kpi_column column, int64_t n);
/* num ÷ den, defined when den > 0. */
void assert_rate(const rf_kpi_row *row, rf_kpi_column column, int64_t num, int64_t den);

/* A referral of a fresh LEAD by @referrer_id received now with these fields
 * (channel, source, variant, practitioner may be unset / NULL); when
 * @documents_complete is 0 a required document is missing. */
typedef struct table_referral {
    rf_channel channel;
    rf_referral_source source; /* default MANUAL */
    const char *variant;
    const char *practitioner_id;
    int documents_incomplete;
} table_referral;
rf_referral *table_refer(fixture *fx, const rf_program *program, const char *referrer_id, table_referral how);
/* The referee's revenue (@currency) or NPS (@amount unused) event now. */
void table_revenue(fixture *fx, const rf_referral *r, int64_t amount, const char *currency);
void table_nps(fixture *fx, const char *party_id, int score);

extern const struct CMUnitTest kpi_table_cases[];
extern const size_t kpi_table_case_count;
extern const struct CMUnitTest kpi_table_group_cases[];
extern const size_t kpi_table_group_case_count;

#endif
