/* kpis.i: KPI reports of a period (kpis.h), with the patterns of handles.i:
 *
 * - rf_kpi_filter is a dict (options.i): from, to (int seconds), program_id,
 *   channel, source, practitioner_id, currency, top, control_variant; None
 *   leaves a field unset;
 * - rf_kpi_report and rf_kpi_table are self-freeing handles, the results of
 *   rf_kpi_compute() and rf_kpi_table_compute(); a table's rows are borrowed
 *   pointers read by index (rf_kpi_table_row) while the facade holds the
 *   table, so Python never keeps a row past its table; the C row iterator is
 *   for C (the facade builds Python lists);
 * - rf_kpi_report_value(report, kpi) and rf_kpi_row_value(row, column)
 *   return the figure as a float, or None when it is not defined (its denominator is zero, or kpi is not a figure):
 *   "not defined" never reaches Python as 0.0 or NaN.
 *
 * Which calls release the GIL is listed in referral.i. Include after
 * referrals.i (the filter uses rf_channel and rf_referral_source).
 */

%{
static int rfpy_kpi_filter_field(void *opts, const char *key, PyObject *value, rfpy_keep *keep)
{
    rf_kpi_filter *o = opts;
    RFPY_TIME(from);
    RFPY_TIME(to);
    RFPY_TEXT(program_id);
    RFPY_ENUM(channel, rf_channel);
    RFPY_ENUM(source, rf_referral_source);
    RFPY_TEXT(practitioner_id);
    RFPY_TEXT(currency);
    RFPY_TEXT(control_variant);
    if (strcmp(key, "top") == 0) {
        int top = 0;
        if (rfpy_opt_int(value, "top", &top) < 0) {
            return -1;
        }
        /* Negative values wrap to a huge unsigned number the library refuses with its own message. */
        o->top = (unsigned int)top;
        return 0;
    }
    return 1;
}
%}

RFPY_OPTIONS(rf_kpi_filter, RF_KPI_FILTER_INIT, "KPI filter", rfpy_kpi_filter_field)
/* The filter is a dict, so its initialiser is not needed. */
%ignore rf_kpi_filter_init;

RFPY_HANDLE(rf_kpi_report, rf_kpi_report_free)
RFPY_HANDLE(rf_kpi_table, rf_kpi_table_free)
/* Rows are read by index while the facade holds their table. */
%ignore rf_kpi_table_iter;
%ignore rf_kpi_row_iter_next;
%ignore rf_kpi_row_iter_free;
%ignore rf_kpi_row_iter;

/* rf_kpi_report_value(report, kpi, &value): the value, or None when not defined. */
%typemap(in, numinputs=0, noblock=1) double *kpi_value (double temp = 0.0) {
    $1 = &temp;
}
%typemap(argout, noblock=1) double *kpi_value {
    Py_XDECREF($result);
    if (result) {
        $result = PyFloat_FromDouble(*$1);
    } else {
        Py_INCREF(Py_None);
        $result = Py_None;
    }
}
%apply double *kpi_value { double *value };

%include "referral/kpis.h"

%clear double *value;
