/* Comparing rf_kpi_table_compute with the tables computed by hand: the row
 * count, each row's key (and label where the header says what it is), and
 * every cell of every column — defined, value, numerator, denominator. */
#include "kpi_support.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int close_enough(double got, double want, double tolerance)
{
    return got == want || fabs(got - want) <= tolerance * fmax(fabs(got), fabs(want));
}

/* Mismatches of one table, printed; returns how many. */
static int compare(const rf_kpi_table *table, const kpi_table_expect *e, rf_kpi_table_kind kind)
{
    const char *name = rf_kpi_table_kind_name(kind);
    int wrong = 0;
    if (rf_kpi_table_row_count(table) != e->rows) {
        print_error("%s: %zu rows, expected %zu\n", name, rf_kpi_table_row_count(table), e->rows);
        wrong++;
    }
    for (size_t r = 0; r < e->rows && r < rf_kpi_table_row_count(table); r++) {
        const rf_kpi_row *row = rf_kpi_table_row(table, r);
        assert_non_null(row);
        if (strcmp(rf_kpi_row_key(row), e->key[r]) != 0 ||
            (e->label[r][0] != '\0' && strcmp(rf_kpi_row_label(row), e->label[r]) != 0)) {
            print_error("%s row %zu: key '%s' label '%s', expected '%s' '%s'\n", name, r, rf_kpi_row_key(row),
                        rf_kpi_row_label(row), e->key[r], e->label[r]);
            wrong++;
            continue;
        }
        for (int c = 1; c < RF_KPI_COLUMNS; c++) {
            const kpi_cell *want = &e->cell[r][c];
            double value = -1.0;
            int defined = rf_kpi_row_value(row, (rf_kpi_column)c, &value);
            int64_t num = rf_kpi_row_numerator(row, (rf_kpi_column)c),
                    den = rf_kpi_row_denominator(row, (rf_kpi_column)c);
            double tolerance = c == RF_KPI_COLUMN_P_VALUE ? 1e-9 : 1e-12;
            if (defined != want->defined || !close_enough(value, want->value, tolerance) ||
                (want->check_numbers && (num != want->num || den != want->den))) {
                print_error(
                    "%s row '%s' %s: got defined %d value %.17g (%lld / %lld), expected defined %d value "
                    "%.17g (%lld / %lld)\n",
                    name, e->key[r], rf_kpi_column_name((rf_kpi_column)c), defined, value, (long long)num,
                    (long long)den, want->defined, want->value, (long long)want->num, (long long)want->den);
                wrong++;
            }
        }
    }
    return wrong;
}

int kpi_table_mismatches(fixture *fx, const kpi_practice *p, kpi_scope scope)
{
    static kpi_table_expect e; /* large: not on the stack */
    rf_kpi_filter f = kpi_filter_of(p, scope);
    int wrong = 0;
    for (int kind = RF_KPI_TABLE_FUNNEL; kind < RF_KPI_TABLE_KIND_COUNT; kind++) {
        kpi_expect_table(&e, p, (rf_kpi_table_kind)kind, scope);
        rf_kpi_table *table = NULL;
        rf_status rc = rf_kpi_table_compute(&table, fx->store, (rf_kpi_table_kind)kind, &f);
        if (rc != RF_OK) {
            print_error("%s: rf_kpi_table_compute failed: %s\n",
                        rf_kpi_table_kind_name((rf_kpi_table_kind)kind), rf_error_last()->message);
            wrong++;
            continue;
        }
        assert_int_equal(rf_kpi_table_kind_of(table), kind);
        wrong += compare(table, &e, (rf_kpi_table_kind)kind);
        /* The iterator gives the same rows in the same order. */
        rf_kpi_row_iter *it = NULL;
        assert_ok(rf_kpi_table_iter(&it, table));
        size_t n = 0;
        for (const rf_kpi_row *row; (row = rf_kpi_row_iter_next(it)) != NULL; n++) {
            assert_string_equal(rf_kpi_row_key(row), rf_kpi_row_key(rf_kpi_table_row(table, n)));
        }
        assert_int_equal(n, rf_kpi_table_row_count(table));
        assert_null(rf_kpi_table_row(table, n));
        rf_kpi_row_iter_free(it);
        rf_kpi_table_free(table);
    }
    return wrong;
}

void kpi_check_tables(fixture *fx, const kpi_practice *p, kpi_scope scope)
{
    int wrong = kpi_table_mismatches(fx, p, scope);
    if (wrong > 0) {
        fail_msg("%d table cell(s) differ from the hand computation", wrong);
    }
}
