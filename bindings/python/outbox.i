/* outbox.i: outbox tasks (outbox.h), with the patterns of handles.i:
 *
 * - rf_task is a self-freeing handle; `T **out` is the result;
 * - rf_task_iter iterates with __iter__/__next__ and keeps its store alive.
 *   The iterator of rf_tasks_due() leases each task as __next__ hands it out
 *   (a transaction of its own), so the store must outlive it: the proxy holds
 *   the store's proxy;
 * - rf_tasks_due()'s `now` takes None for the store's clock.
 *
 * The option structs (rf_drain_options, rf_task_filter) are dicts, see
 * options.i. Which calls release the GIL is listed in referral.i. Include
 * after rewards.i (it uses RFPY_HANDLE and RFPY_ITERATOR).
 */

%{
static int rfpy_drain_field(void *opts, const char *key, PyObject *value, rfpy_keep *keep)
{
    rf_drain_options *o = opts;
    RFPY_SETTING(lease_seconds);
    RFPY_SETTING(limit);
    RFPY_ENUM(kind, rf_task_kind);
    return 1;
}

static int rfpy_task_filter_field(void *opts, const char *key, PyObject *value, rfpy_keep *keep)
{
    rf_task_filter *o = opts;
    RFPY_TEXT(party_id);
    RFPY_TEXT(referral_id);
    RFPY_ENUM(kind, rf_task_kind);
    RFPY_ENUM(state, rf_task_state);
    return 1;
}
%}

RFPY_OPTIONS(rf_drain_options, RF_DRAIN_OPTIONS_INIT, "drain", rfpy_drain_field)
RFPY_OPTIONS(rf_task_filter, RF_TASK_FILTER_INIT, "task filter", rfpy_task_filter_field)

/* Option structs are dicts, so their initialisers are not needed. */
%ignore rf_drain_options_init;
%ignore rf_task_filter_init;

RFPY_HANDLE(rf_task, rf_task_free)
RFPY_HANDLE(rf_task_iter, rf_task_iter_free)

RFPY_ITERATOR(rf_task_iter, rf_task, rf_task_iter_next)

/* An iterator keeps its store alive: a drain leases through it. */
%pythonappend rf_tasks_due %{
    val._store = store
%}
%pythonappend rf_task_list %{
    val._store = store
%}

/* rf_tasks_due(..., now, ...): None is RF_TIME_UNSET, the store's clock. */
%typemap(in, noblock=1) rf_time now {
    if ($input == Py_None) {
        $1 = RF_TIME_UNSET;
    } else if (rfpy_opt_time($input, "now", &$1) < 0) {
        SWIG_fail;
    }
}

%include "referral/outbox.h"

/* Only rf_tasks_due() takes None for its `now` here. */
%typemap(in) rf_time now;
