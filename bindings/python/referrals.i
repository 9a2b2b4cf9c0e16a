/* referrals.i: programmes (program.h) and touches, referrals, their lifecycle
 * and views (referral.h), with the patterns of handles.i:
 *
 * - rf_program, rf_touch, rf_referral, rf_referrer_entry and
 *   rf_partner_exchange are self-freeing handles; `T **out` is the result;
 * - rf_program_iter, rf_referral_iter and rf_referrer_view iterate with
 *   __iter__/__next__ and keep their store alive;
 * - rf_partner_exchange is a result object: len(x) rows, x[i] is the tuple
 *   (partner_id, given, received);
 * - rf_referral_state_fhir(state) returns [task_status, business_status].
 *
 * The option structs (rf_program_options, rf_touch_options,
 * rf_referral_options, rf_advance_options, rf_referral_filter) are dicts,
 * see options.i. Which calls release the GIL is listed in referral.i.
 * Include after handles.i (it uses RFPY_HANDLE and RFPY_ITERATOR).
 */

RFPY_HANDLE(rf_program, rf_program_free)
RFPY_HANDLE(rf_program_iter, rf_program_iter_free)
RFPY_HANDLE(rf_touch, rf_touch_free)
RFPY_HANDLE(rf_referral, rf_referral_free)
RFPY_HANDLE(rf_referral_iter, rf_referral_iter_free)
RFPY_HANDLE(rf_referrer_entry, rf_referrer_entry_free)
RFPY_HANDLE(rf_referrer_view, rf_referrer_view_free)
RFPY_HANDLE(rf_partner_exchange, rf_partner_exchange_free)

RFPY_ITERATOR(rf_program_iter, rf_program, rf_program_iter_next)
RFPY_ITERATOR(rf_referral_iter, rf_referral, rf_referral_iter_next)
RFPY_ITERATOR(rf_referrer_view, rf_referrer_entry, rf_referrer_view_next)

/* An iterator keeps its store alive. */
%pythonappend rf_program_list %{
    val._store = store
%}
%pythonappend rf_referral_list %{
    val._store = store
%}
%pythonappend rf_referrer_view_open %{
    val._store = store
%}

/* rf_referral_state_fhir(state) → [task_status, business_status]: two static
 * strings, never freed. On failure the rf_status typemap raises first. */
%typemap(in, numinputs=0, noblock=1) const char **task_status (const char *temp = NULL),
                                     const char **business_status (const char *temp = NULL) {
    $1 = ($1_ltype)&temp;
}
%typemap(argout, noblock=1) const char **task_status, const char **business_status {
    $result = SWIG_Python_AppendOutput($result, SWIG_FromCharPtr(*$1));
}

/* The partner exchange as a sequence of rows. */
%exception rf_partner_exchange::__getitem__ {
    $action
    if (result == NULL) {
        SWIG_fail;
    }
}
%extend rf_partner_exchange {
    size_t __len__() {
        return rf_partner_exchange_count($self);
    }
    /* (partner_id, given, received) of row @p row; negative rows count from the end. */
    PyObject *__getitem__(long row) {
        size_t count = rf_partner_exchange_count($self);
        if (row < 0) {
            row += (long)count;
        }
        if (row < 0 || (size_t)row >= count) {
            PyErr_SetString(PyExc_IndexError, "partner exchange row out of range");
            return NULL;
        }
        return Py_BuildValue("(sii)", rf_partner_exchange_partner_id($self, (size_t)row),
                             rf_partner_exchange_given($self, (size_t)row),
                             rf_partner_exchange_received($self, (size_t)row));
    }
}

%include "referral/program.h"
%include "referral/referrals.h"
