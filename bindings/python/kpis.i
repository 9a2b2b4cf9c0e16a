/* kpis.i: KPI reports of a period (kpis.h), with the patterns of handles.i:
 *
 * - rf_kpi_filter is a dict (options.i): from, to (int seconds), program_id,
 *   channel, source, practitioner_id; None leaves a field unset;
 * - rf_kpi_report is a self-freeing handle, the result of rf_kpi_compute();
 * - rf_kpi_report_value(report, kpi) returns the figure as a float, or None
 *   when it is not defined (its denominator is zero, or kpi is not a figure):
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
    return 1;
}
%}

RFPY_OPTIONS(rf_kpi_filter, RF_KPI_FILTER_INIT, "KPI filter", rfpy_kpi_filter_field)
/* The filter is a dict, so its initialiser is not needed. */
%ignore rf_kpi_filter_init;

RFPY_HANDLE(rf_kpi_report, rf_kpi_report_free)

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
