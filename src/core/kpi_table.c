/* KPI tables: the handle, its rows and cells, the row iterator, the names of
 * kinds and columns, and computing a table of a kind (the rows themselves
 * come from kpi_table_funnel.c, kpi_table_leaderboard.c, kpi_table_people.c,
 * kpi_table_groups.c). */
#include <stdlib.h>
#include <string.h>

#include "core/kpi_table.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/memory.h"

struct rf_kpi_row_iter {
    const rf_kpi_table *table;
    size_t next;
};

const char *rf_kpi_table_kind_name(rf_kpi_table_kind kind)
{
    static const char *const names[RF_KPI_TABLE_KIND_COUNT] = {
        NULL, "FUNNEL", "LEADERBOARD", "PRACTITIONERS", "CHANNELS", "SOURCES", "VARIANTS",
    };
    return kind > 0 && kind < RF_KPI_TABLE_KIND_COUNT ? names[kind] : "UNSET";
}

const char *rf_kpi_column_name(rf_kpi_column column)
{
    static const char *const names[RF_KPI_COLUMNS] = {
        NULL,       "COUNT",   "CONVERSION",      "CLOSED",   "CLIENTS", "ADVOCATES", "ADVOCACY_RATE",
        "MEAN_NPS", "REVENUE", "TO_SCHEDULE_P50", "HIT_RATE", "LIFT",    "P_VALUE",
    };
    return column > 0 && column < RF_KPI_COLUMNS ? names[column] : "UNSET";
}

#define COL(c) (1u << (c))

/* The columns each kind defines (kpis.h, "Tables"). */
static unsigned columns_of(rf_kpi_table_kind kind)
{
    switch (kind) {
    case RF_KPI_TABLE_FUNNEL: return COL(RF_KPI_COLUMN_COUNT) | COL(RF_KPI_COLUMN_CONVERSION);
    case RF_KPI_TABLE_LEADERBOARD: return COL(RF_KPI_COLUMN_COUNT) | COL(RF_KPI_COLUMN_CLOSED);
    case RF_KPI_TABLE_PRACTITIONERS:
        return COL(RF_KPI_COLUMN_CLIENTS) | COL(RF_KPI_COLUMN_ADVOCATES) | COL(RF_KPI_COLUMN_ADVOCACY_RATE) |
               COL(RF_KPI_COLUMN_MEAN_NPS) | COL(RF_KPI_COLUMN_COUNT);
    case RF_KPI_TABLE_CHANNELS:
    case RF_KPI_TABLE_SOURCES:
        return COL(RF_KPI_COLUMN_COUNT) | COL(RF_KPI_COLUMN_CONVERSION) | COL(RF_KPI_COLUMN_REVENUE) |
               COL(RF_KPI_COLUMN_TO_SCHEDULE_P50) | COL(RF_KPI_COLUMN_HIT_RATE) | COL(RF_KPI_COLUMN_MEAN_NPS);
    case RF_KPI_TABLE_VARIANTS:
        return COL(RF_KPI_COLUMN_COUNT) | COL(RF_KPI_COLUMN_CLOSED) | COL(RF_KPI_COLUMN_CONVERSION) |
               COL(RF_KPI_COLUMN_LIFT) | COL(RF_KPI_COLUMN_P_VALUE);
    default: return 0;
    }
}

rf_status rf__kpi_table_add(rf_kpi_table *t, const char *key, const char *label, rf_kpi_row **out)
{
    rf_status rc = rf__reserve(&t->rows, &t->cap, t->count, sizeof *t->rows);
    if (rc != RF_OK) {
        return rc;
    }
    rf_kpi_row *row = &t->rows[t->count];
    memset(row, 0, sizeof *row);
    row->key = rf__strdup(key);
    row->label = rf__strdup(label != NULL ? label : key);
    if (row->key == NULL || row->label == NULL) {
        free(row->key);
        free(row->label);
        return RF_ENOMEM;
    }
    t->count++;
    if (out != NULL) {
        *out = row;
    }
    return RF_OK;
}

void rf__kpi_cell_put(rf_kpi_row *row, rf_kpi_column column, int64_t num, int64_t den, int defined,
                      double value)
{
    rf__kpi_cell *c = &row->cell[column];
    c->num = num;
    c->den = den;
    c->defined = defined;
    c->value = defined ? value : 0.0;
}

void rf__kpi_cell_rate(rf_kpi_row *row, rf_kpi_column column, int64_t num, int64_t den)
{
    rf__kpi_cell_put(row, column, num, den, den > 0, den > 0 ? (double)num / (double)den : 0.0);
}

void rf__kpi_cell_count(rf_kpi_row *row, rf_kpi_column column, int64_t n)
{
    rf__kpi_cell_put(row, column, n, 1, 1, (double)n);
}

typedef struct cohort_scan {
    const rf_kpi_filter *filter;
    rf__kpi_cohort_fn fn;
    void *payload;
    rf_status error;
} cohort_scan;

static int visit_cohort(const rf_referral_record *r, void *payload)
{
    cohort_scan *s = payload;
    if (rf__kpi_in_cohort(s->filter, r)) {
        s->error = s->fn(r, s->payload);
    }
    return s->error != RF_OK;
}

rf_status rf__kpi_cohort_scan(rf_store *store, const rf_kpi_filter *f, rf__kpi_cohort_fn fn, void *payload)
{
    rf_referral_query q = {NULL, f->program_id, NULL, NULL, NULL, RF_DIRECTION_INBOUND, f->from, f->to, 0};
    cohort_scan s = {f, fn, payload, RF_OK};
    rf_status rc =
        (rf_status)store->backend->referral_scan(store->backend, store->practice, &q, visit_cohort, &s);
    return rc != RF_OK ? rc : s.error;
}

static void clear_rows(rf_kpi_table *t)
{
    for (size_t i = 0; i < t->count; i++) {
        free(t->rows[i].key);
        free(t->rows[i].label);
    }
    t->count = 0;
}

static rf_status build(rf_store *store, const rf_kpi_filter *f, rf_kpi_table *t)
{
    switch (t->kind) {
    case RF_KPI_TABLE_FUNNEL: return rf__kpi_table_funnel(store, f, t);
    case RF_KPI_TABLE_LEADERBOARD: return rf__kpi_table_leaderboard(store, f, t);
    case RF_KPI_TABLE_PRACTITIONERS: return rf__kpi_table_practitioners(store, f, t);
    case RF_KPI_TABLE_CHANNELS: return rf__kpi_table_groups(store, f, t, 0);
    case RF_KPI_TABLE_SOURCES: return rf__kpi_table_groups(store, f, t, 1);
    case RF_KPI_TABLE_VARIANTS: return rf__kpi_table_variants(store, f, t);
    default: return RF_EINVALID;
    }
}

rf_status rf_kpi_table_compute(rf_kpi_table **out, rf_store *store, rf_kpi_table_kind kind,
                               const rf_kpi_filter *filter)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if (columns_of(kind) == 0) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_ARGUMENT,
                         "table kind %d is not known (RF_KPI_TABLE_FUNNEL .. RF_KPI_TABLE_VARIANTS)",
                         (int)kind);
    }
    rf_kpi_filter f;
    if ((rc = rf__kpi_filter_load(store, filter, &f)) != RF_OK) {
        return rc;
    }
    /* Asks and client events came with contract version 4. */
    if (kind != RF_KPI_TABLE_LEADERBOARD && kind != RF_KPI_TABLE_VARIANTS &&
        (rc = rf__store_require(store, 4, "the FUNNEL, PRACTITIONERS, CHANNELS and SOURCES tables")) !=
            RF_OK) {
        return rc;
    }
    rf_kpi_table *t = rf__calloc(1, sizeof *t);
    if (t == NULL) {
        return RF_ENOMEM;
    }
    t->kind = kind;
    /* No lock is held while reading: when writers change the records between
     * the passes of a median (the passes notice), the table is computed again. */
    for (int attempt = 0; attempt < 3; attempt++) {
        clear_rows(t);
        rc = build(store, &f, t);
        if (rc != RF_ECONFLICT) {
            break;
        }
    }
    if (rc != RF_OK) {
        rf_kpi_table_free(t);
        return rc;
    }
    *out = t;
    return RF_OK;
}

rf_kpi_table_kind rf_kpi_table_kind_of(const rf_kpi_table *table)
{
    return table != NULL ? table->kind : RF_KPI_TABLE_UNSET;
}

size_t rf_kpi_table_row_count(const rf_kpi_table *table)
{
    return table != NULL ? table->count : 0;
}

const rf_kpi_row *rf_kpi_table_row(const rf_kpi_table *table, size_t index)
{
    return table != NULL && index < table->count ? &table->rows[index] : NULL;
}

int rf_kpi_table_has_column(const rf_kpi_table *table, rf_kpi_column column)
{
    return table != NULL && column > 0 && column < RF_KPI_COLUMNS && (columns_of(table->kind) & COL(column));
}

rf_status rf_kpi_table_iter(rf_kpi_row_iter **out, const rf_kpi_table *table)
{
    rf_status rc = rf__check_arg(out, "out");
    if (rc != RF_OK) {
        return rc;
    }
    *out = NULL;
    if ((rc = rf__check_arg(table, "table")) != RF_OK) {
        return rc;
    }
    rf_kpi_row_iter *it = rf__calloc(1, sizeof *it);
    if (it == NULL) {
        return RF_ENOMEM;
    }
    it->table = table;
    *out = it;
    return RF_OK;
}

const rf_kpi_row *rf_kpi_row_iter_next(rf_kpi_row_iter *iter)
{
    if (iter == NULL || iter->next >= iter->table->count) {
        return NULL;
    }
    return &iter->table->rows[iter->next++];
}

void rf_kpi_row_iter_free(rf_kpi_row_iter *iter)
{
    free(iter);
}

const char *rf_kpi_row_key(const rf_kpi_row *row)
{
    return row != NULL ? row->key : "";
}

const char *rf_kpi_row_label(const rf_kpi_row *row)
{
    return row != NULL ? row->label : "";
}

static const rf__kpi_cell *cell_of(const rf_kpi_row *row, rf_kpi_column column)
{
    return row != NULL && column > 0 && column < RF_KPI_COLUMNS ? &row->cell[column] : NULL;
}

int rf_kpi_row_value(const rf_kpi_row *row, rf_kpi_column column, double *value)
{
    const rf__kpi_cell *c = cell_of(row, column);
    int defined = c != NULL && c->defined;
    if (value != NULL) {
        *value = defined ? c->value : 0.0;
    }
    return defined;
}

int64_t rf_kpi_row_numerator(const rf_kpi_row *row, rf_kpi_column column)
{
    const rf__kpi_cell *c = cell_of(row, column);
    return c != NULL ? c->num : 0;
}

int64_t rf_kpi_row_denominator(const rf_kpi_row *row, rf_kpi_column column)
{
    const rf__kpi_cell *c = cell_of(row, column);
    return c != NULL ? c->den : 0;
}

void rf_kpi_table_free(rf_kpi_table *table)
{
    if (table != NULL) {
        clear_rows(table);
        free(table->rows);
        free(table);
    }
}
